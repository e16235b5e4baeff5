//! One simulated run: teams and members, the real sender on a five-minute schedule that skips,
//! repeats and crashes, the real bounce handler behind EventBridge's retries, operators
//! changing people, and every AWS call failing by the seed's plan. All on one thread in paused
//! time, so that a seed replays exactly.

use crate::dice::Dice;
use crate::log::{AlertAttempt, Function, Invocation, Log, Reachability};
use crate::plan::{Plan, RUN, UnreadableRecord, run_for};
use crate::readers::Readers;
use crate::ses::{Arrival, SimSes, UNKNOWN_MAILBOX};
use crate::store::SimStore;
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use morale::alert::{Alert, AlertError, Alerter, MeteredAlerter};
use morale::clock::Clock;
use morale::config::SenderConfig;
use morale::domain::{EmailAddress, LocalTime, Member, MemberId, MemberStatus, Schedule, StatusChange, Team, TeamId};
use morale::domain::{QuietDays, TimeZone, WeeklyDigest};
use morale::email::EmailRenderer;
use morale::store::prelude::*;
use morale::token::TokenKeys;
use morale_bounce_handler::{BounceConfig, BounceHandler};
use morale_sender::{Command, Sender};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The sender's and the bounce handler's Lambda timeouts (template.yaml).
pub const SENDER_TIMEOUT: Duration = Duration::from_secs(300);
pub const BOUNCE_TIMEOUT: Duration = Duration::from_secs(30);
pub const TICK: Duration = Duration::from_secs(300);
/// Where the email's links lead: the response API.
pub const API_BASE: &str = "https://api.morale.example";
const ZONES: [&str; 7] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Asia/Kolkata",
];

/// Time in the simulation: paused tokio time, from the run's start.
pub struct SimClock {
    base: Timestamp,
    at: Instant,
}

impl SimClock {
    /// A clock at `base` now (must run inside the paused runtime).
    pub fn starting(base: Timestamp) -> Self {
        Self { base, at: Instant::now() }
    }
}

impl Clock for SimClock {
    fn now(&self) -> Timestamp {
        self.base + SignedDuration::try_from(Instant::now() - self.at).expect("in range")
    }
}

thread_local! {
    static NOW: std::cell::RefCell<Option<Arc<SimClock>>> = const { std::cell::RefCell::new(None) };
}

/// Log lines of a replay carry the simulated time.
pub struct SimTime;

impl tracing_subscriber::fmt::time::FormatTime for SimTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        match NOW.with(|n| n.borrow().as_ref().map(|c| c.now())) {
            Some(t) => write!(w, "{t}"),
            None => write!(w, "-"),
        }
    }
}

/// The alert topic, which refuses some publishes.
struct SimTopic {
    failure: f64,
    dice: Arc<Dice>,
    log: Arc<Log>,
    clock: Arc<SimClock>,
}

#[async_trait]
impl Alerter for SimTopic {
    async fn alert(&self, alert: &Alert) -> Result<(), AlertError> {
        tokio::time::sleep(self.dice.millis(5, 50)).await;
        let published = !self.dice.chance(self.failure);
        self.log.with(|l| {
            l.alerts.push(AlertAttempt {
                at: self.clock.now(),
                subject: alert.subject.clone(),
                message: alert.message.clone(),
                published,
            })
        });
        if published { Ok(()) } else { Err(AlertError("KMSAccessDeniedException (simulated)".into())) }
    }
}

pub struct World {
    pub seed: u64,
    pub plan: Plan,
    pub dice: Arc<Dice>,
    pub log: Arc<Log>,
    pub clock: Arc<SimClock>,
    pub store: Arc<SimStore>,
    pub sender: Sender,
    pub bounce: BounceHandler,
    pub readers: Readers,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Teams and members as the run began.
    pub teams: Vec<Team>,
    pub members: Vec<Member>,
}

