"""Fungible tokens on the IC: the `Icrc` service of an ICRC-1 ledger with ICRC-2 (approvals)
and ICRC-3 (blocks), and their Candid types, under the standards' names.

```python
from kybra import Async, CallResult, Principal, nat, update
from kybra.canisters.icrc import Icrc, TransferResult

ledger = Icrc(Principal.from_str("ryjl3-tyaaa-aaaaa-aaaba-cai"))  # ICP is an ICRC ledger too


@update
def pay(to: Principal, amount: nat) -> Async[TransferResult]:
    result: CallResult[TransferResult] = yield ledger.icrc1_transfer({
        "from_subaccount": None, "to": {"owner": to, "subaccount": None},
        "amount": amount, "fee": None, "memo": None, "created_at_time": None,
    })
    return result.Ok
```

Promises: every type and method equals the standards' interfaces (ICRC-1, ICRC-2 and
ICRC-3 as the `icrc-ledger-types` crate declares them; a Kybra test compares them as
Candid); the Kybra compiler reads this module as source, so only the types a canister uses
reach its `.did`. A ledger that lacks ICRC-2 or ICRC-3 rejects those methods as unknown.
"""

from kybra import (
    Alias,
    Func,
    Opt,
    Principal,
    Query,
    Record,
    Service,
    Tuple,
    Variant,
    Vec,
    blob,
    int,
    nat,
    nat8,
    nat64,
    null,
    service_query,
    service_update,
)

__all__ = [
    "Account",
    "Allowance",
    "AllowanceArgs",
    "ApproveArgs",
    "ApproveError",
    "ApproveResult",
    "ArchivedBlocks",
    "BlockIndex",
    "BlockWithId",
    "DataCertificate",
    "GetArchivesArgs",
    "GetBlocksArgs",
    "GetBlocksResult",
    "Icrc",
    "Icrc3ArchiveInfo",
    "Icrc3Value",
    "MetadataValue",
    "StandardRecord",
    "Subaccount",
    "SupportedBlockType",
    "Timestamp",
    "TransferArg",
    "TransferError",
    "TransferFromArgs",
    "TransferFromError",
    "TransferFromResult",
    "TransferResult",
]

Subaccount = blob
"""32 bytes naming one of an owner's accounts (`None`: the default account, all zeros)."""
Timestamp = nat64
"""Nanoseconds since the Unix epoch."""
BlockIndex = nat


class Account(Record):
    owner: Principal
    subaccount: Opt[Subaccount]


class TransferArg(Record):
    from_subaccount: Opt[Subaccount]
    to: Account
    amount: nat
    fee: Opt[nat]
    """`None`: the ledger's fee; else it must equal it."""
    memo: Opt[blob]
    created_at_time: Opt[Timestamp]
    """Set it to have the ledger drop a duplicate of this transfer (24 h window)."""


class BadFee(Record):
    expected_fee: nat


class BadBurn(Record):
    min_burn_amount: nat


class InsufficientFunds(Record):
    balance: nat


class CreatedInFuture(Record):
    ledger_time: Timestamp


class Duplicate(Record):
    duplicate_of: BlockIndex


class GenericError(Record):
    error_code: nat
    message: str


class TransferError(Variant, total=False):
    BadFee: BadFee
    BadBurn: BadBurn
    InsufficientFunds: InsufficientFunds
    TooOld: null
    CreatedInFuture: CreatedInFuture
    TemporarilyUnavailable: null
    Duplicate: Duplicate
    GenericError: GenericError


class TransferResult(Variant, total=False):
    Ok: BlockIndex
    Err: TransferError


class MetadataValue(Variant, total=False):
    Nat: nat
    Int: int
    Text: str
    Blob: blob


class StandardRecord(Record):
    name: str
    url: str


class ApproveArgs(Record):
    from_subaccount: Opt[Subaccount]
    spender: Account
    amount: nat
    expected_allowance: Opt[nat]
    """The allowance the approval expects to replace (else `AllowanceChanged`)."""
    expires_at: Opt[Timestamp]
    fee: Opt[nat]
    memo: Opt[blob]
    created_at_time: Opt[Timestamp]


class AllowanceChanged(Record):
    current_allowance: nat


class Expired(Record):
    ledger_time: Timestamp


