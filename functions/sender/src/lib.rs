//! The sender: on every tick, check that SES can send (preflight), turn due teams into outbox
//! items (one per active member and local date), and drain the outbox at the account's rate.
//!
//! Nothing is ever dropped: an email that cannot go out now stays in the outbox (pending or
//! deferred) and is retried on a later tick; one that can never go out ends `failed` with its
//! reason, and a human is told.

pub mod pacer;

use jiff::{SignedDuration, Timestamp};
use morale::alert::{Alert, Alerter};
use morale::clock::Clock;
use morale::config::SenderConfig;
use morale::domain::{MemberId, SendDate, TeamId};
use morale::email::{DailyEmail, EmailRenderer};
use morale::insights;
use morale::mail::{Mailer, OutgoingEmail, SendErrorKind, tags};
use morale::metrics::{self, Metrics, Unit};
use morale::model::{Member, OutboxItem, OutboxKey, OutboxKind, OutboxStatus, Team};
use morale::preflight::{self, Readiness};
use morale::reputation;
use morale::store::{DueItem, Store, StoreError};
use pacer::{Pacer, backoff};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// What an invocation asks for. EventBridge Scheduler sends `{"action": "tick"}`; operators
/// may send the others (`aws lambda invoke`, `moralectl`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Command {
    /// Preflight, schedule due teams, drain.
    Tick,
    /// Preflight and drain only.
    Drain,
    /// Queue today's email for one team now (members who already have it are skipped), then
    /// drain.
    SendNow { team: TeamId },
}

/// What an invocation did: returned to the caller and logged.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    /// `ok`, or what stopped sending.
    pub preflight: String,
    pub teams_scheduled: u64,
    pub emails_scheduled: u64,
    pub sends_missed: u64,
    pub sent: u64,
    pub failed: u64,
    pub suppressed: u64,
    pub released: u64,
    pub throttled: u64,
    pub transient_errors: u64,
    pub circuit_opened: Option<String>,
    pub stopped_for_deadline: bool,
    /// Emails due but not sent when the invocation ended.
    pub held: u64,
    /// Admins' digests of delivery problems sent.
    pub digests_sent: u64,
    pub achieved_send_rate: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SenderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("there is no team {0}")]
    UnknownTeam(TeamId),
}

/// Everything the sender works with, created once per process.
pub struct Sender {
    pub store: Arc<dyn Store>,
    pub mailer: Arc<dyn Mailer>,
    pub alerter: Arc<dyn Alerter>,
    pub clock: Arc<dyn Clock>,
    pub renderer: EmailRenderer,
    pub config: SenderConfig,
}

const PREFLIGHT_STATE: &str = "preflight";
/// Workdays in a row with a team mean of 2.0 or less that make the admins' low-morale alert.
const LOW_STREAK: usize = 3;
/// Throttling and 5xx are retried inline this many times before the email is released for a
/// later tick.
const INLINE_RETRIES: u32 = 4;
const RETRY_BASE: Duration = Duration::from_millis(100);
const RETRY_CAP: Duration = Duration::from_secs(5);
/// A released email is due again this much later.
const RETRY_LATER: SignedDuration = SignedDuration::from_mins(1);

#[derive(Debug, Default, Serialize, Deserialize)]
struct PreflightState {
    failing: bool,
    problem: String,
    since: Option<Timestamp>,
    last_alert_at: Option<Timestamp>,
}

