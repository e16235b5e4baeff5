//! The one token codec: sealed, expiring links for answers, unsubscribes and admin pages.
//!
//! A token is base64url (no padding) of `version(1) | kid_len(1) | kid | nonce(24) | sealed`,
//! where `sealed` is XChaCha20-Poly1305 under key `kid` (header as associated data) of
//! `purpose(1) | score(1, 0 = none) | team_len(1) | team | member_len(1) | member |
//!  date(4, days since 1970-01-01) | issued(8, unix seconds) | expires(8, unix seconds)`.
//! Nothing in a link says whose it is, for which team or day, or which answer it stands for:
//! without a key it is noise. The nonce is a keyed hash of what is sealed (a synthetic IV), so
//! sealing needs no randomness and the same claims always give the same link. Several keys are
//! accepted (rotation); one seals. Two keys are derived from each configured key: one encrypts,
//! one makes the nonce.

use crate::domain::{MemberId, Score, SendDate, TeamId, VoterKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::BTreeMap;

type HmacSha256 = Hmac<Sha256>;

fn hmac_sha256(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length")
}

const VERSION: u8 = 2;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Answer links in the daily email work for a week.
pub const DEFAULT_TTL: SignedDuration = SignedDuration::from_hours(24 * 7);
/// Unsubscribing works long after the email: at least 60 days (mail clients keep the
/// `List-Unsubscribe` header and people clean their inboxes late).
pub const UNSUBSCRIBE_TTL: SignedDuration = SignedDuration::from_hours(24 * 60);
/// Admin links (trend page) open a team's figures: two weeks at most; each weekly digest brings
/// a fresh one.
pub const ADMIN_TTL: SignedDuration = SignedDuration::from_hours(24 * 14);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Answer,
    Unsubscribe,
    Admin,
}

impl Purpose {
    fn byte(self) -> u8 {
        match self {
            Self::Answer => 1,
            Self::Unsubscribe => 2,
            Self::Admin => 3,
        }
    }
    fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Answer),
            2 => Some(Self::Unsubscribe),
            3 => Some(Self::Admin),
            _ => None,
        }
    }
}

/// What a token says, sealed inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub purpose: Purpose,
    pub team: TeamId,
    /// For admin tokens, the admin's member-like id (derived from their address).
    pub member: MemberId,
    pub date: SendDate,
    /// An answer link's own answer: the page it opens has it chosen. `None` elsewhere.
    pub score: Option<Score>,
    pub issued: Timestamp,
    pub expires: Timestamp,
}

