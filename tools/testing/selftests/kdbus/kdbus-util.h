/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kdbus selftests.
 *
 * Every test mounts its own kdbusfs instance (a fresh, independent domain)
 * on a temporary directory below /tmp, inside a private mount namespace, so
 * tests never see each other's buses.
 */

#ifndef KDBUS_UTIL_H
#define KDBUS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <linux/types.h>
#include <linux/kdbus.h>

#include "kselftest.h"

/* the filesystem's statfs magic, "DBus" */
#define KDBUS_SUPER_MAGIC		0x44427573UL

/* limits of the contract (kept private by the kernel) */
#define KDBUS_CMD_MAX_SIZE		32768
#define KDBUS_SYSNAME_MAX_LEN		63
#define KDBUS_USER_MAX_BUSES		16
#define KDBUS_BUS_BLOOM_MAX_SIZE	4096

/* item arithmetic */
#define KDBUS_ALIGN8(l)			(((l) + 7ULL) & ~7ULL)
#define KDBUS_ITEM_HEADER_SIZE		offsetof(struct kdbus_item, data)
#define KDBUS_ITEM_SIZE(s)		KDBUS_ALIGN8((s) + KDBUS_ITEM_HEADER_SIZE)
#define KDBUS_ITEM_NEXT(item) \
	((struct kdbus_item *)((__u8 *)(item) + KDBUS_ALIGN8((item)->size)))

/*
 * Iterate over the items of @head (any structure with a leading "size"
 * field and an item array called @first). Stops at the end of the
 * structure and at any item too short to be valid.
 */
#define KDBUS_ITEM_FOREACH(item, head, first)				\
	for ((item) = (head)->first;					\
	     (__u8 *)(item) + KDBUS_ITEM_HEADER_SIZE <=			\
		(__u8 *)(head) + (head)->size &&			\
	     (item)->size >= KDBUS_ITEM_HEADER_SIZE;			\
	     (item) = KDBUS_ITEM_NEXT(item))

/* size of the buffers handed out by kdbus_args_new() */
#define KDBUS_ARGS_BUF_SIZE		(64 * 1024)

/* the 16 kdbus ioctl commands, in numeric order */
#define KDBUS_CMD_COUNT			16
extern const unsigned long kdbus_cmds[KDBUS_CMD_COUNT];
const char *kdbus_cmd_name(unsigned long cmd);

/*
 * Issue @cmd on @fd with a well-formed argument that carries no items
 * (zeroed, size = the command's fixed size); 0 or -errno.
 */
int kdbus_cmd_call_empty(int fd, unsigned long cmd);

/* ioctl() returning 0 (or the positive result) on success, -errno on error */
int kdbus_ioctl(int fd, unsigned long request, void *arg);

/*
 * Command argument builder. kdbus_args_new() returns a zeroed, 8-byte
 * aligned buffer of KDBUS_ARGS_BUF_SIZE bytes whose leading "size" field is
 * set to @fixed_size (sizeof the command structure). The add functions
 * append one item at the next 8-byte boundary and set "size" to the padded
 * end of that item; they return the new item.
 */
void *kdbus_args_new(size_t fixed_size);
void kdbus_args_release(void *args);
struct kdbus_item *kdbus_args_add(void *args, __u64 type,
				  const void *payload, size_t len);
struct kdbus_item *kdbus_args_add_str(void *args, __u64 type, const char *s);
struct kdbus_item *kdbus_args_add_u64(void *args, __u64 type, __u64 v);
struct kdbus_item *kdbus_args_add_bloom(void *args, __u64 size, __u64 n_hash);
struct kdbus_item *kdbus_args_add_policy(void *args, __u64 type,
					 __u64 access, __u64 id);

/* a kdbusfs mount: one domain */
struct kdbus_domain {
	char path[64];		/* mount point */
	int mounted;
};

/*
 * Move the calling process into a private mount namespace so mounts die
 * with it. Failure is not fatal (mounts are also undone explicitly).
 */
int kdbus_private_mounts(void);
/* create a temp dir (mode 0755) under /tmp and mount kdbusfs on it */
int kdbus_domain_mount(struct kdbus_domain *dom);
int kdbus_domain_mount_opts(struct kdbus_domain *dom, const char *source,
			    const char *data);
