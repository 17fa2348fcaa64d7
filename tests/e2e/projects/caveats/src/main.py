"""The Kybra Book's StableBTreeMap caveats, gone: every memory id 0..=254 is usable (the
book reserved 0, 1, 2, 252, 253 and 254), and float, func and service keys have a
documented order (floats numerically with NaN first; funcs and services by their Candid
bytes, the same whatever the insertion order)."""

from kybra import (
    Func,
    Opt,
    Principal,
    Query,
    Service,
    StableBTreeMap,
    Vec,
    float64,
    nat8,
    query,
    service_query,
    update,
    void,
)

# Defined before the first map: the runtime opens every declared map, and resolves their
# key and value classes, when the module constructs its first one.
Callback = Func(Query[[], str])


class Other(Service):
    @service_query
    def name(self) -> str: ...


m0 = StableBTreeMap[nat8, str](memory_id=0, max_key_size=8, max_value_size=100)
m1 = StableBTreeMap[nat8, str](memory_id=1, max_key_size=8, max_value_size=100)
m2 = StableBTreeMap[nat8, str](memory_id=2, max_key_size=8, max_value_size=100)
m100 = StableBTreeMap[nat8, str](memory_id=100, max_key_size=8, max_value_size=100)
m252 = StableBTreeMap[nat8, str](memory_id=252, max_key_size=8, max_value_size=100)
m253 = StableBTreeMap[nat8, str](memory_id=253, max_key_size=8, max_value_size=100)
m254 = StableBTreeMap[nat8, str](memory_id=254, max_key_size=8, max_value_size=100)
MAPS = [m0, m1, m2, m100, m252, m253, m254]

floats = StableBTreeMap[float64, str](memory_id=10, max_key_size=16, max_value_size=100)
funcs = StableBTreeMap[Callback, str](memory_id=11, max_key_size=200, max_value_size=100)
services = StableBTreeMap[Other, str](memory_id=12, max_key_size=200, max_value_size=100)

PRINCIPALS = ["aaaaa-aa", "rrkah-fqaaa-aaaaa-aaaaq-cai", "ryjl3-tyaaa-aaaaa-aaaba-cai"]


@update
def put_everywhere(value: str) -> void:
    for i, m in enumerate(MAPS):
        m.insert(i, f"{value} in map {i}")


@query
def read_everywhere() -> Vec[Opt[str]]:
    return [m.get(i) for i, m in enumerate(MAPS)]


@update
def float_order() -> Vec[str]:
    for k in [2.0, float("nan"), -1.5, float("inf"), 0.0, float("-inf"), -0.0, 1e-300]:
        floats.insert(k, repr(k))
    return [repr(k) for k in floats.keys()]


@update
def func_and_service_order(reverse: bool) -> Vec[str]:
    for m in [funcs, services]:
        for k in list(m.keys()):
            m.remove(k)
    order = list(reversed(PRINCIPALS)) if reverse else PRINCIPALS
    for text in order:
        p = Principal.from_str(text)
        funcs.insert((p, "name"), text)
        services.insert(Other(p), text)
    found = [funcs.get((Principal.from_str(t), "name")) == t for t in PRINCIPALS]
    found += [services.get(Other(Principal.from_str(t))) == t for t in PRINCIPALS]
    if not all(found):
        raise ValueError(f"a func or service key was lost: {found}")
    return [f"func {v}" for v in funcs.values()] + [f"service {v}" for v in services.values()]
