//! Stable structure declarations in the payload, the library types (`StableGrowResult`...)
//! in the `.did`, and each mistake a declaration can have.
mod common;

use common::Project;
use kybra_interface::{Field, Payload, StableKind, StableStructure, Type};

fn payload(files: &[(&str, &str)]) -> Payload {
    let p = Project::new(files);
    let (index, code) = common::stdlib();
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(index.as_bytes(), &code).unwrap();
    kybra_compiler::analyse_project(&p.main(), &p.root, &stdlib)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn errors(main: &str) -> Vec<String> {
    Project::new(&[("src/main.py", main)]).errors()
}

#[test]
fn the_book_audio_recorder_declarations() {
    let p = payload(&[(
        "src/main.py",
        "from kybra import blob, nat64, Principal, Record, StableBTreeMap, Vec\n\
         class User(Record):\n    id: Principal\n    created_at: nat64\n    recording_ids: Vec[Principal]\n    username: str\n\
         class Recording(Record):\n    id: Principal\n    audio: blob\n    created_at: nat64\n    name: str\n    user_id: Principal\n\
         users = StableBTreeMap[Principal, User](\n    memory_id=3, max_key_size=38, max_value_size=100_000\n)\n\
         recordings = StableBTreeMap[Principal, Recording](\n    memory_id=4, max_key_size=38, max_value_size=5_000_000\n)\n",
    )]);
    assert_eq!(
        p.stable_structures,
        vec![
            StableStructure {
                kind: StableKind::BTreeMap,
                memory_id: 3,
                key: Type::Principal,
                value: Some(Type::Named("User".into())),
                max_key_size: Some(38),
                max_value_size: Some(100_000)
            },
            StableStructure {
                kind: StableKind::BTreeMap,
                memory_id: 4,
                key: Type::Principal,
                value: Some(Type::Named("Recording".into())),
                max_key_size: Some(38),
                max_value_size: Some(5_000_000)
            },
        ]
    );
    // The value types are defined even though no method uses them.
    assert!(
        p.types.iter().any(|t| t.name == "User") && p.types.iter().any(|t| t.name == "Recording")
    );
}

#[test]
fn aliases_renamed_imports_other_modules_and_the_unbounded_form() {
    let p = payload(&[
        (
            "src/main.py",
            "import kybra as k\nfrom kybra import Alias, nat8\nfrom store import log\n\
             Key = Alias[nat8]\nValue = Alias[str]\n\
             map: k.StableBTreeMap[Key, Value] = k.StableBTreeMap[Key, Value](memory_id=0, max_key_size=100,\nmax_value_size=1_000)\n",
        ),
        ("src/store.py", "from kybra import StableBTreeMap as SB, nat\nlog = SB[nat, bytes](memory_id=254)\n"),
    ]);
    assert_eq!(p.stable_structures.len(), 2);
    assert_eq!(
        (
            p.stable_structures[0].memory_id,
            &p.stable_structures[0].key
        ),
        (0, &Type::Named("Key".into()))
    );
    assert_eq!(
        p.stable_structures[1],
        StableStructure {
            kind: StableKind::BTreeMap,
            memory_id: 254,
            key: Type::Nat,
            value: Some(Type::Blob),
            max_key_size: None,
            max_value_size: None
        }
    );
}

#[test]
fn library_result_types_are_named_as_the_book_types_them() {
    let p = Project::new(&[(
        "src/main.py",
        "from kybra import ic, nat32, nat64, StableGrowResult, Stable64GrowResult, InsertError, update\n\
         @update\ndef stable_grow(new_pages: nat32) -> StableGrowResult:\n    return ic.stable_grow(new_pages)\n\
         @update\ndef stable64_grow(new_pages: nat64) -> Stable64GrowResult:\n    return ic.stable64_grow(new_pages)\n\
         @update\ndef why() -> InsertError:\n    ...\n",
    )]);
    let did = p.build().unwrap().did;
    let expected = "type InsertError = variant { KeyTooLarge : KeyTooLarge; ValueTooLarge : ValueTooLarge };\n\
        type KeyTooLarge = record { max : nat32; given : nat32 };\n\
        type Stable64GrowResult = variant { Ok : nat64; Err : StableMemoryError };\n\
        type StableGrowResult = variant { Ok : nat32; Err : StableMemoryError };\n\
        type StableMemoryError = variant { OutOfBounds; OutOfMemory };\n\
        type ValueTooLarge = record { max : nat32; given : nat32 };\n\
        service : {\n  stable64_grow : (nat64) -> (Stable64GrowResult);\n  stable_grow : (nat32) -> (StableGrowResult);\n  why : () -> (InsertError);\n}";
    kybra_compiler::check_did(&did, expected).unwrap_or_else(|e| panic!("{e:?}\n{did}"));
    kybra_compiler::check_did(expected, &did).unwrap_or_else(|e| panic!("{e:?}\n{did}"));
    let p = payload(&[(
        "src/main.py",
        "from kybra import KeyTooLarge, query\n@query\ndef f() -> KeyTooLarge: ...\n",
    )]);
    assert_eq!(
        p.types[0].ty,
        Type::Record(vec![
            Field::new("given", Type::Nat32),
            Field::new("max", Type::Nat32)
        ])
    );
}

#[test]
fn mistakes_are_located_and_say_what_to_write() {
    let e = errors(
        "from kybra import StableBTreeMap, nat8\nID = 3\n\
         a = StableBTreeMap[nat8, str](memory_id=ID, max_key_size=1, max_value_size=1)\n\
         b = StableBTreeMap[nat8, str](memory_id=255)\n\
         c = StableBTreeMap[nat8, str](memory_id=5, max_key_size=10)\n\
         d = StableBTreeMap[nat8](memory_id=6)\n\
         e = StableBTreeMap(memory_id=7)\n\
         f = StableBTreeMap[nat8, dict](memory_id=8)\n\
         g = StableBTreeMap[nat8, str](memory_id=9, max_key_size=0, max_value_size=10)\n\
         h = StableBTreeMap[nat8, str](memory_id=10, colour=1)\n\
         i = StableBTreeMap[nat8, str](max_key_size=1, max_value_size=1)\n",
    );
    let want = [
        "src/main.py:3:41: `memory_id` must be an integer literal",
        "src/main.py:4:41: `memory_id` must be between 0 and 254",
        "src/main.py:5:5: give both max_key_size and max_value_size, or neither",
        "src/main.py:6:20: StableBTreeMap takes two types",
        "src/main.py:7:5: StableBTreeMap needs its key and value types",
        "src/main.py:8:26: the value type of a StableBTreeMap: `dict` is not a type Kybra can map to Candid",
        "src/main.py:9:57: `max_key_size` must be between 1 and 4294967295",
        "src/main.py:10:45: StableBTreeMap has no parameter `colour`",
        "src/main.py:11:5: StableBTreeMap needs a memory id",
    ];
    common::assert_diagnostics(&e, &want);
}

#[test]
fn a_memory_id_is_used_once_and_none_is_reserved() {
    let e = errors(
        "from kybra import StableBTreeMap, nat8\n\
         a = StableBTreeMap[nat8, str](memory_id=3)\n\
         b = StableBTreeMap[nat8, str](memory_id=3)\n",
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "src/main.py:3:5: memory id 3 is already used by the StableBTreeMap at src/main.py:2:5 — give each stable structure its own memory id"
        ),
        "{e:?}"
    );
    // The ids the original Kybra reserved (0, 1, 2, 252, 253, 254) are the user's here.
    let mut src = String::from("from kybra import StableBTreeMap, nat8\n");
    for id in [0, 1, 2, 252, 253, 254] {
        src.push_str(&format!(
            "m{id} = StableBTreeMap[nat8, str](memory_id={id}, max_key_size=1, max_value_size=9)\n"
        ));
    }
    let p = payload(&[("src/main.py", &src)]);
    assert_eq!(
        p.stable_structures
            .iter()
            .map(|m| m.memory_id)
            .collect::<Vec<_>>(),
        vec![0, 1, 2, 252, 253, 254]
    );
}

