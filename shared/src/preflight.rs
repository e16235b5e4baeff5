//! The preflight: whether SES can send right now, and if not, what is wrong and what to do.
//! The sender runs it before every batch; `moralectl preflight` runs it for people.

use crate::mail::Mailer;
use crate::reputation;
use crate::store::StateStore;
use jiff::Timestamp;

/// Whether SES can send right now.
#[derive(Debug, Clone, PartialEq)]
pub enum Readiness {
    Ready { max_send_rate: f64 },
    NotReady { problem: String, advice: String },
}

/// Is the reputation guard's pause off, is the account sending, and is the identity verified
/// for sending with DKIM in order?
pub async fn check(mailer: &dyn Mailer, store: &dyn StateStore, identity: &str, now: Timestamp) -> Readiness {
    let id = identity;
    let not_ready = |problem: String, advice: &str| Readiness::NotReady { problem, advice: advice.to_string() };
    // Asked at once, judged in order: the check costs one round trip, not three.
    let (pause, account, identity) =
        tokio::join!(reputation::current_pause(store, now), mailer.account(), mailer.identity(id));
    match pause {
        Ok(Some(p)) => {
            return not_ready(
                format!("sending is paused by the reputation guard: {}", p.reason),
                "look at the bounced and complaining addresses (moralectl suppressions list), then lift the pause (moralectl pause lift)",
            );
        }
        Ok(None) => {}
        Err(e) => {
            return not_ready(
                format!("the sending pause could not be read ({e})"),
                "check the table and the sender's permissions",
            );
        }
    }
    let account = match account {
        Ok(a) => a,
        Err(e) => {
            return not_ready(
                format!("SES could not be asked about the account ({e})"),
                "check the sender's IAM permissions (ses:GetAccount) and SES in this region",
            );
        }
    };
    if account.enforcement_status == "SHUTDOWN" {
        return not_ready(
            "the SES account is shut down (enforcement status SHUTDOWN)".into(),
            "open the SES console's reputation dashboard and contact AWS support",
        );
    }
    if !account.sending_enabled {
        return not_ready(
            "SES sending is paused for the account".into(),
            "find out why in the SES console, then resume it (aws sesv2 put-account-sending-attributes --sending-enabled)",
        );
    }
    if account.max_24_hour_send > 0.0 && account.sent_last_24_hours >= account.max_24_hour_send {
        return not_ready(
            format!(
                "the SES daily quota is used up ({} of {} in the last 24 hours)",
                account.sent_last_24_hours, account.max_24_hour_send
            ),
            "wait for the 24-hour window to move on, or request a higher quota",
        );
    }
    let identity = match identity {
        Ok(i) => i,
        Err(e) => {
            return not_ready(
                format!("identity {id}: SES could not be asked about it ({e})"),
                "check that the identity exists in SES in this region and that the sender may read it (ses:GetEmailIdentity)",
            );
        }
    };
    if !identity.verified_for_sending {
        return not_ready(
            format!("identity {id}: not verified for sending (verification status {})", identity.verification_status),
            "check the identity's DNS records (DKIM CNAMEs) in the SES console and re-verify it",
        );
    }
    // A domain identity's DKIM status matters; an address identity has none to check.
    if id.contains('.') && !id.contains('@') && identity.dkim_status != "SUCCESS" {
        return not_ready(
            format!("identity {id}: DKIM status {}", identity.dkim_status),
            "check the DKIM CNAME records",
        );
    }
    Readiness::Ready { max_send_rate: account.max_send_rate }
}

/// The SES event types the bounce handler needs (the template's event destination sends these).
pub const NEEDED_EVENTS: [&str; 6] = ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "DELIVERY_DELAY", "REJECT"];

/// Whether a configuration set publishes every needed event to EventBridge: what it does, or
/// what is missing. Without it no SES event reaches the bounce handler.
pub async fn event_destination(ses: &aws_sdk_sesv2::Client, configuration_set: &str) -> Result<String, String> {
    let cs = configuration_set;
    let out = ses
        .get_configuration_set_event_destinations()
        .configuration_set_name(cs)
        .send()
        .await
        .map_err(|e| format!("{cs}: {}", aws_sdk_sesv2::error::DisplayErrorContext(e)))?;
    let ok = out.event_destinations.unwrap_or_default().iter().any(|d| {
        d.enabled
            && d.event_bridge_destination.is_some()
            && NEEDED_EVENTS.iter().all(|n| d.matching_event_types.iter().any(|t| t.as_str() == *n))
    });
    if ok {
        Ok(format!("{cs} publishes every needed event to EventBridge"))
    } else {
        Err(format!("{cs} has no enabled EventBridge destination for {}", NEEDED_EVENTS.join(", ")))
    }
}
