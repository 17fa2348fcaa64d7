//! The loader's side of installed packages: resolving an import to a package module,
//! deciding whether it can load in a canister, following a package module's edges, and
//! listing the files the canister carries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ruff_text_size::TextSize;

use super::{data_files, relative, Avail, PackageReport, Parsed, Shipped, SiteModule, Unloadable};
use super::{edges, DYNAMIC_IMPORTS, PATH_FINDER_IMPORTS};
use crate::diagnostic::SourceText;
use crate::imports::ImportSite;
use crate::project::{parse, Loader, UserModule};
use crate::search::{File, Top};

impl Loader<'_, '_> {
    /// Where `top` comes from, if that is site-packages (alone: a namespace package with
    /// a project portion belongs to the project).
    pub(crate) fn site_top(&self, top: &str) -> Option<Top> {
        match self.search.top(top, self.stdlib) {
            t @ Top::Site(_) => Some(t),
            Top::Namespace { project, site } if project.is_empty() => {
                Some(Top::Namespace { project, site })
            }
            _ => None,
        }
    }

    fn site_file(&self, name: &str) -> Option<(File, PathBuf)> {
        let top = self.site_top(name.split('.').next()?)?;
        let file = self.search.find(&top, name)?;
        let root = match &top {
            Top::Site(dir) => dir.clone(),
            _ => self
                .search
                .site
                .iter()
                .find(|d| path_of(&file).starts_with(d))?
                .clone(),
        };
        Some((file, root))
    }

    /// A user module's import of package module `target` (`found`: where its top is).
    pub(crate) fn resolve_site(
        &mut self,
        idx: usize,
        site: &ImportSite,
        target: &str,
        _found: Top,
    ) {
        let mut wanted = vec![target.to_string()];
        if site.is_from {
            for (name, _) in &site.names {
                let sub = format!("{target}.{name}");
                if name != "*" && self.site_file(&sub).is_some() {
                    wanted.push(sub);
                }
            }
        }
        for name in wanted {
            match self.avail(&name) {
                Avail::Yes => {
                    self.require_site(&name);
                }
                Avail::Needs(u) if !site.optional => {
                    let message = self.unloadable_message(&name, &u);
                    let d = self.modules[idx].source.diagnostic(site.offset, message);
                    self.diags.push(d);
                }
                Avail::Missing if !site.optional && name == target => {
                    let top = target.split('.').next().unwrap_or_default();
                    let d = self.modules[idx].source.diagnostic(
                        site.offset,
                        format!(
                            "cannot import `{target}`: the installed package `{top}` has no module `{target}` \
                             — fix the module name, or install the release of the package that has it"
                        ),
                    );
                    self.diags.push(d);
                }
                _ => {}
            }
        }
    }

    fn unloadable_message(&self, target: &str, u: &Unloadable) -> String {
        let top = u.extension.split('.').next().unwrap_or_default();
        let dist = self
            .search
            .site
            .iter()
            .find_map(|d| self.packages.dists.owner(d, top));
        let (name, version) = dist
            .map(|d| (d.name.clone(), format!(" {}", d.version)))
            .unwrap_or_else(|| (top.to_string(), String::new()));
        let last = u.extension.rsplit('.').next().unwrap_or_default();
        let release = match dist {
            Some(d) if !d.tags.is_empty() && !d.is_pure() => format!(
                "the installed release is a platform wheel ({}): a pure-Python release would be a \
                 `py3-none-any` wheel, which `pip download --no-deps --only-binary=:all: --platform any {name}` finds if it exists",
                d.tags[0]
            ),
            _ => "no pure-Python release is installed".to_string(),
        };
        format!(
            "cannot import `{target}`: module `{}` of package {name}{version} needs the compiled extension {} \
             (module `{}`), and compiled extensions cannot run in a canister; there is no pure-Python fallback \
             for it (no {last}.py beside it, no `except ImportError:` around the import) and {release} — \
             use a pure-Python package instead",
            u.module,
            u.file.display(),
            u.extension,
        )
    }

