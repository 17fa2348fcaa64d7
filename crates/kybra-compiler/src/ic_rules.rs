//! The Internet Computer's install-time rules for canister modules, as data: limits,
//! wasm features, the System API's functions and signatures, the entry points it calls,
//! reserved export names and the per-instruction complexity weights.
//!
//! Promises: values follow the replica (dfinity/ic `rs/embedders/src/wasm_utils/validation.rs`,
//! `rs/config/src/embedders.rs`) and the `ic0` crate 1.2.0; where replica versions
//! differ, the strictest value is used. [`crate::validate`] applies them.

use wasmparser::{Operator, ValType, WasmFeatures};

/// The IC's module limits (replica defaults, `rs/config/src/embedders.rs` and
/// `validation.rs`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Whole module (installed in chunks; the module itself may be this large).
    pub module_bytes: usize,
    /// Code section contents. 10 MiB in older replicas, 11–12 MiB in newer ones.
    pub code_section_bytes: u32,
    /// Functions defined in the module (imports do not count).
    pub functions: usize,
    pub globals: usize,
    /// `canister_query`/`canister_update`/`canister_composite_query` exports.
    pub exported_methods: usize,
    /// Sum of those methods' name lengths.
    pub exported_name_bytes: usize,
    /// `icp:` custom sections.
    pub custom_sections: usize,
    /// Sum over `icp:` custom sections of content + name (without the `icp:public ` prefix).
    pub custom_sections_bytes: usize,
    /// Instructions in one function body.
    pub function_instructions: usize,
    /// The replica's weighted instruction count of one function body.
    pub function_complexity: u64,
}

pub const IC_LIMITS: Limits = Limits {
    module_bytes: 100 * 1024 * 1024,
    code_section_bytes: 10 * 1024 * 1024,
    functions: 50_000,
    globals: 1_000,
    exported_methods: 1_000,
    exported_name_bytes: 20_000,
    custom_sections: 16,
    // 1 MiB in the replica's embedders config (some later versions allow 2 MiB).
    custom_sections_bytes: 1024 * 1024,
    function_instructions: 1_000_000,
    function_complexity: 1_000_000,
};

/// Wasm features the IC's wasmtime accepts for a 32-bit canister.
pub(crate) fn ic_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::SIMD
        | WasmFeatures::FLOATS
}

use ValType::{I32, I64};

