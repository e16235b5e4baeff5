//! The bounce handler against the in-memory store: every event type and bounce subtype, the
//! actions they lead to, idempotence under any order, and malformed input.

use jiff::SignedDuration;
use morale::clock::Clock;
use morale::domain::outbox::Change;
use morale::domain::{EmailAddress, MemberId, SendDate, TeamId};
use morale::domain::{MemberStatus, OutboxItem, OutboxKey, OutboxKind, OutboxStatus};
use morale::ses_event::{self, BounceType, EventError, MailEvent};
use morale::store::prelude::*;
use morale_bounce_handler::Outcome;
use proptest::prelude::*;
use serde_json::{Value, json};

mod common;
use common::*;

#[test]
fn parses_every_detail_type_and_bounce_subtype() {
    let m = MemberId::parse("mabc").unwrap();
    let parse = |v: Value| ses_event::parse(v.to_string().as_bytes()).unwrap();
    assert_eq!(parse(event("Email Sent", "Send", &m, "x", Some(("send", json!({}))))).event, MailEvent::Sent);
    assert_eq!(parse(event("Email Delivered", "Delivery", &m, "x", None)).event, MailEvent::Delivered);
    for (kind, subs, want) in [
        ("Permanent", &["General", "NoEmail", "Suppressed", "OnAccountSuppressionList"][..], BounceType::Permanent),
        (
            "Transient",
            &["General", "MailboxFull", "MessageTooLarge", "ContentRejected", "AttachmentRejected"][..],
            BounceType::Transient,
        ),
        ("Undetermined", &["Undetermined"][..], BounceType::Undetermined),
    ] {
        for sub in subs {
            match parse(event("Email Bounced", "Bounce", &m, "x", Some(bounce(kind, sub)))).event {
                MailEvent::Bounced { kind: k, sub_type, detail } => {
                    assert_eq!((k, sub_type.as_str()), (want, *sub));
                    assert!(detail.contains("5.1.1"), "{detail}");
                }
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(matches!(
        parse(event("Email Complaint Received", "Complaint", &m, "x", Some(complaint()))).event,
        MailEvent::Complained { feedback_type } if feedback_type == "abuse"
    ));
    match parse(event("Email Delivery Delayed", "DeliveryDelay", &m, "x", Some(delay("2026-11-24T02:00:00Z")))).event {
        MailEvent::Delayed { expires, .. } => assert_eq!(expires, Some(ts("2026-11-24T02:00:00Z"))),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse(event("Email Rejected", "Reject", &m, "x", Some(("reject", json!({"reason": "Bad content"}))))).event,
        MailEvent::Rejected { reason } if reason == "Bad content"
    ));
    assert!(matches!(
        parse(event("Email Rendering Failed", "Rendering Failure", &m, "x", Some(("failure", json!({"errorMessage": "no data", "templateName": "t"}))))).event,
        MailEvent::RenderingFailed { message } if message == "no data"
    ));
    for (dt, et) in [
        ("Email Opened", "Open"),
        ("Email Clicked", "Click"),
        ("Email Subscribed", "Subscription"),
        ("Email Teleported", "Teleport"),
    ] {
        assert_eq!(parse(event(dt, et, &m, "x", None)).event, MailEvent::Other { event_type: et.into() });
    }
    // Correlation from the tags.
    let e = parse(event("Email Delivered", "Delivery", &m, "mid-1", None));
    let c = e.correlation.unwrap();
    assert_eq!(
        (c.team.as_str(), c.member.as_str(), c.date.as_str(), c.send, e.message_id.as_str()),
        ("platform", "mabc", DATE, 1, "mid-1")
    );
}

#[test]
fn parses_published_style_samples() {
    let e = ses_event::parse_value(sample("bounce-permanent-general")).unwrap();
    assert!(
        matches!(&e.event, MailEvent::Bounced { kind: BounceType::Permanent, sub_type, .. } if sub_type == "General")
    );
    assert_eq!(e.correlation.unwrap().member.as_str(), "mabcdefghijklmnopqrst");
    assert_eq!(e.at, Some(ts("2026-11-23T20:01:04.512Z")));
    let e = ses_event::parse_value(sample("complaint-abuse")).unwrap();
    assert!(matches!(e.event, MailEvent::Complained { .. }));
    // Older feeds name the type `notificationType`.
    let e = ses_event::parse_value(sample("delivery-delay-legacy-notification")).unwrap();
    assert!(matches!(e.event, MailEvent::Delayed { ref delay_type, .. } if delay_type == "MailboxFull"));
    assert_eq!(e.correlation.unwrap().send, 2);
}

#[tokio::test]
async fn delivered_marks_the_outbox_and_resets_soft_bounces() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    w.store.add_soft_bounce(&key.team, &m, w.clock.now()).await.unwrap();
    let out = w.on(event("Email Delivered", "Delivery", &m, &mid, None)).await;
    assert_eq!(out, vec![Outcome::Delivered]);
    assert_eq!(w.status(&key).await, (OutboxStatus::Delivered, MemberStatus::Active));
    assert_eq!(w.store.get_member(&key.team, &m).await.unwrap().unwrap().soft_bounces, 0);
    let out = w.on(event("Email Delivered", "Delivery", &m, &mid, None)).await;
    assert_eq!(out, vec![Outcome::AlreadyApplied]);
}

/// A run recorded the delivery, then failed before forgetting the member's soft bounces (the
/// table answered an error); Lambda runs the event again: they are forgotten then.
#[tokio::test]
async fn a_delivery_handled_again_after_a_failed_run_still_forgets_soft_bounces() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    for _ in 0..2 {
        w.store.add_soft_bounce(&key.team, &m, w.clock.now()).await.unwrap();
    }
    assert!(w.store.change(&key, &Change::Delivered, w.clock.now()).await.unwrap().is_some(), "the failed run's");
    let out = w.on(event("Email Delivered", "Delivery", &m, &mid, None)).await;
    assert_eq!(out, vec![Outcome::AlreadyApplied], "counted once, by the run that recorded it");
    assert_eq!(w.store.get_member(&key.team, &m).await.unwrap().unwrap().soft_bounces, 0);
}

