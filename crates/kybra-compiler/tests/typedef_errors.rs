//! Every unsupported user-defined type is a located diagnostic saying what to write.
mod common;

use common::Project;

/// Builds `files` and expects exactly one error, at `path:position`, containing `parts`.
fn assert_one_in(files: &[(&str, &str)], at: &str, parts: &[&str]) {
    let errs = Project::new(files).errors();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let e = &errs[0];
    assert!(e.starts_with(&format!("{at}: ")), "expected at {at}: {e}");
    for p in parts {
        assert!(e.contains(p), "`{p}` missing from: {e}");
    }
    assert!(e.contains(" — "), "no hint in: {e}");
}

fn assert_one(main: &str, position: &str, parts: &[&str]) {
    assert_one_in(
        &[("src/main.py", main)],
        &format!("src/main.py:{position}"),
        parts,
    );
}

const HEAD: &str = "from kybra import Record, Variant, Service, service_query, Alias, Func, Query, Vec, query, nat\n";

fn with_head(body: &str) -> String {
    format!("{HEAD}{body}")
}

#[test]
fn record_field_without_annotation() {
    assert_one(
        &with_head("class R(Record):\n    x = 5\n@query\ndef f() -> R: ...\n"),
        "3:5",
        &["an assignment in Record `R` is not a field", "`name: text`"],
    );
}

#[test]
fn record_field_with_default() {
    assert_one(
        &with_head("class R(Record):\n    x: nat = 5\n@query\ndef f() -> R: ...\n"),
        "3:14",
        &[
            "field `x` of Record `R` has a default value",
            "remove `= ...`",
        ],
    );
}

#[test]
fn record_with_a_method() {
    assert_one(
        &with_head(
            "class R(Record):\n    x: nat\n    def m(self): pass\n@query\ndef f() -> R: ...\n",
        ),
        "4:9",
        &["Record `R` cannot have methods", "move `m` to module level"],
    );
}

#[test]
fn bad_field_type_is_reported_at_the_field() {
    assert_one(
        &with_head("class V(Variant, total=False):\n    A: dict\n@query\ndef f() -> V: ...\n"),
        "3:8",
        &["field `A` of Variant `V`", "`dict` is not a type"],
    );
}

#[test]
fn class_that_is_not_a_candid_type() {
    assert_one(
        &with_head("class Point:\n    x: nat\n@query\ndef f(p: Point) -> nat: ...\n"),
        "5:10",
        &[
            "parameter `p` of method `f`",
            "class `Point` is not a Candid type",
            "`class Point(Record):`",
        ],
    );
}

#[test]
fn unknown_name_in_a_string_annotation() {
    assert_one(
        &with_head("class R(Record):\n    friend: Vec[\"Usr\"]\n@query\ndef f() -> R: ...\n"),
        "3:18",
        &[
            "field `friend` of Record `R`",
            "`Usr` is not defined in module `main`",
            "define it",
        ],
    );
    assert_one(
        &with_head("@query\ndef f(x: 'Opt[') -> nat: ...\n"),
        "3:10",
        &["string annotation", "not a Python expression"],
    );
}

#[test]
fn unknown_name_in_another_module_is_reported_there() {
    assert_one_in(
        &[
            (
                "src/main.py",
                "from kybra import query\nfrom models import User\n@query\ndef f() -> User: ...\n",
            ),
            (
                "src/models.py",
                "from kybra import Record\n\nclass User(Record):\n    group: \"Group\"\n",
            ),
        ],
        "src/models.py:4:13",
        &[
            "field `group` of Record `User`",
            "`Group` is not defined in module `models`",
        ],
    );
    assert_one_in(
        &[
            (
                "src/main.py",
                "from kybra import query\nimport models\n@query\ndef f() -> models.Nope: ...\n",
            ),
            ("src/models.py", "x = 1\n"),
        ],
        "src/main.py:4:12",
        &["module `models` defines no `Nope`"],
    );
}

#[test]
fn service_method_without_decorator_or_self() {
    assert_one(
        &with_head("class S(Service):\n    def m(self) -> nat: ...\n@query\ndef f() -> S: ...\n"),
        "3:9",
        &[
            "method `m` of Service `S` has no `@service_query` or `@service_update`",
            "add the one",
        ],
    );
    assert_one(
        &with_head("class S(Service):\n    @service_query\n    def m() -> nat: ...\n@query\ndef f() -> S: ...\n"),
        "4:9",
        &["needs `self` as its first parameter"],
    );
    assert_one(
        &with_head("class S(Service):\n    @service_query\n    def m(self, x) -> nat: ...\n@query\ndef f() -> S: ...\n"),
        "4:17",
        &["parameter `x` of `S.m` has no type annotation"],
    );
    assert_one(
        &with_head("class S(Service):\n    x: nat\n@query\ndef f() -> S: ...\n"),
        "3:5",
        &["Service `S` may contain only methods"],
    );
}

#[test]
fn bare_alias_cycle() {
    assert_one(
        &with_head("A = Alias[\"B\"]\nB = Alias[\"A\"]\n@query\ndef f(a: A) -> nat: ...\n"),
        "2:5",
        &[
            "type alias `A` is defined only through itself (A → B → A)",
            "wrap the reference in Opt[...]",
        ],
    );
    assert_one(
        &with_head("A = Alias[\"A\"]\n@query\ndef f(a: A) -> nat: ...\n"),
        "2:5",
        &["(A → A)"],
    );
}

#[test]
fn variables_and_functions_are_not_types() {
    assert_one(
        &with_head("x = 5\n@query\ndef f(a: x) -> nat: ...\n"),
        "4:10",
        &["`x` is a variable, not a type", "Alias["],
    );
    assert_one(
        &with_head("def g(): pass\n@query\ndef f(a: g) -> nat: ...\n"),
        "4:10",
        &["`g` is a function, not a type"],
    );
}

#[test]
fn malformed_funcs() {
    assert_one(
        &with_head("F = Func(Query[[nat]])\n@query\ndef f() -> F: ...\n"),
        "2:10",
        &[
            "type alias `F`",
            "needs a parameter list and a return type",
            "Func(Query[[text, nat64], bool])",
        ],
    );
    assert_one(
        &with_head("F = Func(Query[nat, nat])\n@query\ndef f() -> F: ...\n"),
        "2:16",
        &["the parameters must be a list"],
    );
    assert_one(
        &with_head("@query\ndef f() -> Query[[], nat]: ...\n"),
        "3:12",
        &["only inside `Func(...)`"],
    );
}

#[test]
fn each_definition_error_is_reported_once() {
    let errs = Project::new(&[(
        "src/main.py",
        &with_head("class R(Record):\n    x: dict\n@query\ndef f(a: R) -> R: ...\n@query\ndef g() -> Vec[R]: ...\n"),
    )])
    .errors();
    assert_eq!(errs.len(), 1, "{errs:#?}");
}
