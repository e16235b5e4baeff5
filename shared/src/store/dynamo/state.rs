//! The admins' digests of delivery problems, operational state records, and tallies.

use super::records::{ProblemReportItem, StateItem};
use super::{
    DynamoStore, STATE_SK, TALLY_KIND, Update, digest_sk, from_item, n, nanos, s, state_pk, tally_pk, team_pk, to_item,
};
use crate::domain::{ProblemReport, SendDate, TeamId};
use crate::store::{Count, ProblemReportStore, StateRecord, StateStore, StoreError, StoreResult, TallyHour};
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
            // A line already there is not added again: noting is idempotent.
            "attribute_not_exists(#sent_at) AND \
             (attribute_not_exists(#lines) OR (NOT contains(#lines, :one) AND size(#lines) < :max))",
        )
        .val(":one", s(line))
        .val(":max", n(ProblemReport::MAX_LINES))
        .val(":empty", AttributeValue::L(vec![]))
        .val(":line", AttributeValue::L(vec![s(line)]))
        .val(":sa", s(after.to_string()))
        .val(":dk", s("digest"))
        .val(":da", n(nanos(after)))
        .val(":team", s(team.as_str()))
        .val(":date", s(date.as_str()))
        .val(":kind", s("digest"));
        match self.update_or_see(u).await? {
            Ok(_) => Ok(true),
            // Refused: already listed, or already queued, or full. A full report (not yet
            // queued) takes no more lines, but the problem is told all the same.
            Err(seen) => {
                let seen = seen.map(from_item::<ProblemReportItem>).transpose()?.map(ProblemReport::from);
                Ok(seen.is_some_and(|r| r.tells_unlisted(line)))
            }
        }
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
        self.done_once(team_pk(team), digest_sk(date), "#sent_at", "attribute_exists(PK)", now).await
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

    async fn add_to_tally(&self, tally: &str, hour: &str, counts: &[Count], now: Timestamp) -> StoreResult<()> {
        const VALUES: [&str; 4] = [":c0", ":c1", ":c2", ":c3"];
        assert!(counts.len() <= VALUES.len(), "at most {} counters at once", VALUES.len());
        let adds: Vec<String> = counts.iter().zip(VALUES).map(|((name, _), v)| format!("#{name} {v}")).collect();
        // ADD creates the item and its counters as needed: one atomic write, no read. The
        // condition only keeps it from ever landing on a record of another kind.
        let mut u = Update::new(
            tally_pk(tally),
            hour.to_string(),
            &format!("ADD {} SET updated_at = :now, #kind = :kind", adds.join(", ")),
            "attribute_not_exists(PK) OR #kind = :kind",
        )
        .val(":now", s(now.to_string()))
        .val(":kind", s(TALLY_KIND));
        for ((_, count), v) in counts.iter().zip(VALUES) {
            u = u.val(v, n(count));
        }
        match self.update(u).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::Corrupt {
                key: format!("{}/{hour}", tally_pk(tally)),
                reason: "another kind of record has the key of a tally hour".into(),
            }),
        }
    }

    async fn tally(&self, tally: &str, from: &str, to: &str) -> StoreResult<Vec<TallyHour>> {
        let items = self
            .query_all(
                "PK = :pk AND SK BETWEEN :from AND :to",
                [(":pk", s(tally_pk(tally))), (":from", s(from)), (":to", s(to))],
            )
            .await?;
        let mut out = Vec::new();
        for item in items {
            let hour = item.get("SK").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            let mut counts = std::collections::BTreeMap::new();
            for (name, value) in &item {
                if let (false, Ok(v)) = (["PK", "SK", "kind", "updated_at"].contains(&name.as_str()), value.as_n()) {
                    let v = v.parse::<u64>().map_err(|e| StoreError::Corrupt {
                        key: format!("{}/{hour}", tally_pk(tally)),
                        reason: format!("counter {name}: {e}"),
                    })?;
                    counts.insert(name.clone(), v);
                }
            }
            out.push(TallyHour { hour, counts });
        }
        Ok(out)
    }
}
