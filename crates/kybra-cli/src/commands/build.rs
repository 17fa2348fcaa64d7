//! `kybra build [NAME]` and `kybra compile NAME MAIN [DID]`: a project's canisters → modules.
//!
//! Promises: for a Python canister writes `.kybra/NAME/NAME.wasm`, `NAME.wasm.gz`,
//! `NAME.did`, the Candid file(s) the project names, and an executable, harmless
//! `post_install.sh`; prints progress with timings and sizes; compile errors are printed
//! exactly as the compiler reports them (`path:line:col: message`), and the command fails.
//! Canisters of the other kinds are built by [`prebuilt`] into the same three files.
//! `kybra build` builds a canister's dependencies too, and sets `CANISTER_ID_<NAME>` for
//! the project's canisters that already have an id on the local network, as `dfx build`
//! does (`kybra deploy` sets them for all).
//!
//! A project's Candid file is written only when it is missing or was generated (its first
//! line is [`GENERATED_MARKER`]...). Any other existing file is hand-written: it is left
//! alone, and the build fails unless the generated interface serves every client of it
//! (`kybra_compiler::did_mismatches`), listing each mismatch as `file:line: path: what`.
//!
//! Installed packages come from the Python environment [`crate::python_env::discover`]
//! picks (printed once per command); the build prints one line per package the canister
//! carries (modules and bytes), all of its modules and data files with `--verbose`, and
//! writes the same report as JSON to `.kybra/NAME/packages.json`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};

use super::{human_size, shown};
use crate::local::write_atomic;
use crate::project::{output_dir, CanisterKind, CanisterSpec, Project};
use crate::python_env::{self, PythonEnv};
use kybra_compiler::packages::{Compiled, PackageReport};

pub mod prebuilt;

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// `--verbose`: list every module and data file of each package a canister carries.
pub fn set_verbose(verbose: bool) {
    VERBOSE.store(verbose, Ordering::Relaxed);
}

/// The Python environment of the project at `root`, discovered (and printed) once per
/// command.
fn environment(root: &Path) -> Result<Option<PythonEnv>> {
    static FOUND: Mutex<Option<(PathBuf, Option<PythonEnv>)>> = Mutex::new(None);
    let mut found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((at, env)) = found.as_ref() {
        if at == root {
            return Ok(env.clone());
        }
    }
    let env = python_env::discover(root)?;
    match &env {
        Some(env) => println!("{}", env.describe()),
        None => println!(
            "Python environment: none found (no KYBRA_PYTHON, VIRTUAL_ENV, .venv or python3 on PATH): \
             canisters can import the project's modules and the standard library only"
        ),
    }
    *found = Some((root.to_path_buf(), env.clone()));
    Ok(env)
}

/// The files one build produced.
#[derive(Debug, Clone)]
pub struct Built {
    pub name: String,
    pub wasm: PathBuf,
    pub wasm_gz: PathBuf,
    /// The Candid interface, when the canister has one.
    pub did: Option<PathBuf>,
}

/// What `post_install.sh` contains: Kybra runs `init` directly in the canister, so there
/// is nothing left to do after install (the original Kybra needed a deployer step here).
pub const POST_INSTALL_SH: &str = "#!/bin/sh\n# Written by `kybra build`. Kybra runs init/post_upgrade inside the canister itself,\n# so nothing remains to do after install; dfx.json may name this script safely.\nexit 0\n";

/// `kybra build [NAME]`.
pub fn run(name: Option<&str>) -> Result<()> {
    let project = Project::discover(&super::cwd()?)?;
    // As `dfx build`: the ids of the project's canisters already created on the (local)
    // network are the build's `CANISTER_ID_<NAME>` variables.
    let ids = crate::local::CanisterIds::load(&project.root)?;
    let network = crate::network::resolve(None, &project.root);
    super::deploy::export_canister_ids(&project, &ids, &network.name);
    let canisters = project.with_dependencies(name)?;
    refuse_unsupported(&project, &canisters)?;
    for canister in canisters {
        build_spec(&project, canister, &network.name)?;
    }
    Ok(())
}

