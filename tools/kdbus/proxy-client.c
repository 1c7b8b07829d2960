// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-client - lifecycle of one proxied D-Bus client: accept, peer
 * credentials, the (impersonating) kdbus HELLO, reading the client's kdbus
 * queue, and the per-client queue limits
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "kdbus-bloom.h"
#include "proxy.h"

static dbus_bool_t allow_any_uid(DBusConnection *conn, unsigned long uid,
				 void *data)
{
	/* access control is the kdbus policy's job, with the client's ids */
	(void)conn;
	(void)uid;
	(void)data;
	return TRUE;
}

static DBusHandlerResult client_filter(DBusConnection *conn,
				       DBusMessage *msg, void *data)
{
	struct client *c = data;
	const char *dest;

	(void)conn;
	if (c->dead)
		return DBUS_HANDLER_RESULT_HANDLED;

	if (dbus_message_is_signal(msg, DBUS_INTERFACE_LOCAL,
				   "Disconnected")) {
		client_kill(c, "client disconnected");
		return DBUS_HANDLER_RESULT_HANDLED;
	}
	if (c->monitor) {
		client_kill(c, "a monitor sent a message");
		return DBUS_HANDLER_RESULT_HANDLED;
	}

	dest = dbus_message_get_destination(msg);
	if (!c->unique[0]) {
		if (dest && !strcmp(dest, DRIVER_NAME) &&
		    dbus_message_is_method_call(msg, DRIVER_IFACE, "Hello"))
			driver_handle(c, msg);
		else
			client_kill(c, "first message was not Hello");
		return DBUS_HANDLER_RESULT_HANDLED;
	}

	if (dest && !strcmp(dest, DRIVER_NAME))
		driver_handle(c, msg);
	else
		send_from_client(c, msg);
	return DBUS_HANDLER_RESULT_HANDLED;
}

static void client_read_creds(struct client *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char label[4096];
	int fd = -1;

	if (!dbus_connection_get_socket(c->dconn, &fd) || fd < 0)
		return;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	    len == sizeof(cred)) {
		c->uid = cred.uid;
		c->gid = cred.gid;
		c->pid = cred.pid;
		c->have_creds = true;
	}

#ifdef SO_PEERSEC
	len = sizeof(label) - 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERSEC, label, &len) == 0 &&
	    len > 0 && len < sizeof(label)) {
		label[len] = 0;
		/* the kernel may or may not count the NUL */
		if (strlen(label) > 0)
			c->seclabel = strdup(label);
	}
#endif
}

/**
 * client_new() - DBusServer new-connection callback body
 * @p:		Proxy
 * @conn:	The new (not yet authenticated) connection
 */
void client_new(struct proxy *p, DBusConnection *conn)
{
	struct client *c;

	if (p->n_clients >= PROXY_MAX_CLIENTS) {
		plog(LOG_WARN, "too many clients, refusing a connection");
		dbus_connection_close(conn);
		return;
	}

	c = calloc(1, sizeof(*c));
	if (!c) {
		dbus_connection_close(conn);
		return;
	}
	c->proxy = p;
	c->dconn = dbus_connection_ref(conn);
	c->kconn.fd = -1;
	c->next_cookie = PROXY_COOKIE_SELF + 1;

	dbus_connection_set_unix_user_function(conn, allow_any_uid, NULL,
					       NULL);
	dbus_connection_set_allow_anonymous(conn, FALSE);
	/* Peer calls with a destination are forwarded, not answered here */
	dbus_connection_set_route_peer_messages(conn, TRUE);
	dbus_connection_set_max_message_size(conn, PROXY_MAX_MSG_SIZE);
	dbus_connection_set_max_received_size(conn, PROXY_MAX_RECEIVED);
	dbus_connection_set_max_message_unix_fds(conn, 16);
	dbus_connection_set_max_received_unix_fds(conn, 64);

	if (!dbus_connection_add_filter(conn, client_filter, c, NULL)) {
		dbus_connection_close(conn);
		dbus_connection_unref(conn);
		free(c);
		return;
	}
	loop_setup_dispatch(c, conn);
	loop_setup_connection(p, conn);

	client_read_creds(c);

	c->next = p->clients;
	if (p->clients)
		p->clients->prev = c;
	p->clients = c;
	p->n_clients++;
	c->dispatch_pending = true;

	plog(LOG_DEBUG, "client connected (uid %d pid %d)",
	     c->have_creds ? (int)c->uid : -1,
	     c->have_creds ? (int)c->pid : -1);
}

