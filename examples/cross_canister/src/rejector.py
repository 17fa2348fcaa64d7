# The callee of the book's "reject message" sample: rejects with the given message.
from kybra import empty, ic, Manual, update


@update
def reject(message: str) -> Manual[empty]:
    ic.reject(message)
