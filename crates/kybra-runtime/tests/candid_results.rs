//! Python results are encoded with the method's declared result type: values of the
//! wrong shape trap with `Uncaught TypeError: method ... returned ...: result.path:
//! expected T, got U` (so the update's state changes roll back), and the accepted
//! Python forms (bytes/bytearray/list of ints for a blob, tuple for a vec, omitted opt
//! keys, anything for reserved, a Principal or Service for a service) reply correctly.
mod common;

use candid::Encode;
use common::{named_method, Canister, Harness, Values, SHAPE};
use kybra_interface::{Field, FuncMode, FuncType, MethodKind, Type, TypeDef};
use kybra_replica::RejectCode;

const SOURCE: &str = r#"
from kybra import Principal
from helpers import Svc

state = 0

VALUES = {
    "two_tags": {"Tag1": None, "Tag2": None},
    "unknown_tag": {"Tag9": None},
    "str_for_nat": "5",
    "missing_field": {"name": "x"},
    "extra_key": {"name": "x", "age": 1, "agee": 2},
    "nat8_300": 300,
    "negative_nat": -1,
    "bool_for_int": True,
    "deep": {"posts": [{"title": "a"}, {"title": "b"}, {"title": 3}]},
    "empty": None,
    "str_for_blob": "abc",
    "short_tuple": ("a",),
    "str_for_principal": "aaaaa-aa",
    "float32_overflow": 1e300,
    "list_for_record": [1, 2],
    "bad_func": (Principal.from_str("aaaaa-aa"), 5),
    "reserved_object": object(),
    "blob_from_list": [1, 2, 255],
    "blob_from_bytearray": bytearray(b"ab"),
    "vec_from_tuple": ("a", "b"),
    "opt_keys_left_out": {"name": "x"},
    "service_from_principal": Principal.from_str("aaaaa-aa"),
    "service_from_instance": Svc(Principal.from_str("aaaaa-aa")),
    "func_from_list": [Principal.from_str("aaaaa-aa"), "go"],
    "int_for_float": 3,
    "huge_nat": 2**200,
    "huge_negative_int": -(2**200),
}


def give(kind):
    global state
    state += 1
    return VALUES[kind]


def get_state():
    return state
"#;

fn boxed(t: Type) -> Box<Type> {
    Box::new(t)
}

fn rec(fields: &[(&str, Type)]) -> Type {
    Type::Record(
        fields
            .iter()
            .map(|(n, t)| Field::new(*n, t.clone()))
            .collect(),
    )
}

/// What a case expects: the reply as Candid text, or parts of the trap message.
type Expect = Result<&'static str, Vec<&'static str>>;

