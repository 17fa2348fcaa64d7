"""Interfaces of the Internet Computer's system canisters, for calls from Python.

`kybra.canisters.management` is the management canister (`aaaaa-aa`). The Kybra compiler
reads these modules as source (their `Record`/`Variant`/`Service` classes become Candid
types of the canisters that use them) and ships them in the canister.
"""
