//! Scheduling: teams whose send time has passed become outbox items, one per active member
//! and local date, and the admins' weekly digest and low-morale alert join them.
//!
//! Due teams are taken in groups of about [`GROUP`] emails: their members read, their items
//! written a few at a time with the teams interleaved (so that no team's partition takes the
//! whole rate), then each team's day recorded and the team moved on. While this invocation
//! holds the sending lease, the items it can send before its deadline are created already
//! claimed and handed straight to the drain ([`Handoff`]): the first email goes out as soon as
//! its item is written, and it costs no claim.

use crate::drain::TeamData;
use crate::{LOW_STREAK, Report, Sender, SenderError};
use futures::StreamExt;
use jiff::Timestamp;
use morale::domain::ledger::LEDGER_SETTLE;
use morale::domain::{
    DayPlan, Member, MemberId, MemberStatus, OutboxItem, OutboxKey, OutboxKind, SendDate, Team, TeamId,
};
use morale::insights;
use morale::metrics::{self, Metrics};
use morale::store::StoreError;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::time::Instant;

/// About this many emails are planned and written per group of teams: bounds the members held.
pub(crate) const GROUP: usize = 20_000;
/// Scheduling starts no group of teams with less time than this left.
const SCHEDULE_MARGIN: std::time::Duration = std::time::Duration::from_secs(3);
mod handoff;

pub(crate) use handoff::{Handed, Handoff};

/// Item writes in flight while scheduling (at 5 ms a write, 1,600 a second).
pub(crate) const SCHEDULE_WRITES: usize = 8;

/// A due team as planned: its members, the days to send and the days missed.
struct TeamPlan {
    team: Team,
    data: Arc<TeamData>,
    expected: Timestamp,
    next: Timestamp,
    /// Local dates to send: (date, send instant, end of sending, the day's plan).
    send: Vec<(SendDate, Timestamp, Timestamp, DayPlan)>,
    missed: Vec<(SendDate, Timestamp, DayPlan)>,
    receiving: Vec<Member>,
    /// Items already written for these dates (an earlier run wrote part of the team).
    existing: HashSet<(SendDate, MemberId)>,
}

impl TeamPlan {
    /// The items still to write, in order.
    fn items(&self, now: Timestamp) -> Vec<OutboxItem> {
        let mut items = Vec::new();
        for (date, at, end, _) in &self.send {
            for member in &self.receiving {
                if !member.asked_on(*date) || self.existing.contains(&(*date, member.id.clone())) {
                    continue;
                }
                let key = OutboxKey { team: self.team.id.clone(), date: *date, member: member.id.clone() };
                items.push(OutboxItem::new(key, member.email.clone(), *at, *end, now));
            }
        }
        items
    }
}

