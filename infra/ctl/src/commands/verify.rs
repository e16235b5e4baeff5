//! `moralectl verify`: after a deploy, every link of the chain, each named when it breaks — the
//! lesson of the outage Morale exists to prevent (send a test email, and be told at once).
//!
//! 1. preflight: SES would send (identity, DKIM, account, quota, the configuration set's
//!    event destination);
//! 2. the daily email's path: an outbox item of the reserved team `morale-verify`, claimed, sent
//!    as the daily email to SES's mailbox simulator and marked sent, exactly as the sender does;
//! 3. its events: SES's Delivery comes back through EventBridge, the stack's rule and the
//!    bounce handler into the table (a listener of its own on EventBridge says which side broke);
//! 4. the alert path: the topic has a confirmed subscriber, an alert published as the functions
//!    publish reaches it, and (on AWS) an alarm set to ALARM by hand notifies through it — the
//!    path a topic encrypted with a key CloudWatch cannot use breaks.

use super::ses::{preflight_checks, render_daily};
use crate::conn::Conn;
use crate::{Cli, VerifyArgs};
use anyhow::{Context, Result};
use jiff::SignedDuration;
use morale::alert::{Alert, Alerter, SnsAlerter};
use morale::clock::{Clock, SystemClock};
use morale::domain::outbox::{Change, Unsent};
use morale::domain::{EmailAddress, MemberId, OutboxItem, OutboxKey, OutboxStatus, SendDate, TeamId};
use morale::mail::{Mailer, SesMailer};
use morale::store::prelude::*;
use morale::tags;
use morale_localstack::EventRoute;
use morale_localstack::route::TopicInbox;
use serde_json::json;
use std::time::{Duration, Instant};

/// The team verify's emails are filed under: no real team may take this id.
pub const VERIFY_TEAM: &str = "morale-verify";
/// How the stack's verify alarm is named (`${AWS::StackName}-verify-alarm-path`).
const VERIFY_ALARM_SUFFIX: &str = "-verify-alarm-path";
/// The local stack's alert topic (`make dev`).
const LOCAL_TOPIC: &str = "morale-alerts";

/// One link of the chain and whether it held.
struct Link {
    name: &'static str,
    ok: bool,
    detail: String,
}

fn link(name: &'static str, ok: bool, detail: impl Into<String>) -> Link {
    Link { name, ok, detail: detail.into() }
}

pub(super) async fn verify(cli: &Cli, conn: &Conn, v: &VerifyArgs, json: bool) -> Result<()> {
    let local = |value: &Option<String>, default: &str| value.clone().or_else(|| conn.local.then(|| default.into()));
    let identity = local(&cli.identity, crate::stack::IDENTITY)
        .context("which identity? Give --identity or set MORALE_SENDER_IDENTITY")?;
    let from =
        local(&v.from, crate::stack::FROM).context("which From address? Give --from or set MORALE_FROM_ADDRESS")?;
    let configuration_set = local(&cli.configuration_set, crate::stack::CONFIGURATION_SET);
    let timeout = Duration::from_secs(v.timeout);
    let mut links = Vec::new();

    let checks = preflight_checks(conn, &identity, configuration_set.as_deref(), SystemClock.now()).await;
    let failed: Vec<String> = checks.iter().filter(|c| !c.1).map(|c| format!("{}: {}", c.0, c.2)).collect();
    links.push(if failed.is_empty() {
        link("preflight", true, format!("SES can send as {identity}"))
    } else {
        link("preflight", false, failed.join("; "))
    });
    if failed.is_empty() {
        match email_path(conn, &from, configuration_set.as_deref(), timeout).await {
            Ok(l) => links.extend(l),
            Err(e) => links.push(link("test email", false, format!("{e:#}"))),
        }
    } else {
        links.push(link("test email", false, "not sent: preflight failed"));
    }
    links.extend(alert_path(conn, v, timeout).await);

    if json {
        let list: Vec<_> = links.iter().map(|l| json!({"link": l.name, "ok": l.ok, "detail": l.detail})).collect();
        println!("{}", json!({"ok": links.iter().all(|l| l.ok), "links": list}));
    } else {
        for l in &links {
            println!("{} {:<20} {}", if l.ok { "ok  " } else { "FAIL" }, l.name, l.detail);
        }
    }
    match links.iter().find(|l| !l.ok) {
        Some(l) => Err(super::Verdict(format!("verify failed at {}: {}", l.name, l.detail)).into()),
        None => Ok(()),
    }
}

