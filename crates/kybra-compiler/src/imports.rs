//! Finds every import statement of a parsed module and turns relative imports into
//! absolute module names.
//!
//! Promises: [`collect`] visits imports at any depth (functions, classes, `if`, `try`,
//! `with`, loops, `match`), marks imports that may fail without harm (inside a `try` whose
//! handler catches `ImportError`) as optional, and skips `if TYPE_CHECKING:` blocks, which
//! never run.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{ExceptHandler, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

/// One `import a.b` / `from x import y` found in a module.
#[derive(Debug, Clone)]
pub struct ImportSite {
    pub offset: TextSize,
    /// Absolute dotted module name as written (`import a.b`), or the `from` module as
    /// written (may be empty for `from . import x`).
    pub module: String,
    /// Number of leading dots (0 for absolute imports).
    pub level: u32,
    /// For `from m import a, b`: the imported names (`*` for a star import).
    /// Empty for a plain `import m`.
    pub names: Vec<(String, TextSize)>,
    /// True for `from ... import`.
    pub is_from: bool,
    /// An import the code is prepared to see fail.
    pub optional: bool,
}

/// All imports of `body`, in source order.
pub fn collect(body: &[Stmt]) -> Vec<ImportSite> {
    let mut out = Vec::new();
    walk(body, false, &mut out);
    out
}

fn walk(body: &[Stmt], optional: bool, out: &mut Vec<ImportSite>) {
    for stmt in body {
        match stmt {
            Stmt::Import(imp) => {
                for alias in &imp.names {
                    out.push(ImportSite {
                        offset: alias.range().start(),
                        module: alias.name.id.to_string(),
                        level: 0,
                        names: Vec::new(),
                        is_from: false,
                        optional,
                    });
                }
            }
            Stmt::ImportFrom(imp) => out.push(ImportSite {
                offset: imp.range().start(),
                module: imp
                    .module
                    .as_ref()
                    .map(|m| m.id.to_string())
                    .unwrap_or_default(),
                level: imp.level,
                names: imp
                    .names
                    .iter()
                    .map(|a| (a.name.id.to_string(), a.range().start()))
                    .collect(),
                is_from: true,
                optional,
            }),
            Stmt::FunctionDef(f) => walk(&f.body, optional, out),
            Stmt::ClassDef(c) => walk(&c.body, optional, out),
            Stmt::If(s) => {
                if is_type_checking(&s.test) {
                    // Only the `else` branches run.
                    for clause in &s.elif_else_clauses {
                        walk(&clause.body, optional, out);
                    }
                    continue;
                }
                walk(&s.body, optional, out);
                for clause in &s.elif_else_clauses {
                    walk(&clause.body, optional, out);
                }
            }
            Stmt::For(s) => {
                walk(&s.body, optional, out);
                walk(&s.orelse, optional, out);
            }
            Stmt::While(s) => {
                walk(&s.body, optional, out);
                walk(&s.orelse, optional, out);
            }
            Stmt::With(s) => walk(&s.body, optional, out),
            Stmt::Match(s) => {
                for case in &s.cases {
                    walk(&case.body, optional, out);
                }
            }
            Stmt::Try(s) => {
                let guarded = optional || s.handlers.iter().any(catches_import_error);
                walk(&s.body, guarded, out);
                for ExceptHandler::ExceptHandler(h) in &s.handlers {
                    walk(&h.body, optional, out);
                }
                walk(&s.orelse, optional, out);
                walk(&s.finalbody, optional, out);
            }
            _ => {}
        }
    }
}

