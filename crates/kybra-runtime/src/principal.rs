//! `kybra.principal.Principal` objects made natively from the bytes the IC gives
//! (`ic.caller()`, `ic.id()`, `ic.subnet_self()`), without a Python frame.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyType};
use pyo3::{ffi, intern};

/// `kybra.principal.Principal`, imported on first use.
static PRINCIPAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A `Principal` of `bytes` (at most 29: they come from the IC), made as
/// `object.__new__(Principal)` with its one slot, `_bytes`, set directly: what
/// `Principal(bytes)` makes, without running its Python `__init__`.
pub fn principal<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let class = PRINCIPAL.import(py, "kybra.principal", "Principal")?;
    // SAFETY: the class is a live type object; `PyType_GenericAlloc` returns a new
    // reference (GC-tracked as the type requires) or NULL with an exception set.
    let obj = unsafe {
        Bound::from_owned_ptr_or_err(py, ffi::PyType_GenericAlloc(class.as_type_ptr(), 0))
    }?;
    let value = PyBytes::new(py, bytes);
    // SAFETY: all three are live objects; the generic setattr finds the `_bytes` slot
    // descriptor on the class (bypassing `Principal.__setattr__`, which forbids changes).
    let status = unsafe {
        ffi::PyObject_GenericSetAttr(obj.as_ptr(), intern!(py, "_bytes").as_ptr(), value.as_ptr())
    };
    if status != 0 {
        return Err(PyErr::fetch(py));
    }
    Ok(obj)
}
