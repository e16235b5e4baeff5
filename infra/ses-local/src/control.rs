//! The control API (under `/_ses-local/`, a path no SES operation uses) and the inbox pages.

use crate::App;
use crate::state::{Faults, Identity, MailFromBehavior, Outcome, Status, StoredMessage};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/_ses-local/health", get(|| async { axum::Json(json!({"ok": true})) }))
        .route("/_ses-local/messages", get(list_messages).delete(clear_messages))
        .route("/_ses-local/events", get(list_events))
        .route("/_ses-local/stats", get(stats))
        .route("/_ses-local/reset", post(reset))
        .route("/_ses-local/identities/{identity}", put(put_identity))
        .route("/_ses-local/account", get(get_account).put(put_account))
        .route("/_ses-local/faults", get(get_faults).put(put_faults))
        .route("/_ses-local/outcomes", post(post_outcome))
        .route("/_ses-local/inbox", get(inbox))
        .route("/_ses-local/inbox/{id}", get(inbox_message))
        .route("/_ses-local/inbox/{id}/html", get(inbox_message_html))
        .route("/", get(|| async { axum::response::Redirect::to("/_ses-local/inbox") }))
}

fn bad(msg: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({"error": msg.into()}))).into_response()
}

// The error is the response itself, built once per bad request: its size does not matter.
#[allow(clippy::result_large_err)]
fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, Response> {
    serde_json::from_slice(if body.is_empty() { b"{}" } else { body }).map_err(|e| bad(format!("invalid JSON: {e}")))
}

pub fn message_json(m: &StoredMessage) -> Value {
    json!({
        "message_id": m.message_id,
        "timestamp": m.timestamp,
        "from": m.from,
        "to": m.to,
        "cc": m.cc,
        "bcc": m.bcc,
        "reply_to": m.reply_to,
        "subject": m.subject,
        "html": m.html,
        "text": m.text,
        "headers": m.headers.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
        "tags": m.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "configuration_set": m.configuration_set,
        "list_management": m.list_management,
        "raw": m.raw,
    })
}

async fn list_messages(State(app): State<Arc<App>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let s = app.state();
    let to = q.get("to").map(|t| t.to_ascii_lowercase());
    let list: Vec<Value> = s
        .messages
        .iter()
        .filter(|m| {
            to.as_ref().is_none_or(|t| m.recipients().any(|r| crate::events::address_of(r).eq_ignore_ascii_case(t)))
        })
        .map(|m| message_json(m))
        .collect();
    axum::Json(json!({"messages": list})).into_response()
}

async fn clear_messages(State(app): State<Arc<App>>) -> Response {
    let mut s = app.state();
    s.messages.clear();
    s.events.clear();
    axum::Json(json!({"ok": true})).into_response()
}

async fn list_events(State(app): State<Arc<App>>) -> Response {
    axum::Json(json!({"events": app.state().events})).into_response()
}

async fn stats(State(app): State<Arc<App>>) -> Response {
    let s = app.state();
    axum::Json(json!({"accepted": s.messages.len(), "throttled": s.throttled, "faults": s.fault_counts}))
        .into_response()
}

