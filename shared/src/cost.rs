//! What Morale costs to run for a month, at us-east-1 list prices (on-demand, no free tier):
//! the part that grows with the emails, from what the scale harness measures per email
//! (`tests/sim`: `MEASURED` is checked against it), and the fixed part, from what the template
//! declares (its alarms, keys and dashboard: checked against `template.yaml`) and what the code
//! emits (its metrics).

/// us-east-1 list prices, December 2026.
pub mod price {
    /// SES outbound email, per email ($0.10 per 1,000), and per GB sent.
    pub const SES_EMAIL: f64 = 0.10 / 1_000.0;
    pub const SES_GB: f64 = 0.12;
    /// DynamoDB on-demand: per write request unit and per read request unit.
    pub const DYNAMODB_WRITE: f64 = 0.625 / 1_000_000.0;
    pub const DYNAMODB_READ: f64 = 0.125 / 1_000_000.0;
    /// DynamoDB storage and its point-in-time recovery, per GB-month.
    pub const DYNAMODB_GB_MONTH: f64 = 0.25;
    pub const PITR_GB_MONTH: f64 = 0.20;
    /// Lambda (x86): per GB-second and per request.
    pub const LAMBDA_GB_SECOND: f64 = 0.000_016_666_7;
    pub const LAMBDA_REQUEST: f64 = 0.20 / 1_000_000.0;
    /// API Gateway HTTP API, per request.
    pub const HTTP_API_REQUEST: f64 = 1.00 / 1_000_000.0;
    /// EventBridge custom events (the sender's continuations); SES's own events are free.
    pub const EVENTBRIDGE_EVENT: f64 = 1.00 / 1_000_000.0;
    /// EventBridge Scheduler, per invocation.
    pub const SCHEDULER_INVOCATION: f64 = 1.00 / 1_000_000.0;
    /// CloudWatch: a custom metric, a standard alarm, a dashboard (each a month); logs ingested
    /// and stored, per GB.
    pub const METRIC_MONTH: f64 = 0.30;
    pub const ALARM_MONTH: f64 = 0.10;
    pub const DASHBOARD_MONTH: f64 = 3.00;
    pub const LOGS_INGESTED_GB: f64 = 0.50;
    /// A KMS customer managed key, a month.
    pub const KMS_KEY_MONTH: f64 = 1.00;
}

/// What one email costs in requests, as the scale harness measures it (one day of 50,000
/// members at 1,000/s, the table at 5 ms a call: BENCHMARKS.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerEmail {
    /// Table writes and reads, each of an item under 1 KB (one request unit).
    pub writes: f64,
    pub reads: f64,
    /// Bounce-handler invocations (SES's Send and Delivery events), and the seconds each takes.
    pub bounce_invocations: f64,
    pub bounce_seconds: f64,
}

pub const MEASURED: PerEmail = PerEmail { writes: 3.0, reads: 2.0, bounce_invocations: 2.0, bounce_seconds: 0.008 };

/// Assumed, not measured: what an email weighs, what an answer costs, what is logged.
pub mod assumed {
    /// An email's size as SES bills it (HTML and text parts, headers).
    pub const EMAIL_BYTES: f64 = 12_000.0;
    /// Members who answer on a day, and the requests an answer takes (the page, the post).
    pub const PARTICIPATION: f64 = 0.6;
    pub const REQUESTS_PER_ANSWER: f64 = 2.0;
    /// Table calls of one answer (the link's team, member and day, the day's salt, the vote's
    /// read and conditional put), and the response API's time per request.
    pub const ANSWER_READS: f64 = 4.0;
    pub const ANSWER_WRITES: f64 = 2.0;
    pub const API_SECONDS: f64 = 0.02;
    /// Log bytes per Lambda invocation (the platform's lines and the metrics' EMF line).
    pub const LOG_BYTES_PER_INVOCATION: f64 = 1_500.0;
    /// An idle tick's run (preflight, the due queries, the days) and its table calls.
    pub const TICK_SECONDS: f64 = 0.3;
    pub const TICK_READS: f64 = 10.0;
    pub const TICK_WRITES: f64 = 1.0;
    /// An outbox item and its share of the days' records, kept 400 days.
    pub const BYTES_PER_EMAIL_KEPT: f64 = 1_000.0;
    pub const MONTHS_KEPT: f64 = 13.0;
    /// Workdays in a month.
    pub const WORKDAYS: f64 = 21.7;
}

/// Memory of the functions (template.yaml), GB.
const SENDER_GB: f64 = 0.25;
const BOUNCE_GB: f64 = 0.125;
const API_GB: f64 = 0.125;
/// The sender's schedule: every five minutes.
const TICKS_PER_MONTH: f64 = 30.0 * 24.0 * 12.0;
/// The sender paces to this share of MaxSendRate (`config::SEND_RATE_HEADROOM`, capped by the
/// pacer's window); it runs, and is billed, while it sends.
const ACHIEVED_SHARE: f64 = 0.975;

