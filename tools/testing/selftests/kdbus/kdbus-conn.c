// SPDX-License-Identifier: GPL-2.0
/*
 * Connection helpers of the kdbus selftests (see kdbus-conn.h).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kdbus-conn.h"

#define KDBUS_ATTACH_MASK_PATH \
	"/sys/module/kdbus/parameters/attach_flags_mask"

static void conn_reset(struct kdbus_conn *conn)
{
	memset(conn, 0, sizeof(*conn));
	conn->fd = -1;
	conn->pool = NULL;
}

struct kdbus_cmd_hello *kdbus_hello_args(__u64 hello_flags, __u64 pool_size,
					 const char *description)
{
	struct kdbus_cmd_hello *hello = kdbus_args_new(sizeof(*hello));

	hello->flags = hello_flags;
	hello->attach_flags_send = _KDBUS_ATTACH_ANY;
	hello->attach_flags_recv = 0;
	hello->pool_size = pool_size ? pool_size : KDBUS_TEST_POOL_SIZE;
	if (description)
		kdbus_args_add_str(hello, KDBUS_ITEM_CONN_DESCRIPTION,
				   description);
	return hello;
}

int kdbus_hello_cmd(struct kdbus_conn *conn, int ep_fd,
		    struct kdbus_cmd_hello *hello)
{
	const struct kdbus_item *item;
	__u64 offset, size;
	void *pool;
	int ret;

	conn_reset(conn);
	ret = kdbus_ioctl(ep_fd, KDBUS_CMD_HELLO, hello);
	if (ret < 0)
		return ret;

	pool = mmap(NULL, hello->pool_size, PROT_READ, MAP_SHARED, ep_fd, 0);
	if (pool == MAP_FAILED)
		return -errno;

	conn->fd = ep_fd;
	conn->id = hello->id;
	conn->flags = hello->flags;
	conn->pool_size = hello->pool_size;
	conn->pool = pool;
	memcpy(conn->id128, hello->id128, sizeof(conn->id128));
	offset = hello->offset;
	size = hello->items_size;

	if (offset > conn->pool_size || size > conn->pool_size - offset) {
		kdbus_log("HELLO slice %llu+%llu outside the pool",
			  (unsigned long long)offset,
			  (unsigned long long)size);
		ret = -EBADMSG;
		goto fail;
	}
	item = (const struct kdbus_item *)((const __u8 *)pool + offset);
	if (size >= KDBUS_ITEM_SIZE(sizeof(struct kdbus_bloom_parameter)) &&
	    item->type == KDBUS_ITEM_BLOOM_PARAMETER) {
		conn->bloom_size = item->bloom_parameter.size;
		conn->bloom_n_hash = item->bloom_parameter.n_hash;
	} else {
		kdbus_log("HELLO slice: no bloom parameter (size %llu)",
			  (unsigned long long)size);
	}
	ret = kdbus_free(conn, offset);
	/* policy holders cannot FREE (their slice stays allocated) */
	if (ret == -EOPNOTSUPP && (conn->flags & KDBUS_HELLO_POLICY_HOLDER))
		ret = 0;
	if (ret < 0)
		goto fail;
	return 0;

fail:
	munmap(conn->pool, conn->pool_size);
	conn_reset(conn);
	return ret;
}

int kdbus_hello(struct kdbus_conn *conn, int ep_fd, __u64 hello_flags,
		__u64 pool_size, const char *description)
{
	struct kdbus_cmd_hello *hello;
	int ret;

	hello = kdbus_hello_args(hello_flags, pool_size, description);
	ret = kdbus_hello_cmd(conn, ep_fd, hello);
	kdbus_args_release(hello);
	return ret;
}

