#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: in one guest boot, the round-trip time of a call and its reply
# over kdbus (asynchronous and SYNC_REPLY, and asynchronous with the payload
# in a sealed memfd instead of a PAYLOAD_VEC: kdbus-memfd) next to an
# AF_UNIX socketpair and a pipe ping-pong, for payloads of 8 B, 4 KiB,
# 64 KiB and 1 MiB; the time
# of one connection's open(), HELLO, BYEBYE and close() with 1, 100 and
# 1000 idle connections on the bus; the time of one broadcast SEND with 1,
# 100 and 1000 receivers that have no match, a match that misses or one
# that hits, next to an 8-byte AF_UNIX datagram send; the time of
# NAME_ACQUIRE + NAME_RELEASE with 10 and 10000 other names registered;
# and the cost of metadata: the 8-byte asynchronous call and its reply
# with no metadata (both attach masks 0) and with all of it (both masks
# _KDBUS_ATTACH_ALL on both sides, the module parameter attach_flags_mask
# set to ~0 for that cell and restored after), and their difference.
#
# The kernel is the series with configs/bench.config instead of
# configs/debug.config (KASAN, lockdep &c. would distort the timings), built
# in its own trees, build/bench/src and build/bench/obj, so make check's
# debug kernel is left alone. Build logs go to build/logs/bench/, the guest's console to
# build/logs/guest-bench.log.
#
# The guest runs kdbus-bench twice: client and server on two CPUs, then on
# one (under TCG on a busy host, far less exposed to the host's scheduling
# of the vCPU threads).
#
#   BENCH_TIME=SECONDS   timed part of each cell (default 1.5; the
#                        broadcast, datagram and name cells take 2/3 of it
#                        each, warm-up and drains included)
#   BENCH_ARGS="..."     more kdbus-bench options (kdbus-bench -h), e.g.
#                        "-s 8 -r 5"; "-I" skips HELLO + BYEBYE, "-i 10"
#                        (repeatable) sets the idle connection counts; "-B"
#                        skips broadcast SEND, "-b N" sets the receiver
#                        counts; "-N" skips the names, "-n N" sets the
#                        name counts; "-M" skips the metadata cell
#   QEMU_ACCEL=kvm       KVM instead of software emulation (TCG)
#   QEMU_SMP=N           guest CPUs (default 2: client and server pinned apart)
#
# The memfd threshold (PROXY_MEMFD_THRESHOLD in tools/kdbus/proxy.h: from
# which payload size a sealed memfd, created per message, is cheaper than a
# PAYLOAD_VEC copied into the receiver's pool): the round trips alone, -s
# replacing the default sizes (at most 2 MiB, the kernel's PAYLOAD_VEC
# limit), e.g.
#   BENCH_ARGS="-I -B -N -M -s 65536 -s 131072 -s 262144 -s 524288 \
#     -s 1048576 -s 2097152" make bench
# ("-x kdbus-async -x kdbus-memfd" would also skip the other transports);
# parse-bench.py prints "memfd vs vec": per size memfd/vec (the ratio of
# the kdbus-memfd and kdbus-async medians) and the smallest size at which
# the memfd is faster, per run (two CPUs, one CPU).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

guestlog=$LOGS/guest-bench.log
export KDBUS_SRC=${KDBUS_SRC:-$BUILD/bench/src}
export KDBUS_OBJ=${KDBUS_OBJ:-$BUILD/bench/obj}
export KDBUS_LOGS=${KDBUS_LOGS:-$LOGS/bench}
SRC=$KDBUS_SRC OBJ=$KDBUS_OBJ LOGS=$KDBUS_LOGS
out=$BUILD/bench
accel=${QEMU_ACCEL:-tcg}
export QEMU_SMP=${QEMU_SMP:-2}
mkdir -p "$out" "$LOGS"

"$REPO/scripts/install-deps.sh"
"$REPO/scripts/base-tree.sh"
"$REPO/scripts/apply.sh"
"$REPO/scripts/configure.sh" --bench --verify
step "kernel: building the non-debug bzImage in ${OBJ#"$REPO"/}"
kmake bzImage >"$LOGS/build-kernel.log" 2>&1 ||
	{ tail -30 "$LOGS/build-kernel.log"; die "kernel build failed (log: $LOGS/build-kernel.log)"; }
"$REPO/scripts/build-selftests.sh" "$out/selftests"
[ -x "$out/selftests/kdbus-bench" ] ||
	die "kdbus-bench was not built: is tools/testing/selftests/kdbus/kdbus-bench.c in the series (make series)?"
"$REPO/scripts/initramfs.sh" "$out/initramfs.cpio.gz" "$out/selftests"

# quiet: no console noise between the result lines; KUnit already ran in
# make check and would only delay the start
[ "$(nice)" -le 0 ] || echo "WARNING: running at nice $(nice): QEMU's vCPU threads" \
	"get the host CPUs last, the cross-CPU times suffer most"
rc=0
args="-t ${BENCH_TIME:-1.5} ${BENCH_ARGS:-}"
KDBUS_APPEND="quiet kunit.enable=0 kdbus_bench_args=\"${args% }\" ${KDBUS_APPEND:-}" \
	"$REPO/scripts/boot.sh" bench "$OBJ/arch/x86/boot/bzImage" \
	"$out/initramfs.cpio.gz" "$guestlog" "${BENCH_TIMEOUT:-1200}" || rc=$?
step "results: $guestlog"
python3 "$REPO/scripts/parse-bench.py" --accel "$accel" --smp "$QEMU_SMP" \
	"$guestlog" || rc=$((rc ? rc : $?))
exit "$rc"
