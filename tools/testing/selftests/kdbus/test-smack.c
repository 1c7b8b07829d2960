// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus and Smack: the LSM hooks of kdbus as Smack implements them.
 *
 *   bus       BUS_MAKE: the task's label needs "w" on the label of the
 *             task that mounted the domain (EACCES otherwise)
 *   endpoint  ENDPOINT_MAKE: "w" on the bus creator's label (EACCES)
 *   connect   HELLO: the task's label needs "w" on the bus creator's label
 *             (EACCES otherwise)
 *   own       NAME_ACQUIRE and activator HELLO: "a" on the bus creator's
 *             label (NAME_ACQUIRE: EPERM otherwise)
 *   see name  CONN_INFO by name, LIST, NAME_* notifications: "r" on the
 *             bus creator's label (ESRCH, left out, not delivered)
 *   talk      every delivery: the sending task's label needs "w" on the
 *             label of the task that made the receiving connection (a
 *             unicast, call or reply: EPERM; a unicast signal or a
 *             broadcast is silently not delivered to that receiver)
 *   see       CONN_INFO of a peer: "r" on the peer connection's label
 *             (ENXIO otherwise)
 *   files     memfds and fds in a message: the receiving connection's
 *             label needs "r" on the file's label (EACCES otherwise)
 *   SECLABEL  metadata: the sender's label; CONN_INFO: the target's label
 *             at HELLO
 *
 * All of it independently of the kdbus policy: every party here is root
 * on the default endpoint, which the policy lets do anything.
 *
 * The test process keeps the label it was started with ("_" in the test
 * guest) and makes the bus. Labelled actors are "agents": forked root
 * children that set their own label, close every inherited descriptor but
 * their pipes, and then run the operations the test asks for (HELLO,
 * SEND, RECV, ...), reporting each result. The test writes the Smack rules
 * between the steps and checks every result; agents never use the
 * harness. Each test uses labels of its own ("kd<N>..."); every rule
 * written is reset to "-" when the test ends (by the harness's parent
 * process, so also when the test process died).
 *
 * The domain is mounted with smackfsroot=* and smackfsdef=*: its files
 * carry the star label, so Smack's checks on the files themselves (open,
 * ioctl) pass for every label and each denial seen here is a kdbus hook's.
 *
 * Smack must be active (the test kernel boots with it): its absence fails
 * the tests. smackfs is mounted on /sys/fs/smackfs if it is not yet.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <linux/magic.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

#define SMACKFS			"/sys/fs/smackfs"
#define SMACK_LOAD2		SMACKFS "/load2"
#define ATTR_SMACK		"/proc/self/attr/smack/current"
#define ATTR_CURRENT		"/proc/self/attr/current"
#define MASK_PATH		"/sys/module/kdbus/parameters/attach_flags_mask"
/* the files of the domain: the star label, which every label may use */
#define DOMAIN_OPTS		"smackfsroot=*,smackfsdef=*"

#ifndef SMACK_MAGIC
#define SMACK_MAGIC		0x43415d53
#endif

/* a Smack label: at most 255 characters */
#define LABEL_MAX		256
/* rules one test writes at most */
#define MAX_RULES		16

/* how long to wait for a message that must come */
#define WAIT_MS			5000
/* how long to wait for an agent */
#define SYNC_MS			10000
#define NSEC_PER_MSEC		1000000ULL
/* deadline of calls (never reached) */
#define CALL_NS			(60000 * NSEC_PER_MSEC)
/* size and content of the memfds passed */
#define MEMFD_SIZE		4096
#define MEMFD_FILL		'm'
/* the byte written into the pipes passed */
#define PIPE_BYTE		'p'

#define A_LABEL			((__u64)KDBUS_ATTACH_SECLABEL)
#define ALL			((__u64)_KDBUS_ATTACH_ALL)
#define BCAST			KDBUS_DST_ID_BROADCAST
#define SIGNAL			((__u64)KDBUS_MSG_SIGNAL)
#define CALL			((__u64)KDBUS_MSG_EXPECT_REPLY)
/* an agent could not be started or stopped answering */
#define BROKEN			(-9999)

/* ------------------------------------------------------------------ */
/* files and labels                                                    */
/* ------------------------------------------------------------------ */

/* a one-line file without trailing newlines and NULs: 0 or -errno */
static int read_line(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, size - 1);
	} while (n < 0 && errno == EINTR);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		buf[--n] = '\0';
	return 0;
}

/* write @s with one write(): 0 or -errno */
static int write_str(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

/* the file a task reads and sets its Smack label with */
static const char *label_attr(void)
{
	return access(ATTR_SMACK, F_OK) ? ATTR_CURRENT : ATTR_SMACK;
}

/* the calling task's Smack label: 0 or -errno (-ENODATA: empty) */
static int label_get(char *buf, size_t size)
{
	int ret = read_line(label_attr(), buf, size);

	if (!ret && !buf[0])
		ret = -ENODATA;
	return ret;
}

/* give the calling task the label @label (needs CAP_MAC_ADMIN) */
static int label_set(const char *label)
{
	return write_str(label_attr(), label);
}

/*
 * Make sure Smack is active and smackfs is mounted (on the mount
 * namespace of the caller); the label of the caller goes to @label. 0, or
 * -errno with what is wrong in @why.
 */
static int smack_ready(char *label, size_t size, char *why, size_t wsize)
{
	struct statfs sfs;
	struct stat st;
	int ret;

	ret = stat(SMACKFS, &st) < 0 ? -errno : 0;
	if (!ret && !S_ISDIR(st.st_mode))
		ret = -ENOTDIR;
	if (ret) {
		snprintf(why, wsize,
			 "no directory %s: Smack is not active (the test kernel %s)",
			 SMACKFS,
			 "must boot with CONFIG_SECURITY_SMACK=y and Smack as its major LSM");
		return ret;
	}
	ret = label_get(label, size);
	if (ret) {
		snprintf(why, wsize,
			 "cannot read the Smack label of the test (%s): %s; Smack is not active",
			 label_attr(), strerror(-ret));
		return ret;
	}
	if (statfs(SMACKFS, &sfs) < 0) {
		ret = -errno;
		snprintf(why, wsize, "statfs %s: %s", SMACKFS, strerror(-ret));
		return ret;
	}
	if ((unsigned long)sfs.f_type != SMACK_MAGIC &&
	    mount("smackfs", SMACKFS, "smackfs", 0, NULL) < 0) {
		ret = -errno;
		snprintf(why, wsize, "mounting smackfs on %s: %s",
			 SMACKFS, strerror(-ret));
		return ret;
	}
	if (access(SMACK_LOAD2, W_OK) < 0) {
		ret = -errno;
		snprintf(why, wsize, "%s: %s", SMACK_LOAD2, strerror(-ret));
		return ret;
	}
	return 0;
}

/* the rules a test wrote (subject, object), to reset them afterwards */
struct rules {
	unsigned int n;
	bool overflow;
	struct {
		char subject[LABEL_MAX];
		char object[LABEL_MAX];
	} r[MAX_RULES];
};

/* write one rule "@subject @object @access" to load2: 0 or -errno */
static int rule_write(const char *subject, const char *object,
		      const char *access)
{
	char line[2 * LABEL_MAX + 16];

	snprintf(line, sizeof(line), "%s %s %s\n", subject, object, access);
	return write_str(SMACK_LOAD2, line);
}

/*
 * Set the access of @subject to @object to @access ("-": none),
 * replacing the rule of this pair, and remember the pair in @rs: 0 or
 * -errno.
 */
static int rule_set(struct rules *rs, const char *subject, const char *object,
		    const char *access)
{
	unsigned int i;
	int ret;

	ret = rule_write(subject, object, access);
	if (ret)
		return ret;
	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].subject, subject) &&
		    !strcmp(rs->r[i].object, object))
			return 0;
	if (rs->n >= MAX_RULES) {
		rs->overflow = true;
		return 0;
	}
	snprintf(rs->r[rs->n].subject, LABEL_MAX, "%s", subject);
	snprintf(rs->r[rs->n].object, LABEL_MAX, "%s", object);
	rs->n++;
	return 0;
}

