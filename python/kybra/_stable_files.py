"""`StableFileSystem`: the declaration that keeps a canister's files in stable memory.

Promises: declared once at module level (`StableFileSystem()` or
`files = StableFileSystem(max_file_size=64 * 1024 * 1024)`), it makes the Kybra compiler
build a canister whose file system (`open()`, `os`, `pathlib`, `shutil`) lives in stable
memory, so its files survive upgrades. The object itself only records its argument; the
runtime sets the file system up before any Python code runs. A file never grows past
`max_file_size` bytes (default 1 GiB): the write or truncation that would pass it raises
`OSError` (errno `EFBIG`) and changes nothing. The file system takes memory ids
244 to 253 of the stable structures' memory manager, which stable structures then may
not use.
"""

DEFAULT_MAX_FILE_SIZE = 1 << 30
"""The largest file when `max_file_size` is not given: 1 GiB."""

FILE_SYSTEM_MEMORY_IDS = range(244, 254)
"""The memory ids the stable file system takes."""


class StableFileSystem:
    """Keeps this canister's files in stable memory (declare it at module level)."""

    __slots__ = ("max_file_size",)

    def __init__(self, *, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> None:
        self.max_file_size = max_file_size

    def __repr__(self) -> str:
        return f"StableFileSystem(max_file_size={self.max_file_size})"
