# The callee of the book's composite query and notify samples (not in the book).
from kybra import ic, nat64, Opt, query, update, void

notifications: list[str] = []


@query
def query_for_boolean() -> bool:
    return True


# `opt text` accepts both the book's `receive_notification()` and
# `receive_notification("This is the notification")` (Candid subtyping).
@update
def receive_notification(message: Opt[str]) -> void:
    notifications.append(message or "")


@query
def get_notifications() -> list[str]:
    return notifications


@update
def receive_cycles() -> nat64:
    return ic.msg_cycles_accept(ic.msg_cycles_available())
