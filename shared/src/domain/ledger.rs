//! A team's day, accounted. When the schedule plans a team's day it writes down what it knew
//! (whom it emails, whom it skips, or that the day was missed); when the day has closed and SES's
//! events have had their time, the sender closes the day's ledger from the outbox: every email
//! planned has an explained end, and any that has none is **unaccounted** — counted, alarmed
//! and told. Unaccounted must be 0.

use super::outbox::{CONFIRM_WINDOW, OutboxItem, OutboxKind, OutboxStatus};
use super::{SendDate, Tally, TeamId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long after a team's local day ends its ledger closes: the last email of the day may be
/// sent at 23:59 and its events have [`CONFIRM_WINDOW`] to come, and the sender's tick that
/// calls it unconfirmed some minutes more.
pub const LEDGER_SETTLE: SignedDuration = SignedDuration::from_secs(CONFIRM_WINDOW.as_secs() + 3600);

/// A day whose ledger cannot close because the sender is behind (it left emails held) is
/// closed anyway this long after it was due, counting what is still open as unaccounted.
pub const LEDGER_PATIENCE: SignedDuration = SignedDuration::from_hours(24);

/// Why an email failed, as the ledger counts it. The reason recorded on a failed item starts
/// with its failure's label ([`Failure::reason`] writes it, [`Failure::of`] reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Failure {
    /// A permanent bounce: the address does not take mail.
    Bounced,
    /// Transient bounces on every attempt it had.
    RetriesExhausted,
    /// SES accepted it and then rejected it or could not render it.
    Rejected,
    /// SES refused this one message when asked to send it.
    Refused,
    /// Still unsent when the team's local day ended.
    TooLate,
    /// Anything else (an older record, a hand-made change).
    Other,
}

impl Failure {
    pub const ALL: [Failure; 6] =
        [Self::Bounced, Self::RetriesExhausted, Self::Rejected, Self::Refused, Self::TooLate, Self::Other];

    /// How the recorded reason begins.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bounced => "permanent bounce",
            Self::RetriesExhausted => "retries exhausted",
            Self::Rejected => "rejected by SES",
            Self::Refused => "SES refused this email:",
            Self::TooLate => "not sent before the end of the team's local day",
            Self::Other => "failed",
        }
    }

    /// Its name in the ledger (JSON, CLI).
    pub fn key(self) -> &'static str {
        match self {
            Self::Bounced => "bounced",
            Self::RetriesExhausted => "retries_exhausted",
            Self::Rejected => "rejected",
            Self::Refused => "refused",
            Self::TooLate => "too_late",
            Self::Other => "other",
        }
    }

    /// The reason to record: the label, then the detail.
    pub fn reason(self, detail: impl std::fmt::Display) -> String {
        format!("{} {detail}", self.label())
    }

    /// The failure a recorded reason names.
    pub fn of(reason: &str) -> Self {
        Self::ALL.into_iter().find(|f| *f != Self::Other && reason.starts_with(f.label())).unwrap_or(Self::Other)
    }
}

/// What the schedule knew when it planned a team's day. (Fields default when absent, so that a
/// record written before a field existed still reads.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DayPlan {
    /// Members to email: one outbox item each.
    pub members: u32,
    /// Members not emailed because they were paused.
    pub paused: u32,
    /// Members not emailed because they unsubscribed, or their address bounced or complained.
    pub unsubscribed: u32,
    /// No sender ran before the day ended: nothing was queued, and `members` were not emailed.
    pub missed: bool,
    /// When the day's answers close (see `Schedule::answers_close`).
    pub answers_close: Option<Timestamp>,
}

/// A team's day: its plan, when its ledger closes, and the ledger once closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub team: TeamId,
    pub date: SendDate,
    pub plan: DayPlan,
    pub closes_at: Timestamp,
    pub closed: Option<Ledger>,
    pub closed_at: Option<Timestamp>,
    /// The day's figures, fixed when its answers closed.
    pub tally: Option<Tally>,
    /// When who voted was forgotten (the salt and the votes deleted): the day is done.
    pub forgotten_at: Option<Timestamp>,
}

/// How long after a day's answers close the sender fixes its figures and forgets who voted:
/// longer than any request still in flight at the close may take.
pub const ANSWERS_GRACE: SignedDuration = SignedDuration::from_mins(10);

impl Day {
    /// A day recorded now, its ledger to close at `closes_at`.
    pub fn new(team: TeamId, date: SendDate, plan: DayPlan, closes_at: Timestamp) -> Self {
        Self { team, date, plan, closes_at, closed: None, closed_at: None, tally: None, forgotten_at: None }
    }

    /// When the day's answers close: as planned, or for a day recorded before plans said so,
    /// a day after its local day ended (its ledger closes [`LEDGER_SETTLE`] after that).
    pub fn answers_close(&self) -> Timestamp {
        self.plan.answers_close.unwrap_or(self.closes_at - LEDGER_SETTLE + SignedDuration::from_hours(24))
    }

    /// When the sender has work on this day next: closing its ledger, then fixing its figures
    /// and forgetting who voted; `None` once done.
    pub fn due_at(&self) -> Option<Timestamp> {
        match (self.closed_at, self.forgotten_at) {
            (None, _) => Some(self.closes_at),
            (Some(_), None) => Some(self.answers_close() + ANSWERS_GRACE),
            (Some(_), Some(_)) => None,
        }
    }
}