#[tokio::test]
async fn a_permanent_bounce_fails_the_email_bounces_the_member_and_queues_one_digest() {
    for sub in ["General", "NoEmail", "Suppressed", "OnAccountSuppressionList"] {
        let w = world();
        let (m, key, mid) = w.sent(1).await;
        let (m2, key2, mid2) = w.sent(2).await;
        let out = w.on(event("Email Bounced", "Bounce", &m, &mid, Some(bounce("Permanent", sub)))).await;
        assert_eq!(out, vec![Outcome::Failed, Outcome::MemberBounced], "{sub}");
        assert_eq!(w.status(&key).await, (OutboxStatus::Failed, MemberStatus::Bounced));
        let item = w.store.get_outbox(&key).await.unwrap().unwrap();
        assert!(item.last_error.unwrap().contains(&format!("permanent bounce ({sub})")));
        w.on(event("Email Bounced", "Bounce", &m2, &mid2, Some(bounce("Permanent", sub)))).await;
        assert_eq!(w.status(&key2).await.1, MemberStatus::Bounced);
        // One digest for the day, both lines, due an hour later; no operator alert per bounce.
        assert!(w.store.due_problem_reports(w.clock.now()).await.unwrap().is_empty());
        let digests = w.store.due_problem_reports(w.clock.now() + SignedDuration::from_hours(1)).await.unwrap();
        assert_eq!(digests.len(), 1);
        assert_eq!(digests[0].lines.len(), 2);
        assert!(digests[0].lines[0].starts_with("member1@example.com — bounced"), "{:?}", digests[0].lines);
        assert!(w.alerter.alerts().is_empty());
    }
}

#[tokio::test]
async fn a_bounce_after_its_days_report_went_out_joins_the_next_days_report() {
    let w = world();
    let (m, _, mid) = w.sent(1).await;
    let (m2, _, mid2) = w.sent(2).await;
    w.on(event("Email Bounced", "Bounce", &m, &mid, Some(bounce("Permanent", "General")))).await;
    let team = TeamId::parse("platform").unwrap();
    let date = SendDate::parse(DATE).unwrap();
    assert!(w.store.mark_problem_report_queued(&team, date, w.clock.now()).await.unwrap());
    // Hours late, as SES may publish it: that day's report is out, the line must not be lost.
    w.clock.advance(SignedDuration::from_hours(3));
    let out = w.on(event("Email Bounced", "Bounce", &m2, &mid2, Some(bounce("Permanent", "General")))).await;
    assert_eq!(out, vec![Outcome::Failed, Outcome::MemberBounced]);
    assert_eq!(w.store.get_problem_report(&team, date).await.unwrap().unwrap().lines.len(), 1);
    let next = w.store.get_problem_report(&team, date.next_day()).await.unwrap().expect("the next day's report");
    assert_eq!(next.lines.len(), 1);
    assert!(next.lines[0].starts_with("member2@example.com — bounced"), "{:?}", next.lines);
    assert!(next.lines[0].ends_with(&format!("(about the email of {DATE})")), "{:?}", next.lines);
    assert_eq!(next.send_after, w.clock.now() + SignedDuration::from_hours(1));
    // Handled again (its answer lost): still one line.
    w.on(event("Email Bounced", "Bounce", &m2, &mid2, Some(bounce("Permanent", "General")))).await;
    assert_eq!(w.store.get_problem_report(&team, date.next_day()).await.unwrap().unwrap().lines.len(), 1);
    assert!(w.alerter.alerts().is_empty());
}

