// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus-sample - a guided tour of the kdbus user-space interface
 *
 * kdbus is D-Bus in the kernel.  A bus is a directory on a kdbusfs mount,
 * a peer is a file descriptor opened on the bus's "bus" endpoint file,
 * and everything else - saying hello, owning a well-known name, sending,
 * receiving, subscribing to signals - is an ioctl on that descriptor.
 * Received messages are not copied into a buffer the caller passes in:
 * the kernel writes them into the connection's "pool", shared memory that
 * the receiver maps read-only, and hands out offsets into it ("slices"),
 * which the receiver gives back with KDBUS_CMD_FREE.
 *
 * This program uses nothing but <linux/kdbus.h> and libc.  It plays three
 * roles:
 *
 *   bus owner  creates a private bus (part 1);
 *   service    a child process that owns "org.example.Sample", answers
 *              method calls and emits signals (part 2);
 *   client     the parent process: it watches the name, calls the service
 *              synchronously and asynchronously, subscribes to its signal
 *              with a bloom mask and hands it a sealed memfd (parts 3-7).
 *
 * Every step is checked.  Progress is printed in TAP format ("1..N", one
 * "ok N - ..." line per step) so that a test harness can run the program;
 * a failure prints "not ok N - ..." with the reason and exits with 1.
 * Without root and without --domain it cannot mount kdbusfs; it says so
 * and exits with 4 (skip).
 *
 * Section numbers in the comments refer to Documentation/kdbus.txt.
 * Read the file top to bottom: small helpers first, then the connection
 * primitives, the service, the client and finally main().
 */

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <linux/kdbus.h>

/* the kernel's shorthand for printf format checking, for user space */
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))

#define SAMPLE_NAME		"org.example.Sample"
#define SAMPLE_KDBUSFS_MAGIC	0x44427573	/* statfs f_type, "DBus" */
#define SAMPLE_POOL_SIZE	(16UL * 1024 * 1024)	/* n * PAGE_SIZE */
#define SAMPLE_BLOOM_SIZE	64	/* bytes in every bloom filter */
#define SAMPLE_BLOOM_N_HASH	1	/* bits set per element */
#define SAMPLE_MEMFD_SIZE	(1024 * 1024)
#define SAMPLE_CALL_TIMEOUT_NS	(5ULL * 1000 * 1000 * 1000)
#define SAMPLE_POLL_MS		5000	/* client: longest wait for a message */
#define SAMPLE_IDLE_MS		30000	/* service: longest wait for a call */
#define SAMPLE_WATCHDOG_S	60	/* whole run, per process */
#define SAMPLE_STEPS		15
#define SAMPLE_EXIT_SKIP	4

/* match cookies: a caller-chosen tag for each match (section 6.8) */
#define SAMPLE_MATCH_NAMES	1
#define SAMPLE_MATCH_SIGNAL	2

/*
 * The payload of every message this program sends.
 *
 * kdbus does not look into the payload; it only requires a non-zero
 * payload_type in the message header.  This sample sends one plain struct,
 * tagged with its own payload type.  Real D-Bus programs put the D-Bus
 * marshalled message here instead and set payload_type to
 * KDBUS_PAYLOAD_DBUS, as the proxy in tools/kdbus does.
 */
#define SAMPLE_PAYLOAD_TYPE	0x53616d706c655631ULL	/* "SampleV1" */
#define SAMPLE_MAGIC		0x6b646273	/* "kdbs" */

enum sample_op {
	SAMPLE_OP_ECHO = 1,	/* reply with text in upper case */
	SAMPLE_OP_EMIT,		/* emit the signals "Other" and "Changed" */
	SAMPLE_OP_CHECKSUM,	/* reply with the checksum of the memfd */
	SAMPLE_OP_QUIT,		/* reply, then leave the bus */
	SAMPLE_OP_SIGNAL,	/* a signal; text is its member name */
};

struct sample_payload {
	__u32 magic;		/* SAMPLE_MAGIC */
	__u32 op;		/* enum sample_op */
	__u64 value;		/* SAMPLE_OP_CHECKSUM reply: the checksum */
	char text[48];		/* NUL-terminated */
};

/*
 * Reporting: TAP lines on stdout, errors also on stderr.
 */
static int tap_num;			/* number of the step in progress */
static const char *tap_title;		/* and its title */
static bool tap_plan_printed;
static bool in_service;			/* true in the service process */

static struct {
	char mount_dir[64];		/* our private kdbusfs mount, if any */
	pid_t service_pid;		/* the service child, until reaped */
} sample;

static void cleanup(void)
{
	if (sample.service_pid > 0) {
		kill(sample.service_pid, SIGKILL);
		waitpid(sample.service_pid, NULL, 0);
		sample.service_pid = 0;
	}
	if (sample.mount_dir[0]) {
		umount2(sample.mount_dir, MNT_DETACH);
		rmdir(sample.mount_dir);
		sample.mount_dir[0] = '\0';
	}
}

/* Report a failure and exit; "%m" in @fmt prints strerror(errno). */
static noreturn void __printf(1, 2) die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (in_service) {
		fprintf(stderr, "kdbus-sample: service: %s\n", msg);
		exit(1);
	}
	if (tap_plan_printed)
		printf("not ok %d - %s\n# %s\n", tap_num, tap_title, msg);
	else
		printf("Bail out! %s\n", msg);
	fprintf(stderr, "kdbus-sample: %s\n", msg);
	cleanup();
	exit(1);
}

