//! A team: who gets asked, when, and who administers it.

use super::{EmailAddress, LocalTime, ParseError, Schedule, TeamId, Workdays};
use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub schedule: Schedule,
    pub admins: Vec<EmailAddress>,
    /// The next send instant; `None` while the team is paused.
    pub next_send_at: Option<Timestamp>,
    /// When the admins get the weekly digest: a workday of the team, and a local time.
    pub digest: Option<WeeklyDigest>,
    pub created_at: Timestamp,
    /// Optimistic concurrency: every update is conditional on the version it read.
    pub version: u64,
}

impl Team {
    pub fn new(id: TeamId, name: String, schedule: Schedule, admins: Vec<EmailAddress>, now: Timestamp) -> Self {
        let next_send_at = Some(schedule.next_send_after(now));
        Self { id, name, schedule, admins, next_send_at, digest: None, created_at: now, version: 1 }
    }

    pub fn is_paused(&self) -> bool {
        self.next_send_at.is_none()
    }

    /// A new schedule: the next send follows it (unless paused). A day already sent is not
    /// sent again: the outbox holds one email per member and day.
    pub fn reschedule(&mut self, schedule: Schedule, now: Timestamp) {
        if schedule != self.schedule {
            self.schedule = schedule;
            if !self.is_paused() {
                self.next_send_at = Some(self.schedule.next_send_after(now));
            }
        }
    }

    /// No more sends until [`Team::resume`]; emails already queued are not sent either.
    pub fn pause(&mut self) {
        self.next_send_at = None;
    }

    /// Sending resumes with the next send instant after `now`.
    pub fn resume(&mut self, now: Timestamp) {
        self.next_send_at = Some(self.schedule.next_send_after(now));
    }
}

/// The weekly digest's day and time, in the team's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyDigest {
    pub weekday: jiff::civil::Weekday,
    pub time: LocalTime,
}

impl WeeklyDigest {
    /// Parses `mon 09:00`; the day must be one of `workdays` (the sender runs for a team on
    /// its workdays).
    pub fn parse(s: &str, workdays: Workdays) -> Result<Self, ParseError> {
        let bad = |why: &str| ParseError { what: "weekly digest", value: s.to_string(), reason: why.to_string() };
        let (day, time) =
            s.trim().split_once(' ').ok_or_else(|| bad("expected a day and a time, e.g. \"mon 09:00\""))?;
        let one = Workdays::parse(day).map_err(|e| bad(&e.reason))?;
        let weekday = (0..7)
            .map(|i| jiff::civil::Weekday::from_monday_zero_offset(i).expect("0..7"))
            .find(|d| one.contains(*d))
            .ok_or_else(|| bad("no day given"))?;
        if one.as_str().contains([',', '-']) {
            return Err(bad("give one day, e.g. mon"));
        }
        if !workdays.contains(weekday) {
            return Err(bad("the day must be one of the team's workdays"));
        }
        let time = LocalTime::parse(time.trim()).map_err(|e| bad(&e.reason))?;
        Ok(Self { weekday, time })
    }

    pub fn day_name(&self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.weekday.to_monday_zero_offset() as usize]
    }
}
