/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection helpers of the kdbus selftests: HELLO, the mapped pool,
 * building, sending and receiving messages, and walking received ones.
 *
 * Every function returns 0 (or a non-negative result) on success and
 * -errno on failure, and leaves errno alone otherwise; none of them
 * aborts the test, so error paths can be tested with them too.
 */

#ifndef KDBUS_CONN_H
#define KDBUS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/kdbus.h>

#include "kdbus-util.h"

/* the pool size the tests use unless they test pool sizes */
#define KDBUS_TEST_POOL_SIZE		(16ULL * 1024 * 1024)

/* contract limits used by the message tests */
#define KDBUS_MSG_MAX_SIZE		8192
#define KDBUS_MSG_MAX_ITEMS		128
#define KDBUS_MSG_MAX_MEMFD_ITEMS	16
#define KDBUS_MSG_MAX_PAYLOAD_VEC_SIZE	(2ULL * 1024 * 1024)
#define KDBUS_CONN_MAX_FDS_PER_USER	16
#define KDBUS_CONN_MAX_MSGS		256
#define KDBUS_CONN_MAX_REQUESTS_PENDING	128
#define KDBUS_USER_MAX_CONN		1024

/* a connection: its fd, id and read-only pool mapping */
struct kdbus_conn {
	int fd;
	__u64 id;
	__u64 flags;		/* HELLO flags */
	__u64 pool_size;
	void *pool;		/* MAP_FAILED/NULL when not mapped */
	__u8 id128[16];		/* bus UUID from HELLO */
	__u64 bloom_size;	/* from the HELLO bloom-parameter item */
	__u64 bloom_n_hash;
};

/*
 * HELLO on an open endpoint fd @ep_fd (ownership of the fd passes to @conn
 * on success): flags @hello_flags, attach masks ~0 (send) and 0 (recv),
 * pool of @pool_size bytes (0: KDBUS_TEST_POOL_SIZE), optional
 * @description (NULL: no item). Maps the pool, reads and frees the
 * bloom-parameter slice. 0 or -errno.
 */
int kdbus_hello(struct kdbus_conn *conn, int ep_fd, __u64 hello_flags,
		__u64 pool_size, const char *description);
/*
 * Open "<bus>/bus" (or @ep, a path relative to the domain, when not NULL)
 * of @dom and HELLO on it with @hello_flags: 0 or -errno.
 */
int kdbus_conn_new(struct kdbus_conn *conn, const struct kdbus_domain *dom,
		   const char *bus, const char *ep, __u64 hello_flags);
/* unmap and close (disconnects); safe on a zeroed or failed conn */
void kdbus_conn_free(struct kdbus_conn *conn);
/* BYEBYE: 0 or -errno */
int kdbus_byebye(struct kdbus_conn *conn);
/* FREE of @offset: 0 or -errno */
int kdbus_free(struct kdbus_conn *conn, __u64 offset);
/* UPDATE of the attach masks (NULL: item omitted): 0 or -errno */
int kdbus_update_attach(struct kdbus_conn *conn, const __u64 *send,
			const __u64 *recv);

/*
 * Message builder. kdbus_msg_new() returns a zeroed, 8-byte aligned
 * message of KDBUS_ARGS_BUF_SIZE bytes with size = 64, payload_type =
 * KDBUS_PAYLOAD_DBUS, src_id = 0 and the given destination and cookie.
 * The add functions append one item (see kdbus_args_add()).
 */
struct kdbus_msg *kdbus_msg_new(__u64 dst_id, __u64 cookie);
void kdbus_msg_release(struct kdbus_msg *msg);
struct kdbus_item *kdbus_msg_add_vec(struct kdbus_msg *msg,
				     const void *data, __u64 size);
struct kdbus_item *kdbus_msg_add_memfd(struct kdbus_msg *msg, int fd,
				       __u64 start, __u64 size);
struct kdbus_item *kdbus_msg_add_fds(struct kdbus_msg *msg, const int *fds,
				     unsigned int n);
struct kdbus_item *kdbus_msg_add_bloom(struct kdbus_msg *msg,
				       __u64 generation, const void *bloom,
				       __u64 bloom_size);
