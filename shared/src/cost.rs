//! What Morale costs to run for a month, at us-east-1 list prices (on-demand), and with AWS's
//! always-free tier: the part that grows with the emails, from what the scale harness measures
//! (`tests/sim`: `MEASURED` and `METRICS_PER_SENDING_HOUR` are checked against it), and the
//! fixed part, from what the template declares (its alarms, keys and dashboard).

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
    /// CloudWatch: a custom metric (billed by the hour it is written: a month is 730 hours), a
    /// standard alarm per metric it watches, a dashboard (each a month); logs ingested, per GB.
    pub const METRIC_MONTH: f64 = 0.30;
    pub const HOURS_A_MONTH: f64 = 730.0;
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

/// Metrics the sender and the bounce handler write in an hour in which a batch goes out, as the
/// scale harness counts them; in an hour without sending they write none (a zero is not written).
pub const METRICS_PER_SENDING_HOUR: f64 = 6.0;

/// AWS's always-free tier, a month and an account (not the first year's offers: SES's and API
/// Gateway's are not counted).
pub mod free {
    pub const LAMBDA_REQUESTS: f64 = 1_000_000.0;
    pub const LAMBDA_GB_SECONDS: f64 = 400_000.0;
    pub const METRICS: f64 = 10.0;
    pub const ALARM_METRICS: f64 = 10.0;
    /// Dashboards of up to 50 metrics each.
    pub const DASHBOARDS: f64 = 3.0;
    pub const DASHBOARD_METRICS: usize = 50;
    pub const LOGS_GB: f64 = 5.0;
    pub const DYNAMODB_GB: f64 = 25.0;
    pub const SCHEDULER_INVOCATIONS: f64 = 14_000_000.0;
}

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
    /// Hours of a workday in which some team's emails go out (its zone's send time), and in
    /// which some team's day closes (`DaysClosed`); hours in which answers come in
    /// (`ResponsesRecorded`).
    pub const SENDING_HOURS: f64 = 8.0;
    pub const ANSWERING_HOURS: f64 = 12.0;
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
    /// Alarms, each watching one metric (an alarm is billed per metric it watches).
    pub alarms: usize,
    pub kms_keys: usize,
    pub dashboards: usize,
    /// Metrics the dashboards show, all together.
    pub dashboard_metrics: usize,
}

/// One line of the bill.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub what: &'static str,
    /// At list price, and what is left of it after the always-free tier.
    pub usd: f64,
    pub usd_after_free_tier: f64,
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
    // Sending longer than an invocation continues itself; idle ticks do not.
    let continuations = emails / (max_send_rate * ACHIEVED_SHARE) / 300.0;
    let invocations = TICKS_PER_MONTH + continuations + emails * m.bounce_invocations + requests;
    let gb_seconds = sender_seconds * SENDER_GB
        + emails * m.bounce_invocations * m.bounce_seconds * BOUNCE_GB
        + requests * API_SECONDS * API_GB;
    let gb_kept = emails * MONTHS_KEPT * BYTES_PER_EMAIL_KEPT / 1e9;
    let logs_gb = invocations * LOG_BYTES_PER_INVOCATION / 1e9;
    // No metric is written in an hour with nothing to count: a month of a metric is 730 hours
    // of it. None without members.
    let metric_hours = if members == 0 {
        0.0
    } else {
        (METRICS_PER_SENDING_HOUR * SENDING_HOURS + SENDING_HOURS + ANSWERING_HOURS) * WORKDAYS
    };
    let metrics = metric_hours / HOURS_A_MONTH;
    let over = |n: f64, allowance: f64| (n - allowance).max(0.0);
    let dashboards_free =
        if fixed.dashboard_metrics <= free::DASHBOARD_METRICS * fixed.dashboards { free::DASHBOARDS } else { 0.0 };
    let line = |what, usd, usd_after_free_tier, variable| Line { what, usd, usd_after_free_tier, variable };
    let same = |what, usd, variable| Line { what, usd, usd_after_free_tier: usd, variable };
    vec![
        same("SES: emails and their bytes", emails * (SES_EMAIL + EMAIL_BYTES / 1e9 * SES_GB), true),
        same(
            "DynamoDB: requests",
            (emails * m.writes + answers * ANSWER_WRITES + TICKS_PER_MONTH * TICK_WRITES) * DYNAMODB_WRITE
                + (emails * m.reads + answers * ANSWER_READS + TICKS_PER_MONTH * TICK_READS) * DYNAMODB_READ,
            true,
        ),
        line(
            "DynamoDB: storage and point-in-time recovery",
            gb_kept * (DYNAMODB_GB_MONTH + PITR_GB_MONTH),
            over(gb_kept, free::DYNAMODB_GB) * DYNAMODB_GB_MONTH + gb_kept * PITR_GB_MONTH,
            true,
        ),
        line(
            "Lambda: requests and GB-seconds",
            invocations * LAMBDA_REQUEST + gb_seconds * LAMBDA_GB_SECOND,
            over(invocations, free::LAMBDA_REQUESTS) * LAMBDA_REQUEST
                + over(gb_seconds, free::LAMBDA_GB_SECONDS) * LAMBDA_GB_SECOND,
            true,
        ),
        same("API Gateway: answers' requests", requests * HTTP_API_REQUEST, true),
        line(
            "EventBridge: schedule and continuations",
            TICKS_PER_MONTH * SCHEDULER_INVOCATION + continuations * EVENTBRIDGE_EVENT,
            over(TICKS_PER_MONTH, free::SCHEDULER_INVOCATIONS) * SCHEDULER_INVOCATION
                + continuations * EVENTBRIDGE_EVENT,
            true,
        ),
        line(
            "CloudWatch Logs: ingestion",
            logs_gb * LOGS_INGESTED_GB,
            over(logs_gb, free::LOGS_GB) * LOGS_INGESTED_GB,
            true,
        ),
        // Written in the hours teams send and answer in, however many they are.
        line("CloudWatch: custom metrics", metrics * METRIC_MONTH, over(metrics, free::METRICS) * METRIC_MONTH, false),
        line(
            "CloudWatch: alarms",
            fixed.alarms as f64 * ALARM_MONTH,
            over(fixed.alarms as f64, free::ALARM_METRICS) * ALARM_MONTH,
            false,
        ),
        line(
            "CloudWatch: dashboard",
            fixed.dashboards as f64 * DASHBOARD_MONTH,
            over(fixed.dashboards as f64, dashboards_free) * DASHBOARD_MONTH,
            false,
        ),
        same("KMS: keys (alerts, voters' key)", fixed.kms_keys as f64 * KMS_KEY_MONTH, false),
    ]
}

