// SPDX-License-Identifier: GPL-2.0
/*
 * Connections: KDBUS_CMD_HELLO (checks, returned fields, negotiation),
 * the pool mapping, KDBUS_CMD_FREE, KDBUS_CMD_BYEBYE, poll(), disconnection
 * by the bus owner, KDBUS_CMD_CONN_INFO, KDBUS_CMD_BUS_CREATOR_INFO,
 * KDBUS_CMD_UPDATE, what each connection kind may do, the per-user
 * connection limit, unprivileged users and connections of other processes.
 *
 * Names, matches and metadata other than ids, flags and the connection
 * description are covered elsewhere.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

/* the unprivileged user of the tests */
#define OTHER_UID		1000
#define OTHER_GID		1000
/* a valid well-known name for policy holders and activators */
#define POLICY_NAME		"com.example.connection"
/* every event poll() can report for a kdbus handle */
#define POLL_ALL		(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | \
				 POLLPRI | POLLRDHUP)
/* how long a test waits for another process or thread */
#define WAIT_MS			10000

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

FIXTURE(conn) {
	struct kdbus_domain dom;
	int owner;		/* BUS_OWNER handle of bus */
	char bus[64];		/* "<euid>-conn", made with ACCESS_WORLD */
};

FIXTURE_SETUP(conn)
{
	self->owner = -1;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
				       "conn", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->owner);
}

FIXTURE_TEARDOWN(conn)
{
	if (self->owner >= 0)
		close(self->owner);
	kdbus_domain_umount(&self->dom);
}

/* a NONE handle on the default endpoint of @bus: fd or -errno */
static int ep_open(const struct kdbus_domain *dom, const char *bus)
{
	return kdbus_bus_open(dom, bus, O_RDWR | O_CLOEXEC);
}

/* HELLO with @hello, which is released: 0 or -errno */
static int hello_release(int fd, struct kdbus_cmd_hello *hello)
{
	int ret = kdbus_ioctl(fd, KDBUS_CMD_HELLO, hello);

	kdbus_args_release(hello);
	return ret;
}

/* HELLO with @flags, one page of pool and no items: 0 or -errno */
static int hello_plain(int fd, __u64 flags)
{
	return hello_release(fd, kdbus_hello_args(flags, page_size(), NULL));
}

/* HELLO with @flags and a NAME item @name (NULL: none): 0 or -errno */
static int hello_named(int fd, __u64 flags, const char *name)
{
	struct kdbus_cmd_hello *hello = kdbus_hello_args(flags, 0, NULL);

	if (name)
		kdbus_args_add_str(hello, KDBUS_ITEM_NAME, name);
	return hello_release(fd, hello);
}

/*
 * Make a custom endpoint "<euid>-<suffix>" with @flags on @bus; the
 * EP_OWNER fd or -errno. Its path relative to the domain goes to @rel.
 */
static int ep_create(const struct kdbus_domain *dom, const char *bus,
		     __u64 flags, const char *suffix, char *rel, size_t len)
{
	char name[64];
	int fd, ret;

	fd = ep_open(dom, bus);
	if (fd < 0)
		return fd;
	kdbus_name(name, sizeof(name), suffix);
	ret = kdbus_ep_make(fd, flags, name);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	snprintf(rel, len, "%s/%s", bus, name);
	return fd;
}

/* revents of a non-blocking poll() for everything on @fd, or -errno */
static int poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLL_ALL };
	int ret = poll(&pfd, 1, 0);

	if (ret < 0)
		return -errno;
	return ret ? pfd.revents : 0;
}

/* a CONN_INFO argument for @id with @attach_flags (release it) */
static struct kdbus_cmd_info *info_args(__u64 id, __u64 attach_flags)
{
	struct kdbus_cmd_info *cmd = kdbus_args_new(sizeof(*cmd));

	cmd->id = id;
	cmd->attach_flags = attach_flags;
	return cmd;
}

/* @cmd on @fd with @args, which are released: 0 or -errno */
static int ioctl_release(int fd, unsigned long cmd, void *args)
{
	int ret = kdbus_ioctl(fd, cmd, args);

	kdbus_args_release(args);
	return ret;
}

/* send @len bytes of @data from @from to @dst_id: 0 or -errno */
static int send_to(struct kdbus_conn *from, __u64 dst_id, __u64 cookie,
		   const void *data, size_t len)
{
	return kdbus_send_simple(from, dst_id, cookie, 0, 0, data, len);
}

/* CONN_INFO of @id by @conn, checked and freed: 0 or -errno */
static int conn_info_flags(struct kdbus_conn *conn, __u64 id, __u64 *flags)
{
	struct kdbus_info *info;
	__u64 offset, size;
	int ret;

	ret = kdbus_conn_info(conn, id, NULL, 0, &offset, &size);
	if (ret < 0)
		return ret;
	info = kdbus_pool_info(conn, offset);
	if (!info || info->id != id || info->size != size) {
		kdbus_log("CONN_INFO of %llu: bad record at %llu",
			  (unsigned long long)id, (unsigned long long)offset);
		ret = -EBADMSG;
	} else if (flags) {
		*flags = info->flags;
	}
	if (kdbus_free(conn, offset) < 0 && !ret)
		ret = -EBADMSG;
	return ret;
}

/* HELLO with @flags and one item of @type: 0 or -errno */
static int hello_item(int fd, __u64 flags, __u64 type, const void *data,
		      size_t len)
{
	struct kdbus_cmd_hello *hello = kdbus_hello_args(flags, 0, NULL);

	kdbus_args_add(hello, type, data, len);
	return hello_release(fd, hello);
}

/* ------------------------------------------------------------------ */
/* HELLO: the checks of contract 3.6                                   */
/* ------------------------------------------------------------------ */

TEST_F(conn, hello_pool_size)
{
	const __u64 page = page_size();
	const __u64 bad[] = {
		0, 1, 8, page - 8, page + 1, page + page / 2,
		16 * page + 8, KDBUS_TEST_POOL_SIZE - page / 2,
	};
	struct kdbus_cmd_hello *hello;
	struct kdbus_conn c;
	unsigned int i;
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		hello = kdbus_hello_args(0, 0, NULL);
		hello->pool_size = bad[i];
		EXPECT_EQ(-EINVAL, hello_release(fd, hello))
			TH_LOG("pool_size %llu", (unsigned long long)bad[i]);
	}

	/* the failures left the handle in NONE: a valid pool works */
	hello = kdbus_hello_args(0, page, NULL);
	ASSERT_EQ(0, kdbus_hello_cmd(&c, fd, hello));
	EXPECT_EQ(page, hello->pool_size);
	EXPECT_EQ(page, c.pool_size);
	EXPECT_NE(0ULL, c.id);
	kdbus_args_release(hello);
	kdbus_conn_free(&c);

	/* other multiples of the page size */
	ASSERT_EQ(0, kdbus_hello(&c, ep_open(&self->dom, self->bus), 0,
				 3 * page, NULL));
	kdbus_conn_free(&c);
	ASSERT_EQ(0, kdbus_hello(&c, ep_open(&self->dom, self->bus), 0,
				 KDBUS_TEST_POOL_SIZE, NULL));
	kdbus_conn_free(&c);
}

TEST_F(conn, hello_kinds_exclusive)
{
	const __u64 act = KDBUS_HELLO_ACTIVATOR;
	const __u64 ph = KDBUS_HELLO_POLICY_HOLDER;
	const __u64 mon = KDBUS_HELLO_MONITOR;
	const __u64 combos[] = {
		act | ph, act | mon, ph | mon, act | ph | mon,
		KDBUS_HELLO_ACCEPT_FD | ph | mon,
	};
	struct kdbus_cmd_hello *hello;
	struct kdbus_conn c, m;
	__u64 ph_id, flags;
	unsigned int i;
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	/* a NAME item, so only the exclusiveness rule is violated */
	for (i = 0; i < ARRAY_SIZE(combos); i++) {
		EXPECT_EQ(-EINVAL, hello_named(fd, combos[i], POLICY_NAME))
			TH_LOG("flags 0x%llx", (unsigned long long)combos[i]);
	}
	EXPECT_EQ(-EINVAL, hello_named(fd, ph | mon, NULL));

	/* each kind alone is fine, the first one on the same handle */
	hello = kdbus_hello_args(ph, 0, NULL);
	kdbus_args_add_str(hello, KDBUS_ITEM_NAME, POLICY_NAME);
	ASSERT_EQ(0, kdbus_ioctl(fd, KDBUS_CMD_HELLO, hello));
	ph_id = hello->id;
	kdbus_args_release(hello);

	ASSERT_EQ(0, kdbus_conn_new(&m, &self->dom, self->bus, NULL, mon));
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, conn_info_flags(&c, ph_id, &flags));
	EXPECT_EQ(ph, flags);
	ASSERT_EQ(0, conn_info_flags(&c, m.id, &flags));
	EXPECT_EQ(mon, flags);
	kdbus_conn_free(&c);
	kdbus_conn_free(&m);
	close(fd);
}

TEST_F(conn, hello_name_item_rules)
{
	static const char * const invalid[] = {
		"", ".bar.baz", "foo", "foo..bar", "foo.", "foo.1a",
		"foo.b@r", "foo bar.baz", "foo.*.bar", "*.foo",
	};
	const __u64 act = KDBUS_HELLO_ACTIVATOR;
	const __u64 ph = KDBUS_HELLO_POLICY_HOLDER;
	struct kdbus_cmd_hello *hello;
	char name[KDBUS_NAME_MAX_LEN + 2];
	unsigned int i;
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);

	/* a NAME item only with ACTIVATOR or POLICY_HOLDER */
	EXPECT_EQ(-EINVAL, hello_named(fd, 0, POLICY_NAME));
	EXPECT_EQ(-EINVAL, hello_named(fd, KDBUS_HELLO_ACCEPT_FD,
				       POLICY_NAME));
	EXPECT_EQ(-EINVAL, hello_named(fd, KDBUS_HELLO_MONITOR,
				       POLICY_NAME));
	/* and those two need one */
	EXPECT_EQ(-EINVAL, hello_named(fd, act, NULL));
	EXPECT_EQ(-EINVAL, hello_named(fd, ph, NULL));
	EXPECT_EQ(-EINVAL, hello_named(fd, ph | KDBUS_HELLO_ACCEPT_FD,
				       NULL));
	/* policy access items do not replace it */
	hello = kdbus_hello_args(ph, 0, NULL);
	kdbus_args_add_policy(hello, KDBUS_POLICY_ACCESS_WORLD,
			      KDBUS_POLICY_SEE, 0);
	EXPECT_EQ(-EINVAL, hello_release(fd, hello));
	/* one NAME item, not two */
	hello = kdbus_hello_args(ph, 0, NULL);
	kdbus_args_add_str(hello, KDBUS_ITEM_NAME, POLICY_NAME);
	kdbus_args_add_str(hello, KDBUS_ITEM_NAME, "com.example.other");
	EXPECT_EQ(-EINVAL, hello_release(fd, hello));

	/* the name must be a valid well-known name */
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		EXPECT_EQ(-EINVAL, hello_named(fd, ph, invalid[i]))
			TH_LOG("policy holder \"%s\"", invalid[i]);
		EXPECT_EQ(-EINVAL, hello_named(fd, act, invalid[i]))
			TH_LOG("activator \"%s\"", invalid[i]);
	}
	kdbus_long_name(name, sizeof(name), 256);
	EXPECT_EQ(-EINVAL, hello_named(fd, ph, name));
	EXPECT_EQ(-EINVAL, hello_named(fd, act, name));
	/* an activator holds a concrete name: no wildcard */
	EXPECT_EQ(-EINVAL, hello_named(fd, act, "com.example.*"));

	/* a policy name may be a wildcard, and 255 characters long */
	EXPECT_EQ(0, hello_named(fd, ph, "com.example.*"));
	close(fd);
	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	kdbus_long_name(name, sizeof(name), 255);
	EXPECT_EQ(0, hello_named(fd, ph, name));
	close(fd);
}

/* the description follows the rules of bus and endpoint names */
TEST_F(conn, hello_description_rules)
{
	static const char * const invalid[] = {
		"a b", "-abc", "abc-", ".abc", "abc.", "a/b", "a@b", "a\xc3\xa4",
	};
	char desc[KDBUS_SYSNAME_MAX_LEN + 2];
	struct kdbus_cmd_hello *hello;
	struct kdbus_item *item;
	unsigned int i;
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		hello = kdbus_hello_args(0, 0, invalid[i]);
		EXPECT_EQ(-EINVAL, hello_release(fd, hello))
			TH_LOG("description \"%s\"", invalid[i]);
	}
	/* too long */
	memset(desc, 'd', KDBUS_SYSNAME_MAX_LEN + 1);
	desc[KDBUS_SYSNAME_MAX_LEN + 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, hello_release(fd, kdbus_hello_args(0, 0,
								    desc)));
	/* empty, and not NUL-terminated */
	EXPECT_EQ(-EINVAL, hello_release(fd, kdbus_hello_args(0, 0, "")));
	hello = kdbus_hello_args(0, 0, "abc");
	item = hello->items;
	item->size--;
	EXPECT_EQ(-EINVAL, hello_release(fd, hello));
	/* a string item whose size includes its padding */
	hello = kdbus_hello_args(0, 0, "abc");
	hello->items[0].size = KDBUS_ITEM_SIZE(4);
	EXPECT_EQ(-EINVAL, hello_release(fd, hello));

	/* 63 characters with '-', '.' and '_' inside are fine */
	memset(desc, 'd', KDBUS_SYSNAME_MAX_LEN);
	desc[KDBUS_SYSNAME_MAX_LEN] = '\0';
	desc[1] = '-';
	desc[2] = '.';
	desc[3] = '_';
	EXPECT_EQ(0, hello_release(fd, kdbus_hello_args(0, 0, desc)));
	close(fd);
}

TEST_F(conn, hello_monitor_on_custom_endpoint)
{
	struct kdbus_conn c;
	char rel[160];
	int ep, fd;

	ep = ep_create(&self->dom, self->bus, KDBUS_MAKE_ACCESS_WORLD, "ep",
		       rel, sizeof(rel));
	ASSERT_LE(0, ep);
	fd = kdbus_open(&self->dom, rel, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOPNOTSUPP, hello_plain(fd, KDBUS_HELLO_MONITOR));
	EXPECT_EQ(-EOPNOTSUPP, hello_plain(fd, KDBUS_HELLO_MONITOR |
					   KDBUS_HELLO_ACCEPT_FD));
	/* the handle is still NONE */
	ASSERT_EQ(0, kdbus_hello(&c, fd, 0, 0, NULL));
	EXPECT_NE(0ULL, c.id);
	kdbus_conn_free(&c);
	close(ep);
}

