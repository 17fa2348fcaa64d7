"""The cycles minting canister (`rkp4c-7iaaa-aaaaa-aaaca-cai` on mainnet, and on a local
replica with the system canisters): ICP into cycles. Send ICP on the ICP ledger to the
CMC's account for the beneficiary (`cmc_subaccount(p)`: a canister to top up, a controller
for a new canister, yourself to mint), with the memo of what you want (`MEMO_TOP_UP`,
`MEMO_CREATE_CANISTER`, `MEMO_MINT_CYCLES`), then notify the CMC of the block:

```python
cmc = CyclesMintingCanister(Principal.from_str("rkp4c-7iaaa-aaaaa-aaaca-cai"))
result: CallResult[NotifyTopUpResult] = yield cmc.notify_top_up(
    {"block_index": block, "canister_id": canister}
)
```

Promises: the types equal the CMC's published interface (`cmc.did`, compared as Candid by a
Kybra test); `cmc_subaccount` is byte-exact with the CMC's.
"""

from kybra import (
    Alias,
    Opt,
    Principal,
    Record,
    Service,
    Tuple,
    Variant,
    Vec,
    blob,
    nat,
    nat64,
    null,
    service_query,
    service_update,
)
from kybra.canisters.cycles_ledger import CanisterSettings, SubnetSelection

__all__ = [
    "MEMO_CREATE_CANISTER",
    "MEMO_MINT_CYCLES",
    "MEMO_TOP_UP",
    "CyclesMintingCanister",
    "IcpXdrConversionRate",
    "IcpXdrConversionRateResponse",
    "NotifyCreateCanisterArg",
    "NotifyCreateCanisterResult",
    "NotifyError",
    "NotifyMintCyclesArg",
    "NotifyMintCyclesResult",
    "NotifyMintCyclesSuccess",
    "NotifyTopUpArg",
    "NotifyTopUpResult",
    "SubnetTypesToSubnetsResponse",
    "cmc_subaccount",
]

MEMO_TOP_UP = 0x50555054
"""`TPUP`: the memo of an ICP transfer for `notify_top_up`."""
MEMO_CREATE_CANISTER = 0x41455243
"""`CREA`: the memo of an ICP transfer for `notify_create_canister`."""
MEMO_MINT_CYCLES = 0x544E494D
"""`MINT`: the memo of an ICP transfer for `notify_mint_cycles`."""


def cmc_subaccount(beneficiary: Principal) -> bytes:
    """The subaccount of the CMC's ICP account for `beneficiary`: its length, its bytes, zeros."""
    raw = beneficiary.bytes
    return bytes([len(raw)]) + raw + bytes(31 - len(raw))


class NotifyTopUpArg(Record):
    block_index: nat64
    canister_id: Principal


class NotifyCreateCanisterArg(Record):
    block_index: nat64
    controller: Principal
    """Who controls the new canister; only it may notify."""
    subnet_type: Opt[str]
    subnet_selection: Opt[SubnetSelection]
    settings: Opt[CanisterSettings]


class NotifyMintCyclesArg(Record):
    block_index: nat64
    to_subaccount: Opt[blob]
    deposit_memo: Opt[blob]


class Refunded(Record):
    block_index: Opt[nat64]
    reason: str


class NotifyOther(Record):
    error_code: nat64
    error_message: str


class NotifyError(Variant, total=False):
    Refunded: Refunded
    InvalidTransaction: str
    Other: NotifyOther
    Processing: null
    TransactionTooOld: nat64


class NotifyTopUpResult(Variant, total=False):
    Ok: nat
    """The cycles the canister got."""
    Err: NotifyError


class NotifyCreateCanisterResult(Variant, total=False):
    Ok: Principal
    Err: NotifyError


class NotifyMintCyclesSuccess(Record):
    block_index: nat
    minted: nat
    balance: nat


class NotifyMintCyclesResult(Variant, total=False):
    Ok: NotifyMintCyclesSuccess
    Err: NotifyError


class IcpXdrConversionRate(Record):
    timestamp_seconds: nat64
    xdr_permyriad_per_icp: nat64
    """Ten-thousandths of an XDR per ICP; one XDR buys 10^12 cycles."""


class IcpXdrConversionRateResponse(Record):
    data: IcpXdrConversionRate
    hash_tree: blob
    certificate: blob


class SubnetTypesToSubnetsResponse(Record):
    data: Vec[Tuple[str, Vec[Principal]]]


Subnets = Alias[Vec[Principal]]


class CyclesMintingCanister(Service):
    """The CMC: `CyclesMintingCanister(Principal.from_str("rkp4c-7iaaa-aaaaa-aaaca-cai"))`."""

    @service_update
    def notify_top_up(self, arg: NotifyTopUpArg) -> NotifyTopUpResult: ...

    @service_update
    def notify_create_canister(
        self, arg: NotifyCreateCanisterArg
    ) -> NotifyCreateCanisterResult: ...

    @service_update
    def notify_mint_cycles(
        self, arg: NotifyMintCyclesArg
    ) -> NotifyMintCyclesResult: ...

    @service_query
    def get_icp_xdr_conversion_rate(self) -> IcpXdrConversionRateResponse: ...

    @service_query
    def get_default_subnets(self) -> Subnets: ...

    @service_query
    def get_subnet_types_to_subnets(self) -> SubnetTypesToSubnetsResponse: ...
