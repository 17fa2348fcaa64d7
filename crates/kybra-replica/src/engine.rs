//! The wasmtime engine as the replica configures it (fuel metering as the instruction
//! counter, deterministic features only, parallel compilation) and the on-disk cache of
//! compiled modules, keyed by the sha256 of the instrumented module and the engine's
//! compatibility hash, under `$KYBRA_CACHE/wasmtime/` (default `~/.cache/kybra/wasmtime/`).
//! A cache that cannot be read or written is skipped, never an error.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use wasmtime::{Config, Module, OptLevel};

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
                    return Ok(module);
                }
            }
        }
        let module = Module::new(&self.engine, wasm)?;
        if let Some(path) = &path {
            if let Ok(bytes) = module.serialize() {
                let _ = write_atomically(path, &bytes);
            }
        }
        Ok(module)
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
