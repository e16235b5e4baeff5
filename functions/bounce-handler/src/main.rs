use lambda_runtime::{LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    morale::telemetry::init();
    run(service_fn(|event: LambdaEvent<Value>| morale_bounce_handler::handle(event.payload))).await
}
