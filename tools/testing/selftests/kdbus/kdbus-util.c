// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the kdbus selftests.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kdbus-util.h"

const unsigned long kdbus_cmds[KDBUS_CMD_COUNT] = {
	KDBUS_CMD_BUS_MAKE,
	KDBUS_CMD_ENDPOINT_MAKE,
	KDBUS_CMD_ENDPOINT_UPDATE,
	KDBUS_CMD_HELLO,
	KDBUS_CMD_UPDATE,
	KDBUS_CMD_BYEBYE,
	KDBUS_CMD_FREE,
	KDBUS_CMD_CONN_INFO,
	KDBUS_CMD_BUS_CREATOR_INFO,
	KDBUS_CMD_LIST,
	KDBUS_CMD_SEND,
	KDBUS_CMD_RECV,
	KDBUS_CMD_NAME_ACQUIRE,
	KDBUS_CMD_NAME_RELEASE,
	KDBUS_CMD_MATCH_ADD,
	KDBUS_CMD_MATCH_REMOVE,
};

const char *kdbus_cmd_name(unsigned long cmd)
{
	switch (cmd) {
	case KDBUS_CMD_BUS_MAKE:		return "BUS_MAKE";
	case KDBUS_CMD_ENDPOINT_MAKE:		return "ENDPOINT_MAKE";
	case KDBUS_CMD_ENDPOINT_UPDATE:		return "ENDPOINT_UPDATE";
	case KDBUS_CMD_HELLO:			return "HELLO";
	case KDBUS_CMD_UPDATE:			return "UPDATE";
	case KDBUS_CMD_BYEBYE:			return "BYEBYE";
	case KDBUS_CMD_FREE:			return "FREE";
	case KDBUS_CMD_CONN_INFO:		return "CONN_INFO";
	case KDBUS_CMD_BUS_CREATOR_INFO:	return "BUS_CREATOR_INFO";
	case KDBUS_CMD_LIST:			return "LIST";
	case KDBUS_CMD_SEND:			return "SEND";
	case KDBUS_CMD_RECV:			return "RECV";
	case KDBUS_CMD_NAME_ACQUIRE:		return "NAME_ACQUIRE";
	case KDBUS_CMD_NAME_RELEASE:		return "NAME_RELEASE";
	case KDBUS_CMD_MATCH_ADD:		return "MATCH_ADD";
	case KDBUS_CMD_MATCH_REMOVE:		return "MATCH_REMOVE";
	}
	return "?";
}

int kdbus_cmd_call_empty(int fd, unsigned long cmd)
{
	void *args = kdbus_args_new(_IOC_SIZE(cmd));
	int ret;

	ret = kdbus_ioctl(fd, cmd, args);
	kdbus_args_release(args);
	return ret;
}

void kdbus_log(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int kdbus_ioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? -errno : ret;
}

void *kdbus_args_new(size_t fixed_size)
{
	__u64 *buf;

	if (fixed_size > KDBUS_ARGS_BUF_SIZE)
		abort();
	buf = aligned_alloc(8, KDBUS_ARGS_BUF_SIZE);
	if (!buf)
		abort();
	memset(buf, 0, KDBUS_ARGS_BUF_SIZE);
	buf[0] = fixed_size;
	return buf;
}

void kdbus_args_release(void *args)
{
	free(args);
}

struct kdbus_item *kdbus_args_add(void *args, __u64 type,
				  const void *payload, size_t len)
{
	__u64 *size = args;
	__u64 pos = KDBUS_ALIGN8(*size);
	struct kdbus_item *item;

	if (pos + KDBUS_ITEM_SIZE(len) > KDBUS_ARGS_BUF_SIZE)
		abort();
	item = (struct kdbus_item *)((__u8 *)args + pos);
	item->size = KDBUS_ITEM_HEADER_SIZE + len;
	item->type = type;
	if (len)
		memcpy(item->data, payload, len);
	*size = pos + KDBUS_ITEM_SIZE(len);
	return item;
}

