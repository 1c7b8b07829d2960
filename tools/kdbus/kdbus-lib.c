// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus-lib - raw kdbus ABI helpers shared by kdbus-proxy and kdbus-monitor
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kdbus-lib.h"

static int kdbus_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);

	return ret < 0 ? -errno : 0;
}

static struct kdbus_item *item_put(struct kdbus_item *item, uint64_t type,
				   const void *data, size_t len)
{
	item->size = KDBUS_ITEM_HEADER_SIZE + len;
	item->type = type;
	memcpy(item->data, data, len);
	return KDBUS_ITEM_NEXT(item);
}

/**
 * kdbus_lib_bus_make() - create a bus that everybody may connect to
 * @control:	The domain's control file, e.g. /sys/fs/kdbus/control
 * @name:	Bus name, "<euid>-<name>"
 * @bloom_size:	Bytes of every bloom filter of the bus
 * @n_hash:	Bits set per bloom element
 *
 * The bus lives as long as the returned handle is open.
 *
 * Return: the bus owner's handle, or a negative errno.
 */
int kdbus_lib_bus_make(const char *control, const char *name,
		       uint64_t bloom_size, uint64_t n_hash)
{
	struct kdbus_bloom_parameter bloom = {
		.size = bloom_size,
		.n_hash = n_hash,
	};
	struct kdbus_cmd *cmd;
	struct kdbus_item *item;
	size_t len = strlen(name) + 1, size;
	int fd, ret;

	size = sizeof(*cmd) + KDBUS_ITEM_SIZE(sizeof(bloom)) +
	       KDBUS_ITEM_SIZE(len);
	cmd = calloc(1, size);
	if (!cmd)
		return -ENOMEM;
	cmd->size = size;
	cmd->flags = KDBUS_MAKE_ACCESS_WORLD;
	item = item_put(cmd->items, KDBUS_ITEM_BLOOM_PARAMETER, &bloom,
			sizeof(bloom));
	item_put(item, KDBUS_ITEM_MAKE_NAME, name, len);

	fd = open(control, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
	} else {
		ret = kdbus_ioctl(fd, KDBUS_CMD_BUS_MAKE, cmd);
		if (ret < 0)
			close(fd);
	}
	free(cmd);
	return ret < 0 ? ret : fd;
}

/**
 * kdbus_lib_hello() - open a bus endpoint, HELLO and map the pool
 * @conn:	Connection to fill in
 * @path:	Bus endpoint file, e.g. /sys/fs/kdbus/0-system/bus
 * @opts:	HELLO flags, attach masks and optional items (the NAME
 *		item of an activator or policy holder among them)
 *
 * Return: 0 or a negative errno; on failure @conn->fd is -1.
 */
int kdbus_lib_hello(struct kdbus_conn *conn, const char *path,
		    const struct kdbus_hello_opts *opts)
{
	struct kdbus_cmd_hello *hello;
	struct kdbus_item *item;
	const struct kdbus_item *it;
	size_t size, desc_len = 0, name_len = 0, label_len = 0;
	struct kdbus_cmd_free cmd_free = { .size = sizeof(cmd_free) };
	int ret;

	memset(conn, 0, sizeof(*conn));
	conn->fd = -1;
	conn->pool = MAP_FAILED;
	conn->pool_size = opts->pool_size ? opts->pool_size :
			  KDBUS_LIB_POOL_SIZE;

	size = sizeof(*hello);
	if (opts->description) {
		desc_len = strlen(opts->description) + 1;
		size += KDBUS_ITEM_SIZE(desc_len);
	}
	if (opts->name) {
		name_len = strlen(opts->name) + 1;
		size += KDBUS_ITEM_SIZE(name_len);
	}
	if (opts->creds)
		size += KDBUS_ITEM_SIZE(sizeof(struct kdbus_creds));
	if (opts->pids)
		size += KDBUS_ITEM_SIZE(sizeof(struct kdbus_pids));
	if (opts->seclabel) {
		label_len = strlen(opts->seclabel) + 1;
		size += KDBUS_ITEM_SIZE(label_len);
	}

	hello = calloc(1, size);
	if (!hello)
		return -ENOMEM;

	hello->size = size;
	hello->flags = opts->flags;
	hello->attach_flags_send = opts->attach_send;
	hello->attach_flags_recv = opts->attach_recv;
	hello->pool_size = conn->pool_size;

	item = hello->items;
	if (opts->description)
		item = item_put(item, KDBUS_ITEM_CONN_DESCRIPTION,
				opts->description, desc_len);
	if (opts->name)
		item = item_put(item, KDBUS_ITEM_NAME, opts->name, name_len);
	if (opts->creds)
		item = item_put(item, KDBUS_ITEM_CREDS, opts->creds,
				sizeof(*opts->creds));
	if (opts->pids)
		item = item_put(item, KDBUS_ITEM_PIDS, opts->pids,
				sizeof(*opts->pids));
	if (opts->seclabel)
		item = item_put(item, KDBUS_ITEM_SECLABEL, opts->seclabel,
				label_len);

	conn->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (conn->fd < 0) {
		ret = -errno;
		goto fail;
	}

	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_HELLO, hello);
	if (ret < 0)
		goto fail;

	conn->id = hello->id;
	conn->hello_flags = opts->flags;
	memcpy(conn->id128, hello->id128, sizeof(conn->id128));

	conn->pool = mmap(NULL, conn->pool_size, PROT_READ, MAP_SHARED,
			  conn->fd, 0);
	if (conn->pool == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}

	if (hello->offset < conn->pool_size &&
	    hello->items_size <= conn->pool_size - hello->offset) {
		const struct kdbus_item *first =
			(const void *)(conn->pool + hello->offset);

		KDBUS_ITEM_FOREACH(it, first, hello->items_size) {
			if (it->type != KDBUS_ITEM_BLOOM_PARAMETER)
				continue;
			conn->bloom_size = it->bloom_parameter.size;
			conn->bloom_n_hash = it->bloom_parameter.n_hash;
		}
	}
	cmd_free.offset = hello->offset;
	kdbus_ioctl(conn->fd, KDBUS_CMD_FREE, &cmd_free);

	free(hello);
	return 0;

