"""Canister snapshot and history types of the management canister
(`take_canister_snapshot`, `load_canister_snapshot`, `list_canister_snapshots`,
`delete_canister_snapshot`, `canister_info`), as the IC interface specification names
their fields.

A snapshot holds a canister's module, heap, stable memory, globals and chunk store; loading
it puts them back. Only controllers may take, load, list or delete snapshots (a canister
that controls another can snapshot it). `canister_info` is for canisters: any canister
may read another's controllers, module hash and recent changes.
"""

from kybra import Opt, Principal, Record, Variant, Vec, blob, nat64, null


class Snapshot(Record):
    id: blob
    """The IC's layout: the canister-local index (8 bytes), then the canister id."""
    taken_at_timestamp: nat64
    total_size: nat64


class TakeCanisterSnapshotArgs(Record):
    canister_id: Principal
    replace_snapshot: Opt[blob]
    """A snapshot to replace (a canister keeps at most 10)."""
    uninstall_code: Opt[bool]
    """Uninstall the canister's code once the snapshot is taken."""


class LoadCanisterSnapshotArgs(Record):
    canister_id: Principal
    snapshot_id: blob


class ListCanisterSnapshotsArgs(Record):
    canister_id: Principal


class DeleteCanisterSnapshotArgs(Record):
    canister_id: Principal
    snapshot_id: blob


class CanisterInfoArgs(Record):
    canister_id: Principal
    num_requested_changes: Opt[nat64]
    """How many of the most recent changes to return (`None`: none)."""


class FromUserRecord(Record):
    user_id: Principal


class FromCanisterRecord(Record):
    canister_id: Principal
    canister_version: Opt[nat64]


class ChangeOrigin(Variant, total=False):
    from_user: FromUserRecord
    from_canister: FromCanisterRecord


class CreationRecord(Record):
    controllers: Vec[Principal]


class CodeDeploymentMode(Variant, total=False):
    install: null
    reinstall: null
    upgrade: null


class CodeDeploymentRecord(Record):
    mode: CodeDeploymentMode
    module_hash: blob


class LoadSnapshotRecord(Record):
    canister_version: nat64
    """The canister's version when the snapshot was taken."""
    snapshot_id: blob
    taken_at_timestamp: nat64


class ControllersChangeRecord(Record):
    controllers: Vec[Principal]


class RenameToRecord(Record):
    canister_id: Principal
    version: nat64
    total_num_changes: nat64


class RenameCanisterRecord(Record):
    """A canister renamed by the NNS (mainnet only)."""

    canister_id: Principal
    total_num_changes: nat64
    rename_to: RenameToRecord
    requested_by: Principal


class ChangeDetails(Variant, total=False):
    creation: CreationRecord
    code_uninstall: null
    code_deployment: CodeDeploymentRecord
    load_snapshot: LoadSnapshotRecord
    controllers_change: ControllersChangeRecord
    rename_canister: RenameCanisterRecord


class Change(Record):
    timestamp_nanos: nat64
    canister_version: nat64
    """The canister's version after the change."""
    origin: ChangeOrigin
    details: ChangeDetails


class CanisterInfoResult(Record):
    total_num_changes: nat64
    recent_changes: Vec[Change]
    """Oldest first."""
    module_hash: Opt[blob]
    controllers: Vec[Principal]
