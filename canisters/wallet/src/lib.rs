//! The cycles wallet: a canister that holds cycles for its owner and spends them on their
//! behalf, with the interface of DFINITY's cycles wallet (`wallet.did`), so dfx's and
//! ic-utils' `WalletCanister` clients drive it unchanged.
//!
//! Promises: only controllers and custodians spend (send, create, forward calls) — anyone
//! may give (`wallet_receive`); every spend is checked against the balance first and
//! fails with `Err(text)`, moving nothing; a forwarded call's unspent cycles come back to
//! the wallet (the IC refunds them); a canister created without `controllers` is
//! controlled by the caller and the wallet. The 64-bit methods are the 128-bit ones with
//! narrower numbers. Not carried over from DFINITY's wallet: the address book, the event
//! history, managed-canister lists and the web frontend.

mod roles;

use candid::{CandidType, Nat, Principal};
use ic_cdk::api::{canister_cycle_balance, canister_self, msg_caller};
use ic_cdk::call::Call;
use serde::Deserialize;

/// The cycles-wallet API version this wallet speaks (128-bit cycles, many controllers).
const API_VERSION: &str = "0.3.2";

#[ic_cdk::init]
fn init() {
    roles::with(|r| roles::add(&mut r.controllers, msg_caller()));
}

#[ic_cdk::pre_upgrade]
fn pre_upgrade() {
    roles::save();
}

#[ic_cdk::post_upgrade]
fn post_upgrade() {
    roles::restore();
}

#[ic_cdk::query]
fn wallet_api_version() -> String {
    API_VERSION.to_string()
}

#[ic_cdk::query]
fn name() -> Option<String> {
    roles::with(|r| r.name.clone())
}

#[ic_cdk::update(guard = "roles::controller")]
fn set_name(name: String) {
    roles::with(|r| r.name = Some(name));
}

#[ic_cdk::query]
fn get_controllers() -> Vec<Principal> {
    roles::with(|r| r.controllers.clone())
}

#[ic_cdk::update(guard = "roles::controller")]
fn add_controller(p: Principal) {
    roles::with(|r| {
        r.custodians.retain(|c| *c != p);
        roles::add(&mut r.controllers, p);
    });
}

#[ic_cdk::update(guard = "roles::controller")]
fn remove_controller(p: Principal) -> Result<(), String> {
    roles::with(|r| {
        if !r.controllers.contains(&p) {
            return Err(format!("{p} is not a controller of this wallet"));
        }
        if r.controllers.len() == 1 {
            return Err(format!(
                "{p} is the wallet's last controller: add another first"
            ));
        }
        r.controllers.retain(|c| *c != p);
        Ok(())
    })
}

#[ic_cdk::query]
fn get_custodians() -> Vec<Principal> {
    roles::with(|r| r.custodians.clone())
}

#[ic_cdk::update(guard = "roles::controller")]
fn authorize(p: Principal) {
    if !roles::is_controller(&p) {
        roles::with(|r| roles::add(&mut r.custodians, p));
    }
}

#[ic_cdk::update(guard = "roles::controller")]
fn deauthorize(p: Principal) -> Result<(), String> {
    roles::with(|r| {
        let before = r.custodians.len();
        r.custodians.retain(|c| *c != p);
        if r.custodians.len() == before {
            Err(format!("{p} is not a custodian of this wallet"))
        } else {
            Ok(())
        }
    })
}

#[derive(CandidType)]
struct Balance<T> {
    amount: T,
}

#[ic_cdk::query(guard = "roles::custodian")]
fn wallet_balance() -> Balance<u64> {
    Balance {
        amount: u64::try_from(canister_cycle_balance()).unwrap_or(u64::MAX),
    }
}

#[ic_cdk::query(guard = "roles::custodian")]
fn wallet_balance128() -> Balance<Nat> {
    Balance {
        amount: Nat::from(canister_cycle_balance()),
    }
}

#[derive(Deserialize, CandidType)]
struct SendArgs<T> {
    canister: Principal,
    amount: T,
}

#[ic_cdk::update(guard = "roles::custodian")]
async fn wallet_send(args: SendArgs<u64>) -> Result<(), String> {
    send(args.canister, args.amount.into()).await
}

#[ic_cdk::update(guard = "roles::custodian")]
async fn wallet_send128(args: SendArgs<Nat>) -> Result<(), String> {
    send(args.canister, cycles(&args.amount)?).await
}

