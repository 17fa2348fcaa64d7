//! End-to-end tests of the replica against a real ic-cdk canister
//! (`tests/canisters/rust_hello`): installation paths, state, atomicity, limits, rejects.

mod common;

use std::io::Write;

use candid::Principal;
use common::*;
use ic_management_canister_types as mgmt;
use kybra_replica::{InstructionLimits, MAX_MESSAGE_BYTES};
use sha2::{Digest, Sha256};

#[test]
fn first_canister_id_is_dfx_like() {
    let r = replica();
    assert_eq!(create(&r, user()).to_text(), "bkyz2-fmaaa-aaaaa-qaaaq-cai");
    assert_eq!(create(&r, user()).to_text(), "bd3sg-teaaa-aaaaa-qaaba-cai");
    // The allocation range comes last, after the built-in system canisters' own ids.
    let (lo, hi) = *r.root_subnet_canister_ranges().last().unwrap();
    assert!(lo < Principal::from_text("bkyz2-fmaaa-aaaaa-qaaaq-cai").unwrap());
    assert!(hi > lo);
}

#[test]
fn hello_world_keeps_state_between_calls() {
    let (r, id) = hello();
    assert_eq!(get_message(&r, id), "");
    set_message(&r, id, "Hello, world!");
    assert_eq!(get_message(&r, id), "Hello, world!");
    set_message(&r, id, "again");
    assert_eq!(get_message(&r, id), "again");
    let me: Principal = query(&r, id, "whoami", ()).unwrap();
    assert_eq!(me, user());
    let me: Principal = call(&r, id, "whoami", ()).unwrap();
    assert_eq!(me, user());
    let own: Principal = query(&r, id, "canister_id", ()).unwrap();
    assert_eq!(own, id);
    assert_eq!(r.module_hash(id), Some(Sha256::digest(hello_wasm()).into()));
    assert_eq!(r.controllers(id), Some(vec![user()]));
    assert!(r.canister_exists(id));
    let st = status(&r, user(), id).unwrap();
    assert_eq!(st.module_hash, Some(Sha256::digest(hello_wasm()).to_vec()));
    assert_eq!(st.status, mgmt::CanisterStatusType::Running);
    assert_eq!(st.settings.controllers, vec![user()]);
}

#[test]
fn install_gzip_module() {
    let r = replica();
    let id = create(&r, user());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(hello_wasm()).unwrap();
    let gz = gz.finish().unwrap();
    install(&r, user(), id, &gz).unwrap();
    // As the IC: the hash of the module as installed, i.e. of the gzip bytes.
    assert_eq!(r.module_hash(id), Some(Sha256::digest(&gz).into()));
    assert_ne!(r.module_hash(id), Some(Sha256::digest(hello_wasm()).into()));
    set_message(&r, id, "zipped");
    assert_eq!(get_message(&r, id), "zipped");
}

#[test]
fn chunked_install() {
    let r = replica();
    let id = create(&r, user());
    let wasm = hello_wasm();
    let mut hashes = Vec::new();
    for chunk in wasm.chunks(200_000) {
        let arg = mgmt::UploadChunkArgs {
            canister_id: id,
            chunk: chunk.to_vec(),
        };
        let out = r
            .update(user(), mgmt_id(), Some(id), "upload_chunk", &enc(&arg))
            .unwrap();
        let h: mgmt::ChunkHash = dec(&out);
        assert_eq!(h.hash, Sha256::digest(chunk).to_vec());
        hashes.push(h);
    }
    let out = r
        .update(
            user(),
            mgmt_id(),
            Some(id),
            "stored_chunks",
            &enc(&mgmt::CanisterIdRecord { canister_id: id }),
        )
        .unwrap();
    let stored: Vec<mgmt::ChunkHash> = dec(&out);
    assert_eq!(stored.len(), hashes.len());
    // Someone else cannot upload.
    let arg = mgmt::UploadChunkArgs {
        canister_id: id,
        chunk: vec![1, 2, 3],
    };
    assert_reject(
        r.update(
            other_user(),
            mgmt_id(),
            Some(id),
            "upload_chunk",
            &enc(&arg),
        ),
        5,
        "IC0512",
        "controllers",
    );
    let chunked = |hash: Vec<u8>| mgmt::InstallChunkedCodeArgs {
        mode: mgmt::CanisterInstallMode::Install,
        target_canister: id,
        store_canister: None,
        chunk_hashes_list: hashes.clone(),
        wasm_module_hash: hash,
        arg: candid::encode_args(()).unwrap(),
        sender_canister_version: None,
    };
    // A wrong module hash is refused.
    let bad = chunked(vec![0; 32]);
    assert_reject(
        r.update(
            user(),
            mgmt_id(),
            Some(id),
            "install_chunked_code",
            &enc(&bad),
        ),
        5,
        "IC0505",
        "hash mismatch",
    );
    let good = chunked(Sha256::digest(wasm).to_vec());
    r.update(
        user(),
        mgmt_id(),
        Some(id),
        "install_chunked_code",
        &enc(&good),
    )
    .unwrap();
    set_message(&r, id, "chunked");
    assert_eq!(get_message(&r, id), "chunked");
    r.update(
        user(),
        mgmt_id(),
        Some(id),
        "clear_chunk_store",
        &enc(&mgmt::CanisterIdRecord { canister_id: id }),
    )
    .unwrap();
    let out = r
        .update(
            user(),
            mgmt_id(),
            Some(id),
            "stored_chunks",
            &enc(&mgmt::CanisterIdRecord { canister_id: id }),
        )
        .unwrap();
    assert!(dec::<Vec<mgmt::ChunkHash>>(&out).is_empty());
}

