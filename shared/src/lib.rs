//! Morale's library: the domain, the ports (store, clock, …) and their adapters.
//!
//! The domain has no AWS types; adapters live beside in-memory fakes that obey the same
//! contract (see `tests/` for the contract tests that run against both).

pub mod alert;
pub mod aws;
pub mod clock;
pub mod config;
pub mod cost;
pub mod domain;
pub mod email;
pub mod fixtures;
pub mod i18n;
pub mod insights;
pub mod mail;
pub mod metrics;
pub mod preflight;
pub mod random;
pub mod reputation;
pub mod ses_event;
pub mod store;
pub mod tags;
pub mod telemetry;
pub mod token;
pub mod voter;

pub use jiff;