fail:
	free(hello);
	kdbus_lib_close(conn);
	return ret;
}

/**
 * kdbus_lib_close() - unmap the pool and close the connection
 * @conn:	Connection (may be half set up)
 */
void kdbus_lib_close(struct kdbus_conn *conn)
{
	if (conn->pool && conn->pool != MAP_FAILED)
		munmap(conn->pool, conn->pool_size);
	conn->pool = NULL;
	if (conn->fd >= 0)
		close(conn->fd);
	conn->fd = -1;
}

/**
 * kdbus_lib_offset() - pool offset of a pointer into the pool
 * @conn:	Connection
 * @ptr:	Pointer into the mapped pool
 *
 * Return: the offset.
 */
uint64_t kdbus_lib_offset(const struct kdbus_conn *conn, const void *ptr)
{
	return (const uint8_t *)ptr - conn->pool;
}

/**
 * kdbus_lib_free() - release a pool slice
 * @conn:	Connection
 * @offset:	Slice offset
 *
 * Return: 0 or a negative errno.
 */
int kdbus_lib_free(struct kdbus_conn *conn, uint64_t offset)
{
	struct kdbus_cmd_free cmd = {
		.size = sizeof(cmd),
		.offset = offset,
	};

	return kdbus_ioctl(conn->fd, KDBUS_CMD_FREE, &cmd);
}

/**
 * kdbus_lib_free_ptr() - release the pool slice starting at @ptr
 * @conn:	Connection
 * @ptr:	Start of the slice
 *
 * Return: 0 or a negative errno.
 */
int kdbus_lib_free_ptr(struct kdbus_conn *conn, const void *ptr)
{
	return kdbus_lib_free(conn, kdbus_lib_offset(conn, ptr));
}

/**
 * kdbus_lib_send() - send a message asynchronously
 * @conn:	Connection
 * @msg:	Message, 8-byte aligned
 *
 * Return: 0 or a negative errno (see the SEND errors of the ABI).
 */
int kdbus_lib_send(struct kdbus_conn *conn, const struct kdbus_msg *msg)
{
	struct kdbus_cmd_send cmd = {
		.size = sizeof(cmd),
		.msg_address = (uintptr_t)msg,
	};

	return kdbus_ioctl(conn->fd, KDBUS_CMD_SEND, &cmd);
}

/**
 * kdbus_lib_recv() - dequeue the next message into the pool
 * @conn:	Connection
 * @msg:	Output: the message in the pool (free with kdbus_lib_free_ptr)
 * @dropped:	Output: messages lost since the previous RECV (may be NULL)
 *
 * Return: 0, -EAGAIN if the queue is empty, or another negative errno.
 */
