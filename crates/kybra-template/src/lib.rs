//! Turns the `kybra-runtime` module (built for `wasm32-wasip1`) into `template.wasm`.
//!
//! Steps: rewrite WASI imports to the in-module `ic-wasi-polyfill` functions
//! ([`rewire`]), drop every export that is not part of the template contract
//! (`canister_init`, `canister_pre_upgrade`, `canister_post_upgrade`,
//! `canister_heartbeat`, `canister_inspect_message`, `kybra_dispatch`,
//! `canister_global_timer` and `ic-cdk-timers`' `<ic-cdk internal> timer_executor`
//! update, the memory), garbage-collect what became unreachable, and check
//! the result.
//!
//! Promises (see `docs/architecture.md`, "Build-time assets"):
//! - the output imports only `ic0.*` plus `kybra.payload_size: () -> i32` and
//!   `kybra.payload_copy: (i32) -> ()`; anything else is an error that lists the
//!   offending imports (unresolved C symbols silently become `env` imports);
//! - [`optimize`] runs binaryen's `wasm-opt` program on a template and checks its output the
//!   same way;
//! - the output exports `kybra_dispatch: (i32) -> ()`, the timer exports and the five canister hooks (the
//!   compiler removes `canister_heartbeat` / `canister_inspect_message` from canisters
//!   that define no `@heartbeat` / `@inspect_message`).

use std::collections::BTreeSet;

use walrus::{ExportItem, ImportKind, Module, ValType};

/// Exports the compiler relies on; every other export is removed.
pub const KEPT_EXPORTS: [&str; 8] = [
    "canister_init",
    "canister_pre_upgrade",
    "canister_post_upgrade",
    "canister_heartbeat",
    "canister_inspect_message",
    "kybra_dispatch",
    // `ic-cdk-timers` (the runtime's `ic.set_timer`): the global timer fires every due
    // timer as a self-call of this update method.
    "canister_global_timer",
    TIMER_EXECUTOR,
];

/// The update method through which `ic-cdk-timers` runs each timer callback.
pub const TIMER_EXECUTOR: &str = "canister_update <ic-cdk internal> timer_executor";

const PAYLOAD_MODULE: &str = "kybra";

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot parse the runtime wasm: {0}")]
    Parse(String),
    #[error(
        "no ic-wasi-polyfill functions to rewire the WASI imports to: was the runtime built \
         with the `ic-wasi-polyfill` dependency and without stripping its `__ic_custom_*` names?"
    )]
    NoPolyfill,
    #[error(transparent)]
    Rewire(#[from] RewireError),
    #[error(
        "the template may import only `ic0.*`, `kybra.payload_size` and `kybra.payload_copy`, \
         but it also imports: {}. Unresolved C or Rust symbols become `env` imports: link the \
         library that defines them, or stub them in kybra-runtime",
        .0.join(", ")
    )]
    ForbiddenImports(Vec<String>),
    #[error("`{name}` has the wrong signature: expected {expected}, found {found}")]
    WrongSignature {
        name: String,
        expected: String,
        found: String,
    },
    #[error("the runtime does not export `{0}`: is it the kybra-runtime module?")]
    MissingExport(String),
    #[error("wasm-opt failed: {0}")]
    Optimize(String),
}

/// What the conversion did, for progress output and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub imports: Vec<String>,
    pub exports: Vec<String>,
    pub functions: usize,
    pub size: usize,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep the `name` custom section (function names in traps and profiles).
    pub keep_names: bool,
}

