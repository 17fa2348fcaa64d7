//! Loads a canister project: parses `main.py`, follows its imports, parses every user
//! module it reaches, and records which bundled (stdlib / `kybra`) modules are needed.
//!
//! Promises: names resolve through one [`SearchPath`] (main.py's folder, the project root,
//! the bundled standard library, site-packages; see [`crate::search`]): a module in a
//! project folder (`x.py`, `x/__init__.py`, or a directory without `__init__.py` as a
//! namespace package) is a user module; a name known to the bundled standard library is
//! bundled; a module of an installed package is loaded with its closure
//! ([`crate::packages`]); anything else is a diagnostic naming the file, position, module
//! and what to do. User modules come out in discovery order, `main` first, then library
//! modules, then package modules; all problems are collected, not just the first.
//! An import of the `kybra` package's library modules (`kybra.canisters.management`, in
//! any import style) loads them from the sources the compiler embeds
//! ([`crate::embedded`]) as modules analysed like user code, flagged
//! [`UserModule::library`] and placed after the user's own modules.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

use ruff_python_ast::{ModModule, PySourceType};
use ruff_text_size::TextSize;

use crate::diagnostic::{BuildError, Diagnostic, SourceText};
use crate::embedded as bundle;
use crate::imports::{self, ImportSite};
use crate::packages::{self, SiteModule};
use crate::search::{File, SearchPath, Top};
use crate::stdlib::Stdlib;

/// One module of the user's project.
pub struct UserModule {
    /// Dotted module name (`main`, `pkg.sub`).
    pub name: String,
    pub is_package: bool,
    /// Path relative to the project root with `/` separators (what tracebacks show).
    pub filename: String,
    pub source: SourceText,
    /// The syntax tree; `None` when the file has syntax errors (already reported).
    pub ast: Option<ModModule>,
    /// A module of the `kybra` package read from the compiler's embedded sources, not a
    /// file of the project.
    pub library: bool,
    /// A module of an installed package: shipped as a file, not compiled into the payload.
    pub site: Option<SiteModule>,
}

impl UserModule {
    /// True for the project's own modules (not `kybra` library nor package modules).
    pub fn is_user(&self) -> bool {
        !self.library && self.site.is_none()
    }
}

/// The user's modules and the bundled modules they import.
pub struct Project {
    pub modules: Vec<UserModule>,
    /// Absolute names of bundled modules imported by user code (roots of the closure).
    pub bundled: BTreeSet<String>,
    /// What package modules import only on paths the closure leaves out (stubbed when
    /// they are bundled modules).
    pub deferred: BTreeSet<String>,
    /// The installed packages' files the canister carries, and what was left out.
    pub site: packages::Shipped,
}

impl Project {
    pub fn module(&self, name: &str) -> Option<&UserModule> {
        self.modules.iter().find(|m| m.name == name)
    }
}

pub(crate) struct Loader<'s, 'a> {
    pub(crate) src_dir: PathBuf,
    pub(crate) project_root: PathBuf,
    pub(crate) search: SearchPath,
    pub(crate) stdlib: &'s Stdlib<'a>,
    pub(crate) modules: Vec<UserModule>,
    pub(crate) by_name: HashMap<String, usize>,
    queue: VecDeque<usize>,
    pub(crate) bundled: BTreeSet<String>,
    pub(crate) deferred: BTreeSet<String>,
    pub(crate) packages: packages::State,
    pub(crate) diags: Vec<Diagnostic>,
}

