//! Annotations map to the Candid types the book promises.
mod common;

use common::Project;
use kybra_interface::Type;

fn signature(main: &str) -> Vec<(Vec<Type>, Vec<Type>)> {
    let p = Project::new(&[("src/main.py", main)]);
    let (index, code) = common::stdlib();
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(index.as_bytes(), &code).unwrap();
    let (payload, _) = kybra_compiler::analyse_project(&p.main(), &p.root, &stdlib)
        .unwrap_or_else(|e| panic!("{e}"));
    payload
        .methods
        .into_iter()
        .map(|m| (m.params.into_iter().map(|p| p.ty).collect(), m.returns))
        .collect()
}

#[test]
fn builtins_and_kybra_names() {
    let sig = signature(
        "from kybra import query, text, blob, null, nat, nat8, nat16, nat32, nat64, int8, int16, int32, int64, float32, float64, reserved, empty, Principal\n\
         import kybra\n\
         @query\n\
         def f(a: str, b: bytes, c: bool, d: int, e: float, g: None) -> None: ...\n\
         @query\n\
         def g(a: text, b: blob, c: null, d: nat, e: nat8, f: nat16, g: nat32, h: nat64) -> kybra.int: ...\n\
         @query\n\
         def h(a: int8, b: int16, c: int32, d: int64, e: float32, f: float64, g: reserved, h: empty, i: Principal) -> kybra.bool: ...\n",
    );
    use Type::*;
    assert_eq!(
        sig[0],
        (vec![Text, Blob, Bool, Int, Float64, Null], vec![Null])
    );
    assert_eq!(
        sig[1],
        (
            vec![Text, Blob, Null, Nat, Nat8, Nat16, Nat32, Nat64],
            vec![Int]
        )
    );
    assert_eq!(
        sig[2],
        (
            vec![Int8, Int16, Int32, Int64, Float32, Float64, Reserved, Empty, Principal],
            vec![Bool]
        )
    );
}

#[test]
fn generics() {
    let sig = signature(
        "from typing import Optional, List, Union\nimport typing\n\
         from kybra import query, Opt, Vec, Tuple, nat8, text\n\
         @query\n\
         def f(a: Opt[text], b: Optional[int], c: str | None, d: None | str, e: Union[str, None], f: typing.Optional[str]) -> Vec[nat8]: ...\n\
         @query\n\
         def g(a: list[str], b: List[bytes], c: Tuple[text, nat8], d: tuple[()], e: Vec[Opt[Vec[text]]]) -> tuple[str, int]: ...\n",
    );
    use Type::*;
    let b = Box::new;
    assert_eq!(
        sig[0].0,
        vec![
            Opt(b(Text)),
            Opt(b(Int)),
            Opt(b(Text)),
            Opt(b(Text)),
            Opt(b(Text)),
            Opt(b(Text))
        ]
    );
    assert_eq!(sig[0].1, vec![Vec(b(Nat8))]);
    assert_eq!(
        sig[1].0,
        vec![
            Vec(b(Text)),
            Vec(b(Blob)),
            Tuple(vec![Text, Nat8]),
            Tuple(vec![]),
            Vec(b(Opt(b(Vec(b(Text))))))
        ]
    );
    assert_eq!(sig[1].1, vec![Tuple(vec![Text, Int])]);
}

#[test]
fn generics_print_as_candid() {
    let p = Project::new(&[(
        "src/main.py",
        "from kybra import update, Opt, Vec, nat64, void\n@update\ndef put(k: Opt[str], v: Vec[nat64]) -> void: ...\n",
    )]);
    let c = p.build().unwrap();
    kybra_compiler::check_did(&c.did, "service : { put : (opt text, vec nat64) -> () }").unwrap();
    kybra_compiler::check_did("service : { put : (opt text, vec nat64) -> () }", &c.did).unwrap();
}
