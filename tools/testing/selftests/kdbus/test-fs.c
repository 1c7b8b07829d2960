// SPDX-License-Identifier: GPL-2.0
/*
 * kdbusfs: mounts, domains, the layout of a domain, file operations.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "kdbus-test.h"

FIXTURE(fs) {
	struct kdbus_domain dom;
	struct kdbus_domain dom2;	/* a second domain, if a test needs it */
	char extra[64];			/* a bind mount point, if any */
};

FIXTURE_SETUP(fs)
{
	KDBUS_SETUP_DOMAIN(&self->dom);
}

FIXTURE_TEARDOWN(fs)
{
	if (self->extra[0]) {
		umount2(self->extra, MNT_DETACH);
		rmdir(self->extra);
	}
	kdbus_domain_umount(&self->dom2);
	kdbus_domain_umount(&self->dom);
}

TEST_F(fs, statfs_magic)
{
	struct statfs sfs;

	ASSERT_EQ(0, statfs(self->dom.path, &sfs));
	EXPECT_EQ(KDBUS_SUPER_MAGIC, (unsigned long)sfs.f_type);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), (long)sfs.f_bsize);
}

TEST_F(fs, root_and_control_modes)
{
	struct stat st;

	ASSERT_EQ(0, kdbus_stat(&self->dom, NULL, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0555U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);

	ASSERT_EQ(0, kdbus_stat(&self->dom, "control", &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0666U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);
}

TEST_F(fs, readdir_fresh_domain)
{
	struct kdbus_dirent ents[8];
	int n;

	n = kdbus_readdir(self->dom.path, ents, 8);
	ASSERT_EQ(3, n);
	EXPECT_STREQ(".", ents[0].name);
	EXPECT_EQ(DT_DIR, ents[0].type);
	EXPECT_STREQ("..", ents[1].name);
	EXPECT_EQ(DT_DIR, ents[1].type);
	EXPECT_STREQ("control", ents[2].name);
	EXPECT_EQ(DT_REG, ents[2].type);
}

TEST_F(fs, readdir_shows_buses)
{
	struct kdbus_dirent ents[8];
	char a[64], b[64];
	int fa, fb, n;

	fa = kdbus_bus_create(&self->dom, 0, "alpha", a, sizeof(a));
	ASSERT_LE(0, fa);
	fb = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD, "beta",
			      b, sizeof(b));
	ASSERT_LE(0, fb);

	n = kdbus_readdir(self->dom.path, ents, 8);
	ASSERT_EQ(5, n);
	EXPECT_EQ(DT_DIR, kdbus_dirent_type(ents, n, "."));
	EXPECT_EQ(DT_DIR, kdbus_dirent_type(ents, n, ".."));
	EXPECT_EQ(DT_REG, kdbus_dirent_type(ents, n, "control"));
	EXPECT_EQ(DT_DIR, kdbus_dirent_type(ents, n, a));
	EXPECT_EQ(DT_DIR, kdbus_dirent_type(ents, n, b));

	/* a bus directory holds exactly its default endpoint */
	n = kdbus_readdir(kdbus_path(&self->dom, a), ents, 8);
	ASSERT_EQ(3, n);
	EXPECT_STREQ(".", ents[0].name);
	EXPECT_STREQ("..", ents[1].name);
	EXPECT_STREQ("bus", ents[2].name);
	EXPECT_EQ(DT_REG, ents[2].type);

	close(fa);
	n = kdbus_readdir(self->dom.path, ents, 8);
	ASSERT_EQ(4, n);
	EXPECT_EQ(-1, kdbus_dirent_type(ents, n, a));
	EXPECT_EQ(DT_DIR, kdbus_dirent_type(ents, n, b));
	close(fb);
	EXPECT_EQ(3, kdbus_readdir(self->dom.path, ents, 8));
}

TEST_F(fs, mount_source_and_options_ignored)
{
	struct statfs sfs;
	struct stat st;
	int ret;

	ret = kdbus_domain_mount_opts(&self->dom2, "something-else",
				      "mode=0777,uid=1000,gid=1000,bogus");
	ASSERT_EQ(0, ret) TH_LOG("mount with options: %s", strerror(-ret));
	ASSERT_EQ(0, statfs(self->dom2.path, &sfs));
	EXPECT_EQ(KDBUS_SUPER_MAGIC, (unsigned long)sfs.f_type);
	ASSERT_EQ(0, kdbus_stat(&self->dom2, NULL, &st));
	EXPECT_EQ(0555U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);
	ASSERT_EQ(0, kdbus_stat(&self->dom2, "control", &st));
	EXPECT_EQ(0666U, st.st_mode & 07777);
}

TEST_F(fs, mounts_are_independent_domains)
{
	struct kdbus_dirent ents[8];
	struct stat st;
	char name[64];
	int fa, fb;

	ASSERT_EQ(0, kdbus_domain_mount(&self->dom2));

	fa = kdbus_bus_create(&self->dom, 0, "foo", name, sizeof(name));
	ASSERT_LE(0, fa);
	ASSERT_EQ(0, kdbus_stat(&self->dom, name, &st));

	/* not visible in the other domain */
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom2, name, &st));
	EXPECT_EQ(3, kdbus_readdir(self->dom2.path, ents, 8));

	/* the same name can be created there */
	fb = kdbus_bus_create(&self->dom2, 0, "foo", NULL, 0);
	ASSERT_LE(0, fb);
	EXPECT_EQ(0, kdbus_stat(&self->dom2, name, &st));

	/* and each lives on its own */
	close(fa);
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom, name, &st));
	EXPECT_EQ(0, kdbus_stat(&self->dom2, name, &st));
	close(fb);
	EXPECT_EQ(-ENOENT, kdbus_stat(&self->dom2, name, &st));
}