struct kdbus_item *kdbus_args_add_str(void *args, __u64 type, const char *s)
{
	return kdbus_args_add(args, type, s, strlen(s) + 1);
}

struct kdbus_item *kdbus_args_add_u64(void *args, __u64 type, __u64 v)
{
	return kdbus_args_add(args, type, &v, sizeof(v));
}

struct kdbus_item *kdbus_args_add_bloom(void *args, __u64 size, __u64 n_hash)
{
	struct kdbus_bloom_parameter bp = { .size = size, .n_hash = n_hash };

	return kdbus_args_add(args, KDBUS_ITEM_BLOOM_PARAMETER, &bp,
			      sizeof(bp));
}

struct kdbus_item *kdbus_args_add_policy(void *args, __u64 type,
					 __u64 access, __u64 id)
{
	struct kdbus_policy_access pa = {
		.type = type,
		.access = access,
		.id = id,
	};

	return kdbus_args_add(args, KDBUS_ITEM_POLICY_ACCESS, &pa,
			      sizeof(pa));
}

int kdbus_private_mounts(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	return 0;
}

int kdbus_domain_mount_opts(struct kdbus_domain *dom, const char *source,
			    const char *data)
{
	int ret;

	memset(dom, 0, sizeof(*dom));
	if (mkdir("/tmp", 01777) < 0 && errno != EEXIST)
		return -errno;
	snprintf(dom->path, sizeof(dom->path), "/tmp/kdbus-test.XXXXXX");
	if (!mkdtemp(dom->path))
		return -errno;
	/* unprivileged test children must be able to reach the mount */
	if (chmod(dom->path, 0755) < 0 ||
	    mount(source, dom->path, "kdbusfs", 0, data) < 0) {
		ret = -errno;
		rmdir(dom->path);
		dom->path[0] = '\0';
		return ret;
	}
	dom->mounted = 1;
	return 0;
}

int kdbus_domain_mount(struct kdbus_domain *dom)
{
	return kdbus_domain_mount_opts(dom, "kdbusfs", NULL);
}

void kdbus_domain_umount(struct kdbus_domain *dom)
{
	if (!dom->path[0])
		return;
	if (dom->mounted)
		umount2(dom->path, MNT_DETACH);
	rmdir(dom->path);
	dom->mounted = 0;
	dom->path[0] = '\0';
}

const char *kdbus_path(const struct kdbus_domain *dom, const char *rel)
{
	static char buf[4][512];
	static int idx;
	char *p = buf[idx++ % 4];

	if (!rel || !*rel)
		snprintf(p, sizeof(buf[0]), "%s", dom->path);
	else
		snprintf(p, sizeof(buf[0]), "%s/%s", dom->path, rel);
	return p;
}

int kdbus_open(const struct kdbus_domain *dom, const char *rel, int flags)
{
	int fd = open(kdbus_path(dom, rel), flags);

	return fd < 0 ? -errno : fd;
}

int kdbus_open_control(const struct kdbus_domain *dom)
{
	return kdbus_open(dom, "control", O_RDWR | O_CLOEXEC);
}

int kdbus_stat(const struct kdbus_domain *dom, const char *rel,
	       struct stat *st)
{
	return stat(kdbus_path(dom, rel), st) < 0 ? -errno : 0;
}

const char *kdbus_name(char *buf, size_t len, const char *suffix)
{
	snprintf(buf, len, "%u-%s", (unsigned int)geteuid(), suffix);
	return buf;
}

int kdbus_bus_make_attach(int control_fd, __u64 flags, const char *name,
			  __u64 bloom_size, __u64 n_hash,
			  const __u64 *attach_send, const __u64 *attach_recv)
{
	struct kdbus_cmd *cmd = kdbus_args_new(sizeof(*cmd));
	int ret;

	cmd->flags = flags;
	kdbus_args_add_bloom(cmd, bloom_size, n_hash);
	if (name)
		kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, name);
	if (attach_send)
		kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_SEND,
				   *attach_send);
	if (attach_recv)
		kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_RECV,
				   *attach_recv);
	ret = kdbus_ioctl(control_fd, KDBUS_CMD_BUS_MAKE, cmd);
	kdbus_args_release(cmd);
	return ret;
}

