//! A fault proxy for the local stack, in the spirit of toxiproxy: a loopback HTTP proxy in
//! front of DynamoDB Local or moto that, by a plan a test (or `moralectl --local faults`) puts
//! at `/_faults`, answers a share of chosen operations with AWS's own errors, adds latency, or
//! forwards a request and then loses its answer (the server applied it; the client cannot
//! know). Operations are read the way AWS reads them: `X-Amz-Target` for the JSON protocols
//! (DynamoDB, EventBridge), the `Action` form field for the query protocol (SNS, SQS).

use crate::iam::Role;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does, rule by rule: the first rule that matches a request and draws it
/// applies; the others are not consulted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FaultPlan {
    #[serde(default)]
    pub rules: Vec<FaultRule>,
    /// The seed of the draws: the same plan and the same requests hit the same requests.
    #[serde(default)]
    pub seed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultRule {
    /// Operation names (`PutItem`, `UpdateItem`, `Publish`, `PutEvents`); empty: every one.
    #[serde(default)]
    pub operations: Vec<String>,
    /// Only requests whose body contains this text (to tell one conditional write from
    /// another: a claim sets `":to":{"S":"sending"}`, marking sent `":to":{"S":"sent"}`).
    #[serde(default)]
    pub body_contains: Option<String>,
    /// The share of matching requests it hits, 0 to 1.
    pub share: f64,
    /// Hits at most this many requests; then the rule is spent.
    #[serde(default)]
    pub limit: Option<u64>,
    pub fault: Fault,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answers with this AWS error; the server never sees the request.
    Error { code: AwsError },
    /// Forwards the request after a delay.
    Latency { ms: u64 },
    /// Forwards the request (the server applies it), then breaks the connection in the middle
    /// of the answer: a write committed and its answer lost.
    LoseAnswer,
    /// Forwards the request, then holds the answer this long: past the client's timeout, the
    /// same as a lost answer.
    SlowAnswer { ms: u64 },
    /// Answers every request it hits as the first one it hit was answered, whatever changed
    /// since: a global secondary index that has not caught up with the table (DynamoDB's
    /// indexes are eventually consistent).
    StaleAnswer,
}

/// The errors AWS answers when it is unwell or busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AwsError {
    InternalServerError,
    ThrottlingException,
    ProvisionedThroughputExceededException,
    RequestLimitExceeded,
    /// DynamoDB cancels a transaction that met another on the same items
    /// (`TransactionCanceledException`, its last item's reason `TransactionConflict`).
    TransactionConflict,
}

impl AwsError {
    fn status(self) -> StatusCode {
        match self {
            Self::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The error as the request's protocol writes it.
    fn answer(self, protocol: Protocol, request: &[u8]) -> Response {
        let message = "injected by the local stack's fault proxy";
        let (content_type, body) = match protocol {
            Protocol::Json { dynamodb: true } if self == Self::TransactionConflict => {
                // One reason per item of the transaction, as DynamoDB gives them.
                let items = serde_json::from_slice::<serde_json::Value>(request)
                    .ok()
                    .and_then(|v| v["TransactItems"].as_array().map(Vec::len))
                    .unwrap_or(1);
                let mut reasons = vec![serde_json::json!({"Code": "None"}); items.saturating_sub(1)];
                reasons.push(serde_json::json!({"Code": "TransactionConflict", "Message": message}));
                let body = serde_json::json!({
                    "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                    "message": "Transaction cancelled, please refer cancellation reasons for specific reasons",
                    "CancellationReasons": reasons,
                });
                ("application/x-amz-json-1.0", body.to_string())
            }
            Protocol::Json { dynamodb: true } => (
                "application/x-amz-json-1.0",
                serde_json::json!({"__type": format!("com.amazonaws.dynamodb.v20120810#{self:?}"), "message": message})
                    .to_string(),
            ),
            Protocol::Json { dynamodb: false } => {
                let code = match self {
                    Self::InternalServerError => "InternalException",
                    _ => "ThrottlingException",
                };
                ("application/x-amz-json-1.1", serde_json::json!({"__type": code, "message": message}).to_string())
            }
            Protocol::Query => {
                let (kind, code) = match self {
                    Self::InternalServerError => ("Receiver", "InternalError"),
                    _ => ("Sender", "Throttling"),
                };
                let xml = format!(
                    "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>\
                     <RequestId>fault-proxy</RequestId></ErrorResponse>"
                );
                ("text/xml", xml)
            }
        };
        (self.status(), [("content-type", content_type)], body).into_response()
    }
}

#[derive(Debug, Clone, Copy)]
enum Protocol {
    Json { dynamodb: bool },
    Query,
}

/// Which operation a request is, and in which protocol.
fn operation(headers: &HeaderMap, body: &[u8]) -> (String, Protocol) {
    if let Some(target) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        let op = target.rsplit('.').next().unwrap_or_default().to_string();
        return (op, Protocol::Json { dynamodb: target.starts_with("DynamoDB_") });
    }
    let op = form_urlencoded::parse(body).find(|(k, _)| k == "Action").map(|(_, v)| v.into_owned());
    (op.unwrap_or_default(), Protocol::Query)
}

/// What the proxy did, per operation: requests seen and faults applied.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FaultStats {
    pub seen: BTreeMap<String, u64>,
    pub hit: BTreeMap<String, u64>,
    /// Refused by the role the proxy holds requests to (see [`FaultProxy::holding`]).
    #[serde(default)]
    pub denied: BTreeMap<String, u64>,
}

