//! Draining: claim what is due, at most as many in flight as the rate needs, paced to the
//! account's MaxSendRate; stop claiming before the invocation's deadline or when SES refuses.

use crate::lease::Lease;
use crate::pacer::{self, Pacer};
use crate::schedule::Handed;
use crate::send::Ctx;
use crate::{Report, Sender};
use jiff::{SignedDuration, Timestamp};
use morale::domain::{Member, MemberId, OutboxKey, Team, TeamId};
use morale::mail::SEND_ATTEMPT_TIMEOUT;
use morale::metrics::{self, Metrics, Unit};
use morale::store::{DueItem, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How long before its cutoff a drain starts the next invocation: time for it to start and
/// check SES, so that it takes the lease as soon as it is given back.
const CONTINUE_AHEAD: Duration = Duration::from_secs(5);

/// Keeps the first store error of the drain's tasks (or of its own reads).
fn note(failed: &mut Option<StoreError>, r: Result<Result<(), StoreError>, tokio::task::JoinError>) {
    if let Err(e) = r.expect("send task") {
        tracing::error!(error = %e, "the drain could not read or record an email");
        failed.get_or_insert(e);
    }
}

impl Sender {
    /// The rate the drain paces to: the account's less the configured headroom, and no more
    /// than the pacer's guard lets through ([`pacer::WINDOW`]).
    pub(crate) fn pace(&self, max_send_rate: f64) -> f64 {
        let guard = max_send_rate.floor().max(1.0) / pacer::WINDOW.as_secs_f64();
        (max_send_rate * self.config.send_rate_headroom).min(guard).max(0.1)
    }

    /// After this no send attempt starts: it could outlast the deadline's margin.
    pub(crate) fn send_cutoff(&self, deadline: Instant) -> Instant {
        let margin = self.config.deadline_margin + SEND_ATTEMPT_TIMEOUT;
        deadline.checked_sub(margin).unwrap_or(deadline)
    }

    /// Drains under `lease`: first what scheduling hands over (`handed`, until scheduling is
    /// done), then what the due index holds. Returns when the pacer would have sent next, for
    /// the lease's next holder.
    pub(crate) async fn drain(
        &self,
        max_send_rate: f64,
        deadline: Instant,
        lease: &Lease,
        mut handed: Option<mpsc::Receiver<Handed>>,
        report: &mut Report,
        m: &mut Metrics,
    ) -> Result<Option<Timestamp>, StoreError> {
        let rate = self.pace(max_send_rate);
        // Enough in flight to keep the rate up through SES's and the table's latency, never
        // more than allowed.
        let concurrency = ((rate * 0.5).ceil() as usize + 4).clamp(1, self.config.max_concurrency);
        let start = lease.start_at.map_or_else(Instant::now, |at| {
            Instant::now() + Duration::try_from(at - self.clock.now()).unwrap_or_default()
        });
        let run = Arc::new(Run {
            pacer: Pacer::starting_at(rate, max_send_rate, start),
            owner: lease.owner.clone(),
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
        // No attempt starts after the cutoff (one could outlast the deadline's margin): claiming
        // stops then. The next invocation is started a little before, so that it is ready to
        // take the lease as this one gives it back.
        let cutoff = self.send_cutoff(deadline);
        let mut continued = false;
        if handed.is_some() {
            // What the due index holds already goes first (retries, what the last run gave
            // back, the admins' mail): scheduling's handoff left room for it.
            match self.store.due_outbox(self.clock.now(), crate::HELD_SCAN).await {
                Ok(due) => {
                    let lines =
                        due.quarantined.iter().map(|u| (u.key.clone(), format!("cannot be read: {}", u.reason)));
                    run.failures.lock().expect("lock").extend(lines);
                    for item in due.items {
                        while tasks.len() >= concurrency {
                            note(&mut failed, tasks.join_next().await.expect("a task"));
                        }
                        if seen.insert(item.key.clone()) {
                            let ctx = self.ctx(&run, deadline);
                            tasks.spawn(async move { ctx.process(item.key).await });
                        }
                    }
                }
                Err(e) => note(&mut failed, Ok(Err(e))),
            }
        }
        'claiming: loop {
            if !continued && Instant::now() + CONTINUE_AHEAD >= cutoff {
                continued = true;
                // Bounded: a stalled request must not hold up the drain.
                match tokio::time::timeout(CONTINUE_AHEAD / 2, self.continuation.continue_sending()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "could not start the next invocation: the next tick takes over")
                    }
                    Err(_) => tracing::warn!("starting the next invocation timed out: the next tick takes over"),
                }
            }
            if Instant::now() >= cutoff {
                report.stopped_for_deadline = true;
                tracing::warn!("stopping: the invocation's deadline is near; what is left stays due");
                break;
            }
            if run.open.load(Ordering::SeqCst) || failed.is_some() {
                break;
            }
            if let Some(rx) = handed.as_mut() {
                // Scheduling is under way: what it hands over goes first.
                match tokio::time::timeout(Duration::from_secs(1), rx.recv()).await {
                    Err(_) => {}
                    Ok(None) => handed = None,
                    Ok(Some(h)) => {
                        while tasks.len() >= concurrency {
                            note(&mut failed, tasks.join_next().await.expect("a task"));
                        }
                        seen.insert(h.item.key.clone());
                        run.adopt(&h.item.key.team, h.team);
                        let ctx = self.ctx(&run, deadline);
                        tasks.spawn(async move { ctx.process_claimed(h.item).await });
                    }
                }
                continue;
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
                let ctx = self.ctx(&run, deadline);
                tasks.spawn(async move { ctx.process(item.key).await });
            }
            if failed.is_some() {
                break;
            }
        }
        if let Some(mut rx) = handed {
            // Handed over and not sent: given back at once, due now, for the next holder.
            rx.close();
            while let Some(h) = rx.recv().await {
                let ctx = self.ctx(&run, deadline);
                let r = ctx.release(&h.item.key, self.clock.now(), None).await;
                note(&mut failed, Ok(r));
            }
        }
        while let Some(r) = tasks.join_next().await {
            note(&mut failed, r);
        }
        let next = run.pacer.next_slot().saturating_duration_since(Instant::now());
        let next_send = self.clock.now() + SignedDuration::try_from(next).unwrap_or_default();

        let sent = run.counts.settle(report, m);
        let first = *run.first_send.lock().expect("lock");
        let last = *run.last_send.lock().expect("lock");
        if let (Some(a), Some(b)) = (first, last) {
            let secs = (b - a).as_secs_f64();
            // The run's rate is its main drain's: a late drain's few emails say little of it.
            if sent > 1 && secs > 0.0 && report.achieved_send_rate == 0.0 {
                report.achieved_send_rate = (sent - 1) as f64 / secs;
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
        // Told by the run once scheduling is done too, with every email it holds: also when the
        // table failed meanwhile (releasing every claim at once is when it may well).
        report.circuit_opened = report.circuit_opened.take().or_else(|| run.circuit.lock().expect("lock").clone());
        if let Some(e) = failed {
            // What was sent is counted and recorded; the run's failure is told by `handle`.
            return Err(e);
        }
        Ok(Some(next_send))
    }

    fn ctx(&self, run: &Arc<Run>, deadline: Instant) -> Ctx {
        Ctx {
            store: self.store.clone(),
            mailer: self.mailer.clone(),
            clock: self.clock.clone(),
            renderer: self.renderer.clone(),
            lease: self.config.lease,
            attempts_end_by: deadline.checked_sub(self.config.deadline_margin).unwrap_or(deadline),
            run: run.clone(),
        }
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

impl Run {
    /// A team as scheduling read it, for the tasks of this drain (a team read already stays).
    fn adopt(&self, id: &TeamId, data: Arc<TeamData>) {
        let cell = self.teams.lock().expect("lock").entry(id.clone()).or_default().clone();
        let _ = cell.set(data);
    }
}

impl Counts {
    /// Adds this drain's counts to the run's report (a run may drain twice) and its metrics;
    /// returns how many this drain sent.
    fn settle(&self, report: &mut Report, m: &mut Metrics) -> u64 {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let (sent, failed) = (get(&self.sent), get(&self.failed));
        let (throttled, transient, unanswered) = (get(&self.throttled), get(&self.transient), get(&self.unanswered));
        report.sent += sent;
        report.failed += failed;
        report.suppressed += get(&self.suppressed);
        report.released += get(&self.released);
        report.throttled += throttled;
        report.transient_errors += transient;
        report.unanswered += unanswered;
        m.count(metrics::EMAILS_SENT, sent);
        m.count(metrics::EMAILS_FAILED, failed);
        // One metric, the kinds in the log: a metric per kind would be billed apiece.
        let (rejected, bad) = (get(&self.rejected), get(&self.bad));
        let errors = throttled + transient + unanswered + rejected + bad;
        m.count(metrics::SEND_ERRORS, errors);
        if errors > 0 {
            tracing::warn!(
                throttled,
                transient,
                unanswered,
                circuit_open = rejected,
                bad_message = bad,
                "send errors this run"
            );
        }
        sent
    }
}
