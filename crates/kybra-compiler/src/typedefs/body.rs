//! The bodies of `Record`/`Variant` classes (fields) and `Service` classes (methods).
//!
//! Promises: a field is `name: Type` (no default value); a service method is a `def` with
//! `@service_query`, `@service_update` or `@service_method` (an update), `self` first, every other parameter and the
//! return annotated (`-> void` for none). Docstrings, `pass` and `...` are allowed in any
//! of them; everything else is a diagnostic at the statement saying what to write.
//! Labels are unique per type (also by Candid hash).

use std::collections::HashMap;

use kybra_interface::{Field, FuncMode, FuncType, ServiceMethod};
use ruff_python_ast::{Expr, Stmt, StmtClassDef, StmtFunctionDef};
use ruff_text_size::Ranged;

use super::{at, field_label, ClassKind, TypeCx};
use crate::names::Qual;
use crate::project::UserModule;
use crate::types::{Annotation, Mapper};

/// The fields (record) or cases (variant) of the classes in `chain`, base classes first.
pub(super) fn fields(
    cx: &TypeCx,
    kind: ClassKind,
    class: &str,
    chain: &[(&UserModule, &StmtClassDef)],
) -> Vec<Field> {
    let what = kind.name();
    let mut out: Vec<Field> = Vec::new();
    let mut labels: HashMap<u32, String> = HashMap::new();
    for (m, c) in chain {
        let mapper = Mapper::new(cx, m);
        for stmt in &c.body {
            match stmt {
                Stmt::Expr(_) | Stmt::Pass(_) => {}
                Stmt::AnnAssign(a) => {
                    let Expr::Name(n) = a.target.as_ref() else {
                        cx.report(at(m, a.target.range().start(), format!("a field of {what} `{class}` must be a plain name — write e.g. `name: text`")));
                        continue;
                    };
                    let pyname = n.id.as_str();
                    if let Some(v) = &a.value {
                        cx.report(at(
                            m,
                            v.range().start(),
                            format!("field `{pyname}` of {what} `{class}` has a default value, which Candid cannot express — remove `= ...`"),
                        ));
                        continue;
                    }
                    let (label, python_name) = field_label(pyname);
                    if let Some(first) = labels.insert(candid::idl_hash(&label), label.clone()) {
                        let why = if first == label { "is declared twice".to_string() } else { format!("has the same Candid hash as `{first}`") };
                        cx.report(at(m, n.range().start(), format!("field `{label}` of {what} `{class}` {why} — rename it")));
                        continue;
                    }
                    match mapper.ty(&a.annotation) {
                        Ok(ty) => out.push(Field { name: label, ty, python_name }),
                        Err(e) => cx.report(at(m, e.offset, format!("field `{pyname}` of {what} `{class}`: {}", e.message))),
                    }
                }
                Stmt::Assign(a) => cx.report(at(
                    m,
                    a.range().start(),
                    format!("an assignment in {what} `{class}` is not a field — declare a field with a type annotation, e.g. `name: text`"),
                )),
                Stmt::FunctionDef(f) => cx.report(at(
                    m,
                    f.name.range().start(),
                    format!("{what} `{class}` cannot have methods (its values are plain dicts) — move `{}` to module level", f.name.id),
                )),
                other => cx.report(at(
                    m,
                    other.range().start(),
                    format!("{what} `{class}` may contain only fields — write each field as `name: Type`"),
                )),
            }
        }
    }
    out
}

/// The methods of the Service classes in `chain`, base classes first.
pub(super) fn service_methods(
    cx: &TypeCx,
    class: &str,
    chain: &[(&UserModule, &StmtClassDef)],
) -> Vec<ServiceMethod> {
    let mut out: Vec<ServiceMethod> = Vec::new();
    for (m, c) in chain {
        let mapper = Mapper::new(cx, m);
        for stmt in &c.body {
            match stmt {
                Stmt::Expr(_) | Stmt::Pass(_) => {}
                Stmt::FunctionDef(f) => {
                    let name = f.name.id.to_string();
                    if out.iter().any(|s| s.name == name) {
                        cx.report(at(m, f.name.range().start(), format!("method `{name}` of Service `{class}` is declared twice — keep one")));
                        continue;
                    }
                    if let Some(func) = service_method(cx, &mapper, m, class, f) {
                        out.push(ServiceMethod { name, func });
                    }
                }
                other => cx.report(at(
                    m,
                    other.range().start(),
                    format!("Service `{class}` may contain only methods — write `@service_query` or `@service_update` methods, e.g. `def get(self) -> text: ...`"),
                )),
            }
        }
    }
    out
}

fn service_method(
    cx: &TypeCx,
    mapper: &Mapper,
    m: &UserModule,
    class: &str,
    f: &StmtFunctionDef,
) -> Option<FuncType> {
    let name = f.name.id.as_str();
    let here = |offset, message: String| cx.report(at(m, offset, message));
    let mut mode = None;
    for d in &f.decorator_list {
        match cx.names.qualify(&m.name, &d.expression) {
            Qual::Global(q) if q == "kybra.service_query" => mode = Some(FuncMode::Query),
            // Kybra 0.6's `@service_method` did not say which: an update call reaches both.
            Qual::Global(q) if q == "kybra.service_update" || q == "kybra.service_method" => {
                mode = Some(FuncMode::Update)
            }
            _ => {}
        }
    }
    let mut ok = mode.is_some();
    if !ok {
        here(
            f.name.range().start(),
            format!("method `{name}` of Service `{class}` has no `@service_query` or `@service_update` decorator — add the one that matches the other canister's method"),
        );
    }
    let p = &f.parameters;
    for bad in p.vararg.iter().chain(&p.kwarg) {
        here(bad.range().start(), format!("`{}` cannot be a Candid parameter of `{class}.{name}` — give each argument its own annotated parameter", bad.name.id));
        ok = false;
    }
    for k in &p.kwonlyargs {
        here(k.range().start(), format!("keyword-only parameter `{}` of `{class}.{name}` cannot be passed in Candid — remove the `*` before it", k.name()));
        ok = false;
    }
    let mut positional = p.posonlyargs.iter().chain(&p.args);
    if positional.next().is_none() {
        here(f.name.range().start(), format!("method `{class}.{name}` needs `self` as its first parameter — write `def {name}(self, ...)`"));
        ok = false;
    }
    let mut args = Vec::new();
    for arg in positional {
        let pname = arg.name().id.as_str();
        match arg.parameter.annotation() {
            None => {
                here(arg.range().start(), format!("parameter `{pname}` of `{class}.{name}` has no type annotation — write e.g. `{pname}: text`"));
                ok = false;
            }
            Some(ann) => match mapper.ty(ann) {
                Ok(t) => args.push(t),
                Err(e) => {
                    here(
                        e.offset,
                        format!("parameter `{pname}` of `{class}.{name}`: {}", e.message),
                    );
                    ok = false;
                }
            },
        }
    }
    let returns = match &f.returns {
        None => {
            here(f.name.range().start(), format!("method `{class}.{name}` has no return annotation — write e.g. `-> text`, or `-> void`"));
            ok = false;
            Vec::new()
        }
        Some(ann) => match mapper.annotation(ann) {
            Ok(Annotation::Void) => Vec::new(),
            Ok(Annotation::Type(t)) => vec![t],
            Err(e) => {
                here(
                    e.offset,
                    format!("return type of `{class}.{name}`: {}", e.message),
                );
                ok = false;
                Vec::new()
            }
        },
    };
    ok.then(|| FuncType {
        mode: mode.unwrap_or(FuncMode::Update),
        args,
        returns,
    })
}
