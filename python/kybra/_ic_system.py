"""The `ic.*` functions of the IC's newer system API (`Ic` inherits them): controllers, the
canister's version, replicated execution, the subnet and the root key, burning cycles, a
best-effort call's deadline, and what calls, canisters, HTTP outcalls and threshold keys
cost.

Promises: inside a canister each is the runtime's built-in of the same name (`_kybra_ic`,
bound at import by `kybra._ic`), so it is the `ic0` function of that name; on the host each
raises RuntimeError saying it only works inside a canister. Where the IC forbids a call
(`cycles_burn` in a query, `msg_deadline` in `@init`, ...) it raises `IcError`.
"""

from kybra._backend import runtime as _runtime
from kybra.principal import Principal


class SystemInfoApi:
    """The newer system API's `ic.*` functions."""

    @staticmethod
    def is_controller(principal: Principal) -> bool:
        """Whether `principal` is one of this canister's controllers (`ic0.is_controller`)."""
        return _runtime("ic.is_controller()").is_controller(principal)

    @staticmethod
    def canister_version() -> int:
        """How many times this canister's code or settings changed: installs, upgrades,
        settings updates, ... (`ic0.canister_version`)."""
        return _runtime("ic.canister_version()").canister_version()

    @staticmethod
    def in_replicated_execution() -> bool:
        """Whether this message runs on every node of the subnet (an update, a timer, ...)
        rather than on one (a query called as a query): `ic0.in_replicated_execution`."""
        return _runtime("ic.in_replicated_execution()").in_replicated_execution()

    @staticmethod
    def subnet_self() -> Principal:
        """The id of the subnet this canister runs on (`ic0.subnet_self_copy`)."""
        return _runtime("ic.subnet_self()").subnet_self()

    @staticmethod
    def root_key() -> bytes:
        """The IC's root public key, DER-encoded: the key every certificate chains to, as
        agents know it (`ic0.root_key_copy`). Only in replicated execution (not in a query
        called as a query); a local replica has one when served over HTTP."""
        return _runtime("ic.root_key()").root_key()

    @staticmethod
    def cycles_burn(amount: int) -> int:
        """Burns up to `amount` of the canister's cycles, never below its freezing
        threshold; the cycles burnt (`ic0.cycles_burn128`). Not in queries."""
        return _runtime("ic.cycles_burn()").cycles_burn(amount)

    @staticmethod
    def msg_deadline() -> "int | None":
        """The deadline of the running call when its caller made it best-effort
        (nanoseconds since the epoch; the IC may answer it with a timeout then), else
        `None` (`ic0.msg_deadline`). In updates and queries."""
        return _runtime("ic.msg_deadline()").msg_deadline()

    @staticmethod
    def cost_call(method_name_size: int, payload_size: int) -> int:
        """Cycles a call costs for a method name and arguments of these sizes in bytes, not
        counting the cycles it carries (`ic0.cost_call`)."""
        return _runtime("ic.cost_call()").cost_call(method_name_size, payload_size)

    @staticmethod
    def cost_create_canister() -> int:
        """Cycles creating a canister costs (`ic0.cost_create_canister`)."""
        return _runtime("ic.cost_create_canister()").cost_create_canister()

    @staticmethod
    def cost_http_request(request_size: int, max_res_bytes: int) -> int:
        """Cycles an HTTP outcall costs with a request of `request_size` bytes and at most
        `max_res_bytes` of response (`ic0.cost_http_request`)."""
        return _runtime("ic.cost_http_request()").cost_http_request(
            request_size, max_res_bytes
        )

    @staticmethod
    def cost_sign_with_ecdsa(key_name: str, curve: str = "secp256k1") -> int:
        """Cycles `sign_with_ecdsa` costs with this key (`ic0.cost_sign_with_ecdsa`);
        ValueError for a key or curve the subnet does not have."""
        return _runtime("ic.cost_sign_with_ecdsa()").cost_sign_with_ecdsa(
            key_name, curve
        )

    @staticmethod
    def cost_sign_with_schnorr(key_name: str, algorithm: str) -> int:
        """Cycles `sign_with_schnorr` costs with this key and algorithm (`bip340secp256k1`
        or `ed25519`; `ic0.cost_sign_with_schnorr`); ValueError for an unknown one."""
        return _runtime("ic.cost_sign_with_schnorr()").cost_sign_with_schnorr(
            key_name, algorithm
        )

    @staticmethod
    def cost_vetkd_derive_key(key_name: str, curve: str = "bls12_381_g2") -> int:
        """Cycles `vetkd_derive_key` costs with this key (`ic0.cost_vetkd_derive_key`);
        ValueError for an unknown key or curve."""
        return _runtime("ic.cost_vetkd_derive_key()").cost_vetkd_derive_key(
            key_name, curve
        )
