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
 *   kdbus-memfd  kdbus-async with the payload in a sealed memfd (one
 *                PAYLOAD_MEMFD item, start 0, size SIZE) instead of a
 *                PAYLOAD_VEC: the sender of each message (the call and
 *                the reply) creates a fresh memfd (MFD_ALLOW_SEALING; a
 *                sealed memfd is immutable, as a D-Bus proxy's would be),
 *                writes the SIZE bytes, seals it (SHRINK, GROW, WRITE,
 *                SEAL), SENDs and closes it; the receiver RECVs, mmap()s
 *                the fd the kernel installed (MAP_POPULATE: every page
 *                made accessible, as the PAYLOAD_VEC's copy is in the
 *                pool), checks the bytes, munmap()s, closes it and FREEs.
 *                Its connections set KDBUS_HELLO_ACCEPT_FD (without it
 *                RECV installs no fd). The ratio kdbus-memfd/kdbus-async
 *                (memfd/vec) per size shows above which payload size a
 *                memfd is cheaper than a copy into the receiver's pool
 *   unix         write()/read() of SIZE bytes on a SOCK_STREAM socketpair
 *   pipe         write()/read() of SIZE bytes on two pipes
 *
 * The hot path is raw ioctls and syscalls. Connections have 64 MiB pools
 * and ask for no metadata (attach_flags_recv = 0), so transport is
 * compared with transport. A kdbus failure (no kdbusfs, a command not
 * implemented yet) is reported for its cell and the other cells still run.
 * With -p (the default) the 8-byte round trip is also run with a clock
 * read between its steps, on both sides, to show where the time goes.
 * Sizes are given with -s (up to BENCH_MAX_SIZES, at most 2 MiB, the
 * kernel's limit of the PAYLOAD_VEC bytes of a message); for the memfd
 * threshold, e.g. -s 65536 -s 131072 ... -s 2097152 -I -B -N -M.
 *
 * Metadata (unless -M): the 8-byte kdbus-async round trip again, the same
 * client and server and the same timing, in two cases that take turns
 * round after round like the transports, each for the cell time (-t):
 *   none  both connections ask for no metadata: attach_flags_send and
 *         attach_flags_recv are 0 on both sides
 *   all   both connections send and ask for everything: attach_flags_send
 *         and attach_flags_recv are _KDBUS_ATTACH_ALL on both sides, so
 *         the call and the reply each carry every kind of metadata that
 *         is available (the connections have no description and own no
 *         names: no CONN_DESCRIPTION, no OWNED_NAME item)
 * For both cases the module parameter attach_flags_mask
 * (/sys/module/kdbus/parameters/attach_flags_mask) is set to
 * 18446744073709551615 (~0) and restored afterwards; if it cannot be
 * written (not root, no such parameter) the cell fails and nothing is
 * timed. The first message each side receives in a round is checked: with
 * "none" it has no metadata item, with "all" at least TIMESTAMP, CREDS and
 * PIDS; the number of metadata items of the client's first reply and
 * their bytes are reported. The metadata cost per call is the difference
 * of the medians, all - none (metadata on the call and on its reply), and
 * all/none their ratio.
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
 * Broadcast SEND (-b, unless -B): the time of one KDBUS_CMD_SEND of a
 * broadcast signal (dst_id KDBUS_DST_ID_BROADCAST, KDBUS_MSG_SIGNAL, a
 * BLOOM_FILTER of the bus's bloom size, generation 0, one 8-byte
 * PAYLOAD_VEC) with RECEIVERS other connections on the bus (1, 100 and
 * 1000 by default, 64 KiB pools, all in this process), in three cases:
 *   none  no receiver has a match
 *   miss  every receiver has one match, a BLOOM_MASK the filter lacks a
 *         bit of: nobody gets a copy
 *   hit   every receiver has one match, a BLOOM_MASK all of whose bits
 *         the filter has: every receiver gets a copy
 * Only the SEND ioctl is timed (a clock read before and after each). The
 * broadcasts go out in batches of BENCH_BCAST_BATCH; after each batch of
 * "hit" every receiver's queue is emptied (receiver 0: RECV, check, FREE;
 * the others RECV_DROP) and must hold exactly the batch, nothing dropped,
 * so that quotas (256 queued messages per sending user and receiver, a
 * third of the free half of the pool) never fill; that drain is timed
 * apart and reported per broadcast (all RECEIVERS copies). After "none"
 * and "miss" every queue must be empty. The cases take turns round after
 * round; as a reference, an 8-byte send() on an AF_UNIX SOCK_DGRAM
 * socketpair (drained with recv() after each batch) takes its turn with
 * them, for the ratio broadcast/datagram.
 *
 * NAME_ACQUIRE + NAME_RELEASE (-n, unless -N): one connection acquires
 * and releases one well-known name, each pair timed (and each of the two
 * steps), with NAMES other names registered on the bus (10 and 10000 by
 * default), owned by at least 40 other connections (at most 250 names
 * each, KDBUS_CONN_MAX_NAMES is 256; the same connections for every
 * count, so that only the number of names differs). Name lookups use a
 * hash: the time must not depend on NAMES. The counts take turns round
 * after round, up and down.
 *
 * Each broadcast, datagram and name cell takes about two thirds of the
 * cell time (-t) of wall time in all, warm-up, drains and checks included
 * (at least BENCH_BCAST_MIN_BATCHES batches, or BENCH_MIN_ITERS pairs, per
 * round); connecting the receivers and registering the names comes on
 * top. All connections are the same user: RECEIVERS + the sender stay
 * within KDBUS_USER_MAX_CONN (1024).
 *
 * Output: a table for people, and for scripts/parse-bench.py a line with
 * the setup (the sizes and transports asked for among it) and one line
 * per cell, e.g.
 *   KDBUS-BENCH-INFO cpus=2 ... sizes=8,4096 transports=kdbus-async,...
 *   KDBUS-BENCH size=8 transport=unix n=98304 median_us=10.20 p90_us=...
 *   KDBUS-BENCH size=8 transport=kdbus-sync error=HELLO:ENOTTY
 *   KDBUS-BENCH-RATIO size=65536 kdbus-async/unix=1.523 ... memfd/vec=1.310
 *   KDBUS-BENCH-META size=8 metadata=all n=90112 median_us=31.50 ... items=9
 *   KDBUS-BENCH-CONN idle=100 n=5120 median_us=60.10 p90_us=... open_us=...
 *   KDBUS-BENCH-BCAST receivers=100 match=hit n=480 median_ns=91000 ...
 *   KDBUS-BENCH-BCAST match=unix-dgram size=8 n=250000 median_ns=2100 ...
 *   KDBUS-BENCH-NAME names=10000 n=9000 median_ns=21000 ... acquire_ns=...
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
#define BENCH_MAX_PHASES	6
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
/* broadcast SEND: at most this many receivers (+ the sender: 1024) */
#define BENCH_MAX_RECEIVERS	1023
#define BENCH_MAX_COUNTS	8
/* broadcasts sent between two drains, and per round at least */
#define BENCH_BCAST_BATCH	16
#define BENCH_BCAST_MIN_BATCHES	2
#define BENCH_BCAST_SIZE	8
#define BENCH_BCAST_FILL	0x73
/*
 * The filter of every broadcast has bits 0 and 2 set; the "hit" mask asks
 * for both, the "miss" mask for bits 0 and 1
 */
#define BENCH_BLOOM_FILTER	0x5ULL
#define BENCH_BLOOM_HIT		0x5ULL
#define BENCH_BLOOM_MISS	0x3ULL
#define BENCH_MATCH_COOKIE	0xbe4c
/* NAME_ACQUIRE + NAME_RELEASE */
#define BENCH_MAX_NAMES		100000
#define BENCH_NAME_HOLDERS	40	/* connections owning the other names */
#define BENCH_NAMES_PER_HOLDER	250	/* KDBUS_CONN_MAX_NAMES is 256 */
#define BENCH_NAME_LEN		48	/* room for our names, NUL included */
#define BENCH_TIMED_NAME	"org.kdbus.bench.Timed"
/* metadata: the payload size, the module parameter and its value for ~0 */
#define BENCH_META_SIZE		8
#define BENCH_ATTACH_MASK_PATH	"/sys/module/kdbus/parameters/attach_flags_mask"
#define BENCH_ATTACH_MASK_ALL	"18446744073709551615"
/* metadata every receiver gets with all attach flags: always available */
#define BENCH_META_REQUIRED	(KDBUS_ATTACH_TIMESTAMP | KDBUS_ATTACH_CREDS | \
				 KDBUS_ATTACH_PIDS)

enum bench_transport {
	BT_KDBUS_ASYNC,
	BT_KDBUS_SYNC,
	BT_KDBUS_MEMFD,
	BT_UNIX,
	BT_PIPE,
	BT_COUNT,
};

/* the attach masks of a round trip's connections */
enum meta_case {
	MC_OFF = -1,	/* the transport cells: send all, receive none */
	MC_NONE,	/* both masks 0 on both sides */
	MC_ALL,		/* both masks _KDBUS_ATTACH_ALL on both sides */
	MC_COUNT,
};

static const char * const mc_name[MC_COUNT] = {
	[MC_NONE]	= "none",
	[MC_ALL]	= "all",
};

static const char * const bt_name[BT_COUNT] = {
	[BT_KDBUS_ASYNC]	= "kdbus-async",
	[BT_KDBUS_SYNC]		= "kdbus-sync",
	[BT_KDBUS_MEMFD]	= "kdbus-memfd",
	[BT_UNIX]		= "unix",
	[BT_PIPE]		= "pipe",
};

