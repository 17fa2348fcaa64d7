//! A canister's stable memory with an undo journal: while a message runs, every write
//! records the bytes it overwrites, so a trap restores the memory exactly (contents and
//! size) at a cost proportional to what the message wrote, not to the memory's size.
//! Written pages are also noted (until [`StableMemory::take_dirty`]) for the journal.

use crate::pages::PageSet;

#[derive(Debug, Default, Clone)]
pub struct StableMemory {
    bytes: Vec<u8>,
    /// (offset, overwritten bytes) of the running message, oldest first.
    undo: Vec<(usize, Vec<u8>)>,
    /// Size when the running message started.
    size_at_start: usize,
    /// 4 KiB pages written since the last [`Self::take_dirty`] (may include rolled-back
    /// writes: rewriting a page with its committed contents is harmless).
    dirty: PageSet,
}

impl StableMemory {
    /// Stable memory with these contents (restored from disk).
    pub fn from_bytes(bytes: Vec<u8>) -> StableMemory {
        let size_at_start = bytes.len();
        StableMemory {
            bytes,
            undo: Vec::new(),
            size_at_start,
            dirty: PageSet::default(),
        }
    }

    /// The pages written since the last call, ascending.
    pub fn take_dirty(&mut self) -> Vec<usize> {
        self.dirty.take()
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn pages(&self) -> u64 {
        self.bytes.len() as u64 / crate::limits::WASM_PAGE_BYTES
    }

    /// Grows by `pages`; returns the old page count, or `None` if memory is exhausted.
    pub fn grow(&mut self, pages: u64) -> Option<u64> {
        let old = self.pages();
        let extra = usize::try_from(pages.checked_mul(crate::limits::WASM_PAGE_BYTES)?).ok()?;
        self.bytes.try_reserve(extra).ok()?;
        self.bytes.resize(self.bytes.len() + extra, 0);
        Some(old)
    }

    /// Writes `data` at `offset` (the caller checked the bounds).
    pub fn write(&mut self, offset: usize, data: &[u8]) {
        let end = offset + data.len();
        // Bytes beyond the size at start need no journal: truncation restores them.
        let journaled_end = end.min(self.size_at_start);
        if offset < journaled_end {
            self.undo
                .push((offset, self.bytes[offset..journaled_end].to_vec()));
        }
        self.bytes[offset..end].copy_from_slice(data);
        self.dirty.insert_range(offset, data.len());
    }

    /// Starts a message: later writes can be undone with [`Self::rollback`].
    pub fn begin(&mut self) {
        self.undo.clear();
        self.size_at_start = self.bytes.len();
    }

    /// Keeps the running message's writes.
    pub fn commit(&mut self) {
        self.undo.clear();
        self.size_at_start = self.bytes.len();
    }

    /// Restores stable memory as it was at [`Self::begin`].
    pub fn rollback(&mut self) {
        while let Some((offset, old)) = self.undo.pop() {
            self.bytes[offset..offset + old.len()].copy_from_slice(&old);
        }
        self.bytes.truncate(self.size_at_start);
    }

    /// A copy of the current contents, with no journal (stable memory for an upgrade).
    pub fn clone_contents(&self) -> StableMemory {
        StableMemory::from_bytes(self.bytes.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_restores_contents_and_size() {
        let mut s = StableMemory::default();
        s.begin();
        s.grow(1).unwrap();
        s.write(10, b"hello");
        s.commit();
        s.begin();
        s.write(8, b"XXXXXXXX");
        s.grow(2).unwrap();
        s.write(65_530, b"0123456789");
        s.rollback();
        assert_eq!(s.pages(), 1);
        assert_eq!(&s.bytes()[10..15], b"hello");
        assert_eq!(&s.bytes()[8..10], &[0, 0]);
        assert_eq!(&s.bytes()[65_530..65_536], &[0; 6]);
    }
}