/* kdbus_conn_new() with a pool of @pool_size bytes (0: the default) */
static int conn_open(struct kdbus_conn *conn, const struct kdbus_domain *dom,
		     const char *bus, const char *ep, __u64 hello_flags,
		     __u64 pool_size)
{
	int fd, ret;

	conn_reset(conn);
	if (ep)
		fd = kdbus_open(dom, ep, O_RDWR | O_CLOEXEC);
	else
		fd = kdbus_bus_open(dom, bus, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = kdbus_hello(conn, fd, hello_flags, pool_size, NULL);
	if (ret < 0)
		close(fd);
	return ret;
}

int kdbus_conn_new(struct kdbus_conn *conn, const struct kdbus_domain *dom,
		   const char *bus, const char *ep, __u64 hello_flags)
{
	return conn_open(conn, dom, bus, ep, hello_flags, 0);
}

void kdbus_conn_free(struct kdbus_conn *conn)
{
	if (conn->pool && conn->pool != MAP_FAILED && conn->pool_size)
		munmap(conn->pool, conn->pool_size);
	/* a zeroed conn has fd 0 but id 0: it owns no fd */
	if (conn->id && conn->fd >= 0)
		close(conn->fd);
	conn_reset(conn);
}

int kdbus_byebye(struct kdbus_conn *conn)
{
	struct kdbus_cmd cmd = { .size = sizeof(cmd) };

	return kdbus_ioctl(conn->fd, KDBUS_CMD_BYEBYE, &cmd);
}

int kdbus_free(struct kdbus_conn *conn, __u64 offset)
{
	struct kdbus_cmd_free cmd = {
		.size = sizeof(cmd),
		.offset = offset,
	};

	return kdbus_ioctl(conn->fd, KDBUS_CMD_FREE, &cmd);
}

int kdbus_update_attach(struct kdbus_conn *conn, const __u64 *send,
			const __u64 *recv)
{
	struct kdbus_cmd *cmd = kdbus_args_new(sizeof(*cmd));
	int ret;

	if (send)
		kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_SEND, *send);
	if (recv)
		kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_RECV, *recv);
	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_UPDATE, cmd);
	kdbus_args_release(cmd);
	return ret;
}

struct kdbus_msg *kdbus_msg_new(__u64 dst_id, __u64 cookie)
{
	struct kdbus_msg *msg = kdbus_args_new(sizeof(*msg));

	msg->payload_type = KDBUS_PAYLOAD_DBUS;
	msg->dst_id = dst_id;
	msg->cookie = cookie;
	return msg;
}

void kdbus_msg_release(struct kdbus_msg *msg)
{
	kdbus_args_release(msg);
}

struct kdbus_item *kdbus_msg_add_vec(struct kdbus_msg *msg,
				     const void *data, __u64 size)
{
	struct kdbus_vec vec = {
		.size = size,
		.address = (__u64)(uintptr_t)data,
	};

	return kdbus_args_add(msg, KDBUS_ITEM_PAYLOAD_VEC, &vec, sizeof(vec));
}

struct kdbus_item *kdbus_msg_add_memfd(struct kdbus_msg *msg, int fd,
				       __u64 start, __u64 size)
{
	struct kdbus_memfd memfd = {
		.start = start,
		.size = size,
		.fd = fd,
	};

	return kdbus_args_add(msg, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd,
			      sizeof(memfd));
}

struct kdbus_item *kdbus_msg_add_fds(struct kdbus_msg *msg, const int *fds,
				     unsigned int n)
{
	return kdbus_args_add(msg, KDBUS_ITEM_FDS, fds, n * sizeof(int));
}

struct kdbus_item *kdbus_msg_add_bloom(struct kdbus_msg *msg,
				       __u64 generation, const void *bloom,
				       __u64 bloom_size)
{
	struct kdbus_bloom_filter *filter;
	struct kdbus_item *item;
	size_t len = sizeof(*filter) + bloom_size;

	filter = calloc(1, len);
	if (!filter)
		abort();
	filter->generation = generation;
	if (bloom && bloom_size)
		memcpy(filter->data, bloom, bloom_size);
	item = kdbus_args_add(msg, KDBUS_ITEM_BLOOM_FILTER, filter, len);
	free(filter);
	return item;
}

struct kdbus_item *kdbus_msg_add_dst_name(struct kdbus_msg *msg,
					  const char *name)
{
	return kdbus_args_add_str(msg, KDBUS_ITEM_DST_NAME, name);
}

