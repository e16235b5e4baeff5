//! ses-local: a local SESv2 that speaks the REST-JSON wire protocol to the real AWS SDKs, with
//! the identity lifecycle, quotas, faults and events that replaying the incident needs, and an
//! inbox to read and click the emails.
//!
//! Runs as a binary (`ses-local --port 0`) or in-process ([`SesLocal::start`]).

mod api;
pub mod control;
pub mod events;
pub mod faults;
pub mod state;

use anyhow::{Context, Result};
use state::{ConfigSet, EventDestination, Identity, Inner};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, oneshot};

pub use control::{AccountChange, IdentityChange};
pub use state::{Account, Faults, Outcome, Status, StoredMessage};

/// The default EventBridge bus, as a configuration set's event destination names it.
pub use morale_localstack::DEFAULT_BUS_ARN;

/// How ses-local starts; the default is a new account out of the sandbox, on a free port.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// 0 picks a free port. ses-local always binds to 127.0.0.1.
    pub port: u16,
    /// Where to publish SES events (`PutEvents`): the local stack's EventBridge. Without it,
    /// events are only kept in the event log (`GET /_ses-local/events`).
    pub eventbridge_endpoint: Option<String>,
    /// The account as it starts: its quotas, production access, sending.
    pub account: Account,
    /// New identities start verified instead of pending.
    pub verify_new_identities: bool,
    /// Identities that exist, verified, from the start.
    pub identities: Vec<String>,
    /// Configuration sets that exist from the start, each with an EventBridge destination on
    /// the default bus for every event type.
    pub configuration_sets: Vec<String>,
}

pub struct App {
    inner: Mutex<Inner>,
    publisher: Option<mpsc::UnboundedSender<events::Publication>>,
    config: Config,
}

impl App {
    pub fn state(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn initial(config: &Config) -> Inner {
        let mut s = Inner::new(config.account.clone());
        for name in &config.identities {
            let key = name.to_ascii_lowercase();
            s.identities.insert(key.clone(), Identity::new(&key, true));
        }
        for name in &config.configuration_sets {
            s.config_sets.insert(
                name.clone(),
                ConfigSet {
                    name: name.clone(),
                    sending_enabled: true,
                    raw: serde_json::json!({"ConfigurationSetName": name}),
                    destinations: vec![EventDestination {
                        name: "eventbridge".into(),
                        enabled: true,
                        matching_event_types: [
                            "SEND",
                            "REJECT",
                            "BOUNCE",
                            "COMPLAINT",
                            "DELIVERY",
                            "RENDERING_FAILURE",
                            "DELIVERY_DELAY",
                        ]
                        .map(String::from)
                        .to_vec(),
                        event_bus_arn: Some(DEFAULT_BUS_ARN.into()),
                        other: Default::default(),
                    }],
                },
            );
        }
        s
    }

    /// Back to the state at start: identities, configuration sets, account, faults, mail.
    pub fn reset(&self) {
        *self.state() = Self::initial(&self.config);
    }
}

/// A running ses-local.
pub struct SesLocal {
    addr: SocketAddr,
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SesLocal {
    /// Binds 127.0.0.1:`config.port` and serves on the current tokio runtime.
    pub async fn start(config: Config) -> Result<Self> {
        let publisher = match &config.eventbridge_endpoint {
            Some(endpoint) => {
                let sdk = morale_localstack::sdk_config(endpoint).await;
                Some(events::spawn_publisher(aws_sdk_eventbridge::Client::new(&sdk)))
            }
            None => None,
        };
        let app = Arc::new(App { inner: Mutex::new(App::initial(&config)), publisher, config: config.clone() });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
            .await
            .with_context(|| format!("could not bind 127.0.0.1:{}", config.port))?;
        let addr = listener.local_addr()?;
        let router = api::routes()
            .merge(control::routes())
            .fallback(|| async {
                state::SesError { status: 404, code: "UnknownOperationException", message: "Unknown operation".into() }
            })
            .layer(axum::extract::DefaultBodyLimit::max(12 * 1024 * 1024))
            .with_state(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self { addr, app, stop: Some(stop), task: Some(task) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`: the SESv2 endpoint (e.g. `AWS_ENDPOINT_URL_SESV2`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Direct access to the control operations, for in-process tests.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SesLocal {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}
