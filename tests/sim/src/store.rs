//! DynamoDB as the functions meet it: the in-memory store (which keeps DynamoDB's conditions)
//! behind latency, errors after the SDK's retries, writes applied whose answer is lost, and
//! due indexes that lag the table. It also tells the log what changed, for the ledger.

use crate::dice::Dice;
use crate::log::{AwayChange, Log, Reachability};
use crate::plan::StoreFaults;
use async_trait::async_trait;
use jiff::Timestamp;
use morale::clock::Clock;
use morale::domain::outbox::Change;
use morale::domain::{
    Away, Day, DayPlan, Ledger, Locale, Member, MemberId, OutboxItem, OutboxKey, OutboxStatus, ProblemReport, Response,
    SendDate, StatusChange, Tally, Team, TeamId,
};
use morale::store::prelude::*;
use morale::store::{Count, Due, DueItem, MemoryStore, StateRecord, StoreError, StoreResult, TallyHour, Unreadable};
use morale::voter::DaySalt;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

pub struct SimStore {
    /// The table itself: the world's operators change it directly, without faults.
    pub table: Arc<MemoryStore>,
    faults: StoreFaults,
    dice: Arc<Dice>,
    log: Arc<Log>,
    clock: Arc<dyn Clock>,
    /// For each outbox item, when its due-index entry last changed and what it was before.
    outbox_index: Mutex<BTreeMap<OutboxKey, (Timestamp, Option<jiff::Timestamp>)>>,
    /// For each team, when its due-index entry last changed and the team as it was before.
    team_index: Mutex<BTreeMap<TeamId, (Timestamp, Team)>>,
    /// For each problem report, when its due-index entry last changed and what it was before.
    report_index: Mutex<BTreeMap<(TeamId, SendDate), IndexEntry<ProblemReport>>>,
    /// The records that cannot be read (set by the world), and the team records quarantined.
    pub corrupt: Arc<Mutex<Corrupt>>,
}

/// When a record's due-index entry last changed, and the record as it was before.
type IndexEntry<T> = (Timestamp, Option<T>);

/// Records that cannot be read, as a hand edit or an old shape would leave them.
#[derive(Debug, Default, Clone)]
pub struct Corrupt {
    pub team: Option<TeamId>,
    pub member: Option<(TeamId, MemberId)>,
    /// Every outbox item of this member.
    pub outbox_of: Option<MemberId>,
    team_quarantined: bool,
}

fn unreadable(key: String) -> StoreError {
    StoreError::Corrupt { key, reason: "invalid type: string \"lost-in-space\", expected a status".into() }
}

fn lost(what: &str) -> StoreError {
    StoreError::Backend(format!("{what}: the request timed out after it was sent (the write may have been applied)"))
}

impl SimStore {
    pub fn new(faults: StoreFaults, dice: Arc<Dice>, log: Arc<Log>, clock: Arc<dyn Clock>) -> Self {
        Self {
            table: Arc::new(MemoryStore::new()),
            faults,
            dice,
            log,
            clock,
            outbox_index: Mutex::default(),
            team_index: Mutex::default(),
            report_index: Mutex::default(),
            corrupt: Arc::default(),
        }
    }

    /// The same table as another caller meets it: the same weather, its own dice (so that one
    /// caller's calls leave the other's draws as they were), and no due indexes of its own.
    pub fn beside(other: &SimStore, dice: Arc<Dice>) -> Self {
        Self {
            table: other.table.clone(),
            faults: other.faults.clone(),
            dice,
            log: other.log.clone(),
            clock: other.clock.clone(),
            outbox_index: Mutex::default(),
            team_index: Mutex::default(),
            report_index: Mutex::default(),
            corrupt: other.corrupt.clone(),
        }
    }

    async fn travel(&self) {
        let max = self.faults.latency.as_millis() as u64;
        tokio::time::sleep(self.dice.millis(1, max.max(1))).await;
    }

    /// The way there: a delay, and maybe an error before anything happens.
    async fn there(&self, what: &str) -> StoreResult<()> {
        self.travel().await;
        if self.dice.chance(self.faults.error) {
            self.log.fault("store: error");
            return Err(StoreError::Backend(format!("{what}: ThrottlingException (retries exhausted)")));
        }
        Ok(())
    }

