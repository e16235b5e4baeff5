//! Teams and members.

use super::get_team;
use crate::output::{member_json, next_send_text, print_list, print_team, team_json};
use crate::{MemberCmd, TeamCmd};
use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use morale::domain::StatusChange;
use morale::domain::{EmailAddress, MemberKey, Schedule, TeamId};
use morale::domain::{Member, MemberStatus, Team, WeeklyDigest};
use morale::store::StoreError;
use morale::store::prelude::*;
use serde_json::json;

pub(super) async fn team(store: &dyn Store, c: &TeamCmd, now: Timestamp, json: bool) -> Result<()> {
    match c {
        TeamCmd::Create(c) => {
            if c.id.as_str() == super::verify::VERIFY_TEAM {
                bail!("{} is reserved for `moralectl verify`'s test emails: choose another id", c.id);
            }
            let mut key = [0u8; 32];
            morale::random::fill(&mut key);
            let mut t = Team::new(
                c.id.clone(),
                c.name.clone().unwrap_or_else(|| c.id.to_string()),
                Schedule::new(c.zone.clone(), c.time, c.workdays),
                c.admins.clone(),
                now,
            )
            .with_member_key(MemberKey::from_bytes(key));
            t.locale = c.locale;
            if let Some(d) = &c.digest {
                t.digest = Some(WeeklyDigest::parse(d, c.workdays)?);
            }
            store.create_team(&t).await.with_context(|| format!("could not create team {}", t.id))?;
            print_team(&t, json);
        }
        TeamCmd::List => {
            let teams = store.list_teams().await?;
            let empty = "No teams yet. Create one with: moralectl team create <id> --zone <IANA zone>";
            print_list(&teams, json, team_json, empty, |t| {
                format!("{:<24} {:<28} next send {}", t.id, t.name, next_send_text(t))
            });
        }
        TeamCmd::Show { team } => print_team(&get_team(store, team).await?, json),
        TeamCmd::Update(u) => {
            let mut t = get_team(store, &u.id).await?;
            if let Some(n) = &u.name {
                t.name = n.clone();
            }
            let mut schedule = t.schedule.clone();
            if let Some(z) = &u.zone {
                schedule.zone = z.clone();
            }
            if let Some(x) = u.time {
                schedule.time = x;
            }
            if let Some(w) = u.workdays {
                schedule.workdays = w;
            }
            if !u.admins.is_empty() {
                t.admins = u.admins.clone();
            }
            match u.digest.as_deref() {
                None => {}
                Some("off") => t.digest = None,
                Some(d) => t.digest = Some(WeeklyDigest::parse(d, schedule.workdays)?),
            }
            // New workdays must keep the digest's day, or the digest would silently stop.
            if let Some(d) = t.digest {
                d.on(schedule.workdays)
                    .context("move the digest too (--digest \"<workday> HH:MM\"), or turn it off (--digest off)")?;
            }
            if u.min_voters.is_some() || u.min_commenters.is_some() {
                let v = u.min_voters.unwrap_or(t.privacy.min_voters());
                let c = u.min_commenters.unwrap_or(t.privacy.min_commenters().max(v));
                t.privacy = morale::domain::Privacy::new(v, c)?;
            }
            if let Some(l) = u.locale {
                t.locale = l;
            }
            t.reschedule(schedule, now);
            let t = store.update_team(&t).await?;
            print_team(&t, json);
        }
        TeamCmd::Pause { team, resume } => {
            let mut t = get_team(store, team).await?;
            if *resume {
                if !t.resume(now) {
                    bail!("team {team} is not paused: it sends next at {}", next_send_text(&t));
                }
            } else {
                t.pause();
            }
            let t = store.update_team(&t).await?;
            print_team(&t, json);
        }
        TeamCmd::RevokeLinks { team, admin } => {
            let mut t = get_team(store, team).await?;
            t.revoke_links(admin, now);
            let t = store.update_team(&t).await?;
            println!("Trend links sent to {admin} until now no longer open.");
            print_team(&t, json);
        }
        TeamCmd::Link { .. } | TeamCmd::Quiet(_) => unreachable!("handled before"),
        TeamCmd::Delete { team } => {
            let members = store.list_members(team).await?;
            if !members.is_empty() {
                bail!(
                    "team {team} still has {} member(s): remove them first (moralectl member list {team}; moralectl member remove {team} <email>)",
                    members.len()
                );
            }
            store.delete_team(team).await?;
            if json {
                println!("{}", json!({"deleted": team}));
            } else {
                println!("Deleted team {team}. Its past answers are kept.");
            }
        }
    }
    Ok(())
}

