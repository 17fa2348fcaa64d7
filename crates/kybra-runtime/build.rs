//! Link settings for the wasm32 runtime: CPython's static libraries from the cache that
//! `runtime/build-cpython.sh` fills (`KYBRA_CPYTHON_DIR`: libpython3.11, libmpdec, libexpat, libz), Debian's wasi-libc emulation
//! libraries, and an explicit stack size. Does nothing for other targets.

/// Size of the wasm shadow stack (in linear memory). CPython's own wasm32-wasi build uses
/// 512 KiB; we give the Rust glue and C recursion room. See `RECURSION_LIMIT`.
const STACK_SIZE: u32 = 8 * 1024 * 1024;

fn main() {
    println!("cargo:rerun-if-env-changed=KYBRA_CPYTHON_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return;
    }
    let Ok(dir) = std::env::var("KYBRA_CPYTHON_DIR") else {
        panic!(
            "KYBRA_CPYTHON_DIR is not set: build the runtime with `bash runtime/build-assets.sh` \
             (it builds CPython for wasm32-wasip1 and sets this variable)"
        );
    };
    let lib = format!("{dir}/lib");
    if !std::path::Path::new(&format!("{lib}/libpython3.11.a")).exists() {
        panic!("{lib}/libpython3.11.a is missing: run `bash runtime/build-cpython.sh`");
    }
    println!("cargo:rerun-if-changed={lib}/libpython3.11.a");
    println!("cargo:rustc-link-search=native={lib}");
    for name in [
        "mpdec",
        "expat",
        "z",
        "wasi-emulated-signal",
        "wasi-emulated-getpid",
        "wasi-emulated-process-clocks",
    ] {
        println!("cargo:rustc-link-lib=static={name}");
    }
    println!("cargo:rustc-link-arg=-zstack-size={STACK_SIZE}");
}
