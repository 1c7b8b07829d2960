// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus-bench: round-trip latency of a kdbus call and its reply, next to
 * an AF_UNIX socketpair and a pipe ping-pong; and the cost of connecting
 * to and leaving a bus that already has many connections.
 *
 * Not a test: it is built with the selftests and run by "make bench".
 *
 * For every payload size and transport (a "cell") the client (this
 * process) forks a server, pinned to another CPU than the client when
 * there is more than one, warms up for a fifth of the time, chooses N so
 * that the timed part takes about the cell time (-t) divided by the rounds
 * (-r), and records each of N round trips with CLOCK_MONOTONIC. The
 * transports of a size take turns, round after round, so that a change in
 * the load of the machine (an emulator's host) hits all of them alike;
 * the statistics of a cell pool its rounds. A round trip carries SIZE
 * bytes each way:
 *
 *   kdbus-async  SEND (EXPECT_REPLY, absolute deadline, one PAYLOAD_VEC),
 *                poll(), RECV, FREE; the server poll()s, RECVs, SENDs the
 *                reply (cookie_reply, one PAYLOAD_VEC of SIZE bytes) and
 *                FREEs the request
 *   kdbus-sync   the same call with KDBUS_SEND_SYNC_REPLY: SEND returns
 *                the reply in the caller's pool, which FREEs it
 *   unix         write()/read() of SIZE bytes on a SOCK_STREAM socketpair
 *   pipe         write()/read() of SIZE bytes on two pipes
 *
 * The hot path is raw ioctls and syscalls. Connections have 64 MiB pools
 * and ask for no metadata (attach_flags_recv = 0), so transport is
 * compared with transport. A kdbus failure (no kdbusfs, a command not
 * implemented yet) is reported for its cell and the other cells still run.
 * With -p (the default) the 8-byte round trip is also run with a clock
 * read between its steps, on both sides, to show where the time goes.
 *
 * HELLO + BYEBYE (-i, unless -I): with IDLE other connections on the bus
 * (1, 100 and 1000 by default: connected with HELLO, holding 64 KiB pools,
 * never doing anything else), the client times, one after the other and
 * each with a clock read before and after: open() of the bus endpoint,
 * KDBUS_CMD_HELLO (64 KiB pool, no metadata, the pool not mapped),
 * KDBUS_CMD_BYEBYE and close(). The cost of one connection coming and
 * going must not depend on how many others are on the bus. The counts
 * take turns round after round like the transports; RLIMIT_NOFILE is
 * raised for the idle connections (as root also its hard limit), and the
 * default per-user limit of 1024 connections (KDBUS_USER_MAX_CONN) bounds
 * IDLE to 1023.
 *
 * Output: a table for people, and for scripts/parse-bench.py one line per
 * cell, e.g.
 *   KDBUS-BENCH size=8 transport=unix n=98304 median_us=10.20 p90_us=...
 *   KDBUS-BENCH size=8 transport=kdbus-sync error=HELLO:ENOTTY
 *   KDBUS-BENCH-CONN idle=100 n=5120 median_us=60.10 p90_us=... open_us=...
 * Exit status: 0 if every cell has numbers, 1 if a cell failed, 2 on
 * bad usage.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kdbus-util.h"

#define NSEC_PER_SEC		1000000000ULL
#define BENCH_POOL_SIZE		(64ULL * 1024 * 1024)
/* EXPECT_REPLY deadline, relative to the start of the round trip */
#define BENCH_DEADLINE_NS	(10ULL * NSEC_PER_SEC)
/* how long either side waits for its peer before giving up */
#define BENCH_POLL_MS		10000
#define BENCH_MIN_WARMUP	5
#define BENCH_MAX_WARMUP	100000
#define BENCH_MIN_ITERS		20
#define BENCH_MAX_ITERS		2000000
#define BENCH_MAX_SIZES		16
#define BENCH_MAX_PHASES	4
/* per-phase samples the server keeps in -p mode */
#define BENCH_SERVER_SAMPLES	(256UL * 1024)
#define BENCH_REQ_FILL		0x71
#define BENCH_REPLY_FILL	0x72
/* HELLO + BYEBYE: the pools of the timed and of the idle connections */
#define BENCH_CONN_POOL_SIZE	(64ULL * 1024)
#define BENCH_MAX_IDLE_COUNTS	8
/* KDBUS_USER_MAX_CONN, one of them the timed connection */
#define BENCH_MAX_IDLE		1023
/* file descriptors besides the idle connections */
#define BENCH_NOFILE_SPARE	64
#define BENCH_CONN_STEPS	4

enum bench_transport {
	BT_KDBUS_ASYNC,
	BT_KDBUS_SYNC,
	BT_UNIX,
	BT_PIPE,
	BT_COUNT,
};

static const char * const bt_name[BT_COUNT] = {
	[BT_KDBUS_ASYNC]	= "kdbus-async",
	[BT_KDBUS_SYNC]		= "kdbus-sync",
	[BT_UNIX]		= "unix",
	[BT_PIPE]		= "pipe",
};

/* the steps of a round trip timed in -p mode, on each side */
static const char * const client_phase[BT_COUNT][BENCH_MAX_PHASES] = {
	[BT_KDBUS_ASYNC]	= { "send", "poll", "recv", "free" },
	[BT_KDBUS_SYNC]		= { "send", "free" },
	[BT_UNIX]		= { "write", "read" },
	[BT_PIPE]		= { "write", "read" },
};

static const char * const server_phase[BT_COUNT][BENCH_MAX_PHASES] = {
	[BT_KDBUS_ASYNC]	= { "poll", "recv", "reply", "free" },
	[BT_KDBUS_SYNC]		= { "poll", "recv", "reply", "free" },
	[BT_UNIX]		= { "read", "write" },
	[BT_PIPE]		= { "read", "write" },
};

/* the steps of HELLO + BYEBYE, each timed */
static const char * const conn_step[BENCH_CONN_STEPS] = {
	"open", "hello", "byebye", "close",
};

static bool is_kdbus(enum bench_transport t)
{
	return t == BT_KDBUS_ASYNC || t == BT_KDBUS_SYNC;
}

static unsigned int phase_count(const char * const *names)
{
	unsigned int n = 0;

	while (n < BENCH_MAX_PHASES && names[n])
		n++;
	return n;
}

/* the options and what setup found out */
static struct {
	double target_s;
	unsigned int rounds;
	size_t sizes[BENCH_MAX_SIZES];
	unsigned int nsizes;
	bool run[BT_COUNT];
	bool phases;
	unsigned int idle[BENCH_MAX_IDLE_COUNTS]; /* HELLO + BYEBYE */
	unsigned int nidle;		/* 0: not run (-I) */
	bool one_cpu;			/* -1: client and server share a CPU */
	int client_cpu, server_cpu;	/* -1: not pinned */
	int ncpus;
	char bus_ep[512];		/* the bus endpoint path */
	char kdbus_what[64];		/* kdbus setup failure: the step */
	int kdbus_err;			/* ... and its errno, 0 if none */
	__u64 clock_ns;			/* cost of one clock read */
	__u64 clock_res_ns;		/* resolution of CLOCK_MONOTONIC */
} opt;

/* one end of the connection of a cell */
struct link {
	enum bench_transport t;
	size_t size;
	/* kdbus */
	int fd;
	__u64 id;
	__u8 *pool;
	__u64 cookie;
	struct kdbus_msg *msg;		/* the request (client) or reply */
	__u64 msgbuf[32];
	/* AF_UNIX, pipes */
	int rfd, wfd;
	/* payload buffers */
	__u8 *out, *in;
	bool checked;			/* the first payload was compared */
	/* the first failure */
	char what[64];
	int err;
};

/* what a server tells the client: once ready, once done */
struct report {
	int err;
	char what[64];
	__u64 id;
	unsigned long n;
	double phase_us[BENCH_MAX_PHASES];
};

/* the result of a cell */
struct cell {
	__u64 *samples;			/* round-trip times of all rounds, ns */
	unsigned long n;
	bool failed;
	char what[64];			/* the failing step ... */
	int err;			/* ... and its errno */
	bool ok;			/* set by cell_finish() */
	double median_us, p90_us, min_us, mean_us;
};

static struct cell cells[BENCH_MAX_SIZES][BT_COUNT];

/* the HELLO + BYEBYE result for one number of idle connections */
struct conn_cell {
	__u64 *samples;			/* open to close, ns */
	__u64 *steps[BENCH_CONN_STEPS];	/* each step, ns */
	unsigned long n;
	bool failed;
	char what[64];
	int err;
	bool ok;
	double median_us, p90_us, min_us, mean_us;
	double step_us[BENCH_CONN_STEPS];	/* medians */
};

static struct conn_cell conn_cells[BENCH_MAX_IDLE_COUNTS];

static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static inline void stamp(__u64 *stamps, unsigned int i)
{
	if (stamps)
		stamps[i] = now_ns();
}

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "E?";
}

