# The book's Reference, "Guard Functions" (the random example), plus a deterministic guard.
import random

from kybra import GuardResult, query, update, void


def protect_the_world() -> GuardResult:
    if random.random() > 0.5:
        return {"Ok": None}
    else:
        return {"Err": "The world must be protected"}


@update(guard=protect_the_world)
def hello_world() -> str:
    return "Hello world!"


state = {"open": True}


def is_open() -> GuardResult:
    return {"Ok": None} if state["open"] else {"Err": "the door is closed"}


@query(guard=is_open)
def knock() -> str:
    return "come in"


@update
def set_open(open: bool) -> void:
    state["open"] = open
