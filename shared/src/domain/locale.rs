//! The language a team's (or a member's) emails and pages are written in.

use super::ParseError;

/// A shipped language. Its messages are in `locales/<tag>/morale.ftl` (see `crate::i18n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
    Es,
    PtBr,
    Ja,
}

impl Locale {
    pub const ALL: [Locale; 6] = [Self::En, Self::De, Self::Fr, Self::Es, Self::PtBr, Self::Ja];

    /// The BCP 47 tag: in `lang=""`, in the records, on the command line.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Es => "es",
            Self::PtBr => "pt-BR",
            Self::Ja => "ja",
        }
    }

    /// A shipped locale's tag, in any case, with `-` or `_` ("pt-br", "pt_BR").
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let wanted = s.trim().replace('_', "-");
        Self::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(&wanted)).ok_or_else(|| {
            let tags: Vec<&str> = Self::ALL.iter().map(|l| l.tag()).collect();
            ParseError::new("locale", s, format!("the shipped locales are {}", tags.join(", ")))
        })
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_leniently_and_names_the_choices() {
        assert_eq!(Locale::parse("pt_br").unwrap(), Locale::PtBr);
        assert_eq!(Locale::parse(" DE ").unwrap(), Locale::De);
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.tag()).unwrap(), l);
        }
        let e = Locale::parse("pt").unwrap_err();
        assert!(e.to_string().contains("en, de, fr, es, pt-BR, ja"), "{e}");
    }
}
