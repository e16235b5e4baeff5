//! The pages the response API serves, from `templates/`, and their security headers.

use askama::Template;
use base64::Engine;
use morale::domain::{Locale, Score};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The pages' only stylesheet, inline, allowed by its hash in the CSP.
pub const CSS: &str = "\
:root{color-scheme:light dark;--bg:#f3f4f6;--card:#fff;--ink:#111827;--muted:#4b5563;--line:#d1d5db;--accent:#1d4ed8;--ok:#065f46}\
@media (prefers-color-scheme:dark){:root{--bg:#111827;--card:#1f2937;--ink:#f9fafb;--muted:#d1d5db;--line:#4b5563;--accent:#93c5fd;--ok:#6ee7b7}}\
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font:17px/1.5 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}\
.card{max-width:480px;margin:24px auto;padding:28px 24px;background:var(--card);border-radius:14px}\
h1{font-size:24px;line-height:1.25;margin:0 0 16px}p{margin:0 0 16px}.eyebrow{color:var(--muted);font-size:14px;margin-bottom:6px}\
.choice{font-size:22px;font-weight:600;padding:14px 16px;border:2px solid var(--line);border-radius:10px}.emoji{font-size:30px;vertical-align:middle;padding-right:8px}\
button{display:block;width:100%;min-height:52px;margin:8px 0 16px;border:0;border-radius:10px;background:var(--accent);color:var(--card);font-size:18px;font-weight:600;cursor:pointer}\
button.secondary{background:transparent;color:var(--accent);border:2px solid var(--accent)}\
label{display:block;font-weight:600;margin-bottom:6px}textarea{width:100%;font:inherit;padding:10px;border:2px solid var(--line);border-radius:10px;background:var(--card);color:var(--ink)}\
.small{font-size:14px;color:var(--muted)}.ok{color:var(--ok);font-weight:600}\
fieldset.answers{border:0;padding:0;margin:0 0 16px}legend{font-size:24px;line-height:1.25;font-weight:700;margin:0 0 16px;padding:0}\
label.answer{display:flex;align-items:center;gap:10px;min-height:52px;margin:0 0 8px;padding:8px 14px;border:2px solid var(--line);border-radius:10px;font-weight:600;cursor:pointer}\
label.answer:has(input:checked){border-color:var(--accent);box-shadow:inset 0 0 0 1px var(--accent)}\
label.answer input{width:22px;height:22px;margin:0;accent-color:var(--accent)}\
details{margin:0 0 16px}summary{min-height:44px;padding:10px 0;color:var(--accent);font-weight:600;cursor:pointer}\
input:focus-visible,summary:focus-visible,textarea:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}\
a{color:var(--accent)}\
.card:has(.chart){max-width:720px}h2{font-size:18px;margin:24px 0 8px}\
.stats{display:flex;gap:12px;flex-wrap:wrap;margin:0 0 16px}.stats div{flex:1;min-width:120px;padding:12px;border:2px solid var(--line);border-radius:10px}\
.big{display:block;font-size:26px;font-weight:700}.chart{width:100%;height:auto;display:block;margin:8px 0}\
.grid{stroke:var(--line);stroke-width:1}.axis{fill:var(--muted);font-size:11px}\
.s1{fill:#dc2626}.s2{fill:#f97316}.s3{fill:#eab308}.s4{fill:#84cc16}.s5{fill:#16a34a}rect.s1,rect.s2,rect.s3,rect.s4,rect.s5{fill-opacity:.55}\
.thin{fill:var(--muted);fill-opacity:.5}.mean{fill:none;stroke:var(--accent);stroke-width:2}.point{fill:var(--accent)}\
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 2px 0 8px}.key.s1{background:#dc2626}.key.s2{background:#f97316}.key.s3{background:#eab308}.key.s4{background:#84cc16}.key.s5{background:#16a34a}\
.comments{padding-left:20px}.comments li{margin-bottom:6px}\
.figures{width:100%;border-collapse:collapse;font-size:14px;margin:0 0 16px}.figures th,.figures td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line)}caption{text-align:left;font-weight:600;padding:0 0 6px}\
label.check{display:flex;align-items:center;gap:10px;min-height:44px;font-weight:600}label.check input{width:22px;height:22px;margin:0;accent-color:var(--accent)}\
input[type=date]{display:block;font:inherit;min-height:48px;padding:8px 10px;margin:0 0 6px;border:2px solid var(--line);border-radius:10px;background:var(--card);color:var(--ink)}";

