//! SES sending events as EventBridge delivers them (`source: aws.ses`).
//!
//! `aws_lambda_events`' SES types describe *inbound* mail and do not fit; these are our own,
//! after AWS's documented event format. Unknown fields are ignored; an unknown event type is
//! parsed as [`MailEvent::Other`] so that it can be counted, not failed.

use crate::tags;
pub use crate::tags::Correlation;
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::HashMap;

/// The EventBridge envelope.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "detail-type")]
    detail_type: Option<String>,
    source: Option<String>,
    detail: Option<Detail>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    /// `notificationType` in feeds without event publishing.
    #[serde(alias = "notificationType")]
    event_type: Option<String>,
    mail: Option<Mail>,
    bounce: Option<Bounce>,
    complaint: Option<Complaint>,
    delivery: Option<Delivery>,
    delivery_delay: Option<DeliveryDelay>,
    reject: Option<Reject>,
    failure: Option<Failure>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mail {
    message_id: String,
    timestamp: Option<String>,
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    #[serde(default)]
    bounce_sub_type: Option<String>,
    #[serde(default)]
    bounced_recipients: Vec<Recipient>,
    timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    // The address itself is not kept: the tags say who it was, and reasons are stored and
    // alerted, where addresses do not belong.
    status: Option<String>,
    diagnostic_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    #[serde(default)]
    complained_recipients: Vec<Recipient>,
    complaint_feedback_type: Option<String>,
    timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeliveryDelay {
    delay_type: Option<String>,
    expiration_time: Option<String>,
    timestamp: Option<String>,
    #[serde(default)]
    delayed_recipients: Vec<Recipient>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reject {
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Failure {
    error_message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceType {
    Permanent,
    Transient,
    Undetermined,
}

impl BounceType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permanent => "Permanent",
            Self::Transient => "Transient",
            Self::Undetermined => "Undetermined",
        }
    }
}

/// What happened to the email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailEvent {
    Sent,
    Delivered,
    Bounced {
        kind: BounceType,
        sub_type: String,
        detail: String,
    },
    Complained {
        feedback_type: String,
    },
    Delayed {
        delay_type: String,
        expires: Option<Timestamp>,
        detail: String,
    },
    Rejected {
        reason: String,
    },
    RenderingFailed {
        message: String,
    },
    /// Open, Click, Subscription, or a type this code does not know.
    Other {
        event_type: String,
    },
}

impl MailEvent {
    pub fn name(&self) -> &str {
        match self {
            Self::Sent => "Send",
            Self::Delivered => "Delivery",
            Self::Bounced { .. } => "Bounce",
            Self::Complained { .. } => "Complaint",
            Self::Delayed { .. } => "DeliveryDelay",
            Self::Rejected { .. } => "Reject",
            Self::RenderingFailed { .. } => "Rendering Failure",
            Self::Other { event_type } => event_type,
        }
    }
}

/// One parsed SES event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesEvent {
    pub message_id: String,
    /// `None` for mail Morale did not send (no or unreadable tags).
    pub correlation: Option<Correlation>,
    pub event: MailEvent,
    /// When SES says it happened (or when the mail was sent, if the event has no time).
    pub at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the event is not JSON: {0}")]
    NotJson(String),
    #[error("the event does not have the SES event shape: {0}")]
    Shape(String),
    #[error("not an SES event (source {0:?})")]
    NotSes(String),
}

/// Events larger than this are refused before parsing: SES events are a few kilobytes.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

fn ts(s: Option<&String>) -> Option<Timestamp> {
    s.and_then(|s| s.parse().ok())
}

