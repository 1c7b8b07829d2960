// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - sending messages
 *
 * KDBUS_CMD_SEND: the destination of a unicast is found by id or by
 * name, a request gets its reply tracker, and the message is written into
 * the receiver's pool (kdbus_conn_entry_insert()); a reply completes its
 * tracker, a synchronous call waits for its reply, a signal goes only
 * where matches accept it, a broadcast to every accepting connection.
 */

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <uapi/linux/kdbus.h>

#include "bus.h"
#include "connection.h"
#include "domain.h"
#include "endpoint.h"
#include "item.h"
#include "limits.h"
#include "match.h"
#include "message.h"
#include "metadata.h"
#include "names.h"
#include "policy.h"
#include "pool.h"
#include "queue.h"
#include "reply.h"

/*
 * The destination of a unicast: the connection of id dst_id, or the owner
 * of the DST_NAME (then *@name is the name, referenced, for
 * kdbus_conn_entry_insert()).
 */
static struct kdbus_conn *kdbus_conn_lookup_dst(struct kdbus_bus *bus,
						const struct kdbus_staging *s,
						struct kdbus_name_entry **name)
{
	const struct kdbus_msg *msg = kdbus_staging_header(s);
	struct kdbus_name_entry *e;
	struct kdbus_conn *dst;
	int ret;

	*name = NULL;

	if (!s->dst_name) {
		dst = kdbus_bus_find_conn_by_id(bus, msg->dst_id);
		if (!dst)
			return ERR_PTR(-ENXIO);
		if (!kdbus_conn_is_ordinary(dst) || !kdbus_conn_active(dst)) {
			kdbus_conn_unref(dst);
			return ERR_PTR(-ENXIO);
		}
		return dst;
	}

	e = kdbus_name_lookup(&bus->name_registry, s->dst_name);
	if (!e)
		return ERR_PTR(-ESRCH);
	dst = kdbus_name_get_owner(e);
	if (!dst) {
		ret = -ESRCH;
	} else if (msg->dst_id != KDBUS_DST_ID_NAME && msg->dst_id != dst->id) {
		ret = -EREMCHG;
	} else if ((msg->flags & KDBUS_MSG_NO_AUTO_START) &&
		   kdbus_conn_is_activator(dst)) {
		ret = -EADDRNOTAVAIL;
	} else {
		*name = e;
		return dst;
	}

	kdbus_conn_unref(dst);
	kdbus_name_unref(e);
	return ERR_PTR(ret);
}

/*
 * A message sent to a name goes to the name's owner at the moment it is
 * queued; kdbus_conn_entry_insert() says -EAGAIN if the owner changed
 * since the lookup. Each retry follows a change of owner; after this many
 * the name is considered gone.
 */
#define KDBUS_CONN_SEND_RETRIES	16

/* link a new tracker for a request of @conn to @dst */
static struct kdbus_reply *kdbus_conn_track(struct kdbus_conn *conn,
					    struct kdbus_conn *dst,
					    const struct kdbus_msg *msg,
					    bool sync)
{
	struct kdbus_reply *r;

	r = kdbus_reply_new(dst, conn, msg->cookie, msg->timeout_ns, sync);
	if (!r)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&conn->lock);
	if (atomic_read(&conn->request_count) >=
	    KDBUS_CONN_MAX_REQUESTS_PENDING) {
		mutex_unlock(&conn->lock);
		kdbus_reply_unref(r);
		return ERR_PTR(-EMLINK);
	}
	kdbus_reply_link(r);
	mutex_unlock(&conn->lock);
	return r;
}

static void kdbus_conn_untrack(struct kdbus_conn *conn, struct kdbus_reply *r)
{
	mutex_lock(&conn->lock);
	kdbus_reply_unlink(r);
	mutex_unlock(&conn->lock);
	kdbus_reply_unref(r);
}

/* a unicast signal: queued only if the receiver's matches accept it */
static int kdbus_conn_signal(struct kdbus_conn *conn,
			     struct kdbus_staging *staging)
{
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_name_entry *name;
	struct kdbus_conn *dst;
	unsigned int tries;
	int ret;

	/* monitors see every unicast signal, whether it is delivered or not */
	dst = kdbus_conn_lookup_dst(bus, staging, &name);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	kdbus_bus_eavesdrop(bus, conn, staging);

	for (tries = 0; tries < KDBUS_CONN_SEND_RETRIES; tries++) {
		if (tries) {
			dst = kdbus_conn_lookup_dst(bus, staging, &name);
			if (IS_ERR(dst))
				break;
		}

		/* the receiver must be allowed to talk to the sender */
		ret = 0;
		if (kdbus_match_db_match(&dst->match_db, bus, conn, staging) &&
		    kdbus_policy_may_talk(dst, dst->cred, conn) &&
		    !security_kdbus_talk(current_cred(), dst->cred))
			ret = kdbus_conn_entry_insert(conn, dst, staging, NULL,
						      name);
		kdbus_conn_unref(dst);
		kdbus_name_unref(name);
		if (ret != -EAGAIN)
			break;
	}

