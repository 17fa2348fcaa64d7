//! WASI functions `ic-wasi-polyfill` leaves out with `skip_unimplemented_functions`,
//! answered with an error code instead of a panic (CPython probes some of them, e.g.
//! `readlink` at start-up). kybra-template's WASI rewiring finds them by their `__ic_custom_` names.
//!
//! Promise: each returns a WASI errno (never traps), so Python sees an `OSError`.

const ERRNO_INVAL: i32 = 28;
const ERRNO_NOTSUP: i32 = 58;
const ERRNO_NOSYS: i32 = 52;

#[no_mangle]
#[inline(never)]
pub extern "C" fn __ic_custom_path_readlink(
    _fd: i32,
    _path: i32,
    _path_len: i32,
    _buf: i32,
    _buf_len: i32,
    _used: i32,
) -> i32 {
    ERRNO_INVAL
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn __ic_custom_path_symlink(
    _old: i32,
    _old_len: i32,
    _fd: i32,
    _new: i32,
    _new_len: i32,
) -> i32 {
    ERRNO_NOTSUP
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn __ic_custom_poll_oneoff(_in: i32, _out: i32, _n: i32, _events: i32) -> i32 {
    ERRNO_NOTSUP
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn __ic_custom_proc_raise(_sig: i32) -> i32 {
    ERRNO_NOSYS
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn __ic_custom_sock_accept(_fd: i32, _flags: i32, _ret: i32) -> i32 {
    ERRNO_NOTSUP
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn __ic_custom_sock_recv(
    _fd: i32,
    _iovs: i32,
    _n: i32,
    _flags: i32,
    _len: i32,
    _oflags: i32,
) -> i32 {
    ERRNO_NOTSUP
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn __ic_custom_sock_send(
    _fd: i32,
    _iovs: i32,
    _n: i32,
    _flags: i32,
    _len: i32,
) -> i32 {
    ERRNO_NOTSUP
}

#[no_mangle]
#[inline(never)]
pub extern "C" fn __ic_custom_sock_shutdown(_fd: i32, _how: i32) -> i32 {
    ERRNO_NOTSUP
}
