// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-driver - the org.freedesktop.DBus bus driver, answered by the
 * proxy from kdbus state (names, LIST, CONN_INFO metadata of the target
 * connection, matches)
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"
#include "proxy-driver.h"

/* reply codes of RequestName / ReleaseName */
#define REQUEST_PRIMARY_OWNER	1
#define REQUEST_IN_QUEUE	2
#define REQUEST_EXISTS		3
#define REQUEST_ALREADY_OWNER	4
#define RELEASE_RELEASED	1
#define RELEASE_NON_EXISTENT	2
#define RELEASE_NOT_OWNER	3

static const char introspect_xml[] =
	DBUS_INTROSPECT_1_0_XML_DOCTYPE_DECL_NODE
	"<node>\n"
	"  <interface name=\"org.freedesktop.DBus\">\n"
	"    <method name=\"Hello\"><arg direction=\"out\" type=\"s\"/></method>\n"
	"    <method name=\"RequestName\"><arg direction=\"in\" type=\"s\"/><arg direction=\"in\" type=\"u\"/><arg direction=\"out\" type=\"u\"/></method>\n"
	"    <method name=\"ReleaseName\"><arg direction=\"in\" type=\"s\"/><arg direction=\"out\" type=\"u\"/></method>\n"
	"    <method name=\"StartServiceByName\"><arg direction=\"in\" type=\"s\"/><arg direction=\"in\" type=\"u\"/><arg direction=\"out\" type=\"u\"/></method>\n"
	"    <method name=\"NameHasOwner\"><arg direction=\"in\" type=\"s\"/><arg direction=\"out\" type=\"b\"/></method>\n"
	"    <method name=\"ListNames\"><arg direction=\"out\" type=\"as\"/></method>\n"
	"    <method name=\"ListActivatableNames\"><arg direction=\"out\" type=\"as\"/></method>\n"
	"    <method name=\"AddMatch\"><arg direction=\"in\" type=\"s\"/></method>\n"
	"    <method name=\"RemoveMatch\"><arg direction=\"in\" type=\"s\"/></method>\n"
	"    <method name=\"GetNameOwner\"><arg direction=\"in\" type=\"s\"/><arg direction=\"out\" type=\"s\"/></method>\n"
	"    <method name=\"ListQueuedOwners\"><arg direction=\"in\" type=\"s\"/><arg direction=\"out\" type=\"as\"/></method>\n"
	"    <method name=\"GetConnectionUnixUser\"><arg direction=\"in\" type=\"s\"/><arg direction=\"out\" type=\"u\"/></method>\n"
	"    <method name=\"GetConnectionUnixProcessID\"><arg direction=\"in\" type=\"s\"/><arg direction=\"out\" type=\"u\"/></method>\n"
	"    <method name=\"GetConnectionCredentials\"><arg direction=\"in\" type=\"s\"/><arg direction=\"out\" type=\"a{sv}\"/></method>\n"
	"    <method name=\"GetConnectionSELinuxSecurityContext\"><arg direction=\"in\" type=\"s\"/><arg direction=\"out\" type=\"ay\"/></method>\n"
	"    <method name=\"GetId\"><arg direction=\"out\" type=\"s\"/></method>\n"
	"    <signal name=\"NameOwnerChanged\"><arg type=\"s\"/><arg type=\"s\"/><arg type=\"s\"/></signal>\n"
	"    <signal name=\"NameLost\"><arg type=\"s\"/></signal>\n"
	"    <signal name=\"NameAcquired\"><arg type=\"s\"/></signal>\n"
	"  </interface>\n"
	"  <interface name=\"org.freedesktop.DBus.Monitoring\">\n"
	"    <method name=\"BecomeMonitor\"><arg direction=\"in\" type=\"as\"/><arg direction=\"in\" type=\"u\"/></method>\n"
	"  </interface>\n"
	"  <interface name=\"org.freedesktop.DBus.Introspectable\">\n"
	"    <method name=\"Introspect\"><arg direction=\"out\" type=\"s\"/></method>\n"
	"  </interface>\n"
	"  <interface name=\"org.freedesktop.DBus.Peer\">\n"
	"    <method name=\"Ping\"/>\n"
	"    <method name=\"GetMachineId\"><arg direction=\"out\" type=\"s\"/></method>\n"
	"  </interface>\n"
	"</node>\n";

