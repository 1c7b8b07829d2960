// SPDX-License-Identifier: GPL-2.0
/*
 * Method calls: asynchronous calls with reply trackers (EXPECT_REPLY,
 * absolute deadlines, REPLY_TIMEOUT and REPLY_DEAD notifications, the
 * pending-request limit) and synchronous calls (KDBUS_SEND_SYNC_REPLY:
 * replies in the caller's pool, timeouts, peer death, cancellation,
 * signals, several callers at once).
 *
 * Deadlines meant to pass are a few hundred milliseconds away; deadlines
 * meant never to be reached are a few seconds away (the tests run under
 * software emulation). Whenever another thread must act "while the caller
 * waits", it first waits until the request is queued at the callee and the
 * caller sleeps inside the SEND ioctl (/proc/self/task/<tid>/syscall), so
 * the order of events does not depend on timing.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

#define NSEC_PER_MSEC		1000000ULL
/* deadlines that are meant to pass during the test */
#define SHORT_NS		(200 * NSEC_PER_MSEC)
/* deadlines that must not pass before a few syscalls are done */
#define MEDIUM_NS		(800 * NSEC_PER_MSEC)
/* deadlines that are never meant to be reached */
#define LONG_NS			(4000 * NSEC_PER_MSEC)
/* how long a peer waits for a message that must come */
#define WAIT_MS			3000
/* how long to watch a queue that must stay empty */
#define QUIET_MS		150
/* size of a REPLY_TIMEOUT/REPLY_DEAD notification without timestamp */
#define REPLY_NOTIFY_SIZE	80ULL

/* ------------------------------------------------------------------ */
/* small helpers                                                      */
/* ------------------------------------------------------------------ */

/* close a connection that the fixture teardown will free once more */
static void conn_close(struct kdbus_conn *conn)
{
	kdbus_conn_free(conn);
	conn->fd = -1;
	conn->pool = NULL;
}

/* "call:<cookie>" / "reply:<cookie>" payloads */
static size_t call_payload(char *buf, size_t len, __u64 cookie)
{
	return snprintf(buf, len, "call:%llx", (unsigned long long)cookie);
}

static size_t reply_payload(char *buf, size_t len, __u64 cookie)
{
	return snprintf(buf, len, "reply:%llx", (unsigned long long)cookie);
}

/*
 * Build a method call to @dst with @cookie, the absolute CLOCK_MONOTONIC
 * deadline @deadline and the payload "call:<cookie>" (kept in @buf, which
 * must stay valid until the message is sent).
 */
static struct kdbus_msg *call_new(__u64 dst, __u64 cookie, __u64 deadline,
				  char *buf, size_t len)
{
	struct kdbus_msg *msg = kdbus_msg_new(dst, cookie);
	size_t n = call_payload(buf, len, cookie);

	msg->flags = KDBUS_MSG_EXPECT_REPLY;
	msg->timeout_ns = deadline;
	kdbus_msg_add_vec(msg, buf, n);
	return msg;
}

/* an asynchronous call; 0 or -errno */
static int call_async(struct kdbus_conn *conn, __u64 dst, __u64 cookie,
		      __u64 deadline)
{
	struct kdbus_msg *msg;
	char buf[64];
	int ret;

	msg = call_new(dst, cookie, deadline, buf, sizeof(buf));
	ret = kdbus_send(conn, msg, 0, -1, NULL);
	kdbus_msg_release(msg);
	return ret;
}

/* a synchronous call; 0 (reply in @reply) or -errno */
static int call_sync(struct kdbus_conn *conn, __u64 dst, __u64 cookie,
		     __u64 deadline, int cancel_fd,
		     struct kdbus_msg_info *reply)
{
	struct kdbus_msg *msg;
	char buf[64];
	int ret;

	msg = call_new(dst, cookie, deadline, buf, sizeof(buf));
	ret = kdbus_send(conn, msg, KDBUS_SEND_SYNC_REPLY, cancel_fd, reply);
	kdbus_msg_release(msg);
	return ret;
}

/* a reply "reply:<cookie>" to @dst; 0 or -errno */
static int reply_to(struct kdbus_conn *conn, __u64 dst, __u64 cookie)
{
	char buf[64];
	size_t n = reply_payload(buf, sizeof(buf), cookie);

	return kdbus_send_reply(conn, dst, cookie, buf, n);
}

/* a reply carrying one fd (@fd) to @dst; 0 or -errno */
static int reply_with_fd(struct kdbus_conn *conn, __u64 dst, __u64 cookie,
			 int fd)
{
	struct kdbus_msg *msg = kdbus_msg_new(dst, cookie + 0x10000);
	char buf[64];
	size_t n = reply_payload(buf, sizeof(buf), cookie);
	int ret;

	msg->cookie_reply = cookie;
	kdbus_msg_add_vec(msg, buf, n);
	kdbus_msg_add_fds(msg, &fd, 1);
	ret = kdbus_send(conn, msg, 0, -1, NULL);
	kdbus_msg_release(msg);
	return ret;
}

/* log the header of @msg */
static void log_msg(const char *what, const struct kdbus_msg *msg)
{
	kdbus_log("%s: size %llu flags %#llx priority %lld", what,
		  (unsigned long long)msg->size,
		  (unsigned long long)msg->flags, (long long)msg->priority);
	kdbus_log("  dst %llu src %llu payload_type %#llx",
		  (unsigned long long)msg->dst_id,
		  (unsigned long long)msg->src_id,
		  (unsigned long long)msg->payload_type);
	kdbus_log("  cookie %#llx timeout_ns/cookie_reply %#llx",
		  (unsigned long long)msg->cookie,
		  (unsigned long long)msg->cookie_reply);
	if (msg->size >= sizeof(*msg) + KDBUS_ITEM_HEADER_SIZE)
		kdbus_log("  first item: size %llu type %#llx",
			  (unsigned long long)msg->items[0].size,
			  (unsigned long long)msg->items[0].type);
}

/* 0 if nothing is queued on @conn (after @quiet_ms), else -EBADMSG */
static int queue_empty(struct kdbus_conn *conn, int quiet_ms)
{
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	int ret;

	if (quiet_ms)
		kdbus_sleep_ms(quiet_ms);
	ret = kdbus_recv(conn, KDBUS_RECV_PEEK, 0, &recv, &msg);
	if (ret == -EAGAIN)
		return 0;
	if (ret == 0) {
		log_msg("unexpected message", msg);
		kdbus_free(conn, recv.msg.offset);
		return -EBADMSG;
	}
	kdbus_log("RECV: %s", strerror(-ret));
	return ret;
}

/*
 * Check that the slice @info in @conn's pool is the reply to @cookie from
 * @src with the payload "reply:<cookie>"; FREE it. 0 or -EBADMSG.
 */
static int check_reply(struct kdbus_conn *conn,
		       const struct kdbus_msg_info *info, __u64 cookie,
		       __u64 src)
{
	const struct kdbus_msg *msg;
	char want[64];
	int bad = 0;

	if (info->offset >= conn->pool_size || info->offset % 8 ||
	    info->msg_size < sizeof(*msg) || info->msg_size % 8 ||
	    info->offset + info->msg_size > conn->pool_size) {
		kdbus_log("reply slice offset %llu size %llu (pool %llu)",
			  (unsigned long long)info->offset,
			  (unsigned long long)info->msg_size,
			  (unsigned long long)conn->pool_size);
		return -EBADMSG;
	}
	msg = (const void *)((const __u8 *)conn->pool + info->offset);
	reply_payload(want, sizeof(want), cookie);
	if (msg->size < sizeof(*msg) || msg->size > info->msg_size) {
		kdbus_log("reply size %llu in a slice of %llu",
			  (unsigned long long)msg->size,
			  (unsigned long long)info->msg_size);
		bad = 1;
	} else if (!kdbus_msg_payload_is(msg, want)) {
		bad = 1;
	}
	if (msg->src_id != src || msg->dst_id != conn->id ||
	    msg->cookie_reply != cookie ||
	    (msg->flags & KDBUS_MSG_EXPECT_REPLY) ||
	    msg->payload_type != KDBUS_PAYLOAD_DBUS) {
		log_msg("reply", msg);
		kdbus_log("expected: src %llu dst %llu cookie_reply %#llx",
			  (unsigned long long)src,
			  (unsigned long long)conn->id,
			  (unsigned long long)cookie);
		bad = 1;
	}
	if (kdbus_free(conn, info->offset)) {
		kdbus_log("FREE of the reply slice failed");
		bad = 1;
	}
	return bad ? -EBADMSG : 0;
}

/*
 * Receive the next message on @conn (waiting up to @timeout_ms) and check
 * that it is the kernel notification @type (REPLY_TIMEOUT or REPLY_DEAD)
 * for the request @cookie, with the exact layout of the contract: no
 * timestamp (the tests' receive mask is 0), so 80 bytes.
 * 0, -errno of RECV or -EBADMSG.
 */
