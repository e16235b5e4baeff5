//! Answers on the local stack: the links in a real email (from ses-local's inbox) against the
//! response API served on 127.0.0.1 over DynamoDB Local — by HTTP and in a browser.

use crate::system::{System, ts};
use morale::domain::MemberStatus;
use morale::store::prelude::*;
use morale_tests::browser::Browser;
use morale_tests::http;
use std::time::Duration;

/// The answer links of the one email to `to`, and its List-Unsubscribe link.
fn links(sys: &System, to: &str) -> (Vec<String>, String, String) {
    let msgs = sys.ses.app().messages();
    let m = msgs.iter().rev().find(|m| m.to.iter().any(|t| t == to)).expect("an email");
    let html = m.html.clone().unwrap();
    let mut answers = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let url = part.split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&");
        if url.contains("/r/") {
            answers.push(url);
        }
    }
    let unsub = m.headers.iter().find(|(k, _)| k == "List-Unsubscribe").unwrap().1.trim_matches(['<', '>']).to_string();
    (answers, unsub, m.message_id.clone())
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/').map(|i| rest[i..].to_string()).unwrap_or_default()
}

async fn one_member(sys: &System) -> morale::domain::Team {
    let team = sys.team("answers", "America/New_York", "15:00", "mon-fri", 1).await;
    assert_eq!(sys.tick().await.sent, 1);
    team
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_writes_nothing_post_writes_one_vote_and_a_second_replaces_it() {
    let sys = System::new("2026-11-23T20:00:00Z", 100.0).await;
    let team = one_member(&sys).await;
    let to = "answers-00000@example.com";
    let (answers, _, _) = links(&sys, to);
    assert_eq!(answers.len(), 5);
    assert!(answers.iter().all(|a| a.starts_with(&sys.api_url)), "links lead to the response API");
    let good = answers.iter().find(|a| a.ends_with("s=4")).unwrap();
    let date = morale::domain::SendDate::parse("2026-11-23").unwrap();
    let votes = || async { sys.store.list_responses(&team.id, date, date).await.unwrap() };

    for a in &answers {
        let r = http(&sys.api_url, "GET", &path_of(a), "text/html", "").await;
        assert_eq!(r.status, 200, "{a}");
    }
    assert!(votes().await.is_empty(), "GET writes nothing");

    let (path, _) = path_of(good).split_once('?').map(|(p, q)| (p.to_string(), q.to_string())).unwrap();
    let r = http(&sys.api_url, "POST", &path, "application/x-www-form-urlencoded", "s=4").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Thank you"));
    let v = votes().await;
    assert_eq!((v.len(), v[0].score.value()), (1, 4));

    sys.advance(2);
    let r = http(&sys.api_url, "POST", &path, "application/x-www-form-urlencoded", "s=2&comment=long+day").await;
    assert_eq!(r.status, 200);
    let v = votes().await;
    assert_eq!(v.len(), 1, "one vote per person per day");
    assert_eq!((v[0].score.value(), v[0].comment.as_deref()), (2, Some("long day")));

    // A forged token writes nothing.
    let mut forged: Vec<char> = path.chars().collect();
    let i = forged.len() - 5;
    forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let r = http(&sys.api_url, "POST", &forged, "application/x-www-form-urlencoded", "s=5").await;
    assert_eq!(r.status, 400);
    let v = votes().await;
    assert_eq!((v.len(), v[0].score.value()), (1, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_click_unsubscribe_stops_the_next_days_email() {
    let sys = System::new("2026-11-23T20:00:00Z", 100.0).await;
    let team = one_member(&sys).await;
    let (_, unsub, _) = links(&sys, "answers-00000@example.com");
    let r =
        http(&sys.api_url, "POST", &path_of(&unsub), "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
            .await;
    assert_eq!(r.status, 200);
    let member = sys.store.list_members(&team.id).await.unwrap().remove(0);
    assert_eq!(member.status, MemberStatus::Unsubscribed);
    sys.clock.set(ts("2026-11-24T20:00:00Z"));
    assert_eq!(sys.tick().await.sent, 0);
}

/// In headless Chromium: the score link from the email opens the confirm page, which submits
/// itself; without script, the button does it. Screenshots of the email, the confirm page and
/// the thank-you page land in `artifacts/screenshots/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_answers_from_the_email() {
    let sys = System::new("2026-11-23T20:00:00Z", 100.0).await;
    let team = sys.team("browser", "America/New_York", "15:00", "mon-fri", 2).await;
    assert_eq!(sys.tick().await.sent, 2);
    let date = morale::domain::SendDate::parse("2026-11-23").unwrap();

    // With script: the email as the inbox shows it, then one tap.
    let (answers, _, message_id) = links(&sys, "browser-00000@example.com");
    let b = Browser::start(true).await.unwrap();
    b.goto(&format!("{}/_ses-local/inbox/{message_id}/html", sys.ses.url())).await.unwrap();
    b.wait_for("How do you feel about work today?", Duration::from_secs(10)).await.unwrap();
    b.screenshot("email").await.unwrap();
    let good = answers.iter().find(|a| a.ends_with("s=4")).unwrap();
    b.goto(good).await.unwrap();
    b.wait_for("Thank you!", Duration::from_secs(10)).await.unwrap();
    b.screenshot("thank-you").await.unwrap();
    let v = sys.store.list_responses(&team.id, date, date).await.unwrap();
    assert_eq!((v.len(), v[0].score.value()), (1, 4), "the page submitted itself and the vote is stored");
    drop(b);

    // Without script: the confirm page stays, and its button records the answer.
    let (answers, _, _) = links(&sys, "browser-00001@example.com");
    let b = Browser::start(false).await.unwrap();
    let great = answers.iter().find(|a| a.ends_with("s=5")).unwrap();
    b.goto(great).await.unwrap();
    b.wait_for("Record my answer", Duration::from_secs(10)).await.unwrap();
    b.screenshot("confirm").await.unwrap();
    assert_eq!(
        sys.store.list_responses(&team.id, date, date).await.unwrap().len(),
        1,
        "opening the link wrote nothing"
    );
    b.click("form#answer button").await.unwrap();
    b.wait_for("Thank you!", Duration::from_secs(10)).await.unwrap();
    let v = sys.store.list_responses(&team.id, date, date).await.unwrap();
    assert_eq!(v.len(), 2);
    assert!(v.iter().any(|r| r.score.value() == 5));
}