/*
 * Try on the NONE handle @fd every HELLO that needs a privileged handle:
 * each must fail with EPERM (MONITOR with @monitor_err). Returns the
 * number of HELLOs that did not.
 */
static int privileged_hellos(int fd, int monitor_err)
{
	struct kdbus_creds creds = {
		.uid = getuid(), .euid = geteuid(),
		.suid = getuid(), .fsuid = geteuid(),
		.gid = getgid(), .egid = getegid(),
		.sgid = getgid(), .fsgid = getegid(),
	};
	struct kdbus_pids pids = {
		.pid = getpid(), .tid = gettid(), .ppid = getppid(),
	};
	static const char label[] = "kdbus_test_t";
	struct {
		const char *what;
		int ret, want;
	} r[6];
	int i, bad = 0;

	r[0].what = "ACTIVATOR";
	r[0].ret = hello_named(fd, KDBUS_HELLO_ACTIVATOR, POLICY_NAME);
	r[0].want = -EPERM;
	r[1].what = "POLICY_HOLDER";
	r[1].ret = hello_named(fd, KDBUS_HELLO_POLICY_HOLDER, POLICY_NAME);
	r[1].want = -EPERM;
	r[2].what = "MONITOR";
	r[2].ret = hello_plain(fd, KDBUS_HELLO_MONITOR);
	r[2].want = monitor_err;
	r[3].what = "CREDS item";
	r[3].ret = hello_item(fd, 0, KDBUS_ITEM_CREDS, &creds, sizeof(creds));
	r[3].want = -EPERM;
	r[4].what = "PIDS item";
	r[4].ret = hello_item(fd, 0, KDBUS_ITEM_PIDS, &pids, sizeof(pids));
	r[4].want = -EPERM;
	r[5].what = "SECLABEL item";
	r[5].ret = hello_item(fd, 0, KDBUS_ITEM_SECLABEL, label,
			      sizeof(label));
	r[5].want = -EPERM;

	for (i = 0; i < 6; i++) {
		if (r[i].ret == r[i].want)
			continue;
		kdbus_log("HELLO with %s: got %d, want %d", r[i].what,
			  r[i].ret, r[i].want);
		bad++;
	}
	return bad;
}

/* an ordinary HELLO on @fd works: 0, else 1 (logged) */
static int ordinary_hello_works(int fd, const char *where)
{
	struct kdbus_conn c;
	int ret;

	ret = kdbus_hello(&c, fd, 0, page_size(), NULL);
	if (ret < 0 || !c.id) {
		kdbus_log("ordinary HELLO on %s: %s", where, strerror(-ret));
		return 1;
	}
	kdbus_conn_free(&c);
	return 0;
}

/* root on the default endpoint: faked identity items are allowed */
TEST_F(conn, hello_fake_items_privileged)
{
	struct kdbus_creds creds = { 0 };
	struct kdbus_pids pids = {
		.pid = getpid(), .tid = gettid(), .ppid = getppid(),
	};
	static const char label[] = "kdbus_test_t";
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, hello_item(fd, 0, KDBUS_ITEM_CREDS, &creds,
				sizeof(creds)));
	close(fd);
	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, hello_item(fd, 0, KDBUS_ITEM_PIDS, &pids, sizeof(pids)));
	close(fd);
	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, hello_item(fd, 0, KDBUS_ITEM_SECLABEL, label,
				sizeof(label)));
	close(fd);
}

/* root, but on a custom endpoint: handles there are never privileged */
TEST_F(conn, hello_privileged_on_custom_endpoint_eperm)
{
	char rel[160];
	int ep, fd;

	ep = ep_create(&self->dom, self->bus, KDBUS_MAKE_ACCESS_WORLD, "ep",
		       rel, sizeof(rel));
	ASSERT_LE(0, ep);
	fd = kdbus_open(&self->dom, rel, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, privileged_hellos(fd, -EOPNOTSUPP));
	EXPECT_EQ(0, ordinary_hello_works(fd, "the custom endpoint"));
	close(ep);
}

struct unpriv_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
	const char *ep;		/* custom endpoint (relative path) */
};

/* child: privileged HELLOs on a world-accessible bus as a plain user */
static int child_unprivileged_hellos(void *arg)
{
	const struct unpriv_ctx *ctx = arg;
	int fd, bad;

	fd = ep_open(ctx->dom, ctx->bus);
	if (fd < 0) {
		kdbus_log("open bus: %s", strerror(-fd));
		return 100;
	}
	bad = privileged_hellos(fd, -EPERM);
	bad += ordinary_hello_works(fd, "the default endpoint");

	fd = kdbus_open(ctx->dom, ctx->ep, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		kdbus_log("open custom endpoint: %s", strerror(-fd));
		return 101;
	}
	/* MONITOR is refused on custom endpoints before privilege */
	bad += privileged_hellos(fd, -EOPNOTSUPP);
	bad += ordinary_hello_works(fd, "the custom endpoint");
	return bad;
}

TEST_F(conn, hello_unprivileged_eperm)
{
	struct unpriv_ctx ctx = { .dom = &self->dom, .bus = self->bus };
	char rel[160];
	int ep;

	ep = ep_create(&self->dom, self->bus, KDBUS_MAKE_ACCESS_WORLD, "ep",
		       rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ctx.ep = rel;
	EXPECT_EQ(0, kdbus_run_as(OTHER_UID, OTHER_GID,
				  child_unprivileged_hellos, &ctx));
	close(ep);
}

/* HELLO with the attach masks @send and @recv: 0 or -errno */
static int hello_attach(int fd, __u64 send, __u64 recv)
{
	struct kdbus_cmd_hello *hello = kdbus_hello_args(0, page_size(),
							 NULL);

	hello->attach_flags_send = send;
	hello->attach_flags_recv = recv;
	return hello_release(fd, hello);
}

TEST_F(conn, hello_attach_flags)
{
	const __u64 all = _KDBUS_ATTACH_ALL;
	const __u64 bad[] = {
		all + 1, all | (1ULL << 14), 1ULL << 20, 1ULL << 63,
		~0ULL - 1, ~0ULL >> 1, ~all,
	};
	const __u64 good[][2] = {
		{ 0, 0 }, { ~0ULL, ~0ULL }, { all, all }, { ~0ULL, 0 },
		{ 0, ~0ULL }, { KDBUS_ATTACH_CONN_DESCRIPTION,
				KDBUS_ATTACH_TIMESTAMP },
	};
	struct kdbus_cmd_hello *hello;
	unsigned int i;
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, hello_attach(fd, bad[i], 0))
			TH_LOG("send mask 0x%llx", (unsigned long long)bad[i]);
		EXPECT_EQ(-EINVAL, hello_attach(fd, 0, bad[i]))
			TH_LOG("recv mask 0x%llx", (unsigned long long)bad[i]);
	}
	close(fd);

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		fd = ep_open(&self->dom, self->bus);
		ASSERT_LE(0, fd);
		hello = kdbus_hello_args(0, page_size(), NULL);
		hello->attach_flags_send = good[i][0];
		hello->attach_flags_recv = good[i][1];
		EXPECT_EQ(0, kdbus_ioctl(fd, KDBUS_CMD_HELLO, hello))
			TH_LOG("masks 0x%llx 0x%llx",
			       (unsigned long long)good[i][0],
			       (unsigned long long)good[i][1]);
		/* the masks are not written back (~0 stays ~0) */
		EXPECT_EQ(good[i][0], hello->attach_flags_send);
		EXPECT_EQ(good[i][1], hello->attach_flags_recv);
		kdbus_args_release(hello);
		close(fd);
	}
}

/* the bus's ATTACH_FLAGS_RECV item is what every sender must agree to */
TEST_F(conn, hello_bus_attach_requirement)
{
	const __u64 req = KDBUS_ATTACH_CREDS | KDBUS_ATTACH_PIDS;
	const __u64 all = _KDBUS_ATTACH_ALL;
	char name[64], name2[64];
	int ctl, ctl2, fd;

	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	kdbus_name(name, sizeof(name), "req");
	ASSERT_EQ(0, kdbus_bus_make_attach(ctl, KDBUS_MAKE_ACCESS_WORLD, name,
					   64, 1, NULL, &req));

	fd = ep_open(&self->dom, name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ECONNREFUSED, hello_attach(fd, 0, 0));
	EXPECT_EQ(-ECONNREFUSED, hello_attach(fd, KDBUS_ATTACH_CREDS, 0));
	EXPECT_EQ(-ECONNREFUSED, hello_attach(fd, KDBUS_ATTACH_PIDS |
					      KDBUS_ATTACH_TIMESTAMP, 0));
	EXPECT_EQ(-ECONNREFUSED, hello_attach(fd, all & ~KDBUS_ATTACH_PIDS,
					      0));
	/* the receive mask does not count */
	EXPECT_EQ(-ECONNREFUSED, hello_attach(fd, 0, ~0ULL));
	EXPECT_EQ(-ECONNREFUSED, hello_attach(fd, KDBUS_ATTACH_CREDS, req));
	/* unknown bits are refused before the requirement is checked */
	EXPECT_EQ(-EINVAL, hello_attach(fd, req | (1ULL << 14), 0));
	EXPECT_EQ(-EINVAL, hello_attach(fd, 0, 1ULL << 14));
	/* exactly the requirement, or more */
	EXPECT_EQ(0, hello_attach(fd, req, 0));
	close(fd);
	fd = ep_open(&self->dom, name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, hello_attach(fd, req | KDBUS_ATTACH_TIMESTAMP, 0));
	close(fd);
	fd = ep_open(&self->dom, name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, hello_attach(fd, ~0ULL, 0));
	close(fd);

	/* a bus requiring ~0 (= everything) */
	ctl2 = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl2);
	kdbus_name(name2, sizeof(name2), "reqall");
	ASSERT_EQ(0, kdbus_bus_make_attach(ctl2, 0, name2, 64, 1, NULL,
					   &(const __u64){ ~0ULL }));
	fd = ep_open(&self->dom, name2);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ECONNREFUSED, hello_attach(fd, all & ~1ULL, 0));
	EXPECT_EQ(0, hello_attach(fd, all, 0));
	close(fd);

	/* the fixture's bus requires nothing */
	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, hello_attach(fd, 0, 0));
	close(fd);
	close(ctl2);
	close(ctl);
}

TEST_F(conn, hello_unknown_flags)
{
	const __u64 bad[] = {
		1ULL << 4, 1ULL << 5, 1ULL << 31, 1ULL << 32, 1ULL << 62,
		KDBUS_HELLO_ACCEPT_FD | (1ULL << 10),
		KDBUS_FLAG_NEGOTIATE | (1ULL << 4),
	};
	struct kdbus_cmd_hello *hello;
	unsigned int i;
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		hello = kdbus_hello_args(bad[i], page_size(), NULL);
		EXPECT_EQ(-EINVAL, kdbus_ioctl(fd, KDBUS_CMD_HELLO, hello))
			TH_LOG("flags 0x%llx", (unsigned long long)bad[i]);
		/* nothing is written back on failure */
		EXPECT_EQ(bad[i], hello->flags);
		EXPECT_EQ(0ULL, hello->id);
		kdbus_args_release(hello);
	}
	EXPECT_EQ(0, ordinary_hello_works(fd, "the bus"));
}

static const __u64 hello_negotiate_in[] = {
	KDBUS_ITEM_NAME, KDBUS_ITEM_CREDS, KDBUS_ITEM_PIDS,
	KDBUS_ITEM_SECLABEL, KDBUS_ITEM_CONN_DESCRIPTION,
	KDBUS_ITEM_POLICY_ACCESS, KDBUS_ITEM_NEGOTIATE, KDBUS_ITEM_MAKE_NAME,
	KDBUS_ITEM_BLOOM_PARAMETER, KDBUS_ITEM_ATTACH_FLAGS_SEND,
	KDBUS_ITEM_PAYLOAD_VEC, _KDBUS_ITEM_NULL, 0x4242, KDBUS_ITEM_ID_ADD,
	KDBUS_ITEM_AUXGROUPS,
};

static const __u64 hello_negotiate_out[] = {
	KDBUS_ITEM_NAME, KDBUS_ITEM_CREDS, KDBUS_ITEM_PIDS,
	KDBUS_ITEM_SECLABEL, KDBUS_ITEM_CONN_DESCRIPTION,
	KDBUS_ITEM_POLICY_ACCESS, KDBUS_ITEM_NEGOTIATE, 0,
	0, 0,
	0, 0, 0, 0,
	0,
};

TEST_F(conn, hello_negotiate)
{
	const __u64 supported = KDBUS_HELLO_ACCEPT_FD |
		KDBUS_HELLO_ACTIVATOR | KDBUS_HELLO_POLICY_HOLDER |
		KDBUS_HELLO_MONITOR;
	struct kdbus_cmd_hello *hello;
	struct kdbus_item *item;
	struct kdbus_conn c;
	unsigned int i;
	__u64 first_id;
	void *map;
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);

	hello = kdbus_hello_args(KDBUS_FLAG_NEGOTIATE, page_size(), NULL);
	hello->id = 0x5a5a;
	hello->bus_flags = 0x5a5a;
	ASSERT_EQ(0, kdbus_ioctl(fd, KDBUS_CMD_HELLO, hello));
	EXPECT_EQ(supported, hello->flags);
	/* no connection was made */
	EXPECT_EQ(0x5a5aULL, hello->id);
	EXPECT_EQ(0x5a5aULL, hello->bus_flags);
	kdbus_args_release(hello);

	/* with other flags set, and with an item list to negotiate */
	hello = kdbus_hello_args(KDBUS_FLAG_NEGOTIATE | KDBUS_HELLO_MONITOR |
				 KDBUS_HELLO_ACCEPT_FD, page_size(), "neg");
	item = kdbus_args_add(hello, KDBUS_ITEM_NEGOTIATE, hello_negotiate_in,
			      sizeof(hello_negotiate_in));
	ASSERT_EQ(0, kdbus_ioctl(fd, KDBUS_CMD_HELLO, hello));
	EXPECT_EQ(supported, hello->flags);
	for (i = 0; i < ARRAY_SIZE(hello_negotiate_in); i++) {
		EXPECT_EQ(hello_negotiate_out[i], item->data64[i])
			TH_LOG("entry %u (type 0x%llx)", i,
			       (unsigned long long)hello_negotiate_in[i]);
	}
	kdbus_args_release(hello);

	/* the handle is still NONE */
	EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(fd, KDBUS_CMD_CONN_INFO));
	EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(fd, KDBUS_CMD_BYEBYE));
	map = mmap(NULL, page_size(), PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(EBADFD, errno);
	if (map != MAP_FAILED)
		munmap(map, page_size());
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(fd));

	/* and a real HELLO works on it */
	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	first_id = c.id;
	kdbus_conn_free(&c);
	hello = kdbus_hello_args(KDBUS_HELLO_ACCEPT_FD, 0, NULL);
	item = kdbus_args_add(hello, KDBUS_ITEM_NEGOTIATE, hello_negotiate_in,
			      sizeof(hello_negotiate_in));
	ASSERT_EQ(0, kdbus_hello_cmd(&c, fd, hello));
	EXPECT_EQ((__u64)KDBUS_HELLO_ACCEPT_FD, hello->flags);
	EXPECT_LT(first_id, c.id);
	/* without the flag the item is still answered, and ignored */
	for (i = 0; i < ARRAY_SIZE(hello_negotiate_in); i++) {
		EXPECT_EQ(hello_negotiate_out[i], item->data64[i])
			TH_LOG("entry %u (type 0x%llx)", i,
			       (unsigned long long)hello_negotiate_in[i]);
	}
	kdbus_args_release(hello);
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(c.fd));
	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* HELLO: returned fields                                              */
