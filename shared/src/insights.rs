//! What a team's admins see of its answers: closed days only, from the figures fixed when each
//! day's answers closed (`domain::tally`). An open day shows nothing; a closed day's figures
//! never change; a day with too few voters shows no mean, no distribution, no comments.

use crate::domain::{Privacy, Response, SendDate, SendDays, Tally};
use serde::Serialize;
use std::collections::BTreeMap;

pub use crate::domain::tally::MIN_VOTERS;

/// A closed day and its figures, as the store keeps them.
pub type Closed = (SendDate, Tally);

/// The closed days among a team's day records.
pub fn closed(days: &[crate::domain::Day]) -> Vec<Closed> {
    days.iter().filter_map(|d| d.tally.clone().map(|t| (d.date, t))).collect()
}

/// The tallies `responses` would close with (each day `asked` members): for tests, the
/// simulator and the demo's report of a day not closed yet.
pub fn tally_each_day(responses: &[Response], asked: u32, privacy: Privacy) -> Vec<Closed> {
    let mut by_day: BTreeMap<SendDate, Vec<Response>> = BTreeMap::new();
    for r in responses {
        by_day.entry(r.date).or_default().push(r.clone());
    }
    by_day.into_iter().map(|(d, rs)| (d, Tally::of(&rs, asked, privacy))).collect()
}

/// One day of a team, as its admins may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Day {
    pub date: SendDate,
    /// Its answers closed: the figures below are final. An open day has none.
    pub closed: bool,
    /// Members emailed that day.
    pub asked: u32,
    pub voters: usize,
    /// `None` while open, and when the day had too few voters.
    pub figures: Option<Figures>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub mean: f64,
    /// How many voters chose 1, 2, 3, 4, 5.
    pub distribution: [usize; 5],
    /// The day's comments, sorted, without who wrote them (empty with too few voters).
    pub comments: Vec<String>,
}

impl Day {
    pub fn enough(&self) -> bool {
        self.figures.is_some()
    }
}

/// One [`Day`] per date from `from` to `to` (inclusive): the closed ones with their figures,
/// the others open.
pub fn daily(closed: &[Closed], from: SendDate, to: SendDate) -> Vec<Day> {
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        let day = match closed.iter().find(|(date, _)| *date == d) {
            None => Day { date: d, closed: false, asked: 0, voters: 0, figures: None },
            Some((_, t)) => Day {
                date: d,
                closed: true,
                asked: t.asked,
                voters: t.voters as usize,
                figures: t.counts.zip(t.mean()).map(|(c, mean)| Figures {
                    mean,
                    distribution: c.map(|n| n as usize),
                    comments: t.comments.clone(),
                }),
            },
        };
        days.push(day);
        d = d.next_day();
    }
    days
}

/// The mean over several days, counting only the days that may be shown.
pub fn mean_of(days: &[Day]) -> Option<f64> {
    let shown: Vec<&Figures> = days.iter().filter_map(|d| d.figures.as_ref()).collect();
    let voters: usize = shown.iter().map(|f| f.distribution.iter().sum::<usize>()).sum();
    if voters == 0 {
        return None;
    }
    let total: f64 = shown.iter().map(|f| f.mean * f.distribution.iter().sum::<usize>() as f64).sum();
    Some(total / voters as f64)
}

/// Voters over members asked, on the closed days among `days`. A day with too few answers
/// counts those asked and none of its voters: its count is kept from every figure, or the
/// share would give it away (the shown days' voters are on the page).
pub fn participation(days: &[&Day]) -> Option<f64> {
    let asked: u32 = days.iter().filter(|d| d.closed).map(|d| d.asked).sum();
    let voters: usize = days.iter().filter(|d| d.closed && d.figures.is_some()).map(|d| d.voters).sum();
    (asked > 0).then(|| voters as f64 / f64::from(asked))
}

/// A week of a team, for the weekly digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// The mean over the days with enough answers.
    pub mean: Option<f64>,
    /// Voters over members asked, on its closed workdays (see [`participation`]).
    pub participation: Option<f64>,
    pub days_with_enough: usize,
    pub workdays: usize,
}

