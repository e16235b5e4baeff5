//! The whole sending path on the local stack: a table of its own on DynamoDB Local, ses-local in
//! process, an SNS topic whose alerts land in an SQS queue, and a clock the test moves.

use jiff::{SignedDuration, Timestamp};
use morale::alert::{MeteredAlerter, SnsAlerter};
use morale::clock::{Clock, ManualClock};
use morale::config::SenderConfig;
use morale::domain::{EmailAddress, MemberId};
use morale::domain::{Member, Team};
use morale::email::EmailRenderer;
use morale::mail::SesMailer;
use morale::store::DynamoStore;
use morale::store::prelude::*;
use morale::token::TokenKeys;
use morale_localstack::FaultProxy;
use morale_sender::{Command, Report, Sender};
use morale_tests::TestTable;
use ses_local::SesLocal;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub use morale_localstack::{FROM, IDENTITY};

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub struct System {
    /// Between the functions and DynamoDB Local: no faults until a test plans some.
    pub dynamodb_faults: FaultProxy,
    /// Between the functions' SNS client (the alert topic) and moto.
    pub sns_faults: FaultProxy,
    pub table: TestTable,
    pub store: Arc<DynamoStore>,
    pub ses: SesLocal,
    pub clock: Arc<ManualClock>,
    pub alerts: AlertInbox,
    /// What the functions publish alerts with: SNS through `sns_faults`, counting failures.
    pub alerter: Arc<MeteredAlerter<SnsAlerter>>,
    pub config: SenderConfig,
    /// The response API, served on 127.0.0.1 over the same table: the emails' links lead here.
    pub api_url: String,
    api_task: tokio::task::JoinHandle<()>,
}

impl Drop for System {
    fn drop(&mut self) {
        self.api_task.abort();
    }
}

impl System {
    pub async fn new(now: &str, max_send_rate: f64) -> Self {
        Self::start(now, max_send_rate, false).await.0
    }

    /// The same, with SES events published to EventBridge on the local stack: a configuration
    /// set `events` whose destination is a bus of this test's own, routed to a queue.
    pub async fn with_events(now: &str, max_send_rate: f64) -> (Self, morale_localstack::EventRoute) {
        let (sys, route) = Self::start(now, max_send_rate, true).await;
        (sys, route.expect("a route"))
    }

    async fn start(now: &str, max_send_rate: f64, events: bool) -> (Self, Option<morale_localstack::EventRoute>) {
        static N: AtomicU32 = AtomicU32::new(0);
        let dynamodb_faults = FaultProxy::start(&morale_tests::dynamodb_url()).await.unwrap();
        let sns_faults = FaultProxy::start(&morale_tests::moto_url()).await.unwrap();
        let table = TestTable::at(&dynamodb_faults.url).await;
        let store = Arc::new(table.store.clone());
        let ses = SesLocal::start(ses_local::Config {
            identities: vec![IDENTITY.into()],
            configuration_sets: vec!["morale".into()],
            account: ses_local::Account { max_send_rate, max_24_hour_send: 1e9, ..Default::default() },
            eventbridge_endpoint: events.then(morale_tests::moto_url),
            ..Default::default()
        })
        .await
        .unwrap();
        let alerts = AlertInbox::new(&morale_tests::local_sdk_config().await).await;
        let sns = aws_sdk_sns::Client::new(&morale_localstack::sdk_config(&sns_faults.url).await);
        let alerter = Arc::new(MeteredAlerter::new(SnsAlerter::new(sns, &alerts.topic_arn)));
        let mut config = SenderConfig::new(IDENTITY, FROM, Some("morale"));
        let route = if events {
            let name = format!("ses-events-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
            let route = morale_tests::event_route(&name).await;
            use aws_sdk_sesv2::types::{EventBridgeDestination, EventDestinationDefinition, EventType};
            let ses_client = aws_sdk_sesv2::Client::new(&morale_localstack::sdk_config(&ses.url()).await);
            ses_client.create_configuration_set().configuration_set_name("events").send().await.unwrap();
            let mut dest = EventDestinationDefinition::builder().enabled(true).event_bridge_destination(
                EventBridgeDestination::builder().event_bus_arn(&route.bus_arn).build().unwrap(),
            );
            for t in ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "DELIVERY_DELAY", "REJECT", "RENDERING_FAILURE"] {
                dest = dest.matching_event_types(EventType::from(t));
            }
            ses_client
                .create_configuration_set_event_destination()
                .configuration_set_name("events")
                .event_destination_name("bus")
                .event_destination(dest.build())
                .send()
                .await
                .unwrap();
            config.configuration_set = Some("events".into());
            Some(route)
        } else {
            None
        };
        let clock = Arc::new(ManualClock::new(ts(now)));
        let api = morale_response_api::ResponseApi {
            store: store.clone(),
            keys: TokenKeys::development(),
            voters: morale::voter::VoterSecret::development(),
            clock: clock.clone(),
        };
        let (addr, api_task) = morale_response_api::local::serve(Arc::new(api), 0).await.unwrap();
        let sys = Self {
            dynamodb_faults,
            sns_faults,
            table,
            store,
            ses,
            clock,
            alerts,
            alerter,
            config,
            api_url: format!("http://{addr}"),
            api_task,
        };
        (sys, route)
    }

