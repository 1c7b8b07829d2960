// SPDX-License-Identifier: GPL-2.0
/*
 * Well-known names: KDBUS_CMD_NAME_ACQUIRE and KDBUS_CMD_NAME_RELEASE
 * (validity, the acquire and release algorithms of contract 8.3/8.4,
 * queues, takeover, the per-connection limit, implicit release on
 * disconnect), the NAME_ADD / NAME_REMOVE / NAME_CHANGE notifications
 * (5.11), addressing messages by name (5.4, 5.8.1), activators and the
 * hand-over of the messages queued for their name (8.5), KDBUS_CMD_LIST
 * (3.12, 8.6) and CONN_INFO by name; as root and as an unprivileged user,
 * with several processes and threads.
 *
 * Every connection uses the helper's HELLO defaults (receive attach mask
 * 0), so notifications carry no TIMESTAMP item and received messages no
 * metadata: every size follows exactly from the contract. The fixture's
 * watcher "w" has one match per NAME_* notification type for any name and
 * any ids, and nothing else, so its queue holds exactly the name
 * notifications of the bus.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

/* the unprivileged user of the tests */
#define OTHER_UID		1000
#define OTHER_GID		1000
/* how long to wait for something that must come */
#define WAIT_MS			5000
/* how long to watch a queue that must stay empty */
#define QUIET_MS		100
#define NSEC_PER_MSEC		1000000ULL
/* reply deadlines that are never meant to be reached */
#define LONG_NS			(20000 * NSEC_PER_MSEC)

#define NAME_A			"com.example.names.a"
#define NAME_B			"com.example.names.b"
#define NAME_C			"com.example.names.c"
#define NAME_D			"com.example.names.d"
#define ACT_NAME		"com.example.names.activatable"
#define POLICY_NAME		"com.example.names.policy"

/* name flags */
#define N_REPLACE		((__u64)KDBUS_NAME_REPLACE_EXISTING)
#define N_ALLOW			((__u64)KDBUS_NAME_ALLOW_REPLACEMENT)
#define N_QUEUE			((__u64)KDBUS_NAME_QUEUE)
#define N_IN_QUEUE		((__u64)KDBUS_NAME_IN_QUEUE)
#define N_ACTIVATOR		((__u64)KDBUS_NAME_ACTIVATOR)

/* notification types */
#define ADD			((__u64)KDBUS_ITEM_NAME_ADD)
#define REMOVE			((__u64)KDBUS_ITEM_NAME_REMOVE)
#define CHANGE			((__u64)KDBUS_ITEM_NAME_CHANGE)

/* HELLO flags as reported in LIST records and CONN_INFO */
#define HELLO_ACTIVATOR		((__u64)KDBUS_HELLO_ACTIVATOR)
#define HELLO_POLICY_HOLDER	((__u64)KDBUS_HELLO_POLICY_HOLDER)

#define MAX_RECS		64

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

static const char *notify_name(__u64 type)
{
	switch (type) {
	case KDBUS_ITEM_NAME_ADD:	return "NAME_ADD";
	case KDBUS_ITEM_NAME_REMOVE:	return "NAME_REMOVE";
	case KDBUS_ITEM_NAME_CHANGE:	return "NAME_CHANGE";
	}
	return "?";
}

/*
 * MATCH_ADD under @cookie of one rule of @type (a NAME_* item type) with
 * the old and new owner ids @old_id and @new_id and, unless NULL, @name:
 * 0 or -errno.
 */
static int name_match_add(struct kdbus_conn *c, __u64 cookie, __u64 type,
			  __u64 old_id, __u64 new_id, const char *name)
{
	size_t len = name ? strlen(name) + 1 : 0;
	struct kdbus_notify_name_change *nc;
	struct kdbus_cmd_match *cmd;
	int ret;

	nc = calloc(1, sizeof(*nc) + len);
	if (!nc)
		return -ENOMEM;
	nc->old_id.id = old_id;
	nc->new_id.id = new_id;
	if (name)
		memcpy(nc->name, name, len);
	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->cookie = cookie;
	kdbus_args_add(cmd, type, nc, sizeof(*nc) + len);
	ret = kdbus_ioctl(c->fd, KDBUS_CMD_MATCH_ADD, cmd);
	kdbus_args_release(cmd);
	free(nc);
	return ret;
}

/* matches for every NAME_ADD, NAME_REMOVE and NAME_CHANGE: 0 or -errno */
static int watch_names(struct kdbus_conn *c)
{
	static const __u64 types[] = { ADD, REMOVE, CHANGE };
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		ret = name_match_add(c, 0x6e616d65 + i, types[i],
				     KDBUS_MATCH_ID_ANY, KDBUS_MATCH_ID_ANY,
				     NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/* nothing arrives at @c within @ms: 0, else -EBADMSG (logged) */
static int quiet(struct kdbus_conn *c, int ms)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	int ret;

	kdbus_wait_pollin(c->fd, ms);
	ret = kdbus_recv(c, 0, 0, &cmd, &m);
	if (ret == -EAGAIN)
		return cmd.dropped_msgs ? -EBADMSG : 0;
	if (ret < 0)
		return ret;
	if (m)
		kdbus_log("unexpected message on %llu: src %llu, dst %llu, first item 0x%llx",
			  (unsigned long long)c->id,
			  (unsigned long long)m->src_id,
			  (unsigned long long)m->dst_id,
			  m->size > sizeof(*m) ?
			  (unsigned long long)m->items[0].type : 0ULL);
	kdbus_free(c, cmd.msg.offset);
	return -EBADMSG;
}

/* CONN_INFO by @name on @c: the owner's id in @id; 0 or -errno */
static int owner_of(struct kdbus_conn *c, const char *name, __u64 *id)
{
	struct kdbus_info *info;
	__u64 offset, size;
	int ret;

	ret = kdbus_conn_info(c, 0, name, 0, &offset, &size);
	if (ret < 0)
		return ret;
	info = kdbus_pool_info(c, offset);
	if (!info || info->size != size) {
		kdbus_log("CONN_INFO of %s: bad record", name);
		ret = -EBADMSG;
	} else {
		*id = info->id;
	}
	if (kdbus_free(c, offset) < 0 && !ret)
		ret = -EBADMSG;
	return ret;
}

/* the owner of @name must be @want (0: the name must not exist) */
static void check_owner(struct __test_metadata *_metadata,
			struct kdbus_conn *c, const char *name, __u64 want)
{
	__u64 id = 0;
	int ret = owner_of(c, name, &id);

	if (!want) {
		EXPECT_EQ(-ESRCH, ret) TH_LOG("CONN_INFO of %s", name);
		return;
	}
	EXPECT_EQ(0, ret) TH_LOG("CONN_INFO of %s", name);
	EXPECT_EQ(want, id) TH_LOG("owner of %s", name);
}

#define EXPECT_OWNER(c, name, want) check_owner(_metadata, c, name, want)

/* @request on @c with @args, which are released: 0 or -errno */
static int ioctl_release(struct kdbus_conn *c, unsigned long request,
			 void *args)
{
	int ret = kdbus_ioctl(c->fd, request, args);

	kdbus_args_release(args);
	return ret;
}

/*
 * Send @text (with its NUL) from @from to @dst_id and, unless @name is
 * NULL, DST_NAME @name, with @msg_flags and @cookie (an EXPECT_REPLY
 * deadline is LONG_NS away): 0 or -errno.
 */
static int send_text(struct kdbus_conn *from, __u64 dst_id,
		     const char *name, __u64 msg_flags, __u64 cookie,
		     const char *text)
{
	struct kdbus_msg *m = kdbus_msg_new(dst_id, cookie);
	int ret;

	m->flags = msg_flags;
	if (msg_flags & KDBUS_MSG_EXPECT_REPLY)
		m->timeout_ns = kdbus_now_ns() + LONG_NS;
	if (name)
		kdbus_msg_add_dst_name(m, name);
	if (text)
		kdbus_msg_add_vec(m, text, strlen(text) + 1);
	ret = kdbus_send(from, m, 0, -1, NULL);
	kdbus_msg_release(m);
	return ret;
}

/* send "<name>" to the name @name (dst_id 0) from @from: 0 or -errno */
static int send_to_name(struct kdbus_conn *from, const char *name,
			const char *text)
{
	return send_text(from, KDBUS_DST_ID_NAME, name, 0, 1, text);
}

/* the inline payload of the received message @m is @text with its NUL */
static void check_payload(struct __test_metadata *_metadata,
			  const struct kdbus_msg *m, const char *text)
{
	char buf[512];
	ssize_t len;

	len = kdbus_msg_payload(m, buf, sizeof(buf) - 1);
	EXPECT_EQ((ssize_t)strlen(text) + 1, len);
	if (len > 0) {
		buf[len] = '\0';
		EXPECT_STREQ(text, buf);
	}
}

/*
 * Receive the next message of @c (waiting up to WAIT_MS) and check it:
 * from @src, to @dst_id, with @msg_flags and @cookie, carrying DST_NAME
 * @name as its first item (NULL: no DST_NAME item at all) and the payload
 * @text. Frees it. (RECV_PEEK with @peek: the message stays queued.)
 */
static void check_msg(struct __test_metadata *_metadata,
		      struct kdbus_conn *c, bool peek, __u64 src,
		      __u64 dst_id, const char *name, __u64 msg_flags,
		      __u64 cookie, const char *text)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	__u64 size;

	ASSERT_EQ(0, kdbus_wait_pollin(c->fd, WAIT_MS))
		TH_LOG("waiting for \"%s\" on %llu", text,
		       (unsigned long long)c->id);
	ASSERT_EQ(0, kdbus_recv(c, peek ? KDBUS_RECV_PEEK : 0, 0, &cmd, &m))
		TH_LOG("waiting for \"%s\"", text);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(0ULL, cmd.dropped_msgs);
	EXPECT_EQ(0ULL, cmd.return_flags);
	EXPECT_EQ(src, m->src_id) TH_LOG("\"%s\"", text);
	EXPECT_EQ(dst_id, m->dst_id) TH_LOG("\"%s\"", text);
	EXPECT_EQ(msg_flags, m->flags) TH_LOG("\"%s\"", text);
	EXPECT_EQ(cookie, m->cookie) TH_LOG("\"%s\"", text);
	EXPECT_EQ((__u64)KDBUS_PAYLOAD_DBUS, m->payload_type);
	/* 5.10: DST_NAME first, one PAYLOAD_OFF, no metadata */
	size = sizeof(*m) + KDBUS_ITEM_SIZE(sizeof(struct kdbus_vec));
	if (name) {
		size += KDBUS_ITEM_SIZE(strlen(name) + 1);
		EXPECT_EQ((__u64)KDBUS_ITEM_DST_NAME, m->items[0].type)
			TH_LOG("\"%s\"", text);
		EXPECT_EQ(KDBUS_ITEM_HEADER_SIZE + strlen(name) + 1,
			  m->items[0].size);
		if (m->items[0].type == KDBUS_ITEM_DST_NAME) {
			EXPECT_STREQ(name, m->items[0].str)
				TH_LOG("\"%s\"", text);
		}
	}
	EXPECT_EQ(name ? 1U : 0U, kdbus_msg_count(m, KDBUS_ITEM_DST_NAME))
		TH_LOG("\"%s\"", text);
	EXPECT_EQ(size, m->size) TH_LOG("\"%s\"", text);
	check_payload(_metadata, m, text);
	EXPECT_EQ(0, kdbus_free(c, cmd.msg.offset));
}

#define CHECK_MSG(c, src, dst, name, flags, cookie, text) \
	check_msg(_metadata, c, false, src, dst, name, flags, cookie, text)

/* the next message of @c is the reply "@text" from @src to @cookie */
static void check_reply(struct __test_metadata *_metadata,
			struct kdbus_conn *c, __u64 src, __u64 cookie,
			const char *text)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;

	ASSERT_EQ(0, kdbus_recv_wait(c, WAIT_MS, &cmd, &m))
		TH_LOG("waiting for the reply to %llx",
		       (unsigned long long)cookie);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(src, m->src_id);
	EXPECT_EQ(c->id, m->dst_id);
	EXPECT_EQ(cookie, m->cookie_reply);
	EXPECT_EQ(0ULL, m->flags);
	check_payload(_metadata, m, text);
	EXPECT_EQ(0, kdbus_free(c, cmd.msg.offset));
}

/* the next message of @c is a REPLY_DEAD notification for @cookie */
static void check_reply_dead(struct __test_metadata *_metadata,
			     struct kdbus_conn *c, __u64 cookie)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;

	ASSERT_EQ(0, kdbus_recv_wait(c, WAIT_MS, &cmd, &m));
	ASSERT_NE(NULL, m);
	EXPECT_EQ(0ULL, m->src_id);
	EXPECT_EQ(c->id, m->dst_id);
	EXPECT_EQ(cookie, m->cookie_reply);
	EXPECT_EQ(80ULL, m->size);
	EXPECT_EQ((__u64)KDBUS_ITEM_REPLY_DEAD, m->items[0].type);
	EXPECT_EQ(0, kdbus_free(c, cmd.msg.offset));
}

/* an expected name notification */
struct want {
	__u64 type;
	__u64 old_id, old_flags;
	__u64 new_id, new_flags;
	const char *name;
};

/* the fixed fields of every name notification (5.11) */
static void check_notify_header(struct __test_metadata *_metadata,
				const struct kdbus_name_notify *n)
{
	const size_t fixed = KDBUS_ITEM_HEADER_SIZE +
			     sizeof(struct kdbus_notify_name_change);
	const __u64 item = KDBUS_ALIGN8(fixed + strlen(n->name) + 1);

	EXPECT_EQ((__u64)KDBUS_SRC_ID_KERNEL, n->hdr.src_id);
	EXPECT_EQ((__u64)KDBUS_DST_ID_BROADCAST, n->hdr.dst_id);
	EXPECT_EQ((__u64)KDBUS_PAYLOAD_KERNEL, n->hdr.payload_type);
	EXPECT_EQ((__u64)KDBUS_MSG_SIGNAL, n->hdr.flags);
	EXPECT_EQ(0, n->hdr.priority);
	EXPECT_EQ(0ULL, n->hdr.cookie);
	EXPECT_EQ(0ULL, n->hdr.cookie_reply);
	EXPECT_EQ(1U, n->n_items);
	EXPECT_EQ(item, n->item_size);
	EXPECT_EQ(sizeof(struct kdbus_msg) + item, n->hdr.size);
	EXPECT_EQ(n->hdr.size, n->slice_size);
	EXPECT_EQ(0ULL, n->dropped_msgs);
}

