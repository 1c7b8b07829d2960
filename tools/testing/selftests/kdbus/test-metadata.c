// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata (contract 4.2, 4.5, 5.10, 5.11, 6.2, 6.3, 10, 12.1-12.3): which
 * metadata items a received message, a kernel notification, a monitor
 * copy, a synchronous reply, CONN_INFO and BUS_CREATOR_INFO carry (sender's
 * send mask, receiver's receive mask, the module parameter
 * attach_flags_mask, availability), their layout and order, the value of
 * every kind, when it is captured (SEND, HELLO, BUS_MAKE, after fork()),
 * faked identities at HELLO, translation into the receiving task's user
 * and pid namespaces and file-system root, and KDBUS_CMD_UPDATE of the
 * attach masks.
 *
 * The fixture enables every kind in the module parameter (writes ~0) and
 * restores the previous value afterwards, from the harness's parent
 * process, so it is restored even if the test process dies.
 *
 * Child processes never use the harness assertions: they report through
 * their exit status and pipes, and namespace tests copy the received
 * message slice to the test process, which checks it.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

#define MASK_PATH	"/sys/module/kdbus/parameters/attach_flags_mask"
/* the module parameter's default (contract 10.3) */
#define DEFAULT_MASK	0x281FULL
/* how long anybody waits for a message or for another process */
#define WAIT_MS		5000
/* attach bits / metadata kinds (item type 0x1000 + bit) */
#define META_KINDS	14
#define MAX_NAMES	8
#define MAX_PLAIN	16
/* largest message slice a child copies to the test */
#define SHIP_MAX	16384
/* an id that is unset or invalid */
#define UNSET_ID	0xFFFFFFFFULL
#define CGROUP2_MAGIC	0x63677270

#define ALL		((__u64)_KDBUS_ATTACH_ALL)
#define A_TS		((__u64)KDBUS_ATTACH_TIMESTAMP)
#define A_CREDS		((__u64)KDBUS_ATTACH_CREDS)
#define A_PIDS		((__u64)KDBUS_ATTACH_PIDS)
#define A_AUX		((__u64)KDBUS_ATTACH_AUXGROUPS)
#define A_NAMES		((__u64)KDBUS_ATTACH_NAMES)
#define A_TCOMM		((__u64)KDBUS_ATTACH_TID_COMM)
#define A_PCOMM		((__u64)KDBUS_ATTACH_PID_COMM)
#define A_EXE		((__u64)KDBUS_ATTACH_EXE)
#define A_CMDLINE	((__u64)KDBUS_ATTACH_CMDLINE)
#define A_CGROUP	((__u64)KDBUS_ATTACH_CGROUP)
#define A_CAPS		((__u64)KDBUS_ATTACH_CAPS)
#define A_LABEL		((__u64)KDBUS_ATTACH_SECLABEL)
#define A_AUDIT		((__u64)KDBUS_ATTACH_AUDIT)
#define A_DESC		((__u64)KDBUS_ATTACH_CONN_DESCRIPTION)
/* kinds captured from a task */
#define PROC_KINDS	(A_CREDS | A_PIDS | A_AUX | A_TCOMM | A_PCOMM | A_EXE | \
			 A_CMDLINE | A_CGROUP | A_CAPS | A_LABEL | A_AUDIT)

#define NAME_A		"com.example.meta.a"
#define NAME_B		"com.example.meta.b"
#define NAME_C		"com.example.meta.c"
#define SENDER_DESC	"meta-sender"

/* the ids the tests switch to */
#define UID1		1001
#define UID2		1002
#define UID3		1003
#define GID1		2001
#define GID2		2002
#define GID3		2003

/* ------------------------------------------------------------------ */
/* walking metadata                                                   */
/* ------------------------------------------------------------------ */

static const char *const kind_names[META_KINDS] = {
	"TIMESTAMP", "CREDS", "PIDS", "AUXGROUPS", "OWNED_NAME", "TID_COMM",
	"PID_COMM", "EXE", "CMDLINE", "CGROUP", "CAPS", "SECLABEL", "AUDIT",
	"CONN_DESCRIPTION",
};

/* position of each kind (by attach bit) in the order of contract 10.2 */
static const int kind_rank[META_KINDS] = {
	[0] = 13,	/* TIMESTAMP */
	[1] = 0,	/* CREDS */
	[2] = 1,	/* PIDS */
	[3] = 2,	/* AUXGROUPS */
	[4] = 11,	/* OWNED_NAME */
	[5] = 3,	/* TID_COMM */
	[6] = 4,	/* PID_COMM */
	[7] = 5,	/* EXE */
	[8] = 6,	/* CMDLINE */
	[9] = 7,	/* CGROUP */
	[10] = 8,	/* CAPS */
	[11] = 9,	/* SECLABEL */
	[12] = 10,	/* AUDIT */
	[13] = 12,	/* CONN_DESCRIPTION */
};

/* the items of a message or info record, sorted out */
struct meta {
	/* first item of each metadata kind, by attach bit */
	const struct kdbus_item *item[META_KINDS];
	unsigned int count[META_KINDS];
	__u64 mask;			/* attach bits of the kinds present */
	const struct kdbus_item *names[MAX_NAMES];	/* OWNED_NAME */
	unsigned int n_names;
	/* the items before the metadata (DST_NAME, PAYLOAD_*, FDS, ...) */
	const struct kdbus_item *plain[MAX_PLAIN];
	unsigned int n_plain;
};

static unsigned int kind_bit(__u64 attach)
{
	return (unsigned int)__builtin_ctzll(attach);
}

static const struct kdbus_item *kind(const struct meta *m, __u64 attach)
{
	return m->item[kind_bit(attach)];
}

/* "{CREDS,PIDS}" for @mask, into @buf */
static const char *kinds_str(__u64 mask, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	len += snprintf(buf + len, size - len, "{");
	for (i = 0; i < META_KINDS && len < size; i++)
		if (mask & (1ULL << i))
			len += snprintf(buf + len, size - len, "%s%s",
					len > 1 ? "," : "", kind_names[i]);
	if (len < size && (mask >> META_KINDS))
		len += snprintf(buf + len, size - len, "%s0x%llx",
				len > 1 ? "," : "",
				(unsigned long long)(mask >> META_KINDS <<
						     META_KINDS));
	if (len < size)
		snprintf(buf + len, size - len, "}");
	return buf;
}

static bool all_zero(const void *p, size_t n)
{
	const __u8 *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* whether the payload of a metadata item has the shape of its kind */
static bool item_shape_ok(const struct kdbus_item *it)
{
	size_t len = it->size - KDBUS_ITEM_HEADER_SIZE;

	switch (it->type) {
	case KDBUS_ITEM_TIMESTAMP:
		return len == sizeof(struct kdbus_timestamp);
	case KDBUS_ITEM_CREDS:
		return len == sizeof(struct kdbus_creds);
	case KDBUS_ITEM_PIDS:
		return len == sizeof(struct kdbus_pids);
	case KDBUS_ITEM_AUDIT:
		return len == sizeof(struct kdbus_audit);
	case KDBUS_ITEM_AUXGROUPS:
		return len % 8 == 0;
	case KDBUS_ITEM_CAPS:
		return len >= 4 && (len - 4) % 16 == 0;
	case KDBUS_ITEM_CMDLINE:
		/* NUL-separated, NUL-terminated */
		return len >= 1 && it->str[len - 1] == '\0';
	case KDBUS_ITEM_OWNED_NAME:
		return len >= sizeof(struct kdbus_name) + 2 &&
		       strnlen(it->name.name, len - 8) == len - 9;
	default:
		/* one NUL-terminated string */
		return len >= 1 && strnlen(it->str, len) == len - 1;
	}
}

/*
 * Walk the items in [@first, @end): every item 8-byte aligned, at least a
 * header, zero-padded, the last one (padding included) ending exactly at
 * @end; non-metadata items first, then metadata in the order of contract
 * 10.2, each kind at most once (OWNED_NAME any number of times), each of
 * the right shape. 0 or -EBADMSG (logged).
 */
static int meta_walk(const struct kdbus_item *first, const void *end_p,
		     struct meta *m)
{
	const __u8 *start = (const __u8 *)first, *p = start;
	const __u8 *end = end_p;
	int last_rank = -1;

	memset(m, 0, sizeof(*m));
	if ((uintptr_t)p % 8 || (uintptr_t)end % 8 || end < p) {
		kdbus_log("item range +0..%td not 8-byte aligned", end - p);
		return -EBADMSG;
	}
	while (p < end) {
		const struct kdbus_item *it = (const void *)p;
		size_t off = p - start;
		__u64 space;

		if ((size_t)(end - p) < KDBUS_ITEM_HEADER_SIZE ||
		    it->size < KDBUS_ITEM_HEADER_SIZE ||
		    it->size > (__u64)(end - p)) {
			kdbus_log("item at +%zu: size %llu, %td bytes left",
				  off, (size_t)(end - p) <
					KDBUS_ITEM_HEADER_SIZE ? 0ULL :
					(unsigned long long)it->size,
				  end - p);
			return -EBADMSG;
		}
		space = KDBUS_ALIGN8(it->size);
		if (space > (__u64)(end - p)) {
			kdbus_log("item 0x%llx at +%zu: padding runs past the end",
				  (unsigned long long)it->type, off);
			return -EBADMSG;
		}
		if (!all_zero(p + it->size, space - it->size)) {
			kdbus_log("item 0x%llx at +%zu: padding not zero",
				  (unsigned long long)it->type, off);
			return -EBADMSG;
		}
		if (it->type >= _KDBUS_ITEM_ATTACH_BASE &&
		    it->type < _KDBUS_ITEM_ATTACH_BASE + META_KINDS) {
			unsigned int bit = it->type - _KDBUS_ITEM_ATTACH_BASE;
			int rank = kind_rank[bit];

			if (rank < last_rank ||
			    (rank == last_rank &&
			     it->type != KDBUS_ITEM_OWNED_NAME)) {
				kdbus_log("%s at +%zu out of order (or twice)",
					  kind_names[bit], off);
				return -EBADMSG;
			}
			last_rank = rank;
			if (!item_shape_ok(it)) {
				kdbus_log("%s at +%zu: malformed (size %llu)",
					  kind_names[bit], off,
					  (unsigned long long)it->size);
				return -EBADMSG;
			}
			if (!m->item[bit])
				m->item[bit] = it;
			m->count[bit]++;
			m->mask |= 1ULL << bit;
			if (it->type == KDBUS_ITEM_OWNED_NAME &&
			    m->n_names < MAX_NAMES)
				m->names[m->n_names++] = it;
		} else {
			if (last_rank >= 0) {
				kdbus_log("item 0x%llx at +%zu after metadata",
					  (unsigned long long)it->type, off);
				return -EBADMSG;
			}
			if (m->n_plain < MAX_PLAIN)
				m->plain[m->n_plain++] = it;
		}
		p += space;
	}
	return 0;
}

/*
 * Check a received message in a slice of @slice bytes (contract 5.10):
 * kdbus_msg.size 8-byte aligned and ending exactly after the last item;
 * inline payload (found through the PAYLOAD_OFF offsets) inside the slice
 * at or after kdbus_msg.size, starting 8-byte aligned; the gap before it
 * and everything after it zero. Fills @m. 0 or -EBADMSG (logged).
 */
static int meta_msg(const struct kdbus_msg *msg, __u64 slice, struct meta *m)
{
	const __u8 *base = (const __u8 *)msg;
	__u64 pay_start = ~0ULL, pay_end;
	unsigned int i;
	int ret;

	if (msg->size < sizeof(*msg) || msg->size % 8 || msg->size > slice) {
		kdbus_log("kdbus_msg.size %llu, slice %llu",
			  (unsigned long long)msg->size,
			  (unsigned long long)slice);
		return -EBADMSG;
	}
	ret = meta_walk(msg->items, base + msg->size, m);
	if (ret)
		return ret;
	pay_end = msg->size;
	for (i = 0; i < m->n_plain; i++) {
		const struct kdbus_item *it = m->plain[i];
		__u64 off = it->vec.offset, len = it->vec.size;

		if (it->type != KDBUS_ITEM_PAYLOAD_OFF || off == ~0ULL)
			continue;
		if (off < msg->size || off > slice || len > slice - off) {
			kdbus_log("PAYLOAD_OFF %llu+%llu outside [%llu, %llu)",
				  (unsigned long long)off,
				  (unsigned long long)len,
				  (unsigned long long)msg->size,
				  (unsigned long long)slice);
			return -EBADMSG;
		}
		if (off < pay_start)
			pay_start = off;
		if (off + len > pay_end)
			pay_end = off + len;
	}
	if (pay_start == ~0ULL) {
		pay_start = msg->size;
	} else if (pay_start % 8) {
		kdbus_log("payload starts at unaligned offset %llu",
			  (unsigned long long)pay_start);
		return -EBADMSG;
	}
	if (!all_zero(base + msg->size, pay_start - msg->size)) {
		kdbus_log("gap %llu..%llu between items and payload not zero",
			  (unsigned long long)msg->size,
			  (unsigned long long)pay_start);
		return -EBADMSG;
	}
	if (!all_zero(base + pay_end, slice - pay_end)) {
		kdbus_log("bytes %llu..%llu after the payload not zero",
			  (unsigned long long)pay_end,
			  (unsigned long long)slice);
		return -EBADMSG;
	}
	return 0;
}

/* a kdbus_info of @info_size bytes: size fields agree, items tile it */
static int meta_info(const struct kdbus_info *info, __u64 info_size,
		     struct meta *m)
{
	if (!info)
		return -EBADMSG;
	if (info->size != info_size || info->size < sizeof(*info) ||
	    info->size % 8) {
		kdbus_log("kdbus_info.size %llu, info_size %llu",
			  (unsigned long long)info->size,
			  (unsigned long long)info_size);
		return -EBADMSG;
	}
	return meta_walk(info->items, (const __u8 *)info + info->size, m);
}

/* ------------------------------------------------------------------ */
/* files, ids and capabilities of the calling task                    */
/* ------------------------------------------------------------------ */

/* @path into @buf (always NUL-terminated): bytes read or -errno */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	size_t done = 0;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < size - 1) {
		n = read(fd, buf + done, size - 1 - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			close(fd);
			return ret;
		}
		if (!n)
			break;
		done += n;
	}
	close(fd);
	buf[done] = '\0';
	return done;
}

static int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != (ssize_t)len)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

static int read_u64_file(const char *path, __u64 *v)
{
	char buf[64], *end;
	ssize_t n = read_file(path, buf, sizeof(buf));

	if (n < 0)
		return n;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

/* a one-line file without its newline */
static int read_line(const char *path, char *buf, size_t size)
{
	ssize_t n = read_file(path, buf, size);

	if (n < 0)
		return n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		buf[--n] = '\0';
	return 0;
}

/*
 * The LSM label the kernel reports for the calling task, or "" if there
 * is none (no /proc/self/attr/current, or empty).
 */
static void own_seclabel(char *buf, size_t size)
{
	if (read_line("/proc/self/attr/current", buf, size) < 0)
		buf[0] = '\0';
}

/* the cgroup v2 path of the calling task ("0::<path>" of /proc/self/cgroup) */
static int own_cgroup_line(char *buf, size_t size)
{
	char data[4096], *line, *save = NULL;
	ssize_t n = read_file("/proc/self/cgroup", data, sizeof(data));

	if (n < 0)
		return n;
	for (line = strtok_r(data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "0::", 3))
			continue;
		snprintf(buf, size, "%s", line + 3);
		return 0;
	}
	return -ENOENT;
}

/*
 * The v2 path of the calling task. /proc/self/cgroup has no "0::" line
 * until a cgroup2 file system has been mounted once: mount one briefly.
 */
static int own_cgroup(char *buf, size_t size)
{
	char dir[] = "/tmp/kdbus-cg2-XXXXXX";

	if (own_cgroup_line(buf, size) == 0)
		return 0;
	if (!mkdtemp(dir))
		return -errno;
	if (mount("cgroup2", dir, "cgroup2", 0, NULL) == 0)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
	return own_cgroup_line(buf, size);
}

/* the calling task's uid, euid, suid, fsuid, gid, egid, sgid, fsgid */
static void own_creds(__u64 c[8])
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	getresuid(&r, &e, &s);
	getresgid(&rg, &eg, &sg);
	c[0] = r;
	c[1] = e;
	c[2] = s;
	c[3] = (uid_t)setfsuid(-1);	/* invalid id: only reports */
	c[4] = rg;
	c[5] = eg;
	c[6] = sg;
	c[7] = (gid_t)setfsgid(-1);
}

/* supplementary groups in getgroups() order, as __u64; count or -errno */
static int own_groups(__u64 *g, int max)
{
	gid_t list[64];
	int n, i;

	n = getgroups(64, list);
	if (n < 0)
		return -errno;
	if (n > max)
		return -E2BIG;
	for (i = 0; i < n; i++)
		g[i] = list[i];
	return n;
}

/* what a CAPS item holds: last_cap, then 4 sets of 2 words */
struct capset8 {
	__u32 last_cap;
	__u32 caps[8];
};

