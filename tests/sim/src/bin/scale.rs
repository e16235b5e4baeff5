//! A day at scale in virtual time (BENCHMARKS.md: "A day at scale"):
//!
//! cargo run --profile perf -p morale-sim --bin scale -- --members 1000000 --teams 2000 --zones 20 --rate 1000
//! cargo run --profile perf -p morale-sim --bin scale -- --members 20000 --teams 40 --zones 1 --rate 14

use morale_sim::scale::{Scenario, run};
use std::time::Duration;

fn main() {
    let mut s = Scenario {
        members: 50_000,
        teams: 100,
        zones: 1,
        max_send_rate: 1_000.0,
        ses_latency: Duration::from_millis(50),
        store_latency: Duration::from_millis(5),
        continue_latency: Duration::from_millis(500),
        duplicate_ticks: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let [flag, value] = pair else { usage() };
        let n = || value.parse::<f64>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--members" => s.members = n() as usize,
            "--teams" => s.teams = n() as usize,
            "--zones" => s.zones = (n() as usize).clamp(1, 20),
            "--rate" => s.max_send_rate = n(),
            "--store-ms" => s.store_latency = Duration::from_secs_f64(n() / 1000.0),
            "--ses-ms" => s.ses_latency = Duration::from_secs_f64(n() / 1000.0),
            "--continue-ms" => s.continue_latency = Duration::from_secs_f64(n() / 1000.0),
            "--duplicate-ticks" => s.duplicate_ticks = n() != 0.0,
            _ => usage(),
        }
    }
    let began = std::time::Instant::now();
    let f = run(&s);
    println!("{s:?}");
    println!("batches (due instant: emails, first accepted after, last accepted after, rate ÷ MaxSendRate):");
    for b in &f.batches {
        println!(
            "  {}: {} emails, first {:.2} s, last {:.1} s, {:.3}",
            b.due,
            b.emails,
            b.first.as_secs_f64(),
            b.last.as_secs_f64(),
            b.rate() / s.max_send_rate
        );
    }
    let worst = f.batches.iter().map(|b| b.rate() / s.max_send_rate).fold(f64::INFINITY, f64::min);
    let busiest = f.busiest();
    println!(
        "emails {} accepted {} duplicates {} throttled {}; busiest batch {} emails at {:.3} of MaxSendRate, worst batch {:.3}",
        f.emails(),
        f.accepted,
        f.duplicates,
        f.throttled,
        busiest.emails,
        busiest.rate() / s.max_send_rate,
        worst
    );
    println!(
        "table: {:.3} writes ({:.3} to the emails' own items) and {:.2} reads per email ({} writes, {} reads); hottest key {} writes in one second ({})",
        f.writes_per_email(),
        f.email_writes_per_email(),
        f.reads_per_email(),
        f.store.writes,
        f.store.reads,
        f.store.peak_key_writes.0,
        f.store.peak_key_writes.1
    );
    for (op, n) in &f.store.calls {
        println!("  {op}: {n}");
    }
    println!(
        "sender: {} invocations ({} continuations), {:.0} s billed; bounce handler: {} invocations, {:.0} s billed",
        f.sender_invocations, f.continuations, f.sender_seconds, f.bounce_invocations, f.bounce_seconds
    );
    println!(
        "metrics written: {:.1} per hour with sending over {} such hour(s); hours with a metric written and none sent: {}",
        f.metrics_per_sending_hour(),
        f.sending_hours().len(),
        f.metric_hours.keys().filter(|h| !f.sending_hours().contains(h)).count()
    );
    for (hour, names) in &f.metric_hours {
        println!("  hour {hour}: {}", names.iter().copied().collect::<Vec<_>>().join(", "));
    }
    println!("alerts: {:?}", f.alerts);
    eprintln!("(ran in {:.0} s)", began.elapsed().as_secs_f64());
}

fn usage() -> ! {
    eprintln!(
        "usage: scale [--members N] [--teams N] [--zones 1..20] [--rate MaxSendRate] [--store-ms 5] [--ses-ms 50] [--continue-ms 500] [--duplicate-ticks 0|1]"
    );
    std::process::exit(2)
}
