//! Responses: one per voter and day, stored by the domain's rule (`Response::then`): read,
//! merge, and put on condition that nobody wrote in between; a lost race reads again.

use super::records::ResponseRecord;
use super::{DynamoStore, from_item, n, nanos, response_sk, s, team_pk, to_item};

fn salt_sk(date: SendDate) -> String {
    format!("SALT#{date}")
}
use crate::domain::{Burst, Response, SendDate, TeamId};
use crate::store::{ResponseStore, StoreError, StoreResult};
use crate::voter::DaySalt;
use async_trait::async_trait;

/// Posts racing for one voter's record: each retry follows a write that won.
const ATTEMPTS: usize = 5;

impl From<ResponseRecord> for Response {
    fn from(r: ResponseRecord) -> Self {
        let burst = match (r.burst_since, r.burst_answers, r.burst_links) {
            (Some(since), Some(answers), Some(links)) => Burst { since, answers, links },
            _ => Burst { since: r.recorded_at, answers: 1 << r.score.value(), links: 1 << r.score.value() },
        };
        Response {
            team: r.team,
            date: r.date,
            voter: r.voter,
            score: r.score,
            comment: r.comment,
            recorded_at: r.recorded_at,
            burst,
        }
    }
}

fn record(r: &Response, rev: u64) -> ResponseRecord {
    ResponseRecord {
        pk: team_pk(&r.team),
        sk: response_sk(r.date, &r.voter),
        kind: "response".into(),
        team: r.team.clone(),
        date: r.date,
        voter: r.voter.clone(),
        score: r.score,
        comment: r.comment.clone(),
        recorded_at: r.recorded_at,
        recorded_ns: nanos(r.recorded_at),
        burst_since: Some(r.burst.since),
        burst_answers: Some(r.burst.answers),
        burst_links: Some(r.burst.links),
        rev,
    }
}

#[async_trait]
impl ResponseStore for DynamoStore {
    async fn put_response(&self, post: &Response) -> StoreResult<Response> {
        let (pk, sk) = (team_pk(&post.team), response_sk(post.date, &post.voter));
        for _ in 0..ATTEMPTS {
            let old = self.get(pk.clone(), &sk).await?.map(from_item::<ResponseRecord>).transpose()?;
            let (stored, rev, cond, values) = match old {
                None => (post.clone(), 1, "attribute_not_exists(PK)", vec![]),
                // Records from before revisions count as revision 0.
                Some(old) if old.rev == 0 => (Response::from(old).then(post), 1, "attribute_not_exists(rev)", vec![]),
                Some(old) => {
                    let rev = old.rev;
                    (Response::from(old).then(post), rev + 1, "rev = :rev", vec![(":rev", n(rev))])
                }
            };
            if self.put(to_item(&record(&stored, rev)), cond, values).await? {
                return Ok(stored);
            }
        }
        Err(StoreError::Conflict(format!("response {sk}")))
    }

    async fn list_responses(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Response>> {
        // RESP#<date>#... sorts by date; "RESP#<to>$" is just past every voter of `to`.
        let (pk, first, last) = (s(team_pk(team)), s(format!("RESP#{from}#")), s(format!("RESP#{to}$")));
        let items =
            self.query_all("PK = :pk AND SK BETWEEN :a AND :b", [(":pk", pk), (":a", first), (":b", last)]).await?;
        items.into_iter().map(|i| from_item::<ResponseRecord>(i).map(Response::from)).collect()
    }

    async fn day_salt(&self, team: &TeamId, date: SendDate, fresh: &DaySalt) -> StoreResult<DaySalt> {
        let (pk, sk) = (team_pk(team), salt_sk(date));
        let item = [("PK", s(&pk)), ("SK", s(&sk)), ("kind", s("salt")), ("salt", s(fresh.as_str()))];
        if self
            .put(item.into_iter().map(|(k, v)| (k.to_string(), v)).collect(), "attribute_not_exists(PK)", vec![])
            .await?
        {
            return Ok(fresh.clone());
        }
        let stored =
            self.get(pk, &sk).await?.ok_or_else(|| StoreError::Conflict(format!("salt {sk} of team {team}")))?;
        stored
            .get("salt")
            .and_then(|v| v.as_s().ok())
            .and_then(|v| DaySalt::parse(v))
            .ok_or_else(|| StoreError::Corrupt { key: format!("{team} {sk}"), reason: "not a salt".into() })
    }

    async fn forget_day(&self, team: &TeamId, date: SendDate) -> StoreResult<usize> {
        let pk = team_pk(team);
        // The salt first: from then on the day's pseudonyms are nobody's, whatever is left.
        match self.delete_existing(pk.clone(), salt_sk(date), format!("salt {date}")).await {
            Ok(()) | Err(StoreError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
        let mut deleted = 0;
        for item in self.query_prefix(pk.clone(), &format!("RESP#{date}#")).await? {
            let Some(sk) = item.get("SK").and_then(|v| v.as_s().ok()).cloned() else { continue };
            match self.delete_existing(pk.clone(), sk, format!("a response of {date}")).await {
                Ok(()) => deleted += 1,
                Err(StoreError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(deleted)
    }
}
