//! The pre-traffic hook Lambda: initialise once, then check the stack for each deployment.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use morale::aws::Bootstrap;
use morale::clock::SystemClock;
use morale::config::{env, required};
use morale::mail::SesMailer;
use morale_deploy_check::{AwsStack, DeployCheck, HookEvent};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let boot = Bootstrap::start().await?;
    let ses = aws_sdk_sesv2::Client::new(&boot.sdk);
    let stack = AwsStack {
        ses: ses.clone(),
        sns: aws_sdk_sns::Client::new(&boot.sdk),
        codedeploy: aws_sdk_codedeploy::Client::new(&boot.sdk),
        configuration_set: required(env::CONFIGURATION_SET)?,
        topic_arn: required(env::ALERT_TOPIC_ARN)?,
    };
    let check = DeployCheck {
        // Every SES call bounded, so that the verdict reaches CodeDeploy within the timeout.
        mailer: Arc::new(SesMailer::from_sdk(&boot.sdk, "deploy-check@invalid", None)),
        alerter: Arc::new(boot.alerter()?),
        store: Arc::new(boot.store),
        stack: Arc::new(stack),
        clock: Arc::new(SystemClock),
        identity: required(env::SENDER_IDENTITY)?,
    };
    let check = &check;
    run(service_fn(move |event: LambdaEvent<HookEvent>| async move {
        let checks = check.handle(&event.payload).await?;
        Ok::<_, Error>(serde_json::to_value(checks)?)
    }))
    .await
}
