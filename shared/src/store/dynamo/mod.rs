//! The DynamoDB adapter. The table's schema is defined once, in `template.yaml`; this file
//! knows its key and index attribute names, which a test checks against the template.

mod days;
mod outbox;
mod records;
mod responses;
mod state;
mod teams;

use super::{StoreError, StoreResult, Unreadable};
use crate::domain::{MemberId, SendDate, TeamId, VoterKey};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use jiff::{SignedDuration, Timestamp};
use serde::{Serialize, de::DeserializeOwned};
use std::collections::HashMap;

/// The environment variable that names the table, in Lambda and locally.
pub const TABLE_ENV: &str = "MORALE_TABLE";
/// The sparse index of things that fall due at a time: teams (next send) and outbox items
/// waiting for the sender. Partition `due_kind`, sort `due_at` (nanoseconds since the epoch).
pub const INDEX_DUE: &str = "due";

/// Outbox items are spread over several index partitions so that scheduling thousands of
/// emails at once does not make one hot index partition.
const OUTBOX_SHARDS: u32 = 4;
/// Outbox items are removed by TTL this long after their deadline.
const OUTBOX_TTL: SignedDuration = SignedDuration::from_hours(24 * 400);

/// The TTL attribute (`expires_at`, seconds) of an outbox item with this deadline.
fn expires_at(deadline: Timestamp) -> i64 {
    (deadline + OUTBOX_TTL).as_second()
}

type Item = HashMap<String, AttributeValue>;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    async fn get(&self, pk: String, sk: &str) -> StoreResult<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        Ok(out.item)
    }

    async fn query_prefix(&self, pk: String, sk_prefix: &str) -> StoreResult<Vec<Item>> {
        self.query_all("PK = :pk AND begins_with(SK, :p)", [(":pk", s(pk)), (":p", s(sk_prefix))]).await
    }

    /// Every item of a key condition on the table, read consistently, across pages.
    async fn query_all<const N: usize>(
        &self,
        key: &str,
        values: [(&str, AttributeValue); N],
    ) -> StoreResult<Vec<Item>> {
        let mut q = self.client.query().table_name(&self.table).key_condition_expression(key).consistent_read(true);
        for (name, value) in values {
            q = q.expression_attribute_values(name, value);
        }
        q.into_paginator().items().send().try_collect().await.map_err(backend)
    }

    async fn query_due(
        &self,
        kind: &str,
        now: Timestamp,
        limit: Option<usize>,
        projection: Option<&str>,
    ) -> StoreResult<Vec<Item>> {
        let mut q = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(INDEX_DUE)
            .key_condition_expression("due_kind = :k AND due_at <= :now")
            .expression_attribute_values(":k", s(kind))
            .expression_attribute_values(":now", n(nanos(now)));
        if let Some(p) = projection {
            // Many attribute names are reserved words (`date`, `member`, `status`): alias all.
            q = q.projection_expression(p);
            for name in p.split(',').map(str::trim) {
                q = q.expression_attribute_names(name, &name[1..]);
            }
        }
        if let Some(l) = limit {
            q = q.limit(l.clamp(1, 1000) as i32);
        }
        let mut items = Vec::new();
        let mut pages = q.into_paginator().send();
        while let Some(page) = pages.next().await {
            items.extend(page.map_err(backend)?.items.unwrap_or_default());
            if limit.is_some_and(|l| items.len() >= l) {
                break;
            }
        }
        Ok(items)
    }

    /// Runs a conditional update; `Ok(None)` if the condition did not hold.
    async fn update(&self, u: Update) -> StoreResult<Option<Item>> {
        Ok(self.update_or_see(u).await?.ok())
    }

    /// Runs a conditional update: the item after it, or, if the condition did not hold, the
    /// item as it was (`None` if there was none).
    async fn update_or_see(&self, u: Update) -> StoreResult<Result<Item, Option<Item>>> {
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(u.pk, u.sk)))
            .update_expression(&u.expr)
            .condition_expression(&u.cond)
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        // Reserved words (`status`, `date`, …) go through `#name` aliases; DynamoDB rejects
        // unused ones, so only those that appear are declared.
        for alias in aliases(&u.expr).into_iter().chain(aliases(&u.cond)) {
            req = req.expression_attribute_names(alias.clone(), &alias[1..]);
        }
        for (k, v) in u.values {
            req = req.expression_attribute_values(k, v);
        }
        match req.send().await {
            Ok(out) => Ok(Ok(out.attributes.unwrap_or_default())),
            Err(e) if matches!(e.as_service_error(), Some(UpdateItemError::ConditionalCheckFailedException(_))) => {
                let UpdateItemError::ConditionalCheckFailedException(refused) = e.into_service_error() else {
                    unreachable!("matched above")
                };
                Ok(Err(refused.item))
            }
            Err(e) => Err(backend(e)),
        }
    }

    /// A conditional put; `Ok(false)` if the condition did not hold.
    async fn put(&self, item: Item, cond: &str, values: Vec<(&str, AttributeValue)>) -> StoreResult<bool> {
        let mut req = self.client.put_item().table_name(&self.table).set_item(Some(item)).condition_expression(cond);
        for (k, v) in values {
            req = req.expression_attribute_values(k, v);
        }
        match req.send().await {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(false),
            Err(e) => Err(backend(e)),
        }
    }

    async fn delete_existing(&self, pk: String, sk: String, what: String) -> StoreResult<()> {
        let res = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("ConditionalCheckFailedException") => Err(StoreError::NotFound(what)),
            Err(e) => Err(backend(e)),
        }
    }
}

