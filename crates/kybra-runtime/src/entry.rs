//! The canister lifecycle exports of the template: `canister_init`,
//! `canister_post_upgrade` (both start the interpreter from the payload, import the
//! entry module, then run the canister's `@init` / `@post_upgrade` function) and
//! `canister_pre_upgrade` (runs `@pre_upgrade`; stable structures live in stable memory
//! already). `canister_heartbeat` / `canister_inspect_message` are in `crate::hooks`.
//!
//! Promise: when `canister_init` returns, every payload module is importable, the entry
//! module has been imported, every method's Python function has been looked up (so no
//! call, in particular no query, repeats that work) and `@init` has run; any failure
//! traps with the reason (the install fails and the canister stays as it was).

use kybra_interface::{ModuleCode, Payload};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::context::{self, Kind};
use crate::frozen::{self, FrozenModule};
use crate::{dispatch, files, hooks, ic_module, interpreter, payload, site_packages, traps};

extern "C" {
    /// The C/Rust static constructors (wasi-libc's clock emulation, CPython's, ...).
    /// Calling it explicitly makes wasm-ld stop wrapping *every* export with a
    /// constructor/destructor run ("command" exports): they must run once per instance.
    fn __wasm_call_ctors();
}

fn panic_hook(info: &std::panic::PanicHookInfo<'_>) {
    ic_cdk::trap(format!("kybra runtime panicked: {info}"));
}

/// Seeds the polyfill's random generator. Deterministic across replicas (time and
/// canister id are agreed on); not secret: `crate::randomness` reseeds from `raw_rand`.
fn seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&ic_cdk::api::time().to_le_bytes());
    let id = ic_cdk::api::canister_self();
    for (i, b) in id.as_slice().iter().enumerate().take(24) {
        seed[8 + i] = *b;
    }
    seed
}

fn start(kind: Kind) {
    // SAFETY: first thing the instance runs; nothing has been initialised yet.
    unsafe { __wasm_call_ctors() };
    // Module-level code runs in the install/upgrade message: the `ic` API sees it as such.
    context::enter(kind, None, false);
    std::panic::set_hook(Box::new(panic_hook));
    let mut payload = payload::read();
    files::init(&seed(), &[("PYTHONHASHSEED", "0")], payload.file_system);
    // Package files go into the file system now; the payload need not keep them.
    let site_files = site_packages::write(std::mem::take(&mut payload.site_packages));
    // wasi-libc read its environment in the constructors above: the build's variables
    // (`CANISTER_ID_<NAME>`, ...) go into the C environment, where `os.environ` finds them.
    for (key, value) in &payload.env {
        std::env::set_var(key, value);
    }
    // A canister has no system time-zone files: `zoneinfo` reads the `tzdata` package
    // (shipped when installed) instead of asking `sysconfig` for a TZPATH.
    std::env::set_var("PYTHONTZPATH", "");
    let Payload { modules, entry, .. } = &payload;

    // Bytecode modules are importable from the start (start-up imports `encodings`).
    let (bytecode, sources): (Vec<_>, Vec<_>) = modules
        .iter()
        .partition(|m| matches!(m.code, ModuleCode::Bytecode(_)));
    frozen::install(
        bytecode
            .iter()
            .map(|m| FrozenModule {
                name: m.name.clone(),
                code: match &m.code {
                    ModuleCode::Bytecode(b) => b.to_vec(),
                    ModuleCode::Source { .. } => unreachable!(),
                },
                is_package: m.is_package,
            })
            .collect(),
    );
    ic_module::register();
    interpreter::start();
    if site_files > 0 {
        site_packages::add_to_path();
    }

    Python::attach(|py| {
        let result = (|| -> PyResult<()> {
            // Source modules: compiled here, with their project-relative file names so
            // tracebacks point at the user's files.
            if !sources.is_empty() {
                let builtins = py.import("builtins")?;
                let compile = builtins.getattr("compile")?;
                let dumps = py.import("marshal")?.getattr("dumps")?;
                let kwargs = PyDict::new(py);
                kwargs.set_item("dont_inherit", true)?;
                let mut compiled = Vec::with_capacity(sources.len());
                for m in &sources {
                    let ModuleCode::Source { filename, text } = &m.code else {
                        unreachable!()
                    };
                    let code =
                        compile.call((text.as_str(), filename.as_str(), "exec"), Some(&kwargs))?;
                    let bytes = dumps.call1((code,))?;
                    compiled.push(FrozenModule {
                        name: m.name.clone(),
                        code: bytes.cast::<PyBytes>()?.as_bytes().to_vec(),
                        is_package: m.is_package,
                    });
                }
                frozen::install(compiled);
            }
            py.import(entry.as_str())?;
            dispatch::set_methods(py, &payload)?;
            Ok(())
        })();
        if let Err(e) = result {
            traps::uncaught(py, &e);
        }
    });
    crate::output::flush_all();
}

#[export_name = "canister_init"]
extern "C" fn canister_init() {
    start(Kind::Init);
    hooks::run(Kind::Init);
    crate::randomness::schedule();
}

#[export_name = "canister_post_upgrade"]
extern "C" fn canister_post_upgrade() {
    start(Kind::PostUpgrade);
    hooks::run(Kind::PostUpgrade);
    crate::randomness::schedule();
}

#[export_name = "canister_pre_upgrade"]
extern "C" fn canister_pre_upgrade() {
    hooks::run(Kind::PreUpgrade);
}
