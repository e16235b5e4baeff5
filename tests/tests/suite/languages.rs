//! Every reader's language: each shipped locale's daily email, pages and admins' emails on the
//! local stack, in headless Chromium through axe (320 px and desktop, light and dark), with
//! screenshots `<page>-<locale>-<width>-<scheme>.png` under `artifacts/screenshots/`.

use crate::a11y::assert_accessible;
use crate::insights::closed_day;
use crate::system::{System, ts};
use morale::clock::Clock;
use morale::domain::{EmailAddress, Locale, MemberStatus, SendDate};
use morale::email::{EmailRenderer, WeeklyMembers};
use morale::insights::Week;
use morale::store::prelude::*;
use morale::token::TokenKeys;
use morale_tests::browser::Browser;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// Opens `url`, waits for `text`, and checks the page as `page`.
async fn open(b: &Browser, url: &str, text: &str, page: &str) {
    b.goto(url).await.unwrap();
    b.wait_for(text, WAIT).await.unwrap();
    assert_accessible(b, page).await;
}

/// Submits the page's form, waits for `text`, and checks the page that follows as `page`.
async fn submit(b: &Browser, text: &str, page: &str) {
    b.click("form button[type=submit]").await.unwrap();
    b.wait_for(text, WAIT).await.unwrap();
    assert_accessible(b, page).await;
}

/// The HTML part of the latest email to `to`, and its links.
fn email_to(sys: &System, to: &str) -> (String, Vec<String>, String) {
    let m = sys.mail_to(to).pop().expect("an email");
    let html = m.html.clone().unwrap();
    (html.clone(), morale_tests::hrefs(&html), m.subject.clone())
}

fn link<'a>(hrefs: &'a [String], route: &str) -> &'a str {
    hrefs.iter().find(|h| h.contains(route)).unwrap_or_else(|| panic!("a {route} link in {hrefs:?}"))
}

