// SPDX-License-Identifier: GPL-2.0
/*
 * Custom endpoints (KDBUS_CMD_ENDPOINT_MAKE / _UPDATE) and the permission
 * checks on opening endpoint files.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kdbus-test.h"

FIXTURE(ep) {
	struct kdbus_domain dom;
	int owner;		/* BUS_OWNER handle of bus */
	int busfd;		/* a NONE handle on <bus>/bus */
	char bus[64];		/* "<euid>-bus", made with ACCESS_WORLD */
	char name[64];		/* "<euid>-ep" */
	char rel[160];		/* "<bus>/<name>" */
};

FIXTURE_SETUP(ep)
{
	self->owner = -1;
	self->busfd = -1;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
				       "bus", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->owner);
	self->busfd = kdbus_bus_open(&self->dom, self->bus,
				     O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->busfd);
	kdbus_name(self->name, sizeof(self->name), "ep");
	snprintf(self->rel, sizeof(self->rel), "%s/%s", self->bus, self->name);
}

FIXTURE_TEARDOWN(ep)
{
	if (self->busfd >= 0)
		close(self->busfd);
	if (self->owner >= 0)
		close(self->owner);
	kdbus_domain_umount(&self->dom);
}

/* number of entries (with . and ..) in the bus directory */
static int bus_entries(const struct kdbus_domain *dom, const char *bus)
{
	struct kdbus_dirent ents[16];

	return kdbus_readdir(kdbus_path(dom, bus), ents, 16);
}

static int ep_update_raw(int fd, struct kdbus_cmd *cmd)
{
	int ret = kdbus_ioctl(fd, KDBUS_CMD_ENDPOINT_UPDATE, cmd);

	kdbus_args_release(cmd);
	return ret;
}

FIXTURE(ep_mode) {
	struct kdbus_domain dom;
};

FIXTURE_VARIANT(ep_mode) {
	__u64 flags;
	unsigned int mode;
};

FIXTURE_VARIANT_ADD(ep_mode, private) {
	.flags = 0,
	.mode = 0600,
};

FIXTURE_VARIANT_ADD(ep_mode, group) {
	.flags = KDBUS_MAKE_ACCESS_GROUP,
	.mode = 0660,
};

FIXTURE_VARIANT_ADD(ep_mode, world) {
	.flags = KDBUS_MAKE_ACCESS_WORLD,
	.mode = 0666,
};

FIXTURE_VARIANT_ADD(ep_mode, group_world) {
	.flags = KDBUS_MAKE_ACCESS_GROUP | KDBUS_MAKE_ACCESS_WORLD,
	.mode = 0666,
};

FIXTURE_SETUP(ep_mode)
{
	KDBUS_SETUP_DOMAIN(&self->dom);
}

FIXTURE_TEARDOWN(ep_mode)
{
	kdbus_domain_umount(&self->dom);
}

