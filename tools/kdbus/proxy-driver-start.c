// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-driver-start - StartServiceByName
 *
 * kdbus activates a service by queueing a message at the activator that
 * holds its name; whoever launches services (systemd) sees the queue and
 * starts the service, which takes the name over together with the queued
 * messages. StartServiceByName of a name held by its activator therefore
 * queues a Peer.Ping there and answers only once a real connection owns
 * the name, as dbus-daemon does: a client may rely on the name having an
 * owner when the reply arrives. The proxy learns that from a NAME_CHANGE
 * notification of the name, for which it installs a kdbus match before
 * looking the name up (so that a change between the lookup and the match
 * cannot be missed), and removes again once the call is answered.
 *
 * A start that does not complete within --activation-timeout gets the
 * error TimedOut; one whose activator goes away (NAME_REMOVE) gets
 * ServiceUnknown.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "proxy-driver.h"

#define START_SUCCESS		1
#define START_ALREADY_RUNNING	2

/**
 * struct pending_start - a StartServiceByName waiting for its service
 * @next:	Next of the client's list
 * @call:	The call (a reference), answered when the service is there
 * @name:	The name being activated
 * @cookie:	Cookie of the kdbus matches on the name's changes
 * @deadline_ms:	When it fails with TimedOut
 *
 * Owned by the client's list (struct client.starts); freed when answered
 * or with the client.
 */
struct pending_start {
	struct pending_start *next;
	DBusMessage *call;
	char *name;
	uint64_t cookie;
	uint64_t deadline_ms;
};

/* NAME_CHANGE and NAME_REMOVE of @name, both with @cookie */
static int watch_name(struct client *c, const char *name, uint64_t cookie)
{
	static const uint64_t types[] = {
		KDBUS_ITEM_NAME_CHANGE, KDBUS_ITEM_NAME_REMOVE,
	};
	size_t len = strlen(name) + 1;
	size_t size = KDBUS_ITEM_SIZE(sizeof(struct kdbus_notify_name_change) +
				      len);
	struct kdbus_item *item;
	unsigned int i;
	int ret = 0;

	item = calloc(1, size);
	if (!item)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(types) && !ret; i++) {
		memset(item, 0, size);
		item->size = KDBUS_ITEM_HEADER_SIZE +
			     sizeof(struct kdbus_notify_name_change) + len;
		item->type = types[i];
		item->name_change.old_id.id = KDBUS_MATCH_ID_ANY;
		item->name_change.new_id.id = KDBUS_MATCH_ID_ANY;
		memcpy(item->name_change.name, name, len);
		ret = kdbus_lib_match_add(&c->kconn, cookie, 0, item, size);
	}
	free(item);
	if (ret < 0)
		kdbus_lib_match_remove(&c->kconn, cookie);
	return ret;
}

static void start_free(struct client *c, struct pending_start *s)
{
	if (c->kconn.fd >= 0)
		kdbus_lib_match_remove(&c->kconn, s->cookie);
	dbus_message_unref(s->call);
	free(s->name);
	free(s);
}

/* 1: a real owner; 0: the activator only; < 0: nobody (-errno) */
static int name_state(struct client *c, const char *name)
{
	struct kdbus_info *info;
	bool activator;
	int ret;

	ret = kdbus_lib_conn_info(&c->kconn, 0, name, 0, &info);
	if (ret < 0)
		return ret;
	activator = info->flags & KDBUS_HELLO_ACTIVATOR;
	kdbus_lib_free_ptr(&c->kconn, info);
	return activator ? 0 : 1;
}

static void start_unknown(struct client *c, DBusMessage *msg,
			  const char *name)
{
	send_error(c, msg, DBUS_ERROR_SERVICE_UNKNOWN,
		   "The name %s was not provided by any .service files", name);
}

static void reply_result(struct client *c, DBusMessage *msg,
			 dbus_uint32_t result)
{
	reply_args(c, msg, DBUS_TYPE_UINT32, &result, DBUS_TYPE_INVALID);
}

