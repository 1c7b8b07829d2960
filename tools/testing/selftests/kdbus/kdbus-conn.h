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

#endif /* KDBUS_CONN_H */
