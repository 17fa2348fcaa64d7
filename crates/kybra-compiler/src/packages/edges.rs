//! The import edges of an installed package's module, read from its syntax tree: the
//! rules `runtime/stdlib_imports.py` applies to the standard library, plus what deciding
//! about compiled extensions needs.
//!
//! Promises: every absolute module name the module may import (relative imports resolved,
//! `from m import n` also gives `m.n`, parents of every name added, literal
//! `__import__`/`import_module` names, and literal package names given to
//! `importlib.resources.files`/`pkgutil.get_data`/jinja2's `PackageLoader`) lands in exactly
//! one kind:
//! - `eager`: runs when the module is imported, outside any `try` that catches `ImportError`;
//! - `lazy`: inside a function, outside such a `try`;
//! - `guarded`: inside such a `try` (at any depth): its failure is expected;
//! - `fallbacks`: imported by a module-level `except ImportError:` handler, mapped to what
//!   the `try` imports (run only when one of those is missing);
//! - `deferred`: a function's import of a module the canister does not need
//!   (`not_in_a_canister`, from the stdlib index), or a module-level handler of other errors.
//!
//! Never counted, as in the standard library's index: `if __name__ == "__main__":` and the
//! module-level functions only it calls, the body of `if TYPE_CHECKING:`.
//!
//! [`Rules::packages`] (what the build applies to installed packages) goes beyond the index
//! in two ways; [`Rules::stdlib_index`] turns both off and then sorts every module of the
//! bundled standard library exactly as `runtime/stdlib_imports.py` did
//! (`tests/edges_vs_stdlib_index.rs` checks it, module by module):
//! - branches of an `if` whose test the canister's platform decides — comparisons of
//!   `sys.version_info` (3.11.2), `sys.platform` (`"wasi"`) and `os.name` (`"posix"`) — are
//!   not counted (the index counts them: its closure is computed once for every canister);
//! - more literal names count: packages given to `importlib.resources.files`,
//!   `pkgutil.get_data` and jinja2's `PackageLoader`, a bare `import_module("x")` and the
//!   codec modules of literal encoding names (`encoding="ascii"`), where the index reads
//!   only `__import__("x")` and `importlib.import_module("x")`.
//!
//! The index also defers a few rare lazy edges of core modules (its `RARE_LAZY_EDGES`):
//! those are standard-library modules, which the build takes from the index, never from
//! this classifier.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{CmpOp, ExceptHandler, Expr, Number, Stmt, UnaryOp};

use crate::imports;

/// What the canister's interpreter answers for the tests [`classify`] decides.
const VERSION: [i64; 3] = [3, 11, 2];
const PLATFORM: &str = "wasi";
const OS_NAME: &str = "posix";

/// The import edges of one module (see the module docs for each kind).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Edges {
    pub eager: BTreeSet<String>,
    pub lazy: BTreeSet<String>,
    pub guarded: BTreeSet<String>,
    pub fallbacks: BTreeMap<String, BTreeSet<String>>,
    pub deferred: BTreeSet<String>,
}

/// What [`classify`] applies beyond its kinds (see the module docs).
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    /// A function's import of these is deferred (the index's `NOT_IN_A_CANISTER`).
    pub not_in_a_canister: &'a dyn Fn(&str) -> bool,
    /// Leave out the branches the canister's platform decides.
    pub platform: bool,
    /// Count resource readers' package names, bare `import_module` and literal encodings.
    pub more_literals: bool,
}

impl<'a> Rules<'a> {
    /// The rules for installed packages' modules.
    pub fn packages(not_in_a_canister: &'a dyn Fn(&str) -> bool) -> Self {
        Rules {
            not_in_a_canister,
            platform: true,
            more_literals: true,
        }
    }

    /// The rules `runtime/stdlib_imports.py` applies to the standard library.
    pub fn stdlib_index(not_in_a_canister: &'a dyn Fn(&str) -> bool) -> Self {
        Rules {
            not_in_a_canister,
            platform: false,
            more_literals: false,
        }
    }
}

