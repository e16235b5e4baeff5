//! An answer to the daily question, and the one rule for storing it: the latest post wins, and
//! different answers posted from different answer links of one email within seconds (a mail
//! scanner opening every link and submitting every page's form) are quarantined, not counted.

use super::{Score, SendDate, TeamId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// How close together different answers for one email must come to be a machine's: mail
/// security sandboxes open an email's links within seconds; a person changing their mind reads
/// a page first.
pub const SCANNER_WINDOW: SignedDuration = SignedDuration::from_secs(30);

/// A pseudonymous voter: a keyed hash of the member, so that one vote per person per day can be
/// enforced without storing who voted what.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VoterKey(pub String);

/// The posts for one email that came within [`SCANNER_WINDOW`] of the first: when that was,
/// which answers they carried (bit `n` for score `n`), and from which of the email's answer
/// links their pages were opened (bit `n` for the link of score `n`; bit 0: no link's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Burst {
    pub since: Timestamp,
    pub answers: u8,
    pub links: u8,
}

impl Burst {
    fn of(score: Score, link: Option<Score>, at: Timestamp) -> Self {
        Self { since: at, answers: 1 << score.value(), links: 1 << link.map_or(0, Score::value) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub team: TeamId,
    pub date: SendDate,
    pub voter: VoterKey,
    pub score: Score,
    pub comment: Option<String>,
    pub recorded_at: Timestamp,
    pub burst: Burst,
    /// The answer that counted when the current burst began: it still counts while the burst
    /// is quarantined (a scanner submitting every page after the person answered).
    pub before: Option<Counted>,
}

/// An answer as it counts: its score and comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub score: Score,
    pub comment: Option<String>,
}

impl Response {
    /// One post, as it would be stored alone, sent from the page of its own answer's link (a
    /// scanner's way; see [`Response::via`] for a person's).
    pub fn new(
        team: TeamId,
        date: SendDate,
        voter: VoterKey,
        score: Score,
        comment: Option<String>,
        at: Timestamp,
    ) -> Self {
        let burst = Burst::of(score, Some(score), at);
        Self { team, date, voter, score, comment, recorded_at: at, burst, before: None }
    }

    /// The post was sent from the page of the answer link `link` (`None`: a link without an
    /// answer of its own).
    pub fn via(self, link: Option<Score>) -> Self {
        Self { burst: Burst::of(self.score, link, self.recorded_at), ..self }
    }

    /// Different answers from the pages of different links within seconds: a machine opening
    /// every link and submitting every form, not a person (who may correct a slip on the page
    /// they opened). Not counted.
    pub fn quarantined(&self) -> bool {
        self.burst.answers.count_ones() > 1 && self.burst.links.count_ones() > 1
    }

    /// The voter's answer as it counts: the stored one; while its burst is quarantined, the one
    /// that counted before the burst, if any.
    pub fn counts(&self) -> Option<Counted> {
        if self.quarantined() {
            self.before.clone()
        } else {
            Some(Counted { score: self.score, comment: self.comment.clone() })
        }
    }

    /// What is stored once `post` (a [`Response::new`]) arrives where `self` was: the later of
    /// the two answers, and the burst `post` joins or starts. A post older than the stored
    /// answer changes the answer not, but still joins its burst.
    pub fn then(&self, post: &Response) -> Response {
        let within = (post.recorded_at - self.burst.since).abs() < SCANNER_WINDOW;
        let burst = if within {
            Burst {
                since: self.burst.since.min(post.recorded_at),
                answers: self.burst.answers | post.burst.answers,
                links: self.burst.links | post.burst.links,
            }
        } else if post.recorded_at > self.recorded_at {
            post.burst
        } else {
            self.burst
        };
        // A new burst keeps what counted until it began.
        let before = if !within && post.recorded_at > self.recorded_at { self.counts() } else { self.before.clone() };
        let latest = if post.recorded_at >= self.recorded_at { post } else { self };
        Response { burst, before, ..latest.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(score: u8, at_secs: i64) -> Response {
        Response::new(
            TeamId::parse("t").unwrap(),
            SendDate::parse("2026-11-24").unwrap(),
            VoterKey("v".into()),
            Score::new(score).unwrap(),
            None,
            Timestamp::from_second(1_700_000_000 + at_secs).unwrap(),
        )
    }

    fn fold(posts: &[Response]) -> Response {
        posts[1..].iter().fold(posts[0].clone(), |stored, p| stored.then(p))
    }

    #[test]
    fn a_scanner_submitting_every_answer_within_seconds_is_quarantined() {
        let r = fold(&[post(5, 0), post(4, 1), post(3, 1), post(2, 2), post(1, 3)]);
        assert!(r.quarantined());
        assert_eq!(r.score.value(), 1, "the latest post is what is stored, but it is not counted");
    }

    #[test]
    fn a_scanner_submitting_every_page_after_the_person_answered_leaves_the_persons_answer() {
        let r = fold(&[post(4, 0), post(5, 7200), post(3, 7201), post(1, 7202)]);
        assert!(r.quarantined());
        assert_eq!(r.counts().map(|c| c.score.value()), Some(4), "the person's answer still counts");
        // The person answers again later: that counts.
        let r = r.then(&post(2, 9000));
        assert_eq!(r.counts().map(|c| c.score.value()), Some(2));
        // A scanner alone: nothing counts.
        assert_eq!(fold(&[post(5, 0), post(1, 1)]).counts(), None);
    }

    #[test]
    fn the_same_answer_twice_is_one_persons() {
        assert!(!fold(&[post(4, 0), post(4, 2)]).quarantined());
    }

    #[test]
    fn a_person_correcting_a_slip_within_seconds_is_counted() {
        let four = Score::new(4).ok();
        let r = fold(&[post(4, 0).via(four), post(3, 5).via(four), post(2, 9).via(four)]);
        assert!(!r.quarantined(), "the same page, other answers: a person");
        assert_eq!(r.score.value(), 2);
    }

    #[test]
    fn two_links_submitted_as_they_came_are_a_scanner() {
        // A scanner whose other three posts were lost still shows itself.
        assert!(fold(&[post(5, 0), post(2, 2)]).quarantined());
    }

    #[test]
    fn a_person_changing_their_mind_later_is_counted() {
        let r = fold(&[post(4, 0), post(2, 120)]);
        assert!(!r.quarantined());
        assert_eq!(r.score.value(), 2);
    }

    #[test]
    fn a_person_answering_after_the_scanner_is_counted() {
        let r = fold(&[post(5, 0), post(4, 1), post(3, 2), post(2, 3600)]);
        assert!(!r.quarantined());
        assert_eq!(r.score.value(), 2);
    }

    #[test]
    fn order_of_arrival_does_not_matter() {
        let posts = [post(5, 0), post(1, 2), post(3, 600)];
        let a = fold(&posts);
        let b = fold(&[posts[2].clone(), posts[0].clone(), posts[1].clone()]);
        assert_eq!((a.score, a.quarantined()), (b.score, b.quarantined()));
        assert_eq!(a.score.value(), 3);
        // A new burst of different answers, long after the first answer, is a scanner again.
        let late = fold(&[post(5, 0), post(3, 600), post(1, 601)]);
        assert!(late.quarantined());
    }
}