/* the @side ("old" or "new") owner of the notification @w is {@id, @flags} */
static void check_notify_owner(struct __test_metadata *_metadata,
			       const struct want *w, const char *side,
			       __u64 id, __u64 flags,
			       const struct kdbus_notify_id_change *got)
{
	EXPECT_EQ(id, got->id)
		TH_LOG("%s of %s: %s id", notify_name(w->type), w->name, side);
	EXPECT_EQ(flags, got->flags)
		TH_LOG("%s of %s: %s flags", notify_name(w->type), w->name,
		       side);
}

/*
 * Receive @n name notifications on @c and check them against @want: in
 * this order if @ordered, else in any order (then the (type, name) pairs
 * of @want must be distinct).
 */
static void check_notifies(struct __test_metadata *_metadata,
			   struct kdbus_conn *c, const struct want *want,
			   unsigned int n, bool ordered)
{
	bool used[16] = { false };
	struct kdbus_name_notify got;
	const struct want *w;
	unsigned int i, j;

	ASSERT_GE(16U, n);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, kdbus_name_notify_recv(c, WAIT_MS, &got))
			TH_LOG("waiting for %s of %s on %llu",
			       notify_name(want[i].type), want[i].name,
			       (unsigned long long)c->id);
		check_notify_header(_metadata, &got);
		if (ordered) {
			j = i;
		} else {
			for (j = 0; j < n; j++)
				if (!used[j] && want[j].type == got.type &&
				    !strcmp(want[j].name, got.name))
					break;
			if (j == n) {
				EXPECT_TRUE(false)
					TH_LOG("unexpected %s of %s",
					       notify_name(got.type), got.name);
				continue;
			}
		}
		used[j] = true;
		w = &want[j];
		EXPECT_EQ(w->type, got.type)
			TH_LOG("got %s of %s, want %s of %s",
			       notify_name(got.type), got.name,
			       notify_name(w->type), w->name);
		EXPECT_STREQ(w->name, got.name);
		check_notify_owner(_metadata, w, "old", w->old_id,
				   w->old_flags, &got.old_id);
		check_notify_owner(_metadata, w, "new", w->new_id,
				   w->new_flags, &got.new_id);
	}
}

/* the next notification of @c is @type of @name {old} -> {new} */
#define EXPECT_NOTIFY(c, type, oid, ofl, nid, nfl, name) do {		\
	const struct want __w = { type, oid, ofl, nid, nfl, name };	\
									\
	check_notifies(_metadata, c, &__w, 1, true);			\
} while (0)

/* the next notifications of @c are the wants given (see check_notifies) */
#define NOTICES(c, ordered, ...) do {					\
	const struct want __w[] = { __VA_ARGS__ };			\
									\
	check_notifies(_metadata, c, __w, ARRAY_SIZE(__w), ordered);	\
} while (0)

/* an expected LIST record */
struct rec {
	__u64 id;
	__u64 flags;		/* HELLO flags */
	const char *name;	/* NULL: a unique-id record */
	__u64 name_flags;
};

/*
 * LIST with @flags on @c returns exactly the records @want, in any order,
 * each with its contract size (24, or 24 + ITEM_SIZE(8 + strlen + 1)), and
 * list_size is their sum. The slice is freed unless @c is a policy holder.
 */
static void check_list(struct __test_metadata *_metadata,
		       struct kdbus_conn *c, __u64 flags,
		       const struct rec *want, unsigned int n_want)
{
	struct kdbus_list_entry got[MAX_RECS];
	bool used[MAX_RECS] = { false };
	__u64 offset = 0, size = 0, sum = 0;
	const struct kdbus_list_entry *e;
	unsigned int i, j;
	int n;

	ASSERT_GE((unsigned int)MAX_RECS, n_want);
	ASSERT_EQ(0, kdbus_list(c, flags, &offset, &size))
		TH_LOG("LIST 0x%llx", (unsigned long long)flags);
	n = kdbus_list_parse(c, offset, size, got, MAX_RECS);
	ASSERT_LE(0, n) TH_LOG("LIST 0x%llx", (unsigned long long)flags);
	EXPECT_EQ((int)n_want, n) TH_LOG("LIST 0x%llx: records",
					 (unsigned long long)flags);
	if (n > MAX_RECS)
		n = MAX_RECS;
	for (i = 0; i < (unsigned int)n; i++) {
		e = &got[i];
		sum += KDBUS_ALIGN8(e->size);
		if (e->name) {
			size_t len = strlen(e->name);

			EXPECT_EQ(sizeof(struct kdbus_info) +
				  KDBUS_ITEM_SIZE(sizeof(struct kdbus_name) +
						  len + 1), e->size)
				TH_LOG("record {%llu, %s}",
				       (unsigned long long)e->id, e->name);
			EXPECT_EQ(KDBUS_ITEM_HEADER_SIZE +
				  sizeof(struct kdbus_name) + len + 1,
				  e->item_size);
			EXPECT_EQ(1U, e->n_items);
		} else {
			EXPECT_EQ(sizeof(struct kdbus_info), e->size)
				TH_LOG("record {%llu}",
				       (unsigned long long)e->id);
			EXPECT_EQ(0U, e->n_items);
		}
		for (j = 0; j < n_want; j++) {
			if (used[j] || want[j].id != e->id ||
			    !want[j].name != !e->name)
				continue;
			if (!e->name || !strcmp(want[j].name, e->name))
				break;
		}
		if (j == n_want) {
			EXPECT_TRUE(false)
				TH_LOG("LIST 0x%llx: unexpected record {%llu, %s}",
				       (unsigned long long)flags,
				       (unsigned long long)e->id,
				       e->name ? e->name : "-");
			continue;
		}
		used[j] = true;
		EXPECT_EQ(want[j].flags, e->flags)
			TH_LOG("LIST 0x%llx: flags of {%llu, %s}",
			       (unsigned long long)flags,
			       (unsigned long long)e->id,
			       e->name ? e->name : "-");
		if (e->name) {
			EXPECT_EQ(want[j].name_flags, e->name_flags)
				TH_LOG("LIST 0x%llx: name flags of {%llu, %s}",
				       (unsigned long long)flags,
				       (unsigned long long)e->id, e->name);
		}
	}
	for (j = 0; j < n_want; j++) {
		if (used[j])
			continue;
		EXPECT_TRUE(false)
			TH_LOG("LIST 0x%llx: missing record {%llu, %s}",
			       (unsigned long long)flags,
			       (unsigned long long)want[j].id,
			       want[j].name ? want[j].name : "-");
	}
	EXPECT_EQ(sum, size) TH_LOG("LIST 0x%llx: list_size",
				    (unsigned long long)flags);
	/* an empty list is the empty slice */
	EXPECT_TRUE(size || offset == c->pool_size)
		TH_LOG("LIST 0x%llx: offset %llu", (unsigned long long)flags,
		       (unsigned long long)offset);
	/* policy holders cannot FREE */
	if (c->flags & KDBUS_HELLO_POLICY_HOLDER)
		return;
	EXPECT_EQ(0, kdbus_free(c, offset));
}

/* LIST with @flags on @c returns the records given (see check_list) */
#define LIST_IS(c, flags, ...) do {					\
	const struct rec __r[] = { __VA_ARGS__ };			\
									\
	check_list(_metadata, c, flags, __r, ARRAY_SIZE(__r));		\
} while (0)

/* ------------------------------------------------------------------ */
/* fixture: a world-accessible bus and a watcher of name notifications */
/* ------------------------------------------------------------------ */

FIXTURE(names) {
	struct kdbus_domain dom;
	int owner;		/* BUS_OWNER handle */
	char bus[64];		/* "<euid>-names", ACCESS_WORLD */
	struct kdbus_conn w;	/* matches every NAME_* notification */
};

FIXTURE_SETUP(names)
{
	self->owner = -1;
	self->w.fd = -1;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
				       "names", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->owner);
	ASSERT_EQ(0, kdbus_conn_new(&self->w, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, watch_names(&self->w));
}

FIXTURE_TEARDOWN(names)
{
	kdbus_conn_free(&self->w);
	if (self->owner >= 0)
		close(self->owner);
	kdbus_domain_umount(&self->dom);
}

#define NEW_CONN(c) \
	ASSERT_EQ(0, kdbus_conn_new(c, &self->dom, self->bus, NULL, 0))
#define NEW_ACTIVATOR(c, name) \
	ASSERT_EQ(0, kdbus_activator_new(c, &self->dom, self->bus, name))
/*
 * @fn(c) for each connection c given, in order (braced: @fn may be an
 * ASSERT, whose bail-out handler must run before the next c)
 */
#define EACH_CONN(fn, ...) do {						\
	struct kdbus_conn *__c[] = { __VA_ARGS__ };			\
	unsigned int __i;						\
									\
	for (__i = 0; __i < ARRAY_SIZE(__c); __i++) {			\
		fn(__c[__i]);						\
	}								\
} while (0)
#define NEW_CONNS(...)		EACH_CONN(NEW_CONN, __VA_ARGS__)
#define FREE_CONNS(...)		EACH_CONN(kdbus_conn_free, __VA_ARGS__)

/* @c acquires the unowned @name with @flags: the watcher @w sees it added */
static void acquire_new(struct __test_metadata *_metadata,
			struct kdbus_conn *w, struct kdbus_conn *c,
			const char *name, __u64 flags)
{
	ASSERT_EQ(0, kdbus_name_acquire(c, name, flags, NULL));
	EXPECT_NOTIFY(w, ADD, 0, 0, c->id, flags, name);
}

/* @c releases @name (owned with @flags, nobody queued): @w sees it removed */
static void release_last(struct __test_metadata *_metadata,
			 struct kdbus_conn *w, struct kdbus_conn *c,
			 const char *name, __u64 flags)
{
	ASSERT_EQ(0, kdbus_name_release(c, name));
	EXPECT_NOTIFY(w, REMOVE, c->id, flags, 0, 0, name);
}

/*
 * @c tries to acquire @name with each of the @n @flags in turn: every try
 * fails with @err and writes return_flags 0.
 */
static void acquire_fails(struct __test_metadata *_metadata,
			  struct kdbus_conn *c, const char *name,
			  const __u64 *flags, unsigned int n, int err)
{
	unsigned int i;
	__u64 rf;

	for (i = 0; i < n; i++) {
		rf = ~0ULL;
		EXPECT_EQ(err, kdbus_name_acquire(c, name, flags[i], &rf))
			TH_LOG("flags 0x%llx", (unsigned long long)flags[i]);
		EXPECT_EQ(0ULL, rf);
	}
}

#define ACQUIRE_NEW(c, name, flags) \
	acquire_new(_metadata, &self->w, c, name, flags)
#define RELEASE_LAST(c, name, flags) \
	release_last(_metadata, &self->w, c, name, flags)

/* ------------------------------------------------------------------ */
/* validity (8.1) and arguments (3.15, 3.16)                          */
/* ------------------------------------------------------------------ */

TEST_F(names, acquire_invalid_names)
{
	static const char * const invalid[] = {
		".bla.blaz", "foo", "foo..bar", "foo.", "foo.1a", "foo.b@r",
		"foo.bla.bl.*", "foo.*", "*.foo", "1foo.bar", "foo bar.baz",
		"foo.bar.", "..", ".", "",
	};
	static const char * const valid[] = {
		"a.b", "_a.-b", "A-_.z9", "foo.bar.baz.qux", "-.-",
	};
	struct kdbus_conn a;
	unsigned int i;
	char name[KDBUS_NAME_MAX_LEN + 2];
	__u64 rf;

	NEW_CONN(&a);
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		rf = ~0ULL;
		EXPECT_EQ(-EINVAL, kdbus_name_acquire(&a, invalid[i], 0, &rf))
			TH_LOG("\"%s\"", invalid[i]);
		EXPECT_EQ(0ULL, rf) TH_LOG("\"%s\"", invalid[i]);
		EXPECT_EQ(-EINVAL, kdbus_name_acquire(&a, invalid[i],
						      N_QUEUE, NULL))
			TH_LOG("\"%s\" with QUEUE", invalid[i]);
		/* release does not check the syntax: just not found */
		EXPECT_EQ(-ESRCH, kdbus_name_release(&a, invalid[i]))
			TH_LOG("\"%s\"", invalid[i]);
	}
	/* 256 characters are one too many */
	kdbus_long_name(name, sizeof(name), KDBUS_NAME_MAX_LEN + 1);
	EXPECT_EQ(-EINVAL, kdbus_name_acquire(&a, name, 0, NULL));
	EXPECT_EQ(-ESRCH, kdbus_name_release(&a, name));
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));

	/* 255 are fine, and so is every character class */
	kdbus_long_name(name, sizeof(name), KDBUS_NAME_MAX_LEN);
	rf = ~0ULL;
	EXPECT_EQ(0, kdbus_name_acquire(&a, name, 0, &rf));
	EXPECT_EQ(0ULL, rf);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, a.id, 0, name);
	EXPECT_OWNER(&self->w, name, a.id);
	EXPECT_EQ(0, kdbus_name_release(&a, name));
	EXPECT_NOTIFY(&self->w, REMOVE, a.id, 0, 0, 0, name);
	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		EXPECT_EQ(0, kdbus_name_acquire(&a, valid[i], 0, NULL))
			TH_LOG("\"%s\"", valid[i]);
		EXPECT_NOTIFY(&self->w, ADD, 0, 0, a.id, 0, valid[i]);
		EXPECT_EQ(0, kdbus_name_release(&a, valid[i]));
		EXPECT_NOTIFY(&self->w, REMOVE, a.id, 0, 0, 0, valid[i]);
	}
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	kdbus_conn_free(&a);
}

