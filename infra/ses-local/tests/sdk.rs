//! ses-local through the real aws-sdk-sesv2 client: every operation, every error variant, the
//! identity lifecycle mid-stream, quotas, and events for the mailbox simulator.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{
    Body, Content, Destination, EmailContent, EventBridgeDestination, EventDestinationDefinition, EventType,
    IdentityType, ListManagementOptions, Message, MessageHeader, MessageTag, RawMessage, SendingOptions,
};
use serde_json::Value;
use ses_local::{Account, Config, SesLocal};
use std::time::{Duration, Instant};

const FROM: &str = "Morale <noreply@morale.example>";

async fn start(config: Config) -> (SesLocal, Client) {
    let server = SesLocal::start(config).await.expect("ses-local starts");
    let sdk = morale_localstack::sdk_config(&server.url()).await;
    // No SDK retries: the tests look at each answer itself.
    let conf = aws_sdk_sesv2::config::Builder::from(&sdk).retry_config(RetryConfig::disabled()).build();
    (server, Client::from_conf(conf))
}

fn verified() -> Config {
    Config { identities: vec!["morale.example".into()], configuration_sets: vec!["morale".into()], ..Config::default() }
}

fn simple(subject: &str) -> EmailContent {
    EmailContent::builder()
        .simple(
            Message::builder()
                .subject(Content::builder().data(subject).build().unwrap())
                .body(
                    Body::builder()
                        .html(Content::builder().data("<p>How do you feel about work today?</p>").build().unwrap())
                        .text(Content::builder().data("How do you feel about work today?").build().unwrap())
                        .build(),
                )
                .headers(
                    MessageHeader::builder()
                        .name("List-Unsubscribe")
                        .value("<https://api.example/u/t>")
                        .build()
                        .unwrap(),
                )
                .headers(
                    MessageHeader::builder()
                        .name("List-Unsubscribe-Post")
                        .value("List-Unsubscribe=One-Click")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .build()
}

/// A simple email from `FROM` to `to`, not yet sent.
fn email(
    client: &Client,
    to: &str,
    subject: &str,
) -> aws_sdk_sesv2::operation::send_email::builders::SendEmailFluentBuilder {
    client
        .send_email()
        .from_email_address(FROM)
        .destination(Destination::builder().to_addresses(to).build())
        .content(simple(subject))
}

async fn send_to(client: &Client, to: &str) -> Result<String, SdkError<SendEmailError>> {
    email(client, to, "How do you feel about work today?").send().await.map(|o| o.message_id.unwrap_or_default())
}

fn code<E: aws_sdk_sesv2::error::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("?").to_string()
}

async fn http(url: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let r = morale_tests::http(url, method, path, "application/json", body).await;
    (r.status, r.body)
}

#[tokio::test]
async fn every_operation_round_trips_through_the_sdk() {
    let (server, client) = start(Config::default()).await;

    // Identities: created pending, like real SES, until DNS (here: the control API) says so.
    let created = client.create_email_identity().email_identity("morale.example").send().await.unwrap();
    assert_eq!(created.identity_type, Some(IdentityType::Domain));
    assert!(!created.verified_for_sending_status);
    assert_eq!(created.dkim_attributes.unwrap().tokens.unwrap().len(), 3);
    client.create_email_identity().email_identity("ops@example.com").send().await.unwrap();
    let dup = client.create_email_identity().email_identity("morale.example").send().await.unwrap_err();
    assert!(dup.as_service_error().unwrap().is_already_exists_exception());
    let got = client.get_email_identity().email_identity("morale.example").send().await.unwrap();
    assert_eq!(got.verification_status.unwrap().as_str(), "PENDING");
    assert_eq!(got.dkim_attributes.unwrap().status.unwrap().as_str(), "PENDING");
    let listed = client.list_email_identities().send().await.unwrap();
    let names: Vec<String> =
        listed.email_identities.unwrap().into_iter().map(|i| i.identity_name.unwrap_or_default()).collect();
    assert_eq!(names, vec!["morale.example", "ops@example.com"]);
    let page = client.list_email_identities().page_size(1).send().await.unwrap();
    assert_eq!(page.email_identities.unwrap().len(), 1);
    assert_eq!(page.next_token.as_deref(), Some("1"));

    server.app().set_identity_state("morale.example", "verified").unwrap();
    let got = client.get_email_identity().email_identity("morale.example").send().await.unwrap();
    assert!(got.verified_for_sending_status);
    assert_eq!(got.verification_status.unwrap().as_str(), "SUCCESS");
    assert_eq!(got.dkim_attributes.unwrap().status.unwrap().as_str(), "SUCCESS");

    // Account.
    let acct = client.get_account().send().await.unwrap();
    assert!(acct.sending_enabled);
    assert!(acct.production_access_enabled);
    assert_eq!(acct.enforcement_status.as_deref(), Some("HEALTHY"));
    let q = acct.send_quota.unwrap();
    assert_eq!((q.max_send_rate, q.max24_hour_send, q.sent_last24_hours), (14.0, 50_000.0, 0.0));

    // Configuration set with an EventBridge destination.
    client
        .create_configuration_set()
        .configuration_set_name("morale")
        .sending_options(SendingOptions::builder().sending_enabled(true).build())
        .send()
        .await
        .unwrap();
    let dup = client.create_configuration_set().configuration_set_name("morale").send().await.unwrap_err();
    assert!(dup.as_service_error().unwrap().is_already_exists_exception());
    let cs = client.get_configuration_set().configuration_set_name("morale").send().await.unwrap();
    assert_eq!(cs.configuration_set_name.as_deref(), Some("morale"));
    assert!(cs.sending_options.unwrap().sending_enabled);
    client
        .create_configuration_set_event_destination()
        .configuration_set_name("morale")
        .event_destination_name("to-eventbridge")
        .event_destination(
            EventDestinationDefinition::builder()
                .enabled(true)
                .matching_event_types(EventType::Send)
                .matching_event_types(EventType::Delivery)
                .matching_event_types(EventType::Bounce)
                .event_bridge_destination(
                    EventBridgeDestination::builder().event_bus_arn(ses_local::DEFAULT_BUS_ARN).build().unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let dests =
        client.get_configuration_set_event_destinations().configuration_set_name("morale").send().await.unwrap();
    let d = &dests.event_destinations.unwrap()[0];
    assert_eq!(d.name, "to-eventbridge");
    assert!(d.enabled);
    assert_eq!(d.matching_event_types.len(), 3);
    assert_eq!(d.event_bridge_destination.as_ref().unwrap().event_bus_arn, ses_local::DEFAULT_BUS_ARN);

    // SendEmail with everything the sender uses.
    let out = client
        .send_email()
        .from_email_address(FROM)
        .destination(
            Destination::builder()
                .to_addresses("Ana López <ana@example.com>")
                .cc_addresses("bob@example.com")
                .bcc_addresses("audit@example.com")
                .build(),
        )
        .reply_to_addresses("team-lead@example.com")
        .content(simple("How do you feel about work today?"))
        .email_tags(MessageTag::builder().name("team").value("platform").build().unwrap())
        .email_tags(MessageTag::builder().name("date").value("2026-11-24").build().unwrap())
        .configuration_set_name("morale")
        .list_management_options(ListManagementOptions::builder().contact_list_name("morale").build().unwrap())
        .send()
        .await
        .unwrap();
    let id = out.message_id.unwrap();
    assert!(id.starts_with("0100") && id.ends_with("-000000"), "{id}");
    let (status, body) = http(&server.url(), "GET", "/_ses-local/messages?to=ana@example.com", "").await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let m = &v["messages"][0];
    assert_eq!(m["message_id"], id.as_str());
    assert_eq!(m["to"][0], "Ana López <ana@example.com>");
    assert_eq!(m["cc"][0], "bob@example.com");
    assert_eq!(m["bcc"][0], "audit@example.com");
    assert_eq!(m["tags"]["team"], "platform");
    assert_eq!(m["configuration_set"], "morale");
    assert_eq!(m["list_management"]["ContactListName"], "morale");
    let headers = m["headers"].as_array().unwrap();
    assert!(headers.iter().any(|h| h["name"] == "List-Unsubscribe-Post" && h["value"] == "List-Unsubscribe=One-Click"));
    assert!(m["html"].as_str().unwrap().contains("How do you feel"));
    let q = client.get_account().send().await.unwrap().send_quota.unwrap();
    assert_eq!(q.sent_last24_hours, 3.0, "counts recipients");

    // Raw content.
    let mime = "From: ops@example.com\r\nTo: ana@example.com\r\nSubject: Raw hello\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHi from raw.\r\n";
    server.app().set_identity_state("ops@example.com", "verified").unwrap();
    client
        .send_email()
        .content(EmailContent::builder().raw(RawMessage::builder().data(Blob::new(mime)).build().unwrap()).build())
        .send()
        .await
        .unwrap();
    let raw = server.app().messages().last().unwrap().clone();
    assert_eq!((raw.subject.as_str(), raw.from.as_str()), ("Raw hello", "ops@example.com"));
    assert_eq!(raw.to, vec!["ana@example.com"]);

    // Delete.
    client.delete_email_identity().email_identity("ops@example.com").send().await.unwrap();
    let gone = client.get_email_identity().email_identity("ops@example.com").send().await.unwrap_err();
    assert!(gone.as_service_error().unwrap().is_not_found_exception());
    let again = client.delete_email_identity().email_identity("ops@example.com").send().await.unwrap_err();
    assert!(again.as_service_error().unwrap().is_not_found_exception());
}

#[tokio::test]
async fn every_error_maps_to_its_sdk_variant() {
    let (server, client) = start(verified()).await;
    let app = server.app();

    // MessageRejected: From not verified.
    let e = client
        .send_email()
        .from_email_address("someone@unverified.example")
        .destination(Destination::builder().to_addresses("ana@example.com").build())
        .content(simple("x"))
        .send()
        .await
        .unwrap_err();
    let se = e.as_service_error().unwrap();
    assert!(se.is_message_rejected(), "{se:?}");
    assert!(code(se) == "MessageRejected" && se.to_string().contains("not verified"));

    // MailFromDomainNotVerifiedException.
    app.change_identity(
        "morale.example",
        ses_local::IdentityChange {
            mail_from_domain: Some("mail.morale.example".into()),
            mail_from_status: Some(ses_local::Status::Failed),
            mail_from_behavior: Some(ses_local::state::MailFromBehavior::RejectMessage),
            ..Default::default()
        },
    )
    .unwrap();
    let e = send_to(&client, "ana@example.com").await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_mail_from_domain_not_verified_exception(), "{e:?}");
    app.change_identity(
        "morale.example",
        ses_local::IdentityChange { mail_from_status: Some(ses_local::Status::Success), ..Default::default() },
    )
    .unwrap();

    // SendingPausedException: account sending paused.
    app.change_account(ses_local::AccountChange { sending_enabled: Some(false), ..Default::default() }).unwrap();
    let e = send_to(&client, "ana@example.com").await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_sending_paused_exception(), "{e:?}");
    assert!(!client.get_account().send().await.unwrap().sending_enabled);
    app.change_account(ses_local::AccountChange { sending_enabled: Some(true), ..Default::default() }).unwrap();

    // AccountSuspendedException.
    app.change_account(ses_local::AccountChange { enforcement_status: Some("SHUTDOWN".into()), ..Default::default() })
        .unwrap();
    let e = send_to(&client, "ana@example.com").await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_account_suspended_exception(), "{e:?}");
    app.change_account(ses_local::AccountChange { enforcement_status: Some("HEALTHY".into()), ..Default::default() })
        .unwrap();

    // TooManyRequestsException, with SES's message.
    app.change_account(ses_local::AccountChange { max_send_rate: Some(1.0), ..Default::default() }).unwrap();
    send_to(&client, "ana@example.com").await.unwrap();
    let e = send_to(&client, "ana@example.com").await.unwrap_err();
    let se = e.as_service_error().unwrap();
    assert!(se.is_too_many_requests_exception());
    assert_eq!(aws_sdk_sesv2::error::ProvideErrorMetadata::message(se), Some("Maximum sending rate exceeded."));
    app.change_account(ses_local::AccountChange { max_send_rate: Some(100.0), ..Default::default() }).unwrap();

    // LimitExceededException: an 11th event destination.
    for i in 1..=10 {
        if i == 1 {
            continue; // the start-up configuration set already has one
        }
        client
            .create_configuration_set_event_destination()
            .configuration_set_name("morale")
            .event_destination_name(format!("d{i}"))
            .event_destination(EventDestinationDefinition::builder().matching_event_types(EventType::Send).build())
            .send()
            .await
            .unwrap();
    }
    let e = client
        .create_configuration_set_event_destination()
        .configuration_set_name("morale")
        .event_destination_name("d11")
        .event_destination(EventDestinationDefinition::builder().matching_event_types(EventType::Send).build())
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_limit_exceeded_exception(), "{e:?}");

    // BadRequestException: a tag value SES does not allow.
    let e = email(&client, "ana@example.com", "x")
        .email_tags(MessageTag::builder().name("team").value("not allowed!").build().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_bad_request_exception(), "{e:?}");

    // NotFoundException: unknown configuration set, unknown identity.
    let e = email(&client, "ana@example.com", "x").configuration_set_name("nope").send().await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_not_found_exception(), "{e:?}");
    let e = client.get_configuration_set().configuration_set_name("nope").send().await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_not_found_exception());

    // AlreadyExistsException.
    let e = client.create_email_identity().email_identity("morale.example").send().await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_already_exists_exception());

    // Daily quota: TooManyRequests with its own message.
    let sent = client.get_account().send().await.unwrap().send_quota.unwrap().sent_last24_hours;
    app.change_account(ses_local::AccountChange { max_24_hour_send: Some(sent + 2.0), ..Default::default() }).unwrap();
    send_to(&client, "ana@example.com").await.unwrap();
    send_to(&client, "ana@example.com").await.unwrap();
    let e = send_to(&client, "ana@example.com").await.unwrap_err();
    let se = e.as_service_error().unwrap();
    assert!(se.is_too_many_requests_exception());
    assert_eq!(aws_sdk_sesv2::error::ProvideErrorMetadata::message(se), Some("Daily message quota exceeded."));
}

