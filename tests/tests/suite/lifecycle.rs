//! The outbox lifecycle table, the in-memory store and DynamoDB (on the local stack) agree:
//! random sequences of changes, at random times, by random owners, go through all three, and
//! after every step each says the same — whether the change applied, and the item it left.

use jiff::{SignedDuration, Timestamp};
use morale::domain::outbox::{Change, Unsent};
use morale::domain::{EmailAddress, MemberId, OutboxItem, OutboxKey, SendDate, TeamId};
use morale::store::MemoryStore;
use morale::store::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::sync::atomic::{AtomicU32, Ordering};

/// A change with small, colliding values, so that guards both hold and fail often.
#[derive(Debug, Clone)]
enum Op {
    Claim { owner: u8, lease_mins: i64 },
    Release { owner: u8, due_mins: i64, error: bool },
    MarkSent { owner: u8, message: u8 },
    Accepted { message: u8, attempt: u32 },
    FinishUnsent { owner: u8, suppressed: bool },
    Delivered,
    Delayed { message: u8, until_mins: i64 },
    Defer { message: u8, retry_mins: i64 },
    Complained,
    Fail { message: u8, attempt: u32 },
    Unconfirm,
    Requeue { deadline_hours: i64 },
}

const OWNERS: [&str; 2] = ["sender-a", "sender-b"];
const MESSAGES: [&str; 3] = ["msg-0", "msg-1", "msg-2"];

fn op() -> impl Strategy<Value = Op> {
    let owner = 0u8..2;
    prop_oneof![
        3 => (owner.clone(), -5i64..15).prop_map(|(owner, lease_mins)| Op::Claim { owner, lease_mins }),
        1 => (owner.clone(), -5i64..30, any::<bool>())
            .prop_map(|(owner, due_mins, error)| Op::Release { owner, due_mins, error }),
        2 => (owner.clone(), 0u8..3).prop_map(|(owner, message)| Op::MarkSent { owner, message }),
        1 => (0u8..3, 0u32..4).prop_map(|(message, attempt)| Op::Accepted { message, attempt }),
        1 => (owner, any::<bool>()).prop_map(|(owner, suppressed)| Op::FinishUnsent { owner, suppressed }),
        2 => Just(Op::Delivered),
        1 => (0u8..3, -30i64..300).prop_map(|(message, until_mins)| Op::Delayed { message, until_mins }),
        2 => (0u8..3, -5i64..60).prop_map(|(message, retry_mins)| Op::Defer { message, retry_mins }),
        1 => Just(Op::Complained),
        2 => (0u8..3, 0u32..4).prop_map(|(message, attempt)| Op::Fail { message, attempt }),
        2 => Just(Op::Unconfirm),
        1 => (1i64..48).prop_map(|deadline_hours| Op::Requeue { deadline_hours }),
    ]
}

fn change(op: &Op, now: Timestamp) -> Change<'static> {
    let mins = SignedDuration::from_mins;
    match *op {
        Op::Claim { owner, lease_mins } => {
            Change::Claim { owner: OWNERS[owner as usize], lease_until: now + mins(lease_mins) }
        }
        Op::Release { owner, due_mins, error } => Change::Release {
            owner: OWNERS[owner as usize],
            due_at: now + mins(due_mins),
            error: error.then_some("throttled"),
        },
        Op::MarkSent { owner, message } => {
            Change::MarkSent { owner: OWNERS[owner as usize], message_id: MESSAGES[message as usize] }
        }
        Op::Accepted { message, attempt } => Change::Accepted { message_id: MESSAGES[message as usize], attempt },
        Op::FinishUnsent { owner, suppressed } => Change::FinishUnsent {
            owner: OWNERS[owner as usize],
            to: if suppressed { Unsent::Suppressed } else { Unsent::Failed },
            reason: "gave up",
        },
        Op::Delivered => Change::Delivered,
        Op::Delayed { message, until_mins } => {
            Change::Delayed { message_id: MESSAGES[message as usize], until: now + mins(until_mins) }
        }
        Op::Defer { message, retry_mins } => Change::Defer {
            message_id: MESSAGES[message as usize],
            retry_at: now + mins(retry_mins),
            reason: "mailbox full",
        },
        Op::Complained => Change::Complained { reason: "complaint (abuse)" },
        Op::Fail { message, attempt } => {
            Change::Fail { reason: "permanent bounce", message_id: MESSAGES[message as usize], attempt }
        }
        Op::Unconfirm => Change::Unconfirm { reason: "no event" },
        Op::Requeue { deadline_hours } => {
            Change::Requeue { deadline: now + SignedDuration::from_hours(deadline_hours) }
        }
    }
}

