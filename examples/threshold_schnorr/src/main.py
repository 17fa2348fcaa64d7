"""Threshold Schnorr signatures: the canister's own keys, held by the subnet, for BIP340
(Bitcoin Taproot, Nostr) and Ed25519 (Solana, most of the rest). Each caller gets a key of
their own (the derivation path is their principal); signing costs cycles, attached to the
management canister call.

The local replica holds `dfx_test_key`, `test_key_1` and `key_1`; on mainnet use
`test_key_1` while testing and `key_1` in production.
"""

from kybra import (
    Async,
    CallResult,
    Record,
    Variant,
    blob,
    ic,
    update,
)
from kybra.canisters.management import (
    SchnorrAlgorithm,
    SchnorrPublicKeyResult,
    SignWithSchnorrResult,
    management_canister,
)

KEY_NAME = "dfx_test_key"
SIGN_CYCLES = 10_000_000_000


class PublicKey(Record):
    public_key: blob
    chain_code: blob


class PublicKeyResult(Variant, total=False):
    Ok: PublicKey
    Err: str


class SignatureResult(Variant, total=False):
    Ok: blob
    Err: str


def algorithm_of(name: str) -> SchnorrAlgorithm:
    if name == "ed25519":
        return {"ed25519": None}
    return {"bip340secp256k1": None}


@update
def public_key(algorithm: str) -> Async[PublicKeyResult]:
    """The caller's public key for `algorithm` (`bip340secp256k1` or `ed25519`)."""
    result: CallResult[
        SchnorrPublicKeyResult
    ] = yield management_canister.schnorr_public_key(
        {
            "canister_id": None,
            "derivation_path": [ic.caller().bytes],
            "key_id": {"algorithm": algorithm_of(algorithm), "name": KEY_NAME},
        }
    )
    if result.Ok is None:
        return {"Err": f"schnorr_public_key was rejected: {result.Err}"}
    return {"Ok": result.Ok}


@update
def sign(algorithm: str, message: blob, key_name: str) -> Async[SignatureResult]:
    """Signs `message` with the caller's key under `key_name` (`""`: this canister's)."""
    result: CallResult[
        SignWithSchnorrResult
    ] = yield management_canister.sign_with_schnorr(
        {
            "message": message,
            "derivation_path": [ic.caller().bytes],
            "key_id": {
                "algorithm": algorithm_of(algorithm),
                "name": key_name or KEY_NAME,
            },
            "aux": None,
        }
    ).with_cycles(SIGN_CYCLES)
    if result.Ok is None:
        return {"Err": f"sign_with_schnorr was rejected: {result.Err}"}
    return {"Ok": result.Ok["signature"]}