/* ------------------------------------------------------------------ */

static const struct {
	const char *suffix;
	__u64 flags, bloom_size, n_hash;
} field_buses[] = {
	{ "private", 0, 8, 1 },
	{ "group", KDBUS_MAKE_ACCESS_GROUP, 128, 5 },
	{ "world", KDBUS_MAKE_ACCESS_WORLD, 4096, 255 },
	{ "both", KDBUS_MAKE_ACCESS_GROUP | KDBUS_MAKE_ACCESS_WORLD, 64, 1 },
};

#define N_FIELD_BUSES	ARRAY_SIZE(field_buses)
#define N_FIELD_CONNS	2

/*
 * A raw HELLO on @fd with output fields preset to garbage; checks every
 * output and input field and the returned bloom-parameter slice against
 * bus @b, frees the slice. The connection (fd, pool) is returned in @c.
 */
static void hello_fields(struct __test_metadata *_metadata, int fd,
			 unsigned int b, struct kdbus_conn *c)
{
	const __u64 pool_size = 4 * page_size();
	struct kdbus_cmd_hello *hello, *in;
	const struct kdbus_item *item;
	size_t len;
	void *pool;

	hello = kdbus_hello_args(KDBUS_HELLO_ACCEPT_FD, pool_size, "fields");
	hello->attach_flags_recv = KDBUS_ATTACH_TIMESTAMP;
	hello->return_flags = 0xa5a5a5a5a5a5a5a5ULL;
	hello->bus_flags = 0xa5a5a5a5a5a5a5a5ULL;
	hello->id = 0;
	hello->offset = 0xa5a5a5a5a5a5a5a5ULL;
	hello->items_size = 0xa5a5a5a5a5a5a5a5ULL;
	memset(hello->id128, 0xa5, sizeof(hello->id128));
	len = hello->size;
	in = malloc(len);
	ASSERT_NE(NULL, in);
	memcpy(in, hello, len);

	ASSERT_EQ(0, kdbus_ioctl(fd, KDBUS_CMD_HELLO, hello));

	/* input fields and items unchanged */
	EXPECT_EQ(in->size, hello->size);
	EXPECT_EQ(in->flags, hello->flags);
	EXPECT_EQ(in->attach_flags_send, hello->attach_flags_send);
	EXPECT_EQ(in->attach_flags_recv, hello->attach_flags_recv);
	EXPECT_EQ(pool_size, hello->pool_size);
	EXPECT_EQ(0, memcmp(in->items, hello->items,
			    len - sizeof(*hello)));
	/* outputs */
	EXPECT_EQ(0ULL, hello->return_flags);
	EXPECT_EQ(field_buses[b].flags, hello->bus_flags);
	EXPECT_NE(0ULL, hello->id);
	EXPECT_NE(~0ULL, hello->id);
	/* RFC 4122 version 4 */
	EXPECT_EQ(0x40, hello->id128[6] & 0xf0);
	EXPECT_EQ(0x80, hello->id128[8] & 0xc0);
	EXPECT_NE(0, memcmp(in->id128, hello->id128, sizeof(in->id128)));
	free(in);

	/* the slice: one 32-byte BLOOM_PARAMETER item */
	ASSERT_EQ(32ULL, hello->items_size);
	ASSERT_LE(hello->offset + 32, pool_size);
	EXPECT_EQ(0ULL, hello->offset % 8);
	pool = mmap(NULL, pool_size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, pool);
	item = (const struct kdbus_item *)((__u8 *)pool + hello->offset);
	EXPECT_EQ(32ULL, item->size);
	EXPECT_EQ((__u64)KDBUS_ITEM_BLOOM_PARAMETER, item->type);
	EXPECT_EQ(field_buses[b].bloom_size, item->bloom_parameter.size);
	EXPECT_EQ(field_buses[b].n_hash, item->bloom_parameter.n_hash);

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->id = hello->id;
	c->flags = hello->flags;
	c->pool_size = pool_size;
	c->pool = pool;
	memcpy(c->id128, hello->id128, sizeof(c->id128));

	/* the caller frees it once */
	EXPECT_EQ(0, kdbus_free(c, hello->offset));
	EXPECT_EQ(-ENXIO, kdbus_free(c, hello->offset));
	kdbus_args_release(hello);
}

TEST_F(conn, hello_returned_fields)
{
	struct kdbus_conn c[N_FIELD_BUSES][N_FIELD_CONNS];
	int ctl[N_FIELD_BUSES];
	unsigned int b, i, j, k;
	char name[64];
	__u64 last_id = 0;
	int fd;

	for (b = 0; b < N_FIELD_BUSES; b++) {
		ctl[b] = kdbus_open_control(&self->dom);
		ASSERT_LE(0, ctl[b]);
		kdbus_name(name, sizeof(name), field_buses[b].suffix);
		ASSERT_EQ(0, kdbus_bus_make(ctl[b], field_buses[b].flags,
					    name, field_buses[b].bloom_size,
					    field_buses[b].n_hash));
	}
	/* connect alternately to the buses: ids grow across all of them */
	for (i = 0; i < N_FIELD_CONNS; i++) {
		for (b = 0; b < N_FIELD_BUSES; b++) {
			kdbus_name(name, sizeof(name), field_buses[b].suffix);
			fd = ep_open(&self->dom, name);
			ASSERT_LE(0, fd);
			hello_fields(_metadata, fd, b, &c[b][i]);
			EXPECT_LT(last_id, c[b][i].id);
			last_id = c[b][i].id;
		}
	}
	/* one UUID per bus, shared by its connections */
	for (b = 0; b < N_FIELD_BUSES; b++) {
		for (i = 1; i < N_FIELD_CONNS; i++)
			EXPECT_EQ(0, memcmp(c[b][0].id128, c[b][i].id128, 16));
		for (k = b + 1; k < N_FIELD_BUSES; k++)
			EXPECT_NE(0, memcmp(c[b][0].id128, c[k][0].id128, 16))
				TH_LOG("buses %u and %u share a UUID", b, k);
	}
	/* the helper sees the same bloom parameters */
	for (b = 0; b < N_FIELD_BUSES; b++) {
		struct kdbus_conn h;

		kdbus_name(name, sizeof(name), field_buses[b].suffix);
		ASSERT_EQ(0, kdbus_conn_new(&h, &self->dom, name, NULL, 0));
		EXPECT_EQ(field_buses[b].bloom_size, h.bloom_size);
		EXPECT_EQ(field_buses[b].n_hash, h.bloom_n_hash);
		EXPECT_EQ(0, memcmp(c[b][0].id128, h.id128, 16));
		EXPECT_LT(last_id, h.id);
		last_id = h.id;
		kdbus_conn_free(&h);
	}
	for (b = 0; b < N_FIELD_BUSES; b++) {
		for (j = 0; j < N_FIELD_CONNS; j++)
			kdbus_conn_free(&c[b][j]);
		close(ctl[b]);
	}
}

/* a custom endpoint leads to the same bus */
TEST_F(conn, hello_custom_endpoint_fields)
{
	struct kdbus_cmd_hello *hello;
	struct kdbus_conn a, e;
	char rel[160];
	int ep, fd;

	ASSERT_EQ(0, kdbus_conn_new(&a, &self->dom, self->bus, NULL, 0));
	ep = ep_create(&self->dom, self->bus, 0, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	fd = kdbus_open(&self->dom, rel, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	hello = kdbus_hello_args(0, 0, NULL);
	ASSERT_EQ(0, kdbus_hello_cmd(&e, fd, hello));
	EXPECT_EQ((__u64)KDBUS_MAKE_ACCESS_WORLD, hello->bus_flags);
	EXPECT_EQ(0, memcmp(a.id128, hello->id128, 16));
	EXPECT_LT(a.id, e.id);
	EXPECT_EQ(64ULL, e.bloom_size);
	EXPECT_EQ(1ULL, e.bloom_n_hash);
	kdbus_args_release(hello);
	kdbus_conn_free(&e);
	kdbus_conn_free(&a);
	close(ep);
}

/* a CONNECTED handle accepts no making ioctl, HELLO included */
TEST_F(conn, hello_twice_ebadfd)
{
	struct kdbus_cmd_hello *hello;
	struct kdbus_conn c, o;
	__u64 flags = ~0ULL;
	char name[64];

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	ASSERT_EQ(0, kdbus_conn_new(&o, &self->dom, self->bus, NULL, 0));

	hello = kdbus_hello_args(0, 0, NULL);
	EXPECT_EQ(-EBADFD, kdbus_ioctl(c.fd, KDBUS_CMD_HELLO, hello));
	EXPECT_EQ(0ULL, hello->id);
	kdbus_args_release(hello);
	EXPECT_EQ(-EBADFD, hello_plain(c.fd, KDBUS_HELLO_ACCEPT_FD));
	EXPECT_EQ(-EBADFD, hello_plain(c.fd, KDBUS_FLAG_NEGOTIATE));
	EXPECT_EQ(-EBADFD, kdbus_ep_make(c.fd, 0,
					 kdbus_name(name, sizeof(name), "ep")));
	EXPECT_EQ(-EBADFD, kdbus_bus_make(c.fd, 0,
					  kdbus_name(name, sizeof(name), "b"),
					  64, 1));
	EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(c.fd,
						KDBUS_CMD_ENDPOINT_UPDATE));

	/* the connection is unchanged */
	ASSERT_EQ(0, conn_info_flags(&o, c.id, &flags));
	EXPECT_EQ((__u64)KDBUS_HELLO_ACCEPT_FD, flags);
	EXPECT_EQ(0, conn_info_flags(&c, c.id, NULL));
	kdbus_conn_free(&o);
	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* handles that are not (or no longer) connected                       */
/* ------------------------------------------------------------------ */

/*
 * Issue every connection ioctl on @fd with a well-formed argument; each
 * must fail with @want. Returns the number that did not.
 */
static int conn_cmds_expect(int fd, int want, const char *where)
{
	struct kdbus_msg *msg = kdbus_msg_new(1, 1);
	struct kdbus_cmd_send *send;
	struct kdbus_cmd_match *match;
	struct kdbus_cmd_free *free_cmd;
	struct kdbus_cmd_list *list;
	struct kdbus_cmd_recv *recv;
	struct kdbus_cmd *cmd;
	struct {
		unsigned long cmd;
		void *args;
	} c[KDBUS_CMD_COUNT];
	int n = 0, i, ret, bad = 0;

	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_RECV, 0);
	c[n].cmd = KDBUS_CMD_UPDATE;
	c[n++].args = cmd;
	c[n].cmd = KDBUS_CMD_BYEBYE;
	c[n++].args = kdbus_args_new(sizeof(struct kdbus_cmd));
	free_cmd = kdbus_args_new(sizeof(*free_cmd));
	free_cmd->offset = 0;
	c[n].cmd = KDBUS_CMD_FREE;
	c[n++].args = free_cmd;
	c[n].cmd = KDBUS_CMD_CONN_INFO;
	c[n++].args = info_args(1, 0);
	c[n].cmd = KDBUS_CMD_BUS_CREATOR_INFO;
	c[n++].args = info_args(0, 0);
	list = kdbus_args_new(sizeof(*list));
	list->flags = KDBUS_LIST_UNIQUE;
	c[n].cmd = KDBUS_CMD_LIST;
	c[n++].args = list;
	send = kdbus_args_new(sizeof(*send));
	send->msg_address = (__u64)(uintptr_t)msg;
	c[n].cmd = KDBUS_CMD_SEND;
	c[n++].args = send;
	recv = kdbus_args_new(sizeof(*recv));
	c[n].cmd = KDBUS_CMD_RECV;
	c[n++].args = recv;
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, POLICY_NAME);
	c[n].cmd = KDBUS_CMD_NAME_ACQUIRE;
	c[n++].args = cmd;
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, POLICY_NAME);
	c[n].cmd = KDBUS_CMD_NAME_RELEASE;
	c[n++].args = cmd;
	match = kdbus_args_new(sizeof(*match));
	match->cookie = 1;
	c[n].cmd = KDBUS_CMD_MATCH_ADD;
	c[n++].args = match;
	match = kdbus_args_new(sizeof(*match));
	match->cookie = 1;
	c[n].cmd = KDBUS_CMD_MATCH_REMOVE;
	c[n++].args = match;

	for (i = 0; i < n; i++) {
		ret = kdbus_ioctl(fd, c[i].cmd, c[i].args);
		if (ret != want) {
			kdbus_log("%s on %s: got %d (%s), want %d",
				  kdbus_cmd_name(c[i].cmd), where, ret,
				  ret < 0 ? strerror(-ret) : "success", want);
			bad++;
		}
		kdbus_args_release(c[i].args);
	}
	kdbus_msg_release(msg);
	return bad;
}

/* mmap() of @fd with @len, @prot, @flags, @off: 0 or -errno (unmapped) */
static int mmap_errno(int fd, size_t len, int prot, int flags, off_t off)
{
	void *map = mmap(NULL, len, prot, flags, fd, off);

	if (map == MAP_FAILED)
		return -errno;
	munmap(map, len);
	return 0;
}

