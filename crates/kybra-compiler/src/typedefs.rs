//! The project's named Candid types: `Record`, `Variant` and `Service` classes and type
//! aliases (`Key = Alias[nat8]`, `Callback = Func(Query[[text], text])`, `Header =
//! Tuple[str, str]`), found when an annotation first refers to them.
//!
//! Promises: each Python definition becomes one [`TypeDef`] named after the class or alias,
//! referred to by [`Type::Named`], so recursive and mutually recursive types work; only types
//! the canister's methods reach are defined, plus every `Service` class (calls go through
//! them). Two definitions with the same Python name in
//! different modules get distinct Candid names: the first one met keeps the plain name,
//! the next is `module_Name` (dots as `_`). A name that is a Candid keyword gets a trailing
//! `_`. Fields named `class_`, `def_`, `with__`... (a Python keyword plus underscores) get
//! the label with one underscore fewer (`class`, `def`, `with_`), as in the original Kybra.
//! Every problem of a definition is a diagnostic at the definition; alias cycles with no
//! type constructor in between (`A = Alias["B"]; B = Alias["A"]`) are an error.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use kybra_interface::{Field, PyClass, Type, TypeDef};
use ruff_python_ast::{Expr, Stmt, StmtClassDef};
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::Diagnostic;
use crate::names::{Names, Qual};
use crate::project::{Project, UserModule};
use crate::types::{Mapper, TypeError};

mod body;
mod library;

/// The kind of a user class that is a Candid type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClassKind {
    Record,
    Variant,
    Service,
}

impl ClassKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ClassKind::Record => "Record",
            ClassKind::Variant => "Variant",
            ClassKind::Service => "Service",
        }
    }
}

/// Shared by every [`Mapper`] of one build: the project, its names and the types defined.
pub struct TypeCx<'a> {
    pub project: &'a Project,
    pub names: &'a Names,
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    /// (module, Python name) → Candid name.
    by_key: HashMap<(String, String), String>,
    taken: HashSet<String>,
    defs: Vec<TypeDef>,
    /// Candid names of aliases, with where each is defined.
    aliases: Vec<(String, Diagnostic)>,
    diags: Vec<Diagnostic>,
}

