//! Test harness of the runtime's host-side tests: builds a canister from Python source and
//! a hand-made method table (any Candid types, no annotations needed) with the real
//! runtime template (`build/assets`, or `$KYBRA_ASSETS_DIR`), installs it on a fresh
//! local replica and calls it with raw Candid bytes.
//!
//! Promises: when the assets have not been built, [`Harness::new`] prints `SKIPPED` with
//! what to run and returns `None`, so the suites pass on a machine without them (as the
//! compiler's `real_template` tests do); every other failure panics with its cause.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

use candid::Principal;
use ic_management_canister_types as mgmt;
use kybra_compiler::stdlib::Stdlib;
use kybra_compiler::Assets;
use kybra_interface::{Method, MethodKind, Param, Type, TypeDef};
use kybra_replica::{Reject, Replica, ReplicaConfig};
use sha2::{Digest, Sha256};

/// The real build assets.
pub struct Harness {
    template: Vec<u8>,
    index: Vec<u8>,
    code: Vec<u8>,
}

/// A method of the table: `name` calls the Python function of the same name in `main`.
pub fn method(name: &str, kind: MethodKind, params: &[Type], returns: Option<Type>) -> Method {
    Method {
        name: name.into(),
        module: "main".into(),
        function: name.into(),
        kind,
        params: params
            .iter()
            .enumerate()
            .map(|(i, ty)| Param {
                name: format!("arg{i}"),
                ty: ty.clone(),
            })
            .collect(),
        returns: returns.into_iter().collect(),
        guard: None,
        manual_reply: false,
    }
}

pub use kybra_test_support::principals::user;

impl Harness {
    /// The assets in `$KYBRA_ASSETS_DIR` (default `build/assets`), or `None` after printing
    /// why the test is skipped.
    pub fn new() -> Option<Harness> {
        let a = kybra_test_support::assets::read()?;
        Some(Harness {
            template: a.template,
            index: a.stdlib_index,
            code: a.stdlib_code,
        })
    }

    fn assets(&self) -> Assets<'_> {
        Assets {
            template: &self.template,
            stdlib_index: &self.index,
            stdlib_code: &self.code,
        }
    }

    /// Builds `source` (the module `main`, shipped with the standard-library modules it
    /// imports) with `methods` and the named `types`, and returns the module.
    pub fn build(&self, source: &str, methods: Vec<Method>, types: Vec<TypeDef>) -> Vec<u8> {
        self.build_with(&[("main", source)], methods, types)
    }

    /// [`Harness::build`] of several modules `(name, source)`; `main` is the entry.
    pub fn build_with(
        &self,
        modules: &[(&str, &str)],
        methods: Vec<Method>,
        types: Vec<TypeDef>,
    ) -> Vec<u8> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "kybra-runtime-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(root.join("src")).unwrap();
        for (name, source) in modules {
            std::fs::write(root.join(format!("src/{name}.py")), source).unwrap();
        }
        let main = root.join("src/main.py");
        let stdlib = Stdlib::parse(&self.index, &self.code).unwrap();
        let analysed = kybra_compiler::analyse_project(&main, &root, &stdlib);
        let _ = std::fs::remove_dir_all(&root);
        let (mut payload, user_modules) =
            analysed.unwrap_or_else(|e| panic!("the test source does not analyse: {e}"));
        payload.methods = methods;
        payload.types = types;
        let canister = kybra_compiler::package(&payload, user_modules, &self.assets())
            .unwrap_or_else(|e| panic!("{e}"));
        canister.wasm
    }

    /// Builds a project of `(module, source)` pairs (`main` is the entry) exactly as
    /// `kybra build` does: decorators, hooks, guards and types from the compiler's analysis.
    pub fn compile(&self, modules: &[(&str, &str)]) -> kybra_compiler::Canister {
        static N: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "kybra-runtime-project-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(root.join("src")).unwrap();
        for (name, source) in modules {
            std::fs::write(root.join(format!("src/{name}.py")), source).unwrap();
        }
        let built = kybra_compiler::build(&root.join("src/main.py"), &root, &self.assets());
        let _ = std::fs::remove_dir_all(&root);
        built.unwrap_or_else(|e| panic!("the test project does not build: {e}"))
    }

    /// [`Harness::build`], installed on a fresh replica.
    pub fn deploy(&self, source: &str, methods: Vec<Method>, types: Vec<TypeDef>) -> Canister {
        Canister::install(&self.build(source, methods, types))
    }

    /// [`Harness::build_with`], installed on a fresh replica.
    pub fn deploy_with(
        &self,
        modules: &[(&str, &str)],
        methods: Vec<Method>,
        types: Vec<TypeDef>,
    ) -> Canister {
        Canister::install(&self.build_with(modules, methods, types))
    }
}

