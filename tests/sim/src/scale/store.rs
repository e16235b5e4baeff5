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

/// Each port's methods as metered calls of the table's: `read`, or `write(<partition key>)`;
/// in brackets, the few that count otherwise.
macro_rules! metered {
    ($($port:ident {
        $($kind:ident $(($key:expr))? $op:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*
        $([$($own:tt)*])?
    })*) => {$(
        #[async_trait]
        impl $port for MeteredStore {
            $(async fn $op(&self, $($arg: $ty),*) -> StoreResult<$ret> {
                call!($kind self.$op($($arg),*) $(on $key)?)
            })*
            $($($own)*)?
        }
    )*};
}

fn team_key(team: &TeamId) -> String {
    format!("TEAM#{team}")
}

metered! {
    TeamStore {
        write(team_key(&team.id)) create_team(team: &Team) -> ();
        read get_team(id: &TeamId) -> Option<Team>;
        read list_teams() -> Vec<Team>;
        write(team_key(&team.id)) update_team(team: &Team) -> Team;
        write(team_key(id)) delete_team(id: &TeamId) -> ();
        read due_teams(now: Timestamp) -> Due<Team>;
        write(team_key(id)) advance_team(id: &TeamId, expected: Timestamp, next: Timestamp) -> bool;
    }
    MemberStore {
        write(team_key(&member.team)) add_member(member: &Member) -> ();
        read get_member(team: &TeamId, id: &MemberId) -> Option<Member>;
        write(team_key(team)) set_status(team: &TeamId, id: &MemberId, change: StatusChange<'_>) -> Option<Member>;
        write(team_key(team)) add_soft_bounce(team: &TeamId, id: &MemberId, now: Timestamp) -> u32;
        write(team_key(team)) reset_soft_bounces(team: &TeamId, id: &MemberId, now: Timestamp) -> ();
        write(team_key(team)) set_away(team: &TeamId, id: &MemberId, away: Away) -> Option<Member>;
        write(team_key(team)) set_locale(team: &TeamId, id: &MemberId, locale: Option<Locale>, at: Timestamp) -> ();
        write(team_key(team)) remove_member(team: &TeamId, id: &MemberId) -> ();
        [
            async fn list_members(&self, team: &TeamId) -> StoreResult<Vec<Member>> {
                // A query returns 1 MB a page: a page of members is about 2,500 of them.
                let members = self.table.list_members(team).await?;
                for _ in 0..members.len().div_ceil(2_500).max(1) {
                    self.read("list_members (page)", async { Ok(()) }).await?;
                }
                Ok(members)
            }
        ]
    }
    OutboxStore {
        read get_outbox(key: &OutboxKey) -> Option<OutboxItem>;
        read list_outbox(team: &TeamId, date: Option<SendDate>) -> Vec<OutboxItem>;
        read due_outbox(now: Timestamp, limit: usize) -> Due<DueItem>;
        read due_confirmations(now: Timestamp, limit: usize) -> Due<DueItem>;
        write(team_key(&key.team)) quarantine(key: &OutboxKey, reason: &str, now: Timestamp) -> bool;
        [
            async fn enqueue(&self, item: &OutboxItem) -> StoreResult<bool> {
                let what = if item.lease_owner.is_some() { "enqueue (claimed)" } else { "enqueue" };
                self.write(what, &team_key(&item.key.team), self.table.enqueue(item)).await
            }
            async fn change(&self, key: &OutboxKey, change: &Change<'_>, now: Timestamp) -> StoreResult<Option<OutboxItem>> {
                let what = format!("outbox {}", change.transition().name);
                self.write(&what, &team_key(&key.team), self.table.change(key, change, now)).await
            }
        ]
    }
    ResponseStore {
        write(team_key(&post.team)) put_response(post: &Response) -> Response;
        read list_responses(team: &TeamId, from: SendDate, to: SendDate) -> Vec<Response>;
        write(team_key(team)) day_salt(team: &TeamId, date: SendDate, fresh: &DaySalt) -> Option<DaySalt>;
        write(team_key(team)) forget_day(team: &TeamId, date: SendDate) -> usize;
    }
    ProblemReportStore {
        write(team_key(team)) note_problem(team: &TeamId, date: SendDate, line: &str, after: Timestamp) -> bool;
        read get_problem_report(team: &TeamId, date: SendDate) -> Option<ProblemReport>;
        read due_problem_reports(now: Timestamp) -> Vec<ProblemReport>;
        write(team_key(team)) mark_problem_report_queued(team: &TeamId, date: SendDate, now: Timestamp) -> bool;
    }
    DayStore {
        write(team_key(team)) open_day(team: &TeamId, date: SendDate, plan: &DayPlan, closes_at: Timestamp) -> bool;
        read get_day(team: &TeamId, date: SendDate) -> Option<Day>;
        read list_days(team: &TeamId, from: SendDate, to: SendDate) -> Vec<Day>;
        read due_days(now: Timestamp, limit: usize) -> Due<Day>;
        write(team_key(team)) close_day(team: &TeamId, date: SendDate, ledger: &Ledger, now: Timestamp) -> bool;
        write(team_key(team)) tally_day(team: &TeamId, date: SendDate, tally: &Tally, now: Timestamp) -> bool;
        write(team_key(team)) finish_day(team: &TeamId, date: SendDate, now: Timestamp) -> bool;
    }
    StateStore {
        read get_state(name: &str) -> Option<StateRecord>;
        write(format!("STATE#{name}")) put_state(name: &str, data: &str, expected: Option<u64>, now: Timestamp) -> bool;
        write(format!("TALLY#{tally}")) add_to_tally(tally: &str, hour: &str, counts: &[Count], now: Timestamp) -> ();
        read tally(tally: &str, from: &str, to: &str) -> Vec<TallyHour>;
    }
}
