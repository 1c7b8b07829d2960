/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - connections
 *
 * A connection is a peer on a bus, created by KDBUS_CMD_HELLO on a handle
 * of an endpoint file. It owns a receive pool and a queue, and is
 * addressed by its id.
 *
 * Ownership and references:
 *  - struct kdbus_conn is reference counted (kref). References are held
 *    by the CONNECTED handle, by the bus registry while linked (id hash,
 *    monitor list), by the endpoint's connection list while linked, by
 *    reply trackers (both ends) and temporarily by senders.
 *  - @active counts active references (struct kdbus_active, see
 *    active.h), taken with kdbus_conn_acquire() by the connection's own
 *    ioctls (senders only hold a reference and check, under the
 *    receiver's lock, that it is still connected). A connection is NEW
 *    until HELLO activates it; kdbus_conn_disconnect() deactivates it (no
 *    new active reference), waits until the active references are gone
 *    and then tears it down exactly once. Blocking waits (synchronous
 *    calls) never hold an active reference; lockdep reports a disconnect
 *    while holding one.
 *  - The reply trackers that involve a connection are reachable from it
 *    in both directions: its own requests through @reply_list, the
 *    requests it is to answer through @reply_src_list. Disconnection
 *    visits these two lists only, never the other connections of the
 *    bus. Both links of a tracker belong to the tracker (see reply.h).
 *  - A connection holds references to its endpoint (and so its bus) and
 *    its accounting user; the connection count of that user is charged
 *    from HELLO until the connection is disconnected.
 *
 * Locking:
 *  - @lock protects @queue, @reply_list, @quota_list and the reply
 *    trackers linked into @reply_list.
 *  - @reply_src_lock, a spinlock, protects @reply_src_list. It is a leaf:
 *    it is taken inside the lock of the caller of a tracker (which may be
 *    another connection, or this one) and nothing is taken inside it.
 *  - The bus's conn_rwlock protects @hentry, @monitor_entry,
 *    @match_msg_entry and @match_notify_entry; the endpoint's lock
 *    protects @ep_entry; the name registry's lock protects @names_list
 *    and @name_count; @match_db has its own lock (see match.h).
 *  - @id, @flags, @ep, @user, @privileged, @description, @pool, @cred,
 *    @meta_proc and @meta_faked are set by HELLO and never change;
 *    the attach masks and counters are atomic.
 *  - Lock order: see Documentation/kdbus.txt. Two connection locks are
 *    held at the same time only while messages move between an activator
 *    and the owner of its name (kdbus_conn_move_messages()): the ordinary
 *    connection's first, the activator's nested inside; an activator
 *    never takes another connection's lock. A connection's @lock and
 *    another's @reply_src_lock may be held together.
 */

#ifndef __KDBUS_CONNECTION_H
#define __KDBUS_CONNECTION_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/kdbus.h>

#include "active.h"
#include "match.h"
#include "queue.h"

struct cred;
struct file;
struct poll_table_struct;
struct vm_area_struct;
struct kdbus_ep;
struct kdbus_meta_proc;
struct kdbus_name_entry;
struct kdbus_pool;
struct kdbus_staging;
struct kdbus_user;

/**
 * struct kdbus_quota - what one sending user has queued at a receiver
 * @entry:	Link in kdbus_conn.quota_list
 * @user:	Sending user (reference held), NULL for the kernel
 * @memory:	Bytes of queued slices
 * @msgs:	Number of queued messages
 * @fds:	Number of queued fds
 */
struct kdbus_quota {
	struct list_head entry;
	struct kdbus_user *user;
	u32 memory;
	u16 msgs;
	u8 fds;
};

/**
 * struct kdbus_conn - a connection
 * @kref:		Reference count
 * @active:		Active-reference count and state
 * @id:			Unique id
 * @flags:		KDBUS_HELLO_* flags
 * @attach_flags_send:	Metadata the connection agrees to send
 * @attach_flags_recv:	Metadata the connection wants to receive
 * @privileged:		Created from a privileged handle
 * @description:	CONN_DESCRIPTION given at HELLO, or NULL
 * @name:		ACTIVATOR/POLICY_HOLDER: the NAME given at HELLO
 * @ep:			Endpoint the connection was made on
 * @user:		Accounting user (connection count)
 * @cred:		Credentials of the HELLO caller
 * @meta_proc:		Process metadata of the HELLO caller (what CONN_INFO
 *			reports), or the faked items of a privileged HELLO
 * @meta_faked:		@meta_proc holds faked items: messages of this
 *			connection carry no process metadata
 * @hentry:		Link in the bus's id hash
 * @monitor_entry:	Link in the bus's monitor list
 * @match_msg_entry:	Link in the bus's list of connections with matches
 *			for messages of connections
 * @match_notify_entry:	Link in the bus's list of connections with matches
 *			for kernel notifications
 * @ep_entry:		Link in the endpoint's connection list
 * @lock:		Protects the queue, replies and quota
 * @queue:		Receive queue
 * @reply_list:		Reply trackers of requests this connection made
 * @reply_src_lock:	Protects @reply_src_list
 * @reply_src_list:	Reply trackers of pending requests to this
 *			connection (it is their reply_src)
 * @quota_list:		Per-user quota of this receiver
 * @names_list:		Claims on well-known names (struct kdbus_name_owner)
 * @name_count:		Number of names owned as primary owner
 * @match_db:		Match rules
 * @work:		Reply timeout handling
 * @request_count:	Number of trackers in @reply_list
 * @lost_count:		Dropped-message counter
 * @wait:		Woken on new messages, lost messages, replies and
 *			disconnect; also the wait queue of @active
 * @pool:		Receive pool
 * @rcu:		Deferred free, for lookups by id under RCU
 */
struct kdbus_conn {
	struct kref kref;
	struct kdbus_active active;
	u64 id;
	u64 flags;
	atomic64_t attach_flags_send;
	atomic64_t attach_flags_recv;
	bool privileged;
	const char *description;
	const char *name;
	struct kdbus_ep *ep;
	struct kdbus_user *user;
	const struct cred *cred;
	struct kdbus_meta_proc *meta_proc;
	bool meta_faked;
	struct hlist_node hentry;
	struct list_head monitor_entry;
	struct list_head match_msg_entry;
	struct list_head match_notify_entry;
	struct list_head ep_entry;
	struct mutex lock; /* protects queue, reply_list, quota_list */
	struct kdbus_queue queue;
	struct list_head reply_list;
	spinlock_t reply_src_lock; /* protects reply_src_list */
	struct list_head reply_src_list;
	struct list_head quota_list;
	struct list_head names_list;
	unsigned int name_count;
	struct kdbus_match_db match_db;
	struct delayed_work work;
	atomic_t request_count;
	atomic_t lost_count;
	wait_queue_head_t wait;
	struct kdbus_pool *pool;
	struct rcu_head rcu;
};

struct kdbus_conn *kdbus_conn_ref(struct kdbus_conn *conn);
struct kdbus_conn *kdbus_conn_unref(struct kdbus_conn *conn);
bool kdbus_conn_acquire(struct kdbus_conn *conn);
void kdbus_conn_release(struct kdbus_conn *conn);
bool kdbus_conn_active(const struct kdbus_conn *conn);
int kdbus_conn_disconnect(struct kdbus_conn *conn, bool ensure_queue_empty);

struct kdbus_conn *kdbus_cmd_hello(struct kdbus_ep *ep, bool privileged,
				   void __user *argp);
int kdbus_cmd_byebye_unlocked(struct kdbus_conn *conn, void __user *argp);
int kdbus_cmd_conn_info(struct kdbus_conn *conn, void __user *argp);
int kdbus_cmd_bus_creator_info(struct kdbus_conn *conn, void __user *argp);
int kdbus_cmd_update(struct kdbus_conn *conn, void __user *argp);
int kdbus_cmd_send(struct kdbus_conn *conn, struct file *f,
		   void __user *argp);
int kdbus_cmd_recv(struct kdbus_conn *conn, void __user *argp);
int kdbus_cmd_free(struct kdbus_conn *conn, void __user *argp);
__poll_t kdbus_conn_poll(struct kdbus_conn *conn, struct file *file,
			 struct poll_table_struct *wait);
int kdbus_conn_mmap(struct kdbus_conn *conn, struct vm_area_struct *vma);

struct kdbus_queue_entry *
kdbus_conn_entry_make(struct kdbus_conn *dst, struct kdbus_user *user,
		      struct kdbus_staging *staging, bool accept_fds);
void kdbus_conn_entry_discard(struct kdbus_conn *dst,
			      struct kdbus_queue_entry *entry);
int kdbus_conn_entry_insert(struct kdbus_conn *conn_src,
			    struct kdbus_conn *conn_dst,
			    struct kdbus_staging *staging,
			    struct kdbus_reply *reply,
			    const struct kdbus_name_entry *name);
void kdbus_conn_move_messages(struct kdbus_conn *conn_src,
			      struct kdbus_conn *conn_dst, u64 name_id,
			      bool all_requests, struct list_head *notify);
void kdbus_conn_lost_message(struct kdbus_conn *conn);
void kdbus_conn_entry_unaccount(struct kdbus_conn *conn,
				struct kdbus_queue_entry *entry);

/**
 * kdbus_conn_is_ordinary() - whether a connection is an ordinary one
 * @conn:	Connection
 *
 * Return: true unless @conn is an activator, policy holder or monitor.
 */
static inline bool kdbus_conn_is_ordinary(const struct kdbus_conn *conn)
{
	return !(conn->flags & (KDBUS_HELLO_ACTIVATOR |
				KDBUS_HELLO_POLICY_HOLDER |
				KDBUS_HELLO_MONITOR));
}

/**
 * kdbus_conn_is_activator() - whether a connection is an activator
 * @conn:	Connection
 *
 * Return: true for activators.
 */
static inline bool kdbus_conn_is_activator(const struct kdbus_conn *conn)
{
	return conn->flags & KDBUS_HELLO_ACTIVATOR;
}

/**
 * kdbus_conn_is_monitor() - whether a connection is a monitor
 * @conn:	Connection
 *
 * Return: true for monitors.
 */
static inline bool kdbus_conn_is_monitor(const struct kdbus_conn *conn)
{
	return conn->flags & KDBUS_HELLO_MONITOR;
}

#endif /* __KDBUS_CONNECTION_H */
