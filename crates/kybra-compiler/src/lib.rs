//! The Kybra compiler: a Python canister project in, its Candid interface and canister
//! wasm out — natively, without cargo, a C compiler or Python (a host CPython 3.11, when
//! given, only compiles installed packages' modules to bytecode: [`packages::bytecode`]).
//!
//! Pipeline (one module per stage): [`project`] parses `main.py` and follows its imports,
//! [`names`] + [`types`] + [`typedefs`] + [`analyse`] find the methods and their Candid types, [`did`]
//! emits the `.did`, [`wasm`] assembles the module from the runtime template and
//! [`validate`] checks it against the IC's install-time rules.
//!
//! Promises: [`build`] either returns a complete [`Canister`] or a [`BuildError`] that
//! lists every problem of the user's code as `path:line:col: message — what to do`.

pub mod analyse;
pub mod decorators;
pub mod diagnostic;
pub mod did;
pub mod embedded;
pub mod ic_rules;
pub mod imports;
pub mod names;
pub mod packages;
pub mod project;
pub mod search;
pub mod stable_file_system;
pub mod stable_structures;
pub mod stdlib;
pub mod typedefs;
pub mod types;
pub mod validate;
pub mod wasm;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;
use kybra_interface::{ModuleCode, Payload, PyModule, SiteFile};
use serde_bytes::ByteBuf;

pub use diagnostic::{BuildError, Diagnostic};
pub use did::{check_did, did_mismatches, DidMismatch};

/// The build-time assets (see docs/architecture.md, "Build-time assets").
#[derive(Clone, Copy)]
pub struct Assets<'a> {
    /// `template.wasm`: the runtime module.
    pub template: &'a [u8],
    /// `stdlib.json`: the index of bundled modules.
    pub stdlib_index: &'a [u8],
    /// `stdlib.bin`: their code objects.
    pub stdlib_code: &'a [u8],
}

/// Time spent in each stage of [`build`].
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// Reading, parsing and analysing the Python project.
    pub analyse: Duration,
    /// Generating and re-checking the `.did`.
    pub candid: Duration,
    /// Assembling the wasm module.
    pub wasm: Duration,
    /// Checking it against the IC's install-time rules ([`validate::check`]).
    pub validate: Duration,
    /// Compressing it.
    pub gzip: Duration,
}

/// A built canister.
#[derive(Clone, Debug)]
pub struct Canister {
    /// The Candid interface (also embedded as `icp:public candid:service`).
    pub did: String,
    pub wasm: Vec<u8>,
    pub wasm_gz: Vec<u8>,
    /// Number of public methods.
    pub methods: usize,
    /// Number of Python modules in the payload (user + bundled).
    pub modules: usize,
    /// Of which user modules.
    pub user_modules: usize,
    /// Size of the encoded payload in bytes.
    pub payload_bytes: usize,
    /// What the canister carries of each installed package it imports.
    pub packages: Vec<packages::PackageReport>,
    /// Where the package modules it carries were compiled.
    pub compiled: packages::Compiled,
    /// The module as the IC's validation sees it (functions, code section, ...).
    pub facts: validate::ModuleFacts,
    pub timings: Timings,
}

/// The custom section `icp:public cdk` of every canister this compiler builds.
pub fn cdk_metadata() -> String {
    format!("kybra {}", env!("CARGO_PKG_VERSION"))
}

/// Compiles the project whose entry is `main_py`; file names in diagnostics and
/// tracebacks are relative to `project_root`. No installed packages are importable; the
/// canister's `os.environ` gets this process's `CANISTER_ID_<NAME>` and `DFX_NETWORK`
/// variables (as dfx's build commands see them).
pub fn build(main_py: &Path, project_root: &Path, assets: &Assets) -> Result<Canister, BuildError> {
    build_in(
        main_py,
        project_root,
        &packages::Environment::default(),
        assets,
    )
}

/// [`build`] with the installed packages of `env`: those the project imports are carried
/// (see [`packages`]).
pub fn build_in(
    main_py: &Path,
    project_root: &Path,
    env: &packages::Environment,
    assets: &Assets,
) -> Result<Canister, BuildError> {
    build_with(main_py, project_root, env, build_env(), assets)
}

