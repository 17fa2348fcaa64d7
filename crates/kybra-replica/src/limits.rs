//! The IC's limits the replica enforces (interface specification and the IC's
//! execution environment configuration).

/// Instructions per (non-replicated) query.
pub const QUERY_INSTRUCTION_LIMIT: u64 = 5_000_000_000;
/// Instructions per update, timer or heartbeat.
pub const UPDATE_INSTRUCTION_LIMIT: u64 = 40_000_000_000;
/// Instructions per install, reinstall or upgrade (all hooks together).
pub const INSTALL_INSTRUCTION_LIMIT: u64 = 300_000_000_000;
/// Largest ingress message payload (argument) and reply.
pub const MAX_MESSAGE_BYTES: usize = 2 * 1024 * 1024;
/// Largest Wasm module accepted (after decompression), as via chunked installation.
pub const MAX_MODULE_BYTES: usize = 100 * 1024 * 1024;
/// Largest code section.
pub const MAX_CODE_SECTION_BYTES: usize = 10 * 1024 * 1024;
/// Most functions a module may define.
pub const MAX_FUNCTIONS: usize = 50_000;
/// Most globals a module may define.
pub const MAX_GLOBALS: usize = 1_000;
/// Most custom sections (`icp:*`) and their total size.
pub const MAX_CUSTOM_SECTIONS: usize = 16;
pub const MAX_CUSTOM_SECTIONS_BYTES: usize = 2 * 1024 * 1024;
/// Largest chunk for `upload_chunk`, and most chunks a canister stores.
pub const MAX_CHUNK_BYTES: usize = 1024 * 1024;
pub const MAX_CHUNKS: usize = 100;
/// Wasm page size (heap and stable memory).
pub const WASM_PAGE_BYTES: u64 = 65_536;
/// Largest 32-bit heap: 4 GiB.
pub const MAX_HEAP_PAGES: u64 = 65_536;
/// Largest stable memory: 500 GiB.
pub const MAX_STABLE_PAGES: u64 = 500 * 1024 * 1024 * 1024 / WASM_PAGE_BYTES;
/// Largest 32-bit stable memory (`ic0.stable_*`): 4 GiB.
pub const MAX_STABLE32_PAGES: u64 = 65_536;
/// The wasm operand/call stack per message (wasmtime `max_wasm_stack`).
pub const WASM_STACK_BYTES: usize = 5 * 1024 * 1024;
/// Largest `ic0.certified_data_set` payload.
pub const MAX_CERTIFIED_DATA_BYTES: usize = 32;
/// Largest single `debug_print` line kept in the log, and the log's capacity in bytes.
pub const MAX_LOG_LINE_BYTES: usize = 32 * 1024;
pub const MAX_LOG_BYTES: usize = 4 * 1024 * 1024;
/// Cycles given to canisters created without an explicit amount.
pub const DEFAULT_PROVISIONAL_CYCLES: u128 = 100_000_000_000_000;
/// Instructions for `canister_inspect_message`.
pub const INSPECT_MESSAGE_INSTRUCTION_LIMIT: u64 = 200_000_000;

/// The per-message instruction limits a replica applies (the IC's by default; tests
/// lower them to reach the limit quickly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstructionLimits {
    pub query: u64,
    pub update: u64,
    pub install: u64,
}

impl Default for InstructionLimits {
    fn default() -> Self {
        InstructionLimits {
            query: QUERY_INSTRUCTION_LIMIT,
            update: UPDATE_INSTRUCTION_LIMIT,
            install: INSTALL_INSTRUCTION_LIMIT,
        }
    }
}
