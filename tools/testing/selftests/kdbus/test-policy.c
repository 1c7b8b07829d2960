// SPDX-License-Identifier: GPL-2.0
/*
 * Policy (contract 11): who may OWN a name, TALK to a connection and SEE
 * names and connections. The bus policy database filled by policy holders
 * (HELLO, UPDATE, disconnect) and activators; USER, GROUP (effective and
 * supplementary gids) and WORLD records; wildcard entries and the
 * precedence of exact ones; privileged connections (root, the bus owner's
 * uid) and the same-uid rule; TALK for unicasts, calls, replies, unicast
 * signals and broadcasts; custom endpoints, whose policy binds everyone
 * and restricts visibility (CONN_INFO, LIST, notifications); ids of
 * policy records in a child user namespace.
 *
 * Unprivileged actors are "puppets": children that drop to a given uid,
 * gid and supplementary groups, open the endpoint themselves (so their
 * handle is unprivileged, contract 1.7), HELLO, and then run the
 * operations the test asks for over a pipe, reporting each result. The
 * test process (root) checks every result; children never use the
 * harness. A puppet closes every descriptor it inherited, so it never
 * keeps a connection of the test alive.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kdbus-test.h"
#include "kdbus-conn.h"

/* how long to wait for a message that must come */
#define WAIT_MS			5000
/* how long to wait for another process */
#define SYNC_MS			10000
#define NSEC_PER_MSEC		1000000ULL
/* deadline of asynchronous calls (never reached) */
#define CALL_NS			(20000 * NSEC_PER_MSEC)
/* deadline of synchronous calls */
#define SYNC_CALL_NS		(3000 * NSEC_PER_MSEC)
#define BCAST			KDBUS_DST_ID_BROADCAST
/* is_msg(): any sender */
#define ANY_SRC			(~0ULL)
/* a puppet could not be started or stopped talking */
#define BROKEN			(-9999)

#define FOO			"org.foo"
#define BAR			"org.bar"
#define ACT			"org.act"
/* the name of the example in contract 12.5 */
#define FBB			"foo.bar.baz"

/* a policy record, and a list of them ended by a record of type 0 */
#define ACC(t, a, i)							\
	((struct kdbus_policy_access){					\
		.type = KDBUS_POLICY_ACCESS_##t,			\
		.access = KDBUS_POLICY_##a,				\
		.id = (i),						\
	})
/* a record with raw values, for invalid ones */
#define RAW(t, a, i)							\
	((struct kdbus_policy_access){ .type = (t), .access = (a), .id = (i) })
#define RULES(...)							\
	((const struct kdbus_policy_access[]){ __VA_ARGS__, { 0 } })