/// The edges of module `name` (a package if `is_package`) whose code is `body`.
pub fn classify(name: &str, is_package: bool, body: &[Stmt], rules: Rules) -> Edges {
    let mut w = Walker {
        name,
        is_package,
        skipped: script_only_functions(body),
        lazy: false,
        guarded: false,
        fallback_for: None,
        rules,
        edges: Edges::default(),
    };
    w.visit_body(body);
    let mut e = w.edges;
    e.eager.extend(parents(name));
    // A module importing itself (or `from pkg import sub` inside `pkg`) adds no edge.
    e.eager.remove(name);
    let lazy: BTreeSet<String> = e.lazy.difference(&e.eager).cloned().collect();
    e.lazy = lazy;
    e.lazy.remove(name);
    e.guarded
        .retain(|n| !e.eager.contains(n) && !e.lazy.contains(n) && n != name);
    let imported = |n: &str| e.eager.contains(n) || e.lazy.contains(n) || e.guarded.contains(n);
    e.fallbacks.retain(|k, _| !imported(k) && k != name);
    let deferred: BTreeSet<String> = e
        .deferred
        .iter()
        .filter(|n| !imported(n) && !e.fallbacks.contains_key(*n) && *n != name)
        .cloned()
        .collect();
    e.deferred = deferred;
    e
}

struct Walker<'n> {
    name: &'n str,
    is_package: bool,
    skipped: HashSet<String>,
    lazy: bool,
    guarded: bool,
    /// `Some` inside a module-level handler: the primaries it stands in for (empty for a
    /// handler of other errors).
    fallback_for: Option<BTreeSet<String>>,
    rules: Rules<'n>,
    edges: Edges,
}

impl Walker<'_> {
    fn add(&mut self, name: String) {
        let e = &mut self.edges;
        match &self.fallback_for {
            Some(primaries) if !primaries.is_empty() => {
                e.fallbacks
                    .entry(name)
                    .or_default()
                    .extend(primaries.iter().cloned());
            }
            Some(_) => {
                e.deferred.insert(name);
            }
            None if self.lazy && (self.rules.not_in_a_canister)(&name) => {
                e.deferred.insert(name);
            }
            None if self.guarded => {
                e.guarded.insert(name);
            }
            None if self.lazy => {
                e.lazy.insert(name);
            }
            None => {
                e.eager.insert(name);
            }
        }
    }

    fn add_all(&mut self, names: BTreeSet<String>) {
        for n in names {
            self.add(n);
        }
    }

    /// Names one import statement imports, with their parents.
    fn names_of(&self, stmt: &Stmt) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        match stmt {
            Stmt::Import(imp) => names.extend(imp.names.iter().map(|a| a.name.id.to_string())),
            Stmt::ImportFrom(imp) => {
                if let Ok(base) = imports::from_base(self.name, self.is_package, imp) {
                    for a in &imp.names {
                        if a.name.id.as_str() != "*" {
                            names.insert(format!("{base}.{}", a.name.id));
                        }
                    }
                    names.insert(base);
                }
            }
            _ => {}
        }
        with_parents(names)
    }

    fn with_state(
        &mut self,
        lazy: bool,
        guarded: bool,
        fb: Option<BTreeSet<String>>,
        f: impl FnOnce(&mut Self),
    ) {
        let saved = (
            self.lazy,
            self.guarded,
            std::mem::replace(&mut self.fallback_for, fb),
        );
        self.lazy = lazy;
        self.guarded = guarded;
        f(self);
        self.lazy = saved.0;
        self.guarded = saved.1;
        self.fallback_for = saved.2;
    }

    fn visit_if(&mut self, s: &ruff_python_ast::StmtIf) {
        let clauses = std::iter::once((Some(&*s.test), &s.body)).chain(
            s.elif_else_clauses
                .iter()
                .map(|c| (c.test.as_ref(), &c.body)),
        );
        for (test, body) in clauses {
            let Some(test) = test else {
                self.visit_body(body);
                return;
            };
            let decided = if self.rules.platform {
                never_or_always(test)
            } else {
                None
            };
            match decided {
                Some(true) => {
                    self.visit_body(body);
                    return;
                }
                Some(false) => continue,
                None => {
                    self.visit_expr(test);
                    self.visit_body(body);
                }
            }
        }
    }

    fn visit_try(&mut self, s: &ruff_python_ast::StmtTry) {
        let catches = s.handlers.iter().any(|h| catches_import_error(h, true));
        let (lazy, guarded) = (self.lazy, self.guarded);
        let module_level = !lazy && self.fallback_for.is_none();
        self.with_state(lazy, guarded || catches, self.fallback_for.clone(), |w| {
            w.visit_body(&s.body)
        });
        self.visit_body(&s.orelse);
        self.visit_body(&s.finalbody);
        let primary = if module_level {
            self.imports_in(&s.body)
        } else {
            BTreeSet::new()
        };
        for h in &s.handlers {
            let ExceptHandler::ExceptHandler(handler) = h;
            if module_level {
                let fb = if !primary.is_empty() && catches_import_error(h, false) {
                    primary.clone()
                } else {
                    BTreeSet::new()
                };
                self.with_state(lazy, guarded, Some(fb), |w| w.visit_body(&handler.body));
            } else {
                self.visit_body(&handler.body);
            }
        }
    }

    /// Every name the statements import (at any depth), as `names_of` gives them.
    fn imports_in(&self, body: &[Stmt]) -> BTreeSet<String> {
        let mut probe = Walker {
            name: self.name,
            is_package: self.is_package,
            skipped: HashSet::new(),
            lazy: false,
            guarded: false,
            fallback_for: None,
            rules: Rules {
                not_in_a_canister: &|_| false,
                ..self.rules
            },
            edges: Edges::default(),
        };
        probe.visit_body(body);
        let e = probe.edges;
        e.eager.into_iter().chain(e.lazy).chain(e.guarded).collect()
    }
}

