//! The bounce handler: SES events (via the EventBridge rule on `source: aws.ses`) move outbox
//! items and members forward — delivered, deferred for a retry, failed, bounced, complained —
//! and tell people what they need to know.
//!
//! Events repeat and arrive out of order. Every change is a conditional transition that only
//! moves forward, and side effects (counts, digests, alerts) happen only when a transition
//! actually took place, so any order with duplicates ends in the same state.

use jiff::{SignedDuration, Timestamp};
use morale::alert::{Alert, Alerter};
use morale::clock::Clock;
use morale::domain::outbox::Change;
use morale::domain::{Failure, MemberStatus, OutboxItem, OutboxKey, OutboxKind, OutboxStatus};
use morale::metrics::{self, Metrics};
use morale::reputation::{self, Counts, Thresholds};
use morale::ses_event::{self, BounceType, Correlation, EventError, MailEvent, SesEvent};
use morale::store::{MemberStore, OutboxStore, ProblemReportStore, StateStore, StoreError};
use serde::Serialize;
use std::sync::Arc;

mod people;

/// How many days' reports a late line may be carried over to before an alert tells it.
const LATE_LINE_DAYS: usize = 7;

#[derive(Debug, Clone)]
pub struct BounceConfig {
    /// Attempts (SES acceptances) before a transiently bouncing email fails (default 3).
    pub max_attempts: u32,
    /// Retries stop this long after the email was first scheduled (default 6 hours), and
    /// never go past the team's local day.
    pub retry_window: SignedDuration,
    /// First retry delay; doubles with each attempt (default 15 minutes).
    pub retry_backoff: SignedDuration,
    /// Days in a row with a transient bounce that make a member bounced (default 3).
    pub soft_bounce_limit: u32,
    /// How long after the first permanent bounce the team's admins get their digest.
    pub digest_delay: SignedDuration,
    pub reputation: Thresholds,
}

impl Default for BounceConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            retry_window: SignedDuration::from_hours(6),
            retry_backoff: SignedDuration::from_mins(15),
            soft_bounce_limit: 3,
            digest_delay: SignedDuration::from_hours(1),
            reputation: Thresholds::default(),
        }
    }
}

/// What the bounce handler reads and changes: outbox items, members, the admins' digests and
/// the reputation state.
pub trait BounceStore: OutboxStore + MemberStore + ProblemReportStore + StateStore {}
impl<T: OutboxStore + MemberStore + ProblemReportStore + StateStore> BounceStore for T {}

pub struct BounceHandler {
    pub store: Arc<dyn BounceStore>,
    pub alerter: Arc<dyn Alerter>,
    pub clock: Arc<dyn Clock>,
    pub config: BounceConfig,
}

