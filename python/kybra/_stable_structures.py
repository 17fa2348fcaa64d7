"""The stable structures beside `StableBTreeMap`: `StableBTreeSet`, `StableVec`, `StableLog`,
`StableCell` and `StableMinHeap`, kept in stable memory so they survive upgrades.

Promises: like the map (`kybra._stable`), each is declared at module level with literal
memory ids, is opened by the runtime when the declaration runs (at install and after every
upgrade), and on the host can be created but raises RuntimeError on use. Elements are of
the declared type (TypeError otherwise, nothing changed); with `max_size=N` an element whose
encoding is longer raises `ElementTooLargeError` (a ValueError) and nothing is written.
Each one is also a Python container, with Python's meanings:

- `StableBTreeSet[K](memory_id=M)`: `add`/`insert`, `remove` (KeyError when absent),
  `discard`, `contains`, `first`/`last`/`pop_first`/`pop_last` (None when empty), `pop`
  (KeyError when empty), `range(start, end, reverse=False)`, `clear`, the set operations of
  the Rust `BTreeSet` (`union`, `intersection`, `difference`, `symmetric_difference`,
  `is_subset`, `is_superset`, `is_disjoint`, with another set of the same element type),
  `len`, `in`, iteration in
  order and `reversed`. Elements are ordered as the map orders keys.
- `StableVec[T](memory_id=M)`: `append`/`push`, `extend`, `pop` (IndexError when empty),
  `get` (None past the end), `set`, `v[i]`, `v[i] = x`, negative indices and slices
  (IndexError out of range), `to_list`, `len`, iteration and `reversed`.
- `StableLog[T](index_memory_id=I, data_memory_id=D)`: `append` (returns the index), `get`
  (None past the end), `l[i]` and slices, `first`/`last`, `to_list`, `len`, iteration. A log
  only grows: entries are never changed or removed.
- `StableCell[T](memory_id=M, initial=V)`: `get`, `set` (returns the previous value). The
  cell holds `initial` until the first `set`, and keeps its value across upgrades.
- `StableMinHeap[T](memory_id=M)`: `push`, `pop` and `peek` (None when empty), `clear`,
  `len`, iteration smallest first. Elements are ordered as the map orders keys; equal ones
  come out in the order they were pushed.
"""

from kybra import _backend as backend

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Generic, TypeVar

    _T = TypeVar("_T")

    class _Generic1(Generic[_T]):
        pass

else:
    _T = None

    class _Generic1:
        def __class_getitem__(cls, item):
            return cls


# Elements fetched at a time by iteration.
_PAGE = 256


class _Structure:
    """What every stable structure shares: its memory id, its label and the runtime."""

    __slots__ = ("max_size", "memory_id")
    _kind = ""

    def __init__(
        self, memory_id: int, max_size: "int | None", initial: object = None
    ) -> None:
        self.memory_id = memory_id
        self.max_size = max_size
        if backend.inside:
            backend.module.stable_open(self._kind, memory_id, max_size, None, initial)

    def _rt(self, what: str):  # returns the stub module (its type has no name)
        return backend.runtime(f"{self._kind}.{what}()")

    def len(self) -> int:
        """The number of elements (a nat64)."""
        return self._rt("len").stable_len(self.memory_id)

    def is_empty(self) -> bool:
        """Whether there are no elements."""
        return self.len() == 0

    def __len__(self) -> int:
        return self.len()

    def __repr__(self) -> str:
        return f"{self._kind}(memory_id={self.memory_id})"


def _index(s: _Structure, i: object, n: int) -> int:
    if type(i) is not int:
        raise TypeError(
            f"{s!r} indices must be integers or slices, not {type(i).__name__}"
        )
    j = i + n if i < 0 else i
    if not 0 <= j < n:
        raise IndexError(f"{s!r}: index {i} is out of range (length {n})")
    return j


