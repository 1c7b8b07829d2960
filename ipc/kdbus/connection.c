// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - connections
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <uapi/linux/kdbus.h>

#include "active.h"
#include "bus.h"
#include "connection.h"
#include "domain.h"
#include "endpoint.h"
#include "item.h"
#include "limits.h"
#include "message.h"
#include "match.h"
#include "metadata.h"
#include "names.h"
#include "validate.h"
#include "notify.h"
#include "policy.h"
#include "pool.h"
#include "queue.h"
#include "reply.h"

#define KDBUS_HELLO_SPECIAL	(KDBUS_HELLO_ACTIVATOR |		\
				 KDBUS_HELLO_POLICY_HOLDER |		\
				 KDBUS_HELLO_MONITOR)

/**
 * kdbus_conn_ref() - take a reference to a connection
 * @conn:	Connection, or NULL
 *
 * Return: @conn.
 */
struct kdbus_conn *kdbus_conn_ref(struct kdbus_conn *conn)
{
	if (conn)
		kref_get(&conn->kref);
	return conn;
}

static void kdbus_conn_free(struct kref *kref)
{
	struct kdbus_conn *conn = container_of(kref, struct kdbus_conn, kref);

	WARN_ON(!list_empty(&conn->queue.msg_list));
	WARN_ON(!list_empty(&conn->reply_list));
	WARN_ON(!list_empty(&conn->reply_src_list));

	if (conn->pool)
		kdbus_pool_free(conn->pool);
	if (conn->cred)
		put_cred(conn->cred);
	kdbus_meta_proc_unref(conn->meta_proc);
	kdbus_user_unref(conn->user);
	if (conn->ep)
		kdbus_ep_unref(conn->ep);
	kfree(conn->description);
	kfree(conn->name);
	/* lookups by id run under RCU: see kdbus_bus_find_conn_by_id() */
	kfree_rcu(conn, rcu);
}

/**
 * kdbus_conn_unref() - drop a reference to a connection
 * @conn:	Connection, or NULL
 *
 * Return: NULL.
 */
struct kdbus_conn *kdbus_conn_unref(struct kdbus_conn *conn)
{
	if (conn)
		kref_put(&conn->kref, kdbus_conn_free);
	return NULL;
}

/**
 * kdbus_conn_active() - whether a connection is connected
 * @conn:	Connection
 *
 * Return: true between HELLO and the start of the disconnect.
 */
bool kdbus_conn_active(const struct kdbus_conn *conn)
{
	return kdbus_active_is_active(&conn->active);
}

/**
 * kdbus_conn_acquire() - take an active reference
 * @conn:	Connection
 *
 * Return: true on success, false if the connection is not (or no
 * longer) connected.
 */
bool kdbus_conn_acquire(struct kdbus_conn *conn)
{
	return kdbus_active_acquire(&conn->active);
}

/**
 * kdbus_conn_release() - drop an active reference
 * @conn:	Connection
 */
void kdbus_conn_release(struct kdbus_conn *conn)
{
	kdbus_active_release(&conn->active);
}

/* quota of @user at receiver @conn */
static struct kdbus_quota *kdbus_conn_quota(struct kdbus_conn *conn,
					    struct kdbus_user *user,
					    bool create)
{
	struct kdbus_quota *q;

	lockdep_assert_held(&conn->lock);
	list_for_each_entry(q, &conn->quota_list, entry)
		if (q->user == user)
			return q;

	if (!create)
		return NULL;

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return NULL;
	q->user = kdbus_user_ref(user);
	list_add(&q->entry, &conn->quota_list);
	return q;
}

/*
 * Charge a message of @size bytes with @fds fds from @user to receiver
 * @conn, if the quota rules of the receiver permit.
 */
static int kdbus_conn_quota_inc(struct kdbus_conn *conn,
				struct kdbus_user *user, size_t size,
				unsigned int fds)
{
	struct kdbus_quota *q;
	size_t pool, acc, half, h;

	lockdep_assert_held(&conn->lock);
	q = kdbus_conn_quota(conn, user, true);
	if (!q)
		return -ENOMEM;

	kdbus_pool_accounted(conn->pool, &pool, &acc);
	half = pool / 2;

	/* half of the pool is reserved for the owner */
	if (acc > half)
		return -ENOBUFS;

	/* each user gets a third of the free half, its own usage counted */
	h = (half - acc + q->memory) / 3;
	if (q->memory > h || size > h - q->memory)
		return -ENOBUFS;
	if ((u64)q->memory + size > U32_MAX)
		return -ENOBUFS;
	if (q->msgs >= KDBUS_CONN_MAX_MSGS)
		return -ENOBUFS;
	if (q->fds + fds > KDBUS_CONN_MAX_FDS_PER_USER)
		return -EMFILE;

	q->memory += size;
	q->msgs++;
	q->fds += fds;
	return 0;
}

/*
 * Release what kdbus_conn_quota_inc() charged; conn->lock held. A receiver
 * that disconnected meanwhile has dropped all its quota already (a sender
 * may have been copying into its pool then): nothing is left to release.
 */
static void kdbus_conn_quota_dec(struct kdbus_conn *conn,
				 struct kdbus_user *user, size_t size,
				 unsigned int fds)
{
	struct kdbus_quota *q = kdbus_conn_quota(conn, user, false);

	lockdep_assert_held(&conn->lock);
	if (!q)
		return;

	q->memory -= size;
	q->msgs--;
	q->fds -= fds;
}

static void kdbus_conn_quota_clear(struct kdbus_conn *conn)
{
	struct kdbus_quota *q, *tmp;

	list_for_each_entry_safe(q, tmp, &conn->quota_list, entry) {
		list_del(&q->entry);
		kdbus_user_unref(q->user);
		kfree(q);
	}
}

/**
 * kdbus_conn_entry_unaccount() - release the quota of an entry
 * @conn:	Receiver the entry was charged at; its lock is held
 * @entry:	Entry that is not (or no longer) linked into the queue
 */
void kdbus_conn_entry_unaccount(struct kdbus_conn *conn,
				struct kdbus_queue_entry *entry)
{
	lockdep_assert_held(&conn->lock);
	kdbus_conn_quota_dec(conn, entry->user,
			     kdbus_pool_slice_size(entry->slice),
			     entry->n_fds);
}

/* unlink a received or discarded entry and release its quota */
static void kdbus_conn_entry_remove(struct kdbus_conn *conn,
				    struct kdbus_queue_entry *entry)
{
	lockdep_assert_held(&conn->lock);
	kdbus_queue_unlink(&conn->queue, entry);
	kdbus_conn_entry_unaccount(conn, entry);
}

/**
 * kdbus_conn_lost_message() - count a message that could not be queued
 * @conn:	Receiver
 */
