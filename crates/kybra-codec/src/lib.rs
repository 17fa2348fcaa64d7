//! Candid ⇄ Python values, in one pass, with no intermediate Candid value.
//!
//! The in-canister runtime uses it to decode messages into Python arguments and encode
//! replies; `kybra.testing` uses the same code on the host, so a test sees values exactly
//! as canister code does. The contract (what each Candid type becomes in Python, the
//! subtyping rules, the error texts) is `docs/architecture.md`, "The runtime".
//!
//! Modules: `types` (type tables), `wire` (message header), `schema` (declared types of a
//! payload), `subtype` (the spec's subtyping), `decode` (message → Python), `encode`
//! (Python → message).

pub mod decode;
pub mod encode;
pub mod key;
pub mod schema;
pub mod subtype;
pub mod types;
pub mod wire;
