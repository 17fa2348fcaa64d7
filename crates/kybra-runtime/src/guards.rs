//! Guard functions (`guard=` of `@query`, `@update`, `@heartbeat`, `@inspect_message`,
//! `@pre_upgrade`): called with no arguments before the protected function, they return
//! a `GuardResult`, `{"Ok": None}` or `{"Err": "why"}`.
//!
//! Promises: [`Guard::check`] returns `Ok` for `{"Ok": None}`; for `{"Err": text}` the
//! error is `kybra: <what>: guard `<name>` rejected the call: <text>`; a guard that
//! raises traps (its state changes roll back) with the guard named before the usual
//! `Uncaught <Type>: <message>` and traceback; a guard that returns anything else traps
//! with a `TypeError` that says what to return.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

pub use crate::registry::Guard;

impl Guard {
    /// Runs the guard; `Err` is the reject message. Traps when the guard raises or
    /// returns something that is not a `GuardResult`.
    pub fn check(&self, py: Python<'_>, what: &str) -> Result<(), String> {
        let name = &self.name;
        let result = match self.function.bind(py).call0() {
            Ok(r) => r,
            Err(e) => {
                crate::output::flush_all();
                ic_cdk::trap(format!(
                    "kybra: {what}: guard `{name}` raised: {}",
                    crate::traps::describe(py, &e)
                ))
            }
        };
        match outcome(&result) {
            Some(Ok(())) => Ok(()),
            Some(Err(text)) => Err(format!(
                "kybra: {what}: guard `{name}` rejected the call: {text}"
            )),
            None => {
                crate::output::flush_all();
                let shown = result
                    .repr()
                    .map(|r| r.to_string())
                    .unwrap_or_else(|_| "?".into());
                let shown: String = shown.chars().take(80).collect();
                ic_cdk::trap(format!(
                    "Uncaught TypeError: kybra: {what}: guard `{name}` returned {shown}, not a GuardResult — \
                     return {{\"Ok\": None}} to allow the call or {{\"Err\": \"why\"}} to reject it"
                ))
            }
        }
    }
}

/// `{"Ok": None}` → allowed; `{"Err": str}` → rejected with the text; else `None`.
fn outcome(result: &Bound<'_, PyAny>) -> Option<Result<(), String>> {
    let dict = result.cast::<PyDict>().ok()?;
    if dict.len() != 1 {
        return None;
    }
    let (key, value) = dict.iter().next()?;
    let key = key.cast::<PyString>().ok()?.to_string();
    match key.as_str() {
        "Ok" if value.is_none() => Some(Ok(())),
        "Err" => Some(Err(value.cast::<PyString>().ok()?.to_string())),
        _ => None,
    }
}
