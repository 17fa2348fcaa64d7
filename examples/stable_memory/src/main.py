# The book's Reference samples for stable memory ("stable bytes" ... "stable64 write"),
# one canister. The book names its stable64 grow sample `stable_grow` (calling
# ic.stable_grow) too; two methods cannot share a name, so here it is `stable64_grow`.
from kybra import (
    blob,
    ic,
    nat32,
    nat64,
    query,
    Stable64GrowResult,
    StableGrowResult,
    update,
    void,
)


@query
def stable_bytes() -> blob:
    return ic.stable_bytes()


@update
def stable_grow(new_pages: nat32) -> StableGrowResult:
    return ic.stable_grow(new_pages)


@query
def stable_read(offset: nat32, length: nat32) -> blob:
    return ic.stable_read(offset, length)


@query
def stable_size() -> nat32:
    return ic.stable_size()


@update
def stable_write(offset: nat32, buf: blob) -> void:
    ic.stable_write(offset, buf)


@update
def stable64_grow(new_pages: nat64) -> Stable64GrowResult:
    return ic.stable64_grow(new_pages)


@query
def stable64_read(offset: nat64, length: nat64) -> blob:
    return ic.stable64_read(offset, length)


@query
def stable64_size() -> nat64:
    return ic.stable64_size()


@update
def stable64_write(offset: nat64, buf: blob) -> void:
    ic.stable64_write(offset, buf)
