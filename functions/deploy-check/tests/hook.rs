//! The pre-traffic hook against fakes: every verdict reaches CodeDeploy, and a failed check is
//! told to on-call naming what failed.

use async_trait::async_trait;
use morale::alert::RecordingAlerter;
use morale::clock::ManualClock;
use morale::mail::FakeMailer;
use morale::store::MemoryStore;
use morale_deploy_check::{DeployCheck, HookEvent, Stack};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct FakeStack {
    destination: Mutex<Option<String>>,
    subscribers: Mutex<Option<String>>,
    reports: Mutex<Vec<(String, bool)>>,
    codedeploy_down: Mutex<bool>,
}

#[async_trait]
impl Stack for FakeStack {
    async fn event_destination(&self) -> Result<String, String> {
        self.destination
            .lock()
            .unwrap()
            .clone()
            .ok_or_else(|| "morale-mail has no enabled EventBridge destination".into())
    }
    async fn subscribers(&self) -> Result<String, String> {
        self.subscribers.lock().unwrap().clone().ok_or_else(|| "nobody is subscribed to the alert topic".into())
    }
    async fn report(&self, hook: &HookEvent, succeeded: bool) -> Result<(), String> {
        if *self.codedeploy_down.lock().unwrap() {
            return Err("CodeDeploy could not be told: throttled".into());
        }
        self.reports.lock().unwrap().push((hook.lifecycle_event_hook_execution_id.clone(), succeeded));
        Ok(())
    }
}

struct World {
    mailer: Arc<FakeMailer>,
    stack: Arc<FakeStack>,
    alerter: Arc<RecordingAlerter>,
    check: DeployCheck,
}

fn world() -> World {
    let mailer = Arc::new(FakeMailer::new("morale.example"));
    let stack = Arc::new(FakeStack::default());
    *stack.destination.lock().unwrap() = Some("morale-mail publishes every needed event".into());
    *stack.subscribers.lock().unwrap() = Some("1 confirmed subscriber(s)".into());
    let alerter = Arc::new(RecordingAlerter::new());
    let check = DeployCheck {
        mailer: mailer.clone(),
        store: Arc::new(MemoryStore::new()),
        stack: stack.clone(),
        alerter: alerter.clone(),
        clock: Arc::new(ManualClock::new("2026-11-23T12:00:00Z".parse().unwrap())),
        identity: "morale.example".into(),
    };
    World { mailer, stack, alerter, check }
}

fn hook() -> HookEvent {
    serde_json::from_str(r#"{"DeploymentId": "d-123", "LifecycleEventHookExecutionId": "hook-1"}"#).unwrap()
}

#[tokio::test]
async fn a_ready_stack_lets_traffic_through_and_tells_no_one() {
    let w = world();
    let checks = w.check.handle(&hook()).await.unwrap();
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    assert_eq!(*w.stack.reports.lock().unwrap(), vec![("hook-1".to_string(), true)]);
    assert!(w.alerter.alerts().is_empty());
    assert!(w.mailer.sent().is_empty(), "the hook sends no email");
}

#[tokio::test]
async fn each_broken_link_stops_the_deployment_and_is_told_by_name() {
    type Break = fn(&World);
    let cases: [(&str, Break); 3] = [
        ("preflight", |w| {
            let mut id = w.mailer.identity.lock().unwrap();
            id.verified_for_sending = false;
            id.verification_status = "FAILED".into();
        }),
        ("event destination", |w| *w.stack.destination.lock().unwrap() = None),
        ("alert subscribers", |w| *w.stack.subscribers.lock().unwrap() = None),
    ];
    for (name, break_it) in cases {
        let w = world();
        break_it(&w);
        let checks = w.check.handle(&hook()).await.unwrap();
        let failed: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
        assert_eq!(failed, [name]);
        assert_eq!(*w.stack.reports.lock().unwrap(), vec![("hook-1".to_string(), false)], "{name}");
        let alerts = w.alerter.alerts();
        assert_eq!(alerts.len(), 1, "{name}");
        assert!(alerts[0].subject.contains("deployment was stopped"));
        assert!(
            alerts[0].message.contains(&format!("- {name}: ")) && alerts[0].message.contains("d-123"),
            "{}",
            alerts[0].message
        );
    }
}

#[tokio::test]
async fn a_verdict_codedeploy_did_not_hear_fails_the_invocation_to_be_retried() {
    let w = world();
    *w.stack.codedeploy_down.lock().unwrap() = true;
    let err = w.check.handle(&hook()).await.unwrap_err();
    assert!(err.contains("CodeDeploy could not be told"), "{err}");
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1, "on-call hears that the verdict did not reach CodeDeploy");
    assert!(alerts[0].subject.contains("could not report to CodeDeploy") && alerts[0].message.contains("d-123"));
}
