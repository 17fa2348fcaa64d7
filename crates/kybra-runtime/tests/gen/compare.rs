//! Comparing Candid values for the property and fuzz suites: equality as Candid means it
//! (NaN equals NaN, a blob equals the `vec nat8` of its bytes, a variant's type index and
//! record field order do not count), with a report of where two values differ.
use candid::types::value::{IDLField, IDLValue, VariantValue};
use candid::types::Label;

/// `v` as Candid text, cut after 300 characters (deep and long values print huge).
pub fn short(v: &IDLValue) -> String {
    let s = v.to_string();
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}… ({} characters)", &s[..i], s.chars().count()),
        None => s,
    }
}

fn label(l: &Label) -> String {
    l.to_string()
}

/// `Ok` when `a` and `b` are the same Candid value (NaN equals NaN; a blob equals the
/// `vec nat8` of its bytes; a variant's type index is ignored); else where they differ.
pub fn same(a: &IDLValue, b: &IDLValue) -> Result<(), String> {
    use IDLValue as V;
    let bytes = |v: &IDLValue| -> Option<Vec<u8>> {
        match v {
            V::Blob(b) => Some(b.clone()),
            V::Vec(items) => items
                .iter()
                .map(|i| if let V::Nat8(x) = i { Some(*x) } else { None })
                .collect(),
            _ => None,
        }
    };
    let differ = || Err(format!("{} ≠ {}", short(a), short(b)));
    match (a, b) {
        (V::Float64(x), V::Float64(y)) if x.is_nan() && y.is_nan() => Ok(()),
        (V::Float32(x), V::Float32(y)) if x.is_nan() && y.is_nan() => Ok(()),
        (V::Float64(x), V::Float64(y)) => {
            if x.to_bits() == y.to_bits() {
                Ok(())
            } else {
                differ()
            }
        }
        (V::Float32(x), V::Float32(y)) => {
            if x.to_bits() == y.to_bits() {
                Ok(())
            } else {
                differ()
            }
        }
        (V::Blob(_), _) | (_, V::Blob(_)) => {
            if bytes(a).is_some() && bytes(a) == bytes(b) {
                Ok(())
            } else {
                differ()
            }
        }
        (V::Opt(x), V::Opt(y)) => same(x, y).map_err(|e| format!("?{e}")),
        (V::Vec(xs), V::Vec(ys)) => {
            if xs.len() != ys.len() {
                return Err(format!(
                    "vec of {} items ≠ vec of {} items",
                    xs.len(),
                    ys.len()
                ));
            }
            xs.iter()
                .zip(ys)
                .enumerate()
                .try_for_each(|(i, (x, y))| same(x, y).map_err(|e| format!("[{i}] {e}")))
        }
        (V::Record(xs), V::Record(ys)) => {
            let mut xs: Vec<&IDLField> = xs.iter().collect();
            let mut ys: Vec<&IDLField> = ys.iter().collect();
            xs.sort_by_key(|f| f.id.get_id());
            ys.sort_by_key(|f| f.id.get_id());
            if xs.len() != ys.len()
                || xs
                    .iter()
                    .zip(&ys)
                    .any(|(x, y)| x.id.get_id() != y.id.get_id())
            {
                return differ();
            }
            xs.iter().zip(&ys).try_for_each(|(x, y)| {
                same(&x.val, &y.val).map_err(|e| format!(".{} {e}", label(&x.id)))
            })
        }
        (V::Variant(VariantValue(x, _)), V::Variant(VariantValue(y, _))) => {
            if x.id.get_id() != y.id.get_id() {
                return differ();
            }
            same(&x.val, &y.val).map_err(|e| format!("#{} {e}", label(&x.id)))
        }
        _ => {
            if a == b {
                Ok(())
            } else {
                differ()
            }
        }
    }
}
