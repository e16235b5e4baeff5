//! An HTTP client for the loopback servers of the local stack (reqwest): for what SDKs never
//! send (malformed bodies), control APIs (`/_faults`, `/_ses-local`), and pages.

/// An HTTP answer, read to the end.
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

/// One request to `url` + `path`; an error if the server cannot be reached or does not answer
/// within a minute.
pub async fn try_http(
    url: &str,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> reqwest::Result<HttpReply> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client")
    });
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
    let url = format!("{}{path}", url.trim_end_matches('/'));
    let resp = client.request(method, url).header("content-type", content_type).body(body.to_string()).send().await?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    Ok(HttpReply { status, headers, body: resp.text().await? })
}

/// The same, for tests and the demo, where a server that does not answer is a bug.
pub async fn http(url: &str, method: &str, path: &str, content_type: &str, body: &str) -> HttpReply {
    try_http(url, method, path, content_type, body).await.unwrap_or_else(|e| panic!("{method} {url}{path}: {e}"))
}