/// The daily email's path to SES's mailbox simulator, and its Delivery back into the table.
/// The temporary listener is removed however it ends.
async fn email_path(conn: &Conn, from: &str, configuration_set: Option<&str>, timeout: Duration) -> Result<Vec<Link>> {
    let run = format!("{:08x}", rand::random::<u32>());
    // Listen before sending, so that no event can be missed.
    let listener = EventRoute::new(&conn.sdk, &format!("moralectl-verify-{run}"), false)
        .await
        .context("listening for SES events on EventBridge (events:PutRule, sqs:CreateQueue)")?;
    let result = send_and_wait(conn, &listener, &run, from, configuration_set, timeout).await;
    if let Err(e) = listener.delete().await {
        eprintln!("warning: the temporary rule and queue moralectl-verify-{run} could not be removed: {e:#}");
    }
    result
}

async fn send_and_wait(
    conn: &Conn,
    listener: &EventRoute,
    run: &str,
    from: &str,
    configuration_set: Option<&str>,
    timeout: Duration,
) -> Result<Vec<Link>> {
    let now = SystemClock.now();
    let to = EmailAddress::parse(&format!("success+verify-{run}@simulator.amazonses.com"))?;
    let key = OutboxKey {
        team: TeamId::parse(VERIFY_TEAM)?,
        date: SendDate::new(now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()),
        member: MemberId::for_email(&to),
    };
    let owner = format!("moralectl-verify-{run}");
    let item = OutboxItem::new(key.clone(), to.clone(), now, now + SignedDuration::from_hours(1), now);
    conn.store.enqueue(&item).await.context("the table: queueing the test email")?;
    let claimed = conn
        .store
        .claim(&key, &owner, now, now + SignedDuration::from_mins(5))
        .await?
        .context("claiming the test email (a sender took it first: run verify again)")?;
    let email = render_daily(conn, &key.team, &key.member, now).await?.to(to, tags::for_outbox(&claimed));
    let mailer = SesMailer::new(conn.ses.clone(), from, configuration_set);
    let message_id = match mailer.send(&email).await {
        Ok(id) => id,
        Err(e) => {
            let reason = morale::domain::Failure::Refused.reason(&e);
            conn.store.finish_unsent(&key, &owner, Unsent::Failed, &reason, SystemClock.now()).await?;
            return Ok(vec![link("test email", false, format!("SES refused the daily email: {e}"))]);
        }
    };
    conn.store.mark_sent(&key, &owner, &message_id, SystemClock.now()).await?;
    let mut links = vec![link("test email", true, format!("SES accepted the daily email to {}", item.email))];

    let started = Instant::now();
    let mut published = Vec::new();
    let mut recorded = None;
    while started.elapsed() < timeout {
        for e in listener.take().await.unwrap_or_default() {
            if e["detail"]["mail"]["messageId"] == message_id.as_str() {
                published.push(e["detail"]["eventType"].as_str().unwrap_or("?").to_string());
            }
        }
        let status = conn.store.get_outbox(&key).await?.map(|i| i.status);
        if status.is_some_and(|s| s != OutboxStatus::Sent) {
            recorded = status;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let secs = started.elapsed().as_secs();
    if recorded != Some(OutboxStatus::Delivered) {
        // Settled here, so that reconciliation does not page on-call about it hours later: this
        // run reports it now.
        let why = "moralectl verify: its delivery was not recorded in time (verify reported it)";
        let fail = Change::Fail { reason: why, message_id: &message_id, attempt: claimed.attempts + 1 };
        let _ = conn.store.change(&key, &fail, SystemClock.now()).await;
    }
    links.push(match recorded {
        Some(OutboxStatus::Delivered) => link(
            "events",
            true,
            format!("its Delivery came back through EventBridge and the bounce handler into the table in {secs} s"),
        ),
        Some(other) => link("events", false, format!("the bounce handler recorded it as {other}, not delivered")),
        None if published.iter().any(|t| t == "Delivery") => link(
            "events",
            false,
            format!(
                "SES published its Delivery to EventBridge, but nothing recorded it in the table within {secs} s: \
                 the SES events rule, its target (the bounce handler) or the handler is broken"
            ),
        ),
        None => link(
            "events",
            false,
            format!(
                "SES published no Delivery for it within {secs} s (seen: {}): check the configuration set's \
                 event destination (moralectl preflight)",
                if published.is_empty() { "nothing".into() } else { published.join(", ") }
            ),
        ),
    });
    Ok(links)
}

/// The alert topic: confirmed subscribers, an alert as the functions publish it, an alarm's
/// notification (on AWS).
async fn alert_path(conn: &Conn, v: &VerifyArgs, timeout: Duration) -> Vec<Link> {
    let sns = aws_sdk_sns::Client::new(&conn.sdk);
    let topic = match (&v.alert_topic, conn.local) {
        (Some(t), _) => t.clone(),
        (None, true) => match find_topic(&sns, LOCAL_TOPIC).await {
            Some(t) => t,
            None => return vec![link("alert topic", false, format!("no topic {LOCAL_TOPIC} on the local stack"))],
        },
        (None, false) => {
            return vec![link(
                "alert topic",
                false,
                "which topic? Give --alert-topic or set MORALE_ALERT_TOPIC (the AlertTopicArn output)",
            )];
        }
    };
    let mut links = Vec::new();
    // Those who would hear, counted before verify subscribes a listener of its own.
    links.push(match morale::alert::subscribers(&sns, &topic).await.and_then(morale::alert::subscribers_text) {
        Ok(detail) => link("alert subscribers", true, detail),
        Err(detail) => link("alert subscribers", false, detail),
    });
    let listener = match TopicInbox::subscribe(
        &conn.sdk,
        &topic,
        &format!("moralectl-verify-{:08x}", rand::random::<u32>()),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => {
            links.push(link("alert topic", false, format!("could not listen on {topic}: {e:#}")));
            return links;
        }
    };
    let run = format!("verify run {:08x}", rand::random::<u32>());
    let alert = Alert {
        subject: "Morale: verify - a test of the alert path".into(),
        message: format!(
            "moralectl verify published this at {} to check that alerts reach on-call ({run}). Nothing is wrong.",
            SystemClock.now().strftime("%F %T UTC")
        ),
    };
    // Published again every ten seconds until heard: a new subscription's queue policy may take
    // a while to apply, and SNS drops what it could not deliver meanwhile.
    let alerter = SnsAlerter::new(sns.clone(), &topic);
    let started = Instant::now();
    let mut heard = Err("not published".to_string());
    while heard.is_err() && started.elapsed() < timeout {
        let wait = Duration::from_secs(10).min(timeout);
        heard = match alerter.alert(&alert).await {
            Err(e) => Err(format!("publishing to {topic} failed: {e}")),
            Ok(()) if wait_for(&listener, |_, m| m.contains(&run), wait).await => Ok(()),
            Ok(()) => Err(format!("an alert was published and did not arrive within {} s", timeout.as_secs())),
        };
    }
    links.push(match heard {
        Ok(()) => link("alerts", true, "an alert published as the functions publish reached the topic's subscribers"),
        Err(e) => link("alerts", false, e),
    });
    if let Some(alarm) = v.alarm.as_ref().filter(|a| !a.ends_with(VERIFY_ALARM_SUFFIX)) {
        links.push(link(
            "alarm notifications",
            false,
            format!("{alarm} is not the stack's verify alarm (…{VERIFY_ALARM_SUFFIX}): verify sets no other alarm"),
        ));
    } else if let Some(alarm) = &v.alarm {
        links.push(alarm_path(conn, alarm, &listener, timeout).await);
    } else if !conn.local {
        links.push(link(
            "alarm notifications",
            false,
            "which alarm? Give --alarm or set MORALE_VERIFY_ALARM (the VerifyAlarmName output)",
        ));
    }
    let _ = listener.delete().await;
    links
}

/// Sets the stack's verify alarm to ALARM by hand and waits for CloudWatch's notification on
/// the topic; then sets it back.
async fn alarm_path(conn: &Conn, alarm: &str, listener: &TopicInbox, timeout: Duration) -> Link {
    let cw = aws_sdk_cloudwatch::Client::new(&conn.sdk);
    let set = |state: aws_sdk_cloudwatch::types::StateValue| {
        cw.set_alarm_state()
            .alarm_name(alarm)
            .state_value(state)
            .state_reason("moralectl verify: a test of the alarm path")
            .send()
    };
    // CloudWatch notifies on a change of state only: from OK, whatever it was left in.
    let _ = set(aws_sdk_cloudwatch::types::StateValue::Ok).await;
    if let Err(e) = set(aws_sdk_cloudwatch::types::StateValue::Alarm).await {
        return link(
            "alarm notifications",
            false,
            format!("could not set {alarm} to ALARM: {}", aws_sdk_cloudwatch::error::DisplayErrorContext(e)),
        );
    }
    let heard = wait_for(listener, |s, m| s.contains(alarm) || m.contains(alarm), timeout).await;
    let _ = set(aws_sdk_cloudwatch::types::StateValue::Ok).await;
    if heard {
        link("alarm notifications", true, format!("{alarm}, set to ALARM, notified the topic's subscribers"))
    } else {
        link(
            "alarm notifications",
            false,
            format!(
                "{alarm} was set to ALARM and no notification arrived within {} s: CloudWatch cannot publish to the \
                 topic (its key's policy must let cloudwatch.amazonaws.com use it; see the alarm's history)",
                timeout.as_secs()
            ),
        )
    }
}

/// Whether a message matching `f(subject, message)` arrives within `timeout`.
async fn wait_for(listener: &TopicInbox, f: impl Fn(&str, &str) -> bool, timeout: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if listener.take().await.unwrap_or_default().iter().any(|(s, m)| f(s, m)) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    false
}

async fn find_topic(sns: &aws_sdk_sns::Client, name: &str) -> Option<String> {
    let topics = sns.list_topics().send().await.ok()?.topics.unwrap_or_default();
    topics.into_iter().filter_map(|t| t.topic_arn).find(|a| a.rsplit(':').next() == Some(name))
}