/// A delivery or a delay for an attempt the sender released as unanswered, whose Send event
/// was lost: recorded as sent, never sent again.
#[tokio::test]
async fn a_delivery_or_delay_for_an_unrecorded_attempt_records_it_and_nothing_is_sent_again() {
    let w = world();
    let (m, key) = w.unanswered(1).await;
    assert_eq!(w.on(event("Email Delivered", "Delivery", &m, "m-lost", None)).await, vec![Outcome::Delivered]);
    let item = w.store.get_outbox(&key).await.unwrap().unwrap();
    assert_eq!((item.status, item.attempts, item.message_id.as_deref()), (OutboxStatus::Delivered, 1, Some("m-lost")));
    let (m2, key2) = w.unanswered(2).await;
    let delayed = event("Email Delivery Delayed", "DeliveryDelay", &m2, "m-slow", Some(delay("2026-11-24T02:00:00Z")));
    assert_eq!(w.on(delayed).await, vec![Outcome::Delayed]);
    let item = w.store.get_outbox(&key2).await.unwrap().unwrap();
    assert_eq!((item.status, item.attempts), (OutboxStatus::Sent, 1), "not due for a re-send");
    let expiry = ts("2026-11-24T02:00:00Z") + morale::domain::outbox::CONFIRM_WINDOW;
    assert_eq!(item.due_at, Some(expiry));
}

/// A transient bounce that comes before the sender recorded its attempt (SES's answer late)
/// is not consumed: the attempt is recorded from the event, then deferred and retried.
#[tokio::test]
async fn a_transient_bounce_before_the_attempt_is_recorded_still_defers_it() {
    let w = world();
    let (m, key) = w.claimed(1).await;
    let out = w.on(event("Email Bounced", "Bounce", &m, "m-1", Some(bounce("Transient", "MailboxFull")))).await;
    assert_eq!(out, vec![Outcome::Deferred]);
    let item = w.store.get_outbox(&key).await.unwrap().unwrap();
    assert_eq!((item.status, item.attempts, item.message_id.as_deref()), (OutboxStatus::Deferred, 1, Some("m-1")));
    assert_eq!(item.due_at, Some(w.clock.now() + SignedDuration::from_mins(15)), "retried later");
    // The sender's own record comes after, and changes nothing: the email is not lost as sent.
    let late = w.store.mark_sent(&key, "s", "m-1", w.clock.now()).await.unwrap();
    assert!(!late, "the claim was overtaken by the event");
    assert_eq!(w.store.get_outbox(&key).await.unwrap().unwrap().status, OutboxStatus::Deferred);
    // Its Send event, arriving last, is old news.
    assert_eq!(w.on(event("Email Sent", "Send", &m, "m-1", None)).await, vec![Outcome::Noted]);
}

