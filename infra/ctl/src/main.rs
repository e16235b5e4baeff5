//! `moralectl`: operate Morale, on AWS or against the local stack.

mod demo;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use morale::clock::{Clock, SystemClock};
use morale::domain::{EmailAddress, LocalTime, Schedule, TeamId, TimeZone, Workdays};
use morale::model::{Member, Team};
use morale::store::{DynamoStore, Store, TABLE_ENV};

const EXAMPLES: &str = "\
Examples:
  # Create a team that gets its email at 09:30 London time, Monday to Friday
  moralectl team create platform --name \"Platform\" --zone Europe/London --time 09:30 --workdays mon-fri --admin lead@example.com

  # Add a member, list the team
  moralectl member add platform ana@example.com --name \"Ana\"
  moralectl member list platform

  # The same against the local stack (moto) instead of AWS
  moralectl --local --endpoint http://127.0.0.1:5000 --table morale team list

  # The local demo: start a local stack, seed a team, show its next send time
  moralectl demo

On AWS, moralectl uses the normal credential chain and region (AWS_PROFILE, AWS_REGION, ...)
and the table named by --table or MORALE_TABLE (the stack's TableName output).";

#[derive(Parser)]
#[command(name = "moralectl", version, about = "Operate Morale: teams, members and the local stack", after_help = EXAMPLES)]
struct Cli {
    /// Talk to the local stack instead of AWS (moto at --endpoint or MORALE_MOTO_URL).
    #[arg(long, global = true)]
    local: bool,
    /// The local stack's address, e.g. http://127.0.0.1:5000.
    #[arg(long, global = true, env = "MORALE_MOTO_URL")]
    endpoint: Option<String>,
    /// The DynamoDB table (the stack's TableName output).
    #[arg(long, global = true, env = TABLE_ENV)]
    table: Option<String>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create, list and show teams.
    #[command(subcommand)]
    Team(TeamCmd),
    /// Add and list a team's members.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Run the local demo: a throwaway local stack with a seeded team. Needs `make tools`.
    Demo,
}

#[derive(Subcommand)]
enum TeamCmd {
    /// Create a team.
    #[command(
        after_help = "Example:\n  moralectl team create platform --name Platform --zone Europe/London --time 09:30 --workdays mon-fri --admin lead@example.com"
    )]
    Create(TeamCreate),
    /// List every team with its next send time.
    List,
    /// Show one team.
    Show {
        /// The team's id, e.g. platform.
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
    },
}

#[derive(Args)]
struct TeamCreate {
    /// The team's id: lowercase letters, digits and '-', e.g. platform.
    #[arg(value_parser = TeamId::parse)]
    id: TeamId,
    /// A display name; defaults to the id.
    #[arg(long)]
    name: Option<String>,
    /// IANA time zone of the team, e.g. Europe/London.
    #[arg(long, value_parser = TimeZone::parse)]
    zone: TimeZone,
    /// Local send time, HH:MM.
    #[arg(long, value_parser = LocalTime::parse, default_value = "09:30")]
    time: LocalTime,
    /// Days the team works, e.g. mon-fri or sun-thu.
    #[arg(long, value_parser = Workdays::parse, default_value = "mon-fri")]
    workdays: Workdays,
    /// An admin's email address (repeat for several): they get delivery problem reports.
    #[arg(long = "admin", value_parser = EmailAddress::parse)]
    admins: Vec<EmailAddress>,
}

