// SPDX-License-Identifier: GPL-2.0
/*
 * Unicast messages: KDBUS_CMD_SEND validation and errors, the layout of
 * received messages in the pool, fd and memfd passing, KDBUS_CMD_RECV
 * (queue order, priorities, PEEK, DROP, negotiation), KDBUS_CMD_FREE of
 * message slices, receiver quotas and full pools, concurrent senders and
 * unprivileged users.
 *
 * Receivers use the helper's HELLO defaults (receive attach mask 0), so
 * received messages carry no metadata items and every size and offset in
 * the pool follows exactly from contract 5.10.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

/* PAYLOAD_OFF offset of a null vector */
#define NULL_VEC_OFFSET		(~0ULL)
#define ALL_SEALS		(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | \
				 F_SEAL_SEAL)
/* the unprivileged user of the tests (a different accounting user) */
#define OTHER_UID		1000
#define OTHER_GID		1000
/* an address in the kernel half of the address space */
#define KERNEL_ADDR		0xffffffff81000000ULL
#define SZ_1M			(1024ULL * 1024)
#define SZ_2M			KDBUS_MSG_MAX_PAYLOAD_VEC_SIZE
#define ADDR(p)			((__u64)(uintptr_t)(p))
/* how long a test waits for concurrent senders */
#define WAIT_MS			20000

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static __u8 pattern_byte(size_t i, unsigned int seed)
{
	return (__u8)(i * 131 + (i >> 9) + seed * 17 + 1);
}

static void fill_pattern(void *buf, size_t len, unsigned int seed)
{
	__u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern_byte(i, seed);
}

static bool check_pattern(const void *buf, size_t len, unsigned int seed)
{
	const __u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern_byte(i, seed))
			return false;
	return true;
}

static bool all_zero(const void *buf, size_t len)
{
	const __u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* the lowest free descriptor number (@anchor is any open fd) */
static int lowest_free_fd(int anchor)
{
	int fd = fcntl(anchor, F_DUPFD, 0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* a memfd holding @size bytes of pattern @seed with @seals: fd or -errno */
static int memfd_new(size_t size, unsigned int seed, unsigned int seals)
{
	void *buf = malloc(size + 1);
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	fd = memfd_create("kdbus-test-message", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		ret = -errno;
		free(buf);
		return ret;
	}
	fill_pattern(buf, size, seed);
	if (write(fd, buf, size) != (ssize_t)size)
		ret = -EIO;
	else if (seals && fcntl(fd, F_ADD_SEALS, seals) < 0)
		ret = -errno;
	free(buf);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* disconnect @c unless that was done already; safe to call twice */
static void conn_drop(struct kdbus_conn *c)
{
	if (c->id)
		kdbus_conn_free(c);
	memset(c, 0, sizeof(*c));
}

/* raw HELLO (for activators): 0 or -errno, the new id in @id */
static int hello_raw(int ep_fd, __u64 flags, const char *name, __u64 *id)
{
	struct kdbus_cmd_hello *h = kdbus_args_new(sizeof(*h));
	int ret;

	h->flags = flags;
	h->pool_size = SZ_1M;
	if (name)
		kdbus_args_add_str(h, KDBUS_ITEM_NAME, name);
	ret = kdbus_ioctl(ep_fd, KDBUS_CMD_HELLO, h);
	if (!ret)
		*id = h->id;
	kdbus_args_release(h);
	return ret;
}

static void *pool_ptr(const struct kdbus_conn *c, __u64 off)
{
	return (__u8 *)c->pool + off;
}

/*
 * SEND with a plain kdbus_cmd_send; the (poisoned) reply field as the
 * kernel left it goes to @reply. 0 or -errno.
 */
static int send_cmd(int fd, __u64 flags, __u64 msg_address,
		    struct kdbus_msg_info *reply)
{
	struct kdbus_cmd_send cmd;
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.flags = flags;
	cmd.msg_address = msg_address;
	cmd.reply.offset = 0x5a5a5a5a5a5a5a5aULL;
	cmd.reply.msg_size = 0x5a5a5a5a5a5a5a5aULL;
	cmd.reply.return_flags = 0x5a5a5a5a5a5a5a5aULL;
	ret = kdbus_ioctl(fd, KDBUS_CMD_SEND, &cmd);
	if (reply)
		*reply = cmd.reply;
	return ret;
}

static int send_msg(const struct kdbus_conn *c, const struct kdbus_msg *m)
{
	return send_cmd(c->fd, 0, ADDR(m), NULL);
}

/* append a PAYLOAD_VEC {size, address} (address 0: a null vector) */
static struct kdbus_item *add_vec(struct kdbus_msg *m, __u64 address,
				  __u64 size)
{
	struct kdbus_vec v = { .size = size, .address = address };

	return kdbus_args_add(m, KDBUS_ITEM_PAYLOAD_VEC, &v, sizeof(v));
}

/*
 * Append an item with header size @size (which may lie) and @plen payload
 * bytes; the message size becomes the 8-aligned end of the item.
 */
static void add_raw(struct kdbus_msg *m, __u64 type, __u64 size,
		    const void *payload, size_t plen)
{
	struct kdbus_item *it = (struct kdbus_item *)((__u8 *)m + m->size);

	it->size = size;
	it->type = type;
	if (plen)
		memcpy(it->data, payload, plen);
	m->size += KDBUS_ALIGN8(size > plen + 16 ? size : plen + 16);
}

/* send @len bytes of @data in one vector (no item if @len is 0) */
static int send_data(const struct kdbus_conn *c, __u64 dst, __u64 cookie,
		     const void *data, size_t len)
{
	struct kdbus_msg *m = kdbus_msg_new(dst, cookie);
	int ret;

	if (len)
		add_vec(m, ADDR(data), len);
	ret = send_msg(c, m);
	kdbus_msg_release(m);
	return ret;
}

/* send @len bytes of pattern @seed from a fresh buffer */
static int send_pattern(const struct kdbus_conn *c, __u64 dst, __u64 cookie,
			size_t len, unsigned int seed)
{
	void *buf = malloc(len + 1);
	int ret;

	if (!buf)
		return -ENOMEM;
	fill_pattern(buf, len, seed);
	ret = send_data(c, dst, cookie, buf, len);
	free(buf);
	return ret;
}

/*
 * RECV with @flags/@prio into @cmd; on success *@m (if not NULL) points at
 * the message in the pool (NULL for the empty slice). 0 or -errno.
 */
static int recv_msg(const struct kdbus_conn *c, __u64 flags, __s64 prio,
		    struct kdbus_cmd_recv *cmd, struct kdbus_msg **m)
{
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd);
	cmd->flags = flags;
	cmd->priority = prio;
	ret = kdbus_ioctl(c->fd, KDBUS_CMD_RECV, cmd);
	if (m)
		*m = (!ret && cmd->msg.offset < c->pool_size) ?
			pool_ptr(c, cmd->msg.offset) : NULL;
	return ret;
}

static unsigned int fds_count(const struct kdbus_item *it)
{
	return (it->size - KDBUS_ITEM_HEADER_SIZE) / sizeof(int);
}

/* close every fd a received message installed */
static void close_msg_fds(const struct kdbus_msg *m)
{
	const struct kdbus_item *it;
	unsigned int i;

	KDBUS_ITEM_FOREACH(it, m, items) {
		if (it->type == KDBUS_ITEM_FDS) {
			for (i = 0; i < fds_count(it); i++)
				if (it->fds[i] >= 0)
					close(it->fds[i]);
		} else if (it->type == KDBUS_ITEM_PAYLOAD_MEMFD &&
			   it->memfd.fd >= 0) {
			close(it->memfd.fd);
		}
	}
}

/*
 * Receive and free everything queued on @c: the number of messages, or
 * -errno from the first RECV/FREE failure other than EAGAIN.
 */
static int drain(const struct kdbus_conn *c)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	int n = 0, ret;

	for (;;) {
		ret = recv_msg(c, 0, 0, &cmd, &m);
		if (ret == -EAGAIN)
			return n;
		if (ret < 0)
			return ret;
		if (m)
			close_msg_fds(m);
		ret = kdbus_free((struct kdbus_conn *)c, cmd.msg.offset);
		if (ret < 0)
			return ret;
		n++;
	}
}

/* the @n-th item (from 0) of a received message, or NULL */
static const struct kdbus_item *nth_item(const struct kdbus_msg *m,
					 unsigned int n)
{
	const struct kdbus_item *it;

	KDBUS_ITEM_FOREACH(it, m, items)
		if (!n--)
			return it;
	return NULL;
}

static unsigned int item_count(const struct kdbus_msg *m)
{
	const struct kdbus_item *it;
	unsigned int n = 0;

	KDBUS_ITEM_FOREACH(it, m, items)
		n++;
	return n;
}

/* the inline data of a PAYLOAD_OFF item */
static const void *off_data(const struct kdbus_msg *m,
			    const struct kdbus_item *it)
{
	return (const __u8 *)m + it->vec.offset;
}

__printf(3, 4)
static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Check the invariants of contract 5.10 on the slice a RECV reported in
 * @cmd: alignment, items tiling [items, kdbus_msg.size) with zeroed
 * padding, PAYLOAD_OFF offsets following the inline stream in item order,
 * zero bytes stored for null vectors and unaligned memfds, msg_size, and
 * zero padding up to msg_size. 0, or -1 with a reason in @why.
 */
static int slice_check(const struct kdbus_conn *c,
		       const struct kdbus_cmd_recv *cmd, char *why, size_t len)
{
	const __u64 off = cmd->msg.offset, msg_size = cmd->msg.msg_size;
	const struct kdbus_item *it;
	const struct kdbus_msg *m;
	__u64 pos, stream = 0, n;
	const __u8 *base;

	if (off % 8 || msg_size % 8 || msg_size < sizeof(*m) ||
	    off >= c->pool_size || msg_size > c->pool_size - off)
		return fail(why, len, "slice %llu+%llu (pool %llu)", off,
			    msg_size, c->pool_size);
	base = pool_ptr(c, off);
	m = (const struct kdbus_msg *)base;
	if (m->size < sizeof(*m) || m->size % 8 || m->size > msg_size)
		return fail(why, len, "kdbus_msg.size %llu, msg_size %llu",
			    m->size, msg_size);
	for (pos = sizeof(*m); pos < m->size;
	     pos += KDBUS_ALIGN8(it->size)) {
		it = (const struct kdbus_item *)(base + pos);
		if (it->size < KDBUS_ITEM_HEADER_SIZE ||
		    it->size > m->size - pos)
			return fail(why, len, "item at %llu: size %llu", pos,
				    it->size);
		if (!all_zero(base + pos + it->size,
			      KDBUS_ALIGN8(it->size) - it->size))
			return fail(why, len,
				    "item at %llu (type %llu): padding not zero",
				    pos, it->type);
		if (it->type == KDBUS_ITEM_PAYLOAD_OFF) {
			if (it->size != KDBUS_ITEM_SIZE(sizeof(struct kdbus_vec)))
				return fail(why, len, "PAYLOAD_OFF size %llu",
					    it->size);
			if (it->vec.offset == NULL_VEC_OFFSET) {
				n = it->vec.size % 8;
			} else {
				if (it->vec.offset != m->size + stream)
					return fail(why, len,
						    "payload at %llu, expected %llu",
						    it->vec.offset,
						    m->size + stream);
				n = it->vec.size;
			}
			if (n > msg_size - m->size - stream)
				return fail(why, len, "payload beyond msg_size");
			if (it->vec.offset == NULL_VEC_OFFSET &&
			    !all_zero(base + m->size + stream, n))
				return fail(why, len, "null vector bytes not zero");
			stream += n;
		} else if (it->type == KDBUS_ITEM_PAYLOAD_MEMFD) {
			if (it->size != KDBUS_ITEM_SIZE(sizeof(struct kdbus_memfd)) ||
			    it->memfd.__pad)
				return fail(why, len, "PAYLOAD_MEMFD size %llu pad %u",
					    it->size, it->memfd.__pad);
			n = it->memfd.size % 8;
			if (n > msg_size - m->size - stream ||
			    !all_zero(base + m->size + stream, n))
				return fail(why, len, "memfd padding bytes");
			stream += n;
		}
	}
	if (pos != m->size)
		return fail(why, len, "items end at %llu, size %llu", pos,
			    m->size);
	if (msg_size != KDBUS_ALIGN8(m->size + stream))
		return fail(why, len, "msg_size %llu, expected %llu", msg_size,
			    KDBUS_ALIGN8(m->size + stream));
	if (!all_zero(base + m->size + stream, msg_size - m->size - stream))
		return fail(why, len, "tail padding not zero");
	return 0;
}

/* a child that sends a sequence of messages on its own connection */
#define CHILD_MAX_SENDS	4
struct child_send_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
	__u64 dst;
	unsigned int n;
	size_t len[CHILD_MAX_SENDS];		/* vector bytes */
	unsigned int nfds[CHILD_MAX_SENDS];	/* fds in an FDS item */
	int expect[CHILD_MAX_SENDS];		/* SEND result */
};

static int child_send(void *arg)
{
	const struct child_send_ctx *ctx = arg;
	struct kdbus_conn c = { 0 };
	int fds[KDBUS_CONN_MAX_FDS_PER_USER], p[2];
	unsigned int i, j;
	struct kdbus_msg *m;
	void *buf;
	int ret;

	ret = kdbus_conn_new(&c, ctx->dom, ctx->bus, NULL, 0);
	if (ret < 0) {
		kdbus_log("HELLO as uid %u: %s", getuid(), strerror(-ret));
		return 100;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return 101;
	for (j = 0; j < KDBUS_CONN_MAX_FDS_PER_USER; j++)
		fds[j] = p[1];
	for (i = 0; i < ctx->n; i++) {
		buf = malloc(ctx->len[i] + 1);
		if (!buf)
			return 102;
		fill_pattern(buf, ctx->len[i], 200 + i);
		m = kdbus_msg_new(ctx->dst, 1000 + i);
		if (ctx->len[i])
			add_vec(m, ADDR(buf), ctx->len[i]);
		if (ctx->nfds[i])
			kdbus_msg_add_fds(m, fds, ctx->nfds[i]);
		ret = send_msg(&c, m);
		kdbus_msg_release(m);
		free(buf);
		if (ret != ctx->expect[i]) {
			kdbus_log("uid %u send #%u (%zu bytes, %u fds): %d, expected %d",
				  getuid(), i, ctx->len[i], ctx->nfds[i], ret,
				  ctx->expect[i]);
			return 1 + i;
		}
	}
	kdbus_conn_free(&c);
	return 0;
}

/* payload of the concurrency tests */
struct seq_payload {
	__u32 sender;
	__u32 seq;
};

static __u64 seq_cookie(unsigned int sender, unsigned int seq)
{
	return ((__u64)(sender + 1) << 32) | seq;
}

static int send_seq(const struct kdbus_conn *c, __u64 dst,
		    unsigned int sender, unsigned int seq)
{
	struct seq_payload p = { .sender = sender, .seq = seq };

	return send_data(c, dst, seq_cookie(sender, seq), &p, sizeof(p));
}

/*
 * Receive @senders * @per_sender seq_payload messages on @c while the
 * senders run, within WAIT_MS; checks payload, cookie and per-sender order
 * and records each sender's src_id in @src. The number received, or -1
 * with a reason in @why.
 */
static int recv_sequences(const struct kdbus_conn *c, unsigned int senders,
			  unsigned int per_sender, __u64 *src, char *why,
			  size_t len)
{
	unsigned int next[16] = { 0 }, total = senders * per_sender, got = 0;
	__u64 deadline = kdbus_now_ns() + WAIT_MS * 1000000ULL;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct seq_payload p;
	struct kdbus_msg *m;
	int ret;

	if (senders > 16)
		return fail(why, len, "too many senders");
	while (got < total) {
		ret = recv_msg(c, 0, 0, &cmd, &m);
		if (ret == -EAGAIN) {
			if (kdbus_now_ns() > deadline)
				break;
			usleep(1000);
			continue;
		}
		if (ret < 0 || !m)
			return fail(why, len, "RECV: %d", ret);
		it = nth_item(m, 0);
		if (!it || it->type != KDBUS_ITEM_PAYLOAD_OFF ||
		    it->vec.size != sizeof(p))
			return fail(why, len, "message without payload");
		memcpy(&p, off_data(m, it), sizeof(p));
		if (p.sender >= senders || p.seq != next[p.sender] ||
		    m->cookie != seq_cookie(p.sender, p.seq))
			return fail(why, len,
				    "sender %u: seq %u (cookie %llx), expected seq %u",
				    p.sender, p.seq, m->cookie,
				    p.sender < senders ? next[p.sender] : 0);
		if (!src[p.sender])
			src[p.sender] = m->src_id;
		if (m->src_id != src[p.sender] || m->dst_id != c->id)
			return fail(why, len, "sender %u: src %llu dst %llu",
				    p.sender, m->src_id, m->dst_id);
		next[p.sender]++;
		got++;
		if (kdbus_free((struct kdbus_conn *)c, cmd.msg.offset) < 0)
			return fail(why, len, "FREE failed");
	}
	return got;
}

/* ------------------------------------------------------------------ */
/* fixture: a world-accessible bus, sender a and receiver b (ACCEPT_FD) */
/* ------------------------------------------------------------------ */

FIXTURE(msg) {
	struct kdbus_domain dom;
	int bus_fd;
	char bus[64];
	struct kdbus_conn a;
	struct kdbus_conn b;
};

FIXTURE_SETUP(msg)
{
	self->bus_fd = -1;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->bus_fd = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
					"msg", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->bus_fd);
	ASSERT_EQ(0, kdbus_conn_new(&self->a, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	ASSERT_EQ(0, kdbus_conn_new(&self->b, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	ASSERT_NE(self->a.id, self->b.id);
}

FIXTURE_TEARDOWN(msg)
{
	conn_drop(&self->b);
	conn_drop(&self->a);
	if (self->bus_fd >= 0)
		close(self->bus_fd);
	kdbus_domain_umount(&self->dom);
}

/* ------------------------------------------------------------------ */
/* SEND validation                                                     */
/* ------------------------------------------------------------------ */

/* kdbus_msg.size below 64 or above 8192 is EINVAL; 64 is fine */
TEST_F(msg, send_size_limits)
{
	static const __u64 small[] = { 0, 8, 56, 63 };
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	struct kdbus_cmd_recv cmd;
	unsigned int i;
	char byte = 'x';

	for (i = 0; i < ARRAY_SIZE(small); i++) {
		m->size = small[i];
		EXPECT_EQ(-EINVAL, send_msg(&self->a, m))
			TH_LOG("kdbus_msg.size %llu", small[i]);
	}
	/*
	 * 258 well-formed one-byte vectors: 64 + 258 * 32 = 8320 bytes. The
	 * size limit applies at copy-in, so EINVAL (not E2BIG for the item
	 * count).
	 */
	m->size = sizeof(*m);
	for (i = 0; i < 258; i++)
		add_vec(m, ADDR(&byte), 1);
	ASSERT_EQ(8320ULL, m->size);
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	EXPECT_EQ(0, drain(&self->b));

	/* a bare 64-byte header is a valid message */
	m->size = sizeof(*m);
	ASSERT_EQ(0, send_msg(&self->a, m));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(64ULL, r->size);
	EXPECT_EQ(64ULL, cmd.msg.msg_size);
	EXPECT_EQ(1ULL, r->cookie);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	kdbus_msg_release(m);
}

/* msg_address must be 8-byte aligned and readable */
TEST_F(msg, send_msg_address)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1);
	long page = sysconf(_SC_PAGESIZE);
	struct kdbus_msg *edge;
	__u8 *map;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));
	/* a header that is readable, its 32-byte item is not */
	edge = (struct kdbus_msg *)(map + page - sizeof(*edge));
	memcpy(edge, m, sizeof(*edge));
	edge->size = sizeof(*edge) + 32;

	EXPECT_EQ(-EFAULT, send_cmd(self->a.fd, 0, ADDR(m) + 1, NULL));
	EXPECT_EQ(-EFAULT, send_cmd(self->a.fd, 0, ADDR(m) + 4, NULL));
	EXPECT_EQ(-EFAULT, send_cmd(self->a.fd, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, send_cmd(self->a.fd, 0, ADDR(map + page), NULL));
	EXPECT_EQ(-EFAULT, send_cmd(self->a.fd, 0, KERNEL_ADDR, NULL));
	EXPECT_EQ(-EFAULT, send_cmd(self->a.fd, 0, ADDR(edge), NULL));
	EXPECT_EQ(0, drain(&self->b));

	EXPECT_EQ(0, send_msg(&self->a, m));
	EXPECT_EQ(1, drain(&self->b));
	munmap(map, 2 * page);
	kdbus_msg_release(m);
}

/* the kdbus_cmd_send argument itself: size, flags, items, alignment */
TEST_F(msg, send_cmd_validation)
{
	struct kdbus_cmd_send *cmd = kdbus_args_new(sizeof(*cmd));
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1);
	struct kdbus_vec v = { .size = 1, .address = ADDR(cmd) };

	cmd->msg_address = ADDR(m);

	cmd->size = sizeof(*cmd) - 8;
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, cmd));
	cmd->size = KDBUS_CMD_MAX_SIZE + 8;
	EXPECT_EQ(-EMSGSIZE, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, cmd));
	cmd->size = sizeof(*cmd);

	cmd->flags = 1ULL << 1;
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, cmd));
	cmd->flags = 1ULL << 62;
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, cmd));
	cmd->flags = 0;

	/* only CANCEL_FD and NEGOTIATE are accepted in the command items */
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "com.example.foo");
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, cmd));
	cmd->size = sizeof(*cmd);
	kdbus_args_add(cmd, KDBUS_ITEM_PAYLOAD_VEC, &v, sizeof(v));
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, cmd));
	cmd->size = sizeof(*cmd);

	EXPECT_EQ(-EFAULT, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND,
				       (__u8 *)cmd + 1));
	EXPECT_EQ(-EFAULT, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, NULL));
	EXPECT_EQ(0, drain(&self->b));

	EXPECT_EQ(0, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, cmd));
	EXPECT_EQ(1, drain(&self->b));
	kdbus_msg_release(m);
	kdbus_args_release(cmd);
}