/// What the deployment has that costs whatever the emails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed {
    /// Metric series the code emits (name and dimension value).
    pub metrics: usize,
    pub alarms: usize,
    pub kms_keys: usize,
    pub dashboards: usize,
}

/// One line of the bill.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub what: &'static str,
    pub usd: f64,
    /// Grows with the emails (else fixed).
    pub variable: bool,
}

/// A month at `members` members, the account sending at `max_send_rate`.
pub fn month(members: u64, max_send_rate: f64, fixed: Fixed) -> Vec<Line> {
    use assumed::*;
    use price::*;
    let emails = members as f64 * WORKDAYS;
    let answers = emails * PARTICIPATION;
    let requests = answers * REQUESTS_PER_ANSWER;
    let m = MEASURED;
    let sender_seconds = emails / (max_send_rate * ACHIEVED_SHARE) + TICKS_PER_MONTH * TICK_SECONDS;
    let invocations = TICKS_PER_MONTH + emails * m.bounce_invocations + requests;
    let gb_kept = emails * MONTHS_KEPT * BYTES_PER_EMAIL_KEPT / 1e9;
    let line = |what, usd, variable| Line { what, usd, variable };
    vec![
        line("SES: emails and their bytes", emails * (SES_EMAIL + EMAIL_BYTES / 1e9 * SES_GB), true),
        line(
            "DynamoDB: requests",
            (emails * m.writes + answers * ANSWER_WRITES + TICKS_PER_MONTH * TICK_WRITES) * DYNAMODB_WRITE
                + (emails * m.reads + answers * ANSWER_READS + TICKS_PER_MONTH * TICK_READS) * DYNAMODB_READ,
            true,
        ),
        line("DynamoDB: storage and point-in-time recovery", gb_kept * (DYNAMODB_GB_MONTH + PITR_GB_MONTH), true),
        line(
            "Lambda: requests and GB-seconds",
            invocations * LAMBDA_REQUEST
                + (sender_seconds * SENDER_GB
                    + emails * m.bounce_invocations * m.bounce_seconds * BOUNCE_GB
                    + requests * API_SECONDS * API_GB)
                    * LAMBDA_GB_SECOND,
            true,
        ),
        line("API Gateway: answers' requests", requests * HTTP_API_REQUEST, true),
        line(
            "EventBridge: schedule and continuations",
            TICKS_PER_MONTH * SCHEDULER_INVOCATION + sender_seconds / 300.0 * EVENTBRIDGE_EVENT,
            true,
        ),
        line("CloudWatch Logs: ingestion", invocations * LOG_BYTES_PER_INVOCATION / 1e9 * LOGS_INGESTED_GB, true),
        line("CloudWatch: custom metrics", fixed.metrics as f64 * METRIC_MONTH, false),
        line("CloudWatch: alarms", fixed.alarms as f64 * ALARM_MONTH, false),
        line("CloudWatch: dashboard", fixed.dashboards as f64 * DASHBOARD_MONTH, false),
        line("KMS: keys (alerts, voters' key)", fixed.kms_keys as f64 * KMS_KEY_MONTH, false),
    ]
}

impl Fixed {
    /// What `template` declares, and the metric series the code emits.
    pub fn of(template: &str) -> Self {
        let count = |ty: &str| template.lines().filter(|l| l.trim() == format!("Type: {ty}")).count();
        Self {
            metrics: crate::metrics::series(),
            alarms: count("AWS::CloudWatch::Alarm"),
            kms_keys: count("AWS::KMS::Key"),
            dashboards: count("AWS::CloudWatch::Dashboard"),
        }
    }
}

pub fn total(lines: &[Line]) -> f64 {
    lines.iter().map(|l| l.usd).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXED: Fixed = Fixed { metrics: 10, alarms: 10, kms_keys: 2, dashboards: 1 };

    #[test]
    fn the_fixed_part_does_not_grow_and_the_rest_does() {
        let small = month(100, 14.0, FIXED);
        let big = month(100_000, 14.0, FIXED);
        for (s, b) in small.iter().zip(&big) {
            if s.variable {
                assert!(b.usd > s.usd, "{}", s.what);
            } else {
                assert_eq!(b.usd, s.usd, "{}", s.what);
            }
        }
        // SES's per-email price is the floor of the variable part: $0.10 a thousand.
        let ses = big.iter().find(|l| l.what.starts_with("SES")).unwrap().usd;
        assert!(ses >= 100_000.0 * 21.7 * 0.0001);
    }
}