int kdbus_send(struct kdbus_conn *conn, struct kdbus_msg *msg,
	       __u64 send_flags, int cancel_fd, struct kdbus_msg_info *reply)
{
	struct kdbus_cmd_send *cmd = kdbus_args_new(sizeof(*cmd));
	int ret;

	cmd->flags = send_flags;
	cmd->msg_address = (__u64)(uintptr_t)msg;
	if (cancel_fd >= 0)
		kdbus_args_add(cmd, KDBUS_ITEM_CANCEL_FD, &cancel_fd,
			       sizeof(cancel_fd));
	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_SEND, cmd);
	if (ret >= 0 && reply)
		*reply = cmd->reply;
	kdbus_args_release(cmd);
	return ret;
}

int kdbus_send_simple(struct kdbus_conn *conn, __u64 dst_id, __u64 cookie,
		      __u64 msg_flags, __u64 timeout_ns, const void *data,
		      size_t len)
{
	struct kdbus_msg *msg = kdbus_msg_new(dst_id, cookie);
	int ret;

	msg->flags = msg_flags;
	if (msg_flags & KDBUS_MSG_EXPECT_REPLY)
		msg->timeout_ns = kdbus_now_ns() + timeout_ns;
	if (len)
		kdbus_msg_add_vec(msg, data, len);
	ret = kdbus_send(conn, msg, 0, -1, NULL);
	kdbus_msg_release(msg);
	return ret;
}

int kdbus_send_reply(struct kdbus_conn *conn, __u64 dst_id,
		     __u64 cookie_reply, const void *data, size_t len)
{
	struct kdbus_msg *msg = kdbus_msg_new(dst_id, 0);
	int ret;

	msg->cookie_reply = cookie_reply;
	if (len)
		kdbus_msg_add_vec(msg, data, len);
	ret = kdbus_send(conn, msg, 0, -1, NULL);
	kdbus_msg_release(msg);
	return ret;
}

int kdbus_recv(struct kdbus_conn *conn, __u64 recv_flags, __s64 priority,
	       struct kdbus_cmd_recv *cmd, struct kdbus_msg **msg)
{
	struct kdbus_cmd_recv recv = {
		.size = sizeof(recv),
		.flags = recv_flags,
		.priority = priority,
	};
	int ret;

	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_RECV, &recv);
	if ((ret >= 0 || ret == -EAGAIN) && cmd)
		*cmd = recv;
	if (ret >= 0 && msg) {
		if (conn->pool && conn->pool != MAP_FAILED &&
		    recv.msg.offset < conn->pool_size)
			*msg = (struct kdbus_msg *)((__u8 *)conn->pool +
						    recv.msg.offset);
		else
			*msg = NULL;
	}
	return ret;
}

int kdbus_recv_wait(struct kdbus_conn *conn, int timeout_ms,
		    struct kdbus_cmd_recv *cmd, struct kdbus_msg **msg)
{
	__u64 deadline = kdbus_now_ns() + (__u64)timeout_ms * 1000000ULL;
	struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
	__u64 now;
	int ret;

	for (;;) {
		now = kdbus_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		ret = poll(&pfd, 1, (deadline - now + 999999) / 1000000);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		break;
	}
	/* POLLIN, or POLLERR|POLLHUP: RECV reports what happened */
	return kdbus_recv(conn, 0, 0, cmd, msg);
}

__u64 kdbus_msg_offset(const struct kdbus_conn *conn,
		       const struct kdbus_msg *msg)
{
	return (__u64)((const __u8 *)msg - (const __u8 *)conn->pool);
}

struct kdbus_item *kdbus_msg_find(const struct kdbus_msg *msg, __u64 type)
{
	const struct kdbus_item *item;

	KDBUS_ITEM_FOREACH(item, msg, items)
		if (item->type == type)
			return (struct kdbus_item *)item;
	return NULL;
}

