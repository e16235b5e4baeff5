//! Starting and stopping `moto_server` from the project's virtualenv (`make tools`).

use anyhow::{Context, Result, bail};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Set by the test harness (`make test`) and the local stack when moto already runs.
pub const URL_ENV: &str = "MORALE_MOTO_URL";

/// A running moto server. Stopped when dropped, if this process started it.
pub struct Moto {
    pub url: String,
    child: Option<Child>,
}

impl Moto {
    /// Uses the server named by `MORALE_MOTO_URL` if set, otherwise starts one.
    pub fn from_env_or_start() -> Result<Self> {
        match std::env::var(URL_ENV) {
            Ok(url) if !url.is_empty() => Ok(Self { url, child: None }),
            _ => Self::start(),
        }
    }

    /// Starts `moto_server` on a free loopback port and waits until it answers. The server
    /// watches this process and exits with it, even if this process is killed.
    pub fn start() -> Result<Self> {
        let (python, launcher) = moto_server_path()?;
        let port = free_port()?;
        let me = std::process::id();
        // A tiny watchdog: the server goes when its parent does, so no moto is ever left over.
        let script = format!(
            "\"$0\" \"$1\" -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; \
             trap 'kill $m 2>/dev/null' EXIT TERM INT; \
             while kill -0 {me} 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 1; done"
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(&python)
            .arg(&launcher)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {}", python.display()))?;
        let url = format!("http://127.0.0.1:{port}");
        let moto = Self { url, child: Some(child) };
        moto.wait_ready(Duration::from_secs(30))?;
        Ok(moto)
    }

    fn wait_ready(&self, within: Duration) -> Result<()> {
        let addr = self.url.trim_start_matches("http://").to_string();
        let start = Instant::now();
        while start.elapsed() < within {
            if std::net::TcpStream::connect(&addr).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("moto did not start listening on {addr} within {within:?}")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Killing the watchdog shell makes its trap stop moto.
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }
}

/// The project root: where `.venv` lives.
pub fn project_root() -> PathBuf {
    if let Ok(root) = std::env::var("MORALE_ROOT") {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|_| PathBuf::from("."))
}

/// The virtualenv's Python and the launcher that runs moto with DynamoDB's item operations
/// made atomic (see `infra/localstack/python/moto_server.py`).
fn moto_server_path() -> Result<(PathBuf, PathBuf)> {
    let root = project_root();
    let bin = root.join(".venv/bin/moto_server");
    if !bin.exists() {
        bail!(
            "moto is not installed ({} is missing). Run `make tools` once: it creates the project's \
             Python virtualenv with the pinned moto.",
            bin.display()
        );
    }
    Ok((root.join(".venv/bin/python"), root.join("infra/localstack/python/moto_server.py")))
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").context("no free loopback port")?;
    Ok(l.local_addr()?.port())
}
