//! The DynamoDB adapter. The table's schema is defined once, in `template.yaml`; this file
//! knows its key and index attribute names, which a test checks against the template.

use super::{DueItem, OutboxEvent, StateRecord, Store, StoreError};
use crate::domain::{EmailAddress, LocalTime, MemberId, Schedule, Score, SendDate, TeamId, TimeZone, Workdays};
use crate::model::{
    Digest, IdempotencyBegin, Member, MemberStatus, OutboxItem, OutboxKey, OutboxKind, OutboxStatus, Response, Team,
    VoterKey, WeeklyDigest,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::collections::HashMap;

/// The environment variable that names the table, in Lambda and locally.
pub const TABLE_ENV: &str = "MORALE_TABLE";
/// The sparse index of things that fall due at a time: teams (next send) and outbox items
/// waiting for the sender. Partition `due_kind`, sort `due_at` (nanoseconds since the epoch).
pub const INDEX_DUE: &str = "due";

/// Outbox items are spread over several index partitions so that scheduling thousands of
/// emails at once does not make one hot index partition.
const OUTBOX_SHARDS: u32 = 4;
/// Outbox items and idempotency records are removed by TTL this long after they end.
const OUTBOX_TTL: SignedDuration = SignedDuration::from_hours(24 * 400);

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

    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        Ok(out.item)
    }

    async fn query_prefix(&self, pk: String, sk_prefix: &str) -> Result<Vec<Item>, StoreError> {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :p)")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":p", s(sk_prefix))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(backend)
    }

    async fn query_due(
        &self,
        kind: &str,
        now: Timestamp,
        limit: Option<usize>,
        projection: Option<&str>,
    ) -> Result<Vec<Item>, StoreError> {
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
    async fn update(&self, u: Update) -> Result<Option<Item>, StoreError> {
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(u.pk))
            .key("SK", s(u.sk))
            .update_expression(&u.expr)
            .condition_expression(&u.cond)
            .return_values(ReturnValue::AllNew);
        // Reserved words (`status`, `date`, …) go through `#name` aliases; DynamoDB rejects
        // unused ones, so only those that appear are declared.
        for alias in aliases(&u.expr).into_iter().chain(aliases(&u.cond)) {
            req = req.expression_attribute_names(alias.clone(), &alias[1..]);
        }
        for (k, v) in u.values {
            req = req.expression_attribute_values(k, v);
        }
        match req.send().await {
            Ok(out) => Ok(Some(out.attributes.unwrap_or_default())),
            Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(None),
            Err(e) => Err(backend(e)),
        }
    }

    /// A conditional put; `Ok(false)` if the condition did not hold.
    async fn put(&self, item: Item, cond: &str, values: Vec<(&str, AttributeValue)>) -> Result<bool, StoreError> {
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

    async fn delete_existing(&self, pk: String, sk: String, what: String) -> Result<(), StoreError> {
        let res = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
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
fn idem_pk(key: &str) -> String {
    format!("IDEMP#{key}")
}
const IDEM_SK: &str = "IDEMP";
fn digest_sk(date: SendDate) -> String {
    format!("DIGEST#{date}")
}

#[derive(Serialize, Deserialize)]
struct DigestItem {
    team: TeamId,
    date: SendDate,
    #[serde(default)]
    lines: Vec<String>,
    send_after: Timestamp,
    #[serde(default)]
    sent_at: Option<Timestamp>,
}

impl From<DigestItem> for Digest {
    fn from(d: DigestItem) -> Self {
        Digest { team: d.team, date: d.date, lines: d.lines, send_after: d.send_after, sent_at: d.sent_at }
    }
}

fn state_pk(name: &str) -> String {
    format!("STATE#{name}")
}
const STATE_SK: &str = "STATE";

#[derive(Serialize, Deserialize)]
struct StateItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    kind: String,
    name: String,
    data: String,
    version: u64,
    updated_at: Timestamp,
}

fn outbox_shard(member: &MemberId) -> String {
    let h = member.as_str().bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("outbox#{}", h % OUTBOX_SHARDS)
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

fn backend<E: std::error::Error + 'static>(e: E) -> StoreError {
    StoreError::Backend(DisplayErrorContext(e).to_string())
}

fn to_item<T: Serialize>(v: &T) -> Item {
    serde_dynamo::to_item(v).expect("records serialize to items")
}

fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    let key = format!(
        "{}/{}",
        item.get("PK").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or("?"),
        item.get("SK").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or("?")
    );
    serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt { key, reason: e.to_string() })
}

