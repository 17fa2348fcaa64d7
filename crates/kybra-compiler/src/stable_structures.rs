//! Finds the canister's stable structures: module-level declarations such as
//! `name = StableBTreeMap[K, V](memory_id=M, max_key_size=…, max_value_size=…)`,
//! `StableBTreeSet[K](memory_id=M)`, `StableVec[T](memory_id=M)`,
//! `StableLog[T](index_memory_id=I, data_memory_id=D)`, `StableCell[T](memory_id=M, initial=…)`
//! and `StableMinHeap[T](memory_id=M)`, in every user module, with their types mapped to
//! Candid by [`Mapper`] (their named types join the payload's types). The one-type kinds
//! take an optional `max_size` (the largest encoded element).
//!
//! Promises: each declaration becomes one [`StableStructure`] (source order, `main` first).
//! Memory ids and sizes must be integer literals (the runtime opens the structures before
//! any Python runs): a variable, an id outside 0..=254, a size of 0 or above 4 GiB, only one
//! of a map's two sizes, a memory id used twice (a log uses two), missing or extra types,
//! an unknown parameter or a type that is not Candid is a diagnostic saying what to write.
//! A cell's `initial` is an ordinary expression, evaluated when the declaration runs.
//! Kybra keeps nothing of its own in the stable memory the structures use, so all of
//! 0..=254 are the user's, except while the canister declares a `StableFileSystem`: its
//! memory ids ([`FILE_SYSTEM_MEMORY_IDS`]) are then refused.

use std::collections::HashMap;

use kybra_interface::{StableKind, StableStructure, FILE_SYSTEM_MEMORY_IDS};
use ruff_python_ast::{Expr, ExprCall, Number, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::Diagnostic;
use crate::names::Qual;
use crate::project::{Project, UserModule};
use crate::typedefs::TypeCx;
use crate::types::Mapper;

/// The largest memory id `ic-stable-structures`' memory manager offers.
pub const MAX_MEMORY_ID: u64 = 254;

/// A stable structure class of the `kybra` package: its name, how many types it takes
/// (with a description for messages), its parameters (the first one or two are memory
/// ids) and an example declaration.
struct Class {
    name: &'static str,
    types: &'static [&'static str],
    params: &'static [&'static str],
    example: &'static str,
}

const CLASSES: [Class; 6] = [
    Class {
        name: "StableBTreeMap",
        types: &["key", "value"],
        params: &["memory_id", "max_key_size", "max_value_size"],
        example: "StableBTreeMap[text, nat64](memory_id=3, max_key_size=100, max_value_size=100)",
    },
    Class {
        name: "StableBTreeSet",
        types: &["element"],
        params: &["memory_id", "max_size"],
        example: "StableBTreeSet[text](memory_id=3)",
    },
    Class {
        name: "StableVec",
        types: &["element"],
        params: &["memory_id", "max_size"],
        example: "StableVec[text](memory_id=3)",
    },
    Class {
        name: "StableLog",
        types: &["entry"],
        params: &["index_memory_id", "data_memory_id", "max_size"],
        example: "StableLog[text](index_memory_id=3, data_memory_id=4)",
    },
    Class {
        name: "StableCell",
        types: &["value"],
        params: &["memory_id", "initial", "max_size"],
        example: "StableCell[nat64](memory_id=3, initial=0)",
    },
    Class {
        name: "StableMinHeap",
        types: &["element"],
        params: &["memory_id", "max_size"],
        example: "StableMinHeap[nat64](memory_id=3)",
    },
];

