//! The `ic` API on the real template and replica: the Reference chapter's samples
//! (arg data, balances, id, caller, performance counter, print, time, trap, certified
//! data, cycles, `Manual[T]` replies with `ic.reply` / `ic.reply_raw` / `ic.reject`), and
//! every forbidden use raising `kybra.IcError` — a Python exception the method can catch —
//! instead of trapping the canister.
mod common;

use candid::{Decode, Encode, Nat, Principal};
use common::{user, Canister, Harness};
use kybra_replica::RejectCode;

const IC_API: &str = r#"
from kybra import IcError, Manual, Opt, Principal, blob, empty, ic, int8, nat, nat32, nat64, null, query, Record, update, Variant, void


@query
def arg_data_raw(arg1: blob, arg2: int8, arg3: bool, arg4: str) -> blob:
    return ic.arg_data_raw()


@query
def arg_data_raw_size(arg1: blob, arg2: int8, arg3: bool, arg4: str) -> nat32:
    return ic.arg_data_raw_size()


@query
def caller() -> Principal:
    return ic.caller()


@query
def canister_balance() -> nat64:
    return ic.canister_balance()


@query
def canister_balance128() -> nat:
    return ic.canister_balance128()


@query
def data_certificate() -> Opt[blob]:
    return ic.data_certificate()


@update
def data_certificate_in_update() -> Opt[blob]:
    return ic.data_certificate()


@query
def id() -> Principal:
    return ic.id()


@query
def performance_counter() -> nat64:
    return ic.performance_counter(0)


@query
def print(message: str) -> bool:
    ic.print(message)
    return True


@update
def set_certified_data(data: blob) -> void:
    ic.set_certified_data(data)


@query
def time() -> nat64:
    return ic.time()


@query
def trap(message: str) -> bool:
    ic.trap(message)
    return True


