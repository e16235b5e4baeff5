//! What Morale says, in each shipped [`Locale`]: Project Fluent messages from
//! `locales/<tag>/morale.ftl`, compiled in, which a translator edits without reading Rust.
//!
//! Templates call these on the locale they are given: `t.text("answer-send")`,
//! `t.arg("daily-greeting", "name", name)` (text), `t.count("trend-active", n)` (a number). A message a locale
//! lacks falls back to English and is logged; one English lacks shows as `⟦id⟧`. The tests
//! hold every locale to English's messages and variables, so neither ships.

use crate::domain::Locale;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use jiff::civil::Date;
use std::fmt::Display;
use std::sync::LazyLock;

/// Each locale's messages, as shipped.
pub const SOURCES: [(Locale, &str); 6] = [
    (Locale::En, include_str!("../locales/en/morale.ftl")),
    (Locale::De, include_str!("../locales/de/morale.ftl")),
    (Locale::Fr, include_str!("../locales/fr/morale.ftl")),
    (Locale::Es, include_str!("../locales/es/morale.ftl")),
    (Locale::PtBr, include_str!("../locales/pt-BR/morale.ftl")),
    (Locale::Ja, include_str!("../locales/ja/morale.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| SOURCES.iter().map(|(l, src)| bundle(*l, src)).collect());

fn bundle(locale: Locale, src: &str) -> Bundle {
    let resource = FluentResource::try_new(src.to_string()).unwrap_or_else(|(partial, errors)| {
        // What parsed is used; the tests fail on any error, so this is a hand-edited file.
        tracing::error!(locale = locale.tag(), errors = ?errors, "a message file has errors");
        partial
    });
    let id = locale.tag().parse().expect("a shipped tag is a language identifier");
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: subjects and text parts are read as is.
    b.set_use_isolating(false);
    if let Err(errors) = b.add_resource(resource) {
        tracing::error!(locale = locale.tag(), errors = ?errors, "a message file defines a message twice");
    }
    b
}

fn bundle_of(locale: Locale) -> &'static Bundle {
    let i = Locale::ALL.iter().position(|l| *l == locale).expect("every locale is shipped");
    &BUNDLES[i]
}

/// One message in `locale`, or English's, or `⟦id⟧`.
fn format(locale: Locale, id: &str, args: Option<&FluentArgs>) -> String {
    for (i, l) in [locale, Locale::En].into_iter().enumerate() {
        let b = bundle_of(l);
        let Some(pattern) = b.get_message(id).and_then(|m| m.value()) else { continue };
        if i > 0 {
            tracing::error!(locale = locale.tag(), id, "a message is missing; English is shown");
        }
        let mut errors = vec![];
        let text = b.format_pattern(pattern, args, &mut errors).into_owned();
        if !errors.is_empty() {
            tracing::error!(locale = l.tag(), id, errors = ?errors, "a message could not be formatted");
        }
        return text;
    }
    tracing::error!(locale = locale.tag(), id, "no such message");
    format!("⟦{id}⟧")
}

impl Locale {
    /// The message `id`.
    pub fn text(&self, id: &str) -> String {
        format(*self, id, None)
    }

    /// The message `id` with one argument, as text.
    pub fn arg(&self, id: &str, name: &str, value: impl Display) -> String {
        self.args(id, &[(name, value.to_string().into())])
    }

    /// The message `id` with one argument, a number (a translation may choose a plural by it).
    pub fn num(&self, id: &str, name: &str, n: impl Display) -> String {
        let text = n.to_string();
        let value = text.parse::<f64>().map_or_else(|_| text.clone().into(), FluentValue::from);
        self.args(id, &[(name, value)])
    }

    /// The message `id` with its count `$n`.
    pub fn count(&self, id: &str, n: impl Display) -> String {
        self.num(id, "n", n)
    }

    /// Parts of one sentence, joined the locale's way ("a; b", "a、b"), and its full stop.
    pub fn sentence(&self, parts: &[String]) -> String {
        self.arg("sentence", "text", parts.join(&self.text("list-separator")))
    }

    /// The message `id` with its arguments.
    pub fn args(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(*k, v.clone());
        }
        format(*self, id, Some(&a))
    }

    fn date_with(&self, id: &str, d: Date, short: bool) -> String {
        let (weekday, month) = if short { ("weekday-short", "month-short") } else { ("weekday", "month") };
        let weekday = self.text(&format!("{weekday}-{}", d.weekday().to_monday_one_offset()));
        let month = self.text(&format!("{month}-{}", d.month()));
        self.args(
            id,
            &[
                ("weekday", weekday.into()),
                ("day", d.day().to_string().into()),
                ("month", month.into()),
                ("year", d.year().to_string().into()),
            ],
        )
    }

    /// "Friday 4 December", "Freitag, 4. Dezember", "12月4日(金)".
    pub fn date(&self, d: Date) -> String {
        self.date_with("date-long", d, false)
    }

    /// [`Locale::date`] with the year.
    pub fn date_year(&self, d: Date) -> String {
        self.date_with("date-long-year", d, false)
    }

    /// "Fri 4 Dec".
    pub fn date_short_weekday(&self, d: Date) -> String {
        self.date_with("date-short-weekday", d, true)
    }

    /// "4 Dec".
    pub fn date_short(&self, d: Date) -> String {
        self.date_with("date-short", d, true)
    }

    /// `x` with `places` decimals and the locale's separator: "3.45", "3,45".
    pub fn decimal(&self, x: f64, places: usize) -> String {
        let s = format!("{x:.places$}");
        s.replace('.', &self.text("decimal-separator"))
    }

    /// A share as a whole percentage: "42%", "42 %".
    pub fn percent(&self, share: f64) -> String {
        self.arg("percent", "n", format!("{:.0}", share * 100.0))
    }

    /// The shipped locale a browser asks for first (`Accept-Language`), else English.
    pub fn negotiate(accept_language: &str) -> Locale {
        use fluent_langneg::{NegotiationStrategy, accepted_languages, negotiate_languages};
        let requested = accepted_languages::parse(accept_language);
        let available: Vec<unic_langid::LanguageIdentifier> =
            Locale::ALL.iter().map(|l| l.tag().parse().expect("a shipped tag")).collect();
        let default = available[0].clone();
        let chosen = negotiate_languages(&requested, &available, Some(&default), NegotiationStrategy::Lookup);
        chosen.first().and_then(|id| Locale::parse(&id.to_string()).ok()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
