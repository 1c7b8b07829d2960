// SPDX-License-Identifier: GPL-2.0
/*
 * Regression tests for defects found by a review of the foundation:
 *
 *  - the lookup of an accounting user racing its release (HELLO and close
 *    of one uid from several threads; KASAN reports a use-after-free);
 *  - io_uring files in KDBUS_ITEM_FDS are refused (6.5), also when the
 *    ring holds the receiving connection's own file (a reference cycle);
 *  - received fds keep their properties (close-on-exec, same file), also
 *    for sockets;
 *  - a synchronous call whose connection is disconnected after its reply
 *    was delivered but before the caller picked it up returns ECONNRESET
 *    (5.7, 5.12), not success without a reply;
 *  - RECV never loses a message: with a full fd table the message is
 *    delivered with KDBUS_RECV_RETURN_INCOMPLETE_FDS (5.9.3), and a RECV
 *    failing on an allocation (failslab, fail-nth) leaves it queued.
 *
 * Where one thread must act while another sleeps in the kernel, it waits
 * until /proc/self/task/<tid>/syscall shows the sleeper inside the ioctl,
 * so the order of events does not depend on timing.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

#define NSEC_PER_MSEC		1000000ULL
/* the unprivileged user of the tests (a different accounting user) */
#define OTHER_UID		1000
#define OTHER_GID		1000
/* threads and run time of the HELLO/close race */
#define RACE_THREADS		4
#define RACE_MS			3000
/* how long a thread waits for another one to reach a given state */
#define WAIT_MS			3000
/* deadline of synchronous calls that are never meant to time out */
#define LONG_NS			(4000 * NSEC_PER_MSEC)
/* how often the ordering of the sync-call test is tried */
#define SYNC_ATTEMPTS		3
/* upper bound of the fail-nth loop */
#define MAX_NTH			300

#define FAIL_NTH_PATH		"/proc/thread-self/fail-nth"
#define FAILSLAB_DIR		"/sys/kernel/debug/failslab"
#define FAILSLAB_GFP_WAIT	FAILSLAB_DIR "/ignore-gfp-wait"
#define FAILSLAB_VERBOSE	FAILSLAB_DIR "/verbose"

/* ------------------------------------------------------------------ */
/* helpers                                                            */
/* ------------------------------------------------------------------ */

/* whether @a and @b refer to the same file (st_dev and st_ino) */
static bool same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static unsigned int fds_count(const struct kdbus_item *it)
{
	return (it->size - KDBUS_ITEM_HEADER_SIZE) / sizeof(int);
}

/* close every fd a received message installed */
static void close_msg_fds(const struct kdbus_msg *msg)
{
	const struct kdbus_item *it;
	unsigned int i;

	KDBUS_ITEM_FOREACH(it, msg, items) {
		if (it->type != KDBUS_ITEM_FDS)
			continue;
		for (i = 0; i < fds_count(it); i++)
			if (it->fds[i] >= 0)
				close(it->fds[i]);
	}
}

/* send @text and @n fds from @conn to @dst: 0 or -errno */
static int send_fds(struct kdbus_conn *conn, __u64 dst, __u64 cookie,
		    const char *text, const int *fds, unsigned int n)
{
	struct kdbus_msg *msg = kdbus_msg_new(dst, cookie);
	int ret;

	kdbus_msg_add_vec(msg, text, strlen(text));
	if (n)
		kdbus_msg_add_fds(msg, fds, n);
	ret = kdbus_send(conn, msg, 0, -1, NULL);
	kdbus_msg_release(msg);
	return ret;
}

/*
 * Receive the next message on @conn: it must be @cookie with the payload
 * "fd" and exactly one close-on-exec fd referring to the same file as
 * @sent. The slice is freed. Returns the received fd, or -errno/-EBADMSG.
 */
static int recv_one_fd(struct kdbus_conn *conn, __u64 cookie, int sent)
{
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *msg;
	int ret, fd = -1;

	ret = kdbus_recv(conn, 0, 0, &cmd, &msg);
	if (ret) {
		kdbus_log("RECV: %s", strerror(-ret));
		return ret;
	}
	if (!msg)
		return -EBADMSG;
	it = kdbus_msg_find(msg, KDBUS_ITEM_FDS);
	if (msg->cookie != cookie || !kdbus_msg_payload_is(msg, "fd") || !it ||
	    fds_count(it) != 1 || cmd.msg.return_flags) {
		kdbus_log("cookie %llu (want %llu), FDS item %s, return_flags %#llx",
			  (unsigned long long)msg->cookie,
			  (unsigned long long)cookie, it ? "present" : "missing",
			  (unsigned long long)cmd.msg.return_flags);
		close_msg_fds(msg);
		ret = -EBADMSG;
	} else {
		fd = it->fds[0];
		if (fd < 0 || !kdbus_fd_cloexec(fd) || !same_file(fd, sent)) {
			kdbus_log("received fd %d: close-on-exec %d, same file %d",
				  fd, fd >= 0 && kdbus_fd_cloexec(fd),
				  fd >= 0 && same_file(fd, sent));
			if (fd >= 0)
				close(fd);
			ret = -EBADMSG;
		}
	}
	if (kdbus_free(conn, cmd.msg.offset) && !ret) {
		close(fd);
		ret = -EBADMSG;
	}
	return ret ? ret : fd;
}

