// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus - metadata
 */

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/path.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "bus.h"
#include "connection.h"
#include "endpoint.h"
#include "item.h"
#include "main.h"
#include "metadata.h"
#include "names.h"

/* CMDLINE: at most this much of the argument area */
#define KDBUS_META_CMDLINE_MAX	PAGE_SIZE

/* CAPS: 32-bit words per capability set */
#define KDBUS_META_CAP_WORDS	2

/**
 * struct kdbus_meta_proc - process metadata in kernel form
 * @kref:	Reference count
 * @collected:	KDBUS_ATTACH_* kinds present
 * @uid:	CREDS: real uid ...
 * @euid:	... effective ...
 * @suid:	... saved ...
 * @fsuid:	... and file system uid (INVALID_UID: unset)
 * @gid:	CREDS: the same four gids
 * @egid:	CREDS
 * @sgid:	CREDS
 * @fsgid:	CREDS
 * @pid:	PIDS: thread group (reference), or NULL
 * @tid:	PIDS: thread (reference), or NULL
 * @ppid:	PIDS: thread group of the real parent (reference), or NULL
 * @groups:	AUXGROUPS: supplementary groups (reference)
 * @tid_comm:	TID_COMM
 * @pid_comm:	PID_COMM
 * @root:	EXE: root directory of the task (reference)
 * @exe:	EXE: path of the executable, seen from @root
 * @cmdline:	CMDLINE: the argument area, NUL-terminated
 * @cmdline_size: CMDLINE: bytes of @cmdline, the final NUL included
 * @cgroup:	CGROUP: path in the default hierarchy, from the root of the
 *		initial cgroup namespace
 * @caps_ns:	CAPS: user namespace the capabilities are valid in
 *		(reference)
 * @caps:	CAPS: inheritable, permitted, effective and bounding sets
 * @seclabel:	SECLABEL: security context of the task
 * @loginuid:	AUDIT: login uid
 * @sessionid:	AUDIT: session id
 *
 * Filled by one collector; immutable once shared.
 */
struct kdbus_meta_proc {
	struct kref kref;
	u64 collected;
	kuid_t uid, euid, suid, fsuid;
	kgid_t gid, egid, sgid, fsgid;
	struct pid *pid, *tid, *ppid;
	struct group_info *groups;
	char tid_comm[TASK_COMM_LEN];
	char pid_comm[TASK_COMM_LEN];
	struct path root;
	char *exe;
	char *cmdline;
	size_t cmdline_size;
	char *cgroup;
	struct user_namespace *caps_ns;
	kernel_cap_t caps[4];
	char *seclabel;
	kuid_t loginuid;
	u32 sessionid;
};

/**
 * struct kdbus_meta_conn - connection metadata of a moment
 * @kref:	Reference count
 * @collected:	KDBUS_ATTACH_NAMES and/or KDBUS_ATTACH_CONN_DESCRIPTION
 * @names:	OWNED_NAME items, rendered
 * @names_size:	Bytes of @names
 * @desc:	The description
 */
struct kdbus_meta_conn {
	struct kref kref;
	u64 collected;
	void *names;
	size_t names_size;
	char *desc;
};

/**
 * kdbus_meta_module_mask() - the kinds the module may attach at all
 *
 * Return: the module parameter attach_flags_mask, as it is now.
 */
u64 kdbus_meta_module_mask(void)
{
	return READ_ONCE(kdbus_attach_flags_mask);
}

/**
 * kdbus_meta_proc_new() - an empty process metadata snapshot
 *
 * Return: the snapshot, or NULL if out of memory.
 */
struct kdbus_meta_proc *kdbus_meta_proc_new(void)
{
	struct kdbus_meta_proc *mp;

	mp = kzalloc(sizeof(*mp), GFP_KERNEL);
	if (mp)
		kref_init(&mp->kref);
	return mp;
}

static void kdbus_meta_proc_free(struct kref *kref)
{
	struct kdbus_meta_proc *mp = container_of(kref, struct kdbus_meta_proc,
						  kref);

	put_pid(mp->pid);
	put_pid(mp->tid);
	put_pid(mp->ppid);
	if (mp->groups)
		put_group_info(mp->groups);
	path_put(&mp->root);
	kfree(mp->exe);
	kfree(mp->cmdline);
	kfree(mp->cgroup);
	put_user_ns(mp->caps_ns);
	kfree(mp->seclabel);
	kfree(mp);
}