/* NAME_ACQUIRE / NAME_RELEASE arguments: flags and items */
TEST_F(names, name_cmd_args)
{
	static const __u64 bad_flags[] = {
		N_IN_QUEUE, N_ACTIVATOR, N_QUEUE | N_IN_QUEUE,
		N_REPLACE | N_ACTIVATOR, 1ULL << 5, 1ULL << 32, 1ULL << 62,
	};
	struct kdbus_conn a;
	struct kdbus_cmd *cmd;
	unsigned int i;
	__u64 a_id;
	__u64 rf;

	NEW_CONN(&a);
	/* output-only and unknown flags */
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		EXPECT_EQ(-EINVAL, kdbus_name_acquire(&a, NAME_A, bad_flags[i],
						      NULL))
			TH_LOG("flags 0x%llx",
			       (unsigned long long)bad_flags[i]);
	}
	/* NAME_RELEASE takes no flags at all */
	for (i = 0; i < 3; i++) {
		cmd = kdbus_args_new(sizeof(*cmd));
		cmd->flags = 1ULL << i;
		kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, NAME_A);
		EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_NAME_RELEASE,
						 cmd));
	}

	/* the NAME item is mandatory, single and well-formed */
	cmd = kdbus_args_new(sizeof(*cmd));
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_NAME_ACQUIRE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_NAME_RELEASE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, NAME_A);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, NAME_B);
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_NAME_ACQUIRE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add(cmd, KDBUS_ITEM_NAME, NAME_A, strlen(NAME_A));
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_NAME_ACQUIRE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add(cmd, KDBUS_ITEM_NAME, "a.b\0\0\0\0", 8);
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_NAME_ACQUIRE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, NAME_A);
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ID, a.id);
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_NAME_ACQUIRE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_DST_NAME, NAME_A);
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_NAME_ACQUIRE, cmd));

	/* nothing of it registered a name */
	EXPECT_OWNER(&self->w, NAME_A, 0);
	EXPECT_OWNER(&self->w, NAME_B, 0);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));

	/* and the plain command still works */
	rf = ~0ULL;
	EXPECT_EQ(0, kdbus_name_acquire(&a, NAME_A, 0, &rf));
	EXPECT_EQ(0ULL, rf);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, a.id, 0, NAME_A);
	a_id = a.id;
	kdbus_conn_free(&a);
	EXPECT_NOTIFY(&self->w, REMOVE, a_id, 0, 0, 0, NAME_A);
}

/* KDBUS_FLAG_NEGOTIATE on NAME_ACQUIRE, NAME_RELEASE and LIST (2.7) */
TEST_F(names, negotiate)
{
	const __u64 types[] = {
		KDBUS_ITEM_NAME, KDBUS_ITEM_ID, KDBUS_ITEM_NEGOTIATE,
		KDBUS_ITEM_PAYLOAD_VEC, KDBUS_ITEM_DST_NAME, 0x4242,
	};
	const __u64 kept[] = {
		KDBUS_ITEM_NAME, 0, KDBUS_ITEM_NEGOTIATE, 0, 0, 0,
	};
	struct kdbus_cmd_list *list;
	struct kdbus_item *item;
	struct kdbus_conn a;
	struct kdbus_cmd *cmd;
	unsigned int i;

	NEW_CONN(&a);

	/* NAME_ACQUIRE: mask 0x7, nothing acquired */
	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = KDBUS_FLAG_NEGOTIATE | N_QUEUE;
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, NAME_A);
	item = kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, types,
			      sizeof(types));
	EXPECT_EQ(0, kdbus_ioctl(a.fd, KDBUS_CMD_NAME_ACQUIRE, cmd));
	EXPECT_EQ(N_REPLACE | N_ALLOW | N_QUEUE, cmd->flags);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		EXPECT_EQ(kept[i], item->data64[i])
			TH_LOG("entry %u", i);
	}
	kdbus_args_release(cmd);
	EXPECT_OWNER(&self->w, NAME_A, 0);
	/* the mandatory item is still required (quirk of 2.7) */
	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = KDBUS_FLAG_NEGOTIATE;
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_NAME_ACQUIRE, cmd));
	/* and unknown flags are refused before negotiation */
	EXPECT_EQ(-EINVAL, kdbus_name_acquire(&a, NAME_A, N_ACTIVATOR |
					      KDBUS_FLAG_NEGOTIATE, NULL));
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));

	/* NAME_RELEASE: mask 0, nothing released */
	ACQUIRE_NEW(&a, NAME_A, 0);
	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = KDBUS_FLAG_NEGOTIATE;
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, NAME_A);
	EXPECT_EQ(0, kdbus_ioctl(a.fd, KDBUS_CMD_NAME_RELEASE, cmd));
	EXPECT_EQ(0ULL, cmd->flags);
	kdbus_args_release(cmd);
	EXPECT_OWNER(&self->w, NAME_A, a.id);

	/* LIST: mask 0xf, no slice */
	list = kdbus_args_new(sizeof(*list));
	list->flags = KDBUS_FLAG_NEGOTIATE | KDBUS_LIST_NAMES;
	list->offset = 0x5a5a;
	list->list_size = 0x5a5a;
	EXPECT_EQ(0, kdbus_ioctl(a.fd, KDBUS_CMD_LIST, list));
	EXPECT_EQ((__u64)(KDBUS_LIST_UNIQUE | KDBUS_LIST_NAMES |
			  KDBUS_LIST_ACTIVATORS | KDBUS_LIST_QUEUED),
		  list->flags);
	EXPECT_EQ(0x5a5aULL, list->offset);
	EXPECT_EQ(0x5a5aULL, list->list_size);
	kdbus_args_release(list);

	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	kdbus_conn_free(&a);
}

/* ------------------------------------------------------------------ */
/* the acquire algorithm (8.3)                                        */
/* ------------------------------------------------------------------ */

/*
 * A new name: return_flags 0, the caller's flags stored verbatim, a
 * NAME_ADD for watchers, monitors and (with a match) the caller itself,
 * nothing for connections without matches.
 */
TEST_F(names, acquire_new_name)
{
	struct kdbus_conn a, b, m;
	__u64 rf;

	NEW_CONNS(&a, &b);
	ASSERT_EQ(0, kdbus_conn_new(&m, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));
	ASSERT_EQ(0, watch_names(&a));

	rf = ~0ULL;
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_A, 0, &rf));
	EXPECT_EQ(0ULL, rf);
	rf = ~0ULL;
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_B, N_ALLOW | N_QUEUE, &rf));
	EXPECT_EQ(0ULL, rf);
	/* REPLACE_EXISTING and QUEUE on a new name: simply the owner */
	rf = ~0ULL;
	ASSERT_EQ(0, kdbus_name_acquire(&b, NAME_C,
					N_REPLACE | N_ALLOW | N_QUEUE, &rf));
	EXPECT_EQ(0ULL, rf);

	NOTICES(&self->w, true,
		{ ADD, 0, 0, a.id, 0, NAME_A },
		{ ADD, 0, 0, a.id, N_ALLOW | N_QUEUE, NAME_B },
		{ ADD, 0, 0, b.id, N_REPLACE | N_ALLOW | N_QUEUE, NAME_C });
	/* the acquirer has a match: it sees its own events */
	NOTICES(&a, true,
		{ ADD, 0, 0, a.id, 0, NAME_A },
		{ ADD, 0, 0, a.id, N_ALLOW | N_QUEUE, NAME_B },
		{ ADD, 0, 0, b.id, N_REPLACE | N_ALLOW | N_QUEUE, NAME_C });
	/* monitors see everything without a match */
	NOTICES(&m, true,
		{ ADD, 0, 0, a.id, 0, NAME_A },
		{ ADD, 0, 0, a.id, N_ALLOW | N_QUEUE, NAME_B },
		{ ADD, 0, 0, b.id, N_REPLACE | N_ALLOW | N_QUEUE, NAME_C });
	LIST_IS(&b, KDBUS_LIST_NAMES,
		{ a.id, 0, NAME_A, 0 },
		{ a.id, 0, NAME_B, N_ALLOW | N_QUEUE },
		{ b.id, 0, NAME_C, N_REPLACE | N_ALLOW | N_QUEUE });
	/* no match, no notification */
	EXPECT_EQ(0, quiet(&b, QUIET_MS));
	EXPECT_OWNER(&b, NAME_A, a.id);
	EXPECT_OWNER(&b, NAME_B, a.id);
	EXPECT_OWNER(&a, NAME_C, b.id);
	EXPECT_EQ(0, quiet(&self->w, 0));
	FREE_CONNS(&m, &b, &a);
}

/* the primary owner asks again: EALREADY, its flags unchanged */
TEST_F(names, acquire_twice_ealready)
{
	static const __u64 again[] = {
		0, N_QUEUE, N_REPLACE, N_ALLOW, N_REPLACE | N_ALLOW | N_QUEUE,
	};
	struct kdbus_conn a;
	__u64 a_id;

	NEW_CONN(&a);
	ACQUIRE_NEW(&a, NAME_A, N_ALLOW);
	acquire_fails(_metadata, &a, NAME_A, again, ARRAY_SIZE(again),
		      -EALREADY);
	LIST_IS(&a, KDBUS_LIST_NAMES,
		{ a.id, 0, NAME_A, N_ALLOW });
	check_list(_metadata, &a, KDBUS_LIST_QUEUED, NULL, 0);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	a_id = a.id;
	kdbus_conn_free(&a);
	EXPECT_NOTIFY(&self->w, REMOVE, a_id, N_ALLOW, 0, 0, NAME_A);
}

/* owned by someone else, not replaceable, no QUEUE: EEXIST, no change */
TEST_F(names, acquire_taken_eexist)
{
	static const __u64 tries[] = {
		0, N_REPLACE, N_ALLOW, N_REPLACE | N_ALLOW,
	};
	struct kdbus_conn a, b;

	NEW_CONNS(&a, &b);
	ACQUIRE_NEW(&a, NAME_A, 0);
	acquire_fails(_metadata, &b, NAME_A, tries, ARRAY_SIZE(tries),
		      -EEXIST);
	EXPECT_OWNER(&b, NAME_A, a.id);
	check_list(_metadata, &b, KDBUS_LIST_QUEUED, NULL, 0);
	/* b is neither owner nor waiter */
	EXPECT_EQ(-EADDRINUSE, kdbus_name_release(&b, NAME_A));
	EXPECT_OWNER(&b, NAME_A, a.id);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	FREE_CONNS(&b, &a);
}

/*
 * REPLACE_EXISTING against ALLOW_REPLACEMENT: the old owner without QUEUE
 * simply loses the name; takeover chains work as long as every owner
 * allows it.
 */
TEST_F(names, replace_existing)
{
	struct kdbus_conn a, b, c;
	__u64 rf;

	NEW_CONNS(&a, &b, &c);

	ACQUIRE_NEW(&a, NAME_A, N_ALLOW);
	/* without REPLACE_EXISTING the permission does not matter */
	EXPECT_EQ(-EEXIST, kdbus_name_acquire(&b, NAME_A, 0, NULL));
	rf = ~0ULL;
	ASSERT_EQ(0, kdbus_name_acquire(&b, NAME_A, N_REPLACE, &rf));
	EXPECT_EQ(0ULL, rf);
	EXPECT_NOTIFY(&self->w, CHANGE, a.id, N_ALLOW, b.id, N_REPLACE,
		      NAME_A);
	EXPECT_OWNER(&c, NAME_A, b.id);
	/* a had no QUEUE: gone, not waiting */
	check_list(_metadata, &c, KDBUS_LIST_QUEUED, NULL, 0);
	EXPECT_EQ(-EADDRINUSE, kdbus_name_release(&a, NAME_A));
	/* b did not allow replacement */
	EXPECT_EQ(-EEXIST, kdbus_name_acquire(&c, NAME_A, N_REPLACE, NULL));
	EXPECT_EQ(-EEXIST, kdbus_name_acquire(&a, NAME_A,
					      N_REPLACE | N_ALLOW, NULL));
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	RELEASE_LAST(&b, NAME_A, N_REPLACE);

	/* a chain: a -> b -> c -> a, each allowing replacement but the last */
	ACQUIRE_NEW(&a, NAME_B, N_ALLOW);
	ASSERT_EQ(0, kdbus_name_acquire(&b, NAME_B, N_REPLACE | N_ALLOW,
					&rf));
	EXPECT_EQ(0ULL, rf);
	EXPECT_NOTIFY(&self->w, CHANGE, a.id, N_ALLOW, b.id,
		      N_REPLACE | N_ALLOW, NAME_B);
	ASSERT_EQ(0, kdbus_name_acquire(&c, NAME_B, N_REPLACE | N_ALLOW,
					&rf));
	EXPECT_EQ(0ULL, rf);
	EXPECT_NOTIFY(&self->w, CHANGE, b.id, N_REPLACE | N_ALLOW, c.id,
		      N_REPLACE | N_ALLOW, NAME_B);
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_B, N_REPLACE, &rf));
	EXPECT_EQ(0ULL, rf);
	EXPECT_NOTIFY(&self->w, CHANGE, c.id, N_REPLACE | N_ALLOW, a.id,
		      N_REPLACE, NAME_B);
	EXPECT_EQ(-EEXIST, kdbus_name_acquire(&b, NAME_B, N_REPLACE, NULL));
	EXPECT_OWNER(&c, NAME_B, a.id);
	check_list(_metadata, &c, KDBUS_LIST_QUEUED, NULL, 0);
	EXPECT_EQ(-EADDRINUSE, kdbus_name_release(&b, NAME_B));
	EXPECT_EQ(-EADDRINUSE, kdbus_name_release(&c, NAME_B));
	RELEASE_LAST(&a, NAME_B, N_REPLACE);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	FREE_CONNS(&c, &b, &a);
}

/*
 * An old owner that asked for QUEUE is appended to the end of the queue
 * when it is replaced, and gets the name back with its own flags.
 */
TEST_F(names, replaced_owner_queued)
{
	const __u64 af = N_ALLOW | N_QUEUE;
	struct kdbus_conn a, b, c;
	__u64 rf;

	NEW_CONNS(&a, &b, &c);

	ACQUIRE_NEW(&a, NAME_A, af);
	rf = 0;
	ASSERT_EQ(0, kdbus_name_acquire(&c, NAME_A, N_QUEUE, &rf));
	EXPECT_EQ(N_IN_QUEUE, rf);
	rf = ~0ULL;
	ASSERT_EQ(0, kdbus_name_acquire(&b, NAME_A, N_REPLACE, &rf));
	EXPECT_EQ(0ULL, rf);
	EXPECT_NOTIFY(&self->w, CHANGE, a.id, af, b.id, N_REPLACE, NAME_A);
	EXPECT_OWNER(&a, NAME_A, b.id);
	/* queued records carry the owner's flags (8.6) */
	LIST_IS(&a, KDBUS_LIST_QUEUED,
		{ c.id, 0, NAME_A, N_REPLACE },
		{ a.id, 0, NAME_A, N_REPLACE });
	LIST_IS(&a, KDBUS_LIST_NAMES,
		{ b.id, 0, NAME_A, N_REPLACE });
	/* a waits behind c */
	ASSERT_EQ(0, kdbus_name_release(&b, NAME_A));
	EXPECT_NOTIFY(&self->w, CHANGE, b.id, N_REPLACE, c.id, N_QUEUE,
		      NAME_A);
	ASSERT_EQ(0, kdbus_name_release(&c, NAME_A));
	EXPECT_NOTIFY(&self->w, CHANGE, c.id, N_QUEUE, a.id, af, NAME_A);
	EXPECT_OWNER(&b, NAME_A, a.id);
	check_list(_metadata, &a, KDBUS_LIST_QUEUED, NULL, 0);
	RELEASE_LAST(&a, NAME_A, af);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	FREE_CONNS(&c, &b, &a);
}

