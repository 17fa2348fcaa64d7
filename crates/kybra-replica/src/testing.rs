//! PocketIC-shaped conveniences for tests and embedders: create a canister, install a
//! module of any size, read a cycle balance — the Rust face of `kybra.testing`
//! (crates/kybra-testing uses these too).
//!
//! ```no_run
//! use kybra_replica::{testing::InstallMode, Principal, Replica, ReplicaConfig, TimeMode};
//! let replica = Replica::new(ReplicaConfig { state_dir: None, time: TimeMode::Fixed(0) });
//! let me = Principal::from_slice(&[7; 29]);
//! let id = replica.create_canister_with_cycles(me, 100_000_000_000_000, None).unwrap();
//! let module = std::fs::read(".kybra/hello/hello.wasm").unwrap();
//! replica.install_module(me, id, &module, candid::encode_args(()).unwrap(), InstallMode::Install).unwrap();
//! replica.update(me, id, None, "set_message", &candid::encode_one("hi").unwrap()).unwrap();
//! replica.advance_time(std::time::Duration::from_secs(60));
//! replica.tick();
//! ```
//!
//! Promises: everything goes through the management canister as an ingress caller would
//! (controller checks, atomic installs); [`Replica::install_module`] uploads the module in
//! [`crate::limits::MAX_CHUNK_BYTES`] chunks and installs with `install_chunked_code`, as
//! `kybra deploy` does, and leaves the chunk store empty whether it succeeds or not.

use candid::{CandidType, Principal};
use ic_management_canister_types as mgmt;
use sha2::{Digest, Sha256};

use crate::error::Reject;
use crate::limits::MAX_CHUNK_BYTES;
use crate::replica::Replica;

/// How [`Replica::install_module`] installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallMode {
    Install,
    /// Wipes the canister's state first.
    Reinstall,
    /// Keeps stable memory; runs `canister_pre_upgrade` and `canister_post_upgrade`.
    Upgrade,
}

fn encode<A: CandidType>(a: &A) -> Vec<u8> {
    candid::encode_one(a).expect("management arguments encode")
}

fn decode<R: CandidType + for<'de> candid::Deserialize<'de>>(
    method: &str,
    bytes: &[u8],
) -> Result<R, Reject> {
    candid::decode_one(bytes).map_err(|e| {
        Reject::ic(
            "IC0503",
            format!("the management canister's reply to {method} does not decode: {e}"),
        )
    })
}

