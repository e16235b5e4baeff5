//! The API's router; its own request and response, what the router's are turned into; and the small HTTP helpers: headers every page carries, forms, the route's shape for logs.

use crate::ResponseApi;
use crate::pages::CSP;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The API as one axum router: Lambda runs it under `lambda_http`, the local stack serves it
/// on 127.0.0.1. Routing itself is `ResponseApi::route`, so that every refusal (an unknown
/// path, a wrong method) gets the same friendly page and metric.
pub fn router(api: Arc<ResponseApi>) -> axum::Router {
    axum::Router::new().fallback(handle).layer(DefaultBodyLimit::max(crate::MAX_BODY + 1)).with_state(api)
}

async fn handle(
    State(api): State<Arc<ResponseApi>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // A body over the limit is refused by the API like any other (its page, headers and
    // metric), not by axum's bare text: handed on as at least one byte too many.
    let body = match body {
        Ok(body) => body.to_vec(),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => vec![0; crate::MAX_BODY + 1],
        Err(_) => Vec::new(),
    };
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let req = HttpRequest {
        method: method.as_str().to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        accept: header("accept"),
        accept_language: header("accept-language"),
        content_type: header("content-type"),
        body,
    };
    let resp = api.handle(&req).await;
    let mut out =
        (StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), resp.body).into_response();
    for (k, v) in resp.headers {
        if let Ok(v) = v.parse() {
            out.headers_mut().insert(k, v);
        }
    }
    out
}

/// What the API needs of a request: adapters turn Lambda's and a local server's into this.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub accept: String,
    /// The browser's languages: the language of a refusal, whose link may say nothing.
    pub accept_language: String,
    pub content_type: String,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub(crate) fn with_headers(status: u16, content_type: &str, body: String) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![
            ("Content-Type", content_type.to_string()),
            ("Content-Security-Policy", CSP.clone()),
            ("Referrer-Policy", "no-referrer".into()),
            ("Cache-Control", "no-store".into()),
            ("X-Content-Type-Options", "nosniff".into()),
            ("X-Frame-Options", "DENY".into()),
        ],
        body,
    }
}

/// The route's shape for logs: `/r/:token`, never the token.
pub(crate) fn route_name(path: &str) -> &'static str {
    match path.trim_start_matches('/').split('/').collect::<Vec<_>>().as_slice() {
        ["r", _] => "/r/:token",
        ["r"] => "/r",
        ["u", _] => "/u/:token",
        ["u", _, "resubscribe"] => "/u/:token/resubscribe",
        ["t", _] => "/t/:token",
        ["t", _, "export.csv"] => "/t/:token/export.csv",
        ["a", _] => "/a/:token",
        ["a", _, "back"] => "/a/:token/back",
        _ => "other",
    }
}

pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

pub(crate) fn form_value<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// One field of a `multipart/form-data` body (RFC 7578): how RFC 8058 says a mail client
/// should send its one-click unsubscribe.
pub(crate) fn multipart_value(content_type: &str, body: &[u8], name: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = params.split(';').find_map(|p| p.trim().strip_prefix("boundary="))?.trim_matches('"');
    let body = String::from_utf8_lossy(body);
    let field = format!("name=\"{name}\"");
    body.split(&format!("--{boundary}")).find_map(|part| {
        let (headers, value) = part.split_once("\r\n\r\n")?;
        let named =
            headers.lines().any(|h| h.to_ascii_lowercase().starts_with("content-disposition:") && h.contains(&field));
        named.then(|| value.trim_end_matches("\r\n").to_string())
    })
}

pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}
