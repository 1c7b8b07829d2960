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

void m_unix_user(struct client *c, DBusMessage *msg)
{
	const struct kdbus_item *item;
	struct kdbus_info *info;
	dbus_uint32_t uid;
	const char *name;

	if (is_driver_arg(msg)) {
		uid = getuid();
		reply_args(c, msg, DBUS_TYPE_UINT32, &uid, DBUS_TYPE_INVALID);
		return;
	}
	info = target_info(c, msg, KDBUS_ATTACH_CREDS, &name);
	if (!info)
		return;
	item = info_item(info, KDBUS_ITEM_CREDS);
	if (item)
		uid = item->creds.euid;
	kdbus_lib_free_ptr(&c->kconn, info);
	if (!item) {
		send_error(c, msg, DBUS_ERROR_FAILED,
			   "Could not determine UID for '%s'", name);
		return;
	}
	reply_args(c, msg, DBUS_TYPE_UINT32, &uid, DBUS_TYPE_INVALID);
}

void m_unix_pid(struct client *c, DBusMessage *msg)
{
	const struct kdbus_item *item;
	struct kdbus_info *info;
	dbus_uint32_t pid = 0;
	const char *name;

	if (is_driver_arg(msg)) {
		pid = getpid();
		reply_args(c, msg, DBUS_TYPE_UINT32, &pid, DBUS_TYPE_INVALID);
		return;
	}
	info = target_info(c, msg, KDBUS_ATTACH_PIDS, &name);
	if (!info)
		return;
	item = info_item(info, KDBUS_ITEM_PIDS);
	if (item)
		pid = item->pids.pid;
	kdbus_lib_free_ptr(&c->kconn, info);
	if (!pid) {
		send_error(c, msg,
			   DBUS_ERROR_UNIX_PROCESS_ID_UNKNOWN,
			   "Could not determine PID for '%s'", name);
		return;
	}
	reply_args(c, msg, DBUS_TYPE_UINT32, &pid, DBUS_TYPE_INVALID);
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
	if (!ok) {
		if (r)
			dbus_message_unref(r);
		client_kill(c, "out of memory");
		return;
	}
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
	if (!ok) {
		if (r)
			dbus_message_unref(r);
		client_kill(c, "out of memory");
		return;
	}
	reply_send(c, msg, r);
}
