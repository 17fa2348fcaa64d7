//! Wasm assembly against a hand-written template with the real template's contract.
mod common;

use std::io::Read;

use common::{Project, HELLO_WORLD};
use kybra_compiler::{Assets, BuildError};
use kybra_interface::Payload;
use wasmparser::{DataKind, ExternalKind, Parser, Payload as Section, TypeRef, Validator};

/// What the tests look at in a module.
#[derive(Default, Debug)]
struct Parts {
    imports: Vec<String>,
    exports: Vec<(String, ExternalKind, u32)>,
    customs: Vec<(String, Vec<u8>)>,
    passive: Vec<Vec<u8>>,
    imported_funcs: u32,
    /// Operators of each local function body, rendered with `{:?}`.
    bodies: Vec<Vec<String>>,
}

fn parts(wasm: &[u8]) -> Parts {
    let mut p = Parts::default();
    for section in Parser::new(0).parse_all(wasm) {
        match section.unwrap() {
            Section::ImportSection(r) => {
                for i in r {
                    let i = i.unwrap();
                    if matches!(i.ty, TypeRef::Func(_)) {
                        p.imported_funcs += 1;
                    }
                    p.imports.push(format!("{}.{}", i.module, i.name));
                }
            }
            Section::ExportSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    p.exports.push((e.name.to_string(), e.kind, e.index));
                }
            }
            Section::CustomSection(c) => p.customs.push((c.name().to_string(), c.data().to_vec())),
            Section::DataSection(r) => {
                for d in r {
                    let d = d.unwrap();
                    if matches!(d.kind, DataKind::Passive) {
                        p.passive.push(d.data.to_vec());
                    }
                }
            }
            Section::CodeSectionEntry(body) => {
                let ops = body.get_operators_reader().unwrap();
                p.bodies.push(
                    ops.into_iter()
                        .map(|o| format!("{:?}", o.unwrap()))
                        .collect(),
                );
            }
            _ => {}
        }
    }
    p
}

fn body_of(p: &Parts, func_index: u32) -> &[String] {
    &p.bodies[(func_index - p.imported_funcs) as usize]
}

fn export_index(p: &Parts, name: &str) -> u32 {
    p.exports
        .iter()
        .find(|e| e.0 == name)
        .unwrap_or_else(|| panic!("no export {name}: {:?}", p.exports))
        .2
}

#[test]
fn assembled_module_meets_the_contract() {
    let project = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let c = project.build().unwrap();
    Validator::new()
        .validate_all(&c.wasm)
        .expect("the canister module validates");
    let p = parts(&c.wasm);

    assert_eq!(p.imports, ["ic0.msg_reply"], "only ic0 imports");
    let mut names: Vec<_> = p.exports.iter().map(|e| e.0.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "canister_init",
            "canister_query get_message",
            "canister_update set_message",
            "memory"
        ]
    );

    // Custom sections: the .did and the cdk, each once (the template's old cdk replaced).
    let custom = |name: &str| -> Vec<&Vec<u8>> {
        p.customs
            .iter()
            .filter(|c| c.0 == name)
            .map(|c| &c.1)
            .collect()
    };
    assert_eq!(
        custom("icp:public candid:service"),
        [&c.did.as_bytes().to_vec()]
    );
    assert_eq!(
        custom("icp:public cdk"),
        [&format!("kybra {}", env!("CARGO_PKG_VERSION")).into_bytes()]
    );

    // The payload is the passive segment and decodes back.
    assert_eq!(p.passive.len(), 1);
    let payload = Payload::decode(&p.passive[0]).unwrap();
    assert_eq!(payload.methods.len(), 2);
    assert_eq!(payload.modules[0].name, "main");
    assert_eq!(c.payload_bytes, p.passive[0].len());

    // Trampolines: i32.const INDEX; call kybra_dispatch (the function that records its argument).
    let called = |name: &str| -> u32 {
        let body = body_of(&p, export_index(&p, name));
        body[1]
            .strip_prefix("Call { function_index: ")
            .unwrap()
            .trim_end_matches(" }")
            .parse()
            .unwrap()
    };
    let dispatch = called("canister_query get_message");
    assert_eq!(
        &body_of(&p, dispatch)[..2],
        [
            "LocalGet { local_index: 0 }",
            "GlobalSet { global_index: 0 }"
        ]
    );
    for (name, index) in [
        ("canister_query get_message", 0),
        ("canister_update set_message", 1),
    ] {
        let body = body_of(&p, export_index(&p, name));
        assert_eq!(
            body,
            [
                format!("I32Const {{ value: {index} }}"),
                format!("Call {{ function_index: {dispatch} }}"),
                "End".to_string()
            ],
            "{name}"
        );
    }
    // canister_init calls payload_copy, which is now `memory.init` of the payload segment.
    let init = body_of(&p, export_index(&p, "canister_init"));
    let copy: u32 = init
        .iter()
        .find_map(|op| op.strip_prefix("Call { function_index: "))
        .unwrap()
        .trim_end_matches(" }")
        .parse()
        .unwrap();
    let copy_body = body_of(&p, copy).join(" ");
    assert!(
        copy_body.contains(&format!(
            "I32Const {{ value: {} }} MemoryInit",
            c.payload_bytes
        )),
        "{copy_body}"
    );
    let dispatch_body = body_of(&p, dispatch).join(" ");
    let size: u32 = dispatch_body
        .split("Call { function_index: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        body_of(&p, size),
        [
            format!("I32Const {{ value: {} }}", c.payload_bytes),
            "End".to_string()
        ]
    );

    // The gzip is the same module.
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&c.wasm_gz[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, c.wasm);
}