static int recv_reply_notification(struct kdbus_conn *conn, __u64 type,
				   __u64 cookie, int timeout_ms)
{
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	int ret, bad = 0;

	ret = kdbus_recv_wait(conn, timeout_ms, &recv, &msg);
	if (ret) {
		kdbus_log("no %s notification for cookie %#llx: %s",
			  type == KDBUS_ITEM_REPLY_DEAD ? "REPLY_DEAD" :
			  "REPLY_TIMEOUT", (unsigned long long)cookie,
			  strerror(-ret));
		return ret;
	}
	if (msg->size != REPLY_NOTIFY_SIZE ||
	    recv.msg.msg_size != REPLY_NOTIFY_SIZE ||
	    msg->src_id != KDBUS_SRC_ID_KERNEL ||
	    msg->dst_id != conn->id ||
	    msg->payload_type != KDBUS_PAYLOAD_KERNEL ||
	    msg->flags != KDBUS_MSG_SIGNAL ||
	    msg->priority != 0 || msg->cookie != 0 ||
	    msg->cookie_reply != cookie) {
		log_msg("notification", msg);
		kdbus_log("expected: size 80 (slice %llu) dst %llu cookie_reply %#llx",
			  (unsigned long long)recv.msg.msg_size,
			  (unsigned long long)conn->id,
			  (unsigned long long)cookie);
		bad = 1;
	}
	if (msg->size >= sizeof(*msg) + KDBUS_ITEM_HEADER_SIZE &&
	    (msg->items[0].size != KDBUS_ITEM_HEADER_SIZE ||
	     msg->items[0].type != type)) {
		kdbus_log("notification item: size %llu type %#llx (want 16, %#llx)",
			  (unsigned long long)msg->items[0].size,
			  (unsigned long long)msg->items[0].type,
			  (unsigned long long)type);
		bad = 1;
	}
	if (kdbus_free(conn, recv.msg.offset))
		bad = 1;
	return bad ? -EBADMSG : 0;
}

/*
 * Receive the next message on @conn and check it is the request @cookie
 * from @src (EXPECT_REPLY, deadline @deadline unchanged, payload
 * "call:<cookie>"); FREE it. 0, -errno of RECV or -EBADMSG.
 */
static int recv_request(struct kdbus_conn *conn, __u64 src, __u64 cookie,
			__u64 deadline)
{
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	char want[64];
	int ret, bad = 0;

	ret = kdbus_recv_wait(conn, WAIT_MS, &recv, &msg);
	if (ret) {
		kdbus_log("no request %#llx: %s", (unsigned long long)cookie,
			  strerror(-ret));
		return ret;
	}
	call_payload(want, sizeof(want), cookie);
	if (msg->src_id != src || msg->dst_id != conn->id ||
	    msg->cookie != cookie || msg->flags != KDBUS_MSG_EXPECT_REPLY ||
	    msg->timeout_ns != deadline ||
	    msg->payload_type != KDBUS_PAYLOAD_DBUS) {
		log_msg("request", msg);
		kdbus_log("expected: src %llu cookie %#llx timeout_ns %#llx",
			  (unsigned long long)src,
			  (unsigned long long)cookie,
			  (unsigned long long)deadline);
		bad = 1;
	}
	if (!kdbus_msg_payload_is(msg, want))
		bad = 1;
	if (kdbus_free(conn, recv.msg.offset))
		bad = 1;
	return bad ? -EBADMSG : 0;
}

/*
 * Wait until thread @tid of this process sleeps inside
 * ioctl(@fd, KDBUS_CMD_SEND). Without /proc, give it 300 ms instead.
 * 0 or -ETIMEDOUT.
 */
static int wait_blocked_in_send(pid_t tid, int fd, int timeout_ms)
{
	char path[64], want[64], buf[256];
	int i, pfd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	snprintf(want, sizeof(want), "%d 0x%x 0x%lx ", (int)SYS_ioctl, fd,
		 (unsigned long)KDBUS_CMD_SEND);
	for (i = 0; i < timeout_ms; i++) {
		pfd = open(path, O_RDONLY | O_CLOEXEC);
		if (pfd < 0) {
			kdbus_log("%s: %s; waiting 300 ms instead", path,
				  strerror(errno));
			kdbus_sleep_ms(300);
			return 0;
		}
		n = read(pfd, buf, sizeof(buf) - 1);
		close(pfd);
		if (n > 0) {
			buf[n] = '\0';
			if (!strncmp(buf, want, strlen(want)))
				return 0;
		}
		kdbus_sleep_ms(1);
	}
	kdbus_log("thread %d never blocked in SEND on fd %d", tid, fd);
	return -ETIMEDOUT;
}

/* signals counted by the handlers below (no volatile: atomic builtins) */
static int signal_count;

static void count_signal(int sig)
{
	(void)sig;
	__atomic_fetch_add(&signal_count, 1, __ATOMIC_SEQ_CST);
}

static int signals_seen(void)
{
	return __atomic_load_n(&signal_count, __ATOMIC_SEQ_CST);
}

static int install_handler(int sig, int flags)
{
	struct sigaction sa = {
		.sa_handler = count_signal,
		.sa_flags = flags,
	};

	sigemptyset(&sa.sa_mask);
	__atomic_store_n(&signal_count, 0, __ATOMIC_SEQ_CST);
	return sigaction(sig, &sa, NULL);
}

/* ------------------------------------------------------------------ */
/* a peer thread: the callee side                                     */
/* ------------------------------------------------------------------ */

#define PEER_MAX		16

enum peer_mode {
	PEER_REPLY,		/* answer each request */
	PEER_REPLY_FD,		/* answer with a reply carrying an fd */
	PEER_DROP,		/* RECV_DROP each request */
	PEER_CLOSE,		/* receive the requests, then close */
	PEER_SILENT,		/* receive the requests, never answer */
};

struct peer {
	pthread_t thread;
	struct kdbus_conn *conn;
	enum peer_mode mode;
	unsigned int count;	/* requests to handle, at most PEER_MAX */
	unsigned int batch;	/* receive this many before answering */
	pid_t caller_tid;	/* > 0: answer only when it sleeps in SEND */
	int caller_fd;		/* the fd it sends on */
	bool after_signal;	/* answer only after a signal was handled */
	/* results, valid after peer_join() */
	int err;		/* first error, 0 if none */
	int reply_ret;		/* result of the last reply SEND */
	unsigned int handled;
	__u64 cookie[PEER_MAX];
	__u64 src[PEER_MAX];
};

static void peer_fail(struct peer *p, int err, const char *what)
{
	if (!p->err) {
		p->err = err ? err : -EBADMSG;
		kdbus_log("peer: %s: %s", what, strerror(-p->err));
	}
}

/* receive one request; its cookie and sender go to slot @i */
static int peer_recv(struct peer *p, unsigned int i)
{
	struct kdbus_conn *conn = p->conn;
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	char want[64];
	int ret;

	if (p->mode == PEER_DROP) {
		ret = kdbus_wait_pollin(conn->fd, WAIT_MS);
		if (!ret)
			ret = kdbus_recv(conn, KDBUS_RECV_DROP, 0, &recv,
					 NULL);
		if (ret)
			return ret;
		/* a dropped message hands out the empty slice */
		if (recv.msg.offset != conn->pool_size || recv.msg.msg_size)
			return -EBADMSG;
		return 0;
	}

	ret = kdbus_recv_wait(conn, WAIT_MS, &recv, &msg);
	if (ret)
		return ret;
	p->cookie[i] = msg->cookie;
	p->src[i] = msg->src_id;
	call_payload(want, sizeof(want), msg->cookie);
	if (!(msg->flags & KDBUS_MSG_EXPECT_REPLY) || !msg->timeout_ns ||
	    !kdbus_msg_payload_is(msg, want))
		ret = -EBADMSG;
	if (kdbus_free(conn, recv.msg.offset))
		ret = -EBADMSG;
	return ret;
}

static int peer_answer(struct peer *p, unsigned int i)
{
	int pipefd[2], ret;

	switch (p->mode) {
	case PEER_REPLY:
		return reply_to(p->conn, p->src[i], p->cookie[i]);
	case PEER_REPLY_FD:
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			return -errno;
		ret = reply_with_fd(p->conn, p->src[i], p->cookie[i],
				    pipefd[0]);
		close(pipefd[0]);
		close(pipefd[1]);
		return ret;
	default:
		return 0;
	}
}

/* wait until the caller's signal handler has run */
static int peer_wait_signal(void)
{
	int i;

	for (i = 0; i < WAIT_MS && !signals_seen(); i++)
		kdbus_sleep_ms(1);
	return signals_seen() ? 0 : -ETIMEDOUT;
}

static void *peer_thread(void *arg)
{
	struct peer *p = arg;
	unsigned int i, j, n;
	int ret;

	for (i = 0; i < p->count; i += n) {
		n = p->batch ? p->batch : 1;
		if (n > p->count - i)
			n = p->count - i;
		if (p->after_signal && peer_wait_signal()) {
			peer_fail(p, -ETIMEDOUT, "waiting for the signal");
			return NULL;
		}
		for (j = i; j < i + n; j++) {
			ret = peer_recv(p, j);
			if (ret) {
				peer_fail(p, ret, "receiving a request");
				return NULL;
			}
			p->handled++;
		}
		if (p->caller_tid > 0 &&
		    wait_blocked_in_send(p->caller_tid, p->caller_fd,
					 WAIT_MS)) {
			peer_fail(p, -ETIMEDOUT, "waiting for the caller");
			return NULL;
		}
		/* answer the batch in reverse order */
		for (j = i + n; j-- > i;) {
			p->reply_ret = peer_answer(p, j);
			if (p->reply_ret && p->mode == PEER_REPLY) {
				peer_fail(p, p->reply_ret, "replying");
				return NULL;
			}
		}
	}
	if (p->mode == PEER_CLOSE)
		conn_close(p->conn);
	return NULL;
}

