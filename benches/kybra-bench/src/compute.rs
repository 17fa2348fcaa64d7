//! Section 3, "Compute": the interpreter's cost per loop iteration. Runs `sum_range(n)`
//! and `for_loop(n)` of `benches/projects/compute` at n = 0 and n = N in the replica
//! (wasm instructions) and the same functions in native CPython under callgrind (x86
//! instructions); (count(N) − count(0)) / N cancels start-up and call overhead.
//! Promises: units are labelled (wasm vs x86 instructions are different units); every
//! result is checked against n(n−1)/2.

use anyhow::{bail, Result};

use crate::callgrind::NativePython;
use crate::canisters::Bench;
use crate::env::{self, AssetFiles};
use crate::table::{int, Table};

const FUNCTIONS: [&str; 2] = ["sum_range", "for_loop"];

fn expected(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Runs the section with loops of `n` iterations; returns its markdown.
pub fn run(bench: &Bench, assets: &AssetFiles, n: u64) -> Result<String> {
    if n == 0 {
        bail!("--n must be positive");
    }
    let project = env::repo_root().join("benches/projects/compute");
    let main_py = project.join("src/main.py");
    let canister = kybra_compiler::build(&main_py, &project, &assets.assets())
        .map_err(|e| anyhow::anyhow!("building {} failed:\n{e}", main_py.display()))?;
    let (id, _) = bench.create_and_install("the compute canister", &canister.wasm)?;

    // Native runs in parallel pairs (two cores); instruction counts do not depend on it.
    let native = NativePython::find();
    let native_counts: Result<Vec<[u64; 2]>> = match &native {
        Ok(py) => std::thread::scope(|s| {
            let handles: Vec<_> = FUNCTIONS
                .iter()
                .map(|f| {
                    let main_py = &main_py;
                    s.spawn(move || -> Result<[u64; 2]> {
                        Ok([
                            py.instructions(main_py, f, 0, "0")?,
                            py.instructions(main_py, f, n, &expected(n).to_string())?,
                        ])
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("callgrind thread panicked"))
                .collect()
        }),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    };

    let mut t = Table::new(&[
        "function",
        "replica n=0",
        &format!("replica n={}", int(n)),
        "wasm instr / iteration",
        "CPython n=0",
        &format!("CPython n={}", int(n)),
        "x86 instr / iteration",
        "wasm / x86 per iteration",
    ]);
    for (i, f) in FUNCTIONS.iter().enumerate() {
        let mut wasm = [0u64; 2];
        for (j, arg) in [0, n].into_iter().enumerate() {
            let (reply, instr) = bench.query(id, f, &candid::encode_one(arg)?)?;
            let got: u64 = candid::decode_one(&reply)?;
            if got != expected(arg) {
                bail!("{f}({arg}) returned {got}, expected {}", expected(arg));
            }
            wasm[j] = instr;
        }
        let wasm_per = (wasm[1] as f64 - wasm[0] as f64) / n as f64;
        let mut row = vec![
            format!("`{f}(n)`"),
            int(wasm[0]),
            int(wasm[1]),
            format!("{wasm_per:.1}"),
        ];
        match &native_counts {
            Ok(counts) => {
                let [c0, cn] = counts[i];
                let x86_per = (cn as f64 - c0 as f64) / n as f64;
                row.extend([
                    int(c0),
                    int(cn),
                    format!("{x86_per:.1}"),
                    format!("{:.2}", wasm_per / x86_per),
                ]);
            }
            Err(_) => row.extend([
                "not measured".into(),
                String::new(),
                String::new(),
                String::new(),
            ]),
        }
        t.row(row);
    }
    let mut out = String::from("## 3. Compute: interpreter cost per loop iteration\n\n");
    out.push_str(&t.render());
    match (&native, &native_counts) {
        (Ok(py), Ok(_)) => out.push_str(&format!(
            "\nUnits differ: the replica column counts wasm instructions (wasmtime fuel) of CPython 3.11 compiled to \
             wasm32-wasip1 inside the canister; the CPython columns count x86-64 instructions of the host's native \
             CPython {} ({}) under `valgrind --tool=callgrind`, whole process. Per iteration = (count(n) − count(0)) / n, \
             so interpreter start-up and call overhead cancel. The last column is a ratio of different units: \
             it says how much more work the wasm build does per iteration, not a time.\n",
            py.version,
            py.exe.display()
        )),
        (Err(e), _) | (_, Err(e)) => out.push_str(&format!("\nNative CPython was not measured: {e}\n")),
    }
    Ok(out)
}
