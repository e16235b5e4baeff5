//! "I'm away until …": a member's own pause, from the link in their daily email. Opening the
//! page changes nothing (scanners open every link), and each form needs what only a person
//! gives: the return date is a field left empty, "I'm back now" a box left unticked. A scanner
//! that submits forms as they come is refused, and nothing changes.

use crate::http::{form_value, parse_form};
use crate::pages;
use crate::refusal::{Outcome, Reject, Stop};
use crate::{HttpRequest, ResponseApi};
use askama::Template;
use jiff::Timestamp;
use morale::domain::{Away, Locale, Member, MemberStatus, SendDate, Team};
use morale::store::StoreError;
use morale::token::{Claims, Purpose};

/// What the page says at the top.
enum Said {
    /// As it stands: away until a day, or not.
    AsItIs,
    /// Just paused, or just back.
    Paused,
    Back,
}

impl ResponseApi {
    /// GET /a/{token}: the member's pause as it stands, and the form to pause. Writes nothing.
    pub(crate) async fn away_page(&self, token: &str, now: Timestamp) -> Result<Outcome, Stop> {
        let (team, claims) = self.away_claims(token, now).await?;
        let member = self.store.get_member(&claims.team, &claims.member).await?.ok_or(Reject::NotMember)?;
        away_page(token, &team, &claims, &member, now, Said::AsItIs)
    }

    /// POST /a/{token} with `back=YYYY-MM-DD`: no daily email until that day.
    pub(crate) async fn go_away(&self, token: &str, req: &HttpRequest, now: Timestamp) -> Result<Outcome, Stop> {
        let (team, claims) = self.away_claims(token, now).await?;
        let (today, last) = bounds(&team, &claims, now);
        let form = parse_form(&req.body);
        let back = form_value(&form, "back").and_then(|s| Member::parse_back_on(s, today, last).ok());
        let Some(back) = back else { return Err(Reject::BadDate.into()) };
        self.set_away(token, &team, &claims, Some(back), now, Said::Paused).await
    }

    /// POST /a/{token}/back with `confirm=yes`: the daily email again from the next send.
    pub(crate) async fn come_back(&self, token: &str, req: &HttpRequest, now: Timestamp) -> Result<Outcome, Stop> {
        let (team, claims) = self.away_claims(token, now).await?;
        if !crate::confirmed(req) {
            return Err(Reject::NotConfirmed.into());
        }
        self.set_away(token, &team, &claims, None, now, Said::Back).await
    }

    async fn away_claims(&self, token: &str, now: Timestamp) -> Result<(Team, Claims), Stop> {
        let claims = self.keys.open(token, Purpose::Away, now)?;
        let team = self.store.get_team(&claims.team).await?.ok_or(Reject::UnknownTeam)?;
        Ok((team, claims))
    }

    async fn set_away(
        &self,
        token: &str,
        team: &Team,
        c: &Claims,
        back: Option<SendDate>,
        now: Timestamp,
        said: Said,
    ) -> Result<Outcome, Stop> {
        let member = match self.store.set_away(&c.team, &c.member, Away { back, at: now }).await {
            Ok(Some(m)) => {
                // Neither who nor until when: that a pause began or ended is enough for a log.
                tracing::info!(away = back.is_some(), "a member's own pause changed");
                m
            }
            // Not active (unsubscribed, bounced, paused by an admin): nothing to pause; the
            // page says so.
            Ok(None) => {
                let m = self.store.get_member(&c.team, &c.member).await?.ok_or(Reject::NotMember)?;
                return away_page(token, team, c, &m, now, Said::AsItIs);
            }
            Err(StoreError::NotFound(_)) => return Err(Reject::NotMember.into()),
            Err(e) => return Err(e.into()),
        };
        away_page(token, team, c, &member, now, said)
    }
}

/// Today in the team's calendar, and the last day a member away from today can be back: 90
/// days ahead, and no later than the link's own last day.
fn bounds(team: &Team, c: &Claims, now: Timestamp) -> (SendDate, SendDate) {
    let today = team.schedule.local_date(now);
    let link_ends = team.schedule.local_date(c.expires).previous_day();
    (today, Member::last_back_on(today, link_ends))
}

fn away_page(token: &str, team: &Team, c: &Claims, m: &Member, now: Timestamp, said: Said) -> Result<Outcome, Stop> {
    let t: Locale = m.locale_in(team);
    let (today, last) = bounds(team, c, now);
    let back = m.away_until.filter(|_| m.away_on(today));
    // Back in another year (a pause over New Year): the year is said.
    let back_text =
        back.map(|d| if d.date().year() == today.date().year() { t.date(d.date()) } else { t.date_year(d.date()) });
    let (heading, message) = match (&said, &back_text) {
        (Said::Back, _) => (t.text("away-back-heading"), t.arg("away-back-body", "team", &team.name)),
        (_, Some(date)) => (t.arg("away-set-heading", "date", date), t.arg("away-set-body", "team", &team.name)),
        (_, None) => (t.text("away-heading"), t.arg("away-body", "team", &team.name)),
    };
    let page = pages::Away {
        t,
        token,
        team_name: &team.name,
        active: m.status == MemberStatus::Active,
        can_pause: last > today,
        // Just back: the form to pause again, not "you are away".
        back_text: if matches!(said, Said::Back) { None } else { back_text },
        heading,
        message,
        changed: !matches!(said, Said::AsItIs),
        first: today.next_day().as_str().to_string(),
        last: last.as_str().to_string(),
        last_text: t.date_year(last.date()),
    };
    Ok(Outcome::Page(200, page.render().expect("the away page renders")))
}
