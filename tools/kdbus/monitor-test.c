// SPDX-License-Identifier: GPL-2.0
/*
 * monitor-test - unit test of the kdbus-monitor output (make check): fake
 * pool slices are printed and the output is checked for the decoded
 * fields.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dbus/dbus.h>

#include "kdbus-lib.h"
#include "monitor-print.h"
#include "unit-test.h"

#define POOL_SIZE	65536

static uint64_t pool[POOL_SIZE / 8];

static struct kdbus_item *add(struct kdbus_msg *m, uint64_t type,
			      size_t payload)
{
	struct kdbus_item *item;

	item = (struct kdbus_item *)((uint8_t *)m + KDBUS_ALIGN8(m->size));
	item->size = KDBUS_ITEM_HEADER_SIZE + payload;
	item->type = type;
	m->size = KDBUS_ALIGN8(m->size) + KDBUS_ALIGN8(item->size);
	return item;
}

static void build_dbus(struct kdbus_msg *m)
{
	DBusMessage *d = dbus_message_new_signal("/org/example", "org.ex.I",
						 "Changed");
	const char *s = "hello";
	dbus_int32_t i = -5;
	struct kdbus_item *item;
	char *buf;
	int len;

	dbus_message_append_args(d, DBUS_TYPE_STRING, &s, DBUS_TYPE_INT32, &i,
				 DBUS_TYPE_INVALID);
	dbus_message_set_serial(d, 77);
	dbus_message_marshal(d, &buf, &len);

	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	m->flags = KDBUS_MSG_SIGNAL;
	m->dst_id = KDBUS_DST_ID_BROADCAST;
	m->src_id = 7;
	m->payload_type = KDBUS_PAYLOAD_DBUS;
	m->cookie = 77;

	item = add(m, KDBUS_ITEM_TIMESTAMP, sizeof(struct kdbus_timestamp));
	item->timestamp.seqnum = 3;
	item->timestamp.monotonic_ns = 1500000000ULL;
	item = add(m, KDBUS_ITEM_CREDS, sizeof(struct kdbus_creds));
	item->creds.uid = 1000;
	item->creds.euid = 1000;
	item = add(m, KDBUS_ITEM_PID_COMM, 4);
	memcpy(item->str, "foo", 4);
	item = add(m, KDBUS_ITEM_CAPS, 4 + 8 * 4);
	item->caps.last_cap = 40;
	item->caps.caps[2] = 0x20;
	item = add(m, KDBUS_ITEM_PAYLOAD_OFF, sizeof(struct kdbus_vec));
	item->vec.size = len;
	item->vec.offset = m->size;
	memcpy((uint8_t *)m + m->size, buf, len);

	dbus_free(buf);
	dbus_message_unref(d);
}

static void build_notify(struct kdbus_msg *m)
{
	struct kdbus_item *item;

	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	m->flags = KDBUS_MSG_SIGNAL;
	m->dst_id = KDBUS_DST_ID_BROADCAST;
	item = add(m, KDBUS_ITEM_NAME_CHANGE,
		   sizeof(struct kdbus_notify_name_change) + 8);
	item->name_change.old_id.id = 4;
	item->name_change.new_id.id = 9;
	memcpy(item->name_change.name, "org.x.Y", 8);
}

static void build_raw(struct kdbus_msg *m)
{
	struct kdbus_item *item;

	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	m->dst_id = 5;
	m->src_id = 6;
	m->payload_type = 0x1234;
	item = add(m, KDBUS_ITEM_PAYLOAD_OFF, sizeof(struct kdbus_vec));
	item->vec.size = 5;
	item->vec.offset = m->size;
	memcpy((uint8_t *)m + m->size, "ABCDE", 5);
}

static void expect(const char *out, const char *what)
{
	if (!strstr(out, what)) {
		failures++;
		fprintf(stderr, "FAIL: output lacks \"%s\"\n", what);
	}
}

int main(void)
{
	struct kdbus_conn conn = { .fd = -1 };
	char *out = NULL;
	size_t out_len = 0;
	FILE *saved, *mem;
	int fd;

	conn.pool = (uint8_t *)pool;
	conn.pool_size = POOL_SIZE;

	/* capture stdout */
	fflush(stdout);
	fd = dup(1);
	mem = tmpfile();
	if (fd < 0 || !mem)
		return 2;
	dup2(fileno(mem), 1);

	build_dbus((struct kdbus_msg *)pool);
	print_kdbus_msg(&conn, (struct kdbus_msg *)pool);
	build_notify((struct kdbus_msg *)pool);
	print_kdbus_msg(&conn, (struct kdbus_msg *)pool);
	build_raw((struct kdbus_msg *)pool);
	print_kdbus_msg(&conn, (struct kdbus_msg *)pool);

	fflush(stdout);
	dup2(fd, 1);
	close(fd);
	saved = mem;
	fseek(saved, 0, SEEK_END);
	out_len = ftell(saved);
	rewind(saved);
	out = calloc(1, out_len + 1);
	if (!out || fread(out, 1, out_len, saved) != out_len)
		return 2;
	fclose(saved);

	expect(out, "src=:1.7 dst=broadcast cookie=77");
	expect(out, "payload=dbus");
	expect(out, "TIMESTAMP: seq=3 mono=1.500000000");
	expect(out, "CREDS: uid=1000 euid=1000");
	expect(out, "PID_COMM: foo");
	expect(out, "CAPS: last_cap=40");
	expect(out, "signal serial=77");
	expect(out, "path=/org/example; interface=org.ex.I; member=Changed");
	expect(out, "string \"hello\"");
	expect(out, "int32 -5");
	expect(out, "src=kernel");
	expect(out, "notification NAME_CHANGE name=org.x.Y old=:1.4");
	expect(out, "new=:1.9");
	expect(out, "payload=0x0000000000001234");
	expect(out, "41 42 43 44 45");

	if (failures)
		fputs(out, stderr);
	free(out);
	return test_summary("monitor-test");
}
