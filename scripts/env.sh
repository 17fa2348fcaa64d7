# Shared environment for the project's scripts (sourced, not run).
# One fixed cargo target directory outside the clone, reused across runs and clones.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target}"
export KYBRA_CACHE="${KYBRA_CACHE:-$HOME/.cache/kybra}"
export KYBRA_ASSETS_DIR="${KYBRA_ASSETS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/assets}"
export PATH="$HOME/.cargo/bin:$PATH"
# The interpreter PyO3 builds host crates for (kybra-codec, kybra-testing): the same one in
# every build, so cargo never rebuilds them for a different Python.
export PYO3_PYTHON="${PYO3_PYTHON:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv/bin/python}"
