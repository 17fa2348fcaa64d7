"""The IC management canister (`aaaaa-aa`): `management_canister` and its Candid types.

```python
from kybra.canisters.management import management_canister

randomness: CallResult[blob] = yield management_canister.raw_rand()
```

Promises: every method the Kybra Book lists, with the book's type names; field names and
variant cases are the IC interface specification's (`ic.did`), so the replica decodes
what a canister sends (see `bitcoin.py` for the one case where the book and the
specification spell a variant differently). The Kybra compiler reads these modules as
source, so their types appear in a canister's `.did` under these names when its methods
use them (renamed `kybra_canisters_management_<module>_Name` if the canister defines a
type of the same name first).
"""

from kybra import Principal, Service, Vec, blob, service_update, void
from kybra.canisters.management.basic import (
    CanisterSettings,
    CanisterStatus,
    CanisterStatusArgs,
    CanisterStatusResult,
    CreateCanisterArgs,
    CreateCanisterResult,
    DefiniteCanisterSettings,
    DeleteCanisterArgs,
    DepositCyclesArgs,
    InstallCodeArgs,
    InstallCodeMode,
    LogVisibility,
    ProvisionalCreateCanisterWithCyclesArgs,
    ProvisionalCreateCanisterWithCyclesResult,
    ProvisionalTopUpCanisterArgs,
    StartCanisterArgs,
    StopCanisterArgs,
    UninstallCodeArgs,
    UpdateSettingsArgs,
)
from kybra.canisters.management.bitcoin import (
    BitcoinAddress,
    BitcoinNetwork,
    BlockHash,
    GetBalanceArgs,
    GetCurrentFeePercentilesArgs,
    GetUtxosArgs,
    GetUtxosResult,
    MillisatoshiPerByte,
    Outpoint,
    Page,
    Satoshi,
    SendTransactionArgs,
    SendTransactionError,
    Utxo,
    UtxosFilter,
)
from kybra.canisters.management.chunks import (
    ChunkHash,
    ClearChunkStoreArgs,
    InstallChunkedCodeArgs,
    StoredChunksArgs,
    UploadChunkArgs,
)
from kybra.canisters.management.http import (
    HttpHeader,
    HttpMethod,
    HttpRequestArgs,
    HttpResponse,
    HttpTransform,
    HttpTransformArgs,
    HttpTransformFunc,
)
from kybra.canisters.management.schnorr import (
    Bip341,
    SchnorrAlgorithm,
    SchnorrAux,
    SchnorrKeyId,
    SchnorrPublicKeyArgs,
    SchnorrPublicKeyResult,
    SignWithSchnorrArgs,
    SignWithSchnorrResult,
)
from kybra.canisters.management.snapshots import (
    CanisterInfoArgs,
    CanisterInfoResult,
    Change,
    ChangeDetails,
    ChangeOrigin,
    CodeDeploymentMode,
    CodeDeploymentRecord,
    ControllersChangeRecord,
    CreationRecord,
    DeleteCanisterSnapshotArgs,
    FromCanisterRecord,
    FromUserRecord,
    ListCanisterSnapshotsArgs,
    LoadCanisterSnapshotArgs,
    LoadSnapshotRecord,
    RenameCanisterRecord,
    RenameToRecord,
    Snapshot,
    TakeCanisterSnapshotArgs,
)
from kybra.canisters.management.tecdsa import (
    EcdsaCurve,
    EcdsaPublicKeyArgs,
    EcdsaPublicKeyResult,
    KeyId,
    SignWithEcdsaArgs,
    SignWithEcdsaResult,
)
from kybra.canisters.management.vetkd import (
    VetKDCurve,
    VetKDDeriveKeyArgs,
    VetKDDeriveKeyResult,
    VetKDKeyId,
    VetKDPublicKeyArgs,
    VetKDPublicKeyResult,
)

__all__ = [
    "Bip341",
    "BitcoinAddress",
    "BitcoinNetwork",
    "BlockHash",
    "CanisterInfoArgs",
    "CanisterInfoResult",
    "CanisterSettings",
    "CanisterStatus",
    "CanisterStatusArgs",
    "CanisterStatusResult",
    "Change",
    "ChangeDetails",
    "ChangeOrigin",
    "ChunkHash",
    "ClearChunkStoreArgs",
    "CodeDeploymentMode",
    "CodeDeploymentRecord",
    "ControllersChangeRecord",
    "CreateCanisterArgs",
    "CreateCanisterResult",
    "CreationRecord",
    "DefiniteCanisterSettings",
    "DeleteCanisterArgs",
    "DeleteCanisterSnapshotArgs",
    "DepositCyclesArgs",
    "EcdsaCurve",
    "EcdsaPublicKeyArgs",
    "EcdsaPublicKeyResult",
    "FromCanisterRecord",
    "FromUserRecord",
    "GetBalanceArgs",
    "GetCurrentFeePercentilesArgs",
    "GetUtxosArgs",
    "GetUtxosResult",
    "HttpHeader",
    "HttpMethod",
    "HttpRequestArgs",
    "HttpResponse",
    "HttpTransform",
    "HttpTransformArgs",
    "HttpTransformFunc",
    "InstallChunkedCodeArgs",
    "InstallCodeArgs",
    "InstallCodeMode",
    "KeyId",
    "ListCanisterSnapshotsArgs",
    "LoadCanisterSnapshotArgs",
    "LoadSnapshotRecord",
    "LogVisibility",
    "ManagementCanister",
    "MillisatoshiPerByte",
    "Outpoint",
    "Page",
    "ProvisionalCreateCanisterWithCyclesArgs",
    "ProvisionalCreateCanisterWithCyclesResult",
    "ProvisionalTopUpCanisterArgs",
    "RenameCanisterRecord",
    "RenameToRecord",
    "Satoshi",
    "SchnorrAlgorithm",
    "SchnorrAux",
    "SchnorrKeyId",
    "SchnorrPublicKeyArgs",
    "SchnorrPublicKeyResult",
    "SendTransactionArgs",
    "SendTransactionError",
    "SignWithEcdsaArgs",
    "SignWithEcdsaResult",
    "SignWithSchnorrArgs",
    "SignWithSchnorrResult",
    "Snapshot",
    "StartCanisterArgs",
    "StopCanisterArgs",
    "StoredChunksArgs",
    "TakeCanisterSnapshotArgs",
    "UninstallCodeArgs",
    "UpdateSettingsArgs",
    "UploadChunkArgs",
    "Utxo",
    "UtxosFilter",
    "VetKDCurve",
    "VetKDDeriveKeyArgs",
    "VetKDDeriveKeyResult",
    "VetKDKeyId",
    "VetKDPublicKeyArgs",
    "VetKDPublicKeyResult",
    "management_canister",
]


