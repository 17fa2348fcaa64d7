//! The contract between the Kybra compiler (native) and the in-canister runtime (wasm).
//!
//! The compiler analyses a Python project and produces a [`Payload`]: the Python modules
//! the canister needs and the table of its public methods with their Candid types. It
//! encodes the payload with Candid ([`Payload::encode`]) and places the bytes in a passive
//! data segment of a copy of the runtime template. The runtime reads them back
//! ([`Payload::decode`]) through the two functions the template imports from
//! [`PAYLOAD_IMPORT_MODULE`], which the compiler replaces with local functions.
//!
//! Promises:
//! - `Payload::decode(&p.encode()) == Ok(p)` for every payload.
//! - [`Type::to_candid`] gives the one Candid type both sides use, so what the `.did`
//!   declares and what the runtime accepts on the wire cannot drift apart.

use candid::types::{
    Field as CandidField, FuncMode as CandidFuncMode, Function, Label, Type as CandidType_,
    TypeEnv, TypeInner,
};
use std::collections::{HashMap, HashSet};

use candid::{CandidType, Deserialize};
use serde::Serialize;
use serde_bytes::ByteBuf;

/// Wasm import module of the payload accessors in the runtime template.
pub const PAYLOAD_IMPORT_MODULE: &str = "kybra";
/// `() -> i32`: the payload's length in bytes.
pub const PAYLOAD_SIZE_IMPORT: &str = "payload_size";
/// `(dst: i32) -> ()`: copies the whole payload to linear memory at `dst`.
pub const PAYLOAD_COPY_IMPORT: &str = "payload_copy";
/// `(method_index: i32) -> ()`: exported by the template; each `canister_query NAME` /
/// `canister_update NAME` trampoline calls it with the method's index in
/// [`Payload::methods`]. The compiler removes this export from the final module.
pub const DISPATCH_EXPORT: &str = "kybra_dispatch";

/// Everything the runtime needs to know about one canister.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct Payload {
    /// Python modules to make importable, user code and the standard-library closure.
    pub modules: Vec<PyModule>,
    /// Dotted name of the module to import at install (the project's `main`).
    pub entry: String,
    /// Public methods; a trampoline passes the index into this vector.
    pub methods: Vec<Method>,
    /// Named Candid types (records, variants, aliases) referred to by [`Type::Named`].
    pub types: Vec<TypeDef>,
    /// The lifecycle and system entry points the canister defines (`@init`, ...).
    pub hooks: Hooks,
    /// Every stable structure the canister declares at module level (`StableBTreeMap`, ...).
    pub stable_structures: Vec<StableStructure>,
    /// Environment variables baked in at build time (`CANISTER_ID_<NAME>`, `DFX_NETWORK`):
    /// the canister's `os.environ`.
    pub env: Vec<(String, String)>,
    /// Files of installed packages (PyPI) the canister imports: their modules and data,
    /// written into the canister's file system under [`SITE_PACKAGES`] before the
    /// interpreter starts; that folder is then on `sys.path` (only when this is not empty).
    pub site_packages: Vec<SiteFile>,
    /// `StableFileSystem(...)` declared at module level: the canister's files live in
    /// stable memory (memory ids [`FILE_SYSTEM_MEMORY_IDS`]) and survive upgrades; `None`:
    /// they live on the heap, as before, and an upgrade starts with none.
    pub file_system: Option<StableFileSystem>,
}

/// The memory ids of the stable file system in the stable structures' memory manager
/// (`stable-fs` takes ten). While a canister declares `StableFileSystem`, no stable
/// structure may use them.
pub const FILE_SYSTEM_MEMORY_IDS: std::ops::Range<u8> = 244..254;

/// The largest file of a stable file system unless `max_file_size` says otherwise: 1 GiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1 << 30;

/// A stable file system declaration: `StableFileSystem(max_file_size=…)`.
#[derive(CandidType, Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StableFileSystem {
    /// The largest file in bytes: a write or truncation past it fails with `EFBIG` (Python:
    /// `OSError`) and changes nothing.
    pub max_file_size: u64,
}

/// Where [`Payload::site_packages`] are written in the canister's file system, and the
/// `sys.path` entry CPython's path finder imports them from (so they have `__file__`,
/// `__path__` and loaders that read package data).
pub const SITE_PACKAGES: &str = "/lib/python3.11/site-packages";

/// One file of an installed package.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct SiteFile {
    /// Relative to [`SITE_PACKAGES`], `/`-separated: `jinja2/utils.py`, `certifi/cacert.pem`.
    pub path: String,
    pub data: ByteBuf,
}

