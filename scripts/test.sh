#!/usr/bin/env bash
# Runs every test of the project: sets up the toolchain (scripts/setup.sh), then the Rust
# test suites (release profile, the one profile the project builds) and the Python suites
# (the `kybra` package's unit tests, the `kybra.testing` suites on the in-process replica
# and the end-to-end tests against the HTTP replica).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/env.sh

bash scripts/setup.sh

printf '\n==> Rust tests\n'
cargo test --release --workspace

printf '\n==> Python tests (package + end to end)\n'
# pytest exits 5 when it collects nothing: that is a failure here too.
.venv/bin/python -m pytest -ra python/tests tests/testing tests/e2e

printf '\n==> Benchmark figures (printed, not asserted)\n'
bash benches/run.sh
