"""The book's HTTP chapter as a canister: a counter served over plain HTTP.

`GET /` answers the counter as text, `GET /stream` streams it in several chunks through
the `http_streaming` callback, and `POST /` asks the gateway to upgrade the call to
`http_request_update`, which increments the counter (kept in a `StableBTreeMap`).
Served locally at `http://<canister-id>.localhost:4943/` or `/?canisterId=<canister-id>`.
"""

from kybra import (
    blob,
    Func,
    ic,
    nat,
    nat16,
    Opt,
    query,
    Query,
    Record,
    StableBTreeMap,
    Tuple,
    update,
    Variant,
    Vec,
)


class HttpRequest(Record):
    method: str
    url: str
    headers: Vec["Header"]
    body: blob


class HttpResponse(Record):
    status_code: nat16
    headers: Vec["Header"]
    body: blob
    streaming_strategy: Opt["StreamingStrategy"]
    upgrade: Opt[bool]


Header = Tuple[str, str]


class StreamingStrategy(Variant):
    Callback: "CallbackStrategy"


class CallbackStrategy(Record):
    callback: "Callback"
    token: "Token"


Callback = Func(Query[["Token"], "StreamingCallbackHttpResponse"])


class StreamingCallbackHttpResponse(Record):
    body: blob
    token: Opt["Token"]


class Token(Record):
    arbitrary_data: str


stable_storage = StableBTreeMap[str, nat](
    memory_id=0, max_key_size=15, max_value_size=1_000
)

TEXT_PLAIN: Header = ("content-type", "text/plain; charset=utf-8")


def counter() -> int:
    return stable_storage.get("counter") or 0


def path_of(url: str) -> str:
    """The path of a request's `url` (path and query string)."""
    return url.split("?", 1)[0]


def text_response(status_code: int, text: str) -> HttpResponse:
    return {
        "status_code": status_code,
        "headers": [TEXT_PLAIN],
        "body": text.encode("utf-8"),
        "streaming_strategy": None,
        "upgrade": None,
    }


@query
def http_request(req: HttpRequest) -> HttpResponse:
    if req["method"] == "GET":
        if path_of(req["url"]) == "/stream":
            return {
                "status_code": 200,
                "headers": [TEXT_PLAIN],
                "body": "Counter".encode("utf-8"),
                "streaming_strategy": {
                    "Callback": {
                        "callback": (ic.id(), "http_streaming"),
                        "token": {"arbitrary_data": "start"},
                    }
                },
                "upgrade": False,
            }
        return text_response(200, f"Counter is {counter()}\n")
    if req["method"] == "POST":
        return {
            "status_code": 204,
            "headers": [],
            "body": bytes(),
            "streaming_strategy": None,
            "upgrade": True,
        }
    return text_response(400, f"Method {req['method']} is not supported\n")


@update
def http_request_update(req: HttpRequest) -> HttpResponse:
    if req["method"] == "POST":
        value = counter() + 1
        stable_storage.insert("counter", value)
        return text_response(201, f"Counter updated to {value}\n")
    return text_response(400, f"Method {req['method']} is not supported\n")


@query
def http_streaming(token: Token) -> StreamingCallbackHttpResponse:
    if token["arbitrary_data"] == "start":
        return {"body": " is ".encode("utf-8"), "token": {"arbitrary_data": "next"}}
    if token["arbitrary_data"] == "next":
        return {
            "body": f"{counter()}".encode("utf-8"),
            "token": {"arbitrary_data": "last"},
        }
    if token["arbitrary_data"] == "last":
        return {"body": " (streamed)\n".encode("utf-8"), "token": None}
    ic.trap(f"unknown streaming token {token['arbitrary_data']!r}")
