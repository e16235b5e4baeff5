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
//! `answers` (fixing closed days' figures and forgetting who voted), `lease` (one invocation
//! at a time sends, at the account's rate), `continuation` (the sender starting its next
//! invocation when its deadline stops it with work left).

mod admin_mail;
mod alerts;
mod answers;
mod confirm;
pub mod continuation;
mod drain;
#[cfg(test)]
mod late_tests;
mod lease;
mod ledger;
pub mod pacer;
mod schedule;
mod send;

pub use continuation::Continuation;
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
    /// A drain's continuation, started by the drain its deadline stopped (see `continuation`):
    /// a tick that first waits for the sending lease its starter is giving back.
    Continue,
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
    /// Another invocation held the sending lease: it sends what is due.
    pub sending_elsewhere: bool,
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
    /// Starts the next invocation when this one's deadline stops it with emails left.
    pub continuation: Arc<dyn Continuation>,
}

/// At most this many due emails are read to count those held (an alert says "at least").
pub(crate) const HELD_SCAN: usize = 1_000;
/// Items scheduling may hand the drain ahead of it: two seconds at 1,000 a second, so that
/// the drain never waits while scheduling records a group's teams.
const HANDOFF_BUFFER: usize = 2_048;

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
            // A record that does not read may quote an address in its error.
            let e = morale::domain::mask_emails(&e.to_string());
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
        // Queued like every other email: whether and when it goes is the drain's to decide. A
        // report that cannot be queued stops neither the emails nor the housekeeping: the run
        // goes on, and fails (and tells) at its very end; the next tick tries again.
        let reports_failed = match self.queue_problem_reports(now).await {
            Ok(n) => {
                report.problem_reports_queued = n;
                None
            }
            Err(e) => Some(e),
        };
        let mut scheduled = Report::default();
        let mut sm = Metrics::new();
        if let Command::SendNow { team } = &command {
            // Queued before the lease is taken: the drain finds them due.
            self.send_now(team, now, &mut scheduled, &mut sm).await?;
        }
        let readiness = self.preflight().await;
        // Emails already due go first in a drain: scheduling hands over that many fewer.
        let backlog = match &readiness {
            Readiness::Ready { .. } => self.store.due_outbox(now, HELD_SCAN).await?.items.len(),
            Readiness::NotReady { .. } => 0,
        };
        let owner = format!("sender-{:016x}", morale::random::u64());
        let until = lease::until(self.clock.now(), deadline);
        let lease = match &readiness {
            // A continuation waits for the lease its starter is about to give back; a tick does
            // not (what it schedules is left to the holder, who drains what falls due).
            Readiness::Ready { .. } => self.take_lease(&owner, until, command == Command::Continue).await?,
            Readiness::NotReady { .. } => None,
        };
        let handoff = match (&lease, &readiness, &command) {
            (Some(lease), Readiness::Ready { max_send_rate }, Command::Tick | Command::Continue) => {
                let (tx, rx) = tokio::sync::mpsc::channel(HANDOFF_BUFFER);
                let cutoff = self.send_cutoff(deadline).saturating_duration_since(Instant::now());
                let handoff = schedule::Handoff {
                    tx,
                    owner: lease.owner.clone(),
                    rate: self.pace(*max_send_rate),
                    began: lease.start_at.unwrap_or(now).max(now),
                    send_by: now + SignedDuration::try_from(cutoff).unwrap_or_default(),
                    lease: self.config.lease,
                    handed: backlog,
                };
                Some((handoff, rx))
            }
            _ => None,
        };
        let (handoff, handed) = handoff.map_or((None, None), |(h, rx)| (Some(h), Some(rx)));
        // Scheduling and sending at once: the first email goes as soon as its item is written.
        let scheduling = async {
            match &command {
                Command::Tick | Command::Continue => {
                    let elsewhere = lease.is_none() && matches!(readiness, Readiness::Ready { .. });
                    self.schedule_due(now, deadline, handoff, elsewhere, &mut scheduled, &mut sm).await
                }
                Command::SendNow { .. } | Command::Drain => Ok(()),
            }
        };
        let sending = async {
            match (&readiness, &lease) {
                (Readiness::Ready { max_send_rate }, Some(lease)) => {
                    self.drain(*max_send_rate, deadline, lease, handed, &mut report, m).await.map(Some)
                }
                _ => Ok(None),
            }
        };
        let (scheduled_result, sent) = tokio::join!(scheduling, sending);
        report.teams_scheduled = scheduled.teams_scheduled;
        report.emails_scheduled = scheduled.emails_scheduled;
        report.sends_missed = scheduled.sends_missed;
        // Claims scheduling gave back when the drain had stopped.
        report.released += scheduled.released;
        m.merge(&sm);
        // Whatever failed, what must always happen happens first: the lease goes back (the
        // next holder must not wait for it to lapse), SES's refusal is told, what was sent is
        // counted for the reputation guard. Then the first error is the run's.
        let mut errors: Vec<SenderError> = Vec::new();
        if let Some(lease) = &lease {
            let next_send = sent.as_ref().ok().and_then(|s| s.flatten());
            if let Err(e) = self.give_back(lease, next_send).await {
                errors.push(e.into());
            }
        }
        let drained = match sent {
            Ok(s) => s.is_some(),
            Err(e) => {
                errors.push(e.into());
                false
            }
        };
        if let Err(e) = scheduled_result {
            errors.push(e.into());
        }
        if drained && errors.is_empty() && !report.stopped_for_deadline && report.circuit_opened.is_none() {
            if let Err(e) = self.drain_late_arrivals(deadline, &mut report, m).await {
                errors.push(e);
            }
        }
        if let Some(reason) = report.circuit_opened.clone() {
            if let Err(e) = self.tell_refusal(&reason).await {
                errors.push(e.into());
            }
        }
        if drained || report.sent > 0 {
            let counts = reputation::Counts { sent: report.sent, ..Default::default() };
            if let Err(e) = reputation::add(self.store.as_ref(), self.clock.now(), counts).await {
                errors.push(e.into());
            }
        }
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        match readiness {
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
            Readiness::Ready { .. } if lease.is_none() => {
                report.preflight = "ok".into();
                report.sending_elsewhere = true;
                report.held = self.held(self.clock.now()).await?.0;
            }
            Readiness::Ready { .. } => {
                report.preflight = "ok".into();
                let now = self.clock.now();
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
        match reports_failed {
            Some(e) => Err(e.into()),
            None => Ok(report),
        }
    }

    /// An invocation that found the lease held may have scheduled emails just as this one gave
    /// it back, and left them to it: looked for once more, and sent under the lease again.
    async fn drain_late_arrivals(
        &self,
        deadline: Instant,
        report: &mut Report,
        m: &mut Metrics,
    ) -> Result<(), SenderError> {
        let now = self.clock.now();
        if self.out_of_time(deadline) || self.store.due_outbox(now, 1).await?.items.is_empty() {
            return Ok(());
        }
        let Readiness::Ready { max_send_rate } = self.preflight().await else { return Ok(()) };
        let owner = format!("sender-{:016x}", morale::random::u64());
        let until = lease::until(now, deadline);
        let Some(lease) = self.take_lease(&owner, until, false).await? else { return Ok(()) };
        // Counted into the run's report whatever fails: what was sent must reach the reputation
        // guard.
        let sent = self.drain(max_send_rate, deadline, &lease, None, report, m).await;
        let given = self.give_back(&lease, sent.as_ref().ok().and_then(|s| *s)).await;
        sent?;
        Ok(given?)
    }

    /// SES refused to send: on-call is told (once per incident), with what is held.
    async fn tell_refusal(&self, reason: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        let (held, teams, _) = self.held(now).await?;
        let message = format!(
            "SES refused to send: {reason}. Sending stopped at once; every email not sent is kept. \
             Check the sending identity and the account in the SES console (moralectl preflight).\n\n{}",
            held_text(held, teams)
        );
        self.on_failure(&format!("SES refused to send: {reason}"), &message, now).await
    }

    /// SESv2 GetAccount and GetEmailIdentity, and the reputation guard's pause.
    pub async fn preflight(&self) -> Readiness {
        preflight::check(self.mailer.as_ref(), self.store.as_ref(), &self.config.identity, self.clock.now()).await
    }

    /// Emails due now and not sent: how many, for how many teams, and the oldest's age.
    async fn held(&self, now: Timestamp) -> Result<(u64, usize, Duration), StoreError> {
        // A bounded read: counting every held email of a large backlog would cost a read of
        // each, twice a tick.
        let due = self.store.due_outbox(now, HELD_SCAN).await?.items;
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
        let (more, plus) = if held >= HELD_SCAN as u64 { ("at least ", "at least ") } else { ("", "") };
        format!(
            "{more}{held} email(s) for {plus}{teams} team(s) are held and go out automatically as soon as the check \
             passes."
        )
    }
}

/// The Lambda context's deadline (milliseconds since the epoch) as an `Instant`.
pub fn deadline_from_epoch_ms(deadline_ms: u64) -> Instant {
    let now_ms = Timestamp::now().as_millisecond();
    let left = (deadline_ms as i64 - now_ms).max(0) as u64;
    Instant::now() + Duration::from_millis(left)
}
