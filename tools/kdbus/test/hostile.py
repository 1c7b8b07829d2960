#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: malformed input on a raw socket. Messages are built by
# hand (D-Bus specification, little endian); the valid ones are checked to
# be answered first, then each case breaks exactly one thing. For every
# case the proxy must close that connection (or answer with an error)
# within TIMEOUT seconds, and a normal python3-dbus client must still get
# its ListNames answered afterwards.
# Usage: hostile.py unix:path=SOCKET (proxy running)
import sys, os, socket, struct, time
import dbus
TIMEOUT = 10
addr = sys.argv[1]
path = addr.split("path=", 1)[1].split(",", 1)[0]
fails = 0
def check(c, what):
    global fails
    print(("ok   " if c else "FAIL ") + what, flush=True)
    if not c: fails += 1

# --- marshalling ---------------------------------------------------------
CALL, RETURN, ERROR, SIGNAL = 1, 2, 3, 4
F_PATH, F_IFACE, F_MEMBER, F_ERROR, F_REPLY, F_DEST, F_SENDER, F_SIG = range(1, 9)

def pad(buf, n):
    return buf + b"\0" * (-len(buf) % n)

def m_str(buf, s):
    """append a string (s/o) at 4-byte alignment; s is bytes"""
    buf = pad(buf, 4)
    return buf + struct.pack("<I", len(s)) + s + b"\0"

def m_sig(buf, s):
    return buf + struct.pack("<B", len(s)) + s + b"\0"

def header_fields(fields):
    """a(yv) content; the array starts at offset 16 of the message"""
    buf = b""
    for code, sig, val in fields:
        buf = pad(buf, 8) + struct.pack("<B", code)
        buf = m_sig(buf, sig.encode())
        if sig in ("s", "o"):
            buf = m_str(buf, val if isinstance(val, bytes) else val.encode())
        elif sig == "g":
            buf = m_sig(buf, val if isinstance(val, bytes) else val.encode())
        elif sig == "u":
            buf = pad(buf, 4) + struct.pack("<I", val)
        else:
            raise ValueError(sig)
    return buf

def message(mtype, serial, fields, body=b"", body_len=None, fields_len=None,
            flags=0):
    hf = header_fields(fields)
    fixed = struct.pack("<cBBBIII", b"l", mtype, flags, 1,
                        len(body) if body_len is None else body_len, serial,
                        len(hf) if fields_len is None else fields_len)
    return pad(fixed + hf, 8) + body

def call(serial, member, sig=None, body=b"", dest="org.freedesktop.DBus",
         path="/org/freedesktop/DBus", iface="org.freedesktop.DBus", **kw):
    fields = [(F_PATH, "o", path), (F_IFACE, "s", iface),
              (F_MEMBER, "s", member), (F_DEST, "s", dest)]
    if sig is not None:
        fields.append((F_SIG, "g", sig))
    return message(CALL, serial, fields, body, **kw)

def body_s(s):
    return m_str(b"", s)

HELLO = call(1, "Hello")
NAME = b"org.freedesktop.DBus"
GOOD = call(2, "NameHasOwner", "s", body_s(NAME))

# --- parsing what the proxy sends ---------------------------------------
def parse(buf):
    """(total length, type, {field code: value}, body) or None if partial"""
    if len(buf) < 16:
        return None
    endian, mtype, flags, ver, blen, serial, flen = struct.unpack_from("<cBBBIII", buf)
    if endian != b"l":
        raise ValueError("big-endian reply")
    hend = 16 + flen
    total = hend + (-hend % 8) + blen
    if len(buf) < total:
        return None
    fields, off = {}, 16
    while off < hend:
        off += -off % 8
        code, slen = struct.unpack_from("<BB", buf, off)
        sig = buf[off + 2:off + 2 + slen].decode()
        off += 3 + slen
        if sig in ("s", "o"):
            off += -off % 4
            (n,) = struct.unpack_from("<I", buf, off)
            fields[code] = buf[off + 4:off + 4 + n].decode()
            off += 5 + n
        elif sig == "g":
            n = buf[off]
            fields[code] = buf[off + 1:off + 1 + n].decode()
            off += 2 + n
        elif sig == "u":
            off += -off % 4
            (fields[code],) = struct.unpack_from("<I", buf, off)
            off += 4
        else:
            raise ValueError("header field type " + sig)
    return total, mtype, fields, buf[total - blen:total]