impl World {
    /// Builds the world for `seed`; must run inside the paused runtime.
    pub async fn new(seed: u64) -> (Arc<World>, mpsc::UnboundedReceiver<Arrival>) {
        let dice = Arc::new(Dice::new(seed));
        let plan = Plan::draw(&dice);
        let log = Arc::new(Log::default());
        let base: Timestamp = "2026-03-02T00:00:00Z".parse().expect("a timestamp");
        let start = base + SignedDuration::from_hours(dice.between(0, 7 * 24 - 1) as i64);
        let clock = Arc::new(SimClock { base: start, at: Instant::now() });
        NOW.with(|n| *n.borrow_mut() = Some(clock.clone()));
        let store = Arc::new(SimStore::new(plan.store.clone(), dice.clone(), log.clone(), clock.clone()));
        let (tx, rx) = mpsc::unbounded_channel();
        let identity = "morale.example";
        let ses = Arc::new(SimSes::new(identity, &plan, dice.clone(), log.clone(), clock.clone(), tx));
        let topic =
            SimTopic { failure: plan.alert_failure, dice: dice.clone(), log: log.clone(), clock: clock.clone() };
        let alerter = Arc::new(MeteredAlerter::new(topic));
        let sender = Sender {
            store: store.clone(),
            mailer: ses,
            alerter: alerter.clone(),
            clock: clock.clone(),
            renderer: EmailRenderer::new(TokenKeys::development(), API_BASE),
            config: SenderConfig::new(identity, &format!("Morale <noreply@{identity}>"), Some("morale")),
            continuation: Arc::new(morale_sender::continuation::NextTick),
        };
        let bounce =
            BounceHandler { store: store.clone(), alerter, clock: clock.clone(), config: BounceConfig::default() };

        let created = start - SignedDuration::from_hours(1);
        let (mut teams, mut members) = (Vec::new(), Vec::new());
        for t in 0..dice.between(1, 4) {
            let zone = *dice.pick(&ZONES);
            let time = format!("{:02}:{:02}", dice.between(7, 11), dice.between(0, 59));
            let days = if dice.chance(0.2) { "sun-thu" } else { "mon-fri" };
            let schedule = Schedule::parse(zone, &time, days).expect("a schedule");
            let admin = EmailAddress::parse(&format!("lead-{t}@example.com")).expect("an address");
            let mut team = Team::new(
                TeamId::parse(&format!("team-{t}")).expect("an id"),
                format!("Team {t}"),
                schedule,
                vec![admin],
                created,
            )
            // From the seed, not its dice: the other draws stay what they were.
            .with_member_key(member_key(seed, t));
            // One run in three: each team takes a day off, the run's second or third (not sent,
            // not missed; the ledger check asks the schedule, which skips it).
            if seed % 3 == 1 {
                let day = team.schedule.local_date(start).next_day();
                let day = if t % 2 == 0 { day } else { day.next_day() };
                let quiet = QuietDays::new([day]).expect("one day");
                team.schedule = team.schedule.clone().with_quiet(quiet);
                team.next_send_at = Some(team.schedule.next_send_after(created));
            }
            if dice.chance(0.3) {
                let day = team.schedule.local_date(start).date().weekday();
                team.digest = WeeklyDigest::parse(&format!("{} 16:00", short(day)), team.schedule.workdays).ok();
            }
            store.table.create_team(&team).await.expect("a new team");
            for i in 0..dice.between(1, 6) {
                let local = if dice.chance(plan.mailboxes.unknown) { UNKNOWN_MAILBOX } else { "m" };
                let email = EmailAddress::parse(&format!("{local}-{t}-{i}@example.com")).expect("an address");
                let m = Member::new(&team, email, None, created);
                store.table.add_member(&m).await.expect("a new member");
                members.push(m);
            }
            teams.push(team);
        }
        if let Some(kind) = plan.unreadable {
            let team = dice.pick(&teams).id.clone();
            let member = dice.pick(&members.iter().filter(|m| m.team == team).collect::<Vec<_>>()).id.clone();
            let mut c = store.corrupt.lock().expect("lock");
            match kind {
                UnreadableRecord::Team => c.team = Some(team),
                UnreadableRecord::Member => c.member = Some((team, member)),
                UnreadableRecord::Outbox => c.outbox_of = Some(member),
            }
        }
        let end = start + SignedDuration::try_from(run_for(seed)).expect("in range");
        let readers = Readers::new(seed, &store, log.clone(), clock.clone());
        let world = World { seed, plan, dice, log, clock, store, sender, bounce, readers, start, end, teams, members };
        (Arc::new(world), rx)
    }

