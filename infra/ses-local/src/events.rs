//! SES sending events, in the format AWS documents for EventBridge (`source: aws.ses`), and
//! their publication to the local stack's EventBridge with `PutEvents`.

use crate::state::{Outcome, StoredMessage};
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde_json::{Value, json};
use tokio::sync::mpsc;

pub const ACCOUNT_ID: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// One event as EventBridge delivers it to a rule's target (minus `id`/`time`, which
/// EventBridge adds).
#[derive(Debug, Clone)]
pub struct SesEvent {
    /// SESv2 `MatchingEventTypes` value: SEND, DELIVERY, BOUNCE, …
    pub matching_type: &'static str,
    pub detail_type: &'static str,
    pub detail: Value,
}

fn iso(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn feedback_id(message_id: &str, n: usize) -> String {
    format!("{}-{n:06}", message_id.trim_end_matches("-000000"))
}

/// The `mail` object common to every event.
pub fn mail_object(msg: &StoredMessage, identity: &str) -> Value {
    let mut tags = serde_json::Map::new();
    if let Some(cs) = &msg.configuration_set {
        tags.insert("ses:configuration-set".into(), json!([cs]));
    }
    tags.insert("ses:source-ip".into(), json!(["127.0.0.1"]));
    tags.insert(
        "ses:from-domain".into(),
        json!([address_of(&msg.from).rsplit_once('@').map(|(_, d)| d).unwrap_or("")]),
    );
    tags.insert("ses:caller-identity".into(), json!(["ses-local"]));
    for (k, v) in &msg.tags {
        tags.insert(k.clone(), json!([v]));
    }
    let mut headers = vec![
        json!({"name": "From", "value": msg.from}),
        json!({"name": "To", "value": msg.to.join(", ")}),
        json!({"name": "Subject", "value": msg.subject}),
        json!({"name": "MIME-Version", "value": "1.0"}),
    ];
    for (k, v) in &msg.headers {
        headers.push(json!({"name": k, "value": v}));
    }
    json!({
        "timestamp": msg.timestamp,
        "source": msg.from,
        "sourceArn": format!("arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/{identity}"),
        "sendingAccountId": ACCOUNT_ID,
        "messageId": msg.message_id,
        "destination": msg.recipients().collect::<Vec<_>>(),
        "headersTruncated": false,
        "headers": headers,
        "commonHeaders": {
            "from": [msg.from],
            "to": msg.to,
            "messageId": msg.message_id,
            "subject": msg.subject,
        },
        "tags": tags,
    })
}

/// Every event an accepted message produces, in the order SES would publish them, as of `now`.
pub fn events_for(
    msg: &StoredMessage,
    identity: &str,
    outcomes: &[(String, Outcome)],
    now: jiff::Timestamp,
) -> Vec<SesEvent> {
    let now_iso = || iso(now);
    let mail = mail_object(msg, identity);
    let ev = |matching_type, detail_type, event_type: &str, key: Option<&str>, body: Value| {
        let mut detail = json!({"eventType": event_type, "mail": mail.clone()});
        if let Some(k) = key {
            detail[k] = body;
        }
        SesEvent { matching_type, detail_type, detail }
    };
    let mut out = Vec::new();
    let all_unsent = outcomes.iter().all(|(_, o)| matches!(o, Outcome::Reject | Outcome::RenderingFailure));
    if !all_unsent {
        out.push(ev("SEND", "Email Sent", "Send", Some("send"), json!({})));
    }
    for (i, (rcpt, outcome)) in outcomes.iter().enumerate() {
        let delivery = || {
            ev(
                "DELIVERY",
                "Email Delivered",
                "Delivery",
                Some("delivery"),
                json!({
                    "timestamp": now_iso(),
                    "processingTimeMillis": 412,
                    "recipients": [rcpt],
                    "smtpResponse": "250 2.6.0 Message received",
                    "reportingMTA": "a8-70.smtp-out.ses-local",
                    "remoteMtaIp": "127.0.0.1",
                }),
            )
        };
        let bounce = |bounce_type: &str, sub_type: &str, status: &str, diag: &str| {
            ev(
                "BOUNCE",
                "Email Bounced",
                "Bounce",
                Some("bounce"),
                json!({
                    "feedbackId": feedback_id(&msg.message_id, i),
                    "bounceType": bounce_type,
                    "bounceSubType": sub_type,
                    "bouncedRecipients": [{
                        "emailAddress": rcpt,
                        "action": "failed",
                        "status": status,
                        "diagnosticCode": diag,
                    }],
                    "timestamp": now_iso(),
                    "reportingMTA": "dsn; a8-70.smtp-out.ses-local",
                }),
            )
        };
        let delay = || {
            ev(
                "DELIVERY_DELAY",
                "Email Delivery Delayed",
                "DeliveryDelay",
                Some("deliveryDelay"),
                json!({
                    "timestamp": now_iso(),
                    "delayType": "TransientCommunicationFailure",
                    "expirationTime": iso(now + jiff::SignedDuration::from_hours(6)),
                    "delayedRecipients": [{
                        "emailAddress": rcpt,
                        "status": "4.4.1",
                        "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host",
                    }],
                    "reportingMTA": "a8-70.smtp-out.ses-local",
                }),
            )
        };
        match outcome {
            Outcome::Delivery => out.push(delivery()),
            Outcome::PermanentBounce => {
                out.push(bounce("Permanent", "General", "5.1.1", "smtp; 550 5.1.1 user unknown"));
            }
            Outcome::SuppressionListBounce => out.push(bounce(
                "Permanent",
                "OnAccountSuppressionList",
                "5.1.1",
                "Amazon SES did not send the message to this address because it is on the suppression list for your account.",
            )),
            Outcome::TransientBounce => {
                out.push(bounce("Transient", "General", "4.0.0", "smtp; 451 4.0.0 Temporary local problem"));
            }
            Outcome::Complaint => {
                out.push(delivery());
                out.push(ev(
                    "COMPLAINT",
                    "Email Complaint Received",
                    "Complaint",
                    Some("complaint"),
                    json!({
                        "feedbackId": feedback_id(&msg.message_id, i),
                        "complaintSubType": null,
                        "complainedRecipients": [{"emailAddress": rcpt}],
                        "timestamp": now_iso(),
                        "userAgent": "Amazon SES Mailbox Simulator",
                        "complaintFeedbackType": "abuse",
                        "arrivalDate": now_iso(),
                    }),
                ));
            }
            Outcome::DelayThenDelivery => {
                out.push(delay());
                out.push(delivery());
            }
            Outcome::DelayThenBounce => {
                out.push(delay());
                out.push(bounce("Transient", "General", "4.4.7", "smtp; 421 4.4.7 Message expired: unable to deliver in time"));
            }
            Outcome::Reject => out.push(ev(
                "REJECT",
                "Email Rejected",
                "Reject",
                Some("reject"),
                json!({"reason": "Bad content"}),
            )),
            Outcome::RenderingFailure => out.push(ev(
                "RENDERING_FAILURE",
                "Email Rendering Failed",
                "Rendering Failure",
                Some("failure"),
                json!({"errorMessage": "Attribute 'name' is not present in the rendering data.", "templateName": "ses-local"}),
            )),
        }
    }
    out
}

/// `Name <addr@example.com>` → `addr@example.com`.
pub fn address_of(s: &str) -> &str {
    match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => s[a + 1..b].trim(),
        _ => s.trim(),
    }
}