int kdbus_lib_recv(struct kdbus_conn *conn, struct kdbus_msg **msg,
		   uint64_t *dropped)
{
	struct kdbus_cmd_recv cmd = { .size = sizeof(cmd) };
	int ret;

	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_RECV, &cmd);
	if (dropped)
		*dropped = (ret == 0 || ret == -EAGAIN) ? cmd.dropped_msgs : 0;
	if (ret < 0)
		return ret;

	if (cmd.msg.offset >= conn->pool_size ||
	    cmd.msg.msg_size < sizeof(struct kdbus_msg) ||
	    cmd.msg.msg_size > conn->pool_size - cmd.msg.offset) {
		kdbus_lib_free(conn, cmd.msg.offset);
		return -EBADMSG;
	}

	*msg = (struct kdbus_msg *)(conn->pool + cmd.msg.offset);
	if ((*msg)->size > cmd.msg.msg_size) {
		kdbus_lib_msg_close_fds(*msg);
		kdbus_lib_free(conn, cmd.msg.offset);
		return -EBADMSG;
	}
	return 0;
}

/**
 * kdbus_lib_msg_close_fds() - close the fds the kernel installed for @msg
 * @msg:	Received message
 *
 * The pool is read-only, so users that keep an fd must dup() it first.
 */
void kdbus_lib_msg_close_fds(struct kdbus_msg *msg)
{
	const struct kdbus_item *item;
	size_t i, n;

	KDBUS_ITEM_FOREACH(item, msg->items, KDBUS_MSG_ITEMS_SIZE(msg)) {
		if (item->type == KDBUS_ITEM_PAYLOAD_MEMFD) {
			if (item->memfd.fd >= 0)
				close(item->memfd.fd);
		} else if (item->type == KDBUS_ITEM_FDS) {
			n = (item->size - KDBUS_ITEM_HEADER_SIZE) / sizeof(int);
			for (i = 0; i < n; i++)
				if (item->fds[i] >= 0)
					close(item->fds[i]);
		}
	}
}

/**
 * kdbus_lib_msg_item() - first item of a type in a received message
 * @msg:	Message
 * @type:	KDBUS_ITEM_*
 *
 * Return: the item or NULL.
 */
const struct kdbus_item *kdbus_lib_msg_item(const struct kdbus_msg *msg,
					    uint64_t type)
{
	const struct kdbus_item *item;

	KDBUS_ITEM_FOREACH(item, msg->items, KDBUS_MSG_ITEMS_SIZE(msg))
		if (item->type == type)
			return item;
	return NULL;
}

