//! The daily email, in HTML and plain text, from one set of templates (`templates/email`).

use crate::domain::{EmailAddress, Locale, MemberId, MemberStatus, ProblemLine, Score, SendDate, TeamId};
use crate::mail::OutgoingEmail;
use crate::token::{Claims, Purpose, TokenKeys};
use askama::Template;
use jiff::Timestamp;

/// One of the five answers, as a link.
pub struct AnswerLink {
    pub score: Score,
    pub emoji: &'static str,
    pub label: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "email/daily.html")]
struct DailyHtml<'a> {
    t: Locale,
    subject: &'a str,
    member_name: Option<&'a str>,
    team_name: &'a str,
    date_text: &'a str,
    answers: &'a [AnswerLink],
    unsubscribe_url: &'a str,
    away_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/daily.txt")]
struct DailyText<'a> {
    t: Locale,
    member_name: Option<&'a str>,
    team_name: &'a str,
    date_text: &'a str,
    answers: &'a [AnswerLink],
    unsubscribe_url: &'a str,
    away_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/digest.html")]
struct DigestHtml<'a> {
    t: Locale,
    subject: &'a str,
    team_name: &'a str,
    intro: &'a str,
    lines: &'a [String],
}

#[derive(Template)]
#[template(path = "email/digest.txt")]
struct DigestText<'a> {
    t: Locale,
    team_name: &'a str,
    intro: &'a str,
    lines: &'a [String],
}

#[derive(Template)]
#[template(path = "email/weekly.html")]
struct WeeklyHtml<'a> {
    t: Locale,
    subject: &'a str,
    headline: &'a str,
    team_name: &'a str,
    this_mean: &'a str,
    last_mean: &'a str,
    this_participation: &'a str,
    last_participation: &'a str,
    this_days: &'a str,
    last_days: &'a str,
    problems: &'a str,
    trend_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/weekly.txt")]
struct WeeklyText<'a> {
    t: Locale,
    headline: &'a str,
    team_name: &'a str,
    this_mean: &'a str,
    last_mean: &'a str,
    this_participation: &'a str,
    last_participation: &'a str,
    this_days: &'a str,
    last_days: &'a str,
    problems: &'a str,
    trend_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/low_morale.html")]
struct LowMoraleHtml<'a> {
    t: Locale,
    subject: &'a str,
    team_name: &'a str,
    days: &'a [String],
    trend_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/low_morale.txt")]
struct LowMoraleText<'a> {
    t: Locale,
    team_name: &'a str,
    days: &'a [String],
    trend_url: &'a str,
}

/// An email ready for the mailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedEmail {
    pub subject: String,
    pub html: String,
    pub text: String,
    /// Extra headers: `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058).
    pub headers: Vec<(String, String)>,
}

impl RenderedEmail {
    /// The email addressed to one recipient, with the SES tags its events come back with.
    pub fn to(self, to: EmailAddress, tags: Vec<(String, String)>) -> OutgoingEmail {
        OutgoingEmail { to, subject: self.subject, html: self.html, text: self.text, headers: self.headers, tags }
    }
}

/// Renders emails with signed links to the response API.
#[derive(Clone, Debug)]
pub struct EmailRenderer {
    keys: TokenKeys,
    /// The response API's public base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`.
    api_base: String,
}

/// Who and what one daily email is for.
pub struct DailyEmail<'a> {
    pub team: &'a TeamId,
    pub team_name: &'a str,
    pub member: &'a MemberId,
    pub member_name: Option<&'a str>,
    pub date: SendDate,
    /// When the day's answers close: the answer links work until then.
    pub answers_close: Timestamp,
    /// The member's own, or else the team's.
    pub locale: Locale,
}

impl EmailRenderer {
    pub fn new(keys: TokenKeys, api_base: &str) -> Self {
        Self { keys, api_base: api_base.trim_end_matches('/').to_string() }
    }

