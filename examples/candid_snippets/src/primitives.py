from kybra import (
    Alias,
    empty,
    ic,
    int32,
    nat8,
    null,
    Opt,
    Principal,
    query,
    reserved,
    Tuple,
    Vec,
)

Key = Alias[nat8]
Value = Alias[str]
Header = Tuple[str, str]


@query
def get_principal() -> Principal:
    return Principal.from_str("rrkah-fqaaa-aaaaa-aaaaq-cai")


@query
def print_principal(principal: Principal) -> Principal:
    ic.print(type(principal))
    return principal


@query
def get_reserved() -> reserved:
    return "anything"


@query
def print_reserved(reserved: reserved) -> reserved:
    ic.print(type(reserved))
    return reserved


@query
def get_empty() -> empty:
    raise Exception("Anything you want")


@query
def get_null() -> null:
    return None


@query
def print_null(none: null) -> null:
    ic.print(type(none))
    return none


@query
def get_numbers() -> Vec[int32]:
    return [0, 1, 2, 3]


@query
def get_opt_some() -> Opt[bool]:
    return True


@query
def get_opt_none() -> Opt[bool]:
    return None


# added: the StableBTreeMap chapter's aliases and the http chapter's tuple alias
@query
def items(keys: Vec[Key]) -> Vec[Tuple[Key, Value]]:
    return [(k, str(k)) for k in keys]


@query
def headers() -> Vec[Header]:
    return [("content-type", "text/plain")]