void kdbus_conn_lost_message(struct kdbus_conn *conn)
{
	if (atomic_inc_return(&conn->lost_count) == 1)
		wake_up_interruptible(&conn->wait);
}

/* the LSMs decide whether the files of a message may reach @dst */
static int kdbus_conn_check_files(struct kdbus_conn *dst,
				  const struct kdbus_staging *staging)
{
	unsigned int i;
	int ret;

	for (i = 0; i < staging->n_parts; i++) {
		if (!staging->parts[i].file)
			continue;
		ret = security_kdbus_transfer_file(current_cred(), dst->cred,
						   staging->parts[i].file);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < staging->n_fds; i++) {
		ret = security_kdbus_transfer_file(current_cred(), dst->cred,
						   staging->fds[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/**
 * kdbus_conn_entry_make() - write a message into a receiver's pool
 * @dst:	Receiver
 * @user:	Accounting user to charge, NULL for the kernel
 * @staging:	Message
 * @accept_fds:	Whether the receiver takes messages carrying fds
 *
 * Collects the metadata @dst gets (its receive mask now), then allocates
 * and fills a slice for @staging in the pool of @dst, with room for that
 * metadata. The quota and the slice are reserved under the receiver's
 * lock, the payload is copied with no lock held.
 *
 * Return: the entry, not linked into any queue, or an ERR_PTR:
 * -ECONNRESET, -ECOMM, -ENOBUFS, -EMFILE, -EXFULL, -EFAULT, -ENOMEM.
 */
struct kdbus_queue_entry *
kdbus_conn_entry_make(struct kdbus_conn *dst, struct kdbus_user *user,
		      struct kdbus_staging *staging, bool accept_fds)
{
	struct kdbus_queue_entry *entry;
	struct kdbus_pool_slice *slice;
	size_t size, meta_size;
	u64 attach;
	int ret;

	ret = kdbus_conn_check_files(dst, staging);
	if (ret < 0)
		return ERR_PTR(ret);

	attach = kdbus_meta_stage_collect(&staging->meta,
					  atomic64_read(&dst->attach_flags_recv));
	meta_size = kdbus_meta_size(staging->meta.proc,
				    staging->meta.conn_meta, attach);
	size = staging->slice_size + meta_size;

	mutex_lock(&dst->lock);

	if (!kdbus_conn_active(dst)) {
		ret = -ECONNRESET;
		goto exit_unlock;
	}

	if (staging->n_fds && !accept_fds) {
		ret = -ECOMM;
		goto exit_unlock;
	}

	ret = kdbus_conn_quota_inc(dst, user, size, staging->n_fds);
	if (ret < 0)
		goto exit_unlock;

	slice = kdbus_pool_slice_alloc(dst->pool, size, true);
	if (IS_ERR(slice)) {
		ret = PTR_ERR(slice);
		goto exit_quota;
	}

	mutex_unlock(&dst->lock);

	ret = kdbus_staging_emit(staging, slice, meta_size);
	entry = ret < 0 ? NULL :
		kdbus_queue_entry_new(staging, slice, attach, meta_size);
	if (!entry) {
		if (!ret)
			ret = -ENOMEM;
		kdbus_pool_slice_release(slice);
		mutex_lock(&dst->lock);
		goto exit_quota;
	}

	entry->user = kdbus_user_ref(user);
	return entry;

exit_quota:
	kdbus_conn_quota_dec(dst, user, size, staging->n_fds);
exit_unlock:
	mutex_unlock(&dst->lock);
	return ERR_PTR(ret);
}

/**
 * kdbus_conn_entry_discard() - free an entry that was never linked
 * @dst:	Receiver the entry was made for
 * @entry:	Entry from kdbus_conn_entry_make()
 */
void kdbus_conn_entry_discard(struct kdbus_conn *dst,
			      struct kdbus_queue_entry *entry)
{
	mutex_lock(&dst->lock);
	kdbus_conn_quota_dec(dst, entry->user,
			     kdbus_pool_slice_size(entry->slice), entry->n_fds);
	mutex_unlock(&dst->lock);
	kdbus_queue_entry_free(entry);
}

/**
 * kdbus_conn_entry_insert() - queue a message at a connection
 * @conn_src:	Sender, NULL for kernel notifications
 * @conn_dst:	Receiver
 * @staging:	Message
 * @reply:	Tracker of the request the message is, or NULL
 * @name:	Name the message is sent to (reference held), or NULL
 *
 * A message sent to a name is queued only if @conn_dst still owns the
 * name when it is linked, under the receiver's lock: a hand-over between
 * an activator and a new owner moves the queue under that lock after
 * changing the owner, so a message is never left behind at the previous
 * owner.
 *
 * Return: 0 on success; -EAGAIN if @conn_dst no longer owns @name (look
 * the owner up again), -ECONNRESET if the receiver is disconnecting,
 * -ECOMM if the message carries fds the receiver does not accept,
 * -ENOBUFS/-EMFILE on quota, -EXFULL if the pool is full, -EFAULT if the
 * payload could not be read, -ENOMEM.
 */
int kdbus_conn_entry_insert(struct kdbus_conn *conn_src,
			    struct kdbus_conn *conn_dst,
			    struct kdbus_staging *staging,
			    struct kdbus_reply *reply,
			    const struct kdbus_name_entry *name)
{
	struct kdbus_queue_entry *entry;
	bool accept_fds = (conn_dst->flags & KDBUS_HELLO_ACCEPT_FD) ||
			  kdbus_conn_is_monitor(conn_dst);

	entry = kdbus_conn_entry_make(conn_dst, conn_src ? conn_src->user : NULL,
				      staging, accept_fds);
	if (IS_ERR(entry))
		return PTR_ERR(entry);

	mutex_lock(&conn_dst->lock);
	if (!kdbus_conn_active(conn_dst)) {
		mutex_unlock(&conn_dst->lock);
		kdbus_conn_entry_discard(conn_dst, entry);
		return -ECONNRESET;
	}
	if (name && READ_ONCE(name->owner) != conn_dst) {
		mutex_unlock(&conn_dst->lock);
		kdbus_conn_entry_discard(conn_dst, entry);
		return -EAGAIN;
	}
	entry->dst_name_id = name ? name->name_id : 0;
	entry->reply = kdbus_reply_ref(reply);
	kdbus_queue_link(&conn_dst->queue, entry);
	mutex_unlock(&conn_dst->lock);

	wake_up_interruptible(&conn_dst->wait);
	return 0;
}

/*
 * The callee of @r has gone or dropped the request: a synchronous caller
 * gets EPIPE, an asynchronous one a REPLY_DEAD notification.
 */
static void kdbus_conn_reply_dead(struct kdbus_reply *r,
				  struct list_head *notify)
{
	struct kdbus_conn *caller = r->reply_dst;

	mutex_lock(&caller->lock);
	if (!list_empty(&r->entry)) {
		if (r->sync) {
			if (r->waiting)
				kdbus_reply_complete(r, -EPIPE, NULL);
		} else {
			kdbus_notify_reply(caller->ep->bus, notify,
					   KDBUS_ITEM_REPLY_DEAD, caller->id,
					   r->cookie);
			kdbus_reply_unlink(r);
		}
	}
	mutex_unlock(&caller->lock);
}

/*
 * End the requests that still await a reply from @conn, which is being
 * disconnected: one REPLY_DEAD or EPIPE each (kdbus_conn_reply_dead()).
 * They are found through @conn's reply_src_list, so no other connection
 * is visited. The list is moved aside under reply_src_lock, which bounds
 * the work to the trackers that existed at this point; each tracker is
 * then taken off (with a reference) under that lock and handled under its
 * caller's lock, which kdbus_conn_reply_dead() takes and under which it
 * checks that the tracker is still pending. A caller that unlinks a
 * tracker meanwhile removes it from the moved list under reply_src_lock,
 * so the list stays consistent.
 */
static void kdbus_conn_end_requests(struct kdbus_conn *conn,
				    struct list_head *notify)
{
	struct kdbus_reply *r;
	LIST_HEAD(replies);

	spin_lock(&conn->reply_src_lock);
	list_splice_init(&conn->reply_src_list, &replies);
	spin_unlock(&conn->reply_src_lock);

	for (;;) {
		spin_lock(&conn->reply_src_lock);
		r = list_first_entry_or_null(&replies, struct kdbus_reply,
					     src_entry);
		if (r) {
			list_del_init(&r->src_entry);
			kdbus_reply_ref(r);
		}
		spin_unlock(&conn->reply_src_lock);

		if (!r)
			break;

		kdbus_conn_reply_dead(r, notify);
		kdbus_reply_unref(r);
	}
}

/*
 * A request to @from is to be answered by @to: re-target its tracker,
 * under the caller's lock, if it is still pending there.
 */
static void kdbus_conn_retarget(struct kdbus_reply *r, struct kdbus_conn *from,
				struct kdbus_conn *to)
{
	struct kdbus_conn *caller = r->reply_dst;

	mutex_lock(&caller->lock);
	if (!list_empty(&r->entry) && r->reply_src == from) {
		spin_lock(&from->reply_src_lock);
		list_del_init(&r->src_entry);
		spin_unlock(&from->reply_src_lock);

		WRITE_ONCE(r->reply_src, kdbus_conn_ref(to));
		spin_lock(&to->reply_src_lock);
		list_add_tail(&r->src_entry, &to->reply_src_list);
		spin_unlock(&to->reply_src_lock);
		kdbus_conn_unref(from);
	}
	mutex_unlock(&caller->lock);
}

/* re-target every request still awaiting a reply from @from */
static void kdbus_conn_retarget_all(struct kdbus_conn *from,
				    struct kdbus_conn *to)
{
	struct kdbus_reply *r;
	LIST_HEAD(replies);

	/* as kdbus_conn_end_requests(): a moved-aside list, one at a time */
	spin_lock(&from->reply_src_lock);
	list_splice_init(&from->reply_src_list, &replies);
	spin_unlock(&from->reply_src_lock);

	for (;;) {
		spin_lock(&from->reply_src_lock);
		r = list_first_entry_or_null(&replies, struct kdbus_reply,
					     src_entry);
		if (r) {
			list_del_init(&r->src_entry);
			kdbus_reply_ref(r);
		}
		spin_unlock(&from->reply_src_lock);

		if (!r)
			break;

		/* off the list already: kdbus_conn_retarget() links it anew */
		kdbus_conn_retarget(r, from, to);
		kdbus_reply_unref(r);
	}
}

/*
 * Queue @entry, taken off another connection's queue, at @dst: charged to
 * its original sender, in a new slice of @dst's pool.
 */
static int kdbus_conn_entry_move(struct kdbus_conn *dst,
				 struct kdbus_queue_entry *entry)
{
	size_t size = kdbus_pool_slice_size(entry->slice);
	struct kdbus_pool_slice *slice;
	int ret;

	lockdep_assert_held(&dst->lock);

	if (!kdbus_conn_active(dst))
		return -ECONNRESET;
	if (entry->n_fds && !(dst->flags & KDBUS_HELLO_ACCEPT_FD))
		return -ECOMM;

	ret = kdbus_conn_quota_inc(dst, entry->user, size, entry->n_fds);
	if (ret < 0)
		return ret;

	slice = kdbus_pool_slice_alloc(dst->pool, size, true);
	if (IS_ERR(slice)) {
		ret = PTR_ERR(slice);
		goto exit_quota;
	}

	ret = kdbus_pool_slice_copy(slice, entry->slice);
	if (ret < 0) {
		kdbus_pool_slice_release(slice);
		goto exit_quota;
	}

	kdbus_pool_slice_release(entry->slice);
	entry->slice = slice;
	/* senders may have queued newer messages at @dst meanwhile */
	kdbus_queue_link_ordered(&dst->queue, entry);
	return 0;

exit_quota:
	kdbus_conn_quota_dec(dst, entry->user, size, entry->n_fds);
	return ret;
}

/**
 * kdbus_conn_move_messages() - move queued messages between an activator
 *				and the owner of its name
 * @conn_src:		Connection the messages are queued at
 * @conn_dst:		Connection that gets them
 * @name_id:		Move only the messages sent to this registration of
 *			the name; 0: all of them
 * @all_requests:	Also re-target every request still awaiting a reply
 *			from @conn_src (a hand-over from an activator, which
 *			never answers)
 * @notify:		Staged notifications of the calling operation
 *
 * One of the two connections is an activator, the other an ordinary one.
 * The name registry lock is held for writing, and the owner of the name
 * was changed to @conn_dst before: a sender that still queues at
 * @conn_src after the move finds the new owner when it links its message
 * (kdbus_conn_entry_insert()) and sends it again. The messages keep their
 * order and go behind the ones already queued at @conn_dst, which cannot
 * receive any of them before the move is complete. A message that cannot
 * be moved (quota, pool space, fds the receiver does not accept) is
 * dropped and counted as lost at @conn_dst; if it was a request still
 * awaiting its reply, its caller is told as when a receiver drops it.
 * Requests that moved are then answered by @conn_dst.
 *
 * Context: takes the lock of the ordinary connection, then the
 * activator's nested inside it; the copies read only kernel memory.
 */
void kdbus_conn_move_messages(struct kdbus_conn *conn_src,
			      struct kdbus_conn *conn_dst, u64 name_id,
			      bool all_requests, struct list_head *notify)
{
	struct kdbus_conn *outer = conn_src, *inner = conn_dst;
	struct kdbus_queue_entry *entry, *tmp;
	unsigned int lost = 0, i, n = 0;
	struct kdbus_reply **moved;
	LIST_HEAD(dropped);

	if (kdbus_conn_is_activator(conn_src))
		swap(outer, inner);

	/* requests to an activator: answered by the new owner from now on */
	if (all_requests)
		kdbus_conn_retarget_all(conn_src, conn_dst);

	mutex_lock(&outer->lock);
	mutex_lock_nested(&inner->lock, SINGLE_DEPTH_NESTING);

	list_for_each_entry(entry, &conn_src->queue.msg_list, entry)
		n++;
	moved = kmalloc_array(n, sizeof(*moved), GFP_KERNEL);
	n = 0;

	list_for_each_entry_safe(entry, tmp, &conn_src->queue.msg_list,
				 entry) {
		if (name_id && entry->dst_name_id != name_id)
			continue;

		kdbus_conn_entry_remove(conn_src, entry);
		/* a request whose tracker cannot follow it is dropped */
		if ((entry->reply && !all_requests && !moved) ||
		    kdbus_conn_entry_move(conn_dst, entry) < 0) {
			list_add_tail(&entry->entry, &dropped);
			lost++;
		} else if (entry->reply && !all_requests) {
			moved[n++] = kdbus_reply_ref(entry->reply);
		}
	}

	mutex_unlock(&inner->lock);
	mutex_unlock(&outer->lock);

	while (lost--)
		kdbus_conn_lost_message(conn_dst);
	wake_up_interruptible(&conn_dst->wait);

	for (i = 0; i < n; i++) {
		kdbus_conn_retarget(moved[i], conn_src, conn_dst);
		kdbus_reply_unref(moved[i]);
	}
	kfree(moved);

	list_for_each_entry_safe(entry, tmp, &dropped, entry) {
		list_del(&entry->entry);
		if (entry->reply)
			kdbus_conn_reply_dead(entry->reply, notify);
		kdbus_queue_entry_free(entry);
	}
}

/* an activator's or policy holder's entries of the bus policy go with it */
static void kdbus_conn_policy_remove(struct kdbus_conn *conn)
{
	if (conn->flags & (KDBUS_HELLO_ACTIVATOR | KDBUS_HELLO_POLICY_HOLDER))
		kdbus_policy_db_remove_owner(&conn->ep->bus->policy_db, conn);
}

/**
 * kdbus_conn_disconnect() - disconnect a connection
 * @conn:		Connection
 * @ensure_queue_empty:	Fail with -EBUSY if messages are queued (BYEBYE)
 *
 * Deactivates the connection, waits until its active references are
 * gone and tears it down: it leaves the bus, queued messages are
 * discarded, callers of requests it did not answer are told, its own
 * requests are forgotten, and ID_REMOVE is sent. Must not be called with
 * an active reference to @conn held (lockdep checks it). Only the
 * trackers that involve @conn are visited, never the other connections
 * of the bus.
 *
 * Return: 0 on success, -EALREADY if the connection was already
 * disconnected, -EBUSY (only with @ensure_queue_empty).
 */
int kdbus_conn_disconnect(struct kdbus_conn *conn, bool ensure_queue_empty)
{
	struct kdbus_ep *ep = conn->ep;
	struct kdbus_bus *bus = ep->bus;
	struct kdbus_queue_entry *entry, *etmp;
	struct kdbus_reply *r, *rtmp;
	LIST_HEAD(entries);
	LIST_HEAD(notify);
	bool linked;

	mutex_lock(&conn->lock);
	if (kdbus_active_is_new(&conn->active)) {
		/* never activated: HELLO failed before it was visible */
		kdbus_active_deactivate(&conn->active);
		atomic_dec(&conn->user->connections);
		mutex_unlock(&conn->lock);
		kdbus_conn_policy_remove(conn);
		return 0;
	}
	if (!kdbus_active_is_active(&conn->active)) {
		mutex_unlock(&conn->lock);
		return -EALREADY;
	}
	if (ensure_queue_empty && conn->queue.count > 0) {
		mutex_unlock(&conn->lock);
		return -EBUSY;
	}
	/* under the lock: exactly one caller gets here */
	kdbus_active_deactivate(&conn->active);
	mutex_unlock(&conn->lock);

	/* synchronous waiters of this connection return ECONNRESET */
	wake_up_interruptible_all(&conn->wait);
	/* the only drainer, so it always tears down */
	kdbus_active_drain(&conn->active);

	/* no longer addressable, no longer a receiver of broadcasts */
	down_write(&bus->conn_rwlock);
	hash_del_rcu(&conn->hentry);
	list_del_init(&conn->monitor_entry);
	list_del_init(&conn->match_msg_entry);
	list_del_init(&conn->match_notify_entry);
	up_write(&bus->conn_rwlock);
	kdbus_conn_unref(conn);
	kdbus_match_db_clear(&conn->match_db);
	kdbus_conn_policy_remove(conn);

	mutex_lock(&ep->lock);
	linked = !list_empty(&conn->ep_entry);
	list_del_init(&conn->ep_entry);
	mutex_unlock(&ep->lock);
	if (linked)
		kdbus_conn_unref(conn);

	cancel_delayed_work_sync(&conn->work);

	/*
	 * Names pass to their next owners; messages queued here for a name
	 * that returns to its activator move back to it.
	 */
	kdbus_name_release_all(&bus->name_registry, conn, &notify);

	/* discard the queue and forget the connection's own requests */
	mutex_lock(&conn->lock);
	list_for_each_entry_safe(entry, etmp, &conn->queue.msg_list, entry) {
		kdbus_conn_entry_remove(conn, entry);
		list_add_tail(&entry->entry, &entries);
	}
	list_for_each_entry_safe(r, rtmp, &conn->reply_list, entry) {
		if (r->queue_entry) {
			kdbus_conn_entry_unaccount(conn, r->queue_entry);
			kdbus_queue_entry_free(r->queue_entry);
			r->queue_entry = NULL;
		}
		kdbus_reply_unlink(r);
	}
	kdbus_conn_quota_clear(conn);
	mutex_unlock(&conn->lock);

	list_for_each_entry_safe(entry, etmp, &entries, entry) {
		list_del(&entry->entry);
		kdbus_queue_entry_free(entry);
	}

	/*
	 * Requests to this connection that are still awaiting a reply,
	 * whether still queued (discarded above) or received.
	 */
	kdbus_conn_end_requests(conn, &notify);

	if (!kdbus_conn_is_monitor(conn))
		kdbus_notify_id_change(bus, &notify, KDBUS_ITEM_ID_REMOVE,
				       conn->id, conn->flags);

	atomic_dec(&conn->user->connections);
	/* wakes everybody still waiting on conn->wait */
	kdbus_active_drained(&conn->active);
	kdbus_notify_flush(bus, &notify);
	return 0;
}

/* HELLO items besides the checks of the argument parser */
static int kdbus_hello_check_items(struct kdbus_args *args, bool privileged,
				   const char **name)
{
	struct kdbus_item *item;

	item = kdbus_args_item(args, KDBUS_ITEM_NAME);
	*name = item ? item->str : NULL;

	if (!privileged &&
	    (kdbus_args_item(args, KDBUS_ITEM_CREDS) ||
	     kdbus_args_item(args, KDBUS_ITEM_PIDS) ||
	     kdbus_args_item(args, KDBUS_ITEM_SECLABEL)))
		return -EPERM;

	return 0;
}

/*
 * The process identity of a new connection: exactly the faked items of a
 * privileged HELLO if there are any (their ids must exist in the caller's
 * namespaces), else everything about the calling task.
 */
static struct kdbus_meta_proc *kdbus_hello_meta(struct kdbus_args *args,
						bool *faked)
{
	struct kdbus_item *creds = kdbus_args_item(args, KDBUS_ITEM_CREDS);
	struct kdbus_item *pids = kdbus_args_item(args, KDBUS_ITEM_PIDS);
	struct kdbus_item *label = kdbus_args_item(args, KDBUS_ITEM_SECLABEL);
	struct kdbus_meta_proc *mp;
	int ret;

	mp = kdbus_meta_proc_new();
	if (!mp)
		return ERR_PTR(-ENOMEM);

	*faked = creds || pids || label;
	if (!*faked) {
		kdbus_meta_proc_collect(mp, KDBUS_ATTACH_PROC_KINDS);
		return mp;
	}

	ret = kdbus_meta_proc_fake(mp, creds ? &creds->creds : NULL,
				   pids ? &pids->pids : NULL,
				   label ? label->str : NULL);
	if (ret < 0) {
		kdbus_meta_proc_unref(mp);
		return ERR_PTR(ret);
	}
	return mp;
}

/* the HELLO slice: one BLOOM_PARAMETER item */
static int kdbus_hello_slice(struct kdbus_conn *conn, struct kdbus_bus *bus,
			     u64 *offset, u64 *size)
{
	struct {
		u64 size;
		u64 type;
		struct kdbus_bloom_parameter bloom;
	} item = {
		.size = sizeof(item),
		.type = KDBUS_ITEM_BLOOM_PARAMETER,
		.bloom = bus->bloom,
	};
	struct kvec kvec = { .iov_base = &item, .iov_len = sizeof(item) };

	return kdbus_pool_publish_kvec(conn->pool, &kvec, 1, sizeof(item),
				       offset, size);
}

static struct kdbus_conn *kdbus_conn_new(struct kdbus_ep *ep, bool privileged,
					 struct kdbus_cmd_hello *hello,
					 const char *name,
					 const char *description,
					 struct kdbus_meta_proc *meta,
					 bool meta_faked)
{
	struct kdbus_bus *bus = ep->bus;
	struct kdbus_conn *conn;
	struct kdbus_user *user;
	char *pool_name;
	int ret;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn) {
		kdbus_meta_proc_unref(meta);
		return ERR_PTR(-ENOMEM);
	}

	kref_init(&conn->kref);
	init_waitqueue_head(&conn->wait);
	kdbus_active_init(&conn->active, &conn->wait);
	mutex_init(&conn->lock);
	kdbus_queue_init(&conn->queue);
	INIT_LIST_HEAD(&conn->reply_list);
	spin_lock_init(&conn->reply_src_lock);
	INIT_LIST_HEAD(&conn->reply_src_list);
	INIT_LIST_HEAD(&conn->quota_list);
	INIT_LIST_HEAD(&conn->monitor_entry);
	INIT_LIST_HEAD(&conn->match_msg_entry);
	INIT_LIST_HEAD(&conn->match_notify_entry);
	INIT_LIST_HEAD(&conn->ep_entry);
	INIT_LIST_HEAD(&conn->names_list);
	kdbus_match_db_init(&conn->match_db);
	INIT_HLIST_NODE(&conn->hentry);
	INIT_DELAYED_WORK(&conn->work, kdbus_reply_timeout_work);

	conn->ep = kdbus_ep_ref(ep);
	conn->flags = hello->flags;
	conn->privileged = privileged;
	atomic64_set(&conn->attach_flags_send, hello->attach_flags_send);
	atomic64_set(&conn->attach_flags_recv, hello->attach_flags_recv);
	conn->cred = get_current_cred();
	conn->meta_proc = meta;
	conn->meta_faked = meta_faked;

	if (description) {
		conn->description = kstrdup(description, GFP_KERNEL);
		if (!conn->description) {
			ret = -ENOMEM;
			goto exit_unref;
		}
	}
	if (name) {
		conn->name = kstrdup(name, GFP_KERNEL);
		if (!conn->name) {
			ret = -ENOMEM;
			goto exit_unref;
		}
	}

	pool_name = description ? kasprintf(GFP_KERNEL, "kdbus-conn:%s",
					    description) :
				  kstrdup("kdbus-conn", GFP_KERNEL);
	if (!pool_name) {
		ret = -ENOMEM;
		goto exit_unref;
	}
	conn->pool = kdbus_pool_new(pool_name, hello->pool_size);
	kfree(pool_name);
	if (IS_ERR(conn->pool)) {
		ret = PTR_ERR(conn->pool);
		conn->pool = NULL;
		goto exit_unref;
	}

	/* custom endpoints account to their anonymous user */
	user = ep->user ? kdbus_user_ref(ep->user) :
			  kdbus_user_lookup(bus->domain, current_uid());
	if (IS_ERR(user)) {
		ret = PTR_ERR(user);
		goto exit_unref;
	}
	conn->user = user;

	if (atomic_inc_return(&user->connections) > KDBUS_USER_MAX_CONN) {
		atomic_dec(&user->connections);
		ret = -EMFILE;
		goto exit_unref;
	}

	return conn;

exit_unref:
	kdbus_conn_unref(conn);
	return ERR_PTR(ret);
}

/* make @conn visible: bus registry, endpoint list, active */
static int kdbus_conn_connect(struct kdbus_conn *conn)
{
	struct kdbus_ep *ep = conn->ep;
	struct kdbus_bus *bus = ep->bus;
	int ret = 0;

	mutex_lock(&ep->lock);
	down_write(&bus->conn_rwlock);

	if (!kdbus_node_is_active(&ep->node)) {
		ret = -ESHUTDOWN;
		goto exit_unlock;
	}

	conn->id = kdbus_domain_next_id(bus->domain);
	hash_add_rcu(bus->conn_hash, &conn->hentry, conn->id);
	if (kdbus_conn_is_monitor(conn))
		list_add_tail(&conn->monitor_entry, &bus->monitors_list);
	kdbus_conn_ref(conn);
	list_add_tail(&conn->ep_entry, &ep->conn_list);
	kdbus_conn_ref(conn);
	kdbus_active_activate(&conn->active);

exit_unlock:
	up_write(&bus->conn_rwlock);
	mutex_unlock(&ep->lock);
	return ret;
}

/**
 * kdbus_cmd_hello() - KDBUS_CMD_HELLO
 * @ep:		Endpoint the handle was opened on (active reference held)
 * @privileged:	Whether the handle is privileged
 * @argp:	User argument
 *
 * Return: the new connection (reference owned by the caller), NULL after
 * a KDBUS_FLAG_NEGOTIATE probe, or an ERR_PTR.
 */
struct kdbus_conn *kdbus_cmd_hello(struct kdbus_ep *ep, bool privileged,
				   void __user *argp)
{
	struct kdbus_cmd_hello *hello;
	struct kdbus_bus *bus = ep->bus;
	struct kdbus_conn *conn = NULL;
	const char *name, *description = NULL;
	struct kdbus_item *item;
	struct kdbus_args args;
	u64 attach_send, attach_recv, special;
	struct kdbus_meta_proc *meta;
	bool meta_faked;
	LIST_HEAD(notify);
	int ret;

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_HELLO),
			       argp);
	if (ret)
		return ret < 0 ? ERR_PTR(ret) : NULL;

	hello = (struct kdbus_cmd_hello *)args.cmd;
	special = hello->flags & KDBUS_HELLO_SPECIAL;

	ret = kdbus_hello_check_items(&args, privileged, &name);
	item = kdbus_args_item(&args, KDBUS_ITEM_CONN_DESCRIPTION);
	if (item)
		description = item->str;

	if (!hello->pool_size || !PAGE_ALIGNED(hello->pool_size) ||
	    hello->pool_size > SIZE_MAX) {
		ret = -EINVAL;
	} else if (hweight64(special) > 1) {
		ret = -EINVAL;
	} else if (!!name != !!(special & (KDBUS_HELLO_ACTIVATOR |
					   KDBUS_HELLO_POLICY_HOLDER))) {
		ret = -EINVAL;
	} else if (name && !kdbus_name_is_valid(name, true)) {
		ret = -EINVAL;
	} else if ((special & KDBUS_HELLO_MONITOR) && kdbus_ep_is_custom(ep)) {
		ret = -EOPNOTSUPP;
	} else if (special && !privileged) {
		ret = -EPERM;
	}
	/* else: the privilege check of the fake items above */
	if (ret < 0)
		goto exit;

	ret = kdbus_sanitize_attach_flags(hello->attach_flags_send,
					  &attach_send);
	if (ret < 0)
		goto exit;
	ret = kdbus_sanitize_attach_flags(hello->attach_flags_recv,
					  &attach_recv);
	if (ret < 0)
		goto exit;
	if (bus->attach_flags_req & ~attach_send) {
		ret = -ECONNREFUSED;
		goto exit;
	}

	/* an activator holds one concrete name */
	if ((special & KDBUS_HELLO_ACTIVATOR) && strchr(name, '*')) {
		ret = -EINVAL;
		goto exit;
	}

	ret = security_kdbus_connect(current_cred(), bus->creator_cred);
	if (ret < 0)
		goto exit;
	/* an activator owns its name (the kdbus policy: it is privileged) */
	if (special & KDBUS_HELLO_ACTIVATOR) {
		ret = security_kdbus_own_name(current_cred(), bus->creator_cred,
					      name);
		if (ret < 0)
			goto exit;
	}

	/* the connection owns it from here on, even on failure */
	meta = kdbus_hello_meta(&args, &meta_faked);
	if (IS_ERR(meta)) {
		ret = PTR_ERR(meta);
		goto exit;
	}

	hello->attach_flags_send = attach_send;
	hello->attach_flags_recv = attach_recv;
	conn = kdbus_conn_new(ep, privileged, hello, name, description, meta,
			      meta_faked);
	if (IS_ERR(conn)) {
		ret = PTR_ERR(conn);
		conn = NULL;
		goto exit;
	}

	ret = kdbus_hello_slice(conn, bus, &hello->offset, &hello->items_size);
	if (ret < 0)
		goto exit;

	/* activators and policy holders: their entry of the bus policy */
	if (special & (KDBUS_HELLO_ACTIVATOR | KDBUS_HELLO_POLICY_HOLDER)) {
		ret = kdbus_policy_db_set(&bus->policy_db, conn, args.items,
					  args.items_size,
					  special & KDBUS_HELLO_POLICY_HOLDER);
		if (ret < 0)
			goto exit;
	}

	ret = kdbus_conn_connect(conn);
	if (ret < 0)
		goto exit;

	if (!kdbus_conn_is_monitor(conn))
		kdbus_notify_id_change(bus, &notify, KDBUS_ITEM_ID_ADD,
				       conn->id, conn->flags);

	/* an activator owns its name unless somebody else does */
	if (kdbus_conn_is_activator(conn)) {
		u64 return_flags = 0;

		ret = kdbus_name_acquire(&bus->name_registry, conn, conn->name,
					 KDBUS_NAME_ACTIVATOR, &return_flags,
					 &notify);
		if (ret < 0) {
			kdbus_notify_flush(bus, &notify);
			goto exit;
		}
	}

	hello->id = conn->id;
	hello->bus_flags = bus->bus_flags;
	memcpy(hello->id128, bus->id128, sizeof(hello->id128));

	if (copy_to_user(argp + offsetof(struct kdbus_cmd_hello, bus_flags),
			 &hello->bus_flags,
			 sizeof(*hello) - offsetof(struct kdbus_cmd_hello,
						   bus_flags)))
		ret = -EFAULT;

	kdbus_notify_flush(bus, &notify);
	if (ret < 0)
		kdbus_conn_disconnect(conn, false);

exit:
	ret = kdbus_args_clear(&args, ret);
	if (ret < 0) {
		if (conn) {
			kdbus_conn_disconnect(conn, false);
			kdbus_conn_unref(conn);
		}
		return ERR_PTR(ret);
	}
	return conn;
}

/**
 * kdbus_cmd_byebye_unlocked() - KDBUS_CMD_BYEBYE
 * @conn:	Connection; the caller holds no active reference
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_byebye_unlocked(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_args args;
	int ret;

	if (!kdbus_conn_is_ordinary(conn))
		return -EOPNOTSUPP;

	if (!kdbus_conn_active(conn))
		return -ECONNRESET;

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_BYEBYE),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	ret = kdbus_conn_disconnect(conn, true);
	if (ret == -EALREADY)
		ret = -ECONNRESET;
	return kdbus_args_clear(&args, ret);
}

/*
 * Write a kdbus_info result into a new slice of @conn's pool: @id, @flags,
 * a MAKE_NAME item if @make_name is given, and the metadata @mask selects
 * from @mp and @mc, as the caller sees it (never a TIMESTAMP). The slice
 * is exactly as large as what is written.
 */
static int kdbus_conn_info_slice(struct kdbus_conn *conn, u64 id, u64 flags,
				 const char *make_name,
				 const struct kdbus_meta_proc *mp,
				 const struct kdbus_meta_conn *mc, u64 mask,
				 u64 *offset, u64 *size)
{
	size_t len = make_name ? strlen(make_name) + 1 : 0;
	size_t pos = sizeof(struct kdbus_info);
	struct kdbus_info *info;
	struct kvec kvec;
	int ret;

	mask &= ~KDBUS_ATTACH_TIMESTAMP;
	info = kzalloc(pos + ALIGN(KDBUS_ITEM_HEADER_SIZE + len, 8) +
		       kdbus_meta_size(mp, mc, mask), GFP_KERNEL);
	if (!info)
		return -ENOMEM;

	info->id = id;
	info->flags = flags;
	if (make_name) {
		struct kdbus_item *item = (void *)info + pos;

		item->size = KDBUS_ITEM_HEADER_SIZE + len;
		item->type = KDBUS_ITEM_MAKE_NAME;
		memcpy(item->str, make_name, len);
		pos += ALIGN(item->size, 8);
	}
	pos += kdbus_meta_emit((void *)info + pos, mp, mc, NULL, mask);
	info->size = pos;

	kvec.iov_base = info;
	kvec.iov_len = pos;
	ret = kdbus_pool_publish_kvec(conn->pool, &kvec, 1, pos, offset, size);
	kfree(info);
	return ret;
}

/**
 * kdbus_cmd_conn_info() - KDBUS_CMD_CONN_INFO
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_conn_info(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_cmd_info *cmd;
	struct kdbus_conn *target;
	struct kdbus_item *item;
	struct kdbus_meta_conn *mc;
	struct kdbus_args args;
	u64 attach;
	int ret;

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_CONN_INFO),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	cmd = (struct kdbus_cmd_info *)args.cmd;
	ret = kdbus_sanitize_attach_flags(cmd->attach_flags, &attach);
	if (ret < 0)
		goto exit;

	item = kdbus_args_item(&args, KDBUS_ITEM_NAME);
	if (item) {
		struct kdbus_name_entry *e;

		e = kdbus_name_lookup(&bus->name_registry, item->str);
		target = e ? kdbus_name_get_owner(e) : NULL;
		kdbus_name_unref(e);
		/* with an id too, the owner must have it */
		if (target && cmd->id && cmd->id != target->id)
			target = kdbus_conn_unref(target);
		if (target &&
		    !kdbus_policy_may_see_name(conn, current_cred(), item->str))
			target = kdbus_conn_unref(target);
		if (!target) {
			ret = -ESRCH;
			goto exit;
		}
	} else if (!cmd->id) {
		ret = -EINVAL;
		goto exit;
	} else {
		target = kdbus_bus_find_conn_by_id(bus, cmd->id);
		if (target &&
		    !kdbus_policy_may_see_conn(conn, current_cred(), target))
			target = kdbus_conn_unref(target);
		if (!target) {
			ret = -ENXIO;
			goto exit;
		}
	}

	/* process metadata from HELLO, names and description of now */
	attach &= atomic64_read(&target->attach_flags_send) &
		  kdbus_meta_module_mask();
	mc = kdbus_meta_conn_new(target, attach);
	if (IS_ERR(mc)) {
		ret = PTR_ERR(mc);
	} else {
		ret = kdbus_conn_info_slice(conn, target->id, target->flags,
					    NULL, target->meta_proc, mc,
					    attach, &cmd->offset,
					    &cmd->info_size);
		kdbus_meta_conn_unref(mc);
	}
	kdbus_conn_unref(target);
	if (ret < 0)
		goto exit;

	if (put_user(cmd->offset, &((struct kdbus_cmd_info __user *)argp)->offset) ||
	    put_user(cmd->info_size,
		     &((struct kdbus_cmd_info __user *)argp)->info_size))
		ret = -EFAULT;

