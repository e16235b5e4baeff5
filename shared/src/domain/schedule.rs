use super::{LocalTime, QuietDays, SendDate, TimeZone, Workdays};
use jiff::Timestamp;
use jiff::tz::AmbiguousOffset;

/// When a team's daily email is due: its zone, its local send time, its workdays and the days
/// it takes off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub zone: TimeZone,
    pub time: LocalTime,
    pub workdays: Workdays,
    pub quiet: QuietDays,
}

impl Schedule {
    pub fn new(zone: TimeZone, time: LocalTime, workdays: Workdays) -> Self {
        Self { zone, time, workdays, quiet: QuietDays::default() }
    }

    pub fn with_quiet(self, quiet: QuietDays) -> Self {
        Self { quiet, ..self }
    }

    /// Whether `date` has an email: a workday the team has not taken off.
    pub fn is_send_day(&self, date: SendDate) -> bool {
        self.workdays.contains(date.date().weekday()) && !self.quiet.contains(date)
    }

    /// A schedule from its three written parts: `"Europe/Berlin"`, `"09:30"`, `"mon-fri"`.
    pub fn parse(zone: &str, time: &str, workdays: &str) -> Result<Self, super::ParseError> {
        Ok(Self::new(TimeZone::parse(zone)?, LocalTime::parse(time)?, Workdays::parse(workdays)?))
    }

    /// The instant of the send for local date `date`, if `date` is a send day that exists in
    /// the zone.
    ///
    /// DST: a send time that falls into a spring-forward gap is sent at the next valid instant
    /// of that day (the end of the gap: 02:30 on a 02:00→03:00 day sends at 03:00); a send time
    /// that happens twice on a fall-back day is sent once, at its first occurrence.
    pub fn instant_on(&self, date: SendDate) -> Option<Timestamp> {
        if !self.is_send_day(date) {
            return None;
        }
        let tz = self.zone.jiff();
        let dt = date.date().to_datetime(self.time.civil());
        let instant = match tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok()?,
            AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok()?,
            AmbiguousOffset::Gap { after, .. } => {
                // `dt` read with the later offset is an instant just before the transition;
                // the transition itself is the first valid instant after the gap.
                let before_transition = after.to_timestamp(dt).ok()?;
                tz.following(before_transition).next()?.timestamp()
            }
        };
        // A day can vanish entirely (Pacific/Apia skipped 2011-12-30): then there is no send
        // for it, rather than one on the next day.
        (self.local_date(instant) == date).then_some(instant)
    }

    /// The first send strictly after `after`.
    pub fn next_send_after(&self, after: Timestamp) -> Timestamp {
        let mut date = self.local_date(after);
        // Workdays are never empty, so a send exists within 8 days unless a day vanished (then
        // within 15: one workday a week, and the one a zone skipped); 21 covers it, counted
        // from the last quiet day when that is ahead (a quiet day can push the send a week).
        let quiet_ahead = self.quiet.last().and_then(|q| date.date().until(q.date()).ok()).map_or(0, |s| s.get_days());
        for _ in 0..21 + quiet_ahead.max(0) {
            if let Some(instant) = self.instant_on(date) {
                if instant > after {
                    return instant;
                }
            }
            date = date.next_day();
        }
        unreachable!("a send exists within 21 days and the quiet ones of {after}")
    }

    /// The team's local calendar date at `instant`.
    pub fn local_date(&self, instant: Timestamp) -> SendDate {
        SendDate::new(self.zone.jiff().to_datetime(instant).date())
    }

    /// When a day's answers close, for good: the end of the next local day. Until then an
    /// answer may be given or changed (the email of a day read the morning after still counts);
    /// from then on the day's figures are fixed and who answered is forgotten.
    pub fn answers_close(&self, date: SendDate) -> Timestamp {
        self.end_of_local_day(date.next_day())
    }

    /// The first instant of the local day after `date`: the send for `date` must go out
    /// before this, never on the next day.
    pub fn end_of_local_day(&self, date: SendDate) -> Timestamp {
        let next = date.next_day().date().to_datetime(jiff::civil::time(0, 0, 0, 0));
        match self.zone.jiff().to_ambiguous_timestamp(next).offset() {
            AmbiguousOffset::Unambiguous { offset } | AmbiguousOffset::Fold { before: offset, .. } => {
                offset.to_timestamp(next).expect("in range")
            }
            AmbiguousOffset::Gap { after, .. } => {
                let t = after.to_timestamp(next).expect("in range");
                self.zone.jiff().following(t).next().map(|tr| tr.timestamp()).unwrap_or(t)
            }
        }
    }
}

