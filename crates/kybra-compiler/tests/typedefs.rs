//! User-defined types: recursion, other modules, renamed imports, keyword fields, name
//! clashes, inheritance and aliases.
mod common;

use common::Project;
use kybra_interface::{Field, Payload, Type, TypeDef};

fn payload(files: &[(&str, &str)]) -> Payload {
    let p = Project::new(files);
    let (index, code) = common::stdlib();
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(index.as_bytes(), &code).unwrap();
    kybra_compiler::analyse_project(&p.main(), &p.root, &stdlib)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn def<'p>(p: &'p Payload, name: &str) -> &'p Type {
    &p.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no type {name} in {:#?}", p.types))
        .ty
}

fn named(n: &str) -> Type {
    Type::Named(n.into())
}

fn vec(t: Type) -> Type {
    Type::Vec(Box::new(t))
}

#[test]
fn recursive_and_mutually_recursive_types() {
    let p = payload(&[(
        "src/main.py",
        "from kybra import Record, Variant, Vec, Opt, Alias, Tuple, nat, null, query\n\
         class Tree(Record):\n    value: nat\n    children: Vec[\"Tree\"]\n\
         class A(Variant, total=False):\n    Leaf: null\n    Node: \"B\"\n\
         class B(Record):\n    items: Vec[A]\n\
         Chain = Alias[Opt[Tuple[nat, \"Chain\"]]]\n\
         @query\ndef f(t: Tree, a: \"A\") -> Chain: ...\n",
    )]);
    assert_eq!(
        def(&p, "Tree"),
        &Type::Record(vec![
            Field::new("value", Type::Nat),
            Field::new("children", vec(named("Tree")))
        ])
    );
    assert_eq!(
        def(&p, "A"),
        &Type::Variant(vec![
            Field::new("Leaf", Type::Null),
            Field::new("Node", named("B"))
        ])
    );
    assert_eq!(
        def(&p, "B"),
        &Type::Record(vec![Field::new("items", vec(named("A")))])
    );
    assert_eq!(
        def(&p, "Chain"),
        &Type::Opt(Box::new(Type::Tuple(vec![Type::Nat, named("Chain")])))
    );
    let m = &p.methods[0];
    assert_eq!(
        m.params.iter().map(|p| p.ty.clone()).collect::<Vec<_>>(),
        vec![named("Tree"), named("A")]
    );
    assert_eq!(m.returns, vec![named("Chain")]);
    // Only reached types are defined, each once.
    let mut names: Vec<&str> = p.types.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["A", "B", "Chain", "Tree"]);
}

#[test]
fn types_from_other_modules_and_renamed_imports() {
    let p = payload(&[
        (
            "src/main.py",
            "from kybra import query\nfrom models import User\nimport types_mod\nimport pkg.api\n\
             @query\ndef a(u: User) -> types_mod.Group: ...\n",
        ),
        (
            "src/models.py",
            "from kybra import Record as R, Vec\nimport kybra as k\n\
             class User(R):\n    name: str\n    groups: Vec[\"k.nat8\"]\n",
        ),
        ("src/types_mod.py", "import kybra\nfrom models import User\nclass Group(kybra.Record):\n    members: kybra.Vec[User]\n"),
        ("src/pkg/__init__.py", ""),
        ("src/pkg/api.py", "from kybra import update\nfrom .types import Item\n@update\ndef put(i: Item) -> \"Item\": ...\n"),
        ("src/pkg/types.py", "from kybra.types import Record\nclass Item(Record):\n    id: int\n"),
    ]);
    assert_eq!(
        def(&p, "User"),
        &Type::Record(vec![
            Field::new("name", Type::Text),
            Field::new("groups", vec(Type::Nat8))
        ])
    );
    assert_eq!(
        def(&p, "Group"),
        &Type::Record(vec![Field::new("members", vec(named("User")))])
    );
    assert_eq!(
        def(&p, "Item"),
        &Type::Record(vec![Field::new("id", Type::Int)])
    );
    assert_eq!(p.methods[1].name, "put");
    assert_eq!(p.methods[1].params[0].ty, named("Item"));
}

