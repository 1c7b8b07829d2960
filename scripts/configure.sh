#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure build/obj: tinyconfig + the repository's fragments.
#   scripts/configure.sh [--verify] [--bench]
# --verify fails if any option requested by a fragment did not end up in the
# final .config with the requested value (a silently dropped option).
# --bench configures the kernel of make bench: configs/bench.config instead
# of configs/debug.config, whose checkers (KASAN, lockdep, ...) would
# distort the timings.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

verify='' kind=debug
for arg; do
	case $arg in
	--verify) verify=1 ;;
	--bench) kind=bench ;;
	*) die "usage: $0 [--verify] [--bench]" ;;
	esac
done
FRAGMENTS=("$REPO/configs/qemu-x86_64.config"
	   "$REPO/tools/testing/selftests/kdbus/config"
	   "$REPO/configs/$kind.config")
mkdir -p "$OBJ"
log=$LOGS/configure.log
{
	kmake tinyconfig
	(cd "$SRC" && scripts/kconfig/merge_config.sh -m -O "$OBJ" "$OBJ/.config" "${FRAGMENTS[@]}")
	kmake olddefconfig
} >"$log" 2>&1 || { tail -20 "$log"; die "configuration failed (log: $log)"; }

[ -n "$verify" ] || exit 0
bad=0
for frag in "${FRAGMENTS[@]}"; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$OBJ/.config" || {
				echo "config: ${frag#"$REPO"/} requests $line, .config has:" \
				     "$(grep -E "^(# )?${line%%=*}[= ]" "$OBJ/.config" || echo 'nothing')"
				bad=1
			} ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" "$OBJ/.config" || {
				echo "config: ${frag#"$REPO"/} disables $opt but .config enables it"
				bad=1
			} ;;
		esac
	done <"$frag"
done
[ $bad = 0 ] || die "requested options were dropped by Kconfig (see above)"
step "config: all $(cat "${FRAGMENTS[@]}" | grep -cE '^(CONFIG_|# CONFIG_.* is not set)') requested options verified"
