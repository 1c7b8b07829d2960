#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the series for the mailing list: git format-patch --cover-letter
# with To:/Cc: from get_maintainer.pl (which must find the new KDBUS entry),
# then git send-email --dry-run.
#
#   scripts/send.sh                  make send: the patches go out as you
#   scripts/send.sh --test-identity  make check's gate: a fixed test identity
#
# The committed patches carry the series' fixed identity (From: and
# Signed-off-by:), which keeps make series deterministic but is nobody's:
# the Developer's Certificate of Origin needs the real name and address of
# the person who sends. make send takes them from `git config user.name`
# and `git config user.email`, refuses to run without them, and replaces
# the series identity in the From: and Signed-off-by: of every patch, so
# that each patch is authored and signed off by the sender (whose
# Signed-off-by: is the last one); the mails and the cover letter come
# from the sender too. Output in build/outgoing/.
#
# --test-identity (make check, CI machines have no git identity) runs the
# same steps as "kdbus check <check@kdbus.invalid>" and writes to
# build/send-git/outgoing-test/, never to build/outgoing/: nothing it
# writes is meant to be sent.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

test_ident=''
case ${1:-} in
'') ;;
--test-identity) test_ident=1 ;;
*) die "usage: $0 [--test-identity]" ;;
esac

# The identity is exactly git config's: no GIT_AUTHOR_*/GIT_COMMITTER_*
# from the environment may slip into the commits behind the patches.
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

# The series' fixed identity: the From: of the committed patches.
series_from=$(sed -n '1,/^$/s/^From: //p' "$QUILT_PATCHES/$(head -n1 "$QUILT_SERIES")")
[ -n "$series_from" ] || die "$QUILT_PATCHES: the first patch has no From: line"

work=$BUILD/send-git
if [ -n "$test_ident" ]; then
	name="kdbus check" email="check@kdbus.invalid"
	out=$work/outgoing-test
	step "send: test identity $name <$email> (make check's gate; make send uses yours)"
else
	name=$(git -C "$REPO" config user.name || true)
	email=$(git -C "$REPO" config user.email || true)
	if [ -z "$name" ] || [ -z "$email" ]; then
		cat >&2 <<-EOF
		ERROR: make send: no sender identity (git config user.name: '${name}', user.email: '${email}').
		    The patches go out under your name: From: and Signed-off-by: certify
		    the Developer's Certificate of Origin (Documentation/process/
		    submitting-patches.rst), which needs a real name and address.
		    Set them and run make send again:
		        git config --global user.name "Your Name"
		        git config --global user.email you@your.domain
		EOF
		exit 1
	fi
	addr_re='^[^@[:space:]<>]+@[^@[:space:]<>]+\.[^@[:space:].<>]+$'
	[[ $email =~ $addr_re ]] ||
		die "make send: git config user.email '$email' is not a mail address"
	if [[ $name == *[\<\>@]* ]] || [ -z "${name//[[:space:]]/}" ]; then
		die "make send: git config user.name '$name' is not a name (blank, or it has <, > or @)"
	fi
	[ "$name <$email>" != "$series_from" ] ||
		die "make send: '$series_from' is the series' placeholder identity, not a person; set your own with git config user.name/user.email"
	step "send: as $name <$email> (git config user.name/user.email)"
	case ${email##*@} in
	example | example.com | example.net | example.org | *.example | \
	*.example.com | *.example.net | *.example.org | *.invalid | *.test | \
	*.localhost | localhost)
		echo "WARNING: $email is in a domain reserved for examples (RFC 2606):" \
			"the patches would be signed off by an address nobody can reach" ;;
	esac
	out=$BUILD/outgoing
fi
ident=(-c user.name="$name" -c user.email="$email")

# The pristine base tree (the files the series touches) and, for
# get_maintainer.pl, the fully patched tree (with the KDBUS entry).
"$REPO/scripts/base-tree.sh"
top=$(cd "$SRC" 2>/dev/null && quilt top 2>/dev/null || true)
[ "${top##*/}" = "$(tail -n1 "$QUILT_SERIES")" ] || "$REPO/scripts/apply.sh"
git_dir=$work/tree
mbox=$work/mbox
step "send: get_maintainer.pl on the series"
mapfile -t patches < <(sed "s#^#$QUILT_PATCHES/#" "$QUILT_SERIES")
maint=$(cd "$SRC" && ./scripts/get_maintainer.pl --no-git --no-git-fallback \
	--no-rolestats --no-roles --no-keywords "${patches[@]}")
