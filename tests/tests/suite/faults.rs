//! The promise under the faults AWS produces, injected on the wire by the local stack's fault
//! proxies (DynamoDB Local and moto behind them): the real sender against a DynamoDB brownout
//! and against writes whose answers are lost after they were applied.

use crate::sender::assert_each_member_exactly_once;
use crate::system::{System, far_deadline};
use morale::clock::Clock;
use morale::domain::{QuietDays, SendDate, TeamId};
use morale::store::prelude::*;
use morale_localstack::{AwsError, Fault, FaultPlan};
use morale_sender::Command;

const WRITES: &[&str] = &["PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"];

/// A third of DynamoDB's writes fail (after the SDK's own retries, about one call in 25) for
/// three ticks. Every tick that fails tells on-call in that tick; once DynamoDB recovers,
/// every member gets the day's email exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dynamodb_brownout_alerts_in_every_failing_tick_and_loses_nothing() {
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    let team = sys.team("brownout", "America/New_York", "15:00", "mon-fri", 40).await;
    let error = Fault::Error { code: AwsError::InternalServerError };
    // Half of every write fails: enough that some outlast the SDK's own retries (a run now
    // writes three times an email, not four).
    sys.dynamodb_faults.plan(FaultPlan::one(WRITES, 0.5, error));
    let (mut failed, mut told) = (0, 0);
    for _ in 0..3 {
        let before = sys.alerts.all().await.len();
        let sender = sys.sender(sys.config.clone()).await;
        let r = sender.handle(Command::Tick, far_deadline()).await;
        let alerts = sys.alerts.all().await;
        if r.is_err() {
            failed += 1;
            assert!(alerts.len() > before, "a failed tick alerted in that tick");
            assert!(alerts.last().unwrap().0.contains("a sender run failed"), "{:?}", alerts.last());
        } else if alerts.len() > before {
            // A team whose emails could not all be written is told, and the run goes on.
            told += 1;
            assert!(alerts[before..].iter().any(|a| a.0.contains("could not be scheduled")), "{alerts:?}");
        }
        sys.advance(5);
    }
    let hits: u64 = sys.dynamodb_faults.stats().hit.values().sum();
    assert!(hits > 0 && failed + told > 0, "the brownout happened: {hits} writes failed, {failed} ticks failed");

    sys.dynamodb_faults.plan(FaultPlan::default());
    for _ in 0..6 {
        let r = sys.tick().await;
        if r.held == 0 && sys.accepted().len() == 40 {
            break;
        }
        sys.advance(5);
    }
    assert_each_member_exactly_once(&sys, &team, 40).await;
}

