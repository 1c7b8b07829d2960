// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus-demo - the `make run` walk-through program.
 *
 * Creates a bus on a mounted kdbusfs, shows its directory, creates a custom
 * endpoint; connects a service and a client to the bus, makes an
 * asynchronous call and a synchronous one (KDBUS_SEND_SYNC_REPLY, answered
 * by a forked service process) and shows each message as it lies in the
 * receiver's pool. Then well-known names, matches and signals: the service
 * acquires the name org.example.Demo, the client calls it by that name,
 * LIST shows who owns it; the client installs a match (the service's id
 * and one bloom bit) and receives the service's broadcast signal that
 * carries the bit, but not the one that does not; it asks for NAME_REMOVE
 * notifications and gets one from the kernel when the service releases the
 * name. Finally it closes the owner fds and shows that both are gone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kdbus.h>

#define ALIGN8(n) (((n) + 7) & ~7ULL)
#define POOL_SIZE (1024 * 1024)
/* the bus's bloom filters: 64 bytes (512 bits), one hash function */
#define BLOOM_SIZE 64
#define DEMO_NAME "org.example.Demo"
/*
 * Two bloom bits. Real peers (sd-bus) hash strings such as
 * "member:Tick" into several bits each (ABI contract, 9.2); the demo
 * simply picks one bit per "element": bit 5 for Tick, bit 6 for Tock.
 */
#define BIT_TICK 5
#define BIT_TOCK 6

struct cmd_buf {
	struct kdbus_cmd cmd;
	uint8_t items[512];
} __attribute__((__aligned__(8)));

struct match_buf {
	struct kdbus_cmd_match cmd;
	uint8_t items[512];
} __attribute__((__aligned__(8)));

/*
 * Append an item to a command argument (@args starts, as every kdbus
 * command does, with its 64-bit size) and grow the size over it.
 */
static struct kdbus_item *add_item(void *args, uint64_t type,
				   const void *data, size_t len)
{
	uint64_t *size = args;
	struct kdbus_item *it = (void *)((uint8_t *)args + ALIGN8(*size));

	it->size = 16 + len;
	it->type = type;
	if (data)
		memcpy(it->data, data, len);
	else
		memset(it->data, 0, len);
	*size = ALIGN8(*size) + it->size;
	return it;
}

static void show_dir(const char *path)
{
	struct dirent *de;
	struct stat st;
	char p[512];
	DIR *d = opendir(path);

	if (!d) {
		printf("   %s: %s\n", path, strerror(errno));
		return;
	}
	printf("   %s:\n", path);
	while ((de = readdir(d))) {
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (stat(p, &st))
			continue;
		printf("     %c%04o uid=%u gid=%u ino=%lu  %s\n",
		       de->d_type == DT_DIR ? 'd' : '-', st.st_mode & 07777,
		       st.st_uid, st.st_gid, (unsigned long)st.st_ino,
		       de->d_name);
	}
	closedir(d);
}

/* what a received message was, for the steps that check it */
struct seen {
	uint64_t src_id;
	uint64_t cookie;
	uint64_t first_item;	/* type of its first item, 0 if none */
};

struct conn {
	const char *who;
	int fd;
	uint64_t id;
	const uint8_t *pool;
	uint64_t bloom_size;	/* from the HELLO slice */
};

