//! The one token codec: signed, expiring links for answers, unsubscribes and admin pages.
//!
//! A token is base64url (no padding) of
//! `version(1) | kid_len(1) | kid | purpose(1) | team_len(1) | team | member_len(1) | member |
//!  date(4, days since 1970-01-01, big-endian) | expires(8, unix seconds) | mac(32)`,
//! where `mac` is HMAC-SHA256 under the key `kid` over everything before it. Several keys are
//! accepted (rotation); one signs. Verification is constant-time.

use crate::domain::VoterKey;
use crate::domain::{MemberId, SendDate, TeamId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::BTreeMap;

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;
const MAC_LEN: usize = 32;
/// Links in the daily email work for a week.
pub const DEFAULT_TTL: SignedDuration = SignedDuration::from_hours(24 * 7);
/// Admin links (trend page) work for 90 days.
pub const ADMIN_TTL: SignedDuration = SignedDuration::from_hours(24 * 90);

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

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub purpose: Purpose,
    pub team: TeamId,
    /// For admin tokens, the admin's member-like id (derived from their address).
    pub member: MemberId,
    pub date: SendDate,
    pub expires: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the link is malformed")]
    Malformed,
    #[error("the link was signed with a key that is no longer accepted")]
    UnknownKey,
    #[error("the link's signature does not match")]
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

/// The keys: which one signs, which are accepted, and the key for pseudonymous voter ids.
#[derive(Clone)]
pub struct TokenKeys {
    signing: String,
    keys: BTreeMap<String, Vec<u8>>,
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
            keys.insert(id.clone(), decode(id, b64)?);
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

    pub fn sign(
        &self,
        purpose: Purpose,
        team: &TeamId,
        member: &MemberId,
        date: SendDate,
        expires: Timestamp,
    ) -> String {
        let kid = self.signing.as_bytes();
        let mut buf = Vec::with_capacity(96);
        buf.push(VERSION);
        buf.push(kid.len() as u8);
        buf.extend_from_slice(kid);
        buf.push(purpose.byte());
        for s in [team.as_str(), member.as_str()] {
            buf.push(s.len() as u8);
            buf.extend_from_slice(s.as_bytes());
        }
        let days = date.date().since(jiff::civil::date(1970, 1, 1)).expect("in range").get_days();
        buf.extend_from_slice(&days.to_be_bytes());
        buf.extend_from_slice(&expires.as_second().to_be_bytes());
        let mut mac = HmacSha256::new_from_slice(&self.keys[&self.signing]).expect("any key length");
        mac.update(&buf);
        buf.extend_from_slice(&mac.finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(buf)
    }

    /// Checks a token for `purpose` at `now`. The signature is checked before anything inside
    /// the token is trusted.
    pub fn verify(&self, token: &str, purpose: Purpose, now: Timestamp) -> Result<Claims, TokenError> {
        if token.len() > 512 {
            return Err(TokenError::Malformed);
        }
        let bytes = URL_SAFE_NO_PAD.decode(token.as_bytes()).map_err(|_| TokenError::Malformed)?;
        if bytes.len() < 2 + MAC_LEN || bytes[0] != VERSION {
            return Err(TokenError::Malformed);
        }
        let (body, mac) = bytes.split_at(bytes.len() - MAC_LEN);
        let mut r = Reader { b: body, at: 1 };
        let kid = std::str::from_utf8(r.lv()?).map_err(|_| TokenError::Malformed)?;
        let key = self.keys.get(kid).ok_or(TokenError::UnknownKey)?;
        let mut m = HmacSha256::new_from_slice(key).expect("any key length");
        m.update(body);
        m.verify_slice(mac).map_err(|_| TokenError::BadSignature)?;
        // Signed by us from here on; still parse defensively.
        let p = Purpose::from_byte(r.take(1)?[0]).ok_or(TokenError::Malformed)?;
        let team = TeamId::parse(std::str::from_utf8(r.lv()?).map_err(|_| TokenError::Malformed)?)
            .map_err(|_| TokenError::Malformed)?;
        let member = MemberId::parse(std::str::from_utf8(r.lv()?).map_err(|_| TokenError::Malformed)?)
            .map_err(|_| TokenError::Malformed)?;
        let days = i32::from_be_bytes(r.take(4)?.try_into().expect("4 bytes"));
        let expires = i64::from_be_bytes(r.take(8)?.try_into().expect("8 bytes"));
        if r.at != body.len() {
            return Err(TokenError::Malformed);
        }
        let date = jiff::civil::date(1970, 1, 1)
            .checked_add(jiff::Span::new().days(days))
            .map(SendDate::new)
            .map_err(|_| TokenError::Malformed)?;
        let expires = Timestamp::from_second(expires).map_err(|_| TokenError::Malformed)?;
        if p != purpose {
            return Err(TokenError::WrongPurpose);
        }
        if now >= expires {
            return Err(TokenError::Expired);
        }
        Ok(Claims { purpose: p, team, member, date, expires })
    }

    /// The pseudonymous voter id of a member: the same member gets the same id every day, but
    /// the id does not reveal the member without the voter key.
    pub fn voter_key(&self, team: &TeamId, member: &MemberId) -> VoterKey {
        let mut m = HmacSha256::new_from_slice(&self.voter).expect("any key length");
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

    fn sample(k: &TokenKeys, purpose: Purpose) -> (String, Timestamp) {
        let now: Timestamp = "2026-11-24T15:00:00Z".parse().unwrap();
        let t = k.sign(
            purpose,
            &TeamId::parse("platform").unwrap(),
            &MemberId::parse("mabcdefghijklmnopqrst").unwrap(),
            SendDate::parse("2026-11-24").unwrap(),
            now + DEFAULT_TTL,
        );
        (t, now)
    }

    #[test]
    fn round_trip() {
        let k = keys("k1", &[("k1", 1)]);
        let (t, now) = sample(&k, Purpose::Answer);
        let c = k.verify(&t, Purpose::Answer, now).unwrap();
        assert_eq!(c.team.as_str(), "platform");
        assert_eq!(c.member.as_str(), "mabcdefghijklmnopqrst");
        assert_eq!(c.date.as_str(), "2026-11-24");
        assert_eq!(c.expires, now + DEFAULT_TTL);
        assert!(t.len() < 160, "links stay short: {}", t.len());
        assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "URL-safe");
    }

    #[test]
    fn expired_and_wrong_purpose_are_rejected() {
        let k = keys("k1", &[("k1", 1)]);
        let (t, now) = sample(&k, Purpose::Answer);
        assert_eq!(k.verify(&t, Purpose::Answer, now + DEFAULT_TTL), Err(TokenError::Expired));
        assert_eq!(k.verify(&t, Purpose::Unsubscribe, now), Err(TokenError::WrongPurpose));
    }

    #[test]
    fn rotation_old_key_verifies_new_key_signs() {
        let old = keys("k1", &[("k1", 1)]);
        let (old_token, now) = sample(&old, Purpose::Answer);
        let rotated = keys("k2", &[("k1", 1), ("k2", 2)]);
        assert_eq!(rotated.signing_key_id(), "k2");
        assert!(rotated.verify(&old_token, Purpose::Answer, now).is_ok(), "old links keep working");
        let (new_token, _) = sample(&rotated, Purpose::Answer);
        assert_ne!(new_token, old_token);
        assert_eq!(old.verify(&new_token, Purpose::Answer, now), Err(TokenError::UnknownKey));
        let retired = keys("k2", &[("k2", 2)]);
        assert_eq!(retired.verify(&old_token, Purpose::Answer, now), Err(TokenError::UnknownKey));
    }

    #[test]
    fn a_key_with_the_same_id_but_other_bytes_is_a_forgery() {
        let (t, now) = sample(&keys("k1", &[("k1", 1)]), Purpose::Answer);
        assert_eq!(keys("k1", &[("k1", 7)]).verify(&t, Purpose::Answer, now), Err(TokenError::BadSignature));
    }

    #[test]
    fn garbage_is_malformed() {
        let k = keys("k1", &[("k1", 1)]);
        let now = Timestamp::UNIX_EPOCH;
        for bad in ["", "x", "!!!!", "AAAA", &"A".repeat(600), "AQ", &URL_SAFE_NO_PAD.encode([1u8; 40])] {
            let r = k.verify(bad, Purpose::Answer, now);
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
                prop_assert!(k.verify(&forged, Purpose::Answer, now).is_err(), "bit {} flipped still verifies", i);
            }
        }

        /// Any team, member, date and expiry round-trips.
        #[test]
        fn round_trips_any_claims(team in "[a-z0-9]{1,40}", member in "[a-z0-9]{1,40}", days in 0i32..40000, ttl in 1i64..10_000_000) {
            let k = keys("k1", &[("k1", 3)]);
            let team = TeamId::parse(&team).unwrap();
            let member = MemberId::parse(&member).unwrap();
            let date = SendDate::new(jiff::civil::date(1970, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap());
            let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
            let exp = now + SignedDuration::from_secs(ttl);
            let t = k.sign(Purpose::Unsubscribe, &team, &member, date, exp);
            let c = k.verify(&t, Purpose::Unsubscribe, now).unwrap();
            prop_assert_eq!((c.team, c.member, c.date, c.expires), (team, member, date, exp));
        }
    }
}
