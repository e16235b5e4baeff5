//! The sender against in-memory fakes: fast tests of its decisions.

use jiff::{SignedDuration, Timestamp};
use morale::alert::RecordingAlerter;
use morale::clock::{Clock, ManualClock};
use morale::config::SenderConfig;
use morale::domain::StatusChange;
use morale::domain::{EmailAddress, MemberId, QuietDays, SendDate, TeamId};
use morale::domain::{Member, MemberStatus, OutboxStatus, Team};
use morale::email::EmailRenderer;
use morale::mail::{FakeMailer, SendError, SendErrorKind};
use morale::store::MemoryStore;
use morale::store::prelude::*;
use morale::token::TokenKeys;
use morale_sender::{Command, Report, Sender};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

struct World {
    store: Arc<MemoryStore>,
    mailer: Arc<FakeMailer>,
    alerter: Arc<RecordingAlerter>,
    clock: Arc<ManualClock>,
    sender: Sender,
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn world(now: &str) -> World {
    let store = Arc::new(MemoryStore::new());
    let mailer = Arc::new(FakeMailer::new("morale.example"));
    let alerter = Arc::new(RecordingAlerter::new());
    let clock = Arc::new(ManualClock::new(ts(now)));
    let sender = Sender {
        store: store.clone(),
        mailer: mailer.clone(),
        alerter: alerter.clone(),
        clock: clock.clone(),
        renderer: EmailRenderer::new(TokenKeys::development(), "https://api.example"),
        config: SenderConfig::new("morale.example", "Morale <noreply@morale.example>", Some("morale")),
        continuation: Arc::new(morale_sender::continuation::NextTick),
    };
    World { store, mailer, alerter, clock, sender }
}

impl World {
    async fn team(&self, id: &str, zone: &str, time: &str, days: &str, members: usize) -> Team {
        // Created an hour ago: a send due now is due.
        let team = morale::fixtures::team(id, zone, time, days, self.clock.now() - SignedDuration::from_hours(1));
        self.store.create_team(&team).await.unwrap();
        for i in 0..members {
            let m = Member::new(
                &team,
                EmailAddress::parse(&format!("{id}-m{i}@example.com")).unwrap(),
                Some(format!("Member {i}")),
                self.clock.now(),
            );
            self.store.add_member(&m).await.unwrap();
        }
        team
    }

    async fn tick(&self) -> Report {
        self.run(Command::Tick).await
    }

    async fn run(&self, c: Command) -> Report {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(900);
        self.sender.handle(c, deadline).await.unwrap()
    }

    fn advance(&self, mins: i64) {
        self.clock.advance(SignedDuration::from_mins(mins));
    }

    /// Alerts other than of unconfirmed emails: the fake SES publishes no events, so every
    /// email sent more than a few hours before becomes unconfirmed (and is told).
    fn alerts_but_unconfirmed(&self) -> Vec<morale::alert::Alert> {
        self.alerter.alerts().into_iter().filter(|a| !a.subject.contains("unconfirmed")).collect()
    }

    /// Emails sent per (recipient, date tag).
    fn sends(&self) -> HashMap<(String, String), usize> {
        let mut out = HashMap::new();
        for (_, e) in self.mailer.sent() {
            let date = e.tags.iter().find(|(k, _)| k == "morale-date").unwrap().1.clone();
            *out.entry((e.to.to_string(), date)).or_default() += 1;
        }
        out
    }

    /// An active member stopped (`to`) for `reason`, now.
    async fn stop(&self, team: &TeamId, member: &MemberId, to: MemberStatus, reason: &str) {
        let change = StatusChange { from: &[MemberStatus::Active], to, reason, at: self.clock.now() };
        assert!(self.store.set_status(team, member, change).await.unwrap().is_some());
    }
}

/// SES's answer when sends come faster than the account's rate.
fn throttled() -> SendError {
    SendError::new(SendErrorKind::Throttled, "TooManyRequestsException", "Maximum sending rate exceeded.")
}

fn unverified(mailer: &FakeMailer, status: &str) {
    let mut id = mailer.identity.lock().unwrap();
    id.verified_for_sending = status == "SUCCESS";
    id.verification_status = status.into();
    id.dkim_status = status.into();
}

// Monday 2026-11-23, 14:00 in New York.
const MONDAY_1400_NY: &str = "2026-11-23T19:00:00Z";

#[tokio::test]
async fn a_due_team_gets_one_email_per_active_member_once() {
    let w = world(MONDAY_1400_NY);
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 5).await;
    let paused = w.store.list_members(&team.id).await.unwrap()[0].clone();
    w.stop(&team.id, &paused.id, MemberStatus::Paused, "on leave").await;
    let r = w.tick().await;
    assert_eq!((r.emails_scheduled, r.sent), (0, 0), "not due yet");
    w.advance(60);
    let r = w.tick().await;
    assert_eq!(r.preflight, "ok");
    assert_eq!((r.teams_scheduled, r.emails_scheduled, r.sent, r.held), (1, 4, 4, 0));
    let sent = w.mailer.sent();
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|(_, e)| e.to != paused.email));
    let e = &sent[0].1;
    assert!(e.subject.contains("Team alpha"));
    assert!(e.headers.iter().any(|(k, _)| k == "List-Unsubscribe-Post"));
    let tags: HashMap<_, _> = e.tags.iter().cloned().collect();
    assert_eq!(tags["morale-team"], "alpha");
    assert_eq!(tags["morale-date"], "2026-11-23");
    assert_eq!(tags["morale-send"], "1");
    for item in w.store.list_outbox(&team.id, None).await.unwrap() {
        assert_eq!(item.status, OutboxStatus::Sent);
        assert!(item.message_id.is_some());
    }
    let t = w.store.get_team(&team.id).await.unwrap().unwrap();
    assert_eq!(t.next_send_at, Some(ts("2026-11-24T20:00:00Z")));
    // Ticks later the same day send nothing more.
    for _ in 0..12 {
        w.advance(5);
        assert_eq!(w.tick().await.sent, 0);
    }
    assert_eq!(w.mailer.sent().len(), 4);
    assert!(w.alerter.alerts().is_empty());
}