/**
 * kdbus_meta_proc_ref() - take a reference
 * @mp:		Snapshot, or NULL
 *
 * Return: @mp.
 */
struct kdbus_meta_proc *kdbus_meta_proc_ref(struct kdbus_meta_proc *mp)
{
	if (mp)
		kref_get(&mp->kref);
	return mp;
}

/**
 * kdbus_meta_proc_unref() - drop a reference
 * @mp:		Snapshot, or NULL
 *
 * Return: NULL.
 */
struct kdbus_meta_proc *kdbus_meta_proc_unref(struct kdbus_meta_proc *mp)
{
	if (mp)
		kref_put(&mp->kref, kdbus_meta_proc_free);
	return NULL;
}

static void kdbus_meta_collect_creds(struct kdbus_meta_proc *mp, u64 which)
{
	const struct cred *cred = current_cred();

	if (which & KDBUS_ATTACH_CREDS) {
		mp->uid = cred->uid;
		mp->euid = cred->euid;
		mp->suid = cred->suid;
		mp->fsuid = cred->fsuid;
		mp->gid = cred->gid;
		mp->egid = cred->egid;
		mp->sgid = cred->sgid;
		mp->fsgid = cred->fsgid;
		mp->collected |= KDBUS_ATTACH_CREDS;
	}

	if (which & KDBUS_ATTACH_AUXGROUPS) {
		mp->groups = get_group_info(cred->group_info);
		mp->collected |= KDBUS_ATTACH_AUXGROUPS;
	}

	if (which & KDBUS_ATTACH_CAPS) {
		mp->caps_ns = get_user_ns(cred->user_ns);
		mp->caps[0] = cred->cap_inheritable;
		mp->caps[1] = cred->cap_permitted;
		mp->caps[2] = cred->cap_effective;
		mp->caps[3] = cred->cap_bset;
		mp->collected |= KDBUS_ATTACH_CAPS;
	}
}

static void kdbus_meta_collect_pids(struct kdbus_meta_proc *mp)
{
	mp->pid = get_task_pid(current, PIDTYPE_TGID);
	mp->tid = get_task_pid(current, PIDTYPE_PID);
	rcu_read_lock();
	mp->ppid = get_pid(task_tgid(rcu_dereference(current->real_parent)));
	rcu_read_unlock();
	mp->collected |= KDBUS_ATTACH_PIDS;
}

static void kdbus_meta_collect_exe(struct kdbus_meta_proc *mp)
{
	struct file *exe;
	char *buf, *path;

	exe = get_task_exe_file(current);
	if (!exe)
		return;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (buf) {
		/* d_path() renders from our root; keep that root */
		path = d_path(&exe->f_path, buf, PATH_MAX);
		if (!IS_ERR(path))
			mp->exe = kstrdup(path, GFP_KERNEL);
		kfree(buf);
	}
	fput(exe);

	if (mp->exe) {
		get_fs_root(current->fs, &mp->root);
		mp->collected |= KDBUS_ATTACH_EXE;
	}
}

static void kdbus_meta_collect_cmdline(struct kdbus_meta_proc *mp)
{
	char *buf;
	int len;

	/* kernel threads have no argument area */
	if (!current->mm)
		return;

	buf = kmalloc(KDBUS_META_CMDLINE_MAX, GFP_KERNEL);
	if (!buf)
		return;

	len = get_cmdline(current, buf, KDBUS_META_CMDLINE_MAX - 1);
	if (len <= 0) {
		kfree(buf);
		return;
	}
	/* NUL-terminated, whatever the process did to its arguments */
	if (buf[len - 1] != '\0')
		buf[len++] = '\0';

	mp->cmdline = buf;
	mp->cmdline_size = len;
	mp->collected |= KDBUS_ATTACH_CMDLINE;
}

