//! The faults that happen after SES accepted an email: its answer late or lost on the way back
//! to the client, and its events dropped, duplicated, delayed and reordered on their way to
//! EventBridge. (Faults before acceptance — latency, throttling, 500s, rejections — are in
//! SendEmail itself.)

use crate::App;
use crate::events::SesEvent;
use crate::state::Inner;
use axum::body::{Body, Bytes};
use axum::response::Response;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// What the faults after acceptance did, for tests and `GET /_ses-local/stats`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FaultCounts {
    pub answers_delayed: u64,
    pub answers_lost: u64,
    /// Per recipient: accepted emails whose answer was delayed or lost.
    pub unanswered_to: BTreeMap<String, u64>,
    pub events_dropped: u64,
    pub events_duplicated: u64,
}

/// The answer to an accepted SendEmail, as the faults let it through: held for
/// `answer_delay_ms`, or broken in the middle (`answer_lost_fraction`).
pub(crate) async fn answer(app: &App, recipients: &[String], answer: Response) -> Response {
    let (delay, lost) = {
        let mut s = app.state();
        let fraction = s.faults.answer_lost_fraction;
        let lost = s.chance(fraction);
        let delay = s.faults.answer_delay_ms;
        let c = &mut s.fault_counts;
        c.answers_lost += u64::from(lost);
        c.answers_delayed += u64::from(delay > 0);
        if lost || delay > 0 {
            for r in recipients {
                *c.unanswered_to.entry(r.to_ascii_lowercase()).or_default() += 1;
            }
        }
        (delay, lost)
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if !lost {
        return answer;
    }
    // The answer breaks off: the connection closes before it is complete, and the client reads
    // an error, not a message id.
    let (mut parts, _) = answer.into_parts();
    parts.headers.remove("content-length");
    let broken = futures_util::stream::iter([Err::<Bytes, _>(std::io::Error::other("answer lost"))]);
    Response::from_parts(parts, Body::from_stream(broken))
}

/// One email's events as they will be published: some dropped, some twice.
pub(crate) fn events(s: &mut Inner, events: Vec<SesEvent>) -> Vec<SesEvent> {
    let (drop, twice) = (s.faults.event_drop_fraction, s.faults.event_duplicate_fraction);
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        if s.chance(drop) {
            s.fault_counts.events_dropped += 1;
            continue;
        }
        if s.chance(twice) {
            s.fault_counts.events_duplicated += 1;
            out.push(e.clone());
        }
        out.push(e);
    }
    out
}

/// How long one email's events wait before they are published.
pub(crate) fn event_delay(s: &mut Inner) -> Duration {
    use rand::Rng;
    let max = s.faults.event_delay_ms;
    Duration::from_millis(if max > 0 { s.rng.random_range(0..=max) } else { 0 })
}