/// Sends `amount` to `canister` through the management canister's `deposit_cycles` (which
/// any canister accepts, wallet or not).
async fn send(canister: Principal, amount: u128) -> Result<(), String> {
    afford(amount)?;
    let arg = ic_cdk::management_canister::DepositCyclesArgs {
        canister_id: canister,
    };
    ic_cdk::management_canister::deposit_cycles(&arg, amount)
        .await
        .map_err(|e| format!("could not send {amount} cycles to {canister}: {e}"))
}

#[derive(Deserialize, CandidType)]
struct ReceiveOptions {
    #[allow(dead_code)]
    memo: Option<String>,
}

#[ic_cdk::update]
fn wallet_receive(_options: Option<ReceiveOptions>) {
    let available = ic_cdk::api::msg_cycles_available();
    ic_cdk::api::msg_cycles_accept(available);
}

#[derive(Deserialize, CandidType, Default)]
struct CanisterSettings {
    controllers: Option<Vec<Principal>>,
    compute_allocation: Option<Nat>,
    memory_allocation: Option<Nat>,
    freezing_threshold: Option<Nat>,
}

#[derive(Deserialize, CandidType)]
struct CreateArgs<T> {
    cycles: T,
    settings: CanisterSettings,
}

#[derive(CandidType, Deserialize)]
struct Created {
    canister_id: Principal,
}

#[ic_cdk::update(guard = "roles::custodian")]
async fn wallet_create_canister(args: CreateArgs<u64>) -> Result<Created, String> {
    create(args.cycles.into(), args.settings).await
}

#[ic_cdk::update(guard = "roles::custodian")]
async fn wallet_create_canister128(args: CreateArgs<Nat>) -> Result<Created, String> {
    create(cycles(&args.cycles)?, args.settings).await
}

/// Creates a canister with `cycles` attached (the IC takes its creation fee from them).
async fn create(cycles: u128, settings: CanisterSettings) -> Result<Created, String> {
    afford(cycles)?;
    let controllers = settings
        .controllers
        .unwrap_or_else(|| vec![msg_caller(), canister_self()]);
    let arg = ic_cdk::management_canister::CreateCanisterArgs {
        settings: Some(ic_cdk::management_canister::CanisterSettings {
            controllers: Some(controllers),
            compute_allocation: settings.compute_allocation,
            memory_allocation: settings.memory_allocation,
            freezing_threshold: settings.freezing_threshold,
            ..Default::default()
        }),
    };
    Call::unbounded_wait(Principal::management_canister(), "create_canister")
        .with_arg(&arg)
        .with_cycles(cycles)
        .await
        .map_err(|e| format!("could not create a canister with {cycles} cycles: {e}"))?
        .candid::<Created>()
        .map_err(|e| format!("the management canister's reply is not a canister id: {e}"))
}

#[derive(Deserialize, CandidType)]
struct CallArgs<T> {
    canister: Principal,
    method_name: String,
    #[serde(with = "serde_bytes")]
    args: Vec<u8>,
    cycles: T,
}

#[derive(CandidType)]
struct CallResult {
    // `vec nat8`, which is `blob`.
    r#return: Vec<u8>,
}

#[ic_cdk::update(guard = "roles::custodian")]
async fn wallet_call(args: CallArgs<u64>) -> Result<CallResult, String> {
    let cycles = args.cycles.into();
    forward(args, cycles).await
}

#[ic_cdk::update(guard = "roles::custodian")]
async fn wallet_call128(args: CallArgs<Nat>) -> Result<CallResult, String> {
    let cycles = cycles(&args.cycles)?;
    forward(args, cycles).await
}

/// Makes the call with `cycles` attached; the callee's reply bytes, or its reject as text.
async fn forward<T>(args: CallArgs<T>, cycles: u128) -> Result<CallResult, String> {
    afford(cycles)?;
    let reply = Call::unbounded_wait(args.canister, &args.method_name)
        .with_raw_args(&args.args)
        .with_cycles(cycles)
        .await
        .map_err(|e| format!("An error happened during the call: {e}"))?;
    Ok(CallResult {
        r#return: reply.into_bytes(),
    })
}

fn cycles(n: &Nat) -> Result<u128, String> {
    u128::try_from(n.0.clone()).map_err(|_| format!("{n} cycles is beyond 128 bits"))
}

/// Refuses to spend more than the wallet holds.
fn afford(cycles: u128) -> Result<(), String> {
    let balance = canister_cycle_balance();
    if cycles > balance {
        Err(format!(
            "the wallet holds {balance} cycles, fewer than the {cycles} asked for: give it cycles first (the management canister's `deposit_cycles`, e.g. `kybra canister deposit-cycles` or `kybra cycles top-up`, or a call to its `wallet_receive` carrying cycles)"
        ))
    } else {
        Ok(())
    }
}
