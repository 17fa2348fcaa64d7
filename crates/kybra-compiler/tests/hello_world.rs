//! The book's Hello World, verbatim, builds to exactly the book's service.
mod common;

use common::{Project, HELLO_WORLD, HELLO_WORLD_DID};
use kybra_compiler::check_did;
use kybra_interface::{MethodKind, ModuleCode, Payload, Type};

#[test]
fn hello_world_gives_the_books_service() {
    let p = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let c = p.build().unwrap();
    // Equal as Candid: each is a subtype of the other.
    check_did(&c.did, HELLO_WORLD_DID).unwrap();
    check_did(HELLO_WORLD_DID, &c.did).unwrap();
    assert_eq!(c.methods, 2);
    assert_eq!(c.user_modules, 1);
    assert!(
        c.did.contains("get_message : () -> (text) query;"),
        "{}",
        c.did
    );
}

#[test]
fn check_did_reports_every_difference() {
    let p = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let c = p.build().unwrap();
    let wrong = "service : { get_message : () -> (nat) query; set_message : (text) -> (); other : () -> () }";
    let problems = check_did(&c.did, wrong).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("get_message")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.contains("other")), "{problems:?}");
    // A generated interface with more methods still serves the hand-written one.
    check_did(&c.did, "service : { get_message : () -> (text) query }").unwrap();
    assert!(check_did("service : {", HELLO_WORLD_DID).unwrap_err()[0].contains("generated"));
}

#[test]
fn hello_world_payload() {
    let p = Project::new(&[("src/main.py", HELLO_WORLD)]);
    let (index, code) = common::stdlib();
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(index.as_bytes(), &code).unwrap();
    let (payload, user): (Payload, usize) =
        kybra_compiler::analyse_project(&p.main(), &p.root, &stdlib).unwrap();
    assert_eq!(user, 1);
    assert_eq!(payload.entry, "main");
    let names: Vec<_> = payload.modules.iter().map(|m| m.name.as_str()).collect();
    // User code, then bootstrap, then the closure of `kybra`; nothing else (no json).
    assert_eq!(
        names,
        [
            "main",
            "encodings",
            "codecs",
            "encodings.aliases",
            "kybra",
            "kybra.principal",
            "typing",
            "collections",
            "re",
            "enum"
        ]
    );
    assert_eq!(
        payload.modules[0].code,
        ModuleCode::Source {
            filename: "src/main.py".into(),
            text: HELLO_WORLD.into()
        }
    );
    let ModuleCode::Bytecode(b) = &payload.modules[4].code else {
        panic!("kybra is bytecode")
    };
    assert_eq!(b.as_slice(), b"<kybra>");
    assert!(payload.modules[4].is_package);
    let m: Vec<_> = payload
        .methods
        .iter()
        .map(|m| (m.name.as_str(), m.kind, m.module.as_str()))
        .collect();
    assert_eq!(
        m,
        [
            ("get_message", MethodKind::Query, "main"),
            ("set_message", MethodKind::Update, "main")
        ]
    );
    assert_eq!(payload.methods[1].params[0].name, "new_message");
    assert_eq!(payload.methods[1].params[0].ty, Type::Text);
    assert!(payload.methods[1].returns.is_empty());
    assert_eq!(payload.methods[0].returns, [Type::Text]);
}