/*
 * Three waiters (one asking for a replacement the owner does not allow),
 * the owner releases: each successor in FIFO order, with the flags it
 * queued with; the last release removes the name.
 */
TEST_F(names, queue_order)
{
	const __u64 fb = N_QUEUE, fc = N_QUEUE | N_ALLOW;
	const __u64 fd = N_QUEUE | N_REPLACE;
	struct kdbus_conn a, b, c, d;
	__u64 rf;

	NEW_CONNS(&a, &b, &c, &d);

	ACQUIRE_NEW(&a, NAME_A, 0);
	rf = 0;
	ASSERT_EQ(0, kdbus_name_acquire(&b, NAME_A, fb, &rf));
	EXPECT_EQ(N_IN_QUEUE, rf);
	rf = 0;
	ASSERT_EQ(0, kdbus_name_acquire(&c, NAME_A, fc, &rf));
	EXPECT_EQ(N_IN_QUEUE, rf);
	rf = 0;
	ASSERT_EQ(0, kdbus_name_acquire(&d, NAME_A, fd, &rf));
	EXPECT_EQ(N_IN_QUEUE, rf);
	/* queueing is silent */
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	EXPECT_OWNER(&d, NAME_A, a.id);
	LIST_IS(&a, KDBUS_LIST_QUEUED,
		{ b.id, 0, NAME_A, 0 },
		{ c.id, 0, NAME_A, 0 },
		{ d.id, 0, NAME_A, 0 });
	LIST_IS(&a, KDBUS_LIST_NAMES,
		{ a.id, 0, NAME_A, 0 });

	ASSERT_EQ(0, kdbus_name_release(&a, NAME_A));
	EXPECT_NOTIFY(&self->w, CHANGE, a.id, 0, b.id, fb, NAME_A);
	EXPECT_OWNER(&a, NAME_A, b.id);
	LIST_IS(&a, KDBUS_LIST_QUEUED,
		{ c.id, 0, NAME_A, fb },
		{ d.id, 0, NAME_A, fb });
	ASSERT_EQ(0, kdbus_name_release(&b, NAME_A));
	EXPECT_NOTIFY(&self->w, CHANGE, b.id, fb, c.id, fc, NAME_A);
	EXPECT_OWNER(&a, NAME_A, c.id);
	ASSERT_EQ(0, kdbus_name_release(&c, NAME_A));
	EXPECT_NOTIFY(&self->w, CHANGE, c.id, fc, d.id, fd, NAME_A);
	EXPECT_OWNER(&a, NAME_A, d.id);
	check_list(_metadata, &a, KDBUS_LIST_QUEUED, NULL, 0);
	RELEASE_LAST(&d, NAME_A, fd);
	EXPECT_OWNER(&a, NAME_A, 0);
	EXPECT_EQ(-ESRCH, kdbus_name_release(&d, NAME_A));
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	FREE_CONNS(&d, &c, &b, &a);
}

/* ------------------------------------------------------------------ */
/* release (8.4)                                                      */
/* ------------------------------------------------------------------ */

TEST_F(names, release_rules)
{
	struct kdbus_conn a, b, c, d;

	NEW_CONNS(&a, &b, &c, &d);

	/* not registered */
	EXPECT_EQ(-ESRCH, kdbus_name_release(&a, NAME_A));

	ACQUIRE_NEW(&a, NAME_A, 0);
	/* neither owner nor waiter */
	EXPECT_EQ(-EADDRINUSE, kdbus_name_release(&b, NAME_A));
	EXPECT_OWNER(&b, NAME_A, a.id);

	/* a waiter leaves the queue: success, silent */
	ASSERT_EQ(0, kdbus_name_acquire(&c, NAME_A, N_QUEUE, NULL));
	ASSERT_EQ(0, kdbus_name_release(&c, NAME_A));
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	check_list(_metadata, &c, KDBUS_LIST_QUEUED, NULL, 0);
	EXPECT_OWNER(&b, NAME_A, a.id);
	/* and is no waiter any more */
	EXPECT_EQ(-EADDRINUSE, kdbus_name_release(&c, NAME_A));

	/* the one left in the queue gets the name */
	ASSERT_EQ(0, kdbus_name_acquire(&c, NAME_A, N_QUEUE, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&d, NAME_A, N_QUEUE | N_ALLOW,
					NULL));
	ASSERT_EQ(0, kdbus_name_release(&c, NAME_A));
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	ASSERT_EQ(0, kdbus_name_release(&a, NAME_A));
	EXPECT_NOTIFY(&self->w, CHANGE, a.id, 0, d.id, N_QUEUE | N_ALLOW,
		      NAME_A);
	/* the former owner is nothing now */
	EXPECT_EQ(-EADDRINUSE, kdbus_name_release(&a, NAME_A));

	/* nobody waits: the name goes away */
	RELEASE_LAST(&d, NAME_A, N_QUEUE | N_ALLOW);
	EXPECT_EQ(-ESRCH, kdbus_name_release(&d, NAME_A));
	EXPECT_EQ(-ESRCH, kdbus_name_release(&a, NAME_A));
	EXPECT_OWNER(&b, NAME_A, 0);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	FREE_CONNS(&d, &c, &b, &a);
}

/*
 * At most 256 owned names per connection; queue entries do not count;
 * releasing one makes room; the limit is per connection.
 */
TEST_F(names, max_names_e2big)
{
	struct kdbus_conn a, b, c;
	__u64 offset, size;
	char name[64];
	unsigned int i;
	int ret, n;
	__u64 rf;

	/* 500+ notifications would overflow the watcher's kernel quota */
	kdbus_conn_free(&self->w);
	NEW_CONNS(&a, &b, &c);

	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "com.example.b%u", i);
		ASSERT_EQ(0, kdbus_name_acquire(&b, name, 0, NULL));
		rf = 0;
		ASSERT_EQ(0, kdbus_name_acquire(&a, name, N_QUEUE, &rf));
		EXPECT_EQ(N_IN_QUEUE, rf);
	}
	for (i = 0; i < KDBUS_CONN_MAX_NAMES; i++) {
		snprintf(name, sizeof(name), "com.example.n%u", i);
		ret = kdbus_name_acquire(&a, name, 0, NULL);
		if (ret) {
			EXPECT_EQ(0, ret) TH_LOG("name %u", i);
			break;
		}
	}
	snprintf(name, sizeof(name), "com.example.n%u", i);
	EXPECT_EQ(-E2BIG, kdbus_name_acquire(&a, name, 0, NULL));
	EXPECT_EQ(-E2BIG, kdbus_name_acquire(&a, name, N_QUEUE | N_REPLACE,
					     NULL));
	EXPECT_OWNER(&b, name, 0);
	/* the limit is per connection */
	EXPECT_EQ(0, kdbus_name_acquire(&c, name, 0, NULL));
	EXPECT_EQ(0, kdbus_name_release(&c, name));

	ASSERT_EQ(0, kdbus_list(&c, KDBUS_LIST_NAMES, &offset, &size));
	n = kdbus_list_parse(&c, offset, size, NULL, 0);
	EXPECT_EQ((int)KDBUS_CONN_MAX_NAMES + 3, n);
	EXPECT_EQ(0, kdbus_free(&c, offset));
	ASSERT_EQ(0, kdbus_list(&c, KDBUS_LIST_QUEUED, &offset, &size));
	n = kdbus_list_parse(&c, offset, size, NULL, 0);
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, kdbus_free(&c, offset));

	/* a release makes room for exactly one */
	ASSERT_EQ(0, kdbus_name_release(&a, "com.example.n0"));
	EXPECT_EQ(0, kdbus_name_acquire(&a, name, 0, NULL));
	EXPECT_EQ(-E2BIG, kdbus_name_acquire(&a, "com.example.n0", 0, NULL));
	EXPECT_OWNER(&b, name, a.id);

	/* all of a's names go with it */
	kdbus_conn_free(&a);
	ASSERT_EQ(0, kdbus_list(&c, KDBUS_LIST_NAMES | KDBUS_LIST_QUEUED,
				&offset, &size));
	n = kdbus_list_parse(&c, offset, size, NULL, 0);
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, kdbus_free(&c, offset));
	FREE_CONNS(&c, &b);
}

/* ------------------------------------------------------------------ */
/* implicit release on disconnect (5.12, 8.4)                         */
/* ------------------------------------------------------------------ */

TEST_F(names, disconnect_releases)
{
	struct kdbus_conn a, b, c, e, f, g;
	__u64 a_id, b_id, f_id;

	NEW_CONNS(&a, &b, &c);

	/* close: A has no waiter, B has b waiting, a also waits for C */
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_A, 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_B, N_ALLOW, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&b, NAME_B, N_QUEUE, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&c, NAME_C, 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_C, N_QUEUE, NULL));
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, a.id, 0, NAME_A);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, a.id, N_ALLOW, NAME_B);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, c.id, 0, NAME_C);
	a_id = a.id;
	kdbus_conn_free(&a);
	NOTICES(&self->w, false,
		{ REMOVE, a_id, 0, 0, 0, NAME_A },
		{ CHANGE, a_id, N_ALLOW, b.id, N_QUEUE, NAME_B });
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	EXPECT_OWNER(&b, NAME_A, 0);
	EXPECT_OWNER(&b, NAME_B, b.id);
	/* a left C's queue: c's release removes the name */
	check_list(_metadata, &b, KDBUS_LIST_QUEUED, NULL, 0);
	RELEASE_LAST(&c, NAME_C, 0);

	/* BYEBYE: b owns B (c waiting) and D */
	ASSERT_EQ(0, kdbus_name_acquire(&c, NAME_B, N_QUEUE | N_ALLOW, NULL));
	ACQUIRE_NEW(&b, NAME_D, 0);
	b_id = b.id;
	ASSERT_EQ(0, kdbus_byebye(&b));
	NOTICES(&self->w, false,
		{ CHANGE, b_id, N_QUEUE, c.id, N_QUEUE | N_ALLOW, NAME_B },
		{ REMOVE, b_id, 0, 0, 0, NAME_D });
	EXPECT_OWNER(&c, NAME_B, c.id);
	EXPECT_OWNER(&c, NAME_D, 0);
	/* the dead connection can do nothing with names */
	EXPECT_EQ(-ECONNRESET, kdbus_name_acquire(&b, NAME_D, 0, NULL));
	EXPECT_EQ(-ECONNRESET, kdbus_name_release(&b, NAME_B));
	kdbus_conn_free(&b);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));

	/* a waiter that disconnects leaves the queue */
	NEW_CONNS(&e, &f, &g);
	ASSERT_EQ(0, kdbus_name_acquire(&e, NAME_B, N_QUEUE, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&f, NAME_B, N_QUEUE, NULL));
	kdbus_conn_free(&e);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	LIST_IS(&g, KDBUS_LIST_QUEUED,
		{ f.id, 0, NAME_B, N_QUEUE | N_ALLOW });
	EXPECT_OWNER(&g, NAME_B, c.id);
	ASSERT_EQ(0, kdbus_name_release(&c, NAME_B));
	EXPECT_NOTIFY(&self->w, CHANGE, c.id, N_QUEUE | N_ALLOW, f.id,
		      N_QUEUE, NAME_B);
	/* the owner goes: nobody left to take over */
	f_id = f.id;
	kdbus_conn_free(&f);
	EXPECT_NOTIFY(&self->w, REMOVE, f_id, N_QUEUE, 0, 0, NAME_B);
	EXPECT_OWNER(&g, NAME_B, 0);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	FREE_CONNS(&g, &c);
}

/* a child process owns two names and exits without closing anything */
static int child_owner(const struct kdbus_domain *dom, const char *bus,
		       int id_w, int go_r)
{
	struct kdbus_conn c;
	char x;

	if (kdbus_conn_new(&c, dom, bus, NULL, 0) ||
	    kdbus_name_acquire(&c, NAME_A, 0, NULL) ||
	    kdbus_name_acquire(&c, NAME_B, N_ALLOW | N_QUEUE, NULL))
		return 1;
	if (write(id_w, &c.id, sizeof(c.id)) != sizeof(c.id))
		return 2;
	if (read(go_r, &x, 1) != 1)
		return 3;
	return 0;
}

