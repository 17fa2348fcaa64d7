//! Maps Python annotations to Candid types ([`kybra_interface::Type`]).
//!
//! Promises: Python builtins map as `str`→text, `bytes`→blob, `bool`→bool, `int`→int,
//! `float`→float64, `None`→null; kybra's names map to the Candid type of the same name;
//! `Opt[T]`, `Optional[T]`, `T | None` → opt; `Vec[T]`, `list[T]`, `List[T]` → vec;
//! `Tuple[...]`, `tuple[...]` → tuple; `Alias[T]` → T; `Func(Query[[A], R])` (and `Update`,
//! `Oneway`, `CompositeQuery`) → func. A string annotation (`"User"`, `Opt["nat"]`) is
//! parsed as the expression it contains. A name the project defines (a `Record`,
//! `Variant` or `Service` class, an alias) becomes [`Type::Named`] through
//! [`TypeCx`](crate::typedefs::TypeCx). `void` is accepted only as a return type. Names are
//! resolved through imports ([`Names`]); anything else is an error that says what to write,
//! located in the file (inside a string annotation too).

use kybra_interface::{FuncMode, FuncType, Type};
use ruff_python_ast::{Expr, ExprStringLiteral, Operator};
use ruff_text_size::{Ranged, TextSize};

use crate::names::Qual;
use crate::project::UserModule;
use crate::typedefs::TypeCx;

/// What an annotation stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Annotation {
    Type(Type),
    /// `void`: the method returns no value.
    Void,
}

/// An annotation that cannot be mapped, with where (in the mapper's module) and why.
#[derive(Debug)]
pub struct TypeError {
    pub offset: TextSize,
    pub message: String,
}

/// The Candid types a user can write, for hints.
pub const EXAMPLES: &str =
    "text, blob, bool, nat, nat64, int, float64, Principal, Opt[T], Vec[T], Tuple[T, U], or a Record/Variant/Service class";

/// Python builtins that exist but have no Candid type (anything else unbound is undefined).
const PYTHON_BUILTINS: &[&str] = &[
    "dict",
    "set",
    "frozenset",
    "object",
    "complex",
    "bytearray",
    "memoryview",
    "range",
    "type",
    "slice",
    "list",
    "tuple",
];

/// Maps the annotations written in one user module.
#[derive(Clone, Copy)]
pub struct Mapper<'a> {
    pub cx: &'a TypeCx<'a>,
    pub module: &'a UserModule,
}

impl<'a> Mapper<'a> {
    pub fn new(cx: &'a TypeCx<'a>, module: &'a UserModule) -> Self {
        Mapper { cx, module }
    }

    fn text_of(&self, expr: &Expr) -> &str {
        let r = expr.range();
        self.module
            .source
            .text
            .get(usize::from(r.start())..usize::from(r.end()))
            .unwrap_or("?")
    }

    fn err(&self, expr: &Expr, message: String) -> TypeError {
        TypeError {
            offset: expr.range().start(),
            message,
        }
    }

    fn qualify(&self, expr: &Expr) -> Qual {
        self.cx.names.qualify(&self.module.name, expr)
    }

    /// Maps a parameter or return annotation.
    pub fn annotation(&self, expr: &Expr) -> Result<Annotation, TypeError> {
        match expr {
            Expr::StringLiteral(s) => {
                let parsed = self.parse_string(s)?;
                self.annotation(parsed.expression())
            }
            _ if self.qualify(expr) == Qual::Global("kybra.void".into()) => Ok(Annotation::Void),
            _ => self.ty(expr).map(Annotation::Type),
        }
    }

    /// Maps a value type (where `void` is not allowed).
    pub fn ty(&self, expr: &Expr) -> Result<Type, TypeError> {
        match expr {
            Expr::NoneLiteral(_) => Ok(Type::Null),
            Expr::StringLiteral(s) => {
                let parsed = self.parse_string(s)?;
                self.ty(parsed.expression())
            }
            Expr::BinOp(b) if b.op == Operator::BitOr => match (b.left.as_ref(), b.right.as_ref()) {
                (inner, Expr::NoneLiteral(_)) | (Expr::NoneLiteral(_), inner) => Ok(Type::Opt(Box::new(self.ty(inner)?))),
                _ => Err(self.err(
                    expr,
                    format!(
                        "`{}` is a union, which Candid has no type for — write `T | None` for an optional value, or a Variant",
                        self.text_of(expr)
                    ),
                )),
            },
            Expr::Subscript(s) => self.generic(expr, &s.value, &s.slice),
            Expr::Call(c) if self.qualify(&c.func) == Qual::Global("kybra.Func".into()) => {
                if c.arguments.args.len() != 1 || !c.arguments.keywords.is_empty() {
                    return Err(self.err(expr, "`Func` takes one argument — write e.g. `Func(Query[[text], nat64])`".into()));
                }
                Ok(Type::Func(Box::new(self.func(&c.arguments.args[0])?)))
            }
            Expr::Name(_) | Expr::Attribute(_) => self.named(expr),
            _ => Err(self.unsupported(expr)),
        }
    }

