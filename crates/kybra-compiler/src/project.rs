//! Loads a canister project: parses `main.py`, follows its imports, parses every user
//! module it reaches, and records which bundled (stdlib / `kybra`) modules are needed.
//!
//! Promises: a module that resolves to a file under main.py's directory (`x.py`,
//! `x/__init__.py`, or a directory without `__init__.py` as a namespace package) is a
//! user module; a name known to the bundled standard library is bundled; anything else is
//! a diagnostic naming the file, position, module and what to do. User modules come out in
//! discovery order, `main` first; all problems are collected, not just the first.
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
}

/// The user's modules and the bundled modules they import.
pub struct Project {
    pub modules: Vec<UserModule>,
    /// Absolute names of bundled modules imported by user code (roots of the closure).
    pub bundled: BTreeSet<String>,
}

impl Project {
    pub fn module(&self, name: &str) -> Option<&UserModule> {
        self.modules.iter().find(|m| m.name == name)
    }
}

/// Where a dotted name lives in the user's source directory.
enum UserFile {
    Module(PathBuf),
    Package(PathBuf),
    /// A directory without `__init__.py`.
    Namespace(PathBuf),
}

struct Loader<'s, 'a> {
    src_dir: PathBuf,
    project_root: PathBuf,
    stdlib: &'s Stdlib<'a>,
    modules: Vec<UserModule>,
    by_name: HashMap<String, usize>,
    queue: VecDeque<usize>,
    bundled: BTreeSet<String>,
    diags: Vec<Diagnostic>,
}

/// Loads the project rooted at `main_py`. `Err` only for an unreadable entry file; user
/// code problems are returned as diagnostics beside the (partial) project.
pub fn load(
    main_py: &Path,
    project_root: &Path,
    stdlib: &Stdlib,
) -> Result<(Project, Vec<Diagnostic>), BuildError> {
    // Absolute paths, so that `src/main.py` under root `.` displays as `src/main.py`.
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let main_py = &abs(main_py);
    let src_dir = main_py.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut loader = Loader {
        src_dir,
        project_root: abs(project_root),
        stdlib,
        modules: Vec::new(),
        by_name: HashMap::new(),
        queue: VecDeque::new(),
        bundled: BTreeSet::new(),
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
    while let Some(idx) = loader.queue.pop_front() {
        loader.follow_imports(idx);
    }
    let mut modules = loader.modules;
    modules.sort_by_key(|m| m.library); // stable: the user's modules first, `main` first of all
    Ok((
        Project {
            modules,
            bundled: loader.bundled,
        },
        loader.diags,
    ))
}

impl Loader<'_, '_> {
    fn display_path(&self, path: &Path) -> PathBuf {
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
        let parsed = ruff_python_parser::parse_unchecked_source(&source.text, PySourceType::Python);
        let ast = if parsed.errors().is_empty() {
            Some(parsed.into_syntax())
        } else {
            for err in parsed.errors() {
                self.diags.push(source.diagnostic(
                    err.location.start(),
                    format!("syntax error: {} — fix the Python syntax", err.error),
                ));
            }
            None
        };
        let idx = self.modules.len();
        self.by_name.insert(name.clone(), idx);
        self.modules.push(UserModule {
            name,
            is_package,
            filename,
            source,
            ast,
            library,
        });
        self.queue.push_back(idx);
        idx
    }

    fn find_user(&self, dotted: &str) -> Option<UserFile> {
        let rel: PathBuf = dotted.split('.').collect();
        let base = self.src_dir.join(&rel);
        let init = base.join("__init__.py");
        if init.is_file() {
            return Some(UserFile::Package(init));
        }
        let file = base.with_extension("py");
        if file.is_file() {
            return Some(UserFile::Module(file));
        }
        if base.is_dir() {
            return Some(UserFile::Namespace(base));
        }
        None
    }

    /// True if `top` is the first component of a user module (user code shadows the
    /// stdlib, as `sys.path[0]` does; a bare directory does not shadow a bundled name).
    fn is_user_top(&self, top: &str) -> bool {
        match self.find_user(top) {
            Some(UserFile::Module(_) | UserFile::Package(_)) => true,
            Some(UserFile::Namespace(_)) => !self.stdlib.knows_top_level(top),
            None => false,
        }
    }

    /// Makes the user module `dotted` (and its parent packages) part of the project.
    /// Returns false if it does not exist.
    fn require_user(&mut self, dotted: &str, from: usize, offset: TextSize) -> bool {
        let mut prefix = String::new();
        for part in dotted.split('.') {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(part);
            if self.by_name.contains_key(&prefix) {
                continue;
            }
            let (path, is_package, text) = match self.find_user(&prefix) {
                None => return false,
                Some(UserFile::Namespace(dir)) => {
                    (dir.join("__init__.py"), true, Ok(String::new()))
                }
                Some(UserFile::Package(p)) => {
                    let t = std::fs::read_to_string(&p);
                    (p, true, t)
                }
                Some(UserFile::Module(p)) => {
                    let t = std::fs::read_to_string(&p);
                    (p, false, t)
                }
            };
            match text {
                Ok(text) => {
                    let shown = self.display_path(&path);
                    self.add_module(prefix.clone(), is_package, shown, text, false);
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
        let Some(ast) = &self.modules[idx].ast else {
            return;
        };
        let sites = imports::collect(&ast.body);
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
                    "cannot import `{target}`: it is not a module of this project (no {dir}/{top}.py or {dir}/{top}/__init__.py) \
                     and not in the bundled Python {} standard library — third-party packages are not supported yet: \
                     copy the module into {dir}/ or remove the import",
                    self.stdlib.python_version
                ),
            );
            self.diags.push(d);
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

    fn missing_user(&mut self, idx: usize, offset: TextSize, target: &str) {
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
