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
            // The serialised page writes a no-break space (French before "?") as an entity.
            if src.contains(text) || src.replace("&nbsp;", "\u{a0}").replace("&amp;", "&").contains(text) {
                return Ok(src);
            }
            if start.elapsed() > within {
                bail!("the page never showed {text:?}; it shows:\n{src}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The viewport pages see, in CSS pixels (a 320 px phone, a desktop): DevTools' device
    /// emulation, as a window is not made narrower than the desktop's least.
    pub async fn resize(&self, width: u32, height: u32) -> Result<()> {
        let params = json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600});
        self.cdp("Emulation.setDeviceMetricsOverride", params).await
    }

    /// The colour scheme pages see (`prefers-color-scheme`).
    pub async fn color_scheme(&self, dark: bool) -> Result<()> {
        let scheme = if dark { "dark" } else { "light" };
        self.cdp("Emulation.setEmulatedMedia", json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}))
            .await
    }

    /// The page's viewport width, as its script sees it.
    pub async fn viewport_width(&self) -> Result<u64> {
        let v = self.client.execute("return window.innerWidth", vec![]).await?;
        v.as_u64().context("a width")
    }

    /// The languages pages are asked in (`Accept-Language`), e.g. "de" or "pt-BR".
    pub async fn accept_language(&self, tags: &str) -> Result<()> {
        let ua = self.client.execute("return navigator.userAgent", vec![]).await?;
        self.cdp("Emulation.setUserAgentOverride", json!({"userAgent": ua, "acceptLanguage": tags})).await
    }

    /// Sets a form field's value as a person would have typed it.
    pub async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        let script = "document.querySelector(arguments[0]).value = arguments[1];";
        self.client.execute(script, vec![json!(css), json!(value)]).await?;
        Ok(())
    }

    /// Shows an HTML document (an email's HTML part, as a mail client would).
    pub async fn show_html(&self, html: &str) -> Result<()> {
        let encoded: String = html
            .bytes()
            .map(|c| if c.is_ascii_alphanumeric() { (c as char).to_string() } else { format!("%{c:02X}") })
            .collect();
        self.goto(&format!("data:text/html;charset=utf-8,{encoded}")).await
    }

    /// One DevTools command through ChromeDriver's passthrough: WebDriver itself has no word
    /// for device metrics, colour schemes or languages.
    async fn cdp(&self, cmd: &str, params: serde_json::Value) -> Result<()> {
        let body = json!({"cmd": cmd, "params": params}).to_string();
        let (addr, path) =
            (self.url.trim_start_matches("http://").to_string(), format!("/session/{}/goog/cdp/execute", self.session));
        let reply = tokio::task::spawn_blocking(move || driver_request(&addr, "POST", &path, &body)).await??;
        if !reply.starts_with("HTTP/1.1 200") {
            bail!("ChromeDriver refused {cmd}: {reply}");
        }
        Ok(())
    }

    /// axe-core's WCAG 2.2 A and AA rules over the page as it is now: each violation as axe
    /// reports it (id, impact, help, and the nodes with their failure summary).
    pub async fn axe(&self) -> Result<Vec<serde_json::Value>> {
        let path = morale_localstack::server::project_root().join("infra/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path).with_context(|| {
            format!("{} (make tools installs axe-core, pinned in infra/package.json)", path.display())
        })?;
        self.client.execute(&source, vec![]).await?;
        let run = r#"
            const done = arguments[arguments.length - 1];
            const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
            axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
               .then(r => done(JSON.stringify(r.violations)))
               .catch(e => done(JSON.stringify([{ id: "axe-failed", help: String(e), nodes: [] }])));
        "#;
        let out = self.client.execute_async(run, vec![]).await?;
        let text = out.as_str().context("axe answers a JSON string")?;
        Ok(serde_json::from_str(text)?)
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
        let _ = std::thread::spawn(move || driver_request(&addr, "DELETE", &path, "")).join();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One plain HTTP/1.1 request to ChromeDriver on loopback, blocking: for what fantoccini has no
/// call for, and for `Drop`, which cannot await. The reply's head and body, read to its
/// Content-Length whether or not the connection closes.
fn driver_request(addr: &str, method: &str, path: &str, body: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let (mut out, mut buf) = (Vec::new(), [0u8; 4096]);
    loop {
        let n = s.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&out);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if out.len() >= head_end + 4 + length {
                break;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