TEST_F(msg, send_unknown_msg_flags)
{
	static const __u64 bad[] = { 1ULL << 3, 1ULL << 4, 1ULL << 32,
				     1ULL << 62, 1ULL << 63 };
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		m->flags = bad[i];
		EXPECT_EQ(-EINVAL, send_msg(&self->a, m))
			TH_LOG("msg flags %llx", bad[i]);
	}
	EXPECT_EQ(0, drain(&self->b));
	kdbus_msg_release(m);
}

/* only PAYLOAD_VEC, PAYLOAD_MEMFD, FDS, BLOOM_FILTER, DST_NAME (5.3) */
TEST_F(msg, send_item_type_not_allowed)
{
	struct kdbus_notify_id_change idc = { .id = self->b.id };
	struct kdbus_bloom_parameter bp = { .size = 64, .n_hash = 1 };
	struct kdbus_policy_access pa = {
		.type = KDBUS_POLICY_ACCESS_WORLD,
		.access = KDBUS_POLICY_TALK,
	};
	struct kdbus_vec off = { .size = 8, .offset = 0 };
	__u64 zero[16] = { 0 }, neg = KDBUS_ITEM_PAYLOAD_VEC;
	int efd = eventfd(0, EFD_CLOEXEC);
	const struct {
		__u64 type;
		const void *payload;
		size_t len;
	} cases[] = {
		{ _KDBUS_ITEM_NULL, zero, 8 },
		{ KDBUS_ITEM_NEGOTIATE, &neg, sizeof(neg) },
		{ KDBUS_ITEM_PAYLOAD_OFF, &off, sizeof(off) },
		{ KDBUS_ITEM_CANCEL_FD, &efd, sizeof(efd) },
		{ KDBUS_ITEM_BLOOM_PARAMETER, &bp, sizeof(bp) },
		{ KDBUS_ITEM_BLOOM_MASK, zero, 64 },
		{ KDBUS_ITEM_MAKE_NAME, "0-foo", 6 },
		{ KDBUS_ITEM_ATTACH_FLAGS_SEND, zero, 8 },
		{ KDBUS_ITEM_ATTACH_FLAGS_RECV, zero, 8 },
		{ KDBUS_ITEM_ID, &self->b.id, 8 },
		{ KDBUS_ITEM_NAME, "com.example.foo", 16 },
		{ KDBUS_ITEM_TIMESTAMP, zero, 24 },
		{ KDBUS_ITEM_CREDS, zero, 64 },
		{ KDBUS_ITEM_CONN_DESCRIPTION, "desc", 5 },
		{ KDBUS_ITEM_POLICY_ACCESS, &pa, sizeof(pa) },
		{ KDBUS_ITEM_ID_ADD, &idc, sizeof(idc) },
		{ KDBUS_ITEM_REPLY_TIMEOUT, NULL, 0 },
		{ 0x7777, zero, 8 },
	};
	struct kdbus_msg *m;
	unsigned int i;
	char byte = 'v';

	ASSERT_LE(0, efd);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		m = kdbus_msg_new(self->b.id, i + 1);
		add_vec(m, ADDR(&byte), 1);
		kdbus_args_add(m, cases[i].type, cases[i].payload, cases[i].len);
		EXPECT_EQ(-EINVAL, send_msg(&self->a, m))
			TH_LOG("item type %#llx in a message", cases[i].type);
		kdbus_msg_release(m);
	}
	EXPECT_EQ(0, drain(&self->b));
	close(efd);
}

/* item tiling (2.3) and per-type payload checks (2.4) inside messages */
TEST_F(msg, send_malformed_items)
{
	int memfd = memfd_new(64, 0, ALL_SEALS);
	struct kdbus_memfd mf = { .start = 0, .size = 0, .fd = memfd };
	struct kdbus_vec v = { .size = 1 }, v0 = { .size = 0 };
	__u8 zero[64] = { 0 };
	struct kdbus_msg *m;
	unsigned int i;
	char byte = 'm';

	ASSERT_LE(0, memfd);
	v.address = ADDR(&byte);
	v0.address = ADDR(&byte);
	for (i = 0; ; i++) {
		const char *what = NULL;

		m = kdbus_msg_new(self->b.id, i + 1);
		switch (i) {
		case 0:
			what = "item size 0";
			add_raw(m, KDBUS_ITEM_PAYLOAD_VEC, 0, NULL, 0);
			break;
		case 1:
			what = "item size 8";
			add_raw(m, KDBUS_ITEM_PAYLOAD_VEC, 8, NULL, 0);
			break;
		case 2:
			what = "item ends beyond the message";
			add_raw(m, KDBUS_ITEM_PAYLOAD_VEC, 32, &v, sizeof(v));
			m->size -= 8;
			break;
		case 3:
			what = "8 stray bytes after the last item";
			add_raw(m, KDBUS_ITEM_PAYLOAD_VEC, 32, &v, sizeof(v));
			m->size += 8;
			break;
		case 4:
			what = "trailing partial item header";
			add_raw(m, KDBUS_ITEM_PAYLOAD_VEC, 32, &v, sizeof(v));
			m->size += 4;
			break;
		case 5:
			what = "PAYLOAD_VEC payload of 8 bytes";
			add_raw(m, KDBUS_ITEM_PAYLOAD_VEC, 24, &v, 8);
			break;
		case 6:
			what = "PAYLOAD_VEC payload of 24 bytes";
			add_raw(m, KDBUS_ITEM_PAYLOAD_VEC, 40, &v, sizeof(v));
			break;
		case 7:
			what = "PAYLOAD_VEC of size 0";
			add_raw(m, KDBUS_ITEM_PAYLOAD_VEC, 32, &v0, sizeof(v0));
			break;
		case 8:
			what = "PAYLOAD_MEMFD payload of 16 bytes";
			mf.size = 8;
			add_raw(m, KDBUS_ITEM_PAYLOAD_MEMFD, 32, &mf, 16);
			break;
		case 9:
			what = "PAYLOAD_MEMFD of size 0";
			mf.size = 0;
			add_raw(m, KDBUS_ITEM_PAYLOAD_MEMFD, 40, &mf, sizeof(mf));
			break;
		case 10:
			what = "FDS payload of 6 bytes";
			add_raw(m, KDBUS_ITEM_FDS, 22, zero, 6);
			break;
		case 11:
			what = "DST_NAME without NUL";
			add_raw(m, KDBUS_ITEM_DST_NAME, 16 + 7, "foo.bar", 7);
			break;
		case 12:
			what = "DST_NAME size including padding";
			add_raw(m, KDBUS_ITEM_DST_NAME, 24, "a.b\0\0\0\0", 8);
			break;
		case 13:
			what = "DST_NAME with an embedded NUL";
			add_raw(m, KDBUS_ITEM_DST_NAME, 24, "a.b\0c.d", 8);
			break;
		case 14:
			what = "DST_NAME without payload";
			add_raw(m, KDBUS_ITEM_DST_NAME, 16, NULL, 0);
			break;
		case 15:
			what = "BLOOM_FILTER payload of 4 bytes (signal)";
			m->flags = KDBUS_MSG_SIGNAL;
			add_raw(m, KDBUS_ITEM_BLOOM_FILTER, 20, zero, 4);
			break;
		default:
			break;
		}
		if (!what) {
			kdbus_msg_release(m);
			break;
		}
		EXPECT_EQ(-EINVAL, send_msg(&self->a, m)) TH_LOG("%s", what);
		kdbus_msg_release(m);
	}
	EXPECT_EQ(0, drain(&self->b));
	close(memfd);
}

