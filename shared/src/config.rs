//! Configuration from the environment: every variable the functions read is named here, and
//! `template.yaml` sets each of them (a test checks).

use crate::token::TokenKeys;
use crate::voter::VoterSecret;
use base64::Engine;
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
    /// The SSM SecureString parameter with the voters' key (base64), which only the response
    /// API's role may read (see `voter`). The response API creates it on first use.
    pub const VOTER_KEY_PARAMETER: &str = "MORALE_VOTER_KEY_PARAMETER";
    /// The KMS key the voters' key parameter is created under.
    pub const VOTER_KEY_KMS: &str = "MORALE_VOTER_KEY_KMS";
    /// The voters' key itself: for the local stack only. Takes precedence over the parameter.
    pub const VOTER_KEY: &str = "MORALE_VOTER_KEY";
    /// Fraction of the account's MaxSendRate the sender paces to (default [`super::SEND_RATE_HEADROOM`]).
    pub const SEND_RATE_HEADROOM: &str = "MORALE_SEND_RATE_HEADROOM";
    /// Minutes between reminders while sending is stopped (default 30).
    pub const ALERT_REMINDER_MINUTES: &str = "MORALE_ALERT_REMINDER_MINUTES";
    /// Upper bound on concurrent SendEmail calls (default 64).
    pub const MAX_CONCURRENCY: &str = "MORALE_MAX_CONCURRENCY";
    /// The event bus on which the sender asks for its own continuation (unset: the next tick
    /// takes over what a deadline left).
    pub const CONTINUATION_BUS: &str = "MORALE_CONTINUATION_BUS";
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
    env::CONTINUATION_BUS,
];
pub const BOUNCE_HANDLER_READS: &[&str] = &[env::TABLE, env::ALERT_TOPIC_ARN];
pub const RESPONSE_API_READS: &[&str] =
    &[env::TABLE, env::TOKEN_KEYS_PARAMETER, env::VOTER_KEY_PARAMETER, env::VOTER_KEY_KMS];
pub const DEPLOY_CHECK_READS: &[&str] =
    &[env::TABLE, env::SENDER_IDENTITY, env::CONFIGURATION_SET, env::ALERT_TOPIC_ARN];
/// Read if set, with a default otherwise; the template may leave them out.
pub const OPTIONAL: &[&str] = &[env::TOKEN_KEYS, env::VOTER_KEY, env::CATCH_UP_GRACE_HOURS];

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

/// Where configuration is read: the environment, or a test's table.
type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn environment(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn var(name: &str) -> Result<String, ConfigError> {
    var_in(&environment, name)
}

fn var_in(get: Lookup, name: &str) -> Result<String, ConfigError> {
    get(name).filter(|v| !v.trim().is_empty()).ok_or_else(|| ConfigError(format!("{name} is not set")))
}

fn parse_var<T: std::str::FromStr>(
    get: Lookup,
    name: &str,
    default: T,
    ok: impl Fn(&T) -> bool,
) -> Result<T, ConfigError> {
    match get(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<T>()
            .ok()
            .filter(|x| ok(x))
            .ok_or_else(|| ConfigError(format!("{name}={v:?} is not valid"))),
    }
}

/// The sender paces to this fraction of MaxSendRate; its pacer also keeps every 1.025 s
/// window within the quota, so that SES's limit is not met even when calls bunch up.
pub const SEND_RATE_HEADROOM: f64 = 0.99;
/// Sends in flight at most: at 1,000 a second, each holding a slot for SES's answer and the
/// table's writes (about 60 ms), 60 are busy; the rest absorb slow answers.
pub const MAX_CONCURRENCY: usize = 256;

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
    /// The event bus on which the sender asks for its own continuation, if any.
    pub continuation_bus: Option<String>,
}

impl SenderConfig {
    pub fn new(identity: &str, from: &str, configuration_set: Option<&str>) -> Self {
        Self {
            identity: identity.into(),
            from: from.into(),
            configuration_set: configuration_set.map(str::to_string),
            send_rate_headroom: SEND_RATE_HEADROOM,
            reminder_every: SignedDuration::from_mins(30),
            max_concurrency: MAX_CONCURRENCY,
            catch_up_grace: None,
            lease: SignedDuration::from_mins(2),
            deadline_margin: Duration::from_secs(20),
            continuation_bus: None,
        }
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(&environment)
    }

