// SPDX-License-Identifier: GPL-2.0
/*
 * native-signal - a native kdbus peer exchanging D-Bus signals with a
 * client of kdbus-proxy (run by test/native-peer.py in the test guest).
 *
 * Connects to the bus directly, installs a kdbus match (bloom mask of
 * message-type, interface and member, as the proxy builds it for the rule
 * "type='signal',interface='org.example.Native',member='Ping'"), prints
 * its unique name and "ready", waits up to 20 s for that signal with arg0
 * "from-proxy", then broadcasts org.example.Native.Pong("from-native") on
 * /org/example/Native with the bloom filter of the scheme (kdbus.txt
 * 14.2) and prints "ok". libdbus is used only to (de)marshal.
 *
 *   native-signal --bus /sys/fs/kdbus/0-system/bus
 */

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dbus/dbus.h>

#include "../kdbus-lib.h"
#include "../kdbus-bloom.h"

#define NATIVE_IFACE	"org.example.Native"
#define NATIVE_PATH	"/org/example/Native"
#define WAIT_MS		20000
#define MATCH_COOKIE	1

static uint64_t item_buf[(KDBUS_ITEM_HEADER_SIZE + 4096) / 8];
static struct kdbus_msg_builder builder;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int usage(const char *argv0, int ret)
{
	fprintf(ret ? stderr : stdout, "Usage: %s --bus PATH\n", argv0);
	return ret;
}

/* the match of "type='signal',interface='org.example.Native',member='Ping'" */
static int add_ping_match(struct kdbus_conn *conn)
{
	struct kdbus_item *item = (struct kdbus_item *)item_buf;
	size_t size = conn->bloom_size;
	unsigned int n_hash = conn->bloom_n_hash;
	uint64_t mask[4096 / 8] = { 0 };

	kdbus_bloom_add_pair(mask, size, n_hash, "message-type", "signal");
	kdbus_bloom_add_pair(mask, size, n_hash, "interface", NATIVE_IFACE);
	kdbus_bloom_add_pair(mask, size, n_hash, "member", "Ping");

	memset(item_buf, 0, sizeof(item_buf));
	item->size = KDBUS_ITEM_HEADER_SIZE + size;
	item->type = KDBUS_ITEM_BLOOM_MASK;
	memcpy(item->data64, mask, size);
	return kdbus_lib_match_add(conn, MATCH_COOKIE, 0, item,
				   KDBUS_ITEM_SIZE(size));
}

/*
 * Look at one received message. Return: 1 if it is the expected Ping, 0 if
 * it is something else (ignored), or a negative errno.
 */
static int check_ping(struct kdbus_conn *conn, struct kdbus_msg *msg)
{
	DBusMessage *m;
	DBusError err;
	const char *arg0 = NULL;
	uint8_t *data;
	size_t len;
	int ret;

	if (msg->payload_type != KDBUS_PAYLOAD_DBUS)
		return 0;
	ret = kdbus_lib_msg_payload(conn, msg, 1 << 20, &data, &len);
	if (ret < 0) {
		fprintf(stderr, "native-signal: payload from :1.%llu: %s\n",
			(unsigned long long)msg->src_id, strerror(-ret));
		return ret;
	}

	dbus_error_init(&err);
	m = dbus_message_demarshal((const char *)data, (int)len, &err);
	free(data);
	if (!m) {
		fprintf(stderr, "native-signal: invalid D-Bus payload from :1.%llu: %s\n",
			(unsigned long long)msg->src_id,
			err.message ? err.message : "?");
		dbus_error_free(&err);
		return -EBADMSG;
	}

	ret = 0;
	if (dbus_message_is_signal(m, NATIVE_IFACE, "Ping")) {
		if (!dbus_message_get_args(m, &err, DBUS_TYPE_STRING, &arg0,
					   DBUS_TYPE_INVALID)) {
			fprintf(stderr, "native-signal: Ping arguments: %s\n",
				err.message ? err.message : "?");
			dbus_error_free(&err);
			ret = -EBADMSG;
		} else if (strcmp(arg0, "from-proxy") != 0) {
			fprintf(stderr,
				"native-signal: Ping arg0 \"%s\", not \"from-proxy\"\n",
				arg0);
			ret = -EBADMSG;
		} else {
			printf("got Ping \"%s\" from :1.%llu\n", arg0,
			       (unsigned long long)msg->src_id);
			ret = 1;
		}
	} else {
		printf("ignored %s %s.%s from :1.%llu\n",
		       dbus_message_type_to_string(dbus_message_get_type(m)),
		       dbus_message_get_interface(m) ?: "-",
		       dbus_message_get_member(m) ?: "-",
		       (unsigned long long)msg->src_id);
	}
	dbus_message_unref(m);
	return ret;
}

static int wait_for_ping(struct kdbus_conn *conn)
{
	int64_t deadline = now_ms() + WAIT_MS;
	struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
	struct kdbus_msg *msg;
	int ret;

	for (;;) {
		int64_t left = deadline - now_ms();

		if (left <= 0) {
			fprintf(stderr, "native-signal: no Ping within %d s\n",
				WAIT_MS / 1000);
			return -ETIMEDOUT;
		}
		ret = poll(&pfd, 1, (int)left);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0)
			continue;
		if (pfd.revents & (POLLERR | POLLHUP)) {
			fprintf(stderr, "native-signal: connection closed\n");
			return -ECONNRESET;
		}

		for (;;) {
			ret = kdbus_lib_recv(conn, &msg, NULL);
			if (ret == -EAGAIN)
				break;
			if (ret < 0) {
				fprintf(stderr, "native-signal: RECV: %s\n",
					strerror(-ret));
				return ret;
			}
			ret = check_ping(conn, msg);
			kdbus_lib_msg_close_fds(msg);
			kdbus_lib_free_ptr(conn, msg);
			if (ret)
				return ret < 0 ? ret : 0;
		}
	}
}

