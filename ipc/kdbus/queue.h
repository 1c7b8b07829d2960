/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - receive queue of a connection
 *
 * Every connection has one queue of messages waiting to be received. An
 * entry sits on a FIFO list and, for KDBUS_RECV_USE_PRIORITY, in a tree
 * ordered by (priority, sequence number).
 *
 * Ownership: an entry is created by the sender for one receiver and owned
 * by the receiver's queue while linked; RECV, RECV_DROP or the teardown of
 * the receiver unlinks and frees it. An entry holds a kernel reference to
 * its pool slice, references to the files it carries, a reference to the
 * accounting user it is charged to, a reference to the reply tracker
 * of the request it is (if it expects a reply), and references to the
 * metadata snapshots its receiver gets items of.
 *
 * Locking: the queue and the entries linked into it are protected by the
 * lock of the receiving connection (kdbus_conn.lock).
 */

#ifndef __KDBUS_QUEUE_H
#define __KDBUS_QUEUE_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <uapi/linux/kdbus.h>

struct file;
struct kdbus_conn;
struct kdbus_meta_conn;
struct kdbus_meta_proc;
struct kdbus_pool_slice;
struct kdbus_reply;
struct kdbus_staging;
struct kdbus_user;

/**
 * struct kdbus_queue - a receive queue
 * @msg_list:	Entries in FIFO order
 * @msg_prio:	Entries ordered by priority, then sequence number
 * @count:	Number of entries
 */
struct kdbus_queue {
	struct list_head msg_list;
	struct rb_root_cached msg_prio;
	unsigned int count;
};

/**
 * struct kdbus_queue_entry - a message queued for one receiver
 * @entry:	Link in kdbus_queue.msg_list
 * @prio_node:	Link in kdbus_queue.msg_prio
 * @seq:	Sequence number (domain counter) of the message
 * @priority:	Priority of the message
 * @src_id:	Id of the sender (0 for the kernel)
 * @cookie:	Cookie of the message
 * @dst_name_id: Registration (kdbus_name_entry.name_id) of the name the
 *		message was sent to, 0 if sent by id
 * @slice:	Slice holding the message (kernel reference)
 * @user:	Accounting user the entry is charged to; NULL for kernel
 *		messages (reserved kernel user)
 * @reply:	Reply tracker of the request this message is (reference)
 * @files:	Files to install at RECV: memfds first, then fds
 * @file_offs:	For each of @files, offset of its fd field in the slice
 * @n_files:	Number of @files
 * @n_fds:	How many of @files came in an FDS item (quota)
 * @attach:	KDBUS_ATTACH_* kinds of metadata the receiver gets
 * @meta_off:	Offset of the metadata room in the slice
 * @meta_size:	Size of the metadata room, 0 if there is no metadata
 * @meta_proc:	Process metadata of the sender (reference), or NULL
 * @meta_conn:	Connection metadata of the sender (reference), or NULL
 * @ts:		Timestamp of the message
 */
struct kdbus_queue_entry {
	struct list_head entry;
	struct rb_node prio_node;
	u64 seq;
	s64 priority;
	u64 src_id;
	u64 cookie;
	u64 dst_name_id;
	struct kdbus_pool_slice *slice;
	struct kdbus_user *user;
	struct kdbus_reply *reply;
	struct file **files;
	size_t *file_offs;
	unsigned int n_files;
	unsigned int n_fds;
	u64 attach;
	size_t meta_off;
	size_t meta_size;
	struct kdbus_meta_proc *meta_proc;
	struct kdbus_meta_conn *meta_conn;
	struct kdbus_timestamp ts;
};

void kdbus_queue_init(struct kdbus_queue *queue);
struct kdbus_queue_entry *kdbus_queue_peek(struct kdbus_queue *queue,
					   s64 priority, bool use_priority);
void kdbus_queue_link(struct kdbus_queue *queue,
		      struct kdbus_queue_entry *entry);
void kdbus_queue_link_ordered(struct kdbus_queue *queue,
			      struct kdbus_queue_entry *entry);
void kdbus_queue_unlink(struct kdbus_queue *queue,
			struct kdbus_queue_entry *entry);

struct kdbus_queue_entry *
kdbus_queue_entry_new(const struct kdbus_staging *staging,
		      struct kdbus_pool_slice *slice, u64 attach,
		      size_t meta_size);
void kdbus_queue_entry_free(struct kdbus_queue_entry *entry);
int kdbus_queue_entry_install_meta(const struct kdbus_queue_entry *entry);
int kdbus_queue_entry_install(struct kdbus_queue_entry *entry,
			      bool accept_fds, u64 *return_flags);

#endif /* __KDBUS_QUEUE_H */
