# SPDX-License-Identifier: GPL-2.0
# Common settings of the kdbus pipeline scripts; sourced, not run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
# Pristine base tree: Debian's linux-source-6.12, unpacked once.
BASE_TARBALL=${BASE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
BASE=$BUILD/linux-source-6.12
# The patched tree, its out-of-tree build directory and the logs. make bench
# builds in its own pair (scripts/bench.sh sets the KDBUS_* variables), so
# it never disturbs make check's debug kernel.
SRC=${KDBUS_SRC:-$BUILD/src}
OBJ=${KDBUS_OBJ:-$BUILD/obj}
LOGS=${KDBUS_LOGS:-$BUILD/logs}
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
export QUILT_PATCHES=$REPO/patches
export QUILT_SERIES=$REPO/series
export LC_ALL=C

mkdir -p "$BUILD" "$LOGS"

_t0=${_t0:-$(date +%s)}
export _t0

# step "what": print a progress line with the elapsed time.
step() {
	printf '==> [%4ds] %s\n' $(($(date +%s) - _t0)) "$*"
}

die() {
	printf 'ERROR: %s\n' "$*" >&2
	exit 1
}

kmake() {
	make -C "$SRC" O="$OBJ" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" W=1 "$@"
}