/* the endpoint's mode comes from its own flags, not from the bus's */
TEST_F(ep_mode, make_as_root)
{
	struct kdbus_dirent ents[8];
	char bus[64], name[64], rel[160];
	struct kdbus_cmd *cmd;
	int owner, fd, n;
	struct stat st;

	owner = kdbus_bus_create(&self->dom, 0, "bus", bus, sizeof(bus));
	ASSERT_LE(0, owner);
	fd = kdbus_bus_open(&self->dom, bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

	kdbus_name(name, sizeof(name), "ep");
	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = variant->flags;
	cmd->return_flags = ~0ULL;
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, name);
	ASSERT_EQ(0, kdbus_ioctl(fd, KDBUS_CMD_ENDPOINT_MAKE, cmd));
	EXPECT_EQ(0ULL, cmd->return_flags);
	kdbus_args_release(cmd);

	snprintf(rel, sizeof(rel), "%s/%s", bus, name);
	ASSERT_EQ(0, kdbus_stat(&self->dom, rel, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(variant->mode, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);

	n = kdbus_readdir(kdbus_path(&self->dom, bus), ents, 8);
	ASSERT_EQ(4, n);
	EXPECT_EQ(DT_DIR, kdbus_dirent_type(ents, n, "."));
	EXPECT_EQ(DT_DIR, kdbus_dirent_type(ents, n, ".."));
	EXPECT_EQ(DT_REG, kdbus_dirent_type(ents, n, "bus"));
	EXPECT_EQ(DT_REG, kdbus_dirent_type(ents, n, name));
	close(fd);
	close(owner);
}

struct child_ep_ctx {
	const struct kdbus_domain *dom;
	__u64 flags;
	unsigned int mode;
};

/* child: a bus owner without capabilities makes an endpoint on its bus */
static int child_ep_owner(void *arg)
{
	const struct child_ep_ctx *ctx = arg;
	char bus[64], name[64], rel[160];
	struct stat st = { 0 };
	int owner, fd, ret;

	owner = kdbus_bus_create(ctx->dom, 0, "bus", bus, sizeof(bus));
	if (owner < 0) {
		kdbus_log("BUS_MAKE: %s", strerror(-owner));
		return 100;
	}
	fd = kdbus_bus_open(ctx->dom, bus, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		kdbus_log("open bus: %s", strerror(-fd));
		return 101;
	}
	ret = kdbus_ep_make(fd, ctx->flags, kdbus_name(name, sizeof(name),
						       "ep"));
	if (ret < 0) {
		kdbus_log("ENDPOINT_MAKE: %s", strerror(-ret));
		return 102;
	}
	snprintf(rel, sizeof(rel), "%s/%s", bus, name);
	if (kdbus_stat(ctx->dom, rel, &st) || !S_ISREG(st.st_mode) ||
	    st.st_uid != getuid() || st.st_gid != getgid() ||
	    (st.st_mode & 07777) != ctx->mode) {
		kdbus_log("endpoint: uid %u gid %u mode %o", st.st_uid,
			  st.st_gid, st.st_mode & 07777);
		return 103;
	}
	close(fd);
	close(owner);
	return 0;
}

TEST_F(ep_mode, make_as_unprivileged_bus_owner)
{
	struct child_ep_ctx ctx = {
		.dom = &self->dom,
		.flags = variant->flags,
		.mode = variant->mode,
	};

	EXPECT_EQ(0, kdbus_run_as(1000, 1001, child_ep_owner, &ctx));
}

/* the file belongs to the effective ids of the caller of ENDPOINT_MAKE */
TEST_F(ep_mode, owner_is_effective_ids)
{
	char bus[64], rel[160];
	int owner, fd, ret, ret_restore;
	struct stat st;

	owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD, "bus",
				 bus, sizeof(bus));
	ASSERT_LE(0, owner);
	/* opened by root: privileged */
	fd = kdbus_bus_open(&self->dom, bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, kdbus_become_euid(1000, 2000));
	ret = kdbus_ep_make(fd, variant->flags, "1000-ep");
	ret_restore = kdbus_restore_root();
	ASSERT_EQ(0, ret_restore);
	ASSERT_EQ(0, ret);

	snprintf(rel, sizeof(rel), "%s/1000-ep", bus);
	ASSERT_EQ(0, kdbus_stat(&self->dom, rel, &st));
	EXPECT_EQ(1000U, st.st_uid);
	EXPECT_EQ(2000U, st.st_gid);
	EXPECT_EQ(variant->mode, st.st_mode & 07777);
	close(fd);
	close(owner);
}

/* CAP_IPC_OWNER makes a handle privileged on somebody else's bus */
TEST_F(ep, privileged_by_capability)
{
	char rel[160];
	int owner, fd, ret, ret_restore;
	struct stat st;

	ASSERT_EQ(0, kdbus_become_euid(1000, 1000));
	owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD, "b",
				 NULL, 0);
	ret_restore = kdbus_restore_root();
	ASSERT_EQ(0, ret_restore);
	ASSERT_LE(0, owner);

	fd = kdbus_bus_open(&self->dom, "1000-b", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ret = kdbus_ep_make(fd, 0, self->name);
	EXPECT_EQ(0, ret);
	snprintf(rel, sizeof(rel), "1000-b/%s", self->name);
	EXPECT_EQ(0, kdbus_stat(&self->dom, rel, &st));
	close(fd);
	close(owner);
}

struct child_eperm_ctx {
	const struct kdbus_domain *dom;
	const char *bus;
};

/* child: open the WORLD-accessible bus and try to make an endpoint */
static int child_ep_eperm(void *arg)
{
	const struct child_eperm_ctx *ctx = arg;
	char name[64], rel[160];
	struct stat st;
	int fd, ret;

	fd = kdbus_bus_open(ctx->dom, ctx->bus, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		kdbus_log("open bus: %s", strerror(-fd));
		return 100;
	}
	kdbus_name(name, sizeof(name), "ep");
	ret = kdbus_ep_make(fd, KDBUS_MAKE_ACCESS_WORLD, name);
	if (ret != -EPERM) {
		kdbus_log("ENDPOINT_MAKE: got %d, want -EPERM", ret);
		return 101;
	}
	snprintf(rel, sizeof(rel), "%s/%s", ctx->bus, name);
	if (kdbus_stat(ctx->dom, rel, &st) != -ENOENT) {
		kdbus_log("endpoint exists after EPERM");
		return 102;
	}
	close(fd);
	return 0;
}

TEST_F(ep, unprivileged_make_eperm)
{
	struct child_eperm_ctx ctx = { .dom = &self->dom, .bus = self->bus };

	EXPECT_EQ(0, kdbus_run_as(65534, 65534, child_ep_eperm, &ctx));
	EXPECT_EQ(0, kdbus_run_as(1000, 0, child_ep_eperm, &ctx));
	EXPECT_EQ(3, bus_entries(&self->dom, self->bus));
}

/* privilege is decided at open(), not at the ioctl */
TEST_F(ep, privilege_fixed_at_open)
{
	int fd, ret_restore;

	ASSERT_EQ(0, kdbus_become_euid(65534, 65534));
	fd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ret_restore = kdbus_restore_root();
	ASSERT_EQ(0, ret_restore);
	ASSERT_LE(0, fd);

	EXPECT_EQ(-EPERM, kdbus_ep_make(fd, 0, self->name));
	EXPECT_EQ(3, bus_entries(&self->dom, self->bus));
	close(fd);
}

/* a handle on a custom endpoint is never privileged */
TEST_F(ep, make_on_custom_endpoint_eperm)
{
	char other[64];
	int fd;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, KDBUS_MAKE_ACCESS_WORLD,
				   self->name));
	fd = kdbus_open(&self->dom, self->rel, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	kdbus_name(other, sizeof(other), "ep2");
	EXPECT_EQ(-EPERM, kdbus_ep_make(fd, 0, other));
	EXPECT_EQ(4, bus_entries(&self->dom, self->bus));
	close(fd);
}