    /// Parses a string annotation; the expression's positions are positions in the file.
    fn parse_string(
        &self,
        s: &ExprStringLiteral,
    ) -> Result<ruff_python_parser::typing::ParsedAnnotation, TypeError> {
        ruff_python_parser::typing::parse_type_annotation(s, &self.module.source.text).map_err(|e| TypeError {
            offset: s.range().start(),
            message: format!(
                "string annotation {:?} is not a Python expression ({}) — write a type between the quotes, e.g. \"User\"",
                s.value.to_str(),
                e.error
            ),
        })
    }

    fn unsupported(&self, expr: &Expr) -> TypeError {
        self.err(
            expr,
            format!(
                "`{}` is not a type Kybra can map to Candid — write one of {EXAMPLES}",
                self.text_of(expr)
            ),
        )
    }

    fn named(&self, expr: &Expr) -> Result<Type, TypeError> {
        let q = match self.qualify(expr) {
            Qual::Global(q) => q,
            Qual::Local { module, name } => return self.cx.named(expr, &module, &name),
            Qual::Other => return Err(self.unsupported(expr)),
        };
        let t = match q.as_str() {
            "builtins.str" | "kybra.text" => Type::Text,
            "builtins.bytes" | "kybra.blob" => Type::Blob,
            "builtins.bool" | "kybra.bool" => Type::Bool,
            "builtins.int" | "kybra.int" => Type::Int,
            "builtins.float" | "kybra.float64" => Type::Float64,
            "kybra.null" => Type::Null,
            "kybra.nat" => Type::Nat,
            "kybra.nat8" => Type::Nat8,
            "kybra.nat16" => Type::Nat16,
            "kybra.nat32" => Type::Nat32,
            "kybra.nat64" | "kybra.Duration" | "kybra.TimerId" => Type::Nat64,
            "kybra.int8" => Type::Int8,
            "kybra.int16" => Type::Int16,
            "kybra.int32" => Type::Int32,
            "kybra.int64" => Type::Int64,
            "kybra.float32" => Type::Float32,
            "kybra.reserved" => Type::Reserved,
            "kybra.empty" => Type::Empty,
            "kybra.Principal" => Type::Principal,
            "kybra.void" => {
                return Err(self.err(
                    expr,
                    "`void` is only allowed as a return type — write `null` (or `None`) for a value that is always null".into(),
                ))
            }
            "kybra.Opt" | "typing.Optional" | "kybra.Vec" | "builtins.list" | "typing.List" | "kybra.Tuple"
            | "builtins.tuple" | "typing.Tuple" | "kybra.Alias" => {
                let short = q.rsplit('.').next().unwrap_or(&q);
                return Err(self.err(expr, format!("`{}` needs a type argument — write e.g. `{short}[text]`", self.text_of(expr))));
            }
            other => return self.cx.library(other).ok_or_else(|| self.undefined(expr, other)),
        };
        Ok(t)
    }

    /// The error for a name that is not a Candid type: undefined, or something else.
    fn undefined(&self, expr: &Expr, q: &str) -> TypeError {
        if let Some(name) = q
            .strip_prefix("builtins.")
            .filter(|n| !PYTHON_BUILTINS.contains(n))
        {
            return self.err(
                expr,
                format!(
                    "`{name}` is not defined in module `{}` — define it (e.g. `class {name}(Record): ...`) or import it",
                    self.module.name
                ),
            );
        }
        if let Some((module, name)) = q
            .rsplit_once('.')
            .filter(|(m, _)| self.cx.project.module(m).is_some())
        {
            return self.err(
                expr,
                format!("module `{module}` defines no `{name}` — check the name, or define `{name}` there"),
            );
        }
        self.unsupported(expr)
    }

