//! Candid type tables, the one representation of types the codec works on: the
//! declared types of the canister's methods ([`crate::schema`]) and the types a message
//! declares on the wire ([`crate::wire`]) are both a [`Table`] of composite entries
//! referred to by [`T`], exactly as the Candid binary format writes them.
//!
//! Promises: [`Table::write_header`] emits a valid Candid type table for the types it is
//! given (only the entries they reach); [`Table::show`] prints a type in Candid syntax,
//! bounded in depth and length, so error messages never blow up on huge or recursive types.

use std::collections::HashMap;

/// A type: a primitive (its negative Candid opcode) or an index into a [`Table`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct T(pub i32);

pub const NULL: T = T(-1);
pub const BOOL: T = T(-2);
pub const NAT: T = T(-3);
pub const INT: T = T(-4);
pub const NAT8: T = T(-5);
pub const NAT16: T = T(-6);
pub const NAT32: T = T(-7);
pub const NAT64: T = T(-8);
pub const INT8: T = T(-9);
pub const INT16: T = T(-10);
pub const INT32: T = T(-11);
pub const INT64: T = T(-12);
pub const FLOAT32: T = T(-13);
pub const FLOAT64: T = T(-14);
pub const TEXT: T = T(-15);
pub const RESERVED: T = T(-16);
pub const EMPTY: T = T(-17);
pub const PRINCIPAL: T = T(-24);

pub const OP_OPT: i32 = -18;
pub const OP_VEC: i32 = -19;
pub const OP_RECORD: i32 = -20;
pub const OP_VARIANT: i32 = -21;
pub const OP_FUNC: i32 = -22;
pub const OP_SERVICE: i32 = -23;

impl T {
    /// True for a primitive type (no table entry).
    pub fn is_prim(self) -> bool {
        self.0 < 0
    }

    /// True for the primitive opcodes Candid defines.
    pub fn is_known_prim(self) -> bool {
        (-17..=-1).contains(&self.0) || self == PRINCIPAL
    }

    /// The Candid name of a primitive type.
    pub fn prim_name(self) -> &'static str {
        match self.0 {
            -1 => "null",
            -2 => "bool",
            -3 => "nat",
            -4 => "int",
            -5 => "nat8",
            -6 => "nat16",
            -7 => "nat32",
            -8 => "nat64",
            -9 => "int8",
            -10 => "int16",
            -11 => "int32",
            -12 => "int64",
            -13 => "float32",
            -14 => "float64",
            -15 => "text",
            -16 => "reserved",
            -17 => "empty",
            -24 => "principal",
            _ => "<unknown type>",
        }
    }
}

/// A function type: argument and result types, and its annotations
/// (1 = query, 2 = oneway, 3 = composite_query).
#[derive(Clone, Debug, PartialEq)]
pub struct FuncSig {
    pub args: Vec<T>,
    pub rets: Vec<T>,
    pub modes: Vec<u8>,
}

/// A composite type of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Opt(T),
    Vec(T),
    /// Fields sorted by label id (strictly increasing).
    Record(Vec<(u32, T)>),
    /// Cases sorted by label id; a value's index counts in this order.
    Variant(Vec<(u32, T)>),
    Func(FuncSig),
    /// Methods sorted by name; each type is a func.
    Service(Vec<(String, T)>),
}

/// Per-entry names used when printing a type: the named type an entry stands for and
/// the labels of its fields (the wire only has their hashes).
pub trait Names {
    fn type_name(&self, _index: usize) -> Option<&str> {
        None
    }
    fn field_label(&self, _index: usize, _position: usize) -> Option<&str> {
        None
    }
}

/// No names: the wire's types.
pub struct NoNames;
impl Names for NoNames {}

/// A table of composite types.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

impl Table {
    /// The entry of a non-primitive type.
    pub fn entry(&self, t: T) -> Option<&Entry> {
        usize::try_from(t.0).ok().and_then(|i| self.entries.get(i))
    }

    /// `null`, `reserved` or `opt _`: the types a missing field or argument may have.
    pub fn is_optlike(&self, t: T) -> bool {
        t == NULL || t == RESERVED || matches!(self.entry(t), Some(Entry::Opt(_)))
    }

