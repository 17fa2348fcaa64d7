//! The in-canister Kybra runtime: CPython 3.11 (built for `wasm32-wasip1`) embedded with
//! PyO3, on `ic-cdk` and `ic-wasi-polyfill`.
//!
//! What it promises (the contract is `docs/architecture.md`, "The runtime"):
//! - `canister_init` / `canister_post_upgrade` read the payload through the imports
//!   `kybra.payload_size` / `kybra.payload_copy`, make its modules importable, start
//!   CPython (`PYTHONHASHSEED=0`, explicit recursion limit), route `sys.stdout` /
//!   `sys.stderr` to `ic0.debug_print` and import the entry module;
//! - `kybra_dispatch(i)` decodes the Candid arguments of method `i` straight into Python
//!   values with Candid subtyping against its declared types (a bad message rejects before
//!   any Python runs, naming the method, argument, path, expected type and what was sent),
//!   calls the Python function, encodes the result with the declared type and replies; an
//!   uncaught exception (or a result of the wrong type) traps with
//!   `Uncaught <Type>: <message>` and a short traceback, so the state changes roll back;
//! - `@init` / `@post_upgrade` (with the install argument), `@pre_upgrade`, `@heartbeat`
//!   and `@inspect_message` run in their canister exports (`hooks`); `guard=` functions
//!   run first (`guards`);
//! - the built-in module `_kybra_ic` offers `print`, `trap`, `caller`, `id`, `time`,
//!   `candid_encode`, `candid_decode`, the message-level API of `ic_api` and the newer
//!   system API of `ic_system` (controllers, versions, costs, deadlines; both raise
//!   `IcError` where the IC forbids a call, tracked by `context`), and the timers of
//!   `timers` (`ic.set_timer`, `ic.set_timer_interval`, `ic.clear_timer`);
//! - a method, timer or heartbeat that is a generator (`yield other.method(x)`) or a
//!   coroutine (`async def`, `await`) makes cross-canister calls (`calls`), each `yield`
//!   resuming in the call's callback message with a `CallResult`.
//!
//! The codec (`types`, `wire`, `schema`, `subtype`, `decode`, `encode`) is the
//! `kybra-codec` crate, shared with `kybra.testing` on the host; `candid_text` is here.
//!
//! Layers, each using only those below it (`scripts/check_module_cycles.py` checks it):
//! - `context` (the running message), `output` (stdout/stderr to the debug log), `traps`,
//!   `principal` (native `Principal` objects) and `registry` (the tables set at start-up:
//!   methods, guards, types) at the bottom;
//! - then `guards`, `calls`, `timers`, `ic_api`, `ic_system` (above `ic_api`),
//!   `stable_memory` / `stable`,
//!   `candid_text`, `randomness`, `site_packages`;
//! - then `ic_module` (the built-in module `_kybra_ic`, registering all of them) and
//!   `interpreter`;
//! - then `dispatch` (`kybra_dispatch`), `hooks` and `entry` (the canister's exports).
//!
//! On any target but wasm32 the crate is empty (the one `cfg` below, for the whole crate):
//! it only makes sense inside a canister.
#![cfg(target_arch = "wasm32")]

mod calls;
mod candid_text;
mod context;
mod dispatch;
mod entry;
mod files;
mod frozen;
mod guards;
mod hooks;
mod ic_api;
mod ic_module;
mod ic_system;
mod interpreter;
mod output;
mod payload;
mod principal;
mod randomness;
mod registry;
mod site_packages;
mod stable;
mod stable_memory;
mod timers;
mod traps;
mod wasi_stubs;
use kybra_codec::{decode, encode, schema, types};
