//! Builds the book's Hello World against the real assets from runtime/build-assets.sh,
//! when they exist (skipped with a notice otherwise), and prints how long it took.
mod common;

use common::{Project, HELLO_WORLD, HELLO_WORLD_DID};
use kybra_compiler::Assets;

/// The real assets, or `None` (after printing why the test is skipped; a failure when
/// `KYBRA_REQUIRE_ASSETS=1`).
fn real_assets() -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let a = kybra_test_support::assets::read()?;
    Some((a.template, a.stdlib_index, a.stdlib_code))
}

#[test]
fn hello_world_against_the_real_template() {
    let Some((template, index, code)) = real_assets() else {
        return;
    };
    let project = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let assets = Assets {
        template: &template,
        stdlib_index: &index,
        stdlib_code: &code,
    };
    let started = std::time::Instant::now();
    let c = kybra_compiler::build(&project.main(), &project.root, &assets).unwrap();
    let took = started.elapsed();
    kybra_compiler::check_did(&c.did, HELLO_WORLD_DID).unwrap();
    wasmparser::Validator::new()
        .validate_all(&c.wasm)
        .expect("validates");
    println!(
        "hello world: {took:?} total ({:?}); template {} B -> wasm {} B, gz {} B; {} modules, payload {} B",
        c.timings,
        template.len(),
        c.wasm.len(),
        c.wasm_gz.len(),
        c.modules,
        c.payload_bytes
    );
    println!("{:#?}", c.facts);
}

/// The module built from the real template passes the IC's install-time checks
/// (`kybra_compiler::validate`, which `build` runs too), and dfx's own `ic-wasm` reads the
/// same counts, exports and metadata from it.
#[test]
fn real_module_passes_ic_validation() {
    let Some((template, index, code)) = real_assets() else {
        return;
    };
    let project = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let assets = Assets {
        template: &template,
        stdlib_index: &index,
        stdlib_code: &code,
    };
    let c = kybra_compiler::build(&project.main(), &project.root, &assets).unwrap();
    let facts = kybra_compiler::validate::check(&c.wasm, &c.did).unwrap_or_else(|e| panic!("{e}"));
    let limits = kybra_compiler::validate::IC_LIMITS;

    // The IC's module limits, with the margin left printed.
    assert!(facts.functions <= limits.functions, "{facts:?}");
    assert!(
        facts.code_section_bytes <= limits.code_section_bytes,
        "{facts:?}"
    );
    assert!(facts.globals <= limits.globals, "{facts:?}");
    assert!(
        facts.largest_function_instructions <= limits.function_instructions,
        "{facts:?}"
    );
    assert!(
        facts.largest_function_complexity <= limits.function_complexity,
        "{facts:?}"
    );
    println!(
        "functions {}/{}; code section {}/{} B; globals {}/{}; largest function {} instructions, complexity {}/{}",
        facts.functions,
        limits.functions,
        facts.code_section_bytes,
        limits.code_section_bytes,
        facts.globals,
        limits.globals,
        facts.largest_function_instructions,
        facts.largest_function_complexity,
        limits.function_complexity
    );

    // Exports: only IC entry points (with ic-cdk-timers' two, for `ic.set_timer`) and the memory.
    let mut exports: Vec<&str> = facts.exports.iter().map(String::as_str).collect();
    exports.sort();
    assert_eq!(
        exports,
        [
            "canister_global_timer",
            "canister_init",
            "canister_post_upgrade",
            "canister_pre_upgrade",
            "canister_query get_message",
            "canister_update <ic-cdk internal> timer_executor",
            "canister_update set_message",
            "memory"
        ]
    );
    assert!(facts.imports.iter().all(|i| !i.is_empty()) && !facts.imports.is_empty());

    // ic-wasm (dfx's tool) sees the same module.
    let module = ic_wasm::utils::parse_wasm(&c.wasm, false).expect("ic-wasm parses the module");
    assert_eq!(
        ic_wasm::metadata::get_metadata(&module, "candid:service").as_deref(),
        Some(c.did.as_bytes())
    );
    assert_eq!(
        ic_wasm::metadata::get_metadata(&module, "cdk").as_deref(),
        Some(kybra_compiler::cdk_metadata().as_bytes())
    );
    let mut listed = ic_wasm::metadata::list_metadata(&module);
    listed.sort();
    assert_eq!(listed, ["icp:public candid:service", "icp:public cdk"]);
    let info = serde_json::to_value(ic_wasm::info::WasmInfo::from(&module)).unwrap();
    assert_eq!(
        info["number_of_functions"],
        facts.functions + facts.imported_functions,
        "{info:#}"
    );
    assert_eq!(info["number_of_globals"], facts.globals);
    assert_eq!(
        info["imported_ic0_system_api"],
        serde_json::json!(facts.imports)
    );
    let mut methods: Vec<&str> = info["exported_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    methods.sort();
    assert_eq!(
        methods,
        exports
            .iter()
            .copied()
            .filter(|e| *e != "memory")
            .collect::<Vec<_>>()
    );
    let mut info_text = Vec::new();
    ic_wasm::info::info(&module, &mut info_text).unwrap();
    println!("ic-wasm info:\n{}", String::from_utf8_lossy(&info_text));
}

/// Modules CPython carries deep-frozen are not shipped, but everything they import is.
#[test]
fn frozen_modules_are_not_shipped_but_their_imports_are() {
    let Some((_, index, code)) = real_assets() else {
        return;
    };
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(&index, &code).unwrap();
    let project = Project::new(&[
        ("src/main.py", HELLO_WORLD),
        ("src/extra.py", "import os\nimport json\n"),
    ]);
    std::fs::write(project.main(), format!("import extra\n{HELLO_WORLD}")).unwrap();
    let (payload, _) =
        kybra_compiler::analyse_project(&project.main(), &project.root, &stdlib).unwrap();
    let shipped: std::collections::BTreeSet<&str> =
        payload.modules.iter().map(|m| m.name.as_str()).collect();
    let all = stdlib.closure(["kybra", "os", "json"]);
    let frozen: Vec<_> = all.iter().filter(|m| m.frozen).collect();
    assert!(
        frozen.iter().any(|m| m.name == "os"),
        "os is frozen in CPython 3.11"
    );
    for m in &all {
        assert_eq!(
            shipped.contains(m.name.as_str()),
            !m.frozen,
            "{} (frozen: {})",
            m.name,
            m.frozen
        );
    }
    println!(
        "{} modules reached, {} frozen left out: {:?}",
        all.len(),
        frozen.len(),
        frozen.iter().map(|m| m.name.as_str()).collect::<Vec<_>>()
    );
}

/// Prints size and time of each gzip level on the real hello world module (to pick
/// `GZIP_LEVEL`): `cargo test --release -p kybra-compiler --test real_template -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn gzip_levels() {
    let Some((template, index, code)) = real_assets() else {
        return;
    };
    let project = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let assets = Assets {
        template: &template,
        stdlib_index: &index,
        stdlib_code: &code,
    };
    let c = kybra_compiler::build(&project.main(), &project.root, &assets).unwrap();
    for level in [1, 4, 6, 7, 8, 9] {
        let started = std::time::Instant::now();
        let gz = kybra_compiler::gzip(&c.wasm, level);
        println!("level {level}: {} B in {:?}", gz.len(), started.elapsed());
    }
}