/// The System API for wasm32 canisters: name, parameters, results (interface
/// specification; `ic0` crate 1.2.0 plus the older 32-bit-only calls).
pub(crate) const SYSTEM_API: &[(&str, &[ValType], &[ValType])] = &[
    ("msg_arg_data_size", &[], &[I32]),
    ("msg_arg_data_copy", &[I32, I32, I32], &[]),
    ("msg_caller_size", &[], &[I32]),
    ("msg_caller_copy", &[I32, I32, I32], &[]),
    ("msg_caller_info_data_size", &[], &[I32]),
    ("msg_caller_info_data_copy", &[I32, I32, I32], &[]),
    ("msg_caller_info_signer_size", &[], &[I32]),
    ("msg_caller_info_signer_copy", &[I32, I32, I32], &[]),
    ("msg_reject_code", &[], &[I32]),
    ("msg_reject_msg_size", &[], &[I32]),
    ("msg_reject_msg_copy", &[I32, I32, I32], &[]),
    ("msg_deadline", &[], &[I64]),
    ("msg_reply_data_append", &[I32, I32], &[]),
    ("msg_reply", &[], &[]),
    ("msg_reject", &[I32, I32], &[]),
    ("msg_cycles_available", &[], &[I64]),
    ("msg_cycles_available128", &[I32], &[]),
    ("msg_cycles_refunded", &[], &[I64]),
    ("msg_cycles_refunded128", &[I32], &[]),
    ("msg_cycles_accept", &[I64], &[I64]),
    ("msg_cycles_accept128", &[I64, I64, I32], &[]),
    ("cycles_burn128", &[I64, I64, I32], &[]),
    ("canister_self_size", &[], &[I32]),
    ("canister_self_copy", &[I32, I32, I32], &[]),
    ("canister_cycle_balance", &[], &[I64]),
    ("canister_cycle_balance128", &[I32], &[]),
    ("canister_liquid_cycle_balance128", &[I32], &[]),
    ("canister_status", &[], &[I32]),
    ("canister_version", &[], &[I64]),
    ("subnet_self_size", &[], &[I32]),
    ("subnet_self_copy", &[I32, I32, I32], &[]),
    ("subnet_self_node_count", &[], &[I32]),
    ("msg_method_name_size", &[], &[I32]),
    ("msg_method_name_copy", &[I32, I32, I32], &[]),
    ("accept_message", &[], &[]),
    ("call_new", &[I32, I32, I32, I32, I32, I32, I32, I32], &[]),
    ("call_on_cleanup", &[I32, I32], &[]),
    ("call_data_append", &[I32, I32], &[]),
    ("call_with_best_effort_response", &[I32], &[]),
    ("call_cycles_add", &[I64], &[]),
    ("call_cycles_add128", &[I64, I64], &[]),
    ("call_perform", &[], &[I32]),
    ("stable_size", &[], &[I32]),
    ("stable_grow", &[I32], &[I32]),
    ("stable_read", &[I32, I32, I32], &[]),
    ("stable_write", &[I32, I32, I32], &[]),
    ("stable64_size", &[], &[I64]),
    ("stable64_grow", &[I64], &[I64]),
    ("stable64_write", &[I64, I64, I64], &[]),
    ("stable64_read", &[I64, I64, I64], &[]),
    ("subnet_self_size", &[], &[I32]),
    ("subnet_self_copy", &[I32, I32, I32], &[]),
    ("subnet_self_node_count", &[], &[I32]),
    ("root_key_size", &[], &[I32]),
    ("root_key_copy", &[I32, I32, I32], &[]),
    ("certified_data_set", &[I32, I32], &[]),
    ("data_certificate_present", &[], &[I32]),
    ("data_certificate_size", &[], &[I32]),
    ("data_certificate_copy", &[I32, I32, I32], &[]),
    ("time", &[], &[I64]),
    ("global_timer_set", &[I64], &[I64]),
    ("performance_counter", &[I32], &[I64]),
    ("is_controller", &[I32, I32], &[I32]),
    ("in_replicated_execution", &[], &[I32]),
    ("mint_cycles", &[I64], &[I64]),
    ("mint_cycles128", &[I64, I64, I32], &[]),
    ("cost_call", &[I64, I64, I32], &[]),
    ("cost_create_canister", &[I32], &[]),
    ("cost_http_request", &[I64, I64, I32], &[]),
    ("cost_http_request_v2", &[I32, I32, I32], &[]),
    ("cost_sign_with_ecdsa", &[I32, I32, I32, I32], &[I32]),
    ("cost_sign_with_schnorr", &[I32, I32, I32, I32], &[I32]),
    ("cost_vetkd_derive_key", &[I32, I32, I32, I32], &[I32]),
    ("env_var_count", &[], &[I32]),
    ("env_var_name_size", &[I32], &[I32]),
    ("env_var_name_copy", &[I32, I32, I32, I32], &[]),
    ("env_var_name_exists", &[I32, I32], &[I32]),
    ("env_var_value_size", &[I32, I32], &[I32]),
    ("env_var_value_copy", &[I32, I32, I32, I32, I32], &[]),
    ("debug_print", &[I32, I32], &[]),
    ("trap", &[I32, I32], &[]),
];

/// `canister_*` exports other than methods that the IC calls (all `() -> ()`).
pub(crate) const SYSTEM_EXPORTS: &[&str] = &[
    "canister_init",
    "canister_pre_upgrade",
    "canister_post_upgrade",
    "canister_inspect_message",
    "canister_heartbeat",
    "canister_global_timer",
    "canister_on_low_wasm_memory",
];

/// Export names the replica reserves for its own instrumentation.
pub(crate) const RESERVED_EXPORTS: &[&str] = &[
    "canister counter_instructions",
    "canister_start",
    "canister counter_dirty_pages",
    "canister counter_accessed_pages",
    "stable_memory",
    "stable_bytemap_memory",
];

/// Method export prefixes and the `.did` mode each stands for.
pub(crate) const METHOD_PREFIXES: &[(&str, Mode)] = &[
    ("canister_query ", Mode::Query),
    ("canister_composite_query ", Mode::CompositeQuery),
    ("canister_update ", Mode::Update),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Query,
    CompositeQuery,
    Update,
}

impl Mode {
    pub(crate) fn export(self, name: &str) -> String {
        let prefix = METHOD_PREFIXES
            .iter()
            .find(|(_, m)| *m == self)
            .map(|(p, _)| *p)
            .unwrap_or_default();
        format!("{prefix}{name}")
    }
}