#[test]
fn trap_rolls_back_heap_and_stable_memory() {
    let (r, id) = hello();
    set_message(&r, id, "before");
    stable_write(&r, id, 0, b"keep");
    let before = status(&r, user(), id).unwrap();
    let reject = assert_reject(
        call::<_, ()>(&r, id, "set_message_then_trap", "after".to_string()),
        5,
        "IC0503",
        &format!("Canister {id} trapped explicitly: deliberate trap"),
    );
    assert!(reject.message.contains("after"));
    assert_eq!(get_message(&r, id), "before");
    assert_eq!(stable_read(&r, id, 0, 5), b"keep\0");
    // The heap grows and traps: size and contents come back.
    assert_reject(
        call::<_, ()>(&r, id, "grow_heap_then_trap", 32u32),
        5,
        "IC0503",
        "after growing the heap",
    );
    let after = status(&r, user(), id).unwrap();
    assert_eq!(
        after.memory_metrics.wasm_memory_size,
        before.memory_metrics.wasm_memory_size
    );
    assert_eq!(get_message(&r, id), "before");
    // And the canister keeps working normally afterwards.
    set_message(&r, id, "later");
    assert_eq!(get_message(&r, id), "later");
    let grown: u64 = call(&r, id, "grow_heap", 4u32).unwrap();
    assert!(grown >= 4 << 20);
    assert_eq!(get_message(&r, id), "later");
    let logs = r.logs(id);
    assert!(
        logs.iter()
            .any(|l| String::from_utf8_lossy(&l.content).contains("[TRAP]")),
        "{logs:?}"
    );
}

#[test]
fn queries_do_not_persist() {
    let (r, id) = hello();
    set_message(&r, id, "kept");
    let seen: String = query(&r, id, "set_message_in_query", "transient".to_string()).unwrap();
    assert_eq!(seen, "transient");
    assert_eq!(get_message(&r, id), "kept");
    // Called as an update, a query method runs replicated and still does not persist.
    let seen: String = call(&r, id, "set_message_in_query", "transient".to_string()).unwrap();
    assert_eq!(seen, "transient");
    assert_eq!(get_message(&r, id), "kept");
}

/// On a heap of over 100 MB: a query that writes every page of it leaves no trace (the
/// replica restores only the pages a message wrote, which it learns from page faults), an
/// update that writes every page keeps all of it, and a trap after writing undoes all.
#[test]
fn a_query_writing_a_100_mb_heap_leaves_no_trace() {
    let (r, id) = hello();
    set_message(&r, id, "kept");
    let heap: u64 = call(&r, id, "grow_heap", 100u32).unwrap();
    assert!(heap >= 100 << 20, "{heap}");
    let pages = 100 * 1024 * 1024 / 4096;
    let probe = |r: &kybra_replica::Replica| query::<_, u64>(r, id, "ballast_probe", ()).unwrap();
    assert_eq!(probe(&r), 7 * pages);
    let written: u64 = query(&r, id, "scribble_in_query", 9u8).unwrap();
    assert_eq!(written, pages);
    assert_eq!(probe(&r), 7 * pages, "a query's writes were kept");
    assert_eq!(get_message(&r, id), "kept");
    // Twice, so the protection set up again after a message holds too.
    let _: u64 = query(&r, id, "scribble_in_query", 11u8).unwrap();
    assert_eq!(probe(&r), 7 * pages);
    let _: u64 = call(&r, id, "scribble_in_update", 3u8).unwrap();
    assert_eq!(probe(&r), 3 * pages, "an update's writes were lost");
    let _: u64 = query(&r, id, "scribble_in_query", 9u8).unwrap();
    assert_eq!(probe(&r), 3 * pages);
    assert_reject(
        call::<_, ()>(&r, id, "set_message_then_trap", "lost".to_string()),
        5,
        "IC0503",
        "deliberate trap",
    );
    assert_eq!(get_message(&r, id), "kept");
    assert_eq!(
        status(&r, user(), id)
            .unwrap()
            .memory_metrics
            .wasm_memory_size,
        candid::Nat::from(heap)
    );
}