/// A Python function, by module and name.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct FunctionRef {
    pub module: String,
    pub function: String,
}

/// A lifecycle or system entry point: the Python function and its Candid parameters
/// (only `init` and `post_upgrade` take any: the service's init arguments).
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct Hook {
    pub function: FunctionRef,
    pub params: Vec<Param>,
    /// `guard=` of `@heartbeat` / `@inspect_message`.
    pub guard: Option<FunctionRef>,
}

/// The canister's lifecycle and system entry points; `None` when not defined.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq, Default)]
pub struct Hooks {
    pub init: Option<Hook>,
    pub pre_upgrade: Option<Hook>,
    pub post_upgrade: Option<Hook>,
    pub heartbeat: Option<Hook>,
    pub inspect_message: Option<Hook>,
}

/// Which stable structure a declaration makes (`python/kybra/_stable_structures.py`).
#[derive(CandidType, Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StableKind {
    /// `StableBTreeMap[K, V]`: the only kind with a value type.
    BTreeMap,
    /// `StableBTreeSet[K]`.
    BTreeSet,
    /// `StableVec[T]`.
    Vec,
    /// `StableLog[T](index_memory_id=…, data_memory_id=…)`: `memory_id` is the index's.
    Log { data_memory_id: u8 },
    /// `StableCell[T](memory_id=…, initial=…)`.
    Cell,
    /// `StableMinHeap[T]`.
    MinHeap,
}

/// A module-level stable structure declaration, e.g.
/// `StableBTreeMap[K, V](memory_id=M, max_key_size=…, max_value_size=…)` or
/// `StableVec[T](memory_id=M, max_size=…)`.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct StableStructure {
    pub kind: StableKind,
    pub memory_id: u8,
    /// The map's key type; the element type of the other kinds.
    pub key: Type,
    /// The map's value type (`None` for the other kinds).
    pub value: Option<Type>,
    /// The largest encoded key (map) or element (other kinds); `None`: no limit.
    pub max_key_size: Option<u32>,
    /// The largest encoded value of a map; `None`: no limit (always for the other kinds).
    pub max_value_size: Option<u32>,
}

impl StableStructure {
    /// The memory ids the structure takes (a log takes two).
    pub fn memory_ids(&self) -> Vec<u8> {
        match self.kind {
            StableKind::Log { data_memory_id } => vec![self.memory_id, data_memory_id],
            _ => vec![self.memory_id],
        }
    }
}

/// One importable Python module.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct PyModule {
    /// Dotted module name, e.g. `json.decoder`.
    pub name: String,
    /// True for a package (`__init__`), whose submodules are importable beneath it.
    pub is_package: bool,
    pub code: ModuleCode,
}

#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub enum ModuleCode {
    /// Source text, compiled by the runtime's own interpreter at install.
    /// `filename` is what tracebacks show (the path relative to the project).
    Source { filename: String, text: String },
    /// A code object serialised with the runtime CPython's `marshal.dumps` (no pyc header).
    Bytecode(ByteBuf),
}

/// One public method of the canister.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct Method {
    /// The Candid method name (what callers use).
    pub name: String,
    /// Dotted name of the module that defines the Python function.
    pub module: String,
    /// Name of the Python function inside `module`.
    pub function: String,
    pub kind: MethodKind,
    pub params: Vec<Param>,
    /// Result types: empty for `void`, one type otherwise.
    pub returns: Vec<Type>,
    /// `guard=`: runs before the method; an `Err` result rejects the call.
    pub guard: Option<FunctionRef>,
    /// `manual_reply=True` (or a `Manual[T]` result): the function replies itself.
    pub manual_reply: bool,
}

#[derive(CandidType, Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodKind {
    Query,
    CompositeQuery,
    Update,
}

impl MethodKind {
    /// The name of the export the IC calls for a method of this kind.
    pub fn export_name(self, method: &str) -> String {
        match self {
            MethodKind::Query => format!("canister_query {method}"),
            MethodKind::CompositeQuery => format!("canister_composite_query {method}"),
            MethodKind::Update => format!("canister_update {method}"),
        }
    }
}

#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: Type,
}

/// A named type: a Python `Record`/`Variant`/`Service` class or an alias.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// The Candid name (the Python class or alias name).
    pub name: String,
    pub ty: Type,
    /// The Python class values of this type are made of, when the runtime must build one
    /// (a `Service` subclass: a service reference becomes an instance of it).
    pub class: Option<PyClass>,
}

/// A Python class, by module and name.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct PyClass {
    pub module: String,
    pub name: String,
}

