//! Answers on the local stack: the links in a real email (from ses-local's inbox) against the
//! response API served on 127.0.0.1 over DynamoDB Local — by HTTP and in a browser.

use crate::a11y::assert_accessible;
use crate::system::{System, ts};
use morale::domain::MemberStatus;
use morale::store::prelude::*;
use morale_tests::browser::Browser;
use morale_tests::{answer_form, answer_link, answer_links, http};
use std::time::Duration;

/// The one email to `to`: its text, its List-Unsubscribe link, its message id, and every link
/// its HTML part holds.
fn email(sys: &System, to: &str) -> (String, String, String, Vec<String>) {
    let m = sys.mail_to(to).pop().expect("an email");
    let hrefs = morale_tests::hrefs(m.html.as_deref().unwrap());
    let unsub = m.headers.iter().find(|(k, _)| k == "List-Unsubscribe").unwrap().1.trim_matches(['<', '>']).to_string();
    (m.text.clone().unwrap(), unsub, m.message_id.clone(), hrefs)
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/').map(|i| rest[i..].to_string()).unwrap_or_default()
}

/// A one-member team (`id`) in New York whose Monday email has gone out.
async fn one_member(sys: &System, id: &str) -> morale::domain::Team {
    let team = sys.team(id, "America/New_York", "15:00", "mon-fri", 1).await;
    assert_eq!(sys.tick().await.sent, 1);
    team
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_writes_nothing_post_writes_one_vote_and_a_second_replaces_it() {
    let sys = System::new("2026-11-23T20:00:00Z", 100.0).await;
    let team = one_member(&sys, "answers").await;
    let (text, _, _, hrefs) = email(&sys, "answers-00000@example.com");
    let answers = answer_links(&text);
    assert_eq!(answers.len(), 5);
    assert!(answers.iter().all(|(_, a)| a.starts_with(&sys.api_url)), "links lead to the response API");
    assert!(answers.iter().all(|(_, a)| hrefs.contains(a)), "the HTML part has the same links");
    let good = answer_link(&text, "Good");
    let date = morale::domain::SendDate::parse("2026-11-23").unwrap();
    let votes = || async { sys.store.list_responses(&team.id, date, date).await.unwrap() };

    for (_, a) in &answers {
        let r = http(&sys.api_url, "GET", &path_of(a), "text/html", "").await;
        assert_eq!(r.status, 200, "{a}");
    }
    assert!(votes().await.is_empty(), "GET writes nothing");

    let r = http(&sys.api_url, "POST", "/r", FORM, &answer_form(&good, 4, "")).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Thank you"));
    let v = votes().await;
    assert_eq!((v.len(), v[0].score.value()), (1, 4));

    sys.advance(2);
    let r = http(&sys.api_url, "POST", "/r", FORM, &answer_form(&good, 2, "&comment=long+day")).await;
    assert_eq!(r.status, 200);
    let v = votes().await;
    assert_eq!(v.len(), 1, "one vote per person per day");
    assert_eq!((v[0].score.value(), v[0].comment.as_deref()), (2, Some("long day")));

    // A forged token writes nothing.
    let mut forged: Vec<char> = good.chars().collect();
    let i = forged.len() - 5;
    forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let r = http(&sys.api_url, "POST", "/r", FORM, &answer_form(&forged, 5, "")).await;
    assert_eq!(r.status, 400);
    let v = votes().await;
    assert_eq!((v.len(), v[0].score.value()), (1, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_click_unsubscribe_stops_the_next_days_email() {
    let sys = System::new("2026-11-23T20:00:00Z", 100.0).await;
    let team = one_member(&sys, "answers").await;
    let (_, unsub, _, _) = email(&sys, "answers-00000@example.com");
    let r = http(&sys.api_url, "POST", &path_of(&unsub), FORM, "List-Unsubscribe=One-Click").await;
    assert_eq!(r.status, 200);
    let member = sys.store.list_members(&team.id).await.unwrap().remove(0);
    assert_eq!(member.status, MemberStatus::Unsubscribed);
    sys.clock.set(ts("2026-11-24T20:00:00Z"));
    assert_eq!(sys.tick().await.sent, 0);
}

/// A mail security scanner, as Safe Links and its peers run one: headless Chromium with script
/// on opens every link of the email, waits for the pages to do whatever they do, and leaves.
/// Nothing is recorded, nobody is unsubscribed. Then a person opens one link and taps "Send":
/// one answer. Screenshots of the email, the answer page and the thank-you page land in
/// `artifacts/screenshots/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scanner_running_script_records_nothing_a_persons_tap_records_one_answer() {
    let sys = System::new("2026-11-23T20:00:00Z", 100.0).await;
    let team = one_member(&sys, "browser").await;
    let date = morale::domain::SendDate::parse("2026-11-23").unwrap();
    let votes = || async { sys.store.list_responses(&team.id, date, date).await.unwrap() };
    let (text, unsub, message_id, hrefs) = email(&sys, "browser-00000@example.com");
    let mut links = hrefs.clone();
    let unsub_page = unsub.clone();
    links.push(unsub);
    assert!(links.len() >= 6, "five answers and the unsubscribe link: {links:?}");

    let scanner = Browser::start(true).await.unwrap();
    for link in &links {
        scanner.goto(link).await.unwrap();
        // Whatever script a page has gets time to run, as sandboxes wait for it.
        tokio::time::sleep(Duration::from_millis(700)).await;
        let src = scanner.source().await.unwrap();
        assert!(!src.contains("Thank you") && !src.contains("You are unsubscribed"), "{link} did something: {src}");
    }
    drop(scanner);
    assert!(votes().await.is_empty(), "a scanner that runs script records nothing");
    let member = sys.store.list_members(&team.id).await.unwrap().remove(0);
    assert_eq!(member.status, MemberStatus::Active, "and unsubscribes nobody");

    let b = Browser::start(true).await.unwrap();
    b.goto(&format!("{}/_ses-local/inbox/{message_id}/html", sys.ses.url())).await.unwrap();
    b.wait_for("How do you feel about work today?", Duration::from_secs(10)).await.unwrap();
    b.screenshot("email").await.unwrap();
    assert_accessible(&b, "email").await;
    b.goto(&answer_link(&text, "Good")).await.unwrap();
    b.wait_for("Send my answer", Duration::from_secs(10)).await.unwrap();
    b.screenshot("answer").await.unwrap();
    assert_accessible(&b, "answer").await;
    assert!(votes().await.is_empty(), "opening the link wrote nothing");
    b.click("form button[type=submit]").await.unwrap();
    b.wait_for("Thank you!", Duration::from_secs(10)).await.unwrap();
    b.screenshot("thank-you").await.unwrap();
    assert_accessible(&b, "thank-you").await;
    let v = votes().await;
    assert_eq!((v.len(), v[0].score.value()), (1, 4), "one tap, one answer: the link's own");
    // The URL the answer went to says nothing about it.
    assert!(b.current_url().await.unwrap().ends_with("/r"), "{}", b.current_url().await.unwrap());
    // The other pages a reader meets: a link that is not one, unsubscribing and after.
    b.goto(&format!("{}/r/not-a-link", sys.api_url)).await.unwrap();
    b.wait_for("</h1>", Duration::from_secs(10)).await.unwrap();
    assert_accessible(&b, "error").await;
    b.goto(&unsub_page).await.unwrap();
    b.wait_for("Stop the daily email?", Duration::from_secs(10)).await.unwrap();
    assert_accessible(&b, "unsubscribe").await;
    // The box a scanner leaves unticked, which the browser asks for before it sends the form.
    b.click("form button[type=submit]").await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sys.store.list_members(&team.id).await.unwrap()[0].status, MemberStatus::Active);
    b.click("input[name=confirm]").await.unwrap();
    b.click("form button[type=submit]").await.unwrap();
    b.wait_for("Re-subscribe", Duration::from_secs(10)).await.unwrap();
    assert_eq!(sys.store.list_members(&team.id).await.unwrap()[0].status, MemberStatus::Unsubscribed);
    assert_accessible(&b, "unsubscribed").await;
}

/// Without script, the page is the same form: a person picks another answer and sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_script_a_person_picks_and_sends() {
    let sys = System::new("2026-11-23T20:00:00Z", 100.0).await;
    let team = one_member(&sys, "noscript").await;
    let date = morale::domain::SendDate::parse("2026-11-23").unwrap();
    let (text, _, _, _) = email(&sys, "noscript-00000@example.com");
    let b = Browser::start(false).await.unwrap();
    b.goto(&answer_link(&text, "Great")).await.unwrap();
    b.wait_for("Send my answer", Duration::from_secs(10)).await.unwrap();
    b.click("input[name=s][value='3']").await.unwrap();
    b.click("form button[type=submit]").await.unwrap();
    b.wait_for("Thank you!", Duration::from_secs(10)).await.unwrap();
    let v = sys.store.list_responses(&team.id, date, date).await.unwrap();
    assert_eq!((v.len(), v[0].score.value()), (1, 3), "the answer picked on the page, not the link's");
}