#[tokio::test]
async fn preflight_failure_holds_everything_alerts_once_reminds_and_recovers() {
    let w = world("2026-11-23T20:00:00Z");
    w.team("alpha", "America/New_York", "15:00", "mon-fri", 3).await;
    w.team("beta", "America/New_York", "15:00", "mon-fri", 2).await;
    unverified(&w.mailer, "FAILED");
    let r = w.tick().await;
    assert_eq!((r.emails_scheduled, r.sent, r.held), (5, 0, 5));
    assert!(r.preflight.contains("not verified for sending"), "{}", r.preflight);
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains("sending stopped"), "{}", alerts[0].subject);
    assert!(alerts[0].message.contains("5 email(s) for 2 team(s) are held"), "{}", alerts[0].message);
    // Still failing: no new alert within 30 minutes, a reminder after.
    for _ in 0..5 {
        w.advance(5);
        w.tick().await;
    }
    assert_eq!(w.alerter.alerts().len(), 1);
    w.advance(5);
    w.tick().await;
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 2);
    assert!(alerts[1].subject.contains("still stopped"));
    assert!(w.mailer.sent().is_empty());
    // DKIM alone failing is caught too, with its own advice.
    {
        let mut id = w.mailer.identity.lock().unwrap();
        id.verified_for_sending = true;
        id.verification_status = "SUCCESS".into();
        id.dkim_status = "FAILED".into();
    }
    w.advance(5);
    let r = w.tick().await;
    assert_eq!(r.preflight, "identity morale.example: DKIM status FAILED");
    unverified(&w.mailer, "SUCCESS");
    w.advance(5);
    let r = w.tick().await;
    assert_eq!((r.sent, r.held), (5, 0));
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 3);
    assert!(alerts[2].subject.contains("recovered"));
    assert!(alerts[2].message.contains("5 held email(s) were sent"), "{}", alerts[2].message);
    w.advance(5);
    w.tick().await;
    assert_eq!(w.alerter.alerts().len(), 3, "no more alerts once recovered");
}

#[tokio::test]
async fn account_problems_stop_sending_too() {
    let w = world("2026-11-23T20:00:00Z");
    w.team("alpha", "America/New_York", "15:00", "mon-fri", 2).await;
    w.mailer.account.lock().unwrap().sending_enabled = false;
    assert_eq!(w.tick().await.preflight, "SES sending is paused for the account");
    w.mailer.account.lock().unwrap().sending_enabled = true;
    w.mailer.account.lock().unwrap().enforcement_status = "SHUTDOWN".into();
    assert!(w.tick().await.preflight.contains("shut down"));
    w.mailer.account.lock().unwrap().enforcement_status = "HEALTHY".into();
    w.mailer.account.lock().unwrap().sent_last_24_hours = 1_000_000.0;
    assert!(w.tick().await.preflight.contains("daily quota is used up"));
    assert!(w.mailer.sent().is_empty());
    w.mailer.account.lock().unwrap().sent_last_24_hours = 0.0;
    assert_eq!(w.tick().await.sent, 2);
}

#[tokio::test]
async fn a_rejection_mid_batch_opens_the_circuit_and_keeps_every_email() {
    let w = world("2026-11-23T20:00:00Z");
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 10).await;
    // Three go out, then the identity loses its verification: the fourth is rejected.
    w.mailer.refuse_when(|_, sent| {
        (sent >= 3).then(|| {
            SendError::new(
                SendErrorKind::CircuitOpen,
                "MessageRejected",
                "Email address is not verified. The following identities failed the check in region US-EAST-1: noreply@morale.example",
            )
        })
    });
    let sender = Sender { config: SenderConfig { max_concurrency: 1, ..w.sender.config.clone() }, ..clone(&w) };
    let r = sender.handle(Command::Tick, tokio::time::Instant::now() + Duration::from_secs(900)).await.unwrap();
    assert_eq!(r.sent, 3);
    assert!(r.circuit_opened.as_deref().unwrap().contains("MessageRejected"));
    assert_eq!(r.failed, 0);
    let items = w.store.list_outbox(&team.id, None).await.unwrap();
    assert_eq!(items.iter().filter(|i| i.status == OutboxStatus::Sent).count(), 3);
    assert_eq!(items.iter().filter(|i| i.status == OutboxStatus::Pending).count(), 7, "the rest kept, unchanged");
    assert!(items.iter().all(|i| i.lease_owner.is_none()));
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].message.contains("7 email(s) for 1 team(s) are held"), "{}", alerts[0].message);
}