// --- records: the shape of each item in the table ----------------------------------------

#[derive(Serialize, Deserialize)]
struct TeamRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    kind: String,
    id: TeamId,
    name: String,
    zone: TimeZone,
    send_time: LocalTime,
    workdays: Workdays,
    admins: Vec<EmailAddress>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    next_send_at: Option<Timestamp>,
    /// The weekly digest: 1 = Monday … 7 = Sunday, and a local time.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    digest_day: Option<i8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    digest_time: Option<LocalTime>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_at: Option<i64>,
    created_at: Timestamp,
    version: u64,
}

impl From<&Team> for TeamRecord {
    fn from(t: &Team) -> Self {
        Self {
            pk: team_pk(&t.id),
            sk: TEAM_SK.into(),
            kind: "team".into(),
            id: t.id.clone(),
            name: t.name.clone(),
            zone: t.schedule.zone.clone(),
            send_time: t.schedule.time,
            workdays: t.schedule.workdays,
            admins: t.admins.clone(),
            next_send_at: t.next_send_at,
            digest_day: t.digest.map(|d| d.weekday.to_monday_one_offset()),
            digest_time: t.digest.map(|d| d.time),
            due_kind: t.next_send_at.map(|_| "team".into()),
            due_at: t.next_send_at.map(nanos),
            created_at: t.created_at,
            version: t.version,
        }
    }
}

