//! The response API: the pages behind the links in the daily email.
//!
//! - `GET /r/{token}` (one opaque token per answer) shows the five answers with the link's own
//!   chosen, and a comment box, and never writes: corporate mail scanners open every link in
//!   every email, some with script. Nothing on the page submits itself: a person taps "Send".
//! - `POST /r` (`t=<token>`, `s=N`, optional `comment`, all in the body: nothing about the
//!   answer in the URL) records the vote under a pseudonymous voter key — one vote per person
//!   per day, the latest wins; different answers within seconds are a scanner's and are
//!   quarantined — and thanks.
//! - `GET /u/{token}` asks; `POST /u/{token}` unsubscribes (RFC 8058 one-click too);
//!   `POST /u/{token}/resubscribe` undoes it.
//!
//! A bad, forged or expired token, or a bad score, gets a friendly 4xx page and writes nothing.

mod http;
#[cfg(feature = "local")]
pub mod local;
pub mod pages;
mod refusal;
pub mod trend;

use askama::Template;
use jiff::Timestamp;
use morale::clock::Clock;
use morale::domain::Score;
use morale::domain::StatusChange;
use morale::domain::{Member, MemberStatus, Response, Team};
use morale::metrics::{self, Metrics};
use morale::store::{DayStore, MemberStore, ResponseStore, StoreError, StoreResult, TeamStore};
use morale::token::{Claims, Purpose, TokenError, TokenKeys};
use morale::voter::{DaySalt, VoterSecret};
use pages::CSS;
use std::sync::Arc;

pub use http::{HttpRequest, HttpResponse, router};
use http::{date_text, form_value, parse_form, query_param, route_name, with_headers};
use refusal::{Outcome, Reject, Stop};

/// Bodies larger than this are refused: a vote with a 1,000-character comment is far smaller.
pub const MAX_BODY: usize = 16 * 1024;
pub const MAX_COMMENT: usize = 1000;
const MAX_TARGET: usize = 2048;

/// What the response API reads and changes: a team, its members' subscription, responses, and
/// its closed days' figures.
pub trait ApiStore: TeamStore + MemberStore + ResponseStore + DayStore {}
impl<T: TeamStore + MemberStore + ResponseStore + DayStore> ApiStore for T {}

pub struct ResponseApi {
    pub store: Arc<dyn ApiStore>,
    pub keys: TokenKeys,
    /// The voters' key: the response API's alone (see `morale::voter`).
    pub voters: VoterSecret,
    pub clock: Arc<dyn Clock>,
}

impl ResponseApi {
    /// Handles one request. Never fails: store errors become a 503 page (and the request can
    /// simply be repeated), everything else a friendly page.
    pub async fn handle(&self, req: &HttpRequest) -> HttpResponse {
        let mut m = Metrics::new();
        let mut routed = self.route(req, &mut m).await;
        // A link sealed with a key this function does not hold yet (it was frozen through a
        // rotation): read the keys again, at most once a minute, and try once more.
        if matches!(routed, Err(Stop::Refused(Reject::Token(TokenError::UnknownKey))))
            && self.keys.reload_if_older(std::time::Duration::from_secs(60)).await
        {
            routed = self.route(req, &mut m).await;
        }
        let resp = match routed {
            Ok(Outcome::Page(status, body)) => with_headers(status, "text/html; charset=utf-8", body),
            Ok(Outcome::Csv(body)) => {
                let mut r = with_headers(200, "text/csv; charset=utf-8", body);
                r.headers.push(("Content-Disposition", "attachment; filename=\"morale-trend.csv\"".into()));
                r
            }
            Err(Stop::Refused(r)) => {
                // One metric, the reason in the log: a metric per reason would be billed apiece.
                m.count(metrics::RESPONSES_REJECTED, 1);
                tracing::info!(reason = r.reason(), status = r.status(), "request refused");
                let (title, message) = r.title_and_message();
                let mut resp = self.respond(req, r.status(), title, message, r.reason());
                if let Reject::Method(allow) = r {
                    resp.headers.push(("Allow", allow.to_string()));
                }
                resp
            }
            Err(Stop::Store(e)) => {
                m.count(metrics::RESPONSES_UNAVAILABLE, 1);
                tracing::error!(error = %e, "the table could not be reached");
                self.respond(
                    req,
                    503,
                    "Please try again",
                    "Your answer could not be saved just now. Please try the link again in a minute.",
                    "unavailable",
                )
            }
        };
        // Logs carry neither tokens nor addresses: the route's shape and the outcome only.
        tracing::info!(method = %req.method, route = route_name(&req.path), status = resp.status, "request");
        m.flush();
        resp
    }