class ApproveError(Variant, total=False):
    BadFee: BadFee
    InsufficientFunds: InsufficientFunds
    AllowanceChanged: AllowanceChanged
    Expired: Expired
    TooOld: null
    CreatedInFuture: CreatedInFuture
    Duplicate: Duplicate
    TemporarilyUnavailable: null
    GenericError: GenericError


class ApproveResult(Variant, total=False):
    Ok: BlockIndex
    Err: ApproveError


class AllowanceArgs(Record):
    account: Account
    spender: Account


class Allowance(Record):
    allowance: nat
    expires_at: Opt[Timestamp]


class TransferFromArgs(Record):
    spender_subaccount: Opt[Subaccount]
    from_: Account
    to: Account
    amount: nat
    fee: Opt[nat]
    memo: Opt[blob]
    created_at_time: Opt[Timestamp]


class InsufficientAllowance(Record):
    allowance: nat


class TransferFromError(Variant, total=False):
    BadFee: BadFee
    BadBurn: BadBurn
    InsufficientFunds: InsufficientFunds
    InsufficientAllowance: InsufficientAllowance
    TooOld: null
    CreatedInFuture: CreatedInFuture
    Duplicate: Duplicate
    TemporarilyUnavailable: null
    GenericError: GenericError


class TransferFromResult(Variant, total=False):
    Ok: BlockIndex
    Err: TransferFromError


class Icrc3Value(Variant, total=False):
    """ICRC-3's generic value: a block is a map of these."""

    Blob: blob
    Text: str
    Nat: nat
    Int: int
    Array: Vec["Icrc3Value"]
    Map: Vec[Tuple[str, "Icrc3Value"]]


class GetBlocksArgs(Record):
    start: nat
    length: nat


class BlockWithId(Record):
    id: nat
    block: Icrc3Value


GetBlocksCallback = Func(Query[[Vec[GetBlocksArgs]], "GetBlocksResult"])
"""An archive's `icrc3_get_blocks`, for blocks the ledger has moved there."""


class ArchivedBlocks(Record):
    args: Vec[GetBlocksArgs]
    callback: GetBlocksCallback  # pyright: ignore[reportInvalidTypeForm]


class GetBlocksResult(Record):
    log_length: nat
    blocks: Vec[BlockWithId]
    archived_blocks: Vec[ArchivedBlocks]


class GetArchivesArgs(Record):
    from_: Opt[Principal]
    """The last archive seen (`None`: from the first)."""


class Icrc3ArchiveInfo(Record):
    canister_id: Principal
    start: nat
    end: nat


class DataCertificate(Record):
    certificate: blob
    hash_tree: blob


class SupportedBlockType(Record):
    block_type: str
    url: str


Metadata = Alias[Vec[Tuple[str, MetadataValue]]]


class Icrc(Service):
    """An ICRC-1 ledger (with ICRC-2 and ICRC-3 where it implements them):
    `Icrc(Principal.from_str(LEDGER_ID))`."""

    @service_query
    def icrc1_name(self) -> str: ...

    @service_query
    def icrc1_symbol(self) -> str: ...

    @service_query
    def icrc1_decimals(self) -> nat8: ...

    @service_query
    def icrc1_fee(self) -> nat: ...

    @service_query
    def icrc1_metadata(self) -> Metadata: ...

    @service_query
    def icrc1_total_supply(self) -> nat: ...

    @service_query
    def icrc1_minting_account(self) -> Opt[Account]: ...

    @service_query
    def icrc1_balance_of(self, account: Account) -> nat: ...

    @service_update
    def icrc1_transfer(self, arg: TransferArg) -> TransferResult: ...

    @service_query
    def icrc1_supported_standards(self) -> Vec[StandardRecord]: ...

    @service_update
    def icrc2_approve(self, arg: ApproveArgs) -> ApproveResult: ...

    @service_query
    def icrc2_allowance(self, arg: AllowanceArgs) -> Allowance: ...

    @service_update
    def icrc2_transfer_from(self, arg: TransferFromArgs) -> TransferFromResult: ...

    @service_query
    def icrc3_get_blocks(self, args: Vec[GetBlocksArgs]) -> GetBlocksResult: ...

    @service_query
    def icrc3_get_archives(self, args: GetArchivesArgs) -> Vec[Icrc3ArchiveInfo]: ...

    @service_query
    def icrc3_get_tip_certificate(self) -> Opt[DataCertificate]: ...

    @service_query
    def icrc3_supported_block_types(self) -> Vec[SupportedBlockType]: ...
