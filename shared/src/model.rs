//! What the store holds: teams, members, outbox items, responses, idempotency records.

use crate::domain::{EmailAddress, MemberId, Schedule, Score, SendDate, TeamId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub schedule: Schedule,
    pub admins: Vec<EmailAddress>,
    /// The next send instant; `None` while the team is paused.
    pub next_send_at: Option<Timestamp>,
    /// When the admins get the weekly digest: a workday of the team, and a local time.
    pub digest: Option<WeeklyDigest>,
    pub created_at: Timestamp,
    /// Optimistic concurrency: every update is conditional on the version it read.
    pub version: u64,
}

impl Team {
    pub fn new(id: TeamId, name: String, schedule: Schedule, admins: Vec<EmailAddress>, now: Timestamp) -> Self {
        let next_send_at = Some(schedule.next_send_after(now));
        Self { id, name, schedule, admins, next_send_at, digest: None, created_at: now, version: 1 }
    }

    pub fn is_paused(&self) -> bool {
        self.next_send_at.is_none()
    }
}

/// The weekly digest's day and time, in the team's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyDigest {
    pub weekday: jiff::civil::Weekday,
    pub time: crate::domain::LocalTime,
}

impl WeeklyDigest {
    /// Parses `mon 09:00`; the day must be one of `workdays` (the sender runs for a team on
    /// its workdays).
    pub fn parse(s: &str, workdays: crate::domain::Workdays) -> Result<Self, crate::domain::ParseError> {
        let bad = |why: &str| crate::domain::ParseError {
            what: "weekly digest",
            value: s.to_string(),
            reason: why.to_string(),
        };
        let (day, time) =
            s.trim().split_once(' ').ok_or_else(|| bad("expected a day and a time, e.g. \"mon 09:00\""))?;
        let one = crate::domain::Workdays::parse(day).map_err(|e| bad(&e.reason))?;
        let weekday = (0..7)
            .map(|i| jiff::civil::Weekday::from_monday_zero_offset(i).expect("0..7"))
            .find(|d| one.contains(*d))
            .ok_or_else(|| bad("no day given"))?;
        if one.as_str().contains([',', '-']) {
            return Err(bad("give one day, e.g. mon"));
        }
        if !workdays.contains(weekday) {
            return Err(bad("the day must be one of the team's workdays"));
        }
        let time = crate::domain::LocalTime::parse(time.trim()).map_err(|e| bad(&e.reason))?;
        Ok(Self { weekday, time })
    }

    pub fn day_name(&self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.weekday.to_monday_zero_offset() as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    Active,
    Paused,
    Unsubscribed,
    Bounced,
    Complained,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 5] =
        [Self::Active, Self::Paused, Self::Unsubscribed, Self::Bounced, Self::Complained];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Unsubscribed => "unsubscribed",
            Self::Bounced => "bounced",
            Self::Complained => "complained",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Only active members get email.
    pub fn receives_email(self) -> bool {
        self == Self::Active
    }

    /// Suppressions set by mail events outrank what people choose, and a complaint outranks a
    /// bounce: events may arrive in any order and must end in the same state.
    pub fn suppression_rank(self) -> u8 {
        match self {
            Self::Active | Self::Paused | Self::Unsubscribed => 0,
            Self::Bounced => 1,
            Self::Complained => 2,
        }
    }
}

