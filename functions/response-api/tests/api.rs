//! The response API against the in-memory store: what each route writes and refuses.

use jiff::{SignedDuration, Timestamp};
use morale::clock::ManualClock;
use morale::domain::MemberStatus;
use morale::domain::Score;
use morale::domain::StatusChange;
use morale::domain::{DayPlan, MemberId, SendDate, TeamId};
use morale::store::MemoryStore;
use morale::store::prelude::*;
use morale::token::{Claims, Purpose, TokenKeys};
use morale::voter::{DaySalt, VoterSecret};

fn voters() -> VoterSecret {
    VoterSecret::development()
}
use morale_response_api::{HttpRequest, HttpResponse, ResponseApi};
use rand::{Rng, SeedableRng};
use std::sync::Arc;

mod common;
use common::{Stage, stage};

const NOW: &str = "2026-11-23T20:10:00Z";

struct World {
    store: Arc<MemoryStore>,
    keys: TokenKeys,
    api: Arc<ResponseApi>,
    team: TeamId,
    member: MemberId,
    date: SendDate,
}

async fn world() -> World {
    let now: Timestamp = NOW.parse().unwrap();
    let team = common::team("platform", "Platform <R&D>", "America/New_York", "15:00", &[], now);
    let Stage { store, keys, api, team, mut members } = stage(now, team, ["ana@example.com".into()]).await;
    // The day as the sender records it when it queues the emails: open for answers.
    let date = SendDate::parse("2026-11-23").unwrap();
    let plan = DayPlan { members: 1, answers_close: Some(team.schedule.answers_close(date)), ..DayPlan::default() };
    store.open_day(&team.id, date, &plan, now).await.unwrap();
    World { store, keys, api, team: team.id, member: members.remove(0).id, date }
}

impl World {
    fn claims(&self, purpose: Purpose) -> Claims {
        Claims::new(purpose, &self.team, &self.member, self.date, NOW.parse().unwrap())
    }

    fn token(&self, purpose: Purpose) -> String {
        self.keys.seal(&self.claims(purpose))
    }

    /// The link of one answer in the email.
    fn answer(&self, score: u8) -> String {
        self.keys.seal(&self.claims(Purpose::Answer).score(Score::new(score).unwrap()))
    }

    /// The answer form sent: the token and the fields in the body.
    async fn send(&self, token: &str, fields: &str) -> HttpResponse {
        self.req("POST", "/r", "", &format!("t={token}&{fields}")).await
    }

    async fn req(&self, method: &str, path: &str, query: &str, body: &str) -> HttpResponse {
        self.api.handle(&common::form(method, path, query, body)).await
    }

    async fn get(&self, path: &str) -> HttpResponse {
        self.req("GET", path, "", "").await
    }

    async fn votes(&self) -> Vec<morale::domain::Response> {
        self.store.list_responses(&self.team, self.date, self.date).await.unwrap()
    }

    async fn member_status(&self) -> MemberStatus {
        self.store.get_member(&self.team, &self.member).await.unwrap().unwrap().status
    }
}

#[tokio::test]
async fn get_shows_the_answer_form_with_the_links_answer_chosen_and_writes_nothing() {
    let w = world().await;
    let t = w.answer(4);
    let r = w.get(&format!("/r/{t}")).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Good") && r.body.contains("😊"));
    assert!(r.body.contains("action=\"/r\""), "the answer goes in the body, not the URL");
    assert!(r.body.contains(&format!("name=\"t\" value=\"{t}\"")));
    assert!(r.body.contains("name=\"s\" value=\"4\" required checked"), "the link's answer is chosen");
    assert_eq!(r.body.matches("type=\"radio\"").count(), 5, "all five answers, one radio group");
    assert_eq!(r.body.matches(" checked").count(), 1);
    assert!(r.body.contains("<legend>"), "the group has a name a screen reader announces");
    assert!(
        r.body.contains("Platform &#60;R&#38;D&#62;") || r.body.contains("Platform &lt;R&amp;D&gt;"),
        "escaped team name"
    );
    assert!(!r.body.contains("<script"), "nothing on the page runs, nothing submits itself");
    let csp = r.header("Content-Security-Policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'none'"), "{csp}");
    assert_eq!(r.header("Cache-Control"), Some("no-store"));
    assert_eq!(r.header("Referrer-Policy"), Some("no-referrer"));
    // Scanners open every link: none of them writes.
    for s in 1..=5 {
        w.get(&format!("/r/{}", w.answer(s))).await;
        w.req("HEAD", &format!("/r/{}", w.answer(s)), "", "").await;
    }
    assert!(w.votes().await.is_empty());
}