/// An installed canister on its own replica.
pub struct Canister {
    pub replica: Replica,
    pub id: Principal,
}

impl Canister {
    /// Creates a canister on a new replica and installs `wasm` with an empty argument,
    /// through the chunk store (the module exceeds the 2 MiB message limit).
    pub fn install(wasm: &[u8]) -> Canister {
        Canister::install_with(wasm, &candid::encode_args(()).unwrap())
            .unwrap_or_else(|r| panic!("install failed: {r:?}"))
    }

    /// Creates a canister on a new replica and installs `wasm` with the init argument
    /// `arg`; `Err` is the install's reject (the canister stays empty).
    pub fn install_with(wasm: &[u8], arg: &[u8]) -> Result<Canister, Reject> {
        Canister::install_on(Replica::new(ReplicaConfig::default()), wasm, arg)
    }

    /// [`Canister::install`] on a replica whose clock stands still at `nanos` (move it with
    /// `replica.advance_time`; due timers run at `replica.tick()`).
    pub fn install_fixed_clock(wasm: &[u8], nanos: u64) -> Canister {
        let replica = Replica::new(ReplicaConfig {
            time: kybra_replica::TimeMode::Fixed(nanos),
            ..ReplicaConfig::default()
        });
        Canister::install_on(replica, wasm, &candid::encode_args(()).unwrap())
            .unwrap_or_else(|r| panic!("install failed: {r:?}"))
    }

    fn install_on(replica: Replica, wasm: &[u8], arg: &[u8]) -> Result<Canister, Reject> {
        let create = mgmt::ProvisionalCreateCanisterWithCyclesArgs {
            amount: None,
            settings: None,
            specified_id: None,
            sender_canister_version: None,
        };
        let out = replica
            .update(
                user(),
                Principal::management_canister(),
                None,
                "provisional_create_canister_with_cycles",
                &candid::encode_one(create).unwrap(),
            )
            .unwrap_or_else(|r| panic!("create failed: {r:?}"));
        let id = candid::decode_one::<mgmt::CanisterIdRecord>(&out)
            .unwrap()
            .canister_id;
        let c = Canister { replica, id };
        c.install_code(wasm, mgmt::CanisterInstallMode::Install, arg)
            .map(|()| c)
    }

    /// Installs `wasm` into this canister in `mode` with argument `arg`, through the chunk
    /// store, as the installer [`user`].
    pub fn install_code(
        &self,
        wasm: &[u8],
        mode: mgmt::CanisterInstallMode,
        arg: &[u8],
    ) -> Result<(), Reject> {
        let id = self.id;
        let call = |method: &str, target: Option<Principal>, arg: Vec<u8>| {
            self.replica.update(
                user(),
                Principal::management_canister(),
                target,
                method,
                &arg,
            )
        };
        self.replica.update(
            user(),
            Principal::management_canister(),
            Some(id),
            "clear_chunk_store",
            &candid::encode_one(mgmt::CanisterIdRecord { canister_id: id }).unwrap(),
        )?;
        let mut hashes: Vec<mgmt::ChunkHash> = Vec::new();
        for chunk in wasm.chunks(1024 * 1024) {
            let arg = mgmt::UploadChunkArgs {
                canister_id: id,
                chunk: chunk.to_vec(),
            };
            hashes.push(
                candid::decode_one(&call(
                    "upload_chunk",
                    Some(id),
                    candid::encode_one(arg).unwrap(),
                )?)
                .unwrap(),
            );
        }
        let install = mgmt::InstallChunkedCodeArgs {
            mode,
            target_canister: id,
            store_canister: None,
            chunk_hashes_list: hashes,
            wasm_module_hash: Sha256::digest(wasm).to_vec(),
            arg: arg.to_vec(),
            sender_canister_version: None,
        };
        call(
            "install_chunked_code",
            Some(id),
            candid::encode_one(install).unwrap(),
        )
        .map(|_| ())
    }

    /// Upgrades this canister to `wasm` with argument `arg`.
    pub fn upgrade(&self, wasm: &[u8], arg: &[u8]) -> Result<(), Reject> {
        self.install_code(wasm, mgmt::CanisterInstallMode::Upgrade(None), arg)
    }

