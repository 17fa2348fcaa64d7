//! Installed packages (PyPI) inside the canister: the payload's package files are written
//! into the WASI polyfill's file system under [`SITE_PACKAGES`], which then goes on
//! `sys.path`, so CPython's own path finder imports them.
//!
//! Promises: after [`write`], every file of the payload exists with its bytes (folders
//! created as needed); after [`add_to_path`], package modules import as they do on a
//! host — with `__file__`, a package's `__path__`, and a loader whose
//! `get_data`/`get_resource_reader` read the package's data files, so
//! `importlib.resources`, `pkgutil.get_data` and `__file__`-relative `open` work. Every
//! start (install, upgrade) writes them from the module's payload into an emptied
//! [`SITE_PACKAGES`], whether the file system is on the heap or in stable memory
//! (`crate::files`), so no file of an older version's packages is left behind. A file
//! that cannot be written traps the install.

use std::path::Path;

use kybra_interface::{SiteFile, SITE_PACKAGES};
use pyo3::prelude::*;

/// Writes `files` under [`SITE_PACKAGES`]; returns how many there were.
pub fn write(files: Vec<SiteFile>) -> usize {
    let root = Path::new(SITE_PACKAGES);
    // A stable file system still holds the previous version's packages.
    match std::fs::remove_dir_all(root) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => ic_cdk::trap(format!(
            "kybra: cannot remove the previous package files in {SITE_PACKAGES}: {e}"
        )),
    }
    let count = files.len();
    for file in files {
        let path = root.join(&file.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &file.data));
        if let Err(e) = written {
            ic_cdk::trap(format!(
                "kybra: cannot write the package file {}: {e}",
                path.display()
            ));
        }
    }
    count
}

/// Puts [`SITE_PACKAGES`] on `sys.path` (the interpreter must be running).
pub fn add_to_path() {
    Python::attach(|py| {
        let added = py
            .import("sys")
            .and_then(|sys| sys.getattr("path"))
            .and_then(|path| path.call_method1("append", (SITE_PACKAGES,)));
        if let Err(e) = added {
            crate::traps::uncaught(py, &e);
        }
    });
}