fn sha256_b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
}

/// Nothing loads from anywhere and no script runs: the one stylesheet is allowed by its hash.
/// No page does anything by itself (a scanner that runs script finds nothing to run).
pub static CSP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'none'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        sha256_b64(CSS)
    )
});

pub struct Answer {
    pub value: u8,
    pub emoji: &'static str,
    pub label: String,
}

impl Answer {
    pub fn new(s: Score, t: Locale) -> Self {
        Self { value: s.value(), emoji: s.emoji(), label: t.text(&format!("answer-{}", s.value())) }
    }
}

/// The answer form of the confirm and thank-you pages: the five answers as one radio group
/// (one chosen), an optional comment, and the token in the body, never in the URL.
pub struct AnswerForm<'a> {
    pub token: &'a str,
    pub choices: Vec<Choice>,
    pub comment: &'a str,
}

pub struct Choice {
    pub answer: Answer,
    pub checked: bool,
}

impl<'a> AnswerForm<'a> {
    pub fn new(t: Locale, token: &'a str, chosen: Option<Score>, comment: &'a str) -> Self {
        let choices =
            Score::ALL.into_iter().map(|s| Choice { answer: Answer::new(s, t), checked: Some(s) == chosen }).collect();
        Self { token, choices, comment }
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct Confirm<'a> {
    pub t: Locale,
    pub team_name: &'a str,
    pub date_text: &'a str,
    pub form: AnswerForm<'a>,
    /// What the team sees, and from how many answers a day.
    pub privacy: String,
}

#[derive(Template)]
#[template(path = "thanks.html")]
pub struct Thanks<'a> {
    pub t: Locale,
    pub team_name: &'a str,
    pub date_text: &'a str,
    pub answer: Answer,
    pub comment_saved: bool,
    /// Different answers for this email came within seconds: a scanner's, none counted.
    pub quarantined: bool,
    pub form: AnswerForm<'a>,
    pub privacy: String,
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
pub struct Unsubscribe<'a> {
    pub t: Locale,
    pub token: &'a str,
    pub team_name: &'a str,
}

#[derive(Template)]
#[template(path = "unsubscribed.html")]
pub struct Unsubscribed<'a> {
    pub t: Locale,
    pub token: &'a str,
    pub team_name: &'a str,
    pub heading: &'a str,
    pub message: &'a str,
    pub offer_resubscribe: bool,
}

#[derive(Template)]
#[template(path = "trend.html")]
pub struct Trend<'a> {
    pub t: Locale,
    pub token: &'a str,
    pub team_name: &'a str,
    /// "Platform · last 30 days".
    pub period: String,
    pub days: u16,
    pub mean: String,
    pub participation: String,
    pub enough_days: String,
    pub chart: crate::trend::Chart,
    /// Who gets the daily email, and who does not and why, as one sentence.
    pub members: String,
    pub rows: Vec<crate::trend::Row>,
    pub comments: Vec<String>,
    pub min_voters: u32,
    /// What a day needs before it shows.
    pub note: String,
}

/// "I'm away until …": the member picks the day they are back, or comes back now.
#[derive(Template)]
#[template(path = "away.html")]
pub struct Away<'a> {
    pub t: Locale,
    pub token: &'a str,
    pub team_name: &'a str,
    /// Whether the member gets the daily email at all (else there is nothing to pause).
    pub active: bool,
    /// Whether a day is left to choose before the link stops opening.
    pub can_pause: bool,
    /// The day they are back, written out, while they are away.
    pub back_text: Option<String>,
    pub heading: String,
    pub message: String,
    /// Whether this page follows a change (announced to screen readers).
    pub changed: bool,
    /// The date field's bounds, `YYYY-MM-DD`, and the last written out.
    pub first: String,
    pub last: String,
    pub last_text: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub t: Locale,
    pub title: &'a str,
    pub message: &'a str,
}