impl Replica {
    fn management(
        &self,
        sender: Principal,
        effective: Option<Principal>,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, Reject> {
        self.update(
            sender,
            Principal::management_canister(),
            effective,
            method,
            &arg,
        )
    }

    /// A new empty canister controlled by `controller`, holding `cycles`, at
    /// `specified_id` if given (as dfx.json's `specified_id`), else at the next free id
    /// (`provisional_create_canister_with_cycles`).
    pub fn create_canister_with_cycles(
        &self,
        controller: Principal,
        cycles: u128,
        specified_id: Option<Principal>,
    ) -> Result<Principal, Reject> {
        let args = mgmt::ProvisionalCreateCanisterWithCyclesArgs {
            amount: Some(cycles.into()),
            settings: Some(mgmt::CanisterSettings {
                controllers: Some(vec![controller]),
                ..Default::default()
            }),
            specified_id,
            sender_canister_version: None,
        };
        let method = "provisional_create_canister_with_cycles";
        let reply = self.management(controller, None, method, encode(&args))?;
        Ok(decode::<mgmt::CanisterIdRecord>(method, &reply)?.canister_id)
    }

    /// Installs `module` (plain or gzipped wasm, any size up to the IC's module limit) into
    /// `canister` with the install argument `arg`; `sender` must be a controller.
    pub fn install_module(
        &self,
        sender: Principal,
        canister: Principal,
        module: &[u8],
        arg: Vec<u8>,
        mode: InstallMode,
    ) -> Result<(), Reject> {
        let record = encode(&mgmt::CanisterIdRecord {
            canister_id: canister,
        });
        self.management(sender, Some(canister), "clear_chunk_store", record.clone())?;
        let installed = self.install_chunks(sender, canister, module, arg, mode);
        self.management(sender, Some(canister), "clear_chunk_store", record)?;
        installed
    }

    fn install_chunks(
        &self,
        sender: Principal,
        canister: Principal,
        module: &[u8],
        arg: Vec<u8>,
        mode: InstallMode,
    ) -> Result<(), Reject> {
        let mut hashes = Vec::new();
        for chunk in module.chunks(MAX_CHUNK_BYTES) {
            let args = mgmt::UploadChunkArgs {
                canister_id: canister,
                chunk: chunk.to_vec(),
            };
            let reply = self.management(sender, Some(canister), "upload_chunk", encode(&args))?;
            hashes.push(decode::<mgmt::ChunkHash>("upload_chunk", &reply)?);
        }
        let args = mgmt::InstallChunkedCodeArgs {
            mode: match mode {
                InstallMode::Install => mgmt::CanisterInstallMode::Install,
                InstallMode::Reinstall => mgmt::CanisterInstallMode::Reinstall,
                InstallMode::Upgrade => mgmt::CanisterInstallMode::Upgrade(None),
            },
            target_canister: canister,
            store_canister: None,
            chunk_hashes_list: hashes,
            wasm_module_hash: Sha256::digest(module).to_vec(),
            arg,
            sender_canister_version: None,
        };
        self.management(
            sender,
            Some(canister),
            "install_chunked_code",
            encode(&args),
        )
        .map(|_| ())
    }

    /// The canister's cycle balance; `None` if there is no such canister.
    pub fn cycle_balance(&self, canister: Principal) -> Option<u128> {
        Some(self.lock().state.canisters.get(&canister)?.cycles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ReplicaConfig, TimeMode};

    #[test]
    fn create_install_call_upgrade_and_balance() {
        let r = Replica::new(ReplicaConfig {
            state_dir: None,
            time: TimeMode::Fixed(0),
        });
        let me = Principal::from_slice(&[7; 29]);
        let id = r.create_canister_with_cycles(me, 123_000, None).unwrap();
        assert_eq!(r.cycle_balance(id), Some(123_000));
        assert_eq!(r.controllers(id), Some(vec![me]));
        let module = kybra_test_support::rust_hello();
        let none = candid::encode_args(()).unwrap();
        r.install_module(me, id, module, none.clone(), InstallMode::Install)
            .unwrap();
        r.update(
            me,
            id,
            None,
            "set_message",
            &candid::encode_one("hi").unwrap(),
        )
        .unwrap();
        let get = |r: &Replica| {
            candid::decode_one::<String>(&r.query(me, id, "get_message", &none).unwrap()).unwrap()
        };
        assert_eq!(get(&r), "hi");
        r.install_module(me, id, module, none.clone(), InstallMode::Upgrade)
            .unwrap();
        r.install_module(me, id, module, none.clone(), InstallMode::Reinstall)
            .unwrap();
        assert_eq!(get(&r), "");
        // Not a controller: refused; the chunk store is left empty.
        let other = Principal::from_slice(&[8; 29]);
        let err = r
            .install_module(other, id, module, none, InstallMode::Upgrade)
            .unwrap_err();
        assert_eq!(err.code as u8, 5, "{err}");
        let record = encode(&mgmt::CanisterIdRecord { canister_id: id });
        let stored = r.management(me, Some(id), "stored_chunks", record).unwrap();
        assert!(decode::<Vec<mgmt::ChunkHash>>("stored_chunks", &stored)
            .unwrap()
            .is_empty());
        assert_eq!(r.cycle_balance(Principal::from_slice(&[9; 10])), None);
        let ledger = Principal::from_text("ryjl3-tyaaa-aaaaa-aaaba-cai").unwrap();
        assert_eq!(
            r.create_canister_with_cycles(me, 1, Some(ledger)).unwrap(),
            ledger
        );
    }
}
