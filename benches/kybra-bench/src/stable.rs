//! Section "Stable": StableBTreeMap insert/get instructions, Python
//! (`benches/projects/stable`: kybra's `StableBTreeMap[nat64, str]`) beside Rust
//! (`tests/canisters/rust_stable`: `ic-stable-structures`' `BTreeMap<u64, String>` used
//! directly), in one replica; then the instructions per operation of the other structures
//! (set, vec, log, cell, min-heap), each from one `bulk` update of [`BULK`] operations.
//! Promises: every reply is checked (lengths, values, a full `verify` of the filled map),
//! so no figure is printed for a wrong answer.

use anyhow::{anyhow, bail, Result};
use candid::{Decode, Encode};

use crate::canisters::Bench;
use crate::env::{self, AssetFiles};
use crate::table::{int, ratio, Table};

/// Entries filled in before the single-call measurements (in one `fill` call).
pub const N: u64 = 10_000;

/// Operations per `bulk` update.
pub const BULK: u64 = 1_000;

/// The `bulk` kinds, their table labels and the reply each must give after [`BULK`]
/// operations (in this order: the pops follow the pushes).
const KINDS: [(&str, &str, u64); 6] = [
    ("set_add", "StableBTreeSet `add` (nat64)", BULK),
    ("vec_push", "StableVec `append` (nat64)", BULK),
    ("log_append", "StableLog `append` (text)", BULK),
    ("cell_set", "StableCell `set` (nat64)", BULK - 1),
    ("heap_push", "StableMinHeap `push` (nat64)", BULK),
    ("heap_pop", "StableMinHeap `pop` (nat64)", 0),
];

/// Instructions of each measurement, in table order.
struct Figures {
    fill_per_insert: u64,
    insert_new: u64,
    insert_existing: u64,
    get_hit: u64,
    get_miss: u64,
    /// Per operation of each of [`KINDS`].
    per_op: Vec<u64>,
}

fn measure(bench: &Bench, what: &str, wasm: &[u8]) -> Result<Figures> {
    let (id, _) = bench.create_and_install(what, wasm)?;
    let update = |method: &str, arg: Vec<u8>| {
        bench
            .update(id, method, &arg)
            .map_err(|e| anyhow!("{what}: {e}"))
    };
    let query = |method: &str, arg: Vec<u8>| {
        bench
            .query(id, method, &arg)
            .map_err(|e| anyhow!("{what}: {e}"))
    };
    let (_, empty_fill) = update("fill", Encode!(&0u64, &0u64)?)?;
    let (reply, fill) = update("fill", Encode!(&0u64, &N)?)?;
    if Decode!(&reply, u64)? != N {
        bail!("{what}: fill({N}) did not leave {N} entries");
    }
    let (reply, _) = query("verify", Encode!(&0u64, &N)?)?;
    if Decode!(&reply, u64)? != 0 {
        bail!("{what}: the filled map does not hold value-i under every key i");
    }
    let value = "a new value".to_string();
    let (reply, insert_new) = update("insert", Encode!(&(N + 1), &value)?)?;
    expect(
        what,
        "insert of a new key",
        Decode!(&reply, Option<String>)?,
        None,
    )?;
    let (reply, insert_existing) = update("insert", Encode!(&7u64, &value)?)?;
    expect(
        what,
        "insert of an existing key",
        Decode!(&reply, Option<String>)?,
        Some("value-7".into()),
    )?;
    let (reply, get_hit) = query("get", Encode!(&(N / 2))?)?;
    expect(
        what,
        "get",
        Decode!(&reply, Option<String>)?,
        Some(format!("value-{}", N / 2)),
    )?;
    let (reply, get_miss) = query("get", Encode!(&(N * 10))?)?;
    expect(
        what,
        "get of a missing key",
        Decode!(&reply, Option<String>)?,
        None,
    )?;
    let mut per_op = Vec::new();
    for (kind, _, want) in KINDS {
        let (_, empty) = update("bulk", Encode!(&kind, &0u64)?)?;
        let (reply, full) = update("bulk", Encode!(&kind, &BULK)?)?;
        if Decode!(&reply, u64)? != want {
            bail!(
                "{what}: bulk({kind}, {BULK}) replied {}, expected {want}",
                Decode!(&reply, u64)?
            );
        }
        per_op.push(full.saturating_sub(empty) / BULK);
    }
    Ok(Figures {
        per_op,
        fill_per_insert: fill.saturating_sub(empty_fill) / N,
        insert_new,
        insert_existing,
        get_hit,
        get_miss,
    })
}

fn expect(what: &str, call: &str, got: Option<String>, want: Option<String>) -> Result<()> {
    if got != want {
        bail!("{what}: {call} replied {got:?}, expected {want:?}");
    }
    Ok(())
}

/// Runs the section; returns its markdown.
pub fn run(bench: &Bench, assets: &AssetFiles) -> Result<String> {
    let project = env::repo_root().join("benches/projects/stable");
    let python_wasm =
        kybra_compiler::build(&project.join("src/main.py"), &project, &assets.assets())
            .map_err(|e| anyhow!("building benches/projects/stable failed:\n{e}"))?
            .wasm;
    let rust_path = kybra_test_support::build("rust_stable");
    let rust_wasm = std::fs::read(&rust_path)
        .map_err(|e| anyhow!("cannot read {}: {e}", rust_path.display()))?;
    let rust = measure(bench, "the Rust stable canister", &rust_wasm)?;
    let python = measure(bench, "the Python stable canister", &python_wasm)?;
    let mut t = Table::new(&[
        "instructions",
        "Python (kybra)",
        "Rust (ic-stable-structures)",
        "Python / Rust",
    ]);
    let rows = [
        (
            "per insert inside `fill` (10,000 entries, one update)".to_string(),
            python.fill_per_insert,
            rust.fill_per_insert,
        ),
        (
            "`insert` update, new key (10,000 entries in the map)".to_string(),
            python.insert_new,
            rust.insert_new,
        ),
        (
            "`insert` update, existing key".to_string(),
            python.insert_existing,
            rust.insert_existing,
        ),
        (
            "`get` query, present key".to_string(),
            python.get_hit,
            rust.get_hit,
        ),
        (
            "`get` query, missing key".to_string(),
            python.get_miss,
            rust.get_miss,
        ),
    ];
    for (label, p, r) in rows {
        t.row(vec![label, int(p), int(r), ratio(p as f64, r as f64)]);
    }
    for (i, (_, label, _)) in KINDS.iter().enumerate() {
        let (p, r) = (python.per_op[i], rust.per_op[i]);
        t.row(vec![
            format!("per {label} inside `bulk` ({BULK} in one update)"),
            int(p),
            int(r),
            ratio(p as f64, r as f64),
        ]);
    }
    Ok(format!(
        "## 6. Stable\n\n`StableBTreeMap[nat64, str]` (keys big-endian, values Candid) against `BTreeMap<u64, String>` \
         of `ic-stable-structures` in Rust; whole messages (decode, call, encode) except the first row, which is \
         (fill(0, 10,000) − fill(0, 0)) / 10,000. The other structures: (bulk(kind, 1,000) − bulk(kind, 0)) / 1,000, \
         against the library's `BTreeSet<u64>`, `Vec<u64>`, `Log<String>`, `Cell<u64>` and `MinHeap<u64>` \
         (kybra's vec and heap are kept in B-trees: their elements have no fixed size).\n\n{}\n",
        t.render()
    ))
}