/**
 * client_kill() - disconnect a client; freed after the current batch
 * @c:		Client
 * @why:	Reason, for the log
 */
void client_kill(struct client *c, const char *why)
{
	struct proxy *p = c->proxy;

	if (c->dead)
		return;
	c->dead = true;
	c->ksrc.dead = true;
	plog(c->unique[0] ? LOG_INFO : LOG_DEBUG, "client %s: %s",
	     c->unique[0] ? c->unique : "(no Hello)", why);

	if (c->registered) {
		loop_del(p, &c->ksrc);
		c->registered = false;
	}
	/*
	 * The kdbus connection is closed (releasing names and matches) only
	 * in client_free_dead(): callers may still hold a message in its
	 * pool.
	 */
	dbus_connection_close(c->dconn);

	if (c->prev)
		c->prev->next = c->next;
	else
		p->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	p->n_clients--;

	c->next_dead = p->dead_clients;
	p->dead_clients = c;
}

/**
 * client_rules_free() - free a list of match rules
 * @r:		First rule or NULL
 */
void client_rules_free(struct client_rule *r)
{
	struct client_rule *next;

	for (; r; r = next) {
		next = r->next;
		match_rule_free(r->rule);
		free(r);
	}
}

/* forget the outstanding calls of @c */
static void client_pending_clear(struct client *c)
{
	unsigned int i;

	for (i = 0; i < c->n_pending; i++)
		free(c->pending[i].dest);
	c->n_pending = 0;
}

/**
 * client_free_dead() - free clients killed during the last batch
 * @p:		Proxy
 */
void client_free_dead(struct proxy *p)
{
	while (p->dead_clients) {
		struct client *c = p->dead_clients;

		p->dead_clients = c->next_dead;

		driver_start_clear(c);
		kdbus_lib_close(&c->kconn);
		dbus_connection_remove_filter(c->dconn, client_filter, c);
		dbus_connection_set_dispatch_status_function(c->dconn, NULL,
							     NULL, NULL);
		dbus_connection_unref(c->dconn);

		client_rules_free(c->rules);
		client_pending_clear(c);
		free(c->seclabel);
		free(c);
	}
}