unsigned int kdbus_msg_count(const struct kdbus_msg *msg, __u64 type)
{
	const struct kdbus_item *item;
	unsigned int n = 0;

	KDBUS_ITEM_FOREACH(item, msg, items)
		if (item->type == type)
			n++;
	return n;
}

ssize_t kdbus_msg_payload(const struct kdbus_msg *msg, void *buf,
			  size_t len)
{
	const struct kdbus_item *item;
	size_t done = 0;

	KDBUS_ITEM_FOREACH(item, msg, items) {
		if (item->type != KDBUS_ITEM_PAYLOAD_OFF ||
		    item->vec.offset == ~0ULL)
			continue;
		if (item->vec.size > len - done)
			return -EMSGSIZE;
		memcpy((__u8 *)buf + done,
		       (const __u8 *)msg + item->vec.offset, item->vec.size);
		done += item->vec.size;
	}
	return done;
}

static int info_cmd(struct kdbus_conn *conn, unsigned long request, __u64 id,
		    const char *name, __u64 attach_flags, __u64 *offset,
		    __u64 *size)
{
	struct kdbus_cmd_info *cmd = kdbus_args_new(sizeof(*cmd));
	int ret;

	cmd->id = id;
	cmd->attach_flags = attach_flags;
	if (name)
		kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, name);
	ret = kdbus_ioctl(conn->fd, request, cmd);
	if (ret >= 0) {
		if (offset)
			*offset = cmd->offset;
		if (size)
			*size = cmd->info_size;
	}
	kdbus_args_release(cmd);
	return ret;
}

int kdbus_conn_info(struct kdbus_conn *conn, __u64 id, const char *name,
		    __u64 attach_flags, __u64 *offset, __u64 *size)
{
	return info_cmd(conn, KDBUS_CMD_CONN_INFO, id, name, attach_flags,
			offset, size);
}

int kdbus_bus_creator_info(struct kdbus_conn *conn, __u64 attach_flags,
			   __u64 *offset, __u64 *size)
{
	return info_cmd(conn, KDBUS_CMD_BUS_CREATOR_INFO, 0, NULL,
			attach_flags, offset, size);
}

struct kdbus_info *kdbus_pool_info(const struct kdbus_conn *conn,
				   __u64 offset)
{
	if (!conn->pool || conn->pool == MAP_FAILED ||
	    offset >= conn->pool_size ||
	    conn->pool_size - offset < sizeof(struct kdbus_info))
		return NULL;
	return (struct kdbus_info *)((__u8 *)conn->pool + offset);
}

struct kdbus_item *kdbus_info_find(const struct kdbus_info *info,
				   __u64 type)
{
	const struct kdbus_item *item;

	KDBUS_ITEM_FOREACH(item, info, items)
		if (item->type == type)
			return (struct kdbus_item *)item;
	return NULL;
}

int kdbus_attach_mask(__u64 *mask)
{
	unsigned long long v;
	FILE *f;
	int ret;

	f = fopen(KDBUS_ATTACH_MASK_PATH, "re");
	if (!f)
		return -errno;
	ret = fscanf(f, "%llu", &v);
	fclose(f);
	if (ret != 1)
		return -EINVAL;
	*mask = v;
	return 0;
}

int kdbus_set_attach_mask(__u64 mask)
{
	char buf[32];
	int fd, len, ret = 0;

	fd = open(KDBUS_ATTACH_MASK_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)mask);
	if (write(fd, buf, len) != len)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