/// Fails, naming each, when `canisters` include one Kybra cannot build (motoko, pull).
pub fn refuse_unsupported(project: &Project, canisters: &[&CanisterSpec]) -> Result<()> {
    let lines: Vec<String> = canisters
        .iter()
        .filter_map(|c| match &c.kind {
            CanisterKind::Unsupported { reason, .. } => {
                Some(format!("  canister `{}`: {reason}", c.name))
            }
            _ => None,
        })
        .collect();
    if !lines.is_empty() {
        bail!(
            "{}/dfx.json has canisters Kybra cannot build, so nothing was done:\n{}",
            project.root.display(),
            lines.join("\n")
        );
    }
    Ok(())
}

/// `kybra compile NAME MAIN [DID]` (what `python -m kybra NAME MAIN DID` runs): builds in
/// the current directory, as dfx runs build commands from the project root.
pub fn run_compile(name: &str, main: &Path, did: Option<&Path>) -> Result<()> {
    let root = super::cwd()?;
    let candid: Vec<PathBuf> = did.into_iter().map(Path::to_path_buf).collect();
    build_canister(&root, name, main, &candid).map(|_| ())
}

/// Builds one canister declared in the project, for `network` (dfx.json's `metadata` may
/// name the networks it is for).
pub fn build_spec(project: &Project, canister: &CanisterSpec, network: &str) -> Result<Built> {
    match &canister.kind {
        CanisterKind::Python(source) => build_canister(
            &project.root,
            &source.output_name,
            &source.main,
            &source.candid,
        ),
        _ => prebuilt::build(project, canister, network),
    }
}

/// Builds `main` (relative to `root`) into `.kybra/NAME/`, and writes the Candid to each
/// of `candid` (relative to `root`).
pub fn build_canister(root: &Path, name: &str, main: &Path, candid: &[PathBuf]) -> Result<Built> {
    println!("Building canister {name}...");
    let main_path = root.join(main);
    if !main_path.is_file() {
        return Err(anyhow!(
            "the entry module {} of canister {name} does not exist: create it or fix the path in dfx.json",
            main_path.display()
        ));
    }
    let env = match environment(root)? {
        Some(env) => kybra_compiler::packages::Environment {
            bytecode: python_env::bytecode_python(&env),
            site: env.site,
        },
        None => kybra_compiler::packages::Environment::default(),
    };
    let started = Instant::now();
    let assets = kybra_compiler::Assets {
        template: crate::assets::TEMPLATE,
        stdlib_index: crate::assets::STDLIB_INDEX,
        stdlib_code: crate::assets::STDLIB_CODE,
    };
    let canister = kybra_compiler::build_in(&main_path, root, &env, &assets).map_err(|error| {
        let text = error.to_string();
        anyhow!("canister {name} did not build:\n{}", text.trim_end())
    })?;
    let compiled = started.elapsed();
    println!(
        "  compiled {} ({} methods, {} modules) in {:.2}s",
        main.display(),
        canister.methods,
        canister.modules,
        compiled.as_secs_f64()
    );
    print_packages(&canister.packages, &canister.compiled);

    // Hand-written Candid files are checked before anything is written.
    let mut handwritten = Vec::new();
    for path in candid {
        if let Some(existing) = read_handwritten(&root.join(path))? {
            check_handwritten(path, &existing, &canister.did)?;
            handwritten.push(path.display().to_string());
        }
    }

    let dir = output_dir(root, name);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let built = Built {
        name: name.to_string(),
        wasm: dir.join(format!("{name}.wasm")),
        wasm_gz: dir.join(format!("{name}.wasm.gz")),
        did: Some(dir.join(format!("{name}.did"))),
    };
    let did_path = dir.join(format!("{name}.did"));
    write(&built.wasm, &canister.wasm)?;
    write(&built.wasm_gz, &canister.wasm_gz)?;
    write(&did_path, canister.did.as_bytes())?;
    for path in candid
        .iter()
        .filter(|p| !handwritten.contains(&p.display().to_string()))
    {
        write(
            &root.join(path),
            generated_candid(main, &canister.did).as_bytes(),
        )?;
    }
    write_post_install(&dir.join("post_install.sh"))?;
    let report = serde_json::to_string_pretty(&canister.packages)? + "\n";
    write(&dir.join("packages.json"), report.as_bytes())?;
    let mut outputs = vec![
        format!(
            "{} ({})",
            shown(&built.wasm, root),
            human_size(canister.wasm.len())
        ),
        format!(
            "{} ({})",
            shown(&built.wasm_gz, root),
            human_size(canister.wasm_gz.len())
        ),
        shown(&did_path, root),
    ];
    outputs.extend(
        candid
            .iter()
            .map(|p| p.display().to_string())
            .filter(|p| !handwritten.contains(p)),
    );
    println!("  wrote {}", outputs.join(", "));
    for path in &handwritten {
        println!("  checked {path} (hand-written): the Python serves it");
    }
    println!("  built {name} in {:.2}s", started.elapsed().as_secs_f64());
    Ok(built)
}

