use super::*;
use jiff::Timestamp;

/// One change of each kind.
fn one_of_each(now: Timestamp) -> [Change<'static>; 12] {
    [
        Change::Claim { owner: "o", lease_until: now },
        Change::Release { owner: "o", due_at: now, error: Some("e") },
        Change::MarkSent { owner: "o", message_id: "m" },
        Change::Accepted { message_id: "m", attempt: 1 },
        Change::FinishUnsent { owner: "o", to: Unsent::Suppressed, reason: "r" },
        Change::Delivered,
        Change::Delayed { message_id: "m", until: now },
        Change::Defer { message_id: "m", retry_at: now, reason: "r" },
        Change::Complained { reason: "r" },
        Change::Fail { reason: "r", message_id: "m", attempt: 1 },
        Change::Unconfirm { reason: "r" },
        Change::Requeue { deadline: now },
    ]
}

#[test]
fn every_row_is_named_once_and_reached_by_a_change() {
    let names: std::collections::BTreeSet<_> = TRANSITIONS.iter().map(|t| t.name).collect();
    assert_eq!(names.len(), TRANSITIONS.len());
    let changes = one_of_each(Timestamp::UNIX_EPOCH);
    let reached: std::collections::BTreeSet<_> = changes.iter().map(|c| c.transition().name).collect();
    assert_eq!(reached, names);
}

#[test]
fn each_change_carries_what_its_row_needs() {
    let now = Timestamp::UNIX_EPOCH;
    for c in &one_of_each(now) {
        let t = c.transition();
        let needs_owner = t.guards.contains(&Guard::Held) || t.effects.contains(&TakeLease);
        assert_eq!(c.owner().is_some(), needs_owner, "{}", t.name);
        assert_eq!(c.message_id().is_some(), t.names_message(), "{}", t.name);
        assert_eq!(c.due_at(now).is_some(), t.effects.contains(&Due), "{}", t.name);
        assert_eq!(c.confirm_by(now).is_some(), t.effects.contains(&AwaitEvents), "{}", t.name);
        assert_eq!(c.attempt().is_some(), t.names_attempt(), "{}", t.name);
        assert_eq!(c.deadline().is_some(), t.effects.contains(&Deadline), "{}", t.name);
        assert_eq!(c.chosen().is_some(), matches!(t.to, Target::Chosen(_)), "{}", t.name);
        if let (Target::Chosen(allowed), Some(s)) = (t.to, c.chosen()) {
            assert!(allowed.contains(&s));
        }
    }
    for u in [Unsent::Failed, Unsent::Suppressed] {
        let Target::Chosen(allowed) = Change::FinishUnsent { owner: "o", to: u, reason: "r" }.transition().to else {
            unreachable!()
        };
        assert!(allowed.contains(&u.status()));
    }
}

#[test]
fn nothing_leaves_a_final_state_but_an_operators_requeue_or_a_late_bounce_or_complaint() {
    for t in &TRANSITIONS {
        for settled in [Delivered, Complained] {
            if t.from.contains(&settled) {
                assert!(
                    [Target::To(Failed), Target::To(Complained)].contains(&t.to) && t.to != Target::To(settled),
                    "{} moves a {settled} item back",
                    t.name
                );
            }
        }
        if t.from.contains(&Failed) || t.from.contains(&Suppressed) {
            assert_eq!(t.name, "requeue", "{} leaves a final state", t.name);
        }
    }
}
