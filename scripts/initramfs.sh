#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pack the busybox initramfs: static busybox, the guest init, the walk-through
# and every statically linked selftest binary.
#   scripts/initramfs.sh OUTPUT.cpio.gz SELFTEST_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1
tests=$2
root=$BUILD/initramfs
step "initramfs: packing $out"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,selftests,etc}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
file "$root/bin/busybox" | grep -q 'statically linked' ||
	die "/bin/busybox is not static: install busybox-static"
cp "$REPO/scripts/guest/init" "$root/init"
cp "$REPO/scripts/guest/walkthrough.sh" "$root/bin/walkthrough.sh"
if [ -d "$tests" ]; then
	for t in "$tests"/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		file "$t" | grep -q 'statically linked' ||
			die "selftest $t is not statically linked"
		cp "$t" "$root/selftests/"
	done
fi
[ -x "$BUILD/kdbus-demo" ] && cp "$BUILD/kdbus-demo" "$root/bin/"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --reproducible) | gzip -1 > "$out"
echo "    $(ls "$root/selftests" | wc -l) selftest binaries, $(du -h "$out" | cut -f1)"
