# Shared helpers for the runtime build scripts (sourced, not executed).
#
# Promises: `step`/`info` print one progress line each to stderr; `apt_ensure PKG...`
# installs only the Debian packages that are missing (so a cached run never touches apt);
# `recipe_hash FILE...` is a stable hash of the given files' contents.

KYBRA_REPO="${KYBRA_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
KYBRA_CACHE="${KYBRA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kybra}"
KYBRA_ASSETS_DIR="${KYBRA_ASSETS_DIR:-$KYBRA_REPO/build/assets}"
CPYTHON_VERSION=3.11.2
CPYTHON_CACHE="$KYBRA_CACHE/cpython-$CPYTHON_VERSION-wasm32-wasip1"

step() { printf '==> %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run as root directly, or through sudo when available.
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "'$*' needs root: run as root or install sudo"
    fi
}

APT_UPDATED=""
apt_update_once() {
    if [ -z "$APT_UPDATED" ]; then
        info "apt-get update"
        as_root apt-get update -qq >&2 || die "apt-get update failed: check the network and /etc/apt/sources.list.d"
        APT_UPDATED=1
    fi
}

apt_ensure() {
    local missing=()
    for pkg in "$@"; do
        [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_update_once
        info "installing Debian packages: ${missing[*]}"
        local log
        log="$(mktemp)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1 \
            || { tail -20 "$log" >&2; rm -f "$log"; die "apt-get install ${missing[*]} failed (see above)"; }
        rm -f "$log"
    fi
}

recipe_hash() {
    cat "$@" | sha256sum | cut -c1-16
}
