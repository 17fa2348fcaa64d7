"""Stable memory: the raw `ic.stable_*` / `ic.stable64_*` API and `StableBTreeMap`.

Promises: inside a canister everything delegates to the runtime's built-in `_kybra_ic`;
on the host a `StableBTreeMap` can be created (so canister modules import anywhere) but
every operation raises RuntimeError saying it works only inside a canister.

- `StableBTreeMap[K, V](memory_id=M, max_key_size=…, max_value_size=…)` (or without the
  two sizes: no limits) must be assigned at module level with literal numbers: the
  compiler reads the declaration and the runtime opens the map (memory ids 0 to 254, all
  of them the user's) before the module's code runs, and again after every upgrade.
  Keys iterate in order: numbers numerically, `text` by code point, `blob` and
  `Principal` bytewise, `bool` False first, floats numerically with NaN first; keys of
  other types (records, tuples, variants, opt, vec) in the order of their Candid encoding.
- It is also a Python mapping: `len(m)`, `k in m`, `for k in m` (keys in order, as a
  dict), `reversed(m)`, `m[k]` (KeyError when absent), `m[k] = v`, `del m[k]` (KeyError
  when absent). `range(start, end)` yields the (key, value) pairs with start <= key < end
  (either bound None: open; `reverse=True` from the end), fetching them a page at a time;
  `items(start, limit)` is one page; `first`/`last`/`pop_first`/`pop_last` return a pair
  or None. Bounds must be keys of the map's type (TypeError otherwise).
- `insert` returns the previous value; a key or value larger than the map's maximum
  raises `KeyTooLargeError` / `ValueTooLargeError` (a `ValueError` whose `.error` is the
  book's `KeyTooLarge` / `ValueTooLarge` record `{"given": n, "max": m}`); nothing is
  written then.
- The raw API reads and writes the canister's stable memory in 64 KiB pages; reading or
  writing beyond its size raises IndexError (nothing is written). A canister that declares
  StableBTreeMaps keeps them in that same memory: there, `stable_write`/`stable_grow`
  raise RuntimeError instead of corrupting the maps (reads still work).
"""

from kybra import _backend as backend

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Generic, TypedDict, TypeVar

    _K = TypeVar("_K")
    _V = TypeVar("_V")

    class StableMemoryError(TypedDict, total=False):
        """Why growing stable memory failed."""

        OutOfMemory: None
        OutOfBounds: None

    class StableGrowResult(TypedDict, total=False):
        """`ic.stable_grow`: `{"Ok": previous size in pages}` or `{"Err": ...}`."""

        Ok: int
        Err: StableMemoryError

    class Stable64GrowResult(TypedDict, total=False):
        """`ic.stable64_grow`: `{"Ok": previous size in pages}` or `{"Err": ...}`."""

        Ok: int
        Err: StableMemoryError

    class KeyTooLarge(TypedDict):
        """A key's encoded size (`given`) and the map's `max_key_size` (`max`)."""

        given: int
        max: int

    class ValueTooLarge(TypedDict):
        """A value's encoded size (`given`) and the map's `max_value_size` (`max`)."""

        given: int
        max: int

    class InsertError(TypedDict, total=False):
        """Why an insert was refused."""

        KeyTooLarge: KeyTooLarge
        ValueTooLarge: ValueTooLarge

    class _GenericMap(Generic[_K, _V]):
        pass

else:
    # Run time: the result types are plain dicts (`StableGrowResult(Ok=1)` makes one).
    StableMemoryError = StableGrowResult = Stable64GrowResult = dict
    KeyTooLarge = ValueTooLarge = InsertError = dict
    _K = _V = None

    class _GenericMap:
        def __class_getitem__(cls, item):
            return cls


# Entries `StableBTreeMap.range` fetches at a time.
_PAGE = 256

_MAX_PAGES_32 = 65536
_MAX_PAGES_64 = 1 << 48


def _runtime(what: str):  # returns the stub module (its type has no name)
    return backend.runtime(what)


def _nat(value: int, bits: int, what: str) -> int:
    if type(value) is not int or not 0 <= value < (1 << bits):
        raise TypeError(
            f"{what} must be a nat{bits} (an int from 0 to {(1 << bits) - 1}), got {value!r}"
        )
    return value


class KeyTooLargeError(ValueError):
    """A StableBTreeMap key is larger than the map's `max_key_size`."""

    def __init__(self, label: str, given: int, max: int) -> None:
        super().__init__(
            f"{label}.insert: the key takes {given} bytes but max_key_size is {max}"
            f" — declare the map with max_key_size={given} or more (or without sizes: no limits)"
        )
        self.given = given
        self.max = max
        self.error: KeyTooLarge = {"given": given, "max": max}