/* A TAP comment line: "# ..." */
static void __printf(1, 2) note(const char *fmt, ...)
{
	va_list ap;

	fputs(in_service ? "# service: " : "# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static void step(const char *title)
{
	tap_num++;
	tap_title = title;
}

static void pass(void)
{
	printf("ok %d - %s\n", tap_num, tap_title);
}

static void watchdog(int sig)
{
	static const char msg[] = "Bail out! kdbus-sample: timed out\n";
	ssize_t ret;

	(void)sig;
	ret = write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	(void)ret;
	_exit(1);
}

static void xioctl(int fd, unsigned long request, void *arg, const char *what)
{
	if (ioctl(fd, request, arg) < 0)
		die("%s: %m", what);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		die("clock_gettime: %m");
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Items (section 5).
 *
 * Every ioctl argument and every message starts with "__u64 size", has a
 * fixed part whose size is a multiple of 8 and ends in a list of items.
 * An item is a 16-byte header {size, type} plus a payload; its size
 * counts header and payload but not the padding, and the next item starts
 * at the next 8-byte boundary.  A string item therefore has the size
 * 16 + strlen + 1, exactly.
 */
#define ALIGN8(n)		(((n) + 7) & ~7ULL)
#define ITEM_HEADER_SIZE	offsetof(struct kdbus_item, data)
#define ITEM_SIZE(len)		ALIGN8(ITEM_HEADER_SIZE + (len))

static const struct kdbus_item *item_next(const struct kdbus_item *item)
{
	return (const void *)((const __u8 *)item + ALIGN8(item->size));
}

/* Visit the items from @first up to (not including) @end. */
#define item_for_each(item, first, end)					\
	for ((item) = (first);						\
	     (const void *)(item) < (const void *)(end) &&		\
	     (item)->size >= ITEM_HEADER_SIZE;				\
	     (item) = item_next(item))

static const void *msg_end(const struct kdbus_msg *msg)
{
	return (const __u8 *)msg + msg->size;
}

/*
 * struct arg is a zeroed, 8-byte aligned scratch buffer to build an ioctl
 * argument or a message in: arg_init() zeroes it and sizes the fixed part,
 * arg_add() appends one item (copying @len bytes of @payload, if given)
 * and grows the size.  Padding between items stays zero.
 */
struct arg {
	__u64 buf[4096 / sizeof(__u64)];
};

static void *arg_init(struct arg *arg, size_t fixed_size)
{
	memset(arg, 0, sizeof(*arg));
	arg->buf[0] = fixed_size;
	return arg->buf;
}

static struct kdbus_item *arg_add(struct arg *arg, __u64 type,
				  const void *payload, size_t len)
{
	__u64 pos = arg->buf[0];
	struct kdbus_item *item;

	if (pos + ITEM_SIZE(len) > sizeof(arg->buf))
		die("argument buffer too small");
	item = (struct kdbus_item *)((__u8 *)arg->buf + pos);
	item->size = ITEM_HEADER_SIZE + len;
	item->type = type;
	if (payload)
		memcpy(item->data, payload, len);
	arg->buf[0] = pos + ITEM_SIZE(len);
	return item;
}

static struct kdbus_item *arg_add_str(struct arg *arg, __u64 type,
				      const char *str)
{
	return arg_add(arg, type, str, strlen(str) + 1);
}

/*
 * Hashing, for the bloom filters and the memfd checksum: 64-bit FNV-1a.
 *
 * Bloom filters (section 6.8) let the kernel decide cheaply whether a
 * signal can interest a receiver: the sender sets a few bits per property
 * of the signal, the receiver's match holds a mask, and the signal is
 * delivered if every bit of the mask is set in the filter.  The kernel
 * only compares bits; how they are computed is agreed between the peers.
 * D-Bus uses SipHash-2-4 over strings such as "member:Changed"; this
 * sample uses the same kind of strings with a simpler hash.
 */
#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static __u64 fnv1a(const void *data, size_t len, __u64 hash)
{
	const __u8 *p = data;

	while (len--)
		hash = (hash ^ *p++) * FNV_PRIME;
	return hash;
}

static void bloom_add(__u64 *bloom, const char *element)
{
	__u64 bit;
	int i;

	for (i = 0; i < SAMPLE_BLOOM_N_HASH; i++) {
		bit = fnv1a(element, strlen(element), FNV_OFFSET + i);
		bit %= SAMPLE_BLOOM_SIZE * 8;
		bloom[bit / 64] |= 1ULL << (bit % 64);
	}
}

/* The bloom filter of the signal @member of our interface. */
static void bloom_signal(__u64 *bloom, const char *member)
{
	char element[64];

	memset(bloom, 0, SAMPLE_BLOOM_SIZE);
	bloom_add(bloom, "interface:" SAMPLE_NAME);
	snprintf(element, sizeof(element), "member:%s", member);
	bloom_add(bloom, element);
}

/* What the kernel checks: every bit of @mask is set in @filter. */
static bool bloom_covers(const __u64 *mask, const __u64 *filter)
{
	int i;

	for (i = 0; i < SAMPLE_BLOOM_SIZE / 8; i++)
		if (mask[i] & ~filter[i])
			return false;
	return true;
}

static void payload_init(struct sample_payload *p, enum sample_op op,
			 const char *text)
{
	memset(p, 0, sizeof(*p));
	p->magic = SAMPLE_MAGIC;
	p->op = op;
	snprintf(p->text, sizeof(p->text), "%s", text);
}

/*
 * A connection (section 6): the fd, the connection id and the pool.
 */
struct conn {
	int fd;
	__u64 id;
	const __u8 *pool;	/* read-only mapping of the whole pool */
	__u64 cookie;		/* last cookie this connection sent */
};

/*
 * KDBUS_CMD_FREE (section 7.4): give a slice back to the pool.  Every
 * offset the kernel hands out - HELLO, RECV, a synchronous reply - is
 * freed exactly once, or the pool fills up.
 */
static void conn_free(struct conn *conn, __u64 offset)
{
	struct kdbus_cmd_free cmd = {
		.size = sizeof(cmd),
		.offset = offset,
	};

	xioctl(conn->fd, KDBUS_CMD_FREE, &cmd, "FREE");
}

static void conn_free_msg(struct conn *conn, const struct kdbus_msg *msg)
{
	conn_free(conn, (const __u8 *)msg - conn->pool);
}

/*
 * KDBUS_CMD_HELLO (section 6.1): open the default endpoint "bus" of the
 * bus and turn the fd into a connection.
 *
 * @flags:	KDBUS_HELLO_ACCEPT_FD to receive file descriptors (memfds
 *		included; without it they arrive as -1)
 * @send:	metadata (KDBUS_ATTACH_*) we agree to have attached to what
 *		we send
 * @recv:	metadata we want attached to what we receive
 */
static void conn_hello(struct conn *conn, const char *bus_dir, __u64 flags,
		       __u64 send, __u64 recv, const char *description)
{
	const struct kdbus_item *item, *slice;
	struct kdbus_cmd_hello *hello;
	char path[PATH_MAX];
	bool have_bloom = false;
	struct arg arg;

	memset(conn, 0, sizeof(*conn));
	snprintf(path, sizeof(path), "%s/bus", bus_dir);
	conn->fd = open(path, O_RDWR | O_CLOEXEC);
	if (conn->fd < 0)
		die("open %s: %m", path);

	hello = arg_init(&arg, sizeof(*hello));
	hello->flags = flags;
	hello->attach_flags_send = send;
	hello->attach_flags_recv = recv;
	hello->pool_size = SAMPLE_POOL_SIZE;
	/* a label for debugging, shown as metadata and in the pool's name */
	arg_add_str(&arg, KDBUS_ITEM_CONN_DESCRIPTION, description);
	xioctl(conn->fd, KDBUS_CMD_HELLO, hello, "HELLO");
	conn->id = hello->id;

	/*
	 * The pool (section 7.1): only the kernel writes it; we map it
	 * read-only (PROT_WRITE would fail with EPERM) and read messages
	 * at the offsets the ioctls return.
	 */
	conn->pool = mmap(NULL, SAMPLE_POOL_SIZE, PROT_READ, MAP_SHARED,
			  conn->fd, 0);
	if (conn->pool == MAP_FAILED)
		die("mmap pool: %m");

	/*
	 * HELLO returns a slice too: the bus's bloom parameters, which all
	 * peers must use to build filters and masks.
	 */
	slice = (const void *)(conn->pool + hello->offset);
	item_for_each(item, slice, (const __u8 *)slice + hello->items_size) {
		if (item->type != KDBUS_ITEM_BLOOM_PARAMETER ||
		    item->size != ITEM_HEADER_SIZE +
				  sizeof(struct kdbus_bloom_parameter))
			continue;
		if (item->bloom_parameter.size != SAMPLE_BLOOM_SIZE ||
		    item->bloom_parameter.n_hash != SAMPLE_BLOOM_N_HASH)
			die("HELLO: unexpected bloom parameters %llu/%llu",
			    (unsigned long long)item->bloom_parameter.size,
			    (unsigned long long)item->bloom_parameter.n_hash);
		have_bloom = true;
	}
	conn_free(conn, hello->offset);
	if (!have_bloom)
		die("HELLO: no KDBUS_ITEM_BLOOM_PARAMETER in the slice");
}

/*
 * KDBUS_CMD_BYEBYE (section 6.9): leave the bus.  It succeeds only while
 * nothing is queued (EBUSY otherwise), so no message is lost; the names
 * the connection owns are released.  Closing the fd would also disconnect,
 * unconditionally.
 */
static void conn_byebye(struct conn *conn)
{
	struct kdbus_cmd cmd = { .size = sizeof(cmd) };

	xioctl(conn->fd, KDBUS_CMD_BYEBYE, &cmd, "BYEBYE");
	munmap((void *)conn->pool, SAMPLE_POOL_SIZE);
	close(conn->fd);
	conn->fd = -1;
}

/*
 * KDBUS_CMD_SEND (section 8.1).  One helper builds every message of this
 * program from a struct send_req.
 */
struct send_req {
	/* in */
	__u64 dst_id;		/* id, KDBUS_DST_ID_NAME or _BROADCAST */
	const char *dst_name;	/* with KDBUS_DST_ID_NAME */
	__u64 flags;		/* KDBUS_MSG_* */
	__u64 cookie_reply;	/* a reply: the cookie of the call */
	bool sync;		/* KDBUS_SEND_SYNC_REPLY: wait for the reply */
	const struct sample_payload *payload;
	int memfd;		/* a memfd to pass, or -1 */
	__u64 memfd_size;
	const __u64 *bloom;	/* a signal's bloom filter */
	/* out */
	__u64 cookie;		/* the cookie the message was sent with */
	const struct kdbus_msg *reply;	/* sync: the reply, in our pool */
};

/* Returns 0 or a negative errno. */
static int conn_send(struct conn *conn, struct send_req *req)
{
	struct kdbus_cmd_send cmd;
	struct kdbus_vec vec = {
		.size = sizeof(*req->payload),
		.address = (uintptr_t)req->payload,
	};
	struct kdbus_msg *msg;
	struct kdbus_item *item;
	struct arg arg;

	msg = arg_init(&arg, sizeof(*msg));
	msg->flags = req->flags;
	msg->dst_id = req->dst_id;
	msg->src_id = 0;		/* the kernel fills in our id */
	msg->payload_type = SAMPLE_PAYLOAD_TYPE;
	msg->cookie = ++conn->cookie;	/* ours to choose, non-zero */
	if (req->flags & KDBUS_MSG_EXPECT_REPLY)
		/* an absolute CLOCK_MONOTONIC deadline for the reply */
		msg->timeout_ns = now_ns() + SAMPLE_CALL_TIMEOUT_NS;
	else
		msg->cookie_reply = req->cookie_reply;

	if (req->dst_name)
		arg_add_str(&arg, KDBUS_ITEM_DST_NAME, req->dst_name);

	/*
	 * Inline payload: the kernel copies it straight from our memory into
	 * the receiver's pool.  Several vectors would form one byte stream.
	 */
	arg_add(&arg, KDBUS_ITEM_PAYLOAD_VEC, &vec, sizeof(vec));

	/*
	 * A memfd is passed by reference, not copied: the receiver gets its
	 * own fd for the same file.  The kernel insists that it is sealed
	 * (section 8.1), so the receiver can trust it not to change.
	 */
	if (req->memfd >= 0) {
		struct kdbus_memfd memfd = {
			.start = 0,
			.size = req->memfd_size,
			.fd = req->memfd,
		};

		arg_add(&arg, KDBUS_ITEM_PAYLOAD_MEMFD, &memfd, sizeof(memfd));
	}

	/* A signal carries a bloom filter of exactly the bus's size. */
	if (req->bloom) {
		item = arg_add(&arg, KDBUS_ITEM_BLOOM_FILTER, NULL,
			       sizeof(struct kdbus_bloom_filter) +
			       SAMPLE_BLOOM_SIZE);
		item->bloom_filter.generation = 0;
		memcpy(item->bloom_filter.data, req->bloom, SAMPLE_BLOOM_SIZE);
	}

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.flags = req->sync ? KDBUS_SEND_SYNC_REPLY : 0;
	cmd.msg_address = (uintptr_t)msg;
	if (ioctl(conn->fd, KDBUS_CMD_SEND, &cmd) < 0)
		return -errno;

	req->cookie = msg->cookie;
	/*
	 * A synchronous call returns with the reply already in our pool, at
	 * cmd.reply.offset; it is ours to FREE.  Other sends report the
	 * empty slice (msg_size 0), nothing to free.
	 */
	if (req->sync) {
		if (cmd.reply.msg_size < sizeof(struct kdbus_msg))
			die("SEND: synchronous call without a reply slice");
		req->reply = (const void *)(conn->pool + cmd.reply.offset);
	}
	return 0;
}

/*
 * KDBUS_CMD_RECV (section 8.7): take the next message off the queue.
 * Returns it (in our pool, to be FREEd), or NULL with errno EAGAIN if the
 * queue is empty.
 */
static const struct kdbus_msg *conn_recv(struct conn *conn)
{
	struct kdbus_cmd_recv cmd = { .size = sizeof(cmd) };

	if (ioctl(conn->fd, KDBUS_CMD_RECV, &cmd) < 0) {
		if (errno == EAGAIN)
			return NULL;
		die("RECV: %m");
	}
	if (cmd.return_flags & KDBUS_RECV_RETURN_DROPPED_MSGS)
		note("%llu message(s) could not be queued for us",
		     (unsigned long long)cmd.dropped_msgs);
	return (const void *)(conn->pool + cmd.msg.offset);
}

/*
 * Wait with poll() until a message is queued (POLLIN), then RECV it.  A
 * disconnected connection reports POLLERR | POLLHUP instead.
 */
static const struct kdbus_msg *conn_recv_wait(struct conn *conn,
					      int timeout_ms)
{
	struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
	const struct kdbus_msg *msg;
	int ret;

	for (;;) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			die("poll: %m");
		if (ret == 0)
			die("no message within %d ms", timeout_ms);
		if (pfd.revents & (POLLERR | POLLHUP))
			die("the connection was disconnected");
		msg = conn_recv(conn);
		if (msg)
			return msg;
		/* POLLIN for a lost-message count only: wait again */
	}
}

/*
 * What a received message carries (section 8.6).  The items of a message
 * describe the payload; the data follows the items, and a PAYLOAD_OFF
 * item's offset (from the start of the message) is the only way to find
 * it.
 */
struct received {
	const struct sample_payload *payload;
	int memfd;		/* a received memfd, or -1 */
	__u64 memfd_start;
	__u64 memfd_size;
	__u64 pid;		/* the sender's pid (metadata), or 0 */
};

static void msg_parse(const struct kdbus_msg *msg, struct received *rx)
{
	const struct kdbus_item *item;

	memset(rx, 0, sizeof(*rx));
	rx->memfd = -1;
	item_for_each(item, msg->items, msg_end(msg)) {
		switch (item->type) {
		case KDBUS_ITEM_PAYLOAD_OFF:
			/* ~0: a run of zero bytes sent as padding */
			if (item->vec.offset == ~0ULL)
				break;
			if (!rx->payload &&
			    item->vec.size == sizeof(*rx->payload))
				rx->payload = (const void *)
					((const __u8 *)msg + item->vec.offset);
			break;
		case KDBUS_ITEM_PAYLOAD_MEMFD:
			rx->memfd = item->memfd.fd;
			rx->memfd_start = item->memfd.start;
			rx->memfd_size = item->memfd.size;
			break;
		case KDBUS_ITEM_PIDS:
			/* metadata: present if sender and receiver agree */
			rx->pid = item->pids.pid;
			break;
		}
	}
	if (!rx->payload || rx->payload->magic != SAMPLE_MAGIC)
		die("message %llu from %llu: no sample payload",
		    (unsigned long long)msg->cookie,
		    (unsigned long long)msg->src_id);
}

/*
 * The service, part 2: a child process with its own connection.
 */

/* Checksum of the memfd of a received call, read through mmap(). */
static __u64 service_memfd_checksum(const struct received *rx)
{
	const int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
			  F_SEAL_SEAL;
	size_t len = rx->memfd_start + rx->memfd_size;
	const __u8 *map;
	__u64 sum;

	/* -1 here would mean we did not HELLO with KDBUS_HELLO_ACCEPT_FD */
	if (rx->memfd < 0)
		die("CHECKSUM call without a memfd");
	/* the kernel let it through only because it is sealed */
	if ((fcntl(rx->memfd, F_GET_SEALS) & seals) != seals)
		die("received memfd is not sealed");
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, rx->memfd, 0);
	if (map == MAP_FAILED)
		die("mmap memfd: %m");
	sum = fnv1a(map + rx->memfd_start, rx->memfd_size, FNV_OFFSET);
	munmap((void *)map, len);
	return sum;
}

/* Emit the signal @member of our interface as a broadcast. */
static void service_emit(struct conn *conn, const char *member)
{
	__u64 bloom[SAMPLE_BLOOM_SIZE / 8];
	struct sample_payload payload;
	struct send_req req = {
		/* a broadcast: every connection whose match accepts it */
		.dst_id = KDBUS_DST_ID_BROADCAST,
		.flags = KDBUS_MSG_SIGNAL,
		.payload = &payload,
		.memfd = -1,
		.bloom = bloom,
	};
	int ret;

	payload_init(&payload, SAMPLE_OP_SIGNAL, member);
	bloom_signal(bloom, member);
	ret = conn_send(conn, &req);
	if (ret < 0)
		die("SEND signal %s: %s", member, strerror(-ret));
}

/* Handle one method call; returns true when asked to quit. */
static bool service_handle(struct conn *conn, const struct kdbus_msg *msg)
{
	struct sample_payload answer;
	const char *text;
	struct received rx;
	struct send_req reply = {
		/*
		 * A reply goes to the caller's id, with cookie_reply set to
		 * the call's cookie and without KDBUS_MSG_EXPECT_REPLY.
		 */
		.dst_id = msg->src_id,
		.cookie_reply = msg->cookie,
		.payload = &answer,
		.memfd = -1,
	};
	bool quit = false;
	size_t i;
	int ret;

	if (!(msg->flags & KDBUS_MSG_EXPECT_REPLY))
		die("message %llu is not a method call",
		    (unsigned long long)msg->cookie);
	msg_parse(msg, &rx);
	note("call %u from connection %llu (pid %llu)", rx.payload->op,
	     (unsigned long long)msg->src_id, (unsigned long long)rx.pid);

	payload_init(&answer, rx.payload->op, "");
	switch (rx.payload->op) {
	case SAMPLE_OP_ECHO:
		text = rx.payload->text;
		for (i = 0; i < sizeof(answer.text) - 1 && text[i]; i++)
			answer.text[i] = toupper((unsigned char)text[i]);
		break;
	case SAMPLE_OP_EMIT:
		service_emit(conn, "Other");
		service_emit(conn, "Changed");
		break;
	case SAMPLE_OP_CHECKSUM:
		answer.value = service_memfd_checksum(&rx);
		break;
	case SAMPLE_OP_QUIT:
		quit = true;
		break;
	default:
		die("unknown call %u", rx.payload->op);
	}
	/* received fds are ours (installed close-on-exec): close them */
	if (rx.memfd >= 0)
		close(rx.memfd);

	ret = conn_send(conn, &reply);
	if (ret < 0)
		die("SEND reply: %s", strerror(-ret));
	return quit;
}

static int service_main(const char *bus_dir)
{
	const struct kdbus_msg *msg;
	struct kdbus_cmd *cmd;
	struct conn conn;
	struct arg arg;
	bool quit = false;

	/* ACCEPT_FD: memfds arrive as fds; PIDS: tell us who calls */
	conn_hello(&conn, bus_dir, KDBUS_HELLO_ACCEPT_FD, 0,
		   KDBUS_ATTACH_PIDS, "sample-service");

	/*
	 * KDBUS_CMD_NAME_ACQUIRE (section 6.4).  On a bus without policy only
	 * privileged connections may own names: ours is, because we opened
	 * "bus" with the bus creator's euid (section 10.4).  With
	 * KDBUS_NAME_QUEUE we would wait in line if the name were taken;
	 * return_flags would then say KDBUS_NAME_IN_QUEUE.
	 */
	cmd = arg_init(&arg, sizeof(*cmd));
	cmd->flags = 0;
	arg_add_str(&arg, KDBUS_ITEM_NAME, SAMPLE_NAME);
	xioctl(conn.fd, KDBUS_CMD_NAME_ACQUIRE, cmd, "NAME_ACQUIRE");
	if (cmd->return_flags & KDBUS_NAME_IN_QUEUE)
		die("NAME_ACQUIRE: queued, not the owner");
	note("connection %llu owns %s", (unsigned long long)conn.id,
	     SAMPLE_NAME);

	/* Serve: poll, RECV, handle, reply, FREE. */
	while (!quit) {
		msg = conn_recv_wait(&conn, SAMPLE_IDLE_MS);
		quit = service_handle(&conn, msg);
		conn_free_msg(&conn, msg);
	}

	/* Leaving releases the name: watchers get NAME_REMOVE. */
	conn_byebye(&conn);
	note("left the bus");
	return 0;
}

/*
 * The client, parts 3 to 7.
 */

/*
 * A synchronous method call to the service (section 8.5): SEND with
 * KDBUS_MSG_EXPECT_REPLY and KDBUS_SEND_SYNC_REPLY blocks until the reply
 * arrives (or the timeout passes) and returns it in our pool at
 * cmd.reply.offset.  @memfd is a memfd of SAMPLE_MEMFD_SIZE bytes to pass
 * along, or -1.  Returns 0 or a negative errno.
 */
static int client_call(struct conn *conn, __u64 service_id,
		       const struct sample_payload *call, int memfd,
		       struct sample_payload *answer)
{
	struct send_req req = {
		.dst_id = KDBUS_DST_ID_NAME,	/* addressed by name */
		.dst_name = SAMPLE_NAME,
		.flags = KDBUS_MSG_EXPECT_REPLY,
		.sync = true,
		.payload = call,
		.memfd = memfd,
		.memfd_size = SAMPLE_MEMFD_SIZE,
	};
	struct received rx;
	int ret;

	ret = conn_send(conn, &req);
	if (ret < 0)
		return ret;
	if (req.reply->src_id != service_id ||
	    req.reply->cookie_reply != req.cookie)
		die("reply from %llu to cookie %llu, expected %llu/%llu",
		    (unsigned long long)req.reply->src_id,
		    (unsigned long long)req.reply->cookie_reply,
		    (unsigned long long)service_id,
		    (unsigned long long)req.cookie);
	msg_parse(req.reply, &rx);
	*answer = *rx.payload;
	conn_free_msg(conn, req.reply);
	if (answer->op != call->op)
		die("reply for call %u, expected %u", answer->op, call->op);
	return 0;
}

/*
 * KDBUS_CMD_MATCH_ADD for a name notification (section 6.8): the kernel
 * reports with NAME_ADD that a name got its first owner, with NAME_REMOVE
 * that it lost its last, with NAME_CHANGE that it changed hands.  Rule
 * ids set to KDBUS_MATCH_ID_ANY accept any old and new owner.
 */
static void client_match_name(struct conn *conn, __u64 type)
{
	const char *name = SAMPLE_NAME;
	struct kdbus_cmd_match *cmd;
	struct kdbus_item *item;
	struct arg arg;

	cmd = arg_init(&arg, sizeof(*cmd));
	cmd->cookie = SAMPLE_MATCH_NAMES;
	item = arg_add(&arg, type, NULL,
		       sizeof(struct kdbus_notify_name_change) +
		       strlen(name) + 1);
	item->name_change.old_id.id = KDBUS_MATCH_ID_ANY;
	item->name_change.new_id.id = KDBUS_MATCH_ID_ANY;
	memcpy(item->name_change.name, name, strlen(name) + 1);
	xioctl(conn->fd, KDBUS_CMD_MATCH_ADD, cmd, "MATCH_ADD name");
}

/*
 * Wait for a NAME_ADD or NAME_REMOVE notification of our name and return
 * the id of the owner it reports (the new one, resp. the old one).
 * Kernel notifications have src_id 0, payload_type 0 (KDBUS_PAYLOAD_KERNEL)
 * and the notification as their first item (section 8.8).
 */
static __u64 client_expect_name(struct conn *conn, __u64 type)
{
	const struct kdbus_notify_name_change *nc;
	const struct kdbus_msg *msg;
	__u64 owner, none;

	msg = conn_recv_wait(conn, SAMPLE_POLL_MS);
	nc = &msg->items[0].name_change;
	if (msg->src_id != KDBUS_SRC_ID_KERNEL ||
	    msg->payload_type != KDBUS_PAYLOAD_KERNEL ||
	    msg->size < sizeof(*msg) + ITEM_SIZE(sizeof(*nc)) ||
	    msg->items[0].type != type || strcmp(nc->name, SAMPLE_NAME))
		die("expected notification %#llx for %s, got %llu's message",
		    (unsigned long long)type, SAMPLE_NAME,
		    (unsigned long long)msg->src_id);
	/* {id, flags} of the owner; {0, 0} for "none" */
	owner = type == KDBUS_ITEM_NAME_ADD ? nc->new_id.id : nc->old_id.id;
	none = type == KDBUS_ITEM_NAME_ADD ? nc->old_id.id : nc->new_id.id;
	conn_free_msg(conn, msg);
	if (!owner || none)
		die("notification with owner %llu and %llu, expected one 0",
		    (unsigned long long)owner, (unsigned long long)none);
	return owner;
}

/*
 * A memfd (section 8.1) carries large payloads without copying.  The
 * receiver can rely on its content only if it cannot change, so the kernel
 * accepts only memfds sealed against shrinking, growing, writing and
 * further sealing.  Returns the fd and the checksum of the content.
 */
static int client_memfd(size_t size, bool seal, __u64 *sum)
{
	const int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
			  F_SEAL_SEAL;
	__u8 *buf;
	size_t i;
	int fd;

	fd = memfd_create("kdbus-sample", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		die("memfd_create: %m");
	buf = malloc(size);
	if (!buf)
		die("out of memory");
	for (i = 0; i < size; i++)
		buf[i] = (i * 31 + (i >> 12)) & 0xff;
	*sum = fnv1a(buf, size, FNV_OFFSET);
	if (pwrite(fd, buf, size, 0) != (ssize_t)size)
		die("write memfd: %m");
	free(buf);
	if (seal && fcntl(fd, F_ADD_SEALS, seals) < 0)
		die("F_ADD_SEALS: %m");
	return fd;
}

/*
 * Part 1: a kdbus domain is one kdbusfs mount (section 3).  Each mount is
 * a new, empty domain.  We mount ours in a private mount namespace, so it
 * is invisible to the rest of the system and vanishes with us.
 * Returns 0 or a negative errno.
 */
static int domain_mount(void)
{
	char *dir = sample.mount_dir;
	int ret;

	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	snprintf(dir, sizeof(sample.mount_dir), "/tmp/kdbus-sample.XXXXXX");
	if (!mkdtemp(dir)) {
		ret = -errno;
		dir[0] = '\0';
		return ret;
	}
	if (mount("kdbusfs", dir, "kdbusfs", 0, NULL) < 0) {
		ret = -errno;
		rmdir(dir);
		dir[0] = '\0';
		return ret;
	}
	return 0;
}

static noreturn void skip(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(SAMPLE_EXIT_SKIP);
}

/*
 * Part 1: KDBUS_CMD_BUS_MAKE (section 5) on a handle of the domain's
 * "control" file creates the directory <euid>-<name> with the default
 * endpoint "bus" in it.  The bus lives exactly as long as this handle:
 * we keep it open until the end.
 */
static int bus_make(const char *domain, char *bus_dir, size_t len)
{
	struct kdbus_bloom_parameter bloom = {
		.size = SAMPLE_BLOOM_SIZE,
		.n_hash = SAMPLE_BLOOM_N_HASH,
	};
	char path[PATH_MAX], name[64];
	struct kdbus_cmd *cmd;
	struct arg arg;
	int fd;

	snprintf(path, sizeof(path), "%s/control", domain);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %m", path);

	/* bus names start with the creator's euid and a dash */
	snprintf(name, sizeof(name), "%u-sample", (unsigned int)geteuid());
	cmd = arg_init(&arg, sizeof(*cmd));
	/* mode 0555 for the directory, 0666 for "bus": anyone may connect */
	cmd->flags = KDBUS_MAKE_ACCESS_WORLD;
	arg_add_str(&arg, KDBUS_ITEM_MAKE_NAME, name);
	/* every signal on this bus carries a filter of this size */
	arg_add(&arg, KDBUS_ITEM_BLOOM_PARAMETER, &bloom, sizeof(bloom));
	xioctl(fd, KDBUS_CMD_BUS_MAKE, cmd, "BUS_MAKE");

	snprintf(bus_dir, len, "%s/%s", domain, name);
	return fd;
}

static noreturn void print_help(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--domain DIR]\n"
		"  --domain DIR  use the kdbusfs mounted at DIR instead of\n"
		"                mounting a private one (which needs root)\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	__u64 mask[SAMPLE_BLOOM_SIZE / 8], other[SAMPLE_BLOOM_SIZE / 8];
	struct sample_payload call, answer;
	const struct kdbus_msg *msg;
	const char *domain = NULL;
	char bus_dir[PATH_MAX];
	struct kdbus_cmd_match *match;
	struct send_req req;
	struct received rx;
	struct conn client;
	struct statfs sfs;
	__u64 service_id, sum;
	int control_fd, memfd, ret, status, i;
	struct arg arg;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--domain") && i + 1 < argc)
			domain = argv[++i];
		else
			print_help(argv[0]);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, watchdog);
	alarm(SAMPLE_WATCHDOG_S);

	/* Part 1: the domain and the bus */
	if (!domain) {
		if (geteuid() != 0)
			skip("mounting kdbusfs needs root (or --domain DIR)");
		ret = domain_mount();
		if (ret == -ENODEV)
			skip("this kernel has no kdbusfs (CONFIG_KDBUS)");
		if (ret == -EPERM)
			skip("not allowed to mount kdbusfs here");
		if (ret < 0)
			die("mounting kdbusfs: %s", strerror(-ret));
		domain = sample.mount_dir;
	}
	printf("1..%d\n", SAMPLE_STEPS);
	tap_plan_printed = true;

	step("domain: a kdbusfs mount");
	if (statfs(domain, &sfs) < 0)
		die("statfs %s: %m", domain);
	if (sfs.f_type != SAMPLE_KDBUSFS_MAGIC)
		die("%s is not a kdbusfs mount", domain);
	note("domain %s", domain);
	pass();

	step("BUS_MAKE: bus <euid>-sample, bloom size 64, n_hash 1");
	control_fd = bus_make(domain, bus_dir, sizeof(bus_dir));
	note("bus %s", bus_dir);
	pass();

	/*
	 * Part 3 begins before part 2: the client connects and watches the
	 * name first, so that it sees the service arrive.
	 */
	step("client: HELLO, pool mapped, bloom parameters read and freed");
	conn_hello(&client, bus_dir, 0, KDBUS_ATTACH_PIDS, 0,
		   "sample-client");
	note("client is connection %llu", (unsigned long long)client.id);
	pass();

	step("client: MATCH_ADD for NAME_ADD and NAME_REMOVE of the name");
	client_match_name(&client, KDBUS_ITEM_NAME_ADD);
	client_match_name(&client, KDBUS_ITEM_NAME_REMOVE);
	pass();

	/*
	 * Part 2: the service.  A forked child shares its parent's fds, and a
	 * kdbus handle lives until its last fd is closed (section 4): the
	 * child closes the bus-owner handle and the client connection, so
	 * that they die with the parent.
	 */
	step("service: forked, HELLO, NAME_ACQUIRE; client sees NAME_ADD");
	fflush(stdout);
	sample.service_pid = fork();
	if (sample.service_pid < 0)
		die("fork: %m");
	if (sample.service_pid == 0) {
		in_service = true;
		alarm(SAMPLE_WATCHDOG_S);
		close(control_fd);
		munmap((void *)client.pool, SAMPLE_POOL_SIZE);
		close(client.fd);
		exit(service_main(bus_dir));
	}
	service_id = client_expect_name(&client, KDBUS_ITEM_NAME_ADD);
	note("%s is owned by connection %llu", SAMPLE_NAME,
	     (unsigned long long)service_id);
	pass();

	/* Part 3: method calls */
	step("synchronous call: reply read at reply.offset and freed");
	payload_init(&call, SAMPLE_OP_ECHO, "hello, kdbus");
	ret = client_call(&client, service_id, &call, -1, &answer);
	if (ret < 0)
		die("SEND sync: %s", strerror(-ret));
	if (strcmp(answer.text, "HELLO, KDBUS"))
		die("unexpected answer '%.*s'", (int)sizeof(answer.text),
		    answer.text);
	note("'%s' -> '%s'", call.text, answer.text);
	pass();

	/*
	 * An asynchronous call: SEND returns at once; the kernel remembers
	 * that a reply with our cookie is due before timeout_ns and lets
	 * exactly one through.  Had the deadline passed, we would receive a
	 * KDBUS_ITEM_REPLY_TIMEOUT notification instead (section 8.4).
	 */
	step("asynchronous call: poll(), RECV of the reply to our cookie");
	payload_init(&call, SAMPLE_OP_ECHO, "async");
	memset(&req, 0, sizeof(req));
	req.dst_id = KDBUS_DST_ID_NAME;
	req.dst_name = SAMPLE_NAME;
	req.flags = KDBUS_MSG_EXPECT_REPLY;
	req.payload = &call;
	req.memfd = -1;
	ret = conn_send(&client, &req);
	if (ret < 0)
		die("SEND async: %s", strerror(-ret));
	msg = conn_recv_wait(&client, SAMPLE_POLL_MS);
	if (msg->src_id != service_id || msg->cookie_reply != req.cookie)
		die("expected the reply to %llu, got %llu's reply to %llu",
		    (unsigned long long)req.cookie,
		    (unsigned long long)msg->src_id,
		    (unsigned long long)msg->cookie_reply);
	msg_parse(msg, &rx);
	if (strcmp(rx.payload->text, "ASYNC"))
		die("unexpected answer");
	conn_free_msg(&client, msg);
	pass();

	/*
	 * Part 4: signals.  A match (section 6.8) is a set of rules that must
	 * all accept a message: here a bloom mask - the bits of our
	 * interface and of the member "Changed" - and the rule that the
	 * sender owns org.example.Sample.  The service then emits "Other"
	 * (its filter lacks the "Changed" bit) and "Changed", before it
	 * replies.
	 */
	step("signal: MATCH_ADD with a bloom mask; the matching one arrives");
	bloom_signal(mask, "Changed");
	bloom_signal(other, "Other");
	if (bloom_covers(mask, other))
		die("bloom collision: 'Other' would match too");
	match = arg_init(&arg, sizeof(*match));
	match->cookie = SAMPLE_MATCH_SIGNAL;
	arg_add(&arg, KDBUS_ITEM_BLOOM_MASK, mask, sizeof(mask));
	arg_add_str(&arg, KDBUS_ITEM_NAME, SAMPLE_NAME);
	xioctl(client.fd, KDBUS_CMD_MATCH_ADD, match, "MATCH_ADD bloom");

	payload_init(&call, SAMPLE_OP_EMIT, "");
	ret = client_call(&client, service_id, &call, -1, &answer);
	if (ret < 0)
		die("SEND sync: %s", strerror(-ret));
	/* the signals were sent before the reply, so this is immediate */
	msg = conn_recv_wait(&client, SAMPLE_POLL_MS);
	msg_parse(msg, &rx);
	if (!(msg->flags & KDBUS_MSG_SIGNAL) || msg->src_id != service_id ||
	    msg->dst_id != KDBUS_DST_ID_BROADCAST ||
	    rx.payload->op != SAMPLE_OP_SIGNAL ||
	    strcmp(rx.payload->text, "Changed"))
		die("expected the broadcast signal 'Changed'");
	conn_free_msg(&client, msg);
	pass();

	/*
	 * "Other" was never queued for us: no match of ours accepted it.
	 * Nothing is lost either (no dropped-message count): it simply was
	 * not for us.
	 */
	step("signal: the non-matching broadcast is not delivered (EAGAIN)");
	msg = conn_recv(&client);
	if (msg) {
		conn_free_msg(&client, msg);
		die("RECV: a message is queued");
	}
	pass();

	/* Part 5: memfds */
	step("memfd: 1 MiB sealed memfd; the service returns its checksum");
	memfd = client_memfd(SAMPLE_MEMFD_SIZE, true, &sum);
	payload_init(&call, SAMPLE_OP_CHECKSUM, "");
	ret = client_call(&client, service_id, &call, memfd, &answer);
	if (ret < 0)
		die("SEND with memfd: %s", strerror(-ret));
	close(memfd);
	if (answer.value != sum)
		die("checksum %#llx, expected %#llx",
		    (unsigned long long)answer.value, (unsigned long long)sum);
	pass();

	step("memfd: an unsealed memfd is refused with ETXTBSY");
	memfd = client_memfd(SAMPLE_MEMFD_SIZE, false, &sum);
	ret = client_call(&client, service_id, &call, memfd, &answer);
	close(memfd);
	if (ret != -ETXTBSY)
		die("SEND with unsealed memfd: %s, expected ETXTBSY",
		    ret ? strerror(-ret) : "success");
	pass();

	/* Part 6: the service leaves, and its name goes away */
	step("service: BYEBYE releases the name; client sees NAME_REMOVE");
	payload_init(&call, SAMPLE_OP_QUIT, "");
	ret = client_call(&client, service_id, &call, -1, &answer);
	if (ret < 0)
		die("SEND sync: %s", strerror(-ret));
	if (client_expect_name(&client, KDBUS_ITEM_NAME_REMOVE) != service_id)
		die("NAME_REMOVE names another owner");
	pass();

	/* Part 7: clean up */
	step("service: exited with status 0");
	if (waitpid(sample.service_pid, &status, 0) < 0)
		die("waitpid: %m");
	sample.service_pid = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("service status %#x", status);
	pass();

	step("client: BYEBYE");
	conn_byebye(&client);
	pass();

	/* closing the bus-owner handle removes the bus and its directory */
	step("bus owner: close; bus gone; private kdbusfs unmounted");
	close(control_fd);
	if (access(bus_dir, F_OK) == 0 || errno != ENOENT)
		die("bus directory %s still there", bus_dir);
	if (sample.mount_dir[0]) {
		if (umount2(sample.mount_dir, 0) < 0)
			die("umount %s: %m", sample.mount_dir);
		rmdir(sample.mount_dir);
		sample.mount_dir[0] = '\0';
	}
	pass();

	if (tap_num != SAMPLE_STEPS)
		die("ran %d steps, planned %d", tap_num, SAMPLE_STEPS);
	return 0;
}
