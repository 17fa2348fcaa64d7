//! Every user error names `file:line:col`, says what is wrong and what to write; all
//! errors of a build are reported together.
mod common;

use common::Project;

fn errors(main: &str) -> Vec<String> {
    Project::new(&[("src/main.py", main)]).errors()
}

fn assert_one(main: &str, position: &str, parts: &[&str]) {
    let errs = errors(main);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let e = &errs[0];
    assert!(e.starts_with(&format!("src/main.py:{position}: ")), "{e}");
    for p in parts {
        assert!(e.contains(p), "`{p}` missing from: {e}");
    }
    assert!(e.contains(" — "), "no hint in: {e}");
}

#[test]
fn missing_parameter_annotation() {
    assert_one(
        "from kybra import query\n@query\ndef f(x) -> str:\n    return x\n",
        "3:7",
        &[
            "parameter `x` of method `f` has no type annotation",
            "write e.g. `x: text`",
        ],
    );
}

#[test]
fn missing_return_annotation() {
    assert_one(
        "from kybra import query\n@query\ndef f(x: str):\n    return x\n",
        "3:5",
        &["method `f` has no return annotation", "`-> void`"],
    );
}

#[test]
fn unsupported_annotation() {
    assert_one(
        "from kybra import query\n@query\ndef f(x: dict) -> str:\n    return ''\n",
        "3:10",
        &[
            "parameter `x` of method `f`",
            "`dict` is not a type",
            "Opt[T]",
        ],
    );
    assert_one(
        "from kybra import update\n@update\ndef f() -> dict[str, int]:\n    return {}\n",
        "3:12",
        &["return type of method `f`", "`dict[str, int]`"],
    );
    assert_one(
        "from kybra import update\n@update\ndef f() -> str | int:\n    return 1\n",
        "3:12",
        &["union", "`T | None`"],
    );
    assert_one(
        "from kybra import update\nclass Point: pass\n@update\ndef f(p: Point) -> str:\n    return ''\n",
        "4:10",
        &["class `Point` is not a Candid type", "`class Point(Record):`"],
    );
    assert_one(
        "from kybra import update, Opt\n@update\ndef f(p: Opt) -> str:\n    return ''\n",
        "3:10",
        &["`Opt` needs a type argument", "`Opt[text]`"],
    );
    assert_one(
        "from kybra import update\n@update\ndef f(p: 'Strr') -> str:\n    return ''\n",
        "3:11",
        &["`Strr` is not defined in module `main`", "import it"],
    );
}

#[test]
fn void_is_return_only() {
    assert_one(
        "from kybra import update, void\n@update\ndef f(x: void) -> void:\n    pass\n",
        "3:10",
        &["`void` is only allowed as a return type", "`null`"],
    );
}

#[test]
fn star_args_and_kwargs() {
    let errs = errors("from kybra import update, void\n@update\ndef f(*args: str, **kw: str) -> void:\n    pass\n");
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs[0].starts_with("src/main.py:3:7: `*args` cannot be a Candid method parameter"),
        "{}",
        errs[0]
    );
    assert!(
        errs[1].starts_with("src/main.py:3:19: `**kw` cannot be a Candid method parameter"),
        "{}",
        errs[1]
    );
}

#[test]
fn keyword_only_parameters() {
    assert_one(
        "from kybra import update, void\n@update\ndef f(a: str, *, b: str) -> void:\n    pass\n",
        "3:18",
        &["keyword-only parameter `b`", "remove the `*`"],
    );
}

#[test]
fn async_hooks_other_than_heartbeat() {
    assert_one(
        "from kybra import init, void\n@init\nasync def f() -> void:\n    pass\n",
        "3:11",
        &[
            "`@init` function `f` cannot be `async def`",
            "write `def f(...)`",
        ],
    );
}

#[test]
fn duplicate_method_names_across_modules() {
    let p = Project::new(&[
        (
            "src/main.py",
            "from kybra import query\nimport other\n@query\ndef hello() -> str:\n    return ''\n",
        ),
        (
            "src/other.py",
            "from kybra import update\n\n@update\ndef hello() -> str:\n    return ''\n",
        ),
    ]);
    let errs = p.errors();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0]
            .starts_with("src/other.py:4:5: method `hello` is already defined at src/main.py:4:5"),
        "{}",
        errs[0]
    );
    assert!(errs[0].contains("rename one of them"));
}