/* restrict the calling thread to CPU 0: 0 or -errno */
static int pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

/* the state letter of thread @tid of this process ('?' if unknown) */
static char task_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	/* "tid (comm) S ...": comm may contain anything, even ')' */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] ? p[2] : '?';
}

/*
 * Wait until thread @tid of this process sleeps inside
 * ioctl(@fd, KDBUS_CMD_SEND). 0 or -ETIMEDOUT (-errno without /proc).
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
		if (pfd < 0)
			return -errno;
		n = read(pfd, buf, sizeof(buf) - 1);
		close(pfd);
		if (n > 0) {
			buf[n] = '\0';
			if (!strncmp(buf, want, strlen(want)))
				return 0;
		}
		kdbus_sleep_ms(1);
	}
	return -ETIMEDOUT;
}

/* a file's first line into @buf (newline stripped): 0 or -errno */
static int read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_line(const char *path, const char *s)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* ------------------------------------------------------------------ */
/* fixture: a world-accessible bus and two connections accepting fds   */
/* ------------------------------------------------------------------ */

FIXTURE(harden) {
	struct kdbus_domain dom;
	int bus_fd;
	char bus[64];
	struct kdbus_conn a;
	struct kdbus_conn b;
	/* failslab settings to restore (valid if failslab_saved) */
	bool failslab_saved;
	char gfp_wait[16];
	char verbose[16];
};

