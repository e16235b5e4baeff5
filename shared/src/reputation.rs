//! The reputation guard: bounces and complaints against sends over a sliding 24-hour window.
//! Past a threshold, sending pauses (the sender's preflight honours it) until a human lifts
//! the pause or it expires: SES itself pauses accounts with bad reputations, and it is better
//! to stop first, on our terms.

use crate::store::record::{self, Versioned};
use crate::store::{StateStore, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

pub const PAUSE_STATE: &str = "sending-pause";
const WINDOW_HOURS: i64 = 24;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub sent: u64,
    pub bounced: u64,
    pub complained: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendingPause {
    pub paused: bool,
    pub reason: String,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Who lifted the last pause, and when.
    pub lifted: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Permanent bounces ÷ sends (AWS reviews accounts at 5%).
    pub bounce_rate: f64,
    /// Complaints ÷ sends (AWS reviews accounts at 0.1%).
    pub complaint_rate: f64,
    /// Rates over fewer sends than this are noise, not a reputation.
    pub min_sent: u64,
    pub pause_for: SignedDuration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { bounce_rate: 0.05, complaint_rate: 0.001, min_sent: 100, pause_for: SignedDuration::from_hours(24) }
    }
}

/// The counts, one tally hour each: adding is one atomic write, whatever else adds at the same
/// moment (a burst of bounces, a sender's run); evaluating reads the window's hours at once.
const TALLY: &str = "reputation";

fn hour(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H").to_string()
}

fn oldest_hour_kept(now: Timestamp) -> String {
    hour(now - SignedDuration::from_hours(WINDOW_HOURS - 1))
}