/// An answer as the upstream gave it, kept for [`Fault::StaleAnswer`].
type Kept = (StatusCode, HeaderMap, Bytes);

struct Inner {
    plan: FaultPlan,
    spent: Vec<u64>,
    /// Per rule, the first answer a stale-answer rule kept.
    kept: Vec<Option<Kept>>,
    /// Which plan: an answer to a request drawn under an earlier one is not kept.
    generation: u64,
    rng: StdRng,
    stats: FaultStats,
}

struct Proxy {
    upstream: String,
    role: Option<Role>,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    inner: Mutex<Inner>,
}

impl Proxy {
    fn set_plan(&self, plan: FaultPlan) {
        let mut i = self.inner.lock().unwrap();
        i.spent = vec![0; plan.rules.len()];
        i.kept = vec![None; plan.rules.len()];
        i.generation += 1;
        i.rng = StdRng::seed_from_u64(plan.seed);
        i.plan = plan;
    }

    /// The answer a stale-answer rule kept, if its plan is still the one in force.
    fn kept(&self, (generation, n): (u64, usize)) -> Option<Kept> {
        let i = self.inner.lock().unwrap();
        i.kept.get(n).filter(|_| i.generation == generation).cloned().flatten()
    }

    /// Keeps a stale-answer rule's first answer; if the plan changed meanwhile, for nobody.
    fn keep(&self, (generation, n): (u64, usize), answer: &Kept) {
        let mut i = self.inner.lock().unwrap();
        if i.generation == generation
            && let Some(slot) = i.kept.get_mut(n)
        {
            slot.get_or_insert_with(|| answer.clone());
        }
    }

    /// Counts the request and draws its fault, if any, with the rule's place in which plan.
    fn draw(&self, op: &str, body: &[u8]) -> Option<((u64, usize), Fault)> {
        let mut guard = self.inner.lock().unwrap();
        let i = &mut *guard;
        *i.stats.seen.entry(op.to_string()).or_default() += 1;
        for (n, rule) in i.plan.rules.iter().enumerate() {
            let applies = (rule.operations.is_empty() || rule.operations.iter().any(|o| o == op))
                && rule.body_contains.as_ref().is_none_or(|t| body.windows(t.len()).any(|w| w == t.as_bytes()));
            if !applies || rule.limit.is_some_and(|l| i.spent[n] >= l) {
                continue;
            }
            if i.rng.random_bool(rule.share.clamp(0.0, 1.0)) {
                i.spent[n] += 1;
                *i.stats.hit.entry(op.to_string()).or_default() += 1;
                return Some(((i.generation, n), rule.fault.clone()));
            }
        }
        None
    }

    async fn forward(&self, method: Method, uri: &Uri, headers: HeaderMap, body: Bytes) -> Result<Kept, String> {
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let mut req = axum::http::Request::builder().method(method).uri(format!("{}{path}", self.upstream));
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
        let resp = self.client.request(req).await.map_err(|e| e.to_string())?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        Ok((parts.status, parts.headers, body))
    }
}

