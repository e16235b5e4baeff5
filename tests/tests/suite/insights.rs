//! Insights on the local stack: the weekly digest and the low-morale alert go through the
//! outbox and ses-local, from closed days only; and the trend page in a browser.

use crate::system::{System, ts};
use morale::clock::Clock;
use morale::domain::{OutboxKind, OutboxStatus, Response, VoterKey, WeeklyDigest};
use morale::domain::{Score, SendDate};
use morale::store::prelude::*;
use morale_localstack::{AwsError, Fault, FaultPlan};
use morale_tests::browser::Browser;
use std::time::Duration;

async fn votes(sys: &System, team: &morale::domain::TeamId, date: &str, scores: &[u8]) {
    for (i, s) in scores.iter().enumerate() {
        sys.store
            .put_response(&Response::new(
                team.clone(),
                SendDate::parse(date).unwrap(),
                VoterKey(format!("voter-{i}")),
                Score::new(*s).unwrap(),
                (i == 0).then(|| format!("note from {date}")),
                ts(&format!("{date}T12:00:00Z")),
            ))
            .await
            .unwrap();
    }
}

/// A past day as the sender leaves it once its answers closed: its votes counted into fixed
/// figures, and forgotten.
pub(crate) async fn closed_day(sys: &System, team: &morale::domain::TeamId, date: &str, scores: &[u8]) {
    use morale::domain::{DayPlan, Ledger, Privacy, Tally};
    let date = SendDate::parse(date).unwrap();
    votes(sys, team, date.as_str(), scores).await;
    let at = sys.clock.now();
    let plan = DayPlan { members: scores.len() as u32, ..DayPlan::default() };
    sys.store.open_day(team, date, &plan, at).await.unwrap();
    sys.store.close_day(team, date, &Ledger::default(), at).await.unwrap();
    let responses = sys.store.list_responses(team, date, date).await.unwrap();
    let tally = Tally::of(&responses, plan.members, Privacy::default());
    assert!(sys.store.tally_day(team, date, &tally, at).await.unwrap());
    sys.store.forget_day(team, date).await.unwrap();
    assert!(sys.store.finish_day(team, date, at).await.unwrap());
}

fn to_admin(sys: &System) -> Vec<std::sync::Arc<ses_local::StoredMessage>> {
    sys.mail_to("lead@example.com")
}

