//! The arguments of the operators' other commands: faults, test email, verify, outbox,
//! suppressions and the sending pause.

use clap::{Args, Subcommand};
use morale::domain::{EmailAddress, SendDate, TeamId};

#[derive(Subcommand)]
pub enum FaultsCmd {
    /// Each proxy's plan, and the requests it has seen and hit per operation.
    Show,
    /// Replaces a proxy's plan with one rule (or a whole plan from a JSON file).
    #[command(
        after_help = "Examples:\n  moralectl --local faults set dynamodb --operations PutItem,UpdateItem --share 0.3 --error InternalServerError\n  moralectl --local faults set dynamodb --operations UpdateItem --body-contains '\"S\":\"sending\"' --lose-answer --limit 3\n  moralectl --local faults set moto --operations Publish --share 1 --error ThrottlingException"
    )]
    Set(FaultsSet),
    /// No more faults (the counts start again).
    Clear {
        /// dynamodb or moto; both when omitted.
        proxy: Option<FaultProxyName>,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum FaultProxyName {
    /// In front of DynamoDB Local (--dynamodb-endpoint).
    Dynamodb,
    /// In front of moto: SNS, SQS, EventBridge (--endpoint).
    Moto,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("fault").required(true).args(["error", "latency_ms", "lose_answer", "slow_answer_ms", "stale_answer", "plan"])))]
pub struct FaultsSet {
    pub proxy: FaultProxyName,
    /// Operations hit (PutItem, UpdateItem, Query, Publish, PutEvents, …); every one when omitted.
    #[arg(long, value_delimiter = ',')]
    pub operations: Vec<String>,
    /// The share of matching requests hit, 0 to 1.
    #[arg(long, default_value_t = 1.0)]
    pub share: f64,
    /// Only requests whose body contains this text.
    #[arg(long)]
    pub body_contains: Option<String>,
    /// Hit at most this many requests.
    #[arg(long)]
    pub limit: Option<u64>,
    /// Answer with this AWS error: InternalServerError, ThrottlingException,
    /// ProvisionedThroughputExceededException, RequestLimitExceeded, or (for a DynamoDB
    /// transaction) TransactionConflict.
    #[arg(long)]
    pub error: Option<String>,
    /// Forward after this many milliseconds.
    #[arg(long)]
    pub latency_ms: Option<u64>,
    /// Forward, then break the answer: the write is applied, the caller does not know.
    #[arg(long)]
    pub lose_answer: bool,
    /// Forward, then hold the answer this many milliseconds.
    #[arg(long)]
    pub slow_answer_ms: Option<u64>,
    /// Answer as the first request hit was answered: an index that has not caught up.
    #[arg(long)]
    pub stale_answer: bool,
    /// A whole plan: a JSON file as `GET /_faults` shows it under "plan".
    #[arg(long)]
    pub plan: Option<std::path::PathBuf>,
    /// The seed of the draws.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args)]
pub struct TestEmail {
    #[arg(value_parser = EmailAddress::parse)]
    pub to: EmailAddress,
    /// The From header (default: the sender's, MORALE_FROM_ADDRESS).
    #[arg(long, env = "MORALE_FROM_ADDRESS")]
    pub from: Option<String>,
    /// Seconds to wait for the SES event.
    #[arg(long, default_value_t = 120)]
    pub timeout: u64,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The From header of the test email (default: the sender's, MORALE_FROM_ADDRESS).
    #[arg(long, env = "MORALE_FROM_ADDRESS")]
    pub from: Option<String>,
    /// The alert topic (the stack's AlertTopicArn output); the local stack's is found by name.
    #[arg(long, env = "MORALE_ALERT_TOPIC")]
    pub alert_topic: Option<String>,
    /// The alarm to set to ALARM by hand (the stack's VerifyAlarmName output).
    #[arg(long, env = "MORALE_VERIFY_ALARM")]
    pub alarm: Option<String>,
    /// Seconds to wait for each event and notification.
    #[arg(long, default_value_t = 120)]
    pub timeout: u64,
}

#[derive(Args)]
pub struct OutboxArgs {
    /// Only this team (default: every team).
    #[arg(long, value_parser = TeamId::parse)]
    pub team: Option<TeamId>,
    /// Only this local date (default: every date).
    #[arg(long, value_parser = SendDate::parse)]
    pub date: Option<SendDate>,
    /// List the failed emails with their reasons.
    #[arg(long)]
    pub failed: bool,
}

#[derive(Subcommand)]
pub enum SuppressionsCmd {
    /// Members who bounced or complained.
    List {
        #[arg(long, value_parser = TeamId::parse)]
        team: Option<TeamId>,
    },
    /// Email a bounced member again (after the address was fixed). A member who complained
    /// needs --they-asked-for-it: they reported the email as spam.
    Remove {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(value_parser = EmailAddress::parse)]
        email: EmailAddress,
        #[arg(long)]
        they_asked_for_it: bool,
    },
}

#[derive(Subcommand)]
pub enum PauseCmd {
    /// Whether sending is paused, and why.
    Show,
    /// Lift the reputation guard's pause (after fixing the member lists).
    Lift,
}
