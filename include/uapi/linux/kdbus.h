/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kdbus - D-Bus IPC in the kernel: user-space interface
 *
 * All structures are naturally aligned, carry an 8-byte alignment attribute
 * and contain no implicit padding; they are layout-identical on 32-bit and
 * 64-bit architectures. See Documentation/kdbus.txt.
 */

#ifndef _UAPI_KDBUS_H_
#define _UAPI_KDBUS_H_

#include <linux/ioctl.h>
#include <linux/types.h>

#define KDBUS_IOCTL_MAGIC		0x95
#define KDBUS_SRC_ID_KERNEL		(0)
#define KDBUS_DST_ID_NAME		(0)
#define KDBUS_MATCH_ID_ANY		(~0ULL)
#define KDBUS_DST_ID_BROADCAST		(~0ULL)
#define KDBUS_FLAG_NEGOTIATE		(1ULL << 63)

/**
 * struct kdbus_notify_id_change - a connection id and its flags
 * @id:			Connection id (in match rules: the id to match, or
 *			KDBUS_MATCH_ID_ANY)
 * @flags:		In ID notifications the connection's KDBUS_HELLO_*
 *			flags; in name notifications the KDBUS_NAME_* flags of
 *			the ownership
 *
 * Payload of KDBUS_ITEM_ID_ADD and KDBUS_ITEM_ID_REMOVE, and the two halves
 * of struct kdbus_notify_name_change.
 */
