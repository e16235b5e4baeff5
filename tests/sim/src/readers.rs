//! The people the daily email reaches, through the real response API: most answer hours later,
//! some change their mind, a few unsubscribe (and some of those come back); a mail gateway's
//! link scanner may open every link first, and some scanners run the pages' script and submit
//! every form they find. Each retries a "please try again" page a few times,
//! as the page asks, then gives up.
//!
//! The API's store fails by the seed's weather but draws from dice of its own, as the readers
//! do: adding readers leaves the rest of a seed's world as it was.

use crate::dice::Dice;
use crate::ledger::reachable_during;
use crate::log::{ApiCall, Ask, Log};
use crate::store::SimStore;
use crate::world::{SimClock, World};
use morale::clock::Clock;
use morale::domain::{OutboxKey, Score, SendDate};
use morale::metrics;
use morale::store::prelude::*;
use morale::token::TokenKeys;
use morale::voter::{DaySalt, VoterSecret};
use morale_response_api::{HttpRequest, ResponseApi};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// How a seed's readers behave.
#[derive(Debug, Clone)]
pub struct ReaderPlan {
    /// Readers who answer at all.
    pub answer: f64,
    /// Of those, who answer again with another score later.
    pub change_mind: f64,
    pub unsubscribe: f64,
    /// Of those who unsubscribed, who re-subscribe later.
    pub resubscribe: f64,
    /// Emails whose links a scanner opens on arrival.
    pub scanned: f64,
    /// Of those, the scanner also submits every answer page's form as it came, within seconds.
    pub submitted: f64,
    /// How many times a reader repeats a request answered "please try again".
    pub patience: u32,
}

impl ReaderPlan {
    fn draw(dice: &Dice) -> Self {
        Self {
            answer: dice.rate(0.05, 0.2, 0.9),
            change_mind: dice.rate(0.5, 0.05, 0.3),
            unsubscribe: dice.rate(0.6, 0.01, 0.1),
            resubscribe: dice.rate(0.5, 0.1, 0.5),
            scanned: dice.rate(0.6, 0.2, 1.0),
            patience: dice.between(0, 4) as u32,
            submitted: dice.rate(0.5, 0.2, 1.0),
        }
    }
}

pub struct Readers {
    pub plan: ReaderPlan,
    pub away: crate::away::AwayReaders,
    api: ResponseApi,
    dice: Arc<Dice>,
    log: Arc<Log>,
    clock: Arc<SimClock>,
}

/// The links of an email's text: path and query of each.
fn links(text: &str) -> Vec<(String, String)> {
    text.split_whitespace()
        .filter_map(|w| w.strip_prefix(crate::world::API_BASE))
        .map(|rest| match rest.split_once('?') {
            Some((path, query)) => (path.to_string(), query.to_string()),
            None => (rest.to_string(), String::new()),
        })
        .collect()
}

/// The answer links of an email's text, by answer: the email's lines `Label: <url>`.
fn answer_links(text: &str) -> Vec<(Score, String)> {
    text.lines()
        .filter_map(|l| l.trim().split_once(": "))
        .filter_map(|(label, url)| {
            let score = Score::ALL.into_iter().find(|s| s.label() == label)?;
            Some((score, url.trim().strip_prefix(crate::world::API_BASE)?.to_string()))
        })
        .collect()
}

/// What an answer page's form posts: the link's token, the chosen answer, perhaps a comment.
fn form(path: &str, score: Score, extra: &str) -> String {
    let token = path.rsplit('/').next().unwrap_or_default();
    format!("t={token}&s={}{extra}", score.value())
}

impl Readers {
    pub fn new(seed: u64, store: &SimStore, log: Arc<Log>, clock: Arc<SimClock>) -> Self {
        // Dice of their own: the world's draws stay what they were without readers.
        let dice = Arc::new(Dice::new(seed ^ 0x5EAD_E125));
        let plan = ReaderPlan::draw(&dice);
        let api = ResponseApi {
            store: Arc::new(SimStore::beside(store, dice.clone())),
            keys: TokenKeys::development(),
            voters: VoterSecret::development(),
            clock: clock.clone(),
        };
        let away = crate::away::AwayReaders::new(seed, store, log.clone(), clock.clone());
        Self { plan, away, api, dice, log, clock }
    }

