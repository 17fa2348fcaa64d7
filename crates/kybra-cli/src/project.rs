//! The project: `dfx.json`, its Kybra canisters, and where their build outputs go.
//!
//! Promises: finds the project root (the nearest directory with a `dfx.json`, searching
//! upwards); accepts the book's custom canisters (`"build": "python -m kybra NAME MAIN
//! DID"`, as a string or a list of commands) and `{"type": "kybra", "main": ...}`; every
//! error names the file and says what to write instead. Outputs live in `.kybra/NAME/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
    #[error("{path}: no Kybra canisters: add one like {{\"canisters\": {{\"hello\": {{\"type\": \"kybra\", \"main\": \"src/main.py\"}}}}}}")]
    NoCanisters { path: PathBuf },
    #[error("{path}: no canister named `{name}` (Kybra canisters here: {available})")]
    UnknownCanister {
        path: PathBuf,
        name: String,
        available: String,
    },
}

/// A Kybra canister declared in dfx.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanisterSpec {
    /// The canister's name in dfx.json.
    pub name: String,
    /// The name the build uses for `.kybra/<output_name>/` (the NAME of the build string;
    /// equal to `name` unless the build string says otherwise).
    pub output_name: String,
    /// The entry module, relative to the project root.
    pub main: PathBuf,
    /// Where to write the generated Candid (the build string's DID and/or `candid`).
    pub candid: Vec<PathBuf>,
    /// Commands to run after install (dfx's `post_install`).
    pub post_install: Vec<String>,
    /// The id to create the canister with (dfx's `specified_id`; local replicas only).
    pub specified_id: Option<String>,
}

/// A project: its root directory and its Kybra canisters (sorted by name).
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub canisters: Vec<CanisterSpec>,
}

/// The parts of the book's build command `python -m kybra NAME MAIN [DID]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildCommand {
    pub name: String,
    pub main: PathBuf,
    pub did: Option<PathBuf>,
}

#[derive(Deserialize)]
struct DfxJson {
    #[serde(default)]
    canisters: BTreeMap<String, RawCanister>,
}

#[derive(Deserialize)]
struct RawCanister {
    #[serde(rename = "type")]
    kind: Option<String>,
    build: Option<OneOrMany>,
    main: Option<String>,
    candid: Option<String>,
    post_install: Option<OneOrMany>,
    specified_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
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

    /// The canister named `name`, or every canister when `name` is None.
    pub fn select(&self, name: Option<&str>) -> Result<Vec<&CanisterSpec>, ProjectError> {
        let path = self.root.join(DFX_JSON);
        if self.canisters.is_empty() {
            return Err(ProjectError::NoCanisters { path });
        }
        match name {
            None => Ok(self.canisters.iter().collect()),
            Some(name) => self.canister(name).map(|c| vec![c]),
        }
    }

    /// The canister named `name`.
    pub fn canister(&self, name: &str) -> Result<&CanisterSpec, ProjectError> {
        self.canisters
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.canisters.iter().map(|c| c.name.as_str()).collect();
                ProjectError::UnknownCanister {
                    path: self.root.join(DFX_JSON),
                    name: name.to_string(),
                    available: if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    },
                }
            })
    }

    /// `.kybra/NAME/` under the project root.
    pub fn output_dir(&self, canister: &CanisterSpec) -> PathBuf {
        output_dir(&self.root, &canister.output_name)
    }
}

/// `.kybra/NAME/` under `root`.
pub fn output_dir(root: &Path, name: &str) -> PathBuf {
    root.join(".kybra").join(name)
}

