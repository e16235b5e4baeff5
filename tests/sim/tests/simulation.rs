//! `cargo test` runs this as its own program (no test harness): seeds `0..N` (2,000 unless
//! `--seeds N`; `--from S` starts elsewhere), spread over the machine's cores, then one line:
//! `simulation: <N> seeds, <V> invariant violations`. `--seed S` replays one seed and tells
//! its story (`--log` adds the functions' log lines, in simulated time). A failing seed prints the command that replays it.

use morale_sim::ledger::Alarms;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Seeds that found a defect, or walk the path of a fix, run on every run besides the range
/// (the world they draw is the same; what the fixed code does in it is not, so each also has a
/// test of its own where one could be written).
const REGRESSIONS: [(u64, &str); 15] = [
    (2, "an unreadable outbox item stopped every drain (now quarantined, told, the rest sent)"),
    (183, "a reader's answer was refused as closed: its email went out before its day's plan was written again"),
    (
        8759,
        "an unreadable outbox item went untold when its quarantine's answer was lost; and, run to 56 hours, that every tick failed once its day closed (it could not be failed as too late)",
    ),
    (12, "an unreadable team record stopped every tick for every team (now quarantined, told)"),
    (22, "a paused team's queued emails still went out"),
    (23, "a delivery delay whose delivery event was lost led to a second copy"),
    (147, "a bounced member's line for the admins was lost with the member write's answer"),
    (196, "a retries-exhausted alert was lost with the failing write's answer"),
    (1640, "a store brownout: every failure still told, every failed run alerted"),
    (16380, "a permanent bounce for a member removed meanwhile was told to nobody"),
    (361, "a bounce that came hours late, after its day's report to the admins went out, was told to nobody"),
    (32087, "a day planned before a failed run queued its emails kept a member paused before the retry: unaccounted"),
    (27828, "a day planned, its run failed before queueing, its team paused: three emails unaccounted"),
    (94498, "a day planned before a failed run queued its emails counted the plan's members: unaccounted"),
    (43463, "an email waiting for a sender before its own deadline was counted unaccounted when its day closed"),
];

fn arg(args: &[String], name: &str) -> Option<u64> {
    let i = args.iter().position(|a| a == name)?;
    Some(args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{name} takes a number")))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let alarms = Arc::new(Alarms::from_template());
    // Read wrong, the template would excuse nothing, or everything: what it has is known.
    assert!(
        alarms.failed_events
            && alarms.errors.contains("sender")
            && alarms.metrics.contains(morale::metrics::ALERTS_UNDELIVERED)
            && alarms.metrics.contains(morale::metrics::EMAILS_FAILED),
        "the template's alarms as read: {:?}, {:?}, failed events alarmed: {}",
        alarms.metrics,
        alarms.errors,
        alarms.failed_events
    );
    if let Some(seed) = arg(&args, "--seed") {
        if args.iter().any(|a| a == "--log") {
            // The functions' own log lines, in simulated time (RUST_LOG filters; info by default).
            tracing_subscriber::fmt()
                .with_timer(morale_sim::world::SimTime)
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
                )
                .with_ansi(false)
                .init();
        }
        let v = morale_sim::run(seed, &alarms);
        println!("{}", v.story);
        for line in &v.violations {
            println!("violation: {line}");
        }
        println!("simulation: 1 seeds, {} invariant violations", v.violations.len());
        std::process::exit(if v.violations.is_empty() { 0 } else { 1 });
    }
    let n = arg(&args, "--seeds").unwrap_or(2_000);
    let from = arg(&args, "--from").unwrap_or(0);
    // The range, then the regression seeds it does not hold.
    let seeds: Arc<Vec<u64>> = Arc::new(
        (from..from + n).chain(REGRESSIONS.iter().map(|(s, _)| *s).filter(|s| !(from..from + n).contains(s))).collect(),
    );
    let next = Arc::new(AtomicU64::new(0));
    let failing = Arc::new(Mutex::new(Vec::new()));
    let forgotten = Arc::new(AtomicU64::new(0));
    let pauses = Arc::new(AtomicU64::new(0));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (next, failing, alarms, seeds, forgotten, pauses) =
                (next.clone(), failing.clone(), alarms.clone(), seeds.clone(), forgotten.clone(), pauses.clone());
            std::thread::spawn(move || {
                while let Some(&seed) = seeds.get(next.fetch_add(1, Ordering::SeqCst) as usize) {
                    let v = morale_sim::run(seed, &alarms);
                    forgotten.fetch_add(v.days_forgotten as u64, Ordering::SeqCst);
                    pauses.fetch_add(v.pauses as u64, Ordering::SeqCst);
                    if !v.violations.is_empty() {
                        failing.lock().unwrap().push(v);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a simulation thread panicked");
    }
    let mut failing = std::mem::take(&mut *failing.lock().unwrap());
    failing.sort_by_key(|v| v.seed);
    let total: usize = failing.iter().map(|v| v.violations.len()).sum();
    for v in failing.iter().take(20) {
        if let Some((_, found)) = REGRESSIONS.iter().find(|(s, _)| *s == v.seed) {
            println!("seed {} (a regression case: it once found that {found}):", v.seed);
        }
        println!("seed {}: {} violation(s), e.g. {}", v.seed, v.violations.len(), v.violations[0]);
        println!("  replay: cargo test -p morale-sim --test simulation -- --seed {}", v.seed);
    }
    println!(
        "simulation: {} seeds, {total} invariant violations ({} days' answers closed and forgotten, {} members' own pauses)",
        seeds.len(),
        forgotten.load(Ordering::SeqCst),
        pauses.load(Ordering::SeqCst)
    );
    std::process::exit(if total == 0 { 0 } else { 1 });
}
