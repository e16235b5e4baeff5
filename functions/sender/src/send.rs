//! One email: claim it, check it may still go, compose it, wait for the pacer, send it, and
//! record what happened.

use crate::drain::{Run, TeamData};
use crate::pacer::backoff;
use crate::{INLINE_RETRIES, RETRY_BASE, RETRY_CAP, RETRY_LATER, UNANSWERED_WAIT};
use jiff::{SignedDuration, Timestamp};
use morale::clock::Clock;
use morale::domain::outbox::Unsent;
use morale::domain::{Failure, OutboxItem, OutboxKey, OutboxKind, TeamId};
use morale::email::EmailRenderer;
use morale::mail::{Mailer, SEND_ATTEMPT_TIMEOUT, SendErrorKind};
use morale::store::StoreError;
use morale::store::prelude::*;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::time::Instant;

pub(crate) struct Ctx {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) mailer: Arc<dyn Mailer>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) renderer: EmailRenderer,
    pub(crate) lease: SignedDuration,
    /// Every attempt is over (answered or timed out) by then: the invocation's deadline less
    /// the margin left for recording what happened.
    pub(crate) attempts_end_by: Instant,
    pub(crate) run: Arc<Run>,
}

impl Ctx {
    pub(crate) async fn team(&self, id: &TeamId) -> Result<Arc<TeamData>, StoreError> {
        let cell = self.run.teams.lock().expect("lock").entry(id.clone()).or_default().clone();
        cell.get_or_try_init(|| async {
            let team = self.store.get_team(id).await?;
            let members = self.store.list_members(id).await?.into_iter().map(|m| (m.id.clone(), m)).collect();
            Ok(Arc::new(TeamData { team, members }))
        })
        .await
        .cloned()
    }