class ValueTooLargeError(ValueError):
    """A StableBTreeMap value is larger than the map's `max_value_size`."""

    def __init__(self, label: str, given: int, max: int) -> None:
        super().__init__(
            f"{label}.insert: the value takes {given} bytes but max_value_size is {max}"
            f" — declare the map with max_value_size={given} or more (or without sizes: no limits)"
        )
        self.given = given
        self.max = max
        self.error: ValueTooLarge = {"given": given, "max": max}


class ElementTooLargeError(ValueError):
    """An element of a StableBTreeSet, StableVec, StableLog, StableCell or StableMinHeap is
    larger than its declared `max_size`."""

    def __init__(self, label: str, given: int, max: int) -> None:
        super().__init__(
            f"{label}: the element takes {given} bytes but max_size is {max}"
            f" — declare it with max_size={given} or more (or without max_size: no limit)"
        )
        self.given = given
        self.max = max


class StableMemoryApi:
    """The `ic.stable_*` methods (`Ic` inherits them)."""

    @staticmethod
    def stable_size() -> int:
        """The size of stable memory in 64 KiB pages (a nat32; see `stable64_size`)."""
        size = _runtime("ic.stable_size()").stable64_size()
        if size > _MAX_PAGES_32:
            raise OverflowError(
                f"ic.stable_size(): stable memory has {size} pages, more than a nat32 API can address — use ic.stable64_size()"
            )
        return size

    @staticmethod
    def stable64_size() -> int:
        """The size of stable memory in 64 KiB pages."""
        return _runtime("ic.stable64_size()").stable64_size()

    @staticmethod
    def stable_grow(new_pages: int) -> StableGrowResult:
        """Grow stable memory by `new_pages` pages (to at most 4 GiB): `{"Ok": old size}`,
        or `{"Err": {"OutOfMemory": None}}`."""
        pages = _nat(new_pages, 64, "ic.stable_grow(new_pages)")
        return _runtime("ic.stable_grow()").stable64_grow(
            pages, _MAX_PAGES_32, "ic.stable_grow"
        )  # pyright: ignore[reportReturnType]

    @staticmethod
    def stable64_grow(new_pages: int) -> Stable64GrowResult:
        """Grow stable memory by `new_pages` pages: `{"Ok": old size}`, or
        `{"Err": {"OutOfMemory": None}}`."""
        pages = _nat(new_pages, 64, "ic.stable64_grow(new_pages)")
        return _runtime("ic.stable64_grow()").stable64_grow(
            pages, _MAX_PAGES_64, "ic.stable64_grow"
        )

    @staticmethod
    def stable_read(offset: int, length: int) -> bytes:
        """`length` bytes of stable memory from `offset`; IndexError beyond its size."""
        _nat(offset, 32, "ic.stable_read(offset)")
        _nat(length, 32, "ic.stable_read(length)")
        return _runtime("ic.stable_read()").stable64_read(
            offset, length, "ic.stable_read"
        )

    @staticmethod
    def stable64_read(offset: int, length: int) -> bytes:
        """`length` bytes of stable memory from `offset`; IndexError beyond its size."""
        _nat(offset, 64, "ic.stable64_read(offset)")
        _nat(length, 64, "ic.stable64_read(length)")
        return _runtime("ic.stable64_read()").stable64_read(
            offset, length, "ic.stable64_read"
        )

    @staticmethod
    def stable_write(offset: int, buf: bytes) -> None:
        """Write `buf` at `offset`; IndexError (nothing written) beyond the memory's size."""
        _nat(offset, 32, "ic.stable_write(offset)")
        _runtime("ic.stable_write()").stable64_write(
            offset, bytes(buf), "ic.stable_write"
        )

    @staticmethod
    def stable64_write(offset: int, buf: bytes) -> None:
        """Write `buf` at `offset`; IndexError (nothing written) beyond the memory's size."""
        _nat(offset, 64, "ic.stable64_write(offset)")
        _runtime("ic.stable64_write()").stable64_write(
            offset, bytes(buf), "ic.stable64_write"
        )

    @staticmethod
    def stable_bytes() -> bytes:
        """The whole stable memory."""
        return _runtime("ic.stable_bytes()").stable_bytes()


