//! The canary deployment's pre-traffic hook: before CodeDeploy shifts any traffic to a new
//! sender, the parts of `moralectl verify` that are safe to run unattended — SES would send
//! (preflight), SES's events would reach the bounce handler (the configuration set's event
//! destination), and an alert would reach someone (the alert topic has a confirmed subscriber).
//! It sends no email and changes nothing. A failed check stops the deployment (CodeDeploy rolls
//! back) and on-call is told which; the hook's verdict always reaches CodeDeploy, which
//! otherwise waits an hour.

use async_trait::async_trait;
use morale::alert::{Alert, Alerter};
use morale::clock::Clock;
use morale::mail::Mailer;
use morale::preflight::{self, Readiness};
use morale::store::StateStore;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What CodeDeploy invokes a lifecycle hook with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HookEvent {
    pub deployment_id: String,
    pub lifecycle_event_hook_execution_id: String,
}

/// The rest of the stack the hook looks at, and CodeDeploy: an AWS adapter in `main.rs`, a
/// fake in the tests.
#[async_trait]
pub trait Stack: Send + Sync {
    /// The configuration set publishes every needed event to EventBridge: what, or what not.
    async fn event_destination(&self) -> Result<String, String>;
    /// The alert topic's subscribers: who would hear, or why nobody would.
    async fn subscribers(&self) -> Result<String, String>;
    /// Tells CodeDeploy the hook's verdict.
    async fn report(&self, hook: &HookEvent, succeeded: bool) -> Result<(), String>;
}

/// One check and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

pub struct DeployCheck {
    pub mailer: Arc<dyn Mailer>,
    pub store: Arc<dyn StateStore>,
    pub stack: Arc<dyn Stack>,
    pub alerter: Arc<dyn Alerter>,
    pub clock: Arc<dyn Clock>,
    pub identity: String,
}

impl DeployCheck {
    /// Runs every check, reports the verdict to CodeDeploy (which otherwise waits an hour), and
    /// tells on-call if a check failed or CodeDeploy could not be told. An error only if
    /// CodeDeploy could not be told (the invocation fails, and is retried).
    pub async fn handle(&self, hook: &HookEvent) -> Result<Vec<Check>, String> {
        let checks = self.checks().await;
        let failed: Vec<&Check> = checks.iter().filter(|c| !c.ok).collect();
        for c in &checks {
            tracing::info!(check = c.name, ok = c.ok, detail = %c.detail, "deploy check");
        }
        let reported = self.stack.report(hook, failed.is_empty()).await;
        if let Err(e) = &reported {
            let alert = Alert::new(
                "Morale: a deployment's pre-traffic check could not report to CodeDeploy",
                format!(
                    "Deployment {} waits for its pre-traffic check's verdict, which could not be sent: {e}. \
                     CodeDeploy retries the check; if it still cannot be told, the deployment fails after an \
                     hour. Look at the deployment in the CodeDeploy console.",
                    hook.deployment_id
                ),
            );
            let _ = self.alerter.alert(&alert).await;
        }
        if !failed.is_empty() {
            let lines: Vec<String> = failed.iter().map(|c| format!("- {}: {}", c.name, c.detail)).collect();
            let alert = Alert::new(
                "Morale: a deployment was stopped before any traffic reached it",
                format!(
                    "The pre-traffic check of deployment {} failed, so CodeDeploy rolls it back; the running \
                     version keeps sending. Fix what is below, then deploy again and run moralectl verify.\n\n{}",
                    hook.deployment_id,
                    lines.join("\n")
                ),
            );
            // A failed alert is logged and counted by the alerter (alarmed).
            let _ = self.alerter.alert(&alert).await;
        }
        reported?;
        Ok(checks)
    }

    async fn checks(&self) -> Vec<Check> {
        let preflight =
            match preflight::check(self.mailer.as_ref(), self.store.as_ref(), &self.identity, self.clock.now()).await {
                Readiness::Ready { max_send_rate } => Check {
                    name: "preflight",
                    ok: true,
                    detail: format!("SES can send as {} ({max_send_rate}/s)", self.identity),
                },
                Readiness::NotReady { problem, advice } => {
                    Check { name: "preflight", ok: false, detail: format!("{problem} — {advice}") }
                }
            };
        let check = |name, r: Result<String, String>| match r {
            Ok(detail) => Check { name, ok: true, detail },
            Err(detail) => Check { name, ok: false, detail },
        };
        vec![
            preflight,
            check("event destination", self.stack.event_destination().await),
            check("alert subscribers", self.stack.subscribers().await),
        ]
    }
}

/// The AWS side: SESv2, SNS and CodeDeploy.
pub struct AwsStack {
    pub ses: aws_sdk_sesv2::Client,
    pub sns: aws_sdk_sns::Client,
    pub codedeploy: aws_sdk_codedeploy::Client,
    pub configuration_set: String,
    pub topic_arn: String,
}

#[async_trait]
impl Stack for AwsStack {
    async fn event_destination(&self) -> Result<String, String> {
        preflight::event_destination(&self.ses, &self.configuration_set).await
    }

    async fn subscribers(&self) -> Result<String, String> {
        morale::alert::subscribers(&self.sns, &self.topic_arn).await.and_then(morale::alert::subscribers_text)
    }

    async fn report(&self, hook: &HookEvent, succeeded: bool) -> Result<(), String> {
        use aws_sdk_codedeploy::types::LifecycleEventStatus;
        self.codedeploy
            .put_lifecycle_event_hook_execution_status()
            .deployment_id(&hook.deployment_id)
            .lifecycle_event_hook_execution_id(&hook.lifecycle_event_hook_execution_id)
            .status(if succeeded { LifecycleEventStatus::Succeeded } else { LifecycleEventStatus::Failed })
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("CodeDeploy could not be told: {}", aws_sdk_codedeploy::error::DisplayErrorContext(e)))
    }
}
