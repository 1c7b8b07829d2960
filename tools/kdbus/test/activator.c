// SPDX-License-Identifier: GPL-2.0
/*
 * activator - a kdbus activator starting a service on demand (run by
 * test/activation.py in the test guest).
 *
 * Connects to the bus with KDBUS_HELLO_ACTIVATOR and a NAME item, so that
 * the kernel registers it as the activator of that well-known name (kdbus.txt
 * 6.6), prints "ready :1.<id>" and waits until a message is queued for the
 * name (poll() reports POLLIN for an activator's queue like for any other
 * connection). The message is not received: it must stay queued so that
 * the kernel moves it to the service once the service acquires the name.
 * Instead CMD is started, once ("started <pid>"); with CMD "-" nothing is
 * started ("ignored"). The activator stays connected, so that the name
 * returns to it when the service goes ("exited <pid> status|signal <n>"),
 * until SIGTERM or SIGINT: it then sends SIGTERM to the service (SIGKILL
 * after 5 s), reaps it and exits 0.
 *
 *   activator --bus /sys/fs/kdbus/0-system/bus --name org.example.Act \
 *	-- CMD [ARGS...]
 */

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "../kdbus-lib.h"

/* how long a service has to exit after SIGTERM before it gets SIGKILL */
#define STOP_MS		5000

static int usage(const char *argv0, int ret)
{
	fprintf(ret ? stderr : stdout,
		"Usage: %s --bus PATH --name NAME [--] CMD [ARGS...]\n"
		"       (CMD \"-\": start nothing)\n", argv0);
	return ret;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000,
	};

	nanosleep(&ts, NULL);
}

/* fork and exec @argv with the signal handling of a fresh process */
static pid_t start_service(char **argv, const sigset_t *orig)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "activator: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* the connection's fd and the signalfd are O_CLOEXEC */
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, orig, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "activator: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	printf("started %d\n", (int)pid);
	fflush(stdout);
	return pid;
}

/* reap the service if it has exited; Return: true if it has */
static bool reap(pid_t pid)
{
	pid_t ret;
	int status;

	do {
		ret = waitpid(pid, &status, WNOHANG);
	} while (ret < 0 && errno == EINTR);
	if (ret == 0)
		return false;
	if (ret == pid && WIFEXITED(status))
		printf("exited %d status %d\n", (int)pid, WEXITSTATUS(status));
	else if (ret == pid && WIFSIGNALED(status))
		printf("exited %d signal %d\n", (int)pid, WTERMSIG(status));
	fflush(stdout);
	return true;
}

/* SIGTERM the service, SIGKILL after STOP_MS, and reap it */
static void stop_service(pid_t pid)
{
	long waited;

	kill(pid, SIGTERM);
	for (waited = 0; waited < STOP_MS; waited += 100) {
		if (reap(pid))
			return;
		sleep_ms(100);
	}
	fprintf(stderr, "activator: service %d ignores SIGTERM, killing it\n",
		(int)pid);
	kill(pid, SIGKILL);
	while (!reap(pid))
		sleep_ms(100);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bus", required_argument, NULL, 'b' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct kdbus_hello_opts hello = {
		/* ACCEPT_FD: calls with fds may queue here for the service */
		.flags = KDBUS_HELLO_ACTIVATOR | KDBUS_HELLO_ACCEPT_FD,
		.description = "activator",
	};
	const char *bus = NULL, *name = NULL;
	struct signalfd_siginfo si;
	struct kdbus_conn conn;
	struct pollfd pfd[2];
	sigset_t mask, orig;
	bool waiting = true;
	pid_t child = 0;
	char **cmd;
	int c, ret;

	/* '+': the options after CMD are CMD's */
	while ((c = getopt_long(argc, argv, "+b:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bus = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			return usage(argv[0], 0);
		default:
			return usage(argv[0], 2);
		}
	}
	if (!bus || !name || optind >= argc)
		return usage(argv[0], 2);
	cmd = argv + optind;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &orig);
	signal(SIGPIPE, SIG_IGN);
	pfd[1].fd = signalfd(-1, &mask, SFD_CLOEXEC);
	pfd[1].events = POLLIN;
	if (pfd[1].fd < 0) {
		perror("signalfd");
		return 1;
	}

	hello.name = name;
	ret = kdbus_lib_hello(&conn, bus, &hello);
	if (ret < 0) {
		fprintf(stderr, "activator: HELLO as the activator of %s on %s failed: %s\n",
			name, bus, strerror(-ret));
		close(pfd[1].fd);
		return 1;
	}
	printf("ready :1.%llu\n", (unsigned long long)conn.id);
	fflush(stdout);

	pfd[0].fd = conn.fd;
	ret = 0;
	for (;;) {
		/*
		 * Once the service is started (or ignored), the message stays
		 * queued until the service takes it: only a hang-up matters.
		 */
		pfd[0].events = waiting ? POLLIN : 0;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			ret = 1;
			break;
		}

		if (pfd[1].revents & POLLIN) {
			if (read(pfd[1].fd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo != SIGCHLD)
				break;
			if (child > 0 && reap(child))
				child = 0;
			continue;
		}

		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			fprintf(stderr, "activator: connection closed\n");
			ret = 1;
			break;
		}
		if (!waiting || !(pfd[0].revents & POLLIN))
			continue;

		/* a message for the name: leave it queued for the service */
		waiting = false;
		if (!strcmp(cmd[0], "-")) {
			printf("ignored\n");
			fflush(stdout);
			continue;
		}
		child = start_service(cmd, &orig);
		if (child < 0) {
			ret = 1;
			break;
		}
	}

	if (child > 0)
		stop_service(child);
	kdbus_lib_close(&conn);
	close(pfd[1].fd);
	return ret;
}
