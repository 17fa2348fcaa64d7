"""B, in the middle: generator-style calls to C (its id comes from dfx's CANISTER_ID_C)."""
import os

from kybra import (
    Async,
    CallResult,
    empty,
    ic,
    Manual,
    nat64,
    Principal,
    query,
    Service,
    service_query,
    service_update,
    update,
)


class C(Service):
    @service_update
    def bump(self, n: nat64) -> nat64: ...

    @service_query
    def get(self) -> nat64: ...

    @service_update
    def take_half(self) -> nat64: ...

    @service_update
    def refuse(self, message: str) -> empty: ...


c = C(Principal.from_str(os.environ["CANISTER_ID_C"]))


@update
def relay(n: nat64) -> Async[nat64]:
    result: CallResult[nat64] = yield c.bump(n)
    return result.unwrap()


@update
def relay_cycles() -> Async[nat64]:
    """Keeps half of the cycles it is sent (the rest goes back to the caller) and passes
    them on to C, which keeps half of those (the rest comes back to B)."""
    received = ic.msg_cycles_accept(ic.msg_cycles_available() // 2)
    result: CallResult[nat64] = yield c.take_half().with_cycles(received)
    return result.unwrap()


@update
def relay_refusal(message: str) -> Manual[nat64]:
    """Answers with C's rejection, code and message as they came."""
    yield c.refuse(message)
    ic.reject(f"{list(ic.reject_code())[0]}: {ic.reject_message()}")


@query
def c_count() -> Async[nat64]:
    result: CallResult[nat64] = yield c.get()
    return result.unwrap()
