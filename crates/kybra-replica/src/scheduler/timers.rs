//! Timers and heartbeats, PocketIC-style: [`World::tick`] runs, in canister id order,
//! every running canister's `canister_global_timer` whose deadline has passed (the timer
//! is reset to 0 before it runs, as the spec says, and stays reset if the timer traps),
//! then `canister_heartbeat` of every running canister that exports it, then the queued
//! messages (calls the timers and heartbeats made, and anything else in flight). Each runs
//! as its own message with the update instruction limit; a trap rolls back only that
//! message (and is logged). The HTTP server calls `tick` periodically in wall-clock mode.

use candid::Principal;

use super::run::Entry;
use super::world::World;
use crate::calls::{CallContext, Origin};
use crate::canister::Status;
use crate::execution::Persist;
use crate::host::Api;

/// At most this many queued messages run per tick (so one tick cannot run forever).
pub const MAX_MESSAGES_PER_TICK: usize = 10_000;

/// What one tick ran.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    pub timers: usize,
    pub heartbeats: usize,
    pub messages: usize,
}

impl World {
    pub fn tick(&mut self) -> TickReport {
        self.collect_services();
        let mut report = TickReport::default();
        if self.persist.as_ref().is_some_and(|p| p.check().is_err()) {
            return report;
        }
        let now = self.state.clock.peek();
        let mut due = Vec::new();
        let mut beats = Vec::new();
        for (id, c) in &self.state.canisters {
            let Some(exec) = &c.exec else { continue };
            if c.status != Status::Running {
                continue;
            }
            let timer = exec.host().global_timer;
            if exec.prepared.exports.global_timer && timer != 0 && timer <= now {
                due.push(*id);
            }
            if exec.prepared.exports.heartbeat {
                beats.push(*id);
            }
        }
        for id in due {
            if let Some(exec) = self
                .state
                .canisters
                .get_mut(&id)
                .and_then(|c| c.exec.as_mut())
            {
                exec.host_mut().global_timer = 0;
            }
            self.scheduled_task(id, "canister_global_timer", Api::GlobalTimer);
            report.timers += 1;
        }
        for id in beats {
            self.scheduled_task(id, "canister_heartbeat", Api::Heartbeat);
            report.heartbeats += 1;
        }
        while report.messages < MAX_MESSAGES_PER_TICK && self.step() {
            report.messages += 1;
        }
        report
    }

    fn scheduled_task(&mut self, canister: Principal, export: &str, api: Api) {
        let cc = CallContext::new(canister, canister, String::new(), Origin::System, 0, false);
        let entry = Entry {
            export: export.to_string(),
            api,
            persist: Persist::OnSuccess,
            arg: Vec::new(),
        };
        self.open_and_run(cc, entry);
    }
}
