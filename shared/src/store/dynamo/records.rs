//! The shape of each item in the table, and its conversion to and from the domain.

use super::{TEAM_SK, member_sk, nanos, outbox_shard, outbox_sk, team_pk};
use crate::domain::{
    EmailAddress, LocalTime, Locale, Member, MemberId, MemberKey, MemberStatus, OutboxItem, OutboxKey, OutboxKind,
    OutboxStatus, Privacy, ProblemReport, QuietDays, Schedule, Score, SendDate, Team, TeamId, TimeZone, VoterKey,
    WeeklyDigest, Workdays,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub(super) struct TeamRecord {
    #[serde(rename = "PK")]
    pub(super) pk: String,
    #[serde(rename = "SK")]
    pub(super) sk: String,
    pub(super) kind: String,
    pub(super) id: TeamId,
    pub(super) name: String,
    pub(super) zone: TimeZone,
    pub(super) send_time: LocalTime,
    pub(super) workdays: Workdays,
    /// Local dates off, as YYYY-MM-DD.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub(super) quiet_days: Vec<SendDate>,
    pub(super) admins: Vec<EmailAddress>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) next_send_at: Option<Timestamp>,
    /// The weekly digest: 1 = Monday … 7 = Sunday, and a local time.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) digest_day: Option<i8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) digest_time: Option<LocalTime>,
    /// The team's privacy bar, when raised above the defaults.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) min_voters: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) min_commenters: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) member_key: Option<MemberKey>,
    /// The team's language (a tag); absent for English.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) locale: Option<String>,
    /// Per admin id, when their trend links were last revoked.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty", default)]
    pub(super) links_revoked: std::collections::BTreeMap<MemberId, Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) due_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) due_at: Option<i64>,
    pub(super) created_at: Timestamp,
    pub(super) version: u64,
}

impl From<&Team> for TeamRecord {
    fn from(t: &Team) -> Self {
        Self {
            pk: team_pk(&t.id),
            sk: TEAM_SK.into(),
            kind: "team".into(),
            id: t.id.clone(),
            name: t.name.clone(),
            zone: t.schedule.zone.clone(),
            send_time: t.schedule.time,
            workdays: t.schedule.workdays,
            quiet_days: t.schedule.quiet.iter().collect(),
            admins: t.admins.clone(),
            next_send_at: t.next_send_at,
            digest_day: t.digest.map(|d| d.weekday.to_monday_one_offset()),
            digest_time: t.digest.map(|d| d.time),
            min_voters: (t.privacy != Privacy::default()).then(|| t.privacy.min_voters()),
            min_commenters: (t.privacy != Privacy::default()).then(|| t.privacy.min_commenters()),
            links_revoked: t.links_revoked.clone(),
            member_key: t.member_key.clone(),
            locale: (t.locale != Locale::En).then(|| t.locale.tag().to_string()),
            due_kind: t.next_send_at.map(|_| "team".into()),
            due_at: t.next_send_at.map(nanos),
            created_at: t.created_at,
            version: t.version,
        }
    }
}

