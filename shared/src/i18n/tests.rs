use super::*;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::{BTreeMap, BTreeSet};

/// Each message's id and the variables it uses, anywhere in it.
fn messages(src: &str) -> BTreeMap<String, BTreeSet<String>> {
    let res = fluent_syntax::parser::parse(src).unwrap_or_else(|(_, errors)| panic!("does not parse: {errors:?}"));
    let mut out = BTreeMap::new();
    for entry in res.body {
        if let Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(p) = &m.value {
                pattern_vars(p, &mut vars);
            }
            assert!(m.value.is_some(), "{} has no text", m.id.name);
            assert!(out.insert(m.id.name.to_string(), vars).is_none(), "{} is defined twice", m.id.name);
        }
    }
    out
}

fn pattern_vars(p: &Pattern<&str>, vars: &mut BTreeSet<String>) {
    for e in &p.elements {
        if let PatternElement::Placeable { expression } = e {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            assert!(variants.iter().any(|v| v.default), "a select has a default variant");
            variants.iter().for_each(|v| pattern_vars(&v.value, vars));
        }
        Expression::Inline(i) => inline_vars(i, vars),
    }
}

fn inline_vars(i: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match i {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        InlineExpression::FunctionReference { arguments, .. } => {
            arguments.positional.iter().for_each(|a| inline_vars(a, vars));
        }
        _ => {}
    }
}

#[test]
fn every_locale_has_every_message_with_the_same_variables() {
    let english = messages(SOURCES[0].1);
    assert!(english.len() > 150, "the reference is all of Morale's text");
    for (locale, src) in &SOURCES[1..] {
        let theirs = messages(src);
        let missing: Vec<_> = english.keys().filter(|k| !theirs.contains_key(*k)).collect();
        let extra: Vec<_> = theirs.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{locale}: missing {missing:?}, not in English {extra:?}");
        for (id, vars) in &english {
            assert_eq!(&theirs[id], vars, "{locale}: {id} must use the same variables as English");
        }
    }
}

#[test]
fn a_missing_message_is_caught_by_the_check() {
    // The check above is not vacuous: a file without a message, or with a variable renamed, fails it.
    let english = messages(SOURCES[0].1);
    let cut = SOURCES[0].1.replace("answer-send = Send my answer\n", "");
    assert_eq!(messages(&cut).len(), english.len() - 1);
    let renamed = messages(&SOURCES[0].1.replace("Hi { $name },", "Hi { $nom },"));
    assert_ne!(renamed["daily-greeting"], english["daily-greeting"]);
}

#[test]
fn every_message_formats_in_every_locale_without_error() {
    let english = messages(SOURCES[0].1);
    for locale in Locale::ALL {
        let b = bundle_of(locale);
        for (id, vars) in &english {
            let mut args = FluentArgs::new();
            for v in vars {
                args.set(v.as_str(), FluentValue::from(2));
            }
            let mut errors = vec![];
            let text = b.format_pattern(b.get_message(id).unwrap().value().unwrap(), Some(&args), &mut errors);
            assert!(errors.is_empty(), "{locale} {id}: {errors:?}");
            assert!(!text.trim().is_empty(), "{locale} {id} is empty");
            assert!(!text.contains('<') && !text.contains('>'), "{locale} {id}: messages are text, not HTML");
        }
    }
}

#[test]
fn dates_are_written_the_local_way() {
    let friday = jiff::civil::date(2026, 12, 4);
    let expect = [
        (Locale::En, "Friday 4 December", "Friday 4 December 2026"),
        (Locale::De, "Freitag, 4. Dezember", "Freitag, 4. Dezember 2026"),
        (Locale::Fr, "vendredi 4 décembre", "vendredi 4 décembre 2026"),
        (Locale::Es, "viernes, 4 de diciembre", "viernes, 4 de diciembre de 2026"),
        (Locale::PtBr, "sexta-feira, 4 de dezembro", "sexta-feira, 4 de dezembro de 2026"),
        (Locale::Ja, "12月4日 金曜日", "2026年12月4日 金曜日"),
    ];
    for (l, long, year) in expect {
        assert_eq!((l.date(friday).as_str(), l.date_year(friday).as_str()), (long, year), "{l}");
    }
    assert_eq!(Locale::En.date_short(friday), "4 Dec");
    assert_eq!(Locale::Ja.date_short_weekday(friday), "12月4日(金)");
}

#[test]
fn numbers_and_plurals() {
    assert_eq!(Locale::De.decimal(3.456, 2), "3,46");
    assert_eq!(Locale::En.decimal(3.456, 2), "3.46");
    assert_eq!(Locale::En.percent(0.42), "42%");
    assert_eq!(Locale::De.percent(0.42), "42\u{a0}%");
    assert_eq!(Locale::En.count("trend-active", 1), "One member gets the daily email");
    assert_eq!(Locale::En.count("trend-active", 3), "3 members get the daily email");
}

#[test]
fn missing_messages_show_and_arguments_go_in_as_text() {
    assert_eq!(Locale::De.text("no-such-message"), "⟦no-such-message⟧");
    assert_eq!(Locale::En.arg("daily-greeting", "name", "<b>Eve</b>"), "Hi <b>Eve</b>,", "escaping is the template's");
    assert!(!Locale::En.arg("daily-subject", "team", "R&D").contains('\u{2068}'), "no isolation marks");
    assert_eq!(Locale::En.arg("daily-greeting", "name", "007"), "Hi 007,", "text that looks like a number stays text");
    assert_eq!(Locale::Fr.count("trend-active", 0), "Aucun membre ne reçoit l’e-mail quotidien");
    assert_eq!(Locale::PtBr.count("trend-active", 1), "1 membro recebe o e-mail diário");
    assert_eq!(Locale::Ja.sentence(&["a".into(), "b".into()]), "a、b。");
    assert_eq!(Locale::En.sentence(&["a".into(), "b".into()]), "a; b.");
}

#[test]
fn a_browser_gets_the_language_it_asks_for_first() {
    assert_eq!(Locale::negotiate("de-CH,de;q=0.9,en;q=0.8"), Locale::De);
    assert_eq!(Locale::negotiate("pt-BR,pt;q=0.9"), Locale::PtBr);
    assert_eq!(Locale::negotiate("ja"), Locale::Ja);
    assert_eq!(Locale::negotiate("nl-NL,fr;q=0.5"), Locale::Fr);
    assert_eq!(Locale::negotiate("xx"), Locale::En);
    assert_eq!(Locale::negotiate(""), Locale::En);
}
