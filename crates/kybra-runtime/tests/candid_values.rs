//! Every Candid type round-trips through the runtime: the `candid` crate encodes a value,
//! the canister's Python function receives it (its Python shape is checked: `str`,
//! `bytes`, `int`, `dict` keyed by Python names, `tuple`, `Principal`, the `Service`
//! class, ...) and returns it, and the reply decodes to the same value.
mod common;

use common::{named_method, text_reply, Harness, Values, SHAPE};
use kybra_interface::{
    Field, FuncMode, FuncType, Method, MethodKind, PyClass, ServiceMethod, Type, TypeDef,
};

const SOURCE: &str = r#"
import kybra
from kybra import Principal
from helpers import shape, Svc


def echo(x):
    return x
"#;

fn named(name: &str) -> Type {
    Type::Named(name.into())
}

fn boxed(t: Type) -> Box<Type> {
    Box::new(t)
}

fn types() -> Vec<TypeDef> {
    let def = |name: &str, ty: Type| TypeDef {
        name: name.into(),
        ty,
        class: None,
    };
    vec![
        def(
            "User",
            Type::Record(vec![
                Field::new("name", Type::Text),
                Field {
                    name: "class".into(),
                    ty: Type::Text,
                    python_name: Some("class_".into()),
                },
                Field::new("age", Type::Nat8),
                Field::new("tags", Type::Vec(boxed(Type::Text))),
                Field::new("nick", Type::Opt(boxed(Type::Text))),
            ]),
        ),
        def(
            "Status",
            Type::Variant(vec![
                Field::new("Active", Type::Null),
                Field::new("Banned", Type::Text),
                Field::new("Score", Type::Nat64),
                Field {
                    name: "def".into(),
                    ty: Type::Null,
                    python_name: Some("def_".into()),
                },
            ]),
        ),
        def(
            "Tree",
            Type::Record(vec![
                Field::new("value", Type::Nat),
                Field::new("children", Type::Vec(boxed(named("Tree")))),
            ]),
        ),
        def(
            "A",
            Type::Record(vec![
                Field::new("n", Type::Nat8),
                Field::new("next", Type::Opt(boxed(named("B")))),
            ]),
        ),
        def(
            "B",
            Type::Variant(vec![
                Field::new("End", Type::Null),
                Field::new("More", named("A")),
            ]),
        ),
        def("Key", Type::Nat8),
        def("KeyAlias", named("Key")),
        def(
            "Callback",
            Type::Func(Box::new(FuncType {
                mode: FuncMode::Query,
                args: vec![Type::Text],
                returns: vec![Type::Nat],
            })),
        ),
        TypeDef {
            name: "Svc".into(),
            ty: Type::Service(vec![ServiceMethod {
                name: "get".into(),
                func: FuncType {
                    mode: FuncMode::Query,
                    args: vec![],
                    returns: vec![Type::Text],
                },
            }]),
            class: Some(PyClass {
                module: "helpers".into(),
                name: "Svc".into(),
            }),
        },
    ]
}