__u64 kdbus_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int kdbus_sealed_memfd(size_t size, int fill)
{
	char buf[4096];
	size_t done = 0;
	ssize_t n;
	int fd, ret;

	fd = memfd_create("kdbus-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	memset(buf, fill, sizeof(buf));
	while (done < size) {
		size_t chunk = size - done;

		if (chunk > sizeof(buf))
			chunk = sizeof(buf);
		n = pwrite(fd, buf, chunk, done);
		if (n < 0) {
			ret = -errno;
			goto fail;
		}
		done += n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		ret = -errno;
		goto fail;
	}
	return fd;

fail:
	close(fd);
	return ret;
}

/* well-known names and LIST */

/* a kdbus_cmd with one NAME item: @cmd on @conn, 0 or -errno */
static int name_cmd(struct kdbus_conn *conn, unsigned long request,
		    const char *name, __u64 flags, __u64 *return_flags)
{
	struct kdbus_cmd *cmd = kdbus_args_new(sizeof(*cmd));
	int ret;

	cmd->flags = flags;
	cmd->return_flags = ~0ULL;
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, name);
	ret = kdbus_ioctl(conn->fd, request, cmd);
	if (return_flags)
		*return_flags = cmd->return_flags;
	kdbus_args_release(cmd);
	return ret;
}

int kdbus_name_acquire(struct kdbus_conn *conn, const char *name,
		       __u64 flags, __u64 *return_flags)
{
	return name_cmd(conn, KDBUS_CMD_NAME_ACQUIRE, name, flags,
			return_flags);
}

int kdbus_name_release(struct kdbus_conn *conn, const char *name)
{
	return name_cmd(conn, KDBUS_CMD_NAME_RELEASE, name, 0, NULL);
}

int kdbus_list(struct kdbus_conn *conn, __u64 flags, __u64 *offset,
	       __u64 *size)
{
	struct kdbus_cmd_list cmd = {
		.size = sizeof(cmd),
		.flags = flags,
	};
	int ret;

	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_LIST, &cmd);
	if (ret >= 0) {
		if (offset)
			*offset = cmd.offset;
		if (size)
			*size = cmd.list_size;
	}
	return ret;
}

int kdbus_list_parse(const struct kdbus_conn *conn, __u64 offset,
		     __u64 size, struct kdbus_list_entry *ents,
		     unsigned int max)
{
	const __u8 *base, *p, *end;
	const struct kdbus_info *info;
	const struct kdbus_item *item;
	unsigned int n = 0;

	if (!size)
		return 0;
	if (!conn->pool || conn->pool == MAP_FAILED ||
	    offset > conn->pool_size || size > conn->pool_size - offset) {
		kdbus_log("LIST slice %llu+%llu outside the pool",
			  (unsigned long long)offset,
			  (unsigned long long)size);
		return -EBADMSG;
	}
	base = (const __u8 *)conn->pool + offset;
	end = base + size;
	for (p = base; p < end; p += KDBUS_ALIGN8(info->size), n++) {
		struct kdbus_list_entry e = { 0 };
		const __u8 *rec_end;

		info = (const struct kdbus_info *)p;
		if ((size_t)(end - p) < sizeof(*info) ||
		    info->size < sizeof(*info) ||
		    info->size > (__u64)(end - p)) {
			kdbus_log("LIST record %u at +%zu: bad size %llu",
				  n, (size_t)(p - base),
				  (size_t)(end - p) < sizeof(*info) ? 0ULL :
				  (unsigned long long)info->size);
			return -EBADMSG;
		}
		rec_end = p + info->size;
		e.size = info->size;
		e.id = info->id;
		e.flags = info->flags;
		for (item = info->items;
		     (const __u8 *)item < rec_end;
		     item = KDBUS_ITEM_NEXT(item)) {
			if ((size_t)(rec_end - (const __u8 *)item) <
			    KDBUS_ITEM_HEADER_SIZE ||
			    item->size < KDBUS_ITEM_HEADER_SIZE ||
			    item->size > (__u64)(rec_end -
						 (const __u8 *)item)) {
				kdbus_log("LIST record %u: malformed item", n);
				return -EBADMSG;
			}
			if (!e.n_items++) {
				e.item_size = item->size;
				e.item_type = item->type;
			}
			if (item->type != KDBUS_ITEM_OWNED_NAME)
				continue;
			if (item->size < KDBUS_ITEM_HEADER_SIZE +
					 sizeof(struct kdbus_name) + 1 ||
			    ((const char *)item)[item->size - 1] != '\0') {
				kdbus_log("LIST record %u: bad OWNED_NAME", n);
				return -EBADMSG;
			}
			e.name_flags = item->name.flags;
			e.name = item->name.name;
		}
		if (n < max)
			ents[n] = e;
	}
	if (p != base + KDBUS_ALIGN8(size)) {
		kdbus_log("LIST records end at +%zu, list_size %llu",
			  (size_t)(p - base), (unsigned long long)size);
		return -EBADMSG;
	}
	return n;
}