TEST_F(fs, bind_mount_shares_domain)
{
	char name[64], path[128];
	struct stat st;
	int fa, fb;

	snprintf(self->extra, sizeof(self->extra), "/tmp/kdbus-bind.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->extra));
	ASSERT_EQ(0, mount(self->dom.path, self->extra, NULL, MS_BIND, NULL));

	fa = kdbus_bus_create(&self->dom, 0, "shared", name, sizeof(name));
	ASSERT_LE(0, fa);
	snprintf(path, sizeof(path), "%s/%s", self->extra, name);
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));

	/* the bind mount's control file creates in the same domain */
	snprintf(path, sizeof(path), "%s/control", self->extra);
	fb = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fb);
	EXPECT_EQ(-EEXIST, kdbus_bus_make(fb, 0, name, 64, 1));
	close(fb);
	close(fa);
	snprintf(path, sizeof(path), "%s/%s", self->extra, name);
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(fs, inode_numbers)
{
	struct stat root, ctl, ctl2, dir, ep, other;
	char name[64], rel[128];
	int fd;

	ASSERT_EQ(0, kdbus_domain_mount(&self->dom2));
	fd = kdbus_bus_create(&self->dom, 0, "ino", name, sizeof(name));
	ASSERT_LE(0, fd);
	snprintf(rel, sizeof(rel), "%s/bus", name);

	ASSERT_EQ(0, kdbus_stat(&self->dom, NULL, &root));
	ASSERT_EQ(0, kdbus_stat(&self->dom, "control", &ctl));
	ASSERT_EQ(0, kdbus_stat(&self->dom, "control", &ctl2));
	ASSERT_EQ(0, kdbus_stat(&self->dom, name, &dir));
	ASSERT_EQ(0, kdbus_stat(&self->dom, rel, &ep));
	ASSERT_EQ(0, kdbus_stat(&self->dom2, "control", &other));

	EXPECT_LT(0U, ctl.st_ino);
	EXPECT_LT(0U, dir.st_ino);
	EXPECT_LT(0U, ep.st_ino);
	EXPECT_EQ(ctl.st_ino, ctl2.st_ino);
	EXPECT_NE(root.st_ino, ctl.st_ino);
	EXPECT_NE(ctl.st_ino, dir.st_ino);
	EXPECT_NE(dir.st_ino, ep.st_ino);
	EXPECT_NE(ctl.st_ino, ep.st_ino);
	/* unique across all kdbus nodes, not only within a domain */
	EXPECT_NE(ctl.st_ino, other.st_ino);
	close(fd);
}