class StableBTreeSet(_Structure, _Generic1[_T]):
    """A sorted set kept in stable memory. Declare it at module level:
    `tags = StableBTreeSet[str](memory_id=5)` (optionally `max_size=` bytes per element)."""

    __slots__ = ()
    _kind = "StableBTreeSet"

    def __init__(self, memory_id: int, max_size: "int | None" = None) -> None:
        super().__init__(memory_id, max_size)

    def insert(self, element: _T) -> bool:
        """Adds `element`; whether it was new."""
        return self._rt("insert").stable_set_insert(self.memory_id, element)

    def add(self, element: _T) -> None:
        """Adds `element` (as `set.add`)."""
        self.insert(element)

    def contains(self, element: _T) -> bool:
        """Whether `element` is in the set."""
        return self._rt("contains").stable_set_contains(self.memory_id, element)

    def discard(self, element: _T) -> bool:
        """Removes `element` if present; whether it was."""
        return self._rt("discard").stable_set_remove(self.memory_id, element)

    def remove(self, element: _T) -> None:
        """Removes `element`; KeyError when it is absent (as `set.remove`)."""
        if not self.discard(element):
            raise KeyError(element)

    def first(self) -> "_T | None":
        """The smallest element, or None."""
        page = self._slice("first", None, None, False, 1)
        return page[0] if page else None

    def last(self) -> "_T | None":
        """The largest element, or None."""
        page = self._slice("last", None, None, True, 1)
        return page[0] if page else None

    def pop_first(self) -> "_T | None":
        """Removes and returns the smallest element, or None when the set is empty."""
        return self._rt("pop_first").stable_pop(self.memory_id, False)  # pyright: ignore[reportReturnType]

    def pop_last(self) -> "_T | None":
        """Removes and returns the largest element, or None when the set is empty."""
        return self._rt("pop_last").stable_pop(self.memory_id, True)  # pyright: ignore[reportReturnType]

    def pop(self) -> _T:
        """Removes and returns the smallest element; KeyError when empty (as `set.pop`)."""
        if self.is_empty():
            raise KeyError(f"pop from an empty {self!r}")
        return self.pop_first()  # pyright: ignore[reportReturnType]

    def clear(self) -> None:
        """Removes every element."""
        self._rt("clear").stable_set_clear(self.memory_id)

    def range(
        self, start: "_T | None" = None, end: "_T | None" = None, reverse: bool = False
    ) -> "Iterator[_T]":
        """Yields the elements with start <= element < end in order (`reverse`: from the
        largest); a bound that is None is open. Fetched a page at a time."""
        lo, lo_in, hi, hi_in = start, True, end, False
        while True:
            page = self._rt("range").stable_slice(
                self.memory_id, lo, lo_in, hi, hi_in, reverse, _PAGE
            )
            yield from page  # pyright: ignore[reportReturnType]
            if len(page) < _PAGE:
                return
            if reverse:
                hi, hi_in = page[-1], False
            else:
                lo, lo_in = page[-1], False

    def _slice(
        self, what: str, lo: object, hi: object, reverse: bool, limit: int
    ) -> "list[_T]":
        return self._rt(what).stable_slice(  # pyright: ignore[reportReturnType]
            self.memory_id, lo, True, hi, False, reverse, limit
        )

    def __contains__(self, element: object) -> bool:
        return self.contains(element)  # pyright: ignore[reportArgumentType]

    def __iter__(self) -> "Iterator[_T]":
        return self.range()

    def __reversed__(self) -> "Iterator[_T]":
        return self.range(reverse=True)

    # The set operations of Rust's BTreeSet, with another StableBTreeSet of the same type.

    def _combine(self, op: str, other: "StableBTreeSet[_T]") -> "list[_T]":
        if not isinstance(other, StableBTreeSet):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"{self!r}.{op}: the other set must be a StableBTreeSet, got {type(other).__name__}"
            )
        return self._rt(op).stable_set_combine(self.memory_id, other.memory_id, op)  # pyright: ignore[reportReturnType]

    def union(self, other: "StableBTreeSet[_T]") -> "list[_T]":
        """The elements in either set, in order."""
        return self._combine("union", other)

    def intersection(self, other: "StableBTreeSet[_T]") -> "list[_T]":
        """The elements in both sets, in order."""
        return self._combine("intersection", other)

    def difference(self, other: "StableBTreeSet[_T]") -> "list[_T]":
        """The elements of this set that are not in `other`, in order."""
        return self._combine("difference", other)

    def symmetric_difference(self, other: "StableBTreeSet[_T]") -> "list[_T]":
        """The elements in exactly one of the sets, in order."""
        return self._combine("symmetric_difference", other)

    def is_subset(self, other: "StableBTreeSet[_T]") -> bool:
        """Whether every element of this set is in `other`."""
        return not self._combine("difference", other)

    def is_superset(self, other: "StableBTreeSet[_T]") -> bool:
        """Whether every element of `other` is in this set."""
        return other.is_subset(self)

    def is_disjoint(self, other: "StableBTreeSet[_T]") -> bool:
        """Whether the two sets have no element in common."""
        return not self._combine("intersection", other)