static int caps_now(struct capset8 *c)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	unsigned int i;
	__u64 last;
	int ret;

	ret = read_u64_file("/proc/sys/kernel/cap_last_cap", &last);
	if (ret)
		return ret;
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	memset(c, 0, sizeof(*c));
	c->last_cap = last;
	for (i = 0; i < 2; i++) {
		c->caps[0 + i] = data[i].inheritable;
		c->caps[2 + i] = data[i].permitted;
		c->caps[4 + i] = data[i].effective;
	}
	for (i = 0; i <= last && i < 64; i++) {
		ret = prctl(PR_CAPBSET_READ, i, 0, 0, 0);
		if (ret < 0)
			return -errno;
		if (ret)
			c->caps[6 + i / 32] |= 1U << (i % 32);
	}
	return 0;
}

/* the kinds a sender in this system can have collected (same namespaces) */
static __u64 env_kinds(void)
{
	__u64 k = A_TS | A_CREDS | A_PIDS | A_AUX | A_TCOMM | A_PCOMM |
		  A_EXE | A_CMDLINE | A_CAPS;
	char label[256];

	if (access("/proc/self/cgroup", F_OK) == 0)
		k |= A_CGROUP;
	if (access("/proc/self/loginuid", F_OK) == 0)
		k |= A_AUDIT;
	own_seclabel(label, sizeof(label));
	if (label[0])
		k |= A_LABEL;
	return k;
}

/* env_kinds() plus OWNED_NAME and CONN_DESCRIPTION if the sender has them */
static __u64 sender_kinds(bool names, bool desc)
{
	return env_kinds() | (names ? A_NAMES : 0) | (desc ? A_DESC : 0);
}

/* ------------------------------------------------------------------ */
/* connections, messages, children                                    */
/* ------------------------------------------------------------------ */

/* HELLO on the default endpoint of @bus with the given masks: 0 or -errno */
static int conn_make(struct kdbus_conn *c, const struct kdbus_domain *dom,
		     const char *bus, __u64 hello_flags, __u64 send,
		     __u64 recv, const char *desc)
{
	return kdbus_conn_new_attach(c, dom, bus, hello_flags, send, recv,
				     desc);
}

static int send_str(struct kdbus_conn *c, __u64 dst, __u64 cookie,
		    const char *s)
{
	return kdbus_send_simple(c, dst, cookie, 0, 0, s, strlen(s));
}

/* a received message, checked */
struct rmsg {
	struct kdbus_msg *msg;
	__u64 offset;
	__u64 slice;
	struct meta m;
};

/* wait for, receive and check the next message of @c: 0 or -errno */
static int recv_parse(struct kdbus_conn *c, struct rmsg *r)
{
	struct kdbus_cmd_recv cmd;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = kdbus_recv_wait(c, WAIT_MS, &cmd, &r->msg);
	if (ret < 0)
		return ret;
	if (!r->msg)
		return -EBADMSG;
	r->offset = cmd.msg.offset;
	r->slice = cmd.msg.msg_size;
	ret = meta_msg(r->msg, r->slice, &r->m);
	if (ret)
		kdbus_free(c, r->offset);
	return ret;
}

/* a CONN_INFO / BUS_CREATOR_INFO result, checked */
struct rinfo {
	struct kdbus_info *info;
	__u64 offset;
	__u64 size;
	struct meta m;
};

static int info_check(struct kdbus_conn *c, struct rinfo *r)
{
	int ret;

	r->info = kdbus_pool_info(c, r->offset);
	ret = meta_info(r->info, r->size, &r->m);
	if (ret)
		kdbus_free(c, r->offset);
	return ret;
}

/* CONN_INFO of @id (or @name) with @attach by @c: 0 or -errno */
static int info_get(struct kdbus_conn *c, __u64 id, const char *name,
		    __u64 attach, struct rinfo *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	ret = kdbus_conn_info(c, id, name, attach, &r->offset, &r->size);
	return ret < 0 ? ret : info_check(c, r);
}

static int creator_get(struct kdbus_conn *c, __u64 attach, struct rinfo *r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	ret = kdbus_bus_creator_info(c, attach, &r->offset, &r->size);
	return ret < 0 ? ret : info_check(c, r);
}

/* full read / write on a pipe, waiting up to WAIT_MS for each chunk */
static int xread(int fd, void *buf, size_t len)
{
	return kdbus_read_full(fd, buf, len, WAIT_MS);
}

static int xwrite(int fd, const void *buf, size_t len)
{
	return kdbus_write_full(fd, buf, len);
}

/* one byte each way between the test and a child */
struct chan {
	int up[2];	/* child -> test */
	int down[2];	/* test -> child */
};

static int chan_open(struct chan *ch)
{
	int ret;

	if (pipe2(ch->up, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(ch->down, O_CLOEXEC) < 0) {
		ret = -errno;
		close(ch->up[0]);
		close(ch->up[1]);
		return ret;
	}
	return 0;
}

static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* after fork(): each side closes the ends it does not use */
static void chan_child_side(struct chan *ch)
{
	fd_close(&ch->up[0]);
	fd_close(&ch->down[1]);
}

static void chan_test_side(struct chan *ch)
{
	fd_close(&ch->up[1]);
	fd_close(&ch->down[0]);
}

static void chan_close(struct chan *ch)
{
	fd_close(&ch->up[0]);
	fd_close(&ch->up[1]);
	fd_close(&ch->down[0]);
	fd_close(&ch->down[1]);
}

static int chan_put(int fd, char c)
{
	return xwrite(fd, &c, 1);
}

/* the next byte, or -errno */
static int chan_get(int fd)
{
	unsigned char c;
	int ret = xread(fd, &c, 1);

	return ret < 0 ? ret : c;
}

/* what a child needs */
struct ctx {
	struct chan ch;
	struct kdbus_conn *conn;	/* the connection it uses */
	__u64 dst;			/* where it sends */
	const struct kdbus_domain *dom;
	const char *bus;
	const char *path;
	__u64 arg[8];
	int fds[2];
};

/* fork and run @fn(@arg) as root in the child: pid or -errno */
static pid_t spawn(int (*fn)(void *), struct ctx *c)
{
	pid_t pid = kdbus_spawn_as(0, 0, fn, c);

	if (pid > 0)
		chan_test_side(&c->ch);
	return pid;
}

/*
 * Child: receive the next message of @c and copy its slice to @fd (its
 * size first), then FREE it: 0 or -errno.
 */
static int ship_msg(struct kdbus_conn *c, int fd)
{
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *msg;
	__u64 size;
	int ret;

	ret = kdbus_recv_wait(c, WAIT_MS, &cmd, &msg);
	if (ret < 0)
		return ret;
	size = cmd.msg.msg_size;
	if (!msg || size > SHIP_MAX)
		ret = -EMSGSIZE;
	else
		ret = xwrite(fd, &size, sizeof(size));
	if (!ret)
		ret = xwrite(fd, msg, size);
	kdbus_free(c, cmd.msg.offset);
	return ret;
}

/* a message slice copied from a child */
struct shipped {
	__u64 buf[SHIP_MAX / 8];
	__u64 size;
	struct kdbus_msg *msg;
	struct meta m;
};

static int unship(int fd, struct shipped *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = xread(fd, &s->size, sizeof(s->size));
	if (ret)
		return ret;
	if (s->size < sizeof(struct kdbus_msg) || s->size > SHIP_MAX)
		return -EMSGSIZE;
	ret = xread(fd, s->buf, s->size);
	if (ret)
		return ret;
	s->msg = (struct kdbus_msg *)s->buf;
	return meta_msg(s->msg, s->size, &s->m);
}

/* child: switch groups, gids and uids (in that order) */
static int become(const gid_t *groups, size_t n, gid_t rg, gid_t eg, gid_t sg,
		  uid_t ru, uid_t eu, uid_t su)
{
	if (setgroups(n, groups) < 0 || setresgid(rg, eg, sg) < 0 ||
	    setresuid(ru, eu, su) < 0) {
		kdbus_log("cannot switch ids: %m");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* checks                                                             */
/* ------------------------------------------------------------------ */

static void expect_kinds(struct __test_metadata *_metadata, __u64 got,
			 __u64 want, const char *what)
{
	char g[512], w[512];

	EXPECT_EQ(want, got)
		TH_LOG("%s: got %s, want %s", what, kinds_str(got, g, sizeof(g)),
		       kinds_str(want, w, sizeof(w)));
}

/* one string item holding exactly @want */
static void expect_str(struct __test_metadata *_metadata,
		       const struct kdbus_item *it, const char *want,
		       const char *what)
{
	ASSERT_NE(NULL, it) TH_LOG("%s: item missing", what);
	EXPECT_EQ((__u64)(KDBUS_ITEM_HEADER_SIZE + strlen(want) + 1), it->size)
		TH_LOG("%s: size", what);
	EXPECT_STREQ(want, it->str) TH_LOG("%s", what);
}

/* an item whose payload is exactly the @len bytes at @want */
static void expect_bytes(struct __test_metadata *_metadata,
			 const struct kdbus_item *it, const void *want,
			 size_t len, const char *what)
{
	ASSERT_NE(NULL, it) TH_LOG("%s: item missing", what);
	ASSERT_EQ((__u64)(KDBUS_ITEM_HEADER_SIZE + len), it->size)
		TH_LOG("%s: size", what);
	EXPECT_EQ(0, memcmp(want, it->data, len)) TH_LOG("%s: content", what);
}

static void expect_creds(struct __test_metadata *_metadata,
			 const struct kdbus_item *it, const __u64 want[8],
			 const char *what)
{
	static const char *const field[8] = {
		"uid", "euid", "suid", "fsuid", "gid", "egid", "sgid", "fsgid",
	};
	const __u64 got[8] = {
		it ? it->creds.uid : 0, it ? it->creds.euid : 0,
		it ? it->creds.suid : 0, it ? it->creds.fsuid : 0,
		it ? it->creds.gid : 0, it ? it->creds.egid : 0,
		it ? it->creds.sgid : 0, it ? it->creds.fsgid : 0,
	};
	char label[160];
	unsigned int i;

	ASSERT_NE(NULL, it) TH_LOG("%s: no CREDS item", what);
	EXPECT_EQ(80ULL, it->size) TH_LOG("%s: CREDS size", what);
	for (i = 0; i < 8; i++) {
		snprintf(label, sizeof(label), "%s: %s", what, field[i]);
		EXPECT_EQ(want[i], got[i]) TH_LOG("%s", label);
	}
}

static void expect_pids(struct __test_metadata *_metadata,
			const struct kdbus_item *it, __u64 pid, __u64 tid,
			__u64 ppid, const char *what)
{
	ASSERT_NE(NULL, it) TH_LOG("%s: no PIDS item", what);
	EXPECT_EQ(40ULL, it->size) TH_LOG("%s: PIDS size", what);
	EXPECT_EQ(pid, it->pids.pid) TH_LOG("%s: pid", what);
	EXPECT_EQ(tid, it->pids.tid) TH_LOG("%s: tid", what);
	EXPECT_EQ(ppid, it->pids.ppid) TH_LOG("%s: ppid", what);
}

static void expect_u64s(struct __test_metadata *_metadata,
			const struct kdbus_item *it, const __u64 *want,
			unsigned int n, const char *what)
{
	unsigned int i;

	ASSERT_NE(NULL, it) TH_LOG("%s: item missing", what);
	ASSERT_EQ((__u64)(KDBUS_ITEM_HEADER_SIZE + 8 * n), it->size)
		TH_LOG("%s: size (%u entries expected)", what, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(want[i], it->data64[i]) TH_LOG("%s: entry %u", what, i);
}

static void expect_caps(struct __test_metadata *_metadata,
			const struct kdbus_item *it, const struct capset8 *want,
			const char *what)
{
	static const char *const set[4] = {
		"inheritable", "permitted", "effective", "bounding",
	};
	char label[160];
	unsigned int i;

	ASSERT_NE(NULL, it) TH_LOG("%s: no CAPS item", what);
	ASSERT_EQ(52ULL, it->size) TH_LOG("%s: CAPS size", what);
	EXPECT_EQ(want->last_cap, it->caps.last_cap) TH_LOG("%s", what);
	for (i = 0; i < 8; i++) {
		snprintf(label, sizeof(label), "%s: %s word %u", what,
			 set[i / 2], i % 2);
		EXPECT_EQ(want->caps[i], it->caps.caps[i]) TH_LOG("%s", label);
	}
}

static void expect_audit(struct __test_metadata *_metadata,
			 const struct kdbus_item *it, __u32 sessionid,
			 __u32 loginuid, const char *what)
{
	ASSERT_NE(NULL, it) TH_LOG("%s: no AUDIT item", what);
	EXPECT_EQ(24ULL, it->size) TH_LOG("%s: AUDIT size", what);
	EXPECT_EQ(sessionid, it->audit.sessionid) TH_LOG("%s: sessionid", what);
	EXPECT_EQ(loginuid, it->audit.loginuid) TH_LOG("%s: loginuid", what);
}

/* own /proc/self/{sessionid,loginuid} */
static int own_audit(__u32 *sessionid, __u32 *loginuid)
{
	__u64 s, l;
	int ret;

	ret = read_u64_file("/proc/self/sessionid", &s);
	if (!ret)
		ret = read_u64_file("/proc/self/loginuid", &l);
	if (ret)
		return ret;
	*sessionid = s;
	*loginuid = l;
	return 0;
}

/*
 * The value of every process item in @m, as captured from the calling
 * process's main thread (unchanged since then).
 */
static void expect_self(struct __test_metadata *_metadata,
			const struct meta *m, const char *what)
{
	char buf[4096], exe[4096];
	struct capset8 caps;
	__u32 sid, luid;
	__u64 c[8], g[64];
	ssize_t len;
	int n;

	if (kind(m, A_CREDS)) {
		own_creds(c);
		expect_creds(_metadata, kind(m, A_CREDS), c, what);
	}
	if (kind(m, A_PIDS))
		expect_pids(_metadata, kind(m, A_PIDS), getpid(), getpid(),
			    getppid(), what);
	if (kind(m, A_AUX)) {
		n = own_groups(g, 64);
		ASSERT_LE(0, n);
		expect_u64s(_metadata, kind(m, A_AUX), g, n, what);
	}
	ASSERT_EQ(0, read_line("/proc/self/comm", buf, sizeof(buf)));
	if (kind(m, A_TCOMM))
		expect_str(_metadata, kind(m, A_TCOMM), buf, what);
	if (kind(m, A_PCOMM))
		expect_str(_metadata, kind(m, A_PCOMM), buf, what);
	if (kind(m, A_EXE)) {
		len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		ASSERT_LT(0, len);
		exe[len] = '\0';
		expect_str(_metadata, kind(m, A_EXE), exe, what);
	}
	if (kind(m, A_CMDLINE)) {
		len = read_file("/proc/self/cmdline", buf, sizeof(buf));
		ASSERT_LT(0, len);
		expect_bytes(_metadata, kind(m, A_CMDLINE), buf, len, what);
	}
	if (kind(m, A_CGROUP)) {
		ASSERT_EQ(0, own_cgroup(buf, sizeof(buf)));
		expect_str(_metadata, kind(m, A_CGROUP), buf, what);
	}
	if (kind(m, A_CAPS)) {
		ASSERT_EQ(0, caps_now(&caps));
		expect_caps(_metadata, kind(m, A_CAPS), &caps, what);
	}
	if (kind(m, A_LABEL)) {
		own_seclabel(buf, sizeof(buf));
		expect_str(_metadata, kind(m, A_LABEL), buf, what);
	}
	if (kind(m, A_AUDIT)) {
		ASSERT_EQ(0, own_audit(&sid, &luid));
		expect_audit(_metadata, kind(m, A_AUDIT), sid, luid, what);
	}
}

/* ------------------------------------------------------------------ */
/* fixture                                                            */
/* ------------------------------------------------------------------ */

FIXTURE(metadata) {
	struct kdbus_domain dom;
	int owner;		/* BUS_OWNER handle of bus */
	char bus[64];		/* "<euid>-meta", made with ACCESS_WORLD */
	__u64 saved_mask;	/* attach_flags_mask before the test */
	bool mask_saved;
};

FIXTURE_SETUP(metadata)
{
	__u64 mask;
	int ret;

	self->owner = -1;
	self->mask_saved = false;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
				       "meta", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->owner);
	ret = kdbus_attach_mask(&mask);
	ASSERT_EQ(0, ret)
		TH_LOG("cannot read %s: %s", MASK_PATH, strerror(-ret));
	self->saved_mask = mask;
	self->mask_saved = true;
	/* the last step that can fail: nothing to undo if it does */
	ret = kdbus_set_attach_mask(~0ULL);
	ASSERT_EQ(0, ret)
		TH_LOG("cannot write %s: %s", MASK_PATH, strerror(-ret));
}

/*
 * Runs in the harness's parent process (self is shared): restores the
 * module parameter even if the test process crashed. The domain was
 * mounted in the test process's private mount namespace, which is gone;
 * only its mount point is left to remove.
 */
FIXTURE_TEARDOWN_PARENT(metadata)
{
	int ret;

	if (self->mask_saved) {
		ret = kdbus_set_attach_mask(self->saved_mask);
		EXPECT_EQ(0, ret)
			TH_LOG("cannot restore %s to %llu: %s", MASK_PATH,
			       (unsigned long long)self->saved_mask,
			       strerror(-ret));
	}
	kdbus_domain_umount(&self->dom);
}

/* ------------------------------------------------------------------ */
/* the module parameter                                               */
/* ------------------------------------------------------------------ */

/* attach_flags_mask: 0644, decimal u64, default 0x281F, round trips */
TEST_F(metadata, module_mask_param)
{
	static const __u64 vals[] = { 2, 0, DEFAULT_MASK, ALL, ~0ULL };
	char buf[64], want[64];
	struct stat st;
	unsigned int i;
	__u64 v;

	EXPECT_EQ(DEFAULT_MASK, self->saved_mask)
		TH_LOG("attach_flags_mask was %llu, not the default 0x281F",
		       (unsigned long long)self->saved_mask);
	ASSERT_EQ(0, stat(MASK_PATH, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0644U, st.st_mode & 07777U);
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		ASSERT_EQ(0, kdbus_set_attach_mask(vals[i]));
		ASSERT_LT(0, read_file(MASK_PATH, buf, sizeof(buf)));
		snprintf(want, sizeof(want), "%llu\n",
			 (unsigned long long)vals[i]);
		EXPECT_STREQ(want, buf);
		ASSERT_EQ(0, kdbus_attach_mask(&v));
		EXPECT_EQ(vals[i], v);
	}
}

/*
 * Narrowing the module mask at run time narrows every selection: messages,
 * CONN_INFO, BUS_CREATOR_INFO and notifications, even though both
 * connections ask for everything.
 */
TEST_F(metadata, module_mask_narrows)
{
	const __u64 all = ALL;
	struct kdbus_conn s, r, n, c2;
	struct rinfo info;
	struct rmsg m;
	char name[64];
	__u64 want;
	int ctl;

	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	kdbus_name(name, sizeof(name), "meta-mask");
	ASSERT_EQ(0, kdbus_bus_make_attach(ctl, 0, name, 64, 1, &all, NULL));
	ASSERT_EQ(0, conn_make(&c2, &self->dom, name, 0, ALL, ALL, NULL));
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, ALL,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, ALL, ALL, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&s, NAME_A, 0, NULL));
	ASSERT_EQ(0, kdbus_match_id_add(&r, 1, KDBUS_MATCH_ID_ANY));

	/* CREDS only */
	ASSERT_EQ(0, kdbus_set_attach_mask(A_CREDS));
	ASSERT_EQ(0, send_str(&s, r.id, 1, "creds"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_CREDS, "message, mask CREDS");
	EXPECT_EQ((__u64)(64 + 32 + 80), m.msg->size);
	expect_self(_metadata, &m.m, "message, mask CREDS");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	ASSERT_EQ(0, info_get(&r, s.id, NULL, ALL, &info));
	expect_kinds(_metadata, info.m.mask, A_CREDS, "CONN_INFO, mask CREDS");
	EXPECT_EQ(0, kdbus_free(&r, info.offset));

	ASSERT_EQ(0, creator_get(&c2, ALL, &info));
	expect_kinds(_metadata, info.m.mask, A_CREDS,
		     "BUS_CREATOR_INFO, mask CREDS");
	EXPECT_EQ(0, kdbus_free(&c2, info.offset));

	/* a notification: no TIMESTAMP */
	ASSERT_EQ(0, conn_make(&n, &self->dom, self->bus, 0, ALL, ALL, NULL));
	ASSERT_EQ(0, recv_parse(&r, &m));
	EXPECT_EQ(96ULL, m.msg->size);
	expect_kinds(_metadata, m.m.mask, 0, "ID_ADD, mask CREDS");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));
	kdbus_conn_free(&n);
	ASSERT_EQ(0, kdbus_match_remove(&r, 1));

	/* the historical default */
	ASSERT_EQ(0, kdbus_set_attach_mask(DEFAULT_MASK));
	want = DEFAULT_MASK & sender_kinds(true, true);
	ASSERT_EQ(0, send_str(&s, r.id, 2, "default"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, want, "message, default mask");
	expect_self(_metadata, &m.m, "message, default mask");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));
	ASSERT_EQ(0, info_get(&r, s.id, NULL, ALL, &info));
	expect_kinds(_metadata, info.m.mask, want & ~A_TS,
		     "CONN_INFO, default mask");
	EXPECT_EQ(0, kdbus_free(&r, info.offset));

	/* nothing at all */
	ASSERT_EQ(0, kdbus_set_attach_mask(0));
	ASSERT_EQ(0, send_str(&s, r.id, 3, "none"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, 0, "message, mask 0");
	EXPECT_EQ((__u64)(64 + 32), m.msg->size);
	EXPECT_EQ(0, kdbus_free(&r, m.offset));
	ASSERT_EQ(0, info_get(&r, s.id, NULL, ALL, &info));
	EXPECT_EQ((__u64)sizeof(struct kdbus_info), info.info->size);
	EXPECT_EQ(0, kdbus_free(&r, info.offset));
	ASSERT_EQ(0, creator_get(&c2, ALL, &info));
	expect_kinds(_metadata, info.m.mask, 0, "BUS_CREATOR_INFO, mask 0");
	EXPECT_EQ(1U, info.m.n_plain);
	EXPECT_EQ(0, kdbus_free(&c2, info.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
	kdbus_conn_free(&c2);
	close(ctl);
}

/* ------------------------------------------------------------------ */
/* layout                                                             */
/* ------------------------------------------------------------------ */

/*
 * Everything on both sides: one item of each available kind, in the
 * order of contract 10.2, after DST_NAME, PAYLOAD_OFF, PAYLOAD_MEMFD and
 * FDS; kdbus_msg.size ends after the last one; the payload is intact.
 */
TEST_F(metadata, layout_order)
{
	static const char data[] = "metadata payload, 29 bytes..";
	struct kdbus_conn s, r;
	struct kdbus_msg *msg;
	struct rmsg m;
	unsigned int i;
	int memfd, pfd[2];
	char what[64];
	__u64 want;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus,
			       KDBUS_HELLO_ACCEPT_FD, 0, ALL, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&s, NAME_A, 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&r, NAME_B, 0, NULL));
	want = sender_kinds(true, true);

	/* a plain unicast with one vector */
	ASSERT_EQ(0, send_str(&s, r.id, 1, "hello"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, want, "unicast");
	for (i = 0; i < META_KINDS; i++) {
		snprintf(what, sizeof(what), "count of %s", kind_names[i]);
		EXPECT_EQ((want >> i) & 1 ? 1U : 0U, m.m.count[i])
			TH_LOG("%s", what);
	}
	ASSERT_EQ(1U, m.m.n_plain);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, m.m.plain[0]->type);
	EXPECT_EQ(s.id, m.msg->src_id);
	EXPECT_EQ(r.id, m.msg->dst_id);
	EXPECT_EQ(1ULL, m.msg->cookie);
	EXPECT_TRUE(kdbus_msg_payload_is(m.msg, "hello"));
	expect_self(_metadata, &m.m, "unicast");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	/* by name, with a vector, a memfd and an fd */
	memfd = kdbus_sealed_memfd(100, 'm');
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	msg = kdbus_msg_new(KDBUS_DST_ID_NAME, 2);
	kdbus_msg_add_dst_name(msg, NAME_B);
	kdbus_msg_add_vec(msg, data, sizeof(data) - 1);
	kdbus_msg_add_memfd(msg, memfd, 0, 100);
	kdbus_msg_add_fds(msg, &pfd[0], 1);
	ASSERT_EQ(0, kdbus_send(&s, msg, 0, -1, NULL));
	kdbus_msg_release(msg);
	close(memfd);
	close(pfd[0]);
	close(pfd[1]);

	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, want, "by name with fds");
	ASSERT_EQ(4U, m.m.n_plain);
	EXPECT_EQ((__u64)KDBUS_ITEM_DST_NAME, m.m.plain[0]->type);
	EXPECT_STREQ(NAME_B, m.m.plain[0]->str);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_OFF, m.m.plain[1]->type);
	EXPECT_EQ((__u64)KDBUS_ITEM_PAYLOAD_MEMFD, m.m.plain[2]->type);
	EXPECT_EQ((__u64)KDBUS_ITEM_FDS, m.m.plain[3]->type);
	EXPECT_EQ(20ULL, m.m.plain[3]->size);
	EXPECT_TRUE(kdbus_msg_payload_is(m.msg, data));
	if (m.m.plain[2]->memfd.fd >= 0)
		close(m.m.plain[2]->memfd.fd);
	if (m.m.plain[3]->fds[0] >= 0)
		close(m.m.plain[3]->fds[0]);
	expect_self(_metadata, &m.m, "by name with fds");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* ------------------------------------------------------------------ */
