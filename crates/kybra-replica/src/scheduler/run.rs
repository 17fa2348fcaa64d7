//! Running messages: [`World::open_and_run`] starts a call context with its first message
//! (ingress, a request from a canister, a timer or a heartbeat); [`World::step`] executes
//! the queue's oldest message — a request goes where [`route`] says, a response runs the
//! caller's callback; [`World::run_until_answered`] runs the queue until an ingress call
//! context has its answer. The invariants are in [`super`].

use candid::Principal;

use super::route::{route, Target};
use super::world::{Parked, World};
use crate::calls::{CallContext, Callback, Message, Origin};
use crate::canister::Status;
use crate::error::Reject;
use crate::execution::{Outcome, Persist};
use crate::host::{Api, Ctx, Host, MessageCalls, Response};
use crate::services::api::{Answer, Reply, Request};
use crate::system_api::call::discard_building;

/// The first message of a call context: the export to run.
pub struct Entry {
    pub export: String,
    pub api: Api,
    pub persist: Persist,
    pub arg: Vec<u8>,
}

impl World {
    /// Opens a call context on `cc.canister` (which must be installed) and runs `entry`.
    pub fn open_and_run(&mut self, cc: CallContext, entry: Entry) -> u64 {
        let canister = cc.canister;
        let (caller, method) = (cc.caller, cc.method.clone());
        let id = self.calls.open(cc);
        let time = self.state.clock.tick();
        let mut ctx = Ctx::new(
            entry.api,
            caller,
            &method,
            entry.arg,
            time,
            self.state.limits.update,
        );
        if entry.api == Api::Query || entry.api == Api::CompositeQuery {
            ctx.fuel_limit = self.state.limits.query;
        }
        ctx.call.available = self.calls.contexts[&id].cycles;
        ctx.call.deadline = self.calls.contexts[&id].deadline;
        let Some(c) = self.state.canisters.get_mut(&canister) else {
            self.respond(id, Err(Reject::canister_not_found(&canister)));
            self.close_if_done(id, None);
            return id;
        };
        c.sync_into_host(&self.state.subnet);
        let exec = c
            .exec
            .as_mut()
            .expect("open_and_run is for installed canisters");
        let out = exec.run(&entry.export, ctx, entry.persist);
        let calls = finish_host(exec.host_mut(), out.result.is_ok());
        self.after_run(canister, time, &out);
        self.conclude(id, out.result, calls, false);
        self.journal(Some(canister));
        id
    }

    /// Runs queued messages until the ingress call context `id` is answered (or nothing is
    /// left to run); returns its answer.
    pub fn run_until_answered(&mut self, id: u64, canister: &Principal) -> Result<Vec<u8>, Reject> {
        while !self.calls.answered(id) {
            if !self.step() && !self.wait_for_services(id, canister) {
                break;
            }
        }
        self.calls
            .take_answer(id)
            .unwrap_or_else(|| Err(Reject::did_not_reply(canister)))
    }

    /// Executes the oldest queued message; `false` if the queue is empty.
    pub fn step(&mut self) -> bool {
        let Some(msg) = self.calls.queue.pop_front() else {
            return false;
        };
        match msg {
            Message::Request {
                callback,
                from,
                to,
                method,
                arg,
                cycles,
                deadline,
            } => self.deliver_request(callback, (from, to), method, arg, (cycles, deadline)),
            Message::Response {
                callback,
                result,
                refund,
            } => self.deliver_response(callback, result, refund),
        }
        true
    }