impl<'a> Visitor<'a> for Walker<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                let names = self.names_of(stmt);
                self.add_all(names);
            }
            Stmt::If(s) if is_main_guard(&s.test) || is_type_checking(&s.test) => {
                for clause in &s.elif_else_clauses {
                    if let Some(t) = &clause.test {
                        self.visit_expr(t);
                    }
                    self.visit_body(&clause.body);
                }
            }
            Stmt::If(s) => self.visit_if(s),
            Stmt::FunctionDef(f) => {
                if !self.lazy && self.skipped.contains(f.name.id.as_str()) {
                    return;
                }
                let (guarded, fb) = (self.guarded, self.fallback_for.clone());
                self.with_state(true, guarded, fb, |w| visitor::walk_stmt(w, stmt));
            }
            Stmt::Try(s) => self.visit_try(s),
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {
                let (guarded, fb) = (self.guarded, self.fallback_for.clone());
                self.with_state(true, guarded, fb, |w| visitor::walk_expr(w, expr));
            }
            Expr::Call(call) => {
                let found = if self.rules.more_literals {
                    literal_import(call).or_else(|| literal_encoding(call))
                } else {
                    index_literal_import(call)
                };
                if let Some(name) = found {
                    let names = with_parents(BTreeSet::from([name]));
                    self.add_all(names);
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Functions whose first argument names a module or package the call imports or reads.
const LITERAL_IMPORTERS: &[&str] = &[
    "__import__",
    "import_module",
    "files",
    "get_data",
    "PackageLoader",
];

/// What the index reads as a literal import: `__import__("x")`, `m.import_module("x")`
/// with any name not starting with a dot.
fn index_literal_import(call: &ruff_python_ast::ExprCall) -> Option<String> {
    let named = match &*call.func {
        Expr::Name(n) => n.id.as_str() == "__import__",
        Expr::Attribute(a) => a.attr.id.as_str() == "import_module",
        _ => false,
    };
    let Some(Expr::StringLiteral(s)) = call.arguments.args.first() else {
        return None;
    };
    let value = s.value.to_str();
    (named && !value.is_empty() && !value.starts_with('.')).then(|| value.to_string())
}

/// `import_module("x")`, `files("pkg")`, ... with a literal absolute dotted name.
pub(crate) fn literal_import(call: &ruff_python_ast::ExprCall) -> Option<String> {
    let func = match &*call.func {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.id.as_str(),
        _ => return None,
    };
    if !LITERAL_IMPORTERS.contains(&func) {
        return None;
    }
    let Some(Expr::StringLiteral(s)) = call.arguments.args.first() else {
        return None;
    };
    let value = s.value.to_str();
    let dotted = !value.is_empty()
        && value
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
    dotted.then(|| value.to_string())
}

/// The codec module a literal encoding name needs (`open(p, encoding="ascii")`,
/// `b.decode("latin-1")`): CPython finds `encodings.<name>` by a computed import.
pub(crate) fn literal_encoding(call: &ruff_python_ast::ExprCall) -> Option<String> {
    let keyword = call
        .arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "encoding"))
        .map(|k| &k.value);
    let method_arg = match &*call.func {
        Expr::Attribute(a) if matches!(a.attr.id.as_str(), "encode" | "decode") => {
            call.arguments.args.first()
        }
        _ => None,
    };
    let Some(Expr::StringLiteral(s)) = keyword.or(method_arg) else {
        return None;
    };
    let name = s
        .value
        .to_str()
        .to_ascii_lowercase()
        .replace(['-', ' '], "_");
    let name = match name.as_str() {
        "us_ascii" | "646" => "ascii",
        "latin1" | "latin" | "iso_8859_1" | "iso8859_1" | "l1" => "latin_1",
        "utf8" | "u8" => "utf_8",
        "utf16" => "utf_16",
        "utf32" => "utf_32",
        other => other,
    };
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| format!("encodings.{name}"))
}

