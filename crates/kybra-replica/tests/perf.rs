//! Figures of the replica with the Rust hello canister: install time (compile cold and
//! from the disk cache), per-call wall time of queries and updates, and the
//! instructions of `get_message`/`set_message`. Prints them (run with `--nocapture`)
//! and checks loose bounds so a regression fails loudly.

mod common;

use std::time::Instant;

use common::*;

#[test]
fn perf_figures() {
    // A private cache folder, so the first install really compiles.
    let cache = std::env::temp_dir().join(format!("kybra-replica-perf-{}", std::process::id()));
    std::env::set_var("KYBRA_CACHE", &cache);
    let wasm = hello_wasm();
    let r = replica();

    let id = create(&r, user());
    let t = Instant::now();
    install(&r, user(), id, wasm).unwrap();
    let cold = t.elapsed();
    let id2 = create(&r, user());
    let t = Instant::now();
    install(&r, user(), id2, wasm).unwrap();
    let cached = t.elapsed();

    set_message(&r, id, "Hello, world!");
    let set_instr = r.last_instructions(id).unwrap();
    assert_eq!(get_message(&r, id), "Hello, world!");
    let get_instr = r.last_instructions(id).unwrap();

    let n = 2000;
    let arg = candid::encode_args(()).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        r.query(user(), id, "get_message", &arg).unwrap();
    }
    let per_query = t.elapsed() / n;
    let set_arg = candid::encode_one("Hello, world!").unwrap();
    let t = Instant::now();
    for _ in 0..n {
        r.update(user(), id, None, "set_message", &set_arg).unwrap();
    }
    let per_update = t.elapsed() / n;
    // A bigger heap: a message restores or copies only the pages it wrote, so its cost
    // should not grow with the heap (compare the two lines printed below).
    let _: u64 = call(&r, id, "grow_heap", 64u32).unwrap();
    let heap = status(&r, user(), id)
        .unwrap()
        .memory_metrics
        .wasm_memory_size;
    let t = Instant::now();
    for _ in 0..200 {
        r.query(user(), id, "get_message", &arg).unwrap();
    }
    let per_query_big = t.elapsed() / 200;
    let t = Instant::now();
    for _ in 0..200 {
        r.update(user(), id, None, "set_message", &set_arg).unwrap();
    }
    let per_update_big = t.elapsed() / 200;
    let _ = std::fs::remove_dir_all(&cache);

    eprintln!("rust_hello.wasm: {} bytes", wasm.len());
    eprintln!("install (compile, cold cache): {cold:?}; install (disk cache): {cached:?}");
    eprintln!("instructions: get_message {get_instr}, set_message {set_instr}");
    eprintln!("per call (small heap): query {per_query:?}, update {per_update:?}");
    eprintln!("per call (heap {heap} bytes): query {per_query_big:?}, update {per_update_big:?}");
    assert!(
        get_instr > 1_000 && get_instr < 100_000,
        "get_message took {get_instr} instructions"
    );
    assert!(
        set_instr > 1_000 && set_instr < 100_000,
        "set_message took {set_instr} instructions"
    );
}

/// Updates per second with persistence off and on (one caller, so every update waits for
/// its own `fdatasync`; and 4 concurrent callers, whose updates share syncs), the journal
/// bytes per update, and the time to reopen a state folder.
#[test]
fn persistence_figures() {
    let n = 1000u32;
    let set_arg = candid::encode_one("Hello, world!").unwrap();
    let rate = |r: &kybra_replica::Replica, id, callers: u32| {
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..callers {
                s.spawn(|| {
                    for _ in 0..n / callers {
                        r.update(user(), id, None, "set_message", &set_arg).unwrap();
                    }
                });
            }
        });
        n as f64 / t.elapsed().as_secs_f64()
    };
    let (memory, id) = hello();
    let in_memory = rate(&memory, id, 1);
    let dir = tempfile::tempdir().unwrap();
    let config = || kybra_replica::ReplicaConfig {
        state_dir: Some(dir.path().to_path_buf()),
        time: kybra_replica::TimeMode::WallClock,
    };
    let r = kybra_replica::Replica::open(config()).unwrap();
    let id = create(&r, user());
    install(&r, user(), id, hello_wasm()).unwrap();
    r.checkpoint().unwrap();
    let persistent = rate(&r, id, 1);
    let journal = std::fs::metadata(dir.path().join("journal")).unwrap().len();
    let persistent4 = rate(&r, id, 4);
    set_message(&r, id, "kept");
    std::mem::drop(r);
    let t = Instant::now();
    let r = kybra_replica::Replica::open(config()).unwrap();
    let reopen = t.elapsed();
    assert_eq!(get_message(&r, id), "kept");
    eprintln!(
        "set_message updates/s: in memory {in_memory:.0}; persistent {persistent:.0} (1 caller), {persistent4:.0} (4 callers); journal {} bytes/update; reopen with the hello canister {reopen:?}",
        journal / n as u64
    );
    assert!(
        persistent > 50.0,
        "persistent updates are far too slow: {persistent:.0}/s"
    );
}
