//! `kybra-bench`: prints Kybra's figures beside a baseline measured in the same run, one
//! markdown table per section — 1. build (time, module size), 2. instructions per call
//! of the hello world against Rust `ic-cdk`, 3. interpreter cost per loop iteration
//! against native CPython, 4. Candid decode + encode of 10,000 records against `ic-cdk`,
//! 5. queries/s, updates/s and latency over HTTP against `ic-cdk` on the same replica.
//! Run it through `bash benches/run.sh`; see `benches/README.md`.
//!
//! Promises: prints figures, asserts no timings; a section that cannot run prints what
//! failed and what to run first, the other sections still run, and the exit status is 1.

mod build_section;
mod callgrind;
mod canisters;
mod codec;
mod compute;
mod env;
mod instructions;
mod load;
mod packages;
mod payload;
mod replica;
mod rust_baseline;
mod stable;
mod table;
mod targets;
mod wasm_info;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

const USAGE: &str =
    "usage: kybra-bench [--only build|instructions|compute|codec|replica|stable|packages]... [--n N] [--secs S] [--no-cargo-edit]
  --only SECTION    run only these sections (repeatable; default: all seven)
  --n N             loop length of the compute section (default 100000)
  --secs S          seconds per measurement of the replica section (default 1.25; 30 of them)
  --no-cargo-edit   do not time cargo on a one-line change of the Rust baseline
Environment: KYBRA_ASSETS_DIR (runtime assets), KYBRA_BIN (the kybra CLI, default .venv/bin/kybra),
  KYBRA_BENCH_PYTHON (native CPython, default python3), CARGO_TARGET_DIR.";

/// Every section, in the order they run.
const SECTIONS: [&str; 7] = [
    "build",
    "instructions",
    "compute",
    "codec",
    "replica",
    "stable",
    "packages",
];

struct Options {
    sections: Vec<String>,
    n: u64,
    secs: f64,
    rust_edit: bool,
}

fn parse_args() -> Result<Options> {
    let mut o = Options {
        sections: Vec::new(),
        n: 100_000,
        secs: 1.25,
        rust_edit: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--only" => {
                let s = args.next().unwrap_or_default();
                if !SECTIONS.contains(&s.as_str()) {
                    bail!("--only takes build, instructions, compute, codec, replica, stable or packages, not {s:?}\n{USAGE}");
                }
                o.sections.push(s);
            }
            "--n" => {
                let v = args.next().unwrap_or_default();
                o.n = v
                    .replace(['_', ','], "")
                    .parse()
                    .map_err(|_| anyhow::anyhow!("--n takes a positive number, not {v:?}"))?;
            }
            "--secs" => {
                let v = args.next().unwrap_or_default();
                o.secs = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| {
                        anyhow::anyhow!("--secs takes a positive number of seconds, not {v:?}")
                    })?;
            }
            "--no-cargo-edit" => o.rust_edit = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    if o.sections.is_empty() {
        o.sections = SECTIONS.iter().map(|s| s.to_string()).collect();
    }
    Ok(o)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let options = parse_args()?;
    let started = Instant::now();
    let assets = env::AssetFiles::load()?;
    let want = |s: &str| options.sections.iter().any(|x| x == s);
    println!("# Kybra benchmark\n");
    println!("Assets: {}. Every figure below was measured in this run unless its label says otherwise.\n", assets.dir.display());

    let rust_wasm = rust_baseline::module()?;
    let mut targets = targets::Targets::default();
    let mut failed = Vec::new();
    let mut report = |name: &str, result: Result<String>| match result {
        Ok(md) => println!("{md}"),
        Err(e) => {
            println!("## {name}: FAILED\n\n```\n{e:#}\n```\n");
            failed.push(name.to_string());
        }
    };

    // The hello world module of section 1, when it runs.
    let mut hello = None;
    if want("build") {
        let opts = build_section::BuildOptions {
            rust_edit: options.rust_edit,
        };
        match build_section::run(&assets, &rust_wasm, &opts, &mut targets) {
            Ok((md, c)) => {
                hello = Some(c);
                report("1. Build", Ok(md));
            }
            Err(e) => report("1. Build", Err(e)),
        }
    }
    let bench = canisters::Bench::default();
    // Sections 2 and 5 share the hello world module: section 1's, else built once here.
    let mut hello_wasm = || -> Result<Vec<u8>> {
        if let Some(c) = &hello {
            return Ok(c.wasm.clone());
        }
        let example = env::repo_root().join("examples/hello_world");
        let c = kybra_compiler::build(&example.join("src/main.py"), &example, &assets.assets())
            .map_err(|e| anyhow::anyhow!("building examples/hello_world failed:\n{e}"))?;
        Ok(hello.insert(c).wasm.clone())
    };
    if want("instructions") {
        let result = hello_wasm().and_then(|wasm| instructions::run(&bench, &wasm, &rust_wasm));
        report("2. Instructions", result);
    }
    if want("compute") {
        report(
            "3. Compute",
            compute::run(&bench, &assets, &rust_wasm, options.n, &mut targets),
        );
    }
    if want("codec") {
        report("4. Codec", codec::run(&bench, &assets, &rust_wasm));
    }
    if want("replica") {
        let secs = Duration::from_secs_f64(options.secs);
        let result =
            hello_wasm().and_then(|wasm| replica::run(&wasm, &rust_wasm, secs, &mut targets));
        report("5. Replica", result);
    }
    if want("stable") {
        report("6. Stable", stable::run(&bench, &assets));
    }
    if want("packages") {
        report("7. Packages", packages::run_section(&bench, &assets));
    }
    println!("{}", targets.render());
    println!("Total wall time: {:.1} s", started.elapsed().as_secs_f64());
    if !failed.is_empty() {
        bail!("sections that failed: {} (see above)", failed.join(", "));
    }
    Ok(())
}
