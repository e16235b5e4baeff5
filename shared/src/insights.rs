//! Daily aggregates of a team's answers, with the anonymity rule in one place: a day with
//! fewer than [`MIN_VOTERS`] voters shows no figures at all — no mean, no distribution, no
//! comments — so that nobody's answer can be singled out.

use crate::domain::Response;
use crate::domain::SendDate;
use serde::Serialize;

pub const MIN_VOTERS: usize = 3;

/// One day of a team, as anyone may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Day {
    pub date: SendDate,
    pub voters: usize,
    /// `None` when the day has fewer than [`MIN_VOTERS`] voters.
    pub figures: Option<Figures>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub mean: f64,
    /// How many voters chose 1, 2, 3, 4, 5.
    pub distribution: [usize; 5],
    /// The day's comments, in no particular order and without who wrote them.
    pub comments: Vec<String>,
}

impl Day {
    pub fn enough(&self) -> bool {
        self.figures.is_some()
    }
}

/// One [`Day`] per date from `from` to `to` (inclusive), days without answers included.
pub fn daily(responses: &[Response], from: SendDate, to: SendDate) -> Vec<Day> {
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        // A quarantined response is a scanner's, not anybody's answer.
        let of_day: Vec<&Response> = responses.iter().filter(|r| r.date == d && !r.quarantined()).collect();
        let voters = of_day.len();
        let figures = (voters >= MIN_VOTERS).then(|| {
            let mut distribution = [0usize; 5];
            for r in &of_day {
                distribution[usize::from(r.score.value() - 1)] += 1;
            }
            let sum: u32 = of_day.iter().map(|r| u32::from(r.score.value())).sum();
            let mut comments: Vec<String> = of_day.iter().filter_map(|r| r.comment.clone()).collect();
            // Sorted, so that the order does not hint at who answered when.
            comments.sort();
            Figures { mean: f64::from(sum) / voters as f64, distribution, comments }
        });
        days.push(Day { date: d, voters, figures });
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

/// A week of a team, for the weekly digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// The mean over the days with enough answers.
    pub mean: Option<f64>,
    /// Voters per workday over active members.
    pub participation: Option<f64>,
    pub days_with_enough: usize,
    pub workdays: usize,
}

/// The week `from..=to` (workdays only) of a team with `active` members.
pub fn week(
    responses: &[Response],
    from: SendDate,
    to: SendDate,
    workdays: crate::domain::Workdays,
    active: usize,
) -> Week {
    let days: Vec<Day> =
        daily(responses, from, to).into_iter().filter(|d| workdays.contains(d.date.date().weekday())).collect();
    let voters: usize = days.iter().map(|d| d.voters).sum();
    Week {
        mean: mean_of(&days),
        participation: (active > 0 && !days.is_empty()).then(|| voters as f64 / (active * days.len()) as f64),
        days_with_enough: days.iter().filter(|d| d.enough()).count(),
        workdays: days.len(),
    }
}

/// The low-morale streak that ends the day before `date`: the dates of the consecutive
/// workdays, each with enough answers and a mean of 2.0 or less, going back from there —
/// or nothing if there are fewer than `length`.
pub fn low_streak(
    responses: &[Response],
    date: SendDate,
    workdays: crate::domain::Workdays,
    length: usize,
) -> Vec<(SendDate, f64)> {
    let mut streak = Vec::new();
    let mut d = date.previous_day();
    // Walk back at most two months of days.
    for _ in 0..62 {
        if workdays.contains(d.date().weekday()) {
            let day = daily(responses, d, d).remove(0);
            match day.figures {
                Some(f) if f.mean <= 2.0 => streak.push((d, f.mean)),
                _ => break,
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
    use crate::domain::{Score, TeamId};
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

    #[test]
    fn a_day_needs_three_voters() {
        let r = vec![
            vote("2026-11-23", "a", 5, Some("great week")),
            vote("2026-11-23", "b", 4, None),
            vote("2026-11-23", "c", 3, None),
            vote("2026-11-24", "a", 1, Some("secret")),
            vote("2026-11-24", "b", 2, None),
        ];
        let days = daily(&r, SendDate::parse("2026-11-23").unwrap(), SendDate::parse("2026-11-25").unwrap());
        assert_eq!(days.len(), 3);
        let f = days[0].figures.as_ref().unwrap();
        assert_eq!(
            (f.mean, f.distribution, f.comments.clone()),
            (4.0, [0, 0, 1, 1, 1], vec!["great week".to_string()])
        );
        assert_eq!((days[1].voters, days[1].figures.is_none()), (2, true));
        assert_eq!((days[2].voters, days[2].figures.is_none()), (0, true));
        assert_eq!(mean_of(&days), Some(4.0), "the thin day does not count");
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
            for day in daily(&r, SendDate::parse("2026-11-20").unwrap(), SendDate::parse("2026-11-24").unwrap()) {
                let n = r.iter().filter(|x| x.date == day.date).count();
                prop_assert_eq!(day.voters, n);
                prop_assert_eq!(day.figures.is_some(), n >= MIN_VOTERS);
            }
        }
    }
}