#[test]
fn instruction_limits_stop_endless_loops() {
    let (r, id) = hello();
    set_message(&r, id, "alive");
    // The IC's query limit (5 B instructions).
    assert_reject(
        query::<_, u64>(&r, id, "loop_query", ()),
        5,
        "IC0522",
        &format!("Canister {id} exceeded the limit of 5000000000 instructions for single message execution"),
    );
    assert_eq!(get_message(&r, id), "alive");
    // Updates: a lowered limit keeps the test fast; the mechanism is the same.
    r.set_instruction_limits(InstructionLimits {
        update: 1_000_000_000,
        ..Default::default()
    });
    assert_reject(
        call::<_, u64>(&r, id, "loop_update", ()),
        5,
        "IC0522",
        "limit of 1000000000 instructions",
    );
    set_message(&r, id, "still alive");
    assert_eq!(get_message(&r, id), "still alive");
}

#[test]
fn non_controllers_are_refused() {
    let r = replica();
    let id = create(&r, user());
    assert_reject(
        install(&r, other_user(), id, hello_wasm()),
        5,
        "IC0512",
        &format!("Only the controllers of the canister {id}"),
    );
    install(&r, user(), id, hello_wasm()).unwrap();
    assert_reject(status(&r, other_user(), id), 5, "IC0512", "controllers");
    // Installing again is refused; reinstall works.
    assert_reject(
        install(&r, user(), id, hello_wasm()),
        5,
        "IC0538",
        "not empty",
    );
    // Controllers can hand over control.
    let arg = mgmt::UpdateSettingsArgs {
        canister_id: id,
        settings: mgmt::CanisterSettings {
            controllers: Some(vec![other_user()]),
            ..Default::default()
        },
        sender_canister_version: None,
    };
    r.update(user(), mgmt_id(), Some(id), "update_settings", &enc(&arg))
        .unwrap();
    assert_eq!(r.controllers(id), Some(vec![other_user()]));
    assert_reject(
        install_mode(
            &r,
            user(),
            id,
            mgmt::CanisterInstallMode::Reinstall,
            hello_wasm(),
        ),
        5,
        "IC0512",
        "controllers",
    );
    install_mode(
        &r,
        other_user(),
        id,
        mgmt::CanisterInstallMode::Reinstall,
        hello_wasm(),
    )
    .unwrap();
}

#[test]
fn unknown_methods_and_missing_code() {
    let (r, id) = hello();
    assert_reject(
        call0(&r, id, "nope", candid::encode_args(()).unwrap()),
        5,
        "IC0536",
        &format!("Canister {id} has no update method 'nope'"),
    );
    assert_reject(
        r.query(user(), id, "nope", &candid::encode_args(()).unwrap()),
        5,
        "IC0536",
        "has no query method 'nope'",
    );
    assert_reject(
        r.query(user(), id, "set_message", &candid::encode_one("x").unwrap()),
        5,
        "IC0536",
        "has no query method 'set_message'",
    );
    assert_reject(
        r.update(user(), mgmt_id(), None, "no_such_method", &[]),
        5,
        "IC0536",
        "Management canister has no method 'no_such_method'",
    );
    let empty = create(&r, user());
    assert_reject(
        call0(&r, empty, "get_message", candid::encode_args(()).unwrap()),
        5,
        "IC0537",
        "no Wasm module",
    );
    let missing = kybra_replica::ids::canister_id(kybra_replica::ids::FIRST_INDEX + 1000);
    assert_reject(
        call0(&r, missing, "get_message", candid::encode_args(()).unwrap()),
        3,
        "IC0301",
        "not found",
    );
}

