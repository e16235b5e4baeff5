//! The sender at scale, in virtual time (tokio's paused clock: the figures are the modelled
//! latencies', whatever the machine): BENCHMARKS.md's "A day at scale" in small.

use morale_sim::scale::{Figures, Scenario, run};
use std::time::Duration;

fn scenario(members: usize, teams: usize, rate: f64) -> Scenario {
    Scenario {
        members,
        teams,
        zones: 1,
        max_send_rate: rate,
        ses_latency: Duration::from_millis(50),
        store_latency: Duration::from_millis(5),
        continue_latency: Duration::from_millis(500),
        duplicate_ticks: false,
    }
}

fn promise(f: &Figures) {
    assert_eq!(f.accepted, f.emails(), "every email accepted once");
    assert_eq!(f.duplicates, 0, "nobody gets the day's email twice");
    assert_eq!(f.throttled, 0, "the sender never meets SES's limit");
    assert!(f.alerts.is_empty(), "{:?}", f.alerts);
}

/// 50,000 emails due at one instant, SES at 1,000/s, the table at 5 ms a call: the first is
/// accepted within 10 s of the tick, the batch ends within 1.05 × N ÷ MaxSendRate at no less
/// than 0.97 of it, and each email costs 3 writes (created claimed, sent, delivered).
#[test]
fn a_batch_of_fifty_thousand_goes_at_the_quota_from_its_first_seconds() {
    let f = run(&scenario(50_000, 100, 1_000.0));
    promise(&f);
    let b = &f.batches[0];
    assert_eq!(b.emails, 50_000);
    assert!(b.first < Duration::from_secs(10), "first accepted after {:?}", b.first);
    assert!(b.last.as_secs_f64() <= 1.05 * 50_000.0 / 1_000.0, "ended after {:?}", b.last);
    assert!(b.rate() >= 0.97 * 1_000.0, "{:.1}/s", b.rate());
    assert!(f.email_writes_per_email() <= 3.0, "{:.3} writes per email", f.email_writes_per_email());
    // The cost model's figures per email are these (`moralectl cost`).
    let m = morale::cost::MEASURED;
    assert!((f.email_writes_per_email() - m.writes).abs() < 0.05, "{:.3} writes", f.email_writes_per_email());
    assert!((f.reads_per_email() - m.reads).abs() < 0.05, "{:.3} reads", f.reads_per_email());
    assert_eq!(f.bounce_invocations as f64, m.bounce_invocations * f.accepted as f64);
    let bounce = f.bounce_seconds / f.bounce_invocations as f64;
    assert!((bounce - m.bounce_seconds).abs() < 0.002, "{bounce:.4} s a bounce-handler run");
    // One partition key takes 1,000 writes a second at most: the teams are interleaved.
    assert!(f.store.peak_key_writes.0 < 1_000, "{:?}", f.store.peak_key_writes);
    metrics_only_while_sending(&f);
}

/// CloudWatch bills a metric for each hour it is written in: the ticks of an hour without
/// sending write none, and an hour with sending no more than the cost model counts.
fn metrics_only_while_sending(f: &Figures) {
    let sending = f.sending_hours();
    assert!(!sending.is_empty());
    for (hour, names) in &f.metric_hours {
        assert!(sending.contains(hour), "hour {hour} has no sending, and {names:?} were written");
    }
    assert!(f.metrics_per_sending_hour() <= morale::cost::METRICS_PER_SENDING_HOUR, "{:?}", f.metric_hours);
}

/// A new account (14/s): 20,000 emails take six invocations, each continuing the next, at
/// the quota across their boundaries.
#[test]
fn a_batch_longer_than_an_invocation_keeps_the_quota_across_invocations() {
    let f = run(&scenario(20_000, 40, 14.0));
    promise(&f);
    let b = &f.batches[0];
    assert!(f.continuations >= 5, "{} continuations", f.continuations);
    assert!(b.rate() >= 0.97 * 14.0, "{:.2}/s", b.rate());
    // Each run writes only what it can send, claimed: the rest is its continuation's to write.
    // (A few claims in flight at each cutoff go back: a write more for those.)
    assert!(f.email_writes_per_email() <= 3.01, "{:.3} writes per email", f.email_writes_per_email());
    // A batch longer than a tick writes every metric of a sending hour the cost model counts
    // (the held emails and the oldest one's age among them).
    metrics_only_while_sending(&f);
    assert_eq!(f.metrics_per_sending_hour(), morale::cost::METRICS_PER_SENDING_HOUR, "{:?}", f.metric_hours);
}

/// Scheduler's duplicate tick, a second after the first, while the first is sending: one of
/// them holds the account's rate, and nobody gets the day's email twice.
#[test]
fn duplicated_ticks_share_the_quota_and_send_each_email_once() {
    let f = run(&Scenario { duplicate_ticks: true, ..scenario(10_000, 20, 1_000.0) });
    promise(&f);
    assert!(f.batches[0].rate() >= 0.95 * 1_000.0, "{:.1}/s", f.batches[0].rate());
}