    fn from_lookup(get: Lookup) -> Result<Self, ConfigError> {
        // Required: without its configuration set SES publishes no events, so no delivery,
        // bounce or complaint would ever be recorded, and every email would end unconfirmed.
        let set = var_in(get, env::CONFIGURATION_SET)?;
        let mut c = Self::new(&var_in(get, env::SENDER_IDENTITY)?, &var_in(get, env::FROM_ADDRESS)?, Some(&set));
        c.continuation_bus = get(env::CONTINUATION_BUS).filter(|s| !s.is_empty());
        let headroom = |h: &f64| *h > 0.0 && *h <= 1.0;
        c.send_rate_headroom = parse_var(get, env::SEND_RATE_HEADROOM, SEND_RATE_HEADROOM, headroom)?;
        c.reminder_every =
            SignedDuration::from_mins(parse_var(get, env::ALERT_REMINDER_MINUTES, 30i64, |m: &i64| *m >= 1)?);
        c.max_concurrency = parse_var(get, env::MAX_CONCURRENCY, MAX_CONCURRENCY, |n: &usize| (1..=1024).contains(n))?;
        c.catch_up_grace = catch_up_grace(get(env::CATCH_UP_GRACE_HOURS).as_deref())?;
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
    let (from, value) = secret(sdk, env::TOKEN_KEYS, env::TOKEN_KEYS_PARAMETER).await?;
    TokenKeys::from_json(&value).map_err(|e| ConfigError(format!("{from}: {e}")))
}

/// The voters' key: `MORALE_VOTER_KEY` (local), else the SSM parameter named by
/// `MORALE_VOTER_KEY_PARAMETER`. The response API's alone: where the parameter does not exist
/// yet, it is created here with a random key, encrypted under `MORALE_VOTER_KEY_KMS`, so that
/// no person ever handles it. Racing cold starts keep the one created first.
pub async fn load_voter_secret(sdk: &aws_config::SdkConfig) -> Result<VoterSecret, ConfigError> {
    if let Some(value) = local_secret(env::VOTER_KEY, env::VOTER_KEY_PARAMETER, &|k| std::env::var(k).ok())? {
        return VoterSecret::from_base64(&value).map_err(|e| ConfigError(format!("{}: {e}", env::VOTER_KEY)));
    }
    let name = var(env::VOTER_KEY_PARAMETER)?;
    let ssm = aws_sdk_ssm::Client::new(sdk);
    let read = || async {
        match ssm.get_parameter().name(&name).with_decryption(true).send().await {
            Ok(out) => Ok(out.parameter.and_then(|p| p.value)),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_parameter_not_found()) => Ok(None),
            Err(e) => Err(ConfigError(format!(
                "reading SSM parameter {name}: {}",
                aws_sdk_ssm::error::DisplayErrorContext(e)
            ))),
        }
    };
    let value = match read().await? {
        Some(v) => v,
        None => {
            let mut bytes = [0u8; 32];
            crate::random::fill(&mut bytes);
            let fresh = base64::engine::general_purpose::STANDARD.encode(bytes);
            let put = ssm
                .put_parameter()
                .name(&name)
                .value(&fresh)
                .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
                .set_key_id(std::env::var(env::VOTER_KEY_KMS).ok().filter(|k| !k.is_empty()))
                .description("Morale's voters' key: created and read by the response API alone")
                .overwrite(false)
                .send()
                .await;
            match put {
                Ok(_) => fresh,
                Err(e) if e.as_service_error().is_some_and(|e| e.is_parameter_already_exists()) => {
                    read().await?.ok_or_else(|| ConfigError(format!("SSM parameter {name} vanished")))?
                }
                Err(e) => {
                    return Err(ConfigError(format!(
                        "creating SSM parameter {name}: {}",
                        aws_sdk_ssm::error::DisplayErrorContext(e)
                    )));
                }
            }
        }
    };
    VoterSecret::from_base64(&value).map_err(|e| ConfigError(format!("SSM parameter {name}: {e}")))
}

