// SPDX-License-Identifier: GPL-2.0
/*
 * Matches and signals: KDBUS_CMD_MATCH_ADD / _REMOVE (rules, item and
 * flag validation, the match limit, REPLACE), broadcast and unicast
 * signals filtered by matches (ID, NAME and BLOOM_MASK rules, bloom
 * generations, rules ANDed within a match, matches ORed), kernel
 * notifications through matches (ID_*, NAME_* with their id and name
 * filters, REPLY_* without matches, custom endpoints), monitors, dropped
 * broadcasts at full receivers, receivers in other processes, REPLACE
 * racing deliveries, and an unprivileged receiver.
 *
 * Receivers use the helper's HELLO defaults (receive attach mask 0), so
 * received messages carry no metadata items and their sizes follow from
 * contract 5.10 and 5.11. Every signal the tests send carries its cookie
 * as an 8-byte payload, so a received signal is 64 + 32 bytes of header
 * and PAYLOAD_OFF item plus 8 bytes of payload.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

/* the bloom filter size of the test buses (kdbus_bus_create(): 64/1) */
#define BLOOM_SIZE		64
#define BLOOM_WORDS		(BLOOM_SIZE / 8)
#define BCAST			KDBUS_DST_ID_BROADCAST
#define ANY			KDBUS_MATCH_ID_ANY
#define NSEC_PER_MSEC		1000000ULL
/* how long a receiver waits for a message that must come */
#define WAIT_MS			3000
/* how long a test waits for a child process to get ready */
#define READY_MS		10000
/* the unprivileged user of the tests */
#define OTHER_UID		1000
#define OTHER_GID		1000

/* received sizes (contract 5.10, 5.11) */
#define SIGNAL_MSG_SIZE		(64ULL + 32)	/* header + PAYLOAD_OFF */
#define SIGNAL_SLICE_SIZE	(SIGNAL_MSG_SIZE + 8)
#define ID_NOTIFY_SIZE		96ULL
#define REPLY_NOTIFY_SIZE	80ULL
#define TIMESTAMP_ITEM_SIZE	40ULL

/* a list of bloom bit numbers, ended by -1 */
#define BITS(...)		((const int[]){ __VA_ARGS__, -1 })
#define NO_BITS			BITS(-1)

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

/* @b (BLOOM_WORDS words) with exactly the bits listed in @bits */
static __u64 *bloom_bits(__u64 *b, const int *bits)
{
	memset(b, 0, BLOOM_SIZE);
	for (; *bits >= 0; bits++)
		b[*bits / 64] |= 1ULL << (*bits % 64);
	return b;
}

/*
 * Send a signal from @c to @dst with @cookie (also the payload) and a
 * bloom filter of generation @gen holding @bits: 0 or -errno.
 */
static int sig_gen(struct kdbus_conn *c, __u64 dst, __u64 cookie, __u64 gen,
		   const int *bits)
{
	__u64 b[BLOOM_WORDS];

	return kdbus_send_signal(c, dst, cookie, gen, bloom_bits(b, bits),
				 &cookie, sizeof(cookie));
}

static int sig(struct kdbus_conn *c, __u64 dst, __u64 cookie,
	       const int *bits)
{
	return sig_gen(c, dst, cookie, 0, bits);
}

/* a plain unicast (@flags: 0 or EXPECT_REPLY) with @cookie as payload */
static int ucast(struct kdbus_conn *c, __u64 dst, __u64 cookie, __u64 flags,
		 __u64 timeout_ns)
{
	return kdbus_send_simple(c, dst, cookie, flags, timeout_ns, &cookie,
				 sizeof(cookie));
}

/* one match tagged @cookie (with @flags) holding a BLOOM_MASK of @bits */
static int match_bloom(struct kdbus_conn *c, __u64 cookie, __u64 flags,
		       const int *bits)
{
	struct kdbus_cmd_match *m = kdbus_match_new(cookie, flags);
	__u64 b[BLOOM_WORDS];

	kdbus_match_rule_bloom(m, bloom_bits(b, bits), BLOOM_SIZE);
	return kdbus_match_cmd_release(c, m);
}

/* one match tagged @cookie (with @flags) holding one ID rule for @id */
static int match_id(struct kdbus_conn *c, __u64 cookie, __u64 flags,
		    __u64 id)
{
	struct kdbus_cmd_match *m = kdbus_match_new(cookie, flags);

	kdbus_match_rule_id(m, id);
	return kdbus_match_cmd_release(c, m);
}

/* one match tagged @cookie holding one NAME rule for @name */
static int match_name(struct kdbus_conn *c, __u64 cookie, const char *name)
{
	struct kdbus_cmd_match *m = kdbus_match_new(cookie, 0);

	kdbus_match_rule_name(m, name);
	return kdbus_match_cmd_release(c, m);
}

/* a match without rules */
static int match_all(struct kdbus_conn *c, __u64 cookie)
{
	return kdbus_match_add(c, cookie, 0, NULL, 0);
}

/* MATCH_ADD with one raw item {@size, @type, @payload}: 0 or -errno */
static int match_raw_item(struct kdbus_conn *c, __u64 cookie, __u64 type,
			  __u64 size, const void *payload)
{
	struct kdbus_cmd_match *m = kdbus_match_new(cookie, 0);
	size_t plen = size > KDBUS_ITEM_HEADER_SIZE ?
		      size - KDBUS_ITEM_HEADER_SIZE : 0;
	struct kdbus_item *it;

	it = kdbus_args_add(m, type, payload, plen);
	it->size = size;
	return kdbus_match_cmd_release(c, m);
}

/*
 * Make the custom endpoint "<euid>-<suffix>" (mode 0666) on @bus; its
 * path relative to the domain goes to @rel. The EP_OWNER fd or -errno.
 */
static int ep_new(const struct kdbus_domain *dom, const char *bus,
		  const char *suffix, char *rel, size_t len)
{
	char name[64];
	int fd, ret;

	fd = kdbus_bus_open(dom, bus, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = kdbus_ep_make(fd, KDBUS_MAKE_ACCESS_WORLD,
			    kdbus_name(name, sizeof(name), suffix));
	if (ret < 0) {
		close(fd);
		return ret;
	}
	snprintf(rel, len, "%s/%s", bus, name);
	return fd;
}

/* the poll() events of @fd right now */
static short poll_now(int fd)
{
	struct pollfd p = {
		.fd = fd,
		.events = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM,
	};

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static const char *type_name(__u64 type)
{
	switch (type) {
	case KDBUS_ITEM_NAME_ADD:	return "NAME_ADD";
	case KDBUS_ITEM_NAME_REMOVE:	return "NAME_REMOVE";
	case KDBUS_ITEM_NAME_CHANGE:	return "NAME_CHANGE";
	case KDBUS_ITEM_ID_ADD:		return "ID_ADD";
	case KDBUS_ITEM_ID_REMOVE:	return "ID_REMOVE";
	case KDBUS_ITEM_REPLY_TIMEOUT:	return "REPLY_TIMEOUT";
	case KDBUS_ITEM_REPLY_DEAD:	return "REPLY_DEAD";
	case KDBUS_ITEM_PAYLOAD_OFF:	return "PAYLOAD_OFF";
	case KDBUS_ITEM_DST_NAME:	return "DST_NAME";
	default:			return "?";
	}
}

static void log_msg(const char *what, const struct kdbus_msg *m)
{
	const struct kdbus_item *it = m->items;
	bool has_item = m->size >= sizeof(*m) + KDBUS_ITEM_HEADER_SIZE;

	kdbus_log("%s: size %llu flags %#llx prio %lld dst %llu src %llu",
		  what, (unsigned long long)m->size,
		  (unsigned long long)m->flags, (long long)m->priority,
		  (unsigned long long)m->dst_id,
		  (unsigned long long)m->src_id);
	kdbus_log("  payload type %#llx cookie %llu reply %llu item0 %llu/%s",
		  (unsigned long long)m->payload_type,
		  (unsigned long long)m->cookie,
		  (unsigned long long)m->cookie_reply,
		  has_item ? (unsigned long long)it->size : 0ULL,
		  has_item ? type_name(it->type) : "-");
}

/* the RECV result fields about lost messages are as expected */
static bool dropped_ok(const struct kdbus_cmd_recv *cmd, __u64 dropped)
{
	__u64 flags = dropped ? KDBUS_RECV_RETURN_DROPPED_MSGS : 0;

	if (cmd->dropped_msgs == dropped && cmd->return_flags == flags)
		return true;
	kdbus_log("RECV: dropped_msgs %llu return_flags %#llx, expected %llu/%#llx",
		  (unsigned long long)cmd->dropped_msgs,
		  (unsigned long long)cmd->return_flags,
		  (unsigned long long)dropped, (unsigned long long)flags);
	return false;
}

/*
 * The next message of @c within WAIT_MS (freed by the caller), or NULL
 * (logged). What is expected, formatted from @fmt, goes to @what (@len
 * bytes) for the caller's log.
 */
static __printf(5, 6) struct kdbus_msg *next_msg(struct kdbus_conn *c,
						 struct kdbus_cmd_recv *cmd,
						 char *what, size_t len,
						 const char *fmt, ...)
{
	struct kdbus_msg *m = NULL;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(what, len, fmt, ap);
	va_end(ap);
	ret = kdbus_recv_wait(c, WAIT_MS, cmd, &m);
	if (ret < 0 || !m) {
		kdbus_log("connection %llu: no message (expected %s): %s",
			  (unsigned long long)c->id, what,
			  ret < 0 ? strerror(-ret) : "empty slice");
		return NULL;
	}
	return m;
}

/*
 * The end of an expect_*() that received the slice of @cmd on @c: the RECV
 * must report @dropped lost messages, then the slice is freed. 0, or -1
 * if @bad or either fails.
 */
static int expect_done(struct kdbus_conn *c, const struct kdbus_cmd_recv *cmd,
		       __u64 dropped, int bad)
{
	if (!dropped_ok(cmd, dropped))
		bad = 1;
	if (kdbus_free(c, cmd->msg.offset) < 0)
		bad = 1;
	return bad ? -1 : 0;
}

/*
 * The next message of @c is a user message from @src to @dst with
 * @cookie, flags @flags and the cookie as its only payload (one
 * PAYLOAD_OFF item, no bloom filter, no other item); the RECV reports
 * @dropped lost messages. The slice is freed. 0, or -1 (logged).
 */
static int expect_msg_d(struct kdbus_conn *c, __u64 src, __u64 dst,
			__u64 cookie, __u64 flags, __u64 dropped)
{
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	__u64 payload = 0;
	char what[64];
	int bad = 0;

	m = next_msg(c, &cmd, what, sizeof(what), "cookie %llu from %llu",
		     (unsigned long long)cookie, (unsigned long long)src);
	if (!m)
		return -1;
	it = m->items;
	if (m->size != SIGNAL_MSG_SIZE || cmd.msg.msg_size != SIGNAL_SLICE_SIZE ||
	    m->src_id != src || m->dst_id != dst || m->cookie != cookie ||
	    m->flags != flags || m->priority != 0 ||
	    m->payload_type != KDBUS_PAYLOAD_DBUS ||
	    ((flags & KDBUS_MSG_SIGNAL) && m->cookie_reply != 0) ||
	    it->type != KDBUS_ITEM_PAYLOAD_OFF ||
	    it->size != KDBUS_ITEM_SIZE(sizeof(struct kdbus_vec)) ||
	    it->vec.size != sizeof(payload) ||
	    it->vec.offset != SIGNAL_MSG_SIZE) {
		bad = 1;
	} else {
		memcpy(&payload, (const __u8 *)m + it->vec.offset,
		       sizeof(payload));
		if (payload != cookie)
			bad = 1;
	}
	if (bad) {
		log_msg("received", m);
		kdbus_log("expected: %s to %llu flags %#llx, size %llu",
			  what, (unsigned long long)dst,
			  (unsigned long long)flags, SIGNAL_MSG_SIZE);
		kdbus_log("  slice %llu (got %llu), payload %llu (got %llu)",
			  SIGNAL_SLICE_SIZE,
			  (unsigned long long)cmd.msg.msg_size,
			  (unsigned long long)cookie,
			  (unsigned long long)payload);
	}
	return expect_done(c, &cmd, dropped, bad);
}

static int expect_sig_d(struct kdbus_conn *c, __u64 src, __u64 dst,
			__u64 cookie, __u64 dropped)
{
	return expect_msg_d(c, src, dst, cookie, KDBUS_MSG_SIGNAL, dropped);
}

static int expect_sig(struct kdbus_conn *c, __u64 src, __u64 dst,
		      __u64 cookie)
{
	return expect_sig_d(c, src, dst, cookie, 0);
}

/*
 * Nothing is queued on @c and nothing was lost: RECV fails with EAGAIN
 * and reports no dropped message. 0, or -1 (logged; an unexpected
 * message is freed).
 */
static int expect_none(struct kdbus_conn *c)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m = NULL;
	int ret;

	ret = kdbus_recv(c, 0, 0, &cmd, &m);
	if (ret == -EAGAIN)
		return dropped_ok(&cmd, 0) ? 0 : -1;
	if (ret < 0) {
		kdbus_log("connection %llu: RECV: %s", (unsigned long long)c->id,
			  strerror(-ret));
		return -1;
	}
	kdbus_log("connection %llu: unexpected message",
		  (unsigned long long)c->id);
	if (m)
		log_msg("unexpected", m);
	kdbus_free(c, cmd.msg.offset);
	return -1;
}

/*
 * Nothing is queued on @c, but @dropped messages were lost since the
 * previous RECV: EAGAIN with KDBUS_RECV_RETURN_DROPPED_MSGS.
 */
static int expect_dropped_only(struct kdbus_conn *c, __u64 dropped)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m = NULL;
	int ret;

	ret = kdbus_recv(c, 0, 0, &cmd, &m);
	if (ret == -EAGAIN)
		return dropped_ok(&cmd, dropped) ? 0 : -1;
	kdbus_log("RECV: %d, expected EAGAIN", ret);
	if (!ret && m) {
		log_msg("unexpected", m);
		kdbus_free(c, cmd.msg.offset);
	}
	return -1;
}

