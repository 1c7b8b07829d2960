// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-send - D-Bus message from a client -> kdbus SEND
 *
 * The whole message, marshalled by libdbus, is the payload
 * (KDBUS_PAYLOAD_DBUS): D-Bus serial -> cookie, reply_serial ->
 * cookie_reply, NO_REPLY_EXPECTED -> no EXPECT_REPLY, NO_AUTO_START ->
 * KDBUS_MSG_NO_AUTO_START, unique destination ":1.N" -> dst_id N,
 * well-known destination -> KDBUS_ITEM_DST_NAME, signal without
 * destination -> broadcast. Signals carry the bloom filter of
 * bloom-scheme.txt. Sends are always asynchronous.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kdbus-bloom.h"
#include "proxy.h"
#include "proxy-fds.h"

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/**
 * send_error() - answer a method call of the client with an error
 * @c:		Client
 * @call:	The call (nothing is sent if it expects no reply)
 * @name:	D-Bus error name
 * @fmt:	Message format
 */
void send_error(struct client *c, DBusMessage *call, const char *name,
		const char *fmt, ...)
{
	DBusMessage *err;
	char text[512];
	va_list ap;
	bool ok;

	if (dbus_message_get_type(call) != DBUS_MESSAGE_TYPE_METHOD_CALL ||
	    dbus_message_get_no_reply(call))
		return;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	err = dbus_message_new_error(call, name, text);
	ok = err && dbus_message_set_sender(err, DRIVER_NAME) &&
	     (!c->unique[0] || dbus_message_set_destination(err, c->unique));
	if (!client_msg_ok(c, err, ok))
		return;
	client_send(c, err);
	dbus_message_unref(err);
}

/**
 * send_error_errno() - answer a method call with the error for a kdbus errno
 * @c:		Client
 * @call:	The call
 * @err:	Negative errno from SEND
 * @dest:	Destination name of the call (for the text)
 */
void send_error_errno(struct client *c, DBusMessage *call, int err,
		      const char *dest)
{
	const char *d = dest ? dest : "(none)";

	switch (-err) {
	case ESRCH:
		if (dbus_message_get_auto_start(call))
			send_error(c, call, DBUS_ERROR_SERVICE_UNKNOWN,
				   "The name %s was not provided by any .service files",
				   d);
		else
			send_error(c, call, DBUS_ERROR_NAME_HAS_NO_OWNER,
				   "Name \"%s\" does not exist", d);
		break;
	case EADDRNOTAVAIL:
		send_error(c, call, DBUS_ERROR_NAME_HAS_NO_OWNER,
			   "Name \"%s\" is not running and auto-start was not allowed",
			   d);
		break;
	case ENXIO:
	case EREMCHG:
		send_error(c, call, DBUS_ERROR_SERVICE_UNKNOWN,
			   "The name %s does not exist", d);
		break;
	case ECONNRESET:
		send_error(c, call, DBUS_ERROR_NO_REPLY,
			   "The destination %s is disconnecting", d);
		break;
	case EPERM:
		send_error(c, call, DBUS_ERROR_ACCESS_DENIED,
			   "Rejected send message to %s (kdbus policy)", d);
		break;
	case EMLINK:
	case ENOBUFS:
	case EXFULL:
	case EMFILE:
	case EMSGSIZE:
	case E2BIG:
		send_error(c, call, DBUS_ERROR_LIMITS_EXCEEDED,
			   "Sending to %s failed: %s", d, strerror(-err));
		break;
	case ECOMM:
		send_error(c, call, DBUS_ERROR_NOT_SUPPORTED,
			   "%s does not accept file descriptors", d);
		break;
	case ENOMEM:
		send_error(c, call, DBUS_ERROR_NO_MEMORY, "Out of memory");
		break;
	case EBADF:
		send_error(c, call, DBUS_ERROR_INVALID_ARGS,
			   "Invalid file descriptor in message");
		break;
	case EOPNOTSUPP:
		send_error(c, call, DBUS_ERROR_NOT_SUPPORTED,
			   "This kind of file descriptor cannot be passed");
		break;
	default:
		send_error(c, call, DBUS_ERROR_FAILED,
			   "Sending to %s failed: %s", d, strerror(-err));
		break;
	}
}

