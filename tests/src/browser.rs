//! Headless Chromium driven by ChromeDriver through fantoccini (WebDriver over loopback HTTP):
//! enough to open pages, click, read the page and take screenshots.

use anyhow::{Context, Result, bail};
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    driver: Child,
    client: fantoccini::Client,
    /// ChromeDriver's address and the session's id, to end the session from `Drop`.
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
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        });
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps.as_object().cloned().expect("an object"))
            .connect(&url)
            .await
            .context("a WebDriver session")?;
        let session = client.session_id().await?.context("no session id")?;
        Ok(Self { driver, client, url, session, profile })
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        Ok(self.client.goto(url).await?)
    }

    pub async fn current_url(&self) -> Result<String> {
        Ok(self.client.current_url().await?.to_string())
    }

    pub async fn source(&self) -> Result<String> {
        Ok(self.client.source().await?)
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        Ok(self.client.find(Locator::Css(css)).await?.click().await?)
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
        let png = self.client.screenshot().await?;
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session closes Chromium; then ChromeDriver goes. Drop cannot await, and
        // the test's runtime may be ending: a plain DELETE from a thread of its own.
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
