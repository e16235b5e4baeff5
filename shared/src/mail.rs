//! The mailer port (sending identity checks and SendEmail), its SESv2 adapter, an in-memory
//! fake, and the one SES error classifier.

use crate::domain::EmailAddress;
use async_trait::async_trait;
use aws_sdk_sesv2::error::SdkError;
use std::collections::VecDeque;
use std::sync::Mutex;

/// One email to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: EmailAddress,
    pub subject: String,
    pub html: String,
    pub text: String,
    pub headers: Vec<(String, String)>,
    /// SES message tags (see [`crate::tags`]).
    pub tags: Vec<(String, String)>,
}

/// What `GetAccount` says about sending.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountStatus {
    pub sending_enabled: bool,
    /// HEALTHY, PROBATION or SHUTDOWN.
    pub enforcement_status: String,
    pub production_access: bool,
    pub max_send_rate: f64,
    pub max_24_hour_send: f64,
    pub sent_last_24_hours: f64,
    /// SES's Virtual Deliverability Manager is on: it can say what became of a message.
    pub vdm_enabled: bool,
}

/// What SES's Virtual Deliverability Manager knows of an accepted message (GetMessageInsights).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Insight {
    Delivered,
    /// A permanent bounce (its detail, addresses masked).
    Bounced(String),
    Complained,
    /// Nothing final yet (or nothing at all).
    Unknown,
}

/// What `GetEmailIdentity` says about the sending identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityStatus {
    pub name: String,
    pub verified_for_sending: bool,
    pub verification_status: String,
    pub dkim_status: String,
    pub mail_from: Option<MailFrom>,
}

/// The identity's own MAIL FROM domain, when it has one, and SES's status of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFrom {
    pub domain: String,
    pub status: String,
}

/// How an SES error is handled. Decided in one place: [`classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendErrorKind {
    /// Too many requests: slow down, retry with backoff.
    Throttled,
    /// 5xx, connection failures before the request went out: retry with backoff.
    Transient,
    /// The request went out and no answer came back (the attempt timed out, or the answer broke
    /// off): SES may well have accepted it. Not retried at once: SES's Send event, if it comes,
    /// records it as sent; otherwise it is tried again later.
    Unanswered,
    /// The sending identity or account cannot send (the incident): stop the whole batch,
    /// keep every email, alert.
    CircuitOpen,
    /// This one message is wrong: fail it with its reason, alert.
    BadMessage,
}