/* set up a peer handling @count requests on @conn; see peer_run() */
static void peer_init(struct peer *p, struct kdbus_conn *conn,
		      enum peer_mode mode, unsigned int count)
{
	memset(p, 0, sizeof(*p));
	p->conn = conn;
	p->mode = mode;
	p->count = count < PEER_MAX ? count : PEER_MAX;
	p->caller_fd = -1;
}

static int peer_run(struct peer *p)
{
	return -pthread_create(&p->thread, NULL, peer_thread, p);
}

static int peer_start(struct peer *p, struct kdbus_conn *conn,
		      enum peer_mode mode, unsigned int count)
{
	peer_init(p, conn, mode, count);
	return peer_run(p);
}

/* a peer answering one request only once @tid sleeps in SEND on @fd */
static int peer_start_waiting(struct peer *p, struct kdbus_conn *conn,
			      enum peer_mode mode, pid_t tid, int fd)
{
	peer_init(p, conn, mode, 1);
	p->caller_tid = tid;
	p->caller_fd = fd;
	return peer_run(p);
}

static int peer_join(struct peer *p)
{
	pthread_join(p->thread, NULL);
	return p->err;
}

/* ------------------------------------------------------------------ */
/* a helper thread acting while the caller waits                      */
/* ------------------------------------------------------------------ */

/*
 * The helper waits until a request is queued at @callee and the caller
 * thread sleeps in SEND on @caller_conn, then runs @fn, whose result goes
 * to @ret.
 */
struct poke {
	pthread_t thread;
	pthread_t caller;
	pid_t caller_tid;
	struct kdbus_conn *caller_conn;
	struct kdbus_conn *callee;
	int (*fn)(struct poke *p);
	int sig;		/* for poke_signal() */
	int fd;			/* for poke_close() and poke_eventfd() */
	void *data;		/* for test-specific actions */
	/* results, valid after poke_join() */
	int err;		/* the caller never started waiting */
	int ret;		/* result of @fn */
};

static int poke_signal(struct poke *p)
{
	return -pthread_kill(p->caller, p->sig);
}

static int poke_byebye(struct poke *p)
{
	return kdbus_byebye(p->caller_conn);
}

static int poke_close(struct poke *p)
{
	return close(p->fd) < 0 ? -errno : 0;
}

static int poke_eventfd(struct poke *p)
{
	__u64 one = 1;

	return write(p->fd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

static void *poke_thread(void *arg)
{
	struct poke *p = arg;
	sigset_t set;

	/* signals for the caller must not land here */
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (kdbus_wait_pollin(p->callee->fd, WAIT_MS) ||
	    wait_blocked_in_send(p->caller_tid, p->caller_conn->fd,
				 WAIT_MS)) {
		/* act anyway, so that the caller does not hang */
		p->err = -ETIMEDOUT;
		kdbus_log("poke: the call never started waiting");
	}
	p->ret = p->fn(p);
	return NULL;
}

/* start a helper acting with @fn while the calling thread waits */
static int poke_start(struct poke *p, int (*fn)(struct poke *p),
		      struct kdbus_conn *caller, struct kdbus_conn *callee)
{
	p->fn = fn;
	p->caller = pthread_self();
	p->caller_tid = kdbus_gettid();
	p->caller_conn = caller;
	p->callee = callee;
	p->err = 0;
	p->ret = -EINPROGRESS;
	return -pthread_create(&p->thread, NULL, poke_thread, p);
}

static int poke_join(struct poke *p)
{
	pthread_join(p->thread, NULL);
	return p->err;
}

/* ------------------------------------------------------------------ */
/* fixture: a world-accessible bus with a caller and a callee         */
/* ------------------------------------------------------------------ */

FIXTURE(sync) {
	struct kdbus_domain dom;
	int owner;		/* BUS_OWNER handle */
	char bus[64];
	struct kdbus_conn a;	/* caller */
	struct kdbus_conn b;	/* callee */
	struct kdbus_conn c;	/* a third party, opened by some tests */
};

FIXTURE_SETUP(sync)
{
	self->owner = -1;
	self->a.fd = -1;
	self->b.fd = -1;
	self->c.fd = -1;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
				       "sync", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->owner);
	ASSERT_EQ(0, kdbus_conn_new(&self->a, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&self->b, &self->dom, self->bus, NULL, 0));
}

FIXTURE_TEARDOWN(sync)
{
	if (self->c.fd >= 0)
		kdbus_conn_free(&self->c);
	if (self->b.fd >= 0)
		kdbus_conn_free(&self->b);
	if (self->a.fd >= 0)
		kdbus_conn_free(&self->a);
	if (self->owner >= 0)
		close(self->owner);
	kdbus_domain_umount(&self->dom);
}

/* ------------------------------------------------------------------ */
/* asynchronous calls                                                 */
/* ------------------------------------------------------------------ */

/*
 * An asynchronous call: the callee sees the absolute deadline unchanged,
 * the reply reaches the caller, the SEND returns the empty slice, and no
 * REPLY_TIMEOUT follows after the deadline has passed.
 */
TEST_F(sync, async_call_and_reply)
{
	struct kdbus_msg_info info = { .offset = 1, .msg_size = 1 };
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	__u64 deadline = kdbus_now_ns() + MEDIUM_NS;
	char buf[64];

	msg = call_new(self->b.id, 0x1234, deadline, buf, sizeof(buf));
	ASSERT_EQ(0, kdbus_send(&self->a, msg, 0, -1, &info));
	kdbus_msg_release(msg);
	/* asynchronous sends report the empty slice */
	EXPECT_EQ(self->a.pool_size, info.offset);
	EXPECT_EQ(0ULL, info.msg_size);
	EXPECT_EQ(0ULL, info.return_flags);

	ASSERT_EQ(0, recv_request(&self->b, self->a.id, 0x1234, deadline));
	ASSERT_EQ(0, reply_to(&self->b, self->a.id, 0x1234));

	ASSERT_EQ(0, kdbus_recv_wait(&self->a, WAIT_MS, &recv, &msg));
	EXPECT_EQ(self->b.id, msg->src_id);
	EXPECT_EQ(self->a.id, msg->dst_id);
	EXPECT_EQ(0x1234ULL, msg->cookie_reply);
	EXPECT_EQ(0ULL, msg->flags & KDBUS_MSG_EXPECT_REPLY);
	EXPECT_TRUE(kdbus_msg_payload_is(msg, "reply:1234"));
	EXPECT_EQ(0, kdbus_free(&self->a, recv.msg.offset));

	/* the tracker is gone: no second reply, no timeout later */
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0x1234));
	while (kdbus_now_ns() < deadline)
		kdbus_sleep_ms(20);
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
	EXPECT_EQ(0, queue_empty(&self->b, 0));
}

/* only the callee may answer, only for the cookie, only to the caller */
TEST_F(sync, reply_only_from_callee_for_cookie)
{
	__u64 deadline = kdbus_now_ns() + LONG_NS;
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;

	ASSERT_EQ(0, kdbus_conn_new(&self->c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, call_async(&self->a, self->b.id, 77, deadline));
	ASSERT_EQ(0, recv_request(&self->b, self->a.id, 77, deadline));

	/* a third connection cannot answer b's request */
	EXPECT_EQ(-EPERM, reply_to(&self->c, self->a.id, 77));
	/* the callee cannot answer another cookie */
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 78));
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 76));
	/* nor send the reply to somebody else */
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->c.id, 77));
	/* the caller cannot answer its own request */
	EXPECT_EQ(-EPERM, reply_to(&self->a, self->a.id, 77));
	/* nothing of that reached anybody */
	EXPECT_EQ(0, queue_empty(&self->a, 0));
	EXPECT_EQ(0, queue_empty(&self->c, 0));

	/* the right reply is accepted once */
	EXPECT_EQ(0, reply_to(&self->b, self->a.id, 77));
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 77));

	ASSERT_EQ(0, kdbus_recv(&self->a, 0, 0, &recv, &msg));
	EXPECT_EQ(self->b.id, msg->src_id);
	EXPECT_EQ(77ULL, msg->cookie_reply);
	EXPECT_EQ(0, kdbus_free(&self->a, recv.msg.offset));
	EXPECT_EQ(0, queue_empty(&self->a, 0));
}

/*
 * The deadline passes: the caller gets exactly one REPLY_TIMEOUT with the
 * contract's layout, not before the deadline, and a late reply is refused.
 */
