// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic fuzzing of the connection ioctls.
 *
 * A fixed-seed pseudo-random generator (the seed is printed; set
 * KDBUS_FUZZ_SEED to replay another one) builds command arguments and
 * messages: random sizes, offsets, flags, item types and item sizes,
 * overlapping and truncated items, huge counts, bogus and misaligned
 * addresses, random file descriptors. Every call is checked against a
 * model of the contract:
 *
 *  - the generic argument checks (pointer, size, flags, item tiling,
 *    accepted item types, per-type payload rules, duplicates, mandatory
 *    items) are evaluated in the contract's order, so a defect there must
 *    produce exactly the errno of the first failing step;
 *  - input that is certainly invalid must fail, with an errno the
 *    contract lists for the command;
 *  - input the model knows to be valid must succeed (and is then checked:
 *    slices are freed, messages are received intact);
 *  - anything else must succeed or fail with a listed errno.
 *
 * Memory handed to the kernel is deterministic: arguments and messages are
 * built in arenas that are cleared before every call and followed by
 * PROT_NONE guard pages, so "too large" sizes and bogus pointers always
 * fault instead of reading whatever happens to be mapped. After every
 * batch, valid messages must still go through and arrive intact.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

#define FUZZ_SEED		0x6b646275732d667aULL	/* "kdbus-fz" */
#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

/* arenas: each is followed by a PROT_NONE guard page */
#define CMD_ARENA		(40 * 1024)	/* > KDBUS_CMD_MAX_SIZE */
#define MSG_ARENA		(12 * 1024)	/* > KDBUS_MSG_MAX_SIZE */
#define DATA_ARENA		(64 * 1024)	/* payload bytes */

/* an fd number that is never open in the tests */
#define CLOSED_FD		900

/* lowest address that is not a user-space address on x86-64 (4 levels) */
#define USER_SPACE_END		0x00007ffffffff000ULL

/* runtime budgets (the tests run under software emulation) */
#define SEND_ITERATIONS		2000
#define CMD_ITERATIONS		2000
#define HELLO_ITERATIONS	300
#define BATCH			100
#define BUDGET_NS		(6 * NSEC_PER_SEC)

/* stop logging (and fuzzing) after this many mismatches */
#define MAX_FAILURES		10

/* ------------------------------------------------------------------ */
/* random numbers                                                     */
/* ------------------------------------------------------------------ */

/* xorshift64*: small, fast and the same everywhere */
static __u64 rnd(__u64 *state)
{
	__u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static __u64 rnd_below(__u64 *state, __u64 n)
{
	return n ? rnd(state) % n : 0;
}

static bool chance(__u64 *state, unsigned int percent)
{
	return rnd_below(state, 100) < percent;
}

/* ------------------------------------------------------------------ */
/* state                                                              */
/* ------------------------------------------------------------------ */

/* where a generated argument or message is placed */
enum place {
	PL_FRONT,		/* start of its arena, zeroes behind it */
	PL_TAIL,		/* flush against the guard page */
	PL_MISALIGNED,		/* front + 1..7 */
	PL_READONLY,		/* the read-only page */
	PL_BOGUS,		/* an address that is never mapped */
};

static const char * const place_names[] = {
	"front", "tail", "misaligned", "read-only", "bogus",
};

/* what the model predicts for a message */
enum verdict {
	V_OK,			/* valid and deliverable: must arrive */
	V_UNKNOWN,		/* the outcome is open */
	V_FAIL,			/* certainly refused */
};

struct msg_model {
	enum verdict verdict;
	const char *why;	/* the first reason for the verdict */
	__u64 flags, dst, cookie, timeout, payload_type, sent_ns;
	__s64 priority;
	unsigned int n_vec, n_memfd, n_fds;
	struct {
		__u64 addr, size;
	} vec[KDBUS_MSG_MAX_ITEMS + 32];
};

/* a file descriptor of the fd table */
struct fuzz_fd {
	int fd;
	int pollable;		/* 1 yes, 0 no */
	const char *what;
};

#define FUZZ_FDS		14
#define MAX_NAMES		64
#define MAX_MATCHES		300
#define MAX_ITEMS		160

struct fuzz {
	__u64 seed;
	__u64 rng;
	unsigned long iteration;
	unsigned int failures;
	const char *phase;

	/* connections: a is fuzzed, b accepts fds, v is the BYEBYE victim */
	struct kdbus_conn *a, *b, *v;
	unsigned int v_queued;	/* messages queued for v */
	bool leaked;		/* a slice may have been handed out unseen */

	/* memory */
	size_t page;
	__u8 *base;
	size_t base_len;
	__u8 *cmd;		/* CMD_ARENA bytes */
	__u8 *msg;		/* MSG_ARENA bytes */
	__u8 *data;		/* DATA_ARENA bytes of a pattern */
	__u8 *ro;		/* one read-only page */
	size_t cmd_dirty;	/* bytes of the cmd arena to clear */
	size_t msg_dirty;

	/* staging buffers: arguments and messages are built here */
	__u8 stage[CMD_ARENA];
	__u8 mstage[MSG_ARENA];

	struct fuzz_fd fds[FUZZ_FDS];

	/* what the model knows about a */
	char owned[MAX_NAMES][260];
	unsigned int n_owned;
	__u64 matches[MAX_MATCHES];
	unsigned int n_matches;
	/* probes: commands that answer EOPNOTSUPP to valid input */
	bool unimpl_list, unimpl_names, unimpl_matches, unimpl_kinds;
	bool unimpl_update;

	/* the message of the current SEND, as the model sees it */
	struct msg_model *mm;
};

/* ------------------------------------------------------------------ */
/* memory                                                             */
/* ------------------------------------------------------------------ */

static size_t page_align(const struct fuzz *f, size_t n)
{
	return (n + f->page - 1) & ~(f->page - 1);
}

static int mem_setup(struct fuzz *f)
{
	size_t cmd = page_align(f, CMD_ARENA), msg = page_align(f, MSG_ARENA);
	size_t data = page_align(f, DATA_ARENA);
	size_t i;

	f->base_len = cmd + msg + data + 5 * f->page;
	f->base = mmap(NULL, f->base_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->base == MAP_FAILED)
		return -errno;
	f->cmd = f->base;
	f->msg = f->cmd + cmd + f->page;
	f->data = f->msg + msg + f->page;
	f->ro = f->data + data + f->page;
	if (mprotect(f->cmd, cmd, PROT_READ | PROT_WRITE) ||
	    mprotect(f->msg, msg, PROT_READ | PROT_WRITE) ||
	    mprotect(f->data, data, PROT_READ | PROT_WRITE) ||
	    mprotect(f->ro, f->page, PROT_READ))
		return -errno;
	for (i = 0; i < DATA_ARENA; i++)
		f->data[i] = (__u8)(i * 31 + 7);
	return 0;
}

/* whether [addr, addr + len) is readable: inside one arena */
static bool readable(const struct fuzz *f, __u64 addr, __u64 len)
{
	const struct {
		const __u8 *start;
		size_t len;
	} r[] = {
		{ f->cmd, CMD_ARENA },
		{ f->msg, MSG_ARENA },
		{ f->data, DATA_ARENA },
		{ f->ro, f->page },
	};
	unsigned int i;
	__u64 s;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		s = (__u64)(uintptr_t)r[i].start;
		if (addr >= s && addr - s <= r[i].len &&
		    len <= r[i].len - (addr - s))
			return true;
	}
	return false;
}

/* an address at which nothing is ever mapped */
static __u64 bogus_address(struct fuzz *f)
{
	switch (rnd_below(&f->rng, 8)) {
	case 0:
		return 0;
	case 1:
		return 8 * (1 + rnd_below(&f->rng, 64));	/* page 0 */
	case 2:		/* the guard page behind the cmd arena */
		return (uintptr_t)f->cmd + page_align(f, CMD_ARENA) +
		       8 * rnd_below(&f->rng, f->page / 8);
	case 3:
		return 0xffffffff81000000ULL;		/* kernel text */
	case 4:
		return 0xffff888000000000ULL;		/* direct map */
	case 5:
		return 0x0000800000000000ULL;		/* past user space */
	case 6:
		return 0x8000000000000000ULL;		/* non-canonical */
	default:
		return ~7ULL;
	}
}

/*
 * Copy @len bytes of @src into @arena (@size bytes, @dirty bytes in use)
 * at a random placement, other than the front in @odd percent of the
 * cases; returns the address handed to the kernel.
 */
static __u64 place_bytes(struct fuzz *f, __u8 *arena, size_t size,
			 size_t *dirty, const __u8 *src, size_t len,
			 enum place *where, unsigned int odd)
{
	unsigned int r = rnd_below(&f->rng, 100);
	size_t off;

	memset(arena, 0, *dirty);
	*dirty = 0;
	if (len > size)
		len = size;

	*where = PL_FRONT;
	if (r < odd) {
		r = rnd_below(&f->rng, 100);
		if (r < 30)
			*where = PL_TAIL;
		else if (r < 48)
			*where = PL_MISALIGNED;
		else if (r < 66 && len <= f->page)
			*where = PL_READONLY;
		else if (r >= 66)
			*where = PL_BOGUS;
	}
	if (*where == PL_BOGUS)
		return bogus_address(f);

	switch (*where) {
	case PL_READONLY:
		mprotect(f->ro, f->page, PROT_READ | PROT_WRITE);
		memset(f->ro, 0, f->page);
		memcpy(f->ro, src, len);
		mprotect(f->ro, f->page, PROT_READ);
		return (uintptr_t)f->ro;
	case PL_TAIL:
		off = size - KDBUS_ALIGN8(len);
		break;
	case PL_MISALIGNED:
		off = 1 + rnd_below(&f->rng, 7);
		if (off + len > size)
			len = size - off;
		break;
	default:
		off = 0;
		break;
	}
	memcpy(arena + off, src, len);
	*dirty = size;		/* conservatively clear all next time */
	if (*where == PL_FRONT)
		*dirty = KDBUS_ALIGN8(len);
	return (uintptr_t)arena + off;
}

/* ------------------------------------------------------------------ */
/* file descriptors                                                   */
/* ------------------------------------------------------------------ */

static int fds_setup(struct fuzz *f, const struct kdbus_domain *dom)
{
	int pipefd[2], sv[2], i = 0, ret;

	if (pipe2(pipefd, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	f->fds[i++] = (struct fuzz_fd){ -1, 0, "-1" };
	f->fds[i++] = (struct fuzz_fd){ CLOSED_FD, 0, "closed" };
	f->fds[i++] = (struct fuzz_fd){ 1 << 30, 0, "huge" };
	f->fds[i++] = (struct fuzz_fd){ pipefd[0], 1, "pipe" };
	f->fds[i++] = (struct fuzz_fd){ pipefd[1], 1, "pipe-w" };
	f->fds[i++] = (struct fuzz_fd){ eventfd(0, EFD_CLOEXEC), 1,
					"eventfd" };
	f->fds[i++] = (struct fuzz_fd){ eventfd(1, EFD_CLOEXEC), 1,
					"eventfd-ready" };
	ret = kdbus_sealed_memfd(4096, 0x5a);
	f->fds[i++] = (struct fuzz_fd){ ret, 0, "sealed-memfd" };
	f->fds[i++] = (struct fuzz_fd){ memfd_create("kdbus-fuzz",
						    MFD_CLOEXEC), 0,
					"memfd" };
	f->fds[i++] = (struct fuzz_fd){ f->a->fd, 1, "kdbus" };
	f->fds[i++] = (struct fuzz_fd){ sv[0], 1, "unix" };
	f->fds[i++] = (struct fuzz_fd){ open("/", O_PATH | O_CLOEXEC), 0,
					"o-path" };
	f->fds[i++] = (struct fuzz_fd){ open(dom->path, O_RDONLY |
					     O_DIRECTORY | O_CLOEXEC), 0,
					"directory" };
	f->fds[i++] = (struct fuzz_fd){ sv[1], 1, "unix-peer" };
	for (i = 3; i < FUZZ_FDS; i++)
		if (f->fds[i].fd < 0)
			return -EBADF;
	if (ftruncate(f->fds[8].fd, 4096) < 0 || fcntl(CLOSED_FD, F_GETFD) >= 0)
		return -EBADF;
	return 0;
}

static int random_fd(struct fuzz *f)
{
	if (chance(&f->rng, 4))
		return (int)rnd(&f->rng);
	return f->fds[rnd_below(&f->rng, FUZZ_FDS)].fd;
}

/* an fd that may be passed in FDS: 1; a forbidden file: 0; bad: -1 */
static int fd_passable(int fd)
{
	struct statfs sfs;
	struct stat st;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -1;
	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == KDBUS_SUPER_MAGIC)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
		return 0;
	return 1;
}

/* whether @fd, @start, @size make a valid PAYLOAD_MEMFD */
static bool memfd_valid(int fd, __u64 start, __u64 size)
{
	const int all = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
			F_SEAL_SEAL;
	struct stat st;
	int seals;

	if (fd < 0 || !size || fcntl(fd, F_GETFD) < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & all) != all || fstat(fd, &st) < 0)
		return false;
	return start + size >= start && start + size <= (__u64)st.st_size;
}

