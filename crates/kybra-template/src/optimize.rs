//! Binaryen's optimiser for the template: runs the `wasm-opt` program (the Debian
//! `binaryen` package, or the one `KYBRA_WASM_OPT` names) at a level, with the wasm
//! features the IC accepts, and checks the output as the template itself is checked.
//!
//! The program, not the `wasm-opt` crate: the crate compiles binaryen's C++ sources, which
//! took more than a third of a cold set-up on 2 cores; the program installs in seconds.
//!
//! Promises: an unknown level, a missing program or a failed run is a
//! [`TemplateError::Optimize`] that says what to do; the input is never changed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{check_exports, check_imports, TemplateError};

/// The wasm features the IC accepts, as `wasm-opt` flags.
const FEATURES: [&str; 5] = [
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-multivalue",
];

/// The `wasm-opt` program: `$KYBRA_WASM_OPT`, else `wasm-opt` on the `PATH`.
fn program() -> PathBuf {
    std::env::var_os("KYBRA_WASM_OPT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("wasm-opt"))
}

fn missing(program: &Path, e: &std::io::Error) -> TemplateError {
    TemplateError::Optimize(format!(
        "cannot run {}: {e} — install binaryen (`apt-get install binaryen`), set KYBRA_WASM_OPT \
         to a wasm-opt program, or build the template without --optimize",
        program.display()
    ))
}

/// The version line of the `wasm-opt` program (e.g. `wasm-opt version 108`).
pub fn wasm_opt_version() -> Result<String, TemplateError> {
    let program = program();
    let out = Command::new(&program)
        .arg("--version")
        .output()
        .map_err(|e| missing(&program, &e))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs `wasm-opt` at `level` (`O1`..`O4`, `Os`, `Oz`) on a module. (The program reads
/// and writes files: a private temporary folder holds them and is removed afterwards.)
pub fn optimize(wasm: &[u8], level: &str) -> Result<Vec<u8>, TemplateError> {
    optimize_with(&program(), wasm, level)
}

/// [`optimize`] with the given `wasm-opt` program.
pub(crate) fn optimize_with(
    program: &Path,
    wasm: &[u8],
    level: &str,
) -> Result<Vec<u8>, TemplateError> {
    if !["O1", "O2", "O3", "O4", "Os", "Oz"].contains(&level) {
        return Err(TemplateError::Optimize(format!(
            "unknown level {level}: use O1, O2, O3, O4, Os or Oz"
        )));
    }
    let failed = |e: &dyn std::fmt::Display| TemplateError::Optimize(e.to_string());
    let dir = std::env::temp_dir().join(format!("kybra-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| failed(&e))?;
    let (input, output) = (dir.join("in.wasm"), dir.join("out.wasm"));
    let result = std::fs::write(&input, wasm)
        .map_err(|e| failed(&e))
        .and_then(|()| {
            Command::new(program)
                .arg(format!("-{level}"))
                .args(FEATURES)
                .arg(&input)
                .arg("-o")
                .arg(&output)
                .output()
                .map_err(|e| missing(program, &e))
        })
        .and_then(|out| {
            if out.status.success() {
                std::fs::read(&output).map_err(|e| failed(&e))
            } else {
                Err(failed(&format!(
                    "{} -{level} exited with {}: {}",
                    program.display(),
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                )))
            }
        });
    let _ = std::fs::remove_dir_all(&dir);
    let bytes = result?;
    let module = ic_wasm::utils::parse_wasm(&bytes, false)
        .map_err(|e| TemplateError::Parse(e.to_string()))?;
    check_imports(&module)?;
    check_exports(&module)?;
    Ok(bytes)
}
