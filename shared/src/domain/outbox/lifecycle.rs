//! The outbox lifecycle as data: every way an item may change, from which statuses, on which
//! condition, and what it sets. The in-memory store applies this table ([`Change::apply`]);
//! the DynamoDB store derives its condition and update expressions from it. No other code
//! writes an outbox rule.
//!
//! ```text
//!  pending ──claim──► sending ──mark_sent──► sent ──delivered──► delivered
//!  (pending, sending, deferred ──accepted (SES's Send event for an unrecorded attempt)──► sent)
//!     ▲                 │  │                  │  ▲                  │
//!     └──release────────┘  └─► failed /       │  └──claim── deferred ◄─ defer (transient bounce, delay)
//!                              suppressed     └─► failed ◄─ fail (permanent bounce, reject, retries exhausted)
//!  failed ──requeue (operator's replay; earlier attempts' events no longer apply)──► pending
//!  sent ──unconfirm (no event within CONFIRM_WINDOW)──► unconfirmed ──delivered / fail / defer──► …
//!  (sent, unconfirmed ──delayed (SES still trying)──► sent, awaited until its expiry)
//!  (sent, deferred, sending, delivered, unconfirmed ──complained──► complained)
//! ```
//! Mail events only move an item forward: a late delay never undoes `delivered`, and a bounce
//! after a delivery is still recorded as failed (and wins over a complaint, in either order).

mod change;

pub use change::Change;

use super::OutboxStatus;
use OutboxStatus::*;

/// A condition on the stored item, beyond its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// `due_at <= now`: the item is due, or the lease of whoever claimed it has lapsed.
    Due,
    /// The caller holds the lease (`lease_owner` is the change's owner).
    Held,
    /// The event is about the latest accepted attempt (`message_id` is the change's).
    CurrentAttempt,
    /// The event is about an attempt later than any recorded (`attempts` < the change's).
    NewAttempt,
    /// The event is about the latest recorded attempt or a later one: not about an attempt an
    /// operator's replay left behind, nor one a retry has followed.
    LatestOrNewAttempt,
}

/// The status an item ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    To(OutboxStatus),
    /// Back to what the claim remembered (pending when nothing was).
    Remembered,
    /// One of these, chosen by the change (see [`Unsent`]).
    Chosen(&'static [OutboxStatus]),
}

/// A field a transition sets, with the value its [`Change`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Remember the status to return to on release, unless a lapsed claim already did.
    RememberStatus,
    /// The caller holds the lease.
    TakeLease,
    /// Nobody holds it, and nothing is remembered.
    DropLease,
    /// Due at the change's time: the lease's end, the retry time, or now.
    Due,
    /// No longer waiting for the sender.
    NotDue,
    /// Waiting for SES's events: due, as unconfirmed, at the change's confirm-by time.
    AwaitEvents,
    /// One more attempt accepted by SES.
    CountAttempt,
    /// The latest accepted attempt's SES message id.
    MessageId,
    /// Why, when the change says (`last_error`).
    Error,
    /// A new last moment to send (a replay on a later day).
    Deadline,
    /// No attempt is the latest any more (a replay): events about those before are old news.
    ForgetMessageId,
}

/// One row of the table. Every transition also sets `updated_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub name: &'static str,
    pub from: &'static [OutboxStatus],
    pub guards: &'static [Guard],
    pub to: Target,
    pub effects: &'static [Effect],
}

impl Transition {
    /// Whether its condition or update names the change's SES message id.
    pub fn names_message(&self) -> bool {
        self.effects.contains(&Effect::MessageId)
            || self.guards.iter().any(|g| matches!(g, Guard::CurrentAttempt | Guard::LatestOrNewAttempt))
    }

    /// Whether its condition compares the change's attempt with the item's.
    pub fn names_attempt(&self) -> bool {
        self.guards.iter().any(|g| matches!(g, Guard::NewAttempt | Guard::LatestOrNewAttempt))
    }
}

use Effect::*;

/// The table: every transition an outbox item can make.
pub const TRANSITIONS: [Transition; 12] = [
    CLAIM,
    RELEASE,
    MARK_SENT,
    ACCEPTED,
    FINISH_UNSENT,
    DELIVERED,
    DELAYED,
    DEFER,
    COMPLAINED,
    FAIL,
    UNCONFIRM,
    REQUEUE,
];