/* whether @fd is an open, pollable file of the fd table */
static bool fd_pollable(const struct fuzz *f, int fd)
{
	unsigned int i;

	for (i = 0; i < FUZZ_FDS; i++)
		if (f->fds[i].fd == fd)
			return f->fds[i].pollable;
	return false;
}

/* ------------------------------------------------------------------ */
/* names and strings                                                  */
/* ------------------------------------------------------------------ */

static char name_255[256], name_256[257];

static const char * const name_pool[] = {
	"org.fuzz.a", "org.fuzz.b", "a.b", "_x.-y", "A1.b2_c-d",
	"foo", ".bar.baz", "foo..bar", "foo.", "foo.1a", "foo.b@r",
	"org.fuzz.*", "", "1a.b", name_255, name_256,
};

static const char *random_name(struct fuzz *f)
{
	return name_pool[rnd_below(&f->rng, ARRAY_SIZE(name_pool))];
}

static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == '-')
		return true;
	return !first && c >= '0' && c <= '9';
}

/* a valid well-known name (contract 8.1), no wildcard */
static bool name_valid(const char *s)
{
	bool start = true;
	unsigned int dots = 0;
	size_t i, len = strlen(s);

	if (!len || len > 255)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (start)
				return false;
			dots++;
			start = true;
			continue;
		}
		if (!name_char(s[i], start))
			return false;
		start = false;
	}
	return !start && dots > 0;
}

/* the string rule: at least one byte, the only NUL is the last byte */
static bool string_ok(const __u8 *p, __u64 len)
{
	return len >= 1 && memchr(p, 0, len) == p + len - 1;
}

/*
 * CONN_DESCRIPTION (contract 1.3 without the prefix rule): 0, -EINVAL or
 * -ENAMETOOLONG.
 */
static int sysname_check(const __u8 *p, __u64 len)
{
	__u64 i, n;

	if (!string_ok(p, len) || len < 2)
		return -EINVAL;
	n = len - 1;
	for (i = 0; i < n; i++) {
		if (p[i] != '-' && name_char(p[i], false))
			continue;
		if ((p[i] == '.' || p[i] == '-') && i > 0 && i < n - 1)
			continue;
		return n > KDBUS_SYSNAME_MAX_LEN ? -ENAMETOOLONG : -EINVAL;
	}
	return n > KDBUS_SYSNAME_MAX_LEN ? -ENAMETOOLONG : 0;
}

static bool attach_valid(__u64 v)
{
	return v == ~0ULL || !(v & ~(__u64)_KDBUS_ATTACH_ALL);
}

static __u64 random_attach(struct fuzz *f)
{
	static const __u64 v[] = {
		0, ~0ULL, _KDBUS_ATTACH_ALL, KDBUS_ATTACH_TIMESTAMP,
		1ULL << 14, 1ULL << 63, ~0ULL - 1,
	};

	if (chance(&f->rng, 10))
		return rnd(&f->rng);
	return v[rnd_below(&f->rng, ARRAY_SIZE(v))];
}

/* ------------------------------------------------------------------ */
/* the commands and what the contract allows them                     */
/* ------------------------------------------------------------------ */

struct item_rule {
	__u64 type;
	bool multi;
	bool mandatory;
};

struct cmd_spec {
	unsigned long cmd;
	const char *name;
	size_t fixed;
	__u64 flags;			/* allowed besides NEGOTIATE */
	const struct item_rule *items;
	unsigned int n_items;
	const int *errs;		/* errnos besides the common ones */
	unsigned int n_errs;
};

#define SPEC(c, s, fl, r, e) {					\
	.cmd = c, .name = #c, .fixed = sizeof(s), .flags = fl,		\
	.items = r, .n_items = ARRAY_SIZE(r), .errs = e,		\
	.n_errs = ARRAY_SIZE(e),					\
}

enum {
	S_HELLO, S_UPDATE, S_BYEBYE, S_FREE, S_CONN_INFO, S_CREATOR_INFO,
	S_LIST, S_SEND, S_RECV, S_NAME_ACQUIRE, S_NAME_RELEASE, S_MATCH_ADD,
	S_MATCH_REMOVE, S_COUNT,
};

/* accepted item types (contract 2.6) */
#define ONE(t)		{ .type = (t) }
#define MULTI(t)	{ .type = (t), .multi = true }
#define MAND(t)		{ .type = (t), .mandatory = true }

static const struct item_rule r_negotiate[] = {
	ONE(KDBUS_ITEM_NEGOTIATE),
};

static const struct item_rule r_hello[] = {
	ONE(KDBUS_ITEM_NEGOTIATE), ONE(KDBUS_ITEM_NAME), ONE(KDBUS_ITEM_CREDS),
	ONE(KDBUS_ITEM_PIDS), ONE(KDBUS_ITEM_SECLABEL),
	ONE(KDBUS_ITEM_CONN_DESCRIPTION), MULTI(KDBUS_ITEM_POLICY_ACCESS),
};

static const struct item_rule r_update[] = {
	ONE(KDBUS_ITEM_NEGOTIATE), ONE(KDBUS_ITEM_ATTACH_FLAGS_SEND),
	ONE(KDBUS_ITEM_ATTACH_FLAGS_RECV), MULTI(KDBUS_ITEM_NAME),
	MULTI(KDBUS_ITEM_POLICY_ACCESS),
};

static const struct item_rule r_conn_info[] = {
	ONE(KDBUS_ITEM_NEGOTIATE), ONE(KDBUS_ITEM_NAME),
};

static const struct item_rule r_send[] = {
	ONE(KDBUS_ITEM_NEGOTIATE), ONE(KDBUS_ITEM_CANCEL_FD),
};

static const struct item_rule r_name[] = {
	ONE(KDBUS_ITEM_NEGOTIATE), MAND(KDBUS_ITEM_NAME),
};

static const struct item_rule r_match_add[] = {
	ONE(KDBUS_ITEM_NEGOTIATE), MULTI(KDBUS_ITEM_BLOOM_MASK),
	MULTI(KDBUS_ITEM_NAME), MULTI(KDBUS_ITEM_ID),
	MULTI(KDBUS_ITEM_NAME_ADD), MULTI(KDBUS_ITEM_NAME_REMOVE),
	MULTI(KDBUS_ITEM_NAME_CHANGE), MULTI(KDBUS_ITEM_ID_ADD),
	MULTI(KDBUS_ITEM_ID_REMOVE),
};

/* errnos the contract lists per command (3.3 - 3.18), besides EFAULT,
 * EINVAL, EMSGSIZE and ENOMEM; ECONNRESET is not listed: the fuzzed
 * connections stay connected
 */
static const int e_hello[] = {
	EPERM, EOPNOTSUPP, ECONNREFUSED, EMFILE, ESHUTDOWN, EEXIST,
	ENAMETOOLONG,
};

static const int e_update[] = { EOPNOTSUPP, E2BIG, EEXIST };

static const int e_byebye[] = { EBUSY };

static const int e_free[] = { ENXIO };

static const int e_conn_info[] = { ESRCH, ENXIO, EXFULL };

static const int e_info[] = { EXFULL };

static const int e_send[] = {
	EOPNOTSUPP, E2BIG, EBADF, EMEDIUMTYPE, ETXTBSY, EEXIST, EMFILE,
	ENOTUNIQ, EBADMSG, EDOM, EDESTADDRREQ, ENXIO, ESRCH, EREMCHG,
	EADDRNOTAVAIL, EPERM, EMLINK, ECOMM, ENOBUFS, EXFULL, ETIMEDOUT,
	ECANCELED,
};

static const int e_recv[] = { EAGAIN };

static const int e_acquire[] = { E2BIG, EPERM, EALREADY, EEXIST };

static const int e_release[] = { ESRCH, EADDRINUSE };

static const int e_match_add[] = { EDOM, EMFILE };

static const int e_match_remove[] = { EBADSLT };

static const struct cmd_spec specs[S_COUNT] = {
	[S_HELLO] = SPEC(KDBUS_CMD_HELLO, struct kdbus_cmd_hello, 0xf,
			 r_hello, e_hello),
	[S_UPDATE] = SPEC(KDBUS_CMD_UPDATE, struct kdbus_cmd, 0, r_update,
			  e_update),
	[S_BYEBYE] = SPEC(KDBUS_CMD_BYEBYE, struct kdbus_cmd, 0, r_negotiate,
			  e_byebye),
	[S_FREE] = SPEC(KDBUS_CMD_FREE, struct kdbus_cmd_free, 0,
			r_negotiate, e_free),
	[S_CONN_INFO] = SPEC(KDBUS_CMD_CONN_INFO, struct kdbus_cmd_info, 0,
			     r_conn_info, e_conn_info),
	[S_CREATOR_INFO] = SPEC(KDBUS_CMD_BUS_CREATOR_INFO,
				struct kdbus_cmd_info, 0, r_negotiate, e_info),
	[S_LIST] = SPEC(KDBUS_CMD_LIST, struct kdbus_cmd_list, 0xf,
			r_negotiate, e_info),
	[S_SEND] = SPEC(KDBUS_CMD_SEND, struct kdbus_cmd_send,
			KDBUS_SEND_SYNC_REPLY, r_send, e_send),
	[S_RECV] = SPEC(KDBUS_CMD_RECV, struct kdbus_cmd_recv, 0x7,
			r_negotiate, e_recv),
	[S_NAME_ACQUIRE] = SPEC(KDBUS_CMD_NAME_ACQUIRE, struct kdbus_cmd, 0x7,
				r_name, e_acquire),
	[S_NAME_RELEASE] = SPEC(KDBUS_CMD_NAME_RELEASE, struct kdbus_cmd, 0,
				r_name, e_release),
	[S_MATCH_ADD] = SPEC(KDBUS_CMD_MATCH_ADD, struct kdbus_cmd_match, 0x1,
			     r_match_add, e_match_add),
	[S_MATCH_REMOVE] = SPEC(KDBUS_CMD_MATCH_REMOVE,
				struct kdbus_cmd_match, 0, r_negotiate,
				e_match_remove),
};

/* errnos every connection command may return */
static const int common_errs[] = { EFAULT, EINVAL, EMSGSIZE, ENOMEM };

static bool errno_allowed(const struct cmd_spec *s, int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(common_errs); i++)
		if (err == common_errs[i])
			return true;
	for (i = 0; i < s->n_errs; i++)
		if (err == s->errs[i])
			return true;
	return false;
}

static const struct item_rule *rule_find(const struct cmd_spec *s,
					 __u64 type)
{
	unsigned int i;

	for (i = 0; i < s->n_items; i++)
		if (s->items[i].type == type)
			return &s->items[i];
	return NULL;
}

/* every item type of the contract, and a few that do not exist */
static const __u64 item_types[] = {
	0, KDBUS_ITEM_NEGOTIATE, KDBUS_ITEM_PAYLOAD_VEC,
	KDBUS_ITEM_PAYLOAD_OFF, KDBUS_ITEM_PAYLOAD_MEMFD, KDBUS_ITEM_FDS,
	KDBUS_ITEM_CANCEL_FD, KDBUS_ITEM_BLOOM_PARAMETER,
	KDBUS_ITEM_BLOOM_FILTER, KDBUS_ITEM_BLOOM_MASK, KDBUS_ITEM_DST_NAME,
	KDBUS_ITEM_MAKE_NAME, KDBUS_ITEM_ATTACH_FLAGS_SEND,
	KDBUS_ITEM_ATTACH_FLAGS_RECV, KDBUS_ITEM_ID, KDBUS_ITEM_NAME,
	KDBUS_ITEM_TIMESTAMP, KDBUS_ITEM_CREDS, KDBUS_ITEM_PIDS,
	KDBUS_ITEM_AUXGROUPS, KDBUS_ITEM_OWNED_NAME, KDBUS_ITEM_TID_COMM,
	KDBUS_ITEM_PID_COMM, KDBUS_ITEM_EXE, KDBUS_ITEM_CMDLINE,
	KDBUS_ITEM_CGROUP, KDBUS_ITEM_CAPS, KDBUS_ITEM_SECLABEL,
	KDBUS_ITEM_AUDIT, KDBUS_ITEM_CONN_DESCRIPTION,
	KDBUS_ITEM_POLICY_ACCESS, KDBUS_ITEM_NAME_ADD,
	KDBUS_ITEM_NAME_REMOVE, KDBUS_ITEM_NAME_CHANGE, KDBUS_ITEM_ID_ADD,
	KDBUS_ITEM_ID_REMOVE, KDBUS_ITEM_REPLY_TIMEOUT,
	KDBUS_ITEM_REPLY_DEAD, 16, 0x100e, 0x2001, 0x8007, ~0ULL,
	(1ULL << 32) | KDBUS_ITEM_NAME,
};

