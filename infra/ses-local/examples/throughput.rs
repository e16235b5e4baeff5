//! Throughput of ses-local's SendEmail on loopback, with no latency injected.
//!
//! cargo run --profile perf -p ses-local --example throughput -- [requests] [connections]
//!
//! Starts ses-local in-process (one runtime) and drives it from a second runtime over
//! keep-alive HTTP/1.1 connections with a pre-built SendEmail request, so that the client's
//! own cost stays small. Prints the accepted SendEmail calls per second.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let connections: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);

    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = server_rt
        .block_on(ses_local::SesLocal::start(ses_local::Config {
            identities: vec!["morale.example".into()],
            account: ses_local::Account { max_send_rate: 1e12, max_24_hour_send: 1e12, ..Default::default() },
            ..Default::default()
        }))
        .unwrap();
    let addr = server.addr();

    let body = serde_json::json!({
        "FromEmailAddress": "Morale <noreply@morale.example>",
        "Destination": {"ToAddresses": ["ana@example.com"]},
        "Content": {"Simple": {
            "Subject": {"Data": "How do you feel about work today?"},
            "Body": {"Text": {"Data": "Pick one: 1 2 3 4 5"}, "Html": {"Data": "<p>Pick one</p>".repeat(40)}},
            "Headers": [{"Name": "List-Unsubscribe", "Value": "<https://api.example/u/token>"}]
        }},
        "EmailTags": [{"Name": "team", "Value": "platform"}, {"Name": "date", "Value": "2026-11-24"}]
    })
    .to_string();
    let request = Arc::new(format!(
        "POST /v2/email/outbound-emails HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));

    let client_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    client_rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (next, ok, request) = (next.clone(), ok.clone(), request.clone());
            tasks.push(tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                let mut buf = vec![0u8; 64 * 1024];
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    s.write_all(request.as_bytes()).await.unwrap();
                    // Read one response: headers, then Content-Length bytes of body.
                    let mut have = 0;
                    loop {
                        let n = s.read(&mut buf[have..]).await.unwrap();
                        assert!(n > 0, "server closed the connection");
                        have += n;
                        let text = &buf[..have];
                        if let Some(end) = text.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = std::str::from_utf8(&text[..end]).unwrap();
                            let len: usize = head
                                .lines()
                                .find_map(|l| {
                                    l.to_ascii_lowercase()
                                        .strip_prefix("content-length:")
                                        .map(|v| v.trim().parse().unwrap())
                                })
                                .unwrap_or(0);
                            if have >= end + 4 + len {
                                if head.starts_with("HTTP/1.1 200") {
                                    ok.fetch_add(1, Ordering::Relaxed);
                                }
                                break;
                            }
                        }
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    let elapsed = start.elapsed();
    let ok = ok.load(Ordering::Relaxed);
    let accepted = server.app().messages().len();
    println!("requests:    {requests} over {connections} connections");
    println!("accepted:    {ok} (ses-local holds {accepted} messages)");
    println!("elapsed:     {:.2} s", elapsed.as_secs_f64());
    println!("throughput:  {:.0} SendEmail/s", ok as f64 / elapsed.as_secs_f64());
    assert_eq!(ok, requests, "every request accepted");
    drop(server);
}