impl From<TeamRecord> for Team {
    fn from(r: TeamRecord) -> Self {
        Team {
            id: r.id,
            name: r.name,
            // More quiet days than a team may list (edited by hand) read as the first of them.
            schedule: Schedule::new(r.zone, r.send_time, r.workdays).with_quiet(
                QuietDays::new(r.quiet_days.iter().copied().take(QuietDays::MAX)).expect("within the limit"),
            ),
            admins: r.admins,
            next_send_at: r.next_send_at,
            digest: match (r.digest_day, r.digest_time) {
                (Some(d), Some(time)) => {
                    jiff::civil::Weekday::from_monday_one_offset(d).ok().map(|weekday| WeeklyDigest { weekday, time })
                }
                _ => None,
            },
            // A bar that does not parse (hand-edited below the defaults) reads as the defaults.
            privacy: match (r.min_voters, r.min_commenters) {
                (Some(v), Some(c)) => Privacy::new(v, c).unwrap_or_default(),
                _ => Privacy::default(),
            },
            links_revoked: r.links_revoked,
            member_key: r.member_key,
            locale: r.locale.and_then(|l| Locale::parse(&l).ok()).unwrap_or_default(),
            created_at: r.created_at,
            version: r.version,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct MemberRecord {
    #[serde(rename = "PK")]
    pub(super) pk: String,
    #[serde(rename = "SK")]
    pub(super) sk: String,
    pub(super) kind: String,
    pub(super) team: TeamId,
    pub(super) id: MemberId,
    pub(super) email: EmailAddress,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) name: Option<String>,
    pub(super) status: MemberStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) status_reason: Option<String>,
    pub(super) soft_bounces: u32,
    /// The member's own language (a tag), over the team's.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) locale: Option<String>,
    /// Away until then, by their own choice.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) away_until: Option<SendDate>,
    pub(super) created_at: Timestamp,
    pub(super) updated_at: Timestamp,
}

impl From<&Member> for MemberRecord {
    fn from(m: &Member) -> Self {
        Self {
            pk: team_pk(&m.team),
            sk: member_sk(&m.id),
            kind: "member".into(),
            team: m.team.clone(),
            id: m.id.clone(),
            email: m.email.clone(),
            name: m.name.clone(),
            status: m.status,
            status_reason: m.status_reason.clone(),
            soft_bounces: m.soft_bounces,
            locale: m.locale.map(|l| l.tag().to_string()),
            away_until: m.away_until,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl From<MemberRecord> for Member {
    fn from(r: MemberRecord) -> Self {
        Member {
            team: r.team,
            id: r.id,
            email: r.email,
            name: r.name,
            status: r.status,
            status_reason: r.status_reason,
            soft_bounces: r.soft_bounces,
            // A tag not shipped (hand-edited, or a locale since withdrawn) reads as the team's.
            locale: r.locale.and_then(|l| Locale::parse(&l).ok()),
            away_until: r.away_until,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct OutboxRecord {
    #[serde(rename = "PK")]
    pub(super) pk: String,
    #[serde(rename = "SK")]
    pub(super) sk: String,
    pub(super) kind: String,
    pub(super) team: TeamId,
    pub(super) date: SendDate,
    pub(super) member: MemberId,
    #[serde(default)]
    pub(super) mail: OutboxKind,
    pub(super) email: EmailAddress,
    pub(super) status: OutboxStatus,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) due_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) due_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) due: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) released_status: Option<OutboxStatus>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) lease_owner: Option<String>,
    pub(super) attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) last_error: Option<String>,
    pub(super) deadline: Timestamp,
    pub(super) created_at: Timestamp,
    pub(super) updated_at: Timestamp,
    pub(super) expires_at: i64,
}

impl From<&OutboxItem> for OutboxRecord {
    fn from(i: &OutboxItem) -> Self {
        let waiting = i.status.awaits_sender();
        Self {
            pk: team_pk(&i.key.team),
            sk: outbox_sk(i.key.date, &i.key.member),
            kind: "outbox".into(),
            team: i.key.team.clone(),
            date: i.key.date,
            member: i.key.member.clone(),
            mail: i.kind,
            email: i.email.clone(),
            status: i.status,
            due_kind: (waiting && i.due_at.is_some()).then(|| outbox_shard(&i.key.member)),
            due_at: i.due_at.filter(|_| waiting).map(nanos),
            due: i.due_at.filter(|_| waiting),
            released_status: i.released_status,
            lease_owner: i.lease_owner.clone(),
            attempts: i.attempts,
            message_id: i.message_id.clone(),
            last_error: i.last_error.clone(),
            deadline: i.deadline,
            created_at: i.created_at,
            updated_at: i.updated_at,
            expires_at: super::expires_at(i.deadline),
        }
    }
}

impl From<OutboxRecord> for OutboxItem {
    fn from(r: OutboxRecord) -> Self {
        OutboxItem {
            key: OutboxKey { team: r.team, date: r.date, member: r.member },
            kind: r.mail,
            email: r.email,
            status: r.status,
            due_at: r.due,
            released_status: r.released_status,
            lease_owner: r.lease_owner,
            attempts: r.attempts,
            message_id: r.message_id,
            last_error: r.last_error,
            deadline: r.deadline,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct ResponseRecord {
    #[serde(rename = "PK")]
    pub(super) pk: String,
    #[serde(rename = "SK")]
    pub(super) sk: String,
    pub(super) kind: String,
    pub(super) team: TeamId,
    pub(super) date: SendDate,
    pub(super) voter: VoterKey,
    pub(super) score: Score,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) comment: Option<String>,
    pub(super) recorded_at: Timestamp,
    /// `recorded_at` in nanoseconds since the epoch, for reading by eye and by query.
    pub(super) recorded_ns: i64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) burst_since: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) burst_answers: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) burst_links: Option<u8>,
    /// What counted before the current burst (see `Response::before`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) before_score: Option<Score>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) before_comment: Option<String>,
    /// Every write is conditional on the revision it read.
    #[serde(default)]
    pub(super) rev: u64,
    /// The table's TTL (seconds): see [`crate::voter::kept_until`].
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) expires_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ProblemReportItem {
    pub(super) team: TeamId,
    pub(super) date: SendDate,
    #[serde(default)]
    pub(super) lines: Vec<String>,
    pub(super) send_after: Timestamp,
    #[serde(default)]
    pub(super) sent_at: Option<Timestamp>,
}

impl From<ProblemReportItem> for ProblemReport {
    fn from(d: ProblemReportItem) -> Self {
        ProblemReport { team: d.team, date: d.date, lines: d.lines, send_after: d.send_after, queued_at: d.sent_at }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct StateItem {
    #[serde(rename = "PK")]
    pub(super) pk: String,
    #[serde(rename = "SK")]
    pub(super) sk: String,
    pub(super) kind: String,
    pub(super) name: String,
    pub(super) data: String,
    pub(super) version: u64,
    pub(super) updated_at: Timestamp,
}