/// The week `from..=to` (the days with an email only: not a weekend, not a quiet day).
pub fn week(closed: &[Closed], from: SendDate, to: SendDate, sends: &impl SendDays) -> Week {
    let days: Vec<Day> = daily(closed, from, to).into_iter().filter(|d| sends.sends_on(d.date)).collect();
    Week {
        mean: mean_of(&days),
        participation: participation(&days.iter().collect::<Vec<_>>()),
        days_with_enough: days.iter().filter(|d| d.enough()).count(),
        workdays: days.len(),
    }
}

/// How many days back [`low_streak`] reads.
pub const LOOKBACK_DAYS: usize = 62;

/// Whether `streak` ([`low_streak`] for `date`) is the streak told of, which began on `told`:
/// the same start, or a streak reaching back as far as [`low_streak`] reads (its own start is
/// older, and moves on by a day each day) from a start after `told`.
pub fn is_told_streak(told: SendDate, streak: &[(SendDate, f64)], date: SendDate, sends: &impl SendDays) -> bool {
    let Some((start, _)) = streak.first() else { return false };
    let earliest = (0..LOOKBACK_DAYS)
        .scan(date, |d, _| {
            *d = d.previous_day();
            Some(*d)
        })
        .filter(|d| sends.sends_on(*d))
        .last();
    *start == told || (told < *start && earliest == Some(*start))
}