#[tokio::test]
async fn post_records_one_vote_and_a_later_one_replaces_it() {
    let w = world().await;
    let t = w.answer(2);
    let r = w.send(&t, "s=2").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Thank you"));
    assert!(r.body.contains("name=\"s\" value=\"2\" required checked"), "a way to change the answer");
    let v = w.votes().await;
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].score.value(), 2);
    let salt = w.store.day_salt(&w.team, w.date, &DaySalt::random()).await.unwrap().expect("the day's salt");
    assert_eq!(v[0].voter, voters().pseudonym(&w.team, w.date, &w.member, &salt), "today's pseudonym");
    assert_ne!(v[0].voter.0, w.member.as_str(), "the vote does not name the member");
    // Later the same day, from another answer's link: the latest answer wins, with its comment.
    let api2 = ResponseApi {
        store: w.store.clone(),
        keys: w.keys.clone(),
        voters: voters(),
        clock: Arc::new(ManualClock::new(NOW.parse::<Timestamp>().unwrap() + SignedDuration::from_mins(3))),
    };
    let r = api2
        .handle(&HttpRequest {
            method: "POST".into(),
            path: "/r".into(),
            body: format!("t={}&s=4&comment=Better+after+lunch+%3Cb%3Ehi%3C%2Fb%3E", w.answer(1)).into_bytes(),
            ..Default::default()
        })
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Your comment was saved"));
    assert!(!r.body.contains("<b>hi</b>"), "the comment is escaped on the page");
    let v = w.votes().await;
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].score.value(), v[0].comment.as_deref()), (4, Some("Better after lunch <b>hi</b>")));
    assert!(!v[0].quarantined());
}

/// A browser lets 1,000 characters into the comment field, counting a line break as one, and
/// sends each as CRLF: the comment is taken whole, its line breaks kept as one character.
#[tokio::test]
async fn a_comment_the_field_took_is_never_too_long_for_its_line_breaks() {
    let w = world().await;
    let comment = "a%0D%0A".repeat(499) + "aa";
    let r = w.req("POST", "/r", "", &format!("t={}&s=4&comment={comment}", w.answer(4))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = w.votes().await;
    let saved = v[0].comment.as_deref().unwrap();
    assert_eq!((saved.chars().count(), saved.matches('\n').count(), saved.contains('\r')), (1000, 499, false));
    // One character more is too long, as the field would have said.
    let r = w.req("POST", "/r", "", &format!("t={}&s=4&comment={comment}a", w.answer(4))).await;
    assert_eq!(r.status, 400);
}

/// A scanner that submits every answer's form within seconds: its answers are quarantined,
/// counted in their metric, and in no figure; the person's own answer later counts.
#[tokio::test]
async fn different_answers_within_seconds_are_quarantined() {
    let w = world().await;
    for s in [5, 4, 3, 2, 1] {
        let r = w.send(&w.answer(s), &format!("s={s}")).await;
        assert_eq!(r.status, 200);
    }
    let v = w.votes().await;
    assert_eq!(v.len(), 1);
    assert!(v[0].quarantined(), "a scanner's burst is not an answer");
    let r = w.send(&w.answer(3), "s=3").await;
    assert!(r.body.contains("Please send your answer again"), "the page says why");
    let tally = morale::domain::Tally::of(&v, 1, morale::domain::Privacy::default());
    assert_eq!(tally.voters, 0, "quarantined answers are in no figure");
    // An hour later, the person answers: counted.
    let later = ResponseApi {
        store: w.store.clone(),
        keys: w.keys.clone(),
        voters: voters(),
        clock: Arc::new(ManualClock::new(NOW.parse::<Timestamp>().unwrap() + SignedDuration::from_hours(1))),
    };
    let body = format!("t={}&s=2", w.answer(2));
    let r = later
        .handle(&HttpRequest {
            method: "POST".into(),
            path: "/r".into(),
            body: body.into_bytes(),
            ..Default::default()
        })
        .await;
    assert!(r.body.contains("Thank you!"));
    let v = w.votes().await;
    assert_eq!((v[0].score.value(), v[0].quarantined()), (2, false));
}

#[tokio::test]
async fn a_removed_members_links_stop_recording() {
    let w = world().await;
    w.store.remove_member(&w.team, &w.member).await.unwrap();
    let r = w.send(&w.answer(4), "s=4").await;
    assert_eq!(r.status, 410);
    assert!(r.body.contains("no longer on this team"));
    assert!(w.votes().await.is_empty());
}

/// What API Gateway (HTTP API, payload 2.0) hands Lambda, for `method path?query` with `body`.
fn api_gateway_event(method: &str, path: &str, query: &str, body: &str) -> lambda_http::Request {
    use base64::Engine;
    let event = serde_json::json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": {"accept": "text/html", "content-type": "application/x-www-form-urlencoded",
                    "host": "api.example.com"},
        "requestContext": {"accountId": "123456789012", "apiId": "api", "domainName": "api.example.com",
            "domainPrefix": "api", "requestId": "r1", "routeKey": "$default", "stage": "$default",
            "time": "23/Nov/2026:20:10:00 +0000", "timeEpoch": 1795464600000i64,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1",
                     "userAgent": "test"}},
        "body": base64::engine::general_purpose::STANDARD.encode(body), "isBase64Encoded": true,
    });
    lambda_http::request::from_str(&event.to_string()).expect("an API Gateway event")
}

