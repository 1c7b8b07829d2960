/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - messages
 *
 * A message on its way from a sender to its receivers is "staged": SEND
 * copies the 64-byte header and the items (at most 8 KiB) into the kernel,
 * validates them, resolves the passed files and renders, once, the header
 * and the items every receiver gets (struct kdbus_staging). The inline
 * payload is not copied here: kdbus_staging_emit() copies it straight
 * from the sender's memory into each receiver's pool slice, which is the
 * only copy of the payload.
 *
 * Layout of a message in the pool:
 *   header | DST_NAME | PAYLOAD_OFF/PAYLOAD_MEMFD per part | FDS |
 *   metadata room | payload bytes | zero padding
 * The metadata room depends on what the receiver asked for; it is zeroed
 * at SEND and the items are written into it, and the header's size field
 * set, when the receiver receives the message (see metadata.h).
 * File descriptor numbers in PAYLOAD_MEMFD and FDS items are rendered as
 * -1 and patched by RECV when it installs the files.
 *
 * Ownership: a staging belongs to the SEND (or notification) that made it
 * and is freed with kdbus_staging_free(); it holds a reference to every
 * passed file. Queue entries take their own file references and their
 * own references to the metadata snapshots. No locking: a staging is used
 * by the one task that sends it; only @meta changes once it is built, as
 * receivers are added (kdbus_meta_stage_collect()).
 */

#ifndef __KDBUS_MESSAGE_H
#define __KDBUS_MESSAGE_H

#include <linux/types.h>
#include <linux/uio.h>
#include <uapi/linux/kdbus.h>

#include "metadata.h"

struct file;
struct kdbus_bus;
struct kdbus_conn;
struct kdbus_pool_slice;

/**
 * struct kdbus_staging_part - one part of the payload stream
 * @address:	PAYLOAD_VEC: user address, 0 for a null vector;
 *		PAYLOAD_MEMFD: start offset in the memfd
 * @size:	Size given by the sender
 * @file:	PAYLOAD_MEMFD: the memfd (reference held), else NULL
 * @stream_off:	Offset of the inline bytes of this part in the payload
 *		stream (0-based)
 * @inline_size: Bytes of this part stored inline (the vector data, or the
 *		size % 8 zero bytes of a null vector or an unaligned memfd)
 * @item_off:	Offset, in the rendered message, of the item describing
 *		the part
 */
struct kdbus_staging_part {
	u64 address;
	u64 size;
	struct file *file;
	size_t stream_off;
	size_t inline_size;
	size_t item_off;
};

/**
 * struct kdbus_staging - a message ready to be queued
 * @msg:		Kernel copy of the sent header and items (user
 *			messages), NULL for kernel notifications
 * @render:		Header and items as every receiver gets them
 * @render_size:	Size of @render, 8-aligned; the kdbus_msg.size seen
 *			by a receiver that gets no metadata
 * @payload_size:	Bytes of inline payload
 * @slice_size:		Size of the pool slice of a receiver that gets no
 *			metadata
 * @dst_name:		DST_NAME string, or NULL
 * @bloom:		BLOOM_FILTER item, or NULL
 * @parts:		Payload parts in item order
 * @n_parts:		Number of @parts
 * @n_memfds:		Number of memfd parts
 * @fds:		Files of the FDS item (references held)
 * @n_fds:		Number of @fds
 * @fds_item_off:	Offset of the FDS item in @render (0 if none)
 * @seq:		Sequence number of the message (domain counter), the
 *			same for every receiver; set by the sender
 * @meta:		Metadata collected for the receivers so far
 */
struct kdbus_staging {
	struct kdbus_msg *msg;
	void *render;
	size_t render_size;
	size_t payload_size;
	size_t slice_size;
	const char *dst_name;
	const struct kdbus_item *bloom;
	struct kdbus_staging_part *parts;
	unsigned int n_parts;
	unsigned int n_memfds;
	struct file **fds;
	unsigned int n_fds;
	size_t fds_item_off;
	u64 seq;
	struct kdbus_meta_stage meta;
};

struct kdbus_staging *kdbus_staging_new_user(struct kdbus_bus *bus,
					     struct kdbus_conn *conn,
					     u64 msg_address);
struct kdbus_staging *kdbus_staging_new_kernel(u64 dst_id, u64 cookie_reply,
					       u64 type, const void *payload,
					       size_t size);
void kdbus_staging_free(struct kdbus_staging *staging);
int kdbus_staging_emit(const struct kdbus_staging *staging,
		       const struct kdbus_pool_slice *slice, size_t meta_size);

/**
 * kdbus_staging_header() - the message header as receivers see it
 * @staging:	Staged message
 *
 * Return: the rendered header.
 */
static inline const struct kdbus_msg *
kdbus_staging_header(const struct kdbus_staging *staging)
{
	return staging->render;
}

#endif /* __KDBUS_MESSAGE_H */