/* the fixed part of a kernel notification: 0 or -1 */
static int kernel_header_bad(const struct kdbus_msg *m, __u64 dst,
			     __u64 cookie_reply)
{
	return m->src_id != KDBUS_SRC_ID_KERNEL || m->dst_id != dst ||
	       m->payload_type != KDBUS_PAYLOAD_KERNEL ||
	       m->flags != KDBUS_MSG_SIGNAL || m->priority != 0 ||
	       m->cookie != 0 || m->cookie_reply != cookie_reply;
}

/*
 * The next message of @c is an ID_ADD/ID_REMOVE (@type) notification for
 * {@id, @flags}, without metadata; the RECV reports @dropped lost
 * messages. 0, or -1 (logged).
 */
static int expect_id_d(struct kdbus_conn *c, __u64 type, __u64 id,
		       __u64 flags, __u64 dropped)
{
	struct kdbus_cmd_recv cmd;
	const struct kdbus_item *it;
	struct kdbus_msg *m;
	char what[64];
	int bad = 0;

	m = next_msg(c, &cmd, what, sizeof(what), "%s of %llu",
		     type_name(type), (unsigned long long)id);
	if (!m)
		return -1;
	it = m->items;
	if (kernel_header_bad(m, BCAST, 0) || m->size != ID_NOTIFY_SIZE ||
	    cmd.msg.msg_size != ID_NOTIFY_SIZE ||
	    it->size != KDBUS_ITEM_SIZE(sizeof(struct kdbus_notify_id_change)) ||
	    it->type != type || it->id_change.id != id ||
	    it->id_change.flags != flags) {
		log_msg("received", m);
		if (m->size >= ID_NOTIFY_SIZE)
			kdbus_log("id_change {%llu, %#llx}",
				  (unsigned long long)it->id_change.id,
				  (unsigned long long)it->id_change.flags);
		kdbus_log("expected %s {%llu, %#llx}, size 96, slice 96 (got %llu)",
			  what, (unsigned long long)id,
			  (unsigned long long)flags,
			  (unsigned long long)cmd.msg.msg_size);
		bad = 1;
	}
	return expect_done(c, &cmd, dropped, bad);
}

static int expect_id(struct kdbus_conn *c, __u64 type, __u64 id,
		     __u64 flags)
{
	return expect_id_d(c, type, id, flags, 0);
}

/*
 * The next message of @c is a NAME_* (@type) notification for @name,
 * {@old_id, @old_flags} -> {@new_id, @new_flags}: one item whose size is
 * its 8-aligned size, the name zero-padded, no metadata. 0, or -1.
 */
static int expect_name(struct kdbus_conn *c, __u64 type, const char *name,
		       __u64 old_id, __u64 old_flags, __u64 new_id,
		       __u64 new_flags)
{
	const size_t len = strlen(name) + 1;
	const __u64 isize = KDBUS_ALIGN8(KDBUS_ITEM_HEADER_SIZE +
			    sizeof(struct kdbus_notify_name_change) + len);
	const struct kdbus_notify_name_change *nc;
	struct kdbus_cmd_recv cmd;
	const struct kdbus_item *it;
	struct kdbus_msg *m;
	const __u8 *pad;
	char what[320];
	int bad = 0;
	size_t i;

	m = next_msg(c, &cmd, what, sizeof(what), "%s of %s (%llu -> %llu)",
		     type_name(type), name, (unsigned long long)old_id,
		     (unsigned long long)new_id);
	if (!m)
		return -1;
	it = m->items;
	nc = &it->name_change;
	if (kernel_header_bad(m, BCAST, 0) || m->size != sizeof(*m) + isize ||
	    cmd.msg.msg_size != sizeof(*m) + isize || it->size != isize ||
	    it->type != type) {
		bad = 1;
	} else if (nc->old_id.id != old_id || nc->old_id.flags != old_flags ||
		   nc->new_id.id != new_id || nc->new_id.flags != new_flags ||
		   memcmp(nc->name, name, len)) {
		kdbus_log("name_change {%llu, %#llx} -> {%llu, %#llx} \"%.*s\"",
			  (unsigned long long)nc->old_id.id,
			  (unsigned long long)nc->old_id.flags,
			  (unsigned long long)nc->new_id.id,
			  (unsigned long long)nc->new_id.flags,
			  (int)len, nc->name);
		bad = 1;
	} else {
		pad = (const __u8 *)nc->name + len;
		for (i = 0; pad + i < (const __u8 *)it + isize; i++)
			if (pad[i])
				bad = 1;
		if (bad)
			kdbus_log("name not zero-padded");
	}
	if (bad) {
		log_msg("received", m);
		kdbus_log("expected %s {%#llx} -> {%#llx}, item size %llu",
			  what, (unsigned long long)old_flags,
			  (unsigned long long)new_flags,
			  (unsigned long long)isize);
	}
	return expect_done(c, &cmd, 0, bad);
}

/*
 * The next message of @c is a REPLY_TIMEOUT/REPLY_DEAD (@type) for the
 * request @cookie of the caller @caller: 80 bytes, no metadata.
 */
static int expect_reply_notify(struct kdbus_conn *c, __u64 type,
			       __u64 caller, __u64 cookie)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	char what[64];
	int bad;

	m = next_msg(c, &cmd, what, sizeof(what), "%s for cookie %llu",
		     type_name(type), (unsigned long long)cookie);
	if (!m)
		return -1;
	bad = kernel_header_bad(m, caller, cookie) ||
	      m->size != REPLY_NOTIFY_SIZE ||
	      cmd.msg.msg_size != REPLY_NOTIFY_SIZE ||
	      m->items[0].size != KDBUS_ITEM_HEADER_SIZE ||
	      m->items[0].type != type;
	if (bad) {
		log_msg("received", m);
		kdbus_log("expected %s to %llu, size 80", what,
			  (unsigned long long)caller);
	}
	return expect_done(c, &cmd, 0, bad);
}

/* read exactly @len bytes from @fd within READY_MS: 0 or -errno */
static int read_full(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (poll(&p, 1, READY_MS) <= 0)
			return -ETIMEDOUT;
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		done += n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* fixture: a world-accessible bus, a sender s and a receiver r        */
/* ------------------------------------------------------------------ */

FIXTURE(match) {
	struct kdbus_domain dom;
	int bus_fd;
	char bus[64];
	struct kdbus_conn s;
	struct kdbus_conn r;
};

FIXTURE_SETUP(match)
{
	self->bus_fd = -1;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->bus_fd = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
					"match", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->bus_fd);
	ASSERT_EQ(0, kdbus_conn_new(&self->s, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&self->r, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ((__u64)BLOOM_SIZE, self->s.bloom_size);
}

FIXTURE_TEARDOWN(match)
{
	kdbus_conn_free(&self->r);
	kdbus_conn_free(&self->s);
	if (self->bus_fd >= 0)
		close(self->bus_fd);
	kdbus_domain_umount(&self->dom);
}

/* ------------------------------------------------------------------ */
/* MATCH_ADD / MATCH_REMOVE (3.17, 3.18, 9.5)                          */
/* ------------------------------------------------------------------ */

/*
 * MATCH_ADD succeeds with return_flags 0; MATCH_REMOVE removes every
 * match of a cookie (EBADSLT when there is none); cookies need not be
 * unique.
 */
TEST_F(match, add_remove)
{
	struct kdbus_cmd_match *m;

	m = kdbus_match_new(1, 0);
	m->return_flags = ~0ULL;
	EXPECT_EQ(0, kdbus_match_cmd(&self->r, m));
	EXPECT_EQ(0ULL, m->return_flags);
	kdbus_args_release(m);
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 1));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 1));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 2));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, ~0ULL));

	/* three matches with one cookie, one with another */
	ASSERT_EQ(0, kdbus_match_id_any(&self->r, 3));
	ASSERT_EQ(0, match_id(&self->r, 3, 0, self->s.id));
	ASSERT_EQ(0, match_bloom(&self->r, 3, 0, NO_BITS));
	ASSERT_EQ(0, match_id(&self->r, 4, 0, self->r.id));
	ASSERT_EQ(0, sig(&self->s, BCAST, 1, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 1));

	/* one MATCH_REMOVE takes all three */
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 3));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 3));
	ASSERT_EQ(0, sig(&self->s, BCAST, 2, NO_BITS));
	EXPECT_EQ(0, expect_none(&self->r));
	/* the other cookie is untouched */
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 4));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 4));

	/* matches are per connection */
	ASSERT_EQ(0, match_all(&self->r, 5));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->s, 5));
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 5));
}

/* unknown flags, negotiation, and the NEGOTIATE item is not a rule */
TEST_F(match, flags_and_negotiation)
{
	static const __u64 bad_flags[] = {
		1ULL << 1, 1ULL << 2, 1ULL << 31, 1ULL << 32, 1ULL << 62,
		~0ULL & ~(1ULL << 63),
	};
	static const __u64 types[] = {
		KDBUS_ITEM_ID, KDBUS_ITEM_NAME, KDBUS_ITEM_BLOOM_MASK,
		KDBUS_ITEM_NAME_ADD, KDBUS_ITEM_NAME_REMOVE,
		KDBUS_ITEM_NAME_CHANGE, KDBUS_ITEM_ID_ADD,
		KDBUS_ITEM_ID_REMOVE, KDBUS_ITEM_NEGOTIATE,
		KDBUS_ITEM_DST_NAME, KDBUS_ITEM_BLOOM_FILTER,
		KDBUS_ITEM_PAYLOAD_VEC, KDBUS_ITEM_REPLY_TIMEOUT,
		KDBUS_ITEM_CONN_DESCRIPTION, 0x4242,
	};
	const unsigned int n_types = ARRAY_SIZE(types);
	struct kdbus_cmd_match *m;
	struct kdbus_conn c = { 0 };
	struct kdbus_item *it;
	unsigned int i;
	__u64 id;

	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		m = kdbus_match_new(1, bad_flags[i]);
		EXPECT_EQ(-EINVAL, kdbus_match_cmd(&self->r, m))
			TH_LOG("MATCH_ADD flags %#llx",
			       (unsigned long long)bad_flags[i]);
		m->flags = bad_flags[i] | KDBUS_FLAG_NEGOTIATE;
		EXPECT_EQ(-EINVAL, kdbus_match_cmd_release(&self->r, m));
		EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 1));

		m = kdbus_match_new(1, bad_flags[i]);
		EXPECT_EQ(-EINVAL, kdbus_ioctl(self->r.fd,
					       KDBUS_CMD_MATCH_REMOVE, m));
		kdbus_args_release(m);
	}
	/* REPLACE is no MATCH_REMOVE flag */
	ASSERT_EQ(0, match_all(&self->r, 1));
	m = kdbus_match_new(1, KDBUS_MATCH_REPLACE);
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->r.fd, KDBUS_CMD_MATCH_REMOVE, m));
	kdbus_args_release(m);
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 1));

	/* negotiation of MATCH_ADD: mask 0x1, accepted item types kept */
	m = kdbus_match_new(2, KDBUS_FLAG_NEGOTIATE);
	it = kdbus_args_add(m, KDBUS_ITEM_NEGOTIATE, types, sizeof(types));
	ASSERT_EQ(0, kdbus_match_cmd(&self->r, m));
	EXPECT_EQ((__u64)KDBUS_MATCH_REPLACE, m->flags);
	for (i = 0; i < n_types; i++)
		EXPECT_EQ(i < 9 ? types[i] : 0ULL, it->data64[i])
			TH_LOG("negotiated item type %#llx",
			       (unsigned long long)types[i]);
	kdbus_args_release(m);
	/* ... and nothing was installed */
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 2));

	/* negotiation of MATCH_REMOVE: no flags, only NEGOTIATE accepted */
	m = kdbus_match_new(2, KDBUS_FLAG_NEGOTIATE);
	it = kdbus_args_add(m, KDBUS_ITEM_NEGOTIATE, types, sizeof(types));
	ASSERT_EQ(0, kdbus_ioctl(self->r.fd, KDBUS_CMD_MATCH_REMOVE, m));
	EXPECT_EQ(0ULL, m->flags);
	for (i = 0; i < n_types; i++)
		EXPECT_EQ(types[i] == KDBUS_ITEM_NEGOTIATE ? types[i] : 0ULL,
			  it->data64[i]);
	kdbus_args_release(m);

	/* MATCH_REMOVE takes no rules */
	ASSERT_EQ(0, match_all(&self->r, 3));
	m = kdbus_match_new(3, 0);
	kdbus_match_rule_id(m, ANY);
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->r.fd, KDBUS_CMD_MATCH_REMOVE, m));
	kdbus_args_release(m);
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 3));

	/*
	 * A match whose only item is NEGOTIATE (flag not set) is a match
	 * without rules: signals and notifications.
	 */
	m = kdbus_match_new(4, 0);
	kdbus_args_add(m, KDBUS_ITEM_NEGOTIATE, types, sizeof(types));
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	ASSERT_EQ(0, sig(&self->s, BCAST, 1, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 1));
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, c.id, 0));
	id = c.id;
	kdbus_conn_free(&c);
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, id, 0));
	EXPECT_EQ(0, expect_none(&self->r));
}

