//! The `kybra` package's library modules that the compiler embeds as source
//! (`python/kybra/canisters/**`, e.g. the management canister's types and service; see
//! `build.rs`), so that `kybra build` from an installed wheel needs no source tree.
//!
//! Promises: [`library_source`] finds a module by its dotted name; every module under a
//! package of [`LIBRARY_PACKAGES`] comes from here, never from `stdlib.bin`: the project
//! loader analyses them like user code (their `Record`/`Variant`/`Service` classes become
//! Candid types) and the payload ships them as source, so the types the compiler saw are
//! the ones the canister runs with, whatever assets it was built with.

/// One module of the `kybra` package that the compiler reads as source.
#[derive(Debug)]
pub struct LibrarySource {
    /// Dotted module name (`kybra.canisters.management.http`).
    pub name: &'static str,
    pub is_package: bool,
    /// Its path as tracebacks and diagnostics show it (`kybra/canisters/management/http.py`).
    pub filename: &'static str,
    pub text: &'static str,
}

/// Every library module, sorted by name.
pub static LIBRARY_SOURCES: &[LibrarySource] =
    include!(concat!(env!("OUT_DIR"), "/library_sources.rs"));

/// The names of the `kybra` package (its `__all__`): what `from kybra import ...` may import
/// besides its submodules.
pub static KYBRA_NAMES: &[&str] = include!(concat!(env!("OUT_DIR"), "/kybra_names.rs"));

/// The packages whose modules all come from [`LIBRARY_SOURCES`].
pub const LIBRARY_PACKAGES: &[&str] = &["kybra.canisters"];

/// The library module `name`, if the compiler embeds it.
pub fn library_source(name: &str) -> Option<&'static LibrarySource> {
    LIBRARY_SOURCES.iter().find(|m| m.name == name)
}

/// True if `name` is, or lies under, a package of [`LIBRARY_PACKAGES`].
pub fn is_library_name(name: &str) -> bool {
    LIBRARY_PACKAGES.iter().any(|p| {
        name == *p
            || name
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_management_canister_is_embedded() {
        let m = library_source("kybra.canisters.management").expect("embedded");
        assert!(m.is_package && m.filename == "kybra/canisters/management/__init__.py");
        assert!(m.text.contains("class ManagementCanister(Service)"));
        let http = library_source("kybra.canisters.management.http").expect("embedded");
        assert!(!http.is_package && http.text.contains("class HttpResponse(Record)"));
        assert!(library_source("kybra.canisters").is_some_and(|c| c.is_package));
        let names: Vec<&str> = LIBRARY_SOURCES.iter().map(|m| m.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }

    #[test]
    fn kybra_names_are_the_packages_all() {
        for name in [
            "query",
            "update",
            "StableBTreeMap",
            "Principal",
            "ic",
            "void",
        ] {
            assert!(KYBRA_NAMES.contains(&name), "{name}");
        }
        assert!(!KYBRA_NAMES.contains(&"FuncTuple"));
    }

    #[test]
    fn library_names() {
        assert!(is_library_name("kybra.canisters") && is_library_name("kybra.canisters.x"));
        assert!(
            !is_library_name("kybra")
                && !is_library_name("kybra.canistersx")
                && !is_library_name("canisters")
        );
    }
}