/// What a top-level name of a module is bound to.
enum Def<'m> {
    Class(&'m StmtClassDef),
    Value(&'m Expr),
    Function,
}

impl<'a> TypeCx<'a> {
    pub fn new(project: &'a Project, names: &'a Names) -> Self {
        TypeCx {
            project,
            names,
            state: RefCell::default(),
        }
    }

    /// The named types met so far and the problems found in their definitions.
    pub fn finish(self) -> (Vec<TypeDef>, Vec<Diagnostic>) {
        let mut state = self.state.into_inner();
        let cycles = alias_cycles(&state);
        state.diags.extend(cycles);
        (state.defs, state.diags)
    }

    /// `name` of user module `module`, referred to by `at` (an expression of the mapper's module), as a type.
    pub fn named(&self, at: &Expr, module: &str, name: &str) -> Result<Type, TypeError> {
        let key = (module.to_string(), name.to_string());
        if let Some(c) = self.state.borrow().by_key.get(&key) {
            return Ok(Type::Named(c.clone()));
        }
        let err = |message: String| TypeError {
            offset: at.range().start(),
            message,
        };
        let Some(m) = self.project.module(module) else {
            return Err(err(format!(
                "`{name}` cannot be found — define it or import it"
            )));
        };
        let def = m.ast.as_ref().and_then(|ast| find_def(&ast.body, name));
        match def {
            None => Err(err(format!(
                "`{name}` is not defined at the top level of module `{module}` — define types at the top level of a module"
            ))),
            Some(Def::Function) => Err(err(format!(
                "`{name}` is a function, not a type — write a type such as {}",
                crate::types::EXAMPLES
            ))),
            Some(Def::Class(c)) => match self.class_chain(m, c, 0) {
                Some((kind, chain)) => Ok(self.define_class(m, c, kind, &chain)),
                None => Err(err(format!(
                    "class `{name}` is not a Candid type — derive it from kybra's Record, Variant or Service, e.g. `class {name}(Record):`"
                ))),
            },
            Some(Def::Value(value)) if looks_like_type(self, m, value) => Ok(self.define_alias(m, name, value)),
            Some(Def::Value(_)) => Err(err(format!(
                "`{name}` is a variable, not a type — for a type alias write `{name} = Alias[text]` (any type in the brackets)"
            ))),
        }
    }

    /// Defines every top-level `Service` subclass of every module, used in a signature or
    /// not: the runtime needs their methods' types to make calls through them
    /// (`token_canister.transfer(...)`). The `.did` shows only the types methods reach.
    pub fn define_services(&self) {
        for m in &self.project.modules {
            let Some(ast) = &m.ast else { continue };
            for stmt in &ast.body {
                let Stmt::ClassDef(c) = stmt else { continue };
                let key = (m.name.clone(), c.name.id.to_string());
                if self.state.borrow().by_key.contains_key(&key) {
                    continue;
                }
                if let Some((ClassKind::Service, chain)) = self.class_chain(m, c, 0) {
                    self.define_class(m, c, ClassKind::Service, &chain);
                }
            }
        }
    }

    /// Reserves a Candid name for (module, name) and adds a placeholder definition.
    fn register(&self, module: &str, name: &str, class: Option<PyClass>) -> (String, usize) {
        let mut st = self.state.borrow_mut();
        let mut cname = candid_name(name);
        if st.taken.contains(&cname) {
            let base = candid_name(&format!("{}_{name}", module.replace('.', "_")));
            cname = base.clone();
            let mut n = 2;
            while st.taken.contains(&cname) {
                cname = format!("{base}_{n}");
                n += 1;
            }
        }
        st.taken.insert(cname.clone());
        st.by_key
            .insert((module.to_string(), name.to_string()), cname.clone());
        st.defs.push(TypeDef {
            name: cname.clone(),
            ty: Type::Null,
            class,
        });
        (cname, st.defs.len() - 1)
    }

    fn set(&self, idx: usize, ty: Type) {
        self.state.borrow_mut().defs[idx].ty = ty;
    }

    pub(crate) fn report(&self, d: Diagnostic) {
        self.state.borrow_mut().diags.push(d);
    }

    fn define_alias(&self, m: &UserModule, name: &str, value: &Expr) -> Type {
        let (cname, idx) = self.register(&m.name, name, None);
        let at = m.source.diagnostic(value.range().start(), String::new());
        self.state.borrow_mut().aliases.push((cname.clone(), at));
        match Mapper::new(self, m).ty(value) {
            Ok(t) => self.set(idx, t),
            Err(e) => self.report(
                m.source
                    .diagnostic(e.offset, format!("type alias `{name}`: {}", e.message)),
            ),
        }
        Type::Named(cname)
    }

    fn define_class(
        &self,
        m: &UserModule,
        c: &StmtClassDef,
        kind: ClassKind,
        chain: &[(&UserModule, &StmtClassDef)],
    ) -> Type {
        let name = c.name.id.as_str();
        let class = (kind == ClassKind::Service).then(|| PyClass {
            module: m.name.clone(),
            name: name.to_string(),
        });
        let (cname, idx) = self.register(&m.name, name, class);
        let ty = match kind {
            ClassKind::Record => Type::Record(self.fields(kind, name, chain)),
            ClassKind::Variant => Type::Variant(self.fields(kind, name, chain)),
            ClassKind::Service => Type::Service(self.service_methods(name, chain)),
        };
        self.set(idx, ty);
        Type::Named(cname)
    }

    /// The kind of class `c` and the classes whose bodies make it (base classes first),
    /// or `None` if it is not a Record, Variant or Service.
    fn class_chain<'m>(
        &self,
        m: &'m UserModule,
        c: &'m StmtClassDef,
        depth: u32,
    ) -> Option<(ClassKind, Vec<(&'m UserModule, &'m StmtClassDef)>)>
    where
        'a: 'm,
    {
        if depth > 16 {
            return None;
        }
        for base in c.bases() {
            let kind = match self.names.qualify(&m.name, base) {
                Qual::Global(q) if q == "kybra.Record" => Some(ClassKind::Record),
                Qual::Global(q) if q == "kybra.Variant" => Some(ClassKind::Variant),
                Qual::Global(q) if q == "kybra.Service" => Some(ClassKind::Service),
                Qual::Local { module, name } => {
                    let bm = self.project.module(&module)?;
                    if let Some(Def::Class(bc)) =
                        bm.ast.as_ref().and_then(|a| find_def(&a.body, &name))
                    {
                        if let Some((kind, mut chain)) = self.class_chain(bm, bc, depth + 1) {
                            chain.push((m, c));
                            return Some((kind, chain));
                        }
                    }
                    None
                }
                _ => None,
            };
            if let Some(kind) = kind {
                return Some((kind, vec![(m, c)]));
            }
        }
        None
    }

    fn fields(
        &self,
        kind: ClassKind,
        class: &str,
        chain: &[(&UserModule, &StmtClassDef)],
    ) -> Vec<Field> {
        body::fields(self, kind, class, chain)
    }

    fn service_methods(
        &self,
        class: &str,
        chain: &[(&UserModule, &StmtClassDef)],
    ) -> Vec<kybra_interface::ServiceMethod> {
        body::service_methods(self, class, chain)
    }
}

