#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge a guest console log: KUnit (KTAP), kselftests (TAP) and splats.

  parse-results.py LOG [--summary FILE] [--expect-kunit SUITE,...]

Prints one line per failure and a summary; exits non-zero on any failed
test, any missing or truncated test program, any kernel splat and any
kmemleak report, and when the guest brought up fewer CPUs than QEMU gave
it (kdbus_cpus= on its command line). With --summary, writes "passed
failed skipped" to FILE.
"""

import re
import sys

PRINTK = re.compile(r"^\[\s*\d+\.\d+\] ?(.*)$")
TAP = re.compile(r"^(\s*)(not ok|ok) (\d+)\s*-?\s*([^#]*?)\s*(#\s*(SKIP|skip|TODO)\b.*)?$")
PLAN = re.compile(r"^(\s*)1\.\.(\d+)")
# Kernel messages that mean something went wrong, whatever the tests said.
SPLATS = [
    r"\bBUG: ", r"^WARNING: ", r"\bWARNING: CPU: ", r"Oops", r"\bKASAN: ",
    r"\bUBSAN: ", r"general protection fault", r"Kernel panic",
    r"possible circular locking dependency", r"possible recursive locking",
    r"inconsistent lock state", r"suspicious RCU usage",
    r"INFO: task .* blocked for more than", r"rcu: INFO: .* stall",
    r"kmemleak: \d+ new suspected memory leaks", r"unreferenced object 0x",
    r"Unable to handle kernel", r"list_(add|del) corruption",
    r"\bstack-protector: ", r"\bkernel BUG at ", r"refcount_t: ",
    r"DEBUG_LOCKS_WARN_ON", r"BUG: sleeping function called",
    r"Call Trace:",
]
SPLAT_RE = re.compile("|".join(SPLATS))


def main():
    args = sys.argv[1:]
    log = args[0]
    summary = None
    expect_kunit = []
    if "--summary" in args:
        summary = args[args.index("--summary") + 1]
    if "--expect-kunit" in args:
        expect_kunit = [s for s in args[args.index("--expect-kunit") + 1].split(",") if s]

    passed = failed = skipped = 0
    problems = []
    lines = open(log, errors="replace").read().splitlines()

    # 1. Splats anywhere in the kernel log.
    for i, line in enumerate(lines):
        m = PRINTK.match(line)
        if m and SPLAT_RE.search(m.group(1)):
            problems.append("kernel splat (log line %d): %s" % (i + 1, m.group(1).strip()))

    # 2. The tests are meant to run on every CPU QEMU gives the guest.
    text = "\n".join(lines)
    want = re.search(r"Command line: .*\bkdbus_cpus=(\d+)", text)
    got = re.search(r"smp: Brought up \d+ nodes?, (\d+) CPUs?", text)
    if want and (not got or int(got.group(1)) != int(want.group(1))):
        problems.append("the guest brought up %s CPUs, QEMU gave it %s"
                        % (got.group(1) if got else "no", want.group(1)))

    # 3. KUnit: KTAP printed by the kernel at boot.
    kunit = [PRINTK.match(ln).group(1) for ln in lines if PRINTK.match(ln)]
    suites = {}
    plan = None
    case_fail_in_suite = False
    for ln in kunit:
        if plan is None:
            p = PLAN.match(ln)
            if p and p.group(1) == "" and "KTAP version" not in ln:
                plan = int(p.group(2))
            continue
        t = TAP.match(ln)
        if not t:
            continue
        indent = len(t.group(1))
        ok = t.group(2) == "ok"
        name = t.group(4).strip()
        skip = t.group(6) is not None and t.group(6).lower() == "skip"
        if indent == 4:
            if not ok:
                failed += 1
                case_fail_in_suite = True
                problems.append("KUnit: not ok %s" % name)
            elif skip:
                skipped += 1
            else:
                passed += 1
        elif indent == 0:
            suites[name] = ok
            if not ok and not case_fail_in_suite:
                failed += 1
                problems.append("KUnit suite failed: %s" % name)
            case_fail_in_suite = False
    if plan is not None and len(suites) != plan:
        problems.append("KUnit: %d of %d suites reported (crash?)" % (len(suites), plan))
    for s in expect_kunit:
        if s not in suites:
            problems.append("KUnit: suite %s did not run" % s)

    # 4. kselftests between the guest's markers.
    cur = None
    saw_begin = False
    for ln in lines:
        if PRINTK.match(ln):
            continue
        if ln.startswith("KDBUS-SELFTESTS-BEGIN"):
            saw_begin = True
        m = re.match(r"^KDBUS-TEST-BEGIN (\S+)", ln)
        if m:
            cur = {"name": m.group(1), "plan": None, "n": 0, "fail": 0}
            continue
        m = re.match(r"^KDBUS-TEST-END (\S+) rc=(\d+)", ln)
        if m and cur:
            rc = int(m.group(2))
            if cur["plan"] is None:
                problems.append("%s: printed no TAP plan" % cur["name"])
                failed += 1
            elif cur["n"] != cur["plan"]:
                problems.append("%s: %d of %d results" % (cur["name"], cur["n"], cur["plan"]))
                failed += 1
            elif rc != 0 and cur["fail"] == 0:
                problems.append("%s: exit status %d with no failed test" % (cur["name"], rc))
                failed += 1
            cur = None
            continue
        if cur is None:
            continue
        p = PLAN.match(ln)
        if p and p.group(1) == "":
            cur["plan"] = int(p.group(2))
            continue
        t = TAP.match(ln)
        if t and t.group(1) == "":
            cur["n"] += 1
            name = "%s: %s" % (cur["name"], t.group(4).strip())
            if t.group(2) != "ok":
                failed += 1
                cur["fail"] += 1
                problems.append("selftest not ok: %s" % name)
            elif t.group(6) and t.group(6).lower() == "skip":
                skipped += 1
                print("skipped: %s %s" % (name, t.group(5)))
            else:
                passed += 1
    if cur is not None:
        problems.append("%s: did not finish (guest crashed or hung)" % cur["name"])
        failed += 1
    if not saw_begin:
        problems.append("the selftests never started")

    # 5. kmemleak reports printed by the guest after a forced scan.
    block = None
    for ln in lines:
        m = re.match(r"^KDBUS-KMEMLEAK-(BEGIN|END) (\S+)", ln)
        if m:
            block = m.group(2) if m.group(1) == "BEGIN" else None
            continue
        if block and ln.strip() and not PRINTK.match(ln):
            problems.append("kmemleak (%s): %s" % (block, ln.strip()))

    for p in problems:
        print("FAIL: " + p)
    if problems and failed == 0:
        failed = 1
    print("tests: %d passed, %d failed, %d skipped (log: %s)" % (passed, failed, skipped, log))
    if summary:
        open(summary, "w").write("%d %d %d\n" % (passed, failed, skipped))
    sys.exit(1 if problems or failed else 0)


if __name__ == "__main__":
    main()
