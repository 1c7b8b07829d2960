#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the diff of existing kernel files between the pristine base tree and
# a working tree, in the a/ b/ form the patches use:
#   scripts/hunk.sh WORKTREE FILE...
# Paste the output into the patch that owns the change, then `make series`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
work=$1
shift
for f in "$@"; do
	git diff --no-index --no-color "$BASE/$f" "$work/$f" |
		sed -e "s#^diff --git a/.* b/.*#diff --git a/$f b/$f#" \
		    -e "s#^--- a/.*#--- a/$f#" -e "s#^+++ b/.*#+++ b/$f#" || true
done
