//! The trend page and CSV export for admins, and the anonymity rule across every output: no
//! page, export or email reveals a figure for an open day, nor for a closed day with fewer
//! than 3 voters, nor a comment from a day with fewer than 5.

use jiff::Timestamp;
use morale::domain::{DayPlan, Ledger, Privacy, Response, Team, VoterKey};
use morale::domain::{EmailAddress, MemberId, Score, SendDate, TeamId};
use morale::email::{EmailRenderer, WeeklyMembers};
use morale::insights;
use morale::store::MemoryStore;
use morale::store::prelude::*;
use morale::token::{Claims, Purpose, TokenKeys};
use morale_response_api::{HttpRequest, ResponseApi};
use proptest::prelude::*;
use std::sync::Arc;

mod common;
use common::{Stage, stage};

const NOW: &str = "2026-11-27T12:00:00Z"; // Friday

struct World {
    store: Arc<MemoryStore>,
    keys: TokenKeys,
    api: Arc<ResponseApi>,
    team: Team,
    admin: EmailAddress,
}

async fn world() -> World {
    let now: Timestamp = NOW.parse().unwrap();
    let team = common::team("platform", "Platform", "UTC", "09:00", &["lead@example.com"], now);
    let Stage { store, keys, api, team, .. } = stage(now, team, (0..5).map(|i| format!("m{i}@example.com"))).await;
    let admin = team.admins[0].clone();
    World { store, keys, api, team, admin }
}

fn vote(team: &TeamId, date: &str, voter: usize, score: u8, comment: Option<String>) -> Response {
    Response::new(
        team.clone(),
        SendDate::parse(date).unwrap(),
        VoterKey(format!("v{voter}")),
        Score::new(score).unwrap(),
        comment,
        "2026-11-20T10:00:00Z".parse().unwrap(),
    )
}

impl World {
    fn admin_token(&self) -> String {
        let date = SendDate::parse("2026-11-27").unwrap();
        let admin = MemberId::for_email(&self.admin);
        self.keys.seal(&Claims::new(Purpose::Admin, &self.team.id, &admin, date, NOW.parse().unwrap()))
    }

    /// Closes the days of `votes` as the sender does: each day's figures fixed from its votes
    /// (five members asked).
    async fn close(&self, votes: &[Response]) {
        let now: Timestamp = NOW.parse().unwrap();
        for (date, tally) in insights::tally_each_day(votes, 5, Privacy::default()) {
            let plan = DayPlan { members: 5, ..DayPlan::default() };
            self.store.open_day(&self.team.id, date, &plan, now).await.unwrap();
            self.store.close_day(&self.team.id, date, &Ledger::default(), now).await.unwrap();
            assert!(self.store.tally_day(&self.team.id, date, &tally, now).await.unwrap());
        }
    }

    async fn get(&self, path: &str, query: &str) -> morale_response_api::HttpResponse {
        self.api
            .handle(&HttpRequest { method: "GET".into(), path: path.into(), query: query.into(), ..Default::default() })
            .await
    }
}

