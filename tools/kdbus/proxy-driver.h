/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proxy-driver - internal interface of the bus driver implementation
 */

#ifndef PROXY_DRIVER_H
#define PROXY_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <dbus/dbus.h>

#include "proxy.h"

/* proxy-driver.c: helpers */
DBusMessage *reply_new(struct client *c, DBusMessage *call);
void reply_send(struct client *c, DBusMessage *call, DBusMessage *r);
void reply_args(struct client *c, DBusMessage *call, int type, ...);
bool get_args(struct client *c, DBusMessage *msg, int type, ...);
int lookup(struct client *c, const char *name, uint64_t attach,
	   struct kdbus_info **info);
const struct kdbus_item *info_item(const struct kdbus_info *info,
				   uint64_t type);
bool name_item_valid(const struct kdbus_item *item);
void no_owner(struct client *c, DBusMessage *msg, const char *name, int err);

/* proxy-driver-list.c */
void m_list_names(struct client *c, DBusMessage *msg);
void m_list_activatable(struct client *c, DBusMessage *msg);
void m_list_queued(struct client *c, DBusMessage *msg);

/* proxy-driver-match.c */
struct match_rule *rule_parse(struct client *c, DBusMessage *msg,
			      const char *text);
void rules_limit_error(struct client *c, DBusMessage *msg);
void m_add_match(struct client *c, DBusMessage *msg);
void m_remove_match(struct client *c, DBusMessage *msg);

/* proxy-driver-monitor.c */
void m_become_monitor(struct client *c, DBusMessage *msg);

/* proxy-driver-start.c */
void m_start_service(struct client *c, DBusMessage *msg);

/* proxy-driver-creds.c */
void m_unix_user(struct client *c, DBusMessage *msg);
void m_unix_pid(struct client *c, DBusMessage *msg);
void m_credentials(struct client *c, DBusMessage *msg);
void m_selinux_context(struct client *c, DBusMessage *msg);

#endif /* PROXY_DRIVER_H */