/* ------------------------------------------------------------------ */
/* the model of the generic argument checks (contract 2.2 - 2.4)      */
/* ------------------------------------------------------------------ */

/* "EINVAL or ENAMETOOLONG": the order of two failing checks is open */
#define EAMBIG			10000
/* a check the contract leaves open (PIDS payload size) */
#define MAYBE			1

/* per-type payload rules of contract 2.4: 0, -EINVAL, -ENAMETOOLONG, -EBADF */
static int payload_check(__u64 type, const __u8 *p, __u64 len)
{
	struct kdbus_memfd memfd;
	struct kdbus_vec vec;
	__u32 last_cap;

	switch (type) {
	case KDBUS_ITEM_NEGOTIATE:
		return len % 8 ? -EINVAL : 0;
	case KDBUS_ITEM_PAYLOAD_VEC:
	case KDBUS_ITEM_PAYLOAD_OFF:
		if (len != sizeof(vec))
			return -EINVAL;
		memcpy(&vec, p, sizeof(vec));
		return vec.size ? 0 : -EINVAL;
	case KDBUS_ITEM_PAYLOAD_MEMFD:
		if (len != sizeof(memfd))
			return -EINVAL;
		memcpy(&memfd, p, sizeof(memfd));
		if (!memfd.size)
			return -EINVAL;
		return memfd.fd < 0 ? -EBADF : 0;
	case KDBUS_ITEM_FDS:
	case KDBUS_ITEM_AUXGROUPS:
		return len % 4 ? -EINVAL : 0;
	case KDBUS_ITEM_CANCEL_FD:
		return len == sizeof(int) ? 0 : -EINVAL;
	case KDBUS_ITEM_BLOOM_PARAMETER:
	case KDBUS_ITEM_ID_ADD:
	case KDBUS_ITEM_ID_REMOVE:
		return len == 16 ? 0 : -EINVAL;
	case KDBUS_ITEM_BLOOM_FILTER:
		return len >= 8 ? 0 : -EINVAL;
	case KDBUS_ITEM_MAKE_NAME:
	case KDBUS_ITEM_CONN_DESCRIPTION:
		return sysname_check(p, len);
	case KDBUS_ITEM_ATTACH_FLAGS_SEND:
	case KDBUS_ITEM_ATTACH_FLAGS_RECV:
	case KDBUS_ITEM_ID:
	case KDBUS_ITEM_AUDIT:
		return len == 8 ? 0 : -EINVAL;
	case KDBUS_ITEM_TIMESTAMP:
	case KDBUS_ITEM_POLICY_ACCESS:
		return len == 24 ? 0 : -EINVAL;
	case KDBUS_ITEM_CREDS:
		return len == 64 ? 0 : -EINVAL;
	case KDBUS_ITEM_PIDS:
		return len == 24 ? 0 : MAYBE;
	case KDBUS_ITEM_NAME:
	case KDBUS_ITEM_DST_NAME:
	case KDBUS_ITEM_PID_COMM:
	case KDBUS_ITEM_TID_COMM:
	case KDBUS_ITEM_EXE:
	case KDBUS_ITEM_CMDLINE:
	case KDBUS_ITEM_CGROUP:
	case KDBUS_ITEM_SECLABEL:
		return string_ok(p, len) ? 0 : -EINVAL;
	case KDBUS_ITEM_CAPS:
		if (len < 4)
			return -EINVAL;
		memcpy(&last_cap, p, sizeof(last_cap));
		return len >= 4 + 16ULL * (last_cap >> 5) ? 0 : -EINVAL;
	case KDBUS_ITEM_NAME_ADD:
	case KDBUS_ITEM_NAME_REMOVE:
	case KDBUS_ITEM_NAME_CHANGE:
		if (len < 32)
			return -EINVAL;
		return len == 32 || string_ok(p + 32, len - 32) ? 0 : -EINVAL;
	case KDBUS_ITEM_REPLY_TIMEOUT:
	case KDBUS_ITEM_REPLY_DEAD:
		return len ? -EINVAL : 0;
	default:
		return 0;
	}
}

/* the items of an argument, as the model saw them */
struct items_info {
	unsigned int n;			/* items walked */
	struct {
		__u64 type;
		const __u8 *payload;
		__u64 len;
	} item[MAX_ITEMS];		/* the first MAX_ITEMS of them */
	int neg;			/* index of the NEGOTIATE item, or -1 */
	bool maybe;			/* an open check was involved */
};

/* the first recorded item of @type, or -1 */
static int ii_find(const struct items_info *ii, __u64 type)
{
	unsigned int i;

	for (i = 0; i < ii->n && i < MAX_ITEMS; i++)
		if (ii->item[i].type == type)
			return i;
	return -1;
}

/*
 * Walk the item region @p of @len bytes with the rules of @s (a NULL
 * @s: message items, checked later by the message model). Returns 0,
 * -EINVAL, -ENAMETOOLONG or -EAMBIG.
 */
static int model_items(const struct cmd_spec *s, const __u8 *p, __u64 len,
		       struct items_info *ii)
{
	unsigned int count[16] = { 0 };
	bool einval = false, toolong = false;
	const struct item_rule *rule;
	__u64 pos, isz, type;
	unsigned int i;
	int ret;

	memset(ii, 0, sizeof(*ii));
	ii->neg = -1;
	for (pos = 0; pos < len; pos += KDBUS_ALIGN8(isz)) {
		if (len - pos < KDBUS_ITEM_HEADER_SIZE) {
			einval = true;
			break;
		}
		memcpy(&isz, p + pos, sizeof(isz));
		memcpy(&type, p + pos + 8, sizeof(type));
		if (isz < KDBUS_ITEM_HEADER_SIZE || isz > len - pos) {
			einval = true;
			break;
		}
		if (ii->n < MAX_ITEMS) {
			ii->item[ii->n].type = type;
			ii->item[ii->n].payload = p + pos + 16;
			ii->item[ii->n].len = isz - 16;
		}
		ii->n++;
		if (!s)
			continue;
		rule = rule_find(s, type);
		if (!rule) {
			einval = true;
			continue;
		}
		if (++count[rule - s->items] > 1 && !rule->multi)
			einval = true;
		ret = payload_check(type, p + pos + 16, isz - 16);
		if (ret == MAYBE)
			ii->maybe = true;
		else if (ret == -ENAMETOOLONG)
			toolong = true;
		else if (ret)
			einval = true;
		if (type == KDBUS_ITEM_NEGOTIATE && !ret && ii->n <= MAX_ITEMS)
			ii->neg = ii->n - 1;
	}
	if (s && !einval)
		for (i = 0; i < s->n_items; i++)
			if (s->items[i].mandatory && !count[i])
				einval = true;
	if (toolong && (einval || ii->maybe))
		return -EAMBIG;
	if (einval)
		return -EINVAL;
	return toolong ? -ENAMETOOLONG : 0;
}

/*
 * The generic checks of contract 2.2 on the argument at @addr, in order:
 * 0 if they pass, else -errno of the first failing step.
 */
static int model_args(const struct fuzz *f, const struct cmd_spec *s,
		      __u64 addr, struct items_info *ii)
{
	const __u8 *p = (const void *)(uintptr_t)addr;
	__u64 size, flags;

	memset(ii, 0, sizeof(*ii));
	ii->neg = -1;
	if ((addr & 7) || !readable(f, addr, 8))
		return -EFAULT;
	memcpy(&size, p, sizeof(size));
	if (size < s->fixed)
		return -EINVAL;
	if (size > KDBUS_CMD_MAX_SIZE)
		return -EMSGSIZE;
	if (!readable(f, addr, size))
		return -EFAULT;
	memcpy(&flags, p + 8, sizeof(flags));
	if (flags & ~(s->flags | KDBUS_FLAG_NEGOTIATE))
		return -EINVAL;
	return model_items(s, p + s->fixed, size - s->fixed, ii);
}

/* ------------------------------------------------------------------ */
/* expectations                                                       */
/* ------------------------------------------------------------------ */

struct expect {
	int v[6];		/* acceptable results: 0 or -errno */
	unsigned int n;
	bool loose;		/* any errno listed for the command ... */
	bool must_fail;		/* ... and, unless set, success */
};

static void exp_exact(struct expect *e, int v)
{
	memset(e, 0, sizeof(*e));
	e->v[e->n++] = v;
}

static void exp_add(struct expect *e, int v)
{
	if (e->n < ARRAY_SIZE(e->v))
		e->v[e->n++] = v;
}

static void exp_loose(struct expect *e, bool must_fail)
{
	memset(e, 0, sizeof(*e));
	e->loose = true;
	e->must_fail = must_fail;
}

/* the expectation for a failed generic check */
static void exp_header(struct expect *e, int err, enum place where)
{
	if (err == -EAMBIG) {
		exp_exact(e, -EINVAL);
		exp_add(e, -ENAMETOOLONG);
	} else {
		exp_exact(e, err);
	}
	/* a read-only argument may also fail writing return_flags */
	if (where == PL_READONLY)
		exp_add(e, -EFAULT);
}

/* check @ret (0 or -errno) of @s against @e; log and count mismatches */
static bool check(struct fuzz *f, const struct cmd_spec *s,
		  const struct expect *e, int ret, bool tolerate_eopnotsupp,
		  const char *what)
{
	unsigned int i;
	bool ok = false;
	char buf[64] = "";
	int n = 0;

	if (tolerate_eopnotsupp && ret == -EOPNOTSUPP)
		return true;
	if (e->loose) {
		ok = ret < 0 ? errno_allowed(s, -ret) : !e->must_fail;
	} else {
		for (i = 0; i < e->n; i++)
			ok |= ret == e->v[i];
	}
	if (ok)
		return true;
	if (++f->failures > MAX_FAILURES)
		return false;
	for (i = 0; i < e->n && n < (int)sizeof(buf) - 12; i++)
		n += snprintf(buf + n, sizeof(buf) - n, " %s",
			      e->v[i] ? strerror(-e->v[i]) : "success");
	kdbus_log("%s #%lu (seed %#llx): %s %s: got %s, expected%s%s",
		  f->phase, f->iteration, (unsigned long long)f->seed,
		  s->name, what, ret ? strerror(-ret) : "success",
		  e->loose ? (e->must_fail ? " a listed error" :
			      " success or a listed error") : "", buf);
	return false;
}

/* ------------------------------------------------------------------ */
/* generators                                                         */
/* ------------------------------------------------------------------ */

static __u64 random_id(struct fuzz *f)
{
	switch (rnd_below(&f->rng, 8)) {
	case 0:
		return f->a->id;
	case 1:
		return f->b->id;
	case 2:
		return f->v->id;
	case 3:
		return 0;
	case 4:
		return ~0ULL;
	case 5:
		return 1 + rnd_below(&f->rng, 64);
	case 6:
		return (1ULL << 40) | rnd_below(&f->rng, 1 << 20);
	default:
		return rnd(&f->rng);
	}
}

static __u64 random_flags(struct fuzz *f, __u64 allowed)
{
	unsigned int r = rnd_below(&f->rng, 100);
	__u64 v = rnd(&f->rng) & allowed;

	if (r < 45)
		return 0;
	if (r < 75)
		return v;
	if (r < 82)
		return v | KDBUS_FLAG_NEGOTIATE;
	if (r < 95)
		return v | (1ULL << rnd_below(&f->rng, 63));
	return rnd(&f->rng);
}

/* a size for an argument or message whose content ends at @len */
static __u64 random_size(struct fuzz *f, __u64 len, __u64 fixed, __u64 max)
{
	if (chance(&f->rng, 85))
		return len;
	switch (rnd_below(&f->rng, 12)) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd_below(&f->rng, 15);
	case 2:
		return fixed ? fixed - 1 : 0;
	case 3:
		return fixed;
	case 4:
		return len > 8 ? len - 1 - rnd_below(&f->rng, 8) : len;
	case 5:
		return len + 1 + rnd_below(&f->rng, 24);
	case 6:
		return max;
	case 7:
		return max + 1;
	case 8:
		return ~0ULL;
	case 9:
		return (1ULL << 32) + len;
	case 10:
		return KDBUS_ALIGN8(len) + 8;
	default:
		return rnd_below(&f->rng, CMD_ARENA);
	}
}

/* a mutated item size */
static __u64 mutate_item_size(struct fuzz *f, __u64 size)
{
	switch (rnd_below(&f->rng, 8)) {
	case 0:
		return 0;
	case 1:
		return rnd_below(&f->rng, 16);
	case 2:
		return 16;
	case 3:
		return size + 1 + rnd_below(&f->rng, 16);
	case 4:
		return size > 16 ? size - 1 - rnd_below(&f->rng, size - 16) :
		       size;
	case 5:
		return ~0ULL;
	case 6:
		return (1ULL << 32) | size;
	default:
		return KDBUS_ALIGN8(size);
	}
}