static int read_memfd(const struct kdbus_memfd *mfd, uint8_t *dst)
{
	size_t done = 0;
	ssize_t r;

	while (done < mfd->size) {
		r = pread(mfd->fd, dst + done, mfd->size - done,
			  mfd->start + done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EBADMSG;
		done += r;
	}
	return 0;
}

/**
 * kdbus_lib_msg_payload() - copy the logical payload of a message
 * @conn:	Receiving connection (for pool bounds)
 * @msg:	Received message
 * @max_size:	Refuse payloads larger than this (-EMSGSIZE)
 * @data:	Output: malloc()ed copy of the payload byte stream
 * @size:	Output: its length
 *
 * Concatenates all PAYLOAD_OFF vectors (null vectors as zero bytes) and
 * PAYLOAD_MEMFD segments in item order (ABI §5.5, §5.10).
 *
 * Return: 0 or a negative errno (-EBADF for a memfd delivered as -1).
 */
int kdbus_lib_msg_payload(const struct kdbus_conn *conn,
			  const struct kdbus_msg *msg, size_t max_size,
			  uint8_t **data, size_t *size)
{
	const struct kdbus_item *item;
	uint64_t total = 0, msg_off = kdbus_lib_offset(conn, msg);
	uint8_t *buf, *p;
	int ret;

	KDBUS_ITEM_FOREACH(item, msg->items, KDBUS_MSG_ITEMS_SIZE(msg)) {
		uint64_t len;

		if (item->type == KDBUS_ITEM_PAYLOAD_OFF)
			len = item->vec.size;
		else if (item->type == KDBUS_ITEM_PAYLOAD_MEMFD)
			len = item->memfd.size;
		else
			continue;
		if (len > max_size || total + len > max_size)
			return -EMSGSIZE;
		total += len;
	}

	buf = malloc(total ? total : 1);
	if (!buf)
		return -ENOMEM;

	p = buf;
	KDBUS_ITEM_FOREACH(item, msg->items, KDBUS_MSG_ITEMS_SIZE(msg)) {
		if (item->type == KDBUS_ITEM_PAYLOAD_OFF) {
			const struct kdbus_vec *v = &item->vec;

			if (v->offset == ~0ULL) {
				memset(p, 0, v->size);
			} else {
				if (v->offset > conn->pool_size - msg_off ||
				    v->size > conn->pool_size - msg_off -
					      v->offset) {
					ret = -EBADMSG;
					goto fail;
				}
				memcpy(p, (const uint8_t *)msg + v->offset,
				       v->size);
			}
			p += v->size;
		} else if (item->type == KDBUS_ITEM_PAYLOAD_MEMFD) {
			if (item->memfd.fd < 0) {
				ret = -EBADF;
				goto fail;
			}
			ret = read_memfd(&item->memfd, p);
			if (ret < 0)
				goto fail;
			p += item->memfd.size;
		}
	}

	*data = buf;
	*size = total;
	return 0;

fail:
	free(buf);
	return ret;
}

/**
 * kdbus_lib_msg_init() - start building a message
 * @b:		Builder; the header is zeroed, size set
 */
void kdbus_lib_msg_init(struct kdbus_msg_builder *b)
{
	memset(&b->msg, 0, sizeof(b->msg));
	b->msg.size = sizeof(b->msg);
}

/**
 * kdbus_lib_msg_add() - append a zeroed item to a message
 * @b:		Builder
 * @type:	KDBUS_ITEM_*
 * @payload:	Payload size in bytes (item size is 16 + @payload)
 *
 * Return: the item, or NULL if the message would exceed 8192 bytes.
 */
struct kdbus_item *kdbus_lib_msg_add(struct kdbus_msg_builder *b,
				     uint64_t type, size_t payload)
{
	size_t off = KDBUS_ALIGN8(b->msg.size);
	struct kdbus_item *item;

	if (payload > KDBUS_LIB_MSG_MAX ||
	    off + KDBUS_ITEM_SIZE(payload) > KDBUS_LIB_MSG_MAX)
		return NULL;

	item = (struct kdbus_item *)((uint8_t *)b->buf + off);
	memset(item, 0, KDBUS_ITEM_SIZE(payload));
	item->size = KDBUS_ITEM_HEADER_SIZE + payload;
	item->type = type;
	b->msg.size = off + item->size;
	return item;
}

/**
 * kdbus_lib_msg_add_str() - append a string item (size exact, ABI §2.4)
 * @b:		Builder
 * @type:	KDBUS_ITEM_*
 * @str:	NUL-terminated string
 *
 * Return: the item or NULL.
 */
struct kdbus_item *kdbus_lib_msg_add_str(struct kdbus_msg_builder *b,
					 uint64_t type, const char *str)
{
	size_t len = strlen(str) + 1;
	struct kdbus_item *item = kdbus_lib_msg_add(b, type, len);

	if (item)
		memcpy(item->str, str, len);
	return item;
}

/* struct kdbus_cmd with one KDBUS_ITEM_NAME item */
static struct kdbus_cmd *name_cmd(const char *name, uint64_t flags)
{
	size_t len = strlen(name) + 1;
	struct kdbus_cmd *cmd;

	if (len > 256)
		return NULL;
	cmd = calloc(1, sizeof(*cmd) + KDBUS_ITEM_SIZE(len));
	if (!cmd)
		return NULL;
	cmd->size = sizeof(*cmd) + KDBUS_ITEM_HEADER_SIZE + len;
	cmd->flags = flags;
	item_put(cmd->items, KDBUS_ITEM_NAME, name, len);
	return cmd;
}

/**
 * kdbus_lib_name_acquire() - request a well-known name
 * @conn:		Connection
 * @name:		The name
 * @flags:		KDBUS_NAME_REPLACE_EXISTING / _ALLOW_REPLACEMENT / _QUEUE
 * @return_flags:	Output: KDBUS_NAME_IN_QUEUE if queued (may be NULL)
 *
 * Return: 0 or a negative errno.
 */
int kdbus_lib_name_acquire(struct kdbus_conn *conn, const char *name,
			   uint64_t flags, uint64_t *return_flags)
{
	struct kdbus_cmd *cmd = name_cmd(name, flags);
	int ret;

	if (!cmd)
		return strlen(name) >= 256 ? -EINVAL : -ENOMEM;
	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_NAME_ACQUIRE, cmd);
	if (return_flags)
		*return_flags = ret == 0 ? cmd->return_flags : 0;
	free(cmd);
	return ret;
}