/* queue a Peer.Ping at the activator of @name: that activates it */
static void activate(struct client *c, const char *name)
{
	DBusMessage *ping;

	ping = dbus_message_new_method_call(name, "/", DBUS_INTERFACE_PEER,
					    "Ping");
	if (!ping) {
		client_kill(c, "out of memory");
		return;
	}
	dbus_message_set_no_reply(ping, TRUE);
	dbus_message_set_serial(ping, 0xffffffff);
	send_from_client(c, ping);
	dbus_message_unref(ping);
}

void m_start_service(struct client *c, DBusMessage *msg)
{
	struct pending_start *s;
	dbus_uint32_t flags;
	const char *name;
	unsigned int n;
	int ret;

	if (!get_args(c, msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_UINT32,
		      &flags, DBUS_TYPE_INVALID))
		return;
	if (!strcmp(name, DRIVER_NAME)) {
		reply_result(c, msg, START_ALREADY_RUNNING);
		return;
	}
	if (name[0] == ':' || !dbus_validate_bus_name(name, NULL)) {
		send_error(c, msg, DBUS_ERROR_INVALID_ARGS,
			   "'%s' is not a valid well-known name", name);
		return;
	}
	for (n = 0, s = c->starts; s; s = s->next)
		n++;
	if (n >= PROXY_MAX_STARTS) {
		send_error(c, msg, DBUS_ERROR_LIMITS_EXCEEDED,
			   "The connection has %u activations pending", n);
		return;
	}

	s = calloc(1, sizeof(*s));
	if (s)
		s->name = strdup(name);
	if (!s || !s->name) {
		free(s);
		client_kill(c, "out of memory");
		return;
	}
	s->cookie = c->next_cookie++;
	ret = watch_name(c, name, s->cookie);
	if (ret < 0) {
		free(s->name);
		free(s);
		send_error_errno(c, msg, -ret, NULL);
		return;
	}
	s->call = dbus_message_ref(msg);
	s->deadline_ms = now_ms() + c->proxy->activation_timeout_ms;

	ret = name_state(c, name);
	if (ret != 0) {
		if (ret > 0)
			reply_result(c, msg, START_ALREADY_RUNNING);
		else
			start_unknown(c, msg, name);
		start_free(c, s);
		return;
	}
	s->next = c->starts;
	c->starts = s;
	activate(c, name);
}

/* answer and forget the pending start *@sp */
static void start_done(struct client *c, struct pending_start **sp,
		       const char *error, const char *text)
{
	struct pending_start *s = *sp;

	*sp = s->next;
	if (!error)
		reply_result(c, s->call, START_SUCCESS);
	else
		send_error(c, s->call, error, "%s %s", text, s->name);
	start_free(c, s);
}

/**
 * driver_start_name_changed() - a name changed owner: answer its starts
 * @c:		Client
 * @name:	The name
 * @new_id:	Its new owner (id 0 if it is gone)
 */
void driver_start_name_changed(struct client *c, const char *name,
			       const struct kdbus_notify_id_change *new_id)
{
	struct pending_start **sp = &c->starts;

	while (*sp && !c->dead) {
		if (strcmp((*sp)->name, name))
			sp = &(*sp)->next;
		else if (!new_id->id)
			start_done(c, sp, DBUS_ERROR_SERVICE_UNKNOWN,
				   "No activator any more for");
		else if (!(new_id->flags & KDBUS_NAME_ACTIVATOR))
			start_done(c, sp, NULL, NULL);
		else
			sp = &(*sp)->next;
	}
}

/**
 * driver_start_expire() - fail the starts of @c past their deadline
 * @c:		Client
 * @now:	now_ms()
 */
void driver_start_expire(struct client *c, uint64_t now)
{
	struct pending_start **sp = &c->starts;

	while (*sp && !c->dead) {
		if (now >= (*sp)->deadline_ms)
			start_done(c, sp, DBUS_ERROR_TIMED_OUT,
				   "Timed out activating");
		else
			sp = &(*sp)->next;
	}
}

/**
 * driver_start_clear() - forget the pending starts of @c unanswered
 * @c:		Client (dead, or becoming a monitor)
 */
void driver_start_clear(struct client *c)
{
	struct pending_start *s;

	while ((s = c->starts)) {
		c->starts = s->next;
		start_free(c, s);
	}
}
