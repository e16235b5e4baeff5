//! Logging: structured JSON lines (CloudWatch Logs Insights reads them), no ANSI colours.

/// Initialises JSON logging once. `RUST_LOG` (or `AWS_LAMBDA_LOG_LEVEL`) sets the level;
/// the default is `info`.
pub fn init() {
    use tracing_subscriber::EnvFilter;
    let filter = std::env::var("RUST_LOG")
        .or_else(|_| std::env::var("AWS_LAMBDA_LOG_LEVEL").map(|l| l.to_lowercase()))
        .unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(EnvFilter::new(filter))
        .with_current_span(false)
        .with_ansi(false)
        .without_time() // Lambda stamps every line itself.
        .with_target(false)
        .try_init();
}