TEST_F(ep, same_name_eexist)
{
	char other[64];
	int fd;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));
	fd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, kdbus_ep_make(fd, KDBUS_MAKE_ACCESS_WORLD,
					 self->name));
	/* still NONE after the failure */
	kdbus_name(other, sizeof(other), "ep2");
	EXPECT_EQ(0, kdbus_ep_make(fd, 0, other));
	EXPECT_EQ(5, bus_entries(&self->dom, self->bus));
	close(fd);
}

/* endpoint names are unique per bus only */
TEST_F(ep, same_name_on_other_bus)
{
	char bus2[64];
	int owner2, fd;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));
	owner2 = kdbus_bus_create(&self->dom, 0, "bus2", bus2, sizeof(bus2));
	ASSERT_LE(0, owner2);
	fd = kdbus_bus_open(&self->dom, bus2, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kdbus_ep_make(fd, 0, self->name));
	close(fd);
	close(owner2);
}

TEST_F(ep, invalid_names)
{
	static const char * const bad[] = {
		"ep", "bus", "", "-", "1-ep", "4294967295-ep", "PFX-ep@x",
		"PFX-ep-", "PFX-ep.", "-PFX-ep", "PFX-", "PFX", "PFX-e p",
		"PFX-e/p",
	};
	char name[128], uid[16];
	unsigned int i;
	const char *p;

	snprintf(uid, sizeof(uid), "%u", geteuid());
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = strstr(bad[i], "PFX");
		if (p)
			snprintf(name, sizeof(name), "%.*s%s%s",
				 (int)(p - bad[i]), bad[i], uid, p + 3);
		else
			snprintf(name, sizeof(name), "%s", bad[i]);
		EXPECT_EQ(-EINVAL, kdbus_ep_make(self->busfd, 0, name))
			TH_LOG("name \"%s\"", name);
	}
	EXPECT_EQ(3, bus_entries(&self->dom, self->bus));
}

