//! A team: who gets asked, when, and who administers it.

use super::{EmailAddress, LocalTime, Locale, MemberId, MemberKey, ParseError, Privacy, Schedule, TeamId, Workdays};
use jiff::Timestamp;
use std::collections::BTreeMap;

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
    /// How many voters a day needs before its figures, and its comments, are kept.
    pub privacy: Privacy,
    /// Per admin: trend links issued at or before this instant no longer open.
    pub links_revoked: BTreeMap<MemberId, Timestamp>,
    /// The key its members' ids are derived under (see [`Team::member_id`]); `None` for a team
    /// created before teams had keys.
    pub member_key: Option<MemberKey>,
    /// The language of its emails and pages (a member may choose their own).
    pub locale: Locale,
    pub created_at: Timestamp,
    /// Optimistic concurrency: every update is conditional on the version it read.
    pub version: u64,
}

impl Team {
    pub fn new(id: TeamId, name: String, schedule: Schedule, admins: Vec<EmailAddress>, now: Timestamp) -> Self {
        let next_send_at = Some(schedule.next_send_after(now));
        Self {
            id,
            name,
            schedule,
            admins,
            next_send_at,
            digest: None,
            privacy: Privacy::default(),
            links_revoked: BTreeMap::new(),
            member_key: None,
            locale: Locale::En,
            created_at: now,
            version: 1,
        }
    }

    pub fn is_paused(&self) -> bool {
        self.next_send_at.is_none()
    }

    /// A new schedule: the next send follows it (unless paused), and neither skips a day nor
    /// repeats one. Today's email not sent yet, and today's new time already past: it is due
    /// now (so that a catch-up grace counts from now). A date already sent (a zone moved west)
    /// is not sent again.
    pub fn reschedule(&mut self, schedule: Schedule, now: Timestamp) {
        if schedule == self.schedule {
            return;
        }
        // The first local date whose email has not been scheduled, under the old schedule; or
        // an earlier one it had taken off and the new one gives back (never scheduled).
        let old_today = self.schedule.local_date(now);
        let freed = self.schedule.quiet.iter().filter(|d| *d >= old_today && !schedule.quiet.contains(*d)).min();
        let pending = self.next_send_at.map(|at| self.schedule.local_date(at)).map(|p| freed.map_or(p, |f| f.min(p)));
        self.schedule = schedule;
        let Some(pending) = pending else { return };
        let today = self.schedule.local_date(now);
        let next = match self.schedule.instant_on(today) {
            Some(at) if at <= now && pending <= today => now,
            _ => {
                let mut next = self.schedule.next_send_after(now);
                // Bounded: the pending date is at most a few days ahead of today.
                for _ in 0..14 {
                    if self.schedule.local_date(next) >= pending {
                        break;
                    }
                    next = self.schedule.next_send_after(next);
                }
                next
            }
        };
        self.next_send_at = Some(next);
    }

    /// A new team's key for its members' ids (random: see `moralectl team create`).
    pub fn with_member_key(self, key: MemberKey) -> Self {
        Self { member_key: Some(key), ..self }
    }

    /// The id of the member (or admin) with this address in this team: keyed by the team's
    /// member key, so that an id says nothing to someone holding only a list of addresses.
    pub fn member_id(&self, email: &EmailAddress) -> MemberId {
        match &self.member_key {
            Some(key) => MemberId::keyed(key, email),
            None => MemberId::for_email(email),
        }
    }

    /// Every trend link issued to `admin` until `now` stops opening.
    pub fn revoke_links(&mut self, admin: &EmailAddress, now: Timestamp) {
        self.links_revoked.insert(self.member_id(admin), now);
    }

    /// Whether a trend link issued to `admin` (by id) at `issued` was revoked since.
    pub fn link_revoked(&self, admin: &MemberId, issued: Timestamp) -> bool {
        self.links_revoked.get(admin).is_some_and(|at| issued <= *at)
    }

    /// No more sends until [`Team::resume`]; emails already queued are not sent either.
    pub fn pause(&mut self) {
        self.next_send_at = None;
    }

    /// Sending resumes with the next send instant after `now`. `false`, and nothing changes,
    /// if the team is not paused: moving a team that sends on would skip what is left of
    /// today's send.
    pub fn resume(&mut self, now: Timestamp) -> bool {
        if self.next_send_at.is_some() {
            return false;
        }
        self.next_send_at = Some(self.schedule.next_send_after(now));
        true
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
        let time = LocalTime::parse(time.trim()).map_err(|e| bad(&e.reason))?;
        Self { weekday, time }.on(workdays)
    }

    /// This digest, if its day is one of `workdays` (the sender runs for a team on its
    /// workdays: a digest on another day would never go).
    pub fn on(self, workdays: Workdays) -> Result<Self, ParseError> {
        if !workdays.contains(self.weekday) {
            let why = format!("the day must be one of the team's workdays ({})", workdays.as_str());
            return Err(ParseError::new("weekly digest", &format!("{} {}", self.day_name(), self.time), why));
        }
        Ok(self)
    }

