//! `make demo`: the whole system on one machine, end to end, then stops. The report is read
//! back from the store, and checked against what ses-local accepted.

use crate::stack::LocalStack;
use anyhow::{Result, bail};
use morale::clock::{Clock, SystemClock};
use morale::domain::{Ledger, MemberStatus, OutboxStatus};
use morale::store::prelude::*;
use morale_localstack::http::http;
use serde_json::json;
use std::time::Duration;

/// Members who answer in the demo, and what they answer.
const ANSWERS: &[(&str, u8)] =
    &[("ana@example.com", 4), ("bob@example.com", 5), ("chen@example.com", 3), ("dana@example.com", 4)];

pub async fn run(json_out: bool) -> Result<()> {
    let say = |s: &str| {
        if !json_out {
            println!("{s}");
        }
    };
    say("==> starting the local stack (DynamoDB Local, moto, ses-local) and the three functions as Lambda runs them");
    let stack = LocalStack::start().await?;
    say("==> seeding the demo team (members include SES's bounce@, complaint@ and ooto@ simulator addresses)");
    let team = stack.seed().await?;
    say("==> a tick of the sender: preflight, due teams, outbox drain");
    let tick = stack.tick().await?;
    if tick.preflight != "ok" {
        bail!("the local preflight failed: {}", tick.preflight);
    }
    say("==> SES events through EventBridge to the bounce handler");
    // Send for each; Delivery for all but bounce@; Bounce; Complaint.
    let n = crate::stack::MEMBERS.len();
    let expected = n + (n - 1) + 1 + 1;
    let handled = stack.pump_events(expected, Duration::from_secs(10)).await?;
    say("==> answering through the response API, as a person does (open the link, tap Send)");
    let mut answered = 0;
    for &(to, score) in ANSWERS {
        let msg = stack.ses.app().messages().into_iter().find(|m| m.to.iter().any(|t| t == to));
        let Some(msg) = msg else { bail!("no email reached {to}") };
        let label = morale::domain::Score::new(score)?.label();
        // The text part lists the answers as `Label: <link>`.
        let text = msg.text.clone().unwrap_or_default();
        let link = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix(label)?.strip_prefix(": "))
            .next()
            .ok_or_else(|| anyhow::anyhow!("no answer link for {label} in the email to {to}"))?;
        let path = link.trim().trim_start_matches(&stack.api_url).to_string();
        let form = "application/x-www-form-urlencoded";
        let page = http(&stack.api_url, "GET", &path, "text/html", "").await;
        if page.status != 200 {
            bail!("GET the answer page: {}", page.status);
        }
        // The page's form: its hidden token, the answer chosen, "Send my answer".
        let token = page
            .body
            .split("name=\"t\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| anyhow::anyhow!("the answer page has no form"))?;
        let post = http(&stack.api_url, "POST", "/r", form, &format!("t={token}&s={score}")).await;
        if post.status != 200 || !post.body.contains("Thank you") {
            bail!("POST /r: {}", post.status);
        }
        answered += 1;
    }

    // The report, from the store.
    // The day the seeded team was due (not today's date now: the demo may cross midnight).
    let date = team.schedule.local_date(team.next_send_at.unwrap_or_else(|| SystemClock.now()));
    let items = stack.store.list_outbox(&team.id, Some(date)).await?;
    let count = |s: OutboxStatus| items.iter().filter(|i| i.status == s).count();
    let members = stack.store.list_members(&team.id).await?;
    let with = |s: MemberStatus| members.iter().filter(|m| m.status == s).count();
    let responses = stack.store.list_responses(&team.id, date, date).await?;
    // After the tick: today's send is done, the next one is the next workday's.
    let Some(team) = stack.store.get_team(&team.id).await? else { bail!("the demo team is gone from the table") };
    let sent_total = items.iter().filter(|i| i.attempts > 0).count();
    let Some(planned) = stack.store.get_day(&team.id, date).await? else {
        bail!("the demo team's day was not recorded")
    };
    let ledger = planned.closed.unwrap_or_else(|| Ledger::so_far(&planned.plan, &items));
    let accepted = stack
        .ses
        .app()
        .messages()
        .iter()
        .filter(|m| m.tags.iter().any(|(k, v)| k == "morale-team" && v == "demo"))
        .count();
    if accepted != sent_total || answered != responses.len() {
        bail!(
            "the report does not match: SES accepted {accepted}, the outbox says {sent_total} sent; {answered} answered, {} stored",
            responses.len()
        );
    }
    let report = json!({
        "team": team.id,
        "date": date,
        "members": members.len(),
        "sent": sent_total,
        "delivered": count(OutboxStatus::Delivered),
        "bounced": with(MemberStatus::Bounced),
        "complained": with(MemberStatus::Complained),
        "failed": count(OutboxStatus::Failed),
        "ledger": ledger.line(),
        "ses_events_handled": handled,
        "responses": responses.len(),
        // No figure for an open day, not even here: the day's are fixed when its answers close.
        "answers_close": team.schedule.answers_close(date).to_string(),
        "zone": team.schedule.zone,
        "send_time": team.schedule.time,
        "next_send_at": team.next_send_at.map(|n| n.to_string()),
        "next_send_local": team.next_send_at.map(|n| n.to_zoned_datetime(team.schedule.zone.jiff().clone()).to_string()),
        "inbox": stack.inbox_url(),
    });
    if json_out {
        println!("{report}");
    } else {
        println!();
        println!("Morale demo — team {} ({}), {date}", team.id, team.name);
        println!(
            "  schedule           {} {} in {}; next send {}",
            team.schedule.workdays,
            team.schedule.time,
            team.schedule.zone,
            crate::output::next_send_text(&team)
        );
        println!("  members            {}", members.len());
        println!("  emails sent        {sent_total} (ses-local accepted {accepted})");
        println!("  delivered          {}", count(OutboxStatus::Delivered));
        println!(
            "  bounced            {} member(s) — suppressed, their email failed with its reason",
            with(MemberStatus::Bounced)
        );
        println!("  complained         {} member(s) — never emailed again", with(MemberStatus::Complained));
        println!("  the day so far     {}", ledger.line());
        println!("  SES events handled {handled}");
        println!("  responses          {}", responses.len());
        println!(
            "  the day's figures  fixed when its answers close, {} (then `moralectl trends` shows them)",
            team.schedule
                .answers_close(date)
                .to_zoned_datetime(team.schedule.zone.jiff().clone())
                .strftime("%a %-d %b %H:%M %Z")
        );
        println!();
        println!("The inbox page was {} — it is gone now that the demo stopped.", stack.inbox_url());
        println!("Run `make dev` to keep the stack up, open the inbox in a browser and click the answers.");
        println!("==> stopping the local stack");
    }
    drop(stack);
    Ok(())
}
