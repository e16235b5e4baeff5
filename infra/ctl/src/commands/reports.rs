//! Trends and the coming send windows.

use super::get_team;
use anyhow::Result;
use jiff::{SignedDuration, Timestamp};
use morale::domain::TeamId;
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
    let responses = store.list_responses(team, from, to).await?;
    let active = store.list_members(team).await?.iter().filter(|m| m.status.receives_email()).count();
    let daily = insights::daily(&responses, from, to);
    if json {
        let list: Vec<_> = daily
            .iter()
            .map(|d| {
                json!({
                    "date": d.date, "voters": d.voters,
                    "participation": if active > 0 { Some(d.voters as f64 / active as f64) } else { None },
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
    for d in daily.iter().filter(|d| t.schedule.workdays.contains(d.date.date().weekday()) || d.voters > 0) {
        let part = if active > 0 { format!("{:.0}%", 100.0 * d.voters as f64 / active as f64) } else { "-".into() };
        match &d.figures {
            Some(f) => println!(
                "{:<12} {:>6} {:>6.2}  {:<24} {part}",
                d.date.as_str(),
                d.voters,
                f.mean,
                f.distribution.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" ")
            ),
            None => println!("{:<12} {:>6} {:>6}  {:<24} {part}", d.date.as_str(), d.voters, "-", "not enough answers"),
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
    for t in store.list_teams().await? {
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
    Ok(())
}
