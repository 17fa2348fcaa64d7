#!/usr/bin/env bash
# Downloads and verifies the pinned source files of runtime/sources.txt.
#
#   runtime/fetch-sources.sh [--into DIR] [--list FILE] [NAME...]
#
# Fetches the named entries (default: all) into DIR (default $KYBRA_CACHE/sources). A file
# already in DIR is kept when its sha256 matches; otherwise each URL of the entry is tried in
# order and the download is used only if its sha256 matches the pinned one. Prints one line
# per entry; exits non-zero, naming the file, its version, every URL tried and what to do,
# when an entry cannot be had. The build never depends on which version an index calls
# newest: every byte it compiles is named here by its checksum.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

INTO="$KYBRA_CACHE/sources"
LIST="$HERE/sources.txt"
names=()
while [ $# -gt 0 ]; do
    case "$1" in
        --into) INTO="$2"; shift 2 ;;
        --list) LIST="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) names+=("$1"); shift ;;
    esac
done
[ -f "$LIST" ] || die "no source list at $LIST"
command -v curl >/dev/null || apt_ensure curl ca-certificates
mkdir -p "$INTO"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# fetch_entry NAME VERSION FILE SHA256 URL...
fetch_entry() {
    local name="$1" version="$2" file="$3" sha="$4"
    shift 4
    local dest="$INTO/$file" tried=() got
    if [ -f "$dest" ]; then
        got="$(sha_of "$dest")"
        if [ "$got" = "$sha" ]; then
            info "$name $version: $file verified (sha256 $sha)"
            return 0
        fi
        info "$name $version: $dest has sha256 $got, not the pinned $sha; downloading it again"
        mv -f "$dest" "$dest.bad"
    fi
    local url
    for url in "$@"; do
        info "$name $version: downloading $url"
        if ! curl -fsSL --retry 3 --retry-delay 2 --connect-timeout 20 -o "$dest.part" "$url" 2>"$dest.err"; then
            tried+=("$url: $(tr '\n' ' ' <"$dest.err")")
            rm -f "$dest.part" "$dest.err"
            continue
        fi
        rm -f "$dest.err"
        got="$(sha_of "$dest.part")"
        if [ "$got" != "$sha" ]; then
            tried+=("$url: served a file with sha256 $got, not the pinned one")
            rm -f "$dest.part"
            continue
        fi
        mv -f "$dest.part" "$dest"
        info "$name $version: $file verified (sha256 $sha)"
        return 0
    done
    {
        printf 'error: cannot get %s %s (%s, sha256 %s).\n' "$name" "$version" "$file" "$sha"
        printf 'Tried:\n'
        printf '  %s\n' "${tried[@]}"
        printf 'What to do: check the network (an HTTP proxy?), or download %s by hand from any\n' "$file"
        printf 'mirror, check that `sha256sum %s` prints %s, and put it at %s.\n' "$file" "$sha" "$dest"
    } >&2
    return 1
}

failed=0
found=()
while read -r name version file sha urls; do
    case "$name" in ''|'#'*) continue ;; esac
    if [ ${#names[@]} -gt 0 ]; then
        want=0
        for n in "${names[@]}"; do [ "$n" = "$name" ] && want=1; done
        [ $want = 1 ] || continue
    fi
    found+=("$name")
    [ -n "$urls" ] || die "$LIST: entry $name has no URL"
    # shellcheck disable=SC2086
    fetch_entry "$name" "$version" "$file" "$sha" $urls || failed=1
done <"$LIST"
for n in "${names[@]}"; do
    printf '%s\n' "${found[@]}" | grep -qx "$n" || die "$LIST has no entry named $n"
done
[ ${#found[@]} -gt 0 ] || die "$LIST lists no sources"
exit $failed