#define NO_RULES		NULL
/* the one record of a puppet's P_HOLDER / P_ACTIVATOR (id: the cookie) */
#define REC(t, a)							\
	(((__u64)KDBUS_POLICY_ACCESS_##t << 8) | KDBUS_POLICY_##a)

/* ------------------------------------------------------------------ */
/* identities                                                          */
/* ------------------------------------------------------------------ */

struct actor {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[4];
};

static const struct actor u1000 = { .uid = 1000, .gid = 2000 };
static const struct actor u1001 = { .uid = 1001, .gid = 2001 };
static const struct actor u1002 = { .uid = 1002, .gid = 2002 };

/* setgroups/setresgid/setresuid to @who (drops every capability) */
static int become(const struct actor *who)
{
	if (setgroups(who->ngroups, who->groups) < 0 ||
	    setresgid(who->gid, who->gid, who->gid) < 0 ||
	    setresuid(who->uid, who->uid, who->uid) < 0)
		return -errno;
	if (geteuid() != who->uid || getegid() != who->gid)
		return -EPERM;
	return 0;
}

/* ------------------------------------------------------------------ */
/* buses, endpoints, policy                                            */
/* ------------------------------------------------------------------ */

/* where connections are made: the default endpoint of @bus, or @ep */
struct env {
	const struct kdbus_domain *dom;
	const char *bus;	/* bus directory */
	const char *ep;		/* custom endpoint, relative path; or NULL */
};

static int env_open(const struct env *env)
{
	if (env->ep)
		return kdbus_open(env->dom, env->ep, O_RDWR | O_CLOEXEC);
	return kdbus_bus_open(env->dom, env->bus, O_RDWR | O_CLOEXEC);
}

static int conn_new(struct kdbus_conn *c, const struct env *env)
{
	return kdbus_conn_new(c, env->dom, env->bus, env->ep, 0);
}

/*
 * Make the custom endpoint "<euid>-<suffix>" (mode 0666) on the bus of
 * @env; its path relative to the domain goes to @rel. EP_OWNER fd or
 * -errno.
 */
static int ep_create(const struct env *env, const char *suffix, char *rel,
		     size_t len)
{
	char name[64];
	int fd, ret;

	fd = kdbus_bus_open(env->dom, env->bus, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = kdbus_ep_make(fd, KDBUS_MAKE_ACCESS_WORLD,
			    kdbus_name(name, sizeof(name), suffix));
	if (ret < 0) {
		close(fd);
		return ret;
	}
	snprintf(rel, len, "%s/%s", env->bus, name);
	return fd;
}

/* a policy group: NAME @name followed by the records of @rules */
static void add_group(void *args, const char *name,
		      const struct kdbus_policy_access *rules)
{
	kdbus_args_add_str(args, KDBUS_ITEM_NAME, name);
	for (; rules && rules->type; rules++)
		kdbus_args_add_policy(args, rules->type, rules->access,
				      rules->id);
}

/* ioctl @cmd with @args, which are released: 0 or -errno */
static int ioctl_args(int fd, unsigned long cmd, void *args)
{
	int ret = kdbus_ioctl(fd, cmd, args);

	kdbus_args_release(args);
	return ret;
}

/* HELLO with @flags and the policy group @name/@rules on @fd */
static int named_hello(struct kdbus_conn *c, int fd, __u64 flags,
		       const char *name,
		       const struct kdbus_policy_access *rules)
{
	struct kdbus_cmd_hello *hello = kdbus_hello_args(flags, 0, NULL);
	int ret;

	add_group(hello, name, rules);
	ret = kdbus_hello_cmd(c, fd, hello);
	kdbus_args_release(hello);
	return ret;
}

/* a policy holder for @name with @rules on the open handle @fd */
static int holder_hello(struct kdbus_conn *c, int fd, const char *name,
			const struct kdbus_policy_access *rules)
{
	return named_hello(c, fd, KDBUS_HELLO_POLICY_HOLDER, name, rules);
}

/* an activator for @name with @rules on the open handle @fd */
static int activator_hello(struct kdbus_conn *c, int fd, const char *name,
			   const struct kdbus_policy_access *rules)
{
	return named_hello(c, fd, KDBUS_HELLO_ACTIVATOR, name, rules);
}

/* open an endpoint of @env and HELLO as a holder / an activator */
static int named_new(struct kdbus_conn *c, const struct env *env,
		     __u64 flags, const char *name,
		     const struct kdbus_policy_access *rules)
{
	int fd, ret;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	fd = env_open(env);
	if (fd < 0)
		return fd;
	ret = named_hello(c, fd, flags, name, rules);
	if (ret < 0)
		close(fd);
	return ret;
}

static int holder_new(struct kdbus_conn *c, const struct env *env,
		      const char *name,
		      const struct kdbus_policy_access *rules)
{
	return named_new(c, env, KDBUS_HELLO_POLICY_HOLDER, name, rules);
}

static int activator_new(struct kdbus_conn *c, const struct env *env,
			 const char *name,
			 const struct kdbus_policy_access *rules)
{
	return named_new(c, env, KDBUS_HELLO_ACTIVATOR, name, rules);
}

/* UPDATE of a holder with one group (@name NULL: no items at all) */
static int holder_update(struct kdbus_conn *c, const char *name,
			 const struct kdbus_policy_access *rules)
{
	struct kdbus_cmd *cmd = kdbus_args_new(sizeof(*cmd));

	if (name)
		add_group(cmd, name, rules);
	return ioctl_args(c->fd, KDBUS_CMD_UPDATE, cmd);
}

/* ENDPOINT_UPDATE with one group (@name NULL: an empty database) */
static int ep_update(int ep, const char *name,
		     const struct kdbus_policy_access *rules)
{
	struct kdbus_cmd *cmd = kdbus_args_new(sizeof(*cmd));

	if (name)
		add_group(cmd, name, rules);
	return ioctl_args(ep, KDBUS_CMD_ENDPOINT_UPDATE, cmd);
}

/* ------------------------------------------------------------------ */
/* messages, CONN_INFO, LIST                                           */
/* ------------------------------------------------------------------ */

/* what an operation returned; for RECV, what was received */
struct res {
	__s64 ret;
	__u64 id;		/* new connection, CONN_INFO or notification id */
	__u64 src;
	__u64 cookie;
	__u64 cookie_reply;
	__u64 flags;		/* message flags; acquire return flags */
	__u64 type;		/* type of the first item */
	__u64 dropped;		/* RECV: dropped_msgs */
	__u64 payload;		/* an 8-byte inline payload */
	__u64 count;		/* LIST: records */
	char name[96];		/* NAME_* notification: the name */
};

/*
 * Send @cookie (also the 8-byte payload) from @c to @dst, or to @name if
 * not NULL, with message @flags (EXPECT_REPLY: a deadline is set; SIGNAL:
 * a zero bloom filter is added) and @send_flags. 0 or -errno.
 */
static int msg_send(struct kdbus_conn *c, __u64 dst, const char *name,
		    __u64 cookie, __u64 flags, __u64 send_flags,
		    struct kdbus_msg_info *reply)
{
	struct kdbus_msg *m = kdbus_msg_new(name ? KDBUS_DST_ID_NAME : dst,
					    cookie);
	int ret;

	m->flags = flags;
	if (flags & KDBUS_MSG_EXPECT_REPLY)
		m->timeout_ns = kdbus_now_ns() +
				((send_flags & KDBUS_SEND_SYNC_REPLY) ?
				 SYNC_CALL_NS : CALL_NS);
	if (name)
		kdbus_msg_add_dst_name(m, name);
	kdbus_msg_add_vec(m, &cookie, sizeof(cookie));
	if (flags & KDBUS_MSG_SIGNAL)
		kdbus_msg_add_bloom(m, 0, NULL, c->bloom_size);
	ret = kdbus_send(c, m, send_flags, -1, reply);
	kdbus_msg_release(m);
	return ret;
}

static int send_to(struct kdbus_conn *c, __u64 dst, __u64 cookie)
{
	return msg_send(c, dst, NULL, cookie, 0, 0, NULL);
}

static int send_name(struct kdbus_conn *c, const char *name, __u64 cookie)
{
	return msg_send(c, 0, name, cookie, 0, 0, NULL);
}

static int send_signal(struct kdbus_conn *c, __u64 dst, __u64 cookie)
{
	return msg_send(c, dst, NULL, cookie, KDBUS_MSG_SIGNAL, 0, NULL);
}

/* a reply to @cookie_reply (also its payload): 0 or -errno */
static int msg_reply(struct kdbus_conn *c, __u64 dst, __u64 cookie_reply)
{
	return kdbus_send_reply(c, dst, cookie_reply, &cookie_reply,
				sizeof(cookie_reply));
}

/*
 * RECV on @c (waiting up to @timeout_ms if > 0) into @r, then FREE the
 * slice. r->ret is the result: 0 or -errno.
 */
static int msg_recv(struct kdbus_conn *c, int timeout_ms, struct res *r)
{
	const size_t nc = KDBUS_ITEM_HEADER_SIZE +
			  sizeof(struct kdbus_notify_name_change);
	const struct kdbus_item *it;
	struct kdbus_cmd_recv cmd;
	struct kdbus_msg *m = NULL;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	if (timeout_ms > 0)
		ret = kdbus_recv_wait(c, timeout_ms, &cmd, &m);
	else
		ret = kdbus_recv(c, 0, 0, &cmd, &m);
	r->ret = ret;
	if (ret == -EAGAIN)
		r->dropped = cmd.dropped_msgs;
	if (ret < 0)
		return ret;
	r->dropped = cmd.dropped_msgs;
	if (!m) {
		r->ret = -EBADMSG;
		return -EBADMSG;
	}
	r->src = m->src_id;
	r->cookie = m->cookie;
	r->cookie_reply = m->cookie_reply;
	r->flags = m->flags;
	if (m->size >= sizeof(*m) + KDBUS_ITEM_HEADER_SIZE)
		r->type = m->items[0].type;
	KDBUS_ITEM_FOREACH(it, m, items) {
		switch (it->type) {
		case KDBUS_ITEM_PAYLOAD_OFF:
			if (it->vec.size == sizeof(r->payload) &&
			    it->vec.offset != ~0ULL &&
			    it->vec.offset + sizeof(r->payload) <=
			    cmd.msg.msg_size)
				memcpy(&r->payload,
				       (const __u8 *)m + it->vec.offset,
				       sizeof(r->payload));
			break;
		case KDBUS_ITEM_NAME_ADD:
		case KDBUS_ITEM_NAME_REMOVE:
		case KDBUS_ITEM_NAME_CHANGE:
			if (it->size <= nc)
				break;
			r->id = it->type == KDBUS_ITEM_NAME_REMOVE ?
				it->name_change.old_id.id :
				it->name_change.new_id.id;
			len = strnlen(it->name_change.name, it->size - nc);
			if (len >= sizeof(r->name))
				len = sizeof(r->name) - 1;
			memcpy(r->name, it->name_change.name, len);
			break;
		case KDBUS_ITEM_ID_ADD:
		case KDBUS_ITEM_ID_REMOVE:
			r->id = it->id_change.id;
			break;
		}
	}
	if (kdbus_free(c, cmd.msg.offset) < 0)
		r->ret = -EBADMSG;
	return r->ret;
}

/* CONN_INFO by @name, else by @id; the id found goes to @got */
static int info_get(struct kdbus_conn *c, __u64 id, const char *name,
		    __u64 *got)
{
	struct kdbus_info *info;
	__u64 offset, size;
	int ret;

	*got = 0;
	ret = kdbus_conn_info(c, name ? 0 : id, name, 0, &offset, &size);
	if (ret < 0)
		return ret;
	info = kdbus_pool_info(c, offset);
	if (info)
		*got = info->id;
	ret = kdbus_free(c, offset);
	return info ? ret : -EBADMSG;
}

/*
 * LIST with @flags on @c: 1 if it has the record {@id, @name} (@name NULL:
 * a unique-id record without name), 0 if not, or -errno. The number of
 * records goes to @count (may be NULL).
 */
static int list_find(struct kdbus_conn *c, __u64 flags, __u64 id,
		     const char *name, __u64 *count)
{
	struct kdbus_list_entry ents[64];
	__u64 offset, size;
	int n, i, found = 0, ret;

	ret = kdbus_list(c, flags, &offset, &size);
	if (ret < 0)
		return ret;
	n = kdbus_list_parse(c, offset, size, ents, 64);
	for (i = 0; i < n && i < 64; i++) {
		if (ents[i].id != id)
			continue;
		if (name ? ents[i].name && !strcmp(ents[i].name, name) :
			   !ents[i].name)
			found = 1;
	}
	if (count)
		*count = n < 0 ? 0 : n;
	ret = kdbus_free(c, offset);
	if (n < 0)
		return n;
	return ret < 0 ? ret : found;
}

static void log_res(const char *what, const struct res *r)
{
	kdbus_log("%s: ret %lld src %llu cookie %llu reply %llu flags %#llx",
		  what, (long long)r->ret, (unsigned long long)r->src,
		  (unsigned long long)r->cookie,
		  (unsigned long long)r->cookie_reply,
		  (unsigned long long)r->flags);
	kdbus_log("  item %#llx id %llu payload %llu dropped %llu name \"%s\"",
		  (unsigned long long)r->type, (unsigned long long)r->id,
		  (unsigned long long)r->payload,
		  (unsigned long long)r->dropped, r->name);
}

/* @r is a user message from @src (ANY_SRC: any) with @cookie and @flags */
static bool is_msg(const struct res *r, __u64 src, __u64 cookie,
		   __u64 flags)
{
	/* cookie_reply shares its field with the timeout of a call */
	if (!r->ret && r->src && (src == ANY_SRC || r->src == src) &&
	    r->cookie == cookie && r->payload == cookie &&
	    r->flags == flags &&
	    ((flags & KDBUS_MSG_EXPECT_REPLY) || !r->cookie_reply))
		return true;
	log_res("received", r);
	kdbus_log("  expected a message from %llu, cookie %llu, flags %#llx",
		  (unsigned long long)src, (unsigned long long)cookie,
		  (unsigned long long)flags);
	return false;
}

/* @r is a reply from @src to @cookie_reply (also its payload) */
static bool is_reply(const struct res *r, __u64 src, __u64 cookie_reply)
{
	if (!r->ret && r->src == src && r->cookie_reply == cookie_reply &&
	    r->payload == cookie_reply && !r->flags)
		return true;
	log_res("received", r);
	kdbus_log("  expected a reply from %llu to %llu",
		  (unsigned long long)src, (unsigned long long)cookie_reply);
	return false;
}

/* @r is a kernel notification @type about @id (and @name if not NULL) */
static bool is_notify(const struct res *r, __u64 type, const char *name,
		      __u64 id)
{
	if (!r->ret && r->src == KDBUS_SRC_ID_KERNEL && r->type == type &&
	    r->id == id && (!name || !strcmp(r->name, name)))
		return true;
	log_res("received", r);
	kdbus_log("  expected notification %#llx about %llu \"%s\"",
		  (unsigned long long)type, (unsigned long long)id,
		  name ? name : "");
	return false;
}

/* @r is an empty queue without lost messages */
static bool is_none(const struct res *r)
{
	if (r->ret == -EAGAIN && !r->dropped)
		return true;
	log_res("expected nothing, received", r);
	return false;
}

static bool conn_got(struct kdbus_conn *c, __u64 src, __u64 cookie,
		     __u64 flags)
{
	struct res r;

	msg_recv(c, 0, &r);
	return is_msg(&r, src, cookie, flags);
}

static bool conn_got_reply(struct kdbus_conn *c, __u64 src,
			   __u64 cookie_reply)
{
	struct res r;

	msg_recv(c, 0, &r);
	return is_reply(&r, src, cookie_reply);
}

static bool conn_notified(struct kdbus_conn *c, __u64 type,
			  const char *name, __u64 id)
{
	struct res r;

	msg_recv(c, 0, &r);
	return is_notify(&r, type, name, id);
}

static bool conn_empty(struct kdbus_conn *c)
{
	struct res r;

	msg_recv(c, 0, &r);
	return is_none(&r);
}

/* ------------------------------------------------------------------ */
/* child processes                                                     */
/* ------------------------------------------------------------------ */

/* write all of @buf: 0 or -errno */
static int chan_write(int fd, const void *buf, size_t len)
{
	return kdbus_write_full(fd, buf, len);
}

/* read all of @buf within SYNC_MS: 0, -EPIPE at end of file, or -errno */
static int chan_read(int fd, void *buf, size_t len)
{
	return kdbus_read_full(fd, buf, len, SYNC_MS);
}

typedef int (*child_fn)(int rd, int wr, void *arg);

/*
 * Fork a child that closes every inherited descriptor but its ends of two
 * pipes, becomes @who (NULL: stays root) and exits with @fn(its read end,
 * its write end, @arg). The parent's ends go to @rd and @wr. The child's
 * pid or -errno.
 */
static pid_t spawn(const struct actor *who, child_fn fn, void *arg,
		   int *rd, int *wr)
{
	int up[2], down[2], fd, ret;
	pid_t pid;

	if (pipe2(up, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(down, O_CLOEXEC) < 0) {
		ret = -errno;
		close(up[0]);
		close(up[1]);
		return ret;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
		return ret;
	}
	if (!pid) {
		for (fd = 3; fd < 1024; fd++)
			if (fd != up[1] && fd != down[0])
				close(fd);
		if (who) {
			ret = become(who);
			if (ret < 0) {
				kdbus_log("cannot become %u/%u: %s",
					  (unsigned int)who->uid,
					  (unsigned int)who->gid,
					  strerror(-ret));
				_exit(KDBUS_RUN_AS_SETUP_FAILED);
			}
		}
		ret = fn(down[0], up[1], arg);
		fflush(NULL);
		_exit(ret & 0xff);
	}
	close(up[1]);
	close(down[0]);
	*rd = up[0];
	*wr = down[1];
	return pid;
}

/* puppet operations */
enum {
	P_EXIT,
	P_ACQUIRE,	/* name, flags: name flags */
	P_RELEASE,	/* name */
	P_SEND,		/* to id or name, cookie, flags: message flags */
	P_SYNC,		/* synchronous call to id or name */
	P_REPLY,	/* reply to id, cookie: the cookie replied to */
	P_SERVE,	/* receive a message (waiting), reply to it */
	P_RECV,		/* receive a message (flags: wait for it) */
	P_MATCH,	/* flags 0: all signals; 1: everything */
	P_INFO,		/* CONN_INFO by name, else by id */
	P_LIST,		/* LIST with flags, look for {id, name} */
	P_HOLDER,	/* policy holder for name: one record, see REC() */
	P_ACTIVATOR,	/* activator for name: one record, see REC() */
};

struct req {
	__u64 op;
	__u64 id;
	__u64 cookie;
	__u64 flags;
	char name[96];
};

#define PUPPET_KEPT		4

/* the state of a puppet */
struct stage {
	const struct env *env;
	struct kdbus_conn c;
	struct kdbus_conn kept[PUPPET_KEPT];	/* holders, activators */
	unsigned int n_kept;
};

static void puppet_op(struct stage *st, const struct req *rq, struct res *rs)
{
	const char *name = rq->name[0] ? rq->name : NULL;
	struct kdbus_policy_access rule[2] = {
		{
			.type = rq->flags >> 8,
			.access = rq->flags & 0xff,
			.id = rq->cookie,
		},
	};
	struct kdbus_conn *c = &st->c, *k;
	struct kdbus_msg_info info;
	__u64 rf = 0;

	switch (rq->op) {
	case P_ACQUIRE:
		rs->ret = kdbus_name_acquire(c, rq->name, rq->flags, &rf);
		rs->flags = rf;
		break;
	case P_RELEASE:
		rs->ret = kdbus_name_release(c, rq->name);
		break;
	case P_SEND:
		rs->ret = msg_send(c, rq->id, name, rq->cookie, rq->flags, 0,
				   NULL);
		break;
	case P_SYNC:
		rs->ret = msg_send(c, rq->id, name, rq->cookie,
				   KDBUS_MSG_EXPECT_REPLY,
				   KDBUS_SEND_SYNC_REPLY, &info);
		if (!rs->ret)
			kdbus_free(c, info.offset);
		break;
	case P_REPLY:
		rs->ret = msg_reply(c, rq->id, rq->cookie);
		break;
	case P_SERVE:
		if (!msg_recv(c, WAIT_MS, rs))
			rs->ret = msg_reply(c, rs->src, rs->cookie);
		break;
	case P_RECV:
		msg_recv(c, rq->flags ? WAIT_MS : 0, rs);
		break;
	case P_MATCH:
		rs->ret = rq->flags ? kdbus_match_add(c, 1, 0, NULL, 0) :
				      kdbus_match_id_any(c, 1);
		break;
	case P_INFO:
		rs->ret = info_get(c, rq->id, name, &rs->id);
		break;
	case P_LIST:
		rs->ret = list_find(c, rq->flags, rq->id, name, &rs->count);
		break;
	case P_HOLDER:
	case P_ACTIVATOR:
		if (st->n_kept >= PUPPET_KEPT) {
			rs->ret = -ENOSPC;
			break;
		}
		k = &st->kept[st->n_kept];
		rs->ret = named_new(k, st->env, rq->op == P_HOLDER ?
				    KDBUS_HELLO_POLICY_HOLDER :
				    KDBUS_HELLO_ACTIVATOR, rq->name, rule);
		if (!rs->ret) {
			rs->id = k->id;
			st->n_kept++;
		}
		break;
	default:
		rs->ret = -EINVAL;
	}
}

/*
 * A puppet: HELLO on the endpoint of the env @arg, report the result and
 * the id, then run requests until P_EXIT.
 */
static int puppet_main(int rd, int wr, void *arg)
{
	struct stage st = { .env = arg };
	struct req rq;
	struct res rs;

	memset(&rs, 0, sizeof(rs));
	rs.ret = conn_new(&st.c, st.env);
	if (!rs.ret)
		rs.id = st.c.id;
	if (chan_write(wr, &rs, sizeof(rs)) < 0)
		return 3;
	if (rs.ret)
		return 0;
	for (;;) {
		if (chan_read(rd, &rq, sizeof(rq)) < 0)
			return 4;
		if (rq.op == P_EXIT)
			return 0;
		rq.name[sizeof(rq.name) - 1] = '\0';
		memset(&rs, 0, sizeof(rs));
		puppet_op(&st, &rq, &rs);
		if (chan_write(wr, &rs, sizeof(rs)) < 0)
			return 5;
	}
}

struct puppet {
	pid_t pid;
	int rd, wr;
	__u64 id;		/* its connection */
};

/*
 * Start a puppet as @who (NULL: root) with a connection on @env: 0, the
 * HELLO error, or BROKEN (logged). Stop it with puppet_stop() in any case.
 */
static int puppet_start(struct puppet *p, const struct env *env,
			const struct actor *who)
{
	struct res rs;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	p->rd = -1;
	p->wr = -1;
	pid = spawn(who, puppet_main, (void *)env, &p->rd, &p->wr);
	if (pid < 0) {
		kdbus_log("fork: %s", strerror(-pid));
		return BROKEN;
	}
	p->pid = pid;
	if (chan_read(p->rd, &rs, sizeof(rs)) < 0) {
		kdbus_log("puppet %d did not start", (int)pid);
		return BROKEN;
	}
	if (rs.ret) {
		kdbus_log("puppet %d: HELLO: %s", (int)pid,
			  strerror((int)-rs.ret));
		return (int)rs.ret;
	}
	p->id = rs.id;
	return 0;
}

/* send a request: 0 or BROKEN */
static int puppet_post(struct puppet *p, __u64 op, __u64 id,
		       const char *name, __u64 cookie, __u64 flags)
{
	struct req rq = {
		.op = op,
		.id = id,
		.cookie = cookie,
		.flags = flags,
	};

	if (name)
		snprintf(rq.name, sizeof(rq.name), "%s", name);
	if (p->pid <= 0 || chan_write(p->wr, &rq, sizeof(rq)) < 0) {
		kdbus_log("puppet %d: cannot send request %llu", (int)p->pid,
			  (unsigned long long)op);
		return BROKEN;
	}
	return 0;
}

/* the result of the request sent: its ret, or BROKEN */
static __s64 puppet_wait(struct puppet *p, struct res *out)
{
	struct res r;

	if (chan_read(p->rd, &r, sizeof(r)) < 0) {
		kdbus_log("puppet %d: no answer", (int)p->pid);
		memset(&r, 0, sizeof(r));
		r.ret = BROKEN;
	}
	if (out)
		*out = r;
	return r.ret;
}

static __s64 puppet_req(struct puppet *p, __u64 op, __u64 id,
			const char *name, __u64 cookie, __u64 flags,
			struct res *out)
{
	if (puppet_post(p, op, id, name, cookie, flags) < 0) {
		if (out) {
			memset(out, 0, sizeof(*out));
			out->ret = BROKEN;
		}
		return BROKEN;
	}
	return puppet_wait(p, out);
}

/* end the puppet: its exit status (0: fine) or -errno */
static int puppet_stop(struct puppet *p)
{
	struct req rq = { .op = P_EXIT };
	int ret;

	if (p->pid <= 0)
		return 0;
	chan_write(p->wr, &rq, sizeof(rq));
	close(p->wr);
	close(p->rd);
	ret = kdbus_wait_child(p->pid);
	p->pid = 0;
	if (ret)
		kdbus_log("puppet exit status %d", ret);
	return ret;
}

/* a request without result details */
static __s64 pp(struct puppet *p, __u64 op, __u64 id, const char *name,
		__u64 cookie, __u64 flags)
{
	return puppet_req(p, op, id, name, cookie, flags, NULL);
}

static __s64 pp_acquire(struct puppet *p, const char *name)
{
	return pp(p, P_ACQUIRE, 0, name, 0, 0);
}

static __s64 pp_send(struct puppet *p, __u64 dst, __u64 cookie)
{
	return pp(p, P_SEND, dst, NULL, cookie, 0);
}

static __s64 pp_signal(struct puppet *p, __u64 dst, __u64 cookie)
{
	return pp(p, P_SEND, dst, NULL, cookie, KDBUS_MSG_SIGNAL);
}

static bool pp_got(struct puppet *p, __u64 src, __u64 cookie, __u64 flags)
{
	struct res r;

	puppet_req(p, P_RECV, 0, NULL, 0, 0, &r);
	return is_msg(&r, src, cookie, flags);
}

static bool pp_notified(struct puppet *p, __u64 type, const char *name,
			__u64 id)
{
	struct res r;

	puppet_req(p, P_RECV, 0, NULL, 0, 0, &r);
	return is_notify(&r, type, name, id);
}

static bool pp_empty(struct puppet *p)
{
	struct res r;

	puppet_req(p, P_RECV, 0, NULL, 0, 0, &r);
	return is_none(&r);
}

/* CONN_INFO by a puppet: its result; the id found goes to @got */
static __s64 pp_info(struct puppet *p, __u64 id, const char *name,
		     __u64 *got)
{
	struct res r;

	puppet_req(p, P_INFO, id, name, 0, 0, &r);
	*got = r.id;
	return r.ret;
}

/*
 * One operation by a new connection of @who on @env, in a fresh process:
 * its result (0 or -errno), or BROKEN.
 */
static __s64 once(const struct env *env, const struct actor *who, __u64 op,
		  __u64 id, const char *name, __u64 cookie, __u64 flags)
{
	struct puppet p;
	__s64 ret;

	ret = puppet_start(&p, env, who);
	if (!ret)
		ret = pp(&p, op, id, name, cookie, flags);
	if (puppet_stop(&p))
		return BROKEN;
	return ret;
}

#define ACQUIRE_AS(who, name)						\
	once(&self->env, (who), P_ACQUIRE, 0, (name), 0, 0)
#define SEND_AS(who, dst, cookie)					\
	once(&self->env, (who), P_SEND, (dst), NULL, (cookie), 0)
#define SEND_NAME_AS(who, name, cookie)					\
	once(&self->env, (who), P_SEND, 0, (name), (cookie), 0)

/*
 * A child that shares the parent's descriptors (a forked holder keeps its
 * connection alive) until the write end (to @wr) is closed.
 */
static pid_t keeper_spawn(int *wr)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (!pid) {
		close(p[1]);
		if (!kdbus_wait_pollin(p[0], SYNC_MS))
			(void)!read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	*wr = p[1];
	return pid;
}

/* ------------------------------------------------------------------ */
/* fixture                                                             */
/* ------------------------------------------------------------------ */

FIXTURE(policy) {
	struct kdbus_domain dom;
	int owner;		/* BUS_OWNER handle of bus (root) */
	char bus[64];		/* "0-policy", made with ACCESS_WORLD */
	struct env env;		/* its default endpoint */
};

FIXTURE_SETUP(policy)
{
	self->owner = -1;
	/* a puppet that died must not take the test down with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	KDBUS_SETUP_DOMAIN(&self->dom);
	self->owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD,
				       "policy", self->bus, sizeof(self->bus));
	ASSERT_LE(0, self->owner);
	self->env.dom = &self->dom;
	self->env.bus = self->bus;
	self->env.ep = NULL;
}

FIXTURE_TEARDOWN(policy)
{
	if (self->owner >= 0)
		close(self->owner);
	kdbus_domain_umount(&self->dom);
}

/* ------------------------------------------------------------------ */
/* OWN (11.5)                                                          */
/* ------------------------------------------------------------------ */

/* a fresh bus: only privileged connections may own names */
TEST_F(policy, own_unprivileged_eperm)
{
	struct kdbus_conn r;
	__u64 id;

	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, FOO));
	EXPECT_EQ(-EPERM, once(&self->env, &u1000, P_ACQUIRE, 0, FOO, 0,
			       KDBUS_NAME_QUEUE));
	/* root has CAP_IPC_OWNER */
	ASSERT_EQ(0, conn_new(&r, &self->env));
	EXPECT_EQ(0, kdbus_name_acquire(&r, FOO, 0, NULL));
	/* queueing behind an owner needs OWN too */
	EXPECT_EQ(-EPERM, once(&self->env, &u1000, P_ACQUIRE, 0, FOO, 0,
			       KDBUS_NAME_QUEUE));
	EXPECT_EQ(-EPERM, once(&self->env, &u1000, P_ACQUIRE, 0, FOO, 0,
			       KDBUS_NAME_REPLACE_EXISTING));
	EXPECT_EQ(0, info_get(&r, 0, FOO, &id));
	EXPECT_EQ(r.id, id);
	kdbus_conn_free(&r);
}

/* the bus owner's uid is privileged on its bus, other uids are not */
TEST_F(policy, own_bus_owner_uid_privileged)
{
	struct env env = { .dom = &self->dom };
	struct kdbus_conn r;
	struct puppet o;
	char bus[64];
	int owner, ret;

	ASSERT_EQ(0, kdbus_become_euid(1000, 2000));
	owner = kdbus_bus_create(&self->dom, KDBUS_MAKE_ACCESS_WORLD, "owned",
				 bus, sizeof(bus));
	ret = kdbus_restore_root();
	ASSERT_EQ(0, ret);
	ASSERT_LE(0, owner);
	EXPECT_STREQ("1000-owned", bus);
	env.bus = bus;

	/* OWN, holders and activators without any policy */
	EXPECT_EQ(0, once(&env, &u1000, P_ACQUIRE, 0, FOO, 0, 0));
	EXPECT_EQ(0, once(&env, &u1000, P_HOLDER, 0, BAR, 0, 0));
	EXPECT_EQ(0, once(&env, &u1000, P_ACTIVATOR, 0, ACT, 0, 0));
	EXPECT_EQ(-EPERM, once(&env, &u1001, P_ACQUIRE, 0, FOO, 0, 0));
	EXPECT_EQ(-EPERM, once(&env, &u1001, P_HOLDER, 0, BAR, 0, 0));
	EXPECT_EQ(-EPERM, once(&env, &u1001, P_ACTIVATOR, 0, ACT, 0, 0));

	/* the owner's policy holder lets uid 1001 own FOO */
	ASSERT_EQ(0, puppet_start(&o, &env, &u1000));
	EXPECT_EQ(0, pp(&o, P_HOLDER, 0, FOO, 1001, REC(USER, OWN)));
	EXPECT_EQ(0, once(&env, &u1001, P_ACQUIRE, 0, FOO, 0, 0));
	EXPECT_EQ(-EPERM, once(&env, &u1002, P_ACQUIRE, 0, FOO, 0, 0));
	EXPECT_EQ(-EPERM, once(&env, &u1001, P_ACQUIRE, 0, BAR, 0, 0));
	EXPECT_EQ(0, puppet_stop(&o));
	/* gone with the holder's process */
	EXPECT_EQ(-EPERM, once(&env, &u1001, P_ACQUIRE, 0, FOO, 0, 0));

	/* CAP_IPC_OWNER counts on anybody's bus */
	ASSERT_EQ(0, conn_new(&r, &env));
	EXPECT_EQ(0, kdbus_name_acquire(&r, FOO, 0, NULL));
	kdbus_conn_free(&r);
	close(owner);
}

TEST_F(policy, own_user_record)
{
	const struct actor gid1000 = { .uid = 1001, .gid = 1000 };
	struct kdbus_conn ph;

	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(USER, OWN, 1000))));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, FOO));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1001, FOO));
	/* USER records match the uid, not the gid */
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&gid1000, FOO));
	/* and only the name of their entry */
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, BAR));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.foo.bar"));
	kdbus_conn_free(&ph);
}

