//! Store contract: the same cases against the in-memory fake and against DynamoDB on the local
//! stack, so that the fake cannot drift from the real thing.

use jiff::{SignedDuration, Timestamp};
use morale::domain::StatusChange;
use morale::domain::outbox::{Change, Unsent};
use morale::domain::{EmailAddress, MemberId, Schedule, Score, SendDate, TeamId};
use morale::domain::{Member, MemberStatus, OutboxItem, OutboxKey, OutboxStatus, Response, Team, VoterKey};
use morale::store::StoreError;
use morale::store::prelude::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

fn team(id: &str, now: Timestamp) -> Team {
    morale::fixtures::team(id, "America/New_York", "15:00", "mon-fri", now)
}

fn member(team: &str, email: &str, now: Timestamp) -> Member {
    let of_team = Team::new(TeamId::parse(team).unwrap(), "A team".into(), schedule(), vec![], now);
    Member::new(&of_team, EmailAddress::parse(email).unwrap(), Some("A Member".into()), now)
}

fn schedule() -> morale::domain::Schedule {
    morale::domain::Schedule::parse("UTC", "09:00", "mon-fri").unwrap()
}

fn outbox(team: &str, date: &str, email: &str, due: Timestamp) -> OutboxItem {
    let email = EmailAddress::parse(email).unwrap();
    let key = OutboxKey {
        team: TeamId::parse(team).unwrap(),
        date: SendDate::parse(date).unwrap(),
        member: MemberId::for_email(&email),
    };
    OutboxItem::new(key, email, due, due + SignedDuration::from_hours(9), due)
}

/// Ana's email of Monday 23 November, queued and due at 20:00 UTC.
async fn queued(store: &dyn Store) -> (OutboxItem, Timestamp) {
    let due = ts("2026-11-23T20:00:00Z");
    let item = outbox("alpha", "2026-11-23", "ana@example.com", due);
    assert!(store.enqueue(&item).await.unwrap());
    (item, due)
}

const NOW: &str = "2026-11-23T19:00:00Z"; // Monday 14:00 in New York

pub async fn team_create_get_and_duplicate(store: &dyn Store) {
    let now = ts(NOW);
    let t = team("alpha", now);
    store.create_team(&t).await.unwrap();
    assert_eq!(store.get_team(&t.id).await.unwrap(), Some(t.clone()));
    assert_eq!(t.next_send_at, Some(ts("2026-11-23T20:00:00Z")));
    let mut other = team("alpha", now);
    other.name = "Another".into();
    assert!(matches!(store.create_team(&other).await, Err(StoreError::AlreadyExists(_))));
    // The first one is untouched.
    assert_eq!(store.get_team(&t.id).await.unwrap().unwrap().name, "Team alpha");
    assert_eq!(store.get_team(&TeamId::parse("nope").unwrap()).await.unwrap(), None);
    store.create_team(&team("beta", now)).await.unwrap();
    let ids: Vec<String> = store.list_teams().await.unwrap().into_iter().map(|t| t.id.to_string()).collect();
    assert_eq!(ids, vec!["alpha", "beta"]);
}

