//! The project: `dfx.json`, its canisters of every kind, and where their build outputs go.
//!
//! Promises: finds the project root (the nearest directory with a `dfx.json`, searching
//! upwards); reads every canister kind of dfx.json — Python (the book's custom build
//! `python -m kybra NAME MAIN DID`, or `{"type": "kybra", "main": ...}`), `custom` (a
//! prebuilt `wasm`, optional `build` commands), `rust` (a cargo `package`) and `assets` (a
//! frontend's `source` folders); `motoko` and `pull` canisters are kept as
//! [`CanisterKind::Unsupported`] so that commands touching them fail before doing anything;
//! orders canisters by their `dependencies`. Every error names the file and says what to
//! write instead. Outputs live in `.kybra/NAME/`.

mod dfx_json;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use dfx_json::{parse_build_command, parse_dfx_json, BuildCommand, BuildCommandError};

/// The file dfx and kybra read.
pub const DFX_JSON: &str = "dfx.json";

/// What can go wrong while reading a project.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("no {DFX_JSON} in {0} or any parent directory: run `kybra new NAME` to create a project, or cd into one")]
    NotFound(PathBuf),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: invalid {DFX_JSON}: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: canister `{name}`: {message}")]
    Canister {
        path: PathBuf,
        name: String,
        message: String,
    },
    #[error("{path}: no canisters: add one like {{\"canisters\": {{\"hello\": {{\"type\": \"kybra\", \"main\": \"src/main.py\"}}}}}}")]
    NoCanisters { path: PathBuf },
    #[error("{path}: no canister named `{name}` (canisters here: {available})")]
    UnknownCanister {
        path: PathBuf,
        name: String,
        available: String,
    },
    #[error("{path}: canister `{name}` depends on `{dependency}`, which dfx.json does not declare (canisters here: {available})")]
    UnknownDependency {
        path: PathBuf,
        name: String,
        dependency: String,
        available: String,
    },
    #[error(
        "{path}: the `dependencies` of these canisters form a cycle: {cycle}; remove one of them"
    )]
    DependencyCycle { path: PathBuf, cycle: String },
}

/// A canister declared in dfx.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanisterSpec {
    /// The canister's name in dfx.json.
    pub name: String,
    /// How it is built.
    pub kind: CanisterKind,
    /// Commands to run after install (dfx's `post_install`).
    pub post_install: Vec<String>,
    /// The id to create the canister with (dfx's `specified_id`; local replicas only).
    pub specified_id: Option<String>,
    /// Canisters to create, build and install before this one (dfx's `dependencies`).
    pub dependencies: Vec<String>,
    /// The install argument (dfx's `init_arg` or `init_arg_file`), Candid text.
    pub init_arg: Option<InitArg>,
}

/// dfx.json's install argument of a canister.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitArg {
    /// `init_arg`: Candid text.
    Text(String),
    /// `init_arg_file`: a file of Candid text, relative to the project root.
    File(PathBuf),
}

/// How a canister is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanisterKind {
    /// A Python canister that Kybra compiles.
    Python(PythonSource),
    /// dfx's `custom`: a prebuilt module, after optional build commands.
    Custom(CustomSource),
    /// dfx's `rust`: `cargo build --target wasm32-unknown-unknown --release -p PACKAGE`.
    Rust(RustSource),
    /// dfx's `assets`: the asset canister, with the files of `source` uploaded.
    Assets(AssetsSource),
    /// A kind Kybra cannot build here (`motoko`, `pull`, unknown types): what is missing.
    Unsupported { kind: String, reason: String },
}

/// A Python canister.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonSource {
    /// The name the build uses for `.kybra/<output_name>/` (the NAME of the build string;
    /// equal to the canister's name unless the build string says otherwise).
    pub output_name: String,
    /// The entry module, relative to the project root.
    pub main: PathBuf,
    /// Where to write the generated Candid (the build string's DID and/or `candid`).
    pub candid: Vec<PathBuf>,
}

/// A `custom` canister.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomSource {
    /// The module (raw or gzip), relative to the project root.
    pub wasm: PathBuf,
    /// Its Candid interface, if given.
    pub candid: Option<PathBuf>,
    /// Commands run (in order, from the project root) before the module is read.
    pub build: Vec<String>,
    /// Custom sections to add (dfx's `metadata`).
    pub metadata: Vec<Metadata>,
}

/// A `rust` canister.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustSource {
    /// The cargo package.
    pub package: String,
    /// Its Candid interface.
    pub candid: PathBuf,
    /// Custom sections to add (dfx's `metadata`).
    pub metadata: Vec<Metadata>,
}

/// An `assets` canister.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetsSource {
    /// Folders whose files are uploaded, relative to the project root.
    pub source: Vec<PathBuf>,
    /// Commands run (in order, from the project root) before uploading (e.g. a bundler).
    pub build: Vec<String>,
}

/// One entry of dfx.json's `metadata`: a custom section `icp:public NAME` or `icp:private NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub name: String,
    pub public: bool,
    pub content: MetadataContent,
    /// The networks it is added for (all when None).
    pub networks: Option<Vec<String>>,
}

