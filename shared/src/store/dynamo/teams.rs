//! Teams and members.

use super::records::{MemberRecord, TeamRecord};
use super::{DynamoStore, Item, TEAM_SK, Update, backend, from_item, member_sk, n, nanos, s, team_pk, to_item};
use crate::domain::{Away, Locale, Member, MemberId, MemberStatus, StatusChange, Team, TeamId};
use crate::store::{Due, MemberStore, StoreError, StoreResult, TeamStore};
use async_trait::async_trait;
use jiff::Timestamp;

#[async_trait]
impl TeamStore for DynamoStore {
    async fn create_team(&self, team: &Team) -> StoreResult<()> {
        let item = to_item(&TeamRecord::from(team));
        if self.put(item, "attribute_not_exists(PK)", vec![]).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists(format!("team {}", team.id)))
        }
    }

    async fn get_team(&self, id: &TeamId) -> StoreResult<Option<Team>> {
        match self.get(team_pk(id), TEAM_SK).await? {
            Some(item) => Ok(Some(from_item::<TeamRecord>(item)?.into())),
            None => Ok(None),
        }
    }

    async fn list_teams(&self) -> StoreResult<Vec<Team>> {
        // Operators list teams rarely; a scan keeps the table free of a "kind" index.
        let items: Vec<Item> = self
            .client
            .scan()
            .table_name(&self.table)
            .filter_expression("SK = :sk")
            .expression_attribute_values(":sk", s(TEAM_SK))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(backend)?;
        let mut teams =
            items.into_iter().map(|i| from_item::<TeamRecord>(i).map(Team::from)).collect::<Result<Vec<_>, _>>()?;
        teams.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(teams)
    }

    async fn update_team(&self, team: &Team) -> StoreResult<Team> {
        let stored = self.get_team(&team.id).await?.ok_or_else(|| StoreError::NotFound(format!("team {}", team.id)))?;
        let mut updated = team.clone();
        updated.version = team.version + 1;
        updated.created_at = stored.created_at;
        let ok = self.put(to_item(&TeamRecord::from(&updated)), "version = :v", vec![(":v", n(team.version))]).await?;
        if ok { Ok(updated) } else { Err(StoreError::Conflict(format!("team {}", team.id))) }
    }

    async fn delete_team(&self, id: &TeamId) -> StoreResult<()> {
        self.delete_existing(team_pk(id), TEAM_SK.into(), format!("team {id}")).await
    }

    async fn due_teams(&self, now: Timestamp) -> StoreResult<Due<Team>> {
        let items = self.query_due("team", now, None, None).await?;
        let (records, quarantined) = self.read_due::<TeamRecord>(items, now).await?;
        let mut teams: Vec<Team> = records.into_iter().map(Team::from).collect();
        // The index holds whole seconds; the exact instant decides.
        teams.retain(|t| t.next_send_at.is_some_and(|n| n <= now));
        teams.sort_by_key(|t| t.next_send_at);
        Ok(Due { items: teams, quarantined })
    }

    async fn advance_team(&self, id: &TeamId, expected: Timestamp, next: Timestamp) -> StoreResult<bool> {
        let u = Update::new(
            team_pk(id),
            TEAM_SK.into(),
            "SET next_send_at = :next, due_at = :due_at, version = version + :one",
            "next_send_at = :expected",
        )
        .val(":next", s(next.to_string()))
        .val(":due_at", n(nanos(next)))
        .val(":one", n(1))
        .val(":expected", s(expected.to_string()));
        Ok(self.update(u).await?.is_some())
    }
}

