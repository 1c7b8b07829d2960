// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - messages
 */

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/memfd.h>
#include <linux/net.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <net/sock.h>
#include <uapi/linux/fcntl.h>

#include "bus.h"
#include "connection.h"
#include "fs.h"
#include "handle.h"
#include "item.h"
#include "limits.h"
#include "message.h"
#include "metadata.h"
#include "validate.h"
#include "pool.h"

#define KDBUS_MSG_FLAGS_ALL	(KDBUS_MSG_EXPECT_REPLY |	\
				 KDBUS_MSG_NO_AUTO_START |	\
				 KDBUS_MSG_SIGNAL)

#define KDBUS_MEMFD_SEALS	(F_SEAL_SHRINK | F_SEAL_GROW |	\
				 F_SEAL_WRITE | F_SEAL_SEAL)

/* item size for a payload of @size bytes, 8-aligned */
static size_t kdbus_item_size(size_t size)
{
	return ALIGN(KDBUS_ITEM_HEADER_SIZE + size, 8);
}

/**
 * kdbus_staging_free() - free a staged message
 * @staging:	Staged message, or NULL
 *
 * Drops the references to all passed files.
 */
void kdbus_staging_free(struct kdbus_staging *staging)
{
	unsigned int i;

	if (!staging)
		return;

	/* parts are counted before they are allocated */
	for (i = 0; staging->parts && i < staging->n_parts; i++)
		if (staging->parts[i].file)
			fput(staging->parts[i].file);
	kdbus_meta_stage_exit(&staging->meta);
	for (i = 0; i < staging->n_fds; i++)
		if (staging->fds[i])
			fput(staging->fds[i]);

	kfree(staging->parts);
	kfree(staging->fds);
	kfree(staging->render);
	kfree(staging->msg);
	kfree(staging);
}

/*
 * A file passed in an FDS item: anything but the files that can hold
 * other files, so that no reference cycle forms that nothing breaks (an
 * unreceived message holding the file that holds the receiver): kdbus
 * handles, AF_UNIX sockets and io_uring instances (which can register
 * files), as net/core/scm.c refuses them.
 */
static int kdbus_fd_check(struct file *file)
{
	struct socket *sock;

	if (file->f_op == &kdbus_handle_ops ||
	    file_inode(file)->i_sb->s_magic == KDBUS_SUPER_MAGIC ||
	    io_is_uring_fops(file))
		return -EOPNOTSUPP;

	sock = sock_from_file(file);
	if (sock && sock->sk && sock->sk->sk_family == AF_UNIX)
		return -EOPNOTSUPP;

	return 0;
}

static int kdbus_staging_import_fds(struct kdbus_staging *staging,
				    const struct kdbus_item *item)
{
	unsigned int i, n = kdbus_item_payload_size(item) / sizeof(int);
	const int *fds = kdbus_item_payload(item);
	int ret;

	staging->fds = kcalloc(n, sizeof(*staging->fds), GFP_KERNEL);
	if (!staging->fds)
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		struct file *file;

		if (fds[i] < 0)
			return -EBADF;

		/* O_PATH descriptors may be passed too */
		file = fget_raw(fds[i]);
		if (!file)
			return -EBADF;

		staging->fds[staging->n_fds++] = file;
		ret = kdbus_fd_check(file);
		if (ret < 0)
			return ret;
	}

	return 0;
}

static int kdbus_staging_import_memfd(struct kdbus_staging_part *part,
				      const struct kdbus_memfd *memfd)
{
	u64 end;
	int seals;

	part->file = fget(memfd->fd);
	if (!part->file)
		return -EBADF;

	seals = memfd_get_seals(part->file);
	if (seals < 0)
		return -EMEDIUMTYPE;
	if ((seals & KDBUS_MEMFD_SEALS) != KDBUS_MEMFD_SEALS)
		return -ETXTBSY;

	if (check_add_overflow(memfd->start, memfd->size, &end))
		return -EMSGSIZE;
	if (end > i_size_read(file_inode(part->file)))
		return -EBADF;

	part->address = memfd->start;
	part->size = memfd->size;
	return 0;
}