    /// Whether package module `name` can be imported in a canister: a compiled extension
    /// (without a pure `.py` beside it) cannot, nor a module that imports one at import
    /// time outside `try ... except ImportError`.
    fn avail(&mut self, name: &str) -> Avail {
        if let Some(a) = self.packages.avail.get(name) {
            return a.clone();
        }
        let Some((file, _)) = self.site_file(name) else {
            // `from pkg import attr` names an attribute of an importable module.
            let parent = name.rsplit_once('.').map(|(p, _)| p.to_string());
            return match parent {
                Some(p) if self.site_file(&p).is_some() => self.avail(&p),
                _ => Avail::Missing,
            };
        };
        let path = match file {
            File::Extension { file, pure: None } => {
                let a = Avail::Needs(Unloadable {
                    module: name.to_string(),
                    extension: name.to_string(),
                    file,
                });
                self.packages.avail.insert(name.to_string(), a.clone());
                return a;
            }
            File::Namespace(_) => return Avail::Yes,
            File::Package(p) | File::Module(p) | File::Extension { pure: Some(p), .. } => p,
        };
        self.packages.avail.insert(name.to_string(), Avail::Yes); // import cycles
        let is_package = path.ends_with("__init__.py");
        let eager: Vec<String> = self
            .parsed(name, is_package, &path)
            .edges
            .eager
            .iter()
            .cloned()
            .collect();
        let mut result = Avail::Yes;
        for e in eager {
            if self
                .site_top(e.split('.').next().unwrap_or_default())
                .is_none()
            {
                continue;
            }
            if let Avail::Needs(mut u) = self.avail(&e) {
                if u.module == u.extension {
                    u.module = name.to_string();
                }
                result = Avail::Needs(u);
                break;
            }
        }
        self.packages.avail.insert(name.to_string(), result.clone());
        result
    }

    /// The parsed and classified package module at `path` (read once per build).
    fn parsed(&mut self, name: &str, is_package: bool, path: &Path) -> &Parsed {
        if !self.packages.parsed.contains_key(path) {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let source = SourceText::new(path.to_path_buf(), text);
            let mut ignored = Vec::new();
            let ast = parse(&source, &mut ignored);
            let stdlib = self.stdlib;
            let edges = ast
                .as_ref()
                .map(|a| {
                    let nic = |n: &str| stdlib.not_in_a_canister(n);
                    edges::classify(name, is_package, &a.body, edges::Rules::packages(&nic))
                })
                .unwrap_or_default();
            self.packages.parsed.insert(
                path.to_path_buf(),
                Parsed {
                    text: source.text,
                    ast,
                    edges,
                },
            );
        }
        &self.packages.parsed[path]
    }

    /// Makes package module `dotted` and its parent packages part of the project.
    fn require_site(&mut self, dotted: &str) {
        for prefix in crate::imports::prefixes(dotted) {
            if self.by_name.contains_key(prefix) {
                continue;
            }
            let Some((file, root)) = self.site_file(prefix) else {
                return;
            };
            let (path, is_package) = match &file {
                File::Namespace(dirs) => (dirs[0].clone(), true),
                File::Package(p) => (p.clone(), true),
                File::Module(p) | File::Extension { pure: Some(p), .. } => (p.clone(), false),
                File::Extension { pure: None, .. } => return,
            };
            let (text, ast) = if matches!(file, File::Namespace(_)) {
                (String::new(), None)
            } else {
                self.parsed(prefix, is_package, &path);
                let p = self.packages.parsed.get_mut(&path).expect("parsed above");
                (std::mem::take(&mut p.text), p.ast.take())
            };
            let rel = relative(&root, &path);
            self.push_module(UserModule {
                name: prefix.to_string(),
                is_package,
                filename: format!("{}/{rel}", kybra_interface::SITE_PACKAGES),
                source: SourceText::new(path.clone(), text),
                ast,
                library: false,
                site: Some(SiteModule { root, rel }),
            });
        }
    }

    /// Follows the edges of package module `idx`.
    pub(crate) fn follow_package_imports(&mut self, idx: usize) {
        let Some(site) = self.modules[idx].site.clone() else {
            return;
        };
        let path = site.root.join(&site.rel);
        let Some(parsed) = self.packages.parsed.get(&path) else {
            return; // a namespace package: no code
        };
        let e = parsed.edges.clone();
        let name = self.modules[idx].name.clone();
        for n in &e.eager {
            if !self.require_any(n, idx) {
                self.packages
                    .unresolved
                    .entry(name.clone())
                    .or_default()
                    .insert(n.clone());
            }
        }
        for n in &e.lazy {
            self.require_any(n, idx);
        }
        for n in &e.guarded {
            if self.loadable(n) {
                self.require_any(n, idx);
            }
        }
        for (fallback, primaries) in &e.fallbacks {
            if primaries.iter().any(|p| !self.loadable(p)) {
                self.require_any(fallback, idx);
            }
        }
        self.deferred.extend(e.deferred.iter().cloned());
    }

    /// Follows an edge of a package module to wherever `name` comes from; false if it
    /// resolves nowhere (and is not an attribute of a module that does).
    fn require_any(&mut self, name: &str, from: usize) -> bool {
        let top = name.split('.').next().unwrap_or_default();
        match self.search.top(top, self.stdlib) {
            Top::Stdlib => {
                self.bundled.insert(name.to_string());
                true
            }
            Top::Project(_) | Top::Namespace { .. } if self.site_top(top).is_none() => {
                self.require_user(name, from, TextSize::default())
                    || name
                        .rsplit_once('.')
                        .is_some_and(|(p, _)| self.by_name.contains_key(p))
            }
            Top::Missing => false,
            _ => match self.avail(name) {
                Avail::Yes => {
                    self.require_site(name);
                    true
                }
                Avail::Needs(_) => true,
                Avail::Missing => false,
            },
        }
    }

