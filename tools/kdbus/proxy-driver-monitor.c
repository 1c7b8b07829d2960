// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-driver-monitor - org.freedesktop.DBus.Monitoring.BecomeMonitor:
 * after the reply, the client's kdbus connection is replaced by a monitor
 * connection (KDBUS_HELLO_MONITOR, which gets a copy of every message on
 * the bus) and the old one is closed, releasing its names. The client
 * gets NameLost for them and for its unique name, then the D-Bus messages
 * matching one of its rules (proxy-recv.c); anything it sends makes the
 * proxy drop it (proxy-client.c).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"
#include "proxy-driver.h"

/* as dbus-daemon: only root and the bus's own user may monitor */
static bool monitor_allowed(struct client *c)
{
	return c->have_creds && (c->uid == 0 || c->uid == geteuid());
}

/* one rule of BecomeMonitor, or NULL (the error is sent or @c killed) */
static struct client_rule *monitor_rule(struct client *c, DBusMessage *msg,
					const char *text)
{
	struct client_rule *cr;

	cr = calloc(1, sizeof(*cr));
	if (!cr) {
		client_kill(c, "out of memory");
		return NULL;
	}
	cr->rule = rule_parse(c, msg, text);
	if (!cr->rule) {
		free(cr);
		return NULL;
	}
	return cr;
}

/*
 * The rules of BecomeMonitor(as rules, u flags) in @rules (NULL: none),
 * or a negative errno if the call is invalid (the error is sent).
 */
static int monitor_args(struct client *c, DBusMessage *msg,
			struct client_rule **rules, unsigned int *n_rules)
{
	struct client_rule *cr;
	dbus_uint32_t flags;
	char **texts;
	int i, n;

	*rules = NULL;
	*n_rules = 0;
	if (!get_args(c, msg, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &texts, &n,
		      DBUS_TYPE_UINT32, &flags, DBUS_TYPE_INVALID))
		return -EINVAL;
	if (flags) {
		send_error(c, msg, DBUS_ERROR_INVALID_ARGS,
			   "BecomeMonitor does not support any flags yet");
		n = -1;
	} else if (n > PROXY_MAX_RULES) {
		rules_limit_error(c, msg);
		n = -1;
	}
	for (i = 0; i < n; i++) {
		cr = monitor_rule(c, msg, texts[i]);
		if (!cr) {
			n = -1;
			break;
		}
		cr->next = *rules;
		*rules = cr;
	}
	dbus_free_string_array(texts);
	if (n < 0) {
		client_rules_free(*rules);
		*rules = NULL;
		return -EINVAL;
	}
	*n_rules = (unsigned int)n;
	return 0;
}

/* NameLost for the names in @info (NULL: none), then for the unique name */
static void emit_names_lost(struct client *c, const struct kdbus_info *info)
{
	const struct kdbus_item *item;

	if (info)
		KDBUS_ITEM_FOREACH(item, info->items,
				   KDBUS_INFO_ITEMS_SIZE(info))
			if (item->type == KDBUS_ITEM_OWNED_NAME &&
			    name_item_valid(item) && !c->dead)
				driver_emit_name_acquired(c, item->name.name,
							  false);
	if (!c->dead)
		driver_emit_name_acquired(c, c->unique, false);
}

/* reply, switch @c to @mon with @rules, close its old connection */
static void monitor_switch(struct client *c, DBusMessage *msg,
			   struct kdbus_conn *mon, struct client_rule *rules,
			   unsigned int n_rules)
{
	struct kdbus_info *info = NULL;
	struct kdbus_conn old;

	reply_args(c, msg, DBUS_TYPE_INVALID);
	if (c->dead) {
		kdbus_lib_close(mon);
		client_rules_free(rules);
		return;
	}
	/* the names it owns as primary owner, lost when it is closed */
	if (kdbus_lib_conn_info(&c->kconn, c->kconn.id, NULL,
				KDBUS_ATTACH_NAMES, &info) < 0)
		info = NULL;
	client_become_monitor(c, mon, rules, n_rules, &old);
	emit_names_lost(c, info);
	if (info)
		kdbus_lib_free_ptr(&old, info);
	kdbus_lib_close(&old);
}

void m_become_monitor(struct client *c, DBusMessage *msg)
{
	struct client_rule *rules;
	struct kdbus_conn mon;
	unsigned int n_rules;
	int ret;

	if (!monitor_allowed(c)) {
		send_error(c, msg, DBUS_ERROR_ACCESS_DENIED,
			   "Connection \"%s\" is not allowed to become a monitor",
			   c->unique);
		return;
	}
	if (monitor_args(c, msg, &rules, &n_rules) < 0)
		return;

	/* a monitor has no names, and is no activator or policy holder */
	ret = client_kdbus_connect(c, &mon, KDBUS_HELLO_MONITOR);
	if (ret < 0) {
		client_rules_free(rules);
		send_error(c, msg, ret == -EPERM ? DBUS_ERROR_ACCESS_DENIED :
			   DBUS_ERROR_FAILED, "Becoming a monitor failed: %s",
			   strerror(-ret));
		return;
	}
	monitor_switch(c, msg, &mon, rules, n_rules);
}