static int hello(struct conn *c, const char *ep_path, const char *who)
{
	struct kdbus_cmd_hello h = {
		.size = sizeof(h),
		.attach_flags_recv = 0,
		.pool_size = POOL_SIZE,
	};
	struct kdbus_cmd_free f = { .size = sizeof(f) };
	const struct kdbus_item *it;

	c->who = who;
	c->fd = open(ep_path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0 || ioctl(c->fd, KDBUS_CMD_HELLO, &h)) {
		perror("KDBUS_CMD_HELLO");
		return -1;
	}
	c->id = h.id;
	c->pool = mmap(NULL, POOL_SIZE, PROT_READ, MAP_SHARED, c->fd, 0);
	if (c->pool == MAP_FAILED) {
		perror("mmap pool");
		return -1;
	}
	printf("-> %s connected: id %llu, bus flags %#llx, pool of %d KiB mapped read-only\n",
	       who, (unsigned long long)h.id, (unsigned long long)h.bus_flags,
	       POOL_SIZE / 1024);
	/* the HELLO slice holds the bus's bloom parameters */
	it = (const void *)(c->pool + h.offset);
	if (h.items_size >= 32 && it->type == KDBUS_ITEM_BLOOM_PARAMETER) {
		c->bloom_size = it->bloom_parameter.size;
		printf("   bloom filters on this bus: %llu bytes, %llu hash function(s)\n",
		       (unsigned long long)it->bloom_parameter.size,
		       (unsigned long long)it->bloom_parameter.n_hash);
	}
	/* ... and is ours to free */
	f.offset = h.offset;
	return ioctl(c->fd, KDBUS_CMD_FREE, &f);
}

/*
 * Send @text to @dst (a connection id, or KDBUS_DST_ID_NAME with
 * @dst_name): a reply to @reply_to, or else a call that expects a reply
 * within 5 s, synchronous if @sync.
 */
static int send_msg(struct conn *c, uint64_t dst, const char *dst_name,
		    uint64_t cookie, uint64_t reply_to, bool sync,
		    const char *text, struct kdbus_msg_info *reply)
{
	/* the header, one PAYLOAD_VEC item pointing at @text, a DST_NAME */
	union {
		struct kdbus_msg msg;
		/* sizeof(struct kdbus_item) covers its largest payload */
		uint8_t bytes[sizeof(struct kdbus_msg) +
			      2 * sizeof(struct kdbus_item) + 256];
	} m = {
		.msg.size = sizeof(struct kdbus_msg),
		.msg.dst_id = dst,
		.msg.payload_type = KDBUS_PAYLOAD_DBUS,
		.msg.cookie = cookie,
	};
	struct kdbus_vec vec = {
		.address = (uintptr_t)text,
		.size = strlen(text) + 1,
	};
	struct kdbus_cmd_send s = {
		.size = sizeof(s),
		.msg_address = (uintptr_t)&m,
	};
	struct timespec now;

	add_item(&m.msg, KDBUS_ITEM_PAYLOAD_VEC, &vec, sizeof(vec));
	/* addressed by name: dst_id 0 and the name in a DST_NAME item */
	if (dst_name)
		add_item(&m.msg, KDBUS_ITEM_DST_NAME, dst_name,
			 strlen(dst_name) + 1);
	if (reply_to) {
		m.msg.cookie_reply = reply_to;
	} else {
		clock_gettime(CLOCK_MONOTONIC, &now);
		m.msg.flags = KDBUS_MSG_EXPECT_REPLY;
		m.msg.timeout_ns = (now.tv_sec + 5) * 1000000000ULL + now.tv_nsec;
	}
	if (sync)
		s.flags = KDBUS_SEND_SYNC_REPLY;
	if (ioctl(c->fd, KDBUS_CMD_SEND, &s)) {
		perror("KDBUS_CMD_SEND");
		return -1;
	}
	if (dst_name)
		printf("-> %s sent \"%s\" to the name %s (cookie %llu%s%s)\n",
		       c->who, text, dst_name, (unsigned long long)cookie,
		       reply_to ? ", a reply" : ", expects a reply",
		       sync ? ", synchronous: SEND waits for the reply" : "");
	else
		printf("-> %s sent \"%s\" to %llu (cookie %llu%s%s)\n", c->who,
		       text, (unsigned long long)dst, (unsigned long long)cookie,
		       reply_to ? ", a reply" : ", expects a reply",
		       sync ? ", synchronous: SEND waits for the reply" : "");
	if (reply)
		*reply = s.reply;
	return 0;
}

/*
 * Broadcast the signal @text: dst_id KDBUS_DST_ID_BROADCAST, the SIGNAL
 * flag and a bloom filter (the bus's size, generation 0) with the bits
 * @bits (of the first 64) set. Receivers are those with a match that
 * accepts it.
 */
