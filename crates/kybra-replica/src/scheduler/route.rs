//! The one router: where a call goes — the management canister's own code, a system
//! service, or a canister — for ingress messages and canisters' calls alike.

use candid::Principal;

use crate::error::Reject;
use crate::services::Services;

/// Where a call of a method goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The management canister's own methods ([`crate::management`]).
    Management,
    /// The service with this index in [`Services`].
    Service(usize),
    /// A canister's code.
    Canister,
}

/// Where a call of `method` on `to` goes. An ingress message may not call the methods of
/// the management canister that services answer (`raw_rand`, `http_request`, ...), as on
/// the IC: only canisters may. On a mainnet-like replica nobody may call the provisional
/// API (`provisional_create_canister_with_cycles`, `provisional_top_up_canister`), nor a
/// user `create_canister`, as on mainnet.
pub fn route(
    services: &Services,
    to: &Principal,
    method: &str,
    ingress: bool,
) -> Result<Target, Reject> {
    if *to == Principal::management_canister() {
        if services.is_mainnet_like() && ingress && method == "create_canister" {
            return Err(Reject::canister_reject(
                "create_canister takes calls from canisters only, as on mainnet: create canisters \
                 through the cycles ledger (`create_canister`, paid from your cycles balance; \
                 `kybra deploy` does so on any network that is not the local one) or through a \
                 cycles wallet (`kybra deploy --wallet`)",
            ));
        }
        if services.is_mainnet_like() && method.starts_with("provisional_") {
            return Err(Reject::canister_reject(&format!(
                "{method} is not available on this mainnet-like network, as on mainnet: create \
                 canisters through the cycles ledger (`create_canister`, paid from your cycles \
                 balance; `kybra deploy` does so on any network that is not the local one) and top \
                 them up with `deposit_cycles` or the cycles minting canister"
            )));
        }
        return match services.for_management(method) {
            Some(_) if ingress => Err(Reject::unknown_management_method(method)),
            Some(i) => Ok(Target::Service(i)),
            None => Ok(Target::Management),
        };
    }
    Ok(match services.for_canister(to) {
        Some(i) => Target::Service(i),
        None => Target::Canister,
    })
}
