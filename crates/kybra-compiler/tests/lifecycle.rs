//! Lifecycle hooks, guards and manual replies as the compiler reads them: `@init` /
//! `@post_upgrade` parameters become the service's init arguments, `guard=` names the
//! guard's module and function, `-> Manual[T]` / `manual_reply=True` mark methods that
//! reply themselves; every misuse is a diagnostic at the right place that says what to do.
mod common;

use common::Project;
use kybra_interface::{FunctionRef, Payload, Type};

fn analyse(files: &[(&str, &str)]) -> Payload {
    let p = Project::new(files);
    let (index, code) = common::stdlib();
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(index.as_bytes(), &code).unwrap();
    kybra_compiler::analyse_project(&p.main(), &p.root, &stdlib)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn errors(main: &str) -> Vec<String> {
    Project::new(&[("src/main.py", main)]).errors()
}

const CANISTER: &str = r#"
from kybra import GuardResult, Manual, blob, heartbeat, ic, init, inspect_message, nat64, post_upgrade, pre_upgrade, query, update, void
import kybra as k
from guards import allow as allow_all


def is_owner() -> GuardResult:
    return {"Ok": None}


@init
def init_(greeting: str, times: nat64) -> void:
    pass


@post_upgrade
def post_upgrade_(greeting: str, times: nat64) -> void:
    pass


@pre_upgrade(guard=is_owner)
def pre_upgrade_() -> void:
    pass


@k.heartbeat(guard=allow_all)
def beat():
    pass


@inspect_message
def inspect() -> void:
    ic.accept_message()


@update(guard=is_owner)
def guarded() -> str:
    return ""


@update
def manual_blob() -> Manual[blob]:
    ic.reply(b"")


@query(manual_reply=True)
def manual_flag() -> str:
    ic.reply("")
"#;

const GUARDS: &str =
    "from kybra import GuardResult\n\ndef allow() -> GuardResult:\n    return {'Ok': None}\n";

#[test]
fn hooks_guards_and_manual_replies_reach_the_payload() {
    let p = analyse(&[("src/main.py", CANISTER), ("src/guards.py", GUARDS)]);
    let f = |module: &str, function: &str| FunctionRef {
        module: module.into(),
        function: function.into(),
    };
    let init = p.hooks.init.as_ref().unwrap();
    assert_eq!(init.function, f("main", "init_"));
    assert_eq!(
        init.params
            .iter()
            .map(|p| (p.name.as_str(), &p.ty))
            .collect::<Vec<_>>(),
        [("greeting", &Type::Text), ("times", &Type::Nat64)]
    );
    assert_eq!(p.hooks.post_upgrade.as_ref().unwrap().params.len(), 2);
    assert_eq!(
        p.hooks.pre_upgrade.as_ref().unwrap().guard,
        Some(f("main", "is_owner"))
    );
    assert_eq!(
        p.hooks.heartbeat.as_ref().unwrap().guard,
        Some(f("guards", "allow")),
        "an imported, renamed guard"
    );
    assert_eq!(
        p.hooks.inspect_message.as_ref().unwrap().function,
        f("main", "inspect")
    );
    assert!(
        p.methods
            .iter()
            .all(|m| !["init_", "beat", "inspect"].contains(&m.name.as_str())),
        "hooks are not methods"
    );

    let m = |name: &str| p.methods.iter().find(|m| m.name == name).unwrap();
    assert_eq!(m("guarded").guard, Some(f("main", "is_owner")));
    assert!(!m("guarded").manual_reply);
    assert!(m("manual_blob").manual_reply);
    assert_eq!(
        m("manual_blob").returns,
        [Type::Blob],
        "Manual[blob] declares blob"
    );
    assert!(m("manual_flag").manual_reply);

    let did = kybra_compiler::did::emit(&p).unwrap();
    assert!(did.contains("service : (text, nat64) -> {"), "{did}");
    assert!(did.contains("manual_blob : () -> (blob);"), "{did}");
}

/// A hook named like its decorator (`@init def init()`, `@query def query()`) is what
/// Python makes of it: the decorator is evaluated before the `def` rebinds the name.
#[test]
fn a_function_may_be_named_like_its_decorator() {
    let p = analyse(&[(
        "src/main.py",
        "from kybra import init, query, void\n@init\ndef init(x: bool) -> void:\n    pass\n@query\ndef query() -> bool:\n    return True\n",
    )]);
    let init = p.hooks.init.as_ref().expect("the init hook");
    assert_eq!(init.function.function, "init");
    assert_eq!(init.params.len(), 1);
    assert_eq!(
        p.methods
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["query"]
    );
    // `-> None` on a hook is `-> void`: a hook has no result.
    let p = analyse(&[(
        "src/main.py",
        "from kybra import init, pre_upgrade\n@init\ndef i() -> None:\n    pass\n@pre_upgrade\ndef p() -> None:\n    pass\n",
    )]);
    assert!(p.hooks.init.is_some() && p.hooks.pre_upgrade.is_some());
    // A later use of the name means the function, as in Python: not a decorator.
    let p = analyse(&[(
        "src/main.py",
        "from kybra import init, query, void\ndef init() -> void:\n    pass\n@init\ndef other() -> bool:\n    return True\n",
    )]);
    assert!(p.hooks.init.is_none());
}

#[test]
fn post_upgrade_parameters_alone_are_the_init_arguments() {
    let p = analyse(&[(
        "src/main.py",
        "from kybra import post_upgrade, query, void\n@post_upgrade\ndef p(x: bool) -> void:\n    pass\n@query\ndef q() -> bool:\n    return True\n",
    )]);
    let did = kybra_compiler::did::emit(&p).unwrap();
    assert!(did.contains("service : (bool) -> {"), "{did}");
}

fn assert_error(main: &str, position: &str, part: &str) {
    let errs = errors(main);
    assert!(
        errs.iter()
            .any(|e| e.starts_with(&format!("src/main.py:{position}: "))
                && e.contains(part)
                && e.contains(" — ")),
        "no error at {position} with `{part}` (and a hint) in {errs:#?}"
    );
}

const HEAD: &str = "from kybra import GuardResult, heartbeat, init, inspect_message, nat64, post_upgrade, pre_upgrade, query, update, void\n";

#[test]
fn misuses_are_diagnostics() {
    let e = |body: &str| format!("{HEAD}{body}");
    assert_error(
        &e("@heartbeat\ndef h(x: nat64) -> void:\n    pass\n"),
        "3:5",
        "`@heartbeat` function `h` cannot take parameters",
    );
    assert_error(
        &format!(
            "from kybra import Async\n{}",
            e("@init\ndef i() -> Async[void]:\n    yield\n")
        ),
        "4:12",
        "`@init` function `i` cannot be `Async`",
    );
    assert_error(
        &e("@init\ndef i() -> str:\n    return ''\n"),
        "3:12",
        "`@init` function `i` cannot return a value",
    );
    assert_error(
        &e("@init\ndef a() -> void:\n    pass\n@init\ndef b() -> void:\n    pass\n"),
        "6:5",
        "`@init` is already defined at src/main.py:3:5",
    );
    assert_error(
        &e("@init\ndef a(x: str) -> void:\n    pass\n@post_upgrade\ndef b(x: nat64) -> void:\n    pass\n"),
        "6:5",
        "`@post_upgrade` must take the same parameter types as `@init`",
    );
    assert_error(
        &e("@post_upgrade(guard=g)\ndef b() -> void:\n    pass\n"),
        "2:21",
        "`@post_upgrade` cannot have a guard function",
    );
    assert_error(
        &e("@update(guard=lambda: None)\ndef u() -> void:\n    pass\n"),
        "2:15",
        "a guard must be the name of a module-level function",
    );
    assert_error(
        &e("@update(guard=nowhere)\ndef u() -> void:\n    pass\n"),
        "2:15",
        "guard `nowhere` is not defined",
    );
    assert_error(
        &e("@query(cached=True)\ndef q() -> str:\n    return ''\n"),
        "2:15",
        "`@query` has no option `cached`",
    );
    assert_error(
        &e("@update(manual_reply=1)\ndef u() -> str:\n    return ''\n"),
        "2:22",
        "`manual_reply=` must be `True` or `False`",
    );
    assert_error(
        &e("@inspect_message\nasync def i() -> void:\n    pass\n"),
        "3:11",
        "`@inspect_message` function `i` cannot be `async def`",
    );
}
