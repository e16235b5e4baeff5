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

use super::{CONFIRM_WINDOW, OutboxItem, OutboxStatus};
use OutboxStatus::*;
use jiff::Timestamp;

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

/// One change to an outbox item, with the values its transition needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<'a> {
    Claim {
        owner: &'a str,
        lease_until: Timestamp,
    },
    Release {
        owner: &'a str,
        due_at: Timestamp,
        error: Option<&'a str>,
    },
    MarkSent {
        owner: &'a str,
        message_id: &'a str,
    },
    Accepted {
        message_id: &'a str,
        attempt: u32,
    },
    FinishUnsent {
        owner: &'a str,
        to: Unsent,
        reason: &'a str,
    },
    Delivered,
    Delayed {
        message_id: &'a str,
        until: Timestamp,
    },
    Defer {
        message_id: &'a str,
        retry_at: Timestamp,
        reason: &'a str,
    },
    Complained {
        reason: &'a str,
    },
    /// About attempt `attempt`, SES's `message_id`.
    Fail {
        reason: &'a str,
        message_id: &'a str,
        attempt: u32,
    },
    Unconfirm {
        reason: &'a str,
    },
    Requeue {
        deadline: Timestamp,
    },
}

impl<'a> Change<'a> {
    /// This change's row of the table.
    pub fn transition(&self) -> &'static Transition {
        match self {
            Self::Claim { .. } => &CLAIM,
            Self::Release { .. } => &RELEASE,
            Self::MarkSent { .. } => &MARK_SENT,
            Self::Accepted { .. } => &ACCEPTED,
            Self::FinishUnsent { .. } => &FINISH_UNSENT,
            Self::Delivered => &DELIVERED,
            Self::Delayed { .. } => &DELAYED,
            Self::Defer { .. } => &DEFER,
            Self::Complained { .. } => &COMPLAINED,
            Self::Fail { .. } => &FAIL,
            Self::Unconfirm { .. } => &UNCONFIRM,
            Self::Requeue { .. } => &REQUEUE,
        }
    }

    /// Who holds (or takes) the lease, for [`Guard::Held`] and [`Effect::TakeLease`].
    pub fn owner(&self) -> Option<&'a str> {
        match self {
            Self::Claim { owner, .. }
            | Self::Release { owner, .. }
            | Self::MarkSent { owner, .. }
            | Self::FinishUnsent { owner, .. } => Some(owner),
            _ => None,
        }
    }

    /// The message id, for [`Guard::CurrentAttempt`], [`Guard::LatestOrNewAttempt`] and
    /// [`Effect::MessageId`].
    pub fn message_id(&self) -> Option<&'a str> {
        match self {
            Self::MarkSent { message_id, .. }
            | Self::Accepted { message_id, .. }
            | Self::Delayed { message_id, .. }
            | Self::Defer { message_id, .. }
            | Self::Fail { message_id, .. } => Some(message_id),
            _ => None,
        }
    }

    /// The attempt an event is about, for [`Guard::NewAttempt`] and [`Guard::LatestOrNewAttempt`].
    pub fn attempt(&self) -> Option<u32> {
        match self {
            Self::Accepted { attempt, .. } | Self::Fail { attempt, .. } => Some(*attempt),
            _ => None,
        }
    }

    /// When the item falls due, for [`Effect::Due`].
    pub fn due_at(&self, now: Timestamp) -> Option<Timestamp> {
        match self {
            Self::Claim { lease_until, .. } => Some(*lease_until),
            Self::Release { due_at, .. } => Some(*due_at),
            Self::Defer { retry_at, .. } => Some(*retry_at),
            Self::Requeue { .. } => Some(now),
            _ => None,
        }
    }

    /// When the item is called unconfirmed if SES's events do not settle it, for
    /// [`Effect::AwaitEvents`]: a window after sending, or after SES's own expiry of a delay.
    pub fn confirm_by(&self, now: Timestamp) -> Option<Timestamp> {
        match self {
            Self::MarkSent { .. } | Self::Accepted { .. } => Some(now + CONFIRM_WINDOW),
            Self::Delayed { until, .. } => Some((*until).max(now) + CONFIRM_WINDOW),
            _ => None,
        }
    }

    /// Why, for [`Effect::Error`]; `None` leaves `last_error` as it was.
    pub fn error(&self) -> Option<&'a str> {
        match self {
            Self::Release { error, .. } => *error,
            Self::FinishUnsent { reason, .. }
            | Self::Defer { reason, .. }
            | Self::Complained { reason }
            | Self::Fail { reason, .. }
            | Self::Unconfirm { reason } => Some(reason),
            _ => None,
        }
    }

    /// The new deadline, for [`Effect::Deadline`].
    pub fn deadline(&self) -> Option<Timestamp> {
        match self {
            Self::Requeue { deadline } => Some(*deadline),
            _ => None,
        }
    }

    /// The status chosen for a [`Target::Chosen`] transition.
    pub fn chosen(&self) -> Option<OutboxStatus> {
        match self {
            Self::FinishUnsent { to, .. } => Some(to.status()),
            _ => None,
        }
    }

    /// Whether the table lets this change happen to `item` at `now`.
    pub fn admits(&self, item: &OutboxItem, now: Timestamp) -> bool {
        let t = self.transition();
        t.from.contains(&item.status)
            && t.guards.iter().all(|g| match g {
                Guard::Due => item.due_at.is_some_and(|d| d <= now),
                Guard::Held => item.lease_owner.is_some() && item.lease_owner.as_deref() == self.owner(),
                Guard::CurrentAttempt => item.message_id.is_some() && item.message_id.as_deref() == self.message_id(),
                Guard::NewAttempt => self.attempt().is_some_and(|n| item.attempts < n),
                Guard::LatestOrNewAttempt => {
                    (item.message_id.is_some() && item.message_id.as_deref() == self.message_id())
                        || self.attempt().is_some_and(|n| item.attempts < n)
                }
            })
    }

    /// The item after this change, or `None` if the table does not admit it. Every field is
    /// computed from the item as it was, as one DynamoDB update does.
    pub fn apply(&self, item: &OutboxItem, now: Timestamp) -> Option<OutboxItem> {
        if !self.admits(item, now) {
            return None;
        }
        let t = self.transition();
        let mut next = item.clone();
        next.status = match t.to {
            Target::To(s) => s,
            Target::Remembered => item.released_status.unwrap_or(Pending),
            Target::Chosen(allowed) => {
                let s = self.chosen().expect("a chosen transition's change names its status");
                assert!(allowed.contains(&s), "{} may not end in {s}", t.name);
                s
            }
        };
        for e in t.effects {
            match e {
                RememberStatus => next.released_status = Some(item.released_status.unwrap_or(item.status)),
                TakeLease => next.lease_owner = self.owner().map(str::to_string),
                DropLease => {
                    next.lease_owner = None;
                    next.released_status = None;
                }
                Due => next.due_at = self.due_at(now),
                NotDue => next.due_at = None,
                AwaitEvents => next.due_at = self.confirm_by(now),
                CountAttempt => next.attempts = item.attempts + 1,
                MessageId => next.message_id = self.message_id().map(str::to_string),
                Error => {
                    if let Some(e) = self.error() {
                        next.last_error = Some(e.to_string());
                    }
                }
                Deadline => next.deadline = self.deadline().expect("a deadline change carries one"),
                ForgetMessageId => next.message_id = None,
            }
        }
        next.updated_at = now;
        Some(next)
    }
}

#[cfg(test)]
mod tests;