#[tokio::test]
async fn transient_bounces_defer_then_fail_after_the_attempts() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    let out = w.on(event("Email Bounced", "Bounce", &m, &mid, Some(bounce("Transient", "MailboxFull")))).await;
    assert_eq!(out, vec![Outcome::Deferred]);
    let item = w.store.get_outbox(&key).await.unwrap().unwrap();
    assert_eq!(item.status, OutboxStatus::Deferred);
    assert_eq!(item.due_at, Some(w.clock.now() + SignedDuration::from_mins(15)));
    assert_eq!(w.store.get_member(&key.team, &m).await.unwrap().unwrap().soft_bounces, 1);
    // Repeated: nothing more.
    let out = w.on(event("Email Bounced", "Bounce", &m, &mid, Some(bounce("Transient", "MailboxFull")))).await;
    assert_eq!(out, vec![Outcome::AlreadyApplied]);
    // Attempts 2 and 3 bounce too: the second defers (30 min), the third fails and alerts.
    let mut last = mid;
    for (attempt, want) in [(2u32, Outcome::Deferred), (3, Outcome::RetriesExhausted)] {
        let at = w.store.get_outbox(&key).await.unwrap().unwrap().due_at.unwrap();
        w.clock.set(at);
        w.store.claim(&key, "s", at, at + SignedDuration::from_mins(2)).await.unwrap().unwrap();
        last = format!("m-1-{attempt}");
        w.store.mark_sent(&key, "s", &last, at).await.unwrap();
        let out = w.on(event("Email Bounced", "Bounce", &m, &last, Some(bounce("Undetermined", "Undetermined")))).await;
        assert_eq!(out[0], want, "attempt {attempt}");
    }
    let item = w.store.get_outbox(&key).await.unwrap().unwrap();
    assert_eq!(item.status, OutboxStatus::Failed);
    assert!(item.last_error.unwrap().contains("retries exhausted after 3 attempt(s)"));
    // One bad day is one soft bounce, however many attempts it took: the member stays active,
    // as the alert says.
    assert_eq!(w.status(&key).await.1, MemberStatus::Active);
    assert_eq!(w.store.get_member(&key.team, &m).await.unwrap().unwrap().soft_bounces, 1);
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains("after 3 attempt(s)"));
    assert!(alerts[0].message.contains("The member stays active"));
    let _ = last;
    // A third day in a row with a transient bounce makes the member bounced.
    let (m2, key2, mid2) = w.sent(2).await;
    for _ in 0..2 {
        w.store.add_soft_bounce(&key2.team, &m2, w.clock.now()).await.unwrap();
    }
    let out = w.on(event("Email Bounced", "Bounce", &m2, &mid2, Some(bounce("Transient", "General")))).await;
    assert_eq!(out, vec![Outcome::Deferred, Outcome::MemberBounced]);
}

#[tokio::test]
async fn retries_never_go_past_the_teams_local_day() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    w.clock.set(ts("2026-11-24T04:50:00Z")); // ten minutes before the day ends in New York
    let out = w.on(event("Email Bounced", "Bounce", &m, &mid, Some(bounce("Transient", "General")))).await;
    assert_eq!(out, vec![Outcome::RetriesExhausted]);
    assert_eq!(w.status(&key).await, (OutboxStatus::Failed, MemberStatus::Active));
}

/// SES's Send event for an attempt the sender could not record (its answer was lost) records
/// it as sent, so that it is not sent again; for an attempt already recorded it changes nothing.
#[tokio::test]
async fn a_send_event_records_an_attempt_ses_never_answered_for() {
    let w = world();
    let (m, key) = w.unanswered(1).await;
    let send = |mid: &str| event("Email Sent", "Send", &m, mid, Some(("send", json!({}))));
    assert_eq!(w.on(send("m-lost")).await, vec![Outcome::Accepted]);
    let item = w.store.get_outbox(&key).await.unwrap().unwrap();
    assert_eq!((item.status, item.attempts, item.message_id.as_deref()), (OutboxStatus::Sent, 1, Some("m-lost")));
    assert!(!item.status.awaits_sender(), "not for the sender any more");
    assert_eq!(item.due_at, Some(w.clock.now() + morale::domain::outbox::CONFIRM_WINDOW), "awaits its events");
    assert_eq!(w.on(send("m-lost")).await, vec![Outcome::Noted], "a repeat changes nothing");
    // A recorded attempt's Send event (the usual case) changes nothing either.
    let (m2, key2, mid2) = w.sent(2).await;
    let recorded = event("Email Sent", "Send", &m2, &mid2, Some(("send", json!({}))));
    assert_eq!(w.on(recorded).await, vec![Outcome::Noted]);
    assert_eq!(w.store.get_outbox(&key2).await.unwrap().unwrap().attempts, 1);
    // Its delivery then settles it as usual.
    assert_eq!(w.on(event("Email Delivered", "Delivery", &m, "m-lost", None)).await, vec![Outcome::Delivered]);
}

/// A delay changes nothing: SES still holds the email and its next event settles it. A retry
/// planned on a delay would put a second copy in the mailbox whenever the delivery event is
/// lost (found by the simulator).
#[tokio::test]
async fn a_delay_leaves_the_email_to_ses_until_its_next_event() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    let out =
        w.on(event("Email Delivery Delayed", "DeliveryDelay", &m, &mid, Some(delay("2026-11-23T23:00:00Z")))).await;
    assert_eq!(out, vec![Outcome::Delayed]);
    let item = w.store.get_outbox(&key).await.unwrap().unwrap();
    assert!(!item.status.awaits_sender(), "not due for a re-send");
    let expiry = ts("2026-11-23T23:00:00Z") + morale::domain::outbox::CONFIRM_WINDOW;
    assert_eq!((item.status, item.due_at), (OutboxStatus::Sent, Some(expiry)), "awaited until SES gives up");
    assert_eq!(w.store.get_member(&key.team, &m).await.unwrap().unwrap().soft_bounces, 0, "a delay is not a bounce");
    let out = w.on(event("Email Delivered", "Delivery", &m, &mid, None)).await;
    assert_eq!(out, vec![Outcome::Delivered]);
    assert_eq!(w.status(&key).await.0, OutboxStatus::Delivered);
    // When SES gives up, its bounce is what may bring a retry.
    let (m2, key2, mid2) = w.sent(2).await;
    w.on(event("Email Delivery Delayed", "DeliveryDelay", &m2, &mid2, Some(delay("2026-11-24T09:00:00Z")))).await;
    let out = w.on(event("Email Bounced", "Bounce", &m2, &mid2, Some(bounce("Transient", "General")))).await;
    assert_eq!(out, vec![Outcome::Deferred]);
    assert_eq!(w.status(&key2).await.0, OutboxStatus::Deferred);
}