/* a PAYLOAD_VEC: mostly inside the data arena */
static void random_vec(struct fuzz *f, struct kdbus_vec *vec)
{
	unsigned int r = rnd_below(&f->rng, 100);
	__u64 size;

	if (r < 45)
		size = 1 + rnd_below(&f->rng, 64);
	else if (r < 70)
		size = 65 + rnd_below(&f->rng, 4032);
	else if (r < 80)
		size = 4097 + rnd_below(&f->rng, DATA_ARENA - 4096);
	else if (r < 83)
		size = 0;
	else if (r < 87)
		size = KDBUS_MSG_MAX_PAYLOAD_VEC_SIZE + chance(&f->rng, 50);
	else if (r < 89)
		size = ~0ULL - rnd_below(&f->rng, 8);
	else
		size = 1 + rnd_below(&f->rng, 16);
	vec->size = size;

	r = rnd_below(&f->rng, 100);
	if (r < 70 && size <= DATA_ARENA)
		vec->address = (uintptr_t)f->data +
			       rnd_below(&f->rng, DATA_ARENA - size + 1);
	else if (r < 82)
		vec->address = 0;	/* a null vector */
	else if (r < 85 && size <= f->page)
		vec->address = (uintptr_t)f->ro;
	else if (r < 89)	/* straddling the guard page */
		vec->address = (uintptr_t)f->data + DATA_ARENA -
			       (size > 1 ? size / 2 : 0) - 1;
	else if (r < 92)
		vec->address = (uintptr_t)f->data + 1;
	else
		vec->address = bogus_address(f);
}

static const char * const sysnames[] = {
	"fuzz", "a-b.c", "-bad", "bad.", "ok_1", "bad/char", "x", "",
	"0123456789012345678901234567890123456789012345678901234567890123",
	"012345678901234567890123456789012345678901234567890123456789012",
};

/*
 * A payload for an item of @type into @out (@cap bytes); @sane: one that
 * is likely to pass the payload rules. Returns its length.
 */
static size_t random_payload(struct fuzz *f, __u64 type, __u8 *out,
			     size_t cap, bool sane)
{
	__u64 v[8];
	size_t n, i;
	const char *s;
	int fd;

	if (!sane && chance(&f->rng, 25)) {
		n = rnd_below(&f->rng, cap < 64 ? cap : 64);
		for (i = 0; i < n; i++)
			out[i] = (__u8)rnd(&f->rng);
		/* random bytes, but never a random (maybe mapped) address */
		if (type == KDBUS_ITEM_PAYLOAD_VEC && n >= 16) {
			v[0] = bogus_address(f);
			memcpy(out + 8, v, 8);
		}
		return n;
	}

	switch (type) {
	case KDBUS_ITEM_NEGOTIATE:
		n = rnd_below(&f->rng, 6);
		for (i = 0; i < n; i++)
			v[i] = item_types[rnd_below(&f->rng,
						    ARRAY_SIZE(item_types))];
		memcpy(out, v, n * 8);
		return n * 8;
	case KDBUS_ITEM_NAME:
	case KDBUS_ITEM_DST_NAME:
	case KDBUS_ITEM_SECLABEL:
	case KDBUS_ITEM_MAKE_NAME:
	case KDBUS_ITEM_CONN_DESCRIPTION:
		if (type == KDBUS_ITEM_MAKE_NAME ||
		    type == KDBUS_ITEM_CONN_DESCRIPTION)
			s = sysnames[rnd_below(&f->rng, ARRAY_SIZE(sysnames))];
		else
			s = random_name(f);
		n = strlen(s) + 1;
		if (n > cap)
			n = cap;
		memcpy(out, s, n);
		if (!sane && n > 1 && chance(&f->rng, 15))
			out[rnd_below(&f->rng, n - 1)] = '\0';
		if (!sane && chance(&f->rng, 15))
			out[n - 1] = 'x';
		return n;
	case KDBUS_ITEM_ATTACH_FLAGS_SEND:
	case KDBUS_ITEM_ATTACH_FLAGS_RECV:
		v[0] = random_attach(f);
		memcpy(out, v, 8);
		return 8;
	case KDBUS_ITEM_ID:
		v[0] = random_id(f);
		memcpy(out, v, 8);
		return 8;
	case KDBUS_ITEM_CANCEL_FD:
		fd = random_fd(f);
		memcpy(out, &fd, sizeof(fd));
		return sizeof(fd);
	case KDBUS_ITEM_FDS:
		n = sane ? 1 + rnd_below(&f->rng, 3) : rnd_below(&f->rng, 20);
		for (i = 0; i < n; i++) {
			/* pipe, eventfds, sealed memfd: passable */
			fd = sane && chance(&f->rng, 80) ?
			     f->fds[3 + rnd_below(&f->rng, 5)].fd :
			     random_fd(f);
			memcpy(out + i * 4, &fd, 4);
		}
		return n * 4;
	case KDBUS_ITEM_PAYLOAD_VEC:
		random_vec(f, (struct kdbus_vec *)v);
		memcpy(out, v, 16);
		return 16;
	case KDBUS_ITEM_PAYLOAD_MEMFD: {
		struct kdbus_memfd m = {
			.start = chance(&f->rng, 90) ? 0 :
				 rnd_below(&f->rng, 8192),
			.size = chance(&f->rng, 90) ?
				1 + rnd_below(&f->rng, 4096) : rnd(&f->rng),
			.fd = chance(&f->rng, 85) ? f->fds[7].fd :
			      random_fd(f),
		};

		memcpy(out, &m, sizeof(m));
		return sizeof(m);
	}
	case KDBUS_ITEM_BLOOM_FILTER:
	case KDBUS_ITEM_BLOOM_MASK:
		n = f->a->bloom_size;
		if (type == KDBUS_ITEM_BLOOM_MASK)
			n *= rnd_below(&f->rng, 3);
		if (!sane || chance(&f->rng, 10))
			n = rnd_below(&f->rng, 160);
		if (type == KDBUS_ITEM_BLOOM_FILTER)
			n += 8;		/* the generation */
		if (n > cap)
			n = cap;
		for (i = 0; i < n; i++)
			out[i] = (__u8)rnd(&f->rng);
		return n;
	case KDBUS_ITEM_BLOOM_PARAMETER:
		v[0] = 64;
		v[1] = 1;
		memcpy(out, v, 16);
		return 16;
	case KDBUS_ITEM_POLICY_ACCESS:
		v[0] = rnd_below(&f->rng, 5);
		v[1] = rnd_below(&f->rng, 4);
		v[2] = chance(&f->rng, 50) ? 0 : 1000;
		memcpy(out, v, 24);
		return 24;
	case KDBUS_ITEM_CREDS:
		for (i = 0; i < 8; i++)
			v[i] = chance(&f->rng, 50) ? 0 :
			       chance(&f->rng, 50) ? 0xffffffffULL :
			       rnd(&f->rng);
		memcpy(out, v, 64);
		return 64;
	case KDBUS_ITEM_PIDS:
		for (i = 0; i < 3; i++)
			v[i] = chance(&f->rng, 40) ? 0 :
			       chance(&f->rng, 50) ? (__u64)getpid() :
			       rnd(&f->rng);
		memcpy(out, v, 24);
		return 24;
	case KDBUS_ITEM_NAME_ADD:
	case KDBUS_ITEM_NAME_REMOVE:
	case KDBUS_ITEM_NAME_CHANGE:
		for (i = 0; i < 4; i++)
			v[i] = i % 2 ? rnd(&f->rng) : random_id(f);
		memcpy(out, v, 32);
		if (chance(&f->rng, 50))
			return 32;
		s = random_name(f);
		n = strlen(s) + 1;
		if (32 + n > cap)
			n = cap - 32;
		memcpy(out + 32, s, n);
		return 32 + n;
	case KDBUS_ITEM_ID_ADD:
	case KDBUS_ITEM_ID_REMOVE:
		v[0] = random_id(f);
		v[1] = rnd(&f->rng);
		memcpy(out, v, 16);
		return 16;
	default:
		n = rnd_below(&f->rng, 32);
		for (i = 0; i < n; i++)
			out[i] = (__u8)rnd(&f->rng);
		return n;
	}
}

/*
 * Append an item at @pos of @buf (@cap bytes): accepted types from
 * @rules (n_rules of them) are preferred. @sane: well-formed. Returns the
 * position of the next item.
 */
static size_t random_item(struct fuzz *f, __u8 *buf, size_t pos, size_t cap,
			  const struct item_rule *rules, unsigned int n_rules,
			  bool sane)
{
	__u8 payload[512];
	__u64 type, size;
	size_t len, next;

	if (pos + KDBUS_ITEM_HEADER_SIZE > cap)
		return pos;
	if (n_rules && (sane || chance(&f->rng, 50)))
		type = rules[rnd_below(&f->rng, n_rules)].type;
	else if (chance(&f->rng, 85))
		type = item_types[rnd_below(&f->rng, ARRAY_SIZE(item_types))];
	else
		type = rnd(&f->rng);

	len = random_payload(f, type, payload, sizeof(payload), sane);
	if (pos + KDBUS_ITEM_HEADER_SIZE + len > cap)
		len = cap - pos - KDBUS_ITEM_HEADER_SIZE;
	size = KDBUS_ITEM_HEADER_SIZE + len;
	next = pos + KDBUS_ALIGN8(size);
	if (!sane && chance(&f->rng, 15))
		size = mutate_item_size(f, size);
	memcpy(buf + pos, &size, 8);
	memcpy(buf + pos + 8, &type, 8);
	memcpy(buf + pos + 16, payload, len);
	if (!sane && chance(&f->rng, 8) && next - pos >= 24)
		next -= 8;		/* the next item overlaps this one */
	else if (!sane && chance(&f->rng, 5))
		next += 8 * (1 + rnd_below(&f->rng, 3));	/* a gap */
	return next < cap ? next : cap;
}

/*
 * A list of items after @pos; returns where it ends. Half of the lists
 * are sane: accepted types only, each at most once unless it may repeat,
 * mandatory ones (almost) always present.
 */
static size_t random_items(struct fuzz *f, __u8 *buf, size_t pos, size_t cap,
			   const struct item_rule *rules, unsigned int n_rules)
{
	unsigned int r = rnd_below(&f->rng, 100), n, i, k;

	if (r < 3) {		/* a huge number of items */
		n = 100 + rnd_below(&f->rng, 1500);
		for (i = 0; i < n && pos + 600 < cap; i++)
			pos = random_item(f, buf, pos, cap, rules, n_rules,
					  chance(&f->rng, 50));
	} else if (r < 50) {
		n = rnd_below(&f->rng, 5);
		for (i = 0; i < n && pos + 600 < cap; i++)
			pos = random_item(f, buf, pos, cap, rules, n_rules,
					  false);
	} else {
		for (i = 0; i < n_rules; i++) {
			if (rules[i].mandatory)
				n = chance(&f->rng, 95);
			else
				n = chance(&f->rng, 30) ?
				    1 + rules[i].multi * rnd_below(&f->rng, 2) :
				    0;
			for (k = 0; k < n; k++)
				pos = random_item(f, buf, pos, cap, rules + i,
						  1, true);
		}
	}
	return pos;
}

/* ------------------------------------------------------------------ */
/* keeping the connections usable                                     */
/* ------------------------------------------------------------------ */

/* drop everything queued on @conn */
static void drain(struct kdbus_conn *conn)
{
	int i;

	for (i = 0; i < 2 * KDBUS_CONN_MAX_MSGS; i++)
		if (kdbus_recv(conn, KDBUS_RECV_DROP, 0, NULL, NULL))
			break;
}

static void drain_all(struct fuzz *f)
{
	drain(f->b);
	drain(f->v);
	f->v_queued = 0;
	/* dropped requests answer a with REPLY_DEAD: drain a last */
	drain(f->a);
	drain(f->a);
}

/*
 * Receive on @conn the next message that is not a kernel notification
 * (those may arrive at any time after fuzzed calls).
 */
static int recv_user_msg(struct kdbus_conn *conn, struct kdbus_cmd_recv *recv,
			 struct kdbus_msg **msg)
{
	int i, ret;

	for (i = 0; i < 2 * KDBUS_CONN_MAX_MSGS; i++) {
		ret = kdbus_recv_wait(conn, 3000, recv, msg);
		/* POLLIN from a lost-message count: RECV reset it */
		if (ret == -EAGAIN)
			continue;
		if (ret)
			return ret;
		if ((*msg)->src_id != KDBUS_SRC_ID_KERNEL)
			return 0;
		kdbus_free(conn, recv->msg.offset);
	}
	return -ELOOP;
}

