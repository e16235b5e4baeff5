//! SES as the sender meets it: a quota per second, latency, throttling, 5xx, emails accepted
//! whose answer is lost or late, outages (the identity revoked, the account paused, access
//! denied) — and, for every accepted email, the events SES publishes, which EventBridge may
//! drop, repeat, reorder or hold back for hours.

use crate::dice::Dice;
use crate::log::{Acceptance, Log};
use crate::plan::{EventFaults, Mailboxes, OutageKind, Plan, SesFaults};
use async_trait::async_trait;
use jiff::Timestamp;
use morale::clock::Clock;
use morale::domain::OutboxKey;
use morale::mail::{
    AccountStatus, IdentityStatus, Insight, Mailer, MailerError, OutgoingEmail, SEND_ATTEMPT_TIMEOUT, SendError,
    SendErrorKind, classify,
};
use serde_json::{Value, json};
use ses_local::events::{ACCOUNT_ID, REGION, events_for};
use ses_local::state::{Outcome, StoredMessage};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

/// What SES hands on to the world.
pub enum Arrival {
    /// An event on its way to the bounce handler, due after the delay.
    Event(Duration, Value),
    /// A daily email in its recipient's mailbox: its item and its text, links and all.
    Mail(OutboxKey, String),
}

/// The error codes simulated SES refuses sends with: none of them is about the email itself.
pub const REFUSALS: [&str; 5] = [
    "MessageRejected",
    "SendingPausedException",
    "AccessDeniedException",
    "InternalFailure",
    "TooManyRequestsException",
];

/// Mailboxes whose address starts with this do not exist.
pub const UNKNOWN_MAILBOX: &str = "nobody";

pub struct SimSes {
    pub identity: String,
    faults: SesFaults,
    mailboxes: Mailboxes,
    event_faults: EventFaults,
    dice: Arc<Dice>,
    log: Arc<Log>,
    clock: Arc<dyn Clock>,
    started: Instant,
    events: UnboundedSender<Arrival>,
    /// When the most recent sends were accepted, for the per-second quota.
    recent: Mutex<VecDeque<Instant>>,
    next_id: Mutex<u64>,
}

fn error(code: &str, status: u16, message: &str) -> SendError {
    SendError::new(classify(Some(code), Some(status)), code, message)
}

impl SimSes {
    /// SES as the run's plan has it (its faults, the mailboxes behind it, what becomes of its
    /// events), its events sent to `events`.
    pub fn new(
        identity: &str,
        plan: &Plan,
        dice: Arc<Dice>,
        log: Arc<Log>,
        clock: Arc<dyn Clock>,
        events: UnboundedSender<Arrival>,
    ) -> Self {
        Self {
            identity: identity.into(),
            faults: plan.ses.clone(),
            mailboxes: plan.mailboxes.clone(),
            event_faults: plan.events.clone(),
            dice,
            log,
            clock,
            started: Instant::now(),
            events,
            recent: Mutex::default(),
            next_id: Mutex::new(0),
        }
    }

    fn outage(&self) -> Option<OutageKind> {
        let t = Instant::now() - self.started;
        self.faults.outages.iter().find(|o| o.from <= t && t < o.to).map(|o| o.kind)
    }

    async fn travel(&self) {
        let max = self.faults.latency.as_millis() as u64;
        tokio::time::sleep(self.dice.millis(max / 4, max)).await;
    }

    /// The quota: no more than MaxSendRate acceptances within a second.
    fn over_quota(&self) -> bool {
        let now = Instant::now();
        let mut recent = self.recent.lock().expect("lock");
        while recent.front().is_some_and(|t| now - *t >= Duration::from_secs(1)) {
            recent.pop_front();
        }
        if recent.len() as f64 >= self.faults.max_send_rate.floor().max(1.0) {
            return true;
        }
        recent.push_back(now);
        false
    }

