#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: a client that stops reading. It subscribes to a signal
# and then never reads its socket while another client floods that signal;
# the proxy stops reading the slow client's kdbus queue once its outgoing
# queue is full and drops the client once that queue has not shrunk for
# the stall timeout, and it keeps answering the other clients meanwhile.
# Usage: stall.py unix:path=SOCKET STALL_TIMEOUT_MS (the proxy's option)
import sys, time
import dbus
addr = sys.argv[1]
stall_s = int(sys.argv[2]) / 1000.0
fails = 0
def check(c, what):
    global fails
    print(("ok   " if c else "FAIL ") + what, flush=True)
    if not c: fails += 1

slow = dbus.bus.BusConnection(addr)
slow.add_match_string("type='signal',interface='org.example.Flood'")
slow_name = slow.get_unique_name()
print("slow client", slow_name, flush=True)
fast = dbus.bus.BusConnection(addr)
drv = dbus.Interface(fast.get_object("org.freedesktop.DBus",
                                     "/org/freedesktop/DBus"),
                     "org.freedesktop.DBus")
# 16 MiB: more than the proxy's 8 MiB soft limit plus the socket buffers
payload = dbus.ByteArray(b"z" * (400 * 1024))
t0 = time.time()
for i in range(40):
    m = dbus.lowlevel.SignalMessage("/f", "org.example.Flood", "Data")
    m.append(payload)
    fast.send_message(m)
fast.flush()
t_flood = time.time()
print("flooded in %.1f s" % (t_flood - t0), flush=True)

# the proxy answers the others while the slow client is stalled
worst = 0.0
gone_after = None
while time.time() - t_flood < stall_s + 30:
    t = time.time()
    names = drv.ListNames()
    worst = max(worst, time.time() - t)
    if slow_name not in names:
        gone_after = time.time() - t_flood
        break
    time.sleep(0.5)
print("slowest ListNames %.2f s" % worst, flush=True)
check(gone_after is not None,
      "the client that stopped reading is disconnected (after %s s)" %
      ("%.1f" % gone_after if gone_after is not None else "-"))
# the queue cannot have been full before the flood began
check(gone_after is None or gone_after + (t_flood - t0) >= stall_s,
      "not before the stall timeout (%.1f s) since the flood began" % stall_s)
check(worst < 5.0, "the others are answered meanwhile (slowest ListNames "
      "%.2f s < 5 s)" % worst)
# the fast client still works after the drop
check(drv.NameHasOwner("org.freedesktop.DBus"), "the others keep working")
sys.exit(1 if fails else 0)