class StableBTreeMap(_GenericMap[_K, _V]):
    """A map kept in stable memory: it survives upgrades. Declare it at module level:
    `users = StableBTreeMap[Principal, User](memory_id=3, max_key_size=38, max_value_size=100_000)`.
    """

    __slots__ = ("max_key_size", "max_value_size", "memory_id")

    def __init__(
        self,
        memory_id: int,
        max_key_size: "int | None" = None,
        max_value_size: "int | None" = None,
    ) -> None:
        self.memory_id = memory_id
        self.max_key_size = max_key_size
        self.max_value_size = max_value_size
        if backend.inside:
            backend.module.stable_open(
                "StableBTreeMap", memory_id, max_key_size, max_value_size
            )

    def _rt(self, what: str):  # returns the stub module (its type has no name)
        return _runtime(f"StableBTreeMap.{what}()")

    def contains_key(self, key: _K) -> bool:
        """Whether `key` is in the map."""
        return self._rt("contains_key").stable_map_contains_key(self.memory_id, key)

    def get(self, key: _K) -> "_V | None":
        """The value of `key`, or None."""
        return self._rt("get").stable_map_get(self.memory_id, key)  # pyright: ignore[reportReturnType]

    def insert(self, key: _K, value: _V) -> "_V | None":
        """Set `key` to `value`; returns the previous value, or None. Raises
        KeyTooLargeError / ValueTooLargeError (nothing written) beyond the map's sizes."""
        return self._rt("insert").stable_map_insert(self.memory_id, key, value)  # pyright: ignore[reportReturnType]

    def is_empty(self) -> bool:
        """Whether the map has no entries."""
        return self._rt("is_empty").stable_len(self.memory_id) == 0

    def items(
        self, start: "_K | None" = None, limit: "int | None" = None
    ) -> "list[tuple[_K, _V]]":
        """Every (key, value), in key order; with `start`, only keys from it on; with
        `limit`, at most that many (a page: the next starts after its last key)."""
        if start is None and limit is None:
            return self._rt("items").stable_map_items(self.memory_id)  # pyright: ignore[reportReturnType]
        if limit is not None:
            _nat(limit, 64, "StableBTreeMap.items(limit)")
        return self._slice("items", start, True, None, False, False, limit)

    def range(
        self, start: "_K | None" = None, end: "_K | None" = None, reverse: bool = False
    ) -> "Iterator[tuple[_K, _V]]":
        """Yields the (key, value) pairs with start <= key < end, in key order (`reverse`:
        from the largest); a bound that is None is open. Entries are fetched a page at a
        time, so a large map is never copied whole."""
        lo, lo_in, hi, hi_in = start, True, end, False
        while True:
            page = self._slice("range", lo, lo_in, hi, hi_in, reverse, _PAGE)
            yield from page
            if len(page) < _PAGE:
                return
            if reverse:
                hi, hi_in = page[-1][0], False
            else:
                lo, lo_in = page[-1][0], False

    def first(self) -> "tuple[_K, _V] | None":
        """The entry with the smallest key, or None when the map is empty."""
        page = self._slice("first", None, True, None, False, False, 1)
        return page[0] if page else None

    def last(self) -> "tuple[_K, _V] | None":
        """The entry with the largest key, or None when the map is empty."""
        page = self._slice("last", None, True, None, False, True, 1)
        return page[0] if page else None

    def pop_first(self) -> "tuple[_K, _V] | None":
        """Removes and returns the entry with the smallest key (None: the map is empty)."""
        return self._rt("pop_first").stable_pop(self.memory_id, False)  # pyright: ignore[reportReturnType]

    def pop_last(self) -> "tuple[_K, _V] | None":
        """Removes and returns the entry with the largest key (None: the map is empty)."""
        return self._rt("pop_last").stable_pop(self.memory_id, True)  # pyright: ignore[reportReturnType]

    def _slice(
        self,
        what: str,
        lo: object,
        lo_in: bool,
        hi: object,
        hi_in: bool,
        reverse: bool,
        limit: "int | None",
    ) -> "list[tuple[_K, _V]]":
        return self._rt(what).stable_slice(  # pyright: ignore[reportReturnType]
            self.memory_id, lo, lo_in, hi, hi_in, reverse, limit
        )

    def keys(self) -> "list[_K]":
        """Every key, in order."""
        return self._rt("keys").stable_map_keys(self.memory_id)  # pyright: ignore[reportReturnType]

    def len(self) -> int:
        """The number of entries (a nat64)."""
        return self._rt("len").stable_len(self.memory_id)

    def remove(self, key: _K) -> "_V | None":
        """Remove `key`; returns its value, or None."""
        return self._rt("remove").stable_map_remove(self.memory_id, key)  # pyright: ignore[reportReturnType]

    def values(self) -> "list[_V]":
        """Every value, in key order."""
        return self._rt("values").stable_map_values(self.memory_id)  # pyright: ignore[reportReturnType]

    # The mapping protocols, with a dict's meanings.

    def __len__(self) -> int:
        return self.len()

    def __contains__(self, key: object) -> bool:
        return self.contains_key(key)  # pyright: ignore[reportArgumentType]

    def __iter__(self) -> "Iterator[_K]":
        return (k for k, _ in self.range())

    def __reversed__(self) -> "Iterator[_K]":
        return (k for k, _ in self.range(reverse=True))

    def __getitem__(self, key: _K) -> _V:
        value = self.get(key)
        if value is None and not self.contains_key(key):
            raise KeyError(key)
        return value  # pyright: ignore[reportReturnType]

    def __setitem__(self, key: _K, value: _V) -> None:
        self.insert(key, value)

    def __delitem__(self, key: _K) -> None:
        if not self.contains_key(key):
            raise KeyError(key)
        self.remove(key)

    def __repr__(self) -> str:
        return f"StableBTreeMap(memory_id={self.memory_id})"
