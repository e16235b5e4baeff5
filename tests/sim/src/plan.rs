//! A seed's weather: which faults the simulated world produces, and how often. Each family of
//! faults is calm in some seeds and stormy in others, so that both the common path and every
//! combination of failures are walked.

use crate::dice::Dice;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Plan {
    pub store: StoreFaults,
    pub ses: SesFaults,
    pub mailboxes: Mailboxes,
    pub events: EventFaults,
    pub ticks: TickFaults,
    /// Alerts the topic refuses (SNS down, its key unusable).
    pub alert_failure: f64,
    /// One record that cannot be read from the start (a hand edit, an old shape).
    pub unreadable: Option<UnreadableRecord>,
    /// Operators' changes during the run: members added, paused, resumed, removed; teams paused,
    /// resumed, moved to another time or zone.
    pub people_changes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnreadableRecord {
    Team,
    Member,
    /// Every outbox item of one member.
    Outbox,
}

#[derive(Debug, Clone)]
pub struct StoreFaults {
    /// A call fails before it does anything (throttled or 5xx after the SDK's retries).
    pub error: f64,
    /// A write is applied and its answer lost (the caller sees an error).
    pub answer_lost: f64,
    /// Each call takes up to this long, each way.
    pub latency: Duration,
    /// The due indexes (GSIs) lag the table by up to this much.
    pub index_lag: Duration,
}

#[derive(Debug, Clone)]
pub struct SesFaults {
    pub max_send_rate: f64,
    pub latency: Duration,
    pub throttle: f64,
    pub server_error: f64,
    /// Accepted, and the answer lost.
    pub answer_lost: f64,
    /// Accepted, and the answer late by up to a minute.
    pub answer_late: f64,
    /// Windows in which SES refuses every send.
    pub outages: Vec<Outage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutageKind {
    /// The incident: the sending identity un-verified.
    IdentityRevoked,
    /// Sending paused for the account (SES's enforcement, or a person).
    AccountPaused,
    /// An account-level 4xx: the role lost ses:SendEmail, or its credentials expired.
    AccessDenied,
}

#[derive(Debug, Clone)]
pub struct Outage {
    pub kind: OutageKind,
    /// From the run's start.
    pub from: Duration,
    pub to: Duration,
}

#[derive(Debug, Clone)]
pub struct Mailboxes {
    /// Addresses that do not exist: permanent bounces.
    pub unknown: f64,
    pub transient_bounce: f64,
    pub delayed: f64,
    pub complaint: f64,
}

#[derive(Debug, Clone)]
pub struct EventFaults {
    pub dropped: f64,
    pub duplicated: f64,
    /// Late by one to six hours (otherwise seconds, in any order).
    pub late: f64,
}

#[derive(Debug, Clone)]
pub struct TickFaults {
    pub skipped: f64,
    pub duplicated: f64,
    /// An invocation killed at a random moment (out of memory, a crash, a redeploy).
    pub killed: f64,
}

/// How long the world runs, and when its faults and operators' changes fall.
pub const RUN: Duration = Duration::from_secs(30 * 3600);

/// How long a seed's world runs: one seed in four runs on to 56 hours, long enough for the
/// first days' answers to close (at the end of the next local day) and be forgotten. From the
/// seed, not its dice: every other draw stays what it was.
pub fn run_for(seed: u64) -> Duration {
    if seed % 4 == 3 { Duration::from_secs(56 * 3600) } else { RUN }
}

impl Plan {
    pub fn draw(dice: &Dice) -> Self {
        let calm = 0.5;
        let mut outages = Vec::new();
        if dice.chance(0.25) {
            let kind = *dice.pick(&[OutageKind::IdentityRevoked, OutageKind::AccountPaused, OutageKind::AccessDenied]);
            let from = Duration::from_secs(dice.between(0, RUN.as_secs()));
            let to = from + Duration::from_secs(dice.between(60, 4 * 3600));
            outages.push(Outage { kind, from, to });
        }
        Plan {
            store: StoreFaults {
                error: dice.rate(calm, 0.001, 0.05),
                answer_lost: dice.rate(calm, 0.001, 0.03),
                latency: dice.millis(1, 40),
                index_lag: if dice.chance(calm) { Duration::ZERO } else { dice.millis(10, 3_000) },
            },
            ses: SesFaults {
                max_send_rate: *dice.pick(&[1.0, 14.0, 50.0]),
                latency: dice.millis(10, 120),
                throttle: dice.rate(calm, 0.01, 0.3),
                server_error: dice.rate(calm, 0.01, 0.1),
                answer_lost: dice.rate(calm, 0.005, 0.1),
                answer_late: dice.rate(calm, 0.005, 0.1),
                outages,
            },
            mailboxes: Mailboxes {
                unknown: dice.rate(calm, 0.02, 0.2),
                transient_bounce: dice.rate(calm, 0.02, 0.3),
                delayed: dice.rate(calm, 0.02, 0.2),
                complaint: dice.rate(0.8, 0.01, 0.1),
            },
            events: EventFaults {
                dropped: dice.rate(calm, 0.01, 0.2),
                duplicated: dice.rate(calm, 0.01, 0.3),
                late: dice.rate(calm, 0.01, 0.2),
            },
            ticks: TickFaults {
                skipped: dice.rate(calm, 0.01, 0.2),
                duplicated: dice.rate(calm, 0.01, 0.2),
                killed: dice.rate(calm, 0.005, 0.1),
            },
            alert_failure: dice.rate(0.7, 0.1, 1.0),
            unreadable: if dice.chance(0.1) {
                Some(*dice.pick(&[UnreadableRecord::Team, UnreadableRecord::Member, UnreadableRecord::Outbox]))
            } else {
                None
            },
            people_changes: if dice.chance(calm) { 0 } else { dice.between(1, 8) },
        }
    }
}