#[tokio::test]
async fn an_identity_revoked_mid_stream_rejects_from_that_moment() {
    let (server, client) =
        start(Config { account: Account { max_send_rate: 1000.0, ..Default::default() }, ..verified() }).await;
    let mut results = Vec::new();
    for i in 0..60 {
        match i {
            20 => {
                server.app().set_identity_state("morale.example", "revoked").unwrap();
            }
            40 => {
                server.app().set_identity_state("morale.example", "verified").unwrap();
            }
            _ => {}
        }
        results.push(send_to(&client, &format!("m{i}@example.com")).await);
    }
    for (i, r) in results.iter().enumerate() {
        if (20..40).contains(&i) {
            let e = r.as_ref().unwrap_err();
            assert!(e.as_service_error().is_some_and(|s| s.is_message_rejected()), "send {i}: {e:?}");
        } else {
            assert!(r.is_ok(), "send {i}: {r:?}");
        }
    }
    assert_eq!(server.app().messages().len(), 40);
    let id = client.get_email_identity().email_identity("morale.example").send().await.unwrap();
    assert!(id.verified_for_sending_status);
}

#[tokio::test]
async fn an_identity_change_can_wait_for_an_exact_number_of_sends() {
    let (server, client) =
        start(Config { account: Account { max_send_rate: 1000.0, ..Default::default() }, ..verified() }).await;
    send_to(&client, "first@example.com").await.unwrap();
    server
        .app()
        .change_identity(
            "morale.example",
            ses_local::IdentityChange { state: Some("revoked".into()), after_sends: Some(5), ..Default::default() },
        )
        .unwrap();
    let results: Vec<bool> = {
        let mut v = Vec::new();
        for i in 0..8 {
            v.push(send_to(&client, &format!("m{i}@example.com")).await.is_ok());
        }
        v
    };
    assert_eq!(results, vec![true, true, true, true, true, false, false, false]);
    assert_eq!(server.app().messages().len(), 6);
}

