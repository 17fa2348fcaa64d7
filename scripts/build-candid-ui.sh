#!/usr/bin/env bash
# Builds the Candid web UI's browser script: `npm ci` in ui/candid (pinned by its
# package-lock.json), then one esbuild bundle (ES module, minified) at
# $KYBRA_ASSETS_DIR/candid-ui.js, which kybra-http embeds at compile time and serves at
# /_/candid/ui.js; and, from the same pinned packages, $KYBRA_ASSETS_DIR/dfinity-agent.js:
# `@dfinity/agent` as one browser ES module, which `kybra new --frontend` puts into the
# frontend it scaffolds (so its page imports the generated declarations with no bundler).
# Cached: skipped when the inputs (ui/candid sources, package.json, package-lock.json, this
# script) are unchanged.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../runtime/lib.sh
. "$HERE/../runtime/lib.sh"

UI="$KYBRA_REPO/ui/candid"
OUT="$KYBRA_ASSETS_DIR/candid-ui.js"
AGENT="$KYBRA_ASSETS_DIR/dfinity-agent.js"
STAMP="$KYBRA_ASSETS_DIR/.candid-ui.inputs"
inputs_hash() {
    (
        cd "$UI"
        cat "$HERE/build-candid-ui.sh" package.json package-lock.json
        find src -type f -print0 | sort -z | xargs -0 cat
    ) | sha256sum | cut -c1-16
}
HASH="$(inputs_hash)"
if [ -s "$OUT" ] && [ -s "$AGENT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$HASH" ]; then
    step "candid-ui.js: cached ($OUT, inputs $HASH)"
    exit 0
fi

command -v npm >/dev/null && command -v node >/dev/null \
    || die "node and npm are needed to build the Candid UI: install Node.js >= 20 (apt-get install nodejs npm)"
step "Candid UI: npm ci in $UI"
(cd "$UI" && npm ci --no-audit --no-fund --loglevel=error >&2) \
    || die "npm ci in $UI failed (is the npm registry reachable? is package-lock.json in step with package.json?)"

step "Candid UI: esbuild bundle"
mkdir -p "$KYBRA_ASSETS_DIR"
(cd "$UI" && ./node_modules/.bin/esbuild src/main.js --bundle --format=esm --platform=browser \
    --target=es2022 --minify --legal-comments=eof --log-level=warning --outfile="$OUT.tmp" >&2) \
    || die "esbuild could not bundle $UI/src/main.js (see the messages above)"
mv "$OUT.tmp" "$OUT"

step "@dfinity/agent: esbuild browser module"
(cd "$UI" && printf 'export * from "@dfinity/agent";\n' | ./node_modules/.bin/esbuild --bundle --format=esm \
    --platform=browser --target=es2022 --minify --legal-comments=eof --log-level=warning \
    --sourcefile=dfinity-agent.js --outfile="$AGENT.tmp" >&2) \
    || die "esbuild could not bundle @dfinity/agent from $UI/node_modules (see the messages above)"
mv "$AGENT.tmp" "$AGENT"
printf '%s\n' "$HASH" >"$STAMP"
step "candid-ui.js: $(stat -c %s "$OUT") bytes, dfinity-agent.js: $(stat -c %s "$AGENT") bytes, in $KYBRA_ASSETS_DIR"