/* item types MATCH_ADD does not accept, and malformed rule payloads */
TEST_F(match, item_errors)
{
	static const char noterm[4] = { 'a', '.', 'b', 'c' };
	struct kdbus_notify_name_change *nc;
	__u8 buf[128] = { 0 };
	struct kdbus_cmd_match *m;
	unsigned int i;
	__u64 v = 1;
	static const __u64 refused[] = {
		KDBUS_ITEM_PAYLOAD_VEC, KDBUS_ITEM_FDS,
		KDBUS_ITEM_BLOOM_PARAMETER, KDBUS_ITEM_BLOOM_FILTER,
		KDBUS_ITEM_DST_NAME, KDBUS_ITEM_MAKE_NAME,
		KDBUS_ITEM_ATTACH_FLAGS_SEND, KDBUS_ITEM_ATTACH_FLAGS_RECV,
		KDBUS_ITEM_TIMESTAMP, KDBUS_ITEM_CONN_DESCRIPTION,
		KDBUS_ITEM_POLICY_ACCESS, KDBUS_ITEM_REPLY_TIMEOUT,
		KDBUS_ITEM_REPLY_DEAD, 0x4242,
	};

	/* types outside the accepted set, each with a plausible payload */
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		__u64 size = KDBUS_ITEM_HEADER_SIZE;

		switch (refused[i]) {
		case KDBUS_ITEM_PAYLOAD_VEC:
		case KDBUS_ITEM_BLOOM_PARAMETER:
			size += 16;
			break;
		case KDBUS_ITEM_FDS:
			size += 4;
			break;
		case KDBUS_ITEM_ATTACH_FLAGS_SEND:
		case KDBUS_ITEM_ATTACH_FLAGS_RECV:
			size += 8;
			break;
		case KDBUS_ITEM_TIMESTAMP:
		case KDBUS_ITEM_POLICY_ACCESS:
			size += 24;
			break;
		case KDBUS_ITEM_DST_NAME:
		case KDBUS_ITEM_MAKE_NAME:
		case KDBUS_ITEM_CONN_DESCRIPTION:
			memcpy(buf, "a.b", 4);
			size += 4;
			break;
		case KDBUS_ITEM_REPLY_TIMEOUT:
		case KDBUS_ITEM_REPLY_DEAD:
			break;
		default:
			size += 8 + BLOOM_SIZE;
			break;
		}
		EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, refused[i],
						  size, buf))
			TH_LOG("item type %#llx", (unsigned long long)refused[i]);
		memset(buf, 0, sizeof(buf));
	}

	/* ID: exactly 8 bytes */
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_ID, 16 + 4,
					  &v));
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_ID, 16 + 16,
					  buf));
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_ID, 16, NULL));
	/* ID_ADD / ID_REMOVE: exactly 16 bytes */
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_ID_ADD,
					  16 + 8, buf));
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_ID_REMOVE,
					  16 + 24, buf));
	/* NAME_*: at least 32 bytes; a name must be terminated exactly once */
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_NAME_ADD,
					  16 + 24, buf));
	nc = (struct kdbus_notify_name_change *)buf;
	memcpy(nc->name, noterm, sizeof(noterm));
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_NAME_CHANGE,
					  16 + 32 + sizeof(noterm), buf));
	memcpy(nc->name, "a\0b.c", 6);
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_NAME_REMOVE,
					  16 + 32 + 6, buf));
	/* NAME: a string */
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_NAME,
					  16 + sizeof(noterm), noterm));
	EXPECT_EQ(-EINVAL, match_raw_item(&self->r, 1, KDBUS_ITEM_NAME, 16,
					  NULL));
	/* an item running past the argument */
	m = kdbus_match_new(1, 0);
	kdbus_match_rule_id(m, ANY)->size = 64;
	EXPECT_EQ(-EINVAL, kdbus_match_cmd_release(&self->r, m));

	/* nothing was installed on the way */
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 1));

	/* the well-formed counterparts are fine */
	EXPECT_EQ(0, match_raw_item(&self->r, 1, KDBUS_ITEM_ID, 16 + 8, &v));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(0, match_raw_item(&self->r, 1, KDBUS_ITEM_ID_ADD, 16 + 16,
				    buf));
	EXPECT_EQ(0, match_raw_item(&self->r, 1, KDBUS_ITEM_NAME_ADD,
				    16 + 32, buf));
	memcpy(nc->name, "a.b", 4);
	EXPECT_EQ(0, match_raw_item(&self->r, 1, KDBUS_ITEM_NAME_ADD,
				    16 + 32 + 4, buf));
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 1));
}

/* NAME rules need a valid well-known name without wildcard: EINVAL */
TEST_F(match, name_rule_validity)
{
	static const char * const invalid[] = {
		"foo", ".foo.bar", "foo..bar", "foo.", "foo.1a", "foo.b@r",
		"foo bar.baz", "", ".", "foo.bar.*", "*", "foo.*",
	};
	static const char * const valid[] = {
		"foo.bar", "_a.-b", "a1.b2.c3", "Foo.Bar-baz_9",
	};
	struct kdbus_cmd_match *m;
	char longname[300];
	const char *name;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		name = invalid[i];
		EXPECT_EQ(-EINVAL, match_name(&self->r, 1, name))
			TH_LOG("NAME rule \"%s\"", name);
	}

	/* 256 characters is one too many */
	memset(longname, 'b', sizeof(longname));
	memcpy(longname, "a.", 2);
	longname[256] = '\0';
	EXPECT_EQ(-EINVAL, match_name(&self->r, 1, longname));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 1));

	/* an invalid name among valid rules fails the whole match */
	m = kdbus_match_new(1, 0);
	kdbus_match_rule_id(m, ANY);
	kdbus_match_rule_name(m, "foo.bar");
	kdbus_match_rule_name(m, "foo");
	EXPECT_EQ(-EINVAL, kdbus_match_cmd_release(&self->r, m));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 1));

	longname[255] = '\0';
	EXPECT_EQ(0, match_name(&self->r, 2, longname));
	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		name = valid[i];
		EXPECT_EQ(0, match_name(&self->r, 2, name))
			TH_LOG("NAME rule \"%s\"", name);
	}
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 2));
}

/*
 * BLOOM_MASK payloads must be a non-zero multiple of the bus bloom size
 * (EDOM), here for buses with 64 and with 8 bytes.
 */
TEST_F(match, bloom_mask_size)
{
	static const size_t bad64[] = { 0, 1, 8, 32, 56, 63, 65, 72, 96, 192 - 8 };
	static const size_t good64[] = { 64, 128, 192, 64 * 16 };
	static const size_t bad8[] = { 0, 4, 12, 20 };
	static const size_t good8[] = { 8, 16, 64, 8 * 33 };
	__u8 masks[64 * 16] = { 0 };
	struct kdbus_conn c = { 0 };
	char name[64];
	unsigned int i;
	int ctl, fd;

	for (i = 0; i < ARRAY_SIZE(bad64); i++)
		EXPECT_EQ(-EDOM, match_raw_item(&self->r, 1,
						KDBUS_ITEM_BLOOM_MASK,
						16 + bad64[i], masks))
			TH_LOG("mask of %zu bytes, bloom size 64", bad64[i]);
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 1));
	for (i = 0; i < ARRAY_SIZE(good64); i++)
		EXPECT_EQ(0, match_raw_item(&self->r, 1, KDBUS_ITEM_BLOOM_MASK,
					    16 + good64[i], masks))
			TH_LOG("mask of %zu bytes, bloom size 64", good64[i]);
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 1));

	/* a bus with 8-byte bloom filters */
	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, kdbus_bus_make(ctl, KDBUS_MAKE_ACCESS_WORLD,
				    kdbus_name(name, sizeof(name), "bloom8"),
				    8, 3));
	fd = kdbus_bus_open(&self->dom, name, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&c, fd, 0, 0, NULL));
	EXPECT_EQ(8ULL, c.bloom_size);
	EXPECT_EQ(3ULL, c.bloom_n_hash);
	for (i = 0; i < ARRAY_SIZE(bad8); i++)
		EXPECT_EQ(-EDOM, match_raw_item(&c, 1, KDBUS_ITEM_BLOOM_MASK,
						16 + bad8[i], masks))
			TH_LOG("mask of %zu bytes, bloom size 8", bad8[i]);
	for (i = 0; i < ARRAY_SIZE(good8); i++)
		EXPECT_EQ(0, match_raw_item(&c, 1, KDBUS_ITEM_BLOOM_MASK,
					    16 + good8[i], masks))
			TH_LOG("mask of %zu bytes, bloom size 8", good8[i]);
	EXPECT_EQ(0, kdbus_match_remove(&c, 1));
	kdbus_conn_free(&c);
	close(ctl);
}

/*
 * At most 256 matches per connection (EMFILE); with REPLACE the count is
 * taken after the replacement.
 */
TEST_F(match, limit)
{
	struct kdbus_conn q = { 0 };
	unsigned int i;
	int ret = 0;

	/* cookies 1..255, and a second match with cookie 7: 256 in all */
	for (i = 1; i <= KDBUS_MATCH_MAX && !ret; i++)
		ret = match_id(&self->r, i == KDBUS_MATCH_MAX ? 7 : i, 0,
			       self->r.id);
	ASSERT_EQ(0, ret) TH_LOG("match %u", i - 1);

	EXPECT_EQ(-EMFILE, match_all(&self->r, 1000));
	/* REPLACE of a cookie without matches adds one: still too many */
	EXPECT_EQ(-EMFILE, match_id(&self->r, 1000, KDBUS_MATCH_REPLACE,
				    self->s.id));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, 1000));

	/* replacing one match by one: 256 again, fine */
	EXPECT_EQ(0, match_id(&self->r, 5, KDBUS_MATCH_REPLACE, self->s.id));
	EXPECT_EQ(-EMFILE, match_all(&self->r, 1000));
	/* the replacement is in force */
	ASSERT_EQ(0, sig(&self->s, BCAST, 1, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 1));

	/* replacing the two matches of cookie 7 by one: 255 */
	EXPECT_EQ(0, match_id(&self->r, 7, KDBUS_MATCH_REPLACE, self->r.id));
	EXPECT_EQ(0, match_all(&self->r, 1000));
	EXPECT_EQ(-EMFILE, match_all(&self->r, 1001));
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 1000));

	/* removing makes room */
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 7));
	EXPECT_EQ(0, match_id(&self->r, 1001, 0, self->r.id));
	EXPECT_EQ(0, match_id(&self->r, 1002, 0, self->r.id));
	EXPECT_EQ(-EMFILE, match_id(&self->r, 1003, 0, self->r.id));

	/* the limit is per connection */
	ASSERT_EQ(0, kdbus_conn_new(&q, &self->dom, self->bus, NULL, 0));
	EXPECT_EQ(0, match_all(&q, 1000));
	kdbus_conn_free(&q);

	/* the failed additions changed nothing that delivers */
	ASSERT_EQ(0, sig(&self->s, BCAST, 2, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 2));
	EXPECT_EQ(0, expect_none(&self->r));
}

/* only ordinary connections may manage matches (4.1) */
TEST_F(match, connection_kinds)
{
	struct kdbus_conn mon = { 0 }, act = { 0 }, ph = { 0 };
	struct kdbus_conn *kinds[] = { &mon, &act, &ph };
	const char * const what[] = { "monitor", "activator", "policy holder" };
	unsigned int i;

	ASSERT_EQ(0, kdbus_conn_new(&mon, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));
	ASSERT_EQ(0, kdbus_activator_new(&act, &self->dom, self->bus,
					 "com.example.activator"));
	ASSERT_EQ(0, kdbus_policy_holder_new(&ph, &self->dom, self->bus,
					     "com.example.policy",
					     KDBUS_POLICY_TALK));
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		EXPECT_EQ(-EOPNOTSUPP, match_all(kinds[i], 1)) TH_LOG("%s", what[i]);
		EXPECT_EQ(-EOPNOTSUPP, kdbus_match_id_any(kinds[i], 1))
			TH_LOG("%s", what[i]);
		EXPECT_EQ(-EOPNOTSUPP, kdbus_match_id_add(kinds[i], 1, ANY))
			TH_LOG("%s", what[i]);
		EXPECT_EQ(-EOPNOTSUPP, kdbus_match_remove(kinds[i], 1))
			TH_LOG("%s", what[i]);
	}
	kdbus_conn_free(&ph);
	kdbus_conn_free(&act);
	kdbus_conn_free(&mon);
}

/*
 * REPLACE removes every match of the cookie before adding (none is
 * fine); a REPLACE that fails leaves the old matches alone; other
 * cookies are untouched.
 */
TEST_F(match, replace)
{
	struct kdbus_conn q = { 0 }, c = { 0 };
	struct kdbus_cmd_match *m;

	ASSERT_EQ(0, kdbus_conn_new(&q, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));

	ASSERT_EQ(0, match_id(&self->r, 9, 0, self->s.id));
	ASSERT_EQ(0, match_id(&self->r, 9, 0, q.id));
	ASSERT_EQ(0, sig(&self->s, BCAST, 1, NO_BITS));
	ASSERT_EQ(0, sig(&q, BCAST, 2, NO_BITS));
	ASSERT_EQ(0, sig(&c, BCAST, 3, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 1));
	EXPECT_EQ(0, expect_sig(&self->r, q.id, BCAST, 2));
	EXPECT_EQ(0, expect_none(&self->r));

	/* both matches of cookie 9 go, the new one comes */
	ASSERT_EQ(0, match_id(&self->r, 9, KDBUS_MATCH_REPLACE, c.id));
	ASSERT_EQ(0, sig(&self->s, BCAST, 4, NO_BITS));
	ASSERT_EQ(0, sig(&q, BCAST, 5, NO_BITS));
	ASSERT_EQ(0, sig(&c, BCAST, 6, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, c.id, BCAST, 6));
	EXPECT_EQ(0, expect_none(&self->r));

	/* REPLACE of a cookie without matches just adds */
	ASSERT_EQ(0, match_id(&self->r, 10, KDBUS_MATCH_REPLACE, self->s.id));
	ASSERT_EQ(0, sig(&self->s, BCAST, 7, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 7));

	/* failing REPLACEs keep the old match */
	m = kdbus_match_new(10, KDBUS_MATCH_REPLACE);
	kdbus_match_rule_id(m, q.id);
	kdbus_match_rule_name(m, "invalid");
	EXPECT_EQ(-EINVAL, kdbus_match_cmd_release(&self->r, m));
	m = kdbus_match_new(10, KDBUS_MATCH_REPLACE);
	kdbus_match_rule_id(m, q.id);
	kdbus_match_rule_bloom(m, "0123456789abcdef", 16);
	EXPECT_EQ(-EDOM, kdbus_match_cmd_release(&self->r, m));
	ASSERT_EQ(0, sig(&self->s, BCAST, 8, NO_BITS));
	ASSERT_EQ(0, sig(&q, BCAST, 9, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 8));
	EXPECT_EQ(0, expect_none(&self->r));

	/* removing one cookie leaves the other */
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 9));
	ASSERT_EQ(0, sig(&c, BCAST, 10, NO_BITS));
	ASSERT_EQ(0, sig(&self->s, BCAST, 11, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 11));
	EXPECT_EQ(0, expect_none(&self->r));
	EXPECT_EQ(0, kdbus_match_remove(&self->r, 10));
	ASSERT_EQ(0, sig(&self->s, BCAST, 12, NO_BITS));
	EXPECT_EQ(0, expect_none(&self->r));

	kdbus_conn_free(&c);
	kdbus_conn_free(&q);
}

