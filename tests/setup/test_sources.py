"""The cold path of the set-up: every pinned source of `runtime/sources.txt` is fetched
from scratch into an empty folder and checked against its sha256, on every test run, so
a source that a mirror no longer serves fails here and not on a newcomer's machine."""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FETCH = REPO / "runtime" / "fetch-sources.sh"
LIST = REPO / "runtime" / "sources.txt"


@dataclass(frozen=True)
class Source:
    name: str
    version: str
    file: str
    sha256: str
    urls: tuple[str, ...]

    def line(self) -> str:
        return " ".join([self.name, self.version, self.file, self.sha256, *self.urls])


def pinned() -> list[Source]:
    sources: list[Source] = []
    for raw in LIST.read_text().splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        name, version, file, sha, *urls = raw.split()
        sources.append(Source(name, version, file, sha, tuple(urls)))
    return sources


def fetch(
    into: Path, cache: Path, *args: str, source_list: Path = LIST
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KYBRA_CACHE=str(cache))
    return subprocess.run(
        ["bash", str(FETCH), "--into", str(into), "--list", str(source_list), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_list_pins_every_source_by_version_and_checksum() -> None:
    sources = pinned()
    assert {s.name for s in sources} >= {"cpython", "zlib"}
    for s in sources:
        assert len(s.sha256) == 64 and int(s.sha256, 16) >= 0, s
        assert s.version in s.file, f"{s.file} does not name version {s.version}"
        assert s.urls and all(u.startswith(("https://", "http://")) for u in s.urls), s
        assert all(u.endswith("/" + s.file) for u in s.urls), (
            f"a URL of {s.name} is not for {s.file}"
        )


def test_every_pinned_source_fetches_from_scratch(tmp_path: Path) -> None:
    into = tmp_path / "sources"
    result = fetch(into, tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    for s in pinned():
        path = into / s.file
        assert path.is_file(), f"{s.name}: {path} was not written\n{result.stderr}"
        assert sha256(path) == s.sha256
    assert sorted(p.name for p in into.iterdir()) == sorted(s.file for s in pinned())


def test_a_wrong_checksum_fails_and_says_what_to_do(tmp_path: Path) -> None:
    zlib = next(s for s in pinned() if s.name == "zlib")
    wrong = Source(zlib.name, zlib.version, zlib.file, "0" * 64, zlib.urls)
    listed = tmp_path / "sources.txt"
    listed.write_text(wrong.line() + "\n")
    into = tmp_path / "sources"
    result = fetch(into, tmp_path / "cache", source_list=listed)
    assert result.returncode != 0
    err = result.stderr
    assert f"cannot get zlib {zlib.version} ({zlib.file}, sha256 {'0' * 64})" in err, (
        err
    )
    assert "not the pinned one" in err and zlib.urls[0] in err, err
    assert f"put it at {into / zlib.file}" in err, err
    assert not (into / zlib.file).exists(), (
        "a file that failed its check must not be left for the build"
    )


def test_a_missing_file_fails_naming_every_url_tried(tmp_path: Path) -> None:
    zlib = next(s for s in pinned() if s.name == "zlib")
    base = zlib.urls[0].rsplit("/", 1)[0]
    gone = "zlib_0.0.0.orig.tar.bz2"
    missing = Source("zlib", "0.0.0", gone, zlib.sha256, (f"{base}/{gone}",))
    listed = tmp_path / "sources.txt"
    listed.write_text(missing.line() + "\n")
    result = fetch(tmp_path / "sources", tmp_path / "cache", source_list=listed)
    assert result.returncode != 0
    assert (
        "cannot get zlib 0.0.0" in result.stderr and f"{base}/{gone}:" in result.stderr
    ), result.stderr


def test_a_corrupt_cached_file_is_fetched_again(tmp_path: Path) -> None:
    zlib = next(s for s in pinned() if s.name == "zlib")
    into = tmp_path / "sources"
    into.mkdir()
    (into / zlib.file).write_bytes(b"not a tarball")
    result = fetch(into, tmp_path / "cache", "zlib")
    assert result.returncode == 0, result.stderr
    assert "downloading it again" in result.stderr
    assert sha256(into / zlib.file) == zlib.sha256


def test_a_file_put_there_by_hand_is_used_without_a_download(tmp_path: Path) -> None:
    zlib = next(s for s in pinned() if s.name == "zlib")
    first = fetch(tmp_path / "a", tmp_path / "cache", "zlib")
    assert first.returncode == 0, first.stderr
    listed = tmp_path / "sources.txt"
    offline = Source(
        zlib.name,
        zlib.version,
        zlib.file,
        zlib.sha256,
        ("http://127.0.0.1:9/" + zlib.file,),
    )
    listed.write_text(offline.line() + "\n")
    result = fetch(tmp_path / "a", tmp_path / "cache", source_list=listed)
    assert result.returncode == 0, result.stderr
    assert "downloading" not in result.stderr and "verified" in result.stderr


def test_an_unknown_name_is_an_error(tmp_path: Path) -> None:
    result = fetch(tmp_path / "s", tmp_path / "cache", "no-such-source")
    assert (
        result.returncode != 0 and "has no entry named no-such-source" in result.stderr
    )
