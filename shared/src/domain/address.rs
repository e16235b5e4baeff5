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

/// Masks every email address in free text (SES error messages may quote one) before it is
/// logged: `ana@example.com` becomes `a***@example.com`. It masks anything shaped like an
/// address, so it errs on the side of hiding.
pub fn mask_emails(text: &str) -> String {
    const LOCAL_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    let local_char = |c: char| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c);
    let domain_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let Some(at) = chars[i..].iter().position(|&c| c == '@').map(|p| i + p) else {
            out.extend(&chars[i..]);
            break;
        };
        let mut left = at;
        while left > i && local_char(chars[left - 1]) {
            left -= 1;
        }
        let mut right = at + 1;
        while right < chars.len() && domain_char(chars[right]) {
            right += 1;
        }
        // A sentence may end right after the address.
        while right > at + 1 && matches!(chars[right - 1], '.' | '-') {
            right -= 1;
        }
        let domain: String = chars[at + 1..right].iter().collect();
        out.extend(&chars[i..left]);
        if left < at && domain.contains('.') {
            out.push(chars[left]);
            out.push_str("***@");
            out.push_str(&domain.to_ascii_lowercase());
        } else {
            out.extend(&chars[left..right]);
        }
        i = right;
    }
    out
}

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
    fn masks_addresses_in_free_text() {
        assert_eq!(
            mask_emails("Illegal address: bob@example.com; see <ana@Example.com>."),
            "Illegal address: b***@example.com; see <a***@example.com>."
        );
        assert_eq!(mask_emails("no address here @ all, a@b"), "no address here @ all, a@b");
        assert_eq!(
            mask_emails("to=\"Ana\"<ana.k+x@mail.example.org>,bob@example.com"),
            "to=\"Ana\"<a***@mail.example.org>,b***@example.com"
        );
        // Text with nothing address-shaped comes back unchanged, whatever its characters.
        for text in ["x", "", "@", "@@", "a@.", "@example.com", "é@é.é ü"] {
            assert_eq!(mask_emails(text), text);
        }
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = format!("{}@example.com", "a".repeat(10_000));
        let err = EmailAddress::parse(&long).unwrap_err();
        assert!(err.to_string().len() < 200);
    }
}
