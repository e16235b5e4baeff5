//! What the response API's tests and its benchmark set up alike: a team and its members on the
//! in-memory store, and the API over it with the development keys at a fixed instant.
#![allow(dead_code)] // each test binary uses its own part

use jiff::Timestamp;
use morale::clock::ManualClock;
use morale::domain::{EmailAddress, Member, Schedule, Team, TeamId};
use morale::store::MemoryStore;
use morale::store::prelude::*;
use morale::token::TokenKeys;
use morale::voter::VoterSecret;
use morale_response_api::{HttpRequest, ResponseApi};
use std::sync::Arc;

pub struct Stage {
    pub store: Arc<MemoryStore>,
    pub keys: TokenKeys,
    pub api: Arc<ResponseApi>,
    pub team: Team,
    pub members: Vec<Member>,
}

/// A Monday-to-Friday team, created at `now`.
pub fn team(id: &str, name: &str, zone: &str, time: &str, admins: &[&str], now: Timestamp) -> Team {
    let admins = admins.iter().map(|a| EmailAddress::parse(a).unwrap()).collect();
    Team::new(TeamId::parse(id).unwrap(), name.into(), Schedule::parse(zone, time, "mon-fri").unwrap(), admins, now)
}

/// `team` and a member for each address, stored, and the API's clock stopped at `now`.
pub async fn stage(now: Timestamp, team: Team, members: impl IntoIterator<Item = String>) -> Stage {
    let store = Arc::new(MemoryStore::new());
    store.create_team(&team).await.unwrap();
    let mut added = Vec::new();
    for address in members {
        let m = Member::new(&team, EmailAddress::parse(&address).unwrap(), None, now);
        store.add_member(&m).await.unwrap();
        added.push(m);
    }
    let keys = TokenKeys::development();
    let api = Arc::new(ResponseApi {
        store: store.clone(),
        keys: keys.clone(),
        voters: VoterSecret::development(),
        clock: Arc::new(ManualClock::new(now)),
    });
    Stage { store, keys, api, team, members: added }
}

/// A request as a browser sends a page's form (or, with an empty body, opens a link).
pub fn form(method: &str, path: &str, query: &str, body: &str) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        accept: "text/html".into(),
        content_type: "application/x-www-form-urlencoded".into(),
        body: body.as_bytes().to_vec(),
        ..Default::default()
    }
}