kdbus_m=$(sed -n 's/^M:\t//p' "$REPO/MAINTAINERS")
grep -qF "$kdbus_m" <<<"$maint" ||
	die "get_maintainer.pl does not pick up the KDBUS entry ($kdbus_m)"
kdbus_l=$(cd "$SRC" && ./scripts/get_maintainer.pl --no-git --no-git-fallback \
	--no-rolestats -f ipc/kdbus/Kconfig)
grep -qF "$kdbus_m" <<<"$kdbus_l" ||
	die "get_maintainer.pl -f ipc/kdbus/Kconfig does not name $kdbus_m"
to=$(head -n1 <<<"$maint")
cc=$(tail -n +2 <<<"$maint")
echo "    To: $to"
sed 's/^/    Cc: /' <<<"$cc"

step "send: From: and Signed-off-by: of the series identity -> $name <$email>"
rm -rf "$work" "$out"
mkdir -p "$git_dir" "$mbox" "$out"
# Rewrite copies of the patches: the series identity in From: becomes the
# sender (RFC 2047-encoded where needed), its Signed-off-by: lines become
# the sender's; where the last Signed-off-by: is then not the sender's, the
# sender's is added as the last trailer. The From: of a real person (not
# the series identity) is kept. Only the mail header and the commit
# message (up to the first "---") are touched, never the diff.
python3 - "$series_from" "$name" "$email" "$mbox" "${patches[@]}" <<'PY'
import email.header
import email.utils
import os
import re
import sys

series, name, addr, outdir, patches = (sys.argv[1], sys.argv[2], sys.argv[3],
                                       sys.argv[4], sys.argv[5:])
series_id = email.utils.parseaddr(series)
sender = "%s <%s>" % (name, addr)
sob = "Signed-off-by: " + sender
trailer = re.compile(r"^[A-Za-z0-9-]+: ")


def ident(value):
    """(name, address) of a header or trailer value, RFC 2047 decoded."""
    text = str(email.header.make_header(email.header.decode_header(value)))
    return email.utils.parseaddr(text)


for p in patches:
    lines = open(p, encoding="utf-8").read().split("\n")
    head_end = lines.index("")
    try:
        msg_end = lines.index("---", head_end)
    except ValueError:
        sys.exit("%s: no '---' line after the commit message" % p)
    froms = [i for i in range(head_end) if lines[i].startswith("From: ")]
    if len(froms) != 1:
        sys.exit("%s: no From: line" % p)
    # another author (a real person) stays the author: format-patch --from
    # then names them in the body, as for any patch one passes on
    if ident(lines[froms[0]][6:]) == series_id:
        lines[froms[0]] = "From: " + email.utils.formataddr((name, addr),
                                                            "utf-8")
    msg = lines[head_end:msg_end]
    for i, line in enumerate(msg):
        if line.startswith("Signed-off-by: ") and ident(line[15:]) == series_id:
            msg[i] = sob
    # the same Signed-off-by: twice in a row once
    msg = [x for i, x in enumerate(msg)
           if not (i and x == sob and msg[i - 1] == sob)]
    while msg and msg[-1] == "":
        msg.pop()
    sobs = [x for x in msg if x.startswith("Signed-off-by: ")]
    if not sobs or sobs[-1] != sob:
        # the sender's comes last (after other people's, the chain of
        # handling); the last paragraph is the trailer block if every
        # line of it is a trailer
        last = len(msg)
        while last > 0 and msg[last - 1] != "":
            last -= 1
        if not msg[last:] or not all(trailer.match(x) for x in msg[last:]):
            msg.append("")
        msg.append(sob)
    lines[head_end:msg_end] = msg
    with open(os.path.join(outdir, os.path.basename(p)), "w",
              encoding="utf-8") as f:
        f.write("\n".join(lines))
PY
mapfile -t mails < <(printf '%s\n' "${patches[@]}" | sed "s#.*/#$mbox/#")

step "send: git am onto the touched base files, format-patch --cover-letter"
git -C "$git_dir" init -q
for f in $(cat "${patches[@]}" | sed -n 's#^--- a/##p' | sort -u); do
	mkdir -p "$git_dir/$(dirname "$f")"
	cp "$BASE/$f" "$git_dir/$f"