TEST_F(names, owner_process_exits)
{
	int id_pipe[2], go_pipe[2], status;
	struct kdbus_conn b;
	__u64 child_id = 0;
	pid_t pid;

	NEW_CONN(&b);
	ASSERT_EQ(0, pipe2(id_pipe, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go_pipe, O_CLOEXEC));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(go_pipe[1]);
		_exit(child_owner(&self->dom, self->bus, id_pipe[1],
				  go_pipe[0]));
	}
	close(go_pipe[0]);
	close(id_pipe[1]);
	ASSERT_EQ(0, kdbus_wait_pollin(id_pipe[0], WAIT_MS));
	ASSERT_EQ((ssize_t)sizeof(child_id),
		  read(id_pipe[0], &child_id, sizeof(child_id)));
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, child_id, 0, NAME_A);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, child_id, N_ALLOW | N_QUEUE,
		      NAME_B);
	ASSERT_EQ(0, kdbus_name_acquire(&b, NAME_B, N_QUEUE, NULL));
	LIST_IS(&b, KDBUS_LIST_NAMES | KDBUS_LIST_QUEUED,
		{ child_id, 0, NAME_A, 0 },
		{ child_id, 0, NAME_B, N_ALLOW | N_QUEUE },
		{ b.id, 0, NAME_B, N_ALLOW | N_QUEUE });

	/* the process exits: its connection and names go */
	ASSERT_EQ(1, write(go_pipe[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	NOTICES(&self->w, false,
		{ REMOVE, child_id, 0, 0, 0, NAME_A },
		{ CHANGE, child_id, N_ALLOW | N_QUEUE, b.id, N_QUEUE, NAME_B });
	EXPECT_OWNER(&b, NAME_A, 0);
	EXPECT_OWNER(&b, NAME_B, b.id);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	close(go_pipe[1]);
	close(id_pipe[0]);
	kdbus_conn_free(&b);
}

/* ------------------------------------------------------------------ */
/* who may own names (4.1)                                            */
/* ------------------------------------------------------------------ */

TEST_F(names, kinds_eopnotsupp)
{
	struct kdbus_conn a, m, act, ph;
	__u64 act_id;

	NEW_CONN(&a);
	ASSERT_EQ(0, kdbus_conn_new(&m, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));
	NEW_ACTIVATOR(&act, ACT_NAME);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, act.id, N_ACTIVATOR, ACT_NAME);
	ASSERT_EQ(0, kdbus_policy_holder_new(&ph, &self->dom, self->bus,
					     POLICY_NAME, KDBUS_POLICY_OWN));

	/* monitors */
	EXPECT_EQ(-EOPNOTSUPP, kdbus_name_acquire(&m, NAME_A, 0, NULL));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_name_acquire(&m, NAME_A, N_QUEUE, NULL));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_name_release(&m, NAME_A));
	/* activators, even for their own name */
	EXPECT_EQ(-EOPNOTSUPP, kdbus_name_acquire(&act, NAME_A, 0, NULL));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_name_acquire(&act, ACT_NAME, 0, NULL));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_name_release(&act, ACT_NAME));
	/* policy holders, even for their policy name */
	EXPECT_EQ(-EOPNOTSUPP, kdbus_name_acquire(&ph, POLICY_NAME, 0, NULL));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_name_release(&ph, POLICY_NAME));

	/* nothing changed; the activator still holds its name */
	EXPECT_OWNER(&a, NAME_A, 0);
	EXPECT_OWNER(&a, ACT_NAME, act.id);
	EXPECT_OWNER(&a, POLICY_NAME, 0);
	/* a policy holder's name is not registered: an ordinary may own it */
	EXPECT_EQ(0, kdbus_name_acquire(&a, POLICY_NAME, 0, NULL));
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, a.id, 0, POLICY_NAME);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	kdbus_conn_free(&ph);
	act_id = act.id;
	kdbus_conn_free(&act);
	EXPECT_NOTIFY(&self->w, REMOVE, act_id, N_ACTIVATOR, 0, 0, ACT_NAME);
	FREE_CONNS(&m, &a);
}

/* ------------------------------------------------------------------ */
/* addressing by name (5.4, 5.8.1, 5.10)                              */
/* ------------------------------------------------------------------ */

TEST_F(names, send_by_name)
{
	static const char * const invalid[] = {
		"foo", ".foo.bar", "foo..bar", "foo.", "foo.1a", "foo.b@r",
		"foo.bar.*",
	};
	struct kdbus_conn a, b, c;
	unsigned int i;

	NEW_CONNS(&a, &b, &c);
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_A, 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&c, NAME_A, N_QUEUE, NULL));

	/* dst_id 0 + DST_NAME: the owner gets it, DST_NAME first */
	ASSERT_EQ(0, send_text(&b, KDBUS_DST_ID_NAME, NAME_A, 0, 1,
			       "by name"));
	CHECK_MSG(&a, b.id, KDBUS_DST_ID_NAME, NAME_A, 0, 1, "by name");
	/* the owner's id + DST_NAME */
	ASSERT_EQ(0, send_text(&b, a.id, NAME_A, 0, 2, "by id and name"));
	CHECK_MSG(&a, b.id, a.id, NAME_A, 0, 2, "by id and name");
	/* NO_AUTO_START does not matter for an ordinary owner */
	ASSERT_EQ(0, send_text(&b, KDBUS_DST_ID_NAME, NAME_A,
			       KDBUS_MSG_NO_AUTO_START, 3, "no auto start"));
	CHECK_MSG(&a, b.id, KDBUS_DST_ID_NAME, NAME_A,
		  KDBUS_MSG_NO_AUTO_START, 3, "no auto start");
	/* by id only: no DST_NAME item */
	ASSERT_EQ(0, send_text(&b, a.id, NULL, 0, 4, "by id"));
	CHECK_MSG(&a, b.id, a.id, NULL, 0, 4, "by id");
	/* to oneself by name */
	ASSERT_EQ(0, send_text(&a, KDBUS_DST_ID_NAME, NAME_A, 0, 5, "self"));
	CHECK_MSG(&a, a.id, KDBUS_DST_ID_NAME, NAME_A, 0, 5, "self");

	/* another id: EREMCHG, also for ids nobody has */
	EXPECT_EQ(-EREMCHG, send_text(&b, c.id, NAME_A, 0, 6, "x"));
	EXPECT_EQ(-EREMCHG, send_text(&b, b.id, NAME_A, 0, 6, "x"));
	EXPECT_EQ(-EREMCHG, send_text(&b, a.id + 1000, NAME_A, 0, 6, "x"));
	/* unregistered: ESRCH, whatever the id */
	EXPECT_EQ(-ESRCH, send_text(&b, KDBUS_DST_ID_NAME, NAME_B, 0, 7,
				    "x"));
	EXPECT_EQ(-ESRCH, send_text(&b, a.id, NAME_B, 0, 7, "x"));
	/* invalid names: EINVAL; no destination at all: EDESTADDRREQ */
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		EXPECT_EQ(-EINVAL, send_text(&b, KDBUS_DST_ID_NAME,
					     invalid[i], 0, 8, "x"))
			TH_LOG("\"%s\"", invalid[i]);
	}
	EXPECT_EQ(-EDESTADDRREQ, send_text(&b, KDBUS_DST_ID_NAME, NULL, 0, 9,
					   "x"));
	/* the waiter got nothing, nor did anybody else */
	EXPECT_EQ(0, quiet(&c, QUIET_MS));
	EXPECT_EQ(0, quiet(&a, 0));
	EXPECT_EQ(0, quiet(&b, 0));

	/* the name changes hands: the next message goes to the new owner */
	ASSERT_EQ(0, kdbus_name_release(&a, NAME_A));
	ASSERT_EQ(0, send_text(&b, KDBUS_DST_ID_NAME, NAME_A, 0, 10,
			       "to the successor"));
	CHECK_MSG(&c, b.id, KDBUS_DST_ID_NAME, NAME_A, 0, 10,
		  "to the successor");
	EXPECT_EQ(-EREMCHG, send_text(&b, a.id, NAME_A, 0, 11, "x"));
	ASSERT_EQ(0, kdbus_name_release(&c, NAME_A));
	EXPECT_EQ(-ESRCH, send_text(&b, KDBUS_DST_ID_NAME, NAME_A, 0, 12,
				    "x"));
	EXPECT_EQ(0, quiet(&a, QUIET_MS));
	EXPECT_EQ(0, quiet(&c, 0));
	FREE_CONNS(&c, &b, &a);
}

/* the owner of a name answers calls made to the name */
struct answerer {
	pthread_t thread;
	struct kdbus_conn *conn;
	const char *name;	/* the DST_NAME expected */
	int err;
};

static void *answer_thread(void *arg)
{
	struct answerer *r = arg;
	struct kdbus_cmd_recv cmd;
	const struct kdbus_item *item;
	struct kdbus_msg *m;
	__u64 src, cookie;

	r->err = kdbus_recv_wait(r->conn, WAIT_MS, &cmd, &m);
	if (r->err)
		return NULL;
	item = m->items;
	if (!(m->flags & KDBUS_MSG_EXPECT_REPLY) || m->dst_id != 0 ||
	    m->size <= sizeof(*m) || item->type != KDBUS_ITEM_DST_NAME ||
	    strcmp(item->str, r->name)) {
		kdbus_log("answerer: not a call to %s", r->name);
		r->err = -EBADMSG;
	}
	src = m->src_id;
	cookie = m->cookie;
	kdbus_free(r->conn, cmd.msg.offset);
	if (!r->err)
		r->err = kdbus_send_reply(r->conn, src, cookie, "answer", 7);
	return NULL;
}

/* a synchronous call of @name from @c: 0 (the reply in @reply) or -errno */
static int call_sync_name(struct kdbus_conn *c, const char *name,
			  __u64 cookie, struct kdbus_msg_info *reply)
{
	struct kdbus_msg *m = kdbus_msg_new(KDBUS_DST_ID_NAME, cookie);
	int ret;

	m->flags = KDBUS_MSG_EXPECT_REPLY;
	m->timeout_ns = kdbus_now_ns() + LONG_NS;
	kdbus_msg_add_dst_name(m, name);
	kdbus_msg_add_vec(m, "call", 5);
	ret = kdbus_send(c, m, KDBUS_SEND_SYNC_REPLY, -1, reply);
	kdbus_msg_release(m);
	return ret;
}

/* the synchronous reply @info in @c's pool is "answer" from @src */
static void check_sync_reply(struct __test_metadata *_metadata,
			     struct kdbus_conn *c,
			     const struct kdbus_msg_info *info, __u64 src,
			     __u64 cookie)
{
	struct kdbus_msg *m;
	char buf[16];

	ASSERT_GT(c->pool_size, info->offset);
	m = (struct kdbus_msg *)((__u8 *)c->pool + info->offset);
	EXPECT_EQ(src, m->src_id);
	EXPECT_EQ(c->id, m->dst_id);
	EXPECT_EQ(cookie, m->cookie_reply);
	EXPECT_EQ((ssize_t)7, kdbus_msg_payload(m, buf, sizeof(buf)));
	EXPECT_STREQ("answer", buf);
	EXPECT_EQ(0, kdbus_free(c, info->offset));
}

/* calls by name: asynchronous (reply tracker) and synchronous */
TEST_F(names, call_by_name)
{
	struct kdbus_conn a, b;
	struct kdbus_msg_info info;
	struct answerer r;
	int ret;

	NEW_CONNS(&a, &b);
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_A, 0, NULL));

	/* asynchronous: the owner answers the caller by id */
	ASSERT_EQ(0, send_text(&b, KDBUS_DST_ID_NAME, NAME_A,
			       KDBUS_MSG_EXPECT_REPLY, 0x51, "call"));
	CHECK_MSG(&a, b.id, KDBUS_DST_ID_NAME, NAME_A, KDBUS_MSG_EXPECT_REPLY,
		  0x51, "call");
	ASSERT_EQ(0, kdbus_send_reply(&a, b.id, 0x51, "reply", 6));
	check_reply(_metadata, &b, a.id, 0x51, "reply");
	/* only once */
	EXPECT_EQ(-EPERM, kdbus_send_reply(&a, b.id, 0x51, "reply", 6));

	/* synchronous */
	r.conn = &a;
	r.name = NAME_A;
	r.err = -1;
	ASSERT_EQ(0, pthread_create(&r.thread, NULL, answer_thread, &r));
	ret = call_sync_name(&b, NAME_A, 0x52, &info);
	pthread_join(r.thread, NULL);
	EXPECT_EQ(0, r.err);
	ASSERT_EQ(0, ret);
	check_sync_reply(_metadata, &b, &info, a.id, 0x52);

	/* an unregistered name fails before anything waits */
	EXPECT_EQ(-ESRCH, call_sync_name(&b, NAME_B, 0x53, &info));
	EXPECT_EQ(0, quiet(&a, QUIET_MS));
	EXPECT_EQ(0, quiet(&b, 0));
	FREE_CONNS(&b, &a);
}

/* ------------------------------------------------------------------ */
/* activators (8.5)                                                   */
/* ------------------------------------------------------------------ */

/* as an unprivileged user: HELLO ACTIVATOR on root's bus */
struct unpriv_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
	__u64 talk_id;		/* root's owner of TALK_NAME */
	__u64 plain_id;		/* root's owner of PLAIN_NAME */
	int pipe_w;		/* child -> test: ids */
};

static int child_activator_eperm(void *arg)
{
	const struct unpriv_ctx *ctx = arg;
	struct kdbus_conn act;
	int ret;

	ret = kdbus_activator_new(&act, ctx->dom, ctx->bus, ACT_NAME);
	if (ret != -EPERM) {
		kdbus_log("unprivileged activator: got %d, want -EPERM", ret);
		return 1;
	}
	return 0;
}

TEST_F(names, activator_hello_rules)
{
	struct unpriv_ctx ctx = { .dom = &self->dom, .bus = self->bus };
	struct kdbus_conn act, act2, act3, a, other;
	struct kdbus_cmd_hello *hello;
	struct kdbus_info *info;
	__u64 offset, size, act_id;
	int fd;

	/* a privileged handle is needed */
	EXPECT_EQ(0, kdbus_run_as(OTHER_UID, OTHER_GID,
				  child_activator_eperm, &ctx));

	fd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* no NAME item */
	hello = kdbus_hello_args(KDBUS_HELLO_ACTIVATOR, 0, NULL);
	EXPECT_EQ(-EINVAL, kdbus_ioctl(fd, KDBUS_CMD_HELLO, hello));
	kdbus_args_release(hello);
	/* no wildcard, no invalid name */
	EXPECT_EQ(-EINVAL, kdbus_hello_activator(&act, fd, "com.example.*",
						 0));
	EXPECT_EQ(-EINVAL, kdbus_hello_activator(&act, fd, "foo", 0));
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));

	/* a new name: NAME_ADD with the ACTIVATOR name flag */
	ASSERT_EQ(0, kdbus_hello_activator(&act, fd, ACT_NAME,
					   KDBUS_HELLO_ACCEPT_FD));
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, act.id, N_ACTIVATOR, ACT_NAME);
	ASSERT_EQ(0, kdbus_conn_info(&self->w, 0, ACT_NAME, 0, &offset,
				     &size));
	info = kdbus_pool_info(&self->w, offset);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(act.id, info->id);
	EXPECT_EQ(HELLO_ACTIVATOR | KDBUS_HELLO_ACCEPT_FD, info->flags);
	EXPECT_EQ(0, kdbus_free(&self->w, offset));

	/* a second activator for the name: EEXIST, the handle stays usable */
	fd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, kdbus_hello_activator(&act2, fd, ACT_NAME, 0));
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	ASSERT_EQ(0, kdbus_hello(&other, fd, 0, 0, NULL));
	kdbus_conn_free(&other);

	/* an activator is not addressable by id */
	EXPECT_EQ(-ENXIO, send_text(&self->w, act.id, NULL, 0, 1, "x"));

	/* an activator for a name an ordinary connection owns: silent */
	NEW_CONN(&a);
	ACQUIRE_NEW(&a, NAME_A, N_ALLOW);
	NEW_ACTIVATOR(&act2, NAME_A);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	EXPECT_OWNER(&a, NAME_A, a.id);
	LIST_IS(&a, KDBUS_LIST_ACTIVATORS,
		{ act.id, HELLO_ACTIVATOR | KDBUS_HELLO_ACCEPT_FD, ACT_NAME,
		  N_ACTIVATOR },
		{ act2.id, HELLO_ACTIVATOR, NAME_A, N_ALLOW });
	/* and the second one for it is refused */
	fd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, kdbus_hello_activator(&act3, fd, NAME_A, 0));
	close(fd);

	/* the activator goes: its name goes, another may take its place */
	act_id = act.id;
	kdbus_conn_free(&act);
	EXPECT_NOTIFY(&self->w, REMOVE, act_id, N_ACTIVATOR, 0, 0, ACT_NAME);
	EXPECT_OWNER(&a, ACT_NAME, 0);
	NEW_ACTIVATOR(&act3, ACT_NAME);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, act3.id, N_ACTIVATOR, ACT_NAME);

	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	act_id = act3.id;
	kdbus_conn_free(&act3);
	EXPECT_NOTIFY(&self->w, REMOVE, act_id, N_ACTIVATOR, 0, 0, ACT_NAME);
	FREE_CONNS(&act2, &a);
}