impl Sender {
    /// Handles one invocation. `deadline` is when the Lambda invocation ends.
    pub async fn handle(&self, command: Command, deadline: Instant) -> Result<Report, SenderError> {
        let mut report = Report::default();
        let mut m = Metrics::new();
        let now = self.clock.now();
        match &command {
            Command::Tick => self.schedule_due(now, &mut report, &mut m).await?,
            Command::SendNow { team } => self.send_now(team, now, &mut report, &mut m).await?,
            Command::Drain => {}
        }
        match self.preflight().await {
            Readiness::NotReady { problem, advice } => {
                report.preflight = problem.clone();
                let (held, teams, _) = self.held(now).await?;
                report.held = held;
                m.count(metrics::PREFLIGHT_FAILED, 1);
                m.gauge(metrics::HELD_EMAILS, held as f64, Unit::Count);
                tracing::warn!(%problem, held, "preflight failed: nothing is sent this tick");
                let message = format!("{problem} — {advice}\n\n{}", held_text(held, teams));
                self.on_failure(&problem, &message, now).await?;
            }
            Readiness::Ready { max_send_rate } => {
                report.preflight = "ok".into();
                m.count(metrics::PREFLIGHT_FAILED, 0);
                self.drain(max_send_rate, deadline, &mut report, &mut m).await?;
                let now = self.clock.now();
                reputation::add(
                    self.store.as_ref(),
                    now,
                    reputation::Counts { sent: report.sent, ..Default::default() },
                )
                .await?;
                if !self.out_of_time(deadline) && report.circuit_opened.is_none() {
                    report.digests_sent = self.send_digests(now).await?;
                }
                let (held, _, oldest) = self.held(now).await?;
                report.held = held;
                m.gauge(metrics::HELD_EMAILS, held as f64, Unit::Count);
                m.gauge(metrics::OUTBOX_OLDEST_PENDING_AGE, oldest.as_secs_f64().max(0.0), Unit::Seconds);
                if report.circuit_opened.is_none() {
                    self.on_recovery(report.sent, now).await?;
                }
            }
        }
        m.flush();
        tracing::info!(report = ?report, "sender invocation done");
        Ok(report)
    }

    /// SESv2 GetAccount and GetEmailIdentity, and the reputation guard's pause.
    pub async fn preflight(&self) -> Readiness {
        preflight::check(self.mailer.as_ref(), self.store.as_ref(), &self.config.identity, self.clock.now()).await
    }

    /// Emails due now and not sent: how many, for how many teams, and the oldest's age.
    async fn held(&self, now: Timestamp) -> Result<(u64, usize, Duration), StoreError> {
        let due = self.store.due_outbox(now, 100_000).await?;
        let teams: HashSet<&TeamId> = due.iter().map(|i| &i.key.team).collect();
        let oldest = due
            .iter()
            .map(|i| i.due_at)
            .min()
            .map(|d| Duration::try_from(now.duration_since(d)).unwrap_or_default())
            .unwrap_or_default();
        Ok((due.len() as u64, teams.len(), oldest))
    }

    // --- scheduling ----------------------------------------------------------------------

    /// Teams whose send instant has passed get one outbox item per active member for that
    /// local date; then their next instant moves on. A send missed during an outage still
    /// goes out later the same local day, never on the next.
    async fn schedule_due(&self, now: Timestamp, report: &mut Report, m: &mut Metrics) -> Result<(), StoreError> {
        for team in self.store.due_teams(now).await? {
            let Some(expected) = team.next_send_at else { continue };
            let members: Vec<Member> =
                self.store.list_members(&team.id).await?.into_iter().filter(|m| m.status.receives_email()).collect();
            let mut at = expected;
            // Bounded: at most a month of missed days is walked in one tick.
            for _ in 0..31 {
                if at > now {
                    break;
                }
                let date = team.schedule.local_date(at);
                let mut end = team.schedule.end_of_local_day(date);
                if let Some(grace) = self.config.catch_up_grace {
                    end = end.min(at + grace);
                }
                if now < end {
                    let mut created = 0;
                    for member in &members {
                        let key = OutboxKey { team: team.id.clone(), date, member: member.id.clone() };
                        let item = OutboxItem::new(key, member.email.clone(), at, end, now);
                        if self.store.enqueue(&item).await? {
                            created += 1;
                        }
                    }
                    report.emails_scheduled += created;
                    m.count(metrics::EMAILS_SCHEDULED, created);
                    tracing::info!(team = %team.id, %date, created, "scheduled");
                    self.schedule_admin_mail(&team, date, at, end, now).await?;
                } else {
                    report.sends_missed += 1;
                    m.count(metrics::SENDS_MISSED, 1);
                    tracing::error!(team = %team.id, %date, "a daily send was missed entirely");
                    let _ = self
                        .alerter
                        .alert(&Alert::new(
                            format!("Morale: team {}'s email for {date} was never sent", team.id),
                            format!(
                                "Team {} ({}) was due at {} but no sender ran before the end of its local day {date}. \
                                 Nothing was queued for that day; the next send is scheduled as usual. \
                                 Check the sender's schedule and errors for that time.",
                                team.id, team.name, at
                            ),
                        ))
                        .await;
                }
                at = team.schedule.next_send_after(at);
            }
            if self.store.advance_team(&team.id, expected, at).await? {
                report.teams_scheduled += 1;
            }
        }
        Ok(())
    }

