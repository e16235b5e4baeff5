//! The functions as Lambda runs them: a built binary, started with the environment its
//! `template.yaml` resource gives it, served by a local Lambda Runtime API on 127.0.0.1 (the
//! interface Lambda's own runtime speaks: `invocation/next`, `…/response`, `…/error`).
//! Each invocation is logged with its function's name, outcome and duration.

use anyhow::{Context, Result, bail};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::{HashMap, VecDeque};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, oneshot};

type Answer = Result<serde_json::Value, String>;

#[derive(Default)]
struct Queue {
    waiting: VecDeque<(String, serde_json::Value, Duration)>,
    running: HashMap<String, oneshot::Sender<Answer>>,
    init_error: Option<String>,
}

struct Api {
    name: String,
    queue: Mutex<Queue>,
    ready: Notify,
}

/// One function: its process, and the Runtime API it polls.
pub struct LocalFunction {
    api: Arc<Api>,
    child: tokio::process::Child,
    server: tokio::task::JoinHandle<()>,
    seq: std::sync::atomic::AtomicU64,
    /// The invocation timeout (the template's `Timeout`): the deadline the function is told.
    pub timeout: Duration,
    /// In front of its table: its role as the template grants it (see [`crate::iam`]).
    role: Option<crate::FaultProxy>,
}

impl LocalFunction {
    /// Starts `binary` as function `name` with `env` (from the template), polling a Runtime
    /// API on a free loopback port, its stdout and stderr to `log`. The process is killed when
    /// this is dropped.
    pub async fn start(
        name: &str,
        binary: &std::path::Path,
        env: &[(String, String)],
        timeout: Duration,
        log: &std::path::Path,
    ) -> Result<Self> {
        if !binary.is_file() {
            bail!("{} is not built (cargo build --bins)", binary.display());
        }
        let api = Arc::new(Api { name: name.into(), queue: Mutex::default(), ready: Notify::new() });
        let router = axum::Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(api.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let child = tokio::process::Command::new(binary)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(log).with_context(|| format!("create {}", log.display()))?)
            .stderr(std::fs::File::options().append(true).open(log)?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        Ok(Self { api, child, server, seq: 0.into(), timeout, role: None })
    }

    /// Invokes the function with `event` and waits for its answer: `Ok(payload)`, or the
    /// error it reported (an `Err` also when it exits or does not answer in time).
    pub async fn invoke(&mut self, event: serde_json::Value) -> Answer {
        let n = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("{}-{n:06}", self.api.name);
        let (tx, rx) = oneshot::channel();
        {
            let mut q = self.api.queue.lock().unwrap();
            if let Some(e) = &q.init_error {
                return Err(format!("init failed: {e}"));
            }
            q.running.insert(id.clone(), tx);
            q.waiting.push_back((id.clone(), event, self.timeout));
        }
        self.api.ready.notify_one();
        let started = Instant::now();
        let answer = tokio::select! {
            a = rx => a.unwrap_or_else(|_| Err("the invocation was dropped".into())),
            status = self.child.wait() => Err(format!("the function exited ({status:?})")),
            _ = tokio::time::sleep(self.timeout + Duration::from_secs(5)) => Err("timed out".into()),
        };
        let outcome = match &answer {
            Ok(_) => "ok".to_string(),
            Err(e) => format!("error: {}", e.chars().take(200).collect::<String>()),
        };
        eprintln!("[lambda {}] invocation {id}: {outcome} in {} ms", self.api.name, started.elapsed().as_millis());
        answer
    }
}

impl Drop for LocalFunction {
    fn drop(&mut self) {
        self.server.abort();
        let _ = self.child.start_kill();
    }
}

async fn next(State(api): State<Arc<Api>>) -> Response {
    loop {
        let notified = api.ready.notified();
        if let Some((id, event, timeout)) = api.queue.lock().unwrap().waiting.pop_front() {
            let deadline = std::time::SystemTime::now() + timeout;
            let ms = deadline.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis();
            let arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{}", api.name);
            let headers = [
                ("lambda-runtime-aws-request-id", id),
                ("lambda-runtime-deadline-ms", ms.to_string()),
                ("lambda-runtime-invoked-function-arn", arn),
                ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000".into()),
                ("content-type", "application/json".into()),
            ];
            let mut resp = event.to_string().into_response();
            for (k, v) in headers {
                resp.headers_mut().insert(k, v.parse().expect("a header value"));
            }
            return resp;
        }
        notified.await;
    }
}

fn finish(api: &Api, id: &str, answer: Answer) -> StatusCode {
    match api.queue.lock().unwrap().running.remove(id) {
        Some(tx) => {
            let _ = tx.send(answer);
            StatusCode::ACCEPTED
        }
        None => StatusCode::NOT_FOUND,
    }
}

async fn response(State(api): State<Arc<Api>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    let value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&body).into()));
    finish(&api, &id, Ok(value))
}

