//! The simulation's own randomness: every choice of the world (faults, timing, people) comes
//! from one seeded generator, drawn in a deterministic order on one thread.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Mutex;
use std::time::Duration;

pub struct Dice(Mutex<StdRng>);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(StdRng::seed_from_u64(seed)))
    }

    fn with<T>(&self, f: impl FnOnce(&mut StdRng) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// True with probability `p`.
    pub fn chance(&self, p: f64) -> bool {
        p > 0.0 && self.with(|r| r.random::<f64>() < p)
    }

    /// A value in `lo..=hi`.
    pub fn between(&self, lo: u64, hi: u64) -> u64 {
        if hi <= lo { lo } else { self.with(|r| r.random_range(lo..=hi)) }
    }

    /// A rate in `lo..hi`, or 0 with probability `off` (calm weather for that fault).
    pub fn rate(&self, off: f64, lo: f64, hi: f64) -> f64 {
        if self.chance(off) { 0.0 } else { lo + (hi - lo) * self.with(|r| r.random::<f64>()) }
    }

    pub fn millis(&self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(self.between(lo, hi))
    }

    pub fn pick<'a, T>(&self, items: &'a [T]) -> &'a T {
        &items[self.between(0, items.len() as u64 - 1) as usize]
    }
}
