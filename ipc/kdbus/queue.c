// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - receive queue of a connection
 */

#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "domain.h"
#include "item.h"
#include "message.h"
#include "metadata.h"
#include "pool.h"
#include "queue.h"
#include "reply.h"

/**
 * kdbus_queue_init() - initialise a queue
 * @queue:	Queue
 */
void kdbus_queue_init(struct kdbus_queue *queue)
{
	INIT_LIST_HEAD(&queue->msg_list);
	queue->msg_prio = RB_ROOT_CACHED;
	queue->count = 0;
}

/**
 * kdbus_queue_peek() - the entry RECV would take
 * @queue:		Queue
 * @priority:		With @use_priority: the least urgent priority value
 *			acceptable
 * @use_priority:	Take the most urgent entry instead of the oldest
 *
 * Return: the entry, or NULL if the queue is empty or, with
 * @use_priority, holds nothing urgent enough.
 */
struct kdbus_queue_entry *kdbus_queue_peek(struct kdbus_queue *queue,
					   s64 priority, bool use_priority)
{
	struct kdbus_queue_entry *entry;
	struct rb_node *node;

	if (!use_priority)
		return list_first_entry_or_null(&queue->msg_list,
						struct kdbus_queue_entry,
						entry);

	node = rb_first_cached(&queue->msg_prio);
	if (!node)
		return NULL;
	entry = rb_entry(node, struct kdbus_queue_entry, prio_node);
	return entry->priority <= priority ? entry : NULL;
}

/* whether @a goes before @b: by priority, then by sequence if @by_seq */
static bool kdbus_queue_before(const struct kdbus_queue_entry *a,
			       const struct kdbus_queue_entry *b, bool by_seq)
{
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return by_seq && a->seq < b->seq;
}

static void kdbus_queue_insert(struct kdbus_queue *queue,
			       struct kdbus_queue_entry *entry, bool by_seq)
{
	struct rb_node **n = &queue->msg_prio.rb_root.rb_node, *prev = NULL;
	struct list_head *pos = &queue->msg_list;
	bool leftmost = true;

