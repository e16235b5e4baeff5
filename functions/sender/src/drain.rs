//! Draining: claim what is due, at most as many in flight as the rate needs, paced to the
//! account's MaxSendRate; stop claiming before the invocation's deadline or when SES refuses.

use crate::pacer::Pacer;
use crate::send::Ctx;
use crate::{Report, Sender, held_text};
use morale::domain::{Member, MemberId, OutboxKey, Team, TeamId};
use morale::mail::SendErrorKind;
use morale::metrics::{self, Metrics, Unit};
use morale::store::{DueItem, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Keeps the first store error of the drain's tasks (or of its own reads).
fn note(failed: &mut Option<StoreError>, r: Result<Result<(), StoreError>, tokio::task::JoinError>) {
    if let Err(e) = r.expect("send task") {
        tracing::error!(error = %e, "the drain could not read or record an email");
        failed.get_or_insert(e);
    }
}

impl Sender {
    pub(crate) async fn drain(
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
            owner: format!("sender-{:016x}", morale::random::u64()),
            circuit: Mutex::new(None),
            open: AtomicBool::new(false),
            teams: Mutex::new(HashMap::new()),
            counts: Counts::default(),
            failures: Mutex::new(Vec::new()),
            held: Mutex::new(Vec::new()),
            first_send: Mutex::new(None),
            last_send: Mutex::new(None),
        });
        let mut seen: HashSet<OutboxKey> = HashSet::new();
        let mut tasks: JoinSet<Result<(), StoreError>> = JoinSet::new();
        // A store error stops the claiming, never the sends in flight: each of them may have
        // been accepted by SES and must get to record it (dropping the set would abort them,
        // leaving accepted emails claimed, to be sent again once their lease lapses).
        let mut failed: Option<StoreError> = None;
        'claiming: loop {
            if self.out_of_time(deadline) {
                report.stopped_for_deadline = true;
                tracing::warn!("stopping: the invocation's deadline is near; what is left stays due");
                break;
            }
            if run.open.load(Ordering::SeqCst) {
                break;
            }
            let now = self.clock.now();
            let page = match self.store.due_outbox(now, concurrency * 2).await {
                Ok(due) => {
                    let lines =
                        due.quarantined.iter().map(|u| (u.key.clone(), format!("cannot be read: {}", u.reason)));
                    run.failures.lock().expect("lock").extend(lines);
                    due.items
                }
                Err(e) => {
                    note(&mut failed, Ok(Err(e)));
                    break;
                }
            };
            let fresh: Vec<DueItem> = page.into_iter().filter(|i| !seen.contains(&i.key)).collect();
            if fresh.is_empty() {
                // What is due is in flight here; wait for some of it, then look again.
                match tasks.join_next().await {
                    Some(r) => note(&mut failed, r),
                    None => break,
                }
                continue;
            }
            for item in fresh {
                while tasks.len() >= concurrency {
                    note(&mut failed, tasks.join_next().await.expect("a task"));
                }
                if self.out_of_time(deadline) || run.open.load(Ordering::SeqCst) {
                    break;
                }
                if failed.is_some() {
                    break 'claiming;
                }
                seen.insert(item.key.clone());
                let ctx = Ctx {
                    store: self.store.clone(),
                    mailer: self.mailer.clone(),
                    clock: self.clock.clone(),
                    renderer: self.renderer.clone(),
                    lease: self.config.lease,
                    attempts_end_by: deadline.checked_sub(self.config.deadline_margin).unwrap_or(deadline),
                    run: run.clone(),
                };
                tasks.spawn(async move { ctx.process(item.key).await });
            }
            if failed.is_some() {
                break;
            }
        }
        while let Some(r) = tasks.join_next().await {
            note(&mut failed, r);
        }

        run.counts.settle(report, m);
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
            self.alert(
                format!("Morale: {} email(s) failed permanently", failures.len()),
                format!(
                    "These emails will not be sent; each is recorded as failed with its reason \
                     (moralectl outbox --failed), or, if its record cannot be read, taken out of the outbox's \
                     due index until it is repaired. Replay them once the cause is fixed (moralectl replay).\n\n{}",
                    listing(&failures)
                ),
            )
            .await;
        }
        let held = std::mem::take(&mut *run.held.lock().expect("lock"));
        if !held.is_empty() {
            self.alert(
                format!("Morale: {} email(s) held: their team's records cannot be read", held.len()),
                format!(
                    "These emails are kept and tried again every hour; each ends failed with this reason at the end \
                     of its local day unless the records are repaired.\n\n{}",
                    listing(&held)
                ),
            )
            .await;
        }
        if let Some(e) = failed {
            // What was sent is counted and recorded; the run's failure is told by `handle`.
            return Err(e);
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

    pub(crate) fn out_of_time(&self, deadline: Instant) -> bool {
        deadline.saturating_duration_since(Instant::now()) < self.config.deadline_margin
    }
}

