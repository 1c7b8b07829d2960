/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - kernel notifications
 *
 * Kernel-generated messages (ID_ADD, ID_REMOVE, REPLY_TIMEOUT, REPLY_DEAD
 * and, later, the NAME_* changes) are staged while the operation that
 * causes them runs, often with locks held, and delivered by
 * kdbus_notify_flush() once it completed, in the order they were
 * generated.
 *
 * Ownership: staged notifications belong to the bus's notification list
 * until a flush takes them.
 *
 * Locking: kdbus_bus.notify_lock (a spinlock) protects the list;
 * kdbus_bus.notify_flush_lock serialises flushes so that notifications
 * are delivered in order. A flush takes the bus's conn_rwlock and the
 * receivers' locks; it must be called without any of them held.
 */

#ifndef __KDBUS_NOTIFY_H
#define __KDBUS_NOTIFY_H

#include <linux/types.h>

struct kdbus_bus;

int kdbus_notify_id_change(struct kdbus_bus *bus, u64 type, u64 id,
			   u64 flags);
int kdbus_notify_reply(struct kdbus_bus *bus, u64 type, u64 id, u64 cookie);
void kdbus_notify_flush(struct kdbus_bus *bus);
void kdbus_notify_free(struct kdbus_bus *bus);

#endif /* __KDBUS_NOTIFY_H */
