// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-driver-creds - GetConnectionUnixUser, GetConnectionUnixProcessID,
 * GetConnectionCredentials, GetConnectionSELinuxSecurityContext of the bus
 * driver, from the KDBUS_CMD_CONN_INFO metadata of the target connection
 * (not the proxy's own view of the peer)
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"
#include "proxy-driver.h"

/* CONN_INFO of the target named by the only string argument */
static struct kdbus_info *target_info(struct client *c, DBusMessage *msg,
				      uint64_t attach, const char **namep)
{
	struct kdbus_info *info;
	const char *name;
	int ret;

	if (!get_args(c, msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID))
		return NULL;
	*namep = name;
	ret = lookup(c, name, attach, &info);
	if (ret < 0) {
		no_owner(c, msg, name, ret);
		return NULL;
	}
	return info;
}

static bool is_driver_arg(DBusMessage *msg)
{
	const char *name = NULL;

	return dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &name,
				     DBUS_TYPE_INVALID) &&
	       !strcmp(name, DRIVER_NAME);
}

/* how to read one uint32 credential from the CONN_INFO of a connection */
struct u32_cred {
	__u64 attach;		/* KDBUS_ATTACH_* flag that provides it */
	__u64 item_type;	/* KDBUS_ITEM_* that carries it */
	/* store the value of @item in @v; false if it is unknown */
	bool (*get)(const struct kdbus_item *item, dbus_uint32_t *v);
	const char *error;	/* D-Bus error if it cannot be determined */
	const char *what;	/* for the error text, e.g. "UID" */
};

/*
 * Reply with the @cred of the connection named by the only argument, or
 * with @own if that is the bus driver itself.
 */
static void reply_u32_cred(struct client *c, DBusMessage *msg,
			   const struct u32_cred *cred, dbus_uint32_t own)
{
	const struct kdbus_item *item;
	struct kdbus_info *info;
	dbus_uint32_t v = 0;
	const char *name;
	bool ok;

	if (is_driver_arg(msg)) {
		reply_args(c, msg, DBUS_TYPE_UINT32, &own, DBUS_TYPE_INVALID);
		return;
	}
	info = target_info(c, msg, cred->attach, &name);
	if (!info)
		return;
	item = info_item(info, cred->item_type);
	ok = item && cred->get(item, &v);
	kdbus_lib_free_ptr(&c->kconn, info);
	if (!ok) {
		send_error(c, msg, cred->error, "Could not determine %s for '%s'",
			   cred->what, name);
		return;
	}
	reply_args(c, msg, DBUS_TYPE_UINT32, &v, DBUS_TYPE_INVALID);
}

static bool get_uid(const struct kdbus_item *item, dbus_uint32_t *v)
{
	*v = item->creds.euid;
	return true;
}

static bool get_pid(const struct kdbus_item *item, dbus_uint32_t *v)
{
	*v = item->pids.pid;
	return *v != 0;
}

void m_unix_user(struct client *c, DBusMessage *msg)
{
	static const struct u32_cred uid = {
		.attach = KDBUS_ATTACH_CREDS,
		.item_type = KDBUS_ITEM_CREDS,
		.get = get_uid,
		.error = DBUS_ERROR_FAILED,
		.what = "UID",
	};

	reply_u32_cred(c, msg, &uid, getuid());
}

void m_unix_pid(struct client *c, DBusMessage *msg)
{
	static const struct u32_cred pid = {
		.attach = KDBUS_ATTACH_PIDS,
		.item_type = KDBUS_ITEM_PIDS,
		.get = get_pid,
		.error = DBUS_ERROR_UNIX_PROCESS_ID_UNKNOWN,
		.what = "PID",
	};

	reply_u32_cred(c, msg, &pid, getpid());
}

static bool dict_u32(DBusMessageIter *dict, const char *key,
		     dbus_uint32_t v)
{
	DBusMessageIter e, var;

	return dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY,
						NULL, &e) &&
	       dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key) &&
	       dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, "u",
						&var) &&
	       dbus_message_iter_append_basic(&var, DBUS_TYPE_UINT32, &v) &&
	       dbus_message_iter_close_container(&e, &var) &&
	       dbus_message_iter_close_container(dict, &e);
}

