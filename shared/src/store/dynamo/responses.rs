//! Responses: one per voter and day, stored by the domain's rule (`Response::then`): read,
//! merge, and put on condition that nobody wrote in between; a lost race reads again.

use super::records::ResponseRecord;
use super::{DynamoStore, from_item, n, nanos, response_sk, s, team_pk, to_item};
use crate::domain::{Burst, Response, SendDate, TeamId};
use crate::store::{ResponseStore, StoreError, StoreResult};
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
}
