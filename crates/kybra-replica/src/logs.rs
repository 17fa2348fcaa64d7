//! A canister's log: `debug_print` lines and trap messages with an index and a
//! timestamp, as `fetch_canister_logs` returns them. Bounded: the oldest records are
//! dropped when the log exceeds [`crate::MAX_LOG_BYTES`].

use std::collections::VecDeque;

/// One log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    pub idx: u64,
    pub timestamp_nanos: u64,
    pub content: Vec<u8>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct CanisterLog {
    records: VecDeque<LogRecord>,
    next_idx: u64,
    bytes: usize,
}

impl CanisterLog {
    pub fn push(&mut self, timestamp_nanos: u64, mut content: Vec<u8>) {
        content.truncate(crate::MAX_LOG_LINE_BYTES);
        self.bytes += content.len();
        self.records.push_back(LogRecord {
            idx: self.next_idx,
            timestamp_nanos,
            content,
        });
        self.next_idx += 1;
        while self.bytes > crate::MAX_LOG_BYTES {
            match self.records.pop_front() {
                Some(r) => self.bytes -= r.content.len(),
                None => break,
            }
        }
    }

    pub fn records(&self) -> Vec<LogRecord> {
        self.records.iter().cloned().collect()
    }
}
