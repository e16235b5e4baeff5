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

/// An email's HTML and text templates read the same fields: one struct holds them, and a
/// view per template derefs to it.
macro_rules! views {
    ($data:ident: $html:ident = $html_path:literal, $text:ident = $text_path:literal) => {
        #[derive(Template)]
        #[template(path = $html_path)]
        struct $html<'a>(&'a $data<'a>);

        #[derive(Template)]
        #[template(path = $text_path)]
        struct $text<'a>(&'a $data<'a>);

        impl<'a> std::ops::Deref for $html<'a> {
            type Target = $data<'a>;
            fn deref(&self) -> &$data<'a> {
                self.0
            }
        }

        impl<'a> std::ops::Deref for $text<'a> {
            type Target = $data<'a>;
            fn deref(&self) -> &$data<'a> {
                self.0
            }
        }

        impl $data<'_> {
            /// The email's HTML and text parts.
            fn parts(&self) -> (String, String) {
                let html = $html(self).render().expect(concat!($html_path, " renders"));
                let text = $text(self).render().expect(concat!($text_path, " renders"));
                (html, text)
            }
        }
    };
}

struct Daily<'a> {
    t: Locale,
    subject: &'a str,
    member_name: Option<&'a str>,
    team_name: &'a str,
    date_text: &'a str,
    answers: &'a [AnswerLink],
    unsubscribe_url: &'a str,
    away_url: &'a str,
    footer: &'a str,
}
views!(Daily: DailyHtml = "email/daily.html", DailyText = "email/daily.txt");

struct Problems<'a> {
    t: Locale,
    subject: &'a str,
    team_name: &'a str,
    intro: &'a str,
    lines: &'a [String],
    /// More came than the report lists.
    more: bool,
}
views!(Problems: ProblemsHtml = "email/digest.html", ProblemsText = "email/digest.txt");

struct Weekly<'a> {
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
    privacy: &'a str,
}
views!(Weekly: WeeklyHtml = "email/weekly.html", WeeklyText = "email/weekly.txt");

struct LowMorale<'a> {
    t: Locale,
    subject: &'a str,
    team_name: &'a str,
    days: &'a [String],
    trend_url: &'a str,
    body: &'a str,
}
views!(LowMorale: LowMoraleHtml = "email/low_morale.html", LowMoraleText = "email/low_morale.txt");

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
    /// The team's privacy bar: the answers a day needs before the team sees it.
    pub min_voters: u32,
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
        let footer = t.args("daily-footer", &[("team", e.team_name.into()), ("min", i64::from(e.min_voters).into())]);
        let (html, text) = Daily {
            t,
            subject: &subject,
            member_name: e.member_name,
            team_name: e.team_name,
            date_text: &date_text,
            answers: &answers,
            unsubscribe_url: &unsubscribe_url,
            away_url: &away_url,
            footer: &footer,
        }
        .parts();
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
        team: &crate::domain::Team,
        this: &crate::insights::Week,
        last: &crate::insights::Week,
        members: &WeeklyMembers,
        trend_url: &str,
    ) -> RenderedEmail {
        let (t, team_name) = (team.locale, team.name.as_str());
        let privacy = t.num("weekly-privacy", "min", team.privacy.min_voters());
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
        let (html, text) = Weekly {
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
            privacy: &privacy,
        }
        .parts();
        RenderedEmail { subject, html, text, headers: vec![] }
    }

    /// The admins' low-morale alert: the days of the streak, team means only.
    pub fn low_morale(&self, team: &crate::domain::Team, days: &[(SendDate, f64)], trend_url: &str) -> RenderedEmail {
        let (t, team_name) = (team.locale, team.name.as_str());
        let body = t.num("low-body", "min", team.privacy.min_voters());
        let subject = t.arg("low-subject", "team", team_name);
        let lines: Vec<String> = days
            .iter()
            .map(|(d, m)| t.args("low-day", &[("date", t.date(d.date()).into()), ("mean", t.decimal(*m, 2).into())]))
            .collect();
        let (html, text) = LowMorale { t, subject: &subject, team_name, days: &lines, trend_url, body: &body }.parts();
        RenderedEmail { subject, html, text, headers: vec![] }
    }

    /// The admins' daily digest of delivery problems: each line in `t` (a line of another
    /// shape, from an older record, as it is), and whether `more` came than it lists.
    pub fn problem_report(
        &self,
        t: Locale,
        team_name: &str,
        date: SendDate,
        lines: &[String],
        more: bool,
    ) -> RenderedEmail {
        let lines: Vec<String> =
            lines.iter().map(|l| ProblemLine::parse(l).map_or_else(|| l.clone(), |p| problem_line(t, &p))).collect();
        let lines = &lines[..];
        let subject = t.arg("problems-subject", "team", team_name);
        let intro = t.args(
            "problems-intro",
            &[("team", team_name.to_string().into()), ("date", t.date_year(date.date()).into())],
        );
        let (html, text) = Problems { t, subject: &subject, team_name, intro: &intro, lines, more }.parts();
        RenderedEmail { subject, html, text, headers: vec![] }
    }
}

#[cfg(test)]
mod tests;
