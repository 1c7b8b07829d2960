// SPDX-License-Identifier: GPL-2.0
/*
 * A sender that stalls on a page fault of its own payload stalls only
 * itself.
 *
 * Sender A's message has a PAYLOAD_VEC in memory registered with
 * userfaultfd that nobody resolves for a while, so A's SEND sleeps inside
 * the copy into the receiver R's pool. The stall is detected, not guessed:
 * the userfaultfd reports the page fault on A's payload, which the kernel
 * only touches while copying it into the pool. While A sleeps there:
 *
 *  - R's own REPLY_TIMEOUT is written into R's pool on time,
 *  - an unrelated caller C gets its REPLY_TIMEOUT on time,
 *  - another sender B's SEND to R completes and R receives B's message,
 *  - HELLO and BYEBYE of other connections complete,
 *  - CONN_INFO on R (a write into R's pool) completes,
 *
 * each within a second. Then the fault is resolved and A's message arrives
 * intact. Variants: A is killed while it is stalled (nothing of A's
 * message stays behind, R's quota is whole again), R disconnects while A
 * is stalled (A's SEND fails with ECONNRESET, the kernel does not warn),
 * and A's message to a name changes owner while A is stalled (it reaches
 * the new owner).
 *
 * The userfaultfd is created without UFFD_USER_MODE_ONLY, so that faults
 * taken by the kernel on behalf of A are reported too; root may do that.
 * A is a child process: it creates the userfaultfd for its own memory,
 * hands it to the test over a socket and sends. Every operation that
 * could hang behind the stalled sender runs in a thread of its own and is
 * waited for with a timeout, so a kernel that blocks fails the test
 * instead of hanging it; the fault is always resolved (or the
 * userfaultfd closed) before the threads are joined.
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

#define NSEC_PER_MSEC		1000000ULL
/* what must complete while A is stalled has this long */
#define OP_MS			1000
/* how long A stays stalled in the main test */
#define STALL_MS		3000
/* how long A may take to reach the fault, or to finish once resolved */
#define A_WAIT_MS		5000
/* deadlines of the calls that time out while A is stalled */
#define R_CALL_MS		200
#define C_CALL_MS		300
/* how long to wait for messages that arrive late, after the stall */
#define QUIET_MS		200
/* R's pool: small, so that its per-user quota can be filled */
#define R_POOL_SIZE		(1024ULL * 1024)
/* A's payload: inside the one registered page, not aligned */
#define A_OFF			13
#define A_LEN			3001
#define A_COOKIE		0xa001ULL
#define B_COOKIE		0xb001ULL
#define R_COOKIE		0x5201ULL
#define C_COOKIE		0xc301ULL
/* size of a REPLY_TIMEOUT notification without timestamp */
#define REPLY_NOTIFY_SIZE	80ULL
#define UFFD_SYSCTL		"/proc/sys/vm/unprivileged_userfaultfd"

/* ------------------------------------------------------------------ */
/* small helpers                                                      */
/* ------------------------------------------------------------------ */

