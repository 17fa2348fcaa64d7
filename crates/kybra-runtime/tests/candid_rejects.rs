//! Bad arguments are rejected (`ic0.msg_reject`, reject code 4), never trapped on and
//! never half-applied: each message names the method, the argument (number and Python
//! name), the path inside it, what was expected and what was sent; the update method's
//! counter is unchanged after every rejected call.
mod common;

use candid::Encode;
use common::{named_method, Canister, Harness, Values};
use kybra_interface::{Field, MethodKind, Type, TypeDef};
use kybra_replica::RejectCode;

const SOURCE: &str = r#"
import kybra

calls = 0


def record(*args):
    global calls
    calls += 1
    return calls


def count():
    return calls
"#;

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
            "Post",
            Type::Record(vec![
                Field::new("title", Type::Text),
                Field::new("likes", Type::Nat),
            ]),
        ),
        def(
            "User",
            Type::Record(vec![
                Field::new("name", Type::Text),
                Field::new("age", Type::Nat8),
                Field::new("posts", Type::Vec(boxed(Type::Named("Post".into())))),
            ]),
        ),
        def(
            "Status",
            Type::Variant(vec![
                Field::new("A", Type::Null),
                Field::new("B", Type::Text),
            ]),
        ),
        // What a newer client may send: one more case.
        def(
            "Status3",
            Type::Variant(vec![
                Field::new("A", Type::Null),
                Field::new("B", Type::Text),
                Field::new("C", Type::Null),
            ]),
        ),
        def(
            "BadPost",
            Type::Record(vec![
                Field::new("title", Type::Nat),
                Field::new("likes", Type::Nat),
            ]),
        ),
        def(
            "BadUser",
            Type::Record(vec![
                Field::new("name", Type::Text),
                Field::new("age", Type::Nat8),
                Field::new("posts", Type::Vec(boxed(Type::Named("BadPost".into())))),
            ]),
        ),
        def(
            "Partial",
            Type::Record(vec![Field::new("name", Type::Text)]),
        ),
    ]
}

fn setup(h: &Harness) -> Canister {
    let update = |name: &str, params: &[(&str, Type)]| {
        named_method(
            name,
            "record",
            MethodKind::Update,
            params,
            Some(Type::Nat64),
        )
    };
    let methods = vec![
        update("take_nat8", &[("n", Type::Nat8)]),
        update("take_nat", &[("n", Type::Nat)]),
        update("take_blob", &[("data", Type::Blob)]),
        update("take_status", &[("status", Type::Named("Status".into()))]),
        update("take_user", &[("user", Type::Named("User".into()))]),
        update("take_principal", &[("who", Type::Principal)]),
        update("take_two", &[("a", Type::Text), ("b", Type::Nat8)]),
        update("take_texts", &[("items", Type::Vec(boxed(Type::Text)))]),
        update("take_nulls", &[("items", Type::Vec(boxed(Type::Null)))]),
        named_method("count", "count", MethodKind::Query, &[], Some(Type::Nat64)),
    ];
    h.deploy(SOURCE, methods, types())
}

fn count(c: &Canister) -> u64 {
    candid::decode_one(&c.query("count", &Encode!().unwrap()).unwrap()).unwrap()
}

/// Sends `arg` to `method`, expects a reject whose message contains every one of
/// `parts`, and checks the update changed nothing.
fn rejects(c: &Canister, method: &str, arg: &[u8], parts: &[&str]) {
    let before = count(c);
    match c.update(method, arg) {
        Ok(reply) => panic!("{method} accepted {arg:02x?} (reply {reply:02x?}); expected a reject containing {parts:?}"),
        Err(r) => {
            assert_eq!(r.code, RejectCode::CanisterReject, "{method}: not a canister reject: {r:?}");
            for part in parts {
                assert!(r.message.contains(part), "{method}: the reject {:?} does not contain {part:?}", r.message);
            }
            assert!(r.message.contains(&format!("method `{method}`")), "{method}: {:?} does not name the method", r.message);
        }
    }
    assert_eq!(
        count(c),
        before,
        "{method}: a rejected call changed the state"
    );
}

fn accepts(c: &Canister, method: &str, arg: &[u8]) {
    let before = count(c);
    let reply = c
        .update(method, arg)
        .unwrap_or_else(|r| panic!("{method} rejected {arg:02x?}: {r:?}"));
    assert_eq!(candid::decode_one::<u64>(&reply).unwrap(), before + 1);
}

