//! The one token codec: sealed, expiring links for answers, unsubscribes and admin pages.
//!
//! A token is base64url (no padding) of `version(1) | kid_len(1) | kid | nonce(24) | sealed`,
//! where `sealed` is XChaCha20-Poly1305 under key `kid` (header as associated data) of
//! `purpose(1) | score(1, 0 = none) | team_len(1) | team (padded to 40) | member_len(1) |
//!  member (padded to 40) | date(4, days since 1970-01-01) | issued(8) | expires(8, unix seconds)`.
//! Ids are padded so that a token's length says nothing about whose it is.
//! Nothing in a link says whose it is, for which team or day, or which answer it stands for:
//! without a key it is noise. The nonce is a keyed hash of what is sealed (a synthetic IV), so
//! sealing needs no randomness and the same claims always give the same link. Several keys are
//! accepted (rotation); one seals. Two keys are derived from each configured key: one encrypts,
//! one makes the nonce.

use crate::domain::{MemberId, Score, SendDate, TeamId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
// Tokio's clock: tests can move it.
use tokio::time::Instant;

type HmacSha256 = Hmac<Sha256>;

fn hmac_sha256(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length")
}

const VERSION: u8 = 2;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Team and member ids are at most 40 characters, and take 40 bytes in a token whatever they are.
const ID_FIELD: usize = 40;
/// Answer links in the daily email work for a week.
pub const DEFAULT_TTL: SignedDuration = SignedDuration::from_hours(24 * 7);
/// Unsubscribing works long after the email: at least 60 days (mail clients keep the
/// `List-Unsubscribe` header and people clean their inboxes late).
pub const UNSUBSCRIBE_TTL: SignedDuration = SignedDuration::from_hours(24 * 60);
/// Admin links (trend page) open a team's figures: two weeks at most; each weekly digest brings
/// a fresh one.
pub const ADMIN_TTL: SignedDuration = SignedDuration::from_hours(24 * 14);
/// "I'm away until …" links: long enough to come back early from the longest pause (90 days)
/// with a link from before it (no email comes meanwhile).
pub const AWAY_TTL: SignedDuration = SignedDuration::from_hours(24 * 100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Answer,
    Unsubscribe,
    Admin,
    /// A member's own pause: the "I'm away until …" page.
    Away,
}

impl Purpose {
    fn byte(self) -> u8 {
        match self {
            Self::Answer => 1,
            Self::Unsubscribe => 2,
            Self::Admin => 3,
            Self::Away => 4,
        }
    }
    fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Answer),
            2 => Some(Self::Unsubscribe),
            3 => Some(Self::Admin),
            4 => Some(Self::Away),
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
            Purpose::Away => AWAY_TTL,
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

/// The link keys: which one seals, and which are accepted. (The voters' key is not among them:
/// see `crate::voter`.) A handle: its clones share the keys, and [`TokenKeys::replace_with`]
/// changes them for every holder at once, so that running functions pick up rotated keys
/// without a restart (see `config::refresh_token_keys`).
#[derive(Clone)]
pub struct TokenKeys(Arc<RwLock<Arc<KeySet>>>, Arc<Mutex<Option<Reload>>>);

/// How keys are read again on demand, and when they last were.
struct Reload {
    load: Loader,
    at: Instant,
}

/// Reads the keys again (from where they came): `None` if that failed.
pub type Loader = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Option<TokenKeys>> + Send>> + Send + Sync>;

struct KeySet {
    signing: String,
    keys: BTreeMap<String, Sealer>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        let k = self.current();
        f.debug_struct("TokenKeys").field("signing", &k.signing).field("accepted", &k.keys.keys()).finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysJson {
    signing: String,
    keys: BTreeMap<String, String>,
}

impl TokenKeys {
    /// From the JSON kept in the SSM parameter (or `MORALE_TOKEN_KEYS` locally):
    /// `{"signing": "k2", "keys": {"k1": "<base64>", "k2": "<base64>"}}`. Keys are at least 32
    /// bytes.
    pub fn from_json(json: &str) -> Result<Self, KeyConfigError> {
        let k: KeysJson = serde_json::from_str(json).map_err(|e| {
            let hint = if json.contains("\"voter\"") {
                ": the voter key is no longer a link key; it has a parameter of its own, readable by the response API alone (MORALE_VOTER_KEY_PARAMETER)"
            } else {
                ""
            };
            KeyConfigError(format!("not the expected JSON ({e}){hint}"))
        })?;
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
        Ok(Self(Arc::new(RwLock::new(Arc::new(KeySet { signing: k.signing, keys }))), Arc::new(Mutex::new(None))))
    }

    fn current(&self) -> Arc<KeySet> {
        self.0.read().expect("the keys' lock").clone()
    }

    /// From now on, every holder of this handle seals and opens with `other`'s keys.
    pub fn replace_with(&self, other: &TokenKeys) {
        let next = other.current();
        *self.0.write().expect("the keys' lock") = next;
    }

    /// How to read the keys again when a link names a key not held (see
    /// [`TokenKeys::reload_if_older`]).
    pub fn reload_with(&self, load: Loader) {
        *self.1.lock().expect("the reload lock") = Some(Reload { load, at: Instant::now() });
    }

    /// Reads the keys again if they were last read longer ago than `age` (a function frozen
    /// through a rotation meets a link sealed with a key it does not hold yet): whether new
    /// keys were read.
    pub async fn reload_if_older(&self, age: Duration) -> bool {
        let load = {
            let mut r = self.1.lock().expect("the reload lock");
            match r.as_mut() {
                Some(r) if r.at.elapsed() >= age => {
                    r.at = Instant::now();
                    r.load.clone()
                }
                _ => return false,
            }
        };
        match load().await {
            Some(fresh) => {
                self.replace_with(&fresh);
                true
            }
            None => false,
        }
    }

    /// A fixed key for local development and tests. Never for a deployment.
    pub fn development() -> Self {
        Self::from_json(DEVELOPMENT_KEYS).expect("valid development keys")
    }

    pub fn signing_key_id(&self) -> String {
        self.current().signing.clone()
    }

    /// Seals `claims` into a link token with the signing key.
    pub fn seal(&self, c: &Claims) -> String {
        let set = self.current();
        let kid = set.signing.as_bytes();
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
            plain.resize(plain.len() + ID_FIELD - s.len(), 0);
        }
        let days = c.date.date().since(jiff::civil::date(1970, 1, 1)).expect("in range").get_days();
        plain.extend_from_slice(&days.to_be_bytes());
        plain.extend_from_slice(&c.issued.as_second().to_be_bytes());
        plain.extend_from_slice(&c.expires.as_second().to_be_bytes());
        let sealer = &set.keys[&set.signing];
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
        let set = self.current();
        let sealer = set.keys.get(kid).ok_or(TokenError::UnknownKey)?;
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
        let team = TeamId::parse(&text(r.id()?)?).map_err(|_| TokenError::Malformed)?;
        let member = MemberId::parse(&text(r.id()?)?).map_err(|_| TokenError::Malformed)?;
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
    /// A padded id: its length, then [`ID_FIELD`] bytes.
    fn id(&mut self) -> Result<&'a [u8], TokenError> {
        let n = usize::from(self.take(1)?[0]);
        let field = self.take(ID_FIELD)?;
        field.get(..n).ok_or(TokenError::Malformed)
    }
}

/// Development keys: public on purpose, accepted only where configured.
pub const DEVELOPMENT_KEYS: &str =
    r#"{"signing":"dev1","keys":{"dev1":"bW9yYWxlLWRldmVsb3BtZW50LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24tdXNl"}}"#;

#[cfg(test)]
mod tests;