struct kdbus_notify_id_change {
	__u64 id;
	__u64 flags;
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_notify_name_change - owner change of a well-known name
 * @old_id:		Previous owner ({0, 0} for KDBUS_ITEM_NAME_ADD)
 * @new_id:		New owner ({0, 0} for KDBUS_ITEM_NAME_REMOVE)
 * @name:		The name, NUL-terminated (optional in match rules)
 *
 * Payload of KDBUS_ITEM_NAME_ADD, KDBUS_ITEM_NAME_REMOVE and
 * KDBUS_ITEM_NAME_CHANGE.
 */
struct kdbus_notify_name_change {
	struct kdbus_notify_id_change old_id;
	struct kdbus_notify_id_change new_id;
	char name[];
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_creds - process credentials
 * @uid:		User ID
 * @euid:		Effective UID
 * @suid:		Saved UID
 * @fsuid:		Filesystem UID
 * @gid:		Group ID
 * @egid:		Effective GID
 * @sgid:		Saved GID
 * @fsgid:		Filesystem GID
 *
 * Each value is a 32-bit id zero-extended to 64 bits, as seen in the
 * receiver's user namespace: an id that cannot be mapped there is the
 * overflow id (65534 by default), an unset id is 0xFFFFFFFF.
 *
 * Attached to:
 *   KDBUS_ITEM_CREDS
 */
struct kdbus_creds {
	__u64 uid;
	__u64 euid;
	__u64 suid;
	__u64 fsuid;
	__u64 gid;
	__u64 egid;
	__u64 sgid;
	__u64 fsgid;
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_pids - process identifiers
 * @pid:		Process ID (thread-group id)
 * @tid:		Thread ID
 * @ppid:		Process ID of the real parent process
 *
 * The PID, TID and parent's PID of a process; 0 if unknown or not visible
 * in the receiver's pid namespace.
 *
 * Attached to:
 *   KDBUS_ITEM_PIDS
 */
struct kdbus_pids {
	__u64 pid;
	__u64 tid;
	__u64 ppid;
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_caps - process capabilities
 * @last_cap:	Highest capability number the kernel knows
 * @caps:	Four capability sets of equal length, in the order
 *		inheritable, permitted, effective, bounding; each set is an
 *		array of 32-bit words, word 0 holding capabilities 0..31
 *
 * Attached to:
 *   KDBUS_ITEM_CAPS
 */
struct kdbus_caps {
	__u32 last_cap;
	__u32 caps[];
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_audit - audit information
 * @sessionid:		The audit session ID
 * @loginuid:		The audit login uid
 *
 * Attached to:
 *   KDBUS_ITEM_AUDIT
 */
struct kdbus_audit {
	__u32 sessionid;
	__u32 loginuid;
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_timestamp - timestamp
 * @seqnum:		Global per-domain message sequence number
 * @monotonic_ns:	Monotonic timestamp, in nanoseconds
 * @realtime_ns:	Realtime timestamp, in nanoseconds
 *
 * Attached to:
 *   KDBUS_ITEM_TIMESTAMP
 */
struct kdbus_timestamp {
	__u64 seqnum;
	__u64 monotonic_ns;
	__u64 realtime_ns;
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_vec - I/O vector for kdbus payload items
 * @size:		The size of the vector
 * @address:		Memory address of data buffer (SEND direction)
 * @offset:		Offset from the start of the message of the data
 *			(RECV direction), or ~0ULL for a null vector
 *
 * Attached to:
 *   KDBUS_ITEM_PAYLOAD_VEC, KDBUS_ITEM_PAYLOAD_OFF
 */
struct kdbus_vec {
	__u64 size;
	union {
		__u64 address;
		__u64 offset;
	};
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_bloom_parameter - bus-wide bloom parameters
 * @size:		Size of the bit field in bytes (m / 8)
 * @n_hash:		Number of hash functions used (k)
 */
struct kdbus_bloom_parameter {
	__u64 size;
	__u64 n_hash;
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_bloom_filter - bloom filter containing n elements
 * @generation:		Generation of the element set in the filter
 * @data:		Bit field, multiple of 8 bytes
 */
struct kdbus_bloom_filter {
	__u64 generation;
	__u64 data[];
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_memfd - a kdbus memfd
 * @start:		The offset into the memfd where the segment starts
 * @size:		The size of the memfd segment
 * @fd:			The file descriptor number
 * @__pad:		Padding to ensure proper alignment and size
 *
 * Attached to:
 *   KDBUS_ITEM_PAYLOAD_MEMFD
 */
struct kdbus_memfd {
	__u64 start;
	__u64 size;
	int fd;
	__u32 __pad;
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_name - a registered well-known name with its flags
 * @flags:		Flags from KDBUS_NAME_*
 * @name:		Well-known name
 *
 * Attached to:
 *   KDBUS_ITEM_OWNED_NAME
 */
struct kdbus_name {
	__u64 flags;
	char name[];
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_policy_access_type - permissions of a policy record
 * @_KDBUS_POLICY_ACCESS_NULL:	Uninitialized/invalid
 * @KDBUS_POLICY_ACCESS_USER:	Grant access to a uid
 * @KDBUS_POLICY_ACCESS_GROUP:	Grant access to a gid
 * @KDBUS_POLICY_ACCESS_WORLD:	World-accessible
 */
enum kdbus_policy_access_type {
	_KDBUS_POLICY_ACCESS_NULL,
	KDBUS_POLICY_ACCESS_USER,
	KDBUS_POLICY_ACCESS_GROUP,
	KDBUS_POLICY_ACCESS_WORLD,
};

/**
 * enum kdbus_policy_type - permissions of a policy record
 * @KDBUS_POLICY_SEE:	Allow to see a well-known name
 * @KDBUS_POLICY_TALK:	Allow to talk to a well-known name
 * @KDBUS_POLICY_OWN:	Allow to own a well-known name
 *
 * Each level implies the lower ones.
 */
enum kdbus_policy_type {
	KDBUS_POLICY_SEE	= 0,
	KDBUS_POLICY_TALK,
	KDBUS_POLICY_OWN,
};

/**
 * struct kdbus_policy_access - policy access item
 * @type:		One of KDBUS_POLICY_ACCESS_* types
 * @access:		Access to grant, one of KDBUS_POLICY_*
 * @id:			For KDBUS_POLICY_ACCESS_USER, the uid;
 *			for KDBUS_POLICY_ACCESS_GROUP, the gid
 */
struct kdbus_policy_access {
	__u64 type;
	__u64 access;
	__u64 id;
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_attach_flags - flags for metadata attachments
 * @KDBUS_ATTACH_TIMESTAMP:		Timestamp
 * @KDBUS_ATTACH_CREDS:			Credentials
 * @KDBUS_ATTACH_PIDS:			PIDs
 * @KDBUS_ATTACH_AUXGROUPS:		Auxiliary groups
 * @KDBUS_ATTACH_NAMES:			Well-known names
 * @KDBUS_ATTACH_TID_COMM:		The "comm" process identifier of the TID
 * @KDBUS_ATTACH_PID_COMM:		The "comm" process identifier of the PID
 * @KDBUS_ATTACH_EXE:			The path of the executable
 * @KDBUS_ATTACH_CMDLINE:		The process command line
 * @KDBUS_ATTACH_CGROUP:		The cgroup path
 * @KDBUS_ATTACH_CAPS:			The process capabilities
 * @KDBUS_ATTACH_SECLABEL:		The security label
 * @KDBUS_ATTACH_AUDIT:			The audit IDs
 * @KDBUS_ATTACH_CONN_DESCRIPTION:	The human-readable connection name
 * @_KDBUS_ATTACH_ALL:			All of the above
 * @_KDBUS_ATTACH_ANY:			Accepted on input as "everything",
 *					treated as _KDBUS_ATTACH_ALL
 */
enum kdbus_attach_flags {
	KDBUS_ATTACH_TIMESTAMP		=  1ULL <<  0,
	KDBUS_ATTACH_CREDS		=  1ULL <<  1,
	KDBUS_ATTACH_PIDS		=  1ULL <<  2,
	KDBUS_ATTACH_AUXGROUPS		=  1ULL <<  3,
	KDBUS_ATTACH_NAMES		=  1ULL <<  4,
	KDBUS_ATTACH_TID_COMM		=  1ULL <<  5,
	KDBUS_ATTACH_PID_COMM		=  1ULL <<  6,
	KDBUS_ATTACH_EXE		=  1ULL <<  7,
	KDBUS_ATTACH_CMDLINE		=  1ULL <<  8,
	KDBUS_ATTACH_CGROUP		=  1ULL <<  9,
	KDBUS_ATTACH_CAPS		=  1ULL << 10,
	KDBUS_ATTACH_SECLABEL		=  1ULL << 11,
	KDBUS_ATTACH_AUDIT		=  1ULL << 12,
	KDBUS_ATTACH_CONN_DESCRIPTION	=  1ULL << 13,
	_KDBUS_ATTACH_ALL		=  (1ULL << 14) - 1,
	_KDBUS_ATTACH_ANY		=  ~0ULL
};

/**
 * enum kdbus_item_type - item types to chain data in a list
 * @_KDBUS_ITEM_NULL:			Uninitialized/invalid
 * @_KDBUS_ITEM_USER_BASE:		Start of user items
 * @KDBUS_ITEM_NEGOTIATE:		Negotiate supported items
 * @KDBUS_ITEM_PAYLOAD_VEC:		Vector to data
 * @KDBUS_ITEM_PAYLOAD_OFF:		Data at returned offset to message head
 * @KDBUS_ITEM_PAYLOAD_MEMFD:		Data as sealed memfd
 * @KDBUS_ITEM_FDS:			Attached file descriptors
 * @KDBUS_ITEM_CANCEL_FD:		FD used to cancel a synchronous
 *					operation by writing to it from
 *					userspace
 * @KDBUS_ITEM_BLOOM_PARAMETER:		Bus-wide bloom parameters, used with
 *					KDBUS_CMD_BUS_MAKE, carries a
 *					struct kdbus_bloom_parameter
 * @KDBUS_ITEM_BLOOM_FILTER:		Bloom filter carried with a message,
 *					used to match against a bloom mask of a
 *					connection, carries a struct
 *					kdbus_bloom_filter
 * @KDBUS_ITEM_BLOOM_MASK:		Bloom mask used to match against a
 *					message's bloom filter
 * @KDBUS_ITEM_DST_NAME:		Destination's well-known name
 * @KDBUS_ITEM_MAKE_NAME:		Name of domain, bus, endpoint
 * @KDBUS_ITEM_ATTACH_FLAGS_SEND:	Attach-flags, used for updating which
 *					metadata a connection opts in to send
 * @KDBUS_ITEM_ATTACH_FLAGS_RECV:	Attach-flags, used for updating which
 *					metadata a connection requests to
 *					receive for each received message
 * @KDBUS_ITEM_ID:			Connection ID
 * @KDBUS_ITEM_NAME:			Well-known name with flags
 * @_KDBUS_ITEM_ATTACH_BASE:		Start of metadata attach items
 * @KDBUS_ITEM_TIMESTAMP:		Timestamp
 * @KDBUS_ITEM_CREDS:			Process credentials
 * @KDBUS_ITEM_PIDS:			Process identifiers
 * @KDBUS_ITEM_AUXGROUPS:		Auxiliary process groups
 * @KDBUS_ITEM_OWNED_NAME:		A name owned by the associated
 *					connection
 * @KDBUS_ITEM_TID_COMM:		Thread ID "comm" identifier
 *					(Don't trust this, see below.)
 * @KDBUS_ITEM_PID_COMM:		Process ID "comm" identifier
 *					(Don't trust this, see below.)
 * @KDBUS_ITEM_EXE:			The path of the executable
 *					(Don't trust this, see below.)
 * @KDBUS_ITEM_CMDLINE:			The process command line
 *					(Don't trust this, see below.)
 * @KDBUS_ITEM_CGROUP:			The cgroup path
 * @KDBUS_ITEM_CAPS:			The process capabilities
 * @KDBUS_ITEM_SECLABEL:		The security label
 * @KDBUS_ITEM_AUDIT:			The audit IDs
 * @KDBUS_ITEM_CONN_DESCRIPTION:	The connection's human-readable name
 *					(debugging)
 * @_KDBUS_ITEM_POLICY_BASE:		Start of policy items
 * @KDBUS_ITEM_POLICY_ACCESS:		Policy access block
 * @_KDBUS_ITEM_KERNEL_BASE:		Start of kernel-generated message items
 * @KDBUS_ITEM_NAME_ADD:		Notification in kdbus_notify_name_change
 * @KDBUS_ITEM_NAME_REMOVE:		Notification in kdbus_notify_name_change
 * @KDBUS_ITEM_NAME_CHANGE:		Notification in kdbus_notify_name_change
 * @KDBUS_ITEM_ID_ADD:			Notification in kdbus_notify_id_change
 * @KDBUS_ITEM_ID_REMOVE:		Notification in kdbus_notify_id_change
 * @KDBUS_ITEM_REPLY_TIMEOUT:		Timeout has been reached
 * @KDBUS_ITEM_REPLY_DEAD:		Destination died
 *
 * Item type 0x1000 + n carries the metadata enabled by attach bit n.
 * COMM, EXE and CMDLINE can be changed by the process itself; never base a
 * security decision on them.
 */
enum kdbus_item_type {
	_KDBUS_ITEM_NULL,
	_KDBUS_ITEM_USER_BASE,
	KDBUS_ITEM_NEGOTIATE	= _KDBUS_ITEM_USER_BASE,
	KDBUS_ITEM_PAYLOAD_VEC,
	KDBUS_ITEM_PAYLOAD_OFF,
	KDBUS_ITEM_PAYLOAD_MEMFD,
	KDBUS_ITEM_FDS,
	KDBUS_ITEM_CANCEL_FD,
	KDBUS_ITEM_BLOOM_PARAMETER,
	KDBUS_ITEM_BLOOM_FILTER,
	KDBUS_ITEM_BLOOM_MASK,
	KDBUS_ITEM_DST_NAME,
	KDBUS_ITEM_MAKE_NAME,
	KDBUS_ITEM_ATTACH_FLAGS_SEND,
	KDBUS_ITEM_ATTACH_FLAGS_RECV,
	KDBUS_ITEM_ID,
	KDBUS_ITEM_NAME,