/* reset every rule remembered in @rs to "-": 0 or the first -errno */
static int rules_reset(struct rules *rs)
{
	unsigned int i;
	int ret, first = 0;

	for (i = 0; i < rs->n; i++) {
		ret = rule_write(rs->r[i].subject, rs->r[i].object, "-");
		if (ret && !first)
			first = ret;
	}
	rs->n = 0;
	return first;
}

/* ------------------------------------------------------------------ */
/* connections and messages (used by the test and by the agents)       */
/* ------------------------------------------------------------------ */

/*
 * HELLO on the default endpoint of @bus with @flags, attach masks ALL
 * (send) and @recv: 0 or -errno.
 */
static int conn_make(struct kdbus_conn *c, const struct kdbus_domain *dom,
		     const char *bus, __u64 flags, __u64 recv)
{
	return kdbus_conn_new_attach(c, dom, bus, flags, ALL, recv, NULL);
}

/*
 * Send @cookie (also the 8-byte payload) from @c to @dst with message
 * @flags (CALL: with a deadline; SIGNAL: with an empty bloom filter), a
 * memfd @memfd and an fd @fd (each if >= 0). 0 or -errno.
 */
static int msg_send(struct kdbus_conn *c, __u64 dst, __u64 cookie,
		    __u64 flags, int memfd, int fd)
{
	struct kdbus_msg *m = kdbus_msg_new(dst, cookie);
	int ret;

	m->flags = flags;
	if (flags & CALL)
		m->timeout_ns = kdbus_now_ns() + CALL_NS;
	kdbus_msg_add_vec(m, &cookie, sizeof(cookie));
	if (memfd >= 0)
		kdbus_msg_add_memfd(m, memfd, 0, MEMFD_SIZE);
	if (fd >= 0)
		kdbus_msg_add_fds(m, &fd, 1);
	if (flags & SIGNAL)
		kdbus_msg_add_bloom(m, 0, NULL, c->bloom_size);
	ret = kdbus_send(c, m, 0, -1, NULL);
	kdbus_msg_release(m);
	return ret;
}

/* a reply to @cookie_reply (also its payload): 0 or -errno */
static int msg_reply(struct kdbus_conn *c, __u64 dst, __u64 cookie_reply)
{
	return kdbus_send_reply(c, dst, cookie_reply, &cookie_reply,
				sizeof(cookie_reply));
}

/* what an operation returned; for RECV and CONN_INFO, what came */
struct res {
	__s64 ret;
	__u64 id;		/* HELLO, CONN_INFO: the connection id */
	__u64 uid;		/* agent start: its euid */
	__u64 src;
	__u64 dst;
	__u64 cookie;
	__u64 cookie_reply;
	__u64 flags;
	__u64 payload;		/* the 8-byte inline payload */
	__u64 notify;		/* a kernel notification: its item type */
	__u64 n_memfds;		/* PAYLOAD_MEMFD items */
	__u64 n_fds;		/* descriptors in FDS items */
	char memfd_byte;	/* first byte of the first memfd (0: none) */
	char fd_byte;		/* first byte read from the first fd */
	bool has_label;		/* a SECLABEL item came */
	char label[LABEL_MAX];	/* SECLABEL; agent start: its label */
};

/* the string of a SECLABEL item into @r */
static void res_label(struct res *r, const struct kdbus_item *it)
{
	size_t len = it->size - KDBUS_ITEM_HEADER_SIZE;

	r->has_label = true;
	len = strnlen(it->str, len);
	if (len >= sizeof(r->label))
		len = sizeof(r->label) - 1;
	memcpy(r->label, it->str, len);
	r->label[len] = '\0';
}

/* the files of a received message: count, read a byte, close them */
static void res_files(struct res *r, const struct kdbus_item *it)
{
	unsigned int i, n;
	char c;

	if (it->type == KDBUS_ITEM_PAYLOAD_MEMFD) {
		if (!r->n_memfds++ && it->memfd.fd >= 0 &&
		    pread(it->memfd.fd, &c, 1, it->memfd.start) == 1)
			r->memfd_byte = c;
		if (it->memfd.fd >= 0)
			close(it->memfd.fd);
		return;
	}
	n = (it->size - KDBUS_ITEM_HEADER_SIZE) / sizeof(int);
	for (i = 0; i < n; i++) {
		if (!r->n_fds++ && it->fds[i] >= 0 &&
		    !kdbus_read_full(it->fds[i], &c, 1, WAIT_MS))
			r->fd_byte = c;
		if (it->fds[i] >= 0)
			close(it->fds[i]);
	}
}

/*
 * RECV on @c (waiting up to WAIT_MS if @wait) into @r, then FREE the
 * slice. r->ret is the result: 0 or -errno.
 */
static int msg_recv(struct kdbus_conn *c, bool wait, struct res *r)
{
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	if (wait)
		ret = kdbus_recv_wait(c, WAIT_MS, &cmd, &m);
	else
		ret = kdbus_recv(c, 0, 0, &cmd, &m);
	r->ret = ret;
	if (ret < 0)
		return ret;
	if (!m) {
		r->ret = -EBADMSG;
		return -EBADMSG;
	}
	r->src = m->src_id;
	r->dst = m->dst_id;
	r->cookie = m->cookie;
	r->cookie_reply = m->cookie_reply;
	r->flags = m->flags;
	KDBUS_ITEM_FOREACH(it, m, items) {
		switch (it->type) {
		case KDBUS_ITEM_PAYLOAD_OFF:
			if (it->vec.size == sizeof(r->payload) &&
			    it->vec.offset != ~0ULL &&
			    it->vec.offset + sizeof(r->payload) <=
			    cmd.msg.msg_size)
				memcpy(&r->payload,
				       (const __u8 *)m + it->vec.offset,
				       sizeof(r->payload));
			break;
		case KDBUS_ITEM_PAYLOAD_MEMFD:
		case KDBUS_ITEM_FDS:
			res_files(r, it);
			break;
		case KDBUS_ITEM_SECLABEL:
			res_label(r, it);
			break;
		case KDBUS_ITEM_NAME_ADD:
		case KDBUS_ITEM_NAME_REMOVE:
		case KDBUS_ITEM_NAME_CHANGE:
		case KDBUS_ITEM_ID_ADD:
		case KDBUS_ITEM_ID_REMOVE:
			if (m->src_id == KDBUS_SRC_ID_KERNEL)
				r->notify = it->type;
			break;
		}
	}
	if (kdbus_free(c, cmd.msg.offset) < 0)
		r->ret = -EBADMSG;
	return r->ret;
}

