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

fn team_key(team: &TeamId) -> String {
    format!("TEAM#{team}")
}

#[async_trait]
impl TeamStore for MeteredStore {
    async fn create_team(&self, team: &Team) -> StoreResult<()> {
        self.write("create_team", &team_key(&team.id), self.table.create_team(team)).await
    }
    async fn get_team(&self, id: &TeamId) -> StoreResult<Option<Team>> {
        self.read("get_team", self.table.get_team(id)).await
    }
    async fn list_teams(&self) -> StoreResult<Vec<Team>> {
        self.read("list_teams", self.table.list_teams()).await
    }
    async fn update_team(&self, team: &Team) -> StoreResult<Team> {
        self.write("update_team", &team_key(&team.id), self.table.update_team(team)).await
    }
    async fn delete_team(&self, id: &TeamId) -> StoreResult<()> {
        self.write("delete_team", &team_key(id), self.table.delete_team(id)).await
    }
    async fn due_teams(&self, now: Timestamp) -> StoreResult<Due<Team>> {
        self.read("due_teams", self.table.due_teams(now)).await
    }
    async fn advance_team(&self, id: &TeamId, expected: Timestamp, next: Timestamp) -> StoreResult<bool> {
        self.write("advance_team", &team_key(id), self.table.advance_team(id, expected, next)).await
    }
}

