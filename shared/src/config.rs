//! Configuration from the environment: every variable the functions read is named here, and
//! `template.yaml` sets each of them (a test checks).

use crate::token::TokenKeys;
use jiff::SignedDuration;
use std::time::Duration;

pub mod env {
    pub const TABLE: &str = "MORALE_TABLE";
    /// The SES identity the sender checks before each batch: a domain or an address.
    pub const SENDER_IDENTITY: &str = "MORALE_SENDER_IDENTITY";
    /// The From header, e.g. `Morale <morale@example.com>`.
    pub const FROM_ADDRESS: &str = "MORALE_FROM_ADDRESS";
    pub const CONFIGURATION_SET: &str = "MORALE_CONFIGURATION_SET";
    pub const ALERT_TOPIC_ARN: &str = "MORALE_ALERT_TOPIC_ARN";
    /// The response API's public base URL, for the links in emails.
    pub const API_BASE_URL: &str = "MORALE_API_BASE_URL";
    /// The SSM SecureString parameter with the token keys (JSON, see `TokenKeys::from_json`).
    pub const TOKEN_KEYS_PARAMETER: &str = "MORALE_TOKEN_KEYS_PARAMETER";
    /// The token keys themselves: for the local stack only. Takes precedence over the parameter.
    pub const TOKEN_KEYS: &str = "MORALE_TOKEN_KEYS";
    /// Fraction of the account's MaxSendRate the sender uses (default 0.97).
    pub const SEND_RATE_HEADROOM: &str = "MORALE_SEND_RATE_HEADROOM";
    /// Minutes between reminders while sending is stopped (default 30).
    pub const ALERT_REMINDER_MINUTES: &str = "MORALE_ALERT_REMINDER_MINUTES";
    /// Upper bound on concurrent SendEmail calls (default 64).
    pub const MAX_CONCURRENCY: &str = "MORALE_MAX_CONCURRENCY";
    /// Hours after a team's send time during which a missed send still goes out; by default
    /// until the end of the team's local day, never the next day.
    pub const CATCH_UP_GRACE_HOURS: &str = "MORALE_CATCH_UP_GRACE_HOURS";
}

/// What each function reads (checked against `template.yaml` by a test).
pub const SENDER_READS: &[&str] = &[
    env::TABLE,
    env::SENDER_IDENTITY,
    env::FROM_ADDRESS,
    env::CONFIGURATION_SET,
    env::ALERT_TOPIC_ARN,
    env::API_BASE_URL,
    env::TOKEN_KEYS_PARAMETER,
    env::SEND_RATE_HEADROOM,
    env::ALERT_REMINDER_MINUTES,
    env::MAX_CONCURRENCY,
];
pub const BOUNCE_HANDLER_READS: &[&str] = &[env::TABLE, env::ALERT_TOPIC_ARN];
pub const RESPONSE_API_READS: &[&str] = &[env::TABLE, env::TOKEN_KEYS_PARAMETER];
pub const DEPLOY_CHECK_READS: &[&str] =
    &[env::TABLE, env::SENDER_IDENTITY, env::CONFIGURATION_SET, env::ALERT_TOPIC_ARN];
/// Read if set, with a default otherwise; the template may leave them out.
pub const OPTIONAL: &[&str] = &[env::TOKEN_KEYS, env::CATCH_UP_GRACE_HOURS];

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

fn var(name: &str) -> Result<String, ConfigError> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty()).ok_or_else(|| ConfigError(format!("{name} is not set")))
}

fn parse_var<T: std::str::FromStr>(name: &str, default: T, ok: impl Fn(&T) -> bool) -> Result<T, ConfigError> {
    match std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<T>()
            .ok()
            .filter(|x| ok(x))
            .ok_or_else(|| ConfigError(format!("{name}={v:?} is not valid"))),
    }
}

/// What the sender needs besides its clients.
#[derive(Debug, Clone)]
pub struct SenderConfig {
    pub identity: String,
    pub from: String,
    pub configuration_set: Option<String>,
    pub send_rate_headroom: f64,
    pub reminder_every: SignedDuration,
    pub max_concurrency: usize,
    pub catch_up_grace: Option<SignedDuration>,
    /// How long a claim holds an email before another sender may take it over.
    pub lease: SignedDuration,
    /// Stop claiming when less than this is left before the Lambda deadline.
    pub deadline_margin: Duration,
}

