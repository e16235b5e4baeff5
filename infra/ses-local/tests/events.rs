//! SES events from ses-local reach EventBridge on the local stack (moto) in the documented
//! format, and a rule routes them on (here to an SQS queue), as `template.yaml`'s rule does.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageTag};
use serde_json::Value;
use ses_local::{Config, Outcome, SesLocal};
use std::collections::BTreeMap;

async fn route(name: &str) -> morale_localstack::EventRoute {
    morale_tests::event_route(name).await
}

fn simple() -> EmailContent {
    EmailContent::builder()
        .simple(
            Message::builder()
                .subject(Content::builder().data("How do you feel about work today?").build().unwrap())
                .body(Body::builder().text(Content::builder().data("Pick one").build().unwrap()).build())
                .build(),
        )
        .build()
}

/// ses-local publishing to EventBridge on the local stack, `morale.example` verified.
async fn publishing() -> SesLocal {
    let config = Config {
        eventbridge_endpoint: Some(morale_tests::moto_url()),
        identities: vec!["morale.example".into()],
        account: ses_local::Account { max_send_rate: 1000.0, ..Default::default() },
        ..Config::default()
    };
    SesLocal::start(config).await.unwrap()
}

/// A configuration set `set` whose every event type goes to the EventBridge bus `bus_arn`.
async fn to_bus(ses: &Client, set: &str, bus_arn: &str) {
    ses.create_configuration_set().configuration_set_name(set).send().await.unwrap();
    let mut dest = aws_sdk_sesv2::types::EventDestinationDefinition::builder().enabled(true).event_bridge_destination(
        aws_sdk_sesv2::types::EventBridgeDestination::builder().event_bus_arn(bus_arn).build().unwrap(),
    );
    for t in ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "DELIVERY_DELAY", "REJECT", "RENDERING_FAILURE"] {
        dest = dest.matching_event_types(aws_sdk_sesv2::types::EventType::from(t));
    }
    ses.create_configuration_set_event_destination()
        .configuration_set_name(set)
        .event_destination_name("bus")
        .event_destination(dest.build())
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_simulator_address_produces_its_documented_events() {
    let route = route("ses-local-events-sim").await;
    let server = publishing().await;
    // A configuration set with an EventBridge destination on our bus, made through the API.
    let sdk = morale_localstack::sdk_config(&server.url()).await;
    let ses = Client::new(&sdk);
    to_bus(&ses, "morale", &route.bus_arn).await;
    server.app().script("transient@example.com", Outcome::TransientBounce, 1);
    server.app().script("slow@example.com", Outcome::DelayThenDelivery, 1);
    server.app().script("gone@example.com", Outcome::DelayThenBounce, 1);
    server.app().script("virus@example.com", Outcome::Reject, 1);
    server.app().script("template@example.com", Outcome::RenderingFailure, 1);

    let cases: &[(&str, &[&str])] = &[
        ("success@simulator.amazonses.com", &["Send", "Delivery"]),
        ("bounce@simulator.amazonses.com", &["Send", "Bounce"]),
        ("bounce+label-7@simulator.amazonses.com", &["Send", "Bounce"]),
        ("ooto@simulator.amazonses.com", &["Send", "Delivery"]),
        ("complaint@simulator.amazonses.com", &["Send", "Delivery", "Complaint"]),
        ("suppressionlist@simulator.amazonses.com", &["Send", "Bounce"]),
        ("plain@example.com", &["Send", "Delivery"]),
        ("transient@example.com", &["Send", "Bounce"]),
        ("slow@example.com", &["Send", "DeliveryDelay", "Delivery"]),
        ("gone@example.com", &["Send", "DeliveryDelay", "Bounce"]),
        ("virus@example.com", &["Reject"]),
        ("template@example.com", &["Rendering Failure"]),
    ];
    let mut ids = BTreeMap::new();
    for (to, _) in cases {
        let out = ses
            .send_email()
            .from_email_address("Morale <noreply@morale.example>")
            .destination(Destination::builder().to_addresses(*to).build())
            .content(simple())
            .configuration_set_name("morale")
            .email_tags(MessageTag::builder().name("team").value("platform").build().unwrap())
            .email_tags(MessageTag::builder().name("date").value("2026-11-24").build().unwrap())
            .send()
            .await
            .unwrap();
        ids.insert(out.message_id.unwrap(), *to);
    }
    // Mail without a configuration set publishes nothing.
    ses.send_email()
        .from_email_address("noreply@morale.example")
        .destination(Destination::builder().to_addresses("quiet@example.com").build())
        .content(simple())
        .send()
        .await
        .unwrap();

    let expected: usize = cases.iter().map(|(_, e)| e.len()).sum();
    let events = route.collect(expected).await.unwrap();
    assert_eq!(events.len(), expected, "every event arrives once, none for mail without a configuration set");

    let mut by_recipient: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for e in &events {
        assert_eq!(e["source"], "aws.ses");
        let detail = &e["detail"];
        let mail = &detail["mail"];
        let to = ids[mail["messageId"].as_str().unwrap()];
        assert_eq!(mail["tags"]["ses:configuration-set"][0], "morale");
        assert_eq!(mail["tags"]["team"][0], "platform");
        assert_eq!(mail["tags"]["date"][0], "2026-11-24");
        assert_eq!(mail["commonHeaders"]["subject"], "How do you feel about work today?");
        assert_eq!(mail["destination"][0], to);
        let dt = e["detail-type"].as_str().unwrap();
        let et = detail["eventType"].as_str().unwrap();
        let want_dt = match et {
            "Send" => "Email Sent",
            "Delivery" => "Email Delivered",
            "Bounce" => "Email Bounced",
            "Complaint" => "Email Complaint Received",
            "DeliveryDelay" => "Email Delivery Delayed",
            "Reject" => "Email Rejected",
            "Rendering Failure" => "Email Rendering Failed",
            other => panic!("unexpected eventType {other}"),
        };
        assert_eq!(dt, want_dt);
        by_recipient.entry(to).or_default().push(detail);
    }
    for (to, want) in cases {
        let got = by_recipient.get(to).unwrap_or_else(|| panic!("no events for {to}"));
        let mut types: Vec<&str> = got.iter().map(|d| d["eventType"].as_str().unwrap()).collect();
        let mut want: Vec<&str> = want.to_vec();
        types.sort();
        want.sort();
        assert_eq!(types, want, "{to}");
    }
    let bounce = |to: &str| by_recipient[to].iter().find(|d| d["eventType"] == "Bounce").unwrap()["bounce"].clone();
    let b = bounce("bounce@simulator.amazonses.com");
    assert_eq!((b["bounceType"].as_str(), b["bounceSubType"].as_str()), (Some("Permanent"), Some("General")));
    assert_eq!(b["bouncedRecipients"][0]["status"], "5.1.1");
    assert_eq!(b["bouncedRecipients"][0]["emailAddress"], "bounce@simulator.amazonses.com");
    let b = bounce("suppressionlist@simulator.amazonses.com");
    assert_eq!(b["bounceSubType"], "OnAccountSuppressionList");
    assert_eq!(bounce("transient@example.com")["bounceType"], "Transient");
    assert_eq!(bounce("gone@example.com")["bounceType"], "Transient");
    let c = by_recipient["complaint@simulator.amazonses.com"].iter().find(|d| d["eventType"] == "Complaint").unwrap();
    assert_eq!(c["complaint"]["complainedRecipients"][0]["emailAddress"], "complaint@simulator.amazonses.com");
    assert_eq!(c["complaint"]["complaintFeedbackType"], "abuse");
    let d = by_recipient["slow@example.com"].iter().find(|d| d["eventType"] == "DeliveryDelay").unwrap();
    assert!(d["deliveryDelay"]["expirationTime"].is_string());
    assert_eq!(d["deliveryDelay"]["delayedRecipients"][0]["emailAddress"], "slow@example.com");
    let dl = by_recipient["ooto@simulator.amazonses.com"].iter().find(|d| d["eventType"] == "Delivery").unwrap();
    assert_eq!(dl["delivery"]["recipients"][0], "ooto@simulator.amazonses.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_gets_only_its_matching_event_types() {
    let route = route("ses-local-events-matching").await;
    let server = SesLocal::start(Config {
        eventbridge_endpoint: Some(morale_tests::moto_url()),
        identities: vec!["morale.example".into()],
        ..Config::default()
    })
    .await
    .unwrap();
    let ses = Client::new(&morale_localstack::sdk_config(&server.url()).await);
    ses.create_configuration_set().configuration_set_name("bounces-only").send().await.unwrap();
    ses.create_configuration_set_event_destination()
        .configuration_set_name("bounces-only")
        .event_destination_name("bus")
        .event_destination(
            aws_sdk_sesv2::types::EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(aws_sdk_sesv2::types::EventType::Bounce)
                .event_bridge_destination(
                    aws_sdk_sesv2::types::EventBridgeDestination::builder()
                        .event_bus_arn(&route.bus_arn)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    for to in ["success@simulator.amazonses.com", "bounce@simulator.amazonses.com"] {
        ses.send_email()
            .from_email_address("noreply@morale.example")
            .destination(Destination::builder().to_addresses(to).build())
            .content(simple())
            .configuration_set_name("bounces-only")
            .send()
            .await
            .unwrap();
    }
    let events = route.collect(1).await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["detail-type"], "Email Bounced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_is_a_second_independent_client() {
    let server = SesLocal::start(Config::default()).await.unwrap();
    let python = morale_localstack::server::project_root().join(".venv/bin/python");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/boto3_client.py");
    let url = server.url();
    let out = tokio::task::spawn_blocking(move || std::process::Command::new(python).arg(script).arg(url).output())
        .await
        .unwrap()
        .expect("run python from .venv (make tools)");
    assert!(out.status.success(), "boto3 script failed: {}", String::from_utf8_lossy(&out.stderr));
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let m = server.app().messages().into_iter().find(|m| m.message_id == id).expect("the boto3 message was accepted");
    assert_eq!(m.subject, "From boto3");
    assert!(m.headers.contains(&("X-Client".into(), "boto3".into())));
    assert!(m.tags.contains(&("client".into(), "boto3".into())));
}

/// SES delivers its events best effort: ses-local can drop them, publish them twice, and hold
/// them back so that they arrive late and out of order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_can_be_dropped_duplicated_and_delayed_out_of_order() {
    let route = route("ses-local-event-faults").await;
    let server = publishing().await;
    let ses = Client::new(&morale_localstack::sdk_config(&server.url()).await);
    to_bus(&ses, "faulty", &route.bus_arn).await;
    let send = |to: String| {
        ses.send_email()
            .from_email_address("noreply@morale.example")
            .destination(Destination::builder().to_addresses(to).build())
            .content(simple())
            .configuration_set_name("faulty")
            .send()
    };
    let faults = |f: ses_local::Faults| server.app().set_faults(f).unwrap();

    faults(ses_local::Faults { event_drop_fraction: 1.0, ..Default::default() });
    send("dropped@example.com".into()).await.unwrap();
    faults(ses_local::Faults { event_duplicate_fraction: 1.0, ..Default::default() });
    send("twice@example.com".into()).await.unwrap();
    let events = route.collect(4).await.unwrap();
    let to = |e: &Value| e["detail"]["mail"]["destination"][0].as_str().unwrap_or_default().to_string();
    assert!(events.iter().all(|e| to(e) == "twice@example.com"), "{events:?}");
    assert_eq!(events.len(), 4, "Send and Delivery, each twice");
    let counts = server.app().fault_counts();
    assert_eq!((counts.events_dropped, counts.events_duplicated), (2, 2));

    // The first email's events are held up to 1.5 s, the next ones' not at all.
    faults(ses_local::Faults { event_delay_ms: 1500, ..Default::default() });
    let mut order = Vec::new();
    for i in 0..6 {
        send(format!("late-{i}@example.com")).await.unwrap();
        order.push(format!("late-{i}@example.com"));
    }
    let arrived: Vec<String> = route.collect(12).await.unwrap().iter().map(to).collect();
    assert_eq!(arrived.len(), 12, "every event arrives, late");
    let mut firsts: Vec<&String> = Vec::new();
    for r in &arrived {
        if !firsts.contains(&r) {
            firsts.push(r);
        }
    }
    assert_ne!(firsts, order.iter().collect::<Vec<_>>(), "the emails' events arrive out of order");
}
