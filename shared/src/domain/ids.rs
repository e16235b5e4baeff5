use super::{EmailAddress, ParseError, string_newtype};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A team's key for its members' ids: 32 random bytes, kept with the team (base64url). One that
/// does not read is a corrupt record, never a team without a key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MemberKey([u8; 32]);

impl TryFrom<String> for MemberKey {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::decode(&s).ok_or_else(|| "a member key is 32 bytes of base64url".to_string())
    }
}

impl From<MemberKey> for String {
    fn from(k: MemberKey) -> String {
        k.encode()
    }
}

impl MemberKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// As stored: base64url.
    pub fn encode(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn decode(s: &str) -> Option<Self> {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).ok()?.try_into().ok().map(Self)
    }
}

impl std::fmt::Debug for MemberKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemberKey(..)")
    }
}

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

/// A member's id within a team. Derived from the member's address under the team's own key (see
/// [`MemberId::keyed`]), so that one address can be a member of a team only once, and so that
/// ids in tags, keys and logs cannot be traced back to an address from a list of addresses
/// without the team's key. (Teams created before keys have none: [`MemberId::for_email`].)
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MemberId(String);

impl MemberId {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        slug("member id", s, 40).map(Self)
    }

    /// Below every id: where an in-memory range over a team's ids starts.
    pub(crate) fn lowest() -> Self {
        Self(String::new())
    }

    /// `m` followed by 20 base32 characters of the SHA-256 of the address (case-folded): the
    /// ids of a team without a member key.
    pub fn for_email(email: &EmailAddress) -> Self {
        Self::derived('m', "", email)
    }

    /// `m` followed by 20 base32 characters of HMAC-SHA256 under `key` of the address
    /// (case-folded).
    pub fn keyed(key: &MemberKey, email: &EmailAddress) -> Self {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&key.0).expect("HMAC takes any key length");
        m.update(email.as_str().to_ascii_lowercase().as_bytes());
        Self::from_digest('m', &m.finalize().into_bytes())
    }

    /// The id under which a team admin gets mail of a kind (`a…`): never a member's id.
    pub fn for_admin(kind: super::OutboxKind, email: &EmailAddress) -> Self {
        Self::derived('a', kind.as_str(), email)
    }

    fn derived(prefix: char, salt: &str, email: &EmailAddress) -> Self {
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update(email.as_str().to_ascii_lowercase().as_bytes());
        Self::from_digest(prefix, &h.finalize())
    }

    fn from_digest(prefix: char, digest: &[u8]) -> Self {
        const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
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

    #[test]
    fn keyed_member_ids_need_the_teams_key() {
        let ana = EmailAddress::parse("Ana@Example.com").unwrap();
        let k1 = MemberKey::from_bytes([1; 32]);
        let a = MemberId::keyed(&k1, &ana);
        assert_eq!(a, MemberId::keyed(&k1, &EmailAddress::parse("ana@example.com").unwrap()), "case-folded");
        assert_ne!(a, MemberId::for_email(&ana), "not the bare hash of the address");
        assert_ne!(a, MemberId::keyed(&MemberKey::from_bytes([2; 32]), &ana), "another team, another id");
        assert_eq!((a.as_str().len(), MemberId::parse(a.as_str()).unwrap()), (21, a.clone()));
        assert_eq!(MemberKey::decode(&k1.encode()), Some(k1));
        assert_eq!(MemberKey::decode("short"), None);
    }
}