/* CONN_INFO of @id or @name (if not NULL) with @attach by @c into @r */
static int info_get(struct kdbus_conn *c, __u64 id, const char *name,
		    __u64 attach, struct res *r)
{
	const struct kdbus_item *it;
	struct kdbus_info *info;
	__u64 offset, size;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = kdbus_conn_info(c, id, name, attach, &offset, &size);
	r->ret = ret;
	if (ret < 0)
		return ret;
	info = kdbus_pool_info(c, offset);
	if (info) {
		r->id = info->id;
		it = kdbus_info_find(info, KDBUS_ITEM_SECLABEL);
		if (it)
			res_label(r, it);
	}
	ret = kdbus_free(c, offset);
	r->ret = info ? ret : -EBADMSG;
	return r->ret;
}

static void log_res(const char *what, const struct res *r)
{
	kdbus_log("%s: ret %lld src %llu cookie %llu reply %llu flags %#llx payload %llu",
		  what, (long long)r->ret, (unsigned long long)r->src,
		  (unsigned long long)r->cookie,
		  (unsigned long long)r->cookie_reply,
		  (unsigned long long)r->flags,
		  (unsigned long long)r->payload);
}

/*
 * @r is a message from @src with @cookie (also the payload) and @flags
 * (among SIGNAL and CALL), to @dst (0: any destination).
 */
static bool is_msg(const struct res *r, __u64 src, __u64 dst, __u64 cookie,
		   __u64 flags)
{
	if (!r->ret && r->src == src && (!dst || r->dst == dst) &&
	    r->cookie == cookie && r->payload == cookie &&
	    (r->flags & (SIGNAL | CALL)) == flags)
		return true;
	log_res("received", r);
	kdbus_log("  expected a message from %llu to %llu, cookie %llu, flags %#llx",
		  (unsigned long long)src, (unsigned long long)dst,
		  (unsigned long long)cookie, (unsigned long long)flags);
	return false;
}

/* @r is a reply from @src to @cookie_reply (also its payload) */
static bool is_reply(const struct res *r, __u64 src, __u64 cookie_reply)
{
	if (!r->ret && r->src == src && r->cookie_reply == cookie_reply &&
	    r->payload == cookie_reply && !(r->flags & (SIGNAL | CALL)))
		return true;
	log_res("received", r);
	kdbus_log("  expected a reply from %llu to %llu",
		  (unsigned long long)src, (unsigned long long)cookie_reply);
	return false;
}

/* @r is an empty queue */
static bool is_none(const struct res *r)
{
	if (r->ret == -EAGAIN)
		return true;
	log_res("expected nothing, received", r);
	return false;
}

/* ------------------------------------------------------------------ */
/* agents                                                              */
/* ------------------------------------------------------------------ */

/* agent operations */
enum {
	OP_EXIT,
	OP_HELLO,	/* flags: HELLO flags, attach: receive mask */
	OP_BYE,		/* disconnect */
	OP_ACTIVATOR,	/* an activator for name (a second connection) */
	OP_ACQUIRE,	/* NAME_ACQUIRE of name */
	OP_SEND,	/* cookie to id, flags: message flags */
	OP_MEMFD,	/* cookie to id, with a sealed memfd made now */
	OP_PIPE,	/* cookie to id, with the read end of a new pipe */
	OP_REPLY,	/* reply to cookie of id */
	OP_RECV,	/* flags: wait for it */
	OP_INFO,	/* CONN_INFO of id with attach */
	OP_MATCH,	/* a match for the signals of id */
	OP_RELABEL,	/* set the label to label */
	OP_BUS_MAKE,	/* a bus "<euid>-<name>" (its name: label) */
	OP_EP_MAKE,	/* a custom endpoint name of the agent's bus */
	OP_MATCH_NAMES,	/* a match for every NAME_ADD notification */
	OP_LIST,	/* LIST of the names: id = 1 if name is in it */
};

struct req {
	__u64 op;
	__u64 id;
	__u64 cookie;
	__u64 flags;
	__u64 attach;
	char name[96];
	char label[LABEL_MAX];
};

/* what an agent gets from the test */
struct agent_arg {
	const struct kdbus_domain *dom;
	const char *bus;
	char label[LABEL_MAX];
	int rd, wr;		/* its ends of the pipes */
};

/* the state of an agent */
struct stage {
	const struct agent_arg *arg;
	struct kdbus_conn c;
	struct kdbus_conn act;
	int bus;		/* OP_BUS_MAKE: the bus owner's handle */
	int ep;			/* OP_EP_MAKE: the endpoint owner's handle */
};

/* write all of @buf: 0 or -errno */
static int chan_write(int fd, const void *buf, size_t len)
{
	return kdbus_write_full(fd, buf, len);
}

static int chan_read(int fd, void *buf, size_t len)
{
	return kdbus_read_full(fd, buf, len, SYNC_MS);
}

