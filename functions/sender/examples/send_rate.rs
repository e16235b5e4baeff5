//! Sender throughput against ses-local: achieved send rate ÷ MaxSendRate, throttles, peak RSS.
//!
//! cargo build --profile perf -p ses-local
//! cargo run --profile perf -p morale-sender --example send_rate -- [members] [quota,quota,...] [latency-ms]
//!
//! ses-local runs as its own process (the binary next to this one), with the given latency
//! injected into every SendEmail. The sender runs here, in-process, with the in-memory store
//! (DynamoDB's latency is not what is measured) and the real SESv2 client. For each quota, a
//! team of `members` is due now; one tick drains it. Peak RSS is this process's high-water
//! mark, so it includes the in-memory store's copy of every member and outbox item.

use jiff::SignedDuration;
use morale::alert::RecordingAlerter;
use morale::clock::{Clock, SystemClock};
use morale::config::SenderConfig;
use morale::domain::{EmailAddress, Schedule, TeamId};
use morale::domain::{Member, Team};
use morale::email::EmailRenderer;
use morale::mail::SesMailer;
use morale::store::MemoryStore;
use morale::store::prelude::*;
use morale::token::TokenKeys;
use morale_sender::{Command, Sender};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command as Process, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn http(addr: &str, method: &str, path: &str, body: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let members: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let quotas: Vec<f64> = args
        .next()
        .unwrap_or_else(|| "14,200,1000".into())
        .split(',')
        .map(|q| q.parse().expect("a quota per second"))
        .collect();
    let latency: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);

    let bin = std::env::current_exe().unwrap().parent().unwrap().join("../ses-local");
    let mut ses = Process::new(&bin)
        .args(["--port", "0", "--identity", "morale.example", "--configuration-set", "morale"])
        .env_remove("MORALE_MOTO_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {} (cargo build --profile perf -p ses-local): {e}", bin.display()));
    let mut line = String::new();
    BufReader::new(ses.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().trim_start_matches("ses-local listening on ").to_string();
    let addr = url.trim_start_matches("http://").to_string();
    http(&addr, "PUT", "/_ses-local/faults", &format!(r#"{{"latency_ms": {latency}}}"#));

    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(&url)
        .credentials_provider(aws_credential_types::Credentials::new("x", "x", None, None, "bench"))
        .http_client(morale::aws::http_client())
        .load()
        .await;
    let ses_conf = aws_sdk_sesv2::config::Builder::from(&sdk)
        .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
        .build();
    let mailer = Arc::new(SesMailer::new(
        aws_sdk_sesv2::Client::from_conf(ses_conf),
        "Morale <noreply@morale.example>",
        Some("morale"),
    ));

    println!("| MaxSendRate | members | latency | achieved rate | ratio | throttles | wall time |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (i, quota) in quotas.iter().enumerate() {
        http(&addr, "PUT", "/_ses-local/account", &format!(r#"{{"max_send_rate": {quota}}}"#));
        let before: serde_json::Value = serde_json::from_str(&http(&addr, "GET", "/_ses-local/stats", "")).unwrap();
        let store = Arc::new(MemoryStore::new());
        let now = SystemClock.now();
        let team = Team {
            next_send_at: Some(now),
            ..Team::new(
                TeamId::parse(&format!("bench{i}")).unwrap(),
                "Bench".into(),
                Schedule::parse("UTC", "00:00", "mon-sun").unwrap(),
                vec![],
                now - SignedDuration::from_hours(1),
            )
        };
        store.create_team(&team).await.unwrap();
        for m in 0..members {
            let email = EmailAddress::parse(&format!("m{m}@example.com")).unwrap();
            store.add_member(&Member::new(&team, email, None, now)).await.unwrap();
        }
        let sender = Sender {
            store: store.clone(),
            mailer: mailer.clone(),
            alerter: Arc::new(RecordingAlerter::new()),
            clock: Arc::new(SystemClock),
            renderer: EmailRenderer::new(TokenKeys::development(), "https://api.morale.example"),
            config: SenderConfig::new("morale.example", "Morale <noreply@morale.example>", Some("morale")),
            continuation: Arc::new(morale_sender::continuation::NextTick),
        };
        let start = Instant::now();
        let report =
            sender.handle(Command::Tick, tokio::time::Instant::now() + Duration::from_secs(3600)).await.unwrap();
        let wall = start.elapsed();
        let after: serde_json::Value = serde_json::from_str(&http(&addr, "GET", "/_ses-local/stats", "")).unwrap();
        let throttles = after["throttled"].as_u64().unwrap() - before["throttled"].as_u64().unwrap();
        assert_eq!(report.sent as usize, members, "{report:?}");
        println!(
            "| {quota}/s | {members} | {latency} ms | {:.1}/s | {:.3} | {throttles} | {:.1} s |",
            report.achieved_send_rate,
            report.achieved_send_rate / quota,
            wall.as_secs_f64()
        );
    }
    println!("\npeak RSS of the sender process: {:.1} MB", peak_rss_mb());
    let _ = ses.kill();
    let _ = ses.wait();
}