impl Claims {
    pub fn new(purpose: Purpose, team: &TeamId, member: &MemberId, date: SendDate, issued: Timestamp) -> Self {
        let ttl = match purpose {
            Purpose::Answer => DEFAULT_TTL,
            Purpose::Unsubscribe => UNSUBSCRIBE_TTL,
            Purpose::Admin => ADMIN_TTL,
        };
        Self { purpose, team: team.clone(), member: member.clone(), date, score: None, issued, expires: issued + ttl }
    }
    pub fn score(self, score: Score) -> Self {
        Self { score: Some(score), ..self }
    }
    pub fn expires(self, expires: Timestamp) -> Self {
        Self { expires, ..self }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link is malformed")]
    Malformed,
    #[error("the link was sealed with a key that is no longer accepted")]
    UnknownKey,
    #[error("the link does not open with its key: changed or forged")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
    #[error("the link is not for this page")]
    WrongPurpose,
}

impl TokenError {
    /// A short, stable name for metrics and logs.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::WrongPurpose => "wrong_purpose",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("token keys: {0}")]
pub struct KeyConfigError(String);

/// One configured key, as the two keys it stands for.
#[derive(Clone)]
struct Sealer {
    aead: XChaCha20Poly1305,
    nonce: Vec<u8>,
}

impl Sealer {
    fn new(key: &[u8]) -> Self {
        let derive = |label: &[u8]| {
            let mut m = hmac_sha256(key);
            m.update(label);
            m.finalize().into_bytes()
        };
        Self {
            aead: XChaCha20Poly1305::new(&derive(b"morale/token/seal")),
            nonce: derive(b"morale/token/nonce").to_vec(),
        }
    }
}

/// The keys: which one seals, which are accepted, and the key for pseudonymous voter ids.
#[derive(Clone)]
pub struct TokenKeys {
    signing: String,
    keys: BTreeMap<String, Sealer>,
    voter: Vec<u8>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("TokenKeys").field("signing", &self.signing).field("accepted", &self.keys.keys()).finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysJson {
    signing: String,
    keys: BTreeMap<String, String>,
    voter: String,
}

impl TokenKeys {
    /// From the JSON kept in the SSM parameter (or `MORALE_TOKEN_KEYS` locally):
    /// `{"signing": "k2", "keys": {"k1": "<base64>", "k2": "<base64>"}, "voter": "<base64>"}`.
    /// Keys are at least 32 bytes.
    pub fn from_json(json: &str) -> Result<Self, KeyConfigError> {
        let k: KeysJson =
            serde_json::from_str(json).map_err(|e| KeyConfigError(format!("not the expected JSON ({e})")))?;
        let decode = |name: &str, b64: &str| -> Result<Vec<u8>, KeyConfigError> {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| KeyConfigError(format!("key {name:?} is not base64")))?;
            if bytes.len() < 32 {
                return Err(KeyConfigError(format!("key {name:?} is shorter than 32 bytes")));
            }
            Ok(bytes)
        };
        let mut keys = BTreeMap::new();
        for (id, b64) in &k.keys {
            if id.is_empty() || id.len() > 16 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(KeyConfigError(format!("key id {id:?} must be 1-16 letters or digits")));
            }
            keys.insert(id.clone(), Sealer::new(&decode(id, b64)?));
        }
        if !keys.contains_key(&k.signing) {
            return Err(KeyConfigError(format!("the signing key {:?} is not among the keys", k.signing)));
        }
        Ok(Self { signing: k.signing, keys, voter: decode("voter", &k.voter)? })
    }

    /// A fixed key for local development and tests. Never for a deployment.
    pub fn development() -> Self {
        Self::from_json(DEVELOPMENT_KEYS).expect("valid development keys")
    }

    pub fn signing_key_id(&self) -> &str {
        &self.signing
    }

