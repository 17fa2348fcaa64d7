//! Section 4, "Codec": Candid decode + encode of a `vec` of 10,000 records
//! (`record { id: nat64; name: text; tags: vec text; score: float64 }`) through an update
//! `echo(items) -> items`, in Python (`benches/projects/codec`) and in Rust (`echo` of
//! `tests/canisters/rust_hello`), in one replica. Promises: every reply is decoded and
//! compared with what was sent, so a figure is never printed for a wrong answer; the
//! table says how the Python canister was built.

use anyhow::{anyhow, bail, Result};
use candid::{CandidType, Deserialize};
use kybra_interface::{Field, Method, MethodKind, Param, Type, TypeDef};

use crate::canisters::Bench;
use crate::env::{self, AssetFiles};
use crate::table::{int, ratio, Table};

/// Items per call.
pub const N: usize = 10_000;

#[derive(CandidType, Deserialize, PartialEq, Debug, Clone)]
struct Item {
    id: u64,
    name: String,
    tags: Vec<String>,
    score: f64,
}

fn items(n: usize) -> Vec<Item> {
    (0..n as u64)
        .map(|i| Item {
            id: i * 7919,
            name: format!("item number {i}"),
            tags: vec![format!("t{}", i % 7), "blue".into()],
            score: i as f64 * 0.25,
        })
        .collect()
}

/// The Python canister: the project as a user writes it, or — while the compiler cannot
/// read `Record` classes yet — the same function under a hand-made method table.
fn python_module(assets: &AssetFiles) -> Result<(Vec<u8>, String)> {
    let project = env::repo_root().join("benches/projects/codec");
    let main_py = project.join("src/main.py");
    match kybra_compiler::build(&main_py, &project, &assets.assets()) {
        Ok(c) => Ok((
            c.wasm,
            "built from `benches/projects/codec` by the compiler".into(),
        )),
        Err(e) => {
            let wasm = hand_made(assets)?;
            let why = e.to_string().lines().next().unwrap_or_default().to_string();
            Ok((wasm, format!("built from a hand-made method table, since the compiler rejects the project: {why}")))
        }
    }
}

/// `def echo(items): return items` with the method table the project declares.
fn hand_made(assets: &AssetFiles) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("src"))?;
    let main_py = dir.path().join("src/main.py");
    std::fs::write(&main_py, "def echo(items):\n    return items\n")?;
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(&assets.stdlib_index, &assets.stdlib_code)
        .map_err(|e| anyhow!("the stdlib index is unusable: {e}"))?;
    let (mut payload, user_modules) =
        kybra_compiler::analyse_project(&main_py, dir.path(), &stdlib)
            .map_err(|e| anyhow!("analysing the hand-made codec canister failed:\n{e}"))?;
    let item = Type::Record(vec![
        Field::new("id", Type::Nat64),
        Field::new("name", Type::Text),
        Field::new("tags", Type::Vec(Box::new(Type::Text))),
        Field::new("score", Type::Float64),
    ]);
    payload.types = vec![TypeDef {
        name: "Item".into(),
        ty: item,
        class: None,
    }];
    let items = Type::Vec(Box::new(Type::Named("Item".into())));
    payload.methods = vec![Method {
        name: "echo".into(),
        module: "main".into(),
        function: "echo".into(),
        kind: MethodKind::Update,
        params: vec![Param {
            name: "items".into(),
            ty: items.clone(),
        }],
        returns: vec![items],
        guard: None,
        manual_reply: false,
    }];
    let canister = kybra_compiler::package(&payload, user_modules, &assets.assets())
        .map_err(|e| anyhow!("packaging the hand-made codec canister failed:\n{e}"))?;
    Ok(canister.wasm)
}

/// Instructions of `echo` with 0 items, N items (first call) and N items again.
fn measure(bench: &Bench, what: &str, wasm: &[u8]) -> Result<[u64; 3]> {
    let (id, _) = bench.create_and_install(what, wasm)?;
    let mut out = [0u64; 3];
    for (slot, n) in [(0, 0), (1, N), (2, N)] {
        let sent = items(n);
        let (reply, instructions) = bench.update(id, "echo", &candid::encode_one(&sent)?)?;
        let got: Vec<Item> = candid::decode_one(&reply)
            .map_err(|e| anyhow!("{what}: echo replied something that is not vec Item: {e}"))?;
        if got != sent {
            bail!("{what}: echo({n} items) did not return its argument");
        }
        out[slot] = instructions;
    }
    Ok(out)
}

/// Runs the section; returns its markdown.
pub fn run(bench: &Bench, assets: &AssetFiles, rust_wasm: &[u8]) -> Result<String> {
    let (python_wasm, how) = python_module(assets)?;
    let rust = measure(bench, "the Rust codec canister", rust_wasm)?;
    let python = measure(bench, "the Python codec canister", &python_wasm)?;
    let arg_bytes = candid::encode_one(items(N))?.len();
    let mut t = Table::new(&[
        "message",
        "Python (Kybra)",
        "Rust (ic-cdk)",
        "Python / Rust",
    ]);
    let rows = [
        ("`echo([])` (update)".to_string(), python[0], rust[0]),
        (
            format!("`echo({} items)` (update, first)", int(N as u64)),
            python[1],
            rust[1],
        ),
        (
            format!("`echo({} items)` (update, again)", int(N as u64)),
            python[2],
            rust[2],
        ),
    ];
    for (row, p, r) in rows {
        t.row(vec![row, int(p), int(r), ratio(p as f64, r as f64)]);
    }
    let per = |f: [u64; 3]| f[2].saturating_sub(f[0]) / N as u64;
    t.row(vec![
        "per item (again − empty) / N".into(),
        int(per(python)),
        int(per(rust)),
        ratio(per(python) as f64, per(rust) as f64),
    ]);
    let mut out = String::from("## 4. Codec: a vec of records in and out, Python against Rust\n\n");
    out.push_str(&t.render());
    out.push_str(&format!(
        "\n`echo(items: Vec[Item]) -> Vec[Item]` with `Item = record {{ id: nat64; name: text; tags: vec text; score: float64 }}`; \
         the argument is {} bytes of Candid. Each figure covers decoding the argument, the call, and encoding the reply \
         (Python: Candid → dicts and lists → Candid). Python canister {how}.\n",
        int(arg_bytes as u64)
    ));
    Ok(out)
}