/// (kind, declared result type, expectation)
fn cases() -> Vec<(&'static str, Type, Expect)> {
    let tags = Type::Variant(vec![
        Field::new("Tag1", Type::Null),
        Field::new("Tag2", Type::Null),
    ]);
    let person = rec(&[("name", Type::Text), ("age", Type::Nat8)]);
    let user = rec(&[("posts", Type::Vec(boxed(rec(&[("title", Type::Text)]))))]);
    let svc = Type::Service(vec![]);
    let func = Type::Func(Box::new(FuncType {
        mode: FuncMode::Query,
        args: vec![],
        returns: vec![],
    }));
    vec![
        ("two_tags", tags.clone(), Err(vec!["result: expected variant { Tag1; Tag2; }, got dict of 2 items (expected a dict with exactly one key)"])),
        ("unknown_tag", tags, Err(vec!["result: expected variant", "'Tag9' is not one of its cases"])),
        ("str_for_nat", Type::Nat, Err(vec!["result: expected nat, got str '5'"])),
        ("missing_field", person.clone(), Err(vec!["result: expected record", "the key \"age\" is missing"])),
        ("extra_key", person.clone(), Ok("(record { age = 1 : nat8; name = \"x\" })")),
        ("nat8_300", Type::Nat8, Err(vec!["result: expected nat8, got int 300 (out of range)"])),
        ("negative_nat", Type::Nat, Err(vec!["result: expected nat, got int -1 (negative)"])),
        ("bool_for_int", Type::Int, Err(vec!["result: expected int, got bool True"])),
        ("deep", user, Err(vec!["result.posts[2].title: expected text, got int 3"])),
        ("empty", Type::Empty, Err(vec!["result: expected empty, got NoneType None"])),
        ("str_for_blob", Type::Blob, Err(vec!["result: expected blob, got str 'abc' (expected bytes)"])),
        ("short_tuple", Type::Tuple(vec![Type::Text, Type::Nat]), Err(vec!["result: expected record { 0 : text; 1 : nat; }", "(expected 2 items)"])),
        ("str_for_principal", Type::Principal, Err(vec!["result: expected principal, got str 'aaaaa-aa' (expected a kybra.Principal)"])),
        ("float32_overflow", Type::Float32, Err(vec!["result: expected float32, got float 1e+300 (out of range)"])),
        ("list_for_record", person.clone(), Err(vec!["got list of 2 items (expected a dict)"])),
        ("bad_func", func.clone(), Err(vec!["result[1]: expected text, got int 5"])),
        ("reserved_object", Type::Reserved, Ok("(null : reserved)")),
        ("blob_from_list", Type::Blob, Ok(r#"(blob "\01\02\ff")"#)),
        ("blob_from_bytearray", Type::Blob, Ok(r#"(blob "ab")"#)),
        ("vec_from_tuple", Type::Vec(boxed(Type::Text)), Ok(r#"(vec { "a"; "b" })"#)),
        ("opt_keys_left_out", rec(&[("name", Type::Text), ("nick", Type::Opt(boxed(Type::Text)))]), Ok(r#"(record { name = "x"; nick = null })"#)),
        ("service_from_principal", svc.clone(), Ok(r#"(service "aaaaa-aa")"#)),
        ("service_from_instance", svc, Ok(r#"(service "aaaaa-aa")"#)),
        ("func_from_list", func, Ok(r#"(func "aaaaa-aa".go)"#)),
        ("int_for_float", Type::Float64, Ok("(3.0)")),
        ("huge_nat", Type::Nat, Ok("(1606938044258990275541962092341162602522202993782792835301376)")),
        ("huge_negative_int", Type::Int, Ok("(-1606938044258990275541962092341162602522202993782792835301376)")),
    ]
}

fn state(c: &Canister) -> u64 {
    candid::decode_one(&c.query("get_state", &Encode!().unwrap()).unwrap()).unwrap()
}

#[test]
fn wrong_results_trap_with_their_path_and_roll_back() {
    let Some(h) = Harness::new() else { return };
    let cases = cases();
    let mut methods: Vec<_> = cases
        .iter()
        .map(|(kind, ty, _)| {
            named_method(
                &format!("r_{kind}"),
                "give",
                MethodKind::Update,
                &[("kind", Type::Text)],
                Some(ty.clone()),
            )
        })
        .collect();
    methods.push(named_method(
        "get_state",
        "get_state",
        MethodKind::Query,
        &[],
        Some(Type::Nat64),
    ));
    let types: Vec<TypeDef> = Vec::new();
    let c = h.deploy_with(
        &[("main", SOURCE), ("helpers", SHAPE)],
        methods,
        types.clone(),
    );
    let v = Values::new(&types);
    let mut failures = Vec::new();
    for (kind, ty, expect) in &cases {
        let before = state(&c);
        let method = format!("r_{kind}");
        let got = c.update(&method, &Encode!(kind).unwrap());
        match (got, expect) {
            (Ok(reply), Ok(text)) => {
                let tys = [ty.clone()];
                match v.decode(&reply, &tys) {
                    Ok(back) if back == v.parse(text, &tys) => {}
                    Ok(back) => failures.push(format!("{method}: replied {back}, expected {text}")),
                    Err(e) => failures.push(format!("{method}: the reply does not decode: {e}")),
                }
                if state(&c) != before + 1 {
                    failures.push(format!("{method}: the successful update was not kept"));
                }
            }
            (Err(r), Err(parts)) => {
                let prefix = format!("Uncaught TypeError: method `{method}` returned a value that is not its declared type: ");
                if r.code != RejectCode::CanisterError
                    || !r.message.contains(&prefix)
                    || !parts.iter().all(|p| r.message.contains(p))
                {
                    failures.push(format!("{method}: trapped with {:?} ({:?}), expected {prefix}… containing {parts:?}", r.message, r.code));
                }
                if state(&c) != before {
                    failures.push(format!("{method}: the trapped update changed the state"));
                }
            }
            (got, expect) => failures.push(format!(
                "{method}: got {:?}, expected {expect:?}",
                got.map_err(|r| r.message)
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
