//! CPU time per recorded vote, I/O excluded: the whole POST /r path (token opening,
//! form parsing, voter key, store write, thank-you page) against the in-memory store.
//!
//! MORALE_METRICS=off cargo bench --profile perf -p morale-response-api --bench record_vote
//!
//! Criterion reports the mean; the run ends with percentiles of 20,000 single calls.

use criterion::{Criterion, criterion_group};
use jiff::Timestamp;
use morale::domain::{DayPlan, SendDate};
use morale::store::prelude::*;
use morale::token::{Claims, Purpose};
use morale_response_api::{HttpRequest, ResponseApi};
use std::sync::Arc;
use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;

fn setup(rt: &tokio::runtime::Runtime) -> (Arc<ResponseApi>, Vec<HttpRequest>) {
    let now: Timestamp = "2026-11-23T20:10:00Z".parse().unwrap();
    let date = SendDate::parse("2026-11-23").unwrap();
    let team = common::team("bench", "Bench", "UTC", "09:00", &[], now);
    rt.block_on(async {
        let s = common::stage(now, team, (0..1000).map(|i| format!("m{i}@example.com"))).await;
        let plan =
            DayPlan { members: 1000, answers_close: Some(s.team.schedule.answers_close(date)), ..Default::default() };
        s.store.open_day(&s.team.id, date, &plan, now).await.unwrap();
        let reqs = (s.members.iter().enumerate())
            .map(|(i, m)| {
                let token = s.keys.seal(&Claims::new(Purpose::Answer, &s.team.id, &m.id, date, now));
                common::form("POST", "/r", "", &format!("t={token}&s={}", i % 5 + 1))
            })
            .collect();
        (s.api, reqs)
    })
}

fn record_vote(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (api, reqs) = setup(&rt);
    let mut i = 0;
    c.bench_function("record a vote (POST /r)", |b| {
        b.iter(|| {
            i = (i + 1) % reqs.len();
            let r = rt.block_on(api.handle(&reqs[i]));
            assert_eq!(r.status, 200);
        })
    });
}

fn percentiles() {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (api, reqs) = setup(&rt);
    let mut times: Vec<f64> = (0..20_000)
        .map(|n| {
            let t = Instant::now();
            let r = rt.block_on(api.handle(&reqs[n % reqs.len()]));
            let us = t.elapsed().as_secs_f64() * 1e6;
            assert_eq!(r.status, 200);
            us
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "record a vote, 20,000 calls: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        p(0.5),
        p(0.9),
        p(0.99),
        p(1.0)
    );
}

criterion_group!(benches, record_vote);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    percentiles();
}
