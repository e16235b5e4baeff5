//! The sender on the local stack (DynamoDB Local, ses-local, SNS on moto): the promise under the
//! conditions that broke it once.

use crate::system::{IDENTITY, System, far_deadline, ts};
use morale::clock::Clock;
use morale::config::SenderConfig;
use morale::domain::OutboxStatus;
use morale::store::prelude::*;
use morale_sender::Command;
use rand::Rng;
use std::time::Duration;

pub(crate) async fn assert_each_member_exactly_once(sys: &System, team: &morale::domain::Team, n: usize) {
    let accepted = sys.accepted();
    let members = sys.store.list_members(&team.id).await.unwrap();
    assert_eq!(members.len(), n);
    for m in &members {
        assert_eq!(
            accepted.get(m.email.as_str()).copied().unwrap_or(0),
            1,
            "{} got {:?}",
            m.email,
            accepted.get(m.email.as_str())
        );
    }
    assert_eq!(accepted.values().sum::<usize>(), n, "exactly {n} emails accepted by SES");
    let items = sys.store.list_outbox(&team.id, None).await.unwrap();
    assert_eq!(items.len(), n);
    assert!(items.iter().all(|i| i.status == OutboxStatus::Sent), "every outbox item sent, none failed");
}

/// The incident: 500 members due at 15:00 New York; the sending identity is revoked at 14:55;
/// ticks every five minutes; re-verified at 15:40.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_replay_identity_revoked_before_the_batch() {
    let sys = System::new("2026-11-23T19:50:00Z", 200.0).await; // Monday 14:50 New York
    let team = sys.team("support", "America/New_York", "15:00", "mon-fri", 500).await;
    let mut alerts_by_tick = Vec::new();
    while sys.clock.now() <= ts("2026-11-23T21:00:00Z") {
        let local = sys.clock.now().to_zoned_datetime(team.schedule.zone.jiff().clone()).strftime("%H:%M").to_string();
        if local == "14:55" {
            sys.ses.app().set_identity_state(IDENTITY, "revoked").unwrap();
        }
        if local == "15:40" {
            sys.ses.app().set_identity_state(IDENTITY, "verified").unwrap();
        }
        let r = sys.tick().await;
        if local.as_str() >= "15:00" && local.as_str() < "15:40" {
            assert_eq!(r.sent, 0, "{local}: nothing leaves while the identity is revoked");
            assert_eq!(r.held, 500, "{local}: every email held");
            assert!(r.preflight.contains("not verified for sending"), "{}", r.preflight);
        }
        if local == "15:40" {
            assert_eq!((r.preflight.as_str(), r.sent, r.held), ("ok", 500, 0));
        }
        alerts_by_tick.push((local, sys.alerts.all().await.len()));
        sys.advance(5);
    }
    assert_each_member_exactly_once(&sys, &team, 500).await;
    let alerts = sys.alerts.all().await;
    // The first failing tick (14:55, right after the account change, before anything is due)
    // alerts; 15:25 reminds, with the 500 held emails; 15:40 says it recovered.
    let count_at = |t: &str| alerts_by_tick.iter().find(|(l, _)| l == t).unwrap().1;
    assert_eq!(
        (count_at("14:50"), count_at("14:55"), count_at("15:20"), count_at("15:25")),
        (0, 1, 1, 2),
        "{alerts_by_tick:?}"
    );
    assert_eq!(alerts.len(), 3, "{alerts:#?}");
    assert!(alerts[0].0.contains("sending stopped"), "{}", alerts[0].0);
    assert!(alerts[0].1.contains("identity morale.example: not verified for sending"), "{}", alerts[0].1);
    assert!(alerts[0].1.contains("No email is due yet"), "{}", alerts[0].1);
    assert!(alerts[1].0.contains("still stopped"));
    assert!(alerts[1].1.contains("500 email(s) for 1 team(s) are held"), "{}", alerts[1].1);
    assert!(alerts[2].0.contains("recovered"));
    assert!(alerts[2].1.contains("500 held email(s) were sent"), "{}", alerts[2].1);
}

