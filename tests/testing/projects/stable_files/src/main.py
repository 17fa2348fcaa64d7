"""Files in stable memory (tests/testing/test_stable_files.py): `open()`, `os` and
`pathlib` on the file system `StableFileSystem` keeps in stable memory, beside a
StableBTreeMap in the same memory manager. Every operation answers with its result, or
with `OSError <errno name>` when the file system refused it; `dump` returns the stable memory's
non-zero 1 KiB blocks, to pin the file system's layout."""

import errno
import os
import pathlib
import shutil

from kybra import (
    StableBTreeMap,
    StableFileSystem,
    Tuple,
    Vec,
    blob,
    ic,
    nat32,
    nat64,
    query,
    update,
)

files = StableFileSystem(max_file_size=64 * 1024)
notes = StableBTreeMap[str, str](memory_id=0, max_key_size=100, max_value_size=100)


def refused(e: OSError) -> str:
    return f"OSError {errno.errorcode[e.errno]} {e.strerror}"


@update
def write(path: str, data: blob) -> str:
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        return refused(e)
    return "ok"


@update
def append(path: str, data: blob) -> str:
    try:
        with open(path, "ab") as f:
            f.write(data)
    except OSError as e:
        return refused(e)
    return "ok"


@update
def truncate(path: str, size: nat64) -> str:
    try:
        os.truncate(path, size)
    except OSError as e:
        return refused(e)
    return "ok"


@query
def read(path: str) -> blob:
    with open(path, "rb") as f:
        return f.read()


@query
def size(path: str) -> nat64:
    return os.path.getsize(path)


@update
def makedirs(path: str) -> None:
    os.makedirs(path, exist_ok=True)


@query
def listdir(path: str) -> Vec[str]:
    return sorted(os.listdir(path))


@update
def remove(path: str) -> None:
    os.remove(path)


@update
def rmtree(path: str) -> None:
    shutil.rmtree(path)


@update
def rename(src: str, dst: str) -> None:
    os.rename(src, dst)


@query
def exists(path: str) -> bool:
    return os.path.exists(path)


@update
def write_text(path: str, text: str) -> nat64:
    """With pathlib: makes the parent folders, writes `text`, returns its length."""
    p = pathlib.Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p.write_text(text)


@query
def read_text(path: str) -> str:
    return pathlib.Path(path).read_text()


@query
def glob(folder: str, pattern: str) -> Vec[str]:
    return sorted(str(p) for p in pathlib.Path(folder).rglob(pattern))


@update
def note(key: str, value: str) -> None:
    notes[key] = value


@query
def get_note(key: str) -> str:
    return notes.get(key) or ""


@update
def raw_grow() -> str:
    """The raw stable API must not write over the file system."""
    try:
        ic.stable64_grow(1)
    except RuntimeError as e:
        return f"RuntimeError {e}"
    return "grew"


@query
def dump() -> Vec[Tuple[nat32, blob]]:
    """The stable memory's non-zero 1 KiB blocks, as (offset / 1024, bytes)."""
    blocks: list[tuple[int, bytes]] = []
    size = ic.stable64_size() * 65536
    for page in range(0, size, 65536):
        chunk = ic.stable64_read(page, 65536)
        if not chunk.strip(b"\0"):
            continue
        for at in range(0, 65536, 1024):
            block = chunk[at : at + 1024]
            if block.strip(b"\0"):
                blocks.append(((page + at) // 1024, block))
    return blocks