/// Converts the runtime module bytes into the template module bytes.
pub fn build_template(
    runtime_wasm: &[u8],
    options: Options,
) -> Result<(Vec<u8>, Summary), TemplateError> {
    // The name section is needed here: the rewiring finds `__ic_custom_*` by name.
    let mut module = ic_wasm::utils::parse_wasm(runtime_wasm, true)
        .map_err(|e| TemplateError::Parse(e.to_string()))?;
    if rewire(&mut module)? == 0 {
        return Err(TemplateError::NoPolyfill);
    }
    prune_exports(&mut module);
    walrus::passes::gc::run(&mut module);
    remove_producer_sections(&mut module);
    if !options.keep_names {
        // walrus emits the name section from its own tables; a round trip through a
        // parser that skips it drops them all.
        let bytes = module.emit_wasm();
        module = ic_wasm::utils::parse_wasm(&bytes, false)
            .map_err(|e| TemplateError::Parse(e.to_string()))?;
    }
    let summary_imports = check_imports(&module)?;
    check_exports(&module)?;
    let bytes = module.emit_wasm();
    let summary = Summary {
        imports: summary_imports,
        exports: module.exports.iter().map(|e| e.name.clone()).collect(),
        functions: module.funcs.iter().count(),
        size: bytes.len(),
    };
    Ok((bytes, summary))
}

fn prune_exports(module: &mut Module) {
    let remove: Vec<_> = module
        .exports
        .iter()
        .filter(|e| {
            !(KEPT_EXPORTS.contains(&e.name.as_str()) || matches!(e.item, ExportItem::Memory(_)))
        })
        .map(|e| e.id())
        .collect();
    for id in remove {
        module.exports.delete(id);
    }
}

fn remove_producer_sections(module: &mut Module) {
    let remove: Vec<_> = module
        .customs
        .iter()
        .filter(|(_, s)| {
            s.name() == "producers"
                || s.name() == "target_features"
                || s.name().starts_with(".debug")
        })
        .map(|(id, _)| id)
        .collect();
    for id in remove {
        module.customs.delete(id);
    }
}

fn signature(module: &Module, func: walrus::FunctionId) -> (Vec<ValType>, Vec<ValType>) {
    let ty = module.types.get(module.funcs.get(func).ty());
    (ty.params().to_vec(), ty.results().to_vec())
}

pub(crate) fn check_imports(module: &Module) -> Result<Vec<String>, TemplateError> {
    let mut all = Vec::new();
    let mut bad = BTreeSet::new();
    for import in module.imports.iter() {
        let name = format!("{}.{}", import.module, import.name);
        all.push(name.clone());
        let allowed = match (import.module.as_str(), import.name.as_str(), &import.kind) {
            ("ic0", _, ImportKind::Function(_)) => true,
            (PAYLOAD_MODULE, "payload_size", ImportKind::Function(f)) => {
                expect_signature(module, *f, &name, &[], &[ValType::I32])?;
                true
            }
            (PAYLOAD_MODULE, "payload_copy", ImportKind::Function(f)) => {
                expect_signature(module, *f, &name, &[ValType::I32], &[])?;
                true
            }
            _ => false,
        };
        if !allowed {
            bad.insert(name);
        }
    }
    if !bad.is_empty() {
        return Err(TemplateError::ForbiddenImports(bad.into_iter().collect()));
    }
    Ok(all)
}

fn expect_signature(
    module: &Module,
    func: walrus::FunctionId,
    name: &str,
    params: &[ValType],
    results: &[ValType],
) -> Result<(), TemplateError> {
    let (p, r) = signature(module, func);
    if p != params || r != results {
        return Err(TemplateError::WrongSignature {
            name: name.to_string(),
            expected: format!("{params:?} -> {results:?}"),
            found: format!("{p:?} -> {r:?}"),
        });
    }
    Ok(())
}

pub(crate) fn check_exports(module: &Module) -> Result<(), TemplateError> {
    for name in KEPT_EXPORTS {
        let export = module.exports.iter().find(|e| e.name == name);
        let Some(export) = export else {
            return Err(TemplateError::MissingExport(name.to_string()));
        };
        if let ExportItem::Function(f) = export.item {
            let expected: &[ValType] = if name == "kybra_dispatch" {
                &[ValType::I32]
            } else {
                &[]
            };
            expect_signature(module, f, name, expected, &[])?;
        }
    }
    Ok(())
}

mod optimize;
mod rewire;

pub use optimize::{optimize, wasm_opt_version};
pub use rewire::{rewire, RewireError};

#[cfg(test)]
mod tests;
