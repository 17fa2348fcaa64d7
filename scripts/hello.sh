#!/usr/bin/env bash
# The main job, end to end: set up the toolchain, build the book's Hello World canister,
# start the local replica, deploy, call set_message then get_message, stop the replica.
# Prints each step's time at the end (the set-up's own steps first).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/env.sh
source scripts/steps.sh

step "Set-up (scripts/setup.sh)"
bash scripts/setup.sh
export PATH="$root/.venv/bin:$PATH"

work="$(mktemp -d)"
trap 'cd "$work" && kybra stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cp -r examples/hello_world "$work/kybra_hello_world"
# The demo's identity lives in its temporary folder too (not in ~/.config/kybra).
export KYBRA_CONFIG_DIR="${KYBRA_CONFIG_DIR:-$work/config}"
cd "$work/kybra_hello_world"

step "Hello World: start the local replica, deploy, call"
set -x
kybra start --background --clean
kybra deploy
kybra canister call kybra_hello_world get_message
kybra canister call kybra_hello_world set_message '("Hello World!")'
kybra canister call kybra_hello_world get_message
kybra stop
set +x

steps_report "Main job"