static int fail(struct link *l, const char *what, int err)
{
	if (!l->err) {
		snprintf(l->what, sizeof(l->what), "%s", what);
		l->err = err ? err : EIO;
	}
	return -1;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* sorts @v; the value at quantile @q (0..1), nearest rank, in us */
static double quantile_us(__u64 *v, unsigned long n, double q, bool sorted)
{
	unsigned long i;

	if (!n)
		return 0;
	if (!sorted)
		qsort(v, n, sizeof(*v), cmp_u64);
	i = (unsigned long)(q * n + 0.999999);
	i = i ? i - 1 : 0;
	if (i >= n)
		i = n - 1;
	return v[i] / 1000.0;
}

static bool filled(const __u8 *p, size_t n, __u8 v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = read(fd, (__u8 *)buf + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			if (!done)
				return 0;
			errno = ECONNRESET;
			return -1;
		}
		done += r;
	}
	return done;
}

static ssize_t write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = write(fd, (const __u8 *)buf + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		done += r;
	}
	return done;
}

/* --- kdbus ------------------------------------------------------------ */

static int kdbus_free_slice(struct link *l, __u64 offset)
{
	struct kdbus_cmd_free cmd = {
		.size = sizeof(cmd),
		.offset = offset,
	};

	if (ioctl(l->fd, KDBUS_CMD_FREE, &cmd) < 0)
		return fail(l, "FREE", errno);
	return 0;
}

/*
 * Connect to the bus with a 64 MiB pool and no metadata, map the pool,
 * and prepare the message this side sends: a header and one PAYLOAD_VEC
 * of l->size bytes from l->out.
 */
static int kdbus_connect(struct link *l)
{
	struct kdbus_cmd_hello hello = {
		.size = sizeof(hello),
		.attach_flags_send = _KDBUS_ATTACH_ALL,
		.attach_flags_recv = 0,
		.pool_size = BENCH_POOL_SIZE,
	};
	struct kdbus_item *item;
	void *pool;

	if (opt.kdbus_err)
		return fail(l, opt.kdbus_what, opt.kdbus_err);
	l->fd = open(opt.bus_ep, O_RDWR | O_CLOEXEC);
	if (l->fd < 0)
		return fail(l, "open bus", errno);
	if (ioctl(l->fd, KDBUS_CMD_HELLO, &hello) < 0)
		return fail(l, "HELLO", errno);
	l->id = hello.id;
	pool = mmap(NULL, BENCH_POOL_SIZE, PROT_READ, MAP_SHARED, l->fd, 0);
	if (pool == MAP_FAILED)
		return fail(l, "mmap pool", errno);
	l->pool = pool;
	if (kdbus_free_slice(l, hello.offset) < 0)
		return -1;

	l->msg = (struct kdbus_msg *)l->msgbuf;
	l->msg->size = sizeof(*l->msg) +
		       KDBUS_ITEM_SIZE(sizeof(struct kdbus_vec));
	l->msg->payload_type = KDBUS_PAYLOAD_DBUS;
	item = l->msg->items;
	item->size = KDBUS_ITEM_HEADER_SIZE + sizeof(struct kdbus_vec);
	item->type = KDBUS_ITEM_PAYLOAD_VEC;
	item->vec.size = l->size;
	item->vec.address = (uintptr_t)l->out;
	return 0;
}

/*
 * Check a received message of l->size payload bytes filled with @fill
 * (all of them the first time, the first and last byte afterwards).
 */
static int kdbus_check_payload(struct link *l, const struct kdbus_msg_info *info,
			       struct kdbus_msg *msg, __u8 fill)
{
	struct kdbus_item *item;
	const __u8 *data;

	if (info->offset >= BENCH_POOL_SIZE ||
	    info->msg_size > BENCH_POOL_SIZE - info->offset ||
	    msg->size > info->msg_size)
		return fail(l, "message slice out of the pool", EPROTO);
	KDBUS_ITEM_FOREACH(item, msg, items)
		if (item->type == KDBUS_ITEM_PAYLOAD_OFF)
			break;
	if ((__u8 *)item + KDBUS_ITEM_HEADER_SIZE > (__u8 *)msg + msg->size ||
	    item->type != KDBUS_ITEM_PAYLOAD_OFF)
		return fail(l, "message has no PAYLOAD_OFF", EPROTO);
	if (item->vec.size != l->size ||
	    item->vec.offset > info->msg_size ||
	    l->size > info->msg_size - item->vec.offset)
		return fail(l, "payload size/offset", EPROTO);
	data = (const __u8 *)msg + item->vec.offset;
	if (!l->checked) {
		if (!filled(data, l->size, fill))
			return fail(l, "payload content", EPROTO);
		l->checked = true;
	} else if (data[0] != fill || data[l->size - 1] != fill) {
		return fail(l, "payload content", EPROTO);
	}
	return 0;
}

