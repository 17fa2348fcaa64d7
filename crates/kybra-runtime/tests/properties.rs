//! Property tests of the runtime's Candid ⇄ Python conversion, against the `candid` crate
//! as the reference: random types (every primitive, opt, vec, record, variant, tuple,
//! principal, named and recursive types, func and service references, Python-keyword
//! fields), one canister with an echo method per type (`def echo_N(x): return x`, as a
//! query and as an update), random values encoded with the reference encoder, and the
//! reply decoded with the reference decoder must equal what was sent. Then the edges:
//! numbers beyond 2^128, a 100,000-item vec, the largest blob an ingress message can carry,
//! a 10 MB blob inside the canister, deep nesting.
//!
//! A fixed seed per run (printed; `KYBRA_TEST_SEED=N` repeats or varies it). Every
//! failure is reported with its type, value and what happened, all at once.
mod common;
mod gen;

use candid::types::value::{IDLField, IDLValue};
use candid::types::{Label, Type as CType, TypeEnv};
use candid::{Decode, Encode};
use common::{method, Canister, Harness};
use gen::{Kinds, Rng, TypeGen};
use kybra_interface::{
    Field, FuncMode, FuncType, Method, MethodKind, Param, ServiceMethod, Type, TypeDef,
};
use kybra_replica::MAX_MESSAGE_BYTES;

/// An echo method `NAME` calling the Python function `function`.
fn echo(name: String, function: &str, kind: MethodKind, ty: &Type) -> Method {
    Method {
        name,
        module: "main".into(),
        function: function.into(),
        kind,
        params: vec![Param {
            name: "x".into(),
            ty: ty.clone(),
        }],
        returns: vec![ty.clone()],
        guard: None,
        manual_reply: false,
    }
}