    /// Seals `claims` into a link token with the signing key.
    pub fn seal(&self, c: &Claims) -> String {
        let kid = self.signing.as_bytes();
        let mut header = Vec::with_capacity(2 + kid.len());
        header.push(VERSION);
        header.push(kid.len() as u8);
        header.extend_from_slice(kid);
        let mut plain = Vec::with_capacity(64);
        plain.push(c.purpose.byte());
        plain.push(c.score.map_or(0, Score::value));
        for s in [c.team.as_str(), c.member.as_str()] {
            plain.push(s.len() as u8);
            plain.extend_from_slice(s.as_bytes());
        }
        let days = c.date.date().since(jiff::civil::date(1970, 1, 1)).expect("in range").get_days();
        plain.extend_from_slice(&days.to_be_bytes());
        plain.extend_from_slice(&c.issued.as_second().to_be_bytes());
        plain.extend_from_slice(&c.expires.as_second().to_be_bytes());
        let sealer = &self.keys[&self.signing];
        let mut m = hmac_sha256(&sealer.nonce);
        m.update(&header);
        m.update(&plain);
        let iv = m.finalize().into_bytes();
        let nonce = XNonce::from_slice(&iv[..NONCE_LEN]);
        let sealed =
            sealer.aead.encrypt(nonce, Payload { msg: &plain, aad: &header }).expect("sealing cannot fail in memory");
        let mut out = header;
        out.extend_from_slice(nonce);
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Opens a token for `purpose` at `now`. Nothing inside is read before it opens under its
    /// key (which authenticates it).
    pub fn open(&self, token: &str, purpose: Purpose, now: Timestamp) -> Result<Claims, TokenError> {
        if token.len() > 512 {
            return Err(TokenError::Malformed);
        }
        let bytes = URL_SAFE_NO_PAD.decode(token.as_bytes()).map_err(|_| TokenError::Malformed)?;
        if bytes.len() < 2 || bytes[0] != VERSION {
            return Err(TokenError::Malformed);
        }
        let header_len = 2 + usize::from(bytes[1]);
        if bytes.len() < header_len + NONCE_LEN + TAG_LEN {
            return Err(TokenError::Malformed);
        }
        let (header, rest) = bytes.split_at(header_len);
        let kid = std::str::from_utf8(&header[2..]).map_err(|_| TokenError::Malformed)?;
        let sealer = self.keys.get(kid).ok_or(TokenError::UnknownKey)?;
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let plain = sealer
            .aead
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: header })
            .map_err(|_| TokenError::BadSignature)?;
        // Sealed by us from here on; still parsed defensively.
        let mut r = Reader { b: &plain, at: 0 };
        let p = Purpose::from_byte(r.take(1)?[0]).ok_or(TokenError::Malformed)?;
        let score = match r.take(1)?[0] {
            0 => None,
            n => Some(Score::new(n).map_err(|_| TokenError::Malformed)?),
        };
        let text = |b: &[u8]| std::str::from_utf8(b).map(str::to_string).map_err(|_| TokenError::Malformed);
        let team = TeamId::parse(&text(r.lv()?)?).map_err(|_| TokenError::Malformed)?;
        let member = MemberId::parse(&text(r.lv()?)?).map_err(|_| TokenError::Malformed)?;
        let days = i32::from_be_bytes(r.take(4)?.try_into().expect("4 bytes"));
        let second = |b: &[u8]| {
            Timestamp::from_second(i64::from_be_bytes(b.try_into().expect("8 bytes")))
                .map_err(|_| TokenError::Malformed)
        };
        let issued = second(r.take(8)?)?;
        let expires = second(r.take(8)?)?;
        if r.at != plain.len() {
            return Err(TokenError::Malformed);
        }
        let date = jiff::civil::date(1970, 1, 1)
            .checked_add(jiff::Span::new().days(days))
            .map(SendDate::new)
            .map_err(|_| TokenError::Malformed)?;
        if p != purpose {
            return Err(TokenError::WrongPurpose);
        }
        if now >= expires {
            return Err(TokenError::Expired);
        }
        Ok(Claims { purpose: p, team, member, date, score, issued, expires })
    }

    /// The pseudonymous voter id of a member: the same member gets the same id every day, but
    /// the id does not reveal the member without the voter key.
    pub fn voter_key(&self, team: &TeamId, member: &MemberId) -> VoterKey {
        let mut m = hmac_sha256(&self.voter);
        m.update(b"voter\0");
        m.update(team.as_str().as_bytes());
        m.update(b"\0");
        m.update(member.as_str().as_bytes());
        VoterKey(URL_SAFE_NO_PAD.encode(&m.finalize().into_bytes()[..16]))
    }
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TokenError> {
        let s = self.b.get(self.at..self.at + n).ok_or(TokenError::Malformed)?;
        self.at += n;
        Ok(s)
    }
    fn lv(&mut self) -> Result<&'a [u8], TokenError> {
        let n = usize::from(self.take(1)?[0]);
        self.take(n)
    }
}

