//! The SESv2 REST-JSON operations ses-local speaks: the routes and their shared plumbing;
//! `send` is SendEmail, `identity` the account, identities and configuration sets.

mod identity;
mod send;

use identity::*;
use send::send_email;

use crate::App;
use crate::state::SesError;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v2/email/outbound-emails", post(send_email))
        .route("/v2/email/account", get(get_account))
        .route("/v2/email/account/sending", put(put_account_sending))
        .route("/v2/email/insights/{message_id}", get(get_message_insights))
        .route("/v2/email/identities", post(create_identity).get(list_identities))
        .route("/v2/email/identities/{identity}", get(get_identity).delete(delete_identity))
        .route("/v2/email/configuration-sets", post(create_config_set))
        .route("/v2/email/configuration-sets/{name}", get(get_config_set))
        .route(
            "/v2/email/configuration-sets/{name}/event-destinations",
            post(create_event_destination).get(get_event_destinations),
        )
}

impl IntoResponse for SesError {
    fn into_response(self) -> Response {
        let body = json!({"__type": self.code, "message": self.message});
        let mut r =
            (StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST), axum::Json(body)).into_response();
        r.headers_mut().insert("x-amzn-ErrorType", HeaderValue::from_static(self.code));
        r.headers_mut().insert("x-amzn-RequestId", request_id());
        r
    }
}

fn ok(body: Value) -> Response {
    let mut r = axum::Json(body).into_response();
    r.headers_mut().insert("x-amzn-RequestId", request_id());
    r
}

fn request_id() -> HeaderValue {
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    HeaderValue::from_str(&format!("5e51ocal-0000-4000-8000-{n:012x}")).expect("ascii")
}

type Result<T> = std::result::Result<T, SesError>;

fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T> {
    let body: &[u8] = if body.is_empty() { b"{}" } else { body };
    serde_json::from_slice(body).map_err(|e| SesError::bad_request(format!("Malformed request body: {e}")))
}