/// Loads the project rooted at `main_py`, with `site` as its site-packages folders.
/// `Err` only for an unreadable entry file; user code problems are returned as
/// diagnostics beside the (partial) project.
pub fn load(
    main_py: &Path,
    project_root: &Path,
    site: &[PathBuf],
    stdlib: &Stdlib,
) -> Result<(Project, Vec<Diagnostic>), BuildError> {
    // Absolute paths, so that `src/main.py` under root `.` displays as `src/main.py`.
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let main_py = &abs(main_py);
    let src_dir = main_py.parent().map(Path::to_path_buf).unwrap_or_default();
    let project_root = abs(project_root);
    let site: Vec<PathBuf> = site.iter().map(|d| abs(d)).collect();
    let mut loader = Loader {
        search: SearchPath::new(&src_dir, &project_root, site.clone()),
        src_dir,
        project_root,
        stdlib,
        modules: Vec::new(),
        by_name: HashMap::new(),
        queue: VecDeque::new(),
        bundled: BTreeSet::new(),
        deferred: BTreeSet::new(),
        packages: packages::State::new(&site),
        diags: Vec::new(),
    };
    let text = std::fs::read_to_string(main_py).map_err(|source| BuildError::Entry {
        path: main_py.to_path_buf(),
        source,
    })?;
    let entry = main_py
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("main")
        .to_string();
    let shown = loader.display_path(main_py);
    loader.add_module(entry, false, shown, text, false);
    loop {
        while let Some(idx) = loader.queue.pop_front() {
            loader.follow_imports(idx);
        }
        // Packages the bundled modules reach by computed names (zoneinfo -> tzdata).
        if !loader.follow_dynamic_imports() {
            break;
        }
    }
    let site = loader.shipped();
    let mut modules = loader.modules;
    // Stable: the user's modules first (`main` first of all), then library, then packages.
    modules.sort_by_key(|m| (m.site.is_some(), m.library));
    Ok((
        Project {
            modules,
            bundled: loader.bundled,
            deferred: loader.deferred,
            site,
        },
        loader.diags,
    ))
}

