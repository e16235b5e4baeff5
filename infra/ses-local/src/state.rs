//! What ses-local knows: the account, identities, configuration sets, accepted messages, the
//! sending-rate windows, injected faults and scripted outcomes.

use rand::Rng;
use rand::rngs::SmallRng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// An SESv2 error: HTTP status, error code (what the SDK maps to a variant), message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

/// SESv2's errors as ses-local answers them: a constructor each, its HTTP status and code.
macro_rules! ses_errors {
    ($($name:ident => $status:literal $code:literal,)*) => {
        impl SesError {
            $(pub fn $name(m: impl Into<String>) -> Self {
                Self { status: $status, code: $code, message: m.into() }
            })*
        }
    };
}

ses_errors! {
    bad_request => 400 "BadRequestException",
    not_found => 404 "NotFoundException",
    already_exists => 400 "AlreadyExistsException",
    rejected => 400 "MessageRejected",
    too_many_requests => 429 "TooManyRequestsException",
    limit_exceeded => 400 "LimitExceededException",
}

impl SesError {
    pub fn internal() -> Self {
        Self {
            status: 500,
            code: "InternalFailure",
            message: "The request processing has failed because of an unknown error, exception or failure.".into(),
        }
    }
}

pub const RATE_EXCEEDED: &str = "Maximum sending rate exceeded.";
pub const DAILY_EXCEEDED: &str = "Daily message quota exceeded.";

/// SESv2 verification / DKIM status values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Pending,
    Success,
    Failed,
    TemporaryFailure,
    NotStarted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MailFromBehavior {
    UseDefaultValue,
    RejectMessage,
}

/// An identity's custom MAIL FROM domain: SES's `MailFromAttributes`.
#[derive(Debug, Clone, Serialize)]
pub struct MailFrom {
    pub domain: Option<String>,
    pub status: Status,
    pub behavior: MailFromBehavior,
}

impl MailFrom {
    /// SES refuses mail while a custom MAIL FROM domain is not verified, if the identity says
    /// to reject rather than fall back to SES's own domain.
    pub fn refuses_mail(&self) -> bool {
        self.domain.is_some() && self.status != Status::Success && self.behavior == MailFromBehavior::RejectMessage
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub name: String,
    pub is_domain: bool,
    pub verification: Status,
    pub dkim: Status,
    pub mail_from: MailFrom,
    pub configuration_set: Option<String>,
    pub tags: Vec<(String, String)>,
}

impl Identity {
    pub fn new(name: &str, verified: bool) -> Self {
        let status = if verified { Status::Success } else { Status::Pending };
        Self {
            name: name.to_string(),
            is_domain: !name.contains('@'),
            verification: status,
            dkim: if name.contains('@') && !verified { Status::NotStarted } else { status },
            mail_from: MailFrom { domain: None, status: Status::Success, behavior: MailFromBehavior::UseDefaultValue },
            configuration_set: None,
            tags: Vec::new(),
        }
    }

    /// SES sends from an identity whose verification succeeded. DKIM in TEMPORARY_FAILURE
    /// still sends (SES retries the DNS lookup for 72 hours before it fails the identity).
    pub fn verified_for_sending(&self) -> bool {
        self.verification == Status::Success
    }

