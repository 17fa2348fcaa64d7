#!/usr/bin/env bash
# Produces the three build-time assets of docs/architecture.md in $KYBRA_ASSETS_DIR
# (default: build/assets in the repository):
#   template.wasm  the runtime module with its WASI imports rewired to ic-wasi-polyfill and
#                  optimised by wasm-opt (imports only ic0.* + kybra.payload_*)
#   stdlib.json    index of the bundled Python modules (standard library + kybra package)
#   stdlib.bin     their marshalled code objects, concatenated
#
# Idempotent and cached: CPython is built once per version + recipe into $KYBRA_CACHE
# (default ~/.cache/kybra); each later step is skipped while its inputs are unchanged,
# so a second run with nothing changed takes seconds. Works as root on a fresh Debian
# bookworm machine with Rust installed (it installs its own apt packages).
#
# Steps: runtime/build-cpython.sh, runtime/make_stdlib_bundle.py (+ stdlib_imports.py),
# runtime/build-template.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
START=$(date +%s)
export KYBRA_CACHE KYBRA_ASSETS_DIR KYBRA_REPO

step "kybra assets -> $KYBRA_ASSETS_DIR (cache: $KYBRA_CACHE)"
mkdir -p "$KYBRA_CACHE" "$KYBRA_ASSETS_DIR"

# 1. CPython 3.11.2 for wasm32-wasip1 (static libraries, headers, Lib/).
bash "$HERE/build-cpython.sh"

# 2. The standard-library bundle, compiled by the same CPython version on the host.
BUNDLE_PYTHON=/usr/bin/python3.11
KYBRA_PACKAGE="$KYBRA_REPO/python/kybra"
[ -f "$KYBRA_PACKAGE/__init__.py" ] || die "the kybra package is missing at $KYBRA_PACKAGE"
BUNDLE_STAMP="$KYBRA_ASSETS_DIR/.stdlib.inputs"
BUNDLE_HASH="$(
    {
        cat "$CPYTHON_CACHE/RECIPE" "$HERE/make_stdlib_bundle.py" "$HERE/stdlib_imports.py"
        "$BUNDLE_PYTHON" -c 'import sys; print(sys.version)'
        find "$KYBRA_PACKAGE" -name '*.py' -type f -print0 | sort -z | xargs -0 sha256sum
    } | sha256sum | cut -c1-16
)"
if [ -s "$KYBRA_ASSETS_DIR/stdlib.bin" ] && [ -s "$KYBRA_ASSETS_DIR/stdlib.json" ] \
    && [ -f "$BUNDLE_STAMP" ] && [ "$(cat "$BUNDLE_STAMP")" = "$BUNDLE_HASH" ]; then
    step "stdlib.json + stdlib.bin: cached (inputs $BUNDLE_HASH)"
else
    step "stdlib.json + stdlib.bin: compiling $CPYTHON_CACHE/Lib and $KYBRA_PACKAGE"
    "$BUNDLE_PYTHON" "$HERE/make_stdlib_bundle.py" --lib "$CPYTHON_CACHE/Lib" \
        --kybra "$KYBRA_PACKAGE" --out "$KYBRA_ASSETS_DIR"
    printf '%s\n' "$BUNDLE_HASH" >"$BUNDLE_STAMP"
fi

# 3. The runtime template.
bash "$HERE/build-template.sh"

step "done in $(($(date +%s) - START)) s:"
for f in template.wasm stdlib.json stdlib.bin; do
    info "$(printf '%-14s %10s bytes' "$f" "$(stat -c %s "$KYBRA_ASSETS_DIR/$f")")"
done