/// Adds to the current hour's counts.
pub async fn add(store: &dyn StateStore, now: Timestamp, delta: Counts) -> Result<(), StoreError> {
    let counts: Vec<(&'static str, u64)> =
        [("sent", delta.sent), ("bounced", delta.bounced), ("complained", delta.complained)]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect();
    if counts.is_empty() {
        return Ok(());
    }
    store.add_to_tally(TALLY, &hour(now), &counts, now).await
}

/// Counts over the last 24 hours (the current hour and the 23 before it).
pub async fn window(store: &dyn StateStore, now: Timestamp) -> Result<Counts, StoreError> {
    let mut total = Counts::default();
    for h in store.tally(TALLY, &oldest_hour_kept(now), &hour(now)).await? {
        let get = |name: &str| h.counts.get(name).copied().unwrap_or(0);
        total.sent += get("sent");
        total.bounced += get("bounced");
        total.complained += get("complained");
    }
    Ok(total)
}

/// The pause in force at `now`, if any.
pub async fn current_pause(store: &dyn StateStore, now: Timestamp) -> Result<Option<SendingPause>, StoreError> {
    let p = record::read::<SendingPause>(store, PAUSE_STATE).await?.value;
    Ok((p.paused && p.until.is_none_or(|u| now < u)).then_some(p))
}

/// Pauses sending if the window's rates pass the thresholds and no pause is in force.
/// Returns the new pause (the caller alerts) — `None` if nothing changed.
pub async fn evaluate(
    store: &dyn StateStore,
    now: Timestamp,
    t: &Thresholds,
) -> Result<Option<SendingPause>, StoreError> {
    let c = window(store, now).await?;
    if c.sent < t.min_sent {
        return Ok(None);
    }
    let bounce = c.bounced as f64 / c.sent as f64;
    let complaint = c.complained as f64 / c.sent as f64;
    let reason = if bounce > t.bounce_rate {
        format!(
            "bounce rate {:.1}% over the last 24 hours ({} bounces for {} emails; threshold {:.1}%)",
            bounce * 100.0,
            c.bounced,
            c.sent,
            t.bounce_rate * 100.0
        )
    } else if complaint > t.complaint_rate {
        format!(
            "complaint rate {:.2}% over the last 24 hours ({} complaints for {} emails; threshold {:.2}%)",
            complaint * 100.0,
            c.complained,
            c.sent,
            t.complaint_rate * 100.0
        )
    } else {
        return Ok(None);
    };
    let Versioned { value: old, version } = record::read::<SendingPause>(store, PAUSE_STATE).await?;
    if old.paused && old.until.is_none_or(|u| now < u) {
        return Ok(None);
    }
    // A pause lifted by a human within the window is not re-imposed on the same counts.
    if let (false, Some(since)) = (old.paused, old.since) {
        if old.lifted.is_some() && now.duration_since(since) < SignedDuration::from_hours(WINDOW_HOURS) {
            return Ok(None);
        }
    }
    let pause = SendingPause { paused: true, reason, since: Some(now), until: Some(now + t.pause_for), lifted: None };
    Ok(record::write(store, PAUSE_STATE, &pause, version, now).await?.then_some(pause))
}

/// Lifts a pause. `Ok(false)` if there was none in force.
pub async fn lift(store: &dyn StateStore, now: Timestamp, by: &str) -> Result<bool, StoreError> {
    let Versioned { value: mut p, version } = record::read::<SendingPause>(store, PAUSE_STATE).await?;
    if !(p.paused && p.until.is_none_or(|u| now < u)) {
        return Ok(false);
    }
    p.paused = false;
    p.lifted = Some(format!("lifted by {by} at {now}"));
    record::write(store, PAUSE_STATE, &p, version, now).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn pauses_past_the_bounce_threshold_and_can_be_lifted() {
        let s = MemoryStore::new();
        let t = Thresholds::default();
        let now = ts("2026-11-24T15:00:00Z");
        add(&s, now - SignedDuration::from_hours(3), Counts { sent: 200, ..Default::default() }).await.unwrap();
        add(&s, now, Counts { bounced: 10, ..Default::default() }).await.unwrap();
        assert_eq!(evaluate(&s, now, &t).await.unwrap(), None, "5.0% is not past 5%");
        add(&s, now, Counts { bounced: 1, ..Default::default() }).await.unwrap();
        let p = evaluate(&s, now, &t).await.unwrap().expect("paused at 5.5%");
        assert!(p.reason.starts_with("bounce rate 5.5%"), "{}", p.reason);
        assert!(current_pause(&s, now).await.unwrap().is_some());
        assert_eq!(evaluate(&s, now, &t).await.unwrap(), None, "already paused: no second alert");
        assert!(lift(&s, now, "ops").await.unwrap());
        assert!(current_pause(&s, now).await.unwrap().is_none());
        assert!(!lift(&s, now, "ops").await.unwrap());
        assert_eq!(evaluate(&s, now, &t).await.unwrap(), None, "not re-imposed on the same counts");
        // Counts older than 24 hours drop out of the window.
        let w = window(&s, now + SignedDuration::from_hours(22)).await.unwrap();
        assert_eq!(w, Counts { sent: 0, bounced: 11, complained: 0 });
    }

    #[tokio::test]
    async fn complaints_and_small_volumes() {
        let s = MemoryStore::new();
        let t = Thresholds::default();
        let now = ts("2026-11-24T15:00:00Z");
        add(&s, now, Counts { sent: 50, bounced: 20, complained: 5 }).await.unwrap();
        assert_eq!(evaluate(&s, now, &t).await.unwrap(), None, "fewer than 100 sends: no verdict");
        add(&s, now, Counts { sent: 1950, ..Default::default() }).await.unwrap();
        let p = evaluate(&s, now, &Thresholds { bounce_rate: 0.5, ..t }).await.unwrap().unwrap();
        assert!(p.reason.starts_with("complaint rate 0.25%"), "{}", p.reason);
        // Pauses expire by themselves.
        assert!(current_pause(&s, now + SignedDuration::from_hours(25)).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_corrupt_pause_record_is_an_error_not_unpaused() {
        let s = MemoryStore::new();
        let now = ts("2026-11-24T15:00:00Z");
        s.put_state(PAUSE_STATE, r#"{"paused": tru"#, None, now).await.unwrap();
        assert!(matches!(current_pause(&s, now).await, Err(StoreError::Corrupt { .. })));
        assert!(lift(&s, now, "ops").await.is_err(), "nothing is decided on a record that cannot be read");
    }
}