/// Which dates have an email: a team's schedule (its workdays less its quiet days), or bare
/// workdays. What counts a team's days (its participation, its streaks) asks this.
pub trait SendDays {
    fn sends_on(&self, date: SendDate) -> bool;
}

impl SendDays for Schedule {
    fn sends_on(&self, date: SendDate) -> bool {
        self.is_send_day(date)
    }
}

impl SendDays for Workdays {
    fn sends_on(&self, date: SendDate) -> bool {
        self.contains(date.date().weekday())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sched(zone: &str, time: &str, days: &str) -> Schedule {
        Schedule::parse(zone, time, days).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// Found by `sends_once_per_workday`: Pacific/Apia skipped Friday 30 December 2011; a team
    /// that works Fridays only next sends on 6 January, 14 days after the 23rd.
    #[test]
    fn a_vanished_day_is_skipped_even_when_it_is_the_only_workday() {
        let s = Schedule::parse("Pacific/Apia", "00:00", "fri").unwrap();
        let next = s.next_send_after(ts("2011-12-23T10:00:00Z"));
        assert_eq!(s.local_date(next).to_string(), "2012-01-06");
    }

    /// No email on a quiet day: the next send skips it, however many there are in a row.
    #[test]
    fn quiet_days_are_skipped() {
        let days = |spec: &str| QuietDays::new(QuietDays::parse_spec(spec).unwrap()).unwrap();
        let s = sched("Europe/Berlin", "09:00", "mon-fri").with_quiet(days("2026-12-24"));
        // Wednesday 23 December after the send → Friday 25 (Thursday 24 is quiet), 08:00Z.
        assert_eq!(s.next_send_after(ts("2026-12-23T09:00:00Z")), ts("2026-12-25T08:00:00Z"));
        assert_eq!(s.instant_on(SendDate::parse("2026-12-24").unwrap()), None);
        assert!(!s.is_send_day(SendDate::parse("2026-12-24").unwrap()));
        assert!(!s.is_send_day(SendDate::parse("2026-12-26").unwrap()), "a Saturday");
        assert!(s.is_send_day(SendDate::parse("2026-12-25").unwrap()));
        // A shutdown of five weeks: the first send after it.
        let s = s.with_quiet(days("2026-12-01..2027-01-05"));
        assert_eq!(s.next_send_after(ts("2026-11-30T09:00:00Z")), ts("2027-01-06T08:00:00Z"));
        // Mondays only, three of them quiet in a row: four weeks to the next.
        let mondays = sched("Europe/Berlin", "09:00", "mon").with_quiet(
            QuietDays::new(["2026-12-07", "2026-12-14", "2026-12-21"].map(|d| SendDate::parse(d).unwrap())).unwrap(),
        );
        assert_eq!(mondays.next_send_after(ts("2026-11-30T09:00:00Z")), ts("2026-12-28T08:00:00Z"));
        // A year off but for one Friday.
        let mut year = QuietDays::parse_spec("2026-01-01..2026-12-31").unwrap();
        year.retain(|d| d.as_str() != "2026-10-30");
        let s = s.with_quiet(QuietDays::new(year).unwrap());
        assert_eq!(s.next_send_after(ts("2026-01-01T00:00:00Z")), ts("2026-10-30T08:00:00Z"));
    }

    #[test]
    fn next_send_is_the_next_workday_at_local_time() {
        let s = sched("America/New_York", "15:00", "mon-fri");
        // Friday 2026-11-20 16:00 New York → Monday 2026-11-23 15:00 EST = 20:00Z.
        assert_eq!(s.next_send_after(ts("2026-11-20T21:00:00Z")), ts("2026-11-23T20:00:00Z"));
        // Exactly at the send instant → the next one, never the same one twice.
        assert_eq!(s.next_send_after(ts("2026-11-23T20:00:00Z")), ts("2026-11-24T20:00:00Z"));
        // Just before → that same day.
        assert_eq!(s.next_send_after(ts("2026-11-23T19:59:59Z")), ts("2026-11-23T20:00:00Z"));
    }

    #[test]
    fn spring_forward_gap_sends_at_end_of_gap() {
        // 2026-03-08: New York jumps 02:00 EST → 03:00 EDT (07:00Z).
        let s = sched("America/New_York", "02:30", "mon-sun");
        let d = SendDate::parse("2026-03-08").unwrap();
        assert_eq!(s.instant_on(d), Some(ts("2026-03-08T07:00:00Z")));
        // Lord Howe moves by 30 minutes: 02:00 → 02:30 on 2026-10-04.
        let s = sched("Australia/Lord_Howe", "02:15", "mon-sun");
        let d = SendDate::parse("2026-10-04").unwrap();
        let instant = s.instant_on(d).unwrap();
        let local = s.zone.jiff().to_datetime(instant);
        assert_eq!(local.to_string(), "2026-10-04T02:30:00");
    }

    #[test]
    fn fall_back_fold_sends_once_at_first_occurrence() {
        // 2026-11-01: New York repeats 01:00-02:00.
        let s = sched("America/New_York", "01:30", "mon-sun");
        let first = s.instant_on(SendDate::parse("2026-11-01").unwrap()).unwrap();
        assert_eq!(first, ts("2026-11-01T05:30:00Z"));
        // After the first 01:30, the next send is the next day, not the repeated 01:30.
        assert_eq!(s.next_send_after(first), ts("2026-11-02T06:30:00Z"));
    }

    #[test]
    fn a_vanished_day_gets_no_send() {
        // Samoa skipped Friday 2011-12-30 entirely.
        let s = sched("Pacific/Apia", "09:00", "mon-sun");
        assert_eq!(s.instant_on(SendDate::parse("2011-12-30").unwrap()), None);
        let after = s.instant_on(SendDate::parse("2011-12-29").unwrap()).unwrap();
        let next = s.next_send_after(after);
        assert_eq!(s.local_date(next).as_str(), "2011-12-31");
    }

    #[test]
    fn end_of_local_day() {
        let s = sched("Europe/London", "09:00", "mon-fri");
        let d = SendDate::parse("2026-07-01").unwrap();
        assert_eq!(s.end_of_local_day(d), ts("2026-07-01T23:00:00Z"));
    }

    const ZONES: &[&str] = &[
        "America/New_York",
        "Europe/London",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "America/Santiago",
        "Asia/Tehran",
        "Pacific/Apia",
        "Pacific/Chatham",
        "America/St_Johns",
        "Africa/Casablanca",
        "Europe/Dublin",
        "Asia/Kolkata",
        "UTC",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Walking send after send over a stretch of time: never two sends on one local date,
        /// never a workday without a send (unless that date does not exist in the zone), every
        /// send on a workday, and every send at the local time or at the end of a DST gap.
        #[test]
        fn sends_once_per_workday(
            zone in proptest::sample::select(ZONES),
            hour in 0i8..24,
            minute in 0i8..60,
            days in 1u8..128,
            start_days in 0i64..(365 * 30),
        ) {
            let workdays = Workdays::parse(
                &(0..7).filter(|i| days & (1 << i) != 0).map(|i| DAY_NAMES_FOR_TEST[i]).collect::<Vec<_>>().join(","),
            ).unwrap();
            let s = Schedule::new(TimeZone::parse(zone).unwrap(), LocalTime::new(hour, minute).unwrap(), workdays);
            let start = ts("2005-01-01T00:00:00Z").checked_add(jiff::SignedDuration::from_hours(24 * start_days)).unwrap();
            let mut t = start;
            let mut dates: Vec<SendDate> = Vec::new();
            for _ in 0..60 {
                let next = s.next_send_after(t);
                prop_assert!(next > t);
                let date = s.local_date(next);
                prop_assert!(s.workdays.contains(date.date().weekday()));
                if let Some(prev) = dates.last() {
                    prop_assert!(date > *prev, "two sends on {date} (or out of order)");
                    // Every workday strictly between two sends existed only if it vanished.
                    let mut d = prev.next_day();
                    while d < date {
                        prop_assert!(s.instant_on(d).is_none(), "skipped workday {d}");
                        d = d.next_day();
                    }
                }
                let local = s.zone.jiff().to_datetime(next);
                if local.time() != s.time.civil() {
                    // Only allowed when the send time does not exist that day.
                    let dt = date.date().to_datetime(s.time.civil());
                    let gap = matches!(s.zone.jiff().to_ambiguous_timestamp(dt).offset(), AmbiguousOffset::Gap { .. });
                    prop_assert!(gap, "sent at {local} instead of {}", s.time);
                    prop_assert!(local.time() > s.time.civil());
                }
                dates.push(date);
                t = next;
            }
        }
    }

    const DAY_NAMES_FOR_TEST: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
}