/* ------------------------------------------------------------------ */
/* broadcasts (5.8.4, 9.3)                                             */
/* ------------------------------------------------------------------ */

/*
 * A broadcast reaches every ordinary connection with an accepting match
 * (no rules; ID of the sender; ID_ANY), not one without matches or with
 * an ID rule for someone else, and never the sender itself.
 */
TEST_F(match, broadcast_delivery)
{
	struct kdbus_conn none = { 0 }, any = { 0 }, bysrc = { 0 };
	struct kdbus_conn other = { 0 };
	struct kdbus_conn *got[] = { &self->r, &any, &bysrc };
	unsigned int i;

	ASSERT_EQ(0, kdbus_conn_new(&none, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&any, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&bysrc, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&other, &self->dom, self->bus, NULL, 0));

	ASSERT_EQ(0, match_all(&self->r, 1));
	ASSERT_EQ(0, kdbus_match_id_any(&any, 1));
	ASSERT_EQ(0, match_id(&bysrc, 1, 0, self->s.id));
	ASSERT_EQ(0, match_id(&other, 1, 0, any.id));
	/* the sender would accept its own broadcast */
	ASSERT_EQ(0, match_all(&self->s, 1));
	ASSERT_EQ(0, match_id(&self->s, 2, 0, self->s.id));

	ASSERT_EQ(0, sig(&self->s, BCAST, 0x51, BITS(3)));
	for (i = 0; i < ARRAY_SIZE(got); i++) {
		EXPECT_EQ(0, expect_sig(got[i], self->s.id, BCAST, 0x51))
			TH_LOG("receiver %u", i);
		EXPECT_EQ(0, expect_none(got[i]));
	}
	EXPECT_EQ(0, expect_none(&none));
	EXPECT_EQ(0, expect_none(&other));
	EXPECT_EQ(0, expect_none(&self->s));

	/* several broadcasts from several senders keep their order */
	ASSERT_EQ(0, sig(&self->s, BCAST, 0x52, NO_BITS));
	ASSERT_EQ(0, sig(&other, BCAST, 0x53, NO_BITS));
	ASSERT_EQ(0, sig(&self->s, BCAST, 0x54, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 0x52));
	EXPECT_EQ(0, expect_sig(&self->r, other.id, BCAST, 0x53));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 0x54));
	EXPECT_EQ(0, expect_sig(&any, self->s.id, BCAST, 0x52));
	EXPECT_EQ(0, expect_sig(&any, other.id, BCAST, 0x53));
	EXPECT_EQ(0, expect_sig(&any, self->s.id, BCAST, 0x54));
	EXPECT_EQ(0, expect_sig(&bysrc, self->s.id, BCAST, 0x52));
	EXPECT_EQ(0, expect_sig(&bysrc, self->s.id, BCAST, 0x54));
	EXPECT_EQ(0, expect_sig(&self->s, other.id, BCAST, 0x53));
	for (i = 0; i < ARRAY_SIZE(got); i++)
		EXPECT_EQ(0, expect_none(got[i]));
	EXPECT_EQ(0, expect_none(&none));
	EXPECT_EQ(0, expect_none(&other));
	EXPECT_EQ(0, expect_none(&self->s));

	kdbus_conn_free(&other);
	kdbus_conn_free(&bysrc);
	kdbus_conn_free(&any);
	kdbus_conn_free(&none);
}

/* SEND errors of broadcasts and signals (3.13, 5.3) */
TEST_F(match, broadcast_errors)
{
	static const __u64 bad_sizes[] = { 8, 32, 56, 72, 128 };
	__u64 bloom[64] = { 0 };
	struct kdbus_msg *m;
	unsigned int i;
	int p[2];

	ASSERT_EQ(0, match_all(&self->r, 1));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));

	/* not a signal (with and without a bloom filter) */
	m = kdbus_msg_new(BCAST, 1);
	EXPECT_EQ(-EBADMSG, kdbus_send(&self->s, m, 0, -1, NULL));
	kdbus_msg_add_bloom(m, 0, bloom, BLOOM_SIZE);
	EXPECT_EQ(-EBADMSG, kdbus_send(&self->s, m, 0, -1, NULL));
	kdbus_msg_release(m);

	/* a signal without bloom filter, broadcast and unicast */
	m = kdbus_msg_new(BCAST, 2);
	m->flags = KDBUS_MSG_SIGNAL;
	EXPECT_EQ(-EBADMSG, kdbus_send(&self->s, m, 0, -1, NULL));
	m->dst_id = self->r.id;
	EXPECT_EQ(-EBADMSG, kdbus_send(&self->s, m, 0, -1, NULL));
	kdbus_msg_release(m);

	/* a destination name */
	m = kdbus_msg_new(BCAST, 3);
	m->flags = KDBUS_MSG_SIGNAL;
	kdbus_msg_add_bloom(m, 0, bloom, BLOOM_SIZE);
	kdbus_msg_add_dst_name(m, "com.example.name");
	EXPECT_EQ(-EBADMSG, kdbus_send(&self->s, m, 0, -1, NULL));
	kdbus_msg_release(m);

	/* fds */
	m = kdbus_msg_new(BCAST, 4);
	m->flags = KDBUS_MSG_SIGNAL;
	kdbus_msg_add_bloom(m, 0, bloom, BLOOM_SIZE);
	kdbus_msg_add_fds(m, &p[0], 1);
	EXPECT_EQ(-ENOTUNIQ, kdbus_send(&self->s, m, 0, -1, NULL));
	kdbus_msg_release(m);

	/* expecting a reply (with cookie and deadline) */
	m = kdbus_msg_new(BCAST, 5);
	m->flags = KDBUS_MSG_SIGNAL | KDBUS_MSG_EXPECT_REPLY;
	m->timeout_ns = kdbus_now_ns() + 1000 * NSEC_PER_MSEC;
	kdbus_msg_add_bloom(m, 0, bloom, BLOOM_SIZE);
	EXPECT_EQ(-ENOTUNIQ, kdbus_send(&self->s, m, 0, -1, NULL));
	kdbus_msg_release(m);

	/* a non-zero timeout field */
	m = kdbus_msg_new(BCAST, 6);
	m->flags = KDBUS_MSG_SIGNAL;
	m->timeout_ns = 1;
	kdbus_msg_add_bloom(m, 0, bloom, BLOOM_SIZE);
	EXPECT_EQ(-ENOTUNIQ, kdbus_send(&self->s, m, 0, -1, NULL));
	kdbus_msg_release(m);

	/* bloom filters of another size than the bus's, broadcast or not */
	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		m = kdbus_msg_new(BCAST, 7);
		m->flags = KDBUS_MSG_SIGNAL;
		kdbus_msg_add_bloom(m, 0, bloom, bad_sizes[i]);
		EXPECT_EQ(-EDOM, kdbus_send(&self->s, m, 0, -1, NULL))
			TH_LOG("bloom filter of %llu bytes",
			       (unsigned long long)bad_sizes[i]);
		m->dst_id = self->r.id;
		EXPECT_EQ(-EDOM, kdbus_send(&self->s, m, 0, -1, NULL))
			TH_LOG("unicast, bloom filter of %llu bytes",
			       (unsigned long long)bad_sizes[i]);
		kdbus_msg_release(m);
	}

	/* two bloom filters */
	m = kdbus_msg_new(BCAST, 8);
	m->flags = KDBUS_MSG_SIGNAL;
	kdbus_msg_add_bloom(m, 0, bloom, BLOOM_SIZE);
	kdbus_msg_add_bloom(m, 0, bloom, BLOOM_SIZE);
	EXPECT_EQ(-EEXIST, kdbus_send(&self->s, m, 0, -1, NULL));
	kdbus_msg_release(m);

	/* none of it reached anybody; a valid one does */
	EXPECT_EQ(0, expect_none(&self->r));
	ASSERT_EQ(0, sig(&self->s, BCAST, 9, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 9));
	EXPECT_EQ(0, expect_none(&self->r));
	close(p[0]);
	close(p[1]);
}

/* BLOOM_MASK: all mask bits set in the filter */
TEST_F(match, bloom_mask)
{
	const struct {
		const int *mask;
		const int *filter;
		bool match;
	} cases[] = {
		{ BITS(1, 70), BITS(1, 5, 70, 300), true },
		{ BITS(1, 71), BITS(1, 5, 70, 300), false },
		{ BITS(511), BITS(511), true },
		{ BITS(0, 511), BITS(511), false },
		{ BITS(1, 5, 70, 300), BITS(1, 5, 70, 300), true },
		{ BITS(1, 5, 70, 300, 301), BITS(1, 5, 70, 300), false },
		{ NO_BITS, NO_BITS, true },
		{ NO_BITS, BITS(9), true },
		{ BITS(9), NO_BITS, false },
		{ BITS(63, 64), BITS(63), false },
		{ BITS(63, 64), BITS(62, 63, 64, 65), true },
	};
	__u64 mask[BLOOM_WORDS], all[BLOOM_WORDS];
	struct kdbus_cmd_match *m;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, match_bloom(&self->r, 1, KDBUS_MATCH_REPLACE,
					 cases[i].mask));
		ASSERT_EQ(0, sig(&self->s, BCAST, 100 + i, cases[i].filter));
		ASSERT_EQ(0, sig(&self->s, self->r.id, 200 + i,
				 cases[i].filter));
		if (cases[i].match) {
			EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST,
						100 + i))
				TH_LOG("case %u", i);
			EXPECT_EQ(0, expect_sig(&self->r, self->s.id,
						self->r.id, 200 + i))
				TH_LOG("case %u (unicast)", i);
		}
		EXPECT_EQ(0, expect_none(&self->r)) TH_LOG("case %u", i);
	}

	/* a filter with all bits set matches any mask */
	m = kdbus_match_new(1, KDBUS_MATCH_REPLACE);
	memset(mask, 0xa5, sizeof(mask));
	memset(all, 0xff, sizeof(all));
	kdbus_match_rule_bloom(m, mask, sizeof(mask));
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	ASSERT_EQ(0, kdbus_send_signal(&self->s, BCAST, 300, 0, all,
				       &(__u64){ 300 }, 8));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 300));
	/* one word short */
	mask[0] = 0;
	ASSERT_EQ(0, kdbus_send_signal(&self->s, BCAST, 301, 0, mask,
				       &(__u64){ 301 }, 8));
	EXPECT_EQ(0, expect_none(&self->r));
	/* the mask itself */
	mask[0] = 0xa5a5a5a5a5a5a5a5ULL;
	ASSERT_EQ(0, kdbus_send_signal(&self->s, BCAST, 302, 0, mask,
				       &(__u64){ 302 }, 8));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 302));
	EXPECT_EQ(0, expect_none(&self->r));
}

/*
 * Masks of several generations in one rule: a filter of generation g is
 * compared with mask min(g, last).
 */
TEST_F(match, bloom_generations)
{
	__u64 masks[3 * BLOOM_WORDS];
	struct kdbus_cmd_match *m;
	const struct {
		__u64 gen;
		const int *filter;
		bool match;
	} cases[] = {
		{ 0, BITS(3), true },
		{ 0, BITS(4), false },
		{ 0, BITS(5), false },
		{ 1, BITS(4), true },
		{ 1, BITS(3), false },
		{ 2, BITS(5), true },
		{ 2, BITS(3, 4), false },
		{ 5, BITS(5), true },
		{ 5, BITS(3, 4), false },
		{ ~0ULL, BITS(5, 100), true },
		{ ~0ULL, BITS(4), false },
	};
	unsigned int i;

	/* generation 0: bit 3, generation 1: bit 4, generation 2: bit 5 */
	bloom_bits(masks, BITS(3));
	bloom_bits(masks + BLOOM_WORDS, BITS(4));
	bloom_bits(masks + 2 * BLOOM_WORDS, BITS(5));
	m = kdbus_match_new(1, 0);
	kdbus_match_rule_bloom(m, masks, sizeof(masks));
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, sig_gen(&self->s, BCAST, 10 + i, cases[i].gen,
				     cases[i].filter));
		if (cases[i].match)
			EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST,
						10 + i))
				TH_LOG("case %u", i);
		EXPECT_EQ(0, expect_none(&self->r)) TH_LOG("case %u", i);
	}

	/* two generations: generation 5 uses the second mask */
	m = kdbus_match_new(1, KDBUS_MATCH_REPLACE);
	kdbus_match_rule_bloom(m, masks, 2 * BLOOM_SIZE);
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	ASSERT_EQ(0, sig_gen(&self->s, BCAST, 50, 0, BITS(3)));
	ASSERT_EQ(0, sig_gen(&self->s, BCAST, 51, 1, BITS(3)));
	ASSERT_EQ(0, sig_gen(&self->s, BCAST, 52, 1, BITS(4)));
	ASSERT_EQ(0, sig_gen(&self->s, BCAST, 53, 5, BITS(4)));
	ASSERT_EQ(0, sig_gen(&self->s, BCAST, 54, 5, BITS(5)));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 50));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 52));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 53));
	EXPECT_EQ(0, expect_none(&self->r));

	/* one generation: every filter generation uses it */
	ASSERT_EQ(0, match_bloom(&self->r, 1, KDBUS_MATCH_REPLACE, BITS(7)));
	ASSERT_EQ(0, sig_gen(&self->s, BCAST, 60, 9, BITS(7)));
	ASSERT_EQ(0, sig_gen(&self->s, BCAST, 61, 9, BITS(8)));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 60));
	EXPECT_EQ(0, expect_none(&self->r));
}

/*
 * NAME rules: the sender must be the primary owner of the name when it
 * sends, a connection waiting in the queue does not count.
 */
