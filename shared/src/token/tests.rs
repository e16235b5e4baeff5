use super::*;
use proptest::prelude::*;

fn keys(signing: &str, ids: &[(&str, u8)]) -> TokenKeys {
    let b64 = |fill: u8| base64::engine::general_purpose::STANDARD.encode([fill; 32]);
    let map: BTreeMap<&str, String> = ids.iter().map(|(id, fill)| (*id, b64(*fill))).collect();
    TokenKeys::from_json(&serde_json::json!({"signing": signing, "keys": map}).to_string()).unwrap()
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
    assert!(t.len() < 220, "links stay short: {}", t.len());
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
    assert!(TokenKeys::from_json(r#"{"signing":"a","keys":{"a":"c2hvcnQ="}}"#).is_err());
    let b = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
    let err = TokenKeys::from_json(&format!(r#"{{"signing":"b","keys":{{"a":"{b}"}}}}"#)).unwrap_err();
    assert!(err.to_string().contains("signing key"));
    let err = TokenKeys::from_json(&format!(r#"{{"signing":"a","keys":{{"a":"{b}"}},"voter":"{b}"}}"#));
    assert!(err.unwrap_err().to_string().contains("parameter of its own"), "the old shape says what moved");
    assert!(!format!("{:?}", keys("k1", &[("k1", 1)])).contains("AQEB"), "Debug shows no key material");
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

/// Two-phase rotation on running functions: a handle already held (by the response API, the
/// renderer) picks up new keys when they are replaced, without a restart.
#[test]
fn a_held_handle_picks_up_rotated_keys() {
    let held = keys("k1", &[("k1", 1)]);
    let renderer_copy = held.clone();
    let (old_token, now) = sample(&held, Purpose::Answer);
    // Phase one: k2 accepted everywhere, k1 still sealing.
    held.replace_with(&keys("k1", &[("k1", 1), ("k2", 2)]));
    let (still_k1, _) = sample(&renderer_copy, Purpose::Answer);
    assert_eq!(still_k1, old_token, "k1 still seals");
    // Phase two: k2 seals; old links still open.
    held.replace_with(&keys("k2", &[("k1", 1), ("k2", 2)]));
    assert_eq!(renderer_copy.signing_key_id(), "k2");
    let (new_token, _) = sample(&renderer_copy, Purpose::Answer);
    assert!(held.open(&new_token, Purpose::Answer, now).is_ok());
    assert!(held.open(&old_token, Purpose::Answer, now).is_ok());
    // Retired: k1's links stop.
    held.replace_with(&keys("k2", &[("k2", 2)]));
    assert_eq!(renderer_copy.open(&old_token, Purpose::Answer, now), Err(TokenError::UnknownKey));
}

/// A token's length says nothing about whose it is: every team's and member's are as long.
#[test]
fn every_token_is_as_long_as_every_other() {
    let k = keys("k1", &[("k1", 1)]);
    let now: Timestamp = "2026-11-24T15:00:00Z".parse().unwrap();
    let d = SendDate::parse("2026-11-24").unwrap();
    let lens: std::collections::BTreeSet<usize> =
        [("a", "m"), ("a-much-longer-team-name", "mabcdefghijklmnopqrst"), (&*"t".repeat(40), &*"m".repeat(40))]
            .iter()
            .map(|(t, m)| {
                let c = Claims::new(Purpose::Answer, &TeamId::parse(t).unwrap(), &MemberId::parse(m).unwrap(), d, now);
                k.seal(&c.score(Score::new(3).unwrap())).len()
            })
            .collect();
    assert_eq!(lens.len(), 1, "{lens:?}");
}