/// The identity is revoked after 200 emails have gone out, in the middle of the batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_replay_identity_revoked_mid_batch() {
    let sys = System::new("2026-11-23T20:00:00Z", 200.0).await; // 15:00 New York
    let team = sys.team("support", "America/New_York", "15:00", "mon-fri", 500).await;
    sys.ses
        .app()
        .change_identity(
            IDENTITY,
            ses_local::IdentityChange { state: Some("revoked".into()), after_sends: Some(200), ..Default::default() },
        )
        .unwrap();
    let r = sys.tick().await;
    assert_eq!(r.sent, 200);
    assert!(r.circuit_opened.as_deref().unwrap().contains("MessageRejected"), "{r:?}");
    assert_eq!((r.failed, r.held), (0, 300));
    let items = sys.store.list_outbox(&team.id, None).await.unwrap();
    assert_eq!(items.iter().filter(|i| i.status == OutboxStatus::Pending).count(), 300);
    assert!(items.iter().all(|i| i.lease_owner.is_none()), "every claim released");
    let first = sys.alerts.all().await;
    assert_eq!(first.len(), 1);
    assert!(first[0].1.contains("300 email(s) for 1 team(s) are held"), "{}", first[0].1);
    for _ in 0..7 {
        sys.advance(5);
        let r = sys.tick().await;
        assert_eq!((r.sent, r.held), (0, 300));
    }
    sys.ses.app().set_identity_state(IDENTITY, "verified").unwrap();
    sys.advance(5);
    let r = sys.tick().await;
    assert_eq!((r.sent, r.held, r.failed), (300, 0, 0));
    assert_each_member_exactly_once(&sys, &team, 500).await;
    let alerts = sys.alerts.all().await;
    assert!(alerts.last().unwrap().0.contains("recovered"), "{alerts:#?}");
}

/// Scheduler delivers at least once and ticks may overlap: five invocations at once over
/// 2,000 members send each member exactly one email.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_ticks_send_each_member_once() {
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    let team = sys.team("big", "America/New_York", "15:00", "mon-fri", 2000).await;
    let mut senders = Vec::new();
    for _ in 0..5 {
        senders.push(sys.sender(sys.config.clone()).await);
    }
    let runs = futures::future::join_all(senders.iter().map(|s| s.handle(Command::Tick, far_deadline()))).await;
    let sent: u64 = runs.iter().map(|r| r.as_ref().unwrap().sent).sum();
    assert_eq!(sent, 2000, "{runs:?}");
    assert_each_member_exactly_once(&sys, &team, 2000).await;
    assert_eq!(sys.store.get_team(&team.id).await.unwrap().unwrap().next_send_at, Some(ts("2026-11-24T20:00:00Z")));
}

/// A drain killed at 20 random points (a crashed or timed-out Lambda): after the next tick
/// nothing is lost, and at most one email per crash went twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drain_aborted_at_random_points_loses_nothing() {
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    let n = 300;
    let team = sys.team("crashy", "America/New_York", "15:00", "mon-fri", n).await;
    // One email in flight at a time, so that a crash can strand at most one send.
    let config = SenderConfig { max_concurrency: 1, ..sys.config.clone() };
    let mut aborts = 0;
    let mut rng = rand::rng();
    for _ in 0..20 {
        let sender = sys.sender(config.clone()).await;
        let after = Duration::from_millis(rng.random_range(5..120));
        if tokio::time::timeout(after, sender.handle(Command::Tick, far_deadline())).await.is_err() {
            aborts += 1;
        }
        // The next invocation comes six minutes later: a crashed run's lease on the account's
        // rate (five minutes at most) and its claims have lapsed, so each run drains, and is cut.
        sys.advance(6);
    }
    assert!(aborts >= 10, "most runs were cut short ({aborts})");
    sys.advance(5);
    let r = sys.tick().await;
    assert_eq!(r.held, 0, "{r:?}");
    let accepted = sys.accepted();
    let members = sys.store.list_members(&team.id).await.unwrap();
    let mut duplicates = 0;
    for m in &members {
        let got = accepted.get(m.email.as_str()).copied().unwrap_or(0);
        assert!(got >= 1, "{} lost", m.email);
        duplicates += got - 1;
    }
    assert!(duplicates <= aborts, "{duplicates} duplicates for {aborts} aborts");
    let items = sys.store.list_outbox(&team.id, None).await.unwrap();
    assert_eq!(items.len(), n);
    assert!(items.iter().all(|i| i.status == OutboxStatus::Sent));
}

