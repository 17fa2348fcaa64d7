"""Principal: the identity of a user or canister on the Internet Computer.

Promises: the textual form is the IC's (CRC32 checksum + raw bytes, base32, lowercase,
dash-separated groups of five); `from_str` rejects bad checksums and non-canonical text;
principals are immutable, hashable and compare by their bytes. Pure Python that imports
only the built-in `binascii` (CRC32; base32 is done here), so the same file runs inside a
canister without pulling in more of the standard library. The original Kybra's (ic-py's)
spellings work too: `Principal(bytes=...)`, `Principal.self_authenticating(pubkey)`,
`.len`, `.isPrincipal`, `.hex`, and `to_account_id()` with its `AccountIdentifier`, byte for
byte the ICP ledger's (SHA-224 of `"\\x0aaccount-id" + principal + subaccount`, after its CRC32).
"""

from binascii import crc32

_MAX_LENGTH = 29
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_Bytes = bytes
TYPE_CHECKING = False


class Principal:
    """An Internet Computer principal (at most 29 bytes)."""

    __slots__ = ("_bytes",)

    _bytes: bytes

    def __init__(self, bytes: _Bytes = b"") -> None:  # `bytes`: the original keyword
        data = bytes
        if not isinstance(data, (_Bytes, bytearray)):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"Principal expects bytes, got {type(data).__name__}")
        if len(data) > _MAX_LENGTH:
            raise ValueError(
                f"a principal has at most {_MAX_LENGTH} bytes, got {len(data)}"
            )
        object.__setattr__(self, "_bytes", _Bytes(data))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Principal is immutable")

    @staticmethod
    def from_str(text: str) -> "Principal":
        """Parse the textual form, e.g. `rrkah-fqaaa-aaaaa-aaaaq-cai`.

        Raises ValueError if the text is not base32, the checksum does not match, or the
        text is not in canonical form (lowercase, dashes every five characters).
        """
        if not isinstance(text, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"Principal.from_str expects text such as 'aaaaa-aa', got"
                f" {type(text).__name__}"
            )
        try:
            decoded = _base32_decode(text.replace("-", "").lower())
        except ValueError as error:
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
    def from_hex(text: str) -> "Principal":
        """Build a principal from its bytes written in hexadecimal."""
        try:
            return Principal(bytes.fromhex(text))
        except ValueError as error:
            raise ValueError(f"invalid principal hex {text!r}: {error}") from None

    @staticmethod
    def anonymous() -> "Principal":
        """The anonymous principal, `2vxsx-fae`."""
        return Principal(b"\x04")

    @staticmethod
    def management_canister() -> "Principal":
        """The management canister, `aaaaa-aa`."""
        return Principal(b"")

    @staticmethod
    def self_authenticating(pubkey: "_Bytes | str") -> "Principal":
        """The principal of a public key (DER-encoded; hexadecimal text is accepted too):
        its SHA-224 hash followed by the byte 0x02, as the IC derives user principals."""
        if isinstance(pubkey, str):
            pubkey = _Bytes.fromhex(pubkey)
        if not isinstance(pubkey, (_Bytes, bytearray)):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"Principal.self_authenticating expects the key's bytes, got {type(pubkey).__name__}"
            )
        return Principal(_sha224(_Bytes(pubkey)) + b"\x02")

    @property
    def bytes(self) -> bytes:
        """The raw bytes of the principal."""
        return self._bytes

    def to_str(self) -> str:
        """The textual form, e.g. `aaaaa-aa`."""
        compact = _base32_encode(_crc32(self._bytes) + self._bytes)
        return "-".join(compact[i : i + 5] for i in range(0, len(compact), 5))

    def to_hex(self) -> str:
        """The raw bytes in uppercase hexadecimal (as `dfx` prints them)."""
        return self._bytes.hex().upper()

    @property
    def len(self) -> int:
        """The number of bytes (the original Kybra's `.len`)."""
        return len(self._bytes)

    @property
    def isPrincipal(self) -> bool:
        """Always True: tells a Principal apart in code written for the original Kybra."""
        return True

    @property
    def hex(self) -> str:
        """The raw bytes in uppercase hexadecimal, as `to_hex()` (ic-py's spelling)."""
        return self.to_hex()

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

    def __lt__(self, other: "Principal") -> bool:
        return self._bytes < other._bytes

    def to_account_id(
        self,
        subaccount: "_Bytes | int | None" = None,
        *,
        sub_account: "int | None" = None,
    ) -> "AccountIdentifier":
        """The ICP ledger account of this principal: `subaccount` is 32 bytes, or an int
        (its 32-byte big-endian form; the original Kybra's `sub_account`), or None (zero)."""
        return AccountIdentifier.new(
            self, sub_account if subaccount is None else subaccount
        )


