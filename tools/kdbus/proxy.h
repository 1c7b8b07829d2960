/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdbus-proxy - serves D-Bus clients on a UNIX socket, each over its own
 * kdbus connection
 */

#ifndef PROXY_H
#define PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <dbus/dbus.h>

#include "kdbus-lib.h"
#include "proxy-match.h"

#define __printf(a, b)	__attribute__((format(printf, a, b)))

/*
 * Payloads larger than this travel as a sealed memfd instead of being
 * copied into the receiver's pool. Measured with make bench (the
 * kdbus-memfd transport of kdbus-bench: a fresh sealed memfd per message,
 * mapped by the receiver, against kdbus-async's PAYLOAD_VEC): the memfd
 * round trip costs 1.6-2.2 times the vec one at every size from 64 KiB
 * to the 2 MiB PAYLOAD_VEC limit, so speed never favours it. What does
 * is the receiver's pool: a vec payload occupies it until the proxy has
 * read it, and one user may hold a third of its free half (about 2.7 MiB
 * of an empty 16 MiB pool) before sends fail with ENOBUFS, while a memfd
 * message takes a slice of a few hundred bytes. At 1/32 of the pool (512
 * KiB) five vec messages of one user fit between two reads; larger ones
 * go as memfds. It must stay below the 2 MiB PAYLOAD_VEC limit.
 */
#define PROXY_MEMFD_THRESHOLD	(KDBUS_LIB_POOL_SIZE / 32)

/* Largest D-Bus message accepted from a client or from kdbus */
#define PROXY_MAX_MSG_SIZE	(32 * 1024 * 1024)
/* libdbus stops reading a client while this much is buffered unread */
#define PROXY_MAX_RECEIVED	(64 * 1024 * 1024)
/* Stop reading a client's kdbus queue while its outgoing queue is larger */
#define PROXY_OUT_SOFT		(8 * 1024 * 1024)
/* Disconnect a client whose outgoing queue grows beyond this */
#define PROXY_OUT_HARD		(64 * 1024 * 1024)
/*
 * Disconnect a paused client whose outgoing queue has not shrunk for this
 * long (default of --stall-timeout)
 */
#define PROXY_STALL_TIMEOUT_MS	(30 * 1000)
/*
 * StartServiceByName fails with TimedOut if the service does not own its
 * name by then (default of --activation-timeout; dbus-daemon's is 25 s)
 */
#define PROXY_ACTIVATION_TIMEOUT_MS	(25 * 1000)
/* StartServiceByName calls waiting for their service, per client */
#define PROXY_MAX_STARTS	16
/* Reply deadline given to kdbus for method calls (D-Bus has none) */
#define PROXY_REPLY_TIMEOUT_NS	(120ULL * 1000 * 1000 * 1000)
/* kdbus messages handled per client per loop iteration (fairness) */
#define PROXY_RECV_BATCH	64
/* D-Bus messages dispatched per client per loop iteration (fairness) */
#define PROXY_DISPATCH_BATCH	64
/*
 * Match rules per client; the kernel additionally limits a connection to
 * 256 matches (a rule takes 0..6 of them), which gives LimitsExceeded
 */
#define PROXY_MAX_RULES		512
/* Clients served at once */
#define PROXY_MAX_CLIENTS	4096
/* Outstanding method calls tracked per client (kdbus allows 128) */
#define PROXY_MAX_PENDING	128

/* kdbus match cookie of the proxy's own NameAcquired/NameLost matches */
#define PROXY_COOKIE_SELF	1

enum { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };
extern int proxy_log_level;
__printf(2, 3) void plog(int level, const char *fmt, ...);

enum src_kind { SRC_WATCH, SRC_KDBUS, SRC_SIGNAL };

/* an epoll registration; freed only between epoll batches */
struct loop_src {
	enum src_kind kind;
	int fd;
	void *data;
	bool dead;
	struct loop_src *next_dead;
};

struct client_rule {
	struct client_rule *next;
	struct match_rule *rule;
	uint64_t cookie;
};

struct pending_call {
	uint64_t cookie;
	char *dest;
};

