# Shared environment for the project's scripts (sourced, not run).
#
# Everything the scripts write stays inside the clone or the user's cache folder:
#   CARGO_TARGET_DIR  cargo's output            default <clone>/target
#   KYBRA_CACHE       CPython for wasm, sources  default ~/.cache/kybra
#   KYBRA_ASSETS_DIR  the runtime assets         default <clone>/build/assets
# Each may be set by the caller (CI points CARGO_TARGET_DIR into KYBRA_CACHE so that
# fresh clones on one machine share compiled dependencies).
_kybra_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$_kybra_root/target}"
export KYBRA_CACHE="${KYBRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kybra}"
export KYBRA_ASSETS_DIR="${KYBRA_ASSETS_DIR:-$_kybra_root/build/assets}"
export PATH="$HOME/.cargo/bin:$PATH"
# The interpreter PyO3 builds host crates for (kybra-codec, kybra-testing): the same one in
# every build, so cargo never rebuilds them for a different Python.
export PYO3_PYTHON="${PYO3_PYTHON:-$_kybra_root/.venv/bin/python}"
unset _kybra_root