    pub(crate) async fn release(&self, key: &OutboxKey, due: Timestamp, error: Option<&str>) -> Result<(), StoreError> {
        if self.store.release(key, &self.run.owner, due, error, self.clock.now()).await? {
            self.run.counts.released.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    pub(crate) async fn finish(&self, key: &OutboxKey, to: Unsent, reason: &str) -> Result<(), StoreError> {
        if self.store.finish_unsent(key, &self.run.owner, to, reason, self.clock.now()).await? {
            let c = &self.run.counts;
            if to == Unsent::Failed {
                c.failed.fetch_add(1, Ordering::Relaxed);
                self.run.failures.lock().expect("lock").push((key.to_string(), reason.to_string()));
            } else {
                c.suppressed.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(())
    }

    /// Records what SES accepted. A table error is retried at once, a few times: until it is
    /// recorded, the email may go again when its lease lapses (unless SES's Send event records
    /// it first).
    async fn record_sent(&self, key: &OutboxKey, message_id: &str) -> Result<bool, StoreError> {
        let mut attempt = 0;
        loop {
            match self.store.mark_sent(key, &self.run.owner, message_id, self.clock.now()).await {
                Err(StoreError::Backend(e)) if attempt < INLINE_RETRIES => {
                    tracing::warn!(%key, error = %e, "recording a sent email failed; trying again");
                    tokio::time::sleep(backoff(attempt, RETRY_BASE, RETRY_CAP)).await;
                    attempt += 1;
                }
                r => return r,
            }
        }
    }

    /// One email: claim, check, render, pace, send, record.
    pub(crate) async fn process(&self, key: OutboxKey) -> Result<(), StoreError> {
        let now = self.clock.now();
        let lease_until = now + self.lease;
        let item = match self.store.claim(&key, &self.run.owner, now, lease_until).await {
            Ok(Some(item)) => item,
            Ok(None) => return Ok(()), // another sender has it, or it is no longer due
            Err(StoreError::Corrupt { reason, .. }) => {
                // It cannot be read, so it cannot be sent: told (listed first, so that a failed
                // write below is told too), then out of the due index; the drain goes on.
                self.run.counts.failed.fetch_add(1, Ordering::Relaxed);
                self.run.failures.lock().expect("lock").push((key.to_string(), format!("cannot be read: {reason}")));
                self.store.quarantine(&key, &reason, now).await?;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        self.send_claimed(item, now, lease_until).await
    }

    /// An item scheduling created already claimed for this drain (its lease in `due_at`).
    pub(crate) async fn process_claimed(&self, item: OutboxItem) -> Result<(), StoreError> {
        let now = self.clock.now();
        let lease_until = item.due_at.unwrap_or(now);
        self.send_claimed(item, now, lease_until).await
    }

    /// One claimed email: check, render, pace, send, record.
    async fn send_claimed(&self, item: OutboxItem, now: Timestamp, lease_until: Timestamp) -> Result<(), StoreError> {
        let key = item.key.clone();
        if self.run.open.load(Ordering::SeqCst) {
            return self.release(&key, now, None).await;
        }
        let too_late = |item: &OutboxItem| {
            Failure::TooLate.reason(format_args!(
                "{} (last error: {})",
                key.date,
                item.last_error.as_deref().unwrap_or("none")
            ))
        };
        if now >= item.deadline {
            return self.finish(&key, Unsent::Failed, &too_late(&item)).await;
        }
        let data = match self.team(&key.team).await {
            Ok(data) => data,
            Err(e @ StoreError::Corrupt { .. }) => {
                // A record of the team cannot be read: its emails wait (an hour at a time, told
                // each time) and end failed with this reason if it is not repaired that day.
                let reason = format!("the team's records cannot be read: {e}");
                self.run.held.lock().expect("lock").push((key.to_string(), reason.clone()));
                return self.release(&key, now + SignedDuration::from_hours(1), Some(&reason)).await;
            }
            Err(e) => return Err(e),
        };
        let Some(team) = &data.team else {
            return self.finish(&key, Unsent::Suppressed, "the team was deleted").await;
        };
        let email = match item.kind {
            OutboxKind::Daily if team.is_paused() => {
                return self.finish(&key, Unsent::Suppressed, "the team is paused").await;
            }
            OutboxKind::Daily => {
                let Some(member) = data.members.get(&key.member) else {
                    return self.finish(&key, Unsent::Suppressed, "the member was removed from the team").await;
                };
                if !member.status.receives_email() {
                    return self.finish(&key, Unsent::Suppressed, &format!("the member is {}", member.status)).await;
                }
                if member.away_on(key.date) {
                    return self.finish(&key, Unsent::Suppressed, "the member is away").await;
                }
                self.compose(team, member, key.date, &item, now)
            }
            OutboxKind::Weekly | OutboxKind::LowMorale | OutboxKind::ProblemReport => {
                if !team.admins.contains(&item.email) {
                    return self.finish(&key, Unsent::Suppressed, "no longer an admin of the team").await;
                }
                match self.compose_admin(team, &data, &item, now).await? {
                    Some(email) => email,
                    None => return self.finish(&key, Unsent::Suppressed, "the report of problems is gone").await,
                }
            }
        };
        let mut attempt = 0;
        loop {
            if self.run.open.load(Ordering::SeqCst) {
                return self.release(&key, self.clock.now(), None).await;
            }
            self.run.pacer.acquire().await;
            // After the pacer's wait and any retry's backoff: an attempt that could outlast the
            // lease may meet another sender's copy, one after the deadline is cut off by it, and
            // one after the local midnight is a day late.
            let now = self.clock.now();
            if now >= item.deadline {
                return self.finish(&key, Unsent::Failed, &too_late(&item)).await;
            }
            let attempt_ends = now + SignedDuration::try_from(SEND_ATTEMPT_TIMEOUT).expect("seconds");
            if attempt_ends > lease_until || Instant::now() + SEND_ATTEMPT_TIMEOUT > self.attempts_end_by {
                return self.release(&key, now, None).await;
            }
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
                    if !self.record_sent(&key, &message_id).await? {
                        // SES's Send event recorded it first, or the lease lapsed and another
                        // sender took the item over (then it may go twice).
                        tracing::warn!(%key, "sent, but the claim was no longer held when recording it");
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
                        if e.kind == SendErrorKind::Throttled {
                            self.run.pacer.throttled();
                        }
                        if attempt >= INLINE_RETRIES {
                            let later = self.clock.now() + RETRY_LATER;
                            return self.release(&key, later, Some(&e.to_string())).await;
                        }
                        tokio::time::sleep(backoff(attempt, RETRY_BASE, RETRY_CAP)).await;
                        attempt += 1;
                    }
                    SendErrorKind::Unanswered => {
                        // Sending again now would likely send twice. SES's Send event records it
                        // if SES accepted it; if none comes, it goes again after the wait.
                        self.run.counts.unanswered.fetch_add(1, Ordering::Relaxed);
                        let later = self.clock.now() + UNANSWERED_WAIT;
                        return self.release(&key, later, Some(&e.to_string())).await;
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
                        return self.finish(&key, Unsent::Failed, &Failure::Refused.reason(&e)).await;
                    }
                },
            }
        }
    }
}
