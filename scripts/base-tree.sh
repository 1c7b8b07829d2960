#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unpack Debian's linux-source-6.12 once into build/ as the pristine base.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -f "$BASE/.kdbus-pristine" ]; then
	step "base: $BASE ($(make -s -C "$BASE" kernelversion 2>/dev/null))"
	exit 0
fi
[ -f "$BASE_TARBALL" ] || die "$BASE_TARBALL missing: run scripts/install-deps.sh"
step "base: unpacking $BASE_TARBALL"
rm -rf "$BASE" "$BASE.tmp"
mkdir -p "$BASE.tmp"
tar -C "$BASE.tmp" -xf "$BASE_TARBALL" --strip-components=1
# Nothing may ever write into the pristine tree in place: build/src
# hard-links it, and quilt/patch replace files instead of rewriting them.
mv "$BASE.tmp" "$BASE"
touch "$BASE/.kdbus-pristine"
step "base: linux $(make -s -C "$BASE" kernelversion)"
