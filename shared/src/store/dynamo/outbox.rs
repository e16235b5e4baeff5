//! The outbox. Every change's condition and update expression is derived from the lifecycle
//! table in `crate::domain::outbox`: no outbox rule is written here.

use super::records::OutboxRecord;
use super::{
    DynamoStore, OUTBOX_SHARDS, Update, confirm_shard, from_item, n, nanos, outbox_shard, outbox_sk, s, team_pk,
    to_item,
};
use crate::domain::outbox::{Change, Effect, Guard, Target};
use crate::domain::{MemberId, OutboxItem, OutboxKey, OutboxStatus, SendDate, TeamId};
use crate::store::{Due, DueItem, OutboxStore, StoreResult};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;
use serde::Deserialize;

fn outbox_key_values(key: &OutboxKey) -> (String, String) {
    (team_pk(&key.team), outbox_sk(key.date, &key.member))
}

/// The condition and update that make `change` in one conditional write, derived from its row
/// of the lifecycle table. Values are added only where the expressions use them: DynamoDB
/// rejects unused ones.
fn update_for(key: &OutboxKey, change: &Change<'_>, now: Timestamp, write: &str) -> Update {
    // One value per status a transition may start from: at most every status.
    const FROM: [&str; OutboxStatus::ALL.len()] =
        [":from0", ":from1", ":from2", ":from3", ":from4", ":from5", ":from6", ":from7", ":from8"];
    let t = change.transition();
    let mut vals: Vec<(&'static str, AttributeValue)> = vec![(":now", s(now.to_string())), (":write", s(write))];
    let mut set = vec!["updated_at = :now".to_string(), "write_id = :write".to_string()];
    let mut remove: Vec<&str> = Vec::new();

    let from = &FROM[..t.from.len()];
    vals.extend(from.iter().zip(t.from).map(|(k, st)| (*k, s(st.as_str()))));
    let mut cond = vec![format!("#status IN ({})", from.join(", "))];
    for g in t.guards {
        cond.push(
            match g {
                Guard::Due => {
                    vals.push((":now_ns", n(nanos(now))));
                    "due_at <= :now_ns"
                }
                Guard::Held => "lease_owner = :owner",
                Guard::CurrentAttempt => "message_id = :mid",
                Guard::NewAttempt => "attempts < :attempt",
                Guard::LatestOrNewAttempt => "(message_id = :mid OR attempts < :attempt)",
            }
            .to_string(),
        );
    }

    let to = match t.to {
        Target::To(st) => Some(st),
        Target::Chosen(_) => change.chosen(),
        Target::Remembered => None,
    };
    match to {
        Some(st) => {
            set.push("#status = :to".into());
            vals.push((":to", s(st.as_str())));
        }
        None => {
            set.push("#status = if_not_exists(released_status, :pending)".into());
            vals.push((":pending", s(OutboxStatus::Pending.as_str())));
        }
    }
    for e in t.effects {
        match e {
            Effect::RememberStatus => set.push("released_status = if_not_exists(released_status, #status)".into()),
            Effect::TakeLease => set.push("lease_owner = :owner".into()),
            Effect::DropLease => remove.extend(["lease_owner", "released_status"]),
            Effect::Due => {
                let due = change.due_at(now).expect("a due change carries its time");
                set.push("due = :due, due_at = :due_at, due_kind = :due_kind".into());
                vals.extend(set_due(due, &key.member));
            }
            Effect::NotDue => remove.extend(["due", "due_at", "due_kind"]),
            Effect::AwaitEvents => {
                let due = change.confirm_by(now).expect("an awaiting change carries its time");
                set.push("due = :due, due_at = :due_at, due_kind = :due_kind".into());
                vals.extend([
                    (":due", s(due.to_string())),
                    (":due_at", n(nanos(due))),
                    (":due_kind", s(confirm_shard(&key.member))),
                ]);
            }
            Effect::CountAttempt => {
                set.push("attempts = attempts + :one".into());
                vals.push((":one", n(1)));
            }
            Effect::MessageId => set.push("message_id = :mid".into()),
            Effect::Error => {
                if let Some(err) = change.error() {
                    set.push("last_error = :err".into());
                    vals.push((":err", s(err)));
                }
            }
            Effect::ForgetMessageId => remove.push("message_id"),
            Effect::Deadline => {
                let deadline = change.deadline().expect("a deadline change carries one");
                set.push("deadline = :deadline, expires_at = :exp".into());
                vals.push((":deadline", s(deadline.to_string())));
                vals.push((":exp", n(super::expires_at(deadline))));
            }
        }
    }
    if t.guards.contains(&Guard::Held) || t.effects.contains(&Effect::TakeLease) {
        vals.push((":owner", s(change.owner().expect("a lease change names its owner"))));
    }
    if t.names_message() {
        vals.push((":mid", s(change.message_id().expect("an attempt change names its message"))));
    }
    if t.names_attempt() {
        vals.push((":attempt", n(change.attempt().expect("an attempt's change carries it"))));
    }

    let mut expr = format!("SET {}", set.join(", "));
    if !remove.is_empty() {
        expr.push_str(&format!(" REMOVE {}", remove.join(", ")));
    }
    let (pk, sk) = outbox_key_values(key);
    let mut u = Update::new(pk, sk, &expr, &cond.join(" AND "));
    for (k, v) in vals {
        u = u.val(k, v);
    }
    u
}

/// `due` (the instant), `due_at` (its sort key in the index) and `due_kind` (the index shard)
/// move together.
fn set_due(due: Timestamp, member: &MemberId) -> [(&'static str, AttributeValue); 3] {
    [(":due", s(due.to_string())), (":due_at", n(nanos(due))), (":due_kind", s(outbox_shard(member)))]
}

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<bool> {
        self.put(to_item(&OutboxRecord::from(item)), "attribute_not_exists(PK)", vec![]).await
    }

    async fn get_outbox(&self, key: &OutboxKey) -> StoreResult<Option<OutboxItem>> {
        let (pk, sk) = outbox_key_values(key);
        match self.get(pk, &sk).await? {
            Some(item) => Ok(Some(from_item::<OutboxRecord>(item)?.into())),
            None => Ok(None),
        }
    }

    async fn list_outbox(&self, team: &TeamId, date: Option<SendDate>) -> StoreResult<Vec<OutboxItem>> {
        let prefix = match date {
            Some(d) => format!("SEND#{d}#"),
            None => "SEND#".to_string(),
        };
        self.query_prefix(team_pk(team), &prefix)
            .await?
            .into_iter()
            .map(|i| from_item::<OutboxRecord>(i).map(OutboxItem::from))
            .collect()
    }

    async fn due_outbox(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        self.due_in("outbox", now, limit, OutboxStatus::awaits_sender).await
    }

    async fn due_confirmations(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        self.due_in("confirm", now, limit, OutboxStatus::awaits_events).await
    }

    async fn quarantine(&self, key: &OutboxKey, reason: &str, now: Timestamp) -> StoreResult<bool> {
        self.quarantine_raw(team_pk(&key.team), outbox_sk(key.date, &key.member), reason, now).await
    }

    async fn change(&self, key: &OutboxKey, change: &Change<'_>, now: Timestamp) -> StoreResult<Option<OutboxItem>> {
        // The SDK sends a write again when its answer was lost. If DynamoDB had applied it, that
        // attempt's condition fails on the write's own work: the id it wrote tells it was made.
        let write = format!("{:016x}", crate::random::u64());
        match self.update_or_see(update_for(key, change, now, &write)).await? {
            Ok(item) => Ok(Some(from_item::<OutboxRecord>(item)?.into())),
            Err(Some(seen)) if seen.get("write_id").and_then(|w| w.as_s().ok()) == Some(&write) => {
                Ok(Some(from_item::<OutboxRecord>(seen)?.into()))
            }
            Err(_) => Ok(None),
        }
    }
}

impl DynamoStore {
    /// Outbox items of one queue of the due index (`outbox`: waiting for the sender;
    /// `confirm`: waiting for SES's events), over its shards, oldest first.
    async fn due_in(
        &self,
        queue: &str,
        now: Timestamp,
        limit: usize,
        wanted: fn(OutboxStatus) -> bool,
    ) -> StoreResult<Due<DueItem>> {
        #[derive(Deserialize)]
        struct Entry {
            team: TeamId,
            date: SendDate,
            member: MemberId,
            status: OutboxStatus,
            due: Timestamp,
        }
        let (mut due, mut quarantined) = (Vec::new(), Vec::new());
        for shard in 0..OUTBOX_SHARDS {
            let items = self
                .query_due(
                    &format!("{queue}#{shard}"),
                    now,
                    Some(limit),
                    Some("#PK, #SK, #team, #date, #member, #status, #due"),
                )
                .await?;
            let (entries, unreadable) = self.read_due::<Entry>(items, now).await?;
            quarantined.extend(unreadable);
            for d in entries {
                // The index holds items in step with their status; check anyway, it is cheap.
                if wanted(d.status) && d.due <= now {
                    due.push(DueItem {
                        key: OutboxKey { team: d.team, date: d.date, member: d.member },
                        due_at: d.due,
                    });
                }
            }
        }
        due.sort_by(|a, b| a.due_at.cmp(&b.due_at).then_with(|| a.key.cmp(&b.key)));
        due.truncate(limit);
        Ok(Due { items: due, quarantined })
    }
}
