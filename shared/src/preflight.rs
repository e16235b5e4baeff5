//! The preflight: whether SES can send right now, and if not, what is wrong and what to do.
//! The sender runs it before every batch; `moralectl preflight` runs it for people.

use crate::mail::{AccountStatus, IdentityStatus, Mailer, MailerError};
use crate::reputation::{self, SendingPause};
use crate::store::{StateStore, StoreError};
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
    // Asked at once, judged in order: the check costs one round trip, not three.
    let (pause, account, status) =
        tokio::join!(reputation::current_pause(store, now), mailer.account(), mailer.identity(identity));
    match judge(identity, pause, account, status) {
        Ok(max_send_rate) => Readiness::Ready { max_send_rate },
        Err((problem, advice)) => Readiness::NotReady { problem, advice: advice.into() },
    }
}

/// What stops sending, and what to do about it.
type Stop = (String, &'static str);

/// `Err` with `problem` and `advice` unless `ok`.
fn unless(ok: bool, problem: impl FnOnce() -> String, advice: &'static str) -> Result<(), Stop> {
    if ok { Ok(()) } else { Err((problem(), advice)) }
}

/// The first thing that stops sending, else the account's sending rate.
fn judge(
    id: &str,
    pause: Result<Option<SendingPause>, StoreError>,
    account: Result<AccountStatus, MailerError>,
    identity: Result<IdentityStatus, MailerError>,
) -> Result<f64, Stop> {
    let pause = pause.map_err(|e| {
        (format!("the sending pause could not be read ({e})"), "check the table and the sender's permissions")
    })?;
    if let Some(p) = pause {
        return Err((
            format!("sending is paused by the reputation guard: {}", p.reason),
            "look at the bounced and complaining addresses (moralectl suppressions list), then lift the pause (moralectl pause lift)",
        ));
    }
    let account = account.map_err(|e| {
        (
            format!("SES could not be asked about the account ({e})"),
            "check the sender's IAM permissions (ses:GetAccount) and SES in this region",
        )
    })?;
    unless(
        account.enforcement_status != "SHUTDOWN",
        || "the SES account is shut down (enforcement status SHUTDOWN)".into(),
        "open the SES console's reputation dashboard and contact AWS support",
    )?;
    unless(
        account.sending_enabled,
        || "SES sending is paused for the account".into(),
        "find out why in the SES console, then resume it (aws sesv2 put-account-sending-attributes --sending-enabled)",
    )?;
    unless(
        !(account.max_24_hour_send > 0.0 && account.sent_last_24_hours >= account.max_24_hour_send),
        || {
            format!(
                "the SES daily quota is used up ({} of {} in the last 24 hours)",
                account.sent_last_24_hours, account.max_24_hour_send
            )
        },
        "wait for the 24-hour window to move on, or request a higher quota",
    )?;
    let identity = identity.map_err(|e| {
        (
            format!("identity {id}: SES could not be asked about it ({e})"),
            "check that the identity exists in SES in this region and that the sender may read it (ses:GetEmailIdentity)",
        )
    })?;
    unless(
        identity.verified_for_sending,
        || format!("identity {id}: not verified for sending (verification status {})", identity.verification_status),
        "check the identity's DNS records (DKIM CNAMEs) in the SES console and re-verify it",
    )?;
    // A domain identity's DKIM status matters; an address identity has none to check.
    let domain = id.contains('.') && !id.contains('@');
    unless(
        !domain || identity.dkim_status == "SUCCESS",
        || format!("identity {id}: DKIM status {}", identity.dkim_status),
        "check the DKIM CNAME records",
    )?;
    Ok(account.max_send_rate)
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
