//! Versioned JSON records of operational state (the sending pause, the reputation window, the
//! sender's alert bookkeeping): the one way to read and write them.
//!
//! A record that is there but cannot be read fails closed — [`StoreError::Corrupt`] — instead
//! of reading as "nothing recorded": a corrupt pause must not read as "not paused".

use super::{StateStore, StoreError};
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A record's value and the version it was read at (`None`: there was no record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: Option<u64>,
}

/// The record called `name`; the type's default if there is none.
pub async fn read<T: DeserializeOwned + Default>(
    store: &dyn StateStore,
    name: &str,
) -> Result<Versioned<T>, StoreError> {
    match store.get_state(name).await? {
        None => Ok(Versioned { value: T::default(), version: None }),
        Some(rec) => match serde_json::from_str(&rec.data) {
            Ok(value) => Ok(Versioned { value, version: Some(rec.version) }),
            Err(e) => Err(StoreError::Corrupt { key: format!("state record {name}"), reason: e.to_string() }),
        },
    }
}

/// Writes `value` if the record is still at `version` (as [`read`] returned it). `Ok(false)`
/// if someone else wrote first: read again and decide again.
pub async fn write<T: Serialize>(
    store: &dyn StateStore,
    name: &str,
    value: &T,
    version: Option<u64>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let data = serde_json::to_string(value).expect("state records serialize");
    store.put_state(name, &data, version, now).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Flag {
        on: bool,
    }

    #[tokio::test]
    async fn missing_reads_as_default_and_writes_are_versioned() {
        let s = MemoryStore::new();
        let now = Timestamp::UNIX_EPOCH;
        let r: Versioned<Flag> = read(&s, "f").await.unwrap();
        assert_eq!(r, Versioned { value: Flag::default(), version: None });
        assert!(write(&s, "f", &Flag { on: true }, None, now).await.unwrap());
        assert!(!write(&s, "f", &Flag { on: false }, None, now).await.unwrap(), "stale version");
        let r: Versioned<Flag> = read(&s, "f").await.unwrap();
        assert_eq!(r, Versioned { value: Flag { on: true }, version: Some(1) });
    }

    #[tokio::test]
    async fn a_corrupt_record_fails_closed() {
        let s = MemoryStore::new();
        s.put_state("f", "{not json", None, Timestamp::UNIX_EPOCH).await.unwrap();
        assert!(matches!(read::<Flag>(&s, "f").await, Err(StoreError::Corrupt { .. })));
    }
}
