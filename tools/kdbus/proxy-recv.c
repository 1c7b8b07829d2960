// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-recv - kdbus message -> D-Bus message for the client
 *
 * D-Bus payloads are demarshalled with libdbus; the sender is always set
 * to ":1.<src_id>" (the marshalled sender field is never trusted) and the
 * destination to the DST_NAME the message was addressed to, the client's
 * unique name, or none for broadcasts. Signals are delivered only if one
 * of the client's match rules matches them completely (bloom filters are
 * approximate). Kernel notifications become bus driver messages.
 *
 * A monitor (after BecomeMonitor) gets the D-Bus messages between all
 * peers that match one of its rules, with the destination they were sent
 * to, and no notifications.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "proxy-fds.h"

static bool rules_match(struct client *c, DBusMessage *m)
{
	struct client_rule *r;

	for (r = c->rules; r; r = r->next)
		if (match_rule_matches(r->rule, m, client_owner_cb, c))
			return true;
	return false;
}

static void deliver_signal(struct client *c, DBusMessage *m)
{
	if (rules_match(c, m))
		client_send(c, m);
}

/* a monitor gets every message matching one of its rules, or all */
static void deliver_monitor(struct client *c, DBusMessage *m)
{
	if (!c->rules || rules_match(c, m))
		client_send(c, m);
}

/*
 * The destination of @msg received by @c: the name it was sent to, none
 * for a broadcast, else the receiver (monitors: whoever that was).
 */
static const char *msg_destination(struct client *c,
				   const struct kdbus_msg *msg, char *buf,
				   size_t size)
{
	const struct kdbus_item *dst;

	dst = kdbus_lib_msg_item(msg, KDBUS_ITEM_DST_NAME);
	if (dst)
		return dst->str;
	if (msg->dst_id == KDBUS_DST_ID_BROADCAST)
		return NULL;
	if (!c->monitor)
		return c->unique;
	snprintf(buf, size, ":1.%llu", (unsigned long long)msg->dst_id);
	return buf;
}

static DBusMessage *demarshal(struct client *c, struct kdbus_msg *msg,
			      uint8_t *data, size_t len)
{
	const struct kdbus_item *fitem;
	DBusMessage *m, *withfds;
	unsigned int n_fds = 0;
	uint32_t n_hdr = 0;
	DBusError err;
	int ret;

	if (len > INT32_MAX)
		return NULL;

	fitem = kdbus_lib_msg_item(msg, KDBUS_ITEM_FDS);
	if (fitem)
		n_fds = (fitem->size - KDBUS_ITEM_HEADER_SIZE) / sizeof(int);

	if (n_fds && fds_neutralize_header(data, len, &n_hdr) < 0) {
		plog(LOG_DEBUG, "%s: cannot parse header of a message with fds",
		     c->unique);
		return NULL;
	}

	dbus_error_init(&err);
	m = dbus_message_demarshal((const char *)data, (int)len, &err);
	if (!m) {
		plog(LOG_DEBUG, "%s: invalid D-Bus payload from :1.%llu: %s",
		     c->unique, (unsigned long long)msg->src_id,
		     err.message ? err.message : "?");
		dbus_error_free(&err);
		return NULL;
	}
	if (!n_fds)
		return m;

	if (n_hdr != n_fds) {
		plog(LOG_DEBUG, "%s: message announces %u fds, carries %u",
		     c->unique, n_hdr, n_fds);
		dbus_message_unref(m);
		return NULL;
	}
	withfds = fds_attach(m, fitem->fds, n_fds, &ret);
	dbus_message_unref(m);
	if (!withfds)
		plog(LOG_DEBUG, "%s: cannot attach fds: %s", c->unique,
		     strerror(-ret));
	return withfds;
}

