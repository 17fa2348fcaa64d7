//! Section 3, "Compute": the interpreter's cost per unit of work. Runs each function of
//! `benches/projects/compute` at its size and at size 0 in the replica (wasm instructions)
//! and in native CPython under callgrind (x86 instructions); count(size) − count(0) cancels
//! start-up and call overhead. Loops are reported per iteration, recursive functions per
//! call of the whole computation (`fib(20)`, `ackermann(3, 6)`).
//! Promises: units are labelled (wasm vs x86 instructions are different units); every
//! result of the canister equals what native CPython returns for the same call; each row
//! shows the figure this section printed when issue 17 started (quoted, not measured).
//! A second table gives the system API's instructions per call, the Python canister's
//! `system_api` against the Rust hello world's (`ic-cdk`), both measured in this run.

use anyhow::{bail, Result};

use crate::callgrind::NativePython;
use crate::canisters::Bench;
use crate::env::{self, AssetFiles};
use crate::table::{int, ratio, Table};
use crate::targets::Targets;

/// What a row's figure is divided by.
#[derive(Clone, Copy)]
enum Per {
    /// (count(size) − count(0)) / size.
    Iteration,
    /// count(size) − count(0): one whole computation.
    Call,
}

struct Workload {
    function: &'static str,
    label: &'static str,
    per: Per,
    /// The size for `--n N`.
    size: fn(u64) -> u64,
    /// wasm instructions per unit before issue 17 (benches/README.md), if measured then.
    start: Option<f64>,
}

const WORKLOADS: [Workload; 8] = [
    Workload {
        function: "sum_range",
        label: "`sum(range(n))`",
        per: Per::Iteration,
        size: |n| n,
        start: Some(588.5),
    },
    Workload {
        function: "for_loop",
        label: "`for` loop adding",
        per: Per::Iteration,
        size: |n| n,
        start: Some(1187.9),
    },
    Workload {
        function: "helper_calls",
        label: "loop calling two small helpers",
        per: Per::Iteration,
        size: |n| n / 10,
        start: Some(4083.9),
    },
    Workload {
        function: "fib",
        label: "recursive `fib(20)`",
        per: Per::Call,
        size: |_| 20,
        start: Some(31_230_218.0),
    },
    Workload {
        function: "ackermann",
        label: "`ackermann(3, 6)`",
        per: Per::Call,
        size: |_| 6,
        start: Some(286_833_600.0),
    },
    Workload {
        function: "strings",
        label: "f-strings, join, upper, split",
        per: Per::Iteration,
        size: |n| n / 10,
        start: Some(7528.3),
    },
    Workload {
        function: "lists",
        label: "list build, sort, filter, slice",
        per: Per::Iteration,
        size: |n| n / 10,
        start: Some(3870.3),
    },
    Workload {
        function: "dicts",
        label: "dict get/set, items",
        per: Per::Iteration,
        size: |n| n / 10,
        start: Some(3638.1),
    },
];

