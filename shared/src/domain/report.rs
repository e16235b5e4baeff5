//! The admins' report of a team's delivery problems for one day (bounces, complaints).

use super::{SendDate, TeamId};
use jiff::Timestamp;

/// The admins' digest of a team's delivery problems for one day: sent at most once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub team: TeamId,
    pub date: SendDate,
    pub lines: Vec<String>,
    pub send_after: Timestamp,
    pub sent_at: Option<Timestamp>,
}
