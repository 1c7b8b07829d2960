#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Unmodified D-Bus programs on kdbus, through kdbus-proxy (TAP). Runs in the
# guest as /selftests/dbus-compat (staged by scripts/dbus-guest.sh):
#   * kdbus-proxy makes the bus 0-system and serves it on a UNIX socket;
#   * a service written with python3-dbus (libdbus) owns org.example.Svc;
#   * Debian's dbus-send (libdbus), gdbus (GDBus) and busctl (sd-bus) call
#     it, and a python3-dbus client checks the org.freedesktop.DBus
#     interface, calls, fds, big arguments, match rules and
#     NameOwnerChanged (tools/kdbus/test/client.py);
#   * kdbus-monitor and dbus-monitor (BecomeMonitor) show those calls;
#   * service activation: kdbus activators start python3-dbus services on
#     StartServiceByName or a plain call, and StartServiceByName of a
#     service that never comes times out (tools/kdbus/test/activation.py);
#   * hostile input on the socket and a client that stops reading leave
#     the proxy serving the others.

export PATH=/usr/bin:$PATH
SHARE=/usr/share/kdbus
SOCK=/run/kdbus-proxy.sock
BUS=/sys/fs/kdbus/0-system/bus
ADDR=unix:path=$SOCK
export DBUS_SYSTEM_BUS_ADDRESS=$ADDR
export PYTHONDONTWRITEBYTECODE=1
LOG=/tmp/dbus-compat
mkdir -p $LOG /run

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $1"
}
# @1: description; the rest: a command whose output must contain $WANT
expect() {
	desc=$1
	shift
	if timeout 30 "$@" >$LOG/out 2>&1 && grep -qF -- "$WANT" $LOG/out; then
		ok "$desc"
	else
		not_ok "$desc"
		echo "# wanted: $WANT"
		sed 's/^/# /' $LOG/out
	fi
}
# wait up to 10 s for the file @1 to contain @2 (or, without @2, to exist)
# stop_pid PID: SIGTERM, at most 5 s to exit, then SIGKILL; reaps it
stop_pid() {
	kill "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		if [ -n "$2" ]; then
			grep -q "$2" "$1" 2>/dev/null && return 0
		elif [ -e "$1" ]; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# @1: label; @2: time limit in seconds; the rest: a program printing
# "ok   <what>" / "FAIL <what>" lines, one TAP result each, and a last
# result for its exit status
run_checks() {
	label=$1
	limit=$2
	shift 2
	timeout "$limit" "$@" >"$LOG/$label" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok   "*) ok "$label: ${line#ok   }" ;;
		"FAIL "*) not_ok "$label: ${line#FAIL }" ;;
		*) echo "# $line" ;;
		esac
	done <"$LOG/$label"
	if [ $rc -eq 0 ]; then
		ok "$label exits 0"
	else
		not_ok "$label exits 0 (status $rc)"
	fi
}
finish() {
	[ -z "$svc" ] || kill "$svc" 2>/dev/null
	if [ -n "$proxy" ]; then
		kill -INT "$proxy" 2>/dev/null
		wait "$proxy"
		prc=$?
		if [ $prc -eq 0 ]; then
			ok "kdbus-proxy exits cleanly on SIGINT"
		else
			not_ok "kdbus-proxy exits cleanly on SIGINT (status $prc)"
			sed 's/^/# proxy: /' $LOG/proxy
		fi
	fi
	echo "1..$n"
	[ $failed -eq 0 ]
	exit $?
}

mkdir -p /sys/fs/kdbus
grep -q ' /sys/fs/kdbus ' /proc/mounts ||
	mount -t kdbusfs kdbusfs /sys/fs/kdbus
STALL_MS=5000
# short, for activation.py's timeout check; its services must make it too
ACTIVATION_MS=10000
kdbus-proxy --bus $BUS --listen $SOCK --make-bus --stall-timeout $STALL_MS \
	--activation-timeout $ACTIVATION_MS >$LOG/proxy 2>&1 &
proxy=$!
if wait_for $SOCK; then
	ok "kdbus-proxy makes 0-system and listens on $SOCK"
else
	not_ok "kdbus-proxy makes 0-system and listens on $SOCK"
	sed 's/^/# proxy: /' $LOG/proxy
	proxy=
	finish
fi

WANT='"org.freedesktop.DBus"'
expect "dbus-send: ListNames" dbus-send --system --print-reply \
	--dest=org.freedesktop.DBus /org/freedesktop/DBus \
	org.freedesktop.DBus.ListNames

python3 $SHARE/service.py $ADDR >$LOG/service 2>&1 &
svc=$!
if wait_for $LOG/service "svc unique"; then
	ok "python3-dbus service owns org.example.Svc"
