"""Threshold Schnorr types of the management canister (`schnorr_public_key`,
`sign_with_schnorr`), as the IC interface specification names their fields.
"""

from kybra import Opt, Principal, Record, Variant, Vec, blob, null


class SchnorrAlgorithm(Variant, total=False):
    bip340secp256k1: null
    ed25519: null


class SchnorrKeyId(Record):
    """The key to use, e.g. `{"algorithm": {"ed25519": None}, "name": "dfx_test_key"}`."""

    algorithm: SchnorrAlgorithm
    name: str


class SchnorrPublicKeyArgs(Record):
    canister_id: Opt[Principal]
    derivation_path: Vec[blob]
    key_id: SchnorrKeyId


class SchnorrPublicKeyResult(Record):
    public_key: blob
    """BIP340: 33 bytes, SEC1 compressed; Ed25519: 32 bytes."""
    chain_code: blob


class Bip341(Record):
    merkle_root_hash: blob
    """The Taproot script tree's root: 32 bytes, or empty for a key-path-only output."""


class SchnorrAux(Variant, total=False):
    bip341: Bip341


class SignWithSchnorrArgs(Record):
    message: blob
    """The message itself (not a hash)."""
    derivation_path: Vec[blob]
    key_id: SchnorrKeyId
    aux: Opt[SchnorrAux]
    """BIP341 (Taproot) tweak; BIP340 keys only."""


class SignWithSchnorrResult(Record):
    signature: blob
    """64 bytes."""
