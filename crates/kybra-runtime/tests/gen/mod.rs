//! Random Candid types and values for the runtime's property and fuzz suites
//! (`tests/properties.rs`, `tests/fuzz_decoder.rs`): a seeded generator (SplitMix64, so a
//! seed reproduces a run on any machine and any dependency version), random
//! [`kybra_interface::Type`]s with named and recursive [`TypeDef`]s, random values of a
//! type, and a comparison that says where two values differ.
//!
//! Promises: every generated value is a valid value of its type (it encodes with the
//! `candid` crate against that type); generated types have no Python-ambiguous `opt`
//! (`opt null`, `opt opt T`, `opt reserved`: `None` cannot tell `null` from `?null`, see
//! `tests/properties.rs`); recursive values stay below [`MAX_DEPTH`] levels.
#![allow(dead_code)]

use candid::types::value::{IDLArgs, IDLField, IDLValue, VariantValue};
use candid::types::{Type as CType, TypeEnv, TypeInner};
use candid::{Int, Nat, Principal};
use kybra_interface::{Field, FuncMode, FuncType, ServiceMethod, Type, TypeDef};

mod compare;
#[allow(unused_imports)] // each suite uses part of it
pub use compare::{same, short};

/// Recursive types stop growing (take their base case) below this many levels.
pub const MAX_DEPTH: u32 = 6;

