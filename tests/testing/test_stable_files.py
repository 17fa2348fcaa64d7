"""Files in stable memory (`tests/testing/projects/stable_files`, which declares
`StableFileSystem(max_file_size=64 * 1024)`): `open()`, `os`, `shutil` and `pathlib` write
files that survive upgrades; a write or truncation past the size limit raises `OSError`
and changes nothing; the file system shares stable memory with a StableBTreeMap, and the
raw stable API may not write over it. Its stable-memory layout is pinned by a golden
file, and memory written in that layout is read back. Without the declaration, files
live on the heap and an upgrade starts without them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kybra.testing import Canister, CanisterReject, Replica

from .stable_golden import canister_with_raw_memory, dump_text

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "stable-files-v1.txt"
LIMIT = 64 * 1024
REFUSED = "OSError EFBIG File too large"


def deploy(replica: Replica, tmp_path: Path) -> tuple[Canister, Path]:
    project = shutil.copytree(
        HERE / "projects" / "stable_files", tmp_path / "stable_files"
    )
    return replica.deploy(project), project


def fill(c: Canister) -> dict[str, bytes]:
    """Writes a tree of files in every way the project offers; what each file holds."""
    c.makedirs("/data/deep/er")
    assert c.write("/data/a.txt", b"alpha") == "ok"
    assert c.append("/data/a.txt", b"+beta") == "ok"
    assert c.write("/data/deep/er/bin", bytes(range(256)) * 20) == "ok"
    assert c.write_text("/notes/today.md", "# Today\n\u00e9t\u00e9\n") == 12
    assert c.write("/data/gone", b"x") == "ok"
    c.remove("/data/gone")
    assert c.write("/data/old-name", b"renamed") == "ok"
    c.rename("/data/old-name", "/data/new-name")
    c.makedirs("/tmp/scratch/x")
    assert c.write("/tmp/scratch/x/y", b"y") == "ok"
    c.rmtree("/tmp/scratch")
    return {
        "/data/a.txt": b"alpha+beta",
        "/data/deep/er/bin": bytes(range(256)) * 20,
        "/notes/today.md": "# Today\n\u00e9t\u00e9\n".encode(),
        "/data/new-name": b"renamed",
    }


def check(c: Canister, want: dict[str, bytes], when: str) -> None:
    for path, data in want.items():
        assert c.read(path) == data, f"{path} {when}"
        assert c.size(path) == len(data), f"{path} {when}"
    assert c.listdir("/data") == ["a.txt", "deep", "new-name"], when
    assert c.listdir("/tmp") == [], when
    assert not c.exists("/data/gone") and not c.exists("/data/old-name"), when
    assert c.read_text("/notes/today.md") == "# Today\n\u00e9t\u00e9\n", when
    assert c.glob("/", "*.md") == ["/notes/today.md"], when


def test_files_survive_upgrades(replica: Replica, tmp_path: Path) -> None:
    c, _ = deploy(replica, tmp_path)
    want = fill(c)
    check(c, want, "before any upgrade")
    for n in range(5):
        c = replica.upgrade(c)
        check(c, want, f"after {n + 1} upgrades")
        assert c.append("/data/a.txt", str(n).encode()) == "ok"
        want["/data/a.txt"] += str(n).encode()
    check(c, want, "at the end")


def test_a_write_past_the_limit_fails_and_changes_nothing(
    replica: Replica, tmp_path: Path
) -> None:
    c, _ = deploy(replica, tmp_path)
    full = bytes(i % 251 for i in range(LIMIT))
    assert c.write("/full", full) == "ok", "a file of exactly the limit is allowed"
    assert c.append("/full", b"!") == REFUSED
    assert c.truncate("/full", LIMIT + 1) == REFUSED
    assert c.write("/half", b"h" * (LIMIT // 2)) == "ok"
    assert c.append("/half", b"i" * (LIMIT // 2 + 1)) == REFUSED
    # A new file: open("wb") creates it, the write is refused, so it stays empty.
    assert c.write("/new", b"n" * (LIMIT + 1)) == REFUSED
    c = replica.upgrade(c)
    assert c.read("/full") == full
    assert c.read("/half") == b"h" * (LIMIT // 2)
    assert c.size("/new") == 0
    assert c.append("/half", b"i" * (LIMIT // 2)) == "ok", "up to the limit still fits"
    assert c.size("/half") == LIMIT
    assert c.truncate("/half", 10) == "ok"
    assert c.read("/half") == b"h" * 10


def test_files_share_stable_memory_with_stable_structures(
    replica: Replica, tmp_path: Path
) -> None:
    c, _ = deploy(replica, tmp_path)
    c.note("k", "kept")
    assert c.write("/f", b"file") == "ok"
    refusal = c.raw_grow()
    assert refusal.startswith("RuntimeError ic.stable64_grow: this canister keeps"), (
        refusal
    )
    assert "244, 245, 246, 247, 248, 249, 250, 251, 252, 253" in refusal, refusal
    c = replica.upgrade(c)
    assert c.get_note("k") == "kept" and c.read("/f") == b"file"


def test_an_upgrade_over_raw_stable_memory_is_refused_and_loses_nothing(
    replica: Replica, tmp_path: Path
) -> None:
    raw = tmp_path / "raw.py"
    raw.write_text(
        "from kybra import blob, ic, nat64, query, update\n"
        "@update\n"
        "def keep(data: blob) -> None:\n"
        "    ic.stable64_grow(1)\n"
        "    ic.stable64_write(0, data)\n"
        "@query\n"
        "def kept(n: nat64) -> blob:\n"
        "    return ic.stable64_read(0, n)\n"
    )
    c = replica.deploy(raw)
    c.keep(b"precious")
    project = shutil.copytree(
        HERE / "projects" / "stable_files", tmp_path / "stable_files"
    )
    with pytest.raises(CanisterReject) as e:
        replica.upgrade(c, project)
    assert "holds data that is not a stable structure store" in str(e.value)
    assert "opening the stable file system would overwrite it" in str(e.value)
    assert c.kept(8) == b"precious"


def test_without_the_declaration_files_live_on_the_heap(
    replica: Replica, tmp_path: Path
) -> None:
    heap = tmp_path / "heap.py"
    heap.write_text(
        "import os\n"
        "from kybra import query, update\n"
        "@update\n"
        "def write() -> None:\n"
        "    with open('/f', 'w') as f:\n"
        "        f.write('on the heap')\n"
        "@query\n"
        "def exists() -> bool:\n"
        "    return os.path.exists('/f')\n"
        "@query\n"
        "def pages() -> int:\n"
        "    from kybra import ic\n"
        "    return ic.stable64_size()\n"
    )
    c = replica.deploy(heap)
    c.write()
    assert c.exists() and c.pages() == 0, "heap files take no stable memory"
    c = replica.upgrade(c)
    assert not c.exists()


def golden_history(c: Canister) -> None:
    """A fixed history (its layout is then pinned)."""
    fill(c)
    c.note("golden", "yes")
    assert c.write("/limit", b"L" * LIMIT) == "ok"


def test_the_file_system_layout_is_pinned(replica: Replica, tmp_path: Path) -> None:
    c, _ = deploy(replica, tmp_path)
    golden_history(c)
    text = dump_text(c)
    if os.environ.get("KYBRA_REGENERATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert GOLDEN.is_file(), f"{GOLDEN} is missing: run with KYBRA_REGENERATE_GOLDEN=1"
    assert text == GOLDEN.read_text(), (
        "the file system's stable-memory layout changed: canisters upgraded to this Kybra "
        f"would misread their files. If the change is intended, add a new golden version beside {GOLDEN.name}"
    )


def test_files_in_the_pinned_layout_are_read_back(
    replica: Replica, tmp_path: Path
) -> None:
    # A canister whose stable memory is the golden file's (written raw, as a canister of a
    # previous release left it), upgraded to the file system, reads every file back.
    c = canister_with_raw_memory(replica, tmp_path, GOLDEN)
    project = shutil.copytree(
        HERE / "projects" / "stable_files", tmp_path / "stable_files"
    )
    c = replica.upgrade(c, project)
    replay = Replica()
    want = fill(replay.deploy(project))
    check(c, want, "read back from the golden memory")
    assert c.get_note("golden") == "yes"
    assert c.read("/limit") == b"L" * LIMIT
