//! The ledger invariant, checked after every run. For every (team, member, local day) that was
//! due: exactly one explained end (delivered, accepted by SES, failed or suppressed with its
//! reason), or still in flight within its day; at most one copy in the mailbox, plus one for
//! each crash or lost answer that hit it between SES's acceptance and its record; nothing to a
//! paused, removed or suppressed member; nothing after the member's local midnight; and every
//! failure, of an email or of a run, told to a human within one tick.

use crate::log::{Function, Records};
use crate::world::{SENDER_TIMEOUT, TICK, World};
use jiff::{SignedDuration, Timestamp};
use morale::domain::ledger::LEDGER_PATIENCE;
use morale::domain::{MemberId, OutboxItem, OutboxKey, OutboxKind, OutboxStatus, SendDate, TeamId};
use morale::metrics;
use morale::store::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// What the deployed alarms watch, from `template.yaml`: one rule, one room.
pub struct Alarms {
    /// Morale metrics whose alarm fires on a single occurrence in a period.
    pub metrics: BTreeSet<String>,
    /// Functions whose Lambda `Errors` are alarmed.
    pub errors: BTreeSet<&'static str>,
    /// The queue the bounce handler's failed events land in (its `OnFailure` destination) is
    /// alarmed.
    pub failed_events: bool,
}

