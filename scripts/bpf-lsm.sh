#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Can the BPF LSM attach programs to the kdbus hooks? It accepts an LSM
# program only if the BTF id of its target is in the bpf_lsm_hooks set
# (kernel/bpf/bpf_lsm.c: bpf_lsm_verify_prog()), which is generated from
# include/linux/lsm_hook_defs.h together with one bpf_lsm_<hook>()
# function per hook. Build kernel/bpf/bpf_lsm.o of the patched tree in a
# small configuration with CONFIG_BPF_LSM and CONFIG_DEBUG_INFO_BTF (the
# BTF id sets are empty without it) and check, for every kdbus hook of
# lsm_hook_defs.h:
#   * bpf_lsm_<hook>() is defined (the attachment point);
#   * bpf_lsm_<hook> is in the bpf_lsm_hooks set (a BTF id entry between
#     the set's start and end symbols);
#   * it is not in sleepable_lsm_hooks: kdbus calls several of its hooks
#     with the bus's registry and policy locks held, where a program that
#     sleeps would stall the bus.
# The test kernel itself stays without BPF (its build time matters).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BOBJ=$BUILD/obj-bpf-lsm
hooks=$(sed -n 's/^LSM_HOOK([^,]*, [^,]*, \(kdbus_[a-z_]*\),.*/\1/p' \
	"$SRC/include/linux/lsm_hook_defs.h")
[ -n "$hooks" ] || die "no kdbus hooks in $SRC/include/linux/lsm_hook_defs.h"
step "bpf-lsm: building kernel/bpf/bpf_lsm.o with BPF_LSM and BTF"
mkdir -p "$BOBJ" "$LOGS"
log=$LOGS/bpf-lsm.log
bmake() {
	make -C "$SRC" O="$BOBJ" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}
{
	bmake tinyconfig
	"$SRC/scripts/config" --file "$BOBJ/.config" \
		-e 64BIT -e MULTIUSER -e SYSFS -e SECURITY -e BPF_SYSCALL -e BPF_JIT \
		-e PERF_EVENTS -e KPROBES -e FTRACE -e KPROBE_EVENTS \
		-e BPF_EVENTS -e BPF_LSM -e DEBUG_KERNEL -e DEBUG_INFO \
		-e DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -e DEBUG_INFO_BTF \
		-e SECURITY_NETWORK -e NET
	bmake olddefconfig
} >"$log" 2>&1 || { tail -30 "$log"; die "bpf-lsm: configuring failed (log: $log)"; }
for opt in BPF_LSM DEBUG_INFO_BTF; do
	grep -q "^CONFIG_$opt=y" "$BOBJ/.config" ||
		die "bpf-lsm: CONFIG_$opt did not stick (log: $log)"
done
bmake kernel/bpf/bpf_lsm.o >>"$log" 2>&1 ||
	{ tail -30 "$log"; die "bpf-lsm: build failed (log: $log)"; }

obj=$BOBJ/kernel/bpf/bpf_lsm.o
# the .BTF_ids section: a set is a symbol whose size covers its ids
syms=$(nm -n -S --radix=d "$obj")
in_set() { # set hook
	awk -v set="__BTF_ID__set__$1" -v id="__BTF_ID__func__bpf_lsm_$2__" '
		{ addr[NR] = $1 + 0; name[NR] = $4 }
		$4 == set { lo = $1 + 0; hi = lo + $2 }
		END {
			for (i = 1; i <= NR; i++)
				if (index(name[i], id) == 1 &&
				    addr[i] >= lo && addr[i] < hi)
					exit 0
			exit 1
		}' <<<"$syms"
}
# the checker itself: a hook known to be in each set, and one not
in_set bpf_lsm_hooks file_open && in_set sleepable_lsm_hooks bpf &&
	! in_set sleepable_lsm_hooks binder_transfer_file ||
	die "bpf-lsm: cannot read the BTF id sets of $obj"
n=0
for h in $hooks; do
	grep -q " T bpf_lsm_$h\$" <<<"$syms" ||
		die "bpf-lsm: no bpf_lsm_$h() in $obj"
	in_set bpf_lsm_hooks "$h" ||
		die "bpf-lsm: bpf_lsm_$h is not in the bpf_lsm_hooks BTF set"
	! in_set sleepable_lsm_hooks "$h" ||
		die "bpf-lsm: bpf_lsm_$h is in the sleepable set"
	n=$((n + 1))
done
step "bpf-lsm: all $n kdbus hooks are BPF LSM attachment points:" $hooks