TEST_F(match, name_rule)
{
	const char *name = "com.example.sig";
	struct kdbus_conn q = { 0 };
	__u64 rflags = ~0ULL;

	ASSERT_EQ(0, kdbus_conn_new(&q, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, match_name(&self->r, 1, name));

	/* nobody owns it */
	ASSERT_EQ(0, sig(&self->s, BCAST, 1, NO_BITS));
	EXPECT_EQ(0, expect_none(&self->r));

	ASSERT_EQ(0, kdbus_name_acquire(&self->s, name, 0, &rflags));
	EXPECT_EQ(0ULL, rflags);
	ASSERT_EQ(0, kdbus_name_acquire(&q, name, KDBUS_NAME_QUEUE, &rflags));
	EXPECT_EQ((__u64)KDBUS_NAME_IN_QUEUE, rflags);
	ASSERT_EQ(0, sig(&self->s, BCAST, 2, NO_BITS));
	ASSERT_EQ(0, sig(&q, BCAST, 3, NO_BITS));
	ASSERT_EQ(0, sig(&self->s, self->r.id, 4, NO_BITS));
	ASSERT_EQ(0, sig(&q, self->r.id, 5, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 2));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, self->r.id, 4));
	EXPECT_EQ(0, expect_none(&self->r));

	/* the name passes to q */
	ASSERT_EQ(0, kdbus_name_release(&self->s, name));
	ASSERT_EQ(0, sig(&self->s, BCAST, 6, NO_BITS));
	ASSERT_EQ(0, sig(&q, BCAST, 7, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, q.id, BCAST, 7));
	EXPECT_EQ(0, expect_none(&self->r));

	/* and is gone */
	ASSERT_EQ(0, kdbus_name_release(&q, name));
	ASSERT_EQ(0, sig(&q, BCAST, 8, NO_BITS));
	EXPECT_EQ(0, expect_none(&self->r));

	/* another name owned by the sender does not help */
	ASSERT_EQ(0, kdbus_name_acquire(&self->s, "com.example.other", 0,
					NULL));
	ASSERT_EQ(0, sig(&self->s, BCAST, 9, NO_BITS));
	EXPECT_EQ(0, expect_none(&self->r));
	kdbus_conn_free(&q);
}

/* rules of one match are ANDed, matches are ORed, delivery is once */
TEST_F(match, rules_and_matches_or)
{
	struct kdbus_conn q = { 0 };
	struct kdbus_cmd_match *m;
	__u64 b[BLOOM_WORDS];

	ASSERT_EQ(0, kdbus_conn_new(&q, &self->dom, self->bus, NULL, 0));

	/* from s AND bit 7 */
	m = kdbus_match_new(1, 0);
	kdbus_match_rule_id(m, self->s.id);
	kdbus_match_rule_bloom(m, bloom_bits(b, BITS(7)), BLOOM_SIZE);
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	ASSERT_EQ(0, sig(&self->s, BCAST, 1, BITS(7)));
	ASSERT_EQ(0, sig(&self->s, BCAST, 2, BITS(8)));
	ASSERT_EQ(0, sig(&q, BCAST, 3, BITS(7)));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 1));
	EXPECT_EQ(0, expect_none(&self->r));

	/* OR from q */
	ASSERT_EQ(0, match_id(&self->r, 2, 0, q.id));
	ASSERT_EQ(0, sig(&self->s, BCAST, 4, BITS(8)));
	ASSERT_EQ(0, sig(&q, BCAST, 5, BITS(8)));
	ASSERT_EQ(0, sig(&self->s, BCAST, 6, BITS(7)));
	EXPECT_EQ(0, expect_sig(&self->r, q.id, BCAST, 5));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 6));
	EXPECT_EQ(0, expect_none(&self->r));

	/* three matches accept the same message: it comes once */
	ASSERT_EQ(0, match_bloom(&self->r, 3, 0, BITS(7)));
	ASSERT_EQ(0, kdbus_match_id_any(&self->r, 4));
	ASSERT_EQ(0, sig(&self->s, BCAST, 7, BITS(7)));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 7));
	EXPECT_EQ(0, expect_none(&self->r));
	ASSERT_EQ(0, kdbus_match_remove(&self->r, 1));
	ASSERT_EQ(0, kdbus_match_remove(&self->r, 2));
	ASSERT_EQ(0, kdbus_match_remove(&self->r, 3));
	ASSERT_EQ(0, kdbus_match_remove(&self->r, 4));

	/* two ID rules in one match: from s AND from q, never */
	m = kdbus_match_new(5, 0);
	kdbus_match_rule_id(m, self->s.id);
	kdbus_match_rule_id(m, q.id);
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	ASSERT_EQ(0, sig(&self->s, BCAST, 8, NO_BITS));
	ASSERT_EQ(0, sig(&q, BCAST, 9, NO_BITS));
	EXPECT_EQ(0, expect_none(&self->r));
	ASSERT_EQ(0, kdbus_match_remove(&self->r, 5));

	/* two masks in one match: both must be covered */
	m = kdbus_match_new(6, 0);
	kdbus_match_rule_bloom(m, bloom_bits(b, BITS(1)), BLOOM_SIZE);
	kdbus_match_rule_bloom(m, bloom_bits(b, BITS(2)), BLOOM_SIZE);
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	ASSERT_EQ(0, sig(&self->s, BCAST, 10, BITS(1)));
	ASSERT_EQ(0, sig(&self->s, BCAST, 11, BITS(2)));
	ASSERT_EQ(0, sig(&self->s, BCAST, 12, BITS(1, 2)));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 12));
	EXPECT_EQ(0, expect_none(&self->r));
	ASSERT_EQ(0, kdbus_match_remove(&self->r, 6));

	/* NAME AND ID */
	ASSERT_EQ(0, kdbus_name_acquire(&q, "com.example.and", 0, NULL));
	m = kdbus_match_new(7, 0);
	kdbus_match_rule_name(m, "com.example.and");
	kdbus_match_rule_id(m, q.id);
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	m = kdbus_match_new(8, 0);
	kdbus_match_rule_name(m, "com.example.and");
	kdbus_match_rule_id(m, self->s.id);
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	ASSERT_EQ(0, sig(&self->s, BCAST, 13, NO_BITS));
	ASSERT_EQ(0, sig(&q, BCAST, 14, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, q.id, BCAST, 14));
	EXPECT_EQ(0, expect_none(&self->r));

	kdbus_conn_free(&q);
}

/*
 * A match that combines a rule for user messages with a rule for
 * notifications accepts nothing at all.
 */
TEST_F(match, user_and_notification_rules)
{
	struct kdbus_conn c = { 0 };
	struct kdbus_cmd_match *m;
	__u64 b[BLOOM_WORDS];

	m = kdbus_match_new(1, 0);
	kdbus_match_rule_id(m, ANY);
	kdbus_match_rule_id_change(m, KDBUS_ITEM_ID_ADD, ANY);
	kdbus_match_rule_id_change(m, KDBUS_ITEM_ID_REMOVE, ANY);
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	m = kdbus_match_new(2, 0);
	kdbus_match_rule_bloom(m, bloom_bits(b, NO_BITS), BLOOM_SIZE);
	kdbus_match_rule_name_change(m, KDBUS_ITEM_NAME_ADD, ANY, ANY, NULL);
	kdbus_match_rule_name_change(m, KDBUS_ITEM_NAME_REMOVE, ANY, ANY,
				     NULL);
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));
	ASSERT_EQ(0, kdbus_name_acquire(&self->s, "com.example.mixed", 0,
					NULL));
	m = kdbus_match_new(3, 0);
	kdbus_match_rule_name(m, "com.example.mixed");
	kdbus_match_rule_id_change(m, KDBUS_ITEM_ID_ADD, ANY);
	ASSERT_EQ(0, kdbus_match_cmd_release(&self->r, m));

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_name_acquire(&c, "com.example.other", 0, NULL));
	ASSERT_EQ(0, sig(&self->s, BCAST, 1, NO_BITS));
	ASSERT_EQ(0, sig(&self->s, self->r.id, 2, NO_BITS));
	ASSERT_EQ(0, kdbus_name_release(&c, "com.example.other"));
	kdbus_conn_free(&c);
	EXPECT_EQ(0, expect_none(&self->r));

	/* a match without rules next to them takes everything */
	ASSERT_EQ(0, match_all(&self->r, 4));
	ASSERT_EQ(0, sig(&self->s, BCAST, 3, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 3));
	EXPECT_EQ(0, expect_none(&self->r));
}

/* activators never receive broadcasts or notifications (5.8.4, 4.1) */
TEST_F(match, activator_receives_nothing)
{
	struct kdbus_conn act = { 0 }, c = { 0 };
	__u64 id;

	ASSERT_EQ(0, kdbus_activator_new(&act, &self->dom, self->bus,
					 "com.example.act"));
	ASSERT_EQ(0, match_all(&self->r, 1));
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, c.id, 0));
	ASSERT_EQ(0, sig(&self->s, BCAST, 1, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 1));
	ASSERT_EQ(0, kdbus_name_acquire(&c, "com.example.x", 0, NULL));
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_ADD,
				 "com.example.x", 0, 0, c.id, 0));
	id = c.id;
	kdbus_conn_free(&c);
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_REMOVE,
				 "com.example.x", id, 0, 0, 0));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, id, 0));
	EXPECT_EQ(0, expect_none(&self->r));
	EXPECT_EQ(0, expect_none(&act));
	kdbus_conn_free(&act);
}

/* ------------------------------------------------------------------ */
/* unicast signals (5.4, 5.8.1)                                        */
/* ------------------------------------------------------------------ */

/*
 * A unicast signal needs an accepting match at the destination; without
 * one it is dropped silently: SEND returns 0 and nothing is counted as
 * lost. Other unicasts ignore matches.
 */
TEST_F(match, unicast_signal)
{
	const char *name = "com.example.dest";
	struct kdbus_cmd_recv cmd;
	const struct kdbus_item *it;
	struct kdbus_msg *m, *r;
	__u64 b[BLOOM_WORDS];
	__u64 cookie = 7;

	/* no match */
	ASSERT_EQ(0, sig(&self->s, self->r.id, 1, BITS(1)));
	EXPECT_EQ(0, expect_none(&self->r));
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(self->r.fd));
	/* non-signals do not care */
	ASSERT_EQ(0, ucast(&self->s, self->r.id, 2, 0, 0));
	EXPECT_EQ(0, expect_msg_d(&self->r, self->s.id, self->r.id, 2, 0, 0));

	/* a match for another sender */
	ASSERT_EQ(0, match_id(&self->r, 1, 0, self->r.id));
	ASSERT_EQ(0, sig(&self->s, self->r.id, 3, BITS(1)));
	EXPECT_EQ(0, expect_none(&self->r));

	/* a match for this sender */
	ASSERT_EQ(0, match_id(&self->r, 2, 0, self->s.id));
	ASSERT_EQ(0, sig(&self->s, self->r.id, 4, BITS(1)));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, self->r.id, 4));
	EXPECT_EQ(0, expect_none(&self->r));

	/* a bloom rule applies to unicast signals too */
	ASSERT_EQ(0, match_bloom(&self->r, 2, KDBUS_MATCH_REPLACE, BITS(2)));
	ASSERT_EQ(0, sig(&self->s, self->r.id, 5, BITS(1)));
	ASSERT_EQ(0, sig(&self->s, self->r.id, 6, BITS(1, 2)));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, self->r.id, 6));
	EXPECT_EQ(0, expect_none(&self->r));

	/* addressed by name: the DST_NAME item comes first */
	ASSERT_EQ(0, kdbus_name_acquire(&self->r, name, 0, NULL));
	m = kdbus_msg_new(KDBUS_DST_ID_NAME, cookie);
	m->flags = KDBUS_MSG_SIGNAL;
	kdbus_msg_add_dst_name(m, name);
	kdbus_msg_add_vec(m, &cookie, sizeof(cookie));
	kdbus_msg_add_bloom(m, 0, bloom_bits(b, BITS(2)), BLOOM_SIZE);
	ASSERT_EQ(0, kdbus_send(&self->s, m, 0, -1, NULL));
	ASSERT_EQ(0, kdbus_recv(&self->r, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(self->s.id, r->src_id);
	EXPECT_EQ((__u64)KDBUS_DST_ID_NAME, r->dst_id);
	EXPECT_EQ(cookie, r->cookie);
	EXPECT_EQ((__u64)KDBUS_MSG_SIGNAL, r->flags);
	it = r->items;
	EXPECT_EQ((__u64)KDBUS_ITEM_DST_NAME, it->type);
	EXPECT_STREQ(name, it->str);
	it = KDBUS_ITEM_NEXT(it);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, it->type);
	EXPECT_EQ(0U, kdbus_msg_count(r, KDBUS_ITEM_BLOOM_FILTER));
	EXPECT_EQ(0, kdbus_free(&self->r, cmd.msg.offset));
	/* the same by name without an accepting match: dropped */
	bloom_bits((__u64 *)kdbus_msg_find(m, KDBUS_ITEM_BLOOM_FILTER)->
		   bloom_filter.data, BITS(1));
	ASSERT_EQ(0, kdbus_send(&self->s, m, 0, -1, NULL));
	EXPECT_EQ(0, expect_none(&self->r));
	kdbus_msg_release(m);

	/* a signal to oneself follows the same rules */
	ASSERT_EQ(0, kdbus_match_remove(&self->r, 1));
	ASSERT_EQ(0, sig(&self->r, self->r.id, 8, BITS(2)));
	ASSERT_EQ(0, sig(&self->r, self->r.id, 9, BITS(1)));
	EXPECT_EQ(0, expect_sig(&self->r, self->r.id, self->r.id, 8));
	EXPECT_EQ(0, expect_none(&self->r));
}

/* ------------------------------------------------------------------ */
/* kernel notifications (5.11, 9.3)                                    */
/* ------------------------------------------------------------------ */

