/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - kernel notifications
 *
 * Kernel-generated messages (ID_ADD, ID_REMOVE, NAME_ADD, NAME_REMOVE,
 * NAME_CHANGE, REPLY_TIMEOUT and REPLY_DEAD) are staged while the
 * operation that causes them runs, often with locks held, and delivered by
 * kdbus_notify_flush() once it completed, in the order they were
 * generated.
 *
 * Ownership: the operation owns its staged notifications. They are
 * collected on a list that lives on the stack of the operation (declared
 * with LIST_HEAD()), so no lock protects it, and kdbus_notify_flush()
 * delivers and frees them. Nothing is shared between operations: staging
 * and delivering take no bus-wide lock, an operation that staged nothing
 * does no work at all, and a receiver whose pool is slow to write stalls
 * only the operation writing to it. The notifications of one operation
 * reach every receiver in generation order; there is no order across
 * operations (receivers have the sequence number for that).
 *
 * Locking: the staging functions may be called with connection locks
 * held (they allocate with GFP_KERNEL); kdbus_notify_flush() takes the
 * receivers' locks and must be called without any kdbus lock held.
 */

#ifndef __KDBUS_NOTIFY_H
#define __KDBUS_NOTIFY_H

#include <linux/types.h>

struct kdbus_bus;
struct list_head;

int kdbus_notify_id_change(struct kdbus_bus *bus, struct list_head *list,
			   u64 type, u64 id, u64 flags);
int kdbus_notify_name_change(struct kdbus_bus *bus, struct list_head *list,
			     u64 type, u64 old_id, u64 old_flags, u64 new_id,
			     u64 new_flags, const char *name);
int kdbus_notify_reply(struct kdbus_bus *bus, struct list_head *list,
		       u64 type, u64 id, u64 cookie);
void kdbus_notify_flush(struct kdbus_bus *bus, struct list_head *list);

#endif /* __KDBUS_NOTIFY_H */
