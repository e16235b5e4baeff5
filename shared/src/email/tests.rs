use super::*;

fn render(name: Option<&str>, team_name: &str) -> RenderedEmail {
    render_in(Locale::En, name, team_name, "2026-11-24")
}

fn render_in(locale: Locale, name: Option<&str>, team_name: &str, date: &str) -> RenderedEmail {
    render_with(locale, name, team_name, date, crate::domain::Privacy::default().min_voters())
}

fn render_with(locale: Locale, name: Option<&str>, team_name: &str, date: &str, min_voters: u32) -> RenderedEmail {
    let r = EmailRenderer::new(TokenKeys::development(), "https://api.example/");
    r.daily(
        &DailyEmail {
            team: &TeamId::parse("platform").unwrap(),
            team_name,
            member: &MemberId::parse("mabc").unwrap(),
            member_name: name,
            date: SendDate::parse(date).unwrap(),
            answers_close: "2026-11-26T00:00:00Z".parse().unwrap(),
            locale,
            min_voters,
        },
        "2026-11-24T15:00:00Z".parse().unwrap(),
    )
}

#[test]
fn has_five_signed_answers_and_an_unsubscribe_link_in_both_parts() {
    let e = render(Some("Ana"), "Platform");
    let keys = TokenKeys::development();
    let now = "2026-11-24T15:00:00Z".parse().unwrap();
    for part in [&e.html, &e.text] {
        assert!(!part.contains("?s="), "no answer in clear");
        assert!(part.contains("https://api.example/u/"));
        assert!(part.contains("Hi Ana"));
        assert!(part.contains("Tuesday 24 November"));
    }
    for s in Score::ALL {
        let line = format!("{}:", Locale::En.text(&format!("answer-{}", s.value())));
        let url = e.text.lines().find(|l| l.contains(&line)).unwrap().split_whitespace().last().unwrap();
        let token = url.strip_prefix("https://api.example/r/").unwrap();
        let c = keys.open(token, Purpose::Answer, now).unwrap();
        assert_eq!((c.team.as_str(), c.member.as_str(), c.date.as_str()), ("platform", "mabc", "2026-11-24"));
        assert_eq!(c.score, Some(s), "each answer's link carries its own answer, sealed");
        assert!(e.html.contains(url), "the HTML part has the same link");
    }
    let (name, value) = &e.headers[0];
    assert_eq!(name, "List-Unsubscribe");
    let unsub = value.trim_start_matches("<https://api.example/u/").trim_end_matches('>');
    assert!(keys.open(unsub, Purpose::Unsubscribe, now).is_ok());
    assert_eq!(e.headers[1], ("List-Unsubscribe-Post".into(), "List-Unsubscribe=One-Click".into()));
}

#[test]
fn html_is_escaped_and_accessible() {
    let e = render(Some("<b>Eve</b>"), "R&D <team>");
    assert!(
        e.html.contains("Hi &#60;b&#62;Eve&#60;/b&#62;") || e.html.contains("Hi &lt;b&gt;Eve&lt;/b&gt;"),
        "{}",
        e.html
    );
    assert!(!e.html.contains("<b>Eve</b>"));
    assert!(e.html.contains("lang=\"en\""));
    assert!(e.html.contains("prefers-color-scheme: dark"));
    assert!(e.html.contains("aria-hidden=\"true\""), "emoji are decoration; the words carry the meaning");
    assert!(!e.html.contains("<img"), "real text, not images");
    // The text part is for humans and is not HTML-escaped.
    assert!(e.text.contains("Hi <b>Eve</b>"));
    assert!(e.subject.starts_with("R&D <team>:"));
}

#[test]
fn the_digest_lists_every_line_escaped() {
    let r = EmailRenderer::new(TokenKeys::development(), "https://api.example");
    let late = ProblemLine {
        address: "bo@example.com".into(),
        status: MemberStatus::Complained,
        removed: true,
        detail: "complaint (abuse)".into(),
        about: Some(SendDate::parse("2026-11-23").unwrap()),
    };
    let lines =
        vec!["ana@example.com — bounced: 5.1.1".to_string(), late.to_string(), "<b>x</b> — complained".to_string()];
    let day = SendDate::parse("2026-11-24").unwrap();
    let e = r.problem_report(Locale::En, "Platform", day, &lines, false);
    assert!(e.subject.contains("Platform"));
    let bounced = "ana@example.com: bounced: their mail server refuses the email (5.1.1)";
    assert!(e.text.contains(bounced) && e.text.contains("Tuesday 24 November 2026"), "{}", e.text);
    assert!(e.text.contains("bo@example.com: reported the email as spam; no longer a member; about the email of Monday 23 November (complaint (abuse))"), "{}", e.text);
    assert!(e.html.contains(bounced));
    assert!(e.text.contains("<b>x</b> — complained"), "a line of another shape, as it is");
    assert!(!e.html.contains("<b>x</b>"));
    let more = "This email lists 200 problems at most, and there may be more";
    assert!(!e.text.contains(more) && !e.html.contains(more));
    let full = r.problem_report(Locale::En, "Platform", day, &lines, true);
    assert!(full.text.contains(more) && full.html.contains(more), "{}", full.text);
    // In the team's language; the mail server's detail as it came.
    let de = r.problem_report(Locale::De, "Plattform", day, &lines, false);
    assert!(
        de.text.contains("ana@example.com: unzustellbar: der Mailserver lehnt die E-Mail ab (5.1.1)"),
        "{}",
        de.text
    );
    assert!(de.text.contains("betrifft die E-Mail vom Montag, 23. November"), "{}", de.text);
}

