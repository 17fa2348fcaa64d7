"""An `async def` heartbeat that awaits a call (to this canister's own query) every beat.
The StableBTreeMap is declared before the Service class on purpose: opening the map while
the module is still being imported must not need classes defined further down."""
from kybra import heartbeat, ic, nat64, Principal, query, Service, service_query, StableBTreeMap, void

log = StableBTreeMap[nat64, nat64](memory_id=0, max_key_size=16, max_value_size=16)


class Me(Service):
    @service_query
    def beats(self) -> nat64: ...


seen = 0


@heartbeat
async def beat() -> void:
    global seen
    result = await Me(ic.id()).beats()
    seen = result.unwrap() + 1
    log.insert(seen, ic.time())


@query
def beats() -> nat64:
    return seen


@query
def logged() -> nat64:
    return log.len()


@query
def me() -> Principal:
    return ic.id()