class StableVec(_Structure, _Generic1[_T]):
    """A list kept in stable memory. Declare it at module level:
    `history = StableVec[Entry](memory_id=6)` (optionally `max_size=` bytes per element)."""

    __slots__ = ()
    _kind = "StableVec"

    def __init__(self, memory_id: int, max_size: "int | None" = None) -> None:
        super().__init__(memory_id, max_size)

    def push(self, element: _T) -> None:
        """Appends `element`."""
        self._rt("push").stable_vec_push(self.memory_id, element)

    def append(self, element: _T) -> None:
        """Appends `element` (as `list.append`)."""
        self._rt("append").stable_vec_push(self.memory_id, element)

    def extend(self, elements: "Iterable[_T]") -> None:
        """Appends each element in turn (those before a refused one stay)."""
        for e in elements:
            self.append(e)

    def pop(self) -> _T:
        """Removes and returns the last element; IndexError when empty (as `list.pop`)."""
        if self.is_empty():
            raise IndexError(f"pop from an empty {self!r}")
        return self._rt("pop").stable_vec_pop(self.memory_id)  # pyright: ignore[reportReturnType]

    def get(self, index: int) -> "_T | None":
        """The element at `index` (0-based, not negative), or None past the end."""
        if type(index) is not int or index < 0:
            raise TypeError(
                f"{self!r}.get: the index must be an int >= 0, got {index!r}"
            )
        return self._rt("get").stable_vec_get(self.memory_id, index)  # pyright: ignore[reportReturnType]

    def set(self, index: int, element: _T) -> None:
        """Replaces the element at `index`; IndexError out of range."""
        self[index] = element

    def to_list(self) -> "list[_T]":
        """Every element, in order."""
        return self._rt("to_list").stable_vec_slice(self.memory_id, 0, self.len())  # pyright: ignore[reportReturnType]

    def __getitem__(self, index: "int | slice") -> "_T | list[_T]":
        n = self.len()
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1:
                return self._rt("slice").stable_vec_slice(self.memory_id, start, stop)  # pyright: ignore[reportReturnType]
            return [self[i] for i in range(start, stop, step)]  # pyright: ignore[reportReturnType]
        return self._rt("get").stable_vec_get(self.memory_id, _index(self, index, n))  # pyright: ignore[reportReturnType]

    def __setitem__(self, index: int, element: _T) -> None:
        j = _index(self, index, self.len())
        self._rt("set").stable_vec_set(self.memory_id, j, element)

    def __iter__(self) -> "Iterator[_T]":
        i = 0
        while True:
            page = self._rt("iter").stable_vec_slice(self.memory_id, i, i + _PAGE)
            yield from page  # pyright: ignore[reportReturnType]
            if len(page) < _PAGE:
                return
            i += _PAGE

    def __reversed__(self) -> "Iterator[_T]":
        stop = self.len()
        while stop > 0:
            start = max(0, stop - _PAGE)
            page = self._rt("reversed").stable_vec_slice(self.memory_id, start, stop)
            yield from reversed(page)  # pyright: ignore[reportReturnType]
            stop = start