/// A secret given in the environment itself (`local`): off AWS only. On Lambda (which sets
/// `AWS_EXECUTION_ENV`, a variable no function configuration may set or unset), and wherever
/// the deployment's parameter is named, the environment must not give the key: whoever may
/// change a function's configuration would otherwise choose it (and, for the voters' key, link
/// votes to voters).
fn local_secret(
    local: &str,
    parameter: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, ConfigError> {
    let Some(value) = lookup(local) else { return Ok(None) };
    if lookup("AWS_EXECUTION_ENV").is_some() || lookup(parameter).is_some() {
        return Err(ConfigError(format!(
            "{local} is for the local stack only: a deployed function reads its key from {parameter}; unset {local}"
        )));
    }
    Ok(Some(value))
}

/// A secret from the variable `local` where that is allowed (see [`local_secret`]), else from
/// the SSM parameter `parameter` names: where it came from, and its value.
async fn secret(sdk: &aws_config::SdkConfig, local: &str, parameter: &str) -> Result<(String, String), ConfigError> {
    if let Some(value) = local_secret(local, parameter, &|k| std::env::var(k).ok())? {
        return Ok((local.to_string(), value));
    }
    let name = var(parameter)?;
    let out =
        aws_sdk_ssm::Client::new(sdk).get_parameter().name(&name).with_decryption(true).send().await.map_err(|e| {
            ConfigError(format!("reading SSM parameter {name}: {}", aws_sdk_ssm::error::DisplayErrorContext(e)))
        })?;
    let value =
        out.parameter.and_then(|p| p.value).ok_or_else(|| ConfigError(format!("SSM parameter {name} is empty")))?;
    Ok((format!("SSM parameter {name}"), value))
}

/// How often running functions read their token keys again: a rotation's first phase (a new
/// key accepted) reaches every function within this, plus one invocation, without a restart.
pub const KEYS_REFRESH: Duration = Duration::from_secs(300);

/// Reads the token keys again every `every`, and hands them to every holder of `keys`.
pub fn refresh_token_keys(sdk: aws_config::SdkConfig, keys: TokenKeys, every: Duration) -> tokio::task::JoinHandle<()> {
    let again = sdk.clone();
    keys.reload_with(std::sync::Arc::new(move || {
        let sdk = again.clone();
        Box::pin(async move {
            load_token_keys(&sdk)
                .await
                .inspect_err(|e| tracing::warn!(error = %e, "the token keys could not be read again"))
                .ok()
        })
    }));
    let load = move || {
        let sdk = sdk.clone();
        async move { load_token_keys(&sdk).await }
    };
    tokio::spawn(refresh_with(keys, every, load))
}

/// The refresh loop, with what loads the keys: a read that fails keeps the keys held, and says
/// so (the next read may succeed).
pub async fn refresh_with<F, Fut>(keys: TokenKeys, every: Duration, load: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<TokenKeys, ConfigError>>,
{
    loop {
        tokio::time::sleep(every).await;
        match load().await {
            Ok(fresh) => keys.replace_with(&fresh),
            Err(e) => tracing::warn!(error = %e, "the token keys could not be read again; the ones held stay"),
        }
    }
}

/// A required variable, for the functions' `main`.
pub fn required(name: &str) -> Result<String, ConfigError> {
    var(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_in_the_environment_never_overrides_the_deployments_parameter() {
        let lookup = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let local = lookup(&[(env::VOTER_KEY, "a-key-someone-chose")]);
        assert_eq!(
            local_secret(env::VOTER_KEY, env::VOTER_KEY_PARAMETER, &local).unwrap().as_deref(),
            Some("a-key-someone-chose")
        );
        let deployed = lookup(&[(env::VOTER_KEY_PARAMETER, "/morale/voter-key")]);
        assert_eq!(local_secret(env::VOTER_KEY, env::VOTER_KEY_PARAMETER, &deployed).unwrap(), None);
        let both = lookup(&[(env::VOTER_KEY, "a-key-someone-chose"), (env::VOTER_KEY_PARAMETER, "/morale/voter-key")]);
        let e = local_secret(env::VOTER_KEY, env::VOTER_KEY_PARAMETER, &both).unwrap_err();
        assert!(e.0.contains("unset MORALE_VOTER_KEY"), "{e}");
        let both = lookup(&[(env::TOKEN_KEYS, "{}"), (env::TOKEN_KEYS_PARAMETER, "/morale/token-keys")]);
        assert!(local_secret(env::TOKEN_KEYS, env::TOKEN_KEYS_PARAMETER, &both).is_err());
        // On Lambda, taking the parameter's name away does not let the environment in.
        let on_lambda =
            lookup(&[(env::VOTER_KEY, "a-key-someone-chose"), ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023")]);
        assert!(local_secret(env::VOTER_KEY, env::VOTER_KEY_PARAMETER, &on_lambda).is_err());
    }

    #[test]
    fn the_sender_needs_its_configuration_set_and_refuses_nonsense() {
        let base = [
            (env::SENDER_IDENTITY, "morale.example"),
            (env::FROM_ADDRESS, "Morale <noreply@morale.example>"),
            (env::CONFIGURATION_SET, "morale"),
        ];
        let with = |changes: &[(&'static str, &'static str)]| {
            let mut vars: std::collections::HashMap<String, String> =
                base.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            vars.extend(changes.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            move |name: &str| vars.get(name).cloned()
        };
        let c = SenderConfig::from_lookup(&with(&[])).unwrap();
        assert_eq!(c.configuration_set.as_deref(), Some("morale"));
        for (name, value) in [
            (env::CONFIGURATION_SET, ""),
            (env::CONFIGURATION_SET, "  "),
            (env::SENDER_IDENTITY, ""),
            (env::SEND_RATE_HEADROOM, "NaN"),
            (env::SEND_RATE_HEADROOM, "0"),
            (env::MAX_CONCURRENCY, "0"),
            (env::ALERT_REMINDER_MINUTES, "-5"),
            (env::CATCH_UP_GRACE_HOURS, "0.5"),
        ] {
            let e = SenderConfig::from_lookup(&with(&[(name, value)])).expect_err(value);
            assert!(e.0.contains(name), "{name}={value:?}: {e}");
        }
        let unset = |name: &str| base.iter().find(|(k, _)| *k == name && *k != env::CONFIGURATION_SET);
        let e = SenderConfig::from_lookup(&|n: &str| unset(n).map(|(_, v)| v.to_string())).unwrap_err();
        assert_eq!(e.0, format!("{} is not set", env::CONFIGURATION_SET));
    }

    /// A running function's keys follow the parameter: a new key is picked up at the next
    /// refresh, and a failed read keeps what is held.
    #[tokio::test(start_paused = true)]
    async fn held_keys_follow_the_parameter() {
        use crate::token::{Claims, Purpose};
        let b64 = |fill: u8| base64::engine::general_purpose::STANDARD.encode([fill; 32]);
        let json = |signing: &str, ids: &[(&str, u8)]| {
            let keys: std::collections::BTreeMap<&str, String> = ids.iter().map(|(i, f)| (*i, b64(*f))).collect();
            serde_json::json!({"signing": signing, "keys": keys}).to_string()
        };
        let held = TokenKeys::from_json(&json("k1", &[("k1", 1)])).unwrap();
        let parameter = std::sync::Arc::new(std::sync::Mutex::new(Ok(json("k1", &[("k1", 1)]))));
        let p = parameter.clone();
        let load = move || {
            let v = p.lock().unwrap().clone();
            async move {
                v.map_err(ConfigError)
                    .and_then(|j: String| TokenKeys::from_json(&j).map_err(|e| ConfigError(e.to_string())))
            }
        };
        let task = tokio::spawn(refresh_with(held.clone(), KEYS_REFRESH, load));
        *parameter.lock().unwrap() = Ok(json("k2", &[("k1", 1), ("k2", 2)]));
        assert_eq!(held.signing_key_id(), "k1", "not before the refresh");
        tokio::time::sleep(KEYS_REFRESH + Duration::from_secs(1)).await;
        assert_eq!(held.signing_key_id(), "k2", "picked up without a restart");
        *parameter.lock().unwrap() = Err("SSM throttled".to_string());
        tokio::time::sleep(KEYS_REFRESH).await;
        assert_eq!(held.signing_key_id(), "k2", "a failed read keeps the keys held");
        let c = Claims::new(
            Purpose::Answer,
            &crate::domain::TeamId::parse("t").unwrap(),
            &crate::domain::MemberId::parse("m").unwrap(),
            crate::domain::SendDate::parse("2026-11-24").unwrap(),
            jiff::Timestamp::UNIX_EPOCH,
        );
        assert!(held.open(&held.seal(&c), Purpose::Answer, jiff::Timestamp::UNIX_EPOCH).is_ok());
        task.abort();
    }

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
