"""A, the start of the chain: `async def` / `await` calls to B and C."""
import os
from collections.abc import Generator

from kybra import (
    Async,
    Call,
    CallResult,
    empty,
    ic,
    IcError,
    nat64,
    Principal,
    query,
    Record,
    RejectionCode,
    Service,
    service_query,
    service_update,
    update,
    void,
)


class B(Service):
    @service_update
    def relay(self, n: nat64) -> nat64: ...

    @service_update
    def relay_cycles(self) -> nat64: ...

    @service_update
    def relay_refusal(self, message: str) -> nat64: ...


class C(Service):
    @service_update
    def bump(self, n: nat64) -> nat64: ...

    @service_query
    def get(self) -> nat64: ...

    @service_update
    def refuse(self, message: str) -> empty: ...


b = B(Principal.from_str(os.environ["CANISTER_ID_B"]))
c = C(Principal.from_str(os.environ["CANISTER_ID_C"]))

counter = 0
timer_result = 0


class Refusal(Record):
    code: RejectionCode
    message: str
    err: str


class CyclesReport(Record):
    kept_by_c: nat64
    refunded: nat64


@update
async def chain(n: nat64) -> nat64:
    result = await b.relay(n)
    return result.unwrap()


@update
async def cycles_through_b(amount: nat64) -> CyclesReport:
    result = await b.relay_cycles().with_cycles(amount)
    return {"kept_by_c": result.unwrap(), "refunded": ic.msg_cycles_refunded()}


@update
async def refusal_through_b(message: str) -> Refusal:
    result = await b.relay_refusal(message)
    return {"code": ic.reject_code(), "message": ic.reject_message(), "err": result.Err or ""}


@update
async def commit_then_fail() -> void:
    global counter
    counter += 1  # committed: the await ends this message
    await c.bump(1)
    counter += 100  # rolled back with the trap below
    raise RuntimeError("failed after the await")


@query
def get_counter() -> nat64:
    return counter


@update
def many_at_once(n: nat64) -> Async[list[nat64]]:
    results: list[CallResult[nat64]] = yield [c.bump(1) for _ in range(n)]
    return sorted(r.unwrap() for r in results)


def bump_twice() -> Generator[Call[nat64], CallResult[nat64], nat64]:
    """A helper generator: its calls are made by whichever method delegates to it."""
    first: CallResult[nat64] = yield c.bump(1)
    second: CallResult[nat64] = yield c.bump(1)
    return second.unwrap() - first.unwrap()


@update
def nested() -> Async[nat64]:
    step = yield from bump_twice()
    return step


def bump_then_fail() -> Generator[Call[nat64], CallResult[nat64], nat64]:
    """A helper generator whose exception reaches the method that yielded it."""
    yield c.bump(1)
    raise ValueError("the helper failed after its call")


@update
def nested_by_yield() -> Async[str]:
    """`x = yield helper()`, as the original Kybra allowed: the helper runs to its end (its
    calls made on the way) and the yield gives its return value, or raises its exception."""
    step = yield bump_twice()
    try:
        yield bump_then_fail()
    except ValueError as e:
        return f"{step}: {e}"
    return f"{step}: no exception"


@update
def bad_calls() -> Async[list[str]]:
    """Each misuse is raised into the generator at its `yield`, where it can be caught."""
    errors: list[str] = []
    try:
        yield c.bump("five")  # type: ignore[arg-type]
    except TypeError as e:
        errors.append(str(e))
    try:
        yield 42
    except TypeError as e:
        errors.append(str(e))
    return errors


@query
def plain_query_calls() -> str:
    try:
        yield c.get()
    except IcError as e:
        return str(e)
    return "the call was allowed"


@query
async def c_count() -> nat64:
    result = await c.get()
    return result.unwrap()


@query
def composite_calls_update() -> Async[str]:
    result: CallResult[nat64] = yield c.bump(1)
    return result.Err or "the update was allowed"


async def bump_from_timer() -> None:
    global timer_result
    result = await c.bump(10)
    timer_result = result.unwrap()


@update
def start_timer() -> void:
    ic.set_timer(0, bump_from_timer)


@query
def get_timer_result() -> nat64:
    return timer_result
