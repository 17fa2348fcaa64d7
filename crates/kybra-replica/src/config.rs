//! How a replica is set up ([`ReplicaConfig`]) and how its clock runs ([`TimeMode`]).

use std::path::PathBuf;

/// How the replica's clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeMode {
    /// The host's wall clock (strictly increasing from message to message).
    WallClock,
    /// A fixed time in nanoseconds since the Unix epoch; move it with `Replica::set_time`.
    Fixed(u64),
}

/// How a replica is set up.
#[derive(Debug, Clone)]
pub struct ReplicaConfig {
    /// Where state is kept (created if missing; one replica at a time). `None`: in memory
    /// only, gone when the replica is dropped.
    pub state_dir: Option<PathBuf>,
    pub time: TimeMode,
}

impl Default for ReplicaConfig {
    fn default() -> Self {
        ReplicaConfig {
            state_dir: None,
            time: TimeMode::WallClock,
        }
    }
}