/// Parses dfx.json text; `path` is only used in error messages.
pub fn parse_dfx_json(path: &Path, text: &str) -> Result<Vec<CanisterSpec>, ProjectError> {
    let dfx: DfxJson = serde_json::from_str(text).map_err(|e| ProjectError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string(),
    })?;
    let mut canisters = Vec::new();
    for (name, raw) in dfx.canisters {
        let error = |message: String| ProjectError::Canister {
            path: path.to_path_buf(),
            name: name.clone(),
            message,
        };
        let post_install = raw
            .post_install
            .map(OneOrMany::into_vec)
            .unwrap_or_default();
        let candid: Vec<PathBuf> = raw.candid.iter().map(PathBuf::from).collect();
        match raw.kind.as_deref() {
            Some("kybra") => {
                let main = raw.main.ok_or_else(|| {
                    error(
                        "`\"type\": \"kybra\"` needs `\"main\"`, e.g. \"main\": \"src/main.py\""
                            .into(),
                    )
                })?;
                canisters.push(CanisterSpec {
                    output_name: name.clone(),
                    name: name.clone(),
                    main: PathBuf::from(main),
                    candid,
                    post_install,
                    specified_id: raw.specified_id.clone(),
                });
            }
            Some("custom") | None => {
                let Some(build) = raw.build else {
                    continue; // not ours (e.g. an assets canister)
                };
                let commands = build.into_vec();
                let mut parsed = commands
                    .iter()
                    .filter_map(|c| parse_build_command(c).transpose());
                let Some(command) = parsed.next() else {
                    continue; // a custom canister that Kybra does not build
                };
                let command = command.map_err(|m| error(m.to_string()))?;
                let mut candid_paths: Vec<PathBuf> = command.did.iter().cloned().collect();
                for extra in candid {
                    if !candid_paths.contains(&extra) {
                        candid_paths.push(extra);
                    }
                }
                canisters.push(CanisterSpec {
                    name: name.clone(),
                    output_name: command.name,
                    main: command.main,
                    candid: candid_paths,
                    post_install,
                    specified_id: raw.specified_id.clone(),
                });
            }
            Some(_) => continue, // motoko, rust, assets, ...: not ours
        }
    }
    Ok(canisters)
}

/// Why a build string that invokes kybra is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("build command `{command}`: {reason}; write it as `python -m kybra NAME src/main.py src/main.did`")]
pub struct BuildCommandError {
    pub command: String,
    pub reason: String,
}

/// Parses `python -m kybra NAME MAIN [DID]`. Returns Ok(None) when the command does not
/// invoke kybra at all (some other tool's custom build), an error when it invokes kybra
/// with the wrong arguments.
pub fn parse_build_command(command: &str) -> Result<Option<BuildCommand>, BuildCommandError> {
    let words = split_words(command);
    let error = |reason: &str| BuildCommandError {
        command: command.to_string(),
        reason: reason.into(),
    };
    let start = words
        .windows(2)
        .position(|w| w[0] == "-m" && w[1] == "kybra");
    let args: &[String] = match start {
        Some(i) => {
            let interpreter = i.checked_sub(1).map(|j| words[j].as_str()).unwrap_or("");
            let base = Path::new(interpreter)
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or("");
            if !base.starts_with("python") {
                return Err(error(
                    "`-m kybra` must follow a Python interpreter (`python`)",
                ));
            }
            &words[i + 2..]
        }
        None if words
            .first()
            .map(|w| Path::new(w).file_name().and_then(|s| s.to_str()) == Some("kybra"))
            == Some(true) =>
        {
            match words.get(1).map(String::as_str) {
                Some("compile") => &words[2..],
                _ => return Ok(None),
            }
        }
        None => return Ok(None),
    };
    match args {
        [name, main] | [name, main, _] => {
            if !main.ends_with(".py") {
                return Err(error(&format!(
                    "the entry module `{main}` is not a .py file"
                )));
            }
            let did = args.get(2).map(PathBuf::from);
            if let Some(did) = &did {
                if did.extension().and_then(|e| e.to_str()) != Some("did") {
                    return Err(error(&format!(
                        "the Candid file `{}` does not end in .did",
                        did.display()
                    )));
                }
            }
            Ok(Some(BuildCommand {
                name: name.clone(),
                main: PathBuf::from(main),
                did,
            }))
        }
        [] => Err(error("the canister name and the entry module are missing")),
        [_] => Err(error("the entry module is missing")),
        _ => Err(error("too many arguments")),
    }
}

/// Splits a command line into words: whitespace separates, single and double quotes group.
fn split_words(command: &str) -> Vec<String> {
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