	/* failures to queue a signal are not reported */
	return 0;
}

/*
 * A plain unicast or a call: the message is queued at its destination,
 * with a reply tracker if it expects a reply. With @reply, the call is
 * synchronous and its tracker is returned there (a reference).
 */
static int kdbus_conn_unicast(struct kdbus_conn *conn,
			      struct kdbus_staging *staging,
			      struct kdbus_reply **reply)
{
	const struct kdbus_msg *msg = kdbus_staging_header(staging);
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_name_entry *name;
	struct kdbus_reply *r = NULL;
	struct kdbus_conn *dst;
	unsigned int tries;
	int ret;

	for (tries = 0; tries < KDBUS_CONN_SEND_RETRIES; tries++) {
		dst = kdbus_conn_lookup_dst(bus, staging, &name);
		if (IS_ERR(dst))
			return PTR_ERR(dst);

		if (!kdbus_policy_may_talk(conn, current_cred(), dst))
			r = ERR_PTR(-EPERM);
		else if (security_kdbus_talk(current_cred(), dst->cred))
			r = ERR_PTR(-EPERM);
		else if (msg->flags & KDBUS_MSG_EXPECT_REPLY)
			r = kdbus_conn_track(conn, dst, msg, !!reply);
		if (IS_ERR(r)) {
			ret = PTR_ERR(r);
		} else {
			if (!tries)
				kdbus_bus_eavesdrop(bus, conn, staging);
			ret = kdbus_conn_entry_insert(conn, dst, staging, r,
						      name);
			if (ret < 0 && r)
				kdbus_conn_untrack(conn, r);
			else if (reply)
				*reply = r;
			else
				kdbus_reply_unref(r);
		}
		r = NULL;
		kdbus_conn_unref(dst);
		kdbus_name_unref(name);
		if (ret != -EAGAIN)
			return ret;
	}

	return -ECONNRESET;
}

/* hand a reply to a caller waiting synchronously */
static int kdbus_conn_reply_sync(struct kdbus_conn *conn,
				 struct kdbus_conn *caller,
				 struct kdbus_staging *staging,
				 struct kdbus_reply *r)
{
	struct kdbus_queue_entry *entry;
	bool accept = caller->flags & KDBUS_HELLO_ACCEPT_FD;
	int ret;

	entry = kdbus_conn_entry_make(caller, conn->user, staging, accept);
	ret = IS_ERR(entry) ? PTR_ERR(entry) : 0;

	mutex_lock(&caller->lock);
	if (list_empty(&r->entry) || !r->waiting) {
		/* the caller is gone or gave up meanwhile */
		mutex_unlock(&caller->lock);
		if (!ret)
			kdbus_conn_entry_discard(caller, entry);
		return -ECONNRESET;
	}
	if (ret < 0)
		kdbus_reply_complete(r, ret == -ECOMM ? -EREMOTEIO : ret, NULL);
	else
		kdbus_reply_complete(r, 0, entry);
	mutex_unlock(&caller->lock);
	return ret;
}

/* a reply to a pending request */
static int kdbus_conn_reply(struct kdbus_conn *conn,
			    struct kdbus_staging *staging)
{
	const struct kdbus_msg *msg = kdbus_staging_header(staging);
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_name_entry *name;
	struct kdbus_conn *dst;
	struct kdbus_reply *r;
	int ret;

	/* a reply goes to whoever owned the name when it was looked up */
	dst = kdbus_conn_lookup_dst(bus, staging, &name);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	kdbus_name_unref(name);

	/* no policy for a reply to a pending request; the LSMs decide */
	if (security_kdbus_talk(current_cred(), dst->cred)) {
		ret = -EPERM;
		goto exit;
	}

	mutex_lock(&dst->lock);
	r = kdbus_reply_find(conn, dst, msg->cookie_reply);
	if (r) {
		kdbus_reply_ref(r);
		/* an asynchronous tracker is consumed by the reply */
		if (!r->sync)
			kdbus_reply_unlink(r);
	}
	mutex_unlock(&dst->lock);

	if (!r) {
		ret = -EPERM;
		goto exit;
	}

	kdbus_bus_eavesdrop(bus, conn, staging);
	if (r->sync)
		ret = kdbus_conn_reply_sync(conn, dst, staging, r);
	else
		ret = kdbus_conn_entry_insert(conn, dst, staging, NULL, NULL);
	kdbus_reply_unref(r);

exit:
	kdbus_conn_unref(dst);
	return ret;
}