class Conn:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(TIMEOUT)
        self.s.connect(path)
        self.buf = b""

    def line(self):
        """one auth line, or "<closed>" / "<timeout>" """
        deadline = time.time() + TIMEOUT
        while b"\r\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                return "<timeout>"
            self.s.settimeout(left)
            try:
                d = self.s.recv(4096)
            except socket.timeout:
                return "<timeout>"
            except OSError:
                return "<closed>"
            if not d:
                return "<closed>"
            self.buf += d
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode(errors="replace")

    def auth(self, uid=None):
        self.s.sendall(b"\0AUTH EXTERNAL %s\r\n" %
                       str(os.getuid() if uid is None else uid).encode().hex().encode())
        return self.line()

    def reply_to(self, serial):
        """(type, fields, body) of the reply to serial; "closed"; "timeout" """
        deadline = time.time() + TIMEOUT
        while True:
            p = parse(self.buf)
            if p:
                total, mtype, fields, body = p
                self.buf = self.buf[total:]
                if mtype in (RETURN, ERROR) and fields.get(F_REPLY) == serial:
                    return mtype, fields, body
                continue
            left = deadline - time.time()
            if left <= 0:
                return "timeout"
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return "timeout"
            except OSError:
                return "closed"
            if not d:
                return "closed"
            self.buf += d

    def start(self):
        """authenticate, Hello; True if the Hello was answered"""
        if not self.auth().startswith("OK "):
            return False
        self.s.sendall(b"BEGIN\r\n" + HELLO)
        r = self.reply_to(1)
        return isinstance(r, tuple) and r[0] == RETURN

    def closed_within(self, serial):
        """True if the proxy closes (or answers serial with an error)"""
        r = self.reply_to(serial)
        print("  ->", r if not isinstance(r, tuple) else
              (r[0], r[1].get(F_ERROR)), flush=True)
        if isinstance(r, tuple):
            return r[0] == ERROR
        return r == "closed"

    def close(self):
        self.s.close()

bus = dbus.bus.BusConnection(addr)
drv = dbus.Interface(bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"), "org.freedesktop.DBus")
def others_served():
    try:
        return "org.freedesktop.DBus" in drv.ListNames(timeout=TIMEOUT)
    except dbus.DBusException as e:
        print("ListNames:", e, flush=True)
        return False

# the hand-built valid messages are answered
c = Conn()
ok = c.start()
if ok:
    c.s.sendall(GOOD)
    r = c.reply_to(2)
    ok = isinstance(r, tuple) and r[0] == RETURN and r[1].get(F_SIG) == "b" \
        and r[2] == struct.pack("<I", 1)
c.close()
check(ok, "hand-built Hello and NameHasOwner(s) are answered (true)")

# each case: what to send after Hello, whether to shut down writing
NEST = 33
cases = [
    ("a truncated header (20 bytes, then EOF)", GOOD[:20], True),
    ("body length 100 bytes larger than what follows, then EOF",
     call(2, "NameHasOwner", "s", body_s(NAME), body_len=len(body_s(NAME)) + 100), True),
    ("an invalid signature 'z'", call(2, "NameHasOwner", "z", body_s(NAME)), False),
    ("signature 'ss' with a body of one string",
     call(2, "NameHasOwner", "ss", body_s(NAME)), False),
    ("invalid UTF-8 in a string argument",
     call(2, "NameHasOwner", "s", body_s(b"org.\xff\xfe\xc0\x80")), False),
    ("%d levels of nested arrays and structs" % (2 * NEST),
     call(2, "NameHasOwner", "a(" * NEST + "i" + ")" * NEST, b"\0" * 8), False),
    ("body length 0xfffffff0",
     call(2, "NameHasOwner", "s", body_s(NAME), body_len=0xfffffff0), False),
    ("header fields length 0x7ffffff8",
     call(2, "NameHasOwner", "s", body_s(NAME), fields_len=0x7ffffff8), False),
]
for what, data, shut in cases:
    c = Conn()
    started = c.start()
    closed = False
    if started:
        try:
            c.s.sendall(data)
            if shut:
                c.s.shutdown(socket.SHUT_WR)
        except OSError as e:
            print("  send:", e, flush=True)
        closed = c.closed_within(2)
    c.close()
    check(started and closed and others_served(),
          "%s: connection closed within %d s, ListNames still answered" % (what, TIMEOUT))

# failed authentication: the proxy rejects (or closes), never says OK
def auth_case(what, send):
    c = Conn()
    c.s.sendall(send)
    line = c.line()
    print("  ->", line, flush=True)
    c.close()
    check((line.startswith("REJECTED") or line == "<closed>") and others_served(),
          "%s: REJECTED or closed within %d s, ListNames still answered" % (what, TIMEOUT))

wrong = 1000 if os.getuid() == 0 else 0
auth_case("AUTH with a bogus mechanism", b"\0AUTH BOGUS 31303030\r\n")
auth_case("AUTH EXTERNAL as uid %d (wrong uid)" % wrong,
          b"\0AUTH EXTERNAL %s\r\n" % str(wrong).encode().hex().encode())
print("FAILS", fails); sys.exit(1 if fails else 0)
