// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - reply trackers
 */

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "bus.h"
#include "connection.h"
#include "endpoint.h"
#include "notify.h"
#include "queue.h"
#include "reply.h"

/**
 * kdbus_reply_new() - create a reply tracker
 * @reply_src:		Callee, the connection that is to answer
 * @reply_dst:		Caller, the connection waiting for the reply
 * @cookie:		Cookie of the request
 * @deadline_ns:	Absolute CLOCK_MONOTONIC deadline
 * @sync:		Whether the caller waits synchronously
 *
 * Return: the tracker (one reference, unlinked), or NULL.
 */
struct kdbus_reply *kdbus_reply_new(struct kdbus_conn *reply_src,
				    struct kdbus_conn *reply_dst,
				    u64 cookie, u64 deadline_ns, bool sync)
{
	struct kdbus_reply *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;

	kref_init(&r->kref);
	INIT_LIST_HEAD(&r->entry);
	INIT_LIST_HEAD(&r->src_entry);
	r->reply_src = kdbus_conn_ref(reply_src);
	r->reply_dst = kdbus_conn_ref(reply_dst);
	r->cookie = cookie;
	r->deadline_ns = deadline_ns;
	r->sync = sync;
	r->waiting = sync;
	return r;
}

static void kdbus_reply_free(struct kref *kref)
{
	struct kdbus_reply *r = container_of(kref, struct kdbus_reply, kref);

	WARN_ON(!list_empty(&r->entry) || !list_empty(&r->src_entry));
	/* a delivered synchronous reply nobody picked up */
	kdbus_queue_entry_free(r->queue_entry);
	kdbus_conn_unref(r->reply_src);
	kdbus_conn_unref(r->reply_dst);
	kfree(r);
}

/**
 * kdbus_reply_ref() - take a reference to a tracker
 * @r:		Tracker, or NULL
 *
 * Return: @r.
 */
struct kdbus_reply *kdbus_reply_ref(struct kdbus_reply *r)
{
	if (r)
		kref_get(&r->kref);
	return r;
}

/**
 * kdbus_reply_unref() - drop a reference to a tracker
 * @r:		Tracker, or NULL
 *
 * Return: NULL.
 */
struct kdbus_reply *kdbus_reply_unref(struct kdbus_reply *r)
{
	if (r)
		kref_put(&r->kref, kdbus_reply_free);
	return NULL;
}

/**
 * kdbus_reply_link() - make a tracker pending
 * @r:		Unlinked tracker
 *
 * Links @r into the caller's reply_list and the callee's reply_src_list.
 * The caller holds the lock of @r->reply_dst.
 */
void kdbus_reply_link(struct kdbus_reply *r)
{
	struct kdbus_conn *conn = r->reply_dst;
	struct kdbus_conn *src = r->reply_src;

	lockdep_assert_held(&conn->lock);
	list_add_tail(&r->entry, &conn->reply_list);
	spin_lock(&src->reply_src_lock);
	list_add_tail(&r->src_entry, &src->reply_src_list);
	spin_unlock(&src->reply_src_lock);
	atomic_inc(&conn->request_count);
	kdbus_reply_ref(r);
	kdbus_reply_schedule(conn);
}

/**
 * kdbus_reply_unlink() - remove a tracker from the pending ones
 * @r:		Tracker, linked or not
 *
 * Removes @r from the caller's reply_list and, unless the disconnecting
 * callee took it off already, from the callee's reply_src_list. The
 * caller holds the lock of @r->reply_dst and a reference to @r.
 */
void kdbus_reply_unlink(struct kdbus_reply *r)
{
	struct kdbus_conn *src = r->reply_src;

	lockdep_assert_held(&r->reply_dst->lock);
	if (list_empty(&r->entry))
		return;
	list_del_init(&r->entry);
	spin_lock(&src->reply_src_lock);
	list_del_init(&r->src_entry);
	spin_unlock(&src->reply_src_lock);
	atomic_dec(&r->reply_dst->request_count);
	kdbus_reply_unref(r);
}

/**
 * kdbus_reply_complete() - end a synchronous call
 * @r:		Linked synchronous tracker still waiting
 * @err:	Result for the caller
 * @entry:	The reply, or NULL
 *
 * Stores the result and wakes the caller. The tracker stays linked until
 * the caller takes the result: a caller interrupted by a signal finds it
 * again when its call is restarted. The caller of this function holds the
 * lock of @r->reply_dst.
 */
