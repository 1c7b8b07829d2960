# SPDX-License-Identifier: GPL-2.0
# kdbus-proxy test: the values of the Types method of service.py, shared by
# service.py and client.py: every basic type at its limits, containers and
# nested variants, each value explicitly typed so that a round trip must
# give back the same types, values and variant levels.
import dbus

# y b n q i u x t d s o g, ai as ay, a{sv} a{ss}, (isd), v, a(si)
SIGNATURE = "ybnqiuxtdsog" "aiasay" "a{sv}a{ss}" "(isd)" "v" "a(si)"

def values():
    S = dbus.String
    return (
        dbus.Byte(255),
        dbus.Boolean(True),
        dbus.Int16(-32768),
        dbus.UInt16(65535),
        dbus.Int32(-2147483648),
        dbus.UInt32(4294967295),
        dbus.Int64(-9223372036854775808),
        dbus.UInt64(18446744073709551615),
        dbus.Double(-1.2345678901234567e-300),
        S("h\u00e9llo \u2603 \U0001f600 \"q\" \t end"),
        dbus.ObjectPath("/org/example/Obj_1/x"),
        dbus.Signature("a{sv}(isd)v"),
        dbus.Array([dbus.Int32(0), dbus.Int32(-1), dbus.Int32(2147483647)],
                   signature="i"),
        dbus.Array([S(""), S("a"), S("\u00fcn\u00ef")], signature="s"),
        dbus.ByteArray(bytes(range(256)) + b"\0\0end"),
        dbus.Dictionary({
            S("int"): dbus.Int32(7, variant_level=1),
            S("str"): S("x", variant_level=1),
            S("nested"): dbus.UInt64(9, variant_level=3),
            S("arr"): dbus.Array([S("a"), S("b")], signature="s",
                                 variant_level=1),
            S("st"): dbus.Struct((dbus.Int32(1), S("z")), signature="is",
                                 variant_level=1),
            S("dict"): dbus.Dictionary({S("k"): dbus.Double(0.5,
                                                            variant_level=1)},
                                       signature="sv", variant_level=1),
        }, signature="sv"),
        dbus.Dictionary({S("a"): S("1"), S("b"): S("")}, signature="ss"),
        dbus.Struct((dbus.Int32(-5), S("mid"), dbus.Double(2.5)),
                    signature="isd"),
        S("inner", variant_level=2),
        dbus.Array([dbus.Struct((S("one"), dbus.Int32(1)), signature="si"),
                    dbus.Struct((S("two"), dbus.Int32(-2)), signature="si")],
                   signature="(si)"),
    )

def norm(v):
    """type name, variant level and value, recursively (for exact compares)"""
    vl = getattr(v, "variant_level", 0)
    t = type(v).__name__
    if isinstance(v, dict):
        return (t, vl, [(norm(k), norm(x)) for k, x in v.items()])
    if isinstance(v, bytes):
        return (t, vl, bytes(v))
    if isinstance(v, (list, tuple)):
        return (t, vl, [norm(x) for x in v])
    if isinstance(v, float):
        return (t, vl, v.hex())
    if isinstance(v, str):
        return (t, vl, str(v))
    return (t, vl, int(v))