#[test]
fn every_kind_of_structure_with_its_parameters() {
    let p = payload(&[(
        "src/main.py",
        "from kybra import Record, StableBTreeSet, StableCell, StableLog, StableMinHeap, StableVec, nat64, text\n\
         class Entry(Record):\n    at: nat64\n    what: text\n\
         names = StableBTreeSet[text](memory_id=0, max_size=64)\n\
         queue = StableVec[Entry](memory_id=1)\n\
         journal = StableLog[Entry](index_memory_id=2, data_memory_id=3, max_size=1000)\n\
         counter = StableCell[nat64](memory_id=4, initial=0)\n\
         jobs = StableMinHeap[nat64](5)\n",
    )]);
    let entry = || Type::Named("Entry".into());
    let one = |kind, memory_id, key, max| StableStructure {
        kind,
        memory_id,
        key,
        value: None,
        max_key_size: max,
        max_value_size: None,
    };
    assert_eq!(
        p.stable_structures,
        vec![
            one(StableKind::BTreeSet, 0, Type::Text, Some(64)),
            one(StableKind::Vec, 1, entry(), None),
            one(
                StableKind::Log { data_memory_id: 3 },
                2,
                entry(),
                Some(1000)
            ),
            one(StableKind::Cell, 4, Type::Nat64, None),
            one(StableKind::MinHeap, 5, Type::Nat64, None),
        ]
    );
    assert!(p.types.iter().any(|t| t.name == "Entry"));
}

