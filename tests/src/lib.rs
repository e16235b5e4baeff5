//! Helpers for the integration suite: one local AWS stack (DynamoDB Local and moto) per test
//! process, and a fresh table per test, created from `template.yaml` and deleted afterwards —
//! like zero-to-production's `spawn_app()`.

pub mod browser;

use aws_config::SdkConfig;
use morale::store::DynamoStore;
use morale_localstack::{LocalServer, TableSchema};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

static MOTO: OnceLock<Result<LocalServer, String>> = OnceLock::new();
static DYNAMODB: OnceLock<Result<LocalServer, String>> = OnceLock::new();

fn url_of(
    server: &'static OnceLock<Result<LocalServer, String>>,
    env: &str,
    start: fn() -> anyhow::Result<LocalServer>,
) -> String {
    match server.get_or_init(|| LocalServer::from_env_or(env, start).map_err(|e| format!("{e:#}"))) {
        Ok(s) => s.url.clone(),
        Err(e) => panic!("the local AWS stack is not available: {e}"),
    }
}

/// moto, for SNS, SQS and EventBridge: `MORALE_MOTO_URL` (set by `make test`), or a server
/// started for this test process and stopped when it exits.
pub fn moto_url() -> String {
    url_of(&MOTO, morale_localstack::moto::URL_ENV, LocalServer::moto)
}

/// DynamoDB Local: `MORALE_DYNAMODB_URL` (set by `make test`), or one started for this process.
pub fn dynamodb_url() -> String {
    url_of(&DYNAMODB, morale_localstack::dynamodb::URL_ENV, LocalServer::dynamodb_local)
}

/// SDK configuration pointing at the local stack's moto (SNS, SQS, EventBridge).
pub async fn local_sdk_config() -> SdkConfig {
    morale_localstack::sdk_config(&moto_url()).await
}

/// A table of its own for one test, with the schema from `template.yaml`. Deleted on drop.
pub struct TestTable {
    pub name: String,
    pub store: DynamoStore,
    /// The table's DynamoDB client (DynamoDB Local, or a fault proxy in front of it).
    pub client: aws_sdk_dynamodb::Client,
}

impl TestTable {
    pub async fn new() -> Self {
        Self::at(&dynamodb_url()).await
    }

    /// A table reached through `endpoint`: DynamoDB Local, or a fault proxy in front of it.
    pub async fn at(endpoint: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("morale-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let client = morale_localstack::dynamodb_client(endpoint).await;
        TableSchema::from_template()
            .expect("template.yaml defines the table")
            .create_table(&client, &name)
            .await
            .expect("create the test table");
        Self { store: DynamoStore::new(client.clone(), name.clone()), name, client }
    }
}

impl Drop for TestTable {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may be shutting down: delete from a
        // thread with a runtime of its own.
        let name = self.name.clone();
        let url = dynamodb_url();
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

/// An event route of its own for a test: see [`morale_localstack::EventRoute`].
pub async fn event_route(name: &str) -> morale_localstack::EventRoute {
    morale_localstack::EventRoute::new(&local_sdk_config().await, name, true)
        .await
        .expect("an event route on the local stack")
}

pub use morale_localstack::http::{HttpReply, http};

/// The answer links of a daily email's text part: `(label, url)`, as the email lists them.
pub fn answer_links(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim().split_once(": "))
        .filter(|(_, url)| url.contains("/r/"))
        .map(|(label, url)| (label.to_string(), url.trim().to_string()))
        .collect()
}

/// Every link of an HTML part, as a mail client follows it (entities decoded).
pub fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|part| part.split('"').next().unwrap_or_default().replace("&amp;", "&").replace("&#38;", "&"))
        .collect()
}

/// The link of the answer labelled `label` ("Great", "Good", "Okay", "Not great", "Bad").
pub fn answer_link(text: &str, label: &str) -> String {
    answer_links(text).into_iter().find(|(l, _)| l == label).map(|(_, u)| u).expect("the answer's link")
}

/// The body that sends answer `score` with the token of an answer link (what the page's form
/// posts to `/r`).
pub fn answer_form(link: &str, score: u8, extra: &str) -> String {
    let token = link.rsplit('/').next().expect("a token");
    format!("t={token}&s={score}{extra}")
}
