//! The admins' digests of delivery problems, and operational state records.

use super::records::{ProblemReportItem, StateItem};
use super::{DynamoStore, STATE_SK, Update, digest_sk, from_item, n, nanos, s, state_pk, team_pk, to_item};
use crate::domain::{ProblemReport, SendDate, TeamId};
use crate::store::{ProblemReportStore, StateRecord, StateStore, StoreResult};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

#[async_trait]
impl ProblemReportStore for DynamoStore {
    async fn note_problem(&self, team: &TeamId, date: SendDate, line: &str, after: Timestamp) -> StoreResult<bool> {
        let u = Update::new(
            team_pk(team),
            digest_sk(date),
            "SET #lines = list_append(if_not_exists(#lines, :empty), :line), \
             #send_after = if_not_exists(#send_after, :sa), due_kind = :dk, due_at = if_not_exists(due_at, :da), \
             #team = :team, #date = :date, #kind = :kind",
            "attribute_not_exists(#sent_at)",
        )
        .val(":empty", AttributeValue::L(vec![]))
        .val(":line", AttributeValue::L(vec![s(line)]))
        .val(":sa", s(after.to_string()))
        .val(":dk", s("digest"))
        .val(":da", n(nanos(after)))
        .val(":team", s(team.as_str()))
        .val(":date", s(date.as_str()))
        .val(":kind", s("digest"));
        Ok(self.update(u).await?.is_some())
    }

    async fn due_problem_reports(&self, now: Timestamp) -> StoreResult<Vec<ProblemReport>> {
        let items = self.query_due("digest", now, None, None).await?;
        let mut out = Vec::new();
        for i in items {
            let d: ProblemReport = from_item::<ProblemReportItem>(i)?.into();
            // The index holds the first due time in whole precision; the record decides.
            if d.queued_at.is_none() && d.send_after <= now {
                out.push(d);
            }
        }
        Ok(out)
    }

    async fn get_problem_report(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<ProblemReport>> {
        match self.get(team_pk(team), &digest_sk(date)).await? {
            Some(item) => Ok(Some(from_item::<ProblemReportItem>(item)?.into())),
            None => Ok(None),
        }
    }

    async fn mark_problem_report_queued(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        let u = Update::new(
            team_pk(team),
            digest_sk(date),
            "SET #sent_at = :now REMOVE due_kind, due_at",
            "attribute_exists(PK) AND attribute_not_exists(#sent_at)",
        )
        .val(":now", s(now.to_string()));
        Ok(self.update(u).await?.is_some())
    }
}

#[async_trait]
impl StateStore for DynamoStore {
    async fn get_state(&self, name: &str) -> StoreResult<Option<StateRecord>> {
        match self.get(state_pk(name), STATE_SK).await? {
            Some(item) => {
                let r: StateItem = from_item(item)?;
                Ok(Some(StateRecord { name: r.name, data: r.data, version: r.version, updated_at: r.updated_at }))
            }
            None => Ok(None),
        }
    }

    async fn put_state(&self, name: &str, data: &str, expected: Option<u64>, now: Timestamp) -> StoreResult<bool> {
        let item = to_item(&StateItem {
            pk: state_pk(name),
            sk: STATE_SK.into(),
            kind: "state".into(),
            name: name.into(),
            data: data.into(),
            version: expected.unwrap_or(0) + 1,
            updated_at: now,
        });
        match expected {
            None => self.put(item, "attribute_not_exists(PK)", vec![]).await,
            Some(v) => self.put(item, "version = :v", vec![(":v", n(v))]).await,
        }
    }
}
