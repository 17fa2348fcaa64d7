//! The bundled modules: the standard library and the `kybra` package, as produced by
//! `runtime/build-assets.sh` (`stdlib.json` index + `stdlib.bin` code objects).
//!
//! Promises: [`Stdlib::parse`] checks every index entry against the code blob, so later
//! slicing cannot fail; [`Stdlib::closure`] returns the bootstrap modules plus the
//! transitive closure of the requested ones through their `imports`, in a stable order,
//! skipping names the index does not hold; each selected module says whether the
//! interpreter already carries it deep-frozen (`frozen` in `stdlib.json`), in which case
//! its code need not be shipped — but its imports were still followed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::diagnostic::BuildError;

/// Modules compiled into the interpreter (C code, no code object in `stdlib.bin`): an
/// import of one of them is always satisfied. `stdlib.json` may list more in
/// `builtin_modules` (an optional field: `sys.builtin_module_names` of the runtime).
const BUILTIN_MODULES: &[&str] = &[
    "_abc", "_ast", "_bisect", "_blake2", "_codecs", "_collections", "_contextvars", "_csv",
    "_datetime", "_decimal", "_elementtree", "_functools", "_heapq", "_imp", "_io", "_json",
    "_kybra_ic", "_locale", "_md5", "_opcode", "_operator", "_pickle", "_posixsubprocess",
    "_queue", "_random", "_sha1", "_sha256", "_sha3", "_sha512", "_signal", "_socket", "_sre",
    "_stat", "_statistics", "_string", "_struct", "_symtable", "_thread", "_tokenize",
    "_tracemalloc", "_typing", "_warnings", "_weakref", "_zoneinfo", "array", "atexit",
    "binascii", "builtins", "cmath", "errno", "faulthandler", "gc", "itertools", "marshal",
    "math", "posix", "pyexpat", "select", "sys", "time", "unicodedata", "zlib",
];

#[derive(Deserialize)]
struct IndexFile {
    python_version: String,
    #[serde(default)]
    bootstrap: Vec<String>,
    modules: BTreeMap<String, Entry>,
    #[serde(default)]
    builtin_modules: Vec<String>,
    /// Indexed modules CPython carries deep-frozen (the runtime uses its built-in copy).
    #[serde(default)]
    frozen: Vec<String>,
}

#[derive(Deserialize, Clone)]
struct Entry {
    #[serde(default)]
    package: bool,
    #[serde(default)]
    imports: Vec<String>,
    offset: u64,
    size: u64,
}

/// The parsed, validated stdlib assets.
pub struct Stdlib<'a> {
    pub python_version: String,
    bootstrap: Vec<String>,
    modules: BTreeMap<String, Entry>,
    builtins: BTreeSet<String>,
    frozen: BTreeSet<String>,
    code: &'a [u8],
}

/// One bundled module selected for a canister.
pub struct BundledModule<'a> {
    pub name: String,
    pub is_package: bool,
    /// The interpreter carries this module deep-frozen and always uses its own copy:
    /// the payload need not (and should not) carry `code`.
    pub frozen: bool,
    pub code: &'a [u8],
}

impl<'a> Stdlib<'a> {
    pub fn parse(index: &[u8], code: &'a [u8]) -> Result<Self, BuildError> {
        let file: IndexFile = serde_json::from_slice(index)
            .map_err(|e| BuildError::Assets(format!("stdlib.json is not a valid index: {e}")))?;
        for (name, e) in &file.modules {
            let end = e.offset.checked_add(e.size);
            if end.is_none_or(|end| end > code.len() as u64) {
                return Err(BuildError::Assets(format!(
                    "stdlib.json places module `{name}` at {}..+{} but stdlib.bin has {} bytes",
                    e.offset,
                    e.size,
                    code.len()
                )));
            }
        }
        for name in &file.bootstrap {
            if !file.modules.contains_key(name) {
                return Err(BuildError::Assets(format!(
                    "bootstrap module `{name}` is not in the index"
                )));
            }
        }
        let builtins = BUILTIN_MODULES
            .iter()
            .map(|s| s.to_string())
            .chain(file.builtin_modules)
            .collect();
        Ok(Stdlib {
            python_version: file.python_version,
            bootstrap: file.bootstrap,
            modules: file.modules,
            builtins,
            frozen: file.frozen.into_iter().collect(),
            code,
        })
    }

    /// True if `name` has a code object in the bundle.
    pub fn has(&self, name: &str) -> bool {
        self.modules.contains_key(name)
    }

