//! The in-memory store for fast unit tests. It keeps to the same conditions as the DynamoDB
//! adapter; the contract tests in `tests/` run the same cases against both.

use super::{Due, DueItem, MemberStore, OutboxStore, StateRecord, StoreError, StoreResult, TeamStore};
use crate::domain::outbox::Change;
use crate::domain::{
    Away, Day, Locale, Member, MemberId, MemberStatus, OutboxItem, OutboxKey, ProblemReport, Response, SendDate,
    StatusChange, Team, TeamId, VoterKey,
};
use crate::voter::DaySalt;
use async_trait::async_trait;
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

#[derive(Default)]
struct Tables {
    teams: BTreeMap<TeamId, Team>,
    members: BTreeMap<(TeamId, MemberId), Member>,
    outbox: BTreeMap<OutboxKey, OutboxItem>,
    responses: BTreeMap<(TeamId, SendDate, VoterKey), Response>,
    salts: BTreeMap<(TeamId, SendDate), DaySalt>,
    state: BTreeMap<String, StateRecord>,
    problem_reports: BTreeMap<(TeamId, SendDate), ProblemReport>,
    days: BTreeMap<(TeamId, SendDate), Day>,
    tallies: BTreeMap<(String, String), BTreeMap<String, u64>>,
    /// Taken out of the due index (every record here can be read: only a caller quarantines).
    quarantined: BTreeSet<OutboxKey>,
    /// The due index, as DynamoDB's: items waiting for the sender, and for SES's events, by due
    /// time. Kept in step with `outbox` by [`Tables::put_outbox`], so that a due query reads
    /// only what is due, however many items the outbox holds.
    awaiting_sender: BTreeSet<(Timestamp, OutboxKey)>,
    awaiting_events: BTreeSet<(Timestamp, OutboxKey)>,
}

impl Tables {
    /// Stores an item and moves its due-index entry with it.
    fn put_outbox(&mut self, item: OutboxItem) {
        if let Some((queue, at)) = self.outbox.get(&item.key).and_then(Self::queue_of) {
            self.queue(queue).remove(&(at, item.key.clone()));
        }
        if !self.quarantined.contains(&item.key) {
            if let Some((queue, at)) = Self::queue_of(&item) {
                self.queue(queue).insert((at, item.key.clone()));
            }
        }
        self.outbox.insert(item.key.clone(), item);
    }

    /// Which due queue an item is in (`true`: the sender's), and at what time.
    fn queue_of(item: &OutboxItem) -> Option<(bool, Timestamp)> {
        let at = item.due_at?;
        if item.status.awaits_sender() {
            Some((true, at))
        } else if item.status.awaits_events() {
            Some((false, at))
        } else {
            None
        }
    }

    fn queue(&mut self, sender: bool) -> &mut BTreeSet<(Timestamp, OutboxKey)> {
        if sender { &mut self.awaiting_sender } else { &mut self.awaiting_events }
    }

    /// A team's members, read by range rather than by scanning every team's.
    fn members_of<'a>(&'a self, team: &TeamId) -> impl Iterator<Item = &'a Member> + 'a {
        let from = (team.clone(), MemberId::lowest());
        let team = team.clone();
        self.members.range(from..).take_while(move |((t, _), _)| *t == team).map(|(_, m)| m)
    }
}

