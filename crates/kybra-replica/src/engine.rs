//! The wasmtime engine as the replica configures it (fuel metering as the instruction
//! counter, deterministic features only, parallel compilation) and the on-disk cache of
//! compiled modules, keyed by the sha256 of the instrumented module and the engine's
//! compatibility hash, under `$KYBRA_CACHE/wasmtime/` (default `~/.cache/kybra/wasmtime/`).
//! A cache that cannot be read or written is skipped, never an error. The cache is bounded:
//! after each write, the least recently used entries go until it holds at most
//! [`MAX_CACHE_BYTES`] (`KYBRA_REPLICA_CACHE_BYTES` overrides it); a hit counts as a use.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use wasmtime::{Config, Module, OptLevel};

/// How big the compiled-module cache may grow (a Python canister's entry is about 40 MB).
pub const MAX_CACHE_BYTES: u64 = 2 << 30;

fn max_cache_bytes() -> u64 {
    std::env::var("KYBRA_REPLICA_CACHE_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MAX_CACHE_BYTES)
}

pub struct Engine {
    pub engine: wasmtime::Engine,
    cache_dir: Option<PathBuf>,
    engine_tag: String,
}

/// The cache folder: `$KYBRA_CACHE/wasmtime`, else `~/.cache/kybra/wasmtime`.
/// `KYBRA_REPLICA_NO_CACHE=1` turns the cache off.
fn default_cache_dir() -> Option<PathBuf> {
    if std::env::var_os("KYBRA_REPLICA_NO_CACHE").is_some_and(|v| v == "1") {
        return None;
    }
    let base = match std::env::var_os("KYBRA_CACHE") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME")?)
            .join(".cache")
            .join("kybra"),
    };
    Some(base.join("wasmtime"))
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    /// The replica's engine, with the default cache folder.
    pub fn new() -> Self {
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .parallel_compilation(true)
            .cranelift_opt_level(OptLevel::Speed)
            .max_wasm_stack(crate::limits::WASM_STACK_BYTES)
            .async_stack_size(crate::limits::WASM_STACK_BYTES + (1 << 20))
            .wasm_relaxed_simd(false)
            .wasm_simd(true)
            .wasm_bulk_memory(true)
            .wasm_multi_value(true)
            .cranelift_nan_canonicalization(true);
        let engine =
            wasmtime::Engine::new(&config).expect("the replica's wasmtime configuration is valid");
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        let engine_tag = format!("{:016x}", h.finish());
        Engine {
            engine,
            cache_dir: default_cache_dir(),
            engine_tag,
        }
    }

    /// The same engine with another cache folder (`None`: no disk cache).
    pub fn with_cache_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.cache_dir = dir;
        self
    }

    /// Compiles `wasm` (already validated and instrumented), through the disk cache.
    pub fn compile(&self, wasm: &[u8]) -> Result<Module, wasmtime::Error> {
        let path = self.cache_dir.as_ref().map(|dir| {
            let key = hex::encode(Sha256::digest(wasm));
            dir.join(format!("{key}-{}.cwasm", self.engine_tag))
        });
        if let Some(path) = &path {
            if path.exists() {
                // SAFETY: the file was written by `Module::serialize` of an engine with the
                // same compatibility hash (it is in the name); wasmtime re-checks the header.
                if let Ok(module) = unsafe { Module::deserialize_file(&self.engine, path) } {
                    let _ = std::fs::File::options()
                        .append(true)
                        .open(path)
                        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                    return Ok(module);
                }
            }
        }
        let module = Module::new(&self.engine, wasm)?;
        if let Some(path) = &path {
            if let Ok(bytes) = module.serialize() {
                if write_atomically(path, &bytes).is_ok() {
                    prune(
                        path.parent().expect("cache path has a parent"),
                        max_cache_bytes(),
                    );
                }
            }
        }
        Ok(module)
    }
}

/// Removes the least recently modified files of `dir` until the rest take at most `limit`
/// bytes (the newest file always stays). Errors are ignored: the cache is best effort.
fn prune(dir: &std::path::Path, limit: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let meta = e.metadata().ok()?;
            if !meta.is_file() {
                return None;
            }
            Some((meta.modified().ok()?, meta.len(), e.path()))
        })
        .collect();
    files.sort();
    let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
    for (_, len, path) in &files[..files.len().saturating_sub(1)] {
        if total <= limit {
            break;
        }
        if std::fs::remove_file(path).is_ok() {
            total -= len;
        }
    }
}

fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("cache path has a parent");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::prune;

    #[test]
    fn prune_removes_the_least_recently_used_until_under_the_limit() {
        let dir = std::env::temp_dir().join(format!("kybra-prune-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let now = SystemTime::now();
        for (i, name) in ["old", "mid", "new"].iter().enumerate() {
            let path = dir.join(name);
            std::fs::write(&path, vec![0u8; 100]).unwrap();
            let f = std::fs::File::options().append(true).open(&path).unwrap();
            f.set_modified(now - Duration::from_secs(100 - i as u64 * 10))
                .unwrap();
        }
        prune(&dir, 250);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec!["mid", "new"]);
        prune(&dir, 0);
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "the newest entry always stays");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
