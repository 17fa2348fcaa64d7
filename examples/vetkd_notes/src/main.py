"""vetKD: a note per user, encrypted in the user's browser (or script) with a key only that
user can obtain. The canister never sees the note or the key in the clear.

1. The user makes a transport key pair (`TransportSecretKey.random()` in
   `@dfinity/vetkeys`) and calls `encrypted_key(transport_public_key)`.
2. The canister asks the management canister for the vetKey of the caller's principal
   (`vetkd_derive_key`), encrypted to that transport key.
3. The user decrypts it and checks it against `public_key()`
   (`EncryptedVetKey.decryptAndVerify`), derives an AES key from it, encrypts the note and
   stores the ciphertext with `save_note`. Only the same principal can get the same key.

The local replica holds `dfx_test_key`, `test_key_1` and `key_1`; on mainnet use
`test_key_1` while testing and `key_1` in production.
"""

from kybra import (
    Async,
    CallResult,
    Opt,
    Principal,
    StableBTreeMap,
    Variant,
    blob,
    ic,
    query,
    update,
    void,
)
from kybra.canisters.management import (
    VetKDDeriveKeyResult,
    VetKDKeyId,
    VetKDPublicKeyResult,
    management_canister,
)

KEY_ID: VetKDKeyId = {"curve": {"bls12_381_g2": None}, "name": "dfx_test_key"}
CONTEXT = b"kybra vetkd notes"
DERIVE_CYCLES = 10_000_000_000

notes = StableBTreeMap[Principal, blob](
    memory_id=0, max_key_size=38, max_value_size=4_200
)


class BlobResult(Variant, total=False):
    Ok: blob
    Err: str


@update
def public_key() -> Async[BlobResult]:
    """The key every user's vetKey verifies against (this canister's, for `CONTEXT`)."""
    result: CallResult[VetKDPublicKeyResult] = yield management_canister.vetkd_public_key(
        {"canister_id": None, "context": CONTEXT, "key_id": KEY_ID}
    )
    if result.Ok is None:
        return {"Err": f"vetkd_public_key was rejected: {result.Err}"}
    return {"Ok": result.Ok["public_key"]}


@update
def encrypted_key(transport_public_key: blob) -> Async[BlobResult]:
    """The caller's vetKey, encrypted to `transport_public_key`."""
    result: CallResult[VetKDDeriveKeyResult] = yield management_canister.vetkd_derive_key(
        {
            "input": ic.caller().bytes,
            "context": CONTEXT,
            "transport_public_key": transport_public_key,
            "key_id": KEY_ID,
        }
    ).with_cycles(DERIVE_CYCLES)
    if result.Ok is None:
        return {"Err": f"vetkd_derive_key was rejected: {result.Err}"}
    return {"Ok": result.Ok["encrypted_key"]}


@update
def save_note(ciphertext: blob) -> void:
    """Keeps the caller's encrypted note (replacing the last one)."""
    if len(ciphertext) > 4_096:
        ic.trap(f"a note is at most 4096 bytes encrypted; this one is {len(ciphertext)}")
    notes.insert(ic.caller(), ciphertext)


@query
def my_note() -> Opt[blob]:
    """The caller's encrypted note, if any."""
    return notes.get(ic.caller())
