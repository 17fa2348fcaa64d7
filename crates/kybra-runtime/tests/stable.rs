//! Stable memory and StableBTreeMap on the real template and replica: the book's map API,
//! keys in their natural order, the book's KeyTooLarge/ValueTooLarge, type errors, the raw
//! `ic.stable_*` API (and reading beyond it), maps that survive upgrades (100,000 entries,
//! 20 upgrades), and raw data that a map never overwrites.
mod common;

use candid::{Decode, Encode};
use common::{Canister, Harness};

/// The book's "Stable Structures" sample plus helpers the tests need.
const MAP: &str = r#"
from kybra import Alias, nat64, nat8, Opt, query, StableBTreeMap, Tuple, update, Vec, void
from kybra import KeyTooLarge, KeyTooLargeError, ValueTooLargeError

Key = Alias[nat8]
Value = Alias[str]

map = StableBTreeMap[Key, Value](memory_id=3, max_key_size=100, max_value_size=1_000)
big = StableBTreeMap[nat64, str](memory_id=0)
tiny = StableBTreeMap[str, str](memory_id=254, max_key_size=5, max_value_size=12)


@query
def contains_key(key: Key) -> bool:
    return map.contains_key(key)


@query
def get(key: Key) -> Opt[Value]:
    return map.get(key)


@update
def insert(key: Key, value: Value) -> Opt[Value]:
    return map.insert(key, value)


@query
def is_empty() -> bool:
    return map.is_empty()


@query
def items() -> Vec[Tuple[Key, Value]]:
    return map.items()


@query
def keys() -> Vec[Key]:
    return map.keys()


@query
def len() -> nat64:
    return map.len()


@update
def remove(key: Key) -> Opt[Value]:
    return map.remove(key)


@query
def values() -> Vec[Value]:
    return map.values()


@update
def fill(start: nat64, count: nat64) -> nat64:
    for i in range(start, start + count):
        big.insert(i, f"value-{i}")
    return big.len()


@query
def verify(start: nat64, count: nat64) -> nat64:
    bad = 0
    for i in range(start, start + count):
        if big.get(i) != f"value-{i}":
            bad += 1
    return bad


@query
def big_len() -> nat64:
    return big.len()


@update
def tiny_insert(key: str, value: str) -> str:
    try:
        tiny.insert(key, value)
        return "ok"
    except KeyTooLargeError as e:
        error: KeyTooLarge = e.error
        return f"KeyTooLarge {error['given']} {error['max']}"
    except ValueTooLargeError as e:
        return f"ValueTooLarge {e.error['given']} {e.error['max']}: {e}"


@update
def tiny_insert_uncaught(key: str, value: str) -> void:
    tiny.insert(key, value)


@query
def tiny_len() -> nat64:
    return tiny.len()


@update
def wrong_type() -> str:
    try:
        map.insert("one", "x")
    except TypeError as e:
        return str(e)
    return "no error"


@update
def raw_write() -> str:
    from kybra import ic
    try:
        ic.stable64_write(0, b"oops")
    except RuntimeError as e:
        return str(e)
    return "written"


@update
def undeclared() -> str:
    try:
        StableBTreeMap[nat8, str](memory_id=9)
    except ValueError as e:
        return str(e)
    return "opened"
"#;

fn deploy(h: &Harness, source: &str) -> (Canister, Vec<u8>) {
    let wasm = h.compile(&[("main", source)]).wasm;
    (Canister::install(&wasm), wasm)
}

fn q<T: candid::CandidType + for<'a> candid::Deserialize<'a>>(
    c: &Canister,
    method: &str,
    arg: &[u8],
) -> T {
    let out = c
        .query(method, arg)
        .unwrap_or_else(|r| panic!("{method}: {r:?}"));
    candid::decode_one(&out).unwrap_or_else(|e| panic!("{method}: {e}"))
}