    fn generic(&self, expr: &Expr, value: &Expr, slice: &Expr) -> Result<Type, TypeError> {
        let Qual::Global(q) = self.qualify(value) else {
            return Err(self.unsupported(expr));
        };
        let args: Vec<&Expr> = match slice {
            Expr::Tuple(t) => t.elts.iter().collect(),
            other => vec![other],
        };
        let one = |what: &str| -> Result<Type, TypeError> {
            if args.len() != 1 {
                return Err(self.err(
                    expr,
                    format!(
                        "`{}` takes exactly one type argument — write e.g. `{what}[text]`",
                        self.text_of(value)
                    ),
                ));
            }
            self.ty(args[0])
        };
        match q.as_str() {
            "kybra.Opt" | "typing.Optional" => Ok(Type::Opt(Box::new(one("Opt")?))),
            "kybra.Vec" | "builtins.list" | "typing.List" => Ok(Type::Vec(Box::new(one("Vec")?))),
            "kybra.Alias" => one("Alias"),
            "kybra.Tuple" | "builtins.tuple" | "typing.Tuple" => {
                if matches!(slice, Expr::Tuple(t) if t.elts.is_empty()) {
                    return Ok(Type::Tuple(Vec::new()));
                }
                Ok(Type::Tuple(
                    args.iter().map(|a| self.ty(a)).collect::<Result<_, _>>()?,
                ))
            }
            "typing.Union" => {
                let non_none: Vec<&&Expr> = args
                    .iter()
                    .filter(|a| !matches!(a, Expr::NoneLiteral(_)))
                    .collect();
                if non_none.len() == 1 && args.len() == 2 {
                    Ok(Type::Opt(Box::new(self.ty(non_none[0])?)))
                } else {
                    Err(self.err(
                        expr,
                        format!(
                            "`{}` is a union, which Candid has no type for — write `Optional[T]` for an optional value, or a Variant",
                            self.text_of(expr)
                        ),
                    ))
                }
            }
            "kybra.Query" | "kybra.Update" | "kybra.Oneway" | "kybra.CompositeQuery" => Err(self
                .err(
                    expr,
                    format!(
                        "`{}` describes a function type only inside `Func(...)` — write `Func({})`",
                        self.text_of(expr),
                        self.text_of(expr)
                    ),
                )),
            _ => Err(self.unsupported(expr)),
        }
    }

    /// The function type of `Query[[A, B], R]`, `Update[[...], R]`, `CompositeQuery[[...], R]`
    /// or `Oneway[[...]]` (the argument of `Func`).
    pub fn func(&self, expr: &Expr) -> Result<FuncType, TypeError> {
        const HINT: &str = "write e.g. `Func(Query[[text, nat64], bool])`, `Func(Update[[], void])` or `Func(Oneway[[text]])`";
        let Expr::Subscript(s) = expr else {
            return Err(self.err(
                expr,
                format!(
                    "`{}` is not a function signature — {HINT}",
                    self.text_of(expr)
                ),
            ));
        };
        let mode = match self.qualify(&s.value) {
            Qual::Global(q) if q == "kybra.Query" => FuncMode::Query,
            Qual::Global(q) if q == "kybra.Update" => FuncMode::Update,
            Qual::Global(q) if q == "kybra.CompositeQuery" => FuncMode::CompositeQuery,
            Qual::Global(q) if q == "kybra.Oneway" => FuncMode::Oneway,
            _ => {
                return Err(self.err(
                    &s.value,
                    format!(
                        "`{}` is not Query, Update, CompositeQuery or Oneway — {HINT}",
                        self.text_of(&s.value)
                    ),
                ))
            }
        };
        let parts: Vec<&Expr> = match s.slice.as_ref() {
            Expr::Tuple(t) => t.elts.iter().collect(),
            other => vec![other],
        };
        let (args, ret) = match (mode, parts.as_slice()) {
            (FuncMode::Oneway, [args]) => (*args, None),
            (FuncMode::Oneway, _) => {
                return Err(self.err(expr, format!("a oneway function returns nothing: `Oneway` takes only its parameter list — {HINT}")))
            }
            (_, [args, ret]) => (*args, Some(*ret)),
            _ => {
                return Err(self.err(
                    expr,
                    format!("`{}` needs a parameter list and a return type — {HINT}", self.text_of(&s.value)),
                ))
            }
        };
        let Expr::List(list) = args else {
            return Err(self.err(
                args,
                format!("the parameters must be a list such as `[text, nat64]` — {HINT}"),
            ));
        };
        let args = list
            .elts
            .iter()
            .map(|a| self.ty(a))
            .collect::<Result<Vec<_>, _>>()?;
        let returns = match ret.map(|r| self.annotation(r)).transpose()? {
            None | Some(Annotation::Void) => Vec::new(),
            Some(Annotation::Type(t)) => vec![t],
        };
        Ok(FuncType {
            mode,
            args,
            returns,
        })
    }
}