    fn accept(&self, email: &OutgoingEmail) -> String {
        let message_id = {
            let mut n = self.next_id.lock().expect("lock");
            *n += 1;
            format!("0100019{:09}-sim-000000", *n)
        };
        let now = self.clock.now();
        let outcome = if email.to.as_str().starts_with(UNKNOWN_MAILBOX) {
            Outcome::PermanentBounce
        } else if self.dice.chance(self.mailboxes.transient_bounce) {
            Outcome::TransientBounce
        } else if self.dice.chance(self.mailboxes.delayed) {
            if self.dice.chance(0.5) { Outcome::DelayThenDelivery } else { Outcome::DelayThenBounce }
        } else if self.dice.chance(self.mailboxes.complaint) {
            Outcome::Complaint
        } else {
            Outcome::Delivery
        };
        let reached = matches!(outcome, Outcome::Delivery | Outcome::Complaint | Outcome::DelayThenDelivery);
        let tags: HashMap<String, Vec<String>> = email.tags.iter().map(|(k, v)| (k.clone(), vec![v.clone()])).collect();
        let key = morale::tags::read(&tags).map(|c| OutboxKey { team: c.team, date: c.date, member: c.member });
        if let (true, Some(key)) = (reached && email.text.contains("/r/"), &key) {
            let _ = self.events.send(Arrival::Mail(key.clone(), email.text.clone()));
        }
        self.log.with(|l| {
            l.acceptances.push(Acceptance {
                key,
                message_id: message_id.clone(),
                to: email.to.clone(),
                at: now,
                reached,
                recorded: false,
                ambiguous: false,
            })
        });
        self.publish(email, &message_id, outcome, now);
        message_id
    }

    /// The events of one accepted email, each on its own way to the bounce handler.
    fn publish(&self, email: &OutgoingEmail, message_id: &str, outcome: Outcome, now: Timestamp) {
        let msg = stored(email, message_id, &self.identity, now);
        let f = &self.event_faults;
        let mut at = Duration::ZERO;
        for (i, e) in events_for(&msg, &self.identity, &[(email.to.to_string(), outcome)], now).into_iter().enumerate()
        {
            at += match (i, e.matching_type) {
                (0, _) => self.dice.millis(200, 2_000),
                (_, "DELIVERY_DELAY") => self.dice.millis(30_000, 300_000),
                // After a delay, SES keeps trying for a while before it settles.
                (_, _) if i > 1 => self.dice.millis(600_000, 3 * 3_600_000),
                _ => self.dice.millis(1_000, 30_000),
            };
            if self.dice.chance(f.dropped) {
                self.log.fault("event: dropped");
                continue;
            }
            let mut when = at;
            if self.dice.chance(f.late) {
                self.log.fault("event: hours late");
                when += self.dice.millis(3_600_000, 6 * 3_600_000);
            }
            let envelope = envelope(message_id, i, e, now);
            if self.dice.chance(f.duplicated) {
                self.log.fault("event: duplicated");
                let _ = self.events.send(Arrival::Event(when + self.dice.millis(0, 600_000), envelope.clone()));
            }
            let _ = self.events.send(Arrival::Event(when, envelope));
        }
    }
}

/// An accepted email as ses-local keeps it, for its events.
pub fn stored(email: &OutgoingEmail, message_id: &str, identity: &str, now: Timestamp) -> StoredMessage {
    StoredMessage {
        message_id: message_id.into(),
        timestamp: now.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        from: format!("Morale <noreply@{identity}>"),
        to: vec![email.to.to_string()],
        cc: vec![],
        bcc: vec![],
        reply_to: vec![],
        subject: email.subject.clone(),
        html: None,
        text: None,
        headers: email.headers.clone(),
        tags: email.tags.clone(),
        configuration_set: Some("morale".into()),
        list_management: None,
        raw: None,
    }
}

