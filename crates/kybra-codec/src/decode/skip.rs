//! Reading past values the method does not take: extra arguments, extra record fields,
//! `opt` values that do not fit, `reserved` parameters. Well-formedness is still checked.

use super::{bad, Decoder, Fail};
use crate::types::{self as ty, Entry, T};

impl Decoder<'_, '_> {
    pub(super) fn skip(&mut self, w: T) -> Result<(), Fail> {
        self.enter()?;
        let r = self.skip_inner(w);
        self.depth -= 1;
        r
    }

    /// Reads past a value of wire type `w`, checking it is well-formed.
    pub(super) fn skip_inner(&mut self, w: T) -> Result<(), Fail> {
        let size = |t: T| match t {
            ty::NULL | ty::RESERVED => Some(0),
            ty::BOOL | ty::NAT8 | ty::INT8 => Some(1),
            ty::NAT16 | ty::INT16 => Some(2),
            ty::NAT32 | ty::INT32 | ty::FLOAT32 => Some(4),
            ty::NAT64 | ty::INT64 | ty::FLOAT64 => Some(8),
            _ => None,
        };
        if let Some(n) = size(w) {
            if w == ty::BOOL {
                self.prim(w, w)?;
            } else {
                self.r.take(n, "a number")?;
            }
            return Ok(());
        }
        match (w, self.wire.entry(w)) {
            (ty::NAT | ty::INT, _) => {
                self.r.leb_bytes("a number")?;
            }
            (ty::TEXT, _) => {
                let bytes = self.r.sized("a text")?;
                std::str::from_utf8(bytes).map_err(|_| bad("a text is not valid UTF-8"))?;
            }
            (ty::PRINCIPAL, _) => {
                self.principal_bytes()?;
            }
            (ty::EMPTY, _) => return Err(bad("a value of type empty cannot exist")),
            (_, Some(Entry::Opt(x))) => match self.r.byte("an opt value")? {
                0 => {}
                1 => self.skip(*x)?,
                b => {
                    return Err(bad(format!(
                        "an opt value starts with byte {b:#04x}, not 0 or 1"
                    )))
                }
            },
            (_, Some(Entry::Vec(x))) => {
                let len = self.len("a vec")?;
                match size(*x) {
                    Some(n) if *x != ty::BOOL => {
                        self.r.take(len.saturating_mul(n), "a vec")?;
                        self.budget -= len.min(self.budget);
                    }
                    _ => {
                        for _ in 0..len {
                            self.skip(*x)?;
                        }
                    }
                }
            }
            (_, Some(Entry::Record(fs))) => {
                for (_, t) in fs {
                    self.skip(*t)?;
                }
            }
            (_, Some(Entry::Variant(fs))) => {
                let index = self.r.leb("a variant index")?;
                let (_, t) = usize::try_from(index)
                    .ok()
                    .and_then(|i| fs.get(i))
                    .ok_or_else(|| {
                        bad(format!(
                            "variant index {index} is out of range: the type has {} cases",
                            fs.len()
                        ))
                    })?;
                self.skip(*t)?;
            }
            (_, Some(Entry::Func(_))) => {
                self.reference("a function reference")?;
                self.principal_bytes()?;
                let name = self.r.sized("a method name")?;
                std::str::from_utf8(name).map_err(|_| bad("a method name is not valid UTF-8"))?;
            }
            (_, Some(Entry::Service(_))) => {
                self.principal_bytes()?;
            }
            _ => return Err(bad(format!("type {} has no values", w.0))),
        }
        Ok(())
    }
}
