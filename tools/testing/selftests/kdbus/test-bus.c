// SPDX-License-Identifier: GPL-2.0
/*
 * KDBUS_CMD_BUS_MAKE, the command header and item validation, negotiation,
 * handle states and bus lifetime.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kdbus-test.h"

FIXTURE(bus) {
	struct kdbus_domain dom;
	struct kdbus_domain dom2;
	int ctl;		/* a control handle in state NONE */
	char name[64];		/* "<euid>-test" */
};

FIXTURE_SETUP(bus)
{
	self->ctl = -1;
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, self->ctl);
	kdbus_name(self->name, sizeof(self->name), "test");
}

FIXTURE_TEARDOWN(bus)
{
	if (self->ctl >= 0)
		close(self->ctl);
	kdbus_domain_umount(&self->dom2);
	kdbus_domain_umount(&self->dom);
}

/* number of entries (with . and ..) in the domain root */
static int root_entries(const struct kdbus_domain *dom)
{
	struct kdbus_dirent ents[32];

	return kdbus_readdir(dom->path, ents, 32);
}

/* a complete, valid BUS_MAKE argument for @name */
static struct kdbus_cmd *bus_make_args(__u64 flags, const char *name)
{
	struct kdbus_cmd *cmd = kdbus_args_new(sizeof(*cmd));

	cmd->flags = flags;
	kdbus_args_add_bloom(cmd, 64, 1);
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, name);
	return cmd;
}

static int bus_make_raw(int fd, struct kdbus_cmd *cmd)
{
	int ret = kdbus_ioctl(fd, KDBUS_CMD_BUS_MAKE, cmd);

	kdbus_args_release(cmd);
	return ret;
}