/// The `i`-th event of an email as EventBridge hands it to the bounce handler.
pub fn envelope(message_id: &str, i: usize, e: ses_local::events::SesEvent, now: Timestamp) -> serde_json::Value {
    json!({
        "version": "0",
        "id": format!("{message_id}-{i}"),
        "detail-type": e.detail_type,
        "source": "aws.ses",
        "account": ACCOUNT_ID,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "region": REGION,
        "resources": [],
        "detail": e.detail,
    })
}

#[async_trait]
impl Mailer for SimSes {
    async fn account(&self) -> Result<AccountStatus, MailerError> {
        self.travel().await;
        Ok(AccountStatus {
            sending_enabled: self.outage() != Some(OutageKind::AccountPaused),
            enforcement_status: "HEALTHY".into(),
            production_access: true,
            max_send_rate: self.faults.max_send_rate,
            max_24_hour_send: 1_000_000.0,
            sent_last_24_hours: 0.0,
            // The simulated account has no Virtual Deliverability Manager: lost events stay lost.
            vdm_enabled: false,
        })
    }

    async fn insights(&self, _message_id: &str) -> Result<Insight, MailerError> {
        self.travel().await;
        Err(MailerError { operation: "GetMessageInsights", message: "BadRequestException: VDM is not enabled".into() })
    }

    async fn identity(&self, name: &str) -> Result<IdentityStatus, MailerError> {
        self.travel().await;
        let revoked = self.outage() == Some(OutageKind::IdentityRevoked);
        Ok(IdentityStatus {
            name: name.into(),
            verified_for_sending: !revoked,
            verification_status: if revoked { "FAILED" } else { "SUCCESS" }.into(),
            dkim_status: if revoked { "FAILED" } else { "SUCCESS" }.into(),
            mail_from: None,
        })
    }

    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        let start = Instant::now();
        self.travel().await;
        let refused = match self.outage() {
            Some(OutageKind::IdentityRevoked) => Some(error(
                "MessageRejected",
                400,
                "Email address is not verified. The following identities failed the check in region US-EAST-1",
            )),
            Some(OutageKind::AccountPaused) => {
                Some(error("SendingPausedException", 400, "Sending is paused for this account"))
            }
            Some(OutageKind::AccessDenied) => Some(error(
                "AccessDeniedException",
                403,
                "User is not authorized to perform: ses:SendEmail on resource: identity",
            )),
            None if self.dice.chance(self.faults.server_error) => {
                Some(error("InternalFailure", 500, "An internal failure occurred"))
            }
            None if self.dice.chance(self.faults.throttle) || self.over_quota() => {
                Some(error("TooManyRequestsException", 429, "Maximum sending rate exceeded."))
            }
            None => None,
        };
        if let Some(e) = refused {
            self.log.fault("ses: refused");
            self.travel().await;
            return Err(e);
        }
        let message_id = self.accept(email);
        let unanswered = || {
            SendError::new(SendErrorKind::Unanswered, "TimeoutError", "the attempt timed out; SES may have accepted it")
        };
        if self.dice.chance(self.faults.answer_lost) {
            self.log.fault("ses: answer lost");
            self.log.ambiguous(&message_id);
            tokio::time::sleep_until(start + SEND_ATTEMPT_TIMEOUT).await;
            return Err(unanswered());
        }
        let answer_in = if self.dice.chance(self.faults.answer_late) {
            self.log.fault("ses: answer late");
            self.dice.millis(1_000, 60_000)
        } else {
            let max = self.faults.latency.as_millis() as u64;
            self.dice.millis(max / 4, max)
        };
        let give_up = start + SEND_ATTEMPT_TIMEOUT;
        if Instant::now() + answer_in > give_up {
            // The client stops waiting at its attempt timeout.
            tokio::time::sleep_until(give_up).await;
            self.log.ambiguous(&message_id);
            return Err(unanswered());
        }
        tokio::time::sleep(answer_in).await;
        Ok(message_id)
    }
}