/*
 * Messages to a name its activator holds queue at the activator (POLLIN,
 * RECV_PEEK, RECV, RECV_DROP work there); NO_AUTO_START refuses them.
 */
TEST_F(names, activator_queue)
{
	struct kdbus_conn act, b;
	struct kdbus_cmd_recv cmd;

	NEW_ACTIVATOR(&act, ACT_NAME);
	NEW_CONN(&b);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, act.id, N_ACTIVATOR, ACT_NAME);
	EXPECT_EQ(-ETIMEDOUT, kdbus_wait_pollin(act.fd, 0));

	ASSERT_EQ(0, send_to_name(&b, ACT_NAME, "m0"));
	EXPECT_EQ(0, kdbus_wait_pollin(act.fd, WAIT_MS));
	ASSERT_EQ(0, send_to_name(&b, ACT_NAME, "m1"));
	/* the owner's id (the activator's) with the name is fine too */
	ASSERT_EQ(0, send_text(&b, act.id, ACT_NAME, 0, 2, "m2"));
	/* the activator's id alone is not, nor another id */
	EXPECT_EQ(-ENXIO, send_text(&b, act.id, NULL, 0, 3, "x"));
	EXPECT_EQ(-EREMCHG, send_text(&b, b.id, ACT_NAME, 0, 3, "x"));
	/* NO_AUTO_START: refused while the activator holds the name */
	EXPECT_EQ(-EADDRNOTAVAIL, send_text(&b, KDBUS_DST_ID_NAME, ACT_NAME,
					    KDBUS_MSG_NO_AUTO_START, 3, "x"));
	EXPECT_EQ(-EADDRNOTAVAIL, send_text(&b, act.id, ACT_NAME,
					    KDBUS_MSG_NO_AUTO_START, 3, "x"));

	/* peek leaves it queued */
	check_msg(_metadata, &act, true, b.id, KDBUS_DST_ID_NAME, ACT_NAME, 0,
		  1, "m0");
	check_msg(_metadata, &act, true, b.id, KDBUS_DST_ID_NAME, ACT_NAME, 0,
		  1, "m0");
	CHECK_MSG(&act, b.id, KDBUS_DST_ID_NAME, ACT_NAME, 0, 1, "m0");
	ASSERT_EQ(0, kdbus_recv(&act, KDBUS_RECV_DROP, 0, &cmd, NULL));
	EXPECT_EQ(act.pool_size, cmd.msg.offset);
	CHECK_MSG(&act, b.id, act.id, ACT_NAME, 0, 2, "m2");
	EXPECT_EQ(-EAGAIN, kdbus_recv(&act, 0, 0, NULL, NULL));
	EXPECT_EQ(0, quiet(&b, 0));
	EXPECT_EQ(0, quiet(&self->w, 0));
	FREE_CONNS(&b, &act);
}

/*
 * Hand-over: everything queued at the activator (ten messages and a call)
 * moves, in order, to the connection that acquires the name without
 * REPLACE_EXISTING; the call can be answered by the new owner. When it
 * releases the name with nobody queued, what was sent to the name and is
 * still queued moves back to the activator (calls included, answerable by
 * the next owner); what was sent to the owner's id stays.
 */
TEST_F(names, activator_handover)
{
	struct kdbus_conn act, b, c, d;
	char text[32];
	unsigned int i;
	__u64 rf;

	NEW_ACTIVATOR(&act, ACT_NAME);
	NEW_CONNS(&b, &c, &d);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, act.id, N_ACTIVATOR, ACT_NAME);

	for (i = 0; i < 10; i++) {
		snprintf(text, sizeof(text), "queued message %u", i);
		ASSERT_EQ(0, send_text(&c, KDBUS_DST_ID_NAME, ACT_NAME, 0,
				       100 + i, text));
	}
	ASSERT_EQ(0, send_text(&c, KDBUS_DST_ID_NAME, ACT_NAME,
			       KDBUS_MSG_EXPECT_REPLY, 0x99, "call"));
	ASSERT_EQ(0, kdbus_wait_pollin(act.fd, WAIT_MS));

	/* no REPLACE_EXISTING needed */
	rf = ~0ULL;
	ASSERT_EQ(0, kdbus_name_acquire(&b, ACT_NAME, 0, &rf));
	EXPECT_EQ(0ULL, rf);
	EXPECT_NOTIFY(&self->w, CHANGE, act.id, N_ACTIVATOR, b.id, 0,
		      ACT_NAME);
	EXPECT_OWNER(&c, ACT_NAME, b.id);
	EXPECT_EQ(-EAGAIN, kdbus_recv(&act, 0, 0, NULL, NULL));
	for (i = 0; i < 10; i++) {
		snprintf(text, sizeof(text), "queued message %u", i);
		CHECK_MSG(&b, c.id, KDBUS_DST_ID_NAME, ACT_NAME, 0, 100 + i,
			  text);
	}
	CHECK_MSG(&b, c.id, KDBUS_DST_ID_NAME, ACT_NAME,
		  KDBUS_MSG_EXPECT_REPLY, 0x99, "call");
	EXPECT_EQ(0, quiet(&b, 0));
	ASSERT_EQ(0, kdbus_send_reply(&b, c.id, 0x99, "reply", 6));
	check_reply(_metadata, &c, b.id, 0x99, "reply");
	LIST_IS(&c, KDBUS_LIST_ACTIVATORS,
		{ act.id, HELLO_ACTIVATOR, ACT_NAME, 0 });
	LIST_IS(&c, KDBUS_LIST_NAMES,
		{ b.id, 0, ACT_NAME, 0 });

	/* back to the activator on release */
	ASSERT_EQ(0, send_to_name(&c, ACT_NAME, "back 0"));
	ASSERT_EQ(0, send_text(&c, b.id, NULL, 0, 2, "by id"));
	ASSERT_EQ(0, send_text(&c, KDBUS_DST_ID_NAME, ACT_NAME,
			       KDBUS_MSG_EXPECT_REPLY, 0x9a, "call 2"));
	ASSERT_EQ(0, send_text(&c, b.id, ACT_NAME, 0, 3, "back 1"));
	ASSERT_EQ(0, kdbus_name_release(&b, ACT_NAME));
	EXPECT_NOTIFY(&self->w, CHANGE, b.id, 0, act.id, N_ACTIVATOR,
		      ACT_NAME);
	EXPECT_OWNER(&c, ACT_NAME, act.id);
	CHECK_MSG(&b, c.id, b.id, NULL, 0, 2, "by id");
	EXPECT_EQ(0, quiet(&b, 0));
	/* the call now expects its reply from the name's owner, not b */
	EXPECT_EQ(-EPERM, kdbus_send_reply(&b, c.id, 0x9a, "reply", 6));
	check_msg(_metadata, &act, true, c.id, KDBUS_DST_ID_NAME, ACT_NAME, 0,
		  1, "back 0");

	/* the next owner (asking for QUEUE: it still becomes the owner) */
	rf = ~0ULL;
	ASSERT_EQ(0, kdbus_name_acquire(&d, ACT_NAME, N_QUEUE, &rf));
	EXPECT_EQ(0ULL, rf);
	EXPECT_NOTIFY(&self->w, CHANGE, act.id, N_ACTIVATOR, d.id, N_QUEUE,
		      ACT_NAME);
	CHECK_MSG(&d, c.id, KDBUS_DST_ID_NAME, ACT_NAME, 0, 1, "back 0");
	CHECK_MSG(&d, c.id, KDBUS_DST_ID_NAME, ACT_NAME,
		  KDBUS_MSG_EXPECT_REPLY, 0x9a, "call 2");
	CHECK_MSG(&d, c.id, b.id, ACT_NAME, 0, 3, "back 1");
	EXPECT_EQ(0, quiet(&d, 0));
	EXPECT_EQ(-EAGAIN, kdbus_recv(&act, 0, 0, NULL, NULL));
	ASSERT_EQ(0, kdbus_send_reply(&d, c.id, 0x9a, "reply 2", 8));
	check_reply(_metadata, &c, d.id, 0x9a, "reply 2");
	EXPECT_EQ(0, quiet(&c, QUIET_MS));
	EXPECT_EQ(0, quiet(&self->w, 0));
	FREE_CONNS(&d, &c, &b, &act);
}

/*
 * The owner of an activatable name dies: the name and the messages (and
 * calls) sent to it return to the activator, no REPLY_DEAD for them; what
 * was sent to the dead owner's id is gone.
 */
TEST_F(names, activator_owner_dies)
{
	struct kdbus_conn act, b, c, e;
	__u64 b_id;

	NEW_ACTIVATOR(&act, ACT_NAME);
	NEW_CONNS(&b, &c, &e);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, act.id, N_ACTIVATOR, ACT_NAME);
	ASSERT_EQ(0, kdbus_name_acquire(&b, ACT_NAME, N_ALLOW, NULL));
	EXPECT_NOTIFY(&self->w, CHANGE, act.id, N_ACTIVATOR, b.id, N_ALLOW,
		      ACT_NAME);

	ASSERT_EQ(0, send_to_name(&c, ACT_NAME, "n0"));
	ASSERT_EQ(0, send_text(&c, b.id, NULL, 0, 2, "i0"));
	ASSERT_EQ(0, send_text(&c, KDBUS_DST_ID_NAME, ACT_NAME,
			       KDBUS_MSG_EXPECT_REPLY, 0x77, "call"));
	ASSERT_EQ(0, send_to_name(&c, ACT_NAME, "n1"));
	b_id = b.id;
	kdbus_conn_free(&b);
	EXPECT_NOTIFY(&self->w, CHANGE, b_id, N_ALLOW, act.id, N_ACTIVATOR,
		      ACT_NAME);
	EXPECT_OWNER(&c, ACT_NAME, act.id);
	/* the call was not lost with b */
	EXPECT_EQ(0, quiet(&c, QUIET_MS));

	ASSERT_EQ(0, kdbus_name_acquire(&e, ACT_NAME, 0, NULL));
	EXPECT_NOTIFY(&self->w, CHANGE, act.id, N_ACTIVATOR, e.id, 0,
		      ACT_NAME);
	CHECK_MSG(&e, c.id, KDBUS_DST_ID_NAME, ACT_NAME, 0, 1, "n0");
	CHECK_MSG(&e, c.id, KDBUS_DST_ID_NAME, ACT_NAME,
		  KDBUS_MSG_EXPECT_REPLY, 0x77, "call");
	CHECK_MSG(&e, c.id, KDBUS_DST_ID_NAME, ACT_NAME, 0, 1, "n1");
	EXPECT_EQ(0, quiet(&e, 0));
	ASSERT_EQ(0, kdbus_send_reply(&e, c.id, 0x77, "reply", 6));
	check_reply(_metadata, &c, e.id, 0x77, "reply");
	EXPECT_EQ(0, quiet(&self->w, 0));
	FREE_CONNS(&e, &c, &act);
}

/*
 * The activator goes: a name it holds is removed (its queued call gets
 * REPLY_DEAD); a name an ordinary connection owns is not handed back to
 * it any more.
 */
TEST_F(names, activator_disconnects)
{
	struct kdbus_conn act, act2, b, c;
	__u64 act_id;

	NEW_ACTIVATOR(&act, ACT_NAME);
	NEW_CONNS(&b, &c);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, act.id, N_ACTIVATOR, ACT_NAME);
	ASSERT_EQ(0, send_text(&c, KDBUS_DST_ID_NAME, ACT_NAME,
			       KDBUS_MSG_EXPECT_REPLY, 0x42, "call"));
	act_id = act.id;
	kdbus_conn_free(&act);
	EXPECT_NOTIFY(&self->w, REMOVE, act_id, N_ACTIVATOR, 0, 0, ACT_NAME);
	check_reply_dead(_metadata, &c, 0x42);
	EXPECT_OWNER(&c, ACT_NAME, 0);
	EXPECT_EQ(-ESRCH, send_to_name(&c, ACT_NAME, "x"));

	ACQUIRE_NEW(&b, NAME_A, 0);
	NEW_ACTIVATOR(&act2, NAME_A);
	kdbus_conn_free(&act2);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	EXPECT_OWNER(&c, NAME_A, b.id);
	RELEASE_LAST(&b, NAME_A, 0);
	EXPECT_OWNER(&c, NAME_A, 0);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	FREE_CONNS(&c, &b);
}

/* a synchronous call waits at the activator and is answered by the
 * connection the name is handed to
 */
struct sync_caller {
	pthread_t thread;
	struct kdbus_conn *conn;
	struct kdbus_msg_info info;
	int ret;
};

static void *sync_caller_thread(void *arg)
{
	struct sync_caller *s = arg;

	s->ret = call_sync_name(s->conn, ACT_NAME, 0x5c, &s->info);
	return NULL;
}