TEST_F(sync, async_reply_timeout)
{
	__u64 deadline = kdbus_now_ns() + SHORT_NS;

	ASSERT_EQ(0, call_async(&self->a, self->b.id, 0xabc, deadline));
	ASSERT_EQ(0, recv_request(&self->b, self->a.id, 0xabc, deadline));

	EXPECT_EQ(0, recv_reply_notification(&self->a,
					     KDBUS_ITEM_REPLY_TIMEOUT,
					     0xabc, WAIT_MS));
	EXPECT_LE(deadline, kdbus_now_ns());

	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0xabc));
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* timeouts arrive in deadline order, one per request */
TEST_F(sync, async_reply_timeout_order)
{
	__u64 now = kdbus_now_ns();

	ASSERT_EQ(0, call_async(&self->a, self->b.id, 1, now + 2 * SHORT_NS));
	ASSERT_EQ(0, call_async(&self->a, self->b.id, 2, now + SHORT_NS));

	EXPECT_EQ(0, recv_reply_notification(&self->a,
					     KDBUS_ITEM_REPLY_TIMEOUT, 2,
					     WAIT_MS));
	EXPECT_LE(now + SHORT_NS, kdbus_now_ns());
	EXPECT_EQ(0, recv_reply_notification(&self->a,
					     KDBUS_ITEM_REPLY_TIMEOUT, 1,
					     WAIT_MS));
	EXPECT_LE(now + 2 * SHORT_NS, kdbus_now_ns());
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/*
 * A deadline already in the past still sends the message (with the header
 * unchanged), and the timeout notification follows at once.
 */
TEST_F(sync, async_deadline_in_past)
{
	static const __u64 deadlines[] = { 1, 0 };
	unsigned int i;
	__u64 deadline;

	for (i = 0; i < ARRAY_SIZE(deadlines); i++) {
		/* 0 stands for "just now, minus a millisecond" */
		deadline = deadlines[i] ? deadlines[i] :
			   kdbus_now_ns() - NSEC_PER_MSEC;
		ASSERT_EQ(0, call_async(&self->a, self->b.id, 10 + i,
					deadline));
		EXPECT_EQ(0, recv_request(&self->b, self->a.id, 10 + i,
					  deadline));
		EXPECT_EQ(0, recv_reply_notification(&self->a,
						     KDBUS_ITEM_REPLY_TIMEOUT,
						     10 + i, WAIT_MS));
		EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 10 + i));
	}
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* EXPECT_REPLY needs a deadline and a cookie, and is no signal */
TEST_F(sync, async_call_invalid)
{
	struct kdbus_msg *msg;
	__u64 bloom[64];
	char buf[64];

	msg = call_new(self->b.id, 5, 0, buf, sizeof(buf));
	EXPECT_EQ(-EINVAL, kdbus_send(&self->a, msg, 0, -1, NULL));
	EXPECT_EQ(-EINVAL, kdbus_send(&self->a, msg, KDBUS_SEND_SYNC_REPLY,
				      -1, NULL));
	kdbus_msg_release(msg);

	msg = call_new(self->b.id, 0, kdbus_now_ns() + LONG_NS, buf,
		       sizeof(buf));
	EXPECT_EQ(-EINVAL, kdbus_send(&self->a, msg, 0, -1, NULL));
	kdbus_msg_release(msg);

	/* a signal (with its mandatory bloom filter) cannot expect a reply */
	memset(bloom, 0, sizeof(bloom));
	ASSERT_GE(sizeof(bloom), self->a.bloom_size);
	msg = call_new(self->b.id, 6, kdbus_now_ns() + LONG_NS, buf,
		       sizeof(buf));
	msg->flags |= KDBUS_MSG_SIGNAL;
	kdbus_msg_add_bloom(msg, 0, bloom, self->a.bloom_size);
	EXPECT_EQ(-EINVAL, kdbus_send(&self->a, msg, 0, -1, NULL));
	kdbus_msg_release(msg);

	EXPECT_EQ(0, queue_empty(&self->b, 0));
}

/* the callee closes without reading the request */
TEST_F(sync, reply_dead_on_close_unread)
{
	__u64 deadline = kdbus_now_ns() + MEDIUM_NS;

	ASSERT_EQ(0, call_async(&self->a, self->b.id, 0x51, deadline));
	ASSERT_EQ(0, kdbus_wait_pollin(self->b.fd, WAIT_MS));
	conn_close(&self->b);

	EXPECT_EQ(0, recv_reply_notification(&self->a, KDBUS_ITEM_REPLY_DEAD,
					     0x51, WAIT_MS));
	/* exactly one, and no REPLY_TIMEOUT after the deadline either */
	while (kdbus_now_ns() < deadline)
		kdbus_sleep_ms(20);
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* the callee read the request but closes without answering */
TEST_F(sync, reply_dead_on_close_read)
{
	__u64 deadline = kdbus_now_ns() + MEDIUM_NS;

	ASSERT_EQ(0, call_async(&self->a, self->b.id, 0x52, deadline));
	ASSERT_EQ(0, recv_request(&self->b, self->a.id, 0x52, deadline));
	conn_close(&self->b);

	EXPECT_EQ(0, recv_reply_notification(&self->a, KDBUS_ITEM_REPLY_DEAD,
					     0x52, WAIT_MS));
	while (kdbus_now_ns() < deadline)
		kdbus_sleep_ms(20);
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/*
 * Several requests, read and unread, one answered: the answered one gets
 * its reply, each other one exactly one REPLY_DEAD.
 */
TEST_F(sync, reply_dead_once_per_request)
{
	__u64 deadline = kdbus_now_ns() + LONG_NS;
	bool seen[4] = { false };
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	unsigned int i, dead = 0;

	for (i = 1; i <= 4; i++)
		ASSERT_EQ(0, call_async(&self->a, self->b.id, i, deadline));
	/* 1 answered, 2 read, 3 and 4 left queued */
	ASSERT_EQ(0, recv_request(&self->b, self->a.id, 1, deadline));
	ASSERT_EQ(0, recv_request(&self->b, self->a.id, 2, deadline));
	ASSERT_EQ(0, reply_to(&self->b, self->a.id, 1));
	conn_close(&self->b);

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, kdbus_recv_wait(&self->a, WAIT_MS, &recv, &msg));
		if (msg->src_id == KDBUS_SRC_ID_KERNEL) {
			EXPECT_EQ(REPLY_NOTIFY_SIZE, msg->size);
			EXPECT_EQ((__u64)KDBUS_ITEM_REPLY_DEAD,
				  msg->items[0].type);
			EXPECT_LE(2ULL, msg->cookie_reply);
			EXPECT_GE(4ULL, msg->cookie_reply);
			dead++;
		} else {
			EXPECT_EQ(1ULL, msg->cookie_reply);
			EXPECT_TRUE(kdbus_msg_payload_is(msg, "reply:1"));
		}
		if (msg->cookie_reply >= 1 && msg->cookie_reply <= 4) {
			/* each request is reported once */
			EXPECT_FALSE(seen[msg->cookie_reply - 1]);
			seen[msg->cookie_reply - 1] = true;
		}
		EXPECT_EQ(0, kdbus_free(&self->a, recv.msg.offset));
	}
	EXPECT_EQ(3U, dead);
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* BYEBYE of the callee is a disconnect like close */
TEST_F(sync, reply_dead_on_byebye)
{
	__u64 deadline = kdbus_now_ns() + LONG_NS;

	ASSERT_EQ(0, call_async(&self->a, self->b.id, 0x53, deadline));
	ASSERT_EQ(0, recv_request(&self->b, self->a.id, 0x53, deadline));
	ASSERT_EQ(0, kdbus_byebye(&self->b));

	EXPECT_EQ(0, recv_reply_notification(&self->a, KDBUS_ITEM_REPLY_DEAD,
					     0x53, WAIT_MS));
	EXPECT_EQ(-ECONNRESET, reply_to(&self->b, self->a.id, 0x53));
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* the callee drops the request unread */
TEST_F(sync, reply_dead_on_recv_drop)
{
	struct kdbus_cmd_recv recv;

	ASSERT_EQ(0, call_async(&self->a, self->b.id, 0x54,
				kdbus_now_ns() + LONG_NS));
	ASSERT_EQ(0, kdbus_wait_pollin(self->b.fd, WAIT_MS));
	ASSERT_EQ(0, kdbus_recv(&self->b, KDBUS_RECV_DROP, 0, &recv, NULL));
	EXPECT_EQ(self->b.pool_size, recv.msg.offset);
	EXPECT_EQ(0ULL, recv.msg.msg_size);

	EXPECT_EQ(0, recv_reply_notification(&self->a, KDBUS_ITEM_REPLY_DEAD,
					     0x54, WAIT_MS));
	/* the tracker is gone */
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0x54));
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
	EXPECT_EQ(0, queue_empty(&self->b, 0));
}

/*
 * 128 pending requests per caller: the 129th (asynchronous or
 * synchronous) fails with EMLINK and is not sent; receiving requests does
 * not free a slot, a reply does.
 */
TEST_F(sync, pending_request_limit)
{
	__u64 deadline = kdbus_now_ns() + 10 * LONG_NS;
	struct kdbus_msg_info info;
	unsigned int i;

	ASSERT_EQ(0, kdbus_conn_new(&self->c, &self->dom, self->bus, NULL, 0));
	for (i = 1; i <= KDBUS_CONN_MAX_REQUESTS_PENDING; i++)
		ASSERT_EQ(0, call_async(&self->a, self->b.id, i, deadline))
			TH_LOG("request %u", i);
	EXPECT_EQ(-EMLINK, call_async(&self->a, self->b.id, 1000, deadline));
	EXPECT_EQ(-EMLINK, call_sync(&self->a, self->b.id, 1001, deadline, -1,
				     &info));
	/* plain messages are not limited */
	EXPECT_EQ(0, kdbus_send_simple(&self->a, self->c.id, 1002, 0, 0,
				       "x", 1));
	/* the limit is per caller */
	EXPECT_EQ(0, call_async(&self->c, self->b.id, 1003, deadline));

	/* b got exactly the 128 requests of a, then c's */
	for (i = 1; i <= KDBUS_CONN_MAX_REQUESTS_PENDING; i++)
		ASSERT_EQ(0, recv_request(&self->b, self->a.id, i, deadline));
	ASSERT_EQ(0, recv_request(&self->b, self->c.id, 1003, deadline));
	EXPECT_EQ(0, queue_empty(&self->b, 0));

	/* received but unanswered requests still count */
	EXPECT_EQ(-EMLINK, call_async(&self->a, self->b.id, 1004, deadline));

	/* a reply frees exactly one slot */
	ASSERT_EQ(0, reply_to(&self->b, self->a.id, 5));
	EXPECT_EQ(0, call_async(&self->a, self->b.id, 1005, deadline));
	EXPECT_EQ(-EMLINK, call_async(&self->a, self->b.id, 1006, deadline));
	EXPECT_EQ(0, recv_request(&self->b, self->a.id, 1005, deadline));
	EXPECT_EQ(0, queue_empty(&self->b, 0));
}