/* header checks of a sent message, before its items are looked at */
static int kdbus_msg_check_header(const struct kdbus_msg *msg,
				  const struct kdbus_conn *conn)
{
	bool broadcast = msg->dst_id == KDBUS_DST_ID_BROADCAST;

	if (msg->flags & ~KDBUS_MSG_FLAGS_ALL)
		return -EINVAL;
	if (msg->payload_type == KDBUS_PAYLOAD_KERNEL)
		return -EINVAL;
	if (msg->src_id != 0 && msg->src_id != conn->id)
		return -EINVAL;

	/* nobody can answer a broadcast, and every broadcast is a signal */
	if (broadcast) {
		if (msg->flags & KDBUS_MSG_EXPECT_REPLY)
			return -ENOTUNIQ;
		/* a timeout, or a reply cookie: they share the field */
		if (msg->timeout_ns)
			return -ENOTUNIQ;
		if (!(msg->flags & KDBUS_MSG_SIGNAL))
			return -EBADMSG;
	}

	if (msg->flags & KDBUS_MSG_EXPECT_REPLY) {
		if (msg->flags & KDBUS_MSG_SIGNAL)
			return -EINVAL;
		if (msg->timeout_ns == 0 || msg->cookie == 0)
			return -EINVAL;
	} else if (msg->cookie_reply && (msg->flags & KDBUS_MSG_SIGNAL)) {
		return -EINVAL;
	}

	return 0;
}

/* first pass over the items: generic and per-type checks, counting */
static int kdbus_msg_check_items(struct kdbus_staging *staging,
				 struct kdbus_bus *bus, size_t *render_size)
{
	struct kdbus_msg *msg = staging->msg;
	size_t items_size = msg->size - offsetof(struct kdbus_msg, items);
	const struct kdbus_item *items = msg->items, *item;
	bool broadcast = msg->dst_id == KDBUS_DST_ID_BROADCAST;
	unsigned int n_items = 0, n_fds = 0;
	const struct kdbus_item *fds = NULL;
	u64 vec_size = 0;
	size_t size;
	int ret;

	ret = kdbus_items_tile(items, items_size);
	if (ret < 0)
		return ret;

	size = sizeof(struct kdbus_msg);

	for (item = items; kdbus_item_in(item, items, items_size);
	     item = kdbus_item_next(item)) {
		size_t len = kdbus_item_payload_size(item);

		if (++n_items > KDBUS_MSG_MAX_ITEMS)
			return -E2BIG;

		ret = kdbus_item_validate(item);
		if (ret < 0)
			return ret;

		switch (item->type) {
		case KDBUS_ITEM_PAYLOAD_VEC:
			if (check_add_overflow(vec_size, item->vec.size,
					       &vec_size) ||
			    vec_size > KDBUS_MSG_MAX_PAYLOAD_VEC_SIZE)
				return -EMSGSIZE;
			if (item->vec.address &&
			    !access_ok(u64_to_user_ptr(item->vec.address),
				       item->vec.size))
				return -EFAULT;
			staging->n_parts++;
			size += kdbus_item_size(sizeof(struct kdbus_vec));
			break;

		case KDBUS_ITEM_PAYLOAD_MEMFD:
			if (++staging->n_memfds > KDBUS_MSG_MAX_MEMFD_ITEMS)
				return -E2BIG;
			staging->n_parts++;
			size += kdbus_item_size(sizeof(struct kdbus_memfd));
			break;

		case KDBUS_ITEM_FDS:
			if (fds)
				return -EEXIST;
			fds = item;
			n_fds = len / sizeof(int);
			if (n_fds > KDBUS_CONN_MAX_FDS_PER_USER)
				return -EMFILE;
			if (broadcast)
				return -ENOTUNIQ;
			if (n_fds)
				size += kdbus_item_size(n_fds * sizeof(int));
			break;

		case KDBUS_ITEM_BLOOM_FILTER:
			if (staging->bloom)
				return -EEXIST;
			len -= sizeof(struct kdbus_bloom_filter);
			if (!IS_ALIGNED(len, sizeof(u64)))
				return -EFAULT;
			if (len != bus->bloom.size)
				return -EDOM;
			staging->bloom = item;
			break;

		case KDBUS_ITEM_DST_NAME:
			if (staging->dst_name)
				return -EEXIST;
			if (!kdbus_item_is_string(item) ||
			    !kdbus_name_is_valid(item->str, false))
				return -EINVAL;
			staging->dst_name = item->str;
			size += kdbus_item_size(strlen(item->str) + 1);
			break;

		default:
			return -EINVAL;
		}
	}

