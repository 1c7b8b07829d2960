#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Regenerate patches/*.patch and series from the repository.

One source of truth:
  * a file the series creates lives in this repository at its kernel path;
    its diff inside the patch that creates it is rewritten from that file;
  * a change to a file that already exists in the kernel lives only as
    hunks inside its patch, and is carried over verbatim;
  * the commit message (From/Date/Subject/body/Signed-off-by) lives in the
    patch header and is carried over, with the "[PATCH n/m]" prefix
    renumbered.

Usage:
  series.py generate            rewrite patches/ and series in place
  series.py check               fail if patches/ or series are stale
  series.py new-files PATCH     list the new files a patch owns

The output is deterministic: generating twice changes nothing.
"""

import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATCHDIR = os.path.join(REPO, "patches")
SERIES = os.path.join(REPO, "series")

# Directories whose files are kernel files the series creates.
KERNEL_DIRS = ("include/", "ipc/", "mm/", "security/", "Documentation/",
               "tools/testing/selftests/kdbus/", "tools/kdbus/", "samples/")
GIT_VERSION_TAIL = "-- \n2.39.5\n\n"
# Repository files spliced into an existing kernel file by one pure-addition
# hunk: the added lines of that hunk are rewritten from the repository file.
SPLICED = {"MAINTAINERS": "MAINTAINERS"}


def die(msg):
    sys.stderr.write("series: error: %s\n" % msg)
    sys.exit(1)


def patch_files():
    names = sorted(n for n in os.listdir(PATCHDIR) if n.endswith(".patch"))
    for n in names:
        if not re.match(r"^\d{4}-[A-Za-z0-9._-]+\.patch$", n):
            die("bad patch file name %s (want NNNN-slug.patch)" % n)
    return names


def split_patch(text, name):
    """Return (header_lines, sections) of a format-patch file."""
    m = re.search(r"^---\n", text, re.M)
    if not m:
        die("%s: no '---' separator after the commit message" % name)
    header = text[:m.start()]
    rest = text[m.end():]
    d = re.search(r"^diff --git ", rest, re.M)
    if not d:
        die("%s: contains no diff" % name)
    body = rest[d.start():]
    tail = body.rfind("\n-- \n")
    if tail >= 0:
        body = body[:tail + 1]
    sections = re.split(r"(?m)^(?=diff --git )", body)
    return header, [s for s in sections if s]


def section_path(sec):
    m = re.match(r"diff --git a/(\S+) b/(\S+)\n", sec)
    if not m:
        die("cannot parse diff header: %r" % sec[:80])
    return m.group(2)


def is_new_file(sec):
    return re.search(r"^new file mode ", sec.split("@@", 1)[0], re.M) is not None


def new_file_diff(path):
    full = os.path.join(REPO, path)
    if not os.path.isfile(full):
        die("the series creates %s but it is missing from the repository" % path)
    out = subprocess.run(["git", "-c", "core.abbrev=7", "diff", "--no-index",
                          "--no-color", "--no-ext-diff", "--", "/dev/null", path],
                         cwd=REPO, capture_output=True, text=True)
    if out.returncode not in (0, 1) or not out.stdout:
        die("git diff failed for %s: %s" % (path, out.stderr))
    return out.stdout


def splice(sec, path, name):
    """Rewrite the added lines of the single hunk of @sec from the repo."""
    # The entry is followed by the blank line that separates it from the
    # next one.
    src = open(os.path.join(REPO, SPLICED[path])).read().splitlines() + [""]
    head, _, hunk = sec.partition("\n@@ ")
    hunk = "@@ " + hunk
    lines = hunk.rstrip("\n").split("\n")
    m = re.match(r"@@ -(\d+),(\d+) \+(\d+),(\d+) @@(.*)$", lines[0])
    if not m or "\n@@ " in hunk[3:]:
        die("%s: %s must be changed by exactly one hunk" % (name, path))
    body = lines[1:]
    if any(ln.startswith("-") for ln in body):
        die("%s: the %s hunk may only add lines" % (name, path))
    plus = [i for i, ln in enumerate(body) if ln.startswith("+")]
    if not plus or plus != list(range(plus[0], plus[-1] + 1)):
        die("%s: the %s hunk must add one contiguous block" % (name, path))
    before, after = body[:plus[0]], body[plus[-1] + 1:]
    old = len(before) + len(after)
    new_body = before + ["+" + ln for ln in src] + after
    header = "@@ -%s,%d +%s,%d @@%s" % (m.group(1), old, m.group(3),
                                          old + len(src), m.group(5))
    return head + "\n" + header + "\n" + "\n".join(new_body) + "\n"


def diffstat(diff):
    out = subprocess.run(["git", "apply", "--stat", "--summary", "-"],
                         input=diff, capture_output=True, text=True,
                         cwd=tempfile.gettempdir())
    if out.returncode:
        die("git apply --stat failed: %s" % out.stderr)
    return out.stdout


def fix_subject(header, idx, total, name):
    lines = header.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("Subject: "):
            subj = re.sub(r"^\[PATCH[^\]]*\]\s*", "", line[len("Subject: "):])
            lines[i] = "Subject: [PATCH %0*d/%d] %s" % (
                len(str(total)), idx, total, subj)
            break
    else:
        die("%s: no Subject: line" % name)
    header = "\n".join(lines)
    if "\nSigned-off-by: " not in header:
        die("%s: commit message lacks Signed-off-by" % name)
    return header.rstrip("\n") + "\n"


def generate():
    """Return {filename: content} for patches/ plus the series text."""
    names = patch_files()
    if not names:
        die("no patches in %s" % PATCHDIR)
    out = {}
    owned = {}
    for idx, name in enumerate(names, 1):
        text = open(os.path.join(PATCHDIR, name)).read()
        header, sections = split_patch(text, name)
        header = fix_subject(header, idx, len(names), name)
        diff = ""
        for sec in sections:
            path = section_path(sec)
            if is_new_file(sec):
                if path in owned:
                    die("%s is created by both %s and %s" % (path, owned[path], name))
                owned[path] = name
                diff += new_file_diff(path)
            elif path in SPLICED:
                diff += splice(sec, path, name)
            else:
                if os.path.exists(os.path.join(REPO, path)) and path.startswith(KERNEL_DIRS):
                    die("%s: %s is modified by hunks but also exists in the repository; "
                        "new files are owned by one patch" % (name, path))
                diff += sec if sec.endswith("\n") else sec + "\n"
        out[name] = header + "---\n" + diffstat(diff) + "\n" + diff + GIT_VERSION_TAIL
    # Every kernel file in the repository must belong to a patch.
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others",
                              "--exclude-standard"] + list(KERNEL_DIRS),
                             cwd=REPO, capture_output=True, text=True).stdout.split()
    stray = sorted(set(p for p in tracked if os.path.isfile(os.path.join(REPO, p)))
                   - set(owned))
    if stray:
        die("files not created by any patch: %s" % ", ".join(stray))
    series = "".join(n + "\n" for n in names)
    return out, series


def main():
    if len(sys.argv) < 2:
        die(__doc__)
    cmd = sys.argv[1]
    if cmd == "generate":
        out, series = generate()
        changed = 0
        for name, content in out.items():
            path = os.path.join(PATCHDIR, name)
            if open(path).read() != content:
                open(path, "w").write(content)
                print("  UPDATE  patches/%s" % name)
                changed += 1
        if not os.path.exists(SERIES) or open(SERIES).read() != series:
            open(SERIES, "w").write(series)
            print("  UPDATE  series")
            changed += 1
        print("series: %d patches, %d file(s) rewritten" % (len(out), changed))
    elif cmd == "check":
        out, series = generate()
        stale = [n for n, c in out.items()
                 if open(os.path.join(PATCHDIR, n)).read() != c]
        if not os.path.exists(SERIES) or open(SERIES).read() != series:
            stale.append("series")
        if stale:
            for n in stale:
                print("series: STALE %s" % n)
            die("patches/ or series do not match the sources: run 'make series' "
                "and commit the result")
        print("series: %d patches in sync with the sources" % len(out))
    elif cmd == "new-files":
        text = open(os.path.join(PATCHDIR, sys.argv[2])).read()
        for sec in split_patch(text, sys.argv[2])[1]:
            if is_new_file(sec):
                print(section_path(sec))
    else:
        die("unknown command %s" % cmd)


if __name__ == "__main__":
    main()
