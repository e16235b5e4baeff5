//! moralectl against the local stack: bad input is rejected with a message naming the bad
//! value, and nothing is stored.

use morale::domain::TeamId;
use morale::store::prelude::*;
use morale_tests::{TestTable, dynamodb_url, moto_url};
use std::process::{Command, Output};

fn ctl(table: &TestTable, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moralectl"))
        .args(["--local", "--endpoint", &moto_url(), "--dynamodb-endpoint", &dynamodb_url(), "--table", &table.name])
        .args(args)
        .output()
        .expect("run moralectl")
}

/// moralectl's standard output, once it has succeeded.
fn ctl_ok(table: &TestTable, args: &[&str]) -> String {
    let out = ctl(table, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test]
async fn bad_input_is_rejected_naming_the_value_and_nothing_is_stored() {
    let table = TestTable::new().await;
    let cases: &[(&[&str], &str)] = &[
        (&["team", "create", "Bad Team", "--zone", "Europe/London"], "Bad Team"),
        (&["team", "create", "ok", "--zone", "Mars/Olympus_Mons"], "Mars/Olympus_Mons"),
        (&["team", "create", "ok", "--zone", "Europe/London", "--time", "25:00"], "25:00"),
        // Too late for the sender to run before local midnight.
        (&["team", "create", "ok", "--zone", "Europe/London", "--time", "23:58"], "choose 23:45 or earlier"),
        (&["team", "create", "ok", "--zone", "Europe/London", "--workdays", ""], "workdays"),
        (&["team", "create", "ok", "--zone", "Europe/London", "--workdays", "funday"], "funday"),
        (&["team", "create", "ok", "--zone", "Europe/London", "--admin", "lead@"], "lead@"),
    ];
    for (args, named) in cases {
        let out = ctl(&table, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr.contains(named), "{args:?}: the error should name {named:?}: {stderr}");
    }
    assert!(table.store.list_teams().await.unwrap().is_empty(), "nothing stored");

    let ok = ctl(&table, &["team", "create", "ok", "--zone", "Europe/London", "--time", "09:30"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let out = ctl(&table, &["member", "add", "ok", "not-an-address"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-an-address"));
    let out = ctl(&table, &["member", "add", "nosuchteam", "ana@example.com"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no team nosuchteam"));
    let team = TeamId::parse("ok").unwrap();
    assert!(table.store.list_members(&team).await.unwrap().is_empty(), "no member stored");
    let late = ctl(&table, &["team", "update", "ok", "--time", "23:59"]);
    assert!(!late.status.success());
    assert!(String::from_utf8_lossy(&late.stderr).contains("choose 23:45 or earlier"));
    let stored = table.store.get_team(&team).await.unwrap().unwrap();
    assert_eq!(stored.schedule.time.as_str(), "09:30", "unchanged");
    // Adding the same member twice: the second is refused, the first kept.
    assert!(ctl(&table, &["member", "add", "ok", "ana@example.com"]).status.success());
    let again = ctl(&table, &["member", "add", "ok", "ANA@example.com"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(table.store.list_members(&team).await.unwrap().len(), 1);
    // A name that would greet nobody, or overflow every email's greeting.
    let long = "n".repeat(101);
    for name in ["", "  ", long.as_str(), "Ana\nBob"] {
        let out = ctl(&table, &["member", "add", "ok", "bob@example.com", "--name", name]);
        assert!(!out.status.success(), "{name:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("name"), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(table.store.list_members(&team).await.unwrap().len(), 1, "no member stored");
    // New workdays that drop the digest's day: refused, unless the digest moves too.
    ctl_ok(&table, &["team", "update", "ok", "--digest", "fri 09:00"]);
    let out = ctl(&table, &["team", "update", "ok", "--workdays", "mon-thu"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--digest off"), "{}", String::from_utf8_lossy(&out.stderr));
    let stored = table.store.get_team(&team).await.unwrap().unwrap();
    assert_eq!(stored.schedule.workdays.as_str(), "mon-fri", "unchanged");
    ctl_ok(&table, &["team", "update", "ok", "--workdays", "mon-thu", "--digest", "thu 09:00"]);
    // Resuming a team that is not paused would skip what is left of today's send.
    let before = table.store.get_team(&team).await.unwrap().unwrap().next_send_at;
    let out = ctl(&table, &["team", "pause", "ok", "--resume"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not paused"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(table.store.get_team(&team).await.unwrap().unwrap().next_send_at, before, "unchanged");
}

fn ctl_with(table: &TestTable, ses: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moralectl"))
        .args(["--local", "--endpoint", &moto_url(), "--dynamodb-endpoint", &dynamodb_url()])
        .args(["--ses-endpoint", ses, "--table", &table.name])
        .args(args)
        .output()
        .expect("run moralectl")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_import_reports_every_bad_row_and_imports_nothing() {
    let table = TestTable::new().await;
    assert!(ctl(&table, &["team", "create", "imp", "--zone", "Europe/London"]).status.success());
    let dir = std::env::temp_dir().join(format!("morale-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "email,name\nana@example.com,Ana\nnot-an-address,Bob\nchen@example.com,Chen\nana@example.com,Ana twice\n,\n\"dana@example\",Dana\n").unwrap();
    let out = ctl(&table, &["member", "import", "imp", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("nothing was imported"), "{err}");
    for line in ["line 3:", "line 5:", "line 7:"] {
        assert!(err.contains(line), "{line} reported: {err}");
    }
    assert!(!err.contains("line 2:") && !err.contains("line 4:"), "good rows are not reported: {err}");
    let team = TeamId::parse("imp").unwrap();
    assert!(table.store.list_members(&team).await.unwrap().is_empty(), "nothing imported");

    let good = dir.join("good.csv");
    let mut text = String::from("email,name\n");
    for i in 0..120 {
        text.push_str(&format!("m{i}@example.com,Member {i}\n"));
    }
    std::fs::write(&good, &text).unwrap();
    let out = ctl(&table, &["member", "import", "imp", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(table.store.list_members(&team).await.unwrap().len(), 120);
    // Importing again: every row is already a member, nothing changes.
    let out = ctl(&table, &["member", "import", "imp", good.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already a member"));
    assert_eq!(table.store.list_members(&team).await.unwrap().len(), 120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflight_fails_until_the_identity_is_verified() {
    let table = TestTable::new().await;
    let ses = ses_local::SesLocal::start(ses_local::Config {
        configuration_sets: vec!["morale".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    ses.app().set_identity_state("morale.example", "pending").unwrap();
    let args = ["preflight", "--identity", "morale.example", "--configuration-set", "morale"];
    let out = ctl_with(&table, &ses.url(), &args);
    assert_eq!(out.status.code(), Some(1), "not ready: exit 1");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL") && text.contains("not verified for sending"), "{text}");
    ses.app().set_identity_state("morale.example", "verified").unwrap();
    let out = ctl_with(&table, &ses.url(), &args);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // A configuration set without an event destination is caught too.
    let out = ctl_with(&table, &ses.url(), &["preflight", "--identity", "morale.example"]);
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_and_replay_after_an_injected_failure() {
    use morale::domain::OutboxStatus;
    let table = TestTable::new().await;
    let ses = ses_local::SesLocal::start(ses_local::Config {
        identities: vec!["morale.example".into()],
        configuration_sets: vec!["morale".into()],
        account: ses_local::Account { max_send_rate: 100.0, ..Default::default() },
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(
        ctl(&table, &["team", "create", "rep", "--zone", "UTC", "--time", "00:00", "--workdays", "mon-sun"])
            .status
            .success()
    );
    for who in ["ana", "bob", "chen"] {
        assert!(ctl(&table, &["member", "add", "rep", &format!("{who}@example.com")]).status.success());
    }
    // SES refuses the email for bob as a bad request: that one email fails.
    ses.app()
        .set_faults(ses_local::Faults { invalid_recipients: vec!["bob@example.com".into()], ..Default::default() })
        .unwrap();
    let team = TeamId::parse("rep").unwrap();
    let store = std::sync::Arc::new(table.store.clone());
    let send_now = |store: std::sync::Arc<morale::store::DynamoStore>, url: String| async move {
        let sdk = morale_localstack::sdk_config(&url).await;
        let sender = morale_sender::Sender {
            store,
            mailer: std::sync::Arc::new(morale::mail::SesMailer::new(
                aws_sdk_sesv2::Client::new(&sdk),
                "noreply@morale.example",
                Some("morale"),
            )),
            alerter: std::sync::Arc::new(morale::alert::RecordingAlerter::new()),
            clock: std::sync::Arc::new(morale::clock::SystemClock),
            renderer: morale::email::EmailRenderer::new(morale::token::TokenKeys::development(), "http://127.0.0.1:1"),
            config: morale::config::SenderConfig::new("morale.example", "noreply@morale.example", Some("morale")),
            continuation: std::sync::Arc::new(morale_sender::continuation::NextTick),
        };
        sender
            .handle(
                morale_sender::Command::SendNow { team: TeamId::parse("rep").unwrap() },
                tokio::time::Instant::now() + std::time::Duration::from_secs(300),
            )
            .await
            .unwrap()
    };
    let r = send_now(store.clone(), ses.url()).await;
    assert_eq!((r.sent, r.failed), (2, 1), "{r:?}");
    let items = table.store.list_outbox(&team, None).await.unwrap();
    let bob = items.iter().find(|i| i.email.as_str() == "bob@example.com").unwrap();
    assert_eq!(bob.status, OutboxStatus::Failed);
    let out = ctl(&table, &["outbox", "--team", "rep", "--failed"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("failed      1") && text.contains("FAILED") && text.contains("Illegal address"), "{text}");
    let out = ctl(&table, &["--json", "outbox", "--team", "rep"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["counts"]["failed"], 1);
    ses.app().set_faults(ses_local::Faults::default()).unwrap();
    let date = bob.key.date.to_string();
    let out = ctl(&table, &["replay", "--team", "rep", "--date", &date]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Re-queued 1 email(s)"));
    let r = send_now(store, ses.url()).await;
    assert_eq!(r.sent, 1, "the replayed email goes out on the next run: {r:?}");
    let items = table.store.list_outbox(&team, None).await.unwrap();
    assert!(items.iter().all(|i| i.status == OutboxStatus::Sent), "{items:?}");
}

/// `make demo`'s command: exits 0 with a report read back from the store; twice in a row.
#[test]
fn the_demo_runs_end_to_end_twice() {
    for _ in 0..2 {
        let out = Command::new(env!("CARGO_BIN_EXE_moralectl")).args(["demo", "--json"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["members"], 8);
        assert_eq!(v["sent"], 8, "{v}");
        assert_eq!(v["delivered"], 6, "all but bounce@ (ooto@ is not a bounce) and complaint@");
        assert_eq!(v["ledger"], "7 of 8 reached, 1 marked it as spam, 1 bounced", "{v}");
        assert_eq!(
            (v["bounced"].as_u64(), v["complained"].as_u64(), v["failed"].as_u64()),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(v["responses"], 4);
        assert!(v["answers_close"].is_string(), "the day's figures wait for its answers to close: {v}");
        assert!(v.get("mean_today").is_none(), "no figure for an open day");
        // The team's send time was the minute the demo ran; today's email went out, so the
        // next send is at the same local time the next day (a workday: the demo's are mon-sun).
        let next: jiff::Timestamp = v["next_send_at"].as_str().unwrap().parse().unwrap();
        let local = next.to_zoned_datetime(jiff::tz::TimeZone::get(v["zone"].as_str().unwrap()).unwrap());
        let today: jiff::civil::Date = v["date"].as_str().unwrap().parse().unwrap();
        assert_eq!(local.date(), today.tomorrow().unwrap(), "{v}");
        assert_eq!(local.strftime("%H:%M").to_string(), v["send_time"].as_str().unwrap(), "{v}");
        assert!(v["next_send_local"].as_str().unwrap().ends_with(&format!("[{}]", v["zone"].as_str().unwrap())), "{v}");
    }
}

/// `moralectl dev --tick-every SECONDS` started, and its standard output by line.
fn dev(tick_every: &str) -> (std::process::Child, std::io::Lines<std::io::BufReader<std::process::ChildStdout>>) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_moralectl"))
        .args(["dev", "--tick-every", tick_every])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    (child, lines)
}

/// `make dev`: stays up and ticks until interrupted, then stops everything and exits 0.
#[test]
fn dev_ticks_until_interrupted() {
    let (mut child, mut lines) = dev("1");
    let mut inbox = None;
    let mut ticks = 0;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.contains("inbox (read the emails") {
            inbox = line.split_whitespace().last().map(str::to_string);
        }
        if line.contains(" tick: ") {
            ticks += 1;
            if ticks == 2 {
                break;
            }
        }
    }
    let inbox = inbox.expect("the inbox address is printed");
    assert!(inbox.starts_with("http://127.0.0.1:"), "{inbox}");
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success());
    assert!(rest.iter().any(|l| l.contains("stopping the local stack")), "{rest:?}");
}

/// test-email: through the daily email's path (the configuration set publishing to EventBridge),
/// and back: moralectl listens on EventBridge for the SES event of its message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_email_waits_for_the_ses_verdict() {
    let table = TestTable::new().await;
    let ses = ses_local::SesLocal::start(ses_local::Config {
        eventbridge_endpoint: Some(moto_url()),
        identities: vec!["morale.example".into()],
        configuration_sets: vec!["morale".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    let args = |to: &'static str| {
        [
            "--configuration-set",
            "morale",
            "test-email",
            to,
            "--from",
            "Morale <noreply@morale.example>",
            "--timeout",
            "20",
        ]
    };
    let out = ctl_with(&table, &ses.url(), &args("success@simulator.amazonses.com"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("→ delivered"), "{text}");
    let out = ctl_with(&table, &ses.url(), &args("bounce@simulator.amazonses.com"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("bounced (Permanent General)"));
    let sent = ses.app().messages();
    assert_eq!(sent.len(), 2);
    assert!(sent[0].subject.starts_with("[test]") && sent[0].configuration_set.as_deref() == Some("morale"));
}

/// `moralectl --local faults` plans a fault proxy's faults; moralectl's own calls go through it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_planned_shown_and_cleared_through_the_proxy() {
    let proxy = morale_localstack::FaultProxy::start(&dynamodb_url()).await.unwrap();
    let table = TestTable::at(&proxy.url).await;
    let run = |args: Vec<String>| {
        let (name, url) = (table.name.clone(), proxy.url.clone());
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_moralectl"))
                .args(["--local", "--endpoint", &moto_url(), "--dynamodb-endpoint", &url, "--table", &name])
                .args(args)
                .output()
                .expect("run moralectl")
        })
    };
    let args = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
    let set =
        run(args("faults set dynamodb --operations PutItem --error ThrottlingException --limit 1")).await.unwrap();
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    // The SDK retries the one throttle: the team is created all the same.
    let create = run(args("team create faulty --zone Europe/London")).await.unwrap();
    assert!(create.status.success(), "{}", String::from_utf8_lossy(&create.stderr));
    assert_eq!(proxy.stats().hit.get("PutItem"), Some(&1), "the fault was applied");
    let show = run(args("faults show --json")).await.unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap_or_default();
    assert_eq!(shown["dynamodb"]["stats"]["hit"]["PutItem"], 1, "{}", String::from_utf8_lossy(&show.stderr));
    assert_eq!(shown["dynamodb"]["plan"]["rules"][0]["fault"]["code"], "ThrottlingException");

    for (bad, says) in [
        ("faults set dynamodb --error Gremlins", "unknown --error Gremlins"),
        ("faults set dynamodb --error ThrottlingException --share 2", "--share"),
        ("faults set moto --latency-ms 10", "is not a fault proxy"),
    ] {
        let out = run(args(bad)).await.unwrap();
        assert!(!out.status.success(), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{bad}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(run(args("faults clear dynamodb")).await.unwrap().status.success());
    assert!(proxy.stats().hit.is_empty(), "cleared");
}

/// `moralectl ledger`: a closed day as stored, an open day as it stands, exit 1 when a closed
/// day has unaccounted emails, and a bad date named.
#[tokio::test]
async fn ledger_shows_closed_and_open_days_and_fails_on_unaccounted_emails() {
    use morale::domain::{DayPlan, EmailAddress, Ledger, MemberId, OutboxItem, OutboxKey, SendDate};
    let table = TestTable::new().await;
    assert!(ctl(&table, &["team", "create", "books", "--zone", "Europe/London"]).status.success());
    let team = TeamId::parse("books").unwrap();
    let (d1, d2, d3) = (
        SendDate::parse("2026-11-23").unwrap(),
        SendDate::parse("2026-11-24").unwrap(),
        SendDate::parse("2026-11-25").unwrap(),
    );
    let at: jiff::Timestamp = "2026-11-25T09:30:00Z".parse().unwrap();
    let plan = DayPlan { members: 2, paused: 1, ..DayPlan::default() };
    for d in [d1, d2] {
        table.store.open_day(&team, d, &plan, at).await.unwrap();
    }
    let tomorrow = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24);
    table.store.open_day(&team, d3, &DayPlan { members: 1, ..plan.clone() }, tomorrow).await.unwrap();
    // A day whose ledger was due days ago and never closed (the sender stopped): overdue.
    let d4 = SendDate::parse("2026-11-26").unwrap();
    table.store.open_day(&team, d4, &DayPlan { members: 1, ..DayPlan::default() }, at).await.unwrap();
    let good = Ledger { scheduled: 2, delivered: 1, unconfirmed: 1, skipped_paused: 1, ..Ledger::default() };
    table.store.close_day(&team, d1, &good, at).await.unwrap();
    let bad = Ledger { scheduled: 1, delivered: 1, unaccounted: 1, ..Ledger::default() };
    table.store.close_day(&team, d2, &bad, at).await.unwrap();
    // Today, open: one email waiting for the sender is on its way, not unaccounted.
    let email = EmailAddress::parse("ana@example.com").unwrap();
    let key = OutboxKey { team: team.clone(), date: d3, member: MemberId::for_email(&email) };
    table.store.enqueue(&OutboxItem::new(key, email, at, at, at)).await.unwrap();

    let out = ctl(&table, &["ledger", "--team", "books", "--date", "2026-11-23", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["days"][0]["state"], "closed");
    assert_eq!(v["days"][0]["ledger"]["unconfirmed"], 1);
    assert_eq!((v["days"][0]["reached"].as_u64(), v["unaccounted"].as_u64()), (Some(1), Some(0)));

    let out = ctl(&table, &["ledger", "--team", "books", "--date", "2026-11-25"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("open") && text.contains("0 of 1 reached, 1 still on its way, 1 paused"), "{text}");

    let out = ctl(&table, &["ledger", "--date", "2026-11-24"]);
    assert_eq!(out.status.code(), Some(1), "an unaccounted email fails the command, as a verdict");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 of 1 reached, 1 UNACCOUNTED"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 email(s) are unaccounted for"));

    let out = ctl(&table, &["ledger", "--team", "books", "--date", "2026-11-26"]);
    assert_eq!(out.status.code(), Some(1), "an overdue day with an email never queued fails the command");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("overdue") && text.contains("0 of 0 reached, 1 UNACCOUNTED"), "{text}");

    let out = ctl(&table, &["ledger", "--date", "2026-13-01"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2026-13-01"));
}

/// The dev stack's sending identity put in `state` through ses-local's control API.
async fn identity_state(ses: &str, state: &str) -> morale_localstack::http::HttpReply {
    let body = format!(r#"{{"state": "{state}"}}"#);
    morale_localstack::http::http(ses, "PUT", "/_ses-local/identities/morale.example", "application/json", &body).await
}

/// `moralectl --local verify` against `make dev`'s stack: every link holds; with the sending
/// identity revoked it fails at preflight; with the SES events rule removed it fails at the
/// events, saying SES published the delivery and nothing recorded it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_passes_on_the_dev_stack_and_names_the_broken_link() {
    let (mut child, mut lines) = dev("3600");
    let export = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|l| l.contains("export MORALE_DYNAMODB_URL="))
        .expect("dev prints its endpoints");
    // Keep reading what dev prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let env: Vec<(String, String)> = export
        .split_whitespace()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let var = |k: &str| env.iter().find(|(n, _)| n == k).unwrap().1.clone();
    let verify = || {
        let out = Command::new(env!("CARGO_BIN_EXE_moralectl"))
            .args(["--local", "verify", "--timeout", "10", "--json"])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert!(matches!(out.status.code(), Some(0 | 1)), "a verdict, not a usage error: {:?}", out.status);
        (out.status.success(), report, String::from_utf8_lossy(&out.stderr).to_string())
    };
    let failing = |report: &serde_json::Value| -> Vec<String> {
        report["links"].as_array().unwrap().iter().filter(|l| l["ok"] == false).map(|l| l["link"].to_string()).collect()
    };

    let (ok, report, stderr) = verify();
    assert!(ok, "{report}\n{stderr}");
    let links: Vec<&str> = report["links"].as_array().unwrap().iter().map(|l| l["link"].as_str().unwrap()).collect();
    assert_eq!(links, ["preflight", "test email", "events", "alert subscribers", "alerts"]);

    // The identity revoked: preflight names it, and no email is sent.
    let ses = var("MORALE_SES_URL");
    let put = identity_state(&ses, "revoked").await;
    assert_eq!(put.status, 200, "{}", put.body);
    let (ok, report, stderr) = verify();
    assert!(!ok);
    assert_eq!(failing(&report), ["\"preflight\"", "\"test email\""], "{report}");
    assert!(stderr.contains("verify failed at preflight") && stderr.contains("not verified"), "{stderr}");
    let put = identity_state(&ses, "verified").await;
    assert_eq!(put.status, 200);

    // The stack's SES events rule removed: the events link names it.
    let sdk = morale_localstack::sdk_config(&var("MORALE_MOTO_URL")).await;
    let eb = aws_sdk_eventbridge::Client::new(&sdk);
    eb.remove_targets().rule("morale-ses-events").ids("queue").send().await.unwrap();
    eb.delete_rule().name("morale-ses-events").send().await.unwrap();
    let (ok, report, stderr) = verify();
    assert!(!ok);
    assert_eq!(failing(&report), ["\"events\""], "{report}");
    assert!(stderr.contains("SES published its Delivery to EventBridge, but nothing recorded it"), "{stderr}");

    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(child.wait().unwrap().success());
}

/// `moralectl trends` shows a day only once its answers closed, from its fixed figures: an open
/// day has none, however many answered; a closed day's never change.
#[tokio::test]
async fn trends_show_closed_days_only() {
    use morale::domain::{DayPlan, Ledger, Privacy, Response, Score, SendDate, Tally, VoterKey};
    let table = TestTable::new().await;
    assert!(ctl(&table, &["team", "create", "charts", "--zone", "UTC", "--workdays", "mon-sun"]).status.success());
    let team = TeamId::parse("charts").unwrap();
    let today = SendDate::new(jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
    let (open, closed) = (today, today.previous_day());
    let at = jiff::Timestamp::now();
    let vote = |d: SendDate, v: usize, s: u8| {
        Response::new(team.clone(), d, VoterKey(format!("v{v}")), Score::new(s).unwrap(), None, at)
    };
    let closed_votes: Vec<Response> = (0..4).map(|v| vote(closed, v, 2)).collect();
    for d in [open, closed] {
        table.store.open_day(&team, d, &DayPlan { members: 4, ..DayPlan::default() }, at).await.unwrap();
        for v in 0..4 {
            table.store.put_response(&vote(d, v, 2)).await.unwrap();
        }
    }
    table.store.close_day(&team, closed, &Ledger::default(), at).await.unwrap();
    let tally = Tally::of(&closed_votes, 4, Privacy::default());
    assert!(table.store.tally_day(&team, closed, &tally, at).await.unwrap());
    let out = ctl(&table, &["trends", "--team", "charts", "--days", "3", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let day = |d: SendDate| v["days"].as_array().unwrap().iter().find(|x| x["date"] == d.to_string()).unwrap().clone();
    assert_eq!(day(closed)["mean"], 2.0, "{v}");
    assert_eq!(day(closed)["participation"], 1.0);
    assert_eq!(
        (day(open)["closed"].clone(), day(open)["mean"].clone()),
        (false.into(), serde_json::Value::Null),
        "{v}"
    );
    assert_eq!(day(open)["voters"], serde_json::Value::Null, "not even how many answered");
    // More votes arrive for the closed day (the store takes them; the API would not): its
    // figures stay as they were fixed.
    table.store.put_response(&vote(closed, 9, 5)).await.unwrap();
    let again: serde_json::Value =
        serde_json::from_slice(&ctl(&table, &["trends", "--team", "charts", "--days", "3", "--json"]).stdout).unwrap();
    assert_eq!(again["days"], v["days"], "fixed once shown");
}

/// `moralectl cost`: the model's month per size, its fixed part the same at every size, and a
/// bad rate refused.
#[test]
fn cost_prices_a_month_from_the_model() {
    let out = Command::new(env!("CARGO_BIN_EXE_moralectl"))
        .args(["cost", "--members", "100", "--members", "1000000", "--rate", "1000", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let months = v["months"].as_array().unwrap();
    let (small, big) = (&months[0], &months[1]);
    assert_eq!((small["members"].as_u64(), big["members"].as_u64()), (Some(100), Some(1_000_000)));
    let lines = |m: &serde_json::Value| m["lines"].as_array().unwrap().clone();
    for (s, b) in lines(small).iter().zip(lines(big)) {
        if s["variable"] == false {
            assert_eq!(s["usd"], b["usd"], "{}", s["what"]);
        }
    }
    // A million members' emails cost at least SES's $0.10 a thousand, every workday.
    assert!(big["usd"].as_f64().unwrap() > 1_000_000.0 * 21.7 * 0.0001);
    // The free tier takes off, never adds.
    for m in months {
        assert!(m["usd_after_free_tier"].as_f64().unwrap() <= m["usd"].as_f64().unwrap(), "{m}");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_moralectl")).args(["cost", "--rate", "0.5"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--rate"), "{}", String::from_utf8_lossy(&bad.stderr));
}

/// A team's quiet days: taken (a date or a range), shown by `team show`, `team quiet list` and
/// `schedule`, given back; a past date, a bad date, a backward range or a day that was not
/// quiet is refused, naming it, and changes nothing.
#[tokio::test]
async fn quiet_days_are_taken_shown_and_given_back() {
    let table = TestTable::new().await;
    let ok = |args: &[&str]| ctl_ok(&table, args);
    ok(&["team", "create", "q", "--zone", "Europe/Berlin", "--time", "09:30"]);
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Berlin").unwrap()).date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap().to_string();
    let (d5, d7, d9) = (day(5), day(7), day(9));
    let out = ok(&["team", "quiet", "add", "q", &d5, &format!("{d7}..{d9}")]);
    assert!(out.contains(&format!("{d5}, {d7}..{d9}")), "{out}");
    let team = TeamId::parse("q").unwrap();
    let quiet = || async { table.store.get_team(&team).await.unwrap().unwrap().schedule.quiet };
    assert_eq!(quiet().await.len(), 4);
    for (args, named) in [
        (vec!["team", "quiet", "add", "q", "2020-01-01"], "2020-01-01 is past".to_string()),
        (vec!["team", "quiet", "add", "q", "2026-13-01"], "2026-13-01".into()),
        (vec!["team", "quiet", "add", "q", &format!("{d9}..{d5}")], "a range goes forward".into()),
        (vec!["team", "quiet", "remove", "q", &d9, &day(6)], format!("{} is not a quiet day", day(6))),
        (vec!["team", "quiet", "add", "nosuchteam", &d5], "there is no team nosuchteam".into()),
    ] {
        let out = ctl(&table, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr.contains(&named), "{args:?}: the error should name {named:?}: {stderr}");
    }
    assert_eq!(quiet().await.len(), 4, "nothing changed");
    assert!(ok(&["team", "show", "q"]).contains(&format!("quiet      {d5}, {d7}..{d9}")));
    let schedule = ok(&["schedule", "--next", "10"]);
    assert!(schedule.contains("Quiet days") && schedule.contains(&d5), "{schedule}");
    assert!(!schedule.contains(&format!("{d5} 0")), "no send window on a quiet day: {schedule}");
    ok(&["team", "quiet", "remove", "q", &d7]);
    let q = quiet().await;
    assert_eq!(q.len(), 3);
    assert!(ok(&["team", "quiet", "list", "q"]).contains(&format!("{d5}, {}..{d9}", day(8))));
}

/// A team's language at creation and after, a member's own over it and back to the team's; a
/// language not shipped is refused, naming the choices, and changes nothing.
#[tokio::test]
async fn languages_of_a_team_and_its_members() {
    use morale::domain::{EmailAddress, Locale};
    let table = TestTable::new().await;
    let ok = |args: &[&str]| ctl_ok(&table, args);
    let out = ok(&["team", "create", "lang", "--zone", "Europe/Berlin", "--locale", "de"]);
    assert!(out.contains("language   de"), "{out}");
    let team = TeamId::parse("lang").unwrap();
    let get = || async { table.store.get_team(&team).await.unwrap().unwrap() };
    assert_eq!(get().await.locale, Locale::De);
    ok(&["member", "add", "lang", "ana@example.com", "--locale", "pt_br"]);
    ok(&["member", "add", "lang", "ben@example.com"]);
    let t = get().await;
    let member = |email: &str| {
        let id = t.member_id(&EmailAddress::parse(email).unwrap());
        let store = table.store.clone();
        let team = team.clone();
        async move { store.get_member(&team, &id).await.unwrap().unwrap() }
    };
    assert_eq!(member("ana@example.com").await.locale_in(&t), Locale::PtBr);
    assert_eq!(member("ben@example.com").await.locale_in(&t), Locale::De);
    assert!(ok(&["member", "list", "lang"]).contains("reads pt-BR"));
    assert!(ok(&["member", "locale", "lang", "ben@example.com", "ja"]).contains("in ja"));
    assert!(ok(&["member", "locale", "lang", "ana@example.com", "team"]).contains("in de (the team's)"));
    ok(&["team", "update", "lang", "--locale", "fr"]);
    let t = get().await;
    assert_eq!(
        (member("ana@example.com").await.locale_in(&t), member("ben@example.com").await.locale_in(&t)),
        (Locale::Fr, Locale::Ja)
    );
    for args in [
        vec!["team", "update", "lang", "--locale", "nl"],
        vec!["team", "create", "other", "--zone", "UTC", "--locale", "pt"],
        vec!["member", "add", "lang", "cy@example.com", "--locale", "xx"],
        vec!["member", "locale", "lang", "ben@example.com", "klingon"],
    ] {
        let out = ctl(&table, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr.contains("en, de, fr, es, pt-BR, ja"), "{args:?}: the error names the choices: {stderr}");
    }
    let out = ctl(&table, &["member", "locale", "lang", "nobody@example.com", "de"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not a member of lang"));
    assert_eq!(get().await.locale, Locale::Fr, "nothing changed");
    assert!(table.store.get_team(&TeamId::parse("other").unwrap()).await.unwrap().is_none());
    assert_eq!(member("ben@example.com").await.locale, Some(Locale::Ja));
    // A member's own pause: shown, and ended by an operator.
    let ana = t.member_id(&EmailAddress::parse("ana@example.com").unwrap());
    let back = morale::domain::SendDate::new(jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
        .next_day()
        .next_day();
    table
        .store
        .set_away(&team, &ana, morale::domain::Away { back: Some(back), at: jiff::Timestamp::now() })
        .await
        .unwrap();
    assert!(ok(&["member", "list", "lang"]).contains(&format!("away until {back}")));
    assert!(ok(&["member", "back", "lang", "ana@example.com"]).contains("is back"));
    assert_eq!(member("ana@example.com").await.away_until, None);
    let out = ctl(&table, &["member", "back", "lang", "nobody@example.com"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not a member of lang"));
}

/// Lifting a suppression is two writes; the table fails the first: the member stays
/// suppressed (not active with the bounces that suppress them again), and the command can be
/// run again.
// Two threads: the proxy serves moralectl while the test waits for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifting_a_suppression_that_fails_halfway_can_be_run_again() {
    use morale::domain::{MemberStatus, StatusChange};
    use morale_localstack::{AwsError, Fault, FaultPlan, FaultProxy};
    let table = TestTable::new().await;
    ctl_ok(&table, &["team", "create", "lift", "--zone", "Europe/London"]);
    ctl_ok(&table, &["member", "add", "lift", "ana@example.com"]);
    let team = TeamId::parse("lift").unwrap();
    let ana = table.store.list_members(&team).await.unwrap().remove(0);
    let now = jiff::Timestamp::now();
    for _ in 0..3 {
        table.store.add_soft_bounce(&team, &ana.id, now).await.unwrap();
    }
    let bounced = StatusChange {
        from: &[MemberStatus::Active],
        to: MemberStatus::Bounced,
        reason: "3 transient bounces in a row",
        at: now,
    };
    table.store.set_status(&team, &ana.id, bounced).await.unwrap().unwrap();

    let proxy = FaultProxy::start(&dynamodb_url()).await.unwrap();
    let down = Fault::Error { code: AwsError::InternalServerError };
    proxy.plan(FaultPlan::one(&["UpdateItem"], 1.0, down).containing("soft_bounces"));
    let lift = |endpoint: &str| {
        Command::new(env!("CARGO_BIN_EXE_moralectl"))
            .args(["--local", "--endpoint", &moto_url(), "--dynamodb-endpoint", endpoint, "--table", &table.name])
            .args(["suppressions", "remove", "lift", "ana@example.com"])
            .output()
            .unwrap()
    };
    assert!(!lift(&proxy.url).status.success(), "the table failed");
    let m = table.store.get_member(&team, &ana.id).await.unwrap().unwrap();
    assert_eq!((m.status, m.soft_bounces), (MemberStatus::Bounced, 3), "still suppressed, nothing half done");
    let again = lift(&dynamodb_url());
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let m = table.store.get_member(&team, &ana.id).await.unwrap().unwrap();
    assert_eq!((m.status, m.soft_bounces), (MemberStatus::Active, 0));
}

/// An import whose write is applied and its answer lost (the SDK's retry is then refused as
/// "already exists"): all or nothing still, that row included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_whose_answer_is_lost_leaves_nobody_behind() {
    use morale_localstack::{Fault, FaultPlan, FaultProxy};
    let table = TestTable::new().await;
    ctl_ok(&table, &["team", "create", "lost", "--zone", "Europe/London"]);
    let csv = std::env::temp_dir().join(format!("morale-import-lost-{}.csv", std::process::id()));
    std::fs::write(&csv, "email,name\nana@example.com,Ana\nbob@example.com,Bob\nchen@example.com,Chen\n").unwrap();
    let proxy = FaultProxy::start(&dynamodb_url()).await.unwrap();
    proxy.plan(FaultPlan::one(&["PutItem"], 1.0, Fault::LoseAnswer).containing("bob@example.com").at_most(1));
    let out = Command::new(env!("CARGO_BIN_EXE_moralectl"))
        .args(["--local", "--endpoint", &moto_url(), "--dynamodb-endpoint", &proxy.url, "--table", &table.name])
        .args(["member", "import", "lost", csv.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("Nothing was imported"), "{err}");
    let team = TeamId::parse("lost").unwrap();
    assert_eq!(table.store.list_members(&team).await.unwrap(), vec![], "nobody left behind");
    ctl_ok(&table, &["member", "import", "lost", csv.to_str().unwrap()]);
    assert_eq!(table.store.list_members(&team).await.unwrap().len(), 3, "and it runs again");
    let _ = std::fs::remove_file(&csv);
}
