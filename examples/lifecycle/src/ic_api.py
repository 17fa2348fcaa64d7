# The book's Reference: "Call APIs" and "Canister APIs" samples that need no other canister.
from kybra import blob, ic, int8, nat, nat32, nat64, Opt, Principal, query, update, void


# returns the argument data as bytes.
@query
def arg_data_raw(arg1: blob, arg2: int8, arg3: bool, arg4: str) -> blob:
    return ic.arg_data_raw()


# returns the length of the argument data in bytes
@query
def arg_data_raw_size(arg1: blob, arg2: int8, arg3: bool, arg4: str) -> nat32:
    return ic.arg_data_raw_size()


# returns the principal of the identity that called this function
@query
def caller() -> Principal:
    return ic.caller()


# returns the amount of cycles available in the canister
@query
def canister_balance() -> nat64:
    return ic.canister_balance()


# returns the amount of cycles available in the canister
@query
def canister_balance128() -> nat:
    return ic.canister_balance128()


# decodes Candid bytes to a Candid string
@query
def candid_decode(candid_encoded: blob) -> str:
    return ic.candid_decode(candid_encoded)


# encodes a Candid string to Candid bytes
@query
def candid_encode(candid_string: str) -> blob:
    return ic.candid_encode(candid_string)


@query
def data_certificate() -> Opt[blob]:
    return ic.data_certificate()


# returns this canister's id
@query
def id() -> Principal:
    return ic.id()


@query
def performance_counter() -> nat64:
    return ic.performance_counter(0)


# prints a message through the local replica's output
@query
def print(message: str) -> bool:
    ic.print(message)
    return True


# sets up to 32 bytes of certified data
@update
def set_certified_data(data: blob) -> void:
    ic.set_certified_data(data)


# returns the current timestamp
@query
def time() -> nat64:
    return ic.time()


# traps with a message, stopping execution and discarding all state within the call
@query
def trap(message: str) -> bool:
    ic.trap(message)
    return True


@update
def receive_cycles() -> nat64:
    return ic.msg_cycles_accept(ic.msg_cycles_available() // 2)


@update
def receive_cycles128() -> nat:
    return ic.msg_cycles_accept128(ic.msg_cycles_available128() // 2)


@query
def accept_message_in_a_query() -> str:
    try:
        ic.accept_message()
    except Exception as e:
        return type(e).__name__ + ": " + str(e)
    return "no error"
