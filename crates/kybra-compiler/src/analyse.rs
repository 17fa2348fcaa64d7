//! Finds the canister's public methods: top-level functions decorated with kybra's
//! `@query` / `@update` (bare, called as `@query(...)`, or reached through any import
//! alias), with their Candid signatures.
//!
//! Promises: methods come out in source order (modules in discovery order, `main`
//! first); every problem (missing or unsupported annotation, `*args`/`**kwargs`,
//! keyword-only parameters, `async def`, duplicate method names, kybra decorators not
//! supported yet, an unimported `@query`) is a diagnostic that says what to write instead.
//! Functions without a kybra decorator are ordinary Python and are left alone.

use std::collections::HashMap;

use kybra_interface::{Method, MethodKind, Param};
use ruff_python_ast::{Expr, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::{Diagnostic, SourceText};
use crate::names::{Names, Qual};
use crate::project::{Project, UserModule};
use crate::typedefs::TypeCx;
use crate::types::{Annotation, Mapper, TypeError};

/// Kybra decorators this compiler does not handle yet (they need payload support).
const NOT_YET: &[&str] = &["init", "pre_upgrade", "post_upgrade", "heartbeat", "inspect_message"];

/// The methods of `project`, or every problem found; the named types they use are
/// collected in `cx`.
pub fn methods(project: &Project, cx: &TypeCx) -> (Vec<Method>, Vec<Diagnostic>) {
    let names = cx.names;
    let mut methods = Vec::new();
    let mut diags = Vec::new();
    let mut seen: HashMap<String, Diagnostic> = HashMap::new();
    for module in &project.modules {
        let Some(ast) = &module.ast else { continue };
        let cx = ModuleCx { module, names, mapper: Mapper::new(cx, module) };
        for stmt in &ast.body {
            let Stmt::FunctionDef(f) = stmt else { continue };
            let Some(kind) = cx.kind(f, &mut diags) else { continue };
            let here = cx.at(f.name.range().start(), String::new());
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
            if let Some(m) = cx.method(f, kind, &mut diags) {
                methods.push(m);
            }
        }
    }
    (methods, diags)
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

    /// The method kind given by `f`'s kybra decorator, if it has one.
    fn kind(&self, f: &StmtFunctionDef, diags: &mut Vec<Diagnostic>) -> Option<MethodKind> {
        let mut found: Option<(MethodKind, &str)> = None;
        for dec in &f.decorator_list {
            let target = match &dec.expression {
                Expr::Call(c) => c.func.as_ref(),
                e => e,
            };
            let q = self.names.qualify(&self.module.name, target);
            let Qual::Global(q) = q else { continue };
            let (kind, word) = match q.as_str() {
                "kybra.query" => (MethodKind::Query, "query"),
                "kybra.update" => (MethodKind::Update, "update"),
                "builtins.query" | "builtins.update" => {
                    let word = &q["builtins.".len()..];
                    diags.push(self.at(
                        dec.expression.range().start(),
                        format!("`{word}` is not defined — add `from kybra import {word}` at the top of the file"),
                    ));
                    continue;
                }
                other => {
                    if let Some(name) = other.strip_prefix("kybra.").filter(|n| NOT_YET.contains(n)) {
                        diags.push(self.at(
                            dec.expression.range().start(),
                            format!("`@{name}` is not supported by this version of the compiler yet — remove it, or move the code into an `@update` method for now"),
                        ));
                    }
                    continue;
                }
            };
            if let Some((_, first)) = found {
                diags.push(self.at(
                    dec.expression.range().start(),
                    format!("`{}` is decorated with both `@{first}` and `@{word}` — keep exactly one", f.name.id),
                ));
                return None;
            }
            found = Some((kind, word));
        }
        found.map(|(k, _)| k)
    }

    fn method(&self, f: &StmtFunctionDef, kind: MethodKind, diags: &mut Vec<Diagnostic>) -> Option<Method> {
        let name = f.name.id.to_string();
        let before = diags.len();
        if f.is_async {
            diags.push(self.at(
                f.name.range().start(),
                format!("`async def {name}` cannot be a canister method yet — write `def {name}(...)`"),
            ));
        }
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
                    format!("parameter `{pname}` of method `{name}` has no type annotation — write e.g. `{pname}: text`"),
                )),
                Some(ann) => match self.mapper.ty(ann) {
                    Ok(ty) => params.push(Param { name: pname, ty }),
                    Err(e) => diags.push(self.type_error(e, &format!("parameter `{pname}` of method `{name}`"))),
                },
            }
        }
        let mut returns = Vec::new();
        match &f.returns {
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
            guard: None,
            manual_reply: false,
        })
    }

    fn type_error(&self, e: TypeError, what: &str) -> Diagnostic {
        self.at(e.offset, format!("{what}: {}", e.message))
    }
}
