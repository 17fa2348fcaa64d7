//! Finds the canister's entry points: top-level functions decorated with kybra's
//! `@query` / `@update` (bare, called as `@query(guard=..., manual_reply=...)`, or reached
//! through any import alias), with their Candid signatures, and the lifecycle / system
//! functions `@init`, `@pre_upgrade`, `@post_upgrade`, `@heartbeat`, `@inspect_message`.
//!
//! Promises: methods come out in source order (modules in discovery order, `main`
//! first); a `-> Manual[T]` result (or `manual_reply=True`) makes a method that replies
//! itself with result type `T`; `-> Async[T]` (a generator that yields cross-canister
//! calls) and `async def` declare result `T`, and make a `@query` a composite query; `@init` / `@post_upgrade` parameters are the service's init
//! arguments (both must declare the same ones when both declare any). Every problem
//! (missing or unsupported annotation, `*args`/`**kwargs`, keyword-only parameters, `async
//! def` on a hook other than `@heartbeat`, duplicate method names or hooks, parameters or a result on a hook that takes
//! none, misplaced decorator options, an unimported `@query`, a kybra decorator on a class,
//! a method or a nested function) is a diagnostic that says what to write instead. Functions without a kybra decorator are ordinary Python.

use std::collections::HashMap;

use kybra_interface::{FunctionRef, Hook, Hooks, Method, MethodKind, Param, Type};
use ruff_python_ast::{Expr, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextSize};

use crate::decorators::{self, Decorator, HookKind, Role};
use crate::diagnostic::{Diagnostic, SourceText};
use crate::names::{Names, Qual};
use crate::project::{Project, UserModule};
use crate::typedefs::TypeCx;
use crate::types::{Annotation, Mapper, TypeError};

/// The methods of `project`, or every problem found; the named types they use are
/// collected in `cx`.
pub fn methods(project: &Project, cx: &TypeCx) -> (Vec<Method>, Vec<Diagnostic>) {
    let (methods, _, diags) = entry_points(project, cx);
    (methods, diags)
}

/// The methods and lifecycle hooks of `project`, or every problem found.
pub fn entry_points(project: &Project, cx: &TypeCx) -> (Vec<Method>, Hooks, Vec<Diagnostic>) {
    let names = cx.names;
    let mut methods = Vec::new();
    let mut hooks = Hooks::default();
    let mut hook_at: HashMap<&'static str, Diagnostic> = HashMap::new();
    let mut diags = Vec::new();
    let mut seen: HashMap<String, Diagnostic> = HashMap::new();
    for module in &project.modules {
        let Some(ast) = &module.ast else { continue };
        let cx = ModuleCx {
            module,
            names,
            mapper: Mapper::new(cx, module),
        };
        for stmt in &ast.body {
            decorators::misplaced(names, module, stmt, &mut diags);
            let Stmt::FunctionDef(f) = stmt else { continue };
            let Some(dec) = decorators::read(names, module, f, &mut diags) else {
                continue;
            };
            let here = cx.at(f.name.range().start(), String::new());
            let kind = match dec.role {
                Role::Method(kind) => kind,
                Role::Hook(h) => {
                    if let Some(first) = hook_at.get(h.word()) {
                        diags.push(cx.at(
                            f.name.range().start(),
                            format!(
                                "`@{}` is already defined at {}:{}:{} — a canister has at most one; merge them",
                                h.word(),
                                first.path.display(),
                                first.line,
                                first.column
                            ),
                        ));
                        continue;
                    }
                    hook_at.insert(h.word(), here);
                    if let Some(hook) = cx.hook(f, h, &dec, &mut diags) {
                        *slot(&mut hooks, h) = Some(hook);
                    }
                    continue;
                }
            };
            if let Some(first) = seen.get(f.name.id.as_str()) {
                diags.push(cx.at(
                    f.name.range().start(),
                    format!(
                        "method `{}` is already defined at {}:{}:{} — rename one of them (Candid method names must be unique)",
                        f.name.id,
                        first.path.display(),
                        first.line,
                        first.column
                    ),
                ));
                continue;
            }
            seen.insert(f.name.id.to_string(), here);
            if let Some(m) = cx.method(f, kind, &dec, &mut diags) {
                methods.push(m);
            }
        }
    }
    if let (Some(init), Some(post)) = (&hooks.init, &hooks.post_upgrade) {
        let types = |h: &Hook| h.params.iter().map(|p| p.ty.clone()).collect::<Vec<Type>>();
        if !init.params.is_empty() && !post.params.is_empty() && types(init) != types(post) {
            if let Some(at) = hook_at.get("post_upgrade") {
                let mut d = at.clone();
                d.message = "`@post_upgrade` must take the same parameter types as `@init` (the service has one list of \
                             init arguments, sent at install and at upgrade) — or none"
                    .into();
                diags.push(d);
            }
        }
    }
    (methods, hooks, diags)
}

