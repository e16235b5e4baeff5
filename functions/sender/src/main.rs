//! The sender Lambda: initialise once, then handle ticks.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use morale::aws::Bootstrap;
use morale::clock::SystemClock;
use morale::config::{self, SenderConfig, env};
use morale::email::EmailRenderer;
use morale::mail::SesMailer;
use morale_sender::continuation::{EventBridgeContinuation, NextTick};
use morale_sender::{Command, Sender};
use serde_json::Value;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let boot = Bootstrap::start().await?;
    let sdk = &boot.sdk;
    let config = SenderConfig::from_env()?;
    let keys = config::load_token_keys(sdk).await?;
    // A rotation reaches the running function: the renderer holds the same keys.
    config::refresh_token_keys(sdk.clone(), keys.clone(), config::KEYS_REFRESH);
    let sender = Sender {
        alerter: Arc::new(boot.alerter()?),
        store: Arc::new(boot.store),
        mailer: Arc::new(SesMailer::from_sdk(sdk, &config.from, config.configuration_set.as_deref())),
        clock: Arc::new(SystemClock),
        renderer: EmailRenderer::new(keys, &config::required(env::API_BASE_URL)?),
        continuation: match &config.continuation_bus {
            Some(bus) => Arc::new(EventBridgeContinuation::new(aws_sdk_eventbridge::Client::new(sdk), bus)),
            None => Arc::new(NextTick),
        },
        config,
    };
    let sender = &sender;
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        let command: Command = serde_json::from_value(event.payload).map_err(|e| {
            format!("unknown command ({e}): expected {{\"action\":\"tick\"}}, {{\"action\":\"drain\"}}, {{\"action\":\"continue\"}} or {{\"action\":\"send-now\",\"team\":\"<id>\"}}")
        })?;
        let deadline = morale_sender::deadline_from_epoch_ms(event.context.deadline);
        let report = sender.handle(command, deadline).await?;
        Ok::<Value, Error>(serde_json::to_value(report)?)
    }))
    .await
}