/// A day's emails by how they ended. Members' daily emails are counted by kind of end; the
/// admins' emails of the day only in `admin` and, if one has no end, in `unaccounted`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ledger {
    /// Daily emails queued (one per member to email).
    pub scheduled: u32,
    pub delivered: u32,
    /// Delivered, and the recipient marked it as spam.
    pub complained: u32,
    /// Permanent bounces.
    pub bounced: u32,
    /// Other failures, by [`Failure::key`].
    pub failed: BTreeMap<String, u32>,
    /// Not sent: the member or team was paused, removed or suppressed meanwhile.
    pub suppressed: u32,
    /// Accepted by SES, and no delivery or bounce heard within the window.
    pub unconfirmed: u32,
    /// Emails that were deferred at least once (sent more than once), whatever their end.
    pub deferred: u32,
    /// Still awaited, with a time in the future (SES keeps trying a delayed email).
    pub in_flight: u32,
    pub skipped_paused: u32,
    pub skipped_unsubscribed: u32,
    /// Members not emailed because no sender ran that day.
    pub missed: u32,
    /// Emails to the team's admins that day (weekly digest, alerts, problem reports).
    pub admin: u32,
    /// Emails with no explained end: planned and never queued, or still waiting for a sender
    /// or for SES with nothing left to wait for. Must be 0.
    pub unaccounted: u32,
}

impl Ledger {
    /// The ledger of a day from its plan and its outbox items, as of `now`.
    pub fn of(plan: &DayPlan, items: &[OutboxItem], now: Timestamp) -> Self {
        let mut l = Ledger { skipped_paused: plan.paused, skipped_unsubscribed: plan.unsubscribed, ..Self::default() };
        for i in items {
            if unaccounted(i, now) {
                l.unaccounted += 1;
            } else if waiting(i.status) {
                l.in_flight += 1;
            }
            if i.kind != OutboxKind::Daily {
                l.admin += 1;
                continue;
            }
            l.scheduled += 1;
            if i.attempts > 1 || i.status == OutboxStatus::Deferred {
                l.deferred += 1;
            }
            match i.status {
                OutboxStatus::Delivered => l.delivered += 1,
                OutboxStatus::Complained => l.complained += 1,
                OutboxStatus::Suppressed => l.suppressed += 1,
                OutboxStatus::Unconfirmed => l.unconfirmed += 1,
                OutboxStatus::Failed => match Failure::of(i.last_error.as_deref().unwrap_or_default()) {
                    Failure::Bounced => l.bounced += 1,
                    f => *l.failed.entry(f.key().to_string()).or_default() += 1,
                },
                OutboxStatus::Pending | OutboxStatus::Sending | OutboxStatus::Deferred | OutboxStatus::Sent => {}
            }
        }
        // Planned and never queued: the schedule knew them, the outbox does not. A missed day
        // (no sender ran) is explained; an operator's later send for it queues some after all.
        let never_queued = plan.members.saturating_sub(l.scheduled);
        if plan.missed {
            l.missed = never_queued;
        } else {
            l.unaccounted += never_queued;
        }
        l
    }

    /// The ledger of a day still open: what is waiting is on its way, not unaccounted.
    pub fn so_far(plan: &DayPlan, items: &[OutboxItem]) -> Self {
        let mut l = Self::of(plan, items, Timestamp::MIN);
        l.in_flight += l.unaccounted;
        l.unaccounted = 0;
        l
    }

    /// Emails that reached their member (a complaint means it arrived).
    pub fn reached(&self) -> u32 {
        self.delivered + self.complained
    }

    pub fn failed_total(&self) -> u32 {
        self.failed.values().sum()
    }

    /// Adds another day's counts (a week's digest).
    pub fn add(&mut self, o: &Ledger) {
        self.scheduled += o.scheduled;
        self.delivered += o.delivered;
        self.complained += o.complained;
        self.bounced += o.bounced;
        for (k, v) in &o.failed {
            *self.failed.entry(k.clone()).or_default() += v;
        }
        self.suppressed += o.suppressed;
        self.unconfirmed += o.unconfirmed;
        self.deferred += o.deferred;
        self.in_flight += o.in_flight;
        self.skipped_paused += o.skipped_paused;
        self.skipped_unsubscribed += o.skipped_unsubscribed;
        self.missed += o.missed;
        self.admin += o.admin;
        self.unaccounted += o.unaccounted;
    }

    /// One line for people: "38 of 40 reached, 1 bounced, 1 unconfirmed".
    pub fn line(&self) -> String {
        let mut parts = vec![format!("{} of {} reached", self.reached(), self.scheduled)];
        let mut part = |n: u32, what: &str| {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        };
        part(self.complained, "marked it as spam");
        part(self.bounced, "bounced");
        part(self.failed_total(), "failed");
        part(self.suppressed, "not sent (paused or removed meanwhile)");
        part(self.unconfirmed, "unconfirmed");
        part(self.in_flight, "still on its way");
        part(self.missed, "missed (no sender ran)");
        part(self.skipped_paused, "paused");
        part(self.unaccounted, "UNACCOUNTED");
        parts.join(", ")
    }
}

/// Still waiting: for a sender, or for SES's events.
fn waiting(s: OutboxStatus) -> bool {
    s.awaits_sender() || s.awaits_events()
}

/// An email still waiting with nothing left to wait for (its time has passed): once its day
/// has closed, it is unaccounted. One waiting for a sender before its own deadline (an admins'
/// report, a replay) may still go: it is on its way.
pub fn unaccounted(item: &OutboxItem, now: Timestamp) -> bool {
    let may_still_go = item.status.awaits_sender() && item.deadline > now;
    waiting(item.status) && !may_still_go && item.due_at.is_none_or(|d| d <= now)
}

#[cfg(test)]
mod tests;
