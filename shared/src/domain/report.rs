//! The admins' report of a team's delivery problems for one day (bounces, complaints).

use super::{MemberStatus, SendDate, TeamId};
use jiff::Timestamp;

/// The problems of one team and day, collected as they happen (bounced and complaining members),
/// and queued to the outbox once, one email per admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemReport {
    pub team: TeamId,
    pub date: SendDate,
    /// One per problem, as [`ProblemLine`] writes it; at most [`ProblemReport::MAX_LINES`].
    pub lines: Vec<String>,
    pub send_after: Timestamp,
    /// When it was queued to the outbox; nothing is added after that.
    pub queued_at: Option<Timestamp>,
}

impl ProblemReport {
    /// The lines a report holds: an email an admin can read, and a record far below
    /// DynamoDB's 400 KB per item (a line is an address and a mail server's diagnostic). A day
    /// whose team's mail domain breaks can bring thousands: the rest are noted as told, not
    /// listed, and a full report says there may be more.
    pub const MAX_LINES: usize = 200;

    /// Whether the report is full: more problems may have come than it lists.
    pub fn is_full(&self) -> bool {
        self.lines.len() >= Self::MAX_LINES
    }

    /// Whether noting `line` tells it without listing it: a full report not yet queued, which
    /// does not list it already.
    pub fn tells_unlisted(&self, line: &str) -> bool {
        self.queued_at.is_none() && self.is_full() && !self.lines.iter().any(|l| l == line)
    }
}

/// One line of a report: an address Morale stopped emailing, why, and the technical detail.
/// Kept in the record as its text (what `Display` writes, in English: on-call reads it too);
/// [`ProblemLine::parse`] reads it back, so that each admin's email says it in the team's
/// language. The detail (a mail server's diagnostic) stays as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemLine {
    pub address: String,
    /// What the member became: bounced or complained.
    pub status: MemberStatus,
    /// No longer a member when it happened.
    pub removed: bool,
    pub detail: String,
    /// The day of the email it is about, when it joins a later day's report.
    pub about: Option<SendDate>,
}

const DASH: &str = " — ";
/// Characters of a mail server's diagnostic a line keeps: SES passes on whatever the server
/// said, and a report of [`ProblemReport::MAX_LINES`] lines must stay far below 400 KB.
const DETAIL_CHARS: usize = 500;
const REMOVED: &str = " (no longer a member)";
const ABOUT: &str = " (about the email of ";

impl std::fmt::Display for ProblemLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let removed = if self.removed { REMOVED } else { "" };
        let detail = match self.detail.char_indices().nth(DETAIL_CHARS) {
            Some((cut, _)) => format!("{}…", &self.detail[..cut]),
            None => self.detail.clone(),
        };
        write!(f, "{}{DASH}{}{removed}: {detail}", self.address, self.status)?;
        match self.about {
            Some(d) => write!(f, "{ABOUT}{d})"),
            None => Ok(()),
        }
    }
}

impl ProblemLine {
    /// A line as [`Display`](std::fmt::Display) wrote it; `None` for any other text.
    pub fn parse(line: &str) -> Option<Self> {
        let (address, rest) = line.split_once(DASH)?;
        let (head, mut detail) = rest.split_once(": ")?;
        let (status, removed) = match head.strip_suffix(REMOVED) {
            Some(s) => (s, true),
            None => (head, false),
        };
        // Only what a report tells of: any other status is a line of another shape.
        let status =
            MemberStatus::parse(status).filter(|s| matches!(s, MemberStatus::Bounced | MemberStatus::Complained))?;
        let mut about = None;
        if let Some((d, date)) = detail.rsplit_once(ABOUT)
            && let Some(date) = date.strip_suffix(')').and_then(|s| SendDate::parse(s).ok())
        {
            (detail, about) = (d, Some(date));
        }
        Some(Self { address: address.to_string(), status, removed, detail: detail.to_string(), about })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_diagnostic_is_cut_so_that_a_full_report_stays_small() {
        let line = ProblemLine {
            address: format!("{}@{}.example.com", "a".repeat(64), "b".repeat(180)),
            status: MemberStatus::Bounced,
            removed: true,
            detail: "550 5.1.1 mailbox unavailable; ".repeat(400),
            about: Some(SendDate::parse("2026-11-23").unwrap()),
        };
        let text = line.to_string();
        assert!(text.len() < 1_000, "{} bytes", text.len());
        assert!(text.len() * ProblemReport::MAX_LINES < 400 * 1024 / 2, "a full report stays under half an item");
        let read = ProblemLine::parse(&text).expect("it reads back");
        assert!(read.detail.ends_with('…') && read.about == line.about && read.removed);
    }

    #[test]
    fn a_line_reads_back_as_written() {
        let line = ProblemLine {
            address: "ana@example.com".into(),
            status: MemberStatus::Bounced,
            removed: false,
            detail: "bounced (General): 550 5.1.1 user unknown: no such mailbox".into(),
            about: None,
        };
        let text = line.to_string();
        assert_eq!(text, "ana@example.com — bounced: bounced (General): 550 5.1.1 user unknown: no such mailbox");
        assert_eq!(ProblemLine::parse(&text), Some(line.clone()));
        let late = ProblemLine { removed: true, about: Some(SendDate::parse("2026-12-03").unwrap()), ..line };
        assert_eq!(ProblemLine::parse(&late.to_string()), Some(late));
        assert_eq!(ProblemLine::parse("something else entirely"), None);
        assert_eq!(ProblemLine::parse("ana@example.com — paused: by hand"), None, "not a status a report tells of");
    }
}