async fn reset(State(app): State<Arc<App>>) -> Response {
    app.reset();
    axum::Json(json!({"ok": true})).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct IdentityChange {
    /// verified, pending, failed, revoked, temporary_failure, not_started.
    pub state: Option<String>,
    pub verification_status: Option<Status>,
    pub dkim_status: Option<Status>,
    pub mail_from_domain: Option<String>,
    pub mail_from_status: Option<Status>,
    pub mail_from_behavior: Option<MailFromBehavior>,
    /// Apply `state` only once this many more messages have been accepted (mid-batch).
    pub after_sends: Option<usize>,
}

async fn put_identity(State(app): State<Arc<App>>, Path(identity): Path<String>, body: Bytes) -> Response {
    let change: IdentityChange = match parse(&body) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match app.change_identity(&identity, change) {
        Ok(id) => axum::Json(json!(id)).into_response(),
        Err(e) => bad(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct AccountChange {
    pub sending_enabled: Option<bool>,
    pub enforcement_status: Option<String>,
    pub production_access: Option<bool>,
    pub max_send_rate: Option<f64>,
    pub max_24_hour_send: Option<f64>,
    pub vdm_enabled: Option<bool>,
}

async fn get_account(State(app): State<Arc<App>>) -> Response {
    axum::Json(json!(app.state().account)).into_response()
}

async fn put_account(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let change: AccountChange = match parse(&body) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match app.change_account(change) {
        Ok(()) => get_account(State(app)).await,
        Err(e) => bad(e),
    }
}

async fn get_faults(State(app): State<Arc<App>>) -> Response {
    axum::Json(json!(app.state().faults)).into_response()
}

async fn put_faults(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let faults: Faults = match parse(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    match app.set_faults(faults) {
        Ok(()) => get_faults(State(app)).await,
        Err(e) => bad(e),
    }
}

async fn post_outcome(State(app): State<Arc<App>>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Req {
        recipient: String,
        outcome: Outcome,
        #[serde(default = "one")]
        count: usize,
    }
    fn one() -> usize {
        1
    }
    let r: Req = match parse(&body) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    app.script(&r.recipient, r.outcome, r.count);
    axum::Json(json!({"ok": true})).into_response()
}

// --- inbox ------------------------------------------------------------------------------

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f4f5f7}\
header{background:#263238;color:#fff;padding:12px 20px}header a{color:#fff}main{padding:16px 20px}\
table{border-collapse:collapse;width:100%;background:#fff}td,th{padding:8px 10px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}\
th{font-size:13px;color:#5b6670}a{color:#0b5cad}.meta{background:#fff;padding:12px 16px;margin-bottom:12px}\
iframe{width:100%;height:70vh;border:1px solid #cfd5db;background:#fff}pre{white-space:pre-wrap;background:#fff;padding:12px;border:1px solid #cfd5db}\
.empty{padding:40px;text-align:center;color:#5b6670;background:#fff}";

async fn inbox(State(app): State<Arc<App>>) -> Html<String> {
    let s = app.state();
    let mut rows = String::new();
    for m in s.messages.iter().rev().take(500) {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><a href=\"/_ses-local/inbox/{}\">{}</a></td><td>{}</td></tr>",
            esc(&m.timestamp),
            esc(&m.recipients().cloned().collect::<Vec<_>>().join(", ")),
            esc(&m.message_id),
            esc(&m.subject),
            esc(&m.from),
        ));
    }
    let body = if rows.is_empty() {
        "<div class=\"empty\">No messages yet. Mail sent through ses-local shows up here.</div>".to_string()
    } else {
        format!(
            "<table><thead><tr><th>Time (UTC)</th><th>To</th><th>Subject</th><th>From</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    };
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <meta http-equiv=\"refresh\" content=\"10\"><title>ses-local inbox</title><style>{STYLE}</style></head>\
         <body><header><strong>ses-local inbox</strong> — {} message(s)</header><main>{body}</main></body></html>",
        s.messages.len()
    ))
}

fn find(app: &App, id: &str) -> Option<Arc<StoredMessage>> {
    app.state().messages.iter().rev().find(|m| m.message_id == id).cloned()
}

async fn inbox_message(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(m) = find(&app, &id) else {
        return (
            StatusCode::NOT_FOUND,
            Html("<p>No such message. <a href=\"/_ses-local/inbox\">Back to the inbox</a></p>"),
        )
            .into_response();
    };
    let headers: String =
        m.headers.iter().map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v))).collect();
    let tags: String = m.tags.iter().map(|(k, v)| format!("{}={} ", esc(k), esc(v))).collect();
    let html_part = if m.html.is_some() {
        format!(
            "<h3>HTML</h3><iframe title=\"message\" src=\"/_ses-local/inbox/{}/html\"></iframe>",
            esc(&m.message_id)
        )
    } else {
        String::new()
    };
    let text_part = m.text.as_ref().map(|t| format!("<h3>Text</h3><pre>{}</pre>", esc(t))).unwrap_or_default();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{subject} — ses-local</title><style>{STYLE}</style></head><body><header><a href=\"/_ses-local/inbox\">← inbox</a> · <strong>{subject}</strong></header>\
         <main><div class=\"meta\"><table><tr><th>From</th><td>{from}</td></tr><tr><th>To</th><td>{to}</td></tr>\
         <tr><th>Message id</th><td>{id}</td></tr><tr><th>Tags</th><td>{tags}</td></tr>{headers}</table></div>{html_part}{text_part}</main></body></html>",
        subject = esc(&m.subject),
        from = esc(&m.from),
        to = esc(&m.recipients().cloned().collect::<Vec<_>>().join(", ")),
        id = esc(&m.message_id),
    ))
    .into_response()
}

/// The email's own HTML, as a mail client would show it; links open in the whole tab.
async fn inbox_message_html(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match find(&app, &id).and_then(|m| m.html.clone()) {
        Some(html) => {
            let html = if let Some(i) = html.find("<head>") {
                format!("{}<head><base target=\"_top\">{}", &html[..i], &html[i + 6..])
            } else {
                format!("<base target=\"_top\">{html}")
            };
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no HTML part").into_response(),
    }
}

impl App {
    pub fn change_identity(&self, name: &str, c: IdentityChange) -> Result<Identity, String> {
        let key = name.trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err("identity name is empty".into());
        }
        let mut s = self.state();
        if let Some(n) = c.after_sends {
            let state = c.state.clone().ok_or("after_sends needs a state")?;
            Identity::new(&key, false).set_state(&state)?;
            let at = s.messages.len() + n;
            s.scheduled.push((at, key.clone(), state));
            return s.identities.get(&key).cloned().ok_or_else(|| format!("no identity {key}"));
        }
        let id = s.identities.entry(key.clone()).or_insert_with(|| Identity::new(&key, false));
        if let Some(state) = &c.state {
            id.set_state(state)?;
        }
        if let Some(v) = c.verification_status {
            id.verification = v;
        }
        if let Some(d) = c.dkim_status {
            id.dkim = d;
        }
        if let Some(d) = c.mail_from_domain {
            id.mail_from.domain = Some(d).filter(|d| !d.is_empty());
        }
        if let Some(st) = c.mail_from_status {
            id.mail_from.status = st;
        }
        if let Some(b) = c.mail_from_behavior {
            id.mail_from.behavior = b;
        }
        Ok(id.clone())
    }

    /// A shorthand for tests: `verified`, `revoked`, …
    pub fn set_identity_state(&self, name: &str, state: &str) -> Result<Identity, String> {
        self.change_identity(name, IdentityChange { state: Some(state.into()), ..Default::default() })
    }

    pub fn change_account(&self, c: AccountChange) -> Result<(), String> {
        if let Some(e) = &c.enforcement_status {
            if !["HEALTHY", "PROBATION", "SHUTDOWN"].contains(&e.as_str()) {
                return Err(format!("unknown enforcement status {e:?}: use HEALTHY, PROBATION or SHUTDOWN"));
            }
        }
        for (name, v) in [("max_send_rate", c.max_send_rate), ("max_24_hour_send", c.max_24_hour_send)] {
            if v.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                return Err(format!("{name} must be a number ≥ 0"));
            }
        }
        let mut s = self.state();
        let a = &mut s.account;
        if let Some(v) = c.sending_enabled {
            a.sending_enabled = v;
        }
        if let Some(v) = c.enforcement_status {
            a.enforcement_status = v;
        }
        if let Some(v) = c.production_access {
            a.production_access = v;
        }
        if let Some(v) = c.max_send_rate {
            a.max_send_rate = v;
        }
        if let Some(v) = c.max_24_hour_send {
            a.max_24_hour_send = v;
        }
        if let Some(v) = c.vdm_enabled {
            a.vdm_enabled = v;
        }
        Ok(())
    }

    pub fn set_faults(&self, f: Faults) -> Result<(), String> {
        for (name, v) in [("throttle_fraction", f.throttle_fraction), ("error_fraction", f.error_fraction)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if f.latency_ms > 60_000 || f.jitter_ms > 60_000 {
            return Err("latency_ms and jitter_ms are at most 60000".into());
        }
        self.state().faults = f;
        Ok(())
    }

    /// The next `count` emails to `recipient` end in `outcome`.
    pub fn script(&self, recipient: &str, outcome: Outcome, count: usize) {
        let mut s = self.state();
        let q = s.outcomes.entry(recipient.trim().to_ascii_lowercase()).or_default();
        q.extend(std::iter::repeat_n(outcome, count));
    }

    pub fn messages(&self) -> Vec<Arc<StoredMessage>> {
        self.state().messages.clone()
    }

    pub fn events(&self) -> Vec<Value> {
        self.state().events.clone()
    }

    pub fn throttled(&self) -> u64 {
        self.state().throttled
    }

    /// What the faults after acceptance (late and lost answers, event faults) did.
    pub fn fault_counts(&self) -> crate::faults::FaultCounts {
        self.state().fault_counts.clone()
    }
}
