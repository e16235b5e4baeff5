//! A day at scale in virtual time: the real sender and bounce handler, over the in-memory table
//! behind a latency per call ([`store::MeteredStore`]) and SES at an account's MaxSendRate
//! ([`ses::ScaleSes`]); the sender invoked by a five-minute schedule with Lambda's deadline,
//! and by itself when it continues. Paused tokio time: the figures are those of the modelled
//! latencies, whatever the machine running it (its own CPU time is not in them).

pub mod ses;
pub mod store;

use crate::world::SimClock;
use jiff::{SignedDuration, Timestamp};
use morale::alert::{Alert, AlertError, Alerter};
use morale::clock::Clock;
use morale::config::SenderConfig;
use morale::domain::{EmailAddress, Member, Schedule, Team, TeamId};
use morale::email::EmailRenderer;
use morale::store::prelude::*;
use morale::token::TokenKeys;
use morale_bounce_handler::{BounceConfig, BounceHandler};
use morale_sender::{Command, Continuation, Sender};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::time::Instant;

/// The sender's Lambda timeout and its schedule (template.yaml).
const TIMEOUT: Duration = Duration::from_secs(300);
const TICK: Duration = Duration::from_secs(300);

/// What to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub members: usize,
    pub teams: usize,
    /// Teams are spread over this many zones, an hour apart, each sending at 09:00 local; with
    /// 1, every team falls due at one instant (one batch).
    pub zones: usize,
    pub max_send_rate: f64,
    pub ses_latency: Duration,
    pub store_latency: Duration,
    /// From the sender asking to be continued to the new invocation's start.
    pub continue_latency: Duration,
    /// Every tick comes twice, a second apart (Scheduler delivers at least once).
    pub duplicate_ticks: bool,
}

/// Emails that fell due at one instant: the teams of one zone.
#[derive(Debug, Clone)]
pub struct Batch {
    pub due: Timestamp,
    pub emails: u64,
    /// From the due instant to the first and to the last acceptance.
    pub first: Duration,
    pub last: Duration,
}

impl Batch {
    /// The batch's achieved rate over its whole length (due instant to last acceptance).
    pub fn rate(&self) -> f64 {
        self.emails as f64 / self.last.as_secs_f64()
    }
}

#[derive(Debug, Clone)]
pub struct Figures {
    pub scenario: Scenario,
    pub batches: Vec<Batch>,
    pub accepted: u64,
    pub throttled: u64,
    pub duplicates: u64,
    pub store: store::StoreCounts,
    pub sender_invocations: u64,
    pub continuations: u64,
    /// Lambda's billed time of the sender, and of the bounce handler.
    pub sender_seconds: f64,
    pub bounce_invocations: u64,
    pub bounce_seconds: f64,
    pub alerts: Vec<String>,
    /// The metrics written to CloudWatch in each hour of the day (hours since the epoch): each
    /// is billed for the hours it is written in.
    pub metric_hours: BTreeMap<i64, BTreeSet<&'static str>>,
}

impl Figures {
    pub fn emails(&self) -> u64 {
        self.batches.iter().map(|b| b.emails).sum()
    }

    /// The batch with the most emails (the busy hour), the first at a tie.
    pub fn busiest(&self) -> &Batch {
        self.batches.iter().rev().max_by_key(|b| b.emails).expect("a batch")
    }

    pub fn writes_per_email(&self) -> f64 {
        self.store.writes as f64 / self.accepted.max(1) as f64
    }

    /// Writes to the emails' own items (outbox, and a member's soft bounces) per email: what
    /// every email costs, without the day's and the team's few.
    pub fn email_writes_per_email(&self) -> f64 {
        let own =
            |op: &str| ["write enqueue", "write outbox", "write reset_soft_bounces"].iter().any(|p| op.starts_with(p));
        let n: u64 = self.store.calls.iter().filter(|(op, _)| own(op)).map(|(_, n)| n).sum();
        n as f64 / self.accepted.max(1) as f64
    }

    pub fn reads_per_email(&self) -> f64 {
        self.store.reads as f64 / self.accepted.max(1) as f64
    }

    /// Hours (since the epoch) in which some batch was going out.
    pub fn sending_hours(&self) -> BTreeSet<i64> {
        let hour = |t: Timestamp| t.as_second().div_euclid(3_600);
        let at = |due: Timestamp, d: Duration| due + SignedDuration::try_from(d).expect("in range");
        self.batches.iter().flat_map(|b| hour(at(b.due, b.first))..=hour(at(b.due, b.last))).collect()
    }

