# SPDX-License-Identifier: GPL-2.0
# kdbus patch series: build, boot and test pipeline. See README.md.

S := scripts
# the recipes source scripts/lib.sh, which is bash
SHELL := /bin/bash

.PHONY: all run shell check bench series apply kernel selftests send \
	deps clean distclean help

all: help

help:
	@echo "make run        install, apply, build, boot the walk-through"
	@echo "make shell      boot to a guest shell"
	@echo "make check      everything CI gates on (ends 'N passed, N failed')"
	@echo "make bench      kdbus vs AF_UNIX vs pipe round trips, non-debug kernel"
	@echo "make series     regenerate patches/ and series from the sources"
	@echo "make apply      apply the series to build/src (KSRC=/path: your tree)"
	@echo "make kernel     build the debug test kernel"
	@echo "make selftests  build the selftests"
	@echo "make send       format-patch --cover-letter + send-email --dry-run"
	@echo "make clean      remove build products (keeps the base tree, ccache)"

deps:
	@$(S)/install-deps.sh

run:
	@$(S)/run.sh run

shell:
	@$(S)/run.sh shell

check:
	@$(S)/check.sh

bench:
	@$(S)/bench.sh

series:
	@python3 $(S)/series.py generate

apply: deps
	@$(S)/base-tree.sh
	@$(S)/apply.sh

kernel: apply
	@$(S)/configure.sh --verify
	@. $(S)/lib.sh && step "kernel: building bzImage" && \
		kmake bzImage >"$$LOGS/build-kernel.log" 2>&1 || \
		{ tail -30 build/logs/build-kernel.log; exit 1; }

selftests: kernel
	@$(S)/build-selftests.sh

send:
	@$(S)/send.sh

clean:
	rm -rf build/src build/obj build/selftests build/initramfs \
		build/*.cpio.gz build/logs build/outgoing build/send-git \
		build/bench build/obj-bpf-lsm build/dbus-guest

distclean:
	rm -rf build
