//! Where Python's output goes: `sys.stdout` / `sys.stderr` are [`DebugWriter`]s whose
//! complete lines become `ic0.debug_print` lines, one `print()` call per line; whatever is
//! pending at the end of a message is written by [`flush_all`] (nothing waits in a buffer
//! across messages). Every module that ends a message (a reply, a reject, a trap) flushes.

use std::cell::RefCell;

use pyo3::prelude::*;

thread_local! {
    /// Pending partial lines of stdout (0) and stderr (1).
    static PENDING: RefCell<[String; 2]> = const { RefCell::new([String::new(), String::new()]) };
}

/// A text stream whose complete lines go to `ic0.debug_print`.
#[pyclass(module = "_kybra_ic")]
pub struct DebugWriter {
    stderr: bool,
}

impl DebugWriter {
    pub fn new(stderr: bool) -> Self {
        DebugWriter { stderr }
    }
}

fn emit_lines(buffer: &mut String) {
    if let Some(end) = buffer.rfind('\n') {
        ic_cdk::api::debug_print(&buffer[..end]);
        buffer.drain(..=end);
    }
}

fn flush_stream(index: usize) {
    PENDING.with_borrow_mut(|p| {
        if !p[index].is_empty() {
            ic_cdk::api::debug_print(&p[index]);
            p[index].clear();
        }
    });
}

/// Writes out any partial line still pending on stdout or stderr.
pub fn flush_all() {
    flush_stream(0);
    flush_stream(1);
}

#[pymethods]
impl DebugWriter {
    fn write(&self, text: &str) -> usize {
        let index = usize::from(self.stderr);
        PENDING.with_borrow_mut(|p| {
            p[index].push_str(text);
            emit_lines(&mut p[index]);
        });
        text.chars().count()
    }

    fn flush(&self) {
        flush_stream(usize::from(self.stderr));
    }

    fn isatty(&self) -> bool {
        false
    }

    fn writable(&self) -> bool {
        true
    }

    fn readable(&self) -> bool {
        false
    }

    #[getter]
    fn encoding(&self) -> &'static str {
        "utf-8"
    }

    #[getter]
    fn errors(&self) -> &'static str {
        "backslashreplace"
    }
}