impl SenderConfig {
    pub fn new(identity: &str, from: &str, configuration_set: Option<&str>) -> Self {
        Self {
            identity: identity.into(),
            from: from.into(),
            configuration_set: configuration_set.map(str::to_string),
            send_rate_headroom: 0.97,
            reminder_every: SignedDuration::from_mins(30),
            max_concurrency: 64,
            catch_up_grace: None,
            lease: SignedDuration::from_mins(2),
            deadline_margin: Duration::from_secs(20),
        }
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        let mut c = Self::new(&var(env::SENDER_IDENTITY)?, &var(env::FROM_ADDRESS)?, None);
        c.configuration_set = std::env::var(env::CONFIGURATION_SET).ok().filter(|s| !s.is_empty());
        c.send_rate_headroom = parse_var(env::SEND_RATE_HEADROOM, 0.97, |h: &f64| *h > 0.0 && *h <= 1.0)?;
        c.reminder_every = SignedDuration::from_mins(parse_var(env::ALERT_REMINDER_MINUTES, 30i64, |m: &i64| *m >= 1)?);
        c.max_concurrency = parse_var(env::MAX_CONCURRENCY, 64usize, |n: &usize| (1..=1024).contains(n))?;
        c.catch_up_grace = catch_up_grace(std::env::var(env::CATCH_UP_GRACE_HOURS).ok().as_deref())?;
        Ok(c)
    }
}

/// How long after its send time a team's email may still be scheduled (unset: until the end of
/// its local day). At least an hour: a shorter grace than the ticks' interval would make a send
/// that falls between two ticks a missed day, every day.
fn catch_up_grace(raw: Option<&str>) -> Result<Option<SignedDuration>, ConfigError> {
    let Some(v) = raw.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    match v.parse::<i64>() {
        Ok(h) if (1..=24).contains(&h) => Ok(Some(SignedDuration::from_hours(h))),
        _ => Err(ConfigError(format!(
            "{}={v:?} is not valid: whole hours from 1 to 24 (unset: until the end of the team's local day)",
            env::CATCH_UP_GRACE_HOURS
        ))),
    }
}

/// The token keys: `MORALE_TOKEN_KEYS` (local), else the SSM parameter named by
/// `MORALE_TOKEN_KEYS_PARAMETER` (cloud), read once at start.
pub async fn load_token_keys(sdk: &aws_config::SdkConfig) -> Result<TokenKeys, ConfigError> {
    if let Ok(json) = std::env::var(env::TOKEN_KEYS) {
        return TokenKeys::from_json(&json).map_err(|e| ConfigError(format!("{}: {e}", env::TOKEN_KEYS)));
    }
    let name = var(env::TOKEN_KEYS_PARAMETER)?;
    let out =
        aws_sdk_ssm::Client::new(sdk).get_parameter().name(&name).with_decryption(true).send().await.map_err(|e| {
            ConfigError(format!("reading SSM parameter {name}: {}", aws_sdk_ssm::error::DisplayErrorContext(e)))
        })?;
    let value =
        out.parameter.and_then(|p| p.value).ok_or_else(|| ConfigError(format!("SSM parameter {name} is empty")))?;
    TokenKeys::from_json(&value).map_err(|e| ConfigError(format!("SSM parameter {name}: {e}")))
}

/// A required variable, for the functions' `main`.
pub fn required(name: &str) -> Result<String, ConfigError> {
    var(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catch_up_grace_is_whole_hours_from_one_to_a_day() {
        assert_eq!(catch_up_grace(None).unwrap(), None);
        assert_eq!(catch_up_grace(Some(" ")).unwrap(), None);
        assert_eq!(catch_up_grace(Some("3")).unwrap(), Some(SignedDuration::from_hours(3)));
        for bad in ["0", "-1", "25", "1.5", "soon"] {
            let e = catch_up_grace(Some(bad)).unwrap_err().to_string();
            assert!(e.contains("MORALE_CATCH_UP_GRACE_HOURS") && e.contains("from 1 to 24"), "{bad}: {e}");
        }
    }
}
