//! Methods that make cross-canister calls: `-> Async[T]` generators and `async def`, with
//! the Candid they declare, and the `Service` classes the runtime calls through.
mod common;

use common::Project;
use kybra_interface::{MethodKind, Payload, Type};

fn payload(source: &str) -> Payload {
    let p = Project::new(&[("src/main.py", source)]);
    let (index, code) = common::stdlib();
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(index.as_bytes(), &code).unwrap();
    kybra_compiler::analyse_project(&p.main(), &p.root, &stdlib)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

const SOURCE: &str = r#"
from kybra import Async, CallResult, Manual, nat64, NotifyResult, Principal, query, Service, service_query, service_update, update, void

class Other(Service):
    @service_query
    def get(self) -> nat64: ...

    @service_update
    def put(self, value: nat64) -> void: ...

other = Other(Principal.from_str("aaaaa-aa"))

@query
def composite() -> Async[nat64]:
    result: CallResult[nat64] = yield other.get()
    return result.Ok or 0

@query
async def composite_async() -> str:
    return str(await other.get())

@update
async def update_async(value: nat64) -> nat64:
    await other.put(value)
    return value

@update
def manual_async() -> Manual[Async[str]]:
    yield other.get()

@update
def async_manual() -> Async[Manual[str]]:
    yield other.get()

@update
def notify() -> NotifyResult:
    return other.put(1).notify()

@query
def plain() -> nat64:
    return 1
"#;

fn method<'p>(p: &'p Payload, name: &str) -> &'p kybra_interface::Method {
    p.methods
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no method {name}"))
}

#[test]
fn async_results_declare_their_inner_type_and_make_queries_composite() {
    let p = payload(SOURCE);
    let m = method(&p, "composite");
    assert_eq!(
        (m.kind, m.returns.clone()),
        (MethodKind::CompositeQuery, vec![Type::Nat64])
    );
    let m = method(&p, "composite_async");
    assert_eq!(
        (m.kind, m.returns.clone()),
        (MethodKind::CompositeQuery, vec![Type::Text])
    );
    let m = method(&p, "update_async");
    assert_eq!(
        (m.kind, m.returns.clone()),
        (MethodKind::Update, vec![Type::Nat64])
    );
    for name in ["manual_async", "async_manual"] {
        let m = method(&p, name);
        assert!(m.manual_reply, "{name}");
        assert_eq!(m.returns, vec![Type::Text], "{name}");
    }
    assert_eq!(method(&p, "plain").kind, MethodKind::Query);
    assert_eq!(
        method(&p, "notify").returns,
        vec![Type::Named("NotifyResult".into())]
    );
}

#[test]
fn services_called_through_are_in_the_payload_but_not_in_the_did() {
    let p = payload(SOURCE);
    let other = p
        .types
        .iter()
        .find(|t| t.name == "Other")
        .expect("the Service class is a payload type");
    assert!(
        matches!(&other.ty, Type::Service(ms) if ms.len() == 2),
        "{other:?}"
    );
    assert_eq!(other.class.as_ref().map(|c| c.name.as_str()), Some("Other"));
    let did = kybra_compiler::did::emit(&p).unwrap();
    assert!(!did.contains("Other"), "{did}");
    assert!(
        did.contains("composite : () -> (nat64) composite_query;"),
        "{did}"
    );
    assert!(
        did.contains("type NotifyResult = variant { Ok; Err : RejectionCode };"),
        "{did}"
    );
}

#[test]
fn kybra_0_6_service_method_is_an_update_and_canister_changes_nothing() {
    let p = payload(
        "from kybra import canister, nat64, Service, service_method, service_query\n\
         @canister\nclass Old(Service):\n    @service_method\n    def put(self, v: nat64) -> nat64: ...\n\
         \x20   @service_query\n    def get(self) -> nat64: ...\n",
    );
    let old = p.types.iter().find(|t| t.name == "Old").expect("Old");
    let Type::Service(methods) = &old.ty else {
        panic!("{old:?}")
    };
    let modes: Vec<_> = methods
        .iter()
        .map(|m| (m.name.as_str(), m.func.mode))
        .collect();
    assert_eq!(
        modes,
        [
            ("put", kybra_interface::FuncMode::Update),
            ("get", kybra_interface::FuncMode::Query)
        ]
    );
}
