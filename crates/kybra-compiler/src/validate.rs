//! Checks a canister module the way the Internet Computer checks it at install time, so a
//! module the IC would reject never leaves the compiler.
//!
//! Mirrors the replica's `validate_wasm_binary` (dfinity/ic,
//! `rs/embedders/src/wasm_utils/validation.rs`): wasm validity under the IC's feature set,
//! imports (only known `ic0` functions with their exact signatures), exports (reserved
//! `canister_` names, `() -> ()` signatures, no method exported twice, export count and
//! name lengths), active data segment offsets, globals, defined functions, code section
//! size, per-function size and complexity, forbidden table instructions and the `icp:`
//! custom sections; plus what Kybra itself promises: both metadata sections present and
//! every method of the `.did` exported with its mode (and nothing else).
//!
//! Promises: [`check`] returns the module's [`ModuleFacts`] or a
//! [`BuildError::Rejected`] listing every problem found (not only the first). Limits are
//! the [`IC_LIMITS`] defaults (rules and tables: [`crate::ic_rules`]).

use std::collections::{BTreeMap, BTreeSet};

use candid::types::{FuncMode, TypeInner};
use wasmparser::{
    CompositeType, DataKind, ExternalKind, FuncType, FuncValidatorAllocations, Operator, Parser,
    Payload, TypeRef, ValType, ValidPayload, Validator,
};

use crate::diagnostic::BuildError;
use crate::ic_rules::{
    complexity, ic_features, Mode, METHOD_PREFIXES, RESERVED_EXPORTS, SYSTEM_API, SYSTEM_EXPORTS,
};
pub use crate::ic_rules::{Limits, IC_LIMITS};
use crate::wasm::{CANDID_SECTION, CDK_SECTION, TIMER_EXECUTOR_METHOD};

/// What [`check`] measured.
#[derive(Clone, Debug, Default)]
pub struct ModuleFacts {
    pub module_bytes: usize,
    pub code_section_bytes: u32,
    /// Defined (not imported) functions.
    pub functions: usize,
    pub imported_functions: usize,
    pub globals: usize,
    /// `ic0` functions imported, in import order.
    pub imports: Vec<String>,
    /// Every export name, in export order.
    pub exports: Vec<String>,
    /// Every custom section: name and content size.
    pub custom_sections: Vec<(String, usize)>,
    /// Total bytes of all data segments (the payload is one of them).
    pub data_bytes: usize,
    pub largest_function_instructions: usize,
    pub largest_function_complexity: u64,
}

/// The first `count` function bodies of a module, already checked (they are a prepared
/// template's, copied unchanged but for `i32.const` immediates), and what was measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustedBodies {
    pub count: u32,
    pub largest_instructions: usize,
    pub largest_complexity: u64,
}

/// Checks `wasm` against the IC's admission rules and `did` (the interface it must
/// serve); see the module docs.
pub fn check(wasm: &[u8], did: &str) -> Result<ModuleFacts, BuildError> {
    check_with(wasm, did, &IC_LIMITS)
}

/// [`check`] with other limits.
pub fn check_with(wasm: &[u8], did: &str, limits: &Limits) -> Result<ModuleFacts, BuildError> {
    check_trusting(wasm, did, limits, None)
}

/// [`check_with`], skipping the bodies `trusted` says were checked already (everything
/// else — sections, types, imports, exports, data, the other bodies — is checked).
pub fn check_trusting(
    wasm: &[u8],
    did: &str,
    limits: &Limits,
    trusted: Option<TrustedBodies>,
) -> Result<ModuleFacts, BuildError> {
    let mut problems = Vec::new();
    let facts = scan(wasm, limits, trusted, &mut problems);
    if let Some(facts) = &facts {
        check_exports_and_sections(facts, did, wasm, limits, &mut problems);
    }
    match facts {
        Some(facts) if problems.is_empty() => Ok(facts),
        _ => Err(BuildError::Rejected(problems)),
    }
}

/// Checks a runtime template's code once, as [`check`] checks a module's (validity under
/// the IC's features, instructions and complexity per function, forbidden instructions),
/// for builds to trust ([`check_trusting`]).
pub fn template_code(template: &[u8]) -> Result<TrustedBodies, String> {
    let mut problems = Vec::new();
    match scan(template, &IC_LIMITS, None, &mut problems) {
        Some(facts) if problems.is_empty() => Ok(TrustedBodies {
            count: facts.functions as u32,
            largest_instructions: facts.largest_function_instructions,
            largest_complexity: facts.largest_function_complexity,
        }),
        _ => Err(format!(
            "the template's code would be rejected by the Internet Computer: {}",
            problems.join("; ")
        )),
    }
}