/// A body over the limit gets the API's own refusal through the router too: its page and
/// headers, not the framework's plain text.
#[tokio::test]
async fn the_router_refuses_a_body_too_large_with_the_apis_page() {
    use tower::ServiceExt;
    let w = world().await;
    let body = format!("t={}&s=3&comment={}", w.answer(3), "x".repeat(20_000));
    let r = morale_response_api::router(w.api.clone()).oneshot(api_gateway_event("POST", "/r", "", &body)).await;
    let r = r.unwrap();
    assert_eq!(r.status(), 413);
    let header = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(header("content-type").starts_with("text/html"), "{}", header("content-type"));
    assert!(header("content-security-policy").contains("default-src"), "{}", header("content-security-policy"));
    assert_eq!(header("cache-control"), "no-store");
    assert!(w.votes().await.is_empty());
}

/// The router Lambda runs, fed what `lambda_http` makes of API Gateway's events.
#[tokio::test]
async fn the_router_lambda_runs_answers_api_gateway_events() {
    use tower::ServiceExt;
    let w = world().await;
    let t = w.answer(4);
    let page = morale_response_api::router(w.api.clone())
        .oneshot(api_gateway_event("GET", &format!("/r/{t}"), "", ""))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(w.votes().await.is_empty(), "a GET writes nothing");
    let post = api_gateway_event("POST", "/r", "", &format!("t={t}&s=4&comment=fine"));
    let thanks = morale_response_api::router(w.api.clone()).oneshot(post).await.unwrap();
    assert_eq!(thanks.status(), 200);
    let votes = w.votes().await;
    assert_eq!((votes.len(), votes[0].score.value(), votes[0].comment.as_deref()), (1, 4, Some("fine")));
    let stray = morale_response_api::router(w.api.clone()).oneshot(api_gateway_event("DELETE", "/r/x", "", ""));
    assert_eq!(stray.await.unwrap().status(), 405);
}