exit:
	return kdbus_args_clear(&args, ret);
}

/**
 * kdbus_cmd_bus_creator_info() - KDBUS_CMD_BUS_CREATOR_INFO
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_bus_creator_info(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_cmd_info __user *uinfo = argp;
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_cmd_info *cmd;
	struct kdbus_args args;
	u64 attach;
	int ret;

	ret = kdbus_args_parse(&args,
			       kdbus_cmd_spec_find(KDBUS_CMD_BUS_CREATOR_INFO),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	cmd = (struct kdbus_cmd_info *)args.cmd;
	ret = kdbus_sanitize_attach_flags(cmd->attach_flags, &attach);
	if (ret < 0)
		goto exit;

	/* what the creator agreed to reveal of itself at BUS_MAKE */
	attach &= bus->attach_flags_owner & kdbus_meta_module_mask() &
		  KDBUS_ATTACH_PROC_KINDS;
	ret = kdbus_conn_info_slice(conn, bus->id, bus->bus_flags,
				    bus->node.name, bus->creator_meta, NULL,
				    attach, &cmd->offset, &cmd->info_size);
	if (ret < 0)
		goto exit;

	if (put_user(cmd->offset, &uinfo->offset) ||
	    put_user(cmd->info_size, &uinfo->info_size))
		ret = -EFAULT;

