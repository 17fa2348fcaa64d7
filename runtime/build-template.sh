#!/usr/bin/env bash
# Builds kybra-runtime for wasm32-wasip1 against the cached CPython and turns it into
# $KYBRA_ASSETS_DIR/template.wasm with the kybra-template tool. Cached: skipped when the
# inputs (runtime + interface sources, CPython recipe, this script) are unchanged.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

[ -f "$CPYTHON_CACHE/RECIPE" ] || die "no CPython in $CPYTHON_CACHE: run runtime/build-cpython.sh first"
OUT="$KYBRA_ASSETS_DIR/template.wasm"
# Target dirs: the caller's CARGO_TARGET_DIR (scripts/env.sh sets one outside the clone),
# else the repository's own; the wasm build may be sent elsewhere so that it does not
# wait for the lock of a concurrent host build.
HOST_TARGET="${CARGO_TARGET_DIR:-$KYBRA_REPO/target}"
WASM_TARGET="${KYBRA_WASM_TARGET_DIR:-$HOST_TARGET}"
STAMP="$KYBRA_ASSETS_DIR/.template.inputs"
# Binaryen's wasm-opt program optimises the template (Debian bookworm's binaryen 108).
command -v wasm-opt >/dev/null 2>&1 || [ -n "${KYBRA_WASM_OPT:-}" ] || apt_ensure binaryen
inputs_hash() {
    (
        cd "$KYBRA_REPO"
        cat "$CPYTHON_CACHE/RECIPE" "$HERE/build-template.sh" Cargo.lock
        "${KYBRA_WASM_OPT:-wasm-opt}" --version
        # Sources only: the runtime's host-side tests (crates/kybra-runtime/tests) are not in the module.
        find crates/kybra-runtime crates/kybra-codec crates/kybra-interface crates/kybra-template \
            crates/kybra-compiler/src/wasm \
            -path crates/kybra-runtime/tests -prune -o \
            -type f \( -name '*.rs' -o -name Cargo.toml \) -print0 | sort -z | xargs -0 cat
    ) | sha256sum | cut -c1-16
}
HASH="$(inputs_hash)"
if [ -s "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$HASH" ]; then
    step "template.wasm: cached ($OUT, inputs $HASH)"
    exit 0
fi

command -v cargo >/dev/null || die "cargo is missing: install Rust (rustup) first"
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
    info "rustup target add wasm32-wasip1"
    rustup target add wasm32-wasip1 >&2
fi

# PyO3 cross-configuration: static CPython 3.11 for a 32-bit wasm target.
PYO3_CONFIG="$CPYTHON_CACHE/pyo3-config.txt"
cat >"$PYO3_CONFIG" <<CFG
implementation=CPython
version=3.11
shared=false
abi3=false
lib_name=python3.11
lib_dir=$CPYTHON_CACHE/lib
pointer_width=32
build_flags=
suppress_build_script_link_lines=false
CFG

step "kybra-runtime for wasm32-wasip1: cargo build (log: $KYBRA_CACHE/runtime-build.log)"
(
    cd "$KYBRA_REPO"
    export CARGO_TARGET_DIR="$WASM_TARGET"
    export PYO3_CONFIG_FILE="$PYO3_CONFIG" KYBRA_CPYTHON_DIR="$CPYTHON_CACHE"
    # Workspace members cannot set profiles; these apply to this build only.
    export CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
        CARGO_PROFILE_RELEASE_PANIC=abort CARGO_PROFILE_RELEASE_OPT_LEVEL=3 \
        CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=debuginfo
    cargo build --release --target wasm32-wasip1 -p kybra-runtime >"$KYBRA_CACHE/runtime-build.log" 2>&1 \
        || { tail -40 "$KYBRA_CACHE/runtime-build.log" >&2; die "cargo build of kybra-runtime failed (full log: $KYBRA_CACHE/runtime-build.log)"; }
)
RUNTIME_WASM="$WASM_TARGET/wasm32-wasip1/release/kybra_runtime.wasm"
[ -s "$RUNTIME_WASM" ] || die "cargo did not produce $RUNTIME_WASM"
info "runtime module: $(stat -c %s "$RUNTIME_WASM") bytes"

step "template.wasm: WASI imports rewired to ic-wasi-polyfill + import check"
(
    cd "$KYBRA_REPO"
    export CARGO_TARGET_DIR="$HOST_TARGET"
    cargo build --release -q -p kybra-template >&2 || die "cargo build -p kybra-template failed"
)
mkdir -p "$KYBRA_ASSETS_DIR"
# wasm-opt -O3: 3-7% fewer instructions per Python operation, 8% smaller raw (docs/architecture.md);
# then the template is prepared for fast builds (payload accessors defined, gzip chunks made).
info "wasm-opt -O3 and preparing the template for fast builds (about two minutes)"
"$HOST_TARGET/release/kybra-template" "$RUNTIME_WASM" -o "$OUT.tmp" --optimize O3 >&2
mv "$OUT.tmp" "$OUT"
printf '%s\n' "$HASH" >"$STAMP"
step "template.wasm: $(stat -c %s "$OUT") bytes at $OUT"