int kdbus_hello_activator(struct kdbus_conn *conn, int ep_fd,
			  const char *name, __u64 hello_flags)
{
	struct kdbus_cmd_hello *hello;
	int ret;

	hello = kdbus_hello_args(KDBUS_HELLO_ACTIVATOR | hello_flags, 0,
				 NULL);
	kdbus_args_add_str(hello, KDBUS_ITEM_NAME, name);
	ret = kdbus_hello_cmd(conn, ep_fd, hello);
	kdbus_args_release(hello);
	return ret;
}

int kdbus_activator_new(struct kdbus_conn *conn,
			const struct kdbus_domain *dom, const char *bus,
			const char *name)
{
	int fd, ret;

	conn_reset(conn);
	fd = kdbus_bus_open(dom, bus, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = kdbus_hello_activator(conn, fd, name, 0);
	if (ret < 0)
		close(fd);
	return ret;
}

int kdbus_name_notify_recv(struct kdbus_conn *conn, int timeout_ms,
			   struct kdbus_name_notify *n)
{
	const size_t fixed = KDBUS_ITEM_HEADER_SIZE +
			     sizeof(struct kdbus_notify_name_change);
	const struct kdbus_item *item;
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *msg;
	size_t len;
	int ret;

	memset(n, 0, sizeof(*n));
	if (timeout_ms > 0)
		ret = kdbus_recv_wait(conn, timeout_ms, &cmd, &msg);
	else
		ret = kdbus_recv(conn, 0, 0, &cmd, &msg);
	if (ret < 0)
		return ret;
	if (!msg)
		return -EBADMSG;

	memcpy(&n->hdr, msg, sizeof(n->hdr));
	n->slice_size = cmd.msg.msg_size;
	n->dropped_msgs = cmd.dropped_msgs;
	KDBUS_ITEM_FOREACH(item, msg, items)
		n->n_items++;

	ret = -EBADMSG;
	item = msg->items;
	if (msg->size < sizeof(*msg) + fixed + 1 ||
	    item->size < fixed + 1 || item->size > msg->size - sizeof(*msg)) {
		kdbus_log("message of %llu bytes from %llu is no name notification",
			  (unsigned long long)msg->size,
			  (unsigned long long)msg->src_id);
		goto out;
	}
	n->type = item->type;
	n->item_size = item->size;
	if (item->type != KDBUS_ITEM_NAME_ADD &&
	    item->type != KDBUS_ITEM_NAME_REMOVE &&
	    item->type != KDBUS_ITEM_NAME_CHANGE) {
		kdbus_log("message item 0x%llx is no name notification",
			  (unsigned long long)item->type);
		goto out;
	}
	n->old_id = item->name_change.old_id;
	n->new_id = item->name_change.new_id;
	len = strnlen(item->name_change.name, item->size - fixed);
	if (len == item->size - fixed || len > KDBUS_NAME_MAX_LEN) {
		kdbus_log("name notification with an unterminated name");
		goto out;
	}
	memcpy(n->name, item->name_change.name, len + 1);
	ret = 0;
out:
	if (kdbus_free(conn, cmd.msg.offset) < 0 && !ret)
		ret = -EBADMSG;
	return ret;
}

/* matches */

struct kdbus_cmd_match *kdbus_match_new(__u64 cookie, __u64 flags)
{
	struct kdbus_cmd_match *match = kdbus_args_new(sizeof(*match));

	match->flags = flags;
	match->cookie = cookie;
	return match;
}

int kdbus_match_cmd(struct kdbus_conn *conn, struct kdbus_cmd_match *match)
{
	return kdbus_ioctl(conn->fd, KDBUS_CMD_MATCH_ADD, match);
}

int kdbus_match_cmd_release(struct kdbus_conn *conn,
			    struct kdbus_cmd_match *match)
{
	int ret = kdbus_match_cmd(conn, match);

	kdbus_args_release(match);
	return ret;
}

struct kdbus_item *kdbus_match_rule_id(void *args, __u64 id)
{
	return kdbus_args_add_u64(args, KDBUS_ITEM_ID, id);
}

struct kdbus_item *kdbus_match_rule_name(void *args, const char *name)
{
	return kdbus_args_add_str(args, KDBUS_ITEM_NAME, name);
}

struct kdbus_item *kdbus_match_rule_bloom(void *args, const void *masks,
					  size_t size)
{
	return kdbus_args_add(args, KDBUS_ITEM_BLOOM_MASK, masks, size);
}

struct kdbus_item *kdbus_match_rule_id_change(void *args, __u64 type,
					      __u64 id)
{
	struct kdbus_notify_id_change idc = { .id = id };

	return kdbus_args_add(args, type, &idc, sizeof(idc));
}

struct kdbus_item *kdbus_match_rule_name_change(void *args, __u64 type,
						__u64 old_id, __u64 new_id,
						const char *name)
{
	size_t len = name ? strlen(name) + 1 : 0;
	struct kdbus_notify_name_change *nc;
	struct kdbus_item *item;

	nc = calloc(1, sizeof(*nc) + len);
	if (!nc)
		abort();
	nc->old_id.id = old_id;
	nc->new_id.id = new_id;
	if (len)
		memcpy(nc->name, name, len);
	item = kdbus_args_add(args, type, nc, sizeof(*nc) + len);
	free(nc);
	return item;
}

int kdbus_match_add(struct kdbus_conn *conn, __u64 cookie, __u64 flags,
		    const struct kdbus_item *rules, size_t rules_size)
{
	struct kdbus_cmd_match *match = kdbus_match_new(cookie, flags);

	if (rules_size > KDBUS_ARGS_BUF_SIZE - sizeof(*match))
		abort();
	if (rules_size)
		memcpy(match->items, rules, rules_size);
	match->size += rules_size;
	return kdbus_match_cmd_release(conn, match);
}

int kdbus_match_remove(struct kdbus_conn *conn, __u64 cookie)
{
	struct kdbus_cmd_match match = {
		.size = sizeof(match),
		.cookie = cookie,
	};

	return kdbus_ioctl(conn->fd, KDBUS_CMD_MATCH_REMOVE, &match);
}

int kdbus_match_id_any(struct kdbus_conn *conn, __u64 cookie)
{
	struct kdbus_cmd_match *match = kdbus_match_new(cookie, 0);

	kdbus_match_rule_id(match, KDBUS_MATCH_ID_ANY);
	return kdbus_match_cmd_release(conn, match);
}

static int match_id_change(struct kdbus_conn *conn, __u64 cookie,
			   __u64 type, __u64 id)
{
	struct kdbus_cmd_match *match = kdbus_match_new(cookie, 0);

	kdbus_match_rule_id_change(match, type, id);
	return kdbus_match_cmd_release(conn, match);
}

int kdbus_match_id_add(struct kdbus_conn *conn, __u64 cookie, __u64 id)
{
	return match_id_change(conn, cookie, KDBUS_ITEM_ID_ADD, id);
}

int kdbus_match_id_remove(struct kdbus_conn *conn, __u64 cookie, __u64 id)
{
	return match_id_change(conn, cookie, KDBUS_ITEM_ID_REMOVE, id);
}

int kdbus_match_name_change(struct kdbus_conn *conn, __u64 cookie,
			    __u64 type, __u64 old_id, __u64 new_id,
			    const char *name)
{
	struct kdbus_cmd_match *match = kdbus_match_new(cookie, 0);

	kdbus_match_rule_name_change(match, type, old_id, new_id, name);
	return kdbus_match_cmd_release(conn, match);
}

int kdbus_send_signal(struct kdbus_conn *conn, __u64 dst_id, __u64 cookie,
		      __u64 generation, const void *bloom, const void *data,
		      size_t len)
{
	struct kdbus_msg *msg = kdbus_msg_new(dst_id, cookie);
	int ret;

	msg->flags = KDBUS_MSG_SIGNAL;
	if (len)
		kdbus_msg_add_vec(msg, data, len);
	kdbus_msg_add_bloom(msg, generation, bloom, conn->bloom_size);
	ret = kdbus_send(conn, msg, 0, -1, NULL);
	kdbus_msg_release(msg);
	return ret;
}

int kdbus_conn_new_pool(struct kdbus_conn *conn,
			const struct kdbus_domain *dom, const char *bus,
			__u64 hello_flags, __u64 pool_size)
{
	return conn_open(conn, dom, bus, NULL, hello_flags, pool_size);
}

int kdbus_policy_holder_new(struct kdbus_conn *conn,
			    const struct kdbus_domain *dom, const char *bus,
			    const char *name, __u64 access)
{
	struct kdbus_cmd_hello *hello;
	int fd, ret;

	conn_reset(conn);
	fd = kdbus_bus_open(dom, bus, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	hello = kdbus_hello_args(KDBUS_HELLO_POLICY_HOLDER, 0, NULL);
	kdbus_args_add_str(hello, KDBUS_ITEM_NAME, name);
	kdbus_args_add_policy(hello, KDBUS_POLICY_ACCESS_WORLD, access, 0);
	ret = kdbus_hello_cmd(conn, fd, hello);
	kdbus_args_release(hello);
	if (ret < 0)
		close(fd);
	return ret;
}

const char *kdbus_long_name(char *buf, size_t size, size_t len)
{
	if (!size)
		return buf;
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, "com.", len < 4 ? len : 4);
	if (len > 4)
		memset(buf + 4, 'x', len - 4);
	buf[len] = '\0';
	return buf;
}

pid_t kdbus_spawn_as(uid_t uid, gid_t gid, int (*fn)(void *arg), void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid)
		return pid;
	if (uid && (setgroups(0, NULL) < 0 ||
		    setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0)) {
		kdbus_log("cannot become uid %u: %m", (unsigned int)uid);
		_exit(KDBUS_RUN_AS_SETUP_FAILED);
	}
	fflush(NULL);
	_exit(fn(arg) & 0xff);
}

