//! Closing days' answers: once a team's day's answers close (`Schedule::answers_close`, plus
//! `ANSWERS_GRACE` for requests still in flight), its figures are fixed for good, and who voted
//! is forgotten: the day's salt, then its votes, are deleted (see `morale::voter`). Each step is
//! safe to repeat; the day stays due until the last one is done. A day that fails does not hold
//! the others: it is named to on-call and tried again next tick.

use crate::Sender;
use jiff::Timestamp;
use morale::domain::{Day, Tally};
use morale::store::StoreError;

impl Sender {
    /// Fixes the figures of `days` (whose ledgers are closed and answers closed) and forgets
    /// their voters. Returns how many days were finished.
    pub(crate) async fn close_answers(&self, days: Vec<Day>, now: Timestamp) -> usize {
        let mut finished = 0;
        let mut failed = Vec::new();
        for day in days {
            match self.close_answers_of(&day, now).await {
                Ok(true) => finished += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(team = %day.team, date = %day.date, error = %e, "a day's answers could not be closed");
                    failed.push(format!("- team {} on {}: {e}", day.team, day.date));
                }
            }
        }
        if !failed.is_empty() {
            let n = failed.len();
            failed.truncate(50);
            self.alert(
                format!("Morale: {n} day(s) whose answers closed still keep who voted"),
                format!(
                    "These days' answers have closed, but their figures could not be fixed, or who voted could \
                     not be forgotten (the day's salt and votes are still in the table). The sender tries \
                     again every tick; if it keeps failing, look at the table for these days.\n\n{}",
                    failed.join("\n")
                ),
            )
            .await;
        }
        finished
    }

    async fn close_answers_of(&self, day: &Day, now: Timestamp) -> Result<bool, StoreError> {
        if day.tally.is_none() {
            let privacy = self.store.get_team(&day.team).await?.map(|t| t.privacy).unwrap_or_default();
            let responses = self.store.list_responses(&day.team, day.date, day.date).await?;
            // A missed day asked only those whose email was queued after all (an operator's
            // send for it, a run stopped part-way): its ledger, closed by now, says how many.
            let asked = if day.plan.missed { day.closed.as_ref().map_or(0, |l| l.scheduled) } else { day.plan.members };
            let tally = Tally::of(&responses, asked, privacy);
            // The first tally stands: a run racing this one computed the same figures, or
            // fixed them first.
            let fixed = self.store.tally_day(&day.team, day.date, &tally, now).await?;
            // Past the week the table keeps a day's votes, its TTL may have removed some.
            if fixed && now >= morale::voter::kept_until(day.date) {
                self.alert(
                    format!("Morale: team {}'s figures for {} were fixed late and may be short", day.team, day.date),
                    format!(
                        "The day's answers closed long ago, but its figures were fixed only now, past the week \
                         the table keeps a day's votes: they count the {} answers still there, and the table's \
                         TTL may have removed others. Look for why this day was not closed in time (its record \
                         may have been unreadable, or the sender failing).",
                        tally.voters
                    ),
                )
                .await;
            }
        }
        let forgotten = self.store.forget_day(&day.team, day.date).await?;
        let done = self.store.finish_day(&day.team, day.date, now).await?;
        if done {
            tracing::info!(team = %day.team, date = %day.date, forgotten, "answers closed: figures fixed, voters forgotten");
        }
        Ok(done)
    }
}