TEST_F(ep, name_length)
{
	char name[256], rel[400];
	struct stat st;
	size_t len;

	len = snprintf(name, sizeof(name), "%u-", geteuid());
	memset(name + len, 'X', sizeof(name) - len);

	/* 63 X's after the prefix */
	name[len + 63] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kdbus_ep_make(self->busfd, 0, name));
	/* 64 characters in all */
	name[64] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kdbus_ep_make(self->busfd, 0, name));
	EXPECT_EQ(3, bus_entries(&self->dom, self->bus));

	/* 63 characters in all */
	name[63] = '\0';
	EXPECT_EQ(0, kdbus_ep_make(self->busfd, 0, name));
	snprintf(rel, sizeof(rel), "%s/%s", self->bus, name);
	EXPECT_EQ(0, kdbus_stat(&self->dom, rel, &st));
}

TEST_F(ep, bad_items_and_flags)
{
	struct kdbus_cmd *cmd;
	int ret;

	/* no MAKE_NAME */
	EXPECT_EQ(-EINVAL, kdbus_ep_make(self->busfd, 0, NULL));

	/* policy items are not accepted at ENDPOINT_MAKE */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar.baz");
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_WORLD,
			      KDBUS_POLICY_SEE, 0);
	ret = kdbus_ioctl(self->busfd, KDBUS_CMD_ENDPOINT_MAKE, cmd);
	kdbus_args_release(cmd);
	EXPECT_EQ(-EINVAL, ret);

	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar.baz");
	ret = kdbus_ioctl(self->busfd, KDBUS_CMD_ENDPOINT_MAKE, cmd);
	kdbus_args_release(cmd);
	EXPECT_EQ(-EINVAL, ret);

	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_WORLD,
			      KDBUS_POLICY_SEE, 0);
	ret = kdbus_ioctl(self->busfd, KDBUS_CMD_ENDPOINT_MAKE, cmd);
	kdbus_args_release(cmd);
	EXPECT_EQ(-EINVAL, ret);

	/* bus items are not accepted either */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	kdbus_args_add_bloom(cmd, 64, 1);
	ret = kdbus_ioctl(self->busfd, KDBUS_CMD_ENDPOINT_MAKE, cmd);
	kdbus_args_release(cmd);
	EXPECT_EQ(-EINVAL, ret);

	/* a duplicated MAKE_NAME */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	ret = kdbus_ioctl(self->busfd, KDBUS_CMD_ENDPOINT_MAKE, cmd);
	kdbus_args_release(cmd);
	EXPECT_EQ(-EINVAL, ret);

	/* unknown flags */
	EXPECT_EQ(-EINVAL, kdbus_ep_make(self->busfd, 1ULL << 2, self->name));
	EXPECT_EQ(-EINVAL, kdbus_ep_make(self->busfd, 1ULL << 32,
					 self->name));

	EXPECT_EQ(3, bus_entries(&self->dom, self->bus));
	/* the handle is still NONE */
	EXPECT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));
}

