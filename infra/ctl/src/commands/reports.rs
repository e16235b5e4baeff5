//! Trends, the coming send windows, and the days' ledgers.

use super::{get_team, teams_of};
use anyhow::Result;
use jiff::{SignedDuration, Timestamp};
use morale::domain::ledger::LEDGER_PATIENCE;
use morale::domain::{Ledger, QuietDays, SendDate, TeamId};
use morale::insights;
use morale::store::prelude::*;
use serde_json::json;

pub(super) async fn trends(store: &dyn Store, team: &TeamId, days: u16, now: Timestamp, json: bool) -> Result<()> {
    let t = get_team(store, team).await?;
    let to = t.schedule.local_date(now);
    let mut from = to;
    for _ in 1..days {
        from = from.previous_day();
    }
    // Closed days only, from their fixed figures (the CLI sees no more than the trend page).
    let closed = insights::closed(&store.list_days(team, from, to).await?);
    let active = store.list_members(team).await?.iter().filter(|m| m.status.receives_email()).count();
    let daily = insights::daily(&closed, from, to);
    // A day with too few voters shows only that: not how many.
    let part = |d: &insights::Day| (d.enough() && d.asked > 0).then(|| d.voters as f64 / f64::from(d.asked));
    if json {
        let list: Vec<_> = daily
            .iter()
            .map(|d| {
                json!({
                    "date": d.date, "closed": d.closed,
                    "voters": d.enough().then_some(d.voters),
                    "participation": part(d),
                    "mean": d.figures.as_ref().map(|f| f.mean),
                    "distribution": d.figures.as_ref().map(|f| f.distribution),
                })
            })
            .collect();
        println!(
            "{}",
            json!({"team": team, "active_members": active, "days": list, "mean": insights::mean_of(&daily)})
        );
        return Ok(());
    }
    println!("{} — last {days} day(s), {active} active member(s)", t.name);
    println!("{:<12} {:>6} {:>6}  {:<24} participation", "date", "voters", "mean", "1 2 3 4 5");
    for d in daily.iter().filter(|d| t.schedule.is_send_day(d.date) || d.voters > 0) {
        let part = part(d).map(|p| format!("{:.0}%", 100.0 * p)).unwrap_or_else(|| "-".into());
        if !d.closed {
            println!("{:<12} {:>6} {:>6}  {:<24} -", d.date.as_str(), "-", "-", "open: answers still coming");
            continue;
        }
        match &d.figures {
            Some(f) => println!(
                "{:<12} {:>6} {:>6.2}  {:<24} {part}",
                d.date.as_str(),
                d.voters,
                f.mean,
                f.distribution.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" ")
            ),
            None => println!("{:<12} {:>6} {:>6}  {:<24} {part}", d.date.as_str(), "few", "-", "not enough answers"),
        }
    }
    if let Some(m) = insights::mean_of(&daily) {
        println!("mean over the days with enough answers: {m:.2}");
    }
    Ok(())
}

pub(super) async fn schedule(store: &dyn Store, days: u16, now: Timestamp, json: bool) -> Result<()> {
    let until = now + SignedDuration::from_hours(24 * i64::from(days));
    let mut windows = Vec::new();
    let mut quiet = Vec::new();
    for t in store.list_teams().await? {
        let (today, last) = (t.schedule.local_date(now), t.schedule.local_date(until));
        let ahead = QuietDays::new(t.schedule.quiet.from(today).iter().filter(|d| *d <= last)).expect("fewer");
        if !ahead.is_empty() {
            quiet.push((t.id.clone(), ahead));
        }
        let Some(mut at) = t.next_send_at else { continue };
        let members = store.list_members(&t.id).await?.iter().filter(|m| m.status.receives_email()).count();
        // A send overdue right now is a window too.
        while at <= until {
            windows.push((at, t.id.clone(), t.schedule.zone.clone(), members));
            at = t.schedule.next_send_after(at);
        }
    }
    windows.sort_by_key(|a| a.0);
    if json {
        let list: Vec<_> = windows
            .iter()
            .map(|(at, id, zone, n)| json!({"at": at.to_string(), "local": at.to_zoned_datetime(zone.jiff().clone()).to_string(), "team": id, "members": n}))
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(());
    }
    if windows.is_empty() {
        println!("No sends in the next {days} day(s).");
    }
    println!("Send windows in the next {days} day(s) — avoid deploying or changing SES settings around them:");
    for (at, id, zone, n) in &windows {
        let local = at.to_zoned_datetime(zone.jiff().clone());
        println!(
            "  {} UTC  {:<20} {:>5} member(s)  ({} {})",
            at.strftime("%a %Y-%m-%d %H:%M"),
            id,
            n,
            local.strftime("%H:%M"),
            zone
        );
    }
    if !quiet.is_empty() {
        println!("Quiet days (no email, none counted as missed):");
        for (id, days) in &quiet {
            println!("  {id:<20} {}", crate::output::quiet_text(days));
        }
    }
    Ok(())
}

pub(super) async fn ledger(
    store: &dyn Store,
    team: &Option<TeamId>,
    date: Option<SendDate>,
    now: Timestamp,
    json: bool,
) -> Result<()> {
    let mut rows = Vec::new();
    for t in teams_of(store, team).await? {
        let (from, to) = match date {
            Some(d) => (d, d),
            None => {
                let today = t.schedule.local_date(now);
                ((0..6).fold(today, |d, _| d.previous_day()), today)
            }
        };
        for day in store.list_days(&t.id, from, to).await? {
            // A day the sender should have closed long ago (it is failing or stopped) is
            // counted as if closed now: what has no end shows as unaccounted.
            let overdue = now > day.closes_at + LEDGER_PATIENCE + SignedDuration::from_hours(1);
            let (state, ledger) = match &day.closed {
                Some(l) => ("closed", l.clone()),
                None => {
                    let items = store.list_outbox(&t.id, Some(day.date)).await?;
                    if overdue {
                        ("overdue", Ledger::of(&day.plan, &items, now))
                    } else {
                        ("open", Ledger::so_far(&day.plan, &items))
                    }
                }
            };
            rows.push((day, state, ledger));
        }
    }
    let unaccounted: u32 = rows.iter().map(|(_, _, l)| l.unaccounted).sum();
    if json {
        let list: Vec<_> = rows
            .iter()
            .map(|(d, state, l)| {
                json!({"team": d.team, "date": d.date, "state": state, "closes_at": d.closes_at,
                       "closed_at": d.closed_at, "reached": l.reached(), "ledger": l})
            })
            .collect();
        println!("{}", json!({"days": list, "unaccounted": unaccounted}));
    } else if rows.is_empty() {
        println!("no days recorded for that choice (a day is recorded when its team is scheduled)");
    } else {
        println!("{:<20} {:<11} {:<8} ledger", "team", "date", "state");
        for (d, state, l) in &rows {
            println!("{:<20} {:<11} {:<8} {}", d.team.as_str(), d.date.as_str(), state, l.line());
            if !l.failed.is_empty() {
                let by: Vec<String> = l.failed.iter().map(|(k, n)| format!("{k} {n}")).collect();
                println!("{:<40} failed by reason: {}", "", by.join(", "));
            }
        }
    }
    if unaccounted > 0 {
        return Err(super::Verdict(format!(
            "{unaccounted} email(s) are unaccounted for: see the alert of their day (a day still `overdue` was never \
             closed: look at the sender's errors), and `moralectl outbox --team T`"
        ))
        .into());
    }
    Ok(())
}
