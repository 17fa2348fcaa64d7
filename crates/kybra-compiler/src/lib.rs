//! The Kybra compiler: a Python canister project in, its Candid interface and canister
//! wasm out — natively, without cargo, a C compiler or Python.
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
pub mod project;
pub mod stable_maps;
pub mod stdlib;
pub mod typedefs;
pub mod types;
pub mod validate;
pub mod wasm;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;
use kybra_interface::{ModuleCode, Payload, PyModule};
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
    /// The module as the IC's validation sees it (functions, code section, ...).
    pub facts: validate::ModuleFacts,
    pub timings: Timings,
}

/// The custom section `icp:public cdk` of every canister this compiler builds.
pub fn cdk_metadata() -> String {
    format!("kybra {}", env!("CARGO_PKG_VERSION"))
}

/// Compiles the project whose entry is `main_py`; file names in diagnostics and
/// tracebacks are relative to `project_root`. The canister's `os.environ` gets this
/// process's `CANISTER_ID_<NAME>` and `DFX_NETWORK` variables (as dfx's build commands
/// see them); [`build_with_env`] takes them as an argument instead.
pub fn build(main_py: &Path, project_root: &Path, assets: &Assets) -> Result<Canister, BuildError> {
    build_with_env(main_py, project_root, assets, build_env())
}

/// [`build`] with the canister's build-time environment given, not read from the process.
pub fn build_with_env(
    main_py: &Path,
    project_root: &Path,
    assets: &Assets,
    mut env: Vec<(String, String)>,
) -> Result<Canister, BuildError> {
    env.sort();
    let started = Instant::now();
    let stdlib = stdlib::Stdlib::parse(assets.stdlib_index, assets.stdlib_code)?;
    let (mut payload, user_modules) = analyse_project(main_py, project_root, &stdlib)?;
    payload.env = env;
    let analysed = started.elapsed();
    let mut canister = package(&payload, user_modules, assets)?;
    canister.timings.analyse = analysed;
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
/// as source, then the bundled ones).
pub fn analyse_project(
    main_py: &Path,
    project_root: &Path,
    stdlib: &stdlib::Stdlib,
) -> Result<(Payload, usize), BuildError> {
    let (project, mut diags) = project::load(main_py, project_root, stdlib)?;
    let names = names::Names::new(&project);
    let cx = typedefs::TypeCx::new(&project, &names);
    let (methods, hooks, more) = analyse::entry_points(&project, &cx);
    diags.extend(more);
    let stable_maps = stable_maps::find(&project, &cx, &mut diags);
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
        .map(|m| PyModule {
            name: m.name.clone(),
            is_package: m.is_package,
            code: ModuleCode::Source {
                filename: m.filename.clone(),
                text: m.source.text.clone(),
            },
        })
        .collect();
    let user = project.modules.iter().filter(|m| !m.library).count();
    // Frozen modules are left out: the runtime always uses the interpreter's own copy.
    for b in stdlib.closure(project.bundled.iter().map(String::as_str)) {
        if !b.frozen && project.module(&b.name).is_none() {
            modules.push(PyModule {
                name: b.name,
                is_package: b.is_package,
                code: ModuleCode::Bytecode(ByteBuf::from(b.code.to_vec())),
            });
        }
    }
    Ok((
        Payload {
            modules,
            entry,
            methods,
            types,
            hooks,
            stable_maps,
            env: build_env(),
        },
        user,
    ))
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