/**
 * kdbus_lib_name_release() - give up a well-known name
 * @conn:	Connection
 * @name:	The name
 *
 * Return: 0 or a negative errno.
 */
int kdbus_lib_name_release(struct kdbus_conn *conn, const char *name)
{
	struct kdbus_cmd *cmd = name_cmd(name, 0);
	int ret;

	if (!cmd)
		return strlen(name) >= 256 ? -ESRCH : -ENOMEM;
	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_NAME_RELEASE, cmd);
	free(cmd);
	return ret;
}

/**
 * kdbus_lib_list() - dump the registry
 * @conn:	Connection
 * @flags:	KDBUS_LIST_*
 * @list:	Output: first record in the pool (free with kdbus_lib_free)
 * @size:	Output: total size of the records
 *
 * Return: 0 or a negative errno. With *@size == 0 nothing must be freed.
 */
int kdbus_lib_list(struct kdbus_conn *conn, uint64_t flags,
		   struct kdbus_info **list, uint64_t *size)
{
	struct kdbus_cmd_list cmd = {
		.size = sizeof(cmd),
		.flags = flags,
	};
	int ret;

	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_LIST, &cmd);
	if (ret < 0)
		return ret;
	if (cmd.list_size == 0 || cmd.offset >= conn->pool_size ||
	    cmd.list_size > conn->pool_size - cmd.offset) {
		if (cmd.list_size)
			kdbus_lib_free(conn, cmd.offset);
		*list = NULL;
		*size = 0;
		return 0;
	}
	*list = (struct kdbus_info *)(conn->pool + cmd.offset);
	*size = cmd.list_size;
	return 0;
}

/**
 * kdbus_lib_conn_info() - query a connection by id or by name
 * @conn:	Connection
 * @id:		Connection id, or 0 to look up @name
 * @name:	Well-known name, or NULL
 * @attach:	KDBUS_ATTACH_* metadata wanted
 * @info:	Output: the record (free with kdbus_lib_free_ptr)
 *
 * Return: 0 or a negative errno (-ESRCH unknown name, -ENXIO unknown id).
 */
int kdbus_lib_conn_info(struct kdbus_conn *conn, uint64_t id,
			const char *name, uint64_t attach,
			struct kdbus_info **info)
{
	size_t len = name ? strlen(name) + 1 : 0;
	struct kdbus_cmd_info *cmd;
	int ret;

	if (len > 256)
		return -ESRCH;
	cmd = calloc(1, sizeof(*cmd) + (name ? KDBUS_ITEM_SIZE(len) : 0));
	if (!cmd)
		return -ENOMEM;
	cmd->size = sizeof(*cmd);
	cmd->id = id;
	cmd->attach_flags = attach;
	if (name) {
		item_put(cmd->items, KDBUS_ITEM_NAME, name, len);
		cmd->size += KDBUS_ITEM_HEADER_SIZE + len;
	}

	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_CONN_INFO, cmd);
	if (ret == 0) {
		if (cmd->offset >= conn->pool_size ||
		    cmd->info_size < sizeof(struct kdbus_info) ||
		    cmd->info_size > conn->pool_size - cmd->offset) {
			kdbus_lib_free(conn, cmd->offset);
			ret = -EBADMSG;
		} else {
			*info = (struct kdbus_info *)(conn->pool + cmd->offset);
		}
	}
	free(cmd);
	return ret;
}

/**
 * kdbus_lib_match_add() - install a match
 * @conn:	Connection
 * @cookie:	Match cookie
 * @flags:	KDBUS_MATCH_REPLACE or 0
 * @items:	Rule items, 8-byte aligned, back to back
 * @items_size:	Size of @items in bytes
 *
 * Return: 0 or a negative errno.
 */
int kdbus_lib_match_add(struct kdbus_conn *conn, uint64_t cookie,
			uint64_t flags, const void *items, size_t items_size)
{
	struct kdbus_cmd_match *cmd;
	int ret;

	cmd = calloc(1, sizeof(*cmd) + items_size);
	if (!cmd)
		return -ENOMEM;
	cmd->size = sizeof(*cmd) + items_size;
	cmd->flags = flags;
	cmd->cookie = cookie;
	if (items_size)
		memcpy(cmd->items, items, items_size);
	ret = kdbus_ioctl(conn->fd, KDBUS_CMD_MATCH_ADD, cmd);
	free(cmd);
	return ret;
}

/**
 * kdbus_lib_match_remove() - remove all matches with a cookie
 * @conn:	Connection
 * @cookie:	Match cookie
 *
 * Return: 0 or a negative errno (-EBADSLT: no such match).
 */
