//! The SES message tags on Morale's mail: how an SES event finds its outbox item again. Written
//! in one place ([`for_outbox`], [`for_other`]) and read in one place ([`read`]).
//!
//! Tag values allow only letters, digits, `_`, `-`, `.` and `@` (SES `MessageTag`); team ids,
//! member ids, dates and kinds are all within that.

use crate::domain::{MemberId, OutboxItem, OutboxKind, SendDate, TeamId};
use std::collections::HashMap;

const TEAM: &str = "morale-team";
const MEMBER: &str = "morale-member";
const DATE: &str = "morale-date";
/// Which attempt this message is (1, 2, …).
const SEND: &str = "morale-send";
/// Mail other than the daily email (`weekly`, `low-morale`, `digest`, `test`).
const KIND: &str = "morale-kind";

/// The outbox item an email belongs to, from its tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Correlation {
    pub team: TeamId,
    pub member: MemberId,
    pub date: SendDate,
    /// Which attempt (1, 2, …) this message was.
    pub send: u32,
}

/// The tags of the next attempt at an outbox item.
pub fn for_outbox(item: &OutboxItem) -> Vec<(String, String)> {
    let mut tags = vec![
        (TEAM.into(), item.key.team.to_string()),
        (MEMBER.into(), item.key.member.to_string()),
        (DATE.into(), item.key.date.to_string()),
        (SEND.into(), (item.attempts + 1).to_string()),
    ];
    if item.kind != OutboxKind::Daily {
        tags.push((KIND.into(), kind_value(item.kind.as_str())));
    }
    tags
}

/// The tags of mail outside the outbox (a test email, the admins' digest): a kind, and the
/// team if there is one. Events for it correlate to no outbox item.
pub fn for_other(kind: &str, team: Option<&TeamId>) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = team.map(|t| (TEAM.into(), t.to_string())).into_iter().collect();
    tags.push((KIND.into(), kind_value(kind)));
    tags
}

/// Tag values allow `-` but the kinds are written with `_`.
fn kind_value(kind: &str) -> String {
    kind.replace('_', "-")
}

/// The outbox item named by an event's tags (as SES publishes them: name → values); `None`
/// for mail Morale did not send, or tags that do not read.
pub fn read(tags: &HashMap<String, Vec<String>>) -> Option<Correlation> {
    let tag = |name: &str| tags.get(name).and_then(|v| v.first()).map(String::as_str);
    Some(Correlation {
        team: TeamId::parse(tag(TEAM)?).ok()?,
        member: MemberId::parse(tag(MEMBER)?).ok()?,
        date: SendDate::parse(tag(DATE)?).ok()?,
        send: tag(SEND)?.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EmailAddress, OutboxKey};
    use jiff::Timestamp;

    fn as_published(tags: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
        tags.into_iter().map(|(k, v)| (k, vec![v])).collect()
    }

    #[test]
    fn what_is_written_reads_back_as_the_same_item_and_attempt() {
        let email = EmailAddress::parse("a@example.com").unwrap();
        let key = OutboxKey {
            team: TeamId::parse("team-1").unwrap(),
            date: SendDate::parse("2026-11-23").unwrap(),
            member: MemberId::for_email(&email),
        };
        let now = Timestamp::UNIX_EPOCH;
        let mut item = OutboxItem::new(key.clone(), email.clone(), now, now, now);
        item.attempts = 2;
        let c = read(&as_published(for_outbox(&item))).unwrap();
        assert_eq!((c.team, c.member, c.date, c.send), (key.team.clone(), key.member, key.date, 3));
        let admin = OutboxItem::for_admin(OutboxKind::LowMorale, key.team, key.date, email, now, now, now);
        let tags = for_outbox(&admin);
        assert!(tags.contains(&(KIND.into(), "low-morale".into())));
        for (_, v) in &tags {
            assert!(v.chars().all(|c| c.is_ascii_alphanumeric() || "_-.@".contains(c)), "{v}");
        }
    }

    #[test]
    fn other_mail_correlates_to_no_item() {
        let team = TeamId::parse("team-1").unwrap();
        assert_eq!(read(&as_published(for_other("digest", Some(&team)))), None);
        assert_eq!(read(&as_published(for_other("test", None))), None);
        assert_eq!(read(&HashMap::new()), None);
    }
}
