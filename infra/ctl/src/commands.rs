//! What each moralectl command does.

use crate::conn::Conn;
use crate::output::{member_json, next_send_text, print_team, team_json};
use crate::{Cli, Cmd, MemberCmd, OutboxArgs, PauseCmd, SuppressionsCmd, TeamCmd, TestEmail};
use anyhow::{Context, Result, bail};
use jiff::{SignedDuration, Timestamp};
use morale::clock::{Clock, SystemClock};
use morale::domain::{EmailAddress, MemberId, Schedule, SendDate, TeamId};
use morale::insights;
use morale::mail::{Mailer, SesMailer, tags};
use morale::model::{Member, MemberStatus, OutboxStatus, Team, WeeklyDigest};
use morale::preflight::{self, Readiness};
use morale::reputation;
use morale::store::{Store, StoreError};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

/// Preflight found SES not ready: exit status 1, for scripts.
#[derive(Debug, thiserror::Error)]
#[error("SES is not ready to send: {0}")]
pub struct NotReady(pub String);

pub async fn run(cli: Cli) -> Result<()> {
    match &cli.cmd {
        Cmd::Demo => return crate::demo::run(cli.json).await,
        Cmd::Dev { tick_every } => return crate::stack::dev(Duration::from_secs(*tick_every)).await,
        _ => {}
    }
    let conn = Conn::open(&cli).await?;
    let store = conn.store.as_ref();
    let now = SystemClock.now();
    let json = cli.json;
    match &cli.cmd {
        Cmd::Team(TeamCmd::Link { team, admin, api }) => {
            let t = get_team(store, team).await?;
            if !t.admins.contains(admin) {
                bail!(
                    "{admin} is not an admin of {team}: add them with `moralectl team update {team} --admin {admin}` (repeat --admin for every admin)"
                );
            }
            let keys = if conn.local {
                morale::token::TokenKeys::development()
            } else {
                morale::config::load_token_keys(&conn.sdk).await?
            };
            let url =
                morale::email::EmailRenderer::new(keys, api).trend_url(team, admin, t.schedule.local_date(now), now);
            println!("{}", if json { json!({"url": url}).to_string() } else { url });
            Ok(())
        }
        Cmd::Team(c) => team(store, c, now, json).await,
        Cmd::Member(c) => member(store, c, now, json).await,
        Cmd::Preflight => preflight_cmd(&cli, &conn, now, json).await,
        Cmd::TestEmail(t) => test_email(&cli, &conn, t, json).await,
        Cmd::Outbox(a) => outbox(store, a, now, json).await,
        Cmd::Replay { team, date } => replay(store, team, *date, now, json).await,
        Cmd::Suppressions(c) => suppressions(store, c, now, json).await,
        Cmd::Pause(c) => pause(store, c, now, json).await,
        Cmd::Trends { team, days } => trends(store, team, *days, now, json).await,
        Cmd::Schedule { next } => schedule(store, *next, now, json).await,
        Cmd::Demo | Cmd::Dev { .. } => unreachable!(),
    }
}

async fn get_team(store: &dyn Store, id: &TeamId) -> Result<Team> {
    store.get_team(id).await?.with_context(|| format!("there is no team {id}: see `moralectl team list`"))
}