struct kdbus_item *kdbus_msg_add_dst_name(struct kdbus_msg *msg,
					  const char *name);

/*
 * SEND @msg on @conn with @send_flags and, if @cancel_fd >= 0, a
 * CANCEL_FD item. On success the kdbus_cmd_send.reply is stored in
 * @reply (may be NULL). 0 or -errno.
 */
int kdbus_send(struct kdbus_conn *conn, struct kdbus_msg *msg,
	       __u64 send_flags, int cancel_fd, struct kdbus_msg_info *reply);
/*
 * Convenience: send @len bytes of @data (one vec; len 0: no payload) from
 * @conn to @dst_id with @cookie and @msg_flags; for EXPECT_REPLY the
 * deadline is now + @timeout_ns (CLOCK_MONOTONIC). 0 or -errno.
 */
int kdbus_send_simple(struct kdbus_conn *conn, __u64 dst_id, __u64 cookie,
		      __u64 msg_flags, __u64 timeout_ns, const void *data,
		      size_t len);
/* reply to @cookie_reply with @len bytes of @data: 0 or -errno */
int kdbus_send_reply(struct kdbus_conn *conn, __u64 dst_id,
		     __u64 cookie_reply, const void *data, size_t len);

/*
 * RECV on @conn with @recv_flags (and @priority for USE_PRIORITY). On
 * success or -EAGAIN the command is stored in @cmd (may be NULL). On
 * success *@msg (may be NULL) points at the message in the pool. 0 or
 * -errno.
 */
int kdbus_recv(struct kdbus_conn *conn, __u64 recv_flags, __s64 priority,
	       struct kdbus_cmd_recv *cmd, struct kdbus_msg **msg);
/* poll @conn for POLLIN up to @timeout_ms, then RECV: 0 or -errno */
int kdbus_recv_wait(struct kdbus_conn *conn, int timeout_ms,
		    struct kdbus_cmd_recv *cmd, struct kdbus_msg **msg);
/* the pool offset of a message returned by kdbus_recv() */
__u64 kdbus_msg_offset(const struct kdbus_conn *conn,
		       const struct kdbus_msg *msg);
/* the first item of @type in a received message, or NULL */
struct kdbus_item *kdbus_msg_find(const struct kdbus_msg *msg, __u64 type);
/* number of items of @type in a received message */
unsigned int kdbus_msg_count(const struct kdbus_msg *msg, __u64 type);
/*
 * Copy the inline payload of a received message (the bytes of every
 * PAYLOAD_OFF item with offset != ~0, in order) into @buf of @len bytes;
 * the number of bytes copied or -errno.
 */
ssize_t kdbus_msg_payload(const struct kdbus_msg *msg, void *buf,
			  size_t len);

/* CONN_INFO by @id or @name (NULL): result offset/size, 0 or -errno */
int kdbus_conn_info(struct kdbus_conn *conn, __u64 id, const char *name,
		    __u64 attach_flags, __u64 *offset, __u64 *size);
/* BUS_CREATOR_INFO: result offset/size, 0 or -errno */
int kdbus_bus_creator_info(struct kdbus_conn *conn, __u64 attach_flags,
			   __u64 *offset, __u64 *size);

/* CLOCK_MONOTONIC now, in ns */
__u64 kdbus_now_ns(void);
/* a sealed memfd of @size bytes filled with @fill: fd or -errno */
int kdbus_sealed_memfd(size_t size, int fill);

/*
 * Additions (appended; the declarations above are stable).
 */

/*
 * A HELLO argument as kdbus_hello() sends it, for tests that issue the
 * ioctl themselves: flags @hello_flags, attach masks ~0 (send) and 0
 * (recv), pool of @pool_size bytes (0: KDBUS_TEST_POOL_SIZE), optional
 * @description item. Release with kdbus_args_release(); more items can
 * be appended with kdbus_args_add*().
 */
struct kdbus_cmd_hello *kdbus_hello_args(__u64 hello_flags, __u64 pool_size,
					 const char *description);
/*
 * What kdbus_hello() does, with a prepared argument @hello (which stays
 * the caller's, with the kernel's output fields filled in): HELLO, map
 * the pool, read and free the bloom-parameter slice (a policy holder's
 * slice is left allocated: FREE is not allowed for them). 0 or -errno;
 * the fd passes to @conn on success.
 */