    pub fn keys(&self) -> &TokenKeys {
        &self.keys
    }

    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// An answer link: the path is one opaque token, which alone knows the answer it stands for.
    pub fn answer_url(&self, token: &str) -> String {
        format!("{}/r/{token}", self.api_base)
    }

    pub fn unsubscribe_url(&self, token: &str) -> String {
        format!("{}/u/{token}", self.api_base)
    }

    /// The "I'm away until …" page.
    pub fn away_url(&self, token: &str) -> String {
        format!("{}/a/{token}", self.api_base)
    }

    pub fn daily(&self, e: &DailyEmail<'_>, now: Timestamp) -> RenderedEmail {
        let t = e.locale;
        let answer = Claims::new(Purpose::Answer, e.team, e.member, e.date, now).expires(e.answers_close);
        let unsubscribe = Claims::new(Purpose::Unsubscribe, e.team, e.member, e.date, now);
        let away = Claims::new(Purpose::Away, e.team, e.member, e.date, now);
        let answers: Vec<AnswerLink> = Score::ALL
            .iter()
            .map(|&s| AnswerLink {
                score: s,
                emoji: s.emoji(),
                label: t.text(&format!("answer-{}", s.value())),
                url: self.answer_url(&self.keys.seal(&answer.clone().score(s))),
            })
            .collect();
        let unsubscribe_url = self.unsubscribe_url(&self.keys.seal(&unsubscribe));
        let away_url = self.away_url(&self.keys.seal(&away));
        let date_text = t.date(e.date.date());
        // Keep the subject plain (no emoji) and the same every day: easy to filter, never spammy.
        let subject = t.arg("daily-subject", "team", e.team_name);
        let html = DailyHtml {
            t,
            subject: &subject,
            member_name: e.member_name,
            team_name: e.team_name,
            date_text: &date_text,
            answers: &answers,
            unsubscribe_url: &unsubscribe_url,
            away_url: &away_url,
        }
        .render()
        .expect("the daily HTML template renders");
        let text = DailyText {
            t,
            member_name: e.member_name,
            team_name: e.team_name,
            date_text: &date_text,
            answers: &answers,
            unsubscribe_url: &unsubscribe_url,
            away_url: &away_url,
        }
        .render()
        .expect("the daily text template renders");
        RenderedEmail {
            subject,
            html,
            text,
            headers: vec![
                ("List-Unsubscribe".into(), format!("<{unsubscribe_url}>")),
                ("List-Unsubscribe-Post".into(), "List-Unsubscribe=One-Click".into()),
            ],
        }
    }
}

/// Who the weekly digest counts: members who get the daily email, and how many are stopped
/// by each other status or away; and how last week's daily emails ended.
pub struct WeeklyMembers {
    pub active: usize,
    pub stopped: Vec<(MemberStatus, usize)>,
    pub away: usize,
    pub delivery: Option<crate::domain::Ledger>,
}

/// A problem report's line in `t`: the address, what happened, and the detail as it came.
fn problem_line(t: Locale, p: &ProblemLine) -> String {
    let mut what = vec![t.text(&format!("problem-{}", p.status.as_str()))];
    if p.removed {
        what.push(t.text("problem-removed"));
    }
    if let Some(d) = p.about {
        what.push(t.arg("problem-about", "date", t.date(d.date())));
    }
    let what = what.join(&t.text("list-separator"));
    t.args(
        "problem-line",
        &[("address", p.address.clone().into()), ("what", what.into()), ("detail", p.detail.clone().into())],
    )
}

