"""`Replica`: an in-process local Internet Computer for tests (Kybra's own replica, through
the `_native` extension: no server, no network).

Promises: time is fixed by default (it starts at `DEFAULT_TIME` and moves only with
`advance_time`), so timer tests are deterministic and never sleep; `live=True` follows
the wall clock. Calls are made as `caller` (anonymous unless changed with `as_caller`);
canisters are created and installed by their controller (`DEFAULT_CONTROLLER` unless
given). Installs, upgrades and reinstalls go through the management canister exactly as
`kybra deploy` does.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kybra.principal import Principal
from kybra.testing import _native
from kybra.testing._build import (
    BuildError,
    build,
    canister_names,
    project_of_module,
)
from kybra.testing._canister import Canister, rejected

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "DEFAULT_CONTROLLER",
    "DEFAULT_CYCLES",
    "DEFAULT_TIME",
    "Management",
    "Replica",
]

#: 2025-01-01T00:00:00Z, in nanoseconds: where a fixed clock starts.
DEFAULT_TIME = 1_735_689_600 * 1_000_000_000
#: Cycles a deployed canister gets (as dfx's local network gives).
DEFAULT_CYCLES = 100_000_000_000_000
#: The controller of deployed canisters unless one is given: a self-authenticating-style
#: principal (29 bytes ending in 0x02), the same in every run.
DEFAULT_CONTROLLER = Principal(
    hashlib.sha224(b"kybra.testing controller").digest() + b"\x02"
)

Source = str | os.PathLike[str]


class Management(Canister):
    """The management canister `aaaaa-aa`: `r.management.canister_status({"canister_id": c.id})`.
    Every call is an update whose effective canister id is the argument's
    `canister_id` (or `target_canister`)."""

    def call(self, method: str, *args: Any) -> Any:
        arg = self.interface.encode_args(method, args)
        effective: bytes | None = None
        if args and isinstance(args[0], dict):
            first: dict[str, Any] = args[0]  # pyright: ignore[reportUnknownVariableType]
            target = first.get("canister_id", first.get("target_canister"))
            if isinstance(target, Principal):
                effective = target.bytes
        try:
            reply = self._replica.native.update(
                self.caller.bytes, self.id.bytes, method, arg, effective
            )
        except _native.Reject as err:
            raise rejected(err, method, self.id) from None
        return self.interface.decode_reply(method, reply)

    def as_caller(self, caller: Principal) -> Management:
        return Management(self._replica, self.id, self.interface, caller, "management")


class _Source:
    """What `deploy` installs: the module, its interface, the canister name and the id
    dfx.json asks for (`specified_id`)."""

    __slots__ = ("interface", "module", "name", "specified_id")

    def __init__(
        self,
        module: bytes,
        interface: _native.Interface,
        name: str | None,
        specified_id: str | None = None,
    ) -> None:
        self.module = module
        self.interface = interface
        self.name = name
        self.specified_id = specified_id


def _did_text(candid: Source | str) -> str:
    path = Path(str(candid))
    return path.read_text() if path.suffix == ".did" else str(candid)


#: What `Replica.deploy` accepts, for its errors.
_ACCEPTS = (
    "deploy accepts a Kybra project folder (with a dfx.json), a canister's main module"
    " (.py), or a .wasm / .wasm.gz module"
)


def _load(source: Source, name: str | None, candid: Source | str | None) -> _Source:
    """The module and interface of a project folder, a main module or a .wasm(.gz) file."""
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: {_ACCEPTS}")
    if path.is_dir() or path.suffix == ".py":
        if path.is_dir():
            project = path
        else:
            project, found = project_of_module(path)
            if name is not None and name != found:
                raise BuildError(
                    f"{path} is the main module of canister {found!r}, not {name!r}"
                )
            name = found
        built = build(project, name)
        module = built.module.read_bytes()
        interface = _native.Interface.from_module(module)
        return _Source(module, interface, built.name, built.specified_id)
    if not path.name.endswith((".wasm", ".wasm.gz")):
        raise ValueError(
            f"{path} is neither a folder, a .py file nor a module: {_ACCEPTS}"
        )
    module = path.read_bytes()
    if candid is not None:
        return _Source(module, _native.Interface.from_did(_did_text(candid)), name)
    try:
        return _Source(module, _native.Interface.from_module(module), name)
    except ValueError:
        text = _native.Interface.candid_of_module(module)
        if text is None:
            raise ValueError(
                f"{path} is not a Kybra module and has no candid:service metadata:"
                " pass its interface as candid='service : { ... }' or a .did path"
            ) from None
        return _Source(module, _native.Interface.from_did(text), name)


class Replica:
    """An in-process replica: `with Replica() as r: c = r.deploy("examples/hello_world")`."""

    def __init__(self, *, live: bool = False, time_nanos: int | None = None) -> None:
        start = None if live else (DEFAULT_TIME if time_nanos is None else time_nanos)
        self.native = _native.NativeReplica(start)
        self.caller = Principal.anonymous()
        self._management: Management | None = None
        self._sources: dict[Principal, tuple[Source, str | None]] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Frees the replica (its canisters are gone)."""
        self.__dict__.pop("native", None)

    # -- canisters -------------------------------------------------------------------

    def deploy(
        self,
        source: Source,
        name: str | None = None,
        *,
        init_args: tuple[Any, ...] = (),
        controller: Principal | None = None,
        cycles: int = DEFAULT_CYCLES,
        candid: Source | str | None = None,
        canister_id: Principal | None = None,
    ) -> Canister:
        """Creates a canister and installs `source`: a Kybra project folder (built with
        `kybra build NAME`, once per process while unchanged), a canister's main module
        (`src/main.py`: the project whose dfx.json names it, or a one-module project), or
        a `.wasm`/`.wasm.gz` file (its interface from its Kybra payload, `candid=` (.did path or text), or its
        `candid:service` metadata). `init_args` are the values of the init parameters.
        The canister gets `canister_id` if given, else dfx.json's `specified_id` for
        it, else the next free id."""
        loaded = _load(source, name, candid)
        controller = controller or DEFAULT_CONTROLLER
        if canister_id is None and loaded.specified_id is not None:
            canister_id = Principal.from_str(loaded.specified_id)
        wanted = canister_id.bytes if canister_id is not None else None
        try:
            created = self.native.create_canister(controller.bytes, cycles, wanted)
        except _native.Reject as err:
            raise rejected(
                err, "<create>", canister_id or Principal.anonymous()
            ) from None
        cid = Principal(created)
        canister = Canister(self, cid, loaded.interface, None, loaded.name)
        self._install(canister, loaded, init_args, "install", controller)
        if candid is None:
            self._sources[cid] = (source, loaded.name)
        return canister

    def canister(self, canister_id: Principal, candid: Source | str) -> Canister:
        """A handle on an existing canister, with its interface from a .did."""
        return Canister(
            self, canister_id, _native.Interface.from_did(_did_text(candid))
        )

    def upgrade(
        self,
        canister: Canister,
        source: Source | None = None,
        init_args: tuple[Any, ...] = (),
    ) -> Canister:
        """Upgrades `canister` to `source` (default: what it was deployed from, rebuilt
        if its files changed; another project: its canister of the same name, else its only
        one); returns a handle with the new interface."""
        return self._reinstall(canister, source, init_args, "upgrade")

    def reinstall(
        self,
        canister: Canister,
        source: Source | None = None,
        init_args: tuple[Any, ...] = (),
    ) -> Canister:
        """Reinstalls `canister` (its state is wiped) with `source` (default: its project)."""
        return self._reinstall(canister, source, init_args, "reinstall")

    def _reinstall(
        self,
        canister: Canister,
        source: Source | None,
        init_args: tuple[Any, ...],
        mode: str,
    ) -> Canister:
        name = canister.name
        if source is None:
            if canister.id not in self._sources:
                raise ValueError(f"{mode}: pass the project folder or .wasm to install")
            source = self._sources[canister.id][0]
        else:
            # Another project: its canister of the same name, else its only canister.
            folder = Path(source)
            if (
                folder.is_dir()
                and name not in canister_names(folder)
                or folder.suffix == ".py"
            ):
                name = None
        loaded = _load(source, name, None)
        self._sources[canister.id] = (source, loaded.name)
        new = Canister(self, canister.id, loaded.interface, None, loaded.name)
        controllers = canister.controllers
        controller = controllers[0] if controllers else DEFAULT_CONTROLLER
        self._install(new, loaded, init_args, mode, controller)
        return new

    def _install(
        self,
        canister: Canister,
        loaded: _Source,
        init_args: tuple[Any, ...],
        mode: str,
        controller: Principal,
    ) -> None:
        arg = loaded.interface.encode_args("<init>", tuple(init_args))
        try:
            self.native.install(
                controller.bytes, canister.id.bytes, loaded.module, arg, mode
            )
        except _native.Reject as err:
            raise rejected(err, f"<{mode}>", canister.id) from None

    @property
    def management(self) -> Management:
        """The management canister, called as the current caller."""
        if self._management is None:
            iface = _native.Interface.management()
            self._management = Management(
                self, Principal.management_canister(), iface, None, "management"
            )
        return self._management

    # -- callers and time ------------------------------------------------------------

    @contextlib.contextmanager
    def as_caller(self, caller: Principal) -> Generator[Replica, None, None]:
        """Within the block, calls (of handles not bound with `c.as_caller`) come from `caller`."""
        before, self.caller = self.caller, caller
        try:
            yield self
        finally:
            self.caller = before

    @property
    def time_nanos(self) -> int:
        """The replica's clock, nanoseconds since the Unix epoch (what `ic.time()` returns)."""
        return self.native.time()

    def advance_time(self, seconds: float) -> None:
        """Moves the clock forward; timers that became due run at the next `tick()`."""
        self.native.advance_time(round(seconds * 1_000_000_000))

    def set_time(self, nanos: int) -> None:
        self.native.set_time(nanos)

    def system_canisters(self, on: bool = True) -> None:
        """Adds (or removes) the IC's system canisters at their mainnet ids: the ICP ledger
        (`ryjl3-tyaaa-aaaaa-aaaba-cai`), the cycles ledger and the cycles minting canister,
        with real books (balances, fees, allowances); fund accounts with `icp_faucet`."""
        self.native.set_system_canisters(on)

    def icp_faucet(
        self, owner: Principal, e8s: int, subaccount: bytes | None = None
    ) -> int:
        """Mints `e8s` ICP into `owner`'s account (`subaccount`, default all zeros) on the
        ICP ledger of `system_canisters()`; the block index."""
        account = owner.to_account_id(subaccount)
        return self.native.icp_mint(account.bytes, e8s)

    def tick(self, rounds: int = 1) -> tuple[int, int, int]:
        """Runs `rounds` rounds: due timers, heartbeats, queued inter-canister messages.
        Returns how many (timers, heartbeats, messages) ran."""
        total = (0, 0, 0)
        for _ in range(rounds):
            t = self.native.tick()
            total = (total[0] + t[0], total[1] + t[1], total[2] + t[2])
        return total