/// DynamoDB applies a claim, or the write that marks an email sent, and the answer is lost on
/// the way back (the client cannot know it was applied). Nothing is lost and nobody gets the
/// email twice: a claim whose answer was lost waits out its lease, then goes; an email marked
/// sent stays sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_lost_after_a_claim_or_a_mark_sent_lose_nothing_and_send_once() {
    // Items the tick creates already claimed (PutItem), items claimed from the due index (a
    // send-now queues them pending), and the write that marks an email sent.
    for (write, op, changed, command) in [
        ("create claimed", "PutItem", r#""status":{"S":"sending"}"#, Command::Tick),
        ("claim", "UpdateItem", r#"":to":{"S":"sending"}"#, Command::SendNow { team: TeamId::parse("lost").unwrap() }),
        ("mark sent", "UpdateItem", r#"":to":{"S":"sent"}"#, Command::Tick),
    ] {
        let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
        let team = sys.team("lost", "America/New_York", "15:00", "mon-fri", 10).await;
        let plan = FaultPlan::one(&[op], 1.0, Fault::LoseAnswer);
        sys.dynamodb_faults.plan(plan.containing(changed).at_most(3));
        let sender = sys.sender(sys.config.clone()).await;
        let first = sender.handle(command, far_deadline()).await;
        let hits: u64 = sys.dynamodb_faults.stats().hit.values().sum();
        assert_eq!(hits, 3, "{write}: three answers lost ({first:?})");
        if first.is_err() {
            assert!(!sys.alerts.all().await.is_empty(), "{write}: the failed tick alerted");
        }
        sys.dynamodb_faults.plan(FaultPlan::default());
        for _ in 0..8 {
            sys.advance(5);
            let r = sys.tick().await;
            if r.held == 0 && sys.accepted().len() == 10 {
                break;
            }
        }
        assert_each_member_exactly_once(&sys, &team, 10).await;
    }
}

/// DynamoDB fails a whole tick while SNS cannot publish either: the alert that is due cannot
/// reach the topic, so it is counted in `AlertsUndelivered` (an alarm watches it) and logged.
/// When SNS answers again, the next failing tick's alert goes out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_sns_fails_too_the_undelivered_alert_is_counted() {
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    sys.team("dark", "America/New_York", "15:00", "mon-fri", 5).await;
    let down = Fault::Error { code: AwsError::InternalServerError };
    sys.dynamodb_faults.plan(FaultPlan::one(&[], 1.0, down.clone()));
    sys.sns_faults.plan(FaultPlan::one(&["Publish"], 1.0, down));
    let sender = sys.sender(sys.config.clone()).await;
    assert!(sender.handle(Command::Tick, far_deadline()).await.is_err(), "the table is down");
    assert_eq!(sys.alerter.undelivered(), 1, "the alert that was due is counted");
    assert!(sys.alerts.all().await.is_empty(), "nothing reached the topic");
    assert!(sys.sns_faults.stats().hit["Publish"] >= 1);

    sys.sns_faults.plan(FaultPlan::default());
    sys.advance(5);
    assert!(sender.handle(Command::Tick, far_deadline()).await.is_err());
    assert_eq!(sys.alerts.all().await.len(), 1, "SNS is back: the next failing tick's alert arrives");
    assert_eq!(sys.alerter.undelivered(), 1);
}

/// SES accepts an email and its answer never reaches the sender (lost, or later than the
/// client's timeout), and SES's events do not come either. The sender cannot know the email
/// went: it waits 15 minutes for SES's word, then tries again. This is the one documented
/// window for a second copy — every member gets the email, and nobody gets more copies than
/// one plus the answers lost on their email.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_ses_loses_after_accepting_resend_only_within_the_window() {
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    let lost = sys.team("lost", "America/New_York", "15:00", "mon-fri", 30).await;
    let late = sys.team("late", "America/New_York", "15:05", "mon-fri", 4).await;
    let faults = |f: ses_local::Faults| sys.ses.app().set_faults(f).unwrap();
    faults(ses_local::Faults { answer_lost_fraction: 0.2, ..Default::default() });
    sys.tick().await;
    // The next team's answers come after the sender's 2-second timeout; the invocation ends
    // (its deadline) with sends in flight.
    faults(ses_local::Faults { answer_delay_ms: 2500, ..Default::default() });
    sys.advance(5);
    let sender = sys.sender(sys.config.clone()).await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), sender.handle(Command::Tick, far_deadline())).await;
    faults(ses_local::Faults::default());
    // Unanswered emails wait 15 minutes for SES's word (none comes: no events here).
    for _ in 0..6 {
        sys.advance(5);
        sys.tick().await;
    }
    let counts = sys.ses.app().fault_counts();
    assert!(counts.answers_lost > 0 && counts.answers_delayed > 0, "the faults happened: {counts:?}");
    let accepted = sys.accepted();
    for team in [&lost, &late] {
        for m in sys.store.list_members(&team.id).await.unwrap() {
            let got = accepted.get(m.email.as_str()).copied().unwrap_or(0);
            let unanswered = counts.unanswered_to.get(m.email.as_str()).copied().unwrap_or(0) as usize;
            assert!(got >= 1, "{} got nothing", m.email);
            assert!(got <= 1 + unanswered, "{} got {got} copies with {unanswered} answers lost", m.email);
        }
        let items = sys.store.list_outbox(&team.id, None).await.unwrap();
        let sent = |i: &morale::domain::OutboxItem| i.status == morale::domain::OutboxStatus::Sent;
        assert!(items.iter().all(sent), "every email accounted as sent: {items:?}");
    }
}

