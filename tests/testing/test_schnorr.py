"""The threshold Schnorr sample (`examples/threshold_schnorr`, on
`kybra.canisters.management`'s `schnorr_public_key` and `sign_with_schnorr`): signatures of
both algorithms verify with independent libraries — BIP340 with coincurve (libsecp256k1),
Ed25519 with cryptography (OpenSSL) — against the public key the canister reads; each
caller has a key of its own; a wrong key name comes back as a clear reject."""

from __future__ import annotations

from pathlib import Path

import coincurve
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kybra import Principal
from kybra.testing import Canister, Replica

MESSAGE = b"pay 10 to alice, nonce 7"


@pytest.fixture
def signer(replica: Replica, projects: Path) -> Canister:
    return replica.deploy(projects / "threshold_schnorr")


def test_bip340_signatures_verify_with_libsecp256k1(signer: Canister) -> None:
    key = signer.public_key("bip340secp256k1")["Ok"]["public_key"]
    assert len(key) == 33 and key[0] in (2, 3)
    signature = signer.sign("bip340secp256k1", MESSAGE, "")["Ok"]
    assert len(signature) == 64
    x_only = coincurve.PublicKeyXOnly(key[1:])
    assert x_only.verify(signature, MESSAGE)
    assert not x_only.verify(signature, MESSAGE + b"!")


def test_ed25519_signatures_verify_with_openssl(signer: Canister) -> None:
    key = signer.public_key("ed25519")["Ok"]["public_key"]
    assert len(key) == 32
    signature = signer.sign("ed25519", MESSAGE, "")["Ok"]
    public = Ed25519PublicKey.from_public_bytes(key)
    public.verify(signature, MESSAGE)
    with pytest.raises(InvalidSignature):
        public.verify(signature, MESSAGE + b"!")


def test_each_caller_has_its_own_key(signer: Canister) -> None:
    alice = signer.as_caller(Principal.from_str("xkbqi-2qaaa-aaaah-qbpqq-cai"))
    for algorithm in ("bip340secp256k1", "ed25519"):
        mine = signer.public_key(algorithm)["Ok"]["public_key"]
        hers = alice.public_key(algorithm)["Ok"]["public_key"]
        assert mine != hers
        assert mine == signer.public_key(algorithm)["Ok"]["public_key"]  # stable


def test_a_wrong_key_name_is_a_clear_reject(signer: Canister) -> None:
    refused = signer.sign("ed25519", MESSAGE, "no_such_key")["Err"]
    assert "unknown threshold key: schnorr:ed25519:no_such_key" in refused, refused
    assert "schnorr:ed25519:dfx_test_key" in refused
