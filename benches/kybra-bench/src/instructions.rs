//! Section 2, "Instructions": the book's hello world in Python (Kybra) and in Rust
//! (`ic-cdk`) installed in one in-process replica; instructions of the install
//! (instantiation + `canister_init`), `set_message("Hello World!")` and `get_message`
//! (after the set), first call and again, with the ratio Python/Rust. Promises: every
//! reply is checked, so a figure is never printed for a call that did not work.

use anyhow::{bail, Result};

use crate::canisters::Bench;
use crate::table::{int, ratio, Table};

const MESSAGE: &str = "Hello World!";

/// The instructions of one canister's messages, in [`ROWS`] order.
struct Figures([u64; 5]);

const ROWS: [&str; 5] = [
    "install (instantiate + `canister_init`)",
    "`set_message(\"Hello World!\")` (update, first)",
    "`get_message()` after the set (query, first)",
    "`set_message(\"Hello World!\")` (update, again)",
    "`get_message()` (query, again)",
];

fn measure(bench: &Bench, what: &str, wasm: &[u8]) -> Result<Figures> {
    let (id, install) = bench.create_and_install(what, wasm)?;
    let set_arg = candid::encode_one(MESSAGE)?;
    let get_arg = candid::encode_args(())?;
    let mut f = [install, 0, 0, 0, 0];
    for round in 0..2 {
        let (reply, set) = bench.update(id, "set_message", &set_arg)?;
        candid::decode_args::<()>(&reply)
            .map_err(|e| anyhow::anyhow!("{what}: set_message replied {reply:?}, not (): {e}"))?;
        let (reply, get) = bench.query(id, "get_message", &get_arg)?;
        let got: String = candid::decode_one(&reply)?;
        if got != MESSAGE {
            bail!("{what}: get_message returned {got:?} after set_message({MESSAGE:?})");
        }
        f[1 + 2 * round] = set;
        f[2 + 2 * round] = get;
    }
    Ok(Figures(f))
}

/// Runs the section on the two modules and returns its markdown.
pub fn run(bench: &Bench, python_wasm: &[u8], rust_wasm: &[u8]) -> Result<String> {
    let rust = measure(bench, "the Rust hello world", rust_wasm)?;
    let python = measure(bench, "the Python hello world", python_wasm)?;
    let mut t = Table::new(&[
        "message",
        "Python (Kybra)",
        "Rust (ic-cdk)",
        "Python / Rust",
    ]);
    for (i, row) in ROWS.iter().enumerate() {
        let (p, r) = (python.0[i], rust.0[i]);
        t.row(vec![
            row.to_string(),
            int(p),
            int(r),
            ratio(p as f64, r as f64),
        ]);
    }
    let mut out = String::from("## 2. Instructions: the hello world, Python against Rust\n\n");
    out.push_str(&t.render());
    out.push_str(
        "\nUnits: instructions the replica meters (wasmtime fuel, ≈ one per executed wasm instruction), \
         the figure the IC charges and limits (query 5 B, update 40 B, install 300 B). \
         Exact and repeatable: no timing involved.\n",
    );
    if rust.0[0] == 0 {
        out.push_str(
            "The Rust module has no `canister_init` and no start function, so its install executes no \
             instructions (data segments are copied by the replica, unmetered).\n",
        );
    }
    Ok(out)
}