/// 30% of SendEmail calls throttled: everything still goes out, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttling_storm_loses_nothing() {
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    let team = sys.team("stormy", "America/New_York", "15:00", "mon-fri", 300).await;
    sys.ses.app().set_faults(ses_local::Faults { throttle_fraction: 0.3, ..Default::default() }).unwrap();
    let mut throttled = 0;
    for _ in 0..5 {
        let r = sys.tick().await;
        throttled += r.throttled;
        if r.held == 0 && sys.accepted().len() == 300 {
            break;
        }
        sys.advance(2);
    }
    assert!(throttled > 50, "the storm happened: {throttled} throttles");
    assert_each_member_exactly_once(&sys, &team, 300).await;
}

/// Teams across their DST changes, ticked every five minutes around their send times on the
/// local stack: exactly one email per member per workday, on the right local date.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dst_changes_send_once_per_workday_on_the_local_stack() {
    let cases = [
        ("America/New_York", "02:30", "2026-03-07"), // spring-forward gap on the 8th
        ("America/New_York", "01:30", "2026-10-31"), // fall-back fold on 1 November
        ("Europe/London", "01:30", "2026-03-28"),    // gap on the 29th
        ("Europe/London", "01:30", "2026-10-24"),    // fold on the 25th
        ("Asia/Kathmandu", "09:00", "2026-03-28"),   // no DST: the control
        ("Australia/Lord_Howe", "02:15", "2026-10-03"), // half-hour gap on the 4th
        ("Australia/Lord_Howe", "01:45", "2026-04-04"), // half-hour fold on the 5th
    ];
    for (zone, time, first_day) in cases {
        let start = ts(&format!("{first_day}T00:00:00Z")) - jiff::SignedDuration::from_hours(14);
        let sys = System::new(&start.to_string(), 1000.0).await;
        let team = sys.team("dst", zone, time, "mon-sun", 2).await;
        // Ticks every five minutes from half an hour before to half an hour after each send.
        let mut day = morale::domain::SendDate::parse(first_day).unwrap();
        let mut expected = Vec::new();
        for _ in 0..3 {
            let at = team.schedule.instant_on(day).expect("every day of the week is a workday");
            expected.push(day.to_string());
            let mut t = at - jiff::SignedDuration::from_mins(30);
            let t = {
                // Align to the five-minute grid, as Scheduler's rate expression does.
                let s = t.as_second();
                t = jiff::Timestamp::from_second(s - s.rem_euclid(300)).unwrap();
                t
            };
            sys.clock.set(t);
            while sys.clock.now() <= at + jiff::SignedDuration::from_mins(30) {
                sys.tick().await;
                sys.advance(5);
            }
            day = day.next_day();
        }
        let mut per_day: std::collections::BTreeMap<String, usize> = Default::default();
        for m in sys.ses.app().messages() {
            let date = m.tags.iter().find(|(k, _)| k == "morale-date").unwrap().1.clone();
            *per_day.entry(date).or_default() += 1;
        }
        let days: Vec<String> = per_day.keys().cloned().collect();
        assert_eq!(days, expected, "{zone} {time}");
        assert!(per_day.values().all(|n| *n == 2), "{zone} {time}: {per_day:?}");
        // No SES events are routed in this test: emails past their window are unconfirmed, and
        // told; nothing else is.
        let alerts = sys.alerts.all().await;
        assert!(alerts.iter().all(|(subject, _)| subject.contains("unconfirmed")), "{zone} {time}: {alerts:?}");
    }
}