/// A record field or variant case.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct Field {
    /// The Candid label.
    pub name: String,
    pub ty: Type,
    /// The Python dict key, when it differs from the label: a field whose label is a Python
    /// keyword is written with a trailing underscore (`class_: text` is label `class`).
    pub python_name: Option<String>,
}

impl Field {
    /// A field whose Python key is its Candid label.
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Field {
            name: name.into(),
            ty,
            python_name: None,
        }
    }

    /// The key of this field in the Python dict.
    pub fn key(&self) -> &str {
        self.python_name.as_deref().unwrap_or(&self.name)
    }
}

/// How a function reference may be called.
#[derive(CandidType, Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FuncMode {
    Update,
    Query,
    CompositeQuery,
    /// Fire and forget: no reply.
    Oneway,
}

/// A Candid function type: `func (args) -> (returns) mode`.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct FuncType {
    pub mode: FuncMode,
    pub args: Vec<Type>,
    pub returns: Vec<Type>,
}

impl FuncType {
    /// The equivalent `candid` crate function type.
    pub fn to_candid(&self) -> Function {
        let modes = match self.mode {
            FuncMode::Update => vec![],
            FuncMode::Query => vec![CandidFuncMode::Query],
            FuncMode::CompositeQuery => vec![CandidFuncMode::CompositeQuery],
            FuncMode::Oneway => vec![CandidFuncMode::Oneway],
        };
        Function {
            modes,
            args: self.args.iter().map(Type::to_candid).collect(),
            rets: self.returns.iter().map(Type::to_candid).collect(),
        }
    }
}

/// One method of a Candid service type.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub struct ServiceMethod {
    pub name: String,
    pub func: FuncType,
}

/// A Candid type as the compiler understood it from Python annotations.
#[derive(CandidType, Deserialize, Serialize, Clone, Debug, PartialEq)]
pub enum Type {
    Null,
    Bool,
    Nat,
    Int,
    Nat8,
    Nat16,
    Nat32,
    Nat64,
    Int8,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Text,
    Blob,
    Reserved,
    Empty,
    Principal,
    Opt(Box<Type>),
    Vec(Box<Type>),
    Record(Vec<Field>),
    Variant(Vec<Field>),
    /// A Candid tuple: a record whose fields are numbered 0, 1, ...
    Tuple(Vec<Type>),
    /// A reference to one of [`Payload::types`].
    Named(String),
    /// A function reference: at run time a `(Principal, method_name)` tuple.
    Func(Box<FuncType>),
    /// A service reference: at run time a `Service` instance (or a `Principal`).
    Service(Vec<ServiceMethod>),
}

impl Type {
    /// The equivalent `candid` crate type; [`Type::Named`] becomes a `Var` resolved by
    /// [`Payload::candid_env`].
    pub fn to_candid(&self) -> CandidType_ {
        let inner = match self {
            Type::Null => TypeInner::Null,
            Type::Bool => TypeInner::Bool,
            Type::Nat => TypeInner::Nat,
            Type::Int => TypeInner::Int,
            Type::Nat8 => TypeInner::Nat8,
            Type::Nat16 => TypeInner::Nat16,
            Type::Nat32 => TypeInner::Nat32,
            Type::Nat64 => TypeInner::Nat64,
            Type::Int8 => TypeInner::Int8,
            Type::Int16 => TypeInner::Int16,
            Type::Int32 => TypeInner::Int32,
            Type::Int64 => TypeInner::Int64,
            Type::Float32 => TypeInner::Float32,
            Type::Float64 => TypeInner::Float64,
            Type::Text => TypeInner::Text,
            Type::Blob => TypeInner::Vec(TypeInner::Nat8.into()),
            Type::Reserved => TypeInner::Reserved,
            Type::Empty => TypeInner::Empty,
            Type::Principal => TypeInner::Principal,
            Type::Opt(t) => TypeInner::Opt(t.to_candid()),
            Type::Vec(t) => TypeInner::Vec(t.to_candid()),
            Type::Record(fields) => TypeInner::Record(candid_fields(
                fields.iter().map(|f| (label(&f.name), &f.ty)),
            )),
            Type::Variant(fields) => TypeInner::Variant(candid_fields(
                fields.iter().map(|f| (label(&f.name), &f.ty)),
            )),
            Type::Tuple(items) => TypeInner::Record(candid_fields(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (Label::Id(i as u32), t)),
            )),
            Type::Named(name) => TypeInner::Var(name.clone()),
            Type::Func(f) => TypeInner::Func(f.to_candid()),
            Type::Service(methods) => {
                let mut methods: Vec<(String, CandidType_)> = methods
                    .iter()
                    .map(|m| (m.name.clone(), TypeInner::Func(m.func.to_candid()).into()))
                    .collect();
                methods.sort_by(|a, b| a.0.cmp(&b.0));
                TypeInner::Service(methods)
            }
        };
        inner.into()
    }
}