#[tokio::test]
async fn bad_tokens_and_scores_get_friendly_4xx_and_write_nothing() {
    let w = world().await;
    let t = w.answer(3);
    let now: Timestamp = NOW.parse().unwrap();
    let expired = w.keys.seal(&w.claims(Purpose::Answer).expires(now));
    let unsub = w.token(Purpose::Unsubscribe);
    let mut forged = t.clone().into_bytes();
    let i = forged.len() / 2;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let huge = format!("t={t}&s=3&comment={}", "x".repeat(20_000));
    let cases: Vec<(String, u16)> = vec![
        (format!("t={forged}&s=3"), 400),
        (format!("t={expired}&s=3"), 410),
        (format!("t={unsub}&s=3"), 400),
        ("t=not-a-token&s=3".into(), 400),
        ("s=3".into(), 400),
        (format!("t={t}&s=0"), 400),
        (format!("t={t}&s=6"), 400),
        (format!("t={t}&s=three"), 400),
        (format!("t={t}"), 400),
        (huge, 413),
        (format!("t={t}&s=3&comment={}", "a".repeat(1001)), 400),
    ];
    for (body, status) in &cases {
        let r = w.req("POST", "/r", "", body).await;
        assert_eq!(r.status, *status, "POST /r {}", &body[..body.len().min(80)]);
        assert!(r.body.contains("<h1>"), "a page, not a stack trace");
        assert_eq!(r.header("Cache-Control"), Some("no-store"));
    }
    for path in [format!("/r/{forged}"), format!("/r/{unsub}"), format!("/r/{expired}")] {
        assert!(w.get(&path).await.status >= 400, "{path}");
    }
    assert!(w.votes().await.is_empty());
    // Clients that ask for JSON get JSON.
    let r = w
        .api
        .handle(&HttpRequest {
            method: "GET".into(),
            path: "/r/nope".into(),
            accept: "application/json".into(),
            ..Default::default()
        })
        .await;
    assert_eq!(r.status, 400);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["error"], "malformed");
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let w = world().await;
    let t = w.token(Purpose::Answer);
    let r = w.req("GET", "/", "", "").await;
    assert_eq!(r.status, 404);
    assert_eq!(w.req("GET", "/admin/../../etc/passwd", "", "").await.status, 404);
    let r = w.req("DELETE", &format!("/r/{t}"), "", "").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("GET, HEAD"));
    let r = w.req("POST", &format!("/r/{t}"), "", "s=4").await;
    assert_eq!(r.status, 405, "an answer is never recorded at its link's URL");
    assert_eq!((w.req("GET", "/r", "", "").await.status, w.votes().await.len()), (405, 0));
    let r = w.req("GET", &format!("/u/{t}/resubscribe"), "", "").await;
    assert_eq!((r.status, r.header("Allow")), (405, Some("POST")));
}

#[tokio::test]
async fn one_click_unsubscribe_and_resubscribe() {
    let w = world().await;
    let t = w.token(Purpose::Unsubscribe);
    let r = w.req("GET", &format!("/u/{t}"), "", "").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Stop the daily email?"));
    assert_eq!(w.member_status().await, MemberStatus::Active, "GET writes nothing");
    // RFC 8058: the mail client POSTs List-Unsubscribe=One-Click.
    let r = w.req("POST", &format!("/u/{t}"), "", "List-Unsubscribe=One-Click").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("You are unsubscribed") && r.body.contains("Re-subscribe"));
    assert_eq!(w.member_status().await, MemberStatus::Unsubscribed);
    assert_eq!(w.req("POST", &format!("/u/{t}"), "", "List-Unsubscribe=One-Click").await.status, 200, "idempotent");
    let r = w.req("POST", &format!("/u/{t}/resubscribe"), "", "confirm=yes").await;
    assert!(r.body.contains("Welcome back"));
    assert_eq!(w.member_status().await, MemberStatus::Active);
    // A bounced member is not brought back by a link.
    w.store
        .set_status(
            &w.team,
            &w.member,
            StatusChange {
                from: &[MemberStatus::Active],
                to: MemberStatus::Bounced,
                reason: "5.1.1",
                at: NOW.parse().unwrap(),
            },
        )
        .await
        .unwrap();
    w.req("POST", &format!("/u/{t}"), "", "confirm=yes").await;
    let r = w.req("POST", &format!("/u/{t}/resubscribe"), "", "confirm=yes").await;
    assert!(r.body.contains("Nothing to change"));
    assert_eq!(w.member_status().await, MemberStatus::Bounced);
    // An answer token cannot unsubscribe.
    let answer = w.token(Purpose::Answer);
    let r = w.req("POST", &format!("/u/{answer}"), "", "List-Unsubscribe=One-Click").await;
    assert_eq!(r.status, 400);
    assert!(!r.body.contains("Tick the box"), "refused for its token, not its form");
}

