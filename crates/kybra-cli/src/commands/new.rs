//! `kybra new NAME [--frontend]`: the book's hello world project, ready to `kybra deploy`
//! (and `icp deploy`).
//!
//! Promises: writes `NAME/src/main.py` and `NAME/dfx.json` exactly as the book's "Hello
//! World" chapter shows them (with NAME as the canister name), an `icp.yaml` whose build
//! step runs `kybra build NAME` (its `local` network is the kybra replica on port 4943), a
//! `.gitignore`, `requirements.txt` (kybra itself, as the book pins it) and
//! `tests/test_main.py`, a pytest suite on `kybra.testing` that passes as generated; says
//! how to add PyPI packages. With `--frontend` it adds the asset canister `NAME_frontend`: a
//! static page in `src/NAME_frontend/src/` that calls NAME through the declarations
//! `kybra generate` writes, loading `@dfinity/agent` from `vendor/` through an import map,
//! built into `dist/` by `build.py`. Never overwrites an existing non-empty directory.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// The book's `src/main.py` (the repository's `examples/hello_world` is the one copy).
pub const MAIN_PY: &str = include_str!("../../../../examples/hello_world/src/main.py");

/// The book's `dfx.json`, for canister `NAME`.
pub fn dfx_json(name: &str) -> String {
    r#"{
    "canisters": {
        "NAME": {
             "type": "custom",
             "build": "python -m kybra NAME src/main.py src/main.did",
             "post_install": ".kybra/NAME/post_install.sh",
             "candid": "src/main.did",
             "wasm": ".kybra/NAME/NAME.wasm",
             "gzip": true
        }
    }
}
"#
    .replace("NAME", name)
}