TEST_F(conn, not_connected_handles_ebadfd)
{
	const size_t page = page_size();
	int fds[4], i;
	char rel[160];
	const char * const what[4] = {
		"a NONE endpoint handle", "an EP_OWNER handle",
		"a NONE control handle", "the BUS_OWNER handle",
	};

	fds[0] = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fds[0]);
	fds[1] = ep_create(&self->dom, self->bus, 0, "ep", rel, sizeof(rel));
	ASSERT_LE(0, fds[1]);
	fds[2] = kdbus_open_control(&self->dom);
	ASSERT_LE(0, fds[2]);
	fds[3] = self->owner;

	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, conn_cmds_expect(fds[i], -EBADFD, what[i]));
		EXPECT_EQ(-EBADFD, mmap_errno(fds[i], page, PROT_READ,
					      MAP_SHARED, 0))
			TH_LOG("mmap of %s", what[i]);
		EXPECT_EQ(-EBADFD, mmap_errno(fds[i], page, PROT_READ,
					      MAP_PRIVATE, 0))
			TH_LOG("mmap of %s", what[i]);
		/* and poll() reports them as not connections */
		EXPECT_EQ(POLLERR | POLLHUP, poll_now(fds[i]))
			TH_LOG("poll of %s", what[i]);
	}

	/* the NONE handle is still usable */
	EXPECT_EQ(0, ordinary_hello_works(fds[0], "the bus"));
	close(fds[2]);
	close(fds[1]);
}

/* ------------------------------------------------------------------ */
/* the pool mapping (contract 4.3)                                     */
/* ------------------------------------------------------------------ */

static __u8 pool_pattern(size_t i)
{
	return (__u8)(i * 7 + 3 + (i >> 12));
}

/* number of bytes in @buf that differ from pool_pattern(@start + i) */
static size_t pattern_diff(const void *buf, size_t start, size_t len)
{
	const __u8 *p = buf;
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (p[i] != pool_pattern(start + i))
			n++;
	return n;
}

TEST_F(conn, mmap_rules)
{
	const size_t page = page_size();
	const size_t pool_size = 64 * page;
	const size_t len = 5 * page + 123;
	struct kdbus_conn c, peer;
	struct kdbus_msg *msg;
	struct kdbus_item *off;
	__u8 *data, *priv, *part;
	size_t pos, first;
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&c, fd, 0, pool_size, NULL));
	ASSERT_EQ(0, kdbus_conn_new(&peer, &self->dom, self->bus, NULL, 0));

	/* never writable */
	EXPECT_EQ(-EPERM, mmap_errno(c.fd, page, PROT_WRITE, MAP_SHARED, 0));
	EXPECT_EQ(-EPERM, mmap_errno(c.fd, pool_size, PROT_READ | PROT_WRITE,
				     MAP_SHARED, 0));
	EXPECT_EQ(-EPERM, mmap_errno(c.fd, page, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE, 0));
	EXPECT_EQ(-EPERM, mmap_errno(c.fd, page, PROT_READ | PROT_WRITE,
				     MAP_SHARED, page));
	EXPECT_EQ(-1, mprotect(c.pool, pool_size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(c.pool, page, PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* not larger than the pool */
	EXPECT_EQ(-EFAULT, mmap_errno(c.fd, pool_size + page, PROT_READ,
				      MAP_SHARED, 0));
	EXPECT_EQ(-EFAULT, mmap_errno(c.fd, 2 * pool_size, PROT_READ,
				      MAP_PRIVATE, 0));
	/* the whole pool and its tail can be mapped */
	EXPECT_EQ(0, mmap_errno(c.fd, pool_size, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(0, mmap_errno(c.fd, 2 * page, PROT_READ, MAP_SHARED,
				pool_size - 2 * page));

	/* a message with a payload spanning several pages */
	data = malloc(len);
	ASSERT_NE(NULL, data);
	for (pos = 0; pos < len; pos++)
		data[pos] = pool_pattern(pos);
	ASSERT_EQ(0, send_to(&peer, c.id, 1, data, len));
	free(data);
	ASSERT_EQ(0, kdbus_recv(&c, 0, 0, NULL, &msg));
	ASSERT_NE(NULL, msg);
	off = kdbus_msg_find(msg, KDBUS_ITEM_PAYLOAD_OFF);
	ASSERT_NE(NULL, off);
	ASSERT_EQ((__u64)len, off->vec.size);
	pos = kdbus_msg_offset(&c, msg) + off->vec.offset;
	ASSERT_LE(pos + len, pool_size);
	EXPECT_EQ(0U, pattern_diff((__u8 *)c.pool + pos, 0, len));

	/* a private read-only mapping sees the same bytes */
	priv = mmap(NULL, pool_size, PROT_READ, MAP_PRIVATE, c.fd, 0);
	ASSERT_NE(MAP_FAILED, priv);
	EXPECT_EQ(0U, pattern_diff(priv + pos, 0, len));
	EXPECT_EQ(-1, mprotect(priv, pool_size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);

	/* a mapping at a page offset starts there */
	first = (pos + page - 1) / page * page;
	part = mmap(NULL, page, PROT_READ, MAP_SHARED, c.fd, first);
	ASSERT_NE(MAP_FAILED, part);
	EXPECT_EQ(0U, pattern_diff(part, first - pos, page));

	/* everything stays readable after BYEBYE */
	ASSERT_EQ(0, kdbus_byebye(&c));
	EXPECT_EQ(-ECONNRESET, kdbus_free(&c, kdbus_msg_offset(&c, msg)));
	EXPECT_EQ(0U, pattern_diff((__u8 *)c.pool + pos, 0, len));
	EXPECT_EQ(0U, pattern_diff(priv + pos, 0, len));
	EXPECT_EQ(0U, pattern_diff(part, first - pos, page));
	EXPECT_EQ((__u64)len, off->vec.size);

	munmap(part, page);
	munmap(priv, pool_size);
	kdbus_conn_free(&peer);
	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* FREE                                                                */
/* ------------------------------------------------------------------ */

/* FREE with @flags and optionally an extra item of @type: 0 or -errno */
static int free_cmd(struct kdbus_conn *c, __u64 offset, __u64 flags,
		    __u64 item_type)
{
	struct kdbus_cmd_free *cmd = kdbus_args_new(sizeof(*cmd));

	cmd->flags = flags;
	cmd->offset = offset;
	if (item_type)
		kdbus_args_add_u64(cmd, item_type, 0);
	return ioctl_release(c->fd, KDBUS_CMD_FREE, cmd);
}

/* CONN_INFO of @id (attach 0) by @c, result not freed: offset or ~0 */
static __u64 info_slice(struct kdbus_conn *c, __u64 id)
{
	__u64 offset, size;

	if (kdbus_conn_info(c, id, NULL, 0, &offset, &size) < 0)
		return ~0ULL;
	return offset;
}

TEST_F(conn, free_rules)
{
	const __u64 page = page_size();
	const __u64 pool_size = 16 * page;
	struct kdbus_conn c;
	struct kdbus_info *info;
	__u64 x, y, z, bogus[16];
	unsigned int i, n = 0;
	int fd;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&c, fd, 0, pool_size, NULL));

	x = info_slice(&c, c.id);
	ASSERT_NE(~0ULL, x);
	info = kdbus_pool_info(&c, x);
	ASSERT_NE(NULL, info);
	ASSERT_EQ(c.id, info->id);

	/* offsets where no user-held slice starts */
	bogus[n++] = x + 8;
	bogus[n++] = x + 1;
	bogus[n++] = x + info->size;
	if (x >= 8)
		bogus[n++] = x - 8;
	bogus[n++] = 0;
	bogus[n++] = 8;
	bogus[n++] = page;
	bogus[n++] = pool_size / 2;
	bogus[n++] = pool_size - 8;
	bogus[n++] = pool_size + 8;
	bogus[n++] = pool_size + page;
	bogus[n++] = 2 * pool_size;
	bogus[n++] = ~0ULL;
	bogus[n++] = ~0ULL - 7;
	for (i = 0; i < n; i++) {
		if (bogus[i] == x || bogus[i] == pool_size)
			continue;
		EXPECT_EQ(-ENXIO, kdbus_free(&c, bogus[i]))
			TH_LOG("offset %llu (slice at %llu)",
			       (unsigned long long)bogus[i],
			       (unsigned long long)x);
	}

	/* flags and items are refused, and the slice stays */
	EXPECT_EQ(-EINVAL, free_cmd(&c, x, 1, 0));
	EXPECT_EQ(-EINVAL, free_cmd(&c, x, 1ULL << 62, 0));
	EXPECT_EQ(-EINVAL, free_cmd(&c, x, 0, KDBUS_ITEM_ID));
	EXPECT_EQ(-EINVAL, free_cmd(&c, x, 0, KDBUS_ITEM_ATTACH_FLAGS_SEND));
	EXPECT_EQ(c.id, info->id);

	/* the empty slice is always free */
	EXPECT_EQ(0, kdbus_free(&c, pool_size));
	EXPECT_EQ(0, kdbus_free(&c, pool_size));

	/* a real slice exactly once */
	EXPECT_EQ(0, kdbus_free(&c, x));
	EXPECT_EQ(-ENXIO, kdbus_free(&c, x));

	/* several slices, freed out of order */
	x = info_slice(&c, c.id);
	y = info_slice(&c, c.id);
	z = info_slice(&c, c.id);
	ASSERT_NE(~0ULL, x);
	ASSERT_NE(~0ULL, y);
	ASSERT_NE(~0ULL, z);
	EXPECT_NE(x, y);
	EXPECT_NE(y, z);
	EXPECT_NE(x, z);
	EXPECT_EQ(0, kdbus_free(&c, y));
	EXPECT_EQ(-ENXIO, kdbus_free(&c, y));
	EXPECT_EQ(-ENXIO, kdbus_free(&c, x + 8));
	EXPECT_EQ(c.id, kdbus_pool_info(&c, x)->id);
	EXPECT_EQ(c.id, kdbus_pool_info(&c, z)->id);
	EXPECT_EQ(0, kdbus_free(&c, z));
	EXPECT_EQ(0, kdbus_free(&c, x));
	EXPECT_EQ(-ENXIO, kdbus_free(&c, x));
	EXPECT_EQ(-ENXIO, kdbus_free(&c, z));
	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* BYEBYE                                                              */
/* ------------------------------------------------------------------ */

TEST_F(conn, byebye_empty_queue)
{
	struct kdbus_conn c, peer;
	struct kdbus_info *info;
	__u64 x;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&peer, &self->dom, self->bus, NULL, 0));
	x = info_slice(&c, peer.id);
	ASSERT_NE(~0ULL, x);
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(c.fd));

	ASSERT_EQ(0, kdbus_byebye(&c));

	/* the handle is dead: every connection ioctl, BYEBYE included */
	EXPECT_EQ(0, conn_cmds_expect(c.fd, -ECONNRESET, "a dead connection"));
	EXPECT_EQ(-ECONNRESET, kdbus_byebye(&c));
	EXPECT_EQ(-ECONNRESET, kdbus_free(&c, x));
	EXPECT_EQ(-ECONNRESET, kdbus_free(&c, c.pool_size));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(c.fd));
	/* it is still a CONNECTED handle */
	EXPECT_EQ(-EBADFD, hello_plain(c.fd, 0));

	/* its unfreed slice is still readable */
	info = kdbus_pool_info(&c, x);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(peer.id, info->id);
	EXPECT_EQ(0ULL, info->flags);

	/* the others do not find it any more */
	EXPECT_EQ(-ENXIO, conn_info_flags(&peer, c.id, NULL));
	EXPECT_EQ(-ENXIO, send_to(&peer, c.id, 1, "x", 1));
	EXPECT_EQ(0, conn_info_flags(&peer, peer.id, NULL));

	kdbus_conn_free(&peer);
	kdbus_conn_free(&c);
}

TEST_F(conn, byebye_queued_message)
{
	struct kdbus_conn c, peer;
	struct kdbus_cmd *cmd;
	struct kdbus_msg *msg;
	char buf[16];

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&peer, &self->dom, self->bus, NULL, 0));

	/* a failing BYEBYE changes nothing */
	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = 1;
	EXPECT_EQ(-EINVAL, ioctl_release(c.fd, KDBUS_CMD_BYEBYE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_SEND, 0);
	EXPECT_EQ(-EINVAL, ioctl_release(c.fd, KDBUS_CMD_BYEBYE, cmd));
	EXPECT_EQ(0, conn_info_flags(&peer, c.id, NULL));

	ASSERT_EQ(0, send_to(&peer, c.id, 11, "first", 6));
	EXPECT_EQ(-EBUSY, kdbus_byebye(&c));
	EXPECT_EQ(-EBUSY, kdbus_byebye(&c));

	/* the connection still works, both ways */
	EXPECT_EQ(0, conn_info_flags(&peer, c.id, NULL));
	EXPECT_EQ(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM,
		  poll_now(c.fd));
	ASSERT_EQ(0, send_to(&peer, c.id, 12, "second", 7));
	ASSERT_EQ(0, send_to(&c, peer.id, 13, "reply", 6));

	ASSERT_EQ(0, kdbus_recv(&c, 0, 0, NULL, &msg));
	ASSERT_NE(NULL, msg);
	EXPECT_EQ(11ULL, msg->cookie);
	EXPECT_EQ(peer.id, msg->src_id);
	EXPECT_EQ(6, kdbus_msg_payload(msg, buf, sizeof(buf)));
	EXPECT_STREQ("first", buf);
	EXPECT_EQ(0, kdbus_free(&c, kdbus_msg_offset(&c, msg)));
	/* one left */
	EXPECT_EQ(-EBUSY, kdbus_byebye(&c));

	ASSERT_EQ(0, kdbus_recv(&c, 0, 0, NULL, &msg));
	ASSERT_NE(NULL, msg);
	EXPECT_EQ(12ULL, msg->cookie);
	EXPECT_EQ(0, kdbus_free(&c, kdbus_msg_offset(&c, msg)));

	ASSERT_EQ(0, kdbus_recv(&peer, 0, 0, NULL, &msg));
	ASSERT_NE(NULL, msg);
	EXPECT_EQ(13ULL, msg->cookie);
	EXPECT_EQ(c.id, msg->src_id);
	EXPECT_EQ(0, kdbus_free(&peer, kdbus_msg_offset(&peer, msg)));

	/* empty now */
	EXPECT_EQ(0, kdbus_byebye(&c));
	EXPECT_EQ(-ENXIO, send_to(&peer, c.id, 14, "late", 5));
	EXPECT_EQ(-ECONNRESET, kdbus_recv(&c, 0, 0, NULL, NULL));

	kdbus_conn_free(&peer);
	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* poll() and disconnection                                            */
/* ------------------------------------------------------------------ */

struct poll_waiter {
	pthread_t thread;
	int fd;
	int revents;		/* result: revents, 0 on timeout, -errno */
};

static void *poll_waiter_fn(void *arg)
{
	struct poll_waiter *w = arg;
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&pfd, 1, WAIT_MS);
	} while (ret < 0 && errno == EINTR);
	w->revents = ret < 0 ? -errno : ret ? pfd.revents : 0;
	return NULL;
}

