#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: client side, checks driver methods, calls,
# memfd-sized payloads, fd passing, match rules, every D-Bus type, custom
# errors, 10 MiB arguments, signal match rules per key (run in the test guest by scripts/guest/dbus-compat.sh)
import sys, os, array, dbus, dbus.mainloop.glib
import typevals
from gi.repository import GLib
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
me = bus.get_unique_name(); print("cli unique", me)
drv = dbus.Interface(bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"), "org.freedesktop.DBus")
fails = 0
def check(c, what):
    global fails
    print(("ok   " if c else "FAIL ") + what, flush=True)
    if not c: fails += 1
names = drv.ListNames(); print("ListNames", list(names))
check("org.example.Svc" in names and me in names and "org.freedesktop.DBus" in names, "ListNames")
owner = drv.GetNameOwner("org.example.Svc"); check(owner.startswith(":1."), "GetNameOwner " + owner)
check(drv.NameHasOwner("org.example.Svc") and not drv.NameHasOwner("org.example.None"), "NameHasOwner")
try:
    drv.GetNameOwner("org.example.None"); check(False, "GetNameOwner none")
except dbus.DBusException as e: check(e.get_dbus_name() == "org.freedesktop.DBus.Error.NameHasNoOwner", "GetNameOwner none: " + e.get_dbus_name())
check(drv.GetConnectionUnixUser(owner) == os.getuid(), "GetConnectionUnixUser")
cr = drv.GetConnectionCredentials("org.example.Svc"); print("creds", dict(cr))
check(int(cr["UnixUserID"]) == os.getuid() and int(cr["ProcessID"]) > 0, "GetConnectionCredentials")
check(len(drv.GetId()) == 32, "GetId")
check(drv.GetConnectionUnixProcessID("org.example.Svc") > 0, "GetConnectionUnixProcessID")
check(list(drv.ListQueuedOwners("org.example.Svc")) == [owner], "ListQueuedOwners")
check("org.freedesktop.DBus" in drv.ListActivatableNames(), "ListActivatableNames")
check(drv.StartServiceByName("org.example.Svc", 0) == 2, "StartServiceByName running")
try:
    drv.StartServiceByName("org.example.Nope", 0); check(False, "StartServiceByName unknown")
except dbus.DBusException as e: check(e.get_dbus_name() == "org.freedesktop.DBus.Error.ServiceUnknown", "StartServiceByName unknown")
drv.AddMatch("type='signal',member='Foo'")
drv.RemoveMatch("member='Foo',type='signal'")
check(True, "RemoveMatch of an added rule")
peer = bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus")
peer.Ping(dbus_interface="org.freedesktop.DBus.Peer")
check(len(peer.GetMachineId(dbus_interface="org.freedesktop.DBus.Peer")) == 32, "Peer.Ping / GetMachineId")
check("<interface name=\"org.freedesktop.DBus\">" in bus.get_object("org.freedesktop.DBus", "/").Introspect(dbus_interface="org.freedesktop.DBus.Introspectable"), "Introspect")
check(drv.RequestName("org.example.Cli", 0) == 1, "RequestName primary")
check(drv.RequestName("org.example.Cli", 0) == 4, "RequestName already")
check(drv.RequestName("org.example.Svc", 4) == 3, "RequestName exists")
check(drv.ReleaseName("org.example.Cli") == 1, "ReleaseName")
check(drv.ReleaseName("org.example.Cli") == 2, "ReleaseName nonexistent")
check(drv.ReleaseName("org.example.Svc") == 3, "ReleaseName not owner")
try:
    drv.AddMatch("type='bogus'"); check(False, "bad match")
except dbus.DBusException as e: check(e.get_dbus_name() == "org.freedesktop.DBus.Error.MatchRuleInvalid", "AddMatch invalid")
try:
    drv.Frobnicate(); check(False, "unknown method")
except dbus.DBusException as e: check(e.get_dbus_name() == "org.freedesktop.DBus.Error.UnknownMethod", "UnknownMethod")
svc = dbus.Interface(bus.get_object("org.example.Svc", "/org/example/Svc"), "org.example.Svc")
check(svc.Echo("hi") == "echo:hi", "Echo via well-known name")
svc2 = dbus.Interface(bus.get_object(owner, "/org/example/Svc"), "org.example.Svc")
check(svc2.Echo("u") == "echo:u", "Echo via unique name")
check(svc.Big(dbus.ByteArray(b"x" * (1 << 20))) == 1 << 20, "1 MiB arg (memfd path)")
check(svc.Big(dbus.ByteArray(b"y" * 1000)) == 1000, "small arg (vec path)")
# A burst of 16 large no-reply calls while the service does not read: the
# first 8 MiB or so fill the proxy's queue towards the service, then the
# proxy stops reading the service's kdbus connection and the rest wait in
# its pool. As sealed memfds their slices take next to nothing of this
# user's share of that pool (a third of its free half: about 2.7 MiB of
# 16 MiB); as 1 MiB PAYLOAD_VECs the third of them would fail with
# ENOBUFS, and a no-reply call that fails is lost without a word.
svc.SinkCount()
m = dbus.lowlevel.MethodCallMessage("org.example.Svc", "/org/example/Svc",
                                    "org.example.Svc", "Block")
m.set_no_reply(True)
m.append(dbus.UInt32(4), signature="u")
bus.send_message(m)
for i in range(16):
    m = dbus.lowlevel.MethodCallMessage("org.example.Svc", "/org/example/Svc",
                                        "org.example.Svc", "Sink")
    m.set_no_reply(True)
    m.append(dbus.ByteArray(b"s" * (1 << 20)), signature="ay")
    bus.send_message(m)
n, total = svc.SinkCount(timeout=120)
check((n, total) == (16, 16 << 20),
      "a burst of 16 x 1 MiB no-reply calls to a service that does not read "
      "arrives whole (%d calls, %d bytes)" % (n, total))
r, w = os.pipe(); os.write(w, b"through-fd"); os.close(w)
check(svc.Fd(dbus.types.UnixFd(r)) == "through-fd", "fd to service"); os.close(r)
f = svc.GiveFd().take(); check(os.read(f, 100) == b"from-service", "fd from service"); os.close(f)
try:
    dbus.Interface(bus.get_object("org.example.Nobody", "/", introspect=False), "x.y").M(); check(False, "unknown dest")
except dbus.DBusException as e: check(e.get_dbus_name() in ("org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner"), "unknown destination: " + e.get_dbus_name())
got = []
def filt(conn, msg):
    if msg.get_type() == 4 and msg.get_interface() == "org.example.Svc":
        got.append((msg.get_member(), *msg.get_args_list(), msg.get_sender()))
bus.add_message_filter(filt)
drv.AddMatch("type='signal',interface='org.example.Svc',arg0namespace='org.example.Foo',arg1path='/aa/'")
drv.AddMatch("type='signal',interface='org.example.Svc',member='Other',arg0='nomatch'")
try:
    drv.RemoveMatch("member='NotThere'"); check(False, "RemoveMatch absent")
except dbus.DBusException as e: check(e.get_dbus_name() == "org.freedesktop.DBus.Error.MatchRuleNotFound", "RemoveMatch absent")
noc = []
bus.add_signal_receiver(lambda *a: noc.append(a), signal_name="NameOwnerChanged", dbus_interface="org.freedesktop.DBus", arg0="org.example.Late")
svc.Emit()
drv.RequestName("org.example.Late", 0)
loop = GLib.MainLoop(); GLib.timeout_add(500, loop.quit); loop.run()
print("signals", got, "noc", noc)
check(len(got) == 1 and got[0][0] == "Tick" and got[0][3] == owner, "signal Tick via match rule, Other filtered")
check(len(noc) == 1 and noc[0][0] == "org.example.Late" and noc[0][2] == me, "NameOwnerChanged for arg0")
# every basic type, containers and nested variants, both ways
sent = typevals.values()
try:
    back = svc.Types(*sent, byte_arrays=True, timeout=30)
    check(bool(back[-1]), "Types " + typevals.SIGNATURE + ": the service receives every value, type and variant level exactly")
    check(typevals.norm(tuple(back[:-1])) == typevals.norm(sent), "Types " + typevals.SIGNATURE + ": the reply carries every value, type and variant level exactly")
    if typevals.norm(tuple(back[:-1])) != typevals.norm(sent):
        print("Types returned", typevals.norm(tuple(back[:-1])))
except dbus.DBusException as e:
    print("Types:", e)
    check(False, "Types: the service receives every value exactly")
    check(False, "Types: the reply carries every value exactly")
try:
    svc.Fail("42"); check(False, "custom error")
except dbus.DBusException as e:
    print("Fail:", e.get_dbus_name(), repr(e.get_dbus_message()))
    check(e.get_dbus_name() == "org.example.Svc.Error.Custom" and e.get_dbus_message() == "custom failure: 42",
          "error org.example.Svc.Error.Custom raised by the service arrives with its name and message")
def checksum(b):
    return int.from_bytes(b, "little") % ((1 << 61) - 1)
BIG = 10 << 20
big = array.array("I", range(BIG // 4, 0, -1)).tobytes()  # no getrandom: may block early after boot
try:
    n, ck = svc.BigIn(dbus.ByteArray(big), timeout=90)
    check(n == BIG and ck == checksum(big), "10 MiB ay to the service: length and checksum as sent")
except dbus.DBusException as e:
    print("BigIn:", e); check(False, "10 MiB ay to the service: length and checksum as sent")
del big
try:
    out = svc.BigOut(BIG, byte_arrays=True, timeout=90)
    check(len(out) == BIG and out == array.array("I", range(BIG // 4)).tobytes(), "10 MiB ay from the service: every byte as sent")
except dbus.DBusException as e:
    print("BigOut:", e); check(False, "10 MiB ay from the service: every byte as sent")
# one connection per match rule (no other rule, no client-side filtering):
# the service sends S1-S4 and S6, this client (another sender) S5
#   S1 org.example.Sig.A   /org/example/Sig/one arg0 alpha
#   S2 org.example.Sig.B   /org/example/Sig/two arg0 beta
#   S3 org.example.Other.A /org/example/Sig     arg0 alpha
#   S4 org.example.Sig.A   /org/example/Sigx    arg0 gamma
#   S5 org.example.Sig.A   /org/example/Sig/one arg0 alpha (from the client)
#   S6 org.example.Sig.C   /other               arg0 alphabet
SVC_SIGS = ["S1", "S2", "S3", "S4", "S6"]
rules = [("sender='%s'" % owner, SVC_SIGS),
         ("sender='org.example.Svc'", SVC_SIGS),
         ("interface='org.example.Sig'", ["S1", "S2", "S4", "S5", "S6"]),
         ("member='A'", ["S1", "S3", "S4", "S5"]),
         ("path='/org/example/Sig/one'", ["S1", "S5"]),
         ("path_namespace='/org/example/Sig'", ["S1", "S2", "S3", "S5"]),
         ("arg0='alpha'", ["S1", "S3", "S5"])]
rgot = [[] for r in rules]
rconns = []
def rfilter(lst):
    def f(conn, msg):
        if msg.get_type() == 4 and msg.get_sender() != "org.freedesktop.DBus":
            a = msg.get_args_list()
            lst.append(str(a[1]) if len(a) == 2 else "%s.%s" % (msg.get_interface(), msg.get_member()))
    return f
for (rule, want), lst in zip(rules, rgot):
    c = dbus.bus.BusConnection(sys.argv[1])
    c.add_message_filter(rfilter(lst))
    c.add_match_string("type='signal'," + rule)
    rconns.append(c)
svc.EmitSet()
m = dbus.lowlevel.SignalMessage("/org/example/Sig/one", "org.example.Sig", "A")
m.append("alpha", "S5", signature="ss")
bus.send_message(m); bus.flush()
loop = GLib.MainLoop()
total = sum(len(w) for r, w in rules)
state = {"t": 0, "done": None}
def tick():
    state["t"] += 1
    if state["done"] is None and sum(len(l) for l in rgot) >= total:
        state["done"] = state["t"]
    # all expected ones, plus 1 s for any that must not come; at most 15 s
    if (state["done"] is not None and state["t"] - state["done"] >= 10) or state["t"] >= 150:
        loop.quit(); return False
    return True
GLib.timeout_add(100, tick); loop.run()
for (rule, want), lst in zip(rules, rgot):
    print("rule", rule, "got", lst)
    check(sorted(lst) == sorted(want), "signals for match rule %s: exactly %s of S1-S6" % (rule.replace(owner, ":1.N (service)"), ",".join(want)))
for c in rconns:
    c.close()
svc.Quit()
print("FAILS", fails); sys.exit(1 if fails else 0)
