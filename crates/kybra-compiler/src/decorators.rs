//! Reads kybra's decorators on a top-level function: `@query` / `@update` (bare or called
//! with `guard=`, `manual_reply=`), `@init`, `@post_upgrade`, `@pre_upgrade`,
//! `@heartbeat`, `@inspect_message` (the last three also with `guard=`), reached through
//! any import alias.
//!
//! Promises: [`read`] returns the one kybra decorator of a function (or `None` for
//! ordinary Python); two kybra decorators, an unknown or misplaced option (`guard=` on
//! `@init`, a non-literal `manual_reply=`), positional arguments, a guard that is not a
//! module-level function, or an unimported `@query` are diagnostics that say what to write;
//! [`misplaced`] reports a kybra decorator on a class, a method or a nested function,
//! where it would make nothing.

use kybra_interface::{FunctionRef, MethodKind};
use ruff_python_ast::{Decorator as AstDecorator, Expr, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use crate::names::{Names, Qual};
use crate::project::UserModule;

/// The lifecycle and system entry points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookKind {
    Init,
    PreUpgrade,
    PostUpgrade,
    Heartbeat,
    InspectMessage,
}

impl HookKind {
    pub fn word(self) -> &'static str {
        match self {
            HookKind::Init => "init",
            HookKind::PreUpgrade => "pre_upgrade",
            HookKind::PostUpgrade => "post_upgrade",
            HookKind::Heartbeat => "heartbeat",
            HookKind::InspectMessage => "inspect_message",
        }
    }

    /// Only `@init` and `@post_upgrade` take parameters (the service's init arguments).
    pub fn takes_params(self) -> bool {
        matches!(self, HookKind::Init | HookKind::PostUpgrade)
    }

    fn takes_guard(self) -> bool {
        !self.takes_params()
    }
}

/// What a kybra decorator makes of the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Method(MethodKind),
    Hook(HookKind),
}

/// A function's kybra decorator and its options.
#[derive(Clone, Debug)]
pub struct Decorator {
    pub role: Role,
    pub word: &'static str,
    pub guard: Option<FunctionRef>,
    pub manual_reply: bool,
}

/// Reads `f`'s kybra decorator, written in `module`.
pub fn read(
    names: &Names,
    module: &UserModule,
    f: &StmtFunctionDef,
    diags: &mut Vec<Diagnostic>,
) -> Option<Decorator> {
    let at = |e: &Expr, message: String| module.source.diagnostic(e.range().start(), message);
    let mut found: Option<Decorator> = None;
    for dec in &f.decorator_list {
        let (target, call) = match &dec.expression {
            Expr::Call(c) => (c.func.as_ref(), Some(c)),
            e => (e, None),
        };
        let Qual::Global(q) = names.qualify_decorator(&module.name, target, f.name.as_str()) else {
            continue;
        };
        let (role, word) = match q.as_str() {
            "kybra.query" => (Role::Method(MethodKind::Query), "query"),
            "kybra.update" => (Role::Method(MethodKind::Update), "update"),
            "kybra.init" => (Role::Hook(HookKind::Init), "init"),
            "kybra.pre_upgrade" => (Role::Hook(HookKind::PreUpgrade), "pre_upgrade"),
            "kybra.post_upgrade" => (Role::Hook(HookKind::PostUpgrade), "post_upgrade"),
            "kybra.heartbeat" => (Role::Hook(HookKind::Heartbeat), "heartbeat"),
            "kybra.inspect_message" => (Role::Hook(HookKind::InspectMessage), "inspect_message"),
            "builtins.query"
            | "builtins.update"
            | "builtins.init"
            | "builtins.pre_upgrade"
            | "builtins.post_upgrade"
            | "builtins.heartbeat"
            | "builtins.inspect_message" => {
                let word = &q["builtins.".len()..];
                diags.push(at(
                    &dec.expression,
                    format!("`{word}` is not defined — add `from kybra import {word}` at the top of the file"),
                ));
                continue;
            }
            _ => continue,
        };
        if let Some(first) = &found {
            diags.push(at(
                &dec.expression,
                format!(
                    "`{}` is decorated with both `@{}` and `@{word}` — keep exactly one",
                    f.name.id, first.word
                ),
            ));
            return None;
        }
        let mut d = Decorator {
            role,
            word,
            guard: None,
            manual_reply: false,
        };
        if let Some(call) = call {
            if let Some(arg) = call.arguments.args.first() {
                diags.push(at(
                    arg,
                    format!(
                        "`@{word}(...)` takes keyword options only, e.g. `@{word}(guard=is_owner)`"
                    ),
                ));
            }
            for kw in &call.arguments.keywords {
                let name = kw.arg.as_ref().map(|a| a.id.as_str()).unwrap_or("**");
                match (name, role) {
                    ("guard", Role::Hook(h)) if !h.takes_guard() => diags.push(at(
                        &kw.value,
                        format!("`@{word}` cannot have a guard function — the IC runs it once, at install/upgrade; check inside the function instead"),
                    )),
                    ("guard", _) => d.guard = guard(names, module, &kw.value, diags),
                    ("manual_reply", Role::Method(_)) => match &kw.value {
                        Expr::BooleanLiteral(b) => d.manual_reply = b.value,
                        other => diags.push(at(other, "`manual_reply=` must be `True` or `False` — write `manual_reply=True` for a method that replies itself".into())),
                    },
                    _ => {
                        let allowed = match role {
                            Role::Method(_) => "`guard=` and `manual_reply=`",
                            Role::Hook(h) if h.takes_guard() => "`guard=`",
                            Role::Hook(_) => "no options",
                        };
                        diags.push(at(&kw.value, format!("`@{word}` has no option `{name}` — it takes {allowed}")));
                    }
                }
            }
        }
        found = Some(d);
    }
    found
}

