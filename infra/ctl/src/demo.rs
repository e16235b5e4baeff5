//! The local demo: a throwaway local stack, the table from template.yaml, a seeded team.

use anyhow::{Context, Result};
use morale::clock::{Clock, SystemClock};
use morale::domain::{EmailAddress, LocalTime, Schedule, TeamId, TimeZone, Workdays};
use morale::model::{Member, Team};
use morale::store::{DynamoStore, Store};
use morale_localstack::{Moto, TableSchema};

const TABLE: &str = "morale-demo";

pub async fn run() -> Result<()> {
    println!("==> starting the local AWS stack (moto)");
    let moto = Moto::start()?;
    println!("    moto at {}", moto.url);
    let config = morale_localstack::sdk_config(&moto.url).await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    println!("==> creating table {TABLE} from template.yaml");
    TableSchema::from_template()?.create_table(&client, TABLE).await.context("create the demo table")?;
    let store = DynamoStore::new(client, TABLE);

    println!("==> seeding the demo team");
    let now = SystemClock.now();
    let team = Team::new(
        TeamId::parse("demo")?,
        "Demo team".into(),
        Schedule::new(TimeZone::parse("America/New_York")?, LocalTime::parse("15:00")?, Workdays::parse("mon-fri")?),
        vec![EmailAddress::parse("lead@example.com")?],
        now,
    );
    store.create_team(&team).await?;
    let members = [
        ("ana@example.com", "Ana"),
        ("bob@example.com", "Bob"),
        ("chen@example.com", "Chen"),
        ("success@simulator.amazonses.com", "Simulator: delivered"),
        ("bounce@simulator.amazonses.com", "Simulator: bounce"),
        ("complaint@simulator.amazonses.com", "Simulator: complaint"),
        ("ooto@simulator.amazonses.com", "Simulator: out of office"),
    ];
    for (email, name) in members {
        store.add_member(&Member::new(team.id.clone(), EmailAddress::parse(email)?, Some(name.into()), now)).await?;
    }

    let stored = store.get_team(&team.id).await?.context("the demo team was stored")?;
    println!();
    crate::print_team(&stored, false);
    println!("  members    {}", store.list_members(&team.id).await?.len());
    for m in store.list_members(&team.id).await? {
        println!("    {:<36} {}", m.email, m.status);
    }
    println!();
    println!("==> stopping the local stack");
    drop(moto);
    Ok(())
}