async fn team(store: &dyn Store, c: &TeamCmd, now: Timestamp, json: bool) -> Result<()> {
    match c {
        TeamCmd::Create(c) => {
            let mut t = Team::new(
                c.id.clone(),
                c.name.clone().unwrap_or_else(|| c.id.to_string()),
                Schedule::new(c.zone.clone(), c.time, c.workdays),
                c.admins.clone(),
                now,
            );
            if let Some(d) = &c.digest {
                t.digest = Some(WeeklyDigest::parse(d, c.workdays)?);
            }
            store.create_team(&t).await.with_context(|| format!("could not create team {}", t.id))?;
            print_team(&t, json);
        }
        TeamCmd::List => {
            let teams = store.list_teams().await?;
            if json {
                println!("{}", serde_json::Value::Array(teams.iter().map(team_json).collect()));
            } else if teams.is_empty() {
                println!("No teams yet. Create one with: moralectl team create <id> --zone <IANA zone>");
            } else {
                for t in &teams {
                    println!("{:<24} {:<28} next send {}", t.id, t.name, next_send_text(t));
                }
            }
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
            if schedule != t.schedule {
                t.schedule = schedule;
                // The next send follows the new schedule. A day already sent is not sent again:
                // the outbox holds one email per member and day.
                if !t.is_paused() {
                    t.next_send_at = Some(t.schedule.next_send_after(now));
                }
            }
            let t = store.update_team(&t).await?;
            print_team(&t, json);
        }
        TeamCmd::Pause { team, resume } => {
            let mut t = get_team(store, team).await?;
            t.next_send_at = if *resume { Some(t.schedule.next_send_after(now)) } else { None };
            let t = store.update_team(&t).await?;
            print_team(&t, json);
        }
        TeamCmd::Link { .. } => unreachable!("handled before"),
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

async fn set_status(
    store: &dyn Store,
    team: &TeamId,
    email: &EmailAddress,
    from: &[MemberStatus],
    to: MemberStatus,
    reason: &str,
    now: Timestamp,
) -> Result<Member> {
    let id = MemberId::for_email(email);
    match store.set_member_status(team, &id, from, to, reason, now).await {
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

async fn member(store: &dyn Store, c: &MemberCmd, now: Timestamp, json: bool) -> Result<()> {
    match c {
        MemberCmd::Add { team, email, name } => {
            get_team(store, team).await.map_err(|_| {
                anyhow::anyhow!(
                    "there is no team {team}: create it first with `moralectl team create {team} --zone <IANA zone>`"
                )
            })?;
            let m = Member::new(team.clone(), email.clone(), name.clone(), now);
            store.add_member(&m).await?;
            if json {
                println!("{}", member_json(&m));
            } else {
                println!("Added {} to {} (member id {})", m.email, m.team, m.id);
            }
        }
        MemberCmd::Import { team, file } => {
            get_team(store, team).await?;
            let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows =
                crate::csv_import::parse(&text).map_err(|bad| anyhow::anyhow!(crate::csv_import::report(&bad)))?;
            let progress = !json && rows.len() > 50 && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let n = crate::csv_import::import(store, team, rows, now, progress).await?;
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
                for m in &members {
                    let reason = m.status_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
                    println!("{:<22} {:<40} {}{reason}", m.id, m.email, m.status);
                }
                println!("{} member(s)", members.len());
            }
        }
        MemberCmd::Pause { team, email } => {
            let m = set_status(
                store,
                team,
                email,
                &[MemberStatus::Active],
                MemberStatus::Paused,
                "paused by an operator",
                now,
            )
            .await?;
            println!("{}", if json { member_json(&m).to_string() } else { format!("Paused {email}") });
        }
        MemberCmd::Resume { team, email } => {
            let m = set_status(
                store,
                team,
                email,
                &[MemberStatus::Paused],
                MemberStatus::Active,
                "resumed by an operator",
                now,
            )
            .await?;
            println!("{}", if json { member_json(&m).to_string() } else { format!("Resumed {email}") });
        }
        MemberCmd::Remove { team, email } => {
            match store.remove_member(team, &MemberId::for_email(email)).await {
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

async fn preflight_cmd(cli: &Cli, conn: &Conn, now: Timestamp, json: bool) -> Result<()> {
    let identity = cli.identity.clone().context("which identity? Give --identity or set MORALE_SENDER_IDENTITY")?;
    let mailer = SesMailer::new(conn.ses.clone(), "preflight@invalid", None);
    let mut checks: Vec<(String, bool, String)> = Vec::new();
    let verdict = preflight::check(&mailer, conn.store.as_ref(), &identity, now).await;
    match &verdict {
        Readiness::Ready { max_send_rate } => checks.push((
            "sending".into(),
            true,
            format!("ready: identity verified with DKIM, account sending, {max_send_rate}/s"),
        )),
        Readiness::NotReady { problem, advice } => {
            checks.push(("sending".into(), false, format!("{problem} — {advice}")))
        }
    }
    if let Ok(a) = mailer.account().await {
        checks.push((
            "quota".into(),
            a.sent_last_24_hours < a.max_24_hour_send,
            format!(
                "{} of {} sent in the last 24 hours, {}/s",
                a.sent_last_24_hours, a.max_24_hour_send, a.max_send_rate
            ),
        ));
        checks.push((
            "production access".into(),
            a.production_access,
            if a.production_access {
                "yes".into()
            } else {
                "no: the account is in the SES sandbox and can only send to verified addresses".into()
            },
        ));
    }
    if let Ok(i) = mailer.identity(&identity).await {
        if let Some(d) = &i.mail_from_domain {
            let st = i.mail_from_status.clone().unwrap_or_default();
            checks.push(("MAIL FROM".into(), st == "SUCCESS", format!("{d}: {st}")));
        }
    }
    match &cli.configuration_set {
        None => checks.push(("configuration set".into(), false, "not given (--configuration-set or MORALE_CONFIGURATION_SET): without it, no SES events reach the bounce handler".into())),
        Some(cs) => match conn.ses.get_configuration_set_event_destinations().configuration_set_name(cs).send().await {
            Err(e) => checks.push(("configuration set".into(), false, format!("{cs}: {}", aws_sdk_sesv2::error::DisplayErrorContext(e)))),
            Ok(out) => {
                let needed = ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "DELIVERY_DELAY", "REJECT"];
                let ok = out.event_destinations.unwrap_or_default().iter().any(|d| {
                    d.enabled
                        && d.event_bridge_destination.is_some()
                        && needed.iter().all(|n| d.matching_event_types.iter().any(|t| t.as_str() == *n))
                });
                checks.push((
                    "event destination".into(),
                    ok,
                    if ok { format!("{cs} publishes every needed event to EventBridge") } else { format!("{cs} has no enabled EventBridge destination for {}", needed.join(", ")) },
                ));
            }
        },
    }
    let ready = checks.iter().all(|(_, ok, _)| *ok);
    if json {
        let list: Vec<_> = checks.iter().map(|(n, ok, d)| json!({"check": n, "ok": ok, "detail": d})).collect();
        println!("{}", json!({"identity": identity, "ready": ready, "checks": list}));
    } else {
        for (name, ok, detail) in &checks {
            println!("{} {name:<18} {detail}", if *ok { "ok  " } else { "FAIL" });
        }
    }
    if ready {
        Ok(())
    } else {
        Err(NotReady(checks.into_iter().filter(|c| !c.1).map(|c| c.2).collect::<Vec<_>>().join("; ")).into())
    }
}

async fn test_email(cli: &Cli, conn: &Conn, t: &TestEmail, json: bool) -> Result<()> {
    let from = t.from.clone().context("which From address? Give --from or set MORALE_FROM_ADDRESS")?;
    let keys = if conn.local {
        morale::token::TokenKeys::development()
    } else {
        morale::config::load_token_keys(&conn.sdk).await?
    };
    let api = std::env::var("MORALE_API_BASE_URL").unwrap_or_else(|_| "https://example.invalid".into());
    let renderer = morale::email::EmailRenderer::new(keys, &api);
    let now = SystemClock.now();
    let team = TeamId::parse("test")?;
    let member = MemberId::for_email(&t.to);
    let r = renderer.daily(
        &morale::email::DailyEmail {
            team: &team,
            team_name: "Test",
            member: &member,
            member_name: None,
            date: SendDate::new(now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()),
        },
        now,
    );
    // Listen before sending, so that no event can be missed.
    let route_name = format!("moralectl-test-{:08x}", rand::random::<u32>());
    let route = morale_localstack::EventRoute::new(&conn.sdk, &route_name, false)
        .await
        .context("listening for SES events on EventBridge (events:PutRule, sqs:CreateQueue)")?;
    let mailer = SesMailer::new(conn.ses.clone(), &from, cli.configuration_set.as_deref());
    let mut email = r.to(t.to.clone(), vec![(tags::KIND.into(), "test".into())]);
    email.subject = format!("[test] {}", email.subject);
    let sent = mailer.send(&email).await;
    let message_id = match sent {
        Ok(id) => id,
        Err(e) => {
            let _ = route.delete().await;
            bail!("SES refused the test email: {e}. Run `moralectl preflight` to see why.");
        }
    };
    eprintln!("sent, message id {message_id}; waiting up to {} s for SES's verdict…", t.timeout);
    let deadline = std::time::Instant::now() + Duration::from_secs(t.timeout);
    let mut verdict: Option<String> = None;
    let mut seen = Vec::new();
    while std::time::Instant::now() < deadline && verdict.is_none() {
        for e in route.take().await? {
            if e["detail"]["mail"]["messageId"] != message_id.as_str() {
                continue;
            }
            let et = e["detail"]["eventType"].as_str().unwrap_or("?").to_string();
            seen.push(et.clone());
            verdict = match et.as_str() {
                "Delivery" if !seen.contains(&"Complaint".to_string()) => Some("delivered".into()),
                "Bounce" => Some(format!(
                    "bounced ({} {})",
                    e["detail"]["bounce"]["bounceType"].as_str().unwrap_or(""),
                    e["detail"]["bounce"]["bounceSubType"].as_str().unwrap_or("")
                )),
                "Complaint" => Some("complained".into()),
                "Reject" => Some("rejected".into()),
                _ => verdict,
            };
        }
        if verdict.is_none() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let _ = route.delete().await;
    let verdict = verdict.unwrap_or_else(|| {
        format!(
            "no event within {} s (seen: {})",
            t.timeout,
            if seen.is_empty() { "none".into() } else { seen.join(", ") }
        )
    });
    if json {
        println!("{}", json!({"to": t.to, "message_id": message_id, "result": verdict, "events": seen}));
    } else {
        println!("{} → {verdict}", t.to);
    }
    if verdict == "delivered" { Ok(()) } else { bail!("the test email was not delivered: {verdict}") }
}

async fn teams_of(store: &dyn Store, team: &Option<TeamId>) -> Result<Vec<Team>> {
    Ok(match team {
        Some(t) => vec![get_team(store, t).await?],
        None => store.list_teams().await?,
    })
}

async fn outbox(store: &dyn Store, a: &OutboxArgs, now: Timestamp, json: bool) -> Result<()> {
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

async fn replay(store: &dyn Store, team: &TeamId, date: SendDate, now: Timestamp, json: bool) -> Result<()> {
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
                if store.requeue_failed(&i.key, now, deadline).await? {
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

async fn suppressions(store: &dyn Store, c: &SuppressionsCmd, now: Timestamp, json: bool) -> Result<()> {
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
            if json {
                println!("{}", serde_json::Value::Array(list.iter().map(member_json).collect()));
            } else if list.is_empty() {
                println!("No bounced or complaining members.");
            } else {
                for m in &list {
                    println!(
                        "{:<20} {:<40} {:<11} {}",
                        m.team,
                        m.email,
                        m.status,
                        m.status_reason.as_deref().unwrap_or("")
                    );
                }
            }
        }
        SuppressionsCmd::Remove { team, email, they_asked_for_it } => {
            let mut from = vec![MemberStatus::Bounced];
            if *they_asked_for_it {
                from.push(MemberStatus::Complained);
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
                    let id = MemberId::for_email(email);
                    if store.get_member(team, &id).await?.is_some_and(|m| m.status == MemberStatus::Complained) {
                        bail!(
                            "{email} complained about the email (reported it as spam). Email them again only if they asked: add --they-asked-for-it"
                        );
                    }
                    return Err(e);
                }
            };
            store.reset_soft_bounces(team, &m.id, now).await?;
            println!(
                "{}",
                if json { member_json(&m).to_string() } else { format!("{email} will get {team}'s email again") }
            );
        }
    }
    Ok(())
}

async fn pause(store: &dyn Store, c: &PauseCmd, now: Timestamp, json: bool) -> Result<()> {
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

async fn trends(store: &dyn Store, team: &TeamId, days: u16, now: Timestamp, json: bool) -> Result<()> {
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

async fn schedule(store: &dyn Store, days: u16, now: Timestamp, json: bool) -> Result<()> {
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
