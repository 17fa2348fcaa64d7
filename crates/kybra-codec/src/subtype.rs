//! Candid subtyping between the types a message declares (the wire table) and the types
//! a method declares (the schema), as the Candid specification defines it ("Subtyping"):
//! `nat <: int`, anything `<: reserved`, `empty <:` anything, extra record fields and
//! missing `opt`/`null`/`reserved` fields allowed, variants may have fewer cases, vectors
//! and options covariant, functions contravariant in their arguments, services may have
//! more methods, and the special opt rule (`t <: opt t'` always, decoding to `null` when
//! the value does not fit).
//!
//! Promises: [`Subtyping::check`] terminates on recursive types (co-inductive
//! assumptions, retracted when a check built on them fails) and within a bounded depth;
//! [`Subtyping::explain`] finds, for a failed check, the path to the first mismatch.

use std::collections::{HashMap, HashSet};

use crate::types::{Entry, Table, EMPTY, INT, NAT, NULL, RESERVED, T};

/// Which table a type belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Side {
    Wire,
    Schema,
}

type Ref = (Side, T);

/// Nested composite types deeper than this are refused.
const MAX_DEPTH: usize = 200;

/// One subtyping session: the wire table of one message against the schema.
pub struct Subtyping<'a> {
    wire: &'a Table,
    schema: &'a Table,
    assumed: HashSet<(Ref, Ref)>,
    log: Vec<(Ref, Ref)>,
    refuted: HashSet<(Ref, Ref)>,
    /// Results for `(wire, schema)` pairs asked by the decoder (opt coercion).
    cache: HashMap<(T, T), bool>,
    depth: usize,
    /// Set when a check gave up because of [`MAX_DEPTH`].
    pub too_deep: bool,
}

/// Where a check failed: the path of labels from the outside in, and the two types.
pub struct Failure {
    pub path: Vec<String>,
    pub wire: T,
    pub schema: T,
    pub reason: Option<String>,
}

impl<'a> Subtyping<'a> {
    pub fn new(wire: &'a Table, schema: &'a Table) -> Self {
        Subtyping {
            wire,
            schema,
            assumed: HashSet::new(),
            log: Vec::new(),
            refuted: HashSet::new(),
            cache: HashMap::new(),
            depth: 0,
            too_deep: false,
        }
    }