	/* keep these item types in sync with KDBUS_ATTACH_* flags */
	_KDBUS_ITEM_ATTACH_BASE	= 0x1000,
	KDBUS_ITEM_TIMESTAMP	= _KDBUS_ITEM_ATTACH_BASE,
	KDBUS_ITEM_CREDS,
	KDBUS_ITEM_PIDS,
	KDBUS_ITEM_AUXGROUPS,
	KDBUS_ITEM_OWNED_NAME,
	KDBUS_ITEM_TID_COMM,
	KDBUS_ITEM_PID_COMM,
	KDBUS_ITEM_EXE,
	KDBUS_ITEM_CMDLINE,
	KDBUS_ITEM_CGROUP,
	KDBUS_ITEM_CAPS,
	KDBUS_ITEM_SECLABEL,
	KDBUS_ITEM_AUDIT,
	KDBUS_ITEM_CONN_DESCRIPTION,

	_KDBUS_ITEM_POLICY_BASE	= 0x2000,
	KDBUS_ITEM_POLICY_ACCESS = _KDBUS_ITEM_POLICY_BASE,

	_KDBUS_ITEM_KERNEL_BASE	= 0x8000,
	KDBUS_ITEM_NAME_ADD	= _KDBUS_ITEM_KERNEL_BASE,
	KDBUS_ITEM_NAME_REMOVE,
	KDBUS_ITEM_NAME_CHANGE,
	KDBUS_ITEM_ID_ADD,
	KDBUS_ITEM_ID_REMOVE,
	KDBUS_ITEM_REPLY_TIMEOUT,
	KDBUS_ITEM_REPLY_DEAD,
};

/**
 * struct kdbus_item - chain of data blocks
 * @size:		Overall data record size (header + payload, without
 *			trailing padding)
 * @type:		Kdbus_item type of data
 * @data:		Generic bytes
 * @data32:		Generic 32 bit array
 * @data64:		Generic 64 bit array
 * @str:		Generic string
 * @id:			Connection ID
 * @vec:		KDBUS_ITEM_PAYLOAD_VEC / KDBUS_ITEM_PAYLOAD_OFF
 * @creds:		KDBUS_ITEM_CREDS
 * @pids:		KDBUS_ITEM_PIDS
 * @audit:		KDBUS_ITEM_AUDIT
 * @caps:		KDBUS_ITEM_CAPS
 * @timestamp:		KDBUS_ITEM_TIMESTAMP
 * @name:		KDBUS_ITEM_NAME / KDBUS_ITEM_OWNED_NAME
 * @bloom_parameter:	KDBUS_ITEM_BLOOM_PARAMETER
 * @bloom_filter:	KDBUS_ITEM_BLOOM_FILTER
 * @memfd:		KDBUS_ITEM_PAYLOAD_MEMFD
 * @fds:		KDBUS_ITEM_FDS / KDBUS_ITEM_CANCEL_FD
 * @name_change:	KDBUS_ITEM_NAME_ADD / _REMOVE / _CHANGE
 * @id_change:		KDBUS_ITEM_ID_ADD / _REMOVE
 * @policy_access:	KDBUS_ITEM_POLICY_ACCESS
 *
 * Items are laid out back to back, each starting at an 8-byte aligned
 * offset; never allocate an item by sizeof(struct kdbus_item). The
 * variable-length tails are flexible arrays; their layout is that of the
 * zero-length arrays of the historical interface.
 */
struct kdbus_item {
	__u64 size;
	__u64 type;
	union {
		__DECLARE_FLEX_ARRAY(__u8, data);
		__DECLARE_FLEX_ARRAY(__u32, data32);
		__DECLARE_FLEX_ARRAY(__u64, data64);
		__DECLARE_FLEX_ARRAY(char, str);