/* client: one call and its reply, FREE included */
static int kdbus_call(struct link *l, __u64 t0, __u64 *stamps)
{
	struct kdbus_msg *msg = l->msg;
	struct kdbus_cmd_send send = {
		.size = sizeof(send),
		.msg_address = (uintptr_t)msg,
	};
	struct kdbus_cmd_recv recv = { .size = sizeof(recv) };
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	struct kdbus_msg_info *info = &send.reply;
	struct kdbus_msg *reply;
	int ret, tries = 0;

	msg->cookie = ++l->cookie;
	msg->timeout_ns = t0 + BENCH_DEADLINE_NS;
	if (l->t == BT_KDBUS_SYNC)
		send.flags = KDBUS_SEND_SYNC_REPLY;
	if (ioctl(l->fd, KDBUS_CMD_SEND, &send) < 0)
		return fail(l, "SEND", errno);
	stamp(stamps, 0);
	if (l->t == BT_KDBUS_ASYNC) {
		for (;;) {
			ret = poll(&pfd, 1, BENCH_POLL_MS);
			if (ret < 0 && errno == EINTR)
				continue;
			if (ret <= 0)
				return fail(l, "poll", ret ? errno : ETIMEDOUT);
			stamp(stamps, 1);
			if (ioctl(l->fd, KDBUS_CMD_RECV, &recv) == 0)
				break;
			/* POLLIN without a message: once is odd, always is a bug */
			if (errno != EAGAIN || ++tries == 100)
				return fail(l, "RECV", errno);
		}
		stamp(stamps, 2);
		info = &recv.msg;
	}
	reply = (struct kdbus_msg *)(l->pool + info->offset);
	ret = 0;
	if (info->offset >= BENCH_POOL_SIZE)
		ret = fail(l, "no reply slice", EPROTO);
	else if (reply->cookie_reply != msg->cookie)
		ret = fail(l, "reply cookie", EPROTO);
	else
		ret = kdbus_check_payload(l, info, reply, BENCH_REPLY_FILL);
	if (kdbus_free_slice(l, info->offset) < 0)
		return -1;
	return ret;
}

/* client: tell the server to stop (a message that expects no reply) */
static void kdbus_stop(struct link *l, __u64 server_id)
{
	__u64 buf[8] = { 0 };
	struct kdbus_msg *msg = (struct kdbus_msg *)buf;
	struct kdbus_cmd_send send = {
		.size = sizeof(send),
		.msg_address = (uintptr_t)msg,
	};

	msg->size = sizeof(*msg);
	msg->dst_id = server_id;
	msg->payload_type = KDBUS_PAYLOAD_DBUS;
	msg->cookie = ++l->cookie;
	if (ioctl(l->fd, KDBUS_CMD_SEND, &send) < 0)
		fail(l, "SEND (stop)", errno);
}

/* server: answer one call; 1 when told to stop */
static int kdbus_serve(struct link *l, __u64 *stamps)
{
	struct kdbus_cmd_recv recv = { .size = sizeof(recv) };
	struct kdbus_cmd_send send = {
		.size = sizeof(send),
		.msg_address = (uintptr_t)l->msg,
	};
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	struct kdbus_msg *msg;
	int ret;

	for (;;) {
		ret = poll(&pfd, 1, BENCH_POLL_MS);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			return fail(l, "poll", ret ? errno : ETIMEDOUT);
		stamp(stamps, 0);
		if (ioctl(l->fd, KDBUS_CMD_RECV, &recv) == 0)
			break;
		if (errno != EAGAIN)
			return fail(l, "RECV", errno);
	}
	stamp(stamps, 1);
	msg = (struct kdbus_msg *)(l->pool + recv.msg.offset);
	if (recv.msg.offset >= BENCH_POOL_SIZE)
		return fail(l, "no request slice", EPROTO);
	if (!(msg->flags & KDBUS_MSG_EXPECT_REPLY)) {
		kdbus_free_slice(l, recv.msg.offset);
		return 1;
	}
	if (kdbus_check_payload(l, &recv.msg, msg, BENCH_REQ_FILL) < 0)
		return -1;
	l->msg->dst_id = msg->src_id;
	l->msg->cookie = ++l->cookie;
	l->msg->cookie_reply = msg->cookie;
	if (ioctl(l->fd, KDBUS_CMD_SEND, &send) < 0)
		return fail(l, "SEND (reply)", errno);
	stamp(stamps, 2);
	return kdbus_free_slice(l, recv.msg.offset);
}

/* --- AF_UNIX and pipes ------------------------------------------------- */

static int stream_call(struct link *l, __u64 *stamps)
{
	ssize_t r;

	if (write_full(l->wfd, l->out, l->size) < 0)
		return fail(l, "write", errno);
	stamp(stamps, 0);
	r = read_full(l->rfd, l->in, l->size);
	if (r <= 0)
		return fail(l, "read", r ? errno : ECONNRESET);
	if (!l->checked) {
		if (!filled(l->in, l->size, BENCH_REQ_FILL))
			return fail(l, "echoed content", EPROTO);
		l->checked = true;
	}
	return 0;
}

/* server: echo one message; 1 at end of file */
static int stream_serve(struct link *l, __u64 *stamps)
{
	ssize_t r;

	r = read_full(l->rfd, l->in, l->size);
	if (r < 0)
		return fail(l, "read", errno);
	if (r == 0)
		return 1;
	stamp(stamps, 0);
	if (write_full(l->wfd, l->in, l->size) < 0)
		return fail(l, "write", errno);
	return 0;
}

/* --- the two sides of a cell ------------------------------------------ */

static int round_trip(struct link *l, __u64 t0, __u64 *stamps)
{
	if (is_kdbus(l->t))
		return kdbus_call(l, t0, stamps);
	return stream_call(l, stamps);
}

/*
 * @n round trips; their times go to @rtt, and in -p mode (@ph != NULL)
 * the time of each phase p to ph[p * n + i].
 */
static int client_loop(struct link *l, unsigned long n, __u64 *rtt, __u64 *ph)
{
	unsigned int np = phase_count(client_phase[l->t]), p;
	__u64 s[BENCH_MAX_PHASES], t0, t1, prev;
	unsigned long i;

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if (round_trip(l, t0, ph ? s : NULL) < 0)
			return -1;
		t1 = now_ns();
		rtt[i] = t1 - t0;
		if (!ph)
			continue;
		prev = t0;
		for (p = 0; p + 1 < np; p++) {
			ph[p * n + i] = s[p] - prev;
			prev = s[p];
		}
		ph[p * n + i] = t1 - prev;
	}
	return 0;
}

