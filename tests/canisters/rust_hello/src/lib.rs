//! A Rust canister used by the replica's tests and by the benchmarks: the Kybra Book's
//! hello world (`get_message`/`set_message`) written with `ic-cdk`, plus methods that
//! exercise the replica (traps after mutating state, endless loops, stable memory,
//! the caller, large replies), and the codec benchmark's `echo` of a vec of records.

use std::cell::RefCell;

use candid::{CandidType, Deserialize, Principal};
use ic_cdk::{query, update};

thread_local! {
    static MESSAGE: RefCell<String> = const { RefCell::new(String::new()) };
    static BALLAST: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

#[query]
fn get_message() -> String {
    MESSAGE.with(|m| m.borrow().clone())
}

#[update]
fn set_message(message: String) {
    MESSAGE.with(|m| *m.borrow_mut() = message);
}

/// Changes the message (heap) and writes stable memory, then traps: nothing may persist.
#[update]
fn set_message_then_trap(message: String) {
    MESSAGE.with(|m| *m.borrow_mut() = message.clone());
    write_stable(0, message.as_bytes());
    ic_cdk::trap(format!(
        "deliberate trap after setting the message to {message:?}"
    ));
}

/// Grows the heap by `mib` MiB, then traps: the memory size must roll back too.
#[update]
fn grow_heap_then_trap(mib: u32) {
    BALLAST.with(|b| b.borrow_mut().push(vec![7u8; mib as usize * 1024 * 1024]));
    MESSAGE.with(|m| *m.borrow_mut() = "grown".to_string());
    ic_cdk::trap("deliberate trap after growing the heap");
}

/// Grows the heap by `mib` MiB and keeps it.
#[update]
fn grow_heap(mib: u32) -> u64 {
    BALLAST.with(|b| b.borrow_mut().push(vec![7u8; mib as usize * 1024 * 1024]));
    core::arch::wasm32::memory_size(0) as u64 * 65536
}

/// Writes `byte` at the start of every 4 KiB page of the ballast; the pages written.
fn scribble(byte: u8) -> u64 {
    BALLAST.with(|b| {
        let mut n = 0;
        for v in b.borrow_mut().iter_mut() {
            for i in (0..v.len()).step_by(4096) {
                v[i] = byte;
                n += 1;
            }
        }
        n
    })
}

/// A query that writes every page of the ballast: none of it may persist.
#[query]
fn scribble_in_query(byte: u8) -> u64 {
    scribble(byte)
}

/// An update that writes every page of the ballast: all of it persists.
#[update]
fn scribble_in_update(byte: u8) -> u64 {
    scribble(byte)
}

/// The sum of the ballast's bytes at the start of every 4 KiB page.
#[query]
fn ballast_probe() -> u64 {
    BALLAST.with(|b| {
        b.borrow()
            .iter()
            .flat_map(|v| v.iter().step_by(4096))
            .map(|x| u64::from(*x))
            .sum()
    })
}

/// A query that changes state: the change must not persist.
#[query]
fn set_message_in_query(message: String) -> String {
    MESSAGE.with(|m| *m.borrow_mut() = message);
    get_message()
}

#[query]
fn loop_query() -> u64 {
    spin()
}

#[update]
fn loop_update() -> u64 {
    spin()
}

#[inline(never)]
fn spin() -> u64 {
    let mut x: u64 = 0;
    loop {
        x = core::hint::black_box(x.wrapping_add(1));
        if core::hint::black_box(x) == u64::MAX {
            return x;
        }
    }
}

fn write_stable(offset: u64, data: &[u8]) {
    let end = offset + data.len() as u64;
    let have = ic_cdk::stable::stable_size() * 65536;
    if end > have {
        let pages = (end - have).div_ceil(65536);
        ic_cdk::stable::stable_grow(pages).expect("stable memory could not grow");
    }
    ic_cdk::stable::stable_write(offset, data);
}

#[update]
fn stable_write(offset: u64, data: Vec<u8>) {
    write_stable(offset, &data);
}

#[query]
fn stable_read(offset: u64, len: u64) -> Vec<u8> {
    let have = ic_cdk::stable::stable_size() * 65536;
    let len = len.min(have.saturating_sub(offset));
    let mut buf = vec![0u8; len as usize];
    ic_cdk::stable::stable_read(offset, &mut buf);
    buf
}

#[query]
fn stable_size() -> u64 {
    ic_cdk::stable::stable_size()
}

#[query]
fn whoami() -> Principal {
    ic_cdk::api::msg_caller()
}

#[query]
fn canister_id() -> Principal {
    ic_cdk::api::canister_self()
}

/// Returns `len` bytes: used to test the reply size limit.
#[query]
fn blob_of_size(len: u32) -> Vec<u8> {
    vec![1u8; len as usize]
}

/// Returns the length of its argument: used to test the ingress size limit.
#[update]
fn blob_len(data: Vec<u8>) -> u64 {
    data.len() as u64
}

/// Instructions spent so far in this message.
#[query]
fn instructions() -> u64 {
    ic_cdk::api::performance_counter(0)
}

#[query]
fn now() -> u64 {
    ic_cdk::api::time()
}

/// One record of the codec benchmark (`benches/projects/codec`: `class Item(Record)`).
#[derive(CandidType, Deserialize)]
struct Item {
    id: u64,
    name: String,
    tags: Vec<String>,
    score: f64,
}

/// The codec benchmark: decodes and re-encodes a vec of records.
#[update]
fn echo(items: Vec<Item>) -> Vec<Item> {
    items
}

/// Instructions per call, over `n` calls each, of `time`, `msg_caller`, `canister_self`,
/// `canister_cycle_balance` and `performance_counter(0)`, less an empty loop's: the
/// benchmark's baseline for `benches/projects/compute`'s `system_api`.
#[query]
fn system_api(n: u32) -> Vec<u64> {
    use std::hint::black_box;
    let pc = || ic_cdk::api::performance_counter(0);
    let per = |f: &dyn Fn()| {
        let start = pc();
        for _ in 0..black_box(n) {
            f();
        }
        pc() - start
    };
    let empty = per(&|| black_box(()));
    let spent = [
        per(&|| {
            black_box(ic_cdk::api::time());
        }),
        per(&|| {
            black_box(ic_cdk::api::msg_caller());
        }),
        per(&|| {
            black_box(ic_cdk::api::canister_self());
        }),
        per(&|| {
            black_box(ic_cdk::api::canister_cycle_balance());
        }),
        per(&|| {
            black_box(ic_cdk::api::performance_counter(0));
        }),
    ];
    spent
        .iter()
        .map(|s| s.saturating_sub(empty) / u64::from(n.max(1)))
        .collect()
}
