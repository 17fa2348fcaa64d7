"""Outgoing HTTP request types of the management canister (`http_request`), as the IC
interface specification names their fields.

The `transform` function is a query method of the calling canister that takes
`HttpTransformArgs` and returns `HttpResponse`: `{"function": (ic.id(), "my_transform"),
"context": bytes()}`.
"""

from kybra import Func, Opt, Query, Record, Variant, Vec, blob, nat, nat64, null


class HttpMethod(Variant, total=False):
    get: null
    head: null
    post: null


class HttpHeader(Record):
    name: str
    value: str


class HttpResponse(Record):
    status: nat
    headers: Vec[HttpHeader]
    body: blob


class HttpTransformArgs(Record):
    response: HttpResponse
    context: blob


HttpTransformFunc = Func(Query[[HttpTransformArgs], HttpResponse])


class HttpTransform(Record):
    function: HttpTransformFunc  # pyright: ignore[reportInvalidTypeForm]
    context: blob


class HttpRequestArgs(Record):
    url: str
    max_response_bytes: Opt[nat64]
    method: HttpMethod
    headers: Vec[HttpHeader]
    body: Opt[blob]
    transform: Opt[HttpTransform]
