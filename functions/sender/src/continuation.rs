//! The sender continuing itself: when its deadline stops it with emails left, it starts the
//! next invocation at once rather than leaving them to the next tick, minutes later.

use async_trait::async_trait;

#[async_trait]
pub trait Continuation: Send + Sync {
    /// Starts another invocation of the sender with `{"action": "continue"}`, asynchronously.
    async fn continue_sending(&self) -> Result<(), String>;
}

/// No continuation: the next tick takes over (the local stack, tests).
pub struct NextTick;

#[async_trait]
impl Continuation for NextTick {
    async fn continue_sending(&self) -> Result<(), String> {
        Ok(())
    }
}

/// The event the sender's continuation rule matches (template.yaml: `SenderContinues`).
pub const SOURCE: &str = "morale.sender";
pub const DETAIL_TYPE: &str = "Sender continues";

/// An event on the account's default bus, which a rule turns into an asynchronous invocation
/// of the sender with `{"action": "continue"}` (EventBridge retries it; Lambda retries a failed
/// invocation: one more is harmless, the sending lease admits one at a time).
pub struct EventBridgeContinuation {
    client: aws_sdk_eventbridge::Client,
    bus: String,
}

impl EventBridgeContinuation {
    pub fn new(client: aws_sdk_eventbridge::Client, bus: &str) -> Self {
        Self { client, bus: bus.into() }
    }
}

#[async_trait]
impl Continuation for EventBridgeContinuation {
    async fn continue_sending(&self) -> Result<(), String> {
        let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus)
            .source(SOURCE)
            .detail_type(DETAIL_TYPE)
            .detail("{}")
            .build();
        let out = self.client.put_events().entries(entry).send().await.map_err(|e| format!("{e:?}"))?;
        if out.failed_entry_count() > 0 {
            let why = out.entries().iter().filter_map(|e| e.error_message()).collect::<Vec<_>>().join("; ");
            return Err(format!("PutEvents refused the event: {why}"));
        }
        Ok(())
    }
}
