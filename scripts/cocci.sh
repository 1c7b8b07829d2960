#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make coccicheck MODE=report on ipc/kdbus: no findings allowed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "coccicheck: MODE=report M=ipc/kdbus"
log=$LOGS/coccicheck.log
make -C "$SRC" O="$OBJ" coccicheck MODE=report M=ipc/kdbus J="$JOBS" >"$log" 2>&1 ||
	{ tail -30 "$log"; die "coccicheck failed to run (log: $log)"; }
if grep -E '^[^ ]*ipc/kdbus/[^:]+:[0-9]+' "$log"; then
	die "coccicheck reports findings in ipc/kdbus (log: $log)"
fi
echo "    $(grep -c '^/usr/bin/spatch' "$log" || true) semantic patches, no findings"
