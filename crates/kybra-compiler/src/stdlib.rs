//! The bundled modules: the standard library and the `kybra` package, as produced by
//! `runtime/build-assets.sh` (`stdlib.json` index + `stdlib.bin` code objects).
//!
//! Promises: [`Stdlib::parse`] checks every index entry against the code blob, so later
//! slicing cannot fail; [`Stdlib::closure`] (in [`closure`]) returns the bootstrap modules
//! plus the transitive closure of the requested ones, in a stable order: through their
//! `imports`, their `fallbacks` when the module a fallback stands in for is missing, and
//! the `builtin_imports` of the built-in modules reached; names the index does not hold
//! are skipped. Each selected module says whether the interpreter already carries it
//! deep-frozen (`frozen` in `stdlib.json`), in which case its code need not be shipped —
//! but its imports were still followed. Modules a selected module may import later but
//! the closure left out (`deferred`) come last as stubs: `missing_stub`'s code, whose
//! import raises a `ModuleNotFoundError` naming the module.

mod closure;

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::diagnostic::BuildError;

/// Modules compiled into the interpreter (C code, no code object in `stdlib.bin`): an
/// import of one of them is always satisfied. `stdlib.json` may list more in
/// `builtin_modules` (an optional field: `sys.builtin_module_names` of the runtime).
const BUILTIN_MODULES: &[&str] = &[
    "_abc",
    "_ast",
    "_bisect",
    "_blake2",
    "_codecs",
    "_collections",
    "_contextvars",
    "_csv",
    "_datetime",
    "_decimal",
    "_elementtree",
    "_functools",
    "_heapq",
    "_imp",
    "_io",
    "_json",
    "_kybra_ic",
    "_locale",
    "_md5",
    "_opcode",
    "_operator",
    "_pickle",
    "_posixsubprocess",
    "_queue",
    "_random",
    "_sha1",
    "_sha256",
    "_sha3",
    "_sha512",
    "_signal",
    "_socket",
    "_sre",
    "_stat",
    "_statistics",
    "_string",
    "_struct",
    "_symtable",
    "_thread",
    "_tokenize",
    "_tracemalloc",
    "_typing",
    "_warnings",
    "_weakref",
    "_zoneinfo",
    "array",
    "atexit",
    "binascii",
    "builtins",
    "cmath",
    "errno",
    "faulthandler",
    "gc",
    "itertools",
    "marshal",
    "math",
    "posix",
    "pyexpat",
    "select",
    "sys",
    "time",
    "unicodedata",
    "zlib",
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
    /// What built-in (C) modules import from their C code.
    #[serde(default)]
    builtin_imports: BTreeMap<String, Vec<String>>,
    /// The code that stands in for a left-out module.
    missing_stub: Option<Span>,
    /// Modules general-purpose code imports only lazily for what a canister cannot do
    /// (`runtime/stdlib_imports.py`'s `NOT_IN_A_CANISTER`): package modules' lazy imports
    /// of these are deferred too.
    #[serde(default)]
    not_in_a_canister: BTreeSet<String>,
}

#[derive(Deserialize, Clone, Copy)]
struct Span {
    offset: u64,
    size: u64,
}

#[derive(Deserialize, Clone)]
struct Entry {
    #[serde(default)]
    package: bool,
    #[serde(default)]
    imports: Vec<String>,
    /// Fallback module -> the modules it stands in for (followed only if one is missing).
    #[serde(default)]
    fallbacks: BTreeMap<String, Vec<String>>,
    /// Imported only later, on paths the closure need not cover (stubbed if left out).
    #[serde(default)]
    deferred: Vec<String>,
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
    builtin_imports: BTreeMap<String, Vec<String>>,
    missing_stub: Option<&'a [u8]>,
    not_in_a_canister: BTreeSet<String>,
    code: &'a [u8],
}

/// One bundled module selected for a canister.
pub struct BundledModule<'a> {
    pub name: String,
    pub is_package: bool,
    /// The interpreter carries this module deep-frozen and always uses its own copy:
    /// the payload need not (and should not) carry `code`.
    pub frozen: bool,
    /// A stand-in for a module the closure left out: `code` raises `ModuleNotFoundError`.
    pub stub: bool,
    pub code: &'a [u8],
}