fn clone(w: &World) -> Sender {
    Sender {
        store: w.store.clone(),
        mailer: w.mailer.clone(),
        alerter: w.alerter.clone(),
        clock: w.clock.clone(),
        renderer: w.sender.renderer.clone(),
        config: w.sender.config.clone(),
        continuation: w.sender.continuation.clone(),
    }
}

#[tokio::test]
async fn a_bad_message_fails_alone_with_its_reason() {
    let w = world("2026-11-23T20:00:00Z");
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 3).await;
    w.mailer.fail_next.lock().unwrap().push_back(SendError::new(
        SendErrorKind::BadMessage,
        "BadRequestException",
        "Illegal header",
    ));
    let r = w.tick().await;
    assert_eq!((r.sent, r.failed), (2, 1));
    let failed: Vec<_> = w
        .store
        .list_outbox(&team.id, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.status == OutboxStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].last_error.as_deref().unwrap().contains("Illegal header"));
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains("1 email(s) failed permanently"));
}

#[tokio::test]
async fn throttling_and_5xx_are_retried_until_sent() {
    let w = world("2026-11-23T20:00:00Z");
    w.team("alpha", "America/New_York", "15:00", "mon-fri", 3).await;
    {
        let mut q = w.mailer.fail_next.lock().unwrap();
        q.extend(std::iter::repeat_n(throttled(), 3));
        q.push_back(SendError::new(SendErrorKind::Transient, "InternalFailure", "oops"));
    }
    let r = w.tick().await;
    assert_eq!((r.sent, r.throttled, r.transient_errors, r.failed), (3, 3, 1, 0));
}

#[tokio::test]
async fn persistent_throttling_releases_the_email_for_a_later_tick() {
    let w = world("2026-11-23T20:00:00Z");
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 1).await;
    {
        let mut q = w.mailer.fail_next.lock().unwrap();
        q.extend(std::iter::repeat_n(throttled(), 5));
    }
    let r = w.tick().await;
    assert_eq!((r.sent, r.released, r.held), (0, 1, 0));
    let item = &w.store.list_outbox(&team.id, None).await.unwrap()[0];
    assert_eq!(item.status, OutboxStatus::Pending);
    assert!(item.last_error.as_deref().unwrap().contains("TooManyRequests"));
    w.advance(5);
    assert_eq!(w.tick().await.sent, 1);
}

/// No answer from SES (a timeout, an answer broken off): SES may have sent it. The email is
/// not tried again at once — SES's Send event would record it — but only after the wait.
#[tokio::test]
async fn an_unanswered_send_waits_before_it_is_tried_again() {
    let w = world("2026-11-23T20:00:00Z");
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 1).await;
    let unanswered = SendError::new(SendErrorKind::Unanswered, "NoResponse", "operation timeout");
    w.mailer.fail_next.lock().unwrap().push_back(unanswered);
    let r = w.tick().await;
    assert_eq!((r.sent, r.unanswered, r.released), (0, 1, 1), "not retried inline");
    let item = &w.store.list_outbox(&team.id, None).await.unwrap()[0];
    assert_eq!(item.status, OutboxStatus::Pending);
    assert_eq!(item.due_at, Some(w.clock.now() + SignedDuration::from_mins(15)));
    w.advance(10);
    assert_eq!(w.tick().await.sent, 0, "SES's Send event has time to say it went");
    w.advance(5);
    assert_eq!(w.tick().await.sent, 1, "no word from SES: tried again");
}

#[tokio::test]
async fn a_send_missed_during_an_outage_goes_out_later_the_same_day_never_the_next() {
    // Due 15:00 New York; the sender only comes back at 22:00: still today.
    let w = world("2026-11-23T19:00:00Z");
    w.team("alpha", "America/New_York", "15:00", "mon-fri", 2).await;
    w.clock.set(ts("2026-11-24T03:00:00Z")); // 22:00 local
    let r = w.tick().await;
    assert_eq!((r.sent, r.sends_missed), (2, 0));
    assert!(w.sends().keys().all(|(_, d)| d == "2026-11-23"));
    // Down from Tuesday 14:00 until Wednesday 01:00 local: Tuesday's send is missed (and
    // alerted), not sent on Wednesday.
    w.clock.set(ts("2026-11-25T06:00:00Z"));
    let r = w.tick().await;
    assert_eq!((r.sent, r.sends_missed), (0, 1));
    let alerts = w.alerts_but_unconfirmed();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains("2026-11-24 was never sent"), "{}", alerts[0].subject);
    assert!(!w.sends().keys().any(|(_, d)| d == "2026-11-24"));
    // Wednesday's send happens as usual.
    w.clock.set(ts("2026-11-25T20:05:00Z"));
    assert_eq!(w.tick().await.sent, 2);
}