/// A field name as a Candid label: a decimal number is a numeric label (`_0_` style
/// names are not produced by Python), anything else is a named label.
fn label(name: &str) -> Label {
    match name.parse::<u32>() {
        Ok(id) => Label::Id(id),
        Err(_) => Label::Named(name.to_string()),
    }
}

/// Candid requires fields ordered by their label's hash.
fn candid_fields<'a>(fields: impl Iterator<Item = (Label, &'a Type)>) -> Vec<CandidField> {
    let mut out: Vec<CandidField> = fields
        .map(|(label, ty)| CandidField {
            id: label.into(),
            ty: ty.to_candid(),
        })
        .collect();
    out.sort_by_key(|f| f.id.get_id());
    out
}

impl Method {
    /// Candid types of the arguments, in order.
    pub fn arg_types(&self) -> Vec<CandidType_> {
        self.params.iter().map(|p| p.ty.to_candid()).collect()
    }

    /// Candid types of the results, in order (empty for `void`).
    pub fn result_types(&self) -> Vec<CandidType_> {
        self.returns.iter().map(Type::to_candid).collect()
    }
}

/// Errors reading a payload back.
pub type DecodeError = candid::Error;

impl Payload {
    pub fn encode(&self) -> Vec<u8> {
        candid::encode_one(self).expect("a payload always encodes")
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        candid::decode_one(bytes)
    }