#[tokio::test]
async fn admins_see_the_trend_and_thin_days_show_nothing() {
    let w = world().await;
    let t = &w.team.id;
    let closed = [
        vote(t, "2026-11-23", 1, 2, Some("SECRET only four voters".into())),
        vote(t, "2026-11-23", 2, 2, None),
        vote(t, "2026-11-23", 3, 2, None),
        vote(t, "2026-11-23", 4, 2, None),
        vote(t, "2026-11-24", 1, 4, Some("good sprint".into())),
        vote(t, "2026-11-24", 2, 5, None),
        vote(t, "2026-11-24", 3, 3, None),
        vote(t, "2026-11-24", 4, 4, None),
        vote(t, "2026-11-24", 5, 4, None),
        vote(t, "2026-11-25", 1, 1, Some("SECRET thin day".into())),
        vote(t, "2026-11-25", 2, 1, None),
    ];
    w.close(&closed).await;
    // Thursday's answers are still open: nothing of them shows.
    for v in 1..=5 {
        w.store.put_response(&vote(t, "2026-11-26", v, 5, Some("SECRET open day".into()))).await.unwrap();
    }
    let token = w.admin_token();
    let r = w.get(&format!("/t/{token}"), "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("How Platform feels about work"));
    assert!(r.body.contains("3.11"), "the two closed days with enough answers: (4*2 + 4+5+3+4+4) / 9");
    assert!(r.body.contains("good sprint"));
    assert!(!r.body.contains("SECRET"), "no comment from a thin day, a day of four, or an open day");
    assert_eq!(r.body.matches("<circle").count(), 2, "a point per closed day with enough answers");
    assert!(r.body.contains("not enough answers"));
    assert!(r.body.contains("<svg") && !r.body.contains("<script"), "inline SVG, no script");
    assert!(r.header("Content-Security-Policy").unwrap().contains("default-src 'none'"));
    let csv = w.get(&format!("/t/{token}/export.csv"), "").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("Content-Type"), Some("text/csv; charset=utf-8"));
    assert!(csv.body.contains("2026-11-24,5,4.00,0,0,1,3,1"), "{}", csv.body);
    assert!(csv.body.contains("2026-11-25,too few,,,,,,"), "{}", csv.body);
    assert!(!csv.body.contains("2026-11-26"), "no row for an open day: {}", csv.body);
    assert!(!csv.body.contains("SECRET") && !csv.body.contains("good sprint"), "aggregates only");
    assert_eq!(w.get(&format!("/t/{token}"), "days=90").await.status, 200);
    assert_eq!(w.get(&format!("/t/{token}"), "days=7").await.status, 404);
    // Not for members' links, nor for people who are no longer admins.
    let now: Timestamp = NOW.parse().unwrap();
    let m = MemberId::parse("mx").unwrap();
    let date = SendDate::parse("2026-11-27").unwrap();
    let answer = w.keys.seal(&Claims::new(Purpose::Answer, t, &m, date, now));
    assert_eq!(w.get(&format!("/t/{answer}"), "").await.status, 400);
    let stranger = w.keys.seal(&Claims::new(Purpose::Admin, t, &m, date, now));
    assert_eq!(w.get(&format!("/t/{stranger}"), "").await.status, 403);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the votes, nothing about a day with fewer than three voters leaks: not its
    /// comments (page, export, emails), not its figures (the CSV row is blank, the page has no
    /// point for it, the weekly mean is the mean of the other days).
    #[test]
    fn no_output_reveals_a_thin_day(votes in proptest::collection::vec((0usize..10, 0usize..6, 1u8..=5, any::<bool>()), 0..80)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let w = world().await;
            let t = w.team.id.clone();
            let start = SendDate::parse("2026-11-18").unwrap();
            // On Friday the 27th, Thursday's and Friday's answers are still open.
            let open_from = SendDate::parse("2026-11-26").unwrap();
            let mut seen = std::collections::HashSet::new();
            let mut all = Vec::new();
            for (day, voter, score, comment) in &votes {
                let date = (0..*day).fold(start, |d, _| d.next_day());
                if !seen.insert((date, *voter)) {
                    continue;
                }
                let r = vote(&t, date.as_str(), *voter, *score, comment.then(|| format!("C-{date}-{voter}-X")));
                w.store.put_response(&r).await.unwrap();
                all.push(r);
            }
            let done: Vec<Response> = all.iter().filter(|r| r.date < open_from).cloned().collect();
            w.close(&done).await;
            let closed = insights::tally_each_day(&done, 5, Privacy::default());
            let voters = |d: &SendDate| all.iter().filter(|r| r.date == *d).count();
            // Days whose figures must not show: open, or too few voters; and whose comments
            // must not show: those, or fewer than five voters.
            let hidden: Vec<SendDate> = (0..10)
                .map(|i| (0..i).fold(start, |d, _| d.next_day()))
                .filter(|d| voters(d) > 0 && (voters(d) < 3 || *d >= open_from))
                .collect();
            let quiet: Vec<SendDate> = (0..10)
                .map(|i| (0..i).fold(start, |d, _| d.next_day()))
                .filter(|d| voters(d) > 0 && (voters(d) < 5 || *d >= open_from))
                .collect();
            let token = w.admin_token();
            let page = w.get(&format!("/t/{token}"), "").await.body;
            let csv = w.get(&format!("/t/{token}/export.csv"), "").await.body;
            let renderer = EmailRenderer::new(w.keys.clone(), "https://api.example");
            let workdays = w.team.schedule.workdays;
            let friday = SendDate::parse("2026-11-27").unwrap();
            let this = insights::week(&closed, SendDate::parse("2026-11-20").unwrap(), SendDate::parse("2026-11-26").unwrap(), &workdays);
            let last = insights::week(&closed, SendDate::parse("2026-11-13").unwrap(), SendDate::parse("2026-11-19").unwrap(), &workdays);
            let weekly = renderer.weekly(&w.team, &this, &last, &WeeklyMembers { active: 5, stopped: vec![], away: 0, delivery: None }, "https://x");
            let low = renderer.low_morale(&w.team, &insights::low_streak(&closed, friday, &workdays, 3), "https://x");
            for d in &quiet {
                let marker = format!("C-{d}-");
                for (what, text) in [("page", &page), ("export", &csv), ("weekly html", &weekly.html), ("weekly text", &weekly.text), ("low-morale", &low.text)] {
                    prop_assert!(!text.contains(&marker), "{} shows a comment of day {}", what, d);
                }
            }
            for d in &hidden {
                if *d < open_from {
                    prop_assert!(csv.contains(&format!("{d},too few,,,,,,")), "CSV row of thin day {} is blank", d);
                } else {
                    prop_assert!(!csv.contains(&d.to_string()), "CSV has a row for open day {}", d);
                }
            }
            let enough = (0..10)
                .map(|i| (0..i).fold(start, |d, _| d.next_day()))
                .filter(|d| *d < open_from && voters(d) >= 3)
                .count();
            prop_assert_eq!(page.matches("<circle").count(), enough);
            // The weekly mean is computed from closed days with enough answers only.
            let expected = insights::mean_of(&insights::daily(&closed, SendDate::parse("2026-11-20").unwrap(), SendDate::parse("2026-11-26").unwrap())
                .into_iter().filter(|d| workdays.contains(d.date.date().weekday())).collect::<Vec<_>>());
            prop_assert_eq!(this.mean, expected);
            Ok(())
        })?;
    }
}