/* start a thread blocking in poll(POLLIN) on @fd: 0 or -errno */
static int poll_waiter_start(struct poll_waiter *w, int fd)
{
	w->fd = fd;
	w->revents = -EINPROGRESS;
	return -pthread_create(&w->thread, NULL, poll_waiter_fn, w);
}

static int poll_waiter_join(struct poll_waiter *w)
{
	pthread_join(w->thread, NULL);
	return w->revents;
}

TEST_F(conn, poll_states)
{
	const int idle = POLLOUT | POLLWRNORM;
	const int ready = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
	struct kdbus_conn c, peer;
	struct kdbus_msg *msg;
	__u64 offset;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&peer, &self->dom, self->bus, NULL, 0));
	EXPECT_EQ(idle, poll_now(c.fd));
	EXPECT_EQ(idle, poll_now(peer.fd));

	/* a user slice is not a queued message */
	offset = info_slice(&c, peer.id);
	ASSERT_NE(~0ULL, offset);
	EXPECT_EQ(idle, poll_now(c.fd));

	ASSERT_EQ(0, send_to(&peer, c.id, 1, "a", 1));
	EXPECT_EQ(ready, poll_now(c.fd));
	EXPECT_EQ(idle, poll_now(peer.fd));
	ASSERT_EQ(0, send_to(&peer, c.id, 2, "b", 1));
	EXPECT_EQ(ready, poll_now(c.fd));

	/* peeking leaves the message queued */
	ASSERT_EQ(0, kdbus_recv(&c, KDBUS_RECV_PEEK, 0, NULL, &msg));
	EXPECT_EQ(ready, poll_now(c.fd));
	ASSERT_EQ(0, kdbus_recv(&c, 0, 0, NULL, &msg));
	EXPECT_EQ(ready, poll_now(c.fd));
	ASSERT_EQ(0, kdbus_recv(&c, 0, 0, NULL, &msg));
	EXPECT_EQ(2ULL, msg->cookie);
	/* received but not freed: nothing queued any more */
	EXPECT_EQ(idle, poll_now(c.fd));

	ASSERT_EQ(0, kdbus_byebye(&c));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(c.fd));
	EXPECT_EQ(idle, poll_now(peer.fd));
	kdbus_conn_free(&peer);
	kdbus_conn_free(&c);
}

TEST_F(conn, poll_wakeups)
{
	struct kdbus_conn c, peer;
	struct poll_waiter w;
	pid_t pid;
	int status;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&peer, &self->dom, self->bus, NULL, 0));

	/* a message from another process */
	ASSERT_EQ(0, poll_waiter_start(&w, c.fd));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(200 * 1000);
		_exit(send_to(&peer, c.id, 1, "wake", 4) ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(POLLIN, poll_waiter_join(&w));
	ASSERT_EQ(0, kdbus_recv(&c, KDBUS_RECV_DROP, 0, NULL, NULL));

	/* BYEBYE from another thread */
	ASSERT_EQ(0, poll_waiter_start(&w, c.fd));
	usleep(200 * 1000);
	ASSERT_EQ(0, kdbus_byebye(&c));
	EXPECT_EQ(POLLERR | POLLHUP, poll_waiter_join(&w));

	kdbus_conn_free(&peer);
	kdbus_conn_free(&c);
}

TEST_F(conn, bus_owner_close_disconnects)
{
	struct kdbus_conn c, q, e, mon, ph, other;
	struct poll_waiter w;
	struct kdbus_msg *msg;
	char rel[160], name[64];
	__u64 offset;
	int ep, ctl;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&q, &self->dom, self->bus, NULL, 0));
	ep = ep_create(&self->dom, self->bus, 0, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, kdbus_conn_new(&e, &self->dom, NULL, rel, 0));
	ASSERT_EQ(0, kdbus_conn_new(&mon, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));
	ASSERT_EQ(0, kdbus_policy_holder_new(&ph, &self->dom, self->bus,
					     POLICY_NAME, KDBUS_POLICY_SEE));
	/* a bus that stays */
	ctl = kdbus_bus_create(&self->dom, 0, "other", name, sizeof(name));
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, kdbus_conn_new(&other, &self->dom, name, NULL, 0));

	/* q: one message received and kept, one still queued */
	ASSERT_EQ(0, send_to(&c, q.id, 1, "kept", 5));
	ASSERT_EQ(0, send_to(&c, q.id, 2, "queued", 7));
	ASSERT_EQ(0, kdbus_recv(&q, 0, 0, NULL, &msg));
	ASSERT_NE(NULL, msg);
	offset = kdbus_msg_offset(&q, msg);

	ASSERT_EQ(0, poll_waiter_start(&w, c.fd));
	usleep(200 * 1000);
	close(self->owner);
	self->owner = -1;
	EXPECT_EQ(POLLERR | POLLHUP, poll_waiter_join(&w));

	EXPECT_EQ(0, conn_cmds_expect(c.fd, -ECONNRESET, "c"));
	EXPECT_EQ(0, conn_cmds_expect(q.fd, -ECONNRESET, "q"));
	EXPECT_EQ(0, conn_cmds_expect(e.fd, -ECONNRESET, "e"));
	EXPECT_EQ(-ECONNRESET, conn_info_flags(&mon, mon.id, NULL));
	EXPECT_EQ(-ECONNRESET, kdbus_recv(&mon, 0, 0, NULL, NULL));
	EXPECT_EQ(-ECONNRESET, conn_info_flags(&ph, ph.id, NULL));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(c.fd));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(q.fd));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(e.fd));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(mon.fd));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(ph.fd));

	/* what q had received stays readable */
	EXPECT_EQ(1ULL, msg->cookie);
	EXPECT_EQ(c.id, msg->src_id);
	EXPECT_EQ(offset, kdbus_msg_offset(&q, msg));

	/* the other bus is unaffected */
	EXPECT_EQ(0, conn_info_flags(&other, other.id, NULL));
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(other.fd));

	kdbus_conn_free(&other);
	close(ctl);
	kdbus_conn_free(&ph);
	kdbus_conn_free(&mon);
	kdbus_conn_free(&e);
	close(ep);
	kdbus_conn_free(&q);
	kdbus_conn_free(&c);
}

/* closing a custom endpoint disconnects only the connections made on it */
TEST_F(conn, ep_owner_close_disconnects)
{
	struct kdbus_conn c, e;
	char rel[160];
	int ep;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ep = ep_create(&self->dom, self->bus, 0, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, kdbus_conn_new(&e, &self->dom, NULL, rel, 0));
	EXPECT_EQ(0, conn_info_flags(&c, e.id, NULL));

	close(ep);
	EXPECT_EQ(0, conn_cmds_expect(e.fd, -ECONNRESET, "e"));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(e.fd));
	EXPECT_EQ(-ENXIO, conn_info_flags(&c, e.id, NULL));
	EXPECT_EQ(0, conn_info_flags(&c, c.id, NULL));
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(c.fd));
	kdbus_conn_free(&e);
	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* CONN_INFO                                                           */
/* ------------------------------------------------------------------ */

/* number of items in @info; -1 if they do not tile it exactly */
static int info_items(const struct kdbus_info *info)
{
	const struct kdbus_item *item;
	int n = 0;

	KDBUS_ITEM_FOREACH(item, info, items)
		n++;
	if ((const __u8 *)item != (const __u8 *)info + KDBUS_ALIGN8(info->size))
		return -1;
	return n;
}

/*
 * CONN_INFO of @id with @attach by @c; checks the record's id, flags
 * (@flags), that info->size == info_size, and the CONN_DESCRIPTION item
 * (@desc, NULL: none expected). Frees the slice.
 */
static void check_info(struct __test_metadata *_metadata,
		       struct kdbus_conn *c, __u64 id, __u64 attach,
		       __u64 flags, const char *desc)
{
	const struct kdbus_item *item;
	struct kdbus_info *info;
	__u64 offset, size;

	ASSERT_EQ(0, kdbus_conn_info(c, id, NULL, attach, &offset, &size));
	info = kdbus_pool_info(c, offset);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(0ULL, offset % 8);
	EXPECT_LE(offset + size, c->pool_size);
	EXPECT_EQ(size, info->size);
	EXPECT_EQ(id, info->id);
	EXPECT_EQ(flags, info->flags);
	EXPECT_LE(0, info_items(info));
	item = kdbus_info_find(info, KDBUS_ITEM_CONN_DESCRIPTION);
	if (desc) {
		ASSERT_NE(NULL, item)
			TH_LOG("no description (attach 0x%llx)",
			       (unsigned long long)attach);
		EXPECT_EQ(KDBUS_ITEM_HEADER_SIZE + strlen(desc) + 1,
			  item->size);
		EXPECT_STREQ(desc, item->str);
	} else {
		EXPECT_EQ(NULL, item)
			TH_LOG("unexpected description \"%s\"", item->str);
	}
	/* no metadata asked: a bare record */
	if (!attach) {
		EXPECT_EQ((__u64)sizeof(*info), info->size);
		EXPECT_EQ(0, info_items(info));
	}
	EXPECT_EQ(0, kdbus_free(c, offset));
}

TEST_F(conn, conn_info_fields)
{
	const __u64 cd = KDBUS_ATTACH_CONN_DESCRIPTION;
	struct kdbus_cmd_hello *hello;
	struct kdbus_conn a, b, d;
	struct kdbus_cmd_info *cmd;
	struct kdbus_info *info;
	const char *desc_a;
	__u64 mask, offset, size;
	int fd;

	ASSERT_EQ(0, kdbus_attach_mask(&mask))
		TH_LOG("module parameter attach_flags_mask is missing");
	desc_a = (mask & cd) ? "alpha-1" : NULL;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&a, fd, KDBUS_HELLO_ACCEPT_FD, 0,
				 "alpha-1"));
	ASSERT_EQ(0, kdbus_conn_new(&b, &self->dom, self->bus, NULL, 0));
	/* d has a description but does not share it */
	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	hello = kdbus_hello_args(0, 0, "delta");
	hello->attach_flags_send = 0;
	ASSERT_EQ(0, kdbus_hello_cmd(&d, fd, hello));
	kdbus_args_release(hello);

	/* the record: id and flags of the target */
	check_info(_metadata, &b, a.id, 0, KDBUS_HELLO_ACCEPT_FD, NULL);
	check_info(_metadata, &b, b.id, 0, 0, NULL);
	check_info(_metadata, &a, b.id, 0, 0, NULL);
	check_info(_metadata, &a, a.id, 0, KDBUS_HELLO_ACCEPT_FD, NULL);
	/* the description only when asked, given and shared */
	check_info(_metadata, &b, a.id, cd, KDBUS_HELLO_ACCEPT_FD, desc_a);
	check_info(_metadata, &a, a.id, cd, KDBUS_HELLO_ACCEPT_FD, desc_a);
	check_info(_metadata, &b, a.id, ~0ULL, KDBUS_HELLO_ACCEPT_FD, desc_a);
	check_info(_metadata, &b, a.id, _KDBUS_ATTACH_ALL & ~cd,
		   KDBUS_HELLO_ACCEPT_FD, NULL);
	check_info(_metadata, &a, b.id, cd, 0, NULL);
	check_info(_metadata, &a, b.id, ~0ULL, 0, NULL);
	check_info(_metadata, &a, d.id, cd, 0, NULL);
	check_info(_metadata, &d, d.id, ~0ULL, 0, NULL);

	/* exact sizes with the description */
	if (desc_a) {
		ASSERT_EQ(0, kdbus_conn_info(&b, a.id, NULL, cd, &offset,
					     &size));
		EXPECT_EQ(sizeof(struct kdbus_info) +
			  KDBUS_ITEM_SIZE(strlen(desc_a) + 1), size);
		EXPECT_EQ(1, info_items(kdbus_pool_info(&b, offset)));
		EXPECT_EQ(0, kdbus_free(&b, offset));
	}

	/* output fields of the command */
	cmd = info_args(a.id, cd);
	cmd->return_flags = ~0ULL;
	cmd->offset = ~0ULL;
	cmd->info_size = ~0ULL;
	ASSERT_EQ(0, kdbus_ioctl(b.fd, KDBUS_CMD_CONN_INFO, cmd));
	EXPECT_EQ(0ULL, cmd->return_flags);
	EXPECT_EQ(a.id, cmd->id);
	EXPECT_EQ(cd, cmd->attach_flags);
	ASSERT_LT(cmd->offset, b.pool_size);
	info = kdbus_pool_info(&b, cmd->offset);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(cmd->info_size, info->size);
	EXPECT_EQ(a.id, info->id);
	EXPECT_EQ(0, kdbus_free(&b, cmd->offset));
	kdbus_args_release(cmd);

	kdbus_conn_free(&d);
	kdbus_conn_free(&b);
	kdbus_conn_free(&a);
}

/* CONN_INFO with @cmd by @c, @cmd released: 0 (slice freed) or -errno */
static int conn_info_raw(struct kdbus_conn *c, struct kdbus_cmd_info *cmd)
{
	int ret = kdbus_ioctl(c->fd, KDBUS_CMD_CONN_INFO, cmd);

	if (!ret)
		kdbus_free(c, cmd->offset);
	kdbus_args_release(cmd);
	return ret;
}