void kdbus_reply_complete(struct kdbus_reply *r, int err,
			  struct kdbus_queue_entry *entry)
{
	lockdep_assert_held(&r->reply_dst->lock);
	r->err = err;
	r->queue_entry = entry;
	WRITE_ONCE(r->waiting, false);
	wake_up_interruptible_all(&r->reply_dst->wait);
}

/**
 * kdbus_reply_find() - find the tracker a reply answers
 * @replying:	Connection sending the reply
 * @reply_dst:	Connection the reply goes to (the caller)
 * @cookie:	Cookie the reply answers
 *
 * The caller holds the lock of @reply_dst.
 *
 * Return: the pending tracker (no new reference), or NULL.
 */
struct kdbus_reply *kdbus_reply_find(struct kdbus_conn *replying,
				     struct kdbus_conn *reply_dst,
				     u64 cookie)
{
	struct kdbus_reply *r;

	lockdep_assert_held(&reply_dst->lock);
	list_for_each_entry(r, &reply_dst->reply_list, entry)
		if (r->cookie == cookie && r->reply_src == replying &&
		    (!r->sync || r->waiting))
			return r;
	return NULL;
}

/*
 * Whether the timeout work handles the deadline of @r: every tracker but
 * those of synchronous callers that are waiting, which handle their
 * deadline themselves.
 */
static bool kdbus_reply_timed_by_work(const struct kdbus_reply *r)
{
	return !r->sync || r->interrupted;
}

/* the earliest deadline the timeout work handles, U64_MAX if none */
static u64 kdbus_reply_next_deadline(const struct list_head *reply_list)
{
	const struct kdbus_reply *r;
	u64 next = U64_MAX;

	list_for_each_entry(r, reply_list, entry)
		if (kdbus_reply_timed_by_work(r))
			next = min(next, r->deadline_ns);
	return next;
}

/**
 * kdbus_reply_schedule() - arm the timeout handling of a connection
 * @conn:	Caller connection; its lock is held
 *
 * Schedules kdbus_reply_timeout_work() for the earliest deadline of the
 * trackers nobody waits on synchronously. A waiting synchronous caller
 * handles its own deadline; counting it here would make the work, which
 * skips it, re-arm itself at once for as long as the caller has not run.
 */
void kdbus_reply_schedule(struct kdbus_conn *conn)
{
	u64 now = ktime_get_ns(), next;

	lockdep_assert_held(&conn->lock);
	next = kdbus_reply_next_deadline(&conn->reply_list);
	if (next == U64_MAX)
		return;

	mod_delayed_work(system_wq, &conn->work,
			 next <= now ? 0 : nsecs_to_jiffies(next - now) + 1);
}

/**
 * kdbus_reply_timeout_work() - handle expired reply trackers
 * @work:	kdbus_conn.work of the caller connection
 *
 * Expired asynchronous trackers are removed and the caller gets a
 * REPLY_TIMEOUT notification; expired synchronous trackers whose caller
 * is not waiting (interrupted by a signal) are removed silently. A caller
 * waiting synchronously handles its deadline itself.
 */
void kdbus_reply_timeout_work(struct work_struct *work)
{
	struct kdbus_conn *conn = container_of(to_delayed_work(work),
					       struct kdbus_conn, work);
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_reply *r, *tmp;
	u64 now = ktime_get_ns();
	LIST_HEAD(notify);

	mutex_lock(&conn->lock);
	list_for_each_entry_safe(r, tmp, &conn->reply_list, entry) {
		if (r->deadline_ns > now || !kdbus_reply_timed_by_work(r))
			continue;
		if (!r->sync)
			kdbus_notify_reply(bus, &notify,
					   KDBUS_ITEM_REPLY_TIMEOUT, conn->id,
					   r->cookie);
		/* a reply nobody will pick up releases its quota now */
		if (r->queue_entry) {
			kdbus_conn_entry_unaccount(conn, r->queue_entry);
			kdbus_queue_entry_free(r->queue_entry);
			r->queue_entry = NULL;
		}
		kdbus_reply_unlink(r);
	}
	/* re-arm for the trackers that are not due yet */
	kdbus_reply_schedule(conn);
	mutex_unlock(&conn->lock);

	kdbus_notify_flush(bus, &notify);
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)
#include "reply_test.c"
#endif
