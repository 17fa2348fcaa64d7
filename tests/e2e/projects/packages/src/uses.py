"""Calls into popular PyPI packages, one function per kind, each returning plain JSON
values. The canister (main.py) and the test's host CPython run this same module, and the
test compares their answers."""

import datetime
import decimal
import hashlib
import zoneinfo

import attrs
import boltons.dictutils
import boltons.mathutils
import boltons.strutils
import certifi
import ecdsa
import idna
import jinja2
import markupsafe
import more_itertools
import simplejson
import toolz
import yaml
from dateutil import parser, relativedelta, rrule


def dates() -> dict:
    moment = parser.parse("2024-03-05T14:30:00+01:00")
    later = moment + relativedelta.relativedelta(
        months=+1, weekday=relativedelta.FR(-1)
    )
    weekly = rrule.rrule(rrule.WEEKLY, count=3, dtstart=datetime.datetime(2024, 1, 1))
    summer = datetime.datetime(2024, 7, 1, 12, tzinfo=datetime.timezone.utc)
    zurich = summer.astimezone(zoneinfo.ZoneInfo("Europe/Zurich"))
    tokyo = summer.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    return {
        "parsed": moment.isoformat(),
        "last_friday_next_month": later.isoformat(),
        "weekly": [d.isoformat() for d in weekly],
        "zurich": zurich.isoformat(),
        "zurich_name": zurich.tzname(),
        "tokyo": tokyo.isoformat(),
    }


@attrs.define(order=True)
class Point:
    x: int = attrs.field(validator=attrs.validators.instance_of(int))
    y: int = 0


def models() -> dict:
    p = Point(3, 4)
    moved = attrs.evolve(p, y=10)
    try:
        Point("no")  # type: ignore[arg-type]
        rejected = ""
    except TypeError as e:
        rejected = type(e).__name__
    return {
        "asdict": attrs.asdict(moved),
        "repr": repr(moved),
        "sorted": [repr(q) for q in sorted([moved, p, Point(1)])],
        "rejected": rejected,
    }


def serialise(text: str) -> dict:
    data = yaml.safe_load(text)
    return {
        "yaml_loaded": data,
        "yaml_dumped": yaml.safe_dump(data, sort_keys=True),
        "simplejson": simplejson.dumps(
            {"price": decimal.Decimal("19.99"), "items": data},
            sort_keys=True,
            use_decimal=True,
        ),
        "simplejson_decimal": str(
            simplejson.loads('{"x": 1.10}', use_decimal=True)["x"]
        ),
    }


def templates(name: str, items: list) -> dict:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kybra_e2e_assets"), autoescape=True
    )
    inline = jinja2.Template("{{ a }} + {{ b }} = {{ a + b }}")
    return {
        "package_template": env.get_template("greeting.html").render(
            name=name, items=items
        ),
        "inline": inline.render(a=2, b=3),
        "escaped": str(markupsafe.escape(name)),
        "markup": str(markupsafe.Markup("<b>%s</b>") % name),
    }


def utilities() -> dict:
    return {
        "clamp": boltons.mathutils.clamp(15, lower=0, upper=10),
        "slugify": boltons.strutils.slugify("Hello, Kybra World!"),
        "omd": boltons.dictutils.OMD([("a", 1), ("b", 2), ("a", 3)]).getlist("a"),
        "groupby": {
            str(k): v for k, v in toolz.groupby(len, ["a", "bb", "cc", "ddd"]).items()
        },
        "pipe": toolz.pipe(5, lambda x: x * 2, lambda x: x + 1),
        "windowed": [list(w) for w in more_itertools.windowed([1, 2, 3, 4], 2)],
        "distribute": [list(c) for c in more_itertools.distribute(2, range(5))],
    }


def crypto(message: str) -> dict:
    key = ecdsa.SigningKey.from_secret_exponent(
        123456789, curve=ecdsa.SECP256k1, hashfunc=hashlib.sha256
    )
    signature = key.sign_deterministic(message.encode())
    return {
        "public_key": key.get_verifying_key().to_string("compressed").hex(),
        "signature": signature.hex(),
        "verified": key.get_verifying_key().verify(signature, message.encode()),
    }


def domains(name: str) -> dict:
    encoded = idna.encode(name).decode()
    return {"encoded": encoded, "decoded": idna.decode(encoded)}


def certificates() -> dict:
    pem = certifi.contents()
    with open(certifi.where(), encoding="ascii") as f:
        same = f.read() == pem
    return {
        "sha256": hashlib.sha256(pem.encode()).hexdigest(),
        "certificates": pem.count("BEGIN CERTIFICATE"),
        "where_reads_the_same": same,
    }