/// The last top-level binding of `name` in `body` that can define a type.
fn find_def<'m>(body: &'m [Stmt], name: &str) -> Option<Def<'m>> {
    let mut found = None;
    for stmt in body {
        match stmt {
            Stmt::ClassDef(c) if c.name.id.as_str() == name => found = Some(Def::Class(c)),
            Stmt::FunctionDef(f) if f.name.id.as_str() == name => found = Some(Def::Function),
            Stmt::Assign(a) if a.targets.iter().any(|t| is_name(t, name)) => {
                found = Some(Def::Value(&a.value))
            }
            Stmt::AnnAssign(a) if is_name(&a.target, name) => {
                if let Some(v) = &a.value {
                    found = Some(Def::Value(v));
                }
            }
            _ => {}
        }
    }
    found
}

fn is_name(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Name(n) if n.id.as_str() == name)
}

/// Whether the right-hand side of an assignment is written as a type (so mapping it
/// either gives a type or an error worth showing at the alias).
fn looks_like_type(cx: &TypeCx, m: &UserModule, value: &Expr) -> bool {
    match value {
        Expr::Subscript(_)
        | Expr::Name(_)
        | Expr::Attribute(_)
        | Expr::StringLiteral(_)
        | Expr::NoneLiteral(_) => true,
        Expr::BinOp(b) => b.op == ruff_python_ast::Operator::BitOr,
        Expr::Call(c) => cx.names.qualify(&m.name, &c.func) == Qual::Global("kybra.Func".into()),
        _ => false,
    }
}

/// A Python name as a Candid type name: Candid keywords and non-identifiers get fixed up
/// (the printer would quote them, which Candid does not allow for type names).
fn candid_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if CANDID_KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

const CANDID_KEYWORDS: &[&str] = &[
    "import",
    "service",
    "func",
    "type",
    "opt",
    "vec",
    "record",
    "variant",
    "blob",
    "principal",
    "nat",
    "nat8",
    "nat16",
    "nat32",
    "nat64",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "float32",
    "float64",
    "bool",
    "text",
    "null",
    "reserved",
    "empty",
    "oneway",
    "query",
    "composite_query",
];

/// Aliases that lead back to themselves through aliases only.
fn alias_cycles(state: &State) -> Vec<Diagnostic> {
    let alias: HashMap<&str, usize> = state
        .aliases
        .iter()
        .filter_map(|(n, _)| {
            state
                .defs
                .iter()
                .position(|d| &d.name == n)
                .map(|i| (n.as_str(), i))
        })
        .collect();
    let mut reported: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for (start, at) in &state.aliases {
        if reported.contains(start.as_str()) {
            continue;
        }
        let mut path = vec![start.as_str()];
        let mut cur = start.as_str();
        while let Some(Type::Named(next)) = alias.get(cur).map(|&i| &state.defs[i].ty) {
            if next == start {
                path.push(start);
                reported.extend(path.iter().copied());
                out.push(Diagnostic {
                    message: format!(
                        "type alias `{start}` is defined only through itself ({}): such a type has no values — make one of them a Record or Variant class, or wrap the reference in Opt[...] or Vec[...]",
                        path.join(" → ")
                    ),
                    ..at.clone()
                });
                break;
            }
            if path.contains(&next.as_str()) || !alias.contains_key(next.as_str()) {
                break;
            }
            path.push(next);
            cur = next;
        }
    }
    out
}

/// The Candid label and Python key of a field written `name` in Python, as the original
/// Kybra maps them: a Python keyword followed by one or more underscores loses one
/// (`class_` is label `class`, `with__` is `with_`, `with____` is `with___`); any other
/// name, `with______1` included, is its own label.
pub(crate) fn field_label(name: &str) -> (String, Option<String>) {
    let stem = name.trim_end_matches('_');
    if stem.len() < name.len() && PYTHON_KEYWORDS.contains(&stem) {
        (name[..name.len() - 1].to_string(), Some(name.to_string()))
    } else {
        (name.to_string(), None)
    }
}

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// A diagnostic at `offset` of `m`.
pub(crate) fn at(m: &UserModule, offset: TextSize, message: String) -> Diagnostic {
    m.source.diagnostic(offset, message)
}