/* GROUP records: the effective gid or any supplementary group */
TEST_F(policy, own_group_record)
{
	const struct actor egid = { .uid = 1001, .gid = 2005 };
	const struct actor supp = {
		.uid = 1002, .gid = 2002, .ngroups = 2, .groups = { 2004, 2005 },
	};
	const struct actor other = {
		.uid = 1003, .gid = 2003, .ngroups = 1, .groups = { 2004 },
	};
	const struct actor uid2005 = { .uid = 2005, .gid = 2003 };
	struct kdbus_conn ph;

	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(GROUP, OWN, 2005))));
	EXPECT_EQ(0, ACQUIRE_AS(&egid, FOO));
	EXPECT_EQ(0, ACQUIRE_AS(&supp, FOO));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&other, FOO));
	/* GROUP records match gids, not uids */
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&uid2005, FOO));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&supp, BAR));
	kdbus_conn_free(&ph);
}

/* WORLD: everyone; then the name registry decides as usual */
TEST_F(policy, own_world_record)
{
	struct kdbus_conn ph, r;
	struct puppet a, b;
	struct res res;
	__u64 id;

	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(WORLD, OWN, 0))));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, FOO));
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, FOO));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1001, BAR));

	ASSERT_EQ(0, conn_new(&r, &self->env));
	ASSERT_EQ(0, puppet_start(&a, &self->env, &u1000));
	ASSERT_EQ(0, puppet_start(&b, &self->env, &u1001));
	EXPECT_EQ(0, pp_acquire(&a, FOO));
	EXPECT_EQ(-EALREADY, pp_acquire(&a, FOO));
	/* permitted, but taken */
	EXPECT_EQ(-EEXIST, pp_acquire(&b, FOO));
	EXPECT_EQ(0, puppet_req(&b, P_ACQUIRE, 0, FOO, 0, KDBUS_NAME_QUEUE,
				&res));
	EXPECT_EQ((__u64)KDBUS_NAME_IN_QUEUE, res.flags);
	EXPECT_EQ(0, pp(&a, P_RELEASE, 0, FOO, 0, 0));
	EXPECT_EQ(0, info_get(&r, 0, FOO, &id));
	EXPECT_EQ(b.id, id);
	EXPECT_EQ(0, puppet_stop(&b));
	EXPECT_EQ(0, puppet_stop(&a));
	kdbus_conn_free(&r);
	kdbus_conn_free(&ph);
}

