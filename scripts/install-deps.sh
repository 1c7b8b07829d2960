#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the pipeline needs on a Debian machine, and nothing if it is
# all there already.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="bc bison busybox-static ccache coccinelle cpio file flex gcc git
dwarves git-email kmod libmailtools-perl libc6-dev libelf-dev libssl-dev linux-source-6.12 make patch
ocaml-nox perl python3 qemu-system-x86 quilt rsync sparse xz-utils
libdbus-1-dev pkg-config dbus-bin libglib2.0-bin systemd python3-dbus python3-gi"

missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	step "deps: all $(echo $PKGS | wc -w) packages present"
	exit 0
fi
step "deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
