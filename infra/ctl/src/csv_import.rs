//! Importing members from CSV: every row is checked first, then all are imported or none.

use anyhow::{Result, bail};
use morale::domain::Member;
use morale::domain::{EmailAddress, Locale, MemberId, Team};
use morale::store::StoreError;
use morale::store::prelude::*;
use std::collections::HashMap;

#[derive(Debug)]
pub struct Row {
    pub line: usize,
    pub email: EmailAddress,
    pub name: Option<String>,
    /// The member's own language, over the team's.
    pub locale: Option<Locale>,
}

/// A bad row: its line number (the header is line 1) and what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct BadRow {
    pub line: usize,
    pub reason: String,
}

/// Reads `email,name,locale` rows (header required; `name` and `locale` optional; other
/// columns ignored).
pub fn parse(text: &str) -> Result<Vec<Row>, Vec<BadRow>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![BadRow { line: 1, reason: format!("the header cannot be read: {e}") }]),
    };
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(email_col) = col("email") else {
        return Err(vec![BadRow {
            line: 1,
            reason: format!(
                "the first line must be a header with an `email` column (and optionally `name` and `locale`); found {:?}",
                headers.iter().collect::<Vec<_>>()
            ),
        }]);
    };
    let name_col = col("name");
    let locale_col = col("locale");
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut seen: HashMap<MemberId, usize> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(i + 2, |p| p.line() as usize);
                bad.push(BadRow { line, reason: format!("not valid CSV: {e}") });
                continue;
            }
        };
        // The file's own line number (blank lines are skipped by the reader, not by people).
        let line = record.position().map_or(i + 2, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue; // blank line
        }
        let raw = record.get(email_col).unwrap_or("");
        let email = match EmailAddress::parse(raw) {
            Ok(e) => e,
            Err(e) => {
                bad.push(BadRow { line, reason: e.to_string() });
                continue;
            }
        };
        let name = match name_col.and_then(|c| record.get(c)).filter(|n| !n.trim().is_empty()).map(Member::parse_name) {
            None => None,
            Some(Ok(n)) => Some(n),
            Some(Err(e)) => {
                bad.push(BadRow { line, reason: e.to_string() });
                continue;
            }
        };
        let locale = match locale_col.and_then(|c| record.get(c)).filter(|l| !l.is_empty()).map(Locale::parse) {
            None => None,
            Some(Ok(l)) => Some(l),
            Some(Err(e)) => {
                bad.push(BadRow { line, reason: e.to_string() });
                continue;
            }
        };
        if let Some(first) = seen.insert(MemberId::for_email(&email), line) {
            bad.push(BadRow { line, reason: format!("{email} is already on line {first}") });
            continue;
        }
        rows.push(Row { line, email, name, locale });
    }
    if rows.is_empty() && bad.is_empty() {
        bad.push(BadRow { line: 2, reason: "no members in the file".into() });
    }
    if bad.is_empty() { Ok(rows) } else { Err(bad) }
}

/// Imports every row or none. Rows for people already in the team are bad rows too.
pub async fn import(
    store: &dyn Store,
    team: &Team,
    rows: Vec<Row>,
    now: jiff::Timestamp,
    progress: bool,
) -> Result<usize> {
    let existing: std::collections::HashSet<MemberId> =
        store.list_members(&team.id).await?.into_iter().map(|m| m.id).collect();
    let already: Vec<BadRow> = rows
        .iter()
        .filter(|r| existing.contains(&team.member_id(&r.email)))
        .map(|r| BadRow { line: r.line, reason: format!("{} is already a member of {}", r.email, team.id) })
        .collect();
    if !already.is_empty() {
        bail!(report(&already));
    }
    let bar = progress.then(|| {
        let b = indicatif::ProgressBar::new(rows.len() as u64);
        b.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} members {eta}").expect("template"));
        b
    });
    let mut added: Vec<MemberId> = Vec::new();
    for r in &rows {
        let m = Member { locale: r.locale, ..Member::new(team, r.email.clone(), r.name.clone(), now) };
        if let Err(e) = store.add_member(&m).await {
            // All or nothing: take back what this import added; this row's too if this import
            // wrote it (its write applied, its answer lost), not if someone added them since.
            if store.get_member(&team.id, &m.id).await.ok().flatten().is_some_and(|x| x.created_at == now) {
                added.push(m.id);
            }
            let mut left = Vec::new();
            for id in &added {
                match store.remove_member(&team.id, id).await {
                    Ok(()) | Err(StoreError::NotFound(_)) => {}
                    Err(e) => left.push(format!("{id} ({e})")),
                }
            }
            if let Some(b) = &bar {
                b.abandon();
            }
            if !left.is_empty() {
                bail!(
                    "line {}: {e}. The import stopped, and these members it added could not be removed again: {}. \
                     Remove them (moralectl member list {}, member remove), then run the import again.",
                    r.line,
                    left.join(", "),
                    team.id
                );
            }
            bail!("line {}: {e}. Nothing was imported (what it had added was removed again).", r.line);
        }
        added.push(m.id);
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(added.len())
}

pub fn report(bad: &[BadRow]) -> String {
    let mut s = format!("{} bad row(s); nothing was imported. Fix them and run the import again:\n", bad.len());
    for b in bad {
        s.push_str(&format!("  line {}: {}\n", b.line, b.reason));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let text = "email,name\nana@example.com,Ana\nnot-an-address,Bob\n\nchen@example.com,\nANA@example.com,Ana again\n@x.com,\n";
        let bad = parse(text).unwrap_err();
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![3, 6, 7]);
        assert!(bad[0].reason.contains("\"not-an-address\""), "{}", bad[0].reason);
        assert!(bad[1].reason.contains("already on line 2"));
        let ok = parse("Email,Name,Team\n ana@example.com , Ana ,x\nbob@example.com\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].name.as_deref(), Some("Ana"));
        assert_eq!(ok[1].name, None);
        assert_eq!(parse("name\nAna\n").unwrap_err()[0].line, 1);
        let langs = parse("email,name,locale\nana@example.com,Ana,pt-BR\nbob@example.com,,\n").unwrap();
        assert_eq!((langs[0].locale, langs[1].locale), (Some(Locale::PtBr), None));
        let bad = parse("email,locale\nana@example.com,de\nbob@example.com,nl\n").unwrap_err();
        assert_eq!(bad.len(), 1);
        assert!(bad[0].line == 3 && bad[0].reason.contains("en, de, fr, es, pt-BR, ja"), "{:?}", bad[0]);
        assert!(parse("email\n").is_err());
    }
}
