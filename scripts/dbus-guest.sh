#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stage the D-Bus compatibility test for the guest into DEST (a tree that
# initramfs.sh copies over its root):
#   * kdbus-proxy and kdbus-monitor (tools/kdbus, built here against the
#     patched tree's installed headers), native-signal, a native kdbus
#     test peer, and activator, a kdbus activator starting a service on
#     demand (tools/kdbus/test);
#   * Debian's own, unmodified dbus-send, dbus-monitor, gdbus and busctl;
#   * python3 with python3-dbus and python3-gi, reduced to the modules the
#     test programs import, and the GLib typelibs;
#   * each program with the shared libraries ldd finds for it;
#   * the test programs (tools/kdbus/test/*.py), the guest script
#     scripts/guest/dbus-compat.sh as /selftests/dbus-compat, and the
#     walk-through samples/kdbus/kdbus-sample (static, TAP) as a test.
# tools/kdbus's host unit tests (make check there) run while building.
#   scripts/dbus-guest.sh DEST
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dest=$1
step "dbus-guest: staging the D-Bus programs in $dest"
rm -rf "$dest"
mkdir -p "$dest"/{usr/bin,selftests,usr/share/kdbus,etc,var/lib/dbus}

# the tools and the sample of the patched tree, against its headers
blog=$LOGS/build-tools-kdbus.log
{
	make -C "$SRC/tools/kdbus" KHDR_INCLUDES="-isystem $OBJ/usr/include" \
		kdbus-proxy kdbus-monitor native-signal activator check &&
	make -C "$SRC/samples/kdbus" KHDR_INCLUDES="-isystem $OBJ/usr/include"
} >"$blog" 2>&1 || { tail -20 "$blog"; die "tools/kdbus or samples/kdbus did not build or pass make check (log: $blog)"; }

# the file @1 at its own path under $dest (links resolved)
put() {
	[ -e "$dest$1" ] && return 0
	mkdir -p "$dest$(dirname "$1")"
	cp -L "$1" "$dest$1"
}

# the shared libraries @1 needs
put_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null |
		     sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		put "$lib"
	done
}

# @1 and every shared library it needs
put_elf() {
	put "$1"
	put_libs "$1"
}

for t in kdbus-proxy kdbus-monitor native-signal activator; do
	cp "$SRC/tools/kdbus/$t" "$dest/usr/bin/$t"
	put_libs "$SRC/tools/kdbus/$t"
done
for b in /usr/bin/dbus-send /usr/bin/dbus-monitor /usr/bin/gdbus \
	 /usr/bin/busctl /usr/bin/python3.11; do
	[ -x "$b" ] || die "$b is missing (install-deps.sh installs it)"
	put_elf "$b"
done
ln -sf python3.11 "$dest/usr/bin/python3"

# the Python modules the test programs import, and their extensions
PY=/usr/bin/python3.11
mods=$("$PY" - <<'EOF'
import sys, os, time, socket, struct, subprocess, errno, signal, array, select
import dbus, dbus.service, dbus.mainloop.glib, dbus.types
from gi.repository import GLib
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f and os.path.isfile(f):
        print(os.path.realpath(f))
EOF
)
for f in $mods; do
	case $f in
	*.so) put_elf "$f" ;;
	*) put "$f" ;;
	esac
done
# the interpreter finds its prefix through os.py; gi its typelibs
put /usr/lib/python3.11/os.py
for t in GLib-2.0 GObject-2.0 GModule-2.0 Gio-2.0 GIRepository-2.0; do
	f=/usr/lib/x86_64-linux-gnu/girepository-1.0/$t.typelib
	[ ! -f "$f" ] || put "$f"
done

cp "$SRC"/tools/kdbus/test/*.py "$dest/usr/share/kdbus/"
cp "$SRC/samples/kdbus/kdbus-sample" "$dest/selftests/kdbus-sample"
cp "$REPO/scripts/guest/dbus-compat.sh" "$dest/selftests/dbus-compat"
chmod +x "$dest/selftests/dbus-compat"
# libdbus wants a machine id
echo 6b6462757320697320696e2074686520 >"$dest/etc/machine-id"
cp "$dest/etc/machine-id" "$dest/var/lib/dbus/machine-id"
echo "    $(du -sh "$dest" | cut -f1) staged"
