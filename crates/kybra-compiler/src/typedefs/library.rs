//! The named Candid types the `kybra` package itself defines (`from kybra import
//! StableGrowResult`): the stable memory results and the StableBTreeMap insert errors, as
//! the book types them, and the call results `RejectionCode` and `NotifyResult`.
//!
//! Promise: [`TypeCx::library`] gives `kybra.X` as [`Type::Named`] of a [`TypeDef`] added
//! once per build (named `X`, or `kybra_X` if the project already took `X`), and `None`
//! for any other name.

use kybra_interface::{Field, Type};

use super::TypeCx;

/// `kybra.X` → the definition of `X` (other library names it uses are library names too).
fn definition(name: &str) -> Option<Vec<(&'static str, Lib)>> {
    use Lib::*;
    Some(match name {
        "StableMemoryError" => vec![
            ("OutOfMemory", Prim(Type::Null)),
            ("OutOfBounds", Prim(Type::Null)),
        ],
        "StableGrowResult" => vec![
            ("Ok", Prim(Type::Nat32)),
            ("Err", Named("StableMemoryError")),
        ],
        "Stable64GrowResult" => vec![
            ("Ok", Prim(Type::Nat64)),
            ("Err", Named("StableMemoryError")),
        ],
        "KeyTooLarge" | "ValueTooLarge" => {
            vec![("given", Prim(Type::Nat32)), ("max", Prim(Type::Nat32))]
        }
        "InsertError" => vec![
            ("KeyTooLarge", Named("KeyTooLarge")),
            ("ValueTooLarge", Named("ValueTooLarge")),
        ],
        "RejectionCode" => [
            "NoError",
            "SysFatal",
            "SysTransient",
            "DestinationInvalid",
            "CanisterReject",
            "CanisterError",
            "Unknown",
        ]
        .into_iter()
        .map(|case| (case, Prim(Type::Null)))
        .collect(),
        "NotifyResult" => vec![("Ok", Prim(Type::Null)), ("Err", Named("RejectionCode"))],
        _ => return None,
    })
}

/// Whether the definition is a record (else a variant).
fn is_record(name: &str) -> bool {
    matches!(name, "KeyTooLarge" | "ValueTooLarge")
}

enum Lib {
    Prim(Type),
    Named(&'static str),
}

impl TypeCx<'_> {
    /// The library type `qualified` (`kybra.StableGrowResult`), if it is one.
    pub fn library(&self, qualified: &str) -> Option<Type> {
        let name = qualified.strip_prefix("kybra.")?;
        let fields = definition(name)?;
        if let Some(c) = self
            .state
            .borrow()
            .by_key
            .get(&("kybra".to_string(), name.to_string()))
        {
            return Some(Type::Named(c.clone()));
        }
        let (cname, idx) = self.register("kybra", name, None);
        let fields = fields
            .into_iter()
            .map(|(label, t)| {
                let ty = match t {
                    Lib::Prim(t) => t,
                    Lib::Named(n) => self
                        .library(&format!("kybra.{n}"))
                        .expect("library types refer to library types"),
                };
                Field::new(label, ty)
            })
            .collect();
        self.set(
            idx,
            if is_record(name) {
                Type::Record(fields)
            } else {
                Type::Variant(fields)
            },
        );
        Some(Type::Named(cname))
    }
}