class AccountIdentifier:
    """An ICP ledger account identifier: 32 bytes, the CRC32 (big-endian) of a SHA-224 hash
    and the hash. `str()` is the original Kybra's `0x…` form; `to_hex()` is dfx's."""

    __slots__ = ("_hash",)

    _hash: _Bytes

    def __init__(self, hash: _Bytes) -> None:
        if not isinstance(hash, (_Bytes, bytearray)) or len(hash) != 32:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(
                f"an account identifier is 32 bytes (CRC32 + SHA-224), got {hash!r:.80}"
            )
        if _crc32(_Bytes(hash[4:])) != hash[:4]:
            raise ValueError(
                f"{_Bytes(hash).hex()} is not an account identifier: its checksum (first 4 bytes) does not match"
            )
        object.__setattr__(self, "_hash", _Bytes(hash))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("AccountIdentifier is immutable")

    @staticmethod
    def new(
        principal: Principal, subaccount: "_Bytes | int | None" = None
    ) -> "AccountIdentifier":
        """The account of `principal` and `subaccount` (see `Principal.to_account_id`)."""
        if subaccount is None:
            sub = _Bytes(32)
        elif isinstance(subaccount, int) and not isinstance(subaccount, bool):
            if not 0 <= subaccount < 1 << 256:
                raise ValueError(
                    f"a subaccount number is 0 to 2**256 - 1, got {subaccount}"
                )
            sub = subaccount.to_bytes(32, "big")
        elif isinstance(subaccount, (_Bytes, bytearray)) and len(subaccount) == 32:
            sub = _Bytes(subaccount)
        else:
            raise TypeError(
                f"a subaccount is 32 bytes, an int or None, got {subaccount!r:.80}"
            )
        digest = _sha224(b"\x0aaccount-id" + principal.bytes + sub)
        return AccountIdentifier(_crc32(digest) + digest)

    @staticmethod
    def from_hex(text: str) -> "AccountIdentifier":
        """Parses the 64 hex digits dfx prints (a `0x` prefix is allowed); the checksum is
        checked."""
        digits = text[2:] if text[:2] in ("0x", "0X") else text
        try:
            raw = _Bytes.fromhex(digits)
        except ValueError:
            raise ValueError(f"{text!r} is not hexadecimal") from None
        return AccountIdentifier(raw)

    @property
    def bytes(self) -> _Bytes:
        """The 32 bytes."""
        return self._hash

    def to_hex(self) -> str:
        """The 64 lowercase hex digits, as dfx and the ledger print them."""
        return self._hash.hex()

    def to_str(self) -> str:
        """`0x` and the hex digits (the original Kybra's form)."""
        return "0x" + self._hash.hex()

    def __str__(self) -> str:
        return self.to_str()

    def __repr__(self) -> str:
        return f"AccountIdentifier.from_hex({self.to_hex()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AccountIdentifier):
            return NotImplemented
        return self._hash == other._hash

    def __hash__(self) -> int:
        return hash((AccountIdentifier, self._hash))


def _sha224(data: bytes) -> bytes:
    """SHA-224 from the interpreter's built-in SHA-2 module (`_sha256` in CPython 3.11, the
    canister's; `_sha2` from 3.12): hashlib and what it imports are never bundled."""
    if TYPE_CHECKING:
        from hashlib import sha224
    else:
        try:
            from _sha256 import sha224
        except ImportError:
            from _sha2 import sha224
    return sha224(data).digest()


def _crc32(data: bytes) -> bytes:
    return crc32(data).to_bytes(4, "big")


def _base32_encode(data: bytes) -> str:
    """RFC 4648 base32, lowercase, without padding."""
    out: list[str] = []
    buffer = 0
    bits = 0
    for byte in data:
        buffer = (buffer << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append(_BASE32[(buffer >> bits) & 31])
        buffer &= (1 << bits) - 1
    if bits:
        out.append(_BASE32[(buffer << (5 - bits)) & 31])
    return "".join(out)


def _base32_decode(text: str) -> bytes:
    """Inverse of `_base32_encode` (lowercase, no padding); trailing bits that do not
    make a whole byte are dropped (`from_str` then rejects the text as non-canonical)."""
    out = bytearray()
    buffer = 0
    bits = 0
    for char in text:
        value = _BASE32.find(char)
        if value < 0:
            raise ValueError(f"{char!r} is not a base32 digit")
        buffer = ((buffer << 5) | value) & 0xFFFF
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((buffer >> bits) & 0xFF)
    return bytes(out)