/*
 * The connection still works: a message with two vectors and a null
 * vector from a to b arrives intact, a call from a to b is answered, and
 * a message from b reaches a. 0 or -EBADMSG.
 */
static int conn_check(struct fuzz *f)
{
	static const char head[] = "check-payload";
	struct kdbus_cmd_recv recv;
	struct kdbus_msg *msg;
	__u8 want[64], got[64];
	__u64 cookie = 0x5a000000 + f->iteration;
	ssize_t n;
	int ret;

	drain_all(f);

	msg = kdbus_msg_new(f->b->id, cookie);
	kdbus_msg_add_vec(msg, head, sizeof(head) - 1);
	kdbus_msg_add_vec(msg, NULL, 3);
	kdbus_msg_add_vec(msg, f->data + 100, 13);
	ret = kdbus_send(f->a, msg, 0, -1, NULL);
	kdbus_msg_release(msg);
	if (ret) {
		kdbus_log("connection check: SEND a -> b: %s", strerror(-ret));
		return -EBADMSG;
	}
	ret = recv_user_msg(f->b, &recv, &msg);
	if (ret) {
		kdbus_log("connection check: RECV on b: %s", strerror(-ret));
		return -EBADMSG;
	}
	memcpy(want, head, sizeof(head) - 1);
	memcpy(want + sizeof(head) - 1, f->data + 100, 13);
	n = kdbus_msg_payload(msg, got, sizeof(got));
	if (msg->src_id != f->a->id || msg->cookie != cookie ||
	    n != sizeof(head) - 1 + 13 || memcmp(got, want, n)) {
		kdbus_log("connection check: message from a arrived damaged");
		ret = -EBADMSG;
	}
	kdbus_free(f->b, recv.msg.offset);
	if (ret)
		return ret;

	/* a call and its reply */
	ret = kdbus_send_simple(f->a, f->b->id, cookie + 1,
				KDBUS_MSG_EXPECT_REPLY, 5 * NSEC_PER_SEC,
				"call", 4);
	if (!ret)
		ret = recv_user_msg(f->b, &recv, &msg);
	if (!ret) {
		kdbus_free(f->b, recv.msg.offset);
		ret = kdbus_send_reply(f->b, f->a->id, cookie + 1, "re", 2);
	}
	if (!ret)
		ret = recv_user_msg(f->a, &recv, &msg);
	if (ret) {
		kdbus_log("connection check: call a -> b: %s", strerror(-ret));
		return -EBADMSG;
	}
	if (msg->src_id != f->b->id || msg->cookie_reply != cookie + 1) {
		kdbus_log("connection check: unexpected reply");
		ret = -EBADMSG;
	}
	kdbus_free(f->a, recv.msg.offset);
	if (ret)
		return ret;

	/* and back */
	ret = kdbus_send_simple(f->b, f->a->id, cookie + 2, 0, 0, "back", 4);
	if (!ret)
		ret = recv_user_msg(f->a, &recv, &msg);
	if (ret) {
		kdbus_log("connection check: b -> a: %s", strerror(-ret));
		return -EBADMSG;
	}
	if (msg->src_id != f->b->id || msg->cookie != cookie + 2) {
		kdbus_log("connection check: unexpected message from b");
		ret = -EBADMSG;
	}
	kdbus_free(f->a, recv.msg.offset);
	return ret;
}

/* ------------------------------------------------------------------ */
/* the connection commands other than SEND                            */
/* ------------------------------------------------------------------ */

/* command-specific fixed fields, after the 24-byte header */
static void random_fixed(struct fuzz *f, unsigned int which, __u8 *buf)
{
	__u64 v[16];
	unsigned int i;

	/* output fields get junk: the kernel must not read them */
	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = chance(&f->rng, 50) ? 0 : rnd(&f->rng);

	switch (which) {
	case S_FREE:
		switch (rnd_below(&f->rng, 7)) {
		case 0:
			v[0] = f->a->pool_size;
			break;
		case 1:
			v[0] = 0;
			break;
		case 2:
			v[0] = 8 * rnd_below(&f->rng, 64);
			break;
		case 3:
			v[0] = 8 * rnd_below(&f->rng, f->a->pool_size / 8);
			break;
		case 4:
			v[0] = f->a->pool_size + 8;
			break;
		case 5:
			v[0] = ~0ULL;
			break;
		}
		break;
	case S_CONN_INFO:
	case S_CREATOR_INFO:
		v[0] = random_id(f);
		v[1] = random_attach(f);
		break;
	case S_RECV:
		switch (rnd_below(&f->rng, 4)) {
		case 0:
			v[0] = 0;
			break;
		case 1:
			v[0] = (__u64)(__s64)-1;
			break;
		case 2:
			v[0] = 1ULL << 63;
			break;
		}
		break;
	case S_MATCH_ADD:
	case S_MATCH_REMOVE:
		if (chance(&f->rng, 70))
			v[0] = 1 + rnd_below(&f->rng, 8);
		break;
	case S_HELLO:
		/* attach_flags_send, _recv, bus_flags, id, pool_size */
		v[0] = chance(&f->rng, 75) ? ~0ULL : random_attach(f);
		v[1] = chance(&f->rng, 75) ? 0 : random_attach(f);
		if (chance(&f->rng, 70)) {
			v[4] = 4096 * (1 + rnd_below(&f->rng, 4096));
			break;
		}
		switch (rnd_below(&f->rng, 10)) {
		case 0:
			v[4] = 0;
			break;
		case 1:
			v[4] = 4097;
			break;
		case 2:
			v[4] = 1 + rnd_below(&f->rng, 4095);
			break;
		case 3:
			v[4] = 1ULL << 30;
			break;
		case 4:
			v[4] = 1ULL << 46;
			break;
		case 5:
			v[4] = ~0ULL & ~4095ULL;
			break;
		default:
			v[4] = 4096 * (1 + rnd_below(&f->rng, 4096));
			break;
		}
		break;
	}
	memcpy(buf + sizeof(struct kdbus_cmd), v,
	       specs[which].fixed - sizeof(struct kdbus_cmd));
}

/* build a random argument for @which in f->stage; returns its length */
static size_t random_args(struct fuzz *f, unsigned int which)
{
	const struct cmd_spec *s = &specs[which];
	struct kdbus_cmd *hdr = (void *)f->stage;
	size_t len;

	memset(f->stage, 0, sizeof(f->stage));
	hdr->flags = random_flags(f, s->flags);
	hdr->return_flags = chance(&f->rng, 50) ? 0 : rnd(&f->rng);
	random_fixed(f, which, f->stage);
	len = random_items(f, f->stage, s->fixed, sizeof(f->stage) - 8,
			   s->items, s->n_items);
	hdr->size = random_size(f, len, s->fixed, KDBUS_CMD_MAX_SIZE);
	return len;
}

static bool owns(const struct fuzz *f, const char *name, unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < f->n_owned; i++) {
		if (!strcmp(f->owned[i], name)) {
			if (idx)
				*idx = i;
			return true;
		}
	}
	return false;
}

static bool has_match(const struct fuzz *f, __u64 cookie)
{
	unsigned int i;

	for (i = 0; i < f->n_matches; i++)
		if (f->matches[i] == cookie)
			return true;
	return false;
}

static bool conn_alive(const struct fuzz *f, __u64 id)
{
	return id && (id == f->a->id || id == f->b->id || id == f->v->id);
}

static bool tolerated(const struct fuzz *f, unsigned int which)
{
	switch (which) {
	case S_UPDATE:
		return f->unimpl_update;
	case S_LIST:
		return f->unimpl_list;
	case S_NAME_ACQUIRE:
	case S_NAME_RELEASE:
		return f->unimpl_names;
	case S_MATCH_ADD:
	case S_MATCH_REMOVE:
		return f->unimpl_matches;
	}
	return false;
}

/*
 * The expected result of @which whose argument at @p passed the generic
 * checks, without NEGOTIATE.
 */
static void cmd_expect(struct fuzz *f, unsigned int which, const __u8 *p,
		       const struct items_info *ii, struct expect *e)
{
	const struct kdbus_cmd_info *info = (const void *)p;
	const struct kdbus_cmd_free *fr = (const void *)p;
	const struct kdbus_cmd_match *m = (const void *)p;
	const struct kdbus_cmd *cmd = (const void *)p;
	unsigned int i;
	__u64 v;
	int k;

	switch (which) {
	case S_FREE:
		exp_exact(e, fr->offset == f->a->pool_size ? 0 : -ENXIO);
		if (f->leaked)
			exp_add(e, 0);
		break;
	case S_CONN_INFO:
		if (!attach_valid(info->attach_flags))
			exp_exact(e, -EINVAL);
		else if (ii_find(ii, KDBUS_ITEM_NAME) >= 0)
			exp_loose(e, false);
		else if (!info->id)
			exp_exact(e, -EINVAL);
		else
			exp_exact(e, conn_alive(f, info->id) ? 0 : -ENXIO);
		break;
	case S_CREATOR_INFO:
		exp_exact(e, attach_valid(info->attach_flags) ? 0 : -EINVAL);
		break;
	case S_LIST:
		exp_exact(e, 0);
		break;
	case S_RECV:
		if ((cmd->flags & KDBUS_RECV_DROP) &&
		    (cmd->flags & KDBUS_RECV_USE_PRIORITY)) {
			exp_exact(e, -EINVAL);
		} else {
			exp_exact(e, 0);
			exp_add(e, -EAGAIN);
		}
		break;
	case S_UPDATE:
		exp_exact(e, 0);
		for (i = 0; i < ii->n && i < MAX_ITEMS; i++) {
			switch (ii->item[i].type) {
			case KDBUS_ITEM_NAME:
			case KDBUS_ITEM_POLICY_ACCESS:
				exp_loose(e, true);
				return;
			case KDBUS_ITEM_ATTACH_FLAGS_SEND:
			case KDBUS_ITEM_ATTACH_FLAGS_RECV:
				memcpy(&v, ii->item[i].payload, 8);
				if (!attach_valid(v))
					exp_exact(e, -EINVAL);
				break;
			}
		}
		if (ii->n > MAX_ITEMS)
			exp_loose(e, false);
		break;
	case S_NAME_ACQUIRE:
		k = ii_find(ii, KDBUS_ITEM_NAME);
		if (k < 0 || !name_valid((const char *)ii->item[k].payload))
			exp_exact(e, -EINVAL);
		else if (owns(f, (const char *)ii->item[k].payload, NULL))
			exp_exact(e, -EALREADY);
		else
			exp_exact(e, 0);
		break;
	case S_NAME_RELEASE:
		k = ii_find(ii, KDBUS_ITEM_NAME);
		exp_exact(e, k >= 0 && owns(f, (const char *)
					    ii->item[k].payload, NULL) ?
			  0 : -ESRCH);
		break;
	case S_MATCH_ADD:
		exp_loose(e, false);
		break;
	case S_MATCH_REMOVE:
		exp_exact(e, has_match(f, m->cookie) ? 0 : -EBADSLT);
		break;
	case S_BYEBYE:
		exp_exact(e, f->v_queued ? -EBUSY : 0);
		break;
	default:
		exp_loose(e, false);
		break;
	}
	(void)cmd;
}

/* bookkeeping after @which succeeded on a writable argument at @p */
static bool cmd_after(struct fuzz *f, unsigned int which, const __u8 *p,
		      const struct items_info *ii)
{
	const struct kdbus_cmd_match *m = (const void *)p;
	const struct kdbus_cmd *cmd = (const void *)p;
	__u64 off = f->a->pool_size;
	unsigned int i, j;
	int k, ret;

	switch (which) {
	case S_CONN_INFO:
	case S_CREATOR_INFO:
		off = ((const struct kdbus_cmd_info *)p)->offset;
		break;
	case S_LIST:
		off = ((const struct kdbus_cmd_list *)p)->offset;
		break;
	case S_RECV:
		if (!(cmd->flags & KDBUS_RECV_DROP))
			off = ((const struct kdbus_cmd_recv *)p)->msg.offset;
		break;
	case S_NAME_ACQUIRE:
		k = ii_find(ii, KDBUS_ITEM_NAME);
		if (k >= 0 && f->n_owned < MAX_NAMES &&
		    ii->item[k].len < sizeof(f->owned[0]))
			memcpy(f->owned[f->n_owned++], ii->item[k].payload,
			       ii->item[k].len);
		return true;
	case S_NAME_RELEASE:
		k = ii_find(ii, KDBUS_ITEM_NAME);
		if (k >= 0 && owns(f, (const char *)ii->item[k].payload, &i))
			memcpy(f->owned[i], f->owned[--f->n_owned],
			       sizeof(f->owned[0]));
		return true;
	case S_MATCH_ADD:
		if (f->n_matches < MAX_MATCHES)
			f->matches[f->n_matches++] = m->cookie;
		return true;
	case S_MATCH_REMOVE:
		for (i = j = 0; i < f->n_matches; i++)
			if (f->matches[i] != m->cookie)
				f->matches[j++] = f->matches[i];
		f->n_matches = j;
		return true;
	}
	if (off == f->a->pool_size)
		return true;
	/* a slice handed out by the command must be freeable, once */
	ret = kdbus_free(f->a, off);
	if (ret) {
		kdbus_log("%s #%lu: FREE of the returned slice %llu: %s",
			  specs[which].name, f->iteration,
			  (unsigned long long)off, strerror(-ret));
		f->failures++;
		return false;
	}
	return true;
}

