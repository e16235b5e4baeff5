//! The daily email, in HTML and plain text, from one set of templates (`templates/email`).

use crate::domain::{EmailAddress, MemberId, Score, SendDate, TeamId};
use crate::mail::OutgoingEmail;
use crate::token::{Claims, Purpose, TokenKeys};
use askama::Template;
use jiff::Timestamp;

/// One of the five answers, as a link.
pub struct AnswerLink {
    pub score: Score,
    pub emoji: &'static str,
    pub label: &'static str,
    pub url: String,
}

#[derive(Template)]
#[template(path = "email/daily.html")]
struct DailyHtml<'a> {
    subject: &'a str,
    member_name: Option<&'a str>,
    team_name: &'a str,
    date_text: &'a str,
    answers: &'a [AnswerLink],
    unsubscribe_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/daily.txt")]
struct DailyText<'a> {
    member_name: Option<&'a str>,
    team_name: &'a str,
    date_text: &'a str,
    answers: &'a [AnswerLink],
    unsubscribe_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/digest.html")]
struct DigestHtml<'a> {
    subject: &'a str,
    team_name: &'a str,
    date: &'a str,
    lines: &'a [String],
}

#[derive(Template)]
#[template(path = "email/digest.txt")]
struct DigestText<'a> {
    team_name: &'a str,
    date: &'a str,
    lines: &'a [String],
}

#[derive(Template)]
#[template(path = "email/weekly.html")]
struct WeeklyHtml<'a> {
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
    subject: &'a str,
    team_name: &'a str,
    days: &'a [String],
    trend_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/low_morale.txt")]
struct LowMoraleText<'a> {
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

    pub fn daily(&self, e: &DailyEmail<'_>, now: Timestamp) -> RenderedEmail {
        let answer = Claims::new(Purpose::Answer, e.team, e.member, e.date, now).expires(e.answers_close);
        let unsubscribe = Claims::new(Purpose::Unsubscribe, e.team, e.member, e.date, now);
        let answers: Vec<AnswerLink> = Score::ALL
            .iter()
            .map(|&s| AnswerLink {
                score: s,
                emoji: s.emoji(),
                label: s.label(),
                url: self.answer_url(&self.keys.seal(&answer.clone().score(s))),
            })
            .collect();
        let unsubscribe_url = self.unsubscribe_url(&self.keys.seal(&unsubscribe));
        let date_text = e.date.date().strftime("%A %-d %B").to_string();
        // Keep the subject plain (no emoji) and the same every day: easy to filter, never spammy.
        let subject = format!("{}: how do you feel about work today?", e.team_name);
        let html = DailyHtml {
            subject: &subject,
            member_name: e.member_name,
            team_name: e.team_name,
            date_text: &date_text,
            answers: &answers,
            unsubscribe_url: &unsubscribe_url,
        }
        .render()
        .expect("the daily HTML template renders");
        let text = DailyText {
            member_name: e.member_name,
            team_name: e.team_name,
            date_text: &date_text,
            answers: &answers,
            unsubscribe_url: &unsubscribe_url,
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
        team_name: &str,
        this: &crate::insights::Week,
        last: &crate::insights::Week,
        problems: &str,
        trend_url: &str,
    ) -> RenderedEmail {
        let mean = |w: &crate::insights::Week| {
            w.mean.map(|m| format!("{m:.2}")).unwrap_or_else(|| "not enough answers".into())
        };
        let part = |w: &crate::insights::Week| {
            w.participation.map(|p| format!("{:.0}%", p * 100.0)).unwrap_or_else(|| "-".into())
        };
        let days = |w: &crate::insights::Week| format!("{} of {}", w.days_with_enough, w.workdays);
        let headline = match (this.mean, last.mean) {
            (Some(a), Some(b)) if a > b + 0.05 => format!("{team_name}: a better week ({a:.2}, up from {b:.2})"),
            (Some(a), Some(b)) if a < b - 0.05 => format!("{team_name}: a harder week ({a:.2}, down from {b:.2})"),
            (Some(a), Some(_)) => format!("{team_name}: a steady week ({a:.2})"),
            (Some(a), None) => format!("{team_name}: last week's mean was {a:.2}"),
            _ => format!("{team_name}: not enough answers last week to show a mean"),
        };
        let subject = format!("{team_name}: your weekly Morale digest");
        let (tm, lm, tp, lp, td, ld) = (mean(this), mean(last), part(this), part(last), days(this), days(last));
        let html = WeeklyHtml {
            subject: &subject,
            headline: &headline,
            team_name,
            this_mean: &tm,
            last_mean: &lm,
            this_participation: &tp,
            last_participation: &lp,
            this_days: &td,
            last_days: &ld,
            problems,
            trend_url,
        }
        .render()
        .expect("weekly HTML renders");
        let text = WeeklyText {
            headline: &headline,
            team_name,
            this_mean: &tm,
            last_mean: &lm,
            this_participation: &tp,
            last_participation: &lp,
            this_days: &td,
            last_days: &ld,
            problems,
            trend_url,
        }
        .render()
        .expect("weekly text renders");
        RenderedEmail { subject, html, text, headers: vec![] }
    }

    /// The admins' low-morale alert: the days of the streak, team means only.
    pub fn low_morale(&self, team_name: &str, days: &[(SendDate, f64)], trend_url: &str) -> RenderedEmail {
        let subject = format!("{team_name}: a few hard days in a row");
        let lines: Vec<String> =
            days.iter().map(|(d, m)| format!("{}: team mean {m:.2}", d.date().strftime("%A %-d %B"))).collect();
        let html = LowMoraleHtml { subject: &subject, team_name, days: &lines, trend_url }.render().expect("renders");
        let text = LowMoraleText { team_name, days: &lines, trend_url }.render().expect("renders");
        RenderedEmail { subject, html, text, headers: vec![] }
    }

    /// The admins' daily digest of delivery problems.
    pub fn problem_report(&self, team_name: &str, date: SendDate, lines: &[String]) -> RenderedEmail {
        let subject = format!("{team_name}: some daily emails could not be delivered");
        let date = date.date().strftime("%A %-d %B %Y").to_string();
        let html =
            DigestHtml { subject: &subject, team_name, date: &date, lines }.render().expect("digest HTML renders");
        let text = DigestText { team_name, date: &date, lines }.render().expect("digest text renders");
        RenderedEmail { subject, html, text, headers: vec![] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(name: Option<&str>, team_name: &str) -> RenderedEmail {
        let r = EmailRenderer::new(TokenKeys::development(), "https://api.example/");
        r.daily(
            &DailyEmail {
                team: &TeamId::parse("platform").unwrap(),
                team_name,
                member: &MemberId::parse("mabc").unwrap(),
                member_name: name,
                date: SendDate::parse("2026-11-24").unwrap(),
                answers_close: "2026-11-26T00:00:00Z".parse().unwrap(),
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
            let line = format!("{}:", s.label());
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
        let lines = vec!["ana@example.com — bounced: 5.1.1".to_string(), "<b>x</b> — complained".to_string()];
        let e = r.problem_report("Platform", SendDate::parse("2026-11-24").unwrap(), &lines);
        assert!(e.subject.contains("Platform"));
        assert!(e.text.contains("ana@example.com — bounced: 5.1.1") && e.text.contains("Tuesday 24 November 2026"));
        assert!(e.html.contains("ana@example.com — bounced: 5.1.1"));
        assert!(!e.html.contains("<b>x</b>"));
    }

    #[test]
    fn greets_without_a_name() {
        assert!(render(None, "Platform").text.starts_with("Hi,"));
    }
}
