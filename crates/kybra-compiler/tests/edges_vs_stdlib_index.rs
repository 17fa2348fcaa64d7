//! The compiler's import classifier for installed packages (`packages::edges`, Rust) against
//! the one that wrote the standard library's index (`runtime/stdlib_imports.py`, whose
//! edges are in `stdlib.json`): on every module of the bundled standard library (and the
//! `kybra` package), with [`Rules::stdlib_index`] they agree exactly — imports, fallbacks
//! and deferred imports — but for the index's `RARE_LAZY_EDGES`, which only the index has.
//! The two deliberate differences of [`Rules::packages`] (platform branches left out, more
//! literal names) are then shown to be the only ones, each on a module where it matters.
//!
//! Needs the real assets (`stdlib.json` in `KYBRA_ASSETS_DIR`) and the CPython sources they
//! were compiled from (`$KYBRA_CACHE/cpython-3.11.2-wasm32-wasip1/Lib`): `scripts/setup.sh`
//! makes both. Without them the test fails, saying so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kybra_compiler::packages::edges::{classify, Edges, Rules};
use serde::Deserialize;

/// `RARE_LAZY_EDGES` of runtime/stdlib_imports.py: (module, target) the index defers
/// although a function imports it. The classifier for packages has no such list.
const RARE_LAZY_EDGES: &[(&str, &str)] = &[
    ("functools", "typing"),
    ("warnings", "traceback"),
    ("warnings", "linecache"),
    ("ast", "inspect"),
];

#[derive(Deserialize)]
struct Index {
    modules: BTreeMap<String, Entry>,
    not_in_a_canister: BTreeSet<String>,
}

#[derive(Deserialize, Default, Clone, PartialEq, Debug)]
struct Entry {
    package: bool,
    #[serde(default)]
    imports: BTreeSet<String>,
    #[serde(default)]
    fallbacks: BTreeMap<String, BTreeSet<String>>,
    #[serde(default)]
    deferred: BTreeSet<String>,
}

fn lib_dir() -> PathBuf {
    let cache = std::env::var_os("KYBRA_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/kybra"));
    cache.join("cpython-3.11.2-wasm32-wasip1/Lib")
}

/// The source file of bundled module `name`.
fn source_of(name: &str, package: bool, lib: &Path) -> PathBuf {
    let (root, rest) = match name.strip_prefix("kybra") {
        Some(rest) if rest.is_empty() || rest.starts_with('.') => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../python/kybra"),
            rest.trim_start_matches('.'),
        ),
        _ => (lib.to_path_buf(), name),
    };
    let rel: PathBuf = rest.split('.').filter(|p| !p.is_empty()).collect();
    if package {
        root.join(rel).join("__init__.py")
    } else {
        root.join(rel).with_extension("py")
    }
}

/// The index's view of the Rust edges: imports are what runs (eagerly, lazily or guarded).
fn as_entry(e: &Edges, package: bool) -> Entry {
    Entry {
        package,
        imports: e
            .eager
            .iter()
            .chain(&e.lazy)
            .chain(&e.guarded)
            .cloned()
            .collect(),
        fallbacks: e.fallbacks.clone(),
        deferred: e.deferred.clone(),
    }
}

fn load() -> (
    Index,
    Vec<(
        String,
        Entry,
        ruff_python_parser::Parsed<ruff_python_ast::ModModule>,
    )>,
) {
    let path = kybra_test_support::assets::dir().join("stdlib.json");
    let text = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} — run scripts/setup.sh", path.display()));
    let index: Index = serde_json::from_slice(&text).unwrap();
    let lib = lib_dir();
    assert!(
        lib.join("os.py").is_file(),
        "{} holds no CPython sources — run scripts/setup.sh",
        lib.display()
    );
    let mut modules = Vec::new();
    for (name, entry) in &index.modules {
        let file = source_of(name, entry.package, &lib);
        let source = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{name}: cannot read {}: {e}", file.display()));
        let parsed = ruff_python_parser::parse_module(&source)
            .unwrap_or_else(|e| panic!("{name}: {} does not parse: {e}", file.display()));
        modules.push((name.clone(), entry.clone(), parsed));
    }
    (index, modules)
}