fn u<T: candid::CandidType + for<'a> candid::Deserialize<'a>>(
    c: &Canister,
    method: &str,
    arg: &[u8],
) -> T {
    let out = c
        .update(method, arg)
        .unwrap_or_else(|r| panic!("{method}: {r:?}"));
    candid::decode_one(&out).unwrap_or_else(|e| panic!("{method}: {e}"))
}

fn none() -> Vec<u8> {
    Encode!().unwrap()
}

#[test]
fn the_book_sample_every_operation_keys_in_order() {
    let Some(h) = Harness::new() else { return };
    let (c, _) = deploy(&h, MAP);
    assert!(q::<bool>(&c, "is_empty", &none()));
    assert_eq!(
        u::<Option<String>>(&c, "insert", &Encode!(&3u8, &"three").unwrap()),
        None
    );
    assert_eq!(
        u::<Option<String>>(&c, "insert", &Encode!(&1u8, &"one").unwrap()),
        None
    );
    assert_eq!(
        u::<Option<String>>(&c, "insert", &Encode!(&200u8, &"two hundred").unwrap()),
        None
    );
    assert_eq!(
        u::<Option<String>>(&c, "insert", &Encode!(&3u8, &"THREE").unwrap()),
        Some("three".into())
    );
    assert!(!q::<bool>(&c, "is_empty", &none()));
    assert!(q::<bool>(&c, "contains_key", &Encode!(&1u8).unwrap()));
    assert!(!q::<bool>(&c, "contains_key", &Encode!(&2u8).unwrap()));
    assert_eq!(
        q::<Option<String>>(&c, "get", &Encode!(&3u8).unwrap()),
        Some("THREE".into())
    );
    assert_eq!(
        q::<Option<String>>(&c, "get", &Encode!(&4u8).unwrap()),
        None
    );
    assert_eq!(q::<u64>(&c, "len", &none()), 3);
    assert_eq!(q::<Vec<u8>>(&c, "keys", &none()), vec![1, 3, 200]);
    assert_eq!(
        q::<Vec<String>>(&c, "values", &none()),
        vec!["one", "THREE", "two hundred"]
    );
    let items: Vec<(u8, String)> = q(&c, "items", &none());
    assert_eq!(
        items,
        vec![
            (1, "one".into()),
            (3, "THREE".into()),
            (200, "two hundred".into())
        ]
    );
    assert_eq!(
        u::<Option<String>>(&c, "remove", &Encode!(&1u8).unwrap()),
        Some("one".into())
    );
    assert_eq!(
        u::<Option<String>>(&c, "remove", &Encode!(&1u8).unwrap()),
        None
    );
    assert_eq!(q::<u64>(&c, "len", &none()), 2);
}

#[test]
fn oversized_keys_and_values_are_refused_with_the_book_types() {
    let Some(h) = Harness::new() else { return };
    let (c, _) = deploy(&h, MAP);
    assert_eq!(
        u::<String>(&c, "tiny_insert", &Encode!(&"abcde", &"x").unwrap()),
        "ok"
    );
    assert_eq!(
        u::<String>(&c, "tiny_insert", &Encode!(&"abcdef", &"x").unwrap()),
        "KeyTooLarge 6 5"
    );
    // A text value is Candid-encoded: DIDL, 0 types, 1 arg, text, length, bytes = 8 + n.
    let refused: String = u(&c, "tiny_insert", &Encode!(&"k", &"12345").unwrap());
    assert!(refused.starts_with("ValueTooLarge 13 12: StableBTreeMap(memory_id=254).insert: the value takes 13 bytes but max_value_size is 12"), "{refused}");
    assert_eq!(
        u::<String>(&c, "tiny_insert", &Encode!(&"k", &"1234").unwrap()),
        "ok"
    );
    let r = c
        .update(
            "tiny_insert_uncaught",
            &Encode!(&"toolongkey", &"v").unwrap(),
        )
        .unwrap_err();
    assert!(
        r.message.contains("KeyTooLargeError")
            && r.message
                .contains("the key takes 10 bytes but max_key_size is 5"),
        "{}",
        r.message
    );
    assert_eq!(q::<u64>(&c, "tiny_len", &none()), 2, "nothing was written");
}