int kdbus_hello_cmd(struct kdbus_conn *conn, int ep_fd,
		    struct kdbus_cmd_hello *hello);
/*
 * The kdbus_info (CONN_INFO, BUS_CREATOR_INFO, LIST record) at pool
 * @offset of @conn, or NULL if @offset lies outside the mapped pool.
 */
struct kdbus_info *kdbus_pool_info(const struct kdbus_conn *conn,
				   __u64 offset);
/* the first item of @type in a kdbus_info, or NULL */
struct kdbus_item *kdbus_info_find(const struct kdbus_info *info,
				   __u64 type);
/*
 * Read the module parameter attach_flags_mask (the metadata the kernel
 * attaches at most) into @mask: 0 or -errno.
 */
int kdbus_attach_mask(__u64 *mask);
/*
 * Write @mask to the module parameter attach_flags_mask (root only; tests
 * that change it restore the previous value): 0 or -errno.
 */
int kdbus_set_attach_mask(__u64 mask);

/* well-known names and LIST */

/* contract limits of the name registry (8.1, 8.2) */
#define KDBUS_NAME_MAX_LEN		255
#define KDBUS_CONN_MAX_NAMES		256

/*
 * NAME_ACQUIRE of @name with @flags on @conn. The command's return_flags
 * go to @return_flags (may be NULL) whenever the kernel wrote them back
 * (success and command errors; not on EFAULT-like copy failures, where it
 * stays ~0). 0 or -errno.
 */
int kdbus_name_acquire(struct kdbus_conn *conn, const char *name,
		       __u64 flags, __u64 *return_flags);
/* NAME_RELEASE of @name on @conn: 0 or -errno */
int kdbus_name_release(struct kdbus_conn *conn, const char *name);
/*
 * LIST with @flags on @conn. The result slice goes to @offset and @size
 * (list_size; either may be NULL); the caller FREEs it. 0 or -errno.
 */
int kdbus_list(struct kdbus_conn *conn, __u64 flags, __u64 *offset,
	       __u64 *size);

/* one record of a LIST result (8.6) */
struct kdbus_list_entry {
	__u64 size;		/* kdbus_info.size */
	__u64 id;		/* kdbus_info.id */
	__u64 flags;		/* kdbus_info.flags: HELLO flags */
	unsigned int n_items;	/* items in the record */
	__u64 item_size;	/* size field of its first item (0: none) */
	__u64 item_type;	/* type of its first item (0: none) */
	__u64 name_flags;	/* OWNED_NAME: kdbus_name.flags */
	const char *name;	/* OWNED_NAME: the name in the pool, or NULL */
};

/*
 * Walk the LIST result at @offset/@size in the pool of @conn; the first
 * @max records are stored in @ents (may be NULL if @max is 0). The number
 * of records, or -EBADMSG (logged) if the records do not tile the slice
 * exactly, a record is shorter than a kdbus_info, or an item runs past
 * its record or holds an unterminated name.
 */
int kdbus_list_parse(const struct kdbus_conn *conn, __u64 offset,
		     __u64 size, struct kdbus_list_entry *ents,
		     unsigned int max);

/*
 * HELLO of an activator for @name on the endpoint fd @ep_fd, which must be
 * a privileged handle (the default endpoint, opened by root or by the bus
 * owner's euid): flags KDBUS_HELLO_ACTIVATOR | @hello_flags and a NAME
 * item, otherwise as kdbus_hello(). The fd passes to @conn on success.
 * 0 or -errno.
 */
int kdbus_hello_activator(struct kdbus_conn *conn, int ep_fd,
			  const char *name, __u64 hello_flags);
/*
 * Open "<bus>/bus" of @dom and make an activator for @name on it: 0 or
 * -errno (the fd is closed on failure).
 */
int kdbus_activator_new(struct kdbus_conn *conn,
			const struct kdbus_domain *dom, const char *bus,
			const char *name);