/// The replica's weight of one instruction (`wasm_function_complexity`), or the reason
/// it is not allowed at all.
pub(crate) fn complexity(op: &Operator) -> Result<u64, &'static str> {
    use Operator::*;
    Ok(match op {
        Block { .. }
        | Loop { .. }
        | If { .. }
        | Br { .. }
        | BrIf { .. }
        | BrTable { .. }
        | Call { .. }
        | CallIndirect { .. }
        | MemoryGrow { .. } => 50,
        TableGrow { .. } => return Err("table.grow"),
        TableSet { .. } => return Err("table.set"),
        TableFill { .. } => return Err("table.fill"),
        TableCopy { .. } => return Err("table.copy"),
        TableInit { .. } => return Err("table.init"),
        TableGet { .. } => 14,
        RefFunc { .. } => 8,
        RefIsNull => 6,
        I32TruncF32S | I32TruncF32U | I32TruncF64S | I32TruncF64U | I64ExtendI32S
        | I64ExtendI32U | I64TruncF32S | I64TruncF32U | I64TruncF64S | I64TruncF64U
        | F32ConvertI32S | F32ConvertI32U | F32ConvertI64S | F32ConvertI64U | F32DemoteF64
        | F64ConvertI32S | F64ConvertI32U | F64ConvertI64S | F64ConvertI64U => 5,
        F32Neg | F32Abs | F64Neg | F64Abs | MemoryCopy { .. } => 4,
        F32Copysign
        | F64Copysign
        | F64Eq
        | I32RemU
        | I32RemS
        | I64RemU
        | I64RemS
        | I32DivU
        | I32DivS
        | I64DivU
        | I64DivS
        | MemoryFill { .. }
        | I32Load { .. }
        | I64Load { .. }
        | F32Load { .. }
        | F64Load { .. }
        | I32Load8S { .. }
        | I32Load8U { .. }
        | I32Load16S { .. }
        | I32Load16U { .. }
        | I64Load8S { .. }
        | I64Load8U { .. }
        | I64Load16S { .. }
        | I64Load16U { .. }
        | I64Load32S { .. }
        | I64Load32U { .. }
        | I32TruncSatF32S
        | I32TruncSatF32U
        | I32TruncSatF64S
        | I32TruncSatF64U
        | I64TruncSatF32S
        | I64TruncSatF32U
        | I64TruncSatF64S
        | I64TruncSatF64U => 3,
        GlobalGet { .. }
        | I32Popcnt
        | I64Popcnt
        | Select
        | MemorySize { .. }
        | I32Store { .. }
        | I32Store16 { .. }
        | I32Store8 { .. }
        | I64Store { .. }
        | I64Store32 { .. }
        | I64Store16 { .. }
        | I64Store8 { .. }
        | F64Store { .. }
        | F32Store { .. }
        | I32Eqz
        | I32Eq
        | I32Ne
        | I32LtS
        | I32LtU
        | I32GtS
        | I32GtU
        | I32LeS
        | I32LeU
        | I32GeS
        | I32GeU
        | I64Eqz
        | I64Eq
        | I64Ne
        | I64LtS
        | I64LtU
        | I64GtS
        | I64GtU
        | I64LeS
        | I64LeU
        | I64GeS
        | I64GeU
        | F32Eq
        | F32Ne
        | F32Lt
        | F32Gt
        | F32Le
        | F32Ge
        | F64Ne
        | F64Lt
        | F64Gt
        | F64Le
        | F64Ge
        | F32Ceil
        | F64Ceil
        | F32Floor
        | F64Floor
        | F32Sqrt
        | F64Sqrt
        | F32Trunc
        | F64Trunc
        | I32ReinterpretF32
        | I64ReinterpretF64
        | F32ReinterpretI32
        | F64ReinterpretI64
        | I32WrapI64
        | I32Extend8S
        | I32Extend16S
        | I64Extend8S
        | I64Extend16S
        | I64Extend32S
        | F64PromoteF32 => 2,
        _ => 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complexity_matches_the_replica_on_samples() {
        assert_eq!(complexity(&Operator::Call { function_index: 0 }), Ok(50));
        assert_eq!(complexity(&Operator::I32Add), Ok(1));
        assert_eq!(complexity(&Operator::I32DivU), Ok(3));
        assert_eq!(
            complexity(&Operator::TableGrow { table: 0 }),
            Err("table.grow")
        );
    }
}
