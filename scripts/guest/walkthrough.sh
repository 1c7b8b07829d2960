#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make run` walk-through: what kdbus can do so far, step by step.

set -e
echo "== mounting kdbusfs on /sys/fs/kdbus"
mount -t kdbusfs kdbusfs /sys/fs/kdbus
ls -la /sys/fs/kdbus
echo "== creating the bus 0-demo (KDBUS_CMD_BUS_MAKE on /sys/fs/kdbus/control)"
/bin/kdbus-demo /sys/fs/kdbus
echo "== walk-through done"
