//! Anonymity, audited as an adversary would: every URL of a day's emails and pages, the whole
//! table once the day has closed, and every key Morale holds. Nothing links a closed day's
//! answer to a member; no URL says anything in clear; no figure shows before its day closes,
//! and none changes after.

use crate::system::{System, ts};
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use morale::clock::Clock;
use morale::domain::{Member, SendDate, Team};
use morale::store::prelude::*;
use morale::token::{Purpose, TokenKeys};
use morale::voter::{DaySalt, VoterSecret};
use morale_tests::{answer_form, answer_links, http};
use std::collections::{BTreeSet, HashMap};

const FORM: &str = "application/x-www-form-urlencoded";

/// Every string anywhere in an item, with its attribute's name.
fn strings(item: &HashMap<String, AttributeValue>) -> Vec<(String, String)> {
    fn walk(name: &str, v: &AttributeValue, out: &mut Vec<(String, String)>) {
        match v {
            AttributeValue::S(s) => out.push((name.into(), s.clone())),
            AttributeValue::N(n) => out.push((name.into(), n.clone())),
            AttributeValue::L(l) => l.iter().for_each(|x| walk(name, x, out)),
            AttributeValue::M(m) => m.iter().for_each(|(k, x)| walk(k, x, out)),
            AttributeValue::Ss(ss) => ss.iter().for_each(|s| out.push((name.into(), s.clone()))),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in item {
        walk(k, v, &mut out);
    }
    out
}

async fn scan(sys: &System) -> Vec<HashMap<String, AttributeValue>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = sys
            .table
            .client
            .scan()
            .table_name(&sys.table.name)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        items.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return items;
        }
    }
}

/// Every link and form target of a page.
fn targets(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "action=\""] {
        for part in html.split(attr).skip(1) {
            out.push(part.split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&"));
        }
    }
    out
}

