//! The outbox: one item per email to send (a member's daily email, an admin's digest), and its
//! lifecycle.

mod lifecycle;

pub use lifecycle::{Change, Effect, Guard, TRANSITIONS, Target, Transition, Unsent};

use super::{EmailAddress, MemberId, SendDate, TeamId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Where an outbox item is in its life. Which status may follow which, and on what condition,
/// is the table in [`lifecycle`]: nowhere else.
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
    /// Sent, and no delivery or bounce heard from SES within [`CONFIRM_WINDOW`]: counted and
    /// told, and still settled by an event that comes later.
    Unconfirmed,
    /// Reached the member, who marked it as spam: a final state, like delivered.
    Complained,
}

/// How long after SES accepted an email its events may take before the email is called
/// unconfirmed (SES publishes them "best effort": one can be lost).
pub const CONFIRM_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(3);

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 9] = [
        Self::Pending,
        Self::Sending,
        Self::Sent,
        Self::Deferred,
        Self::Delivered,
        Self::Failed,
        Self::Suppressed,
        Self::Unconfirmed,
        Self::Complained,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Deferred => "deferred",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Suppressed => "suppressed",
            Self::Unconfirmed => "unconfirmed",
            Self::Complained => "complained",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Waiting for the sender: pending, deferred, or claimed by a sender whose lease may lapse.
    pub fn awaits_sender(self) -> bool {
        matches!(self, Self::Pending | Self::Deferred | Self::Sending)
    }

    /// Waiting for SES's events: its due time is when it becomes unconfirmed.
    pub fn awaits_events(self) -> bool {
        self == Self::Sent
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
    /// The admins' report of a day's delivery problems (bounced and complaining members).
    ProblemReport,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::LowMorale => "low_morale",
            Self::ProblemReport => "problem_report",
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
