#!/usr/bin/env bash
# Installs everything Kybra's build and tests need on a fresh Debian machine, then builds
# the toolchain once: the runtime assets (CPython for wasm, the template) and the `kybra`
# wheel, installed into ./.venv. Idempotent: a second run reuses every cached step.
# Prints each step's time at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/env.sh
source scripts/env.sh
# shellcheck source=runtime/lib.sh
source runtime/lib.sh
# shellcheck source=scripts/steps.sh
source scripts/steps.sh   # after lib.sh: its timed `step` replaces lib.sh's plain one

step "System packages (Node.js for the agent tests and the Candid UI, Chromium for its browser test, valgrind for the benchmark)"
need=()
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v curl >/dev/null 2>&1 || need+=(curl ca-certificates)
[ ${#need[@]} -eq 0 ] || apt_ensure "${need[@]}"

step "Rust targets (wasm32-wasip1 for the runtime, wasm32-unknown-unknown for the Rust test canisters)"
rustup target add wasm32-wasip1 wasm32-unknown-unknown >/dev/null 2>&1 \
    || die "rustup target add wasm32-wasip1 wasm32-unknown-unknown failed: is rustup installed and online?"

step "Python virtual environment (.venv, pinned packages of scripts/requirements-dev.txt)"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-dev.txt

step "Runtime assets (CPython for wasm32-wasip1 from pinned sources, standard library bundle, template module)"
bash runtime/build-assets.sh

step "Candid web UI bundle and @dfinity/agent for frontends (npm + esbuild; the replica and the CLI embed them)"
bash scripts/build-candid-ui.sh

step "The canisters the CLI carries (canisters/assets: ic-certified-assets; canisters/wallet: the cycles wallet; wasm32-unknown-unknown)"
bash scripts/build-canisters.sh

step "kybra.testing's native extension (crates/kybra-testing) into python/kybra/testing/"
cargo build --release --quiet -p kybra-testing
rm -f python/kybra/testing/_native*.so
# abi3: one build serves every CPython >= 3.10, as the wheel's py3 tag says.
native="python/kybra/testing/_native.abi3.so"
cp "$CARGO_TARGET_DIR/release/libkybra_testing.so" "$native"
strip --strip-unneeded "$native"

step "The kybra wheel (maturin, release profile) into .venv"
rm -rf build/wheels
.venv/bin/maturin build --release --quiet --out build/wheels --interpreter .venv/bin/python
.venv/bin/pip install --quiet --disable-pip-version-check --force-reinstall --no-deps build/wheels/kybra-*.whl
echo "kybra installed: $(.venv/bin/kybra --version)"

steps_report "Set-up"