/// The low-morale streak that ends with the last closed day before `date`: the dates of the
/// consecutive closed workdays, each with enough answers and a mean of 2.0 or less, going back
/// from there — or nothing if there are fewer than `length`.
pub fn low_streak(closed: &[Closed], date: SendDate, sends: &impl SendDays, length: usize) -> Vec<(SendDate, f64)> {
    let mut streak = Vec::new();
    let mut d = date.previous_day();
    // Open days at the end are not yet known: the streak is read from the last closed day.
    let mut started = false;
    // Walk back at most two months of days.
    for _ in 0..LOOKBACK_DAYS {
        if sends.sends_on(d) {
            let day = daily(closed, d, d).remove(0);
            if day.closed || started {
                started = true;
                match day.figures {
                    Some(f) if f.mean <= 2.0 => streak.push((d, f.mean)),
                    _ => break,
                }
            }
        }
        d = d.previous_day();
    }
    streak.reverse();
    if streak.len() >= length { streak } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::VoterKey;
    use crate::domain::{Score, TeamId, Workdays};
    use proptest::prelude::*;

    fn vote(date: &str, voter: &str, score: u8, comment: Option<&str>) -> Response {
        Response::new(
            TeamId::parse("t").unwrap(),
            SendDate::parse(date).unwrap(),
            VoterKey(voter.into()),
            Score::new(score).unwrap(),
            comment.map(str::to_string),
            "2026-11-23T20:00:00Z".parse().unwrap(),
        )
    }

    fn date(s: &str) -> SendDate {
        SendDate::parse(s).unwrap()
    }

    #[test]
    fn a_day_needs_three_voters_and_open_days_show_nothing() {
        let r = vec![
            vote("2026-11-23", "a", 5, Some("great week")),
            vote("2026-11-23", "b", 4, None),
            vote("2026-11-23", "c", 3, None),
            vote("2026-11-24", "a", 1, Some("secret")),
            vote("2026-11-24", "b", 2, None),
        ];
        let mut closed = tally_each_day(&r, 5, Privacy::default());
        closed.push((date("2026-11-25"), Tally { asked: 5, ..Tally::default() }));
        let days = daily(&closed, date("2026-11-23"), date("2026-11-26"));
        assert_eq!(days.len(), 4);
        let f = days[0].figures.as_ref().unwrap();
        assert_eq!((f.mean, f.distribution, f.comments.clone()), (4.0, [0, 0, 1, 1, 1], vec![]), "comments need five");
        assert_eq!((days[1].voters, days[1].figures.is_none()), (2, true));
        assert_eq!((days[2].closed, days[2].voters, days[2].figures.is_none()), (true, 0, true));
        assert_eq!((days[3].closed, days[3].figures.is_none()), (false, true), "not closed: nothing");
        assert_eq!(mean_of(&days), Some(4.0), "the thin day does not count");
        let refs: Vec<&Day> = days.iter().collect();
        assert_eq!(participation(&refs), Some(3.0 / 15.0), "the shown days' voters over members asked, closed days");
        // The thin day's own count is not in it: one voter or two, the same share.
        let one = tally_each_day(&r[..4], 5, Privacy::default());
        let one = daily(&one, date("2026-11-23"), date("2026-11-24"));
        let two = daily(&tally_each_day(&r, 5, Privacy::default()), date("2026-11-23"), date("2026-11-24"));
        assert_eq!((one[1].voters, two[1].voters), (1, 2));
        let share = |d: &[Day]| participation(&d.iter().collect::<Vec<_>>());
        assert_eq!(share(&one), share(&two));
    }

    /// A streak longer than what is read back: still the one told of, day after day; one that
    /// began after a better day is another.
    #[test]
    fn a_streak_longer_than_the_lookback_is_still_the_one_told_of() {
        let workdays = Workdays::parse("mon-fri").unwrap();
        let low = |d: SendDate| (d, Tally { asked: 3, voters: 3, counts: Some([3, 0, 0, 0, 0]), ..Tally::default() });
        let first = date("2026-08-03");
        let mut closed = Vec::new();
        let mut d = first;
        while d < date("2026-11-21") {
            if workdays.contains(d.date().weekday()) {
                closed.push(low(d));
            }
            d = d.next_day();
        }
        let monday = date("2026-11-23");
        let streak = low_streak(&closed, monday, &workdays, 3);
        assert!(streak[0].0 > first, "read back only so far: {:?}", streak[0]);
        assert!(is_told_streak(first, &streak, monday, &workdays), "the same streak, begun long ago");
        let tuesday = low_streak(&closed, monday.next_day(), &workdays, 3);
        assert!(tuesday[0].0 > streak[0].0, "its start as read moves on");
        assert!(is_told_streak(first, &tuesday, monday.next_day(), &workdays));
        // A better day, then low days again: another streak.
        let good = closed.iter().position(|(d, _)| *d == date("2026-11-16")).unwrap();
        closed[good].1.counts = Some([0, 0, 0, 0, 3]);
        let after = low_streak(&closed, monday, &workdays, 3);
        assert_eq!(after[0].0, date("2026-11-17"));
        assert!(!is_told_streak(first, &after, monday, &workdays));
        assert!(is_told_streak(date("2026-11-17"), &after, monday, &workdays));
    }

    #[test]
    fn a_streak_is_read_from_the_last_closed_day() {
        let workdays = Workdays::parse("mon-fri").unwrap();
        let low: Vec<Response> = ["2026-11-23", "2026-11-24", "2026-11-25"]
            .iter()
            .flat_map(|d| (0..3).map(move |v| vote(d, &format!("v{v}"), 1, None)))
            .collect();
        let closed = tally_each_day(&low, 3, Privacy::default());
        // Thursday the 26th is still open on Friday: the streak ends on Wednesday.
        let streak = low_streak(&closed, date("2026-11-27"), &workdays, 3);
        assert_eq!(
            streak.iter().map(|(d, _)| d.to_string()).collect::<Vec<_>>(),
            ["2026-11-23", "2026-11-24", "2026-11-25"]
        );
    }

    proptest! {
        /// No day with fewer than three voters ever carries a figure or a comment.
        #[test]
        fn thin_days_reveal_nothing(votes in proptest::collection::vec((0u8..5, 0u8..8, 1u8..=5, any::<bool>()), 0..60)) {
            let r: Vec<Response> = votes
                .iter()
                .map(|(d, v, s, c)| vote(&format!("2026-11-2{d}"), &format!("v{v}"), *s, c.then_some("c")))
                .collect();
            // One vote per voter per day, as the store keeps them.
            let mut seen = std::collections::HashSet::new();
            let r: Vec<Response> = r.into_iter().filter(|x| seen.insert((x.date, x.voter.clone()))).collect();
            let closed = tally_each_day(&r, 8, Privacy::default());
            for day in daily(&closed, SendDate::parse("2026-11-20").unwrap(), SendDate::parse("2026-11-24").unwrap()) {
                let n = r.iter().filter(|x| x.date == day.date).count();
                prop_assert_eq!(day.voters, n);
                prop_assert_eq!(day.figures.is_some(), n >= MIN_VOTERS as usize);
                prop_assert!(day.figures.as_ref().is_none_or(|f| f.comments.is_empty() || n >= 5));
            }
        }
    }
}
