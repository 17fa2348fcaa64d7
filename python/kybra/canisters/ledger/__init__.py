"""The ICP ledger (`ryjl3-tyaaa-aaaaa-aaaba-cai` on mainnet, and on a local replica with the
system canisters): the `Ledger` service and its Candid types, with the original Kybra's
names, so Kybra 0.7 code runs unchanged.

```python
from kybra import Async, CallResult, Principal, update
from kybra.canisters.ledger import Ledger, Tokens, TransferResult

icp_ledger = Ledger(Principal.from_str("ryjl3-tyaaa-aaaaa-aaaba-cai"))


@update
def pay(to: blob, e8s: nat64) -> Async[TransferResult]:
    result: CallResult[TransferResult] = yield icp_ledger.transfer({
        "memo": 0, "amount": {"e8s": e8s}, "fee": {"e8s": 10_000},
        "from_subaccount": None, "to": to, "created_at_time": None,
    })
    ...
```

Account identifiers are 32-byte blobs: `Principal.to_account_id(subaccount).bytes`. Promises:
the types are the ledger's own interface (`ledger.did`'s `account_balance`, `transfer`,
`transfer_fee`, `query_blocks`, `archives`, `symbol`, `name`, `decimals`); the Kybra compiler
reads this module as source, so only the types a canister uses reach its `.did`.
"""

from kybra import (
    Func,
    Opt,
    Principal,
    Query,
    Record,
    Service,
    Variant,
    Vec,
    blob,
    nat32,
    nat64,
    null,
    service_query,
    service_update,
)

__all__ = [
    "AccountBalanceArgs",
    "AccountIdentifier",
    "Address",
    "Archive",
    "Archives",
    "Block",
    "BlockIndex",
    "BlockRange",
    "DecimalsResult",
    "GetBlocksArgs",
    "Ledger",
    "Memo",
    "NameResult",
    "Operation",
    "QueryArchiveError",
    "QueryArchiveFn",
    "QueryArchiveResult",
    "QueryBlocksResponse",
    "SubAccount",
    "SymbolResult",
    "TimeStamp",
    "Tokens",
    "Transaction",
    "TransferArgs",
    "TransferError",
    "TransferFee",
    "TransferFeeArg",
    "TransferResult",
]

AccountIdentifier = blob
"""32 bytes: the CRC32 (big endian) of the other 28, then SHA-224 of the principal and
subaccount (`Principal.to_account_id`)."""
SubAccount = blob
"""32 bytes naming one of a principal's accounts."""
BlockIndex = nat64
Memo = nat64
Address = str
"""An account identifier in hex, as the original Kybra's `Address`."""


class Tokens(Record):
    """An amount in e8s (10^-8 ICP)."""

    e8s: nat64


class TimeStamp(Record):
    """Nanoseconds since the Unix epoch."""

    timestamp_nanos: nat64


class TransferArgs(Record):
    memo: Memo
    amount: Tokens
    fee: Tokens
    """Must be 10,000 e8s."""
    from_subaccount: Opt[SubAccount]
    to: AccountIdentifier
    created_at_time: Opt[TimeStamp]


class TransferError_BadFee(Record):
    expected_fee: Tokens


class TransferError_InsufficientFunds(Record):
    balance: Tokens


class TransferError_TxTooOld(Record):
    allowed_window_nanos: nat64


class TransferError_TxDuplicate(Record):
    duplicate_of: BlockIndex


class TransferError(Variant, total=False):
    BadFee: TransferError_BadFee
    InsufficientFunds: TransferError_InsufficientFunds
    TxTooOld: TransferError_TxTooOld
    TxCreatedInFuture: null
    TxDuplicate: TransferError_TxDuplicate


class TransferResult(Variant, total=False):
    Ok: BlockIndex
    Err: TransferError


class AccountBalanceArgs(Record):
    account: AccountIdentifier


class TransferFeeArg(Record):
    pass


class TransferFee(Record):
    transfer_fee: Tokens


class GetBlocksArgs(Record):
    start: BlockIndex
    length: nat64


class Operation_Mint(Record):
    to: AccountIdentifier
    amount: Tokens


class Operation_Burn(Record):
    from_: AccountIdentifier
    amount: Tokens


class Operation_Transfer(Record):
    from_: AccountIdentifier
    to: AccountIdentifier
    amount: Tokens
    fee: Tokens


class Operation_Approve(Record):
    from_: AccountIdentifier
    spender: AccountIdentifier
    allowance: Tokens
    fee: Tokens
    expires_at: Opt[TimeStamp]


class Operation(Variant, total=False):
    Mint: Operation_Mint
    Burn: Operation_Burn
    Transfer: Operation_Transfer
    Approve: Operation_Approve
    """An ICRC-2 approval (the ledger's current interface has it; Kybra 0.7's lacked it)."""


class Transaction(Record):
    memo: Memo
    operation: Opt[Operation]
    created_at_time: TimeStamp


class Block(Record):
    parent_hash: Opt[blob]
    transaction: Transaction
    timestamp: TimeStamp


class BlockRange(Record):
    blocks: Vec[Block]


class QueryArchiveError_BadFirstBlockIndex(Record):
    requested_index: BlockIndex
    first_valid_index: BlockIndex


class QueryArchiveError_Other(Record):
    error_code: nat64
    error_message: str


class QueryArchiveError(Variant, total=False):
    BadFirstBlockIndex: QueryArchiveError_BadFirstBlockIndex
    Other: QueryArchiveError_Other


class QueryArchiveResult(Variant, total=False):
    Ok: BlockRange
    Err: QueryArchiveError


QueryArchiveFn = Func(Query[[GetBlocksArgs], QueryArchiveResult])


class QueryBlocksResponse_archived_blocks(Record):
    start: BlockIndex
    length: nat64
    callback: QueryArchiveFn  # pyright: ignore[reportInvalidTypeForm]


class QueryBlocksResponse(Record):
    chain_length: nat64
    certificate: Opt[blob]
    blocks: Vec[Block]
    first_block_index: BlockIndex
    archived_blocks: Vec[QueryBlocksResponse_archived_blocks]


class Archive(Record):
    canister_id: Principal


class Archives(Record):
    archives: Vec[Archive]


class SymbolResult(Record):
    symbol: str


class NameResult(Record):
    name: str


class DecimalsResult(Record):
    decimals: nat32


class Ledger(Service):
    """The ICP ledger's own interface: `Ledger(Principal.from_str("ryjl3-tyaaa-aaaaa-aaaba-cai"))`."""

    @service_update
    def transfer(self, transfer_args: TransferArgs) -> TransferResult: ...

    @service_query
    def account_balance(self, account_balance_args: AccountBalanceArgs) -> Tokens: ...

    @service_query
    def transfer_fee(self, transfer_fee_arg: TransferFeeArg) -> TransferFee: ...

    @service_query
    def query_blocks(self, get_blocks_args: GetBlocksArgs) -> QueryBlocksResponse: ...

    @service_query
    def symbol(self) -> SymbolResult: ...

    @service_query
    def name(self) -> NameResult: ...

    @service_query
    def decimals(self) -> DecimalsResult: ...

    @service_query
    def archives(self) -> Archives: ...