    /// What one reader does with one daily email, from its arrival.
    pub async fn read(&self, key: OutboxKey, text: String) {
        let links = links(&text);
        let answers = answer_links(&text);
        let answer = |s: Score| answers.iter().find(|(a, _)| *a == s).map(|(_, p)| p);
        let unsubscribe = links.iter().find(|(p, _)| p.starts_with("/u/")).cloned();
        let away = links.iter().find(|(p, _)| p.starts_with("/a/")).map(|(p, _)| p.clone());
        if self.dice.chance(self.plan.scanned) {
            // A gateway opens every link before the reader sees the email.
            for (path, query) in &links {
                tokio::time::sleep(self.dice.millis(100, 3_000)).await;
                self.ask(&request("GET", path, query, "")).await;
            }
            // One that runs script and submits what it finds sends every answer page's form,
            // as it came: a burst the API must not count.
            if self.dice.chance(self.plan.submitted) {
                let mut taken = 0;
                for (score, path) in &answers {
                    tokio::time::sleep(self.dice.millis(100, 3_000)).await;
                    taken +=
                        u32::from(self.ask(&request("POST", "/r", "", &form(path, *score, ""))).await.status == 200);
                }
                self.log.with(|l| l.scanner_bursts.insert(key.clone(), taken));
                if let Some(path) = &away {
                    self.away.scanner_submits(&key, path).await;
                }
                // And the unsubscribe page's form, and the one after it, without their boxes.
                if let Some((path, _)) = &unsubscribe {
                    for (target, form) in
                        [(path.clone(), "unsubscribe"), (format!("{path}/resubscribe"), "resubscribe")]
                    {
                        tokio::time::sleep(self.dice.millis(100, 3_000)).await;
                        let status = self.ask(&request("POST", &target, "", "")).await.status;
                        if status == 200 {
                            let at = self.clock.now();
                            let what = format!("{form}: {status}");
                            self.log.with(|l| l.scanner_changed.push((key.clone(), at, what)));
                        }
                    }
                }
            }
        }
        if let Some(path) = &away {
            self.away.read(&key, path).await;
        }
        let mut unsubscribed = false;
        if let Some((path, _)) = &unsubscribe
            && self.dice.chance(self.plan.unsubscribe)
        {
            tokio::time::sleep(self.dice.millis(60_000, 8 * 3_600_000)).await;
            self.ask(&request("GET", path, "", "")).await;
            unsubscribed = self.post(&key, Ask::Unsubscribe, path, "confirm=yes").await;
            if unsubscribed && self.dice.chance(self.plan.resubscribe) {
                tokio::time::sleep(self.dice.millis(60_000, 4 * 3_600_000)).await;
                self.post(&key, Ask::Resubscribe, &format!("{path}/resubscribe"), "confirm=yes").await;
            }
        }
        if unsubscribed || !self.dice.chance(self.plan.answer) {
            return;
        }
        let mut votes = 1 + u32::from(self.dice.chance(self.plan.change_mind));
        while votes > 0 {
            votes -= 1;
            tokio::time::sleep(self.dice.millis(60_000, 10 * 3_600_000)).await;
            let score = *self.dice.pick(&Score::ALL);
            let Some(path) = answer(score) else { return };
            // The answer page, then the tap that records.
            self.ask(&request("GET", path, "", "")).await;
            let comment = if self.dice.chance(0.3) { "&comment=Busy+but+fine" } else { "" };
            self.post(&key, Ask::Answer(score), "/r", &form(path, score, comment)).await;
        }
    }

    fn client(&self) -> Client<'_> {
        Client { api: &self.api, dice: &self.dice, log: &self.log, clock: &self.clock, patience: self.plan.patience }
    }

    async fn ask(&self, req: &HttpRequest) -> morale_response_api::HttpResponse {
        self.client().ask(req).await
    }

    async fn post(&self, key: &OutboxKey, ask: Ask, path: &str, body: &str) -> bool {
        self.client().post(key, ask, path, body).await
    }
}

/// A reader's way to the API: its own API (and store dice), its dice for waits, its patience.
pub(crate) struct Client<'a> {
    pub api: &'a ResponseApi,
    pub dice: &'a Dice,
    pub log: &'a Log,
    pub clock: &'a SimClock,
    pub patience: u32,
}

impl Client<'_> {
    /// One request through the API; a "please try again" is counted for the invariant.
    pub async fn ask(&self, req: &HttpRequest) -> morale_response_api::HttpResponse {
        let resp = self.api.handle(req).await;
        if resp.status == 503 {
            self.log.with(|l| l.api_unavailable += 1);
        }
        resp
    }

    /// A POST, repeated while the API says "please try again" and patience lasts: logged, and
    /// whether the page said it was done.
    pub async fn post(&self, key: &OutboxKey, ask: Ask, path: &str, body: &str) -> bool {
        for attempt in 0..=self.patience {
            if attempt > 0 {
                tokio::time::sleep(self.dice.millis(30_000, 300_000)).await;
            }
            let at = self.clock.now();
            let resp = self.ask(&request("POST", path, "", body)).await;
            let end = self.clock.now();
            let done = resp.status == 200
                && match ask {
                    Ask::Answer(_) => true,
                    Ask::Unsubscribe => resp.body.contains("You are unsubscribed"),
                    Ask::Resubscribe | Ask::Back => resp.body.contains("Welcome back"),
                    Ask::Away(_) => resp.body.contains("See you on"),
                };
            self.log.with(|l| l.api_calls.push(ApiCall { key: key.clone(), ask, at, end, status: resp.status, done }));
            if resp.status != 503 {
                return done;
            }
        }
        false
    }
}

