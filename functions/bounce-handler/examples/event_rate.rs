//! Events handled per second by one bounce-handler instance, in-process, against the
//! in-memory store (so that the figure is the handler's own cost, not the table's).
//!
//! cargo run --profile perf -p morale-bounce-handler --example event_rate -- [events] > /dev/null
//!
//! Half the events are deliveries, a quarter transient bounces, a quarter permanent bounces,
//! each for its own sent email. The result goes to stderr (stdout carries the EMF metric lines
//! the handler writes, as it does in Lambda).

use jiff::{SignedDuration, Timestamp};
use morale::alert::RecordingAlerter;
use morale::clock::ManualClock;
use morale::domain::{EmailAddress, SendDate, TeamId};
use morale::domain::{Member, OutboxItem, OutboxKey};
use morale::store::MemoryStore;
use morale::store::prelude::*;
use morale_bounce_handler::{BounceConfig, BounceHandler};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let start: Timestamp = "2026-11-23T20:00:00Z".parse().unwrap();
    let store = Arc::new(MemoryStore::new());
    let team = TeamId::parse("bench").unwrap();
    let schedule = morale::domain::Schedule::parse("UTC", "09:00", "mon-fri").unwrap();
    let of_team = morale::domain::Team::new(team.clone(), "Bench".into(), schedule, vec![], start);
    let date = SendDate::parse("2026-11-23").unwrap();
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let email = EmailAddress::parse(&format!("m{i}@example.com")).unwrap();
        let m = Member::new(&of_team, email.clone(), None, start);
        store.add_member(&m).await.unwrap();
        let key = OutboxKey { team: team.clone(), date, member: m.id.clone() };
        store
            .enqueue(&OutboxItem::new(key.clone(), email, start, start + SignedDuration::from_hours(9), start))
            .await
            .unwrap();
        store.claim(&key, "s", start, start + SignedDuration::from_mins(2)).await.unwrap();
        let mid = format!("msg-{i}");
        store.mark_sent(&key, "s", &mid, start).await.unwrap();
        let (dt, et, body) = match i % 4 {
            0 | 1 => (
                "Email Delivered",
                "Delivery",
                ("delivery", json!({"timestamp": "2026-11-23T20:00:02.000Z", "recipients": ["x"]})),
            ),
            2 => (
                "Email Bounced",
                "Bounce",
                (
                    "bounce",
                    json!({"bounceType": "Transient", "bounceSubType": "MailboxFull", "bouncedRecipients": [{"emailAddress": "x", "status": "4.2.2"}]}),
                ),
            ),
            _ => (
                "Email Bounced",
                "Bounce",
                (
                    "bounce",
                    json!({"bounceType": "Permanent", "bounceSubType": "General", "bouncedRecipients": [{"emailAddress": "x", "status": "5.1.1"}]}),
                ),
            ),
        };
        let mut detail = json!({"eventType": et, "mail": {"messageId": mid, "timestamp": "2026-11-23T20:00:01.000Z",
            "tags": {"morale-team": ["bench"], "morale-member": [m.id.as_str()], "morale-date": ["2026-11-23"], "morale-send": ["1"]}}});
        detail[body.0] = body.1;
        events.push(json!({"detail-type": dt, "source": "aws.ses", "detail": detail}));
    }
    let handler = BounceHandler {
        store,
        alerter: Arc::new(RecordingAlerter::new()),
        clock: Arc::new(ManualClock::new(start + SignedDuration::from_mins(5))),
        config: BounceConfig {
            reputation: morale::reputation::Thresholds { min_sent: u64::MAX, ..Default::default() },
            ..Default::default()
        },
    };
    let t = Instant::now();
    for e in events {
        handler.handle(e).await.unwrap();
    }
    let secs = t.elapsed().as_secs_f64();
    eprintln!("events:     {n}");
    eprintln!("elapsed:    {secs:.2} s");
    eprintln!("throughput: {:.0} events/s", n as f64 / secs);
}
