//! The store ports: one trait per stored thing, each with a DynamoDB adapter (one table, see
//! `template.yaml`) and an in-memory fake that obeys the same contract (`tests/` runs the same
//! cases against both). A caller asks for the traits it uses; [`Store`] is all of them.
//!
//! Every state change is conditional: on an item (not) existing, on the version or status it
//! was read with, or on the lease its caller holds. A condition that does not hold is not an
//! error but an answer (`Ok(false)` / `Ok(None)` / [`StoreError::AlreadyExists`]...), since
//! concurrent senders and repeated events make it an everyday case.

mod dynamo;
mod memory;
pub mod record;

pub use dynamo::{DynamoStore, INDEX_DUE, TABLE_ENV};
pub use memory::MemoryStore;

use crate::domain::outbox::{Change, Unsent};
use crate::domain::{
    Away, Day, DayPlan, Ledger, Locale, Member, MemberId, OutboxItem, OutboxKey, ProblemReport, Response, SendDate,
    StatusChange, Tally, Team, TeamId,
};
use crate::voter::DaySalt;
use async_trait::async_trait;
use jiff::Timestamp;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("{0} was not found")]
    NotFound(String),
    /// A conditional update found the item changed since it was read.
    #[error("{0} was changed by someone else; read it again and retry")]
    Conflict(String),
    #[error("stored item {key} cannot be read: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("the table could not be reached: {0}")]
    Backend(String),
}

/// What a due-index query found: the records it could read, and those it could not. An
/// unreadable record is taken out of the index as it is found (quarantined: marked with why),
/// so that it stops nothing else and is reported once; the caller tells a human.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due<T> {
    pub items: Vec<T>,
    pub quarantined: Vec<Unreadable>,
}

impl<T> Due<T> {
    pub fn readable(items: Vec<T>) -> Self {
        Self { items, quarantined: Vec::new() }
    }
}

/// A stored record that cannot be read, by its table key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub key: String,
    pub reason: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.reason)
    }
}

/// An outbox item that is due: see [`OutboxStore::due_outbox`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub key: OutboxKey,
    pub due_at: Timestamp,
}

/// See [`StateStore::get_state`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRecord {
    pub name: String,
    /// JSON, owned by whoever uses the record.
    pub data: String,
    pub version: u64,
    pub updated_at: Timestamp,
}

#[async_trait]
pub trait TeamStore: Send + Sync {
    /// Creates the team; [`StoreError::AlreadyExists`] if its id is taken.
    async fn create_team(&self, team: &Team) -> StoreResult<()>;
    async fn get_team(&self, id: &TeamId) -> StoreResult<Option<Team>>;
    async fn list_teams(&self) -> StoreResult<Vec<Team>>;
    /// Stores `team` if the stored version is still `team.version`; returns it with the new
    /// version. [`StoreError::Conflict`] if someone else changed it, `NotFound` if gone.
    async fn update_team(&self, team: &Team) -> StoreResult<Team>;
    /// Deletes the team item; [`StoreError::NotFound`] if there is none. Members, outbox and
    /// responses are the caller's to remove first.
    async fn delete_team(&self, id: &TeamId) -> StoreResult<()>;
    /// Teams whose next send instant is at or before `now` (via the due index); team records
    /// that cannot be read are quarantined and listed.
    async fn due_teams(&self, now: Timestamp) -> StoreResult<Due<Team>>;
    /// Moves a team's next send instant from `expected` to `next`. `Ok(false)` if another
    /// sender moved it first (or the team was paused meanwhile).
    async fn advance_team(&self, id: &TeamId, expected: Timestamp, next: Timestamp) -> StoreResult<bool>;
}