/* ID_ADD / ID_REMOVE rules: any id, exact ids, layout */
TEST_F(match, notify_id)
{
	struct kdbus_conn c = { 0 }, d = { 0 }, e = { 0 }, f = { 0 };
	__u64 id;

	ASSERT_EQ(0, kdbus_match_id_add(&self->r, 1, ANY));

	/* layout checked by expect_id() */
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, c.id,
			       KDBUS_HELLO_ACCEPT_FD));
	EXPECT_EQ(0, expect_none(&self->r));
	/* no user messages through an ID_ADD rule */
	ASSERT_EQ(0, sig(&c, BCAST, 1, NO_BITS));
	/* no ID_REMOVE through it */
	kdbus_conn_free(&c);
	EXPECT_EQ(0, expect_none(&self->r));

	/* an exact id that is never added again */
	ASSERT_EQ(0, kdbus_match_remove(&self->r, 1));
	ASSERT_EQ(0, kdbus_match_id_add(&self->r, 1, self->r.id));
	ASSERT_EQ(0, kdbus_conn_new(&d, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&e, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&f, &self->dom, self->bus, NULL, 0));
	EXPECT_EQ(0, expect_none(&self->r));

	/* ID_REMOVE of one id */
	ASSERT_EQ(0, kdbus_match_id_remove(&self->r, 2, e.id));
	kdbus_conn_free(&f);
	EXPECT_EQ(0, expect_none(&self->r));
	id = e.id;
	kdbus_conn_free(&e);
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, id, 0));
	EXPECT_EQ(0, expect_none(&self->r));

	/* two matches accepting the same ID_REMOVE: it comes once */
	ASSERT_EQ(0, kdbus_match_id_remove(&self->r, 3, ANY));
	ASSERT_EQ(0, kdbus_match_id_remove(&self->r, 4, d.id));
	id = d.id;
	kdbus_conn_free(&d);
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, id, 0));
	EXPECT_EQ(0, expect_none(&self->r));
}

/*
 * Activators and policy holders cause ID_ADD/ID_REMOVE with their hello
 * flags, monitors do not; notifications of one operation come in the
 * order they were generated.
 */
TEST_F(match, notify_connection_kinds)
{
	const char *act_name = "com.example.act";
	struct kdbus_conn act = { 0 }, ph = { 0 }, mon = { 0 }, c = { 0 };
	__u64 act_id, c_id, ph_id;

	ASSERT_EQ(0, match_all(&self->r, 1));

	ASSERT_EQ(0, kdbus_conn_new(&mon, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));
	EXPECT_EQ(0, expect_none(&self->r));

	ASSERT_EQ(0, kdbus_activator_new(&act, &self->dom, self->bus,
					 act_name));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, act.id,
			       KDBUS_HELLO_ACTIVATOR));
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_ADD, act_name, 0, 0,
				 act.id, KDBUS_NAME_ACTIVATOR));

	ASSERT_EQ(0, kdbus_policy_holder_new(&ph, &self->dom, self->bus,
					     "com.example.ph",
					     KDBUS_POLICY_TALK));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, ph.id,
			       KDBUS_HELLO_POLICY_HOLDER));
	EXPECT_EQ(0, expect_none(&self->r));

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, c.id,
			       KDBUS_HELLO_ACCEPT_FD));

	/* c takes the name over from the activator, and dies */
	ASSERT_EQ(0, kdbus_name_acquire(&c, act_name,
					KDBUS_NAME_ALLOW_REPLACEMENT, NULL));
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_CHANGE, act_name,
				 act.id, KDBUS_NAME_ACTIVATOR, c.id,
				 KDBUS_NAME_ALLOW_REPLACEMENT));
	c_id = c.id;
	kdbus_conn_free(&c);
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_CHANGE, act_name,
				 c_id, KDBUS_NAME_ALLOW_REPLACEMENT, act.id,
				 KDBUS_NAME_ACTIVATOR));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, c_id,
			       KDBUS_HELLO_ACCEPT_FD));

	/* monitors come and go unseen */
	kdbus_conn_free(&mon);
	EXPECT_EQ(0, expect_none(&self->r));

	ph_id = ph.id;
	kdbus_conn_free(&ph);
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, ph_id,
			       KDBUS_HELLO_POLICY_HOLDER));
	act_id = act.id;
	EXPECT_EQ(0, expect_none(&act));
	kdbus_conn_free(&act);
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_REMOVE, act_name,
				 act_id, KDBUS_NAME_ACTIVATOR, 0, 0));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, act_id,
			       KDBUS_HELLO_ACTIVATOR));
	EXPECT_EQ(0, expect_none(&self->r));
}

/*
 * NAME_ADD / NAME_REMOVE / NAME_CHANGE rules with old and new owner ids
 * (~0 any, 0 only 0, otherwise exact) and an optional name; the
 * connection that causes a notification gets it too if it matches.
 */
TEST_F(match, notify_name)
{
	enum { ADD_ANY, ADD_OLD0_A, ADD_NEW0, ADD_B, REMOVE_NEW0,
	       CHANGE_C_D, CHANGE_FROM_D, REMOVE_OLD_C, ADD_NEWD, NRX };
	const char *a = "com.example.a", *b = "com.example.b";
	struct kdbus_conn rx[NRX], c = { 0 }, d = { 0 };
	const __u64 AR = KDBUS_NAME_ALLOW_REPLACEMENT, Q = KDBUS_NAME_QUEUE;
	__u64 rflags;
	unsigned int i;

	memset(rx, 0, sizeof(rx));
	for (i = 0; i < NRX; i++)
		ASSERT_EQ(0, kdbus_conn_new(&rx[i], &self->dom, self->bus,
					    NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&d, &self->dom, self->bus, NULL, 0));

	ASSERT_EQ(0, kdbus_match_name_change(&rx[ADD_ANY], 1,
					     KDBUS_ITEM_NAME_ADD, ANY, ANY,
					     NULL));
	ASSERT_EQ(0, kdbus_match_name_change(&rx[ADD_OLD0_A], 1,
					     KDBUS_ITEM_NAME_ADD, 0, ANY, a));
	ASSERT_EQ(0, kdbus_match_name_change(&rx[ADD_NEW0], 1,
					     KDBUS_ITEM_NAME_ADD, ANY, 0,
					     NULL));
	ASSERT_EQ(0, kdbus_match_name_change(&rx[ADD_B], 1,
					     KDBUS_ITEM_NAME_ADD, ANY, ANY, b));
	ASSERT_EQ(0, kdbus_match_name_change(&rx[REMOVE_NEW0], 1,
					     KDBUS_ITEM_NAME_REMOVE, ANY, 0,
					     NULL));
	ASSERT_EQ(0, kdbus_match_name_change(&rx[CHANGE_C_D], 1,
					     KDBUS_ITEM_NAME_CHANGE, c.id,
					     d.id, NULL));
	ASSERT_EQ(0, kdbus_match_name_change(&rx[CHANGE_FROM_D], 1,
					     KDBUS_ITEM_NAME_CHANGE, d.id,
					     ANY, NULL));
	ASSERT_EQ(0, kdbus_match_name_change(&rx[REMOVE_OLD_C], 1,
					     KDBUS_ITEM_NAME_REMOVE, c.id, ANY,
					     NULL));
	ASSERT_EQ(0, kdbus_match_name_change(&rx[ADD_NEWD], 1,
					     KDBUS_ITEM_NAME_ADD, ANY, d.id,
					     NULL));
	/* c watches its own additions */
	ASSERT_EQ(0, kdbus_match_name_change(&c, 1, KDBUS_ITEM_NAME_ADD, ANY,
					     ANY, NULL));

	ASSERT_EQ(0, kdbus_name_acquire(&c, a, AR, &rflags));
	EXPECT_EQ(0ULL, rflags);
	ASSERT_EQ(0, kdbus_name_acquire(&d, a, Q, &rflags));
	EXPECT_EQ((__u64)KDBUS_NAME_IN_QUEUE, rflags);
	ASSERT_EQ(0, kdbus_name_acquire(&c, b, 0, NULL));
	ASSERT_EQ(0, kdbus_name_release(&c, a));	/* a: c -> d */
	ASSERT_EQ(0, kdbus_name_release(&d, a));	/* a: removed */
	ASSERT_EQ(0, kdbus_name_release(&c, b));	/* b: removed */

	EXPECT_EQ(0, expect_name(&rx[ADD_ANY], KDBUS_ITEM_NAME_ADD, a, 0, 0,
				 c.id, AR));
	EXPECT_EQ(0, expect_name(&rx[ADD_ANY], KDBUS_ITEM_NAME_ADD, b, 0, 0,
				 c.id, 0));
	EXPECT_EQ(0, expect_name(&rx[ADD_OLD0_A], KDBUS_ITEM_NAME_ADD, a, 0, 0,
				 c.id, AR));
	EXPECT_EQ(0, expect_name(&rx[ADD_B], KDBUS_ITEM_NAME_ADD, b, 0, 0,
				 c.id, 0));
	EXPECT_EQ(0, expect_name(&rx[REMOVE_NEW0], KDBUS_ITEM_NAME_REMOVE, a,
				 d.id, Q, 0, 0));
	EXPECT_EQ(0, expect_name(&rx[REMOVE_NEW0], KDBUS_ITEM_NAME_REMOVE, b,
				 c.id, 0, 0, 0));
	EXPECT_EQ(0, expect_name(&rx[CHANGE_C_D], KDBUS_ITEM_NAME_CHANGE, a,
				 c.id, AR, d.id, Q));
	EXPECT_EQ(0, expect_name(&rx[REMOVE_OLD_C], KDBUS_ITEM_NAME_REMOVE, b,
				 c.id, 0, 0, 0));
	EXPECT_EQ(0, expect_name(&c, KDBUS_ITEM_NAME_ADD, a, 0, 0, c.id, AR));
	EXPECT_EQ(0, expect_name(&c, KDBUS_ITEM_NAME_ADD, b, 0, 0, c.id, 0));
	for (i = 0; i < NRX; i++)
		EXPECT_EQ(0, expect_none(&rx[i])) TH_LOG("receiver %u", i);
	EXPECT_EQ(0, expect_none(&c));
	EXPECT_EQ(0, expect_none(&d));

	/* an exact new owner id */
	ASSERT_EQ(0, kdbus_name_acquire(&d, b, 0, NULL));
	EXPECT_EQ(0, expect_name(&rx[ADD_NEWD], KDBUS_ITEM_NAME_ADD, b, 0, 0,
				 d.id, 0));
	EXPECT_EQ(0, expect_name(&rx[ADD_ANY], KDBUS_ITEM_NAME_ADD, b, 0, 0,
				 d.id, 0));
	EXPECT_EQ(0, expect_name(&rx[ADD_B], KDBUS_ITEM_NAME_ADD, b, 0, 0,
				 d.id, 0));
	EXPECT_EQ(0, expect_name(&c, KDBUS_ITEM_NAME_ADD, b, 0, 0, d.id, 0));
	for (i = 0; i < NRX; i++)
		EXPECT_EQ(0, expect_none(&rx[i])) TH_LOG("receiver %u", i);

	kdbus_conn_free(&d);
	kdbus_conn_free(&c);
	for (i = 0; i < NRX; i++)
		kdbus_conn_free(&rx[i]);
}

/*
 * A match without rules gets every broadcast notification; on
 * disconnect NAME_REMOVE comes before ID_REMOVE. The "everything from
 * anyone" match (one ID rule, KDBUS_MATCH_ID_ANY) gets none.
 */
TEST_F(match, notify_match_without_rules)
{
	const char *name = "com.example.all", *second = "com.example.second";
	struct kdbus_conn c = { 0 }, any = { 0 };
	const struct kdbus_notify_name_change *nc;
	unsigned int i, seen = 0;
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	__u64 id;

	ASSERT_EQ(0, kdbus_conn_new(&any, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_match_id_any(&any, 1));
	ASSERT_EQ(0, match_all(&self->r, 1));

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, c.id, 0));
	ASSERT_EQ(0, kdbus_name_acquire(&c, name, 0, NULL));
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_ADD, name, 0, 0,
				 c.id, 0));
	ASSERT_EQ(0, kdbus_name_release(&c, name));
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_REMOVE, name, c.id,
				 0, 0, 0));
	ASSERT_EQ(0, kdbus_name_acquire(&c, name, KDBUS_NAME_QUEUE, NULL));
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_ADD, name, 0, 0,
				 c.id, KDBUS_NAME_QUEUE));
	ASSERT_EQ(0, kdbus_name_acquire(&c, second, 0, NULL));
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_ADD, second, 0, 0,
				 c.id, 0));
	ASSERT_EQ(0, sig(&c, BCAST, 1, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, c.id, BCAST, 1));
	EXPECT_EQ(0, expect_sig(&any, c.id, BCAST, 1));

	id = c.id;
	kdbus_conn_free(&c);
	/* both names, in either order, then the id */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, kdbus_recv_wait(&self->r, WAIT_MS, &cmd, &m));
		ASSERT_NE(NULL, m);
		nc = &m->items[0].name_change;
		EXPECT_EQ((__u64)KDBUS_ITEM_NAME_REMOVE, m->items[0].type);
		EXPECT_EQ(id, nc->old_id.id);
		EXPECT_EQ(0ULL, nc->new_id.id);
		EXPECT_EQ(0ULL, nc->new_id.flags);
		if (!strcmp(nc->name, name)) {
			seen |= 1;
			EXPECT_EQ((__u64)KDBUS_NAME_QUEUE, nc->old_id.flags);
		} else if (!strcmp(nc->name, second)) {
			seen |= 2;
			EXPECT_EQ(0ULL, nc->old_id.flags);
		}
		EXPECT_EQ(0, kdbus_free(&self->r, cmd.msg.offset));
	}
	EXPECT_EQ(3U, seen);
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, id, 0));
	EXPECT_EQ(0, expect_none(&self->r));
	EXPECT_EQ(0, expect_none(&any));
	kdbus_conn_free(&any);
}

/*
 * REPLY_TIMEOUT and REPLY_DEAD go to the caller without any match;
 * monitors get copies. REPLY_DEAD precedes the ID_REMOVE of the callee.
 */