static void kdbus_meta_collect_cgroup(struct kdbus_meta_proc *mp)
{
#ifdef CONFIG_CGROUPS
	struct cgroup *cgrp;
	char *buf;
	int ret;

	rcu_read_lock();
	cgrp = task_dfl_cgroup(current);
	/* a concurrent migration may just be freeing the old one */
	if (!cgroup_tryget(cgrp))
		cgrp = NULL;
	rcu_read_unlock();
	if (!cgrp)
		return;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (buf) {
		/*
		 * From the root of the initial namespace: a sender in a
		 * cgroup namespace cannot pass itself off as another unit.
		 */
		ret = cgroup_path_ns(cgrp, buf, PATH_MAX, &init_cgroup_ns);
		if (ret > 0 && ret < PATH_MAX)
			mp->cgroup = kstrdup(buf, GFP_KERNEL);
		kfree(buf);
	}
	cgroup_put(cgrp);

	if (mp->cgroup)
		mp->collected |= KDBUS_ATTACH_CGROUP;
#endif
}

static void kdbus_meta_collect_seclabel(struct kdbus_meta_proc *mp)
{
	char *ctx;
	u32 secid, len;

	security_current_getsecid_subj(&secid);
	if (security_secid_to_secctx(secid, &ctx, &len) < 0)
		return;

	/* not necessarily NUL-terminated */
	mp->seclabel = kmemdup_nul(ctx, len, GFP_KERNEL);
	security_release_secctx(ctx, len);
	if (mp->seclabel)
		mp->collected |= KDBUS_ATTACH_SECLABEL;
}

/**
 * kdbus_meta_proc_collect() - take process metadata from the current task
 * @mp:		Snapshot nobody else references yet
 * @which:	KDBUS_ATTACH_* kinds wanted; kinds already collected and
 *		other bits are ignored
 *
 * What cannot be collected (no executable, no memory, no LSM label, ...)
 * stays absent; see kdbus_meta_available().
 */
void kdbus_meta_proc_collect(struct kdbus_meta_proc *mp, u64 which)
{
	which &= KDBUS_ATTACH_PROC_KINDS & ~mp->collected;
	if (!which)
		return;

	kdbus_meta_collect_creds(mp, which);

	if (which & KDBUS_ATTACH_PIDS)
		kdbus_meta_collect_pids(mp);

	if (which & KDBUS_ATTACH_TID_COMM) {
		get_task_comm(mp->tid_comm, current);
		mp->collected |= KDBUS_ATTACH_TID_COMM;
	}

	if (which & KDBUS_ATTACH_PID_COMM) {
		get_task_comm(mp->pid_comm, current->group_leader);
		mp->collected |= KDBUS_ATTACH_PID_COMM;
	}

	if (which & KDBUS_ATTACH_EXE)
		kdbus_meta_collect_exe(mp);

	if (which & KDBUS_ATTACH_CMDLINE)
		kdbus_meta_collect_cmdline(mp);

	if (which & KDBUS_ATTACH_CGROUP)
		kdbus_meta_collect_cgroup(mp);

	if (which & KDBUS_ATTACH_SECLABEL)
		kdbus_meta_collect_seclabel(mp);

#ifdef CONFIG_AUDIT
	if (which & KDBUS_ATTACH_AUDIT) {
		mp->loginuid = audit_get_loginuid(current);
		mp->sessionid = audit_get_sessionid(current);
		mp->collected |= KDBUS_ATTACH_AUDIT;
	}
#endif
}

/* a faked pid: 0 is none, anything else must exist in our namespace */
static struct pid *kdbus_meta_fake_pid(u64 nr, int *ret)
{
	struct pid *pid;

	if (!nr)
		return NULL;
	if (nr > INT_MAX) {
		*ret = -EINVAL;
		return NULL;
	}

	rcu_read_lock();
	pid = get_pid(find_vpid(nr));
	rcu_read_unlock();
	if (!pid)
		*ret = -EINVAL;
	return pid;
}

/* a faked uid or gid, in the caller's user namespace; ~0U is "unset" */
static int kdbus_meta_fake_uid(u64 id, kuid_t *kuid)
{
	if (id == (u32)-1) {
		*kuid = INVALID_UID;
		return 0;
	}
	if (id > U32_MAX)
		return -EINVAL;
	*kuid = make_kuid(current_user_ns(), id);
	return uid_valid(*kuid) ? 0 : -EINVAL;
}

