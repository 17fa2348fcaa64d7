"""End-to-end: each caveat of the Kybra Book's three "Caveats" sections (Stable Structures,
Canister Lifecycle, and the chapter "Caveats") no longer applies, one test each. Canisters:
`tests/e2e/projects/caveats` (memory ids, keys), the book's lifecycle samples
(`examples/lifecycle`) and the stdlib example (`examples/stdlib`, for the Python caveats)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import KYBRA, REPO, Project, copy_project, free_port
from test_stdlib import call, text
from wasm import summarize

LIFECYCLE_SRC = REPO / "examples" / "lifecycle" / "src"


def add(project: Project, name: str, main: str) -> None:
    config = json.loads((project.root / "dfx.json").read_text())
    config["canisters"][name] = {"type": "kybra", "main": main}
    (project.root / "dfx.json").write_text(json.dumps(config, indent=4))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("caveats") / "caveats"
    project = copy_project(REPO / "tests" / "e2e" / "projects" / "caveats", root)
    shutil.copytree(LIFECYCLE_SRC, root / "lifecycle_src")
    shutil.copytree(REPO / "examples" / "stdlib" / "src", root / "stdlib_src")
    add(project, "init_params", "lifecycle_src/init_params.py")
    add(project, "stdlib", "stdlib_src/main.py")
    project.kybra(
        "start", "--background", "--clean", "--host", f"127.0.0.1:{free_port()}"
    )
    try:
        project.kybra("deploy", "caveats")
        project.kybra("deploy", "stdlib")
        project.kybra("deploy", "init_params", "--argument", '("hi", 2)')
        yield project
    finally:
        project.kybra("stop", check=False)


# --- Stable Structures: Caveats -------------------------------------------------------


def test_memory_ids_0_to_254_are_all_usable_and_none_is_reserved(
    project: Project,
) -> None:
    project.call("caveats", "put_everywhere", '("v")')
    ids = [0, 1, 2, 100, 252, 253, 254]
    expected = (
        "(\n  vec {\n"
        + "".join(f'    opt "v in map {i}";\n' for i in range(len(ids)))
        + "  },\n)"
    )
    assert project.call("caveats", "read_everywhere") == expected
    project.kybra("canister", "install", "caveats", "--mode", "upgrade")
    assert (
        project.call("caveats", "read_everywhere") == expected
    )  # and they survive upgrades


def test_float_keys_are_ordered_numerically_with_nan_first(project: Project) -> None:
    out = project.call("caveats", "float_order", "--output", "json")
    keys = json.loads(out)
    # -0.0 and 0.0 are one key (the first insert's value stays, under the key 0.0).
    assert keys == ["nan", "-inf", "-1.5", "0.0", "1e-300", "2.0", "inf"], keys


def test_func_and_service_keys_have_one_order_whatever_the_insertion_order(
    project: Project,
) -> None:
    forward = json.loads(
        project.call("caveats", "func_and_service_order", "(false)", "--output", "json")
    )
    backward = json.loads(
        project.call("caveats", "func_and_service_order", "(true)", "--output", "json")
    )
    assert forward == backward and len(forward) == 6, (forward, backward)


# --- Canister Lifecycle: Caveats, and the chapter's "init and post_upgrade" -----------


def test_caller_in_init_is_the_deployer(project: Project) -> None:
    assert (
        project.call("init_params", "installer")
        == f'(principal "{project.principal()}")'
    )


def test_init_params_are_in_the_generated_did_without_editing(project: Project) -> None:
    did = (project.root / ".kybra" / "init_params" / "init_params.did").read_text()
    assert "service : (text, nat64) -> {" in did, did
    assert project.call("init_params", "greeting") == '("hihi")'


def test_init_errors_show_up_in_deploys_output(project: Project) -> None:
    src = project.root / "failing_src"
    src.mkdir()
    (src / "main.py").write_text(
        "from kybra import init, query, void\n\n\n"
        "@init\ndef init_() -> void:\n    check()\n\n\n"
        "def check() -> None:\n    raise ValueError('init refuses to start')\n\n\n"
        "@query\ndef ok() -> str:\n    return 'ok'\n"
    )
    add(project, "failing_init", "failing_src/main.py")
    out = project.fails("deploy", "failing_init")
    assert "Uncaught ValueError: init refuses to start" in out, out
    assert re.search(r"failing_src/main\.py:\d+ in check", out), out


def test_guard_functions_on_init_are_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    project = Project(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text(
        "from kybra import GuardResult, init, void\n\n\n"
        "def g() -> GuardResult:\n    return {'Ok': None}\n\n\n"
        "@init(guard=g)\ndef init_() -> void:\n    pass\n"
    )
    (tmp_path / "dfx.json").write_text(
        json.dumps({"canisters": {"g": {"type": "kybra", "main": "src/main.py"}}})
    )
    out = project.fails("build")
    assert "`@init` cannot have a guard function" in out and "src/main.py" in out, out


# --- The chapter "Caveats" -------------------------------------------------------------


LOCKED = "e2e_locked"
WHOAMI = "from kybra import ic, query\n\n\n@query\ndef whoami() -> str:\n    return ic.caller().to_str()\n"


def kybra_without_terminal(
    project: Project, *args: str
) -> subprocess.CompletedProcess[str]:
    """`kybra ARGS` in a session of its own (no controlling terminal to prompt on) and
    without $KYBRA_IDENTITY_PASSWORD."""
    env = {k: v for k, v in os.environ.items() if k != "KYBRA_IDENTITY_PASSWORD"}
    return subprocess.run(
        [str(KYBRA), *args],
        cwd=project.root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
        check=False,
    )


def test_encrypted_identities_deploy(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The book: "Kybra currently does not support encrypted dfx identities". Now it does,
    # in dfx's format (identity.pem.encrypted + identity.json), the password from the env.
    monkeypatch.setenv("KYBRA_IDENTITY_PASSWORD", "a password longer than 8")
    project.kybra(
        "identity", "new", LOCKED, "--storage-mode", "password-protected", "--force"
    )
    folder = Path(os.environ["KYBRA_CONFIG_DIR"]) / "identity" / LOCKED
    assert sorted(p.name for p in folder.iterdir()) == [
        "identity.json",
        "identity.pem.encrypted",
    ]
    assert b"PRIVATE KEY" not in (folder / "identity.pem.encrypted").read_bytes()
    principal = project.principal(LOCKED)
    assert principal not in (project.principal(), "2vxsx-fae")

    (project.root / "locked_src").mkdir()
    (project.root / "locked_src" / "main.py").write_text(WHOAMI)
    add(project, "locked", "locked_src/main.py")
    project.kybra("deploy", "locked", "--identity", LOCKED)
    assert project.call("locked", "whoami", "--identity", LOCKED) == f'("{principal}")'
    # The encrypted identity deployed it, so it is the controller, not the default identity.
    message = project.fails("deploy", "locked", "--mode", "reinstall", "--yes")
    assert "controller" in message.lower(), message

    monkeypatch.setenv("KYBRA_IDENTITY_PASSWORD", "not the password")
    assert f"wrong password for identity {LOCKED}" in project.fails(
        "identity", "get-principal", "--identity", LOCKED
    )
    monkeypatch.delenv("KYBRA_IDENTITY_PASSWORD")
    result = kybra_without_terminal(
        project, "identity", "get-principal", "--identity", LOCKED
    )
    assert result.returncode != 0 and result.stdout == "", result
    assert (
        "no terminal to ask for its password: set KYBRA_IDENTITY_PASSWORD"
        in result.stderr
    ), result.stderr


def test_candid_service_metadata_is_in_the_module_and_served(
    project: Project, tmp_path: Path
) -> None:
    out = project.root / ".kybra" / "caveats"
    did = (out / "caveats.did").read_text()
    module = summarize((out / "caveats.wasm").read_bytes())
    assert module.custom["icp:public candid:service"].decode() == did
    # A client with no .did reads the interface from the replica (read_state metadata).
    canister_id = project.kybra("canister", "id", "caveats").stdout.strip()
    address = str(
        json.loads((project.root / ".kybra" / "local" / "replica.json").read_text())[
            "url"
        ]
    )
    outside = Project(tmp_path)
    assert outside.call(
        canister_id, "read_everywhere", "--network", address
    ).startswith("(\n  vec {")


def module_hash(project: Project, name: str) -> str:
    status = project.kybra("canister", "status", name).stdout
    found = re.search(r"Module hash: (0x[0-9a-f]{64})", status)
    assert found, status
    return found.group(1)


def test_module_hash_covers_the_python_code(project: Project) -> None:
    gz = project.root / ".kybra" / "init_params" / "init_params.wasm.gz"
    installed = module_hash(project, "init_params")
    assert installed == "0x" + hashlib.sha256(gz.read_bytes()).hexdigest()
    # (A rebuild may differ from the installed module: the build embeds the project's
    # canister ids, and this module's tests created more canisters since.)
    project.kybra("build", "init_params")
    rebuilt = "0x" + hashlib.sha256(gz.read_bytes()).hexdigest()
    project.kybra("build", "init_params")
    assert (
        "0x" + hashlib.sha256(gz.read_bytes()).hexdigest() == rebuilt
    )  # same source, same hash
    source = project.root / "lifecycle_src" / "init_params.py"
    original = source.read_text()
    source.write_text(original.replace("upgraded ", "upgraded! "))
    try:
        project.kybra("build", "init_params")
        changed = "0x" + hashlib.sha256(gz.read_bytes()).hexdigest()
        assert changed != rebuilt  # a one-character change in Python changes the hash
        project.kybra(
            "canister",
            "install",
            "init_params",
            "--mode",
            "upgrade",
            "--argument",
            '("x", 1)',
        )
        # (`canister install` builds again, with the canister ids in its environment.)
        upgraded = module_hash(project, "init_params")
        assert (
            upgraded == "0x" + hashlib.sha256(gz.read_bytes()).hexdigest() != installed
        )
    finally:
        source.write_text(original)


def test_dictionary_unpacking_works(project: Project) -> None:
    assert call(project, "merge", text('{"a": 1}', '{"a": 2, "b": 3}')) == [
        {"a": 2, "b": 3},
        "hi kybra?",
        {"a": 2, "b": 3},
    ]


def test_print_works(project: Project) -> None:
    call(project, "say", text("caveat print"))
    log = (project.root / ".kybra" / "local" / "replica.log").read_text(
        errors="replace"
    )
    assert "print from the stdlib canister: caveat print" in log


def test_import_kybra_and_renamed_types_work(project: Project) -> None:
    # `class Point(kybra.Record)` and `class Labelled(R)` with `from kybra import Record as R`.
    did = (project.root / ".kybra" / "stdlib" / "stdlib.did").read_text()
    assert "type Point = record { x : int64; y : int64 };" in did, did
    assert "type Labelled = record { label : text; point : Point };" in did, did
    assert project.call("stdlib", "make_record", '(1 : int64, "a")') == (
        '(record { label = "a"; point = record { x = 1 : int64; y = -1 : int64 } })'
    )


def test_user_names_like_kybra_types_do_not_confuse_the_build(project: Project) -> None:
    # records.py defines its own `Vec` function and `Opt` class; main.py imports them.
    assert call(project, "shadowed_names") == [3, 7]
