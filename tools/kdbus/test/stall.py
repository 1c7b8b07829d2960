#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: a client that stops reading is disconnected after
# PROXY_STALL_TIMEOUT_MS while other clients keep being served (~40 s).
# Usage: stall.py unix:path=SOCKET (proxy running)
import socket, sys, time, os
import dbus
addr = sys.argv[1]
# slow client: Hello + AddMatch via python-dbus connection, then never read
slow = dbus.bus.BusConnection(addr)
slow.add_match_string("type='signal',interface='org.example.Flood'")
print("slow", slow.get_unique_name(), flush=True)
fast = dbus.bus.BusConnection(addr)
drv = dbus.Interface(fast.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"), "org.freedesktop.DBus")
payload = dbus.ByteArray(b"z" * (400 * 1024))
t0 = time.time()
for i in range(60):
    m = dbus.lowlevel.SignalMessage("/f", "org.example.Flood", "Data")
    m.append(payload)
    fast.send_message(m)
    fast.flush()
print("flooded %.1fs" % (time.time() - t0), flush=True)
# the proxy must stay responsive for others while the slow one is stalled
for i in range(8):
    t = time.time(); drv.ListNames(); print("ListNames ok %.3fs after %ds" % (time.time() - t, i * 5), flush=True)
    time.sleep(5)
names = drv.ListNames()
gone = slow.get_unique_name() not in names
print("slow client disconnected:", gone, flush=True)
sys.exit(0 if gone else 1)
