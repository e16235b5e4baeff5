//! `ses-local`: run the local SESv2 on a loopback port until Ctrl-C.

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "ses-local",
    version,
    about = "A local SESv2 for development and tests: the real SDKs work against it unchanged",
    after_help = "Examples:\n  ses-local --port 0 --identity morale.example --configuration-set morale --eventbridge-endpoint http://127.0.0.1:5000\n  AWS_ENDPOINT_URL_SESV2=http://127.0.0.1:<port> aws sesv2 get-account\n\nThe inbox: http://127.0.0.1:<port>/_ses-local/inbox"
)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one (printed on the first line).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The local stack's EventBridge (moto) to publish SES events to.
    #[arg(long, env = "MORALE_MOTO_URL")]
    eventbridge_endpoint: Option<String>,
    /// Account sending rate, recipients per second.
    #[arg(long, default_value_t = 14.0)]
    max_send_rate: f64,
    /// Account quota, recipients per 24 hours.
    #[arg(long, default_value_t = 50_000.0)]
    max_24_hour_send: f64,
    /// New identities start verified instead of pending.
    #[arg(long)]
    verify_new_identities: bool,
    /// Sandbox mode: recipients must be verified identities too.
    #[arg(long)]
    sandbox: bool,
    /// A verified identity (domain or address) that exists from the start; repeatable.
    #[arg(long = "identity")]
    identities: Vec<String>,
    /// A configuration set with an EventBridge destination (default bus) from the start; repeatable.
    #[arg(long = "configuration-set")]
    configuration_sets: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false).init();
    let a = Args::parse();
    let server = ses_local::SesLocal::start(ses_local::Config {
        port: a.port,
        eventbridge_endpoint: a.eventbridge_endpoint,
        account: ses_local::Account {
            max_send_rate: a.max_send_rate,
            max_24_hour_send: a.max_24_hour_send,
            production_access: !a.sandbox,
            ..Default::default()
        },
        verify_new_identities: a.verify_new_identities,
        identities: a.identities,
        configuration_sets: a.configuration_sets,
    })
    .await?;
    println!("ses-local listening on {}", server.url());
    eprintln!("inbox: {}/_ses-local/inbox", server.url());
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    server.stop().await;
    Ok(())
}