#[tokio::test]
async fn complaints_suppress_the_member_for_good() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    w.on(event("Email Delivered", "Delivery", &m, &mid, None)).await;
    let out = w.on(event("Email Complaint Received", "Complaint", &m, &mid, Some(complaint()))).await;
    assert_eq!(out, vec![Outcome::EmailComplained, Outcome::MemberComplained]);
    assert_eq!(w.status(&key).await, (OutboxStatus::Complained, MemberStatus::Complained));
    let item = w.store.get_outbox(&key).await.unwrap().unwrap();
    assert_eq!(item.last_error.as_deref(), Some("complaint (abuse)"), "the day's ledger counts it as complained");
    // A repeat changes nothing.
    let out = w.on(event("Email Complaint Received", "Complaint", &m, &mid, Some(complaint()))).await;
    assert_eq!(out, vec![Outcome::AlreadyApplied]);
    // A later bounce does not lower a complaint to a bounce.
    w.on(event("Email Bounced", "Bounce", &m, &mid, Some(bounce("Permanent", "General")))).await;
    assert_eq!(w.status(&key).await, (OutboxStatus::Failed, MemberStatus::Complained));
}

#[tokio::test]
async fn rejects_and_rendering_failures_fail_and_alert_the_operator() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    let out =
        w.on(event("Email Rejected", "Reject", &m, &mid, Some(("reject", json!({"reason": "Bad content"}))))).await;
    assert_eq!(out, vec![Outcome::Failed]);
    assert_eq!(w.status(&key).await, (OutboxStatus::Failed, MemberStatus::Active));
    let (m2, _, mid2) = w.sent(2).await;
    w.on(event(
        "Email Rendering Failed",
        "Rendering Failure",
        &m2,
        &mid2,
        Some(("failure", json!({"errorMessage": "boom"}))),
    ))
    .await;
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 2);
    assert!(alerts[0].message.contains("Bad content") && alerts[1].message.contains("boom"));
}

#[tokio::test]
async fn the_reputation_guard_pauses_sending_and_alerts_once() {
    let w = world();
    morale::reputation::add(
        w.store.as_ref(),
        w.clock.now(),
        morale::reputation::Counts { sent: 100, ..Default::default() },
    )
    .await
    .unwrap();
    for n in 0..7 {
        let (m, _, mid) = w.sent(n).await;
        w.on(event("Email Bounced", "Bounce", &m, &mid, Some(bounce("Permanent", "General")))).await;
    }
    let pause = morale::reputation::current_pause(w.store.as_ref(), w.clock.now()).await.unwrap().expect("paused");
    assert!(pause.reason.starts_with("bounce rate 6.0%"), "{}", pause.reason);
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].subject.contains("sending paused"));
}

#[tokio::test]
async fn events_for_mail_morale_did_not_send_are_ignored() {
    let w = world();
    let mut e = event("Email Delivered", "Delivery", &MemberId::parse("mx").unwrap(), "x", None);
    e["detail"]["mail"]["tags"] = json!({"ses:configuration-set": ["other"]});
    assert_eq!(w.on(e).await, vec![Outcome::NotOurs]);
    // Tags for an item that does not exist: nothing is created.
    let ghost = MemberId::parse("mghost").unwrap();
    let out = w.on(event("Email Bounced", "Bounce", &ghost, "x", Some(bounce("Permanent", "General")))).await;
    assert_eq!(out, vec![Outcome::AlreadyApplied]);
    let out = w.on(event("Email Opened", "Open", &ghost, "x", None)).await;
    assert_eq!(out, vec![Outcome::Noted]);
}

