//! Reconciliation: SES publishes its events "best effort", so an email it accepted may never
//! be reported delivered or bounced. Past its window such an email is not left `sent` for
//! ever: where the account has SES's Virtual Deliverability Manager, SES is asked what became
//! of it (GetMessageInsights) and a delivery it knows of settles it; otherwise it becomes
//! unconfirmed, is counted, and on-call is told which (an event that comes later still
//! settles it).

use crate::Sender;
use jiff::Timestamp;
use morale::domain::outbox::{CONFIRM_WINDOW, Change};
use morale::mail::Insight;
use morale::metrics::{self, Metrics};
use morale::store::StoreError;
use std::time::Duration;

/// At most this many emails are reconciled per run; the rest wait for the next tick.
pub(crate) const BATCH: usize = 500;
/// At most this many are asked about per run: GetMessageInsights takes one call a second.
const ASK: usize = 10;
const ASK_EVERY: Duration = Duration::from_secs(1);
const ASK_TIMEOUT: Duration = Duration::from_secs(3);

impl Sender {
    /// Settles or marks unconfirmed the sent emails whose events are overdue, and tells
    /// on-call of those unconfirmed: returns how many were marked. `pressed`: the run is near
    /// its deadline, with no time to ask SES (one call a second): they wait for the next run.
    pub(crate) async fn reconcile(&self, now: Timestamp, pressed: bool, m: &mut Metrics) -> Result<u64, StoreError> {
        let due = self.store.due_confirmations(now, BATCH).await?;
        if due.items.is_empty() && due.quarantined.is_empty() {
            return Ok(0);
        }
        let hours = CONFIRM_WINDOW.as_hours();
        let vdm = self.mailer.account().await.is_ok_and(|a| a.vdm_enabled);
        if vdm && pressed {
            return Ok(0);
        }
        // What SES's Virtual Deliverability Manager says of each (as many as may be asked).
        let mut said: Vec<Option<String>> = vec![None; due.items.len()];
        let mut settled = vec![false; due.items.len()];
        if vdm {
            for (n, d) in due.items.iter().enumerate().take(ASK) {
                if n > 0 {
                    tokio::time::sleep(ASK_EVERY).await;
                }
                let Some(mid) = self.store.get_outbox(&d.key).await?.and_then(|i| i.message_id) else { continue };
                let answer = match tokio::time::timeout(ASK_TIMEOUT, self.mailer.insights(&mid)).await {
                    Ok(a) => a,
                    Err(_) => Err(morale::mail::MailerError {
                        operation: "GetMessageInsights",
                        message: format!("no answer within {} s", ASK_TIMEOUT.as_secs()),
                    }),
                };
                let failed = answer.is_err();
                said[n] = Some(match answer {
                    Ok(Insight::Delivered) => {
                        if self.store.change(&d.key, &Change::Delivered, now).await?.is_some() {
                            m.count(metrics::EMAILS_DELIVERED, 1);
                            tracing::info!(key = %d.key, "its event was lost; SES's VDM says it was delivered");
                        }
                        settled[n] = true;
                        continue;
                    }
                    Ok(Insight::Bounced(detail)) => {
                        format!("SES's VDM reports a bounce its event never brought: {detail}")
                    }
                    Ok(Insight::Complained) => "SES's VDM reports a complaint its event never brought".into(),
                    Ok(Insight::Unknown) => "SES's VDM knows of no delivery either".into(),
                    Err(e) => format!("SES's VDM could not be asked: {e}"),
                });
                // One failure (throttled, not answering) is enough for this run.
                if failed {
                    break;
                }
            }
        }
        let why = |n: usize| match (&said[n], vdm) {
            (Some(s), _) => s.clone(),
            (None, true) => "not asked of SES's VDM: too many at once".into(),
            (None, false) => "the account has no Virtual Deliverability Manager to ask".into(),
        };
        let open: Vec<usize> = (0..due.items.len()).filter(|n| !settled[*n]).collect();
        if open.is_empty() && due.quarantined.is_empty() {
            return Ok(0);
        }
        let mut lines: Vec<String> = open
            .iter()
            .map(|&n| format!("- {} (no event by {}; {})", due.items[n].key, due.items[n].due_at, why(n)))
            .collect();
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
        let mut marked = 0;
        for &n in &open {
            let reason = format!("no delivery or bounce reported by SES within {hours} hours of sending ({})", why(n));
            if self.store.change(&due.items[n].key, &Change::Unconfirm { reason: &reason }, now).await?.is_some() {
                // Counted as it happens: a store error on the next one leaves this one counted.
                m.count(metrics::EMAILS_UNCONFIRMED, 1);
                marked += 1;
            }
        }
        tracing::warn!(marked, "sent emails with no SES event past their window: unconfirmed");
        Ok(marked)
    }
}