/// No email on a team's quiet day, and none counted as missed: a day quiet when the team's
/// next send was set, and a day made quiet after (its send already set for it); the day after
/// sends as usual, even late after an outage.
#[tokio::test]
async fn quiet_days_have_no_email_and_are_not_missed() {
    let w = world(MONDAY_1400_NY);
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 2).await;
    let quiet = |spec: &str| QuietDays::new(QuietDays::parse_spec(spec).unwrap()).unwrap();
    let mut t = w.store.get_team(&team.id).await.unwrap().unwrap();
    t.schedule = t.schedule.clone().with_quiet(quiet("2026-11-24"));
    w.store.update_team(&t).await.unwrap();
    w.advance(65); // Monday 15:05
    assert_eq!(w.tick().await.sent, 2);
    let t = w.store.get_team(&team.id).await.unwrap().unwrap();
    assert_eq!(t.next_send_at, Some(ts("2026-11-25T20:00:00Z")), "Tuesday is quiet: Wednesday next");
    // Wednesday made quiet by a write that left its send as it was.
    let mut t = t;
    t.schedule = t.schedule.clone().with_quiet(quiet("2026-11-24..2026-11-25"));
    w.store.update_team(&t).await.unwrap();
    w.clock.set(ts("2026-11-25T20:05:00Z"));
    let r = w.tick().await;
    assert_eq!((r.sent, r.sends_missed), (0, 0));
    let t = w.store.get_team(&team.id).await.unwrap().unwrap();
    assert_eq!(t.next_send_at, Some(ts("2026-11-26T20:00:00Z")));
    // Down until Thursday 22:00 local: Thursday's email still goes out, nothing is missed.
    w.clock.set(ts("2026-11-27T03:00:00Z"));
    let r = w.tick().await;
    assert_eq!((r.sent, r.sends_missed), (2, 0));
    let dates: Vec<String> = w.sends().keys().map(|(_, d)| d.clone()).collect();
    assert!(dates.iter().all(|d| d == "2026-11-23" || d == "2026-11-26"), "{dates:?}");
    assert!(w.alerts_but_unconfirmed().is_empty(), "{:?}", w.alerts_but_unconfirmed());
}

#[tokio::test]
async fn emails_held_past_the_local_day_end_failed_with_their_reason() {
    let w = world("2026-11-23T20:00:00Z");
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 2).await;
    unverified(&w.mailer, "FAILED");
    w.tick().await;
    w.clock.set(ts("2026-11-24T05:30:00Z")); // 00:30 the next local day
    unverified(&w.mailer, "SUCCESS");
    let r = w.tick().await;
    assert_eq!((r.sent, r.failed), (0, 2));
    for item in w.store.list_outbox(&team.id, None).await.unwrap() {
        assert_eq!(item.status, OutboxStatus::Failed);
        assert!(item.last_error.unwrap().contains("not sent before the end of the team's local day 2026-11-23"));
    }
    assert!(w.alerter.alerts().iter().any(|a| a.subject.contains("2 email(s) failed permanently")));
}

/// A team of three whose emails are scheduled and held: the identity was pending at the tick,
/// and is verified since.
async fn held_emails() -> (World, Team) {
    let w = world("2026-11-23T20:00:00Z");
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 3).await;
    unverified(&w.mailer, "PENDING");
    w.tick().await;
    unverified(&w.mailer, "SUCCESS");
    (w, team)
}

#[tokio::test]
async fn members_who_left_or_unsubscribed_after_scheduling_are_suppressed() {
    let (w, team) = held_emails().await;
    let members = w.store.list_members(&team.id).await.unwrap();
    w.stop(&team.id, &members[0].id, MemberStatus::Unsubscribed, "link").await;
    w.store.remove_member(&team.id, &members[1].id).await.unwrap();
    let r = w.tick().await;
    assert_eq!((r.sent, r.suppressed), (1, 2));
    assert_eq!(w.mailer.sent()[0].1.to, members[2].email);
}

/// Pausing a team stops its emails already queued, not only its next day's.
#[tokio::test]
async fn a_paused_teams_queued_emails_are_not_sent() {
    let (w, team) = held_emails().await;
    let mut t = w.store.get_team(&team.id).await.unwrap().unwrap();
    t.pause();
    w.store.update_team(&t).await.unwrap();
    let r = w.tick().await;
    assert_eq!((r.sent, r.suppressed), (0, 3));
    for item in w.store.list_outbox(&team.id, None).await.unwrap() {
        assert_eq!((item.status, item.last_error.as_deref()), (OutboxStatus::Suppressed, Some("the team is paused")));
    }
}

