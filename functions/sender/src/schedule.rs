//! Scheduling: teams whose send time has passed become outbox items, one per active member
//! and local date, and the admins' weekly digest and low-morale alert join them.

use crate::{LOW_STREAK, Report, Sender, SenderError};
use jiff::Timestamp;
use morale::domain::ledger::LEDGER_SETTLE;
use morale::domain::{DayPlan, Member, MemberStatus, OutboxItem, OutboxKey, OutboxKind, SendDate, Team, TeamId};
use morale::insights;
use morale::metrics::{self, Metrics};
use morale::store::StoreError;

impl Sender {
    /// Schedules every team that is due, each on its own: an unreadable team record is
    /// quarantined, and a team that fails is told and left for the next tick.
    pub(crate) async fn schedule_due(
        &self,
        now: Timestamp,
        report: &mut Report,
        m: &mut Metrics,
    ) -> Result<(), StoreError> {
        let due = self.store.due_teams(now).await?;
        let mut problems: Vec<String> = due
            .quarantined
            .iter()
            .map(|u| format!("- a team record cannot be read and was taken out of the schedule: {u}"))
            .collect();
        for team in due.items {
            // One team's failure stops no other team: it is told, and tried again next tick.
            if let Err(e) = self.schedule_team(&team, now, report, m).await {
                tracing::error!(team = %team.id, error = %e, "a team could not be scheduled");
                problems.push(format!("- team {} could not be scheduled: {e}", team.id));
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

    /// Teams whose send instant has passed get one outbox item per active member for that
    /// local date; then their next instant moves on. A send missed during an outage still
    /// goes out later the same local day, never on the next.
    async fn schedule_team(
        &self,
        team: &Team,
        now: Timestamp,
        report: &mut Report,
        m: &mut Metrics,
    ) -> Result<(), StoreError> {
        let Some(expected) = team.next_send_at else { return Ok(()) };
        let everyone = self.store.list_members(&team.id).await?;
        let base = plan_of(&everyone);
        let members: Vec<Member> = everyone.into_iter().filter(|m| m.status.receives_email()).collect();
        let mut at = expected;
        // Bounded: at most a month of missed days is walked in one tick.
        for _ in 0..31 {
            if at > now {
                break;
            }
            let date = team.schedule.local_date(at);
            let plan = DayPlan { answers_close: Some(team.schedule.answers_close(date)), ..base.clone() };
            let mut end = team.schedule.end_of_local_day(date);
            if let Some(grace) = self.config.catch_up_grace {
                end = end.min(at + grace);
            }
            if now < end {
                let mut created = 0;
                for member in &members {
                    let key = OutboxKey { team: team.id.clone(), date, member: member.id.clone() };
                    let item = OutboxItem::new(key, member.email.clone(), at, end, now);
                    if self.store.enqueue(&item).await? {
                        created += 1;
                    }
                }
                report.emails_scheduled += created;
                m.count(metrics::EMAILS_SCHEDULED, created);
                tracing::info!(team = %team.id, %date, created, "scheduled");
                self.schedule_admin_mail(team, date, at, end, now).await?;
                // Planned once its emails are queued: a run that fails before is tried again
                // (the team has not moved on), with the members as they are then. The first
                // plan recorded stands.
                self.store.open_day(&team.id, date, &plan, closes_at(team, date)).await?;
            } else {
                report.sends_missed += 1;
                m.count(metrics::SENDS_MISSED, 1);
                tracing::error!(team = %team.id, %date, "a daily send was missed entirely");
                self.alert(
                    format!("Morale: team {}'s email for {date} was never sent", team.id),
                    format!(
                        "Team {} ({}) was due at {} but no sender ran before the end of its local day {date}. \
                             Nothing was queued for that day; the next send is scheduled as usual. \
                             Check the sender's schedule and errors for that time.",
                        team.id, team.name, at
                    ),
                )
                .await;
                // Told, then recorded: a run that fails between tells twice rather than never.
                let missed = DayPlan { missed: true, ..plan.clone() };
                self.store.open_day(&team.id, date, &missed, closes_at(team, date)).await?;
            }
            at = team.schedule.next_send_after(at);
        }
        if self.store.advance_team(&team.id, expected, at).await? {
            report.teams_scheduled += 1;
        }
        Ok(())
    }

    /// On the team's digest day, the admins' weekly digest; after three hard workdays in a
    /// row, their low-morale alert, once per streak. Both go through the outbox.
    pub(crate) async fn schedule_admin_mail(
        &self,
        team: &Team,
        date: SendDate,
        at: Timestamp,
        end: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if team.admins.is_empty() {
            return Ok(());
        }
        if let Some(d) = team.digest.filter(|d| d.weekday == date.date().weekday()) {
            let on_time = morale::domain::Schedule::new(team.schedule.zone.clone(), d.time, team.schedule.workdays);
            let due = on_time.instant_on(date).unwrap_or(at);
            for admin in &team.admins {
                let item =
                    OutboxItem::for_admin(OutboxKind::Weekly, team.id.clone(), date, admin.clone(), due, end, now);
                self.store.enqueue(&item).await?;
            }
        }
        let from = (0..62).fold(date, |d, _| d.previous_day());
        let days = self.store.list_days(&team.id, from, date.previous_day()).await?;
        let streak = insights::low_streak(&insights::closed(&days), date, team.schedule.workdays, LOW_STREAK);
        if let Some((start, _)) = streak.first() {
            let name = format!("low-morale#{}", team.id);
            let rec = self.store.get_state(&name).await?;
            if rec.as_ref().map(|r| r.data.as_str()) != Some(start.as_str()) {
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
        let plan = plan_of(&everyone);
        for member in everyone {
            if !member.status.receives_email() {
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

/// Whom a team's day emails and whom it skips, by the members' status at scheduling.
fn plan_of(members: &[Member]) -> DayPlan {
    let count = |f: &dyn Fn(MemberStatus) -> bool| members.iter().filter(|m| f(m.status)).count() as u32;
    DayPlan {
        members: count(&|s| s.receives_email()),
        paused: count(&|s| s == MemberStatus::Paused),
        unsubscribed: count(&|s| !s.receives_email() && s != MemberStatus::Paused),
        missed: false,
        answers_close: None,
    }
}

/// When a team's day's ledger closes: after the local day and SES's time to report on it.
fn closes_at(team: &Team, date: SendDate) -> Timestamp {
    team.schedule.end_of_local_day(date) + LEDGER_SETTLE
}
