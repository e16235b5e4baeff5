//! `moralectl`: operate Morale, on AWS or against the local stack.

mod commands;
mod conn;
mod csv_import;
mod demo;
mod output;
mod stack;

use clap::{Args, Parser, Subcommand};
use morale::domain::{EmailAddress, LocalTime, Locale, SendDate, TeamId, TimeZone, Workdays};

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
#[command(group(clap::ArgGroup::new("fault").required(true).args(["error", "latency_ms", "lose_answer", "slow_answer_ms", "plan"])))]
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
    /// ProvisionedThroughputExceededException or RequestLimitExceeded.
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
    /// A whole plan: a JSON file as `GET /_faults` shows it under "plan".
    #[arg(long)]
    pub plan: Option<std::path::PathBuf>,
    /// The seed of the draws.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Subcommand)]
pub enum TeamCmd {
    /// Create a team.
    #[command(
        after_help = "Example:\n  moralectl team create platform --name Platform --zone Europe/London --time 09:30 --workdays mon-fri --admin lead@example.com"
    )]
    Create(TeamCreate),
    /// List every team with its next send time.
    List,
    /// Show one team.
    Show {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
    },
    /// Change a team's name, zone, send time, workdays, admins, or how many voters its figures need.
    #[command(
        after_help = "Examples:\n  moralectl team update platform --time 10:00 --workdays mon-thu\n  moralectl team update platform --min-voters 4 --min-commenters 6"
    )]
    Update(TeamUpdate),
    /// Pause a team's emails (--resume to start again from the next workday).
    Pause {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(long)]
        resume: bool,
    },
    /// A team's days off: no email on them, and none counted as missed.
    #[command(
        subcommand,
        after_help = "Examples:\n  moralectl team quiet add platform 2026-12-24 2026-12-31\n  moralectl team quiet add platform 2026-12-24..2027-01-01\n  moralectl team quiet remove platform 2026-12-31\n  moralectl team quiet list platform"
    )]
    Quiet(QuietCmd),
    /// Revoke every trend link sent to one admin until now (a lost or forwarded email).
    #[command(after_help = "Example:\n  moralectl team revoke-links platform --admin lead@example.com")]
    RevokeLinks {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(long, value_parser = EmailAddress::parse)]
        admin: EmailAddress,
    },
    /// Delete a team (its members must be removed first; answers are kept).
    Delete {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
    },
    /// A sealed link to the team's trend page, for one of its admins (valid for 14 days).
    #[command(
        after_help = "Example:\n  MORALE_API_BASE_URL=https://abc.execute-api.eu-west-1.amazonaws.com moralectl team link platform --admin lead@example.com"
    )]
    Link {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(long, value_parser = EmailAddress::parse)]
        admin: EmailAddress,
        /// The response API's URL (the stack's ApiUrl output).
        #[arg(long, env = "MORALE_API_BASE_URL")]
        api: String,
    },
}

#[derive(Subcommand)]
pub enum QuietCmd {
    /// Take days off: each a date (2026-12-24) or an inclusive range (2026-12-24..2027-01-01), in the team's own calendar.
    Add {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(required = true, value_parser = QuietSpec::parse)]
        days: Vec<QuietSpec>,
    },
    /// Give days back: the emails of those days go out again.
    Remove {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(required = true, value_parser = QuietSpec::parse)]
        days: Vec<QuietSpec>,
    },
    /// The team's quiet days from today on.
    List {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
    },
}

/// One argument of `team quiet`: a date, or the dates of a range.
#[derive(Debug, Clone)]
pub struct QuietSpec(pub Vec<SendDate>);

impl QuietSpec {
    fn parse(s: &str) -> Result<Self, morale::domain::ParseError> {
        morale::domain::QuietDays::parse_spec(s).map(Self)
    }
}

/// A member's language: one of their own, or (`team`) the team's.
#[derive(Debug, Clone, Copy)]
pub struct MemberLocale(pub Option<Locale>);

fn parse_member_locale(s: &str) -> Result<MemberLocale, morale::domain::ParseError> {
    if s.trim().eq_ignore_ascii_case("team") {
        return Ok(MemberLocale(None));
    }
    Locale::parse(s).map(|l| MemberLocale(Some(l)))
}