	if (!!(msg->flags & KDBUS_MSG_SIGNAL) != !!staging->bloom)
		return -EBADMSG;
	if (broadcast && staging->dst_name)
		return -EBADMSG;
	if (msg->dst_id == KDBUS_DST_ID_NAME && !staging->dst_name)
		return -EDESTADDRREQ;

	*render_size = size;
	return fds ? kdbus_staging_import_fds(staging, fds) : 0;
}

/* second pass: resolve memfds and lay out the payload stream */
static int kdbus_msg_import_parts(struct kdbus_staging *staging)
{
	struct kdbus_msg *msg = staging->msg;
	size_t items_size = msg->size - offsetof(struct kdbus_msg, items);
	const struct kdbus_item *items = msg->items, *item;
	struct kdbus_staging_part *part;
	size_t stream = 0;
	int ret;

	if (!staging->n_parts)
		return 0;

	staging->parts = kcalloc(staging->n_parts, sizeof(*staging->parts),
				 GFP_KERNEL);
	if (!staging->parts)
		return -ENOMEM;

	part = staging->parts;
	for (item = items; kdbus_item_in(item, items, items_size);
	     item = kdbus_item_next(item)) {
		switch (item->type) {
		case KDBUS_ITEM_PAYLOAD_VEC:
			part->address = item->vec.address;
			part->size = item->vec.size;
			part->inline_size = part->address ? part->size :
							    part->size % 8;
			break;
		case KDBUS_ITEM_PAYLOAD_MEMFD:
			ret = kdbus_staging_import_memfd(part, &item->memfd);
			if (ret < 0) {
				/* count the part so its file is released */
				staging->n_parts = part - staging->parts + 1;
				return ret;
			}
			part->inline_size = part->size % 8;
			break;
		default:
			continue;
		}
		part->stream_off = stream;
		stream += part->inline_size;
		part++;
	}

	staging->payload_size = stream;
	return 0;
}

static void *kdbus_render_item(void *pos, u64 type, const void *payload,
			       size_t size)
{
	struct kdbus_item *item = pos;

	item->size = KDBUS_ITEM_HEADER_SIZE + size;
	item->type = type;
	if (size)
		memcpy(kdbus_item_payload(item), payload, size);
	return (u8 *)pos + kdbus_item_size(size);
}