class StableLog(_Structure, _Generic1[_T]):
    """An append-only list kept in stable memory, in two memories (its index and its data).
    Declare it at module level: `events = StableLog[str](index_memory_id=7, data_memory_id=8)`.
    """

    __slots__ = ("data_memory_id",)
    _kind = "StableLog"

    def __init__(
        self,
        index_memory_id: int,
        data_memory_id: int,
        max_size: "int | None" = None,
    ) -> None:
        self.data_memory_id = data_memory_id
        super().__init__(index_memory_id, max_size)

    def append(self, entry: _T) -> int:
        """Appends `entry`; returns its index."""
        return self._rt("append").stable_log_append(self.memory_id, entry)

    def get(self, index: int) -> "_T | None":
        """The entry at `index` (0-based, not negative), or None past the end."""
        if type(index) is not int or index < 0:
            raise TypeError(
                f"{self!r}.get: the index must be an int >= 0, got {index!r}"
            )
        return self._rt("get").stable_log_get(self.memory_id, index)  # pyright: ignore[reportReturnType]

    def first(self) -> "_T | None":
        """The first entry, or None when the log is empty."""
        return self.get(0)

    def last(self) -> "_T | None":
        """The last entry, or None when the log is empty."""
        n = self.len()
        return self.get(n - 1) if n else None

    def to_list(self) -> "list[_T]":
        """Every entry, in order."""
        return self._rt("to_list").stable_log_slice(self.memory_id, 0, self.len())  # pyright: ignore[reportReturnType]

    def __getitem__(self, index: "int | slice") -> "_T | list[_T]":
        n = self.len()
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1:
                return self._rt("slice").stable_log_slice(self.memory_id, start, stop)  # pyright: ignore[reportReturnType]
            return [self[i] for i in range(start, stop, step)]  # pyright: ignore[reportReturnType]
        return self._rt("get").stable_log_get(self.memory_id, _index(self, index, n))  # pyright: ignore[reportReturnType]

    def __iter__(self) -> "Iterator[_T]":
        i = 0
        while True:
            page = self._rt("iter").stable_log_slice(self.memory_id, i, i + _PAGE)
            yield from page  # pyright: ignore[reportReturnType]
            if len(page) < _PAGE:
                return
            i += _PAGE

    def __repr__(self) -> str:
        return f"StableLog(index_memory_id={self.memory_id}, data_memory_id={self.data_memory_id})"


class StableCell(_Structure, _Generic1[_T]):
    """One value kept in stable memory. Declare it at module level:
    `counter = StableCell[nat64](memory_id=9, initial=0)`."""

    __slots__ = ()
    _kind = "StableCell"

    def __init__(
        self, memory_id: int, initial: _T, max_size: "int | None" = None
    ) -> None:
        super().__init__(memory_id, max_size, initial)

    def get(self) -> _T:
        """The value."""
        return self._rt("get").stable_cell_get(self.memory_id)  # pyright: ignore[reportReturnType]

    def set(self, value: _T) -> _T:
        """Sets the value; returns the previous one."""
        return self._rt("set").stable_cell_set(self.memory_id, value)  # pyright: ignore[reportReturnType]


class StableMinHeap(_Structure, _Generic1[_T]):
    """A priority queue kept in stable memory, smallest first. Declare it at module level:
    `deadlines = StableMinHeap[nat64](memory_id=10)` (optionally `max_size=`)."""

    __slots__ = ()
    _kind = "StableMinHeap"

    def __init__(self, memory_id: int, max_size: "int | None" = None) -> None:
        super().__init__(memory_id, max_size)

    def push(self, element: _T) -> None:
        """Adds `element`."""
        self._rt("push").stable_heap_push(self.memory_id, element)

    def pop(self) -> "_T | None":
        """Removes and returns the smallest element, or None when the heap is empty."""
        return self._rt("pop").stable_heap_pop(self.memory_id)  # pyright: ignore[reportReturnType]

    def peek(self) -> "_T | None":
        """The smallest element, or None when the heap is empty."""
        return self._rt("peek").stable_heap_peek(self.memory_id)  # pyright: ignore[reportReturnType]

    def clear(self) -> None:
        """Removes every element."""
        self._rt("clear").stable_heap_clear(self.memory_id)

    def __iter__(self) -> "Iterator[_T]":
        cursor: bytes | None = None
        while True:
            page, cursor = self._rt("iter").stable_heap_page(
                self.memory_id, cursor, _PAGE
            )
            yield from page  # pyright: ignore[reportReturnType]
            if len(page) < _PAGE:
                return