/* values of each kind                                                */
/* ------------------------------------------------------------------ */

/*
 * Child: switch to ids arg[0..2] / arg[3..5], send (cookie 1), then move
 * fsuid/fsgid to the saved ids and send again (cookie 2).
 */
static int child_creds(void *arg)
{
	struct ctx *c = arg;

	chan_child_side(&c->ch);
	if (become(NULL, 0, c->arg[3], c->arg[4], c->arg[5],
		   c->arg[0], c->arg[1], c->arg[2]))
		return 10;
	if (send_str(c->conn, c->dst, 1, "creds-1"))
		return 11;
	setfsuid(c->arg[2]);
	setfsgid(c->arg[5]);
	if ((uid_t)setfsuid(-1) != (uid_t)c->arg[2] ||
	    (gid_t)setfsgid(-1) != (gid_t)c->arg[5])
		return 12;
	if (send_str(c->conn, c->dst, 2, "creds-2"))
		return 13;
	return 0;
}

/* run child_creds() with the ids @ids (uid, euid, suid, gid, egid, sgid) */
static void check_creds_child(struct __test_metadata *_metadata,
			      struct kdbus_conn *s, struct kdbus_conn *r,
			      const __u64 ids[6])
{
	const __u64 want1[8] = {
		ids[0], ids[1], ids[2], ids[1], ids[3], ids[4], ids[5], ids[4],
	};
	const __u64 want2[8] = {
		ids[0], ids[1], ids[2], ids[2], ids[3], ids[4], ids[5], ids[5],
	};
	struct ctx c = { .conn = s, .dst = r->id };
	struct rmsg m;
	pid_t pid;

	memcpy(c.arg, ids, 6 * sizeof(__u64));
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_creds, &c);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);

	ASSERT_EQ(0, recv_parse(r, &m));
	expect_kinds(_metadata, m.m.mask, A_CREDS | A_PIDS, "creds 1");
	expect_creds(_metadata, kind(&m.m, A_CREDS), want1,
		     "after setresuid/setresgid");
	expect_pids(_metadata, kind(&m.m, A_PIDS), pid, pid, getpid(),
		    "creds child");
	EXPECT_EQ(0, kdbus_free(r, m.offset));
	ASSERT_EQ(0, recv_parse(r, &m));
	expect_creds(_metadata, kind(&m.m, A_CREDS), want2,
		     "after setfsuid/setfsgid");
	EXPECT_EQ(0, kdbus_free(r, m.offset));
}

/* CREDS: the sending task's 8 ids at SEND time, zero-extended to 64 bits */
TEST_F(metadata, creds_values)
{
	static const __u64 ids[6] = { UID1, UID2, UID3, GID1, GID2, GID3 };
	/* ids with the top bit set: zero-extended, not sign-extended */
	static const __u64 big[6] = {
		3000000001U, 3000000002U, 3000000003U,
		4000000001U, 4000000002U, 4000000003U,
	};
	struct kdbus_conn s, r;
	struct rmsg m;
	__u64 mine[8];

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0,
			       A_CREDS | A_PIDS, NULL));

	/* the test process itself */
	ASSERT_EQ(0, send_str(&s, r.id, 1, "root"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	own_creds(mine);
	expect_creds(_metadata, kind(&m.m, A_CREDS), mine, "test process");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	check_creds_child(_metadata, &s, &r, ids);
	check_creds_child(_metadata, &s, &r, big);

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* child: set supplementary groups, report getgroups(), send; then none */
static int child_groups(void *arg)
{
	static const gid_t groups[] = { 3003, 3001, 3002 };
	struct ctx *c = arg;
	__u64 g[64];
	int n;

	chan_child_side(&c->ch);
	if (setgroups(ARRAY_SIZE(groups), groups) < 0)
		return 10;
	n = own_groups(g, 64);
	if (n < 0)
		return 11;
	if (xwrite(c->ch.up[1], &n, sizeof(n)) ||
	    xwrite(c->ch.up[1], g, n * sizeof(g[0])))
		return 12;
	if (send_str(c->conn, c->dst, 1, "groups"))
		return 13;
	if (setgroups(0, NULL) < 0)
		return 14;
	if (send_str(c->conn, c->dst, 2, "no groups"))
		return 15;
	return 0;
}

/* AUXGROUPS: one __u64 per supplementary gid, getgroups() order; empty */
TEST_F(metadata, auxgroups_values)
{
	struct ctx c = { 0 };
	struct kdbus_conn s, r;
	struct rmsg m;
	__u64 g[64];
	pid_t pid;
	int n = -1;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, A_AUX, NULL));
	c.conn = &s;
	c.dst = r.id;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_groups, &c);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, xread(c.ch.up[0], &n, sizeof(n)));
	ASSERT_EQ(3, n);
	EXPECT_EQ(0, xread(c.ch.up[0], g, n * sizeof(g[0])));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);

	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_AUX, "three groups");
	expect_u64s(_metadata, kind(&m.m, A_AUX), g, n, "three groups");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_AUX, "no groups");
	expect_u64s(_metadata, kind(&m.m, A_AUX), g, 0, "no groups");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* a thread that sends one message (after renaming itself) */
struct thread_send {
	struct kdbus_conn *conn;
	__u64 dst;
	__u64 cookie;
	const char *comm;	/* NULL: keep the name */
	char got_comm[16];	/* its name as PR_GET_NAME reports it */
	pid_t tid;
	int ret;
};

static void *thread_send_fn(void *arg)
{
	struct thread_send *t = arg;

	t->tid = kdbus_gettid();
	if (t->comm && prctl(PR_SET_NAME, t->comm, 0, 0, 0) < 0) {
		t->ret = -errno;
		return NULL;
	}
	if (prctl(PR_GET_NAME, t->got_comm, 0, 0, 0) < 0) {
		t->ret = -errno;
		return NULL;
	}
	t->ret = send_str(t->conn, t->dst, t->cookie, "from a thread");
	return NULL;
}

static int thread_send(struct thread_send *t)
{
	pthread_t th;
	int ret;

	t->ret = -EINPROGRESS;
	ret = pthread_create(&th, NULL, thread_send_fn, t);
	if (ret)
		return -ret;
	ret = pthread_join(th, NULL);
	if (ret)
		return -ret;
	return t->ret;
}

