//! The one metrics module: names, and CloudWatch Embedded Metric Format (EMF) lines.
//!
//! Metrics are JSON lines on stdout; CloudWatch Logs extracts them into the `Morale`
//! namespace. Alarms and the dashboard in `template.yaml` name only metrics listed here.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub const NAMESPACE: &str = "Morale";

// sender
pub const EMAILS_SCHEDULED: &str = "EmailsScheduled";
pub const EMAILS_SENT: &str = "EmailsSent";
pub const EMAILS_FAILED: &str = "EmailsFailed";
pub const SEND_ERRORS: &str = "SendErrors";
pub const PREFLIGHT_FAILED: &str = "PreflightFailed";
pub const HELD_EMAILS: &str = "HeldEmails";
pub const OUTBOX_OLDEST_PENDING_AGE: &str = "OutboxOldestPendingAgeSeconds";
pub const ACHIEVED_SEND_RATE: &str = "AchievedSendRate";
pub const SENDS_MISSED: &str = "SendsMissed";
/// Sent emails with no delivery or bounce from SES within their window.
pub const EMAILS_UNCONFIRMED: &str = "EmailsUnconfirmed";
/// Emails of a closed day's ledger with no explained end (see `domain::ledger`): must be 0.
pub const UNACCOUNTED_EMAILS: &str = "UnaccountedEmails";
/// Teams' days whose ledger closed.
pub const DAYS_CLOSED: &str = "DaysClosed";
/// Never emitted: the metric of the alarm `moralectl verify` sets to ALARM by hand, to prove
/// that alarms reach the alert topic's subscribers.
pub const VERIFY_ALARM_PATH: &str = "VerifyAlarmPath";
// bounce handler
pub const EMAILS_DELIVERED: &str = "EmailsDelivered";
pub const EMAILS_BOUNCED: &str = "EmailsBounced";
pub const EMAILS_COMPLAINED: &str = "EmailsComplained";
pub const EMAILS_DEFERRED: &str = "EmailsDeferred";
/// Delivery delays reported by SES, which keeps trying.
pub const EMAILS_DELAYED: &str = "EmailsDelayed";
pub const RETRIES_EXHAUSTED: &str = "RetriesExhausted";
pub const UNPARSEABLE_EVENTS: &str = "UnparseableEvents";
pub const IGNORED_EVENTS: &str = "IgnoredEvents";
pub const SENDING_PAUSED: &str = "SendingPaused";
// every function
/// Alerts that could not be published to the alert topic (see `alert::MeteredAlerter`).
pub const ALERTS_UNDELIVERED: &str = "AlertsUndelivered";
// response API
pub const RESPONSES_RECORDED: &str = "ResponsesRecorded";
/// Emails whose answers came as a scanner's burst (several different answers within seconds):
/// kept out of every figure.
pub const RESPONSES_QUARANTINED: &str = "ResponsesQuarantined";
pub const RESPONSES_REJECTED: &str = "ResponsesRejected";
/// Requests answered "please try again" because the table could not be reached.
pub const RESPONSES_UNAVAILABLE: &str = "ResponsesUnavailable";

/// Every metric name the code emits.
pub const ALL: &[&str] = &[
    EMAILS_SCHEDULED,
    EMAILS_SENT,
    EMAILS_FAILED,
    SEND_ERRORS,
    PREFLIGHT_FAILED,
    HELD_EMAILS,
    OUTBOX_OLDEST_PENDING_AGE,
    ACHIEVED_SEND_RATE,
    SENDS_MISSED,
    EMAILS_UNCONFIRMED,
    UNACCOUNTED_EMAILS,
    DAYS_CLOSED,
    VERIFY_ALARM_PATH,
    EMAILS_DELIVERED,
    EMAILS_BOUNCED,
    EMAILS_COMPLAINED,
    EMAILS_DEFERRED,
    EMAILS_DELAYED,
    RETRIES_EXHAUSTED,
    UNPARSEABLE_EVENTS,
    IGNORED_EVENTS,
    SENDING_PAUSED,
    ALERTS_UNDELIVERED,
    RESPONSES_RECORDED,
    RESPONSES_QUARANTINED,
    RESPONSES_REJECTED,
    RESPONSES_UNAVAILABLE,
];

/// The metrics emitted only by dimension (`count_by`), and how many values each dimension
/// takes at most: each value is a metric series of its own, and billed as one.
pub const BY_DIMENSION: &[(&str, usize)] = &[
    (SEND_ERRORS, 5),         // SendErrorKind
    (EMAILS_BOUNCED, 2),      // Permanent, Transient
    (IGNORED_EVENTS, 2),      // not_ours, event_type
    (RESPONSES_REJECTED, 16), // the response API's refusals, a token's five among them
];

/// Metric series CloudWatch may hold for Morale (billed each month one was written).
pub fn series() -> usize {
    // VerifyAlarmPath is never emitted: its alarm is set by hand.
    let plain = ALL.len() - 1 - BY_DIMENSION.len();
    plain + BY_DIMENSION.iter().map(|(_, n)| n).sum::<usize>()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Seconds,
    CountPerSecond,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Self::Count => "Count",
            Self::Seconds => "Seconds",
            Self::CountPerSecond => "Count/Second",
        }
    }
}

static SILENT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

type Sink = Box<dyn FnMut(&Metrics)>;

thread_local! {
    /// Where this thread's flushed metrics go instead of stdout (see [`capture_on_this_thread`]).
    static SINK: std::cell::RefCell<Option<Sink>> = const { std::cell::RefCell::new(None) };
}

/// Hands every [`Metrics::flush`] on this thread to `sink` instead of writing EMF lines: a
/// simulation on one thread sees what CloudWatch would.
pub fn capture_on_this_thread(sink: impl FnMut(&Metrics) + 'static) {
    SINK.with(|s| *s.borrow_mut() = Some(Box::new(sink)));
}

