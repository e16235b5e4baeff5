//! Writing a group of teams' items, and handing the drain those it can send in time, created
//! already claimed.

use super::{SCHEDULE_MARGIN, SCHEDULE_WRITES, TeamPlan};
use crate::drain::TeamData;
use crate::{Report, Sender};
use futures::StreamExt;
use jiff::{SignedDuration, Timestamp};
use morale::domain::outbox::Change;
use morale::domain::{OutboxItem, TeamId};
use morale::metrics::{self, Metrics};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// An item created claimed for this invocation's drain, with its team as scheduling read it.
pub(crate) struct Handed {
    pub(crate) item: OutboxItem,
    pub(crate) team: Arc<TeamData>,
}

/// Where scheduling hands claimed items to the drain, and how many it may.
pub(crate) struct Handoff {
    pub(crate) tx: mpsc::Sender<Handed>,
    pub(crate) owner: String,
    /// The drain's pace: the k-th item handed is planned to go k / rate after `began`...
    pub(crate) rate: f64,
    pub(crate) began: Timestamp,
    /// ...and is handed only if that is before `send_by`; its lease runs `lease` past it.
    pub(crate) send_by: Timestamp,
    pub(crate) lease: SignedDuration,
    pub(crate) handed: usize,
}

/// How the next item is created.
enum Creation {
    /// Claimed until then, and handed to the drain.
    Claimed(Timestamp),
    /// Not now: this invocation cannot send it in time, and its continuation creates it (the
    /// team is not moved on, so that the next run plans the rest). No item waits unclaimed
    /// only to cost a claim later.
    Later,
    /// Pending, for whoever drains next (the drain stopped: SES refused, or the table failed).
    Pending,
}

impl Handoff {
    fn next(&mut self, now: Timestamp) -> Creation {
        if self.tx.is_closed() {
            // Stopped for its deadline: the continuation writes the rest. Stopped before it
            // (SES refused, the table failed): pending, kept and counted as held.
            return if now >= self.send_by { Creation::Later } else { Creation::Pending };
        }
        let planned = self.began + SignedDuration::from_secs_f64(self.handed as f64 / self.rate);
        if planned >= self.send_by {
            return Creation::Later;
        }
        self.handed += 1;
        Creation::Claimed(planned + self.lease)
    }
}

impl Sender {
    /// Writes a group's items, the teams interleaved, a few at a time; hands the claimed ones
    /// to the drain. The teams whose writes failed, with the first error of each, and those
    /// with items left for later.
    pub(super) async fn write_group(
        &self,
        group: &[TeamPlan],
        now: Timestamp,
        deadline: Instant,
        mut handoff: Option<&mut Handoff>,
        report: &mut Report,
        m: &mut Metrics,
    ) -> (HashMap<TeamId, String>, HashSet<TeamId>) {
        // Round robin over the teams' lists.
        let lists: Vec<Vec<OutboxItem>> = group.iter().map(|p| p.items(now)).collect();
        let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
        let mut items = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        let mut later = HashSet::new();
        let mut lists: Vec<_> = lists.into_iter().map(Vec::into_iter).collect();
        for _ in 0..longest {
            for (i, list) in lists.iter_mut().enumerate() {
                let Some(item) = list.next() else { continue };
                let at = self.clock.now();
                let creation = handoff.as_deref_mut().map_or(Creation::Pending, |h| h.next(at));
                match creation {
                    Creation::Pending => items.push((i, item, false)),
                    Creation::Later => {
                        later.insert(item.key.team.clone());
                    }
                    Creation::Claimed(until) => {
                        // Claimed at creation, by the lifecycle's own claim.
                        let owner = handoff.as_deref().map(|h| h.owner.as_str()).unwrap_or_default();
                        let claim = Change::Claim { owner, lease_until: until };
                        match claim.apply(&item, now) {
                            Some(claimed) => items.push((i, claimed, true)),
                            None => items.push((i, item, false)),
                        }
                    }
                }
            }
        }
        let mut failed = HashMap::new();
        let mut created = vec![0u64; group.len()];
        let writes: Vec<_> = items
            .into_iter()
            .map(|(i, item, claimed)| {
                let store = self.store.clone();
                async move {
                    let r = store.enqueue(&item).await;
                    (i, item, claimed, r)
                }
            })
            .collect();
        let mut writes = futures::stream::iter(writes).buffered(SCHEDULE_WRITES);
        let mut cut = false;
        while let Some((i, item, claimed, r)) = writes.next().await {
            if deadline.saturating_duration_since(Instant::now()) < SCHEDULE_MARGIN {
                // Writes still in flight are dropped: an item one of them created waits, claimed
                // or pending, for its lease or the next drain.
                cut = true;
                break;
            }
            match r {
                Ok(true) => {
                    created[i] += 1;
                    if !claimed {
                        continue;
                    }
                    let owner = item.lease_owner.clone().unwrap_or_default();
                    let handed = Handed { item, team: group[i].data.clone() };
                    let sent = match handoff.as_deref() {
                        Some(h) => h.tx.send(handed).await.map_err(|e| e.0),
                        None => Err(handed),
                    };
                    if let Err(back) = sent {
                        // The drain stopped (its deadline, SES refusing): the claim is given
                        // back at once, for the next sender.
                        let key = &back.item.key;
                        match self.store.release(key, &owner, now, None, self.clock.now()).await {
                            Ok(released) => report.released += u64::from(released),
                            Err(e) => {
                                failed.entry(key.team.clone()).or_insert_with(|| e.to_string());
                            }
                        }
                    }
                }
                Ok(false) => {}
                Err(e) => {
                    failed.entry(item.key.team.clone()).or_insert_with(|| e.to_string());
                }
            }
        }
        drop(writes);
        if cut {
            tracing::warn!("scheduling stops for the deadline: the group's teams are finished next run");
            later.extend(group.iter().map(|p| p.team.id.clone()));
        }
        for (plan, n) in group.iter().zip(created) {
            report.emails_scheduled += n;
            m.count(metrics::EMAILS_SCHEDULED, n);
            tracing::info!(team = %plan.team.id, created = n, "scheduled");
        }
        if !later.is_empty() {
            tracing::info!(teams = later.len(), "emails this run cannot send in time are left for its continuation");
        }
        (failed, later)
    }
}