impl SendErrorKind {
    /// The `Kind` dimension of the `SendErrors` metric.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Throttled => "throttled",
            Self::Transient => "transient",
            Self::Unanswered => "unanswered",
            Self::CircuitOpen => "rejected",
            Self::BadMessage => "bad_request",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct SendError {
    pub kind: SendErrorKind,
    /// The SES error code (`MessageRejected`, …) or a description of the transport failure.
    pub code: String,
    pub message: String,
}

impl SendError {
    pub fn new(kind: SendErrorKind, code: &str, message: &str) -> Self {
        Self { kind, code: code.into(), message: message.into() }
    }
}

/// The SES error classifier. `code` is the service error code if SES answered with one,
/// `status` the HTTP status if there was a response at all.
///
/// Only what SES documents as a fault of the one message fails that message; any other
/// refusal (access denied, expired credentials, a paused account, a code nobody has seen
/// before) is the account's, and would refuse every other email alike: it stops the batch and
/// keeps every email, instead of failing them one by one for the rest of the day.
pub fn classify(code: Option<&str>, status: Option<u16>) -> SendErrorKind {
    match code {
        Some("TooManyRequestsException" | "Throttling" | "ThrottlingException" | "LimitExceededException") => {
            SendErrorKind::Throttled
        }
        Some("BadRequestException" | "InvalidParameterValue" | "ValidationException") => SendErrorKind::BadMessage,
        _ => match status {
            Some(429) => SendErrorKind::Throttled,
            Some(s) if (400..500).contains(&s) => SendErrorKind::CircuitOpen,
            // 5xx, no response (timeout, connection refused), or an unknown answer: retry.
            _ => SendErrorKind::Transient,
        },
    }
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("SES {operation} failed: {message}")]
pub struct MailerError {
    pub operation: &'static str,
    pub message: String,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn account(&self) -> Result<AccountStatus, MailerError>;
    async fn identity(&self, name: &str) -> Result<IdentityStatus, MailerError>;
    /// Sends one email; returns SES's message id.
    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError>;
    /// What SES's Virtual Deliverability Manager knows of an accepted message; an error where
    /// the account has no VDM (see [`AccountStatus::vdm_enabled`]).
    async fn insights(&self, message_id: &str) -> Result<Insight, MailerError>;
}

/// How long one SendEmail attempt may take: past it the sender stops waiting, and SES may
/// have accepted the email ([`SendErrorKind::Unanswered`]). The SDK never retries SendEmail
/// underneath: the sender's own policy does, knowing its lease and its deadline.
pub const SEND_ATTEMPT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The SESv2 adapter: one client, reused for every send.
#[derive(Clone, Debug)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: aws_sdk_sesv2::Client, from: &str, configuration_set: Option<&str>) -> Self {
        Self { client, from: from.into(), configuration_set: configuration_set.map(str::to_string) }
    }

    /// The adapter over a client with [`SEND_ATTEMPT_TIMEOUT`] per attempt.
    pub fn from_sdk(sdk: &aws_config::SdkConfig, from: &str, configuration_set: Option<&str>) -> Self {
        let config = aws_sdk_sesv2::config::Builder::from(sdk)
            .timeout_config(
                aws_sdk_sesv2::config::timeout::TimeoutConfig::builder()
                    .operation_attempt_timeout(SEND_ATTEMPT_TIMEOUT)
                    .build(),
            )
            .build();
        Self::new(aws_sdk_sesv2::Client::from_conf(config), from, configuration_set)
    }

    pub fn client(&self) -> &aws_sdk_sesv2::Client {
        &self.client
    }
}

fn sdk_message<E: std::error::Error + 'static>(e: &E) -> String {
    aws_sdk_sesv2::error::DisplayErrorContext(e).to_string()
}

