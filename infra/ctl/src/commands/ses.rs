//! Would SES send now, and a test email through the daily email's path.

use super::Verdict;
use crate::conn::Conn;
use crate::{Cli, TestEmail};
use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use morale::clock::{Clock, SystemClock};
use morale::domain::{MemberId, SendDate, TeamId};
use morale::mail::{Mailer, SesMailer};
use morale::preflight::{self, Readiness};
use morale::tags;
use serde_json::json;
use std::time::Duration;

pub(super) async fn preflight_cmd(cli: &Cli, conn: &Conn, now: Timestamp, json: bool) -> Result<()> {
    let identity = cli.identity.clone().context("which identity? Give --identity or set MORALE_SENDER_IDENTITY")?;
    let checks = preflight_checks(conn, &identity, cli.configuration_set.as_deref(), now).await;
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
        let failed: Vec<String> = checks.into_iter().filter(|c| !c.1).map(|c| c.2).collect();
        Err(Verdict(format!("SES is not ready to send: {}", failed.join("; "))).into())
    }
}

/// Every preflight check, as (name, passed, detail).
pub(super) async fn preflight_checks(
    conn: &Conn,
    identity: &str,
    configuration_set: Option<&str>,
    now: Timestamp,
) -> Vec<(String, bool, String)> {
    let mailer = SesMailer::new(conn.ses.clone(), "preflight@invalid", None);
    let mut checks: Vec<(String, bool, String)> = Vec::new();
    let verdict = preflight::check(&mailer, conn.store.as_ref(), identity, now).await;
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
    if let Ok(i) = mailer.identity(identity).await {
        if let Some(m) = &i.mail_from {
            checks.push(("MAIL FROM".into(), m.status == "SUCCESS", format!("{}: {}", m.domain, m.status)));
        }
    }
    match configuration_set {
        None => checks.push(("configuration set".into(), false, "not given (--configuration-set or MORALE_CONFIGURATION_SET): without it, no SES events reach the bounce handler".into())),
        Some(cs) => checks.push(match preflight::event_destination(&conn.ses, cs).await {
            Ok(detail) => ("event destination".into(), true, detail),
            Err(detail) => ("event destination".into(), false, detail),
        }),
    }
    checks
}

pub(super) async fn test_email(cli: &Cli, conn: &Conn, t: &TestEmail, json: bool) -> Result<()> {
    let from = t.from.clone().context("which From address? Give --from or set MORALE_FROM_ADDRESS")?;
    let now = SystemClock.now();
    let r = render_daily(conn, &TeamId::parse("test")?, &MemberId::for_email(&t.to), now).await?;
    // Listen before sending, so that no event can be missed.
    let route_name = format!("moralectl-test-{:08x}", rand::random::<u32>());
    let route = morale_localstack::EventRoute::new(&conn.sdk, &route_name, false)
        .await
        .context("listening for SES events on EventBridge (events:PutRule, sqs:CreateQueue)")?;
    let mailer = SesMailer::new(conn.ses.clone(), &from, cli.configuration_set.as_deref());
    let mut email = r.to(t.to.clone(), tags::for_other("test", None));
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

/// The daily email as the sender renders it (its links signed with the stack's keys), for a
/// test: team `team`, the member `member`, today (UTC).
pub(super) async fn render_daily(
    conn: &Conn,
    team: &TeamId,
    member: &MemberId,
    now: Timestamp,
) -> Result<morale::email::RenderedEmail> {
    let keys = if conn.local {
        morale::token::TokenKeys::development()
    } else {
        morale::config::load_token_keys(&conn.sdk).await?
    };
    let api = std::env::var("MORALE_API_BASE_URL").unwrap_or_else(|_| "https://example.invalid".into());
    let renderer = morale::email::EmailRenderer::new(keys, &api);
    Ok(renderer.daily(
        &morale::email::DailyEmail {
            team,
            team_name: "Test",
            member,
            member_name: None,
            date: SendDate::new(now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()),
            // A test email's answers go nowhere: its links still open for two days.
            answers_close: now + jiff::SignedDuration::from_hours(48),
            locale: morale::domain::Locale::En,
            min_voters: morale::domain::Privacy::default().min_voters(),
        },
        now,
    ))
}
