//! A team's quiet days: local dates off (holidays, a shutdown) on which no email goes out and
//! none is counted as missed.

use super::{ParseError, SendDate};
use std::collections::BTreeSet;

/// The dates a team takes off, in its own calendar. Bounded: a team lists at most
/// [`QuietDays::MAX`] of them (a year and a day), and dates before today can be forgotten.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuietDays(BTreeSet<SendDate>);

impl QuietDays {
    pub const MAX: usize = 366;
    pub const KEPT_DAYS: usize = 100;

    /// `2026-12-24`, or an inclusive range `2026-12-24..2027-01-01` (of at most a year).
    pub fn parse_spec(s: &str) -> Result<Vec<SendDate>, ParseError> {
        let Some((from, to)) = s.trim().split_once("..") else { return Ok(vec![SendDate::parse(s)?]) };
        let (from, to) = (SendDate::parse(from)?, SendDate::parse(to)?);
        if to < from {
            return Err(ParseError::new(
                "quiet days",
                s,
                "a range goes forward: FROM..TO, e.g. 2026-12-24..2027-01-01",
            ));
        }
        let mut days = vec![from];
        while *days.last().expect("one") < to {
            if days.len() == Self::MAX {
                return Err(ParseError::new("quiet days", s, "a range of at most 366 days"));
            }
            days.push(days.last().expect("one").next_day());
        }
        Ok(days)
    }

    /// The set of `days`, if there are not too many.
    pub fn new(days: impl IntoIterator<Item = SendDate>) -> Result<Self, ParseError> {
        let set: BTreeSet<SendDate> = days.into_iter().collect();
        if set.len() > Self::MAX {
            return Err(ParseError::new(
                "quiet days",
                &format!("{} days", set.len()),
                "a team lists at most 366 quiet days (the past 100 days' among them)",
            ));
        }
        Ok(Self(set))
    }

    pub fn contains(&self, date: SendDate) -> bool {
        self.0.contains(&date)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The latest of them.
    pub fn last(&self) -> Option<SendDate> {
        self.0.last().copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = SendDate> + '_ {
        self.0.iter().copied()
    }

    /// These and `days`: an error, and no change, past the limit.
    pub fn with(&self, days: &[SendDate]) -> Result<Self, ParseError> {
        Self::new(self.iter().chain(days.iter().copied()))
    }

    /// These without `days`.
    pub fn without(&self, days: &[SendDate]) -> Self {
        Self(self.0.iter().filter(|d| !days.contains(d)).copied().collect())
    }

    /// Those from `today` on.
    pub fn from(&self, today: SendDate) -> Self {
        Self(self.0.range(today..).copied().collect())
    }

    /// Those still looked back at (the trend page's 90 days, the low-morale streak's 62): the
    /// last [`QuietDays::KEPT_DAYS`] before `today` and those ahead.
    pub fn kept(&self, today: SendDate) -> Self {
        self.from((0..Self::KEPT_DAYS).fold(today, |d, _| d.previous_day()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> SendDate {
        SendDate::parse(s).unwrap()
    }

    #[test]
    fn a_day_or_a_range() {
        assert_eq!(QuietDays::parse_spec("2026-12-24").unwrap(), vec![d("2026-12-24")]);
        let r = QuietDays::parse_spec("2026-12-30..2027-01-02").unwrap();
        assert_eq!(r, vec![d("2026-12-30"), d("2026-12-31"), d("2027-01-01"), d("2027-01-02")]);
        assert_eq!(QuietDays::parse_spec("2026-12-24..2026-12-24").unwrap().len(), 1);
        assert_eq!(QuietDays::parse_spec("2026-01-01..2026-12-31").unwrap().len(), 365);
        for bad in ["2026-12-31..2026-12-24", "2026-13-01", "24.12.2026", "2026-01-01..2027-01-02", "2026-12-24.."] {
            assert!(QuietDays::parse_spec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bounded_and_forgetting_the_past() {
        let year = QuietDays::parse_spec("2026-01-01..2026-12-31").unwrap();
        let q = QuietDays::new(year).unwrap();
        let full = q.with(&[d("2027-01-01")]).unwrap();
        assert!(full.with(&[d("2027-01-02")]).is_err(), "367 days");
        assert_eq!(full.with(&[d("2026-05-01")]).unwrap(), full, "a day listed twice is one");
        assert_eq!(full.kept(d("2026-12-31")).len(), 102, "the last 100 days, today and those ahead");
        let ahead = full.from(d("2026-12-31"));
        assert_eq!(ahead.iter().collect::<Vec<_>>(), vec![d("2026-12-31"), d("2027-01-01")]);
        assert!(!ahead.without(&[d("2026-12-31")]).contains(d("2026-12-31")));
    }
}
