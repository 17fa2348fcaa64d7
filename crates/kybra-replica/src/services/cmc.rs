//! The cycles minting canister (CMC) at `rkp4c-7iaaa-aaaaa-aaaca-cai`, as the service
//! [`CyclesMintingCanister`]: `get_default_subnets : () -> (vec principal) query` (the
//! replica's one subnet, once known: `Replica::set_subnet_id`) and
//! `get_subnet_types_to_subnets : () -> (record { data : vec record { text; vec principal } }) query`
//! (no typed subnets). Both may also be called as updates.

use std::any::Any;

use candid::{CandidType, Principal};

use super::api::{Address, Answer, Env, MethodKind, Reply, Request, SystemService};
use super::system_canisters::{decode_empty, encode, CYCLES_MINTING_CANISTER};
use crate::error::Reject;

/// The service's name.
pub const NAME: &str = "cycles minting canister";

#[derive(CandidType)]
struct SubnetTypesToSubnetsResponse {
    data: Vec<(String, Vec<Principal>)>,
}

/// The cycles minting canister.
pub struct CyclesMintingCanister;

impl CyclesMintingCanister {
    fn read(&self, method: &str, arg: &[u8], env: &dyn Env) -> Result<Vec<u8>, Reject> {
        decode_empty((NAME, &CYCLES_MINTING_CANISTER), method, arg)?;
        match method {
            "get_default_subnets" => {
                let subnet = env.subnet_id().ok_or_else(|| {
                    Reject::canister_reject(
                        "the kybra replica does not know its subnet id yet: it is set by the HTTP server \
                         (kybra-http) when it starts serving the replica, or by Replica::set_subnet_id",
                    )
                })?;
                Ok(encode(&vec![subnet]))
            }
            _ => Ok(encode(&SubnetTypesToSubnetsResponse { data: Vec::new() })),
        }
    }
}

impl SystemService for CyclesMintingCanister {
    fn name(&self) -> &'static str {
        NAME
    }

    fn address(&self) -> Address {
        Address::Canister {
            id: CYCLES_MINTING_CANISTER,
            methods: &[
                ("get_default_subnets", MethodKind::Query),
                ("get_subnet_types_to_subnets", MethodKind::Query),
            ],
        }
    }

    fn call(&mut self, r: Request<'_>, env: &mut dyn Env) -> Reply {
        Reply::Now(match self.read(r.method, r.arg, env) {
            Ok(bytes) => Answer::reply(bytes, r.cycles, 0),
            Err(reject) => Answer::reject(reject, r.cycles),
        })
    }

    fn query(&mut self, r: Request<'_>, env: &mut dyn Env) -> Result<Vec<u8>, Reject> {
        self.read(r.method, r.arg, env)
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