/* a timed-out request frees its slot, too */
TEST_F(sync, pending_limit_freed_by_timeout)
{
	__u64 far = kdbus_now_ns() + 10 * LONG_NS;
	unsigned int i;

	for (i = 1; i < KDBUS_CONN_MAX_REQUESTS_PENDING; i++)
		ASSERT_EQ(0, call_async(&self->a, self->b.id, i, far));
	ASSERT_EQ(0, call_async(&self->a, self->b.id, 500,
				kdbus_now_ns() + MEDIUM_NS));
	EXPECT_EQ(-EMLINK, call_async(&self->a, self->b.id, 501, far));
	EXPECT_EQ(0, recv_reply_notification(&self->a,
					     KDBUS_ITEM_REPLY_TIMEOUT, 500,
					     WAIT_MS));
	EXPECT_EQ(0, call_async(&self->a, self->b.id, 502, far));
	EXPECT_EQ(-EMLINK, call_async(&self->a, self->b.id, 503, far));
}

/* ------------------------------------------------------------------ */
/* synchronous calls                                                  */
/* ------------------------------------------------------------------ */

/*
 * The reply is placed in the caller's pool; the caller must FREE it; it is
 * not queued; no notification follows after the deadline.
 */
TEST_F(sync, sync_call_reply)
{
	__u64 deadline = kdbus_now_ns() + MEDIUM_NS;
	struct kdbus_msg_info info;
	struct peer p;
	int ret;

	ASSERT_EQ(0, peer_start(&p, &self->b, PEER_REPLY, 1));
	memset(&info, 0xff, sizeof(info));
	ret = call_sync(&self->a, self->b.id, 0x5151, deadline, -1, &info);
	ASSERT_EQ(0, peer_join(&p));
	ASSERT_EQ(0, ret);
	EXPECT_EQ(self->a.id, p.src[0]);
	EXPECT_EQ(0x5151ULL, p.cookie[0]);
	EXPECT_EQ(0ULL, info.return_flags);
	EXPECT_EQ(0, check_reply(&self->a, &info, 0x5151, self->b.id));
	/* the slice was freed by check_reply(): a second FREE fails */
	EXPECT_EQ(-ENXIO, kdbus_free(&self->a, info.offset));

	/* the tracker is consumed */
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0x5151));
	/* nothing was queued, and nothing comes after the deadline */
	while (kdbus_now_ns() < deadline)
		kdbus_sleep_ms(20);
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* what a poke does on behalf of the callee, see poke_answer() */
struct answer_ctx {
	struct kdbus_conn *callee;
	struct kdbus_conn *stranger;
	__u64 caller;
	__u64 cookie;
	__u64 deadline;
	int first;		/* result of the first action */
	int recv_ret;		/* the callee received the request */
};

/* the callee receives the request and answers it */
static int poke_answer(struct poke *p)
{
	struct answer_ctx *ctx = p->data;

	ctx->recv_ret = recv_request(ctx->callee, ctx->caller, ctx->cookie,
				     ctx->deadline);
	return reply_to(ctx->callee, ctx->caller, ctx->cookie);
}

/* a stranger tries to answer first */
static int poke_stranger_then_answer(struct poke *p)
{
	struct answer_ctx *ctx = p->data;

	ctx->first = reply_to(ctx->stranger, ctx->caller, ctx->cookie);
	return poke_answer(p);
}

/* the caller's connection is asked to BYEBYE first */
static int poke_byebye_then_answer(struct poke *p)
{
	struct answer_ctx *ctx = p->data;

	ctx->first = kdbus_byebye(p->caller_conn);
	return poke_answer(p);
}

/* while a synchronous caller waits, only its callee can answer */
TEST_F(sync, sync_reply_from_stranger_refused)
{
	struct answer_ctx ctx = { 0 };
	struct kdbus_msg_info info;
	struct poke poke = { 0 };
	int ret;

	ASSERT_EQ(0, kdbus_conn_new(&self->c, &self->dom, self->bus, NULL, 0));
	ctx.callee = &self->b;
	ctx.stranger = &self->c;
	ctx.caller = self->a.id;
	ctx.cookie = 0x77;
	ctx.deadline = kdbus_now_ns() + LONG_NS;
	poke.data = &ctx;
	ASSERT_EQ(0, poke_start(&poke, poke_stranger_then_answer, &self->a,
				&self->b));
	ret = call_sync(&self->a, self->b.id, ctx.cookie, ctx.deadline, -1,
			&info);
	EXPECT_EQ(0, poke_join(&poke));
	EXPECT_EQ(-EPERM, ctx.first);
	EXPECT_EQ(0, ctx.recv_ret);
	EXPECT_EQ(0, poke.ret);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, check_reply(&self->a, &info, ctx.cookie, self->b.id));
	EXPECT_EQ(0, queue_empty(&self->a, 0));
	EXPECT_EQ(0, queue_empty(&self->c, 0));
}

/* the callee never answers: ETIMEDOUT at the deadline, no notification */
TEST_F(sync, sync_timeout)
{
	__u64 deadline = kdbus_now_ns() + SHORT_NS;
	struct kdbus_msg_info info;

	EXPECT_EQ(-ETIMEDOUT, call_sync(&self->a, self->b.id, 0x99, deadline,
					-1, &info));
	EXPECT_LE(deadline, kdbus_now_ns());
	/* the request was sent; answering it now is too late */
	EXPECT_EQ(0, recv_request(&self->b, self->a.id, 0x99, deadline));
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0x99));
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* a deadline already past: ETIMEDOUT at once, nothing sent */
TEST_F(sync, sync_deadline_in_past)
{
	struct kdbus_msg_info info;
	__u64 start = kdbus_now_ns();

	EXPECT_EQ(-ETIMEDOUT, call_sync(&self->a, self->b.id, 0x98, 1, -1,
					&info));
	EXPECT_EQ(-ETIMEDOUT, call_sync(&self->a, self->b.id, 0x97,
					kdbus_now_ns() - NSEC_PER_MSEC, -1,
					&info));
	/* "at once": well before any deadline a test would wait for */
	EXPECT_GT(start + LONG_NS, kdbus_now_ns());
	EXPECT_EQ(0, queue_empty(&self->b, 0));
	/* no tracker was made */
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0x98));
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0x97));
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* SYNC_REPLY requires EXPECT_REPLY */
TEST_F(sync, sync_without_expect_reply)
{
	struct kdbus_msg *msg = kdbus_msg_new(self->b.id, 0x96);
	struct kdbus_msg_info info;

	kdbus_msg_add_vec(msg, "call:96", 7);
	EXPECT_EQ(-EINVAL, kdbus_send(&self->a, msg, KDBUS_SEND_SYNC_REPLY,
				      -1, &info));
	/* a reply-shaped message (cookie_reply set) is no better */
	msg->cookie_reply = 0x95;
	EXPECT_EQ(-EINVAL, kdbus_send(&self->a, msg, KDBUS_SEND_SYNC_REPLY,
				      -1, &info));
	kdbus_msg_release(msg);
	EXPECT_EQ(0, queue_empty(&self->b, 0));
}

/* the callee is a forked child that receives the request and goes away */
static int peer_child(struct kdbus_conn *b, __u64 src, __u64 cookie,
		      bool explicit_close)
{
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	int ret;

	ret = kdbus_recv_wait(b, WAIT_MS, &recv, &msg);
	if (ret) {
		kdbus_log("child: RECV: %s", strerror(-ret));
		return 1;
	}
	if (msg->src_id != src || msg->cookie != cookie) {
		kdbus_log("child: unexpected message");
		return 2;
	}
	if (explicit_close) {
		kdbus_conn_free(b);
		kdbus_sleep_ms(100);
	}
	return 0;
}

static void sync_peer_dies(struct __test_metadata *_metadata,
			   struct kdbus_conn *a, struct kdbus_conn *b,
			   bool explicit_close)
{
	struct kdbus_msg_info info;
	__u64 b_id = b->id;
	int status, ret;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(peer_child(b, a->id, 0x61, explicit_close));
	/* the child holds the last reference to b */
	conn_close(b);

	ret = call_sync(a, b_id, 0x61, kdbus_now_ns() + LONG_NS, -1, &info);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-EPIPE, ret);
	/* no REPLY_DEAD for a synchronous caller */
	EXPECT_EQ(0, queue_empty(a, QUIET_MS));
}

TEST_F(sync, sync_peer_exits)
{
	sync_peer_dies(_metadata, &self->a, &self->b, false);
}