/* OP_MEMFD / OP_PIPE: make the file and send it */
static int agent_send_file(struct stage *st, const struct req *rq)
{
	const char byte = PIPE_BYTE;
	int p[2], fd, ret;

	if (rq->op == OP_MEMFD) {
		fd = kdbus_sealed_memfd(MEMFD_SIZE, MEMFD_FILL);
		if (fd < 0)
			return fd;
		ret = msg_send(&st->c, rq->id, rq->cookie, 0, fd, -1);
		close(fd);
		return ret;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	ret = chan_write(p[1], &byte, 1);
	if (!ret)
		ret = msg_send(&st->c, rq->id, rq->cookie, 0, -1, p[0]);
	close(p[0]);
	close(p[1]);
	return ret;
}

/* OP_BUS_MAKE and OP_EP_MAKE: keep the handle that owns what was made */
static void agent_make(struct stage *st, const struct req *rq, struct res *rs)
{
	int fd;

	if (rq->op == OP_BUS_MAKE) {
		if (st->bus >= 0)
			close(st->bus);
		st->bus = kdbus_bus_create(st->arg->dom,
					   KDBUS_MAKE_ACCESS_WORLD, rq->name,
					   rs->label, sizeof(rs->label));
		rs->ret = st->bus < 0 ? st->bus : 0;
		return;
	}
	if (st->ep >= 0)
		close(st->ep);
	st->ep = -1;
	fd = kdbus_bus_open(st->arg->dom, st->arg->bus, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rs->ret = fd;
		return;
	}
	rs->ret = kdbus_ep_make(fd, 0, rq->name);
	if (rs->ret)
		close(fd);
	else
		st->ep = fd;
}

/* OP_LIST: is rq->name among the names LIST returns? */
static void agent_list(struct stage *st, const struct req *rq, struct res *rs)
{
	struct kdbus_list_entry ents[64];
	__u64 offset, size;
	int i, n;

	rs->ret = kdbus_list(&st->c, KDBUS_LIST_NAMES, &offset, &size);
	if (rs->ret)
		return;
	n = kdbus_list_parse(&st->c, offset, size, ents, 64);
	if (n < 0)
		rs->ret = n;
	for (i = 0; i < n && i < 64; i++)
		if (ents[i].name && !strcmp(ents[i].name, rq->name))
			rs->id = 1;
	if (kdbus_free(&st->c, offset) < 0)
		rs->ret = -EBADMSG;
}

static void agent_op(struct stage *st, const struct req *rq, struct res *rs)
{
	struct kdbus_conn *c = &st->c;

	switch (rq->op) {
	case OP_HELLO:
		kdbus_conn_free(c);
		rs->ret = conn_make(c, st->arg->dom, st->arg->bus, rq->flags,
				    rq->attach);
		if (!rs->ret)
			rs->id = c->id;
		break;
	case OP_BYE:
		kdbus_conn_free(c);
		break;
	case OP_ACTIVATOR:
		kdbus_conn_free(&st->act);
		rs->ret = kdbus_activator_new(&st->act, st->arg->dom,
					      st->arg->bus, rq->name);
		if (!rs->ret)
			rs->id = st->act.id;
		break;
	case OP_ACQUIRE:
		rs->ret = kdbus_name_acquire(c, rq->name, 0, NULL);
		break;
	case OP_SEND:
		rs->ret = msg_send(c, rq->id, rq->cookie, rq->flags, -1, -1);
		break;
	case OP_MEMFD:
	case OP_PIPE:
		rs->ret = agent_send_file(st, rq);
		break;
	case OP_REPLY:
		rs->ret = msg_reply(c, rq->id, rq->cookie);
		break;
	case OP_RECV:
		msg_recv(c, rq->flags, rs);
		break;
	case OP_INFO:
		info_get(c, rq->id, rq->name[0] ? rq->name : NULL, rq->attach,
			 rs);
		break;
	case OP_MATCH: {
		struct kdbus_cmd_match *m = kdbus_match_new(1, 0);

		kdbus_match_rule_id(m, rq->id);
		rs->ret = kdbus_match_cmd_release(c, m);
		break;
	}
	case OP_RELABEL:
		rs->ret = label_set(rq->label);
		if (!rs->ret)
			rs->ret = label_get(rs->label, sizeof(rs->label));
		break;
	case OP_BUS_MAKE:
	case OP_EP_MAKE:
		agent_make(st, rq, rs);
		break;
	case OP_MATCH_NAMES: {
		struct kdbus_cmd_match *m = kdbus_match_new(2, 0);

		kdbus_match_rule_name_change(m, KDBUS_ITEM_NAME_ADD,
					     KDBUS_MATCH_ID_ANY,
					     KDBUS_MATCH_ID_ANY, NULL);
		rs->ret = kdbus_match_cmd_release(c, m);
		break;
	}
	case OP_LIST:
		agent_list(st, rq, rs);
		break;
	default:
		rs->ret = -EINVAL;
	}
}

/*
 * An agent: close what it inherited, take its label, report it (and its
 * euid), then run requests until OP_EXIT or the test goes away.
 */
static int agent_main(void *p)
{
	struct agent_arg *arg = p;
	struct stage st = { .arg = arg };
	struct req rq;
	struct res rs;
	int fd;

	for (fd = 3; fd < 1024; fd++)
		if (fd != arg->rd && fd != arg->wr)
			close(fd);
	st.c.fd = -1;
	st.act.fd = -1;
	st.bus = -1;
	st.ep = -1;
	memset(&rs, 0, sizeof(rs));
	rs.uid = geteuid();
	rs.ret = label_set(arg->label);
	if (!rs.ret)
		rs.ret = label_get(rs.label, sizeof(rs.label));
	if (chan_write(arg->wr, &rs, sizeof(rs)) < 0)
		return 3;
	if (rs.ret)
		return 0;
	for (;;) {
		if (chan_read(arg->rd, &rq, sizeof(rq)) < 0)
			return 4;
		if (rq.op == OP_EXIT)
			return 0;
		rq.name[sizeof(rq.name) - 1] = '\0';
		rq.label[sizeof(rq.label) - 1] = '\0';
		memset(&rs, 0, sizeof(rs));
		agent_op(&st, &rq, &rs);
		if (chan_write(arg->wr, &rs, sizeof(rs)) < 0)
			return 5;
	}
}

struct agent {
	pid_t pid;
	int rd, wr;		/* the test's ends of its pipes */
	__u64 id;		/* its connection, after a HELLO */
	char label[LABEL_MAX];	/* what it reported */
	__u64 uid;
};

/*
 * Fork an agent (root) that takes the label @label: 0, the error it
 * reported, or BROKEN (logged). Stop it with agent_stop() in any case.
 */
static int agent_start(struct agent *a, const struct kdbus_domain *dom,
		       const char *bus, const char *label)
{
	struct agent_arg arg = { .dom = dom, .bus = bus };
	int up[2], down[2];
	struct res rs;
	pid_t pid;

	memset(a, 0, sizeof(*a));
	a->rd = -1;
	a->wr = -1;
	snprintf(arg.label, sizeof(arg.label), "%s", label);
	if (pipe2(up, O_CLOEXEC) < 0)
		return BROKEN;
	if (pipe2(down, O_CLOEXEC) < 0) {
		close(up[0]);
		close(up[1]);
		return BROKEN;
	}
	arg.rd = down[0];
	arg.wr = up[1];
	pid = kdbus_spawn_as(0, 0, agent_main, &arg);
	close(up[1]);
	close(down[0]);
	a->rd = up[0];
	a->wr = down[1];
	if (pid < 0) {
		kdbus_log("fork: %s", strerror(-pid));
		return BROKEN;
	}
	a->pid = pid;
	if (chan_read(a->rd, &rs, sizeof(rs)) < 0) {
		kdbus_log("agent %d did not start", (int)pid);
		return BROKEN;
	}
	a->uid = rs.uid;
	snprintf(a->label, sizeof(a->label), "%s", rs.label);
	if (rs.ret)
		kdbus_log("agent %d: cannot take the label \"%s\": %s",
			  (int)pid, label, strerror((int)-rs.ret));
	return (int)rs.ret;
}

/* one request and its result: the result's ret, or BROKEN */
static __s64 agent_req(struct agent *a, const struct req *rq, struct res *out)
{
	struct res r;

	memset(&r, 0, sizeof(r));
	if (a->pid <= 0 || chan_write(a->wr, rq, sizeof(*rq)) < 0) {
		kdbus_log("agent %d: cannot send request %llu", (int)a->pid,
			  (unsigned long long)rq->op);
		r.ret = BROKEN;
	} else if (chan_read(a->rd, &r, sizeof(r)) < 0) {
		kdbus_log("agent %d: no answer to request %llu", (int)a->pid,
			  (unsigned long long)rq->op);
		r.ret = BROKEN;
	}
	if (out)
		*out = r;
	return r.ret;
}

/* end the agent: its exit status (0: fine) or -errno */
static int agent_stop(struct agent *a)
{
	struct req rq = { .op = OP_EXIT };
	int ret = 0;

	if (a->pid > 0)
		chan_write(a->wr, &rq, sizeof(rq));
	if (a->wr >= 0)
		close(a->wr);
	if (a->rd >= 0)
		close(a->rd);
	a->wr = -1;
	a->rd = -1;
	if (a->pid > 0) {
		ret = kdbus_wait_child(a->pid);
		if (ret)
			kdbus_log("agent %d: exit status %d", (int)a->pid,
				  ret);
	}
	a->pid = 0;
	return ret;
}

static __s64 ag(struct agent *a, __u64 op, __u64 id, __u64 cookie,
		__u64 flags, struct res *out)
{
	struct req rq = {
		.op = op,
		.id = id,
		.cookie = cookie,
		.flags = flags,
	};

	return agent_req(a, &rq, out);
}

/* HELLO with @flags and receive mask @recv; the id goes to a->id */
static __s64 ag_hello(struct agent *a, __u64 flags, __u64 recv)
{
	struct req rq = { .op = OP_HELLO, .flags = flags, .attach = recv };
	struct res r;

	agent_req(a, &rq, &r);
	if (!r.ret)
		a->id = r.id;
	return r.ret;
}

static __s64 ag_bye(struct agent *a)
{
	a->id = 0;
	return ag(a, OP_BYE, 0, 0, 0, NULL);
}

/* NAME_ACQUIRE (@activator false) or an activator HELLO for @name */
static __s64 ag_own(struct agent *a, const char *name, bool activator)
{
	struct req rq = { .op = activator ? OP_ACTIVATOR : OP_ACQUIRE };

	snprintf(rq.name, sizeof(rq.name), "%s", name);
	return agent_req(a, &rq, NULL);
}

static __s64 ag_send(struct agent *a, __u64 dst, __u64 cookie, __u64 flags)
{
	return ag(a, OP_SEND, dst, cookie, flags, NULL);
}

static __s64 ag_reply(struct agent *a, __u64 dst, __u64 cookie_reply)
{
	return ag(a, OP_REPLY, dst, cookie_reply, 0, NULL);
}

static __s64 ag_memfd(struct agent *a, __u64 dst, __u64 cookie)
{
	return ag(a, OP_MEMFD, dst, cookie, 0, NULL);
}

static __s64 ag_pipe(struct agent *a, __u64 dst, __u64 cookie)
{
	return ag(a, OP_PIPE, dst, cookie, 0, NULL);
}

static __s64 ag_match(struct agent *a, __u64 src)
{
	return ag(a, OP_MATCH, src, 0, 0, NULL);
}

/* RECV by the agent (waiting for it if @wait) into @r */
static __s64 ag_recv(struct agent *a, bool wait, struct res *r)
{
	return ag(a, OP_RECV, 0, 0, wait, r);
}

/* CONN_INFO of @id with @attach by the agent into @r */
static __s64 ag_info(struct agent *a, __u64 id, __u64 attach, struct res *r)
{
	struct req rq = { .op = OP_INFO, .id = id, .attach = attach };

	return agent_req(a, &rq, r);
}

/* CONN_INFO of the name @name by the agent into @r */
static __s64 ag_info_name(struct agent *a, const char *name, struct res *r)
{
	struct req rq = { .op = OP_INFO };

	snprintf(rq.name, sizeof(rq.name), "%s", name);
	return agent_req(a, &rq, r);
}

/* OP_BUS_MAKE, OP_EP_MAKE (@op) of @name; a bus's full name to @full */
static __s64 ag_make(struct agent *a, __u64 op, const char *name,
		     char *full, size_t size)
{
	struct req rq = { .op = op };
	struct res r;

	snprintf(rq.name, sizeof(rq.name), "%s", name);
	agent_req(a, &rq, &r);
	if (!r.ret && full)
		snprintf(full, size, "%s", r.label);
	return r.ret;
}

/* 1 if @name is in the agent's LIST of names, 0 if not, or -errno */
static __s64 ag_listed(struct agent *a, const char *name)
{
	struct req rq = { .op = OP_LIST };
	struct res r;

	snprintf(rq.name, sizeof(rq.name), "%s", name);
	agent_req(a, &rq, &r);
	return r.ret ? r.ret : (__s64)r.id;
}

static __s64 ag_relabel(struct agent *a, const char *label)
{
	struct req rq = { .op = OP_RELABEL };
	struct res r;

	snprintf(rq.label, sizeof(rq.label), "%s", label);
	agent_req(a, &rq, &r);
	if (!r.ret)
		snprintf(a->label, sizeof(a->label), "%s", r.label);
	return r.ret;
}

/* the next message of the agent (waiting for it) */
static bool ag_got(struct agent *a, __u64 src, __u64 dst, __u64 cookie,
		   __u64 flags)
{
	struct res r;

	ag_recv(a, true, &r);
	return is_msg(&r, src, dst, cookie, flags);
}

static bool ag_got_reply(struct agent *a, __u64 src, __u64 cookie_reply)
{
	struct res r;

	ag_recv(a, true, &r);
	return is_reply(&r, src, cookie_reply);
}

static bool ag_empty(struct agent *a)
{
	struct res r;

	ag_recv(a, false, &r);
	return is_none(&r);
}

static bool conn_got(struct kdbus_conn *c, __u64 src, __u64 dst,
		     __u64 cookie, __u64 flags)
{
	struct res r;

	msg_recv(c, true, &r);
	return is_msg(&r, src, dst, cookie, flags);
}

static bool conn_empty(struct kdbus_conn *c)
{
	struct res r;

	msg_recv(c, false, &r);
	return is_none(&r);
}

/* ------------------------------------------------------------------ */
/* fixture                                                             */
/* ------------------------------------------------------------------ */

FIXTURE(smack) {
	struct kdbus_domain dom;
	int owner;		/* BUS_OWNER handle of bus */
	char bus[64];		/* "0-smack", made by the test (ACCESS_WORLD) */
	char me[LABEL_MAX];	/* label of the test process: the creator's */
	struct rules rules;	/* the rules the test wrote */
	__u64 saved_mask;	/* attach_flags_mask, if SECLABEL was added */
	bool mask_changed;
};

FIXTURE_SETUP(smack)
{
	char why[512];
	__u64 mask;
	int ret;

	self->owner = -1;
	/* an agent that died must not take the test down with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	if (geteuid() != 0)
		SKIP(return, "must run as root (mounts, sets Smack labels and rules)");
	/* before KDBUS_SETUP_DOMAIN: the harness's parent needs smackfs */
	ret = smack_ready(self->me, sizeof(self->me), why, sizeof(why));
	ASSERT_EQ(0, ret) TH_LOG("%s", why);
	TH_LOG("Smack label of the test process (the bus creator): \"%s\"",
	       self->me);
	ret = kdbus_private_mounts();
	ASSERT_EQ(0, ret) TH_LOG("private mounts: %s", strerror(-ret));
	ret = kdbus_domain_mount_opts(&self->dom, "kdbusfs", DOMAIN_OPTS);
	ASSERT_EQ(0, ret)
		TH_LOG("mount -t kdbusfs -o %s: %s", DOMAIN_OPTS,
		       strerror(-ret));
	self->owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
				       "smack", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->owner);
	ret = kdbus_attach_mask(&mask);
	ASSERT_EQ(0, ret)
		TH_LOG("cannot read %s: %s", MASK_PATH, strerror(-ret));
	if (!(mask & A_LABEL)) {
		/* the last step that can fail: nothing to undo if it does */
		ret = kdbus_set_attach_mask(mask | A_LABEL);
		ASSERT_EQ(0, ret)
			TH_LOG("cannot write %s: %s", MASK_PATH,
			       strerror(-ret));
		self->saved_mask = mask;
		self->mask_changed = true;
	}
}

