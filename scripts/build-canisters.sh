#!/usr/bin/env bash
# Builds the canisters the `kybra` binary carries, each for wasm32-unknown-unknown in
# release, with its Candid interface attached as `icp:public candid:service` metadata,
# gzip'd, into $KYBRA_ASSETS_DIR (the binary embeds them at compile time):
#   canisters/assets -> assetstorage.wasm.gz + assetstorage.did (dfx.json's `assets`
#                       canisters; the interface is ic-certified-assets' own assets.did)
#   canisters/wallet -> wallet.wasm.gz + wallet.did (the cycles wallet of
#                       `kybra identity deploy-wallet`; the interface is the crate's wallet.did)
# Each is cached: skipped when its inputs (the crate's sources, Cargo.lock, this script)
# are unchanged.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../runtime/lib.sh
. "$HERE/../runtime/lib.sh"

# build_canister CRATE_DIR OUTPUT_NAME WASM_NAME: builds one canister; the interface comes
# from did_of_CRATE (a function printing the .did path).
build_canister() {
    local crate="$1" name="$2" wasm_name="$3"
    local out="$KYBRA_ASSETS_DIR/$name.wasm.gz" did="$KYBRA_ASSETS_DIR/$name.did"
    local stamp="$KYBRA_ASSETS_DIR/.$name.inputs"
    local target="${CARGO_TARGET_DIR:-$KYBRA_REPO/target}/$(basename "$crate")-canister"
    local log="$KYBRA_CACHE/$(basename "$crate")-canister-build.log"
    local hash
    hash="$(
        cd "$crate"
        { cat "$HERE/build-canisters.sh" Cargo.toml Cargo.lock; find . -path ./target -prune -o -type f \( -name '*.rs' -o -name '*.did' \) -print0 | sort -z | xargs -0 cat; } \
            | sha256sum | cut -c1-16
    )"
    if [ -s "$out" ] && [ -s "$did" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
        step "$name.wasm.gz: cached ($out, inputs $hash)"
        return
    fi
    command -v cargo >/dev/null || die "cargo is missing: install Rust (rustup) first"
    step "$name canister: cargo build --release --target wasm32-unknown-unknown (log: $log)"
    mkdir -p "$KYBRA_CACHE" "$KYBRA_ASSETS_DIR"
    (cd "$crate" && CARGO_TARGET_DIR="$target" cargo build --release --locked --target wasm32-unknown-unknown \
        >"$log" 2>&1) \
        || { tail -40 "$log" >&2; die "cargo build of $crate failed (full log: $log; is the target installed? rustup target add wasm32-unknown-unknown)"; }
    local wasm="$target/wasm32-unknown-unknown/release/$wasm_name.wasm"
    [ -s "$wasm" ] || die "cargo did not produce $wasm"
    local interface
    interface="$("did_of_$(basename "$crate")" "$crate")"
    [ -s "$interface" ] || die "no Candid interface for $crate at $interface"

    step "$name.wasm.gz: candid:service metadata + gzip"
    python3 - "$wasm" "$interface" "$out.tmp" <<'PY'
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
    cp "$interface" "$did.tmp"
    mv "$out.tmp" "$out"
    mv "$did.tmp" "$did"
    printf '%s\n' "$hash" >"$stamp"
    step "$name.wasm.gz: $(stat -c %s "$out") bytes at $out"
}

# The interface ic-certified-assets ships beside its sources (the one its own test checks).
did_of_assets() {
    local library
    library="$(cd "$1" && cargo metadata --format-version 1 --locked \
        | python3 -c 'import json, sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "ic-certified-assets"))')"
    echo "$(dirname "$library")/assets.did"
}

did_of_wallet() {
    echo "$1/wallet.did"
}

build_canister "$KYBRA_REPO/canisters/assets" assetstorage kybra_asset_canister
build_canister "$KYBRA_REPO/canisters/wallet" wallet kybra_wallet_canister
