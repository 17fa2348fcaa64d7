//! Installed packages (PyPI) in a canister: which of their modules and data files the
//! canister carries, and why a package cannot be carried.
//!
//! Promises:
//! - only what the project imports is shipped: the modules its code reaches (at any
//!   depth, through the edges [`edges::classify`] sorts out of each package module: eager
//!   and lazy imports always, guarded ones when they can load, fallbacks when what they
//!   stand in for cannot), the parent packages of each, and the data files of every
//!   package shipped (non-Python files in its folder and in sub-folders that are not
//!   packages themselves). A package that is installed but not imported adds nothing.
//! - a compiled extension (`.so`) is never shipped: a pure-Python `x.py` beside it is used
//!   instead; an import that can only load through one fails the build
//!   ([`Unloadable`] says which package, module and file, and whether a pure-Python
//!   fallback or release exists) unless it is guarded by `except ImportError:`.
//! - standard-library modules are the bundle's (as CPython prefers them to
//!   site-packages); what package modules import only lazily from the standard library's
//!   `NOT_IN_A_CANISTER` list becomes the bundle's missing-module stub.
//! - [`DYNAMIC_IMPORTS`]: packages the standard library imports by computed names are
//!   shipped whole when that standard-library module is carried (`zoneinfo` → `tzdata`).
//! - nothing runs on the host: package code is parsed, never imported.

pub mod bytecode;
mod dists;
pub mod edges;
mod load;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ruff_python_ast::ModModule;
use serde::Serialize;

pub use bytecode::{BytecodeError, HostPython};
pub use dists::{Dist, Dists};
pub use edges::Edges;

/// The Python environment a build takes installed packages from.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    /// Its site-packages folders, in search order.
    pub site: Vec<PathBuf>,
    /// A host CPython 3.11 that compiles the shipped package modules to bytecode at build
    /// time; `None`: they ship as source only and the canister compiles them when it
    /// imports them.
    pub bytecode: Option<HostPython>,
}

/// Where the shipped package modules were compiled.
#[derive(Clone, Debug, PartialEq)]
pub enum Compiled {
    /// No package module is shipped.
    Nothing,
    /// At build time, by this host interpreter (`.pyc` files beside the sources).
    AtBuild(PathBuf),
    /// They ship as source: the canister compiles them when it imports them. Why.
    InCanister(String),
}

/// Standard-library modules that import an installed package by a computed name, the
/// package (shipped whole when installed) and the standard-library modules that import
/// it: `zoneinfo` reads `tzdata.zoneinfo.<Area>` through `importlib.resources`.
pub const DYNAMIC_IMPORTS: &[(&str, &str, &[&str])] =
    &[("zoneinfo._common", "tzdata", &["importlib.resources"])];

/// What CPython's path finder imports, from frozen code the closure cannot read, for
/// modules loaded from files: `SourceFileLoader.get_resource_reader` imports
/// `importlib.readers` (what `importlib.resources.files` of a package uses). Carried
/// whenever package files are.
pub const PATH_FINDER_IMPORTS: &[&str] = &["importlib.readers"];

/// Where a package module's file is.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteModule {
    /// The site-packages folder it was found in.
    pub root: PathBuf,
    /// Its file, relative to `root`, `/`-separated (`jinja2/utils.py`).
    pub rel: String,
}

/// Files under a site-packages folder that are not code the canister can use.
const NOT_DATA: &[&str] = &[
    ".py", ".pyc", ".pyo", ".pyi", ".so", ".pyd", ".dylib", ".dll", ".c", ".h", ".pyx", ".pxd",
    "py.typed",
];

/// What the canister carries of one distribution (or of a top-level package no
/// `*.dist-info` claims).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct PackageReport {
    /// The distribution's name (`Jinja2`), else the top-level name.
    pub name: String,
    /// Its version, empty when unknown.
    pub version: String,
    /// Module names shipped, sorted.
    pub modules: Vec<String>,
    /// Bytes of module source shipped.
    pub code_bytes: usize,
    /// Data files shipped (relative to site-packages), sorted.
    pub data_files: Vec<String>,
    pub data_bytes: usize,
    /// Names its modules import at import time that no installed module provides (an
    /// import that runs raises `ModuleNotFoundError` in the canister).
    pub unresolved: Vec<String>,
}

/// The package files a canister carries.
#[derive(Clone, Debug, Default)]
pub struct Shipped {
    /// (path relative to site-packages, host file), sorted by path.
    pub files: Vec<(String, PathBuf)>,
    /// Per distribution, sorted by name.
    pub report: Vec<PackageReport>,
}

/// Why an import cannot load in a canister.
#[derive(Clone, Debug, PartialEq)]
pub struct Unloadable {
    /// The module whose import needs the extension.
    pub module: String,
    /// The extension module and its file.
    pub extension: String,
    pub file: PathBuf,
}

/// Whether a module can be imported in a canister.
#[derive(Clone, Debug, PartialEq)]
enum Avail {
    Yes,
    Missing,
    Needs(Unloadable),
}

/// One package module read and classified.
struct Parsed {
    text: String,
    ast: Option<ModModule>,
    edges: Edges,
}

/// What the loader keeps about installed packages during one build.
pub struct State {
    site: Vec<PathBuf>,
    dists: Dists,
    avail: HashMap<String, Avail>,
    parsed: HashMap<PathBuf, Parsed>,
    /// Package tops shipped whole (every module and file).
    whole: BTreeSet<String>,
    /// Per module name: imports at import time that resolved nowhere.
    unresolved: BTreeMap<String, BTreeSet<String>>,
}

impl State {
    pub fn new(site: &[PathBuf]) -> Self {
        State {
            site: site.to_vec(),
            dists: Dists::scan(site),
            avail: HashMap::new(),
            parsed: HashMap::new(),
            whole: BTreeSet::new(),
            unresolved: BTreeMap::new(),
        }
    }

    /// The environment, for messages: its site-packages folders.
    pub fn describe_environment(&self) -> String {
        match self.site.as_slice() {
            [] => "any Python environment (no site-packages was given to the build)".into(),
            dirs => dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

/// The data files of package folder `dir` (recursively into folders that are not
/// packages), relative to `root`.
fn data_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if name != "__pycache__" && !path.join("__init__.py").is_file() {
                data_files(root, &path, out);
            }
        } else if path.is_file() && !NOT_DATA.iter().any(|s| name.ends_with(s)) {
            out.push((relative(root, &path), path));
        }
    }
}

/// `path` relative to `root`, `/`-separated.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
