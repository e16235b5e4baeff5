//! What the simulated world saw happen: the record the ledger invariant is checked against.

use jiff::Timestamp;
use morale::domain::{EmailAddress, MemberId, OutboxKey, Score, SendDate, TeamId};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// An email SES accepted.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// From its tags; `None` for mail outside the outbox.
    pub key: Option<OutboxKey>,
    pub message_id: String,
    pub to: EmailAddress,
    pub at: Timestamp,
    /// It reached the mailbox (delivered, or delivered after a delay).
    pub reached: bool,
    /// The sender or the bounce handler recorded it on its outbox item.
    pub recorded: bool,
    /// Something hit it between acceptance and record (an answer lost or late, a crash, a
    /// failed write): a second copy of its email is then excused.
    pub ambiguous: bool,
}

#[derive(Debug, Clone)]
pub struct AlertAttempt {
    pub at: Timestamp,
    pub subject: String,
    pub message: String,
    pub published: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Sender,
    BounceHandler,
}

#[derive(Debug, Clone)]
pub struct Invocation {
    pub function: Function,
    pub start: Timestamp,
    pub end: Timestamp,
    /// `None` if it returned; the error, or how it was stopped, otherwise.
    pub error: Option<String>,
}

/// When a member stopped (or started again) being someone Morale may email.
#[derive(Debug, Clone)]
pub struct Reachability {
    pub team: TeamId,
    /// `None`: the whole team (paused, resumed).
    pub member: Option<MemberId>,
    pub at: Timestamp,
    pub reachable: bool,
    pub why: String,
}

/// A member's own pause as the table took it: away until `back` (`None`: back now).
#[derive(Debug, Clone)]
pub struct AwayChange {
    pub team: TeamId,
    pub member: MemberId,
    pub at: Timestamp,
    pub back: Option<SendDate>,
}

/// What a reader asked of the response API with their email's links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Answer(Score),
    Unsubscribe,
    Resubscribe,
    /// "I'm away until …" that day.
    Away(SendDate),
    /// "I'm back now".
    Back,
}

/// One POST through the response API, as the reader saw its answer.
#[derive(Debug, Clone)]
pub struct ApiCall {
    pub key: OutboxKey,
    pub ask: Ask,
    /// When the API read its clock: a vote's `recorded_at`.
    pub at: Timestamp,
    /// When its answer came back.
    pub end: Timestamp,
    pub status: u16,
    /// The page said what was asked is done ("thanks", "you are unsubscribed").
    pub done: bool,
}

#[derive(Debug, Default)]
pub struct Records {
    pub acceptances: Vec<Acceptance>,
    pub alerts: Vec<AlertAttempt>,
    /// Flushed metric values: when, name, value.
    pub metrics: Vec<(Timestamp, String, f64)>,
    /// Outbox items that became failed, or unconfirmed (no SES event in time): when, and why.
    pub failures: Vec<(OutboxKey, Timestamp, String)>,
    pub reachability: Vec<Reachability>,
    /// Members' own pauses, in the order the table took them.
    pub away: Vec<AwayChange>,
    /// A scanner's submit of a form (away, unsubscribe) that changed something: must stay empty.
    pub scanner_changed: Vec<(OutboxKey, Timestamp, String)>,
    /// Lines for the admins' problem reports.
    pub notes: Vec<(TeamId, SendDate, String, Timestamp)>,
    pub invocations: Vec<Invocation>,
    /// Teams rescheduled or paused during the run: their days are not counted as due.
    pub rescheduled: BTreeMap<TeamId, Timestamp>,
    /// Members added during the run.
    pub added: Vec<(TeamId, MemberId, Timestamp)>,
    /// Events that failed every delivery attempt, left in the failed-events queue: when, and
    /// the item they were about.
    pub dead_letters: Vec<(Timestamp, Option<OutboxKey>)>,
    /// Records taken out of a due index because they cannot be read: their key, and when.
    pub quarantined: Vec<(String, Timestamp)>,
    /// Readers' POSTs through the response API.
    pub api_calls: Vec<ApiCall>,
    /// Requests the API answered "please try again" (503), GETs included.
    pub api_unavailable: u64,
    /// Emails whose answer forms a scanner submitted, and how many of its posts were taken.
    pub scanner_bursts: BTreeMap<OutboxKey, u32>,
    /// Faults injected, by name: a summary for the replay.
    pub faults: BTreeMap<&'static str, u64>,
}

#[derive(Default)]
pub struct Log(Mutex<Records>);

impl Log {
    pub fn with<T>(&self, f: impl FnOnce(&mut Records) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn fault(&self, name: &'static str) {
        self.with(|r| *r.faults.entry(name).or_default() += 1);
    }

    /// Acceptances with this message id were recorded on their item.
    pub fn recorded(&self, message_id: &str) {
        self.with(|r| r.acceptances.iter_mut().filter(|a| a.message_id == message_id).for_each(|a| a.recorded = true));
    }

    /// Something hit the recording of this message id.
    pub fn ambiguous(&self, message_id: &str) {
        self.with(|r| {
            r.acceptances
                .iter_mut()
                .filter(|a| a.message_id == message_id && !a.recorded)
                .for_each(|a| a.ambiguous = true)
        });
    }

    /// A crash at `now`: acceptances of the last invocation's lifetime not yet recorded are in
    /// doubt.
    pub fn crash(&self, now: Timestamp, lifetime: jiff::SignedDuration) {
        self.with(|r| {
            r.acceptances.iter_mut().filter(|a| !a.recorded && a.at >= now - lifetime).for_each(|a| a.ambiguous = true)
        });
    }
}