static bool dict_fixed_array(DBusMessageIter *dict, const char *key,
			     const char *sig, int type, const void *vals,
			     int n)
{
	DBusMessageIter e, var, arr;

	return dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY,
						NULL, &e) &&
	       dbus_message_iter_append_basic(&e, DBUS_TYPE_STRING, &key) &&
	       dbus_message_iter_open_container(&e, DBUS_TYPE_VARIANT, sig,
						&var) &&
	       dbus_message_iter_open_container(&var, DBUS_TYPE_ARRAY,
						sig + 1, &arr) &&
	       dbus_message_iter_append_fixed_array(&arr, type, &vals, n) &&
	       dbus_message_iter_close_container(&var, &arr) &&
	       dbus_message_iter_close_container(&e, &var) &&
	       dbus_message_iter_close_container(dict, &e);
}

void m_credentials(struct client *c, DBusMessage *msg)
{
	const struct kdbus_item *creds, *pids, *groups, *label;
	dbus_uint32_t gids[64];
	struct kdbus_info *info;
	DBusMessageIter it, dict;
	const char *name;
	DBusMessage *r;
	int n_gids = 0;
	bool ok;

	info = target_info(c, msg, KDBUS_ATTACH_CREDS | KDBUS_ATTACH_PIDS |
			   KDBUS_ATTACH_AUXGROUPS | KDBUS_ATTACH_SECLABEL,
			   &name);
	if (!info)
		return;

	creds = info_item(info, KDBUS_ITEM_CREDS);
	pids = info_item(info, KDBUS_ITEM_PIDS);
	groups = info_item(info, KDBUS_ITEM_AUXGROUPS);
	label = info_item(info, KDBUS_ITEM_SECLABEL);

	if (creds && creds->creds.gid != 0xffffffffULL)
		gids[n_gids++] = creds->creds.gid;
	if (groups) {
		size_t i, n = (groups->size - KDBUS_ITEM_HEADER_SIZE) / 8;

		for (i = 0; i < n && n_gids < 64; i++)
			if (!n_gids || groups->data64[i] != gids[0])
				gids[n_gids++] = groups->data64[i];
	}

	r = reply_new(c, msg);
	ok = !!r;
	if (ok) {
		dbus_message_iter_init_append(r, &it);
		ok = dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY,
						      "{sv}", &dict);
	}
	if (ok && creds && creds->creds.euid != 0xffffffffULL)
		ok = dict_u32(&dict, "UnixUserID", creds->creds.euid);
	if (ok && n_gids)
		ok = dict_fixed_array(&dict, "UnixGroupIDs", "au",
				      DBUS_TYPE_UINT32, gids, n_gids);
	if (ok && pids && pids->pids.pid)
		ok = dict_u32(&dict, "ProcessID", pids->pids.pid);
	if (ok && label && label->size > KDBUS_ITEM_HEADER_SIZE)
		/* as dbus-daemon: the label including its trailing NUL */
		ok = dict_fixed_array(&dict, "LinuxSecurityLabel", "ay",
				      DBUS_TYPE_BYTE, label->str,
				      label->size - KDBUS_ITEM_HEADER_SIZE);
	if (ok)
		ok = dbus_message_iter_close_container(&it, &dict);

	kdbus_lib_free_ptr(&c->kconn, info);
	if (!client_msg_ok(c, r, ok))
		return;
	reply_send(c, msg, r);
}

void m_selinux_context(struct client *c, DBusMessage *msg)
{
	const struct kdbus_item *label;
	struct kdbus_info *info;
	const char *name, *s;
	DBusMessage *r;
	DBusMessageIter it, arr;
	bool ok;

	info = target_info(c, msg, KDBUS_ATTACH_SECLABEL, &name);
	if (!info)
		return;
	label = info_item(info, KDBUS_ITEM_SECLABEL);
	if (!label || label->size <= KDBUS_ITEM_HEADER_SIZE + 1) {
		kdbus_lib_free_ptr(&c->kconn, info);
		send_error(c, msg, DBUS_ERROR_SELINUX_SECURITY_CONTEXT_UNKNOWN,
			   "Could not determine security context for '%s'",
			   name);
		return;
	}
	s = label->str;
	r = reply_new(c, msg);
	ok = !!r;
	if (ok) {
		dbus_message_iter_init_append(r, &it);
		ok = dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY,
						      "y", &arr) &&
		     dbus_message_iter_append_fixed_array(&arr, DBUS_TYPE_BYTE,
							  &s, strlen(s)) &&
		     dbus_message_iter_close_container(&it, &arr);
	}
	kdbus_lib_free_ptr(&c->kconn, info);
	if (!client_msg_ok(c, r, ok))
		return;
	reply_send(c, msg, r);
}