/// The digest goes out on its day and time through the outbox; the low-morale alert once three
/// hard workdays have closed (a day's answers close at the end of the next day), once for the
/// whole stretch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weekly_digest_and_low_morale_alert_reach_the_admins_once() {
    // Monday 23 November, 08:00 UTC; the team sends at 09:00, its digest is Wednesday 10:00.
    let sys = System::new("2026-11-23T08:00:00Z", 100.0).await;
    let mut team = sys.team("insight", "UTC", "09:00", "mon-fri", 3).await;
    team.digest = Some(WeeklyDigest::parse("wed 10:00", team.schedule.workdays).unwrap());
    let team = sys.store.update_team(&team).await.unwrap();
    // The week before: good days, closed. Then Mon/Tue/Wed/Thu hard, answered through the week
    // and closed by the sender as their answers close.
    for d in ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"] {
        closed_day(&sys, &team.id, d, &[4, 4, 5]).await;
    }

    let mut admin_mail = Vec::new();
    let mut arrived = Vec::new();
    let mut day = ts("2026-11-23T08:55:00Z");
    for (date, scores) in [
        ("2026-11-23", [2, 1, 2]),
        ("2026-11-24", [1, 2, 2]),
        ("2026-11-25", [2, 2, 1]),
        ("2026-11-26", [1, 1, 2]),
        ("2026-11-27", [3, 3, 3]),
    ] {
        // Ticks every five minutes from 08:55 to 10:30.
        sys.clock.set(day);
        while sys.clock.now() <= day + jiff::SignedDuration::from_mins(95) {
            let before = to_admin(&sys).len();
            sys.tick().await;
            if to_admin(&sys).len() > before {
                arrived.push(sys.clock.now());
            }
            sys.advance(5);
        }
        admin_mail.push((date, to_admin(&sys).len()));
        votes(&sys, &team.id, date, &scores).await;
        day += jiff::SignedDuration::from_hours(24);
    }
    // Wednesday: the weekly digest (10:00). Friday: Mon-Wed are closed, and were hard → the
    // alert, once. (On Thursday only Mon and Tue had closed.)
    assert_eq!(
        admin_mail,
        vec![("2026-11-23", 0), ("2026-11-24", 0), ("2026-11-25", 1), ("2026-11-26", 1), ("2026-11-27", 2)],
        "{admin_mail:?}"
    );
    // The sender closed the days whose answers closed: figures fixed, who voted forgotten.
    let days = sys
        .store
        .list_days(&team.id, SendDate::parse("2026-11-23").unwrap(), SendDate::parse("2026-11-27").unwrap())
        .await
        .unwrap();
    let done: Vec<String> = days.iter().filter(|d| d.forgotten_at.is_some()).map(|d| d.date.to_string()).collect();
    assert_eq!(done, ["2026-11-23", "2026-11-24", "2026-11-25"], "{days:?}");
    let monday = SendDate::parse("2026-11-23").unwrap();
    assert!(sys.store.list_responses(&team.id, monday, monday).await.unwrap().is_empty(), "no vote outlives its day");
    assert_eq!(days[0].tally.as_ref().map(|t| (t.asked, t.voters, t.counts)), Some((3, 3, Some([1, 2, 0, 0, 0]))));
    let mail = to_admin(&sys);
    let weekly = &mail[0];
    assert_eq!(weekly.subject, "Team insight: your weekly Morale digest");
    let text = weekly.text.clone().unwrap();
    assert!(text.contains("Mean answer"), "{text}");
    // Its delivery line, from the ledgers of Monday and Tuesday (no SES events here: unconfirmed).
    assert!(text.contains("Last week’s daily emails: 0 of 6 reached; 6 unconfirmed."), "{text}");
    assert!(text.contains("/t/"), "a link to the trend page: {text}");
    assert!(weekly.tags.contains(&("morale-kind".into(), "weekly".into())));
    assert_eq!(arrived[0], ts("2026-11-25T10:00:00Z"), "on its day and time: the tick at 10:00");
    assert_eq!(arrived[1], ts("2026-11-27T09:00:00Z"), "the alert with Friday's daily email");
    let alert = &mail[1];
    assert_eq!(alert.subject, "Team insight: a few hard days in a row");
    let text = alert.text.clone().unwrap();
    assert!(text.contains("Monday 23 November: team mean 1.67"), "{text}");
    assert!(!text.contains("note from"), "no individual answers");
    // Monday: the stretch goes on (Thursday was hard too), and no second alert comes.
    sys.clock.set(ts("2026-11-30T08:55:00Z"));
    for _ in 0..4 {
        sys.tick().await;
        sys.advance(5);
    }
    assert_eq!(to_admin(&sys).len(), 2, "once per streak");
    // Both went through the outbox, and are recorded as sent once (no SES events are routed in
    // this test: past their window they are unconfirmed).
    let items = sys.store.list_outbox(&team.id, None).await.unwrap();
    let admin_items: Vec<_> = items.iter().filter(|i| i.kind != OutboxKind::Daily).collect();
    assert_eq!(admin_items.len(), 2);
    assert!(
        admin_items.iter().all(|i| matches!(i.status, OutboxStatus::Sent | OutboxStatus::Unconfirmed)
            && i.attempts == 1
            && i.message_id.is_some()),
        "{admin_items:?}"
    );
    // The digest's link opens the trend page.
    let link = text.lines().find(|l| l.contains("/t/")).unwrap().split_whitespace().last().unwrap().to_string();
    let path = link.trim_start_matches(&sys.api_url);
    let page = morale_tests::http(&sys.api_url, "GET", path, "text/html", "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("How Team insight feels about work"));
    // The admins' emails, as a mail client shows their HTML.
    let b = Browser::start(true).await.unwrap();
    for (m, (name, text)) in
        to_admin(&sys).iter().zip([("weekly-digest", "Mean answer"), ("low-morale", "23 November")])
    {
        b.goto(&format!("{}/_ses-local/inbox/{}/html", sys.ses.url(), m.message_id)).await.unwrap();
        b.wait_for(text, Duration::from_secs(10)).await.unwrap();
        crate::a11y::assert_accessible(&b, name).await;
    }
}

