//! Why a route stops early: a refusal the visitor sees as a friendly 4xx page, or a store
//! failure; and what a route that did not stop gives back.

use morale::store::StoreError;
use morale::token::TokenError;

/// Why a request was turned away: the `Reason` of `ResponsesRejected`.
#[derive(Debug)]
pub(crate) enum Reject {
    Token(TokenError),
    BadScore,
    CommentTooLong,
    TooLarge,
    NotFound,
    Method(&'static str),
    UnknownTeam,
    /// The link's member was removed from the team: their links stop recording.
    NotMember,
    /// The day's answers have closed: its figures are fixed.
    DayClosed,
    NotAdmin,
    /// An admin's trend links were revoked after this one was issued.
    Revoked,
}

impl Reject {
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            Self::Token(e) => e.reason(),
            Self::BadScore => "bad_score",
            Self::CommentTooLong => "comment_too_long",
            Self::TooLarge => "too_large",
            Self::NotFound => "not_found",
            Self::Method(_) => "method",
            Self::UnknownTeam => "unknown_team",
            Self::NotMember => "not_member",
            Self::DayClosed => "day_closed",
            Self::NotAdmin => "not_admin",
            Self::Revoked => "revoked",
        }
    }

    pub(crate) fn status(&self) -> u16 {
        match self {
            Self::Token(TokenError::Expired) => 410,
            Self::Token(_) | Self::BadScore | Self::CommentTooLong => 400,
            Self::TooLarge => 413,
            Self::NotFound | Self::UnknownTeam => 404,
            Self::NotMember | Self::DayClosed => 410,
            Self::Method(_) => 405,
            Self::NotAdmin | Self::Revoked => 403,
        }
    }

    pub(crate) fn title_and_message(&self) -> (&'static str, &'static str) {
        match self {
            Self::Token(TokenError::Expired) => (
                "This link has expired",
                "Links work for a while: an answer until the end of the next day, unsubscribing for 60 days, a trend page for 14. A newer email brings fresh ones.",
            ),
            Self::Token(_) => (
                "This link does not work",
                "It may have been cut short or changed on its way. Open it again from the email, or answer tomorrow's.",
            ),
            Self::BadScore => ("That answer is not one of the five", "Pick one of the five answers in the email."),
            Self::CommentTooLong => {
                ("That comment is too long", "Comments can be up to 1,000 characters. Go back and shorten it.")
            }
            Self::TooLarge => ("That was too much", "The request was larger than any answer can be."),
            Self::NotFound => {
                ("Page not found", "There is nothing here. The links in the daily email lead to the right pages.")
            }
            Self::Method(_) => ("Not allowed", "This page cannot be used that way."),
            Self::UnknownTeam => {
                ("This team no longer exists", "Nothing was recorded. You will not get more emails from it.")
            }
            Self::DayClosed => (
                "This day's answers have closed",
                "A day's answers can be given or changed until the end of the next day; then its figures are fixed and who answered is forgotten. Tomorrow's email brings a new question.",
            ),
            Self::NotMember => {
                ("You are no longer on this team", "Nothing was recorded: answers count only from the team's members.")
            }
            Self::Revoked => (
                "This link was revoked",
                "Links to the trend page sent to you before then no longer open. The next weekly digest brings a fresh one.",
            ),
            Self::NotAdmin => {
                ("This link is for the team's admins", "Whoever it was sent to is no longer an admin of the team.")
            }
        }
    }
}

impl From<TokenError> for Reject {
    fn from(e: TokenError) -> Self {
        Self::Token(e)
    }
}

pub(crate) enum Outcome {
    Page(u16, String),
    Csv(String),
}

/// Why a route stopped early: a refusal the visitor sees as a friendly 4xx page, or a store
/// failure (a 503: the request can simply be repeated). `?` turns either into this.
pub(crate) enum Stop {
    Refused(Reject),
    Store(StoreError),
}

impl From<Reject> for Stop {
    fn from(r: Reject) -> Self {
        Self::Refused(r)
    }
}

impl From<TokenError> for Stop {
    fn from(e: TokenError) -> Self {
        Self::Refused(e.into())
    }
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}
