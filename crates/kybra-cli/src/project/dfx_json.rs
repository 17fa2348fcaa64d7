//! Reading dfx.json's text into [`CanisterSpec`]s, and the book's build command
//! `python -m kybra NAME MAIN [DID]`.
//!
//! Promises: unknown fields are ignored (dfx.json has many Kybra does not use); a field of
//! the wrong shape, or a canister that lacks what its kind needs, is an error naming the
//! canister and what to write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{
    split_words, AssetsSource, CanisterKind, CanisterSpec, CustomSource, InitArg, Metadata,
    MetadataContent, ProjectError, PythonSource, RustSource,
};

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
    wasm: Option<String>,
    package: Option<String>,
    source: Option<Vec<String>>,
    post_install: Option<OneOrMany>,
    specified_id: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
    init_arg: Option<String>,
    init_arg_file: Option<String>,
    #[serde(default)]
    metadata: Vec<RawMetadata>,
    id: Option<String>,
}

#[derive(Deserialize)]
struct RawMetadata {
    name: String,
    visibility: Option<String>,
    path: Option<String>,
    content: Option<String>,
    networks: Option<Vec<String>>,
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
    dfx.canisters
        .into_iter()
        .map(|(name, raw)| {
            canister(&name, raw).map_err(|message| ProjectError::Canister {
                path: path.to_path_buf(),
                name,
                message,
            })
        })
        .collect()
}

fn canister(name: &str, raw: RawCanister) -> Result<CanisterSpec, String> {
    let init_arg = match (raw.init_arg, raw.init_arg_file) {
        (Some(_), Some(_)) => {
            return Err("give `init_arg` or `init_arg_file`, not both".into());
        }
        (Some(text), None) => Some(InitArg::Text(text)),
        (None, Some(file)) => Some(InitArg::File(PathBuf::from(file))),
        (None, None) => None,
    };
    let build = raw.build.map(OneOrMany::into_vec).unwrap_or_default();
    let metadata = raw
        .metadata
        .into_iter()
        .map(metadata)
        .collect::<Result<Vec<_>, _>>()?;
    let candid = raw.candid.map(PathBuf::from);
    let kind = match raw.kind.as_deref() {
        Some("kybra") => {
            let main = raw.main.ok_or(
                "`\"type\": \"kybra\"` needs `\"main\"`, e.g. \"main\": \"src/main.py\"",
            )?;
            CanisterKind::Python(PythonSource {
                output_name: name.to_string(),
                main: PathBuf::from(main),
                candid: candid.into_iter().collect(),
            })
        }
        Some("custom") | None => match python_build(&build)? {
            Some(command) => {
                let mut paths: Vec<PathBuf> = command.did.into_iter().collect();
                paths.extend(candid.filter(|c| !paths.contains(c)));
                CanisterKind::Python(PythonSource {
                    output_name: command.name,
                    main: command.main,
                    candid: paths,
                })
            }
            None => {
                let wasm = raw.wasm.ok_or(
                    "a `custom` canister needs `\"wasm\"`: the path of its module (.wasm or .wasm.gz), \
                     e.g. \"wasm\": \"build/app.wasm.gz\" (and \"build\" for the commands that make it)",
                )?;
                CanisterKind::Custom(CustomSource {
                    wasm: PathBuf::from(wasm),
                    candid,
                    build,
                    metadata,
                })
            }
        },
        Some("rust") => {
            let package = raw
                .package
                .ok_or("a `rust` canister needs `\"package\"`: the cargo package to build")?;
            let candid = candid.ok_or(
                "a `rust` canister needs `\"candid\"`: the path of its .did file, e.g. \"src/backend/backend.did\"",
            )?;
            CanisterKind::Rust(RustSource {
                package,
                candid,
                metadata,
            })
        }
        Some("assets") => {
            let source = raw.source.unwrap_or_default();
            if source.is_empty() {
                return Err("an `assets` canister needs `\"source\"`: the folders whose files it serves, e.g. \"source\": [\"dist\"]".into());
            }
            CanisterKind::Assets(AssetsSource {
                source: source.into_iter().map(PathBuf::from).collect(),
                build,
            })
        }
        Some("motoko") => CanisterKind::Unsupported {
            kind: "motoko".into(),
            reason: "it is a Motoko canister, and Kybra has no Motoko compiler (moc): build it with dfx \
                     and declare the module as a `custom` canister (`\"wasm\"`, `\"candid\"`)"
                .into(),
        },
        Some("pull") => CanisterKind::Unsupported {
            kind: "pull".into(),
            reason: format!(
                "it is a `pull` canister (a mainnet canister{}), and Kybra cannot download mainnet canisters: \
                 fetch its module with `dfx deps pull` and declare it as a `custom` canister (`\"wasm\"`, `\"candid\"`)",
                raw.id.map(|id| format!(" {id}")).unwrap_or_default()
            ),
        },
        Some(other) => CanisterKind::Unsupported {
            kind: other.to_string(),
            reason: format!(
                "its type `{other}` is not one Kybra builds (kybra, custom, rust, assets)"
            ),
        },
    };
    Ok(CanisterSpec {
        name: name.to_string(),
        kind,
        post_install: raw
            .post_install
            .map(OneOrMany::into_vec)
            .unwrap_or_default(),
        specified_id: raw.specified_id,
        dependencies: raw.dependencies,
        init_arg,
    })
}

/// The first build command that invokes kybra, if any.
fn python_build(build: &[String]) -> Result<Option<BuildCommand>, String> {
    for command in build {
        if let Some(parsed) = parse_build_command(command).map_err(|e| e.to_string())? {
            return Ok(Some(parsed));
        }
    }
    Ok(None)
}

fn metadata(raw: RawMetadata) -> Result<Metadata, String> {
    let public = match raw.visibility.as_deref() {
        None | Some("public") => true,
        Some("private") => false,
        Some(other) => {
            return Err(format!(
                "metadata `{}`: visibility `{other}` is neither \"public\" nor \"private\"",
                raw.name
            ))
        }
    };
    let content = match (raw.content, raw.path) {
        (Some(text), None) => MetadataContent::Text(text),
        (None, Some(path)) => MetadataContent::File(PathBuf::from(path)),
        _ => {
            return Err(format!(
                "metadata `{}` needs exactly one of \"content\" (text) or \"path\" (a file)",
                raw.name
            ))
        }
    };
    Ok(Metadata {
        name: raw.name,
        public,
        content,
        networks: raw.networks,
    })
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