/* payload_type 0 is reserved for the kernel; any other value is kept */
TEST_F(msg, send_payload_type)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	struct kdbus_cmd_recv cmd;

	m->payload_type = KDBUS_PAYLOAD_KERNEL;
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	EXPECT_EQ(0, drain(&self->b));

	m->payload_type = 1;
	ASSERT_EQ(0, send_msg(&self->a, m));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1ULL, r->payload_type);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	kdbus_msg_release(m);
}

/* src_id must be 0 or the sender's own id; the kernel fills it in */
TEST_F(msg, send_src_id)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	struct kdbus_cmd_recv cmd;

	m->src_id = self->b.id;
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	m->src_id = self->a.id + self->b.id + 100;
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	m->src_id = ~0ULL;
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	EXPECT_EQ(0, drain(&self->b));

	m->src_id = self->a.id;
	m->cookie = 2;
	ASSERT_EQ(0, send_msg(&self->a, m));
	m->src_id = 0;
	m->cookie = 3;
	ASSERT_EQ(0, send_msg(&self->a, m));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(2ULL, r->cookie);
	EXPECT_EQ(self->a.id, r->src_id);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(3ULL, r->cookie);
	EXPECT_EQ(self->a.id, r->src_id);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	kdbus_msg_release(m);
}

/* flag combinations that are invalid for any message (3.13) */
TEST_F(msg, send_reply_flag_rules)
{
	__u8 bloom[KDBUS_BUS_BLOOM_MAX_SIZE] = { 0 };
	__u64 deadline = kdbus_now_ns() + 10ULL * 1000000000ULL;
	struct kdbus_msg *m;

	ASSERT_EQ(64ULL, self->a.bloom_size);

	/* EXPECT_REPLY without a timeout */
	m = kdbus_msg_new(self->b.id, 1);
	m->flags = KDBUS_MSG_EXPECT_REPLY;
	m->timeout_ns = 0;
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	kdbus_msg_release(m);

	/* EXPECT_REPLY without a cookie */
	m = kdbus_msg_new(self->b.id, 0);
	m->flags = KDBUS_MSG_EXPECT_REPLY;
	m->timeout_ns = deadline;
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	kdbus_msg_release(m);

	/* EXPECT_REPLY | SIGNAL (with the bloom filter a signal needs) */
	m = kdbus_msg_new(self->b.id, 1);
	m->flags = KDBUS_MSG_EXPECT_REPLY | KDBUS_MSG_SIGNAL;
	m->timeout_ns = deadline;
	kdbus_msg_add_bloom(m, 0, bloom, self->a.bloom_size);
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	kdbus_msg_release(m);

	/* a reply (cookie_reply != 0) that is a signal */
	m = kdbus_msg_new(self->b.id, 1);
	m->flags = KDBUS_MSG_SIGNAL;
	m->cookie_reply = 5;
	kdbus_msg_add_bloom(m, 0, bloom, self->a.bloom_size);
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	kdbus_msg_release(m);

	/* SYNC_REPLY without EXPECT_REPLY */
	m = kdbus_msg_new(self->b.id, 1);
	EXPECT_EQ(-EINVAL, send_cmd(self->a.fd, KDBUS_SEND_SYNC_REPLY,
				    ADDR(m), NULL));
	kdbus_msg_release(m);

	EXPECT_EQ(0, drain(&self->b));
}

/* at most 128 items: 128 one-byte vectors arrive in order */
TEST_F(msg, send_max_items)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	char why[256] = "";
	__u8 bytes[129];
	unsigned int i;

	for (i = 0; i < 129; i++) {
		bytes[i] = (__u8)(i + 1);
		add_vec(m, ADDR(&bytes[i]), 1);
	}
	EXPECT_EQ(-E2BIG, send_msg(&self->a, m));
	EXPECT_EQ(0, drain(&self->b));

	m->size -= 32;
	ASSERT_EQ(0, send_msg(&self->a, m));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, slice_check(&self->b, &cmd, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_EQ(64ULL + 128 * 32, r->size);
	EXPECT_EQ(KDBUS_ALIGN8(64ULL + 128 * 32 + 128), cmd.msg.msg_size);
	EXPECT_EQ(128U, item_count(r));
	for (i = 0; i < 128; i++) {
		it = nth_item(r, i);
		ASSERT_NE(NULL, it);
		EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, it->type);
		EXPECT_EQ(1ULL, it->vec.size);
		EXPECT_EQ(r->size + i, it->vec.offset);
		EXPECT_EQ(bytes[i], *(const __u8 *)off_data(r, it));
	}
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	kdbus_msg_release(m);
}

/* at most 16 memfd items (E2BIG); 16 arrive as 16 working fds */
TEST_F(msg, send_max_memfds)
{
	int memfd = memfd_new(256, 5, ALL_SEALS), fds[16];
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	unsigned int i, j, n = 0;
	__u8 buf[256];

	ASSERT_LE(0, memfd);
	for (i = 0; i < 17; i++)
		kdbus_msg_add_memfd(m, memfd, 0, 256);
	EXPECT_EQ(-E2BIG, send_msg(&self->a, m));
	for (; i < 129; i++)
		kdbus_msg_add_memfd(m, memfd, 0, 256);
	EXPECT_EQ(-E2BIG, send_msg(&self->a, m));
	EXPECT_EQ(0, drain(&self->b));
	kdbus_msg_release(m);

	m = kdbus_msg_new(self->b.id, 2);
	for (i = 0; i < 16; i++)
		kdbus_msg_add_memfd(m, memfd, i, 256 - i);
	ASSERT_EQ(0, send_msg(&self->a, m));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(64ULL + 16 * 40, r->size);
	KDBUS_ITEM_FOREACH(it, r, items) {
		if (it->type != KDBUS_ITEM_PAYLOAD_MEMFD || n >= 16)
			continue;
		EXPECT_EQ((__u64)n, it->memfd.start);
		EXPECT_EQ(256ULL - n, it->memfd.size);
		fds[n] = it->memfd.fd;
		ASSERT_LE(0, fds[n]);
		for (j = 0; j < n; j++)
			EXPECT_NE(fds[j], fds[n]);
		EXPECT_EQ(256, pread(fds[n], buf, sizeof(buf), 0));
		EXPECT_TRUE(check_pattern(buf, sizeof(buf), 5));
		n++;
	}
	EXPECT_EQ(16U, n);
	close_msg_fds(r);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	kdbus_msg_release(m);
	close(memfd);
}

/* the vector sizes of a message add up to at most 2 MiB */
TEST_F(msg, send_vec_size_limit)
{
	struct kdbus_msg *m, *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	char why[256] = "";
	__u8 *buf = malloc(SZ_2M + 8);

	ASSERT_NE(NULL, buf);
	fill_pattern(buf, SZ_2M + 8, 9);

	/* exactly 2 MiB in one vector */
	m = kdbus_msg_new(self->b.id, 1);
	add_vec(m, ADDR(buf), SZ_2M);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, slice_check(&self->b, &cmd, why, sizeof(why)))
		TH_LOG("%s", why);
	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(SZ_2M, it->vec.size);
	EXPECT_EQ(96ULL, it->vec.offset);
	EXPECT_EQ(96ULL + SZ_2M, cmd.msg.msg_size);
	EXPECT_EQ(0, memcmp(off_data(r, it), buf, SZ_2M));
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));

	/* exactly 2 MiB in two vectors */
	m = kdbus_msg_new(self->b.id, 2);
	add_vec(m, ADDR(buf), SZ_1M);
	add_vec(m, ADDR(buf + SZ_1M), SZ_1M);
	EXPECT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	EXPECT_EQ(1, drain(&self->b));

	/* one byte more */
	m = kdbus_msg_new(self->b.id, 3);
	add_vec(m, ADDR(buf), SZ_2M);
	add_vec(m, ADDR(buf), 1);
	EXPECT_EQ(-EMSGSIZE, send_msg(&self->a, m));
	kdbus_msg_release(m);

	/* null vectors count too */
	m = kdbus_msg_new(self->b.id, 4);
	add_vec(m, ADDR(buf), SZ_2M);
	add_vec(m, 0, 8);
	EXPECT_EQ(-EMSGSIZE, send_msg(&self->a, m));
	kdbus_msg_release(m);
	m = kdbus_msg_new(self->b.id, 5);
	add_vec(m, 0, SZ_2M + 1);
	EXPECT_EQ(-EMSGSIZE, send_msg(&self->a, m));
	kdbus_msg_release(m);

	/* sizes whose sum wraps around */
	m = kdbus_msg_new(self->b.id, 6);
	add_vec(m, ADDR(buf), 1ULL << 63);
	add_vec(m, ADDR(buf), 1ULL << 63);
	EXPECT_EQ(-EMSGSIZE, send_msg(&self->a, m));
	kdbus_msg_release(m);
	m = kdbus_msg_new(self->b.id, 7);
	add_vec(m, ADDR(buf), 8);
	add_vec(m, ADDR(buf), ~0ULL);
	EXPECT_EQ(-EMSGSIZE, send_msg(&self->a, m));
	kdbus_msg_release(m);

	EXPECT_EQ(0, drain(&self->b));
	free(buf);
}

/* vector addresses outside user space or unreadable: EFAULT, no message */
TEST_F(msg, send_bad_vec_address)
{
	long page = sysconf(_SC_PAGESIZE);
	struct kdbus_msg *m, *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	static const struct {
		__u64 address;
		__u64 size;
		const char *what;
	} cases[] = {
		{ KERNEL_ADDR, 8, "kernel address" },
		{ 8, 8, "page 0" },
		{ 0, 8, "PROT_NONE page" },	/* address filled in below */
		{ 0, 8, "range running into a PROT_NONE page" },
	};
	char good[] = "good";
	unsigned int i, j;
	__u64 addr;
	__u8 *map;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		addr = cases[i].address;
		if (i == 2)
			addr = ADDR(map + page);
		else if (i == 3)
			addr = ADDR(map + page - 4);
		/* alone, and after a good vector */
		for (j = 0; j < 2; j++) {
			m = kdbus_msg_new(self->b.id, i + 1);
			if (j)
				add_vec(m, ADDR(good), sizeof(good));
			add_vec(m, addr, cases[i].size);
			EXPECT_EQ(-EFAULT, send_msg(&self->a, m))
				TH_LOG("%s (after a good vector: %u)",
				       cases[i].what, j);
			kdbus_msg_release(m);
		}
	}
	EXPECT_EQ(0, drain(&self->b));

	/* the queue and the quota are intact: a good message goes through */
	ASSERT_EQ(0, send_data(&self->a, self->b.id, 99, good, sizeof(good)));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(99ULL, r->cookie);
	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(sizeof(good), it->vec.size);
	EXPECT_EQ(0, memcmp(off_data(r, it), good, sizeof(good)));
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	EXPECT_EQ(0, drain(&self->b));
	munmap(map, 2 * page);
}

/* FDS: bad fds, forbidden files, count limits, duplicate items */
struct fds_case {
	int fds[2];
	unsigned int n;
	int err;
	const char *what;
};

