// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus-proxy - D-Bus compatibility proxy for kdbus
 *
 * Listens on a UNIX socket and serves every D-Bus client that connects
 * over its own kdbus connection on the given bus, impersonating the client
 * (privileged HELLO) so that receivers and the kdbus policy see the real
 * peer. libdbus does the D-Bus side (SASL EXTERNAL, unix fd negotiation,
 * (de)marshalling); one thread, one epoll loop.
 *
 * Usage: kdbus-proxy --bus /sys/fs/kdbus/0-system/bus \
 *			--listen /run/kdbus-proxy.sock [--verbose]
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "proxy.h"

int proxy_log_level = LOG_INFO;

void plog(int level, const char *fmt, ...)
{
	static const char * const prefix[] = {
		"error", "warning", "info", "debug"
	};
	int saved = errno;
	va_list ap;

	if (level > proxy_log_level)
		return;
	fprintf(stderr, "kdbus-proxy: %s: ", prefix[level]);
	errno = saved;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void new_connection(DBusServer *server, DBusConnection *conn,
			   void *data)
{
	(void)server;
	client_new(data, conn);
}

/* print the usage to stderr; returns the exit status @status */
static int usage(const char *argv0, int status)
{
	fprintf(stderr,
		"Usage: %s --bus PATH --listen PATH [--make-bus]\n"
		"          [--stall-timeout MS] [--activation-timeout MS]\n"
		"          [--verbose]\n"
		"  --bus PATH     kdbus bus endpoint, e.g. /sys/fs/kdbus/0-system/bus\n"
		"  --listen PATH  UNIX socket to serve D-Bus clients on\n"
		"  --make-bus     create the bus of --bus first (in the domain two\n"
		"                 directories up, open to everybody); it lives as\n"
		"                 long as the proxy\n"
		"  --stall-timeout MS\n"
		"                 drop a client whose outgoing queue is full and\n"
		"                 has not shrunk for MS milliseconds (default %d)\n"
		"  --activation-timeout MS\n"
		"                 StartServiceByName fails with TimedOut if the\n"
		"                 service does not own its name within MS\n"
		"                 milliseconds (default %d)\n"
		"  --verbose      log every client and every failed send\n",
		argv0, PROXY_STALL_TIMEOUT_MS, PROXY_ACTIVATION_TIMEOUT_MS);
	return status;
}

/* a positive number of milliseconds */
static int parse_ms(const char *arg, uint64_t *ms)
{
	char *end;

	errno = 0;
	*ms = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || !*ms)
		return -1;
	return 0;
}

/*
 * --make-bus: the bus of @bus_path ("<domain>/<bus>/bus") in its domain,
 * with the bloom parameters of the historical system and user buses.
 */
static int make_bus(const char *bus_path)
{
	char *dir = strdup(bus_path), *name, *slash;
	char control[PATH_MAX];
	int fd = -EINVAL;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		slash = strrchr(dir, '/');
	}
	if (slash) {
		*slash = '\0';
		name = slash + 1;
		snprintf(control, sizeof(control), "%s/control", dir);
		fd = kdbus_lib_bus_make(control, name, 64, 1);
	}
	free(dir);
	return fd;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	/* two fds per client plus a dup per libdbus watch */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int start_server(struct proxy *p)
{
	static const char * const mechs[] = { "EXTERNAL", NULL };
	struct stat st;
	DBusError err;
	char *escaped, *address;

	/* a stale socket of a previous run */
	if (lstat(p->listen_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(p->listen_path);

	escaped = dbus_address_escape_value(p->listen_path);
	if (!escaped)
		return -ENOMEM;
	if (asprintf(&address, "unix:path=%s", escaped) < 0) {
		dbus_free(escaped);
		return -ENOMEM;
	}
	dbus_free(escaped);

	dbus_error_init(&err);
	p->server = dbus_server_listen(address, &err);
	free(address);
	if (!p->server) {
		plog(LOG_ERR, "cannot listen on %s: %s", p->listen_path,
		     err.message ? err.message : "?");
		dbus_error_free(&err);
		return -EIO;
	}

	if (!dbus_server_set_auth_mechanisms(p->server, (const char **)mechs))
		return -ENOMEM;
	dbus_server_set_new_connection_function(p->server, new_connection, p,
						NULL);
	loop_setup_server(p, p->server);

	/* everybody may connect; the kdbus policy decides what they may do */
	if (chmod(p->listen_path, 0666) < 0)
		plog(LOG_WARN, "chmod %s: %m", p->listen_path);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bus", required_argument, NULL, 'b' },
		{ "listen", required_argument, NULL, 'l' },
		{ "make-bus", no_argument, NULL, 'm' },
		{ "stall-timeout", required_argument, NULL, 's' },
		{ "activation-timeout", required_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct proxy p;
	bool bus_make = false;
	int c, ret, bus_fd = -1;

	memset(&p, 0, sizeof(p));
	p.epfd = -1;
	p.stall_timeout_ms = PROXY_STALL_TIMEOUT_MS;
	p.activation_timeout_ms = PROXY_ACTIVATION_TIMEOUT_MS;

	while ((c = getopt_long(argc, argv, "a:b:l:ms:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			p.bus_path = optarg;
			break;
		case 'l':
			p.listen_path = optarg;
			break;
		case 'm':
			bus_make = true;
			break;
		case 's':
			if (parse_ms(optarg, &p.stall_timeout_ms) < 0)
				return usage(argv[0], 2);
			break;
		case 'a':
			if (parse_ms(optarg, &p.activation_timeout_ms) < 0)
				return usage(argv[0], 2);
			break;
		case 'v':
			proxy_log_level = LOG_DEBUG;
			break;
		case 'h':
			return usage(argv[0], 0);
		default:
			return usage(argv[0], 2);
		}
	}
	if (!p.bus_path || !p.listen_path || optind != argc)
		return usage(argv[0], 2);
	if (bus_make) {
		bus_fd = make_bus(p.bus_path);
		if (bus_fd < 0) {
			plog(LOG_ERR, "cannot make the bus of %s: %s",
			     p.bus_path, strerror(-bus_fd));
			return 1;
		}
	}
	if (access(p.bus_path, R_OK | W_OK) < 0) {
		plog(LOG_ERR, "%s: %m", p.bus_path);
		return 1;
	}

	signal(SIGPIPE, SIG_IGN);
	raise_nofile();

	ret = loop_init(&p);
	if (ret < 0) {
		plog(LOG_ERR, "event loop setup failed: %s", strerror(-ret));
		return 1;
	}
	ret = start_server(&p);
	if (ret < 0)
		return 1;

	plog(LOG_INFO, "serving %s on %s", p.bus_path, p.listen_path);
	loop_run(&p);

	while (p.clients)
		client_kill(p.clients, "proxy exiting");
	client_free_dead(&p);
	dbus_server_disconnect(p.server);
	dbus_server_unref(p.server);
	unlink(p.listen_path);
	loop_fini(&p);
	if (bus_fd >= 0)
		close(bus_fd);
	return 0;
}