    fn deliver_request(
        &mut self,
        callback: u64,
        (from, to): (Principal, Principal),
        method: String,
        arg: Vec<u8>,
        (cycles, deadline): (u128, u64),
    ) {
        let composite = self
            .calls
            .callbacks
            .get(&callback)
            .and_then(|cb| self.calls.contexts.get(&cb.context))
            .is_some_and(|cc| cc.composite);
        let answer = match route(&self.services, &to, &method, false) {
            Err(reject) => Some(Answer::reject(reject, cycles)),
            Ok(Target::Management | Target::Service(_))
                if composite && to == Principal::management_canister() =>
            {
                Some(Answer::reject(update_from_composite(&to, &method), cycles))
            }
            Ok(Target::Management) => Some(self.management(from, None, &method, &arg, cycles)),
            Ok(Target::Service(i)) => {
                let request = Request {
                    caller: from,
                    method: &method,
                    arg: &arg,
                    cycles,
                    ticket: callback,
                };
                self.call_service(i, request)
            }
            Ok(Target::Canister) => match self.request_entry(&to, &method, composite) {
                Ok((api, export, persist)) => {
                    let origin = Origin::Canister { callback };
                    let composite = api == Api::CompositeQuery || composite;
                    let mut cc = CallContext::new(to, from, method, origin, cycles, composite);
                    cc.deadline = deadline;
                    self.open_and_run(
                        cc,
                        Entry {
                            export,
                            api,
                            persist,
                            arg,
                        },
                    );
                    return;
                }
                Err(reject) => Some(Answer::reject(reject, cycles)),
            },
        };
        if let Some(a) = answer {
            self.calls.queue.push_back(Message::Response {
                callback,
                result: a.result,
                refund: a.refund,
            });
        }
        // The management canister and services may change any canister.
        self.journal(None);
    }

    /// An update call of the service with index `i`: its answer now, or `None` when it
    /// answers later (through [`Self::collect_services`]).
    pub(super) fn call_service(&mut self, i: usize, request: Request<'_>) -> Option<Answer> {
        if let Err(reject) = self.services.check_method(i, request.method, false) {
            return Some(Answer::reject(reject, request.cycles));
        }
        let (mut env, services) = self.env();
        match services.call(i, request, &mut env) {
            Reply::Now(answer) => Some(answer),
            Reply::Later => None,
        }
    }

    /// Turns the answers services finished into response messages; whether there were any.
    pub fn collect_services(&mut self) -> bool {
        if !self.services.in_flight() {
            return false;
        }
        let (mut env, services) = self.env();
        let answers = services.poll(&mut env);
        let any = !answers.is_empty();
        for (ticket, a) in answers {
            self.calls.queue.push_back(Message::Response {
                callback: ticket,
                result: a.result,
                refund: a.refund,
            });
        }
        any
    }

    /// Called when the queue ran dry before ingress context `id` was answered: delivers
    /// answers services finished (`true`: run on), else, if services are still at work,
    /// parks the context for `Replica::update` to wait off the lock (`false`).
    pub fn wait_for_services(&mut self, id: u64, canister: &Principal) -> bool {
        if self.calls.contexts.get(&id).is_none_or(|cc| cc.composite) {
            return false;
        }
        let signal = self.services.signal();
        let seen = signal.generation();
        if self.collect_services() {
            return true;
        }
        if self.services.in_flight() {
            self.parked = Some(Parked {
                context: id,
                canister: *canister,
                seen,
                signal,
            });
        }
        false
    }

    /// How a request to a canister's `method` runs, or the IC's reject.
    fn request_entry(
        &mut self,
        to: &Principal,
        method: &str,
        composite: bool,
    ) -> Result<(Api, String, Persist), Reject> {
        let c = self
            .state
            .canisters
            .get(to)
            .ok_or_else(|| Reject::canister_not_found(to))?;
        match c.status {
            Status::Running => {}
            Status::Stopping => return Err(Reject::stopping(to)),
            Status::Stopped => return Err(Reject::stopped(to)),
        }
        let exec = c.exec.as_ref().ok_or_else(|| Reject::no_wasm_module(to))?;
        let ex = &exec.prepared.exports;
        if ex.queries.contains(method) {
            let api = if composite {
                Api::Query
            } else {
                Api::ReplicatedQuery
            };
            return Ok((api, format!("canister_query {method}"), Persist::Never));
        }
        if ex.composite_queries.contains(method) {
            if !composite {
                return Err(Reject::ic(
                    "IC0527",
                    format!("Composite query method '{method}' of canister {to} cannot be called in replicated mode (from an update, callback, timer or heartbeat)"),
                ));
            }
            return Ok((
                Api::CompositeQuery,
                format!("canister_composite_query {method}"),
                Persist::Pending,
            ));
        }
        if ex.updates.contains(method) {
            if composite {
                return Err(update_from_composite(to, method));
            }
            return Ok((
                Api::Update,
                format!("canister_update {method}"),
                Persist::OnSuccess,
            ));
        }
        Err(Reject::no_method(to, "update", method))
    }