/// The `#name` aliases in an expression.
fn aliases(expr: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'#' {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.insert(expr[start..i].to_string());
        } else {
            i += 1;
        }
    }
    out
}

/// An update expression with its condition, names and values.
struct Update {
    pk: String,
    sk: String,
    expr: String,
    cond: String,
    values: Vec<(&'static str, AttributeValue)>,
}

impl Update {
    fn new(pk: String, sk: String, expr: &str, cond: &str) -> Self {
        Self { pk, sk, expr: expr.to_string(), cond: cond.to_string(), values: Vec::new() }
    }

    fn val(mut self, k: &'static str, v: AttributeValue) -> Self {
        self.values.push((k, v));
        self
    }
}

// --- keys ------------------------------------------------------------------------------

fn team_pk(team: &TeamId) -> String {
    format!("TEAM#{team}")
}
const TEAM_SK: &str = "TEAM";
fn member_sk(id: &MemberId) -> String {
    format!("MEMBER#{id}")
}
fn outbox_sk(date: SendDate, member: &MemberId) -> String {
    format!("SEND#{date}#{member}")
}
fn response_sk(date: SendDate, voter: &VoterKey) -> String {
    format!("RESP#{date}#{}", voter.0)
}
fn digest_sk(date: SendDate) -> String {
    format!("DIGEST#{date}")
}

fn state_pk(name: &str) -> String {
    format!("STATE#{name}")
}
const STATE_SK: &str = "STATE";
/// A tally's hours: one item each, under the tally's partition, sorted by hour.
fn tally_pk(tally: &str) -> String {
    format!("TALLY#{tally}")
}
const TALLY_KIND: &str = "tally";

/// The due index's partition for an item waiting for the sender: spread over shards so that
/// no one partition takes every write of a busy minute.
fn outbox_shard(member: &MemberId) -> String {
    format!("outbox#{}", shard_of(member))
}

/// The same for an item waiting for SES's events.
fn confirm_shard(member: &MemberId) -> String {
    format!("confirm#{}", shard_of(member))
}

fn shard_of(member: &MemberId) -> u32 {
    member.as_str().bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % OUTBOX_SHARDS
}

/// Instants that conditions compare are stored as nanoseconds since the epoch: exact, and
/// ordered as numbers (RFC 3339 strings with varying fractions do not sort as time).
fn nanos(t: Timestamp) -> i64 {
    i64::try_from(t.as_nanosecond()).expect("instants before 2262")
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}
fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// DynamoDB's error in a line: its code and message when it answered with one (what an alert
/// or a log line needs), the whole chain when it did not (a timeout, a connection refused).
fn backend<E: std::error::Error + ProvideErrorMetadata + 'static>(e: E) -> StoreError {
    match (e.code(), e.message()) {
        (Some(code), message) => StoreError::Backend(format!("{code}: {}", message.unwrap_or("no message"))),
        _ => StoreError::Backend(DisplayErrorContext(e).to_string()),
    }
}

fn to_item<T: Serialize>(v: &T) -> Item {
    serde_dynamo::to_item(v).expect("records serialize to items")
}

/// The table's key: a partition key `PK` and a sort key `SK`.
fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([("PK".to_string(), s(pk)), ("SK".to_string(), s(sk))])
}

/// An item's table key, `PK` and `SK`.
fn raw_key(item: &Item) -> (String, String) {
    let get = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_else(|| "?".into());
    (get("PK"), get("SK"))
}

fn from_item<T: DeserializeOwned>(item: Item) -> StoreResult<T> {
    let (pk, sk) = raw_key(&item);
    serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt { key: format!("{pk}/{sk}"), reason: e.to_string() })
}

impl DynamoStore {
    /// Reads what a due-index query returned; a record that does not read is taken out of the
    /// index (its due attributes removed, `quarantined` set to why) and listed instead.
    async fn read_due<R: DeserializeOwned>(
        &self,
        items: Vec<Item>,
        now: Timestamp,
    ) -> StoreResult<(Vec<R>, Vec<Unreadable>)> {
        let (mut read, mut quarantined) = (Vec::new(), Vec::new());
        for item in items {
            let (pk, sk) = raw_key(&item);
            match from_item::<R>(item) {
                Ok(r) => read.push(r),
                Err(StoreError::Corrupt { key, reason }) => {
                    tracing::error!(%key, %reason, "an unreadable record is taken out of the due index");
                    self.quarantine_raw(pk, sk, &reason, now).await?;
                    quarantined.push(Unreadable { key, reason });
                }
                Err(e) => return Err(e),
            }
        }
        Ok((read, quarantined))
    }

    /// Sets `attr` to `now` once, where `requires` holds, and takes the item out of the due
    /// index: `false` if it was done already, or `requires` does not hold.
    async fn done_once(&self, pk: String, sk: String, attr: &str, requires: &str, now: Timestamp) -> StoreResult<bool> {
        let expr = format!("SET {attr} = :now REMOVE due_kind, due_at");
        let u = Update::new(pk, sk, &expr, &format!("{requires} AND attribute_not_exists({attr})"))
            .val(":now", s(now.to_string()));
        Ok(self.update(u).await?.is_some())
    }

    async fn quarantine_raw(&self, pk: String, sk: String, reason: &str, now: Timestamp) -> StoreResult<bool> {
        let u = Update::new(
            pk,
            sk,
            "REMOVE due_kind, due_at SET quarantined = :why, quarantined_at = :now",
            "attribute_exists(PK)",
        )
        .val(":why", s(reason))
        .val(":now", s(now.to_string()));
        Ok(self.update(u).await?.is_some())
    }
}
