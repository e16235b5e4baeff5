//! Answers, their salts and the days they belong to.

use super::MemoryStore;
use crate::domain::{Day, DayPlan, Ledger, Response, SendDate, Tally, TeamId};
use crate::store::{DayStore, Due, ResponseStore, StoreResult};
use crate::voter::DaySalt;
use async_trait::async_trait;
use jiff::Timestamp;

#[async_trait]
impl ResponseStore for MemoryStore {
    async fn put_response(&self, post: &Response) -> StoreResult<Response> {
        let mut t = self.lock();
        let key = (post.team.clone(), post.date, post.voter.clone());
        let stored = t.responses.get(&key).map_or_else(|| post.clone(), |old| old.then(post));
        t.responses.insert(key, stored.clone());
        Ok(stored)
    }

    async fn list_responses(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Response>> {
        Ok(self
            .lock()
            .responses
            .values()
            .filter(|r| &r.team == team && r.date >= from && r.date <= to)
            .cloned()
            .collect())
    }

    async fn day_salt(&self, team: &TeamId, date: SendDate, fresh: &DaySalt) -> StoreResult<Option<DaySalt>> {
        let mut t = self.lock();
        if let Some(salt) = t.salts.get(&(team.clone(), date)) {
            return Ok(Some(salt.clone()));
        }
        if t.days.get(&(team.clone(), date)).is_some_and(|d| d.tally.is_some()) {
            return Ok(None);
        }
        t.salts.insert((team.clone(), date), fresh.clone());
        Ok(Some(fresh.clone()))
    }

    async fn forget_day(&self, team: &TeamId, date: SendDate) -> StoreResult<usize> {
        let mut t = self.lock();
        t.salts.remove(&(team.clone(), date));
        let before = t.responses.len();
        t.responses.retain(|(tm, d, _), _| !(tm == team && *d == date));
        Ok(before - t.responses.len())
    }
}
impl MemoryStore {
    /// A team-day's salt, if stored: for tests that audit the table (reads only).
    pub fn salt_of(&self, team: &TeamId, date: SendDate) -> Option<DaySalt> {
        self.lock().salts.get(&(team.clone(), date)).cloned()
    }
}

#[async_trait]
impl DayStore for MemoryStore {
    async fn open_day(&self, team: &TeamId, date: SendDate, plan: &DayPlan, closes_at: Timestamp) -> StoreResult<bool> {
        let mut t = self.lock();
        if t.days.contains_key(&(team.clone(), date)) {
            return Ok(false);
        }
        let day = Day::new(team.clone(), date, plan.clone(), closes_at);
        t.days.insert((team.clone(), date), day);
        Ok(true)
    }

    async fn get_day(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<Day>> {
        Ok(self.lock().days.get(&(team.clone(), date)).cloned())
    }

    async fn list_days(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Day>> {
        let t = self.lock();
        Ok(t.days.range((team.clone(), from)..=(team.clone(), to)).map(|(_, d)| d.clone()).collect())
    }

    async fn due_days(&self, now: Timestamp, limit: usize) -> StoreResult<Due<Day>> {
        let t = self.lock();
        let mut due: Vec<Day> = t.days.values().filter(|d| d.due_at().is_some_and(|at| at <= now)).cloned().collect();
        due.sort_by_key(|d| d.due_at());
        due.truncate(limit);
        Ok(Due::readable(due))
    }

    async fn close_day(&self, team: &TeamId, date: SendDate, ledger: &Ledger, now: Timestamp) -> StoreResult<bool> {
        let mut t = self.lock();
        match t.days.get_mut(&(team.clone(), date)) {
            Some(d) if d.closed_at.is_none() => {
                d.closed = Some(ledger.clone());
                d.closed_at = Some(now);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn tally_day(&self, team: &TeamId, date: SendDate, tally: &Tally, _now: Timestamp) -> StoreResult<bool> {
        let mut t = self.lock();
        match t.days.get_mut(&(team.clone(), date)) {
            Some(d) if d.closed_at.is_some() && d.tally.is_none() => {
                d.tally = Some(tally.clone());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn finish_day(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        let mut t = self.lock();
        match t.days.get_mut(&(team.clone(), date)) {
            Some(d) if d.tally.is_some() && d.forgotten_at.is_none() => {
                d.forgotten_at = Some(now);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