impl<'a> Stdlib<'a> {
    pub fn parse(index: &[u8], code: &'a [u8]) -> Result<Self, BuildError> {
        let file: IndexFile = serde_json::from_slice(index)
            .map_err(|e| BuildError::Assets(format!("stdlib.json is not a valid index: {e}")))?;
        let slice = |what: &str, offset: u64, size: u64| {
            let end = offset.checked_add(size);
            if end.is_none_or(|end| end > code.len() as u64) {
                return Err(BuildError::Assets(format!(
                    "stdlib.json places {what} at {offset}..+{size} but stdlib.bin has {} bytes \
                     (rebuild both with runtime/build-assets.sh)",
                    code.len()
                )));
            }
            Ok(&code[offset as usize..(offset + size) as usize])
        };
        for (name, e) in &file.modules {
            slice(&format!("module `{name}`"), e.offset, e.size)?;
        }
        let missing_stub = match file.missing_stub {
            Some(s) => Some(slice("the missing-module stub", s.offset, s.size)?),
            None => None,
        };
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
            builtin_imports: file.builtin_imports,
            missing_stub,
            not_in_a_canister: file.not_in_a_canister,
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

    /// True if a lazy import of `name` need not be carried (see `not_in_a_canister`).
    pub fn not_in_a_canister(&self, name: &str) -> bool {
        self.not_in_a_canister.contains(name)
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
        let names: Vec<_> = s
            .closure(["json.decoder"])
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(
            names,
            [
                "encodings",
                "codecs",
                "json",
                "json.decoder",
                "re",
                "os",
                "posixpath"
            ]
        );
        let m = s.closure([]);
        assert_eq!(m[1].code, b"C");
    }

    #[test]
    fn frozen_modules_are_flagged_and_still_followed() {
        let s = Stdlib::parse(INDEX.as_bytes(), b"ECJDROP").unwrap();
        let flagged: Vec<_> = s
            .closure(["re"])
            .into_iter()
            .map(|m| (m.name, m.frozen))
            .collect();
        let expected = [
            ("encodings", false),
            ("codecs", false),
            ("re", false),
            ("os", true),
            ("posixpath", false),
        ];
        assert_eq!(flagged, expected.map(|(n, f)| (n.to_string(), f)));
        assert!(s.is_frozen("os") && !s.is_frozen("re"));
    }

    const EDGES: &str = r#"{ "python_version": "3.11.2", "bootstrap": [],
      "modules": {
        "decimal": {"imports": [], "fallbacks": {"_pydecimal": ["_decimal"]}, "offset": 0, "size": 1},
        "_pydecimal": {"imports": [], "offset": 1, "size": 1},
        "random": {"imports": [], "fallbacks": {"hashlib": ["_sha512", "_sha512.sha512"]}, "offset": 2, "size": 1},
        "hashlib": {"imports": [], "fallbacks": {"_hashlib_py": ["_hashlib"]}, "offset": 3, "size": 1},
        "_hashlib_py": {"imports": [], "offset": 4, "size": 1},
        "os": {"imports": [], "deferred": ["subprocess", "pkg.sub", "gone"], "offset": 5, "size": 1},
        "subprocess": {"imports": [], "offset": 6, "size": 1},
        "pkg": {"package": true, "imports": [], "offset": 7, "size": 1},
        "pkg.sub": {"imports": ["pkg"], "offset": 8, "size": 1},
        "numbers": {"imports": [], "offset": 9, "size": 1}
      },
      "builtin_modules": ["_decimal", "_sha512"],
      "builtin_imports": {"_decimal": ["numbers"]},
      "missing_stub": {"offset": 10, "size": 1} }"#;

    fn names(s: &Stdlib, roots: &[&str]) -> Vec<(String, bool)> {
        s.closure(roots.iter().copied())
            .into_iter()
            .map(|m| (m.name, m.stub))
            .collect()
    }

    #[test]
    fn fallbacks_only_when_the_primary_is_missing_and_builtins_follow_their_c_imports() {
        let s = Stdlib::parse(EDGES.as_bytes(), b"DPRHhOSpsNX").unwrap();
        let got: Vec<_> = names(&s, &["decimal", "random"])
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(got, ["decimal", "random"]);
        let got: Vec<_> = names(&s, &["hashlib"])
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(got, ["hashlib", "_hashlib_py"]);
        let got: Vec<_> = names(&s, &["_decimal"])
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(got, ["numbers"]);
    }

    #[test]
    fn deferred_imports_become_stubs_unless_selected() {
        let s = Stdlib::parse(EDGES.as_bytes(), b"DPRHhOSpsNX").unwrap();
        let got = names(&s, &["os"]);
        let want = [
            ("os", false),
            ("pkg", true),
            ("pkg.sub", true),
            ("subprocess", true),
        ];
        assert_eq!(got, want.map(|(n, b)| (n.to_string(), b)));
        assert_eq!(s.closure(["os"]).last().unwrap().code, b"X");
        let got = names(&s, &["os", "subprocess"]);
        assert!(
            got.contains(&("subprocess".into(), false))
                && !got.contains(&("subprocess".into(), true)),
            "{got:?}"
        );
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