/// Where a metadata section's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataContent {
    Text(String),
    /// A file, relative to the project root.
    File(PathBuf),
}

impl CanisterSpec {
    /// The Python source, for a Python canister.
    pub fn python(&self) -> Option<&PythonSource> {
        match &self.kind {
            CanisterKind::Python(source) => Some(source),
            _ => None,
        }
    }

    /// The name of the canister's folder in `.kybra/`.
    pub fn output_name(&self) -> &str {
        match &self.kind {
            CanisterKind::Python(source) => &source.output_name,
            _ => &self.name,
        }
    }

    /// The kind as dfx.json names it.
    pub fn kind_name(&self) -> &str {
        match &self.kind {
            CanisterKind::Python(_) => "kybra",
            CanisterKind::Custom(_) => "custom",
            CanisterKind::Rust(_) => "rust",
            CanisterKind::Assets(_) => "assets",
            CanisterKind::Unsupported { kind, .. } => kind,
        }
    }
}

/// A project: its root directory and its canisters (sorted by name).
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub canisters: Vec<CanisterSpec>,
}

/// The nearest directory at or above `start` that holds a dfx.json.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(DFX_JSON).is_file())
        .map(Path::to_path_buf)
}

impl Project {
    /// Reads the project that contains `start`.
    pub fn discover(start: &Path) -> Result<Project, ProjectError> {
        let root = find_root(start).ok_or_else(|| ProjectError::NotFound(start.to_path_buf()))?;
        Project::load(&root)
    }

    /// Reads `root/dfx.json`.
    pub fn load(root: &Path) -> Result<Project, ProjectError> {
        let path = root.join(DFX_JSON);
        let text = std::fs::read_to_string(&path).map_err(|source| ProjectError::Read {
            path: path.clone(),
            source,
        })?;
        let canisters = parse_dfx_json(&path, &text)?;
        Ok(Project {
            root: root.to_path_buf(),
            canisters,
        })
    }

    fn dfx_json(&self) -> PathBuf {
        self.root.join(DFX_JSON)
    }

    /// The canister named `name`, or every canister when `name` is None.
    pub fn select(&self, name: Option<&str>) -> Result<Vec<&CanisterSpec>, ProjectError> {
        if self.canisters.is_empty() {
            return Err(ProjectError::NoCanisters {
                path: self.dfx_json(),
            });
        }
        match name {
            None => Ok(self.canisters.iter().collect()),
            Some(name) => self.canister(name).map(|c| vec![c]),
        }
    }

    /// The canister named `name` and everything it depends on (every canister when `name`
    /// is None), dependencies first, as dfx deploys them; ties keep dfx.json's (sorted) order.
    pub fn with_dependencies(
        &self,
        name: Option<&str>,
    ) -> Result<Vec<&CanisterSpec>, ProjectError> {
        let roots = self.select(name)?;
        let mut order = Vec::new();
        let mut done = BTreeSet::new();
        for root in roots {
            self.visit(root, &mut Vec::new(), &mut done, &mut order)?;
        }
        Ok(order)
    }

    fn visit<'a>(
        &'a self,
        canister: &'a CanisterSpec,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        order: &mut Vec<&'a CanisterSpec>,
    ) -> Result<(), ProjectError> {
        if done.contains(canister.name.as_str()) {
            return Ok(());
        }
        if let Some(start) = path.iter().position(|n| *n == canister.name) {
            let mut cycle: Vec<&str> = path[start..].to_vec();
            cycle.push(&canister.name);
            return Err(ProjectError::DependencyCycle {
                path: self.dfx_json(),
                cycle: cycle.join(" -> "),
            });
        }
        path.push(&canister.name);
        for dependency in &canister.dependencies {
            let spec = self
                .canister(dependency)
                .map_err(|_| ProjectError::UnknownDependency {
                    path: self.dfx_json(),
                    name: canister.name.clone(),
                    dependency: dependency.clone(),
                    available: self.names(),
                })?;
            self.visit(spec, path, done, order)?;
        }
        path.pop();
        done.insert(&canister.name);
        order.push(canister);
        Ok(())
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.canisters.iter().map(|c| c.name.as_str()).collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }

    /// The canister named `name`.
    pub fn canister(&self, name: &str) -> Result<&CanisterSpec, ProjectError> {
        self.canisters
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| ProjectError::UnknownCanister {
                path: self.dfx_json(),
                name: name.to_string(),
                available: self.names(),
            })
    }

    /// `.kybra/NAME/` under the project root.
    pub fn output_dir(&self, canister: &CanisterSpec) -> PathBuf {
        output_dir(&self.root, canister.output_name())
    }
}

/// `.kybra/NAME/` under `root`.
pub fn output_dir(root: &Path, name: &str) -> PathBuf {
    root.join(".kybra").join(name)
}

/// Splits a command line into words: whitespace separates, single and double quotes group
/// (as dfx splits its build commands, which it runs without a shell).
pub fn split_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for ch in command.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => current.push(ch),
            None if ch == '\'' || ch == '"' => {
                quote = Some(ch);
                in_word = true;
            }
            None if ch.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            None => {
                current.push(ch);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests;