		__u64 id;
		struct kdbus_vec vec;
		struct kdbus_creds creds;
		struct kdbus_pids pids;
		struct kdbus_audit audit;
		struct kdbus_caps caps;
		struct kdbus_timestamp timestamp;
		struct kdbus_name name;
		struct kdbus_bloom_parameter bloom_parameter;
		struct kdbus_bloom_filter bloom_filter;
		struct kdbus_memfd memfd;
		__DECLARE_FLEX_ARRAY(int, fds);
		struct kdbus_notify_name_change name_change;
		struct kdbus_notify_id_change id_change;
		struct kdbus_policy_access policy_access;
	};
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_msg_flags - type of message
 * @KDBUS_MSG_EXPECT_REPLY:	A method call: the kernel tracks a reply
 *				with cookie_reply == @cookie until the
 *				absolute deadline in timeout_ns
 * @KDBUS_MSG_NO_AUTO_START:	Fail with EADDRNOTAVAIL instead of queueing
 *				the message at the activator of the
 *				destination name
 * @KDBUS_MSG_SIGNAL:		A signal, delivered through matches; must
 *				carry a KDBUS_ITEM_BLOOM_FILTER
 */
enum kdbus_msg_flags {
	KDBUS_MSG_EXPECT_REPLY	= 1ULL << 0,
	KDBUS_MSG_NO_AUTO_START	= 1ULL << 1,
	KDBUS_MSG_SIGNAL	= 1ULL << 2,
};

/**
 * enum kdbus_payload_type - type of payload carried by message
 * @KDBUS_PAYLOAD_KERNEL:	Kernel-generated simple message
 * @KDBUS_PAYLOAD_DBUS:		D-Bus marshalling "DBusDBus"
 *
 * Any non-zero payload type may be sent; the kernel does not interpret it.
 */
enum kdbus_payload_type {
	KDBUS_PAYLOAD_KERNEL,
	KDBUS_PAYLOAD_DBUS	= 0x4442757344427573ULL,
};

/**
 * struct kdbus_msg - the representation of a kdbus message
 * @size:		Total size of the message
 * @flags:		KDBUS_MSG_* flags
 * @priority:		Queue priority; lower values are more urgent
 * @dst_id:		Destination connection id, KDBUS_DST_ID_NAME or
 *			KDBUS_DST_ID_BROADCAST
 * @src_id:		Sender id (0 or the sender's own id on SEND; 0 for
 *			kernel messages)
 * @payload_type:	KDBUS_PAYLOAD_* or any other non-zero value
 * @cookie:		Sender-chosen serial number of this message
 * @timeout_ns:		With KDBUS_MSG_EXPECT_REPLY: absolute CLOCK_MONOTONIC
 *			deadline for the reply, in nanoseconds
 * @cookie_reply:	Without KDBUS_MSG_EXPECT_REPLY: the cookie of the
 *			request this message answers, or 0
 * @items:		Message items
 */
struct kdbus_msg {
	__u64 size;
	__u64 flags;
	__s64 priority;
	__u64 dst_id;
	__u64 src_id;
	__u64 payload_type;
	__u64 cookie;
	union {
		__u64 timeout_ns;
		__u64 cookie_reply;
	};
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_msg_info - returned message container
 * @offset:		Pool offset of the message slice (pool size if none)
 * @msg_size:		Size of the slice, 8-byte aligned (0 if none)
 * @return_flags:	KDBUS_RECV_RETURN_* flags of this message
 */
struct kdbus_msg_info {
	__u64 offset;
	__u64 msg_size;
	__u64 return_flags;
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_send_flags - flags for sending messages
 * @KDBUS_SEND_SYNC_REPLY:	Block until the reply arrives and return its
 *				location in kdbus_cmd_send.reply; requires
 *				KDBUS_MSG_EXPECT_REPLY
 */
enum kdbus_send_flags {
	KDBUS_SEND_SYNC_REPLY		= 1ULL << 0,
};

/**
 * struct kdbus_cmd_send - send message
 * @size:		Overall size of this structure
 * @flags:		KDBUS_SEND_* flags
 * @return_flags:	Command return flags, kernel -> userspace
 * @msg_address:	User address of the struct kdbus_msg, 8-byte aligned
 * @reply:		Location of the synchronous reply (the empty slice
 *			for asynchronous sends)
 * @items:		KDBUS_ITEM_CANCEL_FD, KDBUS_ITEM_NEGOTIATE
 */
struct kdbus_cmd_send {
	__u64 size;
	__u64 flags;
	__u64 return_flags;
	__u64 msg_address;
	struct kdbus_msg_info reply;
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_recv_flags - flags for de-queuing messages
 * @KDBUS_RECV_PEEK:		Copy the next message into the pool but leave
 *				it queued; no file descriptors are installed
 * @KDBUS_RECV_DROP:		Discard the next message without receiving it
 * @KDBUS_RECV_USE_PRIORITY:	Only consider messages whose priority is less
 *				than or equal to kdbus_cmd_recv.priority
 */
enum kdbus_recv_flags {
	KDBUS_RECV_PEEK		= 1ULL <<  0,
	KDBUS_RECV_DROP		= 1ULL <<  1,
	KDBUS_RECV_USE_PRIORITY	= 1ULL <<  2,
};

/**
 * enum kdbus_recv_return_flags - return flags for message receive commands
 * @KDBUS_RECV_RETURN_INCOMPLETE_FDS:	At least one fd could not be
 *					installed and reads as -1
 * @KDBUS_RECV_RETURN_DROPPED_MSGS:	Messages were lost since the previous
 *					RECV; see kdbus_cmd_recv.dropped_msgs
 */
enum kdbus_recv_return_flags {
	KDBUS_RECV_RETURN_INCOMPLETE_FDS	= 1ULL <<  0,
	KDBUS_RECV_RETURN_DROPPED_MSGS		= 1ULL <<  1,
};

/**
 * struct kdbus_cmd_recv - struct to de-queue a buffered message
 * @size:		Overall size of this object
 * @flags:		KDBUS_RECV_* flags
 * @return_flags:	KDBUS_RECV_RETURN_* flags, kernel -> userspace
 * @priority:		With KDBUS_RECV_USE_PRIORITY: the largest (least
 *			urgent) priority value acceptable
 * @dropped_msgs:	Messages lost since the previous RECV (written on
 *			success and on EAGAIN)
 * @msg:		Location of the received message
 * @items:		KDBUS_ITEM_NEGOTIATE only
 *
 * Argument of KDBUS_CMD_RECV.
 */
struct kdbus_cmd_recv {
	__u64 size;
	__u64 flags;
	__u64 return_flags;
	__s64 priority;
	__u64 dropped_msgs;
	struct kdbus_msg_info msg;
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_cmd_free - struct to free a slice of memory in the pool
 * @size:		Overall size of this structure
 * @flags:		None defined
 * @return_flags:	Command return flags, kernel -> userspace
 * @offset:		Pool offset of a slice the kernel handed out
 * @items:		KDBUS_ITEM_NEGOTIATE only
 *
 * Argument of KDBUS_CMD_FREE.
 */
struct kdbus_cmd_free {
	__u64 size;
	__u64 flags;
	__u64 return_flags;
	__u64 offset;
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_hello_flags - flags for struct kdbus_cmd_hello
 * @KDBUS_HELLO_ACCEPT_FD:	Accept messages that carry file descriptors
 * @KDBUS_HELLO_ACTIVATOR:	Hold one well-known name on behalf of a
 *				service that is not running yet
 * @KDBUS_HELLO_POLICY_HOLDER:	Install and keep the bus policy for one name
 * @KDBUS_HELLO_MONITOR:	Receive a copy of all bus traffic
 */
enum kdbus_hello_flags {
	KDBUS_HELLO_ACCEPT_FD		=  1ULL <<  0,
	KDBUS_HELLO_ACTIVATOR		=  1ULL <<  1,
	KDBUS_HELLO_POLICY_HOLDER	=  1ULL <<  2,
	KDBUS_HELLO_MONITOR		=  1ULL <<  3,
};

/**
 * struct kdbus_cmd_hello - struct to say hello to kdbus
 * @size:		The total size of the structure
 * @flags:		KDBUS_HELLO_* flags
 * @return_flags:	Command return flags, kernel -> userspace
 * @attach_flags_send:	KDBUS_ATTACH_* metadata this connection agrees to
 *			have attached to what it sends
 * @attach_flags_recv:	KDBUS_ATTACH_* metadata this connection wants
 *			attached to what it receives
 * @bus_flags:		The bus's KDBUS_MAKE_* flags (kernel -> userspace)
 * @id:			The new connection id (kernel -> userspace)
 * @pool_size:		Size of the receive pool, a multiple of PAGE_SIZE
 * @offset:		Pool offset of the returned item list
 *			(kernel -> userspace)
 * @items_size:		Size of that slice (kernel -> userspace)
 * @id128:		The bus UUID (kernel -> userspace)
 * @items:		HELLO items
 *
 * Argument of KDBUS_CMD_HELLO.
 */
struct kdbus_cmd_hello {
	__u64 size;
	__u64 flags;
	__u64 return_flags;
	__u64 attach_flags_send;
	__u64 attach_flags_recv;
	__u64 bus_flags;
	__u64 id;
	__u64 pool_size;
	__u64 offset;
	__u64 items_size;
	__u8 id128[16];
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_info - a connection or bus record in the pool
 * @size:		Size of the record, items and padding included
 * @id:			Connection or bus id
 * @flags:		KDBUS_HELLO_* flags of a connection, KDBUS_MAKE_*
 *			flags of a bus
 * @items:		Metadata or KDBUS_ITEM_OWNED_NAME items
 *
 * Written by CONN_INFO, BUS_CREATOR_INFO and LIST; the slice is released
 * with KDBUS_CMD_FREE.
 */
struct kdbus_info {
	__u64 size;
	__u64 id;
	__u64 flags;
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_list_flags - what to include into the returned list
 * @KDBUS_LIST_UNIQUE:		Unique ids of connections
 * @KDBUS_LIST_NAMES:		Names and their primary owners
 * @KDBUS_LIST_ACTIVATORS:	Names held by activators
 * @KDBUS_LIST_QUEUED:		Connections waiting for a name
 */
enum kdbus_list_flags {
	KDBUS_LIST_UNIQUE		= 1ULL <<  0,
	KDBUS_LIST_NAMES		= 1ULL <<  1,
	KDBUS_LIST_ACTIVATORS		= 1ULL <<  2,
	KDBUS_LIST_QUEUED		= 1ULL <<  3,
};

/**
 * struct kdbus_cmd_list - list connections
 * @size:		Overall size of this structure
 * @flags:		KDBUS_LIST_* selection
 * @return_flags:	Command return flags, kernel -> userspace
 * @offset:		Pool offset of the array of struct kdbus_info records
 * @list_size:		Total size of the records in bytes
 * @items:		KDBUS_ITEM_NEGOTIATE only
 *
 * Argument of KDBUS_CMD_LIST.
 */
struct kdbus_cmd_list {
	__u64 size;
	__u64 flags;
	__u64 return_flags;
	__u64 offset;
	__u64 list_size;
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * struct kdbus_cmd_info - struct used for KDBUS_CMD_CONN_INFO ioctl
 * @size:		Overall size of this structure
 * @flags:		None defined
 * @return_flags:	Command return flags, kernel -> userspace
 * @id:			Connection id to query; 0 to look up the owner of
 *			the name given in a KDBUS_ITEM_NAME item
 * @attach_flags:	KDBUS_ATTACH_* metadata wanted in the result
 * @offset:		Pool offset of the struct kdbus_info result
 * @info_size:		Size of the result slice
 * @items:		Optional KDBUS_ITEM_NAME, KDBUS_ITEM_NEGOTIATE
 *
 * Argument of KDBUS_CMD_CONN_INFO and KDBUS_CMD_BUS_CREATOR_INFO.
 */
struct kdbus_cmd_info {
	__u64 size;
	__u64 flags;
	__u64 return_flags;
	__u64 id;
	__u64 attach_flags;
	__u64 offset;
	__u64 info_size;
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_cmd_match_flags - flags to control the KDBUS_CMD_MATCH_ADD ioctl
 * @KDBUS_MATCH_REPLACE:	Remove the matches carrying the same cookie
 *				before installing the new one
 */
enum kdbus_cmd_match_flags {
	KDBUS_MATCH_REPLACE	= 1ULL <<  0,
};

/**
 * struct kdbus_cmd_match - struct to add or remove matches
 * @size:		Overall size of this structure
 * @flags:		KDBUS_MATCH_* flags
 * @return_flags:	Command return flags, kernel -> userspace
 * @cookie:		Caller-chosen tag of the match; MATCH_REMOVE removes
 *			every match carrying it
 * @items:		Match rules
 *
 * Argument of KDBUS_CMD_MATCH_ADD and KDBUS_CMD_MATCH_REMOVE.
 */
struct kdbus_cmd_match {
	__u64 size;
	__u64 flags;
	__u64 return_flags;
	__u64 cookie;
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_make_flags - Flags for KDBUS_CMD_{BUS,ENDPOINT}_MAKE
 * @KDBUS_MAKE_ACCESS_GROUP:	Give the owner's group access to the node
 * @KDBUS_MAKE_ACCESS_WORLD:	Give everybody access to the node
 */
enum kdbus_make_flags {
	KDBUS_MAKE_ACCESS_GROUP		= 1ULL <<  0,
	KDBUS_MAKE_ACCESS_WORLD		= 1ULL <<  1,
};

/**
 * enum kdbus_name_flags - flags for KDBUS_CMD_NAME_ACQUIRE
 * @KDBUS_NAME_REPLACE_EXISTING:	Take the name over from its owner if that
 *					owner allows replacement
 * @KDBUS_NAME_ALLOW_REPLACEMENT:	Let others take the name over
 * @KDBUS_NAME_QUEUE:			Wait in the name's queue if it is taken
 * @KDBUS_NAME_IN_QUEUE:		(output) the caller was queued
 * @KDBUS_NAME_ACTIVATOR:		(output) the name is held by an activator
 */
enum kdbus_name_flags {
	KDBUS_NAME_REPLACE_EXISTING	= 1ULL <<  0,
	KDBUS_NAME_ALLOW_REPLACEMENT	= 1ULL <<  1,
	KDBUS_NAME_QUEUE		= 1ULL <<  2,
	KDBUS_NAME_IN_QUEUE		= 1ULL <<  3,
	KDBUS_NAME_ACTIVATOR		= 1ULL <<  4,
};

/**
 * struct kdbus_cmd - generic ioctl payload
 * @size:		Overall size of this structure
 * @flags:		Command flags, userspace -> kernel
 * @return_flags:	Command return flags, kernel -> userspace
 * @items:		Command items
 *
 * Argument of every command that takes nothing but flags and items.
 */
struct kdbus_cmd {
	__u64 size;
	__u64 flags;
	__u64 return_flags;
	struct kdbus_item items[];
} __attribute__((__aligned__(8)));

/**
 * enum kdbus_ioctl_type - the kdbus ioctl commands
 * @KDBUS_CMD_BUS_MAKE:		On a control handle: create a bus that lives as
 *				long as the handle
 * @KDBUS_CMD_ENDPOINT_MAKE:	On a privileged endpoint handle: create a
 *				custom endpoint that lives as long as the handle
 * @KDBUS_CMD_ENDPOINT_UPDATE:	Replace the policy of a custom endpoint
 * @KDBUS_CMD_HELLO:		Turn an endpoint handle into a connection
 * @KDBUS_CMD_UPDATE:		Change attach masks or the held policy
 * @KDBUS_CMD_BYEBYE:		Disconnect, if nothing is queued
 * @KDBUS_CMD_FREE:		Release a pool slice
 * @KDBUS_CMD_CONN_INFO:	Query a connection
 * @KDBUS_CMD_BUS_CREATOR_INFO:	Query the bus creator
 * @KDBUS_CMD_LIST:		List connections and names
 * @KDBUS_CMD_SEND:		Send a message
 * @KDBUS_CMD_RECV:		Dequeue a message into the pool
 * @KDBUS_CMD_NAME_ACQUIRE:	Request a well-known name
 * @KDBUS_CMD_NAME_RELEASE:	Give up a well-known name
 * @KDBUS_CMD_MATCH_ADD:	Install a match
 * @KDBUS_CMD_MATCH_REMOVE:	Remove the matches with a cookie
 */
enum kdbus_ioctl_type {
	/* bus owner (00-0f) */
	KDBUS_CMD_BUS_MAKE =		_IOW(KDBUS_IOCTL_MAGIC, 0x00,
					     struct kdbus_cmd),

