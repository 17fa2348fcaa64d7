//! A canister's log: `debug_print` lines and trap messages with an index and a
//! timestamp, as `fetch_canister_logs` returns them. Bounded: the oldest records are
//! dropped when the log exceeds [`crate::limits::MAX_LOG_BYTES`].

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
        content.truncate(crate::limits::MAX_LOG_LINE_BYTES);
        self.push_record(LogRecord {
            idx: self.next_idx,
            timestamp_nanos,
            content,
        });
    }

    /// Appends a record with its own index (replaying the journal); one whose index is
    /// below [`Self::next_idx`] is already there and is skipped.
    pub fn push_record(&mut self, record: LogRecord) {
        if record.idx < self.next_idx {
            return;
        }
        self.next_idx = record.idx + 1;
        self.bytes += record.content.len();
        self.records.push_back(record);
        while self.bytes > crate::limits::MAX_LOG_BYTES {
            match self.records.pop_front() {
                Some(r) => self.bytes -= r.content.len(),
                None => break,
            }
        }
    }

    pub fn records(&self) -> Vec<LogRecord> {
        self.records.iter().cloned().collect()
    }

    /// The records with an index of at least `idx`, oldest first.
    pub fn records_from(&self, idx: u64) -> impl Iterator<Item = &LogRecord> {
        self.records.iter().filter(move |r| r.idx >= idx)
    }

    /// The index the next record gets.
    pub fn next_idx(&self) -> u64 {
        self.next_idx
    }

    /// Sets the index of the next record (restoring a log whose records were dropped).
    pub fn set_next_idx(&mut self, idx: u64) {
        self.next_idx = self.next_idx.max(idx);
    }
}
