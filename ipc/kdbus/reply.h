/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - reply trackers
 *
 * A unicast message with KDBUS_MSG_EXPECT_REPLY creates a reply tracker:
 * the caller (reply_dst) waits for a reply with a given cookie from the
 * callee (reply_src) until an absolute CLOCK_MONOTONIC deadline. Only the
 * callee may answer, only once, only while the tracker exists.
 *
 * Ownership and references (kref):
 *  - A tracker is pending while it is linked into the caller's
 *    kdbus_conn.reply_list; that link holds a reference. While pending it
 *    is also linked into the callee's kdbus_conn.reply_src_list, so that
 *    the callee's disconnection finds the requests it leaves unanswered
 *    without visiting other connections; that link holds no reference of
 *    its own. kdbus_reply_link() and kdbus_reply_unlink() add and remove
 *    both links together. A queued request (its queue entry) and a
 *    synchronous caller waiting on it hold one reference each.
 *  - A tracker holds references to both connections, so both lists it is
 *    linked into outlive it.
 *
 * Locking: @entry, @waiting, @interrupted, @err and @queue_entry are
 * protected by the caller's kdbus_conn.lock. @src_entry is protected by
 * the callee's kdbus_conn.reply_src_lock, a spinlock taken inside the
 * caller's kdbus_conn.lock (never the other way round, and never with a
 * second connection's lock). The disconnecting callee may take a tracker
 * off its list with only its reply_src_lock held: it takes a reference
 * there and then handles the tracker under the caller's lock, after
 * checking that @entry is still linked. @cookie, @deadline_ns, @sync and
 * @reply_dst never change. @reply_src changes only when a request moves
 * with a well-known name from an activator to the name's new owner or
 * back (kdbus_conn_move_messages()): under the caller's lock, while the
 * tracker is moved from one reply_src_list to the other under their
 * reply_src_locks, one after the other.
 */

#ifndef __KDBUS_REPLY_H
#define __KDBUS_REPLY_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>

struct kdbus_conn;
struct kdbus_queue_entry;

/**
 * struct kdbus_reply - a pending reply
 * @kref:		Reference count
 * @entry:		Link in the caller's reply_list (empty when removed)
 * @src_entry:		Link in the callee's reply_src_list (empty when
 *			removed)
 * @reply_src:		Callee, the only connection that may answer
 * @reply_dst:		Caller, who gets the reply
 * @cookie:		Cookie of the request
 * @deadline_ns:	Absolute CLOCK_MONOTONIC deadline
 * @sync:		Synchronous call (KDBUS_SEND_SYNC_REPLY)
 * @waiting:		Synchronous: the reply has not been delivered
 * @interrupted:	Synchronous: the waiting SEND was interrupted by a
 *			signal and may be restarted
 * @err:		Synchronous: result for the waiting caller
 * @queue_entry:	Synchronous: the reply, once delivered
 */
struct kdbus_reply {
	struct kref kref;
	struct list_head entry;
	struct list_head src_entry;
	struct kdbus_conn *reply_src;
	struct kdbus_conn *reply_dst;
	u64 cookie;
	u64 deadline_ns;
	bool sync;
	bool waiting;
	bool interrupted;
	int err;
	struct kdbus_queue_entry *queue_entry;
};

struct kdbus_reply *kdbus_reply_new(struct kdbus_conn *reply_src,
				    struct kdbus_conn *reply_dst,
				    u64 cookie, u64 deadline_ns, bool sync);
struct kdbus_reply *kdbus_reply_ref(struct kdbus_reply *r);
struct kdbus_reply *kdbus_reply_unref(struct kdbus_reply *r);
void kdbus_reply_link(struct kdbus_reply *r);
void kdbus_reply_unlink(struct kdbus_reply *r);
void kdbus_reply_complete(struct kdbus_reply *r, int err,
			  struct kdbus_queue_entry *entry);
struct kdbus_reply *kdbus_reply_find(struct kdbus_conn *replying,
				     struct kdbus_conn *reply_dst,
				     u64 cookie);
void kdbus_reply_timeout_work(struct work_struct *work);
void kdbus_reply_schedule(struct kdbus_conn *conn);

#endif /* __KDBUS_REPLY_H */