#[test]
fn templates_that_break_the_contract_are_rejected() {
    let project = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let (index, code) = common::stdlib();
    let build = |wat: &str| -> BuildError {
        let template = wat::parse_str(wat).unwrap();
        let assets = Assets {
            template: &template,
            stdlib_index: index.as_bytes(),
            stdlib_code: &code,
        };
        kybra_compiler::build(&project.main(), &project.root, &assets).unwrap_err()
    };
    let no_copy = r#"(module (import "kybra" "payload_size" (func (result i32))) (memory 1)
        (func (export "kybra_dispatch") (param i32)))"#;
    assert!(build(no_copy)
        .to_string()
        .contains("does not import `kybra.payload_copy`"));
    let wasi = r#"(module (import "kybra" "payload_size" (func (result i32))) (import "kybra" "payload_copy" (func (param i32)))
        (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (memory 1)
        (func (export "kybra_dispatch") (param i32)))"#;
    let e = build(wasi).to_string();
    assert!(
        e.contains("wasi_snapshot_preview1.fd_write") && e.contains("only `ic0`"),
        "{e}"
    );
    let no_dispatch = r#"(module (import "kybra" "payload_size" (func (result i32))) (import "kybra" "payload_copy" (func (param i32))) (memory 1))"#;
    assert!(build(no_dispatch)
        .to_string()
        .contains("does not export a function `kybra_dispatch`"));
    assert!(matches!(build("(module)"), BuildError::Template(_)));
}

/// A template that meets the compiler's contract but breaks `extra` IC rules.
fn template_with(extra: &str) -> String {
    format!(
        r#"(module
  (import "ic0" "msg_reply" (func $reply))
  (import "kybra" "payload_size" (func $size (result i32)))
  (import "kybra" "payload_copy" (func $copy (param i32)))
  (memory (export "memory") 1)
  (table 1 funcref)
  (func (export "canister_init") (call $copy (i32.const 1024)))
  (func $dispatch (export "kybra_dispatch") (param i32) (drop (call $size)) (call $reply))
  {extra}
)"#
    )
}

