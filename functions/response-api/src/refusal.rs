//! Why a route stops early: a refusal the visitor sees as a friendly 4xx page, or a store
//! failure; and what a route that did not stop gives back.

use morale::domain::Locale;
use morale::store::StoreError;
use morale::token::TokenError;

/// Why a request was turned away: the `Reason` of `ResponsesRejected`.
#[derive(Debug)]
pub(crate) enum Reject {
    Token(TokenError),
    BadScore,
    /// A return date that is not a day ahead within the limit ("I'm away until …").
    BadDate,
    /// "I'm back now" without its box ticked: a scanner's submit, or a slip.
    NotConfirmed,
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
            Self::BadDate => "bad_date",
            Self::NotConfirmed => "not_confirmed",
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
            Self::Token(_) | Self::BadScore | Self::BadDate | Self::NotConfirmed | Self::CommentTooLong => 400,
            Self::TooLarge => 413,
            Self::NotFound | Self::UnknownTeam => 404,
            Self::NotMember | Self::DayClosed => 410,
            Self::Method(_) => 405,
            Self::NotAdmin | Self::Revoked => 403,
        }
    }

    /// The page's title and message, in `t`: the messages `error-<name>-title` and `-body`.
    pub(crate) fn title_and_message(&self, t: Locale) -> (String, String) {
        let name = match self {
            Self::Token(TokenError::Expired) => "expired",
            Self::Token(_) => "bad-link",
            Self::BadScore => "bad-score",
            Self::BadDate => "bad-date",
            Self::NotConfirmed => "not-confirmed",
            Self::CommentTooLong => "comment-too-long",
            Self::TooLarge => "too-large",
            Self::NotFound => "not-found",
            Self::Method(_) => "method",
            Self::UnknownTeam => "unknown-team",
            Self::DayClosed => "day-closed",
            Self::NotMember => "not-member",
            Self::Revoked => "revoked",
            Self::NotAdmin => "not-admin",
        };
        (t.text(&format!("error-{name}-title")), t.text(&format!("error-{name}-body")))
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
