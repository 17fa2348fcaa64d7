//! The Kybra Book's "Candid" chapter: each Python example compiles to the Candid the book
//! describes (compared as Candid types, with the book's typos corrected to what its Python
//! says), and the generated `.did` names its types after the Python classes and aliases.
mod common;

use std::collections::HashSet;

use candid::types::subtype::equal;
use candid::TypeEnv;
use common::Project;
use kybra_interface::{PyClass, Type};

/// Parses and checks a `.did` text: its type environment and service.
fn load(text: &str) -> (TypeEnv, candid::types::Type) {
    let prog: candid_parser::IDLProg = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut env = TypeEnv::new();
    let actor =
        candid_parser::check_prog(&mut env, &prog).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (env, actor.expect("a service"))
}

/// Builds `main` and checks its `.did` is the same service as `expected` and defines the
/// named types `names`. Returns the generated `.did`.
fn assert_candid(main: &str, expected: &str, names: &[&str]) -> String {
    let c = Project::new(&[("src/main.py", main)])
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let (mut env, generated) = load(&c.did);
    let (env2, wanted) = load(expected);
    let wanted = env.merge_type(env2, wanted);
    if let Err(e) = equal(&mut HashSet::new(), &env, &generated, &wanted) {
        panic!("generated .did differs from the expected one: {e}\n--- generated\n{}\n--- expected\n{expected}", c.did);
    }
    let defined: Vec<&str> = c
        .did
        .lines()
        .filter_map(|l| l.strip_prefix("type ")?.split(' ').next())
        .collect();
    let mut names = names.to_vec();
    names.sort();
    assert_eq!(defined, names, "{}", c.did);
    c.did
}

pub const CANDID_TYPES: &str = include_str!("../../../examples/candid_types/src/main.py");

#[test]
fn the_big_example() {
    assert_candid(
        CANDID_TYPES,
        r#"
        type Candid = record {
            "text": text; "blob": blob; "nat": nat; "nat64": nat64; "nat32": nat32; "nat16": nat16;
            "nat8": nat8; "int": int; "int64": int64; "int32": int32; "int16": int16; "int8": int8;
            "float64": float64; "float32": float32; "bool": bool; "null": null; "vec": vec text;
            "opt": opt nat; "record": CandidRecord; "variant": CandidVariant; "func": CandidFunc;
            "service": MyService; "principal": principal;
        };
        type CandidRecord = record { first_name: text; last_name: text; age: nat8 };
        type CandidVariant = variant { Tag1; Tag2; Tag3: int };
        type MyService = service { query1: () -> (bool) query; update1: () -> (text) };
        type CandidFunc = func () -> (Candid) query;
        service : { candid_types: () -> (Candid) query }
        "#,
        &[
            "Candid",
            "CandidFunc",
            "CandidRecord",
            "CandidVariant",
            "MyService",
        ],
    );
}

#[test]
fn the_big_example_payload_names_the_service_class() {
    let p = Project::new(&[("src/main.py", CANDID_TYPES)]);
    let (index, code) = common::stdlib();
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(index.as_bytes(), &code).unwrap();
    let (payload, _) = kybra_compiler::analyse_project(&p.main(), &p.root, &stdlib).unwrap();
    let service = payload
        .types
        .iter()
        .find(|t| t.name == "MyService")
        .unwrap();
    assert_eq!(
        service.class,
        Some(PyClass {
            module: "main".into(),
            name: "MyService".into()
        })
    );
    assert!(payload
        .types
        .iter()
        .filter(|t| t.name != "MyService")
        .all(|t| t.class.is_none()));
    assert_eq!(
        payload.methods[0].returns,
        vec![Type::Named("Candid".into())]
    );
}

#[test]
fn records() {
    // The book's Candid says `threads`; its Python says `thread`, which is the truth.
    assert_candid(
        "from kybra import Record, Vec, query\n\
         class Post(Record):\n    id: str\n    author: \"User\"\n    text: str\n    thread: \"Thread\"\n\
         class Thread(Record):\n    id: str\n    author: \"User\"\n    posts: Vec[Post]\n    title: str\n\
         class User(Record):\n    id: str\n    posts: Vec[Post]\n    thread: Vec[Thread]\n    username: str\n\
         @query\ndef get_post() -> Post: ...\n",
        r#"
        type Post = record { "id": text; "author": User; "text": text; "thread": Thread };
        type Thread = record { "id": text; "author": User; "posts": vec Post; "title": text };
        type User = record { "id": text; "posts": vec Post; "thread": vec Thread; "username": text };
        service : { get_post: () -> (Post) query }
        "#,
        &["Post", "Thread", "User"],
    );
}

