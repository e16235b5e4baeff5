//! moto in server mode, from the project's virtualenv (`make tools`): SNS, SQS and EventBridge.

use crate::server::{LocalServer, project_root};
use anyhow::{Result, bail};
use std::time::Duration;

/// Set by the test harness (`make test`) and the local stack when moto already runs.
pub const URL_ENV: &str = "MORALE_MOTO_URL";

impl LocalServer {
    /// Starts `moto_server` on a free loopback port.
    pub fn moto() -> Result<Self> {
        let bin = project_root().join(".venv/bin/moto_server");
        if !bin.exists() {
            bail!(
                "moto is not installed ({} is missing). Run `make tools` once: it creates the project's \
                 Python virtualenv with the pinned moto.",
                bin.display()
            );
        }
        let args = ["-H".into(), "127.0.0.1".into(), "-p".into(), "{port}".into()];
        Self::start("moto", &bin, &args, Duration::from_secs(30))
    }
}