exit:
	return kdbus_args_clear(&args, ret);
}

/**
 * kdbus_cmd_update() - KDBUS_CMD_UPDATE
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_update(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_item *item_send, *item_recv, *item;
	bool holder = conn->flags & KDBUS_HELLO_POLICY_HOLDER;
	u64 attach_send = 0, attach_recv = 0;
	struct kdbus_args args;
	unsigned int n_names = 0;
	bool policy = false;
	int ret;

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_UPDATE),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	item_send = kdbus_args_item(&args, KDBUS_ITEM_ATTACH_FLAGS_SEND);
	item_recv = kdbus_args_item(&args, KDBUS_ITEM_ATTACH_FLAGS_RECV);

	if (item_send && !kdbus_conn_is_ordinary(conn) &&
	    !kdbus_conn_is_monitor(conn)) {
		ret = -EOPNOTSUPP;
		goto exit;
	}
	if (item_recv && holder) {
		ret = -EOPNOTSUPP;
		goto exit;
	}

	for (item = args.items; kdbus_item_in(item, args.items,
					      args.items_size);
	     item = kdbus_item_next(item)) {
		if (item->type != KDBUS_ITEM_NAME &&
		    item->type != KDBUS_ITEM_POLICY_ACCESS)
			continue;
		if (!holder) {
			ret = -EOPNOTSUPP;
			goto exit;
		}
		policy = true;
		if (item->type == KDBUS_ITEM_NAME && ++n_names > 1) {
			ret = -E2BIG;
			goto exit;
		}
	}

	if (item_send) {
		ret = kdbus_sanitize_attach_flags(item_send->data64[0],
						  &attach_send);
		if (ret < 0)
			goto exit;
		if (bus->attach_flags_req & ~attach_send) {
			ret = -EINVAL;
			goto exit;
		}
	}
	if (item_recv) {
		ret = kdbus_sanitize_attach_flags(item_recv->data64[0],
						  &attach_recv);
		if (ret < 0)
			goto exit;
	}

	/* the holder's entry is replaced as a whole; on failure it stays */
	if (policy) {
		ret = kdbus_policy_db_set(&bus->policy_db, conn, args.items,
					  args.items_size, true);
		if (ret < 0)
			goto exit;
	}

	if (item_send)
		atomic64_set(&conn->attach_flags_send, attach_send);
	if (item_recv)
		atomic64_set(&conn->attach_flags_recv, attach_recv);

