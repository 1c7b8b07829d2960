#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the kdbus selftests (and kdbus-bench, built with them) statically
# against the patched tree's exported headers, and the walk-through demo.
#   scripts/build-selftests.sh [OUTDIR]
# OUTDIR (default build/selftests) gets the programs; the demo goes next to
# it (OUTDIR/../kdbus-demo).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "selftests: headers_install"
kmake headers_install >"$LOGS/headers.log" 2>&1 || { tail "$LOGS/headers.log"; die "headers_install failed"; }
out=${1:-$BUILD/selftests}
rm -rf "$out"
mkdir -p "$out"
step "selftests: building tools/testing/selftests/kdbus"
make -C "$SRC/tools/testing/selftests/kdbus" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $OBJ/usr/include" CC="ccache gcc" \
	>"$LOGS/selftests.log" 2>&1 || { cat "$LOGS/selftests.log"; die "selftests do not build"; }
if grep -E 'warning:' "$LOGS/selftests.log"; then
	die "selftests build with warnings"
fi
gcc -static -O2 -Wall -Wextra -Werror -isystem "$OBJ/usr/include" \
	-o "$(dirname "$out")/kdbus-demo" "$REPO/scripts/guest/kdbus-demo.c"
echo "    $(find "$out" -maxdepth 1 -type f -perm -u+x | wc -l) programs"
