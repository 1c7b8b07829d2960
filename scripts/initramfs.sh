#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pack the busybox initramfs: static busybox, the guest init, the walk-through
# and every statically linked selftest binary.
#   scripts/initramfs.sh OUTPUT.cpio.gz SELFTEST_DIR
# The tree is staged in OUTPUT without .cpio.gz (build/initramfs). Programs
# built with the selftests that are not tests (TOOLS) go to /bin, not to
# /selftests, whose every program check mode runs. A third argument, a
# directory (scripts/dbus-guest.sh), is copied over the root as it is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TOOLS=" kdbus-bench "
out=$1
tests=$2
extra=${3:-}
root=${out%.cpio.gz}
[ "$root" != "$out" ] || die "$out: the initramfs name must end in .cpio.gz"
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
		case $TOOLS in
		*" ${t##*/} "*) cp "$t" "$root/bin/" ;;
		*) cp "$t" "$root/selftests/" ;;
		esac
	done
fi
[ -z "$extra" ] || cp -a "$extra"/. "$root"/
demo=$(dirname "$tests")/kdbus-demo
[ ! -x "$demo" ] || cp "$demo" "$root/bin/"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --reproducible) | gzip -1 > "$out"
echo "    $(ls "$root/selftests" | wc -l) selftest binaries, $(du -h "$out" | cut -f1)"