/**
 * driver_signal() - a new signal from the bus driver
 * @member:	Signal name
 * @dest:	Destination or NULL
 *
 * Return: the message or NULL (out of memory).
 */
DBusMessage *driver_signal(const char *member, const char *dest)
{
	DBusMessage *m;

	m = dbus_message_new_signal(DRIVER_PATH, DRIVER_IFACE, member);
	if (!m)
		return NULL;
	if (!dbus_message_set_sender(m, DRIVER_NAME) ||
	    (dest && !dbus_message_set_destination(m, dest))) {
		dbus_message_unref(m);
		return NULL;
	}
	return m;
}

/**
 * driver_emit_name_acquired() - send NameAcquired or NameLost to a client
 * @c:		Client
 * @name:	The name
 * @acquired:	NameAcquired if true, NameLost otherwise
 */
void driver_emit_name_acquired(struct client *c, const char *name,
			       bool acquired)
{
	DBusMessage *m;
	bool ok;

	m = driver_signal(acquired ? "NameAcquired" : "NameLost", c->unique);
	ok = m && dbus_message_append_args(m, DBUS_TYPE_STRING, &name,
					   DBUS_TYPE_INVALID);
	if (!client_msg_ok(c, m, ok))
		return;
	client_send(c, m);
	dbus_message_unref(m);
}

DBusMessage *reply_new(struct client *c, DBusMessage *call)
{
	DBusMessage *r = dbus_message_new_method_return(call);

	if (!r)
		return NULL;
	if (!dbus_message_set_sender(r, DRIVER_NAME) ||
	    (c->unique[0] && !dbus_message_set_destination(r, c->unique))) {
		dbus_message_unref(r);
		return NULL;
	}
	return r;
}

/* send @r (consumed) unless the call expects no reply */
void reply_send(struct client *c, DBusMessage *call, DBusMessage *r)
{
	if (!r) {
		client_kill(c, "out of memory");
		return;
	}
	if (!dbus_message_get_no_reply(call))
		client_send(c, r);
	dbus_message_unref(r);
}

void reply_args(struct client *c, DBusMessage *call, int type, ...)
{
	DBusMessage *r = reply_new(c, call);
	va_list ap;
	bool ok;

	va_start(ap, type);
	ok = r && (type == DBUS_TYPE_INVALID ||
		   dbus_message_append_args_valist(r, type, ap));
	va_end(ap);
	if (!client_msg_ok(c, r, ok))
		return;
	reply_send(c, call, r);
}

bool get_args(struct client *c, DBusMessage *msg, int type, ...)
{
	DBusError err;
	va_list ap;
	bool ok;

	dbus_error_init(&err);
	va_start(ap, type);
	ok = dbus_message_get_args_valist(msg, &err, type, ap);
	va_end(ap);
	if (!ok) {
		send_error(c, msg, DBUS_ERROR_INVALID_ARGS, "%s",
			   err.message ? err.message : "Invalid arguments");
		dbus_error_free(&err);
	}
	return ok;
}

/*
 * The connection behind a bus name, with @attach metadata. A name held
 * only by its activator has no owner in D-Bus terms (-ESRCH).
 */
int lookup(struct client *c, const char *name, uint64_t attach,
	   struct kdbus_info **info)
{
	uint64_t id;
	int ret;