#[test]
fn misuse_is_a_clear_python_error() {
    let Some(h) = Harness::new() else { return };
    let (c, _) = deploy(&h, MAP);
    let e: String = u(&c, "wrong_type", &none());
    assert!(
        e.contains("StableBTreeMap(memory_id=3): the key must be a Key")
            || e.contains("the key must be a nat8"),
        "{e}"
    );
    assert!(e.contains("got str 'one'"), "{e}");
    let e: String = u(&c, "raw_write", &none());
    assert!(
        e.starts_with(
            "ic.stable64_write: this canister keeps stable structures or its stable file system (memory ids [0, 3, 254])"
        ),
        "{e}"
    );
    let e: String = u(&c, "undeclared", &none());
    assert!(
        e.starts_with("StableBTreeMap(memory_id=9) was not declared at module level"),
        "{e}"
    );
}

/// The book's stable memory samples (Reference, "Stable Memory") plus misuse.
const RAW: &str = r#"
from kybra import blob, ic, nat32, nat64, query, Stable64GrowResult, StableGrowResult, update, void

@query
def stable_size() -> nat32:
    return ic.stable_size()

@query
def stable64_size() -> nat64:
    return ic.stable64_size()

@update
def stable_grow(new_pages: nat32) -> StableGrowResult:
    return ic.stable_grow(new_pages)

@update
def stable64_grow(new_pages: nat64) -> Stable64GrowResult:
    return ic.stable64_grow(new_pages)

@query
def stable_read(offset: nat32, length: nat32) -> blob:
    return ic.stable_read(offset, length)

@query
def stable64_read(offset: nat64, length: nat64) -> blob:
    return ic.stable64_read(offset, length)

@update
def stable_write(offset: nat32, buf: blob) -> void:
    ic.stable_write(offset, buf)

@update
def stable64_write(offset: nat64, buf: blob) -> void:
    ic.stable64_write(offset, buf)

@query
def stable_bytes() -> blob:
    return ic.stable_bytes()

@query
def read_beyond(offset: nat64, length: nat64) -> str:
    try:
        ic.stable64_read(offset, length)
        return "read"
    except IndexError as e:
        return str(e)
"#;

#[derive(candid::CandidType, candid::Deserialize, Debug, PartialEq)]
enum StableMemoryError {
    OutOfMemory,
    OutOfBounds,
}

#[derive(candid::CandidType, candid::Deserialize, Debug, PartialEq)]
enum GrowResult {
    Ok(u64),
    Err(StableMemoryError),
}

#[derive(candid::CandidType, candid::Deserialize, Debug, PartialEq)]
enum GrowResult32 {
    Ok(u32),
    Err(StableMemoryError),
}