FIXTURE_SETUP(harden)
{
	self->bus_fd = -1;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->bus_fd = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
					"harden", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->bus_fd);
	ASSERT_EQ(0, kdbus_conn_new(&self->a, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	ASSERT_EQ(0, kdbus_conn_new(&self->b, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
}

FIXTURE_TEARDOWN(harden)
{
	if (self->failslab_saved) {
		write_line(FAILSLAB_GFP_WAIT, self->gfp_wait);
		write_line(FAILSLAB_VERBOSE, self->verbose);
	}
	kdbus_conn_free(&self->b);
	kdbus_conn_free(&self->a);
	if (self->bus_fd >= 0)
		close(self->bus_fd);
	kdbus_domain_umount(&self->dom);
}

/* ------------------------------------------------------------------ */
/* the accounting-user lookup racing its release                      */
/* ------------------------------------------------------------------ */

struct race_thread {
	char path[256];		/* the bus endpoint */
	__u64 deadline;
	unsigned long iterations;
	__u64 max_ns;		/* the slowest cycle */
	int err;
	char what[32];
};

struct race_ctx {
	struct race_thread t[RACE_THREADS];
	int started;
};

/* open + HELLO + close until the deadline; the first error stops it */
static void *race_hello_close(void *arg)
{
	struct race_thread *t = arg;
	struct kdbus_cmd_hello *hello;
	__u64 pool_size = sysconf(_SC_PAGESIZE), last_id = 0, start, now;
	int fd, ret;

	hello = kdbus_hello_args(0, pool_size, NULL);
	for (start = kdbus_now_ns(); start < t->deadline; start = now) {
		fd = open(t->path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			t->err = -errno;
			snprintf(t->what, sizeof(t->what), "open");
			break;
		}
		hello->flags = 0;
		hello->return_flags = 0;
		hello->attach_flags_send = _KDBUS_ATTACH_ANY;
		hello->attach_flags_recv = 0;
		hello->pool_size = pool_size;
		hello->id = 0;
		ret = kdbus_ioctl(fd, KDBUS_CMD_HELLO, hello);
		close(fd);
		if (ret < 0) {
			t->err = ret;
			snprintf(t->what, sizeof(t->what), "HELLO");
			break;
		}
		/* ids are never reused and grow with each HELLO */
		if (hello->id <= last_id) {
			t->err = -EBADMSG;
			snprintf(t->what, sizeof(t->what), "id %llu after %llu",
				 (unsigned long long)hello->id,
				 (unsigned long long)last_id);
			break;
		}
		last_id = hello->id;
		t->iterations++;
		now = kdbus_now_ns();
		if (now - start > t->max_ns)
			t->max_ns = now - start;
	}
	kdbus_args_release(hello);
	return NULL;
}

/* as uid 1000: RACE_THREADS threads run race_hello_close() */
static int child_race(void *arg)
{
	struct race_ctx *ctx = arg;
	pthread_t th[RACE_THREADS];
	__u64 deadline = kdbus_now_ns() + RACE_MS * NSEC_PER_MSEC;
	int i;

	for (i = 0; i < RACE_THREADS; i++) {
		ctx->t[i].deadline = deadline;
		if (pthread_create(&th[i], NULL, race_hello_close, &ctx->t[i]))
			break;
	}
	ctx->started = i;
	while (i-- > 0)
		pthread_join(th[i], NULL);
	return ctx->started == RACE_THREADS ? 0 : 1;
}

/*
 * One unprivileged uid connects and disconnects from 4 threads for 3 s:
 * its accounting user is released and looked up again all the time.
 * Every HELLO succeeds; a lookup that finds a user being freed is a
 * use-after-free that KASAN reports (the run fails on the splat).
 */
TEST_F(harden, user_lookup_race)
{
	struct race_ctx *ctx;
	int i, ret;

	ctx = mmap(NULL, sizeof(*ctx), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ctx);
	for (i = 0; i < RACE_THREADS; i++)
		snprintf(ctx->t[i].path, sizeof(ctx->t[i].path), "%s/%s/bus",
			 self->dom.path, self->bus);
	ret = kdbus_run_as(OTHER_UID, OTHER_GID, child_race, ctx);
	EXPECT_EQ(0, ret)
		TH_LOG("child as uid %d: status %d, %d threads started",
		       OTHER_UID, ret, ctx->started);
	for (i = 0; i < RACE_THREADS; i++) {
		TH_LOG("thread %d: %lu HELLO/close cycles, the slowest %llu ms",
		       i, ctx->t[i].iterations,
		       (unsigned long long)ctx->t[i].max_ns / NSEC_PER_MSEC);
		EXPECT_EQ(0, ctx->t[i].err)
			TH_LOG("thread %d: %s: %s", i, ctx->t[i].what,
			       strerror(-ctx->t[i].err));
		EXPECT_LT(0UL, ctx->t[i].iterations);
	}
	munmap(ctx, sizeof(*ctx));
}

/* ------------------------------------------------------------------ */
/* io_uring files are refused (6.5)                                   */
/* ------------------------------------------------------------------ */

#define IO_URING_SYSCTL		"/proc/sys/kernel/io_uring_disabled"

/*
 * A new io_uring with 8 entries: fd or -errno. *@skip is set when io_uring
 * is not available: the sysctl exists exactly with CONFIG_IO_URING.
 */
static int io_uring_new(const char **skip)
{
	struct io_uring_params p;
	long fd;

	*skip = NULL;
	if (access(IO_URING_SYSCTL, F_OK) < 0) {
		*skip = "no " IO_URING_SYSCTL " (CONFIG_IO_URING is off)";
		return -EOPNOTSUPP;
	}
	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 8, &p);
	if (fd < 0 && errno == EPERM)
		*skip = "io_uring_setup: EPERM (" IO_URING_SYSCTL " is set)";
	return fd < 0 ? -errno : (int)fd;
}

/*
 * An io_uring fd in an FDS item is refused with EOPNOTSUPP, alone or next
 * to a file that may be passed, and the receiver gets nothing.
 */
TEST_F(harden, io_uring_fd_refused)
{
	int ring, p[2], fds[2], fd;
	const char *skip;

	ring = io_uring_new(&skip);
	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_LE(0, ring) TH_LOG("io_uring_setup: %s", strerror(-ring));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));

	fds[0] = ring;
	EXPECT_EQ(-EOPNOTSUPP, send_fds(&self->a, self->b.id, 1, "ring",
					fds, 1));
	fds[0] = p[1];
	fds[1] = ring;
	EXPECT_EQ(-EOPNOTSUPP, send_fds(&self->a, self->b.id, 2, "pipe+ring",
					fds, 2));
	fds[0] = ring;
	fds[1] = p[1];
	EXPECT_EQ(-EOPNOTSUPP, send_fds(&self->a, self->b.id, 3, "ring+pipe",
					fds, 2));
	EXPECT_EQ(-EAGAIN, kdbus_recv(&self->b, KDBUS_RECV_PEEK, 0, NULL,
				      NULL));

	/* the pipe alone still passes */
	ASSERT_EQ(0, send_fds(&self->a, self->b.id, 4, "fd", &p[1], 1));
	fd = recv_one_fd(&self->b, 4, p[1]);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, write(fd, "x", 1));
	close(fd);

	close(p[0]);
	close(p[1]);
	close(ring);
}