/* PIDS: pid = tgid, tid = the sending thread, ppid = the real parent */
TEST_F(metadata, pids_thread)
{
	struct thread_send t = { 0 };
	struct kdbus_conn s, r;
	struct rmsg m;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, A_PIDS, NULL));

	t.conn = &s;
	t.dst = r.id;
	t.cookie = 1;
	ASSERT_EQ(0, thread_send(&t));
	ASSERT_NE(getpid(), t.tid);
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_PIDS, "thread");
	expect_pids(_metadata, kind(&m.m, A_PIDS), getpid(), t.tid, getppid(),
		    "second thread");
	EXPECT_EQ((__u64)(64 + 32 + 40), m.msg->size);
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	ASSERT_EQ(0, send_str(&s, r.id, 2, "main"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_pids(_metadata, kind(&m.m, A_PIDS), getpid(), getpid(),
		    getppid(), "main thread");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* TID_COMM: the sending thread's comm; PID_COMM: the group leader's */
TEST_F(metadata, comm_values)
{
	struct thread_send t = { 0 };
	struct kdbus_conn s, r;
	char leader[16];
	struct rmsg m;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0,
			       A_TCOMM | A_PCOMM, NULL));
	ASSERT_EQ(0, prctl(PR_SET_NAME, "meta-leader", 0, 0, 0));

	t.conn = &s;
	t.dst = r.id;
	t.cookie = 1;
	t.comm = "meta-thread";
	ASSERT_EQ(0, thread_send(&t));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_TCOMM | A_PCOMM, "thread");
	expect_str(_metadata, kind(&m.m, A_TCOMM), "meta-thread", "TID_COMM");
	expect_str(_metadata, kind(&m.m, A_PCOMM), "meta-leader", "PID_COMM");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	/* a name longer than comm holds: what the kernel kept (15 chars) */
	t.cookie = 2;
	t.comm = "meta-a-very-long-thread-name";
	ASSERT_EQ(0, thread_send(&t));
	EXPECT_EQ(15U, strlen(t.got_comm));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_str(_metadata, kind(&m.m, A_TCOMM), t.got_comm,
		   "long TID_COMM");
	expect_str(_metadata, kind(&m.m, A_PCOMM), "meta-leader",
		   "PID_COMM with long TID_COMM");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	/* the leader itself */
	ASSERT_EQ(0, prctl(PR_SET_NAME, "meta-main", 0, 0, 0));
	ASSERT_EQ(0, prctl(PR_GET_NAME, leader, 0, 0, 0));
	ASSERT_EQ(0, send_str(&s, r.id, 3, "main"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_str(_metadata, kind(&m.m, A_TCOMM), leader, "main TID_COMM");
	expect_str(_metadata, kind(&m.m, A_PCOMM), leader, "main PID_COMM");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/*
 * Child: rewrite its own argv area into several NUL-separated arguments
 * (same length, final NUL kept), check /proc/self/cmdline shows them,
 * report them and send.
 */
static int child_cmdline(void *arg)
{
	struct ctx *c = arg;
	char before[4096], after[4096];
	ssize_t len, i;

	chan_child_side(&c->ch);
	len = read_file("/proc/self/cmdline", before, sizeof(before));
	if (len < 4 || len >= (ssize_t)sizeof(before) - 1)
		return 10;
	/* glibc's program_invocation_name is argv[0], the area's start */
	if (memcmp(program_invocation_name, before, len))
		return 11;
	for (i = 0; i < len - 1; i++)
		program_invocation_name[i] = i % 3 == 2 ? '\0' : 'a' + i % 26;
	program_invocation_name[len - 1] = '\0';
	if (read_file("/proc/self/cmdline", after, sizeof(after)) != len ||
	    memcmp(after, program_invocation_name, len))
		return 12;
	if (xwrite(c->ch.up[1], &len, sizeof(len)) ||
	    xwrite(c->ch.up[1], after, len))
		return 13;
	if (send_str(c->conn, c->dst, 1, "cmdline"))
		return 14;
	return 0;
}

/* EXE: the executable's path; CMDLINE: the whole argv area */
TEST_F(metadata, exe_cmdline)
{
	char exe[4096], cmdline[4096];
	struct ctx c = { 0 };
	struct kdbus_conn s, r;
	ssize_t len, clen = 0;
	struct rmsg m;
	pid_t pid;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, len);
	exe[len] = '\0';
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0,
			       A_EXE | A_CMDLINE, NULL));

	ASSERT_EQ(0, send_str(&s, r.id, 1, "exe"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_EXE | A_CMDLINE, "test process");
	expect_str(_metadata, kind(&m.m, A_EXE), exe, "EXE");
	len = read_file("/proc/self/cmdline", cmdline, sizeof(cmdline));
	ASSERT_LT(0, len);
	expect_bytes(_metadata, kind(&m.m, A_CMDLINE), cmdline, len,
		     "CMDLINE");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	/* several arguments: all of them, NUL-separated */
	c.conn = &s;
	c.dst = r.id;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_cmdline, &c);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, xread(c.ch.up[0], &clen, sizeof(clen)));
	ASSERT_LT(3, clen);
	ASSERT_GT((ssize_t)sizeof(cmdline), clen);
	EXPECT_EQ(0, xread(c.ch.up[0], cmdline, clen));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_bytes(_metadata, kind(&m.m, A_CMDLINE), cmdline, clen,
		     "rewritten CMDLINE");
	expect_str(_metadata, kind(&m.m, A_EXE), exe, "EXE of the child");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/*
 * A cgroup2 mount: /sys/fs/cgroup if it is one, else mount one there (in
 * the test's private mount namespace), else on a new directory below
 * /tmp. 0 or -errno.
 */
static int cgroup2_root(char *root, size_t size, bool *mounted, bool *tmpdir)
{
	struct statfs sfs;
	int ret;

	*mounted = false;
	*tmpdir = false;
	snprintf(root, size, "/sys/fs/cgroup");
	if (statfs(root, &sfs) == 0 && sfs.f_type == CGROUP2_MAGIC)
		return 0;
	mkdir(root, 0755);
	if (mount("cgroup2", root, "cgroup2", 0, NULL) == 0) {
		*mounted = true;
		return 0;
	}
	snprintf(root, size, "/tmp/kdbus-cg.XXXXXX");
	if (!mkdtemp(root))
		return -errno;
	if (mount("cgroup2", root, "cgroup2", 0, NULL) < 0) {
		ret = -errno;
		rmdir(root);
		return ret;
	}
	*mounted = true;
	*tmpdir = true;
	return 0;
}

/* rmdir a cgroup whose last task just exited: 0 or -errno */
static int cgroup_rmdir(const char *dir)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		kdbus_sleep_ms(20);
	}
	return -EBUSY;
}

/* child: move itself into the cgroup c->path and send */
static int child_cgroup(void *arg)
{
	struct ctx *c = arg;
	char procs[256], pid[32];

	chan_child_side(&c->ch);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", c->path);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write_file(procs, pid)) {
		kdbus_log("cannot write %s: %m", procs);
		return 10;
	}
	if (send_str(c->conn, c->dst, 1, "cgroup"))
		return 11;
	return 0;
}

/* CGROUP: the v2 path relative to the init cgroup namespace's root */
TEST_F(metadata, cgroup_path)
{
	char root[128], dir[192], own[1024];
	bool mounted = false, tmpdir = false;
	struct ctx c = { 0 };
	struct kdbus_conn s, r;
	int ret, status, rm;
	struct rmsg m;
	pid_t pid;

	ASSERT_EQ(0, access("/proc/self/cgroup", F_OK))
		TH_LOG("no /proc/self/cgroup: the test kernel has CONFIG_CGROUPS=y");
	ASSERT_EQ(0, own_cgroup(own, sizeof(own)));
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, A_CGROUP,
			       NULL));

	/* the test process: where /proc/self/cgroup says ("/" at the root) */
	ASSERT_EQ(0, send_str(&s, r.id, 1, "own"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_CGROUP, "own cgroup");
	expect_str(_metadata, kind(&m.m, A_CGROUP), own, "own cgroup");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	ret = cgroup2_root(root, sizeof(root), &mounted, &tmpdir);
	ASSERT_EQ(0, ret) TH_LOG("cannot mount cgroup2: %s", strerror(-ret));
	snprintf(dir, sizeof(dir), "%s/kdbus-meta", root);
	ret = mkdir(dir, 0755) < 0 && errno != EEXIST ? -errno : 0;
	status = -1;
	if (!ret) {
		c.conn = &s;
		c.dst = r.id;
		c.path = dir;
		ret = chan_open(&c.ch);
	}
	if (!ret) {
		pid = spawn(child_cgroup, &c);
		status = pid > 0 ? kdbus_wait_child(pid) : pid;
		chan_close(&c.ch);
	}
	/* clean up before judging */
	rm = cgroup_rmdir(dir);
	if (mounted)
		umount2(root, MNT_DETACH);
	if (tmpdir)
		rmdir(root);
	ASSERT_EQ(0, ret) TH_LOG("mkdir %s: %s", dir, strerror(-ret));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, rm) TH_LOG("rmdir %s: %s", dir, strerror(-rm));

	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_CGROUP, "child cgroup");
	expect_str(_metadata, kind(&m.m, A_CGROUP), "/kdbus-meta",
		   "child cgroup");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/*
 * Child: drop CAP_MKNOD from the bounding set, CAP_SYS_ADMIN from the
 * effective set, add CAP_NET_RAW and CAP_AUDIT_READ (word 1) to the
 * inheritable set, report the result and send.
 */
static int child_caps(void *arg)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	struct ctx *c = arg;
	struct capset8 now;

	chan_child_side(&c->ch);
	if (prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0) < 0)
		return 10;
	if (syscall(SYS_capget, &hdr, d) < 0)
		return 11;
	d[0].effective &= ~(1U << CAP_SYS_ADMIN);
	d[0].inheritable |= 1U << CAP_NET_RAW;
	d[1].inheritable |= 1U << (CAP_AUDIT_READ - 32);
	if (syscall(SYS_capset, &hdr, d) < 0) {
		kdbus_log("capset: %m");
		return 12;
	}
	if (caps_now(&now))
		return 13;
	if (xwrite(c->ch.up[1], &now, sizeof(now)))
		return 14;
	if (send_str(c->conn, c->dst, 1, "caps"))
		return 15;
	return 0;
}

/* CAPS: size 52, last_cap, inheritable, permitted, effective, bounding */
TEST_F(metadata, caps_values)
{
	struct capset8 want, mine;
	const struct kdbus_item *it;
	struct ctx c = { 0 };
	struct kdbus_conn s, r;
	unsigned int i, bit;
	struct rmsg m;
	__u64 last;
	pid_t pid;

	ASSERT_EQ(0, read_u64_file("/proc/sys/kernel/cap_last_cap", &last));
	ASSERT_GT(64ULL, last);
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, A_CAPS, NULL));

	/* the test process */
	ASSERT_EQ(0, send_str(&s, r.id, 1, "own"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_CAPS, "own caps");
	ASSERT_EQ(0, caps_now(&mine));
	expect_caps(_metadata, kind(&m.m, A_CAPS), &mine, "own caps");
	EXPECT_EQ((__u64)(64 + 32 + 56), m.msg->size);
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	c.conn = &s;
	c.dst = r.id;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_caps, &c);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, xread(c.ch.up[0], &want, sizeof(want)));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);
	/* what the child did is what it reported */
	EXPECT_EQ((__u32)last, want.last_cap);
	EXPECT_EQ(0U, want.caps[4] & (1U << CAP_SYS_ADMIN));
	EXPECT_NE(0U, want.caps[2] & (1U << CAP_SYS_ADMIN));
	EXPECT_EQ(0U, want.caps[6] & (1U << CAP_MKNOD));
	EXPECT_NE(0U, want.caps[0] & (1U << CAP_NET_RAW));
	EXPECT_NE(0U, want.caps[1] & (1U << (CAP_AUDIT_READ - 32)));

	ASSERT_EQ(0, recv_parse(&r, &m));
	it = kind(&m.m, A_CAPS);
	expect_caps(_metadata, it, &want, "changed caps");
	/* nothing above last_cap */
	for (i = 0; it && i < 8; i++)
		for (bit = 0; bit < 32; bit++)
			if ((i % 2) * 32 + bit > last)
				EXPECT_EQ(0U, it->caps.caps[i] & (1U << bit))
					TH_LOG("set %u word %u bit %u", i / 2,
					       i % 2, bit);
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* SECLABEL: present iff the task has an LSM label, then equal to it */
TEST_F(metadata, seclabel)
{
	struct kdbus_conn s, r;
	struct rinfo info;
	struct rmsg m;
	char label[256];

	own_seclabel(label, sizeof(label));
	TH_LOG("LSM label of the test process: \"%s\"", label);
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));

	ASSERT_EQ(0, send_str(&s, r.id, 1, "label"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	EXPECT_EQ(!!label[0], !!kind(&m.m, A_LABEL));
	if (label[0])
		expect_str(_metadata, kind(&m.m, A_LABEL), label, "SECLABEL");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	ASSERT_EQ(0, info_get(&r, s.id, NULL, A_LABEL, &info));
	EXPECT_EQ(label[0] ? A_LABEL : 0, info.m.mask);
	if (label[0])
		expect_str(_metadata, kind(&info.m, A_LABEL), label,
			   "CONN_INFO SECLABEL");
	EXPECT_EQ(0, kdbus_free(&r, info.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* child: set its loginuid to 1000, report sessionid/loginuid, send */
static int child_loginuid(void *arg)
{
	struct ctx *c = arg;
	__u32 v[2];

	chan_child_side(&c->ch);
	if (write_file("/proc/self/loginuid", "1000")) {
		kdbus_log("cannot set loginuid: %m");
		return 10;
	}
	if (own_audit(&v[0], &v[1]))
		return 11;
	if (xwrite(c->ch.up[1], v, sizeof(v)))
		return 12;
	if (send_str(c->conn, c->dst, 1, "audit"))
		return 13;
	return 0;
}

/* AUDIT: {sessionid, loginuid} of the sending task */
TEST_F(metadata, audit_values)
{
	struct kdbus_conn s, r;
	struct ctx c = { 0 };
	__u32 sid, luid, v[2] = { 0, 0 };
	struct rmsg m;
	pid_t pid;

	ASSERT_EQ(0, access("/proc/self/loginuid", F_OK))
		TH_LOG("no /proc/self/loginuid: the test kernel has CONFIG_AUDIT=y");
	ASSERT_EQ(0, own_audit(&sid, &luid));
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, A_AUDIT,
			       NULL));

	ASSERT_EQ(0, send_str(&s, r.id, 1, "own"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_AUDIT, "own audit");
	expect_audit(_metadata, kind(&m.m, A_AUDIT), sid, luid, "own audit");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	c.conn = &s;
	c.dst = r.id;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_loginuid, &c);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, xread(c.ch.up[0], v, sizeof(v)));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);
	EXPECT_EQ(1000U, v[1]);
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_audit(_metadata, kind(&m.m, A_AUDIT), v[0], 1000,
		     "loginuid 1000");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* @m has exactly the OWNED_NAME items {flags[i], names[i]} (any order) */
static void expect_names(struct __test_metadata *_metadata,
			 const struct meta *m, const char *const *names,
			 const __u64 *flags, unsigned int n, const char *what)
{
	unsigned int i, j, found;

	ASSERT_EQ(n, m->n_names) TH_LOG("%s: OWNED_NAME items", what);
	for (i = 0; i < n; i++) {
		found = 0;
		for (j = 0; j < m->n_names; j++) {
			const struct kdbus_item *it = m->names[j];

			if (strcmp(it->name.name, names[i]))
				continue;
			found++;
			EXPECT_EQ(flags[i], it->name.flags)
				TH_LOG("%s: flags of %s", what, names[i]);
			EXPECT_EQ((__u64)(KDBUS_ITEM_HEADER_SIZE + 8 +
					  strlen(names[i]) + 1), it->size)
				TH_LOG("%s: size of %s", what, names[i]);
		}
		EXPECT_EQ(1U, found) TH_LOG("%s: %s", what, names[i]);
	}
}

/* OWNED_NAME: one per primary-owned name with its stored flags */
TEST_F(metadata, owned_names)
{
	const char *const ab[] = { NAME_A, NAME_B };
	const char *const bc[] = { NAME_B, NAME_C };
	const __u64 ab_flags[] = { KDBUS_NAME_ALLOW_REPLACEMENT,
				   KDBUS_NAME_QUEUE };
	const __u64 bc_flags[] = { KDBUS_NAME_QUEUE, KDBUS_NAME_QUEUE };
	struct kdbus_conn s, o, r;
	struct rmsg m;
	__u64 rflags;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&o, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, A_NAMES,
			       NULL));

	/* none */
	ASSERT_EQ(0, send_str(&s, r.id, 1, "no names"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, 0, "no names");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	ASSERT_EQ(0, kdbus_name_acquire(&s, NAME_A,
					KDBUS_NAME_ALLOW_REPLACEMENT, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&s, NAME_B, KDBUS_NAME_QUEUE, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&o, NAME_C, 0, NULL));
	/* only queued for C: not reported */
	ASSERT_EQ(0, kdbus_name_acquire(&s, NAME_C, KDBUS_NAME_QUEUE,
					&rflags));
	EXPECT_EQ((__u64)KDBUS_NAME_IN_QUEUE, rflags);
	ASSERT_EQ(0, send_str(&s, r.id, 2, "a b"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_NAMES, "a b");
	expect_names(_metadata, &m.m, ab, ab_flags, 2, "owner of a, b");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	/* release A; C is handed over from the queue with S's flags */
	ASSERT_EQ(0, kdbus_name_release(&s, NAME_A));
	ASSERT_EQ(0, kdbus_name_release(&o, NAME_C));
	ASSERT_EQ(0, send_str(&s, r.id, 3, "b c"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_names(_metadata, &m.m, bc, bc_flags, 2, "owner of b, c");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	/* the other one owns none now */
	ASSERT_EQ(0, send_str(&o, r.id, 4, "none"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	EXPECT_EQ(0U, m.m.n_names);
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&o);
	kdbus_conn_free(&s);
}

/* CONN_DESCRIPTION: the sender's HELLO description, absent without one */
TEST_F(metadata, conn_description)
{
	struct kdbus_conn s, n, r;
	struct rmsg m;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0,
			       "meta-desc.1"));
	ASSERT_EQ(0, conn_make(&n, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));

	ASSERT_EQ(0, send_str(&s, r.id, 1, "described"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_str(_metadata, kind(&m.m, A_DESC), "meta-desc.1",
		   "description");
	EXPECT_EQ(1U, m.m.count[kind_bit(A_DESC)]);
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	ASSERT_EQ(0, send_str(&n, r.id, 2, "anonymous"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	EXPECT_EQ(NULL, kind(&m.m, A_DESC));
	expect_kinds(_metadata, m.m.mask, sender_kinds(false, false),
		     "no description");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&n);
	kdbus_conn_free(&s);
}

static __u64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * TIMESTAMP: monotonic and realtime taken during SEND, seqnum strictly
 * increasing and from the domain counter that also numbers connections.
 */
TEST_F(metadata, timestamp)
{
	struct kdbus_conn s, r, x;
	__u64 m0, m1, r0, r1, last = 0;
	const struct kdbus_item *it;
	struct rmsg m;
	int i;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, A_TS, NULL));

	for (i = 0; i < 5; i++) {
		m0 = clock_ns(CLOCK_MONOTONIC);
		r0 = clock_ns(CLOCK_REALTIME);
		ASSERT_EQ(0, send_str(&s, r.id, i + 1, "tick"));
		m1 = clock_ns(CLOCK_MONOTONIC);
		r1 = clock_ns(CLOCK_REALTIME);
		ASSERT_EQ(0, recv_parse(&r, &m));
		expect_kinds(_metadata, m.m.mask, A_TS, "timestamp");
		EXPECT_EQ((__u64)(64 + 32 + 40), m.msg->size);
		it = kind(&m.m, A_TS);
		ASSERT_NE(NULL, it);
		EXPECT_EQ(40ULL, it->size);
		EXPECT_LE(m0, it->timestamp.monotonic_ns);
		EXPECT_GE(m1, it->timestamp.monotonic_ns);
		EXPECT_LE(r0, it->timestamp.realtime_ns);
		EXPECT_GE(r1, it->timestamp.realtime_ns);
		EXPECT_LT(last, it->timestamp.seqnum);
		last = it->timestamp.seqnum;
		EXPECT_EQ(0, kdbus_free(&r, m.offset));
	}

	/* a connection made in between takes a number from the counter */
	ASSERT_EQ(0, conn_make(&x, &self->dom, self->bus, 0, ALL, 0, NULL));
	EXPECT_LT(last, x.id);
	ASSERT_EQ(0, send_str(&s, r.id, 9, "after"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	it = kind(&m.m, A_TS);
	ASSERT_NE(NULL, it);
	EXPECT_LT(x.id, it->timestamp.seqnum);
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&x);
	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* ------------------------------------------------------------------ */
/* selection: send mask, receive mask                                 */
/* ------------------------------------------------------------------ */

/*
 * Every kind switched off on either side: the item appears only when
 * both the sender's send mask and the receiver's receive mask have it.
 */
TEST_F_TIMEOUT(metadata, flags_each_side, 120)
{
	struct kdbus_conn s, r;
	unsigned int bit, side;
	__u64 avail, smask, rmask, b;
	struct rmsg m;
	char what[96];

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&s, NAME_A, 0, NULL));
	avail = sender_kinds(true, true);

	for (bit = 0; bit < META_KINDS; bit++) {
		b = 1ULL << bit;
		for (side = 0; side < 4; side++) {
			smask = side & 1 ? ALL & ~b : ALL;
			rmask = side & 2 ? ALL & ~b : ALL;
			snprintf(what, sizeof(what), "%s: sender %s, receiver %s",
				 kind_names[bit], side & 1 ? "off" : "on",
				 side & 2 ? "off" : "on");
			ASSERT_EQ(0, kdbus_update_attach(&s, &smask, NULL));
			ASSERT_EQ(0, kdbus_update_attach(&r, NULL, &rmask));
			ASSERT_EQ(0, send_str(&s, r.id, bit * 4 + side + 1,
					      "each side"));
			ASSERT_EQ(0, recv_parse(&r, &m)) TH_LOG("%s", what);
			expect_kinds(_metadata, m.m.mask,
				     smask & rmask & avail, what);
			EXPECT_EQ(!side && (avail & b) ? b : 0, m.m.mask & b)
				TH_LOG("%s", what);
			EXPECT_EQ(0, kdbus_free(&r, m.offset));
		}
	}

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* exactly one kind on both sides: exactly that item, sized as in 6.3 */
TEST_F_TIMEOUT(metadata, flags_single_bit, 60)
{
	struct kdbus_conn s, r;
	__u64 avail, b, space;
	unsigned int bit;
	struct rmsg m;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&s, NAME_A, 0, NULL));
	avail = sender_kinds(true, true);

	for (bit = 0; bit < META_KINDS; bit++) {
		b = 1ULL << bit;
		ASSERT_EQ(0, kdbus_update_attach(&s, &b, &b));
		ASSERT_EQ(0, kdbus_update_attach(&r, &b, &b));
		ASSERT_EQ(0, send_str(&s, r.id, bit + 1, "one kind"));
		ASSERT_EQ(0, recv_parse(&r, &m)) TH_LOG("%s", kind_names[bit]);
		expect_kinds(_metadata, m.m.mask, b & avail, kind_names[bit]);
		EXPECT_EQ(b & avail ? 1U : 0U, m.m.count[bit])
			TH_LOG("%s", kind_names[bit]);
		space = m.m.item[bit] ? KDBUS_ALIGN8(m.m.item[bit]->size) : 0;
		EXPECT_EQ((__u64)(64 + 32) + space, m.msg->size)
			TH_LOG("%s", kind_names[bit]);
		if (m.m.item[bit])
			expect_self(_metadata, &m.m, kind_names[bit]);
		EXPECT_EQ(0, kdbus_free(&r, m.offset));
	}

	/* nothing on either side */
	b = 0;
	ASSERT_EQ(0, kdbus_update_attach(&s, &b, NULL));
	ASSERT_EQ(0, kdbus_update_attach(&r, NULL, &b));
	ASSERT_EQ(0, send_str(&s, r.id, 99, "none"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	EXPECT_EQ(0ULL, m.m.mask);
	EXPECT_EQ((__u64)(64 + 32), m.msg->size);
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/*
 * The receive mask in force when a message is queued counts, and the
 * send mask in force when it is sent.
 */
TEST_F(metadata, mask_change_timing)
{
	const __u64 all = ALL, creds = A_CREDS, pids = A_PIDS;
	struct kdbus_conn s, r;
	__u64 avail;
	struct rmsg m;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));
	avail = sender_kinds(false, true);

	ASSERT_EQ(0, send_str(&s, r.id, 1, "before"));
	ASSERT_EQ(0, kdbus_update_attach(&r, NULL, &creds));
	ASSERT_EQ(0, send_str(&s, r.id, 2, "after"));
	ASSERT_EQ(0, kdbus_update_attach(&r, NULL, &all));
	ASSERT_EQ(0, recv_parse(&r, &m));
	EXPECT_EQ(1ULL, m.msg->cookie);
	expect_kinds(_metadata, m.m.mask, avail, "queued before the UPDATE");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));
	ASSERT_EQ(0, recv_parse(&r, &m));
	EXPECT_EQ(2ULL, m.msg->cookie);
	expect_kinds(_metadata, m.m.mask, A_CREDS, "queued after the UPDATE");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	ASSERT_EQ(0, send_str(&s, r.id, 3, "before"));
	ASSERT_EQ(0, kdbus_update_attach(&s, &pids, NULL));
	ASSERT_EQ(0, send_str(&s, r.id, 4, "after"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, avail, "sent before the UPDATE");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_PIDS, "sent after the UPDATE");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* a bus requiring CREDS: every message carries CREDS to who asks */
TEST_F(metadata, bus_requirement)
{
	const __u64 req = A_CREDS;
	struct kdbus_conn s, r, r0;
	char name[64];
	struct rmsg m;
	int ctl, i;

	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	kdbus_name(name, sizeof(name), "meta-req");
	ASSERT_EQ(0, kdbus_bus_make_attach(ctl, 0, name, 64, 1, NULL, &req));
	/* the least a sender may agree to */
	ASSERT_EQ(0, conn_make(&s, &self->dom, name, 0, A_CREDS, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, name, 0, ALL, ALL, NULL));
	ASSERT_EQ(0, conn_make(&r0, &self->dom, name, 0, ALL, 0, NULL));

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, send_str(&s, r.id, i + 1, "required"));
		ASSERT_EQ(0, recv_parse(&r, &m));
		expect_kinds(_metadata, m.m.mask, A_CREDS, "receiver asks");
		expect_self(_metadata, &m.m, "required CREDS");
		EXPECT_EQ(0, kdbus_free(&r, m.offset));
	}
	/* the requirement does not push metadata on receivers */
	ASSERT_EQ(0, send_str(&s, r0.id, 9, "not asked"));
	ASSERT_EQ(0, recv_parse(&r0, &m));
	expect_kinds(_metadata, m.m.mask, 0, "receiver does not ask");
	EXPECT_EQ(0, kdbus_free(&r0, m.offset));

	kdbus_conn_free(&r0);
	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
	close(ctl);
}

