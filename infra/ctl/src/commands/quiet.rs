//! `moralectl team quiet`: a team's days off.

use super::get_team;
use crate::output::{next_send_text, quiet_text};
use crate::{QuietCmd, QuietSpec};
use anyhow::{Result, bail};
use jiff::Timestamp;
use morale::domain::{SendDate, Team};
use morale::store::prelude::*;
use serde_json::json;

pub(super) async fn quiet(store: &dyn Store, c: &QuietCmd, now: Timestamp, json: bool) -> Result<()> {
    let days = |specs: &[QuietSpec]| specs.iter().flat_map(|s| s.0.iter().copied()).collect::<Vec<SendDate>>();
    let team = match c {
        QuietCmd::List { team } => get_team(store, team).await?,
        QuietCmd::Add { team, days: specs } => {
            let mut t = get_team(store, team).await?;
            let today = t.schedule.local_date(now);
            let days = days(specs);
            if let Some(past) = days.iter().find(|d| **d < today) {
                bail!("{past} is past for team {team} (its today is {today}): nothing changed");
            }
            // Those long past have done their work: they make room for new ones.
            let quiet = t.schedule.quiet.kept(today).with(&days)?;
            t.reschedule(t.schedule.clone().with_quiet(quiet), now);
            store.update_team(&t).await?
        }
        QuietCmd::Remove { team, days: specs } => {
            let mut t = get_team(store, team).await?;
            let days = days(specs);
            if let Some(not) = days.iter().find(|d| !t.schedule.quiet.contains(**d)) {
                bail!("{not} is not a quiet day of team {team}: nothing changed (moralectl team quiet list {team})");
            }
            let quiet = t.schedule.quiet.without(&days);
            t.reschedule(t.schedule.clone().with_quiet(quiet), now);
            store.update_team(&t).await?
        }
    };
    print(&team, now, json);
    Ok(())
}

fn print(t: &Team, now: Timestamp, json: bool) {
    let ahead = t.schedule.quiet.from(t.schedule.local_date(now));
    if json {
        let days: Vec<SendDate> = ahead.iter().collect();
        println!(
            "{}",
            json!({"team": t.id, "quiet_days": days, "next_send_at": t.next_send_at.map(|n| n.to_string())})
        );
        return;
    }
    if ahead.is_empty() {
        println!("Team {} has no quiet days ahead.", t.id);
    } else {
        println!("Team {} is quiet on {}: no email, none counted as missed.", t.id, quiet_text(&ahead));
    }
    println!("Next send: {}", next_send_text(t));
}