/// What one event led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Delivered,
    Deferred,
    Failed,
    MemberBounced,
    /// The email is settled as complained: it arrived, and its recipient marked it as spam.
    EmailComplained,
    MemberComplained,
    /// The email went to a team's admin, whose address bounced or complained: on-call is told.
    AdminAddress,
    RetriesExhausted,
    /// A repeat or a late event: nothing left to change.
    AlreadyApplied,
    /// Not mail Morale sent (no Morale tags).
    NotOurs,
    /// An event type Morale does not act on (Open, Click, …), or a Send event for an attempt
    /// already recorded.
    Noted,
    /// SES is still trying to deliver: nothing changes until its next event.
    Delayed,
    /// SES's Send event for an attempt the sender could not record (SES's answer was lost or
    /// late): the item is sent, and will not be sent again.
    Accepted,
}

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The event cannot be read: the invocation fails, Lambda retries it and then hands it to
    /// the on-failure destination, where a human looks at it.
    #[error("unparseable SES event: {0}")]
    Unparseable(#[from] EventError),
    /// The table could not be reached or answered oddly: retrying may well succeed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BounceHandler {
    /// Handles one event as the Lambda runtime delivers it.
    pub async fn handle(&self, payload: serde_json::Value) -> Result<Vec<Outcome>, HandlerError> {
        let mut m = Metrics::new();
        let result = match ses_event::parse_value(payload) {
            Ok(event) => self.apply(&event, &mut m).await,
            Err(e) => {
                m.count(metrics::UNPARSEABLE_EVENTS, 1);
                let error = morale::domain::mask_emails(&e.to_string());
                tracing::error!(%error, "an SES event could not be parsed");
                Err(e.into())
            }
        };
        m.flush();
        result
    }

    /// Applies one parsed event.
    pub async fn apply(&self, e: &SesEvent, m: &mut Metrics) -> Result<Vec<Outcome>, HandlerError> {
        let now = self.clock.now();
        let Some(c) = &e.correlation else {
            m.count(metrics::IGNORED_EVENTS, 1);
            tracing::info!(message_id = %e.message_id, event = e.event.name(), "an event for mail Morale did not send");
            return Ok(vec![Outcome::NotOurs]);
        };
        let key = OutboxKey { team: c.team.clone(), date: c.date, member: c.member.clone() };
        let span = tracing::info_span!("ses_event", event = e.event.name(), %key, send = c.send);
        let _enter = span.enter();
        let out = match &e.event {
            MailEvent::Sent => {
                // Almost every Send event is for an attempt already recorded: a read decides,
                // so that the usual case costs no (failed, yet billed) conditional write.
                let accepted = Change::Accepted { message_id: &e.message_id, attempt: c.send };
                let unrecorded = self.store.get_outbox(&key).await?.is_some_and(|i| accepted.admits(&i, now));
                if unrecorded && self.store.change(&key, &accepted, now).await?.is_some() {
                    tracing::warn!("SES accepted an attempt the sender did not record: recorded as sent");
                    vec![Outcome::Accepted]
                } else {
                    vec![Outcome::Noted]
                }
            }
            MailEvent::Delivered => {
                // One write in the usual case; refused, perhaps for an attempt not yet recorded.
                let mut delivered = self.store.change(&key, &Change::Delivered, now).await?.is_some();
                let mut arrived = delivered;
                if !delivered && let Some(item) = self.record_unrecorded(e, c, &key, now).await? {
                    delivered = self.store.change(&key, &Change::Delivered, now).await?.is_some();
                    // Recorded before: a repeat, or the retry of a run that failed after
                    // recording it, whose member may still have soft bounces to forget.
                    arrived = delivered || item.status == OutboxStatus::Delivered;
                }
                if delivered {
                    m.count(metrics::EMAILS_DELIVERED, 1);
                }
                if arrived {
                    // Read first: almost every member has no soft bounce to forget, and a
                    // read costs a fifth of a write that changes nothing.
                    let member = self.store.get_member(&c.team, &c.member).await?;
                    if member.is_some_and(|m| m.soft_bounces > 0) {
                        self.ignore_missing(self.store.reset_soft_bounces(&c.team, &c.member, now).await)?;
                    }
                }
                vec![if delivered { Outcome::Delivered } else { Outcome::AlreadyApplied }]
            }
            MailEvent::Bounced { kind: BounceType::Permanent, sub_type, detail } => {
                let reason = Failure::Bounced.reason(format!("({sub_type}): {detail}"));
                let mut out = Vec::new();
                let fail = Change::Fail { reason: &reason, message_id: &e.message_id, attempt: c.send };
                let item = self.store.get_outbox(&key).await?;
                // An admin's address: told, then recorded (a run that fails between tells twice
                // rather than never: the retry finds the email failed).
                let admins = item.as_ref().filter(|i| i.kind != OutboxKind::Daily);
                let tell = admins.filter(|i| fail.admits(i, now));
                if let Some(i) = tell {
                    self.tell_admin_address(i, "bounced", &reason).await;
                }
                if self.store.change(&key, &fail, now).await?.is_some() {
                    m.count(metrics::EMAILS_BOUNCED, 1);
                    reputation::add(self.store.as_ref(), now, Counts { bounced: 1, ..Default::default() }).await?;
                    out.push(Outcome::Failed);
                    if tell.is_some() {
                        out.push(Outcome::AdminAddress);
                    }
                }
                if admins.is_none() && self.suppress(c, MemberStatus::Bounced, &reason, now).await? {
                    out.push(Outcome::MemberBounced);
                }
                self.guard(now, m).await?;
                if out.is_empty() { vec![Outcome::AlreadyApplied] } else { out }
            }
            MailEvent::Bounced { kind, sub_type, detail } => {
                let reason = format!("{} bounce ({sub_type}): {detail}", kind.as_str().to_lowercase());
                self.soft(e, c, &key, &reason, now, m).await?
            }
            MailEvent::Delayed { delay_type, expires, detail } => {
                // SES still holds the email and keeps trying until `expires`; its next event
                // settles it (a delivery, or a bounce when it gives up, which may be retried).
                // Sending again meanwhile could put a second copy in the mailbox, and so could
                // a retry planned here whose delivery event is lost.
                m.count(metrics::EMAILS_DELAYED, 1);
                // SES's diagnostic codes quote the recipient's address.
                let detail = morale::domain::mask_emails(detail);
                tracing::info!(%delay_type, ?expires, %detail, "delivery delayed: SES keeps trying");
                // Its events are awaited until SES gives up, not called unconfirmed before.
                self.record_unrecorded(e, c, &key, now).await?;
                let until = expires.unwrap_or(now);
                self.store.change(&key, &Change::Delayed { message_id: &e.message_id, until }, now).await?;
                vec![Outcome::Delayed]
            }
            MailEvent::Complained { feedback_type } => {
                let reason = format!("complaint ({feedback_type})");
                // The email arrived: it is settled as complained (the day's ledger counts it),
                // after recording the attempt if the sender could not.
                // Complaints are rare: the attempt is recorded first whatever the order of events.
                let complained = Change::Complained { reason: &reason };
                let mut out = Vec::new();
                let item = self.record_unrecorded(e, c, &key, now).await?;
                // An admin's address: told, then recorded, as a bounce.
                let admins = item.as_ref().filter(|i| i.kind != OutboxKind::Daily);
                let tell = admins.filter(|i| complained.admits(i, now));
                if let Some(i) = tell {
                    self.tell_admin_address(i, "complained", &reason).await;
                }
                let settled = self.store.change(&key, &complained, now).await?.is_some();
                // Counted once per email, as SES counts complaints, whoever complained.
                if settled {
                    out.push(Outcome::EmailComplained);
                    self.count_complaint(now, m).await?;
                    if tell.is_some() {
                        out.push(Outcome::AdminAddress);
                    }
                }
                if admins.is_none() {
                    let suppressed = self.suppress(c, MemberStatus::Complained, &reason, now).await?;
                    if suppressed {
                        out.push(Outcome::MemberComplained);
                        // An email the outbox could not settle (gone from it days later, or
                        // already failed): counted once per member, as it suppresses them.
                        if !settled {
                            self.count_complaint(now, m).await?;
                        }
                    }
                }
                if out.is_empty() { vec![Outcome::AlreadyApplied] } else { out }
            }
            MailEvent::Rejected { reason } | MailEvent::RenderingFailed { message: reason } => {
                let what = if matches!(e.event, MailEvent::Rejected { .. }) { "rejected" } else { "rendering failed" };
                let reason = Failure::Rejected.reason(format!("({what}): {reason}"));
                let fail = Change::Fail { reason: &reason, message_id: &e.message_id, attempt: c.send };
                if !self.admits(&key, &fail, now).await? {
                    return Ok(vec![Outcome::AlreadyApplied]);
                }
                // Told, then recorded: a crash between the two tells twice rather than never.
                self.alert(
                    format!("Morale: an email was {what} by SES"),
                    format!(
                        "SES accepted the email for {key} and then did not deliver it: {reason}.\n\
                         This is a content or code problem, not the recipient's: look at the sender's recent changes. \
                         The email is recorded as failed (moralectl outbox --failed) and can be replayed once fixed (moralectl replay)."
                    ),
                )
                .await;
                if self.store.change(&key, &fail, now).await?.is_some() {
                    m.count(metrics::EMAILS_FAILED, 1);
                    vec![Outcome::Failed]
                } else {
                    vec![Outcome::AlreadyApplied]
                }
            }
            MailEvent::Other { event_type } => {
                m.count(metrics::IGNORED_EVENTS, 1);
                tracing::info!(%event_type, "an SES event type Morale does not act on");
                vec![Outcome::Noted]
            }
        };
        tracing::info!(outcome = ?out, "SES event handled");
        Ok(out)
    }

    /// Transient bounces: retry the email later (the sender re-sends deferred items), unless
    /// its attempts or time are used up.
    async fn soft(
        &self,
        e: &SesEvent,
        c: &Correlation,
        key: &OutboxKey,
        reason: &str,
        now: Timestamp,
        m: &mut Metrics,
    ) -> Result<Vec<Outcome>, HandlerError> {
        let Some(item) = self.record_unrecorded(e, c, key, now).await? else { return Ok(vec![Outcome::NotOurs]) };
        // Only what the lifecycle lets be deferred now (the latest attempt, still sent) is
        // retried or given up on; anything else is late or repeated news.
        if !(Change::Defer { message_id: &e.message_id, retry_at: now, reason }).admits(&item, now) {
            return Ok(vec![Outcome::AlreadyApplied]);
        }
        let backoff = self.config.retry_backoff * (1i32 << item.attempts.saturating_sub(1).min(10));
        let retry_at = now + backoff;
        let last_chance = item.deadline.min(item.created_at + self.config.retry_window);
        let mut out = Vec::new();
        if item.attempts >= self.config.max_attempts || retry_at >= last_chance {
            let why = Failure::RetriesExhausted.reason(format!("after {} attempt(s); last: {reason}", item.attempts));
            // Told, then recorded: a crash between the two tells twice rather than never.
            self.alert(
                format!("Morale: an email could not be delivered after {} attempt(s)", item.attempts),
                format!(
                    "The email for {key} bounced transiently every time and is now recorded as failed: {why}.\n\
                     The member stays active; tomorrow's email goes out as usual."
                ),
            )
            .await;
            let fail = Change::Fail { reason: &why, message_id: &e.message_id, attempt: c.send };
            if self.store.change(key, &fail, now).await?.is_some() {
                m.count(metrics::RETRIES_EXHAUSTED, 1);
                m.count(metrics::EMAILS_FAILED, 1);
                out.push(Outcome::RetriesExhausted);
            }
        } else {
            let defer = Change::Defer { message_id: &e.message_id, retry_at, reason };
            if self.store.change(key, &defer, now).await?.is_some() {
                m.count(metrics::EMAILS_DEFERRED, 1);
                out.push(Outcome::Deferred);
            }
        }
        // Counted once per email (at its first attempt's bounce): "in a row" means days in a
        // row, so that one bad hour's retries do not make a member bounced.
        if !out.is_empty() && item.attempts <= 1 {
            let n = match self.store.add_soft_bounce(&c.team, &c.member, now).await {
                Ok(n) => n,
                Err(StoreError::NotFound(_)) => 0,
                Err(e) => return Err(e.into()),
            };
            if n >= self.config.soft_bounce_limit
                && self.suppress(c, MemberStatus::Bounced, &format!("{n} transient bounces in a row"), now).await?
            {
                out.push(Outcome::MemberBounced);
            }
        }
        Ok(if out.is_empty() { vec![Outcome::AlreadyApplied] } else { out })
    }

    /// The item, after recording the event's attempt if the sender had not (its answer lost or
    /// late, the sender stopped, the Send event lost): an event about it must not be refused
    /// for that, or a delivery, delay or bounce is consumed and the email sent again or left
    /// `sent`. `None` if there is no such item.
    async fn record_unrecorded(
        &self,
        e: &SesEvent,
        c: &Correlation,
        key: &OutboxKey,
        now: Timestamp,
    ) -> Result<Option<OutboxItem>, HandlerError> {
        let Some(item) = self.store.get_outbox(key).await? else { return Ok(None) };
        let accepted = Change::Accepted { message_id: &e.message_id, attempt: c.send };
        if accepted.admits(&item, now) {
            if let Some(recorded) = self.store.change(key, &accepted, now).await? {
                tracing::warn!(
                    event = e.event.name(),
                    "an event for an attempt the sender had not recorded: recorded as sent first"
                );
                return Ok(Some(recorded));
            }
        }
        Ok(Some(item))
    }

    /// Whether the lifecycle admits `change` for the item as it is now.
    async fn admits(&self, key: &OutboxKey, change: &Change<'_>, now: Timestamp) -> Result<bool, HandlerError> {
        Ok(self.store.get_outbox(key).await?.is_some_and(|i| change.admits(&i, now)))
    }

    async fn count_complaint(&self, now: Timestamp, m: &mut Metrics) -> Result<(), HandlerError> {
        m.count(metrics::EMAILS_COMPLAINED, 1);
        reputation::add(self.store.as_ref(), now, Counts { complained: 1, ..Default::default() }).await?;
        self.guard(now, m).await
    }

    /// After a bounce or complaint: pause sending if the reputation thresholds are passed.
    async fn guard(&self, now: Timestamp, m: &mut Metrics) -> Result<(), HandlerError> {
        if let Some(p) = reputation::evaluate(self.store.as_ref(), now, &self.config.reputation).await? {
            m.count(metrics::SENDING_PAUSED, 1);
            self.alert(
                "Morale: sending paused to protect the account's reputation",
                format!(
                    "The reputation guard paused all sending: {}.\n\
                     Nothing is lost: emails stay in the outbox and go out when sending resumes. \
                     Look at the bounced and complaining addresses (moralectl suppressions list), fix the member lists, \
                     then lift the pause (moralectl pause lift). It lifts itself at {}.",
                    p.reason,
                    p.until.map(|u| u.to_string()).unwrap_or_else(|| "never".into())
                ),
            )
            .await;
        }
        Ok(())
    }

    async fn alert(&self, subject: impl Into<String>, message: impl Into<String>) {
        if let Err(e) = self.alerter.alert(&Alert::new(subject, message)).await {
            tracing::error!(error = %e, "an alert could not be published");
        }
    }

    fn ignore_missing(&self, r: Result<(), StoreError>) -> Result<(), HandlerError> {
        match r {
            Ok(()) | Err(StoreError::NotFound(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
