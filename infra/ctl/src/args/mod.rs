//! What each subcommand takes, as clap parses it.

mod ops;
mod people;

pub use ops::*;
pub use people::*;