    pub fn day_name(&self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.weekday.to_monday_zero_offset() as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::QuietDays;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn team(zone: &str, time: &str, created: &str) -> Team {
        let schedule = Schedule::parse(zone, time, "mon-fri").unwrap();
        Team::new(TeamId::parse("t").unwrap(), "T".into(), schedule, vec![], ts(created))
    }

    /// Quiet days taken and given back: a day given back was never scheduled, so it is sent
    /// (today at once if its time has passed); one taken off is skipped; a day already sent
    /// stays sent.
    #[test]
    fn quiet_days_given_back_are_sent_and_taken_ones_skipped() {
        let quiet = |spec: &str| QuietDays::new(QuietDays::parse_spec(spec).unwrap()).unwrap();
        // Monday 2 March, 08:00 in London (the team sends at 10:00): a shutdown to Friday 13.
        let now = ts("2026-03-02T08:00:00Z");
        let mut t = team("Europe/London", "10:00", "2026-03-01T08:00:00Z");
        let base = t.schedule.clone();
        t.reschedule(base.clone().with_quiet(quiet("2026-03-02..2026-03-13")), now);
        assert_eq!(t.next_send_at, Some(ts("2026-03-16T10:00:00Z")));
        // At 11:00 the second week is given back, then today too: today is due at once.
        let later = ts("2026-03-02T11:00:00Z");
        t.reschedule(base.clone().with_quiet(quiet("2026-03-02..2026-03-06")), later);
        assert_eq!(t.next_send_at, Some(ts("2026-03-09T10:00:00Z")), "the second week's first day");
        t.reschedule(base.clone().with_quiet(quiet("2026-03-03..2026-03-06")), later);
        assert_eq!(t.next_send_at, Some(later), "today, given back after its time: at once");
        // Today sent (the next send moved on to Wednesday, Tuesday quiet); Tuesday given back.
        t.next_send_at = Some(ts("2026-03-04T10:00:00Z"));
        t.schedule = base.clone().with_quiet(quiet("2026-03-03"));
        t.reschedule(base.clone(), later);
        assert_eq!(t.next_send_at, Some(ts("2026-03-03T10:00:00Z")), "Tuesday, not today again");
    }

    #[test]
    fn a_time_moved_before_now_sends_today_if_today_is_not_sent() {
        // Monday 2 March, 11:00 in London; the team sends at 15:00 and has not sent today.
        let mut t = team("Europe/London", "15:00", "2026-03-02T08:00:00Z");
        let now = ts("2026-03-02T11:00:00Z");
        t.reschedule(Schedule::parse("Europe/London", "10:00", "mon-fri").unwrap(), now);
        assert_eq!(t.next_send_at, Some(now), "due at once, today");
        // Moved later instead: today at the new time.
        let mut t = team("Europe/London", "15:00", "2026-03-02T08:00:00Z");
        t.reschedule(Schedule::parse("Europe/London", "16:00", "mon-fri").unwrap(), now);
        assert_eq!(t.next_send_at, Some(ts("2026-03-02T16:00:00Z")));
    }

    #[test]
    fn a_day_already_sent_is_not_sent_again_after_a_move() {
        // Monday's email went out at 09:00 London (the team now waits for Tuesday).
        let mut t = team("Europe/London", "09:00", "2026-03-02T08:00:00Z");
        t.next_send_at = Some(t.schedule.next_send_after(ts("2026-03-02T09:00:00Z")));
        t.reschedule(Schedule::parse("Europe/London", "08:00", "mon-fri").unwrap(), ts("2026-03-02T11:00:00Z"));
        assert_eq!(t.next_send_at, Some(ts("2026-03-03T08:00:00Z")), "Tuesday, not Monday again");
        // Tokyo sent Tuesday 3 March at 09:00 JST (00:00 UTC); moved to New York, where it is
        // still Monday evening: the next send is Wednesday, never Tuesday a second time.
        let mut t = team("Asia/Tokyo", "09:00", "2026-03-02T12:00:00Z");
        t.next_send_at = Some(t.schedule.next_send_after(ts("2026-03-03T00:00:00Z")));
        t.reschedule(Schedule::parse("America/New_York", "09:00", "mon-fri").unwrap(), ts("2026-03-03T01:00:00Z"));
        assert_eq!(t.next_send_at, Some(ts("2026-03-04T14:00:00Z")), "Wednesday 09:00 in New York");
    }

    #[test]
    fn a_paused_team_stays_paused_when_rescheduled() {
        let mut t = team("UTC", "09:00", "2026-03-02T08:00:00Z");
        t.pause();
        t.reschedule(Schedule::parse("UTC", "10:00", "mon-fri").unwrap(), ts("2026-03-02T08:30:00Z"));
        assert!(t.is_paused());
        assert_eq!(t.schedule.time.as_str(), "10:00");
    }
}