impl std::fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub team: TeamId,
    pub id: MemberId,
    pub email: EmailAddress,
    pub name: Option<String>,
    pub status: MemberStatus,
    /// Why the status is what it is ("permanent bounce 5.1.1", "unsubscribed by link").
    pub status_reason: Option<String>,
    /// Transient bounces in a row; reset by a delivery.
    pub soft_bounces: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Member {
    pub fn new(team: TeamId, email: EmailAddress, name: Option<String>, now: Timestamp) -> Self {
        Self {
            team,
            id: MemberId::for_email(&email),
            email,
            name,
            status: MemberStatus::Active,
            status_reason: None,
            soft_bounces: 0,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Where an outbox item is in its life.
///
/// ```text
///  pending ──claim──► sending ──accepted by SES──► sent ──Delivery──► delivered
///     ▲                 │  │                        │  ▲                  │
///     └──release/retry──┘  └─► failed / suppressed  │  └──claim (retry)── deferred ◄─ transient bounce, delay
///                                                   └─► failed ◄─ permanent bounce, reject, retries exhausted
/// ```
/// Mail events only ever move an item forward (`delivered` is never undone by a late delay; a
/// bounce after a delivery is recorded as failed). `failed` goes back to `pending` only by an
/// operator's replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum OutboxStatus {
    Pending,
    Sending,
    Sent,
    Deferred,
    Delivered,
    Failed,
    Suppressed,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 7] =
        [Self::Pending, Self::Sending, Self::Sent, Self::Deferred, Self::Delivered, Self::Failed, Self::Suppressed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Deferred => "deferred",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Suppressed => "suppressed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Waiting for the sender: pending, deferred, or claimed by a sender whose lease may lapse.
    pub fn awaits_sender(self) -> bool {
        matches!(self, Self::Pending | Self::Deferred | Self::Sending)
    }
}

impl std::fmt::Display for OutboxStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an outbox email is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxKind {
    /// "How do you feel about work today?" to a member.
    #[default]
    Daily,
    /// The admins' weekly digest.
    Weekly,
    /// The admins' low-morale alert (once per streak).
    LowMorale,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::LowMorale => "low_morale",
        }
    }
}

/// One email: one member, one local date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutboxKey {
    pub team: TeamId,
    pub date: SendDate,
    pub member: MemberId,
}

impl std::fmt::Display for OutboxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.team, self.date, self.member)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub key: OutboxKey,
    pub kind: OutboxKind,
    /// The recipient as it was when the email was scheduled.
    pub email: EmailAddress,
    pub status: OutboxStatus,
    /// While pending or deferred: when the sender may (re)try. While sending: when the lease
    /// lapses and another sender may take the item over. `None` once the sender is done.
    pub due_at: Option<Timestamp>,
    /// What to return to when a claim is released (pending or deferred).
    pub released_status: Option<OutboxStatus>,
    pub lease_owner: Option<String>,
    /// Times SES accepted this email.
    pub attempts: u32,
    /// SES message id of the latest accepted attempt.
    pub message_id: Option<String>,
    pub last_error: Option<String>,
    /// The send must not go out after this instant (the end of the team's local day).
    pub deadline: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl OutboxItem {
    pub fn new(key: OutboxKey, email: EmailAddress, due_at: Timestamp, deadline: Timestamp, now: Timestamp) -> Self {
        Self {
            key,
            kind: OutboxKind::Daily,
            email,
            status: OutboxStatus::Pending,
            due_at: Some(due_at),
            released_status: None,
            lease_owner: None,
            attempts: 0,
            message_id: None,
            last_error: None,
            deadline,
            created_at: now,
            updated_at: now,
        }
    }

    /// An email to a team's admin: its key holds the admin's own id for that kind, so that it
    /// never meets an admin's daily email as a member.
    pub fn for_admin(
        kind: OutboxKind,
        team: TeamId,
        date: SendDate,
        admin: EmailAddress,
        due_at: Timestamp,
        deadline: Timestamp,
        now: Timestamp,
    ) -> Self {
        let key = OutboxKey { team, date, member: MemberId::for_admin(kind, &admin) };
        Self { kind, ..Self::new(key, admin, due_at, deadline, now) }
    }
}

/// A pseudonymous voter: a keyed hash of the member, so that one vote per person per day can be
/// enforced without storing who voted what.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VoterKey(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub team: TeamId,
    pub date: SendDate,
    pub voter: VoterKey,
    pub score: Score,
    pub comment: Option<String>,
    pub recorded_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyState {
    InProgress,
    Completed { result: String },
}

/// Powertools-style idempotency record: the first caller with a key does the work; a repeat
/// within `expires_at` gets the stored result; an in-progress record left by a crashed caller
/// may be taken over after `in_progress_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub key: String,
    pub state: IdempotencyState,
    pub in_progress_until: Timestamp,
    pub expires_at: Timestamp,
}

/// The answer of [`crate::store::Store::idempotency_begin`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// Go ahead, and call `idempotency_complete` when done.
    Started,
    /// Someone else holds it and its in-progress window has not passed.
    InProgress,
    /// Done before: here is what it returned.
    Completed { result: String },
}

/// The admins' digest of a team's delivery problems for one day: sent at most once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub team: TeamId,
    pub date: SendDate,
    pub lines: Vec<String>,
    pub send_after: Timestamp,
    pub sent_at: Option<Timestamp>,
}
