//! The outbox, replays, suppressions and the sending pause.

use super::people::set_status;
use super::{get_team, teams_of};
use crate::output::{member_json, print_list};
use crate::{OutboxArgs, PauseCmd, SuppressionsCmd};
use anyhow::{Result, bail};
use jiff::{SignedDuration, Timestamp};
use morale::domain::outbox::Change;
use morale::domain::{Member, MemberStatus, OutboxStatus};
use morale::domain::{MemberId, SendDate, TeamId};
use morale::reputation;
use morale::store::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

pub(super) async fn outbox(store: &dyn Store, a: &OutboxArgs, now: Timestamp, json: bool) -> Result<()> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut oldest: Option<(Timestamp, String)> = None;
    let mut failures = Vec::new();
    for t in teams_of(store, &a.team).await? {
        for i in store.list_outbox(&t.id, a.date).await? {
            *counts.entry(i.status.as_str()).or_default() += 1;
            if i.status.awaits_sender() {
                if let Some(d) = i.due_at {
                    if oldest.as_ref().is_none_or(|(o, _)| d < *o) {
                        oldest = Some((d, i.key.to_string()));
                    }
                }
            }
            if i.status == OutboxStatus::Failed {
                failures.push((i.key.to_string(), i.email.to_string(), i.last_error.clone().unwrap_or_default()));
            }
        }
    }
    if json {
        println!(
            "{}",
            json!({
                "counts": counts,
                "oldest_pending": oldest.as_ref().map(|(d, k)| json!({"key": k, "due_at": d.to_string(), "age_seconds": now.duration_since(*d).as_secs()})),
                "failed": failures.iter().map(|(k, e, r)| json!({"key": k, "email": e, "reason": r})).collect::<Vec<_>>(),
            })
        );
        return Ok(());
    }
    if counts.is_empty() {
        println!("The outbox is empty for that selection.");
    }
    for s in OutboxStatus::ALL {
        if let Some(n) = counts.get(s.as_str()) {
            println!("{:<11} {n}", s.as_str());
        }
    }
    if let Some((d, k)) = &oldest {
        println!("oldest pending: {k}, due {d} ({} min ago)", now.duration_since(*d).as_secs() / 60);
    }
    if a.failed {
        for (k, e, r) in &failures {
            println!("FAILED {k} {e}: {r}");
        }
        if !failures.is_empty() {
            println!("Replay a day once the cause is fixed: moralectl replay --team <team> --date <date>");
        }
    } else if !failures.is_empty() {
        println!("{} failed: see them with --failed", failures.len());
    }
    Ok(())
}

pub(super) async fn replay(store: &dyn Store, team: &TeamId, date: SendDate, now: Timestamp, json: bool) -> Result<()> {
    let t = get_team(store, team).await?;
    let members: BTreeMap<MemberId, Member> =
        store.list_members(team).await?.into_iter().map(|m| (m.id.clone(), m)).collect();
    let (mut requeued, mut skipped) = (0, Vec::new());
    for i in store.list_outbox(team, Some(date)).await? {
        if i.status != OutboxStatus::Failed {
            continue;
        }
        match members.get(&i.key.member) {
            Some(m) if m.status.receives_email() => {
                // A replay is deliberate: it may go out after the team's day has ended.
                let deadline = t.schedule.end_of_local_day(date).max(now + SignedDuration::from_hours(6));
                if store.change(&i.key, &Change::Requeue { deadline }, now).await?.is_some() {
                    requeued += 1;
                }
            }
            Some(m) => skipped.push(format!("{} is {}", m.email, m.status)),
            None => skipped.push(format!("{} is no longer a member", i.email)),
        }
    }
    if json {
        println!("{}", json!({"team": team, "date": date, "requeued": requeued, "skipped": skipped}));
    } else {
        println!("Re-queued {requeued} email(s) for {team} on {date}; the sender sends them on its next tick.");
        for s in &skipped {
            println!("  skipped: {s}");
        }
    }
    Ok(())
}

pub(super) async fn suppressions(store: &dyn Store, c: &SuppressionsCmd, now: Timestamp, json: bool) -> Result<()> {
    match c {
        SuppressionsCmd::List { team } => {
            let mut list = Vec::new();
            for t in teams_of(store, team).await? {
                for m in store.list_members(&t.id).await? {
                    if matches!(m.status, MemberStatus::Bounced | MemberStatus::Complained) {
                        list.push(m);
                    }
                }
            }
            print_list(&list, json, member_json, "No bounced or complaining members.", |m| {
                format!("{:<20} {:<40} {:<11} {}", m.team, m.email, m.status, m.status_reason.as_deref().unwrap_or(""))
            });
        }
        SuppressionsCmd::Remove { team, email, they_asked_for_it } => {
            let mut from = vec![MemberStatus::Bounced];
            if *they_asked_for_it {
                from.push(MemberStatus::Complained);
            }
            // Their transient bounces are forgotten first: a run that stops between the two
            // writes leaves them suppressed, and can simply be run again. (The other way round
            // it left them active with three bounces, and refused to run again.)
            let id = super::get_team(store, team).await?.member_id(email);
            if store.get_member(team, &id).await?.is_some_and(|m| from.contains(&m.status)) {
                store.reset_soft_bounces(team, &id, now).await?;
            }
            let m = match set_status(
                store,
                team,
                email,
                &from,
                MemberStatus::Active,
                "suppression lifted by an operator",
                now,
            )
            .await
            {
                Ok(m) => m,
                Err(e) => {
                    if store.get_member(team, &id).await?.is_some_and(|m| m.status == MemberStatus::Complained) {
                        bail!(
                            "{email} complained about the email (reported it as spam). Email them again only if they asked: add --they-asked-for-it"
                        );
                    }
                    return Err(e);
                }
            };
            println!(
                "{}",
                if json { member_json(&m).to_string() } else { format!("{email} will get {team}'s email again") }
            );
        }
    }
    Ok(())
}

pub(super) async fn pause(store: &dyn Store, c: &PauseCmd, now: Timestamp, json: bool) -> Result<()> {
    match c {
        PauseCmd::Show => {
            let p = reputation::current_pause(store, now).await?;
            let w = reputation::window(store, now).await?;
            if json {
                println!("{}", json!({"paused": p.is_some(), "pause": p, "last_24h": w}));
            } else {
                match p {
                    Some(p) => println!(
                        "Sending is PAUSED: {} (since {}, lifts itself at {})",
                        p.reason,
                        p.since.map(|s| s.to_string()).unwrap_or_default(),
                        p.until.map(|s| s.to_string()).unwrap_or_default()
                    ),
                    None => println!("Sending is not paused."),
                }
                println!("Last 24 hours: {} sent, {} bounced, {} complained", w.sent, w.bounced, w.complained);
            }
        }
        PauseCmd::Lift => {
            let who = std::env::var("USER").unwrap_or_else(|_| "an operator".into());
            let lifted = reputation::lift(store, now, &who).await?;
            if json {
                println!("{}", json!({"lifted": lifted}));
            } else if lifted {
                println!("Lifted: the next tick sends again, including everything held.");
            } else {
                println!("Sending was not paused.");
            }
        }
    }
    Ok(())
}