/// No SendEmail starts that its timeout could carry past the invocation's deadline margin:
/// the claimed emails go back, due at once, for the next invocation.
#[tokio::test]
async fn no_attempt_starts_that_could_outlast_the_invocation() {
    let w = world("2026-11-23T20:00:00Z");
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 3).await;
    let margin = w.sender.config.deadline_margin;
    let deadline = tokio::time::Instant::now() + margin + Duration::from_secs(5);
    let r = w.sender.handle(Command::Tick, deadline).await.unwrap();
    // Nothing this run could not send in time is written (its continuation, or the next
    // tick, writes it claimed): the team stays due, and no item waits to be claimed.
    assert!(r.stopped_for_deadline);
    assert_eq!((r.emails_scheduled, r.sent, r.released), (0, 0, 0));
    assert!(w.mailer.sent().is_empty());
    assert!(w.store.list_outbox(&team.id, None).await.unwrap().is_empty());
    assert_eq!(w.store.get_team(&team.id).await.unwrap().unwrap().next_send_at, team.next_send_at);
    assert_eq!(w.tick().await.sent, 3);
}

#[tokio::test]
async fn send_now_queues_today_for_one_team_once() {
    let w = world("2026-11-23T14:00:00Z"); // 09:00 New York, before the 15:00 send
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 3).await;
    let r = w.run(Command::SendNow { team: team.id.clone() }).await;
    assert_eq!((r.emails_scheduled, r.sent), (3, 3));
    let r = w.run(Command::SendNow { team: team.id.clone() }).await;
    assert_eq!((r.emails_scheduled, r.sent), (0, 0), "never twice the same day");
    w.clock.set(ts("2026-11-23T20:05:00Z"));
    let r = w.tick().await;
    assert_eq!((r.emails_scheduled, r.sent), (0, 0), "the scheduled send finds today done");
    let err =
        w.sender.handle(Command::SendNow { team: TeamId::parse("nope").unwrap() }, tokio::time::Instant::now()).await;
    assert!(err.unwrap_err().to_string().contains("there is no team nope"));
}