/* ------------------------------------------------------------------ */
/* notifications, monitors, broadcasts, replies                       */
/* ------------------------------------------------------------------ */

/* kernel notifications: TIMESTAMP only, and only if the receiver asks */
TEST_F(metadata, notification_timestamp)
{
	const size_t name_len = strlen(NAME_A);
	struct kdbus_conn r1, r2, r3, n;
	const struct kdbus_item *it;
	__u64 m0, m1, r0, rt1, nid;
	struct rmsg m;

	ASSERT_EQ(0, conn_make(&r1, &self->dom, self->bus, 0, ALL, ALL, NULL));
	ASSERT_EQ(0, conn_make(&r2, &self->dom, self->bus, 0, ALL,
			       ALL & ~A_TS, NULL));
	ASSERT_EQ(0, conn_make(&r3, &self->dom, self->bus, 0, ALL, A_TS,
			       NULL));
	ASSERT_EQ(0, kdbus_match_id_add(&r1, 1, KDBUS_MATCH_ID_ANY));
	ASSERT_EQ(0, kdbus_match_id_add(&r2, 1, KDBUS_MATCH_ID_ANY));
	ASSERT_EQ(0, kdbus_match_id_add(&r3, 1, KDBUS_MATCH_ID_ANY));
	ASSERT_EQ(0, kdbus_match_id_remove(&r1, 2, KDBUS_MATCH_ID_ANY));
	ASSERT_EQ(0, kdbus_match_name_change(&r1, 3, KDBUS_ITEM_NAME_ADD,
					     KDBUS_MATCH_ID_ANY,
					     KDBUS_MATCH_ID_ANY, NULL));

	m0 = clock_ns(CLOCK_MONOTONIC);
	r0 = clock_ns(CLOCK_REALTIME);
	ASSERT_EQ(0, conn_make(&n, &self->dom, self->bus, 0, ALL, ALL,
			       SENDER_DESC));
	m1 = clock_ns(CLOCK_MONOTONIC);
	rt1 = clock_ns(CLOCK_REALTIME);
	nid = n.id;

	/* receive mask ALL: the timestamp and nothing else */
	ASSERT_EQ(0, recv_parse(&r1, &m));
	ASSERT_EQ(1U, m.m.n_plain);
	EXPECT_EQ((__u64)KDBUS_ITEM_ID_ADD, m.m.plain[0]->type);
	EXPECT_EQ(nid, m.m.plain[0]->id_change.id);
	EXPECT_EQ(0ULL, m.msg->src_id);
	expect_kinds(_metadata, m.m.mask, A_TS, "ID_ADD, receiver asks all");
	EXPECT_EQ(96ULL + 40, m.msg->size);
	it = kind(&m.m, A_TS);
	ASSERT_NE(NULL, it);
	EXPECT_LE(m0, it->timestamp.monotonic_ns);
	EXPECT_GE(m1, it->timestamp.monotonic_ns);
	EXPECT_LE(r0, it->timestamp.realtime_ns);
	EXPECT_GE(rt1, it->timestamp.realtime_ns);
	EXPECT_LT(nid, it->timestamp.seqnum);
	EXPECT_EQ(0, kdbus_free(&r1, m.offset));

	/* everything but the timestamp: nothing */
	ASSERT_EQ(0, recv_parse(&r2, &m));
	EXPECT_EQ((__u64)KDBUS_ITEM_ID_ADD, m.m.plain[0]->type);
	expect_kinds(_metadata, m.m.mask, 0, "ID_ADD, receiver without TS");
	EXPECT_EQ(96ULL, m.msg->size);
	EXPECT_EQ(0, kdbus_free(&r2, m.offset));

	/* the timestamp only */
	ASSERT_EQ(0, recv_parse(&r3, &m));
	expect_kinds(_metadata, m.m.mask, A_TS, "ID_ADD, receiver asks TS");
	EXPECT_EQ(96ULL + 40, m.msg->size);
	EXPECT_EQ(0, kdbus_free(&r3, m.offset));

	/* a name notification caused by a connection sending everything */
	ASSERT_EQ(0, kdbus_name_acquire(&n, NAME_A, 0, NULL));
	ASSERT_EQ(0, recv_parse(&r1, &m));
	EXPECT_EQ((__u64)KDBUS_ITEM_NAME_ADD, m.m.plain[0]->type);
	expect_kinds(_metadata, m.m.mask, A_TS, "NAME_ADD");
	EXPECT_EQ(64 + KDBUS_ALIGN8(16 + 32 + name_len + 1) + 40,
		  m.msg->size);
	EXPECT_EQ(0, kdbus_free(&r1, m.offset));

	/* and its departure */
	kdbus_conn_free(&n);
	ASSERT_EQ(0, recv_parse(&r1, &m));
	/* NAME_REMOVE has no match on r1: the next one is ID_REMOVE */
	EXPECT_EQ((__u64)KDBUS_ITEM_ID_REMOVE, m.m.plain[0]->type);
	expect_kinds(_metadata, m.m.mask, A_TS, "ID_REMOVE");
	EXPECT_EQ(96ULL + 40, m.msg->size);
	EXPECT_EQ(0, kdbus_free(&r1, m.offset));

	kdbus_conn_free(&r3);
	kdbus_conn_free(&r2);
	kdbus_conn_free(&r1);
}

/* REPLY_TIMEOUT notification: 80 bytes, + 40 with the timestamp */
TEST_F(metadata, notification_reply_timeout)
{
	const __u64 no_ts = ALL & ~A_TS;
	struct kdbus_conn a, b;
	struct rmsg m;

	ASSERT_EQ(0, conn_make(&a, &self->dom, self->bus, 0, ALL, ALL, NULL));
	ASSERT_EQ(0, conn_make(&b, &self->dom, self->bus, 0, ALL, 0, NULL));

	ASSERT_EQ(0, kdbus_send_simple(&a, b.id, 7, KDBUS_MSG_EXPECT_REPLY,
				       50 * 1000000ULL, "call", 4));
	ASSERT_EQ(0, recv_parse(&a, &m));
	EXPECT_EQ((__u64)KDBUS_ITEM_REPLY_TIMEOUT, m.m.plain[0]->type);
	EXPECT_EQ(7ULL, m.msg->cookie_reply);
	expect_kinds(_metadata, m.m.mask, A_TS, "REPLY_TIMEOUT");
	EXPECT_EQ(80ULL + 40, m.msg->size);
	EXPECT_EQ(0, kdbus_free(&a, m.offset));

	ASSERT_EQ(0, kdbus_update_attach(&a, NULL, &no_ts));
	ASSERT_EQ(0, kdbus_send_simple(&a, b.id, 8, KDBUS_MSG_EXPECT_REPLY,
				       50 * 1000000ULL, "call", 4));
	ASSERT_EQ(0, recv_parse(&a, &m));
	EXPECT_EQ(8ULL, m.msg->cookie_reply);
	expect_kinds(_metadata, m.m.mask, 0, "REPLY_TIMEOUT without TS");
	EXPECT_EQ(80ULL, m.msg->size);
	EXPECT_EQ(0, kdbus_free(&a, m.offset));

	kdbus_conn_free(&b);
	kdbus_conn_free(&a);
}

/* monitor copies: sender's send mask, monitor's receive mask */
TEST_F(metadata, monitor)
{
	const __u64 mon_recv = A_CREDS | A_PIDS | A_TS | A_DESC | A_EXE;
	const __u64 all = ALL, creds = A_CREDS;
	const struct kdbus_item *t1, *t2;
	struct kdbus_conn s, r, mon;
	struct rmsg m, mm;
	__u64 avail, smask;

	smask = ALL & ~A_PIDS;
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, smask, 0,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&s, NAME_A, 0, NULL));
	ASSERT_EQ(0, conn_make(&mon, &self->dom, self->bus,
			       KDBUS_HELLO_MONITOR, 0, mon_recv, NULL));
	avail = sender_kinds(true, true);

	ASSERT_EQ(0, send_str(&s, r.id, 1, "watched"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, smask & avail, "receiver");
	ASSERT_EQ(0, recv_parse(&mon, &mm));
	EXPECT_EQ(1ULL, mm.msg->cookie);
	EXPECT_EQ(r.id, mm.msg->dst_id);
	expect_kinds(_metadata, mm.m.mask, smask & mon_recv & avail,
		     "monitor");
	expect_self(_metadata, &mm.m, "monitor copy");
	expect_str(_metadata, kind(&mm.m, A_DESC), SENDER_DESC,
		   "monitor description");
	/* one message, one timestamp */
	t1 = kind(&m.m, A_TS);
	t2 = kind(&mm.m, A_TS);
	ASSERT_NE(NULL, t1);
	ASSERT_NE(NULL, t2);
	EXPECT_EQ(t1->timestamp.seqnum, t2->timestamp.seqnum);
	EXPECT_EQ(t1->timestamp.monotonic_ns, t2->timestamp.monotonic_ns);
	EXPECT_EQ(0, kdbus_free(&r, m.offset));
	EXPECT_EQ(0, kdbus_free(&mon, mm.offset));

	/* the monitor widens its receive mask */
	ASSERT_EQ(0, kdbus_update_attach(&mon, NULL, &all));
	ASSERT_EQ(0, send_str(&s, r.id, 2, "watched"));
	ASSERT_EQ(0, recv_parse(&mon, &mm));
	expect_kinds(_metadata, mm.m.mask, smask & avail, "monitor, all");
	EXPECT_EQ(0, kdbus_free(&mon, mm.offset));
	ASSERT_EQ(0, recv_parse(&r, &m));
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	/* the sender narrows its send mask */
	ASSERT_EQ(0, kdbus_update_attach(&s, &creds, NULL));
	ASSERT_EQ(0, send_str(&s, r.id, 3, "watched"));
	ASSERT_EQ(0, recv_parse(&mon, &mm));
	expect_kinds(_metadata, mm.m.mask, A_CREDS, "monitor, sender CREDS");
	EXPECT_EQ(0, kdbus_free(&mon, mm.offset));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_CREDS, "receiver, sender CREDS");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&mon);
	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* a broadcast: each receiver gets its own selection, one timestamp */