/* a received NAME_ADD / NAME_REMOVE / NAME_CHANGE notification (5.11) */
struct kdbus_name_notify {
	__u64 slice_size;	/* kdbus_cmd_recv.msg.msg_size */
	__u64 dropped_msgs;	/* kdbus_cmd_recv.dropped_msgs */
	unsigned int n_items;	/* items in the message */
	/* its first item */
	__u64 type;
	__u64 item_size;
	struct kdbus_notify_id_change old_id;
	struct kdbus_notify_id_change new_id;
	char name[KDBUS_NAME_MAX_LEN + 1];
	/* a copy of the kdbus_msg header (its items are not copied) */
	struct kdbus_msg hdr;
};

/*
 * Receive the next message of @conn, waiting up to @timeout_ms for it (0:
 * do not wait), parse it as a name notification into @n and FREE it.
 * 0; -ETIMEDOUT or -EAGAIN if nothing came; -EBADMSG (logged) if it is not
 * a name notification (the message is consumed all the same, and the
 * header fields of @n are filled in).
 */
int kdbus_name_notify_recv(struct kdbus_conn *conn, int timeout_ms,
			   struct kdbus_name_notify *n);

/* matches */

/* contract limit: matches per connection (13) */
#define KDBUS_MATCH_MAX			256

/*
 * Match builder. kdbus_match_new() returns a MATCH_ADD argument (a
 * KDBUS_ARGS_BUF_SIZE buffer, see kdbus_args_new()) for one match tagged
 * @cookie with @flags and no rules; the rule functions append one rule
 * item each (to any kdbus_args_new() buffer) and return it;
 * kdbus_match_cmd() issues MATCH_ADD with it. Release it with
 * kdbus_args_release().
 */
struct kdbus_cmd_match *kdbus_match_new(__u64 cookie, __u64 flags);
int kdbus_match_cmd(struct kdbus_conn *conn, struct kdbus_cmd_match *match);
/* kdbus_match_cmd() with @match, which is then released: 0 or -errno */
int kdbus_match_cmd_release(struct kdbus_conn *conn,
			    struct kdbus_cmd_match *match);
/* KDBUS_ITEM_ID: messages from @id (KDBUS_MATCH_ID_ANY: from anyone) */
struct kdbus_item *kdbus_match_rule_id(void *args, __u64 id);
/* KDBUS_ITEM_NAME: messages from the primary owner of @name */
struct kdbus_item *kdbus_match_rule_name(void *args, const char *name);
/* KDBUS_ITEM_BLOOM_MASK of @size bytes: one mask per generation */
struct kdbus_item *kdbus_match_rule_bloom(void *args, const void *masks,
					  size_t size);
/* KDBUS_ITEM_ID_ADD / _ID_REMOVE (@type) of @id (or KDBUS_MATCH_ID_ANY) */
struct kdbus_item *kdbus_match_rule_id_change(void *args, __u64 type,
					      __u64 id);
/*
 * KDBUS_ITEM_NAME_ADD / _REMOVE / _CHANGE (@type) with the owner ids
 * @old_id and @new_id (KDBUS_MATCH_ID_ANY: any) and an optional @name
 * (NULL: any name); the flags fields are 0.
 */
struct kdbus_item *kdbus_match_rule_name_change(void *args, __u64 type,
						__u64 old_id, __u64 new_id,
						const char *name);

/*
 * MATCH_ADD of one match tagged @cookie with @flags whose rules are the
 * @rules_size bytes of packed items at @rules (NULL and 0: a match without
 * rules, which accepts every signal and every broadcast notification).
 * 0 or -errno.
 */
int kdbus_match_add(struct kdbus_conn *conn, __u64 cookie, __u64 flags,
		    const struct kdbus_item *rules, size_t rules_size);
/* MATCH_REMOVE of every match tagged @cookie: 0 or -errno */
int kdbus_match_remove(struct kdbus_conn *conn, __u64 cookie);
/*
 * "Everything from anyone": a match with one KDBUS_ITEM_ID rule of
 * KDBUS_MATCH_ID_ANY (all signals, no kernel notifications). 0 or -errno.
 */
