//! "I'm away until …" against the in-memory store: what a person's forms change, and what a
//! scanner's (every link opened, every form submitted as it came) does not.

use jiff::{SignedDuration, Timestamp};
use morale::domain::{Locale, MemberId, MemberStatus, SendDate, StatusChange, TeamId};
use morale::store::MemoryStore;
use morale::store::prelude::*;
use morale::token::{Claims, Purpose, TokenKeys};
use morale_response_api::{HttpResponse, ResponseApi};
use std::sync::Arc;

mod common;
use common::{Stage, stage};

// Friday 4 December 2026, 10:00 in Berlin.
const NOW: &str = "2026-12-04T09:00:00Z";

struct World {
    store: Arc<MemoryStore>,
    api: Arc<ResponseApi>,
    team: TeamId,
    member: MemberId,
}

async fn world() -> World {
    let now: Timestamp = NOW.parse().unwrap();
    let mut team = common::team("berlin", "Plattform", "Europe/Berlin", "09:00", &[], now);
    team.locale = Locale::De;
    let Stage { store, api, team, mut members, .. } = stage(now, team, ["ana@example.com".into()]).await;
    World { store, api, team: team.id, member: members.remove(0).id }
}

impl World {
    fn token(&self, purpose: Purpose, issued: &str) -> String {
        let date = SendDate::parse("2026-12-04").unwrap();
        TokenKeys::development().seal(&Claims::new(purpose, &self.team, &self.member, date, issued.parse().unwrap()))
    }

    async fn req(&self, method: &str, path: &str, body: &str) -> HttpResponse {
        self.api.handle(&common::form(method, path, "", body)).await
    }

    async fn away_until(&self) -> Option<String> {
        let m = self.store.get_member(&self.team, &self.member).await.unwrap().unwrap();
        m.away_until.map(|d| d.to_string())
    }
}

#[tokio::test]
async fn a_person_pauses_and_comes_back_a_scanner_changes_nothing() {
    let w = world().await;
    let path = format!("/a/{}", w.token(Purpose::Away, NOW));
    let page = w.req("GET", &path, "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("lang=\"de\"") && page.body.contains("type=\"date\""), "{}", page.body);
    assert!(page.body.contains("max=\"2027-03-04\""), "90 days ahead at most: {}", page.body);
    // A scanner: every form as it came (no date), dates out of bounds, a mangled one.
    for body in ["", "back=", "back=2026-12-04", "back=2026-12-03", "back=2027-03-05", "back=soon"] {
        assert_eq!(w.req("POST", &path, body).await.status, 400, "{body:?}");
    }
    assert_eq!(w.away_until().await, None, "nothing changed");
    let r = w.req("POST", &path, "back=2026-12-14").await;
    assert!(r.status == 200 && r.body.contains("Bis Montag, 14. Dezember!"), "this year's, without it: {}", r.body);
    assert_eq!(w.away_until().await.as_deref(), Some("2026-12-14"));
    // "I'm back now" as a scanner sends it (the box unticked) changes nothing.
    assert_eq!(w.req("POST", &format!("{path}/back"), "").await.status, 400);
    assert_eq!(w.away_until().await.as_deref(), Some("2026-12-14"));
    let r = w.req("POST", &format!("{path}/back"), "confirm=yes").await;
    assert!(r.status == 200 && r.body.contains("Willkommen zurück"), "{}", r.body);
    assert_eq!(w.away_until().await, None);
}

#[tokio::test]
async fn a_pause_ends_before_its_link_does() {
    let w = world().await;
    // A link from an email 20 days old: it opens for 80 more days, so the pause ends by then.
    let issued = (NOW.parse::<Timestamp>().unwrap() - SignedDuration::from_hours(24 * 20)).to_string();
    let path = format!("/a/{}", w.token(Purpose::Away, &issued));
    let page = w.req("GET", &path, "").await;
    assert!(page.body.contains("max=\"2027-02-21\""), "{}", page.body);
    assert_eq!(w.req("POST", &path, "back=2027-02-22").await.status, 400);
    // Back in the new year: the year is said.
    let r = w.req("POST", &path, "back=2027-02-21").await;
    assert!(r.status == 200 && r.body.contains("21. Februar 2027"), "{}", r.body);
    // A link in its last day has no day left to offer: the page says to use a newer one.
    let issued = (NOW.parse::<Timestamp>().unwrap() - SignedDuration::from_hours(24 * 99 + 12)).to_string();
    let old = w.req("GET", &format!("/a/{}", w.token(Purpose::Away, &issued)), "").await;
    assert!(old.status == 200 && !old.body.contains("type=\"date\"") && old.body.contains("zu alt"), "{}", old.body);
}

#[tokio::test]
async fn other_links_and_members_who_get_no_email_pause_nothing() {
    let w = world().await;
    let answer = format!("/a/{}", w.token(Purpose::Answer, NOW));
    assert_eq!(w.req("GET", &answer, "").await.status, 400, "an answer link is not an away link");
    assert_eq!(w.req("POST", &answer, "back=2026-12-14").await.status, 400);
    let change = StatusChange {
        from: &[MemberStatus::Active],
        to: MemberStatus::Unsubscribed,
        reason: "unsubscribed by link",
        at: NOW.parse().unwrap(),
    };
    w.store.set_status(&w.team, &w.member, change).await.unwrap();
    let path = format!("/a/{}", w.token(Purpose::Away, NOW));
    let r = w.req("POST", &path, "back=2026-12-14").await;
    assert!(r.status == 200 && r.body.contains("bereits gestoppt"), "{}", r.body);
    assert!(!r.body.contains("type=\"date\""), "no form to pause what is stopped");
    assert_eq!(w.away_until().await, None);
    w.store.remove_member(&w.team, &w.member).await.unwrap();
    assert_eq!(w.req("POST", &path, "back=2026-12-14").await.status, 410);
}
