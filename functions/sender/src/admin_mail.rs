//! The admins' emails, all sent through the outbox: the weekly digest, the low-morale alert,
//! and the report of a day's delivery problems.

use crate::drain::TeamData;
use crate::send::Ctx;
use crate::{LOW_STREAK, Sender};
use jiff::{SignedDuration, Timestamp};
use morale::domain::{Ledger, Member, OutboxItem, OutboxKind, ProblemReport, SendDate, Team, TeamId, mask_emails};
use morale::email::{DailyEmail, WeeklyMembers};
use morale::insights;
use morale::mail::OutgoingEmail;
use morale::store::StoreError;
use morale::tags;

/// A problem report not sent by then is failed (and alerted) like any email out of time.
const PROBLEM_REPORT_LIFETIME: SignedDuration = SignedDuration::from_hours(24);

impl Sender {
    /// Reports of delivery problems (bounced and complaining members) that are due become one
    /// outbox item per admin, once per team and day; the drain sends them like every other
    /// email (claimed, paced, behind the circuit breaker, to current admins only). Returns how
    /// many reports were queued.
    pub(crate) async fn queue_problem_reports(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut queued = 0;
        for report in self.store.due_problem_reports(now).await? {
            let team = match self.store.get_team(&report.team).await {
                Ok(team) => team,
                // Its admins cannot be read: the report goes to on-call, who must repair the
                // record anyway. It must not stop every other team's emails.
                Err(StoreError::Corrupt { key, reason }) => {
                    let why = format!(
                        "The team's record {key} cannot be read ({}), so its admins cannot be told of these \
                         delivery problems; they come here instead. Repair the record (moralectl team show {} \
                         says what is wrong), then tell the admins.",
                        mask_emails(&reason),
                        report.team
                    );
                    self.report_to_on_call(&report, "whose record cannot be read", &why).await;
                    None
                }
                Err(e) => return Err(e),
            };
            if let Some(team) = team {
                if team.admins.is_empty() {
                    // Nobody in the team to tell: on-call hears instead (before the report is
                    // marked queued, so that a failure between the two tells twice, not never).
                    tracing::warn!(team = %team.id, lines = report.lines.len(), "delivery problems, but the team has no admins to tell");
                    let why = format!(
                        "Team {} has no admins to receive its report of delivery problems; it comes here instead \
                         (moralectl suppressions list shows the addresses). Add an admin with moralectl team \
                         update {} --admin ...",
                        team.id, team.id
                    );
                    self.report_to_on_call(&report, "which has no admins", &why).await;
                }
                for admin in &team.admins {
                    let item = OutboxItem::for_admin(
                        OutboxKind::ProblemReport,
                        team.id.clone(),
                        report.date,
                        admin.clone(),
                        now,
                        now + PROBLEM_REPORT_LIFETIME,
                        now,
                    );
                    // An item already there (an overlapping tick queued it) is the same email.
                    self.store.enqueue(&item).await?;
                }
            }
            if self.store.mark_problem_report_queued(&report.team, report.date, now).await? {
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// A team's report of delivery problems, to on-call instead of its admins: `about` the
    /// team, `why`, and the report's lines, their addresses masked.
    async fn report_to_on_call(&self, report: &ProblemReport, about: &str, why: &str) {
        let mut lines: Vec<String> = report.lines.iter().map(|l| format!("- {}", mask_emails(l))).collect();
        if report.is_full() {
            lines.push(format!("- (a report lists {} problems at most: there may be more)", ProblemReport::MAX_LINES));
        }
        self.alert(
            format!("Morale: delivery problems in team {} for {}, {about}", report.team, report.date),
            format!("{why}\n\n{}", lines.join("\n")),
        )
        .await;
    }
}

impl Ctx {
    /// The daily emails of a team's days `from..=to` by how they ended, from the days' ledgers
    /// (a day not closed yet counted as it stands). `None` if no day was planned.
    async fn delivery(&self, team: &TeamId, from: SendDate, to: SendDate) -> Result<Option<Ledger>, StoreError> {
        let days = self.store.list_days(team, from, to).await?;
        let mut week = Ledger::default();
        for day in &days {
            match &day.closed {
                Some(l) => week.add(l),
                None => week.add(&Ledger::so_far(&day.plan, &self.store.list_outbox(team, Some(day.date)).await?)),
            }
        }
        // The digest says who is paused or unsubscribed now; summed over days, these mislead.
        (week.skipped_paused, week.skipped_unsubscribed) = (0, 0);
        Ok((!days.is_empty()).then_some(week))
    }

    /// The weekly digest, the low-morale alert or the report of delivery problems, for one admin.
    /// `None` when there is nothing to say any more (the report is gone).
    pub(crate) async fn compose_admin(
        &self,
        team: &Team,
        data: &TeamData,
        item: &OutboxItem,
        now: Timestamp,
    ) -> Result<Option<OutgoingEmail>, StoreError> {
        use morale::domain::MemberStatus::{Bounced, Complained, Paused, Unsubscribed};
        let date = item.key.date;
        if item.kind == OutboxKind::ProblemReport {
            let Some(report) = self.store.get_problem_report(&team.id, date).await? else { return Ok(None) };
            let rendered = self.renderer.problem_report(team.locale, &team.name, date, &report.lines, report.is_full());
            return Ok(Some(rendered.to(item.email.clone(), tags::for_outbox(item))));
        }
        let back = |n: usize| (0..n).fold(date, |d, _| d.previous_day());
        let closed = insights::closed(&self.store.list_days(&team.id, back(62), date.previous_day()).await?);
        let trend_url = self.renderer.trend_url(team, &item.email, date, now);
        let rendered = match item.kind {
            OutboxKind::Weekly => {
                let this = insights::week(&closed, back(7), back(1), &team.schedule);
                let last = insights::week(&closed, back(14), back(8), &team.schedule);
                let count = |s| data.members.values().filter(|m| m.status == s).count();
                let mut members = WeeklyMembers {
                    active: data.members.values().filter(|m| m.asked_on(date)).count(),
                    stopped: [Bounced, Complained, Unsubscribed, Paused].into_iter().map(|s| (s, count(s))).collect(),
                    away: data.members.values().filter(|m| m.away_on(date)).count(),
                    delivery: None,
                };
                // Best effort: a record that cannot be read must not hold the digest (or the drain).
                match self.delivery(&team.id, back(7), back(1)).await {
                    Ok(week) => members.delivery = week,
                    Err(e) => tracing::warn!(team = %team.id, error = %e, "the week's delivery line is left out"),
                }
                self.renderer.weekly(team, &this, &last, &members, &trend_url)
            }
            _ => {
                let streak = insights::low_streak(&closed, date, &team.schedule, LOW_STREAK);
                self.renderer.low_morale(team, &streak, &trend_url)
            }
        };
        Ok(Some(rendered.to(item.email.clone(), tags::for_outbox(item))))
    }

    pub(crate) fn compose(
        &self,
        team: &Team,
        member: &Member,
        date: SendDate,
        item: &OutboxItem,
        now: Timestamp,
    ) -> OutgoingEmail {
        let rendered = self.renderer.daily(
            &DailyEmail {
                team: &team.id,
                team_name: &team.name,
                member: &member.id,
                member_name: member.name.as_deref(),
                date,
                answers_close: team.schedule.answers_close(date),
                locale: member.locale_in(team),
                min_voters: team.privacy.min_voters(),
            },
            now,
        );
        rendered.to(item.email.clone(), tags::for_outbox(item))
    }
}