TEST_F(msg, send_fds_errors)
{
	int p[2], sp[2], dg, ctl, ep, closed, i, many[17], one[1];
	struct kdbus_msg *m, *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
	dg = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, dg);
	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	ep = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ep);
	closed = dup(p[0]);
	ASSERT_LE(0, closed);
	close(closed);

	{
		const struct fds_case cases[] = {
			{ { -1 }, 1, -EBADF, "fd -1" },
			{ { closed }, 1, -EBADF, "closed fd" },
			{ { p[1], -1 }, 2, -EBADF, "good fd, then -1" },
			{ { INT_MAX }, 1, -EBADF, "fd INT_MAX" },
			{ { self->a.fd }, 1, -EOPNOTSUPP, "own connection" },
			{ { self->b.fd }, 1, -EOPNOTSUPP, "receiver's connection" },
			{ { self->bus_fd }, 1, -EOPNOTSUPP, "bus owner handle" },
			{ { ctl }, 1, -EOPNOTSUPP, "control handle" },
			{ { ep }, 1, -EOPNOTSUPP, "unconnected endpoint handle" },
			{ { p[1], ep }, 2, -EOPNOTSUPP, "pipe, then kdbus handle" },
			{ { sp[0] }, 1, -EOPNOTSUPP, "AF_UNIX stream socket" },
			{ { dg }, 1, -EOPNOTSUPP, "AF_UNIX datagram socket" },
		};

		for (i = 0; i < (int)ARRAY_SIZE(cases); i++) {
			m = kdbus_msg_new(self->b.id, i + 1);
			kdbus_msg_add_fds(m, cases[i].fds, cases[i].n);
			EXPECT_EQ(cases[i].err, send_msg(&self->a, m))
				TH_LOG("%s", cases[i].what);
			kdbus_msg_release(m);
		}
	}

	/* 17 fds in one message */
	for (i = 0; i < 17; i++)
		many[i] = p[1];
	m = kdbus_msg_new(self->b.id, 100);
	kdbus_msg_add_fds(m, many, 17);
	EXPECT_EQ(-EMFILE, send_msg(&self->a, m));
	kdbus_msg_release(m);

	/* two FDS items */
	one[0] = p[1];
	m = kdbus_msg_new(self->b.id, 101);
	kdbus_msg_add_fds(m, one, 1);
	kdbus_msg_add_fds(m, one, 1);
	EXPECT_EQ(-EEXIST, send_msg(&self->a, m));
	kdbus_msg_release(m);
	EXPECT_EQ(0, drain(&self->b));

	/* 16 fds are fine and arrive as 16 working fds */
	m = kdbus_msg_new(self->b.id, 102);
	kdbus_msg_add_fds(m, many, 16);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	it = kdbus_msg_find(r, KDBUS_ITEM_FDS);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(16ULL + 16 * 4, it->size);
	for (i = 0; i < 16 && i < (int)fds_count(it); i++) {
		EXPECT_LE(0, it->fds[i]);
		EXPECT_TRUE(kdbus_fd_cloexec(it->fds[i]));
		EXPECT_EQ(1, write(it->fds[i], "z", 1));
	}
	close_msg_fds(r);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));

	close(ep);
	close(ctl);
	close(dg);
	close(sp[0]);
	close(sp[1]);
	close(p[0]);
	close(p[1]);
}

/* without ACCEPT_FD: FDS are refused (ECOMM), memfds arrive as fd -1 */
TEST_F(msg, send_fds_no_accept_fd)
{
	struct kdbus_conn c = { 0 };
	struct kdbus_msg *m, *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	char why[256] = "";
	int p[2], memfd;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	memfd = memfd_new(1001, 4, ALL_SEALS);
	ASSERT_LE(0, memfd);

	m = kdbus_msg_new(c.id, 1);
	kdbus_msg_add_fds(m, &p[1], 1);
	EXPECT_EQ(-ECOMM, send_msg(&self->a, m));
	m->dst_id = c.id;
	EXPECT_EQ(-ECOMM, send_msg(&c, m));	/* to itself */
	kdbus_msg_release(m);
	EXPECT_EQ(0, drain(&c));

	/* sending fds only needs the receiver's ACCEPT_FD */
	m = kdbus_msg_new(self->b.id, 2);
	kdbus_msg_add_fds(m, &p[1], 1);
	EXPECT_EQ(0, send_msg(&c, m));
	kdbus_msg_release(m);
	EXPECT_EQ(1, drain(&self->b));

	m = kdbus_msg_new(c.id, 3);
	kdbus_msg_add_memfd(m, memfd, 0, 1001);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	ASSERT_EQ(0, recv_msg(&c, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, slice_check(&c, &cmd, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_EQ(3ULL, r->cookie);
	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_MEMFD, it->type);
	EXPECT_EQ(-1, it->memfd.fd);
	EXPECT_EQ(0ULL, it->memfd.start);
	EXPECT_EQ(1001ULL, it->memfd.size);
	EXPECT_EQ(KDBUS_ALIGN8(104ULL + 1), cmd.msg.msg_size);
	EXPECT_EQ(0, kdbus_free(&c, cmd.msg.offset));

	close(memfd);
	close(p[0]);
	close(p[1]);
	conn_drop(&c);
}

/* PAYLOAD_MEMFD: file kind, seals, range (3.13, 6.4) */
struct memfd_case {
	int fd;
	__u64 start, size;
	int err;
	const char *what;
};

TEST_F(msg, send_memfd_errors)
{
	int sealed, unsealed, nosealing, no_seal, no_write, efd, p[2], closed;
	struct kdbus_msg *m;
	unsigned int i;

	sealed = memfd_new(4096, 7, ALL_SEALS);
	unsealed = memfd_new(4096, 7, 0);
	no_seal = memfd_new(4096, 7, ALL_SEALS & ~F_SEAL_SEAL);
	no_write = memfd_new(4096, 7, ALL_SEALS & ~F_SEAL_WRITE);
	nosealing = memfd_create("kdbus-nosealing", MFD_CLOEXEC);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, sealed);
	ASSERT_LE(0, unsealed);
	ASSERT_LE(0, no_seal);
	ASSERT_LE(0, no_write);
	ASSERT_LE(0, nosealing);
	ASSERT_EQ(0, ftruncate(nosealing, 4096));
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	closed = dup(p[0]);
	ASSERT_LE(0, closed);
	close(closed);

	{
		const struct memfd_case cases[] = {
			{ p[0], 0, 8, -EMEDIUMTYPE, "pipe" },
			{ efd, 0, 8, -EMEDIUMTYPE, "eventfd" },
			{ self->a.fd, 0, 8, -EMEDIUMTYPE, "kdbus handle" },
			{ unsealed, 0, 8, -ETXTBSY, "memfd without seals" },
			{ nosealing, 0, 8, -ETXTBSY,
			  "memfd without MFD_ALLOW_SEALING" },
			{ no_seal, 0, 8, -ETXTBSY, "memfd lacking F_SEAL_SEAL" },
			{ no_write, 0, 8, -ETXTBSY, "memfd lacking F_SEAL_WRITE" },
			{ sealed, 0, 4097, -EBADF, "size beyond the file" },
			{ sealed, 4000, 97, -EBADF, "range beyond the file" },
			{ sealed, 4096, 1, -EBADF, "start at the end" },
			{ sealed, ~0ULL - 7, 16, -EMSGSIZE, "start + size wraps" },
			{ -1, 0, 8, -EBADF, "fd -1" },
			{ closed, 0, 8, -EBADF, "closed fd" },
		};

		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			m = kdbus_msg_new(self->b.id, i + 1);
			kdbus_msg_add_memfd(m, cases[i].fd, cases[i].start,
					    cases[i].size);
			EXPECT_EQ(cases[i].err, send_msg(&self->a, m))
				TH_LOG("%s", cases[i].what);
			kdbus_msg_release(m);
		}
	}
	EXPECT_EQ(0, drain(&self->b));

	/* the last byte and the whole file are fine */
	m = kdbus_msg_new(self->b.id, 50);
	kdbus_msg_add_memfd(m, sealed, 4095, 1);
	kdbus_msg_add_memfd(m, sealed, 0, 4096);
	EXPECT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	EXPECT_EQ(1, drain(&self->b));

	close(p[0]);
	close(p[1]);
	close(efd);
	close(nosealing);
	close(no_write);
	close(no_seal);
	close(unsealed);
	close(sealed);
}

/* BLOOM_FILTER only with SIGNAL, SIGNAL only with it, broadcasts signal */
TEST_F(msg, send_signal_rules)
{
	__u8 bloom[KDBUS_BUS_BLOOM_MAX_SIZE] = { 0 };
	struct kdbus_msg *m;

	ASSERT_EQ(64ULL, self->a.bloom_size);

	m = kdbus_msg_new(self->b.id, 1);
	kdbus_msg_add_bloom(m, 0, bloom, self->a.bloom_size);
	EXPECT_EQ(-EBADMSG, send_msg(&self->a, m));
	kdbus_msg_release(m);

	m = kdbus_msg_new(self->b.id, 2);
	m->flags = KDBUS_MSG_SIGNAL;
	EXPECT_EQ(-EBADMSG, send_msg(&self->a, m));
	kdbus_msg_release(m);

	m = kdbus_msg_new(KDBUS_DST_ID_BROADCAST, 3);
	EXPECT_EQ(-EBADMSG, send_msg(&self->a, m));
	kdbus_msg_add_bloom(m, 0, bloom, self->a.bloom_size);
	EXPECT_EQ(-EBADMSG, send_msg(&self->a, m));
	kdbus_msg_release(m);

	EXPECT_EQ(0, drain(&self->b));
}

/* destinations: missing, invalid and unknown names, unknown ids */
TEST_F(msg, send_addressing)
{
	static const char * const invalid[] = {
		"foo", ".foo.bar", "foo..bar", "foo.", "foo.1a", "foo.b@r",
		"foo.bar.*", "foo bar.baz", "",
	};
	char longname[300];
	struct kdbus_msg *m;
	unsigned int i;

	m = kdbus_msg_new(KDBUS_DST_ID_NAME, 1);
	EXPECT_EQ(-EDESTADDRREQ, send_msg(&self->a, m));
	kdbus_msg_release(m);

	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		m = kdbus_msg_new(KDBUS_DST_ID_NAME, 2);
		kdbus_msg_add_dst_name(m, invalid[i]);
		EXPECT_EQ(-EINVAL, send_msg(&self->a, m))
			TH_LOG("DST_NAME \"%s\"", invalid[i]);
		kdbus_msg_release(m);
	}

	/* 256 characters is one too many; 255 is valid but unknown */
	memset(longname, 'b', sizeof(longname));
	memcpy(longname, "a.", 2);
	longname[256] = '\0';
	m = kdbus_msg_new(KDBUS_DST_ID_NAME, 3);
	kdbus_msg_add_dst_name(m, longname);
	EXPECT_EQ(-EINVAL, send_msg(&self->a, m));
	kdbus_msg_release(m);
	longname[255] = '\0';
	m = kdbus_msg_new(KDBUS_DST_ID_NAME, 4);
	kdbus_msg_add_dst_name(m, longname);
	EXPECT_EQ(-ESRCH, send_msg(&self->a, m));
	kdbus_msg_release(m);

	/* valid names nobody owns */
	m = kdbus_msg_new(KDBUS_DST_ID_NAME, 5);
	kdbus_msg_add_dst_name(m, "com.example.nobody");
	EXPECT_EQ(-ESRCH, send_msg(&self->a, m));
	m->dst_id = self->b.id;
	EXPECT_EQ(-ESRCH, send_msg(&self->a, m));
	kdbus_msg_add_dst_name(m, "com.example.other");
	EXPECT_EQ(-EEXIST, send_msg(&self->a, m));
	kdbus_msg_release(m);

	/* ids nobody has */
	EXPECT_EQ(-ENXIO, send_data(&self->a, self->b.id + 1000, 6, NULL, 0));
	EXPECT_EQ(-ENXIO, send_data(&self->a, 0x7fffffffffffffffULL, 7,
				    NULL, 0));
	EXPECT_EQ(-ENXIO, send_data(&self->a, ~0ULL - 1, 8, NULL, 0));

	EXPECT_EQ(0, drain(&self->b));
	EXPECT_EQ(0, drain(&self->a));
}

/*
 * Dead peers are not addressable (ENXIO), a dead connection cannot send
 * or receive (ECONNRESET), and what a peer sent before it died is kept.
 */
TEST_F(msg, send_dead_peer)
{
	struct kdbus_conn c = { 0 }, d = { 0 };
	struct kdbus_msg *r;
	struct kdbus_cmd_recv cmd;
	__u64 id;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&d, &self->dom, self->bus, NULL, 0));

	/* c sends to b, then goes away */
	ASSERT_EQ(0, send_data(&c, self->b.id, 1, "bye", 4));
	id = c.id;
	conn_drop(&c);
	EXPECT_EQ(-ENXIO, send_data(&self->a, id, 2, NULL, 0));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(id, r->src_id);
	EXPECT_EQ(1ULL, r->cookie);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));

	/* d says BYEBYE */
	ASSERT_EQ(0, kdbus_byebye(&d));
	EXPECT_EQ(-ENXIO, send_data(&self->a, d.id, 3, NULL, 0));
	EXPECT_EQ(-ECONNRESET, send_data(&d, self->b.id, 4, NULL, 0));
	EXPECT_EQ(-ECONNRESET, recv_msg(&d, 0, 0, &cmd, NULL));
	conn_drop(&d);

	EXPECT_EQ(0, drain(&self->b));
}

/* monitors cannot send and are not addressable (4.1) */
TEST_F(msg, send_monitor)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1);
	struct kdbus_conn mon = { 0 };

	ASSERT_EQ(0, kdbus_conn_new(&mon, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));
	EXPECT_EQ(-EOPNOTSUPP, send_msg(&mon, m));
	/* checked before the argument is parsed */
	EXPECT_EQ(-EOPNOTSUPP, send_cmd(mon.fd, 0, 0, NULL));
	EXPECT_EQ(-ENXIO, send_data(&self->a, mon.id, 2, NULL, 0));
	EXPECT_EQ(0, drain(&self->b));
	conn_drop(&mon);
	kdbus_msg_release(m);
}

/* activators cannot send and are not addressable by id (4.1) */
TEST_F(msg, send_activator)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1);
	__u64 id = 0;
	int fd;

	fd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hello_raw(fd, KDBUS_HELLO_ACTIVATOR,
			       "com.example.activator", &id));
	EXPECT_EQ(-EOPNOTSUPP, send_cmd(fd, 0, ADDR(m), NULL));
	EXPECT_EQ(-EOPNOTSUPP, send_cmd(fd, 0, 0, NULL));
	EXPECT_EQ(-ENXIO, send_data(&self->a, id, 2, NULL, 0));
	EXPECT_EQ(0, drain(&self->b));
	close(fd);
	kdbus_msg_release(m);
}

/* ------------------------------------------------------------------ */
/* layout of received messages (5.10)                                 */
/* ------------------------------------------------------------------ */