static void sleep_until(__u64 t_ns)
{
	__u64 now = kdbus_now_ns();

	if (now < t_ns)
		kdbus_sleep_ms((t_ns - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
}

/* milliseconds from @from to @to (negative if @to is earlier) */
static long long ms_between(__u64 from, __u64 to)
{
	return ((long long)to - (long long)from) / (long long)NSEC_PER_MSEC;
}

/* milliseconds from now until @slack_ms after @t_ns, at least 1 */
static int ms_until(__u64 t_ns, int slack_ms)
{
	long long ms = ms_between(kdbus_now_ns(), t_ns) + slack_ms;

	return ms < 1 ? 1 : (int)ms;
}

/* byte @i of a test payload; @seed tells payloads apart */
static __u8 pattern(size_t i, unsigned int seed)
{
	return (__u8)(i * 31 + seed * 7 + (i >> 8));
}

static void fill(void *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		((__u8 *)buf)[i] = pattern(i, seed);
}

/* log the header and first item of a received message */
static void log_msg(const char *what, const struct kdbus_msg *msg)
{
	kdbus_log("%s: size %llu src %llu dst %llu cookie %#llx cookie_reply %#llx",
		  what, (unsigned long long)msg->size,
		  (unsigned long long)msg->src_id,
		  (unsigned long long)msg->dst_id,
		  (unsigned long long)msg->cookie,
		  (unsigned long long)msg->cookie_reply);
	if (msg->size >= sizeof(*msg) + KDBUS_ITEM_HEADER_SIZE)
		kdbus_log("  first item: size %llu type %#llx",
			  (unsigned long long)msg->items[0].size,
			  (unsigned long long)msg->items[0].type);
}

/*
 * Check that @msg (slice @recv) is a message from @src with cookie
 * @cookie and exactly the @len bytes of @data as one vector; FREE it.
 * 0 or -EBADMSG.
 */
static int check_data_msg(struct kdbus_conn *conn,
			  const struct kdbus_cmd_recv *recv,
			  const struct kdbus_msg *msg, __u64 src, __u64 cookie,
			  const void *data, size_t len)
{
	const struct kdbus_item *item;
	__u8 *buf = malloc(len + 8);
	ssize_t n;
	int bad = 0;

	if (!buf)
		abort();
	if (msg->src_id != src || msg->dst_id != conn->id ||
	    msg->cookie != cookie || msg->payload_type != KDBUS_PAYLOAD_DBUS) {
		log_msg("message", msg);
		kdbus_log("expected: src %llu dst %llu cookie %#llx",
			  (unsigned long long)src,
			  (unsigned long long)conn->id,
			  (unsigned long long)cookie);
		bad = 1;
	}
	item = kdbus_msg_find(msg, KDBUS_ITEM_PAYLOAD_OFF);
	if (!item || item->vec.size != len ||
	    kdbus_msg_count(msg, KDBUS_ITEM_PAYLOAD_OFF) != 1) {
		kdbus_log("PAYLOAD_OFF: %u items, size %llu (want 1, %zu)",
			  kdbus_msg_count(msg, KDBUS_ITEM_PAYLOAD_OFF),
			  item ? (unsigned long long)item->vec.size : 0ULL, len);
		bad = 1;
	}
	n = kdbus_msg_payload(msg, buf, len + 8);
	if (n != (ssize_t)len || memcmp(buf, data, len)) {
		kdbus_log("payload: %zd bytes%s (want %zu)", n,
			  n == (ssize_t)len ? " that differ" : "", len);
		bad = 1;
	}
	if (kdbus_free(conn, recv->msg.offset)) {
		kdbus_log("FREE of the message slice failed");
		bad = 1;
	}
	free(buf);
	return bad ? -EBADMSG : 0;
}

/*
 * Check that @msg (slice @recv) is the REPLY_TIMEOUT notification for the
 * request @cookie of @conn, with the layout of the contract; FREE it.
 * 0 or -EBADMSG.
 */
static int check_timeout_msg(struct kdbus_conn *conn,
			     const struct kdbus_cmd_recv *recv,
			     const struct kdbus_msg *msg, __u64 cookie)
{
	int bad = 0;

	if (msg->size != REPLY_NOTIFY_SIZE ||
	    recv->msg.msg_size != REPLY_NOTIFY_SIZE ||
	    msg->src_id != KDBUS_SRC_ID_KERNEL || msg->dst_id != conn->id ||
	    msg->payload_type != KDBUS_PAYLOAD_KERNEL ||
	    msg->cookie_reply != cookie ||
	    msg->items[0].size != KDBUS_ITEM_HEADER_SIZE ||
	    msg->items[0].type != KDBUS_ITEM_REPLY_TIMEOUT) {
		log_msg("notification", msg);
		kdbus_log("expected: REPLY_TIMEOUT (%#x) of 80 bytes to %llu for cookie %#llx",
			  KDBUS_ITEM_REPLY_TIMEOUT,
			  (unsigned long long)conn->id,
			  (unsigned long long)cookie);
		bad = 1;
	}
	if (kdbus_free(conn, recv->msg.offset)) {
		kdbus_log("FREE of the notification slice failed");
		bad = 1;
	}
	return bad ? -EBADMSG : 0;
}

/*
 * Receive and log whatever is queued on @conn now, after @quiet_ms: the
 * number of messages found (each freed), or -errno of RECV.
 */
static int drain(struct kdbus_conn *conn, const char *who, int quiet_ms)
{
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	char what[64];
	int n = 0, ret;

	if (quiet_ms)
		kdbus_sleep_ms(quiet_ms);
	for (;;) {
		ret = kdbus_recv(conn, 0, 0, &recv, &msg);
		if (ret == -EAGAIN)
			return n;
		if (ret < 0) {
			kdbus_log("RECV on %s: %s", who, strerror(-ret));
			return ret;
		}
		snprintf(what, sizeof(what), "unexpected message on %s", who);
		if (msg)
			log_msg(what, msg);
		kdbus_free(conn, recv.msg.offset);
		n++;
	}
}

/*
 * Read the kernel log records written since @fd (an O_NONBLOCK /dev/kmsg
 * reader) was last read; log and count the ones that report a warning or
 * a bug. -1 without /dev/kmsg.
 */
static int kmsg_splats(int fd)
{
	static const char * const bad[] = {
		"WARNING:", "BUG:", "BUG ", "Oops", "KASAN", "UBSAN",
		"kernel BUG", "general protection fault",
	};
	char buf[8192], *text, *end;
	unsigned int i;
	int n = 0;
	ssize_t len;

	if (fd < 0)
		return -1;
	for (;;) {
		len = read(fd, buf, sizeof(buf) - 1);
		if (len < 0 && (errno == EINTR || errno == EPIPE))
			continue;	/* EPIPE: records were overwritten */
		if (len <= 0)
			return n;
		buf[len] = '\0';
		text = strchr(buf, ';');
		text = text ? text + 1 : buf;
		end = strchr(text, '\n');
		if (end)
			*end = '\0';
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			if (strstr(text, bad[i])) {
				kdbus_log("kernel: %s", text);
				n++;
				break;
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* jobs: operations that may block, run in threads, waited for        */
/* with a timeout                                                     */
/* ------------------------------------------------------------------ */

#define MAX_JOBS		16

struct job {
	const char *what;
	int (*fn)(struct job *j);
	pthread_t thread;
	bool started;
	int efd;		/* eventfd, readable once the job is done */
	/* arguments */
	struct kdbus_conn *conn;
	struct kdbus_conn *out;		/* HELLO: the new connection */
	const struct kdbus_domain *dom;
	const char *bus;
	__u64 dst, cookie, deadline;
	const void *data;
	size_t len;
	int wait_ms;
	/* results, valid once done */
	int ret;
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	__u64 off, size;
	__u64 t_start, t_end;
};

/* a SEND of @len bytes of @data (EXPECT_REPLY if @deadline != 0) */
static int job_send(struct job *j)
{
	struct kdbus_msg *msg = kdbus_msg_new(j->dst, j->cookie);
	int ret;

	if (j->deadline) {
		msg->flags = KDBUS_MSG_EXPECT_REPLY;
		msg->timeout_ns = j->deadline;
	}
	if (j->len)
		kdbus_msg_add_vec(msg, j->data, j->len);
	ret = kdbus_send(j->conn, msg, 0, -1, NULL);
	kdbus_msg_release(msg);
	return ret;
}

/* poll for up to wait_ms, then RECV */
static int job_recv(struct job *j)
{
	return kdbus_recv_wait(j->conn, j->wait_ms, &j->recv, &j->msg);
}

static int job_hello(struct job *j)
{
	return kdbus_conn_new(j->out, j->dom, j->bus, NULL, 0);
}

static int job_byebye(struct job *j)
{
	return kdbus_byebye(j->conn);
}

/* CONN_INFO on the connection about itself */
static int job_conn_info(struct job *j)
{
	return kdbus_conn_info(j->conn, j->conn->id, NULL, 0, &j->off,
			       &j->size);
}

/* unmap the pool and close: the connection disconnects */
static int job_close(struct job *j)
{
	kdbus_conn_free(j->conn);
	return 0;
}

static void *job_thread(void *arg)
{
	struct job *j = arg;
	__u64 one = 1;

	j->ret = j->fn(j);
	j->t_end = kdbus_now_ns();
	if (write(j->efd, &one, sizeof(one)) != sizeof(one))
		kdbus_log("%s: eventfd: %s", j->what, strerror(errno));
	return NULL;
}

/* the next free job slot of @jobs, zeroed */
static struct job *job_new(struct job *jobs, const char *what,
			   int (*fn)(struct job *j))
{
	struct job *j;

	for (j = jobs; j < jobs + MAX_JOBS && j->fn; j++)
		;
	if (j == jobs + MAX_JOBS)
		abort();
	memset(j, 0, sizeof(*j));
	j->what = what;
	j->fn = fn;
	j->efd = eventfd(0, EFD_CLOEXEC);
	if (j->efd < 0)
		abort();
	return j;
}

/* start @j and wait up to @timeout_ms for it: 0, -ETIMEDOUT or -errno */
static int job_run(struct job *j, int timeout_ms)
{
	int ret;

	j->t_start = kdbus_now_ns();
	ret = pthread_create(&j->thread, NULL, job_thread, j);
	if (ret)
		return -ret;
	j->started = true;
	ret = kdbus_wait_pollin(j->efd, timeout_ms);
	if (ret)
		kdbus_log("%s: not done after %d ms", j->what, timeout_ms);
	return ret;
}

/* wait for every started job, however long it takes */
static void jobs_join(struct job *jobs)
{
	struct job *j;

	for (j = jobs; j < jobs + MAX_JOBS && j->fn; j++) {
		if (j->started)
			pthread_join(j->thread, NULL);
		j->started = false;
		if (j->efd >= 0)
			close(j->efd);
		j->efd = -1;
	}
}

/* ------------------------------------------------------------------ */
/* fixture: a bus, receiver R, sender A (a child), B, C, D, F         */
/* ------------------------------------------------------------------ */

FIXTURE(stall) {
	struct kdbus_domain dom;
	int owner;		/* BUS_OWNER handle */
	char bus[64];
	struct kdbus_conn r;	/* receiver, R_POOL_SIZE */
	struct kdbus_conn a;	/* stalled sender; used by the child */
	struct kdbus_conn b;	/* another sender to R */
	struct kdbus_conn c;	/* an unrelated caller */
	struct kdbus_conn d;	/* callee that never answers */
	struct kdbus_conn e;	/* made by HELLO while A is stalled */
	struct kdbus_conn f;	/* says BYEBYE while A is stalled */
	int kmsg;		/* /dev/kmsg reader, at its end */
	long page;
	__u8 *region;		/* one page; registered in the child */
	__u8 *src;		/* what resolves the fault */
	__u8 want_a[A_LEN];	/* A's payload */
	__u8 data_b[100];	/* B's payload */
	struct kdbus_msg *msg_a;
	struct kdbus_cmd_send *send_a;
	pid_t child;		/* sender A, 0 once reaped */
	int child_status;
	int sock;		/* to the child */
	int uffd;		/* the child's userfaultfd */
	__u64 t0;		/* when A was seen stalled */
	struct job jobs[MAX_JOBS];
};

/*
 * The helpers below spell FIXTURE_DATA(stall) as the structure it is,
 * struct _test_data_stall (checkpatch cannot parse the macro in a
 * parameter list); passing "self" to them checks that the two agree.
 */

/* the same as kdbus_conn_free(), for a conn that may be zeroed */
static void conn_put(struct kdbus_conn *conn)
{
	if (conn->id)
		kdbus_conn_free(conn);
}

FIXTURE_SETUP(stall)
{
	int fd, uffd_err = 0;

	self->owner = -1;
	self->kmsg = -1;
	self->sock = -1;
	self->uffd = -1;
	self->region = MAP_FAILED;

	fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		uffd_err = errno;
	else
		close(fd);
	/* the sysctl exists whenever the kernel has userfaultfd */
	if (fd < 0 && access(UFFD_SYSCTL, F_OK) < 0 && errno == ENOENT)
		SKIP(return, "userfaultfd() is not available (CONFIG_USERFAULTFD=n)");

	KDBUS_SETUP_DOMAIN(&self->dom);
	ASSERT_EQ(0, uffd_err)
		TH_LOG("userfaultfd(): %s", strerror(uffd_err));

	self->owner = kdbus_bus_create(&self->dom, 0, "stall", self->bus,
				       sizeof(self->bus));
	ASSERT_LE(0, self->owner);

	fd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&self->r, fd, 0, R_POOL_SIZE, "receiver"));
	ASSERT_EQ(0, kdbus_conn_new(&self->a, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&self->b, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&self->c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&self->d, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&self->f, &self->dom, self->bus, NULL, 0));

	/* from here on, the kernel must not complain */
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (self->kmsg < 0)
		TH_LOG("/dev/kmsg: %s; the kernel log is not checked",
		       strerror(errno));
	else
		lseek(self->kmsg, 0, SEEK_END);

	self->page = sysconf(_SC_PAGESIZE);
	ASSERT_LE(A_OFF + A_LEN, self->page);
	self->region = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->region);
	self->src = aligned_alloc(self->page, self->page);
	ASSERT_NE(NULL, self->src);
	memset(self->src, 0, self->page);
	fill(self->want_a, A_LEN, 1);
	fill(self->data_b, sizeof(self->data_b), 2);
	memcpy(self->src + A_OFF, self->want_a, A_LEN);

	self->msg_a = kdbus_msg_new(self->r.id, A_COOKIE);
	kdbus_msg_add_vec(self->msg_a, self->region + A_OFF, A_LEN);
	self->send_a = kdbus_args_new(sizeof(*self->send_a));
	self->send_a->msg_address = (__u64)(uintptr_t)self->msg_a;
}

/* wait up to @timeout_ms for the child to end: 0 or -ETIMEDOUT */
static int child_reap(struct _test_data_stall *self, int timeout_ms)
{
	int i, status;
	pid_t pid;

	if (!self->child)
		return 0;
	for (i = 0; i <= timeout_ms; i += 10) {
		pid = waitpid(self->child, &status, WNOHANG);
		if (pid == self->child) {
			self->child = 0;
			self->child_status = status;
			return 0;
		}
		if (pid < 0) {
			kdbus_log("waitpid: %s", strerror(errno));
			self->child = 0;
			return -ECHILD;
		}
		kdbus_sleep_ms(10);
	}
	return -ETIMEDOUT;
}

FIXTURE_TEARDOWN(stall)
{
	/*
	 * Once the userfaultfd is closed, a fault still pending is served
	 * as if the page were not registered: A's SEND goes on.
	 */
	if (self->uffd >= 0)
		close(self->uffd);
	self->uffd = -1;
	if (self->child && child_reap(self, A_WAIT_MS)) {
		TH_LOG("sender A did not end; killing it");
		kill(self->child, SIGKILL);
		child_reap(self, 60000);
	}
	jobs_join(self->jobs);
	if (self->sock >= 0)
		close(self->sock);
	if (self->kmsg >= 0)
		close(self->kmsg);
	conn_put(&self->f);
	conn_put(&self->e);
	conn_put(&self->d);
	conn_put(&self->c);
	conn_put(&self->b);
	conn_put(&self->a);
	conn_put(&self->r);
	if (self->owner >= 0)
		close(self->owner);
	kdbus_domain_umount(&self->dom);
	if (self->region != MAP_FAILED)
		munmap(self->region, self->page);
	free(self->src);
	kdbus_args_release(self->send_a);
	kdbus_msg_release(self->msg_a);
}

/* ------------------------------------------------------------------ */
/* sender A                                                           */
/* ------------------------------------------------------------------ */

/* send @status and, if @fd >= 0, the descriptor @fd */
static int sock_send(int sock, int status, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &status, .iov_len = sizeof(status) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == sizeof(status) ? 0 : -errno;
}

/*
 * Receive a status and maybe a descriptor (to *@fd, else -1) within
 * @timeout_ms: 0 or -errno.
 */
static int sock_recv(int sock, int *status, int *fd, int timeout_ms)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = status, .iov_len = sizeof(*status) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	if (fd)
		*fd = -1;
	if (kdbus_wait_pollin(sock, timeout_ms))
		return -ETIMEDOUT;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if (n != sizeof(*status))
		return -EPIPE;	/* the child is gone */
	cmsg = CMSG_FIRSTHDR(&mh);
	if (fd && cmsg && cmsg->cmsg_level == SOL_SOCKET &&
	    cmsg->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	return 0;
}

/*
 * The child: register the payload page with a new userfaultfd, hand the
 * userfaultfd to the test, send the message and report the result.
 */
static void sender_main(struct _test_data_stall *self, int sock)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = {
			.start = (__u64)(uintptr_t)self->region,
			.len = self->page,
		},
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct kdbus_conn *others[] = {
		&self->r, &self->b, &self->c, &self->d, &self->f,
	};
	int fd, uffd, ret;
	unsigned int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/*
	 * Keep nothing of the other connections: a pool mapping or fd left
	 * here would keep R connected when the test closes it.
	 */
	for (i = 0; i < ARRAY_SIZE(others); i++)
		if (others[i]->pool && others[i]->pool != MAP_FAILED)
			munmap(others[i]->pool, others[i]->pool_size);
	for (fd = 3; fd < 1024; fd++)
		if (fd != sock && fd != self->a.fd)
			close(fd);
	/* kernel-mode faults are reported: no UFFD_USER_MODE_ONLY */
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0) {
		sock_send(sock, -errno, -1);
		_exit(1);
	}
	if (ioctl(uffd, UFFDIO_API, &api) < 0 ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg) < 0) {
		sock_send(sock, -errno, -1);
		_exit(1);
	}
	if (sock_send(sock, 0, uffd) < 0)
		_exit(1);
	/* the test holds the only reference now */
	close(uffd);

	ret = ioctl(self->a.fd, KDBUS_CMD_SEND, self->send_a) < 0 ? -errno : 0;
	sock_send(sock, ret, -1);
	_exit(0);
}

