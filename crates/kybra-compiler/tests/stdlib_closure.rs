//! Which standard-library modules a canister carries, on the real bundle from
//! runtime/build-assets.sh (skipped with a notice when it is missing): only what the
//! canister imports, lean (`typing` does not drag in half the standard library), complete
//! for the modules canisters commonly use, and stubs that explain the modules left out.
mod common;

use common::Project;
use kybra_compiler::stdlib::Stdlib;
use kybra_interface::{ModuleCode, Payload};

fn real_bundle() -> Option<(Vec<u8>, Vec<u8>)> {
    use kybra_test_support::assets::file;
    Some((file("stdlib.json")?, file("stdlib.bin")?))
}

/// The payload of a canister whose `main.py` is `source`.
fn payload(index: &[u8], code: &[u8], source: &str) -> Payload {
    let stdlib = Stdlib::parse(index, code).unwrap();
    let project = Project::new(&[("src/main.py", source)]);
    kybra_compiler::analyse_project(&project.main(), &project.root, &stdlib)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

/// Bundled module names and total bytes of bundled code (stubs excluded).
fn bundled(p: &Payload) -> (Vec<&str>, usize) {
    let mut names = Vec::new();
    let mut bytes = 0;
    for m in &p.modules {
        if let ModuleCode::Bytecode(b) = &m.code {
            if b.len() > 600 {
                names.push(m.name.as_str());
                bytes += b.len();
            }
        }
    }
    (names, bytes)
}

fn stubs(p: &Payload) -> Vec<&str> {
    let stub = |b: &[u8]| b.windows(23).any(|w| w == b"is not built into this ");
    p.modules
        .iter()
        .filter(|m| matches!(&m.code, ModuleCode::Bytecode(b) if stub(b)))
        .map(|m| m.name.as_str())
        .collect()
}

const HELLO: &str = "from kybra import query\n@query\ndef hi() -> str:\n    return 'hi'\n";

#[test]
fn only_what_is_imported_and_typing_stays_lean() {
    let Some((index, code)) = real_bundle() else {
        return;
    };
    let hello_payload = payload(&index, &code, HELLO);
    let (hello, hello_bytes) = bundled(&hello_payload);
    let typed = payload(&index, &code, &format!("import typing\n{HELLO}"));
    let (typing, typing_bytes) = bundled(&typed);
    println!(
        "hello world: {} modules, {hello_bytes} B; + typing: {} modules, {typing_bytes} B",
        hello.len(),
        typing.len()
    );
    for absent in ["json", "typing", "re", "inspect", "decimal"] {
        assert!(
            !hello.contains(&absent),
            "hello world carries {absent}: {hello:?}"
        );
    }
    assert!(
        typing.contains(&"typing") && typing.contains(&"re") && typing.contains(&"collections"),
        "{typing:?}"
    );
    // The edges that made `typing` weigh 3.7 MB: none of these is imported by typing's code
    // when it runs, only by rare paths of other modules' functions.
    for absent in [
        "inspect",
        "ast",
        "importlib.metadata",
        "email",
        "zipfile",
        "subprocess",
        "_pydecimal",
        "logging",
    ] {
        assert!(!typing.contains(&absent), "typing carries {absent}");
    }
    assert!(
        typing_bytes < 1_000_000,
        "typing carries {typing_bytes} B of code: {typing:?}"
    );
    // The left-out modules that typing's modules may import later are stubs.
    let stubbed = stubs(&typed);
    assert!(
        stubbed.contains(&"subprocess") && stubbed.contains(&"traceback"),
        "{stubbed:?}"
    );
}

#[test]
fn common_modules_carry_what_their_functions_need() {
    let Some((index, code)) = real_bundle() else {
        return;
    };
    // (module imported, modules its common functions import later or from C code)
    let cases: &[(&str, &[&str])] = &[
        ("collections", &["heapq"]),              // Counter.most_common(n)
        ("datetime", &["_strptime", "locale"]),   // datetime.strptime
        ("time", &["_strptime"]),                 // time.strptime (C code imports it)
        ("uuid", &["hashlib", "random"]),         // uuid5/uuid3, uuid1's clock_seq
        ("decimal", &["numbers", "collections"]), // _decimal's C code imports them
        ("json", &["json.decoder", "json.encoder", "re"]),
        ("random", &["bisect"]), // seed(str) uses the built-in _sha512
        ("dataclasses", &["inspect", "copy"]),
        ("urllib.parse", &["collections", "re"]),
        ("hashlib", &[]),
        ("base64", &["struct", "binascii"]),
        ("string", &["re"]),
        ("functools", &[]),
        ("re", &["enum"]),
    ];
    for (module, needed) in cases {
        let p = payload(&index, &code, &format!("import {module}\n{HELLO}"));
        let all: Vec<&str> = p.modules.iter().map(|m| m.name.as_str()).collect();
        let stubbed = stubs(&p);
        for n in *needed {
            let frozen_or_builtin = ["binascii"].contains(n);
            assert!(
                frozen_or_builtin || (all.contains(n) && !stubbed.contains(n)),
                "`import {module}` does not carry {n}: {all:?}"
            );
        }
        assert!(
            !all.contains(&"_pydecimal"),
            "`import {module}` carries _pydecimal although _decimal is built in"
        );
    }
}

#[test]
fn a_user_import_of_a_left_out_module_brings_the_real_one() {
    let Some((index, code)) = real_bundle() else {
        return;
    };
    let p = payload(&index, &code, &format!("import os\n{HELLO}"));
    assert!(
        stubs(&p).contains(&"subprocess"),
        "os.popen's subprocess should be a stub"
    );
    let p = payload(
        &index,
        &code,
        &format!("import os\ndef f():\n    import subprocess\n{HELLO}"),
    );
    assert!(!stubs(&p).contains(&"subprocess"));
    assert!(p.modules.iter().any(|m| m.name == "subprocess"));
}