impl Sender {
    /// Schedules every team that is due, each on its own: an unreadable team record is
    /// quarantined, and a team that fails is told and left for the next tick. With
    /// `sending_elsewhere` (another invocation holds the lease), a team partly written is left
    /// to that invocation's continuation, which creates the rest claimed.
    pub(crate) async fn schedule_due(
        &self,
        now: Timestamp,
        deadline: Instant,
        mut handoff: Option<Handoff>,
        sending_elsewhere: bool,
        report: &mut Report,
        m: &mut Metrics,
    ) -> Result<(), StoreError> {
        let due = self.store.due_teams(now).await?;
        let mut problems: Vec<String> = due
            .quarantined
            .iter()
            .map(|u| format!("- a team record cannot be read and was taken out of the schedule: {u}"))
            .collect();
        let mut teams = due.items.into_iter().peekable();
        while teams.peek().is_some() {
            // No group starts within the deadline's margin (a group's writes take seconds); one
            // under way stops writing within SCHEDULE_MARGIN of it. A team cut off is not moved
            // on: the next run writes the rest of it.
            if deadline.saturating_duration_since(Instant::now()) < self.config.deadline_margin {
                tracing::warn!("scheduling stops for the deadline: the teams left are scheduled next tick");
                break;
            }
            // Members are read a few teams at a time, until the group is full.
            let mut group = Vec::new();
            let mut emails = 0;
            while emails < GROUP {
                let next: Vec<Team> = teams.by_ref().take(SCHEDULE_WRITES).collect();
                if next.is_empty() {
                    break;
                }
                let plans = futures::future::join_all(next.into_iter().map(|t| self.plan_team(t, now))).await;
                for plan in plans {
                    match plan {
                        Ok(Some(plan)) if sending_elsewhere && !plan.existing.is_empty() => {
                            tracing::info!(team = %plan.team.id, "partly written: left to the invocation sending");
                        }
                        Ok(Some(plan)) => {
                            emails += (plan.receiving.len() * plan.send.len()).saturating_sub(plan.existing.len());
                            group.push(plan);
                        }
                        Ok(None) => {}
                        Err((team, e)) => {
                            tracing::error!(team = %team, error = %e, "a team could not be scheduled");
                            problems.push(format!("- team {team} could not be scheduled: {e}"));
                        }
                    }
                }
            }
            let (failed, later) = self.write_group(&group, now, deadline, handoff.as_mut(), report, m).await;
            // Teams with emails left for the continuation are finished by the run that writes
            // their last ones; a write that failed for one is told all the same.
            for p in group.iter().filter(|p| later.contains(&p.team.id)) {
                if let Some(e) = failed.get(&p.team.id) {
                    tracing::error!(team = %p.team.id, error = %e, "a team could not be scheduled");
                    problems.push(format!("- team {} could not be scheduled: {e}", p.team.id));
                }
            }
            let group: Vec<TeamPlan> = group.into_iter().filter(|p| !later.contains(&p.team.id)).collect();
            // A few teams at a time: the drain goes on sending meanwhile.
            let mut finishing = Vec::with_capacity(group.len());
            for plan in &group {
                let failed = &failed;
                finishing.push(async move {
                    let r = match failed.get(&plan.team.id) {
                        Some(e) => Err(StoreError::Backend(e.clone())),
                        None => self.finish_team(plan, now).await,
                    };
                    (plan, r)
                });
            }
            let mut finishing = futures::stream::iter(finishing).buffer_unordered(SCHEDULE_WRITES);
            while let Some((plan, result)) = finishing.next().await {
                match result {
                    Ok((advanced, missed)) => {
                        report.teams_scheduled += u64::from(advanced);
                        report.sends_missed += missed;
                        m.count(metrics::SENDS_MISSED, missed);
                    }
                    // One team's failure stops no other team: it is told, and tried again next tick.
                    Err(e) => {
                        tracing::error!(team = %plan.team.id, error = %e, "a team could not be scheduled");
                        problems.push(format!("- team {} could not be scheduled: {e}", plan.team.id));
                    }
                }
            }
        }
        if !problems.is_empty() {
            self.alert(
                format!("Morale: {} team(s) could not be scheduled", problems.len()),
                format!(
                    "The other teams were scheduled as usual. A team that could not be read or written is tried \
                     again at the next tick; a record that cannot be read at all is taken out of the schedule \
                     (quarantined) until a person repairs it in the table, by the key given below.\n\n{}",
                    problems.join("\n")
                ),
            )
            .await;
        }
        Ok(())
    }

