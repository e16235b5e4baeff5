//! A member of a team, and whether Morale may email them.

use super::{EmailAddress, Locale, MemberId, ParseError, SendDate, Team, TeamId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    Active,
    Paused,
    Unsubscribed,
    Bounced,
    Complained,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 5] =
        [Self::Active, Self::Paused, Self::Unsubscribed, Self::Bounced, Self::Complained];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Unsubscribed => "unsubscribed",
            Self::Bounced => "bounced",
            Self::Complained => "complained",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Only active members get email.
    pub fn receives_email(self) -> bool {
        self == Self::Active
    }

    /// Suppressions set by mail events outrank what people choose, and a complaint outranks a
    /// bounce: events may arrive in any order and must end in the same state.
    pub fn suppression_rank(self) -> u8 {
        match self {
            Self::Active | Self::Paused | Self::Unsubscribed => 0,
            Self::Bounced => 1,
            Self::Complained => 2,
        }
    }
}

impl std::fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A change of a member's status to `to`, allowed only from one of `from`: people's choices
/// (pause, unsubscribe) and mail's verdicts (bounced, complained) are all made this way.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange<'a> {
    pub from: &'a [MemberStatus],
    pub to: MemberStatus,
    /// Kept as the member's `status_reason`.
    pub reason: &'a str,
    pub at: Timestamp,
}

impl StatusChange<'_> {
    /// Applies the change if the member's status is one of `from`; false (and `m` as it was)
    /// if not.
    pub fn apply(&self, m: &mut Member) -> bool {
        if !self.from.contains(&m.status) {
            return false;
        }
        m.status = self.to;
        m.status_reason = Some(self.reason.to_string());
        // Any change of status ends the member's own pause: a member who unsubscribes and
        // comes back, or whom an admin pauses and resumes, is not left silently away.
        m.away_until = None;
        m.updated_at = self.at;
        true
    }
}