/**
 * struct kdbus_cancel - waiting for a cancel fd to become readable
 * @pt:		Poll table handed to the file's poll
 * @file:	The cancel file
 * @waits:	The wait queue entries registered on the file's queues
 * @err:	-ENOMEM if an entry could not be allocated
 */
struct kdbus_cancel {
	poll_table pt;
	struct file *file;
	struct list_head waits;
	int err;
};

/**
 * struct kdbus_cancel_wait - one wait queue of a cancel file
 * @entry:	Link in &kdbus_cancel.waits
 * @whead:	The file's wait queue
 * @wait:	Our entry on @whead, waking the waiting task
 */
struct kdbus_cancel_wait {
	struct list_head entry;
	wait_queue_head_t *whead;
	wait_queue_entry_t wait;
};

/* the ->poll() of the cancel file registers a wait queue: wait on it too */
static void kdbus_cancel_queue(struct file *file, wait_queue_head_t *whead,
			       poll_table *pt)
{
	struct kdbus_cancel *c = container_of(pt, struct kdbus_cancel, pt);
	struct kdbus_cancel_wait *w;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		c->err = -ENOMEM;
		return;
	}
	w->whead = whead;
	init_waitqueue_entry(&w->wait, current);
	add_wait_queue(whead, &w->wait);
	list_add_tail(&w->entry, &c->waits);
}

/*
 * Start watching @file, if not NULL: the calling task is woken by every
 * wait queue the file's ->poll() registers, however many. Return: 0 or
 * -ENOMEM; kdbus_cancel_exit() is needed either way.
 */
static int kdbus_cancel_init(struct kdbus_cancel *c, struct file *file)
{
	INIT_LIST_HEAD(&c->waits);
	c->file = file;
	c->err = 0;
	if (file) {
		init_poll_funcptr(&c->pt, kdbus_cancel_queue);
		vfs_poll(file, &c->pt);
	}
	return c->err;
}

/* whether the cancel file polls readable */
static bool kdbus_cancel_pending(struct kdbus_cancel *c)
{
	return c->file && (vfs_poll(c->file, NULL) & EPOLLIN);
}

static void kdbus_cancel_exit(struct kdbus_cancel *c)
{
	struct kdbus_cancel_wait *w, *tmp;

	list_for_each_entry_safe(w, tmp, &c->waits, entry) {
		remove_wait_queue(w->whead, &w->wait);
		kfree(w);
	}
	INIT_LIST_HEAD(&c->waits);
}

/*
 * Wait for the reply of synchronous call @r. Returns with the tracker
 * unlinked unless the wait was interrupted by a signal (-ERESTARTSYS),
 * in which case it stays for a restarted call to resume.
 */
static int kdbus_conn_wait_reply(struct kdbus_conn *conn,
				 struct kdbus_reply *r, struct file *cancel,
				 struct kdbus_msg_info *info)
{
	struct kdbus_queue_entry *entry = NULL;
	struct kdbus_cancel c;
	DEFINE_WAIT(wait);
	ktime_t expires = ns_to_ktime(r->deadline_ns);
	int ret;

	ret = kdbus_cancel_init(&c, cancel);
	while (!ret) {
		prepare_to_wait(&conn->wait, &wait, TASK_INTERRUPTIBLE);
		if (!READ_ONCE(r->waiting))
			break;
		if (!kdbus_conn_active(conn)) {
			ret = -ECONNRESET;
			break;
		}
		if (kdbus_cancel_pending(&c)) {
			ret = -ECANCELED;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (ktime_get_ns() >= r->deadline_ns) {
			ret = -ETIMEDOUT;
			break;
		}
		schedule_hrtimeout_range(&expires, 0, HRTIMER_MODE_ABS);
	}
	finish_wait(&conn->wait, &wait);
	kdbus_cancel_exit(&c);

	mutex_lock(&conn->lock);
	if (!r->waiting) {
		/* delivered (or failed) wins over a concurrent event */
		ret = r->err;
		entry = r->queue_entry;
		r->queue_entry = NULL;
		if (entry)
			kdbus_conn_entry_unaccount(conn, entry);
		else if (!ret)
			/* our disconnect discarded the delivered reply */
			ret = -ECONNRESET;
		kdbus_reply_unlink(r);
	} else if (ret == -ERESTARTSYS && kdbus_conn_active(conn)) {
		/* kept for a restart; the timeout work removes it if not */
		r->interrupted = true;
		kdbus_reply_schedule(conn);
	} else {
		kdbus_reply_unlink(r);
	}
	mutex_unlock(&conn->lock);

	if (entry) {
		ret = kdbus_queue_entry_install(entry,
						conn->flags & KDBUS_HELLO_ACCEPT_FD,
						&info->return_flags);
		if (!ret)
			kdbus_pool_slice_publish(entry->slice, &info->offset,
						 &info->msg_size);
		kdbus_queue_entry_free(entry);
	}

	return ret;
}

/* a synchronous call; consumes the caller's active reference */
static int kdbus_conn_call(struct kdbus_conn *conn,
			   struct kdbus_staging *staging,
			   struct file *cancel, struct kdbus_msg_info *info)
{
	const struct kdbus_msg *msg = kdbus_staging_header(staging);
	struct kdbus_reply *r = NULL, *i;
	int ret;

