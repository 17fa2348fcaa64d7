//! Who may use the wallet: its controllers (who may also change the roles) and its
//! custodians (who may spend), plus the wallet's name.
//!
//! Promises: the installer is the first controller; a controller is never also listed as
//! a custodian; the last controller cannot be removed (the wallet would be lost); the
//! roles survive upgrades (saved to stable memory in `pre_upgrade`).

use std::cell::RefCell;

use candid::{CandidType, Principal};
use serde::Deserialize;

#[derive(CandidType, Deserialize, Default, Clone)]
pub struct Roles {
    pub controllers: Vec<Principal>,
    pub custodians: Vec<Principal>,
    pub name: Option<String>,
}

thread_local! {
    static ROLES: RefCell<Roles> = RefCell::new(Roles::default());
}

pub fn with<R>(f: impl FnOnce(&mut Roles) -> R) -> R {
    ROLES.with(|roles| f(&mut roles.borrow_mut()))
}

pub fn is_controller(p: &Principal) -> bool {
    with(|r| r.controllers.contains(p))
}

/// Guard: the caller is a controller.
pub fn controller() -> Result<(), String> {
    let caller = ic_cdk::api::msg_caller();
    if is_controller(&caller) {
        Ok(())
    } else {
        Err(format!(
            "{caller} is not a controller of this wallet (see `get_controllers`)"
        ))
    }
}

/// Guard: the caller is a controller or a custodian.
pub fn custodian() -> Result<(), String> {
    let caller = ic_cdk::api::msg_caller();
    if with(|r| r.controllers.contains(&caller) || r.custodians.contains(&caller)) {
        Ok(())
    } else {
        Err(format!(
            "{caller} is neither a controller nor a custodian of this wallet (a controller can add it with `authorize`)"
        ))
    }
}

pub fn add(list: &mut Vec<Principal>, p: Principal) {
    if !list.contains(&p) {
        list.push(p);
    }
}

pub fn save() {
    let roles = with(|r| r.clone());
    ic_cdk::storage::stable_save((roles,))
        .unwrap_or_else(|e| ic_cdk::trap(format!("cannot save the wallet's roles: {e}")));
}

pub fn restore() {
    let (roles,): (Roles,) = ic_cdk::storage::stable_restore()
        .unwrap_or_else(|e| ic_cdk::trap(format!("cannot read the wallet's roles: {e}")));
    with(|r| *r = roles);
}
