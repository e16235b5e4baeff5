//! A member of a team, and whether Morale may email them.

use super::{EmailAddress, MemberId, Team, TeamId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

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

/// A change of a member's status to `to`, allowed only from one of `from`: people's choices
/// (pause, unsubscribe) and mail's verdicts (bounced, complained) are all made this way.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange<'a> {
    pub from: &'a [MemberStatus],
    pub to: MemberStatus,
    /// Kept as the member's `status_reason`.
    pub reason: &'a str,
    pub at: Timestamp,
}

impl StatusChange<'_> {
    /// Applies the change if the member's status is one of `from`; false (and `m` as it was)
    /// if not.
    pub fn apply(&self, m: &mut Member) -> bool {
        if !self.from.contains(&m.status) {
            return false;
        }
        m.status = self.to;
        m.status_reason = Some(self.reason.to_string());
        m.updated_at = self.at;
        true
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
    /// A new member of `team`, their id derived under the team's key.
    pub fn new(team: &Team, email: EmailAddress, name: Option<String>, now: Timestamp) -> Self {
        Self {
            team: team.id.clone(),
            id: team.member_id(&email),
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