/// A gateway that runs the page's script and submits its form as it came (the box unticked)
/// neither unsubscribes a member nor brings back one who left.
#[tokio::test]
async fn a_scanners_submit_of_the_subscription_forms_changes_nothing() {
    let w = world().await;
    let t = w.token(Purpose::Unsubscribe);
    for body in ["", "confirm=", "confirm=no", "List-Unsubscribe=Yes"] {
        let r = w.req("POST", &format!("/u/{t}"), "", body).await;
        assert_eq!(r.status, 400, "{body:?}");
        assert!(r.body.contains("Nothing was changed") && r.body.contains("Tick the box"), "{}", r.body);
        assert_eq!(w.member_status().await, MemberStatus::Active, "{body:?}");
    }
    let r = w.req("POST", &format!("/u/{t}"), "", "confirm=yes").await;
    assert!(r.body.contains("You are unsubscribed") && r.body.contains("name=\"confirm\""), "{}", r.body);
    assert_eq!(w.member_status().await, MemberStatus::Unsubscribed);
    let r = w.req("POST", &format!("/u/{t}/resubscribe"), "", "").await;
    assert_eq!(r.status, 400);
    assert_eq!(w.member_status().await, MemberStatus::Unsubscribed, "an opt-out stands");
    // RFC 8058's one-click as it should come, multipart: taken.
    let w2 = world().await;
    let t2 = w2.token(Purpose::Unsubscribe);
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
    let multipart = |body: &str| HttpRequest {
        method: "POST".into(),
        path: format!("/u/{t2}"),
        content_type: "multipart/form-data; boundary=XyZ".into(),
        body: body.as_bytes().to_vec(),
        ..Default::default()
    };
    assert_eq!(w2.api.handle(&multipart(&body.replace("One-Click", "Maybe"))).await.status, 400);
    assert_eq!(w2.member_status().await, MemberStatus::Active);
    assert_eq!(w2.api.handle(&multipart(body)).await.status, 200);
    assert_eq!(w2.member_status().await, MemberStatus::Unsubscribed);
    // The unsubscribe page's form asks for the box.
    let page = w.req("GET", &format!("/u/{t}"), "", "").await.body;
    assert!(page.contains("name=\"confirm\" value=\"yes\" required"), "{page}");
}

/// 10,000 random and mutated tokens, scores and query strings: never a 5xx, never a write.
#[tokio::test]
async fn fuzzed_requests_never_fail_and_never_write() {
    let w = world().await;
    let good = w.token(Purpose::Answer);
    let unsub = w.token(Purpose::Unsubscribe);
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x6d6f72616c65);
    let alphabet: Vec<char> =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=%&?/.+~ \u{e9}\u{1f600}".chars().collect();
    let random = |rng: &mut rand::rngs::StdRng, n: usize| -> String {
        (0..rng.random_range(0..n)).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect()
    };
    for i in 0..10_000 {
        let token = match i % 4 {
            0 => random(&mut rng, 200),
            1 => {
                // One changed character in a valid token.
                let mut b: Vec<char> = good.chars().collect();
                let at = rng.random_range(0..b.len());
                let was = b[at];
                while b[at] == was {
                    b[at] = alphabet[rng.random_range(0..64)];
                }
                b.into_iter().collect()
            }
            2 => good[..rng.random_range(0..good.len())].to_string(),
            _ => format!("{good}x{}", random(&mut rng, 10)),
        };
        let query = match rng.random_range(0..4) {
            0 => format!("s={}", rng.random_range(-5i32..12)),
            1 => random(&mut rng, 60),
            2 => format!("s=4&s=1&{}", random(&mut rng, 20)),
            _ => String::new(),
        };
        let prefix = ["r", "u", "r", "x"][rng.random_range(0..4)];
        let method = ["GET", "POST", "HEAD", "PUT"][rng.random_range(0..4)];
        // Mutated tokens must not become valid: POST only with a query-like body.
        let r = w.req(method, &format!("/{prefix}/{token}"), &query, &query).await;
        let form = w.req("POST", "/r", "", &format!("t={token}&{query}")).await;
        assert!(form.status >= 400 && form.status < 500, "POST /r t={token}&{query} → {}", form.status);
        assert!(r.status < 500, "{method} /{prefix}/{token}?{query} → {}", r.status);
        assert!(token != good && token != unsub);
        assert!(r.status >= 400, "{method} /{prefix}/{token}?{query} was accepted");
    }
    assert!(w.votes().await.is_empty(), "no vote from fuzzing");
    assert_eq!(w.member_status().await, MemberStatus::Active);
}