struct proxy;
struct pending_start;

struct client {
	struct proxy *proxy;
	struct client *prev, *next;
	DBusConnection *dconn;
	struct kdbus_conn kconn;	/* fd -1 until Hello */
	struct loop_src ksrc;
	bool registered;		/* ksrc is in epoll */
	bool kdbus_paused;
	bool dispatch_pending;
	bool dead;
	bool monitor;			/* after BecomeMonitor */
	uint64_t stall_since_ms;	/* last progress while paused */
	long stall_out;			/* outgoing size at that time */
	char unique[32];
	bool have_creds;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	char *seclabel;
	struct client_rule *rules;	/* a monitor's: NULL = all */
	unsigned int n_rules;
	uint64_t next_cookie;
	struct pending_call pending[PROXY_MAX_PENDING];
	unsigned int n_pending;
	struct pending_start *starts;	/* StartServiceByName in progress */
	struct client *next_dead;
};

struct proxy_timeout {
	struct proxy_timeout *prev, *next;
	DBusTimeout *timeout;
	uint64_t deadline_ms;
};

struct proxy {
	int epfd;
	const char *bus_path;
	const char *listen_path;
	uint64_t stall_timeout_ms;
	uint64_t activation_timeout_ms;
	DBusServer *server;
	struct client *clients;
	unsigned int n_clients;
	struct proxy_timeout *timeouts;
	struct loop_src *dead_srcs;
	struct client *dead_clients;
	struct loop_src sigsrc;
	bool quit;
	bool impersonation_warned;
};

/* proxy-loop.c */
uint64_t now_ms(void);
int loop_init(struct proxy *p);
void loop_run(struct proxy *p);
void loop_fini(struct proxy *p);
int loop_add(struct proxy *p, struct loop_src *src, uint32_t events);
int loop_mod(struct proxy *p, struct loop_src *src, uint32_t events);
void loop_del(struct proxy *p, struct loop_src *src);
void loop_setup_connection(struct proxy *p, DBusConnection *conn);
void loop_setup_server(struct proxy *p, DBusServer *server);
void loop_setup_dispatch(struct client *c, DBusConnection *conn);

/* proxy-client.c */
void client_new(struct proxy *p, DBusConnection *conn);
void client_kill(struct client *c, const char *why);
void client_free_dead(struct proxy *p);
int client_kdbus_connect(struct client *c, struct kdbus_conn *conn,
			 uint64_t flags);
int client_kdbus_hello(struct client *c);
void client_become_monitor(struct client *c, struct kdbus_conn *mon,
			   struct client_rule *rules, unsigned int n_rules,
			   struct kdbus_conn *old);
void client_rules_free(struct client_rule *r);
void client_kdbus_event(struct client *c, uint32_t events);
void client_dispatch(struct client *c);
void client_check_queues(struct proxy *p);
bool client_send(struct client *c, DBusMessage *msg);
bool client_msg_ok(struct client *c, DBusMessage *msg, bool ok);
bool client_owner_cb(void *data, const char *name, const char *unique);
void client_pending_add(struct client *c, uint64_t cookie, const char *dst);
char *client_pending_take(struct client *c, uint64_t cookie, bool *found);

/* proxy-send.c */
void send_from_client(struct client *c, DBusMessage *msg);
void send_error_errno(struct client *c, DBusMessage *call, int err,
		      const char *dest);
__printf(4, 5)
void send_error(struct client *c, DBusMessage *call, const char *name,
		const char *fmt, ...);

/* proxy-recv.c */
void recv_kdbus_msg(struct client *c, struct kdbus_msg *msg);

/* proxy-driver.c */
void driver_handle(struct client *c, DBusMessage *msg);
DBusMessage *driver_signal(const char *member, const char *dest);
void driver_emit_name_acquired(struct client *c, const char *name,
			       bool acquired);

/* proxy-driver-start.c */
void driver_start_name_changed(struct client *c, const char *name,
			       const struct kdbus_notify_id_change *new_id);
void driver_start_expire(struct client *c, uint64_t now);
void driver_start_clear(struct client *c);

#endif /* PROXY_H */