	/* endpoint owner (10-1f) */
	KDBUS_CMD_ENDPOINT_MAKE =	_IOW(KDBUS_IOCTL_MAGIC, 0x10,
					     struct kdbus_cmd),
	KDBUS_CMD_ENDPOINT_UPDATE =	_IOW(KDBUS_IOCTL_MAGIC, 0x11,
					     struct kdbus_cmd),

	/* connection owner (80-ff) */
	KDBUS_CMD_HELLO =		_IOWR(KDBUS_IOCTL_MAGIC, 0x80,
					      struct kdbus_cmd_hello),
	KDBUS_CMD_UPDATE =		_IOW(KDBUS_IOCTL_MAGIC, 0x81,
					     struct kdbus_cmd),
	KDBUS_CMD_BYEBYE =		_IOW(KDBUS_IOCTL_MAGIC, 0x82,
					     struct kdbus_cmd),
	KDBUS_CMD_FREE =		_IOW(KDBUS_IOCTL_MAGIC, 0x83,
					     struct kdbus_cmd_free),
	KDBUS_CMD_CONN_INFO =		_IOR(KDBUS_IOCTL_MAGIC, 0x84,
					     struct kdbus_cmd_info),
	KDBUS_CMD_BUS_CREATOR_INFO =	_IOR(KDBUS_IOCTL_MAGIC, 0x85,
					     struct kdbus_cmd_info),
	KDBUS_CMD_LIST =		_IOR(KDBUS_IOCTL_MAGIC, 0x86,
					     struct kdbus_cmd_list),

	KDBUS_CMD_SEND =		_IOW(KDBUS_IOCTL_MAGIC, 0x90,
					     struct kdbus_cmd_send),
	KDBUS_CMD_RECV =		_IOR(KDBUS_IOCTL_MAGIC, 0x91,
					     struct kdbus_cmd_recv),

	KDBUS_CMD_NAME_ACQUIRE =	_IOW(KDBUS_IOCTL_MAGIC, 0xa0,
					     struct kdbus_cmd),
	KDBUS_CMD_NAME_RELEASE =	_IOW(KDBUS_IOCTL_MAGIC, 0xa1,
					     struct kdbus_cmd),

	KDBUS_CMD_MATCH_ADD =		_IOW(KDBUS_IOCTL_MAGIC, 0xb0,
					     struct kdbus_cmd_match),
	KDBUS_CMD_MATCH_REMOVE =	_IOW(KDBUS_IOCTL_MAGIC, 0xb1,
					     struct kdbus_cmd_match),
};

#endif /* _UAPI_KDBUS_H_ */
