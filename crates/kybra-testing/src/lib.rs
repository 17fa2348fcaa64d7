//! `kybra.testing._native`: the Rust half of `kybra.testing` (python/kybra/testing/).
//!
//! An in-process local replica for pytest — no server, no network: [`replica`] wraps
//! `kybra_replica::Replica` with raw Candid bytes in and out, [`interface`] converts
//! between Python values and Candid with the in-canister runtime's own codec
//! (`kybra-codec`), from a Kybra module's payload ([`module`]), a `.did` ([`did`]) or
//! the management canister's types ([`management`]). The Python package turns these into
//! canister handles whose methods are the canister's Candid methods.

mod did;
mod interface;
mod management;
mod module;
mod replica;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<replica::NativeReplica>()?;
    m.add_class::<interface::Interface>()?;
    m.add("Reject", m.py().get_type::<replica::Reject>())?;
    Ok(())
}