/// A failed SES call of `operation`, with the SDK's whole account of why.
fn failed<E: std::error::Error + 'static>(operation: &'static str) -> impl Fn(E) -> MailerError {
    move |e| MailerError { operation, message: sdk_message(&e) }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn account(&self) -> Result<AccountStatus, MailerError> {
        let a = self.client.get_account().send().await.map_err(failed("GetAccount"))?;
        let q = a.send_quota;
        Ok(AccountStatus {
            sending_enabled: a.sending_enabled,
            enforcement_status: a.enforcement_status.unwrap_or_else(|| "HEALTHY".into()),
            production_access: a.production_access_enabled,
            max_send_rate: q.as_ref().map_or(1.0, |q| q.max_send_rate),
            max_24_hour_send: q.as_ref().map_or(200.0, |q| q.max24_hour_send),
            sent_last_24_hours: q.as_ref().map_or(0.0, |q| q.sent_last24_hours),
            vdm_enabled: a
                .vdm_attributes
                .is_some_and(|v| v.vdm_enabled == aws_sdk_sesv2::types::FeatureStatus::Enabled),
        })
    }

    async fn insights(&self, message_id: &str) -> Result<Insight, MailerError> {
        use aws_sdk_sesv2::types::{BounceType, EventType};
        let insights = self.client.get_message_insights().message_id(message_id);
        let out = insights.send().await.map_err(failed("GetMessageInsights"))?;
        let events: Vec<_> =
            out.insights.unwrap_or_default().into_iter().flat_map(|i| i.events.unwrap_or_default()).collect();
        let bounce = events.iter().filter(|e| e.r#type == Some(EventType::Bounce)).find_map(|e| {
            let b = e.details.as_ref()?.bounce.as_ref()?;
            (b.bounce_type == Some(BounceType::Permanent)).then(|| {
                format!(
                    "{} {}",
                    b.bounce_sub_type.as_deref().unwrap_or("General"),
                    b.diagnostic_code.as_deref().unwrap_or_default()
                )
            })
        });
        let has = |t: EventType| events.iter().any(|e| e.r#type.as_ref() == Some(&t));
        Ok(match bounce {
            // Diagnostic codes often quote the recipient's address: never in alerts or logs.
            Some(detail) => Insight::Bounced(crate::domain::mask_emails(detail.trim())),
            None if has(EventType::Complaint) => Insight::Complained,
            None if has(EventType::Delivery) => Insight::Delivered,
            None => Insight::Unknown,
        })
    }

    async fn identity(&self, name: &str) -> Result<IdentityStatus, MailerError> {
        let i =
            self.client.get_email_identity().email_identity(name).send().await.map_err(failed("GetEmailIdentity"))?;
        let mail_from = i.mail_from_attributes;
        Ok(IdentityStatus {
            name: name.into(),
            verified_for_sending: i.verified_for_sending_status,
            verification_status: i
                .verification_status
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "NOT_STARTED".into()),
            dkim_status: i
                .dkim_attributes
                .and_then(|d| d.status)
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "NOT_STARTED".into()),
            mail_from: mail_from.filter(|m| !m.mail_from_domain.is_empty()).map(|m| MailFrom {
                status: m.mail_from_domain_status.as_str().to_string(),
                domain: m.mail_from_domain,
            }),
        })
    }

    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader, MessageTag};
        let content = |s: &str| Content::builder().data(s).charset("UTF-8").build().expect("data is set");
        let mut message = Message::builder()
            .subject(content(&email.subject))
            .body(Body::builder().html(content(&email.html)).text(content(&email.text)).build());
        for (name, value) in &email.headers {
            message =
                message.headers(MessageHeader::builder().name(name).value(value).build().expect("name and value"));
        }
        let mut req = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(email.to.as_str()).build())
            .content(EmailContent::builder().simple(message.build()).build())
            .set_configuration_set_name(self.configuration_set.clone());
        for (name, value) in &email.tags {
            req = req.email_tags(MessageTag::builder().name(name).value(value).build().expect("name and value"));
        }
        // One attempt: a retry after an unanswered attempt may send the email twice, and
        // retries of any kind must not outlast the sender's lease (see `SEND_ATTEMPT_TIMEOUT`).
        let one_attempt = aws_sdk_sesv2::config::Builder::default()
            .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled());
        match req.customize().config_override(one_attempt).send().await {
            Ok(out) => Ok(out.message_id.unwrap_or_default()),
            Err(e) => {
                use aws_sdk_sesv2::error::ProvideErrorMetadata;
                let status = e.raw_response().map(|r| r.status().as_u16());
                let code = e.code().map(str::to_string);
                let kind =
                    if may_have_arrived(&e) { SendErrorKind::Unanswered } else { classify(code.as_deref(), status) };
                let message = e.message().map(str::to_string).unwrap_or_else(|| sdk_message(&e));
                Err(SendError { kind, code: code.unwrap_or_else(|| "NoResponse".into()), message })
            }
        }
    }
}

