# Install arguments: the record of the example, `record { "hi"; record { id = "1" } }`
# (a Candid tuple of a text and a record), given to @init and @post_upgrade.
from kybra import Record, Tuple, init, post_upgrade, query, text, void


class Inner(Record):
    id: text


Pair = Tuple[text, Inner]

seen: list[str] = ["nothing yet"]


@init
def init_(pair: Pair) -> void:
    seen[0] = f"init {pair[0]} {pair[1]['id']}"


@post_upgrade
def post_upgrade_(pair: Pair) -> void:
    seen[0] = f"post_upgrade {pair[0]} {pair[1]['id']}"


@query
def last() -> text:
    return seen[0]


@query
def describe(pair: Pair) -> text:
    return f"{pair[0]} {pair[1]['id']}"