impl Fixed {
    /// What `template` declares.
    pub fn of(template: &str) -> Self {
        let count = |ty: &str| template.lines().filter(|l| l.trim() == format!("Type: {ty}")).count();
        // The dashboard's metrics are its lines' `["Namespace", "Name", ...]` arrays.
        let dashboard_metrics = template
            .lines()
            .filter(|l| l.contains("[\"Morale\"") || l.contains("[\"AWS/"))
            .map(|l| l.matches("[\"").count())
            .sum();
        Self {
            alarms: count("AWS::CloudWatch::Alarm"),
            kms_keys: count("AWS::KMS::Key"),
            dashboards: count("AWS::CloudWatch::Dashboard"),
            dashboard_metrics,
        }
    }
}

pub fn total(lines: &[Line]) -> f64 {
    lines.iter().map(|l| l.usd).sum()
}

pub fn total_after_free_tier(lines: &[Line]) -> f64 {
    lines.iter().map(|l| l.usd_after_free_tier).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXED: Fixed = Fixed { alarms: 13, kms_keys: 2, dashboards: 1, dashboard_metrics: 30 };

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

    /// The free tier takes off what it covers and nothing more: never below zero, never more
    /// than list price; it covers the first ten alarms, and a dashboard only within its 50
    /// metrics.
    #[test]
    fn the_free_tier_takes_off_what_it_covers() {
        for members in [0, 100, 1_000, 1_000_000] {
            for l in month(members, 14.0, FIXED) {
                assert!((0.0..=l.usd).contains(&l.usd_after_free_tier), "{members}: {l:?}");
            }
        }
        let alarms = |fixed| month(1_000, 14.0, fixed).into_iter().find(|l| l.what.contains("alarms")).unwrap();
        assert!((alarms(FIXED).usd_after_free_tier - 0.30).abs() < 1e-9);
        assert_eq!(alarms(Fixed { alarms: 9, ..FIXED }).usd_after_free_tier, 0.0);
        let dashboard = |fixed| month(1_000, 14.0, fixed).into_iter().find(|l| l.what.contains("dashboard")).unwrap();
        assert_eq!(dashboard(FIXED).usd_after_free_tier, 0.0);
        assert_eq!(dashboard(Fixed { dashboard_metrics: 51, ..FIXED }).usd_after_free_tier, 3.0);
        // A million members' SES bill is no free tier's.
        let big = month(1_000_000, 1_000.0, FIXED);
        assert!(total_after_free_tier(&big) > 0.95 * total(&big));
    }
}
