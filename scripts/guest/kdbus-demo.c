// SPDX-License-Identifier: GPL-2.0
/*
 * kdbus-demo - the `make run` walk-through program.
 *
 * Creates a bus on a mounted kdbusfs, shows its directory, creates a custom
 * endpoint, then closes the owner fds and shows that both are gone. It grows
 * with the series (connections, names, calls and signals come later).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/kdbus.h>

#define ALIGN8(n) (((n) + 7) & ~7ULL)

struct cmd_buf {
	struct kdbus_cmd cmd;
	uint8_t items[512];
} __attribute__((__aligned__(8)));

static struct kdbus_item *add_item(struct cmd_buf *b, uint64_t type,
				   const void *data, size_t len)
{
	struct kdbus_item *it = (void *)((uint8_t *)b + ALIGN8(b->cmd.size));

	it->size = 16 + len;
	it->type = type;
	memcpy(it->data, data, len);
	b->cmd.size = ALIGN8(b->cmd.size) + it->size;
	return it;
}

static void show_dir(const char *path)
{
	struct dirent *de;
	struct stat st;
	char p[512];
	DIR *d = opendir(path);

	if (!d) {
		printf("   %s: %s\n", path, strerror(errno));
		return;
	}
	printf("   %s:\n", path);
	while ((de = readdir(d))) {
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (stat(p, &st))
			continue;
		printf("     %c%04o uid=%u gid=%u ino=%lu  %s\n",
		       de->d_type == DT_DIR ? 'd' : '-', st.st_mode & 07777,
		       st.st_uid, st.st_gid, (unsigned long)st.st_ino,
		       de->d_name);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "/sys/fs/kdbus";
	struct kdbus_bloom_parameter bloom = { .size = 64, .n_hash = 1 };
	char path[256], name[64], epname[64];
	struct cmd_buf b;
	int ctl, ep, epo;

	snprintf(name, sizeof(name), "%u-demo", geteuid());
	snprintf(epname, sizeof(epname), "%u-custom", geteuid());
	snprintf(path, sizeof(path), "%s/control", root);
	ctl = open(path, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		perror("open control");
		return 1;
	}
	memset(&b, 0, sizeof(b));
	b.cmd.size = sizeof(b.cmd);
	b.cmd.flags = KDBUS_MAKE_ACCESS_WORLD;
	add_item(&b, KDBUS_ITEM_BLOOM_PARAMETER, &bloom, sizeof(bloom));
	add_item(&b, KDBUS_ITEM_MAKE_NAME, name, strlen(name) + 1);
	if (ioctl(ctl, KDBUS_CMD_BUS_MAKE, &b)) {
		perror("KDBUS_CMD_BUS_MAKE");
		return 1;
	}
	printf("-> bus %s created (world-accessible)\n", name);
	show_dir(root);
	snprintf(path, sizeof(path), "%s/%s", root, name);
	show_dir(path);

	snprintf(path, sizeof(path), "%s/%s/bus", root, name);
	ep = open(path, O_RDWR | O_CLOEXEC);
	if (ep < 0) {
		perror("open bus");
		return 1;
	}
	memset(&b, 0, sizeof(b));
	b.cmd.size = sizeof(b.cmd);
	add_item(&b, KDBUS_ITEM_MAKE_NAME, epname, strlen(epname) + 1);
	if (ioctl(ep, KDBUS_CMD_ENDPOINT_MAKE, &b)) {
		perror("KDBUS_CMD_ENDPOINT_MAKE");
		return 1;
	}
	epo = ep;
	printf("-> custom endpoint %s created by the bus owner\n", epname);
	snprintf(path, sizeof(path), "%s/%s", root, name);
	show_dir(path);

	close(epo);
	printf("-> endpoint owner fd closed: the endpoint is gone\n");
	show_dir(path);
	close(ctl);
	printf("-> bus owner fd closed: the bus is gone\n");
	show_dir(root);
	return 0;
}