fn slot(hooks: &mut Hooks, kind: HookKind) -> &mut Option<Hook> {
    match kind {
        HookKind::Init => &mut hooks.init,
        HookKind::PreUpgrade => &mut hooks.pre_upgrade,
        HookKind::PostUpgrade => &mut hooks.post_upgrade,
        HookKind::Heartbeat => &mut hooks.heartbeat,
        HookKind::InspectMessage => &mut hooks.inspect_message,
    }
}

struct ModuleCx<'a> {
    module: &'a UserModule,
    names: &'a Names,
    mapper: Mapper<'a>,
}

impl ModuleCx<'_> {
    fn src(&self) -> &SourceText {
        &self.module.source
    }

    fn at(&self, offset: TextSize, message: String) -> Diagnostic {
        self.src().diagnostic(offset, message)
    }

    /// A lifecycle hook: parameters only for `@init` / `@post_upgrade`, no result.
    fn hook(
        &self,
        f: &StmtFunctionDef,
        kind: HookKind,
        dec: &Decorator,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Hook> {
        let name = f.name.id.to_string();
        let word = kind.word();
        let before = diags.len();
        let params = self.params(f, &format!("`@{word}` function `{name}`"), diags);
        if f.is_async && kind != HookKind::Heartbeat {
            diags.push(self.at(
                f.name.range().start(),
                format!("`@{word}` function `{name}` cannot be `async def` — the IC allows no cross-canister calls there; write `def {name}(...)`"),
            ));
        }
        if !kind.takes_params() && !params.is_empty() {
            diags.push(self.at(
                f.name.range().start(),
                format!(
                    "`@{word}` function `{name}` cannot take parameters — the IC passes it none"
                ),
            ));
        }
        if let Some(ann) = &f.returns {
            // A heartbeat may make calls: `-> Async[void]` with `yield` inside, as methods.
            let ann = match self.unwrap(ann, "kybra.Async") {
                Some(inner) if kind == HookKind::Heartbeat => inner,
                Some(_) => {
                    diags.push(self.at(
                        ann.range().start(),
                        format!("`@{word}` function `{name}` cannot be `Async` — the IC allows no cross-canister calls there; write `-> void`"),
                    ));
                    return None;
                }
                None => ann,
            };
            match self.mapper.annotation(ann) {
                Ok(Annotation::Void) => {}
                // A hook has no result, so `-> None` (Python's way to say so) can only mean
                // `-> void`, not a Candid `null` result.
                Ok(Annotation::Type(_)) if matches!(ann, Expr::NoneLiteral(_)) => {}
                Ok(Annotation::Type(_)) => diags.push(self.at(
                    ann.range().start(),
                    format!("`@{word}` function `{name}` cannot return a value — write `-> void` (or `-> None`)"),
                )),
                Err(e) => diags.push(
                    self.type_error(e, &format!("return type of `@{word}` function `{name}`")),
                ),
            }
        }
        (diags.len() == before).then(|| Hook {
            function: FunctionRef {
                module: self.module.name.clone(),
                function: name,
            },
            params,
            guard: dec.guard.clone(),
        })
    }

    /// The Candid parameters of `f` (`what` names it in diagnostics).
    fn params(&self, f: &StmtFunctionDef, what: &str, diags: &mut Vec<Diagnostic>) -> Vec<Param> {
        let p = &f.parameters;
        if let Some(v) = &p.vararg {
            diags.push(self.at(
                v.range().start(),
                format!("`*{}` cannot be a Candid method parameter — give each argument its own annotated parameter, e.g. `x: text`", v.name.id),
            ));
        }
        if let Some(k) = &p.kwarg {
            diags.push(self.at(
                k.range().start(),
                format!("`**{}` cannot be a Candid method parameter — Candid arguments are positional: give each its own annotated parameter", k.name.id),
            ));
        }
        for k in &p.kwonlyargs {
            diags.push(self.at(
                k.range().start(),
                format!("keyword-only parameter `{}` cannot be passed by a Candid caller — remove the `*` before it", k.name()),
            ));
        }
        let mut params = Vec::new();
        for arg in p.posonlyargs.iter().chain(&p.args) {
            let pname = arg.name().id.to_string();
            match arg.parameter.annotation() {
                None => diags.push(self.at(
                    arg.range().start(),
                    format!("parameter `{pname}` of {what} has no type annotation — write e.g. `{pname}: text`"),
                )),
                Some(ann) => match self.mapper.ty(ann) {
                    Ok(ty) => params.push(Param { name: pname, ty }),
                    Err(e) => diags.push(self.type_error(e, &format!("parameter `{pname}` of {what}"))),
                },
            }
        }
        params
    }

    /// `T` when `ann` is `wrapper[T]` (`wrapper`: `kybra.Manual`, `kybra.Async`).
    fn unwrap<'e>(&self, ann: &'e Expr, wrapper: &str) -> Option<&'e Expr> {
        let Expr::Subscript(s) = ann else { return None };
        (self.names.qualify(&self.module.name, &s.value) == Qual::Global(wrapper.into()))
            .then_some(s.slice.as_ref())
    }

    /// The result annotation without `Async[...]` / `Manual[...]` (in either order), and
    /// whether each was there.
    fn result_annotation<'e>(&self, ann: &'e Expr) -> (&'e Expr, bool, bool) {
        let (mut ann, mut is_async, mut manual) = (ann, false, false);
        loop {
            if let Some(inner) = self.unwrap(ann, "kybra.Async").filter(|_| !is_async) {
                (ann, is_async) = (inner, true);
            } else if let Some(inner) = self.unwrap(ann, "kybra.Manual").filter(|_| !manual) {
                (ann, manual) = (inner, true);
            } else {
                return (ann, is_async, manual);
            }
        }
    }

    fn method(
        &self,
        f: &StmtFunctionDef,
        kind: MethodKind,
        dec: &Decorator,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Method> {
        let name = f.name.id.to_string();
        let before = diags.len();
        let params = self.params(f, &format!("method `{name}`"), diags);
        let (result, is_async, manual) = match f.returns.as_deref() {
            Some(ann) => {
                let (inner, is_async, manual) = self.result_annotation(ann);
                (Some(inner), is_async, manual)
            }
            None => (None, false, false),
        };
        // A query that makes calls (`-> Async[T]` or `async def`) is a composite query.
        let kind = match kind {
            MethodKind::Query if is_async || f.is_async => MethodKind::CompositeQuery,
            other => other,
        };
        let mut returns = Vec::new();
        match result {
            None => diags.push(self.at(
                f.name.range().start(),
                format!("method `{name}` has no return annotation — write e.g. `def {name}(...) -> text:`, or `-> void` if it returns nothing"),
            )),
            Some(ann) => match self.mapper.annotation(ann) {
                Ok(Annotation::Void) => {}
                Ok(Annotation::Type(t)) => returns.push(t),
                Err(e) => diags.push(self.type_error(e, &format!("return type of method `{name}`"))),
            },
        }
        (diags.len() == before).then(|| Method {
            name: name.clone(),
            module: self.module.name.clone(),
            function: name,
            kind,
            params,
            returns,
            guard: dec.guard.clone(),
            manual_reply: dec.manual_reply || manual,
        })
    }

    fn type_error(&self, e: TypeError, what: &str) -> Diagnostic {
        self.at(e.offset, format!("{what}: {}", e.message))
    }
}