impl From<TeamRecord> for Team {
    fn from(r: TeamRecord) -> Self {
        Team {
            id: r.id,
            name: r.name,
            schedule: Schedule::new(r.zone, r.send_time, r.workdays),
            admins: r.admins,
            next_send_at: r.next_send_at,
            digest: match (r.digest_day, r.digest_time) {
                (Some(d), Some(time)) => {
                    jiff::civil::Weekday::from_monday_one_offset(d).ok().map(|weekday| WeeklyDigest { weekday, time })
                }
                _ => None,
            },
            created_at: r.created_at,
            version: r.version,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct MemberRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    kind: String,
    team: TeamId,
    id: MemberId,
    email: EmailAddress,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    name: Option<String>,
    status: MemberStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    status_reason: Option<String>,
    soft_bounces: u32,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<&Member> for MemberRecord {
    fn from(m: &Member) -> Self {
        Self {
            pk: team_pk(&m.team),
            sk: member_sk(&m.id),
            kind: "member".into(),
            team: m.team.clone(),
            id: m.id.clone(),
            email: m.email.clone(),
            name: m.name.clone(),
            status: m.status,
            status_reason: m.status_reason.clone(),
            soft_bounces: m.soft_bounces,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl From<MemberRecord> for Member {
    fn from(r: MemberRecord) -> Self {
        Member {
            team: r.team,
            id: r.id,
            email: r.email,
            name: r.name,
            status: r.status,
            status_reason: r.status_reason,
            soft_bounces: r.soft_bounces,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct OutboxRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    kind: String,
    team: TeamId,
    date: SendDate,
    member: MemberId,
    #[serde(default)]
    mail: OutboxKind,
    email: EmailAddress,
    status: OutboxStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    released_status: Option<OutboxStatus>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    lease_owner: Option<String>,
    attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    last_error: Option<String>,
    deadline: Timestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
    expires_at: i64,
}

impl From<&OutboxItem> for OutboxRecord {
    fn from(i: &OutboxItem) -> Self {
        let waiting = i.status.awaits_sender();
        Self {
            pk: team_pk(&i.key.team),
            sk: outbox_sk(i.key.date, &i.key.member),
            kind: "outbox".into(),
            team: i.key.team.clone(),
            date: i.key.date,
            member: i.key.member.clone(),
            mail: i.kind,
            email: i.email.clone(),
            status: i.status,
            due_kind: (waiting && i.due_at.is_some()).then(|| outbox_shard(&i.key.member)),
            due_at: i.due_at.filter(|_| waiting).map(nanos),
            due: i.due_at.filter(|_| waiting),
            released_status: i.released_status,
            lease_owner: i.lease_owner.clone(),
            attempts: i.attempts,
            message_id: i.message_id.clone(),
            last_error: i.last_error.clone(),
            deadline: i.deadline,
            created_at: i.created_at,
            updated_at: i.updated_at,
            expires_at: (i.deadline + OUTBOX_TTL).as_second(),
        }
    }
}

impl From<OutboxRecord> for OutboxItem {
    fn from(r: OutboxRecord) -> Self {
        OutboxItem {
            key: OutboxKey { team: r.team, date: r.date, member: r.member },
            kind: r.mail,
            email: r.email,
            status: r.status,
            due_at: r.due,
            released_status: r.released_status,
            lease_owner: r.lease_owner,
            attempts: r.attempts,
            message_id: r.message_id,
            last_error: r.last_error,
            deadline: r.deadline,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct ResponseRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    kind: String,
    team: TeamId,
    date: SendDate,
    voter: VoterKey,
    score: Score,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    comment: Option<String>,
    recorded_at: Timestamp,
    /// `recorded_at` in nanoseconds since the epoch, for the "latest wins" condition.
    recorded_ns: i64,
}

fn outbox_key_values(key: &OutboxKey) -> (String, String) {
    (team_pk(&key.team), outbox_sk(key.date, &key.member))
}

/// The part of an update that keeps `due`, `due_at` and `due_kind` in step.
fn set_due(due: Timestamp, member: &MemberId) -> [(&'static str, AttributeValue); 3] {
    [(":due", s(due.to_string())), (":due_at", n(nanos(due))), (":due_kind", s(outbox_shard(member)))]
}
const SET_DUE: &str = "due = :due, due_at = :due_at, due_kind = :due_kind";
const REMOVE_DUE: &str = "REMOVE due, due_at, due_kind";

#[async_trait]
impl Store for DynamoStore {
    async fn create_team(&self, team: &Team) -> Result<(), StoreError> {
        let item = to_item(&TeamRecord::from(team));
        if self.put(item, "attribute_not_exists(PK)", vec![]).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists(format!("team {}", team.id)))
        }
    }

    async fn get_team(&self, id: &TeamId) -> Result<Option<Team>, StoreError> {
        match self.get(team_pk(id), TEAM_SK).await? {
            Some(item) => Ok(Some(from_item::<TeamRecord>(item)?.into())),
            None => Ok(None),
        }
    }

    async fn list_teams(&self) -> Result<Vec<Team>, StoreError> {
        // Operators list teams rarely; a scan keeps the table free of a "kind" index.
        let items: Vec<Item> = self
            .client
            .scan()
            .table_name(&self.table)
            .filter_expression("SK = :sk")
            .expression_attribute_values(":sk", s(TEAM_SK))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(backend)?;
        let mut teams =
            items.into_iter().map(|i| from_item::<TeamRecord>(i).map(Team::from)).collect::<Result<Vec<_>, _>>()?;
        teams.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(teams)
    }

    async fn update_team(&self, team: &Team) -> Result<Team, StoreError> {
        let stored = self.get_team(&team.id).await?.ok_or_else(|| StoreError::NotFound(format!("team {}", team.id)))?;
        let mut updated = team.clone();
        updated.version = team.version + 1;
        updated.created_at = stored.created_at;
        let ok = self.put(to_item(&TeamRecord::from(&updated)), "version = :v", vec![(":v", n(team.version))]).await?;
        if ok { Ok(updated) } else { Err(StoreError::Conflict(format!("team {}", team.id))) }
    }

    async fn delete_team(&self, id: &TeamId) -> Result<(), StoreError> {
        self.delete_existing(team_pk(id), TEAM_SK.into(), format!("team {id}")).await
    }

    async fn due_teams(&self, now: Timestamp) -> Result<Vec<Team>, StoreError> {
        let items = self.query_due("team", now, None, None).await?;
        let mut teams: Vec<Team> =
            items.into_iter().map(|i| from_item::<TeamRecord>(i).map(Team::from)).collect::<Result<Vec<_>, _>>()?;
        // The index holds whole seconds; the exact instant decides.
        teams.retain(|t| t.next_send_at.is_some_and(|n| n <= now));
        teams.sort_by_key(|t| t.next_send_at);
        Ok(teams)
    }

    async fn advance_team(&self, id: &TeamId, expected: Timestamp, next: Timestamp) -> Result<bool, StoreError> {
        let u = Update::new(
            team_pk(id),
            TEAM_SK.into(),
            "SET next_send_at = :next, due_at = :due_at, version = version + :one",
            "next_send_at = :expected",
        )
        .val(":next", s(next.to_string()))
        .val(":due_at", n(nanos(next)))
        .val(":one", n(1))
        .val(":expected", s(expected.to_string()));
        Ok(self.update(u).await?.is_some())
    }

    async fn add_member(&self, member: &Member) -> Result<(), StoreError> {
        if self.put(to_item(&MemberRecord::from(member)), "attribute_not_exists(PK)", vec![]).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists(format!("member {} of team {}", member.email.masked(), member.team)))
        }
    }

    async fn get_member(&self, team: &TeamId, id: &MemberId) -> Result<Option<Member>, StoreError> {
        match self.get(team_pk(team), &member_sk(id)).await? {
            Some(item) => Ok(Some(from_item::<MemberRecord>(item)?.into())),
            None => Ok(None),
        }
    }

    async fn list_members(&self, team: &TeamId) -> Result<Vec<Member>, StoreError> {
        self.query_prefix(team_pk(team), "MEMBER#")
            .await?
            .into_iter()
            .map(|i| from_item::<MemberRecord>(i).map(Member::from))
            .collect()
    }

    async fn set_member_status(
        &self,
        team: &TeamId,
        id: &MemberId,
        from: &[MemberStatus],
        to: MemberStatus,
        reason: &str,
        now: Timestamp,
    ) -> Result<Option<Member>, StoreError> {
        const FROM: [&str; 5] = [":f0", ":f1", ":f2", ":f3", ":f4"];
        let placeholders = FROM[..from.len()].join(", ");
        if from.is_empty() {
            return match self.get_member(team, id).await? {
                Some(_) => Ok(None),
                None => Err(StoreError::NotFound(format!("member {id} of team {team}"))),
            };
        }
        let cond = format!("attribute_exists(PK) AND #status IN ({placeholders})");
        let mut u = Update::new(
            team_pk(team),
            member_sk(id),
            "SET #status = :to, status_reason = :reason, updated_at = :now",
            &cond,
        )
        .val(":to", s(to.as_str()))
        .val(":reason", s(reason))
        .val(":now", s(now.to_string()));
        for (i, f) in from.iter().enumerate() {
            u = u.val(FROM[i], s(f.as_str()));
        }
        match self.update(u).await? {
            Some(item) => Ok(Some(from_item::<MemberRecord>(item)?.into())),
            None => match self.get_member(team, id).await? {
                Some(_) => Ok(None),
                None => Err(StoreError::NotFound(format!("member {id} of team {team}"))),
            },
        }
    }

    async fn add_soft_bounce(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> Result<u32, StoreError> {
        let u = Update::new(
            team_pk(team),
            member_sk(id),
            "SET soft_bounces = soft_bounces + :one, updated_at = :now",
            "attribute_exists(PK)",
        )
        .val(":one", n(1))
        .val(":now", s(now.to_string()));
        match self.update(u).await? {
            Some(item) => Ok(from_item::<MemberRecord>(item)?.soft_bounces),
            None => Err(StoreError::NotFound(format!("member {id} of team {team}"))),
        }
    }

    async fn reset_soft_bounces(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> Result<(), StoreError> {
        let u = Update::new(
            team_pk(team),
            member_sk(id),
            "SET soft_bounces = :zero, updated_at = :now",
            "attribute_exists(PK)",
        )
        .val(":zero", n(0))
        .val(":now", s(now.to_string()));
        match self.update(u).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound(format!("member {id} of team {team}"))),
        }
    }

    async fn remove_member(&self, team: &TeamId, id: &MemberId) -> Result<(), StoreError> {
        self.delete_existing(team_pk(team), member_sk(id), format!("member {id} of team {team}")).await
    }

    async fn enqueue(&self, item: &OutboxItem) -> Result<bool, StoreError> {
        self.put(to_item(&OutboxRecord::from(item)), "attribute_not_exists(PK)", vec![]).await
    }

    async fn get_outbox(&self, key: &OutboxKey) -> Result<Option<OutboxItem>, StoreError> {
        let (pk, sk) = outbox_key_values(key);
        match self.get(pk, &sk).await? {
            Some(item) => Ok(Some(from_item::<OutboxRecord>(item)?.into())),
            None => Ok(None),
        }
    }

    async fn list_outbox(&self, team: &TeamId, date: Option<SendDate>) -> Result<Vec<OutboxItem>, StoreError> {
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

    async fn due_outbox(&self, now: Timestamp, limit: usize) -> Result<Vec<DueItem>, StoreError> {
        #[derive(Deserialize)]
        struct Due {
            team: TeamId,
            date: SendDate,
            member: MemberId,
            status: OutboxStatus,
            due: Timestamp,
        }
        let mut due = Vec::new();
        for shard in 0..OUTBOX_SHARDS {
            let items = self
                .query_due(&format!("outbox#{shard}"), now, Some(limit), Some("#team, #date, #member, #status, #due"))
                .await?;
            for item in items {
                let d: Due = from_item(item)?;
                // The index holds items in step with their status; check anyway, it is cheap.
                if d.status.awaits_sender() && d.due <= now {
                    due.push(DueItem {
                        key: OutboxKey { team: d.team, date: d.date, member: d.member },
                        due_at: d.due,
                    });
                }
            }
        }
        due.sort_by(|a, b| a.due_at.cmp(&b.due_at).then_with(|| a.key.cmp(&b.key)));
        due.truncate(limit);
        Ok(due)
    }

    async fn claim(
        &self,
        key: &OutboxKey,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<Option<OutboxItem>, StoreError> {
        let (pk, sk) = outbox_key_values(key);
        // Remember what to go back to on release; a lapsed lease keeps what it remembered.
        let mut u = Update::new(
            pk,
            sk,
            &format!(
                "SET released_status = if_not_exists(released_status, #status), #status = :sending, lease_owner = :owner, updated_at = :now, {SET_DUE}"
            ),
            "#status IN (:pending, :deferred, :sending) AND due_at <= :now_ns",
        )
        .val(":sending", s("sending"))
        .val(":pending", s("pending"))
        .val(":deferred", s("deferred"))
        .val(":owner", s(owner))
        .val(":now", s(now.to_string()))
        .val(":now_ns", n(nanos(now)));
        for (k, v) in set_due(lease_until, &key.member) {
            u = u.val(k, v);
        }
        match self.update(u).await? {
            Some(item) => Ok(Some(from_item::<OutboxRecord>(item)?.into())),
            None => Ok(None),
        }
    }

    async fn release(
        &self,
        key: &OutboxKey,
        owner: &str,
        due_at: Timestamp,
        error: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (pk, sk) = outbox_key_values(key);
        let error_set = if error.is_some() { ", last_error = :err" } else { "" };
        let mut u = Update::new(
            pk,
            sk,
            &format!(
                "SET #status = released_status, updated_at = :now, {SET_DUE}{error_set} REMOVE lease_owner, released_status"
            ),
            "#status = :sending AND lease_owner = :owner",
        )
        .val(":sending", s("sending"))
        .val(":owner", s(owner))
        .val(":now", s(now.to_string()));
        for (k, v) in set_due(due_at, &key.member) {
            u = u.val(k, v);
        }
        if let Some(e) = error {
            u = u.val(":err", s(e));
        }
        Ok(self.update(u).await?.is_some())
    }

    async fn mark_sent(
        &self,
        key: &OutboxKey,
        owner: &str,
        message_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (pk, sk) = outbox_key_values(key);
        let u = Update::new(
            pk,
            sk,
            &format!(
                "SET #status = :sent, attempts = attempts + :one, message_id = :mid, updated_at = :now {REMOVE_DUE}, lease_owner, released_status"
            ),
            "#status = :sending AND lease_owner = :owner",
        )
        .val(":sent", s("sent"))
        .val(":sending", s("sending"))
        .val(":owner", s(owner))
        .val(":one", n(1))
        .val(":mid", s(message_id))
        .val(":now", s(now.to_string()));
        Ok(self.update(u).await?.is_some())
    }

    async fn finish_unsent(
        &self,
        key: &OutboxKey,
        owner: &str,
        to: OutboxStatus,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        assert!(matches!(to, OutboxStatus::Failed | OutboxStatus::Suppressed), "finish_unsent to {to}");
        let (pk, sk) = outbox_key_values(key);
        let u = Update::new(
            pk,
            sk,
            &format!(
                "SET #status = :to, last_error = :err, updated_at = :now {REMOVE_DUE}, lease_owner, released_status"
            ),
            "#status = :sending AND lease_owner = :owner",
        )
        .val(":to", s(to.as_str()))
        .val(":sending", s("sending"))
        .val(":owner", s(owner))
        .val(":err", s(reason))
        .val(":now", s(now.to_string()));
        Ok(self.update(u).await?.is_some())
    }

    async fn apply_event(&self, key: &OutboxKey, event: &OutboxEvent, now: Timestamp) -> Result<bool, StoreError> {
        let (pk, sk) = outbox_key_values(key);
        let u = match event {
            OutboxEvent::Delivered => Update::new(
                pk,
                sk,
                &format!("SET #status = :delivered, updated_at = :now {REMOVE_DUE}, lease_owner, released_status"),
                "#status IN (:sent, :deferred, :sending)",
            )
            .val(":delivered", s("delivered"))
            .val(":sent", s("sent"))
            .val(":deferred", s("deferred"))
            .val(":sending", s("sending")),
            OutboxEvent::Deferred { message_id, retry_at, reason } => {
                let mut u = Update::new(
                    pk,
                    sk,
                    &format!("SET #status = :deferred, last_error = :err, updated_at = :now, {SET_DUE}"),
                    "#status = :sent AND message_id = :mid",
                )
                .val(":deferred", s("deferred"))
                .val(":sent", s("sent"))
                .val(":mid", s(message_id.as_str()))
                .val(":err", s(reason.as_str()));
                for (k, v) in set_due(*retry_at, &key.member) {
                    u = u.val(k, v);
                }
                u
            }
            OutboxEvent::Failed { reason } => Update::new(
                pk,
                sk,
                &format!(
                    "SET #status = :failed, last_error = :err, updated_at = :now {REMOVE_DUE}, lease_owner, released_status"
                ),
                "attribute_exists(PK) AND NOT #status IN (:failed, :suppressed)",
            )
            .val(":failed", s("failed"))
            .val(":suppressed", s("suppressed"))
            .val(":err", s(reason.as_str())),
        };
        Ok(self.update(u.val(":now", s(now.to_string()))).await?.is_some())
    }

    async fn requeue_failed(&self, key: &OutboxKey, now: Timestamp, deadline: Timestamp) -> Result<bool, StoreError> {
        let (pk, sk) = outbox_key_values(key);
        let mut u = Update::new(
            pk,
            sk,
            &format!(
                "SET #status = :pending, updated_at = :now, deadline = :deadline, expires_at = :exp, {SET_DUE} REMOVE released_status"
            ),
            "#status = :failed",
        )
        .val(":pending", s("pending"))
        .val(":failed", s("failed"))
        .val(":deadline", s(deadline.to_string()))
        .val(":exp", n((deadline + OUTBOX_TTL).as_second()))
        .val(":now", s(now.to_string()));
        for (k, v) in set_due(now, &key.member) {
            u = u.val(k, v);
        }
        Ok(self.update(u).await?.is_some())
    }

    async fn put_response(&self, r: &Response) -> Result<bool, StoreError> {
        let record = ResponseRecord {
            pk: team_pk(&r.team),
            sk: response_sk(r.date, &r.voter),
            kind: "response".into(),
            team: r.team.clone(),
            date: r.date,
            voter: r.voter.clone(),
            score: r.score,
            comment: r.comment.clone(),
            recorded_at: r.recorded_at,
            recorded_ns: nanos(r.recorded_at),
        };
        self.put(
            to_item(&record),
            "attribute_not_exists(PK) OR recorded_ns <= :ns",
            vec![(":ns", n(nanos(r.recorded_at)))],
        )
        .await
    }

    async fn list_responses(&self, team: &TeamId, from: SendDate, to: SendDate) -> Result<Vec<Response>, StoreError> {
        // RESP#<date>#... sorts by date; "RESP#<to>$" is just past every voter of `to`.
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :a AND :b")
            .expression_attribute_values(":pk", s(team_pk(team)))
            .expression_attribute_values(":a", s(format!("RESP#{from}#")))
            .expression_attribute_values(":b", s(format!("RESP#{to}$")))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(backend)?;
        items
            .into_iter()
            .map(|i| {
                from_item::<ResponseRecord>(i).map(|r| Response {
                    team: r.team,
                    date: r.date,
                    voter: r.voter,
                    score: r.score,
                    comment: r.comment,
                    recorded_at: r.recorded_at,
                })
            })
            .collect()
    }

    async fn note_for_digest(
        &self,
        team: &TeamId,
        date: SendDate,
        line: &str,
        send_after: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let u = Update::new(
            team_pk(team),
            digest_sk(date),
            "SET #lines = list_append(if_not_exists(#lines, :empty), :line), \
             #send_after = if_not_exists(#send_after, :sa), due_kind = :dk, due_at = if_not_exists(due_at, :da), \
             #team = :team, #date = :date, #kind = :kind, #updated_at = :now",
            "attribute_not_exists(#sent_at)",
        )
        .val(":empty", AttributeValue::L(vec![]))
        .val(":line", AttributeValue::L(vec![s(line)]))
        .val(":sa", s(send_after.to_string()))
        .val(":dk", s("digest"))
        .val(":da", n(nanos(send_after)))
        .val(":team", s(team.as_str()))
        .val(":date", s(date.as_str()))
        .val(":kind", s("digest"))
        .val(":now", s(now.to_string()));
        Ok(self.update(u).await?.is_some())
    }

    async fn due_digests(&self, now: Timestamp) -> Result<Vec<Digest>, StoreError> {
        let items = self.query_due("digest", now, None, None).await?;
        let mut out = Vec::new();
        for i in items {
            let d: Digest = from_item::<DigestItem>(i)?.into();
            // The index holds the first due time in whole precision; the record decides.
            if d.sent_at.is_none() && d.send_after <= now {
                out.push(d);
            }
        }
        Ok(out)
    }

    async fn mark_digest_sent(&self, team: &TeamId, date: SendDate, now: Timestamp) -> Result<bool, StoreError> {
        let u = Update::new(
            team_pk(team),
            digest_sk(date),
            "SET #sent_at = :now REMOVE due_kind, due_at",
            "attribute_exists(PK) AND attribute_not_exists(#sent_at)",
        )
        .val(":now", s(now.to_string()));
        Ok(self.update(u).await?.is_some())
    }

    async fn get_state(&self, name: &str) -> Result<Option<StateRecord>, StoreError> {
        match self.get(state_pk(name), STATE_SK).await? {
            Some(item) => {
                let r: StateItem = from_item(item)?;
                Ok(Some(StateRecord { name: r.name, data: r.data, version: r.version, updated_at: r.updated_at }))
            }
            None => Ok(None),
        }
    }

    async fn put_state(
        &self,
        name: &str,
        data: &str,
        expected: Option<u64>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let item = to_item(&StateItem {
            pk: state_pk(name),
            sk: STATE_SK.into(),
            kind: "state".into(),
            name: name.into(),
            data: data.into(),
            version: expected.unwrap_or(0) + 1,
            updated_at: now,
        });
        match expected {
            None => self.put(item, "attribute_not_exists(PK)", vec![]).await,
            Some(v) => self.put(item, "version = :v", vec![(":v", n(v))]).await,
        }
    }

    async fn idempotency_begin(
        &self,
        key: &str,
        now: Timestamp,
        in_progress_until: Timestamp,
        expires_at: Timestamp,
    ) -> Result<IdempotencyBegin, StoreError> {
        let mut item = Item::new();
        item.insert("PK".into(), s(idem_pk(key)));
        item.insert("SK".into(), s(IDEM_SK));
        item.insert("kind".into(), s("idempotency"));
        item.insert("status".into(), s("INPROGRESS"));
        item.insert("in_progress_until".into(), n(in_progress_until.as_millisecond()));
        item.insert("expires_at".into(), n(expires_at.as_second()));
        let cond =
            "attribute_not_exists(PK) OR expires_at <= :now_s OR (#status = :inprog AND in_progress_until <= :now_ms)";
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(cond)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now_s", n(now.as_second()))
            .expression_attribute_values(":now_ms", n(now.as_millisecond()))
            .expression_attribute_values(":inprog", s("INPROGRESS"))
            .send()
            .await;
        match res {
            Ok(_) => Ok(IdempotencyBegin::Started),
            Err(e) if e.code() == Some("ConditionalCheckFailedException") => {
                let Some(item) = self.get(idem_pk(key), IDEM_SK).await? else {
                    // Deleted between the two calls: the caller may simply try again.
                    return Err(StoreError::Conflict(format!("idempotency record {key}")));
                };
                let status = item.get("status").and_then(|v| v.as_s().ok()).map(String::as_str);
                match status {
                    Some("COMPLETED") => Ok(IdempotencyBegin::Completed {
                        result: item.get("result").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default(),
                    }),
                    _ => Ok(IdempotencyBegin::InProgress),
                }
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn idempotency_complete(&self, key: &str, result: &str, expires_at: Timestamp) -> Result<(), StoreError> {
        let u = Update::new(
            idem_pk(key),
            IDEM_SK.into(),
            "SET #status = :done, #result = :result, expires_at = :exp",
            "#status = :inprog",
        )
        .val(":done", s("COMPLETED"))
        .val(":result", s(result))
        .val(":exp", n(expires_at.as_second()))
        .val(":inprog", s("INPROGRESS"));
        match self.update(u).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::Conflict(format!("idempotency record {key}"))),
        }
    }
}