/*
 * Runs in the harness's parent process (self is shared), also when the
 * test process died: resets the rules the test wrote (smackfs is mounted
 * in the parent's mount namespace too) and the module parameter, and
 * removes the domain's mount point (the mount itself went with the test
 * process's private mount namespace).
 */
FIXTURE_TEARDOWN_PARENT(smack)
{
	int ret;

	EXPECT_FALSE(self->rules.overflow)
		TH_LOG("more than %d rules: some were not reset", MAX_RULES);
	ret = rules_reset(&self->rules);
	EXPECT_EQ(0, ret)
		TH_LOG("cannot reset the Smack rules: %s", strerror(-ret));
	if (self->mask_changed) {
		ret = kdbus_set_attach_mask(self->saved_mask);
		EXPECT_EQ(0, ret)
			TH_LOG("cannot restore %s: %s", MASK_PATH,
			       strerror(-ret));
	}
	kdbus_domain_umount(&self->dom);
}

/* write the rule "@s @o @a" (replacing the one of that pair) */
#define RULE(s, o, a) do {						\
	const char *__s = (s), *__o = (o), *__a = (a);			\
	int __ret = rule_set(&self->rules, __s, __o, __a);		\
									\
	ASSERT_EQ(0, __ret)						\
		TH_LOG("Smack rule \"%s %s %s\": %s", __s, __o, __a,	\
		       strerror(-__ret));				\
} while (0)