/* the highest level among the matching records counts; SEE/TALK < OWN */
TEST_F(policy, own_highest_matching_record)
{
	struct kdbus_conn ph, ph2;

	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(WORLD, SEE, 0),
				      ACC(USER, TALK, 1000),
				      ACC(GROUP, OWN, 2001))));
	ASSERT_EQ(0, holder_new(&ph2, &self->env, BAR,
				RULES(ACC(USER, OWN, 1000),
				      ACC(WORLD, SEE, 0))));
	/* TALK is not OWN */
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, FOO));
	/* neither is SEE */
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1002, FOO));
	/* gid 2001 */
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, FOO));
	/* the order of the records does not matter */
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, BAR));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1001, BAR));
	kdbus_conn_free(&ph2);
	kdbus_conn_free(&ph);
}

/* OWN implies TALK; TALK does not imply OWN */
TEST_F(policy, own_implies_talk)
{
	struct kdbus_conn b, c, ph, ph2;

	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, conn_new(&c, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, FOO, 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&c, BAR, 0, NULL));
	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(USER, OWN, 1000))));
	ASSERT_EQ(0, holder_new(&ph2, &self->env, BAR,
				RULES(ACC(USER, TALK, 1000))));

	EXPECT_EQ(0, SEND_AS(&u1000, b.id, 1));
	EXPECT_EQ(0, SEND_NAME_AS(&u1000, FOO, 2));
	EXPECT_EQ(-EPERM, SEND_AS(&u1001, b.id, 3));
	EXPECT_EQ(0, SEND_AS(&u1000, c.id, 4));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.bar"));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 1, 0));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 2, 0));
	EXPECT_TRUE(conn_empty(&b));
	EXPECT_TRUE(conn_got(&c, ANY_SRC, 4, 0));
	EXPECT_TRUE(conn_empty(&c));
	kdbus_conn_free(&ph2);
	kdbus_conn_free(&ph);
	kdbus_conn_free(&c);
	kdbus_conn_free(&b);
}

/* ------------------------------------------------------------------ */
/* wildcards (11.3)                                                    */
/* ------------------------------------------------------------------ */

/* "org.foo.*" covers exactly one more element */
TEST_F(policy, wildcard_covers_one_element)
{
	struct kdbus_conn ph, b, c;

	ASSERT_EQ(0, holder_new(&ph, &self->env, "org.foo.*",
				RULES(ACC(WORLD, OWN, 0))));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, "org.foo.bar"));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, "org.foo.baz"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.foo"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.foo.bar.baz"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.foobar.baz"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.fo.bar"));

	/* and TALK, implied by the OWN it grants */
	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, conn_new(&c, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, "org.foo.bar", 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&c, "org.foo.bar.baz", 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&c, "org.foo", 0, NULL));
	EXPECT_EQ(0, SEND_AS(&u1001, b.id, 1));
	EXPECT_EQ(-EPERM, SEND_AS(&u1001, c.id, 2));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 1, 0));
	EXPECT_TRUE(conn_empty(&b));
	EXPECT_TRUE(conn_empty(&c));
	kdbus_conn_free(&c);
	kdbus_conn_free(&b);
	kdbus_conn_free(&ph);
}

/* an exact entry is looked up first and decides, even if it grants less */
TEST_F(policy, wildcard_exact_entry_first)
{
	struct kdbus_conn w, e1, e2, e3;

	ASSERT_EQ(0, holder_new(&w, &self->env, "org.foo.*",
				RULES(ACC(WORLD, OWN, 0))));
	ASSERT_EQ(0, holder_new(&e1, &self->env, "org.foo.bar",
				RULES(ACC(WORLD, SEE, 0))));
	ASSERT_EQ(0, holder_new(&e2, &self->env, "org.foo.empty", NO_RULES));
	ASSERT_EQ(0, holder_new(&e3, &self->env, "org.foo.other",
				RULES(ACC(USER, OWN, 1001))));

	EXPECT_EQ(0, ACQUIRE_AS(&u1000, "org.foo.baz"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.foo.bar"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.foo.empty"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.foo.other"));
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, "org.foo.other"));
	/* without the exact entry, the wildcard applies */
	kdbus_conn_free(&e1);
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, "org.foo.bar"));
	kdbus_conn_free(&e2);
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, "org.foo.empty"));
	kdbus_conn_free(&e3);
	kdbus_conn_free(&w);
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.foo.baz"));
}

/* ------------------------------------------------------------------ */
/* policy holders (11.6, 12.3)                                         */
/* ------------------------------------------------------------------ */

/* UPDATE replaces the holder's entry: records, name, wildcard-ness */
TEST_F(policy, holder_update_replaces)
{
	struct kdbus_conn ph, ph2, ph3;

	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(USER, OWN, 1000))));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, FOO));

	/* another name */
	ASSERT_EQ(0, holder_update(&ph, BAR, RULES(ACC(USER, OWN, 1000))));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, FOO));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, BAR));
	/* the old name is free for another holder */
	ASSERT_EQ(0, holder_new(&ph2, &self->env, FOO,
				RULES(ACC(USER, OWN, 1002))));
	EXPECT_EQ(0, ACQUIRE_AS(&u1002, FOO));

	/* other records for the same name */
	ASSERT_EQ(0, holder_update(&ph, BAR, RULES(ACC(USER, OWN, 1001))));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, BAR));
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, BAR));
	/* an UPDATE without items changes nothing */
	ASSERT_EQ(0, holder_update(&ph, NULL, NO_RULES));
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, BAR));
	/* a group without records grants nothing */
	ASSERT_EQ(0, holder_update(&ph, BAR, NO_RULES));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1001, BAR));
	/* a wildcard */
	ASSERT_EQ(0, holder_update(&ph, "org.bar.*",
				   RULES(ACC(WORLD, OWN, 0))));
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, "org.bar.x"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1001, BAR));
	/* BAR is free again */
	ASSERT_EQ(0, holder_new(&ph3, &self->env, BAR, NO_RULES));
	EXPECT_EQ(0, ACQUIRE_AS(&u1002, FOO));
	kdbus_conn_free(&ph3);
	kdbus_conn_free(&ph2);
	kdbus_conn_free(&ph);
}

/* a failing UPDATE leaves the holder's old entry in force, unchanged */
TEST_F(policy, holder_update_failure_changes_nothing)
{
	const __u64 recv = 0;
	struct kdbus_conn ph, other, wild, x;
	struct kdbus_cmd *cmd;

	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(USER, OWN, 1000))));
	ASSERT_EQ(0, holder_new(&other, &self->env, BAR,
				RULES(ACC(USER, OWN, 1001))));
	ASSERT_EQ(0, holder_new(&wild, &self->env, "org.w.*", NO_RULES));

	/*
	 * Each UPDATE starts with a valid group granting everyone OWN on
	 * org.new, which would show if it were applied in part.
	 */
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, "org.new", RULES(ACC(WORLD, OWN, 0),
					RAW(KDBUS_POLICY_ACCESS_WORLD, 3, 0)));
	EXPECT_EQ(-EINVAL, ioctl_args(ph.fd, KDBUS_CMD_UPDATE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, "org.new", RULES(ACC(WORLD, OWN, 0),
					RAW(4, KDBUS_POLICY_OWN, 0)));
	EXPECT_EQ(-EINVAL, ioctl_args(ph.fd, KDBUS_CMD_UPDATE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, "org.new", RULES(ACC(WORLD, OWN, 0),
					ACC(USER, OWN, 0xFFFFFFFFULL)));
	EXPECT_EQ(-EINVAL, ioctl_args(ph.fd, KDBUS_CMD_UPDATE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	kdbus_args_add_policy(cmd, KDBUS_POLICY_ACCESS_WORLD,
			      KDBUS_POLICY_OWN, 0);
	add_group(cmd, "org.new", RULES(ACC(WORLD, OWN, 0)));
	EXPECT_EQ(-EINVAL, ioctl_args(ph.fd, KDBUS_CMD_UPDATE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, "org", RULES(ACC(WORLD, OWN, 0)));
	EXPECT_EQ(-EINVAL, ioctl_args(ph.fd, KDBUS_CMD_UPDATE, cmd));
	/* names of other holders */
	EXPECT_EQ(-EEXIST, holder_update(&ph, BAR, RULES(ACC(WORLD, OWN, 0))));
	EXPECT_EQ(-EEXIST, holder_update(&ph, "org.w.*",
					 RULES(ACC(WORLD, OWN, 0))));
	/* one group per UPDATE */
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, "org.new", RULES(ACC(WORLD, OWN, 0)));
	add_group(cmd, "org.new2", RULES(ACC(WORLD, OWN, 0)));
	EXPECT_EQ(-E2BIG, ioctl_args(ph.fd, KDBUS_CMD_UPDATE, cmd));
	/* all items are checked first: holders cannot set attach masks */
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, "org.new", RULES(ACC(WORLD, OWN, 0)));
	kdbus_args_add_u64(cmd, KDBUS_ITEM_ATTACH_FLAGS_RECV, recv);
	EXPECT_EQ(-EOPNOTSUPP, ioctl_args(ph.fd, KDBUS_CMD_UPDATE, cmd));

	EXPECT_EQ(0, ACQUIRE_AS(&u1000, FOO));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1001, FOO));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.new"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.new2"));
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, BAR));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.w.x"));
	/* FOO is still taken */
	EXPECT_EQ(-EEXIST, holder_new(&x, &self->env, FOO, NO_RULES));
	kdbus_conn_free(&wild);
	kdbus_conn_free(&other);
	kdbus_conn_free(&ph);
}