TEST_F(bus, make_success)
{
	struct kdbus_cmd *cmd = bus_make_args(0, self->name);
	struct stat st;
	char rel[128];

	cmd->return_flags = ~0ULL;
	ASSERT_EQ(0, kdbus_ioctl(self->ctl, KDBUS_CMD_BUS_MAKE, cmd));
	EXPECT_EQ(0ULL, cmd->return_flags);
	EXPECT_EQ(0ULL, cmd->flags);
	kdbus_args_release(cmd);

	ASSERT_EQ(0, kdbus_stat(&self->dom, self->name, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	snprintf(rel, sizeof(rel), "%s/bus", self->name);
	ASSERT_EQ(0, kdbus_stat(&self->dom, rel, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(4, root_entries(&self->dom));
}

FIXTURE(bus_mode) {
	struct kdbus_domain dom;
};

FIXTURE_VARIANT(bus_mode) {
	__u64 flags;
	unsigned int dir_mode;
	unsigned int ep_mode;
};

FIXTURE_VARIANT_ADD(bus_mode, private) {
	.flags = 0,
	.dir_mode = 0500,
	.ep_mode = 0600,
};

FIXTURE_VARIANT_ADD(bus_mode, group) {
	.flags = KDBUS_MAKE_ACCESS_GROUP,
	.dir_mode = 0550,
	.ep_mode = 0660,
};

FIXTURE_VARIANT_ADD(bus_mode, world) {
	.flags = KDBUS_MAKE_ACCESS_WORLD,
	.dir_mode = 0555,
	.ep_mode = 0666,
};

FIXTURE_VARIANT_ADD(bus_mode, group_world) {
	.flags = KDBUS_MAKE_ACCESS_GROUP | KDBUS_MAKE_ACCESS_WORLD,
	.dir_mode = 0555,
	.ep_mode = 0666,
};

FIXTURE_SETUP(bus_mode)
{
	KDBUS_SETUP_DOMAIN(&self->dom);
}

FIXTURE_TEARDOWN(bus_mode)
{
	kdbus_domain_umount(&self->dom);
}

/* modes from the make flags; owner is the creator (root here) */
TEST_F(bus_mode, modes_as_root)
{
	char name[64], rel[128];
	struct stat st;
	int fd;

	fd = kdbus_bus_create(&self->dom, variant->flags, "mode", name,
			      sizeof(name));
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, kdbus_stat(&self->dom, name, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(variant->dir_mode, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);

	snprintf(rel, sizeof(rel), "%s/bus", name);
	ASSERT_EQ(0, kdbus_stat(&self->dom, rel, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(variant->ep_mode, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);
	close(fd);
}

/*
 * The owner is the creator's effective uid and gid, and the name prefix
 * is the effective uid: create with euid 1000 / egid 2000 (real ids 0).
 */
TEST_F(bus_mode, owner_is_effective_ids)
{
	int ctl, ctl2, ret_wrong, ret_ok, ret_restore;
	struct stat st_dir, st_ep;
	int ret_dir, ret_ep;

	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	ctl2 = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl2);

	ASSERT_EQ(0, kdbus_become_euid(1000, 2000));
	ret_wrong = kdbus_bus_make(ctl2, variant->flags, "0-owner", 64, 1);
	ret_ok = kdbus_bus_make(ctl, variant->flags, "1000-owner", 64, 1);
	ret_restore = kdbus_restore_root();
	ASSERT_EQ(0, ret_restore);

	EXPECT_EQ(-EINVAL, ret_wrong);
	ASSERT_EQ(0, ret_ok);

	ret_dir = kdbus_stat(&self->dom, "1000-owner", &st_dir);
	ret_ep = kdbus_stat(&self->dom, "1000-owner/bus", &st_ep);
	ASSERT_EQ(0, ret_dir);
	ASSERT_EQ(0, ret_ep);
	EXPECT_EQ(1000U, st_dir.st_uid);
	EXPECT_EQ(2000U, st_dir.st_gid);
	EXPECT_EQ(variant->dir_mode, st_dir.st_mode & 07777);
	EXPECT_EQ(1000U, st_ep.st_uid);
	EXPECT_EQ(2000U, st_ep.st_gid);
	EXPECT_EQ(variant->ep_mode, st_ep.st_mode & 07777);
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, "0-owner", &st_dir));
	close(ctl2);
	close(ctl);
}

struct child_bus_ctx {
	const struct kdbus_domain *dom;
	__u64 flags;
	unsigned int dir_mode;
	unsigned int ep_mode;
};

/* child: an unprivileged user creates a bus and checks its owner/modes */
static int child_owner_unprivileged(void *arg)
{
	const struct child_bus_ctx *ctx = arg;
	struct stat st = { 0 };
	char name[64], rel[128];
	int fd;

	fd = kdbus_bus_create(ctx->dom, ctx->flags, "mine", name,
			      sizeof(name));
	if (fd < 0) {
		kdbus_log("BUS_MAKE as uid %u: %s", getuid(), strerror(-fd));
		return 100;
	}
	if (kdbus_stat(ctx->dom, name, &st) ||
	    st.st_uid != getuid() || st.st_gid != getgid() ||
	    (st.st_mode & 07777) != ctx->dir_mode) {
		kdbus_log("bus dir: uid %u gid %u mode %o", st.st_uid,
			  st.st_gid, st.st_mode & 07777);
		return 101;
	}
	snprintf(rel, sizeof(rel), "%s/bus", name);
	if (kdbus_stat(ctx->dom, rel, &st) ||
	    st.st_uid != getuid() || st.st_gid != getgid() ||
	    (st.st_mode & 07777) != ctx->ep_mode) {
		kdbus_log("bus endpoint: uid %u gid %u mode %o", st.st_uid,
			  st.st_gid, st.st_mode & 07777);
		return 102;
	}
	close(fd);
	return 0;
}

TEST_F(bus_mode, owner_unprivileged_creator)
{
	struct child_bus_ctx ctx = {
		.dom = &self->dom,
		.flags = variant->flags,
		.dir_mode = variant->dir_mode,
		.ep_mode = variant->ep_mode,
	};

	EXPECT_EQ(0, kdbus_run_as(1000, 1001, child_owner_unprivileged, &ctx));
}

TEST_F(bus, second_make_on_same_fd_ebadfd)
{
	char other[64];
	struct stat st;

	ASSERT_EQ(0, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
	kdbus_name(other, sizeof(other), "other");
	EXPECT_EQ(-EBADFD, kdbus_bus_make(self->ctl, 0, other, 64, 1));
	EXPECT_EQ(-EBADFD, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, other, &st));
	EXPECT_EQ(0, kdbus_stat(&self->dom, self->name, &st));
}

TEST_F(bus, make_on_endpoint_ebadfd)
{
	char other[64];
	int owner, ep;

	owner = kdbus_bus_create(&self->dom, 0, "owner", NULL, 0);
	ASSERT_LE(0, owner);
	kdbus_name(other, sizeof(other), "owner");
	ep = kdbus_bus_open(&self->dom, other, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ep);
	EXPECT_EQ(-EBADFD, kdbus_bus_make(ep, 0, self->name, 64, 1));
	EXPECT_EQ(4, root_entries(&self->dom));
	close(ep);
	close(owner);
}

TEST_F(bus, same_name_eexist)
{
	struct kdbus_cmd *cmd;
	char other[64];
	int ctl2;

	ASSERT_EQ(0, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
	ctl2 = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl2);

	cmd = bus_make_args(KDBUS_MAKE_ACCESS_WORLD, self->name);
	cmd->return_flags = ~0ULL;
	EXPECT_EQ(-EEXIST, kdbus_ioctl(ctl2, KDBUS_CMD_BUS_MAKE, cmd));
	/* return_flags is written back on failure, too */
	EXPECT_EQ(0ULL, cmd->return_flags);
	kdbus_args_release(cmd);

	/* the failed handle is still NONE: it can make another bus */
	kdbus_name(other, sizeof(other), "other");
	EXPECT_EQ(0, kdbus_bus_make(ctl2, 0, other, 64, 1));
	EXPECT_EQ(5, root_entries(&self->dom));
	close(ctl2);
}

TEST_F(bus, missing_mandatory_items)
{
	struct kdbus_cmd *cmd;

	/* no MAKE_NAME */
	EXPECT_EQ(-EINVAL, kdbus_bus_make(self->ctl, 0, NULL, 64, 1));

	/* no BLOOM_PARAMETER */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	/* nothing at all */
	cmd = kdbus_args_new(sizeof(*cmd));
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	EXPECT_EQ(3, root_entries(&self->dom));
	/* the handle is still usable */
	EXPECT_EQ(0, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
}

TEST_F(bus, bloom_parameters)
{
	static const __u64 bad_sizes[] = { 0, 1, 7, 12, 4095, 4097, 4104,
					   8192, ~0ULL };
	static const __u64 good_sizes[] = { 8, 16, 64, 4096 };
	static const __u64 good_hashes[] = { 1, 64, ~0ULL };
	char name[64];
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		EXPECT_EQ(-EINVAL, kdbus_bus_make(self->ctl, 0, self->name,
						  bad_sizes[i], 1))
			TH_LOG("bloom size %llu",
			       (unsigned long long)bad_sizes[i]);
	}
	EXPECT_EQ(-EINVAL, kdbus_bus_make(self->ctl, 0, self->name, 64, 0))
		TH_LOG("n_hash 0");
	EXPECT_EQ(3, root_entries(&self->dom));

	for (i = 0; i < ARRAY_SIZE(good_sizes); i++) {
		snprintf(name, sizeof(name), "%u-size%u", geteuid(), i);
		fd = kdbus_open_control(&self->dom);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, kdbus_bus_make(fd, 0, name, good_sizes[i], 1))
			TH_LOG("bloom size %llu",
			       (unsigned long long)good_sizes[i]);
		close(fd);
	}
	for (i = 0; i < ARRAY_SIZE(good_hashes); i++) {
		snprintf(name, sizeof(name), "%u-hash%u", geteuid(), i);
		fd = kdbus_open_control(&self->dom);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, kdbus_bus_make(fd, 0, name, 8, good_hashes[i]))
			TH_LOG("n_hash %llu",
			       (unsigned long long)good_hashes[i]);
		close(fd);
	}
}

TEST_F(bus, attach_flags)
{
	static const __u64 bad[] = {
		1ULL << 14, _KDBUS_ATTACH_ALL | (1ULL << 20), 1ULL << 63,
		~0ULL - 1,
	};
	static const __u64 good[] = { 0, KDBUS_ATTACH_CREDS,
				      _KDBUS_ATTACH_ALL, _KDBUS_ATTACH_ANY };
	char name[64];
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL,
			  kdbus_bus_make_attach(self->ctl, 0, self->name, 64,
						1, &bad[i], NULL))
			TH_LOG("ATTACH_FLAGS_SEND 0x%llx",
			       (unsigned long long)bad[i]);
		EXPECT_EQ(-EINVAL,
			  kdbus_bus_make_attach(self->ctl, 0, self->name, 64,
						1, NULL, &bad[i]))
			TH_LOG("ATTACH_FLAGS_RECV 0x%llx",
			       (unsigned long long)bad[i]);
	}
	EXPECT_EQ(3, root_entries(&self->dom));

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(name, sizeof(name), "%u-attach%u", geteuid(), i);
		fd = kdbus_open_control(&self->dom);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, kdbus_bus_make_attach(fd, 0, name, 64, 1,
						   &good[i], &good[i]))
			TH_LOG("attach flags 0x%llx",
			       (unsigned long long)good[i]);
		close(fd);
	}
}