    /// Runs the world from its start to its end.
    pub async fn run(self: &Arc<Self>, mut events: mpsc::UnboundedReceiver<Arrival>) {
        let log = self.log.clone();
        let clock = self.clock.clone();
        morale::metrics::capture_on_this_thread(move |m| {
            let now = clock.now();
            log.with(|l| l.metrics.extend(m.values().map(|(name, v)| (now, name.to_string(), v))));
        });
        let began = Instant::now();
        let until = began + run_for(self.seed);
        let mut tasks = JoinSet::new();
        let w = self.clone();
        tasks.spawn(async move {
            while let Some(arrival) = events.recv().await {
                let w = w.clone();
                match arrival {
                    Arrival::Event(delay, event) if Instant::now() + delay < until => {
                        tokio::spawn(async move {
                            tokio::time::sleep(delay).await;
                            w.deliver(event).await;
                        });
                    }
                    Arrival::Event(..) => {}
                    Arrival::Mail(key, text) => {
                        tokio::spawn(async move { w.readers.read(key, text).await });
                    }
                }
            }
        });
        for _ in 0..self.plan.people_changes {
            let w = self.clone();
            let at = began + Duration::from_secs(self.dice.between(0, RUN.as_secs()));
            tasks.spawn(async move {
                tokio::time::sleep_until(at).await;
                w.operator_change().await;
            });
        }
        let mut next = began;
        while next < until {
            tokio::time::sleep_until(next).await;
            let ticks = &self.plan.ticks;
            if self.dice.chance(ticks.skipped) {
                self.log.fault("tick: skipped");
            } else {
                let copies = if self.dice.chance(ticks.duplicated) { 2 } else { 1 };
                for copy in 0..copies {
                    let w = self.clone();
                    let after = if copy == 0 { Duration::ZERO } else { self.dice.millis(0, 20_000) };
                    tasks.spawn(async move {
                        tokio::time::sleep(after).await;
                        w.tick().await;
                    });
                }
            }
            next += TICK;
        }
        // Invocations under way finish (or time out); nothing new starts.
        tokio::time::sleep(SENDER_TIMEOUT + Duration::from_secs(1)).await;
        tasks.shutdown().await;
        morale::metrics::stop_capture_on_this_thread();
    }

