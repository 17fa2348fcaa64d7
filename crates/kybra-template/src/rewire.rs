//! Rewires the runtime's WASI imports to the `ic-wasi-polyfill` functions linked into the
//! same module: each function imported from `wasi_snapshot_preview1` (or `wasi_unstable`)
//! as `NAME` is replaced, in every call, `ref.func`, element segment and export, by the
//! module's own function `__kybra_wasi_NAME` if the runtime wraps the polyfill's (e.g.
//! `path_open`, to set a file's size limit), else `__ic_custom_NAME` (found by the name
//! section, or exported under that name). The imports left unused are removed by the
//! garbage collection that follows.
//!
//! Promises: a replacement has exactly the import's type (else [`RewireError::Type`]);
//! an import without a replacement is left alone (the template's import check then names
//! it); [`rewire`] returns how many imports it replaced.

use std::collections::HashMap;

use walrus::ir::{dfs_pre_order_mut, VisitorMut};
use walrus::{ElementItems, ExportItem, FunctionId, ImportKind, Module};

/// The WASI modules whose imports are rewired.
const WASI_MODULES: [&str; 2] = ["wasi_snapshot_preview1", "wasi_unstable"];

/// The prefixes of a WASI function's implementations, the preferred first: the runtime's
/// own wrapper, then the polyfill's.
const PREFIXES: [&str; 2] = ["__kybra_wasi_", "__ic_custom_"];

#[derive(Debug, thiserror::Error)]
pub enum RewireError {
    #[error("{import}: the polyfill's {replacement} has another type than the WASI import")]
    Type { import: String, replacement: String },
}

/// Replaces every use of a WASI import by its polyfill function; how many were replaced.
pub fn rewire(module: &mut Module) -> Result<usize, RewireError> {
    let mut by_name: HashMap<String, FunctionId> = module
        .funcs
        .iter()
        .filter_map(|f| Some((f.name.clone()?, f.id())))
        .filter(|(name, _)| PREFIXES.iter().any(|p| name.starts_with(p)))
        .collect();
    for e in module.exports.iter() {
        if let ExportItem::Function(id) = e.item {
            if PREFIXES.iter().any(|p| e.name.starts_with(p)) {
                by_name.entry(e.name.clone()).or_insert(id);
            }
        }
    }
    let mut replace: HashMap<FunctionId, FunctionId> = HashMap::new();
    for import in module.imports.iter() {
        let ImportKind::Function(old) = import.kind else {
            continue;
        };
        if !WASI_MODULES.contains(&import.module.as_str()) {
            continue;
        }
        let Some((wanted, &new)) = PREFIXES.iter().find_map(|p| {
            let wanted = format!("{p}{}", import.name);
            by_name.get(&wanted).map(|id| (wanted, id))
        }) else {
            continue;
        };
        if module.funcs.get(old).ty() != module.funcs.get(new).ty() {
            return Err(RewireError::Type {
                import: format!("{}.{}", import.module, import.name),
                replacement: wanted,
            });
        }
        replace.insert(old, new);
    }
    let mut visitor = Replace(&replace);
    for (_, f) in module.funcs.iter_local_mut() {
        let entry = f.entry_block();
        dfs_pre_order_mut(&mut visitor, f, entry);
    }
    for elem in module.elements.iter_mut() {
        if let ElementItems::Functions(ids) = &mut elem.items {
            ids.iter_mut()
                .for_each(|id| visitor.visit_function_id_mut(id));
        }
    }
    for e in module.exports.iter_mut() {
        if let ExportItem::Function(id) = &mut e.item {
            visitor.visit_function_id_mut(id);
        }
    }
    Ok(replace.len())
}

/// Swaps each function id found in `.0` for its replacement.
struct Replace<'a>(&'a HashMap<FunctionId, FunctionId>);

impl VisitorMut for Replace<'_> {
    fn visit_function_id_mut(&mut self, id: &mut FunctionId) {
        if let Some(new) = self.0.get(id) {
            *id = *new;
        }
    }
}