int kdbus_wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFSIGNALED(status))
		return 256 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int kdbus_wait_pollin(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	return (pfd.revents & POLLIN) ? 0 : -EIO;
}

int kdbus_write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += n;
	}
	return 0;
}

int kdbus_conn_new_attach(struct kdbus_conn *conn,
			  const struct kdbus_domain *dom, const char *bus,
			  __u64 hello_flags, __u64 send, __u64 recv,
			  const char *description)
{
	struct kdbus_cmd_hello *hello;
	int fd, ret;

	memset(conn, 0, sizeof(*conn));
	conn->fd = -1;
	fd = kdbus_bus_open(dom, bus, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	hello = kdbus_hello_args(hello_flags, 0, description);
	hello->attach_flags_send = send;
	hello->attach_flags_recv = recv;
	ret = kdbus_hello_cmd(conn, fd, hello);
	kdbus_args_release(hello);
	if (ret < 0) {
		close(fd);
		conn->fd = -1;
	}
	return ret;
}

int kdbus_read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	size_t done = 0;
	ssize_t n;
	int ret;

	while (done < len) {
		ret = kdbus_wait_pollin(fd, timeout_ms);
		if (ret == -EIO)
			return -EPIPE;
		if (ret < 0)
			return ret;
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EPIPE;
		done += n;
	}
	return 0;
}

bool kdbus_msg_payload_is(const struct kdbus_msg *msg, const char *want)
{
	char buf[256];
	ssize_t n = kdbus_msg_payload(msg, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	if ((size_t)n != strlen(want) || memcmp(buf, want, n)) {
		kdbus_log("payload \"%s\", expected \"%s\"", buf, want);
		return false;
	}
	return true;
}