#[async_trait]
pub trait MemberStore: Send + Sync {
    /// [`StoreError::AlreadyExists`] if the address is already a member of the team.
    async fn add_member(&self, member: &Member) -> StoreResult<()>;
    async fn get_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<Option<Member>>;
    async fn list_members(&self, team: &TeamId) -> StoreResult<Vec<Member>>;
    /// Sets the status if the current one is in `from`. `Ok(None)` if it is not (the member is
    /// left as it was), `NotFound` if there is no such member. Returns the updated member.
    async fn set_status(&self, team: &TeamId, id: &MemberId, change: StatusChange<'_>) -> StoreResult<Option<Member>>;
    /// Adds one to the member's transient-bounce count and returns the new count.
    async fn add_soft_bounce(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<u32>;
    /// Sets the transient-bounce count back to zero (after a delivery).
    async fn reset_soft_bounces(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<()>;
    /// The member's own pause: away until `back` (`None`: back now), only while they are
    /// active. `Ok(None)` if they are not (left as they were), `NotFound` if there is no such
    /// member. Returns the updated member.
    async fn set_away(&self, team: &TeamId, id: &MemberId, away: Away) -> StoreResult<Option<Member>>;
    /// The member's own language (`None`: the team's). `NotFound` if there is no such member.
    async fn set_locale(&self, team: &TeamId, id: &MemberId, locale: Option<Locale>, at: Timestamp) -> StoreResult<()>;
    async fn remove_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<()>;
}

/// The outbox. Its items change only through [`OutboxStore::change`], by the lifecycle table
/// of [`crate::domain::outbox`]; the other methods are that, named for the sender.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Creates the item unless one exists for that member and date. `Ok(true)` if created.
    async fn enqueue(&self, item: &OutboxItem) -> StoreResult<bool>;
    async fn get_outbox(&self, key: &OutboxKey) -> StoreResult<Option<OutboxItem>>;
    /// A team's items, for one date or all dates.
    async fn list_outbox(&self, team: &TeamId, date: Option<SendDate>) -> StoreResult<Vec<OutboxItem>>;
    /// Items waiting for the sender with `due_at <= now` (via the due index, which may lag
    /// slightly: claims re-check), oldest first, at most `limit`. Keys and due times only:
    /// claiming returns the whole item. Index entries that cannot be read are quarantined and
    /// listed.
    async fn due_outbox(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>>;
    /// Sent items whose SES events have not come within their window (via the due index),
    /// oldest first, at most `limit`: to be marked unconfirmed.
    async fn due_confirmations(&self, now: Timestamp, limit: usize) -> StoreResult<Due<DueItem>>;
    /// Takes an item that cannot be read out of the due index, marked with why: it is never
    /// claimed again until someone repairs it. `Ok(false)` if there is no such item.
    async fn quarantine(&self, key: &OutboxKey, reason: &str, now: Timestamp) -> StoreResult<bool>;
    /// Applies `change` if the lifecycle table admits it for the stored item at `now`, in one
    /// conditional write. The item as changed, or `Ok(None)` if the table does not admit it
    /// (someone else holds it, a late or repeated event, no such item).
    async fn change(&self, key: &OutboxKey, change: &Change<'_>, now: Timestamp) -> StoreResult<Option<OutboxItem>>;

    /// Takes a due item (pending, deferred, or sending with a lapsed lease) for `owner` until
    /// `lease_until`. `Ok(None)` if it is not claimable.
    async fn claim(
        &self,
        key: &OutboxKey,
        owner: &str,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<Option<OutboxItem>> {
        self.change(key, &Change::Claim { owner, lease_until }, now).await
    }
    /// Gives a claimed item back unchanged, due at `due_at`, noting `error` if given.
    /// `Ok(false)` if `owner` no longer holds it.
    async fn release(
        &self,
        key: &OutboxKey,
        owner: &str,
        due_at: Timestamp,
        error: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        Ok(self.change(key, &Change::Release { owner, due_at, error }, now).await?.is_some())
    }
    /// SES accepted the email: one more attempt, its message id.
    async fn mark_sent(&self, key: &OutboxKey, owner: &str, message_id: &str, now: Timestamp) -> StoreResult<bool> {
        Ok(self.change(key, &Change::MarkSent { owner, message_id }, now).await?.is_some())
    }
    /// The sender gives up on a claimed item.
    async fn finish_unsent(
        &self,
        key: &OutboxKey,
        owner: &str,
        to: Unsent,
        reason: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        Ok(self.change(key, &Change::FinishUnsent { owner, to, reason }, now).await?.is_some())
    }
}

#[async_trait]
pub trait ResponseStore: Send + Sync {
    /// Records a post ([`Response::new`]) by the rule of [`Response::then`]: the latest answer
    /// of a voter on a date wins; different answers within seconds are quarantined. Returns
    /// what is stored now.
    async fn put_response(&self, post: &Response) -> StoreResult<Response>;
    /// A team's responses for dates in `from..=to`.
    async fn list_responses(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Response>>;
    /// The team's salt for `date` (see [`crate::voter`]): the one stored, else `fresh`, stored
    /// now, on condition that the day's figures are not fixed (a salt never outlives its day).
    /// Racing callers all get the one stored first. `None`: the day's figures are fixed.
    async fn day_salt(&self, team: &TeamId, date: SendDate, fresh: &DaySalt) -> StoreResult<Option<DaySalt>>;
    /// Forgets who voted on a team's day: its salt first, then its responses. Safe to repeat;
    /// the count of responses deleted.
    async fn forget_day(&self, team: &TeamId, date: SendDate) -> StoreResult<usize>;
}

/// The admins' reports of delivery problems, one per team and day (see [`ProblemReport`]).
#[async_trait]
pub trait ProblemReportStore: Send + Sync {
    /// Adds a line to the team's report for `date`, due at `after` (an earlier due time
    /// is kept). `Ok(false)` if that day's report was already queued, or already has the line.
    async fn note_problem(&self, team: &TeamId, date: SendDate, line: &str, after: Timestamp) -> StoreResult<bool>;
    async fn get_problem_report(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<ProblemReport>>;
    /// Reports not yet queued, due at `now` (via the due index).
    async fn due_problem_reports(&self, now: Timestamp) -> StoreResult<Vec<ProblemReport>>;
    /// Marks a report queued to the outbox. `Ok(false)` if it was already (another sender got
    /// there first).
    async fn mark_problem_report_queued(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool>;
}

/// Teams' days and their ledgers (see [`crate::domain::ledger`]).
#[async_trait]
pub trait DayStore: Send + Sync {
    /// Records a team's day as the schedule planned it, its ledger to close at `closes_at`.
    /// `Ok(false)` if the day is already recorded: the first plan stands.
    async fn open_day(&self, team: &TeamId, date: SendDate, plan: &DayPlan, closes_at: Timestamp) -> StoreResult<bool>;
    async fn get_day(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<Day>>;
    /// A team's days with dates in `from..=to`, in order.
    async fn list_days(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Day>>;
    /// Days with work due at `now` by [`Day::due_at`] (via the due index): a ledger to close,
    /// or answers closed to tally and forget; soonest first, at most `limit`. Day records that
    /// cannot be read are quarantined and listed.
    async fn due_days(&self, now: Timestamp, limit: usize) -> StoreResult<Due<Day>>;
    /// Closes a day's ledger for good; the day stays due for its answers' close.
    /// `Ok(false)` if it was already closed (or is unknown).
    async fn close_day(&self, team: &TeamId, date: SendDate, ledger: &Ledger, now: Timestamp) -> StoreResult<bool>;
    /// Fixes a closed day's figures, once: `Ok(false)` if they were already fixed (the first
    /// stand, and never change).
    async fn tally_day(&self, team: &TeamId, date: SendDate, tally: &Tally, now: Timestamp) -> StoreResult<bool>;
    /// Records that who voted on a tallied day is forgotten: the day leaves the due index.
    async fn finish_day(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool>;
}

/// A counter of a tally and what to add to it.
pub type Count = (&'static str, u64);

/// One hour of a tally: its counters by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyHour {
    /// `YYYY-MM-DDTHH` (UTC): hours sort as text.
    pub hour: String,
    pub counts: std::collections::BTreeMap<String, u64>,
}

/// Small named records of operational state (alert bookkeeping, the sending pause), versioned;
/// and tallies (the reputation's hourly counts), added to atomically.
#[async_trait]
pub trait StateStore: Send + Sync {
    async fn get_state(&self, name: &str) -> StoreResult<Option<StateRecord>>;
    /// Writes `data` if the stored version is `expected` (`None`: if there is no record yet).
    /// `Ok(false)` if someone else wrote first: re-read and decide again.
    async fn put_state(&self, name: &str, data: &str, expected: Option<u64>, now: Timestamp) -> StoreResult<bool>;
    /// Adds to counters of one hour of a tally in one atomic write: no read, no retry, and
    /// writers at the same moment never lose a count.
    async fn add_to_tally(&self, tally: &str, hour: &str, counts: &[Count], now: Timestamp) -> StoreResult<()>;
    /// The hours of a tally in `from..=to` that have counts, in order.
    async fn tally(&self, tally: &str, from: &str, to: &str) -> StoreResult<Vec<TallyHour>>;
}

/// Everything Morale keeps, for callers that really use most of it (the sender, moralectl).
pub trait Store:
    TeamStore + MemberStore + OutboxStore + ResponseStore + ProblemReportStore + DayStore + StateStore
{
}

impl<T: TeamStore + MemberStore + OutboxStore + ResponseStore + ProblemReportStore + DayStore + StateStore> Store
    for T
{
}

/// Every port trait, for code that calls store methods on a concrete store (tests, the CLI).
pub mod prelude {
    pub use super::{
        DayStore, MemberStore, OutboxStore, ProblemReportStore, ResponseStore, StateStore, Store, TeamStore,
    };
}