/// One line per package the canister carries (with `--verbose`, its modules and files),
/// then where their modules were compiled.
fn print_packages(packages: &[PackageReport], compiled: &Compiled) {
    let verbose = VERBOSE.load(Ordering::Relaxed);
    for p in packages {
        let version = if p.version.is_empty() {
            String::new()
        } else {
            format!(" {}", p.version)
        };
        let mut line = format!(
            "  package {}{version}: {} modules ({})",
            p.name,
            p.modules.len(),
            human_size(p.code_bytes)
        );
        if !p.data_files.is_empty() {
            line.push_str(&format!(
                ", {} data files ({})",
                p.data_files.len(),
                human_size(p.data_bytes)
            ));
        }
        println!("{line}");
        if verbose {
            println!("    modules: {}", p.modules.join(", "));
            if !p.data_files.is_empty() {
                println!("    data files: {}", folders(&p.data_files).join(", "));
            }
            if !p.unresolved.is_empty() {
                println!(
                    "    imported at import time but not installed (an import that runs raises ModuleNotFoundError): {}",
                    p.unresolved.join(", ")
                );
            }
        }
    }
    match compiled {
        Compiled::Nothing => {}
        Compiled::AtBuild(python) => println!(
            "  package modules compiled to bytecode by {}",
            python.display()
        ),
        Compiled::InCanister(why) => println!(
            "  package modules ship as source, compiled by the canister when it imports them (at install: more instructions) — {why}; \
             install Python 3.11 (`python3.11` on PATH) to compile them at build time"
        ),
    }
}

/// Data files listed by folder: `certifi/cacert.pem`, `tzdata/zoneinfo/Europe/ (64 files)`
/// (`packages.json` lists every file).
fn folders(files: &[String]) -> Vec<String> {
    let mut by_folder: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for f in files {
        let folder = f.rsplit_once('/').map_or("", |(d, _)| d);
        by_folder.entry(folder).or_default().push(f);
    }
    by_folder
        .into_iter()
        .flat_map(|(folder, files)| match files.as_slice() {
            [one] => vec![one.to_string()],
            many => vec![format!("{folder}/ ({} files)", many.len())],
        })
        .collect()
}

pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn write_post_install(path: &Path) -> Result<()> {
    write(path, POST_INSTALL_SH.as_bytes())?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

/// The start of the first line of every Candid file `kybra build` writes for a project.
pub const GENERATED_MARKER: &str = "// Generated by kybra";

/// The text written to a project's Candid file.
pub fn generated_candid(main: &Path, did: &str) -> String {
    format!(
        "{GENERATED_MARKER} from {} — edit the Python, not this file.\n{did}",
        main.display()
    )
}

/// The text of the Candid file at `full` if it is hand-written (exists and does not start
/// with [`GENERATED_MARKER`]).
fn read_handwritten(full: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(full) {
        Ok(existing) if !existing.starts_with(GENERATED_MARKER) => Ok(Some(existing)),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow!(
            "cannot read {}: {e} — make it readable, or delete it to have it generated",
            full.display()
        )),
    }
}

/// Fails, listing every mismatch, unless `generated` serves every client of `existing`.
fn check_handwritten(path: &Path, existing: &str, generated: &str) -> Result<()> {
    let Err(mismatches) = kybra_compiler::did_mismatches(generated, existing) else {
        return Ok(());
    };
    let lines: Vec<String> = mismatches
        .iter()
        .map(|m| {
            let at = match m.line {
                Some(line) => format!("{}:{line}", path.display()),
                None => path.display().to_string(),
            };
            let what = if m.path.is_empty() {
                m.message.clone()
            } else {
                format!("{}: {}", m.path, m.message)
            };
            format!("{at}: {what}")
        })
        .collect();
    Err(anyhow!(
        "the Python does not match the hand-written {} (\"old\" is that file, \"new\" what the Python declares):\n{}\n\
         — change the Python to match it, or delete {} to have it generated (generated files start with `{GENERATED_MARKER}`)",
        path.display(),
        lines.join("\n"),
        path.display()
    ))
}
