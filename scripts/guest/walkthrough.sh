#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make run` walk-through: what kdbus can do so far, step by step.

set -e
echo "== mounting kdbusfs on /sys/fs/kdbus"
mount -t kdbusfs kdbusfs /sys/fs/kdbus
ls -la /sys/fs/kdbus
echo "== a bus, a custom endpoint, two connections, an asynchronous and a synchronous call,"
echo "== a well-known name called by name, a match and a broadcast signal, a name notification"
/bin/kdbus-demo /sys/fs/kdbus
echo "== walk-through done"