fn parents(name: &str) -> impl Iterator<Item = String> + '_ {
    name.match_indices('.').map(|(i, _)| name[..i].to_string())
}

fn with_parents(names: BTreeSet<String>) -> BTreeSet<String> {
    let mut all = names.clone();
    for n in &names {
        all.extend(parents(n));
    }
    all
}

fn is_main_guard(test: &Expr) -> bool {
    let Expr::Compare(c) = test else { return false };
    if c.ops.len() != 1 || c.ops[0] != CmpOp::Eq {
        return false;
    }
    let sides = [&*c.left, &c.comparators[0]];
    sides
        .iter()
        .any(|s| matches!(s, Expr::Name(n) if n.id.as_str() == "__name__"))
        && sides
            .iter()
            .any(|s| matches!(s, Expr::StringLiteral(l) if l.value.to_str() == "__main__"))
}

fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(n) => n.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(a) => a.attr.id.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// `except ImportError:` (or `ModuleNotFoundError`, a bare `except:`; with `broad`, also
/// `Exception` and `BaseException`, which catch it too).
fn catches_import_error(handler: &ExceptHandler, broad: bool) -> bool {
    let ExceptHandler::ExceptHandler(h) = handler;
    let Some(ty) = &h.type_ else { return true };
    let kinds: Vec<&Expr> = match ty.as_ref() {
        Expr::Tuple(t) => t.elts.iter().collect(),
        other => vec![other],
    };
    kinds.iter().any(|k| match k {
        Expr::Name(n) => match n.id.as_str() {
            "ImportError" | "ModuleNotFoundError" => true,
            "Exception" | "BaseException" => broad,
            _ => false,
        },
        _ => false,
    })
}