#[tokio::test]
async fn the_sending_rate_is_enforced_per_second_counting_recipients() {
    let (server, client) =
        start(Config { account: Account { max_send_rate: 20.0, ..Default::default() }, ..verified() }).await;
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..8 {
        let client = client.clone();
        let next = next.clone();
        tasks.spawn(async move {
            let mut throttled = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= 200 {
                    return throttled;
                }
                loop {
                    match send_to(&client, &format!("m{i}@example.com")).await {
                        Ok(_) => break,
                        Err(e) if e.as_service_error().is_some_and(|s| s.is_too_many_requests_exception()) => {
                            throttled += 1;
                            tokio::time::sleep(Duration::from_millis(25)).await;
                        }
                        Err(e) => panic!("{e:?}"),
                    }
                }
            }
        });
    }
    let throttled: usize = tasks.join_all().await.into_iter().sum();
    let elapsed = start.elapsed();
    assert!(throttled > 0, "a sender faster than the quota must have been throttled");
    // 200 at 20 per second: the first 20 go at once, the last at ≥ 9 s.
    assert!(elapsed >= Duration::from_secs(9), "200 sends at 20/s took only {elapsed:?}");
    let times: Vec<jiff::Timestamp> = server.app().messages().iter().map(|m| m.timestamp.parse().unwrap()).collect();
    assert_eq!(times.len(), 200);
    // No one-second window ever accepted more than 20 (timestamps are to the millisecond).
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..].iter().take_while(|u| **u < *t + jiff::SignedDuration::from_millis(999)).count();
        assert!(in_window <= 20, "{in_window} accepted in the second from {t}");
    }
    // A multi-recipient send counts each recipient.
    server.app().change_account(ses_local::AccountChange { max_send_rate: Some(2.0), ..Default::default() }).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let e = client
        .send_email()
        .from_email_address(FROM)
        .destination(
            Destination::builder()
                .to_addresses("a@example.com")
                .to_addresses("b@example.com")
                .cc_addresses("c@example.com")
                .build(),
        )
        .content(simple("x"))
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_too_many_requests_exception());
}