/// `tests/test_main.py`: the canister tested in-process with `kybra.testing` (the
/// `replica` fixture comes from the pytest plugin installed with the package).
pub fn test_main_py(name: &str) -> String {
    r#""""Tests of the NAME canister on an in-process replica (kybra.testing).

Run them with `pytest` (pip install pytest) in the project folder; each test gets a fresh
replica, and the project is built once per session.
"""

from pathlib import Path

from kybra.testing import Replica

PROJECT = Path(__file__).resolve().parents[1]


def test_set_message_then_get_message(replica: Replica) -> None:
    canister = replica.deploy(PROJECT, "NAME")
    assert canister.get_message() == ""
    canister.set_message("Hello, world!")
    assert canister.get_message() == "Hello, world!"
"#
    .replace("NAME", name)
}

/// `requirements.txt`: kybra itself, at the version that wrote the project. PyPI packages
/// the canister imports go here too (`pip install -r requirements.txt`).
pub fn requirements_txt() -> String {
    format!("kybra=={}\n", env!("CARGO_PKG_VERSION"))
}

const GITIGNORE: &str = "# Kybra build outputs and local replica state\n.kybra/\n.dfx/\n.icp/\n\n# Python\nvenv/\n.venv/\n__pycache__/\n\n# Frontend builds\ndist/\n";

/// `icp.yaml`: the same canister for icp-cli (`icp deploy`), built by `kybra build`.
pub fn icp_yaml(name: &str) -> String {
    r#"# The project for icp-cli (`icp deploy`), which builds the canister with `kybra build`.
# The `local` network is the kybra replica: start it with
#   kybra start --background --system-canisters
# (icp creates canisters through the cycles ledger, which --system-canisters adds).
# `icp deploy -e ic` deploys to mainnet. (A frontend in dfx.json is deployed by
# `kybra deploy`: icp uploads assets only through sync plugins.)
canisters:
  - name: NAME
    build:
      steps:
        - type: script
          commands:
            - kybra build NAME
            - cp .kybra/NAME/NAME.wasm.gz "$ICP_WASM_OUTPUT_PATH"

networks:
  - name: local
    mode: connected
    url: http://127.0.0.1:4943
    root-key: fetch
"#
    .replace("NAME", name)
}

/// The frontend's files (`crates/kybra-cli/templates/frontend/`), NAME = the backend.
const FRONTEND_FILES: [(&str, &str); 6] = [
    (
        "build.py",
        include_str!("../../templates/frontend/build.py"),
    ),
    (
        "src/index.html",
        include_str!("../../templates/frontend/index.html"),
    ),
    (
        "src/main.js",
        include_str!("../../templates/frontend/main.js"),
    ),
    (
        "src/main.css",
        include_str!("../../templates/frontend/main.css"),
    ),
    (
        "src/.ic-assets.json5",
        include_str!("../../templates/frontend/ic-assets.json5"),
    ),
    (
        "src/vendor/dfinity-agent.js",
        crate::assets::DFINITY_AGENT_JS,
    ),
];

/// The book's `dfx.json` plus the asset canister `NAME_frontend`, which depends on NAME.
pub fn dfx_json_with_frontend(name: &str) -> String {
    let frontend = r#"        },
        "NAME_frontend": {
            "type": "assets",
            "source": ["src/NAME_frontend/dist"],
            "build": ["kybra generate NAME", "python src/NAME_frontend/build.py"],
            "dependencies": ["NAME"]
        }
    }
}
"#
    .replace("NAME", name);
    let book = dfx_json(name);
    let end = book
        .rfind("        }\n    }\n}")
        .expect("the book's dfx.json ends so");
    format!("{}{frontend}", &book[..end])
}

/// Checks that `name` can be a directory and a canister name.
pub fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok {
        bail!(
            "`{name}` is not a valid project name: use letters, digits, `_` and `-`, starting with a letter (e.g. `kybra_hello_world`)"
        );
    }
    Ok(())
}

/// Creates the project `name` in the current directory.
pub fn run(name: &str, frontend: bool) -> Result<()> {
    let dir = super::cwd()?.join(name);
    create(&dir, name, frontend)?;
    let extra = if frontend {
        format!(", src/{name}_frontend/")
    } else {
        String::new()
    };
    println!("Created project {name}/ (src/main.py, dfx.json, icp.yaml, requirements.txt, .gitignore, tests/test_main.py{extra}).");
    println!("Next:\n  cd {name}\n  kybra start --background\n  kybra deploy\n  kybra canister call {name} get_message");
    if frontend {
        println!("  then open the {name}_frontend URL that kybra deploy prints");
    }
    println!("Test it in-process:\n  pytest");
    println!("Or with icp-cli: kybra start --background --system-canisters, then icp deploy");
    println!(
        "Use PyPI packages (pure Python): add them to requirements.txt, then\n  \
         python3 -m venv .venv && .venv/bin/pip install -r requirements.txt\n  \
         kybra build   (takes them from the project's .venv, or the active virtual environment)"
    );
    Ok(())
}

/// Writes the project files into `dir`.
pub fn create(dir: &Path, name: &str, frontend: bool) -> Result<()> {
    validate_name(name)?;
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} already exists and is not empty: pick another name or remove it",
            dir.display()
        );
    }
    let mut files = vec![
        ("src/main.py".to_string(), MAIN_PY.to_string()),
        ("dfx.json".to_string(), dfx_json(name)),
        ("icp.yaml".to_string(), icp_yaml(name)),
        (".gitignore".to_string(), GITIGNORE.to_string()),
        ("requirements.txt".to_string(), requirements_txt()),
        ("tests/test_main.py".to_string(), test_main_py(name)),
    ];
    if frontend {
        files[1].1 = dfx_json_with_frontend(name);
        for (file, text) in FRONTEND_FILES {
            let text = if file.starts_with("src/vendor/") || file == "build.py" {
                text.to_string()
            } else {
                text.replace("NAME", name)
            };
            files.push((format!("src/{name}_frontend/{file}"), text));
        }
    }
    for (file, text) in files {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{CanisterKind, CanisterSpec, Project, PythonSource};

    #[test]
    fn scaffolds_a_project_that_parses() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hello");
        create(&dir, "hello", false).unwrap();
        let project = Project::load(&dir).unwrap();
        assert_eq!(
            project.canisters,
            vec![CanisterSpec {
                name: "hello".into(),
                kind: CanisterKind::Python(PythonSource {
                    output_name: "hello".into(),
                    main: "src/main.py".into(),
                    candid: vec!["src/main.did".into()],
                }),
                post_install: vec![".kybra/hello/post_install.sh".into()],
                specified_id: None,
                dependencies: vec![],
                init_arg: None,
            }]
        );
        let icp = std::fs::read_to_string(dir.join("icp.yaml")).unwrap();
        assert!(icp.contains("- kybra build hello\n"), "{icp}");
        assert_eq!(
            std::fs::read_to_string(dir.join("src/main.py")).unwrap(),
            MAIN_PY
        );
        assert!(std::fs::read_to_string(dir.join(".gitignore"))
            .unwrap()
            .contains(".kybra/"));
        let requirements = std::fs::read_to_string(dir.join("requirements.txt")).unwrap();
        assert_eq!(
            requirements,
            format!("kybra=={}\n", env!("CARGO_PKG_VERSION"))
        );
        let test = std::fs::read_to_string(dir.join("tests/test_main.py")).unwrap();
        assert!(test.contains("from kybra.testing import Replica"), "{test}");
        assert!(
            test.contains(r#"replica.deploy(PROJECT, "hello")"#),
            "{test}"
        );
        let again = create(&dir, "hello", false).unwrap_err().to_string();
        assert!(again.contains("already exists"), "{again}");
    }

    #[test]
    fn scaffolds_a_frontend() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("app");
        create(&dir, "app", true).unwrap();
        let project = Project::load(&dir).unwrap();
        let names: Vec<&str> = project.canisters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["app", "app_frontend"]);
        let frontend = &project.canisters[1];
        assert_eq!(frontend.kind_name(), "assets");
        assert_eq!(frontend.dependencies, vec!["app".to_string()]);
        let order = project.with_dependencies(Some("app_frontend")).unwrap();
        assert_eq!(order[0].name, "app");
        let main_js = std::fs::read_to_string(dir.join("src/app_frontend/src/main.js")).unwrap();
        assert!(main_js.contains(r#"import { app } from "./declarations/app/index.js";"#));
        assert!(dir
            .join("src/app_frontend/src/vendor/dfinity-agent.js")
            .is_file());
        assert!(dir.join("src/app_frontend/build.py").is_file());
    }

    #[test]
    fn rejects_bad_names() {
        for bad in ["", "1abc", "a b", "a/b", "../x"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
        validate_name("kybra_hello_world").unwrap();
    }

    #[test]
    fn dfx_json_matches_the_example_project() {
        let example =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hello_world");
        let dfx = std::fs::read_to_string(example.join("dfx.json")).unwrap();
        assert_eq!(dfx, dfx_json("kybra_hello_world"));
    }
}