/* the bloom filter of a signal, as kdbus-proxy computes it */
static void signal_bloom(uint64_t *filter, size_t size, unsigned int n_hash,
			 const char *iface, const char *member,
			 const char *path, const char *arg0)
{
	memset(filter, 0, size);
	kdbus_bloom_add_pair(filter, size, n_hash, "message-type", "signal");
	kdbus_bloom_add_pair(filter, size, n_hash, "interface", iface);
	kdbus_bloom_add_pair(filter, size, n_hash, "member", member);
	kdbus_bloom_add_pair(filter, size, n_hash, "path", path);
	kdbus_bloom_add_prefixes(filter, size, n_hash, "path-slash-prefix",
				 path, '/');
	kdbus_bloom_add_arg(filter, size, n_hash, 0, arg0);
}

static int send_pong(struct kdbus_conn *conn)
{
	const char *arg0 = "from-native";
	struct kdbus_msg *m = &builder.msg;
	struct kdbus_item *item;
	DBusMessage *sig;
	char unique[32];
	char *data = NULL;
	int len = 0, ret;

	sig = dbus_message_new_signal(NATIVE_PATH, NATIVE_IFACE, "Pong");
	if (!sig)
		return -ENOMEM;
	snprintf(unique, sizeof(unique), ":1.%llu",
		 (unsigned long long)conn->id);
	dbus_message_set_serial(sig, 1);
	if (!dbus_message_append_args(sig, DBUS_TYPE_STRING, &arg0,
				      DBUS_TYPE_INVALID) ||
	    !dbus_message_set_sender(sig, unique) ||
	    !dbus_message_marshal(sig, &data, &len)) {
		dbus_message_unref(sig);
		return -ENOMEM;
	}

	kdbus_lib_msg_init(&builder);
	m->payload_type = KDBUS_PAYLOAD_DBUS;
	m->cookie = dbus_message_get_serial(sig);
	m->flags = KDBUS_MSG_SIGNAL;
	m->dst_id = KDBUS_DST_ID_BROADCAST;

	ret = -EINVAL;
	item = kdbus_lib_msg_add(&builder, KDBUS_ITEM_PAYLOAD_VEC,
				 sizeof(struct kdbus_vec));
	if (!item)
		goto out;
	item->vec.size = len;
	item->vec.address = (uintptr_t)data;

	item = kdbus_lib_msg_add(&builder, KDBUS_ITEM_BLOOM_FILTER,
				 sizeof(struct kdbus_bloom_filter) +
				 conn->bloom_size);
	if (!item)
		goto out;
	item->bloom_filter.generation = 0;
	signal_bloom((uint64_t *)item->bloom_filter.data, conn->bloom_size,
		     conn->bloom_n_hash, NATIVE_IFACE, "Pong", NATIVE_PATH,
		     arg0);

	ret = kdbus_lib_send(conn, m);
	if (ret < 0)
		fprintf(stderr, "native-signal: SEND: %s\n", strerror(-ret));
out:
	dbus_free(data);
	dbus_message_unref(sig);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bus", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct kdbus_hello_opts hello = {
		.flags = KDBUS_HELLO_ACCEPT_FD,
		.attach_send = _KDBUS_ATTACH_ANY,
		.attach_recv = 0,
		.description = "native-signal",
	};
	struct kdbus_conn conn;
	const char *bus = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bus = optarg;
			break;
		case 'h':
			return usage(argv[0], 0);
		default:
			return usage(argv[0], 2);
		}
	}
	if (!bus || optind != argc)
		return usage(argv[0], 2);

	ret = kdbus_lib_hello(&conn, bus, &hello);
	if (ret < 0) {
		fprintf(stderr, "native-signal: HELLO on %s failed: %s\n", bus,
			strerror(-ret));
		return 1;
	}
	if (kdbus_bloom_check_params(conn.bloom_size, conn.bloom_n_hash) < 0 ||
	    conn.bloom_size > 4096) {
		fprintf(stderr, "native-signal: unsupported bloom size %llu n_hash %llu\n",
			(unsigned long long)conn.bloom_size,
			(unsigned long long)conn.bloom_n_hash);
		goto fail;
	}

	ret = add_ping_match(&conn);
	if (ret < 0) {
		fprintf(stderr, "native-signal: MATCH_ADD: %s\n",
			strerror(-ret));
		goto fail;
	}

	printf("unique :1.%llu\nready\n", (unsigned long long)conn.id);
	fflush(stdout);

	if (wait_for_ping(&conn) < 0)
		goto fail;
	if (send_pong(&conn) < 0)
		goto fail;

	printf("ok\n");
	fflush(stdout);
	kdbus_lib_close(&conn);
	return 0;

fail:
	kdbus_lib_close(&conn);
	return 1;
}
