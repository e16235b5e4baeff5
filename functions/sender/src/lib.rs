//! The sender: on every tick, check that SES can send (preflight), turn due teams into outbox
//! items (one per active member and local date), and drain the outbox at the account's rate.
//!
//! Nothing is ever dropped: an email that cannot go out now stays in the outbox (pending or
//! deferred) and is retried on a later tick; one that can never go out ends `failed` with its
//! reason, and a human is told.

//!
//! One room per concern: `schedule` (due teams into outbox items), `drain` (the outbox at the
//! account's rate), `send` (one email: claim, check, pace, send, record), `admin_mail` (the
//! admins' emails), `alerts` (telling on-call when sending stops and recovers), `confirm` (sent
//! emails SES never reported on), `ledger` (closing the days' ledgers),
//! `answers` (fixing closed days' figures and forgetting who voted).

mod admin_mail;
mod alerts;
mod answers;
mod confirm;
mod drain;
mod ledger;
pub mod pacer;
mod schedule;
mod send;

use jiff::{SignedDuration, Timestamp};
use morale::alert::Alerter;
use morale::clock::Clock;
use morale::config::SenderConfig;
use morale::domain::TeamId;
use morale::email::EmailRenderer;
use morale::mail::Mailer;
use morale::metrics::{self, Metrics, Unit};
use morale::preflight::{self, Readiness};
use morale::reputation;
use morale::store::StoreError;
use morale::store::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// What an invocation asks for. EventBridge Scheduler sends `{"action": "tick"}`; operators
/// may send the others (`aws lambda invoke`, `moralectl`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Command {
    /// Preflight, schedule due teams, drain.
    Tick,
    /// Preflight and drain only.
    Drain,
    /// Queue today's email for one team now (members who already have it are skipped), then
    /// drain.
    SendNow { team: TeamId },
}

/// What an invocation did: returned to the caller and logged.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// `ok`, or what stopped sending.
    pub preflight: String,
    pub teams_scheduled: u64,
    pub emails_scheduled: u64,
    pub sends_missed: u64,
    pub sent: u64,
    pub failed: u64,
    pub suppressed: u64,
    pub released: u64,
    pub throttled: u64,
    pub transient_errors: u64,
    /// Sends SES may have accepted without saying so (no answer): not retried at once.
    pub unanswered: u64,
    pub circuit_opened: Option<String>,
    pub stopped_for_deadline: bool,
    /// Emails due but not sent when the invocation ended.
    pub held: u64,
    /// Admins' reports of delivery problems queued to the outbox (one email per admin).
    pub problem_reports_queued: u64,
    /// Sent emails with no SES event past their window, marked unconfirmed.
    pub unconfirmed: u64,
    /// Emails of the days whose ledger closed in this run with no explained end (must be 0).
    pub unaccounted: u64,
    pub achieved_send_rate: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SenderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("there is no team {0}")]
    UnknownTeam(TeamId),
}

/// Everything the sender works with, created once per process.
pub struct Sender {
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub alerter: Arc<dyn Alerter>,
    pub clock: Arc<dyn Clock>,
    pub renderer: EmailRenderer,
    pub config: SenderConfig,
}

/// Workdays in a row with a team mean of 2.0 or less that make the admins' low-morale alert.
pub(crate) const LOW_STREAK: usize = 3;
/// Throttling and 5xx are retried inline this many times before the email is released for a
/// later tick.
pub(crate) const INLINE_RETRIES: u32 = 4;
pub(crate) const RETRY_BASE: Duration = Duration::from_millis(100);
pub(crate) const RETRY_CAP: Duration = Duration::from_secs(5);
/// A released email is due again this much later.
pub(crate) const RETRY_LATER: SignedDuration = SignedDuration::from_mins(1);
/// An email SES did not answer for is tried again only this much later: time for SES's Send
/// event (seconds, normally) to record it as sent if SES did accept it.
pub(crate) const UNANSWERED_WAIT: SignedDuration = SignedDuration::from_mins(15);
/// What reconciliation and closing the days may take after the drain (asking SES's VDM about
/// up to ten emails at one a second, each answer bounded).
pub(crate) const RECONCILE_TIME: Duration = Duration::from_secs(60);