/// The run's seed: `$KYBRA_TEST_SEED` when set (decimal), else `default`. Printed, so a
/// failing run can be repeated exactly.
pub fn seed(suite: &str, default: u64) -> u64 {
    let seed = std::env::var("KYBRA_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    println!("{suite}: seed {seed} (repeat with KYBRA_TEST_SEED={seed})");
    seed
}

/// SplitMix64: small, fast, and the same sequence forever.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

/// Which kinds of types [`TypeGen`] may produce.
#[derive(Clone, Copy)]
pub struct Kinds {
    /// `func` and `service` references.
    pub references: bool,
    /// Record fields named with Python keywords, whose Python key is `name_`.
    pub python_keys: bool,
}

/// Builds random types, collecting the named types they refer to.
pub struct TypeGen {
    pub defs: Vec<TypeDef>,
    kinds: Kinds,
    /// Names handed out so far (a name is taken before its type is generated, which may
    /// define more types).
    names: usize,
}

const FIELD_NAMES: &[&str] = &[
    "a", "id", "name", "value", "Tag", "x_1", "items", "ok", "err", "zz", "42", "1000", "émoji",
];
const KEYWORDS: &[&str] = &["class", "from", "None", "lambda", "def"];

fn primitive(rng: &mut Rng) -> Type {
    use Type::*;
    rng.pick(&[
        Null, Bool, Nat, Int, Nat8, Nat16, Nat32, Nat64, Int8, Int16, Int32, Int64, Float32,
        Float64, Text, Blob, Reserved, Principal,
    ])
    .clone()
}

impl TypeGen {
    pub fn new(kinds: Kinds) -> TypeGen {
        TypeGen {
            defs: Vec::new(),
            kinds,
            names: 0,
        }
    }

    /// The named types as the `candid` crate's environment.
    pub fn env(&self) -> TypeEnv {
        let mut env = TypeEnv::new();
        for def in &self.defs {
            env.0.insert(def.name.clone(), def.ty.to_candid());
        }
        env
    }

    /// True when Python's `None` is a value of `ty`, so `opt ty` would be ambiguous.
    fn nullable(&self, ty: &Type) -> bool {
        match ty {
            Type::Null | Type::Reserved | Type::Opt(_) => true,
            Type::Named(n) => self
                .defs
                .iter()
                .find(|d| &d.name == n)
                .is_some_and(|d| self.nullable(&d.ty)),
            _ => false,
        }
    }

    fn fields(&mut self, rng: &mut Rng, depth: u32, min: usize) -> Vec<Field> {
        let n = min + rng.below(4);
        let mut names: Vec<&str> = Vec::new();
        while names.len() < n {
            let name = *rng.pick(FIELD_NAMES);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let mut fields: Vec<Field> = names
            .into_iter()
            .map(|name| Field::new(name, self.gen(rng, depth)))
            .collect();
        if self.kinds.python_keys && rng.chance(30) {
            let kw = *rng.pick(KEYWORDS);
            fields.push(Field {
                name: kw.into(),
                ty: self.gen(rng, depth),
                python_name: Some(format!("{kw}_")),
            });
        }
        fields
    }

    /// A random type at most `depth` constructors deep.
    pub fn gen(&mut self, rng: &mut Rng, depth: u32) -> Type {
        if depth == 0 || rng.chance(35) {
            return primitive(rng);
        }
        let d = depth - 1;
        match rng.below(if self.kinds.references { 10 } else { 8 }) {
            0 => {
                let inner = self.gen(rng, d);
                Type::Opt(Box::new(if self.nullable(&inner) {
                    Type::Nat
                } else {
                    inner
                }))
            }
            1 => Type::Vec(Box::new(self.gen(rng, d))),
            2 => Type::Record(self.fields(rng, d, 0)),
            3 => Type::Variant(self.fields(rng, d, 1)),
            4 => Type::Tuple((0..1 + rng.below(3)).map(|_| self.gen(rng, d)).collect()),
            5 | 6 => self.recursive(rng, d),
            7 => {
                let name = format!("Alias{}", self.fresh());
                let ty = self.gen(rng, d);
                self.define(&name, ty)
            }
            8 => Type::Func(Box::new(self.func(rng, d))),
            _ => Type::Service(
                (0..rng.below(3))
                    .map(|i| ServiceMethod {
                        name: format!("m{i}"),
                        func: self.func(rng, d),
                    })
                    .collect(),
            ),
        }
    }

    fn func(&mut self, rng: &mut Rng, depth: u32) -> FuncType {
        let mode = *rng.pick(&[
            FuncMode::Update,
            FuncMode::Query,
            FuncMode::CompositeQuery,
            FuncMode::Oneway,
        ]);
        let returns = if mode == FuncMode::Oneway {
            vec![]
        } else {
            vec![self.gen(rng, depth.min(1))]
        };
        FuncType {
            mode,
            args: (0..rng.below(3))
                .map(|_| self.gen(rng, depth.min(1)))
                .collect(),
            returns,
        }
    }

    fn fresh(&mut self) -> usize {
        self.names += 1;
        self.names
    }

    fn define(&mut self, name: &str, ty: Type) -> Type {
        self.defs.push(TypeDef {
            name: name.into(),
            ty,
            class: None,
        });
        Type::Named(name.into())
    }

    /// One of four recursive shapes (list, tree, expression, mutual recursion) over a
    /// random element type.
    fn recursive(&mut self, rng: &mut Rng, depth: u32) -> Type {
        let k = self.fresh();
        let elem = self.gen(rng, depth);
        let named = |s: &str| Type::Named(s.to_string());
        match rng.below(4) {
            0 => {
                let name = format!("List{k}");
                let node = Type::Record(vec![
                    Field::new("head", elem),
                    Field::new("tail", named(&name)),
                ]);
                self.define(&name, Type::Opt(Box::new(node)))
            }
            1 => {
                let name = format!("Tree{k}");
                let children = Type::Vec(Box::new(named(&name)));
                self.define(
                    &name,
                    Type::Record(vec![
                        Field::new("value", elem),
                        Field::new("children", children),
                    ]),
                )
            }
            2 => {
                let name = format!("Expr{k}");
                let pair = Type::Tuple(vec![named(&name), named(&name)]);
                self.define(
                    &name,
                    Type::Variant(vec![Field::new("leaf", elem), Field::new("pair", pair)]),
                )
            }
            _ => {
                let (a, b) = (format!("A{k}"), format!("B{k}"));
                let more = Type::Variant(vec![
                    Field::new("end", Type::Null),
                    Field::new("more", named(&a)),
                ]);
                self.defs.push(TypeDef {
                    name: b.clone(),
                    ty: more,
                    class: None,
                });
                let next = Type::Opt(Box::new(named(&b)));
                self.define(
                    &a,
                    Type::Record(vec![Field::new("x", elem), Field::new("next", next)]),
                )
            }
        }
    }
}

/// The fewest named-type expansions a value of `ty` needs (`opt` and `vec` cost none:
/// `null` and `[]`); `None` when every value of `ty` goes through a type in `seen`.
fn cost(env: &TypeEnv, ty: &CType, seen: &mut Vec<String>) -> Option<u32> {
    match ty.as_ref() {
        TypeInner::Var(name) => {
            if seen.contains(name) {
                return None;
            }
            seen.push(name.clone());
            let c = cost(env, env.find_type(name).ok()?, seen).map(|c| c + 1);
            seen.pop();
            c
        }
        TypeInner::Opt(_) | TypeInner::Vec(_) => Some(0),
        TypeInner::Record(fs) => fs.iter().map(|f| cost(env, &f.ty, seen)).sum(),
        TypeInner::Variant(fs) => fs.iter().filter_map(|f| cost(env, &f.ty, seen)).min(),
        _ => Some(0),
    }
}

/// True when `ty` mentions a named type (without following it): the branch to avoid
/// when a recursive value must stop.
fn mentions_var(ty: &CType) -> bool {
    match ty.as_ref() {
        TypeInner::Var(_) => true,
        TypeInner::Opt(t) | TypeInner::Vec(t) => mentions_var(t),
        TypeInner::Record(fs) | TypeInner::Variant(fs) => fs.iter().any(|f| mentions_var(&f.ty)),
        _ => false,
    }
}

fn big_uint(rng: &mut Rng) -> num_bigint_like::Big {
    num_bigint_like::Big(match rng.below(4) {
        0 => vec![rng.below(256) as u8],
        1 => rng.next_u64().to_le_bytes().to_vec(),
        // Beyond 2^128 (up to 2^320).
        _ => {
            let n = 17 + rng.below(24);
            rng.bytes(n)
        }
    })
}

/// Little-endian magnitudes, turned into `candid::Nat`/`Int` through their decimal text
/// (so the suite needs no big-integer crate of its own).
mod num_bigint_like {
    pub struct Big(pub Vec<u8>);

    impl Big {
        pub fn decimal(&self) -> String {
            let mut digits = vec![0u8]; // little-endian base 10
            for &byte in self.0.iter().rev() {
                let mut carry = byte as u32;
                for d in digits.iter_mut() {
                    let v = *d as u32 * 256 + carry;
                    *d = (v % 10) as u8;
                    carry = v / 10;
                }
                while carry > 0 {
                    digits.push((carry % 10) as u8);
                    carry /= 10;
                }
            }
            while digits.len() > 1 && *digits.last().unwrap() == 0 {
                digits.pop();
            }
            digits.iter().rev().map(|d| (b'0' + d) as char).collect()
        }
    }
}

/// `2^bits` as a `Nat`.
pub fn pow2(bits: u32) -> Nat {
    let mut bytes = vec![0u8; bits as usize / 8 + 1];
    bytes[bits as usize / 8] = 1 << (bits % 8);
    nat(num_bigint_like::Big(bytes))
}

fn nat(b: num_bigint_like::Big) -> Nat {
    b.decimal().parse().expect("decimal digits")
}

fn float64(rng: &mut Rng) -> f64 {
    match rng.below(3) {
        0 => *rng.pick(&[
            0.0,
            -0.0,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
        ]),
        1 => (rng.next_u64() as i64 as f64) / 1000.0,
        _ => f64::from_bits(rng.next_u64()),
    }
}

fn text(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "a",
        "Z",
        " ",
        "\0",
        "\n",
        "é",
        "日本",
        "😀",
        "\u{10FFFF}",
        "\u{FEFF}",
        "\"'\\",
    ];
    (0..rng.below(12)).map(|_| *rng.pick(PIECES)).collect()
}

pub fn principal(rng: &mut Rng) -> Principal {
    let len = rng.below(30);
    Principal::from_slice(&rng.bytes(len))
}

/// A random value of `ty` (resolved in `env`).
pub fn value(rng: &mut Rng, env: &TypeEnv, ty: &CType, depth: u32) -> IDLValue {
    let stop = depth >= MAX_DEPTH;
    assert!(depth < 100, "the value generator runs away at type {ty}");
    match ty.as_ref() {
        TypeInner::Var(name) => value(rng, env, env.find_type(name).expect("defined"), depth + 1),
        TypeInner::Null => IDLValue::Null,
        TypeInner::Bool => IDLValue::Bool(rng.chance(50)),
        TypeInner::Nat => IDLValue::Nat(nat(big_uint(rng))),
        TypeInner::Int => {
            let sign = if rng.chance(50) { "-" } else { "" };
            IDLValue::Int(
                format!("{sign}{}", big_uint(rng).decimal())
                    .parse::<Int>()
                    .expect("decimal digits"),
            )
        }
        TypeInner::Nat8 => IDLValue::Nat8(rng.next_u64() as u8),
        TypeInner::Nat16 => IDLValue::Nat16(rng.next_u64() as u16),
        TypeInner::Nat32 => IDLValue::Nat32(rng.next_u64() as u32),
        TypeInner::Nat64 => IDLValue::Nat64(rng.next_u64() >> rng.below(64)),
        TypeInner::Int8 => IDLValue::Int8(rng.next_u64() as i8),
        TypeInner::Int16 => IDLValue::Int16(rng.next_u64() as i16),
        TypeInner::Int32 => IDLValue::Int32(rng.next_u64() as i32),
        TypeInner::Int64 => IDLValue::Int64((rng.next_u64() as i64) >> rng.below(64)),
        TypeInner::Float32 => IDLValue::Float32(float64(rng) as f32),
        TypeInner::Float64 => IDLValue::Float64(float64(rng)),
        TypeInner::Text => IDLValue::Text(text(rng)),
        TypeInner::Reserved => IDLValue::Reserved,
        TypeInner::Principal => IDLValue::Principal(principal(rng)),
        TypeInner::Vec(t) if matches!(t.as_ref(), TypeInner::Nat8) => IDLValue::Blob({
            let n = rng.below(40);
            rng.bytes(n)
        }),
        TypeInner::Opt(t) => {
            if (stop && mentions_var(t)) || rng.chance(30) {
                IDLValue::None
            } else {
                IDLValue::Opt(Box::new(value(rng, env, t, depth + 1)))
            }
        }
        TypeInner::Vec(t) => {
            let n = if stop && mentions_var(t) {
                0
            } else {
                rng.below(5)
            };
            IDLValue::Vec((0..n).map(|_| value(rng, env, t, depth + 1)).collect())
        }
        TypeInner::Record(fields) => IDLValue::Record(
            fields
                .iter()
                .map(|f| IDLField {
                    id: (*f.id).clone(),
                    val: value(rng, env, &f.ty, depth + 1),
                })
                .collect(),
        ),
        TypeInner::Variant(fields) => {
            let i = if stop {
                // The cheapest way out, so recursion ends.
                (0..fields.len())
                    .min_by_key(|&i| cost(env, &fields[i].ty, &mut Vec::new()).unwrap_or(u32::MAX))
                    .unwrap_or(0)
            } else {
                rng.below(fields.len())
            };
            let f = &fields[i];
            let val = value(rng, env, &f.ty, depth + 1);
            IDLValue::Variant(VariantValue(
                Box::new(IDLField {
                    id: (*f.id).clone(),
                    val,
                }),
                i as u64,
            ))
        }
        TypeInner::Func(_) => IDLValue::Func(
            principal(rng),
            rng.pick(&["m0", "m1", "go", "éé", ""]).to_string(),
        ),
        TypeInner::Service(_) => IDLValue::Service(principal(rng)),
        other => panic!("the generator has no values of type {other}"),
    }
}

/// Encodes one argument of type `ty`.
pub fn encode(env: &TypeEnv, ty: &CType, v: &IDLValue) -> Vec<u8> {
    IDLArgs::new(std::slice::from_ref(v))
        .to_bytes_with_types(env, std::slice::from_ref(ty))
        .unwrap_or_else(|e| {
            panic!(
                "the generated value {} does not encode as {ty}: {e}",
                short(v)
            )
        })
}

/// Decodes one result of type `ty` with the reference decoder.
pub fn decode(env: &TypeEnv, ty: &CType, bytes: &[u8]) -> Result<IDLValue, String> {
    IDLArgs::from_bytes_with_types(bytes, env, std::slice::from_ref(ty))
        .map(|mut a| a.args.remove(0))
        .map_err(|e| e.to_string())
}
