"""Codec benchmark canister: a vec of records in and out, the same method as `echo` of
the Rust baseline (tests/canisters/rust_hello)."""

from kybra import Record, Vec, float64, nat64, text, update


class Item(Record):
    id: nat64
    name: text
    tags: Vec[text]
    score: float64


@update
def echo(items: Vec[Item]) -> Vec[Item]:
    return items