impl Loader<'_, '_> {
    pub(crate) fn display_path(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.project_root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf())
    }

    fn add_module(
        &mut self,
        name: String,
        is_package: bool,
        display: PathBuf,
        text: String,
        library: bool,
    ) -> usize {
        let filename = display.to_string_lossy().replace('\\', "/");
        let source = SourceText::new(display, text);
        let ast = parse(&source, &mut self.diags);
        self.push_module(UserModule {
            name,
            is_package,
            filename,
            source,
            ast,
            library,
            site: None,
        })
    }

    /// Adds a loaded module to the project and queues its imports.
    pub(crate) fn push_module(&mut self, module: UserModule) -> usize {
        let idx = self.modules.len();
        self.by_name.insert(module.name.clone(), idx);
        self.modules.push(module);
        self.queue.push_back(idx);
        idx
    }

    /// The project file of `dotted`, if its top-level name is the project's.
    fn find_user(&self, dotted: &str) -> Option<File> {
        let top = dotted.split('.').next().unwrap_or_default();
        match self.search.top(top, self.stdlib) {
            t @ Top::Project(_) => self.search.find(&t, dotted),
            Top::Namespace { project, .. } if !project.is_empty() => {
                let t = Top::Namespace {
                    project,
                    site: Vec::new(),
                };
                self.search.find(&t, dotted)
            }
            _ => None,
        }
    }

    /// True if `top` is the first component of a user module (user code shadows the
    /// stdlib, as `sys.path[0]` does; a bare directory does not shadow a bundled name).
    fn is_user_top(&self, top: &str) -> bool {
        match self.search.top(top, self.stdlib) {
            Top::Project(_) => true,
            Top::Namespace { project, .. } => !project.is_empty(),
            _ => false,
        }
    }

    /// Makes the user module `dotted` (and its parent packages) part of the project.
    /// Returns false if it does not exist.
    pub(crate) fn require_user(&mut self, dotted: &str, from: usize, offset: TextSize) -> bool {
        for prefix in imports::prefixes(dotted) {
            if self.by_name.contains_key(prefix) {
                continue;
            }
            let (path, is_package, text) = match self.find_user(prefix) {
                None => return false,
                Some(File::Namespace(dirs)) => {
                    (dirs[0].join("__init__.py"), true, Ok(String::new()))
                }
                Some(File::Package(p)) => {
                    let t = std::fs::read_to_string(&p);
                    (p, true, t)
                }
                Some(File::Module(p) | File::Extension { pure: Some(p), .. }) => {
                    let t = std::fs::read_to_string(&p);
                    (p, false, t)
                }
                Some(File::Extension { file, pure: None }) => {
                    let shown = self.display_path(&file);
                    let d = self.modules[from].source.diagnostic(
                        offset,
                        format!(
                            "cannot import `{prefix}`: {} is a compiled extension, which cannot run in a canister — \
                             use a pure-Python module instead",
                            shown.display()
                        ),
                    );
                    self.diags.push(d);
                    return true;
                }
            };
            match text {
                Ok(text) => {
                    let shown = self.display_path(&path);
                    self.add_module(prefix.to_string(), is_package, shown, text, false);
                }
                Err(e) => {
                    let shown = self.display_path(&path);
                    let d = self.modules[from].source.diagnostic(
                        offset,
                        format!("cannot read module `{prefix}` from {}: {e} — make it a readable UTF-8 file", shown.display()),
                    );
                    self.diags.push(d);
                    return true; // reported; do not report "missing" as well
                }
            }
        }
        true
    }

    fn follow_imports(&mut self, idx: usize) {
        if self.modules[idx].site.is_some() {
            return self.follow_package_imports(idx);
        }
        let Some(ast) = &self.modules[idx].ast else {
            return;
        };
        let mut sites = imports::collect(&ast.body);
        sites.extend(imports::literal_imports(&ast.body));
        for site in sites {
            self.resolve(idx, &site);
        }
    }

    fn resolve(&mut self, idx: usize, site: &ImportSite) {
        let (cur_name, cur_pkg) = (self.modules[idx].name.clone(), self.modules[idx].is_package);
        let target = match imports::absolute(&cur_name, cur_pkg, site.level, &site.module) {
            Ok(t) => t,
            Err(why) => {
                let hint = "write an absolute import such as `from mymodule import name`";
                let d = self.modules[idx]
                    .source
                    .diagnostic(site.offset, format!("cannot import: {why} — {hint}"));
                self.diags.push(d);
                return;
            }
        };
        let top = target.split('.').next().unwrap_or_default().to_string();
        if target == "kybra" && site.is_from && !site.optional && !self.is_user_top(&top) {
            self.check_kybra_names(idx, site);
        }
        if self.is_user_top(&top) {
            if !self.require_user(&target, idx, site.offset) {
                if !site.optional {
                    self.missing_user(idx, site.offset, &target);
                }
                return;
            }
            if site.is_from {
                for (name, _) in &site.names {
                    if name != "*" {
                        let sub = format!("{target}.{name}");
                        if self.find_user(&sub).is_some() {
                            self.require_user(&sub, idx, site.offset);
                        }
                    }
                }
            }
        } else if bundle::is_library_name(&target)
            || (target == "kybra"
                && site
                    .names
                    .iter()
                    .any(|(n, _)| bundle::is_library_name(&format!("kybra.{n}"))))
        {
            self.resolve_library(idx, site, &target);
        } else if let Some(found) = self.site_top(&top) {
            self.resolve_site(idx, site, &target, found);
        } else if self.stdlib.knows_top_level(&top) {
            self.bundled.insert(target.clone());
            if site.is_from {
                for (name, _) in &site.names {
                    let sub = format!("{target}.{name}");
                    if self.stdlib.has(&sub) {
                        self.bundled.insert(sub);
                    }
                }
            }
        } else if !site.optional && target != "__future__" {
            // (`__future__` is a compiler directive first; bundled above when indexed.)
            let dir = self.display_path(&self.src_dir);
            let dir = if dir.as_os_str().is_empty() {
                ".".into()
            } else {
                dir.display().to_string()
            };
            let d = self.modules[idx].source.diagnostic(
                site.offset,
                format!(
                    "cannot import `{target}`: it is not a module of this project (no {dir}/{top}.py or {dir}/{top}/__init__.py), \
                     not in the bundled Python {} standard library and not installed in {} — \
                     if it is a package from PyPI, `pip install` it into that environment; otherwise fix the module name",
                    self.stdlib.python_version,
                    self.packages.describe_environment(),
                ),
            );
            self.diags.push(d);
        }
    }

    /// `from kybra import X`: each X must be one of the package's names or submodules — a
    /// diagnostic at the name otherwise (it would fail only at install).
    fn check_kybra_names(&mut self, idx: usize, site: &ImportSite) {
        for (name, offset) in &site.names {
            let sub = format!("kybra.{name}");
            let known = name == "*"
                || name.starts_with("__")
                || bundle::KYBRA_NAMES.contains(&name.as_str())
                || bundle::is_library_name(&sub)
                || self.stdlib.has(&sub);
            if !known {
                let d = self.modules[idx].source.diagnostic(
                    *offset,
                    format!(
                        "cannot import `{name}` from kybra: the kybra package has no such name — \
                         check the spelling against `kybra.__all__` (e.g. `query`, `update`, `Func`, `StableBTreeMap`)"
                    ),
                );
                self.diags.push(d);
            }
        }
    }

    /// An import of `kybra.canisters...` (or `from kybra import canisters`): loads the
    /// library modules it names from the embedded sources.
    fn resolve_library(&mut self, idx: usize, site: &ImportSite, target: &str) {
        if target == "kybra" {
            // `from kybra import canisters` imports the subpackage; other names are bundled.
            self.bundled.insert("kybra".into());
            for (name, _) in &site.names {
                let sub = format!("kybra.{name}");
                if bundle::is_library_name(&sub) {
                    self.require_library(&sub, idx, site.offset);
                } else if self.stdlib.has(&sub) {
                    self.bundled.insert(sub);
                }
            }
            return;
        }
        if !self.require_library(target, idx, site.offset) {
            return;
        }
        if site.is_from {
            for (name, _) in &site.names {
                let sub = format!("{target}.{name}");
                if name != "*" && bundle::library_source(&sub).is_some() {
                    self.require_library(&sub, idx, site.offset);
                }
            }
        }
    }

    /// Makes library module `dotted` (and its parent packages; `kybra` itself is bundled)
    /// part of the project; reports a diagnostic and returns false if there is no such module.
    fn require_library(&mut self, dotted: &str, from: usize, offset: TextSize) -> bool {
        self.bundled.insert("kybra".into());
        let mut prefix = String::from("kybra");
        for part in dotted.split('.').skip(1) {
            prefix.push('.');
            prefix.push_str(part);
            if self.by_name.contains_key(&prefix) {
                continue;
            }
            let Some(lib) = bundle::library_source(&prefix) else {
                let known: Vec<&str> = bundle::LIBRARY_SOURCES
                    .iter()
                    .map(|m| m.name)
                    .filter(|n| !n.contains("._"))
                    .collect();
                let d = self.modules[from].source.diagnostic(
                    offset,
                    format!("cannot import `{dotted}`: the kybra package has no module `{prefix}` — it has {}", known.join(", ")),
                );
                self.diags.push(d);
                return false;
            };
            self.add_module(
                lib.name.to_string(),
                lib.is_package,
                PathBuf::from(lib.filename),
                lib.text.to_string(),
                true,
            );
        }
        true
    }

    pub(crate) fn missing_user(&mut self, idx: usize, offset: TextSize, target: &str) {
        let rel: PathBuf = target.split('.').collect();
        let shown = self.display_path(&self.src_dir.join(&rel));
        let d = self.modules[idx].source.diagnostic(
            offset,
            format!(
                "cannot import `{target}`: there is no {}.py or {}/__init__.py — create it or fix the module name",
                shown.display(),
                shown.display()
            ),
        );
        self.diags.push(d);
    }
}

/// Parses `source`, reporting syntax errors as diagnostics (`None` then).
pub(crate) fn parse(source: &SourceText, diags: &mut Vec<Diagnostic>) -> Option<ModModule> {
    let parsed = ruff_python_parser::parse_unchecked_source(&source.text, PySourceType::Python);
    if parsed.errors().is_empty() {
        return Some(parsed.into_syntax());
    }
    for err in parsed.errors() {
        diags.push(source.diagnostic(
            err.location.start(),
            format!("syntax error: {} — fix the Python syntax", err.error),
        ));
    }
    None
}