/// A sender takes a due item, or one whose last sender's lease lapsed.
pub const CLAIM: Transition = Transition {
    name: "claim",
    from: &[Pending, Deferred, Sending],
    guards: &[Guard::Due],
    to: Target::To(Sending),
    effects: &[RememberStatus, TakeLease, Due],
};

/// Given back unsent (throttled, circuit open, out of time), due again later.
pub const RELEASE: Transition = Transition {
    name: "release",
    from: &[Sending],
    guards: &[Guard::Held],
    to: Target::Remembered,
    effects: &[Due, Error, DropLease],
};

/// SES accepted the attempt the sender holds: its events are awaited.
pub const MARK_SENT: Transition = Transition {
    name: "mark_sent",
    from: &[Sending],
    guards: &[Guard::Held],
    to: Target::To(Sent),
    effects: &[CountAttempt, MessageId, AwaitEvents, DropLease],
};

/// SES says (its Send event) it accepted an attempt the sender could not record: its answer
/// was lost or late, or the sender stopped before writing it. Then it is not sent again.
pub const ACCEPTED: Transition = Transition {
    name: "accepted",
    from: &[Pending, Sending, Deferred],
    guards: &[Guard::NewAttempt],
    to: Target::To(Sent),
    effects: &[CountAttempt, MessageId, AwaitEvents, DropLease],
};

/// The sender gives up on what it holds: a refusal, a suppressed member, the day is over.
pub const FINISH_UNSENT: Transition = Transition {
    name: "finish_unsent",
    from: &[Sending],
    guards: &[Guard::Held],
    to: Target::Chosen(&[Failed, Suppressed]),
    effects: &[Error, NotDue, DropLease],
};

/// Any attempt's delivery settles it, even one a retry is about to repeat.
pub const DELIVERED: Transition = Transition {
    name: "delivered",
    from: &[Sent, Deferred, Sending, Unconfirmed],
    guards: &[],
    to: Target::To(Delivered),
    effects: &[NotDue, DropLease],
};

/// SES reports a delay of the latest attempt and keeps trying until its expiry: its events
/// are awaited until then (an item called unconfirmed meanwhile is awaited again).
pub const DELAYED: Transition = Transition {
    name: "delayed",
    from: &[Sent, Unconfirmed],
    guards: &[Guard::CurrentAttempt],
    to: Target::To(Sent),
    effects: &[AwaitEvents],
};

/// A transient bounce of the latest attempt: the sender tries again at the time given.
pub const DEFER: Transition = Transition {
    name: "defer",
    from: &[Sent, Unconfirmed],
    guards: &[Guard::CurrentAttempt],
    to: Target::To(Deferred),
    effects: &[Error, Due],
};

/// The recipient marked it as spam: it arrived. Settles it like a delivery, even one a retry
/// is about to repeat.
pub const COMPLAINED: Transition = Transition {
    name: "complained",
    from: &[Sent, Deferred, Sending, Delivered, Unconfirmed],
    guards: &[],
    to: Target::To(Complained),
    effects: &[Error, NotDue, DropLease],
};

/// Permanent: a bounce, a rejection, retries used up. Also after a delivery or complaint.
/// Never from an event about an attempt a replay left behind (a repeated or late bounce or
/// rejection would fail the replay, delivered or not).
pub const FAIL: Transition = Transition {
    name: "fail",
    from: &[Pending, Sending, Sent, Deferred, Delivered, Unconfirmed, Complained],
    guards: &[Guard::LatestOrNewAttempt],
    to: Target::To(Failed),
    effects: &[Error, NotDue, DropLease],
};

/// SES's events did not come within the window (one can be lost): said so, counted, told.
pub const UNCONFIRM: Transition = Transition {
    name: "unconfirm",
    from: &[Sent],
    guards: &[Guard::Due],
    to: Target::To(Unconfirmed),
    effects: &[Error, NotDue],
};

/// An operator's replay once the cause is fixed.
pub const REQUEUE: Transition = Transition {
    name: "requeue",
    from: &[Failed],
    guards: &[],
    to: Target::To(Pending),
    effects: &[Due, Deadline, DropLease, ForgetMessageId],
};

/// How the sender ends an item it could not send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsent {
    /// Refused, or out of time: an operator may replay it.
    Failed,
    /// Not to be sent: the member was suppressed, paused or removed meanwhile.
    Suppressed,
}

impl Unsent {
    pub fn status(self) -> OutboxStatus {
        match self {
            Self::Failed => Failed,
            Self::Suppressed => Suppressed,
        }
    }
}

#[cfg(test)]
mod tests;