/// A ledger's line in `t`: reached of scheduled, then each way an email did not arrive.
fn delivery_line(t: Locale, l: &crate::domain::Ledger) -> String {
    let reached = [("reached", i64::from(l.reached()).into()), ("scheduled", i64::from(l.scheduled).into())];
    let mut parts = vec![t.args("delivery-reached", &reached)];
    for (id, n) in [
        ("delivery-complained", l.complained),
        ("delivery-bounced", l.bounced),
        ("delivery-failed", l.failed_total()),
        ("delivery-suppressed", l.suppressed),
        ("delivery-unconfirmed", l.unconfirmed),
        ("delivery-in-flight", l.in_flight),
        ("delivery-missed", l.missed),
        ("delivery-unaccounted", l.unaccounted),
    ] {
        if n > 0 {
            parts.push(t.count(id, n));
        }
    }
    parts.join(&t.text("list-separator"))
}

impl WeeklyMembers {
    fn text(&self, t: Locale) -> String {
        let mut parts: Vec<String> = self
            .stopped
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| t.count(&format!("members-{}", s.as_str()), n))
            .collect();
        if self.away > 0 {
            parts.push(t.count("members-away", self.away));
        }
        let stopped = parts.join(&t.text("list-separator"));
        let mut text = if parts.is_empty() {
            t.count("weekly-all-active", self.active)
        } else {
            t.args("weekly-some-stopped", &[("n", (self.active as i64).into()), ("stopped", stopped.into())])
        };
        if let Some(ledger) = &self.delivery {
            text.push(' ');
            text.push_str(&t.arg("weekly-delivery", "line", delivery_line(t, ledger)));
        }
        text
    }
}

impl EmailRenderer {
    /// A sealed link to the team's trend page, for one of its admins.
    pub fn trend_url(
        &self,
        team: &crate::domain::Team,
        admin: &crate::domain::EmailAddress,
        date: SendDate,
        now: Timestamp,
    ) -> String {
        let token = self.keys.seal(&Claims::new(Purpose::Admin, &team.id, &team.member_id(admin), date, now));
        format!("{}/t/{token}", self.api_base)
    }

    /// The admins' weekly digest: last week against the week before.
    pub fn weekly(
        &self,
        t: Locale,
        team_name: &str,
        this: &crate::insights::Week,
        last: &crate::insights::Week,
        members: &WeeklyMembers,
        trend_url: &str,
    ) -> RenderedEmail {
        let mean =
            |w: &crate::insights::Week| w.mean.map(|m| t.decimal(m, 2)).unwrap_or_else(|| t.text("weekly-no-mean"));
        let part = |w: &crate::insights::Week| w.participation.map(|p| t.percent(p)).unwrap_or_else(|| "–".into());
        let days = |w: &crate::insights::Week| {
            t.args("trend-of", &[("n", (w.days_with_enough as i64).into()), ("total", (w.workdays as i64).into())])
        };
        let (id, a, b) = match (this.mean, last.mean) {
            (Some(a), Some(b)) if a > b + 0.05 => ("weekly-better", Some(a), Some(b)),
            (Some(a), Some(b)) if a < b - 0.05 => ("weekly-harder", Some(a), Some(b)),
            (Some(a), Some(_)) => ("weekly-steady", Some(a), None),
            (Some(a), None) => ("weekly-first", Some(a), None),
            _ => ("weekly-unknown", None, None),
        };
        let mut args = vec![("team", team_name.to_string().into())];
        args.extend(a.map(|a| ("mean", t.decimal(a, 2).into())));
        args.extend(b.map(|b| ("last", t.decimal(b, 2).into())));
        let headline = t.args(id, &args);
        let subject = t.arg("weekly-subject", "team", team_name);
        let problems = members.text(t);
        let (tm, lm, tp, lp, td, ld) = (mean(this), mean(last), part(this), part(last), days(this), days(last));
        let html = WeeklyHtml {
            t,
            subject: &subject,
            headline: &headline,
            team_name,
            this_mean: &tm,
            last_mean: &lm,
            this_participation: &tp,
            last_participation: &lp,
            this_days: &td,
            last_days: &ld,
            problems: &problems,
            trend_url,
        }
        .render()
        .expect("weekly HTML renders");
        let text = WeeklyText {
            t,
            headline: &headline,
            team_name,
            this_mean: &tm,
            last_mean: &lm,
            this_participation: &tp,
            last_participation: &lp,
            this_days: &td,
            last_days: &ld,
            problems: &problems,
            trend_url,
        }
        .render()
        .expect("weekly text renders");
        RenderedEmail { subject, html, text, headers: vec![] }
    }