	/* a restarted call resumes waiting on its tracker */
	mutex_lock(&conn->lock);
	list_for_each_entry(i, &conn->reply_list, entry) {
		if (i->sync && i->interrupted && i->cookie == msg->cookie) {
			r = kdbus_reply_ref(i);
			r->interrupted = false;
			break;
		}
	}
	mutex_unlock(&conn->lock);

	if (!r) {
		/* a deadline in the past: nothing is sent */
		if (ktime_get_ns() >= msg->timeout_ns) {
			ret = -ETIMEDOUT;
			goto exit_release;
		}

		ret = kdbus_conn_unicast(conn, staging, &r);
		if (ret < 0)
			goto exit_release;
	}

	/* never wait with an active reference */
	kdbus_conn_release(conn);
	ret = kdbus_conn_wait_reply(conn, r, cancel, info);
	kdbus_reply_unref(r);
	return ret;

exit_release:
	kdbus_conn_release(conn);
	return ret;
}

/**
 * kdbus_cmd_send() - KDBUS_CMD_SEND
 * @conn:	Connection; the caller's active reference is consumed (a
 *		synchronous call drops it before it waits)
 * @f:		File of the connection
 * @argp:	User argument
 *
 * Return: 0 on success, negative error code on failure.
 */
int kdbus_cmd_send(struct kdbus_conn *conn, struct file *f, void __user *argp)
{
	struct kdbus_cmd_send __user *usend = argp;
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_staging *staging = NULL;
	struct kdbus_msg_info info = { };
	struct file *cancel = NULL;
	struct kdbus_cmd_send *cmd;
	const struct kdbus_msg *msg;
	struct kdbus_item *item;
	struct kdbus_args args;
	bool released = false;
	int ret;

	if (!kdbus_conn_is_ordinary(conn)) {
		ret = -EOPNOTSUPP;
		goto exit_release;
	}

	ret = kdbus_args_parse(&args, kdbus_cmd_spec_find(KDBUS_CMD_SEND),
			       argp);
	if (ret) {
		ret = ret < 0 ? ret : 0;
		goto exit_release;
	}

	cmd = (struct kdbus_cmd_send *)args.cmd;

	staging = kdbus_staging_new_user(bus, conn, cmd->msg_address);
	if (IS_ERR(staging)) {
		ret = PTR_ERR(staging);
		staging = NULL;
		goto exit;
	}
	msg = kdbus_staging_header(staging);
	staging->seq = kdbus_domain_next_id(bus->domain);
	kdbus_meta_stage_init(&staging->meta, conn, staging->seq);

	if ((cmd->flags & KDBUS_SEND_SYNC_REPLY) &&
	    !(msg->flags & KDBUS_MSG_EXPECT_REPLY)) {
		ret = -EINVAL;
		goto exit;
	}

	item = kdbus_args_item(&args, KDBUS_ITEM_CANCEL_FD);
	if (item && (cmd->flags & KDBUS_SEND_SYNC_REPLY)) {
		cancel = fget(item->fds[0]);
		if (!cancel) {
			ret = -EBADF;
			goto exit;
		}
		if (!file_can_poll(cancel)) {
			ret = -EINVAL;
			goto exit;
		}
	}

	info.offset = kdbus_pool_size(conn->pool);

	if (msg->dst_id == KDBUS_DST_ID_BROADCAST) {
		kdbus_bus_broadcast(bus, conn, staging);
	} else if (cmd->flags & KDBUS_SEND_SYNC_REPLY) {
		ret = kdbus_conn_call(conn, staging, cancel, &info);
		released = true;
	} else if (msg->flags & KDBUS_MSG_SIGNAL) {
		ret = kdbus_conn_signal(conn, staging);
	} else if ((msg->flags & KDBUS_MSG_EXPECT_REPLY) ||
		   !msg->cookie_reply) {
		ret = kdbus_conn_unicast(conn, staging, NULL);
	} else {
		ret = kdbus_conn_reply(conn, staging);
	}

	if (!ret && copy_to_user(&usend->reply, &info, sizeof(info)))
		ret = -EFAULT;

exit:
	if (cancel)
		fput(cancel);
	kdbus_staging_free(staging);
	ret = kdbus_args_clear(&args, ret);
exit_release:
	if (!released)
		kdbus_conn_release(conn);
	return ret;
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)
#include "send_test.c"
#endif
