//! End to end on the local stack: sender → ses-local (mailbox simulator) → EventBridge on moto
//! → the rule → the bounce handler, and the next days' sends.

use crate::system::System;
use morale::clock::Clock;
use morale::domain::{MemberStatus, OutboxStatus, StatusChange};
use morale::store::prelude::*;
use morale_bounce_handler::{BounceConfig, BounceHandler};
use morale_localstack::EventRoute;
use std::sync::Arc;

impl System {
    pub fn bounce_handler(&self) -> BounceHandler {
        BounceHandler {
            store: self.store.clone(),
            alerter: Arc::new(morale::alert::RecordingAlerter::new()),
            clock: self.clock.clone(),
            config: BounceConfig::default(),
        }
    }
}

/// Feeds every routed event to the bounce handler, as the rule's Lambda target would, until
/// `n` have been handled.
pub(crate) async fn pump(route: &EventRoute, handler: &BounceHandler, n: usize) -> usize {
    let events = route.collect(n).await.unwrap();
    for e in &events {
        handler.handle(e.clone()).await.expect("every event handled");
    }
    events.len()
}

/// The same, losing every event about `lost`'s email (SES publishes events best effort).
pub(crate) async fn pump_losing(route: &EventRoute, handler: &BounceHandler, n: usize, lost: &str) -> usize {
    let events = route.collect(n).await.unwrap();
    for e in events.iter().filter(|e| !e.to_string().contains(lost)) {
        handler.handle(e.clone()).await.expect("every event handled");
    }
    events.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_addresses_end_where_they_should_and_the_next_day_skips_the_suppressed() {
    let (sys, route) = System::with_events("2026-11-23T20:00:00Z", 100.0).await; // Monday 15:00 New York
    let team = sys.team("e2e", "America/New_York", "15:00", "mon-fri", 0).await;
    let handler = sys.bounce_handler();
    let emails = [
        "ana@example.com",
        "bounce@simulator.amazonses.com",
        "complaint@simulator.amazonses.com",
        "ooto@simulator.amazonses.com",
        "flaky@example.com",
        "rejected@example.com",
        "lost@example.com",
        "away@example.com",
    ];
    let ids = sys.add_members(&team, &emails).await;
    // flaky@ bounces transiently once, then takes mail; SES rejects rejected@'s email after
    // accepting it; every event about lost@'s email is lost; away@ is paused.
    sys.ses.app().script("flaky@example.com", ses_local::Outcome::TransientBounce, 1);
    sys.ses.app().script("rejected@example.com", ses_local::Outcome::Reject, 1);
    let away = StatusChange {
        from: &[MemberStatus::Active],
        to: MemberStatus::Paused,
        reason: "on leave",
        at: sys.clock.now(),
    };
    sys.store.set_status(&team.id, &ids["away@example.com"], away).await.unwrap().unwrap();

    let r = sys.tick().await;
    assert_eq!(r.sent, 7);
    // Send + Delivery/Bounce for each; complaint@ adds a Complaint; rejected@ has a Reject only.
    let handled = pump_losing(&route, &handler, 14, "lost@example.com").await;
    assert_eq!(handled, 14);

    let state = |email: &'static str| {
        let store = sys.store.clone();
        let team = team.id.clone();
        let id = ids[email].clone();
        async move {
            let key = morale::domain::OutboxKey {
                team: team.clone(),
                date: morale::domain::SendDate::parse("2026-11-23").unwrap(),
                member: id.clone(),
            };
            let item = store.get_outbox(&key).await.unwrap().unwrap();
            let member = store.get_member(&team, &id).await.unwrap().unwrap();
            (item.status, member.status)
        }
    };
    assert_eq!(state("ana@example.com").await, (OutboxStatus::Delivered, MemberStatus::Active));
    assert_eq!(state("bounce@simulator.amazonses.com").await, (OutboxStatus::Failed, MemberStatus::Bounced));
    assert_eq!(state("complaint@simulator.amazonses.com").await, (OutboxStatus::Complained, MemberStatus::Complained));
    assert_eq!(
        state("ooto@simulator.amazonses.com").await,
        (OutboxStatus::Delivered, MemberStatus::Active),
        "an auto-reply is not a bounce"
    );
    assert_eq!(state("flaky@example.com").await, (OutboxStatus::Deferred, MemberStatus::Active));

    // The transient bounce is re-sent on a later tick, and delivered.
    sys.advance(10);
    assert_eq!(sys.tick().await.sent, 0, "not before its retry time");
    sys.advance(10);
    let r = sys.tick().await;
    assert_eq!(r.sent, 1);
    let retried = sys.mail_to("flaky@example.com");
    assert_eq!(retried.len(), 2);
    assert!(retried[1].tags.contains(&("morale-send".into(), "2".into())), "the second attempt says so");
    assert_eq!(pump(&route, &handler, 2).await, 2);
    assert_eq!(state("flaky@example.com").await, (OutboxStatus::Delivered, MemberStatus::Active));

    // An hour after the bounce, the team's admin gets one digest naming both problems.
    sys.advance(45);
    let r = sys.tick().await;
    assert_eq!(r.problem_reports_queued, 1);
    let digest = sys.mail_to("lead@example.com");
    assert_eq!(digest.len(), 1);
    let text = digest[0].text.clone().unwrap();
    assert!(
        text.contains("bounce@simulator.amazonses.com") && text.contains("complaint@simulator.amazonses.com"),
        "{text}"
    );
    sys.advance(60);
    assert_eq!(sys.tick().await.problem_reports_queued, 0, "at most one a day");
    let _ = pump(&route, &handler, 0).await; // the report's own events settle its outbox items

    // The next day: the bounced and complaining members get nothing.
    sys.clock.set(crate::system::ts("2026-11-24T20:00:00Z")); // Tuesday 15:00 New York
    let before = sys.ses.app().messages().len();
    let r = sys.tick().await;
    assert_eq!(r.sent, 5);
    let next_day: Vec<String> = sys.ses.app().messages()[before..].iter().flat_map(|m| m.to.clone()).collect();
    assert!(!next_day.iter().any(|t| t.starts_with("bounce@") || t.starts_with("complaint@")), "{next_day:?}");

    // That tick also closed Monday's ledger: every email has its explained end.
    assert_eq!((r.unconfirmed, r.unaccounted), (1, 0), "lost@'s email had no event: unconfirmed");
    let monday = morale::domain::SendDate::parse("2026-11-23").unwrap();
    let day = sys.store.get_day(&team.id, monday).await.unwrap().expect("the day is recorded");
    let ledger = day.closed.expect("closed once the day is over and SES had its time");
    assert_eq!(
        ledger.line(),
        "4 of 7 reached, 1 marked it as spam, 1 bounced, 1 failed, 1 unconfirmed, 1 paused",
        "{ledger:?}"
    );
    assert_eq!((ledger.deferred, ledger.admin, ledger.unaccounted), (1, 1, 0), "{ledger:?}");
    assert_eq!(ledger.failed, std::collections::BTreeMap::from([("rejected".to_string(), 1)]));
}