static int send_signal(struct conn *c, uint64_t cookie, uint64_t bits,
		       const char *text)
{
	union {
		struct kdbus_msg msg;
		uint8_t bytes[sizeof(struct kdbus_msg) +
			      2 * sizeof(struct kdbus_item) + BLOOM_SIZE];
	} m = {
		.msg.size = sizeof(struct kdbus_msg),
		.msg.flags = KDBUS_MSG_SIGNAL,
		.msg.dst_id = KDBUS_DST_ID_BROADCAST,
		.msg.payload_type = KDBUS_PAYLOAD_DBUS,
		.msg.cookie = cookie,
	};
	struct kdbus_vec vec = {
		.address = (uintptr_t)text,
		.size = strlen(text) + 1,
	};
	struct kdbus_cmd_send s = {
		.size = sizeof(s),
		.msg_address = (uintptr_t)&m,
	};
	struct kdbus_item *it;

	if (c->bloom_size != BLOOM_SIZE) {
		fprintf(stderr, "unexpected bloom size %llu\n",
			(unsigned long long)c->bloom_size);
		return -1;
	}
	add_item(&m.msg, KDBUS_ITEM_PAYLOAD_VEC, &vec, sizeof(vec));
	it = add_item(&m.msg, KDBUS_ITEM_BLOOM_FILTER, NULL,
		      sizeof(struct kdbus_bloom_filter) + BLOOM_SIZE);
	it->bloom_filter.generation = 0;
	it->bloom_filter.data[0] = bits;
	if (ioctl(c->fd, KDBUS_CMD_SEND, &s)) {
		perror("KDBUS_CMD_SEND (broadcast)");
		return -1;
	}
	printf("-> %s broadcast the signal \"%s\", bloom filter bits %#llx\n",
	       c->who, text, (unsigned long long)bits);
	return 0;
}

static const char *item_name(uint64_t type)
{
	switch (type) {
	case KDBUS_ITEM_PAYLOAD_OFF:	return "PAYLOAD_OFF";
	case KDBUS_ITEM_DST_NAME:	return "DST_NAME";
	case KDBUS_ITEM_NAME_ADD:	return "NAME_ADD";
	case KDBUS_ITEM_NAME_REMOVE:	return "NAME_REMOVE";
	case KDBUS_ITEM_NAME_CHANGE:	return "NAME_CHANGE";
	case KDBUS_ITEM_ID_ADD:		return "ID_ADD";
	case KDBUS_ITEM_ID_REMOVE:	return "ID_REMOVE";
	case KDBUS_ITEM_TIMESTAMP:	return "TIMESTAMP";
	default:			return "item";
	}
}

/*
 * Print the message at @off of @c's pool and FREE it; what it was goes to
 * *@seen (may be NULL). 0 or -1.
 */