/// The same lost answers with SES's events flowing to the bounce handler: each Send event
/// records the attempt the sender could not, so nobody gets a second copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_events_record_what_ses_accepted_unanswered_and_nothing_goes_twice() {
    let (sys, route) = System::with_events("2026-11-23T20:00:00Z", 1000.0).await;
    let team = sys.team("heard", "America/New_York", "15:00", "mon-fri", 20).await;
    let handler = sys.bounce_handler();
    sys.ses.app().set_faults(ses_local::Faults { answer_lost_fraction: 0.3, ..Default::default() }).unwrap();
    let r = sys.tick().await;
    assert!(r.unanswered > 0, "answers were lost: {r:?}");
    sys.ses.app().set_faults(ses_local::Faults::default()).unwrap();
    // Send and Delivery for each of the 20 accepted emails.
    assert_eq!(crate::events::pump(&route, &handler, 40).await, 40);
    for _ in 0..4 {
        sys.advance(10);
        sys.tick().await;
    }
    let accepted = sys.accepted();
    assert_eq!(accepted.values().sum::<usize>(), 20, "one email each: {accepted:?}");
    let items = sys.store.list_outbox(&team.id, None).await.unwrap();
    let delivered = |i: &morale::domain::OutboxItem| i.status == morale::domain::OutboxStatus::Delivered;
    assert!(items.iter().all(delivered), "{items:?}");
}

/// DynamoDB fails the drain's next read while emails are in flight, each already accepted by
/// SES and waiting for its answer. The run fails (and says so), but every send in flight
/// finishes and records itself: nothing SES accepted is left claimed, to go out again once its
/// lease lapses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_error_mid_drain_lets_the_sends_in_flight_finish_and_record() {
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    let team = sys.team("midway", "America/New_York", "15:00", "mon-fri", 20).await;
    sys.ses.app().set_faults(ses_local::Faults { answer_delay_ms: 300, ..Default::default() }).unwrap();
    // The run's count of what is already due and the drain's first look at it (a query per
    // shard each) work; the drain's next look, once scheduling has handed it every email and
    // they are in flight, fails.
    let first_look = FaultPlan::one(&["Query"], 1.0, Fault::Latency { ms: 0 }).containing("\"outbox#").at_most(8);
    let then =
        FaultPlan::one(&["Query"], 1.0, Fault::Error { code: AwsError::InternalServerError }).containing("\"outbox#");
    sys.dynamodb_faults.plan(FaultPlan { rules: [first_look.rules, then.rules].concat(), seed: 1 });
    let sender = sys.sender(sys.config.clone()).await;
    assert!(sender.handle(Command::Tick, far_deadline()).await.is_err(), "the run fails");
    assert!(sys.alerts.all().await.iter().any(|(s, _)| s.contains("a sender run failed")));
    sys.dynamodb_faults.plan(FaultPlan::default());
    sys.ses.app().set_faults(ses_local::Faults::default()).unwrap();

    let accepted = sys.accepted();
    assert!(!accepted.is_empty(), "sends were in flight");
    let members = sys.store.list_members(&team.id).await.unwrap();
    for item in sys.store.list_outbox(&team.id, None).await.unwrap() {
        let email = &members.iter().find(|m| m.id == item.key.member).unwrap().email;
        if accepted.contains_key(email.as_str()) {
            assert_eq!(item.status, morale::domain::OutboxStatus::Sent, "{email} was accepted: {item:?}");
        }
    }
    // Past every lease: the rest go, and nobody twice.
    for _ in 0..3 {
        sys.advance(5);
        sys.tick().await;
    }
    assert_each_member_exactly_once(&sys, &team, 20).await;
}

