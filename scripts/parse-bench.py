#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the make bench tables from the guest's console log.

Usage: parse-bench.py [--accel tcg|kvm] [--smp N] LOG

Reads the lines kdbus-bench prints (KDBUS-BENCH-INFO starts a run, then
KDBUS-BENCH per cell, KDBUS-BENCH-PHASE per side, KDBUS-BENCH-META per
metadata case, KDBUS-BENCH-CONN per number of idle connections,
KDBUS-BENCH-BCAST per number of broadcast receivers and match case plus
the AF_UNIX datagram reference, and KDBUS-BENCH-NAME per number of
registered names) and prints, for every run (client and server on two
CPUs, then on one), per payload size the median and p90 round-trip time
of every transport in microseconds and the ratio kdbus/AF_UNIX of the
medians; then, per size, kdbus-memfd (the payload in a sealed memfd)
against kdbus-async (a PAYLOAD_VEC copied into the receiver's pool),
memfd/vec, and the smallest size at which the memfd is faster (the
threshold of the proxy, PROXY_MEMFD_THRESHOLD in tools/kdbus/proxy.h);
then the 8-byte kdbus-async round trip with no metadata and
with all of it (kdbus-bench -M skips it), the metadata cost per call
(the difference of the medians) and their ratio; then the time of one
connection's open(), HELLO, BYEBYE and close() with 1, 100, 1000
(kdbus-bench -i) idle connections on the bus, and how it grows with
them; then the time of one broadcast SEND with 1, 100, 1000 (-b)
receivers that have no match, a match that misses and one that hits, in
nanoseconds, next to an 8-byte AF_UNIX datagram send; then the time of
NAME_ACQUIRE + NAME_RELEASE with 10 and 10000 (-n) other names
registered, and whether it stays flat.
Exit status: 0 when every cell of every run has numbers, 1 when a cell
failed or is missing, the clock is coarse, or the benchmark did not
finish.
"""

import argparse
import re
import sys

TRANSPORTS = ("kdbus-async", "kdbus-sync", "kdbus-memfd", "unix", "pipe")
KDBUS = ("kdbus-async", "kdbus-sync", "kdbus-memfd")
# memfd vs vec: the same asynchronous call, PAYLOAD_VEC or PAYLOAD_MEMFD
VEC, MEMFD = "kdbus-async", "kdbus-memfd"
# what kdbus-bench runs without -s and -x (logs without sizes=, transports=)
SIZES = (8, 4096, 65536, 1048576)
TARGET = 1.5  # roadmap: kdbus within 1.5x of AF_UNIX for 8 bytes
NOISY = 4.0   # a p90 this many times the median: the host delayed the guest
FLAT = 1.25   # HELLO + BYEBYE: most/fewest idle connections within this: flat
CONN_STEPS = ("open", "hello", "byebye", "close")
# broadcast SEND: the match cases as kdbus-bench names them, and for people
BCAST_CASES = ("none", "miss", "hit")
BCAST_TITLE = {"none": "no match", "miss": "match, no hit", "hit": "match, hit"}
DGRAM = "unix-dgram"
# metadata: the cases as kdbus-bench names them, and for people
META_CASES = ("none", "all")
META_TITLE = {"none": "none (attach masks 0)", "all": "all (_KDBUS_ATTACH_ALL)"}
NAME_STEPS = ("acquire", "release")
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
                runs.append({"info": {}, "cells": {}, "phases": [], "conns": {},
                             "bcast": {}, "dgram": None, "names": {},
                             "meta": {}})
            run = runs[-1]
            if kind == "KDBUS-BENCH-INFO":
                run["info"] = kv
            elif kind == "KDBUS-BENCH" and "size" in kv and "transport" in kv:
                run["cells"][(int(kv["size"]), kv["transport"])] = kv
            elif kind == "KDBUS-BENCH-PHASE":
                run["phases"].append(kv)
            elif kind == "KDBUS-BENCH-META" and "metadata" in kv:
                run["meta"][kv["metadata"]] = kv
            elif kind == "KDBUS-BENCH-CONN" and "idle" in kv:
                run["conns"][int(kv["idle"])] = kv
            elif kind == "KDBUS-BENCH-BCAST" and kv.get("match") == DGRAM:
                run["dgram"] = kv
            elif kind == "KDBUS-BENCH-BCAST" and "receivers" in kv and "match" in kv:
                run["bcast"][(int(kv["receivers"]), kv["match"])] = kv
            elif kind == "KDBUS-BENCH-NAME" and "names" in kv:
                run["names"][int(kv["names"])] = kv
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
    error)] = [sizes]; return (failed cells, cells, messages, verdict, and
    the metadata, HELLO + BYEBYE, broadcast, name and memfd vs vec verdicts
    or None)."""
    info, cells, phases = run["info"], run["cells"], run["phases"]
    want = info.get("sizes")
    want = {int(s) for s in want.split(",") if s.isdigit()} if want else set(SIZES)
    sizes = sorted({s for s, _ in cells} | want)
    want = info.get("transports")
    want = [t for t in want.split(",") if t] if want else list(TRANSPORTS)
    want = [t for t in TRANSPORTS if t in want] + [t for t in want if t not in TRANSPORTS]
    transports = want + sorted({t for _, t in cells} - set(want))
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
    head2 += " | %8s %8s %8s" % ("async", "sync", "memfd")
    print(head1)
    print(head2)
    print("-" * max(len(head1), len(head2)))

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
        for t in KDBUS:
            r = ratio(cells, s, t)
            row += " %7.2fx" % r if r is not None else " %8s" % "-"
        print(row)
    if noisy:
        print("*: p90 above %gx the median: the host kept the guest's vCPUs waiting "
              "(busy host);\n   this cell's median and ratio are not reliable" % NOISY)
    print("n: " + "; ".join("%s %s" % (t, "/".join(cells[(s, t)].get("n", "-")
                                                   for s in sizes if (s, t) in cells))
                            for t in transports))

    memfd_verdict = print_memfd(run, sizes)

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

    f, n, meta_verdict = print_meta(run, errors)
    failed, total = failed + f, n
    f, n, conn_verdict = print_conns(run, errors)
    failed, total = failed + f, total + n
    f, n, bcast_verdict = print_bcast(run, errors)
    failed, total = failed + f, total + n
    f, n, name_verdict = print_names(run, errors)
    failed, total = failed + f, total + n

    verdict = []
    for t in ("kdbus-async", "kdbus-sync"):
        r = ratio(cells, 8, t)
        if r is not None:
            verdict.append("%s %.2fx%s" % (t, r, "" if r <= TARGET else " (over)"))
    verdict = ", ".join(verdict) if verdict else "no kdbus numbers"
    return (failed, total + len(sizes) * len(transports), msgs, verdict,
            meta_verdict, conn_verdict, bcast_verdict, name_verdict,
            memfd_verdict)


def median_us(kv):
    if kv and "median_us" in kv:
        return float(kv["median_us"])
    return None


def print_memfd(run, sizes):
    """Print memfd vs vec of a run: per size the kdbus-async (PAYLOAD_VEC)
    and kdbus-memfd (PAYLOAD_MEMFD) medians, memfd/vec, and the crossover,
    the smallest size at which the memfd is faster; return the verdict, or
    None if the run has neither transport. Failed cells are counted by
    the round-trip table."""
    cells = run["cells"]
    if not any(t in (VEC, MEMFD) for _, t in cells):
        return None
    print()
    print("memfd vs vec: the asynchronous call and its reply with the payload in a")
    print("PAYLOAD_VEC copied into the receiver's pool (%s) or in a sealed memfd" % VEC)
    print("(%s: a fresh one per message, created, written and sealed by the" % MEMFD)
    print("sender, mapped and checked by the receiver); median round trip in us")
    print()
    head = "%8s | %9s %9s | %9s" % ("size", "vec", "memfd", "memfd/vec")
    print(head)
    print("-" * len(head))
    crossover, ratios = None, []
    for s in sizes:
        row = "%8s |" % size_str(s)
        vals = []
        for t in (VEC, MEMFD):
            kv = cells.get((s, t))
            m = median_us(kv)
            vals.append(m)
            if m is not None:
                row += " %9.1f" % m
            elif kv is not None and "error" in kv:
                row += " %9.9s" % "error"
            else:
                row += " %9s" % "missing"
        vec, memfd = vals
        if vec is not None and memfd is not None and vec > 0:
            r = memfd / vec
            ratios.append((s, r))
            row += " | %8.2fx" % r
            if r < 1 and crossover is None:
                crossover = (s, r)
                row += "  <- memfd faster from here"
        else:
            row += " | %9s" % "-"
        print(row)
    if not ratios:
        verdict = "no numbers"
    elif crossover is None:
        verdict = "memfd faster: none up to %s (memfd/vec %.2fx there)" % (
            size_str(ratios[-1][0]), ratios[-1][1])
    else:
        verdict = "memfd faster from %s (memfd/vec %.2fx)" % (
            size_str(crossover[0]), crossover[1])
        slower = [size_str(s) for s, r in ratios if s > crossover[0] and r >= 1]
        if slower:
            verdict += ", but not at %s" % ", ".join(slower)
    print("memfd vs vec, " + verdict)
    return verdict


def meta_cost(meta):
    """(all - none, all / none) of the medians in us, or None."""
    a, b = meta.get("none", {}), meta.get("all", {})
    if "median_us" not in a or "median_us" not in b:
        return None
    lo, hi = float(a["median_us"]), float(b["median_us"])
    return hi - lo, (hi / lo if lo > 0 else None)


def print_meta(run, errors):
    """Print the metadata table of a run; add its failed cases to errors;
    return (failed cases, cases, verdict or None)."""
    info, meta = run["info"], run["meta"]
    if info.get("meta_size", "-") == "-" and not meta:
        return 0, 0, None
    size = info.get("meta_size", "-")
    size = int(size) if size.isdigit() else 8
    print()
    print("metadata: the %d-byte kdbus-async round trip (call + reply) between"
          % size)
    print("connections that ask for no metadata (attach_flags_send and _recv 0")
    print("on both sides) or for all of it (both _KDBUS_ATTACH_ALL on both sides),")
    print("attach_flags_mask ~0 for both; items, bytes: the metadata items of the")
    print("client's first reply; round-trip times in microseconds")
    print()
    head = "%-25s | %8s %8s  | %5s %6s" % ("metadata", "median", "p90", "items", "bytes")
    print(head)
    print("-" * len(head))
    failed = noisy = 0
    for c in META_CASES:
        kv = meta.get(c)
        row = "%-25s |" % META_TITLE[c]
        if kv is None or "error" in kv:
            if kv is None:
                err = "no result"
                row += " %-18s |" % "missing"
            else:
                err = kv["error"].replace(":", ": ", 1)
                row += " %-18.18s |" % ("error: " + kv["error"].split(":")[-1])
            failed += 1
            errors.setdefault(("metadata", err), []).append(c)
            print(row)
            continue
        med, p90 = float(kv["median_us"]), float(kv["p90_us"])
        mark = "*" if p90 > NOISY * med else " "
        noisy += mark == "*"
        row += " %8.1f %8.1f%s |" % (med, p90, mark)
        row += " %5s %6s" % (kv.get("items", "-"), kv.get("item_bytes", "-"))
        print(row)
    if noisy:
        print("*: p90 above %gx the median: the host kept the guest's vCPUs waiting" % NOISY)
    print("n: " + "/".join(meta.get(c, {}).get("n", "-") for c in META_CASES))
    cost = meta_cost(meta)
    if cost is None:
        verdict = "no numbers"
    else:
        verdict = "%+.2f us per call (all - none), all/none %s" % (
            cost[0], "%.2fx" % cost[1] if cost[1] is not None else "-")
    print("metadata cost, " + verdict)
    return failed, len(META_CASES), verdict


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


def counts_of(info, key, seen):
    """The counts kdbus-bench announced under key, and those it printed."""
    want = info.get(key, "-")
    return sorted({int(c) for c in want.split(",") if c.isdigit()} | set(seen))


def cell_ns(kv, width=17):
    """'median p90' of a cell in ns, or its error, width columns."""
    if kv is None:
        return "%-*s" % (width, "missing")
    if "error" in kv:
        return "%-*.*s" % (width, width, "error: " + kv["error"].split(":")[-1])
    med, p90 = float(kv["median_ns"]), float(kv["p90_ns"])
    mark = "*" if p90 > NOISY * med else " "
    return "%8.0f %8.0f%s" % (med, p90, mark)


def cell_err(kv):
    if kv is None:
        return "no result"
    if "error" in kv:
        return kv["error"].replace(":", ": ", 1)
    return None


def median_ns(kv):
    if kv and "median_ns" in kv:
        return float(kv["median_ns"])
    return None


def print_bcast(run, errors):
    """Print the broadcast SEND table of a run; add its failed cells to
    errors; return (failed cells, cells, verdict or None)."""
    info, bcast, dgram = run["info"], run["bcast"], run["dgram"]
    counts = counts_of(info, "bcast_receivers", {c for c, _ in bcast})
    if not counts:
        return 0, 0, None
    print()
    print("broadcast SEND: one broadcast signal (8-byte payload, a bloom filter of the")
    print("bus's size) with RECEIVERS other connections on the bus; nanoseconds per")
    print("SEND ioctl, only the SEND timed. no match: the receivers have none; match,")
    print("no hit: one BLOOM_MASK match each that the filter misses; match, hit: one")
    print("that it hits, every receiver gets a copy. hit drain: ns per broadcast to")
    print("RECV_DROP all its copies (after every %s broadcasts, not in the SEND time)"
          % info.get("bcast_batch", "?"))
    print()
    head1 = "%10s" % "receivers"
    head2 = "%10s" % ""
    for c in BCAST_CASES:
        head1 += " | %-18s" % BCAST_TITLE[c]
        head2 += " | %8s %8s " % ("median", "p90")
    head1 += " | %9s | vs unix-dgram median" % "hit drain"
    head2 += " | %9s |" % "per bcast" + "".join(" %7s" % c for c in BCAST_CASES)
    print(head1)
    print(head2)
    print("-" * len(head1))
    failed = 0
    ref = median_ns(dgram)
    for n in counts:
        row = "%10d" % n
        for c in BCAST_CASES:
            kv = bcast.get((n, c))
            row += " | " + cell_ns(kv, 18)
            err = cell_err(kv)
            if err:
                failed += 1
                errors.setdefault(("broadcast", err), []).append("%d %s" % (n, c))
        hit = bcast.get((n, "hit"), {})
        row += " | %9s |" % ("%.0f" % float(hit["drain_ns"]) if "drain_ns" in hit else "-")
        for c in BCAST_CASES:
            m = median_ns(bcast.get((n, c)))
            row += " %6.1fx" % (m / ref) if m is not None and ref else " %7s" % "-"
        print(row)
    print("%10s | %s   an 8-byte send() on an AF_UNIX SOCK_DGRAM socketpair"
          % (DGRAM, cell_ns(dgram, 18)))
    err = cell_err(dgram)
    if err:
        failed += 1
        errors.setdefault(("broadcast", err), []).append(DGRAM)
    print("n: " + "; ".join("%s %s" % (c, "/".join(bcast.get((n, c), {}).get("n", "-")
                                                  for n in counts))
                            for c in BCAST_CASES)
          + "; %s %s" % (DGRAM, (dgram or {}).get("n", "-")))

    # the cost of one more receiver: the slope from the fewest to the most
    parts = []
    lo, hi = counts[0], counts[-1]
    for c in BCAST_CASES:
        a, b = median_ns(bcast.get((lo, c))), median_ns(bcast.get((hi, c)))
        if a is None or b is None or hi == lo:
            parts.append("%s -" % c)
            continue
        part = "%s %.0f ns" % (c, (b - a) / (hi - lo))
        if ref:
            part += " (%.1fx unix-dgram at %d)" % (b / ref, hi)
        parts.append(part)
    verdict = "per receiver from %d to %d: %s" % (lo, hi, ", ".join(parts))
    print("broadcast SEND, " + verdict)
    return failed, len(counts) * len(BCAST_CASES) + 1, verdict


def print_names(run, errors):
    """Print the NAME_ACQUIRE + NAME_RELEASE table of a run; add its failed
    counts to errors; return (failed counts, counts, verdict or None)."""
    info, names = run["info"], run["names"]
    counts = counts_of(info, "names", set(names))
    if not counts:
        return 0, 0, None
    print()
    print("NAME_ACQUIRE + NAME_RELEASE of one name, with NAMES other names registered")
    print("on the bus (owned by other connections); nanoseconds per pair")
    print()
    head = "%8s | %8s %8s  | %s | median vs %d names" % (
        "names", "median", "p90", " ".join("%8s" % s for s in NAME_STEPS), counts[0])
    print(head)
    print("-" * len(head))
    failed = 0
    base = median_ns(names.get(counts[0]))
    for n in counts:
        kv = names.get(n)
        row = "%8d | %s |" % (n, cell_ns(kv, 18))
        err = cell_err(kv)
        if err:
            failed += 1
            errors.setdefault(("names", err), []).append(n)
            print(row)
            continue
        row += " " + " ".join("%8.0f" % float(kv[s + "_ns"]) if s + "_ns" in kv
                              else "%8s" % "-" for s in NAME_STEPS)
        if base:
            row += " | %7.2fx" % (float(kv["median_ns"]) / base)
        print(row)
    print("n: " + "/".join(names.get(n, {}).get("n", "-") for n in counts))
    lo, hi = median_ns(names.get(counts[0])), median_ns(names.get(counts[-1]))
    if lo is None or hi is None or len(counts) < 2 or lo <= 0:
        verdict = "no numbers"
    else:
        g = hi / lo
        verdict = "%d -> %d names: %.2fx, %s" % (counts[0], counts[-1], g,
                                                "flat" if g <= FLAT else "grows")
    print("NAME_ACQUIRE + NAME_RELEASE median, " + verdict)
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
    meta_verdicts, conn_verdicts, bcast_verdicts, name_verdicts = [], [], [], []
    memfd_verdicts = []
    for run in runs:
        print()
        f, n, m, v, mv, cv, bv, nv, fv = print_run(run, args.smp, errors)
        failed, total = failed + f, total + n
        msgs += m
        where = placement(run["info"])
        verdicts.append("%s: %s" % (where, v))
        for verdict, lst in ((mv, meta_verdicts), (cv, conn_verdicts),
                             (bv, bcast_verdicts), (nv, name_verdicts),
                             (fv, memfd_verdicts)):
            if verdict is not None:
                lst.append("%s: %s" % (where, verdict))
    print()
    print("8 bytes, kdbus/AF_UNIX (target <= %.1fx):" % TARGET)
    for v in verdicts:
        print("  " + v)
    if memfd_verdicts:
        print("memfd vs vec, %s/%s median (the proxy's PROXY_MEMFD_THRESHOLD):"
              % (MEMFD, VEC))
        for v in memfd_verdicts:
            print("  " + v)
    if meta_verdicts:
        print("metadata cost of an 8-byte kdbus-async call, all metadata vs none"
              " (median):")
        for v in meta_verdicts:
            print("  " + v)
    if conn_verdicts:
        print("HELLO + BYEBYE, median with the most vs the fewest idle connections"
              " (target: flat, <= %.2fx):" % FLAT)
        for v in conn_verdicts:
            print("  " + v)
    if bcast_verdicts:
        print("broadcast SEND, cost of one more receiver (median ns):")
        for v in bcast_verdicts:
            print("  " + v)
    if name_verdicts:
        print("NAME_ACQUIRE + NAME_RELEASE, median with the most vs the fewest names"
              " (target: flat, <= %.2fx):" % FLAT)
        for v in name_verdicts:
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
        if t == "broadcast":
            cells = list(dict.fromkeys(sizes))
            msgs.append("FAILED: broadcast SEND: %s (%d cells: %s)"
                        % (e, len(cells), ", ".join(cells)))
            continue
        if t == "metadata":
            msgs.append("FAILED: metadata: %s (cases: %s)"
                        % (e, ", ".join(dict.fromkeys(sizes))))
            continue
        if t == "names":
            msgs.append("FAILED: NAME_ACQUIRE + NAME_RELEASE: %s (names: %s)"
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
