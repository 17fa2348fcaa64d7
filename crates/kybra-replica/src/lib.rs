//! `kybra-replica`: the local Internet Computer as a library.
//!
//! A [`Replica`] owns canisters and the management canister (`aaaaa-aa`) and executes
//! canister code with wasmtime, implementing the `ic0` System API with the IC's
//! semantics: instruction limits (5 B per query, 40 B per update, 300 B per
//! install/upgrade), atomic messages (a trap rolls back heap, globals, stable memory and
//! canister metadata), queries that never persist, the IC's 2 MiB message limits and
//! its reject codes and error codes. Canister ids are allocated like dfx's PocketIC-based
//! local network: the first canister is `bkyz2-fmaaa-aaaaa-qaaaq-cai` (see [`ids`]).
//!
//! Read it top-down; each layer uses only the ones below it:
//!
//! | layer | modules |
//! |---|---|
//! | the API | [`Replica`] (`replica`: the execution thread, group commit), [`testing`] |
//! | messages | `scheduler`: routing, call contexts and the queue, ingress, composite queries, timers |
//! | what messages reach | `management` (the management canister), [`services`] (system services behind one trait), `persist` (checkpoint + journal) |
//! | the world | `state` (canisters, clock, ids), `calls` (calls in flight, as data) |
//! | one canister | `canister`, `execution` (an instance; atomicity), `write_tracking`, `snapshots`, `history` |
//! | ic0 | `system_api` (one module per theme), `host` (a message's context, as data) |
//! | ground | `limits`, `fees`, `error`, `ids`, `module`, `engine`, `stable`, `pages`, `logs`, `clock`, `config` |
//!
//! System services — `raw_rand`, threshold ECDSA and Schnorr, vetKD, HTTP outcalls (feature
//! `http-outcalls`),
//! bitcoin on a simulated regtest chain (feature `bitcoin`, the `kybra-bitcoin` crate), the
//! cycles minting canister and the cycles ledger — plug in through
//! [`services::api::SystemService`]; a replica registers the ones it wants
//! ([`Replica::open_with`]).
//!
//! With [`ReplicaConfig::state_dir`] set ([`Replica::open`]), the state — every canister
//! with its module, memory, settings, chunks, logs, snapshots and history, and the id
//! counter — survives
//! restarts and crashes: an update returns only once its changes are on disk
//! (see the `persist` module). Queries change nothing durable.

mod calls;
mod canister;
mod clock;
mod config;
pub mod engine;
mod error;
mod execution;
pub mod fees;
mod history;
mod host;
pub mod ids;
mod limits;
mod logs;
mod management;
mod module;
mod pages;
mod persist;
mod replica;
mod scheduler;
pub mod services;
mod snapshots;
mod stable;
mod state;
mod system_api;
pub mod testing;
mod write_tracking;

pub use candid::Principal;
pub use config::{ReplicaConfig, TimeMode};
pub use error::{Reject, RejectCode};
pub use limits::*;
pub use logs::LogRecord;
pub use persist::PersistError;
pub use replica::Replica;
pub use scheduler::{TickReport, MAX_MESSAGES_PER_TICK};
pub use services::{cmc, ledgers, system_canisters};

/// The simulated bitcoin regtest chain and what `Replica::bitcoin_*` return.
#[cfg(feature = "bitcoin")]
pub use kybra_bitcoin as bitcoin;