/* start the agent @a with the label @l */
#define AGENT(a, l) do {						\
	struct agent *__ag = (a);					\
	const char *__l = (l);						\
									\
	ASSERT_EQ(0, agent_start(__ag, &self->dom, self->bus, __l));	\
	ASSERT_STREQ(__l, __ag->label);					\
	ASSERT_EQ(0ULL, __ag->uid);					\
} while (0)

/* ------------------------------------------------------------------ */
/* tests                                                               */
/* ------------------------------------------------------------------ */

/*
 * SECLABEL: a message carries the sender's label (at SEND), CONN_INFO
 * the label the target had at HELLO; seeing a labelled peer needs "r".
 */
TEST_F(smack, seclabel_metadata)
{
	struct kdbus_conn r;
	struct agent s;
	struct res res;

	RULE("kd1S", self->me, "w");
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, A_LABEL));
	AGENT(&s, "kd1S");
	ASSERT_EQ(0, ag_hello(&s, 0, 0));

	/* a message: the sender's label */
	ASSERT_EQ(0, ag_send(&s, r.id, 1, 0));
	ASSERT_EQ(0, msg_recv(&r, true, &res));
	EXPECT_TRUE(is_msg(&res, s.id, r.id, 1, 0));
	EXPECT_TRUE(res.has_label) TH_LOG("no SECLABEL item");
	EXPECT_STREQ("kd1S", res.label);

	/* CONN_INFO: the test reading "kd1S" needs "r" */
	EXPECT_EQ(-ENXIO, info_get(&r, s.id, NULL, A_LABEL, &res));
	RULE(self->me, "kd1S", "r");
	ASSERT_EQ(0, info_get(&r, s.id, NULL, A_LABEL, &res));
	EXPECT_EQ(s.id, res.id);
	EXPECT_TRUE(res.has_label) TH_LOG("no SECLABEL item in CONN_INFO");
	EXPECT_STREQ("kd1S", res.label);

	/* the floor label "_" can be read by any label */
	if (!strcmp(self->me, "_")) {
		EXPECT_EQ(0, ag_info(&s, r.id, A_LABEL, &res));
		EXPECT_EQ(r.id, res.id);
		EXPECT_STREQ("_", res.label);
	} else {
		TH_LOG("the test's label is not \"_\": floor access not checked");
	}

	/* relabelled after HELLO: messages change, CONN_INFO does not */
	RULE("kd1T", self->me, "w");
	ASSERT_EQ(0, ag_relabel(&s, "kd1T"));
	ASSERT_STREQ("kd1T", s.label);
	ASSERT_EQ(0, ag_send(&s, r.id, 2, 0));
	ASSERT_EQ(0, msg_recv(&r, true, &res));
	EXPECT_TRUE(is_msg(&res, s.id, r.id, 2, 0));
	EXPECT_TRUE(res.has_label) TH_LOG("no SECLABEL item");
	EXPECT_STREQ("kd1T", res.label);
	ASSERT_EQ(0, info_get(&r, s.id, NULL, A_LABEL, &res));
	EXPECT_STREQ("kd1S", res.label) TH_LOG("CONN_INFO: the HELLO label");

	EXPECT_EQ(0, agent_stop(&s));
	kdbus_conn_free(&r);
}

/* HELLO needs "w" on the bus creator's label, checked at every HELLO */
TEST_F(smack, connect_denied_then_allowed)
{
	struct agent x;

	AGENT(&x, "kd2X");
	EXPECT_EQ(-EACCES, ag_hello(&x, 0, 0));
	/* every access but "w" */
	RULE("kd2X", self->me, "rxal");
	EXPECT_EQ(-EACCES, ag_hello(&x, 0, 0));
	RULE("kd2X", self->me, "w");
	ASSERT_EQ(0, ag_hello(&x, 0, 0));
	EXPECT_LT(0ULL, x.id);
	EXPECT_EQ(0, ag_bye(&x));
	RULE("kd2X", self->me, "-");
	EXPECT_EQ(-EACCES, ag_hello(&x, 0, 0));
	RULE("kd2X", self->me, "w");
	EXPECT_EQ(0, ag_hello(&x, 0, 0));

	EXPECT_EQ(0, agent_stop(&x));
}

#define OWN_A		"org.kdbus.smack.own.a"
#define OWN_B		"org.kdbus.smack.own.b"
#define OWN_ACT		"org.kdbus.smack.own.act"

/* NAME_ACQUIRE and activators need "a" on the bus creator's label */
TEST_F(smack, own_denied_then_allowed)
{
	__s64 ret;
	struct agent x;

	RULE("kd3X", self->me, "w");
	AGENT(&x, "kd3X");
	ASSERT_EQ(0, ag_hello(&x, 0, 0));
	EXPECT_EQ(-EPERM, ag_own(&x, OWN_A, false));
	/* the errno of a denied activator HELLO is the hook's */
	ret = ag_own(&x, OWN_ACT, true);
	EXPECT_TRUE(ret == -EPERM || ret == -EACCES)
		TH_LOG("activator HELLO without \"a\": %lld, want EPERM or EACCES",
		       (long long)ret);

	RULE("kd3X", self->me, "wa");
	EXPECT_EQ(0, ag_own(&x, OWN_A, false));
	EXPECT_EQ(0, ag_own(&x, OWN_ACT, true));

	/* taken away again: for the next name */
	RULE("kd3X", self->me, "w");
	EXPECT_EQ(-EPERM, ag_own(&x, OWN_B, false));

	EXPECT_EQ(0, agent_stop(&x));
}

/*
 * Every delivery needs "w" from the sending task's label to the label of
 * the receiving connection: unicasts, calls and replies fail with EPERM,
 * signals and broadcasts are silently not delivered.
 */
