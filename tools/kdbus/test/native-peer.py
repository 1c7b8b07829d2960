#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: signals both ways between a proxied python3-dbus client
# and a native kdbus program (native-signal, tools/kdbus/test). The native
# program matches org.example.Native.Ping with a bloom mask; this client
# emits Ping("from-proxy") once the native program is ready and must get
# Pong("from-native") back, sent natively with a bloom filter, from the
# native program's unique name.
# Usage: native-peer.py unix:path=SOCKET /sys/fs/kdbus/0-system/bus NATIVE
import sys, os, select, subprocess, time
import dbus, dbus.mainloop.glib
from gi.repository import GLib
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
addr, kbus, native = sys.argv[1:4]
WAIT = 20
fails = 0
def check(c, what):
    global fails
    print(("ok   " if c else "FAIL ") + what, flush=True)
    if not c: fails += 1

bus = dbus.bus.BusConnection(addr)
me = bus.get_unique_name(); print("peer unique", me, flush=True)
pongs = []
def filt(conn, msg):
    if msg.get_type() == 4 and msg.get_interface() == "org.example.Native":
        pongs.append((msg.get_member(), msg.get_path(), msg.get_sender(),
                      [str(a) for a in msg.get_args_list()]))
bus.add_message_filter(filt)
bus.add_match_string("type='signal',interface='org.example.Native',member='Pong'")

try:
    p = subprocess.Popen([native, "--bus", kbus], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
except OSError as e:
    print("cannot run", native, e)
    check(False, "native-signal connects to kdbus, installs its bloom match and is ready within %d s" % WAIT)
    sys.exit(1)
out = b""
deadline = time.time() + WAIT
while b"ready\n" not in out and time.time() < deadline:
    r, _, _ = select.select([p.stdout], [], [], max(0, deadline - time.time()))
    if not r: break
    d = os.read(p.stdout.fileno(), 4096)
    if not d: break
    out += d
text = out.decode(errors="replace")
ready = "ready\n" in text
native_id = None
for l in text.splitlines():
    if l.startswith("unique :1."):
        native_id = l.split()[1]
check(ready and native_id is not None, "native-signal connects to kdbus, installs its bloom match and is ready within %d s" % WAIT)

if ready:
    m = dbus.lowlevel.SignalMessage("/org/example/Native", "org.example.Native", "Ping")
    m.append("from-proxy", signature="s")
    bus.send_message(m); bus.flush()
    loop = GLib.MainLoop()
    state = {"t": 0, "first": None}
    def tick():
        state["t"] += 1
        if pongs and state["first"] is None:
            state["first"] = state["t"]
        # after the first Pong, 0.5 s more for a duplicate
        if (state["first"] is not None and state["t"] - state["first"] >= 5) or state["t"] >= WAIT * 10:
            loop.quit(); return False
        return True
    GLib.timeout_add(100, tick); loop.run()

try:
    rest, _ = p.communicate(timeout=WAIT if ready else 1)
except subprocess.TimeoutExpired:
    p.kill(); rest, _ = p.communicate()
text += rest.decode(errors="replace")
for l in text.splitlines():
    print("native:", l)
print("pongs", pongs, flush=True)
check(p.returncode == 0 and "\nok\n" in "\n" + text and "got Ping \"from-proxy\" from " + me in text,
      "native-signal receives Ping(\"from-proxy\") from the proxied client through its kdbus match, exits 0")
check(len(pongs) == 1 and pongs[0] == ("Pong", "/org/example/Native", native_id, ["from-native"]),
      "the proxied client receives exactly one Pong(\"from-native\") on /org/example/Native from the native program's unique name")
print("FAILS", fails); sys.exit(1 if fails else 0)
