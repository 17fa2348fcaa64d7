#!/usr/bin/env bash
# Prints Kybra's benchmark figures beside baselines measured in the same run:
#   1. build time and module size of the book's hello world (vs Rust ic-cdk),
#   2. instructions per call of the hello world in the replica (vs Rust ic-cdk),
#   3. interpreter cost per loop iteration (vs native CPython under callgrind),
#   4. Candid decode + encode of a vec of 10,000 records per call (vs Rust ic-cdk),
#   5. queries/s, updates/s and p50/p99 latency over HTTP with ic-agent clients (vs Rust ic-cdk),
#   6. stable structures: map insert/get, set/vec/log/cell/heap per operation (vs ic-stable-structures in Rust),
#   7. PyPI packages: build time, module size, install and call instructions (vs hello world),
#   8. a test call through kybra.testing (vs HTTP with an agent).
# Usage: bash benches/run.sh [--only build|instructions|compute|codec|replica|stable|packages|testing]... [--n N] [--secs S] [--no-cargo-edit]
# Assumes `bash scripts/setup.sh` has run (build/assets/ and .venv/bin/kybra exist).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=../scripts/env.sh
source scripts/env.sh

missing=()
for f in template.wasm stdlib.json stdlib.bin; do
    [ -f "$KYBRA_ASSETS_DIR/$f" ] || missing+=("$KYBRA_ASSETS_DIR/$f")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "error: the runtime assets are missing: ${missing[*]}" >&2
    echo "       run \`bash scripts/setup.sh\` first (or \`bash runtime/build-assets.sh\` for the assets alone)." >&2
    exit 1
fi
KYBRA_BIN="${KYBRA_BIN:-$root/.venv/bin/kybra}"
if [ ! -x "$KYBRA_BIN" ]; then
    echo "error: the kybra CLI is not installed at $KYBRA_BIN" >&2
    echo "       run \`bash scripts/setup.sh\` first (it installs it into .venv), or set KYBRA_BIN to a kybra binary." >&2
    exit 1
fi
export KYBRA_BIN
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo "error: the Rust baseline needs the wasm32-unknown-unknown target: run \`rustup target add wasm32-unknown-unknown\`." >&2
    exit 1
fi
if ! command -v valgrind >/dev/null; then
    echo "warning: valgrind is missing, so native CPython will not be measured: run \`apt-get install -y valgrind\`." >&2
fi

# Section 8 (a test call: kybra.testing vs HTTP + ic-py) is Python: benches/testing_call.py,
# after sections 1-7 of the Rust runner; `--only testing` runs it alone.
if [[ " $* " == *" --only testing "* ]]; then
    exec "$root/.venv/bin/python" benches/testing_call.py
fi
cargo build --release --quiet -p kybra-bench
"$CARGO_TARGET_DIR/release/kybra-bench" "$@"
if [[ " $* " != *" --only "* ]]; then
    "$root/.venv/bin/python" benches/testing_call.py
fi
