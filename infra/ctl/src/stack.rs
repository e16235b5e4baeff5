//! The whole system on one machine: DynamoDB Local with the table from template.yaml, moto
//! (SNS, SSM, EventBridge, SQS), ses-local publishing SES events to moto's EventBridge, and the
//! three functions as Lambda runs them — their built binaries behind a local Lambda Runtime
//! API, configured from template.yaml, the response API behind a local HTTP API. Everything
//! binds to 127.0.0.1 and stops when the stack is dropped.

use anyhow::{Context, Result};
use jiff::Timestamp;
use morale::clock::{Clock, SystemClock};
use morale::domain::{EmailAddress, LocalTime, Schedule, TeamId, TimeZone, Workdays};
use morale::domain::{Member, Team};
use morale::store::DynamoStore;
use morale::store::prelude::*;
use morale_localstack::lambda::{Endpoints, LocalFunction, StackValues, serve_http_api, start_function};
use morale_localstack::route::TopicInbox;
use morale_localstack::{EventRoute, FaultProxy, LocalServer, TableSchema};
use morale_sender::Report;
use serde_json::json;
use ses_local::SesLocal;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

pub const TABLE: &str = "morale-local";
pub use morale_localstack::{FROM, IDENTITY};
pub const CONFIGURATION_SET: &str = "morale";

pub const TOKEN_KEYS_PARAMETER: &str = "/morale/local/token-keys";
pub const VOTER_KEY_PARAMETER: &str = "/morale/local/voter-key";

pub struct LocalStack {
    /// The servers themselves, reached only through the proxies; dropping one stops it.
    _moto: LocalServer,
    _dynamodb: LocalServer,
    /// In front of DynamoDB Local and of moto: every call of the functions and of ses-local
    /// goes through them, so that `moralectl --local faults` can make them fail.
    pub dynamodb_faults: FaultProxy,
    pub moto_faults: FaultProxy,
    pub ses: SesLocal,
    pub store: Arc<DynamoStore>,
    /// The HTTP API in front of the response API's binary.
    pub api_url: String,
    api_task: tokio::task::JoinHandle<()>,
    route: EventRoute,
    sender: Mutex<LocalFunction>,
    handler: Mutex<LocalFunction>,
    /// The alert topic's subscription: alerts are printed on the terminal.
    alerts: TopicInbox,
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        self.api_task.abort();
    }
}

impl LocalStack {
    /// Starts the stack and the three functions from their built binaries (`cargo build
    /// --bins`), each configured from its `template.yaml` resource.
    pub async fn start() -> Result<Self> {
        let moto = LocalServer::moto()?;
        let dynamodb = LocalServer::dynamodb_local()?;
        let dynamodb_faults = FaultProxy::start(&dynamodb.url).await?;
        let moto_faults = FaultProxy::start(&moto.url).await?;
        let sdk = morale_localstack::sdk_config(&moto_faults.url).await;
        let dynamo = morale_localstack::dynamodb_client(&dynamodb_faults.url).await;
        TableSchema::from_template()?
            .create_table(&dynamo, TABLE)
            .await
            .context("create the table from template.yaml")?;
        let store = Arc::new(DynamoStore::new(dynamo, TABLE));
        // The rule template.yaml puts on the default bus, with a queue standing in for its
        // Lambda target: events are read off it and handed to the bounce handler.
        let route = EventRoute::new(&sdk, "morale-ses-events", false).await?;
        let ses = SesLocal::start(ses_local::Config {
            eventbridge_endpoint: Some(moto_faults.url.clone()),
            identities: vec![IDENTITY.into()],
            configuration_sets: vec![CONFIGURATION_SET.into()],
            account: ses_local::Account { max_send_rate: 50.0, ..Default::default() },
            ..Default::default()
        })
        .await?;
        // What the template's other resources provide: the token keys' parameter, the topic.
        aws_sdk_ssm::Client::new(&sdk)
            .put_parameter()
            .name(TOKEN_KEYS_PARAMETER)
            .value(morale::token::DEVELOPMENT_KEYS)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .overwrite(true)
            .send()
            .await
            .context("put the token keys parameter")?;
        let alerts = TopicInbox::new(&sdk, "morale-alerts").await?;
        let values = StackValues {
            table: TABLE,
            alert_topic: &alerts.topic_arn,
            configuration_set: CONFIGURATION_SET,
            token_keys_parameter: TOKEN_KEYS_PARAMETER,
            voter_key_parameter: VOTER_KEY_PARAMETER,
        }
        .resolved();
        let endpoints = Endpoints {
            moto: moto_faults.url.clone(),
            sns: moto_faults.url.clone(),
            dynamodb: dynamodb_faults.url.clone(),
            sesv2: ses.url(),
        };
        let api = start_function("ResponseApiFunction", "response-api", &values, &endpoints, None).await?;
        let (addr, api_task) = serve_http_api(api).await?;
        let api_url = format!("http://{addr}");
        let sender = start_function("SenderFunction", "sender", &values, &endpoints, Some(&api_url)).await?;
        let handler = start_function("BounceHandlerFunction", "bounce-handler", &values, &endpoints, None).await?;
        Ok(Self {
            _moto: moto,
            _dynamodb: dynamodb,
            dynamodb_faults,
            moto_faults,
            ses,
            store,
            api_url,
            api_task,
            route,
            sender: Mutex::new(sender),
            handler: Mutex::new(handler),
            alerts,
        })
    }

    /// The schedule's tick (its input as `template.yaml` gives it), then any alerts it raised.
    pub async fn tick(&self) -> Result<Report> {
        let answer = self.sender.lock().await.invoke(json!({"action": "tick"})).await;
        self.print_alerts().await?;
        let report = answer.map_err(|e| anyhow::anyhow!("the sender failed: {e}"))?;
        Ok(serde_json::from_value(report)?)
    }