#[test]
fn message_size_limits() {
    let (r, id) = hello();
    // Just under 2 MiB of argument works.
    let n = MAX_MESSAGE_BYTES - 64;
    let len: u64 = call(&r, id, "blob_len", serde_bytes::ByteBuf::from(vec![0u8; n])).unwrap();
    assert_eq!(len, n as u64);
    let too_big =
        candid::encode_one(serde_bytes::ByteBuf::from(vec![0u8; MAX_MESSAGE_BYTES + 1])).unwrap();
    let reject = r
        .update(user(), id, None, "blob_len", &too_big)
        .unwrap_err();
    assert!(
        reject.message.contains("exceeds the IC's ingress limit"),
        "{reject:?}"
    );
    let reject = r.query(user(), id, "blob_len", &too_big).unwrap_err();
    assert!(
        reject.message.contains("exceeds the IC's ingress limit"),
        "{reject:?}"
    );
    // A reply over 2 MiB is a contract violation.
    let ok: serde_bytes::ByteBuf =
        query(&r, id, "blob_of_size", (MAX_MESSAGE_BYTES - 64) as u32).unwrap();
    assert_eq!(ok.len(), MAX_MESSAGE_BYTES - 64);
    assert_reject(
        query::<_, serde_bytes::ByteBuf>(&r, id, "blob_of_size", MAX_MESSAGE_BYTES as u32),
        5,
        "IC0504",
        "cannot be larger than",
    );
    // So the big module must take the chunked path: install_code with > 2 MiB is refused.
    let arg = mgmt::InstallCodeArgs {
        mode: mgmt::CanisterInstallMode::Reinstall,
        canister_id: id,
        wasm_module: vec![0u8; MAX_MESSAGE_BYTES + 1],
        arg: vec![],
        sender_canister_version: None,
    };
    let reject = r
        .update(user(), mgmt_id(), Some(id), "install_code", &enc(&arg))
        .unwrap_err();
    assert!(reject.message.contains("upload_chunk"), "{reject:?}");
}

#[test]
fn upgrade_keeps_stable_memory_and_reinstall_clears_it() {
    let (r, id) = hello();
    set_message(&r, id, "heap");
    stable_write(&r, id, 100, b"stable");
    install_mode(
        &r,
        user(),
        id,
        mgmt::CanisterInstallMode::Upgrade(None),
        hello_wasm(),
    )
    .unwrap();
    assert_eq!(get_message(&r, id), "");
    assert_eq!(stable_read(&r, id, 100, 6), b"stable");
    install_mode(
        &r,
        user(),
        id,
        mgmt::CanisterInstallMode::Reinstall,
        hello_wasm(),
    )
    .unwrap();
    let size: u64 = query(&r, id, "stable_size", ()).unwrap();
    assert_eq!(size, 0);
    // A module that is not Wasm is refused and the installed code stays.
    set_message(&r, id, "stays");
    assert_reject(
        install_mode(
            &r,
            user(),
            id,
            mgmt::CanisterInstallMode::Reinstall,
            b"not wasm",
        ),
        5,
        "IC0505",
        "neither a Wasm module",
    );
    assert_eq!(get_message(&r, id), "stays");
    // Uninstall removes the code.
    r.update(
        user(),
        mgmt_id(),
        Some(id),
        "uninstall_code",
        &enc(&mgmt::UninstallCodeArgs {
            canister_id: id,
            sender_canister_version: None,
        }),
    )
    .unwrap();
    assert_eq!(r.module_hash(id), None);
    assert_reject(
        r.query(user(), id, "get_message", &candid::encode_args(()).unwrap()),
        5,
        "IC0537",
        "no Wasm module",
    );
}

#[test]
fn stop_start_delete() {
    let (r, id) = hello();
    let rec = enc(&mgmt::CanisterIdRecord { canister_id: id });
    assert_reject(
        r.update(user(), mgmt_id(), Some(id), "delete_canister", &rec),
        5,
        "IC0510",
        "must be stopped",
    );
    r.update(user(), mgmt_id(), Some(id), "stop_canister", &rec)
        .unwrap();
    assert_eq!(
        status(&r, user(), id).unwrap().status,
        mgmt::CanisterStatusType::Stopped
    );
    assert_reject(
        r.query(user(), id, "get_message", &candid::encode_args(()).unwrap()),
        5,
        "IC0508",
        "stopped",
    );
    r.update(user(), mgmt_id(), Some(id), "start_canister", &rec)
        .unwrap();
    assert_eq!(get_message(&r, id), "");
    r.update(user(), mgmt_id(), Some(id), "stop_canister", &rec)
        .unwrap();
    r.update(user(), mgmt_id(), Some(id), "delete_canister", &rec)
        .unwrap();
    assert!(!r.canister_exists(id));
}

#[test]
fn debug_print_and_time() {
    let r = kybra_replica::Replica::new(kybra_replica::ReplicaConfig {
        state_dir: None,
        time: kybra_replica::TimeMode::Fixed(1_700_000_000_000_000_000),
    });
    let id = create(&r, user());
    install(&r, user(), id, hello_wasm()).unwrap();
    let now: u64 = query(&r, id, "now", ()).unwrap();
    assert_eq!(now, 1_700_000_000_000_000_000);
    r.set_time(1_800_000_000_000_000_000);
    let now: u64 = query(&r, id, "now", ()).unwrap();
    assert_eq!(now, 1_800_000_000_000_000_000);
    assert_eq!(r.time_nanos(), 1_800_000_000_000_000_000);
}
