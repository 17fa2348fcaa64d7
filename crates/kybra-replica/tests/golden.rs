//! Pins the state folder's format (`persist`: `checkpoint` and `journal`, format version 4)
//! with golden files made by a fixed scenario on a fixed clock: a small canister (built here
//! with `wasm-encoder`: heap, a mutable global, stable memory, a debug log) is created,
//! installed and called, a snapshot is taken and two regtest blocks are mined; a checkpoint
//! is written; then more calls, a settings change, a second snapshot and one more block go
//! to the journal. The files in `tests/golden/state-v4/` are that folder's `checkpoint` and
//! `journal`; `tests/golden/state-v1/` (before the calls in flight were saved), `state-v2/`
//! (before the services' states — the bitcoin chain — were) and `state-v3/` (before
//! snapshots and canister histories were) are the same scenario's files in the earlier
//! formats, without what those formats lacked, which every later replica must still open.
//!
//! * [`the_scenario_writes_the_golden_bytes`]: the scenario writes exactly those bytes, so any
//!   change to the encoding fails here.
//! * [`the_golden_files_reopen_to_the_scenarios_state`]: a replica opened on them has the
//!   scenario's state (canister, controllers, cycles, logs, heap, globals, stable memory), so
//!   any change to the decoding fails here;
//!   [`version_1_files_open_in_the_current_replica`] to
//!   [`version_3_files_open_in_the_current_replica`] are the same for the earlier versions
//!   (migration; versions 1 and 2 start their chain again at genesis, and canisters from
//!   versions before 4 have no snapshots and an empty history).
//!
//! The files are users' data: a format change must bump `FORMAT_VERSION`, keep these files as
//! the previous version's, and add a test that the new replica still opens (migrates) them.
//! `KYBRA_REGENERATE_GOLDEN=1 cargo test --release -p kybra-replica --test golden` rewrites
//! them — only together with such a version bump.

use std::path::{Path, PathBuf};

use candid::Principal;
use ic_management_canister_types as mgmt;
use kybra_replica::testing::InstallMode;
use kybra_replica::{Replica, ReplicaConfig, TimeMode};
use wasm_encoder::{
    CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, Function, FunctionSection,
    GlobalSection, GlobalType, ImportSection, Instruction as I, MemArg, MemorySection, MemoryType,
    Module, TypeSection, ValType,
};

const TIME: u64 = 1_700_000_000_000_000_000;
const CYCLES: u128 = 7_000_000_000_000;

fn user() -> Principal {
    Principal::from_slice(&[0xAB; 29])
}

fn other() -> Principal {
    Principal::from_slice(&[0xCD; 29])
}

/// The current format's files.
const VERSION: u32 = 4;

/// Where the scenario's blocks pay (BIP 173's regtest P2WPKH example).
const MINER: &str = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";

fn golden_dir(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/state-v{version}"))
}

