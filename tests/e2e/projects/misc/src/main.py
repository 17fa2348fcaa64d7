"""A test canister exercising the foundation's runtime paths: traps, exceptions,
instruction limits, logging and the basic `ic` API."""

from kybra import ic, nat8, nat64, query, update, void

counter: int = 0
message: str = ""


@query
def get_state() -> str:
    return f"{message}:{counter}"


@update
def increment() -> nat64:
    global counter
    counter += 1
    return counter


@update
def set_then_trap(new_message: str) -> void:
    global message, counter
    message = new_message
    counter += 1
    ic.trap("set_then_trap refused " + new_message)


@update
def set_then_raise(new_message: str) -> void:
    global message
    message = new_message
    raise ValueError("bad value " + new_message)


@query
def spin() -> nat64:
    n = 0
    while True:
        n += 1


@update
def shout(words: str) -> str:
    print("print says", words)
    ic.print("ic.print says " + words)
    return words.upper()


@query
def whoami() -> str:
    return ic.caller().to_str()


@query
def self_id() -> str:
    return ic.id().to_str()


@query
def now() -> nat64:
    return ic.time()


@query
def echo_nat8(x: nat8) -> nat8:
    return x


@query
def bad_return() -> nat8:
    return 300  # type: ignore[return-value]  # does not fit: the runtime must trap


@update
def receive_cycles() -> nat64:
    """Keeps half of the cycles the call carries (the book's sample); the rest go back."""
    return ic.msg_cycles_accept(ic.msg_cycles_available() // 2)


@query
def subnet() -> str:
    return ic.subnet_self().to_str()


@update
def root_key_hex() -> str:
    return ic.root_key().hex()
