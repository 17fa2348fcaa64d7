//! Embeds the `kybra` package's library modules that the compiler reads as source
//! (`python/kybra/canisters/**.py`: the management canister's types and service), so an
//! installed `kybra` binary builds canisters that import them without a source tree.
//!
//! Writes `$OUT_DIR/library_sources.rs`: a `&[LibrarySource]` sorted by module name, each
//! entry's text an `include_str!` of the file (cargo then rebuilds when a file changes);
//! and `$OUT_DIR/kybra_names.rs`: the names `from kybra import ...` may import (the
//! package's `__all__`), so a misspelt one is a build error instead of a trap at install.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let package = manifest.join("../../python/kybra");
    let root = package.join("canisters");
    println!("cargo:rerun-if-changed={}", root.display());
    if !root.join("__init__.py").is_file() {
        panic!(
            "the kybra package's library modules are missing: no {}/__init__.py — build from the Kybra repository (python/kybra/canisters)",
            root.display()
        );
    }
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut entries: Vec<(String, bool, String, PathBuf)> = files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&package)
                .expect("under the package")
                .to_path_buf();
            let parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let is_package = parts.last().is_some_and(|f| f == "__init__.py");
            let mut name_parts: Vec<String> = vec!["kybra".into()];
            name_parts.extend(parts.iter().map(|p| p.trim_end_matches(".py").to_string()));
            if is_package {
                name_parts.pop();
            }
            let filename = format!("kybra/{}", parts.join("/"));
            (name_parts.join("."), is_package, filename, path)
        })
        .collect();
    entries.sort();
    let mut out = String::from("&[\n");
    for (name, is_package, filename, path) in entries {
        let abs = std::fs::canonicalize(&path).expect("a listed file exists");
        out.push_str(&format!(
            "    LibrarySource {{ name: {name:?}, is_package: {is_package}, filename: {filename:?}, text: include_str!({:?}) }},\n",
            abs.to_string_lossy()
        ));
    }
    out.push(']');
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("library_sources.rs");
    std::fs::write(&dest, out).expect("OUT_DIR is writable");
    write_kybra_names(&package.join("__init__.py"));
}

/// `__all__ = [ "A", "B", ... ]` of the package's `__init__.py`, as a `&[&str]`.
fn write_kybra_names(init: &Path) {
    println!("cargo:rerun-if-changed={}", init.display());
    let text = std::fs::read_to_string(init).expect("python/kybra/__init__.py is readable");
    let start = text
        .find("__all__ = [")
        .expect("python/kybra/__init__.py defines __all__ = [...]");
    let list = &text[start..start + text[start..].find(']').expect("__all__ ends")];
    let names: Vec<&str> = list.split('"').skip(1).step_by(2).collect();
    assert!(
        names.len() > 10,
        "python/kybra/__init__.py: __all__ lists too few names"
    );
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("kybra_names.rs");
    std::fs::write(&dest, format!("&{names:?}")).expect("OUT_DIR is writable");
}

/// Every `.py` file under `dir` whose path parts are Python identifiers (no caches, no tests).
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("a readable directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.trim_end_matches(".py");
        let identifier = !stem.is_empty()
            && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !stem.starts_with(|c: char| c.is_ascii_digit());
        if path.is_dir() {
            if identifier && name != "tests" {
                collect(&path, out);
            }
        } else if name.ends_with(".py") && identifier && !name.starts_with("test_") {
            out.push(path);
        }
    }
}