/// The type with the definitions it refers to, for a failure report.
fn describe(defs: &[TypeDef], ty: &Type) -> String {
    fn names(ty: &Type, out: &mut Vec<String>, defs: &[TypeDef]) {
        match ty {
            Type::Named(n) if !out.contains(n) => {
                out.push(n.clone());
                if let Some(d) = defs.iter().find(|d| &d.name == n) {
                    names(&d.ty, out, defs);
                }
            }
            Type::Opt(t) | Type::Vec(t) => names(t, out, defs),
            Type::Record(fs) | Type::Variant(fs) => fs.iter().for_each(|f| names(&f.ty, out, defs)),
            Type::Tuple(ts) => ts.iter().for_each(|t| names(t, out, defs)),
            _ => {}
        }
    }
    let mut used = Vec::new();
    names(ty, &mut used, defs);
    let mut out = ty.to_candid().to_string();
    for d in defs.iter().filter(|d| used.contains(&d.name)) {
        out.push_str(&format!("; type {} = {}", d.name, d.ty.to_candid()));
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One echo canister over `types`: `q{i}` (query) and `u{i}` (update) echo type `i`.
fn echo_canister(h: &Harness, types: &[Type], defs: Vec<TypeDef>) -> Canister {
    // Principals are `kybra.Principal`s: the package is there as in any real canister.
    let mut source = String::from("from kybra import Principal  # noqa: F401\n");
    let mut methods = Vec::new();
    for (i, ty) in types.iter().enumerate() {
        source.push_str(&format!("def echo_{i}(x):\n    return x\n"));
        methods.push(echo(
            format!("q{i}"),
            &format!("echo_{i}"),
            MethodKind::Query,
            ty,
        ));
        methods.push(echo(
            format!("u{i}"),
            &format!("echo_{i}"),
            MethodKind::Update,
            ty,
        ));
    }
    h.deploy(&source, methods, defs)
}

/// Sends `v` of type `ty` to `method` and checks that the reply decodes to `v`.
fn round_trip(
    c: &Canister,
    method: &str,
    env: &TypeEnv,
    ty: &CType,
    v: &IDLValue,
) -> Result<(), String> {
    let arg = gen::encode(env, ty, v);
    let reply = if method.starts_with('q') {
        c.query(method, &arg)
    } else {
        c.update(method, &arg)
    };
    let reply = reply.map_err(|r| format!("rejected: {r}"))?;
    let back = gen::decode(env, ty, &reply)
        .map_err(|e| format!("the reply does not decode as {ty}: {e}"))?;
    gen::same(v, &back).map_err(|e| format!("the reply differs: {e}"))
}

/// Echoes `values_per_type` random values of every type through query and update;
/// returns the failures (first per method) with a reproduction.
fn check_types(
    h: &Harness,
    gen: &TypeGen,
    types: &[Type],
    rng: &mut Rng,
    values_per_type: usize,
) -> Vec<String> {
    let c = echo_canister(h, types, gen.defs.clone());
    let env = gen.env();
    let mut failures = Vec::new();
    for (i, ty) in types.iter().enumerate() {
        let cty = ty.to_candid();
        for kind in ["q", "u"] {
            let name = format!("{kind}{i}");
            let mut failed = 0;
            let mut first = None;
            for _ in 0..values_per_type {
                let v = gen::value(rng, &env, &cty, 0);
                if let Err(e) = round_trip(&c, &name, &env, &cty, &v) {
                    failed += 1;
                    first.get_or_insert(format!(
                        "{name}: type {}\n    value {}\n    {e}",
                        describe(&gen.defs, ty),
                        gen::short(&v)
                    ));
                }
            }
            if let Some(f) = first {
                failures.push(format!(
                    "{f}\n    ({failed} of {values_per_type} values failed)"
                ));
            }
        }
    }
    failures
}

fn report(suite: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{suite}: {} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn random_types_round_trip() {
    let Some(h) = Harness::new() else { return };
    let mut rng = Rng::new(gen::seed("random_types_round_trip", 0x006b_7962_7261));
    let mut g = TypeGen::new(Kinds {
        references: false,
        python_keys: true,
    });
    let types: Vec<Type> = (0..48).map(|_| g.gen(&mut rng, 4)).collect();
    report(
        "random_types_round_trip",
        &check_types(&h, &g, &types, &mut rng, 8),
    );
}

/// `func` and `service` references, alone and inside other types.
#[test]
fn references_round_trip() {
    let Some(h) = Harness::new() else { return };
    let mut rng = Rng::new(gen::seed("references_round_trip", 0x0072_6566));
    let mut g = TypeGen::new(Kinds {
        references: true,
        python_keys: false,
    });
    let query = FuncType {
        mode: FuncMode::Query,
        args: vec![Type::Text],
        returns: vec![Type::Nat],
    };
    let oneway = FuncType {
        mode: FuncMode::Oneway,
        args: vec![],
        returns: vec![],
    };
    let mut types = vec![
        Type::Func(Box::new(query.clone())),
        Type::Func(Box::new(oneway)),
        Type::Service(vec![]),
        Type::Service(vec![ServiceMethod {
            name: "get".into(),
            func: query.clone(),
        }]),
        Type::Vec(Box::new(Type::Opt(Box::new(Type::Func(Box::new(query)))))),
    ];
    types.extend((0..12).map(|_| g.gen(&mut rng, 3)));
    report(
        "references_round_trip",
        &check_types(&h, &g, &types, &mut rng, 6),
    );
}

/// A field whose label is a Python keyword is the dict key `label_` in Python.
#[test]
fn python_keyword_fields_use_their_python_key() {
    let Some(h) = Harness::new() else { return };
    let kw = |name: &str, ty: Type| Field {
        name: name.into(),
        ty,
        python_name: Some(format!("{name}_")),
    };
    let rec = Type::Record(vec![
        kw("class", Type::Text),
        kw("from", Type::Nat8),
        Field::new("plain", Type::Bool),
    ]);
    let var = Type::Variant(vec![kw("None", Type::Null), kw("lambda", Type::Text)]);
    let source = "def keys(r, v):\n    return sorted(r.keys()) + sorted(v.keys())\n\
                  def make():\n    return {'class_': 'c', 'from_': 7, 'plain': True}\n";
    let texts = Type::Vec(Box::new(Type::Text));
    let c = h.deploy(
        source,
        vec![
            method(
                "keys",
                MethodKind::Query,
                &[rec.clone(), var.clone()],
                Some(texts),
            ),
            method("make", MethodKind::Query, &[], Some(rec.clone())),
        ],
        vec![],
    );
    let env = TypeEnv::new();
    let r = IDLValue::Record(vec![
        IDLField {
            id: Label::Named("class".into()),
            val: IDLValue::Text("c".into()),
        },
        IDLField {
            id: Label::Named("from".into()),
            val: IDLValue::Nat8(7),
        },
        IDLField {
            id: Label::Named("plain".into()),
            val: IDLValue::Bool(true),
        },
    ]);
    let v = IDLValue::Variant(candid::types::value::VariantValue(
        Box::new(IDLField {
            id: Label::Named("lambda".into()),
            val: IDLValue::Text("x".into()),
        }),
        0,
    ));
    let arg = candid::types::value::IDLArgs::new(&[r.clone(), v])
        .to_bytes_with_types(&env, &[rec.to_candid(), var.to_candid()])
        .unwrap();
    let mut failures = Vec::new();
    match c.query("keys", &arg) {
        Ok(out) => {
            let keys = Decode!(&out, Vec<String>).unwrap();
            if keys != ["class_", "from_", "plain", "lambda_"] {
                failures.push(format!("keys(record {{class; from; plain}}, variant {{lambda}}): Python saw the keys {keys:?}, expected [class_, from_, plain, lambda_]"));
            }
        }
        Err(e) => failures.push(format!("keys: rejected: {e}")),
    }
    match c.query("make", &Encode!().unwrap()) {
        Ok(out) => match gen::decode(&env, &rec.to_candid(), &out) {
            Ok(back) => {
                if let Err(e) = gen::same(&r, &back) {
                    failures.push(format!(
                        "make() returning {{'class_': 'c', 'from_': 7, 'plain': True}}: {e}"
                    ));
                }
            }
            Err(e) => failures.push(format!("make(): the reply does not decode: {e}")),
        },
        Err(e) => failures.push(format!(
            "make() returning {{'class_': 'c', 'from_': 7, 'plain': True}}: {e}"
        )),
    }
    report("python_keyword_fields_use_their_python_key", &failures);
}

#[path = "properties/edges.rs"]
mod edges;