async fn handle(State(p): State<Arc<Proxy>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let (op, protocol) = operation(&headers, &body);
    if let (Some(role), Protocol::Json { dynamodb: true }) = (&p.role, protocol) {
        if let Some((action, resource)) = role.refuses(&op, &body) {
            eprintln!("[iam] {} may not {action} on {resource}: refused as AWS would", role.function);
            *p.inner.lock().unwrap().stats.denied.entry(op).or_default() += 1;
            return role.refusal(&action, &resource);
        }
    }
    let (rule, fault) = p.draw(&op, &body).unzip();
    if let Some(Fault::Error { code }) = fault {
        return code.answer(protocol, &body);
    }
    if let Some(Fault::Latency { ms }) = fault {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let kept = rule.filter(|_| matches!(fault, Some(Fault::StaleAnswer)));
    if let Some(old) = kept.and_then(|rule| p.kept(rule)) {
        return old.into_response();
    }
    let resp = match p.forward(method, &uri, headers, body).await {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_GATEWAY, format!("fault proxy: upstream: {e}")).into_response(),
    };
    if let Some(rule) = kept {
        p.keep(rule, &resp);
    }
    let resp = resp.into_response();
    match fault {
        Some(Fault::LoseAnswer) => {
            // The answer breaks off: the connection closes before it is complete, and the client
            // reads an error, not an answer.
            let (mut parts, _) = resp.into_parts();
            parts.headers.remove("content-length");
            let broken = futures_util::stream::iter([Err::<Bytes, _>(std::io::Error::other("answer lost"))]);
            Response::from_parts(parts, Body::from_stream(broken))
        }
        Some(Fault::SlowAnswer { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            resp
        }
        _ => resp,
    }
}

/// A running fault proxy. Stops when dropped.
pub struct FaultProxy {
    pub url: String,
    proxy: Arc<Proxy>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (e.g. DynamoDB Local's URL) on a free loopback port, with
    /// no faults planned.
    pub async fn start(upstream: &str) -> std::io::Result<Self> {
        Self::start_with(upstream, None).await
    }

    /// The same, and every DynamoDB request held to `role` first: what it does not allow is
    /// refused as AWS refuses it, whatever the plan.
    pub async fn holding(upstream: &str, role: Role) -> std::io::Result<Self> {
        Self::start_with(upstream, Some(role)).await
    }

    async fn start_with(upstream: &str, role: Option<Role>) -> std::io::Result<Self> {
        let proxy = Arc::new(Proxy {
            upstream: upstream.trim_end_matches('/').to_string(),
            role,
            client: Client::builder(TokioExecutor::new()).build_http(),
            inner: Mutex::new(Inner {
                plan: FaultPlan::default(),
                spent: Vec::new(),
                kept: Vec::new(),
                generation: 0,
                rng: StdRng::seed_from_u64(0),
                stats: FaultStats::default(),
            }),
        });
        let router = axum::Router::new()
            .route("/_faults", get(get_faults).put(put_faults).delete(delete_faults))
            .fallback(handle)
            .with_state(proxy.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self { url, proxy, task })
    }

    /// Replaces the plan (and restarts its draws from its seed); the counts go on.
    pub fn plan(&self, plan: FaultPlan) {
        self.proxy.set_plan(plan);
    }

    /// Requests seen and faults applied so far, per operation.
    pub fn stats(&self) -> FaultStats {
        self.proxy.inner.lock().unwrap().stats.clone()
    }
}

impl FaultPlan {
    /// One rule: `share` of the `operations` get `fault`.
    pub fn one(operations: &[&str], share: f64, fault: Fault) -> Self {
        let operations = operations.iter().map(|o| o.to_string()).collect();
        Self { rules: vec![FaultRule { operations, body_contains: None, share, limit: None, fault }], seed: 1 }
    }

    /// The first rule hits only requests whose body contains `text`.
    pub fn containing(mut self, text: &str) -> Self {
        self.rules[0].body_contains = Some(text.to_string());
        self
    }

    /// The first rule hits at most `n` requests.
    pub fn at_most(mut self, n: u64) -> Self {
        self.rules[0].limit = Some(n);
        self
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn get_faults(State(p): State<Arc<Proxy>>) -> axum::Json<serde_json::Value> {
    let i = p.inner.lock().unwrap();
    axum::Json(serde_json::json!({"plan": i.plan, "stats": i.stats}))
}

async fn put_faults(State(p): State<Arc<Proxy>>, axum::Json(plan): axum::Json<FaultPlan>) -> StatusCode {
    p.set_plan(plan);
    StatusCode::NO_CONTENT
}

/// Clears the plan and the counts.
async fn delete_faults(State(p): State<Arc<Proxy>>) -> StatusCode {
    p.set_plan(FaultPlan::default());
    p.inner.lock().unwrap().stats = FaultStats::default();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests;
