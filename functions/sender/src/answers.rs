//! Closing days' answers: once a team's day's answers close (`Schedule::answers_close`, plus
//! `ANSWERS_GRACE` for requests still in flight), its figures are fixed for good, and who voted
//! is forgotten: the day's salt, then its votes, are deleted (see `morale::voter`). Each step is
//! safe to repeat; the day stays due until the last one is done.

use crate::Sender;
use jiff::Timestamp;
use morale::domain::{Day, Tally};
use morale::store::StoreError;

impl Sender {
    /// Fixes the figures of `days` (whose ledgers are closed and answers closed) and forgets
    /// their voters. Returns how many days were finished.
    pub(crate) async fn close_answers(&self, days: Vec<Day>, now: Timestamp) -> Result<usize, StoreError> {
        let mut finished = 0;
        for day in days {
            if day.tally.is_none() {
                let privacy = self.store.get_team(&day.team).await?.map(|t| t.privacy).unwrap_or_default();
                let responses = self.store.list_responses(&day.team, day.date, day.date).await?;
                // A missed day asked nobody.
                let asked = if day.plan.missed { 0 } else { day.plan.members };
                let tally = Tally::of(&responses, asked, privacy);
                // The first tally stands: a run racing this one computed the same figures, or
                // fixed them first.
                self.store.tally_day(&day.team, day.date, &tally, now).await?;
            }
            let forgotten = self.store.forget_day(&day.team, day.date).await?;
            if self.store.finish_day(&day.team, day.date, now).await? {
                finished += 1;
                tracing::info!(team = %day.team, date = %day.date, forgotten, "answers closed: figures fixed, voters forgotten");
            }
        }
        Ok(finished)
    }
}
