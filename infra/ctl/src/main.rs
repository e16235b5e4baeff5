//! `moralectl`: operate Morale, on AWS or against the local stack.

mod args;
mod commands;
mod conn;
mod csv_import;
mod demo;
mod output;
mod stack;

pub use args::*;
use clap::{Parser, Subcommand};
use morale::domain::{SendDate, TeamId};

const EXAMPLES: &str = "\
Examples:
  # Is SES ready to send? (identity verified with DKIM, account sending, quota, configuration set)
  moralectl preflight --identity morale.example.com --configuration-set morale-mail

  # A team that gets its email at 09:30 London time, Monday to Friday, and its members
  moralectl team create platform --name Platform --zone Europe/London --time 09:30 --admin lead@example.com
  moralectl member import platform members.csv        # CSV: email,name (name optional)
  moralectl member list platform

  # What is in the outbox today, and replaying what failed once the cause is fixed
  moralectl outbox --team platform
  moralectl replay --team platform --date 2026-11-24

  # The coming send windows: the busy times not to deploy or change SES settings in
  moralectl schedule --next

  # The local stack instead of AWS
  make demo          # everything, end to end, then stops
  make dev           # the same stack, staying up: open the inbox page and click the answers

Against AWS, moralectl uses the normal credential chain and region (AWS_PROFILE, AWS_REGION)
and the table named by --table or MORALE_TABLE (the stack's TableName output). With --local it
talks to DynamoDB Local at --dynamodb-endpoint (MORALE_DYNAMODB_URL), moto at --endpoint
(MORALE_MOTO_URL) and ses-local at --ses-endpoint (MORALE_SES_URL).";

#[derive(Parser)]
#[command(name = "moralectl", version, about = "Operate Morale: teams, members, preflight, verify, outbox, ledger, replay, the local stack", after_help = EXAMPLES)]
pub struct Cli {
    /// Talk to the local stack (DynamoDB Local, moto and ses-local) instead of AWS.
    #[arg(long, global = true)]
    pub local: bool,
    /// The local stack's moto address (SNS, SQS, EventBridge), e.g. http://127.0.0.1:5000.
    #[arg(long, global = true, env = "MORALE_MOTO_URL", hide_env_values = true)]
    pub endpoint: Option<String>,
    /// The local stack's DynamoDB address (DynamoDB Local, or its fault proxy).
    #[arg(long, global = true, env = "MORALE_DYNAMODB_URL", hide_env_values = true)]
    pub dynamodb_endpoint: Option<String>,
    /// The local stack's ses-local address.
    #[arg(long, global = true, env = "MORALE_SES_URL", hide_env_values = true)]
    pub ses_endpoint: Option<String>,
    /// The DynamoDB table (the stack's TableName output).
    #[arg(long, global = true, env = "MORALE_TABLE")]
    pub table: Option<String>,
    /// The SES sending identity (domain or address) the sender checks.
    #[arg(long, global = true, env = "MORALE_SENDER_IDENTITY")]
    pub identity: Option<String>,
    /// The SES configuration set that publishes Morale's mail events.
    #[arg(long, global = true, env = "MORALE_CONFIGURATION_SET")]
    pub configuration_set: Option<String>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Create, change, pause and delete teams.
    #[command(subcommand)]
    Team(TeamCmd),
    /// Add, import, pause and remove a team's members.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Check that SES can send: identity verified for sending, DKIM, MAIL FROM, account
    /// sending, quota, configuration set and its event destination. Exits 1 when not ready.
    Preflight,
    /// Send a test email through the same path as the daily email, and wait for its SES event.
    #[command(
        name = "test-email",
        after_help = "Example:\n  moralectl test-email you@example.com --from \"Morale <morale@morale.example.com>\""
    )]
    TestEmail(TestEmail),
    /// After every deploy: every link of the chain, or exit 1 naming the one that broke —
    /// preflight; the daily email's path to SES's mailbox simulator and its Delivery back
    /// through EventBridge and the bounce handler into the table; the alert topic's confirmed
    /// subscribers, an alert, and (on AWS) an alarm set to ALARM notifying through the topic.
    #[command(
        after_help = "Examples:\n  moralectl verify --alert-topic <AlertTopicArn> --alarm <VerifyAlarmName>\n  moralectl --local verify          # against `make dev`'s stack"
    )]
    Verify(VerifyArgs),
    /// The outbox: counts by status, the oldest pending email, failures with their reasons.
    Outbox(OutboxArgs),
    /// Re-queue a team's failed emails for a date (after fixing the cause).
    Replay {
        #[arg(long, value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(long, value_parser = SendDate::parse)]
        date: SendDate,
    },
    /// Members who bounced or complained, and lifting a suppression.
    #[command(subcommand)]
    Suppressions(SuppressionsCmd),
    /// The reputation guard's sending pause.
    #[command(subcommand)]
    Pause(PauseCmd),
    /// A team's daily mean, answer distribution and participation (days with fewer than 3
    /// voters show no figures).
    Trends {
        #[arg(long, value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=366))]
        days: u16,
    },
    /// Each team's days by how their daily emails ended: scheduled, delivered, bounced, failed
    /// (by reason), suppressed, unconfirmed, skipped, missed, and unaccounted (which must be 0).
    /// A day's ledger closes a few hours after its local day ends; an open day is shown as it
    /// stands, and one the sender should have closed long ago as `overdue`. Exits 1 if a closed
    /// or overdue day has unaccounted emails.
    #[command(
        after_help = "Examples:\n  moralectl ledger                     # every team, the last 7 days\n  moralectl ledger --team platform --date 2026-11-30 --json"
    )]
    Ledger {
        #[arg(long, value_parser = TeamId::parse)]
        team: Option<TeamId>,
        /// One local date (default: the last 7 days).
        #[arg(long, value_parser = SendDate::parse)]
        date: Option<SendDate>,
    },
    /// The coming send windows, team by team, in UTC and local time.
    Schedule {
        /// Show the sends of the next N days (default 1).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=31))]
        next: u16,
    },
    /// The local stack's fault proxies (`make dev` puts one in front of DynamoDB Local and one
    /// in front of moto): make AWS calls fail, slow down or lose their answers.
    #[command(subcommand)]
    Faults(FaultsCmd),
    /// The month's AWS bill at us-east-1 list prices, from the cost model: the part per email
    /// as the scale harness measured it, the fixed part from the template (BENCHMARKS.md).
    #[command(
        after_help = "Examples:\n  moralectl cost                           # 100, 1,000, 100,000 and 1,000,000 members\n  moralectl cost --members 250 --rate 14"
    )]
    Cost {
        /// Members (repeat for several columns).
        #[arg(long, default_values_t = [100u64, 1_000, 100_000, 1_000_000], value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        members: Vec<u64>,
        /// The SES account's MaxSendRate (the sender is billed while it paces to it).
        #[arg(long, default_value_t = 14.0)]
        rate: f64,
    },
    /// The local demo: a throwaway local stack, a seeded team, a tick, events, answers, a report.
    Demo,
    /// The local stack for a person: stays up, ticks every minute; Ctrl-C stops everything.
    Dev {
        /// Seconds between ticks.
        #[arg(long, default_value_t = 60)]
        tick_every: u64,
    },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = commands::run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(match e.downcast_ref::<commands::Verdict>() {
            Some(_) => 1,
            None => 2,
        });
    }
}