TEST_F(bus, invalid_names)
{
	static const char * const bad[] = {
		"foo",			/* no uid prefix */
		"-foo",
		"0foo",
		"",			/* empty */
		"-",
		"1-foo",		/* uid 1 is not us */
		"4294967295-foo",
		"PFX-foo@bar",		/* '@' */
		"PFX-foo-",		/* ends in '-' */
		"PFX-foo.",		/* ends in '.' */
		"-PFX-foo",		/* starts with '-' */
		".PFX-foo",
		"PFX-",			/* nothing after the prefix */
		"PFX",
		"PFX-foo bar",
		"PFX-foo/bar",
		"PFX-foo\xc3\xa4",	/* not ASCII */
		"PFX-foo\n",
		"PFX-foo:bar",
		"PFX-foo*",
	};
	char name[128], uid[16];
	unsigned int i;
	const char *p;

	snprintf(uid, sizeof(uid), "%u", geteuid());
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* replace "PFX" by our uid */
		p = strstr(bad[i], "PFX");
		if (p)
			snprintf(name, sizeof(name), "%.*s%s%s",
				 (int)(p - bad[i]), bad[i], uid, p + 3);
		else
			snprintf(name, sizeof(name), "%s", bad[i]);
		EXPECT_EQ(-EINVAL, kdbus_bus_make(self->ctl, 0, name, 64, 1))
			TH_LOG("name \"%s\"", name);
	}
	EXPECT_EQ(3, root_entries(&self->dom));
}

