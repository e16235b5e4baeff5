//! `moralectl --local faults`: plans for the local stack's fault proxies, over their `/_faults`.

use crate::{Cli, FaultProxyName, FaultsCmd, FaultsSet};
use anyhow::{Context, Result, bail};
use morale_localstack::http::try_http;
use morale_localstack::{AwsError, Fault, FaultPlan, FaultRule};
use serde_json::{Value, json};

fn proxy_url(cli: &Cli, proxy: FaultProxyName) -> Result<String> {
    if !cli.local {
        bail!("fault proxies exist only in the local stack: add --local (and run `make dev`)");
    }
    let (url, flag) = match proxy {
        FaultProxyName::Dynamodb => (&cli.dynamodb_endpoint, "--dynamodb-endpoint or MORALE_DYNAMODB_URL"),
        FaultProxyName::Moto => (&cli.endpoint, "--endpoint or MORALE_MOTO_URL"),
    };
    url.clone().with_context(|| format!("which proxy? Give {flag} (`make dev` prints them)"))
}

/// One call to a proxy's control API; a clear error if nothing there is a fault proxy (it is
/// asked first: a fault proxy's `GET /_faults` shows its plan).
async fn control(url: &str, method: &str, body: &str) -> Result<Value> {
    let call = |method: &'static str, body: String| async move {
        try_http(url, method, "/_faults", "application/json", &body)
            .await
            .with_context(|| format!("no answer from {url}: is `make dev` running?"))
    };
    let shown = call("GET", String::new()).await?;
    let plan: Option<Value> = serde_json::from_str(&shown.body).ok();
    if shown.status != 200 || plan.as_ref().is_none_or(|v| v.get("plan").is_none()) {
        bail!("{url} is not a fault proxy (`make dev` prints the proxies' addresses)");
    }
    if method == "GET" {
        return Ok(plan.unwrap_or_default());
    }
    let method = if method == "PUT" { "PUT" } else { "DELETE" };
    let reply = call(method, body.to_string()).await?;
    if !(200..300).contains(&reply.status) {
        bail!("the fault proxy at {url} answered {}: {}", reply.status, reply.body);
    }
    Ok(Value::Null)
}

fn rule(s: &FaultsSet) -> Result<FaultPlan> {
    if let Some(path) = &s.plan {
        let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
        return serde_json::from_str(&text).with_context(|| format!("{} is not a fault plan", path.display()));
    }
    if !(0.0..=1.0).contains(&s.share) {
        bail!("--share is a share of requests, from 0 to 1 (got {})", s.share);
    }
    let fault = match (&s.error, s.latency_ms, s.lose_answer, s.slow_answer_ms) {
        (Some(code), ..) => {
            let code: AwsError = serde_json::from_value(json!(code)).map_err(|_| {
                anyhow::anyhow!(
                    "unknown --error {code}: one of InternalServerError, ThrottlingException, \
                     ProvisionedThroughputExceededException, RequestLimitExceeded, TransactionConflict"
                )
            })?;
            Fault::Error { code }
        }
        (_, Some(ms), ..) => Fault::Latency { ms },
        (_, _, true, _) => Fault::LoseAnswer,
        (.., Some(ms)) => Fault::SlowAnswer { ms },
        _ if s.stale_answer => Fault::StaleAnswer,
        _ => unreachable!("clap requires one fault"),
    };
    let rule = FaultRule {
        operations: s.operations.clone(),
        body_contains: s.body_contains.clone(),
        share: s.share,
        limit: s.limit,
        fault,
    };
    Ok(FaultPlan { rules: vec![rule], seed: s.seed })
}

pub async fn faults(cli: &Cli, cmd: &FaultsCmd, json_out: bool) -> Result<()> {
    let both = [FaultProxyName::Dynamodb, FaultProxyName::Moto];
    match cmd {
        FaultsCmd::Show => {
            // Each proxy that answers; the others say why not. None at all is an error.
            let mut out = serde_json::Map::new();
            let mut errors = Vec::new();
            for p in both {
                let shown = match proxy_url(cli, p) {
                    Ok(url) => control(&url, "GET", "").await,
                    Err(e) => Err(e),
                };
                let v = shown.unwrap_or_else(|e| {
                    errors.push(format!("{e:#}"));
                    json!({"error": format!("{e:#}")})
                });
                out.insert(format!("{p:?}").to_lowercase(), v);
            }
            if errors.len() == both.len() {
                bail!("{}", errors.join("; "));
            }
            let out = Value::Object(out);
            println!("{}", if json_out { out.to_string() } else { serde_json::to_string_pretty(&out)? });
        }
        FaultsCmd::Set(s) => {
            let plan = rule(s)?;
            let url = proxy_url(cli, s.proxy)?;
            control(&url, "PUT", &serde_json::to_string(&plan)?).await?;
            if json_out {
                println!("{}", json!({"proxy": format!("{:?}", s.proxy).to_lowercase(), "plan": plan}));
            } else {
                println!("{url}: {}", serde_json::to_string(&plan)?);
            }
        }
        FaultsCmd::Clear { proxy } => {
            for p in proxy.map(|p| vec![p]).unwrap_or(both.to_vec()) {
                control(&proxy_url(cli, p)?, "DELETE", "").await?;
                if !json_out {
                    println!("{}: no faults", format!("{p:?}").to_lowercase());
                }
            }
        }
    }
    Ok(())
}
