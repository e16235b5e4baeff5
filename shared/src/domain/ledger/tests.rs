use super::*;
use crate::domain::{EmailAddress, MemberId, OutboxKey};

fn item(n: u32, status: OutboxStatus, due: Option<Timestamp>, reason: Option<String>) -> OutboxItem {
    let t: Timestamp = "2026-11-30T08:00:00Z".parse().unwrap();
    let email = EmailAddress::parse(&format!("m{n}@example.com")).unwrap();
    let key = OutboxKey {
        team: TeamId::parse("t").unwrap(),
        date: SendDate::parse("2026-11-30").unwrap(),
        member: MemberId::for_email(&email),
    };
    let mut i = OutboxItem::new(key, email, t, t, t);
    i.status = status;
    i.due_at = due;
    i.last_error = reason;
    i
}

#[test]
fn every_recorded_reason_is_read_back_as_the_failure_that_wrote_it() {
    for f in Failure::ALL {
        assert_eq!(Failure::of(&f.reason("because")), if f == Failure::Other { Failure::Other } else { f });
    }
    assert_eq!(Failure::of("something nobody wrote"), Failure::Other);
}

#[test]
fn a_day_with_every_kind_of_end_has_nothing_unaccounted() {
    let now: Timestamp = "2026-12-01T04:00:00Z".parse().unwrap();
    let later = Some(now + SignedDuration::from_hours(2));
    let items = vec![
        item(1, OutboxStatus::Delivered, None, None),
        item(2, OutboxStatus::Delivered, None, None),
        item(3, OutboxStatus::Complained, None, Some("complaint (abuse)".into())),
        item(4, OutboxStatus::Failed, None, Some(Failure::Bounced.reason("(General): no such user"))),
        item(5, OutboxStatus::Failed, None, Some(Failure::TooLate.reason("2026-11-30"))),
        item(6, OutboxStatus::Failed, None, Some(Failure::RetriesExhausted.reason("after 3 attempt(s)"))),
        item(7, OutboxStatus::Suppressed, None, Some("the member is paused".into())),
        item(8, OutboxStatus::Unconfirmed, None, None),
        item(9, OutboxStatus::Sent, later, None),
    ];
    let plan = DayPlan { members: 9, paused: 2, unsubscribed: 1, missed: false, answers_close: None };
    let l = Ledger::of(&plan, &items, now);
    assert_eq!(
        (l.scheduled, l.delivered, l.complained, l.bounced, l.suppressed, l.unconfirmed, l.in_flight),
        (9, 2, 1, 1, 1, 1, 1)
    );
    assert_eq!(l.failed, BTreeMap::from([("retries_exhausted".into(), 1), ("too_late".into(), 1)]));
    assert_eq!((l.skipped_paused, l.skipped_unsubscribed, l.unaccounted), (2, 1, 0));
    assert_eq!(
        l.line(),
        "3 of 9 reached, 1 marked it as spam, 1 bounced, 2 failed, 1 not sent (paused or removed meanwhile), \
         1 unconfirmed, 1 still on its way, 2 paused"
    );
}

#[test]
fn an_email_left_waiting_with_nothing_to_wait_for_or_never_queued_is_unaccounted() {
    let now: Timestamp = "2026-12-01T04:00:00Z".parse().unwrap();
    let items = vec![
        item(1, OutboxStatus::Delivered, None, None),
        item(2, OutboxStatus::Pending, Some(now - SignedDuration::from_hours(5)), None),
        item(3, OutboxStatus::Sent, Some(now), None),
    ];
    // An admins' report queued late in the day, held by a sender that is behind: it may still
    // go before its own deadline, so it is on its way.
    let mut report = item(9, OutboxStatus::Pending, Some(now - SignedDuration::from_hours(1)), None);
    (report.kind, report.deadline) = (OutboxKind::ProblemReport, now + SignedDuration::from_hours(6));
    assert!(!unaccounted(&report, now));
    report.deadline = now;
    assert!(unaccounted(&report, now), "past its deadline it can never go");
    // Four planned, three queued: one never reached the outbox.
    let l = Ledger::of(&DayPlan { members: 4, ..DayPlan::default() }, &items, now);
    assert_eq!((l.scheduled, l.unaccounted, l.in_flight), (3, 3, 0));
    assert!(l.line().ends_with("3 UNACCOUNTED"), "{}", l.line());
}

#[test]
fn a_missed_day_counts_its_members_as_missed_not_unaccounted() {
    let l = Ledger::of(&DayPlan { members: 5, missed: true, ..DayPlan::default() }, &[], Timestamp::UNIX_EPOCH);
    assert_eq!((l.missed, l.scheduled, l.unaccounted), (5, 0, 0));
    assert_eq!(l.line(), "0 of 0 reached, 5 missed (no sender ran)");
    // An operator sent two of them later that day after all.
    let now: Timestamp = "2026-12-01T04:00:00Z".parse().unwrap();
    let sent = [item(1, OutboxStatus::Delivered, None, None), item(2, OutboxStatus::Delivered, None, None)];
    let l = Ledger::of(&DayPlan { members: 5, missed: true, ..DayPlan::default() }, &sent, now);
    assert_eq!((l.missed, l.scheduled, l.delivered, l.unaccounted), (3, 2, 2, 0));
}

#[test]
fn a_record_written_before_a_field_existed_still_reads() {
    let plan: DayPlan = serde_json::from_str(r#"{"members": 3}"#).unwrap();
    assert_eq!(plan, DayPlan { members: 3, ..DayPlan::default() });
    let ledger: Ledger = serde_json::from_str(r#"{"scheduled": 3, "delivered": 3}"#).unwrap();
    assert_eq!(ledger.line(), "3 of 3 reached");
}

#[test]
fn a_week_adds_its_days() {
    let now: Timestamp = "2026-12-01T04:00:00Z".parse().unwrap();
    let day = Ledger::of(
        &DayPlan { members: 2, ..DayPlan::default() },
        &[item(1, OutboxStatus::Delivered, None, None), item(2, OutboxStatus::Unconfirmed, None, None)],
        now,
    );
    let mut week = Ledger::default();
    week.add(&day);
    week.add(&day);
    assert_eq!(week.line(), "2 of 4 reached, 2 unconfirmed");
}