TEST_F(bus, valid_names)
{
	static const char * const good[] = {
		"a", "foo", "Foo.Bar", "foo-bar", "foo_bar", "_", "a.b-c_d.9",
		"0", "foo..bar", "x-",
	};
	char name[128];
	struct stat st;
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		/* "x-" gets a trailing letter to be valid: "x-y" */
		snprintf(name, sizeof(name), "%u-%s%s", geteuid(), good[i],
			 strcmp(good[i], "x-") ? "" : "y");
		fd = kdbus_open_control(&self->dom);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, kdbus_bus_make(fd, 0, name, 64, 1))
			TH_LOG("name \"%s\"", name);
		EXPECT_EQ(0, kdbus_stat(&self->dom, name, &st))
			TH_LOG("name \"%s\"", name);
		close(fd);
	}
}

TEST_F(bus, name_length)
{
	struct kdbus_dirent ents[8];
	char name[256];
	size_t len;
	int n;

	len = snprintf(name, sizeof(name), "%u-", geteuid());
	memset(name + len, 'x', sizeof(name) - len);

	/* 64 and more characters */
	name[64] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kdbus_bus_make(self->ctl, 0, name, 64, 1));
	name[64] = 'x';
	name[200] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, kdbus_bus_make(self->ctl, 0, name, 64, 1));
	EXPECT_EQ(3, root_entries(&self->dom));

	/* exactly 63 characters: accepted and listed under that name */
	name[63] = '\0';
	ASSERT_EQ(63U, strlen(name));
	EXPECT_EQ(0, kdbus_bus_make(self->ctl, 0, name, 64, 1));
	n = kdbus_readdir(self->dom.path, ents, 8);
	ASSERT_EQ(4, n);
	EXPECT_EQ(DT_DIR, kdbus_dirent_type(ents, n, name));
}

TEST_F(bus, string_item_rules)
{
	struct kdbus_cmd *cmd;
	char buf[64];
	size_t len;

	/* not NUL-terminated */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_bloom(cmd, 64, 1);
	kdbus_args_add(cmd, KDBUS_ITEM_MAKE_NAME, self->name,
		       strlen(self->name));
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	/* a NUL inside the name */
	len = snprintf(buf, sizeof(buf), "%s", self->name);
	buf[2] = '\0';
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_bloom(cmd, 64, 1);
	kdbus_args_add(cmd, KDBUS_ITEM_MAKE_NAME, buf, len + 1);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	/* zero padding counted in the item size */
	memset(buf, 0, sizeof(buf));
	len = snprintf(buf, sizeof(buf), "%s", self->name);
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_bloom(cmd, 64, 1);
	kdbus_args_add(cmd, KDBUS_ITEM_MAKE_NAME, buf,
		       KDBUS_ALIGN8(len + 1) + 8);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	/* a lone NUL and an empty payload */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_bloom(cmd, 64, 1);
	kdbus_args_add(cmd, KDBUS_ITEM_MAKE_NAME, "", 1);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_bloom(cmd, 64, 1);
	kdbus_args_add(cmd, KDBUS_ITEM_MAKE_NAME, NULL, 0);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	EXPECT_EQ(3, root_entries(&self->dom));
}

TEST_F(bus, duplicated_items)
{
	static const __u64 types[] = {
		KDBUS_ITEM_MAKE_NAME, KDBUS_ITEM_BLOOM_PARAMETER,
		KDBUS_ITEM_ATTACH_FLAGS_SEND, KDBUS_ITEM_ATTACH_FLAGS_RECV,
		KDBUS_ITEM_NEGOTIATE,
	};
	struct kdbus_cmd *cmd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		cmd = bus_make_args(0, self->name);
		switch (types[i]) {
		case KDBUS_ITEM_MAKE_NAME:
			kdbus_args_add_str(cmd, types[i], self->name);
			break;
		case KDBUS_ITEM_BLOOM_PARAMETER:
			kdbus_args_add_bloom(cmd, 64, 1);
			break;
		case KDBUS_ITEM_NEGOTIATE:
			kdbus_args_add_u64(cmd, types[i], KDBUS_ITEM_MAKE_NAME);
			kdbus_args_add_u64(cmd, types[i], KDBUS_ITEM_MAKE_NAME);
			break;
		default:
			kdbus_args_add_u64(cmd, types[i], 0);
			kdbus_args_add_u64(cmd, types[i], 0);
			break;
		}
		EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd))
			TH_LOG("item type 0x%llx twice",
			       (unsigned long long)types[i]);
	}
	EXPECT_EQ(3, root_entries(&self->dom));
}