fn removed_by(
    r: &crate::log::Records,
    team: &morale::domain::TeamId,
    member: &morale::domain::MemberId,
    at: jiff::Timestamp,
) -> bool {
    r.reachability
        .iter()
        .any(|e| &e.team == team && e.member.as_ref() == Some(member) && e.why.starts_with("removed") && e.at <= at)
}

pub(crate) fn request(method: &str, path: &str, query: &str, body: &str) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        accept: "text/html".into(),
        accept_language: String::new(),
        content_type: if body.is_empty() { String::new() } else { "application/x-www-form-urlencoded".into() },
        body: body.as_bytes().to_vec(),
    }
}

/// The readers' invariant: the API never fails a real link but with "please try again" (or,
/// once its day's answers closed, "closed"), each counted in the alarmed metric; a vote it
/// thanked for is the one kept, unless a later one may have replaced it; nothing is recorded
/// that no one posted (a scanner's GETs record nothing); a day whose answers closed keeps no
/// vote and counts every vote it thanked for; and a reader told "you are unsubscribed" is,
/// from then on, someone Morale may not email.
pub async fn check(w: &World) -> Vec<String> {
    let voters = VoterSecret::development();
    let table = &w.store.table;
    let mut v = Vec::new();
    let calls = w.log.with(|l| l.api_calls.clone());
    // Every "please try again" is counted where its alarm watches.
    let (unavailable, counted) = w.log.with(|l| {
        let counted: f64 =
            l.metrics.iter().filter(|(_, n, _)| n == metrics::RESPONSES_UNAVAILABLE).map(|(_, _, x)| x).sum();
        (l.api_unavailable, counted.max(0.0) as u64)
    });
    if unavailable != counted {
        v.push(format!("{unavailable} request(s) answered \"please try again\", {counted} counted in the metric"));
    }
    // When a day's answers may have closed, at the earliest: by the team's schedule as the run
    // began or ended (operators move teams), or as the day was planned.
    let mut closes = BTreeMap::new();
    for c in &calls {
        if closes.contains_key(&(c.key.team.clone(), c.key.date)) {
            continue;
        }
        let first = w.teams.iter().find(|t| t.id == c.key.team).map(|t| t.schedule.answers_close(c.key.date));
        let last = table.get_team(&c.key.team).await.expect("the table").map(|t| t.schedule.answers_close(c.key.date));
        let day = table.get_day(&c.key.team, c.key.date).await.expect("the table");
        let planned = day.and_then(|d| d.plan.answers_close);
        let at = [first, last, planned].into_iter().flatten().min();
        closes.insert((c.key.team.clone(), c.key.date), at);
    }
    let mut votes: BTreeMap<&OutboxKey, Vec<&ApiCall>> = BTreeMap::new();
    for c in &calls {
        // A member removed before the post: their links stop recording, and say so. So do a
        // closed day's links.
        let removed = c.status == 410 && w.log.with(|r| removed_by(r, &c.key.team, &c.key.member, c.end));
        let closed = c.status == 410
            && closes.get(&(c.key.team.clone(), c.key.date)).copied().flatten().is_some_and(|close| c.end >= close);
        if c.status != 200 && c.status != 503 && !removed && !closed {
            v.push(format!("{}: {:?} from the email's own link answered {}", c.key, c.ask, c.status));
        }
        if matches!(c.ask, Ask::Answer(_)) {
            votes.entry(&c.key).or_default().push(c);
        }
        let (team, member) = (&c.key.team, Some(&c.key.member));
        if c.ask == Ask::Unsubscribe && c.done && w.log.with(|r| reachable_during(r, team, member, c.end, c.end)) {
            v.push(format!("{}: told \"you are unsubscribed\" at {} and still someone to email", c.key, c.end));
        }
    }
    let utc = |t: jiff::Timestamp| SendDate::new(jiff::tz::TimeZone::UTC.to_datetime(t).date());
    let (first, last) = (utc(w.start).previous_day(), utc(w.end).next_day());
    let bursts = w.log.with(|l| l.scanner_bursts.clone());
    // Each open day's pseudonyms, from its salt (still in the table while the day is open);
    // closed days (who voted forgotten) are checked by their figures.
    // `None`: forgotten; `Some(None)`: open, and no vote ever stored.
    let mut salts: BTreeMap<(morale::domain::TeamId, SendDate), Option<Option<DaySalt>>> = BTreeMap::new();
    for key in votes.keys().copied().chain(bursts.keys()) {
        let day = (key.team.clone(), key.date);
        if salts.contains_key(&day) {
            continue;
        }
        let record = table.get_day(&key.team, key.date).await.expect("the table");
        let salt = match record {
            // Figures fixed: the salt may be gone any moment (a run stopped while forgetting
            // leaves the day due, its salt deleted or not): checked by its figures.
            Some(d) if d.tally.is_some() => None,
            // Read only: the check must not write the table it audits.
            _ => Some(table.salt_of(&key.team, key.date)),
        };
        salts.insert(day, salt);
    }
    // `None`: the day is forgotten. An open day without a salt stored nothing: its voter is
    // nobody's (no stored vote can match it).
    let voter_of = |k: &OutboxKey| {
        salts[&(k.team.clone(), k.date)].as_ref().map(|salt| match salt {
            Some(s) => voters.pseudonym(&k.team, k.date, &k.member, s),
            None => morale::domain::VoterKey(format!("no salt: {k}")),
        })
    };
    for team in &w.teams {
        let stored = table.list_responses(&team.id, first, last).await.expect("the table");
        let mut posted = BTreeSet::new();
        // Closed days: nothing of who voted is left, and every vote thanked for is counted.
        let mut thanked: BTreeMap<SendDate, u32> = BTreeMap::new();
        for (key, posts) in votes.iter().filter(|(k, _)| k.team == team.id) {
            let Some(voter) = voter_of(key) else {
                thanked.entry(key.date).or_default();
                if posts.iter().any(|c| c.done) {
                    *thanked.entry(key.date).or_default() += 1;
                }
                continue;
            };
            let kept = stored.iter().find(|r| r.date == key.date && r.voter == voter);
            posted.insert((key.date, voter));
            // From the last vote thanked for: any of them may be the one kept.
            let last_done = posts.iter().rposition(|c| c.done);
            let may_be_kept: Vec<Score> = posts[last_done.unwrap_or(0)..]
                .iter()
                .filter_map(|c| if let Ask::Answer(s) = c.ask { Some(s) } else { None })
                .collect();
            // A reader never thanked may have left the scanner's one taken answer standing.
            let scanners = last_done.is_none() && bursts.get(*key).is_some_and(|n| *n > 0);
            match (kept, last_done) {
                (None, Some(i)) => v.push(format!("{key}: thanked at {} and nothing is recorded", posts[i].at)),
                (Some(r), _) if !may_be_kept.contains(&r.score) && !scanners => v.push(format!(
                    "{key}: {} is recorded; the reader posted {:?}",
                    r.score,
                    posts.iter().map(|c| (c.ask, c.status)).collect::<Vec<_>>()
                )),
                _ => {}
            }
        }
        // What scanners submitted: a burst of two or more answers taken is stored quarantined,
        // counted nowhere. (One taken alone cannot be told from a person's.)
        let mut scanned = BTreeSet::new();
        for (key, taken) in bursts.iter().filter(|(k, _)| k.team == team.id) {
            let Some(voter) = voter_of(key) else { continue };
            scanned.insert((key.date, voter.clone()));
            let r = stored.iter().find(|r| r.date == key.date && r.voter == voter);
            if *taken >= 2 && !votes.contains_key(key) && r.is_some_and(|r| !r.quarantined()) {
                v.push(format!("{key}: a scanner submitted {taken} answers and one is counted"));
            }
        }
        for r in stored.iter().filter(|r| !posted.contains(&(r.date, r.voter.clone()))) {
            if !r.quarantined() && !scanned.contains(&(r.date, r.voter.clone())) {
                v.push(format!("team {} {}: a {} is counted that no one posted", r.team, r.date, r.score));
            }
        }
        for (date, n) in thanked {
            let day = table.get_day(&team.id, date).await.expect("the table").expect("a closed day");
            if day.forgotten_at.is_some() && stored.iter().any(|r| r.date == date) {
                v.push(format!("team {} {date}: its answers closed and votes are left", team.id));
            }
            let voters = day.tally.map_or(0, |t| t.voters);
            if voters < n {
                v.push(format!("team {} {date}: {n} vote(s) thanked for, {voters} counted when it closed", team.id));
            }
        }
    }
    v
}