    /// The identity lifecycle states the control API offers as shorthands.
    pub fn set_state(&mut self, state: &str) -> Result<(), String> {
        let (v, d) = match state {
            "verified" => (Status::Success, Status::Success),
            "pending" => (Status::Pending, Status::Pending),
            "failed" => (Status::Failed, Status::Failed),
            // What the incident looked like: an account change un-verified the domain.
            "revoked" => (Status::Failed, Status::Failed),
            "temporary_failure" => (Status::TemporaryFailure, Status::TemporaryFailure),
            "not_started" => (Status::NotStarted, Status::NotStarted),
            other => {
                return Err(format!(
                    "unknown identity state {other:?}: use verified, pending, failed, revoked, temporary_failure or not_started"
                ));
            }
        };
        self.verification = v;
        self.dkim = d;
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub sending_enabled: bool,
    /// HEALTHY, PROBATION or SHUTDOWN.
    pub enforcement_status: String,
    pub production_access: bool,
    pub max_send_rate: f64,
    pub max_24_hour_send: f64,
    /// The Virtual Deliverability Manager: GetMessageInsights answers only with it on.
    pub vdm_enabled: bool,
}

impl Default for Account {
    /// A new SES account out of the sandbox: sending, healthy, 14 a second and 50,000 a day.
    fn default() -> Self {
        Self {
            sending_enabled: true,
            enforcement_status: "HEALTHY".into(),
            production_access: true,
            max_send_rate: 14.0,
            max_24_hour_send: 50_000.0,
            vdm_enabled: false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventDestination {
    pub name: String,
    pub enabled: bool,
    pub matching_event_types: Vec<String>,
    pub event_bus_arn: Option<String>,
    /// Other destination kinds (SNS, Firehose, CloudWatch, Pinpoint) are stored as given and
    /// echoed back, but ses-local publishes only to EventBridge.
    pub other: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigSet {
    pub name: String,
    pub sending_enabled: bool,
    pub raw: Value,
    pub destinations: Vec<EventDestination>,
}

/// Faults injected through the control API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every SendEmail: fixed part and uniformly random extra, in milliseconds.
    pub latency_ms: u64,
    pub jitter_ms: u64,
    /// Fractions (0..=1) of SendEmail calls answered with TooManyRequests or a 500.
    pub throttle_fraction: f64,
    pub error_fraction: f64,
    /// Recipients whose mail is rejected with MessageRejected.
    pub reject_recipients: Vec<String>,
    /// Recipients SES refuses as a bad request (BadRequestException): one message fails.
    pub invalid_recipients: Vec<String>,
    /// After SES accepted an email (recorded it, published its events): its answer is held
    /// this long. Past the client's timeout the client cannot know the email was accepted.
    pub answer_delay_ms: u64,
    /// The fraction of accepted emails whose answer is lost: the connection breaks in it.
    pub answer_lost_fraction: f64,
    /// Fractions of SES events never published, and published twice (SES's own delivery of
    /// events is best effort).
    pub event_drop_fraction: f64,
    pub event_duplicate_fraction: f64,
    /// Each email's events wait a random 0..=`event_delay_ms` before they go: late, and out of
    /// order with other emails' events.
    pub event_delay_ms: u64,
}

/// What happens to mail for a recipient after SES accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Delivery,
    PermanentBounce,
    SuppressionListBounce,
    TransientBounce,
    Complaint,
    DelayThenDelivery,
    DelayThenBounce,
    Reject,
    RenderingFailure,
}

/// A message SES accepted.
#[derive(Debug, Clone, Serialize)]
pub struct StoredMessage {
    pub message_id: String,
    pub timestamp: String,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub reply_to: Vec<String>,
    pub subject: String,
    pub html: Option<String>,
    pub text: Option<String>,
    pub headers: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub configuration_set: Option<String>,
    pub list_management: Option<Value>,
    /// The raw MIME message, for `Raw` content.
    pub raw: Option<String>,
}

impl StoredMessage {
    pub fn recipients(&self) -> impl Iterator<Item = &String> {
        self.to.iter().chain(&self.cc).chain(&self.bcc)
    }
}

/// A sliding one-second (and 24-hour) window of accepted recipients.
#[derive(Debug, Default)]
struct Window {
    entries: VecDeque<(Instant, u32)>,
    sum: u64,
}

impl Window {
    fn prune(&mut self, now: Instant, span: Duration) {
        while let Some(&(t, n)) = self.entries.front() {
            if now.duration_since(t) >= span {
                self.entries.pop_front();
                self.sum -= u64::from(n);
            } else {
                break;
            }
        }
    }
    fn add(&mut self, now: Instant, n: u32) {
        self.entries.push_back((now, n));
        self.sum += u64::from(n);
    }
}

pub struct Inner {
    pub account: Account,
    pub identities: BTreeMap<String, Identity>,
    pub config_sets: BTreeMap<String, ConfigSet>,
    pub messages: Vec<Arc<StoredMessage>>,
    pub events: Vec<Value>,
    /// Every event each message produced, by message id, whether or not it was published (as
    /// SES's Virtual Deliverability Manager knows them).
    pub insights: HashMap<String, Vec<(String, Value)>>,
    pub faults: Faults,
    pub outcomes: HashMap<String, VecDeque<Outcome>>,
    second: Window,
    day: Window,
    pub rng: SmallRng,
    seq: u64,
    pub throttled: u64,
    /// What the answer and event faults did.
    pub fault_counts: crate::faults::FaultCounts,
    /// Identity state changes that happen once this many messages have been accepted: an
    /// identity revoked mid-batch, at an exact point.
    pub scheduled: Vec<(usize, String, String)>,
}

pub const SECOND: Duration = Duration::from_secs(1);
pub const DAY: Duration = Duration::from_secs(24 * 3600);

impl Inner {
    pub fn new(account: Account) -> Self {
        Self {
            account,
            identities: BTreeMap::new(),
            config_sets: BTreeMap::new(),
            messages: Vec::new(),
            events: Vec::new(),
            insights: HashMap::new(),
            faults: Faults::default(),
            outcomes: HashMap::new(),
            second: Window::default(),
            day: Window::default(),
            rng: rand::SeedableRng::seed_from_u64(0x5e5),
            seq: 0,
            throttled: 0,
            fault_counts: Default::default(),
            scheduled: Vec::new(),
        }
    }

    /// Recipients accepted in the last 24 hours.
    pub fn sent_last_24h(&mut self) -> u64 {
        self.day.prune(Instant::now(), DAY);
        self.day.sum
    }

    /// Admits `n` recipients now, or says which quota they would break.
    pub fn admit(&mut self, n: u32) -> Result<(), SesError> {
        let now = Instant::now();
        self.second.prune(now, SECOND);
        self.day.prune(now, DAY);
        if (self.day.sum + u64::from(n)) as f64 > self.account.max_24_hour_send {
            self.throttled += 1;
            return Err(SesError::too_many_requests(DAILY_EXCEEDED));
        }
        if (self.second.sum + u64::from(n)) as f64 > self.account.max_send_rate {
            self.throttled += 1;
            return Err(SesError::too_many_requests(RATE_EXCEEDED));
        }
        self.second.add(now, n);
        self.day.add(now, n);
        Ok(())
    }

    /// A message id in SES's shape: 0100 + hex time + uuid-like part + -000000.
    pub fn next_message_id(&mut self) -> String {
        self.seq += 1;
        let millis = jiff::Timestamp::now().as_millisecond();
        let r: u64 = self.rng.random();
        format!(
            "0100{millis:012x}-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}-000000",
            (r >> 32) as u32,
            (r >> 16) as u16,
            r as u16,
            (self.seq >> 48) as u16,
            self.seq & 0xffff_ffff_ffff
        )
    }

    /// Finds the identity that authorises sending from `address`: the address itself, its
    /// domain, or a parent domain.
    pub fn identity_for(&self, address: &str) -> Option<&Identity> {
        let address = address.to_ascii_lowercase();
        if let Some(id) = self.identities.get(&address) {
            return Some(id);
        }
        let mut domain = address.rsplit_once('@').map(|(_, d)| d)?;
        loop {
            if let Some(id) = self.identities.get(domain) {
                return Some(id);
            }
            domain = domain.split_once('.').map(|(_, rest)| rest).filter(|r| r.contains('.'))?;
        }
    }

    /// What happens to mail for `recipient`: a scripted outcome first, then the mailbox
    /// simulator, otherwise delivery.
    pub fn outcome_for(&mut self, recipient: &str) -> Outcome {
        let key = recipient.to_ascii_lowercase();
        if let Some(queue) = self.outcomes.get_mut(&key) {
            if let Some(o) = queue.pop_front() {
                if queue.is_empty() {
                    self.outcomes.remove(&key);
                }
                return o;
            }
        }
        simulator_outcome(&key).unwrap_or(Outcome::Delivery)
    }

    pub fn chance(&mut self, fraction: f64) -> bool {
        fraction > 0.0 && self.rng.random::<f64>() < fraction
    }
}

/// The mailbox simulator (`bounce@simulator.amazonses.com`, with `+label` forms too).
pub fn simulator_outcome(address: &str) -> Option<Outcome> {
    let (local, domain) = address.rsplit_once('@')?;
    if domain != "simulator.amazonses.com" {
        return None;
    }
    let base = local.split_once('+').map(|(b, _)| b).unwrap_or(local);
    Some(match base {
        "success" | "ooto" => Outcome::Delivery,
        "bounce" => Outcome::PermanentBounce,
        "complaint" => Outcome::Complaint,
        "suppressionlist" => Outcome::SuppressionListBounce,
        _ => Outcome::Delivery,
    })
}

#[cfg(test)]
mod tests;
