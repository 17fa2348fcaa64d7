//! Test helpers: throwaway project directories, a small stdlib bundle and a hand-written
//! runtime template with the same contract as the real one.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use kybra_compiler::{Assets, BuildError, Canister};

/// A temporary project directory, removed on drop.
pub struct Project {
    pub root: PathBuf,
}

impl Project {
    /// A project with the given files (paths relative to the root).
    pub fn new(files: &[(&str, &str)]) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "kybra-compiler-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Project { root }
    }

    pub fn main(&self) -> PathBuf {
        self.root.join("src/main.py")
    }

    pub fn build(&self) -> Result<Canister, BuildError> {
        let (index, code) = stdlib();
        let template = template();
        let assets = Assets {
            template: &template,
            stdlib_index: index.as_bytes(),
            stdlib_code: &code,
        };
        kybra_compiler::build(&self.main(), &self.root, &assets)
    }

    /// Builds and expects failure; returns the error lines.
    pub fn errors(&self) -> Vec<String> {
        match self.build() {
            Ok(_) => panic!("the build should have failed"),
            Err(e) => e.to_string().lines().map(str::to_string).collect(),
        }
    }
}

/// Checks that `errors` are exactly one line starting with each of `want` (any order).
#[allow(dead_code)] // not every test binary that shares this module uses it
pub fn assert_diagnostics(errors: &[String], want: &[&str]) {
    for w in want {
        assert!(
            errors.iter().any(|l| l.starts_with(w)),
            "missing {w:?} in\n{}",
            errors.join("\n")
        );
    }
    assert_eq!(errors.len(), want.len(), "{}", errors.join("\n"));
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// (name, package, imports) of the test stdlib; each module's code is `<name>` as bytes.
const MODULES: &[(&str, bool, &[&str])] = &[
    ("encodings", true, &["codecs", "encodings.aliases"]),
    ("encodings.aliases", false, &[]),
    ("codecs", false, &[]),
    ("kybra", true, &["kybra.principal", "typing", "_kybra_ic"]),
    ("kybra.principal", false, &["binascii"]),
    ("typing", false, &["collections", "re"]),
    ("collections", true, &[]),
    ("re", true, &["enum"]),
    ("enum", false, &[]),
    ("json", true, &["json.decoder", "json.encoder"]),
    ("json.decoder", false, &["re"]),
    ("json.encoder", false, &["re"]),
    ("os", false, &["posixpath", "_collections_abc"]),
    ("posixpath", false, &["os"]),
    ("_collections_abc", false, &[]),
    ("__future__", false, &[]),
];

/// Modules of the test bundle the interpreter carries deep-frozen (`frozen` in stdlib.json).
pub const FROZEN: &[&str] = &["os", "_collections_abc"];

/// The test bundle: (`stdlib.json`, `stdlib.bin`).
pub fn stdlib() -> (String, Vec<u8>) {
    let mut code = Vec::new();
    let mut entries = Vec::new();
    for (name, package, imports) in MODULES {
        let bytes = format!("<{name}>");
        let imports: Vec<String> = imports.iter().map(|i| format!("\"{i}\"")).collect();
        entries.push(format!(
            "\"{name}\": {{\"package\": {package}, \"imports\": [{}], \"offset\": {}, \"size\": {}}}",
            imports.join(", "),
            code.len(),
            bytes.len()
        ));
        code.extend_from_slice(bytes.as_bytes());
    }
    let index = format!(
        "{{\"python_version\": \"3.11.2\", \"bootstrap\": [\"encodings\", \"encodings.aliases\", \"codecs\"], \"modules\": {{{}}}, \"frozen\": [{}]}}",
        entries.join(",\n"),
        FROZEN.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ")
    );
    (index, code)
}

/// A runtime template with the real one's contract: imports `ic0` and the two payload
/// functions, a memory, `kybra_dispatch`, `canister_init`.
pub const TEMPLATE_WAT: &str = r#"
(module
  (import "ic0" "msg_reply" (func $reply))
  (import "kybra" "payload_size" (func $size (result i32)))
  (import "kybra" "payload_copy" (func $copy (param i32)))
  (memory (export "memory") 1)
  (global $last (mut i32) (i32.const -1))
  (func $init (export "canister_init")
    (call $copy (i32.const 1024)))
  (func $dispatch (export "kybra_dispatch") (param i32)
    (global.set $last (local.get 0))
    (drop (call $size))
    (call $reply))
  (@custom "icp:public cdk" "old")
)
"#;

pub fn template() -> Vec<u8> {
    wat::parse_str(TEMPLATE_WAT).unwrap()
}

/// The book's Hello World `src/main.py`, verbatim (the repository's one copy).
pub const HELLO_WORLD: &str = include_str!("../../../../examples/hello_world/src/main.py");

pub const HELLO_WORLD_DID: &str =
    "service : { get_message : () -> (text) query; set_message : (text) -> () }";

/// Parses and checks a `.did` text: its type environment and service.
pub fn load_did(text: &str) -> (candid::TypeEnv, candid::types::Type) {
    let prog: candid_parser::IDLProg = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut env = candid::TypeEnv::new();
    let actor =
        candid_parser::check_prog(&mut env, &prog).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (env, actor.expect("a service"))
}

/// How the record fields and variant cases of two Candid types must correspond.
#[derive(Clone, Copy)]
pub enum Labels {
    /// The same names on both sides.
    Equal,
    /// Every name of ours is in theirs (theirs may have more).
    Within,
}

/// Where the record fields and variant cases of `ours` and `theirs` (types of `env`) do not
/// correspond as `labels` says, all the way down, each prefixed with its path from `path`:
/// subtyping alone would let an optional field with a misspelt name through.
pub fn label_problems(
    env: &candid::TypeEnv,
    ours: &candid::types::Type,
    theirs: &candid::types::Type,
    path: &str,
    labels: Labels,
) -> Vec<String> {
    let mut out = Vec::new();
    walk_labels(
        env,
        ours,
        theirs,
        path,
        labels,
        &mut Default::default(),
        &mut out,
    );
    out
}

fn walk_labels(
    env: &candid::TypeEnv,
    ours: &candid::types::Type,
    theirs: &candid::types::Type,
    path: &str,
    labels: Labels,
    seen: &mut std::collections::HashSet<(candid::types::Type, candid::types::Type)>,
    out: &mut Vec<String>,
) {
    use candid::types::TypeInner;
    let (a, b) = (
        env.trace_type(ours).unwrap(),
        env.trace_type(theirs).unwrap(),
    );
    if !seen.insert((a.clone(), b.clone())) {
        return;
    }
    let mut down = |x, y, at: String| walk_labels(env, x, y, &at, labels, seen, out);
    match (a.as_ref(), b.as_ref()) {
        (TypeInner::Opt(x), TypeInner::Opt(y)) | (TypeInner::Vec(x), TypeInner::Vec(y)) => {
            down(x, y, path.to_string())
        }
        (TypeInner::Record(fs), TypeInner::Record(gs))
        | (TypeInner::Variant(fs), TypeInner::Variant(gs)) => {
            let names =
                |v: &[candid::types::Field]| v.iter().map(|f| f.id.to_string()).collect::<Vec<_>>();
            if let Labels::Equal = labels {
                if names(fs) != names(gs) {
                    out.push(format!("{path}: {:?} against {:?}", names(fs), names(gs)));
                    return;
                }
            }
            let mut missing = Vec::new();
            for f in fs {
                match gs.iter().find(|g| g.id == f.id) {
                    Some(g) => down(&f.ty, &g.ty, format!("{path}.{}", f.id)),
                    None => missing.push(format!("{path}: `{}` is not in theirs", f.id)),
                }
            }
            out.extend(missing);
        }
        (TypeInner::Func(f), TypeInner::Func(g)) => {
            for (i, (x, y)) in f.args.iter().zip(&g.args).enumerate() {
                down(x, y, format!("{path}(arg {i})"));
            }
            for (i, (x, y)) in f.rets.iter().zip(&g.rets).enumerate() {
                down(x, y, format!("{path}(result {i})"));
            }
        }
        _ => {}
    }
}
