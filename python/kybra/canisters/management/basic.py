"""Canister lifecycle types of the management canister: create, settings, install,
start/stop, status, delete, cycles, and the provisional (local-only) methods.

Field names and variant cases are the IC interface specification's (`ic.did`), so the
replica decodes them; the settings carry the current specification's `reserved_cycles_limit`,
`log_visibility` and `wasm_memory_limit` (a dict may leave them out: they go as `null`);
some optional fields the spec added later (`sender_canister_version`, `specified_id`) are
left out, which Candid reads as `null`.
"""

from kybra import Opt, Principal, Record, Variant, Vec, blob, nat, null


class LogVisibility(Variant, total=False):
    """Who may read the canister's log (`fetch_canister_logs`)."""

    controllers: null
    public: null
    allowed_viewers: Vec[Principal]


class CanisterSettings(Record):
    """`canister_settings`: each `None` (or a key left out) leaves that setting as it is
    (or the default)."""

    controllers: Opt[Vec[Principal]]
    compute_allocation: Opt[nat]
    memory_allocation: Opt[nat]
    freezing_threshold: Opt[nat]
    reserved_cycles_limit: Opt[nat]
    """The most cycles the canister may reserve for storage it allocates."""
    log_visibility: Opt[LogVisibility]
    wasm_memory_limit: Opt[nat]
    """The most bytes of Wasm heap the canister may use (0: no limit)."""


class DefiniteCanisterSettings(Record):
    """`definite_canister_settings`: the settings as `canister_status` reports them."""

    controllers: Vec[Principal]
    compute_allocation: nat
    memory_allocation: nat
    freezing_threshold: nat
    reserved_cycles_limit: nat
    log_visibility: LogVisibility
    wasm_memory_limit: nat


class CreateCanisterArgs(Record):
    settings: Opt[CanisterSettings]


class CreateCanisterResult(Record):
    canister_id: Principal


class UpdateSettingsArgs(Record):
    canister_id: Principal
    settings: CanisterSettings


class InstallCodeMode(Variant, total=False):
    install: null
    reinstall: null
    upgrade: null


class InstallCodeArgs(Record):
    mode: InstallCodeMode
    canister_id: Principal
    wasm_module: blob
    arg: blob


class UninstallCodeArgs(Record):
    canister_id: Principal


class StartCanisterArgs(Record):
    canister_id: Principal


class StopCanisterArgs(Record):
    canister_id: Principal


class CanisterStatusArgs(Record):
    canister_id: Principal


class CanisterStatus(Variant, total=False):
    running: null
    stopping: null
    stopped: null


class CanisterStatusResult(Record):
    status: CanisterStatus
    settings: DefiniteCanisterSettings
    module_hash: Opt[blob]
    memory_size: nat
    cycles: nat
    idle_cycles_burned_per_day: nat


class DeleteCanisterArgs(Record):
    canister_id: Principal


class DepositCyclesArgs(Record):
    canister_id: Principal


class ProvisionalCreateCanisterWithCyclesArgs(Record):
    amount: Opt[nat]
    settings: Opt[CanisterSettings]


class ProvisionalCreateCanisterWithCyclesResult(Record):
    canister_id: Principal


class ProvisionalTopUpCanisterArgs(Record):
    canister_id: Principal
    amount: nat
