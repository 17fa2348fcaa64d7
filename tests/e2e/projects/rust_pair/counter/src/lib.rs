//! A counter, and the backend's id as `kybra deploy` gave it to cargo (CANISTER_ID_BACKEND).

use std::cell::Cell;

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

#[ic_cdk::update]
fn increment() -> u64 {
    COUNT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    })
}

#[ic_cdk::query]
fn get() -> u64 {
    COUNT.with(Cell::get)
}

#[ic_cdk::query]
fn backend_id() -> String {
    option_env!("CANISTER_ID_BACKEND").unwrap_or("").to_string()
}
