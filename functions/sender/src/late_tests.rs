//! The run's second drain (`drain_late_arrivals`): emails another invocation scheduled and left
//! to this one just as it gave the lease back. Too narrow a window to reach from `handle`
//! deterministically (the simulator meets it a few times in a few hundred seeds), so it is
//! called here directly, on a table as that race leaves it.

use super::*;
use morale::alert::RecordingAlerter;
use morale::clock::ManualClock;
use morale::domain::{EmailAddress, Member, OutboxItem, OutboxKey, OutboxStatus};
use morale::mail::FakeMailer;
use morale::store::MemoryStore;
use morale::token::TokenKeys;

const NOW: &str = "2026-11-23T19:00:00Z";

struct World {
    store: Arc<MemoryStore>,
    mailer: Arc<FakeMailer>,
    sender: Sender,
    keys: Vec<OutboxKey>,
}

/// A team whose `n` members' emails are due now, queued and not sent.
async fn left_behind(n: usize) -> World {
    let now: Timestamp = NOW.parse().unwrap();
    let store = Arc::new(MemoryStore::new());
    let mailer = Arc::new(FakeMailer::new("morale.example"));
    let team = morale::fixtures::team("late", "UTC", "19:00", "mon-sun", now - SignedDuration::from_hours(1));
    store.create_team(&team).await.unwrap();
    let date = team.schedule.local_date(now);
    let mut keys = Vec::new();
    for i in 0..n {
        let m = Member::new(&team, EmailAddress::parse(&format!("m{i}@example.com")).unwrap(), None, now);
        store.add_member(&m).await.unwrap();
        let key = OutboxKey { team: team.id.clone(), date, member: m.id.clone() };
        let end = team.schedule.end_of_local_day(date);
        assert!(store.enqueue(&OutboxItem::new(key.clone(), m.email.clone(), now, end, now)).await.unwrap());
        keys.push(key);
    }
    let sender = Sender {
        store: store.clone(),
        mailer: mailer.clone(),
        alerter: Arc::new(RecordingAlerter::new()),
        clock: Arc::new(ManualClock::new(now)),
        renderer: EmailRenderer::new(TokenKeys::development(), "https://api.example"),
        config: SenderConfig::new("morale.example", "Morale <noreply@morale.example>", Some("morale")),
        continuation: Arc::new(continuation::NextTick),
    };
    World { store, mailer, sender, keys }
}

impl World {
    /// Runs the late drain after a main drain that sent `sent` at `rate` per second.
    async fn late_drain(&self, sent: u64, rate: f64) -> (Result<(), SenderError>, Report) {
        let mut report = Report { sent, achieved_send_rate: rate, ..Report::default() };
        let mut m = Metrics::new();
        let deadline = Instant::now() + Duration::from_secs(900);
        let r = self.sender.drain_late_arrivals(deadline, &mut report, &mut m).await;
        (r, report)
    }

    async fn statuses(&self) -> Vec<OutboxStatus> {
        let mut out = Vec::new();
        for k in &self.keys {
            out.push(self.store.get_outbox(k).await.unwrap().unwrap().status);
        }
        out
    }

    /// The lease's holder and until when, if anyone ever took it.
    async fn lease(&self) -> Option<(String, Timestamp)> {
        let record = self.store.get_state("sending-lease").await.unwrap()?;
        let v: serde_json::Value = serde_json::from_str(&record.data).unwrap();
        Some((v["owner"].as_str().unwrap().to_string(), v["until"].as_str().unwrap().parse().unwrap()))
    }
}

#[tokio::test]
async fn emails_left_by_another_invocation_are_sent_under_the_lease_and_counted_in_the_run() {
    let w = left_behind(3).await;
    let (r, report) = w.late_drain(5, 2.0).await;
    r.unwrap();
    assert_eq!(w.mailer.sent().len(), 3, "each email left behind is sent once");
    assert_eq!(w.statuses().await, vec![OutboxStatus::Sent; 3]);
    // Added to what the main drain sent (the reputation guard counts the run's sends); the
    // run's rate stays its main drain's.
    assert_eq!(report.sent, 8);
    assert_eq!(report.achieved_send_rate, 2.0);
    // Taken again, and given back: the next invocation need not wait for it to lapse.
    let (owner, until) = w.lease().await.expect("the lease was taken");
    assert!(owner.starts_with("sender-"), "{owner}");
    assert!(until <= NOW.parse().unwrap(), "given back, not held until {until}");
}

#[tokio::test]
async fn with_nothing_left_behind_the_lease_is_not_taken_again() {
    let w = left_behind(0).await;
    let (r, report) = w.late_drain(5, 2.0).await;
    r.unwrap();
    assert_eq!(report.sent, 5);
    assert!(w.lease().await.is_none(), "no lease taken for nothing");
}

#[tokio::test]
async fn a_lease_another_invocation_holds_leaves_the_emails_to_it() {
    let w = left_behind(2).await;
    let until = "2026-11-23T19:04:00Z";
    let holder = serde_json::json!({"owner": "sender-other", "until": until, "next_send": null}).to_string();
    assert!(w.store.put_state("sending-lease", &holder, None, NOW.parse().unwrap()).await.unwrap());
    let (r, report) = w.late_drain(0, 0.0).await;
    r.unwrap();
    assert!(w.mailer.sent().is_empty(), "two invocations must not drain at once");
    assert_eq!(w.statuses().await, vec![OutboxStatus::Pending; 2], "still due, for the holder");
    assert_eq!(report.sent, 0);
    assert_eq!(w.lease().await, Some(("sender-other".into(), until.parse().unwrap())));
}

#[tokio::test]
async fn a_failing_preflight_sends_nothing_and_keeps_every_email() {
    let w = left_behind(2).await;
    w.mailer.identity.lock().unwrap().verified_for_sending = false;
    let (r, _) = w.late_drain(0, 0.0).await;
    r.unwrap();
    assert!(w.mailer.sent().is_empty());
    assert_eq!(w.statuses().await, vec![OutboxStatus::Pending; 2]);
    // Left for the next run, whose preflight tells on-call why they wait.
    assert!(w.lease().await.is_none());
}