    /// On the team's digest day, the admins' weekly digest; after three hard workdays in a
    /// row, their low-morale alert, once per streak. Both go through the outbox.
    async fn schedule_admin_mail(
        &self,
        team: &Team,
        date: SendDate,
        at: Timestamp,
        end: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if team.admins.is_empty() {
            return Ok(());
        }
        if let Some(d) = team.digest.filter(|d| d.weekday == date.date().weekday()) {
            let on_time = morale::domain::Schedule::new(team.schedule.zone.clone(), d.time, team.schedule.workdays);
            let due = on_time.instant_on(date).unwrap_or(at);
            for admin in &team.admins {
                let item =
                    OutboxItem::for_admin(OutboxKind::Weekly, team.id.clone(), date, admin.clone(), due, end, now);
                self.store.enqueue(&item).await?;
            }
        }
        let from = (0..62).fold(date, |d, _| d.previous_day());
        let responses = self.store.list_responses(&team.id, from, date.previous_day()).await?;
        let streak = insights::low_streak(&responses, date, team.schedule.workdays, LOW_STREAK);
        if let Some((start, _)) = streak.first() {
            let name = format!("low-morale#{}", team.id);
            let rec = self.store.get_state(&name).await?;
            if rec.as_ref().map(|r| r.data.as_str()) != Some(start.as_str()) {
                // Once per streak: whoever records this streak's start sends the alert.
                if self.store.put_state(&name, start.as_str(), rec.map(|r| r.version), now).await? {
                    for admin in &team.admins {
                        let item = OutboxItem::for_admin(
                            OutboxKind::LowMorale,
                            team.id.clone(),
                            date,
                            admin.clone(),
                            at,
                            end,
                            now,
                        );
                        self.store.enqueue(&item).await?;
                    }
                    tracing::warn!(team = %team.id, since = %start, "low morale: the admins are told");
                }
            }
        }
        Ok(())
    }

    async fn send_now(
        &self,
        team_id: &TeamId,
        now: Timestamp,
        report: &mut Report,
        m: &mut Metrics,
    ) -> Result<(), SenderError> {
        let team = self.store.get_team(team_id).await?.ok_or_else(|| SenderError::UnknownTeam(team_id.clone()))?;
        let date = team.schedule.local_date(now);
        let end = team.schedule.end_of_local_day(date);
        for member in self.store.list_members(&team.id).await? {
            if !member.status.receives_email() {
                continue;
            }
            let key = OutboxKey { team: team.id.clone(), date, member: member.id.clone() };
            if self.store.enqueue(&OutboxItem::new(key, member.email.clone(), now, end, now)).await? {
                report.emails_scheduled += 1;
                m.count(metrics::EMAILS_SCHEDULED, 1);
            }
        }
        Ok(())
    }

    // --- draining ------------------------------------------------------------------------

