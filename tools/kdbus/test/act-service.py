#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: a service started on demand by a kdbus activator
# (test/activator.c, run by test/activation.py). It connects through the
# proxy, exports /org/example/Act with org.example.Act.Hello() -> "hello
# from NAME", then takes NAME over from its activator: RequestName makes it
# the primary owner at once, whatever its flags (kdbus.txt 6.4, case 4),
# and the kernel moves the messages queued at the activator to it. It
# serves until it is killed; the name then returns to the activator.
# The proxy's activation timeout runs while it starts: it takes the name
# first and imports GLib (slow in the emulated guest) only afterwards; the
# calls moved to it wait in its connection until the main loop runs.
# Usage: act-service.py unix:path=SOCKET NAME
import sys
import dbus, dbus.service, dbus.mainloop.glib
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
addr, name = sys.argv[1:3]
bus = dbus.bus.BusConnection(addr)

class Act(dbus.service.Object):
    @dbus.service.method("org.example.Act", in_signature="", out_signature="s")
    def Hello(self): return "hello from " + name

# the object first: the moved calls are dispatched once the loop runs
o = Act(bus, "/org/example/Act")
# DO_NOT_QUEUE: taking the name from its activator must not need a queue
r = bus.request_name(name, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
if r != dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER:
    print("act-service: RequestName(%s) replied %d, not 1 (primary owner)"
          % (name, r), flush=True)
    sys.exit(1)
print("act %s owner %s" % (name, bus.get_unique_name()), flush=True)
from gi.repository import GLib
GLib.MainLoop().run()