async fn error(State(api): State<Arc<Api>>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let kind = headers.get("lambda-runtime-function-error-type").and_then(|v| v.to_str().ok()).unwrap_or("Error");
    finish(&api, &id, Err(format!("{kind}: {}", String::from_utf8_lossy(&body))))
}

async fn init_error(State(api): State<Arc<Api>>, body: Bytes) -> StatusCode {
    let e = String::from_utf8_lossy(&body).into_owned();
    eprintln!("[lambda {}] init error: {e}", api.name);
    api.queue.lock().unwrap().init_error = Some(e);
    StatusCode::ACCEPTED
}

/// What one local stack chooses for the template's parameters and resources; the rest of what
/// CloudFormation would give the template's `!Ref`s, `!Sub`s and `!GetAtt`s is the same in
/// every local stack, and written once in [`StackValues::resolved`].
pub struct StackValues<'a> {
    pub table: &'a str,
    pub alert_topic: &'a str,
    pub configuration_set: &'a str,
    pub token_keys_parameter: &'a str,
    /// The response API creates its voters' key here on first use, as it does on AWS.
    pub voter_key_parameter: &'a str,
}

impl StackValues<'_> {
    /// By the name the template gives each (see [`from_template`]).
    pub fn resolved(&self) -> HashMap<&'static str, String> {
        HashMap::from([
            ("Table", self.table.to_string()),
            ("AlertTopic", self.alert_topic.to_string()),
            ("SenderIdentity", crate::IDENTITY.into()),
            ("FromAddress", crate::FROM.into()),
            ("ConfigurationSet", self.configuration_set.to_string()),
            ("TokenKeysParameterName", self.token_keys_parameter.to_string()),
            ("VoterKeyParameterName", self.voter_key_parameter.to_string()),
            ("VoterKmsKey", "alias/aws/ssm".into()),
            ("Table.Arn", format!("arn:aws:dynamodb:{}:{}:table/{}", crate::REGION, crate::ACCOUNT, self.table)),
            ("HttpApi", "local".into()),
            ("AWS::Region", crate::REGION.into()),
            ("AWS::AccountId", crate::ACCOUNT.into()),
            ("AWS::Partition", "aws".into()),
            ("AWS::URLSuffix", "amazonaws.com".into()),
        ])
    }
}

/// Where a function started locally finds the local stack.
pub struct Endpoints {
    /// moto: SSM, SQS, EventBridge (and SNS unless `sns` says otherwise).
    pub moto: String,
    pub sns: String,
    pub dynamodb: String,
    pub sesv2: String,
}

/// Starts the function `resource` of `template.yaml` from its built binary `bin`: its
/// environment from the template (see [`from_template`]), the AWS endpoints of the local stack,
/// and `api_url` for `MORALE_API_BASE_URL` where given (the one value only the local stack
/// knows). Logs to `<temp dir>/morale-lambda-<bin>-<pid>.log`.
pub async fn start_function(
    resource: &str,
    bin: &str,
    values: &HashMap<&str, String>,
    endpoints: &Endpoints,
    api_url: Option<&str>,
) -> Result<LocalFunction> {
    let (mut env, timeout) = from_template(resource, values)?;
    if let Some(url) = api_url {
        for (k, v) in &mut env {
            if k == morale::config::env::API_BASE_URL {
                *v = url.to_string();
            }
        }
    }
    // DynamoDB Local allows anything: the function reaches it through its role, as on AWS.
    let role =
        crate::FaultProxy::holding(&endpoints.dynamodb, crate::iam::Role::from_template(resource, values)?).await?;
    for (k, v) in [
        ("AWS_REGION", crate::REGION),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_ENDPOINT_URL", &endpoints.moto),
        ("AWS_ENDPOINT_URL_SNS", &endpoints.sns),
        ("AWS_ENDPOINT_URL_DYNAMODB", &role.url),
        ("AWS_ENDPOINT_URL_SESV2", &endpoints.sesv2),
    ] {
        env.push((k.to_string(), v.to_string()));
    }
    let log = std::env::temp_dir().join(format!("morale-lambda-{bin}-{}.log", std::process::id()));
    let mut function = LocalFunction::start(resource, &built(bin)?, &env, timeout, &log).await?;
    function.role = Some(role);
    Ok(function)
}

