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

/// Collects values during one invocation and writes them as EMF lines at the end.
///
/// A value of zero is not written. CloudWatch bills a custom metric for each hour in which it
/// was written, so a count written as 0 by every five-minute tick costs a whole month; and no
/// alarm needs the zeros: every alarm on a Morale metric treats missing data as not breaching
/// (`tests/tests/suite/template.rs` holds the template to it). There are no dimensions either:
/// each dimension value is a metric of its own; a kind or a reason goes in the log line.
#[derive(Debug, Default, Clone)]
pub struct Metrics {
    /// Metric → (value, unit).
    values: BTreeMap<&'static str, (f64, Unit)>,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds to a count.
    pub fn count(&mut self, name: &'static str, n: u64) {
        self.values.entry(name).or_insert((0.0, Unit::Count)).0 += n as f64;
    }

    /// Sets a value (the latest wins).
    pub fn gauge(&mut self, name: &'static str, value: f64, unit: Unit) {
        self.values.insert(name, (value, unit));
    }

    pub fn get(&self, name: &str) -> f64 {
        self.values.get(name).map_or(0.0, |v| v.0)
    }

    /// What is written to CloudWatch: every value but the zeros.
    pub fn values(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.values.iter().filter(|(_, (v, _))| *v != 0.0).map(|(name, (v, _))| (*name, *v))
    }

    /// The EMF document, if there is anything to write.
    pub fn to_emf(&self, timestamp_ms: i64) -> Option<String> {
        let written: Vec<_> = self.values.iter().filter(|(_, (v, _))| *v != 0.0).collect();
        if written.is_empty() {
            return None;
        }
        let mut doc = Map::new();
        doc.insert(
            "_aws".into(),
            json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": [[]],
                    "Metrics": written.iter().map(|(n, (_, u))| json!({"Name": n, "Unit": u.as_str()})).collect::<Vec<_>>(),
                }],
            }),
        );
        for (n, (v, _)) in written {
            doc.insert((*n).to_string(), json!(v));
        }
        Some(Value::Object(doc).to_string())
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
            if let Some(line) = self.to_emf(jiff::Timestamp::now().as_millisecond()) {
                println!("{line}");
            }
        }
        self.values.clear();
    }

    pub fn merge(&mut self, other: &Metrics) {
        for (name, (v, unit)) in &other.values {
            match unit {
                Unit::Count => self.values.entry(name).or_insert((0.0, *unit)).0 += v,
                _ => {
                    self.values.insert(name, (*v, *unit));
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
        m.gauge(ACHIEVED_SEND_RATE, 13.5, Unit::CountPerSecond);
        let line = m.to_emf(1_700_000_000_000).expect("something to write");
        let doc: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(doc["EmailsSent"], 5.0);
        assert_eq!(doc["AchievedSendRate"], 13.5);
        assert_eq!(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Morale");
        assert_eq!(doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([[]]));
        assert_eq!(m.get(EMAILS_SENT), 5.0);
    }

    /// A zero costs an hour of a metric and tells nothing: it is not written, and an
    /// invocation with nothing but zeros writes no line at all.
    #[test]
    fn zeros_are_not_written() {
        let mut m = Metrics::new();
        m.count(PREFLIGHT_FAILED, 0);
        m.gauge(HELD_EMAILS, 0.0, Unit::Count);
        assert_eq!(m.to_emf(1_700_000_000_000), None);
        assert_eq!(m.values().count(), 0);
        m.count(EMAILS_FAILED, 1);
        let doc: Value = serde_json::from_str(&m.to_emf(1_700_000_000_000).unwrap()).unwrap();
        assert_eq!(doc["EmailsFailed"], 1.0);
        assert!(doc.get("PreflightFailed").is_none() && doc.get("HeldEmails").is_none(), "{doc}");
        let names: Vec<_> = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["Name"].clone())
            .collect();
        assert_eq!(names, vec![json!("EmailsFailed")]);
    }
}
