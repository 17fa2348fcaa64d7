//! Canisters in an in-process [`Replica`] for measuring instructions: create, install
//! (through chunks when the module exceeds the ingress limit, as `kybra deploy` does) and
//! call, each returning the instructions the replica metered for that message
//! ([`Replica::last_instructions`]: wasmtime fuel, ≈ one unit per wasm instruction; for
//! an install it covers instantiation plus `canister_init`). The replica is shared
//! (`Arc`), so a section may also serve it over HTTP after installing its canisters.

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use candid::Principal;
use ic_management_canister_types as mgmt;
use kybra_replica::{Replica, ReplicaConfig, TimeMode, MAX_CHUNK_BYTES, MAX_MESSAGE_BYTES};
use sha2::{Digest, Sha256};

/// A replica and the principal that controls the benchmark's canisters.
pub struct Bench {
    pub replica: Arc<Replica>,
    pub user: Principal,
}

impl Default for Bench {
    fn default() -> Self {
        // A fixed clock, so that nothing a canister derives from the time (seeds,
        // timestamps) can make instruction counts vary from run to run.
        Bench::on(Replica::new(ReplicaConfig {
            time: TimeMode::Fixed(FIXED_TIME_NANOS),
            ..ReplicaConfig::default()
        }))
    }
}

/// 2026-01-01T00:00:00Z: the replica's clock for every benchmark message.
const FIXED_TIME_NANOS: u64 = 1_767_225_600_000_000_000;

fn mgmt_id() -> Principal {
    Principal::management_canister()
}

impl Bench {
    /// The benchmark's controller on a replica configured by the caller.
    pub fn on(replica: Replica) -> Self {
        Bench {
            replica: Arc::new(replica),
            user: Principal::from_slice(&[0xBE; 29]),
        }
    }

    fn management<A: candid::CandidType>(
        &self,
        target: Principal,
        method: &str,
        arg: &A,
    ) -> Result<Vec<u8>> {
        let arg = candid::encode_one(arg)?;
        self.replica
            .update(self.user, mgmt_id(), Some(target), method, &arg)
            .map_err(|r| anyhow!("management canister {method} for {target}: {r}"))
    }

    /// A new empty canister.
    pub fn create(&self) -> Result<Principal> {
        let arg = mgmt::ProvisionalCreateCanisterWithCyclesArgs {
            amount: None,
            settings: None,
            specified_id: None,
            sender_canister_version: None,
        };
        let out = self
            .replica
            .update(
                self.user,
                mgmt_id(),
                None,
                "provisional_create_canister_with_cycles",
                &candid::encode_one(&arg)?,
            )
            .map_err(|r| anyhow!("cannot create a canister: {r}"))?;
        Ok(candid::decode_one::<mgmt::CanisterIdRecord>(&out)?.canister_id)
    }

    /// Creates a canister, installs `wasm` with an empty argument and returns its id and
    /// the install's instructions.
    pub fn create_and_install(&self, what: &str, wasm: &[u8]) -> Result<(Principal, u64)> {
        let id = self.create()?;
        let arg = candid::encode_args(())?;
        let mode = mgmt::CanisterInstallMode::Install;
        // Leave room for the envelope of the install_code argument.
        if wasm.len() + 64 * 1024 <= MAX_MESSAGE_BYTES {
            let install = mgmt::InstallCodeArgs {
                mode,
                canister_id: id,
                wasm_module: wasm.to_vec(),
                arg,
                sender_canister_version: None,
            };
            self.management(id, "install_code", &install)
        } else {
            let mut hashes = Vec::new();
            for chunk in wasm.chunks(MAX_CHUNK_BYTES) {
                let out = self.management(
                    id,
                    "upload_chunk",
                    &mgmt::UploadChunkArgs {
                        canister_id: id,
                        chunk: chunk.to_vec(),
                    },
                )?;
                hashes.push(candid::decode_one::<mgmt::ChunkHash>(&out)?);
            }
            let install = mgmt::InstallChunkedCodeArgs {
                mode,
                target_canister: id,
                store_canister: None,
                chunk_hashes_list: hashes,
                wasm_module_hash: Sha256::digest(wasm).to_vec(),
                arg,
                sender_canister_version: None,
            };
            let out = self.management(id, "install_chunked_code", &install);
            self.management(
                id,
                "clear_chunk_store",
                &mgmt::CanisterIdRecord { canister_id: id },
            )?;
            out
        }
        .with_context(|| format!("installing {what} failed"))?;
        Ok((id, self.instructions(id)?))
    }

    /// The canister's `memory_size` as `canister_status` reports it (bytes).
    pub fn memory_size(&self, id: Principal) -> Result<u64> {
        #[derive(candid::CandidType, candid::Deserialize)]
        struct Status {
            memory_size: candid::Nat,
        }
        let out = self.management(
            id,
            "canister_status",
            &mgmt::CanisterIdRecord { canister_id: id },
        )?;
        let status: Status = candid::decode_one(&out)?;
        u64::try_from(status.memory_size.0)
            .map_err(|_| anyhow!("canister {id} reports a memory size beyond 2^64 bytes"))
    }

    fn instructions(&self, id: Principal) -> Result<u64> {
        self.replica
            .last_instructions(id)
            .ok_or_else(|| anyhow!("canister {id} vanished"))
    }

    /// A query; returns the reply and its instructions.
    pub fn query(&self, id: Principal, method: &str, arg: &[u8]) -> Result<(Vec<u8>, u64)> {
        let reply = self
            .replica
            .query(self.user, id, method, arg)
            .map_err(|r| anyhow!("query {method} failed: {r}"))?;
        Ok((reply, self.instructions(id)?))
    }

    /// An update; returns the reply and its instructions.
    pub fn update(&self, id: Principal, method: &str, arg: &[u8]) -> Result<(Vec<u8>, u64)> {
        let reply = self
            .replica
            .update(self.user, id, None, method, arg)
            .map_err(|r| anyhow!("update {method} failed: {r}"))?;
        Ok((reply, self.instructions(id)?))
    }
}
