#!/usr/bin/env bash
# Builds CPython 3.11.2 as static libraries for wasm32-wasip1, cached.
#
# Output (the cache, reused while the version and this recipe are unchanged):
#   $KYBRA_CACHE/cpython-3.11.2-wasm32-wasip1/
#     lib/   libpython3.11.a libmpdec.a libexpat.a libz.a (+ Debian's libwasi-emulated-*.a)
#     include/python3.11/  headers incl. pyconfig.h
#     Lib/   the pure-Python standard library of the same source
#     RECIPE the hash of the recipe that built it
# Recipe: the upstream CPython 3.11.2 tarball (Debian's orig tarball, pinned with its sha256
# in runtime/sources.txt and fetched by runtime/fetch-sources.sh), clang-16 + wasi-libc + libclang-rt-16-dev-wasm32,
# Tools/wasm/config.site-wasm32-wasi, -O2, make -j2 EXTRA_CFLAGS=-Wno-int-conversion;
# plus zlib 1.2.13 (pinned the same way, compiled for wasm32-wasi) so `zlib`/`gzip`/`zipfile` work.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

RECIPE="$(recipe_hash "$HERE/build-cpython.sh" "$HERE/sources.txt")"
if [ -f "$CPYTHON_CACHE/RECIPE" ] && [ "$(cat "$CPYTHON_CACHE/RECIPE")" = "$RECIPE" ]; then
    step "CPython $CPYTHON_VERSION for wasm32-wasip1: cached ($CPYTHON_CACHE, recipe $RECIPE)"
    exit 0
fi
step "CPython $CPYTHON_VERSION for wasm32-wasip1: building (recipe $RECIPE; ~5 minutes on 2 cores)"

apt_ensure clang-16 lld-16 llvm-16 wasi-libc libclang-rt-16-dev-wasm32 python3.11 make curl ca-certificates
BUILD_PYTHON=/usr/bin/python3.11
[ -x "$BUILD_PYTHON" ] || die "$BUILD_PYTHON is missing after installing python3.11"

WORK="$KYBRA_CACHE/work/cpython-$CPYTHON_VERSION"
ZLIB_VERSION=1.2.13
mkdir -p "$WORK"

# --- sources: pinned, checksummed tarballs (runtime/sources.txt) ------------------------
SOURCES="$KYBRA_CACHE/sources"
bash "$HERE/fetch-sources.sh" --into "$SOURCES" cpython zlib \
    || die "the pinned sources could not be fetched (see above); nothing was built"

# --- sysroot: Debian splits wasi-libc's target dirs --------------------------------------
SYSROOT="$WORK/sysroot"
mkdir -p "$SYSROOT/include" "$SYSROOT/lib"
ln -sfn /usr/include/wasm32-wasi "$SYSROOT/include/wasm32-wasi"
ln -sfn /usr/lib/wasm32-wasi "$SYSROOT/lib/wasm32-wasi"

# --- zlib (for the zlib module, gzip, zipfile; about 2 seconds) --------------------------
ZLIB="$WORK/zlib"
rm -rf "$ZLIB"
mkdir -p "$ZLIB/src" "$ZLIB/include" "$ZLIB/lib"
tar -xjf "$SOURCES/zlib_$ZLIB_VERSION.dfsg.orig.tar.bz2" -C "$ZLIB/src" --strip-components=1
info "compiling zlib $ZLIB_VERSION for wasm32-wasi"
(
    cd "$ZLIB/src"
    for f in adler32 crc32 deflate infback inffast inflate inftrees trees zutil compress uncompr \
        gzclose gzlib gzread gzwrite; do
        clang-16 --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -DZ_HAVE_UNISTD_H \
            -Wno-deprecated-non-prototype -c "$f.c" -o "$f.o"
    done
    llvm-ar-16 rcs "$ZLIB/lib/libz.a" ./*.o
    cp zlib.h zconf.h "$ZLIB/include/"
) >"$WORK/zlib.log" 2>&1 || { tail -20 "$WORK/zlib.log" >&2; die "zlib build failed (see $WORK/zlib.log)"; }

TARBALL="$SOURCES/python3.11_$CPYTHON_VERSION.orig.tar.gz"
SRC="$WORK/src"
rm -rf "$SRC"
mkdir -p "$SRC"
info "unpacking $(basename "$TARBALL")"
tar -xzf "$TARBALL" -C "$SRC" --strip-components=1
[ -f "$SRC/Tools/wasm/config.site-wasm32-wasi" ] || die "the tarball has no Tools/wasm/config.site-wasm32-wasi"

# --- configure + make -------------------------------------------------------------------
info "configure (log: $WORK/configure.log)"
cd "$SRC"
export CC="clang-16 --target=wasm32-wasi --sysroot=$SYSROOT"
export CPP="clang-16 --target=wasm32-wasi --sysroot=$SYSROOT -E"
export AR=llvm-ar-16 RANLIB=llvm-ranlib-16
export CFLAGS="-O2"
# Host libraries must not leak in (a host zlib found through pkg-config breaks the build).
export PKG_CONFIG_LIBDIR="$SYSROOT/lib/pkgconfig" PKG_CONFIG_PATH=""
export ZLIB_CFLAGS="-I$ZLIB/include" ZLIB_LIBS="-L$ZLIB/lib -lz"
export CONFIG_SITE="$SRC/Tools/wasm/config.site-wasm32-wasi"
./configure --host=wasm32-unknown-wasi --build=x86_64-pc-linux-gnu \
    --with-build-python="$BUILD_PYTHON" --disable-test-modules \
    >"$WORK/configure.log" 2>&1 || { tail -30 "$WORK/configure.log" >&2; die "configure failed (see $WORK/configure.log)"; }
info "make -j2 (log: $WORK/make.log)"
make -j2 EXTRA_CFLAGS=-Wno-int-conversion \
    >"$WORK/make.log" 2>&1 || { tail -30 "$WORK/make.log" >&2; die "make failed (see $WORK/make.log)"; }
for lib in libpython3.11.a Modules/_decimal/libmpdec/libmpdec.a Modules/expat/libexpat.a; do
    [ -s "$lib" ] || die "the build did not produce $lib (see $WORK/make.log)"
done

# --- install into the cache -------------------------------------------------------------
STAGE="$CPYTHON_CACHE.tmp"
rm -rf "$STAGE"
mkdir -p "$STAGE/lib" "$STAGE/include/python3.11"
cp libpython3.11.a Modules/_decimal/libmpdec/libmpdec.a Modules/expat/libexpat.a "$ZLIB/lib/libz.a" "$STAGE/lib/"
for emu in signal getpid process-clocks; do
    cp "/usr/lib/wasm32-wasi/libwasi-emulated-$emu.a" "$STAGE/lib/"
done
cp -r Include/. "$STAGE/include/python3.11/"
cp pyconfig.h "$STAGE/include/python3.11/"
cp -r Lib "$STAGE/Lib"
find "$STAGE/Lib" -name __pycache__ -prune -exec rm -rf {} +
printf '%s\n' "$CPYTHON_VERSION" >"$STAGE/VERSION"
printf '%s\n' "$RECIPE" >"$STAGE/RECIPE"
rm -rf "$CPYTHON_CACHE"
mv "$STAGE" "$CPYTHON_CACHE"
rm -rf "$SRC" "$ZLIB"
step "CPython $CPYTHON_VERSION for wasm32-wasip1: built into $CPYTHON_CACHE ($(du -sh "$CPYTHON_CACHE/lib/libpython3.11.a" | cut -f1) libpython)"
