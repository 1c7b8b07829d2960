#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: service activation. kdbus activators (test/activator.c)
# hold org.example.Act, org.example.Act2 and org.example.Never; the first
# two start act-service.py when a message is queued for their name, the
# last starts nothing. Through the proxy:
#   a. StartServiceByName of an activatable name replies 1 (SUCCESS) only
#      once the service owns the name, then 2 (ALREADY_RUNNING); the owner
#      is the service, not the activator, and answers a call;
#   b. a plain call to an activatable name starts the service and is moved
#      to it by the kernel: its reply comes back;
#   c. StartServiceByName of a name whose service never comes fails with
#      TimedOut after the proxy's --activation-timeout, TIMEOUT_MS (10000 ms
#      in the guest: the services here must own their name within it);
#   d. a service that exits gives the name back to its activator; the
#      activators stop their services on SIGTERM and exit 0.
# Usage: activation.py unix:path=SOCKET /sys/fs/kdbus/0-system/bus
#                      [ACTIVATOR [TIMEOUT_MS]]
import sys, os, select, signal, subprocess, time
import dbus
addr, kbus = sys.argv[1:3]
activator = sys.argv[3] if len(sys.argv) > 3 else "/usr/bin/activator"
timeout_ms = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
here = os.path.dirname(os.path.abspath(__file__))
service = os.path.join(here, "act-service.py")
python = sys.executable or "/usr/bin/python3"
DRIVER = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
START_WAIT = 30 + timeout_ms // 1000  # call timeout, beyond the proxy's
TIMED_OUT = "org.freedesktop.DBus.Error.TimedOut"
fails = 0
def check(c, what):
    global fails
    print(("ok   " if c else "FAIL ") + what, flush=True)
    if not c: fails += 1