TEST_F(bus, unaccepted_item_types)
{
	struct kdbus_vec vec = { .size = 1, .address = 0 };
	struct kdbus_cmd *cmd;
	__u64 zero = 0;

	cmd = bus_make_args(0, self->name);
	kdbus_args_add(cmd, _KDBUS_ITEM_NULL, &zero, sizeof(zero));
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	cmd = bus_make_args(0, self->name);
	kdbus_args_add(cmd, 0x4242, &zero, sizeof(zero));
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	cmd = bus_make_args(0, self->name);
	kdbus_args_add_str(cmd, KDBUS_ITEM_NAME, "foo.bar");
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	cmd = bus_make_args(0, self->name);
	kdbus_args_add_str(cmd, KDBUS_ITEM_CONN_DESCRIPTION, "desc");
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	cmd = bus_make_args(0, self->name);
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ID, 1);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	cmd = bus_make_args(0, self->name);
	kdbus_args_add(cmd, KDBUS_ITEM_PAYLOAD_VEC, &vec, sizeof(vec));
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	cmd = bus_make_args(0, self->name);
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_WORLD,
			      KDBUS_POLICY_SEE, 0);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	EXPECT_EQ(3, root_entries(&self->dom));
}

TEST_F(bus, payload_sizes)
{
	struct kdbus_cmd *cmd;
	__u64 data[4] = { 64, 1, 0, 0 };

	/* BLOOM_PARAMETER must be exactly 16 bytes */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	kdbus_args_add(cmd, KDBUS_ITEM_BLOOM_PARAMETER, data, 8);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	kdbus_args_add(cmd, KDBUS_ITEM_BLOOM_PARAMETER, data, 24);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	/* attach masks are exactly 8 bytes */
	cmd = bus_make_args(0, self->name);
	kdbus_args_add(cmd, KDBUS_ITEM_ATTACH_FLAGS_SEND, &data[2], 4);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));
	cmd = bus_make_args(0, self->name);
	kdbus_args_add(cmd, KDBUS_ITEM_ATTACH_FLAGS_RECV, &data[2], 16);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	/* NEGOTIATE is an array of __u64 */
	cmd = bus_make_args(0, self->name);
	kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, &data[2], 4);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));
	cmd = bus_make_args(0, self->name);
	kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, &data[2], 12);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	EXPECT_EQ(3, root_entries(&self->dom));
}

TEST_F(bus, item_tiling)
{
	struct kdbus_item *item;
	struct kdbus_cmd *cmd;
	int i;

	/* an item shorter than its header, and one of size 0 */
	for (i = 0; i < 2; i++) {
		cmd = bus_make_args(0, self->name);
		item = (struct kdbus_item *)((__u8 *)cmd + cmd->size);
		item->size = i ? 8 : 0;
		item->type = KDBUS_ITEM_NEGOTIATE;
		cmd->size += 16;
		EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd))
			TH_LOG("item size %d", i ? 8 : 0);
	}

	/* an item reaching past the end of the argument */
	cmd = bus_make_args(0, self->name);
	item = kdbus_args_add_u64(cmd, KDBUS_ITEM_NEGOTIATE,
				  KDBUS_ITEM_MAKE_NAME);
	item->size = 64;
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	/* stray bytes (a partial header) after the last item */
	cmd = bus_make_args(0, self->name);
	cmd->size += 8;
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));
	cmd = bus_make_args(0, self->name);
	cmd->size += 15;
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));
	EXPECT_EQ(3, root_entries(&self->dom));

	/* size need not include the padding of the last item */
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_bloom(cmd, 64, 1);
	item = kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	cmd->size = (__u8 *)item - (__u8 *)cmd + item->size;
	ASSERT_NE(0ULL, cmd->size % 8) TH_LOG("test needs an unaligned size");
	EXPECT_EQ(0, bus_make_raw(self->ctl, cmd));
	EXPECT_EQ(4, root_entries(&self->dom));
}

TEST_F(bus, padding_not_inspected)
{
	struct kdbus_item *item;
	struct kdbus_cmd *cmd;
	__u8 *end;

	cmd = kdbus_args_new(sizeof(*cmd));
	item = kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	/* fill the padding after the name with garbage */
	end = (__u8 *)item + item->size;
	memset(end, 0xff, KDBUS_ALIGN8(item->size) - item->size);
	kdbus_args_add_bloom(cmd, 64, 1);
	EXPECT_EQ(0, bus_make_raw(self->ctl, cmd));
	EXPECT_EQ(4, root_entries(&self->dom));
}

TEST_F(bus, unknown_flags)
{
	static const __u64 bad[] = {
		1ULL << 2, 1ULL << 3, 1ULL << 32, 1ULL << 62,
		~KDBUS_FLAG_NEGOTIATE,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, kdbus_bus_make(self->ctl, bad[i],
						  self->name, 64, 1))
			TH_LOG("flags 0x%llx", (unsigned long long)bad[i]);
	}
	EXPECT_EQ(3, root_entries(&self->dom));
}

TEST_F(bus, argument_size)
{
	static const __u64 small[] = { 0, 1, 8, 16, 23 };
	static const __u64 big[] = { KDBUS_CMD_MAX_SIZE + 1,
				     KDBUS_CMD_MAX_SIZE + 8, 1ULL << 32,
				     ~0ULL };
	struct kdbus_cmd *cmd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(small); i++) {
		cmd = bus_make_args(0, self->name);
		cmd->size = small[i];
		EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd))
			TH_LOG("size %llu", (unsigned long long)small[i]);
	}
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		cmd = bus_make_args(0, self->name);
		cmd->size = big[i];
		EXPECT_EQ(-EMSGSIZE, bus_make_raw(self->ctl, cmd))
			TH_LOG("size %llu", (unsigned long long)big[i]);
	}
	EXPECT_EQ(3, root_entries(&self->dom));
}