/*
 * The cycle: the ring registers the receiving connection's own file
 * (IORING_REGISTER_FILES), then the ring is sent to that connection.
 * Queued there, it would pin the connection's file, which pins the ring:
 * nothing would ever release either. The SEND is refused; once the ring
 * and the connection's fd are closed, the connection goes away.
 */
TEST_F(harden, io_uring_cycle)
{
	__u64 b_id = self->b.id, off, size, deadline;
	struct kdbus_cmd_recv cmd;
	const char *skip;
	int ring, ret;

	ring = io_uring_new(&skip);
	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_LE(0, ring) TH_LOG("io_uring_setup: %s", strerror(-ring));
	ret = syscall(__NR_io_uring_register, ring, IORING_REGISTER_FILES,
		      &self->b.fd, 1);
	ASSERT_EQ(0, ret)
		TH_LOG("IORING_REGISTER_FILES of the connection's fd: %s",
		       strerror(errno));

	EXPECT_EQ(-EOPNOTSUPP, send_fds(&self->a, b_id, 1, "ring", &ring, 1));
	/* PEEK installs nothing: a queued ring would stay queued */
	ret = kdbus_recv(&self->b, KDBUS_RECV_PEEK, 0, &cmd, NULL);
	EXPECT_EQ(-EAGAIN, ret);
	if (!ret)
		kdbus_free(&self->b, cmd.msg.offset);

	close(ring);
	kdbus_conn_free(&self->b);

	/* the ring drops its files asynchronously: wait for the release */
	deadline = kdbus_now_ns() + WAIT_MS * NSEC_PER_MSEC;
	for (;;) {
		ret = kdbus_conn_info(&self->a, b_id, NULL, 0, &off, &size);
		if (!ret)
			kdbus_free(&self->a, off);
		if (ret || kdbus_now_ns() > deadline)
			break;
		kdbus_sleep_ms(10);
	}
	EXPECT_EQ(-ENXIO, ret)
		TH_LOG("connection %llu outlives its fd and the ring: a cycle",
		       (unsigned long long)b_id);
}

/* ------------------------------------------------------------------ */
/* received sockets (receive_fd)                                      */
/* ------------------------------------------------------------------ */

/*
 * A netlink socket passed to another connection arrives close-on-exec as
 * the same socket, with its address, and works: a request sent through
 * the received fd is acknowledged to the original one.
 */
TEST_F(harden, recv_fds_netlink_socket)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct sockaddr_nl sa_sent, sa_rcvd;
	struct nlmsghdr req = {
		.nlmsg_len = sizeof(req),
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		.nlmsg_seq = 42,
	};
	const struct nlmsghdr *h;
	const struct nlmsgerr *e;
	struct pollfd pfd;
	struct stat st;
	socklen_t len;
	int s, fd, val;
	__u32 buf[64];
	ssize_t n;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ASSERT_LE(0, s) TH_LOG("netlink socket: %s", strerror(errno));
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	len = sizeof(sa_sent);
	ASSERT_EQ(0, getsockname(s, (struct sockaddr *)&sa_sent, &len));

	ASSERT_EQ(0, send_fds(&self->a, self->b.id, 1, "fd", &s, 1));
	fd = recv_one_fd(&self->b, 1, s);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	len = sizeof(val);
	EXPECT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &val, &len));
	EXPECT_EQ(AF_NETLINK, val);
	len = sizeof(val);
	EXPECT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &val, &len));
	EXPECT_EQ(NETLINK_ROUTE, val);
	len = sizeof(sa_rcvd);
	EXPECT_EQ(0, getsockname(fd, (struct sockaddr *)&sa_rcvd, &len));
	EXPECT_EQ(sa_sent.nl_pid, sa_rcvd.nl_pid);

	EXPECT_EQ((ssize_t)sizeof(req), send(fd, &req, sizeof(req), 0));
	pfd.fd = s;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, WAIT_MS));
	n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
	ASSERT_LE((ssize_t)(sizeof(*h) + sizeof(*e)), n);
	h = (const struct nlmsghdr *)buf;
	e = (const struct nlmsgerr *)(h + 1);
	EXPECT_EQ(NLMSG_ERROR, h->nlmsg_type);
	EXPECT_EQ(42U, h->nlmsg_seq);
	EXPECT_EQ(0, e->error);
	EXPECT_EQ(42U, e->msg.nlmsg_seq);

	close(fd);
	close(s);
}