    /// The way back: a delay, and for a write maybe a lost answer.
    async fn back<T>(&self, what: &str, write: bool, r: StoreResult<T>) -> StoreResult<T> {
        self.travel().await;
        if write && r.is_ok() && self.dice.chance(self.faults.answer_lost) {
            self.log.fault("store: answer lost");
            return Err(lost(what));
        }
        r
    }

    async fn read<T>(&self, what: &str, op: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
        self.there(what).await?;
        let r = op.await;
        self.back(what, false, r).await
    }

    async fn write<T>(&self, what: &str, op: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
        self.there(what).await?;
        let r = op.await;
        self.back(what, true, r).await
    }

    /// How far behind the table the index is for this query.
    fn lag(&self) -> jiff::SignedDuration {
        let max = self.faults.index_lag.as_millis() as u64;
        let lag = if max == 0 { 0 } else { self.dice.between(0, max) };
        jiff::SignedDuration::from_millis(lag as i64)
    }

    fn corrupt(&self) -> Corrupt {
        self.corrupt.lock().expect("lock").clone()
    }

    fn readable_team(&self, id: &TeamId) -> StoreResult<()> {
        match self.corrupt().team {
            Some(t) if &t == id => Err(unreadable(format!("TEAM#{id}/TEAM"))),
            _ => Ok(()),
        }
    }

    fn readable_members(&self, team: &TeamId, id: Option<&MemberId>) -> StoreResult<()> {
        match self.corrupt().member {
            Some((t, m)) if &t == team && id.is_none_or(|id| id == &m) => {
                Err(unreadable(format!("TEAM#{team}/MEMBER#{m}")))
            }
            _ => Ok(()),
        }
    }

    fn readable_outbox(&self, key: &OutboxKey) -> StoreResult<()> {
        match self.corrupt().outbox_of {
            Some(m) if m == key.member => {
                Err(unreadable(format!("TEAM#{}/SEND#{}#{}", key.team, key.date, key.member)))
            }
            _ => Ok(()),
        }
    }

    fn changed_report(&self, team: &TeamId, date: SendDate, before: Option<ProblemReport>) {
        self.report_index.lock().expect("lock").insert((team.clone(), date), (self.clock.now(), before));
    }

    fn due_at(item: Option<&OutboxItem>) -> Option<Timestamp> {
        item.filter(|i| i.status.awaits_sender()).and_then(|i| i.due_at)
    }
}

#[async_trait]
impl TeamStore for SimStore {
    async fn create_team(&self, team: &Team) -> StoreResult<()> {
        self.write("PutItem team", self.table.create_team(team)).await
    }
    async fn get_team(&self, id: &TeamId) -> StoreResult<Option<Team>> {
        self.readable_team(id)?;
        self.read("GetItem team", self.table.get_team(id)).await
    }
    async fn list_teams(&self) -> StoreResult<Vec<Team>> {
        self.read("Scan teams", self.table.list_teams()).await
    }
    async fn update_team(&self, team: &Team) -> StoreResult<Team> {
        self.write("UpdateItem team", self.table.update_team(team)).await
    }
    async fn delete_team(&self, id: &TeamId) -> StoreResult<()> {
        self.write("DeleteItem team", self.table.delete_team(id)).await
    }
    async fn due_teams(&self, now: Timestamp) -> StoreResult<Due<Team>> {
        self.there("Query due teams").await?;
        let since = self.clock.now() - self.lag();
        let mut due: BTreeMap<TeamId, Team> =
            self.table.due_teams(now).await?.items.into_iter().map(|t| (t.id.clone(), t)).collect();
        for (id, (at, before)) in self.team_index.lock().expect("lock").iter() {
            if *at > since {
                // The index has not seen the change yet: it still shows the team as it was.
                due.remove(id);
                if before.next_send_at.is_some_and(|n| n <= now) {
                    due.insert(id.clone(), before.clone());
                }
            }
        }
        // As DynamoDB's adapter does: an unreadable record found is quarantined and listed once.
        let mut quarantined = Vec::new();
        if let Some(id) = self.corrupt().team {
            let Err(StoreError::Corrupt { key, reason }) = self.readable_team(&id) else { unreachable!() };
            let first = due.remove(&id).is_some()
                && !std::mem::replace(&mut self.corrupt.lock().expect("lock").team_quarantined, true);
            if first {
                self.log.with(|l| l.quarantined.push((key.clone(), self.clock.now())));
                quarantined.push(Unreadable { key, reason });
            }
        }
        self.back("Query due teams", false, Ok(Due { items: due.into_values().collect(), quarantined })).await
    }
    async fn advance_team(&self, id: &TeamId, expected: Timestamp, next: Timestamp) -> StoreResult<bool> {
        self.there("UpdateItem team").await?;
        let before = self.table.get_team(id).await?;
        let r = self.table.advance_team(id, expected, next).await;
        if let (Ok(true), Some(before)) = (&r, before) {
            self.team_index.lock().expect("lock").insert(id.clone(), (self.clock.now(), before));
        }
        self.back("UpdateItem team", true, r).await
    }
}

