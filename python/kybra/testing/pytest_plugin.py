"""The pytest plugin of `kybra.testing` (registered through the `pytest11` entry point,
so installing the package is enough):

- `replica`: a fresh in-process `Replica` per test (fixed clock);
- `kybra_build`: session-scoped; `kybra_build("path/to/project", "name")` builds a project
  once per session and returns its `Built` (`.module` is the .wasm path).

The native extension is imported only when a fixture is used, so a pytest run that uses
neither never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kybra.testing._build import Built
    from kybra.testing._replica import Replica

__all__ = ["kybra_build", "replica"]


@pytest.fixture
def replica() -> Iterator[Replica]:
    """A fresh replica for one test."""
    from kybra.testing._replica import Replica

    with Replica() as r:
        yield r


@pytest.fixture(scope="session")
def kybra_build() -> Callable[..., Built]:
    """Builds a project once per session (rebuilt only if its files change)."""
    from kybra.testing._build import build

    return build