/// What `template.yaml` says of one function: its environment (the Globals' variables, then
/// its own, each `!Ref`, `!Sub` and `!GetAtt` resolved from `values`: resource or parameter
/// names, `Resource.Attribute`, `AWS::Region`, `AWS::URLSuffix`) and its timeout. A name
/// `values` does not know is an error: the template must say everything the function needs.
pub fn from_template(resource: &str, values: &HashMap<&str, String>) -> Result<(Vec<(String, String)>, Duration)> {
    let doc = crate::cfn::template()?;
    let function = doc["Resources"].get(resource).with_context(|| format!("template.yaml has no {resource}"))?;
    let resolve = |v| crate::cfn::resolve(resource, v, values);
    let mut env = Vec::new();
    for vars in
        [&doc["Globals"]["Function"]["Environment"]["Variables"], &function["Properties"]["Environment"]["Variables"]]
    {
        for (k, v) in vars.as_mapping().into_iter().flatten() {
            env.push((k.as_str().context("a variable name")?.to_string(), resolve(v)?));
        }
    }
    let timeout = function["Properties"]["Timeout"].as_u64().or(doc["Globals"]["Function"]["Timeout"].as_u64());
    Ok((env, Duration::from_secs(timeout.context("a Timeout")?)))
}

/// An HTTP API on 127.0.0.1 in front of `function`, as API Gateway (HTTP API, payload 2.0)
/// is in front of the deployed one: each request becomes an event, each answer a response.
pub async fn serve_http_api(function: LocalFunction) -> Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    let function = Arc::new(tokio::sync::Mutex::new(function));
    let router = axum::Router::new().fallback(gateway).with_state(function);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, task))
}

async fn gateway(
    State(function): State<Arc<tokio::sync::Mutex<LocalFunction>>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    use base64::Engine;
    let header_map: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), serde_json::Value::String(v.to_str().ok()?.to_string()))))
        .collect();
    let event = serde_json::json!({
        "version": "2.0", "routeKey": "$default", "rawPath": uri.path(), "rawQueryString": uri.query().unwrap_or(""),
        "headers": header_map,
        "requestContext": {"accountId": "123456789012", "apiId": "local", "domainName": "127.0.0.1",
            "domainPrefix": "local", "requestId": "local", "routeKey": "$default", "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 0,
            "http": {"method": method.as_str(), "path": uri.path(), "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "local"}},
        "body": base64::engine::general_purpose::STANDARD.encode(&body), "isBase64Encoded": true,
    });
    let answer = function.lock().await.invoke(event).await;
    let Ok(out) = answer else {
        // What API Gateway answers when the integration fails.
        return (StatusCode::INTERNAL_SERVER_ERROR, "{\"message\":\"Internal Server Error\"}").into_response();
    };
    let status = out["statusCode"].as_u64().and_then(|s| StatusCode::from_u16(s as u16).ok()).unwrap_or(StatusCode::OK);
    let text = out["body"].as_str().unwrap_or_default();
    let body = if out["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD.decode(text).unwrap_or_default()
    } else {
        text.as_bytes().to_vec()
    };
    let mut resp = (status, body).into_response();
    for (k, v) in out["headers"].as_object().into_iter().flatten() {
        if let (Ok(name), Some(Ok(value))) =
            (axum::http::HeaderName::from_bytes(k.as_bytes()), v.as_str().map(axum::http::HeaderValue::from_str))
        {
            resp.headers_mut().insert(name, value);
        }
    }
    resp
}

/// The built binary of a function, beside the running test or tool (`target/<profile>/`).
/// `cargo build --bins` makes them; `make test` and `make demo` do so first.
pub fn built(bin: &str) -> Result<std::path::PathBuf> {
    let exe = std::env::current_exe()?;
    let candidates = exe.ancestors().skip(1).take(2).map(|dir| dir.join(bin));
    for path in candidates {
        if path.is_file() {
            return Ok(path);
        }
    }
    bail!("the {bin} binary is not built: run `cargo build --bins` (make test and make demo do)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_is_configured_from_the_template_and_nothing_is_guessed() {
        let names = [
            "Table",
            "AlertTopic",
            "SenderIdentity",
            "FromAddress",
            "ConfigurationSet",
            "TokenKeysParameterName",
            "VoterKeyParameterName",
            "VoterKmsKey",
            "HttpApi",
            "AWS::Region",
            "AWS::URLSuffix",
        ];
        let values: HashMap<&str, String> = names.into_iter().map(|k| (k, format!("<{k}>"))).collect();
        let (env, timeout) = from_template("SenderFunction", &values).unwrap();
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("MORALE_TABLE"), Some("<Table>"), "the Globals' variables too");
        assert_eq!(get("MORALE_API_BASE_URL"), Some("https://<HttpApi>.execute-api.<AWS::Region>.<AWS::URLSuffix>"));
        assert_eq!(timeout, Duration::from_secs(300));
        for f in ["BounceHandlerFunction", "ResponseApiFunction", "DeployCheckFunction"] {
            assert!(from_template(f, &values).is_ok(), "{f}");
        }
        let mut missing = values.clone();
        missing.remove("AlertTopic");
        let e = from_template("SenderFunction", &missing).unwrap_err();
        assert!(e.to_string().contains("AlertTopic"), "{e}");
        assert!(from_template("NoSuchFunction", &values).is_err());
    }
}
