#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run / make shell: install, apply, build, boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-run}
"$REPO/scripts/install-deps.sh"
"$REPO/scripts/base-tree.sh"
"$REPO/scripts/apply.sh"
"$REPO/scripts/configure.sh" --verify
step "kernel: building bzImage"
kmake bzImage >"$LOGS/build-run.log" 2>&1 || { tail -30 "$LOGS/build-run.log"; die "kernel build failed"; }
"$REPO/scripts/build-selftests.sh"
"$REPO/scripts/dbus-guest.sh" "$BUILD/dbus-guest"
"$REPO/scripts/initramfs.sh" "$BUILD/initramfs.cpio.gz" "$BUILD/selftests" \
	"$BUILD/dbus-guest"
VERBOSE=1 "$REPO/scripts/boot.sh" "$mode" "$OBJ/arch/x86/boot/bzImage" \
	"$BUILD/initramfs.cpio.gz" "$LOGS/guest-$mode.log" 1800