#[test]
fn variants() {
    // The book's Candid drops ThumbsDown and shows Firework as a record; the Python is the truth.
    assert_candid(
        "from kybra import nat32, null, Variant, query\n\n\
         class ReactionType(Variant, total=False):\n    Fire: null\n    ThumbsUp: null\n    ThumbsDown: null\n    Emotion: \"Emotion\"\n    Firework: \"Firework\"\n\n\
         class Emotion(Variant, total=False):\n    Happy: null\n    Sad: null\n\n\
         class Firework(Variant, total=False):\n    Color: str\n    NumStreaks: nat32\n\
         @query\ndef react(r: ReactionType) -> ReactionType: ...\n",
        r#"
        type ReactionType = variant { "Fire": null; "ThumbsUp": null; "ThumbsDown": null; "Emotion": Emotion; "Firework": Firework };
        type Emotion = variant { "Happy": null; "Sad": null };
        type Firework = variant { "Color": text; "NumStreaks": nat32 };
        service : { react: (ReactionType) -> (ReactionType) query }
        "#,
        &["Emotion", "Firework", "ReactionType"],
    );
}

#[test]
fn funcs() {
    assert_candid(
        "from kybra import Func, nat64, null, Principal, query, Query, Record, Update, Variant\n\
         class User(Record):\n    id: str\n    basic_func: \"BasicFunc\"\n    complex_func: \"ComplexFunc\"\n\
         class Reaction(Variant, total=False):\n    Good: null\n    Bad: null\n    BasicFunc: \"BasicFunc\"\n    ComplexFunc: \"ComplexFunc\"\n\
         BasicFunc = Func(Query[[str], str])\n\
         ComplexFunc = Func(Update[[User, Reaction], nat64])\n\
         @query\ndef get_basic_func() -> BasicFunc:\n    return (Principal.from_str(\"rrkah-fqaaa-aaaaa-aaaaq-cai\"), \"simple_function_name\")\n\
         @query\ndef get_complex_func() -> ComplexFunc:\n    return (Principal.from_str(\"ryjl3-tyaaa-aaaaa-aaaba-cai\"), \"complex_function_name\")\n",
        r#"
        type User = record { "id": text; "basic_func": BasicFunc; "complex_func": ComplexFunc };
        type Reaction = variant { "Good": null; "Bad": null; "BasicFunc": BasicFunc; "ComplexFunc": ComplexFunc };
        type BasicFunc = func (text) -> (text) query;
        type ComplexFunc = func (User, Reaction) -> (nat64);
        service : { "get_basic_func": () -> (BasicFunc) query; "get_complex_func": () -> (ComplexFunc) query }
        "#,
        &["BasicFunc", "ComplexFunc", "Reaction", "User"],
    );
}

#[test]
fn oneway_and_composite_query_funcs() {
    assert_candid(
        "from kybra import Func, Oneway, CompositeQuery, Opt, Update, query, text, void\n\
         Notify = Func(Oneway[[text]])\nPeek = Func(CompositeQuery[[], Opt[text]])\nDone = Func(Update[[], void])\n\
         @query\ndef f(n: Notify, p: Peek) -> Done: ...\n",
        r#"
        type Notify = func (text) -> () oneway;
        type Peek = func () -> (opt text) composite_query;
        type Done = func () -> ();
        service : { f: (Notify, Peek) -> (Done) query }
        "#,
        &["Done", "Notify", "Peek"],
    );
}

#[test]
fn services() {
    // The book's snippet also has `call_service`, a cross-canister call (not this chapter).
    assert_candid(
        "from kybra import Principal, query, Service, service_query, service_update\n\
         class SomeService(Service):\n    @service_query\n    def query1(self) -> bool: ...\n    @service_update\n    def update1(self) -> str: ...\n\
         @query\ndef get_service() -> SomeService:\n    return SomeService(Principal.from_str(\"aaaaa-aa\"))\n",
        r#"
        type SomeService = service { query1 : () -> (bool) query; update1 : () -> (text) };
        service : { get_service: () -> (SomeService) query }
        "#,
        &["SomeService"],
    );
}

#[test]
fn principal_reserved_empty_null_opt_vec() {
    assert_candid(
        "from kybra import ic, Principal, query, reserved, empty, null, Opt, Vec, int32\n\
         @query\ndef get_principal() -> Principal: ...\n\
         @query\ndef print_principal(principal: Principal) -> Principal: ...\n\
         @query\ndef print_reserved(reserved: reserved) -> reserved: ...\n\
         @query\ndef print_empty(empty: empty) -> empty: ...\n\
         @query\ndef print_null(none: null) -> null: ...\n\
         @query\ndef get_opt_some() -> Opt[bool]: ...\n\
         @query\ndef get_numbers() -> Vec[int32]: ...\n",
        r#"service: {
            "get_principal": () -> (principal) query;
            "print_principal": (principal) -> (principal) query;
            "print_reserved": (reserved) -> (reserved) query;
            "print_empty": (empty) -> (empty) query;
            "print_null": (null) -> (null) query;
            "get_opt_some": () -> (opt bool) query;
            "get_numbers": () -> (vec int32) query;
        }"#,
        &[],
    );
}

