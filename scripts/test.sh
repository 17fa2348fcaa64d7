#!/usr/bin/env bash
# Runs every test of the project: sets up the toolchain (scripts/setup.sh), fetches every
# pinned source from scratch, then the Rust test suites (release profile, the one profile
# the project builds) and the Python suites (the `kybra` package's unit tests, the
# `kybra.testing` suites on the in-process replica and the end-to-end tests against the
# HTTP replica), then prints the benchmark's figures. Prints each step's time at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/env.sh
source scripts/steps.sh
# Suites that need the runtime assets fail without them instead of skipping.
export KYBRA_REQUIRE_ASSETS=1

step "Set-up (scripts/setup.sh)"
bash scripts/setup.sh

step "Style gates: rustfmt, clippy, ruff, pyright (strict), module cycles"
cargo fmt --all --check \
    || { echo "error: Rust code is not formatted: run \`cargo fmt --all\`" >&2; exit 1; }
cargo clippy --release --workspace --all-targets --quiet -- -D warnings
# The runtime's code is compiled for wasm32 only: lint it there, configured as the set-up builds it.
(
    . runtime/lib.sh
    PYO3_CONFIG_FILE="$CPYTHON_CACHE/pyo3-config.txt" KYBRA_CPYTHON_DIR="$CPYTHON_CACHE" \
        cargo clippy --release --target wasm32-wasip1 -p kybra-runtime --quiet -- -D warnings
)
.venv/bin/ruff check .
.venv/bin/ruff format --check . \
    || { echo "error: Python code is not formatted: run \`.venv/bin/ruff format .\`" >&2; exit 1; }
.venv/bin/pyright
.venv/bin/python scripts/check_module_cycles.py crates/kybra-replica crates/kybra-bitcoin crates/kybra-runtime

# pytest exits 5 when it collects nothing: that is a failure here too.
step "Pinned sources, fetched from scratch into a temporary folder and verified"
.venv/bin/python -m pytest -q -ra tests/setup

step "Rust tests (and a check that no heavy dependency is compiled a second time)"
cargo test --release --workspace --no-run --message-format=json 2>/dev/null \
    | .venv/bin/python scripts/check_fresh.py
cargo test --release --workspace

step "Python tests (package, kybra.testing suites, end to end)"
.venv/bin/python -m pytest -ra python/tests tests/testing tests/e2e

step "Benchmark figures (printed, not asserted)"
bash benches/run.sh

steps_report "Tests"
