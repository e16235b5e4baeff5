//! The whole system on one machine: DynamoDB Local with the table from template.yaml, moto
//! (EventBridge, SQS), ses-local publishing SES events to moto's EventBridge, the response API
//! on 127.0.0.1, and the real sender and bounce handler, in process. Everything binds to
//! 127.0.0.1 and stops when the stack is dropped.

use anyhow::{Context, Result};
use jiff::Timestamp;
use morale::alert::{Alert, AlertError, Alerter};
use morale::clock::{Clock, SystemClock};
use morale::config::SenderConfig;
use morale::domain::{EmailAddress, LocalTime, Schedule, TeamId, TimeZone, Workdays};
use morale::domain::{Member, Team};
use morale::email::EmailRenderer;
use morale::mail::SesMailer;
use morale::store::DynamoStore;
use morale::store::prelude::*;
use morale::token::TokenKeys;
use morale_bounce_handler::{BounceConfig, BounceHandler};
use morale_localstack::{EventRoute, FaultProxy, LocalServer, TableSchema};
use morale_sender::{Command, Report, Sender};
use ses_local::SesLocal;
use std::sync::Arc;
use std::time::Duration;

pub const TABLE: &str = "morale-local";
pub const IDENTITY: &str = "morale.example";
pub const FROM: &str = "Morale <noreply@morale.example>";
pub const CONFIGURATION_SET: &str = "morale";

/// Alerts go to the terminal locally (SNS in the cloud).
pub struct PrintAlerter;

#[async_trait::async_trait]
impl Alerter for PrintAlerter {
    async fn alert(&self, a: &Alert) -> Result<(), AlertError> {
        eprintln!("\n[alert] {}\n{}\n", a.subject, a.message);
        Ok(())
    }
}

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
    pub api_url: String,
    api_task: tokio::task::JoinHandle<()>,
    route: EventRoute,
    pub sender: Sender,
    pub handler: BounceHandler,
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        self.api_task.abort();
    }
}

impl LocalStack {
    pub async fn start() -> Result<Self> {
        // The functions' CloudWatch metric lines mean nothing on one machine.
        morale::metrics::silence();
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
            max_send_rate: 50.0,
            ..Default::default()
        })
        .await?;
        let keys = TokenKeys::development();
        let api =
            morale_response_api::ResponseApi { store: store.clone(), keys: keys.clone(), clock: Arc::new(SystemClock) };
        let (addr, api_task) = morale_response_api::local::serve(Arc::new(api), 0).await?;
        let api_url = format!("http://{addr}");
        let ses_sdk = morale_localstack::sdk_config(&ses.url()).await;
        let ses_conf = aws_sdk_sesv2::config::Builder::from(&ses_sdk)
            .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
            .build();
        let sender = Sender {
            store: store.clone(),
            mailer: Arc::new(SesMailer::new(aws_sdk_sesv2::Client::from_conf(ses_conf), FROM, Some(CONFIGURATION_SET))),
            alerter: Arc::new(PrintAlerter),
            clock: Arc::new(SystemClock),
            renderer: EmailRenderer::new(keys, &api_url),
            config: SenderConfig::new(IDENTITY, FROM, Some(CONFIGURATION_SET)),
        };
        let handler = BounceHandler {
            store: store.clone(),
            alerter: Arc::new(PrintAlerter),
            clock: Arc::new(SystemClock),
            config: BounceConfig::default(),
        };
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
            sender,
            handler,
        })
    }

    pub async fn tick(&self) -> Result<Report> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(280);
        Ok(self.sender.handle(Command::Tick, deadline).await?)
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
                if let Err(err) = self.handler.handle(e).await {
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
        );
        team.next_send_at = Some(team.schedule.instant_on(team.schedule.local_date(now)).unwrap_or(now).min(now));
        self.store.create_team(&team).await?;
        for (email, name) in MEMBERS {
            self.store
                .add_member(&Member::new(team.id.clone(), EmailAddress::parse(email)?, Some((*name).into()), now))
                .await?;
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
    // Listen once, outside the loop: a signal that comes during a tick is kept for the next
    // turn of the loop, not lost.
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                let r = stack.tick().await?;
                let events = stack.pump_events(0, Duration::from_secs(2)).await?;
                let now: Timestamp = SystemClock.now();
                println!("{} tick: {} scheduled, {} sent, {} held; {events} SES event(s) handled", now.strftime("%H:%M:%S"), r.emails_scheduled, r.sent, r.held);
            }
            _ = interrupt.recv() => break,
            _ = term.recv() => break,
        }
    }
    println!("\n==> stopping the local stack");
    drop(stack);
    Ok(())
}
