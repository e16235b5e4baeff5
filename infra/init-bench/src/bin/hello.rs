//! A bare lambda_runtime function: the baseline for init time.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(|e: LambdaEvent<Value>| async move { Ok::<Value, Error>(e.payload) })).await
}