/// Stops [`capture_on_this_thread`].
pub fn stop_capture_on_this_thread() {
    SINK.with(|s| *s.borrow_mut() = None);
}

/// No more EMF lines from this process: for the local stack, where nobody reads them.
pub fn silence() {
    SILENT.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// One dimension (name, value), or none.
type Dimension = Option<(String, String)>;

/// Collects values during one invocation and writes them as EMF lines at the end.
#[derive(Debug, Default, Clone)]
pub struct Metrics {
    /// (dimension name and value, or none) → metric → (value, unit).
    values: BTreeMap<Dimension, BTreeMap<&'static str, (f64, Unit)>>,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds to a count.
    pub fn count(&mut self, name: &'static str, n: u64) {
        self.add(None, name, n as f64, Unit::Count);
    }

    /// Adds to a count with one dimension (e.g. `SendErrors` by `Kind`).
    pub fn count_by(&mut self, name: &'static str, dimension: &str, value: &str, n: u64) {
        self.add(Some((dimension.to_string(), value.to_string())), name, n as f64, Unit::Count);
    }

    /// Sets a value (the latest wins).
    pub fn gauge(&mut self, name: &'static str, value: f64, unit: Unit) {
        self.values.entry(None).or_default().insert(name, (value, unit));
    }

    fn add(&mut self, dim: Dimension, name: &'static str, v: f64, unit: Unit) {
        let e = self.values.entry(dim).or_default().entry(name).or_insert((0.0, unit));
        e.0 += v;
    }

    pub fn get(&self, name: &str) -> f64 {
        self.values.get(&None).and_then(|m| m.get(name)).map_or(0.0, |v| v.0)
    }

    pub fn get_by(&self, name: &str, dimension: &str, value: &str) -> f64 {
        self.values
            .get(&Some((dimension.to_string(), value.to_string())))
            .and_then(|m| m.get(name))
            .map_or(0.0, |v| v.0)
    }

    /// Every value: metric name, its dimension if any, value.
    pub fn values(&self) -> impl Iterator<Item = (&'static str, Option<(&str, &str)>, f64)> + '_ {
        self.values.iter().flat_map(|(dim, m)| {
            m.iter().map(move |(name, (v, _))| (*name, dim.as_ref().map(|(d, x)| (d.as_str(), x.as_str())), *v))
        })
    }

    /// The EMF documents, one per dimension set.
    pub fn to_emf(&self, timestamp_ms: i64) -> Vec<String> {
        self.values
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(dim, metrics)| {
                let dims: Vec<Value> = match dim {
                    Some((d, _)) => vec![json!([d])],
                    None => vec![json!([])],
                };
                let mut doc = Map::new();
                doc.insert(
                    "_aws".into(),
                    json!({
                        "Timestamp": timestamp_ms,
                        "CloudWatchMetrics": [{
                            "Namespace": NAMESPACE,
                            "Dimensions": dims,
                            "Metrics": metrics.iter().map(|(n, (_, u))| json!({"Name": n, "Unit": u.as_str()})).collect::<Vec<_>>(),
                        }],
                    }),
                );
                if let Some((d, v)) = dim {
                    doc.insert(d.clone(), json!(v));
                }
                for (n, (v, _)) in metrics {
                    doc.insert((*n).to_string(), json!(v));
                }
                Value::Object(doc).to_string()
            })
            .collect()
    }

    /// Writes the EMF lines to stdout, where the Lambda runtime sends them to CloudWatch Logs.
    /// `MORALE_METRICS=off` or [`silence`] turns them off (benchmarks, the local stack).
    pub fn flush(&mut self) {
        let captured = SINK.with(|s| s.borrow_mut().as_mut().map(|sink| sink(self)).is_some());
        if captured {
            self.values.clear();
            return;
        }
        static OFF: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let off = *OFF.get_or_init(|| std::env::var("MORALE_METRICS").is_ok_and(|v| v == "off"));
        if !off && !SILENT.load(std::sync::atomic::Ordering::Relaxed) {
            let now = jiff::Timestamp::now().as_millisecond();
            for line in self.to_emf(now) {
                println!("{line}");
            }
        }
        self.values.clear();
    }

    pub fn merge(&mut self, other: &Metrics) {
        for (dim, m) in &other.values {
            for (name, (v, unit)) in m {
                match unit {
                    Unit::Count => self.add(dim.clone(), name, *v, *unit),
                    _ => {
                        self.values.entry(dim.clone()).or_default().insert(name, (*v, *unit));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emf_documents() {
        let mut m = Metrics::new();
        m.count(EMAILS_SENT, 3);
        m.count(EMAILS_SENT, 2);
        m.count_by(SEND_ERRORS, "Kind", "throttled", 4);
        m.gauge(ACHIEVED_SEND_RATE, 13.5, Unit::CountPerSecond);
        let lines = m.to_emf(1_700_000_000_000);
        assert_eq!(lines.len(), 2);
        let plain: Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(plain["EmailsSent"], 5.0);
        assert_eq!(plain["AchievedSendRate"], 13.5);
        assert_eq!(plain["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Morale");
        assert_eq!(plain["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([[]]));
        let by_kind: Value = serde_json::from_str(&lines[1]).unwrap();
        assert_eq!(by_kind["Kind"], "throttled");
        assert_eq!(by_kind["SendErrors"], 4.0);
        assert_eq!(by_kind["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["Kind"]]));
        assert_eq!(m.get(EMAILS_SENT), 5.0);
        assert_eq!(m.get_by(SEND_ERRORS, "Kind", "throttled"), 4.0);
    }
}