/// [`build`] with the canister's build-time variables given, not read from the process.
pub fn build_with_env(
    main_py: &Path,
    project_root: &Path,
    assets: &Assets,
    vars: Vec<(String, String)>,
) -> Result<Canister, BuildError> {
    let none = packages::Environment::default();
    build_with(main_py, project_root, &none, vars, assets)
}

fn build_with(
    main_py: &Path,
    project_root: &Path,
    env: &packages::Environment,
    mut vars: Vec<(String, String)>,
    assets: &Assets,
) -> Result<Canister, BuildError> {
    vars.sort();
    let started = Instant::now();
    let stdlib = stdlib::Stdlib::parse(assets.stdlib_index, assets.stdlib_code)?;
    let mut analysed = analyse(main_py, project_root, env, &stdlib)?;
    analysed.payload.env = vars;
    let took = started.elapsed();
    let mut canister = package(&analysed.payload, analysed.user_modules, assets)?;
    canister.timings.analyse = took;
    canister.packages = analysed.packages;
    canister.compiled = analysed.compiled;
    Ok(canister)
}

/// Turns an analysed payload into a canister: emits the `.did`, assembles the module from
/// the template and validates it. [`build`] uses it after analysis; tests use it directly
/// to run payloads (any Candid types, any Python source) that no annotation produced.
pub fn package(
    payload: &Payload,
    user_modules: usize,
    assets: &Assets,
) -> Result<Canister, BuildError> {
    let started = Instant::now();
    let did = did::emit(payload)?;
    let candid_done = Instant::now();

    let encoded = payload.encode();
    let module = wasm::assemble(assets.template, &encoded, payload, &did, &cdk_metadata())?;
    let (wasm, wasm_gz) = (module.wasm, module.wasm_gz);
    let wasm_done = Instant::now();

    let facts = validate::check_trusting(&wasm, &did, &validate::IC_LIMITS, module.trusted)?;

    Ok(Canister {
        did,
        methods: payload.methods.len(),
        modules: payload.modules.len(),
        user_modules,
        payload_bytes: encoded.len(),
        packages: Vec::new(),
        compiled: packages::Compiled::Nothing,
        facts,
        wasm,
        wasm_gz,
        timings: Timings {
            analyse: Duration::ZERO,
            candid: candid_done - started,
            wasm: module.assembled_in,
            validate: wasm_done.elapsed(),
            gzip: module.gzipped_in,
        },
    })
}

/// Parses and analyses the project into the payload the runtime will receive, and the
/// number of user modules in it (they come first, then the `kybra` library modules read
/// as source, then the bundled ones). No installed packages are importable.
pub fn analyse_project(
    main_py: &Path,
    project_root: &Path,
    stdlib: &stdlib::Stdlib,
) -> Result<(Payload, usize), BuildError> {
    let env = packages::Environment::default();
    analyse(main_py, project_root, &env, stdlib).map(|a| (a.payload, a.user_modules))
}

/// What [`analyse`] found.
pub struct Analysed {
    pub payload: Payload,
    /// User modules in the payload (they come first).
    pub user_modules: usize,
    /// What the payload carries of each installed package.
    pub packages: Vec<packages::PackageReport>,
    /// Where its package modules were compiled.
    pub compiled: packages::Compiled,
}

