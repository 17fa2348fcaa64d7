//! Which 4 KiB pages of a canister's heap a message wrote, learnt from the MMU as the IC
//! learns it: the heap is mapped read-only while a message runs ([`WriteTracker::arm`]); the
//! first write to a page faults, the store's signal handler (wasmtime calls it before its own
//! trap handling) notes the page and makes it writable, and the write goes ahead.
//! [`WriteTracker::disarm`] answers the pages written, so a rollback restores and a commit
//! copies only those. The heap stays read-only between messages except for the pages the
//! last message wrote, which the next `arm` protects again: mapping a large heap read-only
//! costs about as much as copying it on some hosts, so it is done once, and a message's
//! cost no longer grows with the heap.
//!
//! Promises: every write to the armed range between `arm` and `disarm` — by wasm code or by
//! host functions running inside the call — is in the answer. Between messages only the
//! pages of the last answer are writable: the owner writes nothing else without calling
//! [`WriteTracker::release`] first (which maps the whole heap writable and forgets the
//! protection) or [`WriteTracker::make_writable`] for the pages it writes. The answer is
//! `None` (nothing tracked; the caller compares or copies the
//! whole heap, after `release`) when protection could not be set up or the memory moved,
//! and on targets without native signals. Pages the heap grew by during a message are not
//! tracked (the caller sees the size change); the next `arm` protects them. The handler
//! takes only faults inside the armed range and is async-signal-safe (atomics and
//! `mprotect`).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::pages::{PageSet, PAGE_BYTES};

/// 4 GiB of wasm32 memory, in tracked pages.
const MAX_PAGES: usize = (1 << 32) / PAGE_BYTES;

/// What the signal handler and the execution share.
struct Shared {
    armed: AtomicBool,
    base: AtomicUsize,
    len: AtomicUsize,
    /// One bit per page of the armed range.
    written: Box<[AtomicU64]>,
}

/// Write tracking of one instance's heap.
pub struct WriteTracker {
    shared: Arc<Shared>,
    /// The range mapped read-only (but for `writable`), if any.
    protected: Option<(usize, usize)>,
    /// Pages of the protected range made writable by the last message.
    writable: Vec<usize>,
}

impl Default for WriteTracker {
    fn default() -> Self {
        let written = (0..MAX_PAGES / 64).map(|_| AtomicU64::new(0)).collect();
        WriteTracker {
            shared: Arc::new(Shared {
                armed: AtomicBool::new(false),
                base: AtomicUsize::new(0),
                len: AtomicUsize::new(0),
                written,
            }),
            protected: None,
            writable: Vec::new(),
        }
    }
}

impl WriteTracker {
    /// Installs the fault handler on `store` (once per store).
    pub fn install<T>(&self, store: &mut wasmtime::Store<T>) {
        #[cfg(unix)]
        {
            use wasmtime::unix::StoreExt;
            let shared = Arc::clone(&self.shared);
            // SAFETY: the handler only reads atomics, calls `mprotect` and sets bits:
            // async-signal-safe, as wasmtime requires.
            unsafe {
                store.set_signal_handler(move |signum, info, _| shared.on_fault(signum, info));
            }
        }
        #[cfg(not(unix))]
        let _ = store;
    }

    /// Maps the `len` bytes at `base` read-only (only what is not already) and starts
    /// noting writes; `false` if it could not (then nothing is tracked and the heap is
    /// writable).
    pub fn arm(&mut self, base: *mut u8, len: usize) -> bool {
        let base = base as usize;
        if len == 0 || len > MAX_PAGES * PAGE_BYTES || !base.is_multiple_of(PAGE_BYTES) {
            self.release();
            return false;
        }
        let protected = match self.protected {
            Some((b, l)) if b == base && l <= len => {
                let pages = std::mem::take(&mut self.writable);
                runs(&pages)
                    .all(|(first, n)| protect(base + first * PAGE_BYTES, n * PAGE_BYTES, false))
                    && (l == len || protect(base + l, len - l, false))
            }
            _ => protect(base, len, false),
        };
        // Until `armed`, a fault in the range would not be ours: set the range first.
        let s = &self.shared;
        s.base.store(base, Ordering::SeqCst);
        s.len.store(len, Ordering::SeqCst);
        self.protected = Some((base, len));
        if !protected {
            self.release();
            return false;
        }
        s.armed.store(true, Ordering::SeqCst);
        true
    }

