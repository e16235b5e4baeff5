//! CPU time per recorded vote, I/O excluded: the whole POST /r path (token opening,
//! form parsing, voter key, store write, thank-you page) against the in-memory store.
//!
//! MORALE_METRICS=off cargo bench --profile perf -p morale-response-api --bench record_vote
//!
//! Criterion reports the mean; the run ends with percentiles of 20,000 single calls.

use criterion::{Criterion, criterion_group};
use jiff::Timestamp;
use morale::clock::ManualClock;
use morale::domain::{EmailAddress, Schedule, SendDate, TeamId};
use morale::domain::{Member, Team};
use morale::store::MemoryStore;
use morale::store::prelude::*;
use morale::token::{Claims, Purpose, TokenKeys};
use morale::voter::VoterSecret;
use morale_response_api::{HttpRequest, ResponseApi};
use std::sync::Arc;
use std::time::Instant;

fn setup(rt: &tokio::runtime::Runtime) -> (ResponseApi, Vec<HttpRequest>) {
    let now: Timestamp = "2026-11-23T20:10:00Z".parse().unwrap();
    let store = Arc::new(MemoryStore::new());
    let team = Team::new(
        TeamId::parse("bench").unwrap(),
        "Bench".into(),
        Schedule::parse("UTC", "09:00", "mon-fri").unwrap(),
        vec![],
        now,
    );
    let keys = TokenKeys::development();
    let date = SendDate::parse("2026-11-23").unwrap();
    let mut reqs = Vec::new();
    rt.block_on(async {
        store.create_team(&team).await.unwrap();
        let plan = morale::domain::DayPlan {
            members: 1000,
            answers_close: Some(team.schedule.answers_close(date)),
            ..Default::default()
        };
        store.open_day(&team.id, date, &plan, now).await.unwrap();
        for i in 0..1000 {
            let m = Member::new(&team, EmailAddress::parse(&format!("m{i}@example.com")).unwrap(), None, now);
            store.add_member(&m).await.unwrap();
            let token = keys.seal(&Claims::new(Purpose::Answer, &team.id, &m.id, date, now));
            reqs.push(HttpRequest {
                method: "POST".into(),
                path: "/r".into(),
                content_type: "application/x-www-form-urlencoded".into(),
                body: format!("t={token}&s={}", i % 5 + 1).into_bytes(),
                ..Default::default()
            });
        }
    });
    (ResponseApi { store, keys, voters: VoterSecret::development(), clock: Arc::new(ManualClock::new(now)) }, reqs)
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
