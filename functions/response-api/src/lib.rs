//! The response API: the pages behind the links in the daily email.
//!
//! - `GET /r/{token}` (one opaque token per answer) shows the five answers with the link's own
//!   chosen, and a comment box, and never writes: corporate mail scanners open every link in
//!   every email, some with script. Nothing on the page submits itself: a person taps "Send".
//! - `POST /r` (`t=<token>`, `s=N`, optional `comment`, all in the body: nothing about the
//!   answer in the URL) records the vote under a pseudonymous voter key — one vote per person
//!   per day, the latest wins; different answers within seconds are a scanner's and are
//!   quarantined — and thanks.
//! - `GET /u/{token}` asks; `POST /u/{token}` unsubscribes, from the page's form with its box
//!   ticked (`confirm=yes`) or a mail client's RFC 8058 one-click (`List-Unsubscribe=One-Click`,
//!   urlencoded or multipart); `POST /u/{token}/resubscribe` (`confirm=yes`) undoes it. A
//!   scanner submitting the forms as they came is refused.
//! - `GET /a/{token}` ("I'm away until …") asks for the day the member is back; `POST /a/{token}`
//!   (`back=YYYY-MM-DD`, which only a person picks) pauses their email until then;
//!   `POST /a/{token}/back` (`confirm=yes`, a box only a person ticks) ends the pause now.
//!
//! Pages speak the member's language (or the team's); a refusal, whose link may say nothing,
//! speaks the browser's.
//!
//! A bad, forged or expired token, or a bad score, gets a friendly 4xx page and writes nothing.

mod away;
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
use morale::domain::{Locale, Member, MemberStatus, Response, Team};
use morale::metrics::{self, Metrics};
use morale::store::{DayStore, MemberStore, ResponseStore, StoreError, StoreResult, TeamStore};
use morale::token::{Claims, Purpose, TokenError, TokenKeys};
use morale::voter::{DaySalt, VoterSecret};
use std::sync::Arc;

