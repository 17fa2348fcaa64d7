//! Ingress messages: an update (routed like any call, then run until its call context is
//! answered, with `canister_inspect_message` first where the canister has one) and a query
//! (a canister's plain or composite query, a service canister's query method, or the
//! management canister's `fetch_canister_logs`). An update's changes are journaled as it
//! ends.

use candid::Principal;

use super::route::{route, Target};
use super::run::Entry;
use super::world::World;
use crate::calls::{CallContext, Origin};
use crate::error::Reject;
use crate::execution::Persist;
use crate::host::{Api, Ctx};
use crate::limits::{INSPECT_MESSAGE_INSTRUCTION_LIMIT, MAX_MESSAGE_BYTES};
use crate::management;
use crate::services::api::Request;

impl World {
    /// An ingress update; its changes are journaled (durable after [`World::sync`]).
    pub fn ingress_update(
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
        if arg.len() > MAX_MESSAGE_BYTES {
            return Err(Reject::payload_too_large(arg.len(), MAX_MESSAGE_BYTES));
        }
        let target = route(&self.services, &canister, method, true);
        // The management canister and services may change any canister.
        let touched = matches!(target, Ok(Target::Canister)).then_some(canister);
        let result = match target {
            Err(reject) => Err(reject),
            Ok(Target::Management) => {
                self.management(sender, effective_canister_id, method, &arg, 0)
                    .result
            }
            Ok(Target::Service(i)) => {
                match self.call_service(i, ingress_request(sender, method, &arg)) {
                    Some(answer) => answer.result,
                    None => Err(Reject::canister_reject(&format!(
                        "{canister} answers {method} later, which an ingress message cannot wait for; call it from a canister"
                    ))),
                }
            }
            Ok(Target::Canister) => self.canister_update(sender, canister, method, arg),
        };
        self.journal(touched);
        result
    }

    fn canister_update(
        &mut self,
        sender: Principal,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, Reject> {
        let time = self.state.clock.tick();
        let c = self.state.runnable(&canister)?;
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
        let cc = CallContext::new(canister, sender, method.into(), Origin::Ingress, 0, false);
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

    /// An ingress query: its state changes are never kept.
    pub fn ingress_query(
        &mut self,
        sender: Principal,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
        certify: Option<crate::state::Certify>,
    ) -> Result<Vec<u8>, Reject> {
        if arg.len() > MAX_MESSAGE_BYTES {
            return Err(Reject::payload_too_large(arg.len(), MAX_MESSAGE_BYTES));
        }
        if canister == Principal::management_canister() {
            return management::query(&self.state, sender, method, &arg);
        }
        if let Some(i) = self.services.for_canister(&canister) {
            self.services.check_method(i, method, true)?;
            let (mut env, services) = self.env();
            return services.query(i, ingress_request(sender, method, &arg), &mut env);
        }
        let composite = {
            let c = self.state.runnable(&canister)?;
            let exec = c
                .exec
                .as_ref()
                .ok_or_else(|| Reject::no_wasm_module(&canister))?;
            let exports = &exec.prepared.exports;
            !exports.queries.contains(method) && exports.composite_queries.contains(method)
        };
        if composite {
            return self.composite_query(sender, canister, method, arg);
        }
        self.state.run_query(sender, canister, method, arg, certify)
    }
}

/// A service call by an ingress message (no cycles; answered at once).
fn ingress_request<'a>(sender: Principal, method: &'a str, arg: &'a [u8]) -> Request<'a> {
    Request {
        caller: sender,
        method,
        arg,
        cycles: 0,
        ticket: 0,
    }
}