#[tokio::test]
async fn malformed_events_fail_the_invocation_without_a_panic() {
    let w = world();
    let m = MemberId::parse("mabc").unwrap();
    let mut no_bounce = event("Email Bounced", "Bounce", &m, "x", None);
    no_bounce["detail"]["bounce"] = Value::Null;
    let mut wrong_type = event("Email Delivered", "Delivery", &m, "x", None);
    wrong_type["detail"]["mail"]["messageId"] = json!(42);
    let mut huge = event("Email Delivered", "Delivery", &m, "x", None);
    huge["detail"]["padding"] = json!("x".repeat(1 << 20));
    for bad in [
        json!("garbage"),
        json!(null),
        json!([1, 2, 3]),
        json!({"source": "aws.ses"}),
        json!({"source": "aws.s3", "detail": {}}),
        json!({"source": "aws.ses", "detail": {"eventType": "Delivery"}}),
        no_bounce,
        wrong_type,
    ] {
        let r = w.handler.handle(bad.clone()).await;
        assert!(matches!(r, Err(morale_bounce_handler::HandlerError::Unparseable(_))), "{bad}: {r:?}");
    }
    // A 1 MB detail: the handler reads it (or not) but never panics, and changes nothing.
    let _ = w.handler.handle(huge.clone()).await;
    assert!(matches!(ses_event::parse(huge.to_string().as_bytes()), Err(EventError::Shape(_))));
    assert!(matches!(ses_event::parse(b"{not json"), Err(EventError::NotJson(_))));
}

/// Which events a member's email gets, in the order SES would send them.
#[derive(Debug, Clone, Copy)]
enum Script {
    Delivered,
    PermanentBounce,
    TransientBounce,
    DelayThenDelivered,
    DeliveredThenComplaint,
    /// Receiving servers may accept, then bounce later.
    DeliveredThenBounce,
    Rejected,
}

fn script() -> impl Strategy<Value = Script> {
    prop_oneof![
        Just(Script::Delivered),
        Just(Script::PermanentBounce),
        Just(Script::TransientBounce),
        Just(Script::DelayThenDelivered),
        Just(Script::DeliveredThenComplaint),
        Just(Script::DeliveredThenBounce),
        Just(Script::Rejected),
    ]
}

fn events_for(s: Script, m: &MemberId, mid: &str) -> Vec<Value> {
    let sent = event("Email Sent", "Send", m, mid, Some(("send", json!({}))));
    let delivered = event("Email Delivered", "Delivery", m, mid, None);
    match s {
        Script::Delivered => vec![sent, delivered],
        Script::PermanentBounce => {
            vec![sent, event("Email Bounced", "Bounce", m, mid, Some(bounce("Permanent", "General")))]
        }
        Script::TransientBounce => {
            vec![sent, event("Email Bounced", "Bounce", m, mid, Some(bounce("Transient", "General")))]
        }
        Script::DelayThenDelivered => {
            vec![
                sent,
                event("Email Delivery Delayed", "DeliveryDelay", m, mid, Some(delay("2026-11-23T22:00:00Z"))),
                delivered,
            ]
        }
        Script::DeliveredThenComplaint => {
            vec![sent, delivered, event("Email Complaint Received", "Complaint", m, mid, Some(complaint()))]
        }
        Script::DeliveredThenBounce => {
            vec![sent, delivered, event("Email Bounced", "Bounce", m, mid, Some(bounce("Permanent", "General")))]
        }
        Script::Rejected => {
            vec![event("Email Rejected", "Reject", m, mid, Some(("reject", json!({"reason": "virus"}))))]
        }
    }
}