/* ------------------------------------------------------------------ */
/* a synchronous call disconnected after its reply was delivered      */
/* ------------------------------------------------------------------ */

struct sync_race {
	struct kdbus_conn *caller;	/* X, the connection of the call */
	struct kdbus_conn *callee;	/* S */
	__u64 cookie;
	/* the caller thread */
	pid_t caller_tid;		/* atomic; 0 until known */
	int caller_done;		/* atomic */
	int caller_ret;
	struct kdbus_msg_info reply;
	/* the server thread */
	int setup_err;
	char setup_what[64];
	int recv_ret;
	bool request_ok;
	int reply_ret;
	int byebye_ret;
	long csw_before;
	long csw_after;
	int done_at_byebye;
	char caller_state;
};

/* SCHED_OTHER on CPU 0: the synchronous call on X */
static void *sync_caller(void *arg)
{
	struct sync_race *r = arg;
	struct kdbus_msg *msg;
	int ret;

	ret = pin_cpu0();
	if (ret) {
		r->caller_ret = ret;
		__atomic_store_n(&r->caller_done, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&r->caller_tid, -1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	msg = kdbus_msg_new(r->callee->id, r->cookie);
	msg->flags = KDBUS_MSG_EXPECT_REPLY;
	msg->timeout_ns = kdbus_now_ns() + LONG_NS;
	kdbus_msg_add_vec(msg, "call", 4);
	__atomic_store_n(&r->caller_tid, kdbus_gettid(), __ATOMIC_SEQ_CST);
	r->caller_ret = kdbus_send(r->caller, msg, KDBUS_SEND_SYNC_REPLY, -1,
				   &r->reply);
	__atomic_store_n(&r->caller_done, 1, __ATOMIC_SEQ_CST);
	kdbus_msg_release(msg);
	return NULL;
}

static long thread_csw(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) < 0)
		return -1;
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void *sync_fail(struct sync_race *r, int err, const char *what)
{
	r->setup_err = err;
	snprintf(r->setup_what, sizeof(r->setup_what), "%s", what);
	return NULL;
}

/*
 * SCHED_FIFO on CPU 0: once the caller sleeps in its SEND, receive the
 * request, reply (which wakes the caller, who cannot run: it has a lower
 * priority on the same CPU) and BYEBYE the caller's connection, all
 * without leaving the CPU. Whether that held is checked afterwards: this
 * thread did not switch out and the caller has not returned and is
 * runnable, not running.
 */
static void *sync_server(void *arg)
{
	struct sync_race *r = arg;
	struct sched_param sp = { 0 };
	struct kdbus_cmd_recv recv;
	struct kdbus_cmd_send send;
	struct kdbus_cmd byebye;
	struct kdbus_msg *reply, *msg;
	pid_t tid = 0;
	int i, ret;

	ret = pin_cpu0();
	if (ret)
		return sync_fail(r, ret, "sched_setaffinity");
	sp.sched_priority = sched_get_priority_min(SCHED_FIFO) + 1;
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
		return sync_fail(r, -errno, "sched_setscheduler(SCHED_FIFO)");

	for (i = 0; i < WAIT_MS && !tid; i++) {
		tid = __atomic_load_n(&r->caller_tid, __ATOMIC_SEQ_CST);
		if (!tid)
			kdbus_sleep_ms(1);
	}
	if (tid <= 0)
		return sync_fail(r, -ETIMEDOUT, "caller thread start");
	ret = wait_blocked_in_send(tid, r->caller->fd, WAIT_MS);
	if (ret)
		return sync_fail(r, ret, "caller blocked in SEND");

	/* everything the critical section needs is prepared here */
	reply = kdbus_msg_new(r->caller->id, 0);
	reply->cookie_reply = r->cookie;
	kdbus_msg_add_vec(reply, "reply", 5);
	memset(&recv, 0, sizeof(recv));
	recv.size = sizeof(recv);
	memset(&send, 0, sizeof(send));
	send.size = sizeof(send);
	send.msg_address = (__u64)(uintptr_t)reply;
	memset(&byebye, 0, sizeof(byebye));
	byebye.size = sizeof(byebye);

	/* the critical section: no sleep, no yield */
	r->csw_before = thread_csw();
	r->recv_ret = kdbus_ioctl(r->callee->fd, KDBUS_CMD_RECV, &recv);
	r->reply_ret = kdbus_ioctl(r->callee->fd, KDBUS_CMD_SEND, &send);
	r->byebye_ret = kdbus_ioctl(r->caller->fd, KDBUS_CMD_BYEBYE, &byebye);
	r->done_at_byebye = __atomic_load_n(&r->caller_done,
					    __ATOMIC_SEQ_CST);
	r->caller_state = task_state(tid);
	r->csw_after = thread_csw();

	if (!r->recv_ret) {
		msg = (struct kdbus_msg *)((__u8 *)r->callee->pool +
					   recv.msg.offset);
		r->request_ok = msg->cookie == r->cookie &&
				msg->src_id == r->caller->id &&
				(msg->flags & KDBUS_MSG_EXPECT_REPLY) &&
				kdbus_msg_payload_is(msg, "call");
		kdbus_free(r->callee, recv.msg.offset);
	}
	kdbus_msg_release(reply);
	return NULL;
}

/*
 * 5.7/5.12: the caller's own connection is disconnected while it waits in
 * a synchronous SEND, after the reply reached its tracker but before the
 * caller picked it up. The SEND returns ECONNRESET (the reply went with
 * the connection), not success without a reply.
 */
TEST_F(harden, sync_reply_then_disconnect)
{
	struct kdbus_conn x, s;
	struct sync_race r;
	pthread_t server, caller;
	bool held = false;
	int attempt;

	for (attempt = 0; attempt < SYNC_ATTEMPTS && !held; attempt++) {
		ASSERT_EQ(0, kdbus_conn_new(&x, &self->dom, self->bus, NULL,
					    0));
		ASSERT_EQ(0, kdbus_conn_new(&s, &self->dom, self->bus, NULL,
					    0));
		memset(&r, 0, sizeof(r));
		r.caller = &x;
		r.callee = &s;
		r.cookie = 0x5000 + attempt;
		ASSERT_EQ(0, pthread_create(&server, NULL, sync_server, &r));
		ASSERT_EQ(0, pthread_create(&caller, NULL, sync_caller, &r));
		pthread_join(server, NULL);
		pthread_join(caller, NULL);
		kdbus_conn_free(&s);
		kdbus_conn_free(&x);

		if (r.setup_err == -EPERM && strstr(r.setup_what, "FIFO"))
			SKIP(return,
			     "SCHED_FIFO not permitted (RT group scheduling without runtime?)");
		ASSERT_EQ(0, r.setup_err)
			TH_LOG("%s: %s", r.setup_what, strerror(-r.setup_err));
		ASSERT_EQ(0, r.recv_ret)
			TH_LOG("server RECV: %s", strerror(-r.recv_ret));
		EXPECT_TRUE(r.request_ok);
		ASSERT_EQ(0, r.reply_ret)
			TH_LOG("reply to the waiting caller: %s",
			       strerror(-r.reply_ret));
		ASSERT_EQ(0, r.byebye_ret)
			TH_LOG("BYEBYE of the caller's connection: %s",
			       strerror(-r.byebye_ret));
		held = r.csw_before >= 0 && r.csw_before == r.csw_after &&
		       !r.done_at_byebye && r.caller_state == 'R';
		if (!held)
			TH_LOG("attempt %d: order not held: switches %ld/%ld, done %d, %c",
			       attempt + 1, r.csw_before, r.csw_after,
			       r.done_at_byebye, r.caller_state);
	}
	ASSERT_TRUE(held)
		TH_LOG("the caller ran before BYEBYE returned in %d attempts",
		       SYNC_ATTEMPTS);
	EXPECT_EQ(-ECONNRESET, r.caller_ret)
		TH_LOG("SEND of the disconnected caller: %d (%s)%s",
		       r.caller_ret, strerror(-r.caller_ret),
		       r.caller_ret ? "" : ", success without a reply");
}

/* ------------------------------------------------------------------ */
/* RECV never loses a message                                         */
/* ------------------------------------------------------------------ */

/*
 * 5.9.3: with the fd table full, the message carrying fds is delivered,
 * its slots read -1, INCOMPLETE_FDS is set and the files are dropped;
 * the following RECV gets the next message, then the queue is empty.
 */
TEST_F(harden, recv_fd_table_full)
{
	int p[2], efd, fds[2], fill[256], nfill = 0, ret, i, fd, err = 0;
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct rlimit old, rl;
	struct kdbus_msg *msg;
	char byte;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	fds[0] = p[1];
	fds[1] = efd;
	ASSERT_EQ(0, send_fds(&self->a, self->b.id, 1, "first", fds, 2));
	ASSERT_EQ(0, send_fds(&self->a, self->b.id, 2, "second", NULL, 0));
	/* from here on only the queued message holds the write end */
	close(p[1]);
	close(efd);

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	rl = old;
	rl.rlim_cur = 64;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	while (nfill < (int)ARRAY_SIZE(fill)) {
		fd = fcntl(p[0], F_DUPFD_CLOEXEC, 0);
		if (fd < 0) {
			err = errno;
			break;
		}
		fill[nfill++] = fd;
	}
	ret = kdbus_recv(&self->b, 0, 0, &cmd, &msg);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	ASSERT_EQ(EMFILE, err);

	ASSERT_EQ(0, ret)
		TH_LOG("RECV with a full fd table: %s", strerror(-ret));
	ASSERT_NE(NULL, msg);
	EXPECT_EQ(1ULL, msg->cookie);
	EXPECT_EQ(self->a.id, msg->src_id);
	EXPECT_TRUE(kdbus_msg_payload_is(msg, "first"));
	EXPECT_EQ((__u64)KDBUS_RECV_RETURN_INCOMPLETE_FDS,
		  cmd.msg.return_flags & KDBUS_RECV_RETURN_INCOMPLETE_FDS);
	it = kdbus_msg_find(msg, KDBUS_ITEM_FDS);
	ASSERT_NE(NULL, it);
	ASSERT_EQ(2U, fds_count(it));
	EXPECT_EQ(-1, it->fds[0]);
	EXPECT_EQ(-1, it->fds[1]);
	close_msg_fds(msg);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	/* the files were dropped: no write end of the pipe is left */
	EXPECT_EQ(0, read(p[0], &byte, 1));

	ASSERT_EQ(0, kdbus_recv(&self->b, 0, 0, &cmd, &msg));
	ASSERT_NE(NULL, msg);
	EXPECT_EQ(2ULL, msg->cookie);
	EXPECT_TRUE(kdbus_msg_payload_is(msg, "second"));
	EXPECT_EQ(0ULL, cmd.msg.return_flags);
	EXPECT_EQ(0, kdbus_free(&self->b, cmd.msg.offset));
	EXPECT_EQ(-EAGAIN, kdbus_recv(&self->b, 0, 0, NULL, NULL));
	close(p[0]);
}

/*
 * Check a message of recv_failslab: @cookie, payload "failslab", two fds
 * that are the pipe write end @wr and the eventfd @efd, close-on-exec and
 * working; slots may read -1 only with INCOMPLETE_FDS, which is allowed
 * only if @may_be_incomplete. Closes the fds and frees the slice. 0 or
 * -EBADMSG.
 */
static int check_failslab_msg(struct kdbus_conn *conn,
			      const struct kdbus_cmd_recv *cmd, __u64 cookie,
			      int rd, int wr, int efd, bool may_be_incomplete)
{
	bool incomplete = cmd->msg.return_flags &
			  KDBUS_RECV_RETURN_INCOMPLETE_FDS;
	const struct kdbus_msg *msg;
	const struct kdbus_item *it;
	int bad = 0, i, fd;
	char byte;

	msg = (const struct kdbus_msg *)((__u8 *)conn->pool +
					 cmd->msg.offset);
	if (msg->cookie != cookie || !kdbus_msg_payload_is(msg, "failslab")) {
		kdbus_log("message cookie %llu, expected %llu",
			  (unsigned long long)msg->cookie,
			  (unsigned long long)cookie);
		bad = 1;
	}
	if (incomplete && !may_be_incomplete) {
		kdbus_log("INCOMPLETE_FDS without a fault");
		bad = 1;
	}
	it = kdbus_msg_find(msg, KDBUS_ITEM_FDS);
	if (!it || fds_count(it) != 2) {
		kdbus_log("no FDS item with 2 fds");
		bad = 1;
		goto out;
	}
	for (i = 0; i < 2; i++) {
		fd = it->fds[i];
		if (fd < 0) {
			if (!incomplete) {
				kdbus_log("fd slot %d is -1 without INCOMPLETE_FDS",
					  i);
				bad = 1;
			}
			continue;
		}
		if (!kdbus_fd_cloexec(fd) || !same_file(fd, i ? efd : wr)) {
			kdbus_log("fd slot %d: close-on-exec %d, same file %d",
				  i, kdbus_fd_cloexec(fd), same_file(fd, i ? efd : wr));
			bad = 1;
		}
	}
	/* the received write end works */
	if (it->fds[0] >= 0 && !bad &&
	    (write(it->fds[0], "k", 1) != 1 || read(rd, &byte, 1) != 1 ||
	     byte != 'k')) {
		kdbus_log("the received pipe write end does not work");
		bad = 1;
	}
	close_msg_fds(msg);
out:
	if (kdbus_free(conn, cmd->msg.offset))
		bad = 1;
	return bad ? -EBADMSG : 0;
}

/*
 * failslab aimed at RECV: for n = 1, 2, ... the n-th slab allocation of
 * the RECV of a queued message with two fds fails (fail-nth). Whenever the
 * RECV fails, the message is still queued: a plain RECV then gets it with
 * its cookie and working fds. A RECV that succeeds despite a fault
 * delivers the message (fds -1 only with INCOMPLETE_FDS, 5.9.3). The loop
 * ends when a RECV completes without reaching the n-th allocation.
 */
TEST_F(harden, recv_failslab)
{
	int ctl, p[2], efd, fds[2], n, ret, failed = 0, injected = 0;
	int delivered = 0, first_err = 0;
	struct kdbus_cmd_recv cmd;
	char buf[32];
	bool done = false;
	ssize_t len;
	__u64 cookie;

	ctl = open(FAIL_NTH_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0 && errno == ENOENT)
		SKIP(return, FAIL_NTH_PATH " is missing (CONFIG_FAULT_INJECTION is off)");
	ASSERT_LE(0, ctl) TH_LOG(FAIL_NTH_PATH ": %s", strerror(errno));
	if (read_line(FAILSLAB_GFP_WAIT, self->gfp_wait,
		      sizeof(self->gfp_wait)) ||
	    read_line(FAILSLAB_VERBOSE, self->verbose, sizeof(self->verbose)))
		SKIP(return, FAILSLAB_DIR " is missing (no CONFIG_FAILSLAB?)");
	self->failslab_saved = true;
	/* GFP_KERNEL allocations may fail; one line per fault, no stack */
	ASSERT_EQ(0, write_line(FAILSLAB_GFP_WAIT, "N"));
	ASSERT_EQ(0, write_line(FAILSLAB_VERBOSE, "1"));

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	fds[0] = p[1];
	fds[1] = efd;

	for (n = 1; n <= MAX_NTH && !done; n++) {
		cookie = 0x7000 + n;
		ASSERT_EQ(0, send_fds(&self->a, self->b.id, cookie, "failslab",
				      fds, 2));

		memset(&cmd, 0, sizeof(cmd));
		cmd.size = sizeof(cmd);
		len = snprintf(buf, sizeof(buf), "%d", n);
		ASSERT_EQ(len, write(ctl, buf, len));
		ret = ioctl(self->b.fd, KDBUS_CMD_RECV, &cmd) < 0 ? -errno : 0;
		len = pread(ctl, buf, sizeof(buf) - 1, 0);
		ASSERT_EQ(1, write(ctl, "0", 1));
		ASSERT_LT(0, len);
		buf[len] = '\0';
		/* the counter reached 0: the n-th allocation failed */
		if (atoi(buf) == 0)
			injected++;
		else
			done = true;

		if (!ret) {
			EXPECT_EQ(0, check_failslab_msg(&self->b, &cmd, cookie,
							p[0], p[1], efd,
							!done))
				TH_LOG("fault %d: RECV succeeded", n);
			if (!done)
				delivered++;
		} else {
			EXPECT_FALSE(done)
				TH_LOG("RECV failed without a fault: %s",
				       strerror(-ret));
			if (!failed++)
				first_err = ret;
			memset(&cmd, 0, sizeof(cmd));
			cmd.size = sizeof(cmd);
			ret = kdbus_ioctl(self->b.fd, KDBUS_CMD_RECV, &cmd);
			ASSERT_EQ(0, ret)
				TH_LOG("fault %d: message lost (next RECV: %s)",
				       n, strerror(-ret));
			ASSERT_EQ(0, check_failslab_msg(&self->b, &cmd,
							cookie, p[0], p[1],
							efd, false))
				TH_LOG("fault %d: the message after a failed RECV",
				       n);
		}
		ASSERT_EQ(-EAGAIN, kdbus_recv(&self->b, 0, 0, NULL, NULL))
			TH_LOG("fault %d: the queue is not empty", n);
	}
	TH_LOG("%d faults injected: %d RECVs failed (first: %s), %d delivered anyway",
	       injected, failed, failed ? strerror(-first_err) : "-",
	       delivered);
	EXPECT_TRUE(done)
		TH_LOG("RECV still reached fault %d", MAX_NTH);
	EXPECT_LT(0, injected);
	close(ctl);
	close(efd);
	close(p[0]);
	close(p[1]);
}

TEST_HARNESS_MAIN
