//! The admins' problem reports and the operational state records.

use super::MemoryStore;
use crate::domain::{ProblemReport, SendDate, TeamId};
use crate::store::{Count, ProblemReportStore, StateRecord, StateStore, StoreError, StoreResult, TallyHour};
use async_trait::async_trait;
use jiff::Timestamp;

#[async_trait]
impl ProblemReportStore for MemoryStore {
    async fn note_problem(&self, team: &TeamId, date: SendDate, line: &str, after: Timestamp) -> StoreResult<bool> {
        let mut t = self.lock();
        let d = t.problem_reports.entry((team.clone(), date)).or_insert_with(|| ProblemReport {
            team: team.clone(),
            date,
            lines: Vec::new(),
            send_after: after,
            queued_at: None,
        });
        if d.tells_unlisted(line) {
            return Ok(true);
        }
        if d.queued_at.is_some() || d.is_full() || d.lines.iter().any(|l| l == line) {
            return Ok(false);
        }
        // As DynamoDB refuses an item past 400 KB: the fake must not hold what it cannot.
        if d.lines.iter().map(String::len).sum::<usize>() + line.len() > 400 * 1024 {
            return Err(StoreError::Backend(
                "ValidationException: Item size has exceeded the maximum allowed size".into(),
            ));
        }
        d.lines.push(line.to_string());
        Ok(true)
    }

    async fn due_problem_reports(&self, now: Timestamp) -> StoreResult<Vec<ProblemReport>> {
        let t = self.lock();
        Ok(t.problem_reports.values().filter(|d| d.queued_at.is_none() && d.send_after <= now).cloned().collect())
    }

    async fn get_problem_report(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<ProblemReport>> {
        Ok(self.lock().problem_reports.get(&(team.clone(), date)).cloned())
    }

    async fn mark_problem_report_queued(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        let mut t = self.lock();
        match t.problem_reports.get_mut(&(team.clone(), date)) {
            Some(d) if d.queued_at.is_none() => {
                d.queued_at = Some(now);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn get_state(&self, name: &str) -> StoreResult<Option<StateRecord>> {
        Ok(self.lock().state.get(name).cloned())
    }

    async fn put_state(&self, name: &str, data: &str, expected: Option<u64>, now: Timestamp) -> StoreResult<bool> {
        let mut t = self.lock();
        if t.state.get(name).map(|r| r.version) != expected {
            return Ok(false);
        }
        let version = expected.unwrap_or(0) + 1;
        t.state
            .insert(name.to_string(), StateRecord { name: name.into(), data: data.into(), version, updated_at: now });
        Ok(true)
    }

    async fn add_to_tally(&self, tally: &str, hour: &str, counts: &[Count], _now: Timestamp) -> StoreResult<()> {
        let mut t = self.lock();
        let h = t.tallies.entry((tally.to_string(), hour.to_string())).or_default();
        for (name, n) in counts {
            *h.entry((*name).to_string()).or_default() += n;
        }
        Ok(())
    }

    async fn tally(&self, tally: &str, from: &str, to: &str) -> StoreResult<Vec<TallyHour>> {
        let t = self.lock();
        let range = (tally.to_string(), from.to_string())..=(tally.to_string(), to.to_string());
        Ok(t.tallies
            .range(range)
            .map(|((_, hour), counts)| TallyHour { hour: hour.clone(), counts: counts.clone() })
            .collect())
    }
}