exit:
	return kdbus_args_clear(&args, ret);
}

/**
 * kdbus_cmd_recv() - KDBUS_CMD_RECV
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_recv(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_cmd_recv __user *urecv = argp;
	struct kdbus_queue_entry *entry;
	struct kdbus_reply *reply = NULL;
	struct kdbus_msg_info info = { };
	struct kdbus_cmd_recv *cmd;
	struct kdbus_args args;
	unsigned int lost;
	int ret;

	if (conn->flags & KDBUS_HELLO_POLICY_HOLDER)
		return -EOPNOTSUPP;

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_RECV),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	cmd = (struct kdbus_cmd_recv *)args.cmd;
	if ((cmd->flags & KDBUS_RECV_DROP) &&
	    (cmd->flags & KDBUS_RECV_USE_PRIORITY)) {
		ret = -EINVAL;
		goto exit;
	}

	info.offset = kdbus_pool_size(conn->pool);

	mutex_lock(&conn->lock);
	entry = kdbus_queue_peek(&conn->queue, cmd->priority,
				 cmd->flags & KDBUS_RECV_USE_PRIORITY);
	lost = atomic_xchg(&conn->lost_count, 0);

	if (!entry) {
		ret = -EAGAIN;
	} else if (cmd->flags & KDBUS_RECV_PEEK) {
		ret = kdbus_queue_entry_install_meta(entry);
		if (!ret)
			kdbus_pool_slice_publish(entry->slice, &info.offset,
						 &info.msg_size);
		entry = NULL;
	} else if (cmd->flags & KDBUS_RECV_DROP) {
		kdbus_conn_entry_remove(conn, entry);
		reply = entry->reply;
		entry->reply = NULL;
	} else {
		/*
		 * The files are installed while the entry is still queued and
		 * our lock keeps other receivers away from it: when that fails
		 * (memory), the message stays queued, nothing is lost. This
		 * touches no user memory and no other connection.
		 */
		ret = kdbus_queue_entry_install(entry,
						conn->flags & KDBUS_HELLO_ACCEPT_FD,
						&info.return_flags);
		if (ret < 0) {
			entry = NULL;
		} else {
			kdbus_conn_entry_remove(conn, entry);
			kdbus_pool_slice_publish(entry->slice, &info.offset,
						 &info.msg_size);
		}
	}
	mutex_unlock(&conn->lock);

	kdbus_queue_entry_free(entry);

	/* a dropped request that still awaits its reply is dead */
	if (reply) {
		LIST_HEAD(notify);

		kdbus_conn_reply_dead(reply, &notify);
		kdbus_reply_unref(reply);
		kdbus_notify_flush(conn->ep->bus, &notify);
	}

	if (ret < 0 && ret != -EAGAIN && lost)
		atomic_add(lost, &conn->lost_count);

	if (ret == 0 || ret == -EAGAIN) {
		cmd->dropped_msgs = lost;
		if (lost)
			cmd->return_flags |= KDBUS_RECV_RETURN_DROPPED_MSGS;
		if (put_user(cmd->dropped_msgs, &urecv->dropped_msgs) ||
		    copy_to_user(&urecv->msg, &info, sizeof(info)))
			ret = -EFAULT;
	}