TEST_F(conn, conn_info_errors)
{
	struct kdbus_conn c, gone, ph;
	struct kdbus_cmd_info *cmd;
	struct kdbus_info *info;
	__u64 offset, size, bus_id, gone_id;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&gone, &self->dom, self->bus, NULL, 0));
	gone_id = gone.id;
	kdbus_conn_free(&gone);

	/* unknown ids */
	EXPECT_EQ(-ENXIO, conn_info_flags(&c, gone_id, NULL));
	EXPECT_EQ(-ENXIO, conn_info_flags(&c, c.id + 1000, NULL));
	EXPECT_EQ(-ENXIO, conn_info_flags(&c, ~0ULL, NULL));
	/* a bus id is not a connection id */
	ASSERT_EQ(0, kdbus_bus_creator_info(&c, 0, &offset, &size));
	info = kdbus_pool_info(&c, offset);
	ASSERT_NE(NULL, info);
	bus_id = info->id;
	EXPECT_EQ(0, kdbus_free(&c, offset));
	EXPECT_EQ(-ENXIO, conn_info_flags(&c, bus_id, NULL));

	/* neither id nor name */
	EXPECT_EQ(-EINVAL, conn_info_raw(&c, info_args(0, 0)));
	EXPECT_EQ(-EINVAL, conn_info_raw(&c, info_args(0, ~0ULL)));

	/* attach flags are sanitised */
	EXPECT_EQ(-EINVAL, conn_info_raw(&c, info_args(c.id, 1ULL << 14)));
	EXPECT_EQ(-EINVAL, conn_info_raw(&c, info_args(c.id, 1ULL << 63)));
	EXPECT_EQ(-EINVAL, conn_info_raw(&c, info_args(c.id, ~0ULL - 1)));
	EXPECT_EQ(0, conn_info_raw(&c, info_args(c.id, ~0ULL)));
	EXPECT_EQ(0, conn_info_raw(&c, info_args(c.id, _KDBUS_ATTACH_ALL)));

	/* no flags */
	cmd = info_args(c.id, 0);
	cmd->flags = 1;
	EXPECT_EQ(-EINVAL, conn_info_raw(&c, cmd));

	/* names: not registered */
	cmd = info_args(0, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "com.example.none");
	EXPECT_EQ(-ESRCH, conn_info_raw(&c, cmd));
	cmd = info_args(c.id, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "com.example.none");
	EXPECT_EQ(-ESRCH, conn_info_raw(&c, cmd));
	/* a policy holder's name is not registered either */
	ASSERT_EQ(0, kdbus_policy_holder_new(&ph, &self->dom, self->bus,
					     POLICY_NAME, KDBUS_POLICY_SEE));
	cmd = info_args(0, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, POLICY_NAME);
	EXPECT_EQ(-ESRCH, conn_info_raw(&c, cmd));
	kdbus_conn_free(&ph);
	/* malformed items */
	cmd = info_args(0, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "com.example.none");
	cmd->items[0].size--;
	EXPECT_EQ(-EINVAL, conn_info_raw(&c, cmd));
	cmd = info_args(c.id, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, "com.example.none");
	EXPECT_EQ(-EINVAL, conn_info_raw(&c, cmd));
	cmd = info_args(c.id, 0);
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ID, c.id);
	EXPECT_EQ(-EINVAL, conn_info_raw(&c, cmd));

	/* none of it hurt */
	EXPECT_EQ(0, conn_info_flags(&c, c.id, NULL));
	kdbus_conn_free(&c);
}

/* every kind of connection can be queried by id and can query */
TEST_F(conn, conn_info_kinds)
{
	const __u64 mon_flags = KDBUS_HELLO_MONITOR | KDBUS_HELLO_ACCEPT_FD;
	struct kdbus_conn c, m, ph;
	struct kdbus_info *info;
	__u64 offset, size;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&m, &self->dom, self->bus, NULL,
				    mon_flags));
	ASSERT_EQ(0, kdbus_policy_holder_new(&ph, &self->dom, self->bus,
					     POLICY_NAME, KDBUS_POLICY_SEE));

	check_info(_metadata, &c, m.id, 0, mon_flags, NULL);
	check_info(_metadata, &c, ph.id, 0, KDBUS_HELLO_POLICY_HOLDER, NULL);
	check_info(_metadata, &m, m.id, 0, mon_flags, NULL);
	check_info(_metadata, &m, c.id, 0, 0, NULL);
	check_info(_metadata, &m, ph.id, 0, KDBUS_HELLO_POLICY_HOLDER, NULL);
	/* a policy holder cannot FREE: look, do not free */
	ASSERT_EQ(0, kdbus_conn_info(&ph, m.id, NULL, 0, &offset, &size));
	info = kdbus_pool_info(&ph, offset);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(m.id, info->id);
	EXPECT_EQ(mon_flags, info->flags);
	EXPECT_EQ(size, info->size);
	kdbus_conn_free(&ph);
	kdbus_conn_free(&m);
	kdbus_conn_free(&c);
}

static int cmp_u64(const void *a, const void *b)
{
	const __u64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* a one-page pool that is never freed fills up: EXFULL */
TEST_F(conn, conn_info_exfull)
{
	const __u64 page = page_size();
	const unsigned int max = page / sizeof(struct kdbus_info);
	struct kdbus_conn c, peer;
	struct kdbus_info *info;
	__u64 *offs, offset, size;
	unsigned int i, n;
	int fd, ret = 0;

	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&c, fd, 0, page, NULL));
	ASSERT_EQ(0, kdbus_conn_new(&peer, &self->dom, self->bus, NULL, 0));
	offs = calloc(max + 1, sizeof(*offs));
	ASSERT_NE(NULL, offs);

	/* each result is a bare 24-byte record */
	for (n = 0; n <= max; n++) {
		ret = kdbus_conn_info(&c, peer.id, NULL, 0, &offset, &size);
		if (ret < 0)
			break;
		ASSERT_EQ((__u64)sizeof(*info), size);
		ASSERT_LE(offset + size, page);
		info = kdbus_pool_info(&c, offset);
		ASSERT_NE(NULL, info);
		EXPECT_EQ(peer.id, info->id);
		offs[n] = offset;
	}
	EXPECT_EQ(-EXFULL, ret);
	EXPECT_LT(0U, n);
	EXPECT_GE(max, n);
	TH_LOG("%u results of %zu bytes fit into one page", n, sizeof(*info));

	/* the slices do not overlap, and all records are intact */
	qsort(offs, n, sizeof(*offs), cmp_u64);
	for (i = 0; i + 1 < n; i++)
		EXPECT_LE(offs[i] + sizeof(*info), offs[i + 1]);
	for (i = 0; i < n; i++)
		EXPECT_EQ(peer.id, kdbus_pool_info(&c, offs[i])->id);

	/* still full: other owner results fail the same way */
	EXPECT_EQ(-EXFULL, kdbus_conn_info(&c, c.id, NULL, 0, &offset,
					   &size));
	EXPECT_EQ(-EXFULL, kdbus_bus_creator_info(&c, 0, &offset, &size));
	/* the connection itself is fine */
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(c.fd));
	EXPECT_EQ(0, conn_info_flags(&peer, c.id, NULL));

	/* one FREE makes room for one more */
	if (n) {
		ASSERT_EQ(0, kdbus_free(&c, offs[n / 2]));
		ASSERT_EQ(0, kdbus_conn_info(&c, c.id, NULL, 0, &offset,
					     &size));
		EXPECT_EQ(c.id, kdbus_pool_info(&c, offset)->id);
		offs[n / 2] = offset;
	}
	/* everything freed: the bigger BUS_CREATOR_INFO record fits */
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, kdbus_free(&c, offs[i]));
	ASSERT_EQ(0, kdbus_bus_creator_info(&c, 0, &offset, &size));
	EXPECT_EQ(0, kdbus_free(&c, offset));

	free(offs);
	kdbus_conn_free(&peer);
	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* BUS_CREATOR_INFO                                                    */
/* ------------------------------------------------------------------ */

/*
 * BUS_CREATOR_INFO by @c with @attach: checks the record against bus
 * @name made with @flags (@bare: the name must be the only item) and
 * returns its id. Frees the slice.
 */
static __u64 check_creator_info(struct __test_metadata *_metadata,
				struct kdbus_conn *c, __u64 attach,
				const char *name, __u64 flags, bool bare)
{
	const struct kdbus_item *item;
	struct kdbus_info *info;
	__u64 offset, size, id;

	ASSERT_EQ(0, kdbus_bus_creator_info(c, attach, &offset, &size));
	info = kdbus_pool_info(c, offset);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(size, info->size);
	EXPECT_EQ(flags, info->flags);
	EXPECT_LE(1, info_items(info));
	item = info->items;
	EXPECT_EQ((__u64)KDBUS_ITEM_MAKE_NAME, item->type);
	EXPECT_EQ(KDBUS_ITEM_HEADER_SIZE + strlen(name) + 1, item->size);
	EXPECT_STREQ(name, item->str);
	EXPECT_EQ(NULL, kdbus_info_find(info, KDBUS_ITEM_TIMESTAMP));
	EXPECT_EQ(NULL, kdbus_info_find(info, KDBUS_ITEM_OWNED_NAME));
	EXPECT_EQ(NULL, kdbus_info_find(info, KDBUS_ITEM_CONN_DESCRIPTION));
	/* nothing asked, or nothing shared: the name only */
	if (bare) {
		EXPECT_EQ(sizeof(*info) + KDBUS_ITEM_SIZE(strlen(name) + 1),
			  info->size);
		EXPECT_EQ(1, info_items(info));
	}
	id = info->id;
	EXPECT_EQ(0, kdbus_free(c, offset));
	return id;
}

TEST_F(conn, bus_creator_info)
{
	const __u64 all = ~0ULL;
	struct kdbus_conn c, c2, d, d2, e;
	char name[64], name2[64], rel[160];
	__u64 bus_id, bus2_id, id;
	int ctl, ctl2, ep;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_ACCEPT_FD));
	ASSERT_EQ(0, kdbus_conn_new(&c2, &self->dom, self->bus, NULL, 0));
	bus_id = check_creator_info(_metadata, &c, 0, self->bus,
				    KDBUS_MAKE_ACCESS_WORLD, true);
	/* from the domain counter: made before its connections */
	EXPECT_NE(0ULL, bus_id);
	EXPECT_LT(bus_id, c.id);
	EXPECT_EQ(bus_id, check_creator_info(_metadata, &c2, 0, self->bus,
					     KDBUS_MAKE_ACCESS_WORLD, true));
	/* made without ATTACH_FLAGS_SEND: the name only, whatever asked */
	EXPECT_EQ(bus_id, check_creator_info(_metadata, &c, all, self->bus,
					     KDBUS_MAKE_ACCESS_WORLD, true));

	/* a custom endpoint reports the same bus */
	ep = ep_create(&self->dom, self->bus, 0, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, kdbus_conn_new(&e, &self->dom, NULL, rel, 0));
	EXPECT_EQ(bus_id, check_creator_info(_metadata, &e, 0, self->bus,
					     KDBUS_MAKE_ACCESS_WORLD, true));

	/* a second bus, made later, private, sharing its metadata */
	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	kdbus_name(name, sizeof(name), "second");
	ASSERT_EQ(0, kdbus_bus_make_attach(ctl, 0, name, 64, 1, &all, NULL));
	ASSERT_EQ(0, kdbus_conn_new(&d, &self->dom, name, NULL, 0));
	bus2_id = check_creator_info(_metadata, &d, 0, name, 0, true);
	EXPECT_LT(c2.id, bus2_id);
	EXPECT_LT(bus2_id, d.id);
	id = check_creator_info(_metadata, &d, all, name, 0, false);
	EXPECT_EQ(bus2_id, id);

	/* and a group bus */
	ctl2 = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl2);
	kdbus_name(name2, sizeof(name2), "third");
	ASSERT_EQ(0, kdbus_bus_make(ctl2, KDBUS_MAKE_ACCESS_GROUP, name2, 64,
				    1));
	ASSERT_EQ(0, kdbus_conn_new(&d2, &self->dom, name2, NULL, 0));
	id = check_creator_info(_metadata, &d2, 0, name2,
				KDBUS_MAKE_ACCESS_GROUP, true);
	EXPECT_LT(d.id, id);
	EXPECT_NE(bus2_id, id);

	kdbus_conn_free(&d2);
	close(ctl2);
	kdbus_conn_free(&d);
	close(ctl);
	kdbus_conn_free(&e);
	close(ep);
	kdbus_conn_free(&c2);
	kdbus_conn_free(&c);
}

/* BUS_CREATOR_INFO with @cmd by @c, @cmd released: 0 or -errno */
static int creator_info_raw(struct kdbus_conn *c, struct kdbus_cmd_info *cmd)
{
	int ret = kdbus_ioctl(c->fd, KDBUS_CMD_BUS_CREATOR_INFO, cmd);

	if (!ret)
		kdbus_free(c, cmd->offset);
	kdbus_args_release(cmd);
	return ret;
}

TEST_F(conn, bus_creator_info_args)
{
	static const __u64 neg_in[] = {
		KDBUS_ITEM_NEGOTIATE, KDBUS_ITEM_NAME, KDBUS_ITEM_MAKE_NAME,
		KDBUS_ITEM_ATTACH_FLAGS_SEND,
	};
	struct kdbus_cmd_info *cmd;
	struct kdbus_item *item;
	struct kdbus_info *info;
	struct kdbus_conn c;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));

	/* no items but NEGOTIATE */
	cmd = info_args(0, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, POLICY_NAME);
	EXPECT_EQ(-EINVAL, creator_info_raw(&c, cmd));
	cmd = info_args(0, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->bus);
	EXPECT_EQ(-EINVAL, creator_info_raw(&c, cmd));
	cmd = info_args(0, 0);
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ID, c.id);
	EXPECT_EQ(-EINVAL, creator_info_raw(&c, cmd));
	cmd = info_args(0, 0);
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_SEND, 0);
	EXPECT_EQ(-EINVAL, creator_info_raw(&c, cmd));
	/* unknown attach bits and flags */
	EXPECT_EQ(-EINVAL, creator_info_raw(&c, info_args(0, 1ULL << 14)));
	EXPECT_EQ(-EINVAL, creator_info_raw(&c, info_args(0, 1ULL << 63)));
	cmd = info_args(0, 0);
	cmd->flags = 1;
	EXPECT_EQ(-EINVAL, creator_info_raw(&c, cmd));

	/* the id field is not used */
	cmd = info_args(12345, 0);
	cmd->return_flags = ~0ULL;
	ASSERT_EQ(0, kdbus_ioctl(c.fd, KDBUS_CMD_BUS_CREATOR_INFO, cmd));
	EXPECT_EQ(0ULL, cmd->return_flags);
	EXPECT_EQ(12345ULL, cmd->id);
	info = kdbus_pool_info(&c, cmd->offset);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(cmd->info_size, info->size);
	EXPECT_LT(info->id, c.id);
	EXPECT_STREQ(self->bus, info->items[0].str);
	EXPECT_EQ(0, kdbus_free(&c, cmd->offset));
	kdbus_args_release(cmd);

	/* a NEGOTIATE item is accepted and answered */
	cmd = info_args(0, 0);
	item = kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, neg_in,
			      sizeof(neg_in));
	ASSERT_EQ(0, kdbus_ioctl(c.fd, KDBUS_CMD_BUS_CREATOR_INFO, cmd));
	EXPECT_EQ((__u64)KDBUS_ITEM_NEGOTIATE, item->data64[0]);
	EXPECT_EQ(0ULL, item->data64[1]);
	EXPECT_EQ(0ULL, item->data64[2]);
	EXPECT_EQ(0ULL, item->data64[3]);
	EXPECT_EQ(0, kdbus_free(&c, cmd->offset));
	kdbus_args_release(cmd);

	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* what each kind of connection may do (contract 4.1)                  */