	if (name[0] == ':') {
		if (kdbus_lib_parse_unique(name, &id) < 0)
			return -ESRCH;
		ret = kdbus_lib_conn_info(&c->kconn, id, NULL, attach, info);
	} else {
		if (!dbus_validate_bus_name(name, NULL))
			return -EINVAL;
		ret = kdbus_lib_conn_info(&c->kconn, 0, name, attach, info);
	}
	if (ret < 0)
		return ret == -ENXIO ? -ESRCH : ret;
	if ((*info)->flags & (KDBUS_HELLO_ACTIVATOR |
			      KDBUS_HELLO_POLICY_HOLDER |
			      KDBUS_HELLO_MONITOR)) {
		kdbus_lib_free_ptr(&c->kconn, *info);
		return -ESRCH;
	}
	return 0;
}

const struct kdbus_item *info_item(const struct kdbus_info *info,
				   uint64_t type)
{
	const struct kdbus_item *item;

	KDBUS_ITEM_FOREACH(item, info->items, KDBUS_INFO_ITEMS_SIZE(info))
		if (item->type == type)
			return item;
	return NULL;
}

/* true if @item (an OWNED_NAME item) holds a terminated name */
bool name_item_valid(const struct kdbus_item *item)
{
	return item->size > KDBUS_ITEM_HEADER_SIZE + 8 &&
	       memchr(item->name.name, 0,
		      item->size - KDBUS_ITEM_HEADER_SIZE - 8);
}

void no_owner(struct client *c, DBusMessage *msg, const char *name, int err)
{
	if (err == -EINVAL)
		send_error(c, msg, DBUS_ERROR_INVALID_ARGS,
			   "'%s' is not a valid bus name", name);
	else
		send_error(c, msg, DBUS_ERROR_NAME_HAS_NO_OWNER,
			   "Could not get owner of name '%s': no such name",
			   name);
}

static void m_hello(struct client *c, DBusMessage *msg)
{
	const char *u = c->unique;
	int ret;

	if (c->unique[0]) {
		send_error(c, msg, DBUS_ERROR_FAILED,
			   "Already handled an Hello message");
		return;
	}
	ret = client_kdbus_hello(c);
	if (ret < 0) {
		send_error(c, msg, ret == -EMFILE ? DBUS_ERROR_LIMITS_EXCEEDED :
			   DBUS_ERROR_FAILED, "Connecting to the bus failed: %s",
			   strerror(-ret));
		return;
	}
	reply_args(c, msg, DBUS_TYPE_STRING, &u, DBUS_TYPE_INVALID);
	if (!c->dead)
		driver_emit_name_acquired(c, c->unique, true);
}

static void m_request_name(struct client *c, DBusMessage *msg)
{
	const char *name;
	dbus_uint32_t flags, result;
	uint64_t kf = 0, rf = 0;
	int ret;

	if (!get_args(c, msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_UINT32,
		      &flags, DBUS_TYPE_INVALID))
		return;
	if (name[0] == ':' || !dbus_validate_bus_name(name, NULL)) {
		send_error(c, msg, DBUS_ERROR_INVALID_ARGS,
			   "Cannot acquire a service named '%s'", name);
		return;
	}
	if (!strcmp(name, DRIVER_NAME)) {
		send_error(c, msg, DBUS_ERROR_INVALID_ARGS,
			   "Connection is not allowed to own the service \"%s\" because it is reserved for D-Bus' use only",
			   name);
		return;
	}

	if (flags & DBUS_NAME_FLAG_ALLOW_REPLACEMENT)
		kf |= KDBUS_NAME_ALLOW_REPLACEMENT;
	if (flags & DBUS_NAME_FLAG_REPLACE_EXISTING)
		kf |= KDBUS_NAME_REPLACE_EXISTING;
	if (!(flags & DBUS_NAME_FLAG_DO_NOT_QUEUE))
		kf |= KDBUS_NAME_QUEUE;

	ret = kdbus_lib_name_acquire(&c->kconn, name, kf, &rf);
	switch (ret) {
	case 0:
		result = (rf & KDBUS_NAME_IN_QUEUE) ? REQUEST_IN_QUEUE :
						      REQUEST_PRIMARY_OWNER;
		break;
	case -EEXIST:
		result = REQUEST_EXISTS;
		break;
	case -EALREADY:
		result = REQUEST_ALREADY_OWNER;
		break;
	case -EPERM:
		send_error(c, msg, DBUS_ERROR_ACCESS_DENIED,
			   "Connection \"%s\" is not allowed to own the service \"%s\" due to security policies",
			   c->unique, name);
		return;
	case -E2BIG:
		send_error(c, msg, DBUS_ERROR_LIMITS_EXCEEDED,
			   "Connection \"%s\" owns too many names", c->unique);
		return;
	case -EINVAL:
		send_error(c, msg, DBUS_ERROR_INVALID_ARGS,
			   "Cannot acquire a service named '%s'", name);
		return;
	default:
		send_error(c, msg, DBUS_ERROR_FAILED,
			   "Acquiring %s failed: %s", name, strerror(-ret));
		return;
	}
	reply_args(c, msg, DBUS_TYPE_UINT32, &result, DBUS_TYPE_INVALID);
}