/// Every email in every shipped language: nothing missing, the page's language declared,
/// the links the same.
#[test]
fn every_email_renders_in_every_locale() {
    let r = EmailRenderer::new(TokenKeys::development(), "https://api.example");
    let date = SendDate::parse("2026-12-04").unwrap();
    let week = |m| crate::insights::Week { mean: m, participation: Some(0.5), days_with_enough: 1, workdays: 5 };
    let members = WeeklyMembers {
        active: 7,
        stopped: vec![(MemberStatus::Bounced, 1), (MemberStatus::Unsubscribed, 2)],
        away: 1,
        delivery: Some(crate::domain::Ledger { scheduled: 35, delivered: 33, bounced: 2, ..Default::default() }),
    };
    for t in Locale::ALL {
        let mut team =
            crate::fixtures::team("platform", "UTC", "09:00", "mon-fri", "2026-11-01T00:00:00Z".parse().unwrap());
        (team.name, team.locale) = ("Platform".into(), t);
        let emails = [
            render_in(t, Some("Ana"), "Platform", "2026-12-04"),
            render_in(t, None, "Platform", "2026-12-04"),
            r.weekly(&team, &week(Some(3.5)), &week(Some(2.25)), &members, "https://api.example/t/x"),
            r.weekly(
                &team,
                &week(None),
                &week(None),
                &WeeklyMembers { stopped: vec![], away: 0, delivery: None, ..members },
                "u",
            ),
            r.low_morale(&team, &[(date, 1.75)], "https://api.example/t/x"),
            r.problem_report(t, "Platform", date, &["a***@example.com: bounced".into()], true),
        ];
        for e in &emails {
            for part in [&e.subject, &e.html, &e.text] {
                assert!(!part.contains('⟦'), "{t}: a message is missing in {part}");
                assert!(part.contains("Platform"), "{t}: {part}");
            }
            assert!(e.html.contains(&format!("<html lang=\"{}\">", t.tag())), "{t}");
        }
        let daily = &emails[0];
        assert!(daily.text.contains(&t.date(date.date())), "{t}: the date the local way");
        assert_eq!(daily.text.matches("https://api.example/r/").count(), 5);
        assert!(daily.html.contains("https://api.example/a/") && daily.text.contains("https://api.example/a/"));
    }
    let de = render_in(Locale::De, Some("Ana"), "Plattform", "2026-12-04");
    assert!(de.html.contains("Freitag, 4. Dezember"), "{}", de.html);
    assert!(de.subject.starts_with("Plattform: "), "{}", de.subject);
    assert!(de.text.contains("  Gut: https://api.example/r/"), "the answers in German: {}", de.text);
}

#[test]
fn the_away_link_opens_the_members_own_pause() {
    let e = render(Some("Ana"), "Platform");
    let url = e.text.lines().find_map(|l| l.split_whitespace().find(|w| w.contains("/a/"))).unwrap();
    let token = url.strip_prefix("https://api.example/a/").unwrap();
    let now = "2026-11-24T15:00:00Z".parse().unwrap();
    let c = TokenKeys::development().open(token, Purpose::Away, now).unwrap();
    assert_eq!((c.team.as_str(), c.member.as_str()), ("platform", "mabc"));
    assert!(TokenKeys::development().open(token, Purpose::Answer, now).is_err(), "for pausing only");
}

#[test]
fn greets_without_a_name() {
    assert!(render(None, "Platform").text.starts_with("Hi,"));
}

/// What each email says of the privacy bar is the team's own: a team that raised it to five
/// is told five, in the daily email and in the admins' digest and alert, in every language.
#[test]
fn the_privacy_bar_said_is_the_teams() {
    let r = EmailRenderer::new(TokenKeys::development(), "https://api.example");
    let week = crate::insights::Week { mean: Some(3.0), participation: Some(0.5), days_with_enough: 1, workdays: 5 };
    let members = WeeklyMembers { active: 7, stopped: vec![], away: 0, delivery: None };
    for t in Locale::ALL {
        let mut team =
            crate::fixtures::team("platform", "UTC", "09:00", "mon-fri", "2026-11-01T00:00:00Z".parse().unwrap());
        team.locale = t;
        for (bar, other) in [(3, 5), (5, 3)] {
            team.privacy = crate::domain::Privacy::new(bar, 5).unwrap();
            let footer =
                |min: u32| t.args("daily-footer", &[("team", "Platform".into()), ("min", i64::from(min).into())]);
            let daily = render_with(t, None, "Platform", "2026-12-04", bar);
            let weekly = r.weekly(&team, &week, &week, &members, "u");
            let low = r.low_morale(&team, &[(SendDate::parse("2026-12-04").unwrap(), 1.5)], "u");
            for (part, said, not) in [
                (&daily.html, footer(bar), footer(other)),
                (&daily.text, footer(bar), footer(other)),
                (&weekly.text, t.num("weekly-privacy", "min", bar), t.num("weekly-privacy", "min", other)),
                (&weekly.html, t.num("weekly-privacy", "min", bar), t.num("weekly-privacy", "min", other)),
                (&low.text, t.num("low-body", "min", bar), t.num("low-body", "min", other)),
                (&low.html, t.num("low-body", "min", bar), t.num("low-body", "min", other)),
            ] {
                assert!(said.contains(&bar.to_string()), "{t}: {said}");
                assert!(part.contains(&said) && !part.contains(&not), "{t} at {bar}: {part}");
            }
        }
    }
}