    /// The admins' low-morale alert: the days of the streak, team means only.
    pub fn low_morale(&self, t: Locale, team_name: &str, days: &[(SendDate, f64)], trend_url: &str) -> RenderedEmail {
        let subject = t.arg("low-subject", "team", team_name);
        let lines: Vec<String> = days
            .iter()
            .map(|(d, m)| t.args("low-day", &[("date", t.date(d.date()).into()), ("mean", t.decimal(*m, 2).into())]))
            .collect();
        let html =
            LowMoraleHtml { t, subject: &subject, team_name, days: &lines, trend_url }.render().expect("renders");
        let text = LowMoraleText { t, team_name, days: &lines, trend_url }.render().expect("renders");
        RenderedEmail { subject, html, text, headers: vec![] }
    }

    /// The admins' daily digest of delivery problems: each line in `t` (a line of another
    /// shape, from an older record, as it is).
    pub fn problem_report(&self, t: Locale, team_name: &str, date: SendDate, lines: &[String]) -> RenderedEmail {
        let lines: Vec<String> =
            lines.iter().map(|l| ProblemLine::parse(l).map_or_else(|| l.clone(), |p| problem_line(t, &p))).collect();
        let lines = &lines[..];
        let subject = t.arg("problems-subject", "team", team_name);
        let intro = t.args(
            "problems-intro",
            &[("team", team_name.to_string().into()), ("date", t.date_year(date.date()).into())],
        );
        let html =
            DigestHtml { t, subject: &subject, team_name, intro: &intro, lines }.render().expect("digest HTML renders");
        let text = DigestText { t, team_name, intro: &intro, lines }.render().expect("digest text renders");
        RenderedEmail { subject, html, text, headers: vec![] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(name: Option<&str>, team_name: &str) -> RenderedEmail {
        render_in(Locale::En, name, team_name, "2026-11-24")
    }

    fn render_in(locale: Locale, name: Option<&str>, team_name: &str, date: &str) -> RenderedEmail {
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
        let e = r.problem_report(Locale::En, "Platform", day, &lines);
        assert!(e.subject.contains("Platform"));
        let bounced = "ana@example.com: bounced: their mail server refuses the email (5.1.1)";
        assert!(e.text.contains(bounced) && e.text.contains("Tuesday 24 November 2026"), "{}", e.text);
        assert!(e.text.contains("bo@example.com: reported the email as spam; no longer a member; about the email of Monday 23 November (complaint (abuse))"), "{}", e.text);
        assert!(e.html.contains(bounced));
        assert!(e.text.contains("<b>x</b> — complained"), "a line of another shape, as it is");
        assert!(!e.html.contains("<b>x</b>"));
        // In the team's language; the mail server's detail as it came.
        let de = r.problem_report(Locale::De, "Plattform", day, &lines);
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
            let emails = [
                render_in(t, Some("Ana"), "Platform", "2026-12-04"),
                render_in(t, None, "Platform", "2026-12-04"),
                r.weekly(t, "Platform", &week(Some(3.5)), &week(Some(2.25)), &members, "https://api.example/t/x"),
                r.weekly(
                    t,
                    "Platform",
                    &week(None),
                    &week(None),
                    &WeeklyMembers { stopped: vec![], away: 0, delivery: None, ..members },
                    "u",
                ),
                r.low_morale(t, "Platform", &[(date, 1.75)], "https://api.example/t/x"),
                r.problem_report(t, "Platform", date, &["a***@example.com: bounced".into()]),
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
}
