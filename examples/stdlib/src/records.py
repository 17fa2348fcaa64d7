"""Kybra types through every import style: `import kybra`, `import kybra as k`,
`from kybra import Record as R`; and user names that shadow kybra type names."""

import kybra
import kybra as k
from kybra import Record as R


class Point(kybra.Record):
    x: kybra.int64
    y: k.int64


class Labelled(R):
    label: str
    point: Point


def Vec(items: list[int]) -> int:  # noqa: N802 - a user function named like a kybra type
    """Not `kybra.Vec`: a plain function of this module that happens to share the name."""
    return len(items)


class Opt:
    """Not `kybra.Opt`: a plain class of this module."""

    def __init__(self, value: int) -> None:
        self.value = value
