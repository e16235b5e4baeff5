//! Morale's deterministic simulator. The real sender, bounce handler and response API run
//! against simulated AWS — DynamoDB, SES, EventBridge, Scheduler, SNS, Lambda itself — every
//! call of which can fail by a plan drawn from a seed, and the email's readers use its links;
//! after each run the ledger invariant, and the readers', are checked.
//!
//! One seed is one run, on one thread, in paused time (tokio's test clock: sleeps cost
//! nothing, and the clock the functions read follows it); all randomness, the world's and the
//! functions' own (`morale::random`), comes from the seed, so a seed replays exactly.

pub mod away;
pub mod dice;
pub mod ledger;
pub mod log;
pub mod plan;
pub mod readers;
pub mod scale;
pub mod ses;
pub mod store;
pub mod world;

use ledger::Alarms;

/// What one seed's run found.
pub struct Verdict {
    pub seed: u64,
    pub violations: Vec<String>,
    /// Days whose answers closed during the run: figures fixed, who voted forgotten.
    pub days_forgotten: usize,
    /// Members' own pauses ("I'm away until …") the table took, and the emails they skipped.
    pub pauses: usize,
    /// The plan and what was injected, for a replay.
    pub story: String,
}

/// Runs the world of `seed` and checks the ledger.
pub fn run(seed: u64, alarms: &Alarms) -> Verdict {
    morale::random::seed_this_thread(seed);
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().expect("a runtime");
    let verdict = rt.block_on(async {
        let (world, events) = world::World::new(seed).await;
        world.run(events).await;
        let mut violations = ledger::check(&world, alarms).await;
        violations.extend(readers::check(&world).await);
        violations.extend(away::check(&world));
        let mut days_forgotten = 0;
        for t in &world.teams {
            let days = morale::store::DayStore::list_days(&*world.store.table, &t.id, morale::domain::SendDate::parse("2000-01-01").expect("a date"), morale::domain::SendDate::parse("2100-01-01").expect("a date"))
                .await
                .expect("the table");
            days_forgotten += days.iter().filter(|d| d.forgotten_at.is_some()).count();
        }
        let story = world.log.with(|l| {
            format!(
                "{:#?}\n{:#?}\nteams: {}, members: {}, SES acceptances: {}, alerts: {}, invocations: {} ({} failed), dead letters: {}, quarantined: {:?}, readers' POSTs: {} ({} \"try again\")\nfaults injected: {:?}",
                world.plan,
                world.readers.plan,
                world.teams.len(),
                world.members.len(),
                l.acceptances.len(),
                l.alerts.len(),
                l.invocations.len(),
                l.invocations.iter().filter(|i| i.error.is_some()).count(),
                l.dead_letters.len(),
                l.quarantined,
                l.api_calls.len(),
                l.api_calls.iter().filter(|c| c.status == 503).count(),
                l.faults
            ) + &l.dead_letters.iter().map(|(t, k)| format!("\ndead letter at {t}: {k:?}")).collect::<String>()
                + &l.invocations.iter().filter(|i| i.error.is_some()).map(|i| format!("\n{:?} failed {}..{}: {}", i.function, i.start, i.end, i.error.as_deref().unwrap_or(""))).collect::<String>()
                + &l.reachability.iter().map(|r| format!("\n{} {}/{:?} {}: {}", r.at, r.team, r.member, if r.reachable { "reachable" } else { "unreachable" }, r.why)).collect::<String>()
                + &l.away.iter().map(|a| format!("\n{} {}/{} away until {:?} (by their own link)", a.at, a.team, a.member, a.back)).collect::<String>()
        });
        let pauses = world.log.with(|l| l.away.iter().filter(|a| a.back.is_some()).count());
        Verdict { seed, violations, days_forgotten, pauses, story }
    });
    morale::random::unseed_this_thread();
    verdict
}