TEST_F(ep, make_negotiate)
{
	static const __u64 in[] = {
		KDBUS_ITEM_MAKE_NAME, KDBUS_ITEM_NAME, KDBUS_ITEM_NEGOTIATE,
		KDBUS_ITEM_BLOOM_PARAMETER, KDBUS_ITEM_POLICY_ACCESS, 0x4242,
	};
	static const __u64 out[] = {
		KDBUS_ITEM_MAKE_NAME, 0, KDBUS_ITEM_NEGOTIATE, 0, 0, 0,
	};
	struct kdbus_item *item;
	struct kdbus_cmd *cmd;
	struct stat st;
	unsigned int i;

	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = KDBUS_FLAG_NEGOTIATE;
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	item = kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, in, sizeof(in));
	ASSERT_EQ(0, kdbus_ioctl(self->busfd, KDBUS_CMD_ENDPOINT_MAKE, cmd));
	EXPECT_EQ(0x3ULL, cmd->flags);
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		EXPECT_EQ(out[i], item->data64[i])
			TH_LOG("entry %u (type 0x%llx)", i,
			       (unsigned long long)in[i]);
	}
	kdbus_args_release(cmd);

	/* nothing created, handle still NONE */
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, self->rel, &st));
	EXPECT_EQ(3, bus_entries(&self->dom, self->bus));
	EXPECT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));
	EXPECT_EQ(0, kdbus_stat(&self->dom, self->rel, &st));
}

TEST_F(ep, make_on_control_ebadfd)
{
	int ctl = kdbus_open_control(&self->dom);

	ASSERT_LE(0, ctl);
	EXPECT_EQ(-EBADFD, kdbus_ep_make(ctl, 0, self->name));
	/* and on the BUS_OWNER control handle */
	EXPECT_EQ(-EBADFD, kdbus_ep_make(self->owner, 0, self->name));
	EXPECT_EQ(3, bus_entries(&self->dom, self->bus));
	close(ctl);
}

TEST_F(ep, second_make_on_same_fd_ebadfd)
{
	char other[64], rel[160];
	struct stat st;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));
	kdbus_name(other, sizeof(other), "ep2");
	EXPECT_EQ(-EBADFD, kdbus_ep_make(self->busfd, 0, other));
	snprintf(rel, sizeof(rel), "%s/%s", self->bus, other);
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, rel, &st));
	EXPECT_EQ(4, bus_entries(&self->dom, self->bus));
}

/* an empty, well-formed ENDPOINT_UPDATE on handles that are not EP_OWNER */
TEST_F(ep, update_on_other_handles_ebadfd)
{
	int ctl = kdbus_open_control(&self->dom);

	ASSERT_LE(0, ctl);
	EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(self->busfd,
						KDBUS_CMD_ENDPOINT_UPDATE));
	EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(ctl,
						KDBUS_CMD_ENDPOINT_UPDATE));
	EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(self->owner,
						KDBUS_CMD_ENDPOINT_UPDATE));
	close(ctl);
}

/* every kdbus ioctl but ENDPOINT_UPDATE on an EP_OWNER handle */
TEST_F(ep, ep_owner_handle_ebadfd)
{
	unsigned int i;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));
	for (i = 0; i < KDBUS_CMD_COUNT; i++) {
		if (kdbus_cmds[i] == KDBUS_CMD_ENDPOINT_UPDATE)
			continue;
		EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(self->busfd,
							kdbus_cmds[i]))
			TH_LOG("%s", kdbus_cmd_name(kdbus_cmds[i]));
	}
	EXPECT_EQ(0, kdbus_cmd_call_empty(self->busfd,
					  KDBUS_CMD_ENDPOINT_UPDATE));
}

