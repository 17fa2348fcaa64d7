//! The replica's system services behind one trait ([`api::SystemService`]): a method name,
//! an argument and cycles in; a reply or reject and a refund out, at once or later.
//! [`Services`] holds the ones a replica registered and finds the service for a call.
//!
//! * [`randomness`]: the management canister's `raw_rand`;
//! * [`threshold`]: `ecdsa_public_key`, `sign_with_ecdsa`;
//! * [`schnorr`]: `schnorr_public_key`, `sign_with_schnorr`;
//! * [`vetkd`]: `vetkd_public_key`, `vetkd_derive_key`;
//! * [`outcalls`] (cargo feature `http-outcalls`, networked): `http_request`;
//! * [`bitcoin`] (cargo feature `bitcoin`): the four bitcoin methods on a regtest chain;
//! * [`cmc`] and [`ledgers`]: the cycles minting canister, the cycles ledger and the ICP
//!   ledger at their mainnet ids ([`system_canisters`]), registered by
//!   `Replica::set_system_canisters`.
//!
//! [`Services::standard`] is every service compiled in but the system canisters;
//! `kybra-testing` leaves out the networked ones by building without their features.

pub mod api;
#[cfg(feature = "bitcoin")]
pub mod bitcoin;
pub mod cmc;
pub mod ledgers;
#[cfg(feature = "http-outcalls")]
pub mod outcalls;
pub mod randomness;
pub mod schnorr;
pub mod system_canisters;
pub mod threshold;
pub mod vetkd;

use std::sync::Arc;

use candid::Principal;

use crate::error::Reject;
use api::{Address, Answer, Env, MethodKind, Reply, Request, Signal, SystemService, Ticket};

/// The services a replica has.
pub struct Services {
    list: Vec<Box<dyn SystemService>>,
    signal: Arc<Signal>,
    /// Saved states of services this replica lacks (a state folder written by a replica with
    /// more of them), by name: written back as they are, and given to such a service if one
    /// is registered later.
    orphans: Vec<(String, Vec<u8>)>,
    /// Mainnet-like: see [`Services::set_mainnet_like`].
    mainnet_like: bool,
}

impl Default for Services {
    fn default() -> Self {
        Services::standard()
    }
}

impl Services {
    /// No services at all.
    pub fn none() -> Self {
        Services {
            list: Vec::new(),
            signal: Arc::new(Signal::default()),
            orphans: Vec::new(),
            mainnet_like: false,
        }
    }

    /// Every service compiled in, except the system canisters (off by default, as with
    /// `dfx start`).
    pub fn standard() -> Self {
        let mut s = Services::none();
        s.register(Box::new(randomness::Randomness::default()));
        s.register(Box::new(threshold::ThresholdEcdsa));
        s.register(Box::new(schnorr::ThresholdSchnorr));
        s.register(Box::new(vetkd::VetKd));
        #[cfg(feature = "http-outcalls")]
        s.register(Box::new(outcalls::HttpOutcalls::default()));
        #[cfg(feature = "bitcoin")]
        s.register(Box::new(bitcoin::BitcoinRegtest::default()));
        s
    }

    /// Adds `service`, replacing one of the same name; it gets the saved state of a
    /// service of its name that the state folder held, if any.
    pub fn register(&mut self, mut service: Box<dyn SystemService>) {
        self.remove(service.name());
        if let Some(i) = self.orphans.iter().position(|(n, _)| n == service.name()) {
            match service.restore_state(&self.orphans[i].1) {
                Ok(()) => {
                    self.orphans.remove(i);
                }
                Err(e) => eprintln!(
                    "kybra-replica: the {} starts afresh: its saved state is unreadable ({e}); it is kept as it was",
                    service.name()
                ),
            }
        }
        service.attach(Arc::clone(&self.signal));
        self.list.push(service);
    }

    /// Each service's [`SystemService::state_generation`], by name: when this changes, the
    /// saved states do.
    pub fn state_generations(&self) -> Vec<(&'static str, u64)> {
        self.list
            .iter()
            .map(|s| (s.name(), s.state_generation()))
            .collect()
    }

