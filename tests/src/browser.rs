//! Headless Chromium driven through ChromeDriver's WebDriver protocol (plain HTTP + JSON on
//! loopback): enough to open pages, click, read the page and take screenshots.

use crate::http;
use anyhow::{Context, Result, bail};
use base64::Engine;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    driver: Child,
    url: String,
    session: String,
    profile: PathBuf,
}

/// Where tests save screenshots for people to look at: `artifacts/screenshots/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = morale_localstack::server::project_root().join("artifacts/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with a fresh profile, phone-sized.
    pub async fn start(javascript: bool) -> Result<Self> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            bail!(
                "Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}): run `make tools`, which installs Debian's chromium and chromium-driver"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start chromedriver")?;
        let url = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(20) {
                bail!("chromedriver did not start");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = std::env::temp_dir().join(format!("morale-chromium-{}-{port}", std::process::id()));
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--window-size=412,915".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        if !javascript {
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let mut b = Self { driver, url, session: String::new(), profile };
        let v = b.call("POST", "/session", caps).await?;
        b.session = v["sessionId"].as_str().context("no session id")?.to_string();
        Ok(b)
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Result<Value> {
        let body = if method == "GET" { String::new() } else { body.to_string() };
        let r = http(&self.url, method, path, "application/json", &body).await;
        let v: Value = serde_json::from_str(&r.body).with_context(|| format!("{method} {path}: {}", r.body))?;
        if r.status >= 400 {
            bail!("{method} {path}: {}", v["value"]["message"].as_str().unwrap_or(&r.body));
        }
        Ok(v.get("value").cloned().unwrap_or(v))
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.call("POST", &self.s("/url"), json!({"url": url})).await.map(|_| ())
    }

    pub async fn current_url(&self) -> Result<String> {
        Ok(self.call("GET", &self.s("/url"), Value::Null).await?.as_str().unwrap_or_default().to_string())
    }

    pub async fn source(&self) -> Result<String> {
        Ok(self.call("GET", &self.s("/source"), Value::Null).await?.as_str().unwrap_or_default().to_string())
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        let el = self.call("POST", &self.s("/element"), json!({"using": "css selector", "value": css})).await?;
        let id =
            el.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).context("element id")?.to_string();
        self.call("POST", &self.s(&format!("/element/{id}/click")), json!({})).await.map(|_| ())
    }

    /// Waits until the page's source contains `text`.
    pub async fn wait_for(&self, text: &str, within: Duration) -> Result<String> {
        let start = Instant::now();
        loop {
            let src = self.source().await?;
            if src.contains(text) {
                return Ok(src);
            }
            if start.elapsed() > within {
                bail!("the page never showed {text:?}; it shows:\n{src}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the viewport to `artifacts/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let v = self.call("GET", &self.s("/screenshot"), Value::Null).await?;
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().context("screenshot data")?)?;
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session closes Chromium; then ChromeDriver goes.
        let addr = self.url.trim_start_matches("http://").to_string();
        let path = format!("/session/{}", self.session);
        let _ = std::thread::spawn(move || {
            use std::io::{Read, Write};
            if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                let _ = write!(
                    s,
                    "DELETE {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let mut out = Vec::new();
                let _ = s.read_to_end(&mut out);
            }
        })
        .join();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