#[async_trait]
impl MemberStore for DynamoStore {
    async fn add_member(&self, member: &Member) -> StoreResult<()> {
        if self.put(to_item(&MemberRecord::from(member)), "attribute_not_exists(PK)", vec![]).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists(format!("member {} of team {}", member.email.masked(), member.team)))
        }
    }

    async fn get_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<Option<Member>> {
        match self.get(team_pk(team), &member_sk(id)).await? {
            Some(item) => Ok(Some(from_item::<MemberRecord>(item)?.into())),
            None => Ok(None),
        }
    }

    async fn list_members(&self, team: &TeamId) -> StoreResult<Vec<Member>> {
        self.query_prefix(team_pk(team), "MEMBER#")
            .await?
            .into_iter()
            .map(|i| from_item::<MemberRecord>(i).map(Member::from))
            .collect()
    }

    async fn set_status(&self, team: &TeamId, id: &MemberId, change: StatusChange<'_>) -> StoreResult<Option<Member>> {
        let StatusChange { from, to, reason, at: now } = change;
        const FROM: [&str; 5] = [":f0", ":f1", ":f2", ":f3", ":f4"];
        let placeholders = FROM[..from.len()].join(", ");
        if from.is_empty() {
            return match self.get_member(team, id).await? {
                Some(_) => Ok(None),
                None => Err(StoreError::NotFound(format!("member {id} of team {team}"))),
            };
        }
        let cond = format!("attribute_exists(PK) AND #status IN ({placeholders})");
        let mut u = Update::new(
            team_pk(team),
            member_sk(id),
            // As `StatusChange::apply`: any change of status ends the member's own pause.
            "SET #status = :to, status_reason = :reason, updated_at = :now REMOVE away_until",
            &cond,
        )
        .val(":to", s(to.as_str()))
        .val(":reason", s(reason))
        .val(":now", s(now.to_string()));
        for (i, f) in from.iter().enumerate() {
            u = u.val(FROM[i], s(f.as_str()));
        }
        match self.update(u).await? {
            Some(item) => Ok(Some(from_item::<MemberRecord>(item)?.into())),
            None => match self.get_member(team, id).await? {
                Some(_) => Ok(None),
                None => Err(StoreError::NotFound(format!("member {id} of team {team}"))),
            },
        }
    }

    async fn add_soft_bounce(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<u32> {
        let item = self.count_soft_bounces(team, id, "soft_bounces + :n", 1, now).await?;
        Ok(from_item::<MemberRecord>(item)?.soft_bounces)
    }

    async fn reset_soft_bounces(&self, team: &TeamId, id: &MemberId, now: Timestamp) -> StoreResult<()> {
        self.count_soft_bounces(team, id, ":n", 0, now).await.map(drop)
    }

    async fn set_away(&self, team: &TeamId, id: &MemberId, away: Away) -> StoreResult<Option<Member>> {
        let expr = if away.back.is_some() {
            "SET away_until = :back, updated_at = :now"
        } else {
            "REMOVE away_until SET updated_at = :now"
        };
        let mut u = Update::new(team_pk(team), member_sk(id), expr, "attribute_exists(PK) AND #status = :active")
            .val(":active", s(MemberStatus::Active.as_str()))
            .val(":now", s(away.at.to_string()));
        if let Some(back) = away.back {
            u = u.val(":back", s(back.as_str()));
        }
        match self.update(u).await? {
            Some(item) => Ok(Some(from_item::<MemberRecord>(item)?.into())),
            None => match self.get_member(team, id).await? {
                Some(_) => Ok(None),
                None => Err(StoreError::NotFound(format!("member {id} of team {team}"))),
            },
        }
    }

    async fn set_locale(&self, team: &TeamId, id: &MemberId, locale: Option<Locale>, at: Timestamp) -> StoreResult<()> {
        let expr = if locale.is_some() {
            "SET locale = :locale, updated_at = :now"
        } else {
            "REMOVE locale SET updated_at = :now"
        };
        let mut u =
            Update::new(team_pk(team), member_sk(id), expr, "attribute_exists(PK)").val(":now", s(at.to_string()));
        if let Some(l) = locale {
            u = u.val(":locale", s(l.tag()));
        }
        match self.update(u).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound(format!("member {id} of team {team}"))),
        }
    }

    async fn remove_member(&self, team: &TeamId, id: &MemberId) -> StoreResult<()> {
        self.delete_existing(team_pk(team), member_sk(id), format!("member {id} of team {team}")).await
    }
}

impl DynamoStore {
    /// Sets a member's transient-bounce count to `value` (an expression of `:n`).
    async fn count_soft_bounces(
        &self,
        team: &TeamId,
        id: &MemberId,
        value: &str,
        by: i64,
        now: Timestamp,
    ) -> StoreResult<Item> {
        let expr = format!("SET soft_bounces = {value}, updated_at = :now");
        let u = Update::new(team_pk(team), member_sk(id), &expr, "attribute_exists(PK)")
            .val(":n", n(by))
            .val(":now", s(now.to_string()));
        self.update(u).await?.ok_or_else(|| StoreError::NotFound(format!("member {id} of team {team}")))
    }
}