class Activator:
    """An activator process and what it (and its service) printed."""
    def __init__(self, name, cmd):
        self.name, self.text, self.unique = name, "", None
        try:
            self.p = subprocess.Popen([activator, "--bus", kbus, "--name", name, "--"] + cmd,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        except OSError as e:
            print("cannot run", activator, e, flush=True)
            self.p = None
    def wait_for(self, pred, timeout):
        """Read the output until pred(text) holds or timeout s have passed."""
        deadline = time.time() + timeout
        while self.p and not pred(self.text):
            left = deadline - time.time()
            if left <= 0: break
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r: break
            d = os.read(self.p.stdout.fileno(), 4096)
            if not d: break
            self.text += d.decode(errors="replace")
        return pred(self.text)
    def lines(self, prefix):
        return [l for l in self.text.splitlines() if l.startswith(prefix)]
    def ready(self, timeout=20):
        ok = self.wait_for(lambda t: any(l.startswith("ready :1.") for l in t.splitlines()), timeout)
        if ok:
            self.unique = self.lines("ready ")[0].split()[1]
            print("activator of", self.name, "is", self.unique, flush=True)
        return ok
    def pid(self, timeout=5):
        """The pid of the service it started (waiting up to timeout s for
        the line), or None."""
        self.wait_for(lambda t: "started " in t, timeout)
        s = self.lines("started ")
        return int(s[0].split()[1]) if s else None
    def stop(self):
        """SIGTERM, at most 15 s to exit (the service gets 5 s), then SIGKILL."""
        if not self.p: return None
        if self.p.returncode is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rest, _ = self.p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            # a service left behind would keep the pipe open
            for pid in filter(None, (self.pid(), self.p.pid)):
                try: os.kill(pid, signal.SIGKILL)
                except OSError: pass
            try:
                rest, _ = self.p.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                rest = b""; self.p.wait()
        self.text += rest.decode(errors="replace")
        for l in self.text.splitlines():
            print("activator %s: %s" % (self.name, l), flush=True)
        return self.p.returncode

bus = dbus.bus.BusConnection(addr)
print("client unique", bus.get_unique_name(), flush=True)
def driver(method, sig="", *args, timeout=10):
    return bus.call_blocking(*DRIVER, method, sig, args, timeout=timeout)
def has_owner(name):
    return bool(driver("NameHasOwner", "s", name))
def start(name):
    """StartServiceByName(name, 0): (reply or DBusException, seconds)."""
    t0 = time.time()
    try:
        r = int(driver("StartServiceByName", "su", name, 0, timeout=START_WAIT))
    except dbus.DBusException as e:
        r = e
    dt = time.time() - t0
    print("StartServiceByName(%s): %r after %.1f s" % (name, r, dt), flush=True)
    return r, dt
def hello(name):
    try:
        return str(bus.call_blocking(name, "/org/example/Act", "org.example.Act", "Hello",
                                     "", (), timeout=START_WAIT))
    except dbus.DBusException as e:
        print("Hello on %s: %s" % (name, e), flush=True)
        return None
def svc_cmd(name):
    return [python, service, addr, name]

acts = []
def scenarios():
    # a. StartServiceByName
    a1 = Activator("org.example.Act", svc_cmd("org.example.Act")); acts.append(a1)
    check(a1.ready(), "activator of org.example.Act connects and is ready within 20 s")
    if a1.unique:
        check("org.example.Act" in [str(n) for n in driver("ListActivatableNames")],
              "ListActivatableNames lists org.example.Act")
        check(not has_owner("org.example.Act"),
              "NameHasOwner(org.example.Act) is false while only its activator holds it")
        r, dt = start("org.example.Act")
        check(r == 1, "StartServiceByName(org.example.Act) replies 1 (SUCCESS)")
        check(has_owner("org.example.Act"),
              "NameHasOwner(org.example.Act) is true right after that reply")
        try:
            owner = str(driver("GetNameOwner", "s", "org.example.Act"))
        except dbus.DBusException as e:
            print("GetNameOwner:", e, flush=True); owner = None
        check(a1.pid() is not None, "the activator started the service for the queued Ping")
        check(hello("org.example.Act") == "hello from org.example.Act",
              "org.example.Act.Hello on org.example.Act: \"hello from org.example.Act\"")
        # the service printed its unique name before it served anything
        a1.wait_for(lambda t: "act org.example.Act owner " in t, 5)
        svc = [l.split()[3] for l in a1.lines("act org.example.Act owner ")]
        print("owner", owner, "service", svc, flush=True)
        check(owner is not None and owner != a1.unique and svc == [owner],
              "GetNameOwner(org.example.Act) is the service's unique name, not the activator's")
        r, dt = start("org.example.Act")
        check(r == 2, "StartServiceByName(org.example.Act) again replies 2 (ALREADY_RUNNING)")

    # b. auto-activation by a plain call
    a2 = Activator("org.example.Act2", svc_cmd("org.example.Act2")); acts.append(a2)
    check(a2.ready(), "activator of org.example.Act2 connects and is ready within 20 s")
    if a2.unique:
        t0 = time.time()
        h = hello("org.example.Act2")
        print("Hello on org.example.Act2: %r after %.1f s" % (h, time.time() - t0), flush=True)
        check(h == "hello from org.example.Act2",
              "a call to org.example.Act2 starts its service, which gets the call from the activator and replies")
        check(a2.pid() is not None and has_owner("org.example.Act2"),
              "the activator of org.example.Act2 started the service, which owns the name")

    # c. a service that never comes
    a3 = Activator("org.example.Never", ["-"]); acts.append(a3)
    check(a3.ready(), "activator of org.example.Never connects and is ready within 20 s")
    if a3.unique:
        r, dt = start("org.example.Never")
        check(isinstance(r, dbus.DBusException) and r.get_dbus_name() == TIMED_OUT and
              dt >= timeout_ms * 0.875 / 1000,
              "StartServiceByName(org.example.Never) fails with %s after the activation timeout (%d ms)"
              % (TIMED_OUT, timeout_ms))
        check(a3.wait_for(lambda t: "ignored\n" in t, 5),
              "the Ping of that StartServiceByName was queued at the activator of org.example.Never")
        check(not has_owner("org.example.Never"), "org.example.Never still has no owner")

    # d. the name returns to the activator when its service goes; cleanup
    pid = a1.pid()
    if pid:
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + 10
        while has_owner("org.example.Act") and time.time() < deadline:
            time.sleep(0.2)
        check(not has_owner("org.example.Act") and
              "org.example.Act" in [str(n) for n in driver("ListActivatableNames")],
              "when the service of org.example.Act exits, the name has no owner and is activatable again")
        check(a1.wait_for(lambda t: "exited %d " % pid in t, 10),
              "the activator of org.example.Act reaps its service")

try:
    scenarios()
except Exception as e:
    # stop the activators all the same
    print("exception:", repr(e), flush=True)
    check(False, "the activation checks run to the end (%s)" % type(e).__name__)
codes = [(a.name, a.stop()) for a in acts]
print("activator exit codes", codes, flush=True)
check(all(c == 0 for _, c in codes), "activators exit 0 on SIGTERM")
check(all(len(a.lines("started ")) <= 1 for a in acts), "each activator started its service at most once")
left = [str(n) for n in driver("ListActivatableNames") if str(n).startswith("org.example.")]
check(not left, "no activatable org.example names are left (%s)" % ", ".join(left))
bus.close()
print("FAILS", fails); sys.exit(1 if fails else 0)
