//! How Python failures end a message: a trap whose text is
//! `Uncaught <Type>: <message>` followed by the innermost frames as `file:line in name`,
//! so the replica rolls the message's state back and the caller sees why.
//!
//! Promise: [`uncaught`] never returns; it flushes pending stdout/stderr first.

use pyo3::prelude::*;
use pyo3::types::PyTraceback;

/// How many innermost frames the trap message shows.
const MAX_FRAMES: usize = 8;

/// `Uncaught <Type>: <message>` plus a short traceback.
pub fn describe(py: Python<'_>, err: &PyErr) -> String {
    let ty = err.get_type(py);
    let name = ty
        .qualname()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".into());
    let message = err
        .value(py)
        .str()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let mut out = if message.is_empty() {
        format!("Uncaught {name}")
    } else {
        format!("Uncaught {name}: {message}")
    };
    if let Some(tb) = err.traceback(py) {
        let frames = frames(&tb);
        let skip = frames.len().saturating_sub(MAX_FRAMES);
        if skip > 0 {
            out.push_str(&format!("\n  ... {skip} outer frames"));
        }
        for frame in &frames[skip..] {
            out.push_str("\n  at ");
            out.push_str(frame);
        }
    }
    out
}

fn frames(tb: &Bound<'_, PyTraceback>) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<Bound<'_, PyAny>> = Some(tb.clone().into_any());
    while let Some(tb) = current.filter(|t| !t.is_none()) {
        let frame = (|| -> PyResult<String> {
            let line: u32 = tb.getattr("tb_lineno")?.extract()?;
            let code = tb.getattr("tb_frame")?.getattr("f_code")?;
            let file: String = code.getattr("co_filename")?.extract()?;
            let name: String = code.getattr("co_name")?.extract()?;
            Ok(format!("{file}:{line} in {name}"))
        })();
        out.push(frame.unwrap_or_else(|_| "<unknown frame>".into()));
        current = tb.getattr("tb_next").ok();
    }
    out
}

/// Traps with [`describe`]'s text.
pub fn uncaught(py: Python<'_>, err: &PyErr) -> ! {
    crate::output::flush_all();
    ic_cdk::trap(describe(py, err))
}