/// Admin links last 14 days, and an admin's links can be revoked: the ones issued until then
/// stop opening, a fresh one opens.
#[tokio::test]
async fn admin_links_expire_and_can_be_revoked_per_admin() {
    let w = world().await;
    let token = w.admin_token();
    assert_eq!(w.get(&format!("/t/{token}"), "").await.status, 200);
    let now: Timestamp = NOW.parse().unwrap();
    let c = Claims::new(
        Purpose::Admin,
        &w.team.id,
        &MemberId::for_email(&w.admin),
        SendDate::parse("2026-11-27").unwrap(),
        now,
    );
    assert_eq!(c.expires, now + morale::token::ADMIN_TTL);
    assert!(morale::token::ADMIN_TTL <= jiff::SignedDuration::from_hours(14 * 24));
    let mut team = w.store.get_team(&w.team.id).await.unwrap().unwrap();
    team.revoke_links(&w.admin, now);
    w.store.update_team(&team).await.unwrap();
    let r = w.get(&format!("/t/{token}"), "").await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("revoked"), "{}", r.body);
    let fresh = w.keys.seal(&Claims { issued: now + jiff::SignedDuration::from_secs(1), ..c });
    assert_eq!(w.get(&format!("/t/{fresh}"), "").await.status, 200, "a link issued after opens");
}