/// Friday 4 December 2026: a team per locale sends at 09:00 UTC. Each reader's email, the
/// answer page and thanks, the away page before and after pausing, unsubscribing and after,
/// a broken link's page (in the browser's language), the trend page and the three admins'
/// emails: every message in that language, 0 axe violations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_email_in_every_language_is_accessible() {
    let sys = System::new("2026-12-04T08:00:00Z", 100.0).await;
    let friday = SendDate::parse("2026-12-04").unwrap();
    let mut teams = Vec::new();
    for t in Locale::ALL {
        let id = format!("lang-{}", t.tag().to_ascii_lowercase());
        let mut team = sys.team(&id, "UTC", "09:00", "mon-fri", 1).await;
        team.locale = t;
        let team = sys.store.update_team(&team).await.unwrap();
        for (d, scores) in [("2026-11-30", [2, 3, 4]), ("2026-12-01", [1, 2, 2]), ("2026-12-02", [4, 5, 3])] {
            closed_day(&sys, &team.id, d, &scores).await;
        }
        teams.push((t, team));
    }
    sys.clock.set(ts("2026-12-04T09:00:00Z"));
    assert_eq!(sys.tick().await.sent, 6);
    let renderer = EmailRenderer::new(TokenKeys::development(), &sys.api_url);
    let admin = EmailAddress::parse("lead@example.com").unwrap();
    let b = Browser::start(true).await.unwrap();
    for (t, team) in &teams {
        let tag = t.tag();
        let to = format!("{}-00000@example.com", team.id);
        let (html, hrefs, subject) = email_to(&sys, &to);
        assert_eq!(subject, t.arg("daily-subject", "team", &team.name));
        assert!(html.contains(&format!("<html lang=\"{tag}\">")) && html.contains(&t.date(friday.date())), "{html}");
        assert!(!html.contains('⟦'), "{tag}: a message is missing");
        let page = |name: &str| format!("{name}-{tag}");

        b.show_html(&html).await.unwrap();
        b.wait_for(&t.text("daily-question"), WAIT).await.unwrap();
        assert_accessible(&b, &page("email")).await;

        open(&b, link(&hrefs, "/r/"), &t.text("answer-send"), &page("answer")).await;
        submit(&b, &t.text("thanks-heading"), &page("thank-you")).await;

        open(&b, link(&hrefs, "/a/"), &t.text("away-button"), &page("away")).await;
        b.set_value("#back", "2026-12-14").await.unwrap();
        submit(&b, &t.text("away-back-button"), &page("away-set")).await;
        let member = sys.store.list_members(&team.id).await.unwrap().remove(0);
        assert_eq!(member.away_until, Some(SendDate::parse("2026-12-14").unwrap()), "{tag}: paused by a person");

        open(&b, link(&hrefs, "/u/"), &t.text("unsubscribe-heading"), &page("unsubscribe")).await;
        b.click("input[name=confirm]").await.unwrap();
        submit(&b, &t.text("unsubscribed-heading"), &page("unsubscribed")).await;
        let member = sys.store.list_members(&team.id).await.unwrap().remove(0);
        assert_eq!(member.status, MemberStatus::Unsubscribed);

        // A link that says nothing: the page speaks the browser's language.
        b.accept_language(&format!("{tag},en;q=0.5")).await.unwrap();
        open(&b, &format!("{}/r/not-a-link", sys.api_url), &t.text("error-bad-link-title"), &page("error")).await;
        let trend = renderer.trend_url(team, &admin, friday, sys.clock.now());
        open(&b, &trend, &t.text("trend-members"), &page("trend")).await;

        // The admins' emails, rendered as the sender renders them.
        let week = |m| Week { mean: m, participation: Some(0.8), days_with_enough: 3, workdays: 5 };
        let members = WeeklyMembers {
            active: 4,
            stopped: vec![(MemberStatus::Unsubscribed, 1)],
            away: 1,
            delivery: Some(morale::domain::Ledger {
                scheduled: 20,
                delivered: 18,
                bounced: 1,
                unconfirmed: 1,
                ..Default::default()
            }),
        };
        let trend = renderer.trend_url(team, &admin, friday, sys.clock.now());
        let lines = [morale::domain::ProblemLine {
            address: "ana@example.com".into(),
            status: MemberStatus::Bounced,
            removed: false,
            detail: "bounced (General): 550 5.1.1 no such mailbox".into(),
            about: None,
        }
        .to_string()];
        for (name, e) in [
            ("weekly-digest", renderer.weekly(team, &week(Some(3.2)), &week(Some(3.6)), &members, &trend)),
            ("low-morale", renderer.low_morale(team, &[(friday, 1.67)], &trend)),
            ("problem-report", renderer.problem_report(*t, &team.name, friday, &lines, true)),
        ] {
            assert!(![&e.subject, &e.html, &e.text].iter().any(|p| p.contains('⟦')), "{tag} {name}");
            b.show_html(&e.html).await.unwrap();
            b.wait_for(&t.arg("admin-why", "team", &team.name), WAIT).await.unwrap();
            assert_accessible(&b, &page(name)).await;
        }
    }
}

fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/').map(|i| &rest[i..]).unwrap_or_default()
}