/* the rules die with the holder's last descriptor */
TEST_F(policy, holder_close_removes_rules)
{
	struct kdbus_conn b, ph, own;
	pid_t keeper;
	int wr;

	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, FOO, 0, NULL));
	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(WORLD, TALK, 0))));
	ASSERT_EQ(0, holder_new(&own, &self->env, BAR,
				RULES(ACC(USER, OWN, 1000))));
	EXPECT_EQ(0, SEND_AS(&u1000, b.id, 1));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, BAR));

	/* a forked child shares the holders' handles */
	keeper = keeper_spawn(&wr);
	ASSERT_LT(0, keeper);
	kdbus_conn_free(&ph);
	kdbus_conn_free(&own);
	EXPECT_EQ(0, SEND_AS(&u1000, b.id, 2));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, BAR));
	close(wr);
	EXPECT_EQ(0, kdbus_wait_child(keeper));

	EXPECT_EQ(-EPERM, SEND_AS(&u1000, b.id, 3));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, BAR));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 1, 0));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 2, 0));
	EXPECT_TRUE(conn_empty(&b));
	kdbus_conn_free(&b);
}

/* one entry per exact name: a second holder fails, the first one stays */
TEST_F(policy, holder_duplicate_name_eexist)
{
	struct kdbus_conn ph, x, y;
	int fd;

	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(USER, OWN, 1000))));
	fd = env_open(&self->env);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, holder_hello(&x, fd, FOO,
					RULES(ACC(USER, OWN, 1001))));
	/* nothing of the failed HELLO is in force */
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1001, FOO));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, FOO));
	/* the handle may try again */
	ASSERT_EQ(0, holder_hello(&x, fd, BAR, NO_RULES));
	/* an entry without records blocks its name as well */
	EXPECT_EQ(-EEXIST, holder_new(&y, &self->env, BAR,
				      RULES(ACC(WORLD, OWN, 0))));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, BAR));
	/* the name is free once its holder is gone */
	kdbus_conn_free(&ph);
	ASSERT_EQ(0, holder_new(&y, &self->env, FOO,
				RULES(ACC(USER, OWN, 1001))));
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, FOO));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, FOO));
	kdbus_conn_free(&y);
	kdbus_conn_free(&x);
}

/* an exact name and a wildcard with the same prefix are two entries */
TEST_F(policy, holder_exact_and_wildcard_coexist)
{
	struct kdbus_conn a, w, x;

	ASSERT_EQ(0, holder_new(&a, &self->env, FOO,
				RULES(ACC(USER, OWN, 1000))));
	ASSERT_EQ(0, holder_new(&w, &self->env, "org.foo.*",
				RULES(ACC(USER, OWN, 1001))));
	EXPECT_EQ(-EEXIST, holder_new(&x, &self->env, "org.foo.*", NO_RULES));
	EXPECT_EQ(-EEXIST, holder_new(&x, &self->env, FOO, NO_RULES));

	EXPECT_EQ(0, ACQUIRE_AS(&u1000, FOO));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, "org.foo.bar"));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1001, FOO));
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, "org.foo.bar"));
	kdbus_conn_free(&w);
	kdbus_conn_free(&a);
}

/* ------------------------------------------------------------------ */
/* activators (8.5, 11.1)                                              */
/* ------------------------------------------------------------------ */

/* an activator's entry may grant OWN of its name */
TEST_F(policy, activator_policy_own)
{
	struct kdbus_conn act, r;
	__u64 id;

	ASSERT_EQ(0, activator_new(&act, &self->env, ACT,
				   RULES(ACC(USER, OWN, 1000))));
	ASSERT_EQ(0, conn_new(&r, &self->env));
	EXPECT_EQ(0, ACQUIRE_AS(&u1000, ACT));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1001, ACT));
	/* the name went back to the activator */
	EXPECT_EQ(0, info_get(&r, 0, ACT, &id));
	EXPECT_EQ(act.id, id);
	/* the entry goes with the activator */
	kdbus_conn_free(&act);
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, ACT));
	kdbus_conn_free(&r);
}

/* an activator's entry may grant TALK to its name (not OWN) */
TEST_F(policy, activator_policy_talk)
{
	struct kdbus_conn act, s;
	__u64 id;

	ASSERT_EQ(0, activator_new(&act, &self->env, ACT,
				   RULES(ACC(USER, TALK, 1000))));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&u1000, ACT));
	/* queued at the activator, which is the destination */
	EXPECT_EQ(0, SEND_NAME_AS(&u1000, ACT, 1));
	EXPECT_EQ(-EPERM, SEND_NAME_AS(&u1001, ACT, 2));
	EXPECT_TRUE(conn_got(&act, ANY_SRC, 1, 0));
	EXPECT_TRUE(conn_empty(&act));

	/* the service (root) takes the name: the entry covers it too */
	ASSERT_EQ(0, conn_new(&s, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&s, ACT, 0, NULL));
	EXPECT_EQ(0, SEND_AS(&u1000, s.id, 3));
	EXPECT_EQ(-EPERM, SEND_AS(&u1001, s.id, 4));
	EXPECT_TRUE(conn_got(&s, ANY_SRC, 3, 0));
	/* the entry goes with the activator; the name stays */
	kdbus_conn_free(&act);
	EXPECT_EQ(-EPERM, SEND_AS(&u1000, s.id, 5));
	EXPECT_EQ(0, info_get(&s, 0, ACT, &id));
	EXPECT_EQ(s.id, id);
	EXPECT_TRUE(conn_empty(&s));
	kdbus_conn_free(&s);
}

/* invalid or conflicting activator entries fail HELLO, leaving nothing */
TEST_F(policy, activator_policy_errors)
{
	struct kdbus_conn ph, a, r;
	__u64 id;
	int fd;

	ASSERT_EQ(0, conn_new(&r, &self->env));
	ASSERT_EQ(0, holder_new(&ph, &self->env, ACT,
				RULES(ACC(WORLD, SEE, 0))));
	fd = env_open(&self->env);
	ASSERT_LE(0, fd);

	/* the name of a holder's entry */
	EXPECT_EQ(-EEXIST, activator_hello(&a, fd, ACT,
					   RULES(ACC(WORLD, TALK, 0))));
	EXPECT_EQ(-ESRCH, info_get(&r, 0, ACT, &id));
	/* bad records */
	EXPECT_EQ(-EINVAL, activator_hello(&a, fd, "org.act2",
					   RULES(RAW(KDBUS_POLICY_ACCESS_WORLD, 3, 0))));
	EXPECT_EQ(-EINVAL, activator_hello(&a, fd, "org.act2",
					   RULES(RAW(4, KDBUS_POLICY_TALK, 0))));
	EXPECT_EQ(-EINVAL, activator_hello(&a, fd, "org.act2",
					   RULES(ACC(GROUP, TALK,
						     0xFFFFFFFFULL))));
	EXPECT_EQ(-ESRCH, info_get(&r, 0, "org.act2", &id));
	/* no wildcards */
	EXPECT_EQ(-EINVAL, activator_hello(&a, fd, "org.act.*",
					   RULES(ACC(WORLD, TALK, 0))));

	/* without the holder, the same HELLO works */
	kdbus_conn_free(&ph);
	ASSERT_EQ(0, activator_hello(&a, fd, ACT,
				     RULES(ACC(USER, TALK, 1000))));
	EXPECT_EQ(0, info_get(&r, 0, ACT, &id));
	EXPECT_EQ(a.id, id);
	EXPECT_EQ(0, SEND_NAME_AS(&u1000, ACT, 1));
	EXPECT_EQ(-EPERM, SEND_NAME_AS(&u1001, ACT, 2));
	kdbus_conn_free(&a);
	kdbus_conn_free(&r);
}

/* ------------------------------------------------------------------ */
/* TALK: unicasts, calls, replies (11.5, 5.8)                          */
/* ------------------------------------------------------------------ */

TEST_F(policy, talk_unprivileged_eperm)
{
	struct kdbus_conn b, c, ph;

	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, conn_new(&c, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, FOO, 0, NULL));
	/* TALK on a name b does not own does not help */
	ASSERT_EQ(0, holder_new(&ph, &self->env, BAR,
				RULES(ACC(WORLD, TALK, 0))));

	EXPECT_EQ(-EPERM, SEND_AS(&u1000, b.id, 1));
	EXPECT_EQ(-EPERM, SEND_NAME_AS(&u1000, FOO, 2));
	EXPECT_EQ(-EPERM, once(&self->env, &u1000, P_SEND, b.id, NULL, 3,
			       KDBUS_MSG_EXPECT_REPLY));
	EXPECT_EQ(-EPERM, once(&self->env, &u1000, P_SYNC, b.id, NULL, 4, 0));
	EXPECT_EQ(-EPERM, once(&self->env, &u1000, P_SYNC, 0, FOO, 5, 0));
	/* a peer without names */
	EXPECT_EQ(-EPERM, SEND_AS(&u1000, c.id, 6));
	/* destinations are resolved first */
	EXPECT_EQ(-ESRCH, SEND_NAME_AS(&u1000, "org.nobody", 7));
	EXPECT_EQ(-ENXIO, SEND_AS(&u1000, ph.id, 8));
	EXPECT_TRUE(conn_empty(&b));
	EXPECT_TRUE(conn_empty(&c));
	kdbus_conn_free(&ph);
	kdbus_conn_free(&c);
	kdbus_conn_free(&b);
}

/* TALK to a peer is granted by any of the names it currently owns */
TEST_F(policy, talk_any_name_of_destination)
{
	struct kdbus_conn b, ph_b, ph_c;

	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, "org.a", 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&b, "org.b", 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&b, "org.c", 0, NULL));
	ASSERT_EQ(0, holder_new(&ph_b, &self->env, "org.b",
				RULES(ACC(USER, TALK, 1000))));
	ASSERT_EQ(0, holder_new(&ph_c, &self->env, "org.c",
				RULES(ACC(GROUP, TALK, 2001))));

	EXPECT_EQ(0, SEND_AS(&u1000, b.id, 1));
	/* addressed through a name without policy */
	EXPECT_EQ(0, SEND_NAME_AS(&u1000, "org.a", 2));
	EXPECT_EQ(0, once(&self->env, &u1000, P_SEND, 0, "org.c", 3,
			  KDBUS_MSG_EXPECT_REPLY));
	EXPECT_EQ(0, SEND_AS(&u1001, b.id, 4));
	EXPECT_EQ(-EPERM, SEND_AS(&u1002, b.id, 5));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 1, 0));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 2, 0));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 3, KDBUS_MSG_EXPECT_REPLY));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 4, 0));
	EXPECT_TRUE(conn_empty(&b));

	/* names are evaluated at send time */
	ASSERT_EQ(0, kdbus_name_release(&b, "org.b"));
	EXPECT_EQ(-EPERM, SEND_AS(&u1000, b.id, 6));
	EXPECT_EQ(0, SEND_AS(&u1001, b.id, 7));
	ASSERT_EQ(0, kdbus_name_acquire(&b, "org.b", 0, NULL));
	EXPECT_EQ(0, SEND_AS(&u1000, b.id, 8));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 7, 0));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 8, 0));
	EXPECT_TRUE(conn_empty(&b));
	kdbus_conn_free(&ph_c);
	kdbus_conn_free(&ph_b);
	kdbus_conn_free(&b);
}

/* same uid: allowed without policy; privileged: always */
TEST_F(policy, talk_same_uid_and_privileged)
{
	struct puppet p, q;
	struct kdbus_conn r;

	ASSERT_EQ(0, puppet_start(&p, &self->env, &u1000));
	ASSERT_EQ(0, puppet_start(&q, &self->env, &u1000));
	ASSERT_EQ(0, conn_new(&r, &self->env));

	EXPECT_EQ(0, pp_send(&q, p.id, 1));
	EXPECT_EQ(0, pp_send(&p, q.id, 2));
	EXPECT_EQ(0, once(&self->env, &u1000, P_SEND, p.id, NULL, 9,
			  KDBUS_MSG_EXPECT_REPLY));
	EXPECT_EQ(-EPERM, SEND_AS(&u1001, p.id, 3));
	EXPECT_EQ(0, send_to(&r, p.id, 4));
	EXPECT_EQ(-EPERM, pp_send(&p, r.id, 5));

	EXPECT_TRUE(pp_got(&p, q.id, 1, 0));
	EXPECT_TRUE(pp_got(&p, ANY_SRC, 9, KDBUS_MSG_EXPECT_REPLY));
	EXPECT_TRUE(pp_got(&p, r.id, 4, 0));
	EXPECT_TRUE(pp_empty(&p));
	EXPECT_TRUE(pp_got(&q, p.id, 2, 0));
	EXPECT_TRUE(pp_empty(&q));
	EXPECT_TRUE(conn_empty(&r));
	EXPECT_EQ(0, puppet_stop(&q));
	EXPECT_EQ(0, puppet_stop(&p));
	kdbus_conn_free(&r);
}