/// A day's answers close at the end of the next local day (New York here): from then on its
/// links record nothing and say why.
#[tokio::test]
async fn a_closed_days_links_record_nothing() {
    let w = world().await;
    let at = |t: &str| ResponseApi {
        store: w.store.clone(),
        keys: w.keys.clone(),
        voters: voters(),
        clock: Arc::new(ManualClock::new(t.parse().unwrap())),
    };
    let t = w.answer(4);
    let post = |api: ResponseApi| {
        let body = format!("t={t}&s=4").into_bytes();
        async move {
            api.handle(&HttpRequest { method: "POST".into(), path: "/r".into(), body, ..Default::default() }).await
        }
    };
    // The evening after, still open.
    assert_eq!(post(at("2026-11-25T04:59:00Z")).await.status, 200);
    let closed = at("2026-11-25T05:00:00Z");
    let page =
        closed.handle(&HttpRequest { method: "GET".into(), path: format!("/r/{t}"), ..Default::default() }).await;
    assert_eq!(page.status, 410);
    assert!(page.body.contains("answers have closed"), "{}", page.body);
    let r = post(closed).await;
    assert_eq!(r.status, 410);
    let v = w.votes().await;
    assert_eq!(v.len(), 1, "only the vote before the close");
}

/// Once the sender fixed a day's figures, its links record nothing, whatever the clock says
/// (the team's schedule may have moved since).
#[tokio::test]
async fn a_day_whose_figures_are_fixed_records_nothing() {
    let w = world().await;
    let now: Timestamp = NOW.parse().unwrap();
    w.store.close_day(&w.team, w.date, &morale::domain::Ledger::default(), now).await.unwrap();
    let tally = morale::domain::Tally { asked: 1, ..morale::domain::Tally::default() };
    assert!(w.store.tally_day(&w.team, w.date, &tally, now).await.unwrap());
    let r = w.send(&w.answer(4), "s=4").await;
    assert_eq!(r.status, 410, "{}", r.body);
    assert!(w.votes().await.is_empty());
    assert_eq!(w.store.day_salt(&w.team, w.date, &DaySalt::random()).await.unwrap(), None, "no salt for a fixed day");
}

/// A function frozen through a key rotation meets a link sealed with the new key: it reads its
/// keys again at once (at most once a minute) and opens it, instead of calling a good link
/// broken.
#[tokio::test(start_paused = true)]
async fn a_link_with_a_key_not_held_yet_makes_the_keys_read_again() {
    let w = world().await;
    let dev: serde_json::Value = serde_json::from_str(morale::token::DEVELOPMENT_KEYS).unwrap();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [2u8; 32]);
    let rotated = TokenKeys::from_json(
        &serde_json::json!({"signing": "k2", "keys": {"dev1": dev["keys"]["dev1"], "k2": b64}}).to_string(),
    )
    .unwrap();
    let link = rotated.seal(&w.claims(Purpose::Answer).score(Score::new(4).unwrap()));
    let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (r, n) = (rotated.clone(), reads.clone());
    w.keys.reload_with(Arc::new(move || {
        n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let fresh = r.clone();
        Box::pin(async move { Some(fresh) })
    }));
    assert_eq!(w.get(&format!("/r/{link}")).await.status, 400, "keys just read: not again within the minute");
    tokio::time::advance(std::time::Duration::from_secs(61)).await;
    let r = w.get(&format!("/r/{link}")).await;
    assert_eq!(r.status, 200, "read again, and the link opens: {}", r.body);
    assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Links naming keys nobody has (forged) make the keys be read at most once a minute.
    let bogus = "AgJrOQ".to_string() + &"A".repeat(190);
    for _ in 0..5 {
        assert_eq!(w.get(&format!("/r/{bogus}")).await.status, 400);
    }
    assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 1, "not again within the minute");
}

/// The answer page and the thank-you page tell the team's own privacy bar: a team that raised
/// it to five says five.
#[tokio::test]
async fn the_pages_tell_the_teams_own_privacy_bar() {
    let w = world().await;
    let says = |body: &str, n: u32| body.contains(&format!("only for days with at least {n} answers"));
    let page = w.get(&format!("/r/{}", w.answer(4))).await;
    assert!(says(&page.body, 3), "{}", page.body);
    let mut team = w.store.get_team(&w.team).await.unwrap().unwrap();
    team.privacy = morale::domain::Privacy::new(5, 5).unwrap();
    w.store.update_team(&team).await.unwrap();
    let page = w.get(&format!("/r/{}", w.answer(4))).await;
    assert!(says(&page.body, 5) && !says(&page.body, 3), "{}", page.body);
    let thanks = w.send(&w.token(Purpose::Answer), "s=4").await;
    assert_eq!(thanks.status, 200);
    assert!(says(&thanks.body, 5) && !says(&thanks.body, 3), "{}", thanks.body);
}