/*
 * Fork sender A and wait until its SEND faults on its payload: the
 * userfaultfd reports the fault on the registered page.
 */
static void stall_start(struct __test_metadata *_metadata,
			struct _test_data_stall *self)
{
	struct pollfd pfd[2];
	struct uffd_msg fault;
	int sv[2], status, ret;
	ssize_t n;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				sv));
	fflush(NULL);
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		close(sv[0]);
		sender_main(self, sv[1]);
	}
	close(sv[1]);
	self->sock = sv[0];

	ret = sock_recv(self->sock, &status, &self->uffd, A_WAIT_MS);
	ASSERT_EQ(0, ret) TH_LOG("no userfaultfd from sender A: %s",
				 strerror(-ret));
	ASSERT_EQ(0, status) TH_LOG("sender A: userfaultfd setup: %s",
				    strerror(-status));
	ASSERT_LE(0, self->uffd);

	/* the fault, or the end of the SEND if it never faults */
	pfd[0] = (struct pollfd){ .fd = self->uffd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = self->sock, .events = POLLIN };
	do {
		ret = poll(pfd, 2, A_WAIT_MS);
	} while (ret < 0 && errno == EINTR);
	if (!(pfd[0].revents & POLLIN) && (pfd[1].revents & POLLIN) &&
	    !sock_recv(self->sock, &status, NULL, 0))
		TH_LOG("sender A's SEND returned %d (%s) without faulting",
		       status, strerror(-status));
	ASSERT_TRUE(pfd[0].revents & POLLIN)
		TH_LOG("sender A did not fault on its payload within %d ms",
		       A_WAIT_MS);

	n = read(self->uffd, &fault, sizeof(fault));
	ASSERT_EQ((ssize_t)sizeof(fault), n);
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, fault.event);
	ASSERT_EQ((__u64)(uintptr_t)self->region,
		  fault.arg.pagefault.address & ~((__u64)self->page - 1))
		TH_LOG("fault at %#llx, payload page at %p",
		       (unsigned long long)fault.arg.pagefault.address,
		       self->region);
	EXPECT_EQ(0ULL, fault.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE);
	self->t0 = kdbus_now_ns();
}

