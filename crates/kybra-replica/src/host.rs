//! What a running message sees, as plain data: the kind of execution ([`Api`], which
//! decides what ic0 allows), the message's context ([`Ctx`]: caller, argument, reply,
//! its calls), and [`Host`], the wasmtime store's data — the canister's own state that
//! ic0 can change (stable memory, certified data, global timer, cycles) plus the context.
//! No behaviour lives here beyond small constructors.

use std::sync::Arc;

use candid::Principal;
use wasmtime::Memory;

use crate::stable::StableMemory;

/// The kinds of execution context, which decide what ic0 allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The module's `start` function.
    Start,
    Init,
    PreUpgrade,
    PostUpgrade,
    Update,
    /// A query executed as an update (replicated): its changes persist.
    ReplicatedQuery,
    /// A non-replicated query: its changes are discarded.
    Query,
    /// `canister_heartbeat` and `canister_global_timer` (run by `Replica::tick`).
    Heartbeat,
    GlobalTimer,
    InspectMessage,
    /// `canister_composite_query` (non-replicated; may call queries).
    CompositeQuery,
    /// A call's reply callback (`Ry`; `CRy` when `Ctx::call.composite`).
    ReplyCallback,
    /// A call's reject callback (`Rt`; `CRt` when `Ctx::call.composite`).
    RejectCallback,
    /// A call's `call_on_cleanup` function, after a callback trapped.
    Cleanup,
}

impl Api {
    pub fn replies(self) -> bool {
        matches!(
            self,
            Api::Update
                | Api::ReplicatedQuery
                | Api::Query
                | Api::CompositeQuery
                | Api::ReplyCallback
                | Api::RejectCallback
        )
    }
    pub fn has_arg(self) -> bool {
        matches!(
            self,
            Api::Init
                | Api::CompositeQuery
                | Api::ReplyCallback
                | Api::PostUpgrade
                | Api::Update
                | Api::ReplicatedQuery
                | Api::Query
                | Api::InspectMessage
        )
    }
    pub fn mutates(self) -> bool {
        !matches!(
            self,
            Api::Query | Api::InspectMessage | Api::Start | Api::CompositeQuery
        )
    }
    pub fn name(self) -> &'static str {
        match self {
            Api::Start => "start",
            Api::Init => "init",
            Api::PreUpgrade => "pre_upgrade",
            Api::PostUpgrade => "post_upgrade",
            Api::Update => "update",
            Api::ReplicatedQuery => "replicated query",
            Api::Query => "query",
            Api::Heartbeat => "heartbeat",
            Api::GlobalTimer => "global timer",
            Api::InspectMessage => "inspect_message",
            Api::CompositeQuery => "composite query",
            Api::ReplyCallback => "reply callback",
            Api::RejectCallback => "reject callback",
            Api::Cleanup => "cleanup",
        }
    }
}

/// What a message answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Reply(Vec<u8>),
    Reject(String),
}

/// Why host code stopped the canister: turned into the IC's rejects by the executor.
#[derive(Debug, thiserror::Error)]
pub enum HostTrap {
    /// `ic0.trap`.
    #[error("{0}")]
    Explicit(String),
    /// A System API contract violation (bad bounds, call in the wrong context, ...).
    #[error("{0}")]
    Violation(String),
    /// An ic0 function the replica does not implement yet.
    #[error("ic0.{0} is not supported by the kybra replica yet")]
    Unsupported(String),
}

/// The running message's context.
#[derive(Debug)]
pub struct Ctx {
    pub api: Api,
    pub caller: Principal,
    pub arg: Vec<u8>,
    pub method: String,
    pub time: u64,
    pub reply: Vec<u8>,
    pub response: Option<Response>,
    pub accepted: bool,
    /// `debug_print` lines of this message.
    pub logs: Vec<Vec<u8>>,
    /// Fuel given to this message: `performance_counter` = limit - remaining.
    pub fuel_limit: u64,
    pub data_certificate: Option<Vec<u8>>,
    /// Inter-canister call state of this message.
    pub call: MessageCalls,
}

impl Ctx {
    pub fn new(
        api: Api,
        caller: Principal,
        method: &str,
        arg: Vec<u8>,
        time: u64,
        fuel_limit: u64,
    ) -> Self {
        Ctx {
            api,
            caller,
            arg,
            method: method.to_string(),
            time,
            reply: Vec::new(),
            response: None,
            accepted: false,
            logs: Vec::new(),
            fuel_limit,
            data_certificate: None,
            call: Default::default(),
        }
    }
}

/// What the replica knows of its subnet (`ic0.subnet_self_*`, `ic0.root_key_*`): set by the
/// embedder that serves it (`Replica::set_subnet_id`, `Replica::set_root_key`).
#[derive(Debug, Default)]
pub struct SubnetInfo {
    pub id: Option<Principal>,
    /// The DER-encoded public key of the root subnet, which signs certificates.
    pub root_key: Option<Vec<u8>>,
}

/// The store data of a canister's instance.
pub struct Host {
    pub canister_id: Principal,
    pub controllers: Vec<Principal>,
    pub cycles: u128,
    /// 1 running, 2 stopping, 3 stopped (`ic0.canister_status`).
    pub status: u32,
    pub canister_version: u64,
    pub stable: StableMemory,
    pub certified_data: Vec<u8>,
    pub global_timer: u64,
    pub memory: Option<Memory>,
    pub ctx: Ctx,
    /// Print `debug_print` lines to stderr (like dfx's replica).
    pub echo_logs: bool,
    pub subnet: Arc<SubnetInfo>,
}

impl Host {
    /// A host that is never executed (a stand-in while a store is being replaced).
    pub fn placeholder() -> Host {
        Host {
            canister_id: Principal::anonymous(),
            controllers: Vec::new(),
            cycles: 0,
            status: 1,
            canister_version: 0,
            stable: StableMemory::default(),
            certified_data: Vec::new(),
            global_timer: 0,
            memory: None,
            ctx: Ctx::new(Api::Start, Principal::anonymous(), "", Vec::new(), 0, 0),
            echo_logs: false,
            subnet: Arc::default(),
        }
    }
}

/// The call state of one running message (part of its [`Ctx`]).
#[derive(Debug, Default)]
pub struct MessageCalls {
    /// The call context was answered by an earlier message: replying traps.
    pub responded: bool,
    /// A composite query's message: calls may only go to query methods.
    pub composite: bool,
    /// In a reject callback: the reject code and message.
    pub reject: Option<(u32, String)>,
    /// Cycles of the call context not accepted yet.
    pub available: u128,
    /// In a callback: cycles the callee refunded.
    pub refunded: u128,
    /// The deadline of the best-effort call this message answers (`ic0.msg_deadline`,
    /// ns since the epoch), 0 for a call whose caller waits however long it takes.
    pub deadline: u64,
    /// A call between `call_new` and `call_perform`.
    pub building: Option<OutgoingCall>,
    /// Calls performed by this message (sent if it commits).
    pub performed: Vec<OutgoingCall>,
}

/// A call a message is making.
#[derive(Debug, Clone)]
pub struct OutgoingCall {
    pub callee: Principal,
    pub method: String,
    pub arg: Vec<u8>,
    pub cycles: u128,
    /// (table index, env) of the reply callback.
    pub reply: (u32, u32),
    pub reject: (u32, u32),
    pub cleanup: Option<(u32, u32)>,
    /// `call_with_best_effort_response`: answered within this many seconds (1 to 300).
    pub timeout: Option<u32>,
}
