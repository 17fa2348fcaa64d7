//! Tests on small hand-written modules: the import and export checks must fail loudly.
//! Every import is called from an export, since unused imports are garbage-collected.

use super::*;

/// A module shaped like the runtime: one WASI import with its polyfill replacement, the
/// payload imports, the contract exports, and `extra_imports` (all `(func)`, each given a
/// `$name` in `extra_calls` that `canister_pre_upgrade` calls).
fn runtime_like(extra_imports: &str, extra_calls: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (import "ic0" "debug_print" (func $print (param i32 i32)))
          (import "kybra" "payload_size" (func $size (result i32)))
          (import "kybra" "payload_copy" (func $copy (param i32)))
          {extra_imports}
          (memory (export "memory") 1)
          (func $__ic_custom_proc_exit (export "__ic_custom_proc_exit") (param i32))
          (func (export "canister_init")
            i32.const 0 call $proc_exit
            call $size call $copy
            i32.const 0 i32.const 0 call $print)
          (func (export "canister_pre_upgrade") {extra_calls})
          (func (export "canister_post_upgrade"))
          (func (export "canister_heartbeat"))
          (func (export "canister_inspect_message"))
          (func (export "kybra_dispatch") (param i32))
          (func (export "canister_global_timer"))
          (func (export "canister_update <ic-cdk internal> timer_executor"))
          (func (export "_initialize")))"#
    ))
    .unwrap()
}

#[test]
fn rewires_wasi_and_prunes_exports() {
    let (bytes, summary) = build_template(&runtime_like("", ""), Options::default()).unwrap();
    assert_eq!(
        summary.imports,
        vec![
            "ic0.debug_print",
            "kybra.payload_size",
            "kybra.payload_copy"
        ]
    );
    let exports: BTreeSet<&str> = summary.exports.iter().map(String::as_str).collect();
    assert_eq!(
        exports,
        BTreeSet::from([
            "memory",
            "canister_init",
            "canister_pre_upgrade",
            "canister_post_upgrade",
            "canister_heartbeat",
            "canister_inspect_message",
            "kybra_dispatch",
            "canister_global_timer",
            "canister_update <ic-cdk internal> timer_executor",
        ])
    );
    assert_eq!(bytes.len(), summary.size);
    // The output is a valid module that a second pass accepts unchanged in shape.
    let module = ic_wasm::utils::parse_wasm(&bytes, false).unwrap();
    assert!(module
        .imports
        .iter()
        .all(|i| i.module != "wasi_snapshot_preview1"));
}

#[test]
fn env_imports_are_listed_in_the_error() {
    let err = build_template(
        &runtime_like(
            r#"(import "env" "PyFoo_Missing" (func $a)) (import "env" "bar" (func $b))"#,
            "call $a call $b",
        ),
        Options::default(),
    )
    .unwrap_err();
    match &err {
        TemplateError::ForbiddenImports(list) => {
            assert_eq!(list, &vec!["env.PyFoo_Missing", "env.bar"])
        }
        other => panic!("unexpected error {other}"),
    }
    assert!(err.to_string().contains("env.PyFoo_Missing"));
}

#[test]
fn unreplaced_wasi_imports_are_rejected() {
    let err = build_template(
        &runtime_like(
            r#"(import "wasi_snapshot_preview1" "sock_accept" (func $s))"#,
            "call $s",
        ),
        Options::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("wasi_snapshot_preview1.sock_accept"),
        "{err}"
    );
}

#[test]
fn payload_import_signatures_are_checked() {
    let wasm = wat::parse_str(
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $p (param i32)))
          (import "kybra" "payload_size" (func $s (result i64)))
          (func $__ic_custom_proc_exit (export "__ic_custom_proc_exit") (param i32))
          (func (export "canister_init") i32.const 0 call $p call $s drop))"#,
    )
    .unwrap();
    let err = build_template(&wasm, Options::default()).unwrap_err();
    assert!(matches!(err, TemplateError::WrongSignature { .. }), "{err}");
}

