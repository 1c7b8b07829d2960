/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus - metadata
 *
 * Metadata tells a receiver who sent a message, or a caller of CONN_INFO
 * and BUS_CREATOR_INFO who a peer is, without asking user space.
 *
 * Two snapshots, both in kernel form (kuid_t, struct pid, ...), so that
 * they can be translated into the namespaces of whoever reads them:
 *  - struct kdbus_meta_proc, process metadata (creds, pids, groups,
 *    comms, exe, cmdline, cgroup, caps, security label, audit ids): taken
 *    from a task at BUS_MAKE and HELLO (all kinds, for the info commands),
 *    and at SEND (the kinds some receiver will get), or made of the faked
 *    items of a privileged HELLO.
 *  - struct kdbus_meta_conn, connection metadata (the names owned as
 *    primary owner and the description), taken at SEND and at CONN_INFO.
 *
 * Items are written into a pool by kdbus_meta_emit(), in the fixed order
 * of the ABI, translated into the namespaces of the calling task: the
 * receiver at RECV, the caller of CONN_INFO and BUS_CREATOR_INFO.
 *
 * A message reserves kdbus_meta_size() bytes in each receiver's slice at
 * SEND; the receiver writes the items there when it receives the message
 * (kdbus_queue_entry_install()). struct kdbus_meta_stage is the sender's
 * side of this: it collects, once per message, what the receivers
 * selected so far need.
 *
 * Ownership and locking: both snapshots are reference counted and never
 * change once another reference than the collector's exists, so readers
 * take no lock. A struct kdbus_meta_stage belongs to the SEND (or
 * notification) it is part of and is used by one task only.
 */

#ifndef __KDBUS_METADATA_H
#define __KDBUS_METADATA_H

#include <linux/types.h>
#include <uapi/linux/kdbus.h>

struct kdbus_conn;
struct kdbus_meta_conn;
struct kdbus_meta_proc;

/* the kinds taken from a task, and those taken from a connection */
#define KDBUS_ATTACH_PROC_KINDS	(KDBUS_ATTACH_CREDS |		\
				 KDBUS_ATTACH_PIDS |		\
				 KDBUS_ATTACH_AUXGROUPS |	\
				 KDBUS_ATTACH_TID_COMM |	\
				 KDBUS_ATTACH_PID_COMM |	\
				 KDBUS_ATTACH_EXE |		\
				 KDBUS_ATTACH_CMDLINE |		\
				 KDBUS_ATTACH_CGROUP |		\
				 KDBUS_ATTACH_CAPS |		\
				 KDBUS_ATTACH_SECLABEL |	\
				 KDBUS_ATTACH_AUDIT)
#define KDBUS_ATTACH_CONN_KINDS	(KDBUS_ATTACH_NAMES |		\
				 KDBUS_ATTACH_CONN_DESCRIPTION)

/*
 * Default of the module parameter attach_flags_mask: TIMESTAMP, CREDS,
 * PIDS, AUXGROUPS, NAMES, SECLABEL and CONN_DESCRIPTION.
 */
#define KDBUS_ATTACH_MASK_DEFAULT	0x281FULL

/**
 * struct kdbus_meta_stage - metadata of a message being sent
 * @conn:	Sender, NULL for kernel notifications
 * @mask:	Kinds that may be attached at all: the sender's send mask
 *		(no process kinds for a connection with a faked identity)
 *		or TIMESTAMP for notifications, taken when the message was
 *		staged
 * @tried:	Kinds collection was attempted for
 * @proc:	Process metadata of the sending task, or NULL
 * @conn_meta:	Connection metadata of @conn, or NULL
 * @ts:		Timestamp of the message
 */
struct kdbus_meta_stage {
	struct kdbus_conn *conn;
	u64 mask;
	u64 tried;
	struct kdbus_meta_proc *proc;
	struct kdbus_meta_conn *conn_meta;
	struct kdbus_timestamp ts;
};

u64 kdbus_meta_module_mask(void);

struct kdbus_meta_proc *kdbus_meta_proc_new(void);
struct kdbus_meta_proc *kdbus_meta_proc_ref(struct kdbus_meta_proc *mp);
struct kdbus_meta_proc *kdbus_meta_proc_unref(struct kdbus_meta_proc *mp);
void kdbus_meta_proc_collect(struct kdbus_meta_proc *mp, u64 which);
int kdbus_meta_proc_fake(struct kdbus_meta_proc *mp,
			 const struct kdbus_creds *creds,
			 const struct kdbus_pids *pids, const char *seclabel);

struct kdbus_meta_conn *kdbus_meta_conn_new(struct kdbus_conn *conn,
					    u64 which);
struct kdbus_meta_conn *kdbus_meta_conn_ref(struct kdbus_meta_conn *mc);
struct kdbus_meta_conn *kdbus_meta_conn_unref(struct kdbus_meta_conn *mc);

u64 kdbus_meta_available(const struct kdbus_meta_proc *mp,
			 const struct kdbus_meta_conn *mc);
size_t kdbus_meta_size(const struct kdbus_meta_proc *mp,
		       const struct kdbus_meta_conn *mc, u64 mask);
size_t kdbus_meta_emit(void *buf, const struct kdbus_meta_proc *mp,
		       const struct kdbus_meta_conn *mc,
		       const struct kdbus_timestamp *ts, u64 mask);

void kdbus_meta_stage_init(struct kdbus_meta_stage *st,
			   struct kdbus_conn *conn, u64 seq);
u64 kdbus_meta_stage_collect(struct kdbus_meta_stage *st, u64 recv_mask);
void kdbus_meta_stage_exit(struct kdbus_meta_stage *st);

#endif /* __KDBUS_METADATA_H */
