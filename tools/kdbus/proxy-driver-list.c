// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-driver-list - ListNames, ListActivatableNames, ListQueuedOwners
 * of the bus driver, from KDBUS_CMD_LIST
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"
#include "proxy-driver.h"

static bool append_str(DBusMessageIter *it, const char *s)
{
	return dbus_message_iter_append_basic(it, DBUS_TYPE_STRING, &s);
}

static const struct kdbus_item *owned_name(const struct kdbus_info *rec)
{
	const struct kdbus_item *item = info_item(rec, KDBUS_ITEM_OWNED_NAME);

	return item && name_item_valid(item) ? item : NULL;
}

/* true if record @rec lies inside the LIST result [@list, @list + @size) */
static bool record_valid(const struct kdbus_info *rec,
			 const struct kdbus_info *list, uint64_t size)
{
	const uint8_t *end = (const uint8_t *)list + size;
	const uint8_t *p = (const uint8_t *)rec;

	return p + sizeof(*rec) <= end && rec->size >= sizeof(*rec) &&
	       rec->size <= (uint64_t)(end - p);
}

static struct kdbus_info *record_next(const struct kdbus_info *rec)
{
	return (struct kdbus_info *)((uint8_t *)rec + KDBUS_ALIGN8(rec->size));
}

#define FOREACH_RECORD(rec, list, size)					\
	for ((rec) = (list); record_valid(rec, list, size);		\
	     (rec) = record_next(rec))

/*
 * Reply with an "as" built from LIST(@flags): unique names of ordinary
 * connections (if @uniques), names of the records (if @names, filtered by
 * @filter), with @first prepended if non-NULL.
 */
static void reply_list(struct client *c, DBusMessage *msg, uint64_t flags,
		       bool uniques, bool names, const char *first,
		       const char *only_name, uint64_t skip_id)
{
	struct kdbus_info *list, *rec;
	DBusMessageIter it, arr;
	uint64_t size;
	DBusMessage *r;
	char buf[32];
	bool ok = true;
	int ret;

	ret = kdbus_lib_list(&c->kconn, flags, &list, &size);
	if (ret < 0) {
		send_error(c, msg, DBUS_ERROR_FAILED, "LIST failed: %s",
			   strerror(-ret));
		return;
	}

	r = reply_new(c, msg);
	if (!r)
		goto oom;
	dbus_message_iter_init_append(r, &it);
	if (!dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "s",
					      &arr))
		goto oom;
	if (first)
		ok = append_str(&arr, first);

	FOREACH_RECORD(rec, list, size) {
		const struct kdbus_item *n = owned_name(rec);

		if (!ok)
			break;
		if (names && n) {
			if (only_name && strcmp(n->name.name, only_name))
				continue;
			if (only_name) {
				if (rec->id == skip_id)
					continue;
				snprintf(buf, sizeof(buf), ":1.%llu",
					 (unsigned long long)rec->id);
				ok = append_str(&arr, buf);
			} else {
				ok = append_str(&arr, n->name.name);
			}
		}
	}

	if (ok && uniques) {
		/* unique names, each connection once */
		FOREACH_RECORD(rec, list, size) {
			struct kdbus_info *prev;
			bool dup = false;

			if (rec->flags & (KDBUS_HELLO_ACTIVATOR |
					  KDBUS_HELLO_POLICY_HOLDER))
				continue;
			FOREACH_RECORD(prev, list, size) {
				if (prev == rec)
					break;
				if (prev->id == rec->id) {
					dup = true;
					break;
				}
			}
			if (dup)
				continue;
			snprintf(buf, sizeof(buf), ":1.%llu",
				 (unsigned long long)rec->id);
			ok = append_str(&arr, buf);
			if (!ok)
				break;
		}
	}

	if (size)
		kdbus_lib_free_ptr(&c->kconn, list);
	size = 0;
	if (!ok || !dbus_message_iter_close_container(&it, &arr))
		goto oom;
	reply_send(c, msg, r);
	return;

oom:
	if (size)
		kdbus_lib_free_ptr(&c->kconn, list);
	if (r)
		dbus_message_unref(r);
	client_kill(c, "out of memory");
}

void m_list_names(struct client *c, DBusMessage *msg)
{
	reply_list(c, msg, KDBUS_LIST_UNIQUE | KDBUS_LIST_NAMES, true, true,
		   DRIVER_NAME, NULL, 0);
}

void m_list_activatable(struct client *c, DBusMessage *msg)
{
	reply_list(c, msg, KDBUS_LIST_ACTIVATORS, false, true, DRIVER_NAME,
		   NULL, 0);
}

void m_list_queued(struct client *c, DBusMessage *msg)
{
	struct kdbus_info *info;
	const char *name;
	char owner[32];
	uint64_t id;
	int ret;

	if (!get_args(c, msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID))
		return;
	if (!strcmp(name, DRIVER_NAME)) {
		reply_list(c, msg, 0, false, false, DRIVER_NAME, NULL, 0);
		return;
	}
	if (name[0] == ':') {
		send_error(c, msg, DBUS_ERROR_INVALID_ARGS,
			   "'%s' is not a well-known name", name);
		return;
	}
	ret = lookup(c, name, 0, &info);
	if (ret < 0) {
		no_owner(c, msg, name, ret);
		return;
	}
	id = info->id;
	kdbus_lib_free_ptr(&c->kconn, info);
	snprintf(owner, sizeof(owner), ":1.%llu", (unsigned long long)id);
	/* the primary owner first, then the queued records of the name */
	reply_list(c, msg, KDBUS_LIST_QUEUED, false, true, owner, name, id);
}
