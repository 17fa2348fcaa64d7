//! Finds the canister's stable maps: module-level
//! `name = StableBTreeMap[K, V](memory_id=M, max_key_size=…, max_value_size=…)` (or the
//! unbounded form `StableBTreeMap[K, V](memory_id=M)`), in every user module, with K and V
//! mapped to Candid types by [`Mapper`] (their named types join the payload's types).
//!
//! Promises: each declaration becomes one [`StableMap`] (source order, `main` first). The
//! memory id and sizes must be integer literals (the runtime opens the maps before any
//! Python runs): a variable, an id outside 0..=254, a size of 0 or above 4 GiB, only one
//! of the two sizes, a memory id used twice, a missing `[K, V]` or a K/V that is not a
//! Candid type is a diagnostic saying what to write. No memory id is reserved: Kybra keeps
//! nothing of its own in the stable memory the maps use, so all of 0..=254 are the user's.

use std::collections::HashMap;

use kybra_interface::StableMap;
use ruff_python_ast::{Expr, ExprCall, Number, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::Diagnostic;
use crate::names::Qual;
use crate::project::{Project, UserModule};
use crate::typedefs::TypeCx;
use crate::types::Mapper;

/// The largest memory id `ic-stable-structures`' memory manager offers.
pub const MAX_MEMORY_ID: u64 = 254;

/// The stable maps `project` declares; problems go to `diags`.
pub fn find(project: &Project, cx: &TypeCx, diags: &mut Vec<Diagnostic>) -> Vec<StableMap> {
    let mut maps = Vec::new();
    let mut seen: HashMap<u8, Diagnostic> = HashMap::new();
    for module in &project.modules {
        let Some(ast) = &module.ast else { continue };
        let m = ModuleCx {
            module,
            cx,
            mapper: Mapper::new(cx, module),
        };
        for stmt in &ast.body {
            let value = match stmt {
                Stmt::Assign(a) => a.value.as_ref(),
                Stmt::AnnAssign(a) => match &a.value {
                    Some(v) => v.as_ref(),
                    None => continue,
                },
                _ => continue,
            };
            let Expr::Call(call) = value else { continue };
            let Some(map) = m.declaration(call, diags) else {
                continue;
            };
            let here = m.at(call.range().start(), String::new());
            if let Some(first) = seen.get(&map.memory_id) {
                diags.push(m.at(
                    call.range().start(),
                    format!(
                        "memory id {} is already used by the StableBTreeMap at {}:{}:{} — give each StableBTreeMap its own memory id (0 to {MAX_MEMORY_ID})",
                        map.memory_id,
                        first.path.display(),
                        first.line,
                        first.column
                    ),
                ));
                continue;
            }
            seen.insert(map.memory_id, here);
            maps.push(map);
        }
    }
    maps
}

struct ModuleCx<'a> {
    module: &'a UserModule,
    cx: &'a TypeCx<'a>,
    mapper: Mapper<'a>,
}

