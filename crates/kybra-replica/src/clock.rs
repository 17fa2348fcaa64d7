//! The replica's clock: the wall clock (strictly increasing from message to message, and
//! never going back across restarts) or a fixed time that only moves when told to.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::TimeMode;

pub struct Clock {
    mode: TimeMode,
    last: u64,
}

impl Clock {
    pub fn new(mode: TimeMode) -> Self {
        Clock { mode, last: 0 }
    }

    fn wall() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    }

    /// The time for a new message.
    pub fn tick(&mut self) -> u64 {
        match self.mode {
            TimeMode::Fixed(t) => t,
            TimeMode::WallClock => {
                self.last = Self::wall().max(self.last + 1);
                self.last
            }
        }
    }

    pub fn peek(&self) -> u64 {
        match self.mode {
            TimeMode::Fixed(t) => t,
            TimeMode::WallClock => Self::wall().max(self.last),
        }
    }

    pub fn is_wall_clock(&self) -> bool {
        self.mode == TimeMode::WallClock
    }

    pub fn set(&mut self, nanos: u64) {
        self.mode = TimeMode::Fixed(nanos);
    }

    /// The last wall-clock tick (what persistence saves).
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Continues after a saved tick: the wall clock never goes back across restarts.
    pub fn restore(&mut self, last: u64) {
        self.last = self.last.max(last);
    }
}
