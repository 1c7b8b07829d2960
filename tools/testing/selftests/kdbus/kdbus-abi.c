// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time check of the kdbus user-space ABI.
 *
 * Every size, offset, field type and constant of the ABI contract is a
 * static_assert: if <linux/kdbus.h> deviates from the historical binary
 * interface, this file does not compile. At run time the same facts are
 * re-checked and reported as one TAP line per group, so the check shows up
 * in the test results.
 */

#include <assert.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/kdbus.h>

#include "kselftest.h"

struct abi_check {
	const char *what;
	unsigned long long seen;
	unsigned long long want;
};

/*
 * One fact: @expr must equal @val. The anonymous struct carries the
 * compile-time assertion; the initializer the run-time copy.
 */
#define ABI_EQ(expr, val)						\
	{								\
		#expr " == " #val,					\
		(unsigned long long)(expr),				\
		(unsigned long long)(val) + 0 * sizeof(struct {		\
			static_assert((expr) == (val),			\
				       #expr " != " #val);		\
			char c;						\
		})							\
	}

#define M(T, f)			(((T *)0)->f)
#define IS_TYPE(x, type)	__builtin_types_compatible_p(__typeof__(x), type)

/* a fixed field: offset, size and type */
#define FIELD(T, f, off, type)						\
	ABI_EQ(offsetof(T, f), off),					\
	ABI_EQ(sizeof(M(T, f)), sizeof(type)),				\
	ABI_EQ(IS_TYPE(M(T, f), type), 1)

/*
 * a variable-length tail (a flexible array, laid out as the zero-length
 * array of the historical interface): offset and element type
 */
#define TAIL(T, f, off, elem)						\
	ABI_EQ(offsetof(T, f), off),					\
	ABI_EQ(sizeof(M(T, f)[0]), sizeof(elem)),			\
	ABI_EQ(IS_TYPE(M(T, f)[0], elem), 1)

/* size and 8-byte alignment of a structure */
#define STRUCT(T, size)							\
	ABI_EQ(sizeof(T), size),					\
	ABI_EQ(alignof(T), 8)

/* Appendix A */
static const struct abi_check sizes[] = {
	STRUCT(struct kdbus_cmd, 24),
	STRUCT(struct kdbus_cmd_hello, 96),
	STRUCT(struct kdbus_cmd_send, 56),
	STRUCT(struct kdbus_cmd_recv, 64),
	STRUCT(struct kdbus_cmd_free, 32),
	STRUCT(struct kdbus_cmd_info, 56),
	STRUCT(struct kdbus_cmd_list, 40),
	STRUCT(struct kdbus_cmd_match, 32),
	STRUCT(struct kdbus_info, 24),
	STRUCT(struct kdbus_msg, 64),
	STRUCT(struct kdbus_msg_info, 24),
	STRUCT(struct kdbus_item, 80),
	STRUCT(struct kdbus_vec, 16),
	STRUCT(struct kdbus_memfd, 24),
	STRUCT(struct kdbus_bloom_parameter, 16),
	STRUCT(struct kdbus_bloom_filter, 8),
	STRUCT(struct kdbus_name, 8),
	STRUCT(struct kdbus_notify_id_change, 16),
	STRUCT(struct kdbus_notify_name_change, 32),
	STRUCT(struct kdbus_creds, 64),
	STRUCT(struct kdbus_pids, 24),
	STRUCT(struct kdbus_caps, 8),
	STRUCT(struct kdbus_audit, 8),
	STRUCT(struct kdbus_timestamp, 24),
	STRUCT(struct kdbus_policy_access, 24),
};

/* §2.2, §3.6, §3.9-§3.18, §8.6 */
static const struct abi_check commands[] = {
	FIELD(struct kdbus_cmd, size, 0, __u64),
	FIELD(struct kdbus_cmd, flags, 8, __u64),
	FIELD(struct kdbus_cmd, return_flags, 16, __u64),
	TAIL(struct kdbus_cmd, items, 24, struct kdbus_item),

	FIELD(struct kdbus_cmd_hello, size, 0, __u64),
	FIELD(struct kdbus_cmd_hello, flags, 8, __u64),
	FIELD(struct kdbus_cmd_hello, return_flags, 16, __u64),
	FIELD(struct kdbus_cmd_hello, attach_flags_send, 24, __u64),
	FIELD(struct kdbus_cmd_hello, attach_flags_recv, 32, __u64),
	FIELD(struct kdbus_cmd_hello, bus_flags, 40, __u64),
	FIELD(struct kdbus_cmd_hello, id, 48, __u64),
	FIELD(struct kdbus_cmd_hello, pool_size, 56, __u64),
	FIELD(struct kdbus_cmd_hello, offset, 64, __u64),
	FIELD(struct kdbus_cmd_hello, items_size, 72, __u64),
	FIELD(struct kdbus_cmd_hello, id128, 80, __u8[16]),
	TAIL(struct kdbus_cmd_hello, items, 96, struct kdbus_item),

	FIELD(struct kdbus_cmd_free, size, 0, __u64),
	FIELD(struct kdbus_cmd_free, flags, 8, __u64),
	FIELD(struct kdbus_cmd_free, return_flags, 16, __u64),
	FIELD(struct kdbus_cmd_free, offset, 24, __u64),
	TAIL(struct kdbus_cmd_free, items, 32, struct kdbus_item),

	FIELD(struct kdbus_cmd_info, size, 0, __u64),
	FIELD(struct kdbus_cmd_info, flags, 8, __u64),
	FIELD(struct kdbus_cmd_info, return_flags, 16, __u64),
	FIELD(struct kdbus_cmd_info, id, 24, __u64),
	FIELD(struct kdbus_cmd_info, attach_flags, 32, __u64),
	FIELD(struct kdbus_cmd_info, offset, 40, __u64),
	FIELD(struct kdbus_cmd_info, info_size, 48, __u64),
	TAIL(struct kdbus_cmd_info, items, 56, struct kdbus_item),

	FIELD(struct kdbus_cmd_list, size, 0, __u64),
	FIELD(struct kdbus_cmd_list, flags, 8, __u64),
	FIELD(struct kdbus_cmd_list, return_flags, 16, __u64),
	FIELD(struct kdbus_cmd_list, offset, 24, __u64),
	FIELD(struct kdbus_cmd_list, list_size, 32, __u64),
	TAIL(struct kdbus_cmd_list, items, 40, struct kdbus_item),

	FIELD(struct kdbus_cmd_send, size, 0, __u64),
	FIELD(struct kdbus_cmd_send, flags, 8, __u64),
	FIELD(struct kdbus_cmd_send, return_flags, 16, __u64),
	FIELD(struct kdbus_cmd_send, msg_address, 24, __u64),
	FIELD(struct kdbus_cmd_send, reply, 32, struct kdbus_msg_info),
	TAIL(struct kdbus_cmd_send, items, 56, struct kdbus_item),

	FIELD(struct kdbus_msg_info, offset, 0, __u64),
	FIELD(struct kdbus_msg_info, msg_size, 8, __u64),
	FIELD(struct kdbus_msg_info, return_flags, 16, __u64),

	FIELD(struct kdbus_cmd_recv, size, 0, __u64),
	FIELD(struct kdbus_cmd_recv, flags, 8, __u64),
	FIELD(struct kdbus_cmd_recv, return_flags, 16, __u64),
	FIELD(struct kdbus_cmd_recv, priority, 24, __s64),
	FIELD(struct kdbus_cmd_recv, dropped_msgs, 32, __u64),
	FIELD(struct kdbus_cmd_recv, msg, 40, struct kdbus_msg_info),
	TAIL(struct kdbus_cmd_recv, items, 64, struct kdbus_item),

	FIELD(struct kdbus_cmd_match, size, 0, __u64),
	FIELD(struct kdbus_cmd_match, flags, 8, __u64),
	FIELD(struct kdbus_cmd_match, return_flags, 16, __u64),
	FIELD(struct kdbus_cmd_match, cookie, 24, __u64),
	TAIL(struct kdbus_cmd_match, items, 32, struct kdbus_item),

	FIELD(struct kdbus_info, size, 0, __u64),
	FIELD(struct kdbus_info, id, 8, __u64),
	FIELD(struct kdbus_info, flags, 16, __u64),
	TAIL(struct kdbus_info, items, 24, struct kdbus_item),
};

/* §5.1 */
static const struct abi_check msg[] = {
	FIELD(struct kdbus_msg, size, 0, __u64),
	FIELD(struct kdbus_msg, flags, 8, __u64),
	FIELD(struct kdbus_msg, priority, 16, __s64),
	FIELD(struct kdbus_msg, dst_id, 24, __u64),
	FIELD(struct kdbus_msg, src_id, 32, __u64),
	FIELD(struct kdbus_msg, payload_type, 40, __u64),
	FIELD(struct kdbus_msg, cookie, 48, __u64),
	FIELD(struct kdbus_msg, timeout_ns, 56, __u64),
	FIELD(struct kdbus_msg, cookie_reply, 56, __u64),
	TAIL(struct kdbus_msg, items, 64, struct kdbus_item),
};

/* §2.3 */
static const struct abi_check item[] = {
	FIELD(struct kdbus_item, size, 0, __u64),
	FIELD(struct kdbus_item, type, 8, __u64),
	TAIL(struct kdbus_item, data, 16, __u8),
	TAIL(struct kdbus_item, data32, 16, __u32),
	TAIL(struct kdbus_item, data64, 16, __u64),
	TAIL(struct kdbus_item, str, 16, char),
	TAIL(struct kdbus_item, fds, 16, int),
	FIELD(struct kdbus_item, id, 16, __u64),
	FIELD(struct kdbus_item, vec, 16, struct kdbus_vec),
	FIELD(struct kdbus_item, creds, 16, struct kdbus_creds),
	FIELD(struct kdbus_item, pids, 16, struct kdbus_pids),
	FIELD(struct kdbus_item, audit, 16, struct kdbus_audit),
	FIELD(struct kdbus_item, caps, 16, struct kdbus_caps),
	FIELD(struct kdbus_item, timestamp, 16, struct kdbus_timestamp),
	FIELD(struct kdbus_item, name, 16, struct kdbus_name),
	FIELD(struct kdbus_item, bloom_parameter, 16,
	      struct kdbus_bloom_parameter),
	FIELD(struct kdbus_item, bloom_filter, 16, struct kdbus_bloom_filter),
	FIELD(struct kdbus_item, memfd, 16, struct kdbus_memfd),
	FIELD(struct kdbus_item, name_change, 16,
	      struct kdbus_notify_name_change),
	FIELD(struct kdbus_item, id_change, 16, struct kdbus_notify_id_change),
	FIELD(struct kdbus_item, policy_access, 16,
	      struct kdbus_policy_access),
};

/* §6.2 */
static const struct abi_check payloads[] = {
	FIELD(struct kdbus_vec, size, 0, __u64),
	FIELD(struct kdbus_vec, address, 8, __u64),
	FIELD(struct kdbus_vec, offset, 8, __u64),

	FIELD(struct kdbus_memfd, start, 0, __u64),
	FIELD(struct kdbus_memfd, size, 8, __u64),
	FIELD(struct kdbus_memfd, fd, 16, int),
	FIELD(struct kdbus_memfd, __pad, 20, __u32),

	FIELD(struct kdbus_bloom_parameter, size, 0, __u64),
	FIELD(struct kdbus_bloom_parameter, n_hash, 8, __u64),

	FIELD(struct kdbus_bloom_filter, generation, 0, __u64),
	TAIL(struct kdbus_bloom_filter, data, 8, __u64),

	FIELD(struct kdbus_name, flags, 0, __u64),
	TAIL(struct kdbus_name, name, 8, char),

	FIELD(struct kdbus_notify_id_change, id, 0, __u64),
	FIELD(struct kdbus_notify_id_change, flags, 8, __u64),

	FIELD(struct kdbus_notify_name_change, old_id, 0,
	      struct kdbus_notify_id_change),
	FIELD(struct kdbus_notify_name_change, new_id, 16,
	      struct kdbus_notify_id_change),
	TAIL(struct kdbus_notify_name_change, name, 32, char),

	FIELD(struct kdbus_creds, uid, 0, __u64),
	FIELD(struct kdbus_creds, euid, 8, __u64),
	FIELD(struct kdbus_creds, suid, 16, __u64),
	FIELD(struct kdbus_creds, fsuid, 24, __u64),
	FIELD(struct kdbus_creds, gid, 32, __u64),
	FIELD(struct kdbus_creds, egid, 40, __u64),
	FIELD(struct kdbus_creds, sgid, 48, __u64),
	FIELD(struct kdbus_creds, fsgid, 56, __u64),

	FIELD(struct kdbus_pids, pid, 0, __u64),
	FIELD(struct kdbus_pids, tid, 8, __u64),
	FIELD(struct kdbus_pids, ppid, 16, __u64),

	FIELD(struct kdbus_caps, last_cap, 0, __u32),
	TAIL(struct kdbus_caps, caps, 4, __u32),

	FIELD(struct kdbus_audit, sessionid, 0, __u32),
	FIELD(struct kdbus_audit, loginuid, 4, __u32),

	FIELD(struct kdbus_timestamp, seqnum, 0, __u64),
	FIELD(struct kdbus_timestamp, monotonic_ns, 8, __u64),
	FIELD(struct kdbus_timestamp, realtime_ns, 16, __u64),

	FIELD(struct kdbus_policy_access, type, 0, __u64),
	FIELD(struct kdbus_policy_access, access, 8, __u64),
	FIELD(struct kdbus_policy_access, id, 16, __u64),
};

/* the six object-like macros of §2.1/§2.8 must be macros */
#if !defined(KDBUS_IOCTL_MAGIC) || !defined(KDBUS_SRC_ID_KERNEL) ||	\
	!defined(KDBUS_DST_ID_NAME) || !defined(KDBUS_MATCH_ID_ANY) ||	\
	!defined(KDBUS_DST_ID_BROADCAST) || !defined(KDBUS_FLAG_NEGOTIATE)
#error "a kdbus object-like macro is missing"
#endif

/* §2.8 */
static const struct abi_check constants[] = {
	ABI_EQ(KDBUS_IOCTL_MAGIC, 0x95),
	ABI_EQ(KDBUS_SRC_ID_KERNEL, 0),
	ABI_EQ(KDBUS_DST_ID_NAME, 0),
	ABI_EQ(KDBUS_MATCH_ID_ANY, 0xFFFFFFFFFFFFFFFFULL),
	ABI_EQ(KDBUS_DST_ID_BROADCAST, 0xFFFFFFFFFFFFFFFFULL),
	ABI_EQ(KDBUS_FLAG_NEGOTIATE, 0x8000000000000000ULL),

	ABI_EQ(KDBUS_MAKE_ACCESS_GROUP, 0x1),
	ABI_EQ(KDBUS_MAKE_ACCESS_WORLD, 0x2),

	ABI_EQ(KDBUS_HELLO_ACCEPT_FD, 0x1),
	ABI_EQ(KDBUS_HELLO_ACTIVATOR, 0x2),
	ABI_EQ(KDBUS_HELLO_POLICY_HOLDER, 0x4),
	ABI_EQ(KDBUS_HELLO_MONITOR, 0x8),

	ABI_EQ(KDBUS_MSG_EXPECT_REPLY, 0x1),
	ABI_EQ(KDBUS_MSG_NO_AUTO_START, 0x2),
	ABI_EQ(KDBUS_MSG_SIGNAL, 0x4),

	ABI_EQ(KDBUS_PAYLOAD_KERNEL, 0),
	ABI_EQ(KDBUS_PAYLOAD_DBUS, 0x4442757344427573ULL),

	ABI_EQ(KDBUS_SEND_SYNC_REPLY, 0x1),

	ABI_EQ(KDBUS_RECV_PEEK, 0x1),
	ABI_EQ(KDBUS_RECV_DROP, 0x2),
	ABI_EQ(KDBUS_RECV_USE_PRIORITY, 0x4),

	ABI_EQ(KDBUS_RECV_RETURN_INCOMPLETE_FDS, 0x1),
	ABI_EQ(KDBUS_RECV_RETURN_DROPPED_MSGS, 0x2),

	ABI_EQ(KDBUS_LIST_UNIQUE, 0x1),
	ABI_EQ(KDBUS_LIST_NAMES, 0x2),
	ABI_EQ(KDBUS_LIST_ACTIVATORS, 0x4),
	ABI_EQ(KDBUS_LIST_QUEUED, 0x8),

	ABI_EQ(KDBUS_MATCH_REPLACE, 0x1),

	ABI_EQ(KDBUS_NAME_REPLACE_EXISTING, 0x1),
	ABI_EQ(KDBUS_NAME_ALLOW_REPLACEMENT, 0x2),
	ABI_EQ(KDBUS_NAME_QUEUE, 0x4),
	ABI_EQ(KDBUS_NAME_IN_QUEUE, 0x8),
	ABI_EQ(KDBUS_NAME_ACTIVATOR, 0x10),

	ABI_EQ(_KDBUS_POLICY_ACCESS_NULL, 0),
	ABI_EQ(KDBUS_POLICY_ACCESS_USER, 1),
	ABI_EQ(KDBUS_POLICY_ACCESS_GROUP, 2),
	ABI_EQ(KDBUS_POLICY_ACCESS_WORLD, 3),

	ABI_EQ(KDBUS_POLICY_SEE, 0),
	ABI_EQ(KDBUS_POLICY_TALK, 1),
	ABI_EQ(KDBUS_POLICY_OWN, 2),
};

/* §2.8 attach flags; bit n <=> item type 0x1000 + n */
static const struct abi_check attach[] = {
	ABI_EQ(KDBUS_ATTACH_TIMESTAMP, 0x1),
	ABI_EQ(KDBUS_ATTACH_CREDS, 0x2),
	ABI_EQ(KDBUS_ATTACH_PIDS, 0x4),
	ABI_EQ(KDBUS_ATTACH_AUXGROUPS, 0x8),
	ABI_EQ(KDBUS_ATTACH_NAMES, 0x10),
	ABI_EQ(KDBUS_ATTACH_TID_COMM, 0x20),
	ABI_EQ(KDBUS_ATTACH_PID_COMM, 0x40),
	ABI_EQ(KDBUS_ATTACH_EXE, 0x80),
	ABI_EQ(KDBUS_ATTACH_CMDLINE, 0x100),
	ABI_EQ(KDBUS_ATTACH_CGROUP, 0x200),
	ABI_EQ(KDBUS_ATTACH_CAPS, 0x400),
	ABI_EQ(KDBUS_ATTACH_SECLABEL, 0x800),
	ABI_EQ(KDBUS_ATTACH_AUDIT, 0x1000),
	ABI_EQ(KDBUS_ATTACH_CONN_DESCRIPTION, 0x2000),
	ABI_EQ(_KDBUS_ATTACH_ALL, 0x3FFF),
	ABI_EQ(_KDBUS_ATTACH_ANY, 0xFFFFFFFFFFFFFFFFULL),

	ABI_EQ(1ULL << (KDBUS_ITEM_TIMESTAMP - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_TIMESTAMP),
	ABI_EQ(1ULL << (KDBUS_ITEM_CREDS - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_CREDS),
	ABI_EQ(1ULL << (KDBUS_ITEM_PIDS - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_PIDS),
	ABI_EQ(1ULL << (KDBUS_ITEM_AUXGROUPS - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_AUXGROUPS),
	ABI_EQ(1ULL << (KDBUS_ITEM_OWNED_NAME - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_NAMES),
	ABI_EQ(1ULL << (KDBUS_ITEM_TID_COMM - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_TID_COMM),
	ABI_EQ(1ULL << (KDBUS_ITEM_PID_COMM - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_PID_COMM),
	ABI_EQ(1ULL << (KDBUS_ITEM_EXE - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_EXE),
	ABI_EQ(1ULL << (KDBUS_ITEM_CMDLINE - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_CMDLINE),
	ABI_EQ(1ULL << (KDBUS_ITEM_CGROUP - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_CGROUP),
	ABI_EQ(1ULL << (KDBUS_ITEM_CAPS - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_CAPS),
	ABI_EQ(1ULL << (KDBUS_ITEM_SECLABEL - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_SECLABEL),
	ABI_EQ(1ULL << (KDBUS_ITEM_AUDIT - _KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_AUDIT),
	ABI_EQ(1ULL << (KDBUS_ITEM_CONN_DESCRIPTION -
			_KDBUS_ITEM_ATTACH_BASE),
	       KDBUS_ATTACH_CONN_DESCRIPTION),
};

/* §6.1 */
static const struct abi_check item_types[] = {
	ABI_EQ(_KDBUS_ITEM_NULL, 0),
	ABI_EQ(_KDBUS_ITEM_USER_BASE, 1),
	ABI_EQ(KDBUS_ITEM_NEGOTIATE, 1),
	ABI_EQ(KDBUS_ITEM_PAYLOAD_VEC, 2),
	ABI_EQ(KDBUS_ITEM_PAYLOAD_OFF, 3),
	ABI_EQ(KDBUS_ITEM_PAYLOAD_MEMFD, 4),
	ABI_EQ(KDBUS_ITEM_FDS, 5),
	ABI_EQ(KDBUS_ITEM_CANCEL_FD, 6),
	ABI_EQ(KDBUS_ITEM_BLOOM_PARAMETER, 7),
	ABI_EQ(KDBUS_ITEM_BLOOM_FILTER, 8),
	ABI_EQ(KDBUS_ITEM_BLOOM_MASK, 9),
	ABI_EQ(KDBUS_ITEM_DST_NAME, 10),
	ABI_EQ(KDBUS_ITEM_MAKE_NAME, 11),
	ABI_EQ(KDBUS_ITEM_ATTACH_FLAGS_SEND, 12),
	ABI_EQ(KDBUS_ITEM_ATTACH_FLAGS_RECV, 13),
	ABI_EQ(KDBUS_ITEM_ID, 14),
	ABI_EQ(KDBUS_ITEM_NAME, 15),
	ABI_EQ(_KDBUS_ITEM_ATTACH_BASE, 0x1000),
	ABI_EQ(KDBUS_ITEM_TIMESTAMP, 0x1000),
	ABI_EQ(KDBUS_ITEM_CREDS, 0x1001),
	ABI_EQ(KDBUS_ITEM_PIDS, 0x1002),
	ABI_EQ(KDBUS_ITEM_AUXGROUPS, 0x1003),
	ABI_EQ(KDBUS_ITEM_OWNED_NAME, 0x1004),
	ABI_EQ(KDBUS_ITEM_TID_COMM, 0x1005),
	ABI_EQ(KDBUS_ITEM_PID_COMM, 0x1006),
	ABI_EQ(KDBUS_ITEM_EXE, 0x1007),
	ABI_EQ(KDBUS_ITEM_CMDLINE, 0x1008),
	ABI_EQ(KDBUS_ITEM_CGROUP, 0x1009),
	ABI_EQ(KDBUS_ITEM_CAPS, 0x100a),
	ABI_EQ(KDBUS_ITEM_SECLABEL, 0x100b),
	ABI_EQ(KDBUS_ITEM_AUDIT, 0x100c),
	ABI_EQ(KDBUS_ITEM_CONN_DESCRIPTION, 0x100d),
	ABI_EQ(_KDBUS_ITEM_POLICY_BASE, 0x2000),
	ABI_EQ(KDBUS_ITEM_POLICY_ACCESS, 0x2000),
	ABI_EQ(_KDBUS_ITEM_KERNEL_BASE, 0x8000),
	ABI_EQ(KDBUS_ITEM_NAME_ADD, 0x8000),
	ABI_EQ(KDBUS_ITEM_NAME_REMOVE, 0x8001),
	ABI_EQ(KDBUS_ITEM_NAME_CHANGE, 0x8002),
	ABI_EQ(KDBUS_ITEM_ID_ADD, 0x8003),
	ABI_EQ(KDBUS_ITEM_ID_REMOVE, 0x8004),
	ABI_EQ(KDBUS_ITEM_REPLY_TIMEOUT, 0x8005),
	ABI_EQ(KDBUS_ITEM_REPLY_DEAD, 0x8006),
};

/* an ioctl number: its encoding (all architectures) */
#define IOCTL(cmd, dir, nr, T)						\
	ABI_EQ(cmd, dir(KDBUS_IOCTL_MAGIC, nr, T)),			\
	ABI_EQ(_IOC_TYPE(cmd), 0x95),					\
	ABI_EQ(_IOC_NR(cmd), nr),					\
	ABI_EQ(_IOC_SIZE(cmd), sizeof(T))

/* §3.1 */
static const struct abi_check ioctls[] = {
	IOCTL(KDBUS_CMD_BUS_MAKE, _IOW, 0x00, struct kdbus_cmd),
	IOCTL(KDBUS_CMD_ENDPOINT_MAKE, _IOW, 0x10, struct kdbus_cmd),
	IOCTL(KDBUS_CMD_ENDPOINT_UPDATE, _IOW, 0x11, struct kdbus_cmd),
	IOCTL(KDBUS_CMD_HELLO, _IOWR, 0x80, struct kdbus_cmd_hello),
	IOCTL(KDBUS_CMD_UPDATE, _IOW, 0x81, struct kdbus_cmd),
	IOCTL(KDBUS_CMD_BYEBYE, _IOW, 0x82, struct kdbus_cmd),
	IOCTL(KDBUS_CMD_FREE, _IOW, 0x83, struct kdbus_cmd_free),
	IOCTL(KDBUS_CMD_CONN_INFO, _IOR, 0x84, struct kdbus_cmd_info),
	IOCTL(KDBUS_CMD_BUS_CREATOR_INFO, _IOR, 0x85, struct kdbus_cmd_info),
	IOCTL(KDBUS_CMD_LIST, _IOR, 0x86, struct kdbus_cmd_list),
	IOCTL(KDBUS_CMD_SEND, _IOW, 0x90, struct kdbus_cmd_send),
	IOCTL(KDBUS_CMD_RECV, _IOR, 0x91, struct kdbus_cmd_recv),
	IOCTL(KDBUS_CMD_NAME_ACQUIRE, _IOW, 0xa0, struct kdbus_cmd),
	IOCTL(KDBUS_CMD_NAME_RELEASE, _IOW, 0xa1, struct kdbus_cmd),
	IOCTL(KDBUS_CMD_MATCH_ADD, _IOW, 0xb0, struct kdbus_cmd_match),
	IOCTL(KDBUS_CMD_MATCH_REMOVE, _IOW, 0xb1, struct kdbus_cmd_match),
};

/*
 * The hexadecimal values of §3.1 hold for the generic _IOC layout (x86,
 * arm, arm64, riscv, s390, ...); powerpc, mips, sparc, alpha and parisc
 * encode differently, and there the expressions above are authoritative.
 */
#if _IOC_WRITE == 1U && _IOC_READ == 2U && _IOC_SIZEBITS == 14 && \
	_IOC_DIRSHIFT == 30
#define GENERIC_IOC 1
static const struct abi_check ioctl_values[] = {
	ABI_EQ(KDBUS_CMD_BUS_MAKE, 0x40189500),
	ABI_EQ(KDBUS_CMD_ENDPOINT_MAKE, 0x40189510),
	ABI_EQ(KDBUS_CMD_ENDPOINT_UPDATE, 0x40189511),
	ABI_EQ(KDBUS_CMD_HELLO, 0xC0609580),
	ABI_EQ(KDBUS_CMD_UPDATE, 0x40189581),
	ABI_EQ(KDBUS_CMD_BYEBYE, 0x40189582),
	ABI_EQ(KDBUS_CMD_FREE, 0x40209583),
	ABI_EQ(KDBUS_CMD_CONN_INFO, 0x80389584),
	ABI_EQ(KDBUS_CMD_BUS_CREATOR_INFO, 0x80389585),
	ABI_EQ(KDBUS_CMD_LIST, 0x80289586),
	ABI_EQ(KDBUS_CMD_SEND, 0x40389590),
	ABI_EQ(KDBUS_CMD_RECV, 0x80409591),
	ABI_EQ(KDBUS_CMD_NAME_ACQUIRE, 0x401895A0),
	ABI_EQ(KDBUS_CMD_NAME_RELEASE, 0x401895A1),
	ABI_EQ(KDBUS_CMD_MATCH_ADD, 0x402095B0),
	ABI_EQ(KDBUS_CMD_MATCH_REMOVE, 0x402095B1),
};
#else
#define GENERIC_IOC 0
#endif

#define GROUP(arr)	{ #arr, arr, ARRAY_SIZE(arr) }

static const struct {
	const char *name;
	const struct abi_check *checks;
	size_t n;
} groups[] = {
	GROUP(sizes),
	GROUP(commands),
	GROUP(msg),
	GROUP(item),
	GROUP(payloads),
	GROUP(constants),
	GROUP(attach),
	GROUP(item_types),
	GROUP(ioctls),
#if GENERIC_IOC
	GROUP(ioctl_values),
#endif
};

int main(void)
{
	size_t g, i, n_groups = ARRAY_SIZE(groups);

	ksft_print_header();
	ksft_set_plan(n_groups + !GENERIC_IOC);

	for (g = 0; g < n_groups; g++) {
		size_t bad = 0;

		for (i = 0; i < groups[g].n; i++) {
			const struct abi_check *c = &groups[g].checks[i];

			if (c->seen == c->want)
				continue;
			bad++;
			ksft_print_msg("%s: got 0x%llx, want 0x%llx\n",
				       c->what, c->seen, c->want);
		}
		ksft_test_result(!bad, "abi %s (%zu checks)\n",
				 groups[g].name, groups[g].n);
	}
#if !GENERIC_IOC
	ksft_test_result_skip("abi ioctl_values: no generic _IOC layout here\n");
#endif
	ksft_finished();
	return 0;
}