pub use http::{HttpRequest, HttpResponse, router};
use http::{form_value, multipart_value, parse_form, query_param, route_name, with_headers};
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
                // A refusal's link may say nothing of its reader: the browser's language.
                let t = Locale::negotiate(&req.accept_language);
                let (title, message) = r.title_and_message(t);
                let mut resp = self.respond(req, t, r.status(), &title, &message, r.reason());
                if let Reject::Method(allow) = r {
                    resp.headers.push(("Allow", allow.to_string()));
                }
                resp
            }
            Err(Stop::Store(e)) => {
                m.count(metrics::RESPONSES_UNAVAILABLE, 1);
                tracing::error!(error = %e, "the table could not be reached");
                let t = Locale::negotiate(&req.accept_language);
                let (title, message) = (t.text("error-unavailable-title"), t.text("error-unavailable-body"));
                self.respond(req, t, 503, &title, &message, "unavailable")
            }
        };
        // Logs carry neither tokens nor addresses: the route's shape and the outcome only.
        tracing::info!(method = %req.method, route = route_name(&req.path), status = resp.status, "request");
        m.flush();
        resp
    }

    fn respond(
        &self,
        req: &HttpRequest,
        t: Locale,
        status: u16,
        title: &str,
        message: &str,
        code: &str,
    ) -> HttpResponse {
        if req.accept.contains("application/json") {
            let body = serde_json::json!({"error": code, "message": message}).to_string();
            return with_headers(status, "application/json", body);
        }
        let body = pages::ErrorPage { t, title, message }.render().expect("error page renders");
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
            (["u", token], false, "POST") => self.unsubscribe(token, req, now).await,
            (["u", token, "resubscribe"], false, "POST") => self.resubscribe(token, req, now).await,
            (["u", _], _, _) => Err(Reject::Method("GET, HEAD, POST").into()),
            (["u", _, "resubscribe"], _, _) => Err(Reject::Method("POST").into()),
            (["t", token], true, _) => self.trend(token, req, now, false).await,
            (["t", token, "export.csv"], true, _) => self.trend(token, req, now, true).await,
            (["t", ..], _, _) => Err(Reject::Method("GET, HEAD").into()),
            (["a", token], true, _) => self.away_page(token, now).await,
            (["a", token], false, "POST") => self.go_away(token, req, now).await,
            (["a", token, "back"], false, "POST") => self.come_back(token, req, now).await,
            (["a", _], _, _) => Err(Reject::Method("GET, HEAD, POST").into()),
            (["a", _, "back"], _, _) => Err(Reject::Method("POST").into()),
            _ => Err(Reject::NotFound.into()),
        }
    }

    async fn team(&self, c: &Claims) -> Result<Team, Stop> {
        self.store.get_team(&c.team).await?.ok_or(Stop::Refused(Reject::UnknownTeam))
    }

    /// The team of an answer link that may still be used: its day takes answers until they
    /// close, by the team's schedule or by the day's own close (the sender's; the schedule may
    /// have moved since), whichever is first, and never once its figures are fixed (who voted
    /// is forgotten then, and must stay so); and its member is still on the team (the team
    /// and the language the member reads).
    async fn answerable(&self, c: &Claims, now: Timestamp) -> Result<(Team, Locale), Stop> {
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
        let Some(member) = self.store.get_member(&c.team, &c.member).await? else {
            return Err(Reject::NotMember.into());
        };
        let t = member.locale_in(&team);
        Ok((team, t))
    }

    /// The language of a link's member: theirs, or the team's (also for a member removed).
    async fn locale_of(&self, team: &Team, c: &Claims) -> Result<Locale, Stop> {
        Ok(self.store.get_member(&c.team, &c.member).await?.map_or(team.locale, |m| m.locale_in(team)))
    }

    /// GET /r/{token}: the answer form, the link's own answer chosen. Writes nothing.
    async fn confirm(&self, token: &str, now: Timestamp) -> Result<Outcome, Stop> {
        let claims = self.keys.open(token, Purpose::Answer, now)?;
        let (team, t) = self.answerable(&claims, now).await?;
        let page = pages::Confirm {
            t,
            team_name: &team.name,
            date_text: &t.date(claims.date.date()),
            form: pages::AnswerForm::new(t, token, claims.score, ""),
            privacy: t.num("answer-nothing-yet", "min", team.privacy.min_voters()),
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
        // A browser counts a line break as one character against the field's maxlength and
        // sends it as two (CRLF): kept as one, so that what the field took is never too long.
        let comment = form_value(&form, "comment")
            .map(|c| c.trim().replace("\r\n", "\n").replace('\r', "\n"))
            .filter(|c| !c.is_empty());
        if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
            return Err(Reject::CommentTooLong.into());
        }
        let (team, t) = self.answerable(&claims, now).await?;
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
            t,
            team_name: &team.name,
            date_text: &t.date(claims.date.date()),
            answer: pages::Answer::new(score, t),
            comment_saved: comment.is_some() && !quarantined,
            quarantined,
            form: pages::AnswerForm::new(t, token, Some(score), comment.as_deref().unwrap_or("")),
            privacy: t.num("answer-privacy", "min", team.privacy.min_voters()),
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
        let t = team.locale;
        let members = self.store.list_members(&team.id).await?;
        let today = team.schedule.local_date(now);
        let active = members.iter().filter(|m| m.asked_on(today)).count();
        let workdays: Vec<&morale::insights::Day> =
            all_days.iter().filter(|d| team.schedule.is_send_day(d.date)).collect();
        let participation =
            morale::insights::participation(&workdays).map(|p| t.percent(p)).unwrap_or_else(|| "–".into());
        let away = members.iter().filter(|m| m.away_on(today)).count();
        let statuses: Vec<String> =
            [MemberStatus::Paused, MemberStatus::Unsubscribed, MemberStatus::Bounced, MemberStatus::Complained]
                .into_iter()
                .map(|s| (s.as_str(), members.iter().filter(|m| m.status == s).count()))
                .chain([("away", away)])
                .filter(|(_, n)| *n > 0)
                .map(|(what, n)| t.count(&format!("members-{what}"), n))
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
        let enough = all_days.iter().filter(|d| d.enough()).count() as i64;
        let (voters, commenters) = (team.privacy.min_voters(), team.privacy.min_commenters());
        let members = [t.count("trend-active", active)].into_iter().chain(statuses).collect::<Vec<_>>();
        let page = pages::Trend {
            t,
            token,
            team_name: &team.name,
            period: t.args("trend-period", &[("team", team.name.clone().into()), ("days", i64::from(days).into())]),
            days,
            mean: morale::insights::mean_of(&all_days).map(|m| t.decimal(m, 2)).unwrap_or_else(|| "–".into()),
            participation,
            enough_days: t.args("trend-of", &[("n", enough.into()), ("total", (closed_workdays as i64).into())]),
            chart: trend::Chart::new(&all_days, t),
            members: t.sentence(&members),
            rows: trend::rows(&all_days, t),
            comments,
            min_voters: voters,
            note: t.args(
                "trend-note",
                &[("voters", i64::from(voters).into()), ("commenters", i64::from(commenters).into())],
            ),
        };
        Ok(Outcome::Page(200, page.render().expect("trend page renders")))
    }

    async fn unsubscribe_page(&self, token: &str, now: Timestamp) -> Result<Outcome, Stop> {
        let claims = self.keys.open(token, Purpose::Unsubscribe, now)?;
        let team = self.team(&claims).await?;
        let t = self.locale_of(&team, &claims).await?;
        let page = pages::Unsubscribe { t, token, team_name: &team.name };
        Ok(Outcome::Page(200, page.render().expect("unsubscribe page renders")))
    }

    /// POST /u/{token}: a mail client's RFC 8058 one-click (`List-Unsubscribe=One-Click`), or
    /// the page's form with its box ticked (`confirm=yes`). A scanner that submits the form as
    /// it came is refused, and nothing changes.
    async fn unsubscribe(&self, token: &str, req: &HttpRequest, now: Timestamp) -> Result<Outcome, Stop> {
        let one_click = form_value(&parse_form(&req.body), "List-Unsubscribe") == Some("One-Click")
            || multipart_value(&req.content_type, &req.body, "List-Unsubscribe").as_deref() == Some("One-Click");
        let asked = one_click || confirmed(req);
        let from = [MemberStatus::Active, MemberStatus::Paused];
        let (team, t, changed) = self.subscription(token, asked, now, &from, MemberStatus::Unsubscribed).await?;
        let (outcome, offer) = match changed {
            Ok(_) => ("unsubscribed", true),
            Err(StoreError::NotFound(_)) => ("not-listed", false),
            Err(e) => return Err(e.into()),
        };
        subscription_page(t, token, &team, outcome, offer)
    }

    /// POST /u/{token}/resubscribe with `confirm=yes`: the box a scanner leaves unticked.
    async fn resubscribe(&self, token: &str, req: &HttpRequest, now: Timestamp) -> Result<Outcome, Stop> {
        let (team, t, changed) =
            self.subscription(token, confirmed(req), now, &[MemberStatus::Unsubscribed], MemberStatus::Active).await?;
        let outcome = match changed {
            Ok(Some(_)) => "resubscribed",
            // Bounced or complained addresses are not re-subscribed by a link.
            Ok(None) => "unchanged",
            Err(StoreError::NotFound(_)) => "not-listed",
            Err(e) => return Err(e.into()),
        };
        subscription_page(t, token, &team, outcome, false)
    }

    /// Verifies an unsubscribe token and that a person asked (`asked`), then changes its
    /// member's status from one of `from` to `to`: the team, the member's language, and what
    /// the store answered.
    async fn subscription(
        &self,
        token: &str,
        asked: bool,
        now: Timestamp,
        from: &[MemberStatus],
        to: MemberStatus,
    ) -> Result<(Team, Locale, StoreResult<Option<Member>>), Stop> {
        let claims = self.keys.open(token, Purpose::Unsubscribe, now)?;
        if !asked {
            return Err(Reject::NotConfirmed.into());
        }
        let team = self.team(&claims).await?;
        let t = self.locale_of(&team, &claims).await?;
        let reason = if to == MemberStatus::Active { "re-subscribed by link" } else { "unsubscribed by link" };
        let change = StatusChange { from, to, reason, at: now };
        Ok((team, t, self.store.set_status(&claims.team, &claims.member, change).await))
    }
}

/// Whether the form's box was ticked: what a person gives and a scanner does not.
pub(crate) fn confirmed(req: &HttpRequest) -> bool {
    form_value(&parse_form(&req.body), "confirm") == Some("yes")
}

/// The page after an (un)subscription: `outcome` names its messages (`<outcome>-heading`,
/// `<outcome>-body`).
fn subscription_page(t: Locale, token: &str, team: &Team, outcome: &str, offer: bool) -> Result<Outcome, Stop> {
    let heading = t.text(&format!("{outcome}-heading"));
    let message = t.arg(&format!("{outcome}-body"), "team", &team.name);
    let page = pages::Unsubscribed {
        t,
        token,
        team_name: &team.name,
        heading: &heading,
        message: &message,
        offer_resubscribe: offer,
    };
    Ok(Outcome::Page(200, page.render().expect("the subscription page renders")))
}