    /// Metrics written per hour with sending, on average.
    pub fn metrics_per_sending_hour(&self) -> f64 {
        let written: usize = self.metric_hours.values().map(BTreeSet::len).sum();
        written as f64 / self.sending_hours().len().max(1) as f64
    }
}

/// Alerts are kept, to be shown: a day at scale should raise none.
#[derive(Default)]
struct Pager(Mutex<Vec<String>>);

#[async_trait::async_trait]
impl Alerter for Pager {
    async fn alert(&self, alert: &Alert) -> Result<(), AlertError> {
        self.0.lock().expect("lock").push(alert.subject.clone());
        Ok(())
    }
}

/// Invocations of the sender: the schedule's, and its own continuations.
struct Lambda {
    sender: Mutex<Weak<Sender>>,
    latency: Duration,
    invocations: AtomicU64,
    continuations: AtomicU64,
    billed_ms: AtomicU64,
    began: Instant,
}

impl Lambda {
    fn invoke(self: &Arc<Self>, command: Command) {
        let Some(sender) = self.sender.lock().expect("lock").upgrade() else { return };
        let me = self.clone();
        tokio::spawn(async move {
            let start = Instant::now();
            me.invocations.fetch_add(1, Ordering::Relaxed);
            let r = tokio::time::timeout(TIMEOUT, sender.handle(command.clone(), start + TIMEOUT)).await;
            if std::env::var_os("SCALE_LOG").is_some() {
                let at = |i: Instant| (i - me.began).as_secs_f64();
                eprintln!("{:>9.2}..{:>9.2} {command:?}: {r:?}", at(start), at(Instant::now()));
            }
            me.billed_ms.fetch_add((Instant::now() - start).as_millis() as u64, Ordering::Relaxed);
        });
    }
}

/// The sender's continuation: a new invocation after the latency of getting one started.
struct Continues(Arc<Lambda>);

#[async_trait::async_trait]
impl Continuation for Continues {
    async fn continue_sending(&self) -> Result<(), String> {
        self.0.continuations.fetch_add(1, Ordering::Relaxed);
        let me = self.0.clone();
        tokio::spawn(async move {
            tokio::time::sleep(me.latency).await;
            me.invoke(Command::Continue);
        });
        Ok(())
    }
}