/// One pass over the module: validation, imports, exports, limits, code (except the
/// `trusted` bodies). `None` if the module is not valid wasm at all (then `problems` says
/// why).
fn scan(
    wasm: &[u8],
    limits: &Limits,
    trusted: Option<TrustedBodies>,
    problems: &mut Vec<String>,
) -> Option<ModuleFacts> {
    let skip = trusted.map_or(0, |t| t.count as usize);
    let mut validated_bodies = 0usize;
    let mut facts = ModuleFacts {
        module_bytes: wasm.len(),
        ..Default::default()
    };
    if wasm.len() > limits.module_bytes {
        problems.push(format!(
            "the module has {} bytes, more than the IC's {} bytes",
            wasm.len(),
            limits.module_bytes
        ));
    }
    let mut validator = Validator::new_with_features(ic_features());
    let mut allocs = FuncValidatorAllocations::default();
    let mut types: Vec<Option<FuncType>> = Vec::new();
    // Type index of every function, imported first.
    let mut func_types: Vec<u32> = Vec::new();
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut body_index = 0usize;
    let invalid = |e: wasmparser::BinaryReaderError| {
        format!("the module is not valid for the IC's wasm features: {e}")
    };
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = match payload {
            Ok(p) => p,
            Err(e) => {
                problems.push(format!("the module cannot be parsed: {e}"));
                return None;
            }
        };
        match validator.payload(&payload) {
            Ok(ValidPayload::Func(_, _)) if validated_bodies < skip => validated_bodies += 1,
            Ok(ValidPayload::Func(func, body)) => {
                validated_bodies += 1;
                let mut v = func.into_validator(std::mem::take(&mut allocs));
                if let Err(e) = v.validate(&body) {
                    problems.push(invalid(e));
                    return None;
                }
                allocs = v.into_allocations();
            }
            Ok(_) => {}
            Err(e) => {
                problems.push(invalid(e));
                return None;
            }
        }
        // The validator has accepted this payload, so reading it again cannot fail.
        match payload {
            Payload::TypeSection(r) => {
                for group in r.into_iter().flatten() {
                    for sub in group.into_types() {
                        types.push(match sub.composite_type {
                            CompositeType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                for i in r.into_iter().flatten() {
                    match i.ty {
                        TypeRef::Func(ty) => {
                            func_types.push(ty);
                            facts.imported_functions += 1;
                            check_import(i.module, i.name, types.get(ty as usize).cloned().flatten(), problems);
                            facts.imports.push(i.name.to_string());
                        }
                        other => problems.push(format!(
                            "the module imports {other:?} `{}.{}` — a canister may import only `ic0` functions",
                            i.module, i.name
                        )),
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for ty in r.into_iter().flatten() {
                    func_types.push(ty);
                    facts.functions += 1;
                }
            }
            Payload::GlobalSection(r) => {
                for g in r.into_iter().flatten() {
                    facts.globals += 1;
                    if !matches!(
                        g.ty.content_type,
                        ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64 | ValType::V128
                    ) {
                        problems.push(format!(
                            "global {} has type {:?}, which the IC does not support",
                            facts.globals - 1,
                            g.ty.content_type
                        ));
                    }
                }
            }
            Payload::ExportSection(r) => {
                for e in r.into_iter().flatten() {
                    exports.push((e.name.to_string(), e.kind, e.index));
                    facts.exports.push(e.name.to_string());
                }
            }
            Payload::DataSection(r) => {
                for (i, d) in r.into_iter().flatten().enumerate() {
                    facts.data_bytes += d.data.len();
                    if let DataKind::Active { offset_expr, .. } = d.kind {
                        let ops: Vec<_> = offset_expr
                            .get_operators_reader()
                            .into_iter()
                            .flatten()
                            .collect();
                        if !matches!(ops.as_slice(), [Operator::I32Const { .. }, Operator::End]) {
                            problems.push(format!("data segment {i}: its offset must be a single `i32.const` for the IC, not {ops:?}"));
                        }
                    }
                }
            }
            Payload::CodeSectionStart { size, .. } => {
                facts.code_section_bytes = size;
                if size > limits.code_section_bytes {
                    problems.push(format!(
                        "the code section has {size} bytes, more than the IC's {} — the runtime template is too large",
                        limits.code_section_bytes
                    ));
                }
            }
            Payload::CodeSectionEntry(_) if body_index < skip => body_index += 1,
            Payload::CodeSectionEntry(body) => {
                let (mut count, mut weight) = (0usize, 0u64);
                if let Ok(ops) = body.get_operators_reader() {
                    for op in ops.into_iter().flatten() {
                        count += 1;
                        match complexity(&op) {
                            Ok(w) => weight = weight.saturating_add(w),
                            Err(name) => problems.push(format!(
                                "function {} uses `{name}`, which the IC does not allow",
                                facts.imported_functions + body_index
                            )),
                        }
                    }
                }
                let f = facts.imported_functions + body_index;
                if count > limits.function_instructions {
                    problems.push(format!(
                        "function {f} has {count} instructions, more than the IC's {}",
                        limits.function_instructions
                    ));
                }
                if weight > limits.function_complexity {
                    problems.push(format!(
                        "function {f} has complexity {weight}, more than the IC's {}",
                        limits.function_complexity
                    ));
                }
                facts.largest_function_instructions =
                    facts.largest_function_instructions.max(count);
                facts.largest_function_complexity = facts.largest_function_complexity.max(weight);
                body_index += 1;
            }
            Payload::CustomSection(c) => facts
                .custom_sections
                .push((c.name().to_string(), c.data().len())),
            _ => {}
        }
    }
    if let Some(t) = trusted {
        facts.largest_function_instructions = facts
            .largest_function_instructions
            .max(t.largest_instructions);
        facts.largest_function_complexity =
            facts.largest_function_complexity.max(t.largest_complexity);
    }
    if facts.functions > limits.functions {
        problems.push(format!(
            "the module defines {} functions, more than the IC's {}",
            facts.functions, limits.functions
        ));
    }
    if facts.globals > limits.globals {
        problems.push(format!(
            "the module has {} globals, more than the IC's {}",
            facts.globals, limits.globals
        ));
    }
    for (name, kind, index) in &exports {
        if *kind != ExternalKind::Func {
            continue;
        }
        let is_entry = METHOD_PREFIXES.iter().any(|(p, _)| name.starts_with(p))
            || SYSTEM_EXPORTS.contains(&name.as_str());
        if !is_entry {
            continue;
        }
        let ty = func_types
            .get(*index as usize)
            .and_then(|t| types.get(*t as usize).cloned().flatten());
        if !ty.is_some_and(|t| t.params().is_empty() && t.results().is_empty()) {
            problems.push(format!("export `{name}` must have type () -> ()"));
        }
    }
    Some(facts)
}

fn check_import(module: &str, name: &str, ty: Option<FuncType>, problems: &mut Vec<String>) {
    if module != "ic0" {
        problems.push(format!(
            "the module imports `{module}.{name}` — a canister may import only from `ic0`"
        ));
        return;
    }
    let Some((_, params, results)) = SYSTEM_API.iter().find(|(n, _, _)| *n == name) else {
        problems.push(format!(
            "the module imports `ic0.{name}`, which is not part of the IC's System API"
        ));
        return;
    };
    if !ty.is_some_and(|t| t.params() == *params && t.results() == *results) {
        problems.push(format!(
            "`ic0.{name}` is imported with the wrong type; the IC's is {params:?} -> {results:?}"
        ));
    }
}

fn check_exports_and_sections(
    facts: &ModuleFacts,
    did: &str,
    wasm: &[u8],
    limits: &Limits,
    problems: &mut Vec<String>,
) {
    // Exports: reserved names, `canister_` prefix, duplicates, count and name lengths.
    let mut methods: BTreeMap<&str, Mode> = BTreeMap::new();
    let mut name_bytes = 0;
    for export in &facts.exports {
        if RESERVED_EXPORTS.contains(&export.as_str()) {
            problems.push(format!("export `{export}` is a name the IC reserves"));
        } else if let Some((name, mode)) = METHOD_PREFIXES
            .iter()
            .find_map(|(p, m)| export.strip_prefix(p).map(|n| (n, *m)))
        {
            if methods.insert(name, mode).is_some() {
                problems.push(format!("method `{name}` is exported more than once (the IC allows one export per method name)"));
            }
            name_bytes += name.len();
        } else if export.starts_with("canister_") && !SYSTEM_EXPORTS.contains(&export.as_str()) {
            problems.push(format!("export `{export}` uses the IC's reserved `canister_` prefix but is not an entry point the IC knows"));
        }
    }
    if methods.len() > limits.exported_methods {
        problems.push(format!(
            "the module exports {} methods, more than the IC's {}",
            methods.len(),
            limits.exported_methods
        ));
    }
    if name_bytes > limits.exported_name_bytes {
        problems.push(format!(
            "the method names add up to {name_bytes} bytes, more than the IC's {}",
            limits.exported_name_bytes
        ));
    }

    // Custom sections: `icp:` names well-formed and unique, count and size, ours present.
    let mut seen = BTreeSet::new();
    let mut total = 0;
    for (name, size) in &facts.custom_sections {
        if !name.starts_with("icp:") {
            continue;
        }
        let Some(short) = name
            .strip_prefix("icp:public ")
            .or_else(|| name.strip_prefix("icp:private "))
        else {
            problems.push(format!(
                "custom section `{name}` must be named `icp:public NAME` or `icp:private NAME`"
            ));
            continue;
        };
        if !seen.insert(short) {
            problems.push(format!("custom section `{short}` appears more than once"));
        }
        total += size + short.len();
    }
    if seen.len() > limits.custom_sections {
        problems.push(format!(
            "the module has {} `icp:` custom sections, more than the IC's {}",
            seen.len(),
            limits.custom_sections
        ));
    }
    if total > limits.custom_sections_bytes {
        problems.push(format!(
            "the `icp:` custom sections have {total} bytes, more than the IC's {}",
            limits.custom_sections_bytes
        ));
    }
    for required in [CANDID_SECTION, CDK_SECTION] {
        if !facts.custom_sections.iter().any(|(n, _)| n == required) {
            problems.push(format!("the custom section `{required}` is missing"));
        }
    }
    let embedded = custom_section(wasm, CANDID_SECTION);
    if embedded.is_some_and(|d| d != did.as_bytes()) {
        problems.push(format!(
            "the `{CANDID_SECTION}` section differs from the generated .did"
        ));
    }

    // Endpoints: every method of the .did exported with its mode, and no other method.
    match did_methods(did) {
        Err(e) => problems.push(format!("the .did cannot be read: {e}")),
        Ok(expected) => {
            for (name, mode) in &expected {
                match methods.get(name.as_str()) {
                    Some(m) if m == mode => {}
                    Some(m) => problems.push(format!(
                        "method `{name}` is exported as `{}` but the .did says `{}`",
                        m.export(name),
                        mode.export(name)
                    )),
                    None => problems.push(format!(
                        "the .did declares `{name}` but the module does not export `{}`",
                        mode.export(name)
                    )),
                }
            }
            for (name, mode) in &methods {
                if !expected.contains_key(*name) && *name != TIMER_EXECUTOR_METHOD {
                    problems.push(format!(
                        "the module exports `{}`, which the .did does not declare",
                        mode.export(name)
                    ));
                }
            }
        }
    }
}

/// The content of the custom section `name` (the first one), if any.
fn custom_section<'a>(wasm: &'a [u8], name: &str) -> Option<&'a [u8]> {
    Parser::new(0)
        .parse_all(wasm)
        .flatten()
        .find_map(|p| match p {
            Payload::CustomSection(c) if c.name() == name => Some(c.data()),
            _ => None,
        })
}

/// The service methods of a `.did` and the mode each must be exported with.
fn did_methods(did: &str) -> Result<BTreeMap<String, Mode>, String> {
    let prog: candid_parser::IDLProg = did
        .parse()
        .map_err(|e: candid_parser::Error| e.to_string())?;
    let mut env = candid::TypeEnv::new();
    let actor = candid_parser::check_prog(&mut env, &prog).map_err(|e| e.to_string())?;
    let Some(actor) = actor else {
        return Ok(BTreeMap::new());
    };
    let service = env.as_service(&actor).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for (name, ty) in service {
        let func = match ty.as_ref() {
            TypeInner::Func(f) => f.clone(),
            _ => env.as_func(ty).map_err(|e| e.to_string())?.clone(),
        };
        let mode = if func.modes.contains(&FuncMode::CompositeQuery) {
            Mode::CompositeQuery
        } else if func.modes.contains(&FuncMode::Query) {
            Mode::Query
        } else {
            Mode::Update
        };
        out.insert(name.clone(), mode);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_modes() {
        let m = did_methods(
            "service : { a : () -> () query; b : () -> (); c : () -> () composite_query }",
        )
        .unwrap();
        assert_eq!(m["a"], Mode::Query);
        assert_eq!(m["b"], Mode::Update);
        assert_eq!(m["c"], Mode::CompositeQuery);
    }
}