    fn respond(&self, req: &HttpRequest, status: u16, title: &str, message: &str, code: &str) -> HttpResponse {
        if req.accept.contains("application/json") {
            let body = serde_json::json!({"error": code, "message": message}).to_string();
            return with_headers(status, "application/json", body);
        }
        let body = pages::ErrorPage { css: CSS, title, message }.render().expect("error page renders");
        with_headers(status, "text/html; charset=utf-8", body)
    }

    async fn route(&self, req: &HttpRequest, m: &mut Metrics) -> Result<Outcome, Stop> {
        if req.path.len() + req.query.len() > MAX_TARGET {
            return Err(Reject::NotFound.into());
        }
        if req.body.len() > MAX_BODY {
            return Err(Reject::TooLarge.into());
        }
        let parts: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
        let method = req.method.as_str();
        let get = method == "GET" || method == "HEAD";
        let now = self.clock.now();
        match (parts.as_slice(), get, method) {
            (["r", token], true, _) => self.confirm(token, now).await,
            (["r", _], _, _) => Err(Reject::Method("GET, HEAD").into()),
            (["r"], false, "POST") => self.record(req, now, m).await,
            (["r"], _, _) => Err(Reject::Method("POST").into()),
            (["u", token], true, _) => self.unsubscribe_page(token, now).await,
            (["u", token], false, "POST") => self.unsubscribe(token, now).await,
            (["u", token, "resubscribe"], false, "POST") => self.resubscribe(token, now).await,
            (["u", _], _, _) => Err(Reject::Method("GET, HEAD, POST").into()),
            (["u", _, "resubscribe"], _, _) => Err(Reject::Method("POST").into()),
            (["t", token], true, _) => self.trend(token, req, now, false).await,
            (["t", token, "export.csv"], true, _) => self.trend(token, req, now, true).await,
            (["t", ..], _, _) => Err(Reject::Method("GET, HEAD").into()),
            _ => Err(Reject::NotFound.into()),
        }
    }

    async fn team(&self, c: &Claims) -> Result<Team, Stop> {
        self.store.get_team(&c.team).await?.ok_or(Stop::Refused(Reject::UnknownTeam))
    }

    /// The team of an answer link that may still be used: its day takes answers until they
    /// close, by the team's schedule or by the day's own close (the sender's; the schedule may
    /// have moved since), whichever is first, and never once its figures are fixed (who voted
    /// is forgotten then, and must stay so); and its member is still on the team.
    async fn answerable(&self, c: &Claims, now: Timestamp) -> Result<Team, Stop> {
        let team = self.team(c).await?;
        let mut close = team.schedule.answers_close(c.date);
        if let Some(day) = self.store.get_day(&c.team, c.date).await? {
            close = close.min(day.answers_close());
            if day.tally.is_some() {
                return Err(Reject::DayClosed.into());
            }
        }
        if now >= close {
            return Err(Reject::DayClosed.into());
        }
        if self.store.get_member(&c.team, &c.member).await?.is_none() {
            return Err(Reject::NotMember.into());
        }
        Ok(team)
    }

    /// GET /r/{token}: the answer form, the link's own answer chosen. Writes nothing.
    async fn confirm(&self, token: &str, now: Timestamp) -> Result<Outcome, Stop> {
        let claims = self.keys.open(token, Purpose::Answer, now)?;
        let team = self.answerable(&claims, now).await?;
        let page = pages::Confirm {
            css: CSS,
            team_name: &team.name,
            date_text: &date_text(claims.date),
            form: pages::AnswerForm::new(token, claims.score, ""),
        };
        Ok(Outcome::Page(200, page.render().expect("confirm page renders")))
    }