TEST_F(metadata, broadcast_selection)
{
	const __u64 ma = A_CREDS | A_TS;
	const __u64 mb = A_PIDS | A_AUX | A_DESC | A_TS;
	struct kdbus_conn s, a, b, c;
	struct rmsg m1, m2, m3;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&a, &self->dom, self->bus, 0, 0, ma, NULL));
	ASSERT_EQ(0, conn_make(&b, &self->dom, self->bus, 0, 0, mb, NULL));
	ASSERT_EQ(0, conn_make(&c, &self->dom, self->bus, 0, 0, 0, NULL));
	ASSERT_EQ(0, kdbus_match_id_any(&a, 1));
	ASSERT_EQ(0, kdbus_match_id_any(&b, 1));
	ASSERT_EQ(0, kdbus_match_id_any(&c, 1));

	ASSERT_EQ(0, kdbus_send_signal(&s, KDBUS_DST_ID_BROADCAST, 5, 0, NULL,
				       "bcast", 5));
	ASSERT_EQ(0, recv_parse(&a, &m1));
	ASSERT_EQ(0, recv_parse(&b, &m2));
	ASSERT_EQ(0, recv_parse(&c, &m3));
	EXPECT_EQ((__u64)KDBUS_DST_ID_BROADCAST, m1.msg->dst_id);
	expect_kinds(_metadata, m1.m.mask, ma, "receiver a");
	expect_kinds(_metadata, m2.m.mask, mb, "receiver b");
	expect_kinds(_metadata, m3.m.mask, 0, "receiver c");
	expect_self(_metadata, &m1.m, "receiver a");
	expect_self(_metadata, &m2.m, "receiver b");
	expect_str(_metadata, kind(&m2.m, A_DESC), SENDER_DESC, "receiver b");
	EXPECT_TRUE(kdbus_msg_payload_is(m3.msg, "bcast"));
	ASSERT_NE(NULL, kind(&m1.m, A_TS));
	ASSERT_NE(NULL, kind(&m2.m, A_TS));
	EXPECT_EQ(kind(&m1.m, A_TS)->timestamp.seqnum,
		  kind(&m2.m, A_TS)->timestamp.seqnum);
	EXPECT_EQ(0, kdbus_free(&a, m1.offset));
	EXPECT_EQ(0, kdbus_free(&b, m2.offset));
	EXPECT_EQ(0, kdbus_free(&c, m3.offset));
	/* exactly once each */
	EXPECT_EQ(-EAGAIN, kdbus_recv(&a, 0, 0, NULL, NULL));
	EXPECT_EQ(-EAGAIN, kdbus_recv(&b, 0, 0, NULL, NULL));

	kdbus_conn_free(&c);
	kdbus_conn_free(&b);
	kdbus_conn_free(&a);
	kdbus_conn_free(&s);
}

/* child: rename, switch ids, answer the request c->arg[0] from c->dst */
static int child_replier(void *arg)
{
	struct ctx *c = arg;
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *msg;
	__u64 cookie;

	chan_child_side(&c->ch);
	if (prctl(PR_SET_NAME, "meta-replier", 0, 0, 0) < 0)
		return 10;
	if (become(NULL, 0, GID1, GID2, GID3, UID1, UID2, UID3))
		return 11;
	if (chan_put(c->ch.up[1], 'r'))
		return 12;
	if (kdbus_recv_wait(c->conn, 2 * WAIT_MS, &cmd, &msg) < 0 || !msg)
		return 13;
	cookie = msg->cookie;
	kdbus_free(c->conn, cmd.msg.offset);
	if (cookie != c->arg[0])
		return 14;
	if (kdbus_send_reply(c->conn, c->dst, cookie, "pong", 4))
		return 15;
	return 0;
}

/* a synchronous reply carries the replier's metadata, caller's selection */
TEST_F(metadata, sync_reply)
{
	const __u64 want = A_CREDS | A_PIDS | A_TCOMM | A_TS;
	const __u64 creds[8] = { UID1, UID2, UID3, UID2,
				 GID1, GID2, GID3, GID2 };
	struct kdbus_msg_info reply;
	struct kdbus_conn a, b;
	struct ctx c = { 0 };
	struct kdbus_msg *msg;
	struct meta mt;
	pid_t pid;
	int ret;

	ASSERT_EQ(0, conn_make(&a, &self->dom, self->bus, 0, ALL, want,
			       NULL));
	ASSERT_EQ(0, conn_make(&b, &self->dom, self->bus, 0, ALL, 0,
			       "meta-replier"));
	c.conn = &b;
	c.dst = a.id;
	c.arg[0] = 0x5151;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_replier, &c);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', chan_get(c.ch.up[0]));

	msg = kdbus_msg_new(b.id, 0x5151);
	msg->flags = KDBUS_MSG_EXPECT_REPLY;
	msg->timeout_ns = kdbus_now_ns() + 4 * WAIT_MS * 1000000ULL;
	kdbus_msg_add_vec(msg, "ping", 4);
	memset(&reply, 0, sizeof(reply));
	ret = kdbus_send(&a, msg, KDBUS_SEND_SYNC_REPLY, -1, &reply);
	kdbus_msg_release(msg);
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);
	ASSERT_EQ(0, ret);

	ASSERT_GT(a.pool_size, reply.offset);
	msg = (struct kdbus_msg *)((__u8 *)a.pool + reply.offset);
	ASSERT_EQ(0, meta_msg(msg, reply.msg_size, &mt));
	EXPECT_EQ(0x5151ULL, msg->cookie_reply);
	EXPECT_EQ(b.id, msg->src_id);
	EXPECT_TRUE(kdbus_msg_payload_is(msg, "pong"));
	expect_kinds(_metadata, mt.mask, want, "sync reply");
	expect_creds(_metadata, kind(&mt, A_CREDS), creds, "replier");
	expect_pids(_metadata, kind(&mt, A_PIDS), pid, pid, getpid(),
		    "replier");
	expect_str(_metadata, kind(&mt, A_TCOMM), "meta-replier", "replier");
	EXPECT_EQ(0, kdbus_free(&a, reply.offset));

	kdbus_conn_free(&b);
	kdbus_conn_free(&a);
}

/* ------------------------------------------------------------------ */
/* CONN_INFO, BUS_CREATOR_INFO                                        */
/* ------------------------------------------------------------------ */

/* CONN_INFO: asked ∩ target's send mask ∩ module mask, never TIMESTAMP */
TEST_F(metadata, conn_info_selection)
{
	const __u64 tsend = A_CREDS | A_PIDS | A_NAMES | A_DESC | A_TS |
			    A_CMDLINE;
	const __u64 all = ALL, none = 0;
	struct kdbus_conn t, q;
	struct rinfo info;
	const char *const names[] = { NAME_A };
	const __u64 flags[] = { 0 };

	ASSERT_EQ(0, conn_make(&t, &self->dom, self->bus, 0, tsend, 0,
			       "meta-target"));
	ASSERT_EQ(0, conn_make(&q, &self->dom, self->bus, 0, ALL, ALL, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&t, NAME_A, 0, NULL));

	ASSERT_EQ(0, info_get(&q, t.id, NULL, ALL, &info));
	EXPECT_EQ(t.id, info.info->id);
	EXPECT_EQ(0U, info.m.n_plain);
	expect_kinds(_metadata, info.m.mask, tsend & ~A_TS, "asked ALL");
	expect_self(_metadata, &info.m, "CONN_INFO ALL");
	expect_names(_metadata, &info.m, names, flags, 1, "CONN_INFO");
	expect_str(_metadata, kind(&info.m, A_DESC), "meta-target",
		   "CONN_INFO");
	EXPECT_EQ(0, kdbus_free(&q, info.offset));

	/* by name: the same */
	ASSERT_EQ(0, info_get(&q, 0, NAME_A, ALL, &info));
	EXPECT_EQ(t.id, info.info->id);
	expect_kinds(_metadata, info.m.mask, tsend & ~A_TS, "by name");
	EXPECT_EQ(0, kdbus_free(&q, info.offset));

	ASSERT_EQ(0, info_get(&q, t.id, NULL, A_CREDS | A_EXE | A_TS, &info));
	expect_kinds(_metadata, info.m.mask, A_CREDS, "asked CREDS|EXE|TS");
	EXPECT_EQ((__u64)(24 + 80), info.info->size);
	EXPECT_EQ(0, kdbus_free(&q, info.offset));

	ASSERT_EQ(0, info_get(&q, t.id, NULL, 0, &info));
	expect_kinds(_metadata, info.m.mask, 0, "asked nothing");
	EXPECT_EQ(24ULL, info.info->size);
	EXPECT_EQ(0, kdbus_free(&q, info.offset));

	/* the target's send mask decides, now */
	ASSERT_EQ(0, kdbus_update_attach(&t, &none, NULL));
	ASSERT_EQ(0, info_get(&q, t.id, NULL, ALL, &info));
	expect_kinds(_metadata, info.m.mask, 0, "target shares nothing");
	EXPECT_EQ(0, kdbus_free(&q, info.offset));
	ASSERT_EQ(0, kdbus_update_attach(&t, &all, NULL));
	ASSERT_EQ(0, info_get(&q, t.id, NULL, ALL, &info));
	expect_kinds(_metadata, info.m.mask, sender_kinds(true, true) & ~A_TS,
		     "target shares all");
	expect_self(_metadata, &info.m, "CONN_INFO, target shares all");
	EXPECT_EQ(0, kdbus_free(&q, info.offset));
	/* about itself, too */
	ASSERT_EQ(0, info_get(&t, t.id, NULL, ALL, &info));
	expect_kinds(_metadata, info.m.mask, sender_kinds(true, true) & ~A_TS,
		     "own CONN_INFO");
	EXPECT_EQ(0, kdbus_free(&t, info.offset));

	kdbus_conn_free(&q);
	kdbus_conn_free(&t);
}

/*
 * Child: HELLO as "meta-hello" with all the test's ids, then rename,
 * change ids and take a name; on 'u' narrow the send mask to CREDS.
 */
static int child_snapshot(void *arg)
{
	static const gid_t groups[] = { 3001 };
	const __u64 creds = A_CREDS;
	struct ctx *c = arg;
	struct kdbus_conn t;

	chan_child_side(&c->ch);
	if (prctl(PR_SET_NAME, "meta-hello", 0, 0, 0) < 0)
		return 10;
	if (conn_make(&t, c->dom, c->bus, 0, ALL, 0, "meta-snap"))
		return 11;
	if (prctl(PR_SET_NAME, "meta-changed", 0, 0, 0) < 0 ||
	    become(groups, 1, GID1, GID1, GID1, UID1, UID1, UID1))
		return 12;
	if (kdbus_name_acquire(&t, NAME_A, 0, NULL))
		return 13;
	if (xwrite(c->ch.up[1], &t.id, sizeof(t.id)))
		return 14;
	if (chan_get(c->ch.down[0]) != 'u')
		return 15;
	if (kdbus_update_attach(&t, &creds, NULL))
		return 16;
	if (chan_put(c->ch.up[1], 'k'))
		return 17;
	if (chan_get(c->ch.down[0]) != 'q')
		return 18;
	kdbus_conn_free(&t);
	return 0;
}

/*
 * CONN_INFO reports the HELLO-time process metadata (not the current
 * ids/comm), the current names and description.
 */
TEST_F(metadata, conn_info_snapshot)
{
	const char *const names[] = { NAME_A };
	const __u64 flags[] = { 0 };
	struct kdbus_conn q;
	struct ctx c = { 0 };
	struct capset8 caps;
	struct rinfo info;
	__u64 id = 0, creds[8], groups[64];
	__u32 sid, luid;
	int ngroups;
	pid_t pid;

	own_creds(creds);
	ngroups = own_groups(groups, 64);
	ASSERT_LE(0, ngroups);
	ASSERT_EQ(0, caps_now(&caps));
	ASSERT_EQ(0, conn_make(&q, &self->dom, self->bus, 0, ALL, ALL, NULL));
	c.dom = &self->dom;
	c.bus = self->bus;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_snapshot, &c);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, xread(c.ch.up[0], &id, sizeof(id)));

	ASSERT_EQ(0, info_get(&q, id, NULL, ALL, &info));
	EXPECT_EQ(id, info.info->id);
	expect_kinds(_metadata, info.m.mask, sender_kinds(true, true) & ~A_TS,
		     "snapshot");
	expect_creds(_metadata, kind(&info.m, A_CREDS), creds, "HELLO-time");
	expect_pids(_metadata, kind(&info.m, A_PIDS), pid, pid, getpid(),
		    "HELLO-time");
	expect_u64s(_metadata, kind(&info.m, A_AUX), groups, ngroups,
		    "HELLO-time groups");
	expect_str(_metadata, kind(&info.m, A_TCOMM), "meta-hello",
		   "HELLO-time TID_COMM");
	expect_str(_metadata, kind(&info.m, A_PCOMM), "meta-hello",
		   "HELLO-time PID_COMM");
	expect_caps(_metadata, kind(&info.m, A_CAPS), &caps,
		    "HELLO-time caps");
	if (kind(&info.m, A_AUDIT)) {
		ASSERT_EQ(0, own_audit(&sid, &luid));
		expect_audit(_metadata, kind(&info.m, A_AUDIT), sid, luid,
			     "HELLO-time audit");
	}
	expect_names(_metadata, &info.m, names, flags, 1, "current names");
	expect_str(_metadata, kind(&info.m, A_DESC), "meta-snap",
		   "description");
	EXPECT_EQ(0, kdbus_free(&q, info.offset));

	/* the target's send mask now: CREDS */
	ASSERT_EQ(0, chan_put(c.ch.down[1], 'u'));
	ASSERT_EQ('k', chan_get(c.ch.up[0]));
	ASSERT_EQ(0, info_get(&q, id, NULL, ALL, &info));
	expect_kinds(_metadata, info.m.mask, A_CREDS, "target sends CREDS");
	expect_creds(_metadata, kind(&info.m, A_CREDS), creds,
		     "HELLO-time, later");
	EXPECT_EQ(0, kdbus_free(&q, info.offset));
	ASSERT_EQ(0, info_get(&q, id, NULL, A_PIDS, &info));
	expect_kinds(_metadata, info.m.mask, 0, "asked PIDS only");
	EXPECT_EQ(0, kdbus_free(&q, info.offset));

	EXPECT_EQ(0, chan_put(c.ch.down[1], 'q'));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);
	kdbus_conn_free(&q);
}

/*
 * Child: become uid 1001 / gid 2001 with groups 3001, 3002, rename to
 * "meta-busmaker" and make three buses: sharing everything, nothing
 * (no ATTACH_FLAGS_SEND), CREDS. Report its caps, wait for 'q'.
 */
static int child_bus_maker(void *arg)
{
	static const gid_t groups[] = { 3001, 3002 };
	static const char *const suffix[3] = {
		"creator-all", "creator-none", "creator-creds",
	};
	const __u64 all = ALL, creds = A_CREDS;
	const __u64 *send[3] = { &all, NULL, &creds };
	struct ctx *c = arg;
	struct capset8 caps;
	int ctl[3], i;
	char name[64];

	chan_child_side(&c->ch);
	if (become(groups, 2, GID1, GID1, GID1, UID1, UID1, UID1))
		return 10;
	if (prctl(PR_SET_NAME, "meta-busmaker", 0, 0, 0) < 0)
		return 11;
	for (i = 0; i < 3; i++) {
		ctl[i] = kdbus_open_control(c->dom);
		if (ctl[i] < 0)
			return 12;
		kdbus_name(name, sizeof(name), suffix[i]);
		if (kdbus_bus_make_attach(ctl[i], KDBUS_MAKE_ACCESS_WORLD,
					  name, 64, 1, send[i], NULL)) {
			kdbus_log("BUS_MAKE %s: %m", name);
			return 13;
		}
	}
	if (caps_now(&caps))
		return 14;
	if (xwrite(c->ch.up[1], &caps, sizeof(caps)))
		return 15;
	if (chan_get(c->ch.down[0]) != 'q')
		return 16;
	for (i = 0; i < 3; i++)
		close(ctl[i]);
	return 0;
}

/* the first item of a creator record is MAKE_NAME @name */
static void expect_make_name(struct __test_metadata *_metadata,
			     const struct rinfo *info, const char *name)
{
	ASSERT_EQ(1U, info->m.n_plain);
	EXPECT_EQ((__u64)KDBUS_ITEM_MAKE_NAME, info->m.plain[0]->type);
	expect_str(_metadata, info->m.plain[0], name, "MAKE_NAME");
	EXPECT_EQ((const void *)info->info->items,
		  (const void *)info->m.plain[0]);
}