    fn table(&self, side: Side) -> &'a Table {
        match side {
            Side::Wire => self.wire,
            Side::Schema => self.schema,
        }
    }

    /// Is wire type `w` a subtype of schema type `s`? (Memoised.)
    pub fn check(&mut self, w: T, s: T) -> bool {
        if let Some(r) = self.cache.get(&(w, s)) {
            return *r;
        }
        let r = self.sub((Side::Wire, w), (Side::Schema, s));
        self.cache.insert((w, s), r);
        r
    }

    fn sub(&mut self, a: Ref, b: Ref) -> bool {
        if a.1.is_prim() && b.1.is_prim() {
            return prim_sub(a.1, b.1);
        }
        let pair = (a, b);
        if self.refuted.contains(&pair) {
            return false;
        }
        if self.assumed.contains(&pair) {
            return true;
        }
        if self.depth >= MAX_DEPTH {
            self.too_deep = true;
            return false;
        }
        let mark = self.log.len();
        self.assumed.insert(pair);
        self.log.push(pair);
        self.depth += 1;
        let ok = self.sub_step(a, b);
        self.depth -= 1;
        if !ok {
            for p in self.log.drain(mark..) {
                self.assumed.remove(&p);
            }
            if !self.too_deep {
                self.refuted.insert(pair);
            }
        }
        ok
    }

    fn optlike(&self, r: Ref) -> bool {
        self.table(r.0).is_optlike(r.1)
    }

    fn sub_step(&mut self, a: Ref, b: Ref) -> bool {
        let (ta, tb) = (self.table(a.0), self.table(b.0));
        if b.1 == RESERVED || a.1 == EMPTY {
            return true;
        }
        match (ta.entry(a.1), tb.entry(b.1)) {
            (_, Some(Entry::Opt(_))) => true, // null, opt, or the special opt rule
            (Some(Entry::Vec(x)), Some(Entry::Vec(y))) => self.sub((a.0, *x), (b.0, *y)),
            (Some(Entry::Record(fa)), Some(Entry::Record(fb))) => {
                fb.iter()
                    .all(|(id, yt)| match fa.binary_search_by_key(id, |f| f.0) {
                        Ok(i) => self.sub((a.0, fa[i].1), (b.0, *yt)),
                        Err(_) => self.optlike((b.0, *yt)),
                    })
            }
            (Some(Entry::Variant(fa)), Some(Entry::Variant(fb))) => {
                fa.iter()
                    .all(|(id, xt)| match fb.binary_search_by_key(id, |f| f.0) {
                        Ok(i) => self.sub((a.0, *xt), (b.0, fb[i].1)),
                        Err(_) => false,
                    })
            }
            (Some(Entry::Func(fa)), Some(Entry::Func(fb))) => {
                fa.modes == fb.modes
                    && self.seq(b.0, &fb.args, a.0, &fa.args)
                    && self.seq(a.0, &fa.rets, b.0, &fb.rets)
            }
            (Some(Entry::Service(ma)), Some(Entry::Service(mb))) => {
                mb.iter().all(
                    |(name, yt)| match ma.binary_search_by(|m| m.0.as_str().cmp(name)) {
                        Ok(i) => self.sub((a.0, ma[i].1), (b.0, *yt)),
                        Err(_) => false,
                    },
                )
            }
            _ => false,
        }
    }

    /// Argument / result sequences: like records numbered 0, 1, ...
    fn seq(&mut self, sa: Side, xs: &[T], sb: Side, ys: &[T]) -> bool {
        ys.iter().enumerate().all(|(i, y)| match xs.get(i) {
            Some(x) => self.sub((sa, *x), (sb, *y)),
            None => self.optlike((sb, *y)),
        })
    }

    /// For a failed `check(w, s)`: the path to the innermost mismatch.
    pub fn explain(&mut self, w: T, s: T, labels: &dyn Fn(T, usize) -> String) -> Failure {
        let mut path = Vec::new();
        let (mut w, mut s) = (w, s);
        for _ in 0..MAX_DEPTH {
            let step = match (self.wire.entry(w), self.schema.entry(s)) {
                (Some(Entry::Vec(x)), Some(Entry::Vec(y))) => Some(("[*]".to_string(), *x, *y)),
                (Some(Entry::Record(fa)), Some(Entry::Record(fb))) => {
                    let mut found = None;
                    for (pos, (id, yt)) in fb.iter().enumerate() {
                        match fa.binary_search_by_key(id, |f| f.0) {
                            Ok(i) if !self.check(fa[i].1, *yt) => {
                                found = Some((labels(s, pos), fa[i].1, *yt));
                                break;
                            }
                            Err(_) if !self.schema.is_optlike(*yt) => {
                                let reason =
                                    format!("the required field `{}` is missing", labels(s, pos));
                                return Failure {
                                    path,
                                    wire: w,
                                    schema: s,
                                    reason: Some(reason),
                                };
                            }
                            _ => {}
                        }
                    }
                    found
                }
                (Some(Entry::Variant(fa)), Some(Entry::Variant(fb))) => {
                    let mut found = None;
                    for (id, xt) in fa {
                        match fb.binary_search_by_key(id, |f| f.0) {
                            Ok(i) if !self.check(*xt, fb[i].1) => {
                                found = Some((labels(s, i), *xt, fb[i].1));
                                break;
                            }
                            Err(_) => {
                                let reason =
                                    format!("the case with label id {id} is not one of its cases");
                                return Failure {
                                    path,
                                    wire: w,
                                    schema: s,
                                    reason: Some(reason),
                                };
                            }
                            _ => {}
                        }
                    }
                    found
                }
                _ => None,
            };
            match step {
                Some((seg, x, y)) => {
                    path.push(seg);
                    w = x;
                    s = y;
                }
                None => break,
            }
        }
        Failure {
            path,
            wire: w,
            schema: s,
            reason: None,
        }
    }
}

fn prim_sub(a: T, b: T) -> bool {
    a == b || b == RESERVED || a == EMPTY || (a == NAT && b == INT) || (a == NULL && b == NULL)
}