impl Alarms {
    pub fn from_template() -> Self {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");
        let text = std::fs::read_to_string(path).expect("template.yaml");
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("template.yaml parses");
        let mut alarms = Alarms { metrics: BTreeSet::new(), errors: BTreeSet::new(), failed_events: false };
        let resources = doc["Resources"].as_mapping().expect("Resources");
        // `!GetAtt Queue.Arn` → "Queue".
        let on_failure = serde_yaml::to_string(
            &doc["Resources"]["BounceHandlerFunction"]["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
                ["Destination"],
        )
        .unwrap_or_default();
        let failed_events_queue = on_failure.split_whitespace().last().and_then(|s| s.split('.').next()).unwrap_or("?");
        for (_, r) in resources {
            if r["Type"].as_str() != Some("AWS::CloudWatch::Alarm") {
                continue;
            }
            let p = &r["Properties"];
            let fires_on_one = p["Threshold"].as_f64().is_some_and(|t| t <= 1.0)
                && p["ComparisonOperator"].as_str() == Some("GreaterThanOrEqualToThreshold");
            let (Some(name), true) = (p["MetricName"].as_str(), fires_on_one) else { continue };
            match p["Namespace"].as_str() {
                Some(metrics::NAMESPACE) => {
                    alarms.metrics.insert(name.to_string());
                }
                Some("AWS/SQS") if name == "NumberOfMessagesSent" => {
                    let text = serde_yaml::to_string(&p["Dimensions"]).unwrap_or_default();
                    alarms.failed_events |= text.contains(&format!("{failed_events_queue}.QueueName"));
                }
                Some("AWS/Lambda") if name == "Errors" => {
                    let text = serde_yaml::to_string(&p["Dimensions"]).unwrap_or_default();
                    for (function, logical) in
                        [("sender", "SenderFunction"), ("bounce-handler", "BounceHandlerFunction")]
                    {
                        if text.contains(logical) {
                            alarms.errors.insert(function);
                        }
                    }
                }
                _ => {}
            }
        }
        alarms
    }

    fn errors_alarmed(&self, f: Function) -> bool {
        self.errors.contains(match f {
            Function::Sender => "sender",
            Function::BounceHandler => "bounce-handler",
        })
    }
}

/// Whether a member could be emailed all through `from..=to`: a member removed or paused
/// after their send time, before a late tick scheduled them, is not due.
fn steadily_reachable(r: &Records, team: &TeamId, member: &MemberId, from: Timestamp, to: Timestamp) -> bool {
    reachable_during(r, team, Some(member), from, from)
        && !r
            .reachability
            .iter()
            .any(|e| &e.team == team && e.member.as_ref() == Some(member) && !e.reachable && e.at > from && e.at <= to)
}

/// A member's own pause as it stood at `t`: the day they are back, if one was set and no
/// change of their status (which ends it) came after.
fn away_until(r: &Records, team: &TeamId, member: &MemberId, t: Timestamp) -> Option<SendDate> {
    let last = r.away.iter().rev().find(|a| &a.team == team && &a.member == member && a.at <= t)?;
    let ended = r
        .reachability
        .iter()
        .any(|e| &e.team == team && e.member.as_ref() == Some(member) && e.at > last.at && e.at <= t);
    if ended { None } else { last.back }
}

/// Whether `date`'s email was not for the member, away by their own choice, at each moment of
/// `from..=to` (`all`), or at some moment of it (`!all`).
fn away_for(
    r: &Records,
    team: &TeamId,
    member: &MemberId,
    date: SendDate,
    from: Timestamp,
    to: Timestamp,
    all: bool,
) -> bool {
    let moments = std::iter::once(from).chain(
        r.away
            .iter()
            .filter(|a| &a.team == team && &a.member == member)
            .map(|a| a.at)
            .chain(r.reachability.iter().filter(|e| &e.team == team && e.member.as_ref() == Some(member)).map(|e| e.at))
            .filter(|t| *t > from && *t <= to),
    );
    let mut away = moments.map(|t| away_until(r, team, member, t).is_some_and(|back| date < back));
    if all { away.all(|a| a) } else { away.any(|a| a) }
}

/// Whether a member (or their whole team) could be emailed at some moment of `from..=to`.
pub(crate) fn reachable_during(
    r: &Records,
    team: &TeamId,
    member: Option<&MemberId>,
    from: Timestamp,
    to: Timestamp,
) -> bool {
    let mut state = true;
    for e in r.reachability.iter().filter(|e| &e.team == team && e.member.as_ref() == member) {
        if e.at <= from {
            state = e.reachable;
        } else if e.at <= to && e.reachable {
            return true;
        }
    }
    state
}

pub async fn check(w: &World, alarms: &Alarms) -> Vec<String> {
    let table = &w.store.table;
    let mut items: BTreeMap<OutboxKey, OutboxItem> = BTreeMap::new();
    for team in &w.teams {
        for i in table.list_outbox(&team.id, None).await.expect("the table") {
            items.insert(i.key.clone(), i);
        }
    }
    let lifetime = SignedDuration::try_from(SENDER_TIMEOUT).expect("in range");
    let tick = SignedDuration::try_from(TICK).expect("in range");
    let settled = w.end - tick * 3;
    let mut v = Vec::new();
    w.log.with(|r| {
        let told = |text: &str| r.alerts.iter().any(|a| a.message.contains(text));
        // A run killed before its alert is watched by the sender's alarmed errors.
        let sender_errored = |at: Timestamp| {
            alarms.errors_alarmed(Function::Sender)
                && r.invocations.iter().any(|i| {
                    i.function == Function::Sender && i.error.is_some() && i.end >= at && i.end <= at + lifetime
                })
        };
        // Every email ends explained once its day is over: an unreadable one, taken out of the
        // due index, when a human was told of it.
        for i in items.values() {
            let key = i.key.to_string();
            let quarantined = r.quarantined.iter().any(|(k, at)| *k == key && (told(&key) || sender_errored(*at)));
            let explained = quarantined
                || match i.status {
                    OutboxStatus::Delivered | OutboxStatus::Complained => true,
                    // Sent, and awaiting SES's events: until its window closes (with an hour for
                    // failing and skipped ticks), after which it is unconfirmed.
                    OutboxStatus::Sent => i.due_at.is_none_or(|d| d > settled - SignedDuration::from_hours(1)),
                    OutboxStatus::Failed | OutboxStatus::Suppressed | OutboxStatus::Unconfirmed => {
                        i.last_error.as_deref().is_some_and(|e| !e.is_empty())
                    }
                    OutboxStatus::Pending | OutboxStatus::Sending | OutboxStatus::Deferred => i.deadline > settled,
                };
            if !explained {
                v.push(format!(
                    "{} is {} (due {:?}, last error {:?}) though its day ended at {}",
                    i.key, i.status, i.due_at, i.last_error, i.deadline
                ));
            }
        }

        // Every due (team, member, day) whose day is over has its email, or a human heard that
        // the day was missed (told at the first tick that runs after the day: within the hour
        // even when most ticks fail). A day still open may yet be scheduled.
        for team in w.teams.iter().filter(|t| !r.rescheduled.contains_key(&t.id)) {
            let mut at = team.next_send_at.expect("a new team is not paused");
            loop {
                let date = team.schedule.local_date(at);
                if team.schedule.end_of_local_day(date) > w.end - SignedDuration::from_hours(1) {
                    break;
                }
                let missed = format!("team {}'s email for {date} was never sent", team.id);
                // Or the team could not be scheduled (an unreadable record), and was told so.
                let told = r.alerts.iter().any(|a| a.subject.contains(&missed))
                    || told(&format!("TEAM#{}/TEAM", team.id))
                    || told(&format!("team {} could not be scheduled", team.id));
                for m in w.members.iter().filter(|m| m.team == team.id) {
                    let key = OutboxKey { team: team.id.clone(), date, member: m.id.clone() };
                    let due = steadily_reachable(r, &team.id, &m.id, at, w.end)
                        // Away for it at some moment until the day ended (when it is planned at the
                        // latest): a later pause, for later days, excuses nothing.
                        && !away_for(r, &team.id, &m.id, date, at, team.schedule.end_of_local_day(date).min(w.end), false);
                    if due && !items.contains_key(&key) && !told {
                        v.push(format!("{key} was due at {at} and has no email, and no one was told"));
                    }
                }
                at = team.schedule.next_send_after(at);
            }
        }

        // Copies in the mailbox, the local midnight, and people who must not be emailed.
        let mut reached: BTreeMap<&OutboxKey, (u32, u32)> = BTreeMap::new();
        for a in &r.acceptances {
            let Some(key) = &a.key else { continue };
            let Some(item) = items.get(key) else {
                v.push(format!("{key}: SES accepted {} for an item that does not exist", a.message_id));
                continue;
            };
            if a.reached {
                let e = reached.entry(key).or_default();
                e.0 += 1;
            }
            if a.ambiguous {
                reached.entry(key).or_default().1 += 1;
            }
            if a.at > item.deadline {
                v.push(format!("{key}: sent at {} after the end of its local day at {}", a.at, item.deadline));
            }
            if item.kind == OutboxKind::Daily {
                let since = a.at - lifetime;
                if !reachable_during(r, &key.team, Some(&key.member), since, a.at) {
                    v.push(format!("{key}: sent at {} to a member who was paused, removed or suppressed", a.at));
                }
                if !reachable_during(r, &key.team, None, since, a.at) {
                    v.push(format!("{key}: sent at {} while the team was paused", a.at));
                }
                if away_for(r, &key.team, &key.member, key.date, since, a.at, true) {
                    v.push(format!("{key}: sent at {} to a member away that day by their own choice", a.at));
                }
                if w.teams.iter().any(|t| t.id == key.team && t.schedule.quiet.contains(key.date)) {
                    v.push(format!("{key}: sent at {} on one of its team's quiet days", a.at));
                }
            }
        }
        for (key, (copies, excused)) in reached {
            if copies > 1 + excused {
                let sends: Vec<String> = r
                    .acceptances
                    .iter()
                    .filter(|a| a.key.as_ref() == Some(key))
                    .map(|a| {
                        format!(
                            "{} {}{}",
                            a.at,
                            if a.reached { "reached" } else { "bounced" },
                            if a.recorded { "" } else { " unrecorded" }
                        )
                    })
                    .collect();
                v.push(format!(
                    "{key}: {copies} copies reached the mailbox ({excused} excused by crashes or lost answers): {}",
                    sends.join(", ")
                ));
            }
        }

        // Every failure reaches a human within one tick: an alert naming it (published, or
        // counted in an alarmed metric when the topic refused it), an alarmed metric, or the
        // function's alarmed errors.
        let window = lifetime + SignedDuration::from_secs(5);
        let undelivered_alarmed = alarms.metrics.contains(metrics::ALERTS_UNDELIVERED);
        // Alerts may come first: a failure is told, then recorded, so that a crash between the
        // two tells twice rather than never.
        let alerted = |text: &str, at: Timestamp| {
            r.alerts.iter().any(|a| {
                a.at >= at - window
                    && a.at <= at + window
                    && a.message.contains(text)
                    && (a.published || undelivered_alarmed)
            })
        };
        let metric = |name: &str, at: Timestamp| {
            alarms.metrics.contains(name)
                && r.metrics.iter().any(|(t, n, x)| n == name && *x > 0.0 && *t >= at && *t <= at + window)
        };
        let errored = |at: Timestamp| {
            r.invocations
                .iter()
                .any(|i| i.error.is_some() && i.end >= at && i.end <= at + window && alarms.errors_alarmed(i.function))
        };
        for (key, at, why) in &r.failures {
            // Simulated SES never refuses a message for its content: a refusal is the account's.
            if crate::ses::REFUSALS.iter().any(|code| why.starts_with(code)) {
                v.push(format!("{key} failed at {at} for a refusal of the account, not of the email: {why}"));
            }
            let email = items.get(key).map(|i| i.email.to_string()).unwrap_or_default();
            let noted = r.notes.iter().any(|(t, d, line, n)| {
                // The email's day's report, or a later day's when that one had gone out.
                t == &key.team
                    && d >= &key.date
                    && line.contains(&email)
                    && *n >= *at - SignedDuration::from_secs(1)
                    && *n <= *at + window
            });
            // An event whose handling failed every time waits, alarmed, in the failed-events queue.
            let queued = alarms.failed_events
                && r.dead_letters.iter().any(|(t, k)| k.as_ref() == Some(key) && *t >= *at && *t <= *at + window);
            if !(alerted(&key.to_string(), *at)
                || metric(metrics::EMAILS_FAILED, *at)
                || metric(metrics::EMAILS_UNCONFIRMED, *at)
                || errored(*at)
                || noted
                || queued)
            {
                v.push(format!("{key} failed at {at} ({why}) and no one was told within a tick"));
            }
        }
        // A failed tick is the sender's error; a failed event is retried, and what still fails
        // waits in the failed-events queue.
        for i in r.invocations.iter().filter(|i| i.error.is_some() && i.function == Function::Sender) {
            if !alarms.errors_alarmed(i.function) {
                v.push(format!("a sender invocation failed at {} with no alarm on its errors", i.end));
            }
        }
        if !r.dead_letters.is_empty() && !alarms.failed_events {
            v.push(format!(
                "{} SES event(s) were given up on with no alarm on the failed-events queue",
                r.dead_letters.len()
            ));
        }
    });

    // The days' ledgers, as the sender closed them: nothing unaccounted, and no day left open
    // long after its ledger was due. An email whose record cannot be read (quarantined, and
    // told then) cannot be accounted for: its day's ledger says so.
    let quarantined: Vec<String> = w.log.with(|r| r.quarantined.iter().map(|(k, _)| k.clone()).collect());
    let (first, last) =
        (SendDate::parse("2000-01-01").expect("a date"), SendDate::parse("2100-01-01").expect("a date"));
    for team in &w.teams {
        for day in table.list_days(&team.id, first, last).await.expect("the table") {
            match &day.closed {
                Some(l)
                    if l.unaccounted > 0
                        && !quarantined.iter().any(|k| k.starts_with(&format!("{}/{}/", team.id, day.date))) =>
                {
                    let open: Vec<String> = items
                        .values()
                        .filter(|i| {
                            i.key.team == team.id
                                && i.key.date == day.date
                                && (i.status.awaits_sender() || i.status.awaits_events())
                        })
                        .map(|i| {
                            format!(
                                "{} {:?} {} due {:?} deadline {} ({:?})",
                                i.key.member, i.kind, i.status, i.due_at, i.deadline, i.last_error
                            )
                        })
                        .collect();
                    v.push(format!(
                        "{} {}: its closed ledger (at {:?}, planned {:?}) has {} unaccounted: {}; open now: {}",
                        team.id,
                        day.date,
                        day.closed_at,
                        day.plan,
                        l.unaccounted,
                        l.line(),
                        open.join("; ")
                    ))
                }
                None if day.closes_at + LEDGER_PATIENCE + SignedDuration::from_hours(1) < w.end => v.push(format!(
                    "{} {}: its ledger was due at {} and never closed",
                    team.id, day.date, day.closes_at
                )),
                _ => {}
            }
        }
    }
    v
}
