//! The account, email identities and configuration sets.

use super::send::valid_address;
use super::{ok, parse};
use crate::App;
use crate::state::{ConfigSet, EventDestination, Identity, SesError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

// --- account ----------------------------------------------------------------------------

pub(super) async fn get_account(State(app): State<Arc<App>>) -> Response {
    let mut s = app.state();
    let sent = s.sent_last_24h();
    let a = &s.account;
    ok(json!({
        "DedicatedIpAutoWarmupEnabled": false,
        "EnforcementStatus": a.enforcement_status,
        "ProductionAccessEnabled": a.production_access,
        "SendQuota": {
            "Max24HourSend": a.max_24_hour_send,
            "MaxSendRate": a.max_send_rate,
            "SentLast24Hours": sent as f64,
        },
        "SendingEnabled": a.sending_enabled,
        "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
        "VdmAttributes": {"VdmEnabled": if a.vdm_enabled { "ENABLED" } else { "DISABLED" }},
    }))
}

/// GetMessageInsights: what became of a message, from every event it produced (published or
/// lost); only where the account has the Virtual Deliverability Manager.
pub(super) async fn get_message_insights(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let s = app.state();
    if !s.account.vdm_enabled {
        return SesError::bad_request("VDM is not enabled for this account").into_response();
    }
    let Some(events) = s.insights.get(&id) else {
        return SesError::not_found(format!("message {id} was not found")).into_response();
    };
    let events: Vec<Value> = events
        .iter()
        .map(|(kind, detail)| {
            let at = detail["mail"]["timestamp"].as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok());
            let mut e = json!({"Type": kind, "Timestamp": at.map_or(0, |t| t.as_second())});
            if let Some(b) = detail.get("bounce") {
                e["Details"] = json!({"Bounce": {
                    "BounceType": b["bounceType"].as_str().unwrap_or("Undetermined").to_ascii_uppercase(),
                    "BounceSubType": b["bounceSubType"].as_str().unwrap_or("Undetermined").to_ascii_uppercase(),
                    "DiagnosticCode": b["bouncedRecipients"][0]["diagnosticCode"],
                }});
            }
            e
        })
        .collect();
    let destinations: Vec<String> =
        s.messages.iter().find(|m| m.message_id == id).map(|m| m.recipients().cloned().collect()).unwrap_or_default();
    let insights: Vec<Value> =
        destinations.iter().map(|r| json!({"Destination": r, "Events": events.clone()})).collect();
    ok(json!({"MessageId": id, "Insights": insights}))
}

pub(super) async fn put_account_sending(State(app): State<Arc<App>>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Req {
        sending_enabled: Option<bool>,
    }
    match parse::<Req>(&body) {
        Ok(r) => {
            app.state().account.sending_enabled = r.sending_enabled.unwrap_or(false);
            ok(json!({}))
        }
        Err(e) => e.into_response(),
    }
}

// --- identities -------------------------------------------------------------------------

pub(super) fn identity_json(id: &Identity) -> Value {
    let tokens: Vec<String> = (0..3).map(|i| format!("{}{i}sesl0calt0ken", id.name.len())).collect();
    json!({
        "IdentityType": if id.is_domain { "DOMAIN" } else { "EMAIL_ADDRESS" },
        "FeedbackForwardingStatus": true,
        "VerifiedForSendingStatus": id.verified_for_sending(),
        "VerificationStatus": id.verification,
        "DkimAttributes": {
            "SigningEnabled": id.is_domain,
            "Status": id.dkim,
            "Tokens": if id.is_domain { json!(tokens) } else { json!([]) },
            "SigningAttributesOrigin": "AWS_SES",
            "CurrentSigningKeyLength": "RSA_2048_BIT",
            "NextSigningKeyLength": "RSA_2048_BIT",
        },
        "MailFromAttributes": {
            "MailFromDomain": id.mail_from.domain.clone().unwrap_or_default(),
            "MailFromDomainStatus": id.mail_from.status,
            "BehaviorOnMxFailure": id.mail_from.behavior,
        },
        "Policies": {},
        "Tags": id.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
        "ConfigurationSetName": id.configuration_set,
    })
}

