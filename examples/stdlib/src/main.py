"""A canister that uses the standard library modules canisters commonly use. Every method
answers JSON text, so a test can compare it with the same computation in CPython."""

import base64
import collections
import dataclasses
import datetime
import decimal
import functools
import hashlib
import itertools
import json
import math
import os
import random
import re
import string
import typing
import urllib.parse
import uuid

from kybra import float64, ic, int64, nat64, query, update
from records import Labelled, Opt, Point, Vec


def answer(value: object) -> str:
    return json.dumps(value, sort_keys=True)


@query
def json_round_trip(text: str) -> str:
    return answer(json.loads(text))


@query
def now() -> str:
    moment = datetime.datetime.fromtimestamp(ic.time() / 1e9, tz=datetime.timezone.utc)
    return answer({"iso": moment.isoformat(), "year": moment.year, "ns": ic.time()})


@query
def parse_date(text: str, fmt: str) -> str:
    parsed = datetime.datetime.strptime(text, fmt)
    later = parsed + datetime.timedelta(days=40, hours=5)
    return answer([parsed.isoformat(), later.isoformat(), later.strftime("%A %d %B %Y")])


@query
def maths(x: float64) -> str:
    return answer([math.sqrt(x), math.factorial(25), math.gcd(12, 18), math.pi, math.isqrt(10**20), math.log(x, 2)])


@update
def random_numbers(n: nat64) -> str:
    return answer(
        {
            "random": [random.random() for _ in range(n)],
            "randint": [random.randint(1, 1000) for _ in range(n)],
            "choice": random.choice(string.ascii_letters),
            "urandom": os.urandom(16).hex(),
        }
    )


@query
def digests(text: str) -> str:
    data = text.encode()
    names = ["sha256", "sha224", "md5", "sha1", "sha512", "blake2b", "sha3_256"]
    return answer({name: hashlib.new(name, data).hexdigest() for name in names})


@query
def encodings(text: str) -> str:
    data = text.encode()
    return answer(
        [
            base64.b64encode(data).decode(),
            base64.urlsafe_b64encode(data).decode(),
            base64.b32encode(data).decode(),
            base64.b16encode(data).decode(),
            base64.b64decode(base64.b64encode(data)).decode(),
        ]
    )


Pair = collections.namedtuple("Pair", ["left", "right"])


@query
def collections_demo(text: str) -> str:
    words = text.split()
    counts = collections.Counter(words)
    ordered = collections.OrderedDict((w, len(w)) for w in words)
    ordered.move_to_end(words[0])
    ring = collections.deque(words, maxlen=4)
    ring.rotate(1)
    by_letter: collections.defaultdict[str, list[str]] = collections.defaultdict(list)
    for w in words:
        by_letter[w[0]].append(w)
    pair = Pair(words[0], words[-1])
    return answer([counts.most_common(2), list(ordered.items()), list(ring), dict(by_letter), pair._asdict()])


@query
def itertools_demo(n: nat64) -> str:
    return answer(
        [
            list(itertools.permutations(range(3))),
            list(itertools.accumulate(range(n))),
            [(k, len(list(g))) for k, g in itertools.groupby("aaabccdd")],
            list(itertools.product("ab", repeat=2)),
            list(itertools.islice(itertools.count(5, 3), n)),
            list(itertools.chain.from_iterable([[1, 2], [3]])),
        ]
    )


@functools.lru_cache(maxsize=None)
def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@query
def functools_demo(n: nat64) -> str:
    power = functools.partial(pow, 2)
    total = functools.reduce(lambda a, b: a * b, range(1, n + 1), 1)
    return answer([fib(n), power(n), total, fib.cache_info().hits > 0])


@query
def regex(pattern: str, text: str) -> str:
    compiled = re.compile(pattern)
    match = compiled.search(text)
    return answer(
        [compiled.findall(text), compiled.sub("<\\g<0>>", text), match.span() if match else None, re.split(r"\s+", text)]
    )


@query
def string_demo(text: str) -> str:
    template = string.Template("$who likes $what")
    return answer(
        [
            string.ascii_letters,
            string.digits,
            string.punctuation,
            string.capwords(text),
            template.substitute(who="Kybra", what=text),
            "{0:>10}|{1:.3f}".format(text, math.e),
        ]
    )


@update
def uuids(name: str) -> str:
    fresh = uuid.uuid4()
    return answer(
        {
            "uuid4_version": fresh.version,
            "uuid4": str(fresh),
            "uuid5": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
            "uuid3": str(uuid.uuid3(uuid.NAMESPACE_URL, name)),
            "parsed": str(uuid.UUID("12345678123456781234567812345678")),
        }
    )


@query
def decimals(a: str, b: str) -> str:
    with decimal.localcontext() as ctx:
        ctx.prec = 40
        quotient = decimal.Decimal(a) / decimal.Decimal(b)
    return answer(
        [
            str(quotient),
            str((decimal.Decimal(a) * decimal.Decimal(b)).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)),
            str(decimal.Decimal(a).sqrt()),
        ]
    )


@query
def url(text: str) -> str:
    parts = urllib.parse.urlparse(text)
    return answer(
        [
            [parts.scheme, parts.netloc, parts.path, parts.query, parts.fragment],
            urllib.parse.parse_qs(parts.query),
            urllib.parse.urlencode({"q": "a b&c", "n": 1}),
            urllib.parse.quote("/path with spaces/ü"),
            urllib.parse.urljoin(text, "../other?x=1"),
        ]
    )


@dataclasses.dataclass(order=True)
class Item:
    name: str
    price: float = 0.0
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Frozen:
    value: int


@query
def dataclasses_demo(name: str) -> str:
    a = Item(name, 2.5, ["x"])
    b = dataclasses.replace(a, price=1.0)
    try:
        setattr(Frozen(1), "value", 2)
        frozen_refused = False
    except dataclasses.FrozenInstanceError:
        frozen_refused = True
    return answer([dataclasses.asdict(a), sorted([a, b])[0].price, [f.name for f in dataclasses.fields(Item)], frozen_refused])


class Movie(typing.TypedDict):
    title: str
    year: int


class Coordinates(typing.NamedTuple):
    lat: float
    lon: float = 0.0


T = typing.TypeVar("T")


class Box(typing.Generic[T]):
    def __init__(self, item: T) -> None:
        self.item = item


@query
def typing_demo(title: str) -> str:
    movie: Movie = {"title": title, "year": 1999}
    hints = typing.get_type_hints(Movie)
    box: Box[int] = Box(3)
    value = typing.cast(typing.Optional[int], box.item)
    return answer([movie, sorted(hints), Coordinates(1.5)._asdict(), value, typing.get_origin(typing.List[int]).__name__])


@query
def say(text: str) -> str:
    print(f"print from the stdlib canister: {text}")
    return answer(text)


def describe(name: str, *, greeting: str = "hello", punctuation: str = "!") -> str:
    return f"{greeting} {name}{punctuation}"


@query
def merge(first: str, second: str) -> str:
    a = json.loads(first)
    b = json.loads(second)
    options = {"greeting": "hi", **{"punctuation": "?"}}
    return answer([{**a, **b}, describe("kybra", **options), dict(a, **b)])


@query
def make_record(x: int64, label: str) -> Labelled:
    point: Point = {"x": x, "y": -x}
    return {"label": label, "point": point}


@query
def shadowed_names() -> str:
    return answer([Vec([1, 2, 3]), Opt(7).value])


@query
def missing_module() -> str:
    try:
        os.popen("true")
    except ModuleNotFoundError as error:
        return answer([type(error).__name__, error.name, str(error)])
    return answer(None)