TEST_F(sync, sync_peer_closes)
{
	sync_peer_dies(_metadata, &self->a, &self->b, true);
}

/* the callee, a thread of this process, reads and closes */
TEST_F(sync, sync_peer_thread_closes)
{
	struct kdbus_msg_info info;
	__u64 b_id = self->b.id;
	struct peer p;
	int ret;

	ASSERT_EQ(0, peer_start(&p, &self->b, PEER_CLOSE, 1));
	ret = call_sync(&self->a, b_id, 0x62, kdbus_now_ns() + LONG_NS, -1,
			&info);
	ASSERT_EQ(0, peer_join(&p));
	EXPECT_EQ(-EPIPE, ret);
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* the callee drops the request */
TEST_F(sync, sync_peer_recv_drop)
{
	struct kdbus_msg_info info;
	struct peer p;
	int ret;

	ASSERT_EQ(0, peer_start(&p, &self->b, PEER_DROP, 1));
	ret = call_sync(&self->a, self->b.id, 0x63, kdbus_now_ns() + LONG_NS,
			-1, &info);
	ASSERT_EQ(0, peer_join(&p));
	EXPECT_EQ(-EPIPE, ret);
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0x63));
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* another thread says BYEBYE on the waiting caller's connection */
TEST_F(sync, sync_caller_byebye)
{
	struct kdbus_msg_info info;
	struct poke poke = { 0 };
	int ret;

	ASSERT_EQ(0, poke_start(&poke, poke_byebye, &self->a, &self->b));
	ret = call_sync(&self->a, self->b.id, 0x64, kdbus_now_ns() + LONG_NS,
			-1, &info);
	EXPECT_EQ(0, poke_join(&poke));
	EXPECT_EQ(0, poke.ret);
	EXPECT_EQ(-ECONNRESET, ret);
	/* the caller is gone: its requests are forgotten */
	EXPECT_EQ(-ECONNRESET, kdbus_free(&self->a, self->a.pool_size));
	EXPECT_EQ(-ENXIO, reply_to(&self->b, self->a.id, 0x64));
}

/*
 * BYEBYE from another thread fails with EBUSY while a message is queued
 * for the caller, and the waiting call is not disturbed.
 */
TEST_F(sync, sync_caller_byebye_busy)
{
	struct answer_ctx ctx = { 0 };
	struct kdbus_cmd_recv recv;
	struct kdbus_msg_info info;
	struct poke poke = { 0 };
	struct kdbus_msg *msg;
	int ret;

	ASSERT_EQ(0, kdbus_conn_new(&self->c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_send_simple(&self->c, self->a.id, 0x65, 0, 0,
				       "queued", 6));
	ctx.callee = &self->b;
	ctx.caller = self->a.id;
	ctx.cookie = 0x66;
	ctx.deadline = kdbus_now_ns() + LONG_NS;
	poke.data = &ctx;
	ASSERT_EQ(0, poke_start(&poke, poke_byebye_then_answer, &self->a,
				&self->b));
	ret = call_sync(&self->a, self->b.id, ctx.cookie, ctx.deadline, -1,
			&info);
	EXPECT_EQ(0, poke_join(&poke));
	EXPECT_EQ(-EBUSY, ctx.first);
	EXPECT_EQ(0, ctx.recv_ret);
	EXPECT_EQ(0, poke.ret);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, check_reply(&self->a, &info, ctx.cookie, self->b.id));

	/* the queued message is still there */
	ASSERT_EQ(0, kdbus_recv(&self->a, 0, 0, &recv, &msg));
	EXPECT_EQ(self->c.id, msg->src_id);
	EXPECT_EQ(0x65ULL, msg->cookie);
	EXPECT_EQ(0, kdbus_free(&self->a, recv.msg.offset));
	EXPECT_EQ(0, queue_empty(&self->a, 0));
}

/* closing the bus owner disconnects the waiting caller */
TEST_F(sync, sync_bus_teardown)
{
	struct kdbus_msg_info info;
	struct poke poke = { 0 };
	int ret;

	poke.fd = self->owner;
	self->owner = -1;
	ASSERT_EQ(0, poke_start(&poke, poke_close, &self->a, &self->b));
	ret = call_sync(&self->a, self->b.id, 0x67, kdbus_now_ns() + LONG_NS,
			-1, &info);
	EXPECT_EQ(0, poke_join(&poke));
	EXPECT_EQ(0, poke.ret);
	EXPECT_EQ(-ECONNRESET, ret);
	EXPECT_EQ(-ECONNRESET, kdbus_free(&self->a, self->a.pool_size));
	EXPECT_EQ(-ECONNRESET, kdbus_free(&self->b, self->b.pool_size));
}

/*
 * A reply carrying an fd to a caller without ACCEPT_FD: the replier gets
 * ECOMM, the caller EREMOTEIO, and nothing is queued.
 */
