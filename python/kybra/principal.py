"""Principal: the identity of a user or canister on the Internet Computer.

Promises: the textual form is the IC's (CRC32 checksum + raw bytes, base32, lowercase,
dash-separated groups of five); `from_str` rejects bad checksums and non-canonical text;
principals are immutable, hashable and compare by their bytes. Pure Python, no
dependencies beyond `base64`/`binascii`, so the same file runs inside a canister.
"""

from __future__ import annotations

import base64
import binascii

_MAX_LENGTH = 29


class Principal:
    """An Internet Computer principal (at most 29 bytes)."""

    __slots__ = ("_bytes",)

    _bytes: bytes

    def __init__(self, data: bytes = b"") -> None:
        if not isinstance(data, (bytes, bytearray)):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"Principal expects bytes, got {type(data).__name__}")
        if len(data) > _MAX_LENGTH:
            raise ValueError(
                f"a principal has at most {_MAX_LENGTH} bytes, got {len(data)}"
            )
        object.__setattr__(self, "_bytes", bytes(data))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Principal is immutable")

    @staticmethod
    def from_str(text: str) -> Principal:
        """Parse the textual form, e.g. `rrkah-fqaaa-aaaaa-aaaaq-cai`.

        Raises ValueError if the text is not base32, the checksum does not match, or the
        text is not in canonical form (lowercase, dashes every five characters).
        """
        compact = text.replace("-", "").upper()
        padding = "=" * (-len(compact) % 8)
        try:
            decoded = base64.b32decode(compact + padding)
        except (binascii.Error, ValueError) as error:
            raise ValueError(
                f"invalid principal {text!r}: not base32 ({error})"
            ) from None
        if len(decoded) < 4:
            raise ValueError(f"invalid principal {text!r}: too short")
        checksum, data = decoded[:4], decoded[4:]
        principal = Principal(data)
        if checksum != _crc32(data):
            raise ValueError(f"invalid principal {text!r}: wrong checksum")
        if principal.to_str() != text:
            raise ValueError(
                f"invalid principal {text!r}: not in canonical form"
                f" (expected {principal.to_str()!r})"
            )
        return principal

    @staticmethod
    def from_hex(text: str) -> Principal:
        """Build a principal from its bytes written in hexadecimal."""
        try:
            return Principal(bytes.fromhex(text))
        except ValueError as error:
            raise ValueError(f"invalid principal hex {text!r}: {error}") from None

    @staticmethod
    def anonymous() -> Principal:
        """The anonymous principal, `2vxsx-fae`."""
        return Principal(b"\x04")

    @staticmethod
    def management_canister() -> Principal:
        """The management canister, `aaaaa-aa`."""
        return Principal(b"")

    @property
    def bytes(self) -> bytes:
        """The raw bytes of the principal."""
        return self._bytes

    def to_str(self) -> str:
        """The textual form, e.g. `aaaaa-aa`."""
        encoded = base64.b32encode(_crc32(self._bytes) + self._bytes)
        compact = encoded.decode("ascii").rstrip("=").lower()
        return "-".join(compact[i : i + 5] for i in range(0, len(compact), 5))

    def to_hex(self) -> str:
        """The raw bytes in uppercase hexadecimal (as `dfx` prints them)."""
        return self._bytes.hex().upper()

    def __str__(self) -> str:
        return self.to_str()

    def __repr__(self) -> str:
        return f"Principal.from_str({self.to_str()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Principal):
            return NotImplemented
        return self._bytes == other._bytes

    def __hash__(self) -> int:
        return hash((Principal, self._bytes))

    def __lt__(self, other: Principal) -> bool:
        return self._bytes < other._bytes


def _crc32(data: bytes) -> bytes:
    return binascii.crc32(data).to_bytes(4, "big")
