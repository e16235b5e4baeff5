//! The in-memory table behind a fixed latency per call, counting what DynamoDB would bill and
//! where its partitions would run hot: every read and write by operation, and the most writes
//! one partition key took in one second.

use async_trait::async_trait;
use jiff::Timestamp;
use morale::domain::outbox::Change;
use morale::domain::{
    Away, Day, DayPlan, Ledger, Locale, Member, MemberId, OutboxItem, OutboxKey, ProblemReport, Response, SendDate,
    StatusChange, Tally, Team, TeamId,
};
use morale::store::prelude::*;
use morale::store::{Count, Due, DueItem, MemoryStore, StateRecord, StoreResult, TallyHour};
use morale::voter::DaySalt;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

pub struct MeteredStore {
    pub table: Arc<MemoryStore>,
    latency: Duration,
    began: Instant,
    pub counts: Mutex<StoreCounts>,
}

#[derive(Debug, Default, Clone)]
pub struct StoreCounts {
    /// Calls by operation (`read …` or `write …`).
    pub calls: BTreeMap<String, u64>,
    pub reads: u64,
    pub writes: u64,
    /// Per partition key: the second it last wrote in, and how many writes that second.
    this_second: HashMap<String, (u64, u32)>,
    /// The most writes one partition key took within one second, and which key.
    pub peak_key_writes: (u32, String),
}

impl StoreCounts {
    fn call(&mut self, what: &str, write: Option<(&str, u64)>) {
        *self.calls.entry(what.to_string()).or_default() += 1;
        let Some((key, second)) = write else {
            self.reads += 1;
            return;
        };
        self.writes += 1;
        let e = self.this_second.entry(key.to_string()).or_insert((second, 0));
        if e.0 != second {
            *e = (second, 0);
        }
        e.1 += 1;
        if e.1 > self.peak_key_writes.0 {
            self.peak_key_writes = (e.1, key.to_string());
        }
    }
}

impl MeteredStore {
    pub fn new(latency: Duration) -> Self {
        Self { table: Arc::new(MemoryStore::new()), latency, began: Instant::now(), counts: Mutex::default() }
    }

    async fn read<T>(&self, what: &str, op: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
        self.counts.lock().expect("lock").call(&format!("read {what}"), None);
        tokio::time::sleep(self.latency).await;
        op.await
    }

    /// A write lands in the middle of its call, on the partition of `key`.
    async fn write<T>(&self, what: &str, key: &str, op: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
        tokio::time::sleep(self.latency / 2).await;
        let second = (Instant::now() - self.began).as_secs();
        self.counts.lock().expect("lock").call(&format!("write {what}"), Some((key, second)));
        let r = op.await;
        tokio::time::sleep(self.latency - self.latency / 2).await;
        r
    }
}

/// A call of the table's `$op`, counted under its name: a read, or a write on the partition
/// `$key`.
macro_rules! call {
    (read $self:ident.$op:ident($($arg:expr),*)) => {
        $self.read(stringify!($op), $self.table.$op($($arg),*)).await
    };
    (write $self:ident.$op:ident($($arg:expr),*) on $key:expr) => {
        $self.write(stringify!($op), &$key, $self.table.$op($($arg),*)).await
    };
}

fn team_key(team: &TeamId) -> String {
    format!("TEAM#{team}")
}

#[async_trait]
impl TeamStore for MeteredStore {
    async fn create_team(&self, team: &Team) -> StoreResult<()> {
        call!(write self.create_team(team) on team_key(&team.id))
    }
    async fn get_team(&self, id: &TeamId) -> StoreResult<Option<Team>> {
        call!(read self.get_team(id))
    }
    async fn list_teams(&self) -> StoreResult<Vec<Team>> {
        call!(read self.list_teams())
    }
    async fn update_team(&self, team: &Team) -> StoreResult<Team> {
        call!(write self.update_team(team) on team_key(&team.id))
    }
    async fn delete_team(&self, id: &TeamId) -> StoreResult<()> {
        call!(write self.delete_team(id) on team_key(id))
    }
    async fn due_teams(&self, now: Timestamp) -> StoreResult<Due<Team>> {
        call!(read self.due_teams(now))
    }
    async fn advance_team(&self, id: &TeamId, expected: Timestamp, next: Timestamp) -> StoreResult<bool> {
        call!(write self.advance_team(id, expected, next) on team_key(id))
    }
}

