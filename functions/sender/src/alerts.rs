//! Telling on-call: when sending stops (preflight failed, SES refused), again at most every
//! `reminder_every` while it stays stopped, and once when it recovers.

use crate::Sender;
use jiff::Timestamp;
use morale::alert::Alert;
use morale::store::StoreError;
use morale::store::record::{self, Versioned};
use serde::{Deserialize, Serialize};

const PREFLIGHT_STATE: &str = "preflight";

#[derive(Debug, Default, Serialize, Deserialize)]
struct PreflightState {
    failing: bool,
    problem: String,
    since: Option<Timestamp>,
    last_alert_at: Option<Timestamp>,
}

impl Sender {
    /// Alerts when sending stops, then at most every `reminder_every` while it stays stopped.
    /// Overlapping invocations agree through a conditional write: one of them alerts.
    pub(crate) async fn on_failure(&self, problem: &str, message: &str, now: Timestamp) -> Result<(), StoreError> {
        let Versioned { value: state, version } = match record::read::<PreflightState>(
            self.store.as_ref(),
            PREFLIGHT_STATE,
        )
        .await
        {
            Ok(v) => v,
            Err(e) => {
                // Whether anyone was told already cannot be known: tell them rather than not.
                let note = format!(
                    "\n\nThe sender's alert bookkeeping cannot be read ({e}): this alert repeats every tick until it is."
                );
                self.alert(format!("Morale: sending stopped — {problem}"), format!("{message}{note}")).await;
                return Err(e);
            }
        };
        let (subject, next) = if !state.failing {
            (
                format!("Morale: sending stopped — {problem}"),
                PreflightState { failing: true, problem: problem.into(), since: Some(now), last_alert_at: Some(now) },
            )
        } else if state.last_alert_at.is_none_or(|t| now.duration_since(t) >= self.config.reminder_every) {
            (
                format!("Morale: sending still stopped — {problem}"),
                PreflightState { failing: true, problem: problem.into(), since: state.since, last_alert_at: Some(now) },
            )
        } else {
            return Ok(());
        };
        if record::write(self.store.as_ref(), PREFLIGHT_STATE, &next, version, now).await? {
            let since = next.since.map(|s| format!("\n\nStopped since {s}.")).unwrap_or_default();
            self.alert(subject, format!("{message}{since}")).await;
        }
        Ok(())
    }

    pub(crate) async fn on_recovery(&self, sent: u64, now: Timestamp) -> Result<(), StoreError> {
        let Versioned { value: state, version } =
            record::read::<PreflightState>(self.store.as_ref(), PREFLIGHT_STATE).await?;
        if !state.failing {
            return Ok(());
        }
        let next = PreflightState { failing: false, problem: String::new(), since: None, last_alert_at: Some(now) };
        if record::write(self.store.as_ref(), PREFLIGHT_STATE, &next, version, now).await? {
            let since = state.since.map(|s| format!(" (stopped since {s})")).unwrap_or_default();
            self.alert(
                "Morale: sending recovered",
                format!(
                    "SES accepts mail again{since}. The problem was: {}.\n{sent} held email(s) were sent in this run; \
                     any left go out on the next ticks.",
                    state.problem
                ),
            )
            .await;
        }
        Ok(())
    }

    /// Publishes an alert; a failure to publish is logged, never allowed to stop the run.
    pub(crate) async fn alert(&self, subject: impl Into<String>, message: impl Into<String>) {
        if let Err(e) = self.alerter.alert(&Alert::new(subject, message)).await {
            tracing::error!(error = %e, "an alert could not be published");
        }
    }
}
