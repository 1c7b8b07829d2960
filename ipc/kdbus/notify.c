// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - kernel notifications
 */

#include <linux/err.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "bus.h"
#include "connection.h"
#include "domain.h"
#include "message.h"
#include "metadata.h"
#include "notify.h"

/**
 * struct kdbus_notification - a staged notification
 * @entry:	Link in the list of the operation that staged it
 * @staging:	The message
 */
struct kdbus_notification {
	struct list_head entry;
	struct kdbus_staging *staging;
};

static int kdbus_notify_add(struct kdbus_bus *bus, struct list_head *list,
			    u64 dst_id, u64 cookie_reply, u64 type,
			    const void *payload, size_t size)
{
	struct kdbus_notification *n;

	n = kmalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;

	n->staging = kdbus_staging_new_kernel(dst_id, cookie_reply, type,
					      payload, size);
	if (IS_ERR(n->staging)) {
		int ret = PTR_ERR(n->staging);

		kfree(n);
		return ret;
	}
	n->staging->seq = kdbus_domain_next_id(bus->domain);
	/* the timestamp of a notification is the time it is emitted */
	kdbus_meta_stage_init(&n->staging->meta, NULL, n->staging->seq);

	list_add_tail(&n->entry, list);
	return 0;
}

/**
 * kdbus_notify_id_change() - stage an ID_ADD or ID_REMOVE notification
 * @bus:	Bus
 * @list:	Staged notifications of the calling operation
 * @type:	KDBUS_ITEM_ID_ADD or KDBUS_ITEM_ID_REMOVE
 * @id:		Id of the connection
 * @flags:	Its KDBUS_HELLO_* flags
 *
 * Return: 0 or -ENOMEM.
 */
int kdbus_notify_id_change(struct kdbus_bus *bus, struct list_head *list,
			   u64 type, u64 id, u64 flags)
{
	struct kdbus_notify_id_change change = {
		.id = id,
		.flags = flags,
	};

	return kdbus_notify_add(bus, list, KDBUS_DST_ID_BROADCAST, 0, type,
				&change, sizeof(change));
}

/**
 * kdbus_notify_name_change() - stage a NAME_ADD, NAME_REMOVE or NAME_CHANGE
 * @bus:	Bus
 * @list:	Staged notifications of the calling operation
 * @type:	KDBUS_ITEM_NAME_ADD, _NAME_REMOVE or _NAME_CHANGE
 * @old_id:	Previous owner, 0 for none
 * @old_flags:	Its name flags
 * @new_id:	New owner, 0 for none
 * @new_flags:	Its name flags
 * @name:	The name
 *
 * The item is padded to a multiple of 8 bytes and its size says so.
 *
 * Return: 0 or -ENOMEM.
 */
int kdbus_notify_name_change(struct kdbus_bus *bus, struct list_head *list,
			     u64 type, u64 old_id, u64 old_flags, u64 new_id,
			     u64 new_flags, const char *name)
{
	struct kdbus_notify_name_change *change;
	size_t len = strlen(name) + 1;
	size_t size = ALIGN(sizeof(*change) + len, 8);
	int ret;

	change = kzalloc(size, GFP_KERNEL);
	if (!change)
		return -ENOMEM;

	change->old_id.id = old_id;
	change->old_id.flags = old_flags;
	change->new_id.id = new_id;
	change->new_id.flags = new_flags;
	memcpy(change->name, name, len);

	ret = kdbus_notify_add(bus, list, KDBUS_DST_ID_BROADCAST, 0, type,
			       change, size);
	kfree(change);
	return ret;
}

/**
 * kdbus_notify_reply() - stage a REPLY_TIMEOUT or REPLY_DEAD notification
 * @bus:	Bus
 * @list:	Staged notifications of the calling operation
 * @type:	KDBUS_ITEM_REPLY_TIMEOUT or KDBUS_ITEM_REPLY_DEAD
 * @id:		Id of the caller that waited for the reply
 * @cookie:	Cookie of the request
 *
 * Return: 0 or -ENOMEM.
 */
int kdbus_notify_reply(struct kdbus_bus *bus, struct list_head *list,
		       u64 type, u64 id, u64 cookie)
{
	return kdbus_notify_add(bus, list, id, cookie, type, NULL, 0);
}

static void kdbus_notify_deliver(struct kdbus_bus *bus,
				 struct kdbus_staging *staging)
{
	const struct kdbus_msg *msg = kdbus_staging_header(staging);
	struct kdbus_conn *dst;

	if (msg->dst_id == KDBUS_DST_ID_BROADCAST) {
		kdbus_bus_broadcast(bus, NULL, staging);
		return;
	}

	/* unicast notifications that cannot be queued are not counted */
	kdbus_bus_eavesdrop(bus, NULL, staging);
	dst = kdbus_bus_find_conn_by_id(bus, msg->dst_id);
	if (dst) {
		kdbus_conn_entry_insert(NULL, dst, staging, NULL, NULL);
		kdbus_conn_unref(dst);
	}
}

/**
 * kdbus_notify_flush() - deliver the notifications an operation staged
 * @bus:	Bus
 * @list:	Staged notifications of the calling operation; empty
 *		afterwards
 *
 * Delivers them in the order they were staged and frees them. Takes no
 * bus-wide lock; with nothing staged it does nothing. Must be called
 * without any kdbus lock held.
 */
void kdbus_notify_flush(struct kdbus_bus *bus, struct list_head *list)
{
	struct kdbus_notification *n, *tmp;

	list_for_each_entry_safe(n, tmp, list, entry) {
		list_del(&n->entry);
		kdbus_notify_deliver(bus, n->staging);
		kdbus_staging_free(n->staging);
		kfree(n);
	}
}