pub(super) async fn create_identity(State(app): State<Arc<App>>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Tag {
        key: Option<String>,
        value: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Req {
        email_identity: Option<String>,
        #[serde(default)]
        tags: Vec<Tag>,
        configuration_set_name: Option<String>,
    }
    let r = match parse::<Req>(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let Some(name) = r.email_identity.filter(|n| !n.trim().is_empty()) else {
        return SesError::bad_request("EmailIdentity is required.").into_response();
    };
    let name = name.trim().to_ascii_lowercase();
    let valid = if name.contains('@') {
        valid_address(&name)
    } else {
        name.contains('.')
            && name.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    if !valid {
        return SesError::bad_request(format!("Invalid email identity: {name}")).into_response();
    }
    let mut s = app.state();
    if s.identities.contains_key(&name) {
        return SesError::already_exists(format!("Email identity {name} already exist.")).into_response();
    }
    if let Some(cs) = &r.configuration_set_name {
        if !s.config_sets.contains_key(cs) {
            return SesError::not_found(format!("Configuration set <{cs}> does not exist.")).into_response();
        }
    }
    let mut id = Identity::new(&name, app.config.verify_new_identities);
    id.configuration_set = r.configuration_set_name;
    id.tags = r.tags.into_iter().filter_map(|t| Some((t.key?, t.value.unwrap_or_default()))).collect();
    let body = identity_json(&id);
    s.identities.insert(name, id);
    ok(json!({
        "IdentityType": body["IdentityType"],
        "VerifiedForSendingStatus": body["VerifiedForSendingStatus"],
        "DkimAttributes": body["DkimAttributes"],
    }))
}

pub(super) async fn get_identity(State(app): State<Arc<App>>, Path(identity): Path<String>) -> Response {
    let s = app.state();
    match s.identities.get(&identity.to_ascii_lowercase()) {
        Some(id) => ok(identity_json(id)),
        None => SesError::not_found(format!("Email identity {identity} does not exist.")).into_response(),
    }
}

pub(super) async fn delete_identity(State(app): State<Arc<App>>, Path(identity): Path<String>) -> Response {
    match app.state().identities.remove(&identity.to_ascii_lowercase()) {
        Some(_) => ok(json!({})),
        None => SesError::not_found(format!("Email identity {identity} does not exist.")).into_response(),
    }
}

pub(super) async fn list_identities(State(app): State<Arc<App>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let page_size = match q.get("PageSize").map(|p| p.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => return SesError::bad_request("PageSize must be between 1 and 1000.").into_response(),
    };
    let start = match q.get("NextToken").map(|t| t.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return SesError::bad_request("Invalid NextToken.").into_response(),
    };
    let s = app.state();
    let all: Vec<&Identity> = s.identities.values().collect();
    let page: Vec<Value> = all
        .iter()
        .skip(start)
        .take(page_size)
        .map(|id| {
            json!({
                "IdentityType": if id.is_domain { "DOMAIN" } else { "EMAIL_ADDRESS" },
                "IdentityName": id.name,
                "SendingEnabled": id.verified_for_sending(),
                "VerificationStatus": id.verification,
            })
        })
        .collect();
    let mut body = json!({"EmailIdentities": page});
    if start + page_size < all.len() {
        body["NextToken"] = json!((start + page_size).to_string());
    }
    ok(body)
}

// --- configuration sets -------------------------------------------------------------------

pub(super) fn config_set_name_ok(n: &str) -> bool {
    !n.is_empty() && n.len() <= 64 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(super) async fn create_config_set(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let raw: Value = match parse(&body) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let Some(name) = raw.get("ConfigurationSetName").and_then(Value::as_str).map(str::to_string) else {
        return SesError::bad_request("ConfigurationSetName is required.").into_response();
    };
    if !config_set_name_ok(&name) {
        return SesError::bad_request(format!("Invalid configuration set name: {name}")).into_response();
    }
    let sending_enabled = raw.pointer("/SendingOptions/SendingEnabled").and_then(Value::as_bool).unwrap_or(true);
    let mut s = app.state();
    if s.config_sets.contains_key(&name) {
        return SesError::already_exists(format!("Configuration set <{name}> already exists.")).into_response();
    }
    s.config_sets.insert(name.clone(), ConfigSet { name, sending_enabled, raw, destinations: Vec::new() });
    ok(json!({}))
}

pub(super) async fn get_config_set(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let s = app.state();
    let Some(cs) = s.config_sets.get(&name) else {
        return SesError::not_found(format!("Configuration set <{name}> does not exist.")).into_response();
    };
    let pick = |k: &str| cs.raw.get(k).cloned().unwrap_or(Value::Null);
    let mut body = json!({
        "ConfigurationSetName": cs.name,
        "SendingOptions": {"SendingEnabled": cs.sending_enabled},
        "Tags": cs.raw.get("Tags").cloned().unwrap_or(json!([])),
    });
    for k in ["TrackingOptions", "DeliveryOptions", "ReputationOptions", "SuppressionOptions", "VdmOptions"] {
        if !pick(k).is_null() {
            body[k] = pick(k);
        }
    }
    ok(body)
}

const EVENT_TYPES: [&str; 10] = [
    "SEND",
    "REJECT",
    "BOUNCE",
    "COMPLAINT",
    "DELIVERY",
    "OPEN",
    "CLICK",
    "RENDERING_FAILURE",
    "DELIVERY_DELAY",
    "SUBSCRIPTION",
];

pub(super) async fn create_event_destination(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let raw: Value = match parse(&body) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let Some(dest_name) = raw.get("EventDestinationName").and_then(Value::as_str).map(str::to_string) else {
        return SesError::bad_request("EventDestinationName is required.").into_response();
    };
    let Some(dest) = raw.get("EventDestination").and_then(Value::as_object) else {
        return SesError::bad_request("EventDestination is required.").into_response();
    };
    let types: Vec<String> = match dest.get("MatchingEventTypes").and_then(Value::as_array) {
        Some(a) if !a.is_empty() => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => return SesError::bad_request("EventDestination.MatchingEventTypes is required.").into_response(),
    };
    if let Some(bad) = types.iter().find(|t| !EVENT_TYPES.contains(&t.as_str())) {
        return SesError::bad_request(format!("Unknown event type: {bad}")).into_response();
    }
    let bus = dest.get("EventBridgeDestination").map(|d| d.get("EventBusArn").and_then(Value::as_str));
    if let Some(None) = bus {
        return SesError::bad_request("EventBridgeDestination.EventBusArn is required.").into_response();
    }
    let mut other = dest.clone();
    for k in ["Enabled", "MatchingEventTypes", "EventBridgeDestination"] {
        other.remove(k);
    }
    let mut s = app.state();
    let Some(cs) = s.config_sets.get_mut(&name) else {
        return SesError::not_found(format!("Configuration set <{name}> does not exist.")).into_response();
    };
    if cs.destinations.iter().any(|d| d.name == dest_name) {
        return SesError::already_exists(format!("Event destination {dest_name} already exists.")).into_response();
    }
    if cs.destinations.len() >= 10 {
        return SesError::limit_exceeded("A configuration set can have at most 10 event destinations.").into_response();
    }
    cs.destinations.push(EventDestination {
        name: dest_name,
        enabled: dest.get("Enabled").and_then(Value::as_bool).unwrap_or(false),
        matching_event_types: types,
        event_bus_arn: bus.flatten().map(str::to_string),
        other,
    });
    ok(json!({}))
}

pub(super) async fn get_event_destinations(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let s = app.state();
    let Some(cs) = s.config_sets.get(&name) else {
        return SesError::not_found(format!("Configuration set <{name}> does not exist.")).into_response();
    };
    let list: Vec<Value> = cs
        .destinations
        .iter()
        .map(|d| {
            let mut v = json!({"Name": d.name, "Enabled": d.enabled, "MatchingEventTypes": d.matching_event_types});
            if let Some(arn) = &d.event_bus_arn {
                v["EventBridgeDestination"] = json!({"EventBusArn": arn});
            }
            for (k, x) in &d.other {
                v[k] = x.clone();
            }
            v
        })
        .collect();
    ok(json!({"EventDestinations": list}))
}