#[test]
fn bad_arguments_are_rejected_with_their_location_and_leave_no_trace() {
    let Some(h) = Harness::new() else { return };
    let c = setup(&h);
    let types = types();
    let v = Values::new(&types);
    let t = |name: &str| Type::Named(name.into());

    // Sanity: good arguments go through and count.
    accepts(&c, "take_nat8", &Encode!(&200u8).unwrap());

    // A number too big for the parameter's type is a different type on the wire.
    rejects(
        &c,
        "take_nat8",
        &v.encode("(300 : nat)", &[Type::Nat]),
        &["argument 1 `n`", "n: expected nat8, got nat"],
    );
    rejects(
        &c,
        "take_nat8",
        &Encode!(&300u16).unwrap(),
        &["n: expected nat8, got nat16"],
    );
    // A negative number where a nat is expected.
    rejects(
        &c,
        "take_nat",
        &v.encode("(-5)", &[Type::Int]),
        &["argument 1 `n`", "expected nat, got int"],
    );
    // Text where a blob is expected.
    rejects(
        &c,
        "take_blob",
        &Encode!(&"abc").unwrap(),
        &["argument 1 `data`", "data: expected blob, got text"],
    );
    // A variant type with a case the method does not know (even when the value uses a known one).
    rejects(
        &c,
        "take_status",
        &v.encode("(variant { A })", &[t("Status3")]),
        &[
            "argument 1 `status`",
            "expected Status",
            "is not one of its cases",
        ],
    );
    // A variant index beyond the cases its own type declares (hand-made bytes).
    rejects(
        &c,
        "take_status",
        b"DIDL\x01\x6b\x02\x41\x7f\x42\x71\x01\x00\x05",
        &[
            "variant index 5",
            "out of range",
            "the type has 2 cases",
            "status",
        ],
    );
    // A record without a required field, and a mistyped field deep inside.
    rejects(
        &c,
        "take_user",
        &v.encode(r#"(record { name = "ann" })"#, &[t("Partial")]),
        &[
            "argument 1 `user`",
            "user: expected User: the required field `age` is missing",
        ],
    );
    rejects(
        &c,
        "take_user",
        &v.encode(r#"(record { name = "ann"; age = 3; posts = vec { record { title = 1; likes = 2 } } })"#, &[t("BadUser")]),
        &["user.posts[*].title: expected text, got nat"],
    );
    // Not a principal where a principal is expected.
    rejects(
        &c,
        "take_principal",
        &Encode!(&"aaaaa-aa").unwrap(),
        &["argument 1 `who`", "expected principal, got text"],
    );
    // A principal longer than 29 bytes (value-level: the path is exact).
    rejects(&c, "take_principal", b"DIDL\x00\x01\x68\x01\x1e\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", &["who: a principal of 30 bytes"]);
    // Too few arguments; a bad second argument is named by number and name.
    rejects(
        &c,
        "take_two",
        &Encode!(&"a").unwrap(),
        &["expected 2 arguments, the message has 1"],
    );
    rejects(
        &c,
        "take_two",
        &Encode!(&"a", &"b").unwrap(),
        &["argument 2 `b`", "b: expected nat8, got text"],
    );
    // Trailing bytes after the arguments.
    let mut trailing = Encode!(&7u8).unwrap();
    trailing.extend_from_slice(b"xyz");
    rejects(
        &c,
        "take_nat8",
        &trailing,
        &["3 bytes follow the last argument"],
    );
    // Not Candid at all.
    rejects(
        &c,
        "take_nat8",
        b"hello",
        &[
            "not valid Candid",
            "does not start with the Candid magic `DIDL`",
            "68 65 6c 6c 6f",
        ],
    );
    rejects(&c, "take_nat8", b"", &["not valid Candid"]);
    // Huge declared lengths: a blob, a text, and a vec of zero-sized values.
    rejects(
        &c,
        "take_blob",
        b"DIDL\x01\x6d\x7b\x01\x00\xff\xff\xff\xff\x0f",
        &["a blob declares 4294967295 bytes"],
    );
    rejects(
        &c,
        "take_texts",
        b"DIDL\x01\x6d\x71\x01\x00\x01\xff\xff\xff\xff\x0f",
        &["items[0]", "a text declares 4294967295 bytes"],
    );
    rejects(
        &c,
        "take_nulls",
        b"DIDL\x01\x6d\x7f\x01\x00\x80\x80\x80\x80\x10",
        &["declares 4294967296 elements, more than a message"],
    );
    // A value cut short, an invalid bool, invalid UTF-8, a malformed type table.
    rejects(
        &c,
        "take_user",
        &v.encode(
            r#"(record { name = "ann"; age = 3; posts = vec {} })"#,
            &[t("User")],
        )[..20],
        &["ends"],
    );
    rejects(
        &c,
        "take_texts",
        b"DIDL\x01\x6d\x71\x01\x00\x01\x02\xff\xfe",
        &["items[0]: a text is not valid UTF-8"],
    );
    rejects(
        &c,
        "take_status",
        b"DIDL\x01\x6b\x02\x42\x71\x41\x7f\x01\x00\x00",
        &["not in increasing order"],
    );
    rejects(&c, "take_nat8", b"DIDL\x00\x01\x55\x00", &["not a type"]);

    // Extra arguments are allowed by Candid subtyping (ignored, but must be well-formed).
    accepts(&c, "take_nat8", &Encode!(&1u8, &"extra").unwrap());
    let mut bad_extra = Encode!(&1u8, &"extra").unwrap();
    bad_extra.truncate(bad_extra.len() - 1);
    rejects(&c, "take_nat8", &bad_extra, &["extra argument 2"]);

    // After all that the canister still works and counted only the good calls.
    assert_eq!(count(&c), 2);
}
