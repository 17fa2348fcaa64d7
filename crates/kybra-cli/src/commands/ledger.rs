//! `kybra ledger account-id [--of-principal P | --of-canister NAME|ID] [--subaccount HEX]`:
//! the ICP ledger account identifier of the current identity (or of a principal, or of a
//! canister), as `dfx ledger account-id` prints it; `kybra ledger fabricate-cycles`: cycles
//! out of nothing for local canisters (`provisional_top_up_canister`).
//!
//! Promises: the identifier is the ledger's: CRC32 (big-endian) of, then,
//! SHA-224(`"\x0aaccount-id"` + principal bytes + 32-byte subaccount); a bad principal,
//! canister or subaccount is an error that says what to write, and `account-id` sends
//! nothing anywhere. `fabricate-cycles` refuses any network but a local one.

use anyhow::{anyhow, bail, Result};
use candid::Principal;

use crate::network;

/// The ledger's account identifier of `owner` and `subaccount` (32 bytes): the built-in
/// ICP ledger's own function, so the CLI and the ledger cannot disagree.
pub fn account_identifier(owner: &Principal, subaccount: &[u8; 32]) -> [u8; 32] {
    kybra_replica::ledgers::books::account_id(owner.as_slice(), Some(subaccount))
}

/// A subaccount given as 64 hex digits (fewer: left-padded with zeros, as dfx does).
fn subaccount(hex_text: &str) -> Result<[u8; 32]> {
    let digits = hex_text.trim_start_matches("0x");
    if digits.len() > 64 || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("--subaccount takes up to 64 hex digits (32 bytes), e.g. `--subaccount 01`; got {hex_text:?}");
    }
    let padded = format!("{digits:0>64}");
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&padded[2 * i..2 * i + 2], 16).expect("hex digits");
    }
    Ok(out)
}

/// `kybra ledger account-id`.
pub fn account_id(
    of_principal: Option<&str>,
    of_canister: Option<&str>,
    sub: Option<&str>,
    network: Option<&str>,
) -> Result<()> {
    let owner = match (of_principal, of_canister) {
        (Some(_), Some(_)) => bail!("give --of-principal or --of-canister, not both"),
        (Some(text), None) => Principal::from_text(text)
            .map_err(|e| anyhow!("--of-principal {text:?} is not a principal ({e}); write its text form, e.g. `2vxsx-fae`"))?,
        (None, Some(canister)) => {
            let root = super::root_or_cwd()?;
            let net = network::resolve(network, &root);
            super::call::canister_id(&root, canister, &net)?
        }
        (None, None) => crate::identity::current()?
            .sender()
            .map_err(|e| anyhow!("{e}"))?,
    };
    let sub = sub.map(subaccount).transpose()?.unwrap_or([0; 32]);
    let id = account_identifier(&owner, &sub);
    println!(
        "{}",
        id.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    Ok(())
}

/// Cycles `fabricate-cycles` adds when neither `--cycles` nor `--t` is given (dfx's 10T).
const DEFAULT_FABRICATED: u128 = 10_000_000_000_000;

/// `kybra ledger fabricate-cycles`.
pub fn fabricate_cycles(
    canister: Option<&str>,
    all: bool,
    cycles: Option<u128>,
    network: Option<&str>,
) -> Result<()> {
    let root = super::root_or_cwd()?;
    let net = network::resolve(network, &root);
    if !net.loopback {
        bail!(
            "fabricate-cycles works on a local replica only ({} is not one): on mainnet, buy cycles with ICP",
            net.url
        );
    }
    let targets: Vec<(String, Principal)> = match (canister, all) {
        (Some(name), _) => vec![(
            name.to_string(),
            super::call::canister_id(&root, name, &net)?,
        )],
        (None, true) => {
            let project = crate::project::Project::load(&root)?;
            let ids = crate::local::CanisterIds::load(&root)?;
            let found: Vec<_> = project
                .canisters
                .iter()
                .filter_map(|c| {
                    let id = ids.get_on(&c.name, &net.name)?;
                    Some((c.name.clone(), Principal::from_text(id).ok()?))
                })
                .collect();
            if found.is_empty() {
                bail!("no canister of this project has an id on {}: create them first (`kybra canister create --all`)", net.name);
            }
            found
        }
        (None, false) => bail!("name the canister (`--canister NAME`) or pass --all"),
    };
    let amount = cycles.unwrap_or(DEFAULT_FABRICATED);
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let agent = network::connect(&net).await?;
        for (name, id) in targets {
            #[derive(candid::CandidType)]
            struct TopUp {
                canister_id: Principal,
                amount: candid::Nat,
            }
            let arg = candid::encode_one(TopUp {
                canister_id: id,
                amount: candid::Nat::from(amount),
            })?;
            agent
                .update(
                    &Principal::management_canister(),
                    "provisional_top_up_canister",
                )
                .with_effective_canister_id(id)
                .with_arg(arg)
                .call_and_wait()
                .await
                .map_err(|e| network::explain(e, &net))
                .map_err(|e| anyhow!("cannot fabricate cycles for {name} ({id}): {e:#}"))?;
            println!("Fabricated {amount} cycles for {name} ({id}).");
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_anonymous_principals_default_account_is_the_ledgers() {
        // The anonymous principal's account, as the ICP ledger and dfx give it.
        let id = account_identifier(&Principal::anonymous(), &[0; 32]);
        let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "1c7a48ba6a562aa9eaa2481a9049cdf0433b9738c992d698c31d8abf89cadc79"
        );
    }

    #[test]
    fn subaccounts_are_padded_and_checked() {
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(subaccount("01").unwrap(), one);
        assert_eq!(subaccount("0x1").unwrap(), one);
        assert!(subaccount("zz").is_err());
        assert!(subaccount(&"0".repeat(65)).is_err());
    }
}