static int show_msg(struct conn *c, uint64_t off, struct seen *seen)
{
	const struct kdbus_msg *msg = (const void *)(c->pool + off);
	const struct kdbus_item *it;
	struct kdbus_cmd_free f = { .size = sizeof(f), .offset = off };

	if (off >= POOL_SIZE) {
		fprintf(stderr, "%s: no message (empty slice)\n", c->who);
		return -1;
	}
	printf("   %s's pool at offset %llu: msg size %llu, src %llu%s, ",
	       c->who, (unsigned long long)off,
	       (unsigned long long)msg->size, (unsigned long long)msg->src_id,
	       msg->src_id == KDBUS_SRC_ID_KERNEL ? " (the kernel)" : "");
	if (msg->dst_id == KDBUS_DST_ID_BROADCAST)
		printf("dst ~0 (broadcast), ");
	else
		printf("dst %llu, ", (unsigned long long)msg->dst_id);
	printf("flags %#llx%s, cookie %llu, %s %llu\n",
	       (unsigned long long)msg->flags,
	       msg->flags & KDBUS_MSG_SIGNAL ? " (signal)" : "",
	       (unsigned long long)msg->cookie,
	       msg->flags & KDBUS_MSG_EXPECT_REPLY ? "deadline" : "cookie_reply",
	       (unsigned long long)msg->timeout_ns);
	for (it = msg->items; (const uint8_t *)it < (const uint8_t *)msg + msg->size;
	     it = (const void *)((const uint8_t *)it + ALIGN8(it->size))) {
		switch (it->type) {
		case KDBUS_ITEM_PAYLOAD_OFF:
			if (it->vec.offset == ~0ULL)
				break;
			printf("     PAYLOAD_OFF %llu bytes at +%llu: \"%.*s\"\n",
			       (unsigned long long)it->vec.size,
			       (unsigned long long)it->vec.offset,
			       (int)it->vec.size,
			       (const char *)msg + it->vec.offset);
			continue;
		case KDBUS_ITEM_DST_NAME:
			printf("     DST_NAME \"%s\": it was sent to the name\n",
			       it->str);
			continue;
		case KDBUS_ITEM_NAME_ADD:
		case KDBUS_ITEM_NAME_REMOVE:
		case KDBUS_ITEM_NAME_CHANGE:
			printf("     %s \"%s\": old owner %llu (name flags %#llx),",
			       item_name(it->type), it->name_change.name,
			       (unsigned long long)it->name_change.old_id.id,
			       (unsigned long long)it->name_change.old_id.flags);
			printf(" new owner %llu (name flags %#llx)\n",
			       (unsigned long long)it->name_change.new_id.id,
			       (unsigned long long)it->name_change.new_id.flags);
			continue;
		case KDBUS_ITEM_ID_ADD:
		case KDBUS_ITEM_ID_REMOVE:
			printf("     %s: connection %llu (hello flags %#llx)\n",
			       item_name(it->type),
			       (unsigned long long)it->id_change.id,
			       (unsigned long long)it->id_change.flags);
			continue;
		}
		printf("     %s type %#llx, %llu bytes\n", item_name(it->type),
		       (unsigned long long)it->type,
		       (unsigned long long)it->size);
	}
	if (seen) {
		seen->src_id = msg->src_id;
		seen->cookie = msg->cookie;
		seen->first_item = msg->size > sizeof(*msg) ? msg->items[0].type : 0;
	}
	if (ioctl(c->fd, KDBUS_CMD_FREE, &f)) {
		perror("KDBUS_CMD_FREE");
		return -1;
	}
	return 0;
}

/* wait for and receive one message (what it was to *@seen): 0 or -1 */
static int recv_msg(struct conn *c, struct seen *seen)
{
	struct kdbus_cmd_recv r = { .size = sizeof(r) };
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	if (poll(&p, 1, 5000) != 1 || ioctl(c->fd, KDBUS_CMD_RECV, &r)) {
		perror("KDBUS_CMD_RECV");
		return -1;
	}
	printf("-> %s received a message (KDBUS_CMD_RECV)\n", c->who);
	return show_msg(c, r.msg.offset, seen);
}

/* RECV must find nothing: 0 if the queue is empty, -1 otherwise */
static int expect_empty(struct conn *c)
{
	struct kdbus_cmd_recv r = { .size = sizeof(r) };

	if (!ioctl(c->fd, KDBUS_CMD_RECV, &r)) {
		fprintf(stderr, "%s received a message it should not have:\n",
			c->who);
		show_msg(c, r.msg.offset, NULL);
		return -1;
	}
	if (errno != EAGAIN) {
		perror("KDBUS_CMD_RECV");
		return -1;
	}
	printf("-> %s: RECV says EAGAIN, nothing else is queued\n", c->who);
	return 0;
}

/* KDBUS_CMD_NAME_ACQUIRE or _RELEASE of @name: 0 or -1 */
static int name_cmd(struct conn *c, unsigned long cmd, const char *name,
		    uint64_t flags)
{
	struct cmd_buf b;

	memset(&b, 0, sizeof(b));
	b.cmd.size = sizeof(b.cmd);
	b.cmd.flags = flags;
	add_item(&b, KDBUS_ITEM_NAME, name, strlen(name) + 1);
	if (ioctl(c->fd, cmd, &b)) {
		perror(cmd == KDBUS_CMD_NAME_ACQUIRE ? "KDBUS_CMD_NAME_ACQUIRE" :
						      "KDBUS_CMD_NAME_RELEASE");
		return -1;
	}
	if (cmd == KDBUS_CMD_NAME_RELEASE) {
		printf("-> %s released %s\n", c->who, name);
		return 0;
	}
	/* return_flags: 0 = primary owner, KDBUS_NAME_IN_QUEUE = waiting */
	printf("-> %s acquired %s (return flags %#llx: %s)\n", c->who, name,
	       (unsigned long long)b.cmd.return_flags,
	       b.cmd.return_flags & KDBUS_NAME_IN_QUEUE ?
	       "queued behind the owner" : "it is the primary owner");
	return 0;
}