/* resolve A's fault with its payload: 0 or -errno */
static int stall_resolve(struct _test_data_stall *self)
{
	struct uffdio_copy copy = {
		.dst = (__u64)(uintptr_t)self->region,
		.src = (__u64)(uintptr_t)self->src,
		.len = self->page,
	};

	if (ioctl(self->uffd, UFFDIO_COPY, &copy) < 0)
		return -errno;
	return copy.copy == (__s64)self->page ? 0 : -EIO;
}

/* whether A's SEND is still in progress */
static bool sender_stalled(struct _test_data_stall *self)
{
	struct pollfd pfd = { .fd = self->sock, .events = POLLIN };

	return poll(&pfd, 1, 0) == 0;
}

/* ------------------------------------------------------------------ */
/* the tests                                                          */
/* ------------------------------------------------------------------ */

/*
 * A is stalled in the copy of its payload into R's pool for three
 * seconds; the bus, R and everybody else go on meanwhile. R's and C's
 * calls time out while A is stalled, so the REPLY_TIMEOUT to R is written
 * into the same pool as A's message and the one to C has to get past it.
 */
TEST_F_TIMEOUT(stall, others_proceed, 60)
{
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	struct kdbus_info *info;
	struct job *j, *jb;
	__u64 r_deadline, c_deadline;
	int ret, status, late;
	bool found;

	stall_start(_metadata, self);

	/* R calls D, which never answers: the REPLY_TIMEOUT goes to R's pool */
	j = job_new(self->jobs, "R calls D", job_send);
	j->conn = &self->r;
	j->dst = self->d.id;
	j->cookie = R_COOKIE;
	r_deadline = kdbus_now_ns() + R_CALL_MS * NSEC_PER_MSEC;
	j->deadline = r_deadline;
	ret = job_run(j, OP_MS);
	EXPECT_EQ(0, ret);
	if (!ret)
		EXPECT_EQ(0, j->ret);

	j = job_new(self->jobs, "R's REPLY_TIMEOUT", job_recv);
	j->conn = &self->r;
	j->wait_ms = ms_until(r_deadline, OP_MS);
	ret = job_run(j, j->wait_ms + 500);
	EXPECT_EQ(0, ret);
	if (!ret) {
		EXPECT_EQ(0, j->ret)
			TH_LOG("R: no REPLY_TIMEOUT within %d ms of its deadline: %s",
			       OP_MS, strerror(-j->ret));
		if (!j->ret) {
			EXPECT_EQ(0, check_timeout_msg(&self->r, &j->recv,
						       j->msg, R_COOKIE));
			EXPECT_LE(r_deadline, j->t_end);
		}
	}

	/*
	 * Only now, with R's REPLY_TIMEOUT delivered or stuck, an unrelated
	 * call of C to D: it is sent, and its REPLY_TIMEOUT arrives on time.
	 */
	j = job_new(self->jobs, "C calls D", job_send);
	j->conn = &self->c;
	j->dst = self->d.id;
	j->cookie = C_COOKIE;
	c_deadline = kdbus_now_ns() + C_CALL_MS * NSEC_PER_MSEC;
	j->deadline = c_deadline;
	ret = job_run(j, OP_MS);
	EXPECT_EQ(0, ret) TH_LOG("C's SEND to D blocks while A is stalled");
	if (!ret)
		EXPECT_EQ(0, j->ret);

	j = job_new(self->jobs, "C's REPLY_TIMEOUT", job_recv);
	j->conn = &self->c;
	j->wait_ms = ms_until(c_deadline, OP_MS);
	ret = job_run(j, j->wait_ms + 500);
	EXPECT_EQ(0, ret);
	if (!ret) {
		EXPECT_EQ(0, j->ret)
			TH_LOG("C: no REPLY_TIMEOUT within %d ms of its deadline: %s",
			       OP_MS, strerror(-j->ret));
		if (!j->ret) {
			EXPECT_EQ(0, check_timeout_msg(&self->c, &j->recv,
						       j->msg, C_COOKIE));
			EXPECT_LE(c_deadline, j->t_end);
		}
	}

	/* B's SEND to the same receiver completes and R receives it */
	jb = job_new(self->jobs, "B's SEND to R", job_send);
	jb->conn = &self->b;
	jb->dst = self->r.id;
	jb->cookie = B_COOKIE;
	jb->data = self->data_b;
	jb->len = sizeof(self->data_b);
	ret = job_run(jb, OP_MS);
	EXPECT_EQ(0, ret) TH_LOG("B's SEND to R blocks while A is stalled");
	if (!ret)
		EXPECT_EQ(0, jb->ret);

	j = job_new(self->jobs, "R's RECV of B's message", job_recv);
	j->conn = &self->r;
	j->wait_ms = OP_MS;
	ret = job_run(j, OP_MS + 500);
	EXPECT_EQ(0, ret);
	if (!ret) {
		EXPECT_EQ(0, j->ret)
			TH_LOG("R: no message from B within %d ms: %s", OP_MS,
			       strerror(-j->ret));
		if (!j->ret)
			EXPECT_EQ(0, check_data_msg(&self->r, &j->recv, j->msg,
						    self->b.id, B_COOKIE,
						    self->data_b,
						    sizeof(self->data_b)));
	}

	/* HELLO and BYEBYE of other connections */
	j = job_new(self->jobs, "HELLO", job_hello);
	j->out = &self->e;
	j->dom = &self->dom;
	j->bus = self->bus;
	ret = job_run(j, OP_MS);
	EXPECT_EQ(0, ret) TH_LOG("HELLO blocks while A is stalled");
	if (!ret) {
		EXPECT_EQ(0, j->ret);
		EXPECT_NE(0ULL, self->e.id);
	}

	j = job_new(self->jobs, "BYEBYE", job_byebye);
	j->conn = &self->f;
	ret = job_run(j, OP_MS);
	EXPECT_EQ(0, ret) TH_LOG("BYEBYE blocks while A is stalled");
	if (!ret)
		EXPECT_EQ(0, j->ret);

	/* CONN_INFO on R: a result written into R's pool */
	j = job_new(self->jobs, "CONN_INFO on R", job_conn_info);
	j->conn = &self->r;
	ret = job_run(j, OP_MS);
	EXPECT_EQ(0, ret) TH_LOG("CONN_INFO on R blocks while A is stalled");
	if (!ret) {
		EXPECT_EQ(0, j->ret);
		info = j->ret ? NULL : kdbus_pool_info(&self->r, j->off);
		EXPECT_NE(NULL, info);
		if (info) {
			EXPECT_EQ(self->r.id, info->id);
			EXPECT_LE(sizeof(*info), info->size);
			EXPECT_EQ(0, kdbus_free(&self->r, j->off));
		}
	}

	/* A has been stalled all along */
	sleep_until(self->t0 + STALL_MS * NSEC_PER_MSEC);
	EXPECT_TRUE(sender_stalled(self))
		TH_LOG("A's SEND ended before its fault was resolved");
	TH_LOG("A stalled for %lld ms", ms_between(self->t0, kdbus_now_ns()));

	/* resolve the fault: A's SEND succeeds, R gets A's exact bytes */
	ASSERT_EQ(0, stall_resolve(self));
	ret = sock_recv(self->sock, &status, NULL, A_WAIT_MS);
	ASSERT_EQ(0, ret) TH_LOG("A's SEND did not end after the fault was resolved");
	EXPECT_EQ(0, status) TH_LOG("A's SEND: %s", strerror(-status));
	EXPECT_EQ(0, child_reap(self, A_WAIT_MS));
	EXPECT_TRUE(WIFEXITED(self->child_status) &&
		    !WEXITSTATUS(self->child_status));

	/* on a kernel that blocked, what was late arrives first: skip it */
	found = false;
	late = 0;
	while (!found && late < 8) {
		ret = kdbus_recv_wait(&self->r, A_WAIT_MS, &recv, &msg);
		ASSERT_EQ(0, ret) TH_LOG("R: no message from A: %s",
					 strerror(-ret));
		if (msg->src_id == self->a.id) {
			EXPECT_EQ(0, check_data_msg(&self->r, &recv, msg,
						    self->a.id, A_COOKIE,
						    self->want_a, A_LEN));
			found = true;
		} else {
			log_msg("late message on R", msg);
			kdbus_free(&self->r, recv.msg.offset);
			late++;
		}
	}
	EXPECT_TRUE(found);

	/* everything that was started has ended; nothing came late */
	jobs_join(self->jobs);
	EXPECT_EQ(0, jb->ret) TH_LOG("B's SEND: %s", strerror(-jb->ret));
	late += drain(&self->r, "R", QUIET_MS);
	late += drain(&self->c, "C", 0);
	EXPECT_EQ(0, late) TH_LOG("%d messages arrived after the stall", late);

	/* R and the new connection still work */
	if (self->e.id) {
		ASSERT_EQ(0, kdbus_send_simple(&self->e, self->r.id, 0xe1, 0,
					       0, self->data_b, 8));
		ASSERT_EQ(0, kdbus_recv(&self->r, 0, 0, &recv, &msg));
		EXPECT_EQ(0, check_data_msg(&self->r, &recv, msg, self->e.id,
					    0xe1, self->data_b, 8));
	}
	EXPECT_GE(0, kmsg_splats(self->kmsg))
		TH_LOG("the kernel warned (see above)");
}