TEST_F(names, activator_sync_call_handover)
{
	struct kdbus_conn act, b, c;
	struct sync_caller s;

	NEW_ACTIVATOR(&act, ACT_NAME);
	NEW_CONNS(&b, &c);
	s.conn = &c;
	s.ret = -1;
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, sync_caller_thread, &s));
	/* the call is queued at the activator */
	if (kdbus_wait_pollin(act.fd, WAIT_MS)) {
		/* end the waiting call (12.4) before failing */
		kdbus_byebye(&c);
		pthread_join(s.thread, NULL);
		ASSERT_TRUE(false)
			TH_LOG("the call did not reach the activator (%d)",
			       s.ret);
	}
	ASSERT_EQ(0, kdbus_name_acquire(&b, ACT_NAME, 0, NULL));
	CHECK_MSG(&b, c.id, KDBUS_DST_ID_NAME, ACT_NAME,
		  KDBUS_MSG_EXPECT_REPLY, 0x5c, "call");
	EXPECT_EQ(0, kdbus_send_reply(&b, c.id, 0x5c, "answer", 7));
	pthread_join(s.thread, NULL);
	ASSERT_EQ(0, s.ret);
	check_sync_reply(_metadata, &c, &s.info, b.id, 0x5c);
	EXPECT_EQ(-EAGAIN, kdbus_recv(&act, 0, 0, NULL, NULL));
	FREE_CONNS(&c, &b, &act);
}

/*
 * Hand-over with messages in flight: several processes keep sending
 * numbered messages to the name while it moves from the activator to an
 * ordinary owner. Every message arrives exactly once at the new owner,
 * in each sender's order, and nothing is left at the activator.
 */
#define FLIGHT_SENDERS		3U
#define FLIGHT_MSGS		100U

struct flight_payload {
	__u32 sender;
	__u32 seq;
};

static int flight_sender(const struct kdbus_domain *dom, const char *bus,
			 unsigned int idx, int ready_w, int go_r)
{
	struct flight_payload p = { .sender = idx };
	struct kdbus_conn c;
	struct kdbus_msg *m;
	__u64 deadline;
	char x = 'r';
	int ret;

	ret = kdbus_conn_new(&c, dom, bus, NULL, 0);
	if (ret) {
		kdbus_log("sender %u: HELLO: %s", idx, strerror(-ret));
		x = 'f';
	}
	if (write(ready_w, &x, 1) != 1 || ret)
		return 1;
	if (read(go_r, &x, 1) != 1)
		return 2;
	for (p.seq = 0; p.seq < FLIGHT_MSGS; p.seq++) {
		deadline = kdbus_now_ns() + 20000 * NSEC_PER_MSEC;
		for (;;) {
			m = kdbus_msg_new(KDBUS_DST_ID_NAME, p.seq + 1);
			kdbus_msg_add_dst_name(m, ACT_NAME);
			kdbus_msg_add_vec(m, &p, sizeof(p));
			ret = kdbus_send(&c, m, 0, -1, NULL);
			kdbus_msg_release(m);
			/* a full queue (quota) empties: try again */
			if (ret != -ENOBUFS || kdbus_now_ns() > deadline)
				break;
			kdbus_sleep_ms(1);
		}
		if (ret) {
			kdbus_log("sender %u: message %u: %s", idx, p.seq,
				  strerror(-ret));
			return 3;
		}
	}
	kdbus_conn_free(&c);
	return 0;
}

TEST_F_TIMEOUT(names, activator_handover_in_flight, 120)
{
	__u32 next[FLIGHT_SENDERS] = { 0 };
	pid_t pids[FLIGHT_SENDERS];
	unsigned int i, total = 0, bad = 0;
	struct kdbus_conn act, b;
	struct kdbus_cmd_recv cmd;
	struct flight_payload p;
	int ready[2], go[2], ret, status;
	struct kdbus_msg *m;
	__u64 deadline, rf;
	ssize_t len;
	char x;

	NEW_ACTIVATOR(&act, ACT_NAME);
	NEW_CONN(&b);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, act.id, N_ACTIVATOR, ACT_NAME);
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	fflush(NULL);
	for (i = 0; i < FLIGHT_SENDERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			close(ready[0]);
			close(go[1]);
			_exit(flight_sender(&self->dom, self->bus, i,
					    ready[1], go[0]));
		}
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < FLIGHT_SENDERS; i++) {
		ASSERT_EQ(0, kdbus_wait_pollin(ready[0], WAIT_MS));
		ASSERT_EQ(1, read(ready[0], &x, 1));
		ASSERT_EQ('r', x);
	}
	ASSERT_EQ((ssize_t)FLIGHT_SENDERS,
		  write(go[1], "gggg", FLIGHT_SENDERS));

	/* the first messages reach the activator, then the hand-over */
	ASSERT_EQ(0, kdbus_wait_pollin(act.fd, WAIT_MS));
	rf = ~0ULL;
	ASSERT_EQ(0, kdbus_name_acquire(&b, ACT_NAME, 0, &rf));
	EXPECT_EQ(0ULL, rf);

	deadline = kdbus_now_ns() + 60000 * NSEC_PER_MSEC;
	while (total < FLIGHT_SENDERS * FLIGHT_MSGS &&
	       kdbus_now_ns() < deadline) {
		ret = kdbus_recv_wait(&b, 1000, &cmd, &m);
		if (ret == -ETIMEDOUT || ret == -EAGAIN)
			continue;
		ASSERT_EQ(0, ret);
		ASSERT_NE(NULL, m);
		EXPECT_EQ(0ULL, cmd.dropped_msgs);
		len = kdbus_msg_payload(m, &p, sizeof(p));
		if (len != (ssize_t)sizeof(p) ||
		    m->items[0].type != KDBUS_ITEM_DST_NAME ||
		    strcmp(m->items[0].str, ACT_NAME) ||
		    p.sender >= FLIGHT_SENDERS || p.seq != next[p.sender] ||
		    m->cookie != p.seq + 1ULL) {
			if (bad++ < 10)
				TH_LOG("message %u: payload %zd bytes, sender %u, seq %u (want %u)",
				       total, len, p.sender, p.seq,
				       p.sender < FLIGHT_SENDERS ?
				       next[p.sender] : 0);
			if (p.sender < FLIGHT_SENDERS &&
			    p.seq >= next[p.sender])
				next[p.sender] = p.seq + 1;
		} else {
			next[p.sender]++;
		}
		total++;
		EXPECT_EQ(0, kdbus_free(&b, cmd.msg.offset));
	}
	for (i = 0; i < FLIGHT_SENDERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("sender %u: status 0x%x", i, status);
	}
	EXPECT_EQ(0U, bad);
	EXPECT_EQ(FLIGHT_SENDERS * FLIGHT_MSGS, total);
	for (i = 0; i < FLIGHT_SENDERS; i++) {
		EXPECT_EQ(FLIGHT_MSGS, next[i])
			TH_LOG("sender %u", i);
	}
	/* nothing left or lost anywhere */
	EXPECT_EQ(-EAGAIN, kdbus_recv(&act, 0, 0, &cmd, NULL));
	EXPECT_EQ(0, quiet(&b, QUIET_MS));
	EXPECT_NOTIFY(&self->w, CHANGE, act.id, N_ACTIVATOR, b.id, 0,
		      ACT_NAME);
	close(ready[0]);
	close(go[1]);
	FREE_CONNS(&b, &act);
}

/* ------------------------------------------------------------------ */
/* LIST (3.12, 8.6)                                                   */
/* ------------------------------------------------------------------ */

TEST_F(names, list_args)
{
	struct kdbus_cmd_list *list;
	__u64 offset = 0, size = ~0ULL;
	struct kdbus_conn a;

	NEW_CONN(&a);
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_A, 0, NULL));
	/* flags 0: the empty list, an empty slice */
	ASSERT_EQ(0, kdbus_list(&a, 0, &offset, &size));
	EXPECT_EQ(0ULL, size);
	EXPECT_EQ(a.pool_size, offset);
	EXPECT_EQ(0, kdbus_free(&a, offset));
	/* unknown flags */
	EXPECT_EQ(-EINVAL, kdbus_list(&a, 1ULL << 4, NULL, NULL));
	EXPECT_EQ(-EINVAL, kdbus_list(&a, KDBUS_LIST_NAMES | (1ULL << 62),
				      NULL, NULL));
	/* only NEGOTIATE items */
	list = kdbus_args_new(sizeof(*list));
	list->flags = KDBUS_LIST_NAMES;
	kdbus_args_add_str(list, KDBUS_ITEM_NAME, NAME_A);
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_LIST, list));
	/* too short */
	list = kdbus_args_new(sizeof(*list));
	list->flags = KDBUS_LIST_NAMES;
	list->size = sizeof(*list) - 8;
	EXPECT_EQ(-EINVAL, ioctl_release(&a, KDBUS_CMD_LIST, list));
	kdbus_conn_free(&a);
}

/*
 * Which records each flag produces, for ordinary connections (owners,
 * waiters, idle ones), a monitor (never), an activator (only with
 * LIST_ACTIVATORS) and a policy holder (as a unique id); record by
 * record sizes; and LIST works for every kind of connection.
 */
TEST_F(names, list_records)
{
	struct kdbus_conn a, b, c, d, m, act, act2, ph;
	struct kdbus_conn *const kinds[] = { &m, &act, &ph };
	const __u64 w_id = self->w.id;
	__u64 offset, size;
	unsigned int i;

	NEW_CONNS(&a, &b, &c, &d);
	ASSERT_EQ(0, kdbus_conn_new(&m, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));
	NEW_ACTIVATOR(&act, ACT_NAME);
	ASSERT_EQ(0, kdbus_policy_holder_new(&ph, &self->dom, self->bus,
					     POLICY_NAME, KDBUS_POLICY_SEE));
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_A, N_ALLOW, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_B, N_QUEUE, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&b, NAME_A, N_QUEUE, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&d, NAME_D, 0, NULL));

	check_list(_metadata, &c, 0, NULL, 0);
	LIST_IS(&c, KDBUS_LIST_UNIQUE,
		{ w_id, 0, NULL, 0 },
		{ a.id, 0, NULL, 0 },
		{ b.id, 0, NULL, 0 },
		{ c.id, 0, NULL, 0 },
		{ d.id, 0, NULL, 0 },
		{ ph.id, HELLO_POLICY_HOLDER, NULL, 0 });
	LIST_IS(&c, KDBUS_LIST_NAMES,
		{ a.id, 0, NAME_A, N_ALLOW },
		{ a.id, 0, NAME_B, N_QUEUE },
		{ d.id, 0, NAME_D, 0 });
	LIST_IS(&c, KDBUS_LIST_QUEUED,
		{ b.id, 0, NAME_A, N_ALLOW });
	LIST_IS(&c, KDBUS_LIST_ACTIVATORS,
		{ act.id, HELLO_ACTIVATOR, ACT_NAME, N_ACTIVATOR });
	LIST_IS(&c, KDBUS_LIST_UNIQUE | KDBUS_LIST_ACTIVATORS,
		{ w_id, 0, NULL, 0 },
		{ a.id, 0, NULL, 0 },
		{ b.id, 0, NULL, 0 },
		{ c.id, 0, NULL, 0 },
		{ d.id, 0, NULL, 0 },
		{ ph.id, HELLO_POLICY_HOLDER, NULL, 0 },
		{ act.id, HELLO_ACTIVATOR, ACT_NAME, N_ACTIVATOR });
	LIST_IS(&c, KDBUS_LIST_NAMES | KDBUS_LIST_UNIQUE,
		{ a.id, 0, NAME_A, N_ALLOW },
		{ a.id, 0, NAME_B, N_QUEUE },
		{ d.id, 0, NAME_D, 0 },
		{ w_id, 0, NULL, 0 },
		{ b.id, 0, NULL, 0 },
		{ c.id, 0, NULL, 0 },
		{ ph.id, HELLO_POLICY_HOLDER, NULL, 0 });
	LIST_IS(&c, KDBUS_LIST_NAMES | KDBUS_LIST_QUEUED | KDBUS_LIST_UNIQUE,
		{ a.id, 0, NAME_A, N_ALLOW },
		{ a.id, 0, NAME_B, N_QUEUE },
		{ d.id, 0, NAME_D, 0 },
		{ b.id, 0, NAME_A, N_ALLOW },
		{ w_id, 0, NULL, 0 },
		{ c.id, 0, NULL, 0 },
		{ ph.id, HELLO_POLICY_HOLDER, NULL, 0 });
	/* every kind of connection may LIST */
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		LIST_IS(kinds[i], KDBUS_LIST_NAMES,
			{ a.id, 0, NAME_A, N_ALLOW },
			{ a.id, 0, NAME_B, N_QUEUE },
			{ d.id, 0, NAME_D, 0 });
	LIST_IS(&a, KDBUS_LIST_QUEUED,
		{ b.id, 0, NAME_A, N_ALLOW });

	/* an ordinary connection takes the activator's name */
	ASSERT_EQ(0, kdbus_name_acquire(&a, ACT_NAME, N_ALLOW, NULL));
	NEW_ACTIVATOR(&act2, NAME_D);
	LIST_IS(&c, KDBUS_LIST_ACTIVATORS,
		{ act.id, HELLO_ACTIVATOR, ACT_NAME, N_ALLOW },
		{ act2.id, HELLO_ACTIVATOR, NAME_D, 0 });
	LIST_IS(&c, KDBUS_LIST_NAMES,
		{ a.id, 0, NAME_A, N_ALLOW },
		{ a.id, 0, NAME_B, N_QUEUE },
		{ a.id, 0, ACT_NAME, N_ALLOW },
		{ d.id, 0, NAME_D, 0 });

	/* gone connections are gone from the list */
	FREE_CONNS(&b, &a);
	LIST_IS(&c, KDBUS_LIST_UNIQUE,
		{ w_id, 0, NULL, 0 },
		{ c.id, 0, NULL, 0 },
		{ d.id, 0, NULL, 0 },
		{ ph.id, HELLO_POLICY_HOLDER, NULL, 0 });
	LIST_IS(&c, KDBUS_LIST_NAMES,
		{ d.id, 0, NAME_D, 0 });
	check_list(_metadata, &c, KDBUS_LIST_QUEUED, NULL, 0);
	/* a policy holder's LIST slice is readable (it cannot FREE) */
	ASSERT_EQ(0, kdbus_list(&ph, KDBUS_LIST_UNIQUE, &offset, &size));
	EXPECT_EQ(4, kdbus_list_parse(&ph, offset, size, NULL, 0));

	FREE_CONNS(&act2, &act, &ph, &m, &d, &c);
}

