#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Apply the series with quilt, refusing fuzz and rejects.
#   scripts/apply.sh            fresh build/src from the base tree, all patches
#   scripts/apply.sh --none     fresh build/src, no patch applied yet
#   scripts/apply.sh --next     push the next patch onto build/src
#   KSRC=/path scripts/apply.sh apply the whole series to your own tree
set -euo pipefail
. "$(dirname "$0")/lib.sh"

push() {
	local dir=$1 out
	shift
	if ! out=$(cd "$dir" && quilt push --fuzz=0 "$@" 2>&1); then
		echo "$out"
		die "the series does not apply cleanly to $dir"
	fi
	# quilt's own words for a hunk that did not apply exactly (file
	# names such as test-fuzz.c must not match)
	if grep -qE '^Hunk #[0-9]+ (succeeded at [0-9]+ with fuzz|FAILED)|saving rejects' <<<"$out"; then
		echo "$out"
		die "fuzz while applying the series to $dir"
	fi
	grep -E '^(Applying patch|Now at patch)' <<<"$out" | sed 's/^/    /'
}

if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] && [ -d "$KSRC/ipc" ] || die "$KSRC is not a kernel tree"
	step "apply: series onto $KSRC"
	push "$KSRC" -a
	exit 0
fi

case "${1:-}" in
--next)
	push "$SRC"
	exit 0
	;;
esac

step "apply: fresh $SRC from $BASE"
rm -rf "$SRC"
cp -al "$BASE" "$SRC"
rm -f "$SRC/.kdbus-pristine"
# Files the series touches must look newer than any object built from an
# earlier state, so that incremental builds in build/obj pick them up.
for p in $(cat "$QUILT_SERIES"); do
	grep -E '^\+\+\+ b/' "$QUILT_PATCHES/$p" | sed 's#^+++ b/##'
done | sort -u | while read -r f; do
	[ -e "$SRC/$f" ] && cp --remove-destination "$SRC/$f" "$SRC/$f.kdbus" &&
		mv "$SRC/$f.kdbus" "$SRC/$f" && chmod u+w "$SRC/$f" || true
done
[ "${1:-}" = --none ] && exit 0
push "$SRC" -a