/* BUS_CREATOR_INFO: MAKE_NAME, then the creator's BUS_MAKE-time items */
TEST_F(metadata, bus_creator_info)
{
	const __u64 creds[8] = { UID1, UID1, UID1, UID1,
				 GID1, GID1, GID1, GID1 };
	const __u64 groups[2] = { 3001, 3002 };
	char exe[4096], n_all[64], n_none[64], n_creds[64];
	struct kdbus_conn ca, cn, cc;
	struct capset8 caps;
	struct ctx c = { 0 };
	struct rinfo info;
	__u64 want;
	ssize_t len;
	pid_t pid;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, len);
	exe[len] = '\0';
	snprintf(n_all, sizeof(n_all), "%u-creator-all", UID1);
	snprintf(n_none, sizeof(n_none), "%u-creator-none", UID1);
	snprintf(n_creds, sizeof(n_creds), "%u-creator-creds", UID1);
	c.dom = &self->dom;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_bus_maker, &c);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, xread(c.ch.up[0], &caps, sizeof(caps)));
	ASSERT_EQ(0, conn_make(&ca, &self->dom, n_all, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&cn, &self->dom, n_none, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&cc, &self->dom, n_creds, 0, ALL, 0, NULL));
	want = env_kinds() & PROC_KINDS;

	ASSERT_EQ(0, creator_get(&ca, ALL, &info));
	expect_make_name(_metadata, &info, n_all);
	EXPECT_EQ((__u64)KDBUS_MAKE_ACCESS_WORLD, info.info->flags);
	expect_kinds(_metadata, info.m.mask, want, "creator, ALL");
	expect_creds(_metadata, kind(&info.m, A_CREDS), creds, "creator");
	expect_pids(_metadata, kind(&info.m, A_PIDS), pid, pid, getpid(),
		    "creator");
	expect_u64s(_metadata, kind(&info.m, A_AUX), groups, 2, "creator");
	expect_str(_metadata, kind(&info.m, A_TCOMM), "meta-busmaker",
		   "creator TID_COMM");
	expect_str(_metadata, kind(&info.m, A_PCOMM), "meta-busmaker",
		   "creator PID_COMM");
	expect_str(_metadata, kind(&info.m, A_EXE), exe, "creator EXE");
	expect_caps(_metadata, kind(&info.m, A_CAPS), &caps, "creator");
	EXPECT_EQ(0, kdbus_free(&ca, info.offset));

	ASSERT_EQ(0, creator_get(&ca, A_CREDS | A_PIDS, &info));
	expect_make_name(_metadata, &info, n_all);
	expect_kinds(_metadata, info.m.mask, A_CREDS | A_PIDS,
		     "creator, CREDS|PIDS");
	EXPECT_EQ(0, kdbus_free(&ca, info.offset));

	ASSERT_EQ(0, creator_get(&ca, A_TS | A_NAMES | A_DESC, &info));
	expect_make_name(_metadata, &info, n_all);
	expect_kinds(_metadata, info.m.mask, 0, "creator, connection kinds");
	EXPECT_EQ(0, kdbus_free(&ca, info.offset));

	ASSERT_EQ(0, creator_get(&ca, 0, &info));
	expect_make_name(_metadata, &info, n_all);
	EXPECT_EQ((__u64)(24 + KDBUS_ITEM_SIZE(strlen(n_all) + 1)),
		  info.info->size);
	EXPECT_EQ(0, kdbus_free(&ca, info.offset));

	/* no ATTACH_FLAGS_SEND at BUS_MAKE: the name only */
	ASSERT_EQ(0, creator_get(&cn, ALL, &info));
	expect_make_name(_metadata, &info, n_none);
	expect_kinds(_metadata, info.m.mask, 0, "bus shares nothing");
	EXPECT_EQ(0, kdbus_free(&cn, info.offset));

	ASSERT_EQ(0, creator_get(&cc, ALL, &info));
	expect_make_name(_metadata, &info, n_creds);
	expect_kinds(_metadata, info.m.mask, A_CREDS, "bus shares CREDS");
	expect_creds(_metadata, kind(&info.m, A_CREDS), creds, "creator");
	EXPECT_EQ(0, kdbus_free(&cc, info.offset));

	kdbus_conn_free(&cc);
	kdbus_conn_free(&cn);
	kdbus_conn_free(&ca);
	EXPECT_EQ(0, chan_put(c.ch.down[1], 'q'));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);
}

/* ------------------------------------------------------------------ */
/* fork()                                                             */
/* ------------------------------------------------------------------ */

/* child: switch ids and send over the inherited connection */
static int child_fork_send(void *arg)
{
	struct ctx *c = arg;

	chan_child_side(&c->ch);
	if (become(NULL, 0, GID1, GID2, GID3, UID1, UID2, UID3))
		return 10;
	if (send_str(c->conn, c->dst, 1, "from the child"))
		return 11;
	return 0;
}

/*
 * A child sending over an inherited connection: its own pid and ids go
 * out; CONN_INFO still reports the HELLO-time identity.
 */
TEST_F(metadata, fork_inherited_conn)
{
	const __u64 creds[8] = { UID1, UID2, UID3, UID2,
				 GID1, GID2, GID3, GID2 };
	struct kdbus_conn s, r;
	struct ctx c = { 0 };
	struct rinfo info;
	struct rmsg m;
	__u64 mine[8];
	pid_t pid;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0,
			       A_CREDS | A_PIDS, NULL));
	c.conn = &s;
	c.dst = r.id;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_fork_send, &c);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);

	ASSERT_EQ(0, recv_parse(&r, &m));
	EXPECT_EQ(s.id, m.msg->src_id);
	expect_pids(_metadata, kind(&m.m, A_PIDS), pid, pid, getpid(),
		    "child over the inherited connection");
	expect_creds(_metadata, kind(&m.m, A_CREDS), creds,
		     "child over the inherited connection");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	own_creds(mine);
	ASSERT_EQ(0, info_get(&r, s.id, NULL, A_CREDS | A_PIDS, &info));
	expect_pids(_metadata, kind(&info.m, A_PIDS), getpid(), getpid(),
		    getppid(), "CONN_INFO after the child sent");
	expect_creds(_metadata, kind(&info.m, A_CREDS), mine,
		     "CONN_INFO after the child sent");
	EXPECT_EQ(0, kdbus_free(&r, info.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* ------------------------------------------------------------------ */
/* faked identities at HELLO                                          */
/* ------------------------------------------------------------------ */

/*
 * HELLO on a new handle of @bus with optional fake CREDS / PIDS /
 * SECLABEL items (NULL: none) and a description: 0 or -errno. On success
 * @c is connected (send mask ALL).
 */
static int hello_fake(struct kdbus_conn *c, int fd,
		      const struct kdbus_creds *creds,
		      const struct kdbus_pids *pids, const char *label,
		      const char *desc)
{
	struct kdbus_cmd_hello *hello;
	int ret;

	hello = kdbus_hello_args(0, 0, desc);
	hello->attach_flags_send = ALL;
	if (creds)
		kdbus_args_add(hello, KDBUS_ITEM_CREDS, creds, sizeof(*creds));
	if (pids)
		kdbus_args_add(hello, KDBUS_ITEM_PIDS, pids, sizeof(*pids));
	if (label)
		kdbus_args_add_str(hello, KDBUS_ITEM_SECLABEL, label);
	ret = kdbus_hello_cmd(c, fd, hello);
	kdbus_args_release(hello);
	return ret;
}

static int fake_conn(struct kdbus_conn *c, const struct kdbus_domain *dom,
		     const char *bus, const struct kdbus_creds *creds,
		     const struct kdbus_pids *pids, const char *label,
		     const char *desc)
{
	int fd, ret;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	fd = kdbus_bus_open(dom, bus, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = hello_fake(c, fd, creds, pids, label, desc);
	if (ret < 0)
		close(fd);
	return ret;
}

static void creds_array(const struct kdbus_creds *c, __u64 a[8])
{
	a[0] = c->uid;
	a[1] = c->euid;
	a[2] = c->suid;
	a[3] = c->fsuid;
	a[4] = c->gid;
	a[5] = c->egid;
	a[6] = c->sgid;
	a[7] = c->fsgid;
}

/*
 * Faked CREDS/PIDS/SECLABEL: CONN_INFO shows exactly those and no other
 * process item; messages sent carry no process item at all.
 */
TEST_F(metadata, fake_identity)
{
	const struct kdbus_creds creds = {
		.uid = 1234, .euid = 1235, .suid = 1236, .fsuid = 1237,
		.gid = 2234, .egid = 2235, .sgid = UNSET_ID, .fsgid = 2237,
	};
	const struct kdbus_pids pids = {
		.pid = getpid(), .tid = kdbus_gettid(), .ppid = getppid(),
	};
	const struct kdbus_pids pid_only = { .pid = getpid() };
	struct kdbus_conn f, f2, f3, r;
	struct rinfo info;
	struct rmsg m;
	__u64 want[8];

	creds_array(&creds, want);
	ASSERT_EQ(0, fake_conn(&f, &self->dom, self->bus, &creds, &pids,
			       "fake_label", "meta-fake"));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, ALL, ALL, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&f, NAME_A, 0, NULL));

	ASSERT_EQ(0, info_get(&r, f.id, NULL, ALL, &info));
	expect_kinds(_metadata, info.m.mask,
		     A_CREDS | A_PIDS | A_LABEL | A_NAMES | A_DESC,
		     "CONN_INFO of a faked identity");
	expect_creds(_metadata, kind(&info.m, A_CREDS), want, "faked");
	expect_pids(_metadata, kind(&info.m, A_PIDS), pids.pid, pids.tid,
		    pids.ppid, "faked");
	expect_str(_metadata, kind(&info.m, A_LABEL), "fake_label", "faked");
	expect_str(_metadata, kind(&info.m, A_DESC), "meta-fake", "faked");
	EXPECT_EQ(0, kdbus_free(&r, info.offset));

	/* what it sends: no process metadata, neither faked nor real */
	ASSERT_EQ(0, send_str(&f, r.id, 1, "impostor"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_NAMES | A_DESC | A_TS,
		     "message of a faked identity");
	EXPECT_TRUE(kdbus_msg_payload_is(m.msg, "impostor"));
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	/* only a pid (tid and ppid 0 = none): just that */
	ASSERT_EQ(0, fake_conn(&f2, &self->dom, self->bus, NULL, &pid_only,
			       NULL, NULL));
	ASSERT_EQ(0, info_get(&r, f2.id, NULL, ALL, &info));
	expect_kinds(_metadata, info.m.mask, A_PIDS, "faked pid only");
	expect_pids(_metadata, kind(&info.m, A_PIDS), getpid(), 0, 0,
		    "faked pid only");
	EXPECT_EQ(0, kdbus_free(&r, info.offset));
	ASSERT_EQ(0, send_str(&f2, r.id, 2, "impostor"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_TS, "message, faked pid only");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	/* only creds */
	ASSERT_EQ(0, fake_conn(&f3, &self->dom, self->bus, &creds, NULL,
			       NULL, NULL));
	ASSERT_EQ(0, info_get(&r, f3.id, NULL, ALL, &info));
	expect_kinds(_metadata, info.m.mask, A_CREDS, "faked creds only");
	expect_creds(_metadata, kind(&info.m, A_CREDS), want,
		     "faked creds only");
	EXPECT_EQ(0, kdbus_free(&r, info.offset));
	ASSERT_EQ(0, send_str(&f3, r.id, 3, "impostor"));
	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_kinds(_metadata, m.m.mask, A_TS, "message, faked creds only");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&f3);
	kdbus_conn_free(&f2);
	kdbus_conn_free(&r);
	kdbus_conn_free(&f);
}

/* a faked pid, tid or ppid that does not exist: EINVAL */
TEST_F(metadata, fake_pids_invalid)
{
	struct kdbus_pids pids;
	struct kdbus_conn c;
	__u64 pid_max;
	int i, ret;

	/* pids are below pid_max: pid_max itself never exists */
	ASSERT_EQ(0, read_u64_file("/proc/sys/kernel/pid_max", &pid_max));
	for (i = 0; i < 3; i++) {
		pids.pid = i == 0 ? pid_max : (__u64)getpid();
		pids.tid = i == 1 ? pid_max : (__u64)(i ? kdbus_gettid() : 0);
		pids.ppid = i == 2 ? pid_max : 0;
		ret = fake_conn(&c, &self->dom, self->bus, NULL, &pids, NULL,
				NULL);
		EXPECT_EQ(-EINVAL, ret)
			TH_LOG("pids {%llu, %llu, %llu}",
			       (unsigned long long)pids.pid,
			       (unsigned long long)pids.tid,
			       (unsigned long long)pids.ppid);
		if (!ret)
			kdbus_conn_free(&c);
	}
	/* existing ones are fine */
	pids.pid = getpid();
	pids.tid = kdbus_gettid();
	pids.ppid = getppid();
	ASSERT_EQ(0, fake_conn(&c, &self->dom, self->bus, NULL, &pids, NULL,
			       NULL));
	kdbus_conn_free(&c);
}

/*
 * Child: with two privileged handles opened by the test, enter a new
 * user namespace (the test writes "0 100000 1000" maps), fake an
 * unmappable uid (EINVAL), then mappable ids; report both results.
 */
static int child_fake_userns(void *arg)
{
	struct kdbus_creds bad = {
		.uid = 1234, .euid = 1234, .suid = 1234, .fsuid = 1234,
		.gid = 1234, .egid = 1234, .sgid = 1234, .fsgid = 1234,
	};
	struct kdbus_creds good = {
		.uid = 5, .euid = 6, .suid = 7, .fsuid = 8,
		.gid = 15, .egid = 16, .sgid = UNSET_ID, .fsgid = 18,
	};
	struct ctx *c = arg;
	struct kdbus_conn k;
	__u64 res[3];
	int ret;

	chan_child_side(&c->ch);
	if (unshare(CLONE_NEWUSER) < 0) {
		kdbus_log("unshare(CLONE_NEWUSER): %m");
		return 10;
	}
	if (chan_put(c->ch.up[1], 'u') || chan_get(c->ch.down[0]) != 'm')
		return 11;
	ret = hello_fake(&k, c->fds[0], &bad, NULL, NULL, NULL);
	res[0] = (__u64)(__s64)ret;
	if (!ret)
		kdbus_conn_free(&k);
	ret = hello_fake(&k, c->fds[1], &good, NULL, NULL, NULL);
	res[1] = (__u64)(__s64)ret;
	res[2] = ret ? 0 : k.id;
	if (xwrite(c->ch.up[1], res, sizeof(res)))
		return 12;
	if (chan_get(c->ch.down[0]) != 'q')
		return 13;
	if (!ret)
		kdbus_conn_free(&k);
	return 0;
}

/* faked ids are read in the caller's user namespace; unmappable: EINVAL */
TEST_F(metadata, fake_creds_unmappable)
{
	const __u64 want[8] = { 100005, 100006, 100007, 100008,
				100015, 100016, UNSET_ID, 100018 };
	struct kdbus_conn q;
	struct ctx c = { 0 };
	struct rinfo info;
	char path[64];
	__u64 res[3] = { 0, 0, 0 };
	pid_t pid;
	int ret;

	ASSERT_EQ(0, conn_make(&q, &self->dom, self->bus, 0, ALL, 0, NULL));
	/* privileged handles: opened by root before the child unshares */
	c.fds[0] = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	c.fds[1] = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, c.fds[0]);
	ASSERT_LE(0, c.fds[1]);
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_fake_userns, &c);
	ASSERT_LT(0, pid);
	close(c.fds[0]);
	close(c.fds[1]);
	ASSERT_EQ('u', chan_get(c.ch.up[0]));
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	ret = write_file(path, "0 100000 1000\n");
	EXPECT_EQ(0, ret) TH_LOG("uid_map: %s", strerror(-ret));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	ret = write_file(path, "0 100000 1000\n");
	EXPECT_EQ(0, ret) TH_LOG("gid_map: %s", strerror(-ret));
	ASSERT_EQ(0, chan_put(c.ch.down[1], 'm'));
	ASSERT_EQ(0, xread(c.ch.up[0], res, sizeof(res)));
	EXPECT_EQ((__u64)(__s64)-EINVAL, res[0]) TH_LOG("unmappable uid 1234");
	EXPECT_EQ(0ULL, res[1]) TH_LOG("mappable ids");

	if (!res[1] && res[2]) {
		ASSERT_EQ(0, info_get(&q, res[2], NULL, ALL, &info));
		expect_kinds(_metadata, info.m.mask, A_CREDS,
			     "faked in a user namespace");
		expect_creds(_metadata, kind(&info.m, A_CREDS), want,
			     "faked in a user namespace, seen from outside");
		EXPECT_EQ(0, kdbus_free(&q, info.offset));
	}
	EXPECT_EQ(0, chan_put(c.ch.down[1], 'q'));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);
	kdbus_conn_free(&q);
}

struct unpriv_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
};

/* as uid 1000: any fake item is refused, even with its own values */
static int child_unpriv_fake(void *arg)
{
	const struct unpriv_ctx *u = arg;
	const struct kdbus_creds creds = {
		.uid = 1000, .euid = 1000, .suid = 1000, .fsuid = 1000,
		.gid = 1000, .egid = 1000, .sgid = 1000, .fsgid = 1000,
	};
	const struct kdbus_pids pids = {
		.pid = getpid(), .tid = kdbus_gettid(), .ppid = getppid(),
	};
	struct kdbus_conn k;
	int i, ret, bad = 0;

	for (i = 0; i < 4; i++) {
		ret = fake_conn(&k, u->dom, u->bus, i == 0 ? &creds : NULL,
				i == 1 ? &pids : NULL,
				i == 2 ? "fake_label" : NULL, NULL);
		if (i < 3 && ret != -EPERM) {
			kdbus_log("unprivileged fake item %d: %d, want EPERM",
				  i, ret);
			bad++;
		}
		if (i == 3 && ret) {
			kdbus_log("unprivileged plain HELLO: %d", ret);
			bad++;
		}
		if (!ret)
			kdbus_conn_free(&k);
	}
	return bad;
}

