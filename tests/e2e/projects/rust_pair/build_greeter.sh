#!/bin/sh
# The greeter's dfx.json "build": cargo builds it, then its module is gzip'd into dist/,
# where dfx.json's "wasm" finds it.
set -e
cargo build --target wasm32-unknown-unknown --release -p greeter
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
mkdir -p dist
gzip -9 -n -c "$target/wasm32-unknown-unknown/release/greeter.wasm" > dist/greeter.wasm.gz