#[test]
fn missing_contract_exports_are_reported() {
    let wasm = wat::parse_str(
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $p (param i32)))
          (func $__ic_custom_proc_exit (export "__ic_custom_proc_exit") (param i32))
          (func (export "canister_init") i32.const 0 call $p))"#,
    )
    .unwrap();
    let err = build_template(&wasm, Options::default()).unwrap_err();
    assert!(
        matches!(&err, TemplateError::MissingExport(name) if name == "canister_pre_upgrade"),
        "{err}"
    );
}

#[test]
fn a_module_without_the_polyfill_is_refused() {
    let wasm = wat::parse_str(r#"(module (func (export "canister_init")))"#).unwrap();
    assert!(matches!(
        build_template(&wasm, Options::default()),
        Err(TemplateError::NoPolyfill)
    ));
}

#[test]
fn names_are_dropped_unless_kept() {
    let wasm = runtime_like("", "");
    let (plain, _) = build_template(&wasm, Options::default()).unwrap();
    let (named, _) = build_template(&wasm, Options { keep_names: true }).unwrap();
    let has_names = |b: &[u8]| b.windows(4).any(|w| w == b"name");
    assert!(!has_names(&plain));
    assert!(has_names(&named));
}

#[test]
fn optimize_keeps_the_contract_and_rejects_unknown_levels() {
    let (bytes, summary) = build_template(&runtime_like("", ""), Options::default()).unwrap();
    let optimized = optimize(&bytes, "O3").unwrap();
    let module = ic_wasm::utils::parse_wasm(&optimized, false).unwrap();
    let exports: BTreeSet<String> = module.exports.iter().map(|e| e.name.clone()).collect();
    let before: BTreeSet<String> = summary.exports.into_iter().collect();
    assert_eq!(
        exports, before,
        "wasm-opt must keep every export of the contract"
    );
    assert_eq!(check_imports(&module).unwrap(), summary.imports);
    let err = optimize(&bytes, "O9").unwrap_err().to_string();
    assert!(err.contains("unknown level O9"), "{err}");
}

#[test]
fn a_missing_wasm_opt_program_says_what_to_install() {
    let (bytes, _) = build_template(&runtime_like("", ""), Options::default()).unwrap();
    let err =
        crate::optimize::optimize_with(std::path::Path::new("/nonexistent/wasm-opt"), &bytes, "O3")
            .unwrap_err()
            .to_string();
    assert!(err.contains("cannot run /nonexistent/wasm-opt"), "{err}");
    assert!(err.contains("apt-get install binaryen"), "{err}");
}

#[test]
fn a_polyfill_function_of_another_type_is_refused() {
    let wasm = wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
            (func $__ic_custom_fd_write (param i32) (result i32) (local.get 0))
            (func (export "canister_init") (drop (call $w (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))))"#,
    )
    .unwrap();
    let err = build_template(&wasm, Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "wasi_snapshot_preview1.fd_write: the polyfill's __ic_custom_fd_write has another type"
        ),
        "{err}"
    );
}

#[test]
fn the_runtime_s_own_wrapper_wins_over_the_polyfill_function() {
    let wasm = wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_sync" (func $s (param i32) (result i32)))
            (func $__ic_custom_fd_sync (param i32) (result i32) (i32.const 1))
            (func $__kybra_wasi_fd_sync (param i32) (result i32) (call $__ic_custom_fd_sync (local.get 0)))
            (func (export "canister_init") (drop (call $s (i32.const 0)))))"#,
    )
    .unwrap();
    let mut module = ic_wasm::utils::parse_wasm(&wasm, true).unwrap();
    assert_eq!(rewire(&mut module).unwrap(), 1);
    let init = module.exports.get_func("canister_init").unwrap();
    let walrus::FunctionKind::Local(body) = &module.funcs.get(init).kind else {
        panic!("canister_init is local")
    };
    let called: Vec<String> = body
        .block(body.entry_block())
        .instrs
        .iter()
        .filter_map(|(i, _)| match i {
            walrus::ir::Instr::Call(c) => module.funcs.get(c.func).name.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(called, ["__kybra_wasi_fd_sync"]);
}