static void recv_dbus(struct client *c, struct kdbus_msg *msg)
{
	char sender[32], dest[32];
	uint8_t *data = NULL;
	DBusMessage *m;
	size_t len = 0;
	bool found, is_signal;
	int ret, type;

	ret = kdbus_lib_msg_payload(&c->kconn, msg, PROXY_MAX_MSG_SIZE, &data,
				    &len);
	if (ret < 0) {
		plog(LOG_DEBUG, "%s: cannot read payload: %s", c->unique,
		     strerror(-ret));
		return;
	}

	m = demarshal(c, msg, data, len);
	free(data);
	if (!m)
		return;

	type = dbus_message_get_type(m);
	is_signal = type == DBUS_MESSAGE_TYPE_SIGNAL;
	if (!!(msg->flags & KDBUS_MSG_SIGNAL) != is_signal) {
		plog(LOG_DEBUG, "%s: kdbus signal flag and D-Bus type disagree",
		     c->unique);
		goto out;
	}

	snprintf(sender, sizeof(sender), ":1.%llu",
		 (unsigned long long)msg->src_id);
	if (!dbus_message_set_sender(m, sender) ||
	    !dbus_message_set_destination(m, msg_destination(c, msg, dest,
							     sizeof(dest)))) {
		client_kill(c, "out of memory");
		goto out;
	}

	if (c->monitor) {
		deliver_monitor(c, m);
		goto out;
	}
	switch (type) {
	case DBUS_MESSAGE_TYPE_SIGNAL:
		deliver_signal(c, m);
		break;
	case DBUS_MESSAGE_TYPE_METHOD_RETURN:
	case DBUS_MESSAGE_TYPE_ERROR:
		free(client_pending_take(c, msg->cookie_reply, &found));
		client_send(c, m);
		break;
	default:
		client_send(c, m);
		break;
	}
out:
	dbus_message_unref(m);
}

static void reply_error(struct client *c, uint64_t cookie, const char *name,
			const char *text)
{
	DBusMessage *m;
	bool ok;

	m = dbus_message_new(DBUS_MESSAGE_TYPE_ERROR);
	ok = m && dbus_message_set_error_name(m, name) &&
	     dbus_message_set_reply_serial(m, (dbus_uint32_t)cookie) &&
	     dbus_message_set_sender(m, DRIVER_NAME) &&
	     dbus_message_set_destination(m, c->unique) &&
	     dbus_message_append_args(m, DBUS_TYPE_STRING, &text,
				      DBUS_TYPE_INVALID);
	if (!client_msg_ok(c, m, ok))
		return;
	client_send(c, m);
	dbus_message_unref(m);
}

static void reply_dead(struct client *c, uint64_t cookie)
{
	struct kdbus_info *info;
	bool found, activator = false;
	char text[512];
	char *dest;
	int ret;

	dest = client_pending_take(c, cookie, &found);
	if (dest && dest[0] != ':') {
		ret = kdbus_lib_conn_info(&c->kconn, 0, dest, 0, &info);
		if (ret == 0) {
			activator = info->flags & KDBUS_HELLO_ACTIVATOR;
			kdbus_lib_free_ptr(&c->kconn, info);
		}
		if (ret < 0 || activator) {
			/* the request died with its (activatable) service */
			snprintf(text, sizeof(text),
				 "The name %s was not provided or its activation failed",
				 dest);
			reply_error(c, cookie, DBUS_ERROR_SERVICE_UNKNOWN,
				    text);
			free(dest);
			return;
		}
	}
	snprintf(text, sizeof(text),
		 "Remote peer %s disconnected before replying",
		 dest ? dest : "");
	reply_error(c, cookie, DBUS_ERROR_NO_REPLY, text);
	free(dest);
}

static void name_owner_changed(struct client *c, const char *name,
			       const char *old_owner, const char *new_owner)
{
	DBusMessage *m;
	bool ok;

	if (!c->rules)
		return;
	m = driver_signal("NameOwnerChanged", NULL);
	ok = m && dbus_message_append_args(m, DBUS_TYPE_STRING, &name,
					   DBUS_TYPE_STRING, &old_owner,
					   DBUS_TYPE_STRING, &new_owner,
					   DBUS_TYPE_INVALID);
	if (!client_msg_ok(c, m, ok))
		return;
	deliver_signal(c, m);
	dbus_message_unref(m);
}

static void owner_str(char *buf, size_t size,
		      const struct kdbus_notify_id_change *id)
{
	/* an activator holding a name is not an owner in D-Bus terms */
	if (id->id == 0 || (id->flags & KDBUS_NAME_ACTIVATOR))
		buf[0] = 0;
	else
		snprintf(buf, size, ":1.%llu", (unsigned long long)id->id);
}