static int server_loop(struct link *l, bool phases, struct report *rep)
{
	unsigned int np = phase_count(server_phase[l->t]), p;
	__u64 *ph[BENCH_MAX_PHASES] = { NULL };
	__u64 s[BENCH_MAX_PHASES], t0, t1, prev;
	unsigned long n = 0;
	int ret;

	for (p = 0; phases && p < np; p++) {
		ph[p] = calloc(BENCH_SERVER_SAMPLES, sizeof(__u64));
		if (!ph[p])
			return fail(l, "calloc", ENOMEM);
	}
	for (;;) {
		t0 = phases ? now_ns() : 0;
		if (is_kdbus(l->t))
			ret = kdbus_serve(l, phases ? s : NULL);
		else
			ret = stream_serve(l, phases ? s : NULL);
		if (ret)
			break;
		if (!phases || n >= BENCH_SERVER_SAMPLES) {
			n++;
			continue;
		}
		t1 = now_ns();
		prev = t0;
		for (p = 0; p + 1 < np; p++) {
			ph[p][n] = s[p] - prev;
			prev = s[p];
		}
		ph[p][n] = t1 - prev;
		n++;
	}
	rep->n = n;
	for (p = 0; phases && p < np; p++) {
		rep->phase_us[p] = quantile_us(ph[p], n < BENCH_SERVER_SAMPLES ?
					       n : BENCH_SERVER_SAMPLES,
					       0.5, false);
		free(ph[p]);
	}
	return ret < 0 ? -1 : 0;
}

static void pin_to(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		fprintf(stderr, "# sched_setaffinity(%d): %s\n", cpu,
			strerror(errno));
}

static void report_write(int fd, const struct report *rep)
{
	ssize_t r;

	do {
		r = write(fd, rep, sizeof(*rep));
	} while (r < 0 && errno == EINTR);
}

/* 1 with a report, 0 if the server is gone, -1 on timeout */
static int report_read(int fd, struct report *rep, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t r;
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0)
		return -1;
	r = read(fd, rep, sizeof(*rep));
	return r == sizeof(*rep);
}

/* the forked server of a cell; never returns */
static void server_main(struct link *l, int rep_fd, bool phases)
{
	struct report rep = { 0 };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pin_to(opt.server_cpu);
	if (is_kdbus(l->t) && kdbus_connect(l) < 0)
		goto out;
	rep.id = l->id;
	report_write(rep_fd, &rep);
	server_loop(l, phases, &rep);
out:
	rep.err = l->err;
	snprintf(rep.what, sizeof(rep.what), "%s", l->what);
	report_write(rep_fd, &rep);
	_exit(l->err ? 1 : 0);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void *payload_alloc(size_t size, __u8 fill)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, fill, size);
	return p;
}

static void print_phases(const char *side, size_t size,
			 enum bench_transport t, const char * const *names,
			 unsigned long n, const double *us)
{
	unsigned int np = phase_count(names), p;
	char line[256];
	int len;

	len = snprintf(line, sizeof(line),
		       "KDBUS-BENCH-PHASE size=%zu transport=%s side=%s n=%lu",
		       size, bt_name[t], side, n);
	for (p = 0; p < np && len < (int)sizeof(line); p++)
		len += snprintf(line + len, sizeof(line) - len, " %s=%.2f",
				names[p], us[p]);
	puts(line);
}

/* the first failure of a cell; in -p mode it is reported at once */
static void cell_error(struct cell *c, size_t size, enum bench_transport t,
		       bool phases, const char *what, int err)
{
	char *p;

	if (c->failed)
		return;
	c->failed = true;
	c->err = err;
	/* the machine-readable value has no blanks */
	snprintf(c->what, sizeof(c->what), "%s", what);
	for (p = c->what; *p; p++)
		if (*p == ' ')
			*p = '_';
	if (!phases)
		return;
	printf("KDBUS-BENCH-PHASE size=%zu transport=%s error=%s:%s\n",
	       size, bt_name[t], c->what, errname(err));
	printf("# %s, %zu bytes: %s: %s\n", bt_name[t], size, what,
	       strerror(err));
}

/* the statistics of a cell once all its rounds ran, and its line */
static void cell_finish(struct cell *c, size_t size, enum bench_transport t)
{
	double sum = 0;
	unsigned long i;

	if (c->failed) {
		printf("KDBUS-BENCH size=%zu transport=%s error=%s:%s\n",
		       size, bt_name[t], c->what, errname(c->err));
		printf("# %s, %zu bytes: %s: %s\n", bt_name[t], size, c->what,
		       strerror(c->err));
		return;
	}
	for (i = 0; i < c->n; i++)
		sum += c->samples[i];
	c->mean_us = sum / c->n / 1000.0;
	c->median_us = quantile_us(c->samples, c->n, 0.5, false);
	c->p90_us = quantile_us(c->samples, c->n, 0.9, true);
	c->min_us = c->samples[0] / 1000.0;
	c->ok = true;
	printf("KDBUS-BENCH size=%zu transport=%s n=%lu", size, bt_name[t],
	       c->n);
	printf(" median_us=%.2f p90_us=%.2f min_us=%.2f mean_us=%.2f\n",
	       c->median_us, c->p90_us, c->min_us, c->mean_us);
	free(c->samples);
	c->samples = NULL;
}

/*
 * Run one round of a cell: fork the server, connect, warm up, size N so
 * that the timed part takes @seconds, time N round trips and add them to
 * @c. With @phases, time the steps too and print them instead.
 */