#[tokio::test]
async fn commands_parse_strictly() {
    let ok: Command = serde_json::from_str(r#"{"action":"tick"}"#).unwrap();
    assert_eq!(ok, Command::Tick);
    let ok: Command = serde_json::from_str(r#"{"action":"send-now","team":"alpha"}"#).unwrap();
    assert_eq!(ok, Command::SendNow { team: TeamId::parse("alpha").unwrap() });
    for bad in [r#"{}"#, r#"{"action":"explode"}"#, r#"{"action":"send-now","team":"Not Valid"}"#] {
        assert!(serde_json::from_str::<Command>(bad).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn stops_claiming_near_the_deadline_and_leaves_the_rest_due() {
    let w = world("2026-11-23T20:00:00Z");
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 5).await;
    // Less time left than the safety margin: nothing is claimed.
    let r = w.sender.handle(Command::Tick, tokio::time::Instant::now() + Duration::from_secs(5)).await.unwrap();
    assert!(r.stopped_for_deadline);
    assert_eq!((r.emails_scheduled, r.sent), (0, 0));
    assert!(w.store.list_outbox(&team.id, None).await.unwrap().is_empty(), "left for the next run, which sends it");
    assert_eq!(w.tick().await.sent, 5);
}

/// Ticks every five minutes through the DST changes of several zones: exactly one email per
/// member per workday, each on its own local date.
#[tokio::test]
async fn dst_changes_exactly_one_send_per_workday() {
    let cases = [
        // (zone, local time, workdays, window start, window end)
        ("America/New_York", "09:00", "mon-fri", "2026-03-04T00:00:00Z", "2026-03-12T00:00:00Z"),
        ("America/New_York", "01:30", "mon-sun", "2026-10-29T00:00:00Z", "2026-11-04T00:00:00Z"),
        ("Europe/London", "01:30", "mon-sun", "2026-03-26T00:00:00Z", "2026-04-01T00:00:00Z"),
        ("Europe/London", "09:00", "mon-fri", "2026-10-22T00:00:00Z", "2026-10-28T00:00:00Z"),
        ("Asia/Kathmandu", "09:00", "sun-thu", "2026-03-26T00:00:00Z", "2026-04-01T00:00:00Z"),
        ("Australia/Lord_Howe", "02:15", "mon-sun", "2026-10-01T00:00:00Z", "2026-10-07T00:00:00Z"),
        ("Australia/Lord_Howe", "01:45", "mon-sun", "2026-04-02T00:00:00Z", "2026-04-08T00:00:00Z"),
    ];
    for (zone, time, days, from, to) in cases {
        let w = world(from);
        let team = w.team("dst", zone, time, days, 2).await;
        while w.clock.now() < ts(to) {
            w.tick().await;
            w.advance(5);
        }
        let sends = w.sends();
        assert!(sends.values().all(|n| *n == 1), "{zone} {time}: a member got a day's email twice: {sends:?}");
        let mut dates: Vec<String> = sends.keys().map(|(_, d)| d.clone()).collect();
        dates.sort();
        dates.dedup();
        // Every workday whose send instant lies inside the window was sent, and no other day.
        let mut expected = Vec::new();
        let mut d = team.schedule.local_date(ts(from));
        while d <= team.schedule.local_date(ts(to)) {
            if let Some(at) = team.schedule.instant_on(d) {
                if at > ts(from) && at < ts(to) - SignedDuration::from_mins(5) {
                    expected.push(d.to_string());
                }
            }
            d = d.next_day();
        }
        assert_eq!(dates, expected, "{zone} {time} {days}");
        for (_, e) in w.mailer.sent() {
            let date = SendDate::parse(&e.tags.iter().find(|(k, _)| k == "morale-date").unwrap().1).unwrap();
            assert!(team.schedule.workdays.contains(date.date().weekday()));
        }
        assert!(w.alerts_but_unconfirmed().is_empty(), "{zone}: {:?}", w.alerts_but_unconfirmed());
    }
}

/// The admins' report of a day's delivery problems goes through the outbox like every email:
/// two overlapping ticks queue it once, each admin gets exactly one, and a send that fails for
/// one admin is retried for that admin alone.
#[tokio::test]
async fn the_problem_report_goes_out_once_per_admin_through_the_outbox() {
    let w = world(MONDAY_1400_NY);
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 0).await;
    let mut t = w.store.get_team(&team.id).await.unwrap().unwrap();
    t.admins.push(EmailAddress::parse("second@example.com").unwrap());
    w.store.update_team(&t).await.unwrap();
    let date = SendDate::parse("2026-11-23").unwrap();
    let now = w.clock.now();
    w.store.note_problem(&team.id, date, "ana@example.com — bounced", now).await.unwrap();

    // The lead's sends are throttled through all of the first tick's inline retries.
    let times = std::sync::atomic::AtomicUsize::new(5);
    w.mailer.refuse_when(move |e, _| {
        use std::sync::atomic::Ordering::SeqCst;
        let lead = e.to.as_str() == "lead@example.com";
        (lead && times.fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1)).is_ok()).then(throttled)
    });
    let sender = || clone(&w);
    let (a, b) = (sender(), sender());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(900);
    let (ra, rb) = tokio::join!(a.handle(Command::Tick, deadline), b.handle(Command::Tick, deadline));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.problem_reports_queued + rb.problem_reports_queued, 1, "{ra:?} {rb:?}");
    let to = |who: &str| -> Vec<morale::mail::OutgoingEmail> {
        w.mailer.sent().into_iter().map(|(_, e)| e).filter(|e| e.to.as_str() == who).collect()
    };
    assert_eq!(to("second@example.com").len(), 1);
    assert!(to("lead@example.com").is_empty(), "throttled: kept for a later tick");
    let items = w.store.list_outbox(&team.id, Some(date)).await.unwrap();
    assert_eq!(items.len(), 2, "one item per admin");
    let lead = items.iter().find(|i| i.email.as_str() == "lead@example.com").unwrap();
    assert_eq!(lead.status, OutboxStatus::Pending);
    assert!(lead.last_error.as_deref().unwrap().contains("Maximum sending rate"), "{lead:?}");

    w.advance(5);
    let r = w.tick().await;
    assert_eq!(r.problem_reports_queued, 0, "queued once a day");
    let (lead, second) = (to("lead@example.com"), to("second@example.com"));
    assert_eq!((lead.len(), second.len()), (1, 1), "the retry goes to the lead alone");
    assert!(lead[0].text.contains("ana@example.com"), "{}", lead[0].text);
    assert!(lead[0].tags.contains(&("morale-kind".into(), "problem-report".into())), "{:?}", lead[0].tags);
    let items = w.store.list_outbox(&team.id, Some(date)).await.unwrap();
    assert!(items.iter().all(|i| i.status == OutboxStatus::Sent), "{items:?}");
}

#[tokio::test]
async fn a_teams_problem_report_goes_to_on_call_when_it_has_no_admins() {
    let w = world(MONDAY_1400_NY);
    let team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 0).await;
    let mut t = w.store.get_team(&team.id).await.unwrap().unwrap();
    t.admins.clear();
    w.store.update_team(&t).await.unwrap();
    let date = SendDate::parse("2026-11-23").unwrap();
    w.store.note_problem(&team.id, date, "ana@example.com — bounced", w.clock.now()).await.unwrap();
    let r = w.tick().await;
    assert_eq!(r.problem_reports_queued, 1);
    assert!(w.mailer.sent().is_empty(), "no one in the team to email");
    let alerts = w.alerter.alerts();
    let alert = alerts.iter().find(|a| a.subject.contains("which has no admins")).expect("on-call is told");
    assert!(alert.subject.contains("team alpha for 2026-11-23"), "{}", alert.subject);
    assert!(alert.message.contains("bounced") && !alert.message.contains("ana@example.com"), "{}", alert.message);
    w.advance(5);
    w.tick().await;
    assert_eq!(w.alerter.alerts().len(), alerts.len(), "told once");
}