/* a NONE handle on a custom endpoint: the same table as on "bus" */
TEST_F(ep, none_custom_endpoint_handle_ebadfd)
{
	unsigned int i;
	int fd;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));
	fd = kdbus_open(&self->dom, self->rel, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < KDBUS_CMD_COUNT; i++) {
		if (kdbus_cmds[i] == KDBUS_CMD_ENDPOINT_MAKE ||
		    kdbus_cmds[i] == KDBUS_CMD_HELLO)
			continue;
		EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(fd, kdbus_cmds[i]))
			TH_LOG("%s", kdbus_cmd_name(kdbus_cmds[i]));
	}
	close(fd);
}

TEST_F(ep, update_success)
{
	struct kdbus_cmd *cmd;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));

	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->return_flags = ~0ULL;
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar.baz");
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_WORLD,
			      KDBUS_POLICY_SEE, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar.*");
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_USER,
			      KDBUS_POLICY_TALK, 1000);
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_GROUP,
			      KDBUS_POLICY_OWN, 1000);
	/* exact name and wildcard with the same prefix coexist */
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar");
	/* a group without access records is valid */
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "org.example.Empty");
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "_a.-b");
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_USER,
			      KDBUS_POLICY_OWN, 0);
	ASSERT_EQ(0, kdbus_ioctl(self->busfd, KDBUS_CMD_ENDPOINT_UPDATE, cmd));
	EXPECT_EQ(0ULL, cmd->return_flags);
	/* replacing with the same set (no clash with the old entries) */
	EXPECT_EQ(0, kdbus_ioctl(self->busfd, KDBUS_CMD_ENDPOINT_UPDATE, cmd));
	kdbus_args_release(cmd);

	/* an empty update clears the database */
	cmd = kdbus_args_new(sizeof(*cmd));
	EXPECT_EQ(0, ep_update_raw(self->busfd, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	EXPECT_EQ(0, ep_update_raw(self->busfd, cmd));
}

/* one NAME + POLICY_ACCESS group with the given values */
static struct kdbus_cmd *policy_args(const char *name, __u64 type,
				     __u64 access, __u64 id)
{
	struct kdbus_cmd *cmd = kdbus_args_new(sizeof(struct kdbus_cmd));

	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, name);
	kdbus_args_add_policy(cmd, type, access, id);
	return cmd;
}

TEST_F(ep, update_einval)
{
	static const char * const bad_names[] = {
		"foo", ".bar.baz", "foo..bar", "foo.", "foo.1a", "foo.b@r",
		"", "*", "foo.*.bar", "foo.b*",
	};
	struct kdbus_cmd *cmd;
	unsigned int i;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));

	/* POLICY_ACCESS before any NAME */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_WORLD,
			      KDBUS_POLICY_SEE, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar");
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));

	/* access level out of range */
	cmd = policy_args("foo.bar", KDBUS_POLICY_ACCESS_WORLD, 3, 0);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));
	cmd = policy_args("foo.bar", KDBUS_POLICY_ACCESS_USER, ~0ULL, 0);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));

	/* access type out of range */
	cmd = policy_args("foo.bar", _KDBUS_POLICY_ACCESS_NULL,
			  KDBUS_POLICY_SEE, 0);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));
	cmd = policy_args("foo.bar", 4, KDBUS_POLICY_SEE, 0);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));

	/* ids that map to no user or group */
	cmd = policy_args("foo.bar", KDBUS_POLICY_ACCESS_USER,
			  KDBUS_POLICY_SEE, 0xFFFFFFFFULL);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));
	cmd = policy_args("foo.bar", KDBUS_POLICY_ACCESS_GROUP,
			  KDBUS_POLICY_SEE, 0xFFFFFFFFULL);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));

	/* a POLICY_ACCESS payload of the wrong size */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar");
	kdbus_args_add(cmd, KDBUS_ITEM_POLICY_ACCESS, "0123456789abcdef", 16);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));

	/* invalid policy names */
	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		cmd = policy_args(bad_names[i], KDBUS_POLICY_ACCESS_WORLD,
				  KDBUS_POLICY_SEE, 0);
		EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd))
			TH_LOG("policy name \"%s\"", bad_names[i]);
	}

	/* a NAME that is not NUL-terminated */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add(cmd, KDBUS_ITEM_NAME, "foo.bar", 7);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));

	/* items not accepted by ENDPOINT_UPDATE */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_bloom(cmd, 64, 1);
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));

	/* no flags are defined */
	cmd = policy_args("foo.bar", KDBUS_POLICY_ACCESS_WORLD,
			  KDBUS_POLICY_SEE, 0);
	cmd->flags = 1;
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));
	cmd = policy_args("foo.bar", KDBUS_POLICY_ACCESS_WORLD,
			  KDBUS_POLICY_SEE, 0);
	cmd->flags = KDBUS_MAKE_ACCESS_WORLD;
	EXPECT_EQ(-EINVAL, ep_update_raw(self->busfd, cmd));

	/* after all that, a valid update still works */
	cmd = policy_args("foo.bar", KDBUS_POLICY_ACCESS_WORLD,
			  KDBUS_POLICY_SEE, 0);
	EXPECT_EQ(0, ep_update_raw(self->busfd, cmd));
}