static void run_cell(struct cell *c, size_t size, enum bench_transport t,
		     bool phases, double seconds)
{
	unsigned int np = phase_count(client_phase[t]), p;
	struct link cl = { .t = t, .size = size, .fd = -1, .rfd = -1,
			   .wfd = -1 };
	struct link sv = cl;
	__u64 *rtt = NULL, *ph = NULL, t0, elapsed;
	double us[BENCH_MAX_PHASES];
	int rep_pipe[2], a[2] = { -1, -1 }, b[2] = { -1, -1 };
	struct report rep = { 0 };
	unsigned long n, w;
	int ret, status = 0;
	pid_t pid;

	cl.out = payload_alloc(size, BENCH_REQ_FILL);
	cl.in = payload_alloc(size, 0);
	sv.out = payload_alloc(size, BENCH_REPLY_FILL);
	sv.in = payload_alloc(size, 0);
	if (!cl.out || !cl.in || !sv.out || !sv.in) {
		cell_error(c, size, t, phases, "mmap", ENOMEM);
		goto unmap;
	}
	if (pipe2(rep_pipe, O_CLOEXEC) < 0) {
		cell_error(c, size, t, phases, "pipe", errno);
		goto unmap;
	}
	if (t == BT_UNIX) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a) < 0) {
			cell_error(c, size, t, phases, "socketpair", errno);
			goto close_rep;
		}
		cl.rfd = a[0];
		cl.wfd = a[0];
		sv.rfd = a[1];
		sv.wfd = a[1];
	} else if (t == BT_PIPE) {
		if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0) {
			cell_error(c, size, t, phases, "pipe", errno);
			goto close_fds;
		}
		cl.wfd = a[1];
		sv.rfd = a[0];
		sv.wfd = b[1];
		cl.rfd = b[0];
	}

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		cell_error(c, size, t, phases, "fork", errno);
		goto close_fds;
	}
	if (pid == 0) {
		close(rep_pipe[0]);
		if (cl.rfd >= 0)
			close(cl.rfd);
		if (cl.wfd >= 0 && cl.wfd != cl.rfd)
			close(cl.wfd);
		server_main(&sv, rep_pipe[1], phases);
	}
	/* the server's ends: a[1] of the socketpair, a[0] and b[1] of the pipes */
	close_fd(&rep_pipe[1]);
	close_fd(t == BT_UNIX ? &a[1] : &a[0]);
	close_fd(&b[1]);

	if (is_kdbus(t) && kdbus_connect(&cl) < 0)
		goto stop;
	ret = report_read(rep_pipe[0], &rep, 3 * BENCH_POLL_MS);
	if (ret <= 0 || rep.err) {
		if (ret <= 0)
			fail(&sv, "server start", ret ? ETIMEDOUT : ECHILD);
		else
			fail(&sv, rep.what, rep.err);
		goto stop;
	}
	if (is_kdbus(t)) {
		cl.msg->flags = KDBUS_MSG_EXPECT_REPLY;
		cl.msg->dst_id = rep.id;
	}

	/* warm up for a fifth of the time, then size N from it */
	t0 = now_ns();
	w = 0;
	do {
		if (round_trip(&cl, now_ns(), NULL) < 0)
			goto stop;
		w++;
		elapsed = now_ns() - t0;
	} while (w < BENCH_MIN_WARMUP ||
		 (elapsed < seconds * NSEC_PER_SEC / 5 &&
		  w < BENCH_MAX_WARMUP));
	n = (unsigned long)(seconds * NSEC_PER_SEC * w /
			    (elapsed ? elapsed : 1));
	if (n < BENCH_MIN_ITERS)
		n = BENCH_MIN_ITERS;
	if (n > BENCH_MAX_ITERS)
		n = BENCH_MAX_ITERS;
	rtt = calloc(n, sizeof(*rtt));
	if (phases)
		ph = calloc(n * np, sizeof(*ph));
	if (!rtt || (phases && !ph)) {
		fail(&cl, "calloc", ENOMEM);
		goto stop;
	}
	if (client_loop(&cl, n, rtt, ph) < 0)
		goto stop;

	if (phases) {
		for (p = 0; p < np; p++)
			us[p] = quantile_us(ph + p * n, n, 0.5, false);
		print_phases("client", size, t, client_phase[t], n, us);
	} else {
		__u64 *all = realloc(c->samples, (c->n + n) * sizeof(*all));

		if (!all) {
			fail(&cl, "realloc", ENOMEM);
			goto stop;
		}
		memcpy(all + c->n, rtt, n * sizeof(*all));
		c->samples = all;
		c->n += n;
	}

stop:
	/*
	 * Stop the server: a message without EXPECT_REPLY, or end of file;
	 * after a failure here it may be stuck waiting for a call, kill it.
	 */
	if (is_kdbus(t) && !cl.err && !sv.err)
		kdbus_stop(&cl, rep.id);
	for (p = 0; p < 2; p++) {
		close_fd(&a[p]);
		close_fd(&b[p]);
	}
	if (!cl.err && !sv.err) {
		ret = report_read(rep_pipe[0], &rep, 3 * BENCH_POLL_MS);
		if (ret < 0)
			fail(&sv, "server stop", ETIMEDOUT);
		else if (ret > 0 && rep.err)
			fail(&sv, rep.what, rep.err);
	}
	if (cl.err || sv.err)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!sv.err && !cl.err && !(WIFEXITED(status) && !WEXITSTATUS(status)))
		fail(&sv, "server exit", ECHILD);
	if (cl.err)
		cell_error(c, size, t, phases, cl.what, cl.err);
	else if (sv.err)
		cell_error(c, size, t, phases, sv.what, sv.err);
	else if (phases)
		print_phases("server", size, t, server_phase[t], rep.n,
			     rep.phase_us);
	free(rtt);
	free(ph);
	if (cl.pool)
		munmap(cl.pool, BENCH_POOL_SIZE);
	if (cl.fd >= 0)
		close(cl.fd);
close_fds:
	for (p = 0; p < 2; p++) {
		close_fd(&a[p]);
		close_fd(&b[p]);
	}
close_rep:
	close_fd(&rep_pipe[0]);
	close_fd(&rep_pipe[1]);
unmap:
	if (cl.out)
		munmap(cl.out, size);
	if (cl.in)
		munmap(cl.in, size);
	if (sv.out)
		munmap(sv.out, size);
	if (sv.in)
		munmap(sv.in, size);
}

/* --- HELLO + BYEBYE ---------------------------------------------------- */

static int *idle_fds;			/* the idle connections */
static unsigned int idle_open;