/// Each case gets an item of its own in the shared table.
fn fresh_item(start: Timestamp) -> OutboxItem {
    static N: AtomicU32 = AtomicU32::new(0);
    let email = EmailAddress::parse(&format!("m{}@example.com", N.fetch_add(1, Ordering::Relaxed))).unwrap();
    let key = OutboxKey {
        team: TeamId::parse("lifecycle").unwrap(),
        date: SendDate::parse("2026-11-23").unwrap(),
        member: MemberId::for_email(&email),
    };
    OutboxItem::new(key, email, start, start + SignedDuration::from_hours(9), start)
}

#[test]
fn the_table_the_fake_and_dynamodb_agree_step_by_step() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let table = rt.block_on(morale_tests::TestTable::new());
    let cases = std::env::var("MORALE_LIFECYCLE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let steps = proptest::collection::vec((op(), 0i64..20), 1..40);
    let start: Timestamp = "2026-11-23T20:00:00Z".parse().unwrap();
    let result = runner.run(&steps, |steps| {
        rt.block_on(async {
            let memory = MemoryStore::new();
            let mut model = fresh_item(start);
            let key = model.key.clone();
            prop_assert!(memory.enqueue(&model).await.unwrap());
            prop_assert!(table.store.enqueue(&model).await.unwrap());
            let mut now = start;
            for (i, (op, advance)) in steps.iter().enumerate() {
                now += SignedDuration::from_mins(*advance);
                let c = change(op, now);
                let by_table = c.apply(&model, now);
                let by_memory = memory.change(&key, &c, now).await.unwrap();
                let by_dynamo =
                    table.store.change(&key, &c, now).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&by_memory, &by_table, "step {}: {:?} — the fake disagrees with the table", i, op);
                prop_assert_eq!(&by_dynamo, &by_table, "step {}: {:?} — DynamoDB disagrees with the table", i, op);
                if let Some(next) = by_table {
                    model = next;
                }
                let stored = table.store.get_outbox(&key).await.unwrap();
                prop_assert_eq!(stored.as_ref(), Some(&model), "step {}: DynamoDB holds another item", i);
                let in_memory = memory.get_outbox(&key).await.unwrap();
                prop_assert_eq!(in_memory.as_ref(), Some(&model), "step {}", i);
                // What the sender may find due is the same too.
                let due_dynamo =
                    table.store.due_outbox(now, 1000).await.unwrap().items.into_iter().any(|d| d.key == key);
                let due_memory = memory.due_outbox(now, 1000).await.unwrap().items.into_iter().any(|d| d.key == key);
                prop_assert_eq!(due_dynamo, due_memory, "step {}: due in one store and not the other", i);
                // And what reconciliation may find overdue.
                let overdue_dynamo =
                    table.store.due_confirmations(now, 1000).await.unwrap().items.into_iter().any(|d| d.key == key);
                let overdue_memory =
                    memory.due_confirmations(now, 1000).await.unwrap().items.into_iter().any(|d| d.key == key);
                prop_assert_eq!(overdue_dynamo, overdue_memory, "step {}: overdue in one store and not the other", i);
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
