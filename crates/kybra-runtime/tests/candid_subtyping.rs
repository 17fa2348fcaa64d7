//! Arguments are decoded with Candid subtyping and its coercions (the specification's
//! "Coercion" rules): each case sends a value of a wire type different from the declared
//! one and checks what the Python function received (or that the call was rejected).
mod common;

use common::{named_method, text_reply, Harness, Values, SHAPE};
use kybra_interface::{
    Field, FuncMode, FuncType, Method, MethodKind, ServiceMethod, Type, TypeDef,
};

const SOURCE: &str = r#"
from helpers import shape


def shape_all(*args):
    return " | ".join(shape(a) for a in args)
"#;

fn boxed(t: Type) -> Box<Type> {
    Box::new(t)
}

fn opt(t: Type) -> Type {
    Type::Opt(boxed(t))
}

fn rec(fields: &[(&str, Type)]) -> Type {
    Type::Record(
        fields
            .iter()
            .map(|(n, t)| Field::new(*n, t.clone()))
            .collect(),
    )
}

fn var(fields: &[(&str, Type)]) -> Type {
    Type::Variant(
        fields
            .iter()
            .map(|(n, t)| Field::new(*n, t.clone()))
            .collect(),
    )
}

fn func(mode: FuncMode, args: Vec<Type>, returns: Vec<Type>) -> Type {
    Type::Func(Box::new(FuncType {
        mode,
        args,
        returns,
    }))
}

fn service(methods: &[(&str, Type)]) -> Type {
    Type::Service(
        methods
            .iter()
            .map(|(n, t)| {
                let Type::Func(f) = t else {
                    panic!("not a func")
                };
                ServiceMethod {
                    name: (*n).into(),
                    func: (**f).clone(),
                }
            })
            .collect(),
    )
}

struct Case {
    /// The method's declared parameter types.
    declared: Vec<Type>,
    /// The types the value is sent as.
    sent: Vec<Type>,
    value: &'static str,
    /// What Python received (`shape_all` of the arguments), or `Err(part of the reject)`.
    expect: Result<&'static str, &'static str>,
}

fn case(
    declared: Type,
    sent: Type,
    value: &'static str,
    expect: Result<&'static str, &'static str>,
) -> Case {
    Case {
        declared: vec![declared],
        sent: vec![sent],
        value,
        expect,
    }
}

