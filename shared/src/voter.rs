//! Who voted, for as long as a day's answers may change, and not a moment longer.
//!
//! One vote per person per day needs a pseudonym while the day is open: the response API keys
//! each vote by `HMAC(voter secret, team | date | member | day salt)`. The salt is random per
//! team and day, kept in the table only until the day's answers close; then the sender fixes the
//! day's figures and deletes the salt and the votes. The voter secret is a key of its own, read
//! by the response API alone (not the sender, not `moralectl`): whoever reads the table still
//! cannot tell whose a pseudonym is while the day is open, and once it closed nobody can, with
//! any key Morale holds.

use crate::domain::{MemberId, SendDate, TeamId, VoterKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Whatever becomes of the forgetting (a day record that cannot be read, a day never recorded),
/// a day's salt and votes are removed by the table's TTL from this instant: a week after the
/// day began (UTC), days after its answers closed at the end of the next local day.
pub fn kept_until(date: SendDate) -> jiff::Timestamp {
    let midnight = date.date().to_datetime(jiff::civil::time(0, 0, 0, 0));
    let began = jiff::tz::Offset::UTC.to_timestamp(midnight).expect("a date in range");
    began + jiff::SignedDuration::from_hours(24 * 7)
}

/// The response API's key for voters' pseudonyms.
#[derive(Clone)]
pub struct VoterSecret(Vec<u8>);

impl std::fmt::Debug for VoterSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VoterSecret(..)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("voter key: {0}")]
pub struct VoterKeyError(String);

impl VoterSecret {
    /// From its base64 (at least 32 bytes), as kept in its SSM parameter.
    pub fn from_base64(b64: &str) -> Result<Self, VoterKeyError> {
        let bytes = STANDARD.decode(b64.trim()).map_err(|_| VoterKeyError("not base64".into()))?;
        if bytes.len() < 32 {
            return Err(VoterKeyError("shorter than 32 bytes".into()));
        }
        Ok(Self(bytes))
    }

    /// A fixed key for local development and tests. Never for a deployment.
    pub fn development() -> Self {
        Self::from_base64(DEVELOPMENT_VOTER_KEY).expect("a valid development key")
    }

    /// The member's pseudonym for one team's day, under that day's salt.
    pub fn pseudonym(&self, team: &TeamId, date: SendDate, member: &MemberId, salt: &DaySalt) -> VoterKey {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        for part in [team.as_str(), date.as_str(), member.as_str(), salt.as_str()] {
            m.update(part.as_bytes());
            m.update(b"\0");
        }
        VoterKey(URL_SAFE_NO_PAD.encode(&m.finalize().into_bytes()[..16]))
    }
}

/// A team-day's random salt (32 bytes, base64url).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySalt(String);

impl DaySalt {
    pub fn random() -> Self {
        let mut b = [0u8; 32];
        crate::random::fill(&mut b);
        Self(URL_SAFE_NO_PAD.encode(b))
    }

    /// As stored.
    pub fn parse(s: &str) -> Option<Self> {
        (URL_SAFE_NO_PAD.decode(s).ok()?.len() == 32).then(|| Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Public on purpose, accepted only where configured.
pub const DEVELOPMENT_VOTER_KEY: &str = "bW9yYWxlLWRldmVsb3BtZW50LXZvdGVyLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ttl_keeps_a_day_days_past_its_close_in_every_zone() {
        let date = SendDate::parse("2026-11-23").unwrap();
        assert_eq!(kept_until(date), "2026-11-30T00:00:00Z".parse::<jiff::Timestamp>().unwrap());
        for zone in ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"] {
            let schedule = crate::domain::Schedule::parse(zone, "09:00", "mon-fri").unwrap();
            let margin = kept_until(date) - schedule.answers_close(date);
            assert!(margin >= jiff::SignedDuration::from_hours(24 * 4), "{zone}: {margin:?}");
        }
    }

    #[test]
    fn a_pseudonym_is_per_team_day_and_salt() {
        let k = VoterSecret::development();
        let (t, m) = (TeamId::parse("platform").unwrap(), MemberId::parse("ma").unwrap());
        let d = SendDate::parse("2026-11-24").unwrap();
        let salt = DaySalt::random();
        assert_eq!(k.pseudonym(&t, d, &m, &salt), k.pseudonym(&t, d, &m, &salt), "one vote per person per day");
        assert_ne!(k.pseudonym(&t, d, &m, &salt), k.pseudonym(&t, d, &MemberId::parse("mb").unwrap(), &salt));
        assert_ne!(k.pseudonym(&t, d, &m, &salt), k.pseudonym(&t, d.next_day(), &m, &salt), "a new one every day");
        // Without the day's salt, the same secret cannot find the member again.
        assert_ne!(k.pseudonym(&t, d, &m, &salt), k.pseudonym(&t, d, &m, &DaySalt::random()));
        let other = VoterSecret::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        assert_ne!(k.pseudonym(&t, d, &m, &salt), other.pseudonym(&t, d, &m, &salt));
    }

    #[test]
    fn bad_keys_and_salts_are_refused() {
        assert!(VoterSecret::from_base64("c2hvcnQ=").is_err());
        assert!(VoterSecret::from_base64("not base64!").is_err());
        assert!(DaySalt::parse("short").is_none());
        let s = DaySalt::random();
        assert_eq!(DaySalt::parse(s.as_str()), Some(s));
        assert_eq!(format!("{:?}", VoterSecret::development()), "VoterSecret(..)");
    }
}