@update
def receive_cycles() -> nat64:
    return ic.msg_cycles_accept(ic.msg_cycles_available() // 2)


@update
def receive_cycles128() -> nat:
    return ic.msg_cycles_accept128(ic.msg_cycles_available128() // 2)


@query
def reject(message: str) -> Manual[empty]:
    ic.reject(message)


@update
def update_blob() -> Manual[blob]:
    ic.reply(bytes([83, 117, 114, 112, 114, 105, 115, 101, 33]))


class RawReply(Record):
    int: int
    text: str
    bool: bool
    blob: blob
    variant: "Options"


class Options(Variant, total=False):
    Small: null
    Medium: null
    Large: null


@query
def reply_raw() -> Manual[RawReply]:
    ic.reply_raw(
        ic.candid_encode(
            '(record { "int" = 42; "text" = "text"; "bool" = true; "blob" = blob "Surprise!"; "variant" = variant { Medium } })'
        )
    )


@update(manual_reply=True)
def manual_flag() -> str:
    ic.reply("replied by hand")


@update
def reply_twice() -> Manual[str]:
    ic.reply("first")
    try:
        ic.reply("second")
    except IcError as e:
        ic.print("second reply: " + str(e))


@update
def reply_wrong_type() -> Manual[nat]:
    try:
        ic.reply("not a nat")
    except TypeError as e:
        ic.print("wrong type: " + str(e))
        ic.reply(7)


MISUSES = {
    "accept_message": lambda: ic.accept_message(),
    "method_name": lambda: ic.method_name(),
    "reply": lambda: ic.reply("x"),
    "reply_raw": lambda: ic.reply_raw(b"DIDL\x00\x00"),
    "reject": lambda: ic.reject("x"),
    "msg_cycles_accept": lambda: ic.msg_cycles_accept(1),
    "msg_cycles_available128": lambda: ic.msg_cycles_available128(),
    "msg_cycles_refunded": lambda: ic.msg_cycles_refunded(),
    "reject_code": lambda: ic.reject_code(),
    "reject_message": lambda: ic.reject_message(),
    "set_certified_data": lambda: ic.set_certified_data(b"x"),
    "set_certified_data_too_long": lambda: ic.set_certified_data(bytes(33)),
    "performance_counter_7": lambda: ic.performance_counter(7),
}


def misuse(which: str) -> str:
    try:
        MISUSES[which]()
    except IcError as e:
        return "IcError: " + str(e)
    except ValueError as e:
        return "ValueError: " + str(e)
    return "no error"


@query
def misuse_in_query(which: str) -> str:
    return misuse(which)


@update
def misuse_in_update(which: str) -> str:
    return misuse(which)
"#;

#[derive(candid::CandidType, candid::Deserialize)]
struct RawReply {
    int: candid::Int,
    text: String,
    bool: bool,
    blob: serde_bytes::ByteBuf,
    variant: Options,
}

#[derive(candid::CandidType, candid::Deserialize, Debug, PartialEq)]
enum Options {
    Small,
    Medium,
    Large,
}

fn none() -> Vec<u8> {
    Encode!().unwrap()
}

fn misuse(c: &Canister, query: bool, which: &str) -> String {
    let arg = Encode!(&which).unwrap();
    let out = if query {
        c.query("misuse_in_query", &arg)
    } else {
        c.update("misuse_in_update", &arg)
    };
    Decode!(&out.unwrap_or_else(|r| panic!("{which}: {r:?}")), String).unwrap()
}

#[test]
fn the_reference_samples_behave_as_the_book_says() {
    let Some(h) = Harness::new() else { return };
    let c = Canister::install(&h.compile(&[("main", IC_API)]).wasm);

    let arg = Encode!(
        &serde_bytes::ByteBuf::from(vec![1u8, 2, 3]),
        &-5i8,
        &true,
        &"hello"
    )
    .unwrap();
    let raw = Decode!(
        &c.query("arg_data_raw", &arg).unwrap(),
        serde_bytes::ByteBuf
    )
    .unwrap();
    assert_eq!(
        raw.as_slice(),
        arg.as_slice(),
        "ic.arg_data_raw() is the argument as sent"
    );
    assert_eq!(
        Decode!(&c.query("arg_data_raw_size", &arg).unwrap(), u32).unwrap() as usize,
        arg.len()
    );

    assert_eq!(
        Decode!(&c.query("caller", &none()).unwrap(), Principal).unwrap(),
        user()
    );
    assert_eq!(
        Decode!(&c.query("id", &none()).unwrap(), Principal).unwrap(),
        c.id
    );
    let balance = Decode!(&c.query("canister_balance", &none()).unwrap(), u64).unwrap();
    assert!(balance > 0);
    let balance128 = Decode!(&c.query("canister_balance128", &none()).unwrap(), Nat).unwrap();
    assert!(balance128 >= balance);
    assert!(Decode!(&c.query("performance_counter", &none()).unwrap(), u64).unwrap() > 0);
    let now = Decode!(&c.query("time", &none()).unwrap(), u64).unwrap();
    assert!(now > 1_600_000_000_000_000_000, "{now}");

    assert!(Decode!(
        &c.query("print", &Encode!(&"printed line").unwrap())
            .unwrap(),
        bool
    )
    .unwrap());
    let r = c
        .query("trap", &Encode!(&"it's a trap").unwrap())
        .unwrap_err();
    assert_eq!(r.code, RejectCode::CanisterError);
    assert!(r.message.contains("it's a trap"), "{}", r.message);

    c.update(
        "set_certified_data",
        &Encode!(&serde_bytes::ByteBuf::from(b"certified".to_vec())).unwrap(),
    )
    .unwrap();
    assert_eq!(c.replica.certified_data(c.id).unwrap(), b"certified");
    assert_eq!(
        Decode!(
            &c.update("data_certificate_in_update", &none()).unwrap(),
            Option<Vec<u8>>
        )
        .unwrap(),
        None
    );

    // No cycles come with a plain ingress call: half of nothing is accepted.
    assert_eq!(
        Decode!(&c.update("receive_cycles", &none()).unwrap(), u64).unwrap(),
        0
    );
    assert_eq!(
        Decode!(&c.update("receive_cycles128", &none()).unwrap(), Nat).unwrap(),
        Nat::from(0u8)
    );

    // Manual replies.
    let r = c
        .query("reject", &Encode!(&"no thanks").unwrap())
        .unwrap_err();
    assert_eq!(
        (r.code, r.message.as_str()),
        (RejectCode::CanisterReject, "no thanks")
    );
    let blob = Decode!(
        &c.update("update_blob", &none()).unwrap(),
        serde_bytes::ByteBuf
    )
    .unwrap();
    assert_eq!(blob.as_slice(), b"Surprise!");
    let raw = c.query("reply_raw", &none()).unwrap();
    let reply = Decode!(&raw, RawReply).unwrap();
    assert_eq!(reply.int, candid::Int::from(42));
    assert_eq!(
        (reply.text.as_str(), reply.bool, reply.blob.as_slice()),
        ("text", true, &b"Surprise!"[..])
    );
    assert_eq!(reply.variant, Options::Medium);
    assert_eq!(
        Decode!(&c.update("manual_flag", &none()).unwrap(), String).unwrap(),
        "replied by hand"
    );
    assert_eq!(
        Decode!(&c.update("reply_twice", &none()).unwrap(), String).unwrap(),
        "first"
    );
    assert_eq!(
        Decode!(&c.update("reply_wrong_type", &none()).unwrap(), Nat).unwrap(),
        Nat::from(7u8)
    );

    let logs = c.log_lines();
    assert!(
        logs.iter()
            .any(|l| l.starts_with("second reply: ic.reply(): this call was already answered")),
        "{logs:?}"
    );
    assert!(
        logs.iter().any(|l| l.starts_with("wrong type: ic.reply(): the value is not method `reply_wrong_type`'s declared result type")),
        "{logs:?}"
    );
}

#[test]
fn forbidden_calls_raise_ic_error() {
    let Some(h) = Harness::new() else { return };
    let c = Canister::install(&h.compile(&[("main", IC_API)]).wasm);
    let expect = [
        (true, "accept_message", "IcError: ic.accept_message() may only be called in @inspect_message (it was called in a @query function)"),
        (false, "accept_message", "IcError: ic.accept_message() may only be called in @inspect_message (it was called in a @update function)"),
        (true, "method_name", "IcError: ic.method_name() may only be called in @inspect_message (it was called in a @query function)"),
        (false, "reply", "IcError: ic.reply() may only be called in a method that replies itself"),
        (false, "reply_raw", "IcError: ic.reply_raw() may only be called in a method that replies itself"),
        (true, "reject", "IcError: ic.reject() may only be called in a method that replies itself"),
        (true, "msg_cycles_accept", "IcError: ic.msg_cycles_accept() may only be called in an @update method"),
        (true, "msg_cycles_available128", "IcError: ic.msg_cycles_available128() may only be called in an @update method"),
        (false, "msg_cycles_refunded", "IcError: ic.msg_cycles_refunded() may only be called after a cross-canister call returns"),
        (false, "reject_code", "IcError: ic.reject_code() may only be called after a cross-canister call returns"),
        (false, "reject_message", "IcError: ic.reject_message() may only be called after a cross-canister call returns"),
        (true, "set_certified_data", "IcError: ic.set_certified_data() cannot be called in a query"),
        (false, "set_certified_data_too_long", "ValueError: ic.set_certified_data(): 33 bytes given, at most 32"),
        (true, "performance_counter_7", "ValueError: ic.performance_counter(7): the counter type must be 0"),
    ];
    for (query, which, start) in expect {
        let got = misuse(&c, query, which);
        assert!(
            got.starts_with(start),
            "{which} in a {}: {got}",
            if query { "query" } else { "update" }
        );
    }
    // The canister is unharmed.
    assert_eq!(
        Decode!(&c.query("caller", &none()).unwrap(), Principal).unwrap(),
        user()
    );
}
