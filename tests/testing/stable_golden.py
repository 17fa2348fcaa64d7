"""Golden files of stable memory, shared by the suites that pin a layout
(`test_stable_family.py`, `test_stable_files.py`): a canister's non-zero 1 KiB blocks as
text, read back, and written raw into a canister as a previous release would have left them.
"""

from __future__ import annotations

from pathlib import Path

from kybra.testing import Canister, Replica

LOADER = (
    "from kybra import Tuple, Vec, blob, ic, nat32, update\n"
    "@update\n"
    "def load(blocks: Vec[Tuple[nat32, blob]], pages: nat32) -> None:\n"
    "    ic.stable64_grow(pages - ic.stable64_size())\n"
    "    for block, data in blocks:\n"
    "        ic.stable64_write(block * 1024, data)\n"
)


def dump_text(c: Canister) -> str:
    """The golden file's text: a line `BLOCK HEX` per non-zero 1 KiB block of stable
    memory (the canister's `dump` query), or `BLOCK *XX` for a block that is byte XX
    throughout."""
    lines: list[str] = []
    for block, data in c.dump():
        same = len(set(data)) == 1 and len(data) == 1024
        lines.append(f"{block} *{data[:1].hex()}" if same else f"{block} {data.hex()}")
    return "".join(line + "\n" for line in lines)


def read_golden(path: Path) -> list[tuple[int, bytes]]:
    """The blocks of a golden file."""
    blocks: list[tuple[int, bytes]] = []
    for line in path.read_text().splitlines():
        block, data = line.split(" ")
        raw = bytes.fromhex(data[1:]) * 1024 if data[0] == "*" else bytes.fromhex(data)
        blocks.append((int(block), raw))
    return blocks


def canister_with_raw_memory(
    replica: Replica, tmp_path: Path, golden: Path
) -> Canister:
    """A canister whose stable memory is the golden file's, written raw: what a canister
    of a previous release left; upgrade it to the project that reads it."""
    loader = tmp_path / "loader.py"
    loader.write_text(LOADER)
    c = replica.deploy(loader)
    blocks = read_golden(golden)
    pages = (blocks[-1][0] * 1024 + 1024 + 65535) // 65536
    for i in range(0, len(blocks), 500):
        c.load(blocks[i : i + 500], pages)
    return c