/* kdbus matches behind NameAcquired / NameLost for this client */
static int install_self_matches(struct client *c)
{
	static const struct {
		uint64_t type;
		bool old_is_self;
	} m[] = {
		{ KDBUS_ITEM_NAME_ADD, false },
		{ KDBUS_ITEM_NAME_REMOVE, true },
		{ KDBUS_ITEM_NAME_CHANGE, true },
		{ KDBUS_ITEM_NAME_CHANGE, false },
	};
	const size_t size =
		KDBUS_ITEM_SIZE(sizeof(struct kdbus_notify_name_change));
	/* room for sizeof(struct kdbus_item), which is larger than size */
	uint64_t buf[16];
	struct kdbus_item *item = (struct kdbus_item *)buf;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		memset(buf, 0, sizeof(buf));
		item->size = KDBUS_ITEM_HEADER_SIZE +
			     sizeof(struct kdbus_notify_name_change);
		item->type = m[i].type;
		item->name_change.old_id.id = m[i].old_is_self ?
					      c->kconn.id : KDBUS_MATCH_ID_ANY;
		item->name_change.new_id.id = m[i].old_is_self ?
					      KDBUS_MATCH_ID_ANY : c->kconn.id;
		ret = kdbus_lib_match_add(&c->kconn, PROXY_COOKIE_SELF, 0, buf,
					  size);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/**
 * client_kdbus_connect() - make a kdbus connection for the client
 * @c:		Client
 * @conn:	Output: the new connection
 * @flags:	KDBUS_HELLO_* flags besides KDBUS_HELLO_ACCEPT_FD
 *
 * Impersonates the client (CREDS, PIDS, SECLABEL items from the socket
 * peer credentials) so that receivers and the kdbus policy see the real
 * client; falls back to a plain HELLO if the proxy is not privileged.
 *
 * Return: 0 or a negative errno.
 */
int client_kdbus_connect(struct client *c, struct kdbus_conn *conn,
			 uint64_t flags)
{
	struct proxy *p = c->proxy;
	struct kdbus_hello_opts opts = {
		.flags = KDBUS_HELLO_ACCEPT_FD | flags,
		.attach_send = _KDBUS_ATTACH_ANY,
		.attach_recv = 0,
		.description = "kdbus-proxy",
	};
	struct kdbus_creds creds;
	struct kdbus_pids pids;
	int ret;

	if (c->have_creds) {
		creds.uid = c->uid;
		creds.euid = c->uid;
		creds.suid = c->uid;
		creds.fsuid = c->uid;
		creds.gid = c->gid;
		creds.egid = c->gid;
		creds.sgid = c->gid;
		creds.fsgid = c->gid;
		memset(&pids, 0, sizeof(pids));
		pids.pid = c->pid;	/* tid, ppid unknown: 0 = none */
		opts.creds = &creds;
		opts.pids = c->pid > 0 ? &pids : NULL;
		opts.seclabel = c->seclabel;
	}

	ret = kdbus_lib_hello(conn, p->bus_path, &opts);
	if (ret == -EPERM && c->have_creds) {
		if (!p->impersonation_warned) {
			plog(LOG_WARN,
			     "not privileged on %s: plain HELLO, receivers see the proxy's identity",
			     p->bus_path);
			p->impersonation_warned = true;
		}
		opts.creds = NULL;
		opts.pids = NULL;
		opts.seclabel = NULL;
		ret = kdbus_lib_hello(conn, p->bus_path, &opts);
	}
	if (ret < 0)
		plog(LOG_WARN, "kdbus HELLO (flags 0x%llx) on %s failed: %s",
		     (unsigned long long)opts.flags, p->bus_path,
		     strerror(-ret));
	return ret;
}

/* watch c->kconn in the event loop (unless the client is paused) */
static int client_register_kdbus(struct client *c)
{
	int ret;

	c->ksrc.kind = SRC_KDBUS;
	c->ksrc.fd = c->kconn.fd;
	c->ksrc.data = c;
	ret = loop_add(c->proxy, &c->ksrc, c->kdbus_paused ? 0 : EPOLLIN);
	c->registered = ret == 0;
	return ret;
}

/**
 * client_kdbus_hello() - create the client's kdbus connection
 * @c:		Client that just sent Hello
 *
 * Return: 0 or a negative errno.
 */
int client_kdbus_hello(struct client *c)
{
	int ret;

	ret = client_kdbus_connect(c, &c->kconn, 0);
	if (ret < 0)
		return ret;

	if (kdbus_bloom_check_params(c->kconn.bloom_size,
				     c->kconn.bloom_n_hash) < 0)
		plog(LOG_WARN, "bloom size %llu n_hash %llu unsupported; signals fail",
		     (unsigned long long)c->kconn.bloom_size,
		     (unsigned long long)c->kconn.bloom_n_hash);

	snprintf(c->unique, sizeof(c->unique), ":1.%llu",
		 (unsigned long long)c->kconn.id);

	ret = client_register_kdbus(c);
	if (ret < 0) {
		kdbus_lib_close(&c->kconn);
		c->unique[0] = 0;
		return ret;
	}

	ret = install_self_matches(c);
	if (ret < 0)
		plog(LOG_WARN, "%s: NameAcquired/NameLost matches failed: %s",
		     c->unique, strerror(-ret));
	plog(LOG_DEBUG, "client %s: kdbus connection ready", c->unique);
	return 0;
}

/**
 * client_become_monitor() - switch the client to a monitor connection
 * @c:		Client (after Hello)
 * @mon:	Its new connection, made with KDBUS_HELLO_MONITOR; taken over
 * @rules:	The monitor's match rules (NULL: all messages); taken over
 * @n_rules:	Their number
 * @old:	Output: the previous connection, still open; the caller
 *		closes it (releasing its names)
 *
 * The client's match rules and outstanding calls are forgotten.
 */
void client_become_monitor(struct client *c, struct kdbus_conn *mon,
			   struct client_rule *rules, unsigned int n_rules,
			   struct kdbus_conn *old)
{
	if (c->registered)
		loop_del(c->proxy, &c->ksrc);
	driver_start_clear(c);
	*old = c->kconn;
	c->kconn = *mon;
	c->monitor = true;
	client_rules_free(c->rules);
	c->rules = rules;
	c->n_rules = n_rules;
	client_pending_clear(c);
	if (client_register_kdbus(c) < 0)
		client_kill(c, "cannot watch its monitor connection");
	else
		plog(LOG_INFO, "client %s: became a monitor", c->unique);
}

static void client_pause(struct client *c, bool pause)
{
	if (!c->registered || c->kdbus_paused == pause)
		return;
	c->kdbus_paused = pause;
	c->stall_since_ms = pause ? now_ms() : 0;
	c->stall_out = pause ? dbus_connection_get_outgoing_size(c->dconn) : 0;
	loop_mod(c->proxy, &c->ksrc, pause ? 0 : EPOLLIN);
}

/**
 * client_send() - queue a message to the client, enforcing queue limits
 * @c:		Client
 * @msg:	Message
 *
 * Return: false if the client is (now) dead.
 */
bool client_send(struct client *c, DBusMessage *msg)
{
	long out;

	if (c->dead)
		return false;
	out = dbus_connection_get_outgoing_size(c->dconn);
	if (out > PROXY_OUT_HARD) {
		client_kill(c, "outgoing queue limit exceeded (not reading)");
		return false;
	}
	if (!dbus_connection_send(c->dconn, msg, NULL)) {
		client_kill(c, "out of memory queueing a message");
		return false;
	}
	if (dbus_connection_get_outgoing_size(c->dconn) > PROXY_OUT_SOFT)
		client_pause(c, true);
	return true;
}

/**
 * client_msg_ok() - check that a message for @c has been built
 * @c:		Client
 * @msg:	The message, NULL if its allocation failed
 * @ok:		Whether filling it in succeeded
 *
 * Otherwise libdbus ran out of memory: @msg is freed and @c is killed.
 *
 * Return: true if @msg is complete (and still the caller's).
 */
bool client_msg_ok(struct client *c, DBusMessage *msg, bool ok)
{
	if (msg && ok)
		return true;
	if (msg)
		dbus_message_unref(msg);
	client_kill(c, "out of memory");
	return false;
}

/**
 * client_check_queues() - resume or drop clients with a full queue, fail
 *			   StartServiceByName calls past their deadline
 * @p:		Proxy
 *
 * A paused client is resumed once it has read half of its queue, and
 * dropped once it has read nothing for the stall timeout: a slow reader
 * that makes progress is not a stalled one.
 */
void client_check_queues(struct proxy *p)
{
	struct client *c, *next;
	uint64_t now = now_ms();
	long out;

	for (c = p->clients; c; c = next) {
		next = c->next;
		if (c->starts)
			driver_start_expire(c, now);
		if (!c->kdbus_paused || c->dead)
			continue;
		out = dbus_connection_get_outgoing_size(c->dconn);
		if (out < PROXY_OUT_SOFT / 2) {
			client_pause(c, false);
		} else if (out < c->stall_out) {
			c->stall_since_ms = now;
			c->stall_out = out;
		} else if (now - c->stall_since_ms > p->stall_timeout_ms) {
			client_kill(c, "stopped reading its messages");
		}
	}
}

/**
 * client_kdbus_event() - the client's kdbus fd is readable (or dead)
 * @c:		Client
 * @events:	epoll events
 */
void client_kdbus_event(struct client *c, uint32_t events)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < PROXY_RECV_BATCH && !c->dead && !c->kdbus_paused;
	     i++) {
		struct kdbus_msg *msg;
		uint64_t dropped = 0;

		ret = kdbus_lib_recv(&c->kconn, &msg, &dropped);
		if (dropped)
			plog(LOG_WARN, "%s: kernel dropped %llu message(s)",
			     c->unique, (unsigned long long)dropped);
		if (ret == -EAGAIN)
			break;
		if (ret == -EBADMSG)
			continue;
		if (ret < 0) {
			client_kill(c, "kdbus connection lost");
			return;
		}
		recv_kdbus_msg(c, msg);
		kdbus_lib_msg_close_fds(msg);
		kdbus_lib_free_ptr(&c->kconn, msg);
	}

	if (!c->dead && ret == -EAGAIN && (events & (EPOLLERR | EPOLLHUP)))
		client_kill(c, "kdbus connection closed");
}