static int kdbus_meta_fake_gid(u64 id, kgid_t *kgid)
{
	if (id == (u32)-1) {
		*kgid = INVALID_GID;
		return 0;
	}
	if (id > U32_MAX)
		return -EINVAL;
	*kgid = make_kgid(current_user_ns(), id);
	return gid_valid(*kgid) ? 0 : -EINVAL;
}

/**
 * kdbus_meta_proc_fake() - a process identity given by a privileged HELLO
 * @mp:		Empty snapshot nobody else references yet
 * @creds:	Faked CREDS, or NULL
 * @pids:	Faked PIDS, or NULL
 * @seclabel:	Faked SECLABEL, or NULL
 *
 * The snapshot then holds exactly the given kinds. Ids are interpreted in
 * the caller's user and pid namespaces.
 *
 * Return: 0, -EINVAL for an id that does not exist there, -ENOMEM.
 */
int kdbus_meta_proc_fake(struct kdbus_meta_proc *mp,
			 const struct kdbus_creds *creds,
			 const struct kdbus_pids *pids, const char *seclabel)
{
	int ret = 0;

	if (creds) {
		ret = kdbus_meta_fake_uid(creds->uid, &mp->uid) ?:
		      kdbus_meta_fake_uid(creds->euid, &mp->euid) ?:
		      kdbus_meta_fake_uid(creds->suid, &mp->suid) ?:
		      kdbus_meta_fake_uid(creds->fsuid, &mp->fsuid) ?:
		      kdbus_meta_fake_gid(creds->gid, &mp->gid) ?:
		      kdbus_meta_fake_gid(creds->egid, &mp->egid) ?:
		      kdbus_meta_fake_gid(creds->sgid, &mp->sgid) ?:
		      kdbus_meta_fake_gid(creds->fsgid, &mp->fsgid);
		if (ret < 0)
			return ret;
		mp->collected |= KDBUS_ATTACH_CREDS;
	}

	if (pids) {
		mp->pid = kdbus_meta_fake_pid(pids->pid, &ret);
		mp->tid = kdbus_meta_fake_pid(pids->tid, &ret);
		mp->ppid = kdbus_meta_fake_pid(pids->ppid, &ret);
		if (ret < 0)
			return ret;
		mp->collected |= KDBUS_ATTACH_PIDS;
	}

	if (seclabel) {
		mp->seclabel = kstrdup(seclabel, GFP_KERNEL);
		if (!mp->seclabel)
			return -ENOMEM;
		mp->collected |= KDBUS_ATTACH_SECLABEL;
	}

	return 0;
}

/**
 * kdbus_meta_conn_new() - take connection metadata of a connection now
 * @conn:	Connection
 * @which:	KDBUS_ATTACH_NAMES and/or KDBUS_ATTACH_CONN_DESCRIPTION;
 *		other bits are ignored
 *
 * Return: the snapshot; NULL if there is nothing to take (no names owned,
 * no description, or nothing asked for); an ERR_PTR if out of memory.
 */
struct kdbus_meta_conn *kdbus_meta_conn_new(struct kdbus_conn *conn,
					    u64 which)
{
	struct kdbus_bus *bus = conn->ep->bus;
	struct kdbus_meta_conn *mc;

	which &= KDBUS_ATTACH_CONN_KINDS;
	if (!conn->description)
		which &= ~KDBUS_ATTACH_CONN_DESCRIPTION;
	if (!which)
		return NULL;

	mc = kzalloc(sizeof(*mc), GFP_KERNEL);
	if (!mc)
		return ERR_PTR(-ENOMEM);
	kref_init(&mc->kref);

	if (which & KDBUS_ATTACH_NAMES) {
		mc->names = kdbus_name_owned_items(&bus->name_registry, conn,
						   &mc->names_size);
		if (IS_ERR(mc->names)) {
			kfree(mc);
			return ERR_CAST(mc->names);
		}
		if (mc->names_size)
			mc->collected |= KDBUS_ATTACH_NAMES;
	}

	if (which & KDBUS_ATTACH_CONN_DESCRIPTION) {
		mc->desc = kstrdup(conn->description, GFP_KERNEL);
		if (!mc->desc) {
			kdbus_meta_conn_unref(mc);
			return ERR_PTR(-ENOMEM);
		}
		mc->collected |= KDBUS_ATTACH_CONN_DESCRIPTION;
	}

	if (!mc->collected)
		return kdbus_meta_conn_unref(mc);
	return mc;
}