    async fn drain(
        &self,
        max_send_rate: f64,
        deadline: Instant,
        report: &mut Report,
        m: &mut Metrics,
    ) -> Result<(), StoreError> {
        let rate = (max_send_rate * self.config.send_rate_headroom).max(0.1);
        // Enough in flight to keep the rate up through SES's latency, never more than allowed.
        let concurrency = ((rate * 0.5).ceil() as usize + 4).clamp(1, self.config.max_concurrency);
        let run = Arc::new(Run {
            pacer: Pacer::new(rate, max_send_rate),
            owner: format!("sender-{:016x}", rand::random::<u64>()),
            circuit: Mutex::new(None),
            open: AtomicBool::new(false),
            teams: Mutex::new(HashMap::new()),
            counts: Counts::default(),
            failures: Mutex::new(Vec::new()),
            first_send: Mutex::new(None),
            last_send: Mutex::new(None),
        });
        let mut seen: HashSet<OutboxKey> = HashSet::new();
        let mut tasks: JoinSet<Result<(), StoreError>> = JoinSet::new();
        loop {
            if self.out_of_time(deadline) {
                report.stopped_for_deadline = true;
                tracing::warn!("stopping: the invocation's deadline is near; what is left stays due");
                break;
            }
            if run.open.load(Ordering::SeqCst) {
                break;
            }
            let now = self.clock.now();
            let page = self.store.due_outbox(now, concurrency * 2).await?;
            let fresh: Vec<DueItem> = page.into_iter().filter(|i| !seen.contains(&i.key)).collect();
            if fresh.is_empty() {
                // What is due is in flight here; wait for some of it, then look again.
                match tasks.join_next().await {
                    Some(r) => r.expect("send task")?,
                    None => break,
                }
                continue;
            }
            for item in fresh {
                while tasks.len() >= concurrency {
                    tasks.join_next().await.expect("a task").expect("send task")?;
                }
                if self.out_of_time(deadline) || run.open.load(Ordering::SeqCst) {
                    break;
                }
                seen.insert(item.key.clone());
                let ctx = Ctx {
                    store: self.store.clone(),
                    mailer: self.mailer.clone(),
                    clock: self.clock.clone(),
                    renderer: self.renderer.clone(),
                    lease: self.config.lease,
                    run: run.clone(),
                };
                tasks.spawn(async move { ctx.process(item.key).await });
            }
        }
        while let Some(r) = tasks.join_next().await {
            r.expect("send task")?;
        }

        let c = &run.counts;
        report.sent = c.sent.load(Ordering::Relaxed);
        report.failed = c.failed.load(Ordering::Relaxed);
        report.suppressed = c.suppressed.load(Ordering::Relaxed);
        report.released = c.released.load(Ordering::Relaxed);
        report.throttled = c.throttled.load(Ordering::Relaxed);
        report.transient_errors = c.transient.load(Ordering::Relaxed);
        m.count(metrics::EMAILS_SENT, report.sent);
        m.count(metrics::EMAILS_FAILED, report.failed);
        for (kind, n) in [
            (SendErrorKind::Throttled, report.throttled),
            (SendErrorKind::Transient, report.transient_errors),
            (SendErrorKind::CircuitOpen, c.rejected.load(Ordering::Relaxed)),
            (SendErrorKind::BadMessage, c.bad.load(Ordering::Relaxed)),
        ] {
            if n > 0 {
                m.count_by(metrics::SEND_ERRORS, "Kind", kind.as_str(), n);
            }
        }
        let first = *run.first_send.lock().expect("lock");
        let last = *run.last_send.lock().expect("lock");
        if let (Some(a), Some(b)) = (first, last) {
            let secs = (b - a).as_secs_f64();
            if report.sent > 1 && secs > 0.0 {
                report.achieved_send_rate = (report.sent - 1) as f64 / secs;
                m.gauge(metrics::ACHIEVED_SEND_RATE, report.achieved_send_rate, Unit::CountPerSecond);
            }
        }

        let failures = std::mem::take(&mut *run.failures.lock().expect("lock"));
        if !failures.is_empty() {
            let lines: Vec<String> = failures.iter().take(50).map(|(k, r)| format!("- {k}: {r}")).collect();
            let _ = self
                .alerter
                .alert(&Alert::new(
                    format!("Morale: {} email(s) failed permanently", failures.len()),
                    format!(
                        "These emails will not be sent; each is recorded as failed with its reason \
                         (moralectl outbox --failed). Replay them once the cause is fixed (moralectl replay).\n\n{}{}",
                        lines.join("\n"),
                        if failures.len() > 50 {
                            format!("\n… and {} more", failures.len() - 50)
                        } else {
                            String::new()
                        }
                    ),
                ))
                .await;
        }
        let circuit = run.circuit.lock().expect("lock").clone();
        if let Some(reason) = circuit {
            report.circuit_opened = Some(reason.clone());
            let now = self.clock.now();
            let (held, teams, _) = self.held(now).await?;
            let message = format!(
                "SES refused to send: {reason}. Sending stopped at once; every email not sent is kept. \
                 Check the sending identity and the account in the SES console (moralectl preflight).\n\n{}",
                held_text(held, teams)
            );
            self.on_failure(&format!("SES refused to send: {reason}"), &message, now).await?;
        }
        Ok(())
    }

