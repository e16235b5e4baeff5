//! What the bounce handler's tests build alike: SES events as EventBridge delivers them, and a
//! handler over the in-memory store with members whose emails are claimed or sent.
// Each test binary uses some of these.
#![allow(dead_code)]

use jiff::{SignedDuration, Timestamp};
use morale::alert::RecordingAlerter;
use morale::clock::{Clock, ManualClock};
use morale::domain::{
    EmailAddress, Member, MemberId, MemberStatus, OutboxItem, OutboxKey, OutboxStatus, SendDate, TeamId,
};
use morale::store::MemoryStore;
use morale::store::prelude::*;
use morale_bounce_handler::{BounceConfig, BounceHandler, Outcome};
use serde_json::{Value, json};
use std::sync::Arc;

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub const NOW: &str = "2026-11-23T20:05:00Z";
pub const DATE: &str = "2026-11-23";

pub fn sample(name: &str) -> Value {
    let path = format!("{}/tests/samples/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An event in EventBridge's envelope, for a Morale email.
pub fn event(
    detail_type: &str,
    event_type: &str,
    member: &MemberId,
    message_id: &str,
    body: Option<(&str, Value)>,
) -> Value {
    let mut detail = json!({
        "eventType": event_type,
        "mail": {
            "timestamp": "2026-11-23T20:00:01.000Z",
            "source": "Morale <noreply@morale.example>",
            "messageId": message_id,
            "destination": ["someone@example.com"],
            "tags": {
                "ses:configuration-set": ["morale"],
                "morale-team": ["platform"],
                "morale-member": [member.as_str()],
                "morale-date": [DATE],
                "morale-send": ["1"],
            }
        }
    });
    if let Some((k, v)) = body {
        detail[k] = v;
    }
    json!({"version": "0", "id": "e1", "detail-type": detail_type, "source": "aws.ses", "account": "123456789012",
           "time": "2026-11-23T20:02:00Z", "region": "us-east-1", "resources": [], "detail": detail})
}

pub fn bounce(kind: &str, sub: &str) -> (&'static str, Value) {
    (
        "bounce",
        json!({"bounceType": kind, "bounceSubType": sub, "bouncedRecipients": [{"emailAddress": "someone@example.com", "action": "failed", "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 unknown"}], "timestamp": "2026-11-23T20:03:00.000Z"}),
    )
}

pub fn delay(expires: &str) -> (&'static str, Value) {
    (
        "deliveryDelay",
        json!({"delayType": "TransientCommunicationFailure", "expirationTime": expires, "delayedRecipients": [{"emailAddress": "someone@example.com", "status": "4.4.1"}], "timestamp": "2026-11-23T20:03:00.000Z"}),
    )
}

pub fn complaint() -> (&'static str, Value) {
    (
        "complaint",
        json!({"complainedRecipients": [{"emailAddress": "someone@example.com"}], "complaintFeedbackType": "abuse", "timestamp": "2026-11-23T21:00:00.000Z"}),
    )
}

pub struct World {
    pub store: Arc<MemoryStore>,
    pub alerter: Arc<RecordingAlerter>,
    pub clock: Arc<ManualClock>,
    pub handler: BounceHandler,
}

pub fn world() -> World {
    let store = Arc::new(MemoryStore::new());
    let alerter = Arc::new(RecordingAlerter::new());
    let clock = Arc::new(ManualClock::new(ts(NOW)));
    let handler = BounceHandler {
        store: store.clone(),
        alerter: alerter.clone(),
        clock: clock.clone(),
        config: BounceConfig::default(),
    };
    World { store, alerter, clock, handler }
}

impl World {
    /// Hands the handler one event; it must not fail.
    pub async fn on(&self, event: Value) -> Vec<Outcome> {
        self.handler.handle(event).await.unwrap()
    }

    /// A member whose email for today a sender has claimed (owner `s`).
    pub async fn claimed(&self, n: usize) -> (MemberId, OutboxKey) {
        let team = TeamId::parse("platform").unwrap();
        let email = EmailAddress::parse(&format!("member{n}@example.com")).unwrap();
        let schedule = morale::domain::Schedule::parse("UTC", "09:00", "mon-fri").unwrap();
        let of_team = morale::domain::Team::new(team.clone(), "Platform".into(), schedule, vec![], self.clock.now());
        let m = Member::new(&of_team, email.clone(), None, self.clock.now());
        self.store.add_member(&m).await.unwrap();
        let key = OutboxKey { team, date: SendDate::parse(DATE).unwrap(), member: m.id.clone() };
        let start = ts("2026-11-23T20:00:00Z");
        let item = OutboxItem::new(key.clone(), email, start, ts("2026-11-24T05:00:00Z"), start);
        self.store.enqueue(&item).await.unwrap();
        self.store.claim(&key, "s", start, start + SignedDuration::from_mins(2)).await.unwrap().unwrap();
        (m.id, key)
    }

    /// A member with a sent email for today (attempt 1, message `m-<n>`).
    pub async fn sent(&self, n: usize) -> (MemberId, OutboxKey, String) {
        let (m, key) = self.claimed(n).await;
        let mid = format!("m-{n}");
        self.store.mark_sent(&key, "s", &mid, ts("2026-11-23T20:00:00Z")).await.unwrap();
        (m, key, mid)
    }

    /// A member whose email's first attempt got no answer from SES: claimed, then released.
    pub async fn unanswered(&self, n: usize) -> (MemberId, OutboxKey) {
        let (m, key) = self.claimed(n).await;
        let start = ts("2026-11-23T20:00:00Z");
        let later = start + SignedDuration::from_mins(15);
        assert!(self.store.release(&key, "s", later, Some("NoResponse"), start).await.unwrap());
        (m, key)
    }

    pub async fn status(&self, key: &OutboxKey) -> (OutboxStatus, MemberStatus) {
        let item = self.store.get_outbox(key).await.unwrap().unwrap();
        let member = self.store.get_member(&key.team, &key.member).await.unwrap().unwrap();
        (item.status, member.status)
    }
}
