# Init arguments without editing any .did: `service : (text, nat64) -> {...}` is
# generated from `init_`'s parameters; `kybra deploy --argument '("hi", 2)'` passes them.
from kybra import Principal, ic, init, nat64, post_upgrade, query, update, void

state = {"greeting": "", "installer": None, "count": 0}


@init
def init_(greeting: str, times: nat64) -> void:
    state["greeting"] = greeting * times
    state["installer"] = ic.caller()


@post_upgrade
def post_upgrade_(greeting: str, times: nat64) -> void:
    if greeting == "fail":
        refuse(greeting)
    state["greeting"] = "upgraded " + greeting * times


def refuse(greeting: str) -> None:
    raise ValueError("post_upgrade refuses " + greeting)


@query
def greeting() -> str:
    return state["greeting"]


@query
def installer() -> Principal:
    return state["installer"]


@update
def bump() -> nat64:
    state["count"] += 1
    return state["count"]