/// A canister: `put` (update) keeps its argument in the heap (length at 0, bytes at 4),
/// writes it to stable memory (which grows a page per call), prints it and counts calls in
/// a mutable global; `get` (query) replies with what `put` kept.
fn module() -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([], []); // 0
    types.ty().function([], [ValType::I32]); // 1
    types.ty().function([ValType::I32; 3], []); // 2
    types.ty().function([ValType::I32; 2], []); // 3
    types.ty().function([ValType::I64], [ValType::I64]); // 4
    types.ty().function([ValType::I64; 3], []); // 5
    let mut imports = ImportSection::new();
    for (name, ty) in [
        ("msg_arg_data_size", 1),
        ("msg_arg_data_copy", 2),
        ("msg_reply_data_append", 3),
        ("msg_reply", 0),
        ("debug_print", 3),
        ("stable64_grow", 4),
        ("stable64_write", 5),
    ] {
        imports.import("ic0", name, EntityType::Function(ty));
    }
    let mut functions = FunctionSection::new();
    functions.function(0); // 7: put
    functions.function(0); // 8: get
    let mut memories = MemorySection::new();
    memories.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut globals = GlobalSection::new();
    globals.global(
        GlobalType {
            val_type: ValType::I32,
            mutable: true,
            shared: false,
        },
        &ConstExpr::i32_const(0),
    );
    let mut exports = ExportSection::new();
    exports.export("canister_update put", ExportKind::Func, 7);
    exports.export("canister_query get", ExportKind::Func, 8);
    exports.export("memory", ExportKind::Memory, 0);
    let word = MemArg {
        offset: 0,
        align: 2,
        memory_index: 0,
    };
    let mut put = Function::new([(1, ValType::I32)]);
    for i in [
        I::Call(0),
        I::LocalSet(0),
        I::I32Const(0),
        I::LocalGet(0),
        I::I32Store(word),
        I::I32Const(4),
        I::I32Const(0),
        I::LocalGet(0),
        I::Call(1),
        I::I32Const(4),
        I::LocalGet(0),
        I::Call(4),
        I::GlobalGet(0),
        I::I32Const(1),
        I::I32Add,
        I::GlobalSet(0),
        I::I64Const(1),
        I::Call(5),
        I::Drop,
        I::I64Const(0),
        I::I64Const(4),
        I::LocalGet(0),
        I::I64ExtendI32U,
        I::Call(6),
        I::Call(3),
        I::End,
    ] {
        put.instruction(&i);
    }
    let mut get = Function::new([]);
    for i in [
        I::I32Const(4),
        I::I32Const(0),
        I::I32Load(word),
        I::Call(2),
        I::Call(3),
        I::End,
    ] {
        get.instruction(&i);
    }
    let mut code = CodeSection::new();
    code.function(&put);
    code.function(&get);
    let mut m = Module::new();
    m.section(&types)
        .section(&imports)
        .section(&functions)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&code);
    m.finish()
}

fn open(dir: &Path) -> Replica {
    Replica::open(ReplicaConfig {
        state_dir: Some(dir.to_path_buf()),
        time: TimeMode::Fixed(TIME),
    })
    .unwrap()
}

/// Runs the scenario in `dir`; returns (checkpoint, journal) as they are once every step
/// is acknowledged (before the replica folds the journal away at shutdown), and the
/// canister's id.
fn scenario(dir: &Path) -> (Vec<u8>, Vec<u8>, Principal) {
    let r = open(dir);
    let id = r.create_canister_with_cycles(user(), CYCLES, None).unwrap();
    r.install_module(user(), id, &module(), Vec::new(), InstallMode::Install)
        .unwrap();
    r.update(user(), id, None, "put", b"golden").unwrap();
    take_snapshot(&r, id);
    r.bitcoin_mine(MINER, 2).unwrap();
    r.checkpoint().unwrap();
    r.update(user(), id, None, "put", b"journal entry").unwrap();
    r.bitcoin_mine(MINER, 1).unwrap();
    let settings = mgmt::UpdateSettingsArgs {
        canister_id: id,
        settings: mgmt::CanisterSettings {
            controllers: Some(vec![user(), other()]),
            ..Default::default()
        },
        sender_canister_version: None,
    };
    r.update(
        user(),
        Principal::management_canister(),
        Some(id),
        "update_settings",
        &candid::encode_one(settings).unwrap(),
    )
    .unwrap();
    take_snapshot(&r, id);
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let files = (read("checkpoint"), read("journal"), id);
    drop(r);
    files
}

fn take_snapshot(r: &Replica, id: Principal) {
    let args = mgmt::TakeCanisterSnapshotArgs {
        canister_id: id,
        replace_snapshot: None,
        uninstall_code: None,
        sender_canister_version: None,
    };
    r.update(
        user(),
        Principal::management_canister(),
        Some(id),
        "take_canister_snapshot",
        &candid::encode_one(args).unwrap(),
    )
    .unwrap();
}

fn list_snapshots(r: &Replica, id: Principal) -> Vec<mgmt::Snapshot> {
    let out = r
        .update(
            user(),
            Principal::management_canister(),
            Some(id),
            "list_canister_snapshots",
            &candid::encode_one(mgmt::CanisterIdRecord { canister_id: id }).unwrap(),
        )
        .unwrap();
    candid::decode_one(&out).unwrap()
}

