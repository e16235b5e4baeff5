//! The alert port: messages for the humans on call (an SNS topic in the cloud).

use async_trait::async_trait;
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// One line: what is wrong.
    pub subject: String,
    /// What is wrong, what to do, what is held.
    pub message: String,
}

impl Alert {
    pub fn new(subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self { subject: subject.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the alert could not be published: {0}")]
pub struct AlertError(pub String);

#[async_trait]
pub trait Alerter: Send + Sync {
    async fn alert(&self, alert: &Alert) -> Result<(), AlertError>;
}

/// Publishes to an SNS topic.
#[derive(Clone, Debug)]
pub struct SnsAlerter {
    client: aws_sdk_sns::Client,
    topic_arn: String,
}

impl SnsAlerter {
    pub fn new(client: aws_sdk_sns::Client, topic_arn: &str) -> Self {
        Self { client, topic_arn: topic_arn.into() }
    }
}

/// Who would hear an alert: the topic's confirmed subscriptions and those still pending (an
/// email subscription nobody confirmed delivers nothing).
pub async fn subscribers(sns: &aws_sdk_sns::Client, topic_arn: &str) -> Result<(usize, usize), String> {
    let mut subs = sns.list_subscriptions_by_topic().topic_arn(topic_arn).into_paginator().items().send();
    let (mut confirmed, mut pending) = (0, 0);
    while let Some(s) = subs.next().await {
        let s = s.map_err(|e| format!("{topic_arn} cannot be read: {}", aws_sdk_sns::error::DisplayErrorContext(e)))?;
        // `moralectl verify`'s own short-lived listeners are nobody.
        if s.endpoint.as_deref().is_some_and(|e| e.contains("moralectl-verify-")) {
            continue;
        }
        if s.subscription_arn.as_deref().is_some_and(|a| a.starts_with("arn:")) {
            confirmed += 1;
        } else {
            pending += 1;
        }
    }
    Ok((confirmed, pending))
}

/// Says who would hear, for people: `Ok` if anyone would.
pub fn subscribers_text((confirmed, pending): (usize, usize)) -> Result<String, String> {
    match (confirmed, pending) {
        (0, 0) => Err("nobody is subscribed to the alert topic: alerts and alarms reach no one".into()),
        (0, p) => Err(format!("{p} subscription(s) not confirmed: confirm the email AWS sent, or nobody hears")),
        (c, 0) => Ok(format!("{c} confirmed subscriber(s)")),
        (c, p) => Ok(format!("{c} confirmed subscriber(s), {p} pending")),
    }
}

/// SNS subjects: at most 100 characters, printable ASCII, one line.
fn sns_subject(s: &str) -> String {
    let mut out: String = s.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '-' }).collect();
    if out.len() > 100 {
        out.truncate(97);
        out.push_str("...");
    }
    out
}

#[async_trait]
impl Alerter for SnsAlerter {
    async fn alert(&self, alert: &Alert) -> Result<(), AlertError> {
        self.client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(sns_subject(&alert.subject))
            .message(&alert.message)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| AlertError(aws_sdk_sns::error::DisplayErrorContext(e).to_string()))
    }
}

/// An alerter whose failures still reach someone: an alert that cannot be published (SNS
/// down, the topic's key unusable, throttling) is written to the log in full and counted in
/// the `AlertsUndelivered` metric, which an alarm watches. The error is still returned.
pub struct MeteredAlerter<A> {
    inner: A,
    undelivered: std::sync::atomic::AtomicU64,
}

impl<A: Alerter> MeteredAlerter<A> {
    pub fn new(inner: A) -> Self {
        Self { inner, undelivered: 0.into() }
    }

    /// Alerts this process could not publish.
    pub fn undelivered(&self) -> u64 {
        self.undelivered.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[async_trait]
impl<A: Alerter> Alerter for MeteredAlerter<A> {
    async fn alert(&self, alert: &Alert) -> Result<(), AlertError> {
        let result = self.inner.alert(alert).await;
        if let Err(e) = &result {
            self.undelivered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::error!(error = %e, subject = %alert.subject, message = %crate::domain::mask_emails(&alert.message),
                "an alert could not be published");
            let mut m = crate::metrics::Metrics::new();
            m.count(crate::metrics::ALERTS_UNDELIVERED, 1);
            m.flush();
        }
        result
    }
}

/// Keeps alerts in memory, for tests.
#[derive(Default)]
pub struct RecordingAlerter {
    alerts: Mutex<Vec<Alert>>,
}

impl RecordingAlerter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn alerts(&self) -> Vec<Alert> {
        self.alerts.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl Alerter for RecordingAlerter {
    async fn alert(&self, alert: &Alert) -> Result<(), AlertError> {
        self.alerts.lock().unwrap_or_else(|e| e.into_inner()).push(alert.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Down;

    #[async_trait]
    impl Alerter for Down {
        async fn alert(&self, _: &Alert) -> Result<(), AlertError> {
            Err(AlertError("SNS is down".into()))
        }
    }

    #[tokio::test]
    async fn an_alert_that_cannot_be_published_is_counted() {
        let down = MeteredAlerter::new(Down);
        assert!(down.alert(&Alert::new("s", "m")).await.is_err(), "the caller still hears of it");
        assert_eq!(down.undelivered(), 1);
        let up = MeteredAlerter::new(RecordingAlerter::new());
        up.alert(&Alert::new("s", "m")).await.unwrap();
        assert_eq!((up.undelivered(), up.inner.alerts().len()), (0, 1));
    }

    #[test]
    fn sns_subjects_are_short_ascii_lines() {
        let s = super::sns_subject(&format!("Morale — sending stopped\n{}", "x".repeat(200)));
        assert!(s.len() <= 100);
        assert!(s.chars().all(|c| c.is_ascii_graphic() || c == ' '));
    }
}
