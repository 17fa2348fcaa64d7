//! Where the benchmark finds its inputs: the repository, the build-time assets
//! (`$KYBRA_ASSETS_DIR`), the installed `kybra` CLI (`$KYBRA_BIN` or `.venv/bin/kybra`) and
//! the cargo target folder. Promises: every missing input is an error that says which
//! command to run first.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The repository root (this crate lives in `benches/kybra-bench`).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The three build-time assets, read into memory.
pub struct AssetFiles {
    pub dir: PathBuf,
    pub template: Vec<u8>,
    pub stdlib_index: Vec<u8>,
    pub stdlib_code: Vec<u8>,
}

impl AssetFiles {
    /// Reads `template.wasm`, `stdlib.json` and `stdlib.bin` from `$KYBRA_ASSETS_DIR`
    /// (default `build/assets/`).
    pub fn load() -> Result<Self> {
        let dir = std::env::var_os("KYBRA_ASSETS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join("build/assets"));
        let read = |name: &str| -> Result<Vec<u8>> {
            let path = dir.join(name);
            std::fs::read(&path).with_context(|| {
                format!(
                    "cannot read the runtime asset {}: build the assets first with `bash scripts/setup.sh` \
                     (or `bash runtime/build-assets.sh`), or point KYBRA_ASSETS_DIR at them",
                    path.display()
                )
            })
        };
        Ok(AssetFiles {
            template: read("template.wasm")?,
            stdlib_index: read("stdlib.json")?,
            stdlib_code: read("stdlib.bin")?,
            dir,
        })
    }

    pub fn assets(&self) -> kybra_compiler::Assets<'_> {
        kybra_compiler::Assets {
            template: &self.template,
            stdlib_index: &self.stdlib_index,
            stdlib_code: &self.stdlib_code,
        }
    }
}

/// The `kybra` binary to time: `$KYBRA_BIN`, else `.venv/bin/kybra` of the repository.
pub fn kybra_bin() -> Result<PathBuf> {
    let path = match std::env::var_os("KYBRA_BIN") {
        Some(p) => PathBuf::from(p),
        None => repo_root().join(".venv/bin/kybra"),
    };
    if !path.is_file() {
        bail!(
            "the kybra CLI is not installed at {}: run `bash scripts/setup.sh` (it installs it into .venv), \
             or set KYBRA_BIN to a built `kybra` binary",
            path.display()
        );
    }
    Ok(path)
}

/// The cargo target folder shared by the project's builds (`$CARGO_TARGET_DIR`, default
/// `target/` of the repository).
pub fn cargo_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// The `cargo` to run (`$CARGO` when set by cargo itself).
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}