    /// The canister's debug log, one string per line.
    pub fn log_lines(&self) -> Vec<String> {
        self.replica
            .logs(self.id)
            .iter()
            .map(|r| String::from_utf8_lossy(&r.content).into_owned())
            .collect()
    }

    /// An update call with raw Candid argument bytes.
    pub fn update(&self, method: &str, arg: &[u8]) -> Result<Vec<u8>, Reject> {
        self.replica.update(user(), self.id, None, method, arg)
    }

    /// A query call with raw Candid argument bytes.
    pub fn query(&self, method: &str, arg: &[u8]) -> Result<Vec<u8>, Reject> {
        self.replica.query(user(), self.id, method, arg)
    }

    /// Instructions the last message to this canister executed.
    pub fn last_instructions(&self) -> u64 {
        self.replica.last_instructions(self.id).unwrap_or(0)
    }
}

/// A method whose Candid name may differ from its Python function (several Candid
/// methods may share one function), with named parameters.
pub fn named_method(
    name: &str,
    function: &str,
    kind: MethodKind,
    params: &[(&str, Type)],
    returns: Option<Type>,
) -> Method {
    Method {
        name: name.into(),
        module: "main".into(),
        function: function.into(),
        kind,
        params: params
            .iter()
            .map(|(n, ty)| Param {
                name: (*n).into(),
                ty: ty.clone(),
            })
            .collect(),
        returns: returns.into_iter().collect(),
        guard: None,
        manual_reply: false,
    }
}

/// Candid values as text, encoded and decoded with the `candid` crate against the
/// canister's types (the reference implementation the runtime must agree with).
pub struct Values {
    env: candid::types::TypeEnv,
}

impl Values {
    pub fn new(types: &[TypeDef]) -> Values {
        let mut env = candid::types::TypeEnv::new();
        for def in types {
            env.0.insert(def.name.clone(), def.ty.to_candid());
        }
        Values { env }
    }

    fn candid(types: &[Type]) -> Vec<candid::types::Type> {
        types.iter().map(Type::to_candid).collect()
    }

    /// `text` (e.g. `(1, "a")`) parsed and typed with `types`.
    pub fn parse(&self, text: &str, types: &[Type]) -> candid::IDLArgs {
        let args = candid_parser::parse_idl_args(text)
            .unwrap_or_else(|e| panic!("bad test value {text}: {e}"));
        args.annotate_types(true, &self.env, &Self::candid(types))
            .unwrap_or_else(|e| panic!("{text} is not of the types: {e}"))
    }

    /// The message bytes of `text` as values of `types`.
    pub fn encode(&self, text: &str, types: &[Type]) -> Vec<u8> {
        let args = candid_parser::parse_idl_args(text)
            .unwrap_or_else(|e| panic!("bad test value {text}: {e}"));
        args.to_bytes_with_types(&self.env, &Self::candid(types))
            .unwrap_or_else(|e| panic!("cannot encode {text}: {e}"))
    }

    /// A reply decoded with `types`.
    pub fn decode(&self, bytes: &[u8], types: &[Type]) -> Result<candid::IDLArgs, String> {
        candid::IDLArgs::from_bytes_with_types(bytes, &self.env, &Self::candid(types))
            .map_err(|e| e.to_string())
    }
}

/// A reply holding one `text`.
pub fn text_reply(bytes: &[u8]) -> String {
    candid::decode_one::<String>(bytes).unwrap_or_else(|e| panic!("not a text reply: {e}"))
}

/// Python module `helpers`: `shape(x)` describes a value's Python structure and types
/// (`{age: int:35, name: str:'Ann'}`), `Svc` is a service class for `TypeDef::class`.
pub const SHAPE: &str = r#"
from kybra import Principal


class Svc:
    def __init__(self, canister_id):
        self.canister_id = canister_id

    def __repr__(self):
        return f"Svc({self.canister_id})"


def shape(x):
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {shape(v)}" for k, v in sorted(x.items())) + "}"
    if isinstance(x, list):
        return "[" + ", ".join(shape(v) for v in x) + "]"
    if isinstance(x, tuple):
        return "(" + ", ".join(shape(v) for v in x) + ")"
    if x is None or isinstance(x, Principal):
        return repr(x)
    if hasattr(x, "canister_id"):
        return f"{type(x).__name__}({x.canister_id})"
    return f"{type(x).__name__}:{x!r}"
"#;
