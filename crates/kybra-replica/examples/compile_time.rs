//! Measures how long the replica's engine takes to compile a Wasm module: cold (no
//! cache), and again from the on-disk cache.
//!
//! `cargo run --release -p kybra-replica --example compile_time -- MODULE.wasm`

use std::time::Instant;

use kybra_replica::engine::Engine;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: compile_time MODULE.wasm"))?;
    let wasm = std::fs::read(&path)?;
    let cache = std::env::temp_dir().join(format!("kybra-compile-time-{}", std::process::id()));
    let engine = Engine::new().with_cache_dir(Some(cache.clone()));
    let t = Instant::now();
    engine.compile(&wasm)?;
    let cold = t.elapsed();
    let t = Instant::now();
    engine.compile(&wasm)?;
    let cached = t.elapsed();
    let _ = std::fs::remove_dir_all(&cache);
    println!(
        "{path}: {} bytes; compile cold {cold:?}, from the disk cache {cached:?}",
        wasm.len()
    );
    Ok(())
}