    /// The names of the named types that `roots` reach, directly or through other named
    /// types (the payload holds more: services called through, stable map types, ...).
    pub fn reachable_types<'a>(
        &'a self,
        roots: impl IntoIterator<Item = &'a Type>,
    ) -> HashSet<String> {
        let defs: HashMap<&str, &Type> = self
            .types
            .iter()
            .map(|d| (d.name.as_str(), &d.ty))
            .collect();
        let mut seen = HashSet::new();
        let mut stack: Vec<&Type> = roots.into_iter().collect();
        while let Some(t) = stack.pop() {
            match t {
                Type::Named(n) if seen.insert(n.clone()) => {
                    stack.extend(defs.get(n.as_str()).copied());
                }
                Type::Opt(t) | Type::Vec(t) => stack.push(t.as_ref()),
                Type::Record(fs) | Type::Variant(fs) => stack.extend(fs.iter().map(|f| &f.ty)),
                Type::Tuple(ts) => stack.extend(ts),
                Type::Func(f) => stack.extend(f.args.iter().chain(&f.returns)),
                Type::Service(ms) => stack.extend(
                    ms.iter()
                        .flat_map(|m| m.func.args.iter().chain(&m.func.returns)),
                ),
                _ => {}
            }
        }
        seen
    }

    /// The named types as a Candid type environment.
    pub fn candid_env(&self) -> TypeEnv {
        let mut env = TypeEnv::new();
        for def in &self.types {
            env.0.insert(def.name.clone(), def.ty.to_candid());
        }
        env
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Payload {
        Payload {
            modules: vec![
                PyModule {
                    name: "main".into(),
                    is_package: false,
                    code: ModuleCode::Source {
                        filename: "src/main.py".into(),
                        text: "x = 1\n".into(),
                    },
                },
                PyModule {
                    name: "json".into(),
                    is_package: true,
                    code: ModuleCode::Bytecode(ByteBuf::from(vec![0xe3, 0, 1, 2])),
                },
            ],
            entry: "main".into(),
            methods: vec![Method {
                name: "set_message".into(),
                module: "main".into(),
                function: "set_message".into(),
                kind: MethodKind::Update,
                params: vec![Param {
                    name: "new_message".into(),
                    ty: Type::Text,
                }],
                returns: vec![],
                guard: Some(FunctionRef {
                    module: "main".into(),
                    function: "is_owner".into(),
                }),
                manual_reply: false,
            }],
            types: vec![
                TypeDef {
                    name: "Tree".into(),
                    ty: Type::Record(vec![
                        Field::new("value", Type::Nat),
                        Field::new("children", Type::Vec(Box::new(Type::Named("Tree".into())))),
                        Field {
                            name: "class".into(),
                            ty: Type::Text,
                            python_name: Some("class_".into()),
                        },
                    ]),
                    class: None,
                },
                TypeDef {
                    name: "Svc".into(),
                    ty: Type::Service(vec![ServiceMethod {
                        name: "get".into(),
                        func: FuncType {
                            mode: FuncMode::Query,
                            args: vec![],
                            returns: vec![Type::Named("Tree".into())],
                        },
                    }]),
                    class: Some(PyClass {
                        module: "main".into(),
                        name: "Svc".into(),
                    }),
                },
            ],
            hooks: Hooks {
                init: Some(Hook {
                    function: FunctionRef {
                        module: "main".into(),
                        function: "init".into(),
                    },
                    params: vec![Param {
                        name: "owner".into(),
                        ty: Type::Principal,
                    }],
                    guard: None,
                }),
                ..Hooks::default()
            },
            stable_structures: vec![
                StableStructure {
                    kind: StableKind::BTreeMap,
                    memory_id: 3,
                    key: Type::Nat8,
                    value: Some(Type::Text),
                    max_key_size: Some(100),
                    max_value_size: None,
                },
                StableStructure {
                    kind: StableKind::Log { data_memory_id: 5 },
                    memory_id: 4,
                    key: Type::Text,
                    value: None,
                    max_key_size: None,
                    max_value_size: None,
                },
            ],
            env: vec![("CANISTER_ID_OTHER".into(), "aaaaa-aa".into())],
            site_packages: vec![SiteFile {
                path: "pkg/__init__.py".into(),
                data: ByteBuf::from(b"x = 1\n".to_vec()),
            }],
            file_system: Some(StableFileSystem {
                max_file_size: DEFAULT_MAX_FILE_SIZE,
            }),
        }
    }

    #[test]
    fn payload_round_trips() {
        let p = sample();
        assert_eq!(Payload::decode(&p.encode()).unwrap(), p);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Payload::decode(b"not candid").is_err());
        let mut bytes = sample().encode();
        bytes.truncate(bytes.len() / 2);
        assert!(Payload::decode(&bytes).is_err());
    }

    #[test]
    fn export_names_follow_the_ic() {
        assert_eq!(MethodKind::Query.export_name("get"), "canister_query get");
        assert_eq!(MethodKind::Update.export_name("set"), "canister_update set");
        assert_eq!(
            MethodKind::CompositeQuery.export_name("c"),
            "canister_composite_query c"
        );
    }

    #[test]
    fn record_fields_are_sorted_by_label_hash() {
        let t = Type::Record(vec![
            Field::new("zeta", Type::Nat),
            Field::new("alpha", Type::Text),
        ])
        .to_candid();
        let TypeInner::Record(fields) = t.as_ref() else {
            panic!("not a record")
        };
        assert!(fields[0].id.get_id() < fields[1].id.get_id());
    }

    #[test]
    fn tuples_are_numbered_records() {
        let t = Type::Tuple(vec![Type::Text, Type::Nat8]).to_candid();
        assert_eq!(t.to_string(), "record { text; nat8 }");
    }

    #[test]
    fn funcs_and_services_print_as_candid() {
        let f = FuncType {
            mode: FuncMode::Update,
            args: vec![Type::Text],
            returns: vec![Type::Nat64],
        };
        assert_eq!(
            Type::Func(Box::new(f.clone())).to_candid().to_string(),
            "func (text) -> (nat64)"
        );
        let oneway = FuncType {
            mode: FuncMode::Oneway,
            args: vec![],
            returns: vec![],
        };
        assert_eq!(
            Type::Func(Box::new(oneway)).to_candid().to_string(),
            "func () -> () oneway"
        );
        let s = Type::Service(vec![
            ServiceMethod {
                name: "update1".into(),
                func: FuncType {
                    mode: FuncMode::Update,
                    args: vec![],
                    returns: vec![Type::Text],
                },
            },
            ServiceMethod {
                name: "query1".into(),
                func: FuncType {
                    mode: FuncMode::Query,
                    args: vec![],
                    returns: vec![Type::Bool],
                },
            },
        ]);
        assert_eq!(
            s.to_candid().to_string(),
            "service { query1 : () -> (bool) query; update1 : () -> (text) }"
        );
    }

    #[test]
    fn keyword_fields_keep_their_candid_label() {
        let f = Field {
            name: "class".into(),
            ty: Type::Text,
            python_name: Some("class_".into()),
        };
        assert_eq!(f.key(), "class_");
        assert_eq!(Field::new("x", Type::Text).key(), "x");
        let t = Type::Record(vec![f]).to_candid();
        assert_eq!(t.to_string(), "record { class : text }");
    }

    #[test]
    fn named_types_resolve_through_the_env() {
        let p = sample();
        let env = p.candid_env();
        let t = env.rec_find_type("Tree").unwrap();
        assert!(matches!(t.as_ref(), TypeInner::Record(_)));
    }
}
