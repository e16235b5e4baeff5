//! The bounce-handler Lambda: initialise once, then handle SES events from EventBridge.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use morale::alert::SnsAlerter;
use morale::clock::SystemClock;
use morale::config::{self, env};
use morale::store::DynamoStore;
use morale::store::prelude::*;
use morale_bounce_handler::{BounceConfig, BounceHandler};
use serde_json::Value;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    morale::telemetry::init();
    let sdk = morale::aws::load().await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), config::required(env::TABLE)?);
    // Warm the connection (TLS, credentials) alongside init, without delaying it.
    tokio::spawn({
        let store = store.clone();
        async move { store.get_state("preflight").await.map(|_| ()) }
    });
    let handler = BounceHandler {
        store: Arc::new(store),
        alerter: Arc::new(SnsAlerter::new(aws_sdk_sns::Client::new(&sdk), &config::required(env::ALERT_TOPIC_ARN)?)),
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