static void kdbus_meta_conn_free(struct kref *kref)
{
	struct kdbus_meta_conn *mc = container_of(kref, struct kdbus_meta_conn,
						  kref);

	kfree(mc->names);
	kfree(mc->desc);
	kfree(mc);
}

/**
 * kdbus_meta_conn_ref() - take a reference
 * @mc:		Snapshot, or NULL
 *
 * Return: @mc.
 */
struct kdbus_meta_conn *kdbus_meta_conn_ref(struct kdbus_meta_conn *mc)
{
	if (mc)
		kref_get(&mc->kref);
	return mc;
}

/**
 * kdbus_meta_conn_unref() - drop a reference
 * @mc:		Snapshot, or NULL
 *
 * Return: NULL.
 */
struct kdbus_meta_conn *kdbus_meta_conn_unref(struct kdbus_meta_conn *mc)
{
	if (mc)
		kref_put(&mc->kref, kdbus_meta_conn_free);
	return NULL;
}

/**
 * kdbus_meta_available() - the kinds two snapshots can render
 * @mp:		Process metadata, or NULL
 * @mc:		Connection metadata, or NULL
 *
 * Return: the KDBUS_ATTACH_* kinds present, TIMESTAMP always included.
 */
u64 kdbus_meta_available(const struct kdbus_meta_proc *mp,
			 const struct kdbus_meta_conn *mc)
{
	return KDBUS_ATTACH_TIMESTAMP | (mp ? mp->collected : 0) |
	       (mc ? mc->collected : 0);
}

static size_t kdbus_meta_item_size(size_t payload)
{
	return ALIGN(KDBUS_ITEM_HEADER_SIZE + payload, 8);
}

static size_t kdbus_meta_caps_size(void)
{
	return offsetof(struct kdbus_caps, caps) +
	       4 * KDBUS_META_CAP_WORDS * sizeof(u32);
}

/**
 * kdbus_meta_size() - room the items of a selection take at most
 * @mp:		Process metadata, or NULL
 * @mc:		Connection metadata, or NULL
 * @mask:	KDBUS_ATTACH_* kinds selected
 *
 * Items that must be omitted for the reader (see kdbus_meta_emit()) are
 * counted, so this bounds what any reader gets.
 *
 * Return: the size in bytes, a multiple of 8.
 */
size_t kdbus_meta_size(const struct kdbus_meta_proc *mp,
		       const struct kdbus_meta_conn *mc, u64 mask)
{
	size_t size = 0;

	mask &= kdbus_meta_available(mp, mc);

	if (mask & KDBUS_ATTACH_CREDS)
		size += kdbus_meta_item_size(sizeof(struct kdbus_creds));
	if (mask & KDBUS_ATTACH_PIDS)
		size += kdbus_meta_item_size(sizeof(struct kdbus_pids));
	if (mask & KDBUS_ATTACH_AUXGROUPS)
		size += kdbus_meta_item_size(mp->groups->ngroups * sizeof(u64));
	if (mask & KDBUS_ATTACH_TID_COMM)
		size += kdbus_meta_item_size(strlen(mp->tid_comm) + 1);
	if (mask & KDBUS_ATTACH_PID_COMM)
		size += kdbus_meta_item_size(strlen(mp->pid_comm) + 1);
	if (mask & KDBUS_ATTACH_EXE)
		size += kdbus_meta_item_size(strlen(mp->exe) + 1);
	if (mask & KDBUS_ATTACH_CMDLINE)
		size += kdbus_meta_item_size(mp->cmdline_size);
	if (mask & KDBUS_ATTACH_CGROUP)
		size += kdbus_meta_item_size(strlen(mp->cgroup) + 1);
	if (mask & KDBUS_ATTACH_CAPS)
		size += kdbus_meta_item_size(kdbus_meta_caps_size());
	if (mask & KDBUS_ATTACH_SECLABEL)
		size += kdbus_meta_item_size(strlen(mp->seclabel) + 1);
	if (mask & KDBUS_ATTACH_AUDIT)
		size += kdbus_meta_item_size(sizeof(struct kdbus_audit));
	if (mask & KDBUS_ATTACH_NAMES)
		size += mc->names_size;
	if (mask & KDBUS_ATTACH_CONN_DESCRIPTION)
		size += kdbus_meta_item_size(strlen(mc->desc) + 1);
	if (mask & KDBUS_ATTACH_TIMESTAMP)
		size += kdbus_meta_item_size(sizeof(struct kdbus_timestamp));

	return size;
}

