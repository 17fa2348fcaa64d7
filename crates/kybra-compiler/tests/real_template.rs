//! Builds the book's Hello World against the real assets from runtime/build-assets.sh,
//! when they exist (skipped with a notice otherwise), and prints how long it took.
mod common;

use common::{Project, HELLO_WORLD, HELLO_WORLD_DID};
use kybra_compiler::Assets;

#[test]
fn hello_world_against_the_real_template() {
    let dir = common::real_assets_dir();
    let read = |f: &str| std::fs::read(dir.join(f)).ok();
    let (Some(template), Some(index), Some(code)) = (read("template.wasm"), read("stdlib.json"), read("stdlib.bin")) else {
        println!("SKIPPED: no template.wasm/stdlib.json/stdlib.bin in {} (run runtime/build-assets.sh)", dir.display());
        return;
    };
    let project = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let assets = Assets { template: &template, stdlib_index: &index, stdlib_code: &code };
    let started = std::time::Instant::now();
    let c = kybra_compiler::build(&project.main(), &project.root, &assets).unwrap();
    let took = started.elapsed();
    kybra_compiler::check_did(&c.did, HELLO_WORLD_DID).unwrap();
    wasmparser::Validator::new().validate_all(&c.wasm).expect("validates");
    println!(
        "hello world: {took:?} total ({:?}); template {} B -> wasm {} B, gz {} B; {} modules, payload {} B",
        c.timings,
        template.len(),
        c.wasm.len(),
        c.wasm_gz.len(),
        c.modules,
        c.payload_bytes
    );
}

/// Prints size and time of each gzip level on the real hello world module (to pick
/// `GZIP_LEVEL`): `cargo test --release -p kybra-compiler --test real_template -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn gzip_levels() {
    let dir = common::real_assets_dir();
    let read = |f: &str| std::fs::read(dir.join(f)).ok();
    let (Some(template), Some(index), Some(code)) = (read("template.wasm"), read("stdlib.json"), read("stdlib.bin")) else {
        println!("SKIPPED: no assets in {}", dir.display());
        return;
    };
    let project = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let assets = Assets { template: &template, stdlib_index: &index, stdlib_code: &code };
    let c = kybra_compiler::build(&project.main(), &project.root, &assets).unwrap();
    for level in [1, 4, 6, 7, 8, 9] {
        let started = std::time::Instant::now();
        let gz = kybra_compiler::gzip(&c.wasm, level);
        println!("level {level}: {} B in {:?}", gz.len(), started.elapsed());
    }
}