done
git -C "$git_dir" add -A
git "${ident[@]}" -C "$git_dir" commit -q -m "base: Linux $(make -s -C "$BASE" kernelversion) (files the series touches)"
git "${ident[@]}" -C "$git_dir" am -q "${mails[@]}" || die "git am does not take the series"
cc_args=()
while IFS= read -r c; do [ -n "$c" ] && cc_args+=(--cc="$c"); done <<<"$cc"
git "${ident[@]}" -C "$git_dir" format-patch -q --cover-letter --thread \
	--from="$name <$email>" --subject-prefix="PATCH" --to="$to" \
	"${cc_args[@]}" -o "$out" HEAD~${#patches[@]}
python3 - "$out"/0000-cover-letter.patch "$REPO/Documentation/kdbus.txt" <<'PY'
import sys
p, doc = sys.argv[1], sys.argv[2]
s = open(p).read()
blurb = ("kdbus: D-Bus IPC in the kernel\n\n"
         "kdbus implements D-Bus inside the kernel: a file system (kdbusfs)\n"
         "whose control file creates buses, endpoint files that peers open\n"
         "to become connections, and per-connection receive pools mapped\n"
         "read-only by the receiver. See Documentation/kdbus.txt.\n")
s = s.replace("*** SUBJECT HERE ***", "kdbus: D-Bus IPC in the kernel")
s = s.replace("*** BLURB HERE ***", blurb.split("\n", 2)[2])
open(p, "w").write(s)
PY
ls "$out" | sed 's/^/    /'

step "send: every mail is from $name <$email>, every patch signed off by them"
python3 - "$series_from" "$name" "$email" "$out"/*.patch <<'PY'
import email
import email.header
import email.policy
import email.utils
import os
import sys

series, name, addr, mails = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
series_id = email.utils.parseaddr(series)
sob = "Signed-off-by: %s <%s>" % (name, addr)
bad = []
for p in mails:
    m = email.message_from_binary_file(open(p, "rb"), policy=email.policy.default)
    who = email.utils.parseaddr(str(m["From"]))
    if who != (name, addr):
        bad.append("%s: From: %s" % (os.path.basename(p), m["From"]))
    body = m.get_content()
    if os.path.basename(p).startswith("0000-"):
        continue
    # a From: line in the body makes another person the author
    if body.startswith("From: ") and \
            email.utils.parseaddr(body.split("\n", 1)[0][6:]) == series_id:
        bad.append("%s: author in the body: %s" % (os.path.basename(p),
                                                  body.split("\n", 1)[0]))
    msg = body.split("\n---\n", 1)[0].split("\n")
    sobs = [x for x in msg if x.startswith("Signed-off-by: ")]
    if not sobs or sobs[-1] != sob:
        bad.append("%s: last Signed-off-by: is %s" % (os.path.basename(p),
                                                      sobs[-1] if sobs else "missing"))
    for x in sobs:
        if email.utils.parseaddr(x[15:]) == series_id:
            bad.append("%s: still %s" % (os.path.basename(p), x))
if bad:
    print("\n".join("    " + b for b in bad))
    sys.exit("ERROR: the outgoing patches do not carry the sender's identity")
print("    %d mails from %s <%s>, %d patches with its Signed-off-by:"
      % (len(mails), name, addr, len(mails) - 1))
PY

step "send: git send-email --dry-run"
git "${ident[@]}" send-email --dry-run --confirm=never --no-annotate --8bit-encoding=UTF-8 \
	--from="$name <$email>" \
	--smtp-server=/bin/true --suppress-cc=self "$out"/*.patch \
	>"$LOGS/send-email.log" 2>&1 || { cat "$LOGS/send-email.log"; die "git send-email --dry-run failed"; }
n=$(grep -c '^Dry-OK' "$LOGS/send-email.log" || true)
[ "$n" = $((${#patches[@]} + 1)) ] ||
	die "git send-email --dry-run took $n of $((${#patches[@]} + 1)) mails (log: $LOGS/send-email.log)"
echo "    messages ready: $n"
if [ -z "$test_ident" ]; then
	echo "    To send: git send-email $out/*.patch (with your SMTP settings)"
fi