#[test]
fn mistakes_in_the_other_kinds() {
    let e = errors(
        "from kybra import StableBTreeSet, StableCell, StableLog, StableMinHeap, StableVec, nat8\n\
         a = StableBTreeSet[nat8, nat8](memory_id=0)\n\
         b = StableVec(memory_id=1)\n\
         c = StableLog[nat8](index_memory_id=2)\n\
         d = StableCell[nat8](memory_id=3)\n\
         e = StableMinHeap[nat8](memory_id=4, max_key_size=9)\n\
         f = StableLog[nat8](index_memory_id=5, data_memory_id=5)\n\
         g = StableVec[nat8](memory_id=6, max_size=0)\n\
         h = StableMinHeap[nat8](7, 8)\n",
    );
    let want = [
        "src/main.py:2:20: StableBTreeSet takes one type, the element's",
        "src/main.py:3:5: StableVec needs its element type — write e.g. `StableVec[text](memory_id=3)`",
        "src/main.py:4:5: StableLog needs `data_memory_id`",
        "src/main.py:5:5: StableCell needs its `initial` value",
        "src/main.py:6:38: StableMinHeap has no parameter `max_key_size` — its parameters are memory_id, max_size",
        "src/main.py:7:5: a StableLog's index_memory_id and data_memory_id must differ",
        "src/main.py:8:43: `max_size` must be between 1 and 4294967295",
    ];
    common::assert_diagnostics(&e, &want);
}

#[test]
fn a_stable_file_system_is_declared_once_and_reserves_its_memory_ids() {
    use kybra_interface::{StableFileSystem, DEFAULT_MAX_FILE_SIZE};
    let p = payload(&[
        (
            "src/main.py",
            "import kybra\nfrom kybra import StableBTreeMap, nat8\nimport store\n\
             m = StableBTreeMap[nat8, str](memory_id=243)\n\
             kybra.StableFileSystem(max_file_size=64 * 1024 ** 2 + 1)\n",
        ),
        ("src/store.py", "x = 1\n"),
    ]);
    assert_eq!(
        p.file_system,
        Some(StableFileSystem {
            max_file_size: 64 * 1024 * 1024 + 1
        })
    );
    let p = payload(&[(
        "src/main.py",
        "from kybra import StableFileSystem\nfiles = StableFileSystem()\n",
    )]);
    assert_eq!(
        p.file_system,
        Some(StableFileSystem {
            max_file_size: DEFAULT_MAX_FILE_SIZE
        })
    );
    let p = payload(&[("src/main.py", "x = 1\n")]);
    assert_eq!(p.file_system, None);
    let e = errors(
        "from kybra import StableBTreeMap, StableFileSystem, StableLog, nat8\n\
         a = StableBTreeMap[nat8, str](memory_id=244)\n\
         b = StableLog[nat8](index_memory_id=1, data_memory_id=253)\n\
         c = StableBTreeMap[nat8, str](memory_id=254)\n\
         StableFileSystem()\n\
         StableFileSystem()\n\
         d = StableFileSystem(max_file_size=SIZE)\n\
         e = StableFileSystem(max_file_size=0)\n\
         f = StableFileSystem(1)\n\
         g = StableFileSystem(size=1)\n",
    );
    let want = [
        "src/main.py:2:5: memory id 244 belongs to the stable file system this canister declares (StableFileSystem takes memory ids 244 to 253) — give the structure a memory id below 244",
        "src/main.py:3:5: memory id 253 belongs to the stable file system",
        "src/main.py:6:1: the stable file system is already declared at src/main.py:5:1",
        "src/main.py:7:5: the stable file system is already declared at src/main.py:5:1",
        "src/main.py:8:5: the stable file system is already declared at src/main.py:5:1",
        "src/main.py:9:5: the stable file system is already declared at src/main.py:5:1",
        "src/main.py:10:5: the stable file system is already declared at src/main.py:5:1",
    ];
    common::assert_diagnostics(&e, &want);
    let e = errors(
        "from kybra import StableFileSystem\n\
         d = StableFileSystem(max_file_size=SIZE)\n\
         e = StableFileSystem(max_file_size=0)\n\
         f = StableFileSystem(1)\n\
         g = StableFileSystem(size=1)\n",
    );
    let want = [
        "src/main.py:2:36: `max_file_size` must be an integer written with literals",
        "src/main.py:3:36: `max_file_size` must be between 1 and 1099511627776 bytes (1 TiB)",
        "src/main.py:4:22: StableFileSystem takes keyword arguments only",
        "src/main.py:5:22: StableFileSystem has no parameter `size`",
    ];
    common::assert_diagnostics(&e, &want);
}
