#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the make bench tables from the guest's console log.

Usage: parse-bench.py [--accel tcg|kvm] [--smp N] LOG

Reads the lines kdbus-bench prints (KDBUS-BENCH-INFO starts a run, then
KDBUS-BENCH per cell, KDBUS-BENCH-PHASE per side and KDBUS-BENCH-CONN per
number of idle connections) and prints, for every run (client and server
on two CPUs, then on one), per payload size the median and p90 round-trip
time of every transport in microseconds and the ratio kdbus/AF_UNIX of the
medians; then the time of one connection's open(), HELLO, BYEBYE and
close() with 1, 100, 1000 (kdbus-bench -i) idle connections on the bus,
and how it grows with them. Exit status: 0 when every cell of every run
has numbers, 1 when a cell failed or is missing, the clock is coarse, or
the benchmark did not finish.
"""

import argparse
import re
import sys

TRANSPORTS = ("kdbus-async", "kdbus-sync", "unix", "pipe")
SIZES = (8, 4096, 65536, 1048576)
TARGET = 1.5  # roadmap: kdbus within 1.5x of AF_UNIX for 8 bytes
NOISY = 4.0   # a p90 this many times the median: the host delayed the guest
FLAT = 1.25   # HELLO + BYEBYE: most/fewest idle connections within this: flat
CONN_STEPS = ("open", "hello", "byebye", "close")
LINE = re.compile(r"^(?:\[ *[0-9.]+\] )?(KDBUS-BENCH(?:-[A-Z]+)?) (.*)$")


def size_str(n):
    for unit, mult in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= mult and n % mult == 0:
            return "%d %s" % (n // mult, unit)
    return "%d B" % n


def fields(text):
    return dict(kv.split("=", 1) for kv in text.split() if "=" in kv)


def parse(path):
    """Return (runs, markers); a run is {info, cells, phases}."""
    runs, markers = [], {}
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("KDBUS-BENCH-BEGIN"):
                markers["begin"] = True
            if line.startswith("KDBUS-CLOCKSOURCE "):
                markers["clocksource"] = line.split(None, 1)[1].strip()
            m = re.match(r"^KDBUS-BENCH-END rc=(\d+)", line)
            if m:
                markers["end"] = int(m.group(1))
            m = LINE.match(line)
            if not m:
                continue
            kind, kv = m.group(1), fields(m.group(2))
            if kind == "KDBUS-BENCH-INFO" or not runs:
                runs.append({"info": {}, "cells": {}, "phases": [], "conns": {}})
            run = runs[-1]
            if kind == "KDBUS-BENCH-INFO":
                run["info"] = kv
            elif kind == "KDBUS-BENCH" and "size" in kv and "transport" in kv:
                run["cells"][(int(kv["size"]), kv["transport"])] = kv
            elif kind == "KDBUS-BENCH-PHASE":
                run["phases"].append(kv)
            elif kind == "KDBUS-BENCH-CONN" and "idle" in kv:
                run["conns"][int(kv["idle"])] = kv
    return runs, markers


def placement(info):
    if info.get("server_cpu", "-1") == "-1":
        return "client and server unpinned"
    if info.get("server_cpu") == info.get("client_cpu"):
        return "client and server both on cpu %s" % info["client_cpu"]
    return "client on cpu %s, server on cpu %s" % (info.get("client_cpu"),
                                                 info.get("server_cpu"))


def ratio(cells, size, t):
    c, u = cells.get((size, t), {}), cells.get((size, "unix"), {})
    if "median_us" in c and "median_us" in u and float(u["median_us"]) > 0:
        return float(c["median_us"]) / float(u["median_us"])
    return None


def print_run(run, smp, errors):
    """Print one run's tables, add its failed cells to errors[(transport,
    error)] = [sizes]; return (failed cells, cells, messages, verdict,
    HELLO + BYEBYE verdict or None)."""
    info, cells, phases = run["info"], run["cells"], run["phases"]
    sizes = sorted({s for s, _ in cells} | set(SIZES))
    transports = list(TRANSPORTS) + sorted({t for _, t in cells} - set(TRANSPORTS))
    msgs = []

    print("%s of %s; kdbus pools of %d MiB; ~%s s per cell in %s interleaved rounds;"
          % (placement(info), info.get("cpus", "?"), int(info.get("pool_size", 0)) >> 20,
             info.get("target_s", "?"), info.get("rounds", "?")))
    print("a clock read costs %s ns; round-trip times in microseconds" % info.get("clock_ns", "?"))
    if int(info.get("clock_res_ns", 1)) > 1000:
        msgs.append("ERROR: the guest's CLOCK_MONOTONIC has a resolution of %s ns: no "
                    "high-resolution timers (a clocksource not yet verified: see the "
                    "bench mode of scripts/guest/init), the times mean nothing" % info["clock_res_ns"])
    if info.get("cpus") == "1" and int(smp) > 1:
        msgs.append("WARNING: the guest runs on one CPU although QEMU has -smp %s" % smp)
    print()
    head1, head2 = "%8s" % "size", "%8s" % ""
    for t in transports:
        head1 += " | %-18s" % t
        head2 += " | %8s %8s " % ("median", "p90")
    head1 += " | kdbus/unix median"
    head2 += " | %8s %8s" % ("async", "sync")
    print(head1)
    print(head2)
    print("-" * len(head1))

    failed = noisy = total = 0
    for s in sizes:
        row = "%8s" % size_str(s)
        for t in transports:
            c = cells.get((s, t))
            if c is None:
                row += " | %-18s" % "missing"
                failed += 1
                errors.setdefault((t, "no result"), []).append(s)
            elif "error" in c:
                row += " | %-18.18s" % ("error: " + c["error"].split(":")[-1])
                failed += 1
                errors.setdefault((t, c["error"].replace(":", ": ", 1)), []).append(s)
            else:
                med, p90 = float(c["median_us"]), float(c["p90_us"])
                mark = "*" if p90 > NOISY * med else " "
                noisy += mark == "*"
                row += " | %8.1f %8.1f%s" % (med, p90, mark)
        row += " |"
        for t in ("kdbus-async", "kdbus-sync"):
            r = ratio(cells, s, t)
            row += " %7.2fx" % r if r is not None else " %8s" % "-"
        print(row)
    if noisy:
        print("*: p90 above %gx the median: the host kept the guest's vCPUs waiting "
              "(busy host);\n   this cell's median and ratio are not reliable" % NOISY)
    print("n: " + "; ".join("%s %s" % (t, "/".join(cells[(s, t)].get("n", "-")
                                                   for s in sizes if (s, t) in cells))
                            for t in transports))

    if phases:
        print()
        print("where an 8-byte round trip spends its time, median us per step (a clock")
        print("read between the steps; the server's first step includes waiting for the client):")
        for p in phases:
            if "error" in p:
                print("  %-11s error: %s" % (p.get("transport"), p["error"]))
                continue
            steps = ["%s %s" % (k, v) for k, v in p.items()
                     if k not in ("size", "transport", "side", "n")]
            print("  %-11s %-6s %s" % (p.get("transport"), p.get("side"), ", ".join(steps)))

    f, n, conn_verdict = print_conns(run, errors)
    failed, total = failed + f, n

    verdict = []
    for t in ("kdbus-async", "kdbus-sync"):
        r = ratio(cells, 8, t)
        if r is not None:
            verdict.append("%s %.2fx%s" % (t, r, "" if r <= TARGET else " (over)"))
    verdict = ", ".join(verdict) if verdict else "no kdbus numbers"
    return failed, total + len(sizes) * len(transports), msgs, verdict, conn_verdict


def conn_growth(conns, counts):
    """median at the most idle connections / at the fewest, or None."""
    ok = [c for c in counts if "median_us" in conns.get(c, {})]
    if len(ok) < 2 or ok[0] != counts[0] or ok[-1] != counts[-1]:
        return None
    lo, hi = float(conns[ok[0]]["median_us"]), float(conns[ok[-1]]["median_us"])
    return hi / lo if lo > 0 else None


def print_conns(run, errors):
    """Print the HELLO + BYEBYE table of a run; add its failed counts to
    errors; return (failed counts, counts, verdict or None)."""
    info, conns = run["info"], run["conns"]
    want = info.get("conn_idle", "-")
    counts = sorted({int(c) for c in want.split(",") if c.isdigit()} | set(conns))
    if not counts:
        return 0, 0, None
    print()
    print("HELLO + BYEBYE: one connection's open() of the bus endpoint, HELLO,")
    print("BYEBYE and close(), with IDLE other connections on the bus; microseconds")
    print()
    head = "%8s | %8s %8s  | %s | median vs %d idle" % (
        "idle", "median", "p90", " ".join("%8s" % s for s in CONN_STEPS), counts[0])
    print(head)
    print("%8s | %18s | %35s |" % ("", "", "median per step"))
    print("-" * len(head))
    failed = noisy = 0
    base = conns.get(counts[0], {})
    for c in counts:
        kv = conns.get(c)
        row = "%8d |" % c
        if kv is None or "error" in kv:
            if kv is None:
                err = "no result"
                row += " %-18s |" % "missing"
            else:
                err = kv["error"].replace(":", ": ", 1)
                row += " %-18.18s |" % ("error: " + kv["error"].split(":")[-1])
            failed += 1
            errors.setdefault(("hello+byebye", err), []).append(c)
            print(row)
            continue
        med, p90 = float(kv["median_us"]), float(kv["p90_us"])
        mark = "*" if p90 > NOISY * med else " "
        noisy += mark == "*"
        row += " %8.1f %8.1f%s |" % (med, p90, mark)
        row += " " + " ".join("%8.1f" % float(kv[s + "_us"]) if s + "_us" in kv
                              else "%8s" % "-" for s in CONN_STEPS)
        if "median_us" in base and float(base["median_us"]) > 0:
            row += " | %7.2fx" % (med / float(base["median_us"]))
        print(row)
    if noisy:
        print("*: p90 above %gx the median: the host kept the guest's vCPUs waiting" % NOISY)
    print("n: " + "/".join(conns.get(c, {}).get("n", "-") for c in counts))
    g = conn_growth(conns, counts)
    if g is None:
        verdict = "no numbers"
    else:
        verdict = "%d -> %d idle: %.2fx, %s" % (
            counts[0], counts[-1], g, "flat" if g <= FLAT else "grows")
    print("HELLO + BYEBYE median, " + verdict)
    return failed, len(counts), verdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--smp", default="2")
    ap.add_argument("log")
    args = ap.parse_args()

    runs, markers = parse(args.log)
    if args.accel == "tcg":
        where = ("QEMU -accel tcg (software emulation), -smp %s: absolute times are "
                 "emulated, compare the ratios" % args.smp)
    else:
        where = "QEMU -accel %s, -smp %s" % (args.accel, args.smp)
    print("kdbus round-trip benchmark: request and reply of SIZE bytes each")
    print("guest: %s" % where)
    if "clocksource" in markers:
        print("guest clocksource: %s" % markers["clocksource"])

    ok, failed, total, verdicts, msgs, errors = True, 0, 0, [], [], {}
    conn_verdicts = []
    for run in runs:
        print()
        f, n, m, v, cv = print_run(run, args.smp, errors)
        failed, total = failed + f, total + n
        msgs += m
        verdicts.append("%s: %s" % (placement(run["info"]), v))
        if cv is not None:
            conn_verdicts.append("%s: %s" % (placement(run["info"]), cv))
    print()
    print("8 bytes, kdbus/AF_UNIX (target <= %.1fx):" % TARGET)
    for v in verdicts:
        print("  " + v)
    if conn_verdicts:
        print("HELLO + BYEBYE, median with the most vs the fewest idle connections"
              " (target: flat, <= %.2fx):" % FLAT)
        for v in conn_verdicts:
            print("  " + v)

    if "begin" not in markers:
        msgs.append("ERROR: kdbus-bench did not start (no KDBUS-BENCH-BEGIN in %s)" % args.log)
    elif "end" not in markers:
        msgs.append("ERROR: kdbus-bench did not finish (no KDBUS-BENCH-END in %s)" % args.log)
    elif not runs:
        msgs.append("ERROR: kdbus-bench printed no results (%s)" % args.log)
    for (t, e), sizes in errors.items():
        if t == "hello+byebye":
            msgs.append("FAILED: HELLO + BYEBYE: %s (idle connections: %s)"
                        % (e, ", ".join(str(c) for c in sorted(set(sizes)))))
            continue
        msgs.append("FAILED: %s: %s (%d cells: %s)"
                    % (t, e, len(sizes), ", ".join(size_str(s) for s in sorted(set(sizes)))))
    if msgs:
        print()
    for m in msgs:
        print(m)
        if not m.startswith("WARNING"):
            ok = False
    if failed:
        print("%d of %d cells failed" % (failed, total))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
