"""vetKD types of the management canister (`vetkd_public_key`, `vetkd_derive_key`), as the
IC interface specification names their fields.

A canister asks for a key derived for `input` (e.g. a user's principal) under its own key
for `context`, encrypted to a transport public key the user made; only that user can
decrypt it (with `@dfinity/vetkeys` or `ic-vetkeys`), and verify it against
`vetkd_public_key`'s answer for the same `context`.
"""

from kybra import Opt, Principal, Record, Variant, blob, null


class VetKDCurve(Variant, total=False):
    bls12_381_g2: null


class VetKDKeyId(Record):
    """The key to use, e.g. `{"curve": {"bls12_381_g2": None}, "name": "dfx_test_key"}`."""

    curve: VetKDCurve
    name: str


class VetKDPublicKeyArgs(Record):
    canister_id: Opt[Principal]
    """`None`: the calling canister."""
    context: blob
    key_id: VetKDKeyId


class VetKDPublicKeyResult(Record):
    public_key: blob
    """A compressed BLS12-381 G2 point: 96 bytes."""


class VetKDDeriveKeyArgs(Record):
    input: blob
    context: blob
    transport_public_key: blob
    """The user's transport key: a compressed BLS12-381 G1 point (48 bytes)."""
    key_id: VetKDKeyId


class VetKDDeriveKeyResult(Record):
    encrypted_key: blob
    """The derived key encrypted to the transport key: 192 bytes."""
