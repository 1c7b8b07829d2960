#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: service side (run in the test guest by scripts/guest/dbus-compat.sh)
import sys, os, dbus, dbus.service, dbus.mainloop.glib
from gi.repository import GLib
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
print("svc unique", bus.get_unique_name(), flush=True)
name = dbus.service.BusName("org.example.Svc", bus)
class Svc(dbus.service.Object):
    @dbus.service.method("org.example.Svc", in_signature="s", out_signature="s")
    def Echo(self, s): return "echo:" + s
    @dbus.service.method("org.example.Svc", in_signature="ay", out_signature="u")
    def Big(self, b): return len(b)
    @dbus.service.method("org.example.Svc", in_signature="h", out_signature="s")
    def Fd(self, fd):
        f = fd.take(); data = os.read(f, 100); os.close(f); return data.decode()
    @dbus.service.method("org.example.Svc", in_signature="", out_signature="h")
    def GiveFd(self):
        r, w = os.pipe(); os.write(w, b"from-service"); os.close(w)
        return dbus.types.UnixFd(r)
    @dbus.service.method("org.example.Svc", in_signature="", out_signature="")
    def Emit(self):
        self.Tick("org.example.Foo.bar", "/aa/bb/cc")
        self.Other("x")
    @dbus.service.method("org.example.Svc", in_signature="", out_signature="")
    def Quit(self): GLib.timeout_add(100, loop.quit)
    @dbus.service.signal("org.example.Svc", signature="ss")
    def Tick(self, a, b): pass
    @dbus.service.signal("org.example.Svc", signature="s")
    def Other(self, a): pass
o = Svc(bus, "/org/example/Svc")
loop = GLib.MainLoop(); loop.run()