/* the header as sent, src_id filled in, one PAYLOAD_OFF, the reply field */
TEST_F(msg, recv_header_fields)
{
	static const char data[] = "hello, kdbus";	/* 13 bytes */
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 0x1122334455667788ULL);
	struct kdbus_msg_info reply;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	char why[256] = "";
	struct kdbus_msg *r;

	m->flags = KDBUS_MSG_NO_AUTO_START;
	m->priority = -7;
	m->payload_type = 0x0102030405060708ULL;
	add_vec(m, ADDR(data), sizeof(data));
	ASSERT_EQ(0, send_cmd(self->a.fd, 0, ADDR(m), &reply));
	/* an asynchronous send reports the empty slice of the sender */
	EXPECT_EQ(self->a.pool_size, reply.offset);
	EXPECT_EQ(0ULL, reply.msg_size);
	EXPECT_EQ(0ULL, reply.return_flags);
	/* the sender's message is not written to */
	EXPECT_EQ(0ULL, m->src_id);
	EXPECT_EQ(96ULL, m->size);

	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0ULL, cmd.return_flags);
	EXPECT_EQ(0ULL, cmd.dropped_msgs);
	EXPECT_EQ(0ULL, cmd.msg.return_flags);
	EXPECT_EQ(0, slice_check(&self->b, &cmd, why, sizeof(why)))
		TH_LOG("%s", why);

	EXPECT_EQ(96ULL, r->size);
	EXPECT_EQ(112ULL, cmd.msg.msg_size);
	EXPECT_EQ((__u64)KDBUS_MSG_NO_AUTO_START, r->flags);
	EXPECT_EQ(-7, r->priority);
	EXPECT_EQ(self->b.id, r->dst_id);
	EXPECT_EQ(self->a.id, r->src_id);
	EXPECT_EQ(0x0102030405060708ULL, r->payload_type);
	EXPECT_EQ(0x1122334455667788ULL, r->cookie);
	EXPECT_EQ(0ULL, r->cookie_reply);
	EXPECT_EQ(1U, item_count(r));
	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, it->type);
	EXPECT_EQ(32ULL, it->size);
	EXPECT_EQ(sizeof(data), it->vec.size);
	EXPECT_EQ(96ULL, it->vec.offset);
	EXPECT_EQ(0, memcmp(off_data(r, it), data, sizeof(data)));
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	kdbus_msg_release(m);
}

/* cookies are carried unchanged, whatever their value */
TEST_F(msg, recv_cookies)
{
	static const __u64 cookies[] = { 0, 1, 0x8000000000000000ULL, ~0ULL,
					 42 };
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cookies); i++)
		ASSERT_EQ(0, send_data(&self->a, self->b.id, cookies[i],
				       NULL, 0));
	for (i = 0; i < ARRAY_SIZE(cookies); i++) {
		ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
		ASSERT_NE(NULL, r);
		EXPECT_EQ(cookies[i], r->cookie);
		EXPECT_EQ(0ULL, r->cookie_reply);
		EXPECT_EQ(64ULL, r->size);
		EXPECT_EQ(64ULL, cmd.msg.msg_size);
		EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	}
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, 0, 0, &cmd, NULL));
}

/* the worked example of contract 5.10: vectors of 131075, null 5, 13 */
TEST_F(msg, recv_layout_example)
{
	static const char tail[13] = "thirteen byte";
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	char why[256] = "";
	const __u8 *base;
	__u8 *big = malloc(131075);

	ASSERT_NE(NULL, big);
	fill_pattern(big, 131075, 11);
	add_vec(m, ADDR(big), 131075);
	add_vec(m, 0, 5);
	add_vec(m, ADDR(tail), sizeof(tail));
	ASSERT_EQ(0, send_msg(&self->a, m));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	base = (const __u8 *)r;
	EXPECT_EQ(0, slice_check(&self->b, &cmd, why, sizeof(why)))
		TH_LOG("%s", why);

	EXPECT_EQ(160ULL, r->size);
	EXPECT_EQ(131256ULL, cmd.msg.msg_size);
	EXPECT_EQ(3U, item_count(r));
	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, it->type);
	EXPECT_EQ(131075ULL, it->vec.size);
	EXPECT_EQ(160ULL, it->vec.offset);
	it = nth_item(r, 1);
	ASSERT_NE(NULL, it);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, it->type);
	EXPECT_EQ(5ULL, it->vec.size);
	EXPECT_EQ(NULL_VEC_OFFSET, it->vec.offset);
	it = nth_item(r, 2);
	ASSERT_NE(NULL, it);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, it->type);
	EXPECT_EQ(13ULL, it->vec.size);
	EXPECT_EQ(131240ULL, it->vec.offset);

	EXPECT_TRUE(check_pattern(base + 160, 131075, 11));
	EXPECT_TRUE(all_zero(base + 160 + 131075, 5));
	EXPECT_EQ(0, memcmp(base + 131240, tail, sizeof(tail)));
	EXPECT_TRUE(all_zero(base + 131253, 3));
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	free(big);
	kdbus_msg_release(m);
}

/* null vectors store size % 8 zero bytes and report offset ~0 */
TEST_F(msg, recv_layout_null_vectors)
{
	static const struct {
		unsigned int n;
		struct {
			const char *data;	/* NULL: a null vector */
			__u64 size;
			__u64 offset;		/* expected */
		} v[3];
		__u64 size, msg_size;
	} cases[] = {
		{ 2, { { NULL, 3, NULL_VEC_OFFSET }, { "xyz", 3, 131 } },
		  128, 136 },
		{ 3, { { "abc", 3, 160 }, { NULL, 16, NULL_VEC_OFFSET },
		       { "de", 2, 163 } }, 160, 168 },
		{ 1, { { NULL, 8, NULL_VEC_OFFSET } }, 96, 96 },
		{ 1, { { NULL, 7, NULL_VEC_OFFSET } }, 96, 104 },
		{ 3, { { "a", 1, 160 }, { NULL, 7, NULL_VEC_OFFSET },
		       { "ABCDEFGH", 8, 168 } }, 160, 176 },
	};
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m, *r;
	char why[256] = "";
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		m = kdbus_msg_new(self->b.id, i + 1);
		for (j = 0; j < cases[i].n; j++)
			add_vec(m, ADDR(cases[i].v[j].data), cases[i].v[j].size);
		ASSERT_EQ(0, send_msg(&self->a, m));
		kdbus_msg_release(m);
		ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
		ASSERT_NE(NULL, r);
		EXPECT_EQ(0, slice_check(&self->b, &cmd, why, sizeof(why)))
			TH_LOG("case %u: %s", i, why);
		EXPECT_EQ(cases[i].size, r->size) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].msg_size, cmd.msg.msg_size)
			TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].n, item_count(r)) TH_LOG("case %u", i);
		for (j = 0; j < cases[i].n; j++) {
			it = nth_item(r, j);
			ASSERT_NE(NULL, it);
			EXPECT_EQ(cases[i].v[j].size, it->vec.size)
				TH_LOG("case %u vector %u", i, j);
			EXPECT_EQ(cases[i].v[j].offset, it->vec.offset)
				TH_LOG("case %u vector %u", i, j);
			if (cases[i].v[j].data &&
			    it->vec.offset + it->vec.size <= cmd.msg.msg_size)
				EXPECT_EQ(0, memcmp(off_data(r, it),
						    cases[i].v[j].data,
						    it->vec.size));
		}
		EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	}
}

/*
 * Items in the pool: payload items in the order sent, then FDS (even if
 * it was sent first); memfds as receiver fds with their seals and
 * content, their size % 8 zero bytes in the inline stream; fds working
 * and close-on-exec.
 */
TEST_F(msg, recv_fds_and_memfd)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	const struct kdbus_item *it, *fds_it;
	int p[2], efd, memfd, fds[3], rfd;
	struct stat st_sent, st_rcvd;
	struct kdbus_cmd_recv cmd;
	char why[256] = "";
	const __u8 *base;
	__u8 buf[1200];
	__u64 counter;
	unsigned int i;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	memfd = memfd_new(1200, 13, ALL_SEALS);
	ASSERT_LE(0, memfd);
	fds[0] = p[1];
	fds[1] = efd;
	fds[2] = memfd;

	kdbus_msg_add_fds(m, fds, 3);
	add_vec(m, ADDR("0123456789"), 10);
	kdbus_msg_add_memfd(m, memfd, 100, 1001);
	add_vec(m, ADDR("abcdefg"), 7);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);

	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	base = (const __u8 *)r;
	EXPECT_EQ(0, slice_check(&self->b, &cmd, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_EQ(0ULL, cmd.msg.return_flags);
	EXPECT_EQ(200ULL, r->size);
	EXPECT_EQ(224ULL, cmd.msg.msg_size);
	EXPECT_EQ(4U, item_count(r));

	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, it->type);
	EXPECT_EQ(10ULL, it->vec.size);
	EXPECT_EQ(200ULL, it->vec.offset);
	EXPECT_EQ(0, memcmp(base + 200, "0123456789", 10));

	it = nth_item(r, 1);
	ASSERT_NE(NULL, it);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_MEMFD, it->type);
	EXPECT_EQ(40ULL, it->size);
	EXPECT_EQ(100ULL, it->memfd.start);
	EXPECT_EQ(1001ULL, it->memfd.size);
	EXPECT_EQ(0U, it->memfd.__pad);
	rfd = it->memfd.fd;
	ASSERT_LE(0, rfd);
	EXPECT_TRUE(kdbus_fd_cloexec(rfd));
	EXPECT_EQ(ALL_SEALS, fcntl(rfd, F_GET_SEALS));
	ASSERT_EQ(0, fstat(memfd, &st_sent));
	ASSERT_EQ(0, fstat(rfd, &st_rcvd));
	EXPECT_EQ(st_sent.st_ino, st_rcvd.st_ino);
	EXPECT_EQ(1200, st_rcvd.st_size);
	EXPECT_EQ(1200, pread(rfd, buf, sizeof(buf), 0));
	EXPECT_TRUE(check_pattern(buf, sizeof(buf), 13));
	EXPECT_EQ(0, base[210]);	/* 1001 % 8 = 1 zero byte */

	it = nth_item(r, 2);
	ASSERT_NE(NULL, it);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, it->type);
	EXPECT_EQ(7ULL, it->vec.size);
	EXPECT_EQ(211ULL, it->vec.offset);
	EXPECT_EQ(0, memcmp(base + 211, "abcdefg", 7));

	fds_it = nth_item(r, 3);
	ASSERT_NE(NULL, fds_it);
	EXPECT_EQ((__u64)KDBUS_ITEM_FDS, fds_it->type);
	EXPECT_EQ(28ULL, fds_it->size);
	ASSERT_EQ(3U, fds_count(fds_it));
	for (i = 0; i < 3; i++) {
		EXPECT_LE(0, fds_it->fds[i]);
		EXPECT_TRUE(kdbus_fd_cloexec(fds_it->fds[i]));
		EXPECT_NE(rfd, fds_it->fds[i]);
	}
	EXPECT_NE(fds_it->fds[0], fds_it->fds[1]);
	EXPECT_NE(fds_it->fds[1], fds_it->fds[2]);

	/* the fds work: pipe write end, eventfd, memfd */
	EXPECT_EQ(4, write(fds_it->fds[0], "ping", 4));
	memset(buf, 0, 8);
	EXPECT_EQ(4, read(p[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	counter = 5;
	EXPECT_EQ(8, write(fds_it->fds[1], &counter, 8));
	counter = 0;
	EXPECT_EQ(8, read(efd, &counter, 8));
	EXPECT_EQ(5ULL, counter);
	ASSERT_EQ(0, fstat(fds_it->fds[2], &st_rcvd));
	EXPECT_EQ(st_sent.st_ino, st_rcvd.st_ino);

	close_msg_fds(r);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	close(memfd);
	close(efd);
	close(p[0]);
	close(p[1]);
}

/* O_PATH descriptors may be passed (5.5) */
TEST_F(msg, recv_fds_o_path)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	struct stat st_sent, st_rcvd;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	int fd;

	fd = open("/", O_PATH | O_CLOEXEC);
	ASSERT_LE(0, fd);
	kdbus_msg_add_fds(m, &fd, 1);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	it = kdbus_msg_find(r, KDBUS_ITEM_FDS);
	ASSERT_NE(NULL, it);
	ASSERT_EQ(1U, fds_count(it));
	ASSERT_LE(0, it->fds[0]);
	EXPECT_TRUE(kdbus_fd_cloexec(it->fds[0]));
	ASSERT_EQ(0, fstat(fd, &st_sent));
	ASSERT_EQ(0, fstat(it->fds[0], &st_rcvd));
	EXPECT_EQ(st_sent.st_ino, st_rcvd.st_ino);
	EXPECT_EQ(st_sent.st_dev, st_rcvd.st_dev);
	close_msg_fds(r);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	close(fd);
}

/*
 * Slices reuse pool memory that held other messages: everything the
 * kernel does not write explicitly must still read as zero. A small pool
 * is filled with 0xff payloads first.
 */
TEST_F(msg, recv_zero_padding_reused_pool)
{
	long page = sysconf(_SC_PAGESIZE);
	__u64 pool_size = 4 * page, offs[1024];
	struct kdbus_conn s = { 0 };
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m;
	unsigned int n = 0, i;
	char why[256] = "";
	__u8 junk[928];
	int memfd, ret;

	ASSERT_EQ(0, kdbus_conn_new_pool(&s, &self->dom, self->bus, 0,
					 pool_size));
	memset(junk, 0xff, sizeof(junk));
	/* 1024-byte slices until the pool is full */
	for (;;) {
		ret = send_data(&self->a, s.id, n + 1, junk, sizeof(junk));
		if (ret)
			break;
		ASSERT_EQ(0, recv_msg(&s, 0, 0, &cmd, NULL));
		ASSERT_GT(1024U, n);
		offs[n++] = cmd.msg.offset;
	}
	EXPECT_EQ(-EXFULL, ret);
	EXPECT_EQ(pool_size / 1024, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, kdbus_free(&s, offs[i]));

	memfd = memfd_new(1001, 1, ALL_SEALS);
	ASSERT_LE(0, memfd);
	for (i = 0; i < 4; i++) {
		m = kdbus_msg_new(s.id, 100 + i);
		switch (i) {
		case 0:
			add_vec(m, ADDR("abc"), 3);
			add_vec(m, 0, 5);
			add_vec(m, ADDR("d"), 1);
			break;
		case 1:
			kdbus_msg_add_memfd(m, memfd, 0, 1001);
			add_vec(m, ADDR("x"), 1);
			break;
		case 2:
			kdbus_msg_add_fds(m, &memfd, 1);	/* refused */
			break;
		default:
			add_vec(m, ADDR("0123456789abc"), 13);
			add_vec(m, 0, 11);
			break;
		}
		ret = send_msg(&self->a, m);
		kdbus_msg_release(m);
		if (i == 2) {
			EXPECT_EQ(-ECOMM, ret);
			continue;
		}
		ASSERT_EQ(0, ret);
		ASSERT_EQ(0, recv_msg(&s, 0, 0, &cmd, NULL));
		EXPECT_EQ(0, slice_check(&s, &cmd, why, sizeof(why)))
			TH_LOG("message %u: %s", i, why);
		EXPECT_EQ(0, kdbus_free(&s, cmd.msg.offset));
	}
	close(memfd);
	conn_drop(&s);
}

/* a connection may send to itself */
TEST_F(msg, send_to_self)
{
	struct kdbus_msg *m = kdbus_msg_new(self->a.id, 77), *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	char buf[8] = "";
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	add_vec(m, ADDR("me"), 3);
	kdbus_msg_add_fds(m, &p[1], 1);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, 0, 0, &cmd, NULL));

	ASSERT_EQ(0, recv_msg(&self->a, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(self->a.id, r->src_id);
	EXPECT_EQ(self->a.id, r->dst_id);
	EXPECT_EQ(77ULL, r->cookie);
	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(0, memcmp(off_data(r, it), "me", 3));
	it = kdbus_msg_find(r, KDBUS_ITEM_FDS);
	ASSERT_NE(NULL, it);
	ASSERT_LE(0, it->fds[0]);
	EXPECT_EQ(2, write(it->fds[0], "ok", 2));
	EXPECT_EQ(2, read(p[0], buf, sizeof(buf)));
	EXPECT_STREQ("ok", buf);
	close_msg_fds(r);
	EXPECT_EQ(0, kdbus_free(&self->a, cmd.msg.offset));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->a, 0, 0, &cmd, NULL));
	close(p[0]);
	close(p[1]);
}