    /// A sender as one Lambda instance would be: its own SES and SNS clients, the shared table
    /// and clock; DynamoDB and SNS reached through the fault proxies.
    pub async fn sender(&self, config: SenderConfig) -> Sender {
        let sdk = morale_localstack::sdk_config(&self.ses.url()).await;
        // The sender retries by its own policy; the SDK must not retry underneath it. An attempt
        // times out as in the deployed sender (10 s there; 2 s on loopback).
        let timeout = aws_sdk_sesv2::config::timeout::TimeoutConfig::builder()
            .operation_attempt_timeout(Duration::from_secs(2))
            .build();
        let conf = aws_sdk_sesv2::config::Builder::from(&sdk)
            .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
            .timeout_config(timeout)
            .build();
        Sender {
            store: Arc::new(DynamoStore::new(self.table.client.clone(), self.table.name.clone())),
            mailer: Arc::new(SesMailer::new(
                aws_sdk_sesv2::Client::from_conf(conf),
                FROM,
                config.configuration_set.as_deref(),
            )),
            alerter: self.alerter.clone(),
            clock: self.clock.clone(),
            renderer: EmailRenderer::new(TokenKeys::development(), &self.api_url),
            config,
            continuation: Arc::new(morale_sender::continuation::NextTick),
        }
    }

    pub async fn tick(&self) -> Report {
        self.sender(self.config.clone()).await.handle(Command::Tick, far_deadline()).await.unwrap()
    }

    pub fn advance(&self, mins: i64) {
        self.clock.advance(SignedDuration::from_mins(mins));
    }

    /// A team with `n` members, created an hour before now.
    pub async fn team(&self, id: &str, zone: &str, time: &str, days: &str, n: usize) -> Team {
        let team = morale::fixtures::team(id, zone, time, days, self.clock.now() - SignedDuration::from_hours(1));
        self.store.create_team(&team).await.unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..n {
            let store = self.store.clone();
            let m = Member::new(
                &team,
                EmailAddress::parse(&format!("{id}-{i:05}@example.com")).unwrap(),
                Some(format!("Member {i}")),
                self.clock.now(),
            );
            tasks.spawn(async move { store.add_member(&m).await.unwrap() });
            if tasks.len() >= 16 {
                tasks.join_next().await.unwrap().unwrap();
            }
        }
        tasks.join_all().await;
        team
    }

    /// Members with these addresses added to `team`, created now: their ids by address.
    pub async fn add_members<'a>(&self, team: &Team, emails: &[&'a str]) -> HashMap<&'a str, MemberId> {
        let mut ids = HashMap::new();
        for email in emails {
            let m = Member::new(team, EmailAddress::parse(email).unwrap(), None, self.clock.now());
            ids.insert(*email, m.id.clone());
            self.store.add_member(&m).await.unwrap();
        }
        ids
    }

    /// The messages ses-local accepted for `to`, oldest first.
    pub fn mail_to(&self, to: &str) -> Vec<Arc<ses_local::StoredMessage>> {
        self.ses.app().messages().into_iter().filter(|m| m.to.iter().any(|t| t == to)).collect()
    }

    /// Messages ses-local accepted, per recipient.
    pub fn accepted(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for m in self.ses.app().messages() {
            for r in m.recipients() {
                *out.entry(r.clone()).or_default() += 1;
            }
        }
        out
    }
}

pub fn far_deadline() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(900)
}

/// The alert topic, subscribed by an SQS queue that the test reads.
pub struct AlertInbox {
    inbox: morale_localstack::route::TopicInbox,
    pub topic_arn: String,
    seen: std::sync::Mutex<Vec<(String, String)>>,
}

impl AlertInbox {
    async fn new(sdk: &aws_config::SdkConfig) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("alerts-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let inbox = morale_localstack::route::TopicInbox::new(sdk, &name).await.unwrap();
        Self { topic_arn: inbox.topic_arn.clone(), inbox, seen: Default::default() }
    }

    /// Every alert published so far, as (subject, message), in order of arrival.
    pub async fn all(&self) -> Vec<(String, String)> {
        let new = self.inbox.take().await.unwrap();
        let mut seen = self.seen.lock().unwrap();
        seen.extend(new);
        seen.clone()
    }
}