/// The low-morale alert is queued before it is recorded as told: a store error between the
/// two loses nothing, and the next tick queues it (recorded first, it would be lost for good).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_morale_alert_that_could_not_be_queued_is_queued_by_the_next_tick() {
    // Thursday 26 November, 08:55 UTC; Monday to Wednesday were hard.
    let sys = System::new("2026-11-26T08:55:00Z", 100.0).await;
    let team = sys.team("lowqueue", "UTC", "09:00", "mon-fri", 3).await;
    for d in ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"] {
        closed_day(&sys, &team.id, d, &[4, 4, 5]).await;
    }
    for d in ["2026-11-23", "2026-11-24", "2026-11-25"] {
        closed_day(&sys, &team.id, d, &[2, 1, 2]).await;
    }
    sys.advance(5);
    // Every write of a low-morale outbox item fails, past the SDK's retries.
    let error = Fault::Error { code: AwsError::InternalServerError };
    sys.dynamodb_faults.plan(FaultPlan::one(&["PutItem"], 1.0, error).containing("low_morale"));
    sys.tick().await;
    assert!(sys.dynamodb_faults.stats().hit.values().sum::<u64>() > 0, "the fault was met");
    assert!(to_admin(&sys).is_empty());
    let alerts = sys.alerts.all().await;
    assert!(alerts.iter().any(|(subject, _)| subject.contains("could not be scheduled")), "{alerts:?}");

    sys.dynamodb_faults.plan(FaultPlan::default());
    sys.advance(5);
    sys.tick().await;
    let mail = to_admin(&sys);
    assert_eq!(mail.len(), 1, "the alert, once");
    assert_eq!(mail[0].subject, "Team lowqueue: a few hard days in a row");
    let daily: Vec<(String, usize)> = sys.accepted().into_iter().filter(|(to, _)| to != "lead@example.com").collect();
    assert_eq!(daily.len(), 3, "each member's daily email: {daily:?}");
    assert!(daily.iter().all(|(_, n)| *n == 1), "once: {daily:?}");
}

/// The trend page in headless Chromium; the screenshot lands in `artifacts/screenshots/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trend_page_in_a_browser() {
    let sys = System::new("2026-11-27T12:00:00Z", 100.0).await;
    let team = sys.team("trend", "UTC", "09:00", "mon-fri", 6).await;
    // Thirty closed days of answers, some days too thin to show.
    let mut d = SendDate::parse("2026-10-29").unwrap();
    for i in 0..30u32 {
        if team.schedule.workdays.contains(d.date().weekday()) {
            let n = if i % 7 == 3 { 2 } else { 3 + (i % 4) as usize };
            let scores: Vec<u8> = (0..n).map(|k| (((i + k as u32 * 3) % 5) + 1) as u8).collect();
            closed_day(&sys, &team.id, d.as_str(), &scores).await;
        }
        d = d.next_day();
    }
    let renderer = morale::email::EmailRenderer::new(morale::token::TokenKeys::development(), &sys.api_url);
    let admin = morale::domain::EmailAddress::parse("lead@example.com").unwrap();
    let url = renderer.trend_url(&team, &admin, SendDate::parse("2026-11-27").unwrap(), sys.clock.now());
    // Script on, for axe: the page has none of its own.
    let b = Browser::start(true).await.unwrap();
    b.goto(&url).await.unwrap();
    let src = b.wait_for("How Team trend feels about work", Duration::from_secs(10)).await.unwrap();
    assert!(src.contains("<svg") && src.contains("<circle"));
    b.screenshot("trend").await.unwrap();
    crate::a11y::assert_accessible(&b, "trend").await;
}