/*
 * A is killed while it is stalled: its SEND ends, nothing of its message
 * reaches R, R keeps working, and R's quota for A's user is whole again.
 */
TEST_F(stall, sender_killed)
{
	__u64 base, m, cookie = 0x100;
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	__u8 *big;
	struct job *j;
	char cal[8];
	size_t len;
	int ret;

	stall_start(_metadata, self);

	/* R still gets B's message meanwhile */
	j = job_new(self->jobs, "B's SEND to R", job_send);
	j->conn = &self->b;
	j->dst = self->r.id;
	j->cookie = B_COOKIE;
	j->data = self->data_b;
	j->len = sizeof(self->data_b);
	ret = job_run(j, OP_MS);
	EXPECT_EQ(0, ret) TH_LOG("B's SEND to R blocks while A is stalled");
	if (!ret)
		EXPECT_EQ(0, j->ret);

	/* kill A; its SEND gives up the fault */
	EXPECT_TRUE(sender_stalled(self));
	ASSERT_EQ(0, kill(self->child, SIGKILL));
	ret = child_reap(self, A_WAIT_MS);
	EXPECT_EQ(0, ret) TH_LOG("A did not die within %d ms of SIGKILL",
				 A_WAIT_MS);
	if (ret) {
		/* let the fault proceed: A's SEND can then end */
		close(self->uffd);
		self->uffd = -1;
		ASSERT_EQ(0, child_reap(self, A_WAIT_MS));
	}
	EXPECT_TRUE(WIFSIGNALED(self->child_status) &&
		    WTERMSIG(self->child_status) == SIGKILL);
	jobs_join(self->jobs);
	EXPECT_EQ(0, j->ret) TH_LOG("B's SEND: %s", strerror(-j->ret));

	/* R has B's message and nothing of A */
	ASSERT_EQ(0, kdbus_recv_wait(&self->r, OP_MS, &recv, &msg));
	EXPECT_EQ(0, check_data_msg(&self->r, &recv, msg, self->b.id,
				    B_COOKIE, self->data_b,
				    sizeof(self->data_b)));
	EXPECT_EQ(0, drain(&self->r, "R", 0));

	/* the size of a message with one vector and no metadata */
	memcpy(cal, "calibrat", sizeof(cal));
	ASSERT_EQ(0, kdbus_send_simple(&self->b, self->r.id, cookie++, 0, 0,
				       cal, sizeof(cal)));
	ASSERT_EQ(0, kdbus_recv(&self->r, 0, 0, &recv, &msg));
	base = recv.msg.msg_size - sizeof(cal);
	EXPECT_EQ(0, check_data_msg(&self->r, &recv, msg, self->b.id,
				    cookie - 1, cal, sizeof(cal)));
	ASSERT_LE(sizeof(*msg), base);

	/*
	 * Nothing is queued: one user may queue one third of half the pool
	 * (§7.4), as one message, but not eight bytes more. Quota or pool
	 * space that A's aborted message kept would make the first fail.
	 */
	m = (R_POOL_SIZE / 2 / 3) & ~7ULL;
	len = m - base + 8;
	big = malloc(len);
	ASSERT_NE(NULL, big);
	fill(big, len, 4);
	EXPECT_EQ(-ENOBUFS, kdbus_send_simple(&self->b, self->r.id, cookie++,
					      0, 0, big, len));
	len -= 8;
	ret = kdbus_send_simple(&self->b, self->r.id, cookie, 0, 0, big, len);
	EXPECT_EQ(0, ret) TH_LOG("R no longer takes %llu bytes from A's user: %s",
				 (unsigned long long)m, strerror(-ret));
	if (!ret) {
		ASSERT_EQ(0, kdbus_recv(&self->r, 0, 0, &recv, &msg));
		EXPECT_EQ(m, recv.msg.msg_size);
		EXPECT_EQ(0, check_data_msg(&self->r, &recv, msg, self->b.id,
					    cookie, big, len));
	}
	free(big);
	EXPECT_EQ(0, drain(&self->r, "R", 0));
	EXPECT_GE(0, kmsg_splats(self->kmsg))
		TH_LOG("the kernel warned (see above)");
}