exit:
	return kdbus_args_clear(&args, ret);
}

/**
 * kdbus_cmd_free() - KDBUS_CMD_FREE
 * @conn:	Connection (active reference held)
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_free(struct kdbus_conn *conn, void __user *argp)
{
	struct kdbus_cmd_free *cmd;
	struct kdbus_args args;
	int ret;

	if (conn->flags & KDBUS_HELLO_POLICY_HOLDER)
		return -EOPNOTSUPP;

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_FREE),
			       argp);
	if (ret)
		return ret < 0 ? ret : 0;

	cmd = (struct kdbus_cmd_free *)args.cmd;
	if (cmd->offset > SIZE_MAX)
		ret = -ENXIO;
	else
		ret = kdbus_pool_release_offset(conn->pool, cmd->offset);

	return kdbus_args_clear(&args, ret);
}

/**
 * kdbus_conn_poll() - poll() of a connection
 * @conn:	Connection
 * @file:	Its file
 * @wait:	Poll table
 *
 * Return: the poll mask.
 */
__poll_t kdbus_conn_poll(struct kdbus_conn *conn, struct file *file,
			 struct poll_table_struct *wait)
{
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &conn->wait, wait);

	if (!kdbus_conn_active(conn))
		return EPOLLERR | EPOLLHUP;

	if (!list_empty_careful(&conn->queue.msg_list) ||
	    atomic_read(&conn->lost_count))
		mask |= EPOLLIN | EPOLLRDNORM;

	return mask;
}

/**
 * kdbus_conn_mmap() - mmap() of a connection: its pool, read-only
 * @conn:	Connection
 * @vma:	Mapping
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_conn_mmap(struct kdbus_conn *conn, struct vm_area_struct *vma)
{
	return kdbus_pool_mmap(conn->pool, vma);
}