/* open the bus endpoint and HELLO: the handle, or -1 with @l's error */
static int conn_hello(struct link *l, __u64 *stamps)
{
	struct kdbus_cmd_hello hello = {
		.size = sizeof(hello),
		.attach_flags_send = _KDBUS_ATTACH_ALL,
		.attach_flags_recv = 0,
		.pool_size = BENCH_CONN_POOL_SIZE,
	};
	int fd;

	if (opt.kdbus_err)
		return fail(l, opt.kdbus_what, opt.kdbus_err);
	fd = open(opt.bus_ep, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(l, "open bus", errno);
	stamp(stamps, 0);
	if (ioctl(fd, KDBUS_CMD_HELLO, &hello) < 0) {
		fail(l, "HELLO", errno);
		close(fd);
		return -1;
	}
	stamp(stamps, 1);
	return fd;
}

/* one timed connection: open, HELLO, BYEBYE, close; stamps[0..3] */
static int conn_cycle(struct link *l, __u64 *stamps)
{
	struct kdbus_cmd cmd = { .size = sizeof(cmd) };
	int fd;

	fd = conn_hello(l, stamps);
	if (fd < 0)
		return -1;
	if (ioctl(fd, KDBUS_CMD_BYEBYE, &cmd) < 0) {
		fail(l, "BYEBYE", errno);
		close(fd);
		return -1;
	}
	stamp(stamps, 2);
	if (close(fd) < 0)
		return fail(l, "close", errno);
	stamp(stamps, 3);
	return 0;
}

/* connect or disconnect idle connections until there are @n */
static int idle_set(struct link *l, unsigned int n)
{
	int fd;

	while (idle_open > n)
		close(idle_fds[--idle_open]);
	while (idle_open < n) {
		fd = conn_hello(l, NULL);
		if (fd < 0)
			return -1;
		idle_fds[idle_open++] = fd;
	}
	return 0;
}

/* room for the idle connections in the fd table */
static int nofile_setup(struct link *l, unsigned int idle)
{
	rlim_t need = idle + BENCH_NOFILE_SPARE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return fail(l, "getrlimit NOFILE", errno);
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return fail(l, "setrlimit NOFILE", errno);
	return 0;
}

static void conn_error(struct conn_cell *c, const struct link *l)
{
	char *p;

	if (c->failed)
		return;
	c->failed = true;
	c->err = l->err;
	snprintf(c->what, sizeof(c->what), "%s", l->what);
	for (p = c->what; *p; p++)
		if (*p == ' ')
			*p = '_';
}

/*
 * One round of a count: bring the idle connections to @idle, warm up for
 * a fifth of @seconds, then time as many connections as fit in @seconds.
 */
static void conn_round(struct conn_cell *c, unsigned int idle, double seconds)
{
	struct link l = { .fd = -1 };
	__u64 st[BENCH_CONN_STEPS], t0, t1, prev, elapsed, *v;
	unsigned long n, w, i;
	unsigned int p;

	if (idle_set(&l, idle) < 0)
		goto out;
	t0 = now_ns();
	w = 0;
	do {
		if (conn_cycle(&l, NULL) < 0)
			goto out;
		w++;
		elapsed = now_ns() - t0;
	} while (w < BENCH_MIN_WARMUP ||
		 (elapsed < seconds * NSEC_PER_SEC / 5 &&
		  w < BENCH_MAX_WARMUP));
	n = (unsigned long)(seconds * NSEC_PER_SEC * w /
			    (elapsed ? elapsed : 1));
	if (n < BENCH_MIN_ITERS)
		n = BENCH_MIN_ITERS;
	if (n > BENCH_MAX_ITERS)
		n = BENCH_MAX_ITERS;

	v = realloc(c->samples, (c->n + n) * sizeof(*v));
	if (!v) {
		fail(&l, "realloc", ENOMEM);
		goto out;
	}
	c->samples = v;
	for (p = 0; p < BENCH_CONN_STEPS; p++) {
		v = realloc(c->steps[p], (c->n + n) * sizeof(*v));
		if (!v) {
			fail(&l, "realloc", ENOMEM);
			goto out;
		}
		c->steps[p] = v;
	}
	for (i = c->n; i < c->n + n; i++) {
		t0 = now_ns();
		if (conn_cycle(&l, st) < 0)
			goto out;
		t1 = st[BENCH_CONN_STEPS - 1];
		c->samples[i] = t1 - t0;
		prev = t0;
		for (p = 0; p < BENCH_CONN_STEPS; p++) {
			c->steps[p][i] = st[p] - prev;
			prev = st[p];
		}
	}
	c->n += n;
out:
	if (l.err)
		conn_error(c, &l);
}

static void conn_finish(struct conn_cell *c, unsigned int idle)
{
	double sum = 0;
	unsigned long i;
	unsigned int p;

	if (!c->failed && !c->n) {
		c->failed = true;
		snprintf(c->what, sizeof(c->what), "no_samples");
		c->err = EIO;
	}
	if (c->failed) {
		printf("KDBUS-BENCH-CONN idle=%u error=%s:%s\n", idle, c->what,
		       errname(c->err));
		printf("# HELLO + BYEBYE with %u idle: %s: %s\n", idle,
		       c->what, strerror(c->err));
		goto out;
	}
	for (i = 0; i < c->n; i++)
		sum += c->samples[i];
	c->mean_us = sum / c->n / 1000.0;
	c->median_us = quantile_us(c->samples, c->n, 0.5, false);
	c->p90_us = quantile_us(c->samples, c->n, 0.9, true);
	c->min_us = c->samples[0] / 1000.0;
	for (p = 0; p < BENCH_CONN_STEPS; p++)
		c->step_us[p] = quantile_us(c->steps[p], c->n, 0.5, false);
	c->ok = true;
	printf("KDBUS-BENCH-CONN idle=%u n=%lu median_us=%.2f p90_us=%.2f",
	       idle, c->n, c->median_us, c->p90_us);
	printf(" min_us=%.2f mean_us=%.2f", c->min_us, c->mean_us);
	for (p = 0; p < BENCH_CONN_STEPS; p++)
		printf(" %s_us=%.2f", conn_step[p], c->step_us[p]);
	printf("\n");
out:
	free(c->samples);
	c->samples = NULL;
	for (p = 0; p < BENCH_CONN_STEPS; p++) {
		free(c->steps[p]);
		c->steps[p] = NULL;
	}
}

/* HELLO + BYEBYE with every idle count, the counts taking turns */
static void run_conns(void)
{
	struct link l = { .fd = -1 };
	unsigned int max = 0, r, i, k;

	for (i = 0; i < opt.nidle; i++)
		if (opt.idle[i] > max)
			max = opt.idle[i];
	idle_fds = calloc(max + 1, sizeof(*idle_fds));
	if (!idle_fds)
		fail(&l, "calloc", ENOMEM);
	else
		nofile_setup(&l, max);
	for (i = 0; l.err && i < opt.nidle; i++)
		conn_error(&conn_cells[i], &l);

	for (r = 0; r < opt.rounds; r++) {
		/* up and down: fewer connections to add or remove */
		for (k = 0; k < opt.nidle; k++) {
			i = r % 2 ? opt.nidle - 1 - k : k;
			if (!conn_cells[i].failed)
				conn_round(&conn_cells[i], opt.idle[i],
					   opt.target_s / opt.rounds);
		}
	}
	if (idle_fds) {
		struct link dummy = { .fd = -1 };

		idle_set(&dummy, 0);
	}
	free(idle_fds);
	idle_fds = NULL;
	for (i = 0; i < opt.nidle; i++)
		conn_finish(&conn_cells[i], opt.idle[i]);
}

/* --- setup and output -------------------------------------------------- */

static struct kdbus_domain bench_dom;
static int bench_bus_fd = -1;

/* a private kdbusfs mount with one bus; failures are kept for the cells */
static void kdbus_setup(void)
{
	char name[64];
	int ret;

	if (geteuid() != 0) {
		snprintf(opt.kdbus_what, sizeof(opt.kdbus_what),
			 "mount kdbusfs (needs root)");
		opt.kdbus_err = EPERM;
		return;
	}
	kdbus_private_mounts();
	ret = kdbus_domain_mount(&bench_dom);
	if (ret < 0) {
		snprintf(opt.kdbus_what, sizeof(opt.kdbus_what),
			 "mount kdbusfs");
		opt.kdbus_err = -ret;
		return;
	}
	ret = kdbus_bus_create(&bench_dom, 0, "bench", name, sizeof(name));
	if (ret < 0) {
		snprintf(opt.kdbus_what, sizeof(opt.kdbus_what), "BUS_MAKE");
		opt.kdbus_err = -ret;
		return;
	}
	bench_bus_fd = ret;
	snprintf(opt.bus_ep, sizeof(opt.bus_ep), "%s/%s/bus",
		 bench_dom.path, name);
}

static void kdbus_teardown(void)
{
	if (bench_bus_fd >= 0)
		close(bench_bus_fd);
	kdbus_domain_umount(&bench_dom);
}

/* the client runs on the first allowed CPU, the server on the second */
static void cpu_setup(void)
{
	cpu_set_t set;
	int cpu;

	opt.client_cpu = -1;
	opt.server_cpu = -1;
	opt.ncpus = 1;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	opt.ncpus = CPU_COUNT(&set);
	for (cpu = 0; cpu < CPU_SETSIZE && opt.ncpus > 1; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (opt.client_cpu < 0) {
			opt.client_cpu = cpu;
			if (!opt.one_cpu)
				continue;
		}
		opt.server_cpu = cpu;
		break;
	}
	pin_to(opt.client_cpu);
}

static void clock_setup(void)
{
	__u64 d[1001], t, u;
	struct timespec res;
	unsigned int i;

	if (!clock_getres(CLOCK_MONOTONIC, &res))
		opt.clock_res_ns = (__u64)res.tv_sec * NSEC_PER_SEC + res.tv_nsec;

	t = now_ns();
	for (i = 0; i < 1001; i++) {
		u = now_ns();
		d[i] = u - t;
		t = u;
	}
	opt.clock_ns = (__u64)(quantile_us(d, 1001, 0.5, false) * 1000);
}

static const char *size_str(size_t size, char *buf, size_t len)
{
	if (size >= 1024 * 1024 && !(size % (1024 * 1024)))
		snprintf(buf, len, "%zu MiB", size / (1024 * 1024));
	else if (size >= 1024 && !(size % 1024))
		snprintf(buf, len, "%zu KiB", size / 1024);
	else
		snprintf(buf, len, "%zu B", size);
	return buf;
}

static void print_table(void)
{
	unsigned int s, t;
	char buf[32];

	printf("\nround trip: SIZE-byte request + SIZE-byte reply, microseconds\n\n");
	printf("%8s", "size");
	for (t = 0; t < BT_COUNT; t++)
		if (opt.run[t])
			printf(" | %-17s", bt_name[t]);
	printf(" | kdbus/unix (median)\n%8s", "");
	for (t = 0; t < BT_COUNT; t++)
		if (opt.run[t])
			printf(" | %8s %8s", "median", "p90");
	printf(" | %8s %8s\n", "async", "sync");
	for (s = 0; s < opt.nsizes; s++) {
		const struct cell *u = &cells[s][BT_UNIX];

		printf("%8s", size_str(opt.sizes[s], buf, sizeof(buf)));
		for (t = 0; t < BT_COUNT; t++) {
			const struct cell *c = &cells[s][t];

			if (!opt.run[t])
				continue;
			if (c->ok) {
				printf(" | %8.1f %8.1f", c->median_us, c->p90_us);
			} else {
				snprintf(buf, sizeof(buf), "%s %s",
					 errname(c->err), c->what);
				printf(" | %-17.17s", buf);
			}
		}
		printf(" |");
		for (t = BT_KDBUS_ASYNC; t <= BT_KDBUS_SYNC; t++) {
			const struct cell *c = &cells[s][t];

			if (opt.run[t] && c->ok && opt.run[BT_UNIX] && u->ok)
				printf(" %8.2f", c->median_us / u->median_us);
			else
				printf(" %8s", "-");
		}
		printf("\n");
	}
	printf("\n");
	for (s = 0; s < opt.nsizes; s++) {
		const struct cell *u = &cells[s][BT_UNIX];

		printf("KDBUS-BENCH-RATIO size=%zu", opt.sizes[s]);
		for (t = BT_KDBUS_ASYNC; t <= BT_KDBUS_SYNC; t++) {
			const struct cell *c = &cells[s][t];

			if (opt.run[t] && c->ok && opt.run[BT_UNIX] && u->ok)
				printf(" %s/unix=%.3f", bt_name[t],
				       c->median_us / u->median_us);
			else
				printf(" %s/unix=-", bt_name[t]);
		}
		printf("\n");
	}
}

static void print_conn_table(void)
{
	const struct conn_cell *base = &conn_cells[0];
	unsigned int i, p;
	char buf[32];

	if (!opt.nidle)
		return;
	printf("\nHELLO + BYEBYE: open() the bus endpoint, HELLO, BYEBYE, close(),\n");
	printf("with IDLE other connections on the bus; microseconds\n\n");
	printf("%8s | %8s %8s |", "idle", "median", "p90");
	for (p = 0; p < BENCH_CONN_STEPS; p++)
		printf(" %8s", conn_step[p]);
	printf(" | median vs %u idle\n", opt.idle[0]);
	printf("%8s | %17s |", "", "");
	printf(" %35s |\n", "median per step");
	for (i = 0; i < opt.nidle; i++) {
		const struct conn_cell *c = &conn_cells[i];

		printf("%8u |", opt.idle[i]);
		if (!c->ok) {
			snprintf(buf, sizeof(buf), "%s %s", errname(c->err),
				 c->what);
			printf(" %-17.17s |\n", buf);
			continue;
		}
		printf(" %8.1f %8.1f |", c->median_us, c->p90_us);
		for (p = 0; p < BENCH_CONN_STEPS; p++)
			printf(" %8.1f", c->step_us[p]);
		if (base->ok && base->median_us > 0)
			printf(" | %7.2fx\n", c->median_us / base->median_us);
		else
			printf(" | %8s\n", "-");
	}
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-t SECONDS] [-r ROUNDS] [-s SIZE]... [-x TRANSPORT]... [-1] [-P]\n"
		"       [-i IDLE]... [-I]\n"
		"  -t SECONDS    timed part of each cell (default 1.5)\n"
		"  -r ROUNDS     rounds the cell time is split into (default 3)\n"
		"  -s SIZE       payload size in bytes, repeatable\n"
		"                (default 8, 4096, 65536, 1048576)\n"
		"  -x TRANSPORT  kdbus-async, kdbus-sync, unix or pipe, repeatable\n"
		"                (default all)\n"
		"  -1            pin client and server to the same CPU (default:\n"
		"                different CPUs when there are two)\n"
		"  -P            skip the per-step timing of the 8-byte round trip\n"
		"  -i IDLE       HELLO + BYEBYE with IDLE other connections on the\n"
		"                bus (0..%d), repeatable (default 1, 100, 1000)\n"
		"  -I            skip HELLO + BYEBYE\n",
		prog, BENCH_MAX_IDLE);
}