    /// The states to keep across restarts, by name and sorted: each service's
    /// [`SystemService::save_state`], and the saved states no registered service took.
    pub fn saved_states(&self) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = self
            .list
            .iter()
            .filter_map(|s| Some((s.name().to_string(), s.save_state()?)))
            .chain(self.orphans.iter().cloned())
            .collect();
        out.sort();
        out
    }

    /// Gives each service its state from [`Self::saved_states`] of an earlier run; the ones
    /// no registered service takes are kept. An unreadable state is an error naming its
    /// service.
    pub fn restore_states(&mut self, saved: Vec<(String, Vec<u8>)>) -> Result<(), String> {
        for (name, bytes) in saved {
            match self.list.iter_mut().find(|s| s.name() == name) {
                Some(s) => s
                    .restore_state(&bytes)
                    .map_err(|e| format!("the saved state of the {name} service: {e}"))?,
                None => self.orphans.push((name, bytes)),
            }
        }
        Ok(())
    }

    /// Removes the service called `name`, if there is one.
    pub fn remove(&mut self, name: &str) {
        self.list.retain(|s| s.name() != name);
    }

    /// Whether a service called `name` is registered.
    pub fn has(&self, name: &str) -> bool {
        self.list.iter().any(|s| s.name() == name)
    }

    /// The service that answers `method` of the management canister.
    pub fn for_management(&self, method: &str) -> Option<usize> {
        self.list.iter().position(|s| match s.address() {
            Address::Management(methods) => methods.contains(&method),
            Address::Canister { .. } => false,
        })
    }

    /// The service at canister id `id`.
    pub fn for_canister(&self, id: &Principal) -> Option<usize> {
        self.list.iter().position(|s| match s.address() {
            Address::Canister { id: own, .. } => own == *id,
            Address::Management(_) => false,
        })
    }

    /// The canister ids services answer at, sorted.
    pub fn canister_ids(&self) -> Vec<Principal> {
        let mut ids: Vec<Principal> = self
            .list
            .iter()
            .filter_map(|s| match s.address() {
                Address::Canister { id, .. } => Some(id),
                Address::Management(_) => None,
            })
            .collect();
        ids.sort();
        ids
    }

    /// Rejects a method the service at `index` (a canister) does not have as a call of
    /// this kind, naming the ones it has.
    pub fn check_method(&self, index: usize, method: &str, as_query: bool) -> Result<(), Reject> {
        let service = &self.list[index];
        let Address::Canister { id, methods } = service.address() else {
            return Ok(());
        };
        let found = methods.iter().find(|(m, _)| *m == method);
        if let Some((_, kind)) = found {
            if *kind == MethodKind::Query || !as_query {
                return Ok(());
            }
        }
        let kind = if as_query { "query" } else { "update" };
        let offered: Vec<&str> = methods
            .iter()
            .filter(|(_, k)| *k == MethodKind::Query || !as_query)
            .map(|(m, _)| *m)
            .collect();
        let hint = if found.is_some() {
            " (it is an update method: call it as an update)"
        } else {
            ""
        };
        Err(Reject::ic(
            "IC0536",
            format!(
                "Canister {id} has no {kind} method '{method}'{hint}: the kybra replica's built-in {} implements only {}",
                service.name(),
                offered.join(", ")
            ),
        ))
    }

    pub fn call(&mut self, index: usize, request: Request<'_>, env: &mut dyn Env) -> Reply {
        self.list[index].call(request, env)
    }

    pub fn query(
        &mut self,
        index: usize,
        request: Request<'_>,
        env: &mut dyn Env,
    ) -> Result<Vec<u8>, Reject> {
        self.list[index].query(request, env)
    }

    /// The answers that became ready, from every service.
    pub fn poll(&mut self, env: &mut dyn Env) -> Vec<(Ticket, Answer)> {
        let mut out = Vec::new();
        for s in &mut self.list {
            if s.in_flight() {
                out.extend(s.poll(env));
            }
        }
        out
    }

    /// The tickets of every service's calls under way.
    pub fn tickets(&self) -> std::collections::BTreeSet<Ticket> {
        self.list.iter().flat_map(|s| s.tickets()).collect()
    }

    /// Whether any service has calls under way.
    pub fn in_flight(&self) -> bool {
        self.list.iter().any(|s| s.in_flight())
    }

    /// What services bump when an answer is ready.
    pub fn signal(&self) -> Arc<Signal> {
        Arc::clone(&self.signal)
    }

    /// The registered service of type `T`.
    pub fn get_mut<T: SystemService>(&mut self) -> Option<&mut T> {
        self.list
            .iter_mut()
            .find_map(|s| s.as_any_mut().downcast_mut::<T>())
    }

    /// Registers or removes the system canisters: the cycles minting canister, the cycles
    /// ledger and the ICP ledger (the CMC shares both ledgers' books).
    pub fn set_system_canisters(&mut self, on: bool) {
        if on {
            if self.has(cmc::NAME) {
                return;
            }
            let icp = ledgers::icp::new_books();
            let cycles = ledgers::cycles::new_books();
            let charge = self.mainnet_like;
            self.register(Box::new(cmc::CyclesMintingCanister::new(
                icp.clone(),
                cycles.clone(),
            )));
            self.register(Box::new(ledgers::cycles::CyclesLedger::new(cycles, charge)));
            self.register(Box::new(ledgers::icp::IcpLedger::new(icp)));
        } else {
            self.remove(cmc::NAME);
            self.remove(ledgers::cycles::NAME);
            self.remove(ledgers::icp::NAME);
        }
    }

    /// Makes the replica mainnet-like (or not): the system canisters run, the cycles ledger's
    /// `create_canister` is paid, and ingress may not use the provisional API
    /// ([`Self::is_mainnet_like`]).
    pub fn set_mainnet_like(&mut self, on: bool) {
        self.mainnet_like = on;
        if on {
            self.set_system_canisters(true);
        }
        if let Some(ledger) = self.get_mut::<ledgers::cycles::CyclesLedger>() {
            ledger.set_charge(on);
        }
    }

    /// Whether the replica is mainnet-like.
    pub fn is_mainnet_like(&self) -> bool {
        self.mainnet_like
    }
}
