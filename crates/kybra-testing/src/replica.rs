//! `NativeReplica`: a `kybra_replica::Replica` in memory, driven from Python with raw
//! Candid bytes; `kybra.testing.Replica` builds the friendly API on top.
//!
//! Promises: every call releases the GIL while the replica runs (timers or other Python
//! threads are never blocked by a long message); a reject raises `Reject(code, message,
//! error_code)`; installs go through the chunk store as `kybra deploy` does
//! (`kybra_replica::testing`), so modules of any allowed size install. A fixed-clock
//! replica only moves time when told to.

use std::sync::Arc;
use std::time::Duration;

use candid::Principal;
use kybra_replica::testing::InstallMode;
use kybra_replica::{Replica, ReplicaConfig, TimeMode};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

create_exception!(
    _native,
    Reject,
    PyException,
    "A reject from the replica: args are (reject code, message, IC error code or None)."
);

fn reject(r: kybra_replica::Reject) -> PyErr {
    Reject::new_err((r.code as u8, r.message, r.error_code))
}

fn principal(bytes: &[u8]) -> PyResult<Principal> {
    Principal::try_from_slice(bytes)
        .map_err(|e| PyValueError::new_err(format!("not a principal: {e}")))
}

/// The local IC, in memory (see the module docs).
#[pyclass(module = "kybra.testing._native", frozen)]
pub struct NativeReplica {
    replica: Arc<Replica>,
}

/// What the subnet id of a `kybra.testing` replica is derived from.
const TESTING_SUBNET_SEED: &[u8] = b"kybra.testing subnet";

#[pymethods]
impl NativeReplica {
    /// `time_nanos`: start a fixed clock there; `None`: follow the wall clock.
    #[new]
    #[pyo3(signature = (time_nanos=None))]
    fn new(py: Python<'_>, time_nanos: Option<u64>) -> Self {
        let time = time_nanos
            .map(TimeMode::Fixed)
            .unwrap_or(TimeMode::WallClock);
        let replica = py.detach(|| {
            Replica::new(ReplicaConfig {
                state_dir: None,
                time,
            })
        });
        // A subnet id of its own (`ic.subnet_self()`); no root key: nothing is certified
        // without the HTTP server, so `ic.root_key()` is an error here.
        replica.set_subnet_id(Principal::self_authenticating(TESTING_SUBNET_SEED));
        NativeReplica {
            replica: Arc::new(replica),
        }
    }