    fn deliver_response(&mut self, callback: u64, result: Result<Vec<u8>, Reject>, refund: u128) {
        let Some(cb) = self.calls.callbacks.remove(&callback) else {
            return;
        };
        let id = cb.context;
        let Some(cc) = self.calls.contexts.get_mut(&id) else {
            return;
        };
        cc.outstanding -= 1;
        let (caller, responded, available, composite) =
            (cc.caller, cc.responded, cc.cycles, cc.composite);
        let Some(c) = self.state.canisters.get_mut(&cb.canister) else {
            self.close_if_done(id, None);
            return;
        };
        c.cycles = c.cycles.saturating_add(refund);
        if c.exec.as_ref().map(|e| e.serial) != Some(cb.serial) {
            // The code that made the call is gone (uninstalled or replaced): drop the callback.
            self.close_if_done(id, None);
            self.journal(Some(cb.canister));
            return;
        }
        c.sync_into_host(&self.state.subnet);
        let time = self.state.clock.tick();
        let (api, (fun, env), arg, reject) = match result {
            Ok(bytes) => (Api::ReplyCallback, cb.reply, bytes, None),
            Err(r) => (
                Api::RejectCallback,
                cb.reject,
                Vec::new(),
                Some((r.code.as_u64() as u32, r.message)),
            ),
        };
        let limit = if composite {
            self.state.limits.query
        } else {
            self.state.limits.update
        };
        let mut ctx = Ctx::new(api, caller, "", arg, time, limit);
        ctx.call = MessageCalls {
            responded,
            composite,
            reject,
            available,
            refunded: refund,
            ..MessageCalls::default()
        };
        let persist = if composite {
            Persist::Pending
        } else {
            Persist::OnSuccess
        };
        let exec = c.exec.as_mut().expect("checked above");
        let out = exec.run_callback(fun, env, ctx, persist);
        let calls = finish_host(exec.host_mut(), out.result.is_ok());
        let mut cleanup_out = None;
        if out.result.is_err() {
            if let Some((fun, env)) = cb.cleanup {
                let ctx = Ctx::new(Api::Cleanup, caller, "", Vec::new(), time, limit);
                let o = exec.run_callback(fun, env, ctx, persist);
                finish_host(exec.host_mut(), false);
                cleanup_out = Some(o);
            }
        }
        self.after_run(cb.canister, time, &out);
        if let Some(o) = &cleanup_out {
            self.after_run(cb.canister, time, o);
        }
        self.conclude(id, out.result, calls, true);
        self.journal(Some(cb.canister));
    }

    /// Bookkeeping after a message ran on `canister`: balances and logs (the caller
    /// journals once the message's calls are concluded).
    fn after_run(&mut self, canister: Principal, time: u64, out: &Outcome) {
        if let Some(c) = self.state.canisters.get_mut(&canister) {
            c.sync_from_host();
            c.last_instructions = out.instructions;
            c.log(time, out.logs.clone());
        }
    }

