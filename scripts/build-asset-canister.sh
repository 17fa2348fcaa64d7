#!/usr/bin/env bash
# Builds the asset canister that `kybra deploy` installs for dfx.json's `assets` canisters:
# canisters/assets (the ic-certified-assets library, dfx's frontend canister) for
# wasm32-unknown-unknown in release, with the library's own `assets.did` attached as its
# `icp:public candid:service` metadata, gzip'd. Writes $KYBRA_ASSETS_DIR/assetstorage.wasm.gz
# and assetstorage.did, which the `kybra` binary embeds at compile time. Cached: skipped when
# the inputs (the crate's sources, Cargo.lock, this script) are unchanged.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../runtime/lib.sh
. "$HERE/../runtime/lib.sh"

CRATE="$KYBRA_REPO/canisters/assets"
OUT="$KYBRA_ASSETS_DIR/assetstorage.wasm.gz"
DID="$KYBRA_ASSETS_DIR/assetstorage.did"
STAMP="$KYBRA_ASSETS_DIR/.assetstorage.inputs"
TARGET="${CARGO_TARGET_DIR:-$KYBRA_REPO/target}/asset-canister"
inputs_hash() {
    (
        cd "$CRATE"
        cat "$HERE/build-asset-canister.sh" Cargo.toml Cargo.lock
        find src -type f -print0 | sort -z | xargs -0 cat
    ) | sha256sum | cut -c1-16
}
HASH="$(inputs_hash)"
if [ -s "$OUT" ] && [ -s "$DID" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$HASH" ]; then
    step "assetstorage.wasm.gz: cached ($OUT, inputs $HASH)"
    exit 0
fi

command -v cargo >/dev/null || die "cargo is missing: install Rust (rustup) first"
step "asset canister: cargo build --release --target wasm32-unknown-unknown (log: $KYBRA_CACHE/asset-canister-build.log)"
mkdir -p "$KYBRA_CACHE" "$KYBRA_ASSETS_DIR"
(cd "$CRATE" && CARGO_TARGET_DIR="$TARGET" cargo build --release --locked --target wasm32-unknown-unknown \
    >"$KYBRA_CACHE/asset-canister-build.log" 2>&1) \
    || { tail -40 "$KYBRA_CACHE/asset-canister-build.log" >&2; die "cargo build of canisters/assets failed (full log: $KYBRA_CACHE/asset-canister-build.log; is the target installed? rustup target add wasm32-unknown-unknown)"; }
WASM="$TARGET/wasm32-unknown-unknown/release/kybra_asset_canister.wasm"
[ -s "$WASM" ] || die "cargo did not produce $WASM"

# The interface ic-certified-assets ships beside its sources (the one its own test checks).
LIBRARY="$(cd "$CRATE" && cargo metadata --format-version 1 --locked \
    | python3 -c 'import json, sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "ic-certified-assets"))')"
LIBRARY_DID="$(dirname "$LIBRARY")/assets.did"
[ -s "$LIBRARY_DID" ] || die "ic-certified-assets has no assets.did beside $LIBRARY"

step "assetstorage.wasm.gz: candid:service metadata + gzip"
python3 - "$WASM" "$LIBRARY_DID" "$OUT.tmp" <<'PY'
import gzip, sys

wasm, did, out = sys.argv[1:]
module = open(wasm, "rb").read()
assert module[:4] == b"\0asm", f"{wasm} is not a wasm module"
def leb(n: int) -> bytes:
    b = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        b.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(b)
name = b"icp:public candid:service"
body = leb(len(name)) + name + open(did, "rb").read()
module += b"\0" + leb(len(body)) + body
with open(out, "wb") as f:
    f.write(gzip.compress(module, compresslevel=9, mtime=0))
PY
cp "$LIBRARY_DID" "$DID.tmp"
mv "$OUT.tmp" "$OUT"
mv "$DID.tmp" "$DID"
printf '%s\n' "$HASH" >"$STAMP"
step "assetstorage.wasm.gz: $(stat -c %s "$OUT") bytes at $OUT"
