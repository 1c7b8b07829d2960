#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: the credentials of an unprivileged client. A child
# drops to uid/gid 1000, connects through the proxy and reports its unique
# name and pid; the parent (root) asks the bus driver about that name: the
# proxy must have made the child's kdbus connection with the child's
# credentials (SO_PEERCRED), not its own.
# Usage: creds.py unix:path=SOCKET (proxy running, run as root)
import sys, os, select, time
UID = GID = 1000
addr = sys.argv[1]
fails = 0
def check(c, what):
    global fails
    print(("ok   " if c else "FAIL ") + what, flush=True)
    if not c: fails += 1

info_r, info_w = os.pipe()      # child -> parent: "unique pid"
go_r, go_w = os.pipe()          # parent closes go_w: the child may exit
pid = os.fork()
if pid == 0:
    os.close(info_r); os.close(go_w)
    try:
        os.setgroups([]); os.setgid(GID); os.setuid(UID)
        import dbus
        bus = dbus.bus.BusConnection(addr)
        os.write(info_w, ("%s %d\n" % (bus.get_unique_name(), os.getpid())).encode())
        # stay connected until the parent is done (at most 30 s)
        select.select([go_r], [], [], 30)
        bus.close()
        os._exit(0)
    except BaseException as e:
        os.write(info_w, ("error %r\n" % (e,)).encode())
        os._exit(1)
os.close(info_w); os.close(go_r)

line = b""
deadline = time.time() + 20
while not line.endswith(b"\n") and time.time() < deadline:
    r, _, _ = select.select([info_r], [], [], max(0, deadline - time.time()))
    if not r: break
    chunk = os.read(info_r, 256)
    if not chunk: break
    line += chunk
print("child says", line, flush=True)
parts = line.decode(errors="replace").split()
ok_child = len(parts) == 2 and parts[0].startswith(":1.") and parts[1].isdigit()
check(ok_child, "a child with uid/gid %d connects through the proxy within 20 s" % UID)
if ok_child:
    import dbus
    unique, cpid = parts[0], int(parts[1])
    check(cpid == pid, "the child reports its own pid")
    bus = dbus.bus.BusConnection(addr)
    drv = dbus.Interface(bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"), "org.freedesktop.DBus")
    try:
        cr = drv.GetConnectionCredentials(unique, timeout=10)
        print("creds", dict(cr), flush=True)
        check(int(cr.get("UnixUserID", -1)) == UID, "GetConnectionCredentials of the uid %d child: UnixUserID %d" % (UID, UID))
        check(int(cr.get("ProcessID", -1)) == pid, "GetConnectionCredentials of the uid %d child: ProcessID is the child's pid" % UID)
    except dbus.DBusException as e:
        print("GetConnectionCredentials:", e, flush=True)
        check(False, "GetConnectionCredentials of the uid %d child: UnixUserID %d" % (UID, UID))
        check(False, "GetConnectionCredentials of the uid %d child: ProcessID is the child's pid" % UID)
    try:
        check(drv.GetConnectionUnixUser(unique, timeout=10) == UID, "GetConnectionUnixUser of the uid %d child: %d" % (UID, UID))
    except dbus.DBusException as e:
        print("GetConnectionUnixUser:", e, flush=True)
        check(False, "GetConnectionUnixUser of the uid %d child: %d" % (UID, UID))
    try:
        check(drv.GetConnectionUnixProcessID(unique, timeout=10) == pid, "GetConnectionUnixProcessID of the uid %d child: its pid" % UID)
    except dbus.DBusException as e:
        print("GetConnectionUnixProcessID:", e, flush=True)
        check(False, "GetConnectionUnixProcessID of the uid %d child: its pid" % UID)
    bus.close()

os.close(go_w)
status = None
deadline = time.time() + 10
while time.time() < deadline:
    wpid, st = os.waitpid(pid, os.WNOHANG)
    if wpid:
        status = st; break
    time.sleep(0.1)
if status is None:
    os.kill(pid, 9); os.waitpid(pid, 0)
check(status == 0, "the uid %d child exits cleanly" % UID)
print("FAILS", fails); sys.exit(1 if fails else 0)