TEST_F(smack, talk_denied_then_allowed)
{
	struct kdbus_conn r;
	struct agent a, b;

	RULE("kd4A", self->me, "w");
	RULE("kd4B", self->me, "w");
	AGENT(&a, "kd4A");
	AGENT(&b, "kd4B");
	ASSERT_EQ(0, ag_hello(&b, 0, 0));
	ASSERT_EQ(0, ag_hello(&a, 0, 0));
	ASSERT_EQ(0, ag_match(&b, a.id));
	/* a witness for the broadcasts (A may talk to the test's label) */
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0));
	ASSERT_EQ(0, kdbus_match_id_any(&r, 1));

	/* no rule between kd4A and kd4B */
	EXPECT_EQ(-EPERM, ag_send(&a, b.id, 1, 0));
	EXPECT_EQ(-EPERM, ag_send(&a, b.id, 2, CALL));
	EXPECT_EQ(0, ag_send(&a, b.id, 3, SIGNAL));
	EXPECT_EQ(0, ag_send(&a, BCAST, 4, SIGNAL));
	EXPECT_TRUE(ag_empty(&b));
	EXPECT_TRUE(conn_got(&r, a.id, BCAST, 4, SIGNAL));
	EXPECT_EQ(-EPERM, ag_send(&b, a.id, 5, 0));
	EXPECT_TRUE(ag_empty(&a));

	/* kd4A may write to kd4B */
	RULE("kd4A", "kd4B", "w");
	EXPECT_EQ(0, ag_send(&a, b.id, 11, 0));
	EXPECT_TRUE(ag_got(&b, a.id, b.id, 11, 0));
	EXPECT_EQ(0, ag_send(&a, b.id, 12, SIGNAL));
	EXPECT_TRUE(ag_got(&b, a.id, b.id, 12, SIGNAL));
	EXPECT_EQ(0, ag_send(&a, BCAST, 13, SIGNAL));
	EXPECT_TRUE(ag_got(&b, a.id, BCAST, 13, SIGNAL));
	EXPECT_TRUE(conn_got(&r, a.id, BCAST, 13, SIGNAL));
	EXPECT_EQ(0, ag_send(&a, b.id, 14, CALL));
	EXPECT_TRUE(ag_got(&b, a.id, b.id, 14, CALL));
	/* but not the other way: neither a reply nor a unicast */
	EXPECT_EQ(-EPERM, ag_reply(&b, a.id, 14));
	EXPECT_EQ(-EPERM, ag_send(&b, a.id, 15, 0));
	EXPECT_TRUE(ag_empty(&a));

	/* both ways: a reply from B to A */
	RULE("kd4B", "kd4A", "w");
	EXPECT_EQ(0, ag_send(&a, b.id, 16, CALL));
	EXPECT_TRUE(ag_got(&b, a.id, b.id, 16, CALL));
	EXPECT_EQ(0, ag_reply(&b, a.id, 16));
	EXPECT_TRUE(ag_got_reply(&a, b.id, 16));

	/* a reply from A to B: denied once kd4A loses "w" on kd4B */
	EXPECT_EQ(0, ag_send(&b, a.id, 21, CALL));
	EXPECT_TRUE(ag_got(&a, b.id, a.id, 21, CALL));
	RULE("kd4A", "kd4B", "-");
	EXPECT_EQ(-EPERM, ag_reply(&a, b.id, 21));
	EXPECT_EQ(0, ag_send(&a, b.id, 22, SIGNAL));
	EXPECT_TRUE(ag_empty(&b));
	RULE("kd4A", "kd4B", "w");
	EXPECT_EQ(0, ag_send(&b, a.id, 23, CALL));
	EXPECT_TRUE(ag_got(&a, b.id, a.id, 23, CALL));
	EXPECT_EQ(0, ag_reply(&a, b.id, 23));
	EXPECT_TRUE(ag_got_reply(&b, a.id, 23));
	EXPECT_TRUE(conn_empty(&r));

	EXPECT_EQ(0, agent_stop(&a));
	EXPECT_EQ(0, agent_stop(&b));
	kdbus_conn_free(&r);
}

/* CONN_INFO of a peer needs "r" on the label of its connection */
TEST_F(smack, see_peer)
{
	struct agent a, b;
	struct res res;

	RULE("kd5A", self->me, "w");
	RULE("kd5B", self->me, "w");
	AGENT(&a, "kd5A");
	AGENT(&b, "kd5B");
	ASSERT_EQ(0, ag_hello(&a, 0, 0));
	ASSERT_EQ(0, ag_hello(&b, 0, 0));

	EXPECT_EQ(-ENXIO, ag_info(&a, b.id, 0, &res));
	EXPECT_EQ(-ENXIO, ag_info(&b, a.id, 0, &res));
	/* its own connection: the same label */
	EXPECT_EQ(0, ag_info(&a, a.id, A_LABEL, &res));
	EXPECT_EQ(a.id, res.id);
	EXPECT_STREQ("kd5A", res.label);

	/* everything but "r" */
	RULE("kd5A", "kd5B", "wxal");
	EXPECT_EQ(-ENXIO, ag_info(&a, b.id, 0, &res));

	RULE("kd5A", "kd5B", "r");
	EXPECT_EQ(0, ag_info(&a, b.id, A_LABEL, &res));
	EXPECT_EQ(b.id, res.id);
	EXPECT_STREQ("kd5B", res.label);
	/* one way only */
	EXPECT_EQ(-ENXIO, ag_info(&b, a.id, 0, &res));

	RULE("kd5A", "kd5B", "-");
	EXPECT_EQ(-ENXIO, ag_info(&a, b.id, 0, &res));

	EXPECT_EQ(0, agent_stop(&a));
	EXPECT_EQ(0, agent_stop(&b));
}

/*
 * A memfd or an fd reaches a connection only if its label may read the
 * file's label (that of the task that made the memfd or the pipe).
 */
TEST_F(smack, transfer_file)
{
	struct agent a, b;
	struct res res;

	RULE("kd6A", self->me, "w");
	RULE("kd6B", self->me, "w");
	RULE("kd6A", "kd6B", "w");
	AGENT(&a, "kd6A");
	AGENT(&b, "kd6B");
	ASSERT_EQ(0, ag_hello(&a, 0, 0));
	ASSERT_EQ(0, ag_hello(&b, KDBUS_HELLO_ACCEPT_FD, 0));

	/* A may talk to B */
	ASSERT_EQ(0, ag_send(&a, b.id, 1, 0));
	EXPECT_TRUE(ag_got(&b, a.id, b.id, 1, 0));

	/* B's label may not read kd6A */
	EXPECT_EQ(-EACCES, ag_memfd(&a, b.id, 2));
	EXPECT_EQ(-EACCES, ag_pipe(&a, b.id, 3));
	EXPECT_TRUE(ag_empty(&b));

	RULE("kd6B", "kd6A", "r");
	ASSERT_EQ(0, ag_memfd(&a, b.id, 4));
	ag_recv(&b, true, &res);
	EXPECT_TRUE(is_msg(&res, a.id, b.id, 4, 0));
	EXPECT_EQ(1ULL, res.n_memfds);
	EXPECT_EQ(MEMFD_FILL, res.memfd_byte);
	ASSERT_EQ(0, ag_pipe(&a, b.id, 5));
	ag_recv(&b, true, &res);
	EXPECT_TRUE(is_msg(&res, a.id, b.id, 5, 0));
	EXPECT_EQ(1ULL, res.n_fds);
	EXPECT_EQ(PIPE_BYTE, res.fd_byte);

	/* taken away again */
	RULE("kd6B", "kd6A", "-");
	EXPECT_EQ(-EACCES, ag_memfd(&a, b.id, 6));
	EXPECT_EQ(-EACCES, ag_pipe(&a, b.id, 7));
	EXPECT_EQ(0, ag_send(&a, b.id, 8, 0));
	EXPECT_TRUE(ag_got(&b, a.id, b.id, 8, 0));

	EXPECT_EQ(0, agent_stop(&a));
	EXPECT_EQ(0, agent_stop(&b));
}

/*
 * Root with the label kd7P talking to root with the label kd7Q: the kdbus
 * policy lets both do anything, Smack denies until the rule is there.
 */
