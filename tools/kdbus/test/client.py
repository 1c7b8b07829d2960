#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: client side, checks driver methods, calls,
# memfd-sized payloads, fd passing, match rules (run in the test guest by scripts/guest/dbus-compat.sh)
import sys, os, dbus, dbus.mainloop.glib
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
svc.Quit()
print("FAILS", fails); sys.exit(1 if fails else 0)