    /// What a due team's send instant means now: the local dates to send (a send missed during
    /// an outage still goes out later the same local day, never on the next) and those missed.
    async fn plan_team(&self, listed: Team, now: Timestamp) -> Result<Option<TeamPlan>, (TeamId, StoreError)> {
        // The due index lags the table: a team paused, given the day off or moved on a moment
        // ago may still be listed as it was. It is planned from the table, if still due as listed.
        let Some(expected) = listed.next_send_at else { return Ok(None) };
        let fresh = self.store.get_team(&listed.id).await.map_err(|e| (listed.id.clone(), e))?;
        let Some(team) = fresh.filter(|t| t.next_send_at == Some(expected)) else {
            tracing::info!(team = %listed.id, "listed as due by the index, no longer due in the table");
            return Ok(None);
        };
        let everyone = self.store.list_members(&team.id).await.map_err(|e| (team.id.clone(), e))?;
        let receiving: Vec<Member> = everyone.iter().filter(|m| m.status.receives_email()).cloned().collect();
        let (mut send, mut missed) = (Vec::new(), Vec::new());
        let mut at = expected;
        // Bounded: at most a month of missed days is walked in one tick.
        for _ in 0..31 {
            if at > now {
                break;
            }
            let date = team.schedule.local_date(at);
            // A day taken off after this send was set: neither sent nor missed.
            if team.schedule.quiet.contains(date) {
                at = team.schedule.next_send_after(at);
                continue;
            }
            let plan = DayPlan { answers_close: Some(team.schedule.answers_close(date)), ..plan_of(&everyone, date) };
            let mut end = team.schedule.end_of_local_day(date);
            if let Some(grace) = self.config.catch_up_grace {
                end = end.min(at + grace);
            }
            if now < end {
                send.push((date, at, end, plan))
            } else {
                missed.push((date, at, plan))
            }
            at = team.schedule.next_send_after(at);
        }
        // A read of what is written already costs a fraction of a write that would be refused.
        let mut existing = HashSet::new();
        for (date, ..) in &send {
            let written = self.store.list_outbox(&team.id, Some(*date)).await.map_err(|e| (team.id.clone(), e))?;
            existing.extend(written.into_iter().map(|i| (i.key.date, i.key.member)));
        }
        let members = everyone.into_iter().map(|m| (m.id.clone(), m)).collect();
        let data = Arc::new(TeamData { team: Some(team.clone()), members });
        Ok(Some(TeamPlan { team, data, expected, next: at, send, missed, receiving, existing }))
    }

    /// After a team's items are written: its admins' mail, its days recorded, and the team
    /// moved on to its next send. Whether it moved on (another run may have), and the days
    /// it missed.
    async fn finish_team(&self, p: &TeamPlan, now: Timestamp) -> Result<(bool, u64), StoreError> {
        let team = &p.team;
        for (date, at, _, plan) in &p.send {
            self.schedule_admin_mail(team, *date, *at, now).await?;
            // Planned once its emails are queued: a run that fails before is tried again
            // (the team has not moved on), with the members as they are then. The first
            // plan recorded stands.
            self.store.open_day(&team.id, *date, plan, closes_at(team, *date)).await?;
        }
        for (date, at, plan) in &p.missed {
            tracing::error!(team = %team.id, %date, "a daily send was missed entirely");
            // A run stopped part-way may have queued some before the day ended: they go on.
            let queued = self.store.list_outbox(&team.id, Some(*date)).await?;
            let queued = queued.iter().filter(|i| i.kind == OutboxKind::Daily).count();
            let what = match queued {
                0 => "Nothing was queued for that day".to_string(),
                n => format!("Only {n} of its members' emails were queued for that day (they go on as usual)"),
            };
            self.alert(
                format!("Morale: team {}'s email for {date} was never sent", team.id),
                format!(
                    "Team {} ({}) was due at {} but no sender ran before the end of its local day {date}. \
                         {what}; the next send is scheduled as usual. \
                         Check the sender's schedule and errors for that time.",
                    team.id, team.name, at
                ),
            )
            .await;
            // Told, then recorded: a run that fails between tells twice rather than never.
            let missed = DayPlan { missed: true, ..plan.clone() };
            self.store.open_day(&team.id, *date, &missed, closes_at(team, *date)).await?;
        }
        let advanced = self.store.advance_team(&team.id, p.expected, p.next).await?;
        Ok((advanced, p.missed.len() as u64))
    }