/*
 * After a call whose argument at @p passed the generic checks: a NEGOTIATE
 * item must have been filtered (contract 2.7), with @orig the entries
 * before the call.
 */
static void check_negotiate_item(struct fuzz *f, const struct cmd_spec *s,
				 const struct items_info *ii,
				 const __u64 *orig, unsigned int n)
{
	unsigned int i;
	__u64 now, want;

	for (i = 0; i < n; i++) {
		memcpy(&now, ii->item[ii->neg].payload + 8 * i, 8);
		want = rule_find(s, orig[i]) ? orig[i] : 0;
		if (now == want)
			continue;
		if (++f->failures <= MAX_FAILURES)
			kdbus_log("%s #%lu: NEGOTIATE entry %u: %#llx became %#llx, expected %#llx",
				  s->name, f->iteration, i,
				  (unsigned long long)orig[i],
				  (unsigned long long)now,
				  (unsigned long long)want);
		return;
	}
}

/* one fuzzed call */
struct call {
	unsigned int odd;	/* percentage of odd argument placements */
	bool no_ro;		/* no read-only placement */
	int ret;
	int hdr;		/* errno of the generic checks, 0: passed */
	bool negotiated;
	enum place where;
	__u64 addr;
	struct items_info ii;
};

typedef void (*expect_fn)(struct fuzz *f, unsigned int which, const __u8 *p,
			  const struct items_info *ii, struct expect *e);

/*
 * Place the argument built in f->stage (@len bytes), issue @which on @fd
 * and check the result: the generic checks by the model, the rest by
 * @expect. Fills @c.
 */
static void fuzz_call(struct fuzz *f, unsigned int which, int fd, size_t len,
		      expect_fn expect, struct call *c)
{
	const struct cmd_spec *s = &specs[which];
	unsigned int n_neg = 0;
	__u64 orig[64], flags;
	struct expect e;
	const __u8 *p;
	char what[64];

	c->addr = place_bytes(f, f->cmd, CMD_ARENA, &f->cmd_dirty, f->stage,
			      len, &c->where, c->odd);
	if (c->where == PL_READONLY && c->no_ro)
		c->addr = place_bytes(f, f->cmd, CMD_ARENA, &f->cmd_dirty,
				      f->stage, len, &c->where, 0);
	p = (const void *)(uintptr_t)c->addr;
	c->hdr = model_args(f, s, c->addr, &c->ii);
	c->negotiated = false;
	if (c->hdr) {
		exp_header(&e, c->hdr, c->where);
	} else if (c->where == PL_READONLY) {
		exp_loose(&e, true);
	} else {
		memcpy(&flags, p + 8, 8);
		c->negotiated = flags & KDBUS_FLAG_NEGOTIATE;
		if (c->negotiated)
			exp_exact(&e, 0);
		else
			expect(f, which, p, &c->ii, &e);
		if (c->ii.maybe)
			exp_loose(&e, false);
		if (c->ii.neg >= 0) {
			n_neg = c->ii.item[c->ii.neg].len / 8;
			if (n_neg > ARRAY_SIZE(orig))
				n_neg = ARRAY_SIZE(orig);
			memcpy(orig, c->ii.item[c->ii.neg].payload, 8 * n_neg);
		}
	}

	c->ret = kdbus_ioctl(fd, s->cmd, (void *)(uintptr_t)c->addr);

	snprintf(what, sizeof(what), "(%s argument, %zu bytes built)",
		 place_names[c->where], len);
	check(f, s, &e, c->ret, tolerated(f, which), what);
	if (!c->hdr && c->where != PL_READONLY && c->ret != -EOPNOTSUPP) {
		if (n_neg && !c->ii.maybe)
			check_negotiate_item(f, s, &c->ii, orig, n_neg);
		memcpy(&flags, p + 8, 8);
		if (c->negotiated && !c->ret && flags != s->flags &&
		    ++f->failures <= MAX_FAILURES)
			kdbus_log("%s #%lu: negotiated flags %#llx, expected %#llx",
				  s->name, f->iteration,
				  (unsigned long long)flags,
				  (unsigned long long)s->flags);
	}
	if (c->where == PL_READONLY && c->ret)
		f->leaked = true;	/* a slice may be lost to us */
}

static const unsigned int conn_cmds[] = {
	S_UPDATE, S_FREE, S_CONN_INFO, S_CREATOR_INFO, S_LIST, S_RECV,
	S_NAME_ACQUIRE, S_NAME_RELEASE, S_MATCH_ADD, S_MATCH_REMOVE, S_BYEBYE,
};

/* one fuzzed connection command (BYEBYE goes to the victim v) */
static int fuzz_cmd_once(struct fuzz *f, const struct kdbus_domain *dom,
			 const char *bus)
{
	unsigned int which = conn_cmds[rnd_below(&f->rng,
						 ARRAY_SIZE(conn_cmds))];
	struct kdbus_conn *target = f->a;
	struct call c = { 0 };
	size_t len;
	int ret;

	if (which == S_BYEBYE) {
		target = f->v;
		if (chance(&f->rng, 30) &&
		    !kdbus_send_simple(f->b, f->v->id, 1, 0, 0, "x", 1))
			f->v_queued++;
		if (chance(&f->rng, 20)) {
			drain(f->v);
			f->v_queued = 0;
		}
	}

	len = random_args(f, which);
	c.odd = 25;
	/*
	 * A read-only argument makes the command fail writing its result
	 * back, maybe after it took effect: no read-only arguments for
	 * commands whose effect the model tracks.
	 */
	c.no_ro = which == S_NAME_ACQUIRE || which == S_NAME_RELEASE ||
		  which == S_MATCH_ADD || which == S_MATCH_REMOVE;
	fuzz_call(f, which, target->fd, len, cmd_expect, &c);
	if (which != S_BYEBYE) {
		if (c.ret || c.hdr || c.negotiated || c.where == PL_READONLY)
			return 0;
		return cmd_after(f, which, (const void *)(uintptr_t)c.addr,
				 &c.ii) ? 0 : -1;
	}

	/* a read-only argument: it may be disconnected now */
	if (c.where != PL_READONLY) {
		if (c.ret || c.negotiated)
			return 0;
		/* the victim is gone: a second BYEBYE fails */
		ret = kdbus_byebye(f->v);
		if (ret != -ECONNRESET && ++f->failures <= MAX_FAILURES)
			kdbus_log("BYEBYE #%lu: second BYEBYE: %s",
				  f->iteration, strerror(-ret));
	}
	kdbus_conn_free(f->v);
	f->v_queued = 0;
	ret = kdbus_conn_new(f->v, dom, bus, NULL, 0);
	if (ret)
		kdbus_log("new victim connection: %s", strerror(-ret));
	return ret;
}

/* ------------------------------------------------------------------ */
/* SEND                                                               */
/* ------------------------------------------------------------------ */

static void mm_fail(struct msg_model *mm, const char *why)
{
	if (mm->verdict != V_FAIL) {
		mm->verdict = V_FAIL;
		mm->why = why;
	}
}

static void mm_unknown(struct msg_model *mm, const char *why)
{
	if (mm->verdict == V_OK) {
		mm->verdict = V_UNKNOWN;
		mm->why = why;
	}
}

/* the items of a message (contract 5.3, 5.5, 6.4, 6.5) */
static void model_msg_items(struct fuzz *f, const struct items_info *ii,
			    struct msg_model *mm, bool *has_name,
			    bool *has_bloom, bool *has_fds, bool *copy_fault)
{
	unsigned int i, j, n_fds_items = 0, n_bloom = 0, n_name = 0, n;
	__u64 sum = 0, end;
	struct kdbus_memfd memfd;
	struct kdbus_vec vec;
	const __u8 *p;
	int fd;

	for (i = 0; i < ii->n && i < MAX_ITEMS; i++) {
		p = ii->item[i].payload;
		if (payload_check(ii->item[i].type, p, ii->item[i].len)) {
			mm_fail(mm, "item payload");
			continue;
		}
		switch (ii->item[i].type) {
		case KDBUS_ITEM_PAYLOAD_VEC:
			memcpy(&vec, p, sizeof(vec));
			if (sum + vec.size < sum)
				mm_fail(mm, "vector sizes overflow");
			sum += vec.size;
			end = vec.address + vec.size;
			if (vec.address &&
			    (end < vec.address || end > USER_SPACE_END))
				mm_fail(mm, "vector outside user space");
			else if (vec.address &&
				 !readable(f, vec.address, vec.size))
				*copy_fault = true;
			if (mm->n_vec < ARRAY_SIZE(mm->vec)) {
				mm->vec[mm->n_vec].addr = vec.address;
				mm->vec[mm->n_vec].size = vec.size;
			}
			mm->n_vec++;
			break;
		case KDBUS_ITEM_PAYLOAD_MEMFD:
			memcpy(&memfd, p, sizeof(memfd));
			if (!memfd_valid(memfd.fd, memfd.start, memfd.size))
				mm_fail(mm, "memfd");
			mm->n_memfd++;
			break;
		case KDBUS_ITEM_FDS:
			n_fds_items++;
			n = ii->item[i].len / 4;
			*has_fds = true;
			if (n > KDBUS_CONN_MAX_FDS_PER_USER)
				mm_fail(mm, "more than 16 fds");
			for (j = 0; j < n; j++) {
				memcpy(&fd, p + 4 * j, 4);
				if (fd_passable(fd) <= 0)
					mm_fail(mm, "fd not passable");
			}
			mm->n_fds = n;
			break;
		case KDBUS_ITEM_BLOOM_FILTER:
			n_bloom++;
			*has_bloom = true;
			if ((ii->item[i].len - 8) != f->a->bloom_size)
				mm_fail(mm, "bloom filter size");
			break;
		case KDBUS_ITEM_DST_NAME:
			n_name++;
			*has_name = true;
			if (!name_valid((const char *)p))
				mm_fail(mm, "invalid DST_NAME");
			break;
		default:
			mm_fail(mm, "item type not allowed in messages");
			break;
		}
	}
	if (ii->n > KDBUS_MSG_MAX_ITEMS)
		mm_fail(mm, "more than 128 items");
	if (mm->n_memfd > KDBUS_MSG_MAX_MEMFD_ITEMS)
		mm_fail(mm, "more than 16 memfds");
	if (n_fds_items > 1 || n_bloom > 1 || n_name > 1)
		mm_fail(mm, "duplicate item");
	if (sum > KDBUS_MSG_MAX_PAYLOAD_VEC_SIZE)
		mm_fail(mm, "payload too large");
}

/*
 * The message at @addr sent by a with @sync and an optional CANCEL_FD
 * (@cancel_fd, -2: none): fills @mm.
 */
static void model_msg(struct fuzz *f, __u64 addr, bool sync, int cancel_fd,
		      struct msg_model *mm)
{
	const struct kdbus_msg *m = (const void *)(uintptr_t)addr;
	bool has_name = false, has_bloom = false, has_fds = false;
	bool copy_fault = false, expect, signal, bcast;
	struct items_info *ii;
	__u64 size;

	memset(mm, 0, offsetof(struct msg_model, vec));
	mm->verdict = V_OK;
	mm->sent_ns = kdbus_now_ns();
	if ((addr & 7) || !readable(f, addr, 8)) {
		mm_fail(mm, "message address");
		return;
	}
	memcpy(&size, &m->size, sizeof(size));
	if (size < sizeof(*m) || size > KDBUS_MSG_MAX_SIZE ||
	    !readable(f, addr, size)) {
		mm_fail(mm, "message size");
		return;
	}
	mm->flags = m->flags;
	mm->dst = m->dst_id;
	mm->cookie = m->cookie;
	mm->timeout = m->timeout_ns;
	mm->payload_type = m->payload_type;
	mm->priority = m->priority;
	expect = m->flags & KDBUS_MSG_EXPECT_REPLY;
	signal = m->flags & KDBUS_MSG_SIGNAL;
	bcast = m->dst_id == KDBUS_DST_ID_BROADCAST;