/*
 * fds that cannot be installed (RLIMIT_NOFILE) read -1 and set
 * INCOMPLETE_FDS; the message is still delivered and the files dropped.
 */
TEST_F(msg, recv_incomplete_fds)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	int p[2], fds[2], memfd, fill[256], nfill = 0, ret, i, fd;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct rlimit old, rl;
	char buf[4];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	memfd = memfd_new(64, 2, ALL_SEALS);
	ASSERT_LE(0, memfd);
	fds[0] = p[1];
	fds[1] = p[1];
	add_vec(m, ADDR("x"), 1);
	kdbus_msg_add_memfd(m, memfd, 0, 64);
	kdbus_msg_add_fds(m, fds, 2);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	close(p[1]);
	close(memfd);

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	rl = old;
	rl.rlim_cur = 64;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	while (nfill < 256) {
		fd = fcntl(p[0], F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			break;
		fill[nfill++] = fd;
	}
	ret = recv_msg(&self->b, 0, 0, &cmd, &r);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));

	ASSERT_EQ(0, ret);
	ASSERT_NE(NULL, r);
	EXPECT_EQ((__u64)KDBUS_RECV_RETURN_INCOMPLETE_FDS,
		  cmd.msg.return_flags & KDBUS_RECV_RETURN_INCOMPLETE_FDS);
	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(0, memcmp(off_data(r, it), "x", 1));
	it = kdbus_msg_find(r, KDBUS_ITEM_PAYLOAD_MEMFD);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(-1, it->memfd.fd);
	it = kdbus_msg_find(r, KDBUS_ITEM_FDS);
	ASSERT_NE(NULL, it);
	ASSERT_EQ(2U, fds_count(it));
	EXPECT_EQ(-1, it->fds[0]);
	EXPECT_EQ(-1, it->fds[1]);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	/* no write end is left anywhere */
	EXPECT_EQ(0, read(p[0], buf, sizeof(buf)));
	close(p[0]);
}

/* ------------------------------------------------------------------ */
/* RECV: order, priorities, PEEK, DROP, validation, negotiation, FREE  */
/* ------------------------------------------------------------------ */

static int send_prio(const struct kdbus_conn *c, __u64 dst, __u64 cookie,
		     __s64 prio)
{
	struct kdbus_msg *m = kdbus_msg_new(dst, cookie);
	int ret;

	m->priority = prio;
	ret = send_msg(c, m);
	kdbus_msg_release(m);
	return ret;
}

/* expect the next message to be @cookie with @prio, and free it */
static int recv_expect(const struct kdbus_conn *c, __u64 flags, __s64 max,
		       __u64 cookie, __s64 prio)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *r;
	int ret;

	ret = recv_msg(c, flags, max, &cmd, &r);
	if (ret)
		return ret;
	if (!r)
		return -ENODATA;
	ret = (r->cookie == cookie && r->priority == prio) ? 0 : 1;
	if (ret)
		kdbus_log("got cookie %llu priority %lld, expected %llu/%lld",
			  r->cookie, r->priority, cookie, (long long)prio);
	kdbus_free((struct kdbus_conn *)c, cmd.msg.offset);
	return ret;
}

TEST_F(msg, recv_priority_order)
{
	static const __s64 prio[] = { 0, -5, 10, -5, 3, INT64_MIN, INT64_MAX,
				      3 };
	/* cookies (index + 1) by priority, FIFO among equal values */
	static const unsigned int by_prio[] = { 6, 2, 4, 1, 5, 8, 3, 7 };
	const __u64 up = KDBUS_RECV_USE_PRIORITY;
	struct kdbus_cmd_recv cmd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prio); i++)
		ASSERT_EQ(0, send_prio(&self->a, self->b.id, i + 1, prio[i]));

	/* only INT64_MIN is at least as urgent as -100 */
	EXPECT_EQ(0, recv_expect(&self->b, up, -100, 6, INT64_MIN));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, up, -100, &cmd, NULL));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, up, -6, &cmd, NULL));
	/* "at least as urgent" includes equal */
	EXPECT_EQ(0, recv_expect(&self->b, up, -5, 2, -5));
	for (i = 2; i < ARRAY_SIZE(by_prio); i++)
		EXPECT_EQ(0, recv_expect(&self->b, up, INT64_MAX, by_prio[i],
					 prio[by_prio[i] - 1]));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, up, INT64_MAX, &cmd, NULL));

	/* without USE_PRIORITY: FIFO, priorities as sent */
	for (i = 0; i < ARRAY_SIZE(prio); i++)
		ASSERT_EQ(0, send_prio(&self->a, self->b.id, i + 1, prio[i]));
	for (i = 0; i < ARRAY_SIZE(prio); i++)
		EXPECT_EQ(0, recv_expect(&self->b, 0, 0, i + 1, prio[i]));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, 0, 0, &cmd, NULL));

	/* mixing: USE_PRIORITY takes the urgent one, plain RECV the rest */
	ASSERT_EQ(0, send_prio(&self->a, self->b.id, 20, 10));
	ASSERT_EQ(0, send_prio(&self->a, self->b.id, 21, 0));
	ASSERT_EQ(0, send_prio(&self->a, self->b.id, 22, 10));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, up, -1, &cmd, NULL));
	EXPECT_EQ(0, recv_expect(&self->b, up, 0, 21, 0));
	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 20, 10));
	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 22, 10));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, 0, 0, &cmd, NULL));
}

/* PEEK: the same slice twice, no fds installed, FREE allowed, then RECV */
TEST_F(msg, recv_peek)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 5), *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	__u64 off, size;
	char why[256] = "";
	int p[2], memfd, low;
	char buf[8] = "";

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	memfd = memfd_new(100, 3, ALL_SEALS);
	ASSERT_LE(0, memfd);
	add_vec(m, ADDR("peek"), 5);
	kdbus_msg_add_memfd(m, memfd, 0, 100);
	kdbus_msg_add_fds(m, &p[1], 1);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);

	low = lowest_free_fd(p[0]);
	ASSERT_LE(0, low);
	ASSERT_EQ(0, recv_msg(&self->b, KDBUS_RECV_PEEK, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, slice_check(&self->b, &cmd, why, sizeof(why)))
		TH_LOG("%s", why);
	off = cmd.msg.offset;
	size = cmd.msg.msg_size;
	EXPECT_EQ(5ULL, r->cookie);
	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(0, memcmp(off_data(r, it), "peek", 5));
	it = kdbus_msg_find(r, KDBUS_ITEM_PAYLOAD_MEMFD);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(-1, it->memfd.fd);
	it = kdbus_msg_find(r, KDBUS_ITEM_FDS);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(-1, it->fds[0]);
	EXPECT_EQ(low, lowest_free_fd(p[0]));

	/* again: the same slice */
	ASSERT_EQ(0, recv_msg(&self->b, KDBUS_RECV_PEEK, 0, &cmd, &r));
	EXPECT_EQ(off, cmd.msg.offset);
	EXPECT_EQ(size, cmd.msg.msg_size);
	EXPECT_EQ(low, lowest_free_fd(p[0]));
	/* freeing a peeked slice is allowed */
	EXPECT_EQ(0, kdbus_free(&self->b, off));

	/* RECV returns the same slice once more, now with fds */
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(off, cmd.msg.offset);
	EXPECT_EQ(size, cmd.msg.msg_size);
	EXPECT_EQ(5ULL, r->cookie);
	it = kdbus_msg_find(r, KDBUS_ITEM_PAYLOAD_MEMFD);
	ASSERT_NE(NULL, it);
	EXPECT_LE(0, it->memfd.fd);
	it = kdbus_msg_find(r, KDBUS_ITEM_FDS);
	ASSERT_NE(NULL, it);
	ASSERT_LE(0, it->fds[0]);
	EXPECT_TRUE(kdbus_fd_cloexec(it->fds[0]));
	EXPECT_EQ(1, write(it->fds[0], "p", 1));
	EXPECT_EQ(1, read(p[0], buf, sizeof(buf)));
	close_msg_fds(r);
	EXPECT_EQ(0, kdbus_free(&self->b, off));
	EXPECT_EQ(-ENXIO, kdbus_free(&self->b, off));

	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, KDBUS_RECV_PEEK, 0, &cmd, NULL));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, 0, 0, &cmd, NULL));
	close(memfd);
	close(p[0]);
	close(p[1]);
}

/* DROP: the empty slice is reported, the message and its files are gone */
TEST_F(msg, recv_drop)
{
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1), *r;
	struct kdbus_cmd_recv cmd;
	char buf[4];
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	add_vec(m, ADDR("one"), 4);
	kdbus_msg_add_fds(m, &p[1], 1);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	close(p[1]);
	ASSERT_EQ(0, send_data(&self->a, self->b.id, 2, "two", 4));

	ASSERT_EQ(0, recv_msg(&self->b, KDBUS_RECV_DROP, 0, &cmd, &r));
	EXPECT_EQ(self->b.pool_size, cmd.msg.offset);
	EXPECT_EQ(0ULL, cmd.msg.msg_size);
	EXPECT_EQ(NULL, r);
	/* the only other reference to the pipe's write end went with it */
	EXPECT_EQ(0, read(p[0], buf, sizeof(buf)));
	/* freeing the empty slice is a no-op */
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));

	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 2, 0));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, 0, 0, &cmd, NULL));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, KDBUS_RECV_DROP, 0, &cmd, NULL));

	/* DROP cannot be combined with USE_PRIORITY; nothing is lost */
	ASSERT_EQ(0, send_data(&self->a, self->b.id, 3, NULL, 0));
	EXPECT_EQ(-EINVAL, recv_msg(&self->b,
				    KDBUS_RECV_DROP | KDBUS_RECV_USE_PRIORITY,
				    INT64_MAX, &cmd, NULL));
	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 3, 0));
	close(p[0]);
}

/* RECV on an empty queue: EAGAIN, dropped_msgs and return_flags written */
TEST_F(msg, recv_empty_queue)
{
	static const __u64 flags[] = { 0, KDBUS_RECV_PEEK, KDBUS_RECV_DROP,
				       KDBUS_RECV_USE_PRIORITY };
	struct kdbus_cmd_recv cmd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.size = sizeof(cmd);
		cmd.flags = flags[i];
		cmd.priority = INT64_MAX;
		cmd.return_flags = ~0ULL;
		cmd.dropped_msgs = 0xdeadbeefULL;
		EXPECT_EQ(-EAGAIN, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, &cmd))
			TH_LOG("flags %llx", flags[i]);
		EXPECT_EQ(0ULL, cmd.dropped_msgs) TH_LOG("flags %llx", flags[i]);
		EXPECT_EQ(0ULL, cmd.return_flags) TH_LOG("flags %llx", flags[i]);
	}
}

/* the kdbus_cmd_recv argument; a failed RECV leaves the queue alone */
TEST_F(msg, recv_cmd_validation)
{
	struct kdbus_cmd_recv *cmd = kdbus_args_new(sizeof(*cmd));
	__u64 types[2] = { KDBUS_ITEM_NEGOTIATE, KDBUS_ITEM_CANCEL_FD };
	struct kdbus_item *neg;

	ASSERT_EQ(0, send_data(&self->a, self->b.id, 7, "keep", 5));

	cmd->flags = 1ULL << 3;
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));
	cmd->flags = 1ULL << 62;
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));
	cmd->flags = 0;
	cmd->size = sizeof(*cmd) - 8;
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));
	cmd->size = KDBUS_CMD_MAX_SIZE + 8;
	EXPECT_EQ(-EMSGSIZE, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));
	cmd->size = sizeof(*cmd);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "com.example.foo");
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));
	cmd->size = sizeof(*cmd);
	kdbus_args_add_u64(cmd, KDBUS_ITEM_CANCEL_FD, 0);
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));
	cmd->size = sizeof(*cmd);
	EXPECT_EQ(-EFAULT, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV,
				       (__u8 *)cmd + 4));
	EXPECT_EQ(-EFAULT, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, NULL));

	/* a NEGOTIATE item is accepted and rewritten, even without the flag */
	neg = kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, types, sizeof(types));
	ASSERT_EQ(0, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));
	EXPECT_EQ((__u64)KDBUS_ITEM_NEGOTIATE, neg->data64[0]);
	EXPECT_EQ(0ULL, neg->data64[1]);
	ASSERT_GT(self->b.pool_size, cmd->msg.offset);
	EXPECT_EQ(7ULL, ((struct kdbus_msg *)pool_ptr(&self->b,
						      cmd->msg.offset))->cookie);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd->msg.offset));
	EXPECT_EQ(0, drain(&self->b));
	kdbus_args_release(cmd);
}

