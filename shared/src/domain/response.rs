//! An answer to the daily question.

use super::{Score, SendDate, TeamId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

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