/* exactly KDBUS_CMD_MAX_SIZE is accepted */
TEST_F(bus, argument_size_limit)
{
	struct kdbus_cmd *cmd = bus_make_args(0, self->name);
	size_t payload;

	/* fill up with a NEGOTIATE item of zero entries */
	payload = KDBUS_CMD_MAX_SIZE - cmd->size - KDBUS_ITEM_HEADER_SIZE;
	ASSERT_EQ(0U, payload % 8);
	kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, NULL, 0)->size += payload;
	cmd->size += payload;
	ASSERT_EQ((__u64)KDBUS_CMD_MAX_SIZE, cmd->size);
	EXPECT_EQ(0, bus_make_raw(self->ctl, cmd));
	EXPECT_EQ(4, root_entries(&self->dom));
}

TEST_F(bus, bad_argument_pointer_efault)
{
	struct kdbus_cmd *cmd = bus_make_args(0, self->name);
	long page = sysconf(_SC_PAGESIZE);
	__u8 *buf, *map;

	/* misaligned by one byte */
	buf = aligned_alloc(8, cmd->size + 16);
	ASSERT_NE(NULL, buf);
	memcpy(buf + 1, cmd, cmd->size);
	EXPECT_EQ(-EFAULT, kdbus_ioctl(self->ctl, KDBUS_CMD_BUS_MAKE,
				       buf + 1));
	free(buf);

	EXPECT_EQ(-EFAULT, kdbus_ioctl(self->ctl, KDBUS_CMD_BUS_MAKE, NULL));

	/* unreadable memory, and an argument running into it */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));
	EXPECT_EQ(-EFAULT, kdbus_ioctl(self->ctl, KDBUS_CMD_BUS_MAKE,
				       map + page));
	memcpy(map + page - 24, cmd, 24);
	EXPECT_EQ(-EFAULT, kdbus_ioctl(self->ctl, KDBUS_CMD_BUS_MAKE,
				       map + page - 24));
	munmap(map, 2 * page);
	kdbus_args_release(cmd);

	EXPECT_EQ(3, root_entries(&self->dom));
	EXPECT_EQ(0, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
}

struct emfile_ctx {
	const struct kdbus_domain *a, *b;
};

/* child: make 16 buses, fail on the 17th, per domain and per live bus */
static int child_emfile(void *arg)
{
	const struct emfile_ctx *ctx = arg;
	int fds[KDBUS_USER_MAX_BUSES], fd, ret, i;
	char name[64];
	struct stat st;

	for (i = 0; i < KDBUS_USER_MAX_BUSES; i++) {
		snprintf(name, sizeof(name), "%u-bus%d", geteuid(), i);
		fds[i] = kdbus_open_control(ctx->a);
		if (fds[i] < 0) {
			kdbus_log("open control: %s", strerror(-fds[i]));
			return 100;
		}
		ret = kdbus_bus_make(fds[i], 0, name, 64, 1);
		if (ret < 0) {
			kdbus_log("bus %d: %s", i, strerror(-ret));
			return 101;
		}
	}

	fd = kdbus_open_control(ctx->a);
	if (fd < 0)
		return 102;
	snprintf(name, sizeof(name), "%u-bus%d", geteuid(), i);
	ret = kdbus_bus_make(fd, 0, name, 64, 1);
	if (ret != -EMFILE) {
		kdbus_log("17th bus: got %d, want -EMFILE", ret);
		return 103;
	}
	if (kdbus_stat(ctx->a, name, &st) != -ENOENT) {
		kdbus_log("17th bus exists after EMFILE");
		return 104;
	}

	/* the limit is per domain */
	ret = kdbus_bus_create(ctx->b, 0, "other", NULL, 0);
	if (ret < 0) {
		kdbus_log("bus in the second domain: %s", strerror(-ret));
		return 105;
	}

	/* and counts live buses only */
	close(fds[0]);
	ret = kdbus_bus_make(fd, 0, name, 64, 1);
	if (ret < 0) {
		kdbus_log("bus after closing one: %s", strerror(-ret));
		return 106;
	}
	return 0;
}

TEST_F(bus, emfile_per_user_bus_limit)
{
	struct emfile_ctx ctx = { .a = &self->dom, .b = &self->dom2 };

	ASSERT_EQ(0, kdbus_domain_mount(&self->dom2));
	EXPECT_EQ(0, kdbus_run_as(1000, 1000, child_emfile, &ctx));
}