/*
 * The talker's effective uid at send time against the peer's real uid at
 * HELLO; privilege is the handle's, fixed at open().
 */
TEST_F(policy, talk_euid_at_send_real_uid_at_hello)
{
	struct kdbus_conn a, r;
	int ret, r1, r2, restore;
	struct puppet p;

	ASSERT_EQ(0, puppet_start(&p, &self->env, &u1000));
	ASSERT_EQ(0, conn_new(&r, &self->env));

	/* euid 1000 at open(): not privileged; real uid 0 */
	ASSERT_EQ(0, kdbus_become_euid(1000, 2000));
	ret = conn_new(&a, &self->env);
	r1 = ret ? ret : send_to(&a, p.id, 1);
	r2 = ret ? ret : send_to(&a, r.id, 2);
	restore = kdbus_restore_root();
	ASSERT_EQ(0, restore);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, r1);
	EXPECT_EQ(-EPERM, r2);

	/* the same connection, sending as euid 0 */
	EXPECT_EQ(-EPERM, send_to(&a, p.id, 3));
	EXPECT_EQ(0, send_to(&a, r.id, 4));
	/* a's real uid at HELLO was 0, its euid 1000 does not count */
	EXPECT_EQ(-EPERM, pp_send(&p, a.id, 5));

	EXPECT_TRUE(pp_got(&p, a.id, 1, 0));
	EXPECT_TRUE(pp_empty(&p));
	EXPECT_TRUE(conn_got(&r, a.id, 4, 0));
	EXPECT_TRUE(conn_empty(&r));
	EXPECT_TRUE(conn_empty(&a));
	EXPECT_EQ(0, puppet_stop(&p));
	kdbus_conn_free(&a);
	kdbus_conn_free(&r);
}

/* replies to pending requests need no TALK */
TEST_F(policy, talk_reply_always_passes)
{
	struct kdbus_msg_info info = { 0 };
	struct kdbus_conn b;
	struct kdbus_msg *m;
	struct puppet a;
	struct res res;
	int ret;

	ASSERT_EQ(0, puppet_start(&a, &self->env, &u1000));
	ASSERT_EQ(0, conn_new(&b, &self->env));

	/* root is privileged: it may call uid 1000 */
	ASSERT_EQ(0, msg_send(&b, a.id, NULL, 10, KDBUS_MSG_EXPECT_REPLY, 0,
			      NULL));
	puppet_req(&a, P_RECV, 0, NULL, 0, 0, &res);
	EXPECT_TRUE(is_msg(&res, b.id, 10, KDBUS_MSG_EXPECT_REPLY));
	/* uid 1000 may not talk to root, but it may answer */
	EXPECT_EQ(-EPERM, pp_send(&a, b.id, 11));
	EXPECT_EQ(0, pp(&a, P_REPLY, b.id, NULL, 10, 0));
	/* once: the tracker is consumed; and no reply to unknown cookies */
	EXPECT_EQ(-EPERM, pp(&a, P_REPLY, b.id, NULL, 10, 0));
	EXPECT_EQ(-EPERM, pp(&a, P_REPLY, b.id, NULL, 99, 0));
	EXPECT_TRUE(conn_got_reply(&b, a.id, 10));
	EXPECT_TRUE(conn_empty(&b));

	/* a synchronous call, answered by the other process */
	ASSERT_EQ(0, puppet_post(&a, P_SERVE, 0, NULL, 0, 0));
	ret = msg_send(&b, a.id, NULL, 13, KDBUS_MSG_EXPECT_REPLY,
		       KDBUS_SEND_SYNC_REPLY, &info);
	EXPECT_EQ(0, puppet_wait(&a, &res));
	EXPECT_EQ(13ULL, res.cookie);
	ASSERT_EQ(0, ret);
	m = (struct kdbus_msg *)((__u8 *)b.pool + info.offset);
	EXPECT_EQ(a.id, m->src_id);
	EXPECT_EQ(13ULL, m->cookie_reply);
	EXPECT_EQ(0, kdbus_free(&b, info.offset));
	EXPECT_TRUE(conn_empty(&b));
	EXPECT_TRUE(pp_empty(&a));
	EXPECT_EQ(0, puppet_stop(&a));
	kdbus_conn_free(&b);
}

/* policy changes apply to existing connections at once */
TEST_F(policy, talk_policy_change_immediate)
{
	struct kdbus_conn b, ph;
	struct puppet a;

	ASSERT_EQ(0, puppet_start(&a, &self->env, &u1000));
	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, FOO, 0, NULL));
	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(WORLD, TALK, 0))));

	EXPECT_EQ(0, pp_send(&a, b.id, 1));
	ASSERT_EQ(0, holder_update(&ph, FOO, RULES(ACC(WORLD, SEE, 0))));
	EXPECT_EQ(-EPERM, pp_send(&a, b.id, 2));
	ASSERT_EQ(0, holder_update(&ph, FOO, RULES(ACC(USER, TALK, 1000))));
	EXPECT_EQ(0, pp_send(&a, b.id, 3));
	ASSERT_EQ(0, holder_update(&ph, BAR, RULES(ACC(WORLD, TALK, 0))));
	EXPECT_EQ(-EPERM, pp_send(&a, b.id, 4));
	/* a name acquired later counts as well */
	ASSERT_EQ(0, kdbus_name_acquire(&b, BAR, 0, NULL));
	EXPECT_EQ(0, pp_send(&a, b.id, 5));
	kdbus_conn_free(&ph);
	EXPECT_EQ(-EPERM, pp_send(&a, b.id, 6));

	EXPECT_TRUE(conn_got(&b, a.id, 1, 0));
	EXPECT_TRUE(conn_got(&b, a.id, 3, 0));
	EXPECT_TRUE(conn_got(&b, a.id, 5, 0));
	EXPECT_TRUE(conn_empty(&b));
	EXPECT_EQ(0, puppet_stop(&a));
	kdbus_conn_free(&b);
}

/* ------------------------------------------------------------------ */
/* TALK: signals (5.8.1, 5.8.4)                                        */
/* ------------------------------------------------------------------ */

/* a unicast signal reaches its destination only if it may TALK back */
TEST_F(policy, signal_unicast_needs_receiver_talk)
{
	struct kdbus_conn s, ph;
	struct puppet r, q;

	ASSERT_EQ(0, puppet_start(&r, &self->env, &u1000));
	ASSERT_EQ(0, puppet_start(&q, &self->env, &u1000));
	ASSERT_EQ(0, pp(&r, P_MATCH, 0, NULL, 0, 0));
	ASSERT_EQ(0, conn_new(&s, &self->env));
	ASSERT_EQ(0, kdbus_match_id_any(&s, 1));
	ASSERT_EQ(0, kdbus_name_acquire(&s, FOO, 0, NULL));

	/* uid 1000 may not talk to root: dropped, silently, not counted */
	EXPECT_EQ(0, send_signal(&s, r.id, 1));
	EXPECT_TRUE(pp_empty(&r));
	/* root may talk to anyone: r's signal arrives, a message does not */
	EXPECT_EQ(0, pp_signal(&r, s.id, 2));
	EXPECT_EQ(-EPERM, pp_send(&r, s.id, 3));
	EXPECT_TRUE(conn_got(&s, r.id, 2, KDBUS_MSG_SIGNAL));
	EXPECT_TRUE(conn_empty(&s));

	/* TALK for uid 1000 on a name of s */
	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(USER, TALK, 1000))));
	EXPECT_EQ(0, send_signal(&s, r.id, 4));
	EXPECT_TRUE(pp_got(&r, s.id, 4, KDBUS_MSG_SIGNAL));
	/* SEE is not enough */
	ASSERT_EQ(0, holder_update(&ph, FOO, RULES(ACC(WORLD, SEE, 0))));
	EXPECT_EQ(0, send_signal(&s, r.id, 5));
	EXPECT_TRUE(pp_empty(&r));
	/* the same uid */
	EXPECT_EQ(0, pp_signal(&q, r.id, 6));
	EXPECT_TRUE(pp_got(&r, q.id, 6, KDBUS_MSG_SIGNAL));
	EXPECT_TRUE(pp_empty(&r));
	EXPECT_EQ(0, puppet_stop(&q));
	EXPECT_EQ(0, puppet_stop(&r));
	kdbus_conn_free(&ph);
	kdbus_conn_free(&s);
}

/* a broadcast skips receivers that may not TALK to its sender */
TEST_F(policy, broadcast_skips_receivers_without_talk)
{
	struct kdbus_conn s1, s2, rr, ph;
	struct puppet r, t;

	ASSERT_EQ(0, puppet_start(&r, &self->env, &u1000));
	ASSERT_EQ(0, puppet_start(&t, &self->env, &u1000));
	ASSERT_EQ(0, pp(&r, P_MATCH, 0, NULL, 0, 0));
	ASSERT_EQ(0, conn_new(&s1, &self->env));
	ASSERT_EQ(0, conn_new(&s2, &self->env));
	ASSERT_EQ(0, conn_new(&rr, &self->env));
	ASSERT_EQ(0, kdbus_match_id_any(&rr, 1));
	ASSERT_EQ(0, kdbus_name_acquire(&s2, FOO, 0, NULL));
	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO,
				RULES(ACC(USER, TALK, 1000))));

	EXPECT_EQ(0, send_signal(&s1, BCAST, 1));
	EXPECT_EQ(0, send_signal(&s2, BCAST, 2));
	EXPECT_EQ(0, pp_signal(&t, BCAST, 3));
	/* s1: no names, another uid; s2: TALK by policy; t: same uid */
	EXPECT_TRUE(pp_got(&r, s2.id, 2, KDBUS_MSG_SIGNAL));
	EXPECT_TRUE(pp_got(&r, t.id, 3, KDBUS_MSG_SIGNAL));
	EXPECT_TRUE(pp_empty(&r));
	/* a privileged receiver gets all */
	EXPECT_TRUE(conn_got(&rr, s1.id, 1, KDBUS_MSG_SIGNAL));
	EXPECT_TRUE(conn_got(&rr, s2.id, 2, KDBUS_MSG_SIGNAL));
	EXPECT_TRUE(conn_got(&rr, t.id, 3, KDBUS_MSG_SIGNAL));
	EXPECT_TRUE(conn_empty(&rr));

	ASSERT_EQ(0, holder_update(&ph, FOO, RULES(ACC(USER, TALK, 1001))));
	EXPECT_EQ(0, send_signal(&s2, BCAST, 4));
	EXPECT_TRUE(pp_empty(&r));
	EXPECT_TRUE(conn_got(&rr, s2.id, 4, KDBUS_MSG_SIGNAL));
	EXPECT_TRUE(conn_empty(&rr));
	EXPECT_EQ(0, puppet_stop(&t));
	EXPECT_EQ(0, puppet_stop(&r));
	kdbus_conn_free(&ph);
	kdbus_conn_free(&rr);
	kdbus_conn_free(&s2);
	kdbus_conn_free(&s1);
}

/* ------------------------------------------------------------------ */
/* SEE on the default endpoint (11.5)                                  */
/* ------------------------------------------------------------------ */