TEST_F(sync, sync_reply_fd_not_accepted)
{
	struct kdbus_msg_info info;
	struct peer p;
	int ret;

	ASSERT_EQ(0, peer_start_waiting(&p, &self->b, PEER_REPLY_FD,
					kdbus_gettid(), self->a.fd));
	ret = call_sync(&self->a, self->b.id, 0x70, kdbus_now_ns() + LONG_NS,
			-1, &info);
	ASSERT_EQ(0, peer_join(&p));
	EXPECT_EQ(-ECOMM, p.reply_ret);
	EXPECT_EQ(-EREMOTEIO, ret);
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* with ACCEPT_FD the reply's fd is installed, close-on-exec */
TEST_F(sync, sync_reply_fd_accepted)
{
	const struct kdbus_item *item;
	const struct kdbus_msg *msg;
	struct kdbus_msg_info info;
	struct stat st;
	struct peer p;
	int ret, fd;

	ASSERT_EQ(0, kdbus_conn_new(&self->c, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	ASSERT_EQ(0, peer_start_waiting(&p, &self->b, PEER_REPLY_FD,
					kdbus_gettid(), self->c.fd));
	ret = call_sync(&self->c, self->b.id, 0x71, kdbus_now_ns() + LONG_NS,
			-1, &info);
	ASSERT_EQ(0, peer_join(&p));
	EXPECT_EQ(0, p.reply_ret);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0ULL, info.return_flags);
	ASSERT_GT(self->c.pool_size, info.offset);

	msg = (const void *)((const __u8 *)self->c.pool + info.offset);
	item = kdbus_msg_find(msg, KDBUS_ITEM_FDS);
	ASSERT_NE(NULL, item);
	EXPECT_EQ(KDBUS_ITEM_HEADER_SIZE + sizeof(int), item->size);
	fd = item->fds[0];
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	close(fd);
	EXPECT_EQ(0, check_reply(&self->c, &info, 0x71, self->b.id));
}

/* the CANCEL_FD becomes readable while the caller waits */
TEST_F(sync, sync_cancel_fd)
{
	__u64 deadline = kdbus_now_ns() + LONG_NS;
	struct kdbus_msg_info info;
	struct poke poke = { 0 };
	int efd, ret;

	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	poke.fd = efd;
	ASSERT_EQ(0, poke_start(&poke, poke_eventfd, &self->a, &self->b));
	ret = call_sync(&self->a, self->b.id, 0x80, deadline, efd, &info);
	EXPECT_EQ(0, poke_join(&poke));
	EXPECT_EQ(0, poke.ret);
	EXPECT_EQ(-ECANCELED, ret);
	EXPECT_GT(deadline, kdbus_now_ns());
	/* the request had been sent */
	EXPECT_EQ(0, recv_request(&self->b, self->a.id, 0x80, deadline));
	EXPECT_EQ(0, queue_empty(&self->a, 0));
	close(efd);
}

/* a CANCEL_FD that is readable from the start cancels the wait at once */
TEST_F(sync, sync_cancel_fd_already_readable)
{
	__u64 deadline = kdbus_now_ns() + LONG_NS;
	struct kdbus_msg_info info;
	int efd;

	efd = eventfd(1, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	EXPECT_EQ(-ECANCELED, call_sync(&self->a, self->b.id, 0x81, deadline,
					efd, &info));
	EXPECT_GT(deadline, kdbus_now_ns());
	close(efd);
}

/* CANCEL_FD is ignored by asynchronous sends */
TEST_F(sync, cancel_fd_ignored_when_async)
{
	__u64 deadline = kdbus_now_ns() + LONG_NS;
	struct kdbus_msg *msg;
	char buf[64];
	int efd;

	efd = eventfd(1, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	msg = call_new(self->b.id, 0x82, deadline, buf, sizeof(buf));
	EXPECT_EQ(0, kdbus_send(&self->a, msg, 0, efd, NULL));
	kdbus_msg_release(msg);
	EXPECT_EQ(0, recv_request(&self->b, self->a.id, 0x82, deadline));
	close(efd);
}

/* a CANCEL_FD that cannot be polled (a memfd) is refused */
TEST_F(sync, cancel_fd_not_pollable)
{
	struct kdbus_msg_info info;
	int mfd;

	mfd = memfd_create("kdbus-cancel", MFD_CLOEXEC);
	ASSERT_LE(0, mfd);
	EXPECT_EQ(-EINVAL, call_sync(&self->a, self->b.id, 0x83,
				     kdbus_now_ns() + LONG_NS, mfd, &info));
	EXPECT_EQ(0, queue_empty(&self->b, 0));
	/* no tracker was left behind */
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0x83));
	close(mfd);
}

/* malformed CANCEL_FD items in the SEND argument */
TEST_F(sync, cancel_fd_item_malformed)
{
	__u64 deadline = kdbus_now_ns() + LONG_NS;
	struct kdbus_cmd_send *cmd;
	struct kdbus_msg *msg;
	__u64 eight = 0;
	char buf[64];
	int efd, i;

	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	msg = call_new(self->b.id, 0x84, deadline, buf, sizeof(buf));
	for (i = 0; i < 3; i++) {
		cmd = kdbus_args_new(sizeof(*cmd));
		cmd->flags = KDBUS_SEND_SYNC_REPLY;
		cmd->msg_address = (uintptr_t)msg;
		switch (i) {
		case 0:		/* payload of 8 bytes instead of 4 */
			eight = (__u32)efd;
			kdbus_args_add(cmd, KDBUS_ITEM_CANCEL_FD, &eight,
				       sizeof(eight));
			break;
		case 1:		/* no payload */
			kdbus_args_add(cmd, KDBUS_ITEM_CANCEL_FD, NULL, 0);
			break;
		default:	/* twice */
			kdbus_args_add(cmd, KDBUS_ITEM_CANCEL_FD, &efd,
				       sizeof(efd));
			kdbus_args_add(cmd, KDBUS_ITEM_CANCEL_FD, &efd,
				       sizeof(efd));
			break;
		}
		EXPECT_EQ(-EINVAL, kdbus_ioctl(self->a.fd, KDBUS_CMD_SEND,
					       cmd)) TH_LOG("case %d", i);
		kdbus_args_release(cmd);
	}
	kdbus_msg_release(msg);
	EXPECT_EQ(0, queue_empty(&self->b, 0));
	close(efd);
}

/*
 * A signal whose handler does not restart syscalls: EINTR. The tracker is
 * kept: issuing the same call again resumes waiting without sending the
 * request again, and the reply arrives.
 */
TEST_F(sync, sync_eintr_then_resume)
{
	__u64 deadline = kdbus_now_ns() + LONG_NS;
	struct kdbus_msg_info info;
	struct poke poke = { 0 };
	struct kdbus_msg *msg;
	struct peer p;
	char buf[64];
	int ret;

	ASSERT_EQ(0, install_handler(SIGUSR1, 0));
	msg = call_new(self->b.id, 0x90, deadline, buf, sizeof(buf));
	poke.sig = SIGUSR1;
	ASSERT_EQ(0, poke_start(&poke, poke_signal, &self->a, &self->b));
	ret = kdbus_send(&self->a, msg, KDBUS_SEND_SYNC_REPLY, -1, &info);
	EXPECT_EQ(0, poke_join(&poke));
	EXPECT_EQ(0, poke.ret);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_EQ(1, signals_seen());
	EXPECT_GT(deadline, kdbus_now_ns());

	ASSERT_EQ(0, peer_start_waiting(&p, &self->b, PEER_REPLY,
					kdbus_gettid(), self->a.fd));
	ret = kdbus_send(&self->a, msg, KDBUS_SEND_SYNC_REPLY, -1, &info);
	kdbus_msg_release(msg);
	ASSERT_EQ(0, peer_join(&p));
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, check_reply(&self->a, &info, 0x90, self->b.id));
	/* the request was queued only once */
	EXPECT_EQ(0, queue_empty(&self->b, 0));
	EXPECT_EQ(0, queue_empty(&self->a, 0));
}

/*
 * After EINTR the tracker lives until its deadline, silently: no
 * REPLY_TIMEOUT for a synchronous call, and a late reply is refused.
 */
TEST_F(sync, sync_eintr_no_notification)
{
	__u64 deadline = kdbus_now_ns() + MEDIUM_NS;
	struct kdbus_msg_info info;
	struct poke poke = { 0 };
	int ret;

	ASSERT_EQ(0, install_handler(SIGUSR1, 0));
	poke.sig = SIGUSR1;
	ASSERT_EQ(0, poke_start(&poke, poke_signal, &self->a, &self->b));
	ret = call_sync(&self->a, self->b.id, 0x91, deadline, -1, &info);
	EXPECT_EQ(0, poke_join(&poke));
	ASSERT_EQ(-EINTR, ret);
	EXPECT_EQ(0, recv_request(&self->b, self->a.id, 0x91, deadline));
	while (kdbus_now_ns() < deadline)
		kdbus_sleep_ms(20);
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
	EXPECT_EQ(-EPERM, reply_to(&self->b, self->a.id, 0x91));
}

/*
 * SA_RESTART: the handler runs while the caller waits, the call resumes
 * transparently, and the callee answers only after the signal: the
 * tracker survived the interruption.
 */
TEST_F(sync, sync_sa_restart_transparent)
{
	struct kdbus_msg_info info;
	struct poke poke = { 0 };
	struct peer p;
	int ret;

	ASSERT_EQ(0, install_handler(SIGALRM, SA_RESTART));
	/* b waits for the handler, reads, waits for the restart, answers */
	peer_init(&p, &self->b, PEER_REPLY, 1);
	p.after_signal = true;
	p.caller_tid = kdbus_gettid();
	p.caller_fd = self->a.fd;
	poke.sig = SIGALRM;
	ASSERT_EQ(0, poke_start(&poke, poke_signal, &self->a, &self->b));
	ASSERT_EQ(0, peer_run(&p));
	ret = call_sync(&self->a, self->b.id, 0x92, kdbus_now_ns() + LONG_NS,
			-1, &info);
	EXPECT_EQ(0, poke_join(&poke));
	EXPECT_EQ(0, poke.ret);
	ASSERT_EQ(0, peer_join(&p));
	ASSERT_EQ(0, ret);
	EXPECT_EQ(1, signals_seen());
	EXPECT_EQ(0, check_reply(&self->a, &info, 0x92, self->b.id));
	EXPECT_EQ(0, queue_empty(&self->b, 0));
	EXPECT_EQ(0, queue_empty(&self->a, 0));
}

/* SA_RESTART without a reply: the restarted call times out normally */
TEST_F(sync, sync_sa_restart_timeout)
{
	__u64 deadline = kdbus_now_ns() + MEDIUM_NS;
	struct kdbus_msg_info info;
	struct poke poke = { 0 };
	int ret;

	ASSERT_EQ(0, install_handler(SIGALRM, SA_RESTART));
	poke.sig = SIGALRM;
	ASSERT_EQ(0, poke_start(&poke, poke_signal, &self->a, &self->b));
	ret = call_sync(&self->a, self->b.id, 0x93, deadline, -1, &info);
	EXPECT_EQ(0, poke_join(&poke));
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_EQ(1, signals_seen());
	EXPECT_LE(deadline, kdbus_now_ns());
	/* sent once, and no notification */
	EXPECT_EQ(0, recv_request(&self->b, self->a.id, 0x93, deadline));
	EXPECT_EQ(0, queue_empty(&self->b, 0));
	EXPECT_EQ(0, queue_empty(&self->a, QUIET_MS));
}

/* a synchronous call to oneself, answered by another thread */
TEST_F(sync, sync_call_to_self)
{
	struct kdbus_msg_info info;
	struct peer p;
	int ret;

	ASSERT_EQ(0, peer_start_waiting(&p, &self->a, PEER_REPLY,
					kdbus_gettid(), self->a.fd));
	ret = call_sync(&self->a, self->a.id, 0x94, kdbus_now_ns() + LONG_NS,
			-1, &info);
	ASSERT_EQ(0, peer_join(&p));
	EXPECT_EQ(self->a.id, p.src[0]);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, check_reply(&self->a, &info, 0x94, self->a.id));
	EXPECT_EQ(0, queue_empty(&self->a, 0));
}

/* ------------------------------------------------------------------ */
/* several callers                                                    */
/* ------------------------------------------------------------------ */

#define CALLERS			4
#define CALLS			3

/* cookie of call @j of caller @i */
static __u64 caller_cookie(unsigned int i, unsigned int j)
{
	return ((__u64)(i + 1) << 16) | (j + 1);
}

/* @CALLS synchronous calls with their own cookies; 0 or -errno */
static int caller_run(struct kdbus_conn *conn, __u64 dst, unsigned int i)
{
	struct kdbus_msg_info info;
	unsigned int j;
	__u64 cookie;
	int ret;

	for (j = 0; j < CALLS; j++) {
		cookie = caller_cookie(i, j);
		ret = call_sync(conn, dst, cookie, kdbus_now_ns() + LONG_NS,
				-1, &info);
		if (ret) {
			kdbus_log("caller %u call %u: %s", i, j,
				  strerror(-ret));
			return ret;
		}
		ret = check_reply(conn, &info, cookie, dst);
		if (ret)
			return ret;
	}
	return 0;
}

struct caller {
	pthread_t thread;
	struct kdbus_conn *conn;
	__u64 dst;
	unsigned int idx;
	int ret;
};

static void *caller_thread(void *arg)
{
	struct caller *c = arg;

	c->ret = caller_run(c->conn, c->dst, c->idx);
	return NULL;
}

