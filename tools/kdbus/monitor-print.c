// SPDX-License-Identifier: GPL-2.0
/*
 * monitor-print - human-readable output of kdbus messages, in the style
 * of dbus-monitor: a kdbus header line, the D-Bus header and arguments of
 * KDBUS_PAYLOAD_DBUS payloads (demarshalled with libdbus), kernel
 * notifications decoded by item type, other payloads as hex, and all
 * metadata items.
 */

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dbus/dbus.h>

#include "monitor-print.h"
#include "proxy-fds.h"

#define HEX_MAX		4096	/* bytes of unknown payloads shown */

static void print_indent(int depth)
{
	while (depth-- > 0)
		fputs("   ", stdout);
}

static void print_quoted(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\x%02x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_iter(DBusMessageIter *it, int depth)
{
	int type;

	while ((type = dbus_message_iter_get_arg_type(it)) !=
	       DBUS_TYPE_INVALID) {
		DBusBasicValue v;
		DBusMessageIter sub;

		print_indent(depth);
		switch (type) {
		case DBUS_TYPE_STRING:
		case DBUS_TYPE_OBJECT_PATH:
		case DBUS_TYPE_SIGNATURE:
			dbus_message_iter_get_basic(it, &v);
			printf("%s ", type == DBUS_TYPE_STRING ? "string" :
			       type == DBUS_TYPE_OBJECT_PATH ? "object path" :
			       "signature");
			print_quoted(v.str);
			putchar('\n');
			break;
		case DBUS_TYPE_BYTE:
			dbus_message_iter_get_basic(it, &v);
			printf("byte %u\n", v.byt);
			break;
		case DBUS_TYPE_BOOLEAN:
			dbus_message_iter_get_basic(it, &v);
			printf("boolean %s\n", v.bool_val ? "true" : "false");
			break;
		case DBUS_TYPE_INT16:
			dbus_message_iter_get_basic(it, &v);
			printf("int16 %d\n", v.i16);
			break;
		case DBUS_TYPE_UINT16:
			dbus_message_iter_get_basic(it, &v);
			printf("uint16 %u\n", v.u16);
			break;
		case DBUS_TYPE_INT32:
			dbus_message_iter_get_basic(it, &v);
			printf("int32 %d\n", v.i32);
			break;
		case DBUS_TYPE_UINT32:
			dbus_message_iter_get_basic(it, &v);
			printf("uint32 %u\n", v.u32);
			break;
		case DBUS_TYPE_INT64:
			dbus_message_iter_get_basic(it, &v);
			printf("int64 %" PRId64 "\n", (int64_t)v.i64);
			break;
		case DBUS_TYPE_UINT64:
			dbus_message_iter_get_basic(it, &v);
			printf("uint64 %" PRIu64 "\n", (uint64_t)v.u64);
			break;
		case DBUS_TYPE_DOUBLE:
			dbus_message_iter_get_basic(it, &v);
			printf("double %g\n", v.dbl);
			break;
		case DBUS_TYPE_UNIX_FD:
			/* the monitor does not keep the fds */
			printf("file descriptor\n");
			break;
		case DBUS_TYPE_VARIANT:
			dbus_message_iter_recurse(it, &sub);
			printf("variant\n");
			print_iter(&sub, depth + 1);
			break;
		case DBUS_TYPE_ARRAY:
			dbus_message_iter_recurse(it, &sub);
			printf("array [\n");
			print_iter(&sub, depth + 1);
			print_indent(depth);
			printf("]\n");
			break;
		case DBUS_TYPE_DICT_ENTRY:
			dbus_message_iter_recurse(it, &sub);
			printf("dict entry(\n");
			print_iter(&sub, depth + 1);
			print_indent(depth);
			printf(")\n");
			break;
		case DBUS_TYPE_STRUCT:
			dbus_message_iter_recurse(it, &sub);
			printf("struct {\n");
			print_iter(&sub, depth + 1);
			print_indent(depth);
			printf("}\n");
			break;
		default:
			printf("(unknown type '%c')\n", type);
			break;
		}
		dbus_message_iter_next(it);
	}
}

static void print_hex(const uint8_t *data, size_t len)
{
	size_t i, j, n = len > HEX_MAX ? HEX_MAX : len;

	for (i = 0; i < n; i += 16) {
		printf("   %06zx ", i);
		for (j = i; j < i + 16; j++) {
			if (j < n)
				printf(" %02x", data[j]);
			else
				printf("   ");
		}
		printf("  ");
		for (j = i; j < i + 16 && j < n; j++)
			putchar(isprint(data[j]) ? data[j] : '.');
		putchar('\n');
	}
	if (n < len)
		printf("   ... (%zu more bytes)\n", len - n);
}

static void print_dbus(const struct kdbus_msg *msg, uint8_t *data,
		       size_t len)
{
	const struct kdbus_item *fitem;
	DBusMessageIter it;
	DBusMessage *m;
	DBusError err;
	uint32_t n_hdr;
	const char *s;

	fitem = kdbus_lib_msg_item(msg, KDBUS_ITEM_FDS);
	if (fitem && fds_neutralize_header(data, len, &n_hdr) < 0) {
		printf("   (cannot parse D-Bus header)\n");
		print_hex(data, len);
		return;
	}

	dbus_error_init(&err);
	m = len <= INT32_MAX ?
	    dbus_message_demarshal((const char *)data, (int)len, &err) : NULL;
	if (!m) {
		printf("   (invalid D-Bus payload: %s)\n",
		       err.message ? err.message : "too large");
		dbus_error_free(&err);
		print_hex(data, len);
		return;
	}

	printf("   %s", dbus_message_type_to_string(dbus_message_get_type(m)));
	printf(" serial=%u", dbus_message_get_serial(m));
	if (dbus_message_get_reply_serial(m))
		printf(" reply_serial=%u", dbus_message_get_reply_serial(m));
	s = dbus_message_get_sender(m);
	printf(" sender=%s", s ? s : "(unset)");
	s = dbus_message_get_destination(m);
	printf(" -> destination=%s", s ? s : "(null destination)");
	if (dbus_message_get_no_reply(m))
		printf(" no_reply");
	putchar('\n');
	s = dbus_message_get_path(m);
	if (s)
		printf("   path=%s", s);
	s = dbus_message_get_interface(m);
	if (s)
		printf("; interface=%s", s);
	s = dbus_message_get_member(m);
	if (s)
		printf("; member=%s", s);
	s = dbus_message_get_error_name(m);
	if (s)
		printf(" error_name=%s", s);
	printf(" signature=\"%s\"\n", dbus_message_get_signature(m));

	if (dbus_message_iter_init(m, &it))
		print_iter(&it, 1);
	dbus_message_unref(m);
}

static void print_id(const char *what, const struct kdbus_notify_id_change *id)
{
	printf(" %s=:1.%llu (flags 0x%llx)", what,
	       (unsigned long long)id->id, (unsigned long long)id->flags);
}

static void print_notification(const struct kdbus_item *item)
{
	size_t nlen;

	printf("   notification %s", kdbus_lib_item_name(item->type));
	switch (item->type) {
	case KDBUS_ITEM_NAME_ADD:
	case KDBUS_ITEM_NAME_REMOVE:
	case KDBUS_ITEM_NAME_CHANGE:
		if (item->size < KDBUS_ITEM_HEADER_SIZE +
		    sizeof(struct kdbus_notify_name_change))
			break;
		nlen = item->size - KDBUS_ITEM_HEADER_SIZE -
		       sizeof(struct kdbus_notify_name_change);
		printf(" name=%.*s", (int)strnlen(item->name_change.name, nlen),
		       item->name_change.name);
		print_id("old", &item->name_change.old_id);
		print_id("new", &item->name_change.new_id);
		break;
	case KDBUS_ITEM_ID_ADD:
	case KDBUS_ITEM_ID_REMOVE:
		if (item->size >= KDBUS_ITEM_HEADER_SIZE +
		    sizeof(struct kdbus_notify_id_change))
			print_id("id", &item->id_change);
		break;
	}
	putchar('\n');
}

static void print_string_item(const struct kdbus_item *item)
{
	size_t len = item->size - KDBUS_ITEM_HEADER_SIZE;
	size_t i;

	printf("   %s: ", kdbus_lib_item_name(item->type));
	/* CMDLINE is a NUL-separated list */
	for (i = 0; i < len && (item->str[i] || i + 1 < len); i++)
		putchar(item->str[i] ? item->str[i] : ' ');
	putchar('\n');
}

static void print_metadata(const struct kdbus_item *item)
{
	size_t i, n;

	switch (item->type) {
	case KDBUS_ITEM_TIMESTAMP:
		printf("   TIMESTAMP: seq=%llu mono=%llu.%09llu real=%llu.%09llu\n",
		       (unsigned long long)item->timestamp.seqnum,
		       (unsigned long long)item->timestamp.monotonic_ns /
		       1000000000ULL,
		       (unsigned long long)item->timestamp.monotonic_ns %
		       1000000000ULL,
		       (unsigned long long)item->timestamp.realtime_ns /
		       1000000000ULL,
		       (unsigned long long)item->timestamp.realtime_ns %
		       1000000000ULL);
		break;
	case KDBUS_ITEM_CREDS:
		printf("   CREDS: uid=%llu euid=%llu suid=%llu fsuid=%llu",
		       (unsigned long long)item->creds.uid,
		       (unsigned long long)item->creds.euid,
		       (unsigned long long)item->creds.suid,
		       (unsigned long long)item->creds.fsuid);
		printf(" gid=%llu egid=%llu sgid=%llu fsgid=%llu\n",
		       (unsigned long long)item->creds.gid,
		       (unsigned long long)item->creds.egid,
		       (unsigned long long)item->creds.sgid,
		       (unsigned long long)item->creds.fsgid);
		break;
	case KDBUS_ITEM_PIDS:
		printf("   PIDS: pid=%llu tid=%llu ppid=%llu\n",
		       (unsigned long long)item->pids.pid,
		       (unsigned long long)item->pids.tid,
		       (unsigned long long)item->pids.ppid);
		break;
	case KDBUS_ITEM_AUXGROUPS:
		printf("   AUXGROUPS:");
		n = (item->size - KDBUS_ITEM_HEADER_SIZE) / 8;
		for (i = 0; i < n; i++)
			printf(" %llu", (unsigned long long)item->data64[i]);
		putchar('\n');
		break;
	case KDBUS_ITEM_OWNED_NAME:
		if (item->size > KDBUS_ITEM_HEADER_SIZE + 8)
			printf("   OWNED_NAME: %.*s (flags 0x%llx)\n",
			       (int)(item->size - KDBUS_ITEM_HEADER_SIZE - 8),
			       item->name.name,
			       (unsigned long long)item->name.flags);
		break;
	case KDBUS_ITEM_TID_COMM:
	case KDBUS_ITEM_PID_COMM:
	case KDBUS_ITEM_EXE:
	case KDBUS_ITEM_CMDLINE:
	case KDBUS_ITEM_CGROUP:
	case KDBUS_ITEM_SECLABEL:
	case KDBUS_ITEM_CONN_DESCRIPTION:
	case KDBUS_ITEM_DST_NAME:
		print_string_item(item);
		break;
	case KDBUS_ITEM_CAPS: {
		static const char * const set[] = { "inh", "perm", "eff",
						     "bset" };
		size_t w;

		printf("   CAPS: last_cap=%u", item->caps.last_cap);
		n = (item->size - KDBUS_ITEM_HEADER_SIZE - 4) / 4;
		w = n / 4;
		for (i = 0; w && i < 4 * w; i++)
			printf("%s%08x", i % w ? "" : i ? " " : " ",
			       item->caps.caps[i]);
		for (i = 0; w && i < 4; i++)
			printf("%s%s", i ? "," : " (", set[i]);
		printf("%s\n", w ? ")" : "");
		break;
	}
	case KDBUS_ITEM_AUDIT:
		printf("   AUDIT: loginuid=%u sessionid=%u\n",
		       item->audit.loginuid, item->audit.sessionid);
		break;
	case KDBUS_ITEM_FDS:
		printf("   FDS: %llu fd(s)\n", (unsigned long long)
		       (item->size - KDBUS_ITEM_HEADER_SIZE) / 4);
		break;
	case KDBUS_ITEM_PAYLOAD_OFF:
		printf("   PAYLOAD_OFF: size=%llu\n",
		       (unsigned long long)item->vec.size);
		break;
	case KDBUS_ITEM_PAYLOAD_MEMFD:
		printf("   PAYLOAD_MEMFD: start=%llu size=%llu\n",
		       (unsigned long long)item->memfd.start,
		       (unsigned long long)item->memfd.size);
		break;
	default:
		printf("   %s (type 0x%llx, %llu bytes)\n",
		       kdbus_lib_item_name(item->type),
		       (unsigned long long)item->type,
		       (unsigned long long)item->size);
		break;
	}
}

static void print_flags(uint64_t flags)
{
	if (flags & KDBUS_MSG_EXPECT_REPLY)
		printf(" EXPECT_REPLY");
	if (flags & KDBUS_MSG_NO_AUTO_START)
		printf(" NO_AUTO_START");
	if (flags & KDBUS_MSG_SIGNAL)
		printf(" SIGNAL");
}

/**
 * print_kdbus_msg() - print one received message
 * @conn:	Monitor connection
 * @msg:	Message in its pool
 */
void print_kdbus_msg(const struct kdbus_conn *conn,
		     const struct kdbus_msg *msg)
{
	const struct kdbus_item *item;
	uint8_t *data = NULL;
	size_t len = 0;
	int ret;

	printf("kdbus message: src=");
	if (msg->src_id == KDBUS_SRC_ID_KERNEL)
		printf("kernel");
	else
		printf(":1.%llu", (unsigned long long)msg->src_id);
	printf(" dst=");
	if (msg->dst_id == KDBUS_DST_ID_BROADCAST)
		printf("broadcast");
	else if (msg->dst_id == KDBUS_DST_ID_NAME)
		printf("(by name)");
	else
		printf(":1.%llu", (unsigned long long)msg->dst_id);
	printf(" cookie=%llu", (unsigned long long)msg->cookie);
	if (msg->flags & KDBUS_MSG_EXPECT_REPLY)
		printf(" timeout_ns=%llu",
		       (unsigned long long)msg->timeout_ns);
	else if (msg->cookie_reply)
		printf(" cookie_reply=%llu",
		       (unsigned long long)msg->cookie_reply);
	printf(" priority=%lld flags=", (long long)msg->priority);
	print_flags(msg->flags);
	if (msg->payload_type == KDBUS_PAYLOAD_DBUS)
		printf(" payload=dbus\n");
	else if (msg->payload_type == KDBUS_PAYLOAD_KERNEL)
		printf(" payload=kernel\n");
	else
		printf(" payload=0x%016llx\n",
		       (unsigned long long)msg->payload_type);

	KDBUS_ITEM_FOREACH(item, msg->items, KDBUS_MSG_ITEMS_SIZE(msg)) {
		if (item->type >= _KDBUS_ITEM_KERNEL_BASE)
			print_notification(item);
		else
			print_metadata(item);
	}

	if (msg->payload_type == KDBUS_PAYLOAD_KERNEL)
		goto out;

	ret = kdbus_lib_msg_payload(conn, msg, 256 * 1024 * 1024, &data, &len);
	if (ret < 0) {
		printf("   (payload not readable: %s)\n", strerror(-ret));
		goto out;
	}
	if (msg->payload_type == KDBUS_PAYLOAD_DBUS)
		print_dbus(msg, data, len);
	else
		print_hex(data, len);
	free(data);
out:
	putchar('\n');
	fflush(stdout);
}