/// Nothing in a URL in clear: no team, member, address, date or answer; and its path decodes to
/// nothing readable either.
fn assert_opaque(url: &str, team: &Team, members: &[Member], date: SendDate) {
    let lower = url.to_lowercase();
    let mut clear =
        vec![team.id.to_string(), date.to_string(), date.as_str().replace('-', ""), "?s=".into(), "&s=".into()];
    for m in members {
        clear.push(m.id.to_string());
        clear.push(m.email.as_str().to_lowercase());
        clear.push(m.email.as_str().split('@').next().unwrap().to_lowercase());
    }
    for c in &clear {
        assert!(!lower.contains(c), "{url} shows {c:?}");
    }
    let path = url.split_once("://").map_or(url, |(_, r)| r.split_once('/').map_or("", |(_, p)| p));
    for segment in path.split(['/', '?', '&', '=']) {
        if let Ok(bytes) = URL_SAFE_NO_PAD.decode(segment) {
            let text = String::from_utf8_lossy(&bytes).to_lowercase();
            for c in &clear {
                assert!(!text.contains(c), "{url}: a segment decodes to {c:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_day_links_no_answer_to_anyone_with_every_key_morale_holds() {
    // Monday; the team's day closes for answers at the end of Tuesday (UTC).
    let sys = System::new("2026-11-23T09:00:00Z", 100.0).await;
    let team = sys.team("anonymous-team", "UTC", "09:00", "mon-fri", 5).await;
    assert_eq!(sys.tick().await.sent, 5);
    let date = SendDate::parse("2026-11-23").unwrap();
    let members = sys.store.list_members(&team.id).await.unwrap();
    let keys = TokenKeys::development();
    let admin = morale::domain::EmailAddress::parse("lead@example.com").unwrap();
    let renderer = morale::email::EmailRenderer::new(keys.clone(), &sys.api_url);
    let trend = renderer.trend_url(&team, &admin, date, sys.clock.now());
    let trend_path = trend.trim_start_matches(&sys.api_url).to_string();

    // Each member answers from their own email, some with a comment; every URL is kept.
    let mut urls: Vec<String> = vec![trend.clone()];
    let chosen = [5u8, 4, 2, 4, 1];
    for (m, score) in members.iter().zip(chosen) {
        let mail = sys.ses.app().messages().into_iter().find(|x| x.to == [m.email.as_str()]).unwrap();
        let text = mail.text.clone().unwrap();
        urls.extend(targets(mail.html.as_deref().unwrap()));
        urls.extend(answer_links(&text).into_iter().map(|(_, u)| u));
        urls.extend(
            mail.headers
                .iter()
                .filter(|(k, _)| k == "List-Unsubscribe")
                .map(|(_, v)| v.trim_matches(['<', '>']).to_string()),
        );
        let label = morale::domain::Score::new(score).unwrap().label();
        let link = answer_links(&text).into_iter().find(|(l, _)| l == label).unwrap().1;
        let page = http(&sys.api_url, "GET", link.trim_start_matches(&sys.api_url), "text/html", "").await;
        urls.extend(targets(&page.body));
        let comment = if score <= 2 { "&comment=too+many+meetings" } else { "" };
        let thanks = http(&sys.api_url, "POST", "/r", FORM, &answer_form(&link, score, comment)).await;
        assert_eq!(thanks.status, 200, "{}", thanks.body);
        urls.extend(targets(&thanks.body));
    }
    // Whatever becomes of the forgetting, the table's TTL removes the salt and the votes.
    let by = morale::voter::kept_until(date).as_second().to_string();
    let held: Vec<_> = scan(&sys)
        .await
        .into_iter()
        .filter(|i| i["SK"].as_s().is_ok_and(|k| k.starts_with("RESP#") || k.starts_with("SALT#")))
        .collect();
    assert_eq!(held.len(), 6, "five votes and the day's salt");
    assert!(held.iter().all(|i| i.get("expires_at").and_then(|v| v.as_n().ok()) == Some(&by)), "{held:?}");
    // The day is open: the trend page, its export and the CLI's source show nothing of it.
    let page = http(&sys.api_url, "GET", &trend_path, "text/html", "").await;
    assert_eq!(page.status, 200);
    urls.extend(targets(&page.body));
    assert!(!page.body.contains("<circle") && !page.body.contains("too many meetings"), "an open day shows nothing");
    let csv = http(&sys.api_url, "GET", &format!("{trend_path}/export.csv"), "text/csv", "").await;
    assert!(!csv.body.contains("2026-11-23"), "no row for an open day: {}", csv.body);

    for url in urls.iter().filter(|u| u.starts_with("http")) {
        assert_opaque(url, &team, &members, date);
    }
    // With the link keys, an email's links say only what every email says: its member, its
    // day, and each of the five answers: which one was chosen is nowhere in a URL.
    let mut sealed: HashMap<String, BTreeSet<u8>> = HashMap::new();
    for url in urls.iter().filter(|u| u.contains("/r/")) {
        let token = url.rsplit('/').next().unwrap();
        let c = keys.open(token, Purpose::Answer, sys.clock.now()).unwrap();
        sealed.entry(c.member.to_string()).or_default().insert(c.score.unwrap().value());
    }
    assert_eq!(sealed.len(), 5);
    assert!(sealed.values().all(|s| s.len() == 5), "every member's links carry all five answers: {sealed:?}");

    // While the day is open, the search below finds every voter (with the voters' key and the
    // day's salt): it is a search that can succeed.
    let voters = VoterSecret::development();
    let found = |items: &[HashMap<String, AttributeValue>]| {
        let all: Vec<(String, String)> = items.iter().flat_map(strings).collect();
        let salts: Vec<DaySalt> = all.iter().filter_map(|(_, v)| DaySalt::parse(v)).collect();
        let values: BTreeSet<String> = all.into_iter().map(|(_, v)| v).collect();
        members
            .iter()
            .filter(|m| {
                salts.iter().any(|salt| {
                    let p = voters.pseudonym(&team.id, date, &m.id, salt);
                    values.iter().any(|v| v.contains(&p.0))
                })
            })
            .count()
    };
    assert_eq!(found(&scan(&sys).await), 5, "open: every voter can be found by who holds the key and the table");

    // The ledger closes; then the day's answers close, and the sender fixes its figures.
    sys.clock.set(ts("2026-11-24T05:00:00Z"));
    sys.tick().await;
    sys.clock.set(ts("2026-11-25T00:15:00Z"));
    sys.tick().await;
    let day = sys.store.get_day(&team.id, date).await.unwrap().unwrap();
    let tally = day.tally.clone().expect("the day's figures are fixed");
    assert_eq!((tally.asked, tally.voters, tally.counts), (5, 5, Some([1, 1, 0, 2, 1])));
    assert_eq!(tally.comments, vec!["too many meetings".to_string(); 2]);
    assert!(day.forgotten_at.is_some());

    // The whole table, with every key Morale holds (the link keys and the voters' key).
    let items = scan(&sys).await;
    let all_strings: Vec<(String, String)> = items.iter().flat_map(strings).collect();
    for (_, sk) in all_strings.iter().filter(|(k, _)| k == "SK") {
        assert!(!sk.starts_with("RESP#2026-11-23") && !sk.starts_with("SALT#2026-11-23"), "{sk} outlived the day");
    }
    // Every string in the table tried as the day's salt: no member's pseudonym appears.
    assert_eq!(found(&items), 0, "closed: nobody can be found, with every key Morale holds");
    // What is left of the answers (the figures) names nobody, and nothing that names a member
    // holds an answer.
    for item in &items {
        let s = strings(item);
        let names_someone =
            s.iter().any(|(_, v)| members.iter().any(|m| v.contains(m.id.as_str()) || v.contains(m.email.as_str())));
        let answers = s.iter().any(|(k, v)| v.contains("too many meetings") || k == "score" || k == "counts");
        assert!(!(names_someone && answers), "an item names a member and holds answers: {item:?}");
    }

    // Shown once, fixed for good: the page and the export now show the day, and a late vote
    // (refused: the day has closed) or another run of the sender changes nothing.
    let csv = http(&sys.api_url, "GET", &format!("{trend_path}/export.csv"), "text/csv", "").await;
    let row = csv.body.lines().find(|l| l.starts_with("2026-11-23")).expect("a row once closed").to_string();
    assert_eq!(row, "2026-11-23,5,3.20,1,1,0,2,1");
    let mail = sys.ses.app().messages().into_iter().find(|x| x.to == [members[0].email.as_str()]).unwrap();
    let link = answer_links(&mail.text.clone().unwrap()).remove(0).1;
    let late = http(&sys.api_url, "POST", "/r", FORM, &answer_form(&link, 1, "")).await;
    assert_eq!(late.status, 410, "{}", late.body);
    sys.advance(5);
    sys.tick().await;
    let again = http(&sys.api_url, "GET", &format!("{trend_path}/export.csv"), "text/csv", "").await;
    assert_eq!(again.body.lines().find(|l| l.starts_with("2026-11-23")), Some(row.as_str()), "never changes");
    assert!(sys.store.list_responses(&team.id, date, date).await.unwrap().is_empty());
}