TEST_F(match, notify_reply_without_match)
{
	struct kdbus_conn mon = { 0 }, d = { 0 };
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	__u64 id;

	ASSERT_EQ(0, kdbus_conn_new(&mon, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));

	ASSERT_EQ(0, ucast(&self->r, self->s.id, 0x77, KDBUS_MSG_EXPECT_REPLY,
			   200 * NSEC_PER_MSEC));
	EXPECT_EQ(0, expect_reply_notify(&self->r, KDBUS_ITEM_REPLY_TIMEOUT,
					 self->r.id, 0x77));
	EXPECT_EQ(0, expect_none(&self->r));

	/* the call, for s and for the monitor */
	ASSERT_EQ(0, kdbus_recv(&self->s, 0, 0, &cmd, &m));
	ASSERT_NE(NULL, m);
	EXPECT_EQ(0x77ULL, m->cookie);
	EXPECT_EQ(0, kdbus_free(&self->s, cmd.msg.offset));
	ASSERT_EQ(0, kdbus_recv(&mon, 0, 0, &cmd, &m));
	ASSERT_NE(NULL, m);
	EXPECT_EQ(0x77ULL, m->cookie);
	EXPECT_EQ(self->r.id, m->src_id);
	EXPECT_EQ(self->s.id, m->dst_id);
	EXPECT_EQ((__u64)KDBUS_MSG_EXPECT_REPLY, m->flags);
	EXPECT_EQ(0, kdbus_free(&mon, cmd.msg.offset));
	EXPECT_EQ(0, expect_reply_notify(&mon, KDBUS_ITEM_REPLY_TIMEOUT,
					 self->r.id, 0x77));
	EXPECT_EQ(0, expect_none(&mon));

	/* the callee dies with the request unread */
	ASSERT_EQ(0, kdbus_conn_new(&d, &self->dom, self->bus, NULL, 0));
	EXPECT_EQ(0, expect_id(&mon, KDBUS_ITEM_ID_ADD, d.id, 0));
	ASSERT_EQ(0, match_all(&self->r, 1));
	ASSERT_EQ(0, ucast(&self->r, d.id, 0x78, KDBUS_MSG_EXPECT_REPLY,
			   4000 * NSEC_PER_MSEC));
	id = d.id;
	kdbus_conn_free(&d);
	EXPECT_EQ(0, expect_reply_notify(&self->r, KDBUS_ITEM_REPLY_DEAD,
					 self->r.id, 0x78));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, id, 0));
	EXPECT_EQ(0, expect_none(&self->r));

	EXPECT_EQ(0, expect_msg_d(&mon, self->r.id, id, 0x78,
				  KDBUS_MSG_EXPECT_REPLY, 0));
	EXPECT_EQ(0, expect_reply_notify(&mon, KDBUS_ITEM_REPLY_DEAD,
					 self->r.id, 0x78));
	EXPECT_EQ(0, expect_id(&mon, KDBUS_ITEM_ID_REMOVE, id, 0));
	EXPECT_EQ(0, expect_none(&mon));
	kdbus_conn_free(&mon);
}

/*
 * Custom endpoints: connections on them never get ID_* notifications,
 * not even with a match accepting them.
 */
TEST_F(match, notify_custom_endpoint)
{
	struct kdbus_conn e = { 0 }, e2 = { 0 }, c = { 0 };
	char rel[160];
	__u64 id;
	int ep;

	ASSERT_EQ(0, match_all(&self->r, 1));
	ep = ep_new(&self->dom, self->bus, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, kdbus_conn_new(&e, &self->dom, NULL, rel, 0));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, e.id, 0));
	ASSERT_EQ(0, match_all(&e, 1));
	ASSERT_EQ(0, kdbus_match_id_add(&e, 2, ANY));
	ASSERT_EQ(0, kdbus_match_id_remove(&e, 3, ANY));

	/* new connections on either endpoint */
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&e2, &self->dom, NULL, rel, 0));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, c.id, 0));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, e2.id, 0));
	EXPECT_EQ(0, expect_none(&e));

	/* and their departure */
	id = e2.id;
	kdbus_conn_free(&e2);
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, id, 0));
	id = c.id;
	kdbus_conn_free(&c);
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, id, 0));
	EXPECT_EQ(0, expect_none(&e));
	EXPECT_EQ(0, expect_none(&self->r));

	kdbus_conn_free(&e);
	close(ep);
}

/*
 * Kernel notifications count as one sending user in the receiver's
 * quota: the 257th queued one is dropped and counted, user messages
 * still fit.
 */
TEST_F_TIMEOUT(match, notify_quota, 120)
{
	const unsigned int cycles = 150;	/* 300 notifications */
	const size_t page = sysconf(_SC_PAGESIZE);
	struct kdbus_conn c = { 0 };
	unsigned int i;
	__u64 *ids;
	int ret = 0;

	ids = calloc(cycles, sizeof(*ids));
	ASSERT_NE(NULL, ids);
	ASSERT_EQ(0, match_all(&self->r, 1));
	for (i = 0; i < cycles && !ret; i++) {
		ret = kdbus_conn_new_pool(&c, &self->dom, self->bus, 0, page);
		ids[i] = c.id;
		kdbus_conn_free(&c);
	}
	ASSERT_EQ(0, ret) TH_LOG("HELLO %u", i);
	ASSERT_EQ(0, sig(&self->s, BCAST, 1, NO_BITS));

	EXPECT_EQ(0, expect_id_d(&self->r, KDBUS_ITEM_ID_ADD, ids[0], 0,
				 2 * cycles - KDBUS_CONN_MAX_MSGS));
	for (i = 1; i < KDBUS_CONN_MAX_MSGS && !ret; i++)
		ret = expect_id(&self->r, i % 2 ? KDBUS_ITEM_ID_REMOVE :
				KDBUS_ITEM_ID_ADD, ids[i / 2], 0);
	EXPECT_EQ(0, ret) TH_LOG("notification %u", i - 1);
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 1));
	EXPECT_EQ(0, expect_none(&self->r));
	free(ids);
}

/* ------------------------------------------------------------------ */
/* monitors (5.13)                                                     */
/* ------------------------------------------------------------------ */

TEST_F(match, monitor_sees_everything)
{
	struct kdbus_conn mon = { 0 }, mon2 = { 0 }, c = { 0 };
	const char *name = "com.example.mon";
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	__u64 id;

	ASSERT_EQ(0, kdbus_conn_new(&mon, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));
	EXPECT_EQ(-EOPNOTSUPP, match_all(&mon, 1));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_match_remove(&mon, 1));

	/* a unicast between two other peers */
	ASSERT_EQ(0, ucast(&self->s, self->r.id, 1, 0, 0));
	EXPECT_EQ(0, expect_msg_d(&mon, self->s.id, self->r.id, 1, 0, 0));
	EXPECT_EQ(0, expect_msg_d(&self->r, self->s.id, self->r.id, 1, 0, 0));

	/* a unicast signal the destination's (missing) matches drop */
	ASSERT_EQ(0, sig(&self->s, self->r.id, 2, NO_BITS));
	EXPECT_EQ(0, expect_sig(&mon, self->s.id, self->r.id, 2));
	EXPECT_EQ(0, expect_none(&self->r));

	/* a broadcast nobody wants */
	ASSERT_EQ(0, sig(&self->s, BCAST, 3, NO_BITS));
	EXPECT_EQ(0, expect_sig(&mon, self->s.id, BCAST, 3));
	EXPECT_EQ(0, expect_none(&self->r));

	/* a broadcast r wants: the monitor has it once r has it */
	ASSERT_EQ(0, match_all(&self->r, 1));
	ASSERT_EQ(0, sig(&self->s, BCAST, 4, BITS(4)));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 4));
	ASSERT_EQ(0, kdbus_recv(&mon, 0, 0, &cmd, &m));
	ASSERT_NE(NULL, m);
	EXPECT_EQ(4ULL, m->cookie);
	EXPECT_EQ(0U, kdbus_msg_count(m, KDBUS_ITEM_BLOOM_FILTER));
	EXPECT_EQ(0, kdbus_free(&mon, cmd.msg.offset));

	/* monitors cause no ID notifications */
	ASSERT_EQ(0, kdbus_conn_new(&mon2, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));
	kdbus_conn_free(&mon2);
	EXPECT_EQ(0, expect_none(&self->r));
	EXPECT_EQ(0, expect_none(&mon));

	/* notifications, without any match */
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	ASSERT_EQ(0, kdbus_name_acquire(&c, name, 0, NULL));
	id = c.id;
	kdbus_conn_free(&c);
	EXPECT_EQ(0, expect_id(&mon, KDBUS_ITEM_ID_ADD, id,
			       KDBUS_HELLO_ACCEPT_FD));
	EXPECT_EQ(0, expect_name(&mon, KDBUS_ITEM_NAME_ADD, name, 0, 0, id, 0));
	EXPECT_EQ(0, expect_name(&mon, KDBUS_ITEM_NAME_REMOVE, name, id, 0,
				 0, 0));
	EXPECT_EQ(0, expect_id(&mon, KDBUS_ITEM_ID_REMOVE, id,
			       KDBUS_HELLO_ACCEPT_FD));
	EXPECT_EQ(0, expect_none(&mon));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_ADD, id,
			       KDBUS_HELLO_ACCEPT_FD));
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_ADD, name, 0, 0, id,
				 0));
	EXPECT_EQ(0, expect_name(&self->r, KDBUS_ITEM_NAME_REMOVE, name, id, 0,
				 0, 0));
	EXPECT_EQ(0, expect_id(&self->r, KDBUS_ITEM_ID_REMOVE, id,
			       KDBUS_HELLO_ACCEPT_FD));
	EXPECT_EQ(0, expect_none(&self->r));
	kdbus_conn_free(&mon);
}

/* ------------------------------------------------------------------ */
/* full receivers (5.9.4, 7.4, 7.5)                                    */
/* ------------------------------------------------------------------ */

/*
 * A receiver holding 256 messages from one user: further broadcasts are
 * dropped and counted (the sender is not told); unicast signals are
 * dropped without being counted; a monitor counts its lost copies.
 */
TEST_F(match, dropped_broadcasts_queue_limit)
{
	const unsigned int extra = 5, total = KDBUS_CONN_MAX_MSGS + extra;
	struct kdbus_conn r2 = { 0 }, mon = { 0 };
	unsigned int i;
	int ret = 0;

	ASSERT_EQ(0, kdbus_conn_new(&r2, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_match_id_any(&self->r, 1));
	ASSERT_EQ(0, kdbus_match_id_any(&r2, 1));
	ASSERT_EQ(0, kdbus_conn_new(&mon, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));

	/* r2 keeps up, r and the monitor do not read */
	for (i = 1; i <= total && !ret; i++) {
		ret = sig(&self->s, BCAST, i, NO_BITS);
		if (!ret)
			ret = expect_sig(&r2, self->s.id, BCAST, i);
	}
	ASSERT_EQ(0, ret) TH_LOG("broadcast %u", i - 1);
	EXPECT_EQ(0, expect_none(&r2));

	/* a matching unicast signal is dropped, not counted */
	EXPECT_EQ(0, sig(&self->s, self->r.id, 1000, NO_BITS));
	/* a plain unicast fails */
	EXPECT_EQ(-ENOBUFS, ucast(&self->s, self->r.id, 1001, 0, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM,
		  poll_now(self->r.fd));

	EXPECT_EQ(0, expect_sig_d(&self->r, self->s.id, BCAST, 1, extra));
	for (i = 2; i <= KDBUS_CONN_MAX_MSGS && !ret; i++)
		ret = expect_sig(&self->r, self->s.id, BCAST, i);
	EXPECT_EQ(0, ret) TH_LOG("broadcast %u", i - 1);
	EXPECT_EQ(0, expect_none(&self->r));

	/* the monitor lost the broadcasts and both unicast copies */
	EXPECT_EQ(0, expect_sig_d(&mon, self->s.id, BCAST, 1, extra + 2));
	for (i = 2; i <= KDBUS_CONN_MAX_MSGS && !ret; i++)
		ret = expect_sig(&mon, self->s.id, BCAST, i);
	EXPECT_EQ(0, ret) TH_LOG("monitor copy %u", i - 1);
	EXPECT_EQ(0, expect_none(&mon));

	/* r is back to normal */
	ASSERT_EQ(0, sig(&self->s, BCAST, 2000, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 2000));
	kdbus_conn_free(&mon);
	kdbus_conn_free(&r2);
}

/*
 * A receiver whose small pool is full of slices it did not free: the
 * broadcasts that do not fit are counted; poll() reports POLLIN for the
 * count alone, the RECV that reports it fails with EAGAIN.
 */
TEST_F(match, dropped_broadcasts_pool_full)
{
	const size_t page = sysconf(_SC_PAGESIZE);
	const size_t len = 1024;
	struct kdbus_conn small = { 0 };
	struct kdbus_cmd_recv cmd;
	__u64 offs[300], cookie;
	struct kdbus_msg *m;
	unsigned int n = 0, i;
	int ret = 0;
	__u8 *buf;

	buf = calloc(1, len);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, kdbus_conn_new_pool(&small, &self->dom, self->bus, 0,
					 4 * page));
	ASSERT_EQ(0, kdbus_match_id_any(&small, 1));

	/* receive without freeing until a broadcast no longer fits */
	for (cookie = 1; n < ARRAY_SIZE(offs); cookie++) {
		memcpy(buf, &cookie, sizeof(cookie));
		ASSERT_EQ(0, kdbus_send_signal(&self->s, BCAST, cookie, 0, NULL,
					       buf, len));
		ASSERT_EQ(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM,
			  poll_now(small.fd));
		ret = kdbus_recv(&small, 0, 0, &cmd, &m);
		if (ret == -EAGAIN)
			break;
		ASSERT_EQ(0, ret);
		ASSERT_NE(NULL, m);
		ASSERT_EQ(cookie, m->cookie);
		ASSERT_TRUE(dropped_ok(&cmd, 0));
		offs[n++] = cmd.msg.offset;
	}
	ASSERT_EQ(-EAGAIN, ret);
	TH_LOG("%u broadcasts of %zu bytes filled a pool of %zu bytes", n,
	       len, 4 * page);
	EXPECT_LT(0U, n);
	/* the EAGAIN reported exactly the one broadcast that did not fit */
	EXPECT_TRUE(dropped_ok(&cmd, 1));
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(small.fd));

	/* three more are lost */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, kdbus_send_signal(&self->s, BCAST, 100 + i, 0,
					       NULL, buf, len));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM,
		  poll_now(small.fd));
	EXPECT_EQ(0, expect_dropped_only(&small, 3));
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(small.fd));

	/* a FREE makes room for one */
	ASSERT_EQ(0, kdbus_free(&small, offs[n / 2]));
	cookie = 200;
	memcpy(buf, &cookie, sizeof(cookie));
	ASSERT_EQ(0, kdbus_send_signal(&self->s, BCAST, cookie, 0, NULL, buf,
				       len));
	ASSERT_EQ(0, kdbus_recv(&small, 0, 0, &cmd, &m));
	ASSERT_NE(NULL, m);
	EXPECT_EQ(cookie, m->cookie);
	EXPECT_TRUE(dropped_ok(&cmd, 0));
	offs[n / 2] = cmd.msg.offset;
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, kdbus_free(&small, offs[i]));
	EXPECT_EQ(0, expect_none(&small));
	kdbus_conn_free(&small);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* several processes and threads                                      */
