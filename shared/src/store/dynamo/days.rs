//! Teams' days, their ledgers and figures: one item per team and date, under the team's
//! partition, in the due index (kind `day`) while [`Day::due_at`] says there is work on it.

use super::{DynamoStore, Update, nanos, s, team_pk, to_item};
use crate::domain::{Day, DayPlan, Ledger, SendDate, Tally, TeamId};
use crate::store::{DayStore, Due, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

const DUE_KIND: &str = "day";

pub(super) fn day_sk(date: SendDate) -> String {
    format!("DAY#{date}")
}

#[derive(Serialize, Deserialize)]
struct DayRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    kind: String,
    team: TeamId,
    date: SendDate,
    plan: DayPlan,
    closes_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    ledger: Option<Ledger>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    closed_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    tally: Option<Tally>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    forgotten_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    due_at: Option<i64>,
}

impl From<DayRecord> for Day {
    fn from(r: DayRecord) -> Self {
        Day {
            team: r.team,
            date: r.date,
            plan: r.plan,
            closes_at: r.closes_at,
            closed: r.ledger,
            closed_at: r.closed_at,
            tally: r.tally,
            forgotten_at: r.forgotten_at,
        }
    }
}

#[async_trait]
impl DayStore for DynamoStore {
    async fn open_day(&self, team: &TeamId, date: SendDate, plan: &DayPlan, closes_at: Timestamp) -> StoreResult<bool> {
        let item = to_item(&DayRecord {
            pk: team_pk(team),
            sk: day_sk(date),
            kind: "day".into(),
            team: team.clone(),
            date,
            plan: plan.clone(),
            closes_at,
            ledger: None,
            closed_at: None,
            tally: None,
            forgotten_at: None,
            due_kind: Some(DUE_KIND.into()),
            due_at: Some(nanos(closes_at)),
        });
        self.put(item, "attribute_not_exists(PK)", vec![]).await
    }

    async fn get_day(&self, team: &TeamId, date: SendDate) -> StoreResult<Option<Day>> {
        match self.get(team_pk(team), &day_sk(date)).await? {
            Some(item) => Ok(Some(super::from_item::<DayRecord>(item)?.into())),
            None => Ok(None),
        }
    }

    async fn list_days(&self, team: &TeamId, from: SendDate, to: SendDate) -> StoreResult<Vec<Day>> {
        let items = self
            .query_all(
                "PK = :pk AND SK BETWEEN :from AND :to",
                [(":pk", s(team_pk(team))), (":from", s(day_sk(from))), (":to", s(day_sk(to)))],
            )
            .await?;
        items.into_iter().map(|i| super::from_item::<DayRecord>(i).map(Day::from)).collect()
    }

    async fn due_days(&self, now: Timestamp, limit: usize) -> StoreResult<Due<Day>> {
        let items = self.query_due(DUE_KIND, now, Some(limit), None).await?;
        let (records, quarantined) = self.read_due::<DayRecord>(items, now).await?;
        let mut days: Vec<Day> =
            records.into_iter().map(Day::from).filter(|d| d.due_at().is_some_and(|at| at <= now)).collect();
        days.truncate(limit);
        Ok(Due { items: days, quarantined })
    }

    async fn close_day(&self, team: &TeamId, date: SendDate, ledger: &Ledger, now: Timestamp) -> StoreResult<bool> {
        let Some(mut day) = self.get_day(team, date).await? else { return Ok(false) };
        day.closed_at = Some(now);
        let ledger = serde_dynamo::to_attribute_value(ledger).expect("a ledger serializes");
        let u = match day.due_at() {
            Some(next) => Update::new(
                team_pk(team),
                day_sk(date),
                "SET #ledger = :ledger, closed_at = :now, due_at = :next",
                "attribute_exists(PK) AND attribute_not_exists(closed_at)",
            )
            .val(":next", super::n(nanos(next))),
            None => Update::new(
                team_pk(team),
                day_sk(date),
                "SET #ledger = :ledger, closed_at = :now REMOVE due_kind, due_at",
                "attribute_exists(PK) AND attribute_not_exists(closed_at)",
            ),
        };
        let u = u.val(":ledger", ledger).val(":now", s(now.to_string()));
        Ok(self.update(u).await?.is_some())
    }

    async fn tally_day(&self, team: &TeamId, date: SendDate, tally: &Tally, now: Timestamp) -> StoreResult<bool> {
        let tally = serde_dynamo::to_attribute_value(tally).expect("a tally serializes");
        let u = Update::new(
            team_pk(team),
            day_sk(date),
            "SET #tally = :tally, tallied_at = :now",
            "attribute_exists(closed_at) AND attribute_not_exists(#tally)",
        )
        .val(":tally", tally)
        .val(":now", s(now.to_string()));
        Ok(self.update(u).await?.is_some())
    }

    async fn finish_day(&self, team: &TeamId, date: SendDate, now: Timestamp) -> StoreResult<bool> {
        self.done_once(team_pk(team), day_sk(date), "forgotten_at", "attribute_exists(#tally)", now).await
    }
}