impl ModuleCx<'_> {
    fn at(&self, offset: TextSize, message: String) -> Diagnostic {
        self.module.source.diagnostic(offset, message)
    }

    fn is_map_class(&self, expr: &Expr) -> bool {
        self.cx.names.qualify(&self.module.name, expr)
            == Qual::Global("kybra.StableBTreeMap".into())
    }

    /// The declaration `call` makes, if it calls `StableBTreeMap`.
    fn declaration(&self, call: &ExprCall, diags: &mut Vec<Diagnostic>) -> Option<StableMap> {
        let (key_expr, value_expr) = match call.func.as_ref() {
            Expr::Subscript(s) if self.is_map_class(&s.value) => match s.slice.as_ref() {
                Expr::Tuple(t) if t.elts.len() == 2 => (&t.elts[0], &t.elts[1]),
                other => {
                    diags.push(self.at(
                        other.range().start(),
                        "StableBTreeMap takes two types, the key's and the value's — write e.g. `StableBTreeMap[text, nat64](memory_id=3)`".into(),
                    ));
                    return None;
                }
            },
            f if self.is_map_class(f) => {
                diags.push(self.at(
                    f.range().start(),
                    "StableBTreeMap needs its key and value types — write e.g. `StableBTreeMap[text, nat64](memory_id=3, max_key_size=100, max_value_size=100)`".into(),
                ));
                return None;
            }
            _ => return None,
        };
        let before = diags.len();
        let mut args: [Option<&Expr>; 3] = [None; 3];
        const NAMES: [&str; 3] = ["memory_id", "max_key_size", "max_value_size"];
        for (i, a) in call.arguments.args.iter().enumerate() {
            match args.get_mut(i) {
                Some(slot) => *slot = Some(a),
                None => diags.push(self.at(a.range().start(), "StableBTreeMap takes at most three arguments: memory_id, max_key_size, max_value_size".into())),
            }
        }
        for k in &call.arguments.keywords {
            let name = k.arg.as_ref().map(|a| a.id.as_str()).unwrap_or("**");
            match NAMES.iter().position(|n| *n == name) {
                Some(i) if args[i].is_none() => args[i] = Some(&k.value),
                Some(_) => diags.push(self.at(k.range().start(), format!("`{name}` is given twice"))),
                None => diags.push(self.at(
                    k.range().start(),
                    format!("StableBTreeMap has no parameter `{name}` — its parameters are memory_id, max_key_size and max_value_size"),
                )),
            }
        }
        let memory_id = match args[0] {
            None => {
                diags.push(self.at(
                    call.range().start(),
                    "StableBTreeMap needs a memory id — write e.g. `memory_id=3`".into(),
                ));
                None
            }
            Some(e) => self
                .literal(e, "memory_id", 0, MAX_MEMORY_ID, diags)
                .map(|v| v as u8),
        };
        let size = |e: Option<&Expr>, what: &str, diags: &mut Vec<Diagnostic>| {
            e.and_then(|e| self.literal(e, what, 1, u64::from(u32::MAX), diags))
                .map(|v| v as u32)
        };
        let max_key_size = size(args[1], "max_key_size", diags);
        let max_value_size = size(args[2], "max_value_size", diags);
        if args[1].is_some() != args[2].is_some() {
            diags.push(self.at(
                call.range().start(),
                "give both max_key_size and max_value_size, or neither (a map without size limits)".into(),
            ));
        }
        let mut ty = |e: &Expr, what: &str| match self.mapper.ty(e) {
            Ok(t) => Some(t),
            Err(err) => {
                diags.push(self.at(
                    err.offset,
                    format!("the {what} type of a StableBTreeMap: {}", err.message),
                ));
                None
            }
        };
        let key = ty(key_expr, "key");
        let value = ty(value_expr, "value");
        if diags.len() != before {
            return None;
        }
        Some(StableMap {
            memory_id: memory_id?,
            key: key?,
            value: value?,
            max_key_size,
            max_value_size,
        })
    }

    /// An integer literal between `min` and `max`.
    fn literal(
        &self,
        e: &Expr,
        what: &str,
        min: u64,
        max: u64,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<u64> {
        let value = match e {
            Expr::NumberLiteral(n) => match &n.value {
                Number::Int(i) => i.as_u64(),
                _ => None,
            },
            _ => {
                diags.push(self.at(
                    e.range().start(),
                    format!("`{what}` must be an integer literal (the runtime opens the map before your code runs) — write the number itself, e.g. `{what}={}`", if what == "memory_id" { 3 } else { 1000 }),
                ));
                return None;
            }
        };
        match value {
            Some(v) if (min..=max).contains(&v) => Some(v),
            _ => {
                diags.push(self.at(
                    e.range().start(),
                    format!("`{what}` must be between {min} and {max}"),
                ));
                None
            }
        }
    }
}