#[test]
fn aliases_and_tuples() {
    // The StableBTreeMap chapter's signatures (the map itself is not part of this test).
    assert_candid(
        "from kybra import Alias, nat64, nat8, Opt, query, Tuple, update, Vec\n\
         Key = Alias[nat8]\nValue = Alias[str]\n\
         @query\ndef contains_key(key: Key) -> bool: ...\n\
         @query\ndef get(key: Key) -> Opt[Value]: ...\n\
         @update\ndef insert(key: Key, value: Value) -> Opt[Value]: ...\n\
         @query\ndef items() -> Vec[Tuple[Key, Value]]: ...\n\
         @query\ndef len() -> nat64: ...\n",
        r#"
        type Key = nat8;
        type Value = text;
        service : {
            contains_key: (Key) -> (bool) query;
            get: (Key) -> (opt Value) query;
            insert: (Key, Value) -> (opt Value);
            items: () -> (vec record { Key; Value }) query;
            len: () -> (nat64) query;
        }
        "#,
        &["Key", "Value"],
    );
}

#[test]
fn http_request_types() {
    // The book's http_request example: a plain alias (`Header = Tuple[str, str]`), a
    // Variant without `total=False`, a Func whose signature names types in strings.
    assert_candid(
        "from kybra import blob, Func, nat16, Opt, query, Query, Record, Tuple, Variant, Vec\n\
         class HttpRequest(Record):\n    method: str\n    url: str\n    headers: Vec[\"Header\"]\n    body: blob\n\
         class HttpResponse(Record):\n    status_code: nat16\n    headers: Vec[\"Header\"]\n    body: blob\n    streaming_strategy: Opt[\"StreamingStrategy\"]\n    upgrade: Opt[bool]\n\
         Header = Tuple[str, str]\n\
         class StreamingStrategy(Variant):\n    Callback: \"CallbackStrategy\"\n\
         class CallbackStrategy(Record):\n    callback: \"Callback\"\n    token: \"Token\"\n\
         Callback = Func(Query[[\"Token\"], \"StreamingCallbackHttpResponse\"])\n\
         class StreamingCallbackHttpResponse(Record):\n    body: blob\n    token: Opt[\"Token\"]\n\
         class Token(Record):\n    arbitrary_data: str\n\
         @query\ndef http_request(req: HttpRequest) -> HttpResponse: ...\n",
        r#"
        type Header = record { text; text };
        type HttpRequest = record { method: text; url: text; headers: vec Header; body: blob };
        type HttpResponse = record { status_code: nat16; headers: vec Header; body: blob;
            streaming_strategy: opt StreamingStrategy; upgrade: opt bool };
        type StreamingStrategy = variant { Callback: CallbackStrategy };
        type CallbackStrategy = record { callback: Callback; token: Token };
        type Callback = func (Token) -> (StreamingCallbackHttpResponse) query;
        type StreamingCallbackHttpResponse = record { body: blob; token: opt Token };
        type Token = record { arbitrary_data: text };
        service : { http_request: (HttpRequest) -> (HttpResponse) query }
        "#,
        &["Callback", "CallbackStrategy", "Header", "HttpRequest", "HttpResponse", "StreamingCallbackHttpResponse", "StreamingStrategy", "Token"],
    );
}

/// `examples/candid_snippets`: the chapter's snippets as one multi-module canister.
#[test]
fn the_snippets_example() {
    macro_rules! file {
        ($name:literal) => {
            (
                concat!("src/", $name),
                include_str!(concat!("../../../examples/candid_snippets/src/", $name)),
            )
        };
    }
    let files = [
        file!("main.py"),
        file!("records.py"),
        file!("variants.py"),
        file!("funcs.py"),
        file!("services.py"),
        file!("primitives.py"),
        file!("scalars.py"),
    ];
    let c = Project::new(&files)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let defined: Vec<&str> = c
        .did
        .lines()
        .filter_map(|l| l.strip_prefix("type ")?.split(' ').next())
        .collect();
    assert_eq!(
        defined,
        [
            "BasicFunc",
            "ComplexFunc",
            "Emotion",
            "Firework",
            "Header",
            "Key",
            "Post",
            "Reaction",
            "ReactionType",
            "SomeService",
            "Thread",
            "User",
            "Value",
            "funcs_User"
        ],
        "{}",
        c.did
    );
    // Every client of this interface (a part of the service) is served.
    kybra_compiler::check_did(
        &c.did,
        r#"
        type Post = record { "id": text; "author": User; "text": text; "thread": Thread };
        type Thread = record { "id": text; "author": User; "posts": vec Post; "title": text };
        type User = record { "id": text; "posts": vec Post; "thread": vec Thread; "username": text };
        type FuncUser = record { "id": text; "basic_func": BasicFunc; "complex_func": ComplexFunc };
        type Reaction = variant { "Good": null; "Bad": null; "BasicFunc": BasicFunc; "ComplexFunc": ComplexFunc };
        type BasicFunc = func (text) -> (text) query;
        type ComplexFunc = func (FuncUser, Reaction) -> (nat64);
        type SomeService = service { query1 : () -> (bool) query; update1 : () -> (text) };
        service : {
            get_user: () -> (User) query;
            get_complex_func: () -> (ComplexFunc) query;
            get_service: () -> (SomeService) query;
            items: (vec nat8) -> (vec record { nat8; text }) query;
            headers: () -> (vec record { text; text }) query;
            get_empty: () -> (empty) query;
        }
        "#,
    )
    .unwrap_or_else(|e| panic!("{e:#?}\n{}", c.did));
}