    fn out_of_time(&self, deadline: Instant) -> bool {
        deadline.saturating_duration_since(Instant::now()) < self.config.deadline_margin
    }

    /// Admins' digests of delivery problems (bounced and complaining members) that are due:
    /// at most one per team per day. One that cannot go out now is tried again next tick.
    async fn send_digests(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut sent = 0;
        for d in self.store.due_digests(now).await? {
            let Some(team) = self.store.get_team(&d.team).await? else {
                self.store.mark_digest_sent(&d.team, d.date, now).await?;
                continue;
            };
            let rendered = self.renderer.digest(&team.name, d.date, &d.lines);
            let mut ok = true;
            for admin in &team.admins {
                let email = rendered.clone().to(
                    admin.clone(),
                    vec![(tags::TEAM.into(), team.id.to_string()), (tags::KIND.into(), "digest".into())],
                );
                if let Err(e) = self.mailer.send(&email).await {
                    let error = morale::domain::mask_emails(&e.to_string());
                    tracing::warn!(team = %team.id, %error, "the admins' digest could not be sent; next tick tries again");
                    ok = false;
                    break;
                }
            }
            if team.admins.is_empty() {
                tracing::warn!(team = %team.id, lines = d.lines.len(), "delivery problems, but the team has no admins to tell");
            }
            if ok && self.store.mark_digest_sent(&d.team, d.date, now).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }

    // --- alerts --------------------------------------------------------------------------

    /// Alerts when sending stops, then at most every `reminder_every` while it stays stopped.
    /// Overlapping invocations agree through a conditional write: one of them alerts.
    async fn on_failure(&self, problem: &str, message: &str, now: Timestamp) -> Result<(), StoreError> {
        let rec = self.store.get_state(PREFLIGHT_STATE).await?;
        let (state, version) = match &rec {
            Some(r) => (serde_json::from_str::<PreflightState>(&r.data).unwrap_or_default(), Some(r.version)),
            None => (PreflightState::default(), None),
        };
        let (subject, next) = if !state.failing {
            (
                format!("Morale: sending stopped — {problem}"),
                PreflightState { failing: true, problem: problem.into(), since: Some(now), last_alert_at: Some(now) },
            )
        } else if state.last_alert_at.is_none_or(|t| now.duration_since(t) >= self.config.reminder_every) {
            (
                format!("Morale: sending still stopped — {problem}"),
                PreflightState { failing: true, problem: problem.into(), since: state.since, last_alert_at: Some(now) },
            )
        } else {
            return Ok(());
        };
        let data = serde_json::to_string(&next).expect("serializable");
        if self.store.put_state(PREFLIGHT_STATE, &data, version, now).await? {
            let since = next.since.map(|s| format!("\n\nStopped since {s}.")).unwrap_or_default();
            if let Err(e) = self.alerter.alert(&Alert::new(subject, format!("{message}{since}"))).await {
                tracing::error!(error = %e, "the alert could not be published");
            }
        }
        Ok(())
    }

    async fn on_recovery(&self, sent: u64, now: Timestamp) -> Result<(), StoreError> {
        let Some(rec) = self.store.get_state(PREFLIGHT_STATE).await? else { return Ok(()) };
        let state: PreflightState = serde_json::from_str(&rec.data).unwrap_or_default();
        if !state.failing {
            return Ok(());
        }
        let next = PreflightState { failing: false, problem: String::new(), since: None, last_alert_at: Some(now) };
        if self
            .store
            .put_state(PREFLIGHT_STATE, &serde_json::to_string(&next).expect("serializable"), Some(rec.version), now)
            .await?
        {
            let since = state.since.map(|s| format!(" (stopped since {s})")).unwrap_or_default();
            let alert = Alert::new(
                "Morale: sending recovered",
                format!(
                    "SES accepts mail again{since}. The problem was: {}.\n{sent} held email(s) were sent in this run; \
                     any left go out on the next ticks.",
                    state.problem
                ),
            );
            if let Err(e) = self.alerter.alert(&alert).await {
                tracing::error!(error = %e, "the recovery alert could not be published");
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct Counts {
    sent: AtomicU64,
    failed: AtomicU64,
    suppressed: AtomicU64,
    released: AtomicU64,
    throttled: AtomicU64,
    transient: AtomicU64,
    rejected: AtomicU64,
    bad: AtomicU64,
}

/// Shared by the tasks of one drain.
struct Run {
    pacer: Pacer,
    owner: String,
    circuit: Mutex<Option<String>>,
    open: AtomicBool,
    /// Team and members, read once per drain (one read per team, however many tasks ask).
    teams: Mutex<HashMap<TeamId, Arc<tokio::sync::OnceCell<Arc<TeamData>>>>>,
    counts: Counts,
    failures: Mutex<Vec<(OutboxKey, String)>>,
    first_send: Mutex<Option<Instant>>,
    last_send: Mutex<Option<Instant>>,
}

struct TeamData {
    team: Option<Team>,
    members: HashMap<MemberId, Member>,
}

struct Ctx {
    store: Arc<dyn Store>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    renderer: EmailRenderer,
    lease: SignedDuration,
    run: Arc<Run>,
}

impl Ctx {
    async fn team(&self, id: &TeamId) -> Result<Arc<TeamData>, StoreError> {
        let cell = self.run.teams.lock().expect("lock").entry(id.clone()).or_default().clone();
        cell.get_or_try_init(|| async {
            let team = self.store.get_team(id).await?;
            let members = self.store.list_members(id).await?.into_iter().map(|m| (m.id.clone(), m)).collect();
            Ok(Arc::new(TeamData { team, members }))
        })
        .await
        .cloned()
    }

    async fn release(&self, key: &OutboxKey, due: Timestamp, error: Option<&str>) -> Result<(), StoreError> {
        if self.store.release(key, &self.run.owner, due, error, self.clock.now()).await? {
            self.run.counts.released.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn finish(&self, key: &OutboxKey, to: OutboxStatus, reason: &str) -> Result<(), StoreError> {
        if self.store.finish_unsent(key, &self.run.owner, to, reason, self.clock.now()).await? {
            let c = &self.run.counts;
            if to == OutboxStatus::Failed {
                c.failed.fetch_add(1, Ordering::Relaxed);
                self.run.failures.lock().expect("lock").push((key.clone(), reason.to_string()));
            } else {
                c.suppressed.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    }

    /// One email: claim, check, render, pace, send, record.
    async fn process(&self, key: OutboxKey) -> Result<(), StoreError> {
        let now = self.clock.now();
        let Some(item) = self.store.claim(&key, &self.run.owner, now, now + self.lease).await? else {
            return Ok(()); // another sender has it, or it is no longer due
        };
        if self.run.open.load(Ordering::SeqCst) {
            return self.release(&key, now, None).await;
        }
        if now >= item.deadline {
            let reason = format!(
                "not sent before the end of the team's local day {} (last error: {})",
                key.date,
                item.last_error.as_deref().unwrap_or("none")
            );
            return self.finish(&key, OutboxStatus::Failed, &reason).await;
        }
        let data = self.team(&key.team).await?;
        let Some(team) = &data.team else {
            return self.finish(&key, OutboxStatus::Suppressed, "the team was deleted").await;
        };
        let email = match item.kind {
            OutboxKind::Daily => {
                let Some(member) = data.members.get(&key.member) else {
                    return self.finish(&key, OutboxStatus::Suppressed, "the member was removed from the team").await;
                };
                if !member.status.receives_email() {
                    return self
                        .finish(&key, OutboxStatus::Suppressed, &format!("the member is {}", member.status))
                        .await;
                }
                self.compose(team, member, key.date, &item, now)
            }
            OutboxKind::Weekly | OutboxKind::LowMorale => {
                if !team.admins.contains(&item.email) {
                    return self.finish(&key, OutboxStatus::Suppressed, "no longer an admin of the team").await;
                }
                self.compose_admin(team, &data, &item, now).await?
            }
        };
        let mut attempt = 0;
        loop {
            if self.run.open.load(Ordering::SeqCst) {
                return self.release(&key, self.clock.now(), None).await;
            }
            self.run.pacer.acquire().await;
            let result = self.mailer.send(&email).await;
            let at = Instant::now();
            match result {
                Ok(message_id) => {
                    {
                        let mut first = self.run.first_send.lock().expect("lock");
                        first.get_or_insert(at);
                        *self.run.last_send.lock().expect("lock") = Some(at);
                    }
                    self.run.counts.sent.fetch_add(1, Ordering::Relaxed);
                    if !self.store.mark_sent(&key, &self.run.owner, &message_id, self.clock.now()).await? {
                        // The lease lapsed and someone else took the item: it may go twice.
                        tracing::warn!(%key, "sent, but the claim had been taken over meanwhile");
                    }
                    return Ok(());
                }
                Err(e) => match e.kind {
                    SendErrorKind::Throttled | SendErrorKind::Transient => {
                        let counter = if e.kind == SendErrorKind::Throttled {
                            &self.run.counts.throttled
                        } else {
                            &self.run.counts.transient
                        };
                        counter.fetch_add(1, Ordering::Relaxed);
                        if attempt >= INLINE_RETRIES {
                            let later = self.clock.now() + RETRY_LATER;
                            return self.release(&key, later, Some(&e.to_string())).await;
                        }
                        tokio::time::sleep(backoff(attempt, RETRY_BASE, RETRY_CAP)).await;
                        attempt += 1;
                    }
                    SendErrorKind::CircuitOpen => {
                        self.run.counts.rejected.fetch_add(1, Ordering::Relaxed);
                        if !self.run.open.swap(true, Ordering::SeqCst) {
                            let error = morale::domain::mask_emails(&e.to_string());
                            tracing::error!(%error, "SES refused to send: circuit open, releasing every claim");
                            *self.run.circuit.lock().expect("lock") = Some(error);
                        }
                        return self.release(&key, self.clock.now(), Some(&e.to_string())).await;
                    }
                    SendErrorKind::BadMessage => {
                        self.run.counts.bad.fetch_add(1, Ordering::Relaxed);
                        let error = morale::domain::mask_emails(&e.to_string());
                        tracing::error!(%key, %error, "SES refused this one email");
                        return self.finish(&key, OutboxStatus::Failed, &e.to_string()).await;
                    }
                },
            }
        }
    }

    /// The weekly digest or the low-morale alert, for one admin.
    async fn compose_admin(
        &self,
        team: &Team,
        data: &TeamData,
        item: &OutboxItem,
        now: Timestamp,
    ) -> Result<OutgoingEmail, StoreError> {
        use morale::model::MemberStatus::{Bounced, Complained, Paused, Unsubscribed};
        let date = item.key.date;
        let back = |n: usize| (0..n).fold(date, |d, _| d.previous_day());
        let responses = self.store.list_responses(&team.id, back(62), date.previous_day()).await?;
        let trend_url = self.renderer.trend_url(&team.id, &item.email, date, now);
        let rendered = match item.kind {
            OutboxKind::Weekly => {
                let active = data.members.values().filter(|m| m.status.receives_email()).count();
                let this = insights::week(&responses, back(7), back(1), team.schedule.workdays, active);
                let last = insights::week(&responses, back(14), back(8), team.schedule.workdays, active);
                let count = |s| data.members.values().filter(|m| m.status == s).count();
                let problems: Vec<String> = [
                    (Bounced, "bounced"),
                    (Complained, "complained"),
                    (Unsubscribed, "unsubscribed"),
                    (Paused, "paused"),
                ]
                .into_iter()
                .filter(|(s, _)| count(*s) > 0)
                .map(|(s, what)| format!("{} {what}", count(s)))
                .collect();
                let problems = if problems.is_empty() {
                    format!("All {active} members get the daily email.")
                } else {
                    format!(
                        "{active} members get the daily email; {}. `moralectl suppressions list` names the addresses.",
                        problems.join(", ")
                    )
                };
                self.renderer.weekly(&team.name, &this, &last, &problems, &trend_url)
            }
            _ => {
                let streak = insights::low_streak(&responses, date, team.schedule.workdays, LOW_STREAK);
                self.renderer.low_morale(&team.name, &streak, &trend_url)
            }
        };
        Ok(rendered.to(item.email.clone(), email_tags(item)))
    }

    fn compose(
        &self,
        team: &Team,
        member: &Member,
        date: SendDate,
        item: &OutboxItem,
        now: Timestamp,
    ) -> OutgoingEmail {
        let rendered = self.renderer.daily(
            &DailyEmail {
                team: &team.id,
                team_name: &team.name,
                member: &member.id,
                member_name: member.name.as_deref(),
                date,
            },
            now,
        );
        rendered.to(item.email.clone(), email_tags(item))
    }
}

/// The tags SES events come back with: which outbox item, which attempt, what kind of mail.
fn email_tags(item: &OutboxItem) -> Vec<(String, String)> {
    let mut tags = vec![
        (tags::TEAM.into(), item.key.team.to_string()),
        (tags::MEMBER.into(), item.key.member.to_string()),
        (tags::DATE.into(), item.key.date.to_string()),
        (tags::SEND.into(), (item.attempts + 1).to_string()),
    ];
    if item.kind != OutboxKind::Daily {
        // Tag values allow letters, digits, '_' and '-'.
        tags.push((tags::KIND.into(), item.kind.as_str().replace('_', "-")));
    }
    tags
}

fn held_text(held: u64, teams: usize) -> String {
    if held == 0 {
        "No email is due yet. Nothing will be sent until the check passes; emails that fall due meanwhile are kept."
            .into()
    } else {
        format!("{held} email(s) for {teams} team(s) are held and go out automatically as soon as the check passes.")
    }
}

/// The Lambda context's deadline (milliseconds since the epoch) as an `Instant`.
pub fn deadline_from_epoch_ms(deadline_ms: u64) -> Instant {
    let now_ms = Timestamp::now().as_millisecond();
    let left = (deadline_ms as i64 - now_ms).max(0) as u64;
    Instant::now() + Duration::from_millis(left)
}
