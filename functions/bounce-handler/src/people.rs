//! Who an event is about. A member's bounce or complaint stops their email and is told to the
//! team's admins in their problem report; an admin's address is told to on-call instead.

use crate::{BounceHandler, HandlerError, LATE_LINE_DAYS};
use jiff::Timestamp;
use morale::domain::{MemberStatus, OutboxItem, OutboxKey, ProblemLine, StatusChange};
use morale::ses_event::Correlation;
use morale::store::StoreError;

impl BounceHandler {
    /// Moves the member to `to` if that outranks their status; notes it for the admins'
    /// digest. `Ok(true)` if the member changed.
    pub(crate) async fn suppress(
        &self,
        c: &Correlation,
        to: MemberStatus,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, HandlerError> {
        let from: Vec<MemberStatus> =
            MemberStatus::ALL.into_iter().filter(|s| s.suppression_rank() < to.suppression_rank()).collect();
        let (member, changed) =
            match self.store.set_status(&c.team, &c.member, StatusChange { from: &from, to, reason, at: now }).await {
                Ok(Some(member)) => (member, true),
                // Already so: perhaps by this very event, handled before and its answer lost;
                // its note for the admins must be there all the same (noting is idempotent).
                Ok(None) => match self.store.get_member(&c.team, &c.member).await? {
                    Some(member) if member.status == to => (member, false),
                    _ => return Ok(false),
                },
                Err(StoreError::NotFound(_)) => {
                    // No longer a member: the admins still hear which address of theirs failed.
                    let key = OutboxKey { team: c.team.clone(), date: c.date, member: c.member.clone() };
                    if let Some(item) = self.store.get_outbox(&key).await? {
                        let line = ProblemLine {
                            address: item.email.to_string(),
                            status: to,
                            removed: true,
                            detail: reason.to_string(),
                            about: None,
                        };
                        self.tell_admins(c, &line, now).await?;
                    }
                    return Ok(false);
                }
                Err(e) => return Err(e.into()),
            };
        let line = ProblemLine {
            address: member.email.to_string(),
            status: to,
            removed: false,
            detail: member.status_reason.as_deref().unwrap_or(reason).to_string(),
            about: None,
        };
        self.tell_admins(c, &line, now).await?;
        Ok(changed)
    }

    /// Adds a line to the admins' report of the email's day. An event can come hours after
    /// that report went out: its line then joins the next day's report that has not, saying
    /// which day it is about; past a week of them, an alert tells it.
    async fn tell_admins(&self, c: &Correlation, line: &ProblemLine, now: Timestamp) -> Result<(), HandlerError> {
        let mut day = c.date;
        let mut text = line.to_string();
        for _ in 0..LATE_LINE_DAYS {
            if self.store.note_problem(&c.team, day, &text, now + self.config.digest_delay).await? {
                return Ok(());
            }
            // Not added: it is there already (an event handled twice), or that report is out.
            match self.store.get_problem_report(&c.team, day).await? {
                Some(r) if r.lines.contains(&text) => return Ok(()),
                _ => {}
            }
            day = day.next_day();
            text = ProblemLine { about: Some(c.date), ..line.clone() }.to_string();
        }
        self.alert(
            format!("Morale: a delivery problem in team {} could not be reported to its admins", c.team),
            format!("The admins' reports for {} and the days after have all gone out already.\n\n{line}", c.date),
        )
        .await;
        Ok(())
    }

    /// An admin's address bounced, or its owner marked Morale's email as spam. Admins are not
    /// members: nothing stops their mail, and their problem report would go to the same
    /// address (a report of a bounce that bounces in turn, every hour). On-call is told, once
    /// per email.
    pub(crate) async fn tell_admin_address(&self, item: &OutboxItem, what: &str, reason: &str) {
        let (team, address) = (&item.key.team, item.email.masked());
        let kind = item.kind.as_str().replace('_', " ");
        self.alert(
            format!("Morale: an admin address of team {team} {what}"),
            format!(
                "The {kind} email of {} to {address}, an admin of team {team}, {what}: {}.\n\
                 Admins are not members: Morale keeps mailing them, and does not add this to the admins' problem \
                 report (it would go to this address too). Check the address with the team, then change its admins \
                 (moralectl team update {team} --admin ...).",
                item.key.date,
                morale::domain::mask_emails(reason)
            ),
        )
        .await;
    }
}
