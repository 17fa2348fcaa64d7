//! The test harness itself: a hand-made method table over plain Python runs on the replica.
mod common;

use candid::{Decode, Encode};
use common::{method, Harness};
use kybra_interface::{MethodKind, Type};

#[test]
fn a_hand_made_payload_runs() {
    let Some(h) = Harness::new() else { return };
    let source = "def double(x):\n    return x * 2\n";
    let c = h.deploy(
        source,
        vec![method(
            "double",
            MethodKind::Query,
            &[Type::Nat64],
            Some(Type::Nat64),
        )],
        vec![],
    );
    let out = c.query("double", &Encode!(&21u64).unwrap()).unwrap();
    assert_eq!(Decode!(&out, u64).unwrap(), 42);
    assert!(c.last_instructions() > 0);
}