fn cases() -> Vec<Case> {
    let full = rec(&[
        ("name", Type::Text),
        ("age", Type::Nat8),
        ("extra", Type::Vec(boxed(Type::Text))),
    ]);
    let q = |args: Vec<Type>, rets: Vec<Type>| func(FuncMode::Query, args, rets);
    vec![
        // Records: extra fields are ignored, missing opt / null / reserved fields are None.
        case(
            rec(&[("name", Type::Text)]),
            full.clone(),
            r#"(record { name = "a"; age = 1; extra = vec { "x" } })"#,
            Ok("{name: str:'a'}"),
        ),
        case(
            rec(&[
                ("name", Type::Text),
                ("nick", opt(Type::Text)),
                ("n", Type::Null),
                ("r", Type::Reserved),
            ]),
            rec(&[("name", Type::Text)]),
            r#"(record { name = "a" })"#,
            Ok("{n: None, name: str:'a', nick: None, r: None}"),
        ),
        case(
            rec(&[("name", Type::Text), ("age", Type::Nat8)]),
            rec(&[("name", Type::Text)]),
            r#"(record { name = "a" })"#,
            Err("the required field `age` is missing"),
        ),
        // reserved takes anything.
        case(Type::Reserved, Type::Nat, "(5)", Ok("None")),
        case(
            Type::Reserved,
            full.clone(),
            r#"(record { name = "a"; age = 1; extra = vec {} })"#,
            Ok("None"),
        ),
        // nat <: int, also inside vectors; not the other way round.
        case(Type::Int, Type::Nat, "(5)", Ok("int:5")),
        case(
            Type::Vec(boxed(Type::Int)),
            Type::Vec(boxed(Type::Nat)),
            "(vec { 1; 2 })",
            Ok("[int:1, int:2]"),
        ),
        case(Type::Nat, Type::Int, "(5)", Err("expected nat, got int")),
        // opt: null, a matching opt, a non-opt value, and values that do not fit (-> None).
        case(opt(Type::Nat), Type::Null, "(null)", Ok("None")),
        case(opt(Type::Nat), opt(Type::Nat), "(opt 7)", Ok("int:7")),
        case(opt(Type::Nat), Type::Nat, "(7)", Ok("int:7")),
        case(opt(Type::Int), opt(Type::Nat), "(opt 7)", Ok("int:7")),
        case(opt(Type::Nat), opt(Type::Text), r#"(opt "x")"#, Ok("None")),
        case(opt(Type::Nat), Type::Text, r#"("x")"#, Ok("None")),
        case(opt(opt(Type::Nat)), Type::Nat, "(7)", Ok("None")),
        case(opt(Type::Nat), Type::Reserved, "(null)", Ok("None")),
        case(
            rec(&[("a", opt(Type::Nat))]),
            rec(&[("a", Type::Text)]),
            r#"(record { a = "not a nat" })"#,
            Ok("{a: None}"),
        ),
        // Variants: fewer cases on the wire is fine, more is not.
        case(
            var(&[("A", Type::Null), ("B", Type::Text), ("C", Type::Nat)]),
            var(&[("B", Type::Text)]),
            r#"(variant { B = "b" })"#,
            Ok("{B: str:'b'}"),
        ),
        case(
            var(&[("A", Type::Null)]),
            var(&[("A", Type::Null), ("B", Type::Null)]),
            "(variant { A })",
            Err("is not one of its cases"),
        ),
        case(
            var(&[("A", Type::Int)]),
            var(&[("A", Type::Nat)]),
            "(variant { A = 3 })",
            Ok("{A: int:3}"),
        ),
        // Functions: same mode, arguments contravariant, results covariant.
        case(
            q(vec![Type::Nat], vec![Type::Int]),
            q(vec![Type::Int], vec![Type::Nat]),
            r#"(func "aaaaa-aa".f)"#,
            Ok("(Principal.from_str('aaaaa-aa'), str:'f')"),
        ),
        case(
            q(vec![Type::Int], vec![]),
            q(vec![Type::Nat], vec![]),
            r#"(func "aaaaa-aa".f)"#,
            Err("expected func (int) -> () query, got func (nat) -> () query"),
        ),
        case(
            q(vec![], vec![]),
            func(FuncMode::Update, vec![], vec![]),
            r#"(func "aaaaa-aa".f)"#,
            Err("got func () -> ()"),
        ),
        case(
            q(vec![Type::Nat], vec![]),
            q(vec![Type::Nat, opt(Type::Text)], vec![]),
            r#"(func "aaaaa-aa".f)"#,
            Ok("(Principal.from_str('aaaaa-aa'), str:'f')"),
        ),
        // Services: the wire may offer more methods, not fewer.
        case(
            service(&[("get", q(vec![], vec![Type::Text]))]),
            service(&[
                ("get", q(vec![], vec![Type::Text])),
                ("put", func(FuncMode::Update, vec![Type::Text], vec![])),
            ]),
            r#"(service "aaaaa-aa")"#,
            // A service type without a class of its own: a `kybra.Service` once the package
            // has one, a Principal before.
            Ok("Principal.from_str('aaaaa-aa')||Service(aaaaa-aa)"),
        ),
        case(
            service(&[("get", q(vec![], vec![Type::Text]))]),
            service(&[]),
            r#"(service "aaaaa-aa")"#,
            Err("expected service"),
        ),
        // empty has no values.
        case(
            Type::Empty,
            Type::Null,
            "(null)",
            Err("expected empty, got null"),
        ),
        // Missing trailing arguments of opt / null / reserved type are None; others are not.
        Case {
            declared: vec![Type::Text, opt(Type::Nat), Type::Null],
            sent: vec![Type::Text],
            value: r#"("a")"#,
            expect: Ok("str:'a' | None | None"),
        },
        Case {
            declared: vec![Type::Text, Type::Nat],
            sent: vec![Type::Text],
            value: r#"("a")"#,
            expect: Err("expected 2 arguments, the message has 1"),
        },
        // Extra arguments are ignored.
        Case {
            declared: vec![Type::Text],
            sent: vec![Type::Text, Type::Nat, full],
            value: r#"("a", 1, record { name = "b"; age = 2; extra = vec {} })"#,
            expect: Ok("str:'a'"),
        },
    ]
}

#[test]
fn arguments_follow_candid_subtyping() {
    let Some(h) = Harness::new() else { return };
    let cases = cases();
    let methods: Vec<Method> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let params: Vec<(String, Type)> = c
                .declared
                .iter()
                .enumerate()
                .map(|(k, t)| (format!("p{k}"), t.clone()))
                .collect();
            let params: Vec<(&str, Type)> = params
                .iter()
                .map(|(n, t)| (n.as_str(), t.clone()))
                .collect();
            named_method(
                &format!("m{i}"),
                "shape_all",
                MethodKind::Query,
                &params,
                Some(Type::Text),
            )
        })
        .collect();
    let types: Vec<TypeDef> = Vec::new();
    let c = h.deploy_with(
        &[("main", SOURCE), ("helpers", SHAPE)],
        methods,
        types.clone(),
    );
    let v = Values::new(&types);
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let arg = v.encode(case.value, &case.sent);
        let got = c.query(&format!("m{i}"), &arg);
        let ok = match (&got, case.expect) {
            (Ok(reply), Ok(shape)) => shape.split("||").any(|s| text_reply(reply) == s),
            (Err(r), Err(part)) => r.message.contains(part),
            _ => false,
        };
        if !ok {
            let got = got.map(|r| text_reply(&r)).map_err(|r| r.message);
            failures.push(format!(
                "case {i} ({} sent as {:?}): expected {:?}, got {got:?}",
                case.value, case.sent, case.expect
            ));
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
