//! Building the canisters Kybra does not compile itself, as dfx builds them: `custom` (run
//! the `build` commands, read the `wasm`), `rust` (`cargo build --target
//! wasm32-unknown-unknown --release -p PACKAGE`) and `assets` (run the `build` commands; the
//! module is the asset canister the `kybra` binary carries).
//!
//! Promises: build commands run one after another from the project root, split into words
//! and run without a shell (as dfx does), with `CANISTER_ID`, `CANISTER_CANDID_PATH`,
//! `CANISTER_ID_<NAME>` and `DFX_NETWORK` set; a failing command stops the build naming the
//! command and its exit status. The module gets the `candid:service` metadata from the
//! canister's `candid` file (public, as dfx adds it) and dfx.json's `metadata` entries for
//! this network; the result is written as `.kybra/NAME/NAME.wasm`, `NAME.wasm.gz` and, when
//! there is an interface, `NAME.did`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};

use super::{write, Built};
use crate::commands::{human_size, shown};
use crate::module;
use crate::project::{split_words, CanisterKind, CanisterSpec, Metadata, MetadataContent, Project};

/// The wasm target of `rust` canisters.
const RUST_TARGET: &str = "wasm32-unknown-unknown";

/// Builds a `custom`, `rust` or `assets` canister.
pub fn build(project: &Project, canister: &CanisterSpec, network: &str) -> Result<Built> {
    let root = &project.root;
    let started = Instant::now();
    println!(
        "Building canister {} ({})...",
        canister.name,
        canister.kind_name()
    );
    let (wasm, candid, metadata): (Vec<u8>, Option<String>, &[Metadata]) = match &canister.kind {
        CanisterKind::Custom(custom) => {
            run_commands(root, canister, custom.candid.as_deref(), &custom.build)?;
            let path = root.join(&custom.wasm);
            let bytes = std::fs::read(&path).with_context(|| {
                format!(
                    "canister {}: cannot read its module {} (dfx.json's \"wasm\"){}",
                    canister.name,
                    path.display(),
                    if custom.build.is_empty() {
                        ": put the module there"
                    } else {
                        ": did its \"build\" commands write it there?"
                    }
                )
            })?;
            let candid = custom
                .candid
                .as_deref()
                .map(|p| read_candid(root, canister, p))
                .transpose()?;
            (bytes, candid, &custom.metadata)
        }
        CanisterKind::Rust(rust) => {
            let path = cargo_build(root, canister, &rust.package)?;
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let candid = read_candid(root, canister, &rust.candid)?;
            (bytes, Some(candid), &rust.metadata)
        }
        CanisterKind::Assets(assets) => {
            run_commands(root, canister, None, &assets.build)?;
            for dir in &assets.source {
                if !root.join(dir).is_dir() {
                    bail!(
                        "canister {}: its source folder {} does not exist{}: create it or fix \"source\" in dfx.json",
                        canister.name,
                        root.join(dir).display(),
                        if assets.build.is_empty() { "" } else { " after its \"build\" commands" }
                    );
                }
            }
            (
                crate::assets::ASSET_CANISTER.to_vec(),
                Some(crate::assets::ASSET_CANISTER_DID.to_string()),
                &[],
            )
        }
        CanisterKind::Python(_) | CanisterKind::Unsupported { .. } => {
            unreachable!("build_spec builds Python canisters; refuse_unsupported stops the rest")
        }
    };
    let raw = module::raw(&wasm)
        .map_err(|e| anyhow!("canister {}: its module is unusable: {e}", canister.name))?;
    let mut entries = Vec::new();
    if let Some(candid) = &candid {
        entries.push((
            "candid:service".to_string(),
            true,
            candid.clone().into_bytes(),
        ));
    }
    for m in metadata.iter().filter(|m| {
        m.networks
            .as_ref()
            .is_none_or(|n| n.iter().any(|n| n == network))
    }) {
        let content = match &m.content {
            MetadataContent::Text(text) => text.clone().into_bytes(),
            MetadataContent::File(path) => std::fs::read(root.join(path)).with_context(|| {
                format!(
                    "canister {}: cannot read {} (metadata `{}`)",
                    canister.name,
                    root.join(path).display(),
                    m.name
                )
            })?,
        };
        entries.retain(|(name, _, _)| *name != m.name);
        entries.push((m.name.clone(), m.public, content));
    }
    let raw = module::with_metadata(&raw, &entries)
        .map_err(|e| anyhow!("canister {}: {e}", canister.name))?;
    let dir = project.output_dir(canister);
    let name = canister.output_name();
    let built = Built {
        name: name.to_string(),
        wasm: dir.join(format!("{name}.wasm")),
        wasm_gz: dir.join(format!("{name}.wasm.gz")),
        did: candid.as_ref().map(|_| dir.join(format!("{name}.did"))),
    };
    let gz = kybra_compiler::gzip(&raw, 9);
    write(&built.wasm, &raw)?;
    write(&built.wasm_gz, &gz)?;
    if let (Some(path), Some(text)) = (&built.did, &candid) {
        write(path, text.as_bytes())?;
    }
    println!(
        "  wrote {} ({}), {} ({}){} in {:.2}s",
        shown(&built.wasm, root),
        human_size(raw.len()),
        shown(&built.wasm_gz, root),
        human_size(gz.len()),
        built
            .did
            .as_ref()
            .map(|d| format!(", {}", shown(d, root)))
            .unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    Ok(built)
}

fn read_candid(root: &Path, canister: &CanisterSpec, path: &Path) -> Result<String> {
    let full = root.join(path);
    let text = std::fs::read_to_string(&full).with_context(|| {
        format!(
            "canister {}: cannot read its Candid interface {} (dfx.json's \"candid\")",
            canister.name,
            full.display()
        )
    })?;
    candid_parser::utils::CandidSource::Text(&text)
        .load()
        .map_err(|e| anyhow!("{}: not a valid Candid interface: {e}", full.display()))?;
    Ok(text)
}

/// Runs dfx.json's `build` commands of `canister`, as dfx runs them.
fn run_commands(
    root: &Path,
    canister: &CanisterSpec,
    candid: Option<&Path>,
    commands: &[String],
) -> Result<()> {
    for command in commands {
        let words = split_words(command);
        let Some((program, args)) = words.split_first() else {
            continue;
        };
        println!("  running `{command}`");
        let mut process = Command::new(program);
        process.args(args).current_dir(root);
        set_canister_env(&mut process, root, canister, candid);
        let status = process.status().with_context(|| {
            format!(
                "canister {}: cannot run its build command `{command}` (is `{program}` installed and on PATH?)",
                canister.name
            )
        })?;
        if !status.success() {
            bail!(
                "canister {}: its build command `{command}` failed ({status})",
                canister.name
            );
        }
    }
    Ok(())
}

/// dfx's per-canister variables for build commands (the project's `CANISTER_ID_<NAME>` and
/// `DFX_NETWORK` are already in the environment: `deploy::export_canister_ids`).
fn set_canister_env(
    process: &mut Command,
    root: &Path,
    canister: &CanisterSpec,
    candid: Option<&Path>,
) {
    let own = format!(
        "CANISTER_ID_{}",
        crate::commands::deploy::env_name(&canister.name)
    );
    if let Ok(id) = std::env::var(own) {
        process.env("CANISTER_ID", id);
    }
    if let Some(candid) = candid {
        process.env("CANISTER_CANDID_PATH", root.join(candid));
    }
}

/// `cargo build --target wasm32-unknown-unknown --release -p PACKAGE` in the project root;
/// the path of the module it wrote.
fn cargo_build(root: &Path, canister: &CanisterSpec, package: &str) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let command = format!("cargo build --target {RUST_TARGET} --release -p {package}");
    println!("  running `{command}`");
    let mut process = Command::new(&cargo);
    process
        .args(["build", "--target", RUST_TARGET, "--release", "-p", package])
        .current_dir(root);
    set_canister_env(&mut process, root, canister, None);
    let status = process.status().with_context(|| {
        format!(
            "canister {}: cannot run cargo: install Rust (https://rustup.rs) and `rustup target add {RUST_TARGET}`",
            canister.name
        )
    })?;
    if !status.success() {
        bail!(
            "canister {}: `{command}` failed ({status}); if the target is missing: `rustup target add {RUST_TARGET}`",
            canister.name
        );
    }
    let target = cargo_target_dir(root, &cargo)?;
    let path = target
        .join(RUST_TARGET)
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")));
    if !path.is_file() {
        bail!(
            "canister {}: cargo built package `{package}` but wrote no {} (is it a `cdylib`?)",
            canister.name,
            shown(&path, root)
        );
    }
    Ok(path)
}

/// Cargo's target directory for the workspace at `root` (`cargo metadata`).
fn cargo_target_dir(root: &Path, cargo: &str) -> Result<PathBuf> {
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()
        .context("cannot run `cargo metadata`")?;
    if !output.status.success() {
        bail!(
            "`cargo metadata` failed in {}: {}",
            root.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .context("`cargo metadata` printed something that is not JSON")?;
    json["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| anyhow!("`cargo metadata` gave no target_directory"))
}
