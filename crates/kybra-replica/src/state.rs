//! The replica's state and its two entry points: an ingress update and a query, routed
//! either to the management canister or to a canister's execution. With persistence on,
//! every update's changes are journaled as it ends ([`crate::persist`]).

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use candid::Principal;

use crate::calls::{CallContext, Entry, Origin};
use crate::canister::{Canister, Status};
use crate::engine::Engine;
use crate::error::Reject;
use crate::execution::Persist;
use crate::limits::*;
use crate::persist::Persistence;
use crate::system_api::{Api, Ctx, Response};
use crate::{ReplicaConfig, TimeMode};

/// Makes a data certificate from a canister's certified data (`Replica::query_certified`).
pub type Certify = Box<dyn FnOnce(&[u8]) -> Vec<u8> + Send>;

/// The replica's clock: wall clock (strictly increasing per message) or fixed.
pub struct Clock {
    mode: TimeMode,
    last: u64,
}

impl Clock {
    fn wall() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    }

    /// The time for a new message.
    pub fn tick(&mut self) -> u64 {
        match self.mode {
            TimeMode::Fixed(t) => t,
            TimeMode::WallClock => {
                self.last = Self::wall().max(self.last + 1);
                self.last
            }
        }
    }

    pub fn peek(&self) -> u64 {
        match self.mode {
            TimeMode::Fixed(t) => t,
            TimeMode::WallClock => Self::wall().max(self.last),
        }
    }

    pub fn is_wall_clock(&self) -> bool {
        self.mode == TimeMode::WallClock
    }

    pub fn set(&mut self, nanos: u64) {
        self.mode = TimeMode::Fixed(nanos);
    }

    /// The last wall-clock tick (what persistence saves).
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Continues after a saved tick: the wall clock never goes back across restarts.
    pub fn restore(&mut self, last: u64) {
        self.last = self.last.max(last);
    }
}

pub struct State {
    pub engine: Engine,
    pub canisters: BTreeMap<Principal, Canister>,
    pub next_index: u64,
    pub clock: Clock,
    pub limits: crate::InstructionLimits,
    pub persist: Option<Persistence>,
    /// Replies held back until the journal is synced (group commit): called with
    /// whether the state they depend on is durable.
    pub deferred: Vec<Reply>,
    /// The id of the replica's one subnet, once the embedder (the HTTP server) tells it;
    /// the built-in cycles minting canister reports it ([`crate::system_canisters`]).
    pub subnet_id: Option<Principal>,
    /// Canisters the built-in cycles ledger created in this run (its `block_id`s).
    pub ledger_blocks: u64,
    /// Inter-canister calls in flight ([`crate::calls`]).
    pub calls: crate::calls::Calls,
    /// Whether the built-in system canisters ([`crate::system_canisters`]) exist (off by
    /// default, as with `dfx start`; `kybra start --system-canisters` turns them on).
    pub system_canisters: bool,
    /// The simulated bitcoin regtest chain ([`crate::bitcoin`]; not persisted).
    pub bitcoin: crate::bitcoin::Chain,
}

/// A held-back reply: called with whether the changes it reports are durable.
pub type Reply = Box<dyn FnOnce(bool) + Send>;

impl State {
    /// Whether `id` is one of the built-in system canisters, and they are on.
    pub fn is_system(&self, id: &Principal) -> bool {
        self.system_canisters && crate::system_canisters::is_system_canister(id)
    }

    pub fn new(config: ReplicaConfig) -> Self {
        State {
            engine: Engine::new(),
            canisters: BTreeMap::new(),
            next_index: crate::ids::FIRST_INDEX,
            clock: Clock {
                mode: config.time,
                last: 0,
            },
            limits: crate::InstructionLimits::default(),
            persist: None,
            deferred: Vec::new(),
            subnet_id: None,
            ledger_blocks: 0,
            calls: Default::default(),
            system_canisters: false,
            bitcoin: Default::default(),
        }
    }