static void recv_name_change(struct client *c, const struct kdbus_item *item)
{
	const struct kdbus_notify_name_change *nc = &item->name_change;
	size_t nlen = item->size - KDBUS_ITEM_HEADER_SIZE - sizeof(*nc);
	char old_owner[32], new_owner[32];

	if (item->size <= KDBUS_ITEM_HEADER_SIZE + sizeof(*nc) ||
	    !memchr(nc->name, 0, nlen))
		return;

	owner_str(old_owner, sizeof(old_owner), &nc->old_id);
	owner_str(new_owner, sizeof(new_owner), &nc->new_id);

	if (strcmp(old_owner, new_owner))
		name_owner_changed(c, nc->name, old_owner, new_owner);
	if (!c->dead && c->starts)
		driver_start_name_changed(c, nc->name, &nc->new_id);
	if (!c->dead && nc->old_id.id == c->kconn.id)
		driver_emit_name_acquired(c, nc->name, false);
	if (!c->dead && nc->new_id.id == c->kconn.id)
		driver_emit_name_acquired(c, nc->name, true);
}

static void recv_id_change(struct client *c, const struct kdbus_item *item)
{
	const struct kdbus_notify_id_change *ic = &item->id_change;
	char name[32];

	if (item->size < KDBUS_ITEM_HEADER_SIZE + sizeof(*ic))
		return;
	/* activators and policy holders are not D-Bus peers */
	if (ic->flags & (KDBUS_HELLO_ACTIVATOR | KDBUS_HELLO_POLICY_HOLDER |
			 KDBUS_HELLO_MONITOR))
		return;
	snprintf(name, sizeof(name), ":1.%llu", (unsigned long long)ic->id);
	if (item->type == KDBUS_ITEM_ID_ADD)
		name_owner_changed(c, name, "", name);
	else
		name_owner_changed(c, name, name, "");
}

static void recv_notification(struct client *c, struct kdbus_msg *msg)
{
	const struct kdbus_item *item = msg->items;

	if (!KDBUS_ITEM_VALID(item, msg->items, KDBUS_MSG_ITEMS_SIZE(msg)))
		return;

	switch (item->type) {
	case KDBUS_ITEM_REPLY_TIMEOUT: {
		bool found;

		free(client_pending_take(c, msg->cookie_reply, &found));
		reply_error(c, msg->cookie_reply, DBUS_ERROR_NO_REPLY,
			    "Did not receive a reply. Possible causes include: the remote application did not send a reply, the message bus security policy blocked the reply, the reply timeout expired, or the network connection was broken.");
		break;
	}
	case KDBUS_ITEM_REPLY_DEAD:
		reply_dead(c, msg->cookie_reply);
		break;
	case KDBUS_ITEM_NAME_ADD:
	case KDBUS_ITEM_NAME_REMOVE:
	case KDBUS_ITEM_NAME_CHANGE:
		recv_name_change(c, item);
		break;
	case KDBUS_ITEM_ID_ADD:
	case KDBUS_ITEM_ID_REMOVE:
		recv_id_change(c, item);
		break;
	default:
		plog(LOG_DEBUG, "%s: unknown notification %llu", c->unique,
		     (unsigned long long)item->type);
		break;
	}
}

/**
 * recv_kdbus_msg() - translate one received kdbus message for the client
 * @c:		Client
 * @msg:	Message in the client's pool (freed by the caller)
 */
void recv_kdbus_msg(struct client *c, struct kdbus_msg *msg)
{
	/* a monitor gets the D-Bus messages of the bus, no notifications */
	if (msg->payload_type == KDBUS_PAYLOAD_KERNEL && msg->src_id == 0) {
		if (!c->monitor)
			recv_notification(c, msg);
	} else if (msg->payload_type == KDBUS_PAYLOAD_DBUS) {
		recv_dbus(c, msg);
	} else {
		plog(LOG_DEBUG, "%s: dropping payload type %llx from :1.%llu",
		     c->unique, (unsigned long long)msg->payload_type,
		     (unsigned long long)msg->src_id);
	}
}
