//! The admins' emails: the weekly digest and the low-morale alert (composed for the outbox),
//! and the digest of delivery problems.

use crate::drain::TeamData;
use crate::send::Ctx;
use crate::{LOW_STREAK, Sender};
use jiff::Timestamp;
use morale::domain::{Member, OutboxItem, OutboxKind, SendDate, Team};
use morale::email::DailyEmail;
use morale::insights;
use morale::mail::OutgoingEmail;
use morale::store::StoreError;
use morale::tags;

impl Sender {
    /// Admins' digests of delivery problems (bounced and complaining members) that are due:
    /// at most one per team per day. One that cannot go out now is tried again next tick.
    pub(crate) async fn send_digests(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut sent = 0;
        for d in self.store.due_digests(now).await? {
            let Some(team) = self.store.get_team(&d.team).await? else {
                self.store.mark_digest_sent(&d.team, d.date, now).await?;
                continue;
            };
            let rendered = self.renderer.digest(&team.name, d.date, &d.lines);
            let mut ok = true;
            for admin in &team.admins {
                let email = rendered.clone().to(admin.clone(), tags::for_other("digest", Some(&team.id)));
                if let Err(e) = self.mailer.send(&email).await {
                    let error = morale::domain::mask_emails(&e.to_string());
                    tracing::warn!(team = %team.id, %error, "the admins' digest could not be sent; next tick tries again");
                    ok = false;
                    break;
                }
            }
            if team.admins.is_empty() {
                tracing::warn!(team = %team.id, lines = d.lines.len(), "delivery problems, but the team has no admins to tell");
            }
            if ok && self.store.mark_digest_sent(&d.team, d.date, now).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }
}

impl Ctx {
    /// The weekly digest or the low-morale alert, for one admin.
    pub(crate) async fn compose_admin(
        &self,
        team: &Team,
        data: &TeamData,
        item: &OutboxItem,
        now: Timestamp,
    ) -> Result<OutgoingEmail, StoreError> {
        use morale::domain::MemberStatus::{Bounced, Complained, Paused, Unsubscribed};
        let date = item.key.date;
        let back = |n: usize| (0..n).fold(date, |d, _| d.previous_day());
        let responses = self.store.list_responses(&team.id, back(62), date.previous_day()).await?;
        let trend_url = self.renderer.trend_url(&team.id, &item.email, date, now);
        let rendered = match item.kind {
            OutboxKind::Weekly => {
                let active = data.members.values().filter(|m| m.status.receives_email()).count();
                let this = insights::week(&responses, back(7), back(1), team.schedule.workdays, active);
                let last = insights::week(&responses, back(14), back(8), team.schedule.workdays, active);
                let count = |s| data.members.values().filter(|m| m.status == s).count();
                let problems: Vec<String> = [
                    (Bounced, "bounced"),
                    (Complained, "complained"),
                    (Unsubscribed, "unsubscribed"),
                    (Paused, "paused"),
                ]
                .into_iter()
                .filter(|(s, _)| count(*s) > 0)
                .map(|(s, what)| format!("{} {what}", count(s)))
                .collect();
                let problems = if problems.is_empty() {
                    format!("All {active} members get the daily email.")
                } else {
                    format!(
                        "{active} members get the daily email; {}. `moralectl suppressions list` names the addresses.",
                        problems.join(", ")
                    )
                };
                self.renderer.weekly(&team.name, &this, &last, &problems, &trend_url)
            }
            _ => {
                let streak = insights::low_streak(&responses, date, team.schedule.workdays, LOW_STREAK);
                self.renderer.low_morale(&team.name, &streak, &trend_url)
            }
        };
        Ok(rendered.to(item.email.clone(), tags::for_outbox(item)))
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
            },
            now,
        );
        rendered.to(item.email.clone(), tags::for_outbox(item))
    }
}
