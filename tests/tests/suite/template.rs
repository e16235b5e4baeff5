//! template.yaml against the code: every metric an alarm or the dashboard names is emitted by
//! the code, and every environment variable a function reads is set for it by the template.

use morale::config;
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn template() -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(root().join("template.yaml")).unwrap()).unwrap()
}

/// A tagged value (`!Sub "..."`) as its plain value.
fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => &t.value,
        other => other,
    }
}

fn resources(t: &Value) -> Vec<(String, &Value)> {
    t["Resources"].as_mapping().unwrap().iter().map(|(k, v)| (k.as_str().unwrap().to_string(), v)).collect()
}

/// Metric names in the `Morale` namespace that the template's alarms and dashboard use.
fn template_metrics(t: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, r) in resources(t) {
        let props = &r["Properties"];
        match r["Type"].as_str() {
            Some("AWS::CloudWatch::Alarm") => {
                if props["Namespace"].as_str() == Some("Morale") {
                    out.insert(props["MetricName"].as_str().unwrap().to_string());
                }
                for m in props["Metrics"].as_sequence().into_iter().flatten() {
                    let metric = &m["MetricStat"]["Metric"];
                    if metric["Namespace"].as_str() == Some("Morale") {
                        out.insert(metric["MetricName"].as_str().unwrap().to_string());
                    }
                }
            }
            Some("AWS::CloudWatch::Dashboard") => {
                let body = untag(&props["DashboardBody"]).as_str().unwrap();
                // `${...}` substitutions are not JSON-safe until CloudFormation fills them in.
                let mut plain = String::new();
                let mut rest = body;
                while let Some(i) = rest.find("${") {
                    plain.push_str(&rest[..i]);
                    plain.push('x');
                    rest = &rest[i + rest[i..].find('}').unwrap() + 1..];
                }
                plain.push_str(rest);
                let json: serde_json::Value = serde_json::from_str(&plain).expect("the dashboard body is JSON");
                for w in json["widgets"].as_array().unwrap() {
                    for m in w["properties"]["metrics"].as_array().into_iter().flatten() {
                        if m[0] == "Morale" {
                            out.insert(m[1].as_str().unwrap().to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// `pub const IDENT: &str = "Name";` in metrics.rs → Name → IDENT.
fn metric_constants() -> BTreeMap<String, String> {
    let src = std::fs::read_to_string(root().join("shared/src/metrics.rs")).unwrap();
    src.lines()
        .filter_map(|l| l.trim().strip_prefix("pub const "))
        .filter_map(|l| {
            let (ident, rest) = l.split_once(": &str = \"")?;
            Some((rest.trim_end_matches("\";").to_string(), ident.to_string()))
        })
        .filter(|(name, _)| name != "Morale")
        .collect()
}

fn rust_sources() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("shared/src"), root().join("functions")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() && !p.ends_with("tests") && !p.ends_with("examples") && !p.ends_with("benches") {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("metrics.rs") {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out
}

#[test]
fn every_metric_the_alarms_and_dashboard_name_is_emitted_by_the_code() {
    let t = template();
    let used = template_metrics(&t);
    assert!(used.len() >= 10, "the template's alarms and dashboard were found: {used:?}");
    let consts = metric_constants();
    let sources = rust_sources();
    for name in &used {
        let ident = consts
            .get(name)
            .unwrap_or_else(|| panic!("template.yaml names metric {name}, which morale::metrics does not define"));
        if *name == morale::metrics::VERIFY_ALARM_PATH {
            // Never emitted, by design: `moralectl verify` sets its alarm's state by hand.
            let verify = std::fs::read_to_string(root().join("infra/ctl/src/commands/verify.rs")).unwrap();
            assert!(verify.contains("set_alarm_state"), "moralectl verify sets the verify alarm");
            assert!(t["Outputs"]["VerifyAlarmName"].is_mapping(), "the stack names the verify alarm");
            continue;
        }
        let emitted = sources.iter().any(|(_, src)| src.contains(&format!("metrics::{ident}")));
        assert!(emitted, "template.yaml names metric {name} ({ident}), but no function emits it");
    }
    // And what the code lists as its metrics is what metrics.rs defines.
    for name in morale::metrics::ALL {
        assert!(consts.contains_key(*name), "{name}");
    }
}

#[test]
fn every_environment_variable_a_function_reads_is_set_by_the_template() {
    let t = template();
    let globals: BTreeSet<String> = t["Globals"]["Function"]["Environment"]["Variables"]
        .as_mapping()
        .map(|m| m.keys().map(|k| k.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    let binary_of = |r: &Value| r["Metadata"]["BuildProperties"]["Binary"].as_str().map(str::to_string);
    let mut functions = BTreeMap::new();
    for (_, r) in resources(&t) {
        if r["Type"].as_str() == Some("AWS::Serverless::Function") {
            let mut vars = globals.clone();
            if let Some(m) = r["Properties"]["Environment"]["Variables"].as_mapping() {
                vars.extend(m.keys().map(|k| k.as_str().unwrap().to_string()));
            }
            functions.insert(binary_of(r).expect("every function names its binary"), vars);
        }
    }
    let reads: [(&str, &[&str]); 4] = [
        ("sender", config::SENDER_READS),
        ("bounce-handler", config::BOUNCE_HANDLER_READS),
        ("response-api", config::RESPONSE_API_READS),
        ("deploy-check", config::DEPLOY_CHECK_READS),
    ];
    assert_eq!(functions.len(), reads.len(), "{:?}", functions.keys());
    for (binary, needs) in reads {
        let set = functions.get(binary).unwrap_or_else(|| panic!("template.yaml has no function for {binary}"));
        for v in needs {
            assert!(set.contains(*v), "{binary} reads {v}, which template.yaml does not set for it");
        }
        for v in set.iter().filter(|v| v.starts_with("MORALE_")) {
            assert!(
                needs.contains(&v.as_str()) || config::OPTIONAL.contains(&v.as_str()),
                "template.yaml sets {v} for {binary}, which does not read it"
            );
        }
    }
    // Every variable defined in config::env is read by some function or optional.
    let src = std::fs::read_to_string(root().join("shared/src/config.rs")).unwrap();
    let defined: Vec<&str> = src
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub const "))
        .filter_map(|l| l.split_once(": &str = \"").map(|(_, v)| v.trim_end_matches("\";")))
        .collect();
    let all: BTreeSet<&str> =
        reads.iter().flat_map(|(_, r)| r.iter().copied()).chain(config::OPTIONAL.iter().copied()).collect();
    for v in defined {
        assert!(all.contains(v), "config::env defines {v}, but no function's list mentions it");
    }
    // Environment variables are read only through config.rs (and the logging and metrics
    // switches), so the lists above are the whole truth.
    for (path, src) in rust_sources() {
        let allowed = ["config.rs", "telemetry.rs", "metrics.rs", "moto.rs"];
        if allowed.iter().any(|a| path.ends_with(a)) {
            continue;
        }
        assert!(!src.contains("std::env::var("), "{} reads the environment outside config.rs", path.display());
    }
}

/// A `!Ref X` / `!GetAtt X.Arn` as the logical id it names.
fn names(v: &Value) -> Option<String> {
    match v {
        Value::Tagged(t) if t.tag == "Ref" => t.value.as_str().map(str::to_string),
        Value::Tagged(t) if t.tag == "GetAtt" => t.value.as_str().and_then(|s| s.split('.').next()).map(str::to_string),
        _ => None,
    }
}

/// Every alarm tells the alert topic, and CloudWatch can publish to it: the topic's key is one
/// of the stack's own whose policy lets CloudWatch use it (the AWS-managed SNS key would
/// swallow every alarm). The functions that publish alerts may use the key too.
#[test]
fn every_alarm_reaches_the_alert_topic_and_cloudwatch_can_use_its_key() {
    let t = template();
    let res: BTreeMap<String, &Value> = resources(&t).into_iter().collect();
    let alarms: Vec<(&String, &&Value)> =
        res.iter().filter(|(_, r)| r["Type"].as_str() == Some("AWS::CloudWatch::Alarm")).collect();
    assert!(alarms.len() >= 13, "{}", alarms.len());
    for (name, a) in &alarms {
        let actions: Vec<String> =
            a["Properties"]["AlarmActions"].as_sequence().into_iter().flatten().filter_map(names).collect();
        assert_eq!(actions, ["AlertTopic"], "{name}'s actions");
    }
    let key = names(&res["AlertTopic"]["Properties"]["KmsMasterKeyId"]).expect("the topic's key is the stack's own");
    assert_eq!(res[&key]["Type"].as_str(), Some("AWS::KMS::Key"));
    let statements = res[&key]["Properties"]["KeyPolicy"]["Statement"].as_sequence().unwrap();
    let cloudwatch = statements
        .iter()
        .find(|s| s["Principal"]["Service"].as_str() == Some("cloudwatch.amazonaws.com"))
        .expect("the key's policy names CloudWatch");
    let actions: Vec<&str> = cloudwatch["Action"].as_sequence().unwrap().iter().filter_map(|a| a.as_str()).collect();
    assert_eq!(cloudwatch["Effect"].as_str(), Some("Allow"));
    assert!(actions.contains(&"kms:Decrypt") && actions.contains(&"kms:GenerateDataKey*"), "{actions:?}");
    // Whoever may publish to the topic may use its key.
    for (name, r) in res.iter().filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function")) {
        let statements: Vec<&Value> = r["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
            .flat_map(|p| p["Statement"].as_sequence().into_iter().flatten())
            .collect();
        let grants = |action: &str, on: &str| {
            statements.iter().any(|s| {
                s["Action"].as_sequence().into_iter().flatten().any(|a| a.as_str() == Some(action))
                    && names(&s["Resource"]).as_deref() == Some(on)
            })
        };
        if grants("sns:Publish", "AlertTopic") {
            assert!(grants("kms:GenerateDataKey*", &key) && grants("kms:Decrypt", &key), "{name} cannot use the key");
        }
    }
}

/// The properties of the alarm on `metric` of `namespace` whose (first) dimension names the
/// resource `logical`.
fn alarm_on<'a>(t: &'a Value, namespace: &str, metric: &str, logical: &str) -> Option<&'a Value> {
    resources(t).into_iter().map(|(_, r)| &r["Properties"]).find(|p| {
        p["Namespace"].as_str() == Some(namespace)
            && p["MetricName"].as_str() == Some(metric)
            && names(&p["Dimensions"][0]["Value"]).as_deref() == Some(logical)
    })
}

/// The dead-man's switch: an alarm fires when the sender stops being invoked at all, and
/// treats no data, the very symptom, as breaching; the response API's failures are alarmed.
#[test]
fn a_sender_that_stops_running_is_alarmed() {
    let t = template();
    let heartbeat =
        alarm_on(&t, "AWS/Lambda", "Invocations", "SenderFunction").expect("an alarm on the sender's invocations");
    assert_eq!(heartbeat["ComparisonOperator"].as_str(), Some("LessThanThreshold"));
    assert_eq!(heartbeat["TreatMissingData"].as_str(), Some("breaching"));
    // No tick for three periods of five minutes: at least two ticks missed, never one late tick.
    let window = heartbeat["Period"].as_u64().unwrap() * heartbeat["EvaluationPeriods"].as_u64().unwrap();
    assert!((600..=1800).contains(&window), "{window}");
    // People asked to try again (the table out of reach) and the API's failures are its 5xx.
    let api = alarm_on(&t, "AWS/ApiGateway", "5xx", "HttpApi").expect("an alarm on the response API's 5xx");
    assert!(api["Threshold"].as_f64().unwrap() <= 5.0);
}

/// An alarm is billed for each metric it watches, and a metric of Morale's for each hour it is
/// written: the alarms watch one metric each, and those on Morale's metrics (written only when
/// not zero) take missing data for "nothing happened". The dashboard stays within the 50
/// metrics of a dashboard the free tier holds.
#[test]
fn alarms_watch_one_metric_each_and_take_no_data_for_nothing_happened() {
    let t = template();
    for (name, r) in resources(&t) {
        let p = &r["Properties"];
        match r["Type"].as_str() {
            Some("AWS::CloudWatch::Alarm") => {
                assert!(p["Metrics"].is_null() && p["MetricName"].is_string(), "{name} watches one metric");
                if p["Namespace"].as_str() == Some(morale::metrics::NAMESPACE) {
                    assert_eq!(p["TreatMissingData"].as_str(), Some("notBreaching"), "{name}");
                }
            }
            Some("AWS::CloudWatch::Dashboard") => {
                let body = untag(&p["DashboardBody"]).as_str().unwrap();
                let metrics = body.lines().map(|l| l.matches("[\"").count()).sum::<usize>();
                assert!((10..=50).contains(&metrics), "{name} shows {metrics} metrics");
            }
            _ => {}
        }
    }
}

/// Whatever the stack gives up on after its retries (a tick, a continuation, an SES event, a
/// failed invocation, an alert SNS could not deliver) lands in a queue an alarm watches.
#[test]
fn every_dead_letter_lands_in_an_alarmed_queue() {
    let t = template();
    let res = resources(&t);
    let watched: BTreeSet<String> = res
        .iter()
        .filter(|(_, r)| r["Properties"]["MetricName"].as_str() == Some("NumberOfMessagesSent"))
        .filter_map(|(_, r)| names(&r["Properties"]["Dimensions"][0]["Value"]))
        .collect();
    let mut destinations = Vec::new();
    fn walk(v: &Value, path: &str, out: &mut Vec<(String, Option<String>)>) {
        match v {
            Value::Mapping(m) => {
                for (k, x) in m {
                    let k = k.as_str().unwrap_or_default();
                    let here = format!("{path}.{k}");
                    match k {
                        "deadLetterTargetArn" | "Destination" => out.push((here.clone(), names(x))),
                        "DeadLetterConfig" => out.push((here.clone(), names(&x["Arn"]))),
                        _ => {}
                    }
                    walk(x, &here, out);
                }
            }
            Value::Sequence(s) => s.iter().for_each(|x| walk(x, path, out)),
            Value::Tagged(t) => walk(&t.value, path, out),
            _ => {}
        }
    }
    for (name, r) in &res {
        walk(r, name, &mut destinations);
    }
    assert!(destinations.len() >= 6, "{destinations:?}");
    for (at, queue) in destinations {
        let queue =
            queue.unwrap_or_else(|| panic!("{at}: a queue of the stack's own (a queue SAM makes is not alarmed)"));
        assert!(watched.contains(&queue), "{at}: {queue} is not watched by an alarm");
    }
    // EventBridge may put a rule's dead letters only where the queue's policy names the rule.
    let text = |v: &Value| serde_yaml::to_string(v).unwrap();
    let policies: String = res
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::SQS::QueuePolicy"))
        .map(|(_, r)| text(&r["Properties"]["PolicyDocument"]))
        .collect();
    for (name, r) in &res {
        for (event, e) in r["Properties"]["Events"].as_mapping().into_iter().flatten() {
            if e["Type"].as_str() == Some("EventBridgeRule") && !e["Properties"]["DeadLetterConfig"].is_null() {
                let rule = untag(&e["Properties"]["RuleName"]).as_str().expect("a named rule").to_string();
                assert!(
                    policies.contains(&format!(":rule/{rule}")),
                    "{name}.{event:?}: no queue policy lets rule {rule} in"
                );
            }
        }
    }
}

/// The voters' key is the response API's alone: only its role may read or create the
/// parameter, and only its role may encrypt or decrypt with the KMS key the parameter is kept
/// under; the account administers that key but cannot use it.
#[test]
fn only_the_response_api_can_read_the_voters_key() {
    let t = template();
    let yaml = |v: &Value| serde_yaml::to_string(v).unwrap();
    for (name, r) in resources(&t) {
        if r["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let policies = yaml(&r["Properties"]["Policies"]);
        let env = yaml(&r["Properties"]["Environment"]);
        let mentions = policies.contains("VoterKeyParameterName") || env.contains("VoterKeyParameterName");
        assert_eq!(mentions, name == "ResponseApiFunction", "{name} and the voters' key");
    }
    let key = &t["Resources"]["VoterKmsKey"]["Properties"]["KeyPolicy"]["Statement"];
    let mut users = Vec::new();
    for s in key.as_sequence().unwrap() {
        let actions = yaml(&s["Action"]);
        let principal = yaml(&s["Principal"]);
        for use_ in [
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "kms:*",
            "kms:ReEncrypt",
            "kms:CreateGrant",
            "kms:Create*",
        ] {
            if actions.contains(use_) {
                users.push(principal.clone());
            }
        }
    }
    assert!(!users.is_empty());
    assert!(users.iter().all(|p| p.contains("ResponseApiFunctionRole")), "{users:?}");
}
