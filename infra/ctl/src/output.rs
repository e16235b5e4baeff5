//! Printing for people and for scripts (`--json`).

use morale::domain::{Member, QuietDays, SendDate, Team};
use serde_json::{Value, json};

/// A list for scripts (a JSON array) or for people (a line each, or `empty` when there is none).
pub fn print_list<T>(items: &[T], json: bool, to_json: fn(&T) -> Value, empty: &str, line: impl Fn(&T) -> String) {
    if json {
        println!("{}", Value::Array(items.iter().map(to_json).collect()));
    } else if items.is_empty() {
        println!("{empty}");
    } else {
        items.iter().for_each(|i| println!("{}", line(i)));
    }
}

pub fn next_send_text(t: &Team) -> String {
    match t.next_send_at {
        None => "paused".into(),
        Some(at) => {
            let local = at.to_zoned_datetime(t.schedule.zone.jiff().clone());
            format!(
                "{} ({}) = {} UTC",
                local.strftime("%a %Y-%m-%d %H:%M %Z"),
                t.schedule.zone,
                at.strftime("%Y-%m-%d %H:%M")
            )
        }
    }
}

/// Quiet days as a reader says them: runs of consecutive days as FROM..TO.
pub fn quiet_text(q: &QuietDays) -> String {
    let mut runs: Vec<(SendDate, SendDate)> = Vec::new();
    for d in q.iter() {
        match runs.last_mut() {
            Some((_, to)) if to.next_day() == d => *to = d,
            _ => runs.push((d, d)),
        }
    }
    let run = |(from, to): &(SendDate, SendDate)| if from == to { from.to_string() } else { format!("{from}..{to}") };
    runs.iter().map(run).collect::<Vec<_>>().join(", ")
}

pub fn team_json(t: &Team) -> Value {
    json!({
        "id": t.id, "name": t.name, "zone": t.schedule.zone, "send_time": t.schedule.time,
        "workdays": t.schedule.workdays, "quiet_days": t.schedule.quiet.iter().collect::<Vec<_>>(),
        "admins": t.admins, "paused": t.is_paused(),
        "digest": t.digest.map(|d| format!("{} {}", d.day_name(), d.time)),
        "min_voters": t.privacy.min_voters(), "min_commenters": t.privacy.min_commenters(),
        "locale": t.locale.tag(),
        "next_send_at": t.next_send_at.map(|n| n.to_string()),
        "next_send_local": t.next_send_at.map(|n| n.to_zoned_datetime(t.schedule.zone.jiff().clone()).to_string()),
    })
}

pub fn print_team(t: &Team, json: bool) {
    if json {
        println!("{}", team_json(t));
        return;
    }
    println!("Team {} — {}", t.id, t.name);
    println!("  zone       {}", t.schedule.zone);
    println!("  send time  {} on {}", t.schedule.time, t.schedule.workdays);
    println!("  language   {}", t.locale);
    if !t.schedule.quiet.is_empty() {
        println!("  quiet      {}", quiet_text(&t.schedule.quiet));
    }
    println!("  next send  {}", next_send_text(t));
    let admins: Vec<&str> = t.admins.iter().map(|a| a.as_str()).collect();
    println!("  admins     {}", if admins.is_empty() { "(none)".into() } else { admins.join(", ") });
    if let Some(d) = t.digest {
        println!("  digest     weekly, {} {}", d.day_name(), d.time);
    }
    println!(
        "  privacy    a day's figures need {} voters, its comments {}",
        t.privacy.min_voters(),
        t.privacy.min_commenters()
    );
}

pub fn member_json(m: &Member) -> Value {
    json!({
        "team": m.team, "id": m.id, "email": m.email, "name": m.name, "status": m.status.as_str(),
        "status_reason": m.status_reason, "soft_bounces": m.soft_bounces,
        "locale": m.locale.map(|l| l.tag()), "away_until": m.away_until,
    })
}