/**
 * client_dispatch() - handle queued messages from the client
 * @c:		Client
 */
void client_dispatch(struct client *c)
{
	unsigned int i;

	for (i = 0; i < PROXY_DISPATCH_BATCH; i++) {
		DBusDispatchStatus st;

		if (c->dead)
			return;
		st = dbus_connection_dispatch(c->dconn);
		if (st == DBUS_DISPATCH_COMPLETE) {
			c->dispatch_pending = false;
			return;
		}
		if (st == DBUS_DISPATCH_NEED_MEMORY)
			return;
	}
}

/**
 * client_owner_cb() - match_owner_fn: does @unique own @name right now?
 * @data:	Client
 * @name:	Well-known name
 * @unique:	":1.N"
 *
 * Return: true if the primary owner of @name is connection N.
 */
bool client_owner_cb(void *data, const char *name, const char *unique)
{
	struct client *c = data;
	struct kdbus_info *info;
	uint64_t id;
	bool ret;

	if (kdbus_lib_parse_unique(unique, &id) < 0)
		return false;
	if (kdbus_lib_conn_info(&c->kconn, 0, name, 0, &info) < 0)
		return false;
	ret = info->id == id;
	kdbus_lib_free_ptr(&c->kconn, info);
	return ret;
}

/**
 * client_pending_add() - remember an outstanding method call
 * @c:		Client
 * @cookie:	kdbus cookie (= D-Bus serial)
 * @dst:	Destination name, for error messages
 */