else
	not_ok "python3-dbus service owns org.example.Svc"
	sed 's/^/# service: /' $LOG/service
fi

# kdbus-monitor sees the calls below (a monitor connection on the bus)
kdbus-monitor --bus $BUS >$LOG/monitor 2>&1 &
mon=$!
sleep 1

WANT="('echo:gdbus',)"
expect "gdbus (GDBus) calls the libdbus service" gdbus call --system \
	--dest org.example.Svc --object-path /org/example/Svc \
	--method org.example.Svc.Echo gdbus
WANT='s "echo:busctl"'
expect "busctl (sd-bus) calls the libdbus service" busctl --address=$ADDR \
	call org.example.Svc /org/example/Svc org.example.Svc Echo s busctl
WANT='string "echo:dbus-send"'
expect "dbus-send (libdbus) calls the libdbus service" dbus-send --system \
	--print-reply --dest=org.example.Svc /org/example/Svc \
	org.example.Svc.Echo string:dbus-send
WANT='org.freedesktop.DBus.Error.ServiceUnknown'
expect "dbus-send to a name nobody owns: ServiceUnknown" sh -c \
	"dbus-send --system --print-reply --dest=org.example.Nobody / x.y.Z; true"

kill -INT $mon 2>/dev/null
wait $mon
mrc=$?
if [ $mrc -eq 0 ] && grep -q 'member=Echo' $LOG/monitor &&
   grep -q 'echo:busctl' $LOG/monitor; then
	ok "kdbus-monitor shows the calls and their replies"
else
	not_ok "kdbus-monitor shows the calls and their replies (status $mrc)"
	sed 's/^/# monitor: /' $LOG/monitor | head -40
fi

# dbus-monitor (BecomeMonitor) sees a call, its reply and a signal
dbus-monitor --system >$LOG/dbus-monitor 2>&1 &
dmon=$!
sleep 1
WANT='string "echo:watched"'
expect "dbus-send call while dbus-monitor watches" dbus-send --system \
	--print-reply --dest=org.example.Svc /org/example/Svc \
	org.example.Svc.Echo string:watched
dbus-send --system --type=signal /org/example/Watch org.example.Watch.Sig \
	string:seen
wait_for $LOG/dbus-monitor 'member=Sig'
# SIGTERM: an asynchronous command of a non-interactive shell ignores SIGINT
stop_pid $dmon
if grep -q 'member=Echo' $LOG/dbus-monitor &&
   grep -q '^method return' $LOG/dbus-monitor &&
   grep -q '"echo:watched"' $LOG/dbus-monitor &&
   grep -q 'member=Sig' $LOG/dbus-monitor; then
	ok "dbus-monitor (BecomeMonitor) shows a call, its reply and a signal"
else
	not_ok "dbus-monitor (BecomeMonitor) shows a call, its reply and a signal"
	sed 's/^/# dbus-monitor: /' $LOG/dbus-monitor | head -40
fi

# hostile input: garbage instead of the auth, a truncated message
python3 - $SOCK >$LOG/hostile 2>&1 <<'EOF'
import socket, sys
for data in (b"\xff" * 64, b"\0AUTH EXTERNAL 30\r\nBEGIN\r\nl\1\0\1\xff\xff\xff\x7f"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.sendall(data)
    s.settimeout(10)
    try:
        while s.recv(4096):
            pass
    except OSError as e:
        print("recv:", e)
    s.close()
    print("closed by the proxy")
EOF
WANT='string "echo:after"'
expect "hostile clients are dropped, the others keep working" dbus-send \
	--system --print-reply --dest=org.example.Svc /org/example/Svc \
	org.example.Svc.Echo string:after

# malformed messages built by hand, failed authentication (~13 results)
run_checks hostile.py 150 python3 $SHARE/hostile.py $ADDR

# a uid 1000 client: its own uid and pid on the bus
run_checks creds.py 60 python3 $SHARE/creds.py $ADDR

# a client that stops reading is dropped, the others are served meanwhile
run_checks stall.py 90 python3 $SHARE/stall.py $ADDR $STALL_MS

# signals both ways between a native kdbus program and a proxied client
run_checks native-peer.py 70 python3 $SHARE/native-peer.py $ADDR $BUS \
	/usr/bin/native-signal

# service activation through kdbus activators (~22 results)
run_checks activation.py 240 python3 $SHARE/activation.py $ADDR $BUS \
	/usr/bin/activator $ACTIVATION_MS

# the python3-dbus client: one TAP result per check
run_checks python3-dbus 180 python3 $SHARE/client.py $ADDR
finish