/// Events waiting to be published, with the bus and configuration set they go to.
pub struct Publication {
    pub bus: String,
    pub configuration_set: String,
    pub events: Vec<SesEvent>,
    /// Held this long first (an event fault): later publications may overtake it.
    pub delay: std::time::Duration,
}

/// Publishes to EventBridge in the background, so that SendEmail never waits on it.
pub fn spawn_publisher(client: aws_sdk_eventbridge::Client) -> mpsc::UnboundedSender<Publication> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Publication>();
    tokio::spawn(async move {
        while let Some(p) = rx.recv().await {
            if p.delay.is_zero() {
                publish(&client, p).await;
            } else {
                let client = client.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(p.delay).await;
                    publish(&client, p).await;
                });
            }
        }
    });
    tx
}

async fn publish(client: &aws_sdk_eventbridge::Client, p: Publication) {
    let resource = format!("arn:aws:ses:{REGION}:{ACCOUNT_ID}:configuration-set/{}", p.configuration_set);
    // PutEvents takes at most 10 entries per call.
    for chunk in p.events.chunks(10) {
        let entries: Vec<PutEventsRequestEntry> = chunk
            .iter()
            .map(|e| {
                PutEventsRequestEntry::builder()
                    .source("aws.ses")
                    .detail_type(e.detail_type)
                    .detail(e.detail.to_string())
                    .resources(resource.clone())
                    .event_bus_name(&p.bus)
                    .build()
            })
            .collect();
        for attempt in 1..=3 {
            match client.put_events().set_entries(Some(entries.clone())).send().await {
                Ok(out) if out.failed_entry_count == 0 => break,
                Ok(out) => {
                    tracing::warn!(
                        failed = out.failed_entry_count,
                        attempt,
                        "some SES events were not accepted by EventBridge"
                    )
                }
                Err(e) => tracing::warn!(
                    error = %aws_sdk_eventbridge::error::DisplayErrorContext(&e),
                    attempt,
                    "could not publish SES events to EventBridge"
                ),
            }
            tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
        }
    }
}
