//! Rejects as the IC reports them: the reject code, the message and the IC error code
//! (`IC0503`, ...). Every failure a caller of the replica can see is a [`Reject`]; the
//! constructors here hold the IC's wording so that all pieces report alike.

use candid::Principal;

/// The IC's reject codes (interface specification, "Reject codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RejectCode {
    SysFatal = 1,
    SysTransient = 2,
    DestinationInvalid = 3,
    CanisterReject = 4,
    CanisterError = 5,
}

impl RejectCode {
    /// The numeric code as sent on the wire.
    pub fn as_u64(self) -> u64 {
        self as u8 as u64
    }

    /// The reject code the IC pairs with an error code `ICxyyy` (by its first digit).
    pub fn for_error_code(error_code: &str) -> RejectCode {
        match error_code.as_bytes().get(3) {
            Some(b'1') => RejectCode::SysFatal,
            Some(b'2') => RejectCode::SysTransient,
            Some(b'3') => RejectCode::DestinationInvalid,
            Some(b'4') => RejectCode::CanisterReject,
            _ => RejectCode::CanisterError,
        }
    }
}

/// A rejected message: what the IC returns instead of a reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (reject code {}{})", *code as u8, error_code.as_deref().map(|c| format!(", error code {c}")).unwrap_or_default())]
pub struct Reject {
    pub code: RejectCode,
    pub message: String,
    /// The IC's error code, e.g. `"IC0503"`.
    pub error_code: Option<String>,
}

impl Reject {
    /// A reject with an IC error code; the reject code follows from the error code.
    pub fn ic(error_code: &str, message: impl Into<String>) -> Self {
        Reject {
            code: RejectCode::for_error_code(error_code),
            message: message.into(),
            error_code: Some(error_code.to_string()),
        }
    }

    /// Persistence failed: the update may have run but is not durable.
    pub fn state_not_saved(why: &str) -> Self {
        Reject {
            code: RejectCode::SysFatal,
            message: format!("The replica could not save its state ({why}); the update is not acknowledged and the replica accepts no more updates: restart it"),
            error_code: None,
        }
    }

    /// A reject issued by the canister's own code (`ic0.msg_reject`).
    pub fn canister_reject(message: &str) -> Self {
        Reject::ic("IC0406", message)
    }

    /// `canister_inspect_message` did not accept an ingress message.
    pub fn not_accepted(id: &Principal) -> Self {
        Reject::ic("IC0406", format!("Canister {id} rejected the message (canister_inspect_message did not call accept_message)"))
    }

    pub fn canister_not_found(id: &Principal) -> Self {
        Reject::ic("IC0301", format!("Canister {id} not found"))
    }

    pub fn no_wasm_module(id: &Principal) -> Self {
        Reject::ic(
            "IC0537",
            format!("Canister {id} contains no Wasm module: attempted to execute a message, but no code is installed. Install code first (install_code, e.g. `kybra deploy`)."),
        )
    }

    /// `kind` is `update` or `query`.
    pub fn no_method(id: &Principal, kind: &str, method: &str) -> Self {
        Reject::ic(
            "IC0536",
            format!("Canister {id} has no {kind} method '{method}'"),
        )
    }

    pub fn unknown_management_method(method: &str) -> Self {
        Reject::ic(
            "IC0536",
            format!("Management canister has no method '{method}'"),
        )
    }

    pub fn management_method_not_query(method: &str) -> Self {
        Reject::ic(
            "IC0536",
            format!("Management canister has no query method '{method}'; call it as an update"),
        )
    }

    pub fn not_controller(id: &Principal, controllers: &[Principal], sender: &Principal) -> Self {
        let list: Vec<String> = controllers.iter().map(|c| c.to_text()).collect();
        Reject::ic(
            "IC0512",
            format!("Only the controllers of the canister {id} can control it.\nCanister's controllers: {}\nSender's ID: {sender}", list.join(" ")),
        )
    }

    pub fn invalid_management_payload(method: &str, err: impl std::fmt::Display) -> Self {
        Reject::ic(
            "IC0408",
            format!("Error decoding candid for the management canister method {method}: {err}"),
        )
    }

    pub fn stopped(id: &Principal) -> Self {
        Reject::ic("IC0508", format!("Canister {id} is stopped and therefore does not accept calls; start it with start_canister"))
    }

    pub fn stopping(id: &Principal) -> Self {
        Reject::ic(
            "IC0509",
            format!("Canister {id} is stopping and therefore does not accept calls"),
        )
    }

    pub fn not_stopped(id: &Principal) -> Self {
        Reject::ic(
            "IC0510",
            format!("Canister {id} must be stopped before it is deleted."),
        )
    }

    /// An ingress message larger than the IC accepts (the HTTP layer answers 413 for it).
    pub fn payload_too_large(size: usize, limit: usize) -> Self {
        Reject {
            code: RejectCode::CanisterReject,
            message: format!("Request payload of {size} bytes exceeds the IC's ingress limit of {limit} bytes. Split large payloads (Wasm modules: upload_chunk + install_chunked_code)."),
            error_code: None,
        }
    }

    pub fn invalid_module(message: impl std::fmt::Display) -> Self {
        Reject::ic("IC0505", format!("Wasm module is invalid: {message}"))
    }

    pub fn already_installed(id: &Principal) -> Self {
        Reject::ic("IC0538", format!("Canister {id} cannot be installed because the canister is not empty. Try installing with mode='reinstall' or mode='upgrade' instead."))
    }

    pub fn contract_violation(id: &Principal, message: impl std::fmt::Display) -> Self {
        Reject::ic(
            "IC0504",
            format!("Canister {id} violated contract: {message}"),
        )
    }

    pub fn did_not_reply(id: &Principal) -> Self {
        Reject::ic(
            "IC0506",
            format!("Canister {id} did not produce a response"),
        )
    }

    pub fn explicit_trap(id: &Principal, message: &str) -> Self {
        Reject::ic(
            "IC0503",
            format!("Canister {id} trapped explicitly: {message}"),
        )
    }

    pub fn trapped(id: &Principal, reason: impl std::fmt::Display) -> Self {
        Reject::ic("IC0502", format!("Canister {id} trapped: {reason}"))
    }

    pub fn instruction_limit(id: &Principal, limit: u64) -> Self {
        Reject::ic("IC0522", format!("Canister {id} exceeded the limit of {limit} instructions for single message execution."))
    }

    pub fn chunk_not_found(hash: &[u8]) -> Self {
        Reject::ic("IC0503", format!("Chunk with hash {} was not found in the chunk store; upload it with upload_chunk first", hex::encode(hash)))
    }

    pub fn bad_request(error_code: &str, message: impl Into<String>) -> Self {
        Reject::ic(error_code, message)
    }
}