/* start an item of @size payload bytes at @pos; the payload is zeroed */
static struct kdbus_item *kdbus_meta_item(void *pos, u64 type, size_t size)
{
	struct kdbus_item *item = pos;

	memset(item, 0, kdbus_meta_item_size(size));
	item->size = KDBUS_ITEM_HEADER_SIZE + size;
	item->type = type;
	return item;
}

static void *kdbus_meta_next(struct kdbus_item *item)
{
	return (u8 *)item + ALIGN(item->size, 8);
}

static void *kdbus_meta_emit_str(void *pos, u64 type, const char *str,
				 size_t size)
{
	struct kdbus_item *item = kdbus_meta_item(pos, type, size);

	memcpy(item->data, str, size);
	return kdbus_meta_next(item);
}

/* a uid or gid as the reader sees it: unset stays unset */
static u64 kdbus_meta_uid(struct user_namespace *ns, kuid_t uid)
{
	return uid_valid(uid) ? from_kuid_munged(ns, uid) : (u32)-1;
}

static u64 kdbus_meta_gid(struct user_namespace *ns, kgid_t gid)
{
	return gid_valid(gid) ? from_kgid_munged(ns, gid) : (u32)-1;
}

static void *kdbus_meta_emit_creds(void *pos, const struct kdbus_meta_proc *mp,
				   struct user_namespace *ns)
{
	struct kdbus_item *item = kdbus_meta_item(pos, KDBUS_ITEM_CREDS,
						  sizeof(struct kdbus_creds));

	item->creds.uid = kdbus_meta_uid(ns, mp->uid);
	item->creds.euid = kdbus_meta_uid(ns, mp->euid);
	item->creds.suid = kdbus_meta_uid(ns, mp->suid);
	item->creds.fsuid = kdbus_meta_uid(ns, mp->fsuid);
	item->creds.gid = kdbus_meta_gid(ns, mp->gid);
	item->creds.egid = kdbus_meta_gid(ns, mp->egid);
	item->creds.sgid = kdbus_meta_gid(ns, mp->sgid);
	item->creds.fsgid = kdbus_meta_gid(ns, mp->fsgid);
	return kdbus_meta_next(item);
}

static void *kdbus_meta_emit_pids(void *pos, const struct kdbus_meta_proc *mp)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct kdbus_item *item = kdbus_meta_item(pos, KDBUS_ITEM_PIDS,
						  sizeof(struct kdbus_pids));

	/* 0 where the reader cannot see the process */
	item->pids.pid = pid_nr_ns(mp->pid, ns);
	item->pids.tid = pid_nr_ns(mp->tid, ns);
	item->pids.ppid = pid_nr_ns(mp->ppid, ns);
	return kdbus_meta_next(item);
}

static void *kdbus_meta_emit_groups(void *pos, const struct kdbus_meta_proc *mp,
				    struct user_namespace *ns)
{
	const struct group_info *gi = mp->groups;
	struct kdbus_item *item;
	int i;

	item = kdbus_meta_item(pos, KDBUS_ITEM_AUXGROUPS,
			       gi->ngroups * sizeof(u64));
	for (i = 0; i < gi->ngroups; i++)
		item->data64[i] = from_kgid_munged(ns, gi->gid[i]);
	return kdbus_meta_next(item);
}

static void *kdbus_meta_emit_caps(void *pos, const struct kdbus_meta_proc *mp)
{
	struct kdbus_item *item = kdbus_meta_item(pos, KDBUS_ITEM_CAPS,
						  kdbus_meta_caps_size());
	unsigned int i;

	item->caps.last_cap = CAP_LAST_CAP;
	for (i = 0; i < ARRAY_SIZE(mp->caps); i++) {
		u64 set = mp->caps[i].val & CAP_VALID_MASK;

		item->caps.caps[i * KDBUS_META_CAP_WORDS] = lower_32_bits(set);
		item->caps.caps[i * KDBUS_META_CAP_WORDS + 1] =
			upper_32_bits(set);
	}
	return kdbus_meta_next(item);
}

