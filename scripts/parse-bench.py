#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the make bench table from the guest's console log.

Usage: parse-bench.py [--accel tcg|kvm] [--smp N] LOG

Reads the lines kdbus-bench prints (KDBUS-BENCH, KDBUS-BENCH-PHASE,
KDBUS-BENCH-INFO) and prints, per payload size, the median and p90
round-trip time of every transport in microseconds, and the ratio
kdbus/AF_UNIX of the medians. Exit status: 0 when every cell has numbers,
1 when a cell failed or is missing or the benchmark did not finish.
"""

import argparse
import re
import sys

TRANSPORTS = ("kdbus-async", "kdbus-sync", "unix", "pipe")
SIZES = (8, 4096, 65536, 1048576)
TARGET = 1.5  # roadmap: kdbus within 1.5x of AF_UNIX for 8 bytes
LINE = re.compile(r"^(?:\[ *[0-9.]+\] )?(KDBUS-BENCH(?:-[A-Z]+)?) (.*)$")


def size_str(n):
    for unit, mult in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= mult and n % mult == 0:
            return "%d %s" % (n // mult, unit)
    return "%d B" % n


def fields(text):
    return dict(kv.split("=", 1) for kv in text.split() if "=" in kv)


def parse(path):
    cells, phases, info, markers = {}, [], {}, set()
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("KDBUS-BENCH-BEGIN"):
                markers.add("begin")
            m = re.match(r"^KDBUS-BENCH-END rc=(\d+)", line)
            if m:
                markers.add("end")
                info["rc"] = int(m.group(1))
            m = LINE.match(line)
            if not m:
                continue
            kind, kv = m.group(1), fields(m.group(2))
            if kind == "KDBUS-BENCH" and "size" in kv and "transport" in kv:
                cells[(int(kv["size"]), kv["transport"])] = kv
            elif kind == "KDBUS-BENCH-PHASE":
                phases.append(kv)
            elif kind == "KDBUS-BENCH-INFO":
                info.update(kv)
    return cells, phases, info, markers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--smp", default="2")
    ap.add_argument("log")
    args = ap.parse_args()

    cells, phases, info, markers = parse(args.log)
    sizes = sorted({s for s, _ in cells} | set(SIZES))
    transports = list(TRANSPORTS) + sorted({t for _, t in cells} - set(TRANSPORTS))

    if args.accel == "tcg":
        where = ("QEMU -accel tcg (software emulation), -smp %s: absolute times are "
                 "emulated, compare the ratios" % args.smp)
    else:
        where = "QEMU -accel %s, -smp %s" % (args.accel, args.smp)
    print("kdbus round-trip benchmark: request and reply of SIZE bytes each")
    print("  guest: %s" % where)
    if info:
        cpus = ("client on cpu %s, server on cpu %s" % (info.get("client_cpu"), info.get("server_cpu"))
                if info.get("server_cpu", "-1") != "-1" else "client and server on one cpu")
        print("  %s of %s; kdbus pools of %d MiB; ~%s s per cell; a clock read costs %s ns"
              % (cpus, info.get("cpus", "?"), int(info.get("pool_size", 0)) >> 20,
                 info.get("target_s", "?"), info.get("clock_ns", "?")))
    print("  round-trip time in microseconds: median and p90 (n = round trips timed)")
    print()

    head1 = "%8s" % "size"
    head2 = "%8s" % ""
    for t in transports:
        head1 += " | %-17s" % t
        head2 += " | %8s %8s" % ("median", "p90")
    head1 += " | kdbus/unix median"
    head2 += " | %8s %8s" % ("async", "sync")
    print(head1)
    print(head2)
    print("-" * len(head1))

    failed, errors = 0, []
    for s in sizes:
        row = "%8s" % size_str(s)
        for t in transports:
            c = cells.get((s, t))
            if c is None:
                row += " | %-17s" % "missing"
                failed += 1
                errors.append("%s, %s: no result" % (t, size_str(s)))
            elif "error" in c:
                row += " | %-17.17s" % ("error: " + c["error"].split(":")[-1])
                failed += 1
                errors.append("%s, %s: %s" % (t, size_str(s), c["error"].replace(":", ": ", 1)))
            else:
                row += " | %8.1f %8.1f" % (float(c["median_us"]), float(c["p90_us"]))
        row += " |"
        unix = cells.get((s, "unix"), {})
        for t in ("kdbus-async", "kdbus-sync"):
            c = cells.get((s, t), {})
            if "median_us" in c and "median_us" in unix and float(unix["median_us"]) > 0:
                row += " %7.2fx" % (float(c["median_us"]) / float(unix["median_us"]))
            else:
                row += " %8s" % "-"
        print(row)
    print()
    counts = ", ".join("%s %s" % (t, "/".join(cells[(s, t)].get("n", "-") for s in sizes
                                             if (s, t) in cells))
                       for t in transports)
    print("n per size: " + counts)

    if phases:
        print()
        print("where an 8-byte round trip spends its time (median us per step,")
        print("with a clock read between the steps; the server's first step waits for the client):")
        for p in phases:
            if "error" in p:
                print("  %-11s %-6s error: %s" % (p.get("transport"), p.get("side", ""), p["error"]))
                continue
            steps = ["%s %s" % (k, v) for k, v in p.items()
                     if k not in ("size", "transport", "side", "n")]
            print("  %-11s %-6s %s" % (p.get("transport"), p.get("side"), ", ".join(steps)))

    unix8 = cells.get((8, "unix"), {})
    verdict = []
    for t in ("kdbus-async", "kdbus-sync"):
        c = cells.get((8, t), {})
        if "median_us" in c and "median_us" in unix8:
            r = float(c["median_us"]) / float(unix8["median_us"])
            verdict.append("%s %.2fx%s" % (t, r, "" if r <= TARGET else " (over)"))
    print()
    if verdict:
        print("8 bytes, kdbus/AF_UNIX (target <= %.1fx): %s" % (TARGET, ", ".join(verdict)))
    else:
        print("8 bytes, kdbus/AF_UNIX (target <= %.1fx): no kdbus numbers" % TARGET)

    ok = True
    if int(info.get("clock_res_ns", 1)) > 1000:
        print("ERROR: the guest's CLOCK_MONOTONIC has a resolution of %s ns: no "
              "high-resolution clocksource (see configs/bench.config), the times mean nothing"
              % info["clock_res_ns"])
        ok = False
    if int(info.get("cpus", 0)) == 1 and int(args.smp) > 1:
        print("WARNING: the guest runs on one CPU although QEMU has -smp %s: "
              "client and server share it" % args.smp)
    if "begin" not in markers:
        print("ERROR: kdbus-bench did not start (no KDBUS-BENCH-BEGIN in %s)" % args.log)
        ok = False
    elif "end" not in markers:
        print("ERROR: kdbus-bench did not finish (no KDBUS-BENCH-END in %s)" % args.log)
        ok = False
    for e in errors:
        print("FAILED: %s" % e)
    if failed:
        print("%d of %d cells failed" % (failed, len(sizes) * len(transports)))
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