pub async fn team_updates_are_optimistic(store: &dyn Store) {
    let now = ts(NOW);
    let t = team("alpha", now);
    store.create_team(&t).await.unwrap();
    let mut a = store.get_team(&t.id).await.unwrap().unwrap();
    let mut b = a.clone();
    a.name = "First writer".into();
    // Quiet days are the schedule's, and kept with it.
    let days = morale::domain::QuietDays::parse_spec("2026-12-24..2026-12-26").unwrap();
    a.schedule = a.schedule.clone().with_quiet(morale::domain::QuietDays::new(days).unwrap());
    let a2 = store.update_team(&a).await.unwrap();
    assert_eq!(store.get_team(&t.id).await.unwrap().unwrap().schedule.quiet.len(), 3);
    assert_eq!(a2.version, t.version + 1);
    b.name = "Second writer, stale".into();
    assert!(matches!(store.update_team(&b).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.get_team(&t.id).await.unwrap().unwrap(), a2);
    let ghost = team("ghost", now);
    assert!(matches!(store.update_team(&ghost).await, Err(StoreError::NotFound(_))));
    store.delete_team(&t.id).await.unwrap();
    assert!(matches!(store.delete_team(&t.id).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.get_team(&t.id).await.unwrap(), None);
}

pub async fn due_teams_and_conditional_advance(store: &dyn Store) {
    let now = ts(NOW);
    let a = team("alpha", now);
    store.create_team(&a).await.unwrap();
    let mut paused = team("paused", now);
    paused.next_send_at = None;
    store.create_team(&paused).await.unwrap();
    let due_at = a.next_send_at.unwrap();
    assert!(store.due_teams(due_at - SignedDuration::from_nanos(1)).await.unwrap().items.is_empty());
    let due = store.due_teams(due_at).await.unwrap().items;
    assert_eq!(due.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), vec!["alpha"]);
    let next = a.schedule.next_send_after(due_at);
    assert!(store.advance_team(&a.id, due_at, next).await.unwrap());
    // A second sender that read the old value loses.
    assert!(!store.advance_team(&a.id, due_at, next).await.unwrap());
    assert!(store.due_teams(due_at + mins(1)).await.unwrap().items.is_empty());
    assert_eq!(store.get_team(&a.id).await.unwrap().unwrap().next_send_at, Some(next));
    assert_eq!(store.due_teams(next).await.unwrap().items.len(), 1);
    assert!(!store.advance_team(&paused.id, due_at, next).await.unwrap());
}

/// A member's own pause and language: kept, only an active member pauses, a change of status
/// ends the pause, and a member not there is named.
pub async fn a_members_own_pause_and_language(store: &dyn Store) {
    use morale::domain::{Away, Locale};
    let now = ts(NOW);
    let away = |back: Option<SendDate>, at| Away { back, at };
    let m = member("alpha", "ana@example.com", now);
    store.add_member(&m).await.unwrap();
    let back = SendDate::parse("2026-12-01").unwrap();
    let paused =
        store.set_away(&m.team, &m.id, away(Some(back), now + mins(1))).await.unwrap().expect("active: paused");
    assert_eq!((paused.away_until, paused.updated_at), (Some(back), now + mins(1)));
    store.set_locale(&m.team, &m.id, Some(Locale::PtBr), now).await.unwrap();
    let read = store.get_member(&m.team, &m.id).await.unwrap().unwrap();
    assert_eq!((read.away_until, read.locale), (Some(back), Some(Locale::PtBr)));
    assert_eq!(store.set_away(&m.team, &m.id, away(None, now)).await.unwrap().unwrap().away_until, None, "back now");
    store.set_away(&m.team, &m.id, away(Some(back), now)).await.unwrap();
    let unsubscribe =
        StatusChange { from: &[MemberStatus::Active], to: MemberStatus::Unsubscribed, reason: "link", at: now };
    let out = store.set_status(&m.team, &m.id, unsubscribe).await.unwrap().unwrap();
    assert_eq!(out.away_until, None, "a change of status ends the member's own pause");
    assert_eq!(store.set_away(&m.team, &m.id, away(Some(back), now)).await.unwrap(), None, "not active: nothing");
    assert_eq!(store.get_member(&m.team, &m.id).await.unwrap().unwrap().away_until, None);
    store.set_locale(&m.team, &m.id, None, now).await.unwrap();
    assert_eq!(store.get_member(&m.team, &m.id).await.unwrap().unwrap().locale, None, "the team's again");
    let nobody = MemberId::parse("mnobody").unwrap();
    assert!(matches!(store.set_away(&m.team, &nobody, away(Some(back), now)).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.set_locale(&m.team, &nobody, None, now).await, Err(StoreError::NotFound(_))));
    assert!(store.get_member(&m.team, &nobody).await.unwrap().is_none(), "no member made by either");
}

pub async fn members_are_unique_and_status_changes_are_conditional(store: &dyn Store) {
    let now = ts(NOW);
    let m = member("alpha", "ana@example.com", now);
    store.add_member(&m).await.unwrap();
    // The same address again, in another case: the same member.
    let again = member("alpha", "ana@EXAMPLE.com", now);
    assert!(matches!(store.add_member(&again).await, Err(StoreError::AlreadyExists(_))));
    // The same address in another team is another member.
    store.add_member(&member("beta", "ana@example.com", now)).await.unwrap();
    store.add_member(&member("alpha", "bob@example.com", now)).await.unwrap();
    assert_eq!(store.list_members(&m.team).await.unwrap().len(), 2);
    assert_eq!(store.get_member(&m.team, &m.id).await.unwrap(), Some(m.clone()));

    let later = now + mins(5);
    let bounced = store
        .set_status(
            &m.team,
            &m.id,
            StatusChange {
                from: &[MemberStatus::Active, MemberStatus::Paused],
                to: MemberStatus::Bounced,
                reason: "5.1.1",
                at: later,
            },
        )
        .await
        .unwrap()
        .expect("active → bounced");
    assert_eq!(bounced.status, MemberStatus::Bounced);
    assert_eq!(bounced.status_reason.as_deref(), Some("5.1.1"));
    assert_eq!(bounced.updated_at, later);
    // Not from bounced: nothing changes.
    let none = store
        .set_status(
            &m.team,
            &m.id,
            StatusChange { from: &[MemberStatus::Active], to: MemberStatus::Paused, reason: "admin", at: later },
        )
        .await
        .unwrap();
    assert_eq!(none, None);
    assert_eq!(store.get_member(&m.team, &m.id).await.unwrap().unwrap().status, MemberStatus::Bounced);
    assert_eq!(
        store
            .set_status(&m.team, &m.id, StatusChange { from: &[], to: MemberStatus::Paused, reason: "x", at: later })
            .await
            .unwrap(),
        None
    );
    let ghost = MemberId::parse("mnobody").unwrap();
    assert!(matches!(
        store
            .set_status(
                &m.team,
                &ghost,
                StatusChange { from: &[MemberStatus::Active], to: MemberStatus::Paused, reason: "x", at: later }
            )
            .await,
        Err(StoreError::NotFound(_))
    ));

    assert_eq!(store.add_soft_bounce(&m.team, &m.id, later).await.unwrap(), 1);
    assert_eq!(store.add_soft_bounce(&m.team, &m.id, later).await.unwrap(), 2);
    store.reset_soft_bounces(&m.team, &m.id, later).await.unwrap();
    assert_eq!(store.get_member(&m.team, &m.id).await.unwrap().unwrap().soft_bounces, 0);
    assert!(matches!(store.add_soft_bounce(&m.team, &ghost, later).await, Err(StoreError::NotFound(_))));

    store.remove_member(&m.team, &m.id).await.unwrap();
    assert!(matches!(store.remove_member(&m.team, &m.id).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.list_members(&m.team).await.unwrap().len(), 1);
}

pub async fn one_outbox_item_per_member_and_date(store: &dyn Store) {
    let due = ts("2026-11-23T20:00:00Z");
    let item = outbox("alpha", "2026-11-23", "ana@example.com", due);
    assert!(store.enqueue(&item).await.unwrap());
    let mut dup = item.clone();
    dup.email = EmailAddress::parse("other@example.com").unwrap();
    assert!(!store.enqueue(&dup).await.unwrap());
    assert_eq!(store.get_outbox(&item.key).await.unwrap(), Some(item.clone()));
    store
        .enqueue(&outbox("alpha", "2026-11-24", "ana@example.com", due + SignedDuration::from_hours(24)))
        .await
        .unwrap();
    store.enqueue(&outbox("beta", "2026-11-23", "ana@example.com", due)).await.unwrap();
    assert_eq!(store.list_outbox(&item.key.team, None).await.unwrap().len(), 2);
    assert_eq!(store.list_outbox(&item.key.team, Some(item.key.date)).await.unwrap(), vec![item]);
}

pub async fn due_outbox_oldest_first_with_limit(store: &dyn Store) {
    let t0 = ts("2026-11-23T20:00:00Z");
    for (i, who) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
        let due = t0 + mins(i as i64);
        store.enqueue(&outbox("alpha", "2026-11-23", &format!("{who}@example.com"), due)).await.unwrap();
    }
    assert!(store.due_outbox(t0 - mins(1), 100).await.unwrap().items.is_empty());
    let member = |who: &str| MemberId::for_email(&EmailAddress::parse(&format!("{who}@example.com")).unwrap());
    let due = store.due_outbox(t0 + mins(3), 100).await.unwrap().items;
    let members: Vec<MemberId> = due.iter().map(|i| i.key.member.clone()).collect();
    assert_eq!(members, vec![member("a"), member("b"), member("c"), member("d")]);
    assert_eq!(due.iter().map(|i| i.due_at).collect::<Vec<_>>(), (0..4).map(|i| t0 + mins(i)).collect::<Vec<_>>());
    let two = store.due_outbox(t0 + mins(10), 2).await.unwrap().items;
    assert_eq!(two.iter().map(|i| i.key.member.clone()).collect::<Vec<_>>(), vec![member("a"), member("b")]);
}

pub async fn claims_are_exclusive_and_leases_lapse(store: &dyn Store) {
    let (item, due) = queued(store).await;
    let k = &item.key;
    // Not due yet.
    assert_eq!(store.claim(k, "s1", due - mins(1), due + mins(1)).await.unwrap(), None);
    let claimed = store.claim(k, "s1", due, due + mins(2)).await.unwrap().expect("s1 claims");
    assert_eq!(claimed.status, OutboxStatus::Sending);
    assert_eq!(claimed.lease_owner.as_deref(), Some("s1"));
    assert_eq!(claimed.due_at, Some(due + mins(2)));
    // A second sender cannot take it while the lease holds…
    assert_eq!(store.claim(k, "s2", due + mins(1), due + mins(3)).await.unwrap(), None);
    assert!(store.due_outbox(due + mins(1), 10).await.unwrap().items.is_empty());
    // …but can after it lapses (the first sender crashed).
    assert_eq!(store.due_outbox(due + mins(2), 10).await.unwrap().items.len(), 1);
    let taken = store.claim(k, "s2", due + mins(2), due + mins(4)).await.unwrap().expect("s2 takes over");
    assert_eq!(taken.lease_owner.as_deref(), Some("s2"));
    // The first sender, back from the dead, can no longer record anything.
    assert!(!store.mark_sent(k, "s1", "msg-1", due + mins(2)).await.unwrap());
    assert!(!store.release(k, "s1", due, None, due + mins(2)).await.unwrap());
    assert!(store.mark_sent(k, "s2", "msg-2", due + mins(3)).await.unwrap());
    let sent = store.get_outbox(k).await.unwrap().unwrap();
    assert_eq!(sent.status, OutboxStatus::Sent);
    assert_eq!(sent.attempts, 1);
    assert_eq!(sent.message_id.as_deref(), Some("msg-2"));
    assert_eq!(sent.lease_owner, None);
    // Due for reconciliation only, should SES's events not come.
    assert_eq!(sent.due_at, Some(due + mins(3) + morale::domain::outbox::CONFIRM_WINDOW));
    // Sent items are not due for the sender and cannot be claimed, even past that time.
    let past = due + SignedDuration::from_hours(4);
    assert!(store.due_outbox(past, 10).await.unwrap().items.is_empty());
    assert_eq!(store.claim(k, "s3", past, past + mins(2)).await.unwrap(), None);
}

/// An item the sender creates already claimed (the lifecycle's own claim of the new item,
/// written in one conditional put): held until its lease lapses, like any claimed item, and
/// created once.
pub async fn items_created_claimed_are_held_until_their_lease_lapses(store: &dyn Store) {
    let due = ts("2026-11-23T20:00:00Z");
    let item = outbox("alpha", "2026-11-23", "ana@example.com", due);
    let k = &item.key;
    let claimed =
        Change::Claim { owner: "s1", lease_until: due + mins(2) }.apply(&item, due).expect("a new item is claimable");
    assert!(store.enqueue(&claimed).await.unwrap());
    assert!(!store.enqueue(&item).await.unwrap(), "created once, claimed or not");
    assert!(store.due_outbox(due + mins(1), 10).await.unwrap().items.is_empty());
    assert_eq!(store.claim(k, "s2", due + mins(1), due + mins(3)).await.unwrap(), None);
    // Its holder records the send; the due index then waits for SES's events only.
    assert!(store.mark_sent(k, "s1", "msg-1", due + mins(1)).await.unwrap());
    let sent = store.get_outbox(k).await.unwrap().unwrap();
    assert_eq!((sent.status, sent.attempts, sent.lease_owner), (OutboxStatus::Sent, 1, None));
    // Another, never sent (its holder stopped): due again when the lease lapses.
    let other = outbox("alpha", "2026-11-23", "bo@example.com", due);
    let claimed = Change::Claim { owner: "s1", lease_until: due + mins(2) }.apply(&other, due).unwrap();
    assert!(store.enqueue(&claimed).await.unwrap());
    assert_eq!(store.due_outbox(due + mins(2), 10).await.unwrap().items.len(), 1);
    let taken = store.claim(&other.key, "s2", due + mins(2), due + mins(4)).await.unwrap().expect("s2 takes over");
    assert_eq!(taken.lease_owner.as_deref(), Some("s2"));
    assert!(store.release(&other.key, "s2", due + mins(2), None, due + mins(2)).await.unwrap());
    assert_eq!(store.get_outbox(&other.key).await.unwrap().unwrap().status, OutboxStatus::Pending);
}

pub async fn release_gives_the_item_back_unchanged(store: &dyn Store) {
    let (item, due) = queued(store).await;
    let k = &item.key;
    store.claim(k, "s1", due, due + mins(2)).await.unwrap().unwrap();
    assert!(store.release(k, "s1", due + mins(5), Some("throttled"), due).await.unwrap());
    let back = store.get_outbox(k).await.unwrap().unwrap();
    assert_eq!(back.status, OutboxStatus::Pending);
    assert_eq!(back.attempts, 0);
    assert_eq!(back.lease_owner, None);
    assert_eq!(back.due_at, Some(due + mins(5)));
    assert_eq!(back.last_error.as_deref(), Some("throttled"));
    assert!(!store.release(k, "s1", due, None, due).await.unwrap(), "only once");
    assert_eq!(store.claim(k, "s1", due + mins(4), due + mins(6)).await.unwrap(), None);
    // A deferred item goes back to deferred, with its attempts.
    store.claim(k, "s1", due + mins(5), due + mins(7)).await.unwrap().unwrap();
    store.mark_sent(k, "s1", "m1", due + mins(5)).await.unwrap();
    let retry_at = due + mins(30);
    let deferred = Change::Defer { message_id: "m1", retry_at, reason: "mailbox full" };
    assert!(store.change(k, &deferred, due + mins(6)).await.unwrap().is_some());
    store.claim(k, "s2", retry_at, retry_at + mins(2)).await.unwrap().unwrap();
    assert!(store.release(k, "s2", retry_at + mins(10), None, retry_at).await.unwrap());
    let back = store.get_outbox(k).await.unwrap().unwrap();
    assert_eq!(back.status, OutboxStatus::Deferred);
    assert_eq!(back.attempts, 1);
    assert_eq!(back.last_error.as_deref(), Some("mailbox full"));
}

pub async fn the_sender_can_fail_or_suppress_what_it_holds(store: &dyn Store) {
    let due = ts("2026-11-23T20:00:00Z");
    let a = outbox("alpha", "2026-11-23", "ana@example.com", due);
    let b = outbox("alpha", "2026-11-23", "bob@example.com", due);
    store.enqueue(&a).await.unwrap();
    store.enqueue(&b).await.unwrap();
    // Not held: refused.
    assert!(!store.finish_unsent(&a.key, "s1", Unsent::Failed, "bad request", due).await.unwrap());
    store.claim(&a.key, "s1", due, due + mins(2)).await.unwrap().unwrap();
    store.claim(&b.key, "s1", due, due + mins(2)).await.unwrap().unwrap();
    assert!(!store.finish_unsent(&a.key, "s2", Unsent::Failed, "bad request", due).await.unwrap());
    assert!(store.finish_unsent(&a.key, "s1", Unsent::Failed, "bad request", due).await.unwrap());
    assert!(store.finish_unsent(&b.key, "s1", Unsent::Suppressed, "member unsubscribed", due).await.unwrap());
    let a2 = store.get_outbox(&a.key).await.unwrap().unwrap();
    assert_eq!((a2.status, a2.last_error.as_deref(), a2.due_at), (OutboxStatus::Failed, Some("bad request"), None));
    assert_eq!(store.get_outbox(&b.key).await.unwrap().unwrap().status, OutboxStatus::Suppressed);
    assert!(store.due_outbox(due + SignedDuration::from_hours(1), 10).await.unwrap().items.is_empty());
}

pub async fn mail_events_only_move_forward(store: &dyn Store) {
    let (item, due) = queued(store).await;
    let k = &item.key;
    // Nothing to deliver before it was sent.
    assert!(store.change(k, &Change::Delivered, due).await.unwrap().is_none());
    store.claim(k, "s1", due, due + mins(2)).await.unwrap().unwrap();
    store.mark_sent(k, "s1", "m1", due).await.unwrap();
    let delay = Change::Defer { message_id: "m1", retry_at: due + mins(30), reason: "delayed" };
    // A deferral for another message (an older attempt) does not apply.
    let other = Change::Defer { message_id: "m0", retry_at: due + mins(30), reason: "old" };
    assert!(store.change(k, &other, due).await.unwrap().is_none());
    assert!(store.change(k, &Change::Delivered, due + mins(1)).await.unwrap().is_some());
    // Repeated delivery: no change. Late delay: never overwrites delivered.
    assert!(store.change(k, &Change::Delivered, due + mins(2)).await.unwrap().is_none());
    assert!(store.change(k, &delay, due + mins(2)).await.unwrap().is_none());
    let got = store.get_outbox(k).await.unwrap().unwrap();
    assert_eq!(got.status, OutboxStatus::Delivered);
    assert_eq!(got.due_at, None);
    // A bounce after a delivery is recorded as a bounce.
    let bounce = Change::Fail { reason: "permanent bounce", message_id: "m1", attempt: 1 };
    assert!(store.change(k, &bounce, due + mins(3)).await.unwrap().is_some());
    assert!(store.change(k, &bounce, due + mins(4)).await.unwrap().is_none());
    assert!(store.change(k, &Change::Delivered, due + mins(4)).await.unwrap().is_none());
    let got = store.get_outbox(k).await.unwrap().unwrap();
    assert_eq!((got.status, got.last_error.as_deref()), (OutboxStatus::Failed, Some("permanent bounce")));
    assert_eq!(got.updated_at, due + mins(3));
    // Operator replay: failed → pending, due now; only from failed.
    let later = due + SignedDuration::from_hours(20);
    assert!(store.change(k, &Change::Requeue { deadline: later }, due + mins(10)).await.unwrap().is_some());
    assert!(store.change(k, &Change::Requeue { deadline: later }, due + mins(10)).await.unwrap().is_none());
    let got = store.get_outbox(k).await.unwrap().unwrap();
    assert_eq!((got.status, got.due_at, got.deadline), (OutboxStatus::Pending, Some(due + mins(10)), later));
    assert_eq!(store.due_outbox(due + mins(10), 10).await.unwrap().items.len(), 1);
    // The replay's own attempt: the failed one's events are old news, in either store.
    assert_eq!((got.attempts, got.message_id.as_deref()), (1, None));
    assert!(store.change(k, &bounce, due + mins(11)).await.unwrap().is_none(), "the replay stays pending");
    store.claim(k, "s2", due + mins(12), due + mins(14)).await.unwrap().unwrap();
    store.mark_sent(k, "s2", "m2", due + mins(12)).await.unwrap();
    assert!(store.change(k, &bounce, due + mins(13)).await.unwrap().is_none(), "nor fails the replay sent");
    assert!(store.change(k, &Change::Delivered, due + mins(14)).await.unwrap().is_some());
    // Unknown items: nothing happens.
    let ghost = outbox("alpha", "2026-11-23", "ghost@example.com", due);
    assert!(store.change(&ghost.key, &Change::Delivered, due).await.unwrap().is_none());
    assert!(store.change(&ghost.key, &bounce, due).await.unwrap().is_none());
    assert_eq!(store.get_outbox(&ghost.key).await.unwrap(), None);
}

pub async fn deferred_items_come_due_again(store: &dyn Store) {
    let (item, due) = queued(store).await;
    let k = &item.key;
    store.claim(k, "s1", due, due + mins(2)).await.unwrap().unwrap();
    store.mark_sent(k, "s1", "m1", due).await.unwrap();
    let retry_at = due + mins(30);
    let soft = Change::Defer { message_id: "m1", retry_at, reason: "transient bounce" };
    assert!(store.change(k, &soft, due + mins(1)).await.unwrap().is_some());
    assert!(store.change(k, &soft, due + mins(1)).await.unwrap().is_none(), "repeated: no second deferral");
    assert!(store.due_outbox(retry_at - mins(1), 10).await.unwrap().items.is_empty());
    assert_eq!(store.due_outbox(retry_at, 10).await.unwrap().items.len(), 1);
    let again = store.claim(k, "s2", retry_at, retry_at + mins(2)).await.unwrap().unwrap();
    assert_eq!(again.attempts, 1);
    store.mark_sent(k, "s2", "m2", retry_at).await.unwrap();
    let got = store.get_outbox(k).await.unwrap().unwrap();
    assert_eq!((got.status, got.attempts, got.message_id.as_deref()), (OutboxStatus::Sent, 2, Some("m2")));
}

pub async fn responses_latest_vote_wins(store: &dyn Store) {
    let t = TeamId::parse("alpha").unwrap();
    let d = SendDate::parse("2026-11-23").unwrap();
    let vote = |voter: &str, score: u8, at: &str, comment: Option<&str>| {
        Response::new(
            t.clone(),
            d,
            VoterKey(voter.into()),
            Score::new(score).unwrap(),
            comment.map(str::to_string),
            ts(at),
        )
    };
    let put = |r: Response| async move { store.put_response(&r).await.unwrap() };
    assert_eq!(put(vote("v1", 2, "2026-11-23T20:05:00Z", None)).await.score.value(), 2);
    let stored = put(vote("v1", 4, "2026-11-23T20:06:00Z", Some("better now"))).await;
    assert_eq!((stored.score.value(), stored.quarantined()), (4, false));
    // An older vote arriving late does not replace a newer one.
    assert_eq!(put(vote("v1", 1, "2026-11-23T20:05:30Z", None)).await.score.value(), 4);
    assert_eq!(put(vote("v2", 5, "2026-11-23T20:07:00Z", None)).await.score.value(), 5);
    let mut other_day = vote("v1", 3, "2026-11-24T20:07:00Z", None);
    other_day.date = d.next_day();
    store.put_response(&other_day).await.unwrap();
    let mut r = store.list_responses(&t, d, d).await.unwrap();
    r.sort_by(|a, b| a.voter.cmp(&b.voter));
    assert_eq!(r.len(), 2);
    assert_eq!((r[0].score.value(), r[0].comment.as_deref()), (4, Some("better now")));
    assert_eq!(r[1].score.value(), 5);
    assert_eq!(store.list_responses(&t, d, d.next_day()).await.unwrap().len(), 3);
    assert_eq!(store.list_responses(&t, d.next_day(), d.next_day().next_day()).await.unwrap().len(), 1);
    assert!(store.list_responses(&TeamId::parse("beta").unwrap(), d, d).await.unwrap().is_empty());

    // A scanner's burst (different answers within seconds) is stored quarantined, and a person
    // answering later replaces it.
    for (s, at) in [(5, "20:30:00"), (4, "20:30:01"), (1, "20:30:02")] {
        put(vote("v3", s, &format!("2026-11-23T{at}Z"), None)).await;
    }
    let v3 = |r: Vec<Response>| r.into_iter().find(|r| r.voter.0 == "v3").unwrap();
    let burst = v3(store.list_responses(&t, d, d).await.unwrap());
    assert!(burst.quarantined(), "{burst:?}");
    assert_eq!(burst.burst.since, ts("2026-11-23T20:30:00Z"));
    put(vote("v3", 3, "2026-11-23T21:30:00Z", None)).await;
    let later = v3(store.list_responses(&t, d, d).await.unwrap());
    assert_eq!((later.score.value(), later.quarantined()), (3, false));
    // A scanner's burst after that: the person's answer, kept beside it, still counts.
    for (s, at) in [(5, "22:30:00"), (1, "22:30:01")] {
        put(vote("v3", s, &format!("2026-11-23T{at}Z"), None)).await;
    }
    let rescanned = v3(store.list_responses(&t, d, d).await.unwrap());
    assert!(rescanned.quarantined());
    assert_eq!(rescanned.counts().map(|c| c.score.value()), Some(3), "{rescanned:?}");
}

/// Posts for one voter racing from many requests at once: each is applied on top of the one
/// before (the write is conditional on the revision it read), none is lost.
pub async fn responses_racing_posts_lose_nothing(store: &dyn Store) {
    let t = TeamId::parse("race").unwrap();
    let d = SendDate::parse("2026-11-23").unwrap();
    let posts = (0..8u8).map(|i| {
        let at = ts("2026-11-23T20:00:00Z") + jiff::SignedDuration::from_millis(i64::from(i) * 100);
        Response::new(t.clone(), d, VoterKey("v".into()), Score::new(i % 5 + 1).unwrap(), None, at)
    });
    let results = futures::future::join_all(posts.map(|p| async move { store.put_response(&p).await })).await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    let stored = store.list_responses(&t, d, d).await.unwrap();
    assert_eq!(stored.len(), 1);
    // Every post that returned Ok is part of the stored burst; if any was refused as a
    // conflict, it said so (never silently lost).
    let mut seen = 0u8;
    for r in results.iter().flatten() {
        seen |= r.burst.answers;
    }
    assert_eq!(stored[0].burst.answers & seen, seen, "an acknowledged post's answer is missing: {stored:?}");
    assert!(stored[0].quarantined());
    assert!(failed <= 3, "{failed} of 8 posts gave up");
}

pub async fn operational_state_is_versioned(store: &dyn Store) {
    let now = ts(NOW);
    assert_eq!(store.get_state("preflight").await.unwrap(), None);
    assert!(store.put_state("preflight", r#"{"failing":true}"#, None, now).await.unwrap());
    // A second writer that also saw "nothing yet" loses.
    assert!(!store.put_state("preflight", r#"{"failing":false}"#, None, now).await.unwrap());
    let r = store.get_state("preflight").await.unwrap().unwrap();
    assert_eq!((r.data.as_str(), r.version, r.updated_at), (r#"{"failing":true}"#, 1, now));
    assert!(store.put_state("preflight", r#"{"failing":false}"#, Some(1), now + mins(1)).await.unwrap());
    assert!(!store.put_state("preflight", "stale", Some(1), now + mins(2)).await.unwrap());
    let r = store.get_state("preflight").await.unwrap().unwrap();
    assert_eq!((r.data.as_str(), r.version), (r#"{"failing":false}"#, 2));
    assert_eq!(store.get_state("other").await.unwrap(), None);
}

/// Tallies add up, concurrently too: twenty writers at once lose no count.
pub async fn tallies_add_atomically(store: &dyn Store) {
    let now = ts(NOW);
    assert!(store.tally("reputation", "2026-11-23T00", "2026-11-23T23").await.unwrap().is_empty());
    store.add_to_tally("reputation", "2026-11-23T19", &[("sent", 40)], now).await.unwrap();
    futures::future::join_all(
        (0..20).map(|_| store.add_to_tally("reputation", "2026-11-23T20", &[("bounced", 1), ("sent", 2)], now)),
    )
    .await
    .into_iter()
    .for_each(|r| r.unwrap());
    store.add_to_tally("reputation", "2026-11-24T01", &[("sent", 1)], now).await.unwrap();
    let hours = store.tally("reputation", "2026-11-23T19", "2026-11-23T23").await.unwrap();
    let got: Vec<(&str, Vec<(&str, u64)>)> =
        hours.iter().map(|h| (h.hour.as_str(), h.counts.iter().map(|(k, v)| (k.as_str(), *v)).collect())).collect();
    assert_eq!(
        got,
        vec![("2026-11-23T19", vec![("sent", 40)]), ("2026-11-23T20", vec![("bounced", 20), ("sent", 40)])]
    );
    assert!(store.tally("other", "2026-11-23T00", "2026-11-24T23").await.unwrap().is_empty());
}

pub async fn problem_reports_collect_lines_and_are_queued_once(store: &dyn Store) {
    let now = ts(NOW);
    let team = TeamId::parse("alpha").unwrap();
    let d = SendDate::parse("2026-11-23").unwrap();
    let after = now + mins(60);
    assert!(store.note_problem(&team, d, "ana@example.com — bounced", after).await.unwrap());
    // A later note keeps the first due time.
    assert!(store.note_problem(&team, d, "bob@example.com — complained", after + mins(30)).await.unwrap());
    // The same line again (a repeated event, a retried handler) is not added twice.
    assert!(!store.note_problem(&team, d, "ana@example.com — bounced", after).await.unwrap());
    assert!(store.due_problem_reports(after - mins(1)).await.unwrap().is_empty());
    let due = store.due_problem_reports(after).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].lines, vec!["ana@example.com — bounced", "bob@example.com — complained"]);
    assert_eq!((due[0].team.as_str(), due[0].date, due[0].send_after, due[0].queued_at), ("alpha", d, after, None));
    assert!(store.mark_problem_report_queued(&team, d, after).await.unwrap());
    assert!(!store.mark_problem_report_queued(&team, d, after).await.unwrap(), "once");
    // The sender composes each admin's email from the stored report.
    let stored = store.get_problem_report(&team, d).await.unwrap().expect("the report is kept");
    assert_eq!((stored.lines.len(), stored.queued_at), (2, Some(after)));
    assert_eq!(store.get_problem_report(&team, d.next_day()).await.unwrap(), None);
    assert!(store.due_problem_reports(after + mins(600)).await.unwrap().is_empty());
    assert!(!store.note_problem(&team, d, "late", after).await.unwrap(), "that day's digest is gone");
    assert!(!store.mark_problem_report_queued(&team, d.next_day(), after).await.unwrap(), "no such digest");
}

/// A day whose team's mail domain breaks brings more lines than a report holds (an item is
/// at most 400 KB in DynamoDB): the report keeps the first ones and says that more came, and
/// noting stays idempotent.
pub async fn a_full_problem_report_keeps_its_first_lines_and_says_more_came(store: &dyn Store) {
    let (team, d) = (TeamId::parse("full").unwrap(), SendDate::parse("2026-11-23").unwrap());
    let after = ts("2026-11-24T08:00:00Z");
    // As long as a line with SES's diagnostic gets: 1,500 of them would be 600 KB.
    let line = |i: usize| format!("member-{i:05}@example.com — bounced: {}", "5.1.1 ".repeat(60));
    let max = morale::domain::ProblemReport::MAX_LINES;
    for i in 0..max + 20 {
        assert!(store.note_problem(&team, d, &line(i), after).await.unwrap(), "line {i} is in the report");
    }
    let report = store.get_problem_report(&team, d).await.unwrap().unwrap();
    assert_eq!(report.lines.len(), max);
    assert_eq!(report.lines.last(), Some(&line(max - 1)));
    assert!(report.is_full(), "it says there may be more");
    assert!(!store.note_problem(&team, d, &line(0), after).await.unwrap(), "a listed line is not noted twice");
    assert!(store.note_problem(&team, d, &line(max + 5), after).await.unwrap(), "one more, again: still told");
    assert!(store.mark_problem_report_queued(&team, d, after).await.unwrap());
    assert!(!store.note_problem(&team, d, &line(max + 30), after).await.unwrap(), "nothing after it went out");
    // The fake holds no more than DynamoDB: an item past 400 KB is refused, and what is in it stays.
    let huge = |i: usize| format!("member-{i:05}@example.com — bounced: {}", "x".repeat(2_200));
    let team = TeamId::parse("huge").unwrap();
    let mut noted = 0;
    while let Ok(added) = store.note_problem(&team, d, &huge(noted), after).await {
        assert!(added && noted < max, "refused before {max} lines of 2 KB");
        noted += 1;
    }
    assert!(noted > 150, "{noted} lines of 2 KB fit");
    assert_eq!(store.get_problem_report(&team, d).await.unwrap().unwrap().lines.len(), noted);
}

/// A sent item waits for SES's events; past the window with none it is due for
/// reconciliation, becomes unconfirmed once, leaves that queue, and a late event still settles it.
pub async fn sent_items_without_events_become_unconfirmed(store: &dyn Store) {
    let due = ts("2026-11-23T20:00:00Z");
    let item = outbox("alpha", "2026-11-23", "ana@example.com", due);
    let heard = outbox("alpha", "2026-11-23", "bob@example.com", due);
    for i in [&item, &heard] {
        store.enqueue(i).await.unwrap();
        store.claim(&i.key, "s1", due, due + mins(2)).await.unwrap().unwrap();
        assert!(store.mark_sent(&i.key, "s1", "m1", due).await.unwrap());
    }
    assert!(store.change(&heard.key, &Change::Delivered, due + mins(1)).await.unwrap().is_some());
    let window = morale::domain::outbox::CONFIRM_WINDOW;
    assert!(store.due_confirmations(due + window - mins(1), 10).await.unwrap().items.is_empty(), "not yet");
    assert!(store.due_outbox(due + window, 10).await.unwrap().items.is_empty(), "not the sender's to send");
    let overdue = store.due_confirmations(due + window, 10).await.unwrap().items;
    assert_eq!(overdue.iter().map(|d| &d.key).collect::<Vec<_>>(), vec![&item.key], "the delivered one is not");
    assert_eq!(overdue[0].due_at, due + window);
    let unconfirm = Change::Unconfirm { reason: "no event" };
    assert!(store.change(&heard.key, &unconfirm, due + window).await.unwrap().is_none(), "delivered stays");
    let got = store.change(&item.key, &unconfirm, due + window).await.unwrap().expect("unconfirmed");
    assert_eq!(
        (got.status, got.last_error.as_deref(), got.due_at),
        (OutboxStatus::Unconfirmed, Some("no event"), None)
    );
    assert!(store.change(&item.key, &unconfirm, due + window).await.unwrap().is_none(), "once");
    assert!(store.due_confirmations(due + window + mins(60), 10).await.unwrap().items.is_empty());
    // The delivery comes after all.
    let got = store.change(&item.key, &Change::Delivered, due + window + mins(5)).await.unwrap().expect("settled");
    assert_eq!(got.status, OutboxStatus::Delivered);
}

/// A team's day is recorded once with its plan, falls due when its ledger closes, closes once,
/// and keeps its ledger; it falls due again when its answers close, its figures are fixed once,
/// and once who voted is forgotten it is done.
pub async fn days_open_once_fall_due_and_close_once(store: &dyn Store) {
    use morale::domain::ledger::ANSWERS_GRACE;
    use morale::domain::{DayPlan, Ledger, Tally};
    let team = TeamId::parse("alpha").unwrap();
    let d = SendDate::parse("2026-11-23").unwrap();
    let closes = ts("2026-11-24T04:00:00Z");
    let answers_close = ts("2026-11-25T05:00:00Z");
    let plan = DayPlan { members: 3, paused: 1, unsubscribed: 2, missed: false, answers_close: Some(answers_close) };
    assert!(store.open_day(&team, d, &plan, closes).await.unwrap());
    let other = DayPlan { members: 9, ..DayPlan::default() };
    assert!(!store.open_day(&team, d, &other, closes).await.unwrap(), "the first plan stands");
    let next = d.next_day();
    // A day planned without an answers' close (as days were before answers closed): its
    // answers close a day after its local day ended.
    let ledger_only = DayPlan { missed: true, answers_close: None, ..plan.clone() };
    assert!(store.open_day(&team, next, &ledger_only, closes + mins(1440)).await.unwrap());
    assert!(store.due_days(closes - mins(1), 10).await.unwrap().items.is_empty(), "not yet");
    let due = store.due_days(closes, 10).await.unwrap().items;
    assert_eq!(due.len(), 1);
    assert_eq!((&due[0].team, due[0].date, &due[0].plan, due[0].closes_at), (&team, d, &plan, closes));
    let ledger = Ledger { scheduled: 3, delivered: 2, bounced: 1, skipped_paused: 1, ..Ledger::default() };
    assert!(store.close_day(&team, d, &ledger, closes).await.unwrap());
    assert!(!store.close_day(&team, d, &Ledger::default(), closes).await.unwrap(), "once");
    assert!(!store.close_day(&team, d.previous_day(), &ledger, closes).await.unwrap(), "no such day");
    assert!(store.due_days(closes + mins(60), 10).await.unwrap().items.is_empty(), "a closed day is not due");
    let got = store.get_day(&team, d).await.unwrap().expect("kept");
    assert_eq!((got.closed, got.closed_at), (Some(ledger), Some(closes)));
    // Its answers close: due again, for its figures.
    let answers_due = answers_close + ANSWERS_GRACE;
    assert!(store.due_days(answers_due - mins(1), 10).await.unwrap().items.iter().all(|x| x.date != d));
    let due = store.due_days(answers_due, 10).await.unwrap().items;
    assert!(due.iter().any(|x| x.date == d && x.closed_at.is_some()), "{due:?}");
    assert!(!store.finish_day(&team, d, answers_due).await.unwrap(), "not before its figures are fixed");
    let tally = Tally { asked: 3, voters: 3, counts: Some([0, 0, 1, 1, 1]), comments: vec![], comments_left_out: 0 };
    assert!(store.tally_day(&team, d, &tally, answers_due).await.unwrap());
    let other = Tally { asked: 3, voters: 0, ..Tally::default() };
    assert!(!store.tally_day(&team, d, &other, answers_due).await.unwrap(), "figures are fixed once");
    assert!(store.due_days(answers_due, 10).await.unwrap().items.iter().any(|x| x.date == d), "until forgotten");
    assert!(store.finish_day(&team, d, answers_due).await.unwrap());
    assert!(!store.finish_day(&team, d, answers_due).await.unwrap(), "once");
    let got = store.get_day(&team, d).await.unwrap().expect("kept");
    assert_eq!((got.tally, got.forgotten_at), (Some(tally), Some(answers_due)));
    assert!(store.due_days(answers_due + mins(60), 10).await.unwrap().items.iter().all(|x| x.date != d), "done");
    let days = store.list_days(&team, d.previous_day(), next).await.unwrap();
    assert_eq!(days.iter().map(|d| (d.date, d.plan.missed)).collect::<Vec<_>>(), vec![(d, false), (next, true)]);
    assert!(store.list_days(&TeamId::parse("beta").unwrap(), d, next).await.unwrap().is_empty());
    // The older day: its ledger, then its answers a day after its local day ended.
    let later = store.due_days(closes + mins(1440), 10).await.unwrap().items;
    assert_eq!(later.iter().map(|x| x.date).collect::<Vec<_>>(), vec![next]);
    assert!(store.close_day(&team, next, &Ledger::default(), closes + mins(1440)).await.unwrap());
    let legacy = closes + mins(1440) - morale::domain::ledger::LEDGER_SETTLE + mins(1440) + ANSWERS_GRACE;
    assert!(store.due_days(legacy - mins(1), 10).await.unwrap().items.is_empty());
    assert_eq!(store.due_days(legacy, 10).await.unwrap().items.iter().map(|x| x.date).collect::<Vec<_>>(), vec![next]);
}

/// A team-day's salt: the first stored stands; forgetting the day deletes it and the day's
/// votes, not other days', and can be repeated.
pub async fn a_days_salt_and_votes_are_forgotten_together(store: &dyn Store) {
    use morale::voter::DaySalt;
    let t = TeamId::parse("alpha").unwrap();
    let d = SendDate::parse("2026-11-23").unwrap();
    use morale::domain::{DayPlan, Ledger, Tally};
    let (first, second) = (DaySalt::random(), DaySalt::random());
    let at = ts("2026-11-24T04:00:00Z");
    for day in [d, d.next_day(), d.next_day().next_day()] {
        assert!(store.open_day(&t, day, &DayPlan::default(), at).await.unwrap());
    }
    assert_eq!(store.day_salt(&t, d, &first).await.unwrap(), Some(first.clone()));
    assert_eq!(store.day_salt(&t, d, &second).await.unwrap(), Some(first.clone()), "the first salt stands");
    assert_eq!(store.day_salt(&t, d.next_day(), &second).await.unwrap(), Some(second.clone()), "one per day");
    let vote = |v: &str, date: SendDate| {
        Response::new(t.clone(), date, VoterKey(v.into()), Score::new(4).unwrap(), None, ts("2026-11-23T20:00:00Z"))
    };
    for r in [vote("a", d), vote("b", d), vote("c", d.next_day())] {
        store.put_response(&r).await.unwrap();
    }
    assert_eq!(store.forget_day(&t, d).await.unwrap(), 2);
    assert!(store.list_responses(&t, d, d).await.unwrap().is_empty());
    assert_eq!(store.list_responses(&t, d.next_day(), d.next_day()).await.unwrap().len(), 1, "other days stay");
    assert_eq!(store.forget_day(&t, d).await.unwrap(), 0, "again: nothing left");
    assert_eq!(store.day_salt(&t, d.next_day(), &first).await.unwrap(), Some(second), "the next day's salt stays");
    // A day whose figures are fixed never gets a salt again.
    let third = d.next_day().next_day();
    assert!(store.close_day(&t, third, &Ledger::default(), at).await.unwrap());
    assert!(store.tally_day(&t, third, &Tally::default(), at).await.unwrap());
    assert_eq!(store.day_salt(&t, third, &first).await.unwrap(), None, "a fixed day takes no salt");
}

/// The first votes of a day, all at once (a gateway scanning every member's email): one salt
/// for all of them, and none refused.
pub async fn racing_first_votes_share_one_salt(store: &dyn Store) {
    use morale::voter::DaySalt;
    let t = TeamId::parse("salted").unwrap();
    let d = SendDate::parse("2026-11-23").unwrap();
    assert!(store.open_day(&t, d, &morale::domain::DayPlan::default(), ts("2026-11-24T04:00:00Z")).await.unwrap());
    let fresh: Vec<DaySalt> = (0..16).map(|_| DaySalt::random()).collect();
    let got = futures::future::join_all(fresh.iter().map(|f| store.day_salt(&t, d, f))).await;
    let got: Vec<DaySalt> = got.into_iter().map(|r| r.expect("no vote refused").expect("the day is open")).collect();
    assert!(got.iter().all(|s| *s == got[0]), "one salt for the day");
    assert!(fresh.contains(&got[0]));
}

/// A quarantined item is never due again; quarantining nothing says so.
pub async fn quarantined_items_leave_the_due_index(store: &dyn Store) {
    let (item, due) = queued(store).await;
    assert_eq!(store.due_outbox(due, 10).await.unwrap().items.len(), 1);
    assert!(store.quarantine(&item.key, "attempts: invalid type", due).await.unwrap());
    assert!(store.due_outbox(due + mins(60), 10).await.unwrap().items.is_empty());
    let ghost = outbox("alpha", "2026-11-23", "ghost@example.com", due);
    assert!(!store.quarantine(&ghost.key, "x", due).await.unwrap());
}

/// Someone sets one attribute of one item by hand, to a string the code may not read.
pub(crate) async fn edit_by_hand(store: &morale::store::DynamoStore, pk: &str, sk: &str, name: &str, value: &str) {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key("PK", A::S(pk.into()))
        .key("SK", A::S(sk.into()))
        .update_expression("SET #n = :v")
        .expression_attribute_names("#n", name)
        .expression_attribute_values(":v", A::S(value.into()))
        .send()
        .await
        .unwrap();
}

/// In DynamoDB, a record the due index offers that does not read (a hand edit, an old shape) is
/// quarantined as it is found and listed once; the readable ones come back as usual.
#[tokio::test]
async fn dynamodb_unreadable_due_records_are_quarantined_once() {
    let table = morale_tests::TestTable::new().await;
    let store = &table.store;
    let due = ts("2026-11-23T20:00:00Z");
    let good = outbox("alpha", "2026-11-23", "ana@example.com", due);
    let bad = outbox("alpha", "2026-11-23", "bob@example.com", due);
    store.enqueue(&good).await.unwrap();
    store.enqueue(&bad).await.unwrap();
    // Someone edits bob's item by hand: its status is no status the code knows.
    edit_by_hand(store, "TEAM#alpha", &format!("SEND#2026-11-23#{}", bad.key.member), "status", "lost-in-space").await;
    let first = store.due_outbox(due, 10).await.unwrap();
    assert_eq!(first.items.iter().map(|d| &d.key).collect::<Vec<_>>(), vec![&good.key]);
    assert_eq!(first.quarantined.len(), 1);
    assert!(first.quarantined[0].key.ends_with(bad.key.member.as_str()), "{:?}", first.quarantined);
    assert!(first.quarantined[0].reason.contains("lost-in-space"), "{:?}", first.quarantined);
    let again = store.due_outbox(due, 10).await.unwrap();
    assert_eq!((again.items.len(), again.quarantined.len()), (1, 0), "listed once, then out of the index");
    // The same for a team record.
    let team = Team::new(
        TeamId::parse("broken").unwrap(),
        "Broken".into(),
        Schedule::parse("UTC", "09:00", "mon-fri").unwrap(),
        vec![],
        due - SignedDuration::from_hours(48),
    );
    store.create_team(&team).await.unwrap();
    edit_by_hand(store, "TEAM#broken", "TEAM", "workdays", "someday").await;
    let teams = store.due_teams(due).await.unwrap();
    assert!(teams.items.is_empty());
    assert_eq!(teams.quarantined.len(), 1, "{teams:?}");
    assert!(store.due_teams(due).await.unwrap().quarantined.is_empty());
}

/// Declares every case once for the fake and once for DynamoDB.
macro_rules! contract_cases {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(&morale::store::MemoryStore::new()).await;
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test]
                async fn $case() {
                    let table = morale_tests::TestTable::new().await;
                    super::$case(&table.store).await;
                }
            )*
        }
    };
}

contract_cases!(
    team_create_get_and_duplicate,
    team_updates_are_optimistic,
    due_teams_and_conditional_advance,
    members_are_unique_and_status_changes_are_conditional,
    a_members_own_pause_and_language,
    one_outbox_item_per_member_and_date,
    due_outbox_oldest_first_with_limit,
    claims_are_exclusive_and_leases_lapse,
    items_created_claimed_are_held_until_their_lease_lapses,
    release_gives_the_item_back_unchanged,
    the_sender_can_fail_or_suppress_what_it_holds,
    mail_events_only_move_forward,
    deferred_items_come_due_again,
    responses_latest_vote_wins,
    responses_racing_posts_lose_nothing,
    operational_state_is_versioned,
    tallies_add_atomically,
    problem_reports_collect_lines_and_are_queued_once,
    a_full_problem_report_keeps_its_first_lines_and_says_more_came,
    quarantined_items_leave_the_due_index,
    sent_items_without_events_become_unconfirmed,
    days_open_once_fall_due_and_close_once,
    a_days_salt_and_votes_are_forgotten_together,
    racing_first_votes_share_one_salt,
);
