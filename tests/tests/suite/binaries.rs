//! The functions as they are deployed: the three built binaries, each started with the
//! environment its `template.yaml` resource gives it, behind a local Lambda Runtime API, and
//! wired as the template's events say — the schedule's input to the sender, the EventBridge
//! rule's events to the bounce handler, HTTP API v2 events to the response API.

use crate::system::System;
use jiff::{SignedDuration, Timestamp};
use morale::domain::{EmailAddress, Member, MemberStatus, OutboxKey, OutboxStatus, Schedule, SendDate, Team, TeamId};
use morale::store::prelude::*;
use morale_localstack::lambda::{Endpoints, LocalFunction, StackValues, serve_http_api, start_function};
use serde_json::json;
use std::collections::HashMap;

const KEYS_PARAMETER: &str = "/morale/test/token-keys";
const VOTER_PARAMETER: &str = "/morale/test/voter-key";

/// The values CloudFormation would give the template's `!Ref`s, `!Sub`s and `!GetAtt`s here.
fn values(sys: &System) -> HashMap<&'static str, String> {
    let stack = StackValues {
        table: &sys.table.name,
        alert_topic: &sys.alerts.topic_arn,
        configuration_set: "events",
        token_keys_parameter: KEYS_PARAMETER,
        voter_key_parameter: VOTER_PARAMETER,
    };
    stack.resolved()
}

/// Starts one function from its binary and its template resource, reaching the local stack.
async fn function(sys: &System, resource: &str, bin: &str, api_url: Option<&str>) -> LocalFunction {
    let endpoints = Endpoints {
        moto: morale_tests::moto_url(),
        sns: sys.sns_faults.url.clone(),
        dynamodb: sys.dynamodb_faults.url.clone(),
        sesv2: sys.ses.url(),
    };
    start_function(resource, bin, &values(sys), &endpoints, api_url).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_through_the_built_binaries_tick_ses_events_a_click_and_a_vote() {
    let (sys, route) = System::with_events("2026-11-23T20:00:00Z", 100.0).await;
    // The functions read their token keys where the deployed ones do: an SSM parameter.
    let keys = morale::token::DEVELOPMENT_KEYS;
    let ssm = aws_sdk_ssm::Client::new(&morale_tests::local_sdk_config().await);
    let put =
        ssm.put_parameter().name(KEYS_PARAMETER).value(keys).r#type(aws_sdk_ssm::types::ParameterType::SecureString);
    put.overwrite(true).send().await.unwrap();

    // The binaries run on the real clock: a team due now.
    let now = Timestamp::now();
    let schedule = Schedule::parse("UTC", &now.strftime("%H:%M").to_string(), "mon-sun").unwrap();
    let admins = vec![EmailAddress::parse("lead@example.com").unwrap()];
    let mut team = Team::new(TeamId::parse("deployed").unwrap(), "Deployed".into(), schedule, admins, now);
    team.next_send_at = Some(now);
    sys.store.create_team(&team).await.unwrap();
    let mut ids = HashMap::new();
    for email in ["ana@example.com", "bo@example.com", "bounce@simulator.amazonses.com"] {
        let m = Member::new(&team, EmailAddress::parse(email).unwrap(), None, now - SignedDuration::from_hours(1));
        ids.insert(email, m.id.clone());
        sys.store.add_member(&m).await.unwrap();
    }

    let api = function(&sys, "ResponseApiFunction", "response-api", None).await;
    let (api_addr, _gateway) = serve_http_api(api).await.unwrap();
    let api_url = format!("http://{api_addr}");
    let mut sender = function(&sys, "SenderFunction", "sender", Some(&api_url)).await;
    let mut handler = function(&sys, "BounceHandlerFunction", "bounce-handler", None).await;

    // The schedule's input, as template.yaml gives it.
    let report = sender.invoke(json!({"action": "tick"})).await.expect("the tick succeeds");
    assert_eq!(report["sent"], 3, "{report}");
    // The rule's events, as EventBridge hands them to the bounce handler: Send and Delivery
    // or Bounce for each of the three.
    let events = route.collect(6).await.unwrap();
    assert_eq!(events.len(), 6);
    for e in events {
        handler.invoke(e).await.expect("every event handled");
    }
    let date: SendDate = team.schedule.local_date(now);
    let status = |email: &str| {
        let key = OutboxKey { team: team.id.clone(), date, member: ids[email].clone() };
        let store = sys.store.clone();
        let member = ids[email].clone();
        let team = team.id.clone();
        async move {
            let item = store.get_outbox(&key).await.unwrap().unwrap();
            (item.status, store.get_member(&team, &member).await.unwrap().unwrap().status)
        }
    };
    assert_eq!(status("ana@example.com").await, (OutboxStatus::Delivered, MemberStatus::Active));
    assert_eq!(status("bounce@simulator.amazonses.com").await, (OutboxStatus::Failed, MemberStatus::Bounced));

    // A click on Ana's email: its link leads to the HTTP API in front of the response API.
    let mail = sys.ses.app().messages().into_iter().find(|m| m.to == ["ana@example.com"]).unwrap();
    let text = mail.text.clone().unwrap();
    let link = morale_tests::answer_link(&text, "Good");
    assert!(link.starts_with(&api_url), "{link}");
    let page = morale_tests::http(&api_url, "GET", &link[api_url.len()..], "text/html", "").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = morale_tests::answer_form(&link, 4, "");
    let thanks = morale_tests::http(&api_url, "POST", "/r", "application/x-www-form-urlencoded", &body).await;
    assert_eq!(thanks.status, 200, "{}", thanks.body);
    let votes = sys.store.list_responses(&team.id, date, date).await.unwrap();
    assert_eq!(votes.iter().map(|v| v.score.value()).collect::<Vec<_>>(), [4]);
    // The response API made its voters' key itself, where only its role may read it: no
    // person, script or other function handed it over.
    let voter_key = ssm.get_parameter().name(VOTER_PARAMETER).with_decryption(true).send().await.unwrap();
    let voter_key = voter_key.parameter.and_then(|p| p.value).unwrap();
    assert!(morale::voter::VoterSecret::from_base64(&voter_key).is_ok());
    assert_ne!(voter_key, morale::voter::DEVELOPMENT_VOTER_KEY, "not the development key");
}
