"""The cycles ledger (`um5iw-rqaaa-aaaaq-qaaba-cai` on mainnet, and on a local replica with
the system canisters): cycles held by principals as ICRC-1/ICRC-2 tokens, spent on canisters.
`CyclesLedger` is `kybra.canisters.icrc.Icrc` plus the ledger's own methods:

- `deposit`: the cycles a canister attaches to the call go to an account;
- `withdraw`: cycles of the caller's account go to a canister (`deposit_cycles`);
- `create_canister`: a new canister paid from the caller's account (`amount` + the fee).

```python
ledger = CyclesLedger(Principal.from_str("um5iw-rqaaa-aaaaq-qaaba-cai"))
result: CallResult[DepositResult] = yield ledger.deposit(
    {"to": {"owner": ic.id(), "subaccount": None}, "memo": None}
).with_cycles(1_000_000_000_000)
```

Promises: the types equal the cycles ledger's published interface (`cycles-ledger.did`,
compared as Candid by a Kybra test); the fee is 100,000,000 cycles.
"""

from kybra import (
    Opt,
    Principal,
    Record,
    Variant,
    Vec,
    blob,
    nat,
    nat64,
    null,
    service_update,
)
from kybra.canisters.icrc import (
    Account,
    BadFee,
    BlockIndex,
    CreatedInFuture,
    Icrc,
    InsufficientFunds,
)

__all__ = [
    "CanisterSettings",
    "CmcCreateCanisterArgs",
    "CreateCanisterArgs",
    "CreateCanisterError",
    "CreateCanisterResult",
    "CreateCanisterSuccess",
    "CyclesLedger",
    "DepositArgs",
    "DepositResult",
    "LogVisibility",
    "RejectionCode",
    "SubnetFilter",
    "SubnetSelection",
    "WithdrawArgs",
    "WithdrawError",
    "WithdrawResult",
]


class DepositArgs(Record):
    to: Account
    memo: Opt[blob]


class DepositResult(Record):
    block_index: BlockIndex
    balance: nat


class WithdrawArgs(Record):
    amount: nat
    from_subaccount: Opt[blob]
    to: Principal
    """The canister that receives the cycles."""
    created_at_time: Opt[nat64]


class RejectionCode(Variant, total=False):
    NoError: null
    CanisterError: null
    SysTransient: null
    DestinationInvalid: null
    Unknown: null
    SysFatal: null
    CanisterReject: null


class DuplicateOf(Record):
    duplicate_of: nat


class FailedToWithdraw(Record):
    fee_block: Opt[nat]
    rejection_code: RejectionCode
    rejection_reason: str


class GenericError(Record):
    error_code: nat
    message: str


class InvalidReceiver(Record):
    receiver: Principal


class WithdrawError(Variant, total=False):
    BadFee: BadFee
    InsufficientFunds: InsufficientFunds
    TooOld: null
    CreatedInFuture: CreatedInFuture
    TemporarilyUnavailable: null
    Duplicate: DuplicateOf
    FailedToWithdraw: FailedToWithdraw
    GenericError: GenericError
    InvalidReceiver: InvalidReceiver


class WithdrawResult(Variant, total=False):
    Ok: BlockIndex
    Err: WithdrawError


class LogVisibility(Variant, total=False):
    controllers: null
    public: null
    allowed_viewers: Vec[Principal]


class CanisterSettings(Record):
    controllers: Opt[Vec[Principal]]
    compute_allocation: Opt[nat]
    memory_allocation: Opt[nat]
    freezing_threshold: Opt[nat]
    reserved_cycles_limit: Opt[nat]
    log_visibility: Opt[LogVisibility]
    wasm_memory_limit: Opt[nat]
    wasm_memory_threshold: Opt[nat]


class SubnetFilter(Record):
    subnet_type: Opt[str]


class SubnetSelection_Subnet(Record):
    subnet: Principal


class SubnetSelection(Variant, total=False):
    Subnet: SubnetSelection_Subnet
    Filter: SubnetFilter


class CmcCreateCanisterArgs(Record):
    settings: Opt[CanisterSettings]
    subnet_selection: Opt[SubnetSelection]


class CreateCanisterArgs(Record):
    from_subaccount: Opt[blob]
    created_at_time: Opt[nat64]
    amount: nat
    """Cycles for the new canister; the fee is charged on top."""
    creation_args: Opt[CmcCreateCanisterArgs]


class CreateCanisterSuccess(Record):
    block_id: BlockIndex
    canister_id: Principal


class DuplicateCreation(Record):
    duplicate_of: nat
    canister_id: Opt[Principal]


class FailedToCreate(Record):
    fee_block: Opt[BlockIndex]
    refund_block: Opt[BlockIndex]
    error: str


class CreateCanisterError(Variant, total=False):
    InsufficientFunds: InsufficientFunds
    TooOld: null
    CreatedInFuture: CreatedInFuture
    TemporarilyUnavailable: null
    Duplicate: DuplicateCreation
    FailedToCreate: FailedToCreate
    GenericError: GenericError


class CreateCanisterResult(Variant, total=False):
    Ok: CreateCanisterSuccess
    Err: CreateCanisterError


class CyclesLedger(Icrc):
    """The cycles ledger: ICRC-1/2/3 plus `deposit`, `withdraw` and `create_canister`."""

    @service_update
    def deposit(self, args: DepositArgs) -> DepositResult: ...

    @service_update
    def withdraw(self, args: WithdrawArgs) -> WithdrawResult: ...

    @service_update
    def create_canister(self, args: CreateCanisterArgs) -> CreateCanisterResult: ...