/* KDBUS_FLAG_NEGOTIATE on SEND: the mask, the item rewritten, no message */
TEST_F(msg, negotiate_send)
{
	struct kdbus_cmd_send *cmd = kdbus_args_new(sizeof(*cmd));
	struct kdbus_msg *m = kdbus_msg_new(self->b.id, 1);
	__u64 types[] = { KDBUS_ITEM_CANCEL_FD, KDBUS_ITEM_NEGOTIATE,
			  KDBUS_ITEM_PAYLOAD_VEC, KDBUS_ITEM_NAME, 0x7777 };
	struct kdbus_item *neg;

	cmd->msg_address = ADDR(m);
	cmd->flags = KDBUS_FLAG_NEGOTIATE;
	neg = kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, types, sizeof(types));
	ASSERT_EQ(0, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, cmd));
	EXPECT_EQ((__u64)KDBUS_SEND_SYNC_REPLY, cmd->flags);
	EXPECT_EQ((__u64)KDBUS_ITEM_CANCEL_FD, neg->data64[0]);
	EXPECT_EQ((__u64)KDBUS_ITEM_NEGOTIATE, neg->data64[1]);
	EXPECT_EQ(0ULL, neg->data64[2]);
	EXPECT_EQ(0ULL, neg->data64[3]);
	EXPECT_EQ(0ULL, neg->data64[4]);
	EXPECT_EQ(0, drain(&self->b));

	/* unknown flags are refused even when negotiating */
	cmd->flags = KDBUS_FLAG_NEGOTIATE | (1ULL << 5);
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND, cmd));
	EXPECT_EQ(0, drain(&self->b));
	kdbus_msg_release(m);
	kdbus_args_release(cmd);
}

/* KDBUS_FLAG_NEGOTIATE on RECV: the mask, the queue untouched */
TEST_F(msg, negotiate_recv)
{
	struct kdbus_cmd_recv *cmd = kdbus_args_new(sizeof(*cmd));
	__u64 types[] = { KDBUS_ITEM_NEGOTIATE, KDBUS_ITEM_CANCEL_FD,
			  KDBUS_ITEM_PAYLOAD_VEC };
	struct kdbus_item *neg;

	ASSERT_EQ(0, send_data(&self->a, self->b.id, 9, NULL, 0));
	cmd->flags = KDBUS_FLAG_NEGOTIATE;
	neg = kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, types, sizeof(types));
	ASSERT_EQ(0, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));
	EXPECT_EQ((__u64)(KDBUS_RECV_PEEK | KDBUS_RECV_DROP |
			  KDBUS_RECV_USE_PRIORITY), cmd->flags);
	EXPECT_EQ((__u64)KDBUS_ITEM_NEGOTIATE, neg->data64[0]);
	EXPECT_EQ(0ULL, neg->data64[1]);
	EXPECT_EQ(0ULL, neg->data64[2]);

	cmd->flags = KDBUS_FLAG_NEGOTIATE | KDBUS_RECV_DROP;
	ASSERT_EQ(0, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));
	cmd->flags = KDBUS_FLAG_NEGOTIATE | (1ULL << 7);
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, cmd));

	/* nothing was received or dropped */
	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 9, 0));
	EXPECT_EQ(0, drain(&self->b));
	kdbus_args_release(cmd);
}

/* FREE of received slices: once only, exact offsets only */
TEST_F(msg, free_received_slices)
{
	struct kdbus_cmd_free *fcmd = kdbus_args_new(sizeof(*fcmd));
	long page = sysconf(_SC_PAGESIZE);
	struct kdbus_cmd_recv cmd;
	struct kdbus_conn s = { 0 };
	__u64 off[3], sz[3];
	unsigned int i, j;
	__u8 junk[900];

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, send_pattern(&self->a, self->b.id, i + 1,
					  100 * (i + 1), i));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, NULL));
		off[i] = cmd.msg.offset;
		sz[i] = cmd.msg.msg_size;
	}
	/* three live slices never overlap */
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			EXPECT_TRUE(off[i] + sz[i] <= off[j] ||
				    off[j] + sz[j] <= off[i]);

	EXPECT_EQ(0, kdbus_free(&self->b, off[1]));
	EXPECT_EQ(-ENXIO, kdbus_free(&self->b, off[1]));
	EXPECT_EQ(-ENXIO, kdbus_free(&self->b, off[0] + 8));
	EXPECT_EQ(0, kdbus_free(&self->b, self->b.pool_size));
	EXPECT_EQ(-ENXIO, kdbus_free(&self->b, self->b.pool_size + 8));
	EXPECT_EQ(-ENXIO, kdbus_free(&self->b, ~7ULL));

	fcmd->offset = off[0];
	fcmd->flags = 1;
	EXPECT_EQ(-EINVAL, kdbus_ioctl(self->b.fd, KDBUS_CMD_FREE, fcmd));
	EXPECT_EQ(0, kdbus_free(&self->b, off[0]));
	EXPECT_EQ(0, kdbus_free(&self->b, off[2]));

	/*
	 * FREE makes the space reusable: 64 slices of 1 KiB pass through a
	 * 4-page pool.
	 */
	ASSERT_EQ(0, kdbus_conn_new_pool(&s, &self->dom, self->bus, 0,
					 4 * page));
	memset(junk, 0x11, sizeof(junk));
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, send_data(&self->a, s.id, i, junk, sizeof(junk)))
			TH_LOG("message %u", i);
		ASSERT_EQ(0, recv_msg(&s, 0, 0, &cmd, NULL));
		ASSERT_EQ(0, kdbus_free(&s, cmd.msg.offset));
	}
	conn_drop(&s);
	kdbus_args_release(fcmd);
}

/* ------------------------------------------------------------------ */
/* quotas and full pools (7.4, 7.5)                                    */
/* ------------------------------------------------------------------ */

#define PEER_NAME "org.kdbus.test.peer"

/*
 * Let other users talk to @dst, a root connection: it owns @name, and the
 * policy holder @ph gives everyone TALK on it (free @ph afterwards).
 */
static int open_to_world(const struct kdbus_domain *dom, const char *bus,
			 struct kdbus_conn *dst, const char *name,
			 struct kdbus_conn *ph)
{
	int ret = kdbus_name_acquire(dst, name, 0, NULL);

	return ret ?: kdbus_policy_holder_new(ph, dom, bus, name,
					      KDBUS_POLICY_TALK);
}

/* 256 queued messages per sending user; other users are not affected */
TEST_F(msg, queue_limit_per_user)
{
	struct kdbus_conn ph = { 0 };
	struct child_send_ctx ctx = {
		.dom = &self->dom,
		.bus = self->bus,
		.dst = self->b.id,
		.n = 1,
		.len = { 8 },
		.expect = { 0 },
	};
	struct kdbus_conn c = { 0 };
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *r;
	unsigned int i;

	ASSERT_EQ(0, open_to_world(&self->dom, self->bus, &self->b,
				   PEER_NAME, &ph));
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	for (i = 1; i <= KDBUS_CONN_MAX_MSGS; i++)
		ASSERT_EQ(0, send_data(&self->a, self->b.id, i, NULL, 0))
			TH_LOG("message %u", i);
	EXPECT_EQ(-ENOBUFS, send_data(&self->a, self->b.id, 1000, NULL, 0));
	/* the limit is per user, not per connection */
	EXPECT_EQ(-ENOBUFS, send_data(&c, self->b.id, 1001, NULL, 0));
	/* another user still gets through */
	EXPECT_EQ(0, kdbus_run_as(OTHER_UID, OTHER_GID, child_send, &ctx));

	/* receiving one makes room for one */
	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 1, 0));
	EXPECT_EQ(0, send_data(&self->a, self->b.id, 257, NULL, 0));
	EXPECT_EQ(-ENOBUFS, send_data(&self->a, self->b.id, 1002, NULL, 0));

	for (i = 2; i <= KDBUS_CONN_MAX_MSGS; i++)
		ASSERT_EQ(0, recv_expect(&self->b, 0, 0, i, 0));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1000ULL, r->cookie);	/* the child's */
	EXPECT_NE(self->a.id, r->src_id);
	EXPECT_NE(c.id, r->src_id);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 257, 0));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, 0, 0, &cmd, NULL));
	conn_drop(&c);
	kdbus_conn_free(&ph);
}

/*
 * The worked example of contract 7.4: 16 MiB pool, 2 MiB payloads. The
 * first is accepted, the second is not, a small one from another
 * connection of the same user still fits.
 */
TEST_F(msg, quota_worked_example)
{
	struct kdbus_conn c = { 0 };
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *r;
	char small[8] = "small";

	ASSERT_EQ(KDBUS_TEST_POOL_SIZE, self->b.pool_size);
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));

	EXPECT_EQ(0, send_pattern(&self->a, self->b.id, 1, SZ_2M, 1));
	EXPECT_EQ(-ENOBUFS, send_pattern(&self->a, self->b.id, 2, SZ_2M, 2));
	EXPECT_EQ(0, send_data(&c, self->b.id, 3, small, sizeof(small)));

	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1ULL, r->cookie);
	EXPECT_EQ(96ULL + SZ_2M, cmd.msg.msg_size);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 3, 0));

	/* the quota is released on receive */
	EXPECT_EQ(0, send_pattern(&self->a, self->b.id, 4, SZ_2M, 4));
	EXPECT_EQ(1, drain(&self->b));
	conn_drop(&c);
}

/*
 * The per-user share to the byte (7.4), with one vector of n bytes making
 * a slice of m = ALIGN8(96 + n) (no metadata): S/2 = 8388608.
 *  - root: m = 2097248 accepted; now A = U = 2097248, H = 2796202, so
 *    H - U = 698954: n = 698857 (m = 698960) is refused, n = 698856
 *    (m = 698952) accepted; then H - U = 2: even a bare header is refused.
 *  - uid 1000 (U = 0, A = 2796200): H = 1864136, so 2 MiB is refused,
 *    1 MiB (m = 1048672) accepted, a second 1 MiB refused (H - U =
 *    815464), a bare header accepted.
 *  - receiving root's 2 MiB message frees root's share again.
 */
TEST_F(msg, quota_share_and_fairness)
{
	struct kdbus_conn ph = { 0 };
	struct child_send_ctx ctx = {
		.dom = &self->dom,
		.bus = self->bus,
		.dst = self->b.id,
		.n = 4,
		.len = { SZ_2M, SZ_1M, SZ_1M, 0 },
		.expect = { -ENOBUFS, 0, -ENOBUFS, 0 },
	};
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *r;

	ASSERT_EQ(0, open_to_world(&self->dom, self->bus, &self->b,
				   PEER_NAME, &ph));
	ASSERT_EQ(KDBUS_TEST_POOL_SIZE, self->b.pool_size);
	ASSERT_EQ(0, send_pattern(&self->a, self->b.id, 1, SZ_2M, 1));
	EXPECT_EQ(-ENOBUFS, send_pattern(&self->a, self->b.id, 2, 698857, 2));
	EXPECT_EQ(0, send_pattern(&self->a, self->b.id, 3, 698856, 3));
	EXPECT_EQ(-ENOBUFS, send_data(&self->a, self->b.id, 4, NULL, 0));

	EXPECT_EQ(0, kdbus_run_as(OTHER_UID, OTHER_GID, child_send, &ctx));
	EXPECT_EQ(-ENOBUFS, send_data(&self->a, self->b.id, 5, NULL, 0));

	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1ULL, r->cookie);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	EXPECT_EQ(0, send_pattern(&self->a, self->b.id, 6, SZ_1M, 6));

	/* what was accepted is all there, in order */
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(3ULL, r->cookie);
	EXPECT_EQ(698952ULL, cmd.msg.msg_size);
	EXPECT_TRUE(check_pattern((__u8 *)r + 96, 698856, 3));
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1001ULL, r->cookie);		/* the child's 1 MiB */
	EXPECT_NE(self->a.id, r->src_id);
	EXPECT_EQ(96ULL + SZ_1M, cmd.msg.msg_size);
	EXPECT_TRUE(check_pattern((__u8 *)r + 96, SZ_1M, 201));
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 1003, 0));
	EXPECT_EQ(0, recv_expect(&self->b, 0, 0, 6, 0));
	EXPECT_EQ(-EAGAIN, recv_msg(&self->b, 0, 0, &cmd, NULL));
	kdbus_conn_free(&ph);
}

/*
 * A receiver that takes messages but never frees them fills its pool:
 * EXFULL, not ENOBUFS (the queue is empty, so the quota is not the
 * limit). Freeing one slice makes exactly that space available again.
 */
