//! Dirty-page tracking for persistence: a bitset of 4 KiB page indices ([`PageSet`]),
//! bounded by the memory it describes, and [`commit_pages`], which brings a committed
//! copy of a memory up to date while noting which pages changed (it compares instead of
//! copying blindly, so the cost stays that of the full copy it replaces).

/// The unit of dirty tracking and of the journal's memory deltas.
pub const PAGE_BYTES: usize = 4096;

/// A set of page indices.
#[derive(Debug, Default, Clone)]
pub struct PageSet {
    words: Vec<u64>,
}

impl PageSet {
    pub fn insert(&mut self, page: usize) {
        let (w, b) = (page / 64, page % 64);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << b;
    }

    /// Adds every page of `other`.
    pub fn union(&mut self, other: &PageSet) {
        if other.words.len() > self.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w |= o;
        }
    }

    /// Marks every page touched by the byte range `offset..offset + len`.
    pub fn insert_range(&mut self, offset: usize, len: usize) {
        if len == 0 {
            return;
        }
        for page in offset / PAGE_BYTES..=(offset + len - 1) / PAGE_BYTES {
            self.insert(page);
        }
    }

    /// The pages, ascending; the set is left empty.
    pub fn take(&mut self) -> Vec<usize> {
        let mut out = Vec::new();
        for (w, word) in self.words.iter().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                out.push(w * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        self.words.clear();
        out
    }
}

/// Makes `committed` equal to `current`, adding the index of every 4 KiB page that
/// differed (or is new and not all zero) to `dirty`.
pub fn commit_pages(committed: &mut Vec<u8>, current: &[u8], dirty: &mut PageSet) {
    let common = committed.len().min(current.len());
    for (i, (old, new)) in committed[..common]
        .chunks_mut(PAGE_BYTES)
        .zip(current[..common].chunks(PAGE_BYTES))
        .enumerate()
    {
        if old != new {
            old.copy_from_slice(new);
            dirty.insert(i);
        }
    }
    committed.truncate(current.len());
    if current.len() > common {
        let start = committed.len();
        committed.extend_from_slice(&current[start..]);
        for (i, page) in current[start..].chunks(PAGE_BYTES).enumerate() {
            if page.iter().any(|b| *b != 0) {
                dirty.insert(start / PAGE_BYTES + i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_pages_finds_changed_and_new_pages() {
        let mut committed = vec![0u8; 3 * PAGE_BYTES];
        let mut current = committed.clone();
        current[PAGE_BYTES + 5] = 1;
        current.extend_from_slice(&[0u8; 2 * PAGE_BYTES]);
        current[4 * PAGE_BYTES] = 9;
        let mut dirty = PageSet::default();
        commit_pages(&mut committed, &current, &mut dirty);
        assert_eq!(committed, current);
        assert_eq!(dirty.take(), vec![1, 4]);
        assert_eq!(dirty.take(), Vec::<usize>::new());
        dirty.insert_range(PAGE_BYTES - 1, 2);
        assert_eq!(dirty.take(), vec![0, 1]);
        let (mut a, mut b) = (PageSet::default(), PageSet::default());
        a.insert(3);
        b.insert(130);
        b.insert(3);
        a.union(&b);
        assert_eq!(a.take(), vec![3, 130]);
    }
}
