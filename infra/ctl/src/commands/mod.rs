//! What each moralectl command does, one file per group: `people` (teams, members), `ses`
//! (preflight, test email), `verify` (every link after a deploy), `outbox` (outbox, replay, suppressions, pause), `reports`
//! (trends, schedule, ledger), `faults` (the local stack's fault proxies).

mod cost;
mod faults;
mod outbox;
mod people;
mod quiet;
mod reports;
mod ses;
mod verify;

use crate::conn::Conn;
use crate::{Cli, Cmd, TeamCmd};
use anyhow::{Context, Result, bail};
use morale::clock::{Clock, SystemClock};
use morale::domain::Team;
use morale::domain::TeamId;
use morale::store::prelude::*;
use serde_json::json;
use std::time::Duration;

/// A check that ran and found something wrong (SES not ready, a broken link, an email
/// unaccounted for): exit status 1, for scripts. Any other error (usage, a connection) is 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Verdict(pub String);

pub async fn run(cli: Cli) -> Result<()> {
    match &cli.cmd {
        Cmd::Demo => return crate::demo::run(cli.json).await,
        Cmd::Dev { tick_every } => return crate::stack::dev(Duration::from_secs(*tick_every)).await,
        Cmd::Faults(c) => return faults::faults(&cli, c, cli.json).await,
        Cmd::Cost { members, rate } => return cost::cost(members, *rate, cli.json),
        _ => {}
    }
    let conn = Conn::open(&cli).await?;
    let store = conn.store.as_ref();
    let now = SystemClock.now();
    let json = cli.json;
    match &cli.cmd {
        Cmd::Team(TeamCmd::Link { team, admin, api }) => {
            let t = get_team(store, team).await?;
            if !t.admins.contains(admin) {
                bail!(
                    "{admin} is not an admin of {team}: add them with `moralectl team update {team} --admin {admin}` (repeat --admin for every admin)"
                );
            }
            let keys = if conn.local {
                morale::token::TokenKeys::development()
            } else {
                morale::config::load_token_keys(&conn.sdk).await?
            };
            let url =
                morale::email::EmailRenderer::new(keys, api).trend_url(&t, admin, t.schedule.local_date(now), now);
            println!("{}", if json { json!({"url": url}).to_string() } else { url });
            Ok(())
        }
        Cmd::Team(TeamCmd::Quiet(c)) => quiet::quiet(store, c, now, json).await,
        Cmd::Team(c) => people::team(store, c, now, json).await,
        Cmd::Member(c) => people::member(store, c, now, json).await,
        Cmd::Preflight => ses::preflight_cmd(&cli, &conn, now, json).await,
        Cmd::TestEmail(t) => ses::test_email(&cli, &conn, t, json).await,
        Cmd::Verify(v) => verify::verify(&cli, &conn, v, json).await,
        Cmd::Outbox(a) => outbox::outbox(store, a, now, json).await,
        Cmd::Replay { team, date } => outbox::replay(store, team, *date, now, json).await,
        Cmd::Suppressions(c) => outbox::suppressions(store, c, now, json).await,
        Cmd::Pause(c) => outbox::pause(store, c, now, json).await,
        Cmd::Trends { team, days } => reports::trends(store, team, *days, now, json).await,
        Cmd::Schedule { next } => reports::schedule(store, *next, now, json).await,
        Cmd::Ledger { team, date } => reports::ledger(store, team, *date, now, json).await,
        Cmd::Demo | Cmd::Dev { .. } | Cmd::Faults(_) | Cmd::Cost { .. } => unreachable!(),
    }
}

pub(super) async fn get_team(store: &dyn Store, id: &TeamId) -> Result<Team> {
    store.get_team(id).await?.with_context(|| format!("there is no team {id}: see `moralectl team list`"))
}

pub(super) async fn teams_of(store: &dyn Store, team: &Option<TeamId>) -> Result<Vec<Team>> {
    Ok(match team {
        Some(t) => vec![get_team(store, t).await?],
        None => store.list_teams().await?,
    })
}
