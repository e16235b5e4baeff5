//! The API's own request and response, what Lambda's and the local server's are turned into,
//! and the small HTTP helpers: headers every page carries, forms, the route's shape for logs.

use crate::pages::CSP;
use morale::domain::SendDate;

/// What the API needs of a request: adapters turn Lambda's and a local server's into this.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub accept: String,
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

pub(crate) fn date_text(d: SendDate) -> String {
    d.date().strftime("%A %-d %B").to_string()
}

/// The route's shape for logs: `/r/:token`, never the token.
pub(crate) fn route_name(path: &str) -> &'static str {
    match path.trim_start_matches('/').split('/').collect::<Vec<_>>().as_slice() {
        ["r", _] => "/r/:token",
        ["u", _] => "/u/:token",
        ["u", _, "resubscribe"] => "/u/:token/resubscribe",
        ["t", _] => "/t/:token",
        ["t", _, "export.csv"] => "/t/:token/export.csv",
        _ => "other",
    }
}

pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

pub(crate) fn form_value<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}
