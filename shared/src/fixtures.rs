//! What the tests of every crate build alike, beside the fakes (`MemoryStore`, `FakeMailer`,
//! `ManualClock`, `RecordingAlerter`).

use crate::domain::{EmailAddress, Schedule, Team, TeamId};
use jiff::Timestamp;

/// "Team `id`", led by lead@example.com, sending at `time` in `zone` on `days`.
///
/// # Panics
/// On an id or schedule that does not parse: a fixture is written by hand.
pub fn team(id: &str, zone: &str, time: &str, days: &str, created: Timestamp) -> Team {
    Team::new(
        TeamId::parse(id).expect("a team id"),
        format!("Team {id}"),
        Schedule::parse(zone, time, days).expect("a schedule"),
        vec![EmailAddress::parse("lead@example.com").expect("an address")],
        created,
    )
}