/// The fast build (template bytes spliced, its gzip chunks reused) gives the module a
/// straightforward build gives: the `.wasm.gz` decompresses to exactly the `.wasm`, and a
/// build from the same template without its chunks (every piece compressed now) writes
/// the same bytes, raw and gzip'd.
#[test]
fn fast_builds_equal_straightforward_ones_byte_for_byte() {
    let Some((template, index, code)) = real_assets() else {
        return;
    };
    assert!(
        kybra_compiler::wasm::is_prepared(&template),
        "template.wasm is not prepared for fast builds: re-run runtime/build-assets.sh"
    );
    let project = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let build = |template: &[u8]| {
        let assets = Assets {
            template,
            stdlib_index: &index,
            stdlib_code: &code,
        };
        kybra_compiler::build_with_env(&project.main(), &project.root, &assets, vec![]).unwrap()
    };
    let fast = build(&template);
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&fast.wasm_gz[..]),
        &mut unzipped,
    )
    .unwrap();
    assert!(
        unzipped == fast.wasm,
        "the .wasm.gz does not hold the .wasm"
    );

    let without_chunks = kybra_compiler::wasm::strip_chunks(&template).unwrap();
    assert!(
        without_chunks.len() < template.len(),
        "a prepared template carries its gzip chunks"
    );
    let slow = build(&without_chunks);
    assert!(slow.wasm == fast.wasm, "the raw modules differ");
    assert!(
        slow.wasm_gz == fast.wasm_gz,
        "the chunks changed the gzip bytes"
    );
    println!(
        "fast build: wasm {:?} gzip {:?}; without chunks: gzip {:?}",
        fast.timings.wasm, fast.timings.gzip, slow.timings.gzip
    );
}