/// Literal module or package names given to `import_module`, `__import__`,
/// `importlib.resources.files`, `pkgutil.get_data` or jinja2's `PackageLoader`, and the
/// codec modules literal encoding names need (`encoding="ascii"`, `.decode("latin-1")`),
/// anywhere in `body`, as optional imports (a name that resolves nowhere is not an error).
pub fn literal_imports(body: &[Stmt]) -> Vec<ImportSite> {
    struct Calls(Vec<ImportSite>);
    impl<'a> Visitor<'a> for Calls {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                let named = crate::packages::edges::literal_import(call)
                    .or_else(|| crate::packages::edges::literal_encoding(call));
                if let Some(module) = named {
                    self.0.push(ImportSite {
                        offset: call.range().start(),
                        module,
                        level: 0,
                        names: Vec::new(),
                        is_from: false,
                        optional: true,
                    });
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut calls = Calls(Vec::new());
    calls.visit_body(body);
    calls.0
}

fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(n) => n.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(a) => a.attr.id.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

fn catches_import_error(handler: &ExceptHandler) -> bool {
    let ExceptHandler::ExceptHandler(h) = handler;
    let Some(ty) = &h.type_ else { return true }; // bare `except:`
    let names: Vec<&Expr> = match ty.as_ref() {
        Expr::Tuple(t) => t.elts.iter().collect(),
        other => vec![other],
    };
    names.iter().any(|e| match e {
        Expr::Name(n) => {
            matches!(
                n.id.as_str(),
                "ImportError" | "ModuleNotFoundError" | "Exception" | "BaseException"
            )
        }
        _ => false,
    })
}

/// `a`, `a.b`, `a.b.c` for `a.b.c`: the modules importing `a.b.c` imports, in order.
pub fn prefixes(name: &str) -> impl Iterator<Item = &str> {
    name.match_indices('.')
        .map(|(i, _)| &name[..i])
        .chain(std::iter::once(name))
}

/// The absolute name of the module a `from ... import` statement in module `current` (a
/// package if `is_package`) imports from.
pub fn from_base(
    current: &str,
    is_package: bool,
    imp: &ruff_python_ast::StmtImportFrom,
) -> Result<String, String> {
    let written = imp
        .module
        .as_ref()
        .map(|m| m.id.as_str())
        .unwrap_or_default();
    absolute(current, is_package, imp.level, written)
}

/// The absolute module a `from` import with `level` dots refers to, seen from module
/// `current` (a package if `is_package`). `Err` says why it cannot be resolved.
pub fn absolute(
    current: &str,
    is_package: bool,
    level: u32,
    module: &str,
) -> Result<String, String> {
    if level == 0 {
        return Ok(module.to_string());
    }
    let mut parts: Vec<&str> = current.split('.').collect();
    if !is_package {
        parts.pop();
    }
    for _ in 1..level {
        if parts.pop().is_none() {
            break;
        }
    }
    let needed = level as usize - 1;
    let available = current.split('.').count() - usize::from(!is_package);
    if parts.is_empty() || needed >= available {
        return Err(if available == 0 {
            format!("relative import in `{current}`, which is not inside a package")
        } else {
            format!(
                "relative import with {level} dots goes above the top-level package of `{current}`"
            )
        });
    }
    let mut base = parts.join(".");
    if !module.is_empty() {
        base.push('.');
        base.push_str(module);
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_names() {
        assert_eq!(absolute("pkg.mod", false, 1, "sub").unwrap(), "pkg.sub");
        assert_eq!(absolute("pkg.mod", false, 1, "").unwrap(), "pkg");
        assert_eq!(absolute("pkg", true, 1, "sub").unwrap(), "pkg.sub");
        assert_eq!(absolute("a.b.c", false, 2, "x").unwrap(), "a.x");
        assert!(absolute("main", false, 1, "x").is_err());
        assert!(absolute("pkg.mod", false, 2, "x").is_err());
        assert_eq!(absolute("x", false, 0, "json").unwrap(), "json");
    }

    #[test]
    fn finds_nested_and_optional_imports() {
        let src = "import a\nif TYPE_CHECKING:\n    import hidden\ndef f():\n    from b import c\ntry:\n    import d\nexcept ImportError:\n    d = None\n";
        let parsed = ruff_python_parser::parse_module(src).unwrap();
        let sites = collect(&parsed.syntax().body);
        let got: Vec<_> = sites
            .iter()
            .map(|s| (s.module.as_str(), s.optional))
            .collect();
        assert_eq!(got, [("a", false), ("b", false), ("d", true)]);
    }
}