#[test]
fn both_query_and_update() {
    assert_one(
        "from kybra import query, update\n@query\n@update\ndef f() -> str:\n    return ''\n",
        "3:2",
        &["both `@query` and `@update`", "keep exactly one"],
    );
}

#[test]
fn decorator_not_imported() {
    assert_one(
        "@query\ndef f() -> str:\n    return ''\n",
        "1:2",
        &["`query` is not defined", "from kybra import query"],
    );
}

#[test]
fn misplaced_decorator_options() {
    assert_one(
        "from kybra import init, void\ndef g():\n    return {'Ok': None}\n@init(guard=g)\ndef setup() -> void:\n    pass\n",
        "4:13",
        &["`@init` cannot have a guard function"],
    );
}

#[test]
fn syntax_errors() {
    let errs = errors("from kybra import query\n@query\ndef f( -> str:\n    return ''\n");
    assert!(!errs.is_empty());
    assert!(
        errs.iter()
            .all(|e| e.starts_with("src/main.py:3:") && e.contains("syntax error")),
        "{errs:#?}"
    );
}

#[test]
fn all_errors_are_collected() {
    let p = Project::new(&[
        (
            "src/main.py",
            "from kybra import query, update\nimport helper\nimport numpy\n@query\ndef a(x) -> str:\n    return ''\n@update\ndef b() -> dict:\n    return {}\n",
        ),
        ("src/helper.py", "from kybra import query\n@query\ndef c():\n    pass\n"),
    ]);
    let errs = p.errors();
    assert_eq!(errs.len(), 4, "{errs:#?}");
    assert!(
        errs[0].starts_with("src/helper.py:3:5: method `c` has no return annotation"),
        "{errs:#?}"
    );
    assert!(
        errs[1].starts_with("src/main.py:3:8: cannot import `numpy`"),
        "{errs:#?}"
    );
    assert!(
        errs[2].starts_with("src/main.py:5:7: parameter `x`"),
        "{errs:#?}"
    );
    assert!(
        errs[3].starts_with("src/main.py:8:12: return type of method `b`"),
        "{errs:#?}"
    );
}

#[test]
fn undecorated_and_foreign_decorators_are_plain_python() {
    let p = Project::new(&[(
        "src/main.py",
        "import functools\nfrom kybra import query\n\ndef helper(x):\n    return x\n\n\
         def query2(f):\n    return f\n\n@query2\ndef not_a_method(y):\n    return y\n\n\
         class C:\n    @query2\n    def method(self): ...\n\n\
         @query\ndef only() -> str:\n    return helper('')\n",
    )]);
    // functools is not in the test stdlib: that is the only complaint.
    let errs = p.errors();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].starts_with("src/main.py:1:8: cannot import `functools`"),
        "{errs:#?}"
    );
    let p = Project::new(&[(
        "src/main.py",
        "from kybra import query\n\ndef helper(x):\n    return x\n\n@query\ndef only() -> str:\n    return helper('')\n",
    )]);
    assert_eq!(p.build().unwrap().methods, 1);
}

#[test]
fn a_name_the_kybra_package_does_not_have() {
    assert_one(
        "from kybra import query, FuncTuple\n@query\ndef f() -> str:\n    return ''\n",
        "1:26",
        &[
            "cannot import `FuncTuple` from kybra: the kybra package has no such name — check the spelling",
            "`kybra.__all__`",
        ],
    );
    // Submodules, and an import the code guards, are fine.
    let p = Project::new(&[(
        "src/main.py",
        "from kybra import query, canisters\ntry:\n    from kybra import Nothing\nexcept ImportError:\n    pass\n@query\ndef f() -> str:\n    return ''\n",
    )]);
    assert_eq!(p.build().unwrap().methods, 1);
}

#[test]
fn entry_decorators_where_they_make_nothing() {
    let e = errors(
        "from kybra import heartbeat, query, update, void\n\
         @query\nclass C:\n    @update\n    def m(self) -> void: ...\n\
         def outer() -> None:\n    @heartbeat\n    def inner() -> void: ...\n\
         @query()\ndef fine() -> void: ...\n",
    );
    let want = [
        "src/main.py:2:2: `@query` on the class `C` makes nothing",
        "src/main.py:4:6: `@update` on the method `C.m` makes nothing",
        "src/main.py:7:6: `@heartbeat` on the nested function `inner` makes nothing",
    ];
    common::assert_diagnostics(&e, &want);
    assert!(e[0].contains("move it to a top-level `def`"), "{}", e[0]);
}
