#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test kernel in QEMU with the initramfs and keep the console log.
#   scripts/boot.sh MODE BZIMAGE INITRAMFS LOG [TIMEOUT_SECONDS]
# MODE is check, run, shell or bench. Software emulation (TCG) by default;
# QEMU_ACCEL=kvm uses KVM.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=$1 kernel=$2 initrd=$3 log=$4 tmo=${5:-1800}
accel=${QEMU_ACCEL:-tcg}
mem=${QEMU_MEM:-1536M}
smp=${QEMU_SMP:-2}
append="console=ttyS0 panic=-1 oops=panic kdbus_mode=$mode kdbus_cpus=$smp"
append+=" kmemleak=on ${KDBUS_APPEND:-}"
case $mode in run|shell) append+=" quiet" ;; esac
[ "$accel" = tcg ] && cpu=max || cpu=host
step "boot: qemu-system-x86_64 -accel $accel -smp $smp -m $mem ($mode)"
args=(-accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem" -kernel "$kernel"
      -initrd "$initrd" -append "$append" -no-reboot -nodefaults
      -display none -serial mon:stdio)
if [ "$mode" = shell ]; then
	exec qemu-system-x86_64 "${args[@]}"
fi
set +e
timeout --foreground -k 10 "$tmo" qemu-system-x86_64 "${args[@]}" \
	</dev/null 2>&1 | tr -d '\r' | tee "$log" |
	if [ -n "${VERBOSE:-}" ]; then cat; else
		grep --line-buffered -E '^(\[ *[0-9.]+\] )?(KDBUS-|(not )?ok |# (PASSED|FAILED|SKIP|Totals)|    (not )?ok )' || true
	fi
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "ERROR: the guest did not finish within ${tmo}s (log: $log)"
	exit 124
fi
grep -q KDBUS-GUEST-DONE "$log" || { echo "ERROR: the guest did not reach the end of its run (log: $log)"; exit 1; }
exit 0
