#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: everything CI gates on. The last line is
# "N passed, N failed, N skipped".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0 skipped=0
times=()
summary() {
	echo
	echo "Step times:"
	printf '    %s\n' "${times[@]}"
	echo "$passed passed, $failed failed, $skipped skipped"
}
run() {
	local name=$1 t=$(date +%s)
	shift
	if "$@"; then
		times+=("$(printf '%-12s %5ds' "$name" $(($(date +%s) - t)))")
		return 0
	fi
	times+=("$(printf '%-12s %5ds FAILED' "$name" $(($(date +%s) - t)))")
	echo "FAIL: step '$name' failed"
	failed=$((failed + 1))
	summary
	exit 1
}

step "check: kdbus series, $(wc -l <"$QUILT_SERIES") patches"
run deps "$REPO/scripts/install-deps.sh"
run series python3 "$REPO/scripts/series.py" check
run base "$REPO/scripts/base-tree.sh"
run gates "$REPO/scripts/gates.sh"
run bpf-lsm "$REPO/scripts/bpf-lsm.sh"
run coccicheck "$REPO/scripts/cocci.sh"
# CI machines have no git identity: the gate runs send.sh as a fixed test
# identity (it says so) and leaves build/outgoing/ alone; make send runs as you.
run send "$REPO/scripts/send.sh" --test-identity
run selftests "$REPO/scripts/build-selftests.sh"
run dbus-guest "$REPO/scripts/dbus-guest.sh" "$BUILD/dbus-guest"
run initramfs "$REPO/scripts/initramfs.sh" "$BUILD/initramfs.cpio.gz" "$BUILD/selftests" "$BUILD/dbus-guest"
log=$LOGS/guest-check.log
run boot "$REPO/scripts/boot.sh" check "$OBJ/arch/x86/boot/bzImage" "$BUILD/initramfs.cpio.gz" "$log" "${CHECK_TIMEOUT:-2400}"
t=$(date +%s)
step "results: parsing $log"
python3 "$REPO/scripts/parse-results.py" "$log" --summary "$BUILD/summary" \
	--expect-kunit "$(tr '\n' ',' <"$REPO/scripts/kunit-suites")"
rc=$?
read -r passed failed skipped <"$BUILD/summary"
times+=("$(printf '%-12s %5ds' results $(($(date +%s) - t)))")
summary
exit $rc