/// `Some(value)` when `test` compares `sys.version_info`, `sys.platform` or `os.name`
/// with literals (through `not`, `and`, `or`), as the canister's interpreter would.
fn never_or_always(test: &Expr) -> Option<bool> {
    match test {
        Expr::UnaryOp(u) if u.op == UnaryOp::Not => never_or_always(&u.operand).map(|b| !b),
        Expr::BoolOp(b) => {
            let values: Vec<Option<bool>> = b.values.iter().map(never_or_always).collect();
            let is_and = b.op == ruff_python_ast::BoolOp::And;
            if values.contains(&Some(!is_and)) {
                return Some(!is_and);
            }
            values.iter().all(Option::is_some).then_some(is_and)
        }
        Expr::Call(c) => {
            // sys.platform.startswith("...")
            let Expr::Attribute(m) = &*c.func else {
                return None;
            };
            if m.attr.id.as_str() != "startswith" || dotted(&m.value)? != "sys.platform" {
                return None;
            }
            let Some(Expr::StringLiteral(s)) = c.arguments.args.first() else {
                return None;
            };
            Some(PLATFORM.starts_with(s.value.to_str()))
        }
        Expr::Compare(c) if c.ops.len() == 1 => {
            let op = c.ops[0];
            let right = &c.comparators[0];
            if let Some(text) = platform_text(&c.left) {
                let Expr::StringLiteral(s) = right else {
                    return None;
                };
                return match op {
                    CmpOp::Eq => Some(text == s.value.to_str()),
                    CmpOp::NotEq => Some(text != s.value.to_str()),
                    _ => None,
                };
            }
            let left = version_value(&c.left)?;
            let right = int_tuple(right)?;
            let ord = left.as_slice().cmp(right.as_slice());
            Some(match op {
                CmpOp::Lt => ord.is_lt(),
                CmpOp::LtE => ord.is_le(),
                CmpOp::Gt => ord.is_gt(),
                CmpOp::GtE => ord.is_ge(),
                CmpOp::Eq => ord.is_eq(),
                CmpOp::NotEq => ord.is_ne(),
                _ => return None,
            })
        }
        _ => None,
    }
}

fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted(&a.value)?, a.attr.id)),
        _ => None,
    }
}

fn platform_text(expr: &Expr) -> Option<&'static str> {
    match dotted(expr)?.as_str() {
        "sys.platform" => Some(PLATFORM),
        "os.name" => Some(OS_NAME),
        _ => None,
    }
}

/// `sys.version_info`, `sys.version_info[:n]`, `sys.version_info[i]`, `.major`/`.minor`
/// as a tuple of ints.
fn version_value(expr: &Expr) -> Option<Vec<i64>> {
    if dotted(expr).as_deref() == Some("sys.version_info") {
        return Some(VERSION.to_vec());
    }
    match expr {
        Expr::Attribute(a) if dotted(&a.value).as_deref() == Some("sys.version_info") => {
            match a.attr.id.as_str() {
                "major" => Some(vec![VERSION[0]]),
                "minor" => Some(vec![VERSION[1]]),
                "micro" => Some(vec![VERSION[2]]),
                _ => None,
            }
        }
        Expr::Subscript(s) if dotted(&s.value).as_deref() == Some("sys.version_info") => {
            match &*s.slice {
                Expr::Slice(sl) if sl.step.is_none() => {
                    let lo = sl.lower.as_deref().map_or(Some(0), int)? as usize;
                    let hi = sl.upper.as_deref().map_or(Some(3), int)? as usize;
                    Some(VERSION.get(lo..hi.min(3))?.to_vec())
                }
                index => Some(vec![*VERSION.get(int(index)? as usize)?]),
            }
        }
        _ => None,
    }
}

fn int(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => i.as_i64(),
            _ => None,
        },
        _ => None,
    }
}

/// `(3, 8)` or `3` as a tuple of ints.
fn int_tuple(expr: &Expr) -> Option<Vec<i64>> {
    match expr {
        Expr::Tuple(t) => t.elts.iter().map(int).collect(),
        other => int(other).map(|i| vec![i]),
    }
}

/// Names referred to in a subtree: names, attributes and string constants.
struct Referenced(HashSet<String>);