#[test]
fn raw_stable_memory_as_the_book_shows_and_reading_beyond_is_an_error() {
    let Some(h) = Harness::new() else { return };
    let (c, _) = deploy(&h, RAW);
    assert_eq!(q::<u32>(&c, "stable_size", &none()), 0);
    assert_eq!(
        u::<GrowResult32>(&c, "stable_grow", &Encode!(&2u32).unwrap()),
        GrowResult32::Ok(0)
    );
    assert_eq!(
        u::<GrowResult>(&c, "stable64_grow", &Encode!(&1u64).unwrap()),
        GrowResult::Ok(2)
    );
    assert_eq!(q::<u64>(&c, "stable64_size", &none()), 3);
    // The 32-bit API stops at 4 GiB (65,536 pages); nothing grows then.
    assert_eq!(
        u::<GrowResult32>(&c, "stable_grow", &Encode!(&65_534u32).unwrap()),
        GrowResult32::Err(StableMemoryError::OutOfMemory)
    );
    assert_eq!(q::<u32>(&c, "stable_size", &none()), 3);
    let _: () = Decode!(&c
        .update(
            "stable_write",
            &Encode!(
                &65_530u32,
                &serde_bytes::ByteBuf::from(b"hello world".to_vec())
            )
            .unwrap()
        )
        .unwrap())
    .unwrap();
    let got: serde_bytes::ByteBuf = q(&c, "stable_read", &Encode!(&65_530u32, &11u32).unwrap());
    assert_eq!(got.as_slice(), b"hello world");
    let got: serde_bytes::ByteBuf = q(&c, "stable64_read", &Encode!(&65_536u64, &5u64).unwrap());
    assert_eq!(got.as_slice(), b"world");
    let all: serde_bytes::ByteBuf = q(&c, "stable_bytes", &none());
    assert_eq!(all.len(), 3 * 65_536);
    // Beyond the end: a Python IndexError, caught or reported; nothing is written.
    let e: String = q(
        &c,
        "read_beyond",
        &Encode!(&(3 * 65_536u64 - 2), &3u64).unwrap(),
    );
    assert_eq!(e, "ic.stable64_read(offset=196606, length 3): beyond the end of stable memory (196608 bytes = 3 pages) — grow it first with ic.stable_grow / ic.stable64_grow");
    let e: String = q(&c, "read_beyond", &Encode!(&u64::MAX, &2u64).unwrap());
    assert!(e.contains("beyond the end"), "{e}");
    let r = c
        .update(
            "stable64_write",
            &Encode!(&(3 * 65_536u64), &serde_bytes::ByteBuf::from(vec![1u8])).unwrap(),
        )
        .unwrap_err();
    assert!(
        r.message
            .contains("IndexError: ic.stable64_write(offset=196608, length 1): beyond the end"),
        "{}",
        r.message
    );
    assert_eq!(q::<u64>(&c, "stable64_size", &none()), 3);
}

#[test]
fn raw_data_is_never_overwritten_by_a_map() {
    let Some(h) = Harness::new() else { return };
    let (c, _) = deploy(&h, RAW);
    assert_eq!(
        u::<GrowResult32>(&c, "stable_grow", &Encode!(&1u32).unwrap()),
        GrowResult32::Ok(0)
    );
    let _: () = Decode!(&c
        .update(
            "stable_write",
            &Encode!(&0u32, &serde_bytes::ByteBuf::from(b"precious".to_vec())).unwrap()
        )
        .unwrap())
    .unwrap();
    let with_map = h.compile(&[("main", MAP)]).wasm;
    let r = c.upgrade(&with_map, &none()).unwrap_err();
    assert!(
        r.message
            .contains("holds data that is not a stable structure store"),
        "{}",
        r.message
    );
    let got: serde_bytes::ByteBuf = q(&c, "stable_read", &Encode!(&0u32, &8u32).unwrap());
    assert_eq!(
        got.as_slice(),
        b"precious",
        "the failed upgrade left the canister as it was"
    );
}

#[test]
fn a_map_of_100_000_entries_survives_20_upgrades() {
    let Some(h) = Harness::new() else { return };
    let (c, wasm) = deploy(&h, MAP);
    let _: Option<String> = u(&c, "insert", &Encode!(&7u8, &"seven").unwrap());
    const N: u64 = 100_000;
    const BATCH: u64 = 10_000;
    for start in (0..N).step_by(BATCH as usize) {
        assert_eq!(
            u::<u64>(&c, "fill", &Encode!(&start, &BATCH).unwrap()),
            start + BATCH
        );
    }
    let per_insert = c.last_instructions() / BATCH;
    println!("fill: {per_insert} instructions per insert (batch of {BATCH})");
    for round in 0..20u64 {
        c.upgrade(&wasm, &none())
            .unwrap_or_else(|r| panic!("upgrade {round}: {r:?}"));
        assert_eq!(q::<u64>(&c, "big_len", &none()), N, "after upgrade {round}");
        let start = (round * 5_000) % N;
        assert_eq!(
            q::<u64>(&c, "verify", &Encode!(&start, &5_000u64).unwrap()),
            0,
            "after upgrade {round}"
        );
    }
    for start in (0..N).step_by(20_000) {
        assert_eq!(
            q::<u64>(&c, "verify", &Encode!(&start, &20_000u64).unwrap()),
            0,
            "entries {start}.."
        );
    }
    assert_eq!(
        q::<u64>(&c, "verify", &Encode!(&N, &1u64).unwrap()),
        1,
        "verify can fail"
    );
    assert_eq!(
        q::<Option<String>>(&c, "get", &Encode!(&7u8).unwrap()),
        Some("seven".into())
    );
}