#[tokio::test]
async fn bad_requests_get_ses_errors_never_a_crash() {
    let (server, _client) = start(verified()).await;
    let url = server.url();
    let cases: &[(&str, &str, &str, u16, &str)] = &[
        ("POST", "/v2/email/outbound-emails", "{not json", 400, "BadRequestException"),
        ("POST", "/v2/email/outbound-emails", "[]", 400, "BadRequestException"),
        ("POST", "/v2/email/outbound-emails", "{}", 400, "BadRequestException"),
        (
            "POST",
            "/v2/email/outbound-emails",
            r#"{"FromEmailAddress":"noreply@morale.example","Content":{"Simple":{"Subject":{"Data":"x"},"Body":{"Text":{"Data":"y"}}}}}"#,
            400,
            "BadRequestException",
        ),
        (
            "POST",
            "/v2/email/outbound-emails",
            r#"{"FromEmailAddress":"noreply@morale.example","Destination":{"ToAddresses":["not an address"]},"Content":{"Simple":{"Subject":{"Data":"x"},"Body":{"Text":{"Data":"y"}}}}}"#,
            400,
            "BadRequestException",
        ),
        (
            "POST",
            "/v2/email/outbound-emails",
            r#"{"FromEmailAddress":"noreply@morale.example","Destination":{"ToAddresses":["a@example.com"]},"Content":{"Simple":{"Subject":{"Data":"x"}}}}"#,
            400,
            "BadRequestException",
        ),
        (
            "POST",
            "/v2/email/outbound-emails",
            r#"{"FromEmailAddress":"noreply@morale.example","Destination":{"ToAddresses":["a@example.com"]},"Content":{"Raw":{"Data":"%%%"}}}"#,
            400,
            "BadRequestException",
        ),
        ("POST", "/v2/email/outbound-emails", r#"{"FromEmailAddress":42}"#, 400, "BadRequestException"),
        ("GET", "/v2/email/identities/nobody.example", "", 404, "NotFoundException"),
        ("GET", "/v2/email/configuration-sets/nope", "", 404, "NotFoundException"),
        ("GET", "/v2/email/configuration-sets/nope/event-destinations", "", 404, "NotFoundException"),
        (
            "POST",
            "/v2/email/configuration-sets/nope/event-destinations",
            r#"{"EventDestinationName":"x","EventDestination":{"MatchingEventTypes":["SEND"]}}"#,
            404,
            "NotFoundException",
        ),
        (
            "POST",
            "/v2/email/configuration-sets/morale/event-destinations",
            r#"{"EventDestinationName":"x","EventDestination":{"MatchingEventTypes":["NOPE"]}}"#,
            400,
            "BadRequestException",
        ),
        ("POST", "/v2/email/identities", r#"{}"#, 400, "BadRequestException"),
        ("POST", "/v2/email/identities", r#"{"EmailIdentity":"not a domain"}"#, 400, "BadRequestException"),
        ("POST", "/v2/email/configuration-sets", r#"{"ConfigurationSetName":"has space"}"#, 400, "BadRequestException"),
        ("GET", "/v2/email/identities?PageSize=0", "", 400, "BadRequestException"),
        ("GET", "/v2/email/nothing-here", "", 404, "UnknownOperationException"),
    ];
    for (method, path, body, status, code) in cases {
        let (got, resp) = http(&url, method, path, body).await;
        assert_eq!(got, *status, "{method} {path} {body}: {resp}");
        let v: Value = serde_json::from_str(&resp).unwrap_or_else(|_| panic!("JSON error body for {path}: {resp}"));
        assert_eq!(v["__type"], *code, "{method} {path} {body}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // A 1 MB garbage body: a clean error, and the server still answers.
    let (got, _) = http(&url, "POST", "/v2/email/outbound-emails", &"x".repeat(1 << 20)).await;
    assert_eq!(got, 400);
    let (got, _) = http(&url, "GET", "/_ses-local/health", "").await;
    assert_eq!(got, 200);
    // The control API rejects nonsense too, and changes nothing.
    let (got, _) = http(&url, "PUT", "/_ses-local/faults", r#"{"throttle_fraction": 2}"#).await;
    assert_eq!(got, 400);
    let (got, _) = http(&url, "PUT", "/_ses-local/identities/morale.example", r#"{"state": "sideways"}"#).await;
    assert_eq!(got, 400);
    let (got, _) = http(&url, "PUT", "/_ses-local/account", r#"{"enforcement_status": "GREAT"}"#).await;
    assert_eq!(got, 400);
    assert_eq!(server.app().state().faults.throttle_fraction, 0.0);
    assert!(server.app().state().identities["morale.example"].verified_for_sending());
    assert!(server.app().messages().is_empty());
}

#[tokio::test]
async fn faults_throttle_fail_and_reject_on_demand() {
    let (server, client) =
        start(Config { account: Account { max_send_rate: 10_000.0, ..Default::default() }, ..verified() }).await;
    server.app().set_faults(ses_local::Faults { throttle_fraction: 0.3, ..Default::default() }).unwrap();
    let mut throttles = 0;
    for i in 0..200 {
        if let Err(e) = send_to(&client, &format!("m{i}@example.com")).await {
            assert!(e.as_service_error().unwrap().is_too_many_requests_exception());
            throttles += 1;
        }
    }
    assert!((30..=90).contains(&throttles), "about 30% of 200 throttled, got {throttles}");
    server.app().set_faults(ses_local::Faults { error_fraction: 1.0, ..Default::default() }).unwrap();
    let e = send_to(&client, "a@example.com").await.unwrap_err();
    assert_eq!(e.raw_response().map(|r| r.status().as_u16()), Some(500));
    server
        .app()
        .set_faults(ses_local::Faults { reject_recipients: vec!["blocked@example.com".into()], ..Default::default() })
        .unwrap();
    let e = send_to(&client, "Blocked@Example.com").await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_message_rejected());
    send_to(&client, "fine@example.com").await.unwrap();
    server.app().set_faults(ses_local::Faults { latency_ms: 120, ..Default::default() }).unwrap();
    let t = Instant::now();
    send_to(&client, "slow@example.com").await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(120));
}

/// An SES client for `url` whose attempts time out after 300 ms, with `retry`.
async fn short_timeout_client(url: &str, retry: RetryConfig) -> Client {
    let sdk = morale_localstack::sdk_config(url).await;
    let timeout = aws_sdk_sesv2::config::timeout::TimeoutConfig::builder()
        .operation_attempt_timeout(Duration::from_millis(300))
        .build();
    Client::from_conf(aws_sdk_sesv2::config::Builder::from(&sdk).retry_config(retry).timeout_config(timeout).build())
}

fn daily_like(to: &str) -> morale::mail::OutgoingEmail {
    morale::mail::OutgoingEmail {
        to: morale::domain::EmailAddress::parse(to).unwrap(),
        subject: "How do you feel about work today?".into(),
        html: "<p>Pick one</p>".into(),
        text: "Pick one".into(),
        headers: vec![],
        tags: vec![],
    }
}

/// SES accepted the email, and the answer is late (past the client's timeout) or lost: the
/// client sees an error, the email is sent all the same.
#[tokio::test]
async fn accepted_emails_whose_answers_come_late_or_never() {
    let (server, _) = start(verified()).await;
    let client = short_timeout_client(&server.url(), RetryConfig::disabled()).await;

    server.app().set_faults(ses_local::Faults { answer_delay_ms: 1000, ..Default::default() }).unwrap();
    let e = send_to(&client, "late@example.com").await.expect_err("the client gave up");
    assert!(matches!(e, SdkError::TimeoutError(_)), "{e:?}");
    server.app().set_faults(ses_local::Faults { answer_lost_fraction: 1.0, ..Default::default() }).unwrap();
    let e = send_to(&client, "lost@example.com").await.expect_err("no answer");
    assert!(!matches!(e, SdkError::ServiceError(_)), "not an answer from SES: {e:?}");
    server.app().set_faults(ses_local::Faults::default()).unwrap();
    send_to(&client, "fine@example.com").await.unwrap();

    let accepted: Vec<String> = server.app().messages().iter().map(|m| m.to[0].clone()).collect();
    assert_eq!(accepted, ["late@example.com", "lost@example.com", "fine@example.com"], "all three were sent");
    let counts = server.app().fault_counts();
    assert_eq!((counts.answers_delayed, counts.answers_lost), (1, 1));
    assert_eq!(counts.unanswered_to.keys().collect::<Vec<_>>(), ["late@example.com", "lost@example.com"]);
}

/// Morale's SES adapter tells a send SES may have accepted (no answer) from one that never
/// reached SES (no connection): only the second is safe to repeat at once.
#[tokio::test]
async fn the_mailer_tells_an_unanswered_send_from_one_that_never_left() {
    use morale::mail::{Mailer, SendErrorKind, SesMailer};
    let mailer = |url: String| async move {
        SesMailer::new(short_timeout_client(&url, RetryConfig::disabled()).await, FROM, None)
    };
    let email = daily_like("ana@example.com");
    let (server, _) = start(verified()).await;
    let ses = mailer(server.url()).await;
    server.app().set_faults(ses_local::Faults { answer_lost_fraction: 1.0, ..Default::default() }).unwrap();
    assert_eq!(ses.send(&email).await.unwrap_err().kind, SendErrorKind::Unanswered, "answer lost");
    server.app().set_faults(ses_local::Faults { answer_delay_ms: 1000, ..Default::default() }).unwrap();
    assert_eq!(ses.send(&email).await.unwrap_err().kind, SendErrorKind::Unanswered, "answer too late");
    assert_eq!(server.app().messages().len(), 2, "SES accepted both");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = mailer(format!("http://127.0.0.1:{closed}")).await;
    assert_eq!(nowhere.send(&email).await.unwrap_err().kind, SendErrorKind::Transient, "never connected");
}

/// Whatever retry policy its client has, Morale's SES adapter makes one attempt per send: an
/// SDK retry after an unanswered attempt would send the email twice, and retries would outlast
/// the sender's lease (the sender has its own retry policy above it).
#[tokio::test]
async fn the_mailer_makes_one_attempt_whatever_its_clients_retry_policy() {
    use morale::mail::{Mailer, SendErrorKind, SesMailer};
    let (server, _) = start(verified()).await;
    let retrying = RetryConfig::standard().with_max_attempts(3);
    let ses = SesMailer::new(short_timeout_client(&server.url(), retrying).await, FROM, None);
    server.app().set_faults(ses_local::Faults { answer_lost_fraction: 1.0, ..Default::default() }).unwrap();
    assert_eq!(ses.send(&daily_like("lost@example.com")).await.unwrap_err().kind, SendErrorKind::Unanswered);
    assert_eq!(server.app().messages().len(), 1, "accepted once, not once per SDK attempt");
    server.app().set_faults(ses_local::Faults { answer_delay_ms: 1000, ..Default::default() }).unwrap();
    assert_eq!(ses.send(&daily_like("late@example.com")).await.unwrap_err().kind, SendErrorKind::Unanswered);
    let to: Vec<String> = server.app().messages().iter().map(|m| m.to[0].clone()).collect();
    assert_eq!(to, ["lost@example.com", "late@example.com"], "one attempt each");
}

#[tokio::test]
async fn the_inbox_lists_and_shows_messages_escaped() {
    let (server, client) = start(verified()).await;
    email(&client, "ana@example.com", "<script>alert(1)</script> How do you feel?").send().await.unwrap();
    let (status, page) = http(&server.url(), "GET", "/_ses-local/inbox", "").await;
    assert_eq!(status, 200);
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; How do you feel?"));
    assert!(!page.contains("<script>alert(1)"));
    let id = server.app().messages()[0].message_id.clone();
    let (status, page) = http(&server.url(), "GET", &format!("/_ses-local/inbox/{id}"), "").await;
    assert_eq!(status, 200);
    assert!(page.contains("List-Unsubscribe-Post"));
    let (status, html) = http(&server.url(), "GET", &format!("/_ses-local/inbox/{id}/html"), "").await;
    assert_eq!(status, 200);
    assert!(html.contains("<base target=\"_top\">") && html.contains("How do you feel about work today?"));
    let (status, _) = http(&server.url(), "POST", "/_ses-local/reset", "").await;
    assert_eq!(status, 200);
    assert!(server.app().messages().is_empty());
}

/// GetMessageInsights (SES's Virtual Deliverability Manager) knows every event a message
/// produced, published or lost; only where the account has VDM on.
#[tokio::test]
async fn message_insights_know_what_lost_events_said_where_vdm_is_on() {
    use morale::mail::{Insight, Mailer, SesMailer};
    let (server, client) = start(verified()).await;
    server.app().set_faults(ses_local::Faults { event_drop_fraction: 1.0, ..Default::default() }).unwrap();
    let send = |to: &'static str| {
        let client = client.clone();
        async move {
            let out = email(&client, to, "How do you feel about work today?")
                .configuration_set_name("morale")
                .send()
                .await
                .unwrap();
            out.message_id.unwrap()
        }
    };
    let mailer = SesMailer::new(client.clone(), FROM, Some("morale"));
    let delivered = send("success@simulator.amazonses.com").await;
    assert!(!mailer.account().await.unwrap().vdm_enabled);
    let e = mailer.insights(&delivered).await.unwrap_err();
    assert!(e.to_string().contains("VDM is not enabled"), "{e}");

    server.app().change_account(ses_local::AccountChange { vdm_enabled: Some(true), ..Default::default() }).unwrap();
    assert!(mailer.account().await.unwrap().vdm_enabled);
    assert_eq!(mailer.insights(&delivered).await.unwrap(), Insight::Delivered, "its lost Delivery is known");
    let bounced = send("bounce@simulator.amazonses.com").await;
    match mailer.insights(&bounced).await.unwrap() {
        Insight::Bounced(detail) => assert!(detail.starts_with("GENERAL"), "{detail}"),
        other => panic!("a permanent bounce, not {other:?}"),
    }
    let complained = send("complaint@simulator.amazonses.com").await;
    assert_eq!(mailer.insights(&complained).await.unwrap(), Insight::Complained);
    let e = mailer.insights("no-such-message").await.unwrap_err();
    assert!(e.to_string().contains("NotFound") || e.to_string().contains("not found"), "{e}");
}
