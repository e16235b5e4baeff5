//! Responses: one per voter and day, stored by the domain's rule (`Response::then`): read,
//! merge, and put on condition that nobody wrote in between; a lost race reads again.

use super::records::ResponseRecord;
use super::{DynamoStore, from_item, key, n, nanos, response_sk, s, team_pk, to_item};

fn salt_sk(date: SendDate) -> String {
    format!("SALT#{date}")
}

fn salt_of(team: &TeamId, sk: &str, item: &super::Item) -> StoreResult<DaySalt> {
    item.get("salt")
        .and_then(|v| v.as_s().ok())
        .and_then(|v| DaySalt::parse(v))
        .ok_or_else(|| StoreError::Corrupt { key: format!("{team} {sk}"), reason: "not a salt".into() })
}
use crate::domain::response::Counted;
use crate::domain::{Burst, Response, SendDate, TeamId};
use crate::store::{ResponseStore, StoreError, StoreResult};
use crate::voter::DaySalt;
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem};

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
            before: r.before_score.map(|score| Counted { score, comment: r.before_comment }),
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
        before_score: r.before.as_ref().map(|c| c.score),
        before_comment: r.before.as_ref().and_then(|c| c.comment.clone()),
        rev,
        expires_at: Some(crate::voter::kept_until(r.date).as_second()),
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

    async fn day_salt(&self, team: &TeamId, date: SendDate, fresh: &DaySalt) -> StoreResult<Option<DaySalt>> {
        let (pk, sk) = (team_pk(team), salt_sk(date));
        // The first votes of a day come at once (a gateway scanning every member's email):
        // a transaction DynamoDB cancels for another one on the same items is tried again,
        // after which the other's salt is there to read.
        for _ in 0..SALT_TRIES {
            if let Some(stored) = self.get(pk.clone(), &sk).await? {
                return salt_of(team, &sk, &stored).map(Some);
            }
            match self.create_salt(&pk, &sk, date, fresh).await? {
                Created::Yes => return Ok(Some(fresh.clone())),
                Created::DayClosed => return Ok(None),
                Created::Raced => {}
            }
        }
        Err(StoreError::Conflict(format!("salt {sk} of {team}")))
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

/// How many times a day's salt is looked for, and created if missing, before a vote is told
/// to try again.
const SALT_TRIES: usize = 3;

/// What creating a day's salt came to.
enum Created {
    Yes,
    /// The day's figures are fixed: no salt, no vote.
    DayClosed,
    /// Another request stored one first, or DynamoDB cancelled the transaction for another on
    /// the same items: look again.
    Raced,
}

impl DynamoStore {
    /// Stores `fresh` as the day's salt, while the day's figures are not fixed. (A day not
    /// recorded yet will be: its emails can go out before a failed run's plan is written again.)
    async fn create_salt(&self, pk: &str, sk: &str, date: SendDate, fresh: &DaySalt) -> StoreResult<Created> {
        let open = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key(pk, super::days::day_sk(date))))
            .condition_expression("attribute_not_exists(#tally)")
            .expression_attribute_names("#tally", "tally")
            .build()
            .expect("a complete condition check");
        let expires = n(crate::voter::kept_until(date).as_second());
        let item =
            [("PK", s(pk)), ("SK", s(sk)), ("kind", s("salt")), ("salt", s(fresh.as_str())), ("expires_at", expires)];
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .expect("a complete put");
        let sent = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().condition_check(open).build())
            .transact_items(TransactWriteItem::builder().put(put).build())
            .send()
            .await;
        let Err(e) = sent else { return Ok(Created::Yes) };
        let reasons: Vec<&str> = match e.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                c.cancellation_reasons().iter().map(|r| r.code().unwrap_or_default()).collect()
            }
            _ => return Err(super::backend(e)),
        };
        match reasons.as_slice() {
            ["ConditionalCheckFailed", ..] => Ok(Created::DayClosed),
            [_, "ConditionalCheckFailed"] => Ok(Created::Raced),
            r if r.contains(&"TransactionConflict") => Ok(Created::Raced),
            _ => Err(super::backend(e)),
        }
    }
}