    /// One scheduled invocation of the sender, which may be killed at any moment.
    async fn tick(&self) {
        let start = self.clock.now();
        let deadline = Instant::now() + SENDER_TIMEOUT;
        let killed = self.dice.chance(self.plan.ticks.killed);
        let limit = if killed { self.dice.millis(0, SENDER_TIMEOUT.as_millis() as u64) } else { SENDER_TIMEOUT };
        let error = match tokio::time::timeout(limit, self.sender.handle(Command::Tick, deadline)).await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => {
                self.log.crash(self.clock.now(), SignedDuration::try_from(SENDER_TIMEOUT).expect("in range"));
                Some(if killed { "killed".into() } else { "timed out".into() })
            }
        };
        self.finished(Function::Sender, start, error);
    }

    /// One SES event through EventBridge to the bounce handler: an error or a crash is retried
    /// twice (Lambda's asynchronous invocation), then the event goes to the dead-letter queue.
    async fn deliver(&self, event: serde_json::Value) {
        for attempt in 0..3u32 {
            let start = self.clock.now();
            let killed = self.dice.chance(self.plan.ticks.killed);
            let limit = if killed { self.dice.millis(0, BOUNCE_TIMEOUT.as_millis() as u64) } else { BOUNCE_TIMEOUT };
            let error = match tokio::time::timeout(limit, self.bounce.handle(event.clone())).await {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some(if killed { "killed".into() } else { "timed out".into() }),
            };
            let failed = error.is_some();
            self.finished(Function::BounceHandler, start, error);
            if !failed {
                return;
            }
            if attempt < 2 {
                tokio::time::sleep(Duration::from_secs(60 * (attempt as u64 + 1))).await;
            }
        }
        let key = morale::ses_event::parse_value(event)
            .ok()
            .and_then(|e| e.correlation)
            .map(|c| morale::domain::OutboxKey { team: c.team, date: c.date, member: c.member });
        let at = self.clock.now();
        self.log.with(|l| l.dead_letters.push((at, key)));
    }

    fn finished(&self, function: Function, start: Timestamp, error: Option<String>) {
        let end = self.clock.now();
        self.log.with(|l| l.invocations.push(Invocation { function, start, end, error }));
    }

    /// What an operator does with moralectl: the same domain rules, straight to the table.
    async fn operator_change(&self) {
        let table = &self.store.table;
        let now = self.clock.now();
        let team = self.dice.pick(&self.teams).id.clone();
        let members = table.list_members(&team).await.expect("the table");
        let reach = |member: Option<MemberId>, reachable: bool, why: &str| {
            self.log.with(|l| {
                l.reachability.push(Reachability { team: team.clone(), member, at: now, reachable, why: why.into() })
            })
        };
        match self.dice.between(0, 6) {
            0 => {
                let n = self.dice.between(100, 999);
                let email = EmailAddress::parse(&format!("new-{n}@example.com")).expect("an address");
                let Some(t) = table.get_team(&team).await.expect("the table") else { return };
                let m = Member::new(&t, email, None, now);
                if table.add_member(&m).await.is_ok() {
                    self.log.with(|l| l.added.push((team.clone(), m.id.clone(), now)));
                }
            }
            k @ (1 | 2) if !members.is_empty() => {
                let m = self.dice.pick(&members);
                let (from, to) = if k == 1 {
                    (MemberStatus::Active, MemberStatus::Paused)
                } else {
                    (MemberStatus::Paused, MemberStatus::Active)
                };
                let change = StatusChange { from: &[from], to, reason: "by an operator", at: now };
                if let Ok(Some(_)) = table.set_status(&team, &m.id, change).await {
                    reach(Some(m.id.clone()), k == 2, &format!("{to} by an operator"));
                }
            }
            3 if !members.is_empty() => {
                let m = self.dice.pick(&members);
                if table.remove_member(&team, &m.id).await.is_ok() {
                    reach(Some(m.id.clone()), false, "removed by an operator");
                }
            }
            k => {
                let Some(mut t) = table.get_team(&team).await.expect("the table") else { return };
                match k {
                    4 => {
                        t.pause();
                        reach(None, false, "team paused by an operator");
                    }
                    5 => {
                        // Only a paused team (moralectl refuses the others).
                        if !t.resume(now) {
                            return;
                        }
                        reach(None, true, "team resumed by an operator");
                    }
                    _ => {
                        let mut s = t.schedule.clone();
                        if self.dice.chance(0.5) {
                            let zone: &&str = self.dice.pick(&ZONES);
                            s.zone = TimeZone::parse(zone).expect("a zone");
                        } else {
                            let time = format!("{:02}:{:02}", self.dice.between(6, 20), self.dice.between(0, 59));
                            s.time = LocalTime::parse(&time).expect("a time");
                        }
                        t.reschedule(s, now);
                    }
                }
                table.update_team(&t).await.expect("no one else updates teams");
                self.log.with(|l| {
                    l.rescheduled.entry(team.clone()).or_insert(now);
                });
            }
        }
    }
}

fn short(day: jiff::civil::Weekday) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.to_monday_zero_offset() as usize]
}

/// A team's member key in a run: from the seed, so that a run repeats.
fn member_key(seed: u64, team: u64) -> morale::domain::MemberKey {
    let mut k = [7u8; 32];
    k[..8].copy_from_slice(&seed.to_be_bytes());
    k[8..16].copy_from_slice(&team.to_be_bytes());
    morale::domain::MemberKey::from_bytes(k)
}