#[async_trait]
impl MemberStore for MeteredStore {
    async fn add_member(&self, member: &Member) -> StoreResult<()> {
        call!(write self.add_member(member) on team_key(&member.team))
    }
    async fn get_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<Option<Member>> {
        call!(read self.get_member(team, id))
    }
    async fn list_members(&self, team: &TeamId) -> StoreResult<Vec<Member>> {
        // A query returns 1 MB a page: a page of members is about 2,500 of them.
        let members = self.table.list_members(team).await?;
        for _ in 0..members.len().div_ceil(2_500).max(1) {
            self.read("list_members (page)", async { Ok(()) }).await?;
        }
        Ok(members)
    }
    async fn set_status(&self, team: &TeamId, id: &MemberId, change: StatusChange<'_>) -> StoreResult<Option<Member>> {
        call!(write self.set_status(team, id, change) on team_key(team))
    }
    async fn add_soft_bounce(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<u32> {
        call!(write self.add_soft_bounce(team, id, now) on team_key(team))
    }
    async fn reset_soft_bounces(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<()> {
        call!(write self.reset_soft_bounces(team, id, now) on team_key(team))
    }
    async fn set_away(&self, team: &TeamId, id: &MemberId, away: Away) -> StoreResult<Option<Member>> {
        call!(write self.set_away(team, id, away) on team_key(team))
    }
    async fn set_locale(&self, team: &TeamId, id: &MemberId, locale: Option<Locale>, at: Timestamp) -> StoreResult<()> {
        call!(write self.set_locale(team, id, locale, at) on team_key(team))
    }
    async fn remove_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<()> {
        call!(write self.remove_member(team, id) on team_key(team))
    }
}

#[async_trait]
impl OutboxStore for MeteredStore {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<bool> {
        let what = if item.lease_owner.is_some() { "enqueue (claimed)" } else { "enqueue" };
        self.write(what, &team_key(&item.key.team), self.table.enqueue(item)).await
    }
    async fn get_outbox(&self, key: &OutboxKey) -> StoreResult<Option<OutboxItem>> {
        call!(read self.get_outbox(key))
    }
    async fn list_outbox(&self, team: &TeamId, date: Option<SendDate>) -> StoreResult<Vec<OutboxItem>> {
        call!(read self.list_outbox(team, date))
    }
    async fn due_outbox(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        call!(read self.due_outbox(now, limit))
    }
    async fn due_confirmations(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        call!(read self.due_confirmations(now, limit))
    }
    async fn quarantine(&self, key: &OutboxKey, reason: &str, now: Timestamp) -> StoreResult<bool> {
        call!(write self.quarantine(key, reason, now) on team_key(&key.team))
    }
    async fn change(&self, key: &OutboxKey, change: &Change<'_>, now: Timestamp) -> StoreResult<Option<OutboxItem>> {
        let what = format!("outbox {}", change.transition().name);
        self.write(&what, &team_key(&key.team), self.table.change(key, change, now)).await
    }
}

#[async_trait]
impl ResponseStore for MeteredStore {
    async fn put_response(&self, post: &Response) -> StoreResult<Response> {
        call!(write self.put_response(post) on team_key(&post.team))
    }
    async fn list_responses(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Response>> {
        call!(read self.list_responses(team, from, to))
    }
    async fn day_salt(&self, team: &TeamId, date: SendDate, fresh: &DaySalt) -> StoreResult<Option<DaySalt>> {
        call!(write self.day_salt(team, date, fresh) on team_key(team))
    }
    async fn forget_day(&self, team: &TeamId, date: SendDate) -> StoreResult<usize> {
        call!(write self.forget_day(team, date) on team_key(team))
    }
}

#[async_trait]
impl ProblemReportStore for MeteredStore {
    async fn note_problem(&self, team: &TeamId, date: SendDate, line: &str, after: Timestamp) -> StoreResult<bool> {
        call!(write self.note_problem(team, date, line, after) on team_key(team))
    }
    async fn get_problem_report(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<ProblemReport>> {
        call!(read self.get_problem_report(team, date))
    }
    async fn due_problem_reports(&self, now: Timestamp) -> StoreResult<Vec<ProblemReport>> {
        call!(read self.due_problem_reports(now))
    }
    async fn mark_problem_report_queued(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        call!(write self.mark_problem_report_queued(team, date, now) on team_key(team))
    }
}

#[async_trait]
impl DayStore for MeteredStore {
    async fn open_day(&self, team: &TeamId, date: SendDate, plan: &DayPlan, closes_at: Timestamp) -> StoreResult<bool> {
        call!(write self.open_day(team, date, plan, closes_at) on team_key(team))
    }
    async fn get_day(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<Day>> {
        call!(read self.get_day(team, date))
    }
    async fn list_days(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Day>> {
        call!(read self.list_days(team, from, to))
    }
    async fn due_days(&self, now: Timestamp, limit: usize) -> StoreResult<Due<Day>> {
        call!(read self.due_days(now, limit))
    }
    async fn close_day(&self, team: &TeamId, date: SendDate, ledger: &Ledger, now: Timestamp) -> StoreResult<bool> {
        call!(write self.close_day(team, date, ledger, now) on team_key(team))
    }
    async fn tally_day(&self, team: &TeamId, date: SendDate, tally: &Tally, now: Timestamp) -> StoreResult<bool> {
        call!(write self.tally_day(team, date, tally, now) on team_key(team))
    }
    async fn finish_day(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        call!(write self.finish_day(team, date, now) on team_key(team))
    }
}

#[async_trait]
impl StateStore for MeteredStore {
    async fn get_state(&self, name: &str) -> StoreResult<Option<StateRecord>> {
        call!(read self.get_state(name))
    }
    async fn put_state(&self, name: &str, data: &str, expected: Option<u64>, now: Timestamp) -> StoreResult<bool> {
        call!(write self.put_state(name, data, expected, now) on format!("STATE#{name}"))
    }
    async fn add_to_tally(&self, tally: &str, hour: &str, counts: &[Count], now: Timestamp) -> StoreResult<()> {
        call!(write self.add_to_tally(tally, hour, counts, now) on format!("TALLY#{tally}"))
    }
    async fn tally(&self, tally: &str, from: &str, to: &str) -> StoreResult<Vec<TallyHour>> {
        call!(read self.tally(tally, from, to))
    }
}
