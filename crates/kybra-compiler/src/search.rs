//! The module search path of a canister project, as CPython would see it when run from
//! the project: the main module's folder, the project root (the folder of `dfx.json`),
//! the bundled standard library, then the environment's site-packages folders.
//!
//! Promises: [`SearchPath::top`] says where a top-level name comes from, in CPython's
//! order — modules compiled into the interpreter or carried deep-frozen first (CPython's
//! built-in and frozen importers run before the path finder), then the first path entry
//! holding a package or module of that name, and only when none does, a namespace package
//! made of every folder of that name; [`SearchPath::find`] finds a dotted name inside the
//! place its top-level name comes from (a package's submodules live in its folder).
//! One resolver serves the Candid analysis and the bundling. Each folder is listed once
//! per build (a build resolves thousands of names in the same few folders), so files
//! created during a build are not seen by it.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::stdlib::Stdlib;

/// The folders a project's imports are searched in.
#[derive(Clone, Debug, Default)]
pub struct SearchPath {
    /// main.py's folder, then the project root when it is another folder.
    pub project: Vec<PathBuf>,
    /// site-packages folders (`purelib`, `platlib`, folders named by `.pth` files).
    pub site: Vec<PathBuf>,
    listings: Listings,
}

/// What one folder holds: names of its files and of its sub-folders (symbolic links
/// followed), each sorted.
#[derive(Debug, Default)]
struct Listing {
    files: BTreeSet<String>,
    dirs: BTreeSet<String>,
}

/// The folders listed so far.
#[derive(Clone, Debug, Default)]
struct Listings(RefCell<HashMap<PathBuf, Rc<Listing>>>);

impl Listings {
    /// The listing of `dir` (empty if it cannot be read).
    fn of(&self, dir: &Path) -> Rc<Listing> {
        if let Some(l) = self.0.borrow().get(dir) {
            return l.clone();
        }
        let mut listing = Listing::default();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let Ok(mut kind) = entry.file_type() else {
                continue;
            };
            if kind.is_symlink() {
                match std::fs::metadata(entry.path()) {
                    Ok(md) => kind = md.file_type(),
                    Err(_) => continue,
                }
            }
            if kind.is_dir() {
                listing.dirs.insert(name);
            } else if kind.is_file() {
                listing.files.insert(name);
            }
        }
        let listing = Rc::new(listing);
        self.0
            .borrow_mut()
            .insert(dir.to_path_buf(), listing.clone());
        listing
    }
}

/// Where a top-level name comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Top {
    /// The bundled standard library (or a module compiled into the interpreter).
    Stdlib,
    /// A package or module in a project folder.
    Project(PathBuf),
    /// A package or module in a site-packages folder.
    Site(PathBuf),
    /// A namespace package: folders without `__init__.py`, project ones first.
    Namespace {
        project: Vec<PathBuf>,
        site: Vec<PathBuf>,
    },
    Missing,
}

/// What one dotted name is on disk.
#[derive(Clone, Debug, PartialEq)]
pub enum File {
    /// `x/__init__.py`.
    Package(PathBuf),
    /// `x.py`.
    Module(PathBuf),
    /// `x.cpython-311-....so` (or `.pyd`): a compiled extension, with a pure-Python
    /// `x.py` beside it if there is one.
    Extension {
        file: PathBuf,
        pure: Option<PathBuf>,
    },
    /// A folder without `__init__.py` (its portions).
    Namespace(Vec<PathBuf>),
}

impl File {
    pub fn is_package(&self) -> bool {
        matches!(self, File::Package(_) | File::Namespace(_))
    }

    /// The folder a package's submodules are searched in.
    fn dirs(&self) -> Vec<PathBuf> {
        match self {
            File::Package(init) => init.parent().map(Path::to_path_buf).into_iter().collect(),
            File::Namespace(dirs) => dirs.clone(),
            _ => Vec::new(),
        }
    }
}

impl SearchPath {
    pub fn new(main_dir: &Path, project_root: &Path, site: Vec<PathBuf>) -> Self {
        let mut project = vec![main_dir.to_path_buf()];
        if project_root != main_dir {
            project.push(project_root.to_path_buf());
        }
        SearchPath {
            project,
            site,
            listings: Listings::default(),
        }
    }

    /// Where top-level name `top` comes from.
    pub fn top(&self, top: &str, stdlib: &Stdlib) -> Top {
        if stdlib.is_builtin(top) || stdlib.is_frozen(top) {
            return Top::Stdlib;
        }
        let mut namespace = (Vec::new(), Vec::new());
        for dir in &self.project {
            match self.find_in(std::slice::from_ref(dir), top) {
                Some(File::Namespace(d)) => namespace.0.extend(d),
                Some(_) => return Top::Project(dir.clone()),
                None => {}
            }
        }
        if stdlib.knows_top_level(top) {
            return Top::Stdlib;
        }
        for dir in &self.site {
            match self.find_in(std::slice::from_ref(dir), top) {
                Some(File::Namespace(d)) => namespace.1.extend(d),
                Some(_) => return Top::Site(dir.clone()),
                None => {}
            }
        }
        if namespace.0.is_empty() && namespace.1.is_empty() {
            Top::Missing
        } else {
            Top::Namespace {
                project: namespace.0,
                site: namespace.1,
            }
        }
    }

    /// The file of dotted `name` in the folders `top` stands for (`None`: no such module).
    pub fn find(&self, top: &Top, name: &str) -> Option<File> {
        let mut parts = name.split('.');
        let first = parts.next()?;
        let mut file = match top {
            Top::Project(dir) | Top::Site(dir) => self.find_in(std::slice::from_ref(dir), first)?,
            Top::Namespace { project, site } => {
                let dirs: Vec<PathBuf> = project.iter().chain(site).cloned().collect();
                File::Namespace(dirs)
            }
            Top::Stdlib | Top::Missing => return None,
        };
        for part in parts {
            file = self.find_in(&file.dirs(), part)?;
        }
        Some(file)
    }
}

impl SearchPath {
    /// `name` in `dirs`, as CPython's `FileFinder` looks: a folder with `__init__.py` is a
    /// package; else a compiled extension, then `name.py`; else the folders without
    /// `__init__.py` make a namespace package.
    fn find_in(&self, dirs: &[PathBuf], name: &str) -> Option<File> {
        let mut namespace = Vec::new();
        for dir in dirs {
            let listing = self.listings.of(dir);
            let base = dir.join(name);
            let is_dir = listing.dirs.contains(name);
            if is_dir && self.listings.of(&base).files.contains("__init__.py") {
                return Some(File::Package(base.join("__init__.py")));
            }
            let py = format!("{name}.py");
            let pure = listing.files.contains(&py).then(|| dir.join(&py));
            if let Some(file) = extension(&listing, name) {
                return Some(File::Extension {
                    file: dir.join(file),
                    pure,
                });
            }
            if let Some(p) = pure {
                return Some(File::Module(p));
            }
            if is_dir {
                namespace.push(base);
            }
        }
        (!namespace.is_empty()).then_some(File::Namespace(namespace))
    }
}

/// A compiled extension module `name` in a folder: `name.so`, `name.<abi tag>.so`, `.pyd`
/// (the first by name).
fn extension<'l>(listing: &'l Listing, name: &str) -> Option<&'l str> {
    listing.files.iter().map(String::as_str).find(|file| {
        let Some(rest) = file.strip_prefix(name) else {
            return false;
        };
        let ext = rest.ends_with(".so") || rest.ends_with(".pyd");
        ext && (rest == ".so" || rest == ".pyd" || rest.starts_with('.'))
    })
}
