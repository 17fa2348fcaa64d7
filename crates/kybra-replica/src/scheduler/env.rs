//! [`ServiceEnv`]: what a system service may ask of the replica ([`Env`]) — the time, the
//! subnet id, creating a canister (through the management canister's own code), depositing
//! cycles, and running a plain query on a canister.

use candid::Principal;
use ic_management_canister_types::CanisterSettings;

use crate::error::Reject;
use crate::management;
use crate::services::api::Env;
use crate::state::State;

pub struct ServiceEnv<'a> {
    pub state: &'a mut State,
    /// Canister ids of services, which no new canister may take.
    pub reserved: Vec<Principal>,
}

impl Env for ServiceEnv<'_> {
    fn time(&self) -> u64 {
        self.state.clock.peek()
    }

    fn subnet_id(&self) -> Option<Principal> {
        self.state.subnet.id
    }

    fn create_canister(
        &mut self,
        controller: Principal,
        settings: Option<CanisterSettings>,
        cycles: u128,
    ) -> Result<Principal, Reject> {
        management::create(
            self.state,
            &self.reserved,
            controller,
            settings,
            cycles,
            None,
        )
    }

    fn deposit_cycles(&mut self, canister: Principal, cycles: u128) -> Result<(), Reject> {
        let c = self
            .state
            .canisters
            .get_mut(&canister)
            .ok_or_else(|| Reject::canister_not_found(&canister))?;
        c.cycles = c.cycles.saturating_add(cycles);
        Ok(())
    }

    fn query(
        &mut self,
        caller: Principal,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, Reject> {
        self.state.run_query(caller, canister, method, arg, None)
    }
}
