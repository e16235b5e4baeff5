//! Pacing SendEmail calls to a rate, and backoff with full jitter.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Hands out send slots `1 / rate` apart, without bursts: any one-second window holds at most
/// `rate` slots, so SES's per-second limit is never met head-on.
pub struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    pub fn new(rate_per_second: f64) -> Self {
        let rate = rate_per_second.max(0.1);
        Self { interval: Duration::from_secs_f64(1.0 / rate), next: Mutex::new(Instant::now()) }
    }

    /// Waits for the next slot.
    pub async fn acquire(&self) {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            // An idle pacer does not bank slots: a quiet second does not buy a burst later.
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// Capped exponential backoff with full jitter (AWS architecture blog): a random wait in
/// `0..min(cap, base * 2^attempt)`.
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = base.saturating_mul(1u32 << attempt.min(16)).min(cap);
    ceiling.mul_f64(rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_evenly_spaced() {
        let p = Pacer::new(10.0);
        let start = Instant::now();
        for _ in 0..21 {
            p.acquire().await;
        }
        // 21 slots at 10/s: the first at once, the last at 2 s.
        assert_eq!(Instant::now() - start, Duration::from_secs(2));
    }

    #[test]
    fn backoff_is_capped() {
        for attempt in 0..40 {
            assert!(backoff(attempt, Duration::from_millis(100), Duration::from_secs(5)) <= Duration::from_secs(5));
        }
    }
}