/// SES delivers its events best effort. Every event twice changes nothing twice: the same
/// states, one line per problem in the admins' report. Events that never come leave their
/// emails as sent — never guessed delivered, failed or suppressed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicated_events_change_nothing_twice_and_lost_ones_leave_the_email_sent() {
    let (sys, route) = System::with_events("2026-11-23T20:00:00Z", 100.0).await;
    let team = sys.team("twice", "America/New_York", "15:00", "mon-fri", 0).await;
    let handler = sys.bounce_handler();
    let emails = ["ana@example.com", "bounce@simulator.amazonses.com", "complaint@simulator.amazonses.com"];
    let ids = sys.add_members(&team, &emails).await;
    sys.ses.app().set_faults(ses_local::Faults { event_duplicate_fraction: 1.0, ..Default::default() }).unwrap();
    assert_eq!(sys.tick().await.sent, 3);
    // Send + Delivery, Send + Bounce, Send + Delivery + Complaint: each twice.
    assert_eq!(crate::events::pump(&route, &handler, 14).await, 14);
    let date = morale::domain::SendDate::parse("2026-11-23").unwrap();
    let state = |email: &str| {
        let key = morale::domain::OutboxKey { team: team.id.clone(), date, member: ids[email].clone() };
        let (store, team, id) = (sys.store.clone(), team.id.clone(), ids[email].clone());
        async move {
            let item = store.get_outbox(&key).await.unwrap().unwrap();
            (item.status, store.get_member(&team, &id).await.unwrap().unwrap().status, item.attempts)
        }
    };
    use morale::domain::{MemberStatus, OutboxStatus::*};
    assert_eq!(state("ana@example.com").await, (Delivered, MemberStatus::Active, 1));
    assert_eq!(state("bounce@simulator.amazonses.com").await, (Failed, MemberStatus::Bounced, 1));
    assert_eq!(state("complaint@simulator.amazonses.com").await, (Complained, MemberStatus::Complained, 1));
    let report = sys.store.get_problem_report(&team.id, date).await.unwrap().expect("a report of the problems");
    assert_eq!(report.lines.len(), 2, "one line per problem: {:?}", report.lines);

    // Now SES's events are lost: a later team's email stays sent, and nothing else is guessed.
    sys.ses.app().set_faults(ses_local::Faults { event_drop_fraction: 1.0, ..Default::default() }).unwrap();
    let quiet = sys.team("quiet", "America/New_York", "15:00", "mon-fri", 1).await;
    assert_eq!(sys.tick().await.sent, 1);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(route.take().await.unwrap().is_empty(), "no event reached the rule");
    let items = sys.store.list_outbox(&quiet.id, None).await.unwrap();
    assert_eq!((items.len(), items[0].status), (1, Sent));
    assert_eq!(sys.ses.app().fault_counts().events_dropped, 2, "its Send and Delivery");
}