impl Sender {
    /// Handles one invocation. `deadline` is when the Lambda invocation ends.
    ///
    /// A run that fails on the store still tells a human in the same tick: an alert published
    /// without the store (which may be what failed, so it cannot be deduplicated: one per
    /// failed run), its metrics flushed, and the invocation's error for the Errors alarm.
    pub async fn handle(&self, command: Command, deadline: Instant) -> Result<Report, SenderError> {
        let mut m = Metrics::new();
        let result = self.run(command, deadline, &mut m).await;
        if let Err(SenderError::Store(e)) = &result {
            tracing::error!(error = %e, "the sender's run failed on the store");
            let message = format!(
                "A sender run stopped: the table could not be read or written ({e}).\n\nEmails of this run that \
                 were not sent stay in the outbox and go out on a later tick once the table answers; nothing \
                 is marked sent that SES did not accept. If this repeats, check DynamoDB's health and the \
                 sender's logs."
            );
            self.alert("Morale: a sender run failed", message).await;
        }
        m.flush();
        result
    }

    async fn run(&self, command: Command, deadline: Instant, m: &mut Metrics) -> Result<Report, SenderError> {
        let mut report = Report::default();
        let now = self.clock.now();
        match &command {
            Command::Tick => self.schedule_due(now, &mut report, m).await?,
            Command::SendNow { team } => self.send_now(team, now, &mut report, m).await?,
            Command::Drain => {}
        }
        // Queued like every other email: whether and when it goes is the drain's to decide.
        report.problem_reports_queued = self.queue_problem_reports(now).await?;
        match self.preflight().await {
            Readiness::NotReady { problem, advice } => {
                report.preflight = problem.clone();
                let (held, teams, _) = self.held(now).await?;
                report.held = held;
                m.count(metrics::PREFLIGHT_FAILED, 1);
                m.gauge(metrics::HELD_EMAILS, held as f64, Unit::Count);
                tracing::warn!(%problem, held, "preflight failed: nothing is sent this tick");
                let message = format!("{problem} — {advice}\n\n{}", held_text(held, teams));
                self.on_failure(&problem, &message, now).await?;
            }
            Readiness::Ready { max_send_rate } => {
                report.preflight = "ok".into();
                m.count(metrics::PREFLIGHT_FAILED, 0);
                self.drain(max_send_rate, deadline, &mut report, m).await?;
                let now = self.clock.now();
                reputation::add(
                    self.store.as_ref(),
                    now,
                    reputation::Counts { sent: report.sent, ..Default::default() },
                )
                .await?;
                let (held, _, oldest) = self.held(now).await?;
                report.held = held;
                m.gauge(metrics::HELD_EMAILS, held as f64, Unit::Count);
                m.gauge(metrics::OUTBOX_OLDEST_PENDING_AGE, oldest.as_secs_f64().max(0.0), Unit::Seconds);
                if report.circuit_opened.is_none() {
                    self.on_recovery(report.sent, now).await?;
                }
            }
        }
        // After sending: housekeeping that fails must not stop the tick's emails.
        let now = self.clock.now();
        // Asking SES about lost events takes up to half a minute: not near the deadline.
        let pressed =
            report.stopped_for_deadline || deadline.saturating_duration_since(Instant::now()) < RECONCILE_TIME;
        report.unconfirmed = self.reconcile(now, pressed, m).await?;
        // Out of time, or more to reconcile than one run takes: the days' ledgers wait.
        let behind = report.stopped_for_deadline || report.unconfirmed >= confirm::BATCH as u64;
        report.unaccounted = self.close_days(now, behind, m).await?;
        tracing::info!(report = ?report, "sender invocation done");
        Ok(report)
    }

    /// SESv2 GetAccount and GetEmailIdentity, and the reputation guard's pause.
    pub async fn preflight(&self) -> Readiness {
        preflight::check(self.mailer.as_ref(), self.store.as_ref(), &self.config.identity, self.clock.now()).await
    }

    /// Emails due now and not sent: how many, for how many teams, and the oldest's age.
    async fn held(&self, now: Timestamp) -> Result<(u64, usize, Duration), StoreError> {
        let due = self.store.due_outbox(now, 100_000).await?.items;
        let teams: HashSet<&TeamId> = due.iter().map(|i| &i.key.team).collect();
        let oldest = due
            .iter()
            .map(|i| i.due_at)
            .min()
            .map(|d| Duration::try_from(now.duration_since(d)).unwrap_or_default())
            .unwrap_or_default();
        Ok((due.len() as u64, teams.len(), oldest))
    }
}

fn held_text(held: u64, teams: usize) -> String {
    if held == 0 {
        "No email is due yet. Nothing will be sent until the check passes; emails that fall due meanwhile are kept."
            .into()
    } else {
        format!("{held} email(s) for {teams} team(s) are held and go out automatically as soon as the check passes.")
    }
}

/// The Lambda context's deadline (milliseconds since the epoch) as an `Instant`.
pub fn deadline_from_epoch_ms(deadline_ms: u64) -> Instant {
    let now_ms = Timestamp::now().as_millisecond();
    let left = (deadline_ms as i64 - now_ms).max(0) as u64;
    Instant::now() + Duration::from_millis(left)
}