TEST_F(metadata, fake_unprivileged_eperm)
{
	struct unpriv_ctx u = { .dom = &self->dom, .bus = self->bus };

	EXPECT_EQ(0, kdbus_run_as(1000, 1000, child_unpriv_fake, &u));
}

/* ------------------------------------------------------------------ */
/* translation into the receiver's namespaces                         */
/* ------------------------------------------------------------------ */

/* child: enter a new user namespace; on 'm' (maps done) ship a message */
static int child_userns_recv(void *arg)
{
	struct ctx *c = arg;

	chan_child_side(&c->ch);
	if (unshare(CLONE_NEWUSER) < 0) {
		kdbus_log("unshare(CLONE_NEWUSER): %m");
		return 10;
	}
	if (chan_put(c->ch.up[1], 'u'))
		return 11;
	if (c->arg[0] && chan_get(c->ch.down[0]) != 'm')
		return 12;
	return ship_msg(c->conn, c->ch.up[1]) ? 13 : 0;
}

/* child: set loginuid 1000 and groups, report the sessionid, send */
static int child_userns_send(void *arg)
{
	static const gid_t groups[] = { 3001, 3002 };
	struct ctx *c = arg;
	__u32 sid, luid;

	chan_child_side(&c->ch);
	if (write_file("/proc/self/loginuid", "1000"))
		return 10;
	if (setgroups(2, groups) < 0)
		return 11;
	if (own_audit(&sid, &luid))
		return 12;
	if (xwrite(c->ch.up[1], &sid, sizeof(sid)))
		return 13;
	return send_str(c->conn, c->dst, 1, "to another userns") ? 14 : 0;
}

/*
 * A receiver in a new user namespace without any mapping: the root
 * sender's ids become the overflow ids, CAPS is omitted, an unmappable
 * loginuid reads 0xFFFFFFFF; the rest is intact.
 */
TEST_F(metadata, userns_unmapped_receiver)
{
	struct kdbus_conn s, r;
	struct ctx rc = { 0 }, sc = { 0 };
	struct shipped sh;
	__u64 ouid, ogid, creds[8], groups[2];
	__u32 sid = 0;
	pid_t rpid, spid;
	int i;

	ASSERT_EQ(0, access("/proc/self/loginuid", F_OK))
		TH_LOG("no /proc/self/loginuid: the test kernel has CONFIG_AUDIT=y");
	ASSERT_EQ(0, read_u64_file("/proc/sys/kernel/overflowuid", &ouid));
	ASSERT_EQ(0, read_u64_file("/proc/sys/kernel/overflowgid", &ogid));
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));

	rc.conn = &r;
	ASSERT_EQ(0, chan_open(&rc.ch));
	rpid = spawn(child_userns_recv, &rc);
	ASSERT_LT(0, rpid);
	ASSERT_EQ('u', chan_get(rc.ch.up[0]));

	sc.conn = &s;
	sc.dst = r.id;
	ASSERT_EQ(0, chan_open(&sc.ch));
	spid = spawn(child_userns_send, &sc);
	ASSERT_LT(0, spid);
	EXPECT_EQ(0, xread(sc.ch.up[0], &sid, sizeof(sid)));
	EXPECT_EQ(0, kdbus_wait_child(spid));
	chan_close(&sc.ch);

	ASSERT_EQ(0, unship(rc.ch.up[0], &sh));
	EXPECT_EQ(0, kdbus_wait_child(rpid));
	chan_close(&rc.ch);

	expect_kinds(_metadata, sh.m.mask, sender_kinds(false, true) & ~A_CAPS,
		     "receiver in an unmapped user namespace");
	for (i = 0; i < 8; i++)
		creds[i] = i < 4 ? ouid : ogid;
	expect_creds(_metadata, kind(&sh.m, A_CREDS), creds, "overflow ids");
	groups[0] = ogid;
	groups[1] = ogid;
	expect_u64s(_metadata, kind(&sh.m, A_AUX), groups, 2,
		    "overflow groups");
	EXPECT_EQ(NULL, kind(&sh.m, A_CAPS));
	expect_audit(_metadata, kind(&sh.m, A_AUDIT), sid, UNSET_ID,
		     "unmappable loginuid");
	expect_pids(_metadata, kind(&sh.m, A_PIDS), spid, spid, getpid(),
		    "same pid namespace");
	expect_str(_metadata, kind(&sh.m, A_DESC), SENDER_DESC, "intact");
	EXPECT_TRUE(kdbus_msg_payload_is(sh.msg, "to another userns"));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* child: become uid 1001 / gid 2001 with groups 2001, 3001 and send */
static int child_send_1001(void *arg)
{
	static const gid_t groups[] = { GID1, 3001 };
	struct ctx *c = arg;

	chan_child_side(&c->ch);
	if (become(groups, 2, GID1, GID1, GID1, UID1, UID1, UID1))
		return 10;
	return send_str(c->conn, c->dst, 1, "mapped") ? 11 : 0;
}

/* a receiver whose user namespace maps the sender's uid to 0 sees 0 */
TEST_F(metadata, userns_mapped_receiver)
{
	const __u64 zero[8] = { 0 };
	struct kdbus_conn s, r;
	struct ctx rc = { 0 }, sc = { 0 };
	struct shipped sh;
	__u64 ogid, groups[2];
	__u32 sid, luid;
	char path[64];
	pid_t rpid, spid;
	int ret;

	ASSERT_EQ(0, read_u64_file("/proc/sys/kernel/overflowgid", &ogid));
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));

	rc.conn = &r;
	rc.arg[0] = 1;		/* wait for the maps */
	ASSERT_EQ(0, chan_open(&rc.ch));
	rpid = spawn(child_userns_recv, &rc);
	ASSERT_LT(0, rpid);
	ASSERT_EQ('u', chan_get(rc.ch.up[0]));
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)rpid);
	ret = write_file(path, "0 1001 1\n");
	ASSERT_EQ(0, ret) TH_LOG("uid_map: %s", strerror(-ret));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)rpid);
	ret = write_file(path, "0 2001 1\n");
	ASSERT_EQ(0, ret) TH_LOG("gid_map: %s", strerror(-ret));

	sc.conn = &s;
	sc.dst = r.id;
	ASSERT_EQ(0, chan_open(&sc.ch));
	spid = spawn(child_send_1001, &sc);
	ASSERT_LT(0, spid);
	EXPECT_EQ(0, kdbus_wait_child(spid));
	chan_close(&sc.ch);

	ASSERT_EQ(0, chan_put(rc.ch.down[1], 'm'));
	ASSERT_EQ(0, unship(rc.ch.up[0], &sh));
	EXPECT_EQ(0, kdbus_wait_child(rpid));
	chan_close(&rc.ch);

	expect_creds(_metadata, kind(&sh.m, A_CREDS), zero,
		     "uid 1001 / gid 2001 mapped to 0");
	groups[0] = 0;
	groups[1] = ogid;
	expect_u64s(_metadata, kind(&sh.m, A_AUX), groups, 2,
		    "groups 2001 (mapped), 3001 (not)");
	EXPECT_EQ(NULL, kind(&sh.m, A_CAPS));
	if (kind(&sh.m, A_AUDIT)) {
		/* the sender inherited the test's loginuid: mapped or not */
		ASSERT_EQ(0, own_audit(&sid, &luid));
		expect_audit(_metadata, kind(&sh.m, A_AUDIT), sid,
			     luid == UID1 ? 0 : UNSET_ID, "mapped receiver");
	}
	expect_pids(_metadata, kind(&sh.m, A_PIDS), spid, spid, getpid(),
		    "mapped receiver");

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/*
 * Child: unshare(CLONE_NEWPID) and fork; the grandchild (pid 1 there)
 * either reports 'r' and ships the next message of c->conn (arg[0] == 0),
 * or sends to c->dst (arg[0] == 1), and then the child reports the
 * grandchild's (global) pid.
 */
static int child_pidns(void *arg)
{
	struct ctx *c = arg;
	__u64 gpid;
	pid_t pid;
	int ret;

	chan_child_side(&c->ch);
	if (unshare(CLONE_NEWPID) < 0) {
		kdbus_log("unshare(CLONE_NEWPID): %m");
		return 10;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 11;
	if (pid == 0) {
		if (getpid() != 1)
			_exit(20);
		if (c->arg[0] == 0) {
			if (chan_put(c->ch.up[1], 'r'))
				_exit(21);
			_exit(ship_msg(c->conn, c->ch.up[1]) ? 22 : 0);
		}
		_exit(send_str(c->conn, c->dst, 1, "from a pid ns") ? 23 : 0);
	}
	gpid = pid;
	if (c->arg[0] == 1 && xwrite(c->ch.up[1], &gpid, sizeof(gpid)))
		return 12;
	ret = kdbus_wait_child(pid);
	return ret ? 30 + (ret & 0x3f) : 0;
}

/* a receiver in a child pid namespace sees pid = tid = ppid = 0 */
TEST_F(metadata, pidns_receiver)
{
	struct kdbus_conn s, r;
	struct ctx c = { 0 };
	struct shipped sh;
	__u64 mine[8];
	pid_t pid;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));
	c.conn = &r;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_pidns, &c);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', chan_get(c.ch.up[0]));
	ASSERT_EQ(0, send_str(&s, r.id, 1, "into a pid ns"));
	ASSERT_EQ(0, unship(c.ch.up[0], &sh));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);

	expect_pids(_metadata, kind(&sh.m, A_PIDS), 0, 0, 0,
		    "sender outside the receiver's pid namespace");
	expect_kinds(_metadata, sh.m.mask, sender_kinds(false, true),
		     "receiver in a child pid namespace");
	own_creds(mine);
	expect_creds(_metadata, kind(&sh.m, A_CREDS), mine, "intact");
	expect_str(_metadata, kind(&sh.m, A_DESC), SENDER_DESC, "intact");

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* a sender in a child pid namespace, seen from outside: global pids */
TEST_F(metadata, pidns_sender)
{
	struct kdbus_conn s, r;
	struct ctx c = { 0 };
	__u64 gpid = 0;
	struct rmsg m;
	pid_t pid;

	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0, NULL));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, A_PIDS, NULL));
	c.conn = &s;
	c.dst = r.id;
	c.arg[0] = 1;
	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_pidns, &c);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, xread(c.ch.up[0], &gpid, sizeof(gpid)));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);
	ASSERT_LT(1ULL, gpid);

	ASSERT_EQ(0, recv_parse(&r, &m));
	expect_pids(_metadata, kind(&m.m, A_PIDS), gpid, gpid, pid,
		    "sender inside a child pid namespace");
	EXPECT_EQ(0, kdbus_free(&r, m.offset));

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* child: chroot() to c->path, then ship the next message */
static int child_chroot_recv(void *arg)
{
	struct ctx *c = arg;

	chan_child_side(&c->ch);
	if (chroot(c->path) < 0 || chdir("/") < 0) {
		kdbus_log("chroot %s: %m", c->path);
		return 10;
	}
	if (chan_put(c->ch.up[1], 'r'))
		return 11;
	return ship_msg(c->conn, c->ch.up[1]) ? 12 : 0;
}

/* ship one message from @s to a receiver child chrooted to @dir */
static void chroot_recv(struct __test_metadata *_metadata,
			struct kdbus_conn *s, struct kdbus_conn *r,
			const char *dir, struct shipped *sh)
{
	struct ctx c = { .conn = r, .path = dir };
	pid_t pid;

	ASSERT_EQ(0, chan_open(&c.ch));
	pid = spawn(child_chroot_recv, &c);
	ASSERT_LT(0, pid);
	ASSERT_EQ('r', chan_get(c.ch.up[0]));
	ASSERT_EQ(0, send_str(s, r->id, 1, "chrooted"));
	ASSERT_EQ(0, unship(c.ch.up[0], sh));
	EXPECT_EQ(0, kdbus_wait_child(pid));
	chan_close(&c.ch);
}

/* EXE is omitted for a receiver with a different root, kept otherwise */
TEST_F(metadata, chroot_exe)
{
	char dir[] = "/tmp/kdbus-meta-root.XXXXXX", exe[4096];
	struct kdbus_conn s, r;
	struct shipped sh;
	ssize_t len;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, len);
	exe[len] = '\0';
	ASSERT_EQ(0, conn_make(&s, &self->dom, self->bus, 0, ALL, 0,
			       SENDER_DESC));
	ASSERT_EQ(0, conn_make(&r, &self->dom, self->bus, 0, 0, ALL, NULL));
	ASSERT_NE(NULL, mkdtemp(dir));

	chroot_recv(_metadata, &s, &r, dir, &sh);
	rmdir(dir);
	expect_kinds(_metadata, sh.m.mask, sender_kinds(false, true) & ~A_EXE,
		     "receiver with another root");
	expect_self(_metadata, &sh.m, "receiver with another root");

	/* the same root: the path */
	chroot_recv(_metadata, &s, &r, "/", &sh);
	expect_kinds(_metadata, sh.m.mask, sender_kinds(false, true),
		     "receiver chrooted to /");
	expect_str(_metadata, kind(&sh.m, A_EXE), exe, "same root");

	kdbus_conn_free(&r);
	kdbus_conn_free(&s);
}

/* ------------------------------------------------------------------ */
/* KDBUS_CMD_UPDATE                                                   */
/* ------------------------------------------------------------------ */

/* UPDATE of the attach masks: errors, who may change what, atomicity */
TEST_F(metadata, update_errors)
{
	const __u64 req = A_CREDS, none = 0, pids = A_PIDS, all = ALL;
	const __u64 unknown = 1ULL << META_KINDS, almost = ~0ULL - 1;
	struct kdbus_conn c, ph, act, mon, s, x;
	struct kdbus_cmd *cmd;
	struct rinfo info;
	char name[64];
	struct rmsg m;
	int ctl;

	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	kdbus_name(name, sizeof(name), "meta-upd");
	ASSERT_EQ(0, kdbus_bus_make_attach(ctl, 0, name, 64, 1, NULL, &req));
	ASSERT_EQ(0, conn_make(&c, &self->dom, name, 0, A_CREDS | A_PIDS, 0,
			       NULL));

	/* the bus requirement */
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, &none, NULL));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, &pids, NULL));
	EXPECT_EQ(0, kdbus_update_attach(&c, &req, NULL));
	EXPECT_EQ(0, kdbus_update_attach(&c, &all, NULL));
	/* unknown bits */
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, &unknown, NULL));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, &almost, NULL));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, NULL, &unknown));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, NULL, &almost));
	EXPECT_EQ(0, kdbus_update_attach(&c, NULL, &none));

	/* a failing UPDATE changes neither mask */
	ASSERT_EQ(0, conn_make(&x, &self->dom, name, 0, ALL, A_CREDS, NULL));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&x, &none, &all));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_RECV, ALL);
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_SEND, unknown);
	EXPECT_EQ(-EINVAL, kdbus_ioctl(x.fd, KDBUS_CMD_UPDATE, cmd));
	kdbus_args_release(cmd);
	ASSERT_EQ(0, conn_make(&s, &self->dom, name, 0, ALL, 0, NULL));
	ASSERT_EQ(0, send_str(&s, x.id, 1, "after failed updates"));
	ASSERT_EQ(0, recv_parse(&x, &m));
	expect_kinds(_metadata, m.m.mask, A_CREDS, "recv mask unchanged");
	EXPECT_EQ(0, kdbus_free(&x, m.offset));
	ASSERT_EQ(0, info_get(&s, x.id, NULL, A_CREDS | A_PIDS, &info));
	expect_kinds(_metadata, info.m.mask, A_CREDS | A_PIDS,
		     "send mask unchanged");
	EXPECT_EQ(0, kdbus_free(&s, info.offset));
	kdbus_conn_free(&s);

	/* connection kinds */
	ASSERT_EQ(0, kdbus_policy_holder_new(&ph, &self->dom, self->bus,
					     "com.example.meta.policy",
					     KDBUS_POLICY_TALK));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_update_attach(&ph, NULL, &all));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_update_attach(&ph, &all, NULL));
	ASSERT_EQ(0, kdbus_activator_new(&act, &self->dom, self->bus,
					 "com.example.meta.act"));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_update_attach(&act, &all, NULL));
	EXPECT_EQ(0, kdbus_update_attach(&act, NULL, &all));
	ASSERT_EQ(0, conn_make(&mon, &self->dom, self->bus,
			       KDBUS_HELLO_MONITOR, 0, 0, NULL));
	EXPECT_EQ(0, kdbus_update_attach(&mon, &all, &all));
	EXPECT_EQ(0, kdbus_update_attach(&mon, &none, &none));

	kdbus_conn_free(&mon);
	kdbus_conn_free(&act);
	kdbus_conn_free(&ph);
	kdbus_conn_free(&x);
	kdbus_conn_free(&c);
	close(ctl);
}

TEST_HARNESS_MAIN