/// Development keys: public on purpose, accepted only where configured.
pub const DEVELOPMENT_KEYS: &str = r#"{"signing":"dev1","keys":{"dev1":"bW9yYWxlLWRldmVsb3BtZW50LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24tdXNl"},"voter":"bW9yYWxlLWRldmVsb3BtZW50LXZvdGVyLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="}"#;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(signing: &str, ids: &[(&str, u8)]) -> TokenKeys {
        let b64 = |fill: u8| base64::engine::general_purpose::STANDARD.encode([fill; 32]);
        let map: BTreeMap<&str, String> = ids.iter().map(|(id, fill)| (*id, b64(*fill))).collect();
        TokenKeys::from_json(&serde_json::json!({"signing": signing, "keys": map, "voter": b64(9)}).to_string())
            .unwrap()
    }

    fn claims(purpose: Purpose) -> Claims {
        let now: Timestamp = "2026-11-24T15:00:00Z".parse().unwrap();
        Claims::new(
            purpose,
            &TeamId::parse("platform").unwrap(),
            &MemberId::parse("mabcdefghijklmnopqrst").unwrap(),
            SendDate::parse("2026-11-24").unwrap(),
            now,
        )
    }

    fn sample(k: &TokenKeys, purpose: Purpose) -> (String, Timestamp) {
        let c = claims(purpose);
        (k.seal(&c), c.issued)
    }

    #[test]
    fn round_trip() {
        let k = keys("k1", &[("k1", 1)]);
        let c = claims(Purpose::Answer).score(Score::new(4).unwrap());
        let t = k.seal(&c);
        assert_eq!(k.open(&t, Purpose::Answer, c.issued).unwrap(), c);
        assert_eq!(c.expires, c.issued + DEFAULT_TTL);
        assert!(t.len() < 200, "links stay short: {}", t.len());
        assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "URL-safe");
    }

    /// Nothing of the claims shows in the token: not the team, the member, the date or the
    /// answer; each answer's link differs from the others'.
    #[test]
    fn a_token_says_nothing_without_its_key() {
        let k = keys("k1", &[("k1", 1)]);
        let tokens: Vec<String> = Score::ALL.iter().map(|s| k.seal(&claims(Purpose::Answer).score(*s))).collect();
        for t in &tokens {
            let raw = URL_SAFE_NO_PAD.decode(t).unwrap();
            let text = String::from_utf8_lossy(&raw);
            for clear in ["platform", "mabcdefghijklmnopqrst", "abcdefgh", "2026"] {
                assert!(!text.contains(clear) && !t.contains(clear), "{clear} shows in {t}");
            }
            let days = jiff::civil::date(2026, 11, 24).since(jiff::civil::date(1970, 1, 1)).unwrap().get_days();
            let days = days.to_be_bytes();
            assert!(!raw.windows(4).any(|w| w == days), "the date shows");
        }
        let distinct: std::collections::BTreeSet<&String> = tokens.iter().collect();
        assert_eq!(distinct.len(), 5, "each answer has its own link");
        // The same claims always give the same link: sealing needs no randomness.
        assert_eq!(k.seal(&claims(Purpose::Unsubscribe)), k.seal(&claims(Purpose::Unsubscribe)));
    }

    #[test]
    fn expired_and_wrong_purpose_are_rejected() {
        let k = keys("k1", &[("k1", 1)]);
        let (t, now) = sample(&k, Purpose::Answer);
        assert_eq!(k.open(&t, Purpose::Answer, now + DEFAULT_TTL), Err(TokenError::Expired));
        assert_eq!(k.open(&t, Purpose::Unsubscribe, now), Err(TokenError::WrongPurpose));
    }

    #[test]
    fn rotation_old_key_verifies_new_key_signs() {
        let old = keys("k1", &[("k1", 1)]);
        let (old_token, now) = sample(&old, Purpose::Answer);
        let rotated = keys("k2", &[("k1", 1), ("k2", 2)]);
        assert_eq!(rotated.signing_key_id(), "k2");
        assert!(rotated.open(&old_token, Purpose::Answer, now).is_ok(), "old links keep working");
        let (new_token, _) = sample(&rotated, Purpose::Answer);
        assert_ne!(new_token, old_token);
        assert_eq!(old.open(&new_token, Purpose::Answer, now), Err(TokenError::UnknownKey));
        let retired = keys("k2", &[("k2", 2)]);
        assert_eq!(retired.open(&old_token, Purpose::Answer, now), Err(TokenError::UnknownKey));
    }

    #[test]
    fn a_key_with_the_same_id_but_other_bytes_is_a_forgery() {
        let (t, now) = sample(&keys("k1", &[("k1", 1)]), Purpose::Answer);
        assert_eq!(keys("k1", &[("k1", 7)]).open(&t, Purpose::Answer, now), Err(TokenError::BadSignature));
    }

    #[test]
    fn garbage_is_malformed() {
        let k = keys("k1", &[("k1", 1)]);
        let now = Timestamp::UNIX_EPOCH;
        for bad in ["", "x", "!!!!", "AAAA", &"A".repeat(600), "AQ", &URL_SAFE_NO_PAD.encode([2u8; 60])] {
            let r = k.open(bad, Purpose::Answer, now);
            assert!(matches!(r, Err(TokenError::Malformed | TokenError::UnknownKey)), "{bad}: {r:?}");
        }
    }

    #[test]
    fn bad_key_configs_are_refused() {
        assert!(TokenKeys::from_json("{}").is_err());
        assert!(TokenKeys::from_json(r#"{"signing":"a","keys":{"a":"c2hvcnQ="},"voter":"c2hvcnQ="}"#).is_err());
        let b = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        let err =
            TokenKeys::from_json(&format!(r#"{{"signing":"b","keys":{{"a":"{b}"}},"voter":"{b}"}}"#)).unwrap_err();
        assert!(err.to_string().contains("signing key"));
        assert!(!format!("{:?}", keys("k1", &[("k1", 1)])).contains("AQEB"), "Debug shows no key material");
    }

    #[test]
    fn voter_keys_are_stable_and_distinct() {
        let k = keys("k1", &[("k1", 1)]);
        let team = TeamId::parse("platform").unwrap();
        let a = MemberId::parse("ma").unwrap();
        let b = MemberId::parse("mb").unwrap();
        assert_eq!(k.voter_key(&team, &a), k.voter_key(&team, &a));
        assert_ne!(k.voter_key(&team, &a), k.voter_key(&team, &b));
        assert_ne!(k.voter_key(&team, &a), k.voter_key(&TeamId::parse("other").unwrap(), &a));
        // Rotating the signing keys does not change who is who.
        assert_eq!(keys("k2", &[("k1", 1), ("k2", 2)]).voter_key(&team, &a), k.voter_key(&team, &a));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Flipping any single bit of a token makes it invalid.
        #[test]
        fn any_single_bit_flip_is_rejected(seed in 0u8..255) {
            let k = keys("k1", &[("k1", seed)]);
            let (t, now) = sample(&k, Purpose::Answer);
            let raw = URL_SAFE_NO_PAD.decode(&t).unwrap();
            for i in 0..raw.len() * 8 {
                let mut m = raw.clone();
                m[i / 8] ^= 1 << (i % 8);
                let forged = URL_SAFE_NO_PAD.encode(&m);
                prop_assert!(k.open(&forged, Purpose::Answer, now).is_err(), "bit {} flipped still opens", i);
            }
        }

        /// Any team, member, date, answer and expiry round-trips.
        #[test]
        fn round_trips_any_claims(team in "[a-z0-9]{1,40}", member in "[a-z0-9]{1,40}", days in 0i32..40000, ttl in 1i64..10_000_000, score in 0u8..=5) {
            let k = keys("k1", &[("k1", 3)]);
            let team = TeamId::parse(&team).unwrap();
            let member = MemberId::parse(&member).unwrap();
            let date = SendDate::new(jiff::civil::date(1970, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap());
            let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
            let mut c = Claims::new(Purpose::Unsubscribe, &team, &member, date, now).expires(now + SignedDuration::from_secs(ttl));
            if score > 0 {
                c = c.score(Score::new(score).unwrap());
            }
            prop_assert_eq!(k.open(&k.seal(&c), Purpose::Unsubscribe, now).unwrap(), c);
        }
    }
}