/// The first votes of a day come at once, and DynamoDB cancels a transaction that meets
/// another on the same items: the day's salt is looked for and created again, and the vote is
/// taken. One that keeps meeting others is refused as a conflict (the page says try again),
/// never taken under a second salt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_days_first_vote_outlasts_a_transaction_conflict() {
    use morale::voter::DaySalt;
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    let (team, date) = (TeamId::parse("salted").unwrap(), morale::domain::SendDate::parse("2026-11-23").unwrap());
    let closes = "2026-11-24T04:00:00Z".parse().unwrap();
    assert!(sys.store.open_day(&team, date, &morale::domain::DayPlan::default(), closes).await.unwrap());
    let conflict = Fault::Error { code: AwsError::TransactionConflict };
    sys.dynamodb_faults.plan(FaultPlan::one(&["TransactWriteItems"], 1.0, conflict.clone()).at_most(1));
    let fresh = DaySalt::random();
    assert_eq!(sys.store.day_salt(&team, date, &fresh).await.unwrap(), Some(fresh.clone()));
    assert_eq!(sys.dynamodb_faults.stats().hit.values().sum::<u64>(), 1, "the conflict happened");

    let next = date.next_day();
    assert!(sys.store.open_day(&team, next, &morale::domain::DayPlan::default(), closes).await.unwrap());
    sys.dynamodb_faults.plan(FaultPlan::one(&["TransactWriteItems"], 1.0, conflict));
    let e = sys.store.day_salt(&team, next, &DaySalt::random()).await.expect_err("every try met a conflict");
    assert!(matches!(e, morale::store::StoreError::Conflict(_)), "{e:?}");
    sys.dynamodb_faults.plan(FaultPlan::default());
    let again = DaySalt::random();
    assert_eq!(sys.store.day_salt(&team, next, &again).await.unwrap(), Some(again), "no salt was left behind");
}

/// One team's record cannot be read (a hand edit) when its admins' report of delivery problems
/// falls due: the report goes to on-call instead, and every other team's emails go out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_team_with_a_due_problem_report_stops_no_other_teams_email() {
    let sys = System::new("2026-11-23T20:00:00Z", 100.0).await;
    let alpha = sys.team("alpha", "America/New_York", "15:00", "mon-fri", 3).await;
    let beta = sys.team("beta", "America/New_York", "16:00", "mon-fri", 1).await;
    let date = morale::domain::SendDate::parse("2026-11-23").unwrap();
    let line = "bob@example.com — bounced (permanent bounce (General): 5.1.1)";
    assert!(sys.store.note_problem(&beta.id, date, line, sys.clock.now()).await.unwrap());
    crate::contract::edit_by_hand(&sys.store, "TEAM#beta", "TEAM", "zone", "Mars/Olympus_Mons").await;

    let r = sys.tick().await;
    assert_eq!(r.sent, 3, "{r:?}");
    for m in alpha_members(&sys, &alpha).await {
        assert_eq!(sys.accepted().get(&m).copied(), Some(1), "{m}");
    }
    let alerts = sys.alerts.all().await;
    let told = alerts.iter().find(|a| a.0.contains("team beta") && a.0.contains("cannot be read")).expect("told");
    assert!(told.1.contains("b***@example.com") && !told.1.contains("bob@example.com"), "{}", told.1);
    let report = sys.store.get_problem_report(&beta.id, date).await.unwrap().unwrap();
    assert!(report.queued_at.is_some(), "told once, not every tick");
}

async fn alpha_members(sys: &System, team: &morale::domain::Team) -> Vec<String> {
    sys.store.list_members(&team.id).await.unwrap().into_iter().map(|m| m.email.to_string()).collect()
}

/// SES refuses mid-batch, and as every claim is given back at once the table fails one of
/// those writes: on-call still hears that SES refused (the cause), not only that the table
/// failed, and nothing is lost once both recover.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_error_while_ses_refuses_still_tells_the_refusal() {
    let sys = System::new("2026-11-23T20:00:00Z", 200.0).await;
    let team = sys.team("refused", "America/New_York", "15:00", "mon-fri", 60).await;
    let revoke =
        ses_local::IdentityChange { state: Some("revoked".into()), after_sends: Some(10), ..Default::default() };
    sys.ses.app().change_identity(crate::system::IDENTITY, revoke).unwrap();
    let release = "if_not_exists(released_status, :pending)";
    let down = Fault::Error { code: AwsError::InternalServerError };
    sys.dynamodb_faults.plan(FaultPlan::one(&["UpdateItem"], 1.0, down).containing(release));
    let r = sys.sender(sys.config.clone()).await.handle(Command::Tick, far_deadline()).await;
    assert!(r.is_err(), "the table failed: {r:?}");
    let alerts = sys.alerts.all().await;
    assert!(alerts.iter().any(|a| a.0.contains("SES refused to send")), "{alerts:#?}");

    sys.dynamodb_faults.plan(FaultPlan::default());
    sys.ses.app().set_identity_state(crate::system::IDENTITY, "verified").unwrap();
    for _ in 0..6 {
        sys.advance(5);
        if sys.tick().await.held == 0 && sys.accepted().len() == 60 {
            break;
        }
    }
    assert_each_member_exactly_once(&sys, &team, 60).await;
}