/* everything is visible, whatever the bus policy says */
TEST_F(policy, see_default_endpoint_everything)
{
	struct kdbus_conn b, c, ph;
	struct puppet p;
	struct res res;
	__u64 id, cid;

	ASSERT_EQ(0, puppet_start(&p, &self->env, &u1000));
	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, FOO, 0, NULL));
	/* an entry that grants nothing, not even SEE */
	ASSERT_EQ(0, holder_new(&ph, &self->env, FOO, NO_RULES));

	EXPECT_EQ(0, pp_info(&p, b.id, NULL, &id));
	EXPECT_EQ(b.id, id);
	EXPECT_EQ(0, pp_info(&p, 0, FOO, &id));
	EXPECT_EQ(b.id, id);
	EXPECT_EQ(1, puppet_req(&p, P_LIST, b.id, FOO, 0, KDBUS_LIST_NAMES,
				&res));
	EXPECT_EQ(1ULL, res.count);
	EXPECT_EQ(1, pp(&p, P_LIST, ph.id, NULL, 0, KDBUS_LIST_UNIQUE));
	EXPECT_EQ(1, pp(&p, P_LIST, b.id, NULL, 0, KDBUS_LIST_UNIQUE));

	/* notifications */
	ASSERT_EQ(0, pp(&p, P_MATCH, 0, NULL, 0, 1));
	ASSERT_EQ(0, conn_new(&c, &self->env));
	cid = c.id;
	ASSERT_EQ(0, kdbus_name_acquire(&b, BAR, 0, NULL));
	ASSERT_EQ(0, kdbus_name_release(&b, FOO));
	kdbus_conn_free(&c);
	EXPECT_TRUE(pp_notified(&p, KDBUS_ITEM_ID_ADD, NULL, cid));
	EXPECT_TRUE(pp_notified(&p, KDBUS_ITEM_NAME_ADD, BAR, b.id));
	EXPECT_TRUE(pp_notified(&p, KDBUS_ITEM_NAME_REMOVE, FOO, b.id));
	EXPECT_TRUE(pp_notified(&p, KDBUS_ITEM_ID_REMOVE, NULL, cid));
	EXPECT_TRUE(pp_empty(&p));
	EXPECT_EQ(0, puppet_stop(&p));
	kdbus_conn_free(&ph);
	kdbus_conn_free(&b);
}

/* ------------------------------------------------------------------ */
/* custom endpoints (11.4, 11.5, 12.5, 5.11, 8.6)                      */
/* ------------------------------------------------------------------ */

/* a custom endpoint without policy: root there can do nothing */
TEST_F(policy, ep_no_policy_denies_all)
{
	struct kdbus_conn b, c, e, ph_own, ph_talk;
	struct env ee = self->env;
	char rel[160];
	__u64 id, n;
	int ep;

	ep = ep_create(&self->env, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ee.ep = rel;
	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, conn_new(&c, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, FOO, 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&b, FBB, 0, NULL));
	/* the bus database alone does not help on a custom endpoint */
	ASSERT_EQ(0, holder_new(&ph_own, &self->env, "org.e",
				RULES(ACC(WORLD, OWN, 0))));
	ASSERT_EQ(0, holder_new(&ph_talk, &self->env, FOO,
				RULES(ACC(WORLD, OWN, 0))));
	ASSERT_EQ(0, conn_new(&e, &ee));

	/* OWN */
	EXPECT_EQ(-EPERM, kdbus_name_acquire(&e, "org.e", 0, NULL));
	EXPECT_EQ(-EPERM, kdbus_name_acquire(&e, "org.x", 0, NULL));
	/* TALK */
	EXPECT_EQ(-EPERM, send_to(&e, b.id, 1));
	EXPECT_EQ(-EPERM, send_name(&e, FOO, 2));
	EXPECT_EQ(-EPERM, send_to(&e, c.id, 3));
	EXPECT_EQ(-ESRCH, send_name(&e, "org.nobody", 4));
	/* SEE */
	EXPECT_EQ(-ENXIO, info_get(&e, b.id, NULL, &id));
	EXPECT_EQ(-ESRCH, info_get(&e, 0, FOO, &id));
	EXPECT_EQ(-ESRCH, info_get(&e, 0, FBB, &id));
	EXPECT_EQ(-ENXIO, info_get(&e, c.id, NULL, &id));
	EXPECT_EQ(-ENXIO, info_get(&e, e.id, NULL, &id));
	EXPECT_EQ(-ENXIO, info_get(&e, ph_own.id, NULL, &id));
	/* LIST: unique ids always, names never */
	EXPECT_EQ(1, list_find(&e, KDBUS_LIST_UNIQUE, b.id, NULL, &n));
	EXPECT_EQ(1, list_find(&e, KDBUS_LIST_UNIQUE, e.id, NULL, &n));
	EXPECT_EQ(0, list_find(&e, KDBUS_LIST_NAMES, b.id, FOO, &n));
	EXPECT_EQ(0ULL, n);
	/* hidden name records do not become unique-id records (8.6) */
	EXPECT_EQ(0, list_find(&e, KDBUS_LIST_NAMES | KDBUS_LIST_UNIQUE,
			       b.id, NULL, &n));
	EXPECT_EQ(1, list_find(&e, KDBUS_LIST_NAMES | KDBUS_LIST_UNIQUE,
			       c.id, NULL, &n));
	/* root on the default endpoint is privileged */
	EXPECT_EQ(0, send_to(&b, e.id, 5));
	EXPECT_TRUE(conn_got(&e, b.id, 5, 0));
	EXPECT_TRUE(conn_empty(&e));
	EXPECT_TRUE(conn_empty(&b));
	EXPECT_TRUE(conn_empty(&c));
	/* an unprivileged user there: the same */
	EXPECT_EQ(-EPERM, once(&ee, &u1000, P_ACQUIRE, 0, "org.e", 0, 0));
	EXPECT_EQ(-ESRCH, once(&ee, &u1000, P_INFO, 0, FOO, 0, 0));
	EXPECT_EQ(-EPERM, once(&ee, &u1000, P_SEND, b.id, NULL, 6, 0));
	kdbus_conn_free(&e);
	kdbus_conn_free(&ph_talk);
	kdbus_conn_free(&ph_own);
	kdbus_conn_free(&c);
	kdbus_conn_free(&b);
	close(ep);
}

/* contract 12.5: SEE on "foo.bar.baz" for everyone on "<uid>-foo" */
TEST_F(policy, ep_see_grants_visibility)
{
	struct kdbus_conn b, c, e, e2;
	struct env ee = self->env;
	__u64 id, n, cid;
	char rel[160];
	int ep;

	ep = ep_create(&self->env, "foo", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ee.ep = rel;
	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, "org.hidden", 0, NULL));
	ASSERT_EQ(0, conn_new(&e, &ee));
	ASSERT_EQ(0, kdbus_match_add(&e, 1, 0, NULL, 0));

	/* before: nothing */
	ASSERT_EQ(0, kdbus_name_acquire(&b, FBB, 0, NULL));
	ASSERT_EQ(0, conn_new(&c, &self->env));
	EXPECT_TRUE(conn_empty(&e));
	EXPECT_EQ(-ESRCH, info_get(&e, 0, FBB, &id));
	EXPECT_EQ(-ENXIO, info_get(&e, b.id, NULL, &id));

	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(WORLD, SEE, 0))));
	EXPECT_EQ(0, info_get(&e, 0, FBB, &id));
	EXPECT_EQ(b.id, id);
	EXPECT_EQ(0, info_get(&e, b.id, NULL, &id));
	EXPECT_EQ(b.id, id);
	EXPECT_EQ(-ENXIO, info_get(&e, c.id, NULL, &id));
	EXPECT_EQ(-ESRCH, info_get(&e, 0, "org.hidden", &id));
	EXPECT_EQ(1, list_find(&e, KDBUS_LIST_NAMES, b.id, FBB, &n));
	EXPECT_EQ(1ULL, n);

	/* NAME_* for the visible name only, ID_* never */
	ASSERT_EQ(0, kdbus_name_release(&b, FBB));
	ASSERT_EQ(0, kdbus_name_release(&b, "org.hidden"));
	ASSERT_EQ(0, kdbus_name_acquire(&c, FBB, 0, NULL));
	ASSERT_EQ(0, kdbus_name_acquire(&c, "org.hidden", 0, NULL));
	EXPECT_TRUE(conn_notified(&e, KDBUS_ITEM_NAME_REMOVE, FBB, b.id));
	EXPECT_TRUE(conn_notified(&e, KDBUS_ITEM_NAME_ADD, FBB, c.id));
	EXPECT_TRUE(conn_empty(&e));

	/* SEE is not TALK: no messages, no broadcasts */
	EXPECT_EQ(-EPERM, send_to(&e, c.id, 1));
	EXPECT_EQ(0, send_signal(&c, BCAST, 2));
	EXPECT_TRUE(conn_empty(&e));

	/* TALK; then root to root: the same uid */
	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(WORLD, TALK, 0))));
	EXPECT_EQ(0, send_to(&e, c.id, 3));
	EXPECT_EQ(0, send_name(&e, FBB, 4));
	EXPECT_EQ(0, send_signal(&c, BCAST, 5));
	EXPECT_TRUE(conn_got(&e, c.id, 5, KDBUS_MSG_SIGNAL));
	EXPECT_EQ(0, info_get(&e, 0, FBB, &id));
	EXPECT_EQ(c.id, id);
	/* a peer on the same endpoint owning no name is not reachable */
	ASSERT_EQ(0, conn_new(&e2, &ee));
	EXPECT_EQ(-EPERM, send_to(&e, e2.id, 6));
	EXPECT_EQ(0, send_signal(&e2, BCAST, 7));
	EXPECT_TRUE(conn_empty(&e));

	/* OWN implies SEE and TALK */
	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(WORLD, OWN, 0))));
	EXPECT_EQ(0, info_get(&e, c.id, NULL, &id));
	EXPECT_EQ(c.id, id);
	EXPECT_EQ(0, send_to(&e, c.id, 8));

	kdbus_conn_free(&e2);
	cid = c.id;
	EXPECT_TRUE(conn_got(&c, e.id, 3, 0));
	EXPECT_TRUE(conn_got(&c, e.id, 4, 0));
	EXPECT_TRUE(conn_got(&c, e.id, 8, 0));
	EXPECT_TRUE(conn_empty(&c));
	kdbus_conn_free(&c);
	EXPECT_TRUE(conn_notified(&e, KDBUS_ITEM_NAME_REMOVE, FBB, cid));
	EXPECT_TRUE(conn_empty(&e));
	kdbus_conn_free(&e);
	kdbus_conn_free(&b);
	close(ep);
}

/* TALK granted by an endpoint still needs the bus rules */
TEST_F(policy, ep_talk_needs_bus_rules)
{
	struct kdbus_conn b, e, ph;
	struct env ee = self->env;
	struct puppet u, v;
	char rel[160];
	int ep;

	ep = ep_create(&self->env, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ee.ep = rel;
	ASSERT_EQ(0, puppet_start(&u, &self->env, &u1000));
	ASSERT_EQ(0, puppet_start(&v, &ee, &u1000));
	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, conn_new(&e, &ee));
	ASSERT_EQ(0, holder_new(&ph, &self->env, FBB,
				RULES(ACC(USER, OWN, 1000))));
	ASSERT_EQ(0, pp_acquire(&u, FBB));
	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(WORLD, TALK, 0))));

	/* the endpoint says yes; euid 0 is not uid 1000, e is not privileged */
	EXPECT_EQ(-EPERM, send_to(&e, u.id, 1));
	EXPECT_EQ(-EPERM, send_name(&e, FBB, 2));
	/* root on the default endpoint is */
	EXPECT_EQ(0, send_to(&b, u.id, 3));
	/* the same uid on the endpoint */
	EXPECT_EQ(0, pp_send(&v, u.id, 4));
	/* TALK for everyone in the bus database */
	ASSERT_EQ(0, holder_update(&ph, FBB, RULES(ACC(USER, OWN, 1000),
						   ACC(WORLD, TALK, 0))));
	EXPECT_EQ(0, send_to(&e, u.id, 5));
	/* the endpoint is asked first */
	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(WORLD, SEE, 0))));
	EXPECT_EQ(-EPERM, send_to(&e, u.id, 6));
	EXPECT_EQ(-EPERM, pp_send(&v, u.id, 7));
	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(USER, TALK, 1000))));
	EXPECT_EQ(-EPERM, send_to(&e, u.id, 8));
	EXPECT_EQ(0, pp_send(&v, u.id, 9));

	EXPECT_TRUE(pp_got(&u, b.id, 3, 0));
	EXPECT_TRUE(pp_got(&u, v.id, 4, 0));
	EXPECT_TRUE(pp_got(&u, e.id, 5, 0));
	EXPECT_TRUE(pp_got(&u, v.id, 9, 0));
	EXPECT_TRUE(pp_empty(&u));
	EXPECT_EQ(0, puppet_stop(&v));
	EXPECT_EQ(0, puppet_stop(&u));
	kdbus_conn_free(&ph);
	kdbus_conn_free(&e);
	kdbus_conn_free(&b);
	close(ep);
}

