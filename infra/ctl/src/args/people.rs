//! The arguments of `team`, `quiet` and `member`.

use clap::{Args, Subcommand};
use morale::domain::{EmailAddress, LocalTime, Locale, Member, SendDate, TeamId, TimeZone, Workdays};

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
        /// The member's name, used in the greeting (at most 100 characters).
        #[arg(long, value_parser = Member::parse_name)]
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
