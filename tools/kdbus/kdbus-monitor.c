// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus-monitor - print all traffic of a kdbus bus, like dbus-monitor
 *
 * Usage: kdbus-monitor --bus /sys/fs/kdbus/0-system/bus
 *
 * Connects as a monitor (KDBUS_HELLO_MONITOR, needs a privileged handle:
 * root or the bus owner's uid) and prints every message with all the
 * metadata the senders allow. Exits on SIGINT/SIGTERM.
 */

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "kdbus-lib.h"
#include "monitor-print.h"

/* print the usage to stderr; returns the exit status @status */
static int usage(const char *argv0, int status)
{
	fprintf(stderr, "Usage: %s --bus PATH\n"
		"  --bus PATH  kdbus bus endpoint, e.g. /sys/fs/kdbus/0-system/bus\n",
		argv0);
	return status;
}

static int drain(struct kdbus_conn *conn)
{
	struct kdbus_msg *msg;
	uint64_t dropped;
	int ret;

	for (;;) {
		ret = kdbus_lib_recv(conn, &msg, &dropped);
		if (dropped)
			printf("*** %llu message(s) lost (monitor too slow)\n\n",
			       (unsigned long long)dropped);
		if (ret == -EAGAIN)
			return 0;
		if (ret == -EBADMSG)
			continue;
		if (ret < 0)
			return ret;
		print_kdbus_msg(conn, msg);
		kdbus_lib_msg_close_fds(msg);
		kdbus_lib_free_ptr(conn, msg);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bus", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct kdbus_hello_opts hello = {
		/* ACCEPT_FD: memfd payloads are readable only with it */
		.flags = KDBUS_HELLO_MONITOR | KDBUS_HELLO_ACCEPT_FD,
		.attach_send = _KDBUS_ATTACH_ANY,
		.attach_recv = _KDBUS_ATTACH_ALL,
		.description = "kdbus-monitor",
	};
	struct kdbus_conn conn;
	struct pollfd pfd[2];
	const char *bus = NULL;
	sigset_t mask;
	int c, ret;

	while ((c = getopt_long(argc, argv, "b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bus = optarg;
			break;
		case 'h':
			return usage(argv[0], 0);
		default:
			return usage(argv[0], 2);
		}
	}
	if (!bus || optind != argc)
		return usage(argv[0], 2);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	pfd[1].fd = signalfd(-1, &mask, SFD_CLOEXEC);
	pfd[1].events = POLLIN;
	if (pfd[1].fd < 0) {
		perror("signalfd");
		return 1;
	}

	ret = kdbus_lib_hello(&conn, bus, &hello);
	if (ret < 0) {
		fprintf(stderr, "kdbus-monitor: HELLO on %s failed: %s%s\n", bus,
			strerror(-ret), ret == -EPERM ?
			" (monitors need a privileged handle)" : "");
		return 1;
	}
	fprintf(stderr, "kdbus-monitor: monitoring %s (bloom size %llu, n_hash %llu)\n",
		bus, (unsigned long long)conn.bloom_size,
		(unsigned long long)conn.bloom_n_hash);

	pfd[0].fd = conn.fd;
	pfd[0].events = POLLIN;
	for (;;) {
		ret = poll(pfd, 2, -1);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			perror("poll");
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents & POLLIN) {
			ret = drain(&conn);
			if (ret < 0) {
				fprintf(stderr, "kdbus-monitor: RECV: %s\n",
					strerror(-ret));
				break;
			}
		} else if (pfd[0].revents & (POLLERR | POLLHUP)) {
			fprintf(stderr, "kdbus-monitor: connection closed\n");
			break;
		}
	}

	kdbus_lib_close(&conn);
	close(pfd[1].fd);
	return 0;
}
