// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus-demo - the `make run` walk-through program.
 *
 * Creates a bus on a mounted kdbusfs, shows its directory, creates a custom
 * endpoint; connects a service and a client to the bus, makes an
 * asynchronous call and a synchronous one (KDBUS_SEND_SYNC_REPLY, answered
 * by a forked service process) and shows each message as it lies in the
 * receiver's pool; then closes the owner fds and shows that both are gone.
 * It grows with the series (names and signals come later).
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

struct cmd_buf {
	struct kdbus_cmd cmd;
	uint8_t items[512];
} __attribute__((__aligned__(8)));

static struct kdbus_item *add_item(struct cmd_buf *b, uint64_t type,
				   const void *data, size_t len)
{
	struct kdbus_item *it = (void *)((uint8_t *)b + ALIGN8(b->cmd.size));

	it->size = 16 + len;
	it->type = type;
	memcpy(it->data, data, len);
	b->cmd.size = ALIGN8(b->cmd.size) + it->size;
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

struct conn {
	const char *who;
	int fd;
	uint64_t id;
	const uint8_t *pool;
};

static int hello(struct conn *c, const char *ep_path, const char *who)
{
	struct kdbus_cmd_hello h = {
		.size = sizeof(h),
		.attach_flags_recv = 0,
		.pool_size = POOL_SIZE,
	};
	struct kdbus_cmd_free f = { .size = sizeof(f) };

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
	/* the HELLO slice (bloom parameter, ...) is ours to free */
	f.offset = h.offset;
	return ioctl(c->fd, KDBUS_CMD_FREE, &f);
}

static int send_msg(struct conn *c, uint64_t dst, uint64_t cookie,
		    uint64_t reply_to, bool sync, const char *text,
		    struct kdbus_msg_info *reply)
{
	/* the header and one PAYLOAD_VEC item pointing at @text */
	union {
		struct kdbus_msg msg;
		/* sizeof(struct kdbus_item) covers its largest payload */
		uint8_t bytes[sizeof(struct kdbus_msg) + sizeof(struct kdbus_item)];
	} m = {
		.msg.dst_id = dst,
		.msg.payload_type = KDBUS_PAYLOAD_DBUS,
		.msg.cookie = cookie,
	};
	struct kdbus_item *item = m.msg.items;
	struct kdbus_cmd_send s = {
		.size = sizeof(s),
		.msg_address = (uintptr_t)&m,
	};
	struct timespec now;

	item->size = 16 + sizeof(struct kdbus_vec);
	item->type = KDBUS_ITEM_PAYLOAD_VEC;
	item->vec.address = (uintptr_t)text;
	item->vec.size = strlen(text) + 1;
	m.msg.size = sizeof(m.msg) + item->size;
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
	printf("-> %s sent \"%s\" to %llu (cookie %llu%s%s)\n", c->who, text,
	       (unsigned long long)dst, (unsigned long long)cookie,
	       reply_to ? ", a reply" : ", expects a reply",
	       sync ? ", synchronous: SEND waits for the reply" : "");
	if (reply)
		*reply = s.reply;
	return 0;
}

/* print the message at @off of @c's pool; return its cookie, 0 on error */
static uint64_t show_msg(struct conn *c, uint64_t off)
{
	const struct kdbus_msg *msg = (const void *)(c->pool + off);
	const struct kdbus_item *it;
	struct kdbus_cmd_free f = { .size = sizeof(f), .offset = off };
	uint64_t cookie = msg->cookie;

	printf("   %s's pool at offset %llu: msg size %llu, src %llu, dst %llu, cookie %llu, %s %llu\n",
	       c->who, (unsigned long long)off,
	       (unsigned long long)msg->size, (unsigned long long)msg->src_id,
	       (unsigned long long)msg->dst_id, (unsigned long long)cookie,
	       msg->flags & KDBUS_MSG_EXPECT_REPLY ? "deadline" : "cookie_reply",
	       (unsigned long long)msg->timeout_ns);
	for (it = msg->items; (const uint8_t *)it < (const uint8_t *)msg + msg->size;
	     it = (const void *)((const uint8_t *)it + ALIGN8(it->size))) {
		if (it->type == KDBUS_ITEM_PAYLOAD_OFF && it->vec.offset != ~0ULL)
			printf("     PAYLOAD_OFF %llu bytes at +%llu: \"%.*s\"\n",
			       (unsigned long long)it->vec.size,
			       (unsigned long long)it->vec.offset,
			       (int)it->vec.size,
			       (const char *)msg + it->vec.offset);
		else
			printf("     item type %llu, %llu bytes\n",
			       (unsigned long long)it->type,
			       (unsigned long long)it->size);
	}
	if (ioctl(c->fd, KDBUS_CMD_FREE, &f)) {
		perror("KDBUS_CMD_FREE");
		return 0;
	}
	return cookie;
}

/* wait for and receive one message; return its cookie, 0 on error */
static uint64_t recv_msg(struct conn *c)
{
	struct kdbus_cmd_recv r = { .size = sizeof(r) };
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	if (poll(&p, 1, 5000) != 1 || ioctl(c->fd, KDBUS_CMD_RECV, &r)) {
		perror("KDBUS_CMD_RECV");
		return 0;
	}
	printf("-> %s received a message (KDBUS_CMD_RECV)\n", c->who);
	return show_msg(c, r.msg.offset);
}

/* two connections, an asynchronous and a synchronous call with replies */
static int calls(const char *ep_path)
{
	struct kdbus_msg_info reply;
	struct conn svc, cli;
	uint64_t cookie;
	int status;
	pid_t pid;

	if (hello(&svc, ep_path, "service") || hello(&cli, ep_path, "client"))
		return -1;

	printf("== an asynchronous call: SEND, the service RECVs and replies, the client RECVs\n");
	if (send_msg(&cli, svc.id, 1, 0, false, "ping", NULL))
		return -1;
	cookie = recv_msg(&svc);
	if (!cookie || send_msg(&svc, cli.id, 100, cookie, false, "pong", NULL) ||
	    !recv_msg(&cli))
		return -1;

	printf("== a synchronous call: the service answers from another process\n");
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		cookie = recv_msg(&svc);
		_exit(!cookie || send_msg(&svc, cli.id, 101, cookie, false,
					  "pong again", NULL));
	}
	if (send_msg(&cli, svc.id, 2, 0, true, "ping again", &reply))
		return -1;
	printf("-> SEND returned the reply in the client's pool\n");
	if (!show_msg(&cli, reply.offset))
		return -1;
	if (waitpid(pid, &status, 0) != pid || status)
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
	struct kdbus_bloom_parameter bloom = { .size = 64, .n_hash = 1 };
	char path[256], name[64], epname[64];
	struct cmd_buf b;
	int ctl, ep, epo;

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
	if (calls(path))
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