TEST_F(bus, lifetime)
{
	struct kdbus_dirent ents[8];
	char rel[128], epname[64];
	struct stat st;
	int ep, dirfd, fd, ret;

	kdbus_name(epname, sizeof(epname), "ep");

	ASSERT_EQ(0, kdbus_bus_make(self->ctl, KDBUS_MAKE_ACCESS_WORLD,
				    self->name, 64, 1));
	ep = kdbus_bus_open(&self->dom, self->name, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ep);
	dirfd = kdbus_open(&self->dom, self->name, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dirfd);

	close(self->ctl);
	self->ctl = -1;

	/* the directory is gone at once */
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, self->name, &st));
	snprintf(rel, sizeof(rel), "%s/bus", self->name);
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, rel, &st));
	EXPECT_EQ(3, kdbus_readdir(self->dom.path, ents, 8));
	fd = openat(dirfd, "bus", O_RDWR | O_CLOEXEC);
	ret = fd < 0 ? errno : 0;
	EXPECT_TRUE(ret == ENOENT || ret == ESHUTDOWN)
		TH_LOG("openat(dead bus dir, \"bus\"): %s", strerror(ret));
	if (fd >= 0)
		close(fd);

	/* a handle opened before is dead */
	EXPECT_EQ(-ESHUTDOWN, kdbus_ep_make(ep, 0, epname));

	/* the name is free again, and the old handle stays dead */
	self->ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, self->ctl);
	EXPECT_EQ(0, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
	EXPECT_EQ(0, kdbus_stat(&self->dom, self->name, &st));
	EXPECT_EQ(-ESHUTDOWN, kdbus_ep_make(ep, 0, epname));
	close(dirfd);
	close(ep);
}

TEST_F(bus, negotiate_flags)
{
	struct kdbus_cmd *cmd;
	struct stat st;

	cmd = bus_make_args(KDBUS_FLAG_NEGOTIATE, self->name);
	ASSERT_EQ(0, kdbus_ioctl(self->ctl, KDBUS_CMD_BUS_MAKE, cmd));
	EXPECT_EQ((__u64)(KDBUS_MAKE_ACCESS_GROUP | KDBUS_MAKE_ACCESS_WORLD),
		  cmd->flags);
	kdbus_args_release(cmd);

	cmd = bus_make_args(KDBUS_FLAG_NEGOTIATE | KDBUS_MAKE_ACCESS_WORLD,
			    self->name);
	ASSERT_EQ(0, kdbus_ioctl(self->ctl, KDBUS_CMD_BUS_MAKE, cmd));
	EXPECT_EQ(0x3ULL, cmd->flags);
	kdbus_args_release(cmd);

	/* nothing was created */
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, self->name, &st));
	EXPECT_EQ(3, root_entries(&self->dom));

	/* the handle is still NONE */
	EXPECT_EQ(0, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
	EXPECT_EQ(0, kdbus_stat(&self->dom, self->name, &st));
}

TEST_F(bus, negotiate_validates_first)
{
	struct kdbus_cmd *cmd;

	/* unknown flags are refused, negotiation or not */
	cmd = bus_make_args(KDBUS_FLAG_NEGOTIATE | (1ULL << 2), self->name);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	/* mandatory items are still required */
	cmd = kdbus_args_new(sizeof(*cmd));
	cmd->flags = KDBUS_FLAG_NEGOTIATE;
	kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, self->name);
	EXPECT_EQ(-EINVAL, bus_make_raw(self->ctl, cmd));

	EXPECT_EQ(3, root_entries(&self->dom));
}

static const __u64 negotiate_in[] = {
	KDBUS_ITEM_MAKE_NAME, KDBUS_ITEM_NAME, KDBUS_ITEM_BLOOM_PARAMETER,
	KDBUS_ITEM_POLICY_ACCESS, KDBUS_ITEM_ATTACH_FLAGS_SEND,
	KDBUS_ITEM_ATTACH_FLAGS_RECV, KDBUS_ITEM_NEGOTIATE, 0x4242,
	KDBUS_ITEM_CREDS, KDBUS_ITEM_PAYLOAD_VEC, _KDBUS_ITEM_NULL,
	KDBUS_ITEM_ID_ADD,
};

static const __u64 negotiate_out[] = {
	KDBUS_ITEM_MAKE_NAME, 0, KDBUS_ITEM_BLOOM_PARAMETER,
	0, KDBUS_ITEM_ATTACH_FLAGS_SEND,
	KDBUS_ITEM_ATTACH_FLAGS_RECV, KDBUS_ITEM_NEGOTIATE, 0,
	0, 0, 0,
	0,
};