TEST_F(ep, update_eexist)
{
	struct kdbus_cmd *cmd;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));

	cmd = policy_args("foo.bar", KDBUS_POLICY_ACCESS_WORLD,
			  KDBUS_POLICY_SEE, 0);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar");
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_WORLD,
			      KDBUS_POLICY_TALK, 0);
	EXPECT_EQ(-EEXIST, ep_update_raw(self->busfd, cmd));

	/* wildcards clash with wildcards, even without access records */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar.*");
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar.*");
	EXPECT_EQ(-EEXIST, ep_update_raw(self->busfd, cmd));

	/* but not with the exact name of the same prefix */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar.*");
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar");
	EXPECT_EQ(0, ep_update_raw(self->busfd, cmd));
}

TEST_F(ep, update_negotiate)
{
	static const __u64 in[] = {
		KDBUS_ITEM_NAME, KDBUS_ITEM_POLICY_ACCESS, KDBUS_ITEM_MAKE_NAME,
		KDBUS_ITEM_NEGOTIATE, KDBUS_ITEM_BLOOM_PARAMETER,
	};
	static const __u64 out[] = {
		KDBUS_ITEM_NAME, KDBUS_ITEM_POLICY_ACCESS, 0,
		KDBUS_ITEM_NEGOTIATE, 0,
	};
	struct kdbus_item *item;
	struct kdbus_cmd *cmd;
	unsigned int i;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));

	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = KDBUS_FLAG_NEGOTIATE;
	item = kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, in, sizeof(in));
	ASSERT_EQ(0, kdbus_ioctl(self->busfd, KDBUS_CMD_ENDPOINT_UPDATE, cmd));
	EXPECT_EQ(0ULL, cmd->flags);
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		EXPECT_EQ(out[i], item->data64[i])
			TH_LOG("entry %u (type 0x%llx)", i,
			       (unsigned long long)in[i]);
	}
	kdbus_args_release(cmd);
}

TEST_F(ep, close_removes_endpoint)
{
	struct kdbus_dirent ents[8];
	struct stat st;
	int fd, n;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));
	ASSERT_EQ(0, kdbus_stat(&self->dom, self->rel, &st));
	close(self->busfd);
	self->busfd = -1;

	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, self->rel, &st));
	n = kdbus_readdir(kdbus_path(&self->dom, self->bus), ents, 8);
	ASSERT_EQ(3, n);
	EXPECT_EQ(-1, kdbus_dirent_type(ents, n, self->name));

	/* the name is free again */
	fd = kdbus_bus_open(&self->dom, self->bus, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, kdbus_ep_make(fd, 0, self->name));
	close(fd);
}