#[derive(Args)]
pub struct TeamCreate {
    /// The team's id: lowercase letters, digits and '-', e.g. platform.
    #[arg(value_parser = TeamId::parse)]
    pub id: TeamId,
    /// A display name; defaults to the id.
    #[arg(long)]
    pub name: Option<String>,
    /// IANA time zone of the team, e.g. Europe/London.
    #[arg(long, value_parser = TimeZone::parse)]
    pub zone: TimeZone,
    /// Local send time, HH:MM (23:45 at the latest).
    #[arg(long, value_parser = LocalTime::parse_send_time, default_value = "09:30")]
    pub time: LocalTime,
    /// Days the team works, e.g. mon-fri or sun-thu.
    #[arg(long, value_parser = Workdays::parse, default_value = "mon-fri")]
    pub workdays: Workdays,
    /// An admin's email address (repeat for several): they get delivery-problem digests.
    #[arg(long = "admin", value_parser = EmailAddress::parse)]
    pub admins: Vec<EmailAddress>,
    /// The admins' weekly digest: one of the team's workdays and a time, e.g. "mon 09:00".
    #[arg(long)]
    pub digest: Option<String>,
    /// The language of its emails and pages: en, de, fr, es, pt-BR or ja.
    #[arg(long, value_parser = Locale::parse, default_value = "en")]
    pub locale: Locale,
}

#[derive(Args)]
pub struct TeamUpdate {
    #[arg(value_parser = TeamId::parse)]
    pub id: TeamId,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_parser = TimeZone::parse)]
    pub zone: Option<TimeZone>,
    #[arg(long, value_parser = LocalTime::parse_send_time)]
    pub time: Option<LocalTime>,
    #[arg(long, value_parser = Workdays::parse)]
    pub workdays: Option<Workdays>,
    /// Replace the admins (repeat for several).
    #[arg(long = "admin", value_parser = EmailAddress::parse)]
    pub admins: Vec<EmailAddress>,
    /// The admins' weekly digest, e.g. "mon 09:00"; "off" for none.
    #[arg(long)]
    pub digest: Option<String>,
    /// Voters a day needs before its figures are kept (at least 3, the default).
    #[arg(long)]
    pub min_voters: Option<u32>,
    /// Voters a day needs before its comments are kept (at least 5, the default).
    #[arg(long)]
    pub min_commenters: Option<u32>,
    /// The language of its emails and pages: en, de, fr, es, pt-BR or ja.
    #[arg(long, value_parser = Locale::parse)]
    pub locale: Option<Locale>,
}

#[derive(Subcommand)]
pub enum MemberCmd {
    /// Add one member.
    Add {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(value_parser = EmailAddress::parse)]
        email: EmailAddress,
        /// The member's name, used in the greeting.
        #[arg(long)]
        name: Option<String>,
        /// The member's own language, over the team's: en, de, fr, es, pt-BR or ja.
        #[arg(long, value_parser = Locale::parse)]
        locale: Option<Locale>,
    },
    /// Set a member's own language ("team": the team's again).
    Locale {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(value_parser = EmailAddress::parse)]
        email: EmailAddress,
        #[arg(value_parser = parse_member_locale)]
        locale: MemberLocale,
    },
    /// Import members from a CSV file (header: email,name,locale; name and locale optional). Every row is checked first; if any
    /// is bad, each bad row is reported with its line number and nothing is imported.
    Import {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        file: std::path::PathBuf,
    },
    /// List a team's members and their status.
    List {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
    },
    /// Stop emailing a member for now.
    Pause {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(value_parser = EmailAddress::parse)]
        email: EmailAddress,
    },
    /// End a member's own pause ("I'm away until …") now: their email comes again from the next send.
    Back {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(value_parser = EmailAddress::parse)]
        email: EmailAddress,
    },
    /// Email a paused member again.
    Resume {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(value_parser = EmailAddress::parse)]
        email: EmailAddress,
    },
    /// Remove a member from a team (their past answers stay, anonymous).
    Remove {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(value_parser = EmailAddress::parse)]
        email: EmailAddress,
    },
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

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = commands::run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(match e.downcast_ref::<commands::NotReady>() {
            Some(_) => 1,
            None => 2,
        });
    }
}