async fn final_state(
    scripts: &[Script],
    order: Option<&[usize]>,
    dups: &[usize],
) -> Vec<(OutboxStatus, MemberStatus, u32)> {
    let w = world();
    let mut all = Vec::new();
    let mut keys = Vec::new();
    for (n, s) in scripts.iter().enumerate() {
        let (m, key, mid) = w.sent(n).await;
        all.extend(events_for(*s, &m, &mid));
        keys.push(key);
    }
    let mut seq: Vec<Value> = match order {
        Some(o) => o.iter().map(|&i| all[i % all.len()].clone()).collect(),
        None => all.clone(),
    };
    // Every event at least once, some twice.
    if order.is_some() {
        for e in &all {
            if !seq.contains(e) {
                seq.push(e.clone());
            }
        }
        for &d in dups {
            seq.push(all[d % all.len()].clone());
        }
    }
    for e in seq {
        w.on(e).await;
    }
    let mut out = Vec::new();
    for k in &keys {
        let item = w.store.get_outbox(k).await.unwrap().unwrap();
        let member = w.store.get_member(&k.team, &k.member).await.unwrap().unwrap();
        out.push((item.status, member.status, member.soft_bounces));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any order of a day's events, with duplicates, ends where the ordered pass ends.
    #[test]
    fn any_order_with_duplicates_ends_in_the_same_state(
        scripts in proptest::collection::vec(script(), 1..6),
        order in proptest::collection::vec(0usize..64, 0..40),
        dups in proptest::collection::vec(0usize..64, 0..10),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (ordered, shuffled) = rt.block_on(async {
            (final_state(&scripts, None, &[]).await, final_state(&scripts, Some(&order), &dups).await)
        });
        prop_assert_eq!(ordered, shuffled);
    }
}

impl World {
    /// The team's admin lead@example.com, with a sent email of `kind` for today (message `mid`).
    async fn admin_sent(&self, kind: OutboxKind, mid: &str) -> OutboxKey {
        let team = TeamId::parse("platform").unwrap();
        let start = ts("2026-11-23T20:00:00Z");
        let lead = EmailAddress::parse("lead@example.com").unwrap();
        let date = SendDate::parse(DATE).unwrap();
        let item = OutboxItem::for_admin(kind, team, date, lead, start, ts("2026-11-24T05:00:00Z"), start);
        self.store.enqueue(&item).await.unwrap();
        self.store.claim(&item.key, "s", start, start + SignedDuration::from_mins(2)).await.unwrap().unwrap();
        self.store.mark_sent(&item.key, "s", mid, start).await.unwrap();
        item.key
    }

    async fn reputation(&self) -> morale::reputation::Counts {
        morale::reputation::window(self.store.as_ref(), self.clock.now()).await.unwrap()
    }
}

/// An admin's report of a bounce that bounced would report itself to the same address in the
/// next day's report, every hour, for ever: on-call is told instead, once.
#[tokio::test]
async fn an_admins_bouncing_address_is_told_to_on_call_not_to_the_admins() {
    let w = world();
    let (m, _, mid) = w.sent(1).await;
    w.on(event("Email Bounced", "Bounce", &m, &mid, Some(bounce("Permanent", "General")))).await;
    let team = TeamId::parse("platform").unwrap();
    let date = SendDate::parse(DATE).unwrap();
    assert!(w.store.mark_problem_report_queued(&team, date, w.clock.now()).await.unwrap());
    let key = w.admin_sent(OutboxKind::ProblemReport, "m-report").await;

    let out =
        w.on(event("Email Bounced", "Bounce", &key.member, "m-report", Some(bounce("Permanent", "General")))).await;
    assert_eq!(out, vec![Outcome::Failed, Outcome::AdminAddress]);
    assert_eq!(w.store.get_outbox(&key).await.unwrap().unwrap().status, OutboxStatus::Failed);
    assert_eq!(w.store.get_problem_report(&team, date.next_day()).await.unwrap(), None, "no report about the report");
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].subject.contains("admin address of team platform bounced"), "{}", alerts[0].subject);
    assert!(
        alerts[0].message.contains("problem report email of 2026-11-23 to l***@example.com"),
        "{}",
        alerts[0].message
    );
    assert!(!alerts[0].message.contains("lead@example.com"), "the address is masked");
    assert_eq!(w.reputation().await.bounced, 2, "SES counts the admin's bounce too");
    // A repeat tells nobody again.
    let out =
        w.on(event("Email Bounced", "Bounce", &key.member, "m-report", Some(bounce("Permanent", "General")))).await;
    assert_eq!(out, vec![Outcome::AlreadyApplied]);
    assert_eq!(w.alerter.alerts().len(), 1);
}

#[tokio::test]
async fn an_admins_complaint_is_counted_and_told_to_on_call() {
    let w = world();
    let key = w.admin_sent(OutboxKind::Weekly, "m-weekly").await;
    let out = w.on(event("Email Complaint Received", "Complaint", &key.member, "m-weekly", Some(complaint()))).await;
    assert_eq!(out, vec![Outcome::EmailComplained, Outcome::AdminAddress]);
    assert_eq!(w.reputation().await.complained, 1);
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].message.contains("weekly email of 2026-11-23"), "{}", alerts[0].message);
    assert!(w.store.due_problem_reports(w.clock.now() + SignedDuration::from_hours(48)).await.unwrap().is_empty());
    let out = w.on(event("Email Complaint Received", "Complaint", &key.member, "m-weekly", Some(complaint()))).await;
    assert_eq!(out, vec![Outcome::AlreadyApplied]);
    assert_eq!((w.reputation().await.complained, w.alerter.alerts().len()), (1, 1));
}