	if (m->flags & ~7ULL)
		mm_fail(mm, "unknown message flag");
	if (!m->payload_type)
		mm_fail(mm, "payload type 0");
	if (expect && (!m->timeout_ns || !m->cookie))
		mm_fail(mm, "EXPECT_REPLY without deadline or cookie");
	if (expect && signal)
		mm_fail(mm, "EXPECT_REPLY with SIGNAL");
	if (!expect && m->cookie_reply && signal)
		mm_fail(mm, "reply with SIGNAL");
	if (sync && !expect)
		mm_fail(mm, "SYNC_REPLY without EXPECT_REPLY");
	if (m->src_id && m->src_id != f->a->id)
		mm_fail(mm, "foreign src_id");

	ii = malloc(sizeof(*ii));
	if (!ii)
		abort();
	if (model_items(NULL, (const __u8 *)m + sizeof(*m),
			size - sizeof(*m), ii))
		mm_fail(mm, "message items do not tile");
	model_msg_items(f, ii, mm, &has_name, &has_bloom, &has_fds,
			&copy_fault);
	free(ii);

	if (bcast && (!signal || expect || has_fds || has_name))
		mm_fail(mm, "invalid broadcast");
	if (signal != has_bloom)
		mm_fail(mm, "SIGNAL and BLOOM_FILTER go together");
	if (!m->dst_id && !has_name)
		mm_fail(mm, "no destination");
	/* nobody answers synchronous calls here */
	if (sync)
		mm_fail(mm, "synchronous call without a server");
	if (mm->verdict != V_OK)
		return;

	if (bcast || signal || has_name) {
		mm_unknown(mm, "signal or name (later roadmap steps)");
		return;
	}
	if (cancel_fd != -2 && !fd_pollable(f, cancel_fd)) {
		mm_unknown(mm, "CANCEL_FD of an asynchronous send");
		return;
	}
	if (!conn_alive(f, m->dst_id))
		mm_fail(mm, "unknown destination");
	else if (has_fds && m->dst_id != f->b->id)
		mm_fail(mm, "fds to a connection without ACCEPT_FD");
	else if (copy_fault)
		mm_fail(mm, "unreadable payload");
	else if (!expect && m->cookie_reply)
		mm_fail(mm, "reply to no pending request");
	if (mm->n_fds == 0 && has_fds)
		mm_unknown(mm, "empty FDS item");
}

static void send_expect(struct fuzz *f, unsigned int which, const __u8 *p,
			const struct items_info *ii, struct expect *e)
{
	const struct kdbus_cmd_send *cmd = (const void *)p;
	int k, cancel_fd = -2;

	(void)which;
	k = ii_find(ii, KDBUS_ITEM_CANCEL_FD);
	if (k >= 0)
		memcpy(&cancel_fd, ii->item[k].payload, sizeof(int));
	model_msg(f, cmd->msg_address, cmd->flags & KDBUS_SEND_SYNC_REPLY,
		  cancel_fd, f->mm);
	switch (f->mm->verdict) {
	case V_OK:
		exp_exact(e, 0);
		break;
	case V_FAIL:
		exp_loose(e, true);
		break;
	default:
		exp_loose(e, false);
		break;
	}
}

/*
 * A random message in f->mstage; returns its length. @sync: it is meant
 * for a synchronous call; @safe_deadline: any EXPECT_REPLY deadline must
 * be at most a few milliseconds away (the SEND may be synchronous).
 */
static size_t random_msg(struct fuzz *f, bool sync, bool safe_deadline)
{
	static const struct item_rule any_msg_item[] = {
		ONE(KDBUS_ITEM_PAYLOAD_VEC), ONE(KDBUS_ITEM_PAYLOAD_MEMFD),
		ONE(KDBUS_ITEM_FDS), ONE(KDBUS_ITEM_BLOOM_FILTER),
		ONE(KDBUS_ITEM_DST_NAME),
	};
	struct kdbus_msg *m = (void *)f->mstage;
	const size_t cap = sizeof(f->mstage) - 8;
	unsigned int r, n, i, k;
	__u64 now = kdbus_now_ns();
	size_t pos = sizeof(*m);

	memset(f->mstage, 0, sizeof(f->mstage));
	r = rnd_below(&f->rng, 100);
	if (sync)
		r = r < 90 ? 50 : r;
	if (r < 40)
		m->flags = 0;
	else if (r < 77)
		m->flags = KDBUS_MSG_EXPECT_REPLY;
	else if (r < 87)
		m->flags = KDBUS_MSG_SIGNAL;
	else if (r < 94)
		m->flags = KDBUS_MSG_NO_AUTO_START;
	else
		m->flags = chance(&f->rng, 50) ? rnd_below(&f->rng, 16) :
			   rnd(&f->rng);
	m->priority = chance(&f->rng, 80) ? 0 :
		      (__s64)rnd_below(&f->rng, 200) - 100;

	r = rnd_below(&f->rng, 100);
	if (r < 35)
		m->dst_id = f->b->id;
	else if (r < 60)
		m->dst_id = f->a->id;
	else if (r < 72)
		m->dst_id = f->v->id;
	else if (r < 78)
		m->dst_id = 0;
	else if (r < 84)
		m->dst_id = KDBUS_DST_ID_BROADCAST;
	else
		m->dst_id = random_id(f);
	r = rnd_below(&f->rng, 100);
	m->src_id = r < 92 ? 0 : r < 97 ? f->a->id : rnd(&f->rng);
	r = rnd_below(&f->rng, 100);
	m->payload_type = r < 94 ? KDBUS_PAYLOAD_DBUS : r < 97 ? 0 :
			  rnd(&f->rng);
	m->cookie = chance(&f->rng, 95) ? 1 + rnd_below(&f->rng, 1 << 30) : 0;

	if (m->flags & KDBUS_MSG_EXPECT_REPLY) {
		switch (rnd_below(&f->rng, safe_deadline ? 4 : 7)) {
		case 0:
			m->timeout_ns = now - NSEC_PER_MSEC;
			break;
		case 1:
			m->timeout_ns = chance(&f->rng, 70) ? 1 : 0;
			break;
		case 2:
		case 3:
			m->timeout_ns = now + 1 +
					rnd_below(&f->rng, 3 * NSEC_PER_MSEC);
			break;
		case 4:
			m->timeout_ns = now + 10 * NSEC_PER_SEC;
			break;
		case 5:
			m->timeout_ns = ~0ULL;
			break;
		default:
			m->timeout_ns = rnd(&f->rng);
			break;
		}
	} else if (chance(&f->rng, 8)) {
		m->cookie_reply = rnd(&f->rng);
	}

	r = rnd_below(&f->rng, 100);
	if (r < 3) {		/* around the item limit */
		n = KDBUS_MSG_MAX_ITEMS - 8 + rnd_below(&f->rng, 16);
		for (i = 0; i < n; i++)
			pos = random_item(f, f->mstage, pos, cap,
					  any_msg_item, 1, true);
	} else if (r < 6) {	/* around the memfd limit */
		n = KDBUS_MSG_MAX_MEMFD_ITEMS - 2 + rnd_below(&f->rng, 5);
		for (i = 0; i < n; i++)
			pos = random_item(f, f->mstage, pos, cap,
					  any_msg_item + 1, 1, true);
	} else {
		n = rnd_below(&f->rng, 5);
		for (i = 0; i < n; i++) {
			r = rnd_below(&f->rng, 100);
			k = r < 50 ? 0 : r < 62 ? 1 : r < 74 ? 2 :
			    r < 80 ? 3 : r < 86 ? 4 : r < 95 ? 0 : 5;
			if (k < ARRAY_SIZE(any_msg_item))
				pos = random_item(f, f->mstage, pos, cap,
						  any_msg_item + k, 1,
						  chance(&f->rng, 95));
			else
				pos = random_item(f, f->mstage, pos, cap,
						  NULL, 0, false);
		}
	}
	if ((m->flags & KDBUS_MSG_SIGNAL) && chance(&f->rng, 85))
		pos = random_item(f, f->mstage, pos, cap, any_msg_item + 3, 1,
				  true);
	if (!m->dst_id && chance(&f->rng, 85))
		pos = random_item(f, f->mstage, pos, cap, any_msg_item + 4, 1,
				  true);
	m->size = chance(&f->rng, 50) ? pos :
		  random_size(f, pos, sizeof(*m), KDBUS_MSG_MAX_SIZE);
	return pos;
}

/* the message the model accepted arrived intact; then answer it */
static void verify_delivery(struct fuzz *f, const struct msg_model *mm)
{
	struct kdbus_conn *conn = mm->dst == f->a->id ? f->a :
				  mm->dst == f->b->id ? f->b : f->v;
	bool accept_fd = conn == f->b, bad = false;
	const struct kdbus_item *item;
	struct kdbus_cmd_recv recv;
	unsigned int nv = 0, nm = 0, i;
	struct kdbus_msg *msg;
	const char *why = "";
	int ret, fd;

	ret = recv_user_msg(conn, &recv, &msg);
	if (ret) {
		if (++f->failures <= MAX_FAILURES)
			kdbus_log("send #%lu (seed %#llx): a valid message was not delivered: %s",
				  f->iteration, (unsigned long long)f->seed,
				  strerror(-ret));
		return;
	}
	if (msg->src_id != f->a->id || msg->dst_id != mm->dst ||
	    msg->cookie != mm->cookie || msg->flags != mm->flags ||
	    msg->payload_type != mm->payload_type ||
	    msg->priority != mm->priority ||
	    msg->timeout_ns != mm->timeout) {
		bad = true;
		why = "header";
	}
	KDBUS_ITEM_FOREACH(item, msg, items) {
		switch (item->type) {
		case KDBUS_ITEM_PAYLOAD_OFF:
			if (nv >= mm->n_vec || nv >= ARRAY_SIZE(mm->vec)) {
				bad = true;
				why = "extra vector";
				break;
			}
			if (item->vec.size != mm->vec[nv].size) {
				bad = true;
				why = "vector size";
			} else if (!mm->vec[nv].addr) {
				if (item->vec.offset != ~0ULL) {
					bad = true;
					why = "null vector offset";
				}
			} else if (item->vec.offset > recv.msg.msg_size ||
				   item->vec.size > recv.msg.msg_size -
						    item->vec.offset ||
				   memcmp((__u8 *)msg + item->vec.offset,
					  (const void *)(uintptr_t)
					  mm->vec[nv].addr,
					  item->vec.size)) {
				bad = true;
				why = "vector data";
			}
			nv++;
			break;
		case KDBUS_ITEM_PAYLOAD_MEMFD:
			nm++;
			fd = item->memfd.fd;
			if (accept_fd ? fd < 0 &&
			    !(recv.msg.return_flags &
			      KDBUS_RECV_RETURN_INCOMPLETE_FDS) : fd != -1) {
				bad = true;
				why = "memfd fd";
			}
			if (fd >= 0)
				close(fd);
			break;
		case KDBUS_ITEM_FDS:
			if (item->size != KDBUS_ITEM_HEADER_SIZE +
					  4 * mm->n_fds) {
				bad = true;
				why = "FDS size";
				break;
			}
			for (i = 0; i < mm->n_fds; i++) {
				fd = item->fds[i];
				if (fd < 0 &&
				    !(recv.msg.return_flags &
				      KDBUS_RECV_RETURN_INCOMPLETE_FDS)) {
					bad = true;
					why = "fd not installed";
				}
				if (fd >= 0)
					close(fd);
			}
			break;
		}
	}
	if (nv != mm->n_vec || nm != mm->n_memfd) {
		bad = true;
		why = "number of payload items";
	}
	if (bad && ++f->failures <= MAX_FAILURES)
		kdbus_log("send #%lu (seed %#llx): delivered message differs: %s",
			  f->iteration, (unsigned long long)f->seed, why);
	kdbus_free(conn, recv.msg.offset);

	if (!(mm->flags & KDBUS_MSG_EXPECT_REPLY))
		return;
	ret = kdbus_send_reply(conn, f->a->id, mm->cookie, NULL, 0);
	/* a near deadline may have passed already */
	if (ret && (ret != -EPERM || mm->timeout > mm->sent_ns + NSEC_PER_SEC) &&
	    ++f->failures <= MAX_FAILURES)
		kdbus_log("send #%lu: reply to a valid call: %s", f->iteration,
			  strerror(-ret));
}