static void *kdbus_meta_emit_audit(void *pos, const struct kdbus_meta_proc *mp,
				   struct user_namespace *ns)
{
	struct kdbus_item *item = kdbus_meta_item(pos, KDBUS_ITEM_AUDIT,
						  sizeof(struct kdbus_audit));

	item->audit.sessionid = mp->sessionid;
	/* unset or unmappable: (uid_t)-1 either way */
	item->audit.loginuid = from_kuid(ns, mp->loginuid);
	return kdbus_meta_next(item);
}

/* EXE only for a reader with the root the path was rendered from */
static bool kdbus_meta_same_root(const struct kdbus_meta_proc *mp)
{
	struct path root;
	bool same;

	get_fs_root(current->fs, &root);
	same = path_equal(&root, &mp->root);
	path_put(&root);
	return same;
}

/**
 * kdbus_meta_emit() - render metadata items for the current task
 * @buf:	Output, at least kdbus_meta_size(@mp, @mc, @mask) bytes
 * @mp:		Process metadata, or NULL
 * @mc:		Connection metadata, or NULL
 * @ts:		Timestamp, used if @mask has KDBUS_ATTACH_TIMESTAMP
 * @mask:	KDBUS_ATTACH_* kinds selected
 *
 * Writes the items of the selected and available kinds in the order of
 * the ABI, translated into the namespaces of the current task: ids through
 * its user namespace (the overflow id where unmappable), pids through its
 * pid namespace (0 where invisible); CAPS only if it is in the user
 * namespace the capabilities belong to, EXE only if it has the root the
 * path is relative to. Padding is zeroed.
 *
 * Return: the number of bytes written, a multiple of 8.
 */
size_t kdbus_meta_emit(void *buf, const struct kdbus_meta_proc *mp,
		       const struct kdbus_meta_conn *mc,
		       const struct kdbus_timestamp *ts, u64 mask)
{
	struct user_namespace *ns = current_user_ns();
	void *pos = buf;

	mask &= kdbus_meta_available(mp, mc);

	if (mask & KDBUS_ATTACH_CREDS)
		pos = kdbus_meta_emit_creds(pos, mp, ns);
	if (mask & KDBUS_ATTACH_PIDS)
		pos = kdbus_meta_emit_pids(pos, mp);
	if (mask & KDBUS_ATTACH_AUXGROUPS)
		pos = kdbus_meta_emit_groups(pos, mp, ns);
	if (mask & KDBUS_ATTACH_TID_COMM)
		pos = kdbus_meta_emit_str(pos, KDBUS_ITEM_TID_COMM,
					  mp->tid_comm,
					  strlen(mp->tid_comm) + 1);
	if (mask & KDBUS_ATTACH_PID_COMM)
		pos = kdbus_meta_emit_str(pos, KDBUS_ITEM_PID_COMM,
					  mp->pid_comm,
					  strlen(mp->pid_comm) + 1);
	if ((mask & KDBUS_ATTACH_EXE) && kdbus_meta_same_root(mp))
		pos = kdbus_meta_emit_str(pos, KDBUS_ITEM_EXE, mp->exe,
					  strlen(mp->exe) + 1);
	if (mask & KDBUS_ATTACH_CMDLINE)
		pos = kdbus_meta_emit_str(pos, KDBUS_ITEM_CMDLINE, mp->cmdline,
					  mp->cmdline_size);
	if (mask & KDBUS_ATTACH_CGROUP)
		pos = kdbus_meta_emit_str(pos, KDBUS_ITEM_CGROUP, mp->cgroup,
					  strlen(mp->cgroup) + 1);
	if ((mask & KDBUS_ATTACH_CAPS) && ns == mp->caps_ns)
		pos = kdbus_meta_emit_caps(pos, mp);
	if (mask & KDBUS_ATTACH_SECLABEL)
		pos = kdbus_meta_emit_str(pos, KDBUS_ITEM_SECLABEL,
					  mp->seclabel,
					  strlen(mp->seclabel) + 1);
	if (mask & KDBUS_ATTACH_AUDIT)
		pos = kdbus_meta_emit_audit(pos, mp, ns);
	if (mask & KDBUS_ATTACH_NAMES) {
		memcpy(pos, mc->names, mc->names_size);
		pos = (u8 *)pos + mc->names_size;
	}
	if (mask & KDBUS_ATTACH_CONN_DESCRIPTION)
		pos = kdbus_meta_emit_str(pos, KDBUS_ITEM_CONN_DESCRIPTION,
					  mc->desc, strlen(mc->desc) + 1);
	if (mask & KDBUS_ATTACH_TIMESTAMP) {
		struct kdbus_item *item;

		item = kdbus_meta_item(pos, KDBUS_ITEM_TIMESTAMP,
				       sizeof(*ts));
		item->timestamp = *ts;
		pos = kdbus_meta_next(item);
	}

	return (u8 *)pos - (u8 *)buf;
}

