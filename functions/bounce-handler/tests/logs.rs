//! The bounce handler's log lines, as the Lambda's log group would hold them: in a test binary
//! of its own, so that no other test's thread shares its subscriber.

use serde_json::json;
use std::sync::Arc;

mod common;
use common::*;

/// What the handler writes, kept.
#[derive(Clone, Default)]
struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

/// SES quotes the recipient in its diagnostic codes (`<someone@example.com>: mailbox full`):
/// whatever the event, the log has it masked.
#[tokio::test]
async fn no_log_line_names_a_recipients_address() {
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt().with_writer(logs.clone()).with_max_level(tracing::Level::TRACE).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let w = world();
    let quoted = "smtp; 452 4.2.2 <someone@example.com>: mailbox full";
    let recipients = json!([{"emailAddress": "someone@example.com", "status": "4.2.2", "diagnosticCode": quoted}]);
    let delayed = json!({"delayType": "MailboxFull", "expirationTime": "2026-11-24T02:00:00Z",
        "delayedRecipients": recipients, "timestamp": "2026-11-23T20:03:00.000Z"});
    let soft = json!({"bounceType": "Transient", "bounceSubType": "MailboxFull", "bouncedRecipients": recipients,
        "timestamp": "2026-11-23T20:04:00.000Z"});
    let hard = json!({"bounceType": "Permanent", "bounceSubType": "General", "bouncedRecipients": recipients,
        "timestamp": "2026-11-23T20:04:00.000Z"});
    let (m1, _, mid1) = w.sent(1).await;
    w.on(event("Email Delivery Delayed", "DeliveryDelay", &m1, &mid1, Some(("deliveryDelay", delayed)))).await;
    w.on(event("Email Bounced", "Bounce", &m1, &mid1, Some(("bounce", soft)))).await;
    let (m2, _, mid2) = w.sent(2).await;
    w.on(event("Email Bounced", "Bounce", &m2, &mid2, Some(("bounce", hard)))).await;
    let (m3, _, mid3) = w.sent(3).await;
    let reject = json!({"reason": "Bad content for someone@example.com"});
    w.on(event("Email Rejected", "Reject", &m3, &mid3, Some(("reject", reject)))).await;
    let log = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("delivery delayed"), "the events were logged: {log}");
    assert!(log.contains("s***@example.com"), "masked, not left out: {log}");
    assert!(!log.contains("someone@"), "{log}");
}