    /// True if the interpreter carries `name` deep-frozen (its code need not be shipped).
    pub fn is_frozen(&self, name: &str) -> bool {
        self.frozen.contains(name)
    }

    /// True if `name` is compiled into the interpreter (nothing to bundle).
    pub fn is_builtin(&self, name: &str) -> bool {
        self.builtins.contains(name)
    }

    /// True if `name` is a top-level name the runtime can import without user code.
    pub fn knows_top_level(&self, top: &str) -> bool {
        self.is_builtin(top) || self.has(top)
    }

    /// Bootstrap modules, then `roots` and everything they import, each once, in a
    /// deterministic order (the order they were reached). Frozen modules are included
    /// (flagged [`BundledModule::frozen`]) and their imports followed like any other's.
    pub fn closure<'s>(&'s self, roots: impl IntoIterator<Item = &'s str>) -> Vec<BundledModule<'a>> {
        let mut seen = BTreeSet::new();
        let mut order: Vec<&str> = Vec::new();
        let mut stack: Vec<&str> = Vec::new();
        let starts: Vec<&str> =
            self.bootstrap.iter().map(String::as_str).chain(roots).collect();
        for start in starts {
            // Importing `a.b.c` imports `a` and `a.b` first.
            let mut prefixes = Vec::new();
            let mut acc = String::new();
            for part in start.split('.') {
                if !acc.is_empty() {
                    acc.push('.');
                }
                acc.push_str(part);
                prefixes.push(acc.clone());
            }
            for p in prefixes {
                if let Some((key, _)) = self.modules.get_key_value(p.as_str()) {
                    stack.push(key.as_str());
                }
            }
            stack.reverse();
            while let Some(name) = stack.pop() {
                if !seen.insert(name) {
                    continue;
                }
                order.push(name);
                let entry = &self.modules[name];
                for imp in entry.imports.iter().rev() {
                    if let Some((key, _)) = self.modules.get_key_value(imp.as_str()) {
                        if !seen.contains(key.as_str()) {
                            stack.push(key.as_str());
                        }
                    }
                }
            }
        }
        order
            .into_iter()
            .map(|name| {
                let e = &self.modules[name];
                BundledModule {
                    name: name.to_string(),
                    is_package: e.package,
                    frozen: self.frozen.contains(name),
                    code: &self.code[e.offset as usize..(e.offset + e.size) as usize],
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"{ "python_version": "3.11.2", "bootstrap": ["encodings"],
      "modules": {
        "encodings": {"package": true, "imports": ["codecs"], "offset": 0, "size": 1},
        "codecs": {"imports": [], "offset": 1, "size": 1},
        "json": {"package": true, "imports": ["json.decoder", "re", "nothere"], "offset": 2, "size": 1},
        "json.decoder": {"imports": ["json"], "offset": 3, "size": 1},
        "re": {"imports": ["os"], "offset": 4, "size": 1},
        "os": {"imports": ["posixpath"], "offset": 5, "size": 1},
        "posixpath": {"imports": [], "offset": 6, "size": 1}
      },
      "frozen": ["os", "notindexed"] }"#;

    #[test]
    fn closure_follows_imports_once() {
        let s = Stdlib::parse(INDEX.as_bytes(), b"ECJDROP").unwrap();
        let names: Vec<_> = s.closure(["json.decoder"]).into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["encodings", "codecs", "json", "json.decoder", "re", "os", "posixpath"]);
        let m = s.closure([]);
        assert_eq!(m[1].code, b"C");
    }

    #[test]
    fn frozen_modules_are_flagged_and_still_followed() {
        let s = Stdlib::parse(INDEX.as_bytes(), b"ECJDROP").unwrap();
        let flagged: Vec<_> = s.closure(["re"]).into_iter().map(|m| (m.name, m.frozen)).collect();
        let expected = [("encodings", false), ("codecs", false), ("re", false), ("os", true), ("posixpath", false)];
        assert_eq!(flagged, expected.map(|(n, f)| (n.to_string(), f)));
        assert!(s.is_frozen("os") && !s.is_frozen("re"));
    }

    #[test]
    fn out_of_range_entry_is_an_error() {
        let err = Stdlib::parse(INDEX.as_bytes(), b"EC").err().unwrap();
        assert!(err.to_string().contains("`json`"), "{err}");
    }

    #[test]
    fn builtins_are_known() {
        let s = Stdlib::parse(INDEX.as_bytes(), b"ECJDROP").unwrap();
        assert!(s.knows_top_level("math") && s.knows_top_level("json"));
        assert!(!s.knows_top_level("numpy"));
    }
}