    /// An update call; returns the reply bytes. `effective` names the target of a
    /// management canister call.
    #[pyo3(signature = (sender, canister, method, arg, effective=None))]
    fn update<'py>(
        &self,
        py: Python<'py>,
        sender: &[u8],
        canister: &[u8],
        method: &str,
        arg: Vec<u8>,
        effective: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let (sender, canister) = (principal(sender)?, principal(canister)?);
        let effective = effective.map(principal).transpose()?;
        let r = Arc::clone(&self.replica);
        let out = py.detach(move || r.update(sender, canister, effective, method, &arg));
        Ok(PyBytes::new(py, &out.map_err(reject)?))
    }

    /// A query call; its state changes are dropped.
    fn query<'py>(
        &self,
        py: Python<'py>,
        sender: &[u8],
        canister: &[u8],
        method: &str,
        arg: Vec<u8>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let (sender, canister) = (principal(sender)?, principal(canister)?);
        let r = Arc::clone(&self.replica);
        let out = py.detach(move || r.query(sender, canister, method, &arg));
        Ok(PyBytes::new(py, &out.map_err(reject)?))
    }

    /// A new empty canister controlled by `controller`, holding `cycles`, at
    /// `specified_id` if given; its id bytes.
    #[pyo3(signature = (controller, cycles, specified_id=None))]
    fn create_canister<'py>(
        &self,
        py: Python<'py>,
        controller: &[u8],
        cycles: u128,
        specified_id: Option<&[u8]>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let controller = principal(controller)?;
        let specified_id = specified_id.map(principal).transpose()?;
        let r = Arc::clone(&self.replica);
        let id = py
            .detach(move || r.create_canister_with_cycles(controller, cycles, specified_id))
            .map_err(reject)?;
        Ok(PyBytes::new(py, id.as_slice()))
    }

    /// Installs `module` (plain or gzipped wasm) with `arg`; `mode` is `"install"`,
    /// `"reinstall"` or `"upgrade"`. `sender` must control the canister.
    fn install(
        &self,
        py: Python<'_>,
        sender: &[u8],
        canister: &[u8],
        module: Vec<u8>,
        arg: Vec<u8>,
        mode: &str,
    ) -> PyResult<()> {
        let (sender, canister) = (principal(sender)?, principal(canister)?);
        let mode = match mode {
            "install" => InstallMode::Install,
            "reinstall" => InstallMode::Reinstall,
            "upgrade" => InstallMode::Upgrade,
            other => {
                return Err(PyValueError::new_err(format!(
                    "install mode {other:?}: use install, reinstall or upgrade"
                )))
            }
        };
        let r = Arc::clone(&self.replica);
        py.detach(move || r.install_module(sender, canister, &module, arg, mode))
            .map_err(reject)
    }

    /// The canister's cycle balance (`None`: no such canister).
    fn cycles(&self, canister: &[u8]) -> PyResult<Option<u128>> {
        Ok(self.replica.cycle_balance(principal(canister)?))
    }

    /// Adds (or removes) the system canisters: the ICP ledger, the cycles ledger and the
    /// cycles minting canister at their mainnet ids.
    fn set_system_canisters(&self, on: bool) {
        self.replica.set_system_canisters(on);
    }

    /// The faucet: mints `e8s` ICP into the ICP-ledger account `account` (32 bytes); the block.
    fn icp_mint(&self, account: &[u8], e8s: u64) -> PyResult<u64> {
        let account = <[u8; 32]>::try_from(account)
            .map_err(|_| PyValueError::new_err("an account identifier is 32 bytes"))?;
        self.replica
            .icp_mint(account, e8s)
            .map_err(PyRuntimeError::new_err)
    }

    /// Runs due timers, heartbeats and queued messages; `(timers, heartbeats, messages)` run.
    fn tick(&self, py: Python<'_>) -> (usize, usize, usize) {
        let r = Arc::clone(&self.replica);
        let t = py.detach(move || r.tick());
        (t.timers, t.heartbeats, t.messages)
    }

    /// Moves the clock forward (a wall-clock replica switches to a fixed clock).
    fn advance_time(&self, nanos: u64) {
        self.replica.advance_time(Duration::from_nanos(nanos));
    }

    fn set_time(&self, nanos: u64) {
        self.replica.set_time(nanos);
    }

    /// Nanoseconds since the Unix epoch.
    fn time(&self) -> u64 {
        self.replica.time_nanos()
    }

    /// `[(index, timestamp_nanos, content)]`, oldest first.
    fn logs(&self, canister: &[u8]) -> PyResult<Vec<(u64, u64, Vec<u8>)>> {
        let records = self.replica.logs(principal(canister)?);
        Ok(records
            .into_iter()
            .map(|r| (r.idx, r.timestamp_nanos, r.content))
            .collect())
    }

    /// Instructions of the last message the canister executed.
    fn last_instructions(&self, canister: &[u8]) -> PyResult<Option<u64>> {
        Ok(self.replica.last_instructions(principal(canister)?))
    }

    fn controllers(&self, canister: &[u8]) -> PyResult<Option<Vec<Vec<u8>>>> {
        Ok(self
            .replica
            .controllers(principal(canister)?)
            .map(|cs| cs.iter().map(|c| c.as_slice().to_vec()).collect()))
    }

    fn module_hash(&self, canister: &[u8]) -> PyResult<Option<Vec<u8>>> {
        Ok(self
            .replica
            .module_hash(principal(canister)?)
            .map(|h| h.to_vec()))
    }

    fn canister_ids(&self) -> Vec<Vec<u8>> {
        self.replica
            .canister_ids()
            .iter()
            .map(|c| c.as_slice().to_vec())
            .collect()
    }
}