#[test]
fn modules_the_ic_would_reject_are_build_errors() {
    let project = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let (index, code) = common::stdlib();
    let build = |wat: &str| -> Result<kybra_compiler::Canister, BuildError> {
        let template = wat::parse_str(wat).unwrap();
        let assets = Assets {
            template: &template,
            stdlib_index: index.as_bytes(),
            stdlib_code: &code,
        };
        kybra_compiler::build(&project.main(), &project.root, &assets)
    };
    let rejected = |extra: &str| -> String {
        match build(&template_with(extra)) {
            Err(e @ BuildError::Rejected(_)) => e.to_string(),
            other => panic!(
                "expected a rejection for {extra}, got {:?}",
                other.map(|c| c.facts)
            ),
        }
    };
    // The baseline passes, and reports what it measured.
    let c = build(&template_with("")).unwrap();
    assert_eq!(c.facts.functions, 6, "{:?}", c.facts);
    assert_eq!(c.facts.imports, ["msg_reply"]);

    let e = rejected(r#"(func (export "canister_foo"))"#);
    assert!(
        e.contains("`canister_foo` uses the IC's reserved `canister_` prefix"),
        "{e}"
    );
    // (`canister_heartbeat` would be removed: this canister defines no `@heartbeat`.)
    let e = rejected(r#"(func (export "canister_global_timer") (param i32))"#);
    assert!(
        e.contains("`canister_global_timer` must have type () -> ()"),
        "{e}"
    );
    let e = rejected(r#"(func (export "canister_update get_message"))"#);
    assert!(
        e.contains("`get_message` is exported more than once"),
        "{e}"
    );
    let e = rejected(r#"(func (export "canister_query extra"))"#);
    assert!(
        e.contains("exports `canister_query extra`, which the .did does not declare"),
        "{e}"
    );
    let e = rejected(r#"(func (drop (table.grow (ref.null func) (i32.const 1))))"#);
    assert!(
        e.contains("uses `table.grow`, which the IC does not allow"),
        "{e}"
    );
    let e = rejected(r#"(@custom "icp:private cdk" "other")"#);
    assert!(
        e.contains("custom section `cdk` appears more than once"),
        "{e}"
    );
    let e = rejected(r#"(@custom "icp:secret" "x")"#);
    assert!(
        e.contains("`icp:secret` must be named `icp:public NAME` or `icp:private NAME`"),
        "{e}"
    );
    let globals: String = (0..1001)
        .map(|i| format!("(global $g{i} i32 (i32.const 0))"))
        .collect();
    let e = rejected(&globals);
    assert!(e.contains("1001 globals, more than the IC's 1000"), "{e}");
    // Every problem is listed, not only the first, with what to do.
    let e = rejected(r#"(func (export "canister_foo")) (func (export "canister_bar"))"#);
    assert!(
        e.contains("canister_foo") && e.contains("canister_bar") && e.contains("rebuild it"),
        "{e}"
    );
}

#[test]
fn unknown_or_mistyped_system_api_imports_are_rejected() {
    let wasm = |imports: &str| {
        wat::parse_str(format!(
            r#"(module {imports} (memory 1) (@custom "icp:public candid:service" "service : {{}}") (@custom "icp:public cdk" "kybra"))"#
        ))
        .unwrap()
    };
    let did = "service : {}";
    let check = |imports: &str| kybra_compiler::validate::check(&wasm(imports), did);
    check(r#"(import "ic0" "msg_reply" (func)) (import "ic0" "stable64_grow" (func (param i64) (result i64)))"#).unwrap();
    let e = check(r#"(import "ic0" "no_such_call" (func))"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`ic0.no_such_call`, which is not part of the IC's System API"),
        "{e}"
    );
    let e = check(r#"(import "ic0" "time" (func (result i32)))"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`ic0.time` is imported with the wrong type"),
        "{e}"
    );
    let e = check(r#"(import "env" "g" (global i32))"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`env.g`") && e.contains("only `ic0` functions"),
        "{e}"
    );
    // Threads are not an IC feature.
    let shared = r#"(module (memory 1 1 shared) (@custom "icp:public candid:service" "service : {}") (@custom "icp:public cdk" "k"))"#;
    let e = kybra_compiler::validate::check(&wat::parse_str(shared).unwrap(), did)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not valid for the IC's wasm features"), "{e}");
}