/* sealed memfd holding @len bytes of @data, or a negative errno */
static int make_memfd(const void *data, size_t len)
{
	size_t done = 0;
	ssize_t r;
	int fd;

	fd = memfd_create("kdbus-proxy", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (done < len) {
		r = write(fd, (const uint8_t *)data + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto fail;
		done += r;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		goto fail;
	return fd;

fail:
	r = -errno ? -errno : -EIO;
	close(fd);
	return r;
}

/* message builder; single-threaded, too large for the stack */
static struct kdbus_msg_builder builder;

static int build_and_send(struct client *c, DBusMessage *out, int type,
			  const char *dest, const int *fds,
			  unsigned int n_fds, const char *data, size_t len)
{
	struct kdbus_msg *m = &builder.msg;
	struct kdbus_item *item;
	int memfd = -1, ret;
	uint64_t id;

	kdbus_lib_msg_init(&builder);
	m->payload_type = KDBUS_PAYLOAD_DBUS;
	m->cookie = dbus_message_get_serial(out);

	switch (type) {
	case DBUS_MESSAGE_TYPE_METHOD_CALL:
		if (!dbus_message_get_no_reply(out)) {
			m->flags |= KDBUS_MSG_EXPECT_REPLY;
			m->timeout_ns = monotonic_ns() + PROXY_REPLY_TIMEOUT_NS;
		}
		if (!dbus_message_get_auto_start(out))
			m->flags |= KDBUS_MSG_NO_AUTO_START;
		break;
	case DBUS_MESSAGE_TYPE_METHOD_RETURN:
	case DBUS_MESSAGE_TYPE_ERROR:
		m->cookie_reply = dbus_message_get_reply_serial(out);
		break;
	case DBUS_MESSAGE_TYPE_SIGNAL:
		m->flags |= KDBUS_MSG_SIGNAL;
		break;
	default:
		return -EINVAL;
	}

	if (!dest) {
		m->dst_id = KDBUS_DST_ID_BROADCAST;
	} else if (dest[0] == ':') {
		if (kdbus_lib_parse_unique(dest, &id) < 0)
			return -ENXIO;
		m->dst_id = id;
	} else {
		m->dst_id = KDBUS_DST_ID_NAME;
		if (!kdbus_lib_msg_add_str(&builder, KDBUS_ITEM_DST_NAME, dest))
			return -EINVAL;
	}

	_Static_assert(PROXY_MEMFD_THRESHOLD < 2 * 1024 * 1024,
		       "PAYLOAD_VEC payloads are limited to 2 MiB");
	if (len <= PROXY_MEMFD_THRESHOLD) {
		item = kdbus_lib_msg_add(&builder, KDBUS_ITEM_PAYLOAD_VEC,
					 sizeof(struct kdbus_vec));
		if (!item)
			return -EINVAL;
		item->vec.size = len;
		item->vec.address = (uintptr_t)data;
	} else {
		memfd = make_memfd(data, len);
		if (memfd < 0)
			return memfd;
		item = kdbus_lib_msg_add(&builder, KDBUS_ITEM_PAYLOAD_MEMFD,
					 sizeof(struct kdbus_memfd));
		if (!item) {
			close(memfd);
			return -EINVAL;
		}
		item->memfd.start = 0;
		item->memfd.size = len;
		item->memfd.fd = memfd;
	}

	if (n_fds) {
		item = kdbus_lib_msg_add(&builder, KDBUS_ITEM_FDS,
					 n_fds * sizeof(int));
		if (!item) {
			ret = -EINVAL;
			goto out;
		}
		memcpy(item->fds, fds, n_fds * sizeof(int));
	}

	if (type == DBUS_MESSAGE_TYPE_SIGNAL) {
		size_t bsize = c->kconn.bloom_size;

		if (kdbus_bloom_check_params(bsize, c->kconn.bloom_n_hash) < 0) {
			ret = -EDOM;
			goto out;
		}
		item = kdbus_lib_msg_add(&builder, KDBUS_ITEM_BLOOM_FILTER,
					 sizeof(struct kdbus_bloom_filter) +
					 bsize);
		if (!item) {
			ret = -EINVAL;
			goto out;
		}
		item->bloom_filter.generation = 0;
		match_bloom_message(out, (uint64_t *)item->bloom_filter.data,
				    bsize, c->kconn.bloom_n_hash);
	}

	ret = kdbus_lib_send(&c->kconn, m);
out:
	if (memfd >= 0)
		close(memfd);
	return ret;
}

/**
 * send_from_client() - forward a message of a client to kdbus
 * @c:		Client (after Hello)
 * @msg:	The message; not addressed to the bus driver
 */
void send_from_client(struct client *c, DBusMessage *msg)
{
	int type = dbus_message_get_type(msg);
	DBusMessage *out = msg;
	const char *dest;
	unsigned int n_fds = 0;
	int *fds = NULL;
	char *data = NULL;
	int len = 0, ret = 0;

	/*
	 * The sender is the client, whatever the message claims. This
	 * rewrites the header: read header fields only afterwards.
	 */
	if (!dbus_message_set_sender(msg, c->unique)) {
		client_kill(c, "out of memory");
		return;
	}

	dest = dbus_message_get_destination(msg);
	if (!dest && type != DBUS_MESSAGE_TYPE_SIGNAL) {
		plog(LOG_DEBUG, "%s: dropping %s without destination",
		     c->unique, dbus_message_type_to_string(type));
		return;
	}

	if (dbus_message_contains_unix_fds(msg)) {
		out = fds_detach(msg, &fds, &n_fds, &ret);
		if (!out) {
			send_error_errno(c, msg, ret, dest);
			return;
		}
	}

	if (!dbus_message_marshal(out, &data, &len)) {
		client_kill(c, "out of memory marshalling a message");
		goto out;
	}

	ret = build_and_send(c, out, type, dest, fds, n_fds, data, len);
	if (ret < 0) {
		plog(LOG_DEBUG, "%s: send %s to %s failed: %s", c->unique,
		     dbus_message_type_to_string(type), dest ? dest : "*",
		     strerror(-ret));
		send_error_errno(c, msg, ret, dest);
	} else if (type == DBUS_MESSAGE_TYPE_METHOD_CALL &&
		   !dbus_message_get_no_reply(msg)) {
		client_pending_add(c, dbus_message_get_serial(msg), dest);
	}

out:
	dbus_free(data);
	fds_close_array(fds, n_fds);
	if (out != msg)
		dbus_message_unref(out);
}
