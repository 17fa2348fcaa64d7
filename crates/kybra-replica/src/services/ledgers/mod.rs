//! The ledgers of the built-in system canisters, at their mainnet ids: the ICP ledger
//! ([`icp`]) and the cycles ledger ([`cycles`]), both keeping [`books`] (balances, fees,
//! deduplication, allowances, blocks) and answering ICRC-1/ICRC-2 through [`icrc`] with the
//! `icrc-ledger-types` crate's Candid types, beside their own methods.

pub mod books;
pub mod cycles;
pub mod icp;
pub mod icp_legacy;
pub mod icrc;
pub mod saved;