/*
 * R disconnects while A is stalled on the copy into R's pool: the
 * disconnect completes, A's SEND fails with ECONNRESET once the fault is
 * resolved, and the kernel does not warn (issue: the quota A was charged
 * with is gone with R).
 */
TEST_F(stall, receiver_closes)
{
	__u64 r_id = self->r.id;
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	struct job *j;
	int ret, status;

	stall_start(_metadata, self);

	j = job_new(self->jobs, "closing R", job_close);
	j->conn = &self->r;
	ret = job_run(j, OP_MS);
	EXPECT_EQ(0, ret) TH_LOG("closing R blocks while A is stalled");

	/* R is gone for everybody else */
	j = job_new(self->jobs, "B's SEND to the closed R", job_send);
	j->conn = &self->b;
	j->dst = r_id;
	j->cookie = B_COOKIE;
	j->data = self->data_b;
	j->len = sizeof(self->data_b);
	ret = job_run(j, OP_MS);
	EXPECT_EQ(0, ret);
	if (!ret)
		EXPECT_EQ(-ENXIO, j->ret);

	EXPECT_TRUE(sender_stalled(self));
	ASSERT_EQ(0, stall_resolve(self));
	ret = sock_recv(self->sock, &status, NULL, A_WAIT_MS);
	ASSERT_EQ(0, ret) TH_LOG("A's SEND did not end after the fault was resolved");
	EXPECT_EQ(-ECONNRESET, status) TH_LOG("A's SEND: %s", strerror(-status));
	EXPECT_EQ(0, child_reap(self, A_WAIT_MS));
	EXPECT_TRUE(WIFEXITED(self->child_status) &&
		    !WEXITSTATUS(self->child_status));
	jobs_join(self->jobs);

	/* A's connection still works */
	ASSERT_EQ(0, kdbus_send_simple(&self->a, self->b.id, 0xa2, 0, 0,
				       self->data_b, 8));
	ASSERT_EQ(0, kdbus_recv_wait(&self->b, OP_MS, &recv, &msg));
	EXPECT_EQ(0, check_data_msg(&self->b, &recv, msg, self->a.id, 0xa2,
				    self->data_b, 8));
	EXPECT_GE(0, kmsg_splats(self->kmsg))
		TH_LOG("the kernel warned (see above)");
}

