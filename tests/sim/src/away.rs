//! Readers who pause themselves ("I'm away until …") from their email's link, through the real
//! response API, one run in eight; and scanners that submit the away page's forms as they came.
//!
//! Runs `seed % 8 == 5` only: a residue none of the regression seeds has, so that the worlds
//! they keep stay as they were. Its dice and its API's store dice are its own, for the same
//! reason: the other readers' draws are untouched.

use crate::dice::Dice;
use crate::log::{Ask, Log};
use crate::readers::{Client, request};
use crate::store::SimStore;
use crate::world::{SimClock, World};
use morale::clock::Clock;
use morale::domain::OutboxKey;
use morale::token::TokenKeys;
use morale::voter::VoterSecret;
use morale_response_api::ResponseApi;
use std::sync::Arc;

pub struct AwayReaders {
    /// Readers who pause themselves; 0 outside the runs that have them.
    pub away: f64,
    /// Of those, who come back before the day they chose.
    pub back_early: f64,
    patience: u32,
    api: ResponseApi,
    dice: Arc<Dice>,
    log: Arc<Log>,
    clock: Arc<SimClock>,
}

impl AwayReaders {
    pub fn new(seed: u64, store: &SimStore, log: Arc<Log>, clock: Arc<SimClock>) -> Self {
        let dice = Arc::new(Dice::new(seed ^ 0xA3A7_0B5E));
        let (away, back_early) =
            if seed % 8 == 5 { (dice.rate(0.0, 0.05, 0.3), dice.rate(0.4, 0.2, 0.7)) } else { (0.0, 0.0) };
        let api = ResponseApi {
            store: Arc::new(SimStore::beside(store, dice.clone())),
            keys: TokenKeys::development(),
            voters: VoterSecret::development(),
            clock: clock.clone(),
        };
        Self { away, back_early, patience: dice.between(0, 3) as u32, api, dice, log, clock }
    }

    /// A scanner that submits forms sends the away page's as they came: without a day, and
    /// "I'm back now" without its box. Neither may change anything.
    pub async fn scanner_submits(&self, key: &OutboxKey, path: &str) {
        if self.away == 0.0 {
            return;
        }
        for (target, what) in [(path.to_string(), "away"), (format!("{path}/back"), "back")] {
            tokio::time::sleep(self.dice.millis(100, 3_000)).await;
            let resp = self.client().ask(&request("POST", &target, "", "")).await;
            if resp.status == 200 {
                let at = self.clock.now();
                self.log
                    .with(|l| l.scanner_changed.push((key.clone(), at, format!("away page, {what}: {}", resp.status))));
            }
        }
    }

    /// A person who may go away for a few days from this email, and may come back early.
    pub async fn read(&self, key: &OutboxKey, path: &str) {
        if !self.dice.chance(self.away) {
            return;
        }
        tokio::time::sleep(self.dice.millis(60_000, 6 * 3_600_000)).await;
        self.client().ask(&request("GET", path, "", "")).await;
        // At least two days after the email's own: within six hours of it, always a day ahead.
        let back = (0..self.dice.between(2, 4)).fold(key.date, |d, _| d.next_day());
        if self.client().post(key, Ask::Away(back), path, &format!("back={back}")).await
            && self.dice.chance(self.back_early)
        {
            tokio::time::sleep(self.dice.millis(3_600_000, 30 * 3_600_000)).await;
            self.client().post(key, Ask::Back, &format!("{path}/back"), "confirm=yes").await;
        }
    }

    fn client(&self) -> Client<'_> {
        Client { api: &self.api, dice: &self.dice, log: &self.log, clock: &self.clock, patience: self.patience }
    }
}

/// The away readers' invariant: a scanner's submit changes nothing; a reader told "see you on
/// D" was taken as away until D by the table (the ledger check then holds the sender to it);
/// told "welcome back", was taken as back.
pub fn check(w: &World) -> Vec<String> {
    let mut v = Vec::new();
    w.log.with(|r| {
        for (key, at, what) in &r.scanner_changed {
            v.push(format!("{key}: a scanner's submit of a form was taken at {at} ({what})"));
        }
        for c in r.api_calls.iter().filter(|c| c.done) {
            let back = match c.ask {
                Ask::Away(d) => Some(d),
                Ask::Back => None,
                _ => continue,
            };
            let taken = r.away.iter().any(|a| {
                a.team == c.key.team && a.member == c.key.member && a.back == back && a.at >= c.at && a.at <= c.end
            });
            if !taken {
                v.push(format!("{}: told {:?} is done at {}, and the table never took it", c.key, c.ask, c.end));
            }
        }
    });
    v
}