TEST_F(msg, pool_full_exfull)
{
	long page = sysconf(_SC_PAGESIZE);
	__u64 pool_size = 4 * page, offs[1024], hole;
	struct kdbus_conn s = { 0 };
	struct kdbus_cmd_recv cmd;
	unsigned int n = 0, i;
	__u8 junk[928];
	int ret;

	ASSERT_EQ(0, kdbus_conn_new_pool(&s, &self->dom, self->bus, 0,
					 pool_size));
	memset(junk, 0x22, sizeof(junk));
	for (;;) {
		ret = send_data(&self->a, s.id, n + 1, junk, sizeof(junk));
		if (ret)
			break;
		ASSERT_EQ(0, recv_msg(&s, 0, 0, &cmd, NULL));
		EXPECT_EQ(1024ULL, cmd.msg.msg_size);
		ASSERT_GT(1024U, n);
		offs[n++] = cmd.msg.offset;
	}
	EXPECT_EQ(-EXFULL, ret);
	EXPECT_EQ(pool_size / 1024, n);
	/* smaller messages do not fit either, nothing was queued */
	EXPECT_EQ(-EXFULL, send_data(&self->a, s.id, 5000, NULL, 0));
	EXPECT_EQ(-EAGAIN, recv_msg(&s, 0, 0, &cmd, NULL));

	hole = offs[n / 2];
	ASSERT_EQ(0, kdbus_free(&s, hole));
	ASSERT_EQ(0, send_data(&self->a, s.id, 6000, junk, sizeof(junk)));
	ASSERT_EQ(0, recv_msg(&s, 0, 0, &cmd, NULL));
	EXPECT_EQ(hole, cmd.msg.offset);
	EXPECT_EQ(6000ULL, ((struct kdbus_msg *)pool_ptr(&s, hole))->cookie);
	EXPECT_EQ(-EXFULL, send_data(&self->a, s.id, 6001, NULL, 0));
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, kdbus_free(&s, offs[i]));
	EXPECT_EQ(0, send_data(&self->a, s.id, 6002, junk, sizeof(junk)));
	EXPECT_EQ(1, drain(&s));
	conn_drop(&s);
}

/* at most 16 fds in flight per (receiver, sending user) */
TEST_F(msg, fds_in_flight_limit)
{
	struct kdbus_conn ph = { 0 };
	struct child_send_ctx ctx = {
		.dom = &self->dom,
		.bus = self->bus,
		.dst = self->b.id,
		.n = 1,
		.nfds = { 1 },
		.expect = { 0 },
	};
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m, *r;
	int p[2], fds[16], memfd, i;

	ASSERT_EQ(0, open_to_world(&self->dom, self->bus, &self->b,
				   PEER_NAME, &ph));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	memfd = memfd_new(64, 1, ALL_SEALS);
	ASSERT_LE(0, memfd);
	for (i = 0; i < 16; i++)
		fds[i] = p[1];

	m = kdbus_msg_new(self->b.id, 1);
	kdbus_msg_add_fds(m, fds, 10);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	m = kdbus_msg_new(self->b.id, 2);
	kdbus_msg_add_fds(m, fds, 6);
	ASSERT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);

	m = kdbus_msg_new(self->b.id, 3);
	kdbus_msg_add_fds(m, fds, 1);
	EXPECT_EQ(-EMFILE, send_msg(&self->a, m));
	kdbus_msg_release(m);
	/* memfds do not count, messages without fds still go through */
	m = kdbus_msg_new(self->b.id, 4);
	kdbus_msg_add_memfd(m, memfd, 0, 64);
	EXPECT_EQ(0, send_msg(&self->a, m));
	kdbus_msg_release(m);
	/* another user has its own budget */
	EXPECT_EQ(0, kdbus_run_as(OTHER_UID, OTHER_GID, child_send, &ctx));

	/* receiving the 10 fds returns them to the budget */
	ASSERT_EQ(0, recv_msg(&self->b, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1ULL, r->cookie);
	close_msg_fds(r);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	m = kdbus_msg_new(self->b.id, 5);
	kdbus_msg_add_fds(m, fds, 10);
	EXPECT_EQ(0, send_msg(&self->a, m));
	EXPECT_EQ(-EMFILE, send_msg(&self->a, m));
	kdbus_msg_release(m);

	EXPECT_EQ(4, drain(&self->b));
	close(memfd);
	close(p[0]);
	close(p[1]);
	kdbus_conn_free(&ph);
}

/* ------------------------------------------------------------------ */
/* concurrent senders, unprivileged users                              */
/* ------------------------------------------------------------------ */

#define MP_SENDERS	4
#define MP_MSGS		60	/* 4 * 60 stays below the 256 queue limit */

struct mp_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
	__u64 dst;
	unsigned int index;
};

static int child_seq_sender(void *arg)
{
	const struct mp_ctx *ctx = arg;
	struct kdbus_conn c = { 0 };
	unsigned int i;
	int ret;

	ret = kdbus_conn_new(&c, ctx->dom, ctx->bus, NULL, 0);
	if (ret < 0) {
		kdbus_log("sender %u: HELLO: %s", ctx->index, strerror(-ret));
		return 100;
	}
	for (i = 0; i < MP_MSGS; i++) {
		ret = send_seq(&c, ctx->dst, ctx->index, i);
		if (ret < 0) {
			kdbus_log("sender %u: message %u: %s", ctx->index, i,
				  strerror(-ret));
			return 1;
		}
	}
	kdbus_conn_free(&c);
	return 0;
}

/* forked senders, each on its own connection; the receiver runs alongside */
TEST_F(msg, multi_process_senders)
{
	struct mp_ctx ctx[MP_SENDERS];
	__u64 src[MP_SENDERS] = { 0 };
	pid_t pids[MP_SENDERS];
	char why[256] = "";
	unsigned int i, j;
	int got;

	for (i = 0; i < MP_SENDERS; i++) {
		ctx[i].dom = &self->dom;
		ctx[i].bus = self->bus;
		ctx[i].dst = self->b.id;
		ctx[i].index = i;
		pids[i] = kdbus_spawn_as(0, 0, child_seq_sender, &ctx[i]);
		ASSERT_LT(0, pids[i]);
	}
	got = recv_sequences(&self->b, MP_SENDERS, MP_MSGS, src, why,
			     sizeof(why));
	for (i = 0; i < MP_SENDERS; i++)
		EXPECT_EQ(0, kdbus_wait_child(pids[i])) TH_LOG("sender %u", i);
	EXPECT_EQ(MP_SENDERS * MP_MSGS, got) TH_LOG("%s", why);
	for (i = 0; i < MP_SENDERS; i++) {
		EXPECT_NE(0ULL, src[i]);
		EXPECT_NE(self->a.id, src[i]);
		for (j = i + 1; j < MP_SENDERS; j++)
			EXPECT_NE(src[i], src[j]);
	}
	EXPECT_EQ(0, drain(&self->b));
}

struct mt_ctx {
	const struct kdbus_conn *conn;
	__u64 dst;
	unsigned int index;
	int ret;
};

static void *thread_seq_sender(void *arg)
{
	struct mt_ctx *ctx = arg;
	unsigned int i;

	for (i = 0; i < MP_MSGS; i++) {
		ctx->ret = send_seq(ctx->conn, ctx->dst, ctx->index, i);
		if (ctx->ret)
			break;
	}
	return NULL;
}

/* threads sending on one shared connection; per-thread order is kept */
TEST_F(msg, multi_thread_senders)
{
	struct mt_ctx ctx[MP_SENDERS];
	__u64 src[MP_SENDERS] = { 0 };
	pthread_t th[MP_SENDERS];
	char why[256] = "";
	unsigned int i;
	int got;

	for (i = 0; i < MP_SENDERS; i++) {
		ctx[i].conn = &self->a;
		ctx[i].dst = self->b.id;
		ctx[i].index = i;
		ctx[i].ret = 0;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, thread_seq_sender,
					    &ctx[i]));
	}
	got = recv_sequences(&self->b, MP_SENDERS, MP_MSGS, src, why,
			     sizeof(why));
	for (i = 0; i < MP_SENDERS; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, ctx[i].ret) TH_LOG("thread %u", i);
	}
	EXPECT_EQ(MP_SENDERS * MP_MSGS, got) TH_LOG("%s", why);
	for (i = 0; i < MP_SENDERS; i++)
		EXPECT_EQ(self->a.id, src[i]);
	EXPECT_EQ(0, drain(&self->b));
}

struct unpriv_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
	__u64 peer;		/* root's connection */
	int id_pipe;		/* where the child reports its id */
};

/* as an unprivileged user: two connections exchange data, memfd and fd */
static int child_unpriv_roundtrip(void *arg)
{
	const struct unpriv_ctx *ctx = arg;
	struct kdbus_conn x = { 0 }, y = { 0 };
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m, *r;
	char buf[64] = "";
	int p[2], memfd;

	if (getuid() != OTHER_UID || geteuid() != OTHER_UID)
		return 99;
	if (kdbus_conn_new(&x, ctx->dom, ctx->bus, NULL, KDBUS_HELLO_ACCEPT_FD) ||
	    kdbus_conn_new(&y, ctx->dom, ctx->bus, NULL, KDBUS_HELLO_ACCEPT_FD))
		return 100;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return 101;
	memfd = memfd_new(300, 21, ALL_SEALS);
	if (memfd < 0)
		return 102;

	m = kdbus_msg_new(y.id, 31);
	add_vec(m, ADDR("unprivileged"), 13);
	kdbus_msg_add_memfd(m, memfd, 0, 300);
	kdbus_msg_add_fds(m, &p[1], 1);
	if (send_msg(&x, m))
		return 1;
	kdbus_msg_release(m);
	if (recv_msg(&y, 0, 0, &cmd, &r) || !r)
		return 2;
	if (r->src_id != x.id || r->dst_id != y.id || r->cookie != 31)
		return 3;
	it = nth_item(r, 0);
	if (!it || it->type != KDBUS_ITEM_PAYLOAD_OFF ||
	    memcmp(off_data(r, it), "unprivileged", 13))
		return 4;
	it = kdbus_msg_find(r, KDBUS_ITEM_PAYLOAD_MEMFD);
	if (!it || it->memfd.fd < 0 ||
	    pread(it->memfd.fd, buf, 64, 0) != 64 ||
	    !check_pattern(buf, 64, 21))
		return 5;
	it = kdbus_msg_find(r, KDBUS_ITEM_FDS);
	if (!it || it->fds[0] < 0 || write(it->fds[0], "u", 1) != 1 ||
	    read(p[0], buf, sizeof(buf)) != 1)
		return 6;
	close_msg_fds(r);
	if (kdbus_free(&y, cmd.msg.offset))
		return 7;
	/* and to itself */
	if (send_data(&y, y.id, 32, "self", 5))
		return 8;
	if (recv_msg(&y, 0, 0, &cmd, &r) || !r || r->src_id != y.id ||
	    r->cookie != 32 || kdbus_free(&y, cmd.msg.offset))
		return 9;
	close(memfd);
	kdbus_conn_free(&y);
	kdbus_conn_free(&x);
	return 0;
}

TEST_F(msg, unprivileged_send_recv)
{
	struct unpriv_ctx ctx = { .dom = &self->dom, .bus = self->bus };

	EXPECT_EQ(0, kdbus_run_as(OTHER_UID, OTHER_GID,
				  child_unpriv_roundtrip, &ctx));
}

/* as uid 1000: report the id, get root's message with an fd, answer */
static int child_unpriv_peer(void *arg)
{
	const struct unpriv_ctx *ctx = arg;
	__u64 deadline = kdbus_now_ns() + WAIT_MS * 1000000ULL;
	const struct kdbus_item *it;
	struct kdbus_conn x = { 0 };
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *r;
	int ret;

	if (kdbus_conn_new(&x, ctx->dom, ctx->bus, NULL, KDBUS_HELLO_ACCEPT_FD))
		return 100;
	if (write(ctx->id_pipe, &x.id, sizeof(x.id)) != sizeof(x.id))
		return 101;
	for (;;) {
		ret = recv_msg(&x, 0, 0, &cmd, &r);
		if (ret != -EAGAIN || kdbus_now_ns() > deadline)
			break;
		usleep(1000);
	}
	if (ret || !r)
		return 1;
	if (r->src_id != ctx->peer || r->cookie != 41)
		return 2;
	it = nth_item(r, 0);
	if (!it || memcmp(off_data(r, it), "from root", 10))
		return 3;
	it = kdbus_msg_find(r, KDBUS_ITEM_FDS);
	if (!it || it->fds[0] < 0 || !kdbus_fd_cloexec(it->fds[0]) ||
	    write(it->fds[0], "ok", 2) != 2)
		return 4;
	close_msg_fds(r);
	if (kdbus_free(&x, cmd.msg.offset))
		return 5;
	if (send_data(&x, ctx->peer, 42, "from 1000", 10))
		return 6;
	kdbus_conn_free(&x);
	return 0;
}

/* root and an unprivileged user talk both ways on a world bus */
TEST_F(msg, unprivileged_cross_user)
{
	struct kdbus_conn ph = { 0 };
	struct unpriv_ctx ctx = {
		.dom = &self->dom,
		.bus = self->bus,
		.peer = self->a.id,
	};
	struct kdbus_msg *m, *r;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct pollfd pfd;
	int idp[2], p[2];
	char buf[4] = "";
	__u64 id = 0;
	pid_t pid;

	ASSERT_EQ(0, open_to_world(&self->dom, self->bus, &self->a,
				   PEER_NAME, &ph));
	ASSERT_EQ(0, pipe2(idp, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	ctx.id_pipe = idp[1];
	pid = kdbus_spawn_as(OTHER_UID, OTHER_GID, child_unpriv_peer, &ctx);
	ASSERT_LT(0, pid);
	close(idp[1]);

	pfd.fd = idp[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, WAIT_MS) == 1 &&
	    read(idp[0], &id, sizeof(id)) == sizeof(id)) {
		m = kdbus_msg_new(id, 41);
		add_vec(m, ADDR("from root"), 10);
		kdbus_msg_add_fds(m, &p[1], 1);
		EXPECT_EQ(0, send_msg(&self->a, m));
		kdbus_msg_release(m);
	}
	EXPECT_EQ(0, kdbus_wait_child(pid));
	ASSERT_NE(0ULL, id);
	EXPECT_EQ(2, read(p[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "ok", 2));

	/* the answer outlives its (exited) sender */
	ASSERT_EQ(0, recv_msg(&self->a, 0, 0, &cmd, &r));
	ASSERT_NE(NULL, r);
	EXPECT_EQ(id, r->src_id);
	EXPECT_EQ(42ULL, r->cookie);
	it = nth_item(r, 0);
	ASSERT_NE(NULL, it);
	EXPECT_EQ(0, memcmp(off_data(r, it), "from 1000", 10));
	EXPECT_EQ(0, kdbus_free(&self->a, cmd.msg.offset));
	close(idp[0]);
	close(p[0]);
	close(p[1]);
	kdbus_conn_free(&ph);
}

TEST_HARNESS_MAIN