/// Keys of many types, inserted shuffled: `keys()` must equal Python's `sorted()`.
const ORDER: &str = r#"
from kybra import blob, float64, int, int8, int64, nat, nat16, nat64, Principal, query, StableBTreeMap, Tuple, update, Vec

nats = StableBTreeMap[nat, bool](memory_id=1)
ints = StableBTreeMap[int, bool](memory_id=2)
texts = StableBTreeMap[str, bool](memory_id=3)
blobs = StableBTreeMap[blob, bool](memory_id=4)
principals = StableBTreeMap[Principal, bool](memory_id=5)
floats = StableBTreeMap[float64, bool](memory_id=6)
int8s = StableBTreeMap[int8, bool](memory_id=7)
int64s = StableBTreeMap[int64, bool](memory_id=8)
nat16s = StableBTreeMap[nat16, bool](memory_id=9)
nat64s = StableBTreeMap[nat64, bool](memory_id=10)
bools = StableBTreeMap[bool, bool](memory_id=11)
pairs = StableBTreeMap[Tuple[nat64, str], bool](memory_id=12)

SAMPLES = {
    "nat": (nats, [0, 1, 127, 128, 255, 256, 65535, 2**64, 2**64 - 1, 10**40, 10**300, 10**700, 3]),
    "int": (ints, [0, -1, 1, -128, 127, -(2**70), 2**70, -(10**300), 10**300, 10**700, -(10**700), -255, -256, 255, 256]),
    "text": (texts, ["", "a", "ab", "b", "Z", "é", "日本", "\U0001F600", "a\x00b", "a\x00"]),
    "blob": (blobs, [b"", b"\x00", b"\x00\x00", b"\xff", b"a", b"ab", b"\x7f\x80"]),
    "principal": (principals, [Principal.from_str("aaaaa-aa"), Principal.from_str("2vxsx-fae"), Principal(bytes([1] * 29)), Principal(bytes([1, 2]))]),
    "float64": (floats, [0.0, -1.5, 1.5, float("inf"), float("-inf"), 1e-300, -1e-300, 3.25, -7.0]),
    "int8": (int8s, [-128, -1, 0, 1, 127, -2]),
    "int64": (int64s, [-(2**63), 2**63 - 1, -1, 0, 1, 1000, -1000]),
    "nat16": (nat16s, [0, 1, 255, 256, 65535]),
    "nat64": (nat64s, [0, 2**64 - 1, 2**32, 5]),
    "bool": (bools, [True, False]),
}


@update
def check_order() -> Vec[str]:
    wrong = []
    for name, (m, keys) in SAMPLES.items():
        for k in reversed(keys):
            m.insert(k, True)
        got = m.keys()
        if got != sorted(keys):
            wrong.append(f"{name}: {got!r} != {sorted(keys)!r}")
        for k in keys:
            if not m.contains_key(k):
                wrong.append(f"{name}: {k!r} missing")
    nan = float("nan")
    floats.insert(nan, False)
    first = floats.keys()[0]
    if first == first:
        wrong.append(f"NaN is not first: {first!r}")
    pairs.insert((2, "a"), True)
    pairs.insert((1, "b"), False)
    if pairs.get((1, "b")) is not False or pairs.items()[0][0] not in ((1, "b"), (2, "a")):
        wrong.append(f"tuple keys: {pairs.items()!r}")
    return wrong
"#;

#[test]
fn keys_iterate_in_their_natural_order() {
    let Some(h) = Harness::new() else { return };
    let (c, _) = deploy(&h, ORDER);
    let wrong: Vec<String> = u(&c, "check_order", &none());
    assert!(wrong.is_empty(), "{wrong:#?}");
}
