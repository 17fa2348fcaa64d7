//! Name resolution: what a name used in a decorator or an annotation refers to, following
//! the module's imports (and re-exports through other user modules), never its spelling.
//!
//! Promises: [`Names::qualify`] turns `query`, `q` (from `from kybra import query as q`),
//! `k.update` (from `import kybra as k`) and `kybra.types.nat64` into canonical dotted
//! names (`kybra.query`, `kybra.update`, `kybra.nat64`); an unbound name is
//! `builtins.NAME`; a name the module defines itself is [`Qual::Local`].

use std::collections::HashMap;

use ruff_python_ast::{Expr, Stmt};

use crate::imports;
use crate::project::Project;

#[derive(Clone, Debug, PartialEq)]
enum Binding {
    /// `import a.b as x` binds x to module `a.b`; `import a.b` binds `a` to module `a`.
    Module(String),
    /// `from m import n` binds n to attribute `n` of module `m`.
    Member(String, String),
    /// Defined by the module itself (def, class, assignment).
    Local,
}

/// What a name refers to.
#[derive(Clone, Debug, PartialEq)]
pub enum Qual {
    /// A canonical dotted name: `kybra.nat64`, `builtins.str`, `typing.Optional`.
    Global(String),
    /// Something defined in user module `module` under `name` (a class, a def...).
    Local { module: String, name: String },
    /// Not a name (a call, a literal...).
    Other,
}

/// The top-level bindings of every user module.
pub struct Names {
    tables: HashMap<String, HashMap<String, Binding>>,
}

impl Names {
    pub fn new(project: &Project) -> Self {
        let mut tables = HashMap::new();
        for m in &project.modules {
            let mut table = HashMap::new();
            if let Some(ast) = &m.ast {
                bind(&ast.body, &m.name, m.is_package, &mut table);
            }
            tables.insert(m.name.clone(), table);
        }
        Names { tables }
    }

    /// What `expr`, written in module `module`, refers to.
    pub fn qualify(&self, module: &str, expr: &Expr) -> Qual {
        match expr {
            Expr::Name(n) => self.lookup(module, n.id.as_str(), 0),
            Expr::Attribute(a) => match self.qualify(module, &a.value) {
                Qual::Global(base) => self.member(&base, a.attr.id.as_str(), 0),
                _ => Qual::Other,
            },
            _ => Qual::Other,
        }
    }

    /// What decorator `expr` of the function named `def_name` refers to: as
    /// [`Self::qualify`], except that the function's own name means what it was bound to
    /// before the `def` (Python evaluates decorators before it binds the name).
    pub fn qualify_decorator(&self, module: &str, expr: &Expr, def_name: &str) -> Qual {
        if let Expr::Name(n) = expr {
            let key = format!("{def_name}{BEFORE_DEF}");
            if n.id.as_str() == def_name
                && self
                    .tables
                    .get(module)
                    .is_some_and(|t| t.contains_key(&key))
            {
                return self.lookup(module, &key, 0);
            }
        }
        self.qualify(module, expr)
    }

    fn lookup(&self, module: &str, name: &str, depth: u32) -> Qual {
        match self.tables.get(module).and_then(|t| t.get(name)) {
            None if self.tables.contains_key(module) && depth == 0 => {
                Qual::Global(format!("builtins.{name}"))
            }
            None => Qual::Global(canonical(format!("{module}.{name}"))),
            Some(Binding::Module(m)) => Qual::Global(m.clone()),
            Some(Binding::Member(m, n)) => self.member(m, n, depth + 1),
            Some(Binding::Local) => Qual::Local {
                module: module.to_string(),
                name: name.to_string(),
            },
        }
    }

    /// Attribute `name` of module `module`: followed into user modules (re-exports).
    fn member(&self, module: &str, name: &str, depth: u32) -> Qual {
        if depth < 16 && self.tables.contains_key(module) {
            let sub = format!("{module}.{name}");
            if self.tables.contains_key(&sub) {
                return Qual::Global(sub);
            }
            return self.lookup(module, name, depth + 1);
        }
        Qual::Global(canonical(format!("{module}.{name}")))
    }
}

/// `kybra.<anything>.X` is `kybra.X`: the package re-exports its submodules' names.
fn canonical(name: String) -> String {
    match name.strip_prefix("kybra.") {
        Some(rest) if rest.contains('.') => {
            format!("kybra.{}", rest.rsplit('.').next().unwrap_or(rest))
        }
        _ => name,
    }
}

/// Suffix of the key under which a name's binding from before a `def` of the same name is
/// kept (`@` never occurs in a Python name).
const BEFORE_DEF: &str = "@before-def";

fn bind(body: &[Stmt], module: &str, is_package: bool, table: &mut HashMap<String, Binding>) {
    for stmt in body {
        match stmt {
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    let full = alias.name.id.to_string();
                    match &alias.asname {
                        Some(as_) => table.insert(as_.id.to_string(), Binding::Module(full)),
                        None => {
                            let top = full.split('.').next().unwrap_or_default().to_string();
                            table.insert(top.clone(), Binding::Module(top))
                        }
                    };
                }
            }
            Stmt::ImportFrom(imp) => {
                let Ok(base) = imports::from_base(module, is_package, imp) else {
                    continue;
                };
                for alias in &imp.names {
                    let name = alias.name.id.to_string();
                    if name == "*" {
                        continue;
                    }
                    let local = alias
                        .asname
                        .as_ref()
                        .map(|a| a.id.to_string())
                        .unwrap_or_else(|| name.clone());
                    table.insert(local, Binding::Member(base.clone(), name));
                }
            }
            Stmt::FunctionDef(f) => {
                let name = f.name.id.to_string();
                // `@init def init(): ...`: the decorator is evaluated before the def binds
                // the name, so there it still means what it meant before.
                if let Some(before) = table.get(&name).filter(|b| **b != Binding::Local) {
                    let before = before.clone();
                    table.insert(format!("{name}{BEFORE_DEF}"), before);
                }
                table.insert(name, Binding::Local);
            }
            Stmt::ClassDef(c) => {
                table.insert(c.name.id.to_string(), Binding::Local);
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    bind_target(t, table);
                }
            }
            Stmt::AnnAssign(a) => bind_target(&a.target, table),
            Stmt::TypeAlias(a) => bind_target(&a.name, table),
            Stmt::If(s) => {
                bind(&s.body, module, is_package, table);
                for c in &s.elif_else_clauses {
                    bind(&c.body, module, is_package, table);
                }
            }
            Stmt::Try(s) => {
                bind(&s.body, module, is_package, table);
                bind(&s.orelse, module, is_package, table);
            }
            _ => {}
        }
    }
}

fn bind_target(target: &Expr, table: &mut HashMap<String, Binding>) {
    match target {
        Expr::Name(n) => {
            table.insert(n.id.to_string(), Binding::Local);
        }
        Expr::Tuple(t) => t.elts.iter().for_each(|e| bind_target(e, table)),
        Expr::List(t) => t.elts.iter().for_each(|e| bind_target(e, table)),
        _ => {}
    }
}