/// Whether SES may have received (and accepted) a request whose answer never came: an attempt
/// that timed out, an answer that broke off or could not be read, a connection lost after the
/// request went out. Only a failure to connect at all is sure to have sent nothing.
fn may_have_arrived<E, R>(e: &SdkError<E, R>) -> bool {
    match e {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::DispatchFailure(d) => {
            let mut source = d.as_connector_error().map(|c| c as &(dyn std::error::Error + 'static));
            while let Some(s) = source {
                if let Some(h) = s.downcast_ref::<hyper_util::client::legacy::Error>() {
                    return !h.is_connect();
                }
                source = s.source();
            }
            !d.is_timeout() && !d.is_user()
        }
        _ => false,
    }
}

/// An in-memory mailer for unit tests: records what it sends, answers as told.
pub struct FakeMailer {
    pub sent: Mutex<Vec<(String, OutgoingEmail)>>,
    pub account: Mutex<AccountStatus>,
    pub identity: Mutex<IdentityStatus>,
    /// Errors to answer the next sends with, in order.
    pub fail_next: Mutex<VecDeque<SendError>>,
    /// What VDM knows, by message id (when `account.vdm_enabled`).
    pub insights: Mutex<std::collections::HashMap<String, Insight>>,
    /// Asked before each send, with how many went out so far: an error it gives is the answer.
    refuse: Mutex<Option<Refusal>>,
    seq: Mutex<u64>,
}

type Refusal = Box<dyn Fn(&OutgoingEmail, usize) -> Option<SendError> + Send + Sync>;

impl FakeMailer {
    pub fn new(identity: &str) -> Self {
        Self {
            sent: Mutex::new(Vec::new()),
            account: Mutex::new(AccountStatus {
                sending_enabled: true,
                enforcement_status: "HEALTHY".into(),
                production_access: true,
                max_send_rate: 1000.0,
                max_24_hour_send: 1_000_000.0,
                sent_last_24_hours: 0.0,
                vdm_enabled: false,
            }),
            identity: Mutex::new(IdentityStatus {
                name: identity.into(),
                verified_for_sending: true,
                verification_status: "SUCCESS".into(),
                dkim_status: "SUCCESS".into(),
                mail_from: None,
            }),
            fail_next: Mutex::new(VecDeque::new()),
            insights: Mutex::new(std::collections::HashMap::new()),
            refuse: Mutex::new(None),
            seq: Mutex::new(0),
        }
    }

    pub fn sent(&self) -> Vec<(String, OutgoingEmail)> {
        self.sent.lock().expect("lock").clone()
    }

    /// From now on each send asks `rule` first (with the email and how many went out so far),
    /// and an error it gives is the answer.
    pub fn refuse_when(&self, rule: impl Fn(&OutgoingEmail, usize) -> Option<SendError> + Send + Sync + 'static) {
        *self.refuse.lock().expect("lock") = Some(Box::new(rule));
    }
}

#[async_trait]
impl Mailer for FakeMailer {
    async fn account(&self) -> Result<AccountStatus, MailerError> {
        Ok(self.account.lock().expect("lock").clone())
    }

    async fn identity(&self, _name: &str) -> Result<IdentityStatus, MailerError> {
        Ok(self.identity.lock().expect("lock").clone())
    }

    async fn send(&self, email: &OutgoingEmail) -> Result<String, SendError> {
        if let Some(e) = self.fail_next.lock().expect("lock").pop_front() {
            return Err(e);
        }
        let sent = self.sent.lock().expect("lock").len();
        if let Some(e) = self.refuse.lock().expect("lock").as_ref().and_then(|rule| rule(email, sent)) {
            return Err(e);
        }
        let mut seq = self.seq.lock().expect("lock");
        *seq += 1;
        let id = format!("fake-{:06}", *seq);
        self.sent.lock().expect("lock").push((id.clone(), email.clone()));
        Ok(id)
    }

    async fn insights(&self, message_id: &str) -> Result<Insight, MailerError> {
        if !self.account.lock().expect("lock").vdm_enabled {
            let message = "BadRequestException: VDM is not enabled for this account".into();
            return Err(MailerError { operation: "GetMessageInsights", message });
        }
        Ok(self.insights.lock().expect("lock").get(message_id).cloned().unwrap_or(Insight::Unknown))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classifier() {
        use SendErrorKind::*;
        let cases = [
            (Some("TooManyRequestsException"), Some(429), Throttled),
            (Some("LimitExceededException"), Some(400), Throttled),
            (None, Some(429), Throttled),
            (Some("MessageRejected"), Some(400), CircuitOpen),
            (Some("MailFromDomainNotVerifiedException"), Some(400), CircuitOpen),
            (Some("SendingPausedException"), Some(400), CircuitOpen),
            (Some("AccountSuspendedException"), Some(400), CircuitOpen),
            (Some("NotFoundException"), Some(404), CircuitOpen),
            (Some("BadRequestException"), Some(400), BadMessage),
            (Some("InternalFailure"), Some(500), Transient),
            (Some("ServiceUnavailable"), Some(503), Transient),
            (None, None, Transient),
            (Some("AccessDeniedException"), Some(403), CircuitOpen),
            (Some("ExpiredTokenException"), Some(403), CircuitOpen),
            (Some("UnrecognizedClientException"), Some(403), CircuitOpen),
            (Some("SomethingNew"), Some(400), CircuitOpen),
            (Some("ValidationException"), Some(400), BadMessage),
        ];
        for (code, status, want) in cases {
            assert_eq!(classify(code, status), want, "{code:?} {status:?}");
        }
    }
}