#[tokio::test]
async fn a_sent_email_with_no_ses_event_becomes_unconfirmed_and_is_told_once() {
    let w = world(MONDAY_1400_NY);
    let team = w.team("alpha", "America/New_York", "14:00", "mon-fri", 2).await;
    assert_eq!(w.tick().await.sent, 2);
    w.advance(175);
    assert_eq!(w.tick().await.unconfirmed, 0, "within the window");
    w.advance(5);
    let r = w.tick().await;
    assert_eq!(r.unconfirmed, 2);
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].subject.contains("2 sent email(s) unconfirmed"), "{}", alerts[0].subject);
    for item in w.store.list_outbox(&team.id, None).await.unwrap() {
        assert_eq!(item.status, OutboxStatus::Unconfirmed);
        assert!(alerts[0].message.contains(&item.key.to_string()), "{}", alerts[0].message);
        assert!(item.last_error.unwrap().contains("no delivery or bounce reported by SES within 3 hours"));
    }
    w.advance(5);
    assert_eq!(w.tick().await.unconfirmed, 0);
    assert_eq!(w.alerter.alerts().len(), 1, "told once");
    let alerts = w.alerter.alerts();
    assert!(alerts[0].message.contains("the account has no Virtual Deliverability Manager to ask"), "said so");
}

/// Where the account has SES's Virtual Deliverability Manager, SES is asked before giving up:
/// a delivery it knows of settles the email (its event was lost); what it does not know of
/// becomes unconfirmed, saying what SES said.
#[tokio::test]
async fn before_giving_up_on_a_sent_email_ses_vdm_is_asked() {
    let w = world(MONDAY_1400_NY);
    w.mailer.account.lock().unwrap().vdm_enabled = true;
    let team = w.team("alpha", "America/New_York", "14:00", "mon-fri", 3).await;
    assert_eq!(w.tick().await.sent, 3);
    let sent = w.mailer.sent();
    let to = |n: usize| sent[n].1.to.to_string();
    {
        let mut vdm = w.mailer.insights.lock().unwrap();
        vdm.insert(sent[0].0.clone(), morale::mail::Insight::Delivered);
        vdm.insert(sent[1].0.clone(), morale::mail::Insight::Bounced("General 550 no such user".into()));
    }
    w.advance(180);
    let r = w.tick().await;
    assert_eq!(r.unconfirmed, 2, "the delivered one is settled, not unconfirmed");
    let status = |email: String| {
        let store = w.store.clone();
        let team = team.id.clone();
        async move {
            let items = store.list_outbox(&team, None).await.unwrap();
            let item = items.into_iter().find(|i| i.email.to_string() == email).unwrap();
            (item.status, item.last_error.unwrap_or_default())
        }
    };
    assert_eq!(status(to(0)).await.0, OutboxStatus::Delivered);
    let (st, why) = status(to(1)).await;
    assert_eq!(st, OutboxStatus::Unconfirmed);
    assert!(why.contains("SES's VDM reports a bounce its event never brought: General 550 no such user"), "{why}");
    let (st, why) = status(to(2)).await;
    assert_eq!(st, OutboxStatus::Unconfirmed);
    assert!(why.contains("SES's VDM knows of no delivery either"), "{why}");
    let alerts = w.alerter.alerts();
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].subject.contains("2 sent email(s) unconfirmed"), "{}", alerts[0].subject);
}

/// A clock that follows tokio's paused time, so that the pacer's waits move it.
struct PausedClock {
    base: Timestamp,
    at: tokio::time::Instant,
}

impl Clock for PausedClock {
    fn now(&self) -> Timestamp {
        self.base + SignedDuration::try_from(tokio::time::Instant::now() - self.at).unwrap()
    }
}

#[tokio::test(start_paused = true)]
async fn a_send_the_pacer_holds_past_local_midnight_fails_instead_of_going_a_day_late() {
    // 23:59:57 on a Monday in New York; the team sends at 23:59, SES takes one email a second.
    let start = "2026-11-24T04:59:57Z";
    let mut w = world(start);
    w.sender.clock = Arc::new(PausedClock { base: ts(start), at: tokio::time::Instant::now() });
    w.mailer.account.lock().unwrap().max_send_rate = 1.0;
    let team = w.team("alpha", "America/New_York", "23:59", "mon-fri", 6).await;
    let r = w.tick().await;
    let sent = w.mailer.sent().len();
    assert!((1..=3).contains(&sent), "three seconds at one a second: {sent} sent");
    assert_eq!((r.sent as usize, r.failed as usize), (sent, 6 - sent));
    for item in w.store.list_outbox(&team.id, None).await.unwrap() {
        if item.status != OutboxStatus::Sent {
            assert_eq!(item.status, OutboxStatus::Failed);
            let why = item.last_error.unwrap();
            assert!(why.contains("not sent before the end of the team's local day 2026-11-23"), "{why}");
        }
    }
}