/* ------------------------------------------------------------------ */

/* @cmd with a kdbus_cmd carrying one NAME item: 0 or -errno */
static int name_cmd(struct kdbus_conn *c, unsigned long cmd, __u64 flags)
{
	struct kdbus_cmd *args = kdbus_args_new(sizeof(*args));

	args->flags = flags;
	kdbus_args_add_str(args, KDBUS_ITEM_NAME, "com.example.kind");
	return ioctl_release(c->fd, cmd, args);
}

/* @cmd with a kdbus_cmd_match for cookie 1 and no rules: 0 or -errno */
static int match_cmd(struct kdbus_conn *c, unsigned long cmd)
{
	struct kdbus_cmd_match *args = kdbus_args_new(sizeof(*args));

	args->cookie = 1;
	return ioctl_release(c->fd, cmd, args);
}

/* a command with @flags and no items: 0 or -errno */
static int flags_cmd(struct kdbus_conn *c, unsigned long cmd, __u64 flags)
{
	void *args = kdbus_args_new(_IOC_SIZE(cmd));

	((struct kdbus_cmd *)args)->flags = flags;
	return ioctl_release(c->fd, cmd, args);
}

TEST_F(conn, monitor_operations)
{
	const __u64 all = ~0ULL, none = 0;
	struct kdbus_conn c, m;
	struct kdbus_cmd_recv recv;
	__u64 offset, size;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&m, &self->dom, self->bus, NULL,
				    KDBUS_HELLO_MONITOR));

	/* refused */
	EXPECT_EQ(-EOPNOTSUPP, send_to(&m, c.id, 1, "x", 1));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_byebye(&m));
	/* (before the argument is looked at) */
	EXPECT_EQ(-EOPNOTSUPP, flags_cmd(&m, KDBUS_CMD_BYEBYE, 1ULL << 40));
	EXPECT_EQ(-EOPNOTSUPP, name_cmd(&m, KDBUS_CMD_NAME_ACQUIRE, 0));
	EXPECT_EQ(-EOPNOTSUPP, name_cmd(&m, KDBUS_CMD_NAME_RELEASE, 0));
	EXPECT_EQ(-EOPNOTSUPP, match_cmd(&m, KDBUS_CMD_MATCH_ADD));
	EXPECT_EQ(-EOPNOTSUPP, match_cmd(&m, KDBUS_CMD_MATCH_REMOVE));

	/* allowed */
	EXPECT_EQ(-EAGAIN, kdbus_recv(&m, 0, 0, &recv, NULL));
	EXPECT_EQ(0ULL, recv.dropped_msgs);
	EXPECT_EQ(0, kdbus_free(&m, m.pool_size));
	EXPECT_EQ(-ENXIO, kdbus_free(&m, 0));
	EXPECT_EQ(0, conn_info_flags(&m, c.id, NULL));
	ASSERT_EQ(0, kdbus_bus_creator_info(&m, 0, &offset, &size));
	EXPECT_EQ(0, kdbus_free(&m, offset));
	EXPECT_EQ(0, kdbus_update_attach(&m, &all, &all));
	EXPECT_EQ(0, kdbus_update_attach(&m, &none, &none));
	EXPECT_EQ(0, kdbus_update_attach(&m, NULL, NULL));

	/* not addressable, and still alive */
	EXPECT_EQ(-ENXIO, send_to(&c, m.id, 2, "y", 1));
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(m.fd));
	kdbus_conn_free(&m);
	kdbus_conn_free(&c);
}

TEST_F(conn, policy_holder_operations)
{
	const __u64 all = ~0ULL;
	struct kdbus_conn c, ph;
	struct kdbus_info *info;
	__u64 offset, size;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_policy_holder_new(&ph, &self->dom, self->bus,
					     POLICY_NAME, KDBUS_POLICY_SEE));

	/* refused, before the argument is looked at */
	EXPECT_EQ(-EOPNOTSUPP, kdbus_recv(&ph, 0, 0, NULL, NULL));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_recv(&ph, 1ULL << 40, 0, NULL, NULL));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_free(&ph, ph.pool_size));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_free(&ph, 0));
	EXPECT_EQ(-EOPNOTSUPP, free_cmd(&ph, 0, 1, 0));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_update_attach(&ph, NULL, &all));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_update_attach(&ph, &all, NULL));
	EXPECT_EQ(-EOPNOTSUPP, send_to(&ph, c.id, 1, "x", 1));
	EXPECT_EQ(-EOPNOTSUPP, kdbus_byebye(&ph));
	EXPECT_EQ(-EOPNOTSUPP, name_cmd(&ph, KDBUS_CMD_NAME_ACQUIRE, 0));
	EXPECT_EQ(-EOPNOTSUPP, match_cmd(&ph, KDBUS_CMD_MATCH_ADD));

	/* allowed (the results cannot be freed) */
	ASSERT_EQ(0, kdbus_conn_info(&ph, c.id, NULL, 0, &offset, &size));
	info = kdbus_pool_info(&ph, offset);
	ASSERT_NE(NULL, info);
	EXPECT_EQ(c.id, info->id);
	ASSERT_EQ(0, kdbus_bus_creator_info(&ph, 0, &offset, &size));
	info = kdbus_pool_info(&ph, offset);
	ASSERT_NE(NULL, info);
	EXPECT_STREQ(self->bus, info->items[0].str);
	EXPECT_EQ(0, kdbus_update_attach(&ph, NULL, NULL));

	/* not addressable, and still alive */
	EXPECT_EQ(-ENXIO, send_to(&c, ph.id, 2, "y", 1));
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(ph.fd));
	check_info(_metadata, &c, ph.id, 0, KDBUS_HELLO_POLICY_HOLDER, NULL);
	kdbus_conn_free(&ph);
	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* UPDATE                                                              */
/* ------------------------------------------------------------------ */

/* UPDATE with @cmd by @c, @cmd released: 0 or -errno */
static int update_raw(struct kdbus_conn *c, struct kdbus_cmd *cmd)
{
	return ioctl_release(c->fd, KDBUS_CMD_UPDATE, cmd);
}

TEST_F(conn, update_attach_flags)
{
	const __u64 cd = KDBUS_ATTACH_CONN_DESCRIPTION;
	const __u64 all = ~0ULL, none = 0, bad = 1ULL << 14;
	const __u64 bad_any = ~0ULL - 1;
	struct kdbus_conn c, p;
	struct kdbus_cmd *cmd;
	const char *desc;
	__u64 mask;
	int fd;

	ASSERT_EQ(0, kdbus_attach_mask(&mask))
		TH_LOG("module parameter attach_flags_mask is missing");
	desc = (mask & cd) ? "upd" : NULL;
	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&c, fd, 0, 0, "upd"));
	ASSERT_EQ(0, kdbus_conn_new(&p, &self->dom, self->bus, NULL, 0));

	/* valid masks, no items */
	EXPECT_EQ(0, kdbus_update_attach(&c, NULL, NULL));
	EXPECT_EQ(0, kdbus_update_attach(&c, &all, &all));
	EXPECT_EQ(0, kdbus_update_attach(&c, &none, &none));
	EXPECT_EQ(0, kdbus_update_attach(&c, NULL, &all));
	/* unknown bits */
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, &bad, NULL));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, NULL, &bad));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, &bad_any, NULL));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, NULL, &bad_any));
	/* no flags */
	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = 1;
	EXPECT_EQ(-EINVAL, update_raw(&c, cmd));
	/* policy items are for policy holders */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, POLICY_NAME);
	EXPECT_EQ(-EOPNOTSUPP, update_raw(&c, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, POLICY_NAME);
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_WORLD,
			      KDBUS_POLICY_TALK, 0);
	EXPECT_EQ(-EOPNOTSUPP, update_raw(&c, cmd));
	/* other item types are not accepted */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_CONN_DESCRIPTION, "other");
	EXPECT_EQ(-EINVAL, update_raw(&c, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ID, 1);
	EXPECT_EQ(-EINVAL, update_raw(&c, cmd));

	/* the send mask decides what CONN_INFO reveals */
	EXPECT_EQ(0, kdbus_update_attach(&c, &all, NULL));
	check_info(_metadata, &p, c.id, cd, 0, desc);
	EXPECT_EQ(0, kdbus_update_attach(&c, &none, NULL));
	check_info(_metadata, &p, c.id, cd, 0, NULL);
	EXPECT_EQ(0, kdbus_update_attach(&c, &cd, NULL));
	check_info(_metadata, &p, c.id, cd, 0, desc);
	/* a failing UPDATE changes nothing */
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&c, &none, &bad));
	check_info(_metadata, &p, c.id, cd, 0, desc);
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_SEND, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, POLICY_NAME);
	EXPECT_EQ(-EOPNOTSUPP, update_raw(&c, cmd));
	check_info(_metadata, &p, c.id, cd, 0, desc);
	/* and an empty one, too */
	EXPECT_EQ(0, kdbus_update_attach(&c, NULL, NULL));
	check_info(_metadata, &p, c.id, cd, 0, desc);

	kdbus_conn_free(&p);
	kdbus_conn_free(&c);
}

/* the send mask must keep covering the bus requirement: EINVAL */
TEST_F(conn, update_bus_attach_requirement)
{
	const __u64 cd = KDBUS_ATTACH_CONN_DESCRIPTION;
	const __u64 req = KDBUS_ATTACH_CREDS;
	const __u64 all = ~0ULL, none = 0, ts = KDBUS_ATTACH_TIMESTAMP;
	const __u64 req_cd = req | cd;
	struct kdbus_conn r, p;
	char name[64];
	const char *desc;
	__u64 mask;
	int ctl, fd;

	ASSERT_EQ(0, kdbus_attach_mask(&mask))
		TH_LOG("module parameter attach_flags_mask is missing");
	desc = (mask & cd) ? "req" : NULL;
	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	kdbus_name(name, sizeof(name), "req");
	ASSERT_EQ(0, kdbus_bus_make_attach(ctl, 0, name, 64, 1, NULL, &req));
	fd = ep_open(&self->dom, name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&r, fd, 0, 0, "req"));
	ASSERT_EQ(0, kdbus_conn_new(&p, &self->dom, name, NULL, 0));

	EXPECT_EQ(-EINVAL, kdbus_update_attach(&r, &none, NULL));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&r, &ts, NULL));
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&r, &cd, &all));
	/* unchanged: still ~0 */
	check_info(_metadata, &p, r.id, cd, 0, desc);
	/* the receive mask is free */
	EXPECT_EQ(0, kdbus_update_attach(&r, NULL, &none));
	EXPECT_EQ(0, kdbus_update_attach(&r, &req, NULL));
	check_info(_metadata, &p, r.id, cd, 0, NULL);
	EXPECT_EQ(-EINVAL, kdbus_update_attach(&r, &none, NULL));
	check_info(_metadata, &p, r.id, cd, 0, NULL);
	EXPECT_EQ(0, kdbus_update_attach(&r, &req_cd, NULL));
	check_info(_metadata, &p, r.id, cd, 0, desc);
	EXPECT_EQ(0, kdbus_update_attach(&r, &all, NULL));

	kdbus_conn_free(&p);
	kdbus_conn_free(&r);
	close(ctl);
}

/* ------------------------------------------------------------------ */
/* negotiation of the connection commands                              */
/* ------------------------------------------------------------------ */

static const __u64 update_negotiate_in[] = {
	KDBUS_ITEM_ATTACH_FLAGS_SEND, KDBUS_ITEM_ATTACH_FLAGS_RECV,
	KDBUS_ITEM_NAME, KDBUS_ITEM_POLICY_ACCESS, KDBUS_ITEM_NEGOTIATE,
	KDBUS_ITEM_CONN_DESCRIPTION, KDBUS_ITEM_ID, KDBUS_ITEM_CREDS,
};

static const __u64 update_negotiate_out[] = {
	KDBUS_ITEM_ATTACH_FLAGS_SEND, KDBUS_ITEM_ATTACH_FLAGS_RECV,
	KDBUS_ITEM_NAME, KDBUS_ITEM_POLICY_ACCESS, KDBUS_ITEM_NEGOTIATE,
	0, 0, 0,
};