#[async_trait]
impl MemberStore for SimStore {
    async fn add_member(&self, member: &Member) -> StoreResult<()> {
        self.write("PutItem member", self.table.add_member(member)).await
    }
    async fn get_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<Option<Member>> {
        self.readable_members(team, Some(id))?;
        self.read("GetItem member", self.table.get_member(team, id)).await
    }
    async fn list_members(&self, team: &TeamId) -> StoreResult<Vec<Member>> {
        self.readable_members(team, None)?;
        self.read("Query members", self.table.list_members(team)).await
    }
    async fn set_status(&self, team: &TeamId, id: &MemberId, change: StatusChange<'_>) -> StoreResult<Option<Member>> {
        self.there("UpdateItem member").await?;
        let reason = change.reason.to_string();
        let r = self.table.set_status(team, id, change).await;
        if let Ok(Some(m)) = &r {
            self.log.with(|l| {
                l.reachability.push(Reachability {
                    team: team.clone(),
                    member: Some(id.clone()),
                    at: self.clock.now(),
                    reachable: m.status.receives_email(),
                    why: format!("{} ({reason})", m.status),
                })
            });
        }
        self.back("UpdateItem member", true, r).await
    }
    async fn add_soft_bounce(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<u32> {
        self.write("UpdateItem member", self.table.add_soft_bounce(team, id, now)).await
    }
    async fn reset_soft_bounces(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<()> {
        self.write("UpdateItem member", self.table.reset_soft_bounces(team, id, now)).await
    }
    async fn set_away(&self, team: &TeamId, id: &MemberId, away: Away) -> StoreResult<Option<Member>> {
        self.there("UpdateItem member").await?;
        let r = self.table.set_away(team, id, away).await;
        if let Ok(Some(_)) = &r {
            let change = AwayChange { team: team.clone(), member: id.clone(), at: self.clock.now(), back: away.back };
            self.log.with(|l| l.away.push(change));
        }
        self.back("UpdateItem member", true, r).await
    }
    async fn set_locale(&self, team: &TeamId, id: &MemberId, locale: Option<Locale>, at: Timestamp) -> StoreResult<()> {
        self.write("UpdateItem member", self.table.set_locale(team, id, locale, at)).await
    }
    async fn remove_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<()> {
        self.write("DeleteItem member", self.table.remove_member(team, id)).await
    }
}

#[async_trait]
impl OutboxStore for SimStore {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<bool> {
        self.there("PutItem outbox").await?;
        let r = self.table.enqueue(item).await;
        if let Ok(true) = r {
            self.outbox_index.lock().expect("lock").insert(item.key.clone(), (self.clock.now(), None));
        }
        self.back("PutItem outbox", true, r).await
    }
    async fn get_outbox(&self, key: &OutboxKey) -> StoreResult<Option<OutboxItem>> {
        self.readable_outbox(key)?;
        self.read("GetItem outbox", self.table.get_outbox(key)).await
    }
    async fn list_outbox(&self, team: &TeamId, date: Option<SendDate>) -> StoreResult<Vec<OutboxItem>> {
        self.read("Query outbox", self.table.list_outbox(team, date)).await
    }
    async fn due_confirmations(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        self.read("Query due confirmations", self.table.due_confirmations(now, limit)).await
    }
    async fn due_outbox(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        self.there("Query due outbox").await?;
        let since = self.clock.now() - self.lag();
        let mut due: BTreeMap<OutboxKey, Timestamp> =
            self.table.due_outbox(now, usize::MAX).await?.items.into_iter().map(|d| (d.key, d.due_at)).collect();
        for (key, (at, before)) in self.outbox_index.lock().expect("lock").iter() {
            if *at > since {
                due.remove(key);
                if let Some(d) = before.filter(|d| *d <= now) {
                    due.insert(key.clone(), d);
                }
            }
        }
        let mut due: Vec<DueItem> = due.into_iter().map(|(key, due_at)| DueItem { key, due_at }).collect();
        due.sort_by(|a, b| a.due_at.cmp(&b.due_at).then_with(|| a.key.cmp(&b.key)));
        due.truncate(limit);
        // The index holds keys only: an item whose body cannot be read shows up when claimed.
        self.back("Query due outbox", false, Ok(Due::readable(due))).await
    }
    async fn quarantine(&self, key: &OutboxKey, reason: &str, now: Timestamp) -> StoreResult<bool> {
        self.there("UpdateItem outbox").await?;
        let r = self.table.quarantine(key, reason, now).await;
        if let Ok(true) = r {
            self.log.with(|l| l.quarantined.push((key.to_string(), self.clock.now())));
        }
        self.back("UpdateItem outbox", true, r).await
    }
    async fn change(&self, key: &OutboxKey, change: &Change<'_>, now: Timestamp) -> StoreResult<Option<OutboxItem>> {
        let recording = match change {
            Change::MarkSent { message_id, .. } | Change::Accepted { message_id, .. } => Some(*message_id),
            _ => None,
        };
        if let Err(e) = self.there("UpdateItem outbox").await {
            if let Some(id) = recording {
                self.log.ambiguous(id);
            }
            return Err(e);
        }
        let before = self.table.get_outbox(key).await?;
        // The update applies; the item it returns does not read.
        let r = self.table.change(key, change, now).await.and_then(|r| self.readable_outbox(key).map(|()| r));
        if let Ok(Some(after)) = &r {
            let at = self.clock.now();
            if let Some(id) = recording {
                self.log.recorded(id);
            }
            let ended = |s: OutboxStatus| matches!(s, OutboxStatus::Failed | OutboxStatus::Unconfirmed);
            if ended(after.status) && before.as_ref().is_some_and(|b| b.status != after.status) {
                let why = after.last_error.clone().unwrap_or_default();
                self.log.with(|l| l.failures.push((key.clone(), at, why)));
            }
            let (was, is) = (Self::due_at(before.as_ref()), Self::due_at(Some(after)));
            if was != is {
                self.outbox_index.lock().expect("lock").insert(key.clone(), (at, was));
            }
        }
        self.back("UpdateItem outbox", true, r).await
    }
}

#[async_trait]
impl ResponseStore for SimStore {
    async fn put_response(&self, response: &Response) -> StoreResult<Response> {
        self.write("PutItem response", self.table.put_response(response)).await
    }
    async fn list_responses(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Response>> {
        self.read("Query responses", self.table.list_responses(team, from, to)).await
    }
    async fn day_salt(&self, team: &TeamId, date: SendDate, fresh: &DaySalt) -> StoreResult<Option<DaySalt>> {
        self.write("PutItem salt", self.table.day_salt(team, date, fresh)).await
    }
    async fn forget_day(&self, team: &TeamId, date: SendDate) -> StoreResult<usize> {
        self.write("DeleteItem salt and responses", self.table.forget_day(team, date)).await
    }
}

#[async_trait]
impl ProblemReportStore for SimStore {
    async fn note_problem(&self, team: &TeamId, date: SendDate, line: &str, after: Timestamp) -> StoreResult<bool> {
        self.there("UpdateItem problem report").await?;
        let before = self.table.get_problem_report(team, date).await?;
        let r = self.table.note_problem(team, date, line, after).await;
        if let Ok(true) = r {
            self.changed_report(team, date, before);
        }
        // Told only if the line is in the report: one already queued takes no more lines.
        let report = self.table.get_problem_report(team, date).await?;
        if report.is_some_and(|d| d.lines.iter().any(|l| l == line)) {
            self.log.with(|l| l.notes.push((team.clone(), date, line.to_string(), self.clock.now())));
        }
        self.back("UpdateItem problem report", true, r).await
    }
    async fn get_problem_report(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<ProblemReport>> {
        self.read("GetItem problem report", self.table.get_problem_report(team, date)).await
    }
    async fn due_problem_reports(&self, now: Timestamp) -> StoreResult<Vec<ProblemReport>> {
        self.there("Query due problem reports").await?;
        let since = self.clock.now() - self.lag();
        let mut due: BTreeMap<(TeamId, SendDate), ProblemReport> =
            self.table.due_problem_reports(now).await?.into_iter().map(|d| ((d.team.clone(), d.date), d)).collect();
        for (key, (at, before)) in self.report_index.lock().expect("lock").iter() {
            if *at > since {
                // The index (which projects the whole record) still holds the report as it was.
                due.remove(key);
                if let Some(d) = before.as_ref().filter(|d| d.queued_at.is_none() && d.send_after <= now) {
                    due.insert(key.clone(), d.clone());
                }
            }
        }
        self.back("Query due problem reports", false, Ok(due.into_values().collect())).await
    }
    async fn mark_problem_report_queued(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        self.there("UpdateItem problem report").await?;
        let before = self.table.get_problem_report(team, date).await?;
        let r = self.table.mark_problem_report_queued(team, date, now).await;
        if let Ok(true) = r {
            self.changed_report(team, date, before);
        }
        self.back("UpdateItem problem report", true, r).await
    }
}

#[async_trait]
impl StateStore for SimStore {
    async fn get_state(&self, name: &str) -> StoreResult<Option<StateRecord>> {
        self.read("GetItem state", self.table.get_state(name)).await
    }
    async fn put_state(&self, name: &str, data: &str, expected: Option<u64>, now: Timestamp) -> StoreResult<bool> {
        self.write("PutItem state", self.table.put_state(name, data, expected, now)).await
    }
    async fn add_to_tally(&self, tally: &str, hour: &str, counts: &[Count], now: Timestamp) -> StoreResult<()> {
        self.write("UpdateItem tally", self.table.add_to_tally(tally, hour, counts, now)).await
    }
    async fn tally(&self, tally: &str, from: &str, to: &str) -> StoreResult<Vec<TallyHour>> {
        self.read("Query tally", self.table.tally(tally, from, to)).await
    }
}

#[async_trait]
impl DayStore for SimStore {
    async fn open_day(&self, team: &TeamId, date: SendDate, plan: &DayPlan, closes_at: Timestamp) -> StoreResult<bool> {
        self.write("PutItem day", self.table.open_day(team, date, plan, closes_at)).await
    }
    async fn get_day(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<Day>> {
        self.read("GetItem day", self.table.get_day(team, date)).await
    }
    async fn list_days(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Day>> {
        self.read("Query days", self.table.list_days(team, from, to)).await
    }
    async fn due_days(&self, now: Timestamp, limit: usize) -> StoreResult<Due<Day>> {
        self.read("Query due days", self.table.due_days(now, limit)).await
    }
    async fn close_day(&self, team: &TeamId, date: SendDate, ledger: &Ledger, now: Timestamp) -> StoreResult<bool> {
        self.write("UpdateItem day", self.table.close_day(team, date, ledger, now)).await
    }
    async fn tally_day(&self, team: &TeamId, date: SendDate, tally: &Tally, now: Timestamp) -> StoreResult<bool> {
        self.write("UpdateItem day tally", self.table.tally_day(team, date, tally, now)).await
    }
    async fn finish_day(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        self.write("UpdateItem day done", self.table.finish_day(team, date, now)).await
    }
}
