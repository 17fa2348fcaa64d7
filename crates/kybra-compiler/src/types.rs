//! Maps Python annotations to Candid types ([`kybra_interface::Type`]).
//!
//! Promises: Python builtins map as `str`→text, `bytes`→blob, `bool`→bool, `int`→int,
//! `float`→float64, `None`→null; kybra's names map to the Candid type of the same name;
//! `Opt[T]`, `Optional[T]`, `T | None` → opt; `Vec[T]`, `list[T]`, `List[T]` → vec;
//! `Tuple[...]`, `tuple[...]` → tuple. `void` is accepted only as a return type. Names are
//! resolved through imports ([`Names`]); anything else is an error that says what to write.

use kybra_interface::Type;
use ruff_python_ast::{Expr, Operator};
use ruff_text_size::{Ranged, TextSize};

use crate::names::{Names, Qual};

/// What an annotation stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Annotation {
    Type(Type),
    /// `void`: the method returns no value.
    Void,
}

/// An annotation that cannot be mapped, with where and why.
#[derive(Debug)]
pub struct TypeError {
    pub offset: TextSize,
    pub message: String,
}

/// The Candid types a user can write, for hints.
pub const EXAMPLES: &str = "text, blob, bool, nat, nat64, int, float64, Principal, Opt[T], Vec[T], Tuple[T, U]";

pub struct Mapper<'a> {
    pub names: &'a Names,
    pub module: &'a str,
    pub source: &'a str,
}

impl Mapper<'_> {
    fn text_of(&self, expr: &Expr) -> &str {
        let r = expr.range();
        &self.source[usize::from(r.start())..usize::from(r.end())]
    }

    fn err(&self, expr: &Expr, message: String) -> TypeError {
        TypeError { offset: expr.range().start(), message }
    }

    /// Maps a parameter or return annotation.
    pub fn annotation(&self, expr: &Expr) -> Result<Annotation, TypeError> {
        if let Qual::Global(q) = self.names.qualify(self.module, expr) {
            if q == "kybra.void" {
                return Ok(Annotation::Void);
            }
        }
        self.ty(expr).map(Annotation::Type)
    }

    /// Maps a value type (where `void` is not allowed).
    pub fn ty(&self, expr: &Expr) -> Result<Type, TypeError> {
        match expr {
            Expr::NoneLiteral(_) => Ok(Type::Null),
            Expr::StringLiteral(s) => Err(self.err(
                expr,
                format!(
                    "string annotation `{}` is not supported yet — write the type without quotes, e.g. `{}`",
                    self.text_of(expr),
                    s.value.to_str()
                ),
            )),
            Expr::BinOp(b) if b.op == Operator::BitOr => {
                match (b.left.as_ref(), b.right.as_ref()) {
                    (inner, Expr::NoneLiteral(_)) | (Expr::NoneLiteral(_), inner) => {
                        Ok(Type::Opt(Box::new(self.ty(inner)?)))
                    }
                    _ => Err(self.err(
                        expr,
                        format!(
                            "`{}` is a union, which Candid has no type for — write `T | None` for an optional value, or a Variant",
                            self.text_of(expr)
                        ),
                    )),
                }
            }
            Expr::Subscript(s) => self.generic(expr, &s.value, &s.slice),
            Expr::Name(_) | Expr::Attribute(_) => self.named(expr),
            _ => Err(self.unsupported(expr)),
        }
    }

    fn unsupported(&self, expr: &Expr) -> TypeError {
        self.err(
            expr,
            format!("`{}` is not a type Kybra can map to Candid — write one of {EXAMPLES}", self.text_of(expr)),
        )
    }

    fn named(&self, expr: &Expr) -> Result<Type, TypeError> {
        let q = match self.names.qualify(self.module, expr) {
            Qual::Global(q) => q,
            Qual::Local { name, .. } => {
                return Err(self.err(
                    expr,
                    format!(
                        "`{name}` is defined in this project; user-defined types (Record, Variant, aliases) are not supported yet — write one of {EXAMPLES}"
                    ),
                ))
            }
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
            "kybra.nat64" => Type::Nat64,
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
            | "builtins.tuple" | "typing.Tuple" => {
                let short = q.rsplit('.').next().unwrap_or(&q);
                return Err(self.err(
                    expr,
                    format!("`{}` needs a type argument — write e.g. `{short}[text]`", self.text_of(expr)),
                ));
            }
            _ => return Err(self.unsupported(expr)),
        };
        Ok(t)
    }

    fn generic(&self, expr: &Expr, value: &Expr, slice: &Expr) -> Result<Type, TypeError> {
        let Qual::Global(q) = self.names.qualify(self.module, value) else {
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
                    format!("`{}` takes exactly one type argument — write e.g. `{what}[text]`", self.text_of(value)),
                ));
            }
            self.ty(args[0])
        };
        match q.as_str() {
            "kybra.Opt" | "typing.Optional" => Ok(Type::Opt(Box::new(one("Opt")?))),
            "kybra.Vec" | "builtins.list" | "typing.List" => Ok(Type::Vec(Box::new(one("Vec")?))),
            "kybra.Tuple" | "builtins.tuple" | "typing.Tuple" => {
                if matches!(slice, Expr::Tuple(t) if t.elts.is_empty()) {
                    return Ok(Type::Tuple(Vec::new()));
                }
                Ok(Type::Tuple(args.iter().map(|a| self.ty(a)).collect::<Result<_, _>>()?))
            }
            "typing.Union" => {
                let non_none: Vec<&&Expr> = args.iter().filter(|a| !matches!(a, Expr::NoneLiteral(_))).collect();
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
            _ => Err(self.unsupported(expr)),
        }
    }
}