    /// The type table (`leb128 count`, entries) and argument list of a message whose
    /// values have types `args`, with only the entries they reach, renumbered.
    pub fn write_header(&self, args: &[T], out: &mut Vec<u8>) {
        let mut order: Vec<usize> = Vec::new();
        let mut index: HashMap<usize, i32> = HashMap::new();
        let mut stack: Vec<T> = args.iter().rev().copied().collect();
        while let Some(t) = stack.pop() {
            let Ok(i) = usize::try_from(t.0) else {
                continue;
            };
            if index.contains_key(&i) {
                continue;
            }
            index.insert(i, order.len() as i32);
            order.push(i);
            let mut push = |t: &T| stack.push(*t);
            match &self.entries[i] {
                Entry::Opt(t) | Entry::Vec(t) => push(t),
                Entry::Record(fs) | Entry::Variant(fs) => {
                    fs.iter().rev().for_each(|(_, t)| push(t))
                }
                Entry::Func(f) => f.args.iter().chain(&f.rets).for_each(push),
                Entry::Service(ms) => ms.iter().for_each(|(_, t)| push(t)),
            }
        }
        let map = |t: T| {
            if t.is_prim() {
                t.0
            } else {
                index[&(t.0 as usize)]
            }
        };
        leb(out, order.len() as u64);
        for i in order {
            match &self.entries[i] {
                Entry::Opt(t) => {
                    sleb(out, OP_OPT as i64);
                    sleb(out, map(*t) as i64);
                }
                Entry::Vec(t) => {
                    sleb(out, OP_VEC as i64);
                    sleb(out, map(*t) as i64);
                }
                Entry::Record(fs) | Entry::Variant(fs) => {
                    let op = if matches!(self.entries[i], Entry::Record(_)) {
                        OP_RECORD
                    } else {
                        OP_VARIANT
                    };
                    sleb(out, op as i64);
                    leb(out, fs.len() as u64);
                    for (id, t) in fs {
                        leb(out, u64::from(*id));
                        sleb(out, map(*t) as i64);
                    }
                }
                Entry::Func(f) => {
                    sleb(out, OP_FUNC as i64);
                    for list in [&f.args, &f.rets] {
                        leb(out, list.len() as u64);
                        list.iter().for_each(|t| sleb(out, map(*t) as i64));
                    }
                    leb(out, f.modes.len() as u64);
                    out.extend_from_slice(&f.modes);
                }
                Entry::Service(ms) => {
                    sleb(out, OP_SERVICE as i64);
                    leb(out, ms.len() as u64);
                    for (name, t) in ms {
                        leb(out, name.len() as u64);
                        out.extend_from_slice(name.as_bytes());
                        sleb(out, map(*t) as i64);
                    }
                }
            }
        }
        leb(out, args.len() as u64);
        for t in args {
            sleb(out, map(*t) as i64);
        }
    }

    /// `t` in Candid syntax; named types print as their name, nesting deeper than a few
    /// levels as `…`.
    pub fn show(&self, t: T, names: &dyn Names) -> String {
        let mut out = String::new();
        self.show_into(t, names, 3, &mut out);
        out
    }

    fn show_into(&self, t: T, names: &dyn Names, depth: usize, out: &mut String) {
        let Some(entry) = self.entry(t) else {
            out.push_str(t.prim_name());
            return;
        };
        let i = t.0 as usize;
        if let Some(name) = names.type_name(i) {
            out.push_str(name);
            return;
        }
        if depth == 0 {
            out.push('…');
            return;
        }
        let label = |pos: usize, id: u32| {
            names
                .field_label(i, pos)
                .map(str::to_string)
                .unwrap_or_else(|| id.to_string())
        };
        match entry {
            Entry::Opt(inner) => {
                out.push_str("opt ");
                self.show_into(*inner, names, depth - 1, out);
            }
            Entry::Vec(NAT8) => out.push_str("blob"),
            Entry::Vec(inner) => {
                out.push_str("vec ");
                self.show_into(*inner, names, depth - 1, out);
            }
            Entry::Record(fs) | Entry::Variant(fs) => {
                out.push_str(if matches!(entry, Entry::Record(_)) {
                    "record {"
                } else {
                    "variant {"
                });
                for (pos, (id, ft)) in fs.iter().enumerate().take(8) {
                    out.push(' ');
                    out.push_str(&label(pos, *id));
                    if !(matches!(entry, Entry::Variant(_)) && *ft == NULL) {
                        out.push_str(" : ");
                        self.show_into(*ft, names, depth - 1, out);
                    }
                    out.push(';');
                }
                if fs.len() > 8 {
                    out.push_str(" …");
                }
                out.push_str(" }");
            }
            Entry::Func(f) => {
                out.push_str("func (");
                self.show_list(&f.args, names, depth, out);
                out.push_str(") -> (");
                self.show_list(&f.rets, names, depth, out);
                out.push(')');
                for m in &f.modes {
                    out.push_str(match m {
                        1 => " query",
                        2 => " oneway",
                        3 => " composite_query",
                        _ => " ?",
                    });
                }
            }
            Entry::Service(ms) => {
                out.push_str("service {");
                for (name, _) in ms.iter().take(8) {
                    out.push(' ');
                    out.push_str(name);
                    out.push_str(" : …;");
                }
                out.push_str(" }");
            }
        }
    }

    fn show_list(&self, ts: &[T], names: &dyn Names, depth: usize, out: &mut String) {
        for (k, t) in ts.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            self.show_into(*t, names, depth.saturating_sub(1), out);
        }
    }
}

/// Appends `v` as unsigned LEB128.
#[inline]
pub fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends `v` as signed LEB128.
#[inline]
pub fn sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