TEST_F(bus, negotiate_item)
{
	const unsigned int n = ARRAY_SIZE(negotiate_in);
	struct kdbus_item *item;
	struct kdbus_cmd *cmd;
	struct stat st;
	unsigned int i;
	int pass;

	/* pass 0: with the flag (nothing made); pass 1: without */
	for (pass = 0; pass < 2; pass++) {
		cmd = bus_make_args(pass ? 0 : KDBUS_FLAG_NEGOTIATE,
				    self->name);
		item = kdbus_args_add(cmd, KDBUS_ITEM_NEGOTIATE, negotiate_in,
				      sizeof(negotiate_in));
		ASSERT_EQ(0, kdbus_ioctl(self->ctl, KDBUS_CMD_BUS_MAKE, cmd));
		for (i = 0; i < n; i++) {
			EXPECT_EQ(negotiate_out[i], item->data64[i])
				TH_LOG("pass %d entry %u (type 0x%llx)", pass,
				       i, (unsigned long long)negotiate_in[i]);
		}
		if (!pass) {
			EXPECT_EQ(0x3ULL, cmd->flags);
			EXPECT_EQ(-ENOENT,
				  kdbus_stat(&self->dom, self->name, &st));
		} else {
			EXPECT_EQ(0, kdbus_stat(&self->dom, self->name, &st));
		}
		kdbus_args_release(cmd);
	}
}

/* every kdbus ioctl but BUS_MAKE on a NONE control handle */
TEST_F(bus, none_control_handle_ebadfd)
{
	unsigned int i;

	for (i = 0; i < KDBUS_CMD_COUNT; i++) {
		if (kdbus_cmds[i] == KDBUS_CMD_BUS_MAKE)
			continue;
		EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(self->ctl,
							kdbus_cmds[i]))
			TH_LOG("%s", kdbus_cmd_name(kdbus_cmds[i]));
	}
	/* none of it changed the state */
	EXPECT_EQ(0, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
}

/* every kdbus ioctl on a BUS_OWNER handle */
TEST_F(bus, bus_owner_handle_ebadfd)
{
	char ep[64];
	unsigned int i;

	ASSERT_EQ(0, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
	for (i = 0; i < KDBUS_CMD_COUNT; i++) {
		EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(self->ctl,
							kdbus_cmds[i]))
			TH_LOG("%s", kdbus_cmd_name(kdbus_cmds[i]));
	}
	/* and with well-formed making arguments */
	EXPECT_EQ(-EBADFD, kdbus_ep_make(self->ctl, 0,
					 kdbus_name(ep, sizeof(ep), "ep")));
}

/* everything but ENDPOINT_MAKE and HELLO on a NONE endpoint handle */
TEST_F(bus, none_endpoint_handle_ebadfd)
{
	unsigned int i;
	int ep;

	ASSERT_EQ(0, kdbus_bus_make(self->ctl, 0, self->name, 64, 1));
	ep = kdbus_bus_open(&self->dom, self->name, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ep);
	for (i = 0; i < KDBUS_CMD_COUNT; i++) {
		if (kdbus_cmds[i] == KDBUS_CMD_ENDPOINT_MAKE ||
		    kdbus_cmds[i] == KDBUS_CMD_HELLO)
			continue;
		EXPECT_EQ(-EBADFD, kdbus_cmd_call_empty(ep, kdbus_cmds[i]))
			TH_LOG("%s", kdbus_cmd_name(kdbus_cmds[i]));
	}
	close(ep);
}

TEST_F(bus, unknown_ioctl_enotty)
{
	static const unsigned long bad[] = {
		_IOW(KDBUS_IOCTL_MAGIC, 0x01, struct kdbus_cmd),
		_IOW(KDBUS_IOCTL_MAGIC, 0x12, struct kdbus_cmd),
		_IOW(KDBUS_IOCTL_MAGIC, 0x87, struct kdbus_cmd),
		_IOW(KDBUS_IOCTL_MAGIC, 0xff, struct kdbus_cmd),
		_IOW(0x96, 0x00, struct kdbus_cmd),
		/* a known nr with the wrong direction or size */
		_IOR(KDBUS_IOCTL_MAGIC, 0x00, struct kdbus_cmd),
		_IOW(KDBUS_IOCTL_MAGIC, 0x00, struct kdbus_cmd_hello),
		_IOW(KDBUS_IOCTL_MAGIC, 0x80, struct kdbus_cmd_hello),
		_IO(KDBUS_IOCTL_MAGIC, 0x10),
		0x5401,		/* TCGETS */
	};
	struct kdbus_cmd *cmd = bus_make_args(0, self->name);
	int owner, ep, fds[3];
	unsigned int i, j;
	char name[64];

	owner = kdbus_bus_create(&self->dom, 0, "owner", name, sizeof(name));
	ASSERT_LE(0, owner);
	ep = kdbus_bus_open(&self->dom, name, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ep);
	fds[0] = self->ctl;
	fds[1] = owner;
	fds[2] = ep;

	for (j = 0; j < 3; j++) {
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			EXPECT_EQ(-ENOTTY, kdbus_ioctl(fds[j], bad[i], cmd))
				TH_LOG("handle %u ioctl 0x%lx", j, bad[i]);
		}
	}

	/* the NONE control handle was not touched */
	EXPECT_EQ(0, kdbus_ioctl(self->ctl, KDBUS_CMD_BUS_MAKE, cmd));
	kdbus_args_release(cmd);
	close(ep);
	close(owner);
}

TEST_HARNESS_MAIN
