//! The Rust baseline of the stable structures benchmark: the same methods as
//! `benches/projects/stable` (Python), on `ic-stable-structures` directly — a
//! `BTreeMap<u64, String>` in memory 0 of a `MemoryManager` over stable memory, and for
//! `bulk` a `BTreeSet<u64>` (1), `Vec<u64>` (2), `Log<String>` (3, 4), `Cell<u64>` (5) and
//! `MinHeap<u64>` (6).

use std::cell::RefCell;

use ic_cdk::{query, update};
use ic_stable_structures::memory_manager::{MemoryId, MemoryManager, VirtualMemory};
use ic_stable_structures::{BTreeMap, BTreeSet, Cell, DefaultMemoryImpl, Log, MinHeap, Vec as StableVec};

type Memory = VirtualMemory<DefaultMemoryImpl>;

thread_local! {
    static MANAGER: MemoryManager<DefaultMemoryImpl> = MemoryManager::init(DefaultMemoryImpl::default());
    static MAP: RefCell<BTreeMap<u64, String, Memory>> =
        RefCell::new(BTreeMap::init(memory(0)));
    static SET: RefCell<BTreeSet<u64, Memory>> = RefCell::new(BTreeSet::init(memory(1)));
    static VEC: StableVec<u64, Memory> = StableVec::init(memory(2));
    static LOG: Log<String, Memory, Memory> = Log::init(memory(3), memory(4));
    static CELL: RefCell<Cell<u64, Memory>> = RefCell::new(Cell::init(memory(5), 0));
    static HEAP: RefCell<MinHeap<u64, Memory>> = RefCell::new(MinHeap::init(memory(6)));
}

fn memory(id: u8) -> Memory {
    MANAGER.with(|m| m.get(MemoryId::new(id)))
}

/// `n` operations of one kind (`set_add`, `vec_push`, `log_append`, `cell_set`,
/// `heap_push`, `heap_pop`) on keys/values `i` in `0..n`; returns the structure's length
/// afterwards (the cell: its value).
#[update]
fn bulk(kind: String, n: u64) -> u64 {
    match kind.as_str() {
        "set_add" => SET.with_borrow_mut(|s| {
            (0..n).for_each(|i| {
                s.insert(i);
            });
            s.len()
        }),
        "vec_push" => VEC.with(|v| {
            (0..n).for_each(|i| v.push(&i));
            v.len()
        }),
        "log_append" => LOG.with(|l| {
            (0..n).for_each(|i| {
                l.append(&format!("entry-{i}")).expect("log append");
            });
            l.len()
        }),
        "cell_set" => CELL.with_borrow_mut(|c| {
            (0..n).for_each(|i| {
                c.set(i);
            });
            *c.get()
        }),
        "heap_push" => HEAP.with_borrow_mut(|h| {
            (0..n).for_each(|i| h.push(&(n - i)));
            h.len()
        }),
        "heap_pop" => HEAP.with_borrow_mut(|h| {
            (0..n).for_each(|_| {
                h.pop();
            });
            h.len()
        }),
        other => ic_cdk::trap(format!("no bulk kind {other}")),
    }
}

#[update]
fn insert(key: u64, value: String) -> Option<String> {
    MAP.with(|m| m.borrow_mut().insert(key, value))
}

#[query]
fn get(key: u64) -> Option<String> {
    MAP.with(|m| m.borrow().get(&key))
}

/// Inserts `value-i` under every key `i` in `start..start + count`; returns the length.
#[update]
fn fill(start: u64, count: u64) -> u64 {
    MAP.with(|m| {
        let mut m = m.borrow_mut();
        for i in start..start + count {
            m.insert(i, format!("value-{i}"));
        }
        m.len()
    })
}

/// Reads every key in `start..start + count`; returns how many differ from `value-i`.
#[query]
fn verify(start: u64, count: u64) -> u64 {
    MAP.with(|m| {
        let m = m.borrow();
        (start..start + count).filter(|i| m.get(i).as_deref() != Some(format!("value-{i}").as_str())).count() as u64
    })
}
