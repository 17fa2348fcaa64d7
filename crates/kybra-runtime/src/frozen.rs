//! Makes the payload's Python modules importable as CPython *frozen* modules.
//!
//! CPython's `FrozenImporter` (first on `sys.meta_path`) searches the table behind
//! `PyImport_FrozenModules` before its own deep-frozen standard-library modules, so a
//! table of `(name, marshalled code, is_package)` entries is all an import needs: no file
//! system, no `sys.path` scan, no Python glue. The table is installed before the
//! interpreter starts (start-up itself imports `encodings`), and rebuilt once the
//! interpreter can compile the payload's `Source` modules.
//!
//! Promises: every module given to [`install`] is importable under its dotted name, with
//! the package flag given; modules CPython already carries deep-frozen (`os`, `io`,
//! `codecs`, ...) keep CPython's faster built-in copy; the table's memory lives forever.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};

use pyo3::ffi;

/// One importable module: dotted name, marshalled code object, package flag.
pub struct FrozenModule {
    pub name: String,
    pub code: Vec<u8>,
    pub is_package: bool,
}

struct Table {
    names: Vec<CString>,
    code: Vec<Box<[u8]>>,
    packages: Vec<bool>,
    entries: Vec<ffi::_frozen>,
}

thread_local! {
    static TABLE: RefCell<Table> = const { RefCell::new(Table {
        names: Vec::new(),
        code: Vec::new(),
        packages: Vec::new(),
        entries: Vec::new(),
    }) };
}

extern "C" {
    /// CPython's own deep-frozen standard-library modules (Python/frozen.c).
    static _PyImport_FrozenStdlib: *const ffi::_frozen;
}

/// True if CPython carries `name` deep-frozen itself.
fn builtin_frozen(name: &CStr) -> bool {
    // SAFETY: the table is a static array terminated by an entry with a null name.
    unsafe {
        let mut p = _PyImport_FrozenStdlib;
        while !(*p).name.is_null() {
            if CStr::from_ptr((*p).name) == name {
                return true;
            }
            p = p.add(1);
        }
    }
    false
}

/// Adds `modules` to the frozen table and (re)publishes it to CPython.
pub fn install(modules: Vec<FrozenModule>) {
    TABLE.with_borrow_mut(|table| {
        for m in modules {
            let name = CString::new(m.name.clone()).unwrap_or_else(|_| {
                ic_cdk::trap(format!(
                    "kybra: module name {:?} contains a NUL byte",
                    m.name
                ))
            });
            if builtin_frozen(&name) {
                continue;
            }
            if i32::try_from(m.code.len()).is_err() {
                ic_cdk::trap(format!("kybra: module {} is larger than 2 GiB", m.name));
            }
            table.names.push(name);
            table.code.push(m.code.into_boxed_slice());
            table.packages.push(m.is_package);
        }
        // The names and code live in boxes that never move; only `entries` is rebuilt.
        let entries: Vec<ffi::_frozen> = table
            .names
            .iter()
            .zip(&table.code)
            .zip(&table.packages)
            .map(|((name, code), &is_package)| ffi::_frozen {
                name: name.as_ptr(),
                code: code.as_ptr(),
                size: code.len() as i32,
                is_package: i32::from(is_package),
                get_code: None,
            })
            .chain(std::iter::once(ffi::_frozen {
                name: std::ptr::null::<c_char>(),
                code: std::ptr::null(),
                size: 0,
                is_package: 0,
                get_code: None,
            }))
            .collect();
        // The previous entry array may still be read by CPython until the pointer is
        // swapped: leak it rather than free it (it is small and this happens twice).
        let old = std::mem::replace(&mut table.entries, entries);
        std::mem::forget(old);
        // SAFETY: single-threaded; the entries outlive the interpreter (never freed).
        unsafe {
            ffi::PyImport_FrozenModules = table.entries.as_ptr();
        }
    });
}