/* one fuzzed SEND */
static void fuzz_send_once(struct fuzz *f)
{
	struct kdbus_cmd_send *cmd = (void *)f->stage;
	bool chaos = chance(&f->rng, 15), sync = chance(&f->rng, 20);
	enum place mwhere;
	__u64 maddr, flags;
	struct call c = { 0 };
	size_t len;
	int fd;

	len = random_msg(f, sync, chaos || sync);
	/* a read-only message is fine: the kernel only reads it */
	maddr = place_bytes(f, f->msg, MSG_ARENA, &f->msg_dirty, f->mstage,
			    len, &mwhere, 12);
	if (chaos) {
		len = random_args(f, S_SEND);
		cmd->msg_address = chance(&f->rng, 80) ? maddr :
				   bogus_address(f);
	} else {
		memset(f->stage, 0, sizeof(*cmd) + 128);
		cmd->size = sizeof(*cmd);
		cmd->flags = sync ? KDBUS_SEND_SYNC_REPLY : 0;
		if (chance(&f->rng, 3))
			cmd->flags |= KDBUS_FLAG_NEGOTIATE;
		if (chance(&f->rng, 3))
			cmd->flags |= 2ULL << rnd_below(&f->rng, 62);
		cmd->msg_address = maddr;
		cmd->reply.offset = rnd(&f->rng);
		if (chance(&f->rng, 15)) {
			fd = chance(&f->rng, 50) ? f->fds[6].fd : random_fd(f);
			kdbus_args_add(cmd, KDBUS_ITEM_CANCEL_FD, &fd,
				       sizeof(fd));
		}
		if (chance(&f->rng, 5))
			kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, item_types,
				       8 * (1 + rnd_below(&f->rng, 8)));
		len = cmd->size;
	}

	f->mm->verdict = V_UNKNOWN;
	c.odd = chaos ? 25 : 4;
	fuzz_call(f, S_SEND, f->a->fd, len, send_expect, &c);
	if (!c.ret && !c.hdr && !c.negotiated && c.where != PL_READONLY &&
	    f->mm->verdict == V_OK)
		verify_delivery(f, f->mm);

	/* whatever got queued (synchronous calls leave their request) */
	memcpy(&flags, f->stage + 8, sizeof(flags));
	if (!c.ret || (flags & KDBUS_SEND_SYNC_REPLY) ||
	    c.where == PL_READONLY)
		drain_all(f);
}

/* ------------------------------------------------------------------ */
/* HELLO on fresh handles                                             */
/* ------------------------------------------------------------------ */

static void hello_expect(struct fuzz *f, unsigned int which, const __u8 *p,
			 const struct items_info *ii, struct expect *e)
{
	const struct kdbus_cmd_hello *h = (const void *)p;
	const __u64 named_kinds = KDBUS_HELLO_ACTIVATOR |
				  KDBUS_HELLO_POLICY_HOLDER;
	__u64 kinds = h->flags & (named_kinds | KDBUS_HELLO_MONITOR);
	bool named = ii_find(ii, KDBUS_ITEM_NAME) >= 0;
	bool fake = ii_find(ii, KDBUS_ITEM_CREDS) >= 0 ||
		    ii_find(ii, KDBUS_ITEM_PIDS) >= 0 ||
		    ii_find(ii, KDBUS_ITEM_SECLABEL) >= 0;
	bool policy = ii_find(ii, KDBUS_ITEM_POLICY_ACCESS) >= 0;

	(void)which;
	/* contract 3.6 steps 1-5 and 9, all EINVAL */
	if ((kinds & (kinds - 1)) || named != !!(kinds & named_kinds) ||
	    !h->pool_size || h->pool_size % f->page ||
	    !attach_valid(h->attach_flags_send) ||
	    !attach_valid(h->attach_flags_recv)) {
		exp_exact(e, -EINVAL);
		if (kinds && f->unimpl_kinds)
			exp_add(e, -EOPNOTSUPP);
	} else if (!kinds && !fake && !policy && ii->n <= MAX_ITEMS &&
		   h->pool_size <= 64 * 1024 * 1024) {
		/* an ordinary connection */
		exp_exact(e, 0);
	} else {
		exp_loose(e, false);
	}
}

static int fuzz_hello_once(struct fuzz *f, const struct kdbus_domain *dom,
			   const char *bus, int *hfd)
{
	struct call c = { 0 };
	size_t len;
	int ret;

	len = random_args(f, S_HELLO);
	c.odd = 20;
	fuzz_call(f, S_HELLO, *hfd, len, hello_expect, &c);
	if (c.where == PL_READONLY)
		goto reopen;	/* it may be connected now */
	if (c.ret || c.negotiated)
		return 0;	/* the handle is still unused */

	/* a connection was made: the handle is used up */
	ret = kdbus_cmd_call_empty(*hfd, KDBUS_CMD_HELLO);
	if (ret != -EBADFD && ++f->failures <= MAX_FAILURES)
		kdbus_log("hello #%lu: HELLO on a connected handle: %s",
			  f->iteration, strerror(-ret));
reopen:
	close(*hfd);
	*hfd = kdbus_bus_open(dom, bus, O_RDWR | O_CLOEXEC);
	return *hfd < 0 ? *hfd : 0;
}

/* ------------------------------------------------------------------ */
/* probes for commands of later roadmap steps                         */
/* ------------------------------------------------------------------ */

static bool probe_result(const char *what, int ret)
{
	if (ret == -EOPNOTSUPP) {
		kdbus_log("%s: EOPNOTSUPP for valid input (not implemented yet)",
			  what);
		kdbus_log("%s: from now on EOPNOTSUPP is accepted from it",
			  what);
		return true;
	}
	if (ret)
		kdbus_log("%s probe: %s", what, strerror(-ret));
	return false;
}

static void probes(struct fuzz *f, const struct kdbus_domain *dom,
		   const char *bus)
{
	struct kdbus_cmd_list list = {
		.size = sizeof(list),
		.flags = KDBUS_LIST_UNIQUE,
	};
	struct kdbus_cmd_match match = {
		.size = sizeof(match),
		.cookie = 0xfeed,
	};
	struct kdbus_conn mon;
	struct kdbus_cmd *cmd;
	int ret, fd;

	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_RECV, 0);
	ret = kdbus_ioctl(f->a->fd, KDBUS_CMD_UPDATE, cmd);
	kdbus_args_release(cmd);
	f->unimpl_update = probe_result("UPDATE", ret);

	ret = kdbus_ioctl(f->a->fd, KDBUS_CMD_LIST, &list);
	if (!ret)
		kdbus_free(f->a, list.offset);
	f->unimpl_list = probe_result("LIST", ret);

	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "org.fuzz.probe");
	ret = kdbus_ioctl(f->a->fd, KDBUS_CMD_NAME_ACQUIRE, cmd);
	if (!ret)
		kdbus_ioctl(f->a->fd, KDBUS_CMD_NAME_RELEASE, cmd);
	kdbus_args_release(cmd);
	f->unimpl_names = probe_result("NAME_ACQUIRE", ret);

	ret = kdbus_ioctl(f->a->fd, KDBUS_CMD_MATCH_ADD, &match);
	if (!ret)
		kdbus_ioctl(f->a->fd, KDBUS_CMD_MATCH_REMOVE, &match);
	f->unimpl_matches = probe_result("MATCH_ADD", ret);

	fd = kdbus_bus_open(dom, bus, O_RDWR | O_CLOEXEC);
	ret = fd < 0 ? fd : kdbus_hello(&mon, fd, KDBUS_HELLO_MONITOR, 0,
					NULL);
	if (!ret)
		kdbus_conn_free(&mon);
	else if (fd >= 0)
		close(fd);
	f->unimpl_kinds = probe_result("HELLO of a monitor", ret);
}

/* ------------------------------------------------------------------ */
/* the tests                                                          */
/* ------------------------------------------------------------------ */

FIXTURE(fuzz) {
	struct kdbus_domain dom;
	int owner;
	char bus[64];
	struct kdbus_conn a, b, v;
	struct fuzz *f;
};

FIXTURE_SETUP(fuzz)
{
	const char *env = getenv("KDBUS_FUZZ_SEED");
	struct fuzz *f;

	self->owner = -1;
	self->a.fd = -1;
	self->b.fd = -1;
	self->v.fd = -1;
	self->f = NULL;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->owner = kdbus_bus_create(&self->dom, 0, "fuzz", self->bus,
				       sizeof(self->bus));
	ASSERT_LE(0, self->owner);
	ASSERT_EQ(0, kdbus_conn_new(&self->a, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&self->b, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	ASSERT_EQ(0, kdbus_conn_new(&self->v, &self->dom, self->bus, NULL, 0));

	f = calloc(1, sizeof(*f));
	ASSERT_NE(NULL, f);
	self->f = f;
	f->mm = calloc(1, sizeof(*f->mm));
	ASSERT_NE(NULL, f->mm);
	f->a = &self->a;
	f->b = &self->b;
	f->v = &self->v;
	f->page = sysconf(_SC_PAGESIZE);
	f->seed = env ? strtoull(env, NULL, 0) : FUZZ_SEED;
	ASSERT_EQ(0, mem_setup(f));
	ASSERT_EQ(0, fds_setup(f, &self->dom));

	/* a valid name of 255 characters, and one of 256 */
	memset(name_255, 'b', 255);
	memcpy(name_255, "a.", 2);
	memset(name_256, 'b', 256);
	memcpy(name_256, "a.", 2);

	probes(f, &self->dom, self->bus);
}

FIXTURE_TEARDOWN(fuzz)
{
	struct fuzz *f = self->f;
	unsigned int i;

	if (f) {
		/* fds[9] is a's fd, closed with a */
		for (i = 3; i < FUZZ_FDS; i++)
			if (i != 9 && f->fds[i].fd >= 0)
				close(f->fds[i].fd);
		if (f->base && f->base != MAP_FAILED)
			munmap(f->base, f->base_len);
		free(f->mm);
		free(f);
	}
	kdbus_conn_free(&self->v);
	kdbus_conn_free(&self->b);
	kdbus_conn_free(&self->a);
	if (self->owner >= 0)
		close(self->owner);
	kdbus_domain_umount(&self->dom);
}

/* a deterministic, non-zero generator state for one test */
static void fuzz_start(struct fuzz *f, const char *phase, __u64 salt)
{
	f->phase = phase;
	f->rng = (f->seed ^ salt) * 0x9e3779b97f4a7c15ULL | 1;
	f->iteration = 0;
	f->failures = 0;
	kdbus_log("%s: seed %#llx (set KDBUS_FUZZ_SEED to change it)", phase,
		  (unsigned long long)f->seed);
}

/* whether the time budget of a test starting at @start is spent */
static bool out_of_time(const struct fuzz *f, __u64 start)
{
	if (kdbus_now_ns() - start < BUDGET_NS)
		return false;
	kdbus_log("%s: time budget spent after %lu iterations", f->phase,
		  f->iteration);
	return true;
}

/* SEND with malformed commands and messages */
TEST_F_TIMEOUT(fuzz, send, 120)
{
	struct fuzz *f = self->f;
	__u64 start = kdbus_now_ns();

	fuzz_start(f, "send", 0x53454e44);
	while (f->iteration < SEND_ITERATIONS) {
		fuzz_send_once(f);
		f->iteration++;
		if (f->failures > MAX_FAILURES || out_of_time(f, start))
			break;
		if (f->iteration % BATCH == 0)
			ASSERT_EQ(0, conn_check(f))
				TH_LOG("connection broken after %lu sends",
				       f->iteration);
	}
	kdbus_log("send: %lu iterations", f->iteration);
	ASSERT_EQ(0, conn_check(f));
	EXPECT_EQ(0U, f->failures);
}

/* every other connection command; BYEBYE on a victim connection */
TEST_F_TIMEOUT(fuzz, commands, 120)
{
	struct fuzz *f = self->f;
	__u64 start = kdbus_now_ns();

	fuzz_start(f, "commands", 0x434d4453);
	while (f->iteration < CMD_ITERATIONS) {
		ASSERT_EQ(0, fuzz_cmd_once(f, &self->dom, self->bus));
		f->iteration++;
		if (f->failures > MAX_FAILURES || out_of_time(f, start))
			break;
		if (f->iteration % BATCH == 0)
			ASSERT_EQ(0, conn_check(f))
				TH_LOG("connection broken after %lu commands",
				       f->iteration);
	}
	kdbus_log("commands: %lu iterations", f->iteration);
	ASSERT_EQ(0, conn_check(f));
	EXPECT_EQ(0U, f->failures);
}

/* HELLO on fresh handles; failed HELLOs leave the handle usable */
TEST_F_TIMEOUT(fuzz, hello, 120)
{
	struct fuzz *f = self->f;
	__u64 start = kdbus_now_ns();
	struct kdbus_conn conn;
	int hfd;

	fuzz_start(f, "hello", 0x48454c4f);
	hfd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, hfd);
	while (f->iteration < HELLO_ITERATIONS) {
		ASSERT_EQ(0, fuzz_hello_once(f, &self->dom, self->bus, &hfd));
		f->iteration++;
		if (f->failures > MAX_FAILURES || out_of_time(f, start))
			break;
		if (f->iteration % BATCH == 0)
			ASSERT_EQ(0, conn_check(f));
	}
	kdbus_log("hello: %lu iterations", f->iteration);
	/* the last handle saw failed HELLOs only: it still connects */
	ASSERT_EQ(0, kdbus_hello(&conn, hfd, 0, 0, NULL));
	kdbus_conn_free(&conn);
	ASSERT_EQ(0, conn_check(f));
	EXPECT_EQ(0U, f->failures);
}

TEST_HARNESS_MAIN
