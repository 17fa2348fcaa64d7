"""Principal: textual round-trips against known IC principals, and rejection of bad text."""

from __future__ import annotations

import base64
import binascii
import random

import pytest

from kybra import Principal

KNOWN = [
    ("aaaaa-aa", ""),
    ("2vxsx-fae", "04"),
    ("rrkah-fqaaa-aaaaa-aaaaq-cai", "00000000000000010101"),
    ("ryjl3-tyaaa-aaaaa-aaaba-cai", "00000000000000020101"),
]


@pytest.mark.parametrize(("text", "hex_bytes"), KNOWN)
def test_round_trip(text: str, hex_bytes: str) -> None:
    principal = Principal.from_str(text)
    assert principal.bytes == bytes.fromhex(hex_bytes)
    assert principal.to_str() == text
    assert str(principal) == text
    assert Principal.from_hex(hex_bytes) == principal
    assert Principal(bytes.fromhex(hex_bytes)).to_str() == text


def test_special_principals() -> None:
    assert Principal.anonymous().to_str() == "2vxsx-fae"
    assert Principal.management_canister().to_str() == "aaaaa-aa"
    assert Principal.management_canister() == Principal()


def test_equality_and_hash() -> None:
    a = Principal.from_str("rrkah-fqaaa-aaaaa-aaaaq-cai")
    b = Principal.from_hex("00000000000000010101")
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b, Principal.anonymous()}) == 2
    assert a != Principal.anonymous()
    assert a != "rrkah-fqaaa-aaaaa-aaaaq-cai"
    assert repr(a) == "Principal.from_str('rrkah-fqaaa-aaaaa-aaaaq-cai')"


def test_immutable() -> None:
    principal = Principal.anonymous()
    with pytest.raises(AttributeError):
        setattr(principal, "_bytes", b"x")  # noqa: B010


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("rrkah-fqaaa-aaaaa-aaaaq-caa", "checksum"),
        ("brkah-fqaaa-aaaaa-aaaaq-cai", "checksum"),
        ("2vxsx-fa", "checksum"),
        ("RRKAH-FQAAA-AAAAA-AAAAQ-CAI", "canonical"),
        ("rrkahfqaaaaaaaaaaaaqcai", "canonical"),
        ("rrkah-fqaaa-aaaaa-aaaa1-cai", "base32"),
        ("", "too short"),
    ],
)
def test_rejects_bad_text(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        Principal.from_str(text)


def test_rejects_too_long() -> None:
    with pytest.raises(ValueError, match="at most 29 bytes"):
        Principal(bytes(30))


def test_rejects_bad_hex() -> None:
    with pytest.raises(ValueError, match="invalid principal hex"):
        Principal.from_hex("zz")


def test_base32_matches_the_standard_library() -> None:
    """The package's own base32 (a canister does not import `base64`) against `base64`."""
    rng = random.Random(7)
    for length in range(30):
        for _ in range(20):
            data = bytes(rng.randrange(256) for _ in range(length))
            checksum = binascii.crc32(data).to_bytes(4, "big")
            compact = base64.b32encode(checksum + data).decode().rstrip("=").lower()
            text = "-".join(compact[i : i + 5] for i in range(0, len(compact), 5))
            assert Principal(data).to_str() == text
            assert Principal.from_str(text) == Principal(data)


def test_the_original_kybras_spellings() -> None:
    # ic-py's (and Kybra 0.7's) keyword, length and marker.
    p = Principal(bytes=b"\x01\x02\x03")
    assert p == Principal(b"\x01\x02\x03") and p.len == 3 and p.isPrincipal is True
    assert Principal.anonymous().hex == "04"


def test_self_authenticating_agrees_with_ic_py() -> None:
    from ic.principal import Principal as IcPyPrincipal  # pyright: ignore[reportMissingTypeStubs]

    rng = random.Random(7)
    for _ in range(20):
        # An Ed25519 key in DER (the prefix dfx identities use), with random key bytes.
        der = bytes.fromhex("302a300506032b6570032100") + rng.randbytes(32)
        ours = Principal.self_authenticating(der)
        theirs: str = IcPyPrincipal.self_authenticating(der).to_str()  # pyright: ignore[reportUnknownMemberType]
        assert ours.to_str() == theirs and ours.bytes[-1] == 2 and ours.len == 29
        assert Principal.self_authenticating(der.hex()) == ours
    with pytest.raises(TypeError, match="expects the key's bytes"):
        Principal.self_authenticating(42)  # pyright: ignore[reportArgumentType]