/**
 * kdbus_meta_stage_init() - start the metadata of a message
 * @st:		Stage to initialise
 * @conn:	Sender, NULL for a kernel notification
 * @seq:	Sequence number of the message
 *
 * Takes the timestamp and the sender's send mask; collects nothing.
 */
void kdbus_meta_stage_init(struct kdbus_meta_stage *st,
			   struct kdbus_conn *conn, u64 seq)
{
	memset(st, 0, sizeof(*st));
	st->conn = conn;
	st->ts.seqnum = seq;
	st->ts.monotonic_ns = ktime_get_ns();
	st->ts.realtime_ns = ktime_get_real_ns();

	if (!conn) {
		st->mask = KDBUS_ATTACH_TIMESTAMP;
		return;
	}

	st->mask = atomic64_read(&conn->attach_flags_send);
	/* a faked identity: nothing of the real task, nor the fakes */
	if (conn->meta_faked)
		st->mask &= ~KDBUS_ATTACH_PROC_KINDS;
}

/**
 * kdbus_meta_stage_collect() - metadata for one more receiver
 * @st:		Stage of the message
 * @recv_mask:	The receiver's receive mask
 *
 * Collects, from the sending task, the kinds this receiver gets that were
 * not collected for an earlier receiver of the message. A snapshot that
 * receivers already reference is not changed: the kinds collected so far
 * and the new ones go into a new snapshot, which later receivers share.
 * Kinds that cannot be collected stay absent; delivery never fails for
 * want of metadata. Must be called without kdbus locks held (it takes the
 * name registry lock for NAMES and may fault on the task's memory).
 *
 * Return: the kinds to render for this receiver.
 */
u64 kdbus_meta_stage_collect(struct kdbus_meta_stage *st, u64 recv_mask)
{
	u64 want = st->mask & recv_mask & kdbus_meta_module_mask();
	u64 missing = want & ~st->tried;

	if (missing & KDBUS_ATTACH_PROC_KINDS) {
		u64 which = (st->tried | missing) & KDBUS_ATTACH_PROC_KINDS;
		struct kdbus_meta_proc *mp = kdbus_meta_proc_new();

		if (mp) {
			kdbus_meta_proc_collect(mp, which);
			kdbus_meta_proc_unref(st->proc);
			st->proc = mp;
		}
	}

	if (missing & KDBUS_ATTACH_CONN_KINDS) {
		u64 which = (st->tried | missing) & KDBUS_ATTACH_CONN_KINDS;
		struct kdbus_meta_conn *mc = kdbus_meta_conn_new(st->conn,
								 which);

		if (!IS_ERR(mc)) {
			kdbus_meta_conn_unref(st->conn_meta);
			st->conn_meta = mc;
		}
	}

	st->tried |= missing;
	return want & kdbus_meta_available(st->proc, st->conn_meta);
}

/**
 * kdbus_meta_stage_exit() - drop the snapshots of a message
 * @st:		Stage
 */
void kdbus_meta_stage_exit(struct kdbus_meta_stage *st)
{
	st->proc = kdbus_meta_proc_unref(st->proc);
	st->conn_meta = kdbus_meta_conn_unref(st->conn_meta);
}

#if IS_ENABLED(CONFIG_KDBUS_KUNIT_TEST)
#include "metadata_test.c"
#endif