#[test]
fn the_scenario_writes_the_golden_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (checkpoint, journal, _) = scenario(&tmp.path().join("state"));
    let golden = golden_dir(VERSION);
    if std::env::var_os("KYBRA_REGENERATE_GOLDEN").is_some() {
        std::fs::create_dir_all(&golden).unwrap();
        std::fs::write(golden.join("checkpoint"), &checkpoint).unwrap();
        std::fs::write(golden.join("journal"), &journal).unwrap();
    }
    for (name, bytes) in [("checkpoint", &checkpoint), ("journal", &journal)] {
        let want = std::fs::read(golden.join(name)).unwrap_or_else(|e| {
            panic!("{}: {e}", golden.join(name).display());
        });
        if let Some(at) = (0..want.len().max(bytes.len())).find(|i| want.get(*i) != bytes.get(*i)) {
            panic!(
                "the replica no longer writes tests/golden/state-v{VERSION}/{name} as it was pinned: first \
                 difference at byte {at} ({} bytes now, {} pinned). The state folder is users' data: \
                 bump FORMAT_VERSION, keep the old files as the previous version's with a migration \
                 test, and only then regenerate (see this file's documentation).",
                bytes.len(),
                want.len()
            );
        }
    }
}

#[test]
fn the_golden_files_reopen_to_the_scenarios_state() {
    reopen(VERSION);
}

#[test]
fn version_1_files_open_in_the_current_replica() {
    reopen(1);
}

#[test]
fn version_2_files_open_in_the_current_replica() {
    reopen(2);
}

#[test]
fn version_3_files_open_in_the_current_replica() {
    reopen(3);
}

/// Opens a copy of the golden files of format `version` and checks the scenario's state.
fn reopen(version: u32) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["checkpoint", "journal"] {
        std::fs::copy(golden_dir(version).join(name), dir.join(name)).unwrap();
    }
    let r = open(&dir);
    let ids = r.canister_ids();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let id = ids[0];
    assert_eq!(id.to_text(), "bkyz2-fmaaa-aaaaa-qaaaq-cai");
    assert_eq!(r.controllers(id), Some(vec![user(), other()]));
    assert_eq!(r.cycle_balance(id), Some(CYCLES));
    let hash: [u8; 32] =
        sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(module())).into();
    assert_eq!(r.module_hash(id), Some(hash));
    let logs: Vec<Vec<u8>> = r.logs(id).into_iter().map(|l| l.content).collect();
    assert_eq!(logs, vec![b"golden".to_vec(), b"journal entry".to_vec()]);
    // The heap (from the checkpoint and the journal's pages) answers the query.
    assert_eq!(r.query(user(), id, "get", &[]).unwrap(), b"journal entry");
    // The chain: two blocks from the checkpoint, one from the journal (versions 1 and 2
    // kept none).
    let blocks = if version >= 3 { 3 } else { 0 };
    assert_eq!(r.bitcoin_tip_height(), blocks);
    let mined = u64::from(blocks) * 50 * 100_000_000;
    assert_eq!(r.bitcoin_balance(MINER, 0).unwrap(), mined);
    // Two snapshots, one from the checkpoint and one from the journal (none before version
    // 4); loading the first brings its heap back.
    let snapshots = list_snapshots(&r, id);
    if version >= 4 {
        assert_eq!(snapshots.len(), 2, "{snapshots:?}");
        assert!(snapshots.iter().all(|s| s.taken_at_timestamp == TIME));
        let load = mgmt::LoadCanisterSnapshotArgs {
            canister_id: id,
            snapshot_id: snapshots[0].id.clone(),
            sender_canister_version: None,
        };
        r.update(
            user(),
            Principal::management_canister(),
            Some(id),
            "load_canister_snapshot",
            &candid::encode_one(load).unwrap(),
        )
        .unwrap();
        assert_eq!(r.query(user(), id, "get", &[]).unwrap(), b"golden");
    } else {
        assert!(snapshots.is_empty(), "{snapshots:?}");
    }
    // The global counted two calls and stable memory grew a page each: a third call sees
    // both, and keeps working on the restored instance.
    r.update(user(), id, None, "put", b"again").unwrap();
    assert_eq!(r.query(user(), id, "get", &[]).unwrap(), b"again");
    r.bitcoin_mine(MINER, 1).unwrap();
    drop(r);
    // The next replica sees the call and the block made after the reopen too.
    let r = open(&dir);
    assert_eq!(r.query(user(), id, "get", &[]).unwrap(), b"again");
    assert_eq!(r.bitcoin_tip_height(), blocks + 1);
}
