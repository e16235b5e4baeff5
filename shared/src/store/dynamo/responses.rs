//! Responses: one per voter and day, the latest wins.

use super::records::ResponseRecord;
use super::{DynamoStore, Item, backend, from_item, n, nanos, response_sk, s, team_pk, to_item};
use crate::domain::{Response, SendDate, TeamId};
use crate::store::{ResponseStore, StoreError};
use async_trait::async_trait;

#[async_trait]
impl ResponseStore for DynamoStore {
    async fn put_response(&self, r: &Response) -> Result<bool, StoreError> {
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

    async fn list_responses(&self, team: &TeamId, from: SendDate, to: SendDate) -> Result<Vec<Response>, StoreError> {
        // RESP#<date>#... sorts by date; "RESP#<to>$" is just past every voter of `to`.
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :a AND :b")
            .expression_attribute_values(":pk", s(team_pk(team)))
            .expression_attribute_values(":a", s(format!("RESP#{from}#")))
            .expression_attribute_values(":b", s(format!("RESP#{to}$")))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(backend)?;
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