    /// POST /r: records the vote, thanks, and offers to change it.
    async fn record(&self, req: &HttpRequest, now: Timestamp, m: &mut Metrics) -> Result<Outcome, Stop> {
        let form = parse_form(&req.body);
        let token = form_value(&form, "t").unwrap_or_default();
        let claims = self.keys.open(token, Purpose::Answer, now)?;
        let Some(score) = form_value(&form, "s").and_then(|s| Score::parse(s).ok()) else {
            return Err(Reject::BadScore.into());
        };
        let comment = form_value(&form, "comment").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
        if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
            return Err(Reject::CommentTooLong.into());
        }
        let team = self.answerable(&claims, now).await?;
        let Some(salt) = self.store.day_salt(&claims.team, claims.date, &DaySalt::random()).await? else {
            return Err(Reject::DayClosed.into());
        };
        let voter = self.voters.pseudonym(&claims.team, claims.date, &claims.member, &salt);
        let post =
            Response::new(claims.team.clone(), claims.date, voter, score, comment.clone(), now).via(claims.score);
        let stored = self.store.put_response(&post).await?;
        let quarantined = stored.quarantined();
        m.count(if quarantined { metrics::RESPONSES_QUARANTINED } else { metrics::RESPONSES_RECORDED }, 1);
        let page = pages::Thanks {
            css: CSS,
            team_name: &team.name,
            date_text: &date_text(claims.date),
            answer: score.into(),
            comment_saved: comment.is_some() && !quarantined,
            quarantined,
            form: pages::AnswerForm::new(token, Some(score), comment.as_deref().unwrap_or("")),
        };
        Ok(Outcome::Page(200, page.render().expect("thanks page renders")))
    }

    /// GET /t/{token}: the team's trend for its admins; `/export.csv` the same as CSV.
    async fn trend(&self, token: &str, req: &HttpRequest, now: Timestamp, csv: bool) -> Result<Outcome, Stop> {
        let claims = self.keys.open(token, Purpose::Admin, now)?;
        let team = self.team(&claims).await?;
        if !team.admins.iter().any(|a| team.member_id(a) == claims.member) {
            return Err(Reject::NotAdmin.into());
        }
        if team.link_revoked(&claims.member, claims.issued) {
            return Err(Reject::Revoked.into());
        }
        let days: u16 = match query_param(&req.query, "days").as_deref() {
            None | Some("30") => 30,
            Some("90") => 90,
            Some(_) => return Err(Reject::NotFound.into()),
        };
        let to = team.schedule.local_date(now);
        let from = (1..days).fold(to, |d, _| d.previous_day());
        // Closed days only, from their fixed figures: what a page shows never changes after.
        let closed = morale::insights::closed(&self.store.list_days(&team.id, from, to).await?);
        let all_days = morale::insights::daily(&closed, from, to);
        if csv {
            return Ok(Outcome::Csv(trend::csv(&all_days)));
        }
        let members = self.store.list_members(&team.id).await?;
        let active = members.iter().filter(|m| m.status.receives_email()).count();
        let workdays: Vec<&morale::insights::Day> =
            all_days.iter().filter(|d| team.schedule.is_send_day(d.date)).collect();
        let participation = morale::insights::participation(&workdays)
            .map(|p| format!("{:.0}%", 100.0 * p))
            .unwrap_or_else(|| "-".into());
        let statuses: Vec<String> = [
            (MemberStatus::Paused, "paused"),
            (MemberStatus::Unsubscribed, "unsubscribed"),
            (MemberStatus::Bounced, "bounced (suppressed)"),
            (MemberStatus::Complained, "complained (suppressed)"),
        ]
        .into_iter()
        .filter_map(|(s, what)| {
            let n = members.iter().filter(|m| m.status == s).count();
            (n > 0).then(|| format!("{n} {what}"))
        })
        .collect();
        let week_from = (1..7).fold(to, |d, _| d.previous_day());
        let mut comments: Vec<String> = all_days
            .iter()
            .filter(|d| d.date >= week_from)
            .filter_map(|d| d.figures.as_ref())
            .flat_map(|f| f.comments.iter().cloned())
            .collect();
        comments.sort();
        let closed_workdays = workdays.iter().filter(|d| d.closed).count();
        let page = pages::Trend {
            css: CSS,
            token,
            team_name: &team.name,
            days,
            mean: morale::insights::mean_of(&all_days).map(|m| format!("{m:.2}")).unwrap_or_else(|| "–".into()),
            participation,
            enough_days: format!("{} of {}", all_days.iter().filter(|d| d.enough()).count(), closed_workdays),
            chart: trend::Chart::new(&all_days),
            active,
            statuses,
            comments,
            min_voters: team.privacy.min_voters(),
            min_commenters: team.privacy.min_commenters(),
        };
        Ok(Outcome::Page(200, page.render().expect("trend page renders")))
    }

    async fn unsubscribe_page(&self, token: &str, now: Timestamp) -> Result<Outcome, Stop> {
        let claims = self.keys.open(token, Purpose::Unsubscribe, now)?;
        let team = self.team(&claims).await?;
        let page = pages::Unsubscribe { css: CSS, token, team_name: &team.name };
        Ok(Outcome::Page(200, page.render().expect("unsubscribe page renders")))
    }

    /// POST /u/{token}: from the page's button, or a mail client's RFC 8058 one-click
    /// (`List-Unsubscribe=One-Click`). Either way the member is unsubscribed.
    async fn unsubscribe(&self, token: &str, now: Timestamp) -> Result<Outcome, Stop> {
        let from = [MemberStatus::Active, MemberStatus::Paused];
        let (team, changed) = self.subscription(token, now, &from, MemberStatus::Unsubscribed).await?;
        let (heading, message, offer) = match changed {
            Ok(_) => (
                "You are unsubscribed",
                format!(
                    "You will not get {}'s daily email any more. Changed your mind? Re-subscribe below.",
                    team.name
                ),
                true,
            ),
            Err(StoreError::NotFound(_)) => (
                "You are not on this list",
                format!("You are no longer a member of {}: nothing to do.", team.name),
                false,
            ),
            Err(e) => return Err(e.into()),
        };
        subscription_page(token, &team, heading, &message, offer)
    }

    async fn resubscribe(&self, token: &str, now: Timestamp) -> Result<Outcome, Stop> {
        let (team, changed) =
            self.subscription(token, now, &[MemberStatus::Unsubscribed], MemberStatus::Active).await?;
        let (heading, message) = match changed {
            Ok(Some(_)) => {
                ("Welcome back", format!("You will get {}'s daily email again from the next workday.", team.name))
            }
            // Bounced or complained addresses are not re-subscribed by a link.
            Ok(None) => (
                "Nothing to change",
                format!("Your subscription to {} was not changed. An admin of the team can help.", team.name),
            ),
            Err(StoreError::NotFound(_)) => {
                ("You are not on this list", format!("You are no longer a member of {}.", team.name))
            }
            Err(e) => return Err(e.into()),
        };
        subscription_page(token, &team, heading, &message, false)
    }

    /// Verifies an unsubscribe token, then changes its member's status from one of `from` to
    /// `to`: the team, and what the store answered.
    async fn subscription(
        &self,
        token: &str,
        now: Timestamp,
        from: &[MemberStatus],
        to: MemberStatus,
    ) -> Result<(Team, StoreResult<Option<Member>>), Stop> {
        let claims = self.keys.open(token, Purpose::Unsubscribe, now)?;
        let team = self.team(&claims).await?;
        let reason = if to == MemberStatus::Active { "re-subscribed by link" } else { "unsubscribed by link" };
        let change = StatusChange { from, to, reason, at: now };
        Ok((team, self.store.set_status(&claims.team, &claims.member, change).await))
    }
}

fn subscription_page(token: &str, team: &Team, heading: &str, message: &str, offer: bool) -> Result<Outcome, Stop> {
    let page =
        pages::Unsubscribed { css: CSS, token, team_name: &team.name, heading, message, offer_resubscribe: offer };
    Ok(Outcome::Page(200, page.render().expect("the subscription page renders")))
}