/*
 * The steps of a round trip timed in -p mode, on each side. kdbus-memfd:
 * "memfd" creates, fills and seals the memfd, "mmap" maps, checks, unmaps
 * and closes the received one; the server's "reply" creates the reply's.
 */
static const char * const client_phase[BT_COUNT][BENCH_MAX_PHASES] = {
	[BT_KDBUS_ASYNC]	= { "send", "poll", "recv", "free" },
	[BT_KDBUS_SYNC]		= { "send", "free" },
	[BT_KDBUS_MEMFD]	= { "memfd", "send", "poll", "recv", "mmap",
				    "free" },
	[BT_UNIX]		= { "write", "read" },
	[BT_PIPE]		= { "write", "read" },
};

static const char * const server_phase[BT_COUNT][BENCH_MAX_PHASES] = {
	[BT_KDBUS_ASYNC]	= { "poll", "recv", "reply", "free" },
	[BT_KDBUS_SYNC]		= { "poll", "recv", "reply", "free" },
	[BT_KDBUS_MEMFD]	= { "poll", "recv", "mmap", "reply", "free" },
	[BT_UNIX]		= { "read", "write" },
	[BT_PIPE]		= { "read", "write" },
};

/* the steps of HELLO + BYEBYE, each timed */
static const char * const conn_step[BENCH_CONN_STEPS] = {
	"open", "hello", "byebye", "close",
};

static bool is_kdbus(enum bench_transport t)
{
	return t == BT_KDBUS_ASYNC || t == BT_KDBUS_SYNC ||
	       t == BT_KDBUS_MEMFD;
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
	unsigned int bcast[BENCH_MAX_COUNTS];	/* broadcast receivers */
	unsigned int nbcast;		/* 0: not run (-B) */
	unsigned int names[BENCH_MAX_COUNTS];	/* other names registered */
	unsigned int nnames;		/* 0: not run (-N) */
	bool meta;			/* the metadata cell (not -M) */
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
	enum meta_case meta;		/* the attach masks of kdbus_connect() */
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
	/* metadata items of the first message received, and their bytes */
	unsigned int meta_items;
	unsigned long long meta_bytes;
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
	/* metadata cell: what the client's first reply carried */
	unsigned int meta_items;
	unsigned long long meta_bytes;
};

static struct cell cells[BENCH_MAX_SIZES][BT_COUNT];
static struct cell meta_cells[MC_COUNT];

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
 * Connect to the bus with a 64 MiB pool and the attach masks of l->meta
 * (no metadata received, unless MC_ALL), map the pool, and prepare the
 * message this side sends: a header and one PAYLOAD_VEC of l->size bytes
 * from l->out; for kdbus-memfd one PAYLOAD_MEMFD of l->size bytes instead,
 * whose fd kdbus_memfd_new() fills in for every message (and the
 * connection accepts fds: KDBUS_HELLO_ACCEPT_FD).
 */
