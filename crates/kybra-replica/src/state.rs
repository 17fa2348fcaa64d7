//! The replica's canisters, clock and ids — what every message works on — and running one
//! plain (non-replicated) query on a canister, which needs nothing else. Calls in flight
//! live in the scheduler ([`crate::scheduler`]), built-in services in [`crate::services`].

use std::collections::BTreeMap;
use std::sync::Arc;

use candid::Principal;

use crate::canister::{Canister, Status};
use crate::clock::Clock;
use crate::config::ReplicaConfig;
use crate::engine::Engine;
use crate::error::Reject;
use crate::execution::Persist;
use crate::host::{Api, Ctx, Response, SubnetInfo};
use crate::ids;
use crate::limits::InstructionLimits;

pub struct State {
    pub engine: Engine,
    pub canisters: BTreeMap<Principal, Canister>,
    /// The index of the next canister id to allocate ([`crate::ids`]).
    pub next_index: u64,
    pub clock: Clock,
    pub limits: InstructionLimits,
    /// The replica's one subnet: its id and root key, once the embedder (the HTTP server)
    /// tells them.
    pub subnet: Arc<SubnetInfo>,
}

impl State {
    pub fn new(config: &ReplicaConfig) -> Self {
        State {
            engine: Engine::new(),
            canisters: BTreeMap::new(),
            next_index: ids::FIRST_INDEX,
            clock: Clock::new(config.time),
            limits: InstructionLimits::default(),
            subnet: Arc::default(),
        }
    }

    /// Allocates the next canister id.
    pub fn new_canister_id(&mut self) -> Result<Principal, Reject> {
        if self.next_index > ids::RANGE_END {
            return Err(Reject::ic(
                "IC0102",
                "The subnet's canister id range is exhausted",
            ));
        }
        let id = ids::canister_id(self.next_index);
        self.next_index += 1;
        Ok(id)
    }

    /// The canister a message is for, synced for execution and checked to be running.
    pub fn runnable(&mut self, canister: &Principal) -> Result<&mut Canister, Reject> {
        let c = self
            .canisters
            .get_mut(canister)
            .ok_or_else(|| Reject::canister_not_found(canister))?;
        c.sync_into_host(&self.subnet);
        check_running(c)?;
        Ok(c)
    }

    /// A non-replicated call of query `method` of `canister` (its changes are discarded).
    pub fn run_query(
        &mut self,
        sender: Principal,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
        certify: Option<Certify>,
    ) -> Result<Vec<u8>, Reject> {
        let time = self.clock.tick();
        let limit = self.limits.query;
        let c = self.runnable(&canister)?;
        let exec = c
            .exec
            .as_mut()
            .ok_or_else(|| Reject::no_wasm_module(&canister))?;
        if !exec.prepared.exports.queries.contains(method) {
            return Err(Reject::no_method(&canister, "query", method));
        }
        let mut ctx = Ctx::new(Api::Query, sender, method, arg, time, limit);
        ctx.data_certificate = certify.map(|certify| certify(&c.certified_data));
        let out = exec.run(&format!("canister_query {method}"), ctx, Persist::Never);
        c.last_instructions = out.instructions;
        respond(&canister, out.result)
    }
}

/// Makes a data certificate from a canister's certified data (`Replica::query_certified`).
pub type Certify = Box<dyn FnOnce(&[u8]) -> Vec<u8> + Send>;

pub fn check_running(c: &Canister) -> Result<(), Reject> {
    match c.status {
        Status::Running => Ok(()),
        Status::Stopping => Err(Reject::stopping(&c.id)),
        Status::Stopped => Err(Reject::stopped(&c.id)),
    }
}

/// What a message answered, as the caller sees it.
pub fn respond(
    id: &Principal,
    result: Result<Option<Response>, Reject>,
) -> Result<Vec<u8>, Reject> {
    match result? {
        Some(Response::Reply(bytes)) => Ok(bytes),
        Some(Response::Reject(msg)) => Err(Reject::canister_reject(&msg)),
        None => Err(Reject::did_not_reply(id)),
    }
}