	while (*n) {
		struct kdbus_queue_entry *e;

		prev = *n;
		e = rb_entry(prev, struct kdbus_queue_entry, prio_node);
		if (kdbus_queue_before(entry, e, by_seq)) {
			n = &prev->rb_left;
		} else {
			n = &prev->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&entry->prio_node, prev, n);
	rb_insert_color_cached(&entry->prio_node, &queue->msg_prio, leftmost);

	/* the FIFO: before the newer messages at its end, if by sequence */
	while (by_seq && pos->prev != &queue->msg_list &&
	       list_entry(pos->prev, struct kdbus_queue_entry, entry)->seq >
	       entry->seq)
		pos = pos->prev;
	list_add_tail(&entry->entry, pos);
	queue->count++;
}

/**
 * kdbus_queue_link() - append an entry to a queue
 * @queue:	Queue
 * @entry:	Unlinked entry
 *
 * Entries of equal priority are received in the order they were linked.
 */
void kdbus_queue_link(struct kdbus_queue *queue,
		      struct kdbus_queue_entry *entry)
{
	kdbus_queue_insert(queue, entry, false);
}

/**
 * kdbus_queue_link_ordered() - link an entry by its sequence number
 * @queue:	Queue
 * @entry:	Unlinked entry, taken off another queue
 *
 * The entry goes before the entries of equal priority with a higher
 * sequence number at the end of the queue: a message moved from an
 * activator to the new owner of its name stays ahead of what its sender
 * sent after it straight to the new owner.
 */
void kdbus_queue_link_ordered(struct kdbus_queue *queue,
			      struct kdbus_queue_entry *entry)
{
	kdbus_queue_insert(queue, entry, true);
}

/**
 * kdbus_queue_unlink() - remove an entry from its queue
 * @queue:	Queue
 * @entry:	Entry linked into @queue
 */
void kdbus_queue_unlink(struct kdbus_queue *queue,
			struct kdbus_queue_entry *entry)
{
	rb_erase_cached(&entry->prio_node, &queue->msg_prio);
	list_del_init(&entry->entry);
	queue->count--;
}

/**
 * kdbus_queue_entry_new() - an entry for a staged message
 * @staging:	Staged message, already written into @slice
 * @slice:	Slice holding the message; its kernel reference passes to
 *		the entry
 * @attach:	Metadata kinds the receiver gets (collected in @staging)
 * @meta_size:	Room reserved in @slice for them, after the rendered items
 *
 * Takes references to the files the message carries and to the metadata
 * snapshots.
 *
 * Return: the entry, or NULL if out of memory (the slice is then still
 * the caller's).
 */
struct kdbus_queue_entry *
kdbus_queue_entry_new(const struct kdbus_staging *staging,
		      struct kdbus_pool_slice *slice, u64 attach,
		      size_t meta_size)
{
	const struct kdbus_msg *msg = kdbus_staging_header(staging);
	unsigned int i, n = staging->n_memfds + staging->n_fds;
	struct kdbus_queue_entry *entry;

	entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	if (!entry)
		return NULL;

	INIT_LIST_HEAD(&entry->entry);
	RB_CLEAR_NODE(&entry->prio_node);
	entry->seq = staging->seq;
	entry->priority = msg->priority;
	entry->src_id = msg->src_id;
	entry->cookie = msg->cookie;

	if (n) {
		entry->files = kcalloc(n, sizeof(*entry->files), GFP_KERNEL);
		entry->file_offs = kcalloc(n, sizeof(*entry->file_offs),
					   GFP_KERNEL);
		if (!entry->files || !entry->file_offs) {
			kfree(entry->files);
			kfree(entry->file_offs);
			kfree(entry);
			return NULL;
		}
	}

	for (i = 0; i < staging->n_parts; i++) {
		const struct kdbus_staging_part *part = &staging->parts[i];

		if (!part->file)
			continue;
		entry->files[entry->n_files] = get_file(part->file);
		entry->file_offs[entry->n_files] = part->item_off +
			KDBUS_ITEM_HEADER_SIZE + offsetof(struct kdbus_memfd, fd);
		entry->n_files++;
	}

	for (i = 0; i < staging->n_fds; i++) {
		entry->files[entry->n_files] = get_file(staging->fds[i]);
		entry->file_offs[entry->n_files] = staging->fds_item_off +
			KDBUS_ITEM_HEADER_SIZE + i * sizeof(int);
		entry->n_files++;
	}
	entry->n_fds = staging->n_fds;

	if (meta_size) {
		entry->attach = attach;
		entry->meta_off = staging->render_size;
		entry->meta_size = meta_size;
		entry->meta_proc = kdbus_meta_proc_ref(staging->meta.proc);
		entry->meta_conn = kdbus_meta_conn_ref(staging->meta.conn_meta);
		entry->ts = staging->meta.ts;
	}

	entry->slice = slice;
	return entry;
}

/**
 * kdbus_queue_entry_free() - free an unlinked entry
 * @entry:	Entry, or NULL
 *
 * Drops the kernel reference to the slice (the slice stays if user space
 * holds it), the file references and the reply tracker reference. Quota
 * must have been released by the caller.
 */
void kdbus_queue_entry_free(struct kdbus_queue_entry *entry)
{
	unsigned int i;

	if (!entry)
		return;

	for (i = 0; i < entry->n_files; i++)
		if (entry->files[i])
			fput(entry->files[i]);

	kdbus_pool_slice_release(entry->slice);
	kdbus_reply_unref(entry->reply);
	kdbus_user_unref(entry->user);
	kdbus_meta_proc_unref(entry->meta_proc);
	kdbus_meta_conn_unref(entry->meta_conn);
	kfree(entry->files);
	kfree(entry->file_offs);
	kfree(entry);
}

/* metadata rooms up to this size are rendered on the stack */
#define KDBUS_QUEUE_META_SMALL	160

/**
 * kdbus_queue_entry_install_meta() - write the metadata of a message
 * @entry:	Entry being received (or peeked at)
 *
 * Renders the metadata items into the room reserved for them, as the
 * current task (the receiver) sees them (see kdbus_meta_emit()), zeroes
 * what an omitted item leaves of the room, and sets the size in the
 * message header to the end of the last item. May be repeated.
 *
 * Return: 0, -ENOMEM, or the error of writing the slice.
 */
int kdbus_queue_entry_install_meta(const struct kdbus_queue_entry *entry)
{
	/* enough for TIMESTAMP, CREDS and PIDS without an allocation */
	u64 small[KDBUS_QUEUE_META_SMALL / sizeof(u64)];
	struct kvec kvec;
	u64 msg_size;
	size_t len;
	void *buf;
	int ret;

	if (!entry->meta_size)
		return 0;

	buf = entry->meta_size <= sizeof(small) ? small :
	      kmalloc(entry->meta_size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	len = kdbus_meta_emit(buf, entry->meta_proc, entry->meta_conn,
			      &entry->ts, entry->attach);
	memset(buf + len, 0, entry->meta_size - len);

	kvec.iov_base = buf;
	kvec.iov_len = entry->meta_size;
	ret = kdbus_pool_slice_copy_kvec(entry->slice, entry->meta_off, &kvec,
					 1, kvec.iov_len);
	if (!ret) {
		msg_size = entry->meta_off + len;
		kvec.iov_base = &msg_size;
		kvec.iov_len = sizeof(msg_size);
		ret = kdbus_pool_slice_copy_kvec(entry->slice,
						 offsetof(struct kdbus_msg,
							  size),
						 &kvec, 1, kvec.iov_len);
	}

	if (buf != small)
		kfree(buf);
	return ret;
}

/* install the files of @entry (see kdbus_queue_entry_install()) */
static int kdbus_queue_entry_install_files(struct kdbus_queue_entry *entry,
					   u64 *return_flags)
{
	unsigned int i;
	u64 flags = 0;
	int ret = 0;
	int *fds;

	fds = kmalloc_array(entry->n_files, sizeof(*fds), GFP_KERNEL);
	if (!fds)
		return -ENOMEM;

	for (i = 0; i < entry->n_files; i++) {
		fds[i] = receive_fd(entry->files[i], NULL, O_CLOEXEC);
		if (fds[i] < 0) {
			fds[i] = -1;
			flags |= KDBUS_RECV_RETURN_INCOMPLETE_FDS;
		}
	}

	for (i = 0; i < entry->n_files && !ret; i++) {
		struct kvec kvec = {
			.iov_base = &fds[i],
			.iov_len = sizeof(int),
		};

		ret = kdbus_pool_slice_copy_kvec(entry->slice,
						 entry->file_offs[i], &kvec, 1,
						 sizeof(int));
	}

	if (ret < 0) {
		for (i = 0; i < entry->n_files; i++)
			if (fds[i] >= 0)
				close_fd(fds[i]);
	} else {
		*return_flags |= flags;
	}

	kfree(fds);
	return ret;
}

/**
 * kdbus_queue_entry_install() - complete a received message
 * @entry:		Entry being received
 * @accept_fds:		Whether the receiver accepts fds
 * @return_flags:	KDBUS_RECV_RETURN_INCOMPLETE_FDS is added here when a
 *			descriptor could not be allocated
 *
 * Writes the metadata (kdbus_queue_entry_install_meta()), then installs
 * every file into the calling task with receive_fd(), so that the LSMs
 * see each file crossing (security_file_receive()) and sockets get the
 * receiver's cgroup data, with close-on-exec, and writes the numbers into
 * the slice. A file that cannot be installed (RLIMIT_NOFILE, refused by
 * an LSM) keeps -1 in its slot and the message is delivered with
 * KDBUS_RECV_RETURN_INCOMPLETE_FDS. On failure nothing stays installed
 * and the entry is unchanged, so the message can be received again; the
 * entry keeps its own references to the files either way.
 *
 * Return: 0, -ENOMEM, or the error of writing the slice.
 */
int kdbus_queue_entry_install(struct kdbus_queue_entry *entry,
			      bool accept_fds, u64 *return_flags)
{
	int ret;

	ret = kdbus_queue_entry_install_meta(entry);
	if (ret < 0 || !entry->n_files || !accept_fds)
		return ret;

	return kdbus_queue_entry_install_files(entry, return_flags);
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)
#include "queue_test.c"
#endif
