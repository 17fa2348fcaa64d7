//! Tests for typed Candid argument parsing and reply decoding.

use super::*;

const HELLO: &str = "service : { get_message : () -> (text) query; set_message : (text) -> () }";

const RICH: &str = r#"
type Entry = record { key : text; value : nat64 };
type Result = variant { Ok : text; Err : nat8 };
service : (nat) -> {
  set_many : (vec Entry) -> (Result);
  pair : (opt text, principal) -> (nat64, blob) composite_query;
}"#;

#[test]
fn encodes_the_books_call() {
    let interface = Interface::parse(HELLO).unwrap();
    let method = interface.method("set_message").unwrap();
    assert!(!method.is_query());
    let bytes = interface
        .encode_args(&method, Some(r#"("Hello World!")"#))
        .unwrap();
    assert_eq!(bytes, candid::encode_one("Hello World!").unwrap());
    let get = interface.method("get_message").unwrap();
    assert!(get.is_query());
    assert_eq!(
        interface.encode_args(&get, None).unwrap(),
        candid::encode_args(()).unwrap()
    );
}

#[test]
fn decodes_replies_like_dfx() {
    let interface = Interface::parse(HELLO).unwrap();
    let get = interface.method("get_message").unwrap();
    let reply = interface
        .decode_reply(&get, &candid::encode_one("Hello World!").unwrap())
        .unwrap();
    assert_eq!(reply.to_string(), r#"("Hello World!")"#);
    let empty = interface
        .decode_reply(&get, &candid::encode_one("").unwrap())
        .unwrap();
    assert_eq!(empty.to_string(), r#"("")"#);
    let set = interface.method("set_message").unwrap();
    let unit = interface
        .decode_reply(&set, &candid::encode_args(()).unwrap())
        .unwrap();
    assert_eq!(unit.to_string(), "()");
}

#[test]
fn wrong_type_names_method_and_expectation() {
    let interface = Interface::parse(HELLO).unwrap();
    let method = interface.method("set_message").unwrap();
    let error = interface
        .encode_args(&method, Some("(42)"))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("wrong arguments for `set_message`"),
        "{error}"
    );
    assert!(error.contains("expects (text)"), "{error}");
    assert!(error.contains(r#"'("text")'"#), "{error}");
}

#[test]
fn missing_argument_is_an_error() {
    let interface = Interface::parse(HELLO).unwrap();
    let method = interface.method("set_message").unwrap();
    let error = interface
        .encode_args(&method, None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("`set_message` expects (text)"), "{error}");
}

#[test]
fn too_many_arguments_is_an_error() {
    let interface = Interface::parse(HELLO).unwrap();
    let method = interface.method("get_message").unwrap();
    let error = interface
        .encode_args(&method, Some(r#"("x")"#))
        .unwrap_err()
        .to_string();
    assert!(error.contains("got 1 values, but it takes 0"), "{error}");
}

#[test]
fn malformed_candid_is_an_error() {
    let interface = Interface::parse(HELLO).unwrap();
    let method = interface.method("set_message").unwrap();
    let error = interface
        .encode_args(&method, Some(r#"("unterminated)"#))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("malformed Candid arguments for `set_message`"),
        "{error}"
    );
    assert!(error.contains("expects (text)"), "{error}");
}

#[test]
fn unknown_method_lists_the_methods() {
    let interface = Interface::parse(HELLO).unwrap();
    let error = interface.method("nope").err().unwrap().to_string();
    assert!(error.contains("no method `nope`"), "{error}");
    assert!(error.contains("get_message, set_message"), "{error}");
}

#[test]
fn rich_types_and_init_args() {
    let interface = Interface::parse(RICH).unwrap();
    assert_eq!(interface.init_args().len(), 1);
    assert_eq!(
        interface.encode_init_args(Some("(7)")).unwrap(),
        candid::encode_one(candid::Nat::from(7u8)).unwrap()
    );
    assert!(interface
        .encode_init_args(None)
        .unwrap_err()
        .to_string()
        .contains("expects (nat)"));

    let set_many = interface.method("set_many").unwrap();
    interface
        .encode_args(
            &set_many,
            Some(r#"(vec { record { key = "a"; value = 1 } })"#),
        )
        .unwrap();
    let error = interface
        .encode_args(&set_many, Some(r#"(vec { record { key = "a" } })"#))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("record { key = \"text\"; value = 42 }") || error.contains("value = 42"),
        "{error}"
    );

    let pair = interface.method("pair").unwrap();
    assert!(pair.is_query());
    interface
        .encode_args(&pair, Some(r#"(null, principal "aaaaa-aa")"#))
        .unwrap();
    let reply = interface
        .decode_reply(
            &pair,
            &candid::encode_args((5u64, serde_bytes::ByteBuf::from(vec![1u8, 2]))).unwrap(),
        )
        .unwrap();
    assert_eq!(to_json(&reply), serde_json::json!(["5", "0102"]));
}

#[test]
fn undecodable_reply_is_an_error() {
    let interface = Interface::parse(HELLO).unwrap();
    let get = interface.method("get_message").unwrap();
    let error = interface
        .decode_reply(&get, &candid::encode_one(5u8).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("reply of `get_message` as (text)"),
        "{error}"
    );
}

#[test]
fn untyped_round_trip() {
    let bytes = encode_untyped(Some(r#"("a", 1 : nat8)"#)).unwrap();
    assert_eq!(
        decode_untyped(&bytes).unwrap().to_string(),
        r#"("a", 1 : nat8)"#
    );
    assert!(encode_untyped(Some("(")).is_err());
}

#[test]
fn a_single_value_without_parentheses_is_one_argument() {
    // The issue's example, which dfx deploys: a record of a text and a record.
    let interface =
        Interface::parse("service : (record { text; record { id : text } }) -> {}").unwrap();
    let bare = interface
        .encode_init_args(Some(r#"record {"hi"; record { id = "1" }}"#))
        .unwrap();
    let wrapped = interface
        .encode_init_args(Some(r#"(record {"hi"; record { id = "1" }})"#))
        .unwrap();
    assert_eq!(bare, wrapped);
    let hello = Interface::parse(HELLO).unwrap();
    let set = hello.method("set_message").unwrap();
    assert_eq!(
        hello.encode_args(&set, Some(r#" "Hello" "#)).unwrap(),
        candid::encode_one("Hello").unwrap()
    );
    assert_eq!(parse_args("42").unwrap().args.len(), 1);
    assert_eq!(parse_args("(1, 2)").unwrap().args.len(), 2);
    // A malformed bare value reports the value parser's error, not "expected (".
    let error = parse_args("record { a = }").unwrap_err();
    assert!(!error.is_empty());
    let error = hello
        .encode_args(&set, Some("record { a = }"))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("malformed Candid arguments for `set_message`"),
        "{error}"
    );
}