pub(super) async fn set_status(
    store: &dyn Store,
    team: &TeamId,
    email: &EmailAddress,
    from: &[MemberStatus],
    to: MemberStatus,
    reason: &str,
    now: Timestamp,
) -> Result<Member> {
    let id = get_team(store, team).await?.member_id(email);
    match store.set_status(team, &id, StatusChange { from, to, reason, at: now }).await {
        Ok(Some(m)) => Ok(m),
        Ok(None) => {
            let m = store.get_member(team, &id).await?.context("the member is gone")?;
            bail!(
                "{email} is {} in {team}; it can only become {to} from {}",
                m.status,
                from.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or ")
            )
        }
        Err(StoreError::NotFound(_)) => bail!("{email} is not a member of {team}: see `moralectl member list {team}`"),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn member(store: &dyn Store, c: &MemberCmd, now: Timestamp, json: bool) -> Result<()> {
    match c {
        MemberCmd::Add { team, email, name, locale } => {
            let t = get_team(store, team).await.map_err(|_| {
                anyhow::anyhow!(
                    "there is no team {team}: create it first with `moralectl team create {team} --zone <IANA zone>`"
                )
            })?;
            let m = Member { locale: *locale, ..Member::new(&t, email.clone(), name.clone(), now) };
            store.add_member(&m).await?;
            if json {
                println!("{}", member_json(&m));
            } else {
                println!("Added {} to {} (member id {})", m.email, m.team, m.id);
            }
        }
        MemberCmd::Import { team, file } => {
            let t = get_team(store, team).await?;
            let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows =
                crate::csv_import::parse(&text).map_err(|bad| anyhow::anyhow!(crate::csv_import::report(&bad)))?;
            let progress = !json && rows.len() > 50 && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let n = crate::csv_import::import(store, &t, rows, now, progress).await?;
            if json {
                println!("{}", json!({"team": team, "imported": n}));
            } else {
                println!("Imported {n} member(s) into {team}.");
            }
        }
        MemberCmd::List { team } => {
            let members = store.list_members(team).await?;
            if json {
                println!("{}", serde_json::Value::Array(members.iter().map(member_json).collect()));
            } else {
                let team = get_team(store, team).await?;
                let today = team.schedule.local_date(now);
                for m in &members {
                    let reason = m.status_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
                    let away = m.away_until.filter(|_| m.away_on(today)).map(|d| format!(", away until {d}"));
                    let locale = m.locale.map(|l| format!(", reads {l}")).unwrap_or_default();
                    println!("{:<22} {:<40} {}{reason}{}{locale}", m.id, m.email, m.status, away.unwrap_or_default());
                }
                println!("{} member(s)", members.len());
            }
        }
        MemberCmd::Locale { team, email, locale } => {
            let t = get_team(store, team).await?;
            store.set_locale(team, &t.member_id(email), locale.0, now).await.map_err(|e| match e {
                morale::store::StoreError::NotFound(_) => anyhow::anyhow!("{email} is not a member of {team}"),
                e => e.into(),
            })?;
            let reads = locale.0.unwrap_or(t.locale);
            if json {
                println!("{}", json!({"team": team, "email": email, "locale": reads.tag(), "own": locale.0.is_some()}));
            } else {
                println!("{email} reads Morale in {reads}{}.", if locale.0.is_none() { " (the team's)" } else { "" });
            }
        }
        MemberCmd::Back { team, email } => {
            let t = get_team(store, team).await?;
            let m = match store.set_away(team, &t.member_id(email), morale::domain::Away { back: None, at: now }).await
            {
                Ok(Some(m)) => m,
                Ok(None) => bail!("{email} does not get the daily email (they are not active): nothing to end"),
                Err(morale::store::StoreError::NotFound(_)) => bail!("{email} is not a member of {team}"),
                Err(e) => return Err(e.into()),
            };
            println!(
                "{}",
                if json {
                    member_json(&m).to_string()
                } else {
                    format!("{email} is back: their email comes again from the next send")
                }
            );
        }
        MemberCmd::Pause { team, email } | MemberCmd::Resume { team, email } => {
            use MemberStatus::{Active, Paused};
            let (from, to, reason, done) = match c {
                MemberCmd::Pause { .. } => (Active, Paused, "paused by an operator", "Paused"),
                _ => (Paused, Active, "resumed by an operator", "Resumed"),
            };
            let m = set_status(store, team, email, &[from], to, reason, now).await?;
            println!("{}", if json { member_json(&m).to_string() } else { format!("{done} {email}") });
        }
        MemberCmd::Remove { team, email } => {
            let id = get_team(store, team).await?.member_id(email);
            match store.remove_member(team, &id).await {
                Ok(()) => {}
                Err(StoreError::NotFound(_)) => bail!("{email} is not a member of {team}"),
                Err(e) => return Err(e.into()),
            }
            println!(
                "{}",
                if json { json!({"removed": email}).to_string() } else { format!("Removed {email} from {team}") }
            );
        }
    }
    Ok(())
}