TEST_F(ep, update_after_bus_close_eshutdown)
{
	struct kdbus_cmd *cmd;
	struct stat st;

	ASSERT_EQ(0, kdbus_ep_make(self->busfd, 0, self->name));
	close(self->owner);
	self->owner = -1;

	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, self->bus, &st));
	cmd = policy_args("foo.bar", KDBUS_POLICY_ACCESS_WORLD,
			  KDBUS_POLICY_SEE, 0);
	EXPECT_EQ(-ESHUTDOWN, ep_update_raw(self->busfd, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	EXPECT_EQ(-ESHUTDOWN, ep_update_raw(self->busfd, cmd));
}

struct child_open_ctx {
	const char *path;
};

/* child: 0 if the path opens read-write, else the errno */
static int child_open(void *arg)
{
	const struct child_open_ctx *ctx = arg;
	int fd = open(ctx->path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int open_as(const struct kdbus_domain *dom, const char *rel,
		   uid_t uid, gid_t gid)
{
	struct child_open_ctx ctx = { .path = kdbus_path(dom, rel) };

	return kdbus_run_as(uid, gid, child_open, &ctx);
}

TEST_F(ep, open_permissions_default_endpoint)
{
	char priv[64], group[64], rel[160];
	int fpriv, fgroup;

	fpriv = kdbus_bus_create(&self->dom, 0, "priv", priv, sizeof(priv));
	ASSERT_LE(0, fpriv);
	fgroup = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_GROUP,
				  "group", group, sizeof(group));
	ASSERT_LE(0, fgroup);

	/* 0600 of root */
	snprintf(rel, sizeof(rel), "%s/bus", priv);
	EXPECT_EQ(EACCES, open_as(&self->dom, rel, 65534, 65534));
	EXPECT_EQ(EACCES, open_as(&self->dom, rel, 1000, 0));

	/* 0660 of root:root */
	snprintf(rel, sizeof(rel), "%s/bus", group);
	EXPECT_EQ(EACCES, open_as(&self->dom, rel, 65534, 65534));
	EXPECT_EQ(0, open_as(&self->dom, rel, 65534, 0));

	/* 0666 */
	snprintf(rel, sizeof(rel), "%s/bus", self->bus);
	EXPECT_EQ(0, open_as(&self->dom, rel, 65534, 65534));
	EXPECT_EQ(0, open_as(&self->dom, rel, 1000, 1000));

	close(fgroup);
	close(fpriv);
}

TEST_F(ep, open_permissions_custom_endpoint)
{
	char rel[200], name[64];
	int fds[3], i;
	static const __u64 flags[] = {
		0, KDBUS_MAKE_ACCESS_GROUP, KDBUS_MAKE_ACCESS_WORLD,
	};

	for (i = 0; i < 3; i++) {
		fds[i] = kdbus_bus_open(&self->dom, self->bus,
					O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fds[i]);
		snprintf(name, sizeof(name), "%u-ep%d", geteuid(), i);
		ASSERT_EQ(0, kdbus_ep_make(fds[i], flags[i], name));
	}

	snprintf(rel, sizeof(rel), "%s/%u-ep0", self->bus, geteuid());
	EXPECT_EQ(EACCES, open_as(&self->dom, rel, 65534, 65534));
	EXPECT_EQ(EACCES, open_as(&self->dom, rel, 65534, 0));
	snprintf(rel, sizeof(rel), "%s/%u-ep1", self->bus, geteuid());
	EXPECT_EQ(EACCES, open_as(&self->dom, rel, 65534, 65534));
	EXPECT_EQ(0, open_as(&self->dom, rel, 65534, 0));
	snprintf(rel, sizeof(rel), "%s/%u-ep2", self->bus, geteuid());
	EXPECT_EQ(0, open_as(&self->dom, rel, 65534, 65534));

	for (i = 0; i < 3; i++)
		close(fds[i]);
}

TEST_HARNESS_MAIN