/* render header and items as receivers see them */
static int kdbus_staging_render(struct kdbus_staging *staging,
				const struct kdbus_msg *hdr, size_t size)
{
	struct kdbus_msg *msg;
	unsigned int i;
	void *pos;

	staging->render = kzalloc(size, GFP_KERNEL);
	if (!staging->render)
		return -ENOMEM;

	staging->render_size = size;
	staging->slice_size = ALIGN(size + staging->payload_size, 8);

	msg = staging->render;
	*msg = *hdr;
	msg->size = size;
	pos = msg->items;

	if (staging->dst_name)
		pos = kdbus_render_item(pos, KDBUS_ITEM_DST_NAME,
					staging->dst_name,
					strlen(staging->dst_name) + 1);

	for (i = 0; i < staging->n_parts; i++) {
		struct kdbus_staging_part *part = &staging->parts[i];

		part->item_off = (u8 *)pos - (u8 *)msg;
		if (part->file) {
			struct kdbus_memfd m = {
				.start = part->address,
				.size = part->size,
				.fd = -1,
			};

			pos = kdbus_render_item(pos, KDBUS_ITEM_PAYLOAD_MEMFD,
						&m, sizeof(m));
		} else {
			struct kdbus_vec v = {
				.size = part->size,
				.offset = part->address ?
					  size + part->stream_off : ~0ULL,
			};

			pos = kdbus_render_item(pos, KDBUS_ITEM_PAYLOAD_OFF,
						&v, sizeof(v));
		}
	}

	if (staging->n_fds) {
		struct kdbus_item *item = pos;

		staging->fds_item_off = (u8 *)pos - (u8 *)msg;
		item->size = KDBUS_ITEM_HEADER_SIZE +
			     staging->n_fds * sizeof(int);
		item->type = KDBUS_ITEM_FDS;
		memset(kdbus_item_payload(item), 0xff,
		       staging->n_fds * sizeof(int));
	}

	return 0;
}

/**
 * kdbus_staging_new_user() - stage a message sent by a connection
 * @bus:		Bus of the sender
 * @conn:		Sending connection
 * @msg_address:	User address of the struct kdbus_msg
 *
 * Copies and validates the header and items (not the payload), resolves
 * the passed fds and memfds and renders what receivers get.
 *
 * Return: the staged message, or an ERR_PTR with the errno of the
 * contract for the first problem found.
 */
struct kdbus_staging *kdbus_staging_new_user(struct kdbus_bus *bus,
					     struct kdbus_conn *conn,
					     u64 msg_address)
{
	struct kdbus_msg __user *umsg = u64_to_user_ptr(msg_address);
	struct kdbus_staging *staging;
	size_t render_size;
	u64 size;
	int ret;

	if (!IS_ALIGNED(msg_address, 8))
		return ERR_PTR(-EFAULT);
	if (get_user(size, &umsg->size))
		return ERR_PTR(-EFAULT);
	if (size < sizeof(struct kdbus_msg) || size > KDBUS_MSG_MAX_SIZE)
		return ERR_PTR(-EINVAL);

	staging = kzalloc(sizeof(*staging), GFP_KERNEL);
	if (!staging)
		return ERR_PTR(-ENOMEM);

	staging->msg = memdup_user(umsg, size);
	if (IS_ERR(staging->msg)) {
		ret = PTR_ERR(staging->msg);
		staging->msg = NULL;
		goto exit_free;
	}

	/* the size changed between the two reads */
	if (staging->msg->size != size) {
		ret = -EINVAL;
		goto exit_free;
	}

	ret = kdbus_msg_check_header(staging->msg, conn);
	if (ret < 0)
		goto exit_free;

	ret = kdbus_msg_check_items(staging, bus, &render_size);
	if (ret < 0)
		goto exit_free;

	ret = kdbus_msg_import_parts(staging);
	if (ret < 0)
		goto exit_free;

	staging->msg->src_id = conn->id;
	ret = kdbus_staging_render(staging, staging->msg, render_size);
	if (ret < 0)
		goto exit_free;

	return staging;

exit_free:
	kdbus_staging_free(staging);
	return ERR_PTR(ret);
}

/**
 * kdbus_staging_new_kernel() - stage a kernel notification
 * @dst_id:		Destination id (KDBUS_DST_ID_BROADCAST for broadcasts)
 * @cookie_reply:	Cookie of the request a REPLY_* notification is about
 * @type:		Notification item type
 * @payload:		Payload of the item
 * @size:		Size of @payload
 *
 * Return: the staged notification, or an ERR_PTR.
 */
