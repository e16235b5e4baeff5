//! Helpers for the integration suite: one local AWS stack (moto) per test process, and a
//! fresh table per test, created from `template.yaml` and deleted afterwards — like
//! zero-to-production's `spawn_app()`.

pub mod browser;

use aws_config::SdkConfig;
use morale::store::DynamoStore;
use morale_localstack::{Moto, TableSchema};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();

/// The local stack's address: `MORALE_MOTO_URL` (set by `make test`), or a moto server started
/// for this test process and stopped when it exits.
pub fn moto_url() -> String {
    match MOTO.get_or_init(|| Moto::from_env_or_start().map_err(|e| format!("{e:#}"))) {
        Ok(m) => m.url.clone(),
        Err(e) => panic!("the local AWS stack is not available: {e}"),
    }
}

/// SDK configuration pointing at the local stack.
pub async fn local_sdk_config() -> SdkConfig {
    morale_localstack::sdk_config(&moto_url()).await
}

/// A table of its own for one test, with the schema from `template.yaml`. Deleted on drop.
pub struct TestTable {
    pub name: String,
    pub store: DynamoStore,
    pub config: SdkConfig,
}

impl TestTable {
    pub async fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("morale-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let config = local_sdk_config().await;
        let client = aws_sdk_dynamodb::Client::new(&config);
        TableSchema::from_template()
            .expect("template.yaml defines the table")
            .create_table(&client, &name)
            .await
            .expect("create the test table");
        Self { store: DynamoStore::new(client, name.clone()), name, config }
    }
}

impl Drop for TestTable {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may be shutting down: delete from a
        // thread with a runtime of its own.
        let name = self.name.clone();
        let url = moto_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                let config = morale_localstack::sdk_config(&url).await;
                let _ = aws_sdk_dynamodb::Client::new(&config).delete_table().table_name(name).send().await;
            });
        })
        .join();
    }
}

/// An EventBridge bus of its own on the local stack, a rule for `source: aws.ses` on it (the
/// pattern `template.yaml`'s rule uses), and an SQS queue as the rule's target, from which a
/// test reads what the rule routed. Its own bus keeps parallel tests apart.
pub struct EventRoute {
    pub bus_arn: String,
    queue_url: String,
    sqs: aws_sdk_sqs::Client,
}

impl EventRoute {
    pub async fn new(name: &str) -> Self {
        let sdk = local_sdk_config().await;
        let eb = aws_sdk_eventbridge::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let bus_arn = eb.create_event_bus().name(name).send().await.expect("create bus").event_bus_arn.expect("arn");
        let queue_url = sqs.create_queue().queue_name(name).send().await.expect("create queue").queue_url.expect("url");
        let arn_attr = aws_sdk_sqs::types::QueueAttributeName::QueueArn;
        let attrs = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(arn_attr.clone())
            .send()
            .await
            .expect("queue arn");
        let queue_arn = attrs.attributes.expect("attributes")[&arn_attr].clone();
        eb.put_rule()
            .name(name)
            .event_bus_name(name)
            .event_pattern(r#"{"source": ["aws.ses"]}"#)
            .send()
            .await
            .expect("rule");
        eb.put_targets()
            .rule(name)
            .event_bus_name(name)
            .targets(aws_sdk_eventbridge::types::Target::builder().id("queue").arn(queue_arn).build().expect("target"))
            .send()
            .await
            .expect("target");
        Self { bus_arn, queue_url, sqs }
    }

    /// What is on the queue now (each an EventBridge event), removed from it.
    pub async fn take(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        loop {
            let r = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .expect("receive");
            let msgs = r.messages.unwrap_or_default();
            if msgs.is_empty() {
                return out;
            }
            for m in msgs {
                out.push(serde_json::from_str(m.body.as_deref().unwrap_or("null")).expect("JSON event"));
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(m.receipt_handle.unwrap_or_default())
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }

    /// Reads events until `n` have arrived (or 30 s pass), then two seconds more, so that
    /// an event too many would be seen.
    pub async fn collect(&self, n: usize) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        let mut deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let mut settled = false;
        while std::time::Instant::now() < deadline {
            if out.len() >= n && !settled {
                settled = true;
                deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
            }
            out.extend(self.take().await);
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        out
    }
}

/// An HTTP/1.1 answer, read to the end (`Connection: close`).
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A plain HTTP/1.1 request to a loopback server: for what SDKs never send (malformed bodies),
/// control APIs, and pages.
pub async fn http(url: &str, method: &str, path: &str, content_type: &str, body: &str) -> HttpReply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.expect("write");
    // Read the head, then Content-Length bytes of body (some servers keep the connection
    // open whatever the request says), or to the end if there is no length.
    let read = async {
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            if let Some(end) = out.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&out[..end]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:").and_then(|v| v.trim().parse::<usize>().ok()));
                if len.is_some_and(|n| out.len() >= end + 4 + n) {
                    break;
                }
            }
            let n = s.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    };
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), read).await.expect("an answer");
    let out = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    HttpReply { status, headers, body: body.to_string() }
}
