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
            kind: CanisterKind::Python(PythonSource {
                output_name: "kybra_hello_world".into(),
                main: "src/main.py".into(),
                candid: vec!["src/main.did".into()],
            }),
            post_install: vec![".kybra/kybra_hello_world/post_install.sh".into()],
            specified_id: None,
            dependencies: vec![],
            init_arg: None,
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
    let a = canisters[0].python().unwrap();
    assert_eq!(a.main, PathBuf::from("src/main.py"));
    assert_eq!(a.candid, vec![PathBuf::from("a.did")]);
    assert_eq!(canisters[1].name, "b");
    assert!(canisters[1].python().unwrap().candid.is_empty());
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
fn every_kind_is_read() {
    let canisters = parse(
        r#"{"canisters": {
            "m": {"type": "motoko", "main": "x.mo"},
            "p": {"type": "pull", "id": "rdmx6-jaaaa-aaaaa-aaadq-cai"},
            "r": {"type": "rust", "package": "r_pkg", "candid": "src/r.did", "dependencies": ["k"]},
            "c": {"type": "custom", "build": "cargo build", "wasm": "x.wasm.gz", "candid": "x.did",
                  "init_arg": "(1)", "metadata": [{"name": "n", "visibility": "private", "content": "t"}]},
            "f": {"type": "assets", "source": ["dist"], "build": ["npm run build"], "dependencies": ["r", "c"]},
            "k": {"type": "custom", "build": ["echo hi", "python3 -m kybra k src/k.py"], "post_install": ["a", "b"],
                  "init_arg_file": "arg.txt"}
        }}"#,
    )
    .unwrap();
    let kinds: Vec<(&str, &str)> = canisters
        .iter()
        .map(|c| (c.name.as_str(), c.kind_name()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("c", "custom"),
            ("f", "assets"),
            ("k", "kybra"),
            ("m", "motoko"),
            ("p", "pull"),
            ("r", "rust")
        ]
    );
    let c = &canisters[0];
    assert_eq!(c.init_arg, Some(InitArg::Text("(1)".into())));
    let CanisterKind::Custom(custom) = &c.kind else {
        panic!("{c:?}")
    };
    assert_eq!(custom.wasm, PathBuf::from("x.wasm.gz"));
    assert_eq!(custom.build, vec!["cargo build".to_string()]);
    assert_eq!(
        custom.metadata,
        vec![Metadata {
            name: "n".into(),
            public: false,
            content: MetadataContent::Text("t".into()),
            networks: None
        }]
    );
    let k = &canisters[2];
    assert_eq!(k.post_install, vec!["a".to_string(), "b".to_string()]);
    assert_eq!(k.init_arg, Some(InitArg::File("arg.txt".into())));
    let CanisterKind::Unsupported { reason, .. } = &canisters[4].kind else {
        panic!()
    };
    assert!(reason.contains("rdmx6-jaaaa-aaaaa-aaadq-cai"), "{reason}");
    assert!(reason.contains("custom"), "{reason}");
    let CanisterKind::Rust(rust) = &canisters[5].kind else {
        panic!()
    };
    assert_eq!(rust.package, "r_pkg");
}

#[test]
fn what_a_kind_lacks_is_an_error() {
    let cases = [
        (r#"{"type": "custom", "build": "make"}"#, "needs `\"wasm\"`"),
        (
            r#"{"type": "rust", "candid": "a.did"}"#,
            "needs `\"package\"`",
        ),
        (r#"{"type": "rust", "package": "a"}"#, "needs `\"candid\"`"),
        (r#"{"type": "assets"}"#, "needs `\"source\"`"),
        (
            r#"{"type": "custom", "wasm": "a.wasm", "init_arg": "()", "init_arg_file": "f"}"#,
            "not both",
        ),
        (
            r#"{"type": "custom", "wasm": "a.wasm", "metadata": [{"name": "n"}]}"#,
            "exactly one of",
        ),
    ];
    for (canister, expected) in cases {
        let error = parse(&format!(r#"{{"canisters": {{"a": {canister}}}}}"#))
            .unwrap_err()
            .to_string();
        assert!(error.contains("canister `a`"), "{error}");
        assert!(error.contains(expected), "{canister}: {error}");
    }
}

fn project(text: &str) -> Project {
    Project {
        root: PathBuf::from("/p"),
        canisters: parse(text).unwrap(),
    }
}

#[test]
fn dependencies_come_first() {
    let p = project(
        r#"{"canisters": {
            "a": {"type": "kybra", "main": "a.py", "dependencies": ["c"]},
            "b": {"type": "kybra", "main": "b.py"},
            "c": {"type": "kybra", "main": "c.py", "dependencies": ["b"]},
            "d": {"type": "kybra", "main": "d.py"}
        }}"#,
    );
    let names = |order: Vec<&CanisterSpec>| -> Vec<String> {
        order.into_iter().map(|c| c.name.clone()).collect()
    };
    assert_eq!(
        names(p.with_dependencies(None).unwrap()),
        ["b", "c", "a", "d"]
    );
    assert_eq!(
        names(p.with_dependencies(Some("a")).unwrap()),
        ["b", "c", "a"]
    );
    assert_eq!(names(p.with_dependencies(Some("d")).unwrap()), ["d"]);
}

#[test]
fn dependency_errors() {
    let p = project(
        r#"{"canisters": {
            "a": {"type": "kybra", "main": "a.py", "dependencies": ["b"]},
            "b": {"type": "kybra", "main": "b.py", "dependencies": ["a"]},
            "c": {"type": "kybra", "main": "c.py", "dependencies": ["zz"]}
        }}"#,
    );
    let cycle = p.with_dependencies(Some("a")).unwrap_err().to_string();
    assert!(cycle.contains("a -> b -> a"), "{cycle}");
    let unknown = p.with_dependencies(Some("c")).unwrap_err().to_string();
    assert!(unknown.contains("`c` depends on `zz`"), "{unknown}");
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