/* ------------------------------------------------------------------ */

#define PROC_RECEIVERS		3
#define PROC_PATTERNS		8	/* 2 ^ PROC_RECEIVERS */
#define PROC_END_COOKIE		1000

struct proc_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
	unsigned int index;
	__u64 src;
	int ready_fd;
};

/*
 * A receiver in its own process: match on bloom bit @index, report the
 * id, then expect exactly the broadcasts whose pattern has that bit and
 * the final one.
 */
static int child_receiver(void *arg)
{
	const struct proc_ctx *ctx = arg;
	struct kdbus_conn c = { 0 };
	unsigned int j;
	int ret;

	ret = kdbus_conn_new(&c, ctx->dom, ctx->bus, NULL, 0);
	if (ret < 0)
		return 100;
	if (match_bloom(&c, 1, 0, BITS((int)ctx->index)) < 0)
		return 101;
	if (write(ctx->ready_fd, &c.id, sizeof(c.id)) != sizeof(c.id))
		return 102;
	for (j = 0; j < PROC_PATTERNS; j++)
		if ((j >> ctx->index) & 1 &&
		    expect_sig(&c, ctx->src, BCAST, j + 1) < 0)
			return 1 + j;
	if (expect_sig(&c, ctx->src, BCAST, PROC_END_COOKIE) < 0)
		return 50;
	if (expect_none(&c) < 0)
		return 51;
	kdbus_conn_free(&c);
	return 0;
}

/* receivers in other processes get what their matches select */
TEST_F(match, receivers_in_other_processes)
{
	struct proc_ctx ctx[PROC_RECEIVERS];
	pid_t pid[PROC_RECEIVERS];
	__u64 b[BLOOM_WORDS], id;
	unsigned int i, j;
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	for (i = 0; i < PROC_RECEIVERS; i++) {
		ctx[i] = (struct proc_ctx){
			.dom = &self->dom, .bus = self->bus, .index = i,
			.src = self->s.id, .ready_fd = p[1],
		};
		pid[i] = kdbus_spawn_as(0, 0, child_receiver, &ctx[i]);
		ASSERT_LT(0, pid[i]);
	}
	close(p[1]);
	for (i = 0; i < PROC_RECEIVERS; i++)
		ASSERT_EQ(0, read_full(p[0], &id, sizeof(id)))
			TH_LOG("receiver %u not ready", i);
	close(p[0]);

	for (j = 0; j < PROC_PATTERNS; j++) {
		memset(b, 0, sizeof(b));
		b[0] = j;
		ASSERT_EQ(0, kdbus_send_signal(&self->s, BCAST, j + 1, 0, b,
					       &(__u64){ j + 1 }, 8));
	}
	memset(b, 0, sizeof(b));
	b[0] = PROC_PATTERNS - 1;
	ASSERT_EQ(0, kdbus_send_signal(&self->s, BCAST, PROC_END_COOKIE, 0, b,
				       &(__u64){ PROC_END_COOKIE }, 8));
	for (i = 0; i < PROC_RECEIVERS; i++)
		EXPECT_EQ(0, kdbus_wait_child(pid[i])) TH_LOG("receiver %u", i);
	EXPECT_EQ(0, expect_none(&self->r));
}

#define RACE_MSGS		500
#define RACE_WINDOW		64
#define RACE_COOKIE		7
#define RACE_BOTH(k)		(1000ULL + (k))
#define RACE_NEITHER(k)		(100000ULL + (k))

struct race {
	struct kdbus_conn *s, *s2, *r;
	unsigned int received;		/* by the receiver thread */
	unsigned int sent;		/* by the sender thread */
	int done;			/* sender finished */
	int send_err, recv_err;
};

/*
 * Sends RACE_MSGS broadcasts from s with bloom bit 0 (matched by both
 * rules) interleaved with broadcasts from s2 without bits (matched by
 * neither), never more than RACE_WINDOW ahead of the receiver.
 */
static void *race_sender(void *arg)
{
	struct race *rc = arg;
	__u64 deadline = kdbus_now_ns() + 10 * WAIT_MS * NSEC_PER_MSEC;
	unsigned int k;
	int ret;

	for (k = 0; k < RACE_MSGS; k++) {
		while (k - __atomic_load_n(&rc->received, __ATOMIC_ACQUIRE) >=
		       RACE_WINDOW) {
			if (kdbus_now_ns() > deadline) {
				rc->send_err = -ETIMEDOUT;
				goto out;
			}
			usleep(100);
		}
		ret = sig(rc->s, BCAST, RACE_BOTH(k), BITS(0));
		if (!ret)
			ret = sig(rc->s2, BCAST, RACE_NEITHER(k), NO_BITS);
		if (ret) {
			rc->send_err = ret;
			break;
		}
		__atomic_store_n(&rc->sent, k + 1, __ATOMIC_RELEASE);
	}
out:
	__atomic_store_n(&rc->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* receives exactly the matched broadcasts, in order, once each */
static void *race_receiver(void *arg)
{
	struct race *rc = arg;
	__u64 deadline = kdbus_now_ns() + 10 * WAIT_MS * NSEC_PER_MSEC;
	struct pollfd pfd = { .fd = rc->r->fd, .events = POLLIN };
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	unsigned int k = 0;
	int ret;

	while (k < RACE_MSGS) {
		ret = kdbus_recv(rc->r, 0, 0, &cmd, &m);
		if (ret == -EAGAIN) {
			if (cmd.dropped_msgs) {
				kdbus_log("receiver: %llu lost",
					  (unsigned long long)cmd.dropped_msgs);
				rc->recv_err = -EBADMSG;
				break;
			}
			if (kdbus_now_ns() > deadline ||
			    (__atomic_load_n(&rc->done, __ATOMIC_ACQUIRE) &&
			     rc->send_err)) {
				kdbus_log("receiver: %u of %u received", k,
					  RACE_MSGS);
				rc->recv_err = -ETIMEDOUT;
				break;
			}
			poll(&pfd, 1, 10);
			continue;
		}
		if (ret < 0 || !m) {
			rc->recv_err = ret < 0 ? ret : -EBADMSG;
			break;
		}
		if (m->cookie != RACE_BOTH(k) || m->src_id != rc->s->id ||
		    cmd.dropped_msgs) {
			kdbus_log("receiver: cookie %llu from %llu, expected %llu from %llu",
				  (unsigned long long)m->cookie,
				  (unsigned long long)m->src_id,
				  RACE_BOTH(k),
				  (unsigned long long)rc->s->id);
			rc->recv_err = -EBADMSG;
			kdbus_free(rc->r, cmd.msg.offset);
			break;
		}
		kdbus_free(rc->r, cmd.msg.offset);
		k++;
		__atomic_store_n(&rc->received, k, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * MATCH_ADD with REPLACE in a loop, switching between two rules that
 * both accept one kind of broadcast, while another thread sends: every
 * such broadcast is delivered exactly once, in order, and none that
 * neither rule accepts.
 */
TEST_F_TIMEOUT(match, replace_races_broadcasts, 120)
{
	struct kdbus_conn s2 = { 0 };
	struct race rc = { 0 };
	pthread_t ts, tr;
	unsigned int loops = 0;
	int ret = 0;

	ASSERT_EQ(0, kdbus_conn_new(&s2, &self->dom, self->bus, NULL, 0));
	rc.s = &self->s;
	rc.s2 = &s2;
	rc.r = &self->r;
	ASSERT_EQ(0, match_bloom(&self->r, RACE_COOKIE, 0, BITS(0)));
	ASSERT_EQ(0, pthread_create(&tr, NULL, race_receiver, &rc));
	ASSERT_EQ(0, pthread_create(&ts, NULL, race_sender, &rc));

	while (!__atomic_load_n(&rc.done, __ATOMIC_ACQUIRE) && !ret) {
		ret = match_id(&self->r, RACE_COOKIE, KDBUS_MATCH_REPLACE,
			       self->s.id);
		if (!ret)
			ret = match_bloom(&self->r, RACE_COOKIE,
					  KDBUS_MATCH_REPLACE, BITS(0));
		loops++;
	}
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, rc.send_err);
	EXPECT_EQ(0, rc.recv_err);
	EXPECT_EQ((unsigned int)RACE_MSGS, rc.received);
	TH_LOG("%u REPLACE pairs during %u broadcasts", loops, 2 * RACE_MSGS);
	EXPECT_EQ(0, expect_none(&self->r));

	/* afterwards exactly the last rule is in force */
	ASSERT_EQ(0, match_id(&self->r, RACE_COOKIE, KDBUS_MATCH_REPLACE,
			      self->s.id));
	ASSERT_EQ(0, sig(&s2, BCAST, 1, BITS(0)));
	ASSERT_EQ(0, sig(&self->s, BCAST, 2, NO_BITS));
	EXPECT_EQ(0, expect_sig(&self->r, self->s.id, BCAST, 2));
	EXPECT_EQ(0, expect_none(&self->r));
	ASSERT_EQ(0, match_bloom(&self->r, RACE_COOKIE, KDBUS_MATCH_REPLACE,
				 BITS(0)));
	ASSERT_EQ(0, sig(&self->s, BCAST, 3, NO_BITS));
	ASSERT_EQ(0, sig(&s2, BCAST, 4, BITS(0)));
	EXPECT_EQ(0, expect_sig(&self->r, s2.id, BCAST, 4));
	EXPECT_EQ(0, expect_none(&self->r));
	EXPECT_EQ(0, kdbus_match_remove(&self->r, RACE_COOKIE));
	EXPECT_EQ(-EBADSLT, kdbus_match_remove(&self->r, RACE_COOKIE));
	kdbus_conn_free(&s2);
}

/* ------------------------------------------------------------------ */
/* an unprivileged receiver                                            */
/* ------------------------------------------------------------------ */

struct unpriv_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
	int to_parent, from_parent;
};

/*
 * As uid 1000: matches work the same as for root, a broadcast of the
 * same user is received through the "everything from anyone" match, and
 * an ID_ADD rule sees root's and its own new connections.
 */
static int child_unpriv(void *arg)
{
	const struct unpriv_ctx *ctx = arg;
	struct kdbus_conn r = { 0 }, t = { 0 }, u = { 0 };
	__u64 xid = 0;

	if (kdbus_conn_new(&r, ctx->dom, ctx->bus, NULL, 0) < 0 ||
	    kdbus_conn_new(&t, ctx->dom, ctx->bus, NULL, 0) < 0)
		return 100;
	if (kdbus_match_id_any(&r, 1) < 0)
		return 101;
	/* matches behave the same for everyone */
	if (match_all(&t, 1) < 0 || kdbus_match_remove(&t, 1) < 0 ||
	    kdbus_match_remove(&t, 1) != -EBADSLT ||
	    match_name(&t, 1, "foo") != -EINVAL ||
	    kdbus_match_id_add(&t, 2, ANY) < 0)
		return 102;
	if (write(ctx->to_parent, &r.id, sizeof(r.id)) != sizeof(r.id))
		return 103;
	/* the parent connects x and tells its id */
	if (read_full(ctx->from_parent, &xid, sizeof(xid)) < 0)
		return 104;
	if (sig(&t, BCAST, 3, NO_BITS) < 0)
		return 105;
	if (kdbus_conn_new(&u, ctx->dom, ctx->bus, NULL, 0) < 0)
		return 106;

	if (expect_sig(&r, t.id, BCAST, 3) < 0)
		return 3;
	if (expect_none(&r) < 0)
		return 4;
	if (expect_id(&t, KDBUS_ITEM_ID_ADD, xid, 0) < 0)
		return 5;
	if (expect_id(&t, KDBUS_ITEM_ID_ADD, u.id, 0) < 0)
		return 6;
	if (expect_none(&t) < 0)
		return 7;
	kdbus_conn_free(&u);
	kdbus_conn_free(&t);
	kdbus_conn_free(&r);
	return 0;
}

TEST_F(match, unprivileged_receiver)
{
	struct kdbus_conn x = { 0 };
	struct unpriv_ctx ctx = { 0 };
	int to_parent[2], from_parent[2];
	__u64 rid = 0;
	pid_t pid;

	/* a child that died early must not take the test with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(0, pipe2(to_parent, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(from_parent, O_CLOEXEC));
	ctx = (struct unpriv_ctx){
		.dom = &self->dom, .bus = self->bus,
		.to_parent = to_parent[1], .from_parent = from_parent[0],
	};
	pid = kdbus_spawn_as(OTHER_UID, OTHER_GID, child_unpriv, &ctx);
	ASSERT_LT(0, pid);
	close(to_parent[1]);
	close(from_parent[0]);

	EXPECT_EQ(0, read_full(to_parent[0], &rid, sizeof(rid)));
	EXPECT_NE(0ULL, rid);
	EXPECT_EQ(0, kdbus_conn_new(&x, &self->dom, self->bus, NULL, 0));
	EXPECT_EQ((ssize_t)sizeof(x.id),
		  write(from_parent[1], &x.id, sizeof(x.id)));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	close(to_parent[0]);
	close(from_parent[1]);
	kdbus_conn_free(&x);
}

TEST_HARNESS_MAIN
