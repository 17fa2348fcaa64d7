"""`kybra.canisters.management` on the host: it imports, `management_canister` is
`aaaaa-aa`, every method the book lists is there, and the types build plain dicts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kybra import Principal, Service
from kybra.canisters import management

BOOK_METHODS = {
    "bitcoin_get_balance",
    "bitcoin_get_current_fee_percentiles",
    "bitcoin_get_utxos",
    "bitcoin_send_transaction",
    "canister_status",
    "create_canister",
    "delete_canister",
    "deposit_cycles",
    "ecdsa_public_key",
    "http_request",
    "install_code",
    "provisional_create_canister_with_cycles",
    "provisional_top_up_canister",
    "raw_rand",
    "sign_with_ecdsa",
    "start_canister",
    "stop_canister",
    "uninstall_code",
    "update_settings",
}

# The type names the book imports from `kybra.canisters.management`.
BOOK_TYPES = {
    "CanisterStatusArgs",
    "CanisterStatusResult",
    "CreateCanisterResult",
    "EcdsaPublicKeyResult",
    "GetUtxosResult",
    "HttpResponse",
    "HttpTransformArgs",
    "MillisatoshiPerByte",
    "ProvisionalCreateCanisterWithCyclesResult",
    "Satoshi",
    "SignWithEcdsaResult",
}


def test_management_canister_is_aaaaa_aa() -> None:
    mc = management.management_canister
    assert isinstance(mc, Service)
    assert isinstance(mc, management.ManagementCanister)
    assert mc.canister_id == Principal.from_str("aaaaa-aa")


def test_every_book_method_and_type_is_there() -> None:
    methods = {
        n for n, v in vars(management.ManagementCanister).items() if callable(v)
    } - {"__init__"}
    assert BOOK_METHODS <= methods, BOOK_METHODS - methods
    missing = {n for n in BOOK_TYPES if not hasattr(management, n)}
    assert not missing
    assert set(management.__all__) <= set(dir(management))


def test_records_are_dicts_with_the_specs_field_names() -> None:
    args = management.HttpRequestArgs(
        url="http://127.0.0.1/",
        max_response_bytes=None,
        method={"get": None},
        headers=[],
        body=None,
        transform=None,
    )
    assert type(args) is dict
    fields = set(management.HttpRequestArgs.__annotations__)
    assert fields == {
        "url",
        "max_response_bytes",
        "method",
        "headers",
        "body",
        "transform",
    }
    assert set(management.HttpResponse.__annotations__) == {"status", "headers", "body"}
    assert set(management.BitcoinNetwork.__annotations__) == {
        "Mainnet",
        "Regtest",
        "Testnet",
    }


def test_importing_it_loads_only_the_kybra_package() -> None:
    """Beyond built-in modules (`binascii` is one in the canister), as `kybra` itself."""
    code = (
        "import sys; before = set(sys.modules);"
        "import kybra.canisters.management;"
        "new = sorted(m for m in set(sys.modules) - before"
        " if not m.startswith('kybra') and m not in sys.builtin_module_names and m != 'binascii');"
        "print(','.join(new))"
    )
    src = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            f"import sys; sys.path.insert(0, {str(src)!r}); {code}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "", out.stdout