/* a one-page pool cannot hold the list of many long names: EXFULL */
TEST_F(names, list_exfull)
{
	const __u64 page = (__u64)sysconf(_SC_PAGESIZE);
	const unsigned int count = 40;
	struct kdbus_conn a, s;
	__u64 offset, size;
	char name[256];
	unsigned int i;
	int fd;

	/* 40 records of 24 + ITEM_SIZE(8 + 201) = 256 bytes: 10 KiB */
	NEW_CONN(&a);
	memset(name, 'x', sizeof(name));
	memcpy(name, "com.example.", 12);
	for (i = 0; i < count; i++) {
		snprintf(name + 196, sizeof(name) - 196, "%04u", i);
		ASSERT_EQ(200U, strlen(name));
		ASSERT_EQ(0, kdbus_name_acquire(&a, name, 0, NULL));
	}
	fd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&s, fd, 0, page, NULL));

	EXPECT_EQ(-EXFULL, kdbus_list(&s, KDBUS_LIST_NAMES, &offset, &size));
	EXPECT_EQ(-EXFULL, kdbus_list(&s, KDBUS_LIST_NAMES | KDBUS_LIST_UNIQUE,
				      &offset, &size));
	/* the big pool can; the small one still has room for a small list */
	ASSERT_EQ(0, kdbus_list(&a, KDBUS_LIST_NAMES, &offset, &size));
	EXPECT_EQ((int)count, kdbus_list_parse(&a, offset, size, NULL, 0));
	EXPECT_EQ(count * 256ULL, size);
	EXPECT_EQ(0, kdbus_free(&a, offset));
	ASSERT_EQ(0, kdbus_list(&s, KDBUS_LIST_UNIQUE, &offset, &size));
	EXPECT_EQ(3, kdbus_list_parse(&s, offset, size, NULL, 0));
	EXPECT_EQ(3 * sizeof(struct kdbus_info), size);
	EXPECT_EQ(0, kdbus_free(&s, offset));
	FREE_CONNS(&s, &a);
}

/* ------------------------------------------------------------------ */
/* CONN_INFO by name (12.1)                                           */
/* ------------------------------------------------------------------ */

TEST_F(names, conn_info_by_name)
{
	struct kdbus_conn a, b, act;
	struct kdbus_info *info;
	__u64 offset, size;

	NEW_CONNS(&a, &b);
	NEW_ACTIVATOR(&act, ACT_NAME);
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_A, N_ALLOW, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&a, NAME_C, 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&b, NAME_A, N_QUEUE, NULL));

	ASSERT_EQ(0, kdbus_conn_info(&b, 0, NAME_A, 0, &offset, &size));
	info = kdbus_pool_info(&b, offset);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(a.id, info->id);
	EXPECT_EQ(0ULL, info->flags);
	EXPECT_EQ(size, info->size);
	EXPECT_EQ(sizeof(*info), info->size);
	EXPECT_EQ(0, kdbus_free(&b, offset));
	/* with the owner's id it must match */
	EXPECT_EQ(0, kdbus_conn_info(&b, a.id, NAME_A, 0, &offset, &size));
	EXPECT_EQ(0, kdbus_free(&b, offset));
	EXPECT_EQ(-ESRCH, kdbus_conn_info(&b, b.id, NAME_A, 0, &offset,
					  &size));
	EXPECT_EQ(-ESRCH, kdbus_conn_info(&b, a.id + 1000, NAME_A, 0,
					  &offset, &size));
	/* unknown names */
	EXPECT_EQ(-ESRCH, kdbus_conn_info(&b, 0, NAME_B, 0, &offset, &size));
	EXPECT_EQ(-ESRCH, kdbus_conn_info(&b, a.id, NAME_B, 0, &offset,
					  &size));
	/* an activator's name: the activator */
	ASSERT_EQ(0, kdbus_conn_info(&b, 0, ACT_NAME, 0, &offset, &size));
	info = kdbus_pool_info(&b, offset);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(act.id, info->id);
	EXPECT_EQ(HELLO_ACTIVATOR, info->flags);
	EXPECT_EQ(0, kdbus_free(&b, offset));

	/* the name moves: so does the answer */
	ASSERT_EQ(0, kdbus_name_release(&a, NAME_A));
	EXPECT_OWNER(&a, NAME_A, b.id);
	EXPECT_EQ(-ESRCH, kdbus_conn_info(&b, a.id, NAME_A, 0, &offset,
					  &size));
	ASSERT_EQ(0, kdbus_name_release(&b, NAME_A));
	EXPECT_OWNER(&a, NAME_A, 0);
	FREE_CONNS(&act, &b, &a);
}

/* ------------------------------------------------------------------ */
/* unprivileged users (11.5, 14.3)                                    */
/* ------------------------------------------------------------------ */

/* root owns these, on two connections */
#define TALK_NAME		"com.example.names.talk"
#define PLAIN_NAME		"com.example.names.plain"

/* log why a child failed (kdbus_log()); evaluates to its exit status @code */
#define child_fail(code, ...)	(kdbus_log(__VA_ARGS__), (code))

/* find {id, name} in @ents: its name flags, or ~0 */
static __u64 rec_flags(const struct kdbus_list_entry *ents, int n, __u64 id,
		       const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (ents[i].id == id && ents[i].name &&
		    !strcmp(ents[i].name, name))
			return ents[i].name_flags;
	return ~0ULL;
}

/*
 * As uid 1000 on root's bus: LIST and CONN_INFO by name show root's
 * names, root's names cannot be released by others, no activator.
 */
static int child_unprivileged_names(void *arg)
{
	const struct unpriv_ctx *ctx = arg;
	struct kdbus_list_entry ents[16];
	struct kdbus_conn y, act;
	__u64 offset, size, id;
	int ret, n;

	if (kdbus_conn_new(&y, ctx->dom, ctx->bus, NULL, 0))
		return 1;

	ret = kdbus_name_release(&y, PLAIN_NAME);
	if (ret != -EADDRINUSE)
		return child_fail(9, "release root's name: %d", ret);
	ret = kdbus_name_release(&y, "com.example.names.unknown");
	if (ret != -ESRCH)
		return child_fail(10, "release an unknown name: %d", ret);

	/* LIST as an unprivileged user */
	ret = kdbus_list(&y, KDBUS_LIST_NAMES | KDBUS_LIST_QUEUED, &offset,
			 &size);
	if (ret)
		return child_fail(11, "LIST: %d", ret);
	n = kdbus_list_parse(&y, offset, size, ents, 16);
	if (n != 2)
		return child_fail(12, "LIST: %d records, want 2", n);
	if (rec_flags(ents, n, ctx->talk_id, TALK_NAME) ||
	    rec_flags(ents, n, ctx->plain_id, PLAIN_NAME))
		return child_fail(13, "LIST: wrong records");
	if (kdbus_free(&y, offset))
		return child_fail(14, "FREE of the list");

	/* CONN_INFO by name */
	ret = owner_of(&y, PLAIN_NAME, &id);
	if (ret || id != ctx->plain_id)
		return child_fail(15, "owner of %s: %d", PLAIN_NAME, ret);
	ret = owner_of(&y, TALK_NAME, &id);
	if (ret || id != ctx->talk_id)
		return child_fail(16, "owner of %s: %d", TALK_NAME, ret);

	/* no activators for plain users */
	ret = kdbus_activator_new(&act, ctx->dom, ctx->bus, "com.example.x");
	if (ret != -EPERM)
		return child_fail(22, "activator: %d", ret);

	kdbus_conn_free(&y);
	return 0;
}

TEST_F(names, unprivileged_user)
{
	struct unpriv_ctx ctx = { .dom = &self->dom, .bus = self->bus };
	struct kdbus_conn r, r2;

	NEW_CONNS(&r, &r2);
	ASSERT_EQ(0, kdbus_name_acquire(&r, TALK_NAME, 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&r2, PLAIN_NAME, 0, NULL));
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, r.id, 0, TALK_NAME);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, r2.id, 0, PLAIN_NAME);

	ctx.talk_id = r.id;
	ctx.plain_id = r2.id;
	EXPECT_EQ(0, kdbus_run_as(OTHER_UID, OTHER_GID,
				  child_unprivileged_names, &ctx));

	/* nothing changed */
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	EXPECT_OWNER(&r, TALK_NAME, r.id);
	EXPECT_OWNER(&r, PLAIN_NAME, r2.id);
	FREE_CONNS(&r2, &r);
}

/*
 * A plain user who made a bus is privileged on it (1.7): it owns any name
 * there without policy and can make activators.
 */
static int child_bus_owner(void *arg)
{
	const struct kdbus_domain *dom = arg;
	struct kdbus_list_entry ents[4];
	struct kdbus_conn act, x;
	__u64 offset, size, rf;
	char bus[64];
	int owner, ret, n;

	owner = kdbus_bus_create(dom, 0, "own", bus, sizeof(bus));
	if (owner < 0)
		return child_fail(1, "BUS_MAKE as uid 1000: %d", owner);
	ret = kdbus_activator_new(&act, dom, bus, ACT_NAME);
	if (ret)
		return child_fail(2, "activator on one's own bus: %d", ret);
	ret = kdbus_conn_new(&x, dom, bus, NULL, 0);
	if (ret)
		return child_fail(3, "HELLO: %d", ret);
	ret = kdbus_name_acquire(&x, NAME_A, 0, &rf);
	if (ret || rf)
		return child_fail(4, "acquire: %d", ret);
	ret = send_to_name(&x, ACT_NAME, "for the service");
	if (ret)
		return child_fail(5, "send to the activator's name: %d", ret);
	ret = kdbus_name_acquire(&x, ACT_NAME, 0, &rf);
	if (ret || rf)
		return child_fail(6, "take the activator's name: %d", ret);
	ret = kdbus_recv_wait(&x, WAIT_MS, NULL, NULL);
	if (ret)
		return child_fail(7, "the moved message: %d", ret);
	ret = kdbus_list(&x, KDBUS_LIST_ACTIVATORS, &offset, &size);
	if (ret)
		return child_fail(8, "LIST: %d", ret);
	n = kdbus_list_parse(&x, offset, size, ents, 4);
	if (n != 1 || ents[0].id != act.id || !ents[0].name ||
	    strcmp(ents[0].name, ACT_NAME) || ents[0].name_flags)
		return child_fail(9, "LIST ACTIVATORS: %d records", n);
	FREE_CONNS(&x, &act);
	close(owner);
	return 0;
}

TEST_F(names, unprivileged_bus_owner)
{
	EXPECT_EQ(0, kdbus_run_as(OTHER_UID, OTHER_GID, child_bus_owner,
				  &self->dom));
}

/* ------------------------------------------------------------------ */
/* concurrency                                                        */
/* ------------------------------------------------------------------ */

#define RACERS			6U

struct racer {
	pthread_t thread;
	pthread_barrier_t *barrier;
	struct kdbus_conn conn;
	__u64 rf;
	int ret;
};

static void *racer_thread(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->barrier);
	r->ret = kdbus_name_acquire(&r->conn, NAME_A, N_QUEUE, &r->rf);
	return NULL;
}

/*
 * Threads race for one name with QUEUE: exactly one owner, the rest
 * queued; releasing one after the other hands the name to each of them
 * exactly once.
 */
TEST_F(names, concurrent_acquire)
{
	struct racer r[RACERS];
	pthread_barrier_t barrier;
	bool owned[RACERS] = { false };
	struct kdbus_name_notify n;
	unsigned int i, j, owners = 0, cur = 0;
	__u64 id;

	ASSERT_EQ(0, pthread_barrier_init(&barrier, NULL, RACERS));
	for (i = 0; i < RACERS; i++) {
		NEW_CONN(&r[i].conn);
		r[i].barrier = &barrier;
		r[i].ret = -1;
		r[i].rf = ~0ULL;
	}
	for (i = 0; i < RACERS; i++) {
		ASSERT_EQ(0, pthread_create(&r[i].thread, NULL, racer_thread,
					    &r[i]));
	}
	for (i = 0; i < RACERS; i++)
		pthread_join(r[i].thread, NULL);
	pthread_barrier_destroy(&barrier);

	for (i = 0; i < RACERS; i++) {
		EXPECT_EQ(0, r[i].ret) TH_LOG("racer %u", i);
		if (!r[i].rf) {
			owners++;
			cur = i;
		} else {
			EXPECT_EQ(N_IN_QUEUE, r[i].rf) TH_LOG("racer %u", i);
		}
	}
	ASSERT_EQ(1U, owners);
	EXPECT_NOTIFY(&self->w, ADD, 0, 0, r[cur].conn.id, N_QUEUE, NAME_A);
	EXPECT_OWNER(&self->w, NAME_A, r[cur].conn.id);
	owned[cur] = true;

	for (i = 1; i < RACERS; i++) {
		ASSERT_EQ(0, kdbus_name_release(&r[cur].conn, NAME_A));
		ASSERT_EQ(0, kdbus_name_notify_recv(&self->w, WAIT_MS, &n));
		EXPECT_EQ(CHANGE, n.type);
		EXPECT_EQ(r[cur].conn.id, n.old_id.id);
		EXPECT_EQ(N_QUEUE, n.old_id.flags);
		EXPECT_EQ(N_QUEUE, n.new_id.flags);
		for (j = 0; j < RACERS; j++)
			if (r[j].conn.id == n.new_id.id)
				break;
		ASSERT_GT(RACERS, j) TH_LOG("new owner %llu",
					    (unsigned long long)n.new_id.id);
		EXPECT_FALSE(owned[j]) TH_LOG("racer %u owns it twice", j);
		owned[j] = true;
		ASSERT_EQ(0, owner_of(&self->w, NAME_A, &id));
		EXPECT_EQ(r[j].conn.id, id);
		cur = j;
	}
	ASSERT_EQ(0, kdbus_name_release(&r[cur].conn, NAME_A));
	EXPECT_NOTIFY(&self->w, REMOVE, r[cur].conn.id, N_QUEUE, 0, 0,
		      NAME_A);
	EXPECT_EQ(0, quiet(&self->w, QUIET_MS));
	for (i = 0; i < RACERS; i++)
		kdbus_conn_free(&r[i].conn);
}

TEST_HARNESS_MAIN