/* OWN on a custom endpoint needs both databases */
TEST_F(policy, ep_own_needs_both_databases)
{
	struct kdbus_conn e, ph;
	struct env ee = self->env;
	char rel[160];
	int ep;

	ep = ep_create(&self->env, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ee.ep = rel;
	ASSERT_EQ(0, conn_new(&e, &ee));

	EXPECT_EQ(-EPERM, kdbus_name_acquire(&e, FBB, 0, NULL));
	/* the endpoint alone: never privileged there */
	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(WORLD, OWN, 0))));
	EXPECT_EQ(-EPERM, kdbus_name_acquire(&e, FBB, 0, NULL));
	/* both */
	ASSERT_EQ(0, holder_new(&ph, &self->env, FBB,
				RULES(ACC(WORLD, OWN, 0))));
	EXPECT_EQ(0, kdbus_name_acquire(&e, FBB, 0, NULL));
	EXPECT_EQ(0, kdbus_name_release(&e, FBB));
	/* the bus alone */
	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(WORLD, TALK, 0))));
	EXPECT_EQ(-EPERM, kdbus_name_acquire(&e, FBB, 0, NULL));

	/* USER records in both */
	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(USER, OWN, 1000))));
	ASSERT_EQ(0, holder_update(&ph, FBB, RULES(ACC(USER, OWN, 1000),
						   ACC(USER, OWN, 1001))));
	EXPECT_EQ(0, once(&ee, &u1000, P_ACQUIRE, 0, FBB, 0, 0));
	EXPECT_EQ(-EPERM, once(&ee, &u1001, P_ACQUIRE, 0, FBB, 0, 0));
	EXPECT_EQ(0, ACQUIRE_AS(&u1001, FBB));
	/* root there is just uid 0 */
	EXPECT_EQ(-EPERM, kdbus_name_acquire(&e, FBB, 0, NULL));
	kdbus_conn_free(&ph);
	kdbus_conn_free(&e);
	close(ep);
}

/* wildcards, exact entries, USER and GROUP records of an endpoint */
TEST_F(policy, ep_wildcard_user_group_records)
{
	const struct actor supp = {
		.uid = 1002, .gid = 2002, .ngroups = 1, .groups = { 2005 },
	};
	static const char * const names[] = {
		"foo.bar.baz", "foo.bar", "foo.bar.baz.qux", "foo.bar.hidden",
	};
	struct kdbus_conn b, e;
	struct env ee = self->env;
	struct kdbus_cmd *cmd;
	char rel[160];
	unsigned int i;
	__u64 id, n;
	int ep;

	ep = ep_create(&self->env, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ee.ep = rel;
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, "foo.bar.*", RULES(ACC(WORLD, SEE, 0)));
	add_group(cmd, "foo.bar.hidden", NO_RULES);
	add_group(cmd, "foo.bar", RULES(ACC(USER, SEE, 1000),
					ACC(GROUP, SEE, 2005)));
	ASSERT_EQ(0, ioctl_args(ep, KDBUS_CMD_ENDPOINT_UPDATE, cmd));
	ASSERT_EQ(0, conn_new(&b, &self->env));
	for (i = 0; i < ARRAY_SIZE(names); i++)
		ASSERT_EQ(0, kdbus_name_acquire(&b, names[i], 0, NULL));
	ASSERT_EQ(0, conn_new(&e, &ee));

	EXPECT_EQ(0, info_get(&e, 0, "foo.bar.baz", &id));
	EXPECT_EQ(b.id, id);
	EXPECT_EQ(-ESRCH, info_get(&e, 0, "foo.bar", &id));
	EXPECT_EQ(-ESRCH, info_get(&e, 0, "foo.bar.baz.qux", &id));
	EXPECT_EQ(-ESRCH, info_get(&e, 0, "foo.bar.hidden", &id));
	EXPECT_EQ(1, list_find(&e, KDBUS_LIST_NAMES, b.id, "foo.bar.baz",
			       &n));
	EXPECT_EQ(1ULL, n);
	EXPECT_EQ(0, once(&ee, &u1000, P_INFO, 0, "foo.bar", 0, 0));
	EXPECT_EQ(1, once(&ee, &u1000, P_LIST, b.id, "foo.bar", 0,
			  KDBUS_LIST_NAMES));
	EXPECT_EQ(-ESRCH, once(&ee, &u1001, P_INFO, 0, "foo.bar", 0, 0));
	EXPECT_EQ(0, once(&ee, &u1001, P_LIST, b.id, "foo.bar", 0,
			  KDBUS_LIST_NAMES));
	EXPECT_EQ(0, once(&ee, &supp, P_INFO, 0, "foo.bar", 0, 0));
	EXPECT_EQ(-ESRCH, once(&ee, &supp, P_INFO, 0, "foo.bar.hidden", 0, 0));
	kdbus_conn_free(&e);
	kdbus_conn_free(&b);
	close(ep);
}

/* a failing ENDPOINT_UPDATE keeps the old database; an empty one clears */
TEST_F(policy, ep_update_failure_keeps_policy)
{
	struct kdbus_conn b, e;
	struct env ee = self->env;
	struct kdbus_cmd *cmd;
	char rel[160];
	__u64 id;
	int ep;

	ep = ep_create(&self->env, "ep", rel, sizeof(rel));
	ASSERT_LE(0, ep);
	ee.ep = rel;
	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, FBB, 0, NULL));
	ASSERT_EQ(0, conn_new(&e, &ee));
	ASSERT_EQ(0, ep_update(ep, FBB, RULES(ACC(WORLD, SEE, 0))));
	EXPECT_EQ(0, info_get(&e, 0, FBB, &id));

	/* each would hide FBB if it were applied in part */
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, FBB, NO_RULES);
	add_group(cmd, FBB, RULES(ACC(WORLD, SEE, 0)));
	EXPECT_EQ(-EEXIST, ioctl_args(ep, KDBUS_CMD_ENDPOINT_UPDATE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, FBB, NO_RULES);
	add_group(cmd, "foo.x", RULES(RAW(KDBUS_POLICY_ACCESS_WORLD, 3, 0)));
	EXPECT_EQ(-EINVAL, ioctl_args(ep, KDBUS_CMD_ENDPOINT_UPDATE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, FBB, NO_RULES);
	add_group(cmd, "foo.x", RULES(RAW(4, KDBUS_POLICY_SEE, 0)));
	EXPECT_EQ(-EINVAL, ioctl_args(ep, KDBUS_CMD_ENDPOINT_UPDATE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, FBB, NO_RULES);
	add_group(cmd, "foo", RULES(ACC(WORLD, SEE, 0)));
	EXPECT_EQ(-EINVAL, ioctl_args(ep, KDBUS_CMD_ENDPOINT_UPDATE, cmd));
	cmd = kdbus_args_new(sizeof(*cmd));
	add_group(cmd, FBB, NO_RULES);
	add_group(cmd, "foo.x", RULES(ACC(USER, SEE, 0xFFFFFFFFULL)));
	EXPECT_EQ(-EINVAL, ioctl_args(ep, KDBUS_CMD_ENDPOINT_UPDATE, cmd));
	EXPECT_EQ(0, info_get(&e, 0, FBB, &id));
	EXPECT_EQ(b.id, id);
	EXPECT_EQ(0, info_get(&e, b.id, NULL, &id));

	/* an empty update clears the database */
	ASSERT_EQ(0, ep_update(ep, NULL, NO_RULES));
	EXPECT_EQ(-ESRCH, info_get(&e, 0, FBB, &id));
	EXPECT_EQ(-ENXIO, info_get(&e, b.id, NULL, &id));
	kdbus_conn_free(&e);
	kdbus_conn_free(&b);
	close(ep);
}

/* ------------------------------------------------------------------ */
/* user namespaces (11.2)                                              */
/* ------------------------------------------------------------------ */

#define NS_NAME			"org.ns"

/*
 * Root with three privileged handles (opened before leaving the initial
 * user namespace) enters a new user namespace, waits for its id maps,
 * makes three policy holders and reports their results; it keeps the
 * first until told to finish.
 */
static int child_userns(int rd, int wr, void *arg)
{
	const struct env *env = arg;
	struct kdbus_conn h, x, y;
	__s64 r[3];
	__u64 v;
	int fd[3], i;

	for (i = 0; i < 3; i++) {
		fd[i] = env_open(env);
		if (fd[i] < 0) {
			v = -fd[i];
			chan_write(wr, &v, sizeof(v));
			return 1;
		}
	}
	v = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
	if (chan_write(wr, &v, sizeof(v)) < 0)
		return 3;
	if (v)
		return 0;
	/* the maps are written */
	if (chan_read(rd, &v, sizeof(v)) < 0)
		return 4;
	r[0] = holder_hello(&h, fd[0], NS_NAME,
			    RULES(ACC(USER, OWN, 5), ACC(GROUP, TALK, 7)));
	/* ids without a mapping in this namespace */
	r[1] = holder_hello(&x, fd[1], "org.ns.user",
			    RULES(ACC(USER, OWN, 1000)));
	r[2] = holder_hello(&y, fd[2], "org.ns.group",
			    RULES(ACC(GROUP, OWN, 1000)));
	if (chan_write(wr, r, sizeof(r)) < 0)
		return 5;
	if (chan_read(rd, &v, sizeof(v)) < 0)
		return 6;
	return 0;
}

static int write_map(pid_t pid, const char *map, const char *line)
{
	char path[64];
	int fd, ret = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, map);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, line, strlen(line));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(line))
		ret = -EIO;
	close(fd);
	return ret;
}

/* policy ids are read in the holder's user namespace */
TEST_F(policy, userns_ids_in_callers_namespace)
{
	const struct actor mapped = { .uid = 100005, .gid = 100007 };
	const struct actor unmapped = { .uid = 5, .gid = 7 };
	const struct actor neighbour = { .uid = 100006, .gid = 2000 };
	const struct actor group_mapped = { .uid = 1001, .gid = 100007 };
	const struct actor group_unmapped = { .uid = 1001, .gid = 7 };
	struct kdbus_conn b;
	__s64 r[3] = { 1, 1, 1 };
	int rd, wr, ret;
	__u64 v = 0;
	pid_t pid;

	if (access("/proc/self/uid_map", F_OK))
		SKIP(return, "no /proc/self/uid_map");
	pid = spawn(NULL, child_userns, &self->env, &rd, &wr);
	ASSERT_LT(0, pid);
	ret = chan_read(rd, &v, sizeof(v));
	ASSERT_EQ(0, ret);
	if (v) {
		close(wr);
		close(rd);
		kdbus_wait_child(pid);
		SKIP(return, "no user namespace: %s", strerror((int)v));
	}
	ASSERT_EQ(0, write_map(pid, "uid_map", "0 100000 1000\n"));
	ASSERT_EQ(0, write_map(pid, "gid_map", "0 100000 1000\n"));
	ASSERT_EQ(0, chan_write(wr, &v, sizeof(v)));
	ASSERT_EQ(0, chan_read(rd, r, sizeof(r)));
	EXPECT_EQ(0, r[0]);
	EXPECT_EQ(-EINVAL, r[1]);
	EXPECT_EQ(-EINVAL, r[2]);

	/* USER 5 in there is uid 100005 here */
	EXPECT_EQ(0, ACQUIRE_AS(&mapped, NS_NAME));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&unmapped, NS_NAME));
	EXPECT_EQ(-EPERM, ACQUIRE_AS(&neighbour, NS_NAME));
	/* GROUP 7 is gid 100007 */
	ASSERT_EQ(0, conn_new(&b, &self->env));
	ASSERT_EQ(0, kdbus_name_acquire(&b, NS_NAME, 0, NULL));
	EXPECT_EQ(0, SEND_AS(&group_mapped, b.id, 1));
	EXPECT_EQ(-EPERM, SEND_AS(&group_unmapped, b.id, 2));
	EXPECT_TRUE(conn_got(&b, ANY_SRC, 1, 0));
	EXPECT_TRUE(conn_empty(&b));

	EXPECT_EQ(0, chan_write(wr, &v, sizeof(v)));
	close(wr);
	close(rd);
	EXPECT_EQ(0, kdbus_wait_child(pid));
	kdbus_conn_free(&b);
}

TEST_HARNESS_MAIN