/// [`analyse_project`] with the installed packages of `env`.
pub fn analyse(
    main_py: &Path,
    project_root: &Path,
    env: &packages::Environment,
    stdlib: &stdlib::Stdlib,
) -> Result<Analysed, BuildError> {
    let (project, mut diags) = project::load(main_py, project_root, &env.site, stdlib)?;
    let names = names::Names::new(&project);
    let cx = typedefs::TypeCx::new(&project, &names);
    let (methods, hooks, more) = analyse::entry_points(&project, &cx);
    diags.extend(more);
    let file_system = stable_file_system::find(&project, &cx, &mut diags);
    let stable_structures =
        stable_structures::find(&project, &cx, file_system.is_some(), &mut diags);
    cx.define_services();
    let (types, more) = cx.finish();
    diags.extend(more);
    if !diags.is_empty() {
        diags.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        diags.dedup();
        return Err(BuildError::Diagnostics(diags));
    }
    let entry = project.modules[0].name.clone();
    let mut modules: Vec<PyModule> = project
        .modules
        .iter()
        .filter(|m| m.site.is_none())
        .map(|m| PyModule {
            name: m.name.clone(),
            is_package: m.is_package,
            code: ModuleCode::Source {
                filename: m.filename.clone(),
                text: m.source.text.clone(),
            },
        })
        .collect();
    let user = project.modules.iter().filter(|m| m.is_user()).count();
    // Frozen modules are left out: the runtime always uses the interpreter's own copy.
    let deferred = project.deferred.iter().map(String::as_str);
    for b in stdlib.closure_with(project.bundled.iter().map(String::as_str), deferred) {
        if !b.frozen && project.module(&b.name).is_none() {
            modules.push(PyModule {
                name: b.name,
                is_package: b.is_package,
                code: ModuleCode::Bytecode(ByteBuf::from(b.code.to_vec())),
            });
        }
    }
    let (site_packages, compiled) = site_files(&project.site.files, env.bytecode.as_ref())?;
    Ok(Analysed {
        payload: Payload {
            modules,
            entry,
            methods,
            types,
            hooks,
            stable_structures,
            env: build_env(),
            site_packages,
            file_system,
        },
        user_modules: user,
        packages: project.site.report,
        compiled,
    })
}

/// The payload's package files: each shipped file, and the bytecode `host` compiled of
/// each module (beside its source, where CPython's path finder looks first).
fn site_files(
    files: &[(String, PathBuf)],
    host: Option<&packages::HostPython>,
) -> Result<(Vec<SiteFile>, packages::Compiled), BuildError> {
    let mut out = Vec::with_capacity(files.len());
    for (path, host_path) in files {
        let data = std::fs::read(host_path).map_err(|source| BuildError::Entry {
            path: host_path.clone(),
            source,
        })?;
        out.push(SiteFile {
            path: path.clone(),
            data: ByteBuf::from(data),
        });
    }
    let sources: Vec<(String, PathBuf)> = files
        .iter()
        .filter(|(path, _)| path.ends_with(".py"))
        .map(|(path, host_path)| {
            let filename = format!("{}/{path}", kybra_interface::SITE_PACKAGES);
            (filename, host_path.clone())
        })
        .collect();
    if sources.is_empty() {
        return Ok((out, packages::Compiled::Nothing));
    }
    let Some(host) = host else {
        let why = "no host CPython 3.11 was found to compile them at build time".to_string();
        return Ok((out, packages::Compiled::InCanister(why)));
    };
    let pycs = match host.compile(&sources) {
        Ok(pycs) => pycs,
        Err(e) => return Ok((out, packages::Compiled::InCanister(e.to_string()))),
    };
    let rels = files.iter().map(|(p, _)| p).filter(|p| p.ends_with(".py"));
    for (rel, pyc) in rels.zip(pycs) {
        if let (Some(pyc), Some(path)) = (pyc, packages::bytecode::pyc_path(rel)) {
            out.push(SiteFile {
                path,
                data: ByteBuf::from(pyc),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((out, packages::Compiled::AtBuild(host.python.clone())))
}

/// The build's environment variables that canisters may read at run time (`os.environ`):
/// dfx's `CANISTER_ID_<NAME>` for the project's canisters and `DFX_NETWORK`, sorted.
pub fn build_env() -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("CANISTER_ID_") || k == "DFX_NETWORK")
        .collect();
    env.sort();
    env
}

/// `bytes` gzip-compressed at `level` (0-9).
pub fn gzip(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 3), Compression::new(level));
    enc.write_all(bytes).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

/// gzip level for `.wasm.gz`. Measured on the book's hello world (11.2 MB module, flate2
/// with the zlib-rs backend, `tests/real_template.rs::gzip_levels`): level 6 gives 4.12 MB
/// in 0.24 s, level 9 3.97 MB in 0.79 s (miniz_oxide: 4.00 MB in 1.33 s). Size wins; the
/// template's part is compressed once, when it is prepared (`wasm::prepare`).
pub use wasm::GZIP_LEVEL;
