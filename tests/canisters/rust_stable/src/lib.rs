//! The Rust baseline of the StableBTreeMap benchmark: the same methods as
//! `benches/projects/stable` (Python), on `ic-stable-structures` directly — a
//! `BTreeMap<u64, String>` in memory 0 of a `MemoryManager` over stable memory.

use std::cell::RefCell;

use ic_cdk::{query, update};
use ic_stable_structures::memory_manager::{MemoryId, MemoryManager, VirtualMemory};
use ic_stable_structures::{BTreeMap, DefaultMemoryImpl};

type Memory = VirtualMemory<DefaultMemoryImpl>;

thread_local! {
    static MANAGER: MemoryManager<DefaultMemoryImpl> = MemoryManager::init(DefaultMemoryImpl::default());
    static MAP: RefCell<BTreeMap<u64, String, Memory>> =
        RefCell::new(BTreeMap::init(MANAGER.with(|m| m.get(MemoryId::new(0)))));
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