#[async_trait]
impl MemberStore for MeteredStore {
    async fn add_member(&self, member: &Member) -> StoreResult<()> {
        self.write("add_member", &team_key(&member.team), self.table.add_member(member)).await
    }
    async fn get_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<Option<Member>> {
        self.read("get_member", self.table.get_member(team, id)).await
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
        self.write("set_status", &team_key(team), self.table.set_status(team, id, change)).await
    }
    async fn add_soft_bounce(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<u32> {
        self.write("add_soft_bounce", &team_key(team), self.table.add_soft_bounce(team, id, now)).await
    }
    async fn reset_soft_bounces(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<()> {
        self.write("reset_soft_bounces", &team_key(team), self.table.reset_soft_bounces(team, id, now)).await
    }
    async fn set_away(&self, team: &TeamId, id: &MemberId, away: Away) -> StoreResult<Option<Member>> {
        self.write("set_away", &team_key(team), self.table.set_away(team, id, away)).await
    }
    async fn set_locale(&self, team: &TeamId, id: &MemberId, locale: Option<Locale>, at: Timestamp) -> StoreResult<()> {
        self.write("set_locale", &team_key(team), self.table.set_locale(team, id, locale, at)).await
    }
    async fn remove_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<()> {
        self.write("remove_member", &team_key(team), self.table.remove_member(team, id)).await
    }
}

#[async_trait]
impl OutboxStore for MeteredStore {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<bool> {
        let what = if item.lease_owner.is_some() { "enqueue (claimed)" } else { "enqueue" };
        self.write(what, &team_key(&item.key.team), self.table.enqueue(item)).await
    }
    async fn get_outbox(&self, key: &OutboxKey) -> StoreResult<Option<OutboxItem>> {
        self.read("get_outbox", self.table.get_outbox(key)).await
    }
    async fn list_outbox(&self, team: &TeamId, date: Option<SendDate>) -> StoreResult<Vec<OutboxItem>> {
        self.read("list_outbox", self.table.list_outbox(team, date)).await
    }
    async fn due_outbox(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        self.read("due_outbox", self.table.due_outbox(now, limit)).await
    }
    async fn due_confirmations(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        self.read("due_confirmations", self.table.due_confirmations(now, limit)).await
    }
    async fn quarantine(&self, key: &OutboxKey, reason: &str, now: Timestamp) -> StoreResult<bool> {
        self.write("quarantine", &team_key(&key.team), self.table.quarantine(key, reason, now)).await
    }
    async fn change(&self, key: &OutboxKey, change: &Change<'_>, now: Timestamp) -> StoreResult<Option<OutboxItem>> {
        let what = format!("outbox {}", change.transition().name);
        self.write(&what, &team_key(&key.team), self.table.change(key, change, now)).await
    }
}

#[async_trait]
impl ResponseStore for MeteredStore {
    async fn put_response(&self, post: &Response) -> StoreResult<Response> {
        self.write("put_response", &team_key(&post.team), self.table.put_response(post)).await
    }
    async fn list_responses(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Response>> {
        self.read("list_responses", self.table.list_responses(team, from, to)).await
    }
    async fn day_salt(&self, team: &TeamId, date: SendDate, fresh: &DaySalt) -> StoreResult<Option<DaySalt>> {
        self.write("day_salt", &team_key(team), self.table.day_salt(team, date, fresh)).await
    }
    async fn forget_day(&self, team: &TeamId, date: SendDate) -> StoreResult<usize> {
        self.write("forget_day", &team_key(team), self.table.forget_day(team, date)).await
    }
}

#[async_trait]
impl ProblemReportStore for MeteredStore {
    async fn note_problem(&self, team: &TeamId, date: SendDate, line: &str, after: Timestamp) -> StoreResult<bool> {
        self.write("note_problem", &team_key(team), self.table.note_problem(team, date, line, after)).await
    }
    async fn get_problem_report(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<ProblemReport>> {
        self.read("get_problem_report", self.table.get_problem_report(team, date)).await
    }
    async fn due_problem_reports(&self, now: Timestamp) -> StoreResult<Vec<ProblemReport>> {
        self.read("due_problem_reports", self.table.due_problem_reports(now)).await
    }
    async fn mark_problem_report_queued(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        self.write(
            "mark_problem_report_queued",
            &team_key(team),
            self.table.mark_problem_report_queued(team, date, now),
        )
        .await
    }
}

#[async_trait]
impl DayStore for MeteredStore {
    async fn open_day(&self, team: &TeamId, date: SendDate, plan: &DayPlan, closes_at: Timestamp) -> StoreResult<bool> {
        self.write("open_day", &team_key(team), self.table.open_day(team, date, plan, closes_at)).await
    }
    async fn get_day(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<Day>> {
        self.read("get_day", self.table.get_day(team, date)).await
    }
    async fn list_days(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Day>> {
        self.read("list_days", self.table.list_days(team, from, to)).await
    }
    async fn due_days(&self, now: Timestamp, limit: usize) -> StoreResult<Due<Day>> {
        self.read("due_days", self.table.due_days(now, limit)).await
    }
    async fn close_day(&self, team: &TeamId, date: SendDate, ledger: &Ledger, now: Timestamp) -> StoreResult<bool> {
        self.write("close_day", &team_key(team), self.table.close_day(team, date, ledger, now)).await
    }
    async fn tally_day(&self, team: &TeamId, date: SendDate, tally: &Tally, now: Timestamp) -> StoreResult<bool> {
        self.write("tally_day", &team_key(team), self.table.tally_day(team, date, tally, now)).await
    }
    async fn finish_day(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        self.write("finish_day", &team_key(team), self.table.finish_day(team, date, now)).await
    }
}

#[async_trait]
impl StateStore for MeteredStore {
    async fn get_state(&self, name: &str) -> StoreResult<Option<StateRecord>> {
        self.read("get_state", self.table.get_state(name)).await
    }
    async fn put_state(&self, name: &str, data: &str, expected: Option<u64>, now: Timestamp) -> StoreResult<bool> {
        self.write("put_state", &format!("STATE#{name}"), self.table.put_state(name, data, expected, now)).await
    }
    async fn add_to_tally(&self, tally: &str, hour: &str, counts: &[Count], now: Timestamp) -> StoreResult<()> {
        self.write("add_to_tally", &format!("TALLY#{tally}"), self.table.add_to_tally(tally, hour, counts, now)).await
    }
    async fn tally(&self, tally: &str, from: &str, to: &str) -> StoreResult<Vec<TallyHour>> {
        self.read("tally", self.table.tally(tally, from, to)).await
    }
}