#[derive(Subcommand)]
enum MemberCmd {
    /// Add one member to a team.
    Add {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
        #[arg(value_parser = EmailAddress::parse)]
        email: EmailAddress,
        /// The member's name, used in the greeting.
        #[arg(long)]
        name: Option<String>,
    },
    /// List a team's members and their status.
    List {
        #[arg(value_parser = TeamId::parse)]
        team: TeamId,
    },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    if let Cmd::Demo = cli.cmd {
        return demo::run().await;
    }
    let store = connect(&cli).await?;
    let clock = SystemClock;
    match cli.cmd {
        Cmd::Team(TeamCmd::Create(c)) => {
            let team = Team::new(
                c.id.clone(),
                c.name.unwrap_or_else(|| c.id.to_string()),
                Schedule::new(c.zone, c.time, c.workdays),
                c.admins,
                clock.now(),
            );
            store.create_team(&team).await.with_context(|| format!("could not create team {}", team.id))?;
            print_team(&team, cli.json);
        }
        Cmd::Team(TeamCmd::List) => {
            let teams = store.list_teams().await?;
            if cli.json {
                println!("{}", serde_json::Value::Array(teams.iter().map(team_json).collect()));
            } else if teams.is_empty() {
                println!("No teams yet. Create one with: moralectl team create <id> --zone <IANA zone>");
            } else {
                for t in &teams {
                    println!("{:<24} {:<28} next send {}", t.id, t.name, next_send_text(t));
                }
            }
        }
        Cmd::Team(TeamCmd::Show { team }) => {
            let t = store
                .get_team(&team)
                .await?
                .with_context(|| format!("there is no team {team}: see `moralectl team list`"))?;
            print_team(&t, cli.json);
        }
        Cmd::Member(MemberCmd::Add { team, email, name }) => {
            if store.get_team(&team).await?.is_none() {
                bail!(
                    "there is no team {team}: create it first with `moralectl team create {team} --zone <IANA zone>`"
                );
            }
            let m = Member::new(team, email, name, clock.now());
            store.add_member(&m).await?;
            if cli.json {
                println!("{}", member_json(&m));
            } else {
                println!("Added {} to {} (member id {})", m.email, m.team, m.id);
            }
        }
        Cmd::Member(MemberCmd::List { team }) => {
            let members = store.list_members(&team).await?;
            if cli.json {
                println!("{}", serde_json::Value::Array(members.iter().map(member_json).collect()));
            } else {
                for m in &members {
                    println!("{:<22} {:<36} {}", m.id, m.email, m.status);
                }
                println!("{} member(s)", members.len());
            }
        }
        Cmd::Demo => unreachable!(),
    }
    Ok(())
}

async fn connect(cli: &Cli) -> Result<DynamoStore> {
    let table = cli
        .table
        .clone()
        .context("which table? Give --table or set MORALE_TABLE (the TableName output of the deployed stack)")?;
    let config = if cli.local {
        let endpoint = cli.endpoint.as_deref().context("--local needs --endpoint or MORALE_MOTO_URL")?;
        morale_localstack::sdk_config(endpoint).await
    } else {
        morale::aws::load().await
    };
    Ok(DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), table))
}

pub(crate) fn next_send_text(t: &Team) -> String {
    match t.next_send_at {
        None => "paused".into(),
        Some(at) => {
            let local = at.to_zoned_datetime(t.schedule.zone.jiff().clone());
            format!(
                "{} ({}) = {} UTC",
                local.strftime("%a %Y-%m-%d %H:%M %Z"),
                t.schedule.zone,
                at.strftime("%Y-%m-%d %H:%M")
            )
        }
    }
}

pub(crate) fn print_team(t: &Team, json: bool) {
    if json {
        println!("{}", team_json(t));
        return;
    }
    println!("Team {} — {}", t.id, t.name);
    println!("  zone       {}", t.schedule.zone);
    println!("  send time  {} on {}", t.schedule.time, t.schedule.workdays);
    println!("  next send  {}", next_send_text(t));
    let admins: Vec<&str> = t.admins.iter().map(EmailAddress::as_str).collect();
    println!("  admins     {}", if admins.is_empty() { "(none)".into() } else { admins.join(", ") });
}

fn team_json(t: &Team) -> serde_json::Value {
    serde_json::json!({
        "id": t.id, "name": t.name, "zone": t.schedule.zone, "send_time": t.schedule.time,
        "workdays": t.schedule.workdays, "admins": t.admins,
        "next_send_at": t.next_send_at.map(|n| n.to_string()),
        "next_send_local": t.next_send_at.map(|n| n.to_zoned_datetime(t.schedule.zone.jiff().clone()).to_string()),
    })
}

fn member_json(m: &Member) -> serde_json::Value {
    serde_json::json!({ "team": m.team, "id": m.id, "email": m.email, "name": m.name, "status": m.status.as_str() })
}
