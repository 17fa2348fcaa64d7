//! The stable structures of `python/kybra/_stable.py` and `_stable_structures.py` on
//! `ic-stable-structures`: one `MemoryManager` over the canister's stable memory, one
//! structure per declared memory id (a log: two), opened when the module-level
//! declaration runs (at install and after every upgrade, from the payload's
//! `stable_structures`). Each kind's Python functions are in its own file: [`map`],
//! [`set`], [`vec`], [`log`], [`cell`], [`heap`].
//!
//! Layouts (pinned by `tests/golden/stable-*`; `kybra_codec::key` pins the key bytes):
//! - `StableBTreeMap[K, V]`: a `BTreeMap<key bytes, value Candid>`;
//! - `StableBTreeSet[K]`: a `BTreeSet<key bytes>` (kept as the `BTreeMap<key bytes, ()>`
//!   that is the library's `BTreeSet` layout, for its reverse ranges);
//! - `StableVec[T]`: a `BTreeMap<u64 index, Candid>` (the library's `Vec` needs elements of
//!   a fixed maximum size, which Candid values do not have);
//! - `StableLog[T]`: a `Log<Candid>` over its index and data memories;
//! - `StableCell[T]`: a `Cell<Candid>`;
//! - `StableMinHeap[T]`: a set (as above) of `kybra_codec::key::heap_entry(key bytes, n)`, so
//!   it pops in key order, equal elements first in, first out.
//!
//! Promises:
//! - keys and set/heap elements are stored in the order-preserving encoding of [`key`];
//!   values (map values, vec/log/cell elements) as Candid (the `DIDL` header and the
//!   value), decoded with Candid subtyping, so a type may evolve compatibly (e.g. gain
//!   `opt` fields) across upgrades;
//! - a key, value or element longer than its declared maximum is refused
//!   (`KeyTooLargeError` / `ValueTooLargeError` / `ElementTooLargeError`, nothing written);
//! - a value that is not of the declared type raises `TypeError` naming the structure, the
//!   path, what was expected and what was given; nothing traps;
//! - the memory manager takes all of stable memory: opening refuses (RuntimeError) memory
//!   that holds something else (data written with `ic.stable_write`), instead of wiping it,
//!   and [`open_memory_ids`] tells the raw API to refuse writes while structures are open;
//!   a memory id that holds another kind of structure (its magic bytes differ) is refused
//!   the same way, so changing a declaration's kind never wipes data;
//! - Kybra stores nothing of its own in the manager: memory ids 0..=254 are all the user's,
//!   except while the canister declares `StableFileSystem`, whose files take
//!   `kybra_interface::FILE_SYSTEM_MEMORY_IDS` (see `crate::files`).

mod cell;
mod heap;
mod key;
mod log;
pub mod manager;
mod map;
mod set;
mod slice;
mod store;
mod vec;

pub use store::open_memory_ids;

use pyo3::prelude::*;

/// Adds the functions to `_kybra_ic`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(store::stable_open, m)?)?;
    m.add_function(wrap_pyfunction!(store::stable_len, m)?)?;
    m.add_function(wrap_pyfunction!(slice::stable_slice, m)?)?;
    m.add_function(wrap_pyfunction!(slice::stable_pop, m)?)?;
    map::register(m)?;
    set::register(m)?;
    vec::register(m)?;
    log::register(m)?;
    cell::register(m)?;
    heap::register(m)?;
    Ok(())
}