/* KDBUS_CMD_LIST of unique ids and names, as seen by @c: 0 or -1 */
static int list(struct conn *c)
{
	struct kdbus_cmd_list l = {
		.size = sizeof(l),
		.flags = KDBUS_LIST_UNIQUE | KDBUS_LIST_NAMES,
	};
	struct kdbus_cmd_free f = { .size = sizeof(f) };
	const struct kdbus_info *info;
	const struct kdbus_item *it;
	uint64_t pos;

	if (ioctl(c->fd, KDBUS_CMD_LIST, &l)) {
		perror("KDBUS_CMD_LIST");
		return -1;
	}
	printf("-> %s: KDBUS_CMD_LIST (UNIQUE | NAMES), %llu bytes of records at offset %llu:\n",
	       c->who, (unsigned long long)l.list_size,
	       (unsigned long long)l.offset);
	/* records of kdbus_info, each with at most one OWNED_NAME item */
	for (pos = 0; pos < l.list_size; pos += ALIGN8(info->size)) {
		info = (const void *)(c->pool + l.offset + pos);
		if (info->size < sizeof(*info))
			break;
		it = info->items;
		if (info->size >= sizeof(*info) + 16 + sizeof(struct kdbus_name) &&
		    it->type == KDBUS_ITEM_OWNED_NAME)
			printf("     id %llu owns %s (name flags %#llx)\n",
			       (unsigned long long)info->id, it->name.name,
			       (unsigned long long)it->name.flags);
		else
			printf("     id %llu (no name)\n",
			       (unsigned long long)info->id);
	}
	f.offset = l.offset;
	return ioctl(c->fd, KDBUS_CMD_FREE, &f);
}

/* KDBUS_CMD_MATCH_ADD of the rules in @m: 0 or -1 */
static int add_match(struct conn *c, struct match_buf *m, const char *what)
{
	if (ioctl(c->fd, KDBUS_CMD_MATCH_ADD, m)) {
		perror("KDBUS_CMD_MATCH_ADD");
		return -1;
	}
	printf("-> %s added match %llu: %s\n", c->who,
	       (unsigned long long)m->cmd.cookie, what);
	return 0;
}

/* a step did not show what it should: say so, -1 */
static int wrong(const char *what)
{
	fprintf(stderr, "unexpected: %s\n", what);
	return -1;
}

/* an asynchronous and a synchronous call with replies */
static int calls(struct conn *svc, struct conn *cli)
{
	struct kdbus_msg_info reply;
	struct seen req;
	int status;
	pid_t pid;

	printf("== an asynchronous call: SEND, the service RECVs and replies, the client RECVs\n");
	if (send_msg(cli, svc->id, NULL, 1, 0, false, "ping", NULL))
		return -1;
	if (recv_msg(svc, &req) ||
	    send_msg(svc, cli->id, NULL, 100, req.cookie, false, "pong", NULL) ||
	    recv_msg(cli, NULL))
		return -1;

	printf("== a synchronous call: the service answers from another process\n");
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(recv_msg(svc, &req) ||
		      send_msg(svc, cli->id, NULL, 101, req.cookie, false,
			       "pong again", NULL));
	if (send_msg(cli, svc->id, NULL, 2, 0, true, "ping again", &reply))
		return -1;
	printf("-> SEND returned the reply in the client's pool\n");
	if (show_msg(cli, reply.offset, NULL))
		return -1;
	if (waitpid(pid, &status, 0) != pid || status)
		return -1;
	return 0;
}