    /// Stops noting writes: the pages written, or `None` if the memory no longer starts at
    /// `base` (it moved, so writes may have been missed; the protection is forgotten).
    pub fn disarm(&mut self, base: *mut u8) -> Option<PageSet> {
        let s = &self.shared;
        s.armed.store(false, Ordering::SeqCst);
        let len = s.len.load(Ordering::SeqCst);
        let mut pages = PageSet::default();
        for (w, word) in s.written[..len.div_ceil(PAGE_BYTES).div_ceil(64)]
            .iter()
            .enumerate()
        {
            let mut bits = word.swap(0, Ordering::SeqCst);
            while bits != 0 {
                let page = w * 64 + bits.trailing_zeros() as usize;
                pages.insert(page);
                self.writable.push(page);
                bits &= bits - 1;
            }
        }
        if s.base.load(Ordering::SeqCst) != base as usize {
            self.protected = None;
            self.writable.clear();
            return None;
        }
        Some(pages)
    }

    /// Makes `pages` (ascending) of the protected range writable until the next `arm`, for
    /// the owner to write them (a rollback of several pending messages' pages).
    pub fn make_writable(&mut self, pages: &[usize]) {
        let Some((base, _)) = self.protected else {
            return;
        };
        for (first, n) in runs(pages) {
            if !protect(base + first * PAGE_BYTES, n * PAGE_BYTES, true) {
                self.release();
                return;
            }
        }
        self.writable.extend_from_slice(pages);
        self.writable.sort_unstable();
        self.writable.dedup();
    }

    /// Maps the whole protected range writable again and forgets the protection (before
    /// the owner writes anywhere in the heap, or when the memory is replaced).
    pub fn release(&mut self) {
        if let Some((base, len)) = self.protected.take() {
            protect(base, len, true);
        }
        self.writable.clear();
    }

    /// Forgets the protection without touching memory (the memory is gone or replaced).
    pub fn forget(&mut self) {
        self.protected = None;
        self.writable.clear();
    }
}

/// Ascending runs of consecutive pages in `pages` (ascending): `(first, count)`.
fn runs(pages: &[usize]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let first = *pages.get(i)?;
        let mut n = 1;
        while pages.get(i + n) == Some(&(first + n)) {
            n += 1;
        }
        i += n;
        Some((first, n))
    })
}

impl Shared {
    /// A fault: if it is a write to the armed range, note the page, make it writable and
    /// let the write retry (`true`); anything else is wasmtime's (`false`).
    #[cfg(unix)]
    fn on_fault(&self, signum: libc::c_int, info: *const libc::siginfo_t) -> bool {
        if signum != libc::SIGSEGV && signum != libc::SIGBUS {
            return false;
        }
        if !self.armed.load(Ordering::SeqCst) {
            return false;
        }
        // SAFETY: for SIGSEGV and SIGBUS the kernel fills `si_addr`.
        let addr = unsafe { (*info).si_addr() } as usize;
        let (base, len) = (
            self.base.load(Ordering::SeqCst),
            self.len.load(Ordering::SeqCst),
        );
        if addr < base || addr >= base + len {
            return false;
        }
        let page = (addr - base) / PAGE_BYTES;
        if !protect(base + page * PAGE_BYTES, PAGE_BYTES, true) {
            return false;
        }
        self.written[page / 64].fetch_or(1 << (page % 64), Ordering::SeqCst);
        true
    }
}

/// `mprotect`s `len` bytes at `addr` read-only or read-write; whether it worked.
fn protect(addr: usize, len: usize, writable: bool) -> bool {
    #[cfg(unix)]
    {
        let prot = if writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        };
        // SAFETY: callers pass the range of a live wasmtime linear memory (or pages of it),
        // which is mapped; only its protection changes.
        unsafe { libc::mprotect(addr as *mut libc::c_void, len, prot) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = (addr, len, writable);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn runs_group_consecutive_pages() {
        let got: Vec<_> = runs(&[0, 1, 2, 5, 7, 8]).collect();
        assert_eq!(got, vec![(0, 3), (5, 1), (7, 2)]);
        assert_eq!(runs(&[]).count(), 0);
    }
}
