"""Threshold ECDSA types of the management canister (`ecdsa_public_key`,
`sign_with_ecdsa`), as the IC interface specification names their fields.
"""

from kybra import Opt, Principal, Record, Variant, Vec, blob, null


class EcdsaCurve(Variant, total=False):
    secp256k1: null


class KeyId(Record):
    """The key to use, e.g. `{"curve": {"secp256k1": None}, "name": "dfx_test_key"}`."""

    curve: EcdsaCurve
    name: str


class EcdsaPublicKeyArgs(Record):
    canister_id: Opt[Principal]
    derivation_path: Vec[blob]
    key_id: KeyId


class EcdsaPublicKeyResult(Record):
    public_key: blob
    chain_code: blob


class SignWithEcdsaArgs(Record):
    message_hash: blob
    derivation_path: Vec[blob]
    key_id: KeyId


class SignWithEcdsaResult(Record):
    signature: blob
