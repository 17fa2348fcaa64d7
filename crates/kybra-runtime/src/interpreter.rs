//! Starts CPython for a canister: isolated configuration, `PYTHONHASHSEED=0`, UTF-8,
//! no `site`, no signal handlers, no bytecode writing, no module search path (modules
//! come from the frozen table, see `frozen`), an explicit recursion limit, and
//! `sys.stdout` / `sys.stderr` sent to `ic0.debug_print`.
//!
//! Promise: [`start`] either returns with the interpreter ready and the GIL held by the
//! (only) thread, or traps with CPython's start-up error.

use std::ffi::CStr;
use std::mem::MaybeUninit;

use pyo3::ffi;
use pyo3::prelude::*;

use crate::output::DebugWriter;

/// Python-level recursion limit. Python-to-Python calls do not use the C stack in 3.11,
/// but calls through C (`__init__`, `__eq__`, `repr`, `sorted(key=...)`) do: this limit
/// keeps the deepest C recursion inside the wasm stack (see build.rs, `STACK_SIZE`).
pub const RECURSION_LIMIT: u32 = 1000;

fn check(status: ffi::PyStatus, what: &str) {
    // SAFETY: plain reads of the status struct returned by CPython.
    unsafe {
        if ffi::PyStatus_Exception(status) != 0 {
            let msg = if status.err_msg.is_null() {
                "unknown error".to_string()
            } else {
                CStr::from_ptr(status.err_msg)
                    .to_string_lossy()
                    .into_owned()
            };
            let func = if status.func.is_null() {
                String::new()
            } else {
                format!(" in {}", CStr::from_ptr(status.func).to_string_lossy())
            };
            ic_cdk::trap(format!("kybra: CPython {what} failed{func}: {msg}"));
        }
    }
}

/// Initialises the interpreter (once per canister instance).
pub fn start() {
    // SAFETY: the documented embedding sequence, on the only thread, before any other
    // Python API call.
    unsafe {
        let mut pre = MaybeUninit::<ffi::PyPreConfig>::zeroed();
        ffi::PyPreConfig_InitIsolatedConfig(pre.as_mut_ptr());
        let mut pre = pre.assume_init();
        pre.utf8_mode = 1;
        check(ffi::Py_PreInitialize(&pre), "pre-initialisation");

        let mut config = MaybeUninit::<ffi::PyConfig>::zeroed();
        ffi::PyConfig_InitIsolatedConfig(config.as_mut_ptr());
        let mut config = config.assume_init();
        config.use_hash_seed = 1;
        config.hash_seed = 0;
        config.site_import = 0;
        config.write_bytecode = 0;
        config.install_signal_handlers = 0;
        config.use_frozen_modules = 1;
        config.pathconfig_warnings = 0;
        config.user_site_directory = 0;
        config.parse_argv = 0;
        config.module_search_paths_set = 1;
        config.buffered_stdio = 0;
        check(
            ffi::PyConfig_SetBytesString(&mut config, &mut config.home, c"/".as_ptr()),
            "configuration (home)",
        );
        check(
            ffi::PyConfig_SetBytesString(&mut config, &mut config.program_name, c"kybra".as_ptr()),
            "configuration (program name)",
        );
        let status = ffi::Py_InitializeFromConfig(&config);
        ffi::PyConfig_Clear(&mut config);
        check(status, "initialisation");
    }
    Python::attach(|py| {
        let result = (|| -> PyResult<()> {
            let sys = py.import("sys")?;
            sys.call_method1("setrecursionlimit", (RECURSION_LIMIT,))?;
            sys.setattr("stdout", Bound::new(py, DebugWriter::new(false))?)?;
            sys.setattr("stderr", Bound::new(py, DebugWriter::new(true))?)?;
            Ok(())
        })();
        if let Err(e) = result {
            crate::traps::uncaught(py, &e);
        }
    });
}