/// An email the outbox lost after it was planned (deleted by hand, here) leaves its day with
/// one email unaccounted: when the day's ledger closes it is counted, stored, and told, by team
/// and day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_lost_from_the_outbox_is_unaccounted_when_its_day_closes() {
    let sys = System::new("2026-11-23T20:00:00Z", 100.0).await; // Monday 15:00 New York
    let team = sys.team("ledger", "America/New_York", "15:00", "mon-fri", 3).await;
    assert_eq!(sys.tick().await.sent, 3);
    let gone = sys.store.list_outbox(&team.id, None).await.unwrap().remove(0);
    sys.table
        .client
        .delete_item()
        .table_name(&sys.table.name)
        .key("PK", aws_sdk_dynamodb::types::AttributeValue::S(format!("TEAM#{}", team.id)))
        .key("SK", aws_sdk_dynamodb::types::AttributeValue::S(format!("SEND#{}#{}", gone.key.date, gone.key.member)))
        .send()
        .await
        .unwrap();
    // Monday ends at 05:00 UTC; its ledger closes four hours later.
    sys.clock.set(ts("2026-11-24T08:55:00Z"));
    let r = sys.tick().await;
    assert_eq!((r.unconfirmed, r.unaccounted), (2, 0), "not closed yet");
    let monday = gone.key.date;
    assert!(sys.store.get_day(&team.id, monday).await.unwrap().unwrap().closed.is_none());
    sys.advance(5);
    let r = sys.tick().await;
    assert_eq!(r.unaccounted, 1);
    let ledger = sys.store.get_day(&team.id, monday).await.unwrap().unwrap().closed.expect("closed");
    assert_eq!(ledger.line(), "0 of 2 reached, 2 unconfirmed, 1 UNACCOUNTED");
    let alerts = sys.alerts.all().await;
    let told: Vec<_> = alerts.iter().filter(|(s, _)| s.contains("unaccounted")).collect();
    assert_eq!(told.len(), 1, "{alerts:?}");
    assert!(told[0].1.contains("team ledger on 2026-11-23"), "{}", told[0].1);
    sys.advance(5);
    assert_eq!(sys.tick().await.unaccounted, 0, "closed once, told once");
    assert_eq!(sys.alerts.all().await.iter().filter(|(s, _)| s.contains("unaccounted")).count(), 1);
}

/// SES cannot send all day (the identity revoked before the send): the day's emails wait,
/// held. When the day's ledger closes they can never go: they are failed as too late, counted
/// and told, and the ledger has nothing unaccounted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_held_all_day_are_failed_too_late_when_their_day_closes() {
    let sys = System::new("2026-11-23T19:55:00Z", 100.0).await; // Monday 14:55 New York
    let team = sys.team("outage", "America/New_York", "15:00", "mon-fri", 2).await;
    sys.ses.app().set_identity_state(IDENTITY, "revoked").unwrap();
    sys.advance(5);
    let r = sys.tick().await;
    assert_eq!((r.sent, r.held), (0, 2));
    let monday = morale::domain::SendDate::parse("2026-11-23").unwrap();
    sys.clock.set(ts("2026-11-24T08:55:00Z"));
    sys.tick().await;
    assert!(sys.store.get_day(&team.id, monday).await.unwrap().unwrap().closed.is_none(), "not yet");
    sys.advance(5);
    let r = sys.tick().await;
    assert_eq!(r.unaccounted, 0);
    let ledger = sys.store.get_day(&team.id, monday).await.unwrap().unwrap().closed.expect("closed");
    assert_eq!(ledger.line(), "0 of 2 reached, 2 failed");
    assert_eq!(ledger.failed, std::collections::BTreeMap::from([("too_late".to_string(), 2)]));
    for i in sys.store.list_outbox(&team.id, Some(monday)).await.unwrap() {
        assert_eq!(i.status, OutboxStatus::Failed);
        assert!(i.last_error.as_deref().unwrap().contains("failed when its day closed"), "{i:?}");
    }
    let alerts = sys.alerts.all().await;
    assert!(
        alerts.iter().any(
            |(s, m)| s.contains("2 email(s) never sent before their day ended") && m.contains("outage/2026-11-23/")
        ),
        "{alerts:?}"
    );
}
