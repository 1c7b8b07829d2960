#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: service side (run in the test guest by scripts/guest/dbus-compat.sh)
import sys, os, array, time, dbus, dbus.service, dbus.mainloop.glib
import typevals
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
    @dbus.service.method("org.example.Svc", in_signature=typevals.SIGNATURE,
                         out_signature=typevals.SIGNATURE + "b", byte_arrays=True)
    def Types(self, y, b, n, q, i, u, x, t, d, s, o, g, ai, as_, ay, asv, ass,
              st, v, asi):
        # the arguments back, and whether they arrived exactly as sent
        args = (y, b, n, q, i, u, x, t, d, s, o, g, ai, as_, ay, asv, ass,
                st, v, asi)
        exact = typevals.norm(args) == typevals.norm(typevals.values())
        if not exact:
            print("Types got", typevals.norm(args), flush=True)
        return args + (exact,)
    @dbus.service.method("org.example.Svc", in_signature="s", out_signature="")
    def Fail(self, s):
        raise dbus.DBusException("custom failure: " + s,
                                 name="org.example.Svc.Error.Custom")
    @dbus.service.method("org.example.Svc", in_signature="ay", out_signature="ut",
                         byte_arrays=True)
    def BigIn(self, b):
        return len(b), checksum(b)
    @dbus.service.method("org.example.Svc", in_signature="u", out_signature="ay",
                         byte_arrays=True)
    def BigOut(self, n):
        return dbus.ByteArray(pattern(n))
    @dbus.service.method("org.example.Svc", in_signature="", out_signature="")
    def EmitSet(self):
        # the signals S1-S4 and S6 of client.py's match rule checks
        for path, iface, member, a0, tag in SIGNALS:
            m = dbus.lowlevel.SignalMessage(path, iface, member)
            m.append(a0, tag, signature="ss")
            bus.send_message(m)
    @dbus.service.method("org.example.Svc", in_signature="ay", out_signature="",
                         byte_arrays=True)
    def Sink(self, b):
        sunk[0] += 1
        sunk[1] += len(b)
    @dbus.service.method("org.example.Svc", in_signature="u", out_signature="")
    def Block(self, seconds):
        # stop reading the bus for a while
        time.sleep(seconds)
    @dbus.service.method("org.example.Svc", in_signature="", out_signature="ut")
    def SinkCount(self):
        # the calls and bytes Sink got since the last SinkCount
        n, total = sunk
        sunk[:] = [0, 0]
        return n, total
    @dbus.service.method("org.example.Svc", in_signature="", out_signature="")
    def Quit(self): GLib.timeout_add(100, loop.quit)
    @dbus.service.signal("org.example.Svc", signature="ss")
    def Tick(self, a, b): pass
    @dbus.service.signal("org.example.Svc", signature="s")
    def Other(self, a): pass
sunk = [0, 0]
def checksum(b):
    # position dependent, computed in C: b as a little-endian number mod 2^61-1
    return int.from_bytes(b, "little") % ((1 << 61) - 1)
def pattern(n):
    return array.array("I", range((n + 3) // 4)).tobytes()[:n]
SIGNALS = (("/org/example/Sig/one", "org.example.Sig", "A", "alpha", "S1"),
           ("/org/example/Sig/two", "org.example.Sig", "B", "beta", "S2"),
           ("/org/example/Sig", "org.example.Other", "A", "alpha", "S3"),
           ("/org/example/Sigx", "org.example.Sig", "A", "gamma", "S4"),
           ("/other", "org.example.Sig", "C", "alphabet", "S6"))
o = Svc(bus, "/org/example/Svc")
loop = GLib.MainLoop(); loop.run()
