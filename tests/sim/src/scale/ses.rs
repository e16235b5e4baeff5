//! SES at an account's MaxSendRate: a fixed latency, a request over the quota within one
//! second refused as throttled, every acceptance timed and checked for a second copy, and each
//! accepted email's Send and Delivery events handed to the bounce handler.

use async_trait::async_trait;
use jiff::Timestamp;
use morale::clock::Clock;
use morale::domain::{OutboxKey, TeamId};
use morale::mail::{
    AccountStatus, IdentityStatus, Insight, Mailer, MailerError, OutgoingEmail, SendError, SendErrorKind,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

pub struct ScaleSes {
    pub max_send_rate: f64,
    latency: Duration,
    clock: Arc<dyn Clock>,
    events: mpsc::UnboundedSender<Value>,
    pub seen: Mutex<Seen>,
}

#[derive(Default)]
pub struct Seen {
    /// Acceptances within the last second (SES's view of the quota).
    recent: VecDeque<Instant>,
    keys: HashSet<OutboxKey>,
    pub accepted: u64,
    pub throttled: u64,
    pub duplicates: u64,
    /// Per team: its first and last acceptance.
    pub teams: HashMap<TeamId, (Timestamp, Timestamp)>,
    next_id: u64,
}

impl ScaleSes {
    pub fn new(
        max_send_rate: f64,
        latency: Duration,
        clock: Arc<dyn Clock>,
        events: mpsc::UnboundedSender<Value>,
    ) -> Self {
        Self { max_send_rate, latency, clock, events, seen: Mutex::default() }
    }
}

#[async_trait]
impl Mailer for ScaleSes {
    async fn account(&self) -> Result<AccountStatus, MailerError> {
        tokio::time::sleep(self.latency).await;
        Ok(AccountStatus {
            sending_enabled: true,
            enforcement_status: "HEALTHY".into(),
            production_access: true,
            max_send_rate: self.max_send_rate,
            max_24_hour_send: 2_000_000.0,
            sent_last_24_hours: 0.0,
            vdm_enabled: false,
        })
    }

    async fn identity(&self, name: &str) -> Result<IdentityStatus, MailerError> {
        tokio::time::sleep(self.latency).await;
        Ok(IdentityStatus {
            name: name.into(),
            verified_for_sending: true,
            verification_status: "SUCCESS".into(),
            dkim_status: "SUCCESS".into(),
            mail_from: None,
        })
    }

    async fn insights(&self, _message_id: &str) -> Result<Insight, MailerError> {
        Err(MailerError { operation: "GetMessageInsights", message: "VDM is not enabled".into() })
    }

    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        // SES counts a request when it arrives: halfway.
        tokio::time::sleep(self.latency / 2).await;
        let tags: HashMap<String, Vec<String>> = email.tags.iter().map(|(k, v)| (k.clone(), vec![v.clone()])).collect();
        let c = morale::tags::read(&tags).expect("the sender tags every email");
        let key = OutboxKey { team: c.team.clone(), date: c.date, member: c.member };
        let accepted = {
            let mut s = self.seen.lock().expect("lock");
            let now = Instant::now();
            while s.recent.front().is_some_and(|t| now - *t >= Duration::from_secs(1)) {
                s.recent.pop_front();
            }
            if s.recent.len() as f64 >= self.max_send_rate.floor().max(1.0) {
                s.throttled += 1;
                None
            } else {
                s.recent.push_back(now);
                s.accepted += 1;
                if !s.keys.insert(key) {
                    s.duplicates += 1;
                }
                let at = self.clock.now();
                let e = s.teams.entry(c.team).or_insert((at, at));
                e.1 = at;
                s.next_id += 1;
                Some(format!("0100019{:011}-scale-000000", s.next_id))
            }
        };
        let Some(message_id) = accepted else {
            tokio::time::sleep(self.latency - self.latency / 2).await;
            return Err(SendError::new(
                SendErrorKind::Throttled,
                "TooManyRequestsException",
                "Maximum sending rate exceeded.",
            ));
        };
        for event in events(email, &message_id, self.clock.now()) {
            let _ = self.events.send(event);
        }
        tokio::time::sleep(self.latency - self.latency / 2).await;
        Ok(message_id)
    }
}

/// The Send and Delivery events of an accepted email, as EventBridge hands them over.
fn events(email: &OutgoingEmail, message_id: &str, now: Timestamp) -> Vec<Value> {
    let msg = crate::ses::stored(email, message_id, "morale.example", now);
    let outcomes = [(email.to.to_string(), ses_local::Outcome::Delivery)];
    ses_local::events::events_for(&msg, "morale.example", &outcomes, now)
        .into_iter()
        .enumerate()
        .map(|(i, e)| crate::ses::envelope(message_id, i, e, now))
        .collect()
}