static void m_release_name(struct client *c, DBusMessage *msg)
{
	dbus_uint32_t result;
	const char *name;
	int ret;

	if (!get_args(c, msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID))
		return;
	if (name[0] == ':' || !dbus_validate_bus_name(name, NULL) ||
	    !strcmp(name, DRIVER_NAME)) {
		send_error(c, msg, DBUS_ERROR_INVALID_ARGS,
			   "Cannot release a service named '%s'", name);
		return;
	}

	ret = kdbus_lib_name_release(&c->kconn, name);
	switch (ret) {
	case 0:
		result = RELEASE_RELEASED;
		break;
	case -ESRCH:
		result = RELEASE_NON_EXISTENT;
		break;
	case -EADDRINUSE:
		result = RELEASE_NOT_OWNER;
		break;
	default:
		send_error(c, msg, DBUS_ERROR_FAILED,
			   "Releasing %s failed: %s", name, strerror(-ret));
		return;
	}
	reply_args(c, msg, DBUS_TYPE_UINT32, &result, DBUS_TYPE_INVALID);
}

static void m_get_name_owner(struct client *c, DBusMessage *msg)
{
	struct kdbus_info *info;
	const char *name, *o;
	char owner[32];
	int ret;

	if (!get_args(c, msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID))
		return;
	if (!strcmp(name, DRIVER_NAME)) {
		o = DRIVER_NAME;
		reply_args(c, msg, DBUS_TYPE_STRING, &o, DBUS_TYPE_INVALID);
		return;
	}
	ret = lookup(c, name, 0, &info);
	if (ret < 0) {
		no_owner(c, msg, name, ret);
		return;
	}
	snprintf(owner, sizeof(owner), ":1.%llu",
		 (unsigned long long)info->id);
	kdbus_lib_free_ptr(&c->kconn, info);
	o = owner;
	reply_args(c, msg, DBUS_TYPE_STRING, &o, DBUS_TYPE_INVALID);
}

static void m_name_has_owner(struct client *c, DBusMessage *msg)
{
	struct kdbus_info *info;
	const char *name;
	dbus_bool_t has;

	if (!get_args(c, msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID))
		return;
	if (!strcmp(name, DRIVER_NAME)) {
		has = TRUE;
	} else if (lookup(c, name, 0, &info) == 0) {
		kdbus_lib_free_ptr(&c->kconn, info);
		has = TRUE;
	} else {
		has = FALSE;
	}
	reply_args(c, msg, DBUS_TYPE_BOOLEAN, &has, DBUS_TYPE_INVALID);
}