#[derive(Default)]
pub struct MemoryStore {
    t: Mutex<Tables>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tables> {
        // A panicking test thread must not wedge every other test using this store.
        self.t.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl TeamStore for MemoryStore {
    async fn create_team(&self, team: &Team) -> StoreResult<()> {
        let mut t = self.lock();
        if t.teams.contains_key(&team.id) {
            return Err(StoreError::AlreadyExists(format!("team {}", team.id)));
        }
        t.teams.insert(team.id.clone(), team.clone());
        Ok(())
    }

    async fn get_team(&self, id: &TeamId) -> StoreResult<Option<Team>> {
        Ok(self.lock().teams.get(id).cloned())
    }

    async fn list_teams(&self) -> StoreResult<Vec<Team>> {
        Ok(self.lock().teams.values().cloned().collect())
    }

    async fn update_team(&self, team: &Team) -> StoreResult<Team> {
        let mut t = self.lock();
        let stored = t.teams.get_mut(&team.id).ok_or_else(|| StoreError::NotFound(format!("team {}", team.id)))?;
        if stored.version != team.version {
            return Err(StoreError::Conflict(format!("team {}", team.id)));
        }
        let mut updated = team.clone();
        updated.version += 1;
        updated.created_at = stored.created_at;
        *stored = updated.clone();
        Ok(updated)
    }

    async fn delete_team(&self, id: &TeamId) -> StoreResult<()> {
        self.lock().teams.remove(id).map(|_| ()).ok_or_else(|| StoreError::NotFound(format!("team {id}")))
    }

    async fn due_teams(&self, now: Timestamp) -> StoreResult<Due<Team>> {
        let t = self.lock();
        let mut due: Vec<Team> =
            t.teams.values().filter(|team| team.next_send_at.is_some_and(|n| n <= now)).cloned().collect();
        due.sort_by_key(|team| team.next_send_at);
        Ok(Due::readable(due))
    }

    async fn advance_team(&self, id: &TeamId, expected: Timestamp, next: Timestamp) -> StoreResult<bool> {
        let mut t = self.lock();
        match t.teams.get_mut(id) {
            Some(team) if team.next_send_at == Some(expected) => {
                team.next_send_at = Some(next);
                team.version += 1;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl MemberStore for MemoryStore {
    async fn add_member(&self, member: &Member) -> StoreResult<()> {
        let mut t = self.lock();
        let key = (member.team.clone(), member.id.clone());
        if t.members.contains_key(&key) {
            return Err(StoreError::AlreadyExists(format!("member {} of team {}", member.email.masked(), member.team)));
        }
        t.members.insert(key, member.clone());
        Ok(())
    }

    async fn get_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<Option<Member>> {
        Ok(self.lock().members.get(&(team.clone(), id.clone())).cloned())
    }

    async fn list_members(&self, team: &TeamId) -> StoreResult<Vec<Member>> {
        Ok(self.lock().members_of(team).cloned().collect())
    }

    async fn set_status(&self, team: &TeamId, id: &MemberId, change: StatusChange<'_>) -> StoreResult<Option<Member>> {
        let mut t = self.lock();
        let m = t
            .members
            .get_mut(&(team.clone(), id.clone()))
            .ok_or_else(|| StoreError::NotFound(format!("member {id} of team {team}")))?;
        Ok(change.apply(m).then(|| m.clone()))
    }

    async fn add_soft_bounce(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<u32> {
        let mut t = self.lock();
        let m = t
            .members
            .get_mut(&(team.clone(), id.clone()))
            .ok_or_else(|| StoreError::NotFound(format!("member {id} of team {team}")))?;
        m.soft_bounces += 1;
        m.updated_at = now;
        Ok(m.soft_bounces)
    }

    async fn set_away(&self, team: &TeamId, id: &MemberId, away: Away) -> StoreResult<Option<Member>> {
        let mut t = self.lock();
        let m = t
            .members
            .get_mut(&(team.clone(), id.clone()))
            .ok_or_else(|| StoreError::NotFound(format!("member {id} of team {team}")))?;
        if m.status != MemberStatus::Active {
            return Ok(None);
        }
        m.away_until = away.back;
        m.updated_at = away.at;
        Ok(Some(m.clone()))
    }

    async fn set_locale(&self, team: &TeamId, id: &MemberId, locale: Option<Locale>, at: Timestamp) -> StoreResult<()> {
        let mut t = self.lock();
        let m = t
            .members
            .get_mut(&(team.clone(), id.clone()))
            .ok_or_else(|| StoreError::NotFound(format!("member {id} of team {team}")))?;
        m.locale = locale;
        m.updated_at = at;
        Ok(())
    }

    async fn reset_soft_bounces(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<()> {
        let mut t = self.lock();
        let m = t
            .members
            .get_mut(&(team.clone(), id.clone()))
            .ok_or_else(|| StoreError::NotFound(format!("member {id} of team {team}")))?;
        m.soft_bounces = 0;
        m.updated_at = now;
        Ok(())
    }

    async fn remove_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<()> {
        self.lock()
            .members
            .remove(&(team.clone(), id.clone()))
            .map(|_| ())
            .ok_or_else(|| StoreError::NotFound(format!("member {id} of team {team}")))
    }
}

#[async_trait]
impl OutboxStore for MemoryStore {
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<bool> {
        let mut t = self.lock();
        if t.outbox.contains_key(&item.key) {
            return Ok(false);
        }
        t.put_outbox(item.clone());
        Ok(true)
    }

    async fn get_outbox(&self, key: &OutboxKey) -> StoreResult<Option<OutboxItem>> {
        Ok(self.lock().outbox.get(key).cloned())
    }

    async fn list_outbox(&self, team: &TeamId, date: Option<SendDate>) -> StoreResult<Vec<OutboxItem>> {
        let first = OutboxKey {
            team: team.clone(),
            date: date.unwrap_or(SendDate::new(jiff::civil::Date::MIN)),
            member: MemberId::lowest(),
        };
        Ok(self
            .lock()
            .outbox
            .range(first..)
            .map(|(_, i)| i)
            .take_while(|i| &i.key.team == team && date.is_none_or(|d| i.key.date == d))
            .cloned()
            .collect())
    }

    async fn due_outbox(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        self.due_in(now, limit, true)
    }

    async fn due_confirmations(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>> {
        self.due_in(now, limit, false)
    }

    async fn quarantine(&self, key: &OutboxKey, _reason: &str, _now: Timestamp) -> StoreResult<bool> {
        let mut t = self.lock();
        let Some(item) = t.outbox.get(key).cloned() else { return Ok(false) };
        t.quarantined.insert(key.clone());
        if let Some((queue, at)) = Tables::queue_of(&item) {
            t.queue(queue).remove(&(at, item.key));
        }
        Ok(true)
    }

    async fn change(&self, key: &OutboxKey, change: &Change<'_>, now: Timestamp) -> StoreResult<Option<OutboxItem>> {
        let mut t = self.lock();
        let Some(item) = t.outbox.get(key) else { return Ok(None) };
        let Some(next) = change.apply(item, now) else { return Ok(None) };
        t.put_outbox(next.clone());
        Ok(Some(next))
    }
}

impl MemoryStore {
    /// The due index's view of one queue (`sender`: the sender's, else SES's events'): items
    /// due by `now`, oldest first.
    fn due_in(&self, now: Timestamp, limit: usize, sender: bool) -> StoreResult<Due<DueItem>> {
        let mut t = self.lock();
        let due = t
            .queue(sender)
            .iter()
            .take_while(|(at, _)| *at <= now)
            .take(limit)
            .map(|(at, key)| DueItem { key: key.clone(), due_at: *at })
            .collect();
        Ok(Due::readable(due))
    }
}

mod days;
mod state;