struct kdbus_staging *kdbus_staging_new_kernel(u64 dst_id, u64 cookie_reply,
					       u64 type, const void *payload,
					       size_t size)
{
	struct kdbus_staging *staging;
	struct kdbus_msg hdr = {
		.flags = KDBUS_MSG_SIGNAL,
		.dst_id = dst_id,
		.src_id = KDBUS_SRC_ID_KERNEL,
		.payload_type = KDBUS_PAYLOAD_KERNEL,
		.cookie_reply = cookie_reply,
	};
	int ret;

	staging = kzalloc(sizeof(*staging), GFP_KERNEL);
	if (!staging)
		return ERR_PTR(-ENOMEM);

	ret = kdbus_staging_render(staging, &hdr, sizeof(hdr) +
				   kdbus_item_size(size));
	if (ret < 0) {
		kdbus_staging_free(staging);
		return ERR_PTR(ret);
	}

	kdbus_render_item(((struct kdbus_msg *)staging->render)->items, type,
			  payload, size);
	return staging;
}

/* move the PAYLOAD_OFF offsets past @meta_size bytes of metadata room */
static int kdbus_staging_emit_offsets(const struct kdbus_staging *staging,
				      const struct kdbus_pool_slice *slice,
				      size_t meta_size)
{
	unsigned int i;
	int ret;

	for (i = 0; i < staging->n_parts; i++) {
		const struct kdbus_staging_part *part = &staging->parts[i];
		u64 off = staging->render_size + meta_size + part->stream_off;
		struct kvec kvec = { .iov_base = &off, .iov_len = sizeof(off) };

		if (part->file || !part->address)
			continue;
		ret = kdbus_pool_slice_copy_kvec(slice, part->item_off +
						 KDBUS_ITEM_HEADER_SIZE +
						 offsetof(struct kdbus_vec,
							  offset),
						 &kvec, 1, sizeof(off));
		if (ret < 0)
			return ret;
	}
	return 0;
}

/**
 * kdbus_staging_emit() - write a staged message into a pool slice
 * @staging:	Staged message
 * @slice:	Slice of @staging->slice_size + @meta_size bytes in the
 *		receiver's pool
 * @meta_size:	Room for metadata items after the rendered items, written
 *		when the message is received; zeroed here
 *
 * Writes every byte of the slice: the rendered header and items, the
 * metadata room, the inline payload copied straight from the sender's
 * memory (the one copy of the payload), the zero bytes of null vectors
 * and unaligned memfds, and the final padding. Must not be called with
 * locks held that page faults on the sender's memory could need.
 *
 * Return: 0 on success, -EFAULT if the sender's memory is not readable.
 */
int kdbus_staging_emit(const struct kdbus_staging *staging,
		       const struct kdbus_pool_slice *slice, size_t meta_size)
{
	struct kvec kvec = {
		.iov_base = staging->render,
		.iov_len = staging->render_size,
	};
	size_t size = staging->slice_size + meta_size;
	size_t off = staging->render_size + meta_size;
	unsigned int i;
	int ret;

	ret = kdbus_pool_slice_copy_kvec(slice, 0, &kvec, 1, kvec.iov_len);
	if (ret < 0)
		return ret;

	if (meta_size) {
		ret = kdbus_staging_emit_offsets(staging, slice, meta_size);
		if (ret < 0)
			return ret;
		ret = kdbus_pool_slice_zero(slice, staging->render_size,
					    meta_size);
		if (ret < 0)
			return ret;
	}

	for (i = 0; i < staging->n_parts; i++) {
		const struct kdbus_staging_part *part = &staging->parts[i];

		if (!part->inline_size)
			continue;

		if (part->file || !part->address) {
			ret = kdbus_pool_slice_zero(slice, off,
						    part->inline_size);
		} else {
			struct iovec iov = {
				.iov_base = u64_to_user_ptr(part->address),
				.iov_len = part->size,
			};

			ret = kdbus_pool_slice_copy_iovec(slice, off, &iov, 1,
							  part->size);
		}
		if (ret < 0)
			return ret;
		off += part->inline_size;
	}

	if (off < size)
		ret = kdbus_pool_slice_zero(slice, off, size - off);
	return ret;
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)
#include "message_test.c"
#endif
