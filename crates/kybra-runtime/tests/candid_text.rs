//! `ic.candid_encode(text) -> bytes` and `ic.candid_decode(bytes) -> str` (the book's
//! Reference, "candid encode" / "candid decode"), run inside the canister and compared with
//! the `candid` crate; bad input raises `ValueError` with the parser's message.
mod common;

use candid::{Decode, Encode};
use common::{named_method, text_reply, Harness};
use kybra_interface::{MethodKind, Type};

const SOURCE: &str = r#"
from kybra import blob, ic, query


@query
def candid_encode(candid_string: str) -> blob:
    return ic.candid_encode(candid_string)


@query
def candid_decode(candid_encoded: blob) -> str:
    return ic.candid_decode(candid_encoded)


def encode_error(text):
    try:
        ic.candid_encode(text)
    except ValueError as e:
        return "ValueError: " + str(e)
    return "no error"


def decode_error(data):
    try:
        ic.candid_decode(data)
    except ValueError as e:
        return "ValueError: " + str(e)
    return "no error"
"#;

#[test]
fn candid_text_and_bytes_convert_both_ways() {
    let Some(h) = Harness::new() else { return };
    let q = |name: &str, param: Type, ret: Type| {
        named_method(name, name, MethodKind::Query, &[("x", param)], Some(ret))
    };
    let c = h.deploy(
        SOURCE,
        vec![
            q("candid_encode", Type::Text, Type::Blob),
            q("candid_decode", Type::Blob, Type::Text),
            q("encode_error", Type::Text, Type::Text),
            q("decode_error", Type::Blob, Type::Text),
        ],
        vec![],
    );
    for text in [
        r#"(1, "a")"#,
        "()",
        r#"(record { name = "x"; age = 3 : nat8 }, vec { opt true; opt false }, variant { ok = principal "aaaaa-aa" })"#,
    ] {
        let out = c.query("candid_encode", &Encode!(&text).unwrap()).unwrap();
        let bytes = Decode!(&out, serde_bytes::ByteBuf).unwrap().into_vec();
        let expected = candid_parser::parse_idl_args(text)
            .unwrap()
            .to_bytes()
            .unwrap();
        assert_eq!(bytes, expected, "candid_encode({text})");
        let out = c
            .query(
                "candid_decode",
                &Encode!(&serde_bytes::ByteBuf::from(bytes.clone())).unwrap(),
            )
            .unwrap();
        let printed = text_reply(&out);
        assert_eq!(
            printed,
            candid::IDLArgs::from_bytes(&bytes).unwrap().to_string(),
            "candid_decode of {text}"
        );
    }
    let out = c
        .query(
            "candid_decode",
            &Encode!(&serde_bytes::ByteBuf::from(Encode!(&1u8, &"a").unwrap())).unwrap(),
        )
        .unwrap();
    assert_eq!(text_reply(&out), r#"(1 : nat8, "a")"#);

    let err = text_reply(&c.query("encode_error", &Encode!(&"(1, ").unwrap()).unwrap());
    assert!(
        err.starts_with("ValueError: candid_encode: \"(1, \" is not a Candid value:"),
        "{err}"
    );
    let err = text_reply(
        &c.query(
            "decode_error",
            &Encode!(&serde_bytes::ByteBuf::from(b"hello".to_vec())).unwrap(),
        )
        .unwrap(),
    );
    assert!(
        err.starts_with("ValueError: candid_decode: the bytes are not Candid:"),
        "{err}"
    );
    // A hostile length ends in a ValueError, not in the instruction limit.
    let hostile = b"DIDL\x01\x6d\x7f\x01\x00\x80\x80\x80\x80\x10".to_vec();
    let err = text_reply(
        &c.query(
            "decode_error",
            &Encode!(&serde_bytes::ByteBuf::from(hostile)).unwrap(),
        )
        .unwrap(),
    );
    assert!(err.starts_with("ValueError: candid_decode"), "{err}");
}
