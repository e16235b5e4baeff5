//! Responses: one per voter and day, the latest wins.

use super::records::ResponseRecord;
use super::{DynamoStore, from_item, n, nanos, response_sk, s, team_pk, to_item};
use crate::domain::{Response, SendDate, TeamId};
use crate::store::{ResponseStore, StoreResult};
use async_trait::async_trait;

#[async_trait]
impl ResponseStore for DynamoStore {
    async fn put_response(&self, r: &Response) -> StoreResult<bool> {
        let record = ResponseRecord {
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
        };
        self.put(
            to_item(&record),
            "attribute_not_exists(PK) OR recorded_ns <= :ns",
            vec![(":ns", n(nanos(r.recorded_at)))],
        )
        .await
    }

    async fn list_responses(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Response>> {
        // RESP#<date>#... sorts by date; "RESP#<to>$" is just past every voter of `to`.
        let (pk, first, last) = (s(team_pk(team)), s(format!("RESP#{from}#")), s(format!("RESP#{to}$")));
        let items =
            self.query_all("PK = :pk AND SK BETWEEN :a AND :b", [(":pk", pk), (":a", first), (":b", last)]).await?;
        items
            .into_iter()
            .map(|i| {
                from_item::<ResponseRecord>(i).map(|r| Response {
                    team: r.team,
                    date: r.date,
                    voter: r.voter,
                    score: r.score,
                    comment: r.comment,
                    recorded_at: r.recorded_at,
                })
            })
            .collect()
    }
}
