//! The scheduler: it owns the calls in flight ([`crate::calls::Calls`]) and runs every
//! message, on a [`World`] (canisters, services, the state folder).
//!
//! * [`route`]: where a call goes (management canister, a service, a canister);
//! * [`run`]: call contexts, callbacks and the message queue;
//! * [`ingress`]: ingress updates and queries;
//! * [`composite`]: composite queries, on a queue of their own;
//! * [`timers`]: `tick` — global timers, heartbeats, queued messages;
//! * [`env`]: what services may ask of the replica.
//!
//! Invariants:
//! * Messages (a call context's first message, every reply/reject callback, cleanup,
//!   timers, heartbeats) run one at a time from one FIFO queue, each atomically: its own
//!   state changes commit when it ends, a trap rolls back only that message (state changed
//!   before an `await` stays committed). Calls a message performed are sent only if it
//!   commits.
//! * A call context answers its caller at most once: with the first reply/reject a
//!   committed message gives, with the trap of its first message, or — when it has no
//!   outstanding calls left and never answered — with the trap of its last callback or
//!   IC0506 "did not produce a response".
//! * Every callback is executed exactly once (reply or reject callback; cleanup after a
//!   callback trap), unless the canister's code was replaced meanwhile (then it is dropped).
//! * Cycles attached to a call leave the caller's balance when the message commits; what
//!   the callee does not accept is refunded with the response (`msg_cycles_refunded128`).
//! * Nothing in flight is lost: call contexts, callbacks and queued messages are journaled
//!   with the canisters after every message (`persist`), so a persistent replica that is
//!   killed and restarted runs them on (at the next `tick`), each callback once. Ingress
//!   callers of calls cut off by the restart get no answer (they are gone); a call that
//!   waited for an HTTP outcall gets a `SysTransient` reject.

mod composite;
mod env;
mod ingress;
mod route;
mod run;
mod timers;
mod world;

pub use timers::{TickReport, MAX_MESSAGES_PER_TICK};
pub use world::World;
