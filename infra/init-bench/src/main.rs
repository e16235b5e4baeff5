//! Init time of Lambda binaries: from process start until the binary asks the Runtime API
//! for its first event, measured against a stand-in for the Runtime API on 127.0.0.1.
//!
//! init-bench <runs> <name>=<path to bootstrap> ...
//!
//! Each binary is started `runs` times, one at a time, with the environment Lambda gives a
//! function (and Morale's configuration, pointing every AWS endpoint at the stand-in, so that
//! nothing leaves the machine). Prints the median and the 90th percentile per binary.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).expect("usage: init-bench <runs> <name>=<path>...");
    let bins: Vec<(String, String)> = args
        .map(|a| {
            let (n, p) = a.split_once('=').expect("name=path");
            (n.to_string(), p.to_string())
        })
        .collect();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let api = listener.local_addr().unwrap().to_string();
    println!("| binary | median init | p90 init | runs |");
    println!("| --- | --- | --- | --- |");
    for (name, path) in &bins {
        let mut times = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            let mut child = Command::new(path)
                .envs(lambda_env(&api))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("start {path}: {e}"));
            // The functions warm their AWS connection alongside init; those requests (to the
            // same stand-in, as AWS_ENDPOINT_URL) get a quick 400. The first request for an
            // event ends init.
            let took = loop {
                let (mut stream, _) = listener.accept().unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut line = String::new();
                BufReader::new(&stream).read_line(&mut line).unwrap();
                if line.contains("/runtime/invocation/next") {
                    break start.elapsed();
                }
                let _ = std::io::Write::write_all(
                    &mut stream,
                    b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            };
            times.push(took);
            let _ = child.kill();
            let _ = child.wait();
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!("| {name} | {:.2} ms | {:.2} ms | {runs} |", ms(times[runs / 2]), ms(times[runs * 9 / 10]));
    }
}

fn lambda_env(api: &str) -> Vec<(&'static str, String)> {
    use morale::config::env;
    let endpoint = format!("http://{api}");
    vec![
        ("AWS_LAMBDA_RUNTIME_API", api.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", "bench".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "1".into()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "bench".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "bench".into()),
        ("AWS_SECRET_ACCESS_KEY", "bench".into()),
        ("AWS_SESSION_TOKEN", "bench".into()),
        ("AWS_ENDPOINT_URL", endpoint),
        (env::TABLE, "bench".into()),
        (env::SENDER_IDENTITY, "morale.example".into()),
        (env::FROM_ADDRESS, "Morale <noreply@morale.example>".into()),
        (env::CONFIGURATION_SET, "morale".into()),
        (env::ALERT_TOPIC_ARN, "arn:aws:sns:us-east-1:123456789012:alerts".into()),
        (env::API_BASE_URL, "https://api.morale.example".into()),
        // The development keys stand in for the SSM parameter: the SSM call is one round trip
        // that this stand-in cannot answer.
        (env::TOKEN_KEYS, morale::token::DEVELOPMENT_KEYS.into()),
        (env::VOTER_KEY, morale::voter::DEVELOPMENT_VOTER_KEY.into()),
    ]
}