/* a well-known name, LIST, a synchronous call by name */
static int names(struct conn *svc, struct conn *cli)
{
	struct kdbus_msg_info reply;
	struct seen req, answer;
	int status;
	pid_t pid;

	printf("== a well-known name: the service acquires %s\n", DEMO_NAME);
	if (name_cmd(svc, KDBUS_CMD_NAME_ACQUIRE, DEMO_NAME, 0) || list(cli))
		return -1;

	printf("== a synchronous call by name: dst_id 0 (KDBUS_DST_ID_NAME) and a DST_NAME item\n");
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(recv_msg(svc, &req) ||
		      send_msg(svc, cli->id, NULL, 102, req.cookie, false,
			       "Demo here", NULL));
	/* the kernel looks the name up and queues the call at its owner */
	if (send_msg(cli, KDBUS_DST_ID_NAME, DEMO_NAME, 3, 0, true,
		     "hello, Demo", &reply))
		return -1;
	printf("-> SEND returned the reply in the client's pool\n");
	if (show_msg(cli, reply.offset, &answer))
		return -1;
	if (waitpid(pid, &status, 0) != pid || status)
		return -1;
	if (answer.src_id != svc->id)
		return wrong("the reply is not from the name's owner");
	printf("-> answered by id %llu, the owner of %s\n",
	       (unsigned long long)svc->id, DEMO_NAME);
	return 0;
}

/* a match on the service's signals with one bloom bit; two broadcasts */
static int match_and_signal(struct conn *svc, struct conn *cli)
{
	uint64_t mask[BLOOM_SIZE / 8] = { 1ULL << BIT_TICK };
	struct match_buf m;
	struct seen sig;

	printf("== signals: the client subscribes to Tick from the service,"
	       " the service broadcasts\n");
	/*
	 * One match, two rules, both must accept: KDBUS_ITEM_ID (the
	 * sender is the service) and KDBUS_ITEM_BLOOM_MASK (the signal's
	 * bloom filter has every bit of the mask: here bit 5, "Tick").
	 */
	memset(&m, 0, sizeof(m));
	m.cmd.size = sizeof(m.cmd);
	m.cmd.cookie = 1;
	add_item(&m, KDBUS_ITEM_ID, &svc->id, sizeof(svc->id));
	add_item(&m, KDBUS_ITEM_BLOOM_MASK, mask, sizeof(mask));
	if (add_match(cli, &m, "signals from the service's id with bloom bit 5 (Tick)"))
		return -1;

	/* bit 6 only: the client's mask wants bit 5, no copy for it */
	if (send_signal(svc, 200, 1ULL << BIT_TOCK, "Tock"))
		return -1;
	/* bits 5 and 6: the client's match accepts it */
	if (send_signal(svc, 201, 1ULL << BIT_TICK | 1ULL << BIT_TOCK, "Tick"))
		return -1;
	/* a sender's messages queue in order: a Tock copy would come first */
	if (recv_msg(cli, &sig))
		return -1;
	if (sig.src_id != svc->id || sig.cookie != 201)
		return wrong("the client's first signal is not Tick");
	printf("-> only Tick arrived: Tock's bloom filter lacks bit 5\n");
	return expect_empty(cli);
}

/* a NAME_REMOVE notification when the service releases the name */
static int name_notification(struct conn *svc, struct conn *cli)
{
	struct kdbus_notify_name_change nc = {
		/* the old owner must be the service ... */
		.old_id.id = svc->id,
		/* ... the new one may be anybody (for NAME_REMOVE it is 0) */
		.new_id.id = KDBUS_MATCH_ID_ANY,
	};
	uint8_t rule[sizeof(nc) + sizeof(DEMO_NAME)];
	struct match_buf m;
	struct seen note;

	printf("== kernel notifications: the client asks for NAME_REMOVE of %s\n",
	       DEMO_NAME);
	/* the rule: a kdbus_notify_name_change followed by the name */
	memcpy(rule, &nc, sizeof(nc));
	memcpy(rule + sizeof(nc), DEMO_NAME, sizeof(DEMO_NAME));
	memset(&m, 0, sizeof(m));
	m.cmd.size = sizeof(m.cmd);
	m.cmd.cookie = 2;
	add_item(&m, KDBUS_ITEM_NAME_REMOVE, rule, sizeof(rule));
	if (add_match(cli, &m, "NAME_REMOVE of " DEMO_NAME " by the service"))
		return -1;
	if (name_cmd(svc, KDBUS_CMD_NAME_RELEASE, DEMO_NAME, 0))
		return -1;
	/* nobody else wanted the name: it is gone, the kernel says so */
	if (recv_msg(cli, &note))
		return -1;
	if (note.src_id != KDBUS_SRC_ID_KERNEL ||
	    note.first_item != KDBUS_ITEM_NAME_REMOVE)
		return wrong("the client's message is not a NAME_REMOVE notification");
	return list(cli);
}