impl<'a> Visitor<'a> for Referenced {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(n) => {
                self.0.insert(n.id.to_string());
            }
            Expr::Attribute(a) => {
                self.0.insert(a.attr.id.to_string());
            }
            Expr::StringLiteral(s) => {
                self.0.insert(s.value.to_str().to_string());
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

fn referenced(stmt: &Stmt) -> HashSet<String> {
    let mut r = Referenced(HashSet::new());
    r.visit_stmt(stmt);
    r.0
}

/// Module-level functions used only under `if __name__ == "__main__":` (directly or
/// through other such functions).
fn script_only_functions(body: &[Stmt]) -> HashSet<String> {
    let functions: HashMap<String, HashSet<String>> = body
        .iter()
        .filter_map(|s| match s {
            Stmt::FunctionDef(f) => Some((f.name.id.to_string(), referenced(s))),
            _ => None,
        })
        .collect();
    let mut in_guard = HashSet::new();
    let mut elsewhere = HashSet::new();
    for s in body {
        match s {
            Stmt::If(i) if is_main_guard(&i.test) => in_guard.extend(referenced(s)),
            Stmt::FunctionDef(_) => {}
            _ => elsewhere.extend(referenced(s)),
        }
    }
    let mut script_only: HashSet<String> = HashSet::new();
    loop {
        let mut users = in_guard.clone();
        for f in &script_only {
            users.extend(functions[f].iter().cloned());
        }
        let more: Vec<String> = functions
            .keys()
            .filter(|f| {
                users.contains(*f)
                    && !script_only.contains(*f)
                    && !elsewhere.contains(*f)
                    && !functions
                        .iter()
                        .any(|(g, refs)| g != *f && !script_only.contains(g) && refs.contains(*f))
            })
            .cloned()
            .collect();
        if more.is_empty() {
            return script_only;
        }
        script_only.extend(more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(src: &str) -> Edges {
        let parsed = ruff_python_parser::parse_module(src).unwrap();
        let nic = |n: &str| n == "subprocess";
        classify(
            "pkg.mod",
            false,
            &parsed.syntax().body,
            Rules::packages(&nic),
        )
    }

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sorts_imports_into_their_kinds() {
        let e = edges(
            "import a\nfrom . import b\ntry:\n    from ._speedups import f\nexcept ImportError:\n    from ._native import f\n\
             def g():\n    import c\n    import subprocess\n    try:\n        import d\n    except ImportError:\n        d = None\n\
             try:\n    import e\nexcept OSError:\n    import x\n",
        );
        assert_eq!(e.eager, set(&["a", "e", "pkg", "pkg.b"]));
        assert_eq!(e.lazy, set(&["c"]));
        assert_eq!(e.guarded, set(&["d", "pkg._speedups", "pkg._speedups.f"]));
        let primaries = set(&["pkg", "pkg._speedups", "pkg._speedups.f"]);
        assert_eq!(e.fallbacks.get("pkg._native"), Some(&primaries));
        assert_eq!(e.deferred, set(&["subprocess", "x"]));
    }

    #[test]
    fn platform_branches_that_never_run_are_not_counted() {
        let e = edges(
            "import sys, os\nif sys.version_info[0] < 3:\n    import StringIO\nelse:\n    import io\n\
             if sys.platform == 'win32':\n    import winreg\nif sys.version_info >= (3, 12):\n    import tomllib\n\
             elif os.name == 'posix':\n    import posixpath\nif not sys.platform.startswith('wasi'):\n    import nope\n\
             if __name__ == '__main__':\n    import main_only\nif TYPE_CHECKING:\n    import typing_only\n",
        );
        assert_eq!(e.eager, set(&["io", "os", "pkg", "posixpath", "sys"]));
    }

    #[test]
    fn literal_package_names_count() {
        let e = edges("from importlib.resources import files\nT = files('certifi')\nL = PackageLoader('site_templates')\n");
        assert!(
            e.eager.contains("certifi") && e.eager.contains("site_templates"),
            "{e:?}"
        );
    }
}