static void m_get_id(struct client *c, DBusMessage *msg)
{
	char hex[33];
	const char *s = hex;
	int i;

	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", c->kconn.id128[i]);
	reply_args(c, msg, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
}

static void m_introspect(struct client *c, DBusMessage *msg)
{
	const char *s = introspect_xml;

	reply_args(c, msg, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
}

static void m_ping(struct client *c, DBusMessage *msg)
{
	reply_args(c, msg, DBUS_TYPE_INVALID);
}

static void m_machine_id(struct client *c, DBusMessage *msg)
{
	DBusError err;
	char *id;

	dbus_error_init(&err);
	id = dbus_try_get_local_machine_id(&err);
	if (!id) {
		send_error(c, msg, DBUS_ERROR_FAILED, "%s",
			   err.message ? err.message : "no machine id");
		dbus_error_free(&err);
		return;
	}
	reply_args(c, msg, DBUS_TYPE_STRING, &id, DBUS_TYPE_INVALID);
	dbus_free(id);
}

static const struct {
	const char *iface;
	const char *member;
	void (*fn)(struct client *c, DBusMessage *msg);
} methods[] = {
	{ DRIVER_IFACE, "Hello", m_hello },
	{ DRIVER_IFACE, "RequestName", m_request_name },
	{ DRIVER_IFACE, "ReleaseName", m_release_name },
	{ DRIVER_IFACE, "StartServiceByName", m_start_service },
	{ DRIVER_IFACE, "NameHasOwner", m_name_has_owner },
	{ DRIVER_IFACE, "ListNames", m_list_names },
	{ DRIVER_IFACE, "ListActivatableNames", m_list_activatable },
	{ DRIVER_IFACE, "ListQueuedOwners", m_list_queued },
	{ DRIVER_IFACE, "AddMatch", m_add_match },
	{ DRIVER_IFACE, "RemoveMatch", m_remove_match },
	{ DRIVER_IFACE, "GetNameOwner", m_get_name_owner },
	{ DRIVER_IFACE, "GetConnectionUnixUser", m_unix_user },
	{ DRIVER_IFACE, "GetConnectionUnixProcessID", m_unix_pid },
	{ DRIVER_IFACE, "GetConnectionCredentials", m_credentials },
	{ DRIVER_IFACE, "GetConnectionSELinuxSecurityContext",
	  m_selinux_context },
	{ DRIVER_IFACE, "GetId", m_get_id },
	{ DBUS_INTERFACE_MONITORING, "BecomeMonitor", m_become_monitor },
	{ DBUS_INTERFACE_INTROSPECTABLE, "Introspect", m_introspect },
	{ DBUS_INTERFACE_PEER, "Ping", m_ping },
	{ DBUS_INTERFACE_PEER, "GetMachineId", m_machine_id },
};

/**
 * driver_handle() - a message addressed to org.freedesktop.DBus
 * @c:		Client
 * @msg:	The message (method calls are answered, the rest ignored)
 */
void driver_handle(struct client *c, DBusMessage *msg)
{
	const char *iface = dbus_message_get_interface(msg);
	const char *member = dbus_message_get_member(msg);
	unsigned int i;

	if (dbus_message_get_type(msg) != DBUS_MESSAGE_TYPE_METHOD_CALL ||
	    !member)
		return;

	for (i = 0; i < ARRAY_SIZE(methods); i++) {
		if (strcmp(member, methods[i].member))
			continue;
		/* a call without interface picks the first member match */
		if (iface && strcmp(iface, methods[i].iface))
			continue;
		if (!c->unique[0] && methods[i].fn != m_hello)
			break;
		methods[i].fn(c, msg);
		return;
	}

	send_error(c, msg, DBUS_ERROR_UNKNOWN_METHOD,
		   "Method \"%s\" with signature \"%s\" on interface \"%s\" doesn't exist",
		   member, dbus_message_get_signature(msg),
		   iface ? iface : "(null)");
}