/// SES counts a complaint per email: so does the reputation guard, whether or not the member
/// was already suppressed or is still a member.
#[tokio::test]
async fn every_emails_complaint_counts_once_toward_the_reputation_guard() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    // The same member's email of the Friday before, delivered.
    let friday = OutboxKey { date: SendDate::parse("2026-11-20").unwrap(), ..key.clone() };
    let start = ts("2026-11-20T20:00:00Z");
    let email = EmailAddress::parse("member1@example.com").unwrap();
    w.store.enqueue(&OutboxItem::new(friday.clone(), email, start, ts("2026-11-21T05:00:00Z"), start)).await.unwrap();
    w.store.claim(&friday, "s", start, start + SignedDuration::from_mins(2)).await.unwrap().unwrap();
    w.store.mark_sent(&friday, "s", "m-friday", start).await.unwrap();
    let mut on_friday = event("Email Complaint Received", "Complaint", &m, "m-friday", Some(complaint()));
    on_friday["detail"]["mail"]["tags"]["morale-date"] = json!(["2026-11-20"]);

    w.on(event("Email Complaint Received", "Complaint", &m, &mid, Some(complaint()))).await;
    let out = w.on(on_friday.clone()).await;
    assert_eq!(out, vec![Outcome::EmailComplained], "the member was suppressed by the first");
    assert_eq!(w.reputation().await.complained, 2);
    w.on(on_friday).await;
    assert_eq!(w.reputation().await.complained, 2, "a repeat is not counted");

    // A member removed since: still counted.
    let (m2, key2, mid2) = w.sent(2).await;
    w.store.remove_member(&key2.team, &key2.member).await.unwrap();
    let out = w.on(event("Email Complaint Received", "Complaint", &m2, &mid2, Some(complaint()))).await;
    assert_eq!(out, vec![Outcome::EmailComplained]);
    assert_eq!(w.reputation().await.complained, 3);
}

/// An operator replays a rejected email; the first attempt's rejection, repeated or late, must
/// neither fail the replay nor stop its delivery from being recorded.
#[tokio::test]
async fn events_about_an_attempt_before_a_replay_leave_the_replay_alone() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    let reject = || event("Email Rejected", "Reject", &m, &mid, Some(("reject", json!({"reason": "Bad content"}))));
    assert_eq!(w.on(reject()).await, vec![Outcome::Failed]);
    let deadline = ts("2026-11-24T05:00:00Z");
    let now = w.clock.now();
    assert!(w.store.change(&key, &Change::Requeue { deadline }, now).await.unwrap().is_some());
    // Still pending: the old news changes nothing, and tells nobody again.
    assert_eq!(w.on(reject()).await, vec![Outcome::AlreadyApplied]);
    assert_eq!(w.status(&key).await, (OutboxStatus::Pending, MemberStatus::Active));
    // Sent again as attempt 2: the same again, and its own delivery is recorded.
    w.store.claim(&key, "s", now, now + SignedDuration::from_mins(2)).await.unwrap().unwrap();
    w.store.mark_sent(&key, "s", "m-replay", now).await.unwrap();
    assert_eq!(w.on(reject()).await, vec![Outcome::AlreadyApplied]);
    let mut delivered = event("Email Delivered", "Delivery", &m, "m-replay", None);
    delivered["detail"]["mail"]["tags"]["morale-send"] = json!(["2"]);
    assert_eq!(w.on(delivered).await, vec![Outcome::Delivered]);
    assert_eq!(w.status(&key).await, (OutboxStatus::Delivered, MemberStatus::Active));
    assert_eq!(w.alerter.alerts().len(), 1, "the rejection was told once");
}

/// A complaint about an email the outbox no longer settles (it bounced after it was
/// delivered): still counted, once, as it suppresses its member.
#[tokio::test]
async fn a_complaint_about_an_email_already_failed_is_counted_once() {
    let w = world();
    let (m, key, mid) = w.sent(1).await;
    w.on(event("Email Delivered", "Delivery", &m, &mid, None)).await;
    w.on(event("Email Bounced", "Bounce", &m, &mid, Some(bounce("Permanent", "General")))).await;
    let out = w.on(event("Email Complaint Received", "Complaint", &m, &mid, Some(complaint()))).await;
    assert_eq!(out, vec![Outcome::MemberComplained]);
    assert_eq!(w.status(&key).await, (OutboxStatus::Failed, MemberStatus::Complained));
    assert_eq!(w.reputation().await.complained, 1);
    w.on(event("Email Complaint Received", "Complaint", &m, &mid, Some(complaint()))).await;
    assert_eq!(w.reputation().await.complained, 1, "a repeat is not counted");
}