/// The function a `guard=` names.
fn guard(
    names: &Names,
    module: &UserModule,
    expr: &Expr,
    diags: &mut Vec<Diagnostic>,
) -> Option<FunctionRef> {
    if expr.is_none_literal_expr() {
        return None;
    }
    match names.qualify(&module.name, expr) {
        Qual::Local { module, name } => Some(FunctionRef {
            module,
            function: name,
        }),
        Qual::Global(q) if q.starts_with("builtins.") => {
            diags.push(module.source.diagnostic(
                expr.range().start(),
                format!("guard `{}` is not defined — define `def {}() -> GuardResult:` in this module or import it", &q[9..], &q[9..]),
            ));
            None
        }
        _ => {
            diags.push(module.source.diagnostic(
                expr.range().start(),
                "a guard must be the name of a module-level function of the project — write e.g. `guard=is_owner` with `def is_owner() -> GuardResult:`".to_string(),
            ));
            None
        }
    }
}

/// The words of the decorators that make entry points.
const ENTRY_WORDS: [&str; 7] = [
    "query",
    "update",
    "init",
    "pre_upgrade",
    "post_upgrade",
    "heartbeat",
    "inspect_message",
];

/// Diagnostics for kybra's entry-point decorators where they make nothing: on a top-level
/// class, on the methods of a top-level class, and on functions nested in a top-level
/// function (only top-level functions become canister methods and hooks).
pub fn misplaced(names: &Names, module: &UserModule, stmt: &Stmt, diags: &mut Vec<Diagnostic>) {
    let mut check = |list: &[AstDecorator], what: &str| {
        for dec in list {
            let target = match &dec.expression {
                Expr::Call(c) => c.func.as_ref(),
                e => e,
            };
            let Qual::Global(q) = names.qualify(&module.name, target) else {
                continue;
            };
            let Some(word) = q.strip_prefix("kybra.").filter(|w| ENTRY_WORDS.contains(w)) else {
                continue;
            };
            diags.push(module.source.diagnostic(
                dec.expression.range().start(),
                format!(
                    "`@{word}` on {what} makes nothing: only functions at the top level of a module become canister \
                     methods and hooks — move it to a top-level `def`"
                ),
            ));
        }
    };
    // The definitions directly inside a top-level class (`owner` "C": its methods) or
    // function (nested functions and classes).
    fn inner<'s>(body: &'s [Stmt], owner: Option<&str>) -> Vec<(&'s [AstDecorator], String)> {
        body.iter()
            .filter_map(|s| match s {
                Stmt::FunctionDef(f) => Some((
                    &f.decorator_list[..],
                    match owner {
                        Some(class) => format!("the method `{class}.{}`", f.name.id),
                        None => format!("the nested function `{}`", f.name.id),
                    },
                )),
                Stmt::ClassDef(c) => Some((
                    &c.decorator_list[..],
                    format!("the nested class `{}`", c.name.id),
                )),
                _ => None,
            })
            .collect()
    }
    let children = match stmt {
        Stmt::ClassDef(c) => {
            check(&c.decorator_list, &format!("the class `{}`", c.name.id));
            inner(&c.body, Some(c.name.id.as_str()))
        }
        Stmt::FunctionDef(f) => inner(&f.body, None),
        _ => Vec::new(),
    };
    for (list, what) in children {
        check(list, &what);
    }
}