    /// True if importing `name` can succeed in the canister.
    fn loadable(&mut self, name: &str) -> bool {
        let top = name.split('.').next().unwrap_or_default();
        match self.search.top(top, self.stdlib) {
            Top::Stdlib => self.stdlib.provides(name),
            Top::Missing => false,
            Top::Project(_) => true,
            Top::Namespace { .. } | Top::Site(_) => self.avail(name) == Avail::Yes,
        }
    }

    /// Ships packages the bundled standard library imports by computed names; true if
    /// that added anything (the loader then follows it).
    pub(crate) fn follow_dynamic_imports(&mut self) -> bool {
        let mut added = false;
        let any_site = self.modules.iter().any(|m| m.site.is_some());
        if any_site
            && !PATH_FINDER_IMPORTS
                .iter()
                .all(|m| self.bundled.contains(*m))
        {
            self.bundled
                .extend(PATH_FINDER_IMPORTS.iter().map(|m| m.to_string()));
            added = true;
        }
        for (trigger, package, roots) in DYNAMIC_IMPORTS {
            if self.packages.whole.contains(*package) || self.site_top(package).is_none() {
                continue;
            }
            let carried = self
                .stdlib
                .closure(self.bundled.iter().map(String::as_str))
                .iter()
                .any(|m| m.name == *trigger);
            if !carried {
                continue;
            }
            self.packages.whole.insert(package.to_string());
            self.bundled.extend(roots.iter().map(|r| r.to_string()));
            for module in self.modules_of(package) {
                self.require_site(&module);
            }
            added = true;
        }
        added
    }

    /// Every module of installed package `top` (its packages and `.py` files).
    fn modules_of(&self, top: &str) -> Vec<String> {
        fn walk(dir: &Path, name: &str, out: &mut Vec<String>) {
            out.push(name.to_string());
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            let mut paths: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for p in paths {
                let stem = p
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_string();
                if p.is_dir() && p.join("__init__.py").is_file() {
                    walk(&p, &format!("{name}.{stem}"), out);
                } else if p.extension().is_some_and(|e| e == "py") && stem != "__init__" {
                    out.push(format!("{name}.{stem}"));
                }
            }
        }
        let mut out = Vec::new();
        if let Some((File::Package(init), _)) = self.site_file(top) {
            if let Some(dir) = init.parent() {
                walk(dir, top, &mut out);
            }
        }
        out
    }

    /// The package files the project carries, and the per-distribution report.
    pub(crate) fn shipped(&self) -> Shipped {
        let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
        // One entry per distribution (`attrs` installs `attr` and `attrs`), else per top.
        let mut report: BTreeMap<PathBuf, PackageReport> = BTreeMap::new();
        for m in &self.modules {
            let Some(site) = &m.site else { continue };
            let top = m.name.split('.').next().unwrap_or_default().to_string();
            let dist = self.packages.dists.owner(&site.root, &top);
            let key = dist.map_or_else(|| site.root.join(&top), |d| d.dir.clone());
            let entry = report.entry(key).or_insert_with(|| PackageReport {
                name: dist.map_or(top.clone(), |d| d.name.clone()),
                version: dist.map(|d| d.version.clone()).unwrap_or_default(),
                ..PackageReport::default()
            });
            entry.modules.push(m.name.clone());
            if let Some(unresolved) = self.packages.unresolved.get(&m.name) {
                entry.unresolved.extend(unresolved.iter().cloned());
            }
            let path = site.root.join(&site.rel);
            if !site.rel.ends_with(".py") {
                continue; // a namespace package: a folder, no file
            }
            entry.code_bytes += m.source.text.len();
            files.insert(site.rel.clone(), path.clone());
            if m.is_package {
                let mut data = Vec::new();
                data_files(&site.root, path.parent().unwrap_or(&site.root), &mut data);
                for (rel, host) in data {
                    entry.data_bytes += std::fs::metadata(&host).map_or(0, |md| md.len() as usize);
                    entry.data_files.push(rel.clone());
                    files.insert(rel, host);
                }
            }
        }
        let mut report: Vec<PackageReport> = report.into_values().collect();
        for r in &mut report {
            r.modules.sort();
            r.data_files.sort();
            r.unresolved.sort();
            r.unresolved.dedup();
        }
        report.sort_by_key(|a| a.name.to_lowercase());
        Shipped {
            files: files.into_iter().collect(),
            report,
        }
    }
}

fn path_of(file: &File) -> &Path {
    match file {
        File::Package(p) | File::Module(p) => p,
        File::Extension { file, .. } => file,
        File::Namespace(dirs) => &dirs[0],
    }
}