/// A member's own pause, as they ask for it: away until `back` (`None`: back now), asked `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Away {
    pub back: Option<SendDate>,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub team: TeamId,
    pub id: MemberId,
    pub email: EmailAddress,
    pub name: Option<String>,
    pub status: MemberStatus,
    /// Why the status is what it is ("permanent bounce 5.1.1", "unsubscribed by link").
    pub status_reason: Option<String>,
    /// Transient bounces in a row; reset by a delivery.
    pub soft_bounces: u32,
    /// The member's own language, over the team's.
    pub locale: Option<Locale>,
    /// The member's own pause ("I'm away until …"): the day they are back, when the daily
    /// email starts again by itself. Not asked before then, so not counted as not answering.
    pub away_until: Option<SendDate>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Member {
    /// A new member of `team`, their id derived under the team's key.
    pub fn new(team: &Team, email: EmailAddress, name: Option<String>, now: Timestamp) -> Self {
        Self {
            team: team.id.clone(),
            id: team.member_id(&email),
            email,
            name,
            status: MemberStatus::Active,
            status_reason: None,
            soft_bounces: 0,
            locale: None,
            away_until: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// The language of the member's email and pages.
    pub fn locale_in(&self, team: &Team) -> Locale {
        self.locale.unwrap_or(team.locale)
    }

    /// Away on `date` by their own choice: active, and `date` before the day they are back.
    pub fn away_on(&self, date: SendDate) -> bool {
        self.status.receives_email() && self.away_until.is_some_and(|back| date < back)
    }

    /// Whether `date`'s daily email is for them: active, and not away.
    pub fn asked_on(&self, date: SendDate) -> bool {
        self.status.receives_email() && !self.away_on(date)
    }

    /// The longest pause a member can take: a season, not for good (that is unsubscribing).
    pub const MAX_AWAY_DAYS: i32 = 90;

    /// The longest name a member may have: it greets them in every email.
    pub const MAX_NAME: usize = 100;

    /// A member's name as an operator gives it (a command's `--name`, a CSV's column): not
    /// blank (no name is no name given: "Hi ," is nobody's greeting), at most
    /// [`Member::MAX_NAME`] characters, no control characters; trimmed.
    pub fn parse_name(s: &str) -> Result<String, ParseError> {
        let name = s.trim();
        let bad = |why: String| Err(ParseError::new("name", s, why));
        if name.is_empty() {
            return bad("a name, or none given at all".into());
        }
        if name.chars().count() > Self::MAX_NAME {
            return bad(format!("at most {} characters", Self::MAX_NAME));
        }
        if name.chars().any(char::is_control) {
            return bad("no line breaks or other control characters".into());
        }
        Ok(name.to_string())
    }

    /// The day a member says they are back (`YYYY-MM-DD`): after `today`, at most `last`
    /// (see [`Member::last_back_on`]).
    pub fn parse_back_on(s: &str, today: SendDate, last: SendDate) -> Result<SendDate, ParseError> {
        let back = SendDate::parse(s)?;
        if back <= today || back > last {
            return Err(ParseError::new("return date", s, format!("a day after {today}, up to {last}")));
        }
        Ok(back)
    }

    /// The latest day a member away from `today` can be back: [`Member::MAX_AWAY_DAYS`] ahead,
    /// and no later than `link_ends`, the last day their link opens (so that they can still
    /// come back early with it: no email comes meanwhile).
    pub fn last_back_on(today: SendDate, link_ends: SendDate) -> SendDate {
        (0..Self::MAX_AWAY_DAYS).fold(today, |d, _| d.next_day()).min(link_ends)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(status: MemberStatus, away_until: Option<&str>) -> Member {
        let team = Team::new(
            TeamId::parse("t").unwrap(),
            "T".into(),
            crate::domain::Schedule::parse("UTC", "09:00", "mon-fri").unwrap(),
            vec![],
            "2026-12-01T00:00:00Z".parse().unwrap(),
        );
        let mut m = Member::new(&team, EmailAddress::parse("a@example.com").unwrap(), None, team.created_at);
        m.status = status;
        m.away_until = away_until.map(|d| SendDate::parse(d).unwrap());
        m
    }

    #[test]
    fn away_until_the_day_they_are_back() {
        let d = |s| SendDate::parse(s).unwrap();
        let m = member(MemberStatus::Active, Some("2026-12-10"));
        assert!(m.away_on(d("2026-12-09")) && !m.asked_on(d("2026-12-09")));
        assert!(!m.away_on(d("2026-12-10")) && m.asked_on(d("2026-12-10")), "back that day, by itself");
        assert!(member(MemberStatus::Active, None).asked_on(d("2026-12-09")));
        let unsubscribed = member(MemberStatus::Unsubscribed, Some("2026-12-10"));
        assert!(!unsubscribed.away_on(d("2026-12-09")) && !unsubscribed.asked_on(d("2026-12-11")));
        // Any change of status ends the pause: unsubscribed and back, the member is asked.
        let mut m = member(MemberStatus::Active, Some("2026-12-10"));
        let at = m.updated_at;
        let out = StatusChange { from: &[MemberStatus::Active], to: MemberStatus::Unsubscribed, reason: "", at };
        assert!(out.apply(&mut m) && m.away_until.is_none());
        let back = StatusChange { from: &[MemberStatus::Unsubscribed], to: MemberStatus::Active, reason: "", at };
        assert!(back.apply(&mut m) && m.asked_on(d("2026-12-09")));
    }

    #[test]
    fn a_return_date_is_after_today_and_within_the_limit() {
        let today = SendDate::parse("2026-12-04").unwrap();
        let far = SendDate::parse("2030-01-01").unwrap();
        let last = Member::last_back_on(today, far);
        assert_eq!(last.as_str(), "2027-03-04");
        assert_eq!(Member::parse_back_on("2026-12-05", today, last).unwrap().as_str(), "2026-12-05");
        assert!(Member::parse_back_on("2027-03-04", today, last).is_ok());
        for bad in ["2026-12-04", "2026-12-01", "2027-03-05", "soon", ""] {
            assert!(Member::parse_back_on(bad, today, last).is_err(), "{bad:?}");
        }
        let link_ends = SendDate::parse("2027-01-10").unwrap();
        assert_eq!(Member::last_back_on(today, link_ends), link_ends, "never past the link's own life");
    }
}