    pub(crate) async fn print_alerts(&self) -> Result<()> {
        for (subject, message) in self.alerts.take().await? {
            eprintln!("\n[alert] {subject}\n{message}\n");
        }
        Ok(())
    }

    /// Hands every routed SES event to the bounce handler, until `expected` were handled (or
    /// nothing came for `quiet`). Returns how many were handled.
    pub async fn pump_events(&self, expected: usize, quiet: Duration) -> Result<usize> {
        let mut handled = 0;
        let mut last = std::time::Instant::now();
        loop {
            let events = self.route.take().await?;
            if !events.is_empty() {
                last = std::time::Instant::now();
            }
            for e in events {
                if let Err(err) = self.handler.lock().await.invoke(e).await {
                    eprintln!("an SES event could not be handled: {err}");
                }
                handled += 1;
            }
            if (expected > 0 && handled >= expected) || last.elapsed() > quiet {
                return Ok(handled);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The demo team: due now, with members including the SES mailbox simulator's addresses.
    pub async fn seed(&self) -> Result<Team> {
        let now = SystemClock.now();
        // Its send time is this very minute, so it is due now, and its next send is tomorrow's.
        let zone = TimeZone::parse("Europe/London")?;
        let time = LocalTime::parse(&now.to_zoned_datetime(zone.jiff().clone()).strftime("%H:%M").to_string())?;
        let mut team = Team::new(
            TeamId::parse("demo")?,
            "Demo team".into(),
            Schedule::new(zone, time, Workdays::parse("mon-sun")?),
            vec![EmailAddress::parse("lead@example.com")?],
            now,
        )
        .with_member_key(morale::domain::MemberKey::from_bytes({
            let mut k = [0u8; 32];
            morale::random::fill(&mut k);
            k
        }));
        team.next_send_at = Some(team.schedule.instant_on(team.schedule.local_date(now)).unwrap_or(now).min(now));
        self.store.create_team(&team).await?;
        for (email, name) in MEMBERS {
            self.store.add_member(&Member::new(&team, EmailAddress::parse(email)?, Some((*name).into()), now)).await?;
        }
        Ok(team)
    }

    pub fn inbox_url(&self) -> String {
        format!("{}/_ses-local/inbox", self.ses.url())
    }
}

pub const MEMBERS: &[(&str, &str)] = &[
    ("ana@example.com", "Ana"),
    ("bob@example.com", "Bob"),
    ("chen@example.com", "Chen"),
    ("dana@example.com", "Dana"),
    ("eli@example.com", "Eli"),
    ("ooto@simulator.amazonses.com", "Out of office (simulator)"),
    ("bounce@simulator.amazonses.com", "Bounce (simulator)"),
    ("complaint@simulator.amazonses.com", "Complaint (simulator)"),
];

/// `make dev`: the stack stays up and ticks; Ctrl-C stops everything.
pub async fn dev(every: Duration) -> Result<()> {
    println!("==> starting the local stack (DynamoDB Local, moto, ses-local, the response API)…");
    let stack = LocalStack::start().await?;
    let team = stack.seed().await?;
    println!();
    println!("  inbox (read the emails, click the answers)  {}", stack.inbox_url());
    println!("  response API                                {}", stack.api_url);
    println!("  DynamoDB Local (through its fault proxy)    {}", stack.dynamodb_faults.url);
    println!("  moto (SNS, SQS, EventBridge; fault proxy)   {}", stack.moto_faults.url);
    println!("  ses-local (SESv2)                           {}", stack.ses.url());
    println!();
    println!("  moralectl against it, from another terminal:");
    println!(
        "    export MORALE_DYNAMODB_URL={} MORALE_MOTO_URL={} MORALE_SES_URL={} MORALE_TABLE={TABLE}",
        stack.dynamodb_faults.url,
        stack.moto_faults.url,
        stack.ses.url()
    );
    println!("    moralectl --local trends --team {}", team.id);
    println!(
        "    moralectl --local faults set dynamodb --share 0.3 --error InternalServerError --operations UpdateItem"
    );
    println!();
    println!("Ticking every {} s. Ctrl-C stops everything.", every.as_secs());
    let mut ticker = tokio::time::interval(every);
    // SES events reach the bounce handler as they come, as the rule's Lambda target does.
    let mut events = tokio::time::interval(Duration::from_millis(500));
    // Listen once, outside the loop: a signal that comes during a tick is kept for the next
    // turn of the loop, not lost.
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                // A failed tick is reported (the sender alerted too) and the next one tries again.
                let now: Timestamp = SystemClock.now();
                match stack.tick().await {
                    Ok(r) => {
                        let events = stack.pump_events(0, Duration::from_secs(2)).await?;
                        println!("{} tick: {} scheduled, {} sent, {} held; {events} SES event(s) handled", now.strftime("%H:%M:%S"), r.emails_scheduled, r.sent, r.held);
                    }
                    Err(e) => println!("{} tick failed: {e:#}", now.strftime("%H:%M:%S")),
                }
            }
            _ = events.tick() => {
                match stack.pump_events(0, Duration::ZERO).await {
                    Ok(0) => {}
                    Ok(n) => println!("{} {n} SES event(s) handled", SystemClock.now().strftime("%H:%M:%S")),
                    Err(e) => println!("{} SES events could not be read: {e:#}", SystemClock.now().strftime("%H:%M:%S")),
                }
                if let Err(e) = stack.print_alerts().await {
                    println!("alerts could not be read: {e:#}");
                }
            }
            _ = interrupt.recv() => break,
            _ = term.recv() => break,
        }
    }
    println!("\n==> stopping the local stack");
    drop(stack);
    Ok(())
}
