//! SendEmail: simple and raw content, its checks, faults and events.

use super::{Result, ok, parse};
use crate::App;
use crate::events::{self, Publication, address_of};
use crate::state::{Identity, Outcome, SesError, StoredMessage};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

// --- SendEmail --------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendEmailRequest {
    from_email_address: Option<String>,
    destination: Option<Destination>,
    #[serde(default)]
    reply_to_addresses: Vec<String>,
    content: Option<Content>,
    #[serde(default)]
    email_tags: Vec<NameValue>,
    configuration_set_name: Option<String>,
    list_management_options: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Destination {
    to_addresses: Vec<String>,
    cc_addresses: Vec<String>,
    bcc_addresses: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Content {
    simple: Option<Simple>,
    raw: Option<Raw>,
    template: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Simple {
    subject: Option<TextPart>,
    body: Option<Body>,
    #[serde(default)]
    headers: Vec<NameValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Body {
    text: Option<TextPart>,
    html: Option<TextPart>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TextPart {
    data: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Raw {
    data: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NameValue {
    name: Option<String>,
    value: Option<String>,
}

const MAX_RECIPIENTS: usize = 50;
const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

pub(super) fn valid_address(a: &str) -> bool {
    let addr = address_of(a);
    match addr.rsplit_once('@') {
        Some((l, d)) => !l.is_empty() && !d.is_empty() && !addr.contains(char::is_whitespace) && !d.starts_with('.'),
        None => false,
    }
}

pub(super) fn tag_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(super) async fn send_email(State(app): State<Arc<App>>, body: Bytes) -> Response {
    match send_email_inner(&app, &body).await {
        Ok(msg) => {
            let to: Vec<String> = msg.recipients().map(|r| address_of(r).to_string()).collect();
            crate::faults::answer(&app, &to, ok(json!({"MessageId": msg.message_id}))).await
        }
        Err(e) => e.into_response(),
    }
}

/// Checks and accepts one email: the stored message, or SES's refusal.
async fn send_email_inner(app: &App, body: &Bytes) -> Result<Arc<StoredMessage>> {
    let req: SendEmailRequest = parse(body)?;
    let dest = req.destination.unwrap_or_default();
    let content = req.content.ok_or_else(|| SesError::bad_request("Content is required."))?;
    let mut headers = Vec::new();
    let (mut from, subject, html, text, raw) = match (content.simple, content.raw, content.template) {
        (Some(s), None, None) => {
            let subject = s
                .subject
                .and_then(|t| t.data)
                .ok_or_else(|| SesError::bad_request("Content.Simple.Subject.Data is required."))?;
            let body = s.body.ok_or_else(|| SesError::bad_request("Content.Simple.Body is required."))?;
            let html = body.html.and_then(|p| p.data);
            let text = body.text.and_then(|p| p.data);
            if html.is_none() && text.is_none() {
                return Err(SesError::bad_request("Content.Simple.Body needs Text or Html."));
            }
            for h in s.headers {
                let (Some(n), Some(v)) = (h.name, h.value) else {
                    return Err(SesError::bad_request("Every header needs a Name and a Value."));
                };
                if n.is_empty() || n.contains(|c: char| c == ':' || c.is_whitespace() || c.is_control()) {
                    return Err(SesError::bad_request(format!("Invalid header name: {n}")));
                }
                if v.contains(['\r', '\n']) {
                    return Err(SesError::bad_request(format!("Invalid value for header {n}")));
                }
                headers.push((n, v));
            }
            (req.from_email_address.clone(), subject, html, text, None)
        }
        (None, Some(r), None) => {
            let data = r.data.ok_or_else(|| SesError::bad_request("Content.Raw.Data is required."))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data.as_bytes())
                .map_err(|_| SesError::bad_request("Content.Raw.Data is not valid base64."))?;
            let mime = String::from_utf8_lossy(&bytes).into_owned();
            let (hdrs, body) = split_mime(&mime);
            let from = req.from_email_address.clone().or_else(|| header(&hdrs, "From"));
            let subject = header(&hdrs, "Subject").unwrap_or_default();
            headers = hdrs;
            (from, subject, None, Some(body), Some(mime))
        }
        (None, None, Some(_)) => {
            return Err(SesError::bad_request("Template content is not supported by ses-local; send Simple or Raw."));
        }
        _ => return Err(SesError::bad_request("Content must have exactly one of Simple, Raw or Template.")),
    };
    let from_addr = from.take().ok_or_else(|| SesError::bad_request("FromEmailAddress is required."))?;
    let mut to = dest.to_addresses;
    let cc = dest.cc_addresses;
    let bcc = dest.bcc_addresses;
    if to.is_empty() && cc.is_empty() && bcc.is_empty() {
        if let Some(raw_to) = raw.as_ref().and_then(|m| header(&split_mime(m).0, "To")) {
            to = raw_to.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        }
    }
    let recipients: Vec<String> = to.iter().chain(&cc).chain(&bcc).cloned().collect();
    if recipients.is_empty() {
        return Err(SesError::bad_request("Destination needs at least one recipient."));
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(SesError::rejected(format!("Recipient count exceeds {MAX_RECIPIENTS}.")));
    }
    for a in recipients.iter().chain(std::iter::once(&from_addr)).chain(&req.reply_to_addresses) {
        if !valid_address(a) {
            return Err(SesError::bad_request(format!("Illegal address: {a}")));
        }
    }
    let size = subject.len() + html.as_ref().map_or(0, String::len) + text.as_ref().map_or(0, String::len);
    if size > MAX_MESSAGE_BYTES {
        return Err(SesError::rejected(format!("Message length is more than {MAX_MESSAGE_BYTES} bytes long.")));
    }
    let mut tags = Vec::new();
    for t in req.email_tags {
        let (Some(n), Some(v)) = (t.name, t.value) else {
            return Err(SesError::bad_request("Every EmailTag needs a Name and a Value."));
        };
        if !tag_ok(&n) || !tag_ok(&v) {
            return Err(SesError::bad_request(format!(
                "Invalid EmailTag {n}={v}: names and values use only ASCII letters, digits, '_' and '-', at most 256."
            )));
        }
        tags.push((n, v));
    }

    // Injected latency, outside the lock: a slow SES, not a stalled one.
    let (latency, jitter) = {
        let s = app.state();
        (s.faults.latency_ms, s.faults.jitter_ms)
    };
    if latency > 0 || jitter > 0 {
        let extra = if jitter > 0 { rand::random_range(0..=jitter) } else { 0 };
        tokio::time::sleep(std::time::Duration::from_millis(latency + extra)).await;
    }

    let mut s = app.state();
    let error_fraction = s.faults.error_fraction;
    if s.chance(error_fraction) {
        return Err(SesError::internal());
    }
    if s.account.enforcement_status == "SHUTDOWN" {
        return Err(SesError {
            status: 400,
            code: "AccountSuspendedException",
            message: "Your account has been shut down because of a high bounce or complaint rate.".into(),
        });
    }
    if !s.account.sending_enabled {
        return Err(SesError {
            status: 400,
            code: "SendingPausedException",
            message: "Sending is paused for this account.".into(),
        });
    }
    let config_set = match &req.configuration_set_name {
        Some(name) => {
            let cs = s
                .config_sets
                .get(name)
                .ok_or_else(|| SesError::not_found(format!("Configuration set <{name}> does not exist.")))?;
            if !cs.sending_enabled {
                return Err(SesError {
                    status: 400,
                    code: "SendingPausedException",
                    message: format!("Sending is paused for configuration set {name}."),
                });
            }
            Some(cs.clone())
        }
        None => None,
    };
    let sender = address_of(&from_addr).to_string();
    let identity = match s.identity_for(&sender) {
        Some(id) if id.verified_for_sending() => id.clone(),
        _ => {
            return Err(SesError::rejected(format!(
                "Email address is not verified. The following identities failed the check in region US-EAST-1: {sender}"
            )));
        }
    };
    if identity.mail_from.refuses_mail() {
        return Err(SesError {
            status: 400,
            code: "MailFromDomainNotVerifiedException",
            message: format!(
                "The custom MAIL FROM domain {} for {} is not verified.",
                identity.mail_from.domain.as_deref().unwrap_or_default(),
                identity.name
            ),
        });
    }
    if !s.account.production_access {
        for r in &recipients {
            let a = address_of(r);
            let ok = events::address_of(a).ends_with("@simulator.amazonses.com")
                || s.identity_for(a).is_some_and(Identity::verified_for_sending);
            if !ok {
                return Err(SesError::rejected(format!(
                    "Email address is not verified. The following identities failed the check in region US-EAST-1: {a}"
                )));
            }
        }
    }
    for r in &recipients {
        let a = address_of(r).to_ascii_lowercase();
        if s.faults.reject_recipients.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
            return Err(SesError::rejected(format!("Recipient address rejected: {a}")));
        }
        if s.faults.invalid_recipients.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
            return Err(SesError::bad_request(format!("Illegal address: {a}")));
        }
    }
    let throttle_fraction = s.faults.throttle_fraction;
    if s.chance(throttle_fraction) {
        s.throttled += 1;
        return Err(SesError::too_many_requests(crate::state::RATE_EXCEEDED));
    }
    s.admit(recipients.len() as u32)?;

    let message_id = s.next_message_id();
    let msg = Arc::new(StoredMessage {
        message_id: message_id.clone(),
        timestamp: jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        from: from_addr,
        to,
        cc,
        bcc,
        reply_to: req.reply_to_addresses,
        subject,
        html,
        text,
        headers,
        tags,
        configuration_set: req.configuration_set_name.clone(),
        list_management: req.list_management_options,
        raw,
    });
    s.messages.push(msg.clone());
    let accepted = s.messages.len();
    let due: Vec<(String, String)> =
        s.scheduled.iter().filter(|(n, _, _)| *n <= accepted).map(|(_, id, st)| (id.clone(), st.clone())).collect();
    s.scheduled.retain(|(n, _, _)| *n > accepted);
    for (id, state) in due {
        if let Some(identity) = s.identities.get_mut(&id) {
            let _ = identity.set_state(&state);
        }
    }

    if let Some(cs) = config_set {
        let outcomes: Vec<(String, Outcome)> =
            msg.recipients().map(|r| (address_of(r).to_string(), s.outcome_for(address_of(r)))).collect();
        let all = events::events_for(&msg, &identity.name, &outcomes, jiff::Timestamp::now());
        // What VDM knows: every event, published or lost.
        let known = all.iter().map(|e| (e.matching_type.to_string(), e.detail.clone())).collect();
        s.insights.insert(msg.message_id.clone(), known);
        for d in cs.destinations.iter().filter(|d| d.enabled) {
            let Some(bus) = &d.event_bus_arn else { continue };
            let matching: Vec<_> =
                all.iter().filter(|e| d.matching_event_types.iter().any(|t| t == e.matching_type)).cloned().collect();
            let matching = crate::faults::events(&mut s, matching);
            if matching.is_empty() {
                continue;
            }
            for e in &matching {
                s.events
                    .push(json!({"source": "aws.ses", "detail-type": e.detail_type, "detail": e.detail, "bus": bus}));
            }
            if let Some(tx) = &app.publisher {
                let delay = crate::faults::event_delay(&mut s);
                let _ = tx.send(Publication {
                    bus: bus.clone(),
                    configuration_set: cs.name.clone(),
                    events: matching,
                    delay,
                });
            }
        }
    }
    Ok(msg)
}

/// Splits a MIME message into its top-level headers and body (unfolding continuation lines).
pub(super) fn split_mime(m: &str) -> (Vec<(String, String)>, String) {
    let m = m.replace("\r\n", "\n");
    let (head, body) = m.split_once("\n\n").unwrap_or((&m, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    (headers, body.to_string())
}

pub(super) fn header(h: &[(String, String)], name: &str) -> Option<String> {
    h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}