TEST_F(fs, read_write_einval)
{
	char name[64], buf[16] = { 0 };
	int ctl, owner, ep;

	ctl = kdbus_open_control(&self->dom);
	ASSERT_LE(0, ctl);
	owner = kdbus_bus_create(&self->dom, 0, "rw", name, sizeof(name));
	ASSERT_LE(0, owner);
	ep = kdbus_bus_open(&self->dom, name, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ep);

	EXPECT_EQ(-1, read(ctl, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(ctl, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(owner, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(owner, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(ep, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(ep, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);

	close(ep);
	close(owner);
	close(ctl);
}

TEST_F(fs, llseek_is_noop)
{
	int ctl = kdbus_open_control(&self->dom);

	ASSERT_LE(0, ctl);
	EXPECT_LE(0, lseek(ctl, 0, SEEK_SET));
	EXPECT_LE(0, lseek(ctl, 0, SEEK_CUR));
	close(ctl);
}

TEST_F(fs, poll_on_non_connection_handles)
{
	struct pollfd pfd[3];
	char name[64];
	int i;

	pfd[0].fd = kdbus_open_control(&self->dom);	/* NONE */
	ASSERT_LE(0, pfd[0].fd);
	pfd[1].fd = kdbus_bus_create(&self->dom, 0, "poll", name,
				     sizeof(name));	/* BUS_OWNER */
	ASSERT_LE(0, pfd[1].fd);
	pfd[2].fd = kdbus_bus_open(&self->dom, name,
				   O_RDWR | O_CLOEXEC);	/* NONE */
	ASSERT_LE(0, pfd[2].fd);
	for (i = 0; i < 3; i++) {
		pfd[i].events = POLLIN | POLLOUT;
		pfd[i].revents = 0;
	}

	ASSERT_EQ(3, poll(pfd, 3, 0));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(POLLERR | POLLHUP,
			  pfd[i].revents & (POLLIN | POLLOUT | POLLERR |
					    POLLHUP))
			TH_LOG("handle %d", i);
		close(pfd[i].fd);
	}
}

struct open_ctx {
	const char *path;
};

/* child: open the path read-write; 0 or the errno */
static int child_open(void *arg)
{
	const struct open_ctx *ctx = arg;
	int fd = open(ctx->path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* child: create a bus through control as an unprivileged user */
static int child_make_bus(void *arg)
{
	const struct open_ctx *ctx = arg;
	char name[64];
	int fd, ret;

	fd = open(ctx->path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		kdbus_log("open %s: %m", ctx->path);
		return 100;
	}
	ret = kdbus_bus_make(fd, 0, kdbus_name(name, sizeof(name), "user"),
			     64, 1);
	if (ret < 0) {
		kdbus_log("BUS_MAKE %s: %s", name, strerror(-ret));
		return 101;
	}
	close(fd);
	return 0;
}

TEST_F(fs, control_reachable_by_unprivileged_users)
{
	struct open_ctx ctx = {
		.path = kdbus_path(&self->dom, "control"),
	};

	EXPECT_EQ(0, kdbus_run_as(65534, 65534, child_open, &ctx));
	EXPECT_EQ(0, kdbus_run_as(1000, 1000, child_make_bus, &ctx));
}

TEST_HARNESS_MAIN
