//! Real randomness for Python: right after install and after every upgrade, a zero-delay
//! timer asks the management canister for `raw_rand` and reseeds the WASI random source
//! (so `os.urandom`, `secrets`, `uuid.uuid4` draw from it) and, if `random` is already
//! imported, `random.seed()` from it.
//!
//! Promise: until that timer has run (the first message after install/upgrade), the source
//! is seeded from the time and canister id only (deterministic, not secret). If `raw_rand`
//! fails, the canister log says so and the old seed stays.

use std::time::Duration;

use candid::Principal;
use ic_cdk::call::Call;
use pyo3::prelude::*;

/// Schedules the reseeding.
pub fn schedule() {
    ic_cdk_timers::set_timer(Duration::ZERO, async {
        let reply = Call::unbounded_wait(Principal::management_canister(), "raw_rand")
            .with_raw_args(b"DIDL\0\0")
            .await;
        let bytes = match reply.map(|r| candid::decode_one::<Vec<u8>>(&r.into_bytes())) {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(e)) => {
                return ic_cdk::api::debug_print(format!(
                    "kybra: raw_rand replied with unexpected bytes: {e}"
                ))
            }
            Err(e) => {
                return ic_cdk::api::debug_print(format!(
                    "kybra: could not seed randomness from raw_rand: {e}"
                ))
            }
        };
        ic_wasi_polyfill::init_seed(&bytes);
        Python::attach(|py| {
            let reseeded = py
                .import("sys")
                .and_then(|sys| sys.getattr("modules"))
                .and_then(|modules| modules.get_item("random"))
                .and_then(|random| random.call_method0("seed"));
            if let Err(e) = reseeded {
                if !e.is_instance_of::<pyo3::exceptions::PyKeyError>(py) {
                    ic_cdk::api::debug_print(format!("kybra: random.seed() failed: {e}"));
                }
            }
        });
    });
}
