/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - file handles
 *
 * A handle is the kernel object behind one open file description of a
 * control or endpoint file. It starts in state NONE and moves, exactly
 * once, to BUS_OWNER (KDBUS_CMD_BUS_MAKE on a control file), EP_OWNER
 * (KDBUS_CMD_ENDPOINT_MAKE on an endpoint file) or CONNECTED
 * (KDBUS_CMD_HELLO on an endpoint file).
 *
 * Ownership: allocated at open(), stored in file->private_data, freed at
 * release (last close of the open file description). It holds a
 * reference to the node it was opened on and to the object it owns; on
 * release, the owned bus or endpoint is torn down.
 *
 * Locking: kdbus_handle.lock protects the state and the owned object. It
 * is held for writing by the making ioctls (so the state changes at most
 * once) and for reading by all others. @node and @privileged are set at
 * open() and never change.
 */

#ifndef __KDBUS_HANDLE_H
#define __KDBUS_HANDLE_H

#include <linux/fs.h>

extern const struct file_operations kdbus_handle_ops;

#endif /* __KDBUS_HANDLE_H */
