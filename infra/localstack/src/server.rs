//! Starting and stopping the local stack's servers: each on a free loopback port, watched so
//! that it exits with the process that started it, even if that process is killed.

use anyhow::{Context, Result, bail};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server of the local stack. Stopped when dropped, if this process started it.
pub struct LocalServer {
    pub url: String,
    child: Option<Child>,
}

impl LocalServer {
    /// The server named by the environment variable `env` (`make test` starts the stack once
    /// for every test process), or else one started by `start` for this process.
    pub fn from_env_or(env: &str, start: impl FnOnce() -> Result<Self>) -> Result<Self> {
        match std::env::var(env) {
            Ok(url) if !url.is_empty() => Ok(Self { url, child: None }),
            _ => start(),
        }
    }

    /// Starts `program args…` (the args may use `{port}`, replaced by a free loopback port)
    /// and waits until it listens, for at most `within`. `what` names it in errors.
    pub fn start(what: &str, program: &Path, args: &[String], within: Duration) -> Result<Self> {
        let port = free_port()?;
        let me = std::process::id();
        // A tiny watchdog: the server goes when its parent does, so none is ever left over.
        let script = format!(
            "\"$0\" \"$@\" >/dev/null 2>&1 & m=$!; \
             trap 'kill $m 2>/dev/null' EXIT TERM INT; \
             while kill -0 {me} 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 1; done"
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(program)
            .args(args.iter().map(|a| a.replace("{port}", &port.to_string())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {what} ({})", program.display()))?;
        let mut server = Self { url: format!("http://127.0.0.1:{port}"), child: Some(child) };
        server.wait_ready(what, within)?;
        Ok(server)
    }

    fn wait_ready(&mut self, what: &str, within: Duration) -> Result<()> {
        let addr = self.url.trim_start_matches("http://").to_string();
        let start = Instant::now();
        while start.elapsed() < within {
            if std::net::TcpStream::connect(&addr).is_ok() {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                bail!("{what} exited at start ({status})");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("{what} did not start listening on {addr} within {within:?}")
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Killing the watchdog shell makes its trap stop the server.
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }
}

/// The project root: where `.venv` and `infra/node_modules` live.
pub fn project_root() -> PathBuf {
    if let Ok(root) = std::env::var("MORALE_ROOT") {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|_| PathBuf::from("."))
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").context("no free loopback port")?;
    Ok(l.local_addr()?.port())
}