int main(int argc, char **argv)
{
	static const size_t default_sizes[] = { 8, 4096, 65536, 1048576 };
	static const unsigned int default_idle[] = { 1, 100, 1000 };
	bool no_conns = false;
	unsigned long v;
	bool any_transport = false, failed = false;
	unsigned int s, t, r, i;
	char *end;
	int c;

	opt.target_s = 1.5;
	opt.rounds = 3;
	opt.phases = true;
	while ((c = getopt(argc, argv, "t:r:s:x:1Pi:Ih")) != -1) {
		switch (c) {
		case '1':
			opt.one_cpu = true;
			break;
		case 'r':
			opt.rounds = strtoul(optarg, &end, 0);
			if (*end || !opt.rounds || opt.rounds > 100) {
				print_usage(argv[0]);
				return 2;
			}
			break;
		case 't':
			opt.target_s = strtod(optarg, &end);
			if (*end || opt.target_s <= 0 || opt.target_s > 600) {
				print_usage(argv[0]);
				return 2;
			}
			break;
		case 's':
			if (opt.nsizes == BENCH_MAX_SIZES) {
				print_usage(argv[0]);
				return 2;
			}
			opt.sizes[opt.nsizes] = strtoul(optarg, &end, 0);
			if (*end || !opt.sizes[opt.nsizes] ||
			    opt.sizes[opt.nsizes] > (2UL << 20)) {
				print_usage(argv[0]);
				return 2;
			}
			opt.nsizes++;
			break;
		case 'x':
			for (t = 0; t < BT_COUNT; t++)
				if (!strcmp(optarg, bt_name[t]))
					break;
			if (t == BT_COUNT) {
				print_usage(argv[0]);
				return 2;
			}
			opt.run[t] = true;
			any_transport = true;
			break;
		case 'P':
			opt.phases = false;
			break;
		case 'i':
			v = strtoul(optarg, &end, 0);
			if (*end || !*optarg || v > BENCH_MAX_IDLE ||
			    opt.nidle == BENCH_MAX_IDLE_COUNTS) {
				print_usage(argv[0]);
				return 2;
			}
			opt.idle[opt.nidle++] = v;
			break;
		case 'I':
			no_conns = true;
			break;
		default:
			print_usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc) {
		print_usage(argv[0]);
		return 2;
	}
	if (!opt.nsizes) {
		for (s = 0; s < ARRAY_SIZE(default_sizes); s++)
			opt.sizes[s] = default_sizes[s];
		opt.nsizes = ARRAY_SIZE(default_sizes);
	}
	for (t = 0; t < BT_COUNT && !any_transport; t++)
		opt.run[t] = true;
	if (no_conns) {
		opt.nidle = 0;
	} else if (!opt.nidle) {
		for (i = 0; i < ARRAY_SIZE(default_idle); i++)
			opt.idle[i] = default_idle[i];
		opt.nidle = ARRAY_SIZE(default_idle);
	}
	/* ascending, each count once */
	qsort(opt.idle, opt.nidle, sizeof(opt.idle[0]), cmp_uint);
	for (i = 1, r = 1; i < opt.nidle; i++)
		if (opt.idle[i] != opt.idle[r - 1])
			opt.idle[r++] = opt.idle[i];
	if (opt.nidle)
		opt.nidle = r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	cpu_setup();
	clock_setup();
	kdbus_setup();

	printf("kdbus-bench: request and reply of SIZE bytes each;");
	printf(" kdbus pools of %llu MiB, no metadata\n", BENCH_POOL_SIZE >> 20);
	if (opt.server_cpu >= 0)
		printf("client on cpu %d, server on cpu %d (%d cpus)",
		       opt.client_cpu, opt.server_cpu, opt.ncpus);
	else
		printf("one cpu: client and server share it");
	printf("; ~%.1f s per cell in %u rounds; a clock read costs %llu ns\n",
	       opt.target_s, opt.rounds, (unsigned long long)opt.clock_ns);
	if (opt.clock_res_ns > 1000)
		printf("# WARNING: CLOCK_MONOTONIC resolution %llu ns, %s\n",
		       (unsigned long long)opt.clock_res_ns,
		       "no high-resolution clock: the times mean nothing");
	if (opt.kdbus_err)
		printf("# kdbus unavailable: %s: %s\n", opt.kdbus_what,
		       strerror(opt.kdbus_err));
	printf("KDBUS-BENCH-INFO cpus=%d client_cpu=%d server_cpu=%d",
	       opt.ncpus, opt.client_cpu, opt.server_cpu);
	printf(" pool_size=%llu target_s=%.2f rounds=%u", BENCH_POOL_SIZE,
	       opt.target_s, opt.rounds);
	printf(" clock_ns=%llu clock_res_ns=%llu conn_idle=",
	       (unsigned long long)opt.clock_ns,
	       (unsigned long long)opt.clock_res_ns);
	for (i = 0; i < opt.nidle; i++)
		printf("%s%u", i ? "," : "", opt.idle[i]);
	printf("%s\n", opt.nidle ? "" : "-");

	for (s = 0; s < opt.nsizes; s++) {
		for (r = 0; r < opt.rounds; r++) {
			/* each round starts with another transport */
			for (i = 0; i < BT_COUNT; i++) {
				t = (r + i) % BT_COUNT;
				if (opt.run[t] && !cells[s][t].failed)
					run_cell(&cells[s][t], opt.sizes[s], t,
						 false, opt.target_s / opt.rounds);
			}
		}
		for (t = 0; t < BT_COUNT; t++)
			if (opt.run[t])
				cell_finish(&cells[s][t], opt.sizes[s], t);
	}

	if (opt.phases) {
		struct cell scratch;

		printf("# where an 8-byte round trip spends its time: median us\n");
		printf("# per step, with a clock read between the steps\n");
		for (t = 0; t < BT_COUNT; t++) {
			/* nothing to learn where the plain 8-byte cell failed */
			for (s = 0; s < opt.nsizes; s++)
				if (opt.sizes[s] == 8 && !cells[s][t].ok)
					break;
			if (!opt.run[t] || s < opt.nsizes)
				continue;
			memset(&scratch, 0, sizeof(scratch));
			run_cell(&scratch, 8, t, true, opt.target_s);
		}
	}

	if (opt.nidle)
		run_conns();

	print_table();
	print_conn_table();
	for (s = 0; s < opt.nsizes; s++)
		for (t = 0; t < BT_COUNT; t++)
			if (opt.run[t] && !cells[s][t].ok)
				failed = true;
	for (i = 0; i < opt.nidle; i++)
		if (!conn_cells[i].ok)
			failed = true;
	kdbus_teardown();
	return failed ? 1 : 0;
}