#[test]
fn keyword_field_names() {
    let p = payload(&[(
        "src/main.py",
        "from kybra import Record, Variant, query, text, nat\n\
         class Kw(Record):\n    class_: text\n    False_: bool\n    def_: nat\n    text: text\n    record: nat\n    type_: str\n    match: nat\n    service: str\n\
         \x20   with_: nat\n    with__: nat\n    with____: nat\n    with______1: nat\n\
         class V(Variant):\n    None_: None\n    return_: nat\n\
         @query\ndef f(k: Kw) -> V: ...\n",
    )]);
    let Type::Record(fields) = def(&p, "Kw") else {
        panic!()
    };
    let got: Vec<(&str, Option<&str>)> = fields
        .iter()
        .map(|f| (f.name.as_str(), f.python_name.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("class", Some("class_")),
            ("False", Some("False_")),
            ("def", Some("def_")),
            ("text", None),
            ("record", None),
            ("type_", None),
            ("match", None),
            ("service", None),
            ("with", Some("with_")),
            ("with_", Some("with__")),
            ("with___", Some("with____")),
            ("with______1", None),
        ]
    );
    let Type::Variant(cases) = def(&p, "V") else {
        panic!()
    };
    assert_eq!(
        cases[0],
        Field {
            name: "None".into(),
            ty: Type::Null,
            python_name: Some("None_".into())
        }
    );
    assert_eq!(cases[1].key(), "return_");
    // The printer quotes Candid keywords; the .did parses back (checked by the build).
    let c = Project::new(&[("src/main.py", "from kybra import Record, query\nclass R(Record):\n    class_: str\n    record: str\n    with__: str\n@query\ndef f() -> R: ...\n")])
        .build()
        .unwrap();
    assert!(
        c.did.contains("\"record\" : text")
            && c.did.contains("class : text")
            && c.did.contains("with_ : text"),
        "{}",
        c.did
    );
}

#[test]
fn same_python_name_in_two_modules_gets_two_candid_names() {
    let files = [
        ("src/main.py", "from kybra import Record, query, nat\nimport other\nclass User(Record):\n    id: nat\n@query\ndef a(u: User) -> other.User: ...\n"),
        ("src/other.py", "from kybra import Record, query\nclass User(Record):\n    name: str\n"),
    ];
    let p = payload(&files);
    assert_eq!(
        def(&p, "User"),
        &Type::Record(vec![Field::new("id", Type::Nat)])
    );
    assert_eq!(
        def(&p, "other_User"),
        &Type::Record(vec![Field::new("name", Type::Text)])
    );
    assert_eq!(p.methods[0].returns, vec![named("other_User")]);
    let c = Project::new(&files).build().unwrap();
    kybra_compiler::check_did(
        &c.did,
        "type User = record { id : nat }; type other_User = record { name : text }; service : { a : (User) -> (other_User) query }",
    )
    .unwrap();
}

#[test]
fn inheritance_plain_aliases_and_keyword_type_names() {
    let p = payload(&[(
        "src/main.py",
        "from kybra import Record, query, nat64\n\
         class Base(Record):\n    id: nat64\n\
         class Child(Base):\n    \"\"\"A child.\"\"\"\n    name: str\n\
         Id = nat64\nPair = tuple[Id, str]\n\
         class service(Record):\n    x: Id\n\
         @query\ndef f(c: Child, p: Pair) -> service: ...\n",
    )]);
    assert_eq!(
        def(&p, "Child"),
        &Type::Record(vec![
            Field::new("id", Type::Nat64),
            Field::new("name", Type::Text)
        ])
    );
    assert_eq!(def(&p, "Id"), &Type::Nat64);
    assert_eq!(def(&p, "Pair"), &Type::Tuple(vec![named("Id"), Type::Text]));
    assert_eq!(
        def(&p, "service_"),
        &Type::Record(vec![Field::new("x", named("Id"))])
    );
    assert!(
        !p.types.iter().any(|t: &TypeDef| t.name == "Base"),
        "Base is never used by itself"
    );
}
