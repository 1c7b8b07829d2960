#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make run` walk-through: what kdbus can do so far, step by step.

set -e
export PATH=/usr/bin:$PATH
echo "== mounting kdbusfs on /sys/fs/kdbus"
mount -t kdbusfs kdbusfs /sys/fs/kdbus
ls -la /sys/fs/kdbus
echo "== a bus, a custom endpoint, two connections, an asynchronous and a synchronous call,"
echo "== a well-known name called by name, a match and a broadcast signal, a name notification"
/bin/kdbus-demo /sys/fs/kdbus
echo "== samples/kdbus: the raw interface, commented step by step in kdbus-sample.c"
/selftests/kdbus-sample --domain /sys/fs/kdbus
echo "== unmodified D-Bus programs on kdbus: kdbus-proxy makes the bus 0-system"
echo "== and serves it on /run/kdbus-proxy.sock; a python3-dbus service owns"
echo "== org.example.Svc; dbus-send, gdbus and busctl call it"
mkdir -p /run
sock=/run/kdbus-proxy.sock
kdbus-proxy --bus /sys/fs/kdbus/0-system/bus --listen $sock --make-bus &
proxy=$!
while [ ! -S $sock ]; do sleep 0.2; done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$sock
python3 /usr/share/kdbus/service.py $DBUS_SYSTEM_BUS_ADDRESS &
svc=$!
until dbus-send --system --print-reply --dest=org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
	string:org.example.Svc | grep -q 'boolean true'; do
	sleep 0.2
done
set -x
dbus-send --system --print-reply --dest=org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus.ListNames
dbus-send --system --print-reply --dest=org.example.Svc /org/example/Svc \
	org.example.Svc.Echo string:hello
gdbus call --system --dest org.example.Svc --object-path /org/example/Svc \
	--method org.example.Svc.Echo hello
busctl --address=$DBUS_SYSTEM_BUS_ADDRESS call org.example.Svc \
	/org/example/Svc org.example.Svc Echo s hello
dbus-send --system --print-reply --dest=org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus.GetConnectionCredentials \
	string:org.example.Svc
set +x
kill $svc
kill -INT $proxy
wait $proxy
echo "== walk-through done"