/// The stable structures `project` declares (with a stable file system when
/// `file_system`); problems go to `diags`.
pub fn find(
    project: &Project,
    cx: &TypeCx,
    file_system: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<StableStructure> {
    let mut found = Vec::new();
    let mut seen: HashMap<u8, (Diagnostic, &str)> = HashMap::new();
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
            let Some((class, s)) = m.declaration(call, diags) else {
                continue;
            };
            let here = m.at(call.range().start(), String::new());
            let mut ok = true;
            for id in s.memory_ids() {
                if file_system && FILE_SYSTEM_MEMORY_IDS.contains(&id) {
                    diags.push(m.at(
                        call.range().start(),
                        crate::stable_file_system::reserved_message(id),
                    ));
                    ok = false;
                } else if let Some((first, by)) = seen.get(&id) {
                    diags.push(m.at(
                        call.range().start(),
                        format!(
                            "memory id {id} is already used by the {by} at {}:{}:{} — give each stable structure its own memory id (0 to {MAX_MEMORY_ID})",
                            first.path.display(),
                            first.line,
                            first.column
                        ),
                    ));
                    ok = false;
                }
            }
            if ok {
                for id in s.memory_ids() {
                    seen.insert(id, (here.clone(), class.name));
                }
                found.push(s);
            }
        }
    }
    found
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

    fn class_of(&self, expr: &Expr) -> Option<&'static Class> {
        let Qual::Global(name) = self.cx.names.qualify(&self.module.name, expr) else {
            return None;
        };
        let name = name.strip_prefix("kybra.")?;
        CLASSES.iter().find(|c| c.name == name)
    }

    /// The declaration `call` makes, if it calls a stable structure class.
    fn declaration(
        &self,
        call: &ExprCall,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(&'static Class, StableStructure)> {
        let (class, type_exprs) = match call.func.as_ref() {
            Expr::Subscript(s) => {
                let class = self.class_of(&s.value)?;
                let exprs: Vec<&Expr> = match s.slice.as_ref() {
                    Expr::Tuple(t) => t.elts.iter().collect(),
                    one => vec![one],
                };
                if exprs.len() != class.types.len() {
                    diags.push(self.at(
                        s.slice.range().start(),
                        format!(
                            "{} takes {} {}, {} — write e.g. `{}`",
                            class.name,
                            count(class.types.len()),
                            if class.types.len() == 1 { "type" } else { "types" },
                            class
                                .types
                                .iter()
                                .map(|t| format!("the {t}'s"))
                                .collect::<Vec<_>>()
                                .join(" and "),
                            class.example
                        ),
                    ));
                    return None;
                }
                (class, exprs)
            }
            f => {
                let class = self.class_of(f)?;
                diags.push(self.at(
                    f.range().start(),
                    format!(
                        "{} needs its {} — write e.g. `{}`",
                        class.name,
                        describe(class.types),
                        class.example
                    ),
                ));
                return None;
            }
        };
        let before = diags.len();
        let args = self.arguments(class, call, diags);
        let id = |i: usize, diags: &mut Vec<Diagnostic>| match args[i] {
            None => {
                diags.push(self.at(
                    call.range().start(),
                    format!(
                        "{} needs {} — write e.g. `{}`",
                        class.name,
                        if i == 0 && class.params[0] == "memory_id" {
                            "a memory id".to_string()
                        } else {
                            format!("`{}`", class.params[i])
                        },
                        class.example
                    ),
                ));
                None
            }
            Some(e) => self
                .literal(e, class.params[i], 0, MAX_MEMORY_ID, diags)
                .map(|v| v as u8),
        };
        let size = |name: &str, diags: &mut Vec<Diagnostic>| {
            let i = class.params.iter().position(|p| *p == name)?;
            args[i]
                .and_then(|e| self.literal(e, name, 1, u64::from(u32::MAX), diags))
                .map(|v| v as u32)
        };
        let memory_id = id(0, diags);
        let kind = match class.name {
            "StableBTreeMap" => StableKind::BTreeMap,
            "StableBTreeSet" => StableKind::BTreeSet,
            "StableVec" => StableKind::Vec,
            "StableLog" => {
                let data_memory_id = id(1, diags);
                if data_memory_id.is_some() && data_memory_id == memory_id {
                    diags.push(self.at(
                        call.range().start(),
                        "a StableLog's index_memory_id and data_memory_id must differ (it keeps its index and its entries in two memories)".into(),
                    ));
                }
                StableKind::Log {
                    data_memory_id: data_memory_id.unwrap_or(0),
                }
            }
            "StableCell" => {
                if args[1].is_none() {
                    diags.push(self.at(
                        call.range().start(),
                        format!(
                            "StableCell needs its `initial` value (the cell's value until the first set) — write e.g. `{}`",
                            class.example
                        ),
                    ));
                }
                StableKind::Cell
            }
            _ => StableKind::MinHeap,
        };
        let (max_key_size, max_value_size) = if kind == StableKind::BTreeMap {
            if args[1].is_some() != args[2].is_some() {
                diags.push(self.at(
                    call.range().start(),
                    "give both max_key_size and max_value_size, or neither (a map without size limits)".into(),
                ));
            }
            (size("max_key_size", diags), size("max_value_size", diags))
        } else {
            (size("max_size", diags), None)
        };
        let mut ty = |e: &Expr, what: &str| match self.mapper.ty(e) {
            Ok(t) => Some(t),
            Err(err) => {
                diags.push(self.at(
                    err.offset,
                    format!("the {what} type of a {}: {}", class.name, err.message),
                ));
                None
            }
        };
        let types: Vec<_> = type_exprs
            .iter()
            .zip(class.types)
            .map(|(e, what)| ty(e, what))
            .collect();
        if diags.len() != before {
            return None;
        }
        let mut types = types.into_iter().map(Option::unwrap);
        let key = types.next()?;
        Some((
            class,
            StableStructure {
                kind,
                memory_id: memory_id?,
                key,
                value: types.next(),
                max_key_size,
                max_value_size,
            },
        ))
    }

    /// The call's arguments, by the class's parameters (positional or keyword).
    fn arguments<'c>(
        &self,
        class: &Class,
        call: &'c ExprCall,
        diags: &mut Vec<Diagnostic>,
    ) -> [Option<&'c Expr>; 3] {
        let mut args: [Option<&Expr>; 3] = [None; 3];
        let names = class.params.join(", ");
        for (i, a) in call.arguments.args.iter().enumerate() {
            match args.get_mut(i).filter(|_| i < class.params.len()) {
                Some(slot) => *slot = Some(a),
                None => diags.push(self.at(
                    a.range().start(),
                    format!(
                        "{} takes at most {} arguments: {names}",
                        class.name,
                        count(class.params.len())
                    ),
                )),
            }
        }
        for k in &call.arguments.keywords {
            let name = k.arg.as_ref().map(|a| a.id.as_str()).unwrap_or("**");
            match class.params.iter().position(|n| *n == name) {
                Some(i) if args[i].is_none() => args[i] = Some(&k.value),
                Some(_) => {
                    diags.push(self.at(k.range().start(), format!("`{name}` is given twice")))
                }
                None => diags.push(self.at(
                    k.range().start(),
                    format!(
                        "{} has no parameter `{name}` — its parameters are {names}",
                        class.name
                    ),
                )),
            }
        }
        args
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
                    format!("`{what}` must be an integer literal (the runtime opens the structure before your code runs) — write the number itself, e.g. `{what}={}`", if what.ends_with("memory_id") { 3 } else { 1000 }),
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

fn count(n: usize) -> &'static str {
    ["no", "one", "two", "three"][n.min(3)]
}

/// "key and value types" / "element type".
fn describe(types: &[&str]) -> String {
    match types {
        [one] => format!("{one} type"),
        [a, b] => format!("{a} and {b} types"),
        _ => String::new(),
    }
}