/// (method suffix, type, Candid text of a value, its expected Python shape)
fn cases() -> Vec<(&'static str, Type, &'static str, &'static str)> {
    vec![
        ("text", Type::Text, r#"("hello ✓")"#, "str:'hello ✓'"),
        ("text_empty", Type::Text, r#"("")"#, "str:''"),
        ("blob", Type::Blob, r#"(blob "\00\01ab")"#, "bytes:b'\\x00\\x01ab'"),
        ("vec_nat8", Type::Vec(boxed(Type::Nat8)), "(vec { 1; 2; 255 })", "bytes:b'\\x01\\x02\\xff'"),
        ("nat", Type::Nat, "(340_282_366_920_938_463_463_374_607_431_768_211_455)", "int:340282366920938463463374607431768211455"),
        ("nat_huge", Type::Nat, "(1606938044258990275541962092341162602522202993782792835301376)", "int:1606938044258990275541962092341162602522202993782792835301376"),
        ("nat_small", Type::Nat, "(127)", "int:127"),
        ("nat_64bit", Type::Nat, "(18_446_744_073_709_551_616)", "int:18446744073709551616"),
        ("nat64", Type::Nat64, "(18_446_744_073_709_551_615)", "int:18446744073709551615"),
        ("nat32", Type::Nat32, "(4_294_967_295)", "int:4294967295"),
        ("nat16", Type::Nat16, "(65_535)", "int:65535"),
        ("nat8", Type::Nat8, "(255)", "int:255"),
        ("int", Type::Int, "(-170_141_183_460_469_231_731_687_303_715_884_105_728)", "int:-170141183460469231731687303715884105728"),
        ("int_huge", Type::Int, "(-1606938044258990275541962092341162602522202993782792835301376)", "int:-1606938044258990275541962092341162602522202993782792835301376"),
        ("int_pos", Type::Int, "(170_141_183_460_469_231_731_687_303_715_884_105_727)", "int:170141183460469231731687303715884105727"),
        ("int_minus_64", Type::Int, "(-64)", "int:-64"),
        ("int_minus_65", Type::Int, "(-65)", "int:-65"),
        ("int_64", Type::Int, "(64)", "int:64"),
        ("int64", Type::Int64, "(-9_223_372_036_854_775_808)", "int:-9223372036854775808"),
        ("int32", Type::Int32, "(-2_147_483_648)", "int:-2147483648"),
        ("int16", Type::Int16, "(-32_768)", "int:-32768"),
        ("int8", Type::Int8, "(-128)", "int:-128"),
        ("float64", Type::Float64, "(3.141592653589793)", "float:3.141592653589793"),
        ("float32", Type::Float32, "(0.5)", "float:0.5"),
        ("bool", Type::Bool, "(true)", "bool:True"),
        ("null", Type::Null, "(null)", "None"),
        ("opt_some", Type::Opt(boxed(Type::Nat)), "(opt 5)", "int:5"),
        ("opt_none", Type::Opt(boxed(Type::Nat)), "(null)", "None"),
        ("vec_text", Type::Vec(boxed(Type::Text)), r#"(vec { "a"; "b" })"#, "[str:'a', str:'b']"),
        ("vec_vec", Type::Vec(boxed(Type::Vec(boxed(Type::Nat16)))), "(vec { vec { 1 }; vec {} })", "[[int:1], []]"),
        (
            "record",
            named("User"),
            r#"(record { name = "Ann"; class = "wizard"; age = 35; tags = vec { "x" }; nick = null })"#,
            "{age: int:35, class_: str:'wizard', name: str:'Ann', nick: None, tags: [str:'x']}",
        ),
        ("variant_null", named("Status"), "(variant { Active })", "{Active: None}"),
        ("variant_text", named("Status"), r#"(variant { Banned = "spam" })"#, "{Banned: str:'spam'}"),
        ("variant_keyword", named("Status"), "(variant { def })", "{def_: None}"),
        ("tuple", Type::Tuple(vec![Type::Text, Type::Nat8]), r#"(record { "a"; 5 })"#, "(str:'a', int:5)"),
        ("record_empty", Type::Record(vec![]), "(record {})", "{}"),
        ("principal", Type::Principal, r#"(principal "rrkah-fqaaa-aaaaa-aaaaq-cai")"#, "Principal.from_str('rrkah-fqaaa-aaaaa-aaaaq-cai')"),
        ("principal_mgmt", Type::Principal, r#"(principal "aaaaa-aa")"#, "Principal.from_str('aaaaa-aa')"),
        (
            "func",
            named("Callback"),
            r#"(func "rrkah-fqaaa-aaaaa-aaaaq-cai".notify)"#,
            "(Principal.from_str('rrkah-fqaaa-aaaaa-aaaaq-cai'), str:'notify')",
        ),
        ("service", named("Svc"), r#"(service "ryjl3-tyaaa-aaaaa-aaaba-cai")"#, "Svc(ryjl3-tyaaa-aaaaa-aaaba-cai)"),
        (
            "tree",
            named("Tree"),
            "(record { value = 1; children = vec { record { value = 2; children = vec {} }; record { value = 3; children = vec {} } } })",
            "{children: [{children: [], value: int:2}, {children: [], value: int:3}], value: int:1}",
        ),
        (
            "mutual",
            named("A"),
            "(record { n = 1; next = opt variant { More = record { n = 2; next = opt variant { End } } } })",
            "{n: int:1, next: {More: {n: int:2, next: {End: None}}}}",
        ),
        ("alias", named("KeyAlias"), "(7)", "int:7"),
        (
            "nested",
            Type::Vec(boxed(Type::Opt(boxed(Type::Record(vec![Field::new("x", Type::Int32)]))))),
            "(vec { opt record { x = -1 }; null })",
            "[{x: int:-1}, None]",
        ),
    ]
}

fn methods(cases: &[(&str, Type, &str, &str)]) -> Vec<Method> {
    let mut out = Vec::new();
    for (name, ty, _, _) in cases {
        out.push(named_method(
            &format!("echo_{name}"),
            "echo",
            MethodKind::Query,
            &[("x", ty.clone())],
            Some(ty.clone()),
        ));
        out.push(named_method(
            &format!("shape_{name}"),
            "shape",
            MethodKind::Query,
            &[("x", ty.clone())],
            Some(Type::Text),
        ));
    }
    out
}

#[test]
fn every_type_round_trips_with_its_python_shape() {
    let Some(h) = Harness::new() else { return };
    let cases = cases();
    let types = types();
    let c = h.deploy_with(
        &[("main", SOURCE), ("helpers", SHAPE)],
        methods(&cases),
        types.clone(),
    );
    let v = Values::new(&types);
    let mut failures = Vec::new();
    for (name, ty, text, shape) in &cases {
        let tys = [ty.clone()];
        let arg = v.encode(text, &tys);
        match c.query(&format!("echo_{name}"), &arg) {
            Ok(reply) => match v.decode(&reply, &tys) {
                Ok(back) if back == v.parse(text, &tys) => {}
                Ok(back) => failures.push(format!("echo_{name}: sent {text}, got back {back}")),
                Err(e) => failures.push(format!("echo_{name}: the reply does not decode: {e}")),
            },
            Err(r) => failures.push(format!("echo_{name}: {r:?}")),
        }
        match c.query(&format!("shape_{name}"), &arg) {
            Ok(reply) => {
                let got = text_reply(&reply);
                if got != *shape {
                    failures.push(format!("shape_{name}: Python saw {got}, expected {shape}"));
                }
            }
            Err(r) => failures.push(format!("shape_{name}: {r:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len() * 2,
        failures.join("\n")
    );
}