/*
 * A sends to a name that its activator holds and stalls in the copy into
 * the activator's pool; meanwhile R takes the name over, which moves the
 * activator's queue (A's message is not in it yet). When A's copy ends,
 * its message must not be queued at the activator, which no longer owns
 * the name, but go to R: once, intact, and nothing stays behind.
 */
#define HANDOVER_NAME		"com.example.stall.handover"

TEST_F_TIMEOUT(stall, handover_while_sending, 60)
{
	struct kdbus_conn act = { 0 };
	const struct kdbus_item *item;
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	__u8 buf[A_LEN + 8];
	int ret, status;

	ASSERT_EQ(0, kdbus_activator_new(&act, &self->dom, self->bus,
					 HANDOVER_NAME));
	kdbus_msg_release(self->msg_a);
	self->msg_a = kdbus_msg_new(KDBUS_DST_ID_NAME, A_COOKIE);
	kdbus_msg_add_dst_name(self->msg_a, HANDOVER_NAME);
	kdbus_msg_add_vec(self->msg_a, self->region + A_OFF, A_LEN);
	self->send_a->msg_address = (__u64)(uintptr_t)self->msg_a;

	stall_start(_metadata, self);

	/* the hand-over does not wait for A's copy */
	EXPECT_EQ(0, kdbus_name_acquire(&self->r, HANDOVER_NAME, 0, NULL));
	EXPECT_TRUE(sender_stalled(self));

	ASSERT_EQ(0, stall_resolve(self));
	ret = sock_recv(self->sock, &status, NULL, A_WAIT_MS);
	ASSERT_EQ(0, ret) TH_LOG("A's SEND did not end after the fault was resolved");
	EXPECT_EQ(0, status) TH_LOG("A's SEND: %s", strerror(-status));
	EXPECT_EQ(0, child_reap(self, A_WAIT_MS));

	/* the new owner has it */
	ASSERT_EQ(0, kdbus_recv_wait(&self->r, OP_MS, &recv, &msg))
		TH_LOG("A's message did not reach the new owner");
	EXPECT_EQ(self->a.id, msg->src_id);
	EXPECT_EQ(A_COOKIE, msg->cookie);
	item = kdbus_msg_find(msg, KDBUS_ITEM_DST_NAME);
	ASSERT_NE(NULL, item);
	EXPECT_STREQ(HANDOVER_NAME, item->str);
	EXPECT_EQ((ssize_t)A_LEN, kdbus_msg_payload(msg, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, self->want_a, A_LEN));
	EXPECT_EQ(0, kdbus_free(&self->r, recv.msg.offset));
	EXPECT_EQ(-EAGAIN, kdbus_recv(&self->r, 0, 0, NULL, NULL));
	/* and nothing stayed behind at the activator */
	EXPECT_EQ(-EAGAIN, kdbus_recv(&act, 0, 0, NULL, NULL))
		TH_LOG("A's message was queued at the former owner");
	EXPECT_GE(0, kmsg_splats(self->kmsg))
		TH_LOG("the kernel warned (see above)");
	kdbus_conn_free(&act);
}

TEST_HARNESS_MAIN