int kdbus_bus_make(int control_fd, __u64 flags, const char *name,
		   __u64 bloom_size, __u64 n_hash)
{
	return kdbus_bus_make_attach(control_fd, flags, name, bloom_size,
				     n_hash, NULL, NULL);
}

int kdbus_bus_create(const struct kdbus_domain *dom, __u64 flags,
		     const char *suffix, char *name, size_t len)
{
	char buf[128];
	int fd, ret;

	kdbus_name(buf, sizeof(buf), suffix);
	if (name)
		snprintf(name, len, "%s", buf);
	fd = kdbus_open_control(dom);
	if (fd < 0)
		return fd;
	ret = kdbus_bus_make(fd, flags, buf, 64, 1);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int kdbus_bus_open(const struct kdbus_domain *dom, const char *bus, int flags)
{
	char rel[300];

	snprintf(rel, sizeof(rel), "%s/bus", bus);
	return kdbus_open(dom, rel, flags);
}

int kdbus_ep_make(int fd, __u64 flags, const char *name)
{
	struct kdbus_cmd *cmd = kdbus_args_new(sizeof(*cmd));
	int ret;

	cmd->flags = flags;
	if (name)
		kdbus_args_add_str(cmd, KDBUS_ITEM_MAKE_NAME, name);
	ret = kdbus_ioctl(fd, KDBUS_CMD_ENDPOINT_MAKE, cmd);
	kdbus_args_release(cmd);
	return ret;
}

static int dirent_cmp(const void *a, const void *b)
{
	const struct kdbus_dirent *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int kdbus_readdir(const char *path, struct kdbus_dirent *ents, int max)
{
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir(path);
	if (!dir)
		return -errno;
	errno = 0;
	while ((de = readdir(dir))) {
		if (n == max) {
			closedir(dir);
			return -E2BIG;
		}
		snprintf(ents[n].name, sizeof(ents[n].name), "%s", de->d_name);
		ents[n].type = de->d_type;
		n++;
	}
	if (errno) {
		int ret = -errno;

		closedir(dir);
		return ret;
	}
	closedir(dir);
	qsort(ents, n, sizeof(*ents), dirent_cmp);
	return n;
}

int kdbus_dirent_type(const struct kdbus_dirent *ents, int n,
		      const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(ents[i].name, name))
			return ents[i].type;
	return -1;
}

static int drop_privileges(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (setgroups(0, NULL) < 0 ||
	    setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		return -errno;
	/* a uid change away from 0 clears the capability sets: verify */
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	if (data[0].effective || data[1].effective ||
	    data[0].permitted || data[1].permitted)
		return -EPERM;
	return 0;
}

int kdbus_run_as(uid_t uid, gid_t gid, int (*fn)(void *arg), void *arg)
{
	int status, ret;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		ret = drop_privileges(uid, gid);
		if (ret < 0) {
			kdbus_log("cannot drop privileges to %u/%u: %s",
				  (unsigned int)uid, (unsigned int)gid,
				  strerror(-ret));
			_exit(KDBUS_RUN_AS_SETUP_FAILED);
		}
		ret = fn(arg);
		fflush(NULL);
		_exit(ret & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFSIGNALED(status))
		return 256 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int kdbus_become_euid(uid_t euid, gid_t egid)
{
	if (setresgid(-1, egid, -1) < 0 || setresuid(-1, euid, -1) < 0)
		return -errno;
	return 0;
}

int kdbus_restore_root(void)
{
	if (setresuid(-1, 0, -1) < 0 || setresgid(-1, 0, -1) < 0)
		return -errno;
	return 0;
}

pid_t kdbus_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

void kdbus_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

bool kdbus_fd_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && (flags & FD_CLOEXEC);
}
