#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Per-patch gates. Starting from the pristine base, push the series one
# patch at a time; for every prefix:
#   * checkpatch.pl --strict on that patch: no error, warning or check
#     (except the ignores listed with a reason in scripts/checkpatch.ignore);
#   * the kernel builds (W=1, sparse on every recompiled file via C=1);
#   * no compiler, W=1, kernel-doc or sparse message in a file the series
#     has added, and no new kind of message in an existing kernel file it
#     has touched: the base tree's own messages for those files (sparse
#     on the base, with the quoted identifiers masked) are the baseline,
#     so that, say, the sparse notes every LSM hook line of the base gets
#     do not count against a new hook line.
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

# A message with its location cut to the file's name and quoted
# identifiers masked: what distinguishes a new kind of message.
message_kind() {
	sed -E "s#^(.*/)?([^/:]+):[0-9]+(:[0-9]+)?: #\2: #; s/'[^']*'/'*'/g"
}

"$REPO/scripts/apply.sh" --none
mapfile -t patches <"$QUILT_SERIES"
n=${#patches[@]}
mapfile -t added < <(cd "$QUILT_PATCHES" && cat "${patches[@]}" |
	awk '/^diff --git a\//{f=substr($3, 3)} /^new file mode/{print f}' | sort -u)
# existing kernel files the series changes, and their C files' objects
mapfile -t existing < <(cd "$QUILT_PATCHES" && cat "${patches[@]}" |
	grep -E '^\+\+\+ b/' | sed 's#^+++ b/##' | sort -u |
	comm -23 - <(printf '%s\n' "${added[@]}"))
baseline=$LOGS/gates-baseline.log
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
	if [ "$i" = 0 ]; then
		# the base's own messages for the existing files the series
		# touches: sparse (C=2) on their objects in the base tree
		objs=()
		for f in "${existing[@]}"; do
			case $f in *.c) [ -e "$OBJ/${f%.c}.o" ] && objs+=("${f%.c}.o") ;; esac
		done
		: >"$baseline"
		if [ ${#objs[@]} -gt 0 ] &&
		   ! kmake C=2 "${objs[@]}" >"$baseline.build" 2>&1; then
			tail -20 "$baseline.build"
			die "base: sparse on ${objs[*]} failed (log: $baseline.build)"
		fi
		[ ${#objs[@]} -eq 0 ] ||
			grep -E ': (warning|error|note)' "$baseline.build" |
			message_kind | sort -u >"$baseline" || true
		echo "    baseline: $(wc -l <"$baseline") kinds of message in ${#objs[@]} touched base files"
	fi
	if [ ${#touched[@]} -gt 0 ]; then
		pat=$(printf '%s\n' "${touched[@]}" | sort -u | sed 's/[.]/\\./g' | paste -sd'|')
		{ grep -E "(^|/)($pat):[0-9]+(:[0-9]+)?: (warning|error|note)" "$log" || true; } |
			while IFS= read -r line; do
				f=$(grep -oE "($pat):[0-9]+" <<<"$line" | head -1)
				f=${f%:*}
				# in an existing file, only a new kind of message counts
				# (no pipe into grep -q: with pipefail, the writer's
				# SIGPIPE when grep exits early would fail the test)
				if grep -qxF -- "$f" <<<"$(printf '%s\n' "${existing[@]}")" &&
				   grep -qxF -- "$(message_kind <<<"$line")" "$baseline"; then
					continue
				fi
				echo "$line"
			done >"$log.findings"
		if [ -s "$log.findings" ]; then
			cat "$log.findings"
			die "prefix $i/$n: W=1/sparse/kernel-doc messages in files of the series (log: $log)"
		fi
	fi
	echo "    built ($(grep -cE '^  (CC|CHECK) ' "$log") compile/check steps)"
done
step "gates: all $n prefixes pass checkpatch, W=1 and sparse"
