//! `kybra new NAME`: the book's hello world project, ready to `kybra deploy`.
//!
//! Promises: writes `NAME/src/main.py` and `NAME/dfx.json` exactly as the book's "Hello
//! World" chapter shows them (with NAME as the canister name), a `.gitignore`,
//! `requirements.txt` (kybra itself, as the book pins it) and `tests/test_main.py`, a
//! pytest suite on `kybra.testing` that passes as generated; says how to add PyPI
//! packages; never overwrites an existing non-empty directory.

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

const GITIGNORE: &str = "# Kybra build outputs and local replica state\n.kybra/\n.dfx/\n\n# Python\nvenv/\n.venv/\n__pycache__/\n";

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
pub fn run(name: &str) -> Result<()> {
    let dir = super::cwd()?.join(name);
    create(&dir, name)?;
    println!("Created project {name}/ (src/main.py, dfx.json, requirements.txt, .gitignore, tests/test_main.py).");
    println!("Next:\n  cd {name}\n  kybra start --background\n  kybra deploy\n  kybra canister call {name} get_message");
    println!("Test it in-process:\n  pytest");
    println!(
        "Use PyPI packages (pure Python): add them to requirements.txt, then\n  \
         python3 -m venv .venv && .venv/bin/pip install -r requirements.txt\n  \
         kybra build   (takes them from the project's .venv, or the active virtual environment)"
    );
    Ok(())
}

/// Writes the project files into `dir`.
pub fn create(dir: &Path, name: &str) -> Result<()> {
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
    for sub in ["src", "tests"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let files = [
        ("src/main.py", MAIN_PY.to_string()),
        ("dfx.json", dfx_json(name)),
        (".gitignore", GITIGNORE.to_string()),
        ("requirements.txt", requirements_txt()),
        ("tests/test_main.py", test_main_py(name)),
    ];
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{CanisterSpec, Project};

    #[test]
    fn scaffolds_a_project_that_parses() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("hello");
        create(&dir, "hello").unwrap();
        let project = Project::load(&dir).unwrap();
        assert_eq!(
            project.canisters,
            vec![CanisterSpec {
                name: "hello".into(),
                output_name: "hello".into(),
                main: "src/main.py".into(),
                candid: vec!["src/main.did".into()],
                post_install: vec![".kybra/hello/post_install.sh".into()],
                specified_id: None,
            }]
        );
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
        let again = create(&dir, "hello").unwrap_err().to_string();
        assert!(again.contains("already exists"), "{again}");
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
