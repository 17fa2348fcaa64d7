"""End-to-end: the standard library inside a canister (`examples/stdlib/`). Each method
answers JSON text; the test computes the same thing with its own CPython and compares."""

from __future__ import annotations

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
import re
import string
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO, Project, copy_project, served
from conftest import candid_texts as text

CANISTER = "stdlib"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("stdlib") / "stdlib"
    project = copy_project(REPO / "examples" / "stdlib", root)
    # A second canister from the same code: a fresh canister must draw other random numbers.
    config = json.loads((root / "dfx.json").read_text())
    config["canisters"]["stdlib_twin"] = config["canisters"][CANISTER]
    (root / "dfx.json").write_text(json.dumps(config, indent=4))
    with served(project) as p:
        yield p


def call(p: Project, method: str, *args: str, canister: str = CANISTER) -> Any:
    """The method's JSON answer, decoded."""
    return json.loads(p.call_json(canister, method, *args))


def same(value: object) -> Any:
    """`value` as it comes back through JSON (tuples become lists, ...)."""
    return json.loads(json.dumps(value, sort_keys=True))


def test_json_round_trip(project: Project) -> None:
    value = {"a": [1, 2.5, None, True], "b": {"c": "ü\n"}, "n": -(10**30)}
    assert call(project, "json_round_trip", text(json.dumps(value))) == value


def test_datetime_from_ic_time_and_strptime(project: Project) -> None:
    now = call(project, "now")
    moment = datetime.datetime.fromisoformat(now["iso"])
    assert abs(moment.timestamp() - time.time()) < 120, now
    assert moment == datetime.datetime.fromtimestamp(
        now["ns"] / 1e9, tz=datetime.timezone.utc
    )
    fmt = "%Y-%m-%d %H:%M"
    parsed = datetime.datetime.strptime("2024-03-05 14:30", fmt)
    later = parsed + datetime.timedelta(days=40, hours=5)
    expected = [parsed.isoformat(), later.isoformat(), later.strftime("%A %d %B %Y")]
    assert call(project, "parse_date", text("2024-03-05 14:30", fmt)) == expected


def test_math(project: Project) -> None:
    x = 2.0
    expected = [
        math.sqrt(x),
        math.factorial(25),
        math.gcd(12, 18),
        math.pi,
        math.isqrt(10**20),
        math.log(x, 2),  # noqa: FURB163 (as the canister computes it)
    ]
    assert call(project, "maths", f"({x} : float64)") == expected


def test_hashlib(project: Project) -> None:
    data = "Kybra ü".encode()
    names = ["sha256", "sha224", "md5", "sha1", "sha512", "blake2b", "sha3_256"]
    expected = {n: hashlib.new(n, data).hexdigest() for n in names}
    assert call(project, "digests", text("Kybra ü")) == expected


def test_base64(project: Project) -> None:
    data = b"hi there?>"
    expected = [
        base64.b64encode(data).decode(),
        base64.urlsafe_b64encode(data).decode(),
        base64.b32encode(data).decode(),
        base64.b16encode(data).decode(),
        data.decode(),
    ]
    assert call(project, "encodings", text(data.decode())) == expected


def test_collections(project: Project) -> None:
    sentence = "a b a c b a d"
    words = sentence.split()
    ordered = collections.OrderedDict((w, len(w)) for w in words)
    ordered.move_to_end(words[0])
    ring = collections.deque(words, maxlen=4)
    ring.rotate(1)
    by_letter: dict[str, list[str]] = collections.defaultdict(list)
    for w in words:
        by_letter[w[0]].append(w)
    expected = [
        collections.Counter(words).most_common(2),
        list(ordered.items()),
        list(ring),
        dict(by_letter),
        {"left": words[0], "right": words[-1]},
    ]
    assert call(project, "collections_demo", text(sentence)) == same(expected)


def test_itertools(project: Project) -> None:
    n = 6
    expected = [
        list(itertools.permutations(range(3))),
        list(itertools.accumulate(range(n))),
        [(k, len(list(g))) for k, g in itertools.groupby("aaabccdd")],
        list(itertools.product("ab", repeat=2)),
        list(itertools.islice(itertools.count(5, 3), n)),
        [1, 2, 3],
    ]
    assert call(project, "itertools_demo", f"({n} : nat64)") == same(expected)


def test_functools(project: Project) -> None:
    n = 90

    @functools.cache
    def fib(k: int) -> int:
        return k if k < 2 else fib(k - 1) + fib(k - 2)

    total = functools.reduce(lambda a, b: a * b, range(1, n + 1), 1)
    assert call(project, "functools_demo", f"({n} : nat64)") == [
        fib(n),
        2**n,
        total,
        True,
    ]


def test_re(project: Project) -> None:
    pattern, subject = r"(\w)(\d+)", "a1 bb22 c333 d"
    compiled = re.compile(pattern)
    match = compiled.search(subject)
    assert match
    expected = [
        compiled.findall(subject),
        compiled.sub("<\\g<0>>", subject),
        match.span(),
        re.split(r"\s+", subject),
    ]
    assert call(project, "regex", text(pattern, subject)) == same(expected)


