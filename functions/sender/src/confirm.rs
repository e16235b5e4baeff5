//! Reconciliation: SES publishes its events "best effort", so an email it accepted may never
//! be reported delivered or bounced. Past its window such an email is not left `sent` for
//! ever: it becomes unconfirmed, is counted, and on-call is told which (an event that comes
//! later still settles it).

use crate::Sender;
use jiff::Timestamp;
use morale::domain::outbox::{CONFIRM_WINDOW, Change};
use morale::metrics::{self, Metrics};
use morale::store::StoreError;

/// At most this many emails are reconciled per run; the rest wait for the next tick.
pub(crate) const BATCH: usize = 500;

impl Sender {
    /// Marks sent emails whose events are overdue unconfirmed, and tells on-call: returns how
    /// many were marked.
    pub(crate) async fn reconcile(&self, now: Timestamp, m: &mut Metrics) -> Result<u64, StoreError> {
        let due = self.store.due_confirmations(now, BATCH).await?;
        if due.items.is_empty() && due.quarantined.is_empty() {
            return Ok(0);
        }
        let hours = CONFIRM_WINDOW.as_hours();
        let mut lines: Vec<String> =
            due.items.iter().map(|d| format!("- {} (no event by {})", d.key, d.due_at)).collect();
        lines.extend(due.quarantined.iter().map(|u| format!("- a record that cannot be read: {u}")));
        // Told, then recorded: a run stopped between the two tells twice rather than never.
        self.alert(
            format!("Morale: {} sent email(s) unconfirmed", lines.len()),
            format!(
                "SES accepted these emails but reported neither a delivery nor a bounce within {hours} hours. \
                 SES publishes its events best effort, so one may have been lost; the emails may well have \
                 arrived. They are recorded as unconfirmed (moralectl outbox), and an event that still comes \
                 settles them.\n\n{}",
                lines.join("\n")
            ),
        )
        .await;
        let reason = format!("no delivery or bounce reported by SES within {hours} hours of sending");
        let mut marked = 0;
        for d in &due.items {
            if self.store.change(&d.key, &Change::Unconfirm { reason: &reason }, now).await?.is_some() {
                // Counted as it happens: a store error on the next one leaves this one counted.
                m.count(metrics::EMAILS_UNCONFIRMED, 1);
                marked += 1;
            }
        }
        tracing::warn!(marked, "sent emails with no SES event past their window: unconfirmed");
        Ok(marked)
    }
}