int kdbus_lib_match_remove(struct kdbus_conn *conn, uint64_t cookie)
{
	struct kdbus_cmd_match cmd = {
		.size = sizeof(cmd),
		.cookie = cookie,
	};

	return kdbus_ioctl(conn->fd, KDBUS_CMD_MATCH_REMOVE, &cmd);
}

/**
 * kdbus_lib_parse_unique() - parse a unique name ":1.N"
 * @name:	The name
 * @id:		Output: N
 *
 * Return: 0, or -EINVAL if @name is not of the form ":1.N" with N > 0.
 */
int kdbus_lib_parse_unique(const char *name, uint64_t *id)
{
	uint64_t v = 0;
	const char *p;

	if (strncmp(name, ":1.", 3) != 0 || !name[3])
		return -EINVAL;
	if (name[3] == '0')
		return -EINVAL;
	for (p = name + 3; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	*id = v;
	return 0;
}

/**
 * kdbus_lib_item_name() - symbolic name of an item type
 * @type:	KDBUS_ITEM_*
 *
 * Return: a static string ("?" for unknown types).
 */
const char *kdbus_lib_item_name(uint64_t type)
{
	switch (type) {
	case KDBUS_ITEM_NEGOTIATE:		return "NEGOTIATE";
	case KDBUS_ITEM_PAYLOAD_VEC:		return "PAYLOAD_VEC";
	case KDBUS_ITEM_PAYLOAD_OFF:		return "PAYLOAD_OFF";
	case KDBUS_ITEM_PAYLOAD_MEMFD:		return "PAYLOAD_MEMFD";
	case KDBUS_ITEM_FDS:			return "FDS";
	case KDBUS_ITEM_CANCEL_FD:		return "CANCEL_FD";
	case KDBUS_ITEM_BLOOM_PARAMETER:	return "BLOOM_PARAMETER";
	case KDBUS_ITEM_BLOOM_FILTER:		return "BLOOM_FILTER";
	case KDBUS_ITEM_BLOOM_MASK:		return "BLOOM_MASK";
	case KDBUS_ITEM_DST_NAME:		return "DST_NAME";
	case KDBUS_ITEM_MAKE_NAME:		return "MAKE_NAME";
	case KDBUS_ITEM_ATTACH_FLAGS_SEND:	return "ATTACH_FLAGS_SEND";
	case KDBUS_ITEM_ATTACH_FLAGS_RECV:	return "ATTACH_FLAGS_RECV";
	case KDBUS_ITEM_ID:			return "ID";
	case KDBUS_ITEM_NAME:			return "NAME";
	case KDBUS_ITEM_TIMESTAMP:		return "TIMESTAMP";
	case KDBUS_ITEM_CREDS:			return "CREDS";
	case KDBUS_ITEM_PIDS:			return "PIDS";
	case KDBUS_ITEM_AUXGROUPS:		return "AUXGROUPS";
	case KDBUS_ITEM_OWNED_NAME:		return "OWNED_NAME";
	case KDBUS_ITEM_TID_COMM:		return "TID_COMM";
	case KDBUS_ITEM_PID_COMM:		return "PID_COMM";
	case KDBUS_ITEM_EXE:			return "EXE";
	case KDBUS_ITEM_CMDLINE:		return "CMDLINE";
	case KDBUS_ITEM_CGROUP:			return "CGROUP";
	case KDBUS_ITEM_CAPS:			return "CAPS";
	case KDBUS_ITEM_SECLABEL:		return "SECLABEL";
	case KDBUS_ITEM_AUDIT:			return "AUDIT";
	case KDBUS_ITEM_CONN_DESCRIPTION:	return "CONN_DESCRIPTION";
	case KDBUS_ITEM_POLICY_ACCESS:		return "POLICY_ACCESS";
	case KDBUS_ITEM_NAME_ADD:		return "NAME_ADD";
	case KDBUS_ITEM_NAME_REMOVE:		return "NAME_REMOVE";
	case KDBUS_ITEM_NAME_CHANGE:		return "NAME_CHANGE";
	case KDBUS_ITEM_ID_ADD:			return "ID_ADD";
	case KDBUS_ITEM_ID_REMOVE:		return "ID_REMOVE";
	case KDBUS_ITEM_REPLY_TIMEOUT:		return "REPLY_TIMEOUT";
	case KDBUS_ITEM_REPLY_DEAD:		return "REPLY_DEAD";
	}
	return "?";
}