/// Lines of an alert about emails, fifty at the most.
fn listing(emails: &[(String, String)]) -> String {
    let lines: Vec<String> = emails.iter().take(50).map(|(k, r)| format!("- {k}: {r}")).collect();
    let more = if emails.len() > 50 { format!("\n… and {} more", emails.len() - 50) } else { String::new() };
    lines.join("\n") + &more
}

/// What one drain's tasks did, counted as it happens; [`Counts::settle`] hands it to the
/// report and the metrics in one place.
#[derive(Default)]
pub(crate) struct Counts {
    pub(crate) sent: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) suppressed: AtomicU64,
    pub(crate) released: AtomicU64,
    pub(crate) throttled: AtomicU64,
    pub(crate) transient: AtomicU64,
    pub(crate) unanswered: AtomicU64,
    pub(crate) rejected: AtomicU64,
    pub(crate) bad: AtomicU64,
}

/// Shared by the tasks of one drain.
pub(crate) struct Run {
    pub(crate) pacer: Pacer,
    pub(crate) owner: String,
    pub(crate) circuit: Mutex<Option<String>>,
    pub(crate) open: AtomicBool,
    /// Team and members, read once per drain (one read per team, however many tasks ask).
    pub(crate) teams: Mutex<HashMap<TeamId, Arc<tokio::sync::OnceCell<Arc<TeamData>>>>>,
    pub(crate) counts: Counts,
    /// Emails that will not be sent, by key (an unreadable record's table key), and why.
    pub(crate) failures: Mutex<Vec<(String, String)>>,
    /// Emails kept for later because their team's records cannot be read, and why.
    pub(crate) held: Mutex<Vec<(String, String)>>,
    pub(crate) first_send: Mutex<Option<Instant>>,
    pub(crate) last_send: Mutex<Option<Instant>>,
}

pub(crate) struct TeamData {
    pub(crate) team: Option<Team>,
    pub(crate) members: HashMap<MemberId, Member>,
}

impl Counts {
    fn settle(&self, report: &mut Report, m: &mut Metrics) {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        report.sent = get(&self.sent);
        report.failed = get(&self.failed);
        report.suppressed = get(&self.suppressed);
        report.released = get(&self.released);
        report.throttled = get(&self.throttled);
        report.transient_errors = get(&self.transient);
        report.unanswered = get(&self.unanswered);
        m.count(metrics::EMAILS_SENT, report.sent);
        m.count(metrics::EMAILS_FAILED, report.failed);
        for (kind, n) in [
            (SendErrorKind::Throttled, report.throttled),
            (SendErrorKind::Transient, report.transient_errors),
            (SendErrorKind::Unanswered, report.unanswered),
            (SendErrorKind::CircuitOpen, get(&self.rejected)),
            (SendErrorKind::BadMessage, get(&self.bad)),
        ] {
            if n > 0 {
                m.count_by(metrics::SEND_ERRORS, "Kind", kind.as_str(), n);
            }
        }
    }
}