    /// Applies a message's result to its call context: sends the calls it performed,
    /// answers the context if it replied, or — on a trap — as the invariants say.
    fn conclude(
        &mut self,
        id: u64,
        result: Result<Option<Response>, Reject>,
        calls: MessageCalls,
        callback: bool,
    ) {
        let Some(cc) = self.calls.contexts.get_mut(&id) else {
            return;
        };
        match result {
            Ok(response) => {
                cc.cycles = calls.available;
                let canister = cc.canister;
                for call in calls.performed {
                    let serial = self
                        .state
                        .canisters
                        .get(&canister)
                        .and_then(|c| c.exec.as_ref())
                        .map_or(0, |e| e.serial);
                    let cb = Callback {
                        canister,
                        context: id,
                        reply: call.reply,
                        reject: call.reject,
                        cleanup: call.cleanup,
                        serial,
                    };
                    let cb_id = self.calls.next();
                    self.calls.callbacks.insert(cb_id, cb);
                    self.calls.contexts.get_mut(&id).expect("open").outstanding += 1;
                    self.calls.queue.push_back(Message::Request {
                        callback: cb_id,
                        from: canister,
                        to: call.callee,
                        method: call.method,
                        arg: call.arg,
                        cycles: call.cycles,
                        deadline: call.timeout.map_or(0, |seconds| {
                            self.state.clock.peek() + u64::from(seconds) * 1_000_000_000
                        }),
                    });
                }
                match response {
                    Some(Response::Reply(bytes)) => self.respond(id, Ok(bytes)),
                    Some(Response::Reject(msg)) => {
                        self.respond(id, Err(Reject::canister_reject(&msg)))
                    }
                    None => {}
                }
                self.close_if_done(id, None);
            }
            Err(reject) if !callback => {
                self.respond(id, Err(reject));
                self.close_if_done(id, None);
            }
            Err(reject) => self.close_if_done(id, Some(reject)),
        }
    }

    /// Answers call context `id` (once; later answers are ignored) and returns the cycles
    /// it still holds to the caller.
    pub fn respond(&mut self, id: u64, result: Result<Vec<u8>, Reject>) {
        let Some(cc) = self.calls.contexts.get_mut(&id) else {
            return;
        };
        if cc.responded {
            return;
        }
        cc.responded = true;
        let refund = std::mem::take(&mut cc.cycles);
        match cc.origin {
            Origin::Ingress => {
                self.calls.answers.insert(id, result);
            }
            Origin::Canister { callback } => {
                self.calls.queue.push_back(Message::Response {
                    callback,
                    result,
                    refund,
                });
            }
            Origin::System => {}
        }
    }

    /// Closes call context `id` if no calls of it are outstanding, answering it first if it
    /// never answered: with `trap` (its last callback trapped) or "did not reply". A closed
    /// composite query context discards the canister's pending changes.
    fn close_if_done(&mut self, id: u64, trap: Option<Reject>) {
        let Some(cc) = self.calls.contexts.get(&id) else {
            return;
        };
        if cc.outstanding > 0 {
            return;
        }
        let (canister, responded, composite) = (cc.canister, cc.responded, cc.composite);
        if !responded {
            let answer = trap.unwrap_or_else(|| Reject::did_not_reply(&canister));
            self.respond(id, Err(answer));
        }
        self.calls.contexts.remove(&id);
        if composite {
            if let Some(exec) = self
                .state
                .canisters
                .get_mut(&canister)
                .and_then(|c| c.exec.as_mut())
            {
                exec.rollback_pending();
            }
        }
    }
}

/// Ends a message on the host: takes its call state; if it did not commit, drops the
/// calls it made (their cycles came back with the rollback), else a call left unperformed.
fn finish_host(host: &mut Host, committed: bool) -> MessageCalls {
    if committed {
        discard_building(host);
    }
    let mut calls = std::mem::take(&mut host.ctx.call);
    if !committed {
        calls.performed.clear();
        calls.building = None;
    }
    calls
}

fn update_from_composite(to: &Principal, method: &str) -> Reject {
    Reject::ic(
        "IC0527",
        format!("Composite query cannot be used to call the update method '{method}' of {to}: a composite query may only call query and composite query methods"),
    )
}
