//! Pacing SendEmail calls to a rate, and backoff with full jitter.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Hands out send slots `1 / rate` apart, without bursts, and guards SES's per-second limit
/// itself: no `quota + 1` calls start within `WINDOW` of each other, even when a task wakes late
/// from its slot and bunches up with the next ones (a busy host), so SES's limit is never met
/// head-on.
pub struct Pacer {
    interval: Duration,
    /// Calls allowed per window: the quota, rounded down.
    limit: usize,
    state: Mutex<State>,
}

struct State {
    next: Instant,
    /// When the most recent calls (at most `limit`) actually started, oldest first.
    recent: VecDeque<Instant>,
    /// The guard's window: [`WINDOW`], widened by each throttle SES answers.
    window: Duration,
}

/// A second, plus a margin for a request's way to SES.
pub const WINDOW: Duration = Duration::from_millis(1_025);
/// A throttle widens the guard's window by this (SES saw calls closer than the guard did: a
/// busy host, a slow path), up to [`WIDEST`], for the rest of the drain.
const WIDEN: Duration = Duration::from_millis(25);
const WIDEST: Duration = Duration::from_millis(1_200);

impl Pacer {
    /// Slots at `rate` per second (the quota less some headroom), at most `quota` per window.
    pub fn new(rate: f64, quota: f64) -> Self {
        let rate = rate.max(0.1);
        // A quota under one per second still lets one call through per window.
        let limit = (quota.floor() as usize).max(1);
        Self {
            interval: Duration::from_secs_f64(1.0 / rate),
            limit,
            state: Mutex::new(State { next: Instant::now(), recent: VecDeque::with_capacity(limit), window: WINDOW }),
        }
    }

    /// The same, its first slot no sooner than `at` (where the last holder of the sending
    /// lease left off).
    pub fn starting_at(rate: f64, quota: f64, at: Instant) -> Self {
        let p = Self::new(rate, quota);
        p.lock().next = at;
        p
    }

    /// SES answered a call with a throttle: the guard keeps a wider margin from now on.
    pub fn throttled(&self) {
        let mut state = self.lock();
        state.window = (state.window + WIDEN).min(WIDEST);
    }

    /// When the next slot would be: handed to the next holder of the sending lease.
    pub fn next_slot(&self) -> Instant {
        self.lock().next
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the next slot, then until the call keeps within the quota; the caller
    /// sends at once.
    pub async fn acquire(&self) {
        self.slot().await;
        self.admit().await;
    }

    /// Waits for the next evenly spaced slot.
    async fn slot(&self) {
        let slot = {
            let mut state = self.lock();
            // An idle pacer does not bank slots: a quiet second does not buy a burst later.
            let slot = state.next.max(Instant::now());
            state.next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// Waits until one more call keeps every window within the quota, and counts it.
    async fn admit(&self) {
        loop {
            let wait_until = {
                let mut state = self.lock();
                let now = Instant::now();
                let window = state.window;
                match state.recent.front() {
                    Some(&oldest) if state.recent.len() >= self.limit && now < oldest + window => oldest + window,
                    _ => {
                        if state.recent.len() >= self.limit {
                            state.recent.pop_front();
                        }
                        state.recent.push_back(now);
                        return;
                    }
                }
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }
}

/// Capped exponential backoff with full jitter (AWS architecture blog): a random wait in
/// `0..min(cap, base * 2^attempt)`.
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = base.saturating_mul(1u32 << attempt.min(16)).min(cap);
    ceiling.mul_f64(morale::random::fraction())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_evenly_spaced() {
        let p = Pacer::new(10.0, 11.0);
        let start = Instant::now();
        for _ in 0..21 {
            p.acquire().await;
        }
        // 21 slots at 10/s: the first at once, the last at 2 s; the quota guard never delays
        // evenly spaced calls at 97% of it or less.
        assert_eq!(Instant::now() - start, Duration::from_secs(2));
        let p = Pacer::new(14.0 * 0.97, 14.0);
        let start = Instant::now();
        for _ in 0..29 {
            p.acquire().await;
        }
        // (tokio's timer wakes on whole milliseconds)
        let expected = Duration::from_secs_f64(28.0 / (14.0 * 0.97));
        assert!((Instant::now() - start).abs_diff(expected) < Duration::from_millis(1));
    }

    /// Calls that bunch up (tasks woken late from their slots) are held back so that no
    /// window holds more calls than the quota.
    #[tokio::test(start_paused = true)]
    async fn bunched_calls_keep_within_the_quota() {
        let p = std::sync::Arc::new(Pacer::new(9.7, 10.0));
        // Thirty tasks take their slots, and each wakes late by up to 500 ms, as on a busy
        // host; the guard runs after the wake-up, as in `acquire`.
        let mut tasks = tokio::task::JoinSet::new();
        let times = std::sync::Arc::new(Mutex::new(Vec::new()));
        for i in 0..30u64 {
            let (p, times) = (p.clone(), times.clone());
            tasks.spawn(async move {
                p.slot().await;
                tokio::time::sleep(Duration::from_millis((i * 7919) % 500)).await;
                p.admit().await;
                times.lock().unwrap().push(Instant::now());
            });
        }
        while tasks.join_next().await.is_some() {}
        let mut times = times.lock().unwrap().clone();
        times.sort();
        assert_eq!(times.len(), 30);
        for w in times.windows(11) {
            assert!(w[10] - w[0] >= WINDOW, "11 calls within {:?}", w[10] - w[0]);
        }
    }

    /// After a throttle, the guard holds calls a wider window apart.
    #[tokio::test(start_paused = true)]
    async fn a_throttle_widens_the_guard() {
        let p = Pacer::new(10.0, 10.0);
        p.throttled();
        let start = Instant::now();
        for _ in 0..11 {
            p.acquire().await;
        }
        // Ten calls at 10/s take 0.9 s; the eleventh waits for the first's widened window.
        assert_eq!(Instant::now() - start, WINDOW + WIDEN);
    }

    #[test]
    fn backoff_is_capped() {
        for attempt in 0..40 {
            assert!(backoff(attempt, Duration::from_millis(100), Duration::from_secs(5)) <= Duration::from_secs(5));
        }
    }
}