    /// An ingress update; its changes are journaled (durable after [`Self::sync`]).
    pub fn update(
        &mut self,
        sender: Principal,
        canister: Principal,
        effective_canister_id: Option<Principal>,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, Reject> {
        if let Some(p) = &self.persist {
            p.check()?;
        }
        let result = self.execute_update(sender, canister, effective_canister_id, method, arg);
        // The management canister and the built-in system canisters may change any canister.
        let touched = (canister != Principal::management_canister() && !self.is_system(&canister))
            .then_some(canister);
        if let Some(p) = &mut self.persist {
            p.record(
                self.next_index,
                self.clock.last(),
                &mut self.canisters,
                touched,
            );
        }
        result
    }

    /// Makes journaled changes durable and hands out the replies that waited for it;
    /// checkpoints when the journal has grown enough.
    pub fn sync(&mut self) -> (bool, Vec<Reply>) {
        let deferred = std::mem::take(&mut self.deferred);
        let Some(p) = &mut self.persist else {
            return (true, deferred);
        };
        let durable = p.sync();
        if durable && p.checkpoint_due() {
            if let Err(e) = p.checkpoint(self.next_index, self.clock.last(), &mut self.canisters) {
                eprintln!("kybra-replica: checkpoint failed, updates are now rejected: {e}");
            }
        }
        (durable, deferred)
    }

    fn execute_update(
        &mut self,
        sender: Principal,
        canister: Principal,
        effective_canister_id: Option<Principal>,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, Reject> {
        if arg.len() > MAX_MESSAGE_BYTES {
            return Err(Reject::payload_too_large(arg.len(), MAX_MESSAGE_BYTES));
        }
        if canister == Principal::management_canister() {
            return self.management(sender, effective_canister_id, method, &arg);
        }
        if self.is_system(&canister) {
            return self.system_update(sender, canister, method, &arg);
        }
        let time = self.clock.tick();
        let c = runnable(&mut self.canisters, &canister)?;
        let exec = c
            .exec
            .as_mut()
            .ok_or_else(|| Reject::no_wasm_module(&canister))?;
        let prepared = std::sync::Arc::clone(&exec.prepared);
        let exports = &prepared.exports;
        let (export, api, persist) = if exports.updates.contains(method) {
            (
                format!("canister_update {method}"),
                Api::Update,
                Persist::OnSuccess,
            )
        } else if exports.queries.contains(method) {
            (
                format!("canister_query {method}"),
                Api::ReplicatedQuery,
                Persist::Never,
            )
        } else {
            return Err(Reject::no_method(&canister, "update", method));
        };
        if exec.prepared.exports.inspect_message {
            let ctx = Ctx::new(
                Api::InspectMessage,
                sender,
                method,
                arg.clone(),
                time,
                INSPECT_MESSAGE_INSTRUCTION_LIMIT,
            );
            let out = exec.run("canister_inspect_message", ctx, Persist::Never);
            let accepted = exec.host().ctx.accepted;
            out.result?;
            if !accepted {
                return Err(Reject::not_accepted(&canister));
            }
        }
        let cc = CallContext {
            canister,
            caller: sender,
            method: method.to_string(),
            origin: Origin::Ingress,
            cycles: 0,
            responded: false,
            outstanding: 0,
            composite: false,
        };
        let id = self.open_and_run(
            cc,
            Entry {
                export,
                api,
                persist,
                arg,
            },
        );
        self.run_until_answered(id, &canister)
    }

    pub fn query(
        &mut self,
        sender: Principal,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
        certify: Option<Certify>,
    ) -> Result<Vec<u8>, Reject> {
        if arg.len() > MAX_MESSAGE_BYTES {
            return Err(Reject::payload_too_large(arg.len(), MAX_MESSAGE_BYTES));
        }
        if canister == Principal::management_canister() {
            return self.management_query(sender, method, &arg);
        }
        if self.is_system(&canister) {
            return self.system_query(canister, method, &arg);
        }
        let time = self.clock.tick();
        let c = runnable(&mut self.canisters, &canister)?;
        let exec = c
            .exec
            .as_mut()
            .ok_or_else(|| Reject::no_wasm_module(&canister))?;
        let export = if exec.prepared.exports.queries.contains(method) {
            format!("canister_query {method}")
        } else if exec.prepared.exports.composite_queries.contains(method) {
            return self.composite_query(sender, canister, method, arg);
        } else {
            return Err(Reject::no_method(&canister, "query", method));
        };
        let mut ctx = Ctx::new(Api::Query, sender, method, arg, time, self.limits.query);
        ctx.data_certificate = certify.map(|certify| certify(&c.certified_data));
        let out = exec.run(&export, ctx, Persist::Never);
        c.last_instructions = out.instructions;
        respond(&canister, out.result)
    }

    /// Allocates the next canister id.
    pub fn new_canister_id(&mut self) -> Result<Principal, Reject> {
        if self.next_index > crate::ids::RANGE_END {
            return Err(Reject::ic(
                "IC0102",
                "The subnet's canister id range is exhausted",
            ));
        }
        let id = crate::ids::canister_id(self.next_index);
        self.next_index += 1;
        Ok(id)
    }
}

/// The canister a message is for, synced for execution and checked to be running.
fn runnable<'a>(
    canisters: &'a mut BTreeMap<Principal, Canister>,
    canister: &Principal,
) -> Result<&'a mut Canister, Reject> {
    let c = canisters
        .get_mut(canister)
        .ok_or_else(|| Reject::canister_not_found(canister))?;
    c.sync_into_host();
    check_running(c)?;
    Ok(c)
}

fn check_running(c: &Canister) -> Result<(), Reject> {
    match c.status {
        Status::Running => Ok(()),
        Status::Stopping => Err(Reject::stopping(&c.id)),
        Status::Stopped => Err(Reject::stopped(&c.id)),
    }
}

fn respond(id: &Principal, result: Result<Option<Response>, Reject>) -> Result<Vec<u8>, Reject> {
    match result? {
        Some(Response::Reply(bytes)) => Ok(bytes),
        Some(Response::Reject(msg)) => Err(Reject::canister_reject(&msg)),
        None => Err(Reject::did_not_reply(id)),
    }
}
