"""The exchange rate canister (`uf6dk-hyaaa-aaaaq-qaaaq-cai` on mainnet): rates between
cryptocurrencies and fiat currencies, paid with cycles (1,000,000,000 per call on mainnet,
part of it refunded).

```python
xrc = ExchangeRateCanister(Principal.from_str("uf6dk-hyaaa-aaaaq-qaaaq-cai"))
result: CallResult[GetExchangeRateResult] = yield xrc.get_exchange_rate({
    "base_asset": {"symbol": "ICP", "class_": {"Cryptocurrency": None}},
    "quote_asset": {"symbol": "USD", "class_": {"FiatCurrency": None}},
    "timestamp": None,
}).with_cycles(1_000_000_000)
```

Promises: the types equal the canister's published interface (`xrc.did`, compared as Candid
by a Kybra test). The local replica has no exchange rate canister (its rates come from
exchanges outside the IC): a call there is rejected as a call to a missing canister.
"""

from kybra import (
    Opt,
    Record,
    Service,
    Variant,
    nat32,
    nat64,
    null,
    service_update,
)

__all__ = [
    "Asset",
    "AssetClass",
    "ExchangeRate",
    "ExchangeRateCanister",
    "ExchangeRateError",
    "ExchangeRateMetadata",
    "GetExchangeRateRequest",
    "GetExchangeRateResult",
]


class AssetClass(Variant, total=False):
    Cryptocurrency: null
    FiatCurrency: null


class Asset(Record):
    symbol: str
    class_: AssetClass


class GetExchangeRateRequest(Record):
    base_asset: Asset
    quote_asset: Asset
    timestamp: Opt[nat64]
    """Seconds since the epoch (`None`: the latest full minute)."""


class ExchangeRateMetadata(Record):
    decimals: nat32
    base_asset_num_received_rates: nat64
    base_asset_num_queried_sources: nat64
    quote_asset_num_received_rates: nat64
    quote_asset_num_queried_sources: nat64
    standard_deviation: nat64
    forex_timestamp: Opt[nat64]


class ExchangeRate(Record):
    base_asset: Asset
    quote_asset: Asset
    timestamp: nat64
    rate: nat64
    """The rate times 10^decimals."""
    metadata: ExchangeRateMetadata


class OtherError(Record):
    code: nat32
    description: str


class ExchangeRateError(Variant, total=False):
    AnonymousPrincipalNotAllowed: null
    Pending: null
    CryptoBaseAssetNotFound: null
    CryptoQuoteAssetNotFound: null
    StablecoinRateNotFound: null
    StablecoinRateTooFewRates: null
    StablecoinRateZeroRate: null
    ForexInvalidTimestamp: null
    ForexBaseAssetNotFound: null
    ForexQuoteAssetNotFound: null
    ForexAssetsNotFound: null
    RateLimited: null
    NotEnoughCycles: null
    FailedToAcceptCycles: null
    InconsistentRatesReceived: null
    Other: OtherError


class GetExchangeRateResult(Variant, total=False):
    Ok: ExchangeRate
    Err: ExchangeRateError


class ExchangeRateCanister(Service):
    """The XRC: `ExchangeRateCanister(Principal.from_str("uf6dk-hyaaa-aaaaq-qaaaq-cai"))`."""

    @service_update
    def get_exchange_rate(
        self, request: GetExchangeRateRequest
    ) -> GetExchangeRateResult: ...
