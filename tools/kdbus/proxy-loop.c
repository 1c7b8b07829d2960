// SPDX-License-Identifier: GPL-2.0
/*
 * proxy-loop - the single-threaded epoll loop of kdbus-proxy and its glue
 * to libdbus watches and timeouts
 *
 * libdbus may register two watches (read and write) on the same fd; epoll
 * allows one registration per fd, so every watch is registered through
 * its own dup() of the fd. Registrations (struct loop_src) removed during
 * an epoll batch are freed only after the batch, since later events of
 * the same batch may still point at them.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "proxy.h"

#define MAX_EVENTS	64

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_add(struct proxy *p, struct loop_src *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, src->fd, &ev) < 0)
		return -errno;
	return 0;
}

int loop_mod(struct proxy *p, struct loop_src *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0)
		return -errno;
	return 0;
}

void loop_del(struct proxy *p, struct loop_src *src)
{
	epoll_ctl(p->epfd, EPOLL_CTL_DEL, src->fd, NULL);
}

static uint32_t watch_events(DBusWatch *w)
{
	unsigned int flags = dbus_watch_get_flags(w);
	uint32_t ev = 0;

	if (!dbus_watch_get_enabled(w))
		return 0;
	if (flags & DBUS_WATCH_READABLE)
		ev |= EPOLLIN;
	if (flags & DBUS_WATCH_WRITABLE)
		ev |= EPOLLOUT;
	return ev;
}

static dbus_bool_t watch_add(DBusWatch *w, void *data)
{
	struct proxy *p = data;
	struct loop_src *src;
	int fd = dbus_watch_get_unix_fd(w);

	src = calloc(1, sizeof(*src));
	if (!src)
		return FALSE;
	src->kind = SRC_WATCH;
	src->data = w;
	src->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (src->fd < 0) {
		plog(LOG_WARN, "dup of watched fd failed: %m");
		free(src);
		return FALSE;
	}
	if (loop_add(p, src, watch_events(w)) < 0) {
		plog(LOG_WARN, "epoll add failed: %m");
		close(src->fd);
		free(src);
		return FALSE;
	}
	dbus_watch_set_data(w, src, NULL);
	return TRUE;
}

static void watch_remove(DBusWatch *w, void *data)
{
	struct proxy *p = data;
	struct loop_src *src = dbus_watch_get_data(w);

	if (!src)
		return;
	dbus_watch_set_data(w, NULL, NULL);
	loop_del(p, src);
	close(src->fd);
	src->fd = -1;
	src->data = NULL;
	src->dead = true;
	src->next_dead = p->dead_srcs;
	p->dead_srcs = src;
}

static void watch_toggled(DBusWatch *w, void *data)
{
	struct proxy *p = data;
	struct loop_src *src = dbus_watch_get_data(w);

	if (src)
		loop_mod(p, src, watch_events(w));
}

static void timeout_arm(struct proxy_timeout *t)
{
	t->deadline_ms = now_ms() + dbus_timeout_get_interval(t->timeout);
}

static dbus_bool_t timeout_add(DBusTimeout *to, void *data)
{
	struct proxy *p = data;
	struct proxy_timeout *t;

	t = calloc(1, sizeof(*t));
	if (!t)
		return FALSE;
	t->timeout = to;
	timeout_arm(t);
	t->next = p->timeouts;
	if (p->timeouts)
		p->timeouts->prev = t;
	p->timeouts = t;
	dbus_timeout_set_data(to, t, NULL);
	return TRUE;
}

static void timeout_remove(DBusTimeout *to, void *data)
{
	struct proxy *p = data;
	struct proxy_timeout *t = dbus_timeout_get_data(to);

	if (!t)
		return;
	dbus_timeout_set_data(to, NULL, NULL);
	if (t->prev)
		t->prev->next = t->next;
	else
		p->timeouts = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

static void timeout_toggled(DBusTimeout *to, void *data)
{
	struct proxy_timeout *t = dbus_timeout_get_data(to);

	(void)data;
	if (t)
		timeout_arm(t);
}

/* run expired timeouts; return ms until the next one, or -1 */
static int run_timeouts(struct proxy *p)
{
	struct proxy_timeout *t;
	uint64_t now, next;
	int guard;

	for (guard = 0; guard < 1000; guard++) {
		now = now_ms();
		for (t = p->timeouts; t; t = t->next)
			if (dbus_timeout_get_enabled(t->timeout) &&
			    t->deadline_ms <= now)
				break;
		if (!t)
			break;
		/* re-arm first: handling may remove or toggle it */
		timeout_arm(t);
		dbus_timeout_handle(t->timeout);
	}

	now = now_ms();
	next = UINT64_MAX;
	for (t = p->timeouts; t; t = t->next)
		if (dbus_timeout_get_enabled(t->timeout) &&
		    t->deadline_ms < next)
			next = t->deadline_ms;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now > 60000 ? 60000 :
				       next - now);
}

