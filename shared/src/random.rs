//! The randomness behind jitter and run ids, from one place: a thread may seed it, so that a
//! simulation run on one thread repeats exactly from its seed (the FoundationDB way). Unseeded,
//! it is the thread's ordinary random generator.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cell::RefCell;

thread_local! {
    static SEEDED: RefCell<Option<StdRng>> = const { RefCell::new(None) };
}

/// From now on, this thread's values follow `seed`.
pub fn seed_this_thread(seed: u64) {
    SEEDED.with(|s| *s.borrow_mut() = Some(StdRng::seed_from_u64(seed)));
}

/// Back to unrepeatable values on this thread.
pub fn unseed_this_thread() {
    SEEDED.with(|s| *s.borrow_mut() = None);
}

fn with<T>(f: impl FnOnce(&mut dyn rand::RngCore) -> T) -> T {
    SEEDED.with(|s| match s.borrow_mut().as_mut() {
        Some(rng) => f(rng),
        None => f(&mut rand::rng()),
    })
}

/// A value in `0.0..1.0`.
pub fn fraction() -> f64 {
    with(|r| r.random::<f64>())
}

pub fn u64() -> u64 {
    with(|r| r.random::<u64>())
}

/// Fills `buf` with random bytes (the thread's generator is a CSPRNG seeded by the OS, unless
/// a simulation seeded this thread).
pub fn fill(buf: &mut [u8]) {
    with(|r| r.fill_bytes(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_thread_repeats_and_an_unseeded_one_does_not() {
        seed_this_thread(7);
        let a: Vec<u64> = (0..4).map(|_| u64()).collect();
        seed_this_thread(7);
        let b: Vec<u64> = (0..4).map(|_| u64()).collect();
        assert_eq!(a, b);
        assert!((0.0..1.0).contains(&fraction()));
        unseed_this_thread();
        let c: Vec<u64> = (0..4).map(|_| u64()).collect();
        assert_ne!(a, c);
    }
}
