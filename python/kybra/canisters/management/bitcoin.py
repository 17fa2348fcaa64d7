"""Bitcoin API types of the management canister (`bitcoin_get_balance`,
`bitcoin_get_utxos`, `bitcoin_get_current_fee_percentiles`, `bitcoin_send_transaction`).

Field names are the IC interface specification's. `BitcoinNetwork` has the book's cases
(`{"Regtest": None}`), which the IC accepts beside the specification's lowercase ones;
`UtxosFilter` has the specification's (`min_confirmations`, `page`).
"""

from kybra import Alias, Opt, Record, Variant, Vec, blob, nat32, nat64, null

BitcoinAddress = Alias[str]
BlockHash = Alias[blob]
Page = Alias[blob]
Satoshi = Alias[nat64]
MillisatoshiPerByte = Alias[nat64]


class BitcoinNetwork(Variant, total=False):
    Mainnet: null
    Regtest: null
    Testnet: null


class GetBalanceArgs(Record):
    address: BitcoinAddress
    min_confirmations: Opt[nat32]
    network: BitcoinNetwork


class GetCurrentFeePercentilesArgs(Record):
    network: BitcoinNetwork


class UtxosFilter(Variant, total=False):
    min_confirmations: nat32
    page: Page


class GetUtxosArgs(Record):
    address: BitcoinAddress
    filter: Opt[UtxosFilter]
    network: BitcoinNetwork


class Outpoint(Record):
    txid: blob
    vout: nat32


class Utxo(Record):
    outpoint: Outpoint
    value: Satoshi
    height: nat32


class GetUtxosResult(Record):
    utxos: Vec[Utxo]
    tip_block_hash: BlockHash
    tip_height: nat32
    next_page: Opt[Page]


class SendTransactionArgs(Record):
    transaction: blob
    network: BitcoinNetwork


class SendTransactionError(Variant, total=False):
    MalformedTransaction: null
    QueueFull: null
