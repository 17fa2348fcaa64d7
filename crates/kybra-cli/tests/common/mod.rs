//! Shared helpers of the CLI's integration tests: run the real `kybra` binary in a
//! directory, with its identities in a throwaway config folder (never the user's).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const KYBRA: &str = env!("CARGO_BIN_EXE_kybra");

/// A config folder for the whole test binary (`KYBRA_CONFIG_DIR`).
fn config_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir").keep())
}

/// Runs `kybra ARGS` in `dir`.
pub fn kybra(dir: &Path, args: &[&str]) -> Output {
    Command::new(KYBRA)
        .args(args)
        .current_dir(dir)
        .env("KYBRA_CONFIG_DIR", config_dir())
        .output()
        .expect("run kybra")
}

/// Runs a command that must succeed; returns its standard output.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = kybra(dir, args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kybra {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs a command that must fail; returns its standard error.
pub fn fails(dir: &Path, args: &[&str]) -> String {
    let out = kybra(dir, args);
    assert!(
        !out.status.success(),
        "kybra {args:?} should fail:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Stops the project's replica even when an assertion fails.
pub struct StopOnDrop<'a>(pub &'a Path);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        let _ = kybra(self.0, &["stop"]);
    }
}
