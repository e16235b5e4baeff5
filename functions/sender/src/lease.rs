//! The account's sending rate, held by one invocation at a time. Two invocations that each
//! paced to all of MaxSendRate (an overlapping tick, Scheduler's duplicate, a continuation)
//! would send at twice the quota and be throttled; so only the lease's holder drains, and it
//! hands its pacer's next slot to the next holder, who goes on at the same pace.

use crate::Sender;
use jiff::{SignedDuration, Timestamp};
use morale::store::StoreError;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The state record of the lease.
const NAME: &str = "sending-lease";
/// A lease that ends within this is waited for (a holder finishing its last sends, its
/// continuation starting); one held longer means another invocation is draining.
pub(crate) const HANDOVER_WAIT: SignedDuration = SignedDuration::from_secs(45);
const POLL: Duration = Duration::from_millis(250);
/// A lease is held no longer than the sender's Lambda timeout: a holder that crashed blocks
/// sending that long at most (as its claimed items would).
const MAX_HOLD: Duration = Duration::from_secs(300);

/// Until when an invocation with `deadline` holds the lease it takes now.
pub(crate) fn until(now: Timestamp, deadline: tokio::time::Instant) -> Timestamp {
    let left = deadline.saturating_duration_since(tokio::time::Instant::now()).min(MAX_HOLD);
    now + SignedDuration::try_from(left).expect("seconds")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Holder {
    owner: String,
    /// The lease lapses then (the holder's deadline) if it is not given back before.
    until: Timestamp,
    /// Given back: when the last holder's pacer would have sent next. The next holder sends
    /// no sooner, so that the rate stays even across the handover.
    next_send: Option<Timestamp>,
}

/// A lease held: what giving it back needs.
pub(crate) struct Lease {
    pub(crate) owner: String,
    version: u64,
    /// When the previous holder would have sent next, if later than now.
    pub(crate) start_at: Option<Timestamp>,
}

impl Sender {
    /// Takes the sending lease for `owner` until `until`; with `wait`, waits for one that is
    /// about to be given back. `None`: another invocation is draining (what is due is its to
    /// send).
    pub(crate) async fn take_lease(
        &self,
        owner: &str,
        until: Timestamp,
        wait: bool,
    ) -> Result<Option<Lease>, StoreError> {
        loop {
            let now = self.clock.now();
            if now >= until {
                return Ok(None);
            }
            let record = self.store.get_state(NAME).await?;
            let holder = record.as_ref().and_then(|r| serde_json::from_str::<Holder>(&r.data).ok());
            if let Some(h) = holder.as_ref().filter(|h| h.until > now && h.owner != owner) {
                if !wait || h.until - now > HANDOVER_WAIT {
                    tracing::info!(holder = %h.owner, until = %h.until, "another invocation is sending");
                    return Ok(None);
                }
                tokio::time::sleep(POLL).await;
                continue;
            }
            let start_at = holder.and_then(|h| h.next_send).filter(|t| *t > now);
            let data = serde_json::to_string(&Holder { owner: owner.into(), until, next_send: None }).expect("json");
            let expected = record.map(|r| r.version);
            if self.store.put_state(NAME, &data, expected, now).await? {
                let version = expected.unwrap_or(0) + 1;
                return Ok(Some(Lease { owner: owner.into(), version, start_at }));
            }
            // Someone else wrote first: look again.
        }
    }

    /// Gives the lease back, with when the pacer would have sent next. A lease that lapsed
    /// and was taken over meanwhile is left to its new holder.
    pub(crate) async fn give_back(&self, lease: &Lease, next_send: Option<Timestamp>) -> Result<(), StoreError> {
        let now = self.clock.now();
        let data = serde_json::to_string(&Holder { owner: lease.owner.clone(), until: now, next_send }).expect("json");
        if !self.store.put_state(NAME, &data, Some(lease.version), now).await? {
            tracing::warn!("the sending lease had lapsed and was taken over before it was given back");
        }
        Ok(())
    }
}