fn recipients_text(r: &[Recipient]) -> String {
    r.iter()
        .map(|r| {
            let status = r.status.as_deref().unwrap_or("");
            let diag = r.diagnostic_code.as_deref().unwrap_or("");
            format!("{status} {diag}").trim().to_string()
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Parses one event as the Lambda receives it from the EventBridge rule.
pub fn parse(raw: &[u8]) -> Result<SesEvent, EventError> {
    if raw.len() > MAX_EVENT_BYTES {
        return Err(EventError::Shape(format!("{} bytes is larger than any SES event", raw.len())));
    }
    let env: Envelope = serde_json::from_slice(raw).map_err(|e| match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => EventError::NotJson(e.to_string()),
        _ => EventError::Shape(e.to_string()),
    })?;
    from_envelope(env)
}

/// Parses an event that is already a JSON value (the Lambda runtime's payload).
pub fn parse_value(v: serde_json::Value) -> Result<SesEvent, EventError> {
    let env: Envelope = serde_json::from_value(v).map_err(|e| EventError::Shape(e.to_string()))?;
    from_envelope(env)
}

fn from_envelope(env: Envelope) -> Result<SesEvent, EventError> {
    let source = env.source.unwrap_or_default();
    if source != "aws.ses" {
        return Err(EventError::NotSes(source));
    }
    let detail = env.detail.ok_or_else(|| EventError::Shape("no detail".into()))?;
    let mail = detail.mail.ok_or_else(|| EventError::Shape("no detail.mail".into()))?;
    // Prefer eventType; fall back on the detail-type EventBridge gives.
    let event_type = detail.event_type.clone().unwrap_or_else(|| match env.detail_type.as_deref() {
        Some("Email Sent") => "Send".into(),
        Some("Email Delivered") => "Delivery".into(),
        Some("Email Bounced") => "Bounce".into(),
        Some("Email Complaint Received") => "Complaint".into(),
        Some("Email Delivery Delayed") => "DeliveryDelay".into(),
        Some("Email Rejected") => "Reject".into(),
        Some("Email Rendering Failed") => "Rendering Failure".into(),
        Some(other) => other.to_string(),
        None => String::new(),
    });
    let missing = |what: &str| EventError::Shape(format!("a {event_type} event without {what}"));
    let mut at = ts(mail.timestamp.as_ref());
    let event = match event_type.as_str() {
        "Send" => MailEvent::Sent,
        "Delivery" => {
            at = detail.delivery.as_ref().and_then(|d| ts(d.timestamp.as_ref())).or(at);
            MailEvent::Delivered
        }
        "Bounce" => {
            let b = detail.bounce.ok_or_else(|| missing("bounce"))?;
            at = ts(b.timestamp.as_ref()).or(at);
            let kind = match b.bounce_type.as_str() {
                "Permanent" => BounceType::Permanent,
                "Transient" => BounceType::Transient,
                // "Undetermined", or anything new: not proof the address is dead.
                _ => BounceType::Undetermined,
            };
            MailEvent::Bounced {
                kind,
                sub_type: b.bounce_sub_type.unwrap_or_else(|| "General".into()),
                detail: recipients_text(&b.bounced_recipients),
            }
        }
        "Complaint" => {
            let c = detail.complaint.ok_or_else(|| missing("complaint"))?;
            at = ts(c.timestamp.as_ref()).or(at);
            let _ = c.complained_recipients;
            MailEvent::Complained { feedback_type: c.complaint_feedback_type.unwrap_or_else(|| "unknown".into()) }
        }
        "DeliveryDelay" => {
            let d = detail.delivery_delay.ok_or_else(|| missing("deliveryDelay"))?;
            at = ts(d.timestamp.as_ref()).or(at);
            MailEvent::Delayed {
                delay_type: d.delay_type.unwrap_or_else(|| "Undetermined".into()),
                expires: ts(d.expiration_time.as_ref()),
                detail: recipients_text(&d.delayed_recipients),
            }
        }
        "Reject" => MailEvent::Rejected {
            reason: detail.reject.and_then(|r| r.reason).unwrap_or_else(|| "no reason given".into()),
        },
        "Rendering Failure" => MailEvent::RenderingFailed {
            message: detail.failure.and_then(|f| f.error_message).unwrap_or_else(|| "no message".into()),
        },
        "" => return Err(EventError::Shape("no eventType".into())),
        other => MailEvent::Other { event_type: other.to_string() },
    };
    Ok(SesEvent { message_id: mail.message_id, correlation: tags::read(&mail.tags), event, at })
}