    /// On the team's digest day, the admins' weekly digest; after three hard workdays in a
    /// row, their low-morale alert, once per streak. Both go through the outbox.
    pub(crate) async fn schedule_admin_mail(
        &self,
        team: &Team,
        date: SendDate,
        at: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if team.admins.is_empty() {
            return Ok(());
        }
        // The admins' mail may go all day: the catch-up grace is the daily email's, and a
        // digest set for the afternoon is due hours after the send.
        let end = team.schedule.end_of_local_day(date);
        if let Some(d) = team.digest.filter(|d| d.weekday == date.date().weekday()) {
            let on_time = morale::domain::Schedule { time: d.time, ..team.schedule.clone() };
            let due = on_time.instant_on(date).unwrap_or(at);
            for admin in &team.admins {
                let item =
                    OutboxItem::for_admin(OutboxKind::Weekly, team.id.clone(), date, admin.clone(), due, end, now);
                self.store.enqueue(&item).await?;
            }
        }
        let from = (0..insights::LOOKBACK_DAYS).fold(date, |d, _| d.previous_day());
        let days = self.store.list_days(&team.id, from, date.previous_day()).await?;
        let streak = insights::low_streak(&insights::closed(&days), date, &team.schedule, LOW_STREAK);
        if let Some((start, _)) = streak.first() {
            let name = format!("low-morale#{}", team.id);
            let rec = self.store.get_state(&name).await?;
            let told = rec.as_ref().and_then(|r| SendDate::parse(&r.data).ok());
            if !told.is_some_and(|t| insights::is_told_streak(t, &streak, date, &team.schedule)) {
                // Queued first, then recorded: the items are one per admin and day, so a run
                // that fails between the two queues nothing twice, and the next run records it.
                // (Recorded first, a failure between would lose the alert for good.)
                for admin in &team.admins {
                    let item = OutboxItem::for_admin(
                        OutboxKind::LowMorale,
                        team.id.clone(),
                        date,
                        admin.clone(),
                        at,
                        end,
                        now,
                    );
                    self.store.enqueue(&item).await?;
                }
                if self.store.put_state(&name, start.as_str(), rec.map(|r| r.version), now).await? {
                    tracing::warn!(team = %team.id, since = %start, "low morale: the admins are told");
                }
            }
        }
        Ok(())
    }

    pub(crate) async fn send_now(
        &self,
        team_id: &TeamId,
        now: Timestamp,
        report: &mut Report,
        m: &mut Metrics,
    ) -> Result<(), SenderError> {
        let team = self.store.get_team(team_id).await?.ok_or_else(|| SenderError::UnknownTeam(team_id.clone()))?;
        let date = team.schedule.local_date(now);
        let end = team.schedule.end_of_local_day(date);
        let everyone = self.store.list_members(&team.id).await?;
        let plan = plan_of(&everyone, date);
        for member in everyone {
            if !member.asked_on(date) {
                continue;
            }
            let key = OutboxKey { team: team.id.clone(), date, member: member.id.clone() };
            if self.store.enqueue(&OutboxItem::new(key, member.email.clone(), now, end, now)).await? {
                report.emails_scheduled += 1;
                m.count(metrics::EMAILS_SCHEDULED, 1);
            }
        }
        // The day's ledger counts these too (a plan already made stands).
        self.store.open_day(&team.id, date, &plan, closes_at(&team, date)).await?;
        Ok(())
    }
}

/// Whom a team's day emails and whom it skips, by the members' status at scheduling. A member
/// away that day by their own choice counts as paused: not asked, so not counted as silent.
fn plan_of(members: &[Member], date: SendDate) -> DayPlan {
    let count = |f: &dyn Fn(&Member) -> bool| members.iter().filter(|m| f(m)).count() as u32;
    DayPlan {
        members: count(&|m| m.asked_on(date)),
        paused: count(&|m| m.status == MemberStatus::Paused || m.away_on(date)),
        unsubscribed: count(&|m| !m.status.receives_email() && m.status != MemberStatus::Paused),
        missed: false,
        answers_close: None,
    }
}

/// When a team's day's ledger closes: after the local day and SES's time to report on it.
fn closes_at(team: &Team, date: SendDate) -> Timestamp {
    team.schedule.end_of_local_day(date) + LEDGER_SETTLE
}