void client_pending_add(struct client *c, uint64_t cookie, const char *dst)
{
	struct pending_call *pc;

	if (c->n_pending >= PROXY_MAX_PENDING) {
		/* drop the oldest; the kernel will have refused it anyway */
		free(c->pending[0].dest);
		memmove(&c->pending[0], &c->pending[1],
			sizeof(c->pending[0]) * (PROXY_MAX_PENDING - 1));
		c->n_pending--;
	}
	pc = &c->pending[c->n_pending++];
	pc->cookie = cookie;
	pc->dest = dst ? strdup(dst) : NULL;
}

/**
 * client_pending_take() - forget an outstanding call
 * @c:		Client
 * @cookie:	kdbus cookie
 * @found:	Output: whether it was known
 *
 * Return: its destination (caller frees) or NULL.
 */
char *client_pending_take(struct client *c, uint64_t cookie, bool *found)
{
	unsigned int i;
	char *dest;

	for (i = 0; i < c->n_pending; i++) {
		if (c->pending[i].cookie != cookie)
			continue;
		dest = c->pending[i].dest;
		memmove(&c->pending[i], &c->pending[i + 1],
			sizeof(c->pending[0]) * (c->n_pending - i - 1));
		c->n_pending--;
		*found = true;
		return dest;
	}
	*found = false;
	return NULL;
}