def test_string(project: Project) -> None:
    words = "hello wide world"
    expected = [
        string.ascii_letters,
        string.digits,
        string.punctuation,
        string.capwords(words),
        string.Template("$who likes $what").substitute(who="Kybra", what=words),
        f"{words:>10}|{math.e:.3f}",
    ]
    assert call(project, "string_demo", text(words)) == expected


def test_uuid(project: Project) -> None:
    name = "kybra.example"
    got = call(project, "uuids", text(name))
    assert got["uuid4_version"] == 4 and uuid.UUID(got["uuid4"]).version == 4
    assert got["uuid5"] == str(uuid.uuid5(uuid.NAMESPACE_DNS, name))
    assert got["uuid3"] == str(uuid.uuid3(uuid.NAMESPACE_URL, name))
    assert got["parsed"] == str(uuid.UUID("12345678123456781234567812345678"))
    assert call(project, "uuids", text(name))["uuid4"] != got["uuid4"]


def test_decimal(project: Project) -> None:
    a, b = "2", "7"
    with decimal.localcontext() as ctx:
        ctx.prec = 40
        quotient = decimal.Decimal(a) / decimal.Decimal(b)
    product = (decimal.Decimal(a) * decimal.Decimal(b)).quantize(
        decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP
    )
    expected = [str(quotient), str(product), str(decimal.Decimal(a).sqrt())]
    assert call(project, "decimals", text(a, b)) == expected


def test_urllib_parse(project: Project) -> None:
    address = "https://user@example.org:8080/a/b/c?x=1&y=2&x=3#frag"
    parts = urllib.parse.urlparse(address)
    expected = [
        [parts.scheme, parts.netloc, parts.path, parts.query, parts.fragment],
        urllib.parse.parse_qs(parts.query),
        urllib.parse.urlencode({"q": "a b&c", "n": 1}),
        urllib.parse.quote("/path with spaces/ü"),
        urllib.parse.urljoin(address, "../other?x=1"),
    ]
    assert call(project, "url", text(address)) == expected


def test_dataclasses(project: Project) -> None:
    @dataclasses.dataclass(order=True)
    class Item:
        name: str
        price: float = 0.0
        tags: list[str] = dataclasses.field(default_factory=list)

    a = Item("pen", 2.5, ["x"])
    b = dataclasses.replace(a, price=1.0)
    expected = [
        dataclasses.asdict(a),
        sorted([a, b])[0].price,  # noqa: FURB192 (as the canister computes it)
        [f.name for f in dataclasses.fields(Item)],
        True,
    ]
    assert call(project, "dataclasses_demo", text("pen")) == expected


def test_typing(project: Project) -> None:
    got = call(project, "typing_demo", text("Matrix"))
    assert got == [
        {"title": "Matrix", "year": 1999},
        ["title", "year"],
        {"lat": 1.5, "lon": 0.0},
        3,
        "list",
    ]


def test_print_reaches_the_log(project: Project) -> None:
    assert call(project, "say", text("stdlib says hi")) == "stdlib says hi"
    log = (project.root / ".kybra" / "local" / "replica.log").read_text(
        errors="replace"
    )
    assert "print from the stdlib canister: stdlib says hi" in log


def test_dictionary_unpacking(project: Project) -> None:
    a, b = {"a": 1, "shared": "a"}, {"b": 2, "shared": "b"}
    expected = [{**a, **b}, "hi kybra?", dict(a, **b)]
    assert call(project, "merge", text(json.dumps(a), json.dumps(b))) == expected


def test_import_styles_and_shadowed_kybra_names(project: Project) -> None:
    out = project.call(CANISTER, "make_record", '(5 : int64, "p")')
    assert (
        out
        == '(record { label = "p"; point = record { x = 5 : int64; y = -5 : int64 } })'
    )
    assert call(project, "shadowed_names") == [3, 7]


def test_left_out_module_says_so(project: Project) -> None:
    kind, name, message = call(project, "missing_module")
    assert (kind, name) == ("ModuleNotFoundError", "subprocess")
    assert "not built into this canister" in message and "import subprocess" in message


def test_random_works_and_fresh_canisters_differ(project: Project) -> None:
    first = call(project, "random_numbers", "(5 : nat64)")
    again = call(project, "random_numbers", "(5 : nat64)")
    twin = call(project, "random_numbers", "(5 : nat64)", canister="stdlib_twin")
    for draw in (first, again, twin):
        assert all(0 <= r < 1 for r in draw["random"]) and all(
            1 <= r <= 1000 for r in draw["randint"]
        )
        assert len(bytes.fromhex(draw["urandom"])) == 16
    assert (
        first["random"] != again["random"]
    )  # the generator's state persists between updates
    assert first["random"] != twin["random"] and first["urandom"] != twin["urandom"]
