//! A closed day's figures: computed once when the day's answers close, stored, and never
//! changed; the only form in which answers outlive their day. A day with fewer than the
//! team's `min_voters` voters keeps no distribution at all, and its comments are kept only
//! with `min_commenters` voters, so that nobody's answer can be singled out.

use super::response::Counted;
use super::{ParseError, Response};
use serde::{Deserialize, Serialize};

/// The least a team may ask for; a team may raise them (`moralectl team update`).
pub const MIN_VOTERS: u32 = 3;
pub const MIN_COMMENTERS: u32 = 5;

/// How many voters a day needs before its figures, and its comments, are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privacy {
    min_voters: u32,
    min_commenters: u32,
}

impl Default for Privacy {
    fn default() -> Self {
        Self { min_voters: MIN_VOTERS, min_commenters: MIN_COMMENTERS }
    }
}

impl Privacy {
    /// Never below the defaults; comments never need fewer voters than figures.
    pub fn new(min_voters: u32, min_commenters: u32) -> Result<Self, ParseError> {
        if min_voters < MIN_VOTERS || min_commenters < MIN_COMMENTERS {
            return Err(ParseError::new(
                "privacy",
                &format!("{min_voters}/{min_commenters}"),
                format!(
                    "a day needs at least {MIN_VOTERS} voters for figures and {MIN_COMMENTERS} for comments; a team may only raise them"
                ),
            ));
        }
        if min_commenters < min_voters {
            return Err(ParseError::new(
                "privacy",
                &format!("{min_voters}/{min_commenters}"),
                "comments cannot need fewer voters than figures",
            ));
        }
        Ok(Self { min_voters, min_commenters })
    }

    pub fn min_voters(self) -> u32 {
        self.min_voters
    }

    pub fn min_commenters(self) -> u32 {
        self.min_commenters
    }
}

/// A closed day of a team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tally {
    /// Members emailed that day.
    pub asked: u32,
    /// Members whose answer counts (a scanner's quarantined burst does not).
    pub voters: u32,
    /// How many chose 1, 2, 3, 4, 5; `None` with too few voters.
    pub counts: Option<[u32; 5]>,
    /// The day's comments, sorted (their order says nothing about who wrote when); empty with
    /// too few voters. At most [`COMMENTS_BUDGET`] bytes of them: a record has a size limit.
    pub comments: Vec<String>,
    /// Comments left out for the budget.
    pub comments_left_out: u32,
}

/// Bytes of comments a day keeps (a DynamoDB item holds 400 KB).
pub const COMMENTS_BUDGET: usize = 200_000;

impl Tally {
    /// The figures of one day's responses, `asked` members having been emailed.
    pub fn of(responses: &[Response], asked: u32, privacy: Privacy) -> Self {
        let counted: Vec<Counted> = responses.iter().filter_map(Response::counts).collect();
        let voters = counted.len() as u32;
        let counts = (voters >= privacy.min_voters).then(|| {
            let mut c = [0u32; 5];
            for r in &counted {
                c[usize::from(r.score.value() - 1)] += 1;
            }
            c
        });
        let mut comments: Vec<String> = if voters >= privacy.min_commenters {
            counted.into_iter().filter_map(|r| r.comment).collect()
        } else {
            Vec::new()
        };
        comments.sort();
        let mut used = 0;
        let kept = comments.iter().take_while(|c| {
            used += c.len();
            used <= COMMENTS_BUDGET
        });
        let kept = kept.count();
        let comments_left_out = (comments.len() - kept) as u32;
        comments.truncate(kept);
        Self { asked, voters, counts, comments, comments_left_out }
    }

    pub fn mean(&self) -> Option<f64> {
        let c = self.counts?;
        let n: u32 = c.iter().sum();
        let sum: u32 = c.iter().zip(1..).map(|(k, s)| k * s).sum();
        (n > 0).then(|| f64::from(sum) / f64::from(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Score, SendDate, TeamId, VoterKey};

    fn vote(v: &str, s: u8, comment: Option<&str>) -> Response {
        Response::new(
            TeamId::parse("t").unwrap(),
            SendDate::parse("2026-11-24").unwrap(),
            VoterKey(v.into()),
            Score::new(s).unwrap(),
            comment.map(str::to_string),
            "2026-11-24T12:00:00Z".parse().unwrap(),
        )
    }

    #[test]
    fn too_few_voters_keep_no_figures_and_comments_need_more() {
        let two = [vote("a", 5, Some("great")), vote("b", 1, None)];
        let t = Tally::of(&two, 10, Privacy::default());
        assert_eq!((t.voters, t.counts, t.comments.len(), t.mean()), (2, None, 0, None));
        let four: Vec<Response> = (0..4).map(|i| vote(&format!("v{i}"), 4, (i == 0).then_some("a comment"))).collect();
        let t = Tally::of(&four, 10, Privacy::default());
        assert_eq!(t.counts, Some([0, 0, 0, 4, 0]));
        assert!(t.comments.is_empty(), "comments need five voters");
        let mut five = four.clone();
        five.push(vote("v9", 2, Some("busy")));
        let t = Tally::of(&five, 10, Privacy::default());
        assert_eq!(t.comments, vec!["a comment".to_string(), "busy".to_string()], "sorted");
        assert_eq!(t.mean(), Some(3.6));
        let strict = Privacy::new(6, 8).unwrap();
        assert_eq!(Tally::of(&five, 10, strict).counts, None, "a team may raise the bar");
    }

    #[test]
    fn a_scanners_burst_is_not_a_voter() {
        let mut burst = vote("s", 5, None);
        for s in [4, 3] {
            burst = burst.then(&vote("s", s, None));
        }
        assert!(burst.quarantined());
        let t = Tally::of(&[burst, vote("a", 4, None), vote("b", 4, None)], 3, Privacy::default());
        assert_eq!((t.voters, t.counts), (2, None));
    }

    #[test]
    fn comments_fit_in_a_record() {
        let long = "x".repeat(1000);
        let many: Vec<Response> = (0..300).map(|i| vote(&format!("v{i}"), 3, Some(&long))).collect();
        let t = Tally::of(&many, 300, Privacy::default());
        assert_eq!(t.voters, 300, "every answer counts");
        assert!(t.comments.iter().map(String::len).sum::<usize>() <= COMMENTS_BUDGET);
        assert_eq!(t.comments.len() + t.comments_left_out as usize, 300);
    }

    #[test]
    fn the_bar_can_only_be_raised() {
        assert!(Privacy::new(2, 5).is_err());
        assert!(Privacy::new(3, 4).is_err());
        assert!(Privacy::new(6, 5).is_err());
        assert_eq!(Privacy::new(3, 5).unwrap(), Privacy::default());
    }
}
