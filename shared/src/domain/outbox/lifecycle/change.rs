//! A change to an outbox item: the values its row of the table needs, whether the table admits
//! it, and the item after it.

use super::super::{CONFIRM_WINDOW, OutboxItem, OutboxStatus};
use super::*;
use jiff::Timestamp;

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
