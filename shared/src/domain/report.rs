//! The admins' report of a team's delivery problems for one day (bounces, complaints).

use super::{SendDate, TeamId};
use jiff::Timestamp;

/// The problems of one team and day, collected as they happen (bounced and complaining members),
/// and queued to the outbox once, one email per admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemReport {
    pub team: TeamId,
    pub date: SendDate,
    pub lines: Vec<String>,
    pub send_after: Timestamp,
    /// When it was queued to the outbox; nothing is added after that.
    pub queued_at: Option<Timestamp>,
}
