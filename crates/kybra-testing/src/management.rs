//! The management canister's interface (`aaaaa-aa`) for `Replica.management`: the methods
//! an ingress caller may use on the local replica, with the IC's Candid types from
//! `ic-management-canister-types` (the same crate the replica decodes them with, so the
//! two cannot disagree).

use candid::types::Function;
use candid::CandidType;
use ic_management_canister_types as m;
use kybra_interface::Payload;

use crate::did;

fn f<A: CandidType, R: CandidType>() -> Function {
    Function {
        modes: vec![],
        args: vec![A::ty()],
        rets: vec![R::ty()],
    }
}

fn f0<A: CandidType>() -> Function {
    Function {
        modes: vec![],
        args: vec![A::ty()],
        rets: vec![],
    }
}

/// The management canister's methods, as a payload-shaped interface.
pub fn payload() -> Result<Payload, String> {
    let methods: Vec<(&str, Function)> = vec![
        (
            "create_canister",
            f::<m::CreateCanisterArgs, m::CreateCanisterResult>(),
        ),
        (
            "provisional_create_canister_with_cycles",
            f::<
                m::ProvisionalCreateCanisterWithCyclesArgs,
                m::ProvisionalCreateCanisterWithCyclesResult,
            >(),
        ),
        (
            "provisional_top_up_canister",
            f0::<m::ProvisionalTopUpCanisterArgs>(),
        ),
        ("update_settings", f0::<m::UpdateSettingsArgs>()),
        (
            "canister_status",
            f::<m::CanisterStatusArgs, m::CanisterStatusResult>(),
        ),
        ("start_canister", f0::<m::StartCanisterArgs>()),
        ("stop_canister", f0::<m::StopCanisterArgs>()),
        ("delete_canister", f0::<m::DeleteCanisterArgs>()),
        ("uninstall_code", f0::<m::UninstallCodeArgs>()),
        ("install_code", f0::<m::InstallCodeArgs>()),
        (
            "upload_chunk",
            f::<m::UploadChunkArgs, m::UploadChunkResult>(),
        ),
        (
            "stored_chunks",
            f::<m::StoredChunksArgs, m::StoredChunksResult>(),
        ),
        ("clear_chunk_store", f0::<m::ClearChunkStoreArgs>()),
        ("install_chunked_code", f0::<m::InstallChunkedCodeArgs>()),
        ("deposit_cycles", f0::<m::DepositCyclesArgs>()),
        (
            "take_canister_snapshot",
            f::<m::TakeCanisterSnapshotArgs, m::TakeCanisterSnapshotResult>(),
        ),
        (
            "load_canister_snapshot",
            f0::<m::LoadCanisterSnapshotArgs>(),
        ),
        (
            "list_canister_snapshots",
            f::<m::ListCanisterSnapshotsArgs, m::ListCanisterSnapshotsResult>(),
        ),
        (
            "delete_canister_snapshot",
            f0::<m::DeleteCanisterSnapshotArgs>(),
        ),
        (
            "raw_rand",
            Function {
                modes: vec![],
                args: vec![],
                rets: vec![<m::RawRandResult as CandidType>::ty()],
            },
        ),
    ];
    let mut payload = did::empty_payload();
    for (name, func) in &methods {
        payload
            .methods
            .push(did::method(name, func).map_err(|e| format!("management method `{name}`: {e}"))?);
    }
    Ok(payload)
}
