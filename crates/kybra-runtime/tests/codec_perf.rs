//! The cost of the Candid ⇄ Python conversion on the benchmark's workload: a method that
//! takes and returns a `vec` of 10,000 records (`record { id: nat64; name: text;
//! tags: vec text; score: float64 }`). Prints the instruction count of the echo call and
//! checks the reply is the argument.
mod common;

use candid::{CandidType, Decode, Deserialize, Encode};
use common::{method, Harness};
use kybra_interface::{Field, MethodKind, Type, TypeDef};

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq)]
struct Item {
    id: u64,
    name: String,
    tags: Vec<String>,
    score: f64,
}

fn items(n: usize) -> Vec<Item> {
    (0..n)
        .map(|i| Item {
            id: i as u64,
            name: format!("item number {i}"),
            tags: vec!["a".into(), format!("t{}", i % 7)],
            score: i as f64 / 3.0,
        })
        .collect()
}

#[test]
fn echo_of_ten_thousand_records() {
    let Some(h) = Harness::new() else { return };
    let item = TypeDef {
        name: "Item".into(),
        ty: Type::Record(vec![
            Field::new("id", Type::Nat64),
            Field::new("name", Type::Text),
            Field::new("tags", Type::Vec(Box::new(Type::Text))),
            Field::new("score", Type::Float64),
        ]),
        class: None,
    };
    let list = Type::Vec(Box::new(Type::Named("Item".into())));
    let source = "def echo(items):\n    return items\n\ndef count(items):\n    return len(items)\n";
    let c = h.deploy(
        source,
        vec![
            method(
                "echo",
                MethodKind::Update,
                std::slice::from_ref(&list),
                Some(list.clone()),
            ),
            method("count", MethodKind::Update, &[list], Some(Type::Nat64)),
        ],
        vec![item],
    );
    let input = items(10_000);
    let arg = Encode!(&input).unwrap();
    let out = c.update("echo", &arg).unwrap();
    let echo = c.last_instructions();
    assert_eq!(Decode!(&out, Vec<Item>).unwrap(), input);
    let out = c.update("count", &arg).unwrap();
    let decode_only = c.last_instructions();
    assert_eq!(Decode!(&out, u64).unwrap(), 10_000);
    println!("echo of 10,000 records: {echo} instructions (decode + to Python only: {decode_only}); argument {} bytes", arg.len());
}
