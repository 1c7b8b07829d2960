#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Per-patch gates. Starting from the pristine base, push the series one
# patch at a time; for every prefix:
#   * checkpatch.pl --strict on that patch: no error, warning or check
#     (except the ignores listed with a reason in scripts/checkpatch.ignore);
#   * the kernel builds (W=1, sparse on every recompiled file via C=1);
#   * no compiler, W=1, kernel-doc or sparse message in a file the series
#     has added or touched so far.
# The last prefix is the whole series: its build is the test kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The checkpatch types to ignore for patch file $1: every line of
# scripts/checkpatch.ignore whose glob matches the file name.
checkpatch_ignores() {
	local glob type rest out=
	while read -r glob type rest; do
		case $glob in '#'* | '') continue ;; esac
		# shellcheck disable=SC2254
		case $1 in $glob) out+=${out:+,}$type ;; esac
	done <"$REPO/scripts/checkpatch.ignore"
	echo "$out"
}

# Objects in build/obj outlive the sources they came from: a C file that
# a later patch adds would still link from an earlier build's object (kbuild
# tolerates missing dependencies), and a prefix that lacks it would seem to
# build. Before each prefix is built, remove the objects of the files the
# series adds that this prefix does not have yet.
forget_absent_objects() {
	local f o
	for f in "${added[@]}"; do
		case $f in *.c | *.S) ;; *) continue ;; esac
		[ -e "$SRC/$f" ] && continue
		o=${f%.*}.o
		rm -f "$OBJ/$o" "$OBJ/$(dirname "$o")/.$(basename "$o").cmd"
	done
}

"$REPO/scripts/apply.sh" --none
mapfile -t patches <"$QUILT_SERIES"
n=${#patches[@]}
mapfile -t added < <(cd "$QUILT_PATCHES" && cat "${patches[@]}" |
	awk '/^diff --git a\//{f=substr($3, 3)} /^new file mode/{print f}' | sort -u)
touched=()
for i in $(seq 0 "$n"); do
	if [ "$i" -gt 0 ]; then
		p=${patches[$((i - 1))]}
		step "gate $i/$n: $p"
		"$REPO/scripts/apply.sh" --next
		ignore=$(checkpatch_ignores "$p")
		if ! (cd "$SRC" && ./scripts/checkpatch.pl --strict --show-types \
			${ignore:+--ignore "$ignore"} "$QUILT_PATCHES/$p") \
			>"$LOGS/checkpatch-$i.log" 2>&1; then
			cat "$LOGS/checkpatch-$i.log"
			die "checkpatch --strict: $p is not clean"
		fi
		grep -E '^total:' "$LOGS/checkpatch-$i.log" | sed 's/^/    checkpatch: /'
		mapfile -t -O ${#touched[@]} touched < <(grep -E '^\+\+\+ b/' \
			"$QUILT_PATCHES/$p" | sed 's#^+++ b/##')
		check=C=1
	else
		step "gate 0/$n: the base tree builds"
		check=
	fi
	"$REPO/scripts/configure.sh" $([ "$i" = "$n" ] && echo --verify)
	forget_absent_objects
	log=$LOGS/build-$i.log
	if ! kmake $check bzImage >"$log" 2>&1; then
		grep -E 'error|Error|No rule to make target|undefined reference' "$log" | head -30
		die "prefix $i/$n (${p:-base}) does not build (log: $log)"
	fi
	if [ ${#touched[@]} -gt 0 ]; then
		pat=$(printf '%s\n' "${touched[@]}" | sort -u | sed 's/[.]/\\./g' | paste -sd'|')
		if grep -E "(^|/)($pat):[0-9]+(:[0-9]+)?: (warning|error|note)" "$log" >"$log.findings"; then
			cat "$log.findings"
			die "prefix $i/$n: W=1/sparse/kernel-doc messages in files of the series (log: $log)"
		fi
	fi
	echo "    built ($(grep -cE '^  (CC|CHECK) ' "$log") compile/check steps)"
done
step "gates: all $n prefixes pass checkpatch, W=1 and sparse"