/// The daily email the sender writes tells the team's own privacy bar, not the default.
#[tokio::test]
async fn the_daily_email_tells_the_teams_own_privacy_bar() {
    let w = world("2026-11-23T20:00:00Z");
    let mut team = w.team("alpha", "America/New_York", "15:00", "mon-fri", 1).await;
    team.privacy = morale::domain::Privacy::new(5, 5).unwrap();
    w.store.update_team(&team).await.unwrap();
    assert_eq!(w.tick().await.sent, 1);
    let html = w.mailer.sent()[0].1.html.clone();
    assert!(html.contains("at least 5 answers") && !html.contains("at least 3 answers"), "{html}");
}

/// The catch-up grace is the daily email's: the admins' digest set for the afternoon goes then,
/// hours after the morning's send and its grace.
#[tokio::test]
async fn an_afternoon_digest_goes_out_whatever_the_daily_emails_catch_up_grace() {
    let mut w = world("2026-11-23T14:00:00Z"); // Monday 09:00 in New York
    w.sender.config.catch_up_grace = Some(SignedDuration::from_hours(1));
    let mut team = w.team("alpha", "America/New_York", "09:00", "mon-fri", 1).await;
    team.digest = Some(morale::domain::WeeklyDigest::parse("mon 17:00", team.schedule.workdays).unwrap());
    w.store.update_team(&team).await.unwrap();
    assert_eq!(w.tick().await.sent, 1, "the daily email");
    w.clock.set(ts("2026-11-23T22:05:00Z")); // 17:05 in New York
    let r = w.tick().await;
    assert_eq!((r.sent, r.failed), (1, 0), "{r:?}");
    let to_lead: Vec<_> = w.mailer.sent().into_iter().filter(|(_, e)| e.to.as_str() == "lead@example.com").collect();
    assert_eq!(to_lead.len(), 1, "the weekly digest");
}

/// A day recorded missed whose emails an operator sent after all: its figures count those
/// asked (the ledger's queued emails), so that its participation is never over 100%.
#[tokio::test]
async fn a_missed_day_sent_after_all_counts_those_it_asked() {
    use morale::domain::{DayPlan, Ledger, Response, Score, VoterKey};
    let w = world("2026-11-25T12:00:00Z");
    let team = w.team("alpha", "UTC", "09:00", "mon-fri", 3).await;
    let monday = SendDate::parse("2026-11-23").unwrap();
    let plan = DayPlan { members: 3, missed: true, ..DayPlan::default() };
    let closes = ts("2026-11-24T04:00:00Z");
    assert!(w.store.open_day(&team.id, monday, &plan, closes).await.unwrap());
    let sent_after_all = Ledger { scheduled: 2, delivered: 2, missed: 1, ..Ledger::default() };
    assert!(w.store.close_day(&team.id, monday, &sent_after_all, closes).await.unwrap());
    for v in ["a", "b"] {
        let at = ts("2026-11-23T15:00:00Z");
        let vote = Response::new(team.id.clone(), monday, VoterKey(v.into()), Score::new(2).unwrap(), None, at);
        w.store.put_response(&vote).await.unwrap();
    }
    w.tick().await;
    let day = w.store.get_day(&team.id, monday).await.unwrap().unwrap();
    let tally = day.tally.expect("its answers closed");
    assert_eq!((tally.asked, tally.voters), (2, 2), "two asked, two answered");
}

/// A day closed more than a week late (its record was unreadable, the sender failing): the
/// table's TTL may have removed some of its votes, so its figures may be short. On-call is told.
#[tokio::test]
async fn figures_fixed_past_the_weeks_keeping_of_votes_are_told() {
    use morale::domain::{DayPlan, Ledger, Response, Score, VoterKey};
    let w = world("2026-12-01T12:00:00Z");
    let team = w.team("alpha", "UTC", "09:00", "mon-fri", 3).await;
    let (late, on_time) = (SendDate::parse("2026-11-23").unwrap(), SendDate::parse("2026-11-27").unwrap());
    for date in [late, on_time] {
        let plan = DayPlan { members: 3, ..DayPlan::default() };
        let closes = team.schedule.answers_close(date);
        assert!(w.store.open_day(&team.id, date, &plan, closes).await.unwrap());
        let ledger = Ledger { scheduled: 3, delivered: 3, ..Ledger::default() };
        assert!(w.store.close_day(&team.id, date, &ledger, closes).await.unwrap());
        let at = ts("2026-11-23T15:00:00Z");
        let vote = Response::new(team.id.clone(), date, VoterKey("a".into()), Score::new(4).unwrap(), None, at);
        w.store.put_response(&vote).await.unwrap();
    }
    w.tick().await;
    for date in [late, on_time] {
        assert!(w.store.get_day(&team.id, date).await.unwrap().unwrap().tally.is_some(), "{date}: fixed");
    }
    let told: Vec<_> = w.alerter.alerts().into_iter().filter(|a| a.subject.contains("fixed late")).collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].subject.contains("2026-11-23"), "{told:?}");
}