/// Runs the section with loops of `n` iterations; returns its markdown.
pub fn run(
    bench: &Bench,
    assets: &AssetFiles,
    rust_wasm: &[u8],
    n: u64,
    targets: &mut Targets,
) -> Result<String> {
    if n < 10 {
        bail!("--n must be at least 10");
    }
    let project = env::repo_root().join("benches/projects/compute");
    let main_py = project.join("src/main.py");
    let canister = kybra_compiler::build(&main_py, &project, &assets.assets())
        .map_err(|e| anyhow::anyhow!("building {} failed:\n{e}", main_py.display()))?;
    let (id, _) = bench.create_and_install("the compute canister", &canister.wasm)?;
    let native = NativePython::find()?;

    // Native runs in parallel (two cores); instruction counts do not depend on it.
    let native_counts: Vec<Result<[(u64, String); 2]>> = std::thread::scope(|s| {
        let handles: Vec<_> = WORKLOADS
            .iter()
            .map(|w| {
                let (main_py, native) = (&main_py, &native);
                s.spawn(move || -> Result<[(u64, String); 2]> {
                    Ok([
                        native.instructions(main_py, w.function, 0)?,
                        native.instructions(main_py, w.function, (w.size)(n))?,
                    ])
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("callgrind thread panicked"))
            .collect()
    });

    let mut t = Table::new(&[
        "work",
        "size",
        "wasm instr / unit",
        "at issue 17's start",
        "change",
        "x86 instr / unit (native)",
        "wasm / x86",
    ]);
    for (w, native) in WORKLOADS.iter().zip(native_counts) {
        let native = native?;
        let size = (w.size)(n);
        let mut wasm = [0u64; 2];
        for (j, arg) in [0, size].into_iter().enumerate() {
            let (reply, instr) = bench.query(id, w.function, &candid::encode_one(arg)?)?;
            let got: u64 = candid::decode_one(&reply)?;
            if got.to_string() != native[j].1 {
                bail!(
                    "{}({arg}) returned {got} in the canister, {} in native CPython",
                    w.function,
                    native[j].1
                );
            }
            wasm[j] = instr;
        }
        let unit = match w.per {
            Per::Iteration => size as f64,
            Per::Call => 1.0,
        };
        let wasm_per = (wasm[1] as f64 - wasm[0] as f64) / unit;
        let x86_per = (native[1].0 as f64 - native[0].0 as f64) / unit;
        let (start, change) = match w.start {
            Some(s) => (fmt(s), format!("{:+.0}%", (wasm_per / s - 1.0) * 100.0)),
            None => ("—".into(), "—".into()),
        };
        record_target(targets, w, wasm_per, x86_per);
        t.row(vec![
            format!(
                "{} ({})",
                w.label,
                match w.per {
                    Per::Iteration => "per iteration",
                    Per::Call => "whole call",
                }
            ),
            int(size),
            fmt(wasm_per),
            start,
            change,
            fmt(x86_per),
            format!("{:.2}", wasm_per / x86_per),
        ]);
    }
    let mut out = String::from("## 3. Compute: interpreter cost per unit of work\n\n");
    out.push_str(&t.render());
    out.push_str(&format!(
        "\nUnits differ: wasm instructions (wasmtime fuel) of the canister's CPython 3.11 for wasm32-wasip1 against \
         x86-64 instructions of the host's native CPython {} ({}) under `valgrind --tool=callgrind`, whole process; \
         a unit is (count(size) − count(0)) / size for loops and count(size) − count(0) for a whole recursive call, \
         so start-up and call overhead cancel. The last column is a ratio of different units: how much more work the \
         wasm build does, not a time. *At issue 17's start*: this section's figure before that issue's changes \
         (benches/README.md), quoted, not measured in this run.\n",
        native.version,
        native.exe.display()
    ));
    out.push_str(&system_api(bench, id, rust_wasm, targets)?);
    Ok(out)
}

/// Records workload `w`'s figure for the performance issue's target of the same name (the
/// ids of `targets::TARGETS` are the workloads' function names).
fn record_target(targets: &mut Targets, w: &Workload, wasm_per: f64, x86_per: f64) {
    let times_native = wasm_per / x86_per;
    let start = w.start.unwrap_or(f64::INFINITY);
    let (now, met) = match w.function {
        "fib" | "ackermann" | "helper_calls" => (
            format!(
                "{} ({:+.0}%)",
                fmt(wasm_per),
                (wasm_per / start - 1.0) * 100.0
            ),
            wasm_per <= 0.75 * start,
        ),
        "sum_range" | "for_loop" => (
            format!("{} ({times_native:.2}× native)", fmt(wasm_per)),
            times_native <= 2.0,
        ),
        _ => (
            format!(
                "{} ({:+.1}%)",
                fmt(wasm_per),
                (wasm_per / start - 1.0) * 100.0
            ),
            wasm_per <= start * 1.01,
        ),
    };
    targets.record(w.function, now, format!("native: {}", fmt(x86_per)), met);
}

/// The system APIs `system_api` measures, in its order, with their figure (Python) before
/// they were bound to the runtime's built-ins (quoted, not measured).
const SYSTEM_APIS: [(&str, &str, u64); 5] = [
    ("`ic.time()`", "`time()`", 5_455),
    ("`ic.caller()`", "`msg_caller()`", 14_510),
    ("`ic.id()`", "`canister_self()`", 14_840),
    (
        "`ic.canister_balance()`",
        "`canister_cycle_balance()`",
        5_471,
    ),
    (
        "`ic.performance_counter(0)`",
        "`performance_counter(0)`",
        5_684,
    ),
];

/// Calls of each API per measurement.
const SYSTEM_API_CALLS: u32 = 1000;

/// The system API table: instructions per call in the Python canister `python` and in the
/// Rust hello world.
fn system_api(
    bench: &Bench,
    python: candid::Principal,
    rust_wasm: &[u8],
    targets: &mut Targets,
) -> Result<String> {
    let (rust, _) = bench.create_and_install("the Rust hello world", rust_wasm)?;
    let arg = candid::encode_one(SYSTEM_API_CALLS)?;
    let per_call = |id, what: &str| -> Result<Vec<u64>> {
        let (reply, _) = bench.query(id, "system_api", &arg)?;
        let got: Vec<u64> = candid::decode_one(&reply)?;
        if got.len() != SYSTEM_APIS.len() {
            bail!("{what}'s system_api returned {got:?}, not one figure per API");
        }
        Ok(got)
    };
    let py = per_call(python, "the compute canister")?;
    let rs = per_call(rust, "the Rust hello world")?;
    let mut t = Table::new(&[
        "call",
        "Python (Kybra)",
        "before",
        "Rust (ic-cdk)",
        "Python / Rust",
    ]);
    for (id, i) in [("ic_time", 0), ("ic_caller", 1), ("ic_perf", 4)] {
        let rust = format!("Rust: {}", int(rs[i]));
        targets.record(id, int(py[i]), rust, py[i] <= 1_000);
    }
    for (i, (api, rust_api, before)) in SYSTEM_APIS.iter().enumerate() {
        t.row(vec![
            format!("{api} / {rust_api}"),
            int(py[i]),
            int(*before),
            int(rs[i]),
            ratio(py[i] as f64, rs[i] as f64),
        ]);
    }
    let mut out = String::from("\n### The system API: instructions per call\n\n");
    out.push_str(&t.render());
    out.push_str(&format!(
        "\nWasm instructions per call over {SYSTEM_API_CALLS} calls in a loop, less the empty loop, \
         measured with the performance counter inside each canister (`benches/projects/compute`'s \
         `system_api`, `tests/canisters/rust_hello`'s). *Before*: the Python figure while `ic.*` went \
         through a Python wrapper (quoted, not measured in this run).\n"
    ));
    Ok(out)
}

fn fmt(x: f64) -> String {
    if x >= 100_000.0 {
        int(x.round() as u64)
    } else {
        format!("{x:.1}")
    }
}