/// Twenty zones an hour apart (fixed offsets: no daylight saving inside the run).
fn zone(i: usize) -> String {
    let offset = 9 - i as i32;
    match offset {
        0 => "UTC".into(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

/// Runs the scenario to the end of its day; must be called outside any runtime.
pub fn run(s: &Scenario) -> Figures {
    morale::random::seed_this_thread(1);
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().expect("a runtime");
    let figures = rt.block_on(day(s));
    morale::random::unseed_this_thread();
    figures
}

async fn day(s: &Scenario) -> Figures {
    // Monday 2026-03-02: the first zone (UTC+9) sends at 00:00 UTC; the run starts at the tick
    // before, and the ticks fall on whole five minutes as Scheduler's do.
    let start: Timestamp = "2026-03-01T23:55:00Z".parse().expect("a timestamp");
    let clock = Arc::new(SimClock::starting(start));
    let metric_hours = Arc::new(Mutex::new(BTreeMap::<i64, BTreeSet<&'static str>>::new()));
    {
        let (clock, hours) = (clock.clone(), metric_hours.clone());
        morale::metrics::capture_on_this_thread(move |m| {
            let hour = clock.now().as_second().div_euclid(3_600);
            let written: Vec<&'static str> = m.values().map(|(name, _)| name).collect();
            if !written.is_empty() {
                hours.lock().expect("lock").entry(hour).or_default().extend(written);
            }
        });
    }
    let table = Arc::new(store::MeteredStore::new(s.store_latency));
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let ses = Arc::new(ses::ScaleSes::new(s.max_send_rate, s.ses_latency, clock.clone(), tx));
    let pager = Arc::new(Pager::default());

    let created = start - SignedDuration::from_hours(1);
    let mut due_of: BTreeMap<TeamId, Timestamp> = BTreeMap::new();
    for t in 0..s.teams {
        let schedule = Schedule::parse(&zone(t % s.zones), "09:00", "mon-fri").expect("a schedule");
        let admin = EmailAddress::parse(&format!("lead-{t}@example.com")).expect("an address");
        let id = TeamId::parse(&format!("team-{t:05}")).expect("an id");
        let team = Team::new(id.clone(), format!("Team {t}"), schedule, vec![admin], created)
            .with_member_key(morale::domain::MemberKey::from_bytes([t as u8; 32]));
        due_of.insert(id, team.next_send_at.expect("scheduled"));
        table.table.create_team(&team).await.expect("a new team");
        let size = s.members / s.teams + usize::from(t < s.members % s.teams);
        for i in 0..size {
            let email = EmailAddress::parse(&format!("m-{t}-{i}@example.com")).expect("an address");
            table.table.add_member(&Member::new(&team, email, None, created)).await.expect("a new member");
        }
    }

    let lambda = Arc::new(Lambda {
        sender: Mutex::new(Weak::new()),
        latency: s.continue_latency,
        invocations: AtomicU64::new(0),
        continuations: AtomicU64::new(0),
        billed_ms: AtomicU64::new(0),
        began: Instant::now(),
    });
    let mut config = SenderConfig::new("morale.example", "Morale <noreply@morale.example>", Some("morale"));
    config.catch_up_grace = None;
    let sender = Arc::new(Sender {
        store: table.clone(),
        mailer: ses.clone(),
        alerter: pager.clone(),
        clock: clock.clone(),
        renderer: EmailRenderer::new(TokenKeys::development(), "https://api.morale.example"),
        config,
        continuation: Arc::new(Continues(lambda.clone())),
    });
    *lambda.sender.lock().expect("lock") = Arc::downgrade(&sender);
    let bounce = Arc::new(BounceHandler {
        store: table.clone(),
        alerter: pager.clone(),
        clock: clock.clone(),
        config: BounceConfig::default(),
    });
    let bounce_runs = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
    {
        let (bounce, runs) = (bounce.clone(), bounce_runs.clone());
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                let (bounce, runs) = (bounce.clone(), runs.clone());
                tokio::spawn(async move {
                    // EventBridge's way to the function.
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    let began = Instant::now();
                    let _ = bounce.handle(event).await;
                    runs.0.fetch_add(1, Ordering::Relaxed);
                    runs.1.fetch_add((Instant::now() - began).as_millis() as u64, Ordering::Relaxed);
                });
            }
        });
    }

    // Until an hour after the last zone's send time.
    let last_due = *due_of.values().max().expect("a team");
    let until = Instant::now() + Duration::try_from(last_due - start).expect("ahead") + Duration::from_secs(3_600);
    let mut next = Instant::now();
    while next < until {
        tokio::time::sleep_until(next).await;
        lambda.invoke(Command::Tick);
        if s.duplicate_ticks {
            tokio::time::sleep(Duration::from_secs(1)).await;
            lambda.invoke(Command::Tick);
        }
        next += TICK;
    }
    tokio::time::sleep(TIMEOUT).await;

    let seen = ses.seen.lock().expect("lock");
    let mut by_due: BTreeMap<Timestamp, Vec<(&TeamId, u64)>> = BTreeMap::new();
    for (team, due) in &due_of {
        let size = s.members / s.teams + usize::from(team_index(team) < s.members % s.teams);
        by_due.entry(*due).or_default().push((team, size as u64));
    }
    let since = |due: Timestamp, t: Timestamp| Duration::try_from(t - due).unwrap_or_default();
    let batches = by_due
        .into_iter()
        .map(|(due, teams)| {
            let times: Vec<(Timestamp, Timestamp)> =
                teams.iter().filter_map(|(t, _)| seen.teams.get(*t).copied()).collect();
            let first = times.iter().map(|t| t.0).min().unwrap_or(due);
            let last = times.iter().map(|t| t.1).max().unwrap_or(due);
            Batch { due, emails: teams.iter().map(|(_, n)| n).sum(), first: since(due, first), last: since(due, last) }
        })
        .collect();
    let figures = Figures {
        scenario: s.clone(),
        batches,
        accepted: seen.accepted,
        throttled: seen.throttled,
        duplicates: seen.duplicates,
        store: table.counts.lock().expect("lock").clone(),
        sender_invocations: lambda.invocations.load(Ordering::Relaxed),
        continuations: lambda.continuations.load(Ordering::Relaxed),
        sender_seconds: lambda.billed_ms.load(Ordering::Relaxed) as f64 / 1000.0,
        bounce_invocations: bounce_runs.0.load(Ordering::Relaxed),
        bounce_seconds: bounce_runs.1.load(Ordering::Relaxed) as f64 / 1000.0,
        alerts: pager.0.lock().expect("lock").clone(),
        metric_hours: metric_hours.lock().expect("lock").clone(),
    };
    morale::metrics::stop_capture_on_this_thread();
    figures
}

fn team_index(team: &TeamId) -> usize {
    team.as_str().trim_start_matches("team-").parse().expect("team-NNNNN")
}
