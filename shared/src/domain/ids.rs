use super::{EmailAddress, ParseError, string_newtype};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A team's id: a short lowercase slug (`platform-team`). It appears in table keys and in SES
/// message tags, whose values allow only ASCII letters, digits, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TeamId(String);

impl TeamId {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        slug("team id", s, 40).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype!(TeamId);

/// A member's id within a team. Derived from the member's address (see [`MemberId::for_email`])
/// so that one address can be a member of a team only once, and so that ids in tags and keys
/// do not spell out the address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MemberId(String);

impl MemberId {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        slug("member id", s, 40).map(Self)
    }

    /// `m` followed by 20 base32 characters of the SHA-256 of the address (case-folded).
    pub fn for_email(email: &EmailAddress) -> Self {
        Self::derived('m', "", email)
    }

    /// The id under which a team admin gets mail of a kind (`a…`): never a member's id.
    pub fn for_admin(kind: super::OutboxKind, email: &EmailAddress) -> Self {
        Self::derived('a', kind.as_str(), email)
    }

    fn derived(prefix: char, salt: &str, email: &EmailAddress) -> Self {
        const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update(email.as_str().to_ascii_lowercase().as_bytes());
        let digest = h.finalize();
        let mut id = String::with_capacity(21);
        id.push(prefix);
        let mut acc: u64 = 0;
        let mut bits = 0;
        for byte in digest.iter().take(13) {
            acc = (acc << 8) | u64::from(*byte);
            bits += 8;
            while bits >= 5 && id.len() < 21 {
                bits -= 5;
                id.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
            }
        }
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype!(MemberId);

fn slug(what: &'static str, s: &str, max: usize) -> Result<String, ParseError> {
    if s.is_empty() {
        return Err(ParseError::new(what, s, "it is empty"));
    }
    if s.len() > max {
        return Err(ParseError::new(what, s, format!("it is longer than {max} characters")));
    }
    if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(ParseError::new(
            what,
            s,
            "use only lowercase letters a-z, digits and '-' (for example: platform-team)",
        ));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err(ParseError::new(what, s, "it must not start or end with '-'"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_ids() {
        assert!(TeamId::parse("platform-team").is_ok());
        assert!(TeamId::parse("t1").is_ok());
        for bad in ["", "Platform", "a b", "-a", "a-", "a_b", "ä", &"a".repeat(41)] {
            let err = TeamId::parse(bad).unwrap_err();
            assert_eq!(err.what, "team id", "{bad}");
        }
    }

    #[test]
    fn member_id_from_email_is_stable_and_case_insensitive() {
        let a = MemberId::for_email(&EmailAddress::parse("Ana@Example.com").unwrap());
        let b = MemberId::for_email(&EmailAddress::parse("ana@example.com").unwrap());
        let c = MemberId::for_email(&EmailAddress::parse("bob@example.com").unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.as_str().len(), 21);
        assert_eq!(MemberId::parse(a.as_str()).unwrap(), a);
    }
}
