#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the series for the mailing list: git format-patch --cover-letter
# with To:/Cc: from get_maintainer.pl (which must find the new KDBUS entry),
# then git send-email --dry-run. Output in build/outgoing/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# get_maintainer.pl must see the fully patched tree (with the KDBUS entry).
top=$(cd "$SRC" 2>/dev/null && quilt top 2>/dev/null || true)
[ "${top##*/}" = "$(tail -n1 "$QUILT_SERIES")" ] || "$REPO/scripts/apply.sh"
out=$BUILD/outgoing
git_dir=$BUILD/send-git
ident=(-c user.name="kdbus developers" -c user.email="kdbus-devel@lists.example.org")
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

step "send: git am onto the touched base files, format-patch --cover-letter"
rm -rf "$git_dir" "$out"
mkdir -p "$git_dir" "$out"
git -C "$git_dir" init -q
for f in $(cat "${patches[@]}" | sed -n 's#^--- a/##p' | sort -u); do
	mkdir -p "$git_dir/$(dirname "$f")"
	cp "$BASE/$f" "$git_dir/$f"
done
git -C "$git_dir" add -A
git "${ident[@]}" -C "$git_dir" commit -q -m "base: Linux $(make -s -C "$BASE" kernelversion) (files the series touches)"
git "${ident[@]}" -C "$git_dir" am -q "${patches[@]}" || die "git am does not take the series"
cc_args=()
while IFS= read -r c; do [ -n "$c" ] && cc_args+=(--cc="$c"); done <<<"$cc"
git "${ident[@]}" -C "$git_dir" format-patch -q --cover-letter --thread \
	--subject-prefix="PATCH" --to="$to" "${cc_args[@]}" -o "$out" HEAD~${#patches[@]}
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
step "send: git send-email --dry-run"
git "${ident[@]}" send-email --dry-run --confirm=never --no-annotate --8bit-encoding=UTF-8 \
	--from="kdbus developers <kdbus-devel@lists.example.org>" \
	--smtp-server=/bin/true --suppress-cc=self "$out"/*.patch \
	>"$LOGS/send-email.log" 2>&1 || { cat "$LOGS/send-email.log"; die "git send-email --dry-run failed"; }
grep -c '^Dry-OK\|^Result: OK' "$LOGS/send-email.log" | sed 's/^/    messages ready: /'