class ManagementCanister(Service):
    """The management canister's interface; `management_canister` is the instance."""

    @service_update
    def create_canister(self, args: CreateCanisterArgs) -> CreateCanisterResult: ...

    @service_update
    def update_settings(self, args: UpdateSettingsArgs) -> void: ...

    @service_update
    def install_code(self, args: InstallCodeArgs) -> void: ...

    @service_update
    def uninstall_code(self, args: UninstallCodeArgs) -> void: ...

    @service_update
    def start_canister(self, args: StartCanisterArgs) -> void: ...

    @service_update
    def stop_canister(self, args: StopCanisterArgs) -> void: ...

    @service_update
    def canister_status(self, args: CanisterStatusArgs) -> CanisterStatusResult: ...

    @service_update
    def delete_canister(self, args: DeleteCanisterArgs) -> void: ...

    @service_update
    def deposit_cycles(self, args: DepositCyclesArgs) -> void: ...

    @service_update
    def raw_rand(self) -> blob: ...

    @service_update
    def provisional_create_canister_with_cycles(
        self, args: ProvisionalCreateCanisterWithCyclesArgs
    ) -> ProvisionalCreateCanisterWithCyclesResult: ...

    @service_update
    def provisional_top_up_canister(
        self, args: ProvisionalTopUpCanisterArgs
    ) -> void: ...

    @service_update
    def ecdsa_public_key(self, args: EcdsaPublicKeyArgs) -> EcdsaPublicKeyResult: ...

    @service_update
    def sign_with_ecdsa(self, args: SignWithEcdsaArgs) -> SignWithEcdsaResult: ...

    @service_update
    def upload_chunk(self, args: UploadChunkArgs) -> ChunkHash: ...

    @service_update
    def stored_chunks(self, args: StoredChunksArgs) -> Vec[ChunkHash]: ...

    @service_update
    def clear_chunk_store(self, args: ClearChunkStoreArgs) -> void: ...

    @service_update
    def install_chunked_code(self, args: InstallChunkedCodeArgs) -> void: ...

    @service_update
    def schnorr_public_key(
        self, args: SchnorrPublicKeyArgs
    ) -> SchnorrPublicKeyResult: ...

    @service_update
    def sign_with_schnorr(self, args: SignWithSchnorrArgs) -> SignWithSchnorrResult: ...

    @service_update
    def vetkd_public_key(self, args: VetKDPublicKeyArgs) -> VetKDPublicKeyResult: ...

    @service_update
    def vetkd_derive_key(self, args: VetKDDeriveKeyArgs) -> VetKDDeriveKeyResult: ...

    @service_update
    def take_canister_snapshot(self, args: TakeCanisterSnapshotArgs) -> Snapshot: ...

    @service_update
    def load_canister_snapshot(self, args: LoadCanisterSnapshotArgs) -> void: ...

    @service_update
    def list_canister_snapshots(
        self, args: ListCanisterSnapshotsArgs
    ) -> Vec[Snapshot]: ...

    @service_update
    def delete_canister_snapshot(self, args: DeleteCanisterSnapshotArgs) -> void: ...

    @service_update
    def canister_info(self, args: CanisterInfoArgs) -> CanisterInfoResult: ...

    @service_update
    def http_request(self, args: HttpRequestArgs) -> HttpResponse: ...

    @service_update
    def bitcoin_get_balance(self, args: GetBalanceArgs) -> Satoshi: ...

    @service_update
    def bitcoin_get_utxos(self, args: GetUtxosArgs) -> GetUtxosResult: ...

    @service_update
    def bitcoin_get_current_fee_percentiles(
        self, args: GetCurrentFeePercentilesArgs
    ) -> Vec[MillisatoshiPerByte]: ...

    @service_update
    def bitcoin_send_transaction(self, args: SendTransactionArgs) -> void: ...


management_canister = ManagementCanister(Principal.from_str("aaaaa-aa"))