void kdbus_domain_umount(struct kdbus_domain *dom);
/* path of @rel inside the domain ("" or NULL: the root) */
const char *kdbus_path(const struct kdbus_domain *dom, const char *rel);
/* open a node of the domain; returns the fd or -errno */
int kdbus_open(const struct kdbus_domain *dom, const char *rel, int flags);
int kdbus_open_control(const struct kdbus_domain *dom);
/* stat a node; returns 0 or -errno */
int kdbus_stat(const struct kdbus_domain *dom, const char *rel,
	       struct stat *st);

/* "<euid>-<suffix>" into @buf */
const char *kdbus_name(char *buf, size_t len, const char *suffix);

/* BUS_MAKE on @control_fd; 0 or -errno */
int kdbus_bus_make(int control_fd, __u64 flags, const char *name,
		   __u64 bloom_size, __u64 n_hash);
/* same with optional attach items (NULL: item omitted) */
int kdbus_bus_make_attach(int control_fd, __u64 flags, const char *name,
			  __u64 bloom_size, __u64 n_hash,
			  const __u64 *attach_send, const __u64 *attach_recv);
/*
 * Open control and make a bus "<euid>-<suffix>" with bloom 64/1; returns
 * the BUS_OWNER fd or -errno. The full name goes to @name (may be NULL).
 */
int kdbus_bus_create(const struct kdbus_domain *dom, __u64 flags,
		     const char *suffix, char *name, size_t len);
/* open "<bus>/bus" of a bus; fd or -errno */
int kdbus_bus_open(const struct kdbus_domain *dom, const char *bus, int flags);

/* ENDPOINT_MAKE on @fd; 0 or -errno */
int kdbus_ep_make(int fd, __u64 flags, const char *name);

/* a readdir() entry */
struct kdbus_dirent {
	char name[256];
	unsigned char type;
};

/* list a directory (sorted by name); count or -errno */
int kdbus_readdir(const char *path, struct kdbus_dirent *ents, int max);
/* find @name in @ents; its DT_* type, or -1 if absent */
int kdbus_dirent_type(const struct kdbus_dirent *ents, int n,
		      const char *name);

/*
 * Fork, drop all privileges to @uid/@gid (no supplementary groups, no
 * capabilities) and run @fn(@arg) in the child. Returns the child's exit
 * status (fn's return value & 0xff), 256 + signal if it was killed, or
 * -errno if it could not be started. Exit status 250 means the privilege
 * drop itself failed.
 */
int kdbus_run_as(uid_t uid, gid_t gid, int (*fn)(void *arg), void *arg);
#define KDBUS_RUN_AS_SETUP_FAILED	250

/*
 * Switch only the effective ids of the calling process (the real and saved
 * ids stay 0, so kdbus_restore_root() can switch back); 0 or -errno.
 */
int kdbus_become_euid(uid_t euid, gid_t egid);
int kdbus_restore_root(void);

/*
 * For FIXTURE_SETUP() (needs the harness): skip unless running as root,
 * enter a private mount namespace and mount a fresh domain on @dom; a
 * failing mount fails the test.
 */
#define KDBUS_SETUP_DOMAIN(dom) do {					\
	int __ret;							\
									\
	if (geteuid() != 0)						\
		SKIP(return,						\
		     "must run as root (mounts kdbusfs, switches uids)"); \
	kdbus_private_mounts();						\
	__ret = kdbus_domain_mount(dom);				\
	ASSERT_EQ(0, __ret)						\
		TH_LOG("mount -t kdbusfs: %s (CONFIG_KDBUS=y?)",	\
		       strerror(-__ret));				\
} while (0)

/* the calling thread's id */
pid_t kdbus_gettid(void);
/* sleep @ms milliseconds, resuming after signals */
void kdbus_sleep_ms(unsigned int ms);
/* whether descriptor @fd is close-on-exec */
bool kdbus_fd_cloexec(int fd);

/* log a diagnostic line ("# ...") from code that has no test context */
__printf(1, 2) void kdbus_log(const char *fmt, ...);

#endif /* KDBUS_UTIL_H */
