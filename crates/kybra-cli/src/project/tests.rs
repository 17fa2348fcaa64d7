//! Tests for dfx.json and build-command parsing.

use super::*;

const BOOK_DFX_JSON: &str = r#"{
    "canisters": {
        "kybra_hello_world": {
             "type": "custom",
             "build": "python -m kybra kybra_hello_world src/main.py src/main.did",
             "post_install": ".kybra/kybra_hello_world/post_install.sh",
             "candid": "src/main.did",
             "wasm": ".kybra/kybra_hello_world/kybra_hello_world.wasm",
             "gzip": true
        }
    }
}"#;

fn parse(text: &str) -> Result<Vec<CanisterSpec>, ProjectError> {
    parse_dfx_json(Path::new("/p/dfx.json"), text)
}

#[test]
fn book_custom_form() {
    let canisters = parse(BOOK_DFX_JSON).unwrap();
    assert_eq!(
        canisters,
        vec![CanisterSpec {
            name: "kybra_hello_world".into(),
            output_name: "kybra_hello_world".into(),
            main: "src/main.py".into(),
            candid: vec!["src/main.did".into()],
            post_install: vec![".kybra/kybra_hello_world/post_install.sh".into()],
            specified_id: None,
        }]
    );
}

#[test]
fn kybra_type_form() {
    let canisters =
        parse(r#"{"canisters": {"b": {"type": "kybra", "main": "b.py"}, "a": {"type": "kybra", "main": "src/main.py", "candid": "a.did"}}}"#)
            .unwrap();
    assert_eq!(canisters.len(), 2);
    assert_eq!(canisters[0].name, "a");
    assert_eq!(canisters[0].main, PathBuf::from("src/main.py"));
    assert_eq!(canisters[0].candid, vec![PathBuf::from("a.did")]);
    assert_eq!(canisters[1].name, "b");
    assert!(canisters[1].candid.is_empty());
    assert!(canisters[1].post_install.is_empty());
}

#[test]
fn kybra_type_without_main_is_an_error() {
    let error = parse(r#"{"canisters": {"a": {"type": "kybra"}}}"#)
        .unwrap_err()
        .to_string();
    assert!(error.contains("/p/dfx.json: canister `a`"), "{error}");
    assert!(error.contains("\"main\": \"src/main.py\""), "{error}");
}

#[test]
fn other_canisters_are_skipped() {
    let canisters = parse(
        r#"{"canisters": {
            "m": {"type": "motoko", "main": "x.mo"},
            "r": {"type": "custom", "build": "cargo build", "wasm": "x.wasm"},
            "k": {"type": "custom", "build": ["echo hi", "python3 -m kybra k src/k.py"], "post_install": ["a", "b"]}
        }}"#,
    )
    .unwrap();
    assert_eq!(canisters.len(), 1);
    assert_eq!(canisters[0].name, "k");
    assert_eq!(
        canisters[0].post_install,
        vec!["a".to_string(), "b".to_string()]
    );
}

#[test]
fn bad_json_names_the_file_and_position() {
    let error = parse("{\"canisters\": {\n  \"a\": }\n}")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("/p/dfx.json:2:"), "{error}");
    assert!(error.contains("invalid dfx.json"), "{error}");
}

#[test]
fn wrong_shape_is_an_error() {
    let error = parse(r#"{"canisters": {"a": {"type": 3}}}"#)
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("/p/dfx.json:1:"), "{error}");
}

#[test]
fn bad_build_string_is_an_error() {
    let error = parse(r#"{"canisters": {"a": {"type": "custom", "build": "python -m kybra a"}}}"#)
        .unwrap_err()
        .to_string();
    assert!(error.contains("canister `a`"), "{error}");
    assert!(error.contains("the entry module is missing"), "{error}");
    assert!(
        error.contains("python -m kybra NAME src/main.py src/main.did"),
        "{error}"
    );
}

#[test]
fn build_command_forms() {
    let book = parse_build_command("python -m kybra hello src/main.py src/main.did")
        .unwrap()
        .unwrap();
    assert_eq!(
        book,
        BuildCommand {
            name: "hello".into(),
            main: "src/main.py".into(),
            did: Some("src/main.did".into())
        }
    );
    let short = parse_build_command("  /venv/bin/python3.10   -m kybra hello 'src/my main.py' ")
        .unwrap()
        .unwrap();
    assert_eq!(
        short,
        BuildCommand {
            name: "hello".into(),
            main: "src/my main.py".into(),
            did: None
        }
    );
    let direct = parse_build_command("kybra compile hello main.py")
        .unwrap()
        .unwrap();
    assert_eq!(direct.name, "hello");
    assert_eq!(parse_build_command("cargo build --release").unwrap(), None);
    assert_eq!(parse_build_command("kybra build").unwrap(), None);
    assert_eq!(parse_build_command("").unwrap(), None);
}

#[test]
fn build_command_errors() {
    let cases = [
        (
            "python -m kybra",
            "the canister name and the entry module are missing",
        ),
        ("python -m kybra a b.py c.did d", "too many arguments"),
        ("python -m kybra a main.txt", "not a .py file"),
        (
            "python -m kybra a main.py main.json",
            "does not end in .did",
        ),
        (
            "node -m kybra a main.py",
            "must follow a Python interpreter",
        ),
    ];
    for (command, reason) in cases {
        let error = parse_build_command(command).unwrap_err();
        assert!(error.to_string().contains(reason), "{command}: {error}");
        assert!(error.to_string().contains(command), "{command}: {error}");
    }
}

#[test]
fn discover_finds_parent_and_reports_missing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dfx.json"), BOOK_DFX_JSON).unwrap();
    let nested = dir.path().join("src/deep");
    std::fs::create_dir_all(&nested).unwrap();
    let project = Project::discover(&nested).unwrap();
    assert_eq!(project.root, dir.path());
    assert_eq!(
        project.output_dir(&project.canisters[0]),
        dir.path().join(".kybra/kybra_hello_world")
    );
    assert!(project
        .canister("nope")
        .unwrap_err()
        .to_string()
        .contains("kybra_hello_world"));
    assert_eq!(project.select(None).unwrap().len(), 1);

    let empty = tempfile::tempdir().unwrap();
    let error = Project::discover(empty.path()).unwrap_err().to_string();
    assert!(error.contains("kybra new NAME"), "{error}");
}
