//! `kybra-http`: the Internet Computer's HTTP interface over a local [`kybra_replica::Replica`].
//!
//! It serves the endpoints real agents (`ic-agent`, `@dfinity/agent`, Python agents) use:
//! `GET /api/v2/status`, `POST /api/v2/canister/<id>/call` (asynchronous, 202),
//! `POST /api/v{3,4}/canister/<id>/call` (synchronous, replies with a certificate),
//! `POST /api/v{2,3}/canister/<id>/query` (signed by the node key), and
//! `POST /api/v{2,3}/{canister,subnet}/<id>/read_state` (certificates signed with the
//! replica's BLS12-381 root key, so `fetch_root_key` + certificate verification work).
//! It also serves the Candid web UI at `GET /_/candid?id=<canister-id>` (see `candid_ui`), and
//! canisters' own HTTP interfaces (`http_request`) at `http://<canister-id>.localhost:<port>/`
//! and `/?canisterId=<canister-id>` (see `gateway`).
//!
//! What it promises: request ids are the specification's representation-independent hash of
//! the `content` map as received; anonymous senders and self-authenticating senders signing
//! with Ed25519, ECDSA secp256k1 or ECDSA P-256 keys are accepted; every malformed request is
//! answered with a 4xx and a plain-text body saying what was wrong, never a panic and never a
//! state change.

mod auth;
mod bitcoin;
mod candid_ui;
mod cbor;
mod effective;
mod envelope;
mod error;
mod faucet;
mod gateway;
mod handlers;
mod ingress;
mod keys;
mod request_id;
mod server;
mod state_tree;
mod tooling;
mod tree;

pub use error::Error;
pub use handlers::MAX_BODY_BYTES;
pub use keys::ReplicaKeys;
pub use request_id::{hash_of_map, RequestId};
pub use server::{serve, serve_with, ServeConfig, ServerHandle, DEFAULT_PORT};
