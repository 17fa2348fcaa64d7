//! Reads the canister's [`Payload`] through the two functions the template imports from
//! wasm module `kybra` (the compiler replaces them with local functions that copy a
//! passive data segment).
//!
//! Promise: [`read`] returns the decoded payload or traps with a message saying the
//! module was not built by the Kybra compiler.

use kybra_interface::Payload;

#[link(wasm_import_module = "kybra")]
extern "C" {
    fn payload_size() -> i32;
    fn payload_copy(dst: i32);
}

/// Copies the payload out of the module and decodes it.
pub fn read() -> Payload {
    // SAFETY: the compiler-provided functions write exactly `payload_size()` bytes.
    let bytes = unsafe {
        let len = payload_size();
        let len =
            usize::try_from(len).unwrap_or_else(|_| ic_cdk::trap("kybra: negative payload size"));
        let mut buf = vec![0u8; len];
        payload_copy(buf.as_mut_ptr() as i32);
        buf
    };
    Payload::decode(&bytes).unwrap_or_else(|e| {
        ic_cdk::trap(format!(
            "kybra: the module's payload is not valid ({e}); rebuild the canister with `kybra build`"
        ))
    })
}