/* two connections: calls, a name, signals, a notification */
static int peers(const char *ep_path)
{
	struct conn svc, cli;

	if (hello(&svc, ep_path, "service") || hello(&cli, ep_path, "client"))
		return -1;
	if (calls(&svc, &cli) || names(&svc, &cli) ||
	    match_and_signal(&svc, &cli) || name_notification(&svc, &cli))
		return -1;

	if (ioctl(cli.fd, KDBUS_CMD_BYEBYE, &(struct kdbus_cmd){ .size = sizeof(struct kdbus_cmd) })) {
		perror("KDBUS_CMD_BYEBYE");
		return -1;
	}
	printf("-> client said BYEBYE; the service closes its fd\n");
	close(cli.fd);
	close(svc.fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "/sys/fs/kdbus";
	struct kdbus_bloom_parameter bloom = { .size = BLOOM_SIZE, .n_hash = 1 };
	char path[256], name[64], epname[64];
	struct cmd_buf b;
	int ctl, ep, epo;

	/* line by line, also from the forked service and into a pipe */
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(name, sizeof(name), "%u-demo", geteuid());
	snprintf(epname, sizeof(epname), "%u-custom", geteuid());
	snprintf(path, sizeof(path), "%s/control", root);
	ctl = open(path, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		perror("open control");
		return 1;
	}
	memset(&b, 0, sizeof(b));
	b.cmd.size = sizeof(b.cmd);
	b.cmd.flags = KDBUS_MAKE_ACCESS_WORLD;
	add_item(&b, KDBUS_ITEM_BLOOM_PARAMETER, &bloom, sizeof(bloom));
	add_item(&b, KDBUS_ITEM_MAKE_NAME, name, strlen(name) + 1);
	if (ioctl(ctl, KDBUS_CMD_BUS_MAKE, &b)) {
		perror("KDBUS_CMD_BUS_MAKE");
		return 1;
	}
	printf("-> bus %s created (world-accessible)\n", name);
	show_dir(root);
	snprintf(path, sizeof(path), "%s/%s", root, name);
	show_dir(path);

	snprintf(path, sizeof(path), "%s/%s/bus", root, name);
	ep = open(path, O_RDWR | O_CLOEXEC);
	if (ep < 0) {
		perror("open bus");
		return 1;
	}
	memset(&b, 0, sizeof(b));
	b.cmd.size = sizeof(b.cmd);
	add_item(&b, KDBUS_ITEM_MAKE_NAME, epname, strlen(epname) + 1);
	if (ioctl(ep, KDBUS_CMD_ENDPOINT_MAKE, &b)) {
		perror("KDBUS_CMD_ENDPOINT_MAKE");
		return 1;
	}
	epo = ep;
	printf("-> custom endpoint %s created by the bus owner\n", epname);
	snprintf(path, sizeof(path), "%s/%s", root, name);
	show_dir(path);

	snprintf(path, sizeof(path), "%s/%s/bus", root, name);
	if (peers(path))
		return 1;
	snprintf(path, sizeof(path), "%s/%s", root, name);

	close(epo);
	printf("-> endpoint owner fd closed: the endpoint is gone\n");
	show_dir(path);
	close(ctl);
	printf("-> bus owner fd closed: the bus is gone\n");
	show_dir(root);
	return 0;
}