/// DynamoDB's indexes catch up with the table a moment later: a team an operator pauses, or
/// gives today off, just before a tick is still listed as due as it was. Neither is emailed,
/// and neither day is recorded as sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_paused_or_given_the_day_off_while_the_index_lags_gets_no_email() {
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    let paused = sys.team("paused", "America/New_York", "15:00", "mon-fri", 3).await;
    let off = sys.team("off", "America/New_York", "15:00", "mon-fri", 3).await;
    // The due index answers as it first did, before the operator's changes.
    let stale = FaultPlan::one(&["Query"], 1.0, Fault::StaleAnswer).containing(r#"":k":{"S":"team"}"#);
    sys.dynamodb_faults.plan(stale);
    assert_eq!(sys.store.due_teams(sys.clock.now()).await.unwrap().items.len(), 2, "both due");
    let mut t = sys.store.get_team(&paused.id).await.unwrap().unwrap();
    t.pause();
    sys.store.update_team(&t).await.unwrap();
    let mut t = sys.store.get_team(&off.id).await.unwrap().unwrap();
    let today = SendDate::parse("2026-11-23").unwrap();
    t.schedule = t.schedule.clone().with_quiet(QuietDays::new([today]).unwrap());
    sys.store.update_team(&t).await.unwrap();
    assert_eq!(sys.store.due_teams(sys.clock.now()).await.unwrap().items.len(), 2, "the index lags");

    sys.tick().await;
    assert!(sys.accepted().is_empty(), "{:?}", sys.accepted());
    for team in [&paused, &off] {
        assert!(sys.store.list_outbox(&team.id, None).await.unwrap().is_empty(), "{}: nothing queued", team.id);
        assert!(sys.store.get_day(&team.id, today).await.unwrap().is_none(), "{}: no day recorded", team.id);
    }
}

/// DynamoDB applies the write that fails an email SES refused, and its answer is lost: the
/// SDK sends it again, and that attempt finds the email failed already. It was this run's
/// write: the failure is counted and on-call is told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_written_but_unanswered_is_still_counted_and_told() {
    let sys = System::new("2026-11-23T20:00:00Z", 1000.0).await;
    let team = sys.team("told", "America/New_York", "15:00", "mon-fri", 3).await;
    let refused = "told-00001@example.com";
    let faults = ses_local::Faults { invalid_recipients: vec![refused.into()], ..Default::default() };
    sys.ses.app().set_faults(faults).unwrap();
    let lost = FaultPlan::one(&["UpdateItem"], 1.0, Fault::LoseAnswer).containing(r#"":to":{"S":"failed"}"#);
    sys.dynamodb_faults.plan(lost.at_most(1));
    let r = sys.tick().await;
    assert_eq!(sys.dynamodb_faults.stats().hit.values().sum::<u64>(), 1, "the answer was lost");
    assert_eq!((r.sent, r.failed), (2, 1), "{r:?}");
    let alerts = sys.alerts.all().await;
    assert!(alerts.iter().any(|a| a.0.contains("1 email(s) failed permanently")), "{alerts:#?}");
    let items = sys.store.list_outbox(&team.id, None).await.unwrap();
    assert_eq!(items.iter().filter(|i| i.status == morale::domain::OutboxStatus::Failed).count(), 1);
}
