//! The canister's file system: the WASI polyfill's (`ic-wasi-polyfill` on `stable-fs`),
//! which CPython's `open()`, `os` and `pathlib` reach through WASI. By default it lives on
//! the heap, so an upgrade starts with an empty one (then the payload's package files).
//! A canister that declares `StableFileSystem(max_file_size=…)` keeps it in stable memory,
//! in the memory ids `FILE_SYSTEM_MEMORY_IDS` of the manager the stable structures share
//! (`crate::stable::manager`), so its files survive upgrades and replica restarts.
//!
//! Promises:
//! - [`init`] sets the file system up before any Python runs; a stable one over stable
//!   memory holding something else (raw `ic.stable_write` data) traps the install or
//!   upgrade with the reason, and nothing is lost;
//! - with a stable file system, every regular file opened gets `max_file_size` as its
//!   limit (unless it is already larger, when it keeps the limit it had), and `stable-fs`
//!   refuses a write or truncation past it with `EFBIG` before changing anything
//!   (Python: `OSError: [Errno 27] File too large`);
//! - [`memory_ids`] names the memory ids it owns, so the raw stable API refuses to
//!   overwrite them.

use std::cell::Cell;

use ic_wasi_polyfill::FS;
use kybra_interface::{StableFileSystem, FILE_SYSTEM_MEMORY_IDS};
use stable_fs::storage::types::FileType;

thread_local! {
    /// The declared file size limit while the file system is in stable memory.
    static MAX_FILE_SIZE: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Sets the polyfill up (its random seed, environment and file system).
pub fn init(seed: &[u8], env: &[(&str, &str)], declared: Option<StableFileSystem>) {
    let Some(decl) = declared else {
        ic_wasi_polyfill::init(seed, env);
        return;
    };
    let ready = crate::stable::manager::with_manager("the stable file system", |m| {
        ic_wasi_polyfill::init_with_memory_manager(seed, env, m, FILE_SYSTEM_MEMORY_IDS)
    });
    if let Err(message) = ready {
        ic_cdk::trap(message);
    }
    MAX_FILE_SIZE.set(Some(decl.max_file_size));
}

/// The memory ids of a stable file system (none on the heap).
pub fn memory_ids() -> Vec<u8> {
    match MAX_FILE_SIZE.get() {
        Some(_) => FILE_SYSTEM_MEMORY_IDS.collect(),
        None => Vec::new(),
    }
}

/// Gives the regular file open at `fd` the declared size limit.
fn limit(fd: u32, max: u64) {
    FS.with(|fs| {
        let mut fs = fs.borrow_mut();
        let Ok(meta) = fs.metadata(fd) else { return };
        if meta.file_type == FileType::RegularFile
            && meta.maximum_size_allowed != Some(max)
            && meta.size <= max
        {
            // A failure leaves the file as it was, with the limit it had.
            let _ = fs.set_file_size_limit(fd, max);
        }
    });
}

/// WASI `path_open`, rewired here by `kybra-template` (the `__kybra_wasi_` prefix wins
/// over the polyfill's `__ic_custom_`): the polyfill's, then the file's size limit.
///
/// # Safety
/// The WASI contract: `path` points at `path_len` bytes and `res` at a writable `u32`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn __kybra_wasi_path_open(
    parent_fd: u32,
    dirflags: i32,
    path: *const u8,
    path_len: u32,
    oflags: i32,
    fs_rights_base: u64,
    fs_rights_inheriting: u64,
    fdflags: i32,
    res: *mut u32,
) -> i32 {
    // SAFETY: the caller's guarantees are the polyfill's.
    let result = unsafe {
        ic_wasi_polyfill::__ic_custom_path_open(
            parent_fd,
            dirflags,
            path,
            path_len,
            oflags,
            fs_rights_base,
            fs_rights_inheriting,
            fdflags,
            res,
        )
    };
    if result == 0 {
        if let Some(max) = MAX_FILE_SIZE.get() {
            // SAFETY: the polyfill wrote the new descriptor on success.
            limit(unsafe { *res }, max);
        }
    }
    result
}