#[test]
fn the_classifier_sorts_every_standard_library_module_as_the_index_did() {
    let (index, modules) = load();
    let nic = |n: &str| index.not_in_a_canister.contains(n);
    let mut differences = Vec::new();
    let mut rare_seen = BTreeSet::new();
    for (name, python, parsed) in &modules {
        let mut python = python.clone();
        let rust = as_entry(
            &classify(
                name,
                python.package,
                &parsed.syntax().body,
                Rules::stdlib_index(&nic),
            ),
            python.package,
        );
        // The index's rare lazy edges: deferred there, imported lazily here.
        for (module, target) in RARE_LAZY_EDGES {
            if name == module && python.deferred.remove(*target) {
                python.imports.insert(target.to_string());
                rare_seen.insert((*module, *target));
            }
        }
        if rust != python {
            differences.push(format!(
                "{name}:\n  only the index imports {:?}\n  only Rust imports {:?}\n  fallbacks index {:?} / Rust {:?}\n  deferred index {:?} / Rust {:?}",
                python.imports.difference(&rust.imports).collect::<Vec<_>>(),
                rust.imports.difference(&python.imports).collect::<Vec<_>>(),
                python.fallbacks,
                rust.fallbacks,
                python.deferred,
                rust.deferred,
            ));
        }
    }
    println!("{} modules compared", modules.len());
    assert!(
        modules.len() > 400,
        "only {} modules in the index",
        modules.len()
    );
    assert!(
        differences.is_empty(),
        "{} of {} modules are sorted differently:\n{}",
        differences.len(),
        modules.len(),
        differences.join("\n")
    );
    assert_eq!(
        rare_seen.len(),
        RARE_LAZY_EDGES.len(),
        "RARE_LAZY_EDGES of runtime/stdlib_imports.py changed: update this test's copy"
    );
}

#[test]
fn the_package_rules_differ_only_by_platform_branches_and_literal_names() {
    let (index, modules) = load();
    let nic = |n: &str| index.not_in_a_canister.contains(n);
    let mut platform = BTreeMap::new();
    let mut literals = BTreeMap::new();
    for (name, entry, parsed) in &modules {
        let body = &parsed.syntax().body;
        let base = as_entry(
            &classify(name, entry.package, body, Rules::stdlib_index(&nic)),
            entry.package,
        );
        let no_branches = Rules {
            platform: true,
            ..Rules::stdlib_index(&nic)
        };
        let pruned = as_entry(
            &classify(name, entry.package, body, no_branches),
            entry.package,
        );
        let packages = as_entry(
            &classify(name, entry.package, body, Rules::packages(&nic)),
            entry.package,
        );
        // Deciding platform tests only removes what the dead branches imported; more
        // literal names only add imports (package names and `encodings.*`).
        let gone = grown_by(name, "deciding platform tests", &pruned, &base);
        if !gone.is_empty() {
            platform.insert(name.clone(), gone);
        }
        let added = grown_by(name, "the package rules' literal names", &pruned, &packages);
        if !added.is_empty() {
            literals.insert(name.clone(), added);
        }
    }
    println!(
        "platform branches left out in {} modules, literal names added in {}",
        platform.len(),
        literals.len()
    );
    for (name, names) in platform.iter().take(10).chain(literals.iter().take(10)) {
        println!("  {name}: {names:?}");
    }
    // Each rule shows where it matters: asyncio imports its Windows event loop only on
    // win32; base64 decodes with a literal "ascii" codec.
    assert!(
        platform
            .get("asyncio")
            .is_some_and(|g| g.contains("asyncio.windows_events")),
        "{platform:?}"
    );
    assert!(
        literals
            .get("base64")
            .is_some_and(|a| a.contains("encodings.ascii")),
        "{literals:?}"
    );
}

/// Every name `e` sorts into any kind.
fn all_names(e: &Entry) -> BTreeSet<String> {
    e.imports
        .iter()
        .chain(e.fallbacks.keys())
        .chain(&e.deferred)
        .cloned()
        .collect()
}

/// What `larger` names beyond `smaller`, which must name nothing else (`rule` made the
/// difference between them in module `name`).
fn grown_by(name: &str, rule: &str, smaller: &Entry, larger: &Entry) -> BTreeSet<String> {
    let (small, large) = (all_names(smaller), all_names(larger));
    let extra: Vec<&String> = small.difference(&large).collect();
    assert!(
        extra.is_empty(),
        "{name}: {rule} went the other way for {extra:?}"
    );
    large.difference(&small).cloned().collect()
}