TEST_F(conn, negotiate_connection_commands)
{
	static const unsigned long cmds[] = {
		KDBUS_CMD_UPDATE, KDBUS_CMD_BYEBYE, KDBUS_CMD_FREE,
		KDBUS_CMD_CONN_INFO, KDBUS_CMD_BUS_CREATOR_INFO,
	};
	const __u64 cd = KDBUS_ATTACH_CONN_DESCRIPTION;
	struct kdbus_cmd_free *free_args;
	struct kdbus_cmd_info *info;
	struct kdbus_conn c, p;
	struct kdbus_item *item;
	struct kdbus_cmd *cmd;
	const char *desc;
	unsigned int i;
	__u64 mask, x;
	int fd;

	ASSERT_EQ(0, kdbus_attach_mask(&mask))
		TH_LOG("module parameter attach_flags_mask is missing");
	desc = (mask & cd) ? "neg" : NULL;
	fd = ep_open(&self->dom, self->bus);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kdbus_hello(&c, fd, 0, 0, "neg"));
	ASSERT_EQ(0, kdbus_conn_new(&p, &self->dom, self->bus, NULL, 0));

	/* none of them has flags: the mask is 0 */
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		void *args = kdbus_args_new(_IOC_SIZE(cmds[i]));
		struct kdbus_cmd *hdr = args;

		hdr->flags = KDBUS_FLAG_NEGOTIATE;
		if (cmds[i] == KDBUS_CMD_CONN_INFO)
			((struct kdbus_cmd_info *)args)->id = c.id;
		EXPECT_EQ(0, kdbus_ioctl(c.fd, cmds[i], args))
			TH_LOG("%s", kdbus_cmd_name(cmds[i]));
		EXPECT_EQ(0ULL, hdr->flags)
			TH_LOG("%s", kdbus_cmd_name(cmds[i]));
		kdbus_args_release(args);
		EXPECT_EQ(-EINVAL, flags_cmd(&c, cmds[i],
					     KDBUS_FLAG_NEGOTIATE | 1))
			TH_LOG("%s", kdbus_cmd_name(cmds[i]));
	}

	/* and they did nothing: BYEBYE did not disconnect */
	EXPECT_EQ(POLLOUT | POLLWRNORM, poll_now(c.fd));
	EXPECT_EQ(0, conn_info_flags(&p, c.id, NULL));
	/* FREE did not free */
	x = info_slice(&c, p.id);
	ASSERT_NE(~0ULL, x);
	free_args = kdbus_args_new(sizeof(*free_args));
	free_args->flags = KDBUS_FLAG_NEGOTIATE;
	free_args->offset = x;
	EXPECT_EQ(0, ioctl_release(c.fd, KDBUS_CMD_FREE, free_args));
	EXPECT_EQ(0, kdbus_free(&c, x));
	/* CONN_INFO looked nothing up */
	info = info_args(c.id + 1000, 0);
	info->flags = KDBUS_FLAG_NEGOTIATE;
	info->offset = 0x5a5a;
	EXPECT_EQ(0, kdbus_ioctl(c.fd, KDBUS_CMD_CONN_INFO, info));
	EXPECT_EQ(0x5a5aULL, info->offset);
	kdbus_args_release(info);
	/* UPDATE changed no mask */
	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = KDBUS_FLAG_NEGOTIATE;
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_SEND, 0);
	item = kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, update_negotiate_in,
			      sizeof(update_negotiate_in));
	EXPECT_EQ(0, kdbus_ioctl(c.fd, KDBUS_CMD_UPDATE, cmd));
	EXPECT_EQ(0ULL, cmd->flags);
	for (i = 0; i < ARRAY_SIZE(update_negotiate_in); i++) {
		EXPECT_EQ(update_negotiate_out[i], item->data64[i])
			TH_LOG("entry %u (type 0x%llx)", i,
			       (unsigned long long)update_negotiate_in[i]);
	}
	kdbus_args_release(cmd);
	check_info(_metadata, &p, c.id, cd, 0, desc);

	kdbus_conn_free(&p);
	kdbus_conn_free(&c);
}

/* ------------------------------------------------------------------ */
/* users                                                               */
/* ------------------------------------------------------------------ */

struct emfile_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
	int ready[2];		/* child -> test: 'r' at the limit, 'f' */
	int go[2];		/* test -> child: go on */
	int status;		/* kdbus_run_as() result */
};

/* child: make 1024 connections, fail the 1025th */
static int child_emfile(void *arg)
{
	struct emfile_ctx *ctx = arg;
	int *fds, fd, fd2, i, ret;
	char c = 'f';

	fds = calloc(KDBUS_USER_MAX_CONN, sizeof(*fds));
	if (!fds)
		return 99;
	for (i = 0; i < KDBUS_USER_MAX_CONN; i++) {
		fds[i] = ep_open(ctx->dom, ctx->bus);
		if (fds[i] < 0) {
			kdbus_log("open %d: %s", i, strerror(-fds[i]));
			ret = 100;
			goto fail;
		}
		/* one page of pool, not mapped: cheap */
		ret = hello_plain(fds[i], 0);
		if (ret < 0) {
			kdbus_log("HELLO %d: %s", i, strerror(-ret));
			ret = 101;
			goto fail;
		}
	}

	fd = ep_open(ctx->dom, ctx->bus);
	if (fd < 0) {
		kdbus_log("open: %s", strerror(-fd));
		ret = 102;
		goto fail;
	}
	ret = hello_plain(fd, 0);
	if (ret != -EMFILE) {
		kdbus_log("HELLO %d: got %d, want -EMFILE", i, ret);
		ret = 103;
		goto fail;
	}
	ret = hello_plain(fd, KDBUS_HELLO_ACCEPT_FD);
	if (ret != -EMFILE) {
		kdbus_log("HELLO %d again: got %d, want -EMFILE", i, ret);
		ret = 104;
		goto fail;
	}

	/* at the limit: let the test check other users */
	c = 'r';
	if (write(ctx->ready[1], &c, 1) != 1 || read(ctx->go[0], &c, 1) != 1)
		return 105;

	/* a closed connection makes room; the failed handle is NONE */
	close(fds[0]);
	ret = hello_plain(fd, 0);
	if (ret < 0) {
		kdbus_log("HELLO after close: %s", strerror(-ret));
		return 106;
	}
	fd2 = ep_open(ctx->dom, ctx->bus);
	ret = fd2 < 0 ? fd2 : hello_plain(fd2, 0);
	if (ret != -EMFILE) {
		kdbus_log("HELLO at the limit again: got %d", ret);
		return 107;
	}
	return 0;

fail:
	if (write(ctx->ready[1], &c, 1) != 1)
		kdbus_log("cannot report the failure");
	return ret;
}

static void *emfile_thread(void *arg)
{
	struct emfile_ctx *ctx = arg;

	ctx->status = kdbus_run_as(OTHER_UID, OTHER_GID, child_emfile, ctx);
	return NULL;
}

TEST_F_TIMEOUT(conn, emfile_connection_limit, 300)
{
	struct emfile_ctx ctx = { .dom = &self->dom, .bus = self->bus };
	struct rlimit rl = { .rlim_cur = 4096, .rlim_max = 4096 };
	struct pollfd pfd;
	struct kdbus_conn c;
	pthread_t thread;
	char state = 0;

	/* inherited by the child; root may raise the hard limit */
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_EQ(0, pipe2(ctx.ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ctx.go, O_CLOEXEC));
	ASSERT_EQ(0, pthread_create(&thread, NULL, emfile_thread, &ctx));

	pfd.fd = ctx.ready[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 240 * 1000) == 1 &&
	    read(ctx.ready[0], &state, 1) == 1 && state == 'r') {
		/* the limit is per user: root still connects */
		EXPECT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL,
					    0));
		kdbus_conn_free(&c);
	}
	if (write(ctx.go[1], "g", 1) != 1)
		TH_LOG("cannot release the child");
	pthread_join(thread, NULL);
	EXPECT_EQ('r', state);
	EXPECT_EQ(0, ctx.status);
	close(ctx.ready[0]);
	close(ctx.ready[1]);
	close(ctx.go[0]);
	close(ctx.go[1]);
}

struct unpriv_conn_ctx {
	const struct kdbus_domain *dom;
	const char *world_bus;		/* 0666 endpoint */
	const char *private_bus;	/* 0600 endpoint, 0500 directory */
	const char *group_bus;		/* 0660 endpoint of gid 0 */
	const char *private_ep;		/* 0600 custom endpoint of root */
	const char *world_ep;		/* 0666 custom endpoint */
};

/* child: ordinary connections where the file modes allow them */
static int child_unprivileged_connections(void *arg)
{
	const struct unpriv_conn_ctx *ctx = arg;
	struct kdbus_conn a, b, e;
	struct kdbus_msg *msg = NULL;
	__u64 flags = ~0ULL;
	char buf[8];
	int ret;

	ret = kdbus_conn_new(&a, ctx->dom, ctx->world_bus, NULL,
			     KDBUS_HELLO_ACCEPT_FD);
	if (ret < 0) {
		kdbus_log("connect a: %s", strerror(-ret));
		return 100;
	}
	ret = kdbus_conn_new(&b, ctx->dom, ctx->world_bus, NULL, 0);
	if (ret < 0) {
		kdbus_log("connect b: %s", strerror(-ret));
		return 101;
	}
	if (!a.id || b.id <= a.id) {
		kdbus_log("ids %llu, %llu", (unsigned long long)a.id,
			  (unsigned long long)b.id);
		return 102;
	}
	ret = conn_info_flags(&b, a.id, &flags);
	if (ret < 0 || flags != KDBUS_HELLO_ACCEPT_FD) {
		kdbus_log("CONN_INFO: %d, flags 0x%llx", ret,
			  (unsigned long long)flags);
		return 103;
	}
	ret = send_to(&b, a.id, 7, "unpriv", 7);
	if (!ret)
		ret = kdbus_recv(&a, 0, 0, NULL, &msg);
	if (ret < 0 || !msg || msg->src_id != b.id || msg->cookie != 7 ||
	    kdbus_msg_payload(msg, buf, sizeof(buf)) != 7 ||
	    strcmp(buf, "unpriv")) {
		kdbus_log("message b -> a: %d", ret);
		return 104;
	}

	ret = kdbus_bus_open(ctx->dom, ctx->private_bus, O_RDWR | O_CLOEXEC);
	if (ret != -EACCES) {
		kdbus_log("open private bus: got %d, want -EACCES", ret);
		return 105;
	}
	ret = kdbus_bus_open(ctx->dom, ctx->group_bus, O_RDWR | O_CLOEXEC);
	if (ret != -EACCES) {
		kdbus_log("open group bus: got %d, want -EACCES", ret);
		return 106;
	}
	ret = kdbus_open(ctx->dom, ctx->private_ep, O_RDWR | O_CLOEXEC);
	if (ret != -EACCES) {
		kdbus_log("open 0600 endpoint: got %d, want -EACCES", ret);
		return 107;
	}
	ret = kdbus_conn_new(&e, ctx->dom, NULL, ctx->world_ep, 0);
	if (ret < 0 || e.id <= b.id) {
		kdbus_log("connect on the world endpoint: %d", ret);
		return 108;
	}
	kdbus_conn_free(&e);
	kdbus_conn_free(&b);
	kdbus_conn_free(&a);
	return 0;
}

TEST_F(conn, unprivileged_connections)
{
	struct unpriv_conn_ctx ctx = {
		.dom = &self->dom, .world_bus = self->bus,
	};
	char priv[64], group[64], priv_ep[160], world_ep[160];
	int p, g, e1, e2;

	p = kdbus_bus_create(&self->dom, 0, "private", priv, sizeof(priv));
	ASSERT_LE(0, p);
	g = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_GROUP, "group",
			     group, sizeof(group));
	ASSERT_LE(0, g);
	e1 = ep_create(&self->dom, self->bus, 0, "private", priv_ep,
		       sizeof(priv_ep));
	ASSERT_LE(0, e1);
	e2 = ep_create(&self->dom, self->bus, KDBUS_MAKE_ACCESS_WORLD,
		       "world", world_ep, sizeof(world_ep));
	ASSERT_LE(0, e2);
	ctx.private_bus = priv;
	ctx.group_bus = group;
	ctx.private_ep = priv_ep;
	ctx.world_ep = world_ep;

	EXPECT_EQ(0, kdbus_run_as(OTHER_UID, OTHER_GID,
				  child_unprivileged_connections, &ctx));
	close(e2);
	close(e1);
	close(g);
	close(p);
}

/* ------------------------------------------------------------------ */
/* other processes                                                     */
/* ------------------------------------------------------------------ */

/* read one __u64 from @fd within WAIT_MS: 0 or -errno */
static int read_u64(int fd, __u64 *v)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, WAIT_MS) != 1)
		return -ETIMEDOUT;
	return read(fd, v, sizeof(*v)) == sizeof(*v) ? 0 : -EIO;
}

TEST_F(conn, forked_child_connection)
{
	struct kdbus_conn c, k;
	int idp[2], gop[2], status;
	__u64 id = 0, flags = 0;
	pid_t pid;
	char go;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, pipe(idp));
	ASSERT_EQ(0, pipe(gop));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(idp[0]);
		close(gop[1]);
		if (kdbus_conn_new(&k, &self->dom, self->bus, NULL,
				   KDBUS_HELLO_ACCEPT_FD) < 0)
			_exit(1);
		if (write(idp[1], &k.id, sizeof(k.id)) != sizeof(k.id) ||
		    read(gop[0], &go, 1) != 1)
			_exit(2);
		/* exit with the connection open */
		_exit(0);
	}
	close(idp[1]);
	close(gop[0]);

	ASSERT_EQ(0, read_u64(idp[0], &id));
	EXPECT_LT(c.id, id);
	EXPECT_EQ(0, conn_info_flags(&c, id, &flags));
	EXPECT_EQ((__u64)KDBUS_HELLO_ACCEPT_FD, flags);
	EXPECT_EQ(0, send_to(&c, id, 1, "doomed", 7));

	EXPECT_EQ(1, write(gop[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);

	/* gone with the process */
	EXPECT_EQ(-ENXIO, conn_info_flags(&c, id, NULL));
	EXPECT_EQ(-ENXIO, send_to(&c, id, 2, "late", 5));
	close(idp[0]);
	close(gop[1]);
	kdbus_conn_free(&c);
}

/* a forked child shares the handle: the connection lives on with it */
TEST_F(conn, inherited_handle_keeps_connection)
{
	struct kdbus_conn c, p;
	int rp[2], gop[2], status;
	__u64 id, seen = 0;
	pid_t pid;
	char go;

	ASSERT_EQ(0, kdbus_conn_new(&c, &self->dom, self->bus, NULL, 0));
	ASSERT_EQ(0, kdbus_conn_new(&p, &self->dom, self->bus, NULL, 0));
	id = c.id;
	ASSERT_EQ(0, pipe(rp));
	ASSERT_EQ(0, pipe(gop));
	fflush(NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 offset, size, got = 0;
		struct kdbus_info *info;

		close(rp[0]);
		close(gop[1]);
		/* the same connection, pool and mapping */
		if (kdbus_conn_info(&c, c.id, NULL, 0, &offset, &size) == 0) {
			info = kdbus_pool_info(&c, offset);
			got = info ? info->id : 0;
			kdbus_free(&c, offset);
		}
		if (write(rp[1], &got, sizeof(got)) != sizeof(got) ||
		    read(gop[0], &go, 1) != 1)
			_exit(2);
		_exit(0);
	}
	close(rp[1]);
	close(gop[0]);

	ASSERT_EQ(0, read_u64(rp[0], &seen));
	EXPECT_EQ(id, seen);
	/* the parent's last reference goes away, the child's stays */
	kdbus_conn_free(&c);
	EXPECT_EQ(0, conn_info_flags(&p, id, NULL));
	EXPECT_EQ(0, send_to(&p, id, 1, "still", 6));

	EXPECT_EQ(1, write(gop[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(-ENXIO, conn_info_flags(&p, id, NULL));
	close(rp[0]);
	close(gop[1]);
	kdbus_conn_free(&p);
}

TEST_HARNESS_MAIN
