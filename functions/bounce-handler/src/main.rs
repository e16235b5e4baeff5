//! The bounce-handler Lambda: initialise once, then handle SES events from EventBridge.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use morale::aws::Bootstrap;
use morale::clock::SystemClock;
use morale_bounce_handler::{BounceConfig, BounceHandler};
use serde_json::Value;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let boot = Bootstrap::start().await?;
    let handler = BounceHandler {
        alerter: Arc::new(boot.alerter()?),
        store: Arc::new(boot.store),
        clock: Arc::new(SystemClock),
        config: BounceConfig::default(),
    };
    let handler = &handler;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        // An error fails the invocation: Lambda retries it, then sends it to the on-failure
        // destination. Never a silent drop.
        let outcomes = handler.handle(event.payload).await?;
        Ok::<Value, Error>(serde_json::to_value(outcomes)?)
    }))
    .await
}