TEST_F(smack, independent_of_kdbus_policy)
{
	struct kdbus_conn r1, r2;
	struct agent p, q;

	/* the kdbus side: two root connections with the same label talk */
	ASSERT_EQ(0, conn_make(&r1, &self->dom, self->bus, 0, 0));
	ASSERT_EQ(0, conn_make(&r2, &self->dom, self->bus, 0, 0));
	ASSERT_EQ(0, msg_send(&r1, r2.id, 1, 0, -1, -1));
	EXPECT_TRUE(conn_got(&r2, r1.id, r2.id, 1, 0));

	RULE("kd7P", self->me, "w");
	RULE("kd7Q", self->me, "w");
	AGENT(&p, "kd7P");
	AGENT(&q, "kd7Q");
	ASSERT_EQ(0, ag_hello(&p, 0, 0));
	ASSERT_EQ(0, ag_hello(&q, 0, 0));

	/* both root, and may talk to the test's label */
	EXPECT_EQ(0, ag_send(&p, r1.id, 2, 0));
	EXPECT_TRUE(conn_got(&r1, p.id, r1.id, 2, 0));

	EXPECT_EQ(-EPERM, ag_send(&p, q.id, 3, 0));
	EXPECT_EQ(-EPERM, ag_send(&q, p.id, 4, 0));
	EXPECT_TRUE(ag_empty(&q));
	EXPECT_TRUE(ag_empty(&p));

	RULE("kd7P", "kd7Q", "w");
	EXPECT_EQ(0, ag_send(&p, q.id, 5, 0));
	EXPECT_TRUE(ag_got(&q, p.id, q.id, 5, 0));
	/* one way only */
	EXPECT_EQ(-EPERM, ag_send(&q, p.id, 6, 0));

	EXPECT_EQ(0, agent_stop(&p));
	EXPECT_EQ(0, agent_stop(&q));
	kdbus_conn_free(&r2);
	kdbus_conn_free(&r1);
}

/*
 * BUS_MAKE needs "w" on the label of the task that mounted the domain
 * (the test's): the files of the domain carry "*", so only the hook can
 * refuse.
 */
TEST_F(smack, bus_make_denied_then_allowed)
{
	char label[LABEL_MAX], bus[LABEL_MAX];
	struct agent x;
	ssize_t len;

	len = getxattr(kdbus_path(&self->dom, "control"), "security.SMACK64",
		       label, sizeof(label) - 1);
	ASSERT_LT(0, len) TH_LOG("no Smack label on control: %s",
				 strerror(errno));
	label[len] = '\0';
	ASSERT_STREQ("*", label);

	AGENT(&x, "kd8C");
	EXPECT_EQ(-EACCES, ag_make(&x, OP_BUS_MAKE, "smack8a", NULL, 0));
	/* every access but "w" */
	RULE("kd8C", self->me, "rxal");
	EXPECT_EQ(-EACCES, ag_make(&x, OP_BUS_MAKE, "smack8a", NULL, 0));
	RULE("kd8C", self->me, "w");
	ASSERT_EQ(0, ag_make(&x, OP_BUS_MAKE, "smack8a", bus, sizeof(bus)));
	EXPECT_STREQ("0-smack8a", bus);
	RULE("kd8C", self->me, "-");
	EXPECT_EQ(-EACCES, ag_make(&x, OP_BUS_MAKE, "smack8b", NULL, 0));

	EXPECT_EQ(0, agent_stop(&x));
}

/* ENDPOINT_MAKE needs "w" on the label of the bus's creator */
TEST_F(smack, ep_make_denied_then_allowed)
{
	struct agent x;

	AGENT(&x, "kd9E");
	EXPECT_EQ(-EACCES, ag_make(&x, OP_EP_MAKE, "0-ep9", NULL, 0));
	RULE("kd9E", self->me, "rxal");
	EXPECT_EQ(-EACCES, ag_make(&x, OP_EP_MAKE, "0-ep9", NULL, 0));
	RULE("kd9E", self->me, "w");
	EXPECT_EQ(0, ag_make(&x, OP_EP_MAKE, "0-ep9", NULL, 0));
	RULE("kd9E", self->me, "-");
	EXPECT_EQ(-EACCES, ag_make(&x, OP_EP_MAKE, "0-ep9b", NULL, 0));

	EXPECT_EQ(0, agent_stop(&x));
}

#define SEE_A		"org.kdbus.smack.see.a"
#define SEE_B		"org.kdbus.smack.see.b"
#define SEE_C		"org.kdbus.smack.see.c"

/*
 * Seeing a name (CONN_INFO by name, LIST, NAME_ADD) needs "r" on the
 * label of the bus's creator: here a labelled agent, kdAC, so that the
 * floor's implicit read access does not answer for the rule. The viewer
 * may read the owner's label all along: CONN_INFO by id works, only the
 * name is hidden.
 */
TEST_F(smack, see_name_denied_then_allowed)
{
	struct agent c, o, v;
	char bus[LABEL_MAX];
	struct res res;

	RULE("kdAC", self->me, "w");
	AGENT(&c, "kdAC");
	ASSERT_EQ(0, ag_make(&c, OP_BUS_MAKE, "smackA", bus, sizeof(bus)));
	RULE("kdAO", "kdAC", "wa");
	RULE("kdAV", "kdAC", "w");
	RULE("kdAV", "kdAO", "r");
	ASSERT_EQ(0, agent_start(&o, &self->dom, bus, "kdAO"));
	ASSERT_EQ(0, agent_start(&v, &self->dom, bus, "kdAV"));
	ASSERT_EQ(0, ag_hello(&o, 0, 0));
	ASSERT_EQ(0, ag_hello(&v, 0, 0));
	ASSERT_EQ(0, ag(&v, OP_MATCH_NAMES, 0, 0, 0, NULL));
	ASSERT_EQ(0, ag_own(&o, SEE_A, false));

	/* the peer, yes; its name, no */
	EXPECT_EQ(0, ag_info(&v, o.id, 0, &res));
	EXPECT_EQ(o.id, res.id);
	EXPECT_EQ(-ESRCH, ag_info_name(&v, SEE_A, &res));
	EXPECT_EQ(0, ag_listed(&v, SEE_A));
	EXPECT_TRUE(ag_empty(&v)) TH_LOG("NAME_ADD of a hidden name");
	/* every access but "r" */
	RULE("kdAV", "kdAC", "wxal");
	EXPECT_EQ(-ESRCH, ag_info_name(&v, SEE_A, &res));
	EXPECT_EQ(0, ag_listed(&v, SEE_A));
	ASSERT_EQ(0, ag_own(&o, SEE_B, false));
	EXPECT_TRUE(ag_empty(&v)) TH_LOG("NAME_ADD of a hidden name");

	RULE("kdAV", "kdAC", "rw");
	EXPECT_EQ(0, ag_info_name(&v, SEE_A, &res));
	EXPECT_EQ(o.id, res.id);
	EXPECT_EQ(1, ag_listed(&v, SEE_A));
	EXPECT_EQ(1, ag_listed(&v, SEE_B));
	ASSERT_EQ(0, ag_own(&o, SEE_C, false));
	ag_recv(&v, true, &res);
	EXPECT_EQ(0, res.ret);
	EXPECT_EQ((__u64)KDBUS_ITEM_NAME_ADD, res.notify);

	/* taken away again */
	RULE("kdAV", "kdAC", "w");
	EXPECT_EQ(-ESRCH, ag_info_name(&v, SEE_C, &res));
	EXPECT_EQ(0, ag_listed(&v, SEE_C));

	EXPECT_EQ(0, agent_stop(&v));
	EXPECT_EQ(0, agent_stop(&o));
	EXPECT_EQ(0, agent_stop(&c));
}

TEST_HARNESS_MAIN