int kdbus_match_id_any(struct kdbus_conn *conn, __u64 cookie);
/* a match with one ID_ADD / ID_REMOVE rule for @id: 0 or -errno */
int kdbus_match_id_add(struct kdbus_conn *conn, __u64 cookie, __u64 id);
int kdbus_match_id_remove(struct kdbus_conn *conn, __u64 cookie, __u64 id);
/* a match with one NAME_* rule (@type), as kdbus_match_rule_name_change() */
int kdbus_match_name_change(struct kdbus_conn *conn, __u64 cookie,
			    __u64 type, __u64 old_id, __u64 new_id,
			    const char *name);

/*
 * Send a signal (KDBUS_MSG_SIGNAL) from @conn to @dst_id
 * (KDBUS_DST_ID_BROADCAST: a broadcast) with @cookie, a bloom filter of
 * generation @generation whose conn->bloom_size bytes are @bloom (NULL:
 * all bits clear) and @len bytes of @data as payload (0: none).
 * 0 or -errno.
 */
int kdbus_send_signal(struct kdbus_conn *conn, __u64 dst_id, __u64 cookie,
		      __u64 generation, const void *bloom, const void *data,
		      size_t len);

/*
 * kdbus_conn_new() on the default endpoint of @bus with a pool of
 * @pool_size bytes (0: KDBUS_TEST_POOL_SIZE): 0 or -errno.
 */
int kdbus_conn_new_pool(struct kdbus_conn *conn,
			const struct kdbus_domain *dom, const char *bus,
			__u64 hello_flags, __u64 pool_size);
/*
 * Open "<bus>/bus" of @dom and HELLO a policy holder for @name on it that
 * grants @access (KDBUS_POLICY_SEE/TALK/OWN) to everyone, otherwise as
 * kdbus_hello() (its bloom-parameter slice stays allocated): 0 or -errno
 * (the fd is closed on failure).
 */
int kdbus_policy_holder_new(struct kdbus_conn *conn,
			    const struct kdbus_domain *dom, const char *bus,
			    const char *name, __u64 access);

/*
 * "com." followed by @len - 4 'x' (a valid well-known name of @len
 * characters, @len >= 4) into @buf of @size bytes, cut short to fit;
 * returns @buf.
 */
const char *kdbus_long_name(char *buf, size_t size, size_t len);

/*
 * Fork and run @fn(@arg) in the child without waiting for it, as @uid and
 * @gid (no supplementary groups) unless @uid is 0 (the child stays root).
 * The child's pid, or -errno if it could not be started. The child exits
 * with fn's return value & 0xff, or KDBUS_RUN_AS_SETUP_FAILED if it could
 * not switch ids.
 */
pid_t kdbus_spawn_as(uid_t uid, gid_t gid, int (*fn)(void *arg), void *arg);
/*
 * Wait for the child @pid: its exit status, 256 + signal if it was
 * killed, or -errno.
 */
int kdbus_wait_child(pid_t pid);

/*
 * Poll @fd for POLLIN up to @timeout_ms (restarted after signals): 0,
 * -ETIMEDOUT, -EIO if it polled without POLLIN (an error or hang-up), or
 * -errno of poll().
 */
int kdbus_wait_pollin(int fd, int timeout_ms);
/*
 * Read exactly @len bytes from @fd into @buf, waiting up to @timeout_ms
 * for each chunk: 0, -EPIPE at end of file or hang-up, -ETIMEDOUT, or
 * -errno.
 */
int kdbus_read_full(int fd, void *buf, size_t len, int timeout_ms);
/* write all @len bytes of @buf to @fd (restarted after signals): 0/-errno */
int kdbus_write_full(int fd, const void *buf, size_t len);
/*
 * HELLO on the default endpoint of @bus of @dom with @hello_flags, the
 * attach masks @send and @recv and the description @description (may be
 * NULL), otherwise as kdbus_conn_new(): 0 or -errno.
 */
int kdbus_conn_new_attach(struct kdbus_conn *conn,
			  const struct kdbus_domain *dom, const char *bus,
			  __u64 hello_flags, __u64 send, __u64 recv,
			  const char *description);
/*
 * Whether the inline payload of the received message @msg is exactly the
 * string @want (without its NUL); a mismatch is logged.
 */
bool kdbus_msg_payload_is(const struct kdbus_msg *msg, const char *want);

#endif /* KDBUS_CONN_H */