/// A German team in Berlin, Friday 4 December: the email in German with the date the German
/// way, one member reading Japanese by choice. Ana pauses herself until Wednesday from her
/// email's link; Monday is a quiet day. Monday: nothing, and nothing missed. Tuesday: only Ben,
/// and Ana is not counted as asked. Wednesday: Ana is back by herself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_teams_friday_email_its_quiet_day_and_a_members_own_pause() {
    use morale::domain::{Member, QuietDays};
    let sys = System::new("2026-12-04T07:30:00Z", 100.0).await;
    let mut team = sys.team("berlin", "Europe/Berlin", "09:00", "mon-fri", 0).await;
    team.name = "Plattform".into();
    team.locale = Locale::De;
    let quiet = QuietDays::new(QuietDays::parse_spec("2026-12-07").unwrap()).unwrap();
    team.schedule = team.schedule.clone().with_quiet(quiet);
    let team = sys.store.update_team(&team).await.unwrap();
    let now = sys.clock.now();
    let ana = Member::new(&team, EmailAddress::parse("ana@example.com").unwrap(), Some("Ana".into()), now);
    let ben = Member {
        locale: Some(Locale::Ja),
        ..Member::new(&team, EmailAddress::parse("ben@example.com").unwrap(), Some("Ben".into()), now)
    };
    for m in [&ana, &ben] {
        sys.store.add_member(m).await.unwrap();
    }

    // Friday 09:00 in Berlin.
    sys.clock.set(ts("2026-12-04T08:00:00Z"));
    assert_eq!(sys.tick().await.sent, 2);
    let (html, hrefs, subject) = email_to(&sys, "ana@example.com");
    assert_eq!(subject, "Plattform: Wie geht es dir heute bei der Arbeit?");
    assert!(html.contains("<html lang=\"de\">") && html.contains("Hallo Ana,"), "{html}");
    assert!(html.contains("Freitag, 4. Dezember"), "the date in German: {html}");
    let text = sys.ses.app().messages().iter().find(|m| m.to == ["ana@example.com"]).unwrap().text.clone().unwrap();
    assert!(text.contains("Freitag, 4. Dezember") && text.contains("Gut: "), "{text}");
    let (ben_html, _, ben_subject) = email_to(&sys, "ben@example.com");
    assert!(ben_html.contains("<html lang=\"ja\">") && ben_html.contains("12月4日"), "Ben reads Japanese: {ben_html}");
    assert_eq!(ben_subject, Locale::Ja.arg("daily-subject", "team", "Plattform"));

    // Ana's "I'm away until …": opening it changes nothing; a form sent without a day (a
    // scanner's) is refused; her day is taken.
    let away = path_of(link(&hrefs, "/a/")).to_string();
    let page = morale_tests::http(&sys.api_url, "GET", &away, "text/html", "").await;
    assert!(page.status == 200 && page.body.contains("Bis dahin pausieren"), "{}", page.body);
    let form = "application/x-www-form-urlencoded";
    assert_eq!(morale_tests::http(&sys.api_url, "POST", &away, form, "").await.status, 400);
    assert_eq!(morale_tests::http(&sys.api_url, "POST", &away, form, "back=2026-12-04").await.status, 400);
    assert_eq!(sys.store.get_member(&team.id, &ana.id).await.unwrap().unwrap().away_until, None);
    let r = morale_tests::http(&sys.api_url, "POST", &away, form, "back=2026-12-09").await;
    assert!(r.status == 200 && r.body.contains("Bis Mittwoch, 9. Dezember!"), "{}", r.body);
    // "I'm back now" as a scanner submits it (its box unticked) ends nothing.
    let back_now = format!("{away}/back");
    assert_eq!(morale_tests::http(&sys.api_url, "POST", &back_now, form, "").await.status, 400);
    let ana_now = sys.store.get_member(&team.id, &ana.id).await.unwrap().unwrap();
    assert_eq!(ana_now.away_until, Some(SendDate::parse("2026-12-09").unwrap()));

    let (sys, team) = (&sys, &team);
    let sent_on = |date: &'static str| async move {
        let items = sys.store.list_outbox(&team.id, Some(SendDate::parse(date).unwrap())).await.unwrap();
        let mut to: Vec<String> = items.iter().map(|i| i.email.to_string()).collect();
        to.sort();
        to
    };
    // Monday is quiet: no email, and not missed.
    sys.clock.set(ts("2026-12-07T08:05:00Z"));
    let r = sys.tick().await;
    assert_eq!((r.sent, r.sends_missed), (0, 0));
    assert!(sent_on("2026-12-07").await.is_empty());
    // Tuesday: Ben only. Ana is away: not asked, so not counted as silent.
    sys.clock.set(ts("2026-12-08T08:05:00Z"));
    assert_eq!(sys.tick().await.sent, 1);
    assert_eq!(sent_on("2026-12-08").await, ["ben@example.com"]);
    let tuesday = sys.store.get_day(&team.id, SendDate::parse("2026-12-08").unwrap()).await.unwrap().unwrap();
    assert_eq!((tuesday.plan.members, tuesday.plan.paused), (1, 1), "{tuesday:?}");
    // Wednesday: Ana is back, by herself.
    sys.clock.set(ts("2026-12-09T08:05:00Z"));
    assert_eq!(sys.tick().await.sent, 2);
    assert_eq!(sent_on("2026-12-09").await, ["ana@example.com", "ben@example.com"]);
    let alerts = sys.alerts.all().await;
    assert!(alerts.iter().all(|(s, _)| !s.contains("never sent")), "nothing missed: {alerts:?}");
}
