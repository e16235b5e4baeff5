use super::{ParseError, string_newtype};
use serde::{Deserialize, Serialize};

/// An email address we are willing to send to: a practical subset of RFC 5321 (dot-atom local
/// part, DNS domain with at least one dot). The domain is lowercased; the local part is kept as
/// given, since some mail systems treat it case-sensitively.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

const WHAT: &str = "email address";

impl EmailAddress {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        let bad = |reason: &str| Err(ParseError::new(WHAT, s, reason));
        if s.is_empty() {
            return bad("it is empty");
        }
        if s.len() > 254 {
            return bad("it is longer than 254 characters");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad("it has no '@'");
        };
        if local.is_empty() {
            return bad("nothing before the '@'");
        }
        if local.len() > 64 {
            return bad("the part before '@' is longer than 64 characters");
        }
        const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
        if !local.chars().all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c)) {
            return bad("the part before '@' has a character that is not allowed");
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return bad("misplaced '.' before the '@'");
        }
        if domain.is_empty() {
            return bad("nothing after the '@'");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return bad("the domain needs a dot, like example.com");
        }
        for label in &labels {
            if label.is_empty() || label.len() > 63 {
                return bad("the domain has an empty or over-long part");
            }
            if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return bad("the domain has a character that is not allowed");
            }
            if label.starts_with('-') || label.ends_with('-') {
                return bad("a part of the domain starts or ends with '-'");
            }
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// For logs: `a***@example.com`. Addresses never appear in logs unmasked.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or(("", ""));
        let first = local.chars().next().unwrap_or('*');
        format!("{first}***@{domain}")
    }
}
string_newtype!(EmailAddress);

// Debug is what ends up in logs by accident (`?member`), so it masks too.
impl std::fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EmailAddress({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "ana@example.com",
            "first.last+tag@sub.example.co.uk",
            "bounce@simulator.amazonses.com",
            "  padded@example.com ",
            "o'brien@example.ie",
        ] {
            EmailAddress::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn lowercases_the_domain_only() {
        let e = EmailAddress::parse("Ana.Lopez@Example.COM").unwrap();
        assert_eq!(e.as_str(), "Ana.Lopez@example.com");
        assert_eq!(e.domain(), "example.com");
    }

    #[test]
    fn rejects_bad_addresses_naming_the_value() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@localhost",
            "ana@@example.com",
            "an a@example.com",
            ".ana@example.com",
            "ana..b@example.com",
            "ana@-example.com",
            "ana@exa_mple.com",
            "ana@example..com",
            "<ana@example.com>",
        ] {
            let err = EmailAddress::parse(bad).unwrap_err();
            assert_eq!(err.what, "email address");
            assert!(err.to_string().contains(&format!("{:?}", bad.trim())), "{err}");
        }
    }

    #[test]
    fn masks_in_logs() {
        let e = EmailAddress::parse("ana@example.com").unwrap();
        assert_eq!(e.masked(), "a***@example.com");
        assert!(!format!("{e:?}").contains("ana"));
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = format!("{}@example.com", "a".repeat(10_000));
        let err = EmailAddress::parse(&long).unwrap_err();
        assert!(err.to_string().len() < 200);
    }
}