/* whether the peer handled every cookie of callers [0, @n) once */
static bool peer_saw_all(const struct peer *p, unsigned int n)
{
	unsigned int i, j, k, seen;

	for (i = 0; i < n; i++) {
		for (j = 0; j < CALLS; j++) {
			seen = 0;
			for (k = 0; k < p->handled; k++)
				seen += p->cookie[k] == caller_cookie(i, j);
			if (seen != 1) {
				kdbus_log("cookie %#llx seen %u times",
					  (unsigned long long)
					  caller_cookie(i, j), seen);
				return false;
			}
		}
	}
	return true;
}

/*
 * Several threads of one connection call concurrently; the callee collects
 * one request of each and answers them in reverse order: every caller
 * still gets its own reply.
 */
TEST_F(sync, sync_multithreaded_callers)
{
	struct caller callers[CALLERS];
	unsigned int i;
	struct peer p;

	peer_init(&p, &self->b, PEER_REPLY, CALLERS * CALLS);
	p.batch = CALLERS;
	ASSERT_EQ(0, peer_run(&p));
	for (i = 0; i < CALLERS; i++) {
		callers[i].conn = &self->a;
		callers[i].dst = self->b.id;
		callers[i].idx = i;
		callers[i].ret = -EINPROGRESS;
		ASSERT_EQ(0, pthread_create(&callers[i].thread, NULL,
					    caller_thread, &callers[i]));
	}
	for (i = 0; i < CALLERS; i++) {
		pthread_join(callers[i].thread, NULL);
		EXPECT_EQ(0, callers[i].ret) TH_LOG("caller %u", i);
	}
	ASSERT_EQ(0, peer_join(&p));
	EXPECT_EQ((unsigned int)(CALLERS * CALLS), p.handled);
	for (i = 0; i < p.handled; i++)
		EXPECT_EQ(self->a.id, p.src[i]);
	EXPECT_TRUE(peer_saw_all(&p, CALLERS));
	EXPECT_EQ(0, queue_empty(&self->a, 0));
}

/* child process: its own connection, @CALLS synchronous calls */
static int child_caller(const struct kdbus_domain *dom, const char *bus,
			__u64 dst, unsigned int idx)
{
	struct kdbus_conn conn;
	int ret;

	ret = kdbus_conn_new(&conn, dom, bus, NULL, 0);
	if (ret) {
		kdbus_log("child %u: HELLO: %s", idx, strerror(-ret));
		return 1;
	}
	ret = caller_run(&conn, dst, idx);
	kdbus_conn_free(&conn);
	return ret ? 2 : 0;
}

/* callers in several processes, each with its own connection */
TEST_F(sync, sync_multiprocess_callers)
{
	pid_t pids[CALLERS - 1];
	unsigned int i, j;
	struct peer p;
	int status;
	bool same;

	for (i = 0; i < ARRAY_SIZE(pids); i++) {
		fflush(NULL);
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(child_caller(&self->dom, self->bus, self->b.id,
					   i));
	}
	peer_init(&p, &self->b, PEER_REPLY, ARRAY_SIZE(pids) * CALLS);
	p.batch = ARRAY_SIZE(pids);
	ASSERT_EQ(0, peer_run(&p));
	for (i = 0; i < ARRAY_SIZE(pids); i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child %u", i);
	}
	ASSERT_EQ(0, peer_join(&p));
	EXPECT_TRUE(peer_saw_all(&p, ARRAY_SIZE(pids)));
	/* each child called from its own connection */
	for (i = 0; i < p.handled; i++) {
		EXPECT_NE(self->a.id, p.src[i]);
		EXPECT_NE(self->b.id, p.src[i]);
		for (j = 0; j < p.handled; j++) {
			same = (p.cookie[i] >> 16) == (p.cookie[j] >> 16);
			EXPECT_EQ(same, p.src[i] == p.src[j]);
		}
	}
}

/* a forked child and its parent call concurrently on the same connection */
TEST_F(sync, sync_forked_child_shares_connection)
{
	struct peer p;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(caller_run(&self->a, self->b.id, 1) ? 1 : 0);
	peer_init(&p, &self->b, PEER_REPLY, 2 * CALLS);
	p.batch = 2;
	ASSERT_EQ(0, peer_run(&p));
	EXPECT_EQ(0, caller_run(&self->a, self->b.id, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, peer_join(&p));
	EXPECT_TRUE(peer_saw_all(&p, 2));
	EXPECT_EQ(self->a.id, p.src[0]);
	EXPECT_EQ(self->a.id, p.src[1]);
}

/* ------------------------------------------------------------------ */
/* unprivileged users                                                 */
/* ------------------------------------------------------------------ */

struct unpriv_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
	int pipe_w;
};

/* as uid 1000: calls between two connections of the same user */
static int child_unprivileged_calls(void *arg)
{
	const struct unpriv_ctx *ctx = arg;
	struct kdbus_conn x, y;
	struct kdbus_msg_info info;
	struct peer p;
	int ret, err = 0;

	if (kdbus_conn_new(&x, ctx->dom, ctx->bus, NULL, 0) ||
	    kdbus_conn_new(&y, ctx->dom, ctx->bus, NULL, 0)) {
		kdbus_log("HELLO as uid %u failed", getuid());
		return 1;
	}

	/* a synchronous call and its reply */
	if (peer_start(&p, &y, PEER_REPLY, 1))
		return 2;
	ret = call_sync(&x, y.id, 0xa1, kdbus_now_ns() + LONG_NS, -1, &info);
	if (peer_join(&p) || ret || check_reply(&x, &info, 0xa1, y.id)) {
		kdbus_log("sync call: %s", strerror(-ret));
		err = 3;
	}

	/* an asynchronous call that times out */
	if (!err && (call_async(&x, y.id, 0xa2, kdbus_now_ns() + SHORT_NS) ||
		     recv_reply_notification(&x, KDBUS_ITEM_REPLY_TIMEOUT,
					     0xa2, WAIT_MS)))
		err = 4;
	/* the timed-out request is still queued at the callee: discard it */
	if (!err && kdbus_recv(&y, KDBUS_RECV_DROP, 0, NULL, NULL))
		err = 4;

	/* a synchronous call whose request is dropped */
	if (!err) {
		if (peer_start(&p, &y, PEER_DROP, 1))
			return 5;
		ret = call_sync(&x, y.id, 0xa3, kdbus_now_ns() + LONG_NS, -1,
				&info);
		if (peer_join(&p) || ret != -EPIPE) {
			kdbus_log("dropped sync call: %s", strerror(-ret));
			err = 6;
		}
	}
	kdbus_conn_free(&y);
	kdbus_conn_free(&x);
	return err;
}

/* an unprivileged user makes calls on a world-accessible bus */
TEST_F(sync, unprivileged_calls)
{
	struct unpriv_ctx ctx = {
		.dom = &self->dom,
		.bus = self->bus,
		.pipe_w = -1,
	};

	EXPECT_EQ(0, kdbus_run_as(1000, 1000, child_unprivileged_calls,
				  &ctx));
}

/* as uid 1000: a callee that answers one call from root */
static int child_unprivileged_callee(void *arg)
{
	const struct unpriv_ctx *ctx = arg;
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	__u64 src, cookie, id;
	struct kdbus_conn y;
	int ret;

	ret = kdbus_conn_new(&y, ctx->dom, ctx->bus, NULL, 0);
	/* id 0 tells the parent that HELLO failed */
	id = ret ? 0 : y.id;
	if (write(ctx->pipe_w, &id, sizeof(id)) != sizeof(id))
		return 1;
	if (ret) {
		kdbus_log("callee: HELLO: %s", strerror(-ret));
		return 2;
	}
	ret = kdbus_recv_wait(&y, WAIT_MS, &recv, &msg);
	if (ret) {
		kdbus_log("callee: RECV: %s", strerror(-ret));
		return 3;
	}
	src = msg->src_id;
	cookie = msg->cookie;
	kdbus_free(&y, recv.msg.offset);
	ret = reply_to(&y, src, cookie);
	if (ret) {
		kdbus_log("callee: reply: %s", strerror(-ret));
		return 4;
	}
	kdbus_conn_free(&y);
	return 0;
}

struct run_as_thread {
	pthread_t thread;
	struct unpriv_ctx *ctx;
	int status;
};

static void *run_callee_thread(void *arg)
{
	struct run_as_thread *t = arg;

	t->status = kdbus_run_as(1000, 1000, child_unprivileged_callee,
				 t->ctx);
	return NULL;
}

/* root calls an unprivileged user's connection, which answers */
TEST_F(sync, unprivileged_callee_answers)
{
	struct unpriv_ctx ctx = { .dom = &self->dom, .bus = self->bus };
	struct run_as_thread t = { .ctx = &ctx, .status = -1 };
	struct kdbus_msg_info info;
	int pipefd[2], ret;
	__u64 id = 0;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	ctx.pipe_w = pipefd[1];
	ASSERT_EQ(0, pthread_create(&t.thread, NULL, run_callee_thread, &t));
	ret = kdbus_wait_pollin(pipefd[0], WAIT_MS);
	if (!ret && read(pipefd[0], &id, sizeof(id)) != sizeof(id))
		ret = -EIO;
	if (!ret && !id)
		ret = -ENOTCONN;
	if (!ret)
		ret = call_sync(&self->a, id, 0xb1, kdbus_now_ns() + LONG_NS,
				-1, &info);
	pthread_join(t.thread, NULL);
	close(pipefd[0]);
	close(pipefd[1]);
	ASSERT_EQ(0, t.status);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, check_reply(&self->a, &info, 0xb1, id));
}

TEST_HARNESS_MAIN
