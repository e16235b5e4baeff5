//! Closing the days' ledgers: once a team's local day is over and SES has had its time to
//! report (see `morale::domain::ledger`), the day's emails are counted by how they ended, the
//! ledger is stored for good, and any email without an explained end is counted
//! (`UnaccountedEmails`, alarmed) and told, by team, day and email.

use crate::Sender;
use jiff::{SignedDuration, Timestamp};
use morale::domain::ledger::{self, LEDGER_PATIENCE};
use morale::domain::outbox::Unsent;
use morale::domain::{Day, Failure, Ledger, OutboxKey};
use morale::metrics::{self, Metrics};
use morale::store::StoreError;

/// At most this many days are closed per run; the rest wait for the next tick.
const BATCH: usize = 200;

impl Sender {
    /// Closes the ledgers of days that are over. An email of the day still waiting for a
    /// sender past its deadline (SES was not ready all that time) can never go: it is failed as
    /// too late, counted and told, and so explained. `behind`: this run did not get through its
    /// work (out of time, more to reconcile than one run takes), which the ledgers would count
    /// as unaccounted: they wait, up to [`LEDGER_PATIENCE`], for a run that catches up.
    /// Returns the emails unaccounted.
    pub(crate) async fn close_days(&self, now: Timestamp, behind: bool, m: &mut Metrics) -> Result<u64, StoreError> {
        let due = self.store.due_days(now, BATCH).await?;
        // Days whose ledger is closed are due for their answers' close.
        let (ledgers, answers): (Vec<Day>, Vec<Day>) = due.items.into_iter().partition(|d| d.closed_at.is_none());
        let mut closing: Vec<(Day, Ledger)> = Vec::new();
        let mut lines: Vec<String> =
            due.quarantined.iter().map(|u| format!("- a day record that cannot be read: {u}")).collect();
        // The days to close now, and their emails that can no longer go.
        let mut days = Vec::new();
        let mut unsent: Vec<OutboxKey> = Vec::new();
        for day in ledgers {
            if behind && now < day.closes_at + LEDGER_PATIENCE {
                continue;
            }
            let listed = self.store.list_outbox(&day.team, Some(day.date)).await;
            let mut late = Vec::new();
            if let Ok(items) = &listed {
                late.extend(
                    items.iter().filter(|i| i.status.awaits_sender() && i.deadline <= now).map(|i| i.key.clone()),
                );
            }
            // Read again below only if some of its emails are failed now.
            days.push((day, if late.is_empty() { Some(listed) } else { None }));
            unsent.extend(late);
        }
        if !unsent.is_empty() {
            // Told, then recorded: a run stopped between the two tells twice rather than never.
            let n = unsent.len();
            let more = if n > 50 { format!("\n… and {} more", n - 50) } else { String::new() };
            self.alert(
                format!("Morale: {n} email(s) never sent before their day ended"),
                format!(
                    "These emails waited for a sender until their team's day was over (SES could not send, or \
                     no sender ran): they are recorded as failed, too late, in their day's ledger. Find out \
                     why sending stopped (the earlier alerts say), and replay a day if it still matters \
                     (moralectl replay).\n\n{}{more}",
                    unsent.iter().take(50).map(|k| format!("- {k}")).collect::<Vec<_>>().join("\n")
                ),
            )
            .await;
            for key in &unsent {
                match self.fail_too_late(key, now).await {
                    Ok(true) => m.count(metrics::EMAILS_FAILED, 1),
                    Ok(false) => {}
                    // An email that cannot be read cannot be failed either: it was quarantined
                    // and told when found, and its day's ledger counts it unaccounted (told
                    // again below). It must not stop the tick, nor the day from closing.
                    Err(e @ StoreError::Corrupt { .. }) => {
                        tracing::error!(%key, error = %e, "an unreadable email cannot be failed as too late");
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        for (day, listed) in days {
            let listed = match listed {
                Some(l) => l,
                None => self.store.list_outbox(&day.team, Some(day.date)).await,
            };
            let ledger = match listed {
                Ok(items) => {
                    let ledger = Ledger::of(&day.plan, &items, now);
                    if ledger.unaccounted > 0 {
                        let open: Vec<String> = items
                            .iter()
                            .filter(|i| ledger::unaccounted(i, now))
                            .map(|i| format!("{} ({}, due {:?})", i.key.member, i.status, i.due_at))
                            .collect();
                        let shown = open.iter().take(20).cloned().collect::<Vec<_>>().join(", ");
                        let more =
                            if open.len() > 20 { format!(" and {} more", open.len() - 20) } else { String::new() };
                        lines.push(format!(
                            "- team {} on {}: {}{}",
                            day.team,
                            day.date,
                            ledger.line(),
                            if open.is_empty() { String::new() } else { format!("; still open: {shown}{more}") }
                        ));
                    }
                    ledger
                }
                // Emails that cannot be read cannot be accounted for: all of the day's are not.
                Err(e @ StoreError::Corrupt { .. }) => {
                    let ledger = Ledger { unaccounted: day.plan.members.max(1), ..Ledger::default() };
                    lines.push(format!("- team {} on {}: its emails cannot be read ({e})", day.team, day.date));
                    ledger
                }
                Err(e) => return Err(e),
            };
            closing.push((day, ledger));
        }
        // A day record that cannot be read was taken out of the due index: its emails cannot
        // be accounted for, at least one each.
        let unaccounted: u64 =
            closing.iter().map(|(_, l)| u64::from(l.unaccounted)).sum::<u64>() + due.quarantined.len() as u64;
        if !lines.is_empty() {
            let more = lines.len().saturating_sub(50);
            lines.truncate(50);
            if more > 0 {
                lines.push(format!("… and {more} more day(s): moralectl ledger lists them"));
            }
            // Told, then recorded: a run stopped between the two tells twice rather than never.
            self.alert(
                format!("Morale: {unaccounted} email(s) unaccounted for in closed days"),
                format!(
                    "These teams' days are over, and some of their emails have no explained end: planned and \
                     never queued, or still waiting for a sender or for SES with nothing left to wait for. \
                     This should never happen; look at the sender's errors for those days and at the emails \
                     themselves (moralectl ledger --team T --date D, moralectl outbox).\n\n{}",
                    lines.join("\n")
                ),
            )
            .await;
        }
        if !closing.is_empty() || unaccounted > 0 {
            m.count(metrics::UNACCOUNTED_EMAILS, unaccounted);
        }
        for (day, ledger) in &closing {
            if self.store.close_day(&day.team, day.date, ledger, now).await? {
                m.count(metrics::DAYS_CLOSED, 1);
                tracing::info!(team = %day.team, date = %day.date, ledger = %ledger.line(), "the day's ledger closed");
            }
        }
        // Forgetting who voted can wait for a run with time to spare.
        if !behind {
            self.close_answers(answers, now).await;
        }
        Ok(unaccounted)
    }
}

impl Sender {
    /// Fails an email that can no longer go out (its day is over): claimed first, so that no
    /// sender holds it meanwhile. `Ok(false)` if someone else holds it or settled it.
    async fn fail_too_late(&self, key: &OutboxKey, now: Timestamp) -> Result<bool, StoreError> {
        let owner = format!("ledger-{:08x}", morale::random::u64() as u32);
        let Some(item) = self.store.claim(key, &owner, now, now + SignedDuration::from_mins(2)).await? else {
            return Ok(false);
        };
        let last = item.last_error.as_deref().unwrap_or("none");
        let reason =
            Failure::TooLate.reason(format_args!("{} (last error: {last}; failed when its day closed)", key.date));
        self.store.finish_unsent(key, &owner, Unsent::Failed, &reason, now).await
    }
}
