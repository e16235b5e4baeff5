//! Domain types: the newtypes, and the entities made of them (teams, members, outbox items,
//! responses) with their rules. Nothing here knows AWS.
//!
//! Every value that comes from outside (CSV, CLI, HTTP, SES events, config)
//! becomes one of these at the edge, or a [`ParseError`] that names the bad value.

mod address;
mod ids;
pub mod ledger;
mod locale;
mod member;
pub mod outbox;
mod quiet;
mod report;
pub mod response;
mod schedule;
mod score;
pub mod tally;
mod team;
mod time;

pub use address::{EmailAddress, mask_emails};
pub use ids::{MemberId, MemberKey, TeamId};
pub use ledger::{Day, DayPlan, Failure, Ledger};
pub use locale::Locale;
pub use member::{Away, Member, MemberStatus, StatusChange};
pub use outbox::{OutboxItem, OutboxKey, OutboxKind, OutboxStatus};
pub use quiet::QuietDays;
pub use report::{ProblemLine, ProblemReport};
pub use response::{Burst, Response, SCANNER_WINDOW, VoterKey};
pub use schedule::{Schedule, SendDays};
pub use score::Score;
pub use tally::{Privacy, Tally};
pub use team::{Team, WeeklyDigest};
pub use time::{LocalTime, SendDate, TimeZone, Workdays};

/// Why a value from outside was rejected. The message always names the bad value and, where
/// it helps, what a good one looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?} is not valid: {reason}")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
    pub reason: String,
}

impl ParseError {
    pub(crate) fn new(what: &'static str, value: &str, reason: impl Into<String>) -> Self {
        // Bound what is echoed back: a 1 MB "email address" should not become a 1 MB message.
        let mut value = value.to_string();
        if value.len() > 80 {
            let mut cut = 77;
            while !value.is_char_boundary(cut) {
                cut -= 1;
            }
            value.truncate(cut);
            value.push_str("...");
        }
        Self { what, value, reason: reason.into() }
    }
}

/// Implements `FromStr`, `Display`, `TryFrom<String>` and `Into<String>` (hence serde through
/// strings) for a type with `parse(&str)` and `as_str()`.
macro_rules! string_newtype {
    ($t:ty) => {
        impl std::str::FromStr for $t {
            type Err = $crate::domain::ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::parse(s)
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl TryFrom<String> for $t {
            type Error = $crate::domain::ParseError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                <$t>::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.as_str().to_string()
            }
        }
    };
}
pub(crate) use string_newtype;