static int kdbus_connect(struct link *l)
{
	struct kdbus_cmd_hello hello = {
		.size = sizeof(hello),
		/* RECV installs the memfds only where fds are accepted */
		.flags = l->t == BT_KDBUS_MEMFD ? KDBUS_HELLO_ACCEPT_FD : 0,
		.attach_flags_send = l->meta == MC_NONE ? 0 : _KDBUS_ATTACH_ALL,
		.attach_flags_recv = l->meta == MC_ALL ? _KDBUS_ATTACH_ALL : 0,
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
	l->msg->payload_type = KDBUS_PAYLOAD_DBUS;
	item = l->msg->items;
	if (l->t == BT_KDBUS_MEMFD) {
		l->msg->size = sizeof(*l->msg) +
			       KDBUS_ITEM_SIZE(sizeof(struct kdbus_memfd));
		item->size = KDBUS_ITEM_HEADER_SIZE +
			     sizeof(struct kdbus_memfd);
		item->type = KDBUS_ITEM_PAYLOAD_MEMFD;
		item->memfd.start = 0;
		item->memfd.size = l->size;
		item->memfd.fd = -1;
		item->memfd.__pad = 0;
		return 0;
	}
	l->msg->size = sizeof(*l->msg) +
		       KDBUS_ITEM_SIZE(sizeof(struct kdbus_vec));
	item->size = KDBUS_ITEM_HEADER_SIZE + sizeof(struct kdbus_vec);
	item->type = KDBUS_ITEM_PAYLOAD_VEC;
	item->vec.size = l->size;
	item->vec.address = (uintptr_t)l->out;
	return 0;
}

/*
 * kdbus-memfd: a fresh memfd with the l->size bytes of l->out, sealed
 * (a sealed memfd is immutable: every message needs its own), into the
 * PAYLOAD_MEMFD item of l->msg. The caller closes it after the SEND.
 */
static int kdbus_memfd_new(struct link *l)
{
	int fd;

	fd = memfd_create("kdbus-bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return fail(l, "memfd_create", errno);
	if (write_full(fd, l->out, l->size) < 0) {
		fail(l, "write memfd", errno);
		close(fd);
		return -1;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		fail(l, "seal memfd", errno);
		close(fd);
		return -1;
	}
	l->msg->items[0].memfd.fd = fd;
	return 0;
}

/* kdbus-memfd: close the memfd of l->msg once it is sent (or not) */
static void kdbus_memfd_close(struct link *l)
{
	struct kdbus_item *item = l->msg->items;

	if (l->t == BT_KDBUS_MEMFD && item->memfd.fd >= 0) {
		close(item->memfd.fd);
		item->memfd.fd = -1;
	}
}

/*
 * Metadata cell: the metadata items of the first message received must
 * be those of l->meta (none; at least BENCH_META_REQUIRED); count them.
 */
static int kdbus_check_meta(struct link *l, struct kdbus_msg *msg)
{
	struct kdbus_item *item;
	__u64 seen = 0;

	l->meta_items = 0;
	l->meta_bytes = 0;
	KDBUS_ITEM_FOREACH(item, msg, items) {
		if (item->type < _KDBUS_ITEM_ATTACH_BASE ||
		    item->type > KDBUS_ITEM_CONN_DESCRIPTION)
			continue;
		/* item types follow the KDBUS_ATTACH_* bits */
		seen |= 1ULL << (item->type - _KDBUS_ITEM_ATTACH_BASE);
		l->meta_items++;
		l->meta_bytes += KDBUS_ALIGN8(item->size);
	}
	if (l->meta == MC_NONE && l->meta_items)
		return fail(l, "metadata without attach flags", EPROTO);
	if (l->meta == MC_ALL &&
	    (seen & BENCH_META_REQUIRED) != BENCH_META_REQUIRED)
		return fail(l, "metadata missing", EPROTO);
	return 0;
}

/* whether the slice of a received message lies in the pool */
static bool kdbus_slice_ok(const struct kdbus_msg_info *info,
			   const struct kdbus_msg *msg)
{
	return info->offset < BENCH_POOL_SIZE &&
	       info->msg_size <= BENCH_POOL_SIZE - info->offset &&
	       msg->size <= info->msg_size;
}

/*
 * Check the l->size payload bytes of a received message, @data, filled
 * with @fill: all of them the first time, the first and last byte
 * afterwards; the first time also its metadata, in the metadata cell.
 */
static int kdbus_check_data(struct link *l, struct kdbus_msg *msg,
			    const __u8 *data, __u8 fill)
{
	if (!l->checked) {
		if (!filled(data, l->size, fill))
			return fail(l, "payload content", EPROTO);
		if (l->meta != MC_OFF && kdbus_check_meta(l, msg) < 0)
			return -1;
		l->checked = true;
	} else if (data[0] != fill || data[l->size - 1] != fill) {
		return fail(l, "payload content", EPROTO);
	}
	return 0;
}

/* Check a received message of l->size payload bytes filled with @fill */
static int kdbus_check_payload(struct link *l, const struct kdbus_msg_info *info,
			       struct kdbus_msg *msg, __u8 fill)
{
	struct kdbus_item *item;

	if (!kdbus_slice_ok(info, msg))
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
	return kdbus_check_data(l, msg, (const __u8 *)msg + item->vec.offset,
				fill);
}

/*
 * kdbus-memfd: check a received message whose l->size payload bytes,
 * filled with @fill, are in the memfd of its PAYLOAD_MEMFD item, which
 * RECV installed in this process: map it with every page populated (the
 * bytes of a PAYLOAD_VEC are already in the mapped pool), check it, unmap
 * it. kdbus_close_memfds() closes it.
 */
static int kdbus_check_memfd(struct link *l, const struct kdbus_msg_info *info,
			     struct kdbus_msg *msg, __u8 fill)
{
	struct kdbus_item *item;
	void *data;
	int ret;

	if (!kdbus_slice_ok(info, msg))
		return fail(l, "message slice out of the pool", EPROTO);
	KDBUS_ITEM_FOREACH(item, msg, items)
		if (item->type == KDBUS_ITEM_PAYLOAD_MEMFD)
			break;
	if ((__u8 *)item + KDBUS_ITEM_HEADER_SIZE > (__u8 *)msg + msg->size ||
	    item->type != KDBUS_ITEM_PAYLOAD_MEMFD ||
	    item->size < KDBUS_ITEM_HEADER_SIZE + sizeof(struct kdbus_memfd) ||
	    item->size > (__u64)((__u8 *)msg + msg->size - (__u8 *)item))
		return fail(l, "message has no PAYLOAD_MEMFD", EPROTO);
	if (item->memfd.size != l->size || item->memfd.start)
		return fail(l, "memfd size/start", EPROTO);
	if (item->memfd.fd < 0)
		return fail(l, "memfd not installed", EBADF);
	data = mmap(NULL, l->size, PROT_READ, MAP_SHARED | MAP_POPULATE,
		    item->memfd.fd, 0);
	if (data == MAP_FAILED)
		return fail(l, "mmap memfd", errno);
	ret = kdbus_check_data(l, msg, data, fill);
	munmap(data, l->size);
	return ret;
}

/*
 * Close the memfds RECV installed for a message (kdbus-memfd), whether
 * it passed its checks or not, so that none is left open.
 */
static void kdbus_close_memfds(struct link *l,
			       const struct kdbus_msg_info *info,
			       struct kdbus_msg *msg)
{
	struct kdbus_item *item;

	if (l->t != BT_KDBUS_MEMFD || !kdbus_slice_ok(info, msg))
		return;
	KDBUS_ITEM_FOREACH(item, msg, items)
		if (item->type == KDBUS_ITEM_PAYLOAD_MEMFD &&
		    item->size >= KDBUS_ITEM_HEADER_SIZE +
				  sizeof(struct kdbus_memfd) &&
		    item->size <= (__u64)((__u8 *)msg + msg->size -
					  (__u8 *)item) &&
		    item->memfd.fd >= 0)
			close(item->memfd.fd);
}

/* check a received message, of either kind of payload */
static int kdbus_check_msg(struct link *l, const struct kdbus_msg_info *info,
			   struct kdbus_msg *msg, __u8 fill)
{
	if (l->t == BT_KDBUS_MEMFD)
		return kdbus_check_memfd(l, info, msg, fill);
	return kdbus_check_payload(l, info, msg, fill);
}

/*
 * client: one call and its reply, FREE included. The stamps follow
 * client_phase[l->t]; kdbus-memfd first creates the call's memfd.
 */
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
	unsigned int st = 0;
	int ret, tries = 0;

	if (l->t == BT_KDBUS_MEMFD) {
		if (kdbus_memfd_new(l) < 0)
			return -1;
		stamp(stamps, st++);
	}
	msg->cookie = ++l->cookie;
	msg->timeout_ns = t0 + BENCH_DEADLINE_NS;
	if (l->t == BT_KDBUS_SYNC)
		send.flags = KDBUS_SEND_SYNC_REPLY;
	ret = ioctl(l->fd, KDBUS_CMD_SEND, &send);
	if (ret < 0)
		fail(l, "SEND", errno);
	kdbus_memfd_close(l);
	if (ret < 0)
		return -1;
	stamp(stamps, st++);
	if (l->t != BT_KDBUS_SYNC) {
		for (;;) {
			ret = poll(&pfd, 1, BENCH_POLL_MS);
			if (ret < 0 && errno == EINTR)
				continue;
			if (ret <= 0)
				return fail(l, "poll", ret ? errno : ETIMEDOUT);
			stamp(stamps, st);
			if (ioctl(l->fd, KDBUS_CMD_RECV, &recv) == 0)
				break;
			/* POLLIN without a message: once is odd, always is a bug */
			if (errno != EAGAIN || ++tries == 100)
				return fail(l, "RECV", errno);
		}
		stamp(stamps, st + 1);
		st += 2;
		info = &recv.msg;
	}
	reply = (struct kdbus_msg *)(l->pool + info->offset);
	ret = 0;
	if (info->offset >= BENCH_POOL_SIZE)
		ret = fail(l, "no reply slice", EPROTO);
	else if (reply->cookie_reply != msg->cookie)
		ret = fail(l, "reply cookie", EPROTO);
	else
		ret = kdbus_check_msg(l, info, reply, BENCH_REPLY_FILL);
	if (l->t == BT_KDBUS_MEMFD) {
		kdbus_close_memfds(l, info, reply);
		stamp(stamps, st);
	}
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

/*
 * server: answer one call; 1 when told to stop. The stamps follow
 * server_phase[l->t]; kdbus-memfd creates the reply's memfd in "reply".
 */
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
		kdbus_close_memfds(l, &recv.msg, msg);
		kdbus_free_slice(l, recv.msg.offset);
		return 1;
	}
	ret = kdbus_check_msg(l, &recv.msg, msg, BENCH_REQ_FILL);
	kdbus_close_memfds(l, &recv.msg, msg);
	if (ret < 0)
		return -1;
	if (l->t == BT_KDBUS_MEMFD) {
		stamp(stamps, 2);
		if (kdbus_memfd_new(l) < 0)
			return -1;
	}
	l->msg->dst_id = msg->src_id;
	l->msg->cookie = ++l->cookie;
	l->msg->cookie_reply = msg->cookie;
	ret = ioctl(l->fd, KDBUS_CMD_SEND, &send);
	if (ret < 0)
		fail(l, "SEND (reply)", errno);
	kdbus_memfd_close(l);
	if (ret < 0)
		return -1;
	stamp(stamps, l->t == BT_KDBUS_MEMFD ? 3 : 2);
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
 * Run one round of a cell: fork the server, connect (kdbus: with the
 * attach masks of @meta), warm up, size N so that the timed part takes
 * @seconds, time N round trips and add them to @c. With @phases, time the
 * steps too and print them instead.
 */
static void run_cell(struct cell *c, size_t size, enum bench_transport t,
		     bool phases, double seconds, enum meta_case meta)
{
	unsigned int np = phase_count(client_phase[t]), p;
	struct link cl = { .t = t, .size = size, .meta = meta, .fd = -1,
			   .rfd = -1, .wfd = -1 };
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
		c->meta_items = cl.meta_items;
		c->meta_bytes = cl.meta_bytes;
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

/* --- metadata ---------------------------------------------------------- */

/* the module parameter attach_flags_mask into @buf, trimmed: 0 or -errno */
static int attach_mask_read(char *buf, size_t len)
{
	ssize_t r;
	int fd, err = 0;

	fd = open(BENCH_ATTACH_MASK_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, len - 1);
	if (r < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
		r--;
	buf[r] = '\0';
	return r ? 0 : -EIO;
}

/*
 * Write @val into attach_flags_mask and read it back: 0 or -errno, with
 * the failing step in *@what.
 */
static int attach_mask_write(const char *val, const char **what)
{
	unsigned long long want, got;
	char buf[64], *end;
	ssize_t r;
	int fd, err = 0;

	*what = "write attach_flags_mask";
	fd = open(BENCH_ATTACH_MASK_PATH, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write(fd, val, strlen(val));
	if (r < 0)
		err = -errno;
	else if ((size_t)r != strlen(val))
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (err)
		return err;
	*what = "read attach_flags_mask";
	err = attach_mask_read(buf, sizeof(buf));
	if (err)
		return err;
	*what = "attach_flags_mask not as written";
	errno = 0;
	want = strtoull(val, &end, 0);
	if (errno || *end)
		return -EINVAL;
	got = strtoull(buf, &end, 0);
	if (errno || *end || got != want)
		return -EIO;
	return 0;
}

static void meta_error(const char *what, int err)
{
	unsigned int k;

	printf("# metadata: %s %s: %s\n", what, BENCH_ATTACH_MASK_PATH,
	       strerror(err));
	for (k = 0; k < MC_COUNT; k++)
		cell_error(&meta_cells[k], BENCH_META_SIZE, BT_KDBUS_ASYNC,
			   false, what, err);
}

/* the line of a metadata case once all its rounds ran */
static void meta_finish(struct cell *c, enum meta_case k)
{
	double sum = 0;
	unsigned long i;

	if (!c->failed && !c->n) {
		c->failed = true;
		snprintf(c->what, sizeof(c->what), "no_samples");
		c->err = EIO;
	}
	if (c->failed) {
		printf("KDBUS-BENCH-META size=%d metadata=%s error=%s:%s\n",
		       BENCH_META_SIZE, mc_name[k], c->what, errname(c->err));
		printf("# metadata %s, %d bytes: %s: %s\n", mc_name[k],
		       BENCH_META_SIZE, c->what, strerror(c->err));
		goto out;
	}
	for (i = 0; i < c->n; i++)
		sum += c->samples[i];
	c->mean_us = sum / c->n / 1000.0;
	c->median_us = quantile_us(c->samples, c->n, 0.5, false);
	c->p90_us = quantile_us(c->samples, c->n, 0.9, true);
	c->min_us = c->samples[0] / 1000.0;
	c->ok = true;
	printf("KDBUS-BENCH-META size=%d metadata=%s n=%lu", BENCH_META_SIZE,
	       mc_name[k], c->n);
	printf(" median_us=%.2f p90_us=%.2f min_us=%.2f mean_us=%.2f",
	       c->median_us, c->p90_us, c->min_us, c->mean_us);
	printf(" items=%u item_bytes=%llu\n", c->meta_items, c->meta_bytes);
out:
	free(c->samples);
	c->samples = NULL;
}

/*
 * The metadata cell: attach_flags_mask set to ~0, the 8-byte kdbus-async
 * round trip without and with all metadata, the cases taking turns round
 * after round, then attach_flags_mask restored.
 */
static void run_meta(void)
{
	const char *what;
	char saved[64];
	unsigned int r, i, k;
	int err;

	if (opt.kdbus_err) {
		for (k = 0; k < MC_COUNT; k++)
			cell_error(&meta_cells[k], BENCH_META_SIZE,
				   BT_KDBUS_ASYNC, false, opt.kdbus_what,
				   opt.kdbus_err);
		goto out;
	}
	err = attach_mask_read(saved, sizeof(saved));
	if (err) {
		meta_error("read attach_flags_mask", -err);
		goto out;
	}
	err = attach_mask_write(BENCH_ATTACH_MASK_ALL, &what);
	if (err) {
		meta_error(what, -err);
		/* it may have been written before the check failed */
		attach_mask_write(saved, &what);
		goto out;
	}
	for (r = 0; r < opt.rounds; r++) {
		/* each round starts with the other case */
		for (i = 0; i < MC_COUNT; i++) {
			k = (r + i) % MC_COUNT;
			if (!meta_cells[k].failed)
				run_cell(&meta_cells[k], BENCH_META_SIZE,
					 BT_KDBUS_ASYNC, false,
					 opt.target_s / opt.rounds, k);
		}
	}
	err = attach_mask_write(saved, &what);
	if (err) {
		printf("# metadata: could not restore attach_flags_mask to %s\n",
		       saved);
		meta_error(what, -err);
	}
out:
	for (k = 0; k < MC_COUNT; k++)
		meta_finish(&meta_cells[k], k);
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

/* --- broadcast SEND and NAME_ACQUIRE + NAME_RELEASE --------------------- */

/* the wall time of one broadcast, datagram or name cell, all rounds */
static double op_cell_s(void)
{
	return opt.target_s * 2 / 3;
}

/* the result of a broadcast, datagram or name cell; times in ns */
struct op_cell {
	__u64 *samples;			/* one per timed operation */
	__u64 *steps[2];		/* names: acquire and release */
	unsigned long n, cap;
	__u64 drain_ns;			/* "hit": time of the drains ... */
	unsigned long drained;		/* ... and the broadcasts they took */
	bool failed;
	char what[64];
	int err;
	bool ok;
	double median_ns, p90_ns, min_ns, mean_ns;
	double step_ns[2];		/* medians */
	double drain_per_ns;		/* drain time per broadcast */
};

enum bcast_kind {
	BC_NONE,
	BC_MISS,
	BC_HIT,
	BC_UNIX,
	BC_KINDS,
};

static const char * const bc_name[BC_KINDS] = {
	[BC_NONE]	= "none",
	[BC_MISS]	= "miss",
	[BC_HIT]	= "hit",
	[BC_UNIX]	= "unix-dgram",
};

static struct op_cell bcast_cells[BENCH_MAX_COUNTS][BC_UNIX];
static struct op_cell dgram_cell;
static struct op_cell name_cells[BENCH_MAX_COUNTS];

/* the broadcast set-up */
static struct {
	int fd;				/* the sender */
	__u64 id;
	__u64 bloom_size;		/* bytes, from HELLO */
	struct kdbus_msg *msg;		/* the broadcast */
	struct kdbus_cmd_match *match[2];	/* MATCH_ADD: miss, hit */
	int *rx;			/* the receivers ... */
	unsigned int nrx;		/* ... connected */
	unsigned int matched;		/* rx[0..matched) have a match */
	__u8 *rx0_pool;			/* the pool of rx[0], mapped */
	int ux[2];			/* the AF_UNIX datagram socketpair */
	bool kdbus_failed;		/* set-up failed: only datagrams */
	__u8 payload[BENCH_BCAST_SIZE];
} bc = { .fd = -1, .ux = { -1, -1 } };

/* the name set-up */
static struct {
	int fd;				/* the timed connection */
	int *holders;			/* the owners of the other names */
	unsigned int nholders;
	unsigned int registered;	/* names 0..registered-1 are owned */
} nm = { .fd = -1 };

static void op_error(struct op_cell *c, const struct link *l)
{
	char *p;

	if (c->failed)
		return;
	c->failed = true;
	c->err = l->err ? l->err : EIO;
	snprintf(c->what, sizeof(c->what), "%s", l->what);
	for (p = c->what; *p; p++)
		if (*p == ' ')
			*p = '_';
}

/* add one sample (and, if @steps, its two steps) to @c */
static int op_push(struct op_cell *c, struct link *l, __u64 v,
		   const __u64 *steps)
{
	unsigned long cap;
	unsigned int i;
	__u64 *p;

	if (c->n == c->cap) {
		cap = c->cap ? 2 * c->cap : 4096;
		p = realloc(c->samples, cap * sizeof(*p));
		if (!p)
			return fail(l, "realloc", ENOMEM);
		c->samples = p;
		for (i = 0; steps && i < 2; i++) {
			p = realloc(c->steps[i], cap * sizeof(*p));
			if (!p)
				return fail(l, "realloc", ENOMEM);
			c->steps[i] = p;
		}
		c->cap = cap;
	}
	c->samples[c->n] = v;
	for (i = 0; steps && i < 2; i++)
		c->steps[i][c->n] = steps[i];
	c->n++;
	return 0;
}

/* the statistics of a cell; false if it has none (failed) */
static bool op_finish(struct op_cell *c, bool with_steps)
{
	double sum = 0;
	unsigned long i;
	unsigned int p;

	if (!c->failed && !c->n) {
		c->failed = true;
		snprintf(c->what, sizeof(c->what), "no_samples");
		c->err = EIO;
	}
	if (c->failed)
		return false;
	for (i = 0; i < c->n; i++)
		sum += c->samples[i];
	c->mean_ns = sum / c->n;
	c->median_ns = quantile_us(c->samples, c->n, 0.5, false) * 1000;
	c->p90_ns = quantile_us(c->samples, c->n, 0.9, true) * 1000;
	c->min_ns = c->samples[0];
	for (p = 0; with_steps && p < 2; p++)
		c->step_ns[p] = quantile_us(c->steps[p], c->n, 0.5, false) * 1000;
	if (c->drained)
		c->drain_per_ns = (double)c->drain_ns / c->drained;
	c->ok = true;
	return true;
}

static void op_free(struct op_cell *c)
{
	free(c->samples);
	free(c->steps[0]);
	free(c->steps[1]);
	c->samples = NULL;
	c->steps[0] = NULL;
	c->steps[1] = NULL;
}

/*
 * The sender: HELLO, read the bus's bloom size from the HELLO slice;
 * build the broadcast and the two MATCH_ADD arguments.
 */
static int bc_setup(struct link *l)
{
	struct kdbus_cmd_hello hello = {
		.size = sizeof(hello),
		.attach_flags_send = _KDBUS_ATTACH_ALL,
		.attach_flags_recv = 0,
		.pool_size = BENCH_CONN_POOL_SIZE,
	};
	struct kdbus_cmd_free cmd_free = { .size = sizeof(cmd_free) };
	const size_t bloom_item = KDBUS_ITEM_HEADER_SIZE +
				  sizeof(struct kdbus_bloom_parameter);
	const struct kdbus_item *bp;
	struct kdbus_item *item;
	size_t msg_size, match_size;
	unsigned int i;
	void *pool;

	if (opt.kdbus_err)
		return fail(l, opt.kdbus_what, opt.kdbus_err);
	bc.fd = open(opt.bus_ep, O_RDWR | O_CLOEXEC);
	if (bc.fd < 0)
		return fail(l, "open bus", errno);
	if (ioctl(bc.fd, KDBUS_CMD_HELLO, &hello) < 0)
		return fail(l, "HELLO", errno);
	bc.id = hello.id;
	pool = mmap(NULL, BENCH_CONN_POOL_SIZE, PROT_READ, MAP_SHARED, bc.fd, 0);
	if (pool == MAP_FAILED)
		return fail(l, "mmap pool", errno);
	if (hello.offset > BENCH_CONN_POOL_SIZE - bloom_item ||
	    hello.items_size < bloom_item) {
		munmap(pool, BENCH_CONN_POOL_SIZE);
		return fail(l, "HELLO slice", EPROTO);
	}
	bp = (const struct kdbus_item *)((const __u8 *)pool + hello.offset);
	if (bp->type == KDBUS_ITEM_BLOOM_PARAMETER && bp->size == bloom_item)
		bc.bloom_size = bp->bloom_parameter.size;
	munmap(pool, BENCH_CONN_POOL_SIZE);
	if (bc.bloom_size < 8 || bc.bloom_size > KDBUS_BUS_BLOOM_MAX_SIZE ||
	    bc.bloom_size % 8)
		return fail(l, "HELLO bloom parameter", EPROTO);
	cmd_free.offset = hello.offset;
	if (ioctl(bc.fd, KDBUS_CMD_FREE, &cmd_free) < 0)
		return fail(l, "FREE", errno);

	/* header, one PAYLOAD_VEC, one BLOOM_FILTER of the bus's size */
	memset(bc.payload, BENCH_BCAST_FILL, sizeof(bc.payload));
	msg_size = sizeof(struct kdbus_msg) +
		   KDBUS_ITEM_SIZE(sizeof(struct kdbus_vec)) +
		   KDBUS_ITEM_SIZE(sizeof(struct kdbus_bloom_filter) +
				   bc.bloom_size);
	bc.msg = calloc(1, msg_size);
	if (!bc.msg)
		return fail(l, "calloc", ENOMEM);
	bc.msg->size = msg_size;
	bc.msg->flags = KDBUS_MSG_SIGNAL;
	bc.msg->dst_id = KDBUS_DST_ID_BROADCAST;
	bc.msg->payload_type = KDBUS_PAYLOAD_DBUS;
	item = bc.msg->items;
	item->size = KDBUS_ITEM_HEADER_SIZE + sizeof(struct kdbus_vec);
	item->type = KDBUS_ITEM_PAYLOAD_VEC;
	item->vec.size = sizeof(bc.payload);
	item->vec.address = (uintptr_t)bc.payload;
	item = KDBUS_ITEM_NEXT(item);
	item->size = KDBUS_ITEM_HEADER_SIZE +
		     sizeof(struct kdbus_bloom_filter) + bc.bloom_size;
	item->type = KDBUS_ITEM_BLOOM_FILTER;
	item->bloom_filter.generation = 0;
	item->bloom_filter.data[0] = BENCH_BLOOM_FILTER;

	/* one BLOOM_MASK rule (one generation), replacing the last one */
	match_size = sizeof(struct kdbus_cmd_match) +
		     KDBUS_ITEM_SIZE(bc.bloom_size);
	for (i = 0; i < 2; i++) {
		bc.match[i] = calloc(1, match_size);
		if (!bc.match[i])
			return fail(l, "calloc", ENOMEM);
		bc.match[i]->size = match_size;
		bc.match[i]->flags = KDBUS_MATCH_REPLACE;
		bc.match[i]->cookie = BENCH_MATCH_COOKIE;
		item = bc.match[i]->items;
		item->size = KDBUS_ITEM_HEADER_SIZE + bc.bloom_size;
		item->type = KDBUS_ITEM_BLOOM_MASK;
		item->data64[0] = i ? BENCH_BLOOM_HIT : BENCH_BLOOM_MISS;
	}
	return 0;
}

/* connect or disconnect receivers until there are @n */
static int bc_receivers(struct link *l, unsigned int n)
{
	void *pool;
	int fd;

	while (bc.nrx > n) {
		if (--bc.nrx == 0 && bc.rx0_pool) {
			munmap(bc.rx0_pool, BENCH_CONN_POOL_SIZE);
			bc.rx0_pool = NULL;
		}
		close(bc.rx[bc.nrx]);
	}
	if (bc.matched > bc.nrx)
		bc.matched = bc.nrx;
	while (bc.nrx < n) {
		fd = conn_hello(l, NULL);
		if (fd < 0)
			return -1;
		bc.rx[bc.nrx++] = fd;
		if (bc.nrx > 1)
			continue;
		/* receiver 0 reads one copy of every batch */
		pool = mmap(NULL, BENCH_CONN_POOL_SIZE, PROT_READ, MAP_SHARED,
			    fd, 0);
		if (pool == MAP_FAILED)
			return fail(l, "mmap pool", errno);
		bc.rx0_pool = pool;
	}
	return 0;
}

/* give every receiver the match of @k (none: remove it) */
static int bc_matches(struct link *l, enum bcast_kind k)
{
	struct kdbus_cmd_match rm = {
		.size = sizeof(rm),
		.cookie = BENCH_MATCH_COOKIE,
	};
	unsigned int i;

	if (k == BC_NONE) {
		for (i = 0; i < bc.matched; i++)
			if (ioctl(bc.rx[i], KDBUS_CMD_MATCH_REMOVE, &rm) < 0)
				return fail(l, "MATCH_REMOVE", errno);
		bc.matched = 0;
		return 0;
	}
	for (i = 0; i < bc.nrx; i++) {
		if (ioctl(bc.rx[i], KDBUS_CMD_MATCH_ADD,
			  bc.match[k == BC_HIT]) < 0) {
			bc.matched = i > bc.matched ? i : bc.matched;
			return fail(l, "MATCH_ADD", errno);
		}
	}
	bc.matched = bc.nrx;
	return 0;
}

/* receiver 0's copy at @info: from the sender, a broadcast, the payload */
static int bc_check_copy(struct link *l, const struct kdbus_msg_info *info)
{
	struct kdbus_cmd_free cmd_free = {
		.size = sizeof(cmd_free),
		.offset = info->offset,
	};
	struct kdbus_item *item;
	struct kdbus_msg *msg;
	const __u8 *data;
	int ret = 0;

	if (info->offset >= BENCH_CONN_POOL_SIZE ||
	    info->msg_size > BENCH_CONN_POOL_SIZE - info->offset ||
	    info->msg_size < sizeof(*msg))
		return fail(l, "copy slice out of the pool", EPROTO);
	msg = (struct kdbus_msg *)(bc.rx0_pool + info->offset);
	if (msg->src_id != bc.id || msg->dst_id != KDBUS_DST_ID_BROADCAST ||
	    !(msg->flags & KDBUS_MSG_SIGNAL) || msg->size > info->msg_size) {
		ret = fail(l, "copy header", EPROTO);
		goto free;
	}
	KDBUS_ITEM_FOREACH(item, msg, items)
		if (item->type == KDBUS_ITEM_PAYLOAD_OFF)
			break;
	if ((__u8 *)item + KDBUS_ITEM_HEADER_SIZE > (__u8 *)msg + msg->size ||
	    item->type != KDBUS_ITEM_PAYLOAD_OFF ||
	    item->vec.size != BENCH_BCAST_SIZE ||
	    item->vec.offset > info->msg_size ||
	    info->msg_size - item->vec.offset < BENCH_BCAST_SIZE) {
		ret = fail(l, "copy payload", EPROTO);
		goto free;
	}
	data = (const __u8 *)msg + item->vec.offset;
	if (!filled(data, BENCH_BCAST_SIZE, BENCH_BCAST_FILL))
		ret = fail(l, "copy payload content", EPROTO);
free:
	if (ioctl(bc.rx[0], KDBUS_CMD_FREE, &cmd_free) < 0)
		return fail(l, "FREE", errno);
	return ret;
}

/*
 * Empty receiver @i's queue: RECV_DROP, except that with @check the first
 * message is RECVed and checked (receiver 0). The number of messages goes
 * to *@count, the number of copies the kernel could not queue for it (the
 * dropped-message counter) to *@dropped.
 */
static int bc_drain(struct link *l, unsigned int i, bool check,
		    unsigned long *count, unsigned long *dropped)
{
	struct kdbus_cmd_recv recv;
	int ret;

	*count = 0;
	*dropped = 0;
	for (;;) {
		memset(&recv, 0, sizeof(recv));
		recv.size = sizeof(recv);
		recv.flags = check ? 0 : KDBUS_RECV_DROP;
		ret = ioctl(bc.rx[i], KDBUS_CMD_RECV, &recv);
		if (ret < 0 && errno != EAGAIN)
			return fail(l, check ? "RECV" : "RECV_DROP", errno);
		/* read and reset by every RECV that succeeds or says EAGAIN */
		if (recv.dropped_msgs ||
		    (recv.return_flags & KDBUS_RECV_RETURN_DROPPED_MSGS))
			*dropped += recv.dropped_msgs ? recv.dropped_msgs : 1;
		if (ret < 0)
			return 0;
		(*count)++;
		if (check && bc_check_copy(l, &recv.msg) < 0)
			return -1;
		check = false;
	}
}

/* after a failure: empty every queue, errors ignored */
static void bc_flush(void)
{
	struct link dummy = { .fd = -1 };
	unsigned long count, dropped;
	unsigned int i;
	char buf[64];

	for (i = 0; i < bc.nrx; i++)
		bc_drain(&dummy, i, false, &count, &dropped);
	while (bc.ux[1] >= 0 && recv(bc.ux[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/*
 * One batch: BENCH_BCAST_BATCH broadcasts (or datagrams), each SEND timed
 * into @c if @timed; then, for "hit" and datagrams, the receivers drained
 * (for "hit" timed apart) and checked: each has the whole batch.
 */
static int bc_batch(struct link *l, enum bcast_kind k, struct op_cell *c,
		    bool timed)
{
	struct kdbus_cmd_send cmd = {
		.size = sizeof(cmd),
		.msg_address = (uintptr_t)bc.msg,
	};
	unsigned long count, dropped;
	__u64 t0, t1;
	unsigned int i;
	char buf[64];
	ssize_t r;
	int err;

	for (i = 0; i < BENCH_BCAST_BATCH; i++) {
		if (k == BC_UNIX) {
			t0 = now_ns();
			r = send(bc.ux[0], bc.payload, sizeof(bc.payload),
				 MSG_DONTWAIT);
			err = r < 0 ? errno : r == sizeof(bc.payload) ? 0 : EIO;
			t1 = now_ns();
		} else {
			bc.msg->cookie++;
			t0 = now_ns();
			err = ioctl(bc.fd, KDBUS_CMD_SEND, &cmd) < 0 ? errno : 0;
			t1 = now_ns();
		}
		if (err)
			return fail(l, k == BC_UNIX ? "send" : "SEND (broadcast)",
				    err);
		if (timed && op_push(c, l, t1 - t0, NULL) < 0)
			return -1;
	}
	if (k == BC_UNIX) {
		for (i = 0; i < BENCH_BCAST_BATCH; i++) {
			r = recv(bc.ux[1], buf, sizeof(buf), MSG_DONTWAIT);
			if (r != sizeof(bc.payload))
				return fail(l, "recv", r < 0 ? errno : EPROTO);
		}
		return 0;
	}
	if (k != BC_HIT)
		return 0;
	t0 = now_ns();
	for (i = 0; i < bc.nrx; i++) {
		if (bc_drain(l, i, i == 0, &count, &dropped) < 0)
			return -1;
		if (dropped)
			return fail(l, "receiver lost copies", ENOBUFS);
		if (count != BENCH_BCAST_BATCH)
			return fail(l, "receiver copies", EPROTO);
	}
	if (timed) {
		c->drain_ns += now_ns() - t0;
		c->drained += BENCH_BCAST_BATCH;
	}
	return 0;
}

/*
 * One round of a cell: set the matches, warm up for a fifth of @seconds,
 * then time batches until @seconds are over (at least
 * BENCH_BCAST_MIN_BATCHES); after "none" and "miss" no receiver may hold
 * a copy.
 */
static void bc_round(struct op_cell *c, enum bcast_kind k, double seconds)
{
	struct link l = { .fd = -1 };
	unsigned long b = 0, count, dropped;
	__u64 t0, elapsed;
	unsigned int i;

	if (k != BC_UNIX && bc_matches(&l, k) < 0)
		goto out;
	t0 = now_ns();
	do {
		if (bc_batch(&l, k, c, false) < 0)
			goto out;
		elapsed = now_ns() - t0;
	} while (elapsed < seconds * NSEC_PER_SEC / 5);
	do {
		if (bc_batch(&l, k, c, true) < 0)
			goto out;
		b++;
		elapsed = now_ns() - t0;
	} while (b < BENCH_BCAST_MIN_BATCHES ||
		 (elapsed < seconds * NSEC_PER_SEC &&
		  c->n + BENCH_BCAST_BATCH <= BENCH_MAX_ITERS));
	for (i = 0; (k == BC_NONE || k == BC_MISS) && i < bc.nrx; i++) {
		if (bc_drain(&l, i, false, &count, &dropped) < 0)
			goto out;
		if (count || dropped) {
			fail(&l, "copy without a matching match", EPROTO);
			goto out;
		}
	}
out:
	if (l.err) {
		op_error(c, &l);
		bc_flush();
	}
}

static void bc_print(struct op_cell *c, unsigned int receivers,
		     enum bcast_kind k)
{
	char who[64];

	if (k == BC_UNIX)
		snprintf(who, sizeof(who), "match=%s size=%d", bc_name[k],
			 BENCH_BCAST_SIZE);
	else
		snprintf(who, sizeof(who), "receivers=%u match=%s", receivers,
			 bc_name[k]);
	if (!op_finish(c, false)) {
		printf("KDBUS-BENCH-BCAST %s error=%s:%s\n", who, c->what,
		       errname(c->err));
		printf("# broadcast, %s: %s: %s\n", who, c->what,
		       strerror(c->err));
		goto out;
	}
	printf("KDBUS-BENCH-BCAST %s n=%lu median_ns=%.0f p90_ns=%.0f",
	       who, c->n, c->median_ns, c->p90_ns);
	printf(" min_ns=%.0f mean_ns=%.0f", c->min_ns, c->mean_ns);
	if (k == BC_HIT)
		printf(" drain_ns=%.0f", c->drain_per_ns);
	printf("\n");
out:
	op_free(c);
}

/*
 * Broadcast SEND: for each receiver count (ascending), the cases and the
 * datagram reference take turns round after round.
 */
static void run_bcast(void)
{
	double slot = op_cell_s() / opt.rounds;
	double dslot = op_cell_s() / (opt.rounds * opt.nbcast);
	struct link l = { .fd = -1 };
	unsigned int max = 0, i, k, r;
	enum bcast_kind kind;

	for (i = 0; i < opt.nbcast; i++)
		if (opt.bcast[i] > max)
			max = opt.bcast[i];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, bc.ux) < 0) {
		fail(&l, "socketpair", errno);
		op_error(&dgram_cell, &l);
		l = (struct link){ .fd = -1 };
	}
	bc.rx = calloc(max + 1, sizeof(*bc.rx));
	if (!bc.rx)
		fail(&l, "calloc", ENOMEM);
	else if (nofile_setup(&l, max) == 0)
		bc_setup(&l);
	if (l.err) {
		bc.kdbus_failed = true;
		for (i = 0; i < opt.nbcast; i++)
			for (k = 0; k < BC_UNIX; k++)
				op_error(&bcast_cells[i][k], &l);
	}

	for (i = 0; i < opt.nbcast; i++) {
		l = (struct link){ .fd = -1 };
		if (!bc.kdbus_failed && bc_receivers(&l, opt.bcast[i]) < 0)
			for (k = 0; k < BC_UNIX; k++)
				op_error(&bcast_cells[i][k], &l);
		for (r = 0; r < opt.rounds; r++) {
			/* each round starts with another case */
			for (k = 0; k < BC_KINDS; k++) {
				kind = (r + k) % BC_KINDS;
				if (kind == BC_UNIX) {
					if (!dgram_cell.failed)
						bc_round(&dgram_cell, kind, dslot);
				} else if (!bcast_cells[i][kind].failed) {
					bc_round(&bcast_cells[i][kind], kind,
						 slot);
				}
			}
		}
	}

	l = (struct link){ .fd = -1 };
	if (bc.rx)
		bc_receivers(&l, 0);
	free(bc.rx);
	bc.rx = NULL;
	if (bc.fd >= 0)
		close(bc.fd);
	bc.fd = -1;
	for (k = 0; k < 2; k++) {
		free(bc.match[k]);
		bc.match[k] = NULL;
		close_fd(&bc.ux[k]);
	}
	free(bc.msg);
	bc.msg = NULL;
	for (i = 0; i < opt.nbcast; i++)
		for (k = 0; k < BC_UNIX; k++)
			bc_print(&bcast_cells[i][k], opt.bcast[i], k);
	bc_print(&dgram_cell, 0, BC_UNIX);
}

/* a NAME_ACQUIRE / NAME_RELEASE argument: the command and one NAME item */
union name_arg {
	struct kdbus_cmd cmd;
	/* sizeof(struct kdbus_item) covers its largest fixed payload */
	__u8 bytes[sizeof(struct kdbus_cmd) + sizeof(struct kdbus_item) +
		   BENCH_NAME_LEN];
};

static struct kdbus_cmd *name_arg(union name_arg *buf, const char *name,
				  __u64 flags)
{
	struct kdbus_cmd *cmd = &buf->cmd;
	struct kdbus_item *item = cmd->items;
	size_t len = strlen(name) + 1;

	memset(buf, 0, sizeof(*buf));
	cmd->size = sizeof(*cmd) + KDBUS_ITEM_SIZE(len);
	cmd->flags = flags;
	/* a string item's size is exact: header + string + NUL */
	item->size = KDBUS_ITEM_HEADER_SIZE + len;
	item->type = KDBUS_ITEM_NAME;
	memcpy(item->str, name, len);
	return cmd;
}

/* register or release other names until @n are owned */
static int names_set(struct link *l, unsigned int n)
{
	char name[BENCH_NAME_LEN];
	struct kdbus_cmd *cmd;
	union name_arg buf;
	int fd;

	while (nm.registered > n) {
		fd = nm.holders[(nm.registered - 1) % nm.nholders];
		snprintf(name, sizeof(name), "org.kdbus.bench.n%u",
			 nm.registered - 1);
		if (ioctl(fd, KDBUS_CMD_NAME_RELEASE, name_arg(&buf, name, 0)) < 0)
			return fail(l, "NAME_RELEASE", errno);
		nm.registered--;
	}
	while (nm.registered < n) {
		fd = nm.holders[nm.registered % nm.nholders];
		snprintf(name, sizeof(name), "org.kdbus.bench.n%u",
			 nm.registered);
		cmd = name_arg(&buf, name, 0);
		if (ioctl(fd, KDBUS_CMD_NAME_ACQUIRE, cmd) < 0)
			return fail(l, "NAME_ACQUIRE", errno);
		if (cmd->return_flags)
			return fail(l, "NAME_ACQUIRE: queued", EPROTO);
		nm.registered++;
	}
	return 0;
}

/* the timed connection acquires and releases its name; stamps[0..1] */
static int name_pair(struct link *l, struct kdbus_cmd *acquire,
		     struct kdbus_cmd *release, __u64 *stamps)
{
	if (ioctl(nm.fd, KDBUS_CMD_NAME_ACQUIRE, acquire) < 0)
		return fail(l, "NAME_ACQUIRE", errno);
	stamp(stamps, 0);
	if (ioctl(nm.fd, KDBUS_CMD_NAME_RELEASE, release) < 0)
		return fail(l, "NAME_RELEASE", errno);
	stamp(stamps, 1);
	/* 0: it became the owner (not KDBUS_NAME_IN_QUEUE) */
	if (acquire->return_flags)
		return fail(l, "NAME_ACQUIRE: queued", EPROTO);
	return 0;
}

/*
 * One round of a count: register @names other names, warm up for a fifth
 * of @seconds, then time pairs until @seconds are over.
 */
static void name_round(struct op_cell *c, unsigned int names, double seconds)
{
	union name_arg abuf, rbuf;
	struct kdbus_cmd *acquire = name_arg(&abuf, BENCH_TIMED_NAME, 0);
	struct kdbus_cmd *release = name_arg(&rbuf, BENCH_TIMED_NAME, 0);
	struct link l = { .fd = -1 };
	__u64 st[2], steps[2], start, t0;
	unsigned long w = 0, i = 0;

	if (names_set(&l, names) < 0)
		goto out;
	start = now_ns();
	do {
		if (name_pair(&l, acquire, release, NULL) < 0)
			goto out;
		w++;
	} while (w < BENCH_MIN_WARMUP ||
		 (now_ns() - start < seconds * NSEC_PER_SEC / 5 &&
		  w < BENCH_MAX_WARMUP));
	do {
		t0 = now_ns();
		if (name_pair(&l, acquire, release, st) < 0)
			goto out;
		steps[0] = st[0] - t0;
		steps[1] = st[1] - st[0];
		if (op_push(c, &l, st[1] - t0, steps) < 0)
			goto out;
		i++;
	} while (i < BENCH_MIN_ITERS ||
		 (st[1] - start < seconds * NSEC_PER_SEC &&
		  c->n < BENCH_MAX_ITERS));
out:
	if (l.err)
		op_error(c, &l);
}

/* NAME_ACQUIRE + NAME_RELEASE with every name count, up and down */
static void run_names(void)
{
	struct link l = { .fd = -1 };
	unsigned int max = 0, i, k, r;
	struct op_cell *c;
	int fd;

	for (i = 0; i < opt.nnames; i++)
		if (opt.names[i] > max)
			max = opt.names[i];
	nm.nholders = (max + BENCH_NAMES_PER_HOLDER - 1) / BENCH_NAMES_PER_HOLDER;
	if (nm.nholders < BENCH_NAME_HOLDERS)
		nm.nholders = BENCH_NAME_HOLDERS;
	nm.holders = calloc(nm.nholders, sizeof(*nm.holders));
	if (!nm.holders) {
		fail(&l, "calloc", ENOMEM);
		goto failed;
	}
	for (i = 0; i < nm.nholders; i++)
		nm.holders[i] = -1;
	if (nofile_setup(&l, nm.nholders) < 0)
		goto failed;
	for (i = 0; i < nm.nholders; i++) {
		fd = conn_hello(&l, NULL);
		if (fd < 0)
			goto failed;
		nm.holders[i] = fd;
	}
	nm.fd = conn_hello(&l, NULL);
	if (nm.fd < 0)
		goto failed;

	for (r = 0; r < opt.rounds; r++) {
		/* up and down: fewer names to register or release */
		for (k = 0; k < opt.nnames; k++) {
			i = r % 2 ? opt.nnames - 1 - k : k;
			if (!name_cells[i].failed)
				name_round(&name_cells[i], opt.names[i],
					   op_cell_s() / opt.rounds);
		}
	}
	goto out;

failed:
	for (i = 0; i < opt.nnames; i++)
		op_error(&name_cells[i], &l);
out:
	/* closing the owners releases their names */
	close_fd(&nm.fd);
	for (i = 0; nm.holders && i < nm.nholders; i++)
		close_fd(&nm.holders[i]);
	free(nm.holders);
	nm.holders = NULL;
	nm.registered = 0;
	for (i = 0; i < opt.nnames; i++) {
		c = &name_cells[i];
		if (!op_finish(c, true)) {
			printf("KDBUS-BENCH-NAME names=%u error=%s:%s\n",
			       opt.names[i], c->what, errname(c->err));
			printf("# NAME_ACQUIRE + NAME_RELEASE with %u names: %s: %s\n",
			       opt.names[i], c->what, strerror(c->err));
		} else {
			printf("KDBUS-BENCH-NAME names=%u n=%lu median_ns=%.0f",
			       opt.names[i], c->n, c->median_ns);
			printf(" p90_ns=%.0f min_ns=%.0f mean_ns=%.0f",
			       c->p90_ns, c->min_ns, c->mean_ns);
			printf(" acquire_ns=%.0f release_ns=%.0f\n",
			       c->step_ns[0], c->step_ns[1]);
		}
		op_free(c);
	}
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
	printf(" | %-26s | %s\n%8s", "kdbus/unix (median)", "memfd/vec", "");
	for (t = 0; t < BT_COUNT; t++)
		if (opt.run[t])
			printf(" | %8s %8s", "median", "p90");
	printf(" | %8s %8s %8s | %9s\n", "async", "sync", "memfd",
	       "(median)");
	for (s = 0; s < opt.nsizes; s++) {
		const struct cell *u = &cells[s][BT_UNIX];
		const struct cell *a = &cells[s][BT_KDBUS_ASYNC];
		const struct cell *m = &cells[s][BT_KDBUS_MEMFD];

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
		for (t = BT_KDBUS_ASYNC; t <= BT_KDBUS_MEMFD; t++) {
			const struct cell *c = &cells[s][t];

			if (opt.run[t] && c->ok && opt.run[BT_UNIX] && u->ok)
				printf(" %8.2f", c->median_us / u->median_us);
			else
				printf(" %8s", "-");
		}
		if (opt.run[BT_KDBUS_MEMFD] && m->ok &&
		    opt.run[BT_KDBUS_ASYNC] && a->ok)
			printf(" | %9.2f\n", m->median_us / a->median_us);
		else
			printf(" | %9s\n", "-");
	}
	printf("\n");
	for (s = 0; s < opt.nsizes; s++) {
		const struct cell *u = &cells[s][BT_UNIX];
		const struct cell *a = &cells[s][BT_KDBUS_ASYNC];
		const struct cell *m = &cells[s][BT_KDBUS_MEMFD];

		printf("KDBUS-BENCH-RATIO size=%zu", opt.sizes[s]);
		for (t = BT_KDBUS_ASYNC; t <= BT_KDBUS_MEMFD; t++) {
			const struct cell *c = &cells[s][t];

			if (opt.run[t] && c->ok && opt.run[BT_UNIX] && u->ok)
				printf(" %s/unix=%.3f", bt_name[t],
				       c->median_us / u->median_us);
			else
				printf(" %s/unix=-", bt_name[t]);
		}
		/* the memfd threshold: above 1, the copy into the pool wins */
		if (opt.run[BT_KDBUS_MEMFD] && m->ok &&
		    opt.run[BT_KDBUS_ASYNC] && a->ok)
			printf(" memfd/vec=%.3f", m->median_us / a->median_us);
		else
			printf(" memfd/vec=-");
		printf("\n");
	}
}

static void print_meta_table(void)
{
	const struct cell *a = &meta_cells[MC_NONE], *b = &meta_cells[MC_ALL];
	unsigned int k;
	char buf[32];

	if (!opt.meta)
		return;
	printf("\nmetadata: %d-byte kdbus-async round trip, attach masks 0 (none) or\n",
	       BENCH_META_SIZE);
	printf("_KDBUS_ATTACH_ALL (all) on both sides, attach_flags_mask ~0; microseconds\n\n");
	printf("%8s | %8s %8s | %5s %6s\n", "metadata", "median", "p90",
	       "items", "bytes");
	for (k = 0; k < MC_COUNT; k++) {
		const struct cell *c = &meta_cells[k];

		printf("%8s |", mc_name[k]);
		if (!c->ok) {
			snprintf(buf, sizeof(buf), "%s %s", errname(c->err),
				 c->what);
			printf(" %-17.17s |\n", buf);
			continue;
		}
		printf(" %8.1f %8.1f | %5u %6llu\n", c->median_us, c->p90_us,
		       c->meta_items, c->meta_bytes);
	}
	if (a->ok && b->ok && a->median_us > 0)
		printf("metadata cost per call (all - none): %.2f us, all/none %.2fx\n",
		       b->median_us - a->median_us, b->median_us / a->median_us);
	else
		printf("metadata cost per call (all - none): -\n");
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

/* "median p90" of a cell, or its error, 17 columns wide */
static void print_op_cell(const struct op_cell *c)
{
	char buf[96];

	if (c->ok) {
		printf(" | %8.0f %8.0f", c->median_ns, c->p90_ns);
		return;
	}
	snprintf(buf, sizeof(buf), "%s %s", errname(c->err), c->what);
	printf(" | %-17.17s", buf);
}

static void print_bcast_table(void)
{
	const struct op_cell *u = &dgram_cell;
	unsigned int i, k;

	if (!opt.nbcast)
		return;
	printf("\nbroadcast SEND: one broadcast signal (%d-byte payload, the bus's bloom\n",
	       BENCH_BCAST_SIZE);
	printf("filter) with RECEIVERS other connections on the bus; ns per SEND ioctl,\n");
	printf("only the SEND timed. none: no matches; miss: one BLOOM_MASK match each\n");
	printf("that the filter misses; hit: one that it hits, every receiver gets a copy,\n");
	printf("drained after each %d broadcasts (drain: ns per broadcast to RECV_DROP\n",
	       BENCH_BCAST_BATCH);
	printf("all its copies, not in the SEND time)\n\n");
	printf("%10s", "receivers");
	for (k = 0; k < BC_UNIX; k++)
		printf(" | %-17s", bc_name[k]);
	printf(" | %9s | vs unix-dgram median\n%10s", "hit", "");
	for (k = 0; k < BC_UNIX; k++)
		printf(" | %8s %8s", "median", "p90");
	printf(" | %9s |", "drain");
	for (k = 0; k < BC_UNIX; k++)
		printf(" %7s", bc_name[k]);
	printf("\n");
	for (i = 0; i < opt.nbcast; i++) {
		const struct op_cell *h = &bcast_cells[i][BC_HIT];

		printf("%10u", opt.bcast[i]);
		for (k = 0; k < BC_UNIX; k++)
			print_op_cell(&bcast_cells[i][k]);
		if (h->ok)
			printf(" | %9.0f |", h->drain_per_ns);
		else
			printf(" | %9s |", "-");
		for (k = 0; k < BC_UNIX; k++) {
			const struct op_cell *c = &bcast_cells[i][k];

			if (c->ok && u->ok && u->median_ns > 0)
				printf(" %6.1fx", c->median_ns / u->median_ns);
			else
				printf(" %7s", "-");
		}
		printf("\n");
	}
	printf("%10s", "unix-dgram");
	print_op_cell(u);
	printf("   (reference: an %d-byte send() on an AF_UNIX SOCK_DGRAM socketpair)\n",
	       BENCH_BCAST_SIZE);
}

static void print_name_table(void)
{
	const struct op_cell *base = &name_cells[0];
	unsigned int i;

	if (!opt.nnames)
		return;
	printf("\nNAME_ACQUIRE + NAME_RELEASE of one name, with NAMES other names\n");
	printf("registered on the bus (owned by %u other connections); ns per pair\n\n",
	       nm.nholders);
	printf("%8s | %8s %8s | %8s %8s | median vs %u names\n", "names",
	       "median", "p90", "acquire", "release", opt.names[0]);
	for (i = 0; i < opt.nnames; i++) {
		const struct op_cell *c = &name_cells[i];

		printf("%8u", opt.names[i]);
		print_op_cell(c);
		if (!c->ok) {
			printf("\n");
			continue;
		}
		printf(" | %8.0f %8.0f", c->step_ns[0], c->step_ns[1]);
		if (base->ok && base->median_ns > 0)
			printf(" | %7.2fx\n", c->median_ns / base->median_ns);
		else
			printf(" | %8s\n", "-");
	}
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* sort @v ascending, each value once; the new count */
static unsigned int sort_unique(unsigned int *v, unsigned int n)
{
	unsigned int i, r;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_uint);
	for (i = 1, r = 1; i < n; i++)
		if (v[i] != v[r - 1])
			v[r++] = v[i];
	return r;
}

/*
 * The counts of one kind of cell: none if @off (the option that skips
 * them), @def if none were given; ascending, each count once.
 */
static unsigned int counts_final(unsigned int *v, unsigned int n, bool off,
				 const unsigned int *def, unsigned int ndef)
{
	unsigned int i;

	if (off)
		return 0;
	if (!n) {
		for (i = 0; i < ndef; i++)
			v[i] = def[i];
		n = ndef;
	}
	return sort_unique(v, n);
}

/* an option's count, 0..@max, into v[(*n)++]; false if bad or too many */
static bool add_count(const char *arg, unsigned long max, unsigned int *v,
		      unsigned int *n)
{
	unsigned long x;
	char *end;

	errno = 0;
	x = strtoul(arg, &end, 0);
	if (errno || *end || !*arg || x > max || *n == BENCH_MAX_COUNTS)
		return false;
	v[(*n)++] = x;
	return true;
}

static void print_counts(const char *key, const unsigned int *v,
			 unsigned int n)
{
	unsigned int i;

	printf(" %s=", key);
	for (i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", v[i]);
	printf("%s", n ? "" : "-");
}

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-t SECONDS] [-r ROUNDS] [-s SIZE]... [-x TRANSPORT]... [-1] [-P]\n"
		"       [-M] [-i IDLE]... [-I] [-b RECEIVERS]... [-B] [-n NAMES]... [-N]\n"
		"  -t SECONDS    timed part of each cell (default 1.5)\n"
		"  -r ROUNDS     rounds the cell time is split into (default 3)\n"
		"  -s SIZE       payload size in bytes (1..2097152), repeatable up\n"
		"                to %d times, replacing the default 8, 4096, 65536,\n"
		"                1048576\n"
		"  -x TRANSPORT  kdbus-async, kdbus-sync, kdbus-memfd, unix or pipe,\n"
		"                repeatable (default all)\n"
		"  -1            pin client and server to the same CPU (default:\n"
		"                different CPUs when there are two)\n"
		"  -P            skip the per-step timing of the 8-byte round trip\n"
		"  -M            skip the metadata cell (the 8-byte kdbus-async round\n"
		"                trip without and with all metadata; it sets the\n"
		"                module's attach_flags_mask to ~0 meanwhile, as root)\n"
		"  -i IDLE       HELLO + BYEBYE with IDLE other connections on the\n"
		"                bus (0..%d), repeatable (default 1, 100, 1000)\n"
		"  -I            skip HELLO + BYEBYE\n"
		"  -b RECEIVERS  broadcast SEND with RECEIVERS other connections\n"
		"                on the bus (0..%d), repeatable (default 1, 100,\n"
		"                1000)\n"
		"  -B            skip broadcast SEND\n"
		"  -n NAMES      NAME_ACQUIRE + NAME_RELEASE with NAMES other names\n"
		"                registered (0..%d), repeatable (default 10, 10000)\n"
		"  -N            skip NAME_ACQUIRE + NAME_RELEASE\n"
		"The broadcast, datagram and name cells take about 2/3 of -t each.\n",
		prog, BENCH_MAX_SIZES, BENCH_MAX_IDLE, BENCH_MAX_RECEIVERS,
		BENCH_MAX_NAMES);
}

int main(int argc, char **argv)
{
	static const size_t default_sizes[] = { 8, 4096, 65536, 1048576 };
	static const unsigned int default_idle[] = { 1, 100, 1000 };
	static const unsigned int default_bcast[] = { 1, 100, 1000 };
	static const unsigned int default_names[] = { 10, 10000 };
	bool no_conns = false, no_bcast = false, no_names = false;
	unsigned long v;
	bool any_transport = false, failed = false;
	unsigned int s, t, r, i;
	char *end;
	int c;

	opt.target_s = 1.5;
	opt.rounds = 3;
	opt.phases = true;
	opt.meta = true;
	while ((c = getopt(argc, argv, "t:r:s:x:1PMi:Ib:Bn:Nh")) != -1) {
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
		case 'M':
			opt.meta = false;
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
		case 'b':
			if (!add_count(optarg, BENCH_MAX_RECEIVERS, opt.bcast,
				       &opt.nbcast)) {
				print_usage(argv[0]);
				return 2;
			}
			break;
		case 'B':
			no_bcast = true;
			break;
		case 'n':
			if (!add_count(optarg, BENCH_MAX_NAMES, opt.names,
				       &opt.nnames)) {
				print_usage(argv[0]);
				return 2;
			}
			break;
		case 'N':
			no_names = true;
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
	opt.nidle = counts_final(opt.idle, opt.nidle, no_conns, default_idle,
				 ARRAY_SIZE(default_idle));
	opt.nbcast = counts_final(opt.bcast, opt.nbcast, no_bcast,
				  default_bcast, ARRAY_SIZE(default_bcast));
	opt.nnames = counts_final(opt.names, opt.nnames, no_names,
				  default_names, ARRAY_SIZE(default_names));

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
	printf(" clock_ns=%llu clock_res_ns=%llu",
	       (unsigned long long)opt.clock_ns,
	       (unsigned long long)opt.clock_res_ns);
	printf(" sizes=");
	for (s = 0; s < opt.nsizes; s++)
		printf("%s%zu", s ? "," : "", opt.sizes[s]);
	printf(" transports=");
	for (t = 0, i = 0; t < BT_COUNT; t++)
		if (opt.run[t])
			printf("%s%s", i++ ? "," : "", bt_name[t]);
	print_counts("conn_idle", opt.idle, opt.nidle);
	print_counts("bcast_receivers", opt.bcast, opt.nbcast);
	print_counts("names", opt.names, opt.nnames);
	if (opt.meta)
		printf(" meta_size=%d", BENCH_META_SIZE);
	else
		printf(" meta_size=-");
	printf(" bcast_batch=%d op_cell_s=%.2f\n", BENCH_BCAST_BATCH,
	       op_cell_s());

	for (s = 0; s < opt.nsizes; s++) {
		for (r = 0; r < opt.rounds; r++) {
			/* each round starts with another transport */
			for (i = 0; i < BT_COUNT; i++) {
				t = (r + i) % BT_COUNT;
				if (opt.run[t] && !cells[s][t].failed)
					run_cell(&cells[s][t], opt.sizes[s], t,
						 false, opt.target_s / opt.rounds,
						 MC_OFF);
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
			run_cell(&scratch, 8, t, true, opt.target_s, MC_OFF);
		}
	}

	if (opt.meta)
		run_meta();
	if (opt.nidle)
		run_conns();
	if (opt.nbcast)
		run_bcast();
	if (opt.nnames)
		run_names();

	print_table();
	print_meta_table();
	print_conn_table();
	print_bcast_table();
	print_name_table();
	for (s = 0; s < opt.nsizes; s++)
		for (t = 0; t < BT_COUNT; t++)
			if (opt.run[t] && !cells[s][t].ok)
				failed = true;
	for (t = 0; opt.meta && t < MC_COUNT; t++)
		if (!meta_cells[t].ok)
			failed = true;
	for (i = 0; i < opt.nidle; i++)
		if (!conn_cells[i].ok)
			failed = true;
	for (i = 0; i < opt.nbcast; i++)
		for (t = 0; t < BC_UNIX; t++)
			if (!bcast_cells[i][t].ok)
				failed = true;
	if (opt.nbcast && !dgram_cell.ok)
		failed = true;
	for (i = 0; i < opt.nnames; i++)
		if (!name_cells[i].ok)
			failed = true;
	kdbus_teardown();
	return failed ? 1 : 0;
}