static void dispatch_status(DBusConnection *conn, DBusDispatchStatus st,
			    void *data)
{
	struct client *c = data;

	(void)conn;
	if (st != DBUS_DISPATCH_COMPLETE)
		c->dispatch_pending = true;
}

void loop_setup_connection(struct proxy *p, DBusConnection *conn)
{
	dbus_connection_set_watch_functions(conn, watch_add, watch_remove,
					    watch_toggled, p, NULL);
	dbus_connection_set_timeout_functions(conn, timeout_add,
					      timeout_remove, timeout_toggled,
					      p, NULL);
}

void loop_setup_server(struct proxy *p, DBusServer *server)
{
	dbus_server_set_watch_functions(server, watch_add, watch_remove,
					watch_toggled, p, NULL);
	dbus_server_set_timeout_functions(server, timeout_add, timeout_remove,
					  timeout_toggled, p, NULL);
}

int loop_init(struct proxy *p)
{
	sigset_t mask;

	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0)
		return -errno;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	p->sigsrc.kind = SRC_SIGNAL;
	p->sigsrc.fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (p->sigsrc.fd < 0)
		return -errno;
	return loop_add(p, &p->sigsrc, EPOLLIN);
}

static unsigned int epoll_to_watch(uint32_t ev)
{
	unsigned int f = 0;

	if (ev & EPOLLIN)
		f |= DBUS_WATCH_READABLE;
	if (ev & EPOLLOUT)
		f |= DBUS_WATCH_WRITABLE;
	if (ev & EPOLLERR)
		f |= DBUS_WATCH_ERROR;
	if (ev & EPOLLHUP)
		f |= DBUS_WATCH_HANGUP;
	return f;
}

static void free_dead_srcs(struct proxy *p)
{
	while (p->dead_srcs) {
		struct loop_src *s = p->dead_srcs;

		p->dead_srcs = s->next_dead;
		free(s);
	}
}

static bool dispatch_clients(struct proxy *p)
{
	struct client *c;
	bool more = false;

	for (c = p->clients; c; c = c->next) {
		if (c->dead || !c->dispatch_pending)
			continue;
		client_dispatch(c);
		if (c->dispatch_pending)
			more = true;
	}
	return more;
}

/**
 * loop_run() - run until SIGINT/SIGTERM
 * @p:		Proxy
 */
void loop_run(struct proxy *p)
{
	struct epoll_event ev[MAX_EVENTS];
	int n, i, timeout;

	while (!p->quit) {
		bool more;

		more = dispatch_clients(p);
		client_free_dead(p);
		free_dead_srcs(p);

		timeout = run_timeouts(p);
		if (more)
			timeout = 0;
		else if (timeout < 0 || timeout > 1000)
			timeout = 1000;	/* periodic queue checks */

		n = epoll_wait(p->epfd, ev, MAX_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			plog(LOG_ERR, "epoll_wait: %m");
			break;
		}

		for (i = 0; i < n; i++) {
			struct loop_src *src = ev[i].data.ptr;

			if (src->dead)
				continue;
			switch (src->kind) {
			case SRC_WATCH:
				dbus_watch_handle(src->data,
						  epoll_to_watch(ev[i].events));
				break;
			case SRC_KDBUS:
				client_kdbus_event(src->data, ev[i].events);
				break;
			case SRC_SIGNAL:
				plog(LOG_INFO, "signal received, exiting");
				p->quit = true;
				break;
			}
		}

		/* resume clients that read their queue, drop stalled ones */
		client_check_queues(p);
	}
}

/**
 * loop_fini() - release what the loop still holds after loop_run()
 * @p:		Proxy (clients and server already gone)
 */
void loop_fini(struct proxy *p)
{
	free_dead_srcs(p);
	if (p->sigsrc.fd >= 0)
		close(p->sigsrc.fd);
	if (p->epfd >= 0)
		close(p->epfd);
}

void loop_setup_dispatch(struct client *c, DBusConnection *conn)
{
	dbus_connection_set_dispatch_status_function(conn, dispatch_status, c,
						     NULL);
}
